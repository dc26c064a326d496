//! The demo lab: a small federation site served from inside the process on 127.x
//! addresses (two DNS servers, TLS + SIP listeners for every peer, certificates minted
//! at start), with a handful of planted faults. `fedcheck demo` audits it; the tests
//! audit it to prove every planted fault is found and nothing else is.

use super::dns::{LabDns, ZoneData};
use super::pki::{self, Ca, Eku, LeafSpec};
use super::tls::{self as labtls, LabListener, ListenerSpec};
use anyhow::{Context as _, Result};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// The demo lab's domain (the one `examples/lab.toml` names).
pub const DOMAIN: &str = "fedlab.example";
const INVENTORY: &str = include_str!("../../examples/lab.toml");
const EVIDENCE: &[(&str, &str)] = &[
    ("lab/evidence/imp-rt-services.txt", include_str!("../../examples/lab/evidence/imp-rt-services.txt")),
    ("lab/evidence/imp-user-services.txt", include_str!("../../examples/lab/evidence/imp-user-services.txt")),
    ("lab/evidence/static-routes.txt", include_str!("../../examples/lab/evidence/static-routes.txt")),
    ("lab/evidence/trusted-application-pool.txt", include_str!("../../examples/lab/evidence/trusted-application-pool.txt")),
    ("lab/evidence/trusted-application.txt", include_str!("../../examples/lab/evidence/trusted-application.txt")),
];

/// A running lab. Everything stops when it is dropped.
pub struct Lab {
    /// The lab's inventory, ready for `inventory::load`.
    pub inventory: PathBuf,
    /// The 127.x.y.0/24 block the lab lives in.
    pub base: [u8; 3],
    _dir: tempfile::TempDir,
    _dns: Vec<LabDns>,
    _listeners: Vec<LabListener>,
    _soap: super::soap::SoapLab,
}

impl Lab {
    /// The address of a lab host, by its last octet.
    pub fn ip(&self, last: u8) -> Ipv4Addr {
        Ipv4Addr::new(self.base[0], self.base[1], self.base[2], last)
    }
}

/// Hosts of the lab: (name, last octet of its address).
const HOSTS: &[(&str, u8)] =
    &[("cucm-pub", 11), ("imp-lb", 20), ("imp-rt", 21), ("imp-a", 22), ("imp-b", 23), ("fe1", 31), ("fe2", 32), ("vcs", 40)];

fn fqdn(host: &str) -> String {
    format!("{host}.{DOMAIN}")
}

/// A 127.x.y.0/24 block unlikely to be in use by another lab on this machine.
fn pick_base() -> [u8; 3] {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let pid = std::process::id();
    let mix = nanos ^ pid.rotate_left(13);
    [127, 1 + (mix % 250) as u8, 1 + ((mix >> 8) % 250) as u8]
}

/// Start the lab and write its inventory, evidence and certificates to a temp folder.
pub async fn start() -> Result<Lab> {
    let mut last_err = None;
    // A busy address block (another lab) is retried elsewhere.
    for _ in 0..5 {
        match start_at(pick_base()).await {
            Ok(lab) => return Ok(lab),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| anyhow::anyhow!("could not start the lab")))
}

