//! dns.*: forward and reverse records as each side's resolvers answer them.

use super::support::{count, dns_names, needs_dns};
use crate::judge::{Check, Context, Finding, Rule};
use crate::snapshot::dns::{DnsObservation, DnsOutcome, Rcode, RecordType};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};

/// The `dns.*` checks, judged on the DNS observations: resolvers, forward records,
/// reverse records and agreement.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::live("dns.resolvers", needs_dns, resolvers),
        Rule::live("dns.forward", needs_dns, forward),
        Rule::live("dns.reverse", needs_dns, reverse),
        Rule::live("dns.agreement", needs_dns, agreement),
    ]
}

fn records(o: &DnsObservation) -> Option<&[String]> {
    match &o.outcome {
        DnsOutcome::Answer { rcode: Rcode::NoError, records, .. } => Some(records),
        _ => None,
    }
}

/// Per-server answers as evidence: "10.1.1.10:53" → "A 10.0.0.5, 10.0.0.6" etc.
fn evidence(obs: &[&DnsObservation]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for o in obs {
        out.entry(o.query.server.to_string()).or_default().push(format!("{} {}", o.query.rtype, o.describe()));
    }
    out
}

/// Resolvers that were asked and never answered anything (every question timed out
/// or failed): their silence is one root cause, judged by `dns.resolvers`, not a
/// missing record in every name they were asked about.
fn silent_resolvers<'a>(ctx: &'a Context<'_>) -> &'a BTreeSet<SocketAddr> {
    // Indexed once per run: reverse_one asks for every (name, address).
    ctx.index.silent_resolvers()
}

/// A resolver's stable name: its side and place in the inventory, not its address.
fn resolver_label(ctx: &Context<'_>, server: SocketAddr) -> String {
    let r = &ctx.snapshot.resolvers;
    if let Some(i) = r.imp.iter().position(|s| *s == server) {
        format!("imp resolver {}", i + 1)
    } else if let Some(i) = r.microsoft.iter().position(|s| *s == server) {
        format!("microsoft resolver {}", i + 1)
    } else {
        let i = ctx.snapshot.resolvers.all().len() + 1;
        format!("system resolver {i}")
    }
}

/// How to ask this resolver by hand, from a Linux and a Windows host.
fn how_to_test(server: SocketAddr, name: &str) -> String {
    let port = if server.port() == 53 { String::new() } else { format!(" -p {}", server.port()) };
    format!("`dig @{}{port} {name}` (on Windows: `Resolve-DnsName {name} -Server {}`)", server.ip(), server.ip())
}

fn resolvers(ctx: &Context<'_>) -> Vec<Finding> {
    let silent = silent_resolvers(ctx);
    let mut servers: Vec<SocketAddr> = ctx.snapshot.resolvers.all();
    for o in &ctx.snapshot.dns {
        if !servers.contains(&o.query.server) {
            servers.push(o.query.server);
        }
    }
    let mut out = Vec::new();
    for server in servers {
        let asked: Vec<&DnsObservation> = ctx.snapshot.dns.iter().filter(|o| o.query.server == server).collect();
        let target = format!("{} ({server})", resolver_label(ctx, server));
        let id = resolver_label(ctx, server);
        if asked.is_empty() {
            out.push(ctx.skip(target, "cannot tell: this resolver was not asked anything").target_id(id));
            continue;
        }
        let example = asked.iter().find(|o| o.query.rtype != RecordType::Ptr).unwrap_or(&asked[0]).query.name.clone();
        if silent.contains(&server) {
            let waited: u64 = asked
                .iter()
                .map(|o| match o.outcome {
                    DnsOutcome::Timeout { after_ms } => after_ms,
                    _ => o.elapsed_ms,
                })
                .max()
                .unwrap_or(0);
            let errors: BTreeSet<String> = asked
                .iter()
                .filter_map(|o| match &o.outcome {
                    DnsOutcome::Error { message } => Some(message.clone()),
                    _ => None,
                })
                .collect();
            let how = if errors.is_empty() {
                format!("no answer to any of {} questions, each tried for {waited} ms", asked.len())
            } else {
                format!("no answer to any of {} questions ({})", asked.len(), errors.into_iter().take(2).collect::<Vec<_>>().join("; "))
            };
            out.push(
                ctx.violation(target, format!("{server} never answered: {how}"))
                    .detail(format!(
                        "The DNS checks of every name asked there cannot tell until it answers. Test it by hand: {}",
                        how_to_test(server, &example)
                    ))
                    .evidence(serde_json::json!({ "server": server.to_string(), "questions": asked.len(), "waited_ms": waited }))
                    .target_id(id),
            );
        } else {
            let answered = asked.iter().filter(|o| matches!(o.outcome, DnsOutcome::Answer { .. })).count();
            out.push(
                ctx.pass(target, format!("answered {answered} of {} questions", asked.len()))
                    .evidence(serde_json::json!({ "server": server.to_string(), "questions": asked.len(), "answered": answered }))
                    .target_id(id),
            );
        }
    }
    if out.is_empty() {
        out.push(ctx.skip("resolvers", "cannot tell: no DNS question was asked"));
    }
    out
}

