//! routes.*: the Microsoft static routes and the integrations they would displace.

use super::support::{imp_destinations, microsoft_routes, same_name, MsRoute};
use crate::inventory::IntegrationKind;
use crate::judge::{Check, Context, Finding, Rule};

pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::offline("routes.static-route", static_route),
        Rule::offline("routes.port-match", port_match),
        Rule::offline("routes.vcs-conflict", vcs_conflict),
        Rule::offline("routes.exchange-um-conflict", exchange_um_conflict),
        Rule::offline("routes.trusted-application", trusted_application),
    ]
}

const NO_ROUTES: &str = "no Microsoft static routes known: give [microsoft] evidence.static_routes (Get-CsStaticRoutingConfiguration) or [[microsoft.static_routes]]";

/// Where the shared domains must be routed: the load balancer when several routing
/// nodes share the load, else the routing node (or the only IM&P node).
fn expected_destinations(ctx: &Context<'_>) -> Vec<String> {
    let inv = ctx.inventory;
    let mut out: Vec<String> = inv.routing_nodes().map(|n| n.fqdn.to_ascii_lowercase()).collect();
    if out.is_empty() && inv.imp_nodes().count() == 1 {
        out.extend(inv.imp_nodes().map(|n| n.fqdn.to_ascii_lowercase()));
    }
    if let Some(lb) = &inv.network.load_balancer {
        out.push(lb.fqdn.to_ascii_lowercase());
    }
    out
}

fn static_route(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(set) = super::support::microsoft_route_views(ctx) else {
        return vec![ctx.skip("routes", NO_ROUTES)];
    };
    let shared = ctx.inventory.shared_domains();
    if shared.is_empty() {
        return vec![ctx.skip("routes", "no domain is shared by both sides (see domains.shared)")];
    }
    let expected = expected_destinations(ctx);
    // Each pool follows the collection it uses: judged once per collection in use.
    let several = set.views.len() > 1;
    let mut out: Vec<Finding> = Vec::new();
    for view in &set.views {
        let users = if view.pools.is_empty() || !several { String::new() } else { format!(" (used by {})", view.pools.join(", ")) };
        for d in &shared {
            let target = if several { format!("{d} in {}", view.collection) } else { d.clone() };
            let mine: Vec<&MsRoute> = view.routes.iter().filter(|r| r.covers(d) && r.enabled).collect();
            let Some(r) = mine.first() else {
                let whose = if several { format!(" in collection {}{users}", view.collection) } else { String::new() };
                out.push(ctx.violation(target, format!("no enabled static route sends {d} to IM&P{whose}")));
                continue;
            };
            let f = if !expected.contains(&r.destination.to_ascii_lowercase()) {
                ctx.violation(
                    target,
                    format!("the route for {d} points at {}, not at the IM&P routing node ({})", r.destination, expected.join(" or ")),
                )
            } else if !r.is_tls() {
                ctx.violation(target, format!("the route for {d} uses {}, not TLS", r.transport))
            } else {
                ctx.pass(target, r.describe())
            };
            out.push(f.detail(format!("read from {}{users}", r.source)).evidence(&mine));
        }
    }
    if let Some(note) = set.note {
        out.push(ctx.info("route collections", note).detail(
            "a pool with its own collection (Identity Service:Registrar:<pool>) ignores Global; an expanded \
             `-ExpandProperty Route` list does not say which collection a route belongs to. `| Format-List Identity,Route` \
             (with $FormatEnumerationLimit = -1) keeps it too",
        ));
    }
    out
}

fn port_match(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(routes) = microsoft_routes(ctx) else {
        return vec![ctx.skip("routes", NO_ROUTES)];
    };
    let port = ctx.inventory.cisco.federation.peer_auth_port();
    let to_imp = imp_destinations(ctx);
    let mut out: Vec<Finding> = routes
        .iter()
        .filter(|r| r.is_tls() && to_imp.contains(&r.destination.to_ascii_lowercase()))
        .map(|r| {
            let target = format!("route {}", r.match_uri);
            if r.port == port {
                ctx.pass(target, format!("{} matches the peer-auth listener port {port}", r.describe()))
            } else {
                ctx.violation(target, format!("{} but IM&P's peer-auth listener is on {port}", r.describe()))
            }
        })
        .collect();
    if out.is_empty() {
        out.push(ctx.skip("routes", "no TLS route to IM&P to compare with the peer-auth port"));
    }
    out
}

