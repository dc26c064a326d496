//! tls.*: the handshake to every peer, as IM&P would make it (path 1, a legacy-capable
//! ClientHello) and as a modern client makes it (path 2, rustls).

use super::support::{each_peer, needs_tls, tcp_unreachable, Side};
use crate::judge::{Check, Context, Finding, Rule};
use crate::snapshot::raw::{RawError, RawHandshake, RawOutcome};
use crate::snapshot::tls::{suite_id, suite_openssl_name, TlsFailure, TlsOutcome, TlsVersion};
use crate::snapshot::PeerObservation;

/// The `tls.*` checks, judged on the TLS probes: handshake, protocol version, ciphers
/// and mutual TLS.
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

/// What the catalog knows of a Microsoft platform's TLS: the newest version it
/// speaks, and whether a peer topping out below TLS 1.2 is expected on it.
#[derive(Debug, Clone, serde::Deserialize)]
pub(super) struct PlatformTls {
    pub platform: String,
    pub name: String,
    /// "1.0", "1.2": the newest TLS version it speaks.
    pub max: String,
    /// A legacy-only peer is what this platform is (OCS 2007 R2, Lync 2010 without updates).
    #[serde(default)]
    pub legacy_expected: bool,
    /// An update may raise `max` (Lync 2010): a floor above it is a question, not a certainty.
    #[serde(default)]
    pub updatable: bool,
    #[serde(default)]
    pub source: String,
}

impl PlatformTls {
    pub(super) fn max_version(&self) -> TlsVersion {
        version_of_minor(self.max.strip_prefix("1.").and_then(|m| m.parse().ok()).unwrap_or(0))
    }
}

/// TLS 1.x from its minor number.
pub(super) fn version_of_minor(minor: u8) -> TlsVersion {
    TlsVersion::from_code(0x0301 + u16::from(minor))
}

/// IM&P's configured TLS floor per node that has `show tls min-version` evidence.
pub(super) fn imp_floors(ctx: &Context<'_>) -> Vec<(String, TlsVersion)> {
    ctx.inventory
        .imp_nodes()
        .filter_map(|n| {
            let m = ctx.evidence.node(&n.fqdn).and_then(|e| e.tls_min_version.as_ref())?;
            Some((n.fqdn.to_ascii_lowercase(), version_of_minor(m.minor())))
        })
        .collect()
}

