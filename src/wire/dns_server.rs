//! Where DNS questions go: DNS server addresses as users write them, and the
//! system's own nameservers. Shared by the inventory's validation and the DNS probe.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::str::FromStr;

/// The nameservers this machine uses, from /etc/resolv.conf; empty if unreadable.
pub(crate) fn system_nameservers() -> Vec<SocketAddr> {
    match std::fs::read_to_string("/etc/resolv.conf") {
        Ok(text) => parse_resolv_conf(&text),
        Err(_) => Vec::new(),
    }
}

/// The C library only consults the first three `nameserver` lines (MAXNS).
const MAX_NAMESERVERS: usize = 3;

/// Extract `nameserver` addresses (port 53) from resolv.conf text, keeping only the
/// ones the system resolver would use. Scoped IPv6 addresses are kept when the scope is
/// numeric ("fe80::1%2") and skipped when it is an interface name, which cannot be
/// turned into an index without libc.
pub(crate) fn parse_resolv_conf(text: &str) -> Vec<SocketAddr> {
    let mut out: Vec<SocketAddr> = Vec::new();
    for line in text.lines() {
        let line = line.split(['#', ';']).next().unwrap_or("");
        let mut words = line.split_whitespace();
        if words.next() != Some("nameserver") {
            continue;
        }
        let Some(addr) = words.next().and_then(resolv_conf_address) else {
            continue;
        };
        if !out.contains(&addr) {
            out.push(addr);
        }
        if out.len() == MAX_NAMESERVERS {
            break;
        }
    }
    out
}

fn resolv_conf_address(word: &str) -> Option<SocketAddr> {
    if let Ok(ip) = word.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, 53));
    }
    let (ip, scope) = word.split_once('%')?;
    let ip = ip.parse::<Ipv6Addr>().ok()?;
    let scope = scope.parse::<u32>().ok()?;
    Some(SocketAddr::V6(SocketAddrV6::new(ip, 53, 0, scope)))
}

/// Parse a DNS server given by the user: an IP address with an optional port
/// ("10.1.1.10", "10.1.1.10:5353", "::1", "[::1]:53"); the port defaults to 53.
pub(crate) fn parse_server(s: &str) -> Result<SocketAddr, ServerAddrError> {
    let text = s.trim();
    if text.is_empty() {
        return Err(ServerAddrError::Empty);
    }
    if let Ok(addr) = SocketAddr::from_str(text) {
        if addr.port() == 0 {
            return Err(ServerAddrError::PortZero(text.to_string()));
        }
        return Ok(addr);
    }
    if let Ok(ip) = IpAddr::from_str(text) {
        return Ok(SocketAddr::new(ip, 53));
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if let Ok(ip) = Ipv6Addr::from_str(inner) {
            return Ok(SocketAddr::new(IpAddr::V6(ip), 53));
        }
    }
    // Explain the most likely mistakes.
    if let Some((host, port)) = text.rsplit_once(':') {
        let host_is_ip = host.parse::<Ipv4Addr>().is_ok()
            || host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).is_some_and(|h| h.parse::<Ipv6Addr>().is_ok());
        if host_is_ip {
            return Err(ServerAddrError::InvalidPort { text: text.to_string(), port: port.to_string() });
        }
    }
    if text.chars().any(|c| c.is_ascii_alphabetic()) && !text.contains(':') {
        return Err(ServerAddrError::HostName(text.to_string()));
    }
    Err(ServerAddrError::NotAnAddress(text.to_string()))
}

/// The forms [`parse_server`] accepts, as error messages spell them.
const EXPECTED: &str = "expected an IP address with an optional port, \
                        e.g. 10.1.1.10, 10.1.1.10:5353, ::1 or [::1]:53";

