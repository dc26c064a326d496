//! Test support shared by the unit tests and, behind the `testing` feature, the
//! integration tests and benches (never part of the supported API). The check
//! families' tests use it for: the clean example site (and ways to
//! change it), a live snapshot built in code (resolvers, DNS answers per server, peers
//! with path 1, path 2 and SIP outcomes), certificates minted in-process, a judge that
//! runs one registered check by id, and assertions on the findings. [`NOW`] is the
//! one fixed instant every test judges at unless it says otherwise.

// A failed assumption in test support is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs, dead_code)]

use crate::certinfo::TrustStore;
use crate::checks::support::{tls_peers, Peer, Side};
use crate::inventory::Loaded;
use crate::judge::{Finding, Status};
use crate::lab::pki::{shared_rsa_key, Ca, Eku, LeafSpec};
use crate::snapshot::dns::{DnsObservation, DnsOutcome, DnsQuery, Rcode, RecordType};
use crate::snapshot::raw::{RawError, RawHandshake, RawObservation, RawOutcome};
use crate::snapshot::sip::{SipFailure, SipObservation, SipOutcome};
use crate::snapshot::tls::{TlsFailure, TlsObservation, TlsOutcome, TlsVersion};
use crate::snapshot::{PeerObservation, Resolvers, Snapshot};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------------------------------------------------------------- inventory

/// The clean example site: nothing wrong that can be seen without the network.
pub const CLEAN: &str = include_str!("../examples/clean/site.toml");

fn clean_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/clean/site.toml")
}

/// Load inventory text as if it were examples/clean/site.toml (its evidence files are
/// found beside it). Panics with the inventory error when the text is refused.
pub fn site(text: &str) -> Loaded {
    match crate::inventory::load_str(text, &clean_path()) {
        Ok(l) => l,
        Err(e) => panic!("test inventory refused: {e}"),
    }
}

/// The clean example site, loaded.
pub fn clean() -> Loaded {
    site(CLEAN)
}

/// Inventory text with extra files beside it (evidence, certificates), written to a
/// temporary folder that also holds the clean example's evidence.
pub fn site_with(text: &str, files: &[(&str, &str)]) -> Loaded {
    let dir = tempfile::tempdir().expect("temp dir");
    let evidence = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/clean/evidence");
    std::fs::create_dir_all(dir.path().join("evidence")).expect("evidence dir");
    for entry in std::fs::read_dir(&evidence).expect("clean evidence") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join("evidence").join(entry.file_name())).expect("copy evidence");
    }
    for (rel, body) in files {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(&path, body).expect("write file");
    }
    let path = dir.path().join("site.toml");
    std::fs::write(&path, text).expect("write inventory");
    match crate::inventory::load(&path) {
        Ok(l) => l,
        Err(e) => panic!("test inventory refused: {e}"),
    }
}

/// Replace the first `from` in `text` with `to`; panics when `from` is absent, so a
/// test never silently runs on the unchanged site.
pub fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is not in the inventory text");
    text.replacen(from, to, 1)
}

/// The node of the inventory with this FQDN, to change in place.
pub fn node<'a>(site: &'a mut Loaded, fqdn: &str) -> &'a mut crate::inventory::Node {
    site.inventory.cisco.nodes.iter_mut().find(|n| n.fqdn == fqdn).unwrap_or_else(|| panic!("no node {fqdn}"))
}

// ---------------------------------------------------------------- judging

/// The instant every test judges at unless it says otherwise: before the clean site's
/// restart window (2027-02-06).
pub const NOW: &str = "2026-12-01T12:00:00Z";

/// [`NOW`] as a timestamp.
pub fn now() -> jiff::Timestamp {
    NOW.parse().expect("fixed time")
}

/// Run the registered check `id` over a site and a snapshot, at [`now`].
pub fn judge(id: &str, site: &Loaded, snap: &Snapshot) -> Vec<Finding> {
    judge_at(id, site, snap, now())
}

/// Run the registered check `id` at a chosen time.
pub fn judge_at(id: &str, site: &Loaded, snap: &Snapshot, at: jiff::Timestamp) -> Vec<Finding> {
    let registry = crate::checks::registry();
    let check = registry.iter().find(|c| c.id() == id).unwrap_or_else(|| panic!("no check `{id}` in the registry"));
    let out = crate::judge::judge_one(check.as_ref(), site, snap, at);
    assert!(!out.is_empty(), "{id} returned no finding");
    assert!(out.iter().all(|f| f.check == id), "{id} returned another check's finding: {out:#?}");
    out
}

fn listing(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {} | {} | {}", f.status, f.target, f.summary)).collect::<Vec<_>>().join("\n")
}

