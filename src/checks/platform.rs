//! platform.*: is this Microsoft platform and network shape supported at all?

use super::support::{cut_captures, imp_destinations, microsoft_routes};
use crate::evidence::kinds;
use crate::judge::{Check, Context, Finding, Rule};
use serde::Deserialize;

/// The `platform.*` checks: Microsoft server, transport, ASA, mixed Lync/OCS and
/// presence web service.
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
        out.extend(cut_captures(ctx, &[&kinds::STATIC_ROUTES]));
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

#[cfg(test)]
mod tests {
    use crate::inventory::Transport;
    use crate::judge::Status;
    use crate::testing::*;

    #[test]
    fn microsoft_server_passes_a_supported_platform() {
        let f = judge("platform.microsoft-server", &clean(), &offline());
        has(&f, "sfb2015", Status::Pass, "Skype for Business Server 2015 (enterprise edition) is a supported Microsoft server");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn microsoft_server_fails_an_unsupported_or_unknown_platform() {
        let mut s = clean();
        s.inventory.microsoft.platform = "sfb2019".into();
        s.inventory.microsoft.additional_platforms = vec!["teams-only".into()];
        let f = judge("platform.microsoft-server", &s, &offline());
        has(&f, "sfb2019", Status::Fail, "Skype for Business Server 2019 is not supported");
        has(&f, "teams-only", Status::Fail, "`teams-only` is not a Microsoft server platform fedcheck knows");
        assert!(f[0].remediation.is_some(), "a violation carries the catalog's fix");
    }

    /// The platform is a required key: this check always has something to judge, so
    /// its "cannot tell" is the offline run's own: nothing is skipped.
    #[test]
    fn microsoft_server_never_skips_the_required_platform() {
        let mut s = clean();
        s.inventory.microsoft.platform = String::new();
        let f = judge("platform.microsoft-server", &s, &offline());
        none(&f, Status::Skip);
        has(&f, "", Status::Fail, "is not a Microsoft server platform fedcheck knows");
    }

    #[test]
    fn transport_passes_tls_routes_on_both_sides() {
        let f = judge("platform.transport", &clean(), &offline());
        all(&f, Status::Pass);
        has(&f, "microsoft route contoso.com", Status::Pass, "contoso.com → imp-rt.contoso.com:5061 over TLS uses TLS");
        has(&f, "imp route .com.contoso.* → fe1.contoso.com", Status::Pass, "IM&P route uses TLS on port 5061");
        assert_eq!(f.len(), 3);
    }

    #[test]
    fn transport_fails_tcp_with_lync_and_informs_with_ocs() {
        let mut s = clean();
        s.inventory.microsoft.static_routes[0].transport = Transport::Tcp;
        s.inventory.cisco.federation.static_routes[1].transport = Transport::Tcp;
        let f = judge("platform.transport", &s, &offline());
        has(&f, "microsoft route contoso.com", Status::Fail, "uses TCP; Lync and Skype for Business need TLS");
        has(&f, "imp route .com.contoso.* → fe2.contoso.com", Status::Fail, "IM&P route uses TCP; Lync and Skype for Business need TLS");
        s.inventory.microsoft.platform = "ocs2007r2".into();
        let f = judge("platform.transport", &s, &offline());
        has(&f, "microsoft route contoso.com", Status::Info, "uses TCP; OCS allows it");
        has(&f, "imp route .com.contoso.* → fe2.contoso.com", Status::Info, "OCS allows it");
        none(&f, Status::Fail);
    }

    #[test]
    fn transport_cannot_tell_without_routes() {
        let mut s = clean();
        s.inventory.microsoft.static_routes.clear();
        s.inventory.cisco.federation.static_routes.clear();
        let f = judge("platform.transport", &s, &offline());
        has(&f, "routes", Status::Skip, "no static route between the systems is known");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn transport_ignores_routes_that_do_not_lead_to_imp() {
        let mut s = clean();
        s.inventory.microsoft.static_routes[0].destination = "vcs.contoso.com".into();
        s.inventory.microsoft.static_routes[0].transport = Transport::Tcp;
        let f = judge("platform.transport", &s, &offline());
        no_target(&f, "microsoft route");
        none(&f, Status::Fail);
    }

    #[test]
    fn asa_pass_fail_and_cannot_tell() {
        let mut s = clean();
        has(&judge("platform.asa", &s, &offline()), "network", Status::Pass, "no ASA between the systems");
        s.inventory.network.asa_between = Some(true);
        has(&judge("platform.asa", &s, &offline()), "network", Status::Fail, "a Cisco ASA sits between");
        s.inventory.network.asa_between = None;
        has(&judge("platform.asa", &s, &offline()), "network", Status::Skip, "does not say whether an ASA");
    }

    #[test]
    fn mixed_lync_ocs_passes_a_single_family() {
        let f = judge("platform.mixed-lync-ocs", &clean(), &offline());
        has(&f, "microsoft", Status::Pass, "no mix of Lync and OCS servers");
    }

    #[test]
    fn mixed_lync_ocs_names_the_migration_order() {
        let mut s = clean();
        s.inventory.microsoft.additional_platforms = vec!["ocs2007r2".into()];
        s.inventory.site.migrating_users = Some(true);
        let f = judge("platform.mixed-lync-ocs", &s, &offline());
        // The catalog's severity for this advisory rule is info.
        has(&f, "migration", Status::Info, "migrate the Lync users first, then the OCS users");
        assert!(f[0].remediation.is_some(), "an advisory info finding carries the fix");
        s.inventory.site.migrating_users = Some(false);
        let f = judge("platform.mixed-lync-ocs", &s, &offline());
        has(&f, "microsoft", Status::Info, "if users are migrated later, Lync users go first");
    }

    /// A platform the table does not know has no family: it cannot make a mix, so the
    /// check cannot tell more than "no mix" (it never skips).
    #[test]
    fn mixed_lync_ocs_with_an_unknown_platform_sees_no_mix() {
        let mut s = clean();
        s.inventory.microsoft.additional_platforms = vec!["mystery".into()];
        s.inventory.site.migrating_users = Some(true);
        let f = judge("platform.mixed-lync-ocs", &s, &offline());
        has(&f, "microsoft", Status::Pass, "no mix");
    }

    #[test]
    fn presence_web_service_pass_warn_and_cannot_tell() {
        let mut s = clean();
        has(&judge("platform.presence-web-service", &s, &offline()), "presence web service", Status::Pass, "is not used");
        s.inventory.cisco.presence_web_service = Some(true);
        has(
            &judge("platform.presence-web-service", &s, &offline()),
            "presence web service",
            Status::Warn,
            "will not see the presence of Microsoft users",
        );
        s.inventory.cisco.presence_web_service = None;
        has(&judge("platform.presence-web-service", &s, &offline()), "presence web service", Status::Skip, "does not say whether");
    }
}
