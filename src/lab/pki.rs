//! Certificates minted at run time for the demo lab and the tests.
//!
//! Real IM&P and Lync certificates are RSA, so everything here is RSA-2048 signed
//! with SHA-256 (rcgen on aws-lc-rs). RSA key generation is slow (tens to hundreds of
//! milliseconds), so callers that mint many leaves can share one key pair through
//! [`shared_rsa_key`] and [`Ca::issue_with_key`].

use std::net::IpAddr;
use std::sync::OnceLock;

use anyhow::{anyhow, Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    RsaKeySize, SanType, SerialNumber, PKCS_RSA_SHA256,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// Organisation written into every lab subject, so a lab certificate is recognisable.
const LAB_ORG: &str = "fedcheck lab";

/// Which extended key usages a leaf carries. Lync/SfB front ends need both; a
/// server-only certificate is a classic federation fault worth planting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eku {
    /// serverAuth only: refused when the peer presents it as a client certificate.
    ServerOnly,
    /// clientAuth only.
    ClientOnly,
    /// serverAuth and clientAuth, as Lync/SfB front ends need.
    ServerAndClient,
    /// No EKU extension at all (every usage allowed, as some old CAs issue).
    None,
}

/// What a leaf certificate should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafSpec {
    /// The subject's common name.
    pub common_name: String,
    /// DNS names; an entry that parses as an IP address becomes an IP SAN.
    /// Empty = no SAN extension (a CN-only certificate, like very old servers).
    pub sans: Vec<String>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// The extended key usages to carry.
    pub eku: Eku,
}

impl LeafSpec {
    /// A healthy server certificate for `fqdn`: valid since yesterday for a year,
    /// server and client EKUs, the FQDN as CN and only SAN.
    pub fn new(fqdn: &str) -> LeafSpec {
        let now = OffsetDateTime::now_utc();
        LeafSpec {
            common_name: fqdn.to_string(),
            sans: vec![fqdn.to_string()],
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(365),
            eku: Eku::ServerAndClient,
        }
    }

    /// Same validity window, moved so that the certificate expired `days_ago` days ago.
    pub fn expired(mut self, days_ago: i64) -> LeafSpec {
        let now = OffsetDateTime::now_utc();
        self.not_after = now - Duration::days(days_ago);
        self.not_before = self.not_after - Duration::days(365);
        self
    }
}

/// A minted end-entity certificate and its private key.
#[derive(Clone)]
pub struct Leaf {
    /// The certificate (DER).
    pub cert_der: CertificateDer<'static>,
    /// The certificate (PEM).
    pub cert_pem: String,
    /// PKCS#8 DER.
    pub key_der: Vec<u8>,
    /// The private key (PKCS#8 PEM).
    pub key_pem: String,
}

impl Leaf {
    /// The private key in the form rustls takes.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

impl std::fmt::Debug for Leaf {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leaf").field("cert_der_len", &self.cert_der.len()).finish_non_exhaustive()
    }
}

/// A certificate authority: a self-signed root or an intermediate signed by another CA.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    cert_der: CertificateDer<'static>,
    cert_pem: String,
    common_name: String,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").field("common_name", &self.common_name).finish_non_exhaustive()
    }
}

impl Ca {
    /// A self-signed root, valid since yesterday for ten years.
    pub fn new_root(common_name: &str) -> Result<Ca> {
        let key = new_rsa_key()?;
        let params = ca_params(common_name, BasicConstraints::Unconstrained)?;
        let cert = params.self_signed(&key).with_context(|| format!("self-signing root CA {common_name:?}"))?;
        Ok(Ca {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
            common_name: common_name.to_string(),
        })
    }