/// The observations made at resolvers that answer at all.
fn heard<'a>(list: &[&'a DnsObservation], silent: &BTreeSet<SocketAddr>) -> Vec<&'a DnsObservation> {
    list.iter().copied().filter(|o| !silent.contains(&o.query.server)).collect()
}

fn forward(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let silent = silent_resolvers(ctx);
    dns_names(inv, ctx.evidence)
        .into_iter()
        .map(|name| {
            let asked_a = ctx.index.dns_answers(&name, RecordType::A);
            let a = heard(asked_a, silent);
            let aaaa = heard(ctx.index.dns_answers(&name, RecordType::Aaaa), silent);
            let all: Vec<&DnsObservation> = a.iter().chain(aaaa.iter()).copied().collect();
            if asked_a.is_empty() {
                return ctx.skip(name.as_str(), "cannot tell: no lookup was made for this name");
            }
            if a.is_empty() {
                return ctx.skip(name.as_str(), "cannot tell: no resolver asked about it answered (see dns.resolvers)");
            }
            // The integration needs A records (IPv4); an AAAA alone does not do.
            let mut bad = Vec::new();
            for o in a.iter().copied() {
                let v6 = aaaa.iter().find(|x| x.query.server == o.query.server).and_then(|x| records(x)).is_some_and(|r| !r.is_empty());
                match records(o) {
                    Some(r) if !r.is_empty() => {}
                    Some(_) if v6 => bad.push(format!("{} has only an AAAA record for it, no A record", o.query.server)),
                    Some(_) => bad.push(format!("{} has no A record for it", o.query.server)),
                    None => bad.push(o.describe()),
                }
            }
            let addrs = ctx.index.addresses(&name);
            let declared = inv.cisco.nodes.iter().find(|n| n.fqdn.eq_ignore_ascii_case(&name)).and_then(|n| n.ip);
            let list = addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
            let f = if !bad.is_empty() {
                ctx.violation(name.as_str(), format!("does not resolve everywhere: {}", bad.join("; ")))
            } else if let Some(ip) = declared.filter(|ip| !addrs.contains(ip)) {
                ctx.violation(name.as_str(), format!("resolves to {list}, but the inventory expects {ip}"))
            } else {
                ctx.pass(name.as_str(), format!("resolves to {list} at {}", count(a.len(), "resolver", "resolvers")))
            };
            f.evidence(evidence(&all))
        })
        .collect()
}

fn reverse(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    // Answers too long to follow whole: said once each, not silently dropped.
    for line in &ctx.snapshot.fanout_capped {
        out.push(
            ctx.info("dns fan-out", format!("not every record was followed: {line}"))
                .detail("an answer with this many records is a broken or hostile resolver; the records past the cap were neither reverse-resolved nor probed"),
        );
    }
    let names = dns_names(ctx.inventory, ctx.evidence);
    let known: std::collections::HashSet<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    for name in &names {
        let addrs = ctx.index.addresses(name);
        if addrs.is_empty() {
            out.push(ctx.skip(name.as_str(), "cannot tell: the name has no address (see dns.forward)"));
            continue;
        }
        for addr in addrs {
            out.push(reverse_one(ctx, name, *addr, &known));
        }
    }
    out
}

