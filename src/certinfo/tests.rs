//! Unit tests: certificates are minted with rcgen (RSA-2048, as real IM&P and Lync
//! certificates are) at fixed dates, plus the contract's real certificates.

use super::*;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, ExtendedKeyUsagePurpose as Eku, IsCa, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------- fixtures ----------

/// RSA key generation is slow: three keys, made once, shared by every test.
fn keys() -> &'static [KeyPair; 3] {
    static KEYS: OnceLock<[KeyPair; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let gen = || KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        [gen(), gen(), gen()]
    })
}
fn root_key() -> &'static KeyPair {
    &keys()[0]
}
fn int_key() -> &'static KeyPair {
    &keys()[1]
}
fn leaf_key() -> &'static KeyPair {
    &keys()[2]
}

fn ts(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_second()
}
fn odt(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

/// "Now" for every minted-certificate test.
fn now() -> i64 {
    ts("2030-01-01T00:00:00Z")
}

struct Ca {
    issuer: CertifiedIssuer<'static, &'static KeyPair>,
    der: Vec<u8>,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::OrganizationName, "Test Corp");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = odt(ts("2029-01-01T00:00:00Z"));
    p.not_after = odt(ts("2039-01-01T00:00:00Z"));
    p
}

fn root_ca(cn: &str, key: &'static KeyPair) -> Ca {
    let issuer = CertifiedIssuer::self_signed(ca_params(cn), key).unwrap();
    let der = issuer.der().to_vec();
    Ca { issuer, der }
}

fn sub_ca(cn: &str, key: &'static KeyPair, parent: &Ca) -> Ca {
    let issuer = CertifiedIssuer::signed_by(ca_params(cn), key, &parent.issuer).unwrap();
    let der = issuer.der().to_vec();
    Ca { issuer, der }
}

struct LeafSpec<'a> {
    cn: &'a str,
    sans: &'a [&'a str],
    ekus: Vec<Eku>,
    not_before: &'a str,
    not_after: &'a str,
}

impl Default for LeafSpec<'_> {
    fn default() -> Self {
        LeafSpec {
            cn: "imp-rt.example.com",
            sans: &["imp-rt.example.com", "imp-rt2.example.com", "10.1.1.20"],
            ekus: vec![Eku::ServerAuth, Eku::ClientAuth],
            not_before: "2029-06-01T00:00:00Z",
            not_after: "2031-06-01T00:00:00Z",
        }
    }
}

fn leaf(spec: LeafSpec<'_>, issuer: &Ca) -> Vec<u8> {
    let names: Vec<String> = spec.sans.iter().map(|s| s.to_string()).collect();
    let mut p = CertificateParams::new(names).unwrap();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, spec.cn);
    p.distinguished_name.push(DnType::OrganizationName, "Example");
    p.extended_key_usages = spec.ekus;
    p.serial_number = Some(SerialNumber::from_slice(&[0x01, 0xAB, 0x7F]));
    p.not_before = odt(ts(spec.not_before));
    p.not_after = odt(ts(spec.not_after));
    p.signed_by(leaf_key(), &issuer.issuer).unwrap().der().to_vec()
}

fn store_of(cas: &[&Ca]) -> TrustStore {
    TrustStore {
        source: PathBuf::from("test-store"),
        certs: cas.iter().enumerate().map(|(i, ca)| (PathBuf::from(format!("ca{i}.pem")), ca.der.clone())).collect(),
    }
}

fn infos(chain: &[Vec<u8>]) -> Vec<CertInfo> {
    chain.iter().map(|d| inspect(d).unwrap()).collect()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/certinfo/fixtures")
}

const IMP_RT_PEM: &str = include_str!("fixtures/imp-rt.pem");
const ENTERPRISE_ROOT_PEM: &str = include_str!("fixtures/cup-trust/enterprise-root-ca.pem");
const ENTERPRISE_ROOT: &str = "DC=com, DC=synergy, CN=Synergy Enterprise Root CA";

