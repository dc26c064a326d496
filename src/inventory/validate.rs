//! Semantic validation of a parsed inventory: values serde cannot judge (names,
//! versions, ports, references to files) and rules across entries (duplicates).

use super::locate::{locate, Seg};
use super::model::*;
use super::InventoryError;
use std::collections::HashMap;
use std::path::Path;

/// Collects the first error with its location.
pub(super) struct Validator<'a> {
    text: &'a str,
    file: &'a Path,
}

impl<'a> Validator<'a> {
    pub(super) fn new(text: &'a str, file: &'a Path) -> Self {
        Self { text, file }
    }

    pub(super) fn error(&self, path: &[Seg<'_>], message: impl Into<String>, hint: Option<String>) -> InventoryError {
        let (line, column) = locate(self.text, path);
        InventoryError { file: self.file.to_path_buf(), line, column, message: message.into(), hint }
    }
}

/// A DNS name as IM&P and Microsoft servers accept it: letters, digits and hyphens in
/// labels of at most 63 characters, at least two labels.
pub fn is_fqdn(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 || !name.contains('.') {
        return false;
    }
    name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// A release string such as "14.0.1.10000-22" or "12.5(1)SU3": at least major.minor.
pub fn parse_release(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.trim().split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

pub(super) fn validate(inv: &Inventory, text: &str, file: &Path, base: &Path) -> Result<(), InventoryError> {
    let v = Validator::new(text, file);
    let fqdn_hint = || Some("expected a fully qualified name such as imp1.example.com".to_string());

    // [site]
    if inv.site.name.trim().is_empty() {
        return Err(v.error(&[Seg::Key("site"), Seg::Key("name")], "the site name is empty", None));
    }
    if inv.site.presence_domains.is_empty() {
        return Err(v.error(
            &[Seg::Key("site"), Seg::Key("presence_domains")],
            "no presence domain is listed",
            Some("list the presence domains configured on IM&P, e.g. [\"example.com\"]".into()),
        ));
    }
    for (i, d) in inv.site.presence_domains.iter().enumerate() {
        if !is_fqdn(d) {
            return Err(v.error(
                &[Seg::Key("site"), Seg::Key("presence_domains"), Seg::Index(i)],
                format!("`{d}` is not a valid domain name"),
                Some("expected a domain such as example.com".into()),
            ));
        }
    }

    // [dns]
    for (side, list) in [("imp", &inv.dns.imp), ("microsoft", &inv.dns.microsoft)] {
        for (i, s) in list.iter().enumerate() {
            if let Err(why) = crate::wire::dns_server::parse_server(s) {
                return Err(v.error(&[Seg::Key("dns"), Seg::Key(side), Seg::Index(i)], why.to_string(), None));
            }
        }
    }

    // [cisco]
    for (key, value) in [("imp_version", Some(&inv.cisco.imp_version)), ("cucm_version", inv.cisco.cucm_version.as_ref())] {
        if let Some(value) = value {
            if parse_release(value).is_none() {
                return Err(v.error(
                    &[Seg::Key("cisco"), Seg::Key(key)],
                    format!("`{value}` is not a release number"),
                    Some("expected a release as shown by `show version active`, e.g. \"14.0.1.10000-22\"".into()),
                ));
            }
        }
    }
    for (key, path) in
        [("trust_store", &inv.cisco.trust_store), ("client_cert", &inv.cisco.client_cert), ("client_key", &inv.cisco.client_key)]
    {
        check_path(&v, &[Seg::Key("cisco"), Seg::Key(key)], base, path.as_deref())?;
    }
    // The certificate alone is judged (cross-trust); the key is needed only to present it.
    if inv.cisco.client_key.is_some() && inv.cisco.client_cert.is_none() {
        return Err(v.error(
            &[Seg::Key("cisco"), Seg::Key("client_key")],
            "client_key without client_cert",
            Some("give the certificate that goes with the key".into()),
        ));
    }
    let fed = &inv.cisco.federation;
    let fed_path = |k: &'static str| [Seg::Key("cisco"), Seg::Key("federation"), Seg::Key(k)];
    if fed.peer_auth_port == Some(0) {
        return Err(v.error(&fed_path("peer_auth_port"), "port 0 is not a valid port", Some("expected 1-65535, normally 5061".into())));
    }
    if fed.server_auth_port == Some(0) {
        return Err(v.error(&fed_path("server_auth_port"), "port 0 is not a valid port", Some("expected 1-65535, e.g. 5062".into())));
    }
    for (i, s) in fed.tls_peer_subjects.iter().enumerate() {
        if s.trim().is_empty() {
            return Err(v.error(
                &[Seg::Key("cisco"), Seg::Key("federation"), Seg::Key("tls_peer_subjects"), Seg::Index(i)],
                "empty TLS peer subject",
                None,
            ));
        }
    }
    for (i, entry) in fed.acl.iter().enumerate() {
        let ok = entry.parse::<std::net::IpAddr>().is_ok()
            || is_fqdn(entry)
            || entry.strip_prefix("*.").is_some_and(is_fqdn)
            || is_acl_wildcard(entry)
            || is_cidr(entry);
        if !ok {
            return Err(v.error(
                &[Seg::Key("cisco"), Seg::Key("federation"), Seg::Key("acl"), Seg::Index(i)],
                format!(
                    "ACL entry `{entry}` is neither an address, a subnet, an FQDN, a domain (`example.com`, `*.example.com`) nor \"all\""
                ),
                None,
            ));
        }
    }
    for (i, r) in fed.static_routes.iter().enumerate() {
        let at = |k: &'static str| [Seg::Key("cisco"), Seg::Key("federation"), Seg::Key("static_routes"), Seg::Index(i), Seg::Key(k)];
        if r.pattern.trim().is_empty() {
            return Err(v.error(
                &at("pattern"),
                "empty route pattern",
                Some("expected a reversed domain such as \".com.example.*\"".into()),
            ));
        }
        if r.next_hop.parse::<std::net::IpAddr>().is_err() && !is_fqdn(&r.next_hop) {
            return Err(v.error(&at("next_hop"), format!("next hop `{}` is neither an address nor an FQDN", r.next_hop), None));
        }
        if r.port == 0 {
            return Err(v.error(&at("port"), "port 0 is not a valid port", None));
        }
    }

    // [[cisco.nodes]]
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, node) in inv.cisco.nodes.iter().enumerate() {
        let at = |k: &'static str| [Seg::Key("cisco"), Seg::Key("nodes"), Seg::Index(i), Seg::Key(k)];
        if !is_fqdn(&node.fqdn) {
            return Err(v.error(&at("fqdn"), format!("`{}` is not a fully qualified domain name", node.fqdn), fqdn_hint()));
        }
        if let Some(first) = seen.insert(node.fqdn.to_ascii_lowercase(), i) {
            let (line, _) = locate(text, &[Seg::Key("cisco"), Seg::Key("nodes"), Seg::Index(first), Seg::Key("fqdn")]);
            return Err(v.error(
                &at("fqdn"),
                format!("node `{}` is listed twice", node.fqdn),
                Some(format!("first listed at line {line}")),
            ));
        }
        if node.sip_port == Some(0) {
            return Err(v.error(&at("sip_port"), "port 0 is not a valid port", None));
        }
        if node.role == Some(Role::Users) && node.users.is_none() {
            return Err(v.error(
                &at("role"),
                format!("node `{}` has the `users` role but no `users` count", node.fqdn),
                Some("add `users = N` with the number of users assigned to it".into()),
            ));
        }
        if node.product == Product::Cucm && matches!(node.role, Some(Role::Routing) | Some(Role::Users)) {
            return Err(v.error(
                &at("role"),
                "the routing and users roles apply to IM&P nodes only",
                Some("use publisher or subscriber for CUCM nodes".into()),
            ));
        }
        if let Some(vm) = &node.vm {
            for (k, val) in [("vcpu", vm.vcpu), ("ram_gb", vm.ram_gb), ("disk_gb", vm.disk_gb)] {
                if val == Some(0) {
                    return Err(v.error(
                        &[Seg::Key("cisco"), Seg::Key("nodes"), Seg::Index(i), Seg::Key("vm"), Seg::Key(k)],
                        format!("{k} cannot be 0"),
                        None,
                    ));
                }
            }
        }
    }

    // [microsoft]
    let ms = &inv.microsoft;
    if ms.platform.trim().is_empty() {
        return Err(v.error(
            &[Seg::Key("microsoft"), Seg::Key("platform")],
            "the platform is empty",
            Some("expected sfb2015, lync2013, lync2010 or ocs2007r2".into()),
        ));
    }
    for (i, d) in ms.sip_domains.iter().enumerate() {
        if !is_fqdn(d) {
            return Err(v.error(
                &[Seg::Key("microsoft"), Seg::Key("sip_domains"), Seg::Index(i)],
                format!("`{d}` is not a valid domain name"),
                None,
            ));
        }
    }
    check_path(&v, &[Seg::Key("microsoft"), Seg::Key("trust_store")], base, ms.trust_store.as_deref())?;
    for (i, pool) in ms.pools.iter().enumerate() {
        let at = |k: &'static str| [Seg::Key("microsoft"), Seg::Key("pools"), Seg::Index(i), Seg::Key(k)];
        if !is_fqdn(&pool.fqdn) {
            return Err(v.error(&at("fqdn"), format!("`{}` is not a fully qualified domain name", pool.fqdn), fqdn_hint()));
        }
        for (j, s) in pool.servers.iter().enumerate() {
            if !is_fqdn(s) {
                return Err(v.error(
                    &[Seg::Key("microsoft"), Seg::Key("pools"), Seg::Index(i), Seg::Key("servers"), Seg::Index(j)],
                    format!("`{s}` is not a fully qualified domain name"),
                    fqdn_hint(),
                ));
            }
        }
        if pool.port == 0 {
            return Err(v.error(&at("port"), "port 0 is not a valid port", None));
        }
    }
    for (i, r) in ms.static_routes.iter().enumerate() {
        let at = |k: &'static str| [Seg::Key("microsoft"), Seg::Key("static_routes"), Seg::Index(i), Seg::Key(k)];
        let uri = r.match_uri.strip_prefix("*.").unwrap_or(&r.match_uri);
        if !is_fqdn(uri) {
            return Err(v.error(&at("match_uri"), format!("`{}` is not a domain or *.domain", r.match_uri), None));
        }
        if r.destination.parse::<std::net::IpAddr>().is_err() && !is_fqdn(&r.destination) {
            return Err(v.error(&at("destination"), format!("`{}` is neither an address nor an FQDN", r.destination), None));
        }
        if r.port == 0 {
            return Err(v.error(&at("port"), "port 0 is not a valid port", None));
        }
    }
    for (i, integ) in ms.integrations.iter().enumerate() {
        if !is_fqdn(&integ.domain) {
            return Err(v.error(
                &[Seg::Key("microsoft"), Seg::Key("integrations"), Seg::Index(i), Seg::Key("domain")],
                format!("`{}` is not a valid domain name", integ.domain),
                None,
            ));
        }
    }

    // [network]
    if let Some(lb) = &inv.network.load_balancer {
        if !is_fqdn(&lb.fqdn) {
            return Err(v.error(
                &[Seg::Key("network"), Seg::Key("load_balancer"), Seg::Key("fqdn")],
                format!("`{}` is not a fully qualified domain name", lb.fqdn),
                fqdn_hint(),
            ));
        }
    }

    // [change]
    if let Some(w) = &inv.change.restart_window {
        let at = |k: &'static str| [Seg::Key("change"), Seg::Key("restart_window"), Seg::Key(k)];
        let hint = || Some("expected local time as \"2026-12-05T22:00:00\"".to_string());
        let start: jiff::civil::DateTime =
            w.start.parse().map_err(|e| v.error(&at("start"), format!("`{}` is not a date and time: {e}", w.start), hint()))?;
        let end: jiff::civil::DateTime =
            w.end.parse().map_err(|e| v.error(&at("end"), format!("`{}` is not a date and time: {e}", w.end), hint()))?;
        if end <= start {
            return Err(v.error(&at("end"), "the window ends before it starts", None));
        }
        if jiff::tz::TimeZone::get(&w.timezone).is_err() {
            return Err(v.error(
                &at("timezone"),
                format!("unknown time zone `{}`", w.timezone),
                Some("expected an IANA name such as Europe/London".into()),
            ));
        }
    }
    if let Some(p) = &inv.change.peak_hours {
        if parse_hours(p).is_none() {
            return Err(v.error(
                &[Seg::Key("change"), Seg::Key("peak_hours")],
                format!("`{p}` is not a range of hours"),
                Some("expected \"HH:MM-HH:MM\", e.g. \"07:00-19:00\"".into()),
            ));
        }
    }
    Ok(())
}

fn check_path(v: &Validator<'_>, at: &[Seg<'_>], base: &Path, path: Option<&Path>) -> Result<(), InventoryError> {
    if let Some(p) = path {
        let full = base.join(p);
        if !full.exists() {
            return Err(v.error(
                at,
                format!("`{}` does not exist (looked for {})", p.display(), full.display()),
                Some("paths are relative to the inventory file".into()),
            ));
        }
    }
    Ok(())
}

fn is_acl_wildcard(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "all" | "*")
}

