//! routing-node.*: the IM&P node that receives all SIP traffic from Microsoft.

use crate::evidence::service_list::ServiceState;
use crate::judge::{Check, Context, Finding, Rule};

/// The `routing-node.*` checks: a dedicated routing node with no users and the services
/// it must run.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::offline("routing-node.dedicated", dedicated),
        Rule::offline("routing-node.no-users", no_users),
        Rule::offline("routing-node.services", services),
    ]
}

fn dedicated(ctx: &Context<'_>) -> Vec<Finding> {
    let imp = ctx.inventory.imp_nodes().count();
    let routing: Vec<&str> = ctx.inventory.routing_nodes().map(|n| n.fqdn.as_str()).collect();
    match (imp, routing.is_empty()) {
        (0, _) => vec![ctx.skip("cluster", "no IM&P node in the inventory")],
        (1, _) => vec![ctx.pass("cluster", "single-node cluster: no separate routing node needed")],
        (n, true) => vec![ctx.violation("cluster", format!("{n} IM&P nodes but none has the routing role"))],
        (n, false) => vec![ctx.pass("cluster", format!("{n} IM&P nodes; routing node: {}", routing.join(", ")))],
    }
}

/// A single IM&P node routes and homes users alike: the routing-node rules apply to
/// multi-node clusters only.
fn single_node(ctx: &Context<'_>) -> bool {
    ctx.inventory.imp_nodes().count() == 1
}

fn no_users(ctx: &Context<'_>) -> Vec<Finding> {
    if single_node(ctx) {
        return vec![ctx.skip("cluster", "not applicable: a single-node cluster homes its users on the node that routes")];
    }
    let out: Vec<Finding> = ctx
        .inventory
        .routing_nodes()
        .map(|n| match n.users {
            Some(0) => ctx.pass(n.fqdn.as_str(), "no users assigned"),
            Some(u) => ctx.violation(n.fqdn.as_str(), format!("{u} users are assigned to the routing node")),
            None => ctx.skip(n.fqdn.as_str(), "user count not stated ([cisco.nodes] users)"),
        })
        .collect();
    if out.is_empty() {
        return vec![ctx.skip("cluster", "no routing node in the inventory")];
    }
    out
}

