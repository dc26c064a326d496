//! tls.*: the handshake to every peer, as IM&P would make it (path 1, a legacy-capable
//! ClientHello) and as a modern client makes it (path 2, rustls).

use super::support::{each_peer, needs_tls, tcp_unreachable, Side};
use crate::judge::{Check, Context, Finding, Rule};
use crate::snapshot::raw::{RawError, RawHandshake, RawOutcome};
use crate::snapshot::tls::{suite_id, suite_openssl_name, TlsFailure, TlsOutcome, TlsVersion};
use crate::snapshot::PeerObservation;

pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::live("tls.handshake", needs_tls, handshake),
        Rule::live("tls.protocol", needs_tls, protocol),
        Rule::live("tls.ciphers", needs_tls, ciphers),
        Rule::live("tls.mutual", needs_tls, mutual),
    ]
}

fn raw_ok(obs: &PeerObservation) -> Option<&RawHandshake> {
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
    each_peer(ctx, |peer, target, obs| {
        // The root cause of every other peer check's "cannot tell": said once, here.
        if let Some(how) = tcp_unreachable(obs) {
            let addr = obs.addr;
            return Some(
                ctx.violation(target, format!("no TCP connection to {addr}: {how}, on both probes"))
                    .detail(format!(
                        "Nothing listens on port {port}, or a firewall drops the connection. The TLS, certificate and SIP \
                         checks of this peer cannot tell until it answers. Test from this host with \
                         `nc -vz {ip} {port}` or `openssl s_client -connect {addr} -servername {host}`; \
                         on Windows, `Test-NetConnection {host} -Port {port}`.",
                        port = addr.port(),
                        ip = addr.ip(),
                        host = peer.host,
                    ))
                    .evidence(serde_json::json!({ "path1": obs.raw, "path2": obs.tls })),
            );
        }
        let Some(tls) = obs.tls.as_ref() else {
            return Some(ctx.skip(target, "cannot tell: the snapshot holds no TLS result for this peer"));
        };
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
            // The peer wants mutual TLS and the probe has no certificate to show: that
            // is the inventory's gap, not the peer's fault.
            TlsOutcome::Failed { client_cert_requested: true, message, .. } if ctx.inventory.cisco.client_key.is_none() => {
                match raw_ok(obs) {
                    Some(h) => ctx
                        .pass(
                            target,
                            format!("answers IM&P's ClientHello with {} {} and asks for a client certificate", h.version, h.cipher_suite),
                        )
                        .detail(format!("the full handshake needs IM&P's certificate: set [cisco] client_cert and client_key ({message})")),
                    None => ctx.skip(target, "cannot tell: the peer requires a client certificate; set [cisco] client_cert and client_key"),
                }
            }
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
        let version: Option<TlsVersion> = raw_ok(obs).map(|h| h.version).or_else(|| match obs.tls.as_ref().map(|t| &t.outcome) {
            Some(TlsOutcome::Connected { version, .. }) => Some(*version),
            _ => None,
        });
        let Some(v) = version else {
            return Some(ctx.skip(target, "cannot tell: no handshake completed (see tls.handshake)"));
        };
        Some(if legacy.iter().any(|l| TlsVersion::from(l.clone()) == v) {
            let fix = match peer.side {
                Side::Microsoft => "enable TLS 1.2 on the front end (SfB 2015 CU9 or later on Windows Server 2012 R2/2016, or the Lync 2013 TLS 1.2 updates)",
                Side::Cisco => "upgrade IM&P to a release that negotiates TLS 1.2",
            };
            ctx.violation(target, format!("speaks only {v}: IM&P accepts it unless its TLS minimum was raised; {fix}"))
        } else if v.is_modern() {
            ctx.pass(target, format!("negotiates {v}"))
        } else {
            ctx.fail(target, format!("negotiates {v}, which neither side should accept"))
        })
    })
}

fn ciphers(ctx: &Context<'_>) -> Vec<Finding> {
    let configured = &ctx.inventory.cisco.federation.tls_ciphers;
    let unknown: Vec<&str> = configured.iter().filter(|c| suite_id(c).is_none()).map(String::as_str).collect();
    // Path 1 offered IM&P's own list (when known): the peer's answer is IM&P's fate.
    let own_list = !configured.is_empty() && unknown.len() < configured.len();
    let offered = ctx.snapshot.path1_suites.join(", ");
    each_peer(ctx, |peer, target, obs| {
        if peer.side != Side::Microsoft {
            return None;
        }
        let f = match obs.raw.as_ref().map(|r| &r.outcome) {
            Some(RawOutcome::Handshake(h)) => {
                let chosen = suite_openssl_name(h.cipher_code).unwrap_or(&h.cipher_suite).to_string();
                if own_list {
                    ctx.pass(target, format!("accepts IM&P's cipher list: chose {chosen}"))
                } else {
                    ctx.pass(target, format!("chose {chosen} from a broad offer"))
                        .detail("IM&P's own list is not described, so only a broad offer was tried")
                }
            }
            Some(RawOutcome::Failed(RawError::Alert { code: 40 | 71, name, .. })) if own_list => {
                ctx.violation(target, format!("refuses every suite IM&P offers ({name} alert)")).detail(format!("offered: {offered}"))
            }
            _ => ctx.skip(target, "cannot tell: the peer did not answer the ClientHello (see tls.handshake)"),
        };
        Some(match (&f.status, unknown.is_empty()) {
            (crate::judge::Status::Pass, false) => f.detail(format!("not recognised, so not offered: {}", unknown.join(", "))),
            _ => f,
        })
    })
}

fn own_ca_names(ctx: &Context<'_>) -> Vec<String> {
    let Some(chain) = &ctx.evidence.cisco_cert else { return Vec::new() };
    let mut names: Vec<String> =
        chain.iter().filter_map(|d| crate::certinfo::inspect(d).ok()).flat_map(|i| [i.issuer, i.subject]).collect();
    for store in [ctx.evidence.cisco_trust.as_ref(), ctx.evidence.microsoft_trust.as_ref()].into_iter().flatten() {
        names.extend(crate::certinfo::issuing_root(chain, store));
    }
    names.sort();
    names.dedup();
    names
}

fn mutual(ctx: &Context<'_>) -> Vec<Finding> {
    // Every CA name along IM&P's own chain (issuers, and the root that anchors it in
    // either trust store): a peer listing any of them in its request will take it.
    let own_cas: Vec<String> = own_ca_names(ctx);
    each_peer(ctx, |peer, target, obs| {
        let accepted = raw_ok(obs).map(|h| h.acceptable_ca_names.clone()).unwrap_or_default();
        Some(match obs.client_cert_requested() {
            Some(true) if peer.side == Side::Microsoft && !accepted.is_empty() && !own_cas.is_empty() && !own_cas.iter().any(|c| accepted.contains(c)) => ctx
                .warn(target, format!("asks for a client certificate from {}; IM&P's certificate chains to {}", accepted.join("; "), own_cas.join("; ")))
                .detail("the peer may refuse IM&P's certificate: import IM&P's root into the Microsoft servers' trusted root store (see certs.cross-trust)"),
            Some(true) => ctx.pass(target, "asks for a client certificate (mutual TLS)"),
            Some(false) => ctx.violation(target, "does not ask for a client certificate: federation needs mutual TLS"),
            None => ctx.skip(target, "cannot tell: no handshake got far enough (see tls.handshake)"),
        })
    })
}
