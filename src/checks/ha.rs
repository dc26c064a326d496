//! ha.*: high availability in front of the routing nodes.

use super::support::{microsoft_routes, same_name};
use crate::judge::{Check, Context, Finding, Rule};

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
    }
    if !ctx.snapshot.live {
        out.push(ctx.skip(format!("{target} dns"), "whether the load balancer name resolves needs DNS: live probes not run"));
    } else {
        let addrs = ctx.index.addresses(&lb.fqdn);
        out.push(if addrs.is_empty() {
            ctx.violation(format!("{target} dns"), format!("{} does not resolve: the Microsoft route to it goes nowhere", lb.fqdn))
        } else {
            ctx.pass(format!("{target} dns"), format!("resolves to {}", addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")))
        });
    }
    out
}