fn one_der(pem: &str) -> Vec<u8> {
    let mut ders = pem_to_ders(pem).unwrap();
    assert_eq!(ders.len(), 1);
    ders.remove(0)
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 32 * 3 - 1
        && s.split(':').count() == 32
        && s.split(':').all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)))
}

// ---------- inspect ----------

#[test]
fn inspect_rcgen_rsa_leaf() {
    let root = root_ca("Test Root CA", root_key());
    let der = leaf(LeafSpec::default(), &root);
    let info = inspect(&der).unwrap();

    assert_eq!(info.subject, "CN=imp-rt.example.com, O=Example");
    assert_eq!(info.common_name.as_deref(), Some("imp-rt.example.com"));
    assert_eq!(info.issuer, "O=Test Corp, CN=Test Root CA");
    assert_eq!(info.serial, "01:AB:7F");
    assert_eq!(info.not_before, "2029-06-01T00:00:00Z");
    assert_eq!(info.not_after, "2031-06-01T00:00:00Z");
    assert_eq!(info.not_before_unix, ts("2029-06-01T00:00:00Z"));
    assert_eq!(info.not_after_unix, ts("2031-06-01T00:00:00Z"));
    assert_eq!(info.san_dns, ["imp-rt.example.com", "imp-rt2.example.com"]);
    assert_eq!(info.san_ip, ["10.1.1.20"]);
    assert_eq!(info.eku, ["serverAuth", "clientAuth"]);
    assert!(info.eku_present);
    assert!(!info.is_ca);
    assert_eq!(info.key_algorithm, KeyAlgorithm::Rsa { bits: Some(2048) });
    assert_eq!(info.key_algorithm.to_string(), "RSA 2048");
    assert_eq!(info.signature_algorithm, "sha256WithRSAEncryption");
    assert!(is_fingerprint(&info.sha256), "{}", info.sha256);
    assert_eq!(info.sha256, hex_colons(&Sha256::digest(&der)));
    assert!(!info.self_signed);
}

#[test]
fn inspect_root_is_ca_self_signed_without_eku() {
    let root = root_ca("Test Root CA", root_key());
    let info = inspect(&root.der).unwrap();
    assert!(info.is_ca);
    assert!(info.self_signed);
    assert!(!info.eku_present);
    assert!(info.eku.is_empty());
    assert!(info.san_dns.is_empty() && info.san_ip.is_empty());
    assert_eq!(info.subject, info.issuer);
}

#[test]
fn inspect_self_issued_but_foreign_signature_is_not_self_signed() {
    // Same subject as the issuing CA, signed by that CA's (different) key.
    let root = root_ca("Twin CA", root_key());
    let mut p = ca_params("Twin CA");
    p.serial_number = Some(SerialNumber::from_slice(&[9]));
    let twin = p.signed_by(int_key(), &root.issuer).unwrap();
    let info = inspect(twin.der()).unwrap();
    assert_eq!(info.subject, info.issuer);
    assert!(!info.self_signed);
}