/// Why a DNS server address as written by a user cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ServerAddrError {
    /// Nothing but white space.
    #[error("empty DNS server address ({})", EXPECTED)]
    Empty,
    /// An address with port 0 (the text, trimmed).
    #[error("DNS server '{0}' has port 0")]
    PortZero(String),
    /// An IP address followed by something that is not a port.
    #[error("DNS server '{text}' has an invalid port '{port}' (expected 1-65535)")]
    InvalidPort {
        /// The address as written, trimmed.
        text: String,
        /// The part after the last colon.
        port: String,
    },
    /// A host name: finding its address would itself need DNS.
    #[error(
        "DNS server '{0}' must be an IP address, not a host name \
         (finding a DNS server by name would itself need DNS)"
    )]
    HostName(String),
    /// Anything else (the text, trimmed).
    #[error("'{0}' is not a DNS server address ({expected})", expected = EXPECTED)]
    NotAnAddress(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parse_server_accepts_the_documented_forms() {
        assert_eq!(parse_server("10.1.1.10"), Ok(sa("10.1.1.10:53")));
        assert_eq!(parse_server(" 10.1.1.10:5353 "), Ok(sa("10.1.1.10:5353")));
        assert_eq!(parse_server("[::1]:53"), Ok(sa("[::1]:53")));
        assert_eq!(parse_server("[::1]:5300"), Ok(sa("[::1]:5300")));
        assert_eq!(parse_server("::1"), Ok(sa("[::1]:53")));
        assert_eq!(parse_server("[2001:db8::5]"), Ok(sa("[2001:db8::5]:53")));
    }

    #[test]
    fn parse_server_explains_mistakes() {
        let e = parse_server("").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let e = parse_server("10.1.1.10:99999").unwrap_err().to_string();
        assert!(e.contains("invalid port '99999'"), "{e}");
        let e = parse_server("10.1.1.10:dns").unwrap_err().to_string();
        assert!(e.contains("invalid port 'dns'"), "{e}");
        let e = parse_server("10.1.1.10:0").unwrap_err().to_string();
        assert!(e.contains("port 0"), "{e}");
        let e = parse_server("dc1.corp.example").unwrap_err().to_string();
        assert!(e.contains("not a host name"), "{e}");
        let e = parse_server("10.1.1").unwrap_err().to_string();
        assert!(e.contains("is not a DNS server address"), "{e}");
        let e = parse_server("[::1]:x").unwrap_err().to_string();
        assert!(e.contains("invalid port 'x'"), "{e}");
        let e = parse_server("::1:53:zz").unwrap_err().to_string();
        assert!(e.contains("is not a DNS server address"), "{e}");
    }

    #[test]
    fn resolv_conf_comments_options_and_ipv6() {
        let text = "\
# generated by NetworkManager
; another comment style
search corp.example lab.example
options edns0 trust-ad ndots:2
nameserver 10.1.1.10   # primary DC
nameserver\t2001:db8::53
#nameserver 10.9.9.9
  nameserver 10.1.1.11 ; secondary
nameserver 10.1.1.12
";
        assert_eq!(parse_resolv_conf(text), vec![sa("10.1.1.10:53"), sa("[2001:db8::53]:53"), sa("10.1.1.11:53")]);
    }

    #[test]
    fn resolv_conf_scoped_ipv6_and_junk() {
        let text = "nameserver fe80::1%eth0\nnameserver fe80::2%3\nnameserver bogus\n\
                    nameserver\nnameservers 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.2\n";
        let got = parse_resolv_conf(text);
        assert_eq!(got.len(), 2);
        match got[0] {
            SocketAddr::V6(v6) => {
                assert_eq!(v6.ip(), &"fe80::2".parse::<Ipv6Addr>().unwrap());
                assert_eq!(v6.scope_id(), 3);
                assert_eq!(v6.port(), 53);
            }
            other => panic!("expected a scoped IPv6 address, got {other}"),
        }
        assert_eq!(got[1], sa("10.0.0.2:53"));
    }

    #[test]
    fn resolv_conf_without_nameservers_is_empty() {
        assert!(parse_resolv_conf("").is_empty());
        assert!(parse_resolv_conf("search example.com\noptions rotate\n").is_empty());
    }
}
