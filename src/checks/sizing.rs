//! sizing.*: VM templates, hosts, release pairs and cluster limits.

use crate::inventory::{parse_release, HostKind, Node};
use crate::judge::{Check, Context, Finding, Rule};
use serde::Deserialize;

/// The `sizing.*` checks: VM template, host, release pairs, cluster limits and
/// federation capacity.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::offline("sizing.vm", vm),
        Rule::offline("sizing.host", host),
        Rule::offline("sizing.versions", versions),
        Rule::offline("sizing.cluster", cluster),
        Rule::offline("sizing.federation-capacity", federation_capacity),
    ]
}

#[derive(Debug, Deserialize)]
struct OvaRow {
    max_users: u32,
    vcpu: u32,
    ram_gb: u32,
    disk_gb: u32,
    #[serde(default)]
    verified: bool,
    #[serde(default)]
    source: String,
}

#[derive(Debug, Deserialize)]
struct Limits {
    max_imp_nodes_per_cluster: usize,
    max_users_per_node: u32,
    max_users_per_cluster: u64,
    #[serde(default)]
    source: String,
}

#[derive(Debug, Deserialize)]
struct FederationTable {
    ha_factor: f64,
}

/// Federated contacts an IM&P node carries, by the OVA it was deployed from.
#[derive(Debug, Deserialize)]
struct OvaCapacity {
    /// The OVA template's user count (1000, 5000, 15000, 25000…).
    ova_users: u32,
    contacts: u32,
    #[serde(default)]
    verified: bool,
    #[serde(default)]
    source: String,
}

/// What the node really has: `show hardware` beats the inventory.
struct Observed {
    vcpu: Option<u32>,
    ram_gb: Option<u32>,
    disk_gb: Option<u32>,
    mismatches: Vec<String>,
    /// `show hardware` stops before a figure it always prints.
    cut: Option<String>,
}

fn observed(ctx: &Context<'_>, node: &Node) -> Observed {
    let declared = node.vm.as_ref();
    let hw = ctx.evidence.node(&node.fqdn).and_then(|e| e.hardware.as_ref());
    let hw_vcpu = hw.and_then(|h| h.processors);
    // Guests report a little less than the configured memory: round to whole GB.
    let hw_ram = hw.and_then(|h| h.memory_mb).map(|mb| u32::try_from(mb / 1024 + u64::from(mb % 1024 >= 512)).unwrap_or(u32::MAX));
    let mut mismatches = Vec::new();
    if let (Some(d), Some(o)) = (declared.and_then(|v| v.vcpu), hw_vcpu) {
        if d != o {
            mismatches.push(format!("the inventory says {d} vCPU but `show hardware` reports {o}"));
        }
    }
    if let (Some(d), Some(o)) = (declared.and_then(|v| v.ram_gb), hw_ram) {
        if d != o {
            mismatches.push(format!("the inventory says {d} GB RAM but `show hardware` reports {o} GB"));
        }
    }
    let cut = hw.filter(|h| h.processors.is_none() || h.memory_mb.is_none()).and_then(|h| h.cut.as_ref()).map(|c| {
        let file = node.evidence.hardware.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
        format!("`show hardware` capture `{file}` is cut short at {c}")
    });
    Observed {
        vcpu: hw_vcpu.or(declared.and_then(|v| v.vcpu)),
        ram_gb: hw_ram.or(declared.and_then(|v| v.ram_gb)),
        disk_gb: declared.and_then(|v| v.disk_gb),
        mismatches,
        cut,
    }
}

