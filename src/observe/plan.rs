//! The plan: what to probe, derived once from what the selected checks need, the
//! inventory and its evidence. It carries the names per side, the peers with the
//! addresses the inventory declares for them, and the cipher suites path 1 offers.

use crate::inventory::Loaded;
use crate::judge::{DnsSide, Observation};
use crate::snapshot::tls::{suite_id, OFFERED_SUITES};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// One TLS peer (host and port) to probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerPlan {
    /// Send SIP OPTIONS over path 2's connection.
    pub sip: bool,
    /// The address the inventory declares for the host, probed even if DNS disagrees.
    pub declared: Option<IpAddr>,
}

/// What OBSERVE will do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Names to resolve (lowercase), with the side whose resolvers must answer.
    pub names: BTreeMap<String, DnsSide>,
    /// Peers by (host, port); hosts lowercase.
    pub peers: BTreeMap<(String, u16), PeerPlan>,
    /// Addresses the inventory declares, by name: their PTRs are asked too.
    pub declared: BTreeMap<String, IpAddr>,
    /// The suite codes path 1 offers: IM&P's configured list, else a broad one.
    pub offer: Vec<u16>,
}

impl Plan {
    /// The plan for a set of needs.
    pub fn new(loaded: &Loaded, needs: &BTreeSet<Observation>) -> Plan {
        let mut plan = Plan::default();
        for node in &loaded.inventory.cisco.nodes {
            if let Some(ip) = node.ip {
                plan.declared.insert(node.fqdn.to_ascii_lowercase(), ip);
            }
        }
        for n in needs {
            match n {
                Observation::Dns { name, side } => plan.add_name(name, *side),
                Observation::Tls { host, port } => {
                    plan.peer(host, *port);
                }
                Observation::Sip { host, port } => plan.peer(host, *port).sip = true,
            }
        }
        // TLS hosts are resolved by both sides.
        let hosts: Vec<String> = plan.peers.keys().map(|(h, _)| h.clone()).filter(|h| h.parse::<IpAddr>().is_err()).collect();
        for h in hosts {
            plan.add_name(&h, DnsSide::Both);
        }
        let configured: Vec<u16> = loaded.inventory.cisco.federation.tls_ciphers.iter().filter_map(|c| suite_id(c)).collect();
        plan.offer = if configured.is_empty() { OFFERED_SUITES.to_vec() } else { configured };
        plan
    }

    fn add_name(&mut self, name: &str, side: DnsSide) {
        let e = self.names.entry(name.to_ascii_lowercase()).or_insert(side);
        *e = e.merge(side);
    }

    fn peer(&mut self, host: &str, port: u16) -> &mut PeerPlan {
        let host = host.to_ascii_lowercase();
        let declared = self.declared.get(&host).copied();
        let p = self.peers.entry((host, port)).or_default();
        p.declared = p.declared.or(declared);
        p
    }
}
