//! certs.*: the certificates each peer serves, judged with the trust stores of the
//! side that has to accept them.

use super::support::{cert_evidence, each_peer, needs_tls, parsed_chain, relying_store, Side};
use crate::certinfo::{self, names_host, validity_at, CertInfo, KeyAlgorithm, NameMatch, Usage, Validity};
use crate::judge::{Check, Context, Finding, Rule};
use std::collections::BTreeSet;

/// The `certs.*` checks, judged on the chains the TLS probes captured: expiry,
/// identity, EKU, chain, common CA, cross-trust and key size.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::live("certs.expiry", needs_tls, expiry),
        Rule::live("certs.identity", needs_tls, identity),
        Rule::live("certs.eku", needs_tls, eku),
        Rule::live("certs.chain", needs_tls, chain),
        Rule::live("certs.common-ca", needs_tls, common_ca),
        Rule::live("certs.cross-trust", needs_tls, cross_trust),
        Rule::live("certs.key-size", needs_tls, key_size),
    ]
}

fn days(s: i64) -> i64 {
    s / 86_400
}

fn expiry(ctx: &Context<'_>) -> Vec<Finding> {
    let warn_days: i64 = match ctx.table("expiry_warn_days") {
        Ok(d) => d,
        Err(e) => return ctx.table_error(e),
    };
    let now = ctx.now.as_second();
    each_peer(ctx, |_, target, obs| {
        let parsed = parsed_chain(ctx, obs);
        let chain = match parsed.as_ref() {
            Ok(c) => c,
            Err(e) => return Some(ctx.skip(target, format!("cannot tell: {e}"))),
        };
        let mut worst: Option<Finding> = None;
        let mut soonest: Option<(i64, &CertInfo)> = None;
        for (_, info) in chain {
            let f = match validity_at(info, now) {
                Validity::Expired { since_s } => {
                    Some(ctx.fail(target, format!("certificate {} expired {} ({} days ago)", info.subject, info.not_after, days(since_s))))
                }
                Validity::NotYetValid { starts_in_s } => Some(ctx.fail(
                    target,
                    format!("certificate {} is not valid until {} (in {} days)", info.subject, info.not_before, days(starts_in_s).max(1)),
                )),
                Validity::Valid { remaining_s } => {
                    if soonest.is_none_or(|(r, _)| remaining_s < r) {
                        soonest = Some((remaining_s, info));
                    }
                    (days(remaining_s) < warn_days).then(|| {
                        ctx.warn(target, format!("certificate {} expires {} (in {} days)", info.subject, info.not_after, days(remaining_s)))
                    })
                }
            };
            if let Some(f) = f {
                let f = f.evidence(cert_evidence(info));
                if worst.as_ref().is_none_or(|w| f.status > w.status) {
                    worst = Some(f);
                }
            }
        }
        Some(worst.unwrap_or_else(|| {
            match soonest {
                Some((r, info)) => ctx
                    .pass(
                        target,
                        format!(
                            "{} valid; the first to expire is {} on {} ({} days)",
                            super::support::count(chain.len(), "certificate", "certificates"),
                            info.subject,
                            info.not_after,
                            days(r)
                        ),
                    )
                    .evidence(cert_evidence(info)),
                None => ctx.skip(target, "cannot tell: empty chain"),
            }
        }))
    })
}