#[test]
fn inspect_ec_p256_and_other_ekus() {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = CertificateParams::new(vec!["ec.example.com".to_string()]).unwrap();
    p.extended_key_usages = vec![Eku::ServerAuth, Eku::CodeSigning];
    let cert = p.self_signed(&key).unwrap();
    let info = inspect(cert.der()).unwrap();
    assert_eq!(info.key_algorithm.to_string(), "EC P-256");
    assert_eq!(info.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(info.eku, ["serverAuth", "1.3.6.1.5.5.7.3.3"]);
    assert!(info.self_signed);
}

#[test]
fn inspect_contract_certificates() {
    let imp = inspect(&one_der(IMP_RT_PEM)).unwrap();
    assert_eq!(imp.subject, "O=Synergy, CN=imp-rt.synergy.com");
    assert_eq!(imp.common_name.as_deref(), Some("imp-rt.synergy.com"));
    assert_eq!(imp.issuer, ENTERPRISE_ROOT);
    assert_eq!(imp.serial, "79:C3:E4:7B:35:95:FD:B7:AB:9B:BF:C7:6B:9F:C5:D9:02:32:F2:7B");
    assert_eq!(imp.not_before, "2026-11-25T17:32:15Z");
    assert_eq!(imp.not_after, "2028-11-24T17:32:15Z");
    assert_eq!(imp.san_dns, ["imp-rt.synergy.com"]);
    assert!(imp.san_ip.is_empty());
    assert_eq!(imp.eku, ["serverAuth", "clientAuth"]);
    assert_eq!(imp.key_algorithm.to_string(), "RSA 2048");
    assert_eq!(imp.signature_algorithm, "sha256WithRSAEncryption");
    // Same value as `openssl x509 -fingerprint -sha256`.
    assert_eq!(imp.sha256, "7F:E6:33:9A:0E:70:D0:67:28:3F:B7:68:78:55:AC:9F:4C:02:2A:18:35:0B:1A:2C:65:6D:9C:3B:E5:FC:53:A6");
    assert!(!imp.is_ca && !imp.self_signed);

    let root = inspect(&one_der(ENTERPRISE_ROOT_PEM)).unwrap();
    assert_eq!(root.subject, ENTERPRISE_ROOT);
    assert_eq!(root.common_name.as_deref(), Some("Synergy Enterprise Root CA"));
    assert!(root.is_ca && root.self_signed);
    assert_eq!(root.sha256, "37:77:C0:76:FE:7D:C8:E8:7A:54:4C:F1:25:F7:2A:BF:6F:9D:96:A9:42:85:C0:19:2B:15:36:D8:14:99:70:41");
}

#[test]
fn inspect_rejects_garbage_with_a_message() {
    let err = inspect(b"this is not DER").unwrap_err().to_string();
    assert!(err.contains("not a valid X.509 certificate"), "{err}");
    assert!(inspect(&[]).unwrap_err().to_string().contains("no bytes"));

    let der = one_der(IMP_RT_PEM);
    let truncated = inspect(&der[..der.len() / 2]).unwrap_err().to_string();
    assert!(truncated.contains("not a valid X.509"), "{truncated}");
    let mut trailing = der.clone();
    trailing.push(0);
    let err = inspect(&trailing).unwrap_err().to_string();
    assert!(err.contains("1 unexpected bytes"), "{err}");
}

#[test]
fn cert_info_round_trips_through_json() {
    let info = inspect(&one_der(IMP_RT_PEM)).unwrap();
    let json = serde_json::to_string(&info).unwrap();
    assert_eq!(serde_json::from_str::<CertInfo>(&json).unwrap(), info);
    let m = NameMatch::No { names: vec!["a".into()] };
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, r#"{"no":{"names":["a"]}}"#);
    assert_eq!(serde_json::from_str::<NameMatch>(&json).unwrap(), m);
}

// ---------- PEM ----------

#[test]
fn pem_with_crlf_and_text_around_blocks() {
    let root = one_der(ENTERPRISE_ROOT_PEM);
    let imp = one_der(IMP_RT_PEM);
    let text = format!(
        "subject=CN = imp-rt\nissuer=whatever\n{}Bag Attributes: junk\n\n{}-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\ntrailing words\n",
        IMP_RT_PEM, ENTERPRISE_ROOT_PEM
    )
    .replace('\n', "\r\n");
    let ders = pem_to_ders(&text).unwrap();
    assert_eq!(ders, vec![imp, root]);
}

#[test]
fn pem_corrupt_block_is_named_by_number() {
    let broken = ENTERPRISE_ROOT_PEM.replacen("MII", "M!I", 1);
    let text = format!("{IMP_RT_PEM}{broken}");
    let err = pem_to_ders(&text).unwrap_err().to_string();
    assert!(err.contains("block 2"), "{err}");
    assert!(err.contains("'!'"), "{err}");

    let unterminated = IMP_RT_PEM.replace("-----END CERTIFICATE-----", "");
    let err = pem_to_ders(&unterminated).unwrap_err().to_string();
    assert!(err.contains("block 1 has no END"), "{err}");
}

#[test]
fn pem_without_certificate_blocks_is_an_error() {
    let err = pem_to_ders("hello\nworld\n").unwrap_err().to_string();
    assert!(err.contains("no PEM CERTIFICATE block"), "{err}");
    let key_only = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert!(pem_to_ders(key_only).is_err());
    assert!(pem_to_ders("").is_err());
}

#[test]
fn der_to_pem_matches_rcgen_and_round_trips() {
    let root = root_ca("PEM Root", root_key());
    let pem = der_to_pem(&root.der);
    assert_eq!(pem, root.issuer.pem().replace("\r\n", "\n"));
    assert!(pem.lines().all(|l| l.len() <= 64));
    assert_eq!(pem_to_ders(&pem).unwrap(), vec![root.der.clone()]);
}

// ---------- trust stores ----------

#[test]
fn trust_store_from_contract_folder_has_two_roots_in_name_order() {
    let dir = fixtures().join("cup-trust");
    let store = TrustStore::load(&dir).unwrap();
    assert_eq!(store.source, dir);
    let names: Vec<_> = store.certs.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["enterprise-root-ca.pem", "legacy-partner-ca.pem"]);
    let subjects: Vec<_> = infos(&store.certs.iter().map(|c| c.1.clone()).collect::<Vec<_>>()).into_iter().map(|i| i.subject).collect();
    assert_eq!(subjects, [ENTERPRISE_ROOT, "O=Synergy Partners, CN=Legacy Partner CA"]);
}

