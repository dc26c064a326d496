//! Views shared by several families: the Microsoft static routes wherever they came
//! from, and name matching helpers.

use crate::evidence::kinds::EvidenceKind;
use crate::judge::Context;
use serde::Serialize;

/// One warn for each of `which` whose capture stops before its end: what it would
/// have listed after the cut is unknown, so the check reading it must not pass.
pub(crate) fn cut_captures(ctx: &Context<'_>, which: &[&EvidenceKind]) -> Vec<crate::judge::Finding> {
    let ev = &ctx.evidence.microsoft;
    let files = &ctx.inventory.microsoft.evidence;
    which
        .iter()
        .filter_map(|kind| {
            let cut = ev.cut(kind)?;
            let command = kind.command();
            let file = files.path(kind).map(|p| p.display().to_string()).unwrap_or_else(|| command.to_string());
            Some(
                ctx.warn(
                    format!("capture {file}"),
                    format!(
                        "`{file}` ({command}) is cut short at line {}: what it lists after that is unknown, so this check cannot pass on it",
                        cut.line
                    ),
                )
                .detail(format!("{}; capture `{command}` again and save the whole output", cut.reason)),
            )
        })
        .collect()
}

/// A Microsoft static route, from evidence (preferred) or the inventory.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MsRoute {
    pub match_uri: String,
    pub destination: String,
    pub port: u16,
    /// "TLS", "TCP" or what the evidence said.
    pub transport: String,
    pub enabled: bool,
    /// A phone-only route (MatchOnlyPhoneUri) carries no IM or presence.
    pub phone_only: bool,
    /// Where it was read: "evidence line 4" or "inventory".
    pub source: String,
}

impl MsRoute {
    pub(crate) fn is_tls(&self) -> bool {
        self.transport.eq_ignore_ascii_case("tls")
    }

    /// Does this route carry IM and presence for `domain`? `*.d` covers subdomains
    /// only; a phone-only route covers nothing here.
    pub(crate) fn covers(&self, domain: &str) -> bool {
        if self.phone_only {
            return false;
        }
        let m = self.match_uri.to_ascii_lowercase();
        let d = domain.to_ascii_lowercase();
        m == d || m.strip_prefix("*.").is_some_and(|base| d.ends_with(&format!(".{base}")))
    }

    pub(crate) fn describe(&self) -> String {
        format!("{} → {}:{} over {}", self.match_uri, self.destination, self.port, self.transport)
    }
}

/// The Microsoft static routes in use, or None when neither evidence nor inventory
/// gives any: the routes of every collection some pool of the site uses (see
/// [`microsoft_route_views`]), each once.
pub(crate) fn microsoft_routes(ctx: &Context<'_>) -> Option<Vec<MsRoute>> {
    routes_of(ctx.inventory, ctx.evidence)
}

fn routes_of(inv: &crate::inventory::Inventory, evidence: &crate::inventory::EvidenceSet) -> Option<Vec<MsRoute>> {
    route_views(inv, evidence).map(|v| v.views.into_iter().flat_map(|view| view.routes).collect())
}

/// One static routing collection and the pools that use it. A pool with its own
/// collection (`Service:Registrar:<pool>`) ignores Global.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RouteView {
    /// `Global`, `Service:Registrar:<pool>` or `inventory`.
    pub collection: String,
    /// The inventory's pools that use it (lowercase); all of them for Global when
    /// no pool has its own.
    pub pools: Vec<String>,
    pub routes: Vec<MsRoute>,
    /// The capture shows this collection: false for Global when the capture holds
    /// only pools' own collections, so what Global routes is unknown.
    pub shown: bool,
}

/// The collections in use, and a note when the capture could not show them.
#[derive(Debug, Clone)]
pub(crate) struct RouteViews {
    pub views: Vec<RouteView>,
    /// Set when per-pool collections were not visible (an expanded capture).
    pub note: Option<String>,
    /// The capture stops early: a route missing from it may exist.
    pub cut: bool,
}

/// The pool a collection Identity belongs to (`Service:Registrar:<fqdn>`), or None
/// for Global (and any other scope, e.g. OCS 2007 R2's WMI table).
fn pool_of_identity(identity: &str) -> Option<String> {
    let lower = identity.trim().to_ascii_lowercase();
    lower.strip_prefix("service:registrar:").map(|p| p.trim_end_matches('.').to_string()).filter(|p| !p.is_empty())
}

