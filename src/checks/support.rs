//! Views shared by several families: the Microsoft static routes wherever they came
//! from, and name matching helpers.

use crate::check::Context;
use crate::evidence::static_routes::RouteTransport;
use crate::inventory::Transport;
use serde::Serialize;

/// A Microsoft static route, from evidence (preferred) or the inventory.
#[derive(Debug, Clone, Serialize)]
pub struct MsRoute {
    pub match_uri: String,
    pub destination: String,
    pub port: u16,
    /// "TLS", "TCP" or what the evidence said.
    pub transport: String,
    pub enabled: bool,
    /// Where it was read: "evidence line 4" or "inventory".
    pub source: String,
}

impl MsRoute {
    pub fn is_tls(&self) -> bool {
        self.transport.eq_ignore_ascii_case("tls")
    }

    /// Does this route carry traffic for `domain`? `*.d` covers subdomains only.
    pub fn covers(&self, domain: &str) -> bool {
        let m = self.match_uri.to_ascii_lowercase();
        let d = domain.to_ascii_lowercase();
        m == d
            || m.strip_prefix("*.")
                .is_some_and(|base| d.ends_with(&format!(".{base}")))
    }

    pub fn describe(&self) -> String {
        format!(
            "{} → {}:{} over {}",
            self.match_uri, self.destination, self.port, self.transport
        )
    }
}

/// The Microsoft static routes, or None when neither evidence nor inventory gives any.
pub fn microsoft_routes(ctx: &Context<'_>) -> Option<Vec<MsRoute>> {
    if let Some(ev) = &ctx.evidence.microsoft.static_routes {
        let file = ctx
            .inventory
            .microsoft
            .evidence
            .static_routes
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        return Some(
            ev.routes
                .iter()
                .map(|r| MsRoute {
                    match_uri: r.match_uri.clone(),
                    destination: r.destination.clone(),
                    port: r.port,
                    transport: match &r.transport {
                        RouteTransport::Tls => "TLS".into(),
                        RouteTransport::Tcp => "TCP".into(),
                        RouteTransport::Other(s) => s.clone(),
                    },
                    enabled: r.enabled,
                    source: if r.line > 0 {
                        format!("{file} line {}", r.line)
                    } else {
                        file.clone()
                    },
                })
                .collect(),
        );
    }
    let inline = &ctx.inventory.microsoft.static_routes;
    if inline.is_empty() {
        return None;
    }
    Some(
        inline
            .iter()
            .map(|r| MsRoute {
                match_uri: r.match_uri.clone(),
                destination: r.destination.clone(),
                port: r.port,
                transport: match r.transport {
                    Transport::Tls => "TLS".into(),
                    Transport::Tcp => "TCP".into(),
                    Transport::Udp => "UDP".into(),
                },
                enabled: r.enabled,
                source: "inventory".into(),
            })
            .collect(),
    )
}

/// Names (lowercase) and addresses an IM&P-bound route may legitimately target:
/// every IM&P node and the load balancer.
pub fn imp_destinations(ctx: &Context<'_>) -> Vec<String> {
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

pub fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// Compare dotted version strings numerically ("10.5" < "14.1", "4.8" >= "2.0").
pub fn version_at_least(have: &str, need: &str) -> Option<bool> {
    let parse = |s: &str| -> Option<Vec<u32>> {
        let nums: Vec<u32> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        (!nums.is_empty()).then_some(nums)
    };
    let (h, n) = (parse(have)?, parse(need)?);
    let len = h.len().max(n.len());
    let pad = |v: &[u32]| {
        (0..len)
            .map(|i| v.get(i).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
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
            source: String::new(),
        };
        assert!(r.covers("eu.example.com"));
        assert!(!r.covers("example.com"));
    }
}