/// The newest version the peer agreed to: path 1 offers up to TLS 1.2 the way IM&P
/// does, path 2 may reach TLS 1.3.
pub(super) fn best_version(obs: &PeerObservation) -> Option<TlsVersion> {
    let raw = raw_ok(obs).map(|h| h.version);
    let modern = match obs.tls.as_ref().map(|t| &t.outcome) {
        Some(TlsOutcome::Connected { version, .. }) => Some(*version),
        _ => None,
    };
    match (raw, modern) {
        (Some(a), Some(b)) => Some(if b.code() > a.code() { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The platforms a Microsoft host may run: its pool's own `platform` when stated,
/// else every platform the site declares.
pub(super) fn platforms_of(inv: &crate::inventory::Inventory, host: &str) -> Vec<String> {
    let pool =
        inv.microsoft.pools.iter().find(|p| std::iter::once(&p.fqdn).chain(p.servers.iter()).any(|n| super::support::same_name(n, host)));
    if let Some(p) = pool.and_then(|p| p.platform.as_ref()) {
        return vec![p.to_ascii_lowercase()];
    }
    std::iter::once(&inv.microsoft.platform).chain(inv.microsoft.additional_platforms.iter()).map(|p| p.to_ascii_lowercase()).collect()
}

fn protocol(ctx: &Context<'_>) -> Vec<Finding> {
    let legacy: Vec<String> = match ctx.table("legacy_versions") {
        Ok(l) => l,
        Err(e) => return ctx.table_error(e),
    };
    let platforms: Vec<PlatformTls> = match ctx.table("platform_tls") {
        Ok(l) => l,
        Err(e) => return ctx.table_error(e),
    };
    let floors = imp_floors(ctx);
    each_peer(ctx, |peer, target, obs| {
        let Some(v) = best_version(obs) else {
            return Some(ctx.skip(target, "cannot tell: no handshake completed (see tls.handshake)"));
        };
        // IM&P refuses anything below its configured floor: that peer is cut off.
        let above: Vec<String> = floors
            .iter()
            .filter(|(_, min)| peer.side == Side::Microsoft && min.code() > v.code())
            .map(|(node, min)| format!("{node} ({min})"))
            .collect();
        if !above.is_empty() {
            return Some(
                ctx.fail(target, format!("speaks at most {v}, below IM&P's configured minimum on {}: their handshakes fail", above.join(", ")))
                    .detail("lower the minimum with `set tls min-version` on those nodes (each reboots), or bring the peer to TLS 1.2 (see imp.tls-min-version)"),
            );
        }
        Some(if legacy.iter().any(|l| TlsVersion::from(l.clone()) == v) {
            match peer.side {
                Side::Microsoft => {
                    let declared = platforms_of(ctx.inventory, &peer.host);
                    let expected: Vec<&PlatformTls> = platforms
                        .iter()
                        .filter(|p| p.legacy_expected && declared.iter().any(|d| d.eq_ignore_ascii_case(&p.platform)))
                        .collect();
                    if expected.is_empty() {
                        ctx.warn(target, format!("tops out at {v}: enable TLS 1.2 on the front end (SfB 2015 CU9 or later on Windows Server 2012 R2/2016, or the Lync 2013 TLS 1.2 updates)"))
                    } else {
                        let names: Vec<&str> = expected.iter().map(|p| p.name.as_str()).collect();
                        ctx.info(target, format!("tops out at {v}, as expected of {}: IM&P accepts it while its minimum TLS version stays at or below {v}", names.join(" or ")))
                            .detail("keep IM&P's `set tls min-version` at this level on every node while this peer is in service (see imp.tls-min-version)")
                    }
                }
                Side::Cisco => ctx.warn(target, format!("tops out at {v}: upgrade IM&P to a release that negotiates TLS 1.2")),
            }
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

#[cfg(test)]
mod tests {
    use crate::judge::Status;
    use crate::snapshot::raw::{RawError, RawOutcome};
    use crate::snapshot::tls::{TlsFailure, TlsVersion};
    use crate::testing::*;

    const FE1: &str = "fe1.contoso.com";
    const FE2: &str = "fe2.contoso.com";
    const RT: &str = "imp-rt.contoso.com";

    #[test]
    fn live_tls_checks_cannot_tell_offline() {
        for id in ["tls.handshake", "tls.protocol", "tls.ciphers", "tls.mutual"] {
            has(&judge(id, &clean(), &offline()), "*", Status::Skip, "live probes not run (--offline)");
        }
    }

    #[test]
    fn handshake_passes_every_connected_peer() {
        let s = clean();
        let f = judge("tls.handshake", &s, &world(&s));
        all(&f, Status::Pass);
        assert_eq!(f.len(), 5);
        has(&f, "fe1.contoso.com @ 10.0.0.", Status::Pass, "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 in 4 ms");
    }

    #[test]
    fn handshake_fails_a_refused_or_impossible_handshake() {
        let s = clean();
        let mut snap = world(&s);
        let p = peer_mut(&mut snap, FE1);
        p.raw = Some(raw_failed(RawError::ConnectRefused));
        p.tls = Some(tls_failed(TlsFailure::ConnectRefused, "connection refused", false));
        let p = peer_mut(&mut snap, FE2);
        p.raw = Some(raw_failed(RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() }));
        p.tls = Some(tls_failed(TlsFailure::NoCommonParameters, "peer offered no common cipher suite", false));
        let f = judge("tls.handshake", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Fail, &format!("no TCP connection to {}:5061: refused, on both probes", addr_of(&s, FE1)));
        has(&f, "fe2.contoso.com @", Status::Fail, "no TLS handshake: peer offered no common cipher suite");
    }

    /// What rustls cannot do is no fault of a peer that answers IM&P's own hello.
    #[test]
    fn handshake_passes_a_peer_only_the_legacy_hello_reaches() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).tls = Some(tls_failed(TlsFailure::NoCommonParameters, "peer offered no common cipher suite", false));
        peer_mut(&mut snap, FE2).tls = Some(tls_failed(TlsFailure::ClientCertRequired, "certificate required", true));
        let f = judge("tls.handshake", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Pass, "answers IM&P's ClientHello with TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        has(&f, "fe2.contoso.com @", Status::Pass, "and asks for a client certificate");
    }

    #[test]
    fn handshake_fails_a_refused_client_certificate_when_one_is_configured() {
        let mut s = clean();
        s.inventory.cisco.client_key = Some("imp.key".into());
        let mut snap = world(&s);
        peer_mut(&mut snap, FE2).tls = Some(tls_failed(TlsFailure::ClientCertRejected, "unknown_ca alert", true));
        has(&judge("tls.handshake", &s, &snap), "fe2.contoso.com @", Status::Fail, "handshake failed: unknown_ca alert");
    }

    #[test]
    fn handshake_cannot_tell() {
        let s = clean();
        let mut snap = world(&s);
        let p = peer_mut(&mut snap, FE2);
        p.raw = Some(raw_failed(RawError::ConnectRefused));
        p.tls = Some(tls_failed(TlsFailure::ClientCertRequired, "certificate required", true));
        peer_mut(&mut snap, FE1).tls = None;
        let p = peer_mut(&mut snap, RT);
        p.raw = None;
        p.tls = None;
        p.sip = None;
        p.not_run = Some("the run deadline came first".into());
        snap.peers.retain(|p| p.server_name != "sfbpool.contoso.com");
        let imp1 = addr_of(&s, "imp1.contoso.com");
        snap.dns.retain(|o| o.query.name != "imp1.contoso.com");
        let f = judge("tls.handshake", &s, &snap);
        has(&f, "fe2.contoso.com @", Status::Skip, "cannot tell: the peer requires a client certificate");
        has(&f, "fe1.contoso.com @", Status::Skip, "cannot tell: the snapshot holds no TLS result for this peer");
        has(&f, "imp-rt.contoso.com @", Status::Skip, "cannot tell: the run deadline came first");
        has(&f, "sfbpool.contoso.com @", Status::Skip, "cannot tell: this address was not probed");
        has(&f, "imp1.contoso.com:5061", Status::Skip, "cannot tell: imp1.contoso.com has no address (see dns.forward)");
        no_target(&f, &imp1);
    }

    #[test]
    fn protocol_passes_tls_1_2() {
        let s = clean();
        let f = judge("tls.protocol", &s, &world(&s));
        all(&f, Status::Pass);
        has(&f, "fe1.contoso.com @", Status::Pass, "negotiates TLSv1.2");
    }

    /// Both probe paths agree the peer tops out at `v`.
    fn tops_out(snap: &mut crate::snapshot::Snapshot, host: &str, v: TlsVersion) {
        let chain = vec![leaf(host)];
        let p = peer_mut(snap, host);
        p.raw = Some(raw_with(v, &chain, true));
        if let Some(crate::snapshot::tls::TlsOutcome::Connected { version, .. }) = p.tls.as_mut().map(|t| &mut t.outcome) {
            *version = v;
        }
    }

    /// `show tls min-version` evidence on the routing node.
    fn with_floor(inv: &str, version: &str) -> crate::inventory::Loaded {
        let from = r#"evidence = { service_list = "evidence/imp-rt-services.txt" }"#;
        let to = r#"evidence = { service_list = "evidence/imp-rt-services.txt", tls_min_version = "evidence/rt-tls.txt" }"#;
        let text = format!("admin:show tls min-version\nConfigured TLS minimum version: {version}\n\nadmin:\n");
        site_with(&edit(inv, from, to), &[("evidence/rt-tls.txt", &text)])
    }

    #[test]
    fn protocol_warns_of_legacy_versions_and_fails_ssl3() {
        let s = clean();
        let mut snap = world(&s);
        tops_out(&mut snap, FE1, TlsVersion::Tls10);
        tops_out(&mut snap, RT, TlsVersion::Tls11);
        tops_out(&mut snap, FE2, TlsVersion::Ssl3);
        let f = judge("tls.protocol", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Warn, "tops out at TLSv1.0: enable TLS 1.2 on the front end");
        has(&f, "imp-rt.contoso.com @", Status::Warn, "tops out at TLSv1.1: upgrade IM&P");
        has(&f, "fe2.contoso.com @", Status::Fail, "negotiates SSLv3, which neither side should accept");
    }

    /// On OCS 2007 R2 or Lync 2010 a TLS 1.0 peer is what the platform is: info, named.
    #[test]
    fn protocol_info_on_a_legacy_platform() {
        let s = site(&edit(CLEAN, r#"platform = "sfb2015""#, r#"platform = "ocs2007r2""#));
        let mut snap = world(&s);
        tops_out(&mut snap, FE1, TlsVersion::Tls10);
        let f = judge("tls.protocol", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Info, "tops out at TLSv1.0, as expected of Office Communications Server 2007 R2");
        // A pool may say its own platform on a mixed site.
        let s = site(&edit(
            CLEAN,
            "servers = [\"fe1.contoso.com\", \"fe2.contoso.com\"]",
            "servers = [\"fe1.contoso.com\", \"fe2.contoso.com\"]\nplatform = \"lync2010\"",
        ));
        has(&judge("tls.protocol", &s, &snap), "fe1.contoso.com @", Status::Info, "as expected of Lync Server 2010");
    }

    /// IM&P's floor above what the peer speaks cuts it off, whatever the platform.
    #[test]
    fn protocol_fails_a_peer_below_imps_minimum() {
        let s = with_floor(&edit(CLEAN, r#"platform = "sfb2015""#, r#"platform = "ocs2007r2""#), "1.2");
        let mut snap = world(&s);
        tops_out(&mut snap, FE1, TlsVersion::Tls10);
        let f = judge("tls.protocol", &s, &snap);
        has(
            &f,
            "fe1.contoso.com @",
            Status::Fail,
            "speaks at most TLSv1.0, below IM&P's configured minimum on imp-rt.contoso.com (TLSv1.2)",
        );
        has(&f, "fe2.contoso.com @", Status::Pass, "negotiates TLSv1.2");
        // A floor at the peer's level is fine.
        let s = with_floor(&edit(CLEAN, r#"platform = "sfb2015""#, r#"platform = "ocs2007r2""#), "1.0");
        has(&judge("tls.protocol", &s, &snap), "fe1.contoso.com @", Status::Info, "as expected of");
    }

    #[test]
    fn protocol_falls_back_to_path_2_then_cannot_tell() {
        let s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).raw = Some(raw_failed(RawError::Closed { after_bytes: 0 }));
        let p = peer_mut(&mut snap, FE2);
        p.raw = Some(raw_failed(RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() }));
        p.tls = Some(tls_failed(TlsFailure::Alert, "the peer ended the TLS handshake with alert handshake_failure", false));
        let f = judge("tls.protocol", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Pass, "negotiates TLSv1.2");
        has(&f, "fe2.contoso.com @", Status::Skip, "cannot tell: no handshake completed");
    }

    #[test]
    fn ciphers_pass_microsoft_peers_that_accept_imps_list() {
        let mut s = clean();
        let f = judge("tls.ciphers", &s, &world(&s));
        all(&f, Status::Pass);
        assert_eq!(f.len(), 3, "Microsoft peers only");
        no_target(&f, "imp-rt");
        has(&f, "fe1.contoso.com @", Status::Pass, "accepts IM&P's cipher list: chose ECDHE-RSA-AES256-GCM-SHA384");
        s.inventory.cisco.federation.tls_ciphers = vec!["AES128-SHA".into(), "NOT-A-CIPHER".into()];
        let f = judge("tls.ciphers", &s, &world(&s));
        has(&f, "fe1.contoso.com @", Status::Pass, "accepts IM&P's cipher list");
        assert_eq!(f[0].detail.as_deref(), Some("not recognised, so not offered: NOT-A-CIPHER"));
        s.inventory.cisco.federation.tls_ciphers.clear();
        has(
            &judge("tls.ciphers", &s, &world(&s)),
            "fe1.contoso.com @",
            Status::Pass,
            "chose ECDHE-RSA-AES256-GCM-SHA384 from a broad offer",
        );
    }

    #[test]
    fn ciphers_fail_a_peer_that_refuses_every_offered_suite() {
        let s = clean();
        let mut snap = world(&s);
        snap.path1_suites = vec!["ECDHE-RSA-AES256-GCM-SHA384".into(), "AES128-SHA".into()];
        peer_mut(&mut snap, FE1).raw =
            Some(raw_failed(RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() }));
        let f = judge("tls.ciphers", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Fail, "refuses every suite IM&P offers (handshake_failure alert)");
        let detail = f.iter().find(|x| x.status == Status::Fail).and_then(|x| x.detail.clone());
        assert_eq!(detail.as_deref(), Some("offered: ECDHE-RSA-AES256-GCM-SHA384, AES128-SHA"));
    }

    #[test]
    fn ciphers_cannot_tell_without_an_answer_or_imps_list() {
        let mut s = clean();
        let mut snap = world(&s);
        peer_mut(&mut snap, FE1).raw = Some(raw_failed(RawError::ConnectRefused));
        peer_mut(&mut snap, FE2).raw =
            Some(raw_failed(RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() }));
        has(&judge("tls.ciphers", &s, &snap), "fe1.contoso.com @", Status::Skip, "cannot tell: the peer did not answer the ClientHello");
        // A refusal of the broad offer says nothing about IM&P's own list.
        s.inventory.cisco.federation.tls_ciphers.clear();
        has(&judge("tls.ciphers", &s, &snap), "fe2.contoso.com @", Status::Skip, "cannot tell: the peer did not answer the ClientHello");
    }

    #[test]
    fn mutual_passes_peers_that_ask_for_a_client_certificate() {
        let s = clean();
        let f = judge("tls.mutual", &s, &world(&s));
        all(&f, Status::Pass);
        has(&f, "imp-rt.contoso.com @", Status::Pass, "asks for a client certificate (mutual TLS)");
    }

    #[test]
    fn mutual_fails_a_peer_that_does_not_ask() {
        let s = clean();
        let mut snap = world(&s);
        let chain = vec![leaf(RT)];
        let p = peer_mut(&mut snap, RT);
        p.raw = Some(raw_with(TlsVersion::Tls12, &chain, false));
        if let Some(crate::snapshot::tls::TlsObservation {
            outcome: crate::snapshot::tls::TlsOutcome::Connected { client_cert_requested, .. },
            ..
        }) = p.tls.as_mut()
        {
            *client_cert_requested = false;
        }
        has(
            &judge("tls.mutual", &s, &snap),
            "imp-rt.contoso.com @",
            Status::Fail,
            "does not ask for a client certificate: federation needs mutual TLS",
        );
    }

    #[test]
    fn mutual_warns_when_the_peer_names_cas_imps_certificate_does_not_chain_to() {
        let mut s = clean();
        trust_both(&mut s, &[ca()]);
        s.evidence.cisco_cert = Some(vec![der(&leaf(RT))]);
        let mut snap = world(&s);
        if let Some(RawOutcome::Handshake(h)) = peer_mut(&mut snap, FE1).raw.as_mut().map(|r| &mut r.outcome) {
            h.acceptable_ca_names = vec!["CN=Fabrikam Root".into()];
        }
        let f = judge("tls.mutual", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Warn, "asks for a client certificate from CN=Fabrikam Root; IM&P's certificate chains to");
        has(&f, "fe2.contoso.com @", Status::Pass, "asks for a client certificate");
        // Naming IM&P's root among others is enough.
        if let Some(RawOutcome::Handshake(h)) = peer_mut(&mut snap, FE1).raw.as_mut().map(|r| &mut r.outcome) {
            h.acceptable_ca_names.push("O=fedcheck lab, CN=Contoso Root CA".into());
        }
        has(&judge("tls.mutual", &s, &snap), "fe1.contoso.com @", Status::Pass, "asks for a client certificate (mutual TLS)");
    }

    #[test]
    fn mutual_cannot_tell_when_no_handshake_got_far_enough() {
        let s = clean();
        let mut snap = world(&s);
        let p = peer_mut(&mut snap, FE1);
        p.raw = Some(raw_failed(RawError::Reset { after_bytes: 0 }));
        p.tls = Some(tls_failed(TlsFailure::Reset, "connection reset", false));
        has(&judge("tls.mutual", &s, &snap), "fe1.contoso.com @", Status::Skip, "cannot tell: no handshake got far enough");
    }
}
