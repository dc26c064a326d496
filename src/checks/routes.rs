//! routes.*: the Microsoft static routes and the integrations they would displace.

use super::support::{cut_captures, imp_destinations, list_some, microsoft_routes, same_name, MsRoute};
use crate::evidence::kinds;
use crate::inventory::IntegrationKind;
use crate::judge::{Check, Context, Finding, Rule};

/// The `routes.*` checks: the Microsoft static route, its port, and conflicts with VCS,
/// Exchange UM, online split domain and the trusted application.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Rule::offline("routes.static-route", static_route),
        Rule::offline("routes.port-match", port_match),
        Rule::offline("routes.vcs-conflict", vcs_conflict),
        Rule::offline("routes.exchange-um-conflict", exchange_um_conflict),
        Rule::offline("routes.online-split-domain", online_split_domain),
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
            if !view.shown {
                let shown: Vec<&str> = set.views.iter().filter(|v| v.shown).map(|v| v.collection.as_str()).collect();
                out.push(ctx.skip(
                    target,
                    format!(
                        "cannot tell: the capture shows only collection {}; collection {}{users} is not in it",
                        shown.join(", "),
                        view.collection
                    ),
                ));
                continue;
            }
            let mine: Vec<&MsRoute> = view.routes.iter().filter(|r| r.covers(d) && r.enabled).collect();
            let Some(r) = mine.first() else {
                let whose = if several { format!(" in collection {}{users}", view.collection) } else { String::new() };
                out.push(if set.cut {
                    ctx.skip(
                        target,
                        format!(
                            "cannot tell: no enabled route for {d}{whose} before the capture's cut, and it may be in what was not saved"
                        ),
                    )
                } else {
                    ctx.violation(target, format!("no enabled static route sends {d} to IM&P{whose}"))
                });
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
             `-ExpandProperty Route` list does not say which collection a route belongs to unless the command \
             names it with -Identity. The export script's per-route records keep it on every shell (PowerShell 2.0 included)",
        ));
    }
    out.extend(cut_captures(ctx, &[&kinds::STATIC_ROUTES]));
    out
}

/// Where the peer-auth port is read from, for the skip that asks for it.
const ASK_PEER_AUTH: &str = "IM&P's peer-auth listener port is not stated: give [cisco.federation] peer_auth_port (System > Application Listeners, Default Cisco SIP Proxy TLS Listener - Peer Auth)";

fn port_match(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(routes) = microsoft_routes(ctx) else {
        return vec![ctx.skip("routes", NO_ROUTES)];
    };
    let fed = &ctx.inventory.cisco.federation;
    let (peer, server) = (fed.peer_auth_port, fed.server_auth_port);
    let to_imp = imp_destinations(ctx);
    let mut out: Vec<Finding> = routes
        .iter()
        .filter(|r| r.is_tls() && r.enabled && to_imp.contains(&r.destination.to_ascii_lowercase()))
        .map(|r| {
            let target = format!("route {}", r.match_uri);
            let f = match (peer, server) {
                // The server-auth listener on the route's port answers the Microsoft side
                // without treating it as a federation peer, whatever peer-auth says.
                (_, Some(s)) if s == r.port => ctx.violation(
                    target,
                    format!(
                        "{} lands on IM&P's server-auth listener (port {s}): move server-auth off {s}, then put peer-auth on it",
                        r.describe()
                    ),
                ),
                (None, _) => {
                    ctx.skip(target, format!("cannot tell whether {} reaches the peer-auth listener: {ASK_PEER_AUTH}", r.describe()))
                }
                (Some(p), _) if p == r.port => ctx.pass(target, format!("{} matches the peer-auth listener port {p}", r.describe())),
                (Some(p), _) => ctx.violation(target, format!("{} but IM&P's peer-auth listener is on {p}", r.describe())),
            };
            f.detail(format!("read from {}", r.source))
        })
        .collect();
    if out.is_empty() {
        out.push(ctx.skip("routes", "no enabled TLS route to IM&P to compare with the peer-auth port"));
    }
    out.extend(cut_captures(ctx, &[&kinds::STATIC_ROUTES]));
    out
}