/// Each collection some Microsoft pool of the site uses, with its routes.
pub(crate) fn microsoft_route_views(ctx: &Context<'_>) -> Option<RouteViews> {
    route_views(ctx.inventory, ctx.evidence)
}

fn route_views(inv: &crate::inventory::Inventory, evidence: &crate::inventory::EvidenceSet) -> Option<RouteViews> {
    let pools: Vec<String> = inv.microsoft.pools.iter().map(|p| p.fqdn.trim_end_matches('.').to_ascii_lowercase()).collect();
    let Some(ev) = &evidence.microsoft.static_routes else {
        let inline = &inv.microsoft.static_routes;
        if inline.is_empty() {
            return None;
        }
        let routes = inline
            .iter()
            .map(|r| MsRoute {
                match_uri: r.match_uri.clone(),
                destination: r.destination.clone(),
                port: r.port,
                transport: r.transport.to_string(),
                enabled: r.enabled,
                phone_only: false,
                source: "inventory".into(),
            })
            .collect();
        return Some(RouteViews {
            views: vec![RouteView { collection: "inventory".into(), pools, routes, shown: true }],
            note: None,
            cut: false,
        });
    };
    let file = inv.microsoft.evidence.static_routes.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let visible = !ev.collections.is_empty() || ev.routes.iter().any(|r| r.identity.is_some());
    // Collection key: the pool FQDN, or "" for Global.
    let key = |identity: Option<&str>| identity.and_then(pool_of_identity).unwrap_or_default();
    let mut own: Vec<(String, String)> = Vec::new(); // (pool fqdn, identity as printed)
    for id in ev.collections.iter().map(String::as_str).chain(ev.routes.iter().filter_map(|r| r.identity.as_deref())) {
        let k = key(Some(id));
        if !k.is_empty() && !own.iter().any(|(p, _)| *p == k) {
            own.push((k, id.to_string()));
        }
    }
    let routes_in = |k: &str, label: &str| -> Vec<MsRoute> {
        ev.routes
            .iter()
            .filter(|r| key(r.identity.as_deref()) == k)
            .map(|r| {
                let at = if r.line > 0 { format!("{file} line {}", r.line) } else { file.clone() };
                MsRoute {
                    match_uri: r.match_uri.clone(),
                    destination: r.destination.clone(),
                    port: r.port,
                    transport: r.transport.to_string(),
                    enabled: r.enabled,
                    phone_only: r.match_only_phone_uri,
                    source: if visible { format!("{at}, collection {label}") } else { at },
                }
            })
            .collect()
    };
    let mut views = Vec::new();
    // Without declared pools every collection counts; else only those a pool uses.
    let global_users: Vec<String> = pools.iter().filter(|p| !own.iter().any(|(o, _)| o == *p)).cloned().collect();
    if pools.is_empty() || !global_users.is_empty() {
        let global = ev.collections.iter().find(|c| pool_of_identity(c).is_none()).cloned();
        // Without collection names everything read counts as Global (with a note);
        // with them, Global is known only when the capture shows it.
        let shown = !visible || global.is_some();
        let label = global.unwrap_or_else(|| "Global".into());
        views.push(RouteView { routes: routes_in("", &label), collection: label, pools: global_users, shown });
    }
    for (pool, id) in &own {
        if pools.is_empty() || pools.contains(pool) {
            views.push(RouteView { collection: id.clone(), pools: vec![pool.clone()], routes: routes_in(pool, id), shown: true });
        }
    }
    let note = (!visible && !ev.routes.is_empty()).then(|| {
        "no collection Identity in the capture: routes read as Global; per-pool collections were not visible \
         (capture each route with its collection, as `fedcheck collect microsoft --script` does)"
            .to_string()
    });
    Some(RouteViews { views, note, cut: ev.cut.is_some() })
}