fn identity(ctx: &Context<'_>) -> Vec<Finding> {
    let lb_name = routed_load_balancer(ctx);
    let routing: Vec<String> = ctx.inventory.routing_nodes().map(|n| n.fqdn.to_ascii_lowercase()).collect();
    each_peer(ctx, |peer, target, obs| {
        let parsed = parsed_chain(ctx, obs);
        let chain = match parsed.as_ref() {
            Ok(c) => c,
            Err(e) => return Some(ctx.skip(target, format!("cannot tell: {e}"))),
        };
        let Some((_, leaf)) = chain.first() else { return Some(ctx.skip(target, "cannot tell: empty chain")) };
        let f = match names_host(leaf, &peer.host) {
            NameMatch::BySan => ctx.pass(target, format!("certificate names {} in its SAN", peer.host)),
            NameMatch::ByCommonNameFallback => ctx
                .pass(target, format!("certificate names {} in its CN (it has no SAN)", peer.host))
                .detail("old-style certificate: modern clients ignore the CN; reissue with a SAN"),
            NameMatch::No { names } => ctx.violation(target, format!("certificate names {}, not {}", names.join(", "), peer.host)),
        };
        // A Microsoft route to the load balancer makes the front ends expect the
        // balancer's name on the routing node's certificate.
        let f = match (&lb_name, peer.side, f.status) {
            (Some(lb), Side::Cisco, crate::judge::Status::Pass)
                if routing.contains(&peer.host) && matches!(names_host(leaf, lb), NameMatch::No { .. }) =>
            {
                ctx.violation(
                    target,
                    format!("the Microsoft route targets the load balancer {lb}, but this routing node's certificate does not name it"),
                )
                .detail("add the load balancer FQDN to the certificate's SAN (IM&P cup certificate)")
            }
            _ => f,
        };
        Some(f.evidence(cert_evidence(leaf)))
    })
}

/// The load balancer's name when a Microsoft route for a shared domain targets it.
fn routed_load_balancer(ctx: &Context<'_>) -> Option<String> {
    let lb = ctx.inventory.network.load_balancer.as_ref()?;
    let routes = super::support::microsoft_routes(ctx)?;
    let shared = ctx.inventory.shared_domains();
    routes
        .iter()
        .any(|r| shared.iter().any(|d| r.covers(d)) && super::support::same_name(&r.destination, &lb.fqdn))
        .then(|| lb.fqdn.to_ascii_lowercase())
}

fn eku(ctx: &Context<'_>) -> Vec<Finding> {
    each_peer(ctx, |_, target, obs| {
        let parsed = parsed_chain(ctx, obs);
        let chain = match parsed.as_ref() {
            Ok(c) => c,
            Err(e) => return Some(ctx.skip(target, format!("cannot tell: {e}"))),
        };
        let Some((_, leaf)) = chain.first() else { return Some(ctx.skip(target, "cannot tell: empty chain")) };
        let has = |e: &str| !leaf.eku_present || leaf.eku.iter().any(|x| x == e);
        let f = match (has("serverAuth"), has("clientAuth")) {
            (true, true) => {
                ctx.pass(target, if leaf.eku_present { "server and client authentication EKUs present" } else { "no EKU restriction" })
            }
            (true, false) => {
                ctx.violation(target, "server authentication only: the certificate cannot act as the client side of mutual TLS")
            }
            (false, true) => ctx.violation(target, "client authentication only: the certificate cannot serve TLS"),
            (false, false) => ctx.violation(target, format!("neither server nor client authentication EKU ({})", leaf.eku.join(", "))),
        };
        Some(f.evidence(cert_evidence(leaf)))
    })
}

fn chain(ctx: &Context<'_>) -> Vec<Finding> {
    each_peer(ctx, |peer, target, obs| {
        let parsed = parsed_chain(ctx, obs);
        let chain = match parsed.as_ref() {
            Ok(c) => c,
            Err(e) => return Some(ctx.skip(target, format!("cannot tell: {e}"))),
        };
        let infos: Vec<CertInfo> = chain.iter().map(|(_, i)| i.clone()).collect();
        let shape = certinfo::chain_order(&infos, relying_store(ctx, peer.side));
        let subjects: Vec<&str> = infos.iter().map(|i| i.subject.as_str()).collect();
        let f = if shape.missing_intermediate {
            let last = infos.last().map(|i| (i.subject.as_str(), i.issuer.as_str())).unwrap_or(("?", "?"));
            ctx.violation(
                target,
                format!(
                    "the chain stops at {}: its issuer {} is neither sent nor in {}'s trust store",
                    last.0,
                    last.1,
                    if peer.side == Side::Microsoft { "IM&P" } else { "Microsoft" }
                ),
            )
            .detail("either an intermediate is not sent, or the issuing CA is not trusted (see certs.cross-trust)")
        } else if !shape.in_order {
            ctx.violation(target, "the certificates are not sent in order (leaf, then each issuer)")
        } else {
            let root = if shape.root_sent { ", root included" } else { "" };
            let f = ctx.pass(target, format!("{} in order{root}", super::support::count(infos.len(), "certificate", "certificates")));
            match relying_store(ctx, peer.side) {
                Some(_) => f,
                None => ctx.skip(target, format!("cannot tell whether an intermediate is missing: no trust store for the side that receives this chain ({} in order{root})", super::support::count(infos.len(), "certificate", "certificates"))),
            }
        };
        Some(f.detail(format!("sent: {}", subjects.join(" ← "))))
    })
}

