//! IM&P `show network cluster`: the nodes of the cluster as the node itself sees
//! them, with their addresses and whether database replication trusts them. The
//! inventory's node list is compared with it.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::noise::{self, quote, Line};
use super::{CutShort, ParseError};

/// The members listed by `show network cluster`, in the order printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// The members, in the order printed.
    pub members: Vec<Member>,
    /// Set when the capture stops before the command's end (pager quit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<CutShort>,
}

impl super::kinds::Evidence for Cluster {
    fn cut_short(&self) -> Option<&super::CutShort> {
        self.cut.as_ref()
    }
}

impl Cluster {
    /// The member whose FQDN or host name is `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.fqdn.eq_ignore_ascii_case(name) || m.hostname.eq_ignore_ascii_case(name))
    }
}

/// One line such as
/// `10.40.1.22 imp-a.northwind.com imp-a Subscriber cups DBSub authenticated using TCP since ...`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The member's IP address.
    pub ip: IpAddr,
    /// The member's FQDN.
    pub fqdn: String,
    /// The member's host name.
    pub hostname: String,
    /// Publisher or subscriber.
    pub role: ClusterRole,
    /// `callmanager` (CUCM) or `cups` (IM&P), as printed.
    pub product: String,
    /// `DBPub` or `DBSub`, as printed.
    pub db_role: String,
    /// False for `not authenticated ...`: replication does not trust that node.
    pub authenticated: bool,
    /// 1-based line of the evidence file where the member is listed.
    pub line: usize,
}

/// Publisher or subscriber of the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterRole {
    /// The cluster's publisher.
    Publisher,
    /// A subscriber of the cluster.
    Subscriber,
}

/// Parse a `show network cluster` capture.
pub fn parse(text: &str) -> Result<Cluster, ParseError> {
    noise::parse_with(text, &crate::evidence::kinds::SHOW_NETWORK_CLUSTER.cmd, parse_capture)
}