/// Names (lowercase) and addresses an IM&P-bound route may legitimately target:
/// every IM&P node and the load balancer.
pub(crate) fn imp_destinations(ctx: &Context<'_>) -> Vec<String> {
    let inv = ctx.inventory;
    let mut out = Vec::new();
    for n in inv.imp_nodes() {
        out.push(n.fqdn.to_ascii_lowercase());
        if let Some(ip) = n.ip {
            out.push(ip.to_string());
        }
    }
    if let Some(lb) = &inv.network.load_balancer {
        out.push(lb.fqdn.to_ascii_lowercase());
    }
    out
}

pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// Compare dotted version strings numerically ("10.5" < "14.1", "4.8" >= "2.0").
pub(crate) fn version_at_least(have: &str, need: &str) -> Option<bool> {
    let parse = |s: &str| -> Option<Vec<u32>> {
        let nums: Vec<u32> =
            s.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).map(|p| p.parse().ok()).collect::<Option<_>>()?;
        (!nums.is_empty()).then_some(nums)
    };
    let (h, n) = (parse(have)?, parse(need)?);
    let len = h.len().max(n.len());
    let pad = |v: &[u32]| (0..len).map(|i| v.get(i).copied().unwrap_or(0)).collect::<Vec<_>>();
    Some(pad(&h) >= pad(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(version_at_least("10.5", "10.5"), Some(true));
        assert_eq!(version_at_least("9.7", "10.5"), Some(false));
        assert_eq!(version_at_least("14.1.2", "14.1"), Some(true));
        assert_eq!(version_at_least("4.8", "2.0"), Some(true));
        assert_eq!(version_at_least("latest", "2.0"), None);
    }

    #[test]
    fn wildcard_routes_cover_subdomains_only() {
        let r = MsRoute {
            match_uri: "*.example.com".into(),
            destination: "x".into(),
            port: 5061,
            transport: "TLS".into(),
            enabled: true,
            phone_only: false,
            source: String::new(),
        };
        assert!(r.covers("eu.example.com"));
        assert!(!r.covers("example.com"));
        // A phone-only route carries no presence: it covers nothing here.
        let phone = MsRoute { match_uri: "example.com".into(), phone_only: true, ..r };
        assert!(!phone.covers("example.com"));
    }
}

/// Which system a peer belongs to: decides whose trust store judges its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Cisco,
    Microsoft,
}

/// A SIP/TLS endpoint of the integration.
#[derive(Debug, Clone)]
pub(crate) struct Peer {
    pub host: String,
    pub port: u16,
    pub side: Side,
    /// Address the inventory expects, if it says.
    pub ip: Option<std::net::IpAddr>,
}

/// Every TLS peer: Microsoft pools and front ends, and every IM&P node.
pub(crate) fn tls_peers(inv: &crate::inventory::Inventory) -> Vec<Peer> {
    let mut out: Vec<Peer> = Vec::new();
    let mut seen: std::collections::HashSet<(String, u16)> = std::collections::HashSet::new();
    for pool in &inv.microsoft.pools {
        for name in std::iter::once(&pool.fqdn).chain(pool.servers.iter()) {
            let host = name.trim_end_matches('.').to_ascii_lowercase();
            if seen.insert((host.clone(), pool.port)) {
                out.push(Peer { host, port: pool.port, side: Side::Microsoft, ip: None });
            }
        }
    }
    for n in inv.imp_nodes() {
        // Microsoft reaches IM&P on its peer-auth listener unless a node says otherwise.
        let port = n.sip_port.unwrap_or_else(|| inv.cisco.federation.peer_auth_port());
        out.push(Peer { host: n.fqdn.to_ascii_lowercase(), port, side: Side::Cisco, ip: n.ip });
    }
    out
}

/// The domains whose routes matter to the federation: the shared domains, or the
/// presence domains when the Microsoft side's SIP domains are not stated.
fn federation_domains(inv: &crate::inventory::Inventory) -> Vec<String> {
    let shared = inv.shared_domains();
    if shared.is_empty() && inv.microsoft.sip_domains.is_empty() {
        return inv.site.presence_domains.iter().map(|d| d.to_ascii_lowercase()).collect();
    }
    shared
}