/// Assert a finding whose target contains `target`, with `status`, whose summary
/// contains `summary`.
#[track_caller]
pub fn has(findings: &[Finding], target: &str, status: Status, summary: &str) {
    let hit = findings.iter().any(|f| f.target.contains(target) && f.status == status && f.summary.contains(summary));
    assert!(hit, "no `{status}` finding on `{target}` saying `{summary}`; got:\n{}", listing(findings));
}

/// Assert every finding has `status`.
#[track_caller]
pub fn all(findings: &[Finding], status: Status) {
    assert!(findings.iter().all(|f| f.status == status), "not every finding is `{status}`:\n{}", listing(findings));
}

/// Assert no finding has `status`.
#[track_caller]
pub fn none(findings: &[Finding], status: Status) {
    assert!(findings.iter().all(|f| f.status != status), "a finding is `{status}`:\n{}", listing(findings));
}

/// Assert no finding's target contains `target`.
#[track_caller]
pub fn no_target(findings: &[Finding], target: &str) {
    assert!(findings.iter().all(|f| !f.target.contains(target)), "a finding names `{target}`:\n{}", listing(findings));
}

// ---------------------------------------------------------------- snapshot

pub const IMP_DNS: &str = "10.1.1.10:53";
pub const MS_DNS: &str = "10.2.2.10:53";

pub fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap_or_else(|_| panic!("bad socket address {s}"))
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|_| panic!("bad address {s}"))
}

/// A snapshot of an `--offline` run.
pub fn offline() -> Snapshot {
    Snapshot::offline("2026-12-01T12:00:00Z".into())
}

/// A live snapshot with one resolver per side and nothing observed yet.
pub fn live() -> Snapshot {
    let mut s = offline();
    s.live = true;
    s.not_live_reason = None;
    s.resolvers = Resolvers { imp: vec![sa(IMP_DNS)], microsoft: vec![sa(MS_DNS)], system: false };
    s
}

/// Record what `server` answered for (name, type).
pub fn dns(snap: &mut Snapshot, server: &str, name: &str, rtype: RecordType, outcome: DnsOutcome) {
    snap.dns.retain(|o| !(o.query.server == sa(server) && o.query.name == name && o.query.rtype == rtype));
    snap.dns.push(DnsObservation { query: DnsQuery { server: sa(server), name: name.into(), rtype }, elapsed_ms: 2, outcome });
}

/// A NOERROR answer with these records.
pub fn answer(records: &[&str]) -> DnsOutcome {
    DnsOutcome::Answer { rcode: Rcode::NoError, authoritative: true, records: records.iter().map(|r| r.to_string()).collect() }
}

/// An answer with an error code and no records.
pub fn rcode(rcode: Rcode) -> DnsOutcome {
    DnsOutcome::Answer { rcode, authoritative: true, records: Vec::new() }
}

/// `name` has A `addr` (no AAAA) and `addr` has PTR `name`, at both resolvers.
pub fn resolves(snap: &mut Snapshot, name: &str, addr: &str) {
    for server in [IMP_DNS, MS_DNS] {
        dns(snap, server, name, RecordType::A, answer(&[addr]));
        dns(snap, server, name, RecordType::Aaaa, answer(&[]));
        dns(snap, server, addr, RecordType::Ptr, answer(&[name]));
    }
}

/// Every name the DNS checks ask about, with the address it gets in [`clean_dns`].
pub fn addresses(site: &Loaded) -> Vec<(String, String)> {
    crate::checks::support::dns_names(&site.inventory, &site.evidence)
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, format!("10.0.0.{}", i + 1)))
        .collect()
}

/// The address [`clean_dns`] gives a name.
pub fn addr_of(site: &Loaded, name: &str) -> String {
    addresses(site).into_iter().find(|(n, _)| n == name).map(|(_, a)| a).unwrap_or_else(|| panic!("{name} is not a DNS name"))
}

/// A live snapshot in which every DNS name resolves, with a matching PTR, at both
/// resolvers.
pub fn clean_dns(site: &Loaded) -> Snapshot {
    let mut s = live();
    for (name, addr) in addresses(site) {
        resolves(&mut s, &name, &addr);
    }
    s
}

/// Path 1: the peer answered IM&P's ClientHello with TLS 1.2 and
/// ECDHE-RSA-AES256-GCM-SHA384, sent `chain`, and asked for a client certificate.
pub fn raw_ok(chain: &[String]) -> RawObservation {
    raw_with(TlsVersion::Tls12, chain, true)
}