async fn start_at(base: [u8; 3]) -> Result<Lab> {
    let ip = |last: u8| Ipv4Addr::new(base[0], base[1], base[2], last);
    let dir = tempfile::Builder::new().prefix("fedcheck-lab-").tempdir().context("creating the lab's temp folder")?;

    // DNS: every host with A and PTR, except imp-b's PTR (planted), plus the pool name
    // on both front ends. Two servers with the same data, one per side.
    let mut zone = ZoneData::new();
    for (host, last) in HOSTS {
        zone = if *host == "imp-b" { zone.a(fqdn(host), ip(*last)) } else { zone.host(&fqdn(host), ip(*last)) };
    }
    zone = zone.a(fqdn("sfbpool"), ip(31)).a(fqdn("sfbpool"), ip(32));
    let reverse = format!("{}.{}.{}.in-addr.arpa", base[2], base[1], base[0]);
    let zones = [DOMAIN, reverse.as_str()];
    let dns_imp = super::dns::start(IpAddr::V4(ip(53)), &zones, &zone).await.context("starting the lab DNS server")?;
    let dns_ms = super::dns::start(IpAddr::V4(ip(54)), &zones, &zone).await.context("starting the second lab DNS server")?;

    // Certificates: one CA for both sides (same-CA is what Cisco recommends).
    let ca = Ca::new_root("fedcheck lab root CA")?;
    let key = pki::shared_rsa_key()?;
    let mut listeners = Vec::new();
    let roots = vec![ca.cert_der()];
    // (host, last octet, certificate names, EKU, expired, SIP Server header). Front
    // ends serve the pool's default certificate: CN = pool, SAN = pool and server.
    const IMP: &str = "Cisco-SIPGateway/IOS-14.x fedcheck-lab";
    const SFB: &str = "RTCC/6.0.0.0 MCUFactory fedcheck-lab";
    let peers = [
        ("imp-rt", 21, vec![fqdn("imp-rt")], Eku::ServerAndClient, false, IMP),
        ("imp-a", 22, vec![fqdn("imp-a")], Eku::ServerAndClient, false, IMP),
        ("imp-b", 23, vec![fqdn("imp-b")], Eku::ServerAndClient, false, IMP),
        ("fe1", 31, vec![fqdn("sfbpool"), fqdn("fe1")], Eku::ServerOnly, false, SFB),
        ("fe2", 32, vec![fqdn("sfbpool"), fqdn("fe2")], Eku::ServerAndClient, true, SFB),
    ];
    for (host, last, names, eku, expired, server) in peers {
        let mut spec = LeafSpec::new(&names[0]);
        spec.sans = names;
        spec.eku = eku;
        if expired {
            spec = spec.expired(10);
        }
        let leaf = ca.issue_with_key(&spec, key)?;
        let mut l = ListenerSpec::new(vec![leaf.cert_der.clone()], leaf.private_key());
        l.client_auth = Some(roots.clone());
        l.server_header = server.into();
        let at = SocketAddr::new(IpAddr::V4(ip(last)), 5061);
        listeners.push(labtls::spawn_on(at, l).await.with_context(|| format!("listening on {at} for {host}"))?);
    }

    // IM&P's own certificate, presented when a front end asks.
    let own = ca.issue_with_key(&LeafSpec::new(&fqdn("imp-rt")), key)?;
    let root = dir.path();
    write(root, "lab/certs/imp-rt.pem", &own.cert_pem)?;
    write(root, "lab/certs/imp-rt.key", &own.key_pem)?;
    write(root, "lab/certs/cup-trust.pem", &ca.cert_pem())?;
    write(root, "lab/certs/ms-trusted-roots.pem", &ca.cert_pem())?;
    for (rel, text) in EVIDENCE {
        write(root, rel, text)?;
    }
    let mut inv: toml::Table = toml::from_str(INVENTORY).context("the lab inventory")?;
    if let Some(dns) = inv.get_mut("dns").and_then(|v| v.as_table_mut()) {
        dns.insert("imp".into(), toml::Value::Array(vec![toml::Value::String(dns_imp.addr.to_string())]));
        dns.insert("microsoft".into(), toml::Value::Array(vec![toml::Value::String(dns_ms.addr.to_string())]));
    }
    // The Cisco nodes' addresses, so that `collect imp` reaches them without the lab DNS.
    let node_ips: Vec<(String, Ipv4Addr)> = HOSTS.iter().map(|(h, last)| (fqdn(h), ip(*last))).collect();
    if let Some(nodes) = inv.get_mut("cisco").and_then(|c| c.get_mut("nodes")).and_then(|n| n.as_array_mut()) {
        for node in nodes.iter_mut().filter_map(|n| n.as_table_mut()) {
            let name = node.get("fqdn").and_then(|f| f.as_str()).unwrap_or("").to_string();
            if let Some((_, a)) = node_ips.iter().find(|(f, _)| *f == name) {
                node.insert("ip".into(), toml::Value::String(a.to_string()));
            }
        }
    }
    let text = format!("# Written by `fedcheck demo` from examples/lab.toml; resolvers point at the lab.\n{}", toml::to_string(&inv)?);
    write(root, "lab.toml", &text)?;

    // The nodes' web services: the service lists the audit judges come from a real
    // `collect imp` against them, as they would on a site.
    let soap = start_soap(&node_ips).await?;
    write(root, "lab/certs/tomcat-ca.pem", &soap.ca_pem)?;
    let args = crate::collect::imp::Options {
        inventory: root.join("lab.toml"),
        // Beside lab.toml, so the evidence and certificates keep their relative places.
        output: root.to_path_buf(),
        user: "admin".into(),
        ca_file: Some(root.join("lab/certs/tomcat-ca.pem")),
        insecure: false,
        port: soap.port,
        timeout: std::time::Duration::from_secs(5),
        concurrency: 4,
        max_bytes: crate::collect::imp::DEFAULT_MAX_BYTES,
        force: true,
    };
    let collected = crate::collect::imp::collect(&args, LAB_PASSWORD).await.context("collecting from the lab's IM&P nodes")?;
    if collected.exit != crate::exit::Exit::Ok {
        anyhow::bail!("the lab's own collection was incomplete (see {})", root.join("collect.json").display());
    }
    Ok(Lab { inventory: collected.site, base, _dir: dir, _dns: vec![dns_imp, dns_ms], _listeners: listeners, _soap: soap })
}