/// Does an IM&P route pattern (`.com.example.*`, the domain written backwards) match
/// `domain`?
fn imp_pattern_covers(pattern: &str, domain: &str) -> bool {
    let norm = |p: &str| p.trim().trim_start_matches('.').trim_end_matches('*').trim_end_matches('.').to_ascii_lowercase();
    let reversed: Vec<&str> = domain.trim_end_matches('.').split('.').rev().collect();
    norm(pattern) == reversed.join(".").to_ascii_lowercase()
}

/// Every name DNS must answer for, with the side whose resolvers must know it: the
/// names the federation uses. IM&P nodes and Microsoft pools and front ends by both
/// sides; the load balancer and the destinations of the Microsoft routes for the
/// shared domains by Microsoft's; the next hops of IM&P's routes for the shared
/// domains by IM&P's. Routes for other domains and CUCM nodes carry no federation
/// traffic and are not judged here.
pub(crate) fn dns_targets(
    inv: &crate::inventory::Inventory,
    evidence: &crate::inventory::EvidenceSet,
) -> Vec<(String, crate::judge::DnsSide)> {
    use crate::judge::DnsSide;
    let mut out: Vec<(String, DnsSide)> = Vec::new();
    // Position of each name in `out`: sites list thousands of front ends.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut add = |name: &str, side: DnsSide| {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        match seen.get(&name).and_then(|i| out.get_mut(*i)) {
            Some(entry) => entry.1 = entry.1.merge(side),
            None => {
                seen.insert(name.clone(), out.len());
                out.push((name, side));
            }
        }
    };
    for n in inv.imp_nodes() {
        add(&n.fqdn, DnsSide::Both);
    }
    for name in inv.microsoft_fqdns() {
        add(&name, DnsSide::Both);
    }
    if let Some(lb) = &inv.network.load_balancer {
        add(&lb.fqdn, DnsSide::Microsoft);
    }
    let domains = federation_domains(inv);
    let is_name = |h: &str| !h.trim().is_empty() && h.parse::<std::net::IpAddr>().is_err();
    for r in routes_of(inv, evidence).unwrap_or_default() {
        if r.enabled && is_name(&r.destination) && domains.iter().any(|d| r.covers(d)) {
            add(&r.destination, DnsSide::Microsoft);
        }
    }
    for r in &inv.cisco.federation.static_routes {
        if is_name(&r.next_hop) && domains.iter().any(|d| imp_pattern_covers(&r.pattern, d)) {
            add(&r.next_hop, DnsSide::Imp);
        }
    }
    out
}

pub(crate) fn dns_names(inv: &crate::inventory::Inventory, evidence: &crate::inventory::EvidenceSet) -> Vec<String> {
    dns_targets(inv, evidence).into_iter().map(|(n, _)| n).collect()
}

pub(crate) fn needs_dns(site: &crate::inventory::Loaded) -> Vec<crate::judge::Observation> {
    dns_targets(&site.inventory, &site.evidence).into_iter().map(|(name, side)| crate::judge::Observation::Dns { name, side }).collect()
}

pub(crate) fn needs_tls(site: &crate::inventory::Loaded) -> Vec<crate::judge::Observation> {
    tls_peers(&site.inventory).into_iter().map(|p| crate::judge::Observation::Tls { host: p.host, port: p.port }).collect()
}

pub(crate) fn needs_sip(site: &crate::inventory::Loaded) -> Vec<crate::judge::Observation> {
    tls_peers(&site.inventory).into_iter().map(|p| crate::judge::Observation::Sip { host: p.host, port: p.port }).collect()
}

/// The addresses a peer was probed at: what DNS returned plus the declared address.
pub(crate) fn peer_addresses(ctx: &Context<'_>, peer: &Peer) -> Vec<std::net::SocketAddr> {
    crate::snapshot::peer_addresses(&peer.host, peer.port, ctx.index.addresses(&peer.host), peer.ip)
}

/// "1 certificate", "2 certificates": a count with its noun in the right number.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The check that speaks for a peer nobody could connect to.
pub(crate) const TCP_ROOT: &str = "tls.handshake";