fn reverse_one(ctx: &Context<'_>, name: &str, addr: IpAddr, inventory_names: &std::collections::HashSet<String>) -> Finding {
    let target = format!("{name} ({addr})");
    let silent = silent_resolvers(ctx);
    let asked = ctx.index.dns_answers(&addr.to_string(), RecordType::Ptr);
    if asked.is_empty() {
        return ctx.skip(target, "cannot tell: no reverse lookup was made");
    }
    let ptrs: Vec<&DnsObservation> = asked.iter().copied().filter(|o| !silent.contains(&o.query.server)).collect();
    if ptrs.is_empty() {
        return ctx.skip(target, "cannot tell: no resolver asked about it answered (see dns.resolvers)");
    }
    let mut problems = Vec::new();
    for o in ptrs.iter().copied() {
        match records(o) {
            None => problems.push(format!("{} gives no PTR ({})", o.query.server, o.describe())),
            Some([]) => problems.push(format!("{} has no PTR record", o.query.server)),
            Some(names) => {
                // A pool name shares its front ends' addresses; their PTRs name the
                // front ends. A PTR naming another inventory host at this address is
                // right too.
                let Some(ptr) = names
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(name))
                    .or_else(|| names.iter().find(|n| inventory_names.contains(&n.to_ascii_lowercase())))
                else {
                    problems.push(format!("{} maps {addr} to {}, not {name}", o.query.server, names.join(", ")));
                    continue;
                };
                // Forward-confirmed: the PTR name must resolve back to this address.
                let back: Vec<IpAddr> = ctx
                    .index
                    .dns_answers(ptr, RecordType::A)
                    .iter()
                    .chain(ctx.index.dns_answers(ptr, RecordType::Aaaa).iter())
                    .filter(|x| x.query.server == o.query.server)
                    .filter_map(|x| records(x))
                    .flatten()
                    .filter_map(|r| r.parse().ok())
                    .collect();
                if !back.contains(&addr) {
                    problems.push(format!("{} names {ptr} for {addr}, but {ptr} does not resolve back to it there", o.query.server));
                }
            }
        }
    }
    let f = if problems.is_empty() {
        ctx.pass(target, format!("PTR maps back to {name} at {}", count(ptrs.len(), "resolver", "resolvers")))
    } else {
        ctx.violation(target, problems.join("; ")).detail("IM&P's ACL check and call setup stall on addresses without a matching PTR")
    };
    f.evidence(evidence(&ptrs))
}

fn agreement(ctx: &Context<'_>) -> Vec<Finding> {
    let silent = silent_resolvers(ctx);
    let servers = ctx.snapshot.resolvers.all();
    if servers.len() < 2 {
        return vec![ctx.skip("resolvers", "cannot tell: only one resolver was asked")];
    }
    if servers.iter().filter(|s| !silent.contains(s)).count() < 2 {
        return vec![ctx.skip("resolvers", "cannot tell: fewer than two resolvers answered (see dns.resolvers)")];
    }
    dns_names(ctx.inventory, ctx.evidence)
        .into_iter()
        .map(|name| {
            let mut by_server: BTreeMap<String, String> = BTreeMap::new();
            for rtype in [RecordType::A, RecordType::Aaaa] {
                for o in ctx.index.dns_answers(&name, rtype).iter().filter(|o| !silent.contains(&o.query.server)) {
                    let text = match &o.outcome {
                        DnsOutcome::Answer { rcode: Rcode::NoError, records, .. } => records.join(","),
                        DnsOutcome::Answer { rcode, .. } => rcode.to_string().to_uppercase(),
                        DnsOutcome::Timeout { .. } => "no answer".into(),
                        DnsOutcome::Error { .. } => "error".into(),
                    };
                    let e = by_server.entry(o.query.server.to_string()).or_default();
                    if !text.is_empty() {
                        if !e.is_empty() {
                            e.push(' ');
                        }
                        e.push_str(&text);
                    }
                }
            }
            let mut distinct: Vec<&String> = by_server.values().collect();
            distinct.sort();
            distinct.dedup();
            if by_server.is_empty() {
                ctx.skip(name.as_str(), "cannot tell: no lookup was made for this name")
            } else if by_server.len() == 1 {
                ctx.skip(name.as_str(), "cannot tell: only one resolver answered for this name, nothing to compare")
            } else if distinct.len() == 1 {
                ctx.pass(name.as_str(), format!("{} resolvers agree", by_server.len()))
            } else {
                let each: Vec<String> =
                    by_server.iter().map(|(s, a)| format!("{s} says {}", if a.is_empty() { "nothing" } else { a })).collect();
                ctx.violation(name.as_str(), format!("resolvers disagree: {}", each.join("; "))).evidence(&by_server)
            }
        })
        .collect()
}