fn parse_capture(cap: &noise::Capture) -> Result<Cluster, ParseError> {
    let mut members = Vec::new();
    let mut cut = CutShort::from_pager(cap);
    let mut in_process_node_table = false;
    // A member row a narrow console wrapped: its first part, waiting for the rest.
    let mut pending: Option<(usize, String)> = None;
    for line in cap.lines() {
        let t = line.text.trim();
        let lower = t.to_ascii_lowercase();
        if lower == "successful" || is_trailer(&lower) {
            continue;
        }
        if t.is_empty() || t.chars().all(|c| c == '-') {
            continue;
        }
        if lower.starts_with("server table (processnode) entries") {
            // Only the CUCM publisher prints this table, after the member list.
            in_process_node_table = true;
            continue;
        }
        let starts_row = t.split_whitespace().next().is_some_and(|w| w.parse::<IpAddr>().is_ok());
        // The processnode table lists one name or address a line.
        if in_process_node_table && t.split_whitespace().count() == 1 {
            continue;
        }
        let (no, text) = match pending.take() {
            // The rest of a wrapped row: it does not start with an address.
            Some((no, first)) if !starts_row => (no, format!("{first} {t}")),
            Some((no, first)) => {
                // The row before was complete as far as it went: judge it alone.
                push(cap, &mut members, &mut cut, no, &first)?;
                (line.no, t.to_string())
            }
            None => (line.no, t.to_string()),
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        if starts_row && status_missing(&words) {
            // A console wraps a long row before `authenticated …`: wait for its rest.
            pending = Some((no, text));
            continue;
        }
        if !push(cap, &mut members, &mut cut, no, &text)? {
            break;
        }
    }
    if let Some((no, first)) = pending {
        push(cap, &mut members, &mut cut, no, &first)?;
    }
    if members.is_empty() && cut.is_none() {
        return Err(ParseError::new(0, "no cluster members found — is this the output of `show network cluster`?"));
    }
    Ok(Cluster { members, cut })
}

/// Lines printed after the member list that are not rows: the dynamic-cluster
/// trailer of 10.5(2) and later (`Dynamic Cluster Configuration is enabled for 23
/// Hours 59 Minutes.`), and its disabled form.
fn is_trailer(lower: &str) -> bool {
    lower.starts_with("dynamic cluster configuration")
}

/// A row that names its role but not yet whether the node is authenticated.
fn status_missing(words: &[&str]) -> bool {
    match words.iter().position(|w| role_of(w).is_some()) {
        Some(i) => words.len() <= i + 3,
        None => false,
    }
}

/// Parse one row into `members`; a row the capture's end explains as cut off stops
/// the list (false) with the cut recorded.
fn push(cap: &noise::Capture, members: &mut Vec<Member>, cut: &mut Option<CutShort>, no: usize, text: &str) -> Result<bool, ParseError> {
    let line = Line { no, text, space_after: false };
    let words: Vec<&str> = text.split_whitespace().collect();
    match member(&line, &words) {
        Ok(m) => {
            members.push(m);
            Ok(true)
        }
        Err(e) => match cap.cut_at(&e) {
            // The last line of a capture nothing closes was cut off, not printed wrong.
            Some(c) => {
                cut.get_or_insert(c);
                Ok(false)
            }
            None => Err(e),
        },
    }
}

fn role_of(word: &str) -> Option<ClusterRole> {
    match word.to_ascii_lowercase().as_str() {
        "publisher" => Some(ClusterRole::Publisher),
        "subscriber" => Some(ClusterRole::Subscriber),
        _ => None,
    }
}

/// A member row, read by meaning rather than by position: the address first, then
/// the FQDN and host name (a node installed without a DNS domain prints only its
/// host name), the role (`Publisher`/`Subscriber`), the product, the database role
/// and the replication status.
fn member(line: &Line<'_>, words: &[&str]) -> Result<Member, ParseError> {
    let expected = "a member line like `10.40.1.21 imp-rt.example.com imp-rt Subscriber cups DBSub authenticated`";
    let Some(ip) = words.first().and_then(|w| w.parse::<IpAddr>().ok()) else {
        return Err(noise::unrecognised(line, expected));
    };
    let Some(at) = words.iter().position(|w| role_of(w).is_some()) else {
        // No role yet: a row cut before it, or one that is not a member row.
        return Err(if words.len() < 4 {
            ParseError::cut_off(line.no, format!("member line {} is cut short; expected {expected}", quote(line.text)))
        } else {
            let guess = words.get(3).copied().unwrap_or_default();
            ParseError::new(line.no, format!("unknown role `{guess}` in {} (expected Publisher or Subscriber)", quote(line.text)))
        });
    };
    let role = role_of(words[at]).unwrap_or(ClusterRole::Subscriber);
    let (fqdn, hostname) = match &words[1..at] {
        [fqdn, host] => (fqdn.to_string(), host.to_string()),
        // Without a DNS domain the FQDN column is empty: the host name is all there is.
        [host] => (host.to_string(), host.to_string()),
        _ => {
            return Err(ParseError::new(
                line.no,
                format!(
                    "member line {} should hold an address, an FQDN and a host name before its role; expected {expected}",
                    quote(line.text)
                ),
            ))
        }
    };
    let [product, db_role, status @ ..] = &words[at + 1..] else {
        return Err(ParseError::cut_off(line.no, format!("member line {} is cut short; expected {expected}", quote(line.text))));
    };
    let authenticated = match status {
        [first, ..] if first.eq_ignore_ascii_case("authenticated") => true,
        [not, second, ..] if not.eq_ignore_ascii_case("not") && second.eq_ignore_ascii_case("authenticated") => false,
        _ => {
            return Err(ParseError::cut_off(
                line.no,
                format!("member line {} does not say whether the node is authenticated (is the file cut short?)", quote(line.text)),
            ))
        }
    };
    Ok(Member { ip, fqdn, hostname, role, product: product.to_string(), db_role: db_role.to_string(), authenticated, line: line.no })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../examples/enterprise/evidence/imp-rt/show-network-cluster.txt");

    #[test]
    fn enterprise_sample_lists_all_five_nodes() {
        let c = parse(SAMPLE).unwrap();
        let names: Vec<_> = c.members.iter().map(|m| m.hostname.as_str()).collect();
        assert_eq!(names, ["cucm-pub", "cucm-sub", "imp-rt", "imp-a", "imp-b"]);
        let rt = c.get("imp-rt.northwind.com").unwrap();
        assert_eq!(
            *rt,
            Member {
                ip: "10.40.1.21".parse().unwrap(),
                fqdn: "imp-rt.northwind.com".into(),
                hostname: "imp-rt".into(),
                role: ClusterRole::Subscriber,
                product: "cups".into(),
                db_role: "DBSub".into(),
                authenticated: true,
                line: 4,
            }
        );
        let publ = c.get("CUCM-PUB").unwrap();
        assert_eq!(publ.role, ClusterRole::Publisher);
        assert_eq!(publ.product, "callmanager");
        assert_eq!(publ.db_role, "DBPub");
        assert!(c.members.iter().all(|m| m.authenticated));
    }

    #[test]
    fn crlf_matches_lf() {
        assert_eq!(parse(&SAMPLE.replace('\n', "\r\n")).unwrap(), parse(SAMPLE).unwrap());
    }

    #[test]
    fn not_authenticated_and_ipv6() {
        let text = "fd00::21 imp-rt.example.com imp-rt Subscriber cups DBSub not authenticated - INITIATOR since Mon Jan 5 2026\n";
        let c = parse(text).unwrap();
        assert!(!c.members[0].authenticated);
        assert_eq!(c.members[0].ip, "fd00::21".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn truncated_last_line_is_a_cut_and_a_middle_one_an_error() {
        let cut = SAMPLE.split(" cups DBSub authenticated using TCP since Sat Oct 10 04:33").next().unwrap();
        let c = parse(cut).unwrap();
        assert_eq!(c.members.len(), 4);
        let at = c.cut.unwrap();
        assert_eq!(at.line, 6);
        assert!(at.reason.contains("\"10.40.1.23 imp-b.northwind.com imp-b Subscriber\""), "{}", at.reason);
        let err = parse(&format!("{cut}\nadmin:")).unwrap_err();
        assert_eq!(err.line, 6);
        assert!(err.message.contains("\"10.40.1.23 imp-b.northwind.com imp-b Subscriber\""), "{}", err.message);

        let err = parse("10.40.1.21 imp-rt.northwind.com imp-rt Subscriber cups DBSub\n10.40.1.22 imp-a.northwind.com imp-a Subscriber cups DBSub authenticated\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("authenticated"), "{}", err.message);
    }

    #[test]
    fn garbled_line_is_named_and_quoted() {
        let text = SAMPLE.replace("10.40.1.12 cucm-sub", "10.40.1.x cucm-sub");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("\"10.40.1.x cucm-sub.northwind.com cucm-sub Subscriber callman…\""), "{}", err.message);
    }

    #[test]
    fn unknown_role_is_an_error() {
        let err = parse("10.1.1.1 a.example.com a Leader cups DBSub authenticated\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("`Leader`"));
    }

    #[test]
    fn empty_file_is_an_error() {
        for text in ["", "admin:show network cluster\n\nServer Table (processnode) Entries\n---\nx.example.com\n\nSuccessful\n"] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, 0);
            assert_eq!(err.message, "no cluster members found — is this the output of `show network cluster`?");
        }
    }
}