pub fn raw_with(version: TlsVersion, chain: &[String], requested: bool) -> RawObservation {
    RawObservation {
        elapsed_ms: 3,
        outcome: RawOutcome::Handshake(RawHandshake {
            version,
            cipher_suite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
            cipher_code: 0xc030,
            chain_pem: chain.to_vec(),
            client_cert_requested: requested,
            acceptable_ca_names: Vec::new(),
            complete: true,
        }),
        partial: None,
    }
}

pub fn raw_failed(e: RawError) -> RawObservation {
    RawObservation { elapsed_ms: 3, outcome: RawOutcome::Failed(e), partial: None }
}

/// Path 2: a TLS 1.2 handshake that completed, with a client certificate requested.
pub fn tls_ok(chain: &[String]) -> TlsObservation {
    TlsObservation {
        elapsed_ms: 4,
        outcome: TlsOutcome::Connected {
            version: TlsVersion::Tls12,
            cipher_suite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
            chain_pem: chain.to_vec(),
            client_cert_requested: true,
            client_cert_sent: false,
        },
    }
}

pub fn tls_failed(kind: TlsFailure, message: &str, requested: bool) -> TlsObservation {
    TlsObservation {
        elapsed_ms: 4,
        outcome: TlsOutcome::Failed { kind, message: message.into(), chain_pem: Vec::new(), client_cert_requested: requested },
    }
}

pub fn sip_status(status: u16, reason: &str) -> SipObservation {
    SipObservation {
        elapsed_ms: 5,
        outcome: SipOutcome::Response { status, reason: reason.into(), server: Some("RTC/6.0".into()), allow: vec!["OPTIONS".into()] },
    }
}

pub fn sip_failed(kind: SipFailure, message: &str) -> SipObservation {
    SipObservation { elapsed_ms: 5, outcome: SipOutcome::Failed { kind, message: message.into() } }
}

/// A peer that answered everything: both TLS paths with `chain`, SIP 200 OK.
pub fn healthy(addr: SocketAddr, name: &str, chain: &[String]) -> PeerObservation {
    PeerObservation {
        addr,
        server_name: name.into(),
        raw: Some(raw_ok(chain)),
        tls: Some(tls_ok(chain)),
        sip: Some(sip_status(200, "OK")),
        not_run: None,
    }
}

/// Every TLS peer of the site with the address [`clean_dns`] gives it.
pub(crate) fn peers(site: &Loaded) -> Vec<(Peer, SocketAddr)> {
    tls_peers(&site.inventory)
        .into_iter()
        .map(|p| {
            let a = SocketAddr::new(ip(&addr_of(site, &p.host)), p.port);
            (p, a)
        })
        .collect()
}

/// Clean DNS, and every TLS peer healthy, serving the chain `chain_for` gives it.
pub(crate) fn world_with(site: &Loaded, chain_for: impl Fn(&Peer) -> Vec<String>) -> Snapshot {
    let mut s = clean_dns(site);
    for (p, a) in peers(site) {
        s.peers.push(healthy(a, &p.host, &chain_for(&p)));
    }
    s
}

/// Clean DNS, and every TLS peer healthy with a certificate naming it, issued by
/// [`ca`].
pub fn world(site: &Loaded) -> Snapshot {
    world_with(site, |p| vec![leaf(&p.host)])
}

/// The observation of the peer named `host`, to change in place.
pub fn peer_mut<'a>(snap: &'a mut Snapshot, host: &str) -> &'a mut PeerObservation {
    snap.peers.iter_mut().find(|p| p.server_name == host).unwrap_or_else(|| panic!("no peer {host} in the snapshot"))
}

/// Is this peer on the Microsoft side?
pub(crate) fn is_microsoft(p: &Peer) -> bool {
    p.side == Side::Microsoft
}

// ---------------------------------------------------------------- certificates

fn mint_ca(name: &str) -> Ca {
    Ca::new_root(name).unwrap_or_else(|e| panic!("minting {name}: {e:#}"))
}

/// The root that issues the healthy certificates.
pub fn ca() -> &'static Ca {
    static CA: OnceLock<Ca> = OnceLock::new();
    CA.get_or_init(|| mint_ca("Contoso Root CA"))
}

/// A second, unrelated root.
pub fn other_ca() -> &'static Ca {
    static CA: OnceLock<Ca> = OnceLock::new();
    CA.get_or_init(|| mint_ca("Other Root CA"))
}

/// An intermediate under [`ca`].
pub fn issuing_ca() -> &'static Ca {
    static CA: OnceLock<Ca> = OnceLock::new();
    CA.get_or_init(|| ca().intermediate("Contoso Issuing CA").unwrap_or_else(|e| panic!("minting the intermediate: {e:#}")))
}

