//! Scenario labs: a Microsoft pool of front ends, each one a chosen kind of peer (good,
//! expired, wrong SAN, silent, TLS 1.0 only…), with a DNS server for all of them and an
//! inventory pointing at it. The integration tests use it to prove each check's
//! verdicts on real sockets; the benchmark uses it to start hundreds of peers.

use super::dns::{LabDns, ZoneData};
use super::hostile::{self, Behaviour, HostilePeer};
use super::pki::{self, Ca, Eku, LeafSpec};
use super::tls::{self as labtls, LabListener, ListenerSpec};
use anyhow::{Context as _, Result};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// The domain every scenario peer's name lives in.
pub const DOMAIN: &str = "scn.example";

/// What one front end is.
#[derive(Debug, Clone)]
pub enum PeerKind {
    /// A healthy front end: valid certificate, both EKUs, answers SIP.
    Good,
    /// Its certificate expired.
    Expired,
    /// Its certificate is not valid yet.
    NotYetValid,
    /// Issued by a CA neither trust store holds.
    OtherCa,
    /// Its certificate names another host.
    WrongSan,
    /// Its certificate is self-signed.
    SelfSigned,
    /// Its certificate carries serverAuth only (refused as a client certificate).
    ServerOnlyEku,
    /// Client authentication only: cannot serve TLS in a strict client's eyes.
    ClientOnlyEku,
    /// No SAN at all: the name is only in the CN (old-style certificate).
    CnOnly,
    /// Issued by an intermediate the peer does not send.
    NoIntermediate,
    /// Never asks for a client certificate.
    NoClientAuth,
    /// Asks for a client certificate from another CA than the one that issued IM&P's.
    ClientAuthOtherCa,
    /// Refuses a client without a certificate (mutual TLS enforced).
    RequireClientCert,
    /// The same, speaking TLS 1.2 only: the refusal comes inside the handshake.
    RequireClientCert12,
    /// Completes TLS but never answers SIP.
    NoSip,
    /// Speaks only TLS 1.0 with an RSA/CBC suite (hand-written server flight).
    Legacy10,
    /// Answers at SSL 3.0 (hand-written server flight).
    Ssl3,
    /// A peer that misbehaves at the TCP or TLS level (see [`Behaviour`]).
    Hostile(Behaviour),
}

/// DNS faults planted on top of the peers.
#[derive(Debug, Clone, Default)]
pub struct DnsFaults {
    /// Labels whose PTR is missing.
    pub missing_ptr: Vec<String>,
    /// Labels whose PTR names the first peer instead.
    pub wrong_ptr: Vec<String>,
    /// Labels with no A record at all.
    pub no_a: Vec<String>,
    /// A second resolver that gives this label another address.
    pub disagree: Vec<String>,
    /// Labels whose A answer also lists 300 addresses nothing listens on (a broken or
    /// hostile resolver's fan-out).
    pub many_a: Vec<String>,
}

/// A set of front ends, each with its fault, and the DNS faults around them.
pub struct Scenario {
    /// Each peer's label (its host name within [`DOMAIN`]) and what it is.
    pub peers: Vec<(String, PeerKind)>,
    /// DNS faults planted on top.
    pub dns: DnsFaults,
}

/// A running scenario; stops when dropped.
pub struct RunningScenario {
    /// The inventory written for the scenario (in a temporary folder).
    pub inventory: PathBuf,
    /// Address of each peer by label.
    pub addrs: Vec<(String, SocketAddr)>,
    _dir: tempfile::TempDir,
    _dns: Vec<LabDns>,
    _listeners: Vec<LabListener>,
    _hostile: Vec<HostilePeer>,
}

impl RunningScenario {
    /// A peer's host name: its label in [`DOMAIN`].
    pub fn fqdn(label: &str) -> String {
        format!("{label}.{DOMAIN}")
    }

    /// The target string findings use for a peer.
    pub fn target(&self, label: &str) -> String {
        let addr = self.addrs.iter().find(|(l, _)| l == label).map(|(_, a)| a.to_string()).unwrap_or_default();
        format!("{} @ {addr}", Self::fqdn(label))
    }
}

impl Scenario {
    /// A scenario of these peers, with healthy DNS.
    pub fn new(peers: Vec<(String, PeerKind)>) -> Scenario {
        Scenario { peers, dns: DnsFaults::default() }
    }