/// The subject of the root that anchors a chain, against both sides' stores.
fn root_of(ctx: &Context<'_>, chain: &[Vec<u8>]) -> Option<String> {
    [ctx.evidence.cisco_trust.as_ref(), ctx.evidence.microsoft_trust.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|s| certinfo::issuing_root(chain, s))
}

fn common_ca(ctx: &Context<'_>) -> Vec<Finding> {
    if ctx.evidence.cisco_trust.is_none() && ctx.evidence.microsoft_trust.is_none() {
        return vec![
            ctx.skip("certificate authorities", "cannot tell: no trust store in the inventory ([cisco] / [microsoft] trust_store)")
        ];
    }
    let mut roots: [BTreeSet<String>; 2] = [BTreeSet::new(), BTreeSet::new()];
    let mut unknown: Vec<String> = Vec::new();
    let _ = each_peer(ctx, |peer, target, obs| {
        if let Ok(chain) = parsed_chain(ctx, obs).as_ref() {
            let ders: Vec<Vec<u8>> = chain.iter().map(|(d, _)| d.clone()).collect();
            match root_of(ctx, &ders) {
                Some(r) => {
                    roots[usize::from(peer.side == Side::Microsoft)].insert(r);
                }
                None => unknown.push(target.to_string()),
            }
        }
        None
    });
    if let Some(own) = &ctx.evidence.cisco_cert {
        if let Some(r) = root_of(ctx, own) {
            roots[0].insert(r);
        }
    }
    let [cisco, microsoft] = &roots;
    let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join("; ");
    let mut out = Vec::new();
    if cisco.is_empty() || microsoft.is_empty() {
        out.push(ctx.skip("certificate authorities", "cannot tell: no certificate of one side chains to a known root"));
    } else if cisco == microsoft && cisco.len() == 1 {
        out.push(ctx.pass("certificate authorities", format!("both sides use {}", list(cisco))));
    } else {
        out.push(
            ctx.violation(
                "certificate authorities",
                format!("IM&P certificates chain to {}; Microsoft certificates to {}", list(cisco), list(microsoft)),
            )
            .detail("different CAs work only when each side trusts the other's root"),
        );
    }
    if !unknown.is_empty() {
        out.push(ctx.info(
            "unknown roots",
            format!("chains of {} lead to no root in either trust store (see certs.cross-trust)", unknown.join(", ")),
        ));
    }
    out
}

