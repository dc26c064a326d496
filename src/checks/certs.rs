//! certs.*: the certificates each peer serves, judged with the trust stores of the
//! side that has to accept them.

use super::support::{cert_evidence, each_peer, needs_tls, parsed_chain, relying_store, Side};
use crate::certinfo::{self, names_host, validity_at, CertInfo, NameMatch, Usage, Validity};
use crate::judge::{Check, Context, Finding, Rule};
use std::collections::BTreeSet;

pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::live("certs.expiry", needs_tls, expiry),
        Rule::live("certs.identity", needs_tls, identity),
        Rule::live("certs.eku", needs_tls, eku),
        Rule::live("certs.chain", needs_tls, chain),
        Rule::live("certs.common-ca", needs_tls, common_ca),
        Rule::live("certs.cross-trust", needs_tls, cross_trust),
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