#[cfg(test)]
mod root_cause_tests {
    //! A silent resolver and an unreachable peer: one root finding each, the
    //! checks that depend on them say they cannot tell.
    use crate::judge::{judge_one, Finding, Status};
    use crate::snapshot::dns::{DnsObservation, DnsOutcome, DnsQuery, Rcode, RecordType};
    use crate::snapshot::raw::{RawError, RawObservation, RawOutcome};
    use crate::snapshot::tls::{TlsFailure, TlsObservation, TlsOutcome};
    use crate::snapshot::{PeerObservation, Snapshot};
    use std::net::SocketAddr;

    const GOOD: &str = "192.0.2.53:53";
    const DEAD: &str = "192.0.2.54:53";

    fn loaded() -> crate::inventory::Loaded {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/clean/site.toml");
        crate::inventory::load(&path).expect("clean example loads")
    }

    fn sock(s: &str) -> SocketAddr {
        s.parse().expect("socket address")
    }

    fn obs(server: &str, name: &str, rtype: RecordType, outcome: DnsOutcome) -> DnsObservation {
        DnsObservation { query: DnsQuery { server: sock(server), name: name.into(), rtype }, elapsed_ms: 3, outcome }
    }

    /// Every name of the site asked at `servers`; `dead` never answers.
    fn snapshot(loaded: &crate::inventory::Loaded, servers: &[&str]) -> Snapshot {
        let mut snap = Snapshot::offline("2026-11-25T12:00:00Z".into());
        snap.live = true;
        snap.not_live_reason = None;
        snap.resolvers.imp = servers.iter().map(|s| sock(s)).collect();
        for (i, name) in super::dns_names(&loaded.inventory, &loaded.evidence).iter().enumerate() {
            for server in servers {
                let (a, aaaa) = if *server == DEAD {
                    (DnsOutcome::Timeout { after_ms: 2000 }, DnsOutcome::Timeout { after_ms: 2000 })
                } else {
                    let ip = format!("192.0.2.{}", 10 + i);
                    (
                        DnsOutcome::Answer { rcode: Rcode::NoError, authoritative: true, records: vec![ip] },
                        DnsOutcome::Answer { rcode: Rcode::NoError, authoritative: true, records: vec![] },
                    )
                };
                snap.dns.push(obs(server, name, RecordType::A, a));
                snap.dns.push(obs(server, name, RecordType::Aaaa, aaaa));
            }
        }
        snap
    }

    fn check(id: &str) -> Box<dyn crate::judge::Check> {
        crate::checks::registry().into_iter().find(|c| c.id() == id).expect("registered")
    }