/// How a peer was unreachable at TCP level on both probe paths ("refused", "timed
/// out after 5000 ms"), or None when either path got a connection.
pub(crate) fn tcp_unreachable(obs: &crate::snapshot::PeerObservation) -> Option<String> {
    use crate::snapshot::raw::{RawError, RawOutcome};
    use crate::snapshot::tls::{TlsFailure, TlsOutcome};
    let modern = match obs.tls.as_ref().map(|t| (&t.outcome, t.elapsed_ms)) {
        Some((TlsOutcome::Failed { kind: TlsFailure::ConnectRefused, .. }, _)) => "refused".to_string(),
        Some((TlsOutcome::Failed { kind: TlsFailure::ConnectTimeout, .. }, ms)) => format!("timed out after {ms} ms"),
        _ => return None,
    };
    match obs.raw.as_ref().map(|r| &r.outcome) {
        Some(RawOutcome::Failed(RawError::ConnectRefused)) => Some("refused".into()),
        Some(RawOutcome::Failed(RawError::ConnectTimeout { timeout_ms })) => Some(format!("timed out after {timeout_ms} ms")),
        // Only the modern path ran: its word is all there is.
        None => Some(modern),
        Some(_) => None,
    }
}

/// Judge every probed (peer, address): `judge` sees the observation; peers that
/// were not reached get a skip saying why. A peer unreachable at TCP level is
/// judged once, by `tls.handshake`; every other check says it cannot tell.
pub(crate) fn each_peer(
    ctx: &Context<'_>,
    mut judge: impl FnMut(&Peer, &str, &crate::snapshot::PeerObservation) -> Option<crate::judge::Finding>,
) -> Vec<crate::judge::Finding> {
    let mut out = Vec::new();
    for peer in tls_peers(ctx.inventory) {
        let addrs = peer_addresses(ctx, &peer);
        if addrs.is_empty() {
            out.push(
                ctx.skip(format!("{}:{}", peer.host, peer.port), format!("cannot tell: {} has no address (see dns.forward)", peer.host)),
            );
            continue;
        }
        for addr in addrs {
            let target = format!("{} @ {addr}", peer.host);
            match ctx.index.peer(addr) {
                None => out.push(ctx.skip(target, "cannot tell: this address was not probed")),
                Some(obs) if obs.not_run.is_some() => {
                    out.push(ctx.skip(target, format!("cannot tell: {}", obs.not_run.as_deref().unwrap_or("not probed"))))
                }
                Some(obs) if ctx.meta.id != TCP_ROOT && tcp_unreachable(obs).is_some() => {
                    out.push(ctx.skip(target, format!("cannot tell: {}:{} cannot be reached (see {TCP_ROOT})", peer.host, peer.port)))
                }
                Some(obs) => {
                    if let Some(f) = judge(&peer, &target, obs) {
                        out.push(f);
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out.push(ctx.skip("peers", "no TLS peer in the inventory"));
    }
    out
}

/// The peer's chain, parsed: (DER, inspected) per certificate, leaf first.
pub(crate) fn parsed_chain(
    ctx: &Context<'_>,
    obs: &crate::snapshot::PeerObservation,
) -> std::sync::Arc<Result<crate::judge::ParsedChain, String>> {
    ctx.cache.chain(obs, || {
        let pem = obs.chain_pem();
        if pem.is_empty() {
            return Err("no certificate was captured from this peer (see tls.handshake)".into());
        }
        let ders = crate::certinfo::pem_to_ders(&pem.join("\n")).map_err(|e| e.to_string())?;
        ders.into_iter().map(|d| crate::certinfo::inspect(&d).map(|i| (d, i)).map_err(|e| e.to_string())).collect()
    })
}

/// The facts of a certificate a finding speaks of, as evidence.
pub(crate) fn cert_evidence(info: &crate::certinfo::CertInfo) -> serde_json::Value {
    serde_json::json!({
        "subject": info.subject, "issuer": info.issuer, "serial": info.serial,
        "not_before": info.not_before, "not_after": info.not_after,
        "san_dns": info.san_dns, "san_ip": info.san_ip, "eku": info.eku, "sha256": info.sha256,
    })
}

/// The trust store that judges a peer of this side: the other side's.
pub(crate) fn relying_store<'a>(ctx: &Context<'a>, side: Side) -> Option<&'a crate::certinfo::TrustStore> {
    match side {
        Side::Microsoft => ctx.evidence.cisco_trust.as_ref(),
        Side::Cisco => ctx.evidence.microsoft_trust.as_ref(),
    }
}

/// At most `n` items joined by commas, then how many more: a site's lists of
/// thousands of names must not make every finding thousands of names long.
pub(crate) fn list_some(items: &[String], n: usize) -> String {
    let mut text = items.iter().take(n).map(String::as_str).collect::<Vec<_>>().join(", ");
    if items.len() > n {
        text.push_str(&format!(" and {} more", items.len() - n));
    }
    text
}

#[cfg(test)]
mod collection_tests {
    //! Static routes per collection: each pool is judged on the collection it uses.
    use crate::judge::Status;
    use crate::testing::*;

    const ROUTE: &str =
        "MatchUri=contoso.com;Enabled=True;Transport=TransportChoice=Certificate=x.UseDefaultCert;Fqdn=imp-rt.contoso.com;Port=5061";

    fn with_routes(extra_pool: bool, capture: &str) -> crate::inventory::Loaded {
        let mut inv =
            edit(CLEAN, "active_directory = true\n", "active_directory = true\nevidence = { static_routes = \"evidence/routes.txt\" }\n");
        if extra_pool {
            let first = "servers = [\"fe1.contoso.com\", \"fe2.contoso.com\"]\n";
            inv = edit(
                &inv,
                first,
                &format!("{first}\n[[microsoft.pools]]\nfqdn = \"pool2.contoso.com\"\nservers = [\"fe3.contoso.com\"]\n"),
            );
        }
        site_with(&inv, &[("evidence/routes.txt", capture)])
    }

    #[test]
    fn a_pool_with_its_own_collection_ignores_global() {
        let capture =
            format!("Identity : Global\nRoute    : {{{ROUTE}}}\n\nIdentity : Service:Registrar:sfbpool.contoso.com\nRoute    : {{}}\n");
        let f = judge("routes.static-route", &with_routes(false, &capture), &offline());
        has(&f, "contoso.com", Status::Fail, "no enabled static route sends contoso.com to IM&P");
        // The same route in the pool's own collection passes.
        let capture =
            format!("Identity : Global\nRoute    : {{}}\n\nIdentity : Service:Registrar:sfbpool.contoso.com\nRoute    : {{{ROUTE}}}\n");
        let f = judge("routes.static-route", &with_routes(false, &capture), &offline());
        has(&f, "contoso.com", Status::Pass, "contoso.com → imp-rt.contoso.com:5061 over TLS");
        assert!(f.iter().all(|x| x.status == Status::Pass), "{f:#?}");
    }

    #[test]
    fn each_collection_in_use_is_judged_for_its_pools() {
        let json = r#"[{"Identity": "Global", "Route": [{"MatchUri": "contoso.com", "Transport": {"Fqdn": "imp-rt.contoso.com", "Port": 5061}}]},
                {"Identity": "Service:Registrar:pool2.contoso.com", "Route": [{"MatchUri": "contoso.com", "Transport": {"Fqdn": "expe.contoso.com", "Port": 5061}}]}]"#;
        let f = judge("routes.static-route", &with_routes(true, json), &offline());
        has(&f, "contoso.com in Global", Status::Pass, "imp-rt.contoso.com");
        has(&f, "contoso.com in Service:Registrar:pool2.contoso.com", Status::Fail, "points at expe.contoso.com");
        no_target(&f, "route collections");
    }

    #[test]
    fn an_expanded_capture_is_global_with_a_note() {
        let capture = "Transport : TransportChoice=Certificate=x.UseDefaultCert;Fqdn=imp-rt.contoso.com;Port=5061\nMatchUri  : contoso.com\nEnabled   : True\n";
        let f = judge("routes.static-route", &with_routes(true, capture), &offline());
        has(&f, "contoso.com", Status::Pass, "imp-rt.contoso.com");
        has(&f, "route collections", Status::Info, "per-pool");
        // Nothing known at all: cannot tell.
        let mut s = with_routes(false, capture);
        s.evidence.microsoft.static_routes = None;
        s.inventory.microsoft.static_routes.clear();
        has(&judge("routes.static-route", &s, &offline()), "routes", Status::Skip, "no Microsoft static routes known");
    }
}