#[test]
fn trust_store_from_bundle_file() {
    let ms = TrustStore::load(&fixtures().join("ms-trusted-roots.pem")).unwrap();
    assert_eq!(ms.certs.len(), 1);

    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle.txt");
    let partner = include_str!("fixtures/cup-trust/legacy-partner-ca.pem");
    let text = format!("# exported roots\r\n{ENTERPRISE_ROOT_PEM}\r\n{partner}").replace('\n', "\r\n");
    std::fs::write(&bundle, text).unwrap();
    let store = TrustStore::load(&bundle).unwrap();
    assert_eq!(store.certs.len(), 2);
    assert!(store.certs.iter().all(|(p, _)| *p == bundle));
    assert_eq!(store.certs[0].1, one_der(ENTERPRISE_ROOT_PEM));
}

#[test]
fn trust_store_folder_skips_non_certificates_and_reads_der() {
    let tmp = tempfile::tempdir().unwrap();
    let root = root_ca("DER Root", root_key());
    std::fs::write(tmp.path().join("b-root.cer"), &root.der).unwrap();
    std::fs::write(tmp.path().join("a-enterprise.PEM"), ENTERPRISE_ROOT_PEM).unwrap();
    std::fs::write(tmp.path().join("README.txt"), "not a cert").unwrap();
    std::fs::write(tmp.path().join("server.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").unwrap();
    std::fs::create_dir(tmp.path().join("sub.pem")).unwrap();
    let store = TrustStore::load(tmp.path()).unwrap();
    assert_eq!(store.certs.len(), 2);
    assert!(store.certs[0].0.ends_with("a-enterprise.PEM"));
    assert!(store.certs[1].0.ends_with("b-root.cer"));
    assert_eq!(store.certs[1].1, root.der);
}

#[test]
fn trust_store_empty_or_corrupt_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = TrustStore::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("holds no certificate"), "{err}");

    std::fs::write(tmp.path().join("notes.txt"), "hello").unwrap();
    assert!(TrustStore::load(tmp.path()).unwrap_err().to_string().contains("holds no certificate"));

    std::fs::write(tmp.path().join("good.pem"), ENTERPRISE_ROOT_PEM).unwrap();
    std::fs::write(tmp.path().join("bad.crt"), b"\x30\x03garbage").unwrap();
    let err = TrustStore::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("bad.crt"), "{err}");

    std::fs::remove_file(tmp.path().join("bad.crt")).unwrap();
    let broken = ENTERPRISE_ROOT_PEM.replacen("MII", "M#I", 1);
    std::fs::write(tmp.path().join("zz-broken.pem"), broken).unwrap();
    let err = TrustStore::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("zz-broken.pem") && err.contains("block 1"), "{err}");

    let missing = TrustStore::load(&tmp.path().join("nope")).unwrap_err().to_string();
    assert!(missing.contains("cannot read"), "{missing}");
}

