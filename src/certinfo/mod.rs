//! Certificate inspection and chain judgement: pure functions over DER bytes.
//!
//! Probes capture certificate chains as raw bytes; everything that decides what those
//! bytes mean lives here so checks can judge a snapshot offline. Nothing in this module
//! touches the network or the clock: callers pass `now` explicitly.
//!
//! - [`inspect`] turns one DER certificate into a [`CertInfo`] (the fields a UC
//!   engineer compares between IM&P and the Microsoft side).
//! - [`pem_to_ders`] / [`der_to_pem`] move between PEM text and DER.
//! - [`TrustStore::load`] reads a CA bundle or a folder of CA files (cup-trust, the
//!   Windows trusted roots exported as PEM).
//! - [`names_host`] and [`validity_at`] answer "is this certificate for that host" and
//!   "is it valid at that instant".
//! - [`verify_chain`], [`verify_chain_ignoring_time`], [`chain_order`] and
//!   [`issuing_root`] judge a chain as it was sent against a trust store.

mod chain;
mod error;
mod names;
mod pem;
mod store;

#[cfg(test)]
mod tests;

pub use chain::{chain_order, issuing_root, verify_chain, verify_chain_ignoring_time, ChainShape, ChainVerdict, Usage};
pub use error::CertError;
pub use names::{names_host, NameMatch};
pub use pem::{der_to_pem, pem_to_ders};
pub use store::TrustStore;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::net::{Ipv4Addr, Ipv6Addr};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::PublicKey;

/// What a person needs to know about one certificate, in display-ready form.
///
/// Names are rendered as x509-parser prints them (`CN=..., O=...` in certificate
/// order), so two certificates with the same encoded name always compare equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertInfo {
    /// Subject name, e.g. `CN=imp1.example.com, O=Example`.
    pub subject: String,
    /// The subject's first common name, when it has one.
    pub common_name: Option<String>,
    /// Issuer name, in the same form as `subject`.
    pub issuer: String,
    /// Serial number as uppercase hex bytes joined by colons (`01:AB:...`).
    pub serial: String,
    /// RFC 3339 in UTC (`2026-11-25T17:30:51Z`).
    pub not_before: String,
    /// End of validity, RFC 3339 in UTC.
    pub not_after: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before_unix: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after_unix: i64,
    /// DNS names of the subjectAltName extension, in certificate order.
    pub san_dns: Vec<String>,
    /// IP addresses of the subjectAltName extension, as text.
    pub san_ip: Vec<String>,
    /// `serverAuth`, `clientAuth`, or the dotted OID of any other purpose.
    pub eku: Vec<String>,
    /// Whether the EKU extension exists at all: without it every purpose is allowed.
    pub eku_present: bool,
    /// Basic constraints say this is a CA certificate.
    pub is_ca: bool,
    /// The public key's algorithm and size (shown as `RSA 2048`, `EC P-256`, `Ed25519`, ...).
    pub key_algorithm: KeyAlgorithm,
    /// Short name of the signature algorithm (`sha256WithRSAEncryption`), or its OID.
    pub signature_algorithm: String,
    /// SHA-256 of the DER, uppercase hex bytes joined by colons.
    pub sha256: String,
    /// Subject equals issuer and the certificate's signature verifies with its own key.
    pub self_signed: bool,
}

/// Where an instant falls relative to a certificate's validity window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// The window has not started yet.
    NotYetValid {
        /// Seconds until it starts.
        starts_in_s: i64,
    },
    /// The window has ended.
    Expired {
        /// Seconds since it ended.
        since_s: i64,
    },
    /// Inside the window.
    Valid {
        /// Seconds until it ends.
        remaining_s: i64,
    },
}

/// Parses one DER certificate into a [`CertInfo`].
///
/// Fails (with a sentence, never a panic) on bytes that are not exactly one X.509
/// certificate, or whose SAN / EKU / basic-constraints extensions are malformed:
/// showing "no SAN" for a certificate whose SAN cannot be read would mislead.
pub fn inspect(der: &[u8]) -> Result<CertInfo, CertError> {
    // The same CA certificates arrive in every peer's chain and sit in both trust
    // stores; parsing one and checking its self-signature (RSA) once per run, not once
    // per peer and check, keeps judging linear in practice. Bounded: a memo, not a store.
    const MEMO_MAX: usize = 4096;
    static MEMO: std::sync::OnceLock<std::sync::Mutex<InspectMemo>> = std::sync::OnceLock::new();
    let key: [u8; 32] = Sha256::digest(der).into();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(hit) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let result = inspect_uncached(der);
    if let Ok(mut m) = memo.lock() {
        if m.len() >= MEMO_MAX {
            m.clear();
        }
        m.insert(key, result.clone());
    }
    result
}