fn vm(ctx: &Context<'_>) -> Vec<Finding> {
    let mut rows: Vec<OvaRow> = match ctx.table("imp_ova") {
        Ok(r) => r,
        Err(e) => return ctx.table_error(e),
    };
    rows.sort_by_key(|row| row.max_users);
    let mut out = Vec::new();
    for node in ctx.inventory.imp_nodes() {
        let target = node.fqdn.as_str();
        let Some(users) = node.users else {
            out.push(ctx.skip(target, "no user count for this node: cannot pick its OVA template"));
            continue;
        };
        let obs = observed(ctx, node);
        if obs.vcpu.is_none() && obs.ram_gb.is_none() && obs.disk_gb.is_none() {
            out.push(ctx.skip(target, "no VM figures (neither [cisco.nodes] vm nor `show hardware` evidence)"));
            continue;
        }
        let Some(row) = rows.iter().find(|r| r.max_users >= users) else {
            let largest = rows.last().map(|r| r.max_users).unwrap_or(0);
            out.push(ctx.violation(target, format!("{users} users is more than the largest IM&P template ({largest} users)")));
            continue;
        };
        let mut short = Vec::new();
        for (what, have, need) in [("vCPU", obs.vcpu, row.vcpu), ("GB RAM", obs.ram_gb, row.ram_gb), ("GB disk", obs.disk_gb, row.disk_gb)]
        {
            if let Some(have) = have {
                if have < need {
                    short.push(format!("{have} {what} < {need}"));
                }
            }
        }
        let caveat = if row.verified { String::new() } else { format!(" (template figures unverified: {})", row.source) };
        let template = format!("the {}-user template", row.max_users);
        let evidence = serde_json::json!({
            "users": users, "vcpu": obs.vcpu, "ram_gb": obs.ram_gb, "disk_gb": obs.disk_gb,
            "template": { "max_users": row.max_users, "vcpu": row.vcpu, "ram_gb": row.ram_gb, "disk_gb": row.disk_gb, "verified": row.verified },
        });
        let mut f = if short.is_empty() {
            ctx.pass(
                target,
                format!("{users} users: meets {template} ({} vCPU, {} GB RAM, {} GB disk){caveat}", row.vcpu, row.ram_gb, row.disk_gb),
            )
        } else {
            ctx.violation(target, format!("{users} users: below {template}: {}{caveat}", short.join(", ")))
        };
        if !obs.mismatches.is_empty() {
            if f.status == crate::judge::Status::Pass {
                f = ctx.warn(target, format!("{users} users: meets {template}, but the inventory and the evidence disagree{caveat}"));
            }
            f = f.detail(obs.mismatches.join("; "));
        }
        if let Some(cut) = obs.cut {
            // A figure the capture lost cannot be vouched for.
            if f.status == crate::judge::Status::Pass {
                f = ctx.warn(target, format!("{users} users: {cut}; its processor or memory figure is missing"));
            } else {
                f = f.detail(cut);
            }
        }
        out.push(f.evidence(evidence));
    }
    if out.is_empty() {
        out.push(ctx.skip("cluster", "no IM&P node in the inventory"));
    }
    out
}

fn host(ctx: &Context<'_>) -> Vec<Finding> {
    let from: String = match ctx.table("virtual_only_from") {
        Ok(v) => v,
        Err(e) => return ctx.table_error(e),
    };
    let from = parse_release(&from).unwrap_or((10, 0));
    let imp = parse_release(&ctx.inventory.cisco.imp_version);
    let virtual_only = imp.is_some_and(|v| v >= from);
    let mut out = Vec::new();
    for node in &ctx.inventory.cisco.nodes {
        let target = node.fqdn.as_str();
        let platform = ctx.evidence.node(&node.fqdn).and_then(|e| e.hardware.as_ref()).and_then(|h| h.platform.clone());
        let kind = node.vm.as_ref().and_then(|v| v.host);
        let bare_metal = platform.as_deref().is_some_and(|p| !p.to_ascii_lowercase().contains("virtual"));
        out.push(match kind {
            Some(HostKind::Mcs) if virtual_only => ctx.violation(
                target,
                format!(
                    "runs on an MCS appliance; from {}.{} only virtual machines on UCS or approved third-party servers are supported",
                    from.0, from.1
                ),
            ),
            _ if bare_metal && virtual_only => {
                ctx.violation(target, format!("`show hardware` reports `{}`, not a virtual machine", platform.unwrap_or_default()))
            }
            Some(HostKind::Ucs) => ctx.pass(target, "virtual machine on Cisco UCS"),
            Some(HostKind::ThirdParty) => ctx.pass(target, "virtual machine on a third-party server").detail(
                "supported only on a Cisco-approved third-party configuration: confirm the server model against the virtualization docs",
            ),
            Some(HostKind::Mcs) => ctx.pass(target, "MCS appliance on a release before virtual-only deployments"),
            None => ctx.skip(target, "the host type is not stated ([cisco.nodes] vm.host)"),
        });
    }
    out
}

/// How closely IM&P must match CUCM from an IM&P release on.
#[derive(Debug, Deserialize)]
struct Pairing {
    /// The first IM&P release (major.minor) the rule applies to.
    from: String,
    /// `minor` (9.0 with 9.0), `maintenance` (12.5(1) with 12.5(1)) or `su` (the same SU too).
    precision: String,
    #[serde(default)]
    verified: bool,
    #[serde(default)]
    source: String,
}

/// A release as far as the pairing rule reads it: 14.0.1.12900-2 or 14.0(1)SU2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Release {
    major: u32,
    minor: u32,
    maintenance: Option<u32>,
    /// The SU number: from `SUn`, or from the build (10000 base, 11900 SU1, 12900 SU2…).
    su: Option<u32>,
}

impl Release {
    fn parse(v: &str) -> Option<Release> {
        let lower = v.trim().to_ascii_lowercase();
        let (head, su_text) = match lower.split_once("su") {
            Some((h, t)) => (h.to_string(), Some(t.to_string())),
            None => (lower.clone(), None),
        };
        let nums: Vec<u32> = head.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).filter_map(|p| p.parse().ok()).collect();
        let (major, minor) = (*nums.first()?, *nums.get(1)?);
        let maintenance = nums.get(2).copied();
        let su = match su_text {
            Some(t) => Some(t.trim().chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0)),
            // A small fourth number is an SU written out (14.0.1.2); a build number counts from 10000.
            None => nums.get(3).map(|&build| if build < 1000 { build } else { build.saturating_sub(10_900) / 1000 }),
        };
        Some(Release { major, minor, maintenance, su })
    }

    /// `14.0(1)` and, when asked, `SU2`.
    fn label(&self, with_su: bool) -> String {
        let mut out = format!("{}.{}", self.major, self.minor);
        if let Some(m) = self.maintenance {
            out.push_str(&format!("({m})"));
        }
        if with_su {
            match self.su {
                Some(0) => out.push_str(" base (no SU)"),
                Some(n) => out.push_str(&format!("SU{n}")),
                None => {}
            }
        }
        out
    }
}

