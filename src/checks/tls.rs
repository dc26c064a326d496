//! tls.*: the handshake to every peer, as IM&P would make it (path 1, a legacy-capable
//! ClientHello) and as a modern client makes it (path 2, rustls).

use super::support::{each_peer, needs_tls, Side};
use crate::check::{Check, Context, Finding, Rule};
use crate::probe::tls::{TlsFailure, TlsOutcome};
use crate::probe::tls_raw::{suite_openssl_name, RawOutcome};
use crate::snapshot::PeerObservation;

pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::live("tls.handshake", needs_tls, handshake),
        Rule::live("tls.protocol", needs_tls, protocol),
        Rule::live("tls.ciphers", needs_tls, ciphers),
        Rule::live("tls.mutual", needs_tls, mutual),
    ]
}

fn raw_ok(obs: &PeerObservation) -> Option<&crate::probe::tls_raw::RawHandshake> {
    match obs.raw.as_ref().map(|r| &r.outcome) {
        Some(RawOutcome::Handshake(h)) => Some(h),
        _ => None,
    }
}

fn raw_error(obs: &PeerObservation) -> Option<String> {
    match obs.raw.as_ref().map(|r| &r.outcome) {
        Some(RawOutcome::Failed(e)) => Some(e.to_string()),
        _ => None,
    }
}

fn handshake(ctx: &Context<'_>) -> Vec<Finding> {
    each_peer(ctx, |_, target, obs| {
        let tls = obs.tls.as_ref()?;
        let f = match &tls.outcome {
            TlsOutcome::Connected { version, cipher_suite, .. } => {
                ctx.pass(target, format!("{version} {cipher_suite} in {} ms", tls.elapsed_ms))
            }
            TlsOutcome::Failed { kind: TlsFailure::NoCommonParameters, message, .. } => match raw_ok(obs) {
                Some(h) => ctx
                    .pass(target, format!("answers IM&P's ClientHello with {} {}", h.version, h.cipher_suite))
                    .detail(format!("the modern probe could not finish ({message}): a limit of the probe, not a fault of the peer")),
                None => ctx.violation(target, format!("no TLS handshake: {message}")),
            },
            TlsOutcome::Failed { message, .. } => {
                let also = raw_error(obs).map(|e| format!(" (IM&P-style hello: {e})")).unwrap_or_default();
                ctx.violation(target, format!("handshake failed: {message}{also}"))
            }
        };
        Some(f.evidence(serde_json::json!({ "path1": obs.raw, "path2": obs.tls })))
    })
}

fn protocol(ctx: &Context<'_>) -> Vec<Finding> {
    let legacy: Vec<String> = match ctx.table("legacy_versions") {
        Ok(l) => l,
        Err(e) => return ctx.table_error(e),
    };
    each_peer(ctx, |peer, target, obs| {
        // Path 1 shows the best version the peer accepts from IM&P's offer (<= 1.2).
        let version = raw_ok(obs).map(|h| h.version.clone()).or_else(|| match obs.tls.as_ref().map(|t| &t.outcome) {
            Some(TlsOutcome::Connected { version, .. }) => Some(version.clone()),
            _ => None,
        });
        let Some(v) = version else {
            return Some(ctx.skip(target, "cannot tell: no handshake completed (see tls.handshake)"));
        };
        Some(if legacy.iter().any(|l| l == &v) {
            let fix = match peer.side {
                Side::Microsoft => "enable TLS 1.2 on the front end (SfB 2015 CU9 or later on Windows Server 2012 R2/2016, or the Lync 2013 TLS 1.2 updates)",
                Side::Cisco => "upgrade IM&P to a release that negotiates TLS 1.2",
            };
            ctx.warn(target, format!("speaks only {v}: works with IM&P today, but {fix}"))
        } else if v == "TLSv1.2" || v == "TLSv1.3" {
            ctx.pass(target, format!("negotiates {v}"))
        } else {
            ctx.violation(target, format!("negotiates {v}, which neither side should accept"))
        })
    })
}

/// A cipher name (OpenSSL or IANA) authenticates with RSA, per the catalog markers.
fn is_rsa(name: &str, ec: &[String], rsa: &[String]) -> bool {
    let n = name.to_ascii_uppercase();
    !ec.iter().any(|m| n.contains(&m.to_ascii_uppercase())) && rsa.iter().any(|m| n.contains(&m.to_ascii_uppercase()))
}

fn ciphers(ctx: &Context<'_>) -> Vec<Finding> {
    let (ec, rsa): (Vec<String>, Vec<String>) = match (ctx.table("ec_only_markers"), ctx.table("rsa_markers")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return ctx.table_error(e),
    };
    let configured = &ctx.inventory.cisco.federation.tls_ciphers;
    let mut out = Vec::new();
    if configured.is_empty() {
        out.push(ctx.skip("imp tls context", "IM&P's peer-auth cipher list is not described ([cisco.federation] tls_ciphers)"));
    } else if configured.iter().any(|c| is_rsa(c, &ec, &rsa)) {
        out.push(ctx.pass("imp tls context", "IM&P's peer-auth context keeps RSA ciphers"));
    } else {
        out.push(ctx.violation(
            "imp tls context",
            format!("IM&P's peer-auth context is EC-only ({}): Lync and Skype for Business cannot use it", configured.join(", ")),
        ));
    }
    out.extend(each_peer(ctx, |peer, target, obs| {
        if peer.side != Side::Microsoft {
            return None;
        }
        let Some(h) = raw_ok(obs) else {
            return Some(ctx.skip(target, "cannot tell: the peer did not answer IM&P's ClientHello (see tls.handshake)"));
        };
        let openssl = suite_openssl_name(h.cipher_code).unwrap_or(&h.cipher_suite);
        Some(
            if configured.is_empty()
                || configured.iter().any(|c| c.eq_ignore_ascii_case(openssl) || c.eq_ignore_ascii_case(&h.cipher_suite))
            {
                ctx.pass(target, format!("chose {openssl} from IM&P's offer"))
            } else {
                ctx.violation(target, format!("chose {openssl}, which IM&P's peer-auth context does not list"))
            },
        )
    }));
    out
}

fn mutual(ctx: &Context<'_>) -> Vec<Finding> {
    // The CA that issued IM&P's own certificate, to compare with what peers accept.
    let own_issuer =
        ctx.evidence.cisco_cert.as_ref().and_then(|c| c.first()).and_then(|d| crate::certinfo::inspect(d).ok()).map(|i| i.issuer);
    each_peer(ctx, |peer, target, obs| {
        let accepted = raw_ok(obs).map(|h| h.acceptable_ca_names.clone()).unwrap_or_default();
        Some(match obs.client_cert_requested() {
            Some(true)
                if peer.side == Side::Microsoft && !accepted.is_empty() && own_issuer.as_ref().is_some_and(|i| !accepted.contains(i)) =>
            {
                ctx.violation(
                    target,
                    format!(
                        "asks for a client certificate from {}, but IM&P's certificate is issued by {}",
                        accepted.join("; "),
                        own_issuer.clone().unwrap_or_default()
                    ),
                )
                .detail("the peer will refuse IM&P's certificate: import IM&P's root into the Microsoft servers' trusted root store")
            }
            Some(true) => ctx.pass(target, "asks for a client certificate (mutual TLS)"),
            Some(false) => ctx.violation(target, "does not ask for a client certificate: federation needs mutual TLS"),
            None => ctx.skip(target, "cannot tell: no handshake got far enough (see tls.handshake)"),
        })
    })
}
