//! Lookups into a snapshot, built once per judging run so that every check's
//! question ("what did each server answer for this name?") costs a hash lookup, not a
//! scan of every observation: judging stays linear in the size of the snapshot.

use super::dns::{DnsObservation, DnsOutcome, RecordType};
use super::{PeerObservation, Snapshot};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// The snapshot's observations by (name, record type) and by peer address.
#[derive(Debug, Default)]
pub struct SnapshotIndex<'a> {
    dns: HashMap<(String, RecordType), Vec<&'a DnsObservation>>,
    addresses: HashMap<String, Vec<IpAddr>>,
    peers: HashMap<SocketAddr, &'a PeerObservation>,
    silent: std::collections::BTreeSet<SocketAddr>,
}

impl<'a> SnapshotIndex<'a> {
    /// Index every observation of a snapshot: one pass over each list.
    pub fn new(snapshot: &'a Snapshot) -> SnapshotIndex<'a> {
        let mut dns: HashMap<(String, RecordType), Vec<&'a DnsObservation>> = HashMap::new();
        let mut addresses: HashMap<String, Vec<IpAddr>> = HashMap::new();
        let mut answered: HashMap<SocketAddr, bool> = HashMap::new();
        for o in &snapshot.dns {
            *answered.entry(o.query.server).or_insert(false) |= matches!(o.outcome, DnsOutcome::Answer { .. });
            let name = o.query.name.to_ascii_lowercase();
            if matches!(o.query.rtype, RecordType::A | RecordType::Aaaa) {
                if let DnsOutcome::Answer { records, .. } = &o.outcome {
                    let list = addresses.entry(name.clone()).or_default();
                    list.extend(records.iter().filter_map(|r| r.parse::<IpAddr>().ok()));
                }
            }
            dns.entry((name, o.query.rtype)).or_default().push(o);
        }
        for list in addresses.values_mut() {
            list.sort();
            list.dedup();
        }
        let mut peers = HashMap::with_capacity(snapshot.peers.len());
        for p in &snapshot.peers {
            peers.entry(p.addr).or_insert(p);
        }
        let silent = answered.into_iter().filter(|(_, a)| !a).map(|(s, _)| s).collect();
        SnapshotIndex { dns, addresses, peers, silent }
    }

    /// The answers every server gave for (name, type), in snapshot order.
    pub fn dns_answers(&self, name: &str, rtype: RecordType) -> &[&'a DnsObservation] {
        self.dns.get(&(name.to_ascii_lowercase(), rtype)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every address any server returned for a name (A and AAAA), sorted.
    pub fn addresses(&self, name: &str) -> &[IpAddr] {
        self.addresses.get(&name.to_ascii_lowercase()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Resolvers that were asked and never answered anything (timeouts and errors
    /// only): the root cause behind every question they were asked.
    pub fn silent_resolvers(&self) -> &std::collections::BTreeSet<SocketAddr> {
        &self.silent
    }

    /// What the probes saw at one address and port.
    pub fn peer(&self, addr: SocketAddr) -> Option<&'a PeerObservation> {
        self.peers.get(&addr).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::dns::{DnsQuery, Rcode};

    fn obs(name: &str, rtype: RecordType, records: &[&str]) -> DnsObservation {
        DnsObservation {
            query: DnsQuery { server: SocketAddr::from(([127, 0, 0, 1], 53)), name: name.into(), rtype },
            elapsed_ms: 1,
            outcome: DnsOutcome::Answer {
                rcode: Rcode::NoError,
                authoritative: true,
                records: records.iter().map(|r| r.to_string()).collect(),
            },
        }
    }

    #[test]
    fn lookups_match_a_scan_and_ignore_case() {
        let mut snap = Snapshot::offline("2026-12-01T00:00:00Z".into());
        snap.dns = vec![
            obs("FE01.contoso.com", RecordType::A, &["10.0.0.2", "10.0.0.1"]),
            obs("fe01.contoso.com", RecordType::Aaaa, &["2001:db8::1", "not an address"]),
            obs("10.0.0.1", RecordType::Ptr, &["fe01.contoso.com"]),
        ];
        let idx = SnapshotIndex::new(&snap);
        assert_eq!(idx.dns_answers("fe01.CONTOSO.com", RecordType::A).len(), 1);
        assert_eq!(idx.dns_answers("fe01.contoso.com", RecordType::Ptr).len(), 0);
        assert_eq!(idx.dns_answers("10.0.0.1", RecordType::Ptr).len(), 1);
        let want: Vec<IpAddr> = ["10.0.0.1", "10.0.0.2", "2001:db8::1"].iter().filter_map(|a| a.parse().ok()).collect();
        assert_eq!(idx.addresses("fe01.contoso.com"), want.as_slice());
        assert!(idx.addresses("nowhere.example").is_empty());
        assert!(idx.peer(SocketAddr::from(([127, 0, 0, 1], 5061))).is_none());
    }
}