fn versions(ctx: &Context<'_>) -> Vec<Finding> {
    let mut rules: Vec<Pairing> = match ctx.table("version_pairing") {
        Ok(r) => r,
        Err(e) => return ctx.table_error(e),
    };
    rules.sort_by_key(|r| parse_release(&r.from).unwrap_or((0, 0)));
    let c = &ctx.inventory.cisco;
    let mut out = Vec::new();
    let Some(cucm_text) = c.cucm_version.as_ref() else {
        return vec![ctx.skip("releases", "the CUCM release is not stated ([cisco] cucm_version)")];
    };
    let (Some(imp), Some(cucm)) = (Release::parse(&c.imp_version), Release::parse(cucm_text)) else {
        let bad = if Release::parse(&c.imp_version).is_none() { &c.imp_version } else { cucm_text };
        return vec![ctx.skip("releases", format!("cannot read the release `{bad}`"))];
    };
    let pair = format!("IM&P {} with CUCM {}", c.imp_version, cucm_text);
    let Some(rule) = rules.iter().rev().find(|r| parse_release(&r.from).is_some_and(|f| (imp.major, imp.minor) >= f)) else {
        return vec![ctx.skip("releases", format!("{pair}: no pairing rule in the catalog covers IM&P {}", imp.label(false)))];
    };
    let caveat = if rule.verified { String::new() } else { " (rule unverified)".to_string() };
    let basis = format!("pairing rule from {} on: {}; source: {}", rule.from, rule.precision, rule.source);
    let mismatch = |f: Finding| f.detail(basis.clone());
    out.push(if imp.major != cucm.major {
        mismatch(ctx.violation("releases", format!("{pair}: IM&P must run the same major release as CUCM")))
    } else {
        let need_maint = matches!(rule.precision.as_str(), "maintenance" | "su");
        let need_su = rule.precision == "su";
        let missing = |r: &Release| (need_maint && r.maintenance.is_none()) || (need_su && r.su.is_none());
        if missing(&imp) || missing(&cucm) {
            let which = if missing(&imp) { &c.imp_version } else { cucm_text };
            ctx.skip(
                "releases",
                format!(
                    "cannot tell: the rule needs the {} and `{which}` does not say it; give the full version (e.g. 14.0.1.12900-2)",
                    if need_su { "SU" } else { "maintenance release" }
                ),
            )
            .detail(basis.clone())
        } else {
            let same_release = imp.minor == cucm.minor && (!need_maint || imp.maintenance == cucm.maintenance);
            let same_su = !need_su || imp.su == cucm.su;
            if same_release && same_su {
                ctx.pass("releases", format!("{pair}: same release {}{caveat}", imp.label(need_su))).detail(basis.clone())
            } else {
                let want = if need_su { "release and SU" } else { "release" };
                let text = format!(
                    "{pair}: the compatibility matrix pairs IM&P {} only with CUCM of the same {want}, not {}{caveat}",
                    imp.label(need_su),
                    cucm.label(need_su)
                );
                mismatch(if rule.verified { ctx.violation("releases", text) } else { ctx.warn("releases", text) })
            }
        }
    });
    for node in ctx.inventory.imp_nodes() {
        let status = ctx.evidence.node(&node.fqdn).and_then(|e| e.status.as_ref());
        let Some(reported) = status.and_then(|s| s.product_version.clone()) else {
            if let Some(cut) = status.and_then(|s| s.cut.as_ref()) {
                let file = node.evidence.status.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
                out.push(
                    ctx.warn(
                        node.fqdn.as_str(),
                        format!("`show status` capture `{file}` is cut short at line {} before its product version: the version running cannot be compared with the inventory's", cut.line),
                    )
                    .detail(format!("{}; capture `show status` again and save the whole output", cut.reason)),
                );
            }
            continue;
        };
        // Compare the numbers only: "14.0.1.12900-2" and "14.0.1.12900-2 " or
        // "14.0(1)SU2"-style spellings of the same build must not warn.
        let numbers = |v: &str| v.split(|ch: char| !ch.is_ascii_digit()).filter(|p| !p.is_empty()).map(str::to_string).collect::<Vec<_>>();
        let (have, want) = (numbers(&reported), numbers(&c.imp_version));
        let same = have.iter().zip(&want).all(|(a, b)| a == b);
        if !have.is_empty() && !same {
            out.push(ctx.warn(node.fqdn.as_str(), format!("`show status` reports {reported}, the inventory says {}", c.imp_version)));
        }
    }
    out
}