fn cross_trust(ctx: &Context<'_>) -> Vec<Finding> {
    let now = ctx.now.as_second();
    let mut out = each_peer(ctx, |peer, target, obs| {
        let Some(store) = relying_store(ctx, peer.side) else {
            let key = if peer.side == Side::Microsoft { "[cisco] trust_store" } else { "[microsoft] trust_store" };
            return Some(ctx.skip(target, format!("cannot tell: no {key} to judge this chain with")));
        };
        let parsed = parsed_chain(ctx, obs);
        let chain = match parsed.as_ref() {
            Ok(c) => c,
            Err(e) => return Some(ctx.skip(target, format!("cannot tell: {e}"))),
        };
        let ders: Vec<Vec<u8>> = chain.iter().map(|(d, _)| d.clone()).collect();
        let judge_side = if peer.side == Side::Microsoft { "IM&P" } else { "Microsoft" };
        // Time is certs.expiry's business: judge trust as if the chain were current.
        let v = certinfo::verify_chain_ignoring_time(&ders, store, now, Usage::Server);
        Some(if v.trusted {
            ctx.pass(target, format!("{judge_side}'s trust store accepts this chain (root {})", v.anchor_subject.unwrap_or_default()))
        } else {
            ctx.violation(
                target,
                format!("{judge_side}'s trust store does not accept this chain: {}", v.error.unwrap_or_else(|| "unknown reason".into())),
            )
            .evidence(chain.first().map(|(_, i)| cert_evidence(i)).unwrap_or_default())
        })
    });
    // IM&P's own client certificate must be accepted by the Microsoft side too.
    if let (Some(own), Some(store)) = (&ctx.evidence.cisco_cert, ctx.evidence.microsoft_trust.as_ref()) {
        let v = certinfo::verify_chain_ignoring_time(own, store, now, Usage::Client);
        out.push(if v.trusted {
            ctx.pass("IM&P client certificate", "the Microsoft trust store accepts it as a client certificate")
        } else {
            ctx.violation(
                "IM&P client certificate",
                format!("the Microsoft trust store does not accept it: {}", v.error.unwrap_or_default()),
            )
        });
    }
    out
}

/// RSA keys below 2048 bits: Microsoft's minimum is 1024 and it recommends 2048; a
/// key under 1024 bits is below what either side accepts.
fn key_size(ctx: &Context<'_>) -> Vec<Finding> {
    each_peer(ctx, |_, target, obs| {
        let parsed = parsed_chain(ctx, obs);
        let chain = match parsed.as_ref() {
            Ok(c) => c,
            Err(e) => return Some(ctx.skip(target, format!("cannot tell: {e}"))),
        };
        let Some((_, leaf)) = chain.first() else { return Some(ctx.skip(target, "cannot tell: empty chain")) };
        let f = match &leaf.key_algorithm {
            KeyAlgorithm::Rsa { bits: Some(bits) } if *bits < 1024 => {
                ctx.fail(target, format!("RSA {bits}-bit key: below the 1024 bits Lync and Skype for Business accept"))
            }
            KeyAlgorithm::Rsa { bits: Some(bits) } if *bits < 2048 => {
                ctx.violation(target, format!("RSA {bits}-bit key: below the 2048 bits Microsoft recommends"))
            }
            KeyAlgorithm::Rsa { bits: Some(bits) } => ctx.pass(target, format!("RSA {bits}-bit key")),
            k @ KeyAlgorithm::Rsa { bits: None } => ctx.skip(target, format!("cannot tell: the key is {k}")),
            k => ctx.pass(target, format!("{k} key (not RSA; certs.eku and tls.ciphers judge whether it fits)")),
        };
        Some(f.evidence(cert_evidence(leaf)))
    })
}

#[cfg(test)]
mod tests {
    use crate::judge::Status;
    use crate::lab::pki::{Eku, LeafSpec};
    use crate::snapshot::raw::RawError;
    use crate::snapshot::tls::TlsFailure;
    use crate::testing::*;
    use time::{Duration, OffsetDateTime};

    const FE1: &str = "fe1.contoso.com";
    const RT: &str = "imp-rt.contoso.com";

    /// Certificates are minted relative to the real clock, so they are judged at it.
    fn judge_now(id: &str, s: &crate::inventory::Loaded, snap: &crate::snapshot::Snapshot) -> Vec<crate::judge::Finding> {
        judge_at(id, s, snap, real_now())
    }