// ---------- names and validity ----------

fn info_with(cn: Option<&str>, dns: &[&str], ips: &[&str]) -> CertInfo {
    let mut info = inspect(&one_der(IMP_RT_PEM)).unwrap();
    info.common_name = cn.map(str::to_string);
    info.san_dns = dns.iter().map(|s| s.to_string()).collect();
    info.san_ip = ips.iter().map(|s| s.to_string()).collect();
    info
}

#[test]
fn names_host_exact_is_case_insensitive() {
    let info = inspect(&one_der(IMP_RT_PEM)).unwrap();
    assert_eq!(names_host(&info, "imp-rt.synergy.com"), NameMatch::BySan);
    assert_eq!(names_host(&info, "IMP-RT.Synergy.COM."), NameMatch::BySan);
    assert_eq!(names_host(&info, "imp-rt2.synergy.com"), NameMatch::No { names: vec!["imp-rt.synergy.com".into()] });
}

#[test]
fn names_host_wildcard_matches_exactly_one_label() {
    let info = info_with(None, &["*.pool.example.com"], &[]);
    assert_eq!(names_host(&info, "fe1.pool.example.com"), NameMatch::BySan);
    assert!(matches!(names_host(&info, "a.fe1.pool.example.com"), NameMatch::No { .. }));
    assert!(matches!(names_host(&info, "pool.example.com"), NameMatch::No { .. }));
    let partial = info_with(None, &["fe*.pool.example.com", "*.com"], &[]);
    assert!(matches!(names_host(&partial, "fe1.pool.example.com"), NameMatch::No { .. }));
    assert!(matches!(names_host(&partial, "example.com"), NameMatch::No { .. }));
}

#[test]
fn names_host_uses_cn_only_without_any_san() {
    let no_san = info_with(Some("Lync.Example.com"), &[], &[]);
    assert_eq!(names_host(&no_san, "lync.example.com"), NameMatch::ByCommonNameFallback);
    assert_eq!(names_host(&no_san, "other.example.com"), NameMatch::No { names: vec!["Lync.Example.com".into()] });
    let with_san = info_with(Some("lync.example.com"), &["pool.example.com"], &[]);
    assert_eq!(names_host(&with_san, "lync.example.com"), NameMatch::No { names: vec!["pool.example.com".into()] });
    // An IP SAN alone also disables the CN fallback.
    let ip_only = info_with(Some("lync.example.com"), &[], &["10.0.0.1"]);
    assert!(matches!(names_host(&ip_only, "lync.example.com"), NameMatch::No { .. }));
}

#[test]
fn names_host_ip_matches_ip_sans_only() {
    let root = root_ca("Test Root CA", root_key());
    let info = inspect(&leaf(LeafSpec::default(), &root)).unwrap();
    assert_eq!(names_host(&info, "10.1.1.20"), NameMatch::BySan);
    assert_eq!(
        names_host(&info, "10.1.1.21"),
        NameMatch::No { names: vec!["imp-rt.example.com".into(), "imp-rt2.example.com".into(), "10.1.1.20".into()] }
    );
    let v6 = info_with(None, &[], &["2001:db8::1"]);
    assert_eq!(names_host(&v6, "[2001:DB8:0::1]"), NameMatch::BySan);
    let cn_ip = info_with(Some("10.9.9.9"), &[], &[]);
    assert!(matches!(names_host(&cn_ip, "10.9.9.9"), NameMatch::No { .. }));
}

#[test]
fn validity_at_each_side_of_the_window() {
    let info = inspect(&one_der(IMP_RT_PEM)).unwrap();
    let (nb, na) = (info.not_before_unix, info.not_after_unix);
    assert_eq!(validity_at(&info, nb - 10), Validity::NotYetValid { starts_in_s: 10 });
    assert_eq!(validity_at(&info, nb), Validity::Valid { remaining_s: na - nb });
    assert_eq!(validity_at(&info, na), Validity::Valid { remaining_s: 0 });
    assert_eq!(validity_at(&info, na + 86_400), Validity::Expired { since_s: 86_400 });
}