fn cluster(ctx: &Context<'_>) -> Vec<Finding> {
    let limits: Limits = match ctx.table("limits") {
        Ok(l) => l,
        Err(e) => return ctx.table_error(e),
    };
    let nodes: Vec<&Node> = ctx.inventory.imp_nodes().collect();
    if nodes.is_empty() {
        return vec![ctx.skip("cluster", "no IM&P node in the inventory")];
    }
    let mut out = Vec::new();
    let total: u64 = nodes.iter().filter_map(|n| n.users).map(u64::from).sum();
    let src = format!("limits from {}", limits.source);
    out.push(if nodes.len() > limits.max_imp_nodes_per_cluster {
        ctx.violation("cluster", format!("{} IM&P nodes; a cluster holds at most {}", nodes.len(), limits.max_imp_nodes_per_cluster))
            .detail(src.clone())
    } else if total > limits.max_users_per_cluster {
        ctx.violation("cluster", format!("{total} users in the cluster; the limit is {}", limits.max_users_per_cluster)).detail(src.clone())
    } else {
        ctx.pass(
            "cluster",
            format!(
                "{} IM&P nodes, {total} users: within {} nodes and {} users",
                nodes.len(),
                limits.max_imp_nodes_per_cluster,
                limits.max_users_per_cluster
            ),
        )
    });
    for n in &nodes {
        if let Some(u) = n.users.filter(|u| *u > limits.max_users_per_node) {
            out.push(
                ctx.violation(n.fqdn.as_str(), format!("{u} users on one node; the limit is {}", limits.max_users_per_node))
                    .detail(src.clone()),
            );
        }
    }
    out.extend(cluster_membership(ctx));
    out
}

/// `show network cluster` tells which nodes the cluster really has: one the inventory
/// leaves out was judged by nothing, and one replication does not trust is broken.
fn cluster_membership(ctx: &Context<'_>) -> Vec<Finding> {
    let described: Vec<String> = ctx.inventory.cisco.nodes.iter().map(|n| n.fqdn.to_ascii_lowercase()).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (node, ev) in &ctx.evidence.nodes {
        let Some(cluster) = &ev.network_cluster else { continue };
        if let Some(cut) = &cluster.cut {
            // Members after the cut were never seen: say so rather than judge half a list.
            let file = ctx.inventory.cisco.nodes.iter().find(|n| n.fqdn.eq_ignore_ascii_case(node));
            let file = file.and_then(|n| n.evidence.network_cluster.as_deref()).map(|p| p.display().to_string()).unwrap_or_default();
            out.push(ctx.warn(node.as_str(), format!("`show network cluster` capture `{file}` is cut short at {cut}")));
        }
        for m in &cluster.members {
            // CUCM subscribers need not be in the inventory; IM&P nodes must.
            if !m.product.eq_ignore_ascii_case("cups") || !seen.insert(m.fqdn.to_ascii_lowercase()) {
                continue;
            }
            let target = m.fqdn.as_str();
            if !described.contains(&m.fqdn.to_ascii_lowercase()) {
                out.push(ctx.warn(
                    target,
                    format!(
                        "`show network cluster` on {node} lists {} ({}), which the inventory does not describe: nothing judged it",
                        m.fqdn, m.product
                    ),
                ));
            } else if !m.authenticated {
                out.push(ctx.warn(
                    target,
                    format!(
                        "`show network cluster` on {node} shows {} as not authenticated: database replication does not trust it",
                        m.fqdn
                    ),
                ));
            }
        }
    }
    out
}

/// The OVA templates a node may have been deployed from: the one the inventory
/// names, else those whose vCPU and memory the node has exactly, else the largest
/// it meets. Empty when nothing is known.
fn candidate_ovas(ctx: &Context<'_>, node: &Node, templates: &[OvaRow]) -> Vec<u32> {
    if let Some(o) = node.vm.as_ref().and_then(|v| v.ova) {
        return vec![o];
    }
    let obs = observed(ctx, node);
    let (Some(cpu), Some(ram)) = (obs.vcpu, obs.ram_gb) else { return Vec::new() };
    let exact: Vec<u32> = templates.iter().filter(|t| t.vcpu == cpu && t.ram_gb == ram).map(|t| t.max_users).collect();
    if !exact.is_empty() {
        return exact;
    }
    templates.iter().filter(|t| t.vcpu <= cpu && t.ram_gb <= ram).map(|t| t.max_users).max().into_iter().collect()
}

/// The average contact list size the PIF guide says to assume when it is not known
/// (Planning for User Migration: "assume it to be worst-case (200 contacts)").
const ASSUMED_AVERAGE_CONTACTS: u32 = 200;

