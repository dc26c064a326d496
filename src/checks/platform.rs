//! platform.*: is this Microsoft platform and network shape supported at all?

use super::support::{imp_destinations, microsoft_routes};
use crate::judge::{Check, Context, Finding, Rule};
use serde::Deserialize;

pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::offline("platform.microsoft-server", microsoft_server),
        Rule::offline("platform.transport", transport),
        Rule::offline("platform.asa", asa),
        Rule::offline("platform.mixed-lync-ocs", mixed_lync_ocs),
        Rule::offline("platform.presence-web-service", presence_web_service),
    ]
}

#[derive(Debug, Deserialize)]
struct PlatformRow {
    id: String,
    name: String,
    supported: bool,
    #[serde(default)]
    kind: Option<String>,
}

fn platforms(ctx: &Context<'_>) -> Result<Vec<PlatformRow>, crate::judge::TableError> {
    ctx.table("microsoft_platforms")
}

fn microsoft_server(ctx: &Context<'_>) -> Vec<Finding> {
    let rows = match platforms(ctx) {
        Ok(r) => r,
        Err(e) => return ctx.table_error(e),
    };
    let ms = &ctx.inventory.microsoft;
    let supported: Vec<&str> = rows.iter().filter(|r| r.supported).map(|r| r.name.as_str()).collect();
    std::iter::once(&ms.platform)
        .chain(ms.additional_platforms.iter())
        .map(|p| match rows.iter().find(|r| r.id.eq_ignore_ascii_case(p)) {
            Some(row) if row.supported => {
                let edition = ms.edition.map(|e| format!(" ({e:?} edition)").to_lowercase()).unwrap_or_default();
                ctx.pass(p.as_str(), format!("{}{edition} is a supported Microsoft server", row.name))
            }
            Some(row) => ctx
                .violation(p.as_str(), format!("{} is not supported for partitioned intradomain federation", row.name))
                .detail(format!("supported: {}", supported.join(", "))),
            None => ctx
                .violation(p.as_str(), format!("`{p}` is not a Microsoft server platform fedcheck knows"))
                .detail(format!("supported: {}", supported.join(", "))),
        })
        .collect()
}

/// With Lync and Skype for Business every route between the systems is TLS; only
/// OCS 2007 R2 also allows TCP.
fn transport(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let ocs = inv.platform_is_ocs();
    let to_imp = imp_destinations(ctx);
    let mut out = Vec::new();
    if let Some(routes) = microsoft_routes(ctx) {
        for r in routes.iter().filter(|r| to_imp.contains(&r.destination.to_ascii_lowercase())) {
            let target = format!("microsoft route {}", r.match_uri);
            out.push(if r.is_tls() {
                ctx.pass(target, format!("{} uses TLS", r.describe()))
            } else if ocs {
                ctx.info(target, format!("{} uses {}; OCS allows it, TLS is still preferred", r.describe(), r.transport))
            } else {
                ctx.violation(target, format!("{} uses {}; Lync and Skype for Business need TLS", r.describe(), r.transport))
                    .detail(format!("read from {}", r.source))
            });
        }
    }
    for r in &inv.cisco.federation.static_routes {
        let target = format!("imp route {} → {}", r.pattern, r.next_hop);
        out.push(match r.transport {
            crate::inventory::Transport::Tls => ctx.pass(target, format!("IM&P route uses TLS on port {}", r.port)),
            t if ocs => ctx.info(target, format!("IM&P route uses {t}; OCS allows it, TLS is still preferred")),
            t => ctx.violation(target, format!("IM&P route uses {t}; Lync and Skype for Business need TLS")),
        });
    }
    if out.is_empty() {
        out.push(ctx.skip("routes", "no static route between the systems is known (no route evidence, none in the inventory)"));
    }
    out
}

fn asa(ctx: &Context<'_>) -> Vec<Finding> {
    match ctx.inventory.network.asa_between {
        Some(true) => vec![ctx.violation("network", "a Cisco ASA sits between IM&P and the Microsoft servers")],
        Some(false) => vec![ctx.pass("network", "no ASA between the systems")],
        None => vec![ctx.skip("network", "the inventory does not say whether an ASA sits between the systems ([network] asa_between)")],
    }
}

fn mixed_lync_ocs(ctx: &Context<'_>) -> Vec<Finding> {
    let rows = match platforms(ctx) {
        Ok(r) => r,
        Err(e) => return ctx.table_error(e),
    };
    let ms = &ctx.inventory.microsoft;
    let kind_of = |p: &String| rows.iter().find(|r| r.id.eq_ignore_ascii_case(p)).and_then(|r| r.kind.clone());
    let kinds: Vec<String> = std::iter::once(&ms.platform).chain(ms.additional_platforms.iter()).filter_map(kind_of).collect();
    let mixed = kinds.iter().any(|k| k == "lync") && kinds.iter().any(|k| k == "ocs");
    if !mixed {
        return vec![ctx.pass("microsoft", "no mix of Lync and OCS servers")];
    }
    match ctx.inventory.site.migrating_users {
        Some(true) => {
            vec![ctx.violation("migration", "Lync and OCS servers are both in service: migrate the Lync users first, then the OCS users")]
        }
        _ => vec![ctx.info("microsoft", "Lync and OCS servers are both in service; if users are migrated later, Lync users go first")],
    }
}

fn presence_web_service(ctx: &Context<'_>) -> Vec<Finding> {
    match ctx.inventory.cisco.presence_web_service {
        Some(true) => vec![ctx.violation(
            "presence web service",
            "an application uses the Presence Web Service: it will not see the presence of Microsoft users",
        )],
        Some(false) => vec![ctx.pass("presence web service", "the Presence Web Service API is not used")],
        None => vec![ctx.skip(
            "presence web service",
            "the inventory does not say whether the Presence Web Service API is used ([cisco] presence_web_service)",
        )],
    }
}