fn vcs_conflict(ctx: &Context<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let routes = microsoft_routes(ctx);
    let cut = ctx.evidence.microsoft.static_routes.as_ref().is_some_and(|r| r.cut.is_some());
    let to_imp = imp_destinations(ctx);
    let video: Vec<_> =
        inv.microsoft.integrations.iter().filter(|i| matches!(i.kind, IntegrationKind::Vcs | IntegrationKind::Expressway)).collect();
    let shared = inv.shared_domains();
    if shared.is_empty() {
        return vec![ctx.skip("routes", "no domain is shared by both sides (see domains.shared)")];
    }
    let mut out: Vec<Finding> = shared
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
                (None, Some(_)) if cut => ctx.skip(d.as_str(), format!("cannot tell: no foreign route for {d} before the capture's cut, and one may be in what was not saved")),
                (None, Some(_)) => ctx.pass(d.as_str(), format!("no VCS/Expressway integration or foreign route for {d}")),
                (None, None) => ctx.pass(d.as_str(), format!("no VCS/Expressway integration declared for {d}")).detail("no route evidence was given: existing routes were not examined"),
            }
        })
        .collect();
    out.extend(cut_captures(ctx, &[&kinds::STATIC_ROUTES]));
    out
}

/// Does `name` match a catalog pattern (`host.example.com` or `*.example.com`)?
fn matches_pattern(pattern: &str, name: &str) -> bool {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(base) => name.ends_with(&format!(".{base}")),
        None => name == pattern,
    }
}