fn vcs_conflict(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let routes = microsoft_routes(ctx);
    let to_imp = imp_destinations(ctx);
    let video: Vec<_> =
        inv.microsoft.integrations.iter().filter(|i| matches!(i.kind, IntegrationKind::Vcs | IntegrationKind::Expressway)).collect();
    let shared = inv.shared_domains();
    if shared.is_empty() {
        return vec![ctx.skip("routes", "no domain is shared by both sides (see domains.shared)")];
    }
    shared
        .iter()
        .map(|d| {
            if let Some(i) = video.iter().find(|i| same_name(&i.domain, d)) {
                let to = i.target.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
                return ctx.violation(d.as_str(), format!("{}{to} is integrated with the Microsoft side for {d}: routing {d} to IM&P breaks that video integration", i.kind));
            }
            let elsewhere = routes.as_ref().and_then(|rs| rs.iter().find(|r| r.covers(d) && r.enabled && !to_imp.contains(&r.destination.to_ascii_lowercase())));
            match (elsewhere, &routes) {
                (Some(r), _) => ctx
                    .violation(d.as_str(), format!("a static route already sends {d} to {}, which is not IM&P: if it is a VCS or Expressway, that integration breaks", r.destination))
                    .detail(format!("read from {}", r.source)),
                (None, Some(_)) => ctx.pass(d.as_str(), format!("no VCS/Expressway integration or foreign route for {d}")),
                (None, None) => ctx.pass(d.as_str(), format!("no VCS/Expressway integration declared for {d}")).detail("no route evidence was given: existing routes were not examined"),
            }
        })
        .collect()
}

fn exchange_um_conflict(ctx: &Context<'_>) -> Vec<Finding> {
    let proxies: Vec<String> = match ctx.table("exchange_online_proxies") {
        Ok(p) => p,
        Err(e) => return ctx.table_error(e),
    };
    let inv = ctx.inventory;
    let shared = inv.shared_domains();
    if shared.is_empty() {
        return vec![ctx.skip("routes", "no domain is shared by both sides (see domains.shared)")];
    }
    let mut out = Vec::new();
    let providers = ctx.evidence.microsoft.hosting_providers.as_ref();
    if let Some(list) = providers {
        for p in list.iter().filter(|p| p.enabled && p.enabled_shared_address_space && proxies.iter().any(|x| same_name(x, &p.proxy_fqdn)))
        {
            out.push(
                ctx.violation(
                    format!("hosting provider {}", p.identity),
                    format!("Exchange Online UM is configured (ProxyFqdn {}, shared address space): UM for {} stops once the route points at IM&P", p.proxy_fqdn, shared.join(", ")),
                )
                .evidence(p),
            );
        }
    }
    for i in inv.microsoft.integrations.iter().filter(|i| matches!(i.kind, IntegrationKind::ExchangeUm | IntegrationKind::ExchangeOnlineUm))
    {
        if shared.iter().any(|d| same_name(d, &i.domain)) {
            out.push(ctx.violation(
                i.domain.as_str(),
                format!("{} serves {}, a domain shared with IM&P: its SIP traffic would be routed to IM&P", i.kind, i.domain),
            ));
        }
    }
    if out.is_empty() {
        let f = ctx.pass("exchange um", format!("no Exchange UM integration for {}", shared.join(", ")));
        out.push(if providers.is_none() { f.detail("no Get-CsHostingProvider evidence: Exchange Online UM was not examined") } else { f });
    }
    out
}