fn services(ctx: &Context<'_>) -> Vec<Finding> {
    let (off, on_routing, on_users): (Vec<String>, Vec<String>, Vec<String>) =
        match (ctx.table("routing_node_deactivated"), ctx.table("routing_node_running"), ctx.table("user_node_running")) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return ctx.table_error(e),
        };
    let mut out = Vec::new();
    for node in ctx.inventory.imp_nodes() {
        let target = node.fqdn.as_str();
        let Some(list) = ctx.evidence.node(&node.fqdn).and_then(|e| e.service_list.as_ref()) else {
            out.push(ctx.skip(target, "no `utils service list` evidence for this node"));
            continue;
        };
        // A routing node that still homes users (or the only node) needs the user
        // node's services: deactivating the nine would cut those users off.
        let homes_users = node.users.is_some_and(|u| u > 0) || single_node(ctx);
        let routing = node.is_routing() && !homes_users;
        let mut wrong = Vec::new();
        let mut half = Vec::new();
        let mut evidence = Vec::new();
        // A service absent from a cut-short capture may sit after the cut: its state
        // is unknown. Absent from a complete one, it is not installed at all.
        let mut unknown: Vec<&str> = Vec::new();
        let mut not_listed: Vec<&str> = Vec::new();
        if routing {
            for name in &off {
                let Some(s) = list.get(name) else {
                    if list.cut.is_some() {
                        unknown.push(name);
                    } else {
                        not_listed.push(name);
                    }
                    continue;
                };
                match s.state {
                    ServiceState::Stopped if s.reason.as_deref().is_some_and(|r| r.to_ascii_lowercase().contains("not activated")) => {}
                    ServiceState::Stopped => half.push(format!(
                        "{name} (stopped but still activated{})",
                        s.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
                    )),
                    _ => wrong.push(format!("{name} is {}", s.state)),
                }
                evidence.push(format!(
                    "line {}: {}[{}]{}",
                    s.line,
                    s.name,
                    s.state,
                    s.reason.as_deref().map(|r| format!("  {r}")).unwrap_or_default()
                ));
            }
        }
        let needed = if routing { &on_routing } else { &on_users };
        for name in needed {
            match list.get(name) {
                Some(s) if s.state == ServiceState::Started => {}
                Some(s) => {
                    wrong.push(format!("{name} is {} but must run", s.state));
                    evidence.push(format!("line {}: {}[{}]", s.line, s.name, s.state));
                }
                None if list.cut.is_some() => unknown.push(name),
                None => wrong.push(format!("{name} is missing from the list but must run")),
            }
        }
        let file = node.evidence.service_list.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
        let cut_note = list.cut.as_ref().map(|c| {
            let states = if unknown.is_empty() { String::new() } else { format!("; state unknown: {}", unknown.join(", ")) };
            format!("`{file}` is cut short at line {}: {}{states}", c.line, c.reason)
        });
        let role = match (routing, node.is_routing()) {
            (true, _) => "routing node",
            (false, true) => "routing node that homes users (judged as a user node)",
            (false, false) => "user node",
        };
        out.push(
            if !wrong.is_empty() {
                let absent = (!not_listed.is_empty()).then(|| format!("not listed: {}", not_listed.join(", ")));
                let also = half.iter().cloned().chain(cut_note.clone()).chain(absent).collect::<Vec<_>>();
                ctx.violation(target, format!("{role}: {}", wrong.join("; "))).detail(if also.is_empty() {
                    String::new()
                } else {
                    format!("also: {}", also.join("; "))
                })
            } else if let Some(note) = cut_note {
                // What the capture does not show cannot be passed.
                let f = ctx.warn(target, format!("{role}: {note}"));
                if half.is_empty() {
                    f.detail("save the whole output again (`set cli pagination off` first, so the pager does not stop it)")
                } else {
                    f.detail(format!("also: {}", half.join("; ")))
                }
            } else if !half.is_empty() {
                ctx.warn(target, format!("{role}: {}", half.join("; ")))
                    .detail("deactivate them in Serviceability > Tools > Service Activation rather than stopping them")
            } else if !not_listed.is_empty() {
                ctx.info(
                    target,
                    format!(
                        "routing node: {} not listed in `{file}` (not installed on this release?); the other feature services are deactivated; {} run",
                        not_listed.join(", "),
                        needed.join(" and ")
                    ),
                )
            } else if routing {
                ctx.pass(target, format!("routing node: the {} feature services are deactivated; {} run", off.len(), needed.join(" and ")))
            } else {
                ctx.pass(target, format!("user node: {} run", needed.join(" and ")))
            }
            .evidence(evidence),
        );
    }
    for f in &mut out {
        if f.detail.as_deref() == Some("") {
            f.detail = None;
        }
    }
    if out.is_empty() {
        out.push(ctx.skip("cluster", "no IM&P node in the inventory"));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::inventory::Role;
    use crate::judge::Status;
    use crate::testing::*;

    const RT: &str = "imp-rt.contoso.com";
    const IMP1: &str = "imp1.contoso.com";

    fn single_node() -> crate::inventory::Loaded {
        let mut s = clean();
        s.inventory.cisco.nodes.retain(|n| n.fqdn != IMP1);
        s
    }

    #[test]
    fn dedicated_passes_a_cluster_with_a_routing_node() {
        has(
            &judge("routing-node.dedicated", &clean(), &offline()),
            "cluster",
            Status::Pass,
            "2 IM&P nodes; routing node: imp-rt.contoso.com",
        );
        has(&judge("routing-node.dedicated", &single_node(), &offline()), "cluster", Status::Pass, "single-node cluster");
    }

    #[test]
    fn dedicated_fails_a_cluster_without_one() {
        let mut s = clean();
        node(&mut s, RT).role = Some(Role::Users);
        has(&judge("routing-node.dedicated", &s, &offline()), "cluster", Status::Fail, "2 IM&P nodes but none has the routing role");
    }

    #[test]
    fn dedicated_cannot_tell_without_imp_nodes() {
        let mut s = clean();
        s.inventory.cisco.nodes.retain(|n| !n.is_imp());
        has(&judge("routing-node.dedicated", &s, &offline()), "cluster", Status::Skip, "no IM&P node in the inventory");
    }

    #[test]
    fn no_users_passes_an_empty_routing_node() {
        let f = judge("routing-node.no-users", &clean(), &offline());
        has(&f, RT, Status::Pass, "no users assigned");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn no_users_warns_of_users_on_the_routing_node() {
        let mut s = clean();
        node(&mut s, RT).users = Some(10);
        has(&judge("routing-node.no-users", &s, &offline()), RT, Status::Warn, "10 users are assigned to the routing node");
    }

    #[test]
    fn no_users_cannot_tell() {
        let mut s = clean();
        node(&mut s, RT).users = None;
        has(&judge("routing-node.no-users", &s, &offline()), RT, Status::Skip, "user count not stated");
        node(&mut s, RT).role = Some(Role::Users);
        has(&judge("routing-node.no-users", &s, &offline()), "cluster", Status::Skip, "no routing node in the inventory");
        has(&judge("routing-node.no-users", &single_node(), &offline()), "cluster", Status::Skip, "not applicable: a single-node cluster");
    }

    #[test]
    fn services_pass_the_clean_evidence() {
        let f = judge("routing-node.services", &clean(), &offline());
        has(&f, RT, Status::Pass, "routing node: the 9 feature services are deactivated; Cisco SIP Proxy and Cisco XCP Router run");
        has(&f, IMP1, Status::Pass, "user node: Cisco SIP Proxy and Cisco XCP SIP Federation Connection Manager run");
        no_target(&f, "cucm-pub");
    }

    #[test]
    fn services_fail_when_the_lists_are_swapped() {
        let mut s = clean();
        let rt = s.evidence.nodes.get(RT).cloned();
        let user = s.evidence.nodes.get(IMP1).cloned();
        s.evidence.nodes.insert(RT.into(), user.unwrap_or_default());
        s.evidence.nodes.insert(IMP1.into(), rt.unwrap_or_default());
        let f = judge("routing-node.services", &s, &offline());
        has(&f, RT, Status::Fail, "routing node: Cisco Presence Engine is STARTED");
        has(&f, IMP1, Status::Fail, "user node: Cisco XCP SIP Federation Connection Manager is STOPPED but must run");
    }

    #[test]
    fn services_warn_of_a_service_stopped_but_still_activated() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/clean/evidence/imp-rt-services.txt")).expect("evidence");
        let text = edit(
            &text,
            "Cisco Presence Engine[STOPPED]  Service Not Activated",
            "Cisco Presence Engine[STOPPED]  Commanded Out of Service",
        );
        let inv = edit(CLEAN, "evidence/imp-rt-services.txt", "evidence/rt-edited.txt");
        let s = site_with(&inv, &[("evidence/rt-edited.txt", &text)]);
        let f = judge("routing-node.services", &s, &offline());
        has(&f, RT, Status::Warn, "routing node: Cisco Presence Engine (stopped but still activated: Commanded Out of Service)");
    }

    #[test]
    fn services_judge_a_routing_node_that_homes_users_as_a_user_node() {
        let mut s = clean();
        node(&mut s, RT).users = Some(5);
        let f = judge("routing-node.services", &s, &offline());
        has(
            &f,
            RT,
            Status::Fail,
            "routing node that homes users (judged as a user node): Cisco XCP SIP Federation Connection Manager is STOPPED",
        );
    }

    #[test]
    fn services_cannot_tell_without_evidence() {
        let mut s = clean();
        s.evidence.nodes.remove(IMP1);
        let f = judge("routing-node.services", &s, &offline());
        has(&f, IMP1, Status::Skip, "no `utils service list` evidence for this node");
        has(&f, RT, Status::Pass, "routing node");
        s.inventory.cisco.nodes.retain(|n| !n.is_imp());
        has(&judge("routing-node.services", &s, &offline()), "cluster", Status::Skip, "no IM&P node in the inventory");
    }

    #[test]
    fn services_fail_a_required_service_missing_from_the_list() {
        let mut s = clean();
        if let Some(list) = s.evidence.nodes.get_mut(IMP1).and_then(|e| e.service_list.as_mut()) {
            list.services.retain(|x| x.name != "Cisco SIP Proxy");
        }
        let f = judge("routing-node.services", &s, &offline());
        has(&f, IMP1, Status::Fail, "user node: Cisco SIP Proxy is missing from the list but must run");
    }
}