// ---------- chains ----------

#[test]
fn verify_chain_trusted_through_intermediate() {
    let root = root_ca("Test Root CA", root_key());
    let inter = sub_ca("Test Issuing CA", int_key(), &root);
    let chain = vec![leaf(LeafSpec::default(), &inter), inter.der.clone()];
    let store = store_of(&[&root]);

    for usage in [Usage::Server, Usage::Client] {
        let v = verify_chain(&chain, &store, now(), usage);
        assert_eq!(v, ChainVerdict { trusted: true, error: None, anchor_subject: Some("O=Test Corp, CN=Test Root CA".into()) });
    }
    assert_eq!(chain_order(&infos(&chain), Some(&store)), ChainShape { in_order: true, root_sent: false, missing_intermediate: false });
    assert_eq!(issuing_root(&chain, &store).as_deref(), Some("O=Test Corp, CN=Test Root CA"));
}

#[test]
fn verify_chain_picks_the_right_anchor_among_several() {
    let other = root_ca("Other Root", int_key());
    let root = root_ca("Test Root CA", root_key());
    let chain = vec![leaf(LeafSpec::default(), &root)];
    let store = store_of(&[&other, &root]);
    let v = verify_chain(&chain, &store, now(), Usage::Server);
    assert!(v.trusted, "{v:?}");
    assert_eq!(v.anchor_subject.as_deref(), Some("O=Test Corp, CN=Test Root CA"));
}

#[test]
fn verify_chain_unknown_issuer_for_another_ca() {
    let root = root_ca("Test Root CA", root_key());
    let other = root_ca("Other Root", int_key());
    let chain = vec![leaf(LeafSpec::default(), &root)];
    let store = store_of(&[&other]);
    let v = verify_chain(&chain, &store, now(), Usage::Server);
    assert!(!v.trusted);
    assert!(v.anchor_subject.is_none());
    let err = v.error.unwrap();
    assert!(err.starts_with("unknown issuer"), "{err}");
    assert_eq!(issuing_root(&chain, &store), None);
    // Time does not rescue an untrusted chain.
    assert!(!verify_chain_ignoring_time(&chain, &store, now(), Usage::Server).trusted);
}

#[test]
fn verify_chain_look_alike_root_reports_bad_signature() {
    let root = root_ca("Test Root CA", root_key());
    let look_alike = root_ca("Test Root CA", int_key());
    let chain = vec![leaf(LeafSpec::default(), &root)];
    let v = verify_chain(&chain, &store_of(&[&look_alike]), now(), Usage::Server);
    assert!(!v.trusted);
    let err = v.error.unwrap();
    assert!(err.starts_with("bad signature"), "{err}");
}

#[test]
fn verify_chain_expired_leaf_is_trusted_ignoring_time() {
    let root = root_ca("Test Root CA", root_key());
    let chain = vec![leaf(LeafSpec { not_after: "2029-12-01T00:00:00Z", ..LeafSpec::default() }, &root)];
    let store = store_of(&[&root]);
    let v = verify_chain(&chain, &store, now(), Usage::Server);
    assert!(!v.trusted);
    let err = v.error.unwrap();
    assert!(err.starts_with("expired"), "{err}");
    assert!(err.contains("2029-12-01T00:00:00Z"), "{err}");

    let ignoring = verify_chain_ignoring_time(&chain, &store, now(), Usage::Server);
    assert!(ignoring.trusted, "{ignoring:?}");
    assert_eq!(ignoring.anchor_subject.as_deref(), Some("O=Test Corp, CN=Test Root CA"));
    assert_eq!(validity_at(&inspect(&chain[0]).unwrap(), now()), Validity::Expired { since_s: now() - ts("2029-12-01T00:00:00Z") });
    assert!(issuing_root(&chain, &store).is_some());
}

