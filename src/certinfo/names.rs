//! Does a certificate name a host? RFC 6125 rules, as modern TLS stacks apply them.
//!
//! The distinction between a SAN match and a CN-only match matters for federation:
//! old Lync/OCS certificates sometimes carry the pool FQDN only in the CN, which
//! legacy peers accept and modern stacks refuse.

use super::CertInfo;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// How (or whether) a certificate names a host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMatch {
    /// A DNS or IP subjectAltName entry matches.
    BySan,
    /// The certificate has no DNS/IP SAN at all and its common name matches.
    ByCommonNameFallback,
    /// Nothing matches; `names` are the identities that were compared (the SAN
    /// entries, or the CN when there is no SAN) so a message can list them.
    No {
        /// The identities compared: the SAN entries, or the CN without a SAN.
        names: Vec<String>,
    },
}

/// Matches `host` (a DNS name or an IP literal) against the certificate.
///
/// Rules:
/// - comparison is ASCII case-insensitive and ignores one trailing dot;
/// - a SAN of the form `*.rest` matches exactly one extra left-most label
///   (`*.example.com` names `a.example.com`, not `example.com` nor `a.b.example.com`);
///   the wildcard must be the whole left-most label and `rest` must have at least two
///   labels; partial wildcards (`w*.example.com`) are not honoured;
/// - an IP host matches only IP SANs (never DNS SANs, never the CN);
/// - the CN is consulted only when the certificate has no DNS and no IP SAN.
pub fn names_host(info: &CertInfo, host: &str) -> NameMatch {
    let host_trimmed = host.trim();
    let bare = host_trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host_trimmed);

    if let Ok(ip) = bare.parse::<IpAddr>() {
        let hit = info.san_ip.iter().any(|s| s.parse::<IpAddr>().ok() == Some(ip));
        return if hit { NameMatch::BySan } else { NameMatch::No { names: all_san(info) } };
    }

    let host_norm = normalize(bare);
    let has_san = !info.san_dns.is_empty() || !info.san_ip.is_empty();
    if has_san {
        if info.san_dns.iter().any(|pattern| dns_matches(&normalize(pattern), &host_norm)) {
            return NameMatch::BySan;
        }
        return NameMatch::No { names: all_san(info) };
    }

    match &info.common_name {
        Some(cn) if dns_matches(&normalize(cn), &host_norm) => NameMatch::ByCommonNameFallback,
        Some(cn) => NameMatch::No { names: vec![cn.clone()] },
        None => NameMatch::No { names: Vec::new() },
    }
}

fn all_san(info: &CertInfo) -> Vec<String> {
    info.san_dns.iter().chain(info.san_ip.iter()).cloned().collect()
}

fn normalize(name: &str) -> String {
    let name = name.trim();
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// `pattern` and `host` are already normalized.
fn dns_matches(pattern: &str, host: &str) -> bool {
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(rest) => {
            if rest.contains('*') || !rest.contains('.') {
                return false;
            }
            match host.split_once('.') {
                Some((first, host_rest)) => !first.is_empty() && host_rest == rest,
                None => false,
            }
        }
        None => !pattern.contains('*') && pattern == host,
    }
}