/// "10.50.1.0/24" as (network, prefix length), with the length checked for its family.
pub(super) fn parse_cidr(s: &str) -> Option<(std::net::IpAddr, u32)> {
    let (net, bits) = s.split_once('/')?;
    let net: std::net::IpAddr = net.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((net, bits))
}

fn is_cidr(s: &str) -> bool {
    parse_cidr(s).is_some()
}

/// Does a subnet entry contain this address?
pub fn cidr_contains(entry: &str, addr: std::net::IpAddr) -> bool {
    use std::net::IpAddr::{V4, V6};
    match (parse_cidr(entry), addr) {
        (Some((V4(n), bits)), V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (Some((V6(n), bits)), V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// "07:00-19:00" as minutes after midnight (start, end); end may be before start
/// (busy across midnight).
pub fn parse_hours(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let minutes = |t: &str| -> Option<u32> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    Some((minutes(a)?, minutes(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fqdn_rules() {
        assert!(is_fqdn("imp1.example.com"));
        assert!(is_fqdn("imp1.example.com."));
        assert!(!is_fqdn("imp1"));
        assert!(!is_fqdn("-bad.example.com"));
        assert!(!is_fqdn("under_score.example.com"));
        assert!(!is_fqdn("a..b"));
    }

    #[test]
    fn releases_and_hours() {
        assert_eq!(parse_release("14.0.1.10000-22"), Some((14, 0)));
        assert_eq!(parse_release("12.5(1)SU3"), Some((12, 5)));
        assert_eq!(parse_release("fourteen"), None);
        assert_eq!(parse_hours("07:00-19:30"), Some((420, 1170)));
        assert_eq!(parse_hours("7-19"), None);
        assert_eq!(parse_hours("25:00-19:00"), None);
    }
}