/// A leaf issued by `issuer` as `spec` says, PEM.
pub fn issue(issuer: &Ca, spec: &LeafSpec) -> String {
    let key = shared_rsa_key().unwrap_or_else(|e| panic!("key: {e:#}"));
    issuer.issue_with_key(spec, key).unwrap_or_else(|e| panic!("issuing {}: {e:#}", spec.common_name)).cert_pem
}

/// A healthy leaf for `fqdn` (valid for a year from yesterday, both EKUs), from [`ca`].
pub fn leaf(fqdn: &str) -> String {
    issue(ca(), &LeafSpec::new(fqdn))
}

/// A leaf spec with chosen EKUs.
pub fn spec_eku(fqdn: &str, eku: Eku) -> LeafSpec {
    LeafSpec { eku, ..LeafSpec::new(fqdn) }
}

/// The DER of a PEM certificate.
pub fn der(pem: &str) -> Vec<u8> {
    crate::certinfo::pem_to_ders(pem).ok().and_then(|d| d.into_iter().next()).expect("one certificate")
}

/// A trust store holding these CAs.
pub fn store(cas: &[&Ca]) -> TrustStore {
    TrustStore {
        source: PathBuf::from("test-store"),
        certs: cas.iter().map(|c| (PathBuf::from(format!("{}.pem", c.common_name())), c.cert_der().to_vec())).collect(),
    }
}

/// Both sides trust these CAs.
pub fn trust_both(site: &mut Loaded, cas: &[&Ca]) {
    site.evidence.cisco_trust = Some(store(cas));
    site.evidence.microsoft_trust = Some(store(cas));
}

/// The real current time, for certificates minted relative to it.
pub fn real_now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Run the registered check `id` with a catalog whose file for the check's family
/// has lost its `[tables]` section, as a broken `--rules` folder would give.
pub fn judge_without_tables(id: &str, site: &Loaded, snap: &Snapshot) -> Vec<Finding> {
    let family = id.split_once('.').map(|(f, _)| f).unwrap_or(id);
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks").join(format!("{family}.toml"));
    let text = std::fs::read_to_string(&builtin).expect("catalog file");
    let cut = text.find("\n[tables]").map(|i| &text[..i]).unwrap_or(&text);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(format!("{family}.toml")), cut).expect("write catalog");
    let catalog = crate::judge::Catalog::from_dir(dir.path()).unwrap_or_else(|e| panic!("catalog: {e}"));
    let registry = crate::checks::registry();
    let check = registry.iter().find(|c| c.id() == id).unwrap_or_else(|| panic!("no check `{id}` in the registry"));
    let selection = crate::judge::Selection { run: vec![check.as_ref()], skipped: Vec::new(), left_out: 0 };
    crate::judge::judge(site, &catalog, snap, &selection, now()).0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check that reads a catalog table cannot tell without it, and says which
    /// table is missing instead of guessing or crashing.
    #[test]
    fn checks_cannot_tell_without_their_catalog_tables() {
        let site = clean();
        let snap = world(&site);
        let readers = [
            ("platform.microsoft-server", "microsoft_platforms"),
            ("platform.mixed-lync-ocs", "microsoft_platforms"),
            ("sizing.vm", "imp_ova"),
            ("sizing.host", "virtual_only_from"),
            ("sizing.cluster", "limits"),
            ("sizing.federation-capacity", "federation"),
            ("software.migration-host", "dotnet_min"),
            ("clients.supported", "cisco_clients"),
            ("clients.directory-uri", "cisco_clients"),
            ("tls.protocol", "legacy_versions"),
            ("certs.expiry", "expiry_warn_days"),
            ("imp.tls-context", "ec_only_markers"),
            ("routes.exchange-um-conflict", "exchange_online_proxies"),
            ("routing-node.services", "routing_node_deactivated"),
            ("change.restart-window", "default_peak_hours"),
        ];
        for (id, table) in readers {
            let f = judge_without_tables(id, &site, &snap);
            assert_eq!(f.len(), 1, "{id}: {f:#?}");
            has(&f, "catalog", Status::Skip, &format!("cannot judge: catalog table `{table}` is missing"));
        }
    }

    /// Adding a check takes its tests: every registered check is judged by name in
    /// the unit tests of its family's module.
    #[test]
    fn every_registered_check_is_judged_by_its_family_tests() {
        for check in crate::checks::registry() {
            let file = format!("{}/src/checks/{}.rs", env!("CARGO_MANIFEST_DIR"), check.family().replace('-', "_"));
            let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
            let tests = text.find("#[cfg(test)]").map(|i| &text[i..]).unwrap_or_default();
            assert!(tests.contains(&format!("\"{}\"", check.id())), "{} has no unit test in {file}", check.id());
        }
    }
}
