//! DNS observations: one question to one server and exactly what came back.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;

/// A DNS response code (RFC 1035 and RFC 2136), named the way the DNS community
/// spells them. Stored as text in the snapshot so a bundle reads without a decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Rcode {
    /// 0: the name exists and the answer (possibly empty) is complete.
    NoError,
    /// 1: the server could not read the query.
    FormErr,
    /// 2: the server failed (often a forwarder or an unreachable authority).
    ServFail,
    /// 3: the name does not exist.
    NXDomain,
    /// 4: the server does not support this kind of query.
    NotImp,
    /// 5: the server refuses to answer (policy).
    Refused,
    /// 6: a name exists that should not (dynamic update).
    YXDomain,
    /// 7: an RR set exists that should not (dynamic update).
    YXRRSet,
    /// 8: an RR set that should exist does not (dynamic update).
    NXRRSet,
    /// 9: the server is not authoritative for the zone (or the request is not authorized).
    NotAuth,
    /// 10: a name is not within the zone.
    NotZone,
    /// Any other code, by number.
    Other(u16),
}

impl Rcode {
    /// The code's number on the wire.
    pub fn code(self) -> u16 {
        match self {
            Rcode::NoError => 0,
            Rcode::FormErr => 1,
            Rcode::ServFail => 2,
            Rcode::NXDomain => 3,
            Rcode::NotImp => 4,
            Rcode::Refused => 5,
            Rcode::YXDomain => 6,
            Rcode::YXRRSet => 7,
            Rcode::NXRRSet => 8,
            Rcode::NotAuth => 9,
            Rcode::NotZone => 10,
            Rcode::Other(n) => n,
        }
    }

    /// The code for a number on the wire.
    pub fn from_code(n: u16) -> Rcode {
        const KNOWN: [Rcode; 11] = [
            Rcode::NoError,
            Rcode::FormErr,
            Rcode::ServFail,
            Rcode::NXDomain,
            Rcode::NotImp,
            Rcode::Refused,
            Rcode::YXDomain,
            Rcode::YXRRSet,
            Rcode::NXRRSet,
            Rcode::NotAuth,
            Rcode::NotZone,
        ];
        KNOWN.into_iter().find(|r| r.code() == n).unwrap_or(Rcode::Other(n))
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rcode::NoError => f.write_str("NoError"),
            Rcode::FormErr => f.write_str("FormErr"),
            Rcode::ServFail => f.write_str("ServFail"),
            Rcode::NXDomain => f.write_str("NXDomain"),
            Rcode::NotImp => f.write_str("NotImp"),
            Rcode::Refused => f.write_str("Refused"),
            Rcode::YXDomain => f.write_str("YXDomain"),
            Rcode::YXRRSet => f.write_str("YXRRSet"),
            Rcode::NXRRSet => f.write_str("NXRRSet"),
            Rcode::NotAuth => f.write_str("NotAuth"),
            Rcode::NotZone => f.write_str("NotZone"),
            Rcode::Other(n) => write!(f, "Rcode{n}"),
        }
    }
}

impl From<Rcode> for String {
    fn from(r: Rcode) -> String {
        r.to_string()
    }
}

impl From<String> for Rcode {
    fn from(s: String) -> Rcode {
        (0..=10u16)
            .map(Rcode::from_code)
            .find(|r| r.to_string().eq_ignore_ascii_case(&s))
            .or_else(|| s.strip_prefix("Rcode").and_then(|n| n.parse().ok()).map(Rcode::from_code))
            .unwrap_or(Rcode::Other(u16::MAX))
    }
}

/// The record types fedcheck needs: forward lookups of federation hosts and the
/// reverse lookups that certificate and SIP routing checks compare against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Reverse lookup: the name of an address.
    Ptr,
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Ptr => "PTR",
        })
    }
}

/// One question to one server. Ordered and hashable so the engine can deduplicate
/// identical questions and list them in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DnsQuery {
    /// The resolver asked.
    pub server: SocketAddr,
    /// Host name for A/AAAA; for PTR the address as text ("10.1.2.3", "2001:db8::1").
    pub name: String,
    /// The record type asked for.
    pub rtype: RecordType,
}

impl fmt::Display for DnsQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} @{}", self.rtype, self.name, self.server)
    }
}

/// What one query produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsObservation {
    /// The question.
    pub query: DnsQuery,
    /// How long until the outcome, in milliseconds.
    pub elapsed_ms: u64,
    /// What came back.
    pub outcome: DnsOutcome,
}

/// What came back for one DNS question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsOutcome {
    /// The server answered. `records` holds the data of the requested type found in
    /// the answer section, sorted (DNS order carries no meaning): addresses for A/AAAA,
    /// lowercased names without the trailing dot for PTR.
    Answer {
        /// The response code.
        rcode: Rcode,
        /// The AA flag: the server holds the zone.
        authoritative: bool,
        /// The requested type's data, sorted.
        records: Vec<String>,
    },
    /// Nothing usable arrived within the budget.
    Timeout {
        /// The budget that ran out, in milliseconds.
        after_ms: u64,
    },
    /// The query could not be made, or the reply was not a DNS answer to it. The
    /// message names the server.
    Error {
        /// What went wrong, naming the server.
        message: String,
    },
}

impl DnsObservation {
    /// One line for humans, e.g. "10.1.1.10:53 answered NXDOMAIN (authoritative) in 3 ms".
    pub fn describe(&self) -> String {
        let server = self.query.server;
        match &self.outcome {
            DnsOutcome::Answer { rcode, authoritative, records } => {
                let mut line = format!("{server} answered {}", rcode.to_string().to_ascii_uppercase());
                if *authoritative {
                    line.push_str(" (authoritative)");
                }
                line.push_str(&format!(" in {} ms", self.elapsed_ms));
                if !records.is_empty() {
                    const SHOWN: usize = 5;
                    let shown: Vec<&str> = records.iter().take(SHOWN).map(String::as_str).collect();
                    line.push_str(": ");
                    line.push_str(&shown.join(", "));
                    if records.len() > SHOWN {
                        line.push_str(&format!(" (+{} more)", records.len() - SHOWN));
                    }
                } else if *rcode == Rcode::NoError {
                    line.push_str(&format!(" with no {} records", self.query.rtype));
                }
                line
            }
            DnsOutcome::Timeout { after_ms } => {
                format!("no answer from {server} in {after_ms} ms")
            }
            DnsOutcome::Error { message } => message.clone(),
        }
    }
}

impl fmt::Display for DnsObservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcodes_round_trip_through_text() {
        for n in 0..=12u16 {
            let r = Rcode::from_code(n);
            assert_eq!(Rcode::from(r.to_string()), r, "{r}");
            assert_eq!(r.code(), n);
        }
        assert_eq!(Rcode::from("nxdomain".to_string()), Rcode::NXDomain);
        assert_eq!(serde_json::to_string(&Rcode::NoError).ok().as_deref(), Some("\"NoError\""));
    }
}