    /// An intermediate CA (path length 0) signed by this CA.
    pub fn intermediate(&self, common_name: &str) -> Result<Ca> {
        let key = new_rsa_key()?;
        let mut params = ca_params(common_name, BasicConstraints::Constrained(0))?;
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &self.issuer).with_context(|| format!("signing intermediate CA {common_name:?}"))?;
        Ok(Ca {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
            common_name: common_name.to_string(),
        })
    }

    /// The CA's common name.
    pub fn common_name(&self) -> &str {
        &self.common_name
    }

    /// The CA certificate (DER).
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }

    /// The CA certificate (PEM).
    pub fn cert_pem(&self) -> String {
        self.cert_pem.clone()
    }

    /// Issues a leaf with a fresh RSA key (slow: one key generation per call).
    pub fn issue(&self, spec: &LeafSpec) -> Result<Leaf> {
        let key = new_rsa_key()?;
        self.issue_with_key(spec, &key)
    }

    /// Issues a leaf for an existing key pair (fast: only a signature). Leaves that
    /// share a key still get distinct random serial numbers.
    pub fn issue_with_key(&self, spec: &LeafSpec, key: &KeyPair) -> Result<Leaf> {
        let params = leaf_params(spec)?;
        let cert = params.signed_by(key, &self.issuer).with_context(|| format!("issuing leaf {:?}", spec.common_name))?;
        Ok(Leaf { cert_pem: cert.pem(), cert_der: cert.der().clone(), key_der: key.serialize_der(), key_pem: key.serialize_pem() })
    }
}

/// A self-signed leaf with a fresh RSA key (a "nobody issued this" certificate).
pub fn self_signed(spec: &LeafSpec) -> Result<Leaf> {
    let key = new_rsa_key()?;
    self_signed_with_key(spec, &key)
}

/// A self-signed leaf for an existing key pair.
pub fn self_signed_with_key(spec: &LeafSpec, key: &KeyPair) -> Result<Leaf> {
    let params = leaf_params(spec)?;
    let cert = params.self_signed(key).with_context(|| format!("self-signing leaf {:?}", spec.common_name))?;
    Ok(Leaf { cert_pem: cert.pem(), cert_der: cert.der().clone(), key_der: key.serialize_der(), key_pem: key.serialize_pem() })
}

/// A process-wide RSA-2048 key pair, generated once, for callers that mint many
/// certificates and do not care that they share a key.
pub fn shared_rsa_key() -> Result<&'static KeyPair> {
    static SHARED: OnceLock<std::result::Result<KeyPair, String>> = OnceLock::new();
    SHARED.get_or_init(|| new_rsa_key().map_err(|e| format!("{e:#}"))).as_ref().map_err(|e| anyhow!("{e}"))
}

/// A fresh RSA-2048 key pair for SHA-256 signatures.
pub fn new_rsa_key() -> Result<KeyPair> {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).context("generating an RSA-2048 key pair")
}

fn subject(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, LAB_ORG);
    dn.push(DnType::CommonName, common_name);
    dn
}

fn ca_params(common_name: &str, constraints: BasicConstraints) -> Result<CertificateParams> {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params.distinguished_name = subject(common_name);
    params.is_ca = IsCa::Ca(constraints);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    params.serial_number = Some(random_serial()?);
    Ok(params)
}

fn leaf_params(spec: &LeafSpec) -> Result<CertificateParams> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject(&spec.common_name);
    params.subject_alt_names = spec
        .sans
        .iter()
        .map(|name| match name.parse::<IpAddr>() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => name.clone().try_into().map(SanType::DnsName).with_context(|| format!("SAN {name:?} is not a valid DNS name")),
        })
        .collect::<Result<Vec<_>>>()?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = match spec.eku {
        Eku::ServerOnly => vec![ExtendedKeyUsagePurpose::ServerAuth],
        Eku::ClientOnly => vec![ExtendedKeyUsagePurpose::ClientAuth],
        Eku::ServerAndClient => vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth],
        Eku::None => Vec::new(),
    };
    params.not_before = spec.not_before;
    params.not_after = spec.not_after;
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(random_serial()?);
    Ok(params)
}