/// Inspections already made, by the certificate's SHA-256.
type InspectMemo = std::collections::HashMap<[u8; 32], Result<CertInfo, CertError>>;

fn inspect_uncached(der: &[u8]) -> Result<CertInfo, CertError> {
    let cert = parse(der)?;
    let tbs = &cert.tbs_certificate;

    let subject = tbs.subject().to_string();
    let issuer = tbs.issuer().to_string();
    let common_name = tbs.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(str::to_string);

    let not_before_unix = tbs.validity().not_before.timestamp();
    let not_after_unix = tbs.validity().not_after.timestamp();

    let mut san_dns = Vec::new();
    let mut san_ip = Vec::new();
    let san = tbs.subject_alternative_name().map_err(|e| CertError::Extension { extension: "subjectAltName", reason: e.to_string() })?;
    if let Some(san) = san {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) => san_dns.push((*dns).to_string()),
                GeneralName::IPAddress(bytes) => san_ip.push(ip_to_string(bytes)),
                _ => {}
            }
        }
    }

    let eku_ext = tbs.extended_key_usage().map_err(|e| CertError::Extension { extension: "extendedKeyUsage", reason: e.to_string() })?;
    let eku_present = eku_ext.is_some();
    let mut eku = Vec::new();
    if let Some(ext) = eku_ext {
        let v = ext.value;
        let named = [
            (v.server_auth, "serverAuth"),
            (v.client_auth, "clientAuth"),
            (v.any, "2.5.29.37.0"),
            (v.code_signing, "1.3.6.1.5.5.7.3.3"),
            (v.email_protection, "1.3.6.1.5.5.7.3.4"),
            (v.time_stamping, "1.3.6.1.5.5.7.3.8"),
            (v.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
        ];
        eku.extend(named.iter().filter(|(set, _)| *set).map(|(_, s)| s.to_string()));
        eku.extend(v.other.iter().map(|oid| oid.to_id_string()));
    }

    let is_ca = tbs
        .basic_constraints()
        .map_err(|e| CertError::Extension { extension: "basicConstraints", reason: e.to_string() })?
        .map(|bc| bc.value.ca)
        .unwrap_or(false);

    let self_signed = subject == issuer && signed_by_own_key(&cert);

    Ok(CertInfo {
        subject,
        common_name,
        issuer,
        serial: hex_colons(tbs.raw_serial()),
        not_before: rfc3339(not_before_unix),
        not_after: rfc3339(not_after_unix),
        not_before_unix,
        not_after_unix,
        san_dns,
        san_ip,
        eku,
        eku_present,
        is_ca,
        key_algorithm: key_algorithm(&cert),
        signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
        sha256: hex_colons(&Sha256::digest(der)),
        self_signed,
    })
}

/// Where `now_unix` falls in the certificate's window (both ends inclusive, as in
/// RFC 5280 and webpki).
pub fn validity_at(info: &CertInfo, now_unix: i64) -> Validity {
    if now_unix < info.not_before_unix {
        Validity::NotYetValid { starts_in_s: info.not_before_unix.saturating_sub(now_unix) }
    } else if now_unix > info.not_after_unix {
        Validity::Expired { since_s: now_unix.saturating_sub(info.not_after_unix) }
    } else {
        Validity::Valid { remaining_s: info.not_after_unix.saturating_sub(now_unix) }
    }
}

/// Parses exactly one certificate; trailing bytes mean the input is not what it claims.
fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    if der.is_empty() {
        return Err(CertError::Empty);
    }
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        Ok((rest, _)) => Err(CertError::TrailingBytes(rest.len())),
        Err(e) => Err(CertError::Der(e.to_string())),
    }
}

/// Best-effort self-signature check: tries every algorithm webpki knows; a wrong
/// algorithm simply fails to verify, so no OID matching is needed.
fn signed_by_own_key(cert: &X509Certificate<'_>) -> bool {
    let key: &[u8] = &cert.public_key().subject_public_key.data;
    let message: &[u8] = cert.tbs_certificate.as_ref();
    let signature: &[u8] = &cert.signature_value.data;
    webpki::ALL_VERIFICATION_ALGS.iter().any(|alg| alg.verify_signature(key, message, signature).is_ok())
}