    /// A snapshot where `host` serves `chain` and every other peer is healthy.
    fn serving(s: &crate::inventory::Loaded, host: &str, chain: Vec<String>) -> crate::snapshot::Snapshot {
        let mut snap = world(s);
        *peer_mut(&mut snap, host) = healthy(peer_mut(&mut snap, host).addr, host, &chain);
        snap
    }

    /// A snapshot where `host` accepted TCP but ended both TLS paths before sending a
    /// certificate (an unreachable peer is tls.handshake's root finding instead).
    fn silent(s: &crate::inventory::Loaded, host: &str) -> crate::snapshot::Snapshot {
        let mut snap = world(s);
        let p = peer_mut(&mut snap, host);
        p.raw = Some(raw_failed(RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() }));
        p.tls = Some(tls_failed(TlsFailure::Alert, "the peer ended the TLS handshake with alert handshake_failure", false));
        snap
    }

    #[test]
    fn live_certificate_checks_cannot_tell_offline() {
        for id in ["certs.expiry", "certs.identity", "certs.eku", "certs.chain", "certs.common-ca", "certs.cross-trust"] {
            has(&judge(id, &clean(), &offline()), "*", Status::Skip, "live probes not run (--offline)");
        }
    }

    #[test]
    fn expiry_passes_current_certificates() {
        let s = clean();
        let f = judge_now("certs.expiry", &s, &world(&s));
        all(&f, Status::Pass);
        assert_eq!(f.len(), 5);
        has(&f, "fe1.contoso.com @", Status::Pass, "1 certificate valid; the first to expire is O=fedcheck lab, CN=fe1.contoso.com");
    }

    #[test]
    fn expiry_fails_expired_or_future_and_warns_of_soon() {
        let s = clean();
        let now = OffsetDateTime::now_utc();
        let mut snap = serving(&s, FE1, vec![issue(ca(), &LeafSpec::new(FE1).expired(10))]);
        let soon = LeafSpec { not_after: now + Duration::days(10) + Duration::hours(12), ..LeafSpec::new("fe2.contoso.com") };
        *peer_mut(&mut snap, "fe2.contoso.com") =
            healthy(peer_mut(&mut snap, "fe2.contoso.com").addr, "fe2.contoso.com", &[issue(ca(), &soon)]);
        let future = LeafSpec { not_before: now + Duration::days(5), ..LeafSpec::new(RT) };
        *peer_mut(&mut snap, RT) = healthy(peer_mut(&mut snap, RT).addr, RT, &[issue(ca(), &future)]);
        let f = judge_now("certs.expiry", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Fail, "(10 days ago)");
        has(&f, "fe1.contoso.com @", Status::Fail, "certificate O=fedcheck lab, CN=fe1.contoso.com expired");
        has(&f, "fe2.contoso.com @", Status::Warn, "certificate O=fedcheck lab, CN=fe2.contoso.com expires");
        has(&f, "fe2.contoso.com @", Status::Warn, "(in 10 days)");
        has(&f, "imp-rt.contoso.com @", Status::Fail, "is not valid until");
        has(&f, "sfbpool.contoso.com @", Status::Pass, "valid");
    }

    #[test]
    fn expiry_judges_the_worst_certificate_of_the_chain() {
        let s = clean();
        let chain = vec![issue(issuing_ca(), &LeafSpec::new(FE1).expired(3)), issuing_ca().cert_pem()];
        let f = judge_now("certs.expiry", &s, &serving(&s, FE1, chain));
        has(&f, "fe1.contoso.com @", Status::Fail, "expired");
    }

    #[test]
    fn expiry_cannot_tell_without_a_chain() {
        let s = clean();
        let f = judge_now("certs.expiry", &s, &silent(&s, FE1));
        has(&f, "fe1.contoso.com @", Status::Skip, "cannot tell: no certificate was captured from this peer (see tls.handshake)");
    }

    #[test]
    fn identity_passes_a_san_or_an_old_cn_only_certificate() {
        let s = clean();
        let cn_only = LeafSpec { sans: Vec::new(), ..LeafSpec::new(FE1) };
        let f = judge_now("certs.identity", &s, &serving(&s, FE1, vec![issue(ca(), &cn_only)]));
        all(&f, Status::Pass);
        has(&f, "fe2.contoso.com @", Status::Pass, "certificate names fe2.contoso.com in its SAN");
        has(&f, "fe1.contoso.com @", Status::Pass, "certificate names fe1.contoso.com in its CN (it has no SAN)");
    }

    #[test]
    fn identity_fails_a_certificate_for_another_name() {
        let s = clean();
        let f = judge_now("certs.identity", &s, &serving(&s, FE1, vec![leaf("fe2.contoso.com")]));
        has(&f, "fe1.contoso.com @", Status::Fail, "certificate names fe2.contoso.com, not fe1.contoso.com");
    }

    #[test]
    fn identity_fails_a_routing_node_certificate_without_the_load_balancer_name() {
        let mut s = clean();
        s.inventory.network.load_balancer = Some(crate::inventory::LoadBalancer { fqdn: "lb.contoso.com".into(), hardware: Some(true) });
        s.inventory.microsoft.static_routes[0].destination = "lb.contoso.com".into();
        let f = judge_now("certs.identity", &s, &world(&s));
        has(
            &f,
            "imp-rt.contoso.com @",
            Status::Fail,
            "the Microsoft route targets the load balancer lb.contoso.com, but this routing node's certificate does not name it",
        );
        let both = LeafSpec { sans: vec![RT.into(), "lb.contoso.com".into()], ..LeafSpec::new(RT) };
        let f = judge_now("certs.identity", &s, &serving(&s, RT, vec![issue(ca(), &both)]));
        has(&f, "imp-rt.contoso.com @", Status::Pass, "in its SAN");
    }

    #[test]
    fn identity_cannot_tell_without_a_chain() {
        let s = clean();
        has(
            &judge_now("certs.identity", &s, &silent(&s, FE1)),
            "fe1.contoso.com @",
            Status::Skip,
            "cannot tell: no certificate was captured",
        );
    }

    #[test]
    fn eku_passes_both_usages_or_no_restriction() {
        let s = clean();
        let f = judge_now("certs.eku", &s, &serving(&s, FE1, vec![issue(ca(), &spec_eku(FE1, Eku::None))]));
        all(&f, Status::Pass);
        has(&f, "fe2.contoso.com @", Status::Pass, "server and client authentication EKUs present");
        has(&f, "fe1.contoso.com @", Status::Pass, "no EKU restriction");
    }

    #[test]
    fn eku_fails_a_single_usage() {
        let s = clean();
        let mut snap = serving(&s, FE1, vec![issue(ca(), &spec_eku(FE1, Eku::ServerOnly))]);
        let fe2 = "fe2.contoso.com";
        *peer_mut(&mut snap, fe2) = healthy(peer_mut(&mut snap, fe2).addr, fe2, &[issue(ca(), &spec_eku(fe2, Eku::ClientOnly))]);
        let f = judge_now("certs.eku", &s, &snap);
        has(
            &f,
            "fe1.contoso.com @",
            Status::Fail,
            "server authentication only: the certificate cannot act as the client side of mutual TLS",
        );
        has(&f, "fe2.contoso.com @", Status::Fail, "client authentication only: the certificate cannot serve TLS");
    }

    #[test]
    fn eku_cannot_tell_without_a_chain() {
        let s = clean();
        has(&judge_now("certs.eku", &s, &silent(&s, FE1)), "fe1.contoso.com @", Status::Skip, "cannot tell: no certificate was captured");
    }

    fn issued_chain(host: &str) -> Vec<String> {
        vec![issue(issuing_ca(), &LeafSpec::new(host)), issuing_ca().cert_pem()]
    }

    #[test]
    fn chain_passes_intermediates_sent_in_order() {
        let mut s = clean();
        trust_both(&mut s, &[ca()]);
        let snap = world_with(&s, |p| if is_microsoft(p) { issued_chain(&p.host) } else { vec![leaf(&p.host)] });
        let f = judge_now("certs.chain", &s, &snap);
        all(&f, Status::Pass);
        has(&f, "fe1.contoso.com @", Status::Pass, "2 certificates in order");
        has(&f, "imp-rt.contoso.com @", Status::Pass, "1 certificate in order");
        let mut with_root = issued_chain(FE1);
        with_root.push(ca().cert_pem());
        has(
            &judge_now("certs.chain", &s, &serving(&s, FE1, with_root)),
            "fe1.contoso.com @",
            Status::Pass,
            "3 certificates in order, root included",
        );
    }

    #[test]
    fn chain_warns_of_a_missing_intermediate_or_a_wrong_order() {
        let mut s = clean();
        trust_both(&mut s, &[ca()]);
        let mut snap = serving(&s, FE1, vec![issue(issuing_ca(), &LeafSpec::new(FE1))]);
        let mut reversed = issued_chain(RT);
        reversed.reverse();
        *peer_mut(&mut snap, RT) = healthy(peer_mut(&mut snap, RT).addr, RT, &reversed);
        let f = judge_now("certs.chain", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Warn, "the chain stops at O=fedcheck lab, CN=fe1.contoso.com: its issuer O=fedcheck lab, CN=Contoso Issuing CA is neither sent nor in IM&P's trust store");
        has(&f, "imp-rt.contoso.com @", Status::Warn, "the certificates are not sent in order (leaf, then each issuer)");
    }

    #[test]
    fn chain_cannot_tell_without_a_trust_store_or_a_chain() {
        let s = clean();
        let f = judge_now("certs.chain", &s, &silent(&s, FE1));
        has(
            &f,
            "fe2.contoso.com @",
            Status::Skip,
            "cannot tell whether an intermediate is missing: no trust store for the side that receives this chain (1 certificate in order)",
        );
        has(&f, "fe1.contoso.com @", Status::Skip, "cannot tell: no certificate was captured");
    }

    #[test]
    fn common_ca_passes_one_ca_for_both_sides() {
        let mut s = clean();
        trust_both(&mut s, &[ca(), other_ca()]);
        let f = judge_now("certs.common-ca", &s, &world(&s));
        has(&f, "certificate authorities", Status::Pass, "both sides use O=fedcheck lab, CN=Contoso Root CA");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn common_ca_warns_of_different_cas_and_informs_of_unknown_roots() {
        let mut s = clean();
        trust_both(&mut s, &[ca(), other_ca()]);
        let snap = world_with(&s, |p| if is_microsoft(p) { vec![leaf(&p.host)] } else { vec![issue(other_ca(), &LeafSpec::new(&p.host))] });
        let f = judge_now("certs.common-ca", &s, &snap);
        has(
            &f,
            "certificate authorities",
            Status::Warn,
            "IM&P certificates chain to O=fedcheck lab, CN=Other Root CA; Microsoft certificates to O=fedcheck lab, CN=Contoso Root CA",
        );
        trust_both(&mut s, &[ca()]);
        let snap = serving(&s, FE1, vec![issue(other_ca(), &LeafSpec::new(FE1))]);
        let f = judge_now("certs.common-ca", &s, &snap);
        has(&f, "certificate authorities", Status::Pass, "both sides use");
        has(&f, "unknown roots", Status::Info, "chains of fe1.contoso.com @ 10.0.0.");
    }

    #[test]
    fn common_ca_cannot_tell_without_trust_stores_or_known_roots() {
        let mut s = clean();
        has(
            &judge_now("certs.common-ca", &s, &world(&s)),
            "certificate authorities",
            Status::Skip,
            "cannot tell: no trust store in the inventory",
        );
        trust_both(&mut s, &[ca()]);
        let snap = world_with(&s, |p| if is_microsoft(p) { vec![leaf(&p.host)] } else { vec![issue(other_ca(), &LeafSpec::new(&p.host))] });
        has(
            &judge_now("certs.common-ca", &s, &snap),
            "certificate authorities",
            Status::Skip,
            "cannot tell: no certificate of one side chains to a known root",
        );
    }

    #[test]
    fn cross_trust_passes_chains_the_other_side_trusts() {
        let mut s = clean();
        trust_both(&mut s, &[ca()]);
        s.evidence.cisco_cert = Some(vec![der(&leaf(RT))]);
        let f = judge_now("certs.cross-trust", &s, &world(&s));
        all(&f, Status::Pass);
        has(&f, "fe1.contoso.com @", Status::Pass, "IM&P's trust store accepts this chain (root O=fedcheck lab, CN=Contoso Root CA)");
        has(&f, "imp-rt.contoso.com @", Status::Pass, "Microsoft's trust store accepts this chain");
        has(&f, "IM&P client certificate", Status::Pass, "the Microsoft trust store accepts it as a client certificate");
    }

    #[test]
    fn cross_trust_fails_chains_the_other_side_does_not_trust() {
        let mut s = clean();
        s.evidence.cisco_trust = Some(store(&[other_ca()]));
        s.evidence.microsoft_trust = Some(store(&[ca()]));
        s.evidence.cisco_cert = Some(vec![der(&issue(ca(), &spec_eku(RT, Eku::ServerOnly)))]);
        let f = judge_now("certs.cross-trust", &s, &world(&s));
        has(&f, "fe1.contoso.com @", Status::Fail, "IM&P's trust store does not accept this chain:");
        has(&f, "imp-rt.contoso.com @", Status::Pass, "Microsoft's trust store accepts");
        has(&f, "IM&P client certificate", Status::Fail, "the Microsoft trust store does not accept it");
    }

    #[test]
    fn cross_trust_cannot_tell_without_a_store_or_a_chain() {
        let mut s = clean();
        let f = judge_now("certs.cross-trust", &s, &world(&s));
        has(&f, "fe1.contoso.com @", Status::Skip, "cannot tell: no [cisco] trust_store to judge this chain with");
        has(&f, "imp-rt.contoso.com @", Status::Skip, "cannot tell: no [microsoft] trust_store to judge this chain with");
        trust_both(&mut s, &[ca()]);
        has(
            &judge_now("certs.cross-trust", &s, &silent(&s, FE1)),
            "fe1.contoso.com @",
            Status::Skip,
            "cannot tell: no certificate was captured",
        );
    }

    #[test]
    fn key_size_passes_2048_bit_keys() {
        let s = clean();
        let f = judge_now("certs.key-size", &s, &world(&s));
        all(&f, Status::Pass);
        has(&f, "fe1.contoso.com @", Status::Pass, "RSA 2048-bit key");
    }

    #[test]
    fn key_size_warns_below_2048_bits() {
        let s = clean();
        let small = include_str!("fixtures/rsa1024-fe1.pem").to_string();
        let f = judge_now("certs.key-size", &s, &serving(&s, FE1, vec![small]));
        has(&f, "fe1.contoso.com @", Status::Warn, "RSA 1024-bit key: below the 2048 bits Microsoft recommends");
        has(&f, "fe2.contoso.com @", Status::Pass, "RSA 2048-bit key");
        assert_eq!(crate::certinfo::KeyAlgorithm::from("RSA 512".to_string()), crate::certinfo::KeyAlgorithm::Rsa { bits: Some(512) });
        assert!(matches!(crate::certinfo::KeyAlgorithm::from("EC P-256".to_string()), crate::certinfo::KeyAlgorithm::Ec { .. }));
    }

    #[test]
    fn key_size_cannot_tell_without_a_chain() {
        let s = clean();
        has(
            &judge_now("certs.key-size", &s, &silent(&s, FE1)),
            "fe1.contoso.com @",
            Status::Skip,
            "cannot tell: no certificate was captured",
        );
        has(&judge_now("certs.key-size", &s, &offline()), "*", Status::Skip, "live probes not run");
    }
}