#[test]
fn verify_chain_not_yet_valid_leaf() {
    let root = root_ca("Test Root CA", root_key());
    let chain = vec![leaf(LeafSpec::default(), &root)];
    let v = verify_chain(&chain, &store_of(&[&root]), ts("2029-03-01T00:00:00Z"), Usage::Server);
    let err = v.error.unwrap();
    assert!(err.starts_with("not yet valid"), "{err}");
    assert!(err.contains("2029-06-01T00:00:00Z"), "{err}");
}

#[test]
fn verify_chain_missing_intermediate() {
    let root = root_ca("Test Root CA", root_key());
    let inter = sub_ca("Test Issuing CA", int_key(), &root);
    let leaf_der = leaf(LeafSpec::default(), &inter);
    let store = store_of(&[&root]);

    let sent = vec![leaf_der.clone()];
    let v = verify_chain(&sent, &store, now(), Usage::Server);
    assert!(!v.trusted);
    assert!(v.error.unwrap().starts_with("unknown issuer"));
    let shape = chain_order(&infos(&sent), Some(&store));
    assert!(shape.missing_intermediate);
    assert!(shape.in_order && !shape.root_sent);
    // Without a store nothing can be concluded.
    assert!(!chain_order(&infos(&sent), None).missing_intermediate);

    // The same leaf with its intermediate is complete.
    let full = vec![leaf_der, inter.der.clone()];
    assert!(!chain_order(&infos(&full), Some(&store)).missing_intermediate);
    // A store that holds the intermediate itself also anchors the leaf.
    let inter_store = store_of(&[&inter]);
    assert!(!chain_order(&infos(&sent), Some(&inter_store)).missing_intermediate);
}

#[test]
fn verify_chain_server_only_eku_refused_for_client_usage() {
    let root = root_ca("Test Root CA", root_key());
    let chain = vec![leaf(LeafSpec { ekus: vec![Eku::ServerAuth], ..LeafSpec::default() }, &root)];
    let store = store_of(&[&root]);
    assert!(verify_chain(&chain, &store, now(), Usage::Server).trusted);

    let v = verify_chain(&chain, &store, now(), Usage::Client);
    assert!(!v.trusted);
    let err = v.error.unwrap();
    assert!(err.starts_with("required EKU not present"), "{err}");
    assert!(err.contains("needs clientAuth"), "{err}");
    assert!(err.contains("[serverAuth]"), "{err}");
    // Ignoring time does not hide a purpose problem; the issuing root is still known.
    assert!(!verify_chain_ignoring_time(&chain, &store, now(), Usage::Client).trusted);
    assert!(issuing_root(&chain, &store).is_some());
}

#[test]
fn verify_chain_without_eku_extension_allows_both_usages() {
    let root = root_ca("Test Root CA", root_key());
    let chain = vec![leaf(LeafSpec { ekus: vec![], ..LeafSpec::default() }, &root)];
    let store = store_of(&[&root]);
    assert!(!inspect(&chain[0]).unwrap().eku_present);
    assert!(verify_chain(&chain, &store, now(), Usage::Server).trusted);
    assert!(verify_chain(&chain, &store, now(), Usage::Client).trusted);
}

#[test]
fn verify_chain_out_of_order_and_root_sent() {
    let root = root_ca("Test Root CA", root_key());
    let upper = sub_ca("Upper CA", int_key(), &root);
    let lower = sub_ca("Lower CA", int_key(), &upper);
    let leaf_der = leaf(LeafSpec::default(), &lower);
    let store = store_of(&[&root]);

    // webpki builds the path whatever the order, but the order is reported.
    let shuffled = vec![leaf_der.clone(), upper.der.clone(), lower.der.clone()];
    assert!(verify_chain(&shuffled, &store, now(), Usage::Server).trusted);
    assert_eq!(chain_order(&infos(&shuffled), Some(&store)), ChainShape { in_order: false, root_sent: false, missing_intermediate: false });

    let ordered_with_root = vec![leaf_der, lower.der.clone(), upper.der.clone(), root.der.clone()];
    assert!(verify_chain(&ordered_with_root, &store, now(), Usage::Server).trusted);
    assert_eq!(
        chain_order(&infos(&ordered_with_root), Some(&store)),
        ChainShape { in_order: true, root_sent: true, missing_intermediate: false }
    );
    // Sending the root does not make it trusted.
    let other = root_ca("Other Root", leaf_key());
    let v = verify_chain(&ordered_with_root, &store_of(&[&other]), now(), Usage::Server);
    assert!(v.error.unwrap().starts_with("unknown issuer"));
}