fn trusted_application(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(pools) = &ctx.evidence.microsoft.trusted_application_pools else {
        return vec![
            ctx.skip("trusted application", "no Get-CsTrustedApplicationPool evidence ([microsoft] evidence.trusted_application_pools)")
        ];
    };
    let inv = ctx.inventory;
    let imp: Vec<String> = inv.imp_nodes().map(|n| n.fqdn.to_ascii_lowercase()).collect();
    let mut candidates: Vec<String> = expected_destinations(ctx);
    candidates.extend(imp.iter().cloned());
    let Some(pool) = pools.iter().find(|p| candidates.contains(&p.pool_fqdn.to_ascii_lowercase())) else {
        let seen: Vec<&str> = pools.iter().map(|p| p.pool_fqdn.as_str()).collect();
        return vec![ctx
            .violation("trusted application", "no trusted application pool names an IM&P node")
            .detail(format!("pools found: {}", if seen.is_empty() { "none".into() } else { seen.join(", ") }))];
    };
    let target = format!("pool {}", pool.pool_fqdn);
    let mut out = Vec::new();
    // The pool must hang off a Microsoft pool of this site, and trust IM&P's requests.
    if let Some(reg) = pool.registrar.as_deref() {
        if !inv.microsoft.pools.is_empty() && !inv.microsoft.pools.iter().any(|p| same_name(&p.fqdn, reg)) {
            out.push(ctx.warn(target.clone(), format!("the trusted application pool's registrar is {reg}, not a pool of this inventory")));
        }
    }
    if pool.treat_as_authenticated == Some(false) {
        out.push(
            ctx.warn(target.clone(), "TreatAsAuthenticated is False: the front ends challenge IM&P's requests instead of trusting them"),
        );
    }
    let strangers: Vec<&String> = pool.computers.iter().filter(|c| !imp.contains(&c.to_ascii_lowercase())).collect();
    if !strangers.is_empty() {
        out.push(ctx.warn(
            target.clone(),
            format!(
                "the pool lists computers that are not IM&P nodes in the inventory: {}",
                strangers.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let port = inv.cisco.federation.peer_auth_port();
    match &ctx.evidence.microsoft.trusted_applications {
        None => out.push(ctx.skip(target, "no Get-CsTrustedApplication evidence: the application port was not examined")),
        Some(apps) => match apps.iter().find(|a| same_name(&a.pool_fqdn, &pool.pool_fqdn)) {
            None => out.push(ctx.violation(target, "the pool has no trusted application (New-CsTrustedApplication was not run)")),
            Some(a) if a.port != port => out.push(ctx.violation(
                target,
                format!("trusted application {} listens on {} but IM&P's peer-auth port is {port}", a.application_id, a.port),
            )),
            Some(a) => out.push(ctx.pass(target, format!("trusted application {} on port {} ({})", a.application_id, a.port, a.protocol))),
        },
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::*;
    use crate::inventory::{Integration, IntegrationKind, MicrosoftRoute, Transport};
    use crate::judge::Status;

    fn no_shared_domain() -> crate::inventory::Loaded {
        let mut s = clean();
        s.inventory.microsoft.sip_domains = vec!["fabrikam.com".into()];
        s
    }

    fn no_routes() -> crate::inventory::Loaded {
        let mut s = clean();
        s.inventory.microsoft.static_routes.clear();
        s
    }

    #[test]
    fn static_route_passes_a_tls_route_to_the_routing_node() {
        let f = judge("routes.static-route", &clean(), &offline());
        has(&f, "contoso.com", Status::Pass, "contoso.com → imp-rt.contoso.com:5061 over TLS");
        assert_eq!(f[0].detail.as_deref(), Some("read from inventory"));
    }

    #[test]
    fn static_route_fails_a_wrong_target_transport_or_a_disabled_route() {
        let mut s = clean();
        s.inventory.microsoft.static_routes[0].destination = "imp1.contoso.com".into();
        has(
            &judge("routes.static-route", &s, &offline()),
            "contoso.com",
            Status::Fail,
            "points at imp1.contoso.com, not at the IM&P routing node (imp-rt.contoso.com)",
        );
        let mut s = clean();
        s.inventory.microsoft.static_routes[0].transport = Transport::Tcp;
        has(&judge("routes.static-route", &s, &offline()), "contoso.com", Status::Fail, "the route for contoso.com uses TCP, not TLS");
        s.inventory.microsoft.static_routes[0].enabled = false;
        has(
            &judge("routes.static-route", &s, &offline()),
            "contoso.com",
            Status::Fail,
            "no enabled static route sends contoso.com to IM&P",
        );
    }

    #[test]
    fn static_route_cannot_tell() {
        has(&judge("routes.static-route", &no_routes(), &offline()), "routes", Status::Skip, "no Microsoft static routes known");
        has(&judge("routes.static-route", &no_shared_domain(), &offline()), "routes", Status::Skip, "no domain is shared by both sides");
    }

    #[test]
    fn static_route_reads_route_evidence_before_the_inventory() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/enterprise/evidence/ms/static-routes.txt"))
            .expect("evidence");
        let text = text.replace("northwind.co.uk", "contoso.com").replace("imp-rt.northwind.com", "imp-rt.contoso.com");
        let inv = edit(CLEAN, "admin_tools = true", "admin_tools = true\nevidence = { static_routes = \"evidence/routes.txt\" }");
        let s = site_with(&inv, &[("evidence/routes.txt", &text)]);
        let f = judge("routes.static-route", &s, &offline());
        has(&f, "contoso.com", Status::Pass, "contoso.com → imp-rt.contoso.com:5061 over TLS");
        let detail = f[0].detail.clone().unwrap_or_default();
        assert!(detail.starts_with("read from evidence/routes.txt line "), "{detail}");
    }

    #[test]
    fn port_match_passes_the_peer_auth_port() {
        let f = judge("routes.port-match", &clean(), &offline());
        has(&f, "route contoso.com", Status::Pass, "matches the peer-auth listener port 5061");
    }

    #[test]
    fn port_match_fails_another_port() {
        let mut s = clean();
        s.inventory.cisco.federation.peer_auth_port = Some(5062);
        has(
            &judge("routes.port-match", &s, &offline()),
            "route contoso.com",
            Status::Fail,
            "contoso.com → imp-rt.contoso.com:5061 over TLS but IM&P's peer-auth listener is on 5062",
        );
    }

    #[test]
    fn port_match_cannot_tell() {
        has(&judge("routes.port-match", &no_routes(), &offline()), "routes", Status::Skip, "no Microsoft static routes known");
        let mut s = clean();
        s.inventory.microsoft.static_routes[0].transport = Transport::Tcp;
        has(&judge("routes.port-match", &s, &offline()), "routes", Status::Skip, "no TLS route to IM&P to compare");
    }

    #[test]
    fn vcs_conflict_passes_without_video_integration() {
        has(
            &judge("routes.vcs-conflict", &clean(), &offline()),
            "contoso.com",
            Status::Pass,
            "no VCS/Expressway integration or foreign route for contoso.com",
        );
        let f = judge("routes.vcs-conflict", &no_routes(), &offline());
        has(&f, "contoso.com", Status::Pass, "no VCS/Expressway integration declared for contoso.com");
        assert!(f[0].detail.as_deref().unwrap_or_default().contains("existing routes were not examined"));
    }

    #[test]
    fn vcs_conflict_fails_a_video_integration_or_a_foreign_route() {
        let mut s = clean();
        s.inventory.microsoft.integrations.push(Integration {
            kind: IntegrationKind::Expressway,
            domain: "contoso.com".into(),
            target: Some("expe.contoso.com".into()),
        });
        has(
            &judge("routes.vcs-conflict", &s, &offline()),
            "contoso.com",
            Status::Fail,
            "Cisco Expressway (expe.contoso.com) is integrated with the Microsoft side for contoso.com",
        );
        let mut s = clean();
        s.inventory.microsoft.static_routes.push(MicrosoftRoute {
            match_uri: "contoso.com".into(),
            destination: "vcs.contoso.com".into(),
            port: 5061,
            transport: Transport::Tls,
            enabled: true,
        });
        has(
            &judge("routes.vcs-conflict", &s, &offline()),
            "contoso.com",
            Status::Fail,
            "a static route already sends contoso.com to vcs.contoso.com, which is not IM&P",
        );
    }

    #[test]
    fn vcs_conflict_cannot_tell_without_a_shared_domain() {
        has(&judge("routes.vcs-conflict", &no_shared_domain(), &offline()), "routes", Status::Skip, "no domain is shared by both sides");
    }

    #[test]
    fn exchange_um_conflict_passes_without_um() {
        let f = judge("routes.exchange-um-conflict", &clean(), &offline());
        has(&f, "exchange um", Status::Pass, "no Exchange UM integration for contoso.com");
        assert!(f[0].detail.as_deref().unwrap_or_default().contains("no Get-CsHostingProvider evidence"));
    }

    #[test]
    fn exchange_um_conflict_fails_um_on_the_shared_domain() {
        let mut s = clean();
        s.inventory.microsoft.integrations.push(Integration {
            kind: IntegrationKind::ExchangeUm,
            domain: "Contoso.com".into(),
            target: None,
        });
        has(
            &judge("routes.exchange-um-conflict", &s, &offline()),
            "Contoso.com",
            Status::Fail,
            "Exchange UM (on-premises) serves Contoso.com, a domain shared with IM&P",
        );
        let providers =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/enterprise/evidence/ms/hosting-providers.txt"))
                .expect("evidence");
        let inv = edit(CLEAN, "admin_tools = true", "admin_tools = true\nevidence = { hosting_providers = \"evidence/hp.txt\" }");
        let s = site_with(&inv, &[("evidence/hp.txt", &providers)]);
        let f = judge("routes.exchange-um-conflict", &s, &offline());
        has(
            &f,
            "hosting provider Exchange Online",
            Status::Fail,
            "Exchange Online UM is configured (ProxyFqdn exap.um.outlook.com, shared address space)",
        );
        no_target(&f, "SkypeforBusinessOnline");
    }

    #[test]
    fn exchange_um_conflict_cannot_tell_without_a_shared_domain() {
        has(
            &judge("routes.exchange-um-conflict", &no_shared_domain(), &offline()),
            "routes",
            Status::Skip,
            "no domain is shared by both sides",
        );
    }

    fn pool_text(pool: &str, computers: &str, treat: &str) -> String {
        format!(
            "PS C:\\> Get-CsTrustedApplicationPool\n\n\nIdentity                  : TrustedApplicationPool:{pool}\nRegistrar                 : Registrar:sfbpool.contoso.com\nTreatAsAuthenticated      : {treat}\nOutboundOnly              : False\nApplications              : {{urn:application:imp}}\nPoolFqdn                  : {pool}\nComputers                 : {{{computers}}}\nFqdn                      : {pool}\n\n\n\nPS C:\\>\n"
        )
    }

    fn app_text(pool: &str, port: u16) -> String {
        format!(
            "PS C:\\> Get-CsTrustedApplication\n\n\nIdentity                             : {pool}/urn:application:imp\nProtocol                             : Mtls\nApplicationId                        : urn:application:imp\nTrustedApplicationPoolFqdn           : {pool}\nPort                                 : {port}\nLegacyApplicationName                : imp\n\n\n\nPS C:\\>\n"
        )
    }

    fn trusted(pool: &str, app: Option<&str>) -> crate::inventory::Loaded {
        let files = match app {
            Some(_) => "evidence = { trusted_application_pools = \"evidence/pool.txt\", trusted_applications = \"evidence/app.txt\" }",
            None => "evidence = { trusted_application_pools = \"evidence/pool.txt\" }",
        };
        let inv = edit(CLEAN, "admin_tools = true", &format!("admin_tools = true\n{files}"));
        let mut list = vec![("evidence/pool.txt", pool)];
        if let Some(app) = app {
            list.push(("evidence/app.txt", app));
        }
        site_with(&inv, &list)
    }

    #[test]
    fn trusted_application_passes_imp_on_the_peer_auth_port() {
        let s = trusted(
            &pool_text("imp-rt.contoso.com", "imp-rt.contoso.com, imp1.contoso.com", "True"),
            Some(&app_text("imp-rt.contoso.com", 5061)),
        );
        let f = judge("routes.trusted-application", &s, &offline());
        all(&f, Status::Pass);
        has(&f, "pool imp-rt.contoso.com", Status::Pass, "trusted application urn:application:imp on port 5061");
    }

    #[test]
    fn trusted_application_fails_a_wrong_port_a_missing_app_or_no_imp_pool() {
        let pool = pool_text("imp-rt.contoso.com", "imp-rt.contoso.com", "True");
        let s = trusted(&pool, Some(&app_text("imp-rt.contoso.com", 5062)));
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool imp-rt.contoso.com",
            Status::Fail,
            "listens on 5062 but IM&P's peer-auth port is 5061",
        );
        let s = trusted(&pool, Some(&app_text("other.contoso.com", 5061)));
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool imp-rt.contoso.com",
            Status::Fail,
            "the pool has no trusted application",
        );
        let s = trusted(&pool_text("gw.contoso.com", "gw.contoso.com", "True"), None);
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "trusted application",
            Status::Fail,
            "no trusted application pool names an IM&P node",
        );
    }

    #[test]
    fn trusted_application_warns_of_untrusted_or_strange_pools() {
        let s = trusted(
            &pool_text("imp-rt.contoso.com", "imp-rt.contoso.com, old-imp.contoso.com", "False"),
            Some(&app_text("imp-rt.contoso.com", 5061)),
        );
        let f = judge("routes.trusted-application", &s, &offline());
        has(&f, "pool imp-rt.contoso.com", Status::Warn, "TreatAsAuthenticated is False");
        has(&f, "pool imp-rt.contoso.com", Status::Warn, "computers that are not IM&P nodes in the inventory: old-imp.contoso.com");
    }

    #[test]
    fn trusted_application_cannot_tell_without_evidence() {
        has(
            &judge("routes.trusted-application", &clean(), &offline()),
            "trusted application",
            Status::Skip,
            "no Get-CsTrustedApplicationPool evidence",
        );
        let s = trusted(&pool_text("imp-rt.contoso.com", "imp-rt.contoso.com", "True"), None);
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool imp-rt.contoso.com",
            Status::Skip,
            "no Get-CsTrustedApplication evidence",
        );
    }

    /// `*.contoso.com` covers subdomains only: the shared domain itself is not routed.
    #[test]
    fn static_route_wildcards_do_not_cover_the_apex() {
        let mut s = clean();
        s.inventory.microsoft.static_routes[0].match_uri = "*.contoso.com".into();
        has(
            &judge("routes.static-route", &s, &offline()),
            "contoso.com",
            Status::Fail,
            "no enabled static route sends contoso.com to IM&P",
        );
    }
}