    /// Start every peer and the DNS server; a busy address block is retried elsewhere.
    pub async fn start(&self) -> Result<RunningScenario> {
        let mut last = None;
        for attempt in 0..5u32 {
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
                ^ std::process::id().rotate_left(7)
                ^ attempt.wrapping_mul(0x9e37_79b9);
            // 127.<a>.<b..>.<c>: a random second octet keeps parallel scenarios apart.
            let a = 1 + (nanos % 200) as u8;
            let base_b = ((nanos >> 8) % 4) as u8 * 50;
            match self.start_at(a, base_b).await {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("could not start the scenario")))
    }

    async fn start_at(&self, a: u8, base_b: u8) -> Result<RunningScenario> {
        let ip = |i: usize| -> Ipv4Addr {
            let third = base_b.wrapping_add(u8::try_from(i / 240).unwrap_or(0));
            Ipv4Addr::new(127, a, third, u8::try_from(10 + i % 240).unwrap_or(250))
        };
        let dir = tempfile::Builder::new().prefix("fedcheck-scenario-").tempdir()?;
        let ca = Ca::new_root("fedcheck scenario root CA")?;
        let other = Ca::new_root("Some other CA")?;
        let inter = ca.intermediate("fedcheck scenario issuing CA")?;
        let key = pki::shared_rsa_key()?;
        let roots = vec![ca.cert_der()];

        let mut zone = ZoneData::new();
        let mut zone2 = ZoneData::new();
        let mut listeners = Vec::new();
        let mut hostiles = Vec::new();
        let mut addrs = Vec::new();
        let first = RunningScenario::fqdn(self.peers.first().map(|(l, _)| l.as_str()).unwrap_or("none"));
        for (i, (label, kind)) in self.peers.iter().enumerate() {
            let name = RunningScenario::fqdn(label);
            let addr = SocketAddr::new(IpAddr::V4(ip(i)), 5061);
            addrs.push((label.clone(), addr));
            let v4 = ip(i);
            if self.dns.many_a.contains(label) {
                for k in 0..300u32 {
                    let extra = Ipv4Addr::new(127, 250, (k / 250) as u8, (k % 250 + 1) as u8);
                    zone = zone.a(name.clone(), extra).ptr(IpAddr::V4(extra), name.clone());
                }
            }
            if !self.dns.no_a.contains(label) {
                zone = zone.a(name.clone(), v4);
                zone2 = if self.dns.disagree.contains(label) { zone2.a(name.clone(), ip(i + 2000)) } else { zone2.a(name.clone(), v4) };
                if self.dns.wrong_ptr.contains(label) {
                    zone = zone.ptr(IpAddr::V4(v4), first.clone());
                    zone2 = zone2.ptr(IpAddr::V4(v4), first.clone());
                } else if !self.dns.missing_ptr.contains(label) {
                    zone = zone.ptr(IpAddr::V4(v4), name.clone());
                    zone2 = zone2.ptr(IpAddr::V4(v4), name.clone());
                }
            }
            let mut spec = LeafSpec::new(&name);
            let now = time::OffsetDateTime::now_utc();
            let mut issuer = &ca;
            let mut chain_extra = Vec::new();
            match kind {
                PeerKind::Expired => spec = spec.expired(3),
                PeerKind::NotYetValid => {
                    spec.not_before = now + time::Duration::days(5);
                    spec.not_after = now + time::Duration::days(400);
                }
                PeerKind::OtherCa => issuer = &other,
                PeerKind::WrongSan => {
                    spec.common_name = format!("elsewhere.{DOMAIN}");
                    spec.sans = vec![format!("elsewhere.{DOMAIN}")];
                }
                PeerKind::ServerOnlyEku => spec.eku = Eku::ServerOnly,
                PeerKind::ClientOnlyEku => spec.eku = Eku::ClientOnly,
                PeerKind::CnOnly => spec.sans.clear(),
                PeerKind::NoIntermediate => issuer = &inter,
                PeerKind::Good
                | PeerKind::NoClientAuth
                | PeerKind::ClientAuthOtherCa
                | PeerKind::RequireClientCert
                | PeerKind::RequireClientCert12
                | PeerKind::NoSip
                | PeerKind::Legacy10
                | PeerKind::Ssl3 => {
                    // Front ends carry the pool name too (the pool resolves to the first).
                    spec.sans.push(format!("pool.{DOMAIN}"));
                    // A well-formed chain with the intermediate sent, as servers should.
                    if matches!(kind, PeerKind::Good) && i % 2 == 1 {
                        issuer = &inter;
                        chain_extra.push(inter.cert_der());
                    }
                }
                PeerKind::SelfSigned | PeerKind::Hostile(_) => {}
            }
            let leaf = match kind {
                PeerKind::SelfSigned => pki::self_signed_with_key(&spec, key)?,
                _ => issuer.issue_with_key(&spec, key)?,
            };
            match kind {
                PeerKind::Hostile(b) => {
                    hostiles.push(hostile::spawn_on(addr, b.clone()).await.with_context(|| format!("hostile peer on {addr}"))?)
                }
                PeerKind::Ssl3 => hostiles.push(
                    hostile::spawn_on(addr, Behaviour::Ssl3 { chain_der: vec![leaf.cert_der.to_vec()] })
                        .await
                        .with_context(|| format!("SSL 3 peer on {addr}"))?,
                ),
                PeerKind::Legacy10 => hostiles.push(
                    hostile::spawn_on(addr, Behaviour::Tls10Legacy { chain_der: vec![leaf.cert_der.to_vec()], request_client_cert: true })
                        .await
                        .with_context(|| format!("legacy peer on {addr}"))?,
                ),
                _ => {
                    let mut chain = vec![leaf.cert_der.clone()];
                    chain.extend(chain_extra);
                    let mut l = ListenerSpec::new(chain, leaf.private_key());
                    l.client_auth = match kind {
                        PeerKind::NoClientAuth => None,
                        PeerKind::ClientAuthOtherCa => Some(vec![other.cert_der()]),
                        _ => Some(roots.clone()),
                    };
                    l.sip = !matches!(kind, PeerKind::NoSip);
                    l.require_client_cert = matches!(kind, PeerKind::RequireClientCert | PeerKind::RequireClientCert12);
                    if matches!(kind, PeerKind::RequireClientCert12) {
                        l.versions = labtls::Versions::Tls12Only;
                    }
                    listeners.push(labtls::spawn_on(addr, l).await.with_context(|| format!("listener on {addr}"))?);
                }
            }
        }
        zone = zone.a(format!("pool.{DOMAIN}"), ip(0));
        zone2 = zone2.a(format!("pool.{DOMAIN}"), ip(0));
        let reverse = format!("{a}.127.in-addr.arpa");
        let zones = [DOMAIN, reverse.as_str()];
        let dns1 = super::dns::start(IpAddr::V4(Ipv4Addr::new(127, a, 255, 53)), &zones, &zone).await.context("scenario DNS")?;
        let mut dns = vec![dns1];
        if !self.dns.disagree.is_empty() {
            dns.push(super::dns::start(IpAddr::V4(Ipv4Addr::new(127, a, 255, 54)), &zones, &zone2).await.context("second scenario DNS")?);
        }

        let own = ca.issue_with_key(&LeafSpec::new(&format!("imp-rt.{DOMAIN}")), key)?;
        std::fs::write(dir.path().join("ca.pem"), ca.cert_pem())?;
        std::fs::write(dir.path().join("imp.pem"), &own.cert_pem)?;
        std::fs::write(dir.path().join("imp.key"), &own.key_pem)?;
        let servers: Vec<String> = self.peers.iter().map(|(l, _)| format!("\"{}\"", RunningScenario::fqdn(l))).collect();
        let resolvers: Vec<String> = dns.iter().map(|d| format!("\"{}\"", d.addr)).collect();
        let (imp, ms) = match resolvers.as_slice() {
            [one] => (one.clone(), one.clone()),
            [a, b, ..] => (a.clone(), b.clone()),
            [] => (String::new(), String::new()),
        };
        let inventory = format!(
            r#"[site]
name = "scenario"
presence_domains = ["{DOMAIN}"]

[dns]
imp = [{imp}]
microsoft = [{ms}]

[cisco]
imp_version = "14.0.1.12900-2"
cucm_version = "14.0.1.12900-161"
trust_store = "ca.pem"
client_cert = "imp.pem"
client_key = "imp.key"

[cisco.federation]
tls_peer_subjects = [{servers}]
acl = ["all"]
tls_ciphers = ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA"]

[microsoft]
platform = "sfb2015"
sip_domains = ["{DOMAIN}"]
trust_store = "ca.pem"

[[microsoft.pools]]
fqdn = "pool.{DOMAIN}"
servers = [{servers}]
port = 5061
"#,
            servers = servers.join(", ")
        );
        let path = dir.path().join("site.toml");
        std::fs::write(&path, inventory)?;
        Ok(RunningScenario { inventory: path, addrs, _dir: dir, _dns: dns, _listeners: listeners, _hostile: hostiles })
    }
}