/// rcgen derives the serial from the public key when none is given, which would make
/// every leaf sharing a key carry the same serial: use 16 random bytes instead.
fn random_serial() -> Result<SerialNumber> {
    let mut bytes = vec![0u8; 16];
    crate::tlskit::random(&mut bytes).map_err(|_| anyhow!("the system random generator failed"))?;
    // A positive INTEGER with no leading zero byte.
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    Ok(SerialNumber::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    fn parse(der: &[u8]) -> X509Certificate<'_> {
        let (rest, cert) = X509Certificate::from_der(der).unwrap();
        assert!(rest.is_empty());
        cert
    }

    #[test]
    fn chain_of_root_intermediate_leaf_links_up() {
        let root = Ca::new_root("Lab Root CA").unwrap();
        let inter = root.intermediate("Lab Issuing CA").unwrap();
        let key = shared_rsa_key().unwrap();
        let mut spec = LeafSpec::new("fe1.lab.example");
        spec.sans.push("127.0.0.7".into());
        let leaf = inter.issue_with_key(&spec, key).unwrap();

        let root_cert = parse(&root.cert_der);
        let inter_cert = parse(&inter.cert_der);
        let leaf_cert = parse(&leaf.cert_der);
        assert_eq!(root_cert.subject(), root_cert.issuer());
        assert_eq!(inter_cert.issuer(), root_cert.subject());
        assert_eq!(leaf_cert.issuer(), inter_cert.subject());
        assert!(root_cert.is_ca() && inter_cert.is_ca() && !leaf_cert.is_ca());

        // The chain validates with webpki for both usages federation needs.
        let root_der = root.cert_der();
        let anchors = [webpki::anchor_from_trusted_cert(&root_der).unwrap()];
        let intermediates = [inter.cert_der()];
        let ee = webpki::EndEntityCert::try_from(&leaf.cert_der).unwrap();
        for usage in [webpki::KeyUsage::server_auth(), webpki::KeyUsage::client_auth()] {
            ee.verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                &intermediates,
                rustls_pki_types::UnixTime::now(),
                usage,
                None,
                None,
            )
            .unwrap();
        }

        let sans = leaf_cert.subject_alternative_name().unwrap().unwrap();
        match sans.value.general_names.as_slice() {
            [GeneralName::DNSName(dns), GeneralName::IPAddress(ip)] => {
                assert_eq!(*dns, "fe1.lab.example");
                assert_eq!(*ip, &[127u8, 0, 0, 7][..]);
            }
            other => panic!("unexpected SANs {other:?}"),
        }
        let eku = leaf_cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth);
        assert!(leaf.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(leaf.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    }

    #[test]
    fn leaf_spec_fields_are_honoured() {
        let root = Ca::new_root("Lab Root CA").unwrap();
        let key = shared_rsa_key().unwrap();
        let mut spec = LeafSpec::new("old.lab.example").expired(3);
        spec.sans.clear();
        spec.eku = Eku::ServerOnly;
        let leaf = root.issue_with_key(&spec, key).unwrap();
        let cert = parse(&leaf.cert_der);
        assert!(cert.subject_alternative_name().unwrap().is_none());
        let eku = cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && !eku.client_auth);
        let not_after = cert.validity().not_after.timestamp();
        assert!(not_after < OffsetDateTime::now_utc().unix_timestamp() - 2 * 86_400);

        spec.eku = Eku::None;
        let leaf = self_signed_with_key(&spec, key).unwrap();
        let cert = parse(&leaf.cert_der);
        assert!(cert.extended_key_usage().unwrap().is_none());
        assert_eq!(cert.subject(), cert.issuer());
    }

    #[test]
    fn shared_key_leaves_get_distinct_serials() {
        let root = Ca::new_root("Lab Root CA").unwrap();
        let key = shared_rsa_key().unwrap();
        let spec = LeafSpec::new("fe.lab.example");
        let a = root.issue_with_key(&spec, key).unwrap();
        let b = root.issue_with_key(&spec, key).unwrap();
        assert_ne!(parse(&a.cert_der).serial, parse(&b.cert_der).serial);
        assert_eq!(a.key_der, b.key_der);
    }

    #[test]
    fn bad_san_is_an_error_not_a_panic() {
        let key = shared_rsa_key().unwrap();
        let mut spec = LeafSpec::new("fe.lab.example");
        spec.sans = vec!["bad name with spaces\u{7f}é".into()];
        assert!(self_signed_with_key(&spec, key).is_err());
    }

    /// Mints 1,000 leaves with one shared key; run with `--ignored` to see the rate.
    #[test]
    #[ignore]
    fn mint_1000_leaves_with_a_shared_key() {
        let root = Ca::new_root("Bench Root CA").unwrap();
        let key = shared_rsa_key().unwrap();
        let start = std::time::Instant::now();
        for i in 0..1000 {
            let spec = LeafSpec::new(&format!("host{i}.lab.example"));
            root.issue_with_key(&spec, key).unwrap();
        }
        eprintln!("1000 leaves in {:?}", start.elapsed());
    }
}
