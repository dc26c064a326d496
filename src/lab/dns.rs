//! An authoritative DNS server that runs inside the process, for the tests and the
//! demo lab: real packets on a loopback socket, so the DNS probe is exercised exactly
//! as it would be against a domain controller.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_net::runtime::TokioRuntimeProvider;
use hickory_proto::rr::rdata::{A, AAAA, CNAME, NS, PTR, SOA};
use hickory_proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use hickory_server::Server;
use tokio::net::{TcpListener, UdpSocket};

/// Record data the lab can serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabRecord {
    /// An IPv4 address record.
    A(Ipv4Addr),
    /// An IPv6 address record.
    Aaaa(Ipv6Addr),
    /// Target host name.
    Ptr(String),
    /// Target host name.
    Cname(String),
}

/// The records one lab server holds, as (owner name, data) pairs. Owner names are
/// absolute; a trailing dot is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneData {
    records: Vec<(String, LabRecord)>,
}

impl ZoneData {
    /// An empty zone.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record, in the order added.
    pub fn records(&self) -> &[(String, LabRecord)] {
        &self.records
    }

    /// Adds a record in place.
    pub fn push(&mut self, owner: impl Into<String>, record: LabRecord) -> &mut Self {
        self.records.push((owner.into(), record));
        self
    }

    /// Adds a record, builder style.
    pub fn with(mut self, owner: impl Into<String>, record: LabRecord) -> Self {
        self.push(owner, record);
        self
    }

    /// Adds an A record.
    pub fn a(self, owner: impl Into<String>, ip: Ipv4Addr) -> Self {
        self.with(owner, LabRecord::A(ip))
    }

    /// Adds an AAAA record.
    pub fn aaaa(self, owner: impl Into<String>, ip: Ipv6Addr) -> Self {
        self.with(owner, LabRecord::Aaaa(ip))
    }

    /// A PTR for `ip` (owner in in-addr.arpa / ip6.arpa) pointing at `target`.
    pub fn ptr(self, ip: IpAddr, target: impl Into<String>) -> Self {
        self.with(reverse_name(ip), LabRecord::Ptr(target.into()))
    }

    /// Adds a CNAME from `owner` to `target`.
    pub fn cname(self, owner: impl Into<String>, target: impl Into<String>) -> Self {
        self.with(owner, LabRecord::Cname(target.into()))
    }

    /// A correctly registered host: an A record and the matching PTR.
    pub fn host(self, name: &str, ip: Ipv4Addr) -> Self {
        self.a(name, ip).ptr(IpAddr::V4(ip), name)
    }
}

/// The reverse-lookup owner name for an address, without the trailing dot.
pub fn reverse_name(ip: IpAddr) -> String {
    let name = Name::from(ip).to_ascii();
    name.strip_suffix('.').unwrap_or(&name).to_string()
}

/// A running lab server. It stops when dropped or on [`LabDns::shutdown`].
pub struct LabDns {
    /// UDP and TCP both listen on this address.
    pub addr: SocketAddr,
    server: Server<Catalog>,
}

impl LabDns {
    /// Stop serving and wait until the sockets are closed.
    pub async fn shutdown(mut self) {
        // Errors here only mean a listener task had already ended.
        let _ = self.server.shutdown_gracefully().await;
    }
}

impl std::fmt::Debug for LabDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabDns").field("addr", &self.addr).finish()
    }
}

const TTL: u32 = 60;
const SERIAL: u32 = 1;

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn parse_name(text: &str) -> io::Result<Name> {
    let mut name = Name::from_str_relaxed(text.trim()).map_err(|e| invalid(format!("'{text}' is not a valid DNS name: {e}")))?;
    name.set_fqdn(true);
    Ok(name.to_lowercase())
}

/// Serve `data` authoritatively on `bind` (UDP and TCP, same ephemeral port).
///
/// Each record goes to the most specific of `zones` that contains it; PTR records
/// outside every given zone are served from an implied `in-addr.arpa` / `ip6.arpa`
/// zone. Names inside a zone that hold no data get NXDOMAIN; names outside all zones
/// get REFUSED. A record outside every zone is an `InvalidInput` error.
pub async fn start(bind: IpAddr, zones: &[&str], data: &ZoneData) -> io::Result<LabDns> {
    let catalog = build_catalog(zones, data)?;
    let (udp, tcp) = bind_pair(bind).await?;
    let addr = udp.local_addr()?;
    let mut server = Server::new(catalog);
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 32);
    Ok(LabDns { addr, server })
}

/// Bind UDP on an ephemeral port, then TCP on the same port; another process may
/// hold that TCP port, so try a few times.
async fn bind_pair(bind: IpAddr) -> io::Result<(UdpSocket, TcpListener)> {
    let mut last_error = None;
    for _ in 0..16 {
        let udp = UdpSocket::bind(SocketAddr::new(bind, 0)).await?;
        let addr = udp.local_addr()?;
        match TcpListener::bind(addr).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("could not bind UDP and TCP on the same port")))
}