/// The lab nodes' administrator password (an in-process stand-in: nothing to protect).
const LAB_PASSWORD: &str = "fedcheck-lab";

/// IM&P and CUCM web services for the Cisco nodes: the routing node still runs Cisco
/// Presence Engine (the planted fault), the user nodes run the feature services.
async fn start_soap(node_ips: &[(String, Ipv4Addr)]) -> Result<super::soap::SoapLab> {
    use super::soap::NodeSpec;
    let mut specs = Vec::new();
    for (name, a) in node_ips {
        let spec = match name.split('.').next().unwrap_or("") {
            "imp-rt" => NodeSpec::new(name, *a, super::soap::imp_services(true, true)),
            "imp-a" | "imp-b" => NodeSpec::new(name, *a, super::soap::imp_services(false, false)),
            "cucm-pub" => {
                let mut s = NodeSpec::new(name, *a, super::soap::cucm_services());
                s.version = "14.0.1.12900-161".into();
                s
            }
            _ => continue,
        };
        specs.push(spec);
    }
    super::soap::start("admin", LAB_PASSWORD, specs).await.context("starting the lab's IM&P web services")
}

fn write(root: &Path, rel: &str, text: &str) -> Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}

/// The faults the lab plants, as (check id, target) of the findings that must fail.
pub fn planted_faults(lab: &Lab) -> Vec<(String, String)> {
    let at = |host: &str, last: u8| format!("{} @ {}:5061", fqdn(host), lab.ip(last));
    let mut v = vec![
        ("certs.eku".to_string(), at("fe1", 31)),
        ("certs.eku".to_string(), at("sfbpool", 31)),
        ("certs.expiry".to_string(), at("fe2", 32)),
        ("certs.expiry".to_string(), at("sfbpool", 32)),
        ("dns.reverse".to_string(), format!("{} ({})", fqdn("imp-b"), lab.ip(23))),
        ("routes.static-route".to_string(), DOMAIN.to_string()),
        ("routes.vcs-conflict".to_string(), DOMAIN.to_string()),
        ("routing-node.services".to_string(), fqdn("imp-rt")),
    ];
    v.sort();
    v
}