    fn judge(id: &str, loaded: &crate::inventory::Loaded, snap: &Snapshot) -> Vec<Finding> {
        judge_one(check(id).as_ref(), loaded, snap, jiff::Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn a_silent_resolver_is_one_fail_and_records_are_not_blamed() {
        let loaded = loaded();
        let snap = snapshot(&loaded, &[DEAD]);
        let root = judge("dns.resolvers", &loaded, &snap);
        assert_eq!(root.len(), 1, "{root:#?}");
        let f = &root[0];
        assert_eq!(f.status, Status::Fail);
        assert!(f.summary.contains("192.0.2.54:53 never answered") && f.summary.contains("2000 ms"), "{}", f.summary);
        assert!(f.detail.as_deref().unwrap_or("").contains("dig @192.0.2.54 "), "{:?}", f.detail);
        assert_eq!(f.target_id, "imp resolver 1");
        for id in ["dns.forward", "dns.reverse"] {
            let out = judge(id, &loaded, &snap);
            assert!(!out.is_empty());
            assert!(out.iter().all(|f| f.status == Status::Skip), "{id}: {out:#?}");
            assert!(out.iter().all(|f| f.summary.starts_with("cannot tell")), "{id}: {out:#?}");
        }
    }

    #[test]
    fn a_silent_resolver_beside_a_good_one_does_not_hide_the_answers() {
        let loaded = loaded();
        let snap = snapshot(&loaded, &[GOOD, DEAD]);
        let root = judge("dns.resolvers", &loaded, &snap);
        let status = |id: &str| root.iter().find(|f| f.target_id == id).map(|f| f.status);
        assert_eq!(status("imp resolver 1"), Some(Status::Pass));
        assert_eq!(status("imp resolver 2"), Some(Status::Fail));
        let fwd = judge("dns.forward", &loaded, &snap);
        assert!(fwd.iter().all(|f| f.status == Status::Pass), "{fwd:#?}");
        let agree = judge("dns.agreement", &loaded, &snap);
        assert!(agree.iter().all(|f| f.status == Status::Skip && f.summary.contains("dns.resolvers")), "{agree:#?}");
    }

    #[test]
    fn a_peer_unreachable_at_tcp_level_is_one_root_finding() {
        let loaded = loaded();
        let mut snap = snapshot(&loaded, &[GOOD]);
        let refused = |server_name: &str, addr: SocketAddr| PeerObservation {
            addr,
            server_name: server_name.into(),
            raw: Some(RawObservation { elapsed_ms: 1, outcome: RawOutcome::Failed(RawError::ConnectRefused), partial: None }),
            tls: Some(TlsObservation {
                elapsed_ms: 1,
                outcome: TlsOutcome::Failed {
                    kind: TlsFailure::ConnectRefused,
                    message: "connection refused".into(),
                    chain_pem: Vec::new(),
                    client_cert_requested: false,
                },
            }),
            sip: None,
            not_run: None,
        };
        let index = crate::snapshot::SnapshotIndex::new(&snap);
        let mut peers = Vec::new();
        for p in super::super::support::tls_peers(&loaded.inventory) {
            for ip in index.addresses(&p.host) {
                peers.push(refused(&p.host, SocketAddr::new(*ip, p.port)));
            }
        }
        drop(index);
        assert!(!peers.is_empty());
        snap.peers = peers;
        let root = judge("tls.handshake", &loaded, &snap);
        assert!(root.iter().all(|f| f.status == Status::Fail && f.summary.contains("refused, on both probes")), "{root:#?}");
        assert!(root.iter().all(|f| f.detail.as_deref().unwrap_or("").contains("nc -vz")), "{root:#?}");
        for id in ["tls.protocol", "tls.mutual", "certs.expiry", "certs.identity", "sip.options", "imp.peer-subjects"] {
            let out = judge(id, &loaded, &snap);
            assert!(out.iter().all(|f| f.status == Status::Skip && f.summary.contains("see tls.handshake")), "{id}: {out:#?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;

    #[test]
    fn reverse_says_when_answers_were_too_long_to_follow() {
        let s = clean();
        let mut snap = clean_dns(&s);
        snap.fanout_capped = vec!["A fe1.contoso.com @10.1.1.10:53: 1000 records, the first 16 followed".into()];
        let f = judge("dns.reverse", &s, &snap);
        has(&f, "dns fan-out", Status::Info, "not every record was followed: A fe1.contoso.com @10.1.1.10:53: 1000 records");
        let f = judge("dns.reverse", &s, &clean_dns(&s));
        assert!(f.iter().all(|f| f.target != "dns fan-out"));
    }
    use crate::judge::Status;
    use crate::snapshot::dns::{DnsOutcome, Rcode, RecordType};

    const FE1: &str = "fe1.contoso.com";

    #[test]
    fn live_dns_checks_cannot_tell_offline() {
        for id in ["dns.forward", "dns.reverse", "dns.agreement"] {
            let f = judge(id, &clean(), &offline());
            has(&f, "*", Status::Skip, "live probes not run (--offline)");
            assert_eq!(f.len(), 1, "{id}");
        }
    }

    #[test]
    fn forward_passes_names_that_resolve_at_every_resolver() {
        let s = clean();
        let f = judge("dns.forward", &s, &clean_dns(&s));
        all(&f, Status::Pass);
        assert_eq!(f.len(), 5, "two IM&P nodes, the pool and two front ends");
        has(&f, FE1, Status::Pass, &format!("resolves to {} at 2 resolvers", addr_of(&s, FE1)));
        has(&f, "imp1.contoso.com", Status::Pass, "at 2 resolvers");
        no_target(&f, "cucm-pub");
    }

    #[test]
    fn forward_fails_a_name_one_resolver_does_not_know() {
        let s = clean();
        let mut snap = clean_dns(&s);
        dns(&mut snap, MS_DNS, FE1, RecordType::A, rcode(Rcode::NXDomain));
        dns(&mut snap, MS_DNS, "fe2.contoso.com", RecordType::A, answer(&[]));
        dns(&mut snap, MS_DNS, "fe2.contoso.com", RecordType::Aaaa, answer(&["2001:db8::6"]));
        dns(&mut snap, IMP_DNS, "sfbpool.contoso.com", RecordType::A, answer(&[]));
        dns(&mut snap, IMP_DNS, "imp1.contoso.com", RecordType::A, DnsOutcome::Timeout { after_ms: 5000 });
        let f = judge("dns.forward", &s, &snap);
        has(&f, FE1, Status::Fail, "does not resolve everywhere: 10.2.2.10:53 answered NXDOMAIN (authoritative)");
        has(&f, "fe2.contoso.com", Status::Fail, "10.2.2.10:53 has only an AAAA record for it, no A record");
        has(&f, "sfbpool.contoso.com", Status::Fail, "10.1.1.10:53 has no A record for it");
        has(&f, "imp1.contoso.com", Status::Fail, "no answer from 10.1.1.10:53 in 5000 ms");
        has(&f, "imp-rt.contoso.com", Status::Pass, "resolves to");
    }

    #[test]
    fn forward_fails_an_address_other_than_the_declared_one() {
        let mut s = clean();
        node(&mut s, "imp1.contoso.com").ip = Some(ip("10.9.9.9"));
        let f = judge("dns.forward", &s, &clean_dns(&s));
        let want = format!("resolves to {}, but the inventory expects 10.9.9.9", addr_of(&s, "imp1.contoso.com"));
        has(&f, "imp1.contoso.com", Status::Fail, &want);
    }

    #[test]
    fn forward_cannot_tell_a_name_never_looked_up() {
        let s = clean();
        let mut snap = clean_dns(&s);
        snap.dns.retain(|o| o.query.name != "imp1.contoso.com");
        let f = judge("dns.forward", &s, &snap);
        has(&f, "imp1.contoso.com", Status::Skip, "cannot tell: no lookup was made for this name");
    }

    #[test]
    fn reverse_passes_ptrs_that_map_back() {
        let s = clean();
        let f = judge("dns.reverse", &s, &clean_dns(&s));
        all(&f, Status::Pass);
        let a = addr_of(&s, FE1);
        has(&f, &format!("{FE1} ({a})"), Status::Pass, "PTR maps back to fe1.contoso.com at 2 resolvers");
    }

    /// A pool name shares its front ends' addresses, whose PTRs name the front ends.
    #[test]
    fn reverse_accepts_a_ptr_naming_another_inventory_host_at_that_address() {
        let s = clean();
        let mut snap = clean_dns(&s);
        let a = addr_of(&s, FE1);
        for server in [IMP_DNS, MS_DNS] {
            dns(&mut snap, server, "sfbpool.contoso.com", RecordType::A, answer(&[&a]));
        }
        let f = judge("dns.reverse", &s, &snap);
        has(&f, &format!("sfbpool.contoso.com ({a})"), Status::Pass, "PTR maps back to sfbpool.contoso.com");
    }

    #[test]
    fn reverse_fails_missing_wrong_or_unconfirmed_ptrs() {
        let s = clean();
        let mut snap = clean_dns(&s);
        let (fe1, fe2, pool, rt) =
            (addr_of(&s, FE1), addr_of(&s, "fe2.contoso.com"), addr_of(&s, "sfbpool.contoso.com"), addr_of(&s, "imp-rt.contoso.com"));
        dns(&mut snap, MS_DNS, &fe1, RecordType::Ptr, answer(&["host-5.contoso.com"]));
        dns(&mut snap, MS_DNS, &fe2, RecordType::Ptr, rcode(Rcode::NXDomain));
        dns(&mut snap, IMP_DNS, &pool, RecordType::Ptr, answer(&[]));
        // imp-rt's address claims to be imp1, which resolves elsewhere.
        dns(&mut snap, IMP_DNS, &rt, RecordType::Ptr, answer(&["imp1.contoso.com"]));
        let f = judge("dns.reverse", &s, &snap);
        has(&f, &format!("{FE1} ({fe1})"), Status::Fail, &format!("10.2.2.10:53 maps {fe1} to host-5.contoso.com, not fe1.contoso.com"));
        has(&f, "fe2.contoso.com (", Status::Fail, "10.2.2.10:53 gives no PTR (10.2.2.10:53 answered NXDOMAIN");
        has(&f, "sfbpool.contoso.com (", Status::Fail, "10.1.1.10:53 has no PTR record");
        has(
            &f,
            "imp-rt.contoso.com (",
            Status::Fail,
            &format!("10.1.1.10:53 names imp1.contoso.com for {rt}, but imp1.contoso.com does not resolve back to it there"),
        );
    }

    #[test]
    fn reverse_cannot_tell_without_an_address_or_a_ptr_lookup() {
        let s = clean();
        let mut snap = clean_dns(&s);
        for server in [IMP_DNS, MS_DNS] {
            dns(&mut snap, server, "fe2.contoso.com", RecordType::A, rcode(Rcode::NXDomain));
        }
        let fe1 = addr_of(&s, FE1);
        snap.dns.retain(|o| o.query.name != fe1);
        let f = judge("dns.reverse", &s, &snap);
        has(&f, "fe2.contoso.com", Status::Skip, "cannot tell: the name has no address (see dns.forward)");
        has(&f, &format!("{FE1} ({fe1})"), Status::Skip, "cannot tell: no reverse lookup was made");
    }

    #[test]
    fn agreement_passes_when_resolvers_agree() {
        let s = clean();
        let f = judge("dns.agreement", &s, &clean_dns(&s));
        all(&f, Status::Pass);
        has(&f, FE1, Status::Pass, "2 resolvers agree");
        assert_eq!(f.len(), 5);
    }

    #[test]
    fn agreement_warns_when_resolvers_disagree() {
        let s = clean();
        let mut snap = clean_dns(&s);
        dns(&mut snap, MS_DNS, FE1, RecordType::A, answer(&["10.0.0.99"]));
        dns(&mut snap, MS_DNS, "fe2.contoso.com", RecordType::A, rcode(Rcode::NXDomain));
        dns(&mut snap, MS_DNS, "fe2.contoso.com", RecordType::Aaaa, rcode(Rcode::NXDomain));
        let f = judge("dns.agreement", &s, &snap);
        let a = addr_of(&s, FE1);
        has(&f, FE1, Status::Warn, &format!("resolvers disagree: 10.1.1.10:53 says {a}; 10.2.2.10:53 says 10.0.0.99"));
        has(&f, "fe2.contoso.com", Status::Warn, "10.2.2.10:53 says NXDOMAIN NXDOMAIN");
    }

    #[test]
    fn agreement_cannot_tell_with_one_resolver_or_no_lookup() {
        let s = clean();
        let mut snap = clean_dns(&s);
        snap.dns.retain(|o| o.query.name != FE1);
        has(&judge("dns.agreement", &s, &snap), FE1, Status::Skip, "cannot tell: no lookup was made for this name");
        snap.resolvers.microsoft.clear();
        let f = judge("dns.agreement", &s, &snap);
        has(&f, "resolvers", Status::Skip, "cannot tell: only one resolver was asked");
        assert_eq!(f.len(), 1);
    }

    /// An AAAA beside the A record is fine; only an AAAA alone fails.
    #[test]
    fn forward_passes_a_name_with_both_a_and_aaaa() {
        let s = clean();
        let mut snap = clean_dns(&s);
        for server in [IMP_DNS, MS_DNS] {
            dns(&mut snap, server, FE1, RecordType::Aaaa, answer(&["2001:db8::5"]));
        }
        let f = judge("dns.forward", &s, &snap);
        has(&f, FE1, Status::Pass, &format!("resolves to {}, 2001:db8::5 at 2 resolvers", addr_of(&s, FE1)));
    }

    /// A name asked at one resolver only (the load balancer, asked at Microsoft's)
    /// has nothing to be compared with: the check cannot tell.
    #[test]
    fn agreement_cannot_tell_a_name_only_one_side_resolves() {
        let s = clean();
        let mut snap = clean_dns(&s);
        snap.dns.retain(|o| !(o.query.name == FE1 && o.query.server == sa(MS_DNS)));
        let f = judge("dns.agreement", &s, &snap);
        let one: Vec<_> = f.iter().filter(|x| x.target == FE1).collect();
        assert_eq!(one.len(), 1, "{f:#?}");
        assert_eq!(one[0].status, Status::Skip, "{:?}", one[0]);
        assert!(one[0].summary.contains("only one resolver answered for this name"), "{:?}", one[0]);
    }

    /// The names judged are the federation's: next hops of routes for the shared
    /// domain count (Microsoft's and IM&P's), routes for other domains and CUCM do not.
    #[test]
    fn scope_is_the_names_the_federation_uses() {
        let text = edit(
            CLEAN,
            "\n[network]",
            "\n[[microsoft.static_routes]]\nmatch_uri = \"fabrikam.com\"\ndestination = \"vcs.fabrikam.com\"\n\n\
             [[microsoft.static_routes]]\nmatch_uri = \"contoso.com\"\ndestination = \"imp-lb.contoso.com\"\n\n[network]",
        );
        let text = edit(
            &text,
            "\n[[cisco.nodes]]",
            "\n[[cisco.federation.static_routes]]\npattern = \".com.contoso.*\"\nnext_hop = \"fe3.contoso.com\"\n\n\
             [[cisco.federation.static_routes]]\npattern = \".com.fabrikam.*\"\nnext_hop = \"lyncfe.fabrikam.com\"\n\n[[cisco.nodes]]",
        );
        let s = site(&text);
        let names = crate::checks::support::dns_targets(&s.inventory, &s.evidence);
        let has_name = |n: &str| names.iter().find(|(x, _)| x == n).map(|(_, side)| *side);
        use crate::judge::DnsSide;
        assert_eq!(has_name("imp-lb.contoso.com"), Some(DnsSide::Microsoft));
        assert_eq!(has_name("fe3.contoso.com"), Some(DnsSide::Imp));
        assert_eq!(has_name("imp-rt.contoso.com"), Some(DnsSide::Both));
        for other in ["vcs.fabrikam.com", "lyncfe.fabrikam.com", "cucm-pub.contoso.com"] {
            assert_eq!(has_name(other), None, "{other} is not a federation name: {names:?}");
        }
        // A name outside the scope is never judged, whatever DNS says of it.
        let f = judge("dns.forward", &s, &clean_dns(&s));
        no_target(&f, "fabrikam");
        has(&f, "imp-lb.contoso.com", Status::Pass, "resolves to");
    }
}