fn exchange_um_conflict(ctx: &Context<'_>) -> Vec<Finding> {
    let proxies: Vec<String> = match ctx.table("exchange_online_proxies") {
        Ok(p) => p,
        Err(e) => return ctx.table_error(e),
    };
    let is_um = |fqdn: &str| proxies.iter().any(|x| matches_pattern(x, fqdn));
    let inv = ctx.inventory;
    let shared = inv.shared_domains();
    if shared.is_empty() {
        return vec![ctx.skip("routes", "no domain is shared by both sides (see domains.shared)")];
    }
    let domains = shared.join(", ");
    let mut out = Vec::new();
    let providers = ctx.evidence.microsoft.hosting_providers.as_ref();
    let policies = ctx.evidence.microsoft.hosted_voicemail_policies.as_ref();
    // UM shown: a hosted voice mail policy that sends voice mail to Exchange Online.
    let um_policies: Vec<_> =
        policies.map(|ps| ps.iter().filter(|p| p.destination.as_deref().is_some_and(is_um)).collect()).unwrap_or_default();
    for p in &um_policies {
        let dest = p.destination.as_deref().unwrap_or_default();
        out.push(
            ctx.violation(
                format!("hosted voicemail policy {}", p.identity),
                format!("Exchange Online UM is in use (hosted voice mail to {dest}): voice mail for {domains} stops once the route points at IM&P"),
            )
            .evidence(p),
        );
    }
    let online_um = inv
        .microsoft
        .integrations
        .iter()
        .any(|i| i.kind == IntegrationKind::ExchangeOnlineUm && shared.iter().any(|d| same_name(d, &i.domain)));
    // The provider alone: Exchange Online UM, or only Outlook Web App IM and presence.
    if let Some(list) = providers {
        for p in list.iter().filter(|p| p.enabled && is_um(&p.proxy_fqdn)) {
            let target = format!("hosting provider {}", p.identity);
            let f = if !um_policies.is_empty() || online_um {
                ctx.violation(target, format!("Exchange Online UM is configured through ProxyFqdn {}: voice mail for {domains} stops once the route points at IM&P", p.proxy_fqdn))
            } else if policies.is_some() {
                ctx.pass(
                    target,
                    format!("ProxyFqdn {} serves no hosted voice mail policy: Outlook Web App IM and presence only", p.proxy_fqdn),
                )
                .detail("no Get-CsHostedVoicemailPolicy Destination points at Exchange Online")
            } else {
                ctx.warn(
                    target,
                    format!("ProxyFqdn {} serves Exchange Online UM or only Outlook Web App IM and presence: confirm which", p.proxy_fqdn),
                )
                .detail("run Get-CsHostedVoicemailPolicy and give it as [microsoft] evidence.hosted_voicemail_policies: a Destination of exap.um.outlook.com (or a national-cloud variant) means Exchange Online UM is in use; or declare an exchange-online-um integration")
            };
            out.push(f.evidence(p));
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
    let cut = providers.is_some_and(|p| p.cut.is_some()) || policies.is_some_and(|p| p.cut.is_some());
    if out.is_empty() && cut {
        out.push(ctx.skip("exchange um", format!("cannot tell: no Exchange UM integration for {domains} before the capture's cut")));
    }
    if out.is_empty() {
        let f = ctx.pass("exchange um", format!("no Exchange UM integration for {domains}"));
        let unseen: Vec<&str> =
            [providers.is_none().then_some("Get-CsHostingProvider"), policies.is_none().then_some("Get-CsHostedVoicemailPolicy")]
                .into_iter()
                .flatten()
                .collect();
        out.push(if unseen.is_empty() {
            f
        } else {
            f.detail(format!("no {} evidence: Exchange Online UM was not examined there", unseen.join(" or ")))
        });
    }
    out.extend(cut_captures(ctx, &[&kinds::HOSTING_PROVIDERS, &kinds::HOSTED_VOICEMAIL]));
    out
}

/// Skype for Business Online sharing the SIP address space (split domain, hybrid):
/// users of the shared domain may live in Office 365, the same conflict as UM.
fn online_split_domain(ctx: &Context<'_>) -> Vec<Finding> {
    let patterns: Vec<String> = match ctx.table("online_proxies") {
        Ok(p) => p,
        Err(e) => return ctx.table_error(e),
    };
    let shared = ctx.inventory.shared_domains();
    if shared.is_empty() {
        return vec![ctx.skip("routes", "no domain is shared by both sides (see domains.shared)")];
    }
    let Some(providers) = ctx.evidence.microsoft.hosting_providers.as_ref() else {
        return vec![
            ctx.skip("hosting providers", "cannot tell: no Get-CsHostingProvider evidence ([microsoft] evidence.hosting_providers)")
        ];
    };
    let online: Vec<_> = providers.iter().filter(|p| patterns.iter().any(|x| matches_pattern(x, &p.proxy_fqdn))).collect();
    let sharing: Vec<_> = online.iter().filter(|p| p.enabled && p.enabled_shared_address_space && p.hosts_ocs_users).collect();
    let mut out: Vec<Finding> = shared
        .iter()
        .map(|d| {
            if let Some(p) = sharing.first() {
                ctx.violation(
                    d.as_str(),
                    format!(
                        "hosting provider {} (ProxyFqdn {}) shares the SIP address space with Skype for Business Online: users of {d} may be homed in Office 365, which partitioned federation with IM&P cannot serve",
                        p.identity, p.proxy_fqdn
                    ),
                )
                .evidence(&sharing)
            } else if online.is_empty() && providers.cut.is_some() {
                ctx.skip(d.as_str(), "cannot tell: no Skype for Business Online hosting provider before the capture's cut")
            } else if online.is_empty() {
                ctx.pass(d.as_str(), "no Skype for Business Online hosting provider")
            } else {
                let flags: Vec<String> = online
                    .iter()
                    .map(|p| {
                        format!(
                            "{}: Enabled {}, EnabledSharedAddressSpace {}, HostsOCSUsers {}",
                            p.identity, p.enabled, p.enabled_shared_address_space, p.hosts_ocs_users
                        )
                    })
                    .collect();
                ctx.pass(d.as_str(), "the Skype for Business Online hosting provider does not share the SIP address space")
                    .detail(flags.join("; "))
                    .evidence(&online)
            }
        })
        .collect();
    out.extend(cut_captures(ctx, &[&kinds::HOSTING_PROVIDERS]));
    out
}

/// The IM&P nodes that send requests to the Microsoft side: every routing node (all
/// of them behind a load balancer), else every IM&P node.
/// The IM&P nodes that send requests to the Microsoft pool: every node of the cluster,
/// not only the routing node (each sends SUBSCRIBE, NOTIFY and INVITE for its own
/// users directly; the pool is created with the routing node and
/// New-CsTrustedApplicationComputer adds every other node).
fn senders(ctx: &Context<'_>) -> Vec<String> {
    ctx.inventory.imp_nodes().map(|n| n.fqdn.to_ascii_lowercase()).collect()
}

fn trusted_application(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = trusted_application_pool(ctx);
    if ctx.evidence.microsoft.trusted_application_pools.is_some() {
        out.extend(cut_captures(ctx, &[&kinds::TRUSTED_POOLS, &kinds::TRUSTED_APPS]));
    }
    out
}

fn trusted_application_pool(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(pools) = &ctx.evidence.microsoft.trusted_application_pools else {
        return vec![
            ctx.skip("trusted application", "no Get-CsTrustedApplicationPool evidence ([microsoft] evidence.trusted_application_pools)")
        ];
    };
    let inv = ctx.inventory;
    let imp: Vec<String> = inv.imp_nodes().map(|n| n.fqdn.to_ascii_lowercase()).collect();
    if imp.is_empty() {
        return vec![ctx.skip("trusted application", "no IM&P node in the inventory")];
    }
    let required = senders(ctx);
    let holds = |p: &crate::evidence::trusted_app::TrustedApplicationPool, names: &[String]| {
        p.computers.iter().filter(|c| names.iter().any(|n| same_name(n, c))).count()
    };
    // The pool's name is free: it is IM&P's by its computers.
    let Some(pool) = pools
        .iter()
        .filter(|p| holds(p, &imp) > 0)
        .max_by_key(|p| (holds(p, &required), holds(p, &imp), std::cmp::Reverse(p.computers.len())))
    else {
        let seen: Vec<String> = pools.iter().map(|p| p.pool_fqdn.clone()).collect();
        if pools.cut.is_some() {
            return vec![
                ctx.skip("trusted application", "cannot tell: no trusted application pool lists an IM&P node before the capture's cut")
            ];
        }
        return vec![ctx
            .violation("trusted application", "no trusted application pool lists an IM&P node among its computers")
            .detail(format!("pools found: {}", if seen.is_empty() { "none".into() } else { list_some(&seen, 5) }))];
    };
    let target = format!("pool {}", pool.pool_fqdn);
    let mut out = Vec::new();
    let missing: Vec<String> = required.iter().filter(|n| !pool.computers.iter().any(|c| same_name(c, n))).cloned().collect();
    if !missing.is_empty() {
        out.push(
            ctx.violation(
                target.clone(),
                format!(
                    "the pool's computers miss {} that sends requests to the Microsoft side: {}",
                    if missing.len() == 1 { "an IM&P node" } else { "IM&P nodes" },
                    list_some(&missing, 5)
                ),
            )
            .detail(format!("computers: {}; add each with New-CsTrustedApplicationComputer", list_some(&pool.computers, 10))),
        );
    }
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
    let strangers: Vec<String> = pool.computers.iter().filter(|c| !imp.iter().any(|n| same_name(n, c))).cloned().collect();
    if !strangers.is_empty() {
        out.push(ctx.warn(
            target.clone(),
            format!("the pool lists computers that are not IM&P nodes in the inventory: {}", list_some(&strangers, 5)),
        ));
    }
    let fed = &inv.cisco.federation;
    match &ctx.evidence.microsoft.trusted_applications {
        None => out.push(ctx.skip(target, "no Get-CsTrustedApplication evidence: the application port was not examined")),
        // A pool may hold several applications: the one on the peer-auth port speaks for it.
        Some(apps) => match apps.iter().filter(|a| same_name(&a.pool_fqdn, &pool.pool_fqdn)).min_by_key(|a| {
            if Some(a.port) == fed.peer_auth_port {
                0
            } else {
                1
            }
        }) {
            None if apps.cut.is_some() => {
                out.push(ctx.skip(target, "cannot tell: none of the pool's trusted applications comes before the capture's cut"))
            }
            None => out.push(ctx.violation(target, "the pool has no trusted application (New-CsTrustedApplication was not run)")),
            Some(a) => out.push(match (fed.peer_auth_port, fed.server_auth_port) {
                (_, Some(s)) if s == a.port => ctx.violation(
                    target,
                    format!(
                        "trusted application {} is on port {s}, IM&P's server-auth listener, not its peer-auth listener",
                        a.application_id
                    ),
                ),
                (None, _) => ctx.skip(
                    target,
                    format!(
                        "cannot tell whether trusted application {} on port {} is IM&P's peer-auth port: {ASK_PEER_AUTH}",
                        a.application_id, a.port
                    ),
                ),
                (Some(p), _) if p != a.port => ctx.violation(
                    target,
                    format!("trusted application {} listens on {} but IM&P's peer-auth port is {p}", a.application_id, a.port),
                ),
                (Some(_), _) => ctx.pass(target, format!("trusted application {} on port {} ({})", a.application_id, a.port, a.protocol)),
            }),
        },
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::inventory::{Integration, IntegrationKind, MicrosoftRoute, Transport};
    use crate::judge::Status;
    use crate::testing::*;

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
    fn a_collection_named_by_the_command_counts_only_for_its_pool() {
        // Expanded routes of one pool's collection, named only by the echoed -Identity.
        let text = "PS C:\\> Get-CsStaticRoutingConfiguration -Identity Service:Registrar:sfbpool.contoso.com | Select-Object -ExpandProperty Route\n\n\
            Transport               : TransportChoice=Certificate=Microsoft.Rtc.Management.WritableConfig.Settings.SipProxy.UseDefaultCert;Fqdn=imp-rt.contoso.com;Port=5061\n\
            MatchUri                : contoso.com\nMatchOnlyPhoneUri       : False\nEnabled                 : True\nReplaceHostInRequestUri : False\n\nPS C:\\>\n";
        let routes = crate::evidence::static_routes::parse(text).expect("reads");
        assert_eq!(routes.routes[0].identity.as_deref(), Some("Service:Registrar:sfbpool.contoso.com"));
        assert_eq!(routes.collections, vec!["Service:Registrar:sfbpool.contoso.com".to_string()]);
        let two_pools = edit(CLEAN, "admin_tools = true", "admin_tools = true\nevidence = { static_routes = \"evidence/routes.txt\" }")
            .replace(
                "[[microsoft.static_routes]]",
                "[[microsoft.pools]]\nfqdn = \"pool2.contoso.com\"\nservers = [\"fe3.contoso.com\"]\n\n[[microsoft.static_routes]]",
            );
        let s = site_with(&two_pools, &[("evidence/routes.txt", text)]);
        let f = judge("routes.static-route", &s, &offline());
        has(&f, "contoso.com in Service:Registrar:sfbpool.contoso.com", Status::Pass, "contoso.com → imp-rt.contoso.com:5061 over TLS");
        // Pool 2 uses Global, which the capture never showed: cannot tell, not pass.
        has(
            &f,
            "contoso.com in Global",
            Status::Skip,
            "cannot tell: the capture shows only collection Service:Registrar:sfbpool.contoso.com",
        );
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
        has(&judge("routes.port-match", &s, &offline()), "routes", Status::Skip, "no enabled TLS route to IM&P to compare");
        // The listener port is not assumed: without it the check asks for it.
        let mut s = clean();
        s.inventory.cisco.federation.peer_auth_port = None;
        has(
            &judge("routes.port-match", &s, &offline()),
            "route contoso.com",
            Status::Skip,
            "cannot tell whether contoso.com → imp-rt.contoso.com:5061 over TLS reaches the peer-auth listener: IM&P's peer-auth listener port is not stated: give [cisco.federation] peer_auth_port",
        );
    }

    #[test]
    fn port_match_fails_a_server_auth_listener_left_on_the_route_port() {
        let mut s = clean();
        s.inventory.cisco.federation.server_auth_port = Some(5062);
        has(&judge("routes.port-match", &s, &offline()), "route contoso.com", Status::Pass, "matches the peer-auth listener port 5061");
        s.inventory.cisco.federation.peer_auth_port = Some(5062);
        s.inventory.cisco.federation.server_auth_port = Some(5061);
        has(
            &judge("routes.port-match", &s, &offline()),
            "route contoso.com",
            Status::Fail,
            "lands on IM&P's server-auth listener (port 5061): move server-auth off 5061",
        );
        // Known to be wrong even when peer-auth is not stated.
        s.inventory.cisco.federation.peer_auth_port = None;
        has(&judge("routes.port-match", &s, &offline()), "route contoso.com", Status::Fail, "server-auth listener (port 5061)");
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
        assert!(f[0].detail.as_deref().unwrap_or_default().contains("no Get-CsHostingProvider or Get-CsHostedVoicemailPolicy evidence"));
    }

    const ENTERPRISE_PROVIDERS: &str = include_str!("../../examples/enterprise/evidence/ms/hosting-providers.txt");

    fn voicemail(destination: &str) -> String {
        format!(
            "PS C:\\> Get-CsHostedVoicemailPolicy\n\nIdentity     : Global\nDescription  :\nDestination  : {destination}\nOrganization : contoso.com\n\nPS C:\\>\n"
        )
    }

    /// Hosting providers and, when given, hosted voice mail policies as evidence.
    fn hosted(providers: &str, policies: Option<&str>) -> crate::inventory::Loaded {
        let files = match policies {
            Some(_) => "evidence = { hosting_providers = \"evidence/hp.txt\", hosted_voicemail_policies = \"evidence/vm.txt\" }",
            None => "evidence = { hosting_providers = \"evidence/hp.txt\" }",
        };
        let inv = edit(CLEAN, "admin_tools = true", &format!("admin_tools = true\n{files}"));
        let mut list = vec![("evidence/hp.txt", providers)];
        if let Some(p) = policies {
            list.push(("evidence/vm.txt", p));
        }
        site_with(&inv, &list)
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
        // A hosted voice mail policy to Exchange Online shows UM in use.
        let s = hosted(ENTERPRISE_PROVIDERS, Some(&voicemail("exap.um.outlook.com")));
        let f = judge("routes.exchange-um-conflict", &s, &offline());
        has(&f, "hosted voicemail policy Global", Status::Fail, "Exchange Online UM is in use (hosted voice mail to exap.um.outlook.com)");
        has(&f, "hosting provider Exchange Online", Status::Fail, "Exchange Online UM is configured through ProxyFqdn exap.um.outlook.com");
        no_target(&f, "SkypeforBusinessOnline");
        // National-cloud destinations count too, and the policy alone is enough.
        let s = hosted("", Some(&voicemail("EXAP.UM.PARTNER.OUTLOOK.CN")));
        has(
            &judge("routes.exchange-um-conflict", &s, &offline()),
            "hosted voicemail policy Global",
            Status::Fail,
            "Exchange Online UM is in use",
        );
        // The inventory's exchange-online-um integration answers the question as well.
        let mut s = hosted(ENTERPRISE_PROVIDERS, None);
        s.inventory.microsoft.integrations.push(Integration {
            kind: IntegrationKind::ExchangeOnlineUm,
            domain: "contoso.com".into(),
            target: None,
        });
        let f = judge("routes.exchange-um-conflict", &s, &offline());
        has(&f, "hosting provider Exchange Online", Status::Fail, "Exchange Online UM is configured");
        has(&f, "contoso.com", Status::Fail, "Exchange Online UM (Office 365) serves contoso.com");
    }

    #[test]
    fn exchange_um_conflict_asks_about_the_provider_alone() {
        let s = hosted(ENTERPRISE_PROVIDERS, None);
        let f = judge("routes.exchange-um-conflict", &s, &offline());
        has(
            &f,
            "hosting provider Exchange Online",
            Status::Warn,
            "ProxyFqdn exap.um.outlook.com serves Exchange Online UM or only Outlook Web App IM and presence: confirm which",
        );
        assert!(f[0].detail.as_deref().unwrap_or_default().contains("Get-CsHostedVoicemailPolicy"), "{f:#?}");
        none(&f, Status::Fail);
    }

    #[test]
    fn exchange_um_conflict_passes_an_outlook_web_app_only_provider() {
        for policies in [voicemail(""), voicemail("um.contoso.com"), String::new()] {
            let s = hosted(ENTERPRISE_PROVIDERS, Some(&policies));
            let f = judge("routes.exchange-um-conflict", &s, &offline());
            all(&f, Status::Pass);
            has(&f, "hosting provider Exchange Online", Status::Pass, "Outlook Web App IM and presence only");
        }
        let s = hosted("", Some(&voicemail("")));
        let f = judge("routes.exchange-um-conflict", &s, &offline());
        has(&f, "exchange um", Status::Pass, "no Exchange UM integration for contoso.com");
        assert_eq!(f[0].detail, None);
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

    fn online_provider(enabled: &str, shared: &str, hosts: &str, proxy: &str) -> String {
        format!(
            "Identity                  : SkypeforBusinessOnline\nName                      : SkypeforBusinessOnline\nProxyFqdn                 : {proxy}\nVerificationLevel         : UseSourceVerification\nEnabled                   : {enabled}\nEnabledSharedAddressSpace : {shared}\nHostsOCSUsers             : {hosts}\nIsLocal                   : False\nAutodiscoverUrl           : https://webdir.online.lync.com/Autodiscover/AutodiscoverService.svc/root\n"
        )
    }

    #[test]
    fn online_split_domain_fails_a_shared_address_space_with_office_365() {
        for proxy in ["sipfed.online.lync.com", "SIPFED2.online.lync.com."] {
            let s = hosted(&online_provider("True", "True", "True", proxy), None);
            let f = judge("routes.online-split-domain", &s, &offline());
            has(&f, "contoso.com", Status::Fail, "hosting provider SkypeforBusinessOnline (ProxyFqdn ");
            has(&f, "contoso.com", Status::Fail, "shares the SIP address space with Skype for Business Online");
        }
    }

    #[test]
    fn online_split_domain_passes_without_a_sharing_online_provider() {
        // The enterprise example: the online provider exists but is disabled.
        let f = judge("routes.online-split-domain", &hosted(ENTERPRISE_PROVIDERS, None), &offline());
        has(&f, "contoso.com", Status::Pass, "does not share the SIP address space");
        for (e, sh, h) in [("True", "False", "True"), ("True", "True", "False"), ("False", "True", "True")] {
            let s = hosted(&online_provider(e, sh, h, "sipfed.online.lync.com"), None);
            all(&judge("routes.online-split-domain", &s, &offline()), Status::Pass);
        }
        // Not an online provider at all, or none.
        let s = hosted(&online_provider("True", "True", "True", "proxy.fabrikam.com"), None);
        has(
            &judge("routes.online-split-domain", &s, &offline()),
            "contoso.com",
            Status::Pass,
            "no Skype for Business Online hosting provider",
        );
        let s = hosted("", None);
        has(
            &judge("routes.online-split-domain", &s, &offline()),
            "contoso.com",
            Status::Pass,
            "no Skype for Business Online hosting provider",
        );
    }

    #[test]
    fn a_cut_capture_makes_its_readers_warn_with_file_and_line() {
        // Cut inside the second provider: the first is judged, the rest is unknown.
        let cut = ENTERPRISE_PROVIDERS.split("HostsOCSUsers             : True").next().unwrap();
        let s = hosted(cut, Some(&voicemail("")));
        let line = cut.trim_end().lines().count();
        for id in ["routes.online-split-domain", "routes.exchange-um-conflict"] {
            let f = judge(id, &s, &offline());
            has(
                &f,
                "capture evidence/hp.txt",
                Status::Warn,
                &format!("`evidence/hp.txt` (Get-CsHostingProvider) is cut short at line {line}"),
            );
        }
        // What the part before the cut does not show is unknown, not absent.
        has(
            &judge("routes.online-split-domain", &s, &offline()),
            "contoso.com",
            Status::Skip,
            "cannot tell: no Skype for Business Online hosting provider before the capture's cut",
        );
        // The whole capture: no such warning.
        let f = judge("routes.online-split-domain", &hosted(ENTERPRISE_PROVIDERS, None), &offline());
        no_target(&f, "capture evidence/hp.txt");
    }

    #[test]
    fn online_split_domain_cannot_tell() {
        has(
            &judge("routes.online-split-domain", &clean(), &offline()),
            "hosting providers",
            Status::Skip,
            "cannot tell: no Get-CsHostingProvider evidence",
        );
        has(&judge("routes.online-split-domain", &no_shared_domain(), &offline()), "routes", Status::Skip, "no domain is shared");
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
        let s = trusted(&pool, Some(&app_text("imp-rt.contoso.com", 5063)));
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool imp-rt.contoso.com",
            Status::Fail,
            "listens on 5063 but IM&P's peer-auth port is 5061",
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
            "no trusted application pool lists an IM&P node among its computers",
        );
        // Named after the routing node, but without it among the computers.
        let s = trusted(&pool_text("imp-rt.contoso.com", "gw.contoso.com", "True"), None);
        has(&judge("routes.trusted-application", &s, &offline()), "trusted application", Status::Fail, "no trusted application pool lists");
    }

    #[test]
    fn trusted_application_finds_a_freely_named_pool_by_its_computers() {
        let pools = format!(
            "{}\n{}",
            pool_text("other.contoso.com", "other.contoso.com", "True"),
            pool_text("trustedpool.contoso.com", "imp1.contoso.com, imp-rt.contoso.com", "True")
        );
        let s = trusted(&pools, Some(&app_text("trustedpool.contoso.com", 5061)));
        let f = judge("routes.trusted-application", &s, &offline());
        all(&f, Status::Pass);
        has(&f, "pool trustedpool.contoso.com", Status::Pass, "trusted application urn:application:imp on port 5061");
    }

    #[test]
    fn trusted_application_fails_a_pool_that_misses_a_routing_node() {
        let s =
            trusted(&pool_text("trustedpool.contoso.com", "imp1.contoso.com", "True"), Some(&app_text("trustedpool.contoso.com", 5061)));
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool trustedpool.contoso.com",
            Status::Fail,
            "the pool's computers miss an IM&P node that sends requests to the Microsoft side: imp-rt.contoso.com",
        );
        // High availability: every routing node behind the load balancer must be there.
        let mut s = trusted(
            &pool_text("trustedpool.contoso.com", "imp-rt.contoso.com, imp1.contoso.com", "True"),
            Some(&app_text("trustedpool.contoso.com", 5061)),
        );
        let mut second = node(&mut s, "imp-rt.contoso.com").clone();
        second.fqdn = "imp-rt2.contoso.com".into();
        s.inventory.cisco.nodes.push(second);
        s.inventory.network.load_balancer = Some(crate::inventory::LoadBalancer { fqdn: "lb.contoso.com".into(), hardware: Some(true) });
        let f = judge("routes.trusted-application", &s, &offline());
        has(
            &f,
            "pool trustedpool.contoso.com",
            Status::Fail,
            "computers miss an IM&P node that sends requests to the Microsoft side: imp-rt2.contoso.com",
        );
        has(&f, "pool trustedpool.contoso.com", Status::Pass, "on port 5061");
    }

    /// Every IM&P node sends requests to the Microsoft pool directly, not only the
    /// routing node: a pool listing the routing node alone misses the user nodes.
    #[test]
    fn trusted_application_fails_a_pool_that_lists_only_the_routing_node() {
        let s =
            trusted(&pool_text("trustedpool.contoso.com", "imp-rt.contoso.com", "True"), Some(&app_text("trustedpool.contoso.com", 5061)));
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool trustedpool.contoso.com",
            Status::Fail,
            "the pool's computers miss an IM&P node that sends requests to the Microsoft side: imp1.contoso.com",
        );
    }

    #[test]
    fn trusted_application_port_needs_the_peer_auth_port() {
        let pool = pool_text("trustedpool.contoso.com", "imp-rt.contoso.com", "True");
        let mut s = trusted(&pool, Some(&app_text("trustedpool.contoso.com", 5061)));
        s.inventory.cisco.federation.peer_auth_port = None;
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool trustedpool.contoso.com",
            Status::Skip,
            "cannot tell whether trusted application urn:application:imp on port 5061 is IM&P's peer-auth port: IM&P's peer-auth listener port is not stated",
        );
        s.inventory.cisco.federation.server_auth_port = Some(5061);
        has(
            &judge("routes.trusted-application", &s, &offline()),
            "pool trustedpool.contoso.com",
            Status::Fail,
            "is on port 5061, IM&P's server-auth listener",
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

    /// The by-the-book site: a freely named pool holding both IM&P nodes, an
    /// Outlook-Web-App-only hosting provider (no hosted voice mail policy points at it),
    /// a disabled online provider and an ACL by domain. None of these rules complains.
    #[test]
    fn a_by_the_book_site_gets_no_warn_or_fail() {
        let files = "evidence = { trusted_application_pools = \"evidence/pool.txt\", trusted_applications = \"evidence/app.txt\", hosting_providers = \"evidence/hp.txt\", hosted_voicemail_policies = \"evidence/vm.txt\" }";
        let inv = edit(CLEAN, "admin_tools = true", &format!("admin_tools = true\n{files}"));
        let inv = edit(&inv, "acl = [\"sfbpool.contoso.com\", \"fe1.contoso.com\", \"fe2.contoso.com\"]", "acl = [\"contoso.com\"]");
        let pool = pool_text("trustedpool.contoso.com", "imp-rt.contoso.com, imp1.contoso.com", "True");
        let app = app_text("trustedpool.contoso.com", 5061);
        let vm = voicemail("");
        let s = site_with(
            &inv,
            &[
                ("evidence/pool.txt", &pool),
                ("evidence/app.txt", &app),
                ("evidence/hp.txt", ENTERPRISE_PROVIDERS),
                ("evidence/vm.txt", &vm),
            ],
        );
        for id in [
            "routes.static-route",
            "routes.port-match",
            "routes.vcs-conflict",
            "routes.exchange-um-conflict",
            "routes.online-split-domain",
            "routes.trusted-application",
            "imp.acl",
        ] {
            let f = judge(id, &s, &clean_dns(&s));
            none(&f, Status::Fail);
            none(&f, Status::Warn);
            none(&f, Status::Skip);
        }
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