fn federation_capacity(ctx: &Context<'_>) -> Vec<Finding> {
    let t: FederationTable = match ctx.table("federation") {
        Ok(t) => t,
        Err(e) => return ctx.table_error(e),
    };
    let mut caps: Vec<OvaCapacity> = match ctx.table("federation_ova") {
        Ok(t) => t,
        Err(e) => return ctx.table_error(e),
    };
    caps.sort_by_key(|c| c.ova_users);
    let templates: Vec<OvaRow> = ctx.table("imp_ova").unwrap_or_default();
    // Unknown contact lists are taken at the guide's worst case, as it advises.
    let stated = ctx.inventory.site.average_contacts.filter(|a| *a > 0);
    let avg = stated.unwrap_or(ASSUMED_AVERAGE_CONTACTS);
    let assumed = if stated.is_none() {
        format!(" (average contact list size assumed {ASSUMED_AVERAGE_CONTACTS}, the guide's worst case: set [site] average_contacts)")
    } else {
        String::new()
    };
    let ha = ctx.inventory.site.high_availability.unwrap_or(false);
    // Contacts the OVA carries: the row for the smallest OVA at least that large.
    let capacity = |ova: u32| caps.iter().find(|c| c.ova_users >= ova).or(caps.last());
    let users_for = |contacts: u32| {
        let mut max = f64::from(contacts) / f64::from(avg);
        if ha {
            max *= t.ha_factor;
        }
        max.floor() as u64
    };
    let mut out = Vec::new();
    // Every node that homes users federates them, a routing node that does too.
    for n in ctx.inventory.imp_nodes().filter(|n| n.users.is_some_and(|u| u > 0) || !n.is_routing()) {
        let Some(users) = n.users else { continue };
        let target = n.fqdn.as_str();
        let ovas = candidate_ovas(ctx, n, &templates);
        let rows: Vec<&OvaCapacity> =
            if ovas.is_empty() { caps.iter().collect() } else { ovas.iter().filter_map(|o| capacity(*o)).collect() };
        let (Some(low), Some(high)) = (rows.iter().copied().min_by_key(|r| r.contacts), rows.iter().copied().max_by_key(|r| r.contacts))
        else {
            out.push(ctx.skip(target, "cannot judge: the catalog table federation_ova is empty"));
            continue;
        };
        let caveat = if rows.iter().all(|r| r.verified) { "" } else { " (guidance figure, unverified)" };
        let ova_text = |r: &OvaCapacity| format!("{} contacts per node on the {}-user OVA", r.contacts, r.ova_users);
        let basis = |r: &OvaCapacity| {
            format!(
                "{} / {avg} contacts per user{}{assumed}; source: {}",
                ova_text(r),
                if ha { ", halved for high availability" } else { "" },
                r.source
            )
        };
        let (max_low, max_high) = (users_for(low.contacts), users_for(high.contacts));
        let f = if u64::from(users) > max_high {
            ctx.violation(target, format!("{users} users exceed the estimated {max_high} federated users for this node{caveat}"))
                .detail(basis(high))
        } else if u64::from(users) <= max_low {
            ctx.pass(target, format!("{users} users within the estimated {max_low} federated users for this node{caveat}"))
                .detail(basis(low))
        } else {
            let which = if ovas.is_empty() {
                "its OVA is not known".to_string()
            } else {
                format!("its figures fit the {}-user OVAs", ovas.iter().map(u32::to_string).collect::<Vec<_>>().join(" and "))
            };
            ctx.skip(
                target,
                format!("cannot tell: {users} users is within the estimate of a larger OVA ({max_high}) but not of a smaller one ({max_low}), and {which}; set [cisco.nodes] vm.ova"),
            )
        };
        out.push(
            f.evidence(serde_json::json!({ "users": users, "average_contacts": avg, "high_availability": ha, "ova_candidates": ovas })),
        );
    }
    if out.is_empty() {
        out.push(ctx.skip("cluster", "no IM&P user node with a user count"));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::inventory::HostKind;
    use crate::judge::Status;
    use crate::testing::*;

    const RT_EVIDENCE: &str = r#"evidence = { service_list = "evidence/imp-rt-services.txt" }"#;
    const IMP1_EVIDENCE: &str = r#"evidence = { service_list = "evidence/imp1-services.txt" }"#;

    fn hardware(platform: &str, cpus: u32, memory_mb: u32) -> String {
        format!(
            "admin:show hardware\nHW Platform       : {platform}\nProcessors        : {cpus}\nType              : Intel(R) Xeon(R)\nCPU Speed         : 2100\nMemory            : {memory_mb} MBytes\nObject ID         : 1.3.6.1.4.1.9.1.1348\nOS Version        : UCOS 7.0.0.0-4.x86_64\n\nadmin:\n"
        )
    }

    fn with_imp1_hardware(text: &str) -> crate::inventory::Loaded {
        let inv =
            edit(CLEAN, IMP1_EVIDENCE, r#"evidence = { service_list = "evidence/imp1-services.txt", hardware = "evidence/imp1-hw.txt" }"#);
        site_with(&inv, &[("evidence/imp1-hw.txt", text)])
    }

    #[test]
    fn vm_passes_nodes_that_meet_their_template() {
        let f = judge("sizing.vm", &clean(), &offline());
        all(&f, Status::Pass);
        has(&f, "imp-rt.contoso.com", Status::Pass, "0 users: meets the 1000-user template");
        has(&f, "imp1.contoso.com", Status::Pass, "3000 users: meets the 5000-user template (2 vCPU, 8 GB RAM, 80 GB disk)");
        no_target(&f, "cucm-pub");
    }

    #[test]
    fn vm_warns_below_the_template_and_above_the_largest() {
        let mut s = clean();
        if let Some(vm) = node(&mut s, "imp1.contoso.com").vm.as_mut() {
            vm.vcpu = Some(1);
            vm.disk_gb = Some(60);
        }
        node(&mut s, "imp-rt.contoso.com").users = Some(30000);
        let f = judge("sizing.vm", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Warn, "3000 users: below the 5000-user template: 1 vCPU < 2, 60 GB disk < 80");
        has(&f, "imp-rt.contoso.com", Status::Warn, "30000 users is more than the largest IM&P template (25000 users)");
    }

    #[test]
    fn vm_cannot_tell_without_users_or_figures() {
        let mut s = clean();
        node(&mut s, "imp1.contoso.com").users = None;
        node(&mut s, "imp-rt.contoso.com").vm = None;
        let f = judge("sizing.vm", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Skip, "no user count for this node");
        has(&f, "imp-rt.contoso.com", Status::Skip, "no VM figures");
        s.inventory.cisco.nodes.retain(|n| !n.is_imp());
        has(&judge("sizing.vm", &s, &offline()), "cluster", Status::Skip, "no IM&P node in the inventory");
    }

    #[test]
    fn vm_prefers_show_hardware_and_warns_on_disagreement() {
        let s = with_imp1_hardware(&hardware("VMware Virtual Machine", 4, 8192));
        let f = judge("sizing.vm", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Warn, "meets the 5000-user template, but the inventory and the evidence disagree");
        let detail = f.iter().find(|x| x.target == "imp1.contoso.com").and_then(|x| x.detail.clone()).unwrap_or_default();
        assert!(detail.contains("the inventory says 2 vCPU but `show hardware` reports 4"), "{detail}");
        // The evidence wins: 1 processor is below the template whatever the inventory says.
        let s = with_imp1_hardware(&hardware("VMware Virtual Machine", 1, 8192));
        has(&judge("sizing.vm", &s, &offline()), "imp1.contoso.com", Status::Warn, "below the 5000-user template: 1 vCPU < 2");
    }

    #[test]
    fn host_passes_virtual_machines_on_ucs_or_third_party() {
        let mut s = clean();
        let f = judge("sizing.host", &s, &offline());
        all(&f, Status::Pass);
        has(&f, "cucm-pub.contoso.com", Status::Pass, "virtual machine on Cisco UCS");
        assert_eq!(f.len(), 3, "every Cisco node, CUCM included");
        if let Some(vm) = node(&mut s, "imp1.contoso.com").vm.as_mut() {
            vm.host = Some(HostKind::ThirdParty);
        }
        has(&judge("sizing.host", &s, &offline()), "imp1.contoso.com", Status::Pass, "virtual machine on a third-party server");
    }

    #[test]
    fn host_fails_mcs_and_bare_metal_from_10_0() {
        let mut s = clean();
        if let Some(vm) = node(&mut s, "imp1.contoso.com").vm.as_mut() {
            vm.host = Some(HostKind::Mcs);
        }
        let f = judge("sizing.host", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Fail, "runs on an MCS appliance; from 10.0 only virtual machines");
        s.inventory.cisco.imp_version = "9.1.1".into();
        has(&judge("sizing.host", &s, &offline()), "imp1.contoso.com", Status::Pass, "MCS appliance on a release before virtual-only");
        let s = with_imp1_hardware(&hardware("Cisco MCS 7845-I3", 2, 8192));
        has(
            &judge("sizing.host", &s, &offline()),
            "imp1.contoso.com",
            Status::Fail,
            "`show hardware` reports `Cisco MCS 7845-I3`, not a virtual machine",
        );
    }

    #[test]
    fn host_cannot_tell_an_unstated_host() {
        let mut s = clean();
        node(&mut s, "cucm-pub.contoso.com").vm = None;
        let f = judge("sizing.host", &s, &offline());
        has(&f, "cucm-pub.contoso.com", Status::Skip, "the host type is not stated");
    }

    #[test]
    fn versions_pass_the_same_release_train() {
        let f = judge("sizing.versions", &clean(), &offline());
        has(&f, "releases", Status::Pass, "IM&P 14.0.1.12900-2 with CUCM 14.0.1.12900-161: same release 14.0(1)");
        assert_eq!(f.len(), 1);
        // An SU spelled out reads the same as its build number.
        let mut s = clean();
        s.inventory.cisco.cucm_version = Some("14.0(1)SU2".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Pass, "same release 14.0(1)");
    }

    #[test]
    fn versions_fail_another_major_and_warn_another_minor() {
        let mut s = clean();
        s.inventory.cisco.cucm_version = Some("12.5.1.10000-22".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Fail, "IM&P must run the same major release as CUCM");
        // From 12.5 the (unverified) rule is the same release, to its maintenance release.
        s.inventory.cisco.cucm_version = Some("14.2.1".into());
        has(
            &judge("sizing.versions", &s, &offline()),
            "releases",
            Status::Warn,
            "pairs IM&P 14.0(1) only with CUCM of the same release, not 14.2(1) (rule unverified)",
        );
        s.inventory.cisco.cucm_version = Some("14.0.2.10000-1".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Warn, "not 14.0(2)");
    }

    #[test]
    fn versions_cannot_tell_without_a_readable_cucm_release() {
        let mut s = clean();
        s.inventory.cisco.cucm_version = None;
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Skip, "the CUCM release is not stated");
        s.inventory.cisco.cucm_version = Some("latest".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Skip, "cannot read the release `latest`");
        // The SU rule of 10.x needs the SU from both sides.
        s.inventory.cisco.imp_version = "10.5.2.12900-14".into();
        s.inventory.cisco.cucm_version = Some("10.5(2)".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Skip, "cannot tell: the rule needs the SU");
    }

    #[test]
    fn versions_warn_when_show_status_disagrees() {
        let status = "admin:show status\n\n Host Name         : imp-rt\n Product Ver       : 12.5.1.10000-3\n Unified OS Version : 7.0.0.0-4\n\nadmin:\n";
        let inv =
            edit(CLEAN, RT_EVIDENCE, r#"evidence = { service_list = "evidence/imp-rt-services.txt", status = "evidence/rt-status.txt" }"#);
        let s = site_with(&inv, &[("evidence/rt-status.txt", status)]);
        let f = judge("sizing.versions", &s, &offline());
        has(&f, "imp-rt.contoso.com", Status::Warn, "`show status` reports 12.5.1.10000-3, the inventory says 14.0.1.12900-2");
        has(&f, "releases", Status::Pass, "same release 14.0(1)");
    }

    #[test]
    fn cluster_passes_within_limits() {
        let f = judge("sizing.cluster", &clean(), &offline());
        has(&f, "cluster", Status::Pass, "2 IM&P nodes, 3000 users: within 6 nodes and 75000 users");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn cluster_fails_too_many_nodes_or_users_per_node() {
        let mut s = clean();
        node(&mut s, "imp1.contoso.com").users = Some(30000);
        let f = judge("sizing.cluster", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Fail, "30000 users on one node; the limit is 25000");
        let extra = s.inventory.cisco.nodes[1].clone();
        for i in 2..7 {
            let mut n = extra.clone();
            n.fqdn = format!("imp{i}.contoso.com");
            n.users = Some(100);
            s.inventory.cisco.nodes.push(n);
        }
        has(&judge("sizing.cluster", &s, &offline()), "cluster", Status::Fail, "7 IM&P nodes; a cluster holds at most 6");
    }

    #[test]
    fn cluster_cannot_tell_without_imp_nodes() {
        let mut s = clean();
        s.inventory.cisco.nodes.retain(|n| !n.is_imp());
        has(&judge("sizing.cluster", &s, &offline()), "cluster", Status::Skip, "no IM&P node in the inventory");
    }

    #[test]
    fn cluster_warns_of_members_the_inventory_leaves_out() {
        let members = "admin:show network cluster\n10.0.0.1 imp-rt.contoso.com imp-rt Publisher cups DBPub authenticated\n10.0.0.2 imp1.contoso.com imp1 Subscriber cups DBSub not authenticated\n10.0.0.9 imp9.contoso.com imp9 Subscriber cups DBSub authenticated using TCP since Sat Oct 10 04:31:44 2026\n10.0.0.3 cucm-sub.contoso.com cucm-sub Subscriber callmanager DBSub authenticated\n\nSuccessful\nadmin:\n";
        let inv = edit(
            CLEAN,
            RT_EVIDENCE,
            r#"evidence = { service_list = "evidence/imp-rt-services.txt", network_cluster = "evidence/rt-cluster.txt" }"#,
        );
        let s = site_with(&inv, &[("evidence/rt-cluster.txt", members)]);
        let f = judge("sizing.cluster", &s, &offline());
        has(&f, "imp9.contoso.com", Status::Warn, "which the inventory does not describe: nothing judged it");
        has(&f, "imp1.contoso.com", Status::Warn, "as not authenticated");
        no_target(&f, "cucm-sub");
        has(&f, "cluster", Status::Pass, "within 6 nodes");
    }

    #[test]
    fn federation_capacity_passes_within_the_estimate() {
        let f = judge("sizing.federation-capacity", &clean(), &offline());
        has(&f, "imp1.contoso.com", Status::Pass, "3000 users within the estimated 3000 federated users for this node");
        no_target(&f, "imp-rt");
    }

    #[test]
    fn federation_capacity_warns_when_high_availability_halves_it() {
        let mut s = clean();
        s.inventory.site.high_availability = Some(true);
        let f = judge("sizing.federation-capacity", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Warn, "3000 users exceed the estimated 1500 federated users for this node");
        assert!(f[0].detail.as_deref().unwrap_or_default().contains("halved for high availability"));
    }

    #[test]
    fn federation_capacity_cannot_tell_without_contacts_or_user_nodes() {
        // Without a stated average the guide's worst case (200) is assumed and said.
        let mut s = clean();
        s.inventory.site.average_contacts = None;
        let f = judge("sizing.federation-capacity", &s, &offline());
        assert!(f.iter().all(|f| f.status != Status::Skip || f.target != "cluster"), "{f:?}");
        assert!(f.iter().any(|f| f.detail.as_deref().is_some_and(|d| d.contains("assumed 200"))), "{f:?}");
        let mut s = clean();
        node(&mut s, "imp1.contoso.com").users = None;
        has(&judge("sizing.federation-capacity", &s, &offline()), "cluster", Status::Skip, "no IM&P user node with a user count");
    }

    /// A guest reports a little less memory than configured: 8062 MB is 8 GB, no
    /// disagreement with the inventory.
    #[test]
    fn vm_rounds_the_memory_a_guest_reports() {
        let s = with_imp1_hardware(&hardware("VMware Virtual Machine", 2, 8062));
        let f = judge("sizing.vm", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Pass, "3000 users: meets the 5000-user template");
        assert!(f.iter().all(|x| x.detail.is_none()), "{f:#?}");
    }

    /// A single IM&P node routes and homes every user (see routing-node.*), so its
    /// users federate through it and count against the estimate; but the capacity
    /// estimate leaves out every node with the routing role.
    #[test]
    fn federation_capacity_counts_a_single_node_that_routes_and_homes_users() {
        let mut s = clean();
        s.inventory.cisco.nodes.retain(|n| n.fqdn != "imp1.contoso.com");
        node(&mut s, "imp-rt.contoso.com").users = Some(3000);
        let f = judge("sizing.federation-capacity", &s, &offline());
        has(&f, "imp-rt.contoso.com", Status::Pass, "3000 users within the estimated 3000 federated users for this node");
    }

    /// Each node is judged on its own OVA: the 1000-user OVA carries far fewer contacts.
    #[test]
    fn federation_capacity_applies_each_nodes_own_ova() {
        let mut s = clean();
        if let Some(vm) = node(&mut s, "imp1.contoso.com").vm.as_mut() {
            vm.ova = Some(1000);
        }
        node(&mut s, "imp-rt.contoso.com").users = Some(500);
        let f = judge("sizing.federation-capacity", &s, &offline());
        has(&f, "imp1.contoso.com", Status::Warn, "3000 users exceed the estimated 600 federated users for this node");
        has(&f, "imp-rt.contoso.com", Status::Pass, "500 users within the estimated 3000");
    }

    /// Figures that fit two OVAs of different capacity: judged when both agree,
    /// cannot tell in between.
    #[test]
    fn federation_capacity_cannot_tell_between_two_ovas() {
        let mut s = clean();
        if let Some(vm) = node(&mut s, "imp1.contoso.com").vm.as_mut() {
            vm.vcpu = Some(1);
            vm.ram_gb = Some(4);
        }
        has(&judge("sizing.federation-capacity", &s, &offline()), "imp1.contoso.com", Status::Skip, "set [cisco.nodes] vm.ova");
        node(&mut s, "imp1.contoso.com").users = Some(500);
        has(&judge("sizing.federation-capacity", &s, &offline()), "imp1.contoso.com", Status::Pass, "500 users within the estimated 600");
        node(&mut s, "imp1.contoso.com").users = Some(5000);
        has(&judge("sizing.federation-capacity", &s, &offline()), "imp1.contoso.com", Status::Warn, "5000 users exceed the estimated 3000");
    }

    /// Up to 9.x the verified rule is the same major and minor release.
    #[test]
    fn versions_fail_another_minor_release_where_the_rule_is_verified() {
        let mut s = clean();
        s.inventory.cisco.imp_version = "9.0.2.10000-4".into();
        s.inventory.cisco.cucm_version = Some("9.0.12.30000-2".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Pass, "same release 9.0");
        s.inventory.cisco.cucm_version = Some("9.1.1.10000-3".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Fail, "only with CUCM of the same release, not 9.1(1)");
        // 10.x: the same SU (unverified rule, so a warning).
        s.inventory.cisco.imp_version = "10.5.2.12900-14".into();
        s.inventory.cisco.cucm_version = Some("10.5.2.13900-9".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Warn, "same release and SU, not 10.5(2)SU3");
        s.inventory.cisco.cucm_version = Some("10.5.2.12900-20".into());
        has(&judge("sizing.versions", &s, &offline()), "releases", Status::Pass, "same release 10.5(2)SU2");
    }
}