#[test]
fn verify_chain_contract_certificate_against_both_stores() {
    let chain = vec![one_der(IMP_RT_PEM)];
    let cup = TrustStore::load(&fixtures().join("cup-trust")).unwrap();
    let ms = TrustStore::load(&fixtures().join("ms-trusted-roots.pem")).unwrap();
    let t = ts("2027-06-01T00:00:00Z");
    for store in [&cup, &ms] {
        for usage in [Usage::Server, Usage::Client] {
            let v = verify_chain(&chain, store, t, usage);
            assert!(v.trusted, "{v:?}");
            assert_eq!(v.anchor_subject.as_deref(), Some(ENTERPRISE_ROOT));
        }
    }
    assert_eq!(issuing_root(&chain, &cup), issuing_root(&chain, &ms));
    let early = verify_chain(&chain, &cup, ts("2026-01-01T00:00:00Z"), Usage::Server);
    assert!(early.error.unwrap().starts_with("not yet valid"));
}

#[test]
fn verify_chain_degenerate_inputs_do_not_panic() {
    let cup = TrustStore::load(&fixtures().join("cup-trust")).unwrap();
    let v = verify_chain(&[], &cup, now(), Usage::Server);
    assert_eq!(v.error.as_deref(), Some("no certificate was presented"));
    let v = verify_chain(&[b"junk".to_vec()], &cup, now(), Usage::Server);
    assert!(!v.trusted && v.error.is_some());
    let v = verify_chain_ignoring_time(&[b"junk".to_vec()], &cup, now(), Usage::Server);
    assert!(!v.trusted && v.error.unwrap().contains("cannot be read"));
    assert_eq!(issuing_root(&[], &cup), None);
    let v = verify_chain(&[one_der(IMP_RT_PEM), b"junk".to_vec()], &cup, i64::MIN, Usage::Server);
    assert!(!v.trusted);
    assert_eq!(chain_order(&[], Some(&cup)), ChainShape { in_order: true, root_sent: false, missing_intermediate: false });
}

#[test]
fn damaged_certificates_never_panic() {
    let der = one_der(IMP_RT_PEM);
    let cup = TrustStore::load(&fixtures().join("cup-trust")).unwrap();
    for cut in 0..der.len() {
        assert!(inspect(&der[..cut]).is_err(), "prefix {cut} accepted");
    }
    let mut trusted = 0;
    for i in 0..der.len() {
        let mut bad = der.clone();
        bad[i] ^= 0xFF;
        let _ = inspect(&bad);
        let chain = [bad];
        let v = verify_chain(&chain, &cup, ts("2027-06-01T00:00:00Z"), Usage::Server);
        trusted += usize::from(v.trusted);
        let _ = issuing_root(&chain, &cup);
        let _ = pem_to_ders(&String::from_utf8_lossy(&chain[0]));
    }
    // Any flipped byte breaks either the encoding or the signature.
    assert_eq!(trusted, 0);
}

#[test]
fn key_algorithms_read_back_from_their_text() {
    for k in [
        KeyAlgorithm::Rsa { bits: Some(4096) },
        KeyAlgorithm::Rsa { bits: None },
        KeyAlgorithm::Ec { curve: Some("P-384".into()) },
        KeyAlgorithm::Ec { curve: None },
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::Ed448,
        KeyAlgorithm::Other("dsa".into()),
    ] {
        assert_eq!(KeyAlgorithm::from(k.to_string()), k);
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(serde_json::from_str::<KeyAlgorithm>(&json).unwrap(), k, "{json}");
    }
}
