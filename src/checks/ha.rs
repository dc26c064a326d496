//! ha.*: high availability in front of the routing nodes.

use super::support::{cut_captures, microsoft_routes, same_name};
use crate::evidence::kinds;
use crate::judge::{Check, Context, Finding, Rule};
use crate::snapshot::dns::{DnsObservation, DnsOutcome, RecordType};

/// The `ha.*` checks: the load balancer in front of several routing nodes.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![Rule::enriched("ha.load-balancer", super::support::needs_dns, load_balancer)]
}

fn load_balancer(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let routing: Vec<&str> = inv.routing_nodes().map(|n| n.fqdn.as_str()).collect();
    let lb = inv.network.load_balancer.as_ref();
    if routing.len() < 2 {
        return vec![match lb {
            Some(lb) => ctx.info(lb.fqdn.as_str(), "a load balancer is described but there is only one routing node"),
            None => ctx.skip("routing nodes", "not applicable: one routing node, no load balancer"),
        }];
    }
    let Some(lb) = lb else {
        return vec![ctx.violation(
            "routing nodes",
            format!("{} routing nodes ({}) but no load balancer in front of them", routing.len(), routing.join(", ")),
        )];
    };
    let mut out = Vec::new();
    let target = lb.fqdn.as_str();
    match lb.hardware {
        Some(true) => out.push(ctx.pass(target, "hardware load balancer in front of the routing nodes")),
        Some(false) => out.push(ctx.violation(target, "the load balancer is not a hardware load balancer; round robin needs one")),
        None => out.push(ctx.skip(target, "whether the load balancer is hardware is not stated ([network] load_balancer.hardware)")),
    }
    if let Some(routes) = microsoft_routes(ctx) {
        for d in inv.shared_domains() {
            if let Some(r) = routes.iter().find(|r| r.covers(&d) && r.enabled) {
                if !same_name(&r.destination, &lb.fqdn) {
                    out.push(ctx.violation(
                        format!("route {d}"),
                        format!("the route for {d} targets {}, not the load balancer {}", r.destination, lb.fqdn),
                    ));
                }
            }
        }
        out.extend(cut_captures(ctx, &[&kinds::STATIC_ROUTES]));
    }
    if !ctx.snapshot.live {
        out.push(ctx.skip(format!("{target} dns"), "whether the load balancer name resolves needs DNS: live probes not run"));
    } else {
        let addrs = ctx.index.addresses(&lb.fqdn);
        let asked = ctx.index.dns_answers(&lb.fqdn, RecordType::A);
        // A negative answer is a fact; silence (a timeout, a refused query) is not.
        let answered: Vec<&DnsObservation> = asked.iter().copied().filter(|o| matches!(o.outcome, DnsOutcome::Answer { .. })).collect();
        let t = format!("{target} dns");
        out.push(if !addrs.is_empty() {
            ctx.pass(t, format!("resolves to {}", addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")))
        } else if asked.is_empty() {
            ctx.skip(t, format!("cannot tell: no lookup was made for {}", lb.fqdn))
        } else if answered.is_empty() {
            let why: Vec<String> = asked.iter().map(|o| o.describe()).collect();
            ctx.skip(t, format!("cannot tell whether {} resolves: no resolver answered ({})", lb.fqdn, why.join("; ")))
        } else {
            let servers: Vec<String> = answered.iter().map(|o| o.query.server.to_string()).collect();
            ctx.violation(
                t,
                format!(
                    "{} does not resolve ({} answered without an address): the Microsoft route to it goes nowhere",
                    lb.fqdn,
                    servers.join(", ")
                ),
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::inventory::{LoadBalancer, Role};
    use crate::judge::Status;
    use crate::snapshot::dns::{DnsOutcome, Rcode, RecordType};
    use crate::testing::*;

    const LB: &str = "lb.contoso.com";

    /// Two routing nodes behind a hardware load balancer that the route targets.
    fn balanced(hardware: Option<bool>) -> crate::inventory::Loaded {
        let mut s = clean();
        let n = node(&mut s, "imp1.contoso.com");
        n.role = Some(Role::Routing);
        n.users = Some(0);
        s.inventory.network.load_balancer = Some(LoadBalancer { fqdn: LB.into(), hardware });
        s.inventory.microsoft.static_routes[0].destination = LB.into();
        s
    }

    #[test]
    fn load_balancer_passes_a_resolvable_hardware_balancer() {
        let s = balanced(Some(true));
        let f = judge("ha.load-balancer", &s, &clean_dns(&s));
        all(&f, Status::Pass);
        has(&f, LB, Status::Pass, "hardware load balancer in front of the routing nodes");
        let want = format!("resolves to {}", addr_of(&s, LB));
        has(&f, "lb.contoso.com dns", Status::Pass, &want);
    }

    #[test]
    fn load_balancer_fails_a_missing_soft_misrouted_or_unresolvable_balancer() {
        let mut s = balanced(Some(false));
        s.inventory.microsoft.static_routes[0].destination = "imp-rt.contoso.com".into();
        let mut snap = live();
        // Both resolvers say the name does not exist.
        dns(&mut snap, IMP_DNS, LB, RecordType::A, rcode(Rcode::NXDomain));
        dns(&mut snap, MS_DNS, LB, RecordType::A, rcode(Rcode::NXDomain));
        let f = judge("ha.load-balancer", &s, &snap);
        has(&f, LB, Status::Fail, "the load balancer is not a hardware load balancer");
        has(
            &f,
            "route contoso.com",
            Status::Fail,
            "the route for contoso.com targets imp-rt.contoso.com, not the load balancer lb.contoso.com",
        );
        has(&f, "lb.contoso.com dns", Status::Fail, "lb.contoso.com does not resolve");
        s.inventory.network.load_balancer = None;
        let f = judge("ha.load-balancer", &s, &live());
        has(&f, "routing nodes", Status::Fail, "2 routing nodes (imp-rt.contoso.com, imp1.contoso.com) but no load balancer");
    }

    #[test]
    fn load_balancer_cannot_tell() {
        has(&judge("ha.load-balancer", &clean(), &offline()), "routing nodes", Status::Skip, "not applicable: one routing node");
        let f = judge("ha.load-balancer", &balanced(None), &offline());
        has(&f, LB, Status::Skip, "whether the load balancer is hardware is not stated");
        has(&f, "lb.contoso.com dns", Status::Skip, "needs DNS: live probes not run");
        // A timeout is no answer, not a negative one: never "does not resolve".
        let s = balanced(Some(true));
        let mut snap = live();
        dns(&mut snap, IMP_DNS, LB, RecordType::A, DnsOutcome::Timeout { after_ms: 5000 });
        dns(&mut snap, MS_DNS, LB, RecordType::A, DnsOutcome::Timeout { after_ms: 5000 });
        let f = judge("ha.load-balancer", &s, &snap);
        has(&f, "lb.contoso.com dns", Status::Skip, "cannot tell whether lb.contoso.com resolves: no resolver answered");
        has(&judge("ha.load-balancer", &s, &live()), "lb.contoso.com dns", Status::Skip, "cannot tell: no lookup was made");
    }

    #[test]
    fn load_balancer_with_one_routing_node_is_information() {
        let mut s = clean();
        s.inventory.network.load_balancer = Some(LoadBalancer { fqdn: LB.into(), hardware: Some(true) });
        let f = judge("ha.load-balancer", &s, &offline());
        has(&f, LB, Status::Info, "there is only one routing node");
        assert_eq!(f.len(), 1);
    }
}