fn build_catalog(zones: &[&str], data: &ZoneData) -> io::Result<Catalog> {
    let mut origins: Vec<Name> = zones.iter().map(|z| parse_name(z)).collect::<io::Result<_>>()?;

    // Place every record in its zone, adding the implied reverse roots when needed.
    let mut placed: BTreeMap<Name, Vec<Record>> = BTreeMap::new();
    for (owner, record) in &data.records {
        let owner_name = parse_name(owner)?;
        let zone = match best_zone(&origins, &owner_name) {
            Some(zone) => zone,
            None => {
                let implied =
                    ["in-addr.arpa.", "ip6.arpa."].into_iter().filter_map(|z| Name::from_ascii(z).ok()).find(|z| z.zone_of(&owner_name));
                match implied {
                    Some(zone) => {
                        origins.push(zone.clone());
                        zone
                    }
                    None => return Err(invalid(format!("record {owner} lies outside the served zones ({})", zones.join(", ")))),
                }
            }
        };
        let rdata = match record {
            LabRecord::A(ip) => RData::A(A(*ip)),
            LabRecord::Aaaa(ip) => RData::AAAA(AAAA(*ip)),
            LabRecord::Ptr(target) => RData::PTR(PTR(parse_name(target)?)),
            LabRecord::Cname(target) => RData::CNAME(CNAME(parse_name(target)?)),
        };
        placed.entry(zone).or_default().push(Record::from_rdata(owner_name, TTL, rdata));
    }

    let mut catalog = Catalog::new();
    for origin in origins {
        let mut handler = InMemoryZoneHandler::<TokioRuntimeProvider>::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
        for record in zone_apex(&origin)? {
            handler.upsert_mut(record, SERIAL);
        }
        for record in placed.remove(&origin).unwrap_or_default() {
            let owner = record.name.to_ascii();
            if !handler.upsert_mut(record, SERIAL) {
                return Err(invalid(format!(
                    "record {owner} conflicts with another record at that name \
                     (a CNAME must stand alone)"
                )));
            }
        }
        let handler: Arc<dyn ZoneHandler> = Arc::new(handler);
        catalog.upsert(LowerName::new(&origin), vec![handler]);
    }
    Ok(catalog)
}

/// The most specific zone containing `name`.
fn best_zone(origins: &[Name], name: &Name) -> Option<Name> {
    origins.iter().filter(|z| z.zone_of(name)).max_by_key(|z| z.num_labels()).cloned()
}

/// SOA and NS records every zone needs to be served authoritatively.
fn zone_apex(origin: &Name) -> io::Result<Vec<Record>> {
    let prefixed = |label: &str| {
        Name::from_ascii(label).and_then(|n| n.append_domain(origin)).map_err(|e| invalid(format!("zone {origin} is too long: {e}")))
    };
    let ns = prefixed("ns")?;
    let soa = SOA::new(ns.clone(), prefixed("hostmaster")?, SERIAL, 3600, 600, 86_400, TTL);
    Ok(vec![Record::from_rdata(origin.clone(), TTL, RData::SOA(soa)), Record::from_rdata(origin.clone(), TTL, RData::NS(NS(ns)))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names() {
        assert_eq!(reverse_name("10.1.2.3".parse().unwrap()), "3.2.1.10.in-addr.arpa");
        assert!(reverse_name("::1".parse().unwrap()).ends_with(".ip6.arpa"));
    }

    #[test]
    fn host_adds_a_and_ptr() {
        let data = ZoneData::new().host("imp1.lab.example", Ipv4Addr::new(127, 0, 0, 5));
        assert_eq!(
            data.records(),
            &[
                ("imp1.lab.example".to_string(), LabRecord::A(Ipv4Addr::new(127, 0, 0, 5))),
                ("5.0.0.127.in-addr.arpa".to_string(), LabRecord::Ptr("imp1.lab.example".into())),
            ]
        );
    }

    #[test]
    fn records_outside_every_zone_are_rejected() {
        let data = ZoneData::new().a("www.other.example", Ipv4Addr::LOCALHOST);
        let Err(err) = build_catalog(&["lab.example"], &data) else {
            panic!("a record outside the zones was accepted");
        };
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("www.other.example"), "{err}");
    }

    #[test]
    fn cname_conflicts_are_rejected() {
        let data = ZoneData::new().a("x.lab.example", Ipv4Addr::LOCALHOST).cname("x.lab.example", "y.lab.example");
        assert!(build_catalog(&["lab.example"], &data).is_err());
    }

    #[test]
    fn reverse_zone_is_implied() {
        let data = ZoneData::new().ptr("127.0.0.9".parse().unwrap(), "h.lab.example");
        let catalog = build_catalog(&["lab.example"], &data).unwrap();
        let name = LowerName::new(&Name::from_ascii("9.0.0.127.in-addr.arpa.").unwrap());
        assert!(catalog.find(&name).is_some());
    }
}
