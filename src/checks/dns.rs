//! dns.*: forward and reverse records as each side's resolvers answer them.

use super::support::{dns_names, needs_dns};
use crate::judge::{Check, Context, Finding, Rule};
use crate::snapshot::dns::{DnsObservation, DnsOutcome, Rcode, RecordType};
use std::collections::BTreeMap;
use std::net::IpAddr;

pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
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

fn forward(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    dns_names(inv, ctx.evidence)
        .into_iter()
        .map(|name| {
            let a = ctx.index.dns_answers(&name, RecordType::A);
            let aaaa = ctx.index.dns_answers(&name, RecordType::Aaaa);
            let all: Vec<&DnsObservation> = a.iter().chain(aaaa.iter()).copied().collect();
            if a.is_empty() {
                return ctx.skip(name.as_str(), "cannot tell: no lookup was made for this name");
            }
            // The integration needs A records (IPv4); an AAAA alone does not do.
            let mut bad = Vec::new();
            for o in a {
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
                ctx.pass(name.as_str(), format!("resolves to {list} at {} resolver(s)", a.len()))
            };
            f.evidence(evidence(&all))
        })
        .collect()
}

fn reverse(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
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
    let ptrs = ctx.index.dns_answers(&addr.to_string(), RecordType::Ptr);
    if ptrs.is_empty() {
        return ctx.skip(target, "cannot tell: no reverse lookup was made");
    }
    let mut problems = Vec::new();
    for o in ptrs {
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
        ctx.pass(target, format!("PTR maps back to {name} at {} resolver(s)", ptrs.len()))
    } else {
        ctx.violation(target, problems.join("; ")).detail("IM&P's ACL check and call setup stall on addresses without a matching PTR")
    };
    f.evidence(evidence(ptrs))
}

fn agreement(ctx: &Context<'_>) -> Vec<Finding> {
    let servers = ctx.snapshot.resolvers.all();
    if servers.len() < 2 {
        return vec![ctx.skip("resolvers", "cannot tell: only one resolver was asked")];
    }
    dns_names(ctx.inventory, ctx.evidence)
        .into_iter()
        .map(|name| {
            let mut by_server: BTreeMap<String, String> = BTreeMap::new();
            for rtype in [RecordType::A, RecordType::Aaaa] {
                for o in ctx.index.dns_answers(&name, rtype) {
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