/// A certificate's public key: typed for the checks, shown and stored as text
/// (`RSA 2048`, `EC P-256`, `Ed25519`), so reports and snapshots read as before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum KeyAlgorithm {
    /// RSA, with its modulus size when the key could be read.
    Rsa {
        /// Modulus bits; None when the key itself is unreadable.
        bits: Option<u32>,
    },
    /// Elliptic curve, with the curve's name (or OID).
    Ec {
        /// `P-256`, `P-384`, `P-521`, a dotted OID, or None when unstated.
        curve: Option<String>,
    },
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// Anything else, by its algorithm name or OID.
    Other(String),
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits: Some(b) } => write!(f, "RSA {b}"),
            KeyAlgorithm::Rsa { bits: None } => f.write_str("RSA (unreadable key)"),
            KeyAlgorithm::Ec { curve: Some(c) } => write!(f, "EC {c}"),
            KeyAlgorithm::Ec { curve: None } => f.write_str("EC (unknown curve)"),
            KeyAlgorithm::Ed25519 => f.write_str("Ed25519"),
            KeyAlgorithm::Ed448 => f.write_str("Ed448"),
            KeyAlgorithm::Other(name) => f.write_str(name),
        }
    }
}

impl From<KeyAlgorithm> for String {
    fn from(k: KeyAlgorithm) -> String {
        k.to_string()
    }
}

impl From<String> for KeyAlgorithm {
    /// The text form read back (snapshots and bundles store it).
    fn from(s: String) -> KeyAlgorithm {
        match s.as_str() {
            "RSA (unreadable key)" => KeyAlgorithm::Rsa { bits: None },
            "EC (unknown curve)" => KeyAlgorithm::Ec { curve: None },
            "Ed25519" => KeyAlgorithm::Ed25519,
            "Ed448" => KeyAlgorithm::Ed448,
            _ => {
                if let Some(bits) = s.strip_prefix("RSA ").and_then(|b| b.trim().parse().ok()) {
                    KeyAlgorithm::Rsa { bits: Some(bits) }
                } else if let Some(curve) = s.strip_prefix("EC ") {
                    KeyAlgorithm::Ec { curve: Some(curve.to_string()) }
                } else {
                    KeyAlgorithm::Other(s)
                }
            }
        }
    }
}

fn key_algorithm(cert: &X509Certificate<'_>) -> KeyAlgorithm {
    use x509_parser::oid_registry::{
        OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521, OID_PKCS1_RSAENCRYPTION, OID_SIG_ED25519,
        OID_SIG_ED448,
    };
    let spki = cert.public_key();
    let alg = &spki.algorithm.algorithm;
    if *alg == OID_PKCS1_RSAENCRYPTION {
        let bits = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => u32::try_from(rsa.key_size()).ok(),
            _ => None,
        };
        return KeyAlgorithm::Rsa { bits };
    }
    if *alg == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
        let name = curve.map(|c| match c {
            c if c == OID_EC_P256 => "P-256".to_string(),
            c if c == OID_NIST_EC_P384 => "P-384".to_string(),
            c if c == OID_NIST_EC_P521 => "P-521".to_string(),
            c => c.to_id_string(),
        });
        return KeyAlgorithm::Ec { curve: name };
    }
    if *alg == OID_SIG_ED25519 {
        return KeyAlgorithm::Ed25519;
    }
    if *alg == OID_SIG_ED448 {
        return KeyAlgorithm::Ed448;
    }
    KeyAlgorithm::Other(oid_name(alg))
}

fn oid_name(oid: &x509_parser::oid_registry::Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry()).map(str::to_string).unwrap_or_else(|_| oid.to_id_string())
}

fn ip_to_string(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        Ipv6Addr::from(v6).to_string()
    } else {
        format!("invalid IP ({} bytes: {})", bytes.len(), hex_colons(bytes))
    }
}

/// Uppercase hex, one byte per pair, joined by colons (the way fingerprints are shown).
pub(crate) fn hex_colons(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// RFC 3339 UTC; seconds outside jiff's range (years beyond ±9999) print as `@<secs>`.
pub(crate) fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map(|t| t.to_string()).unwrap_or_else(|_| format!("@{unix}"))
}
