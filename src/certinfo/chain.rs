//! Chain judgement with webpki, plus the structural facts webpki does not report.
//!
//! webpki builds a path from the leaf to any trust anchor using the sent certificates
//! in any order, so "trusted" here means "a strict modern verifier accepts it". Older
//! TLS stacks (Lync/OCS, some IM&P releases) are less forgiving about order and
//! missing intermediates; [`chain_order`] exposes those facts separately.

use super::{inspect, rfc3339, CertInfo, TrustStore};
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use webpki::{anchor_from_trusted_cert, EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter, KeyUsage};

/// Which side of TLS the leaf certificate is judged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    /// The peer acts as TLS server (needs serverAuth when an EKU is present).
    Server,
    /// The peer presents a client certificate in mutual TLS (needs clientAuth).
    Client,
}

/// The outcome of verifying one chain against one trust store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainVerdict {
    /// Whether the chain leads from the leaf to a certificate in the store.
    pub trusted: bool,
    /// Why the chain is not trusted, in plain words; `None` when trusted.
    pub error: Option<String>,
    /// Subject of the store certificate the chain ends at, when trusted.
    pub anchor_subject: Option<String>,
}

/// Structural facts about a chain as it was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainShape {
    /// Every certificate's issuer is the subject of the next one.
    pub in_order: bool,
    /// A self-signed certificate follows the leaf (sending a root never adds trust).
    pub root_sent: bool,
    /// Following issuer names from the leaf, the chain stops before a store certificate.
    pub missing_intermediate: bool,
}

/// Verifies `chain` (leaf first, as the peer sent it) against `roots` at `now_unix`.
///
/// Intermediates are `chain[1..]` in any order; a root sent in the chain is ignored
/// unless it is also in the store (sending a root never makes a chain trusted).
pub fn verify_chain(chain: &[Vec<u8>], roots: &TrustStore, now_unix: i64, usage: Usage) -> ChainVerdict {
    verify_at(chain, roots, now_unix, key_usage(usage))
}

/// Like [`verify_chain`], but at an instant inside the leaf's validity window, so a
/// caller can say "trusted, but the leaf is expired" instead of only "expired".
///
/// Tries `now` clamped into the leaf's window first, then the window's end, middle and
/// start; the first instant that verifies wins, otherwise the verdict at the first
/// instant is returned. (An issuer that expired before the leaf still fails.)
pub fn verify_chain_ignoring_time(chain: &[Vec<u8>], roots: &TrustStore, now_unix: i64, usage: Usage) -> ChainVerdict {
    let leaf = match leaf_info(chain) {
        Ok(info) => info,
        Err(v) => return v,
    };
    let mut times = vec![now_unix.max(leaf.not_before_unix).min(leaf.not_after_unix)];
    times.extend(window_times(&leaf));
    first_trusted(chain, roots, &times, key_usage(usage))
}

/// Subject of the store CA the chain leads to, whatever the leaf's purpose and
/// whether or not it is expired; `None` when no store certificate anchors it.
///
/// Used to compare both sides of a federation: each must trust the CA that issued the
/// other's certificate.
pub fn issuing_root(chain: &[Vec<u8>], store: &TrustStore) -> Option<String> {
    let leaf = leaf_info(chain).ok()?;
    let verdict = first_trusted(chain, store, &window_times(&leaf), AnyPurpose);
    verdict.anchor_subject.filter(|_| verdict.trusted)
}

/// Describes how a chain was assembled.
///
/// Rules:
/// - `in_order`: every certificate's issuer is the subject of the next one (an empty
///   or one-certificate chain is in order);
/// - `root_sent`: a certificate after the leaf is self-signed (a root was sent; it is
///   harmless but wasted bytes, and some peers dislike it);
/// - `missing_intermediate`: starting at the leaf and following issuer names through
///   the sent certificates (in any order), the walk stops at a certificate that is not
///   self-signed and whose issuer is not the subject of any certificate in `store`.
///   Without a store nothing can be concluded, so it is `false`.
///
/// Names are compared in their rendered form, as [`CertInfo`] holds them.
pub fn chain_order(chain: &[CertInfo], store: Option<&TrustStore>) -> ChainShape {
    let in_order = chain.windows(2).all(|w| w[0].issuer == w[1].subject);
    let root_sent = chain.iter().skip(1).any(|c| c.self_signed);
    let missing_intermediate = match store {
        Some(store) => {
            let store_subjects: Vec<String> =
                store.certs.iter().filter_map(|(_, der)| inspect(der).ok()).map(|info| info.subject).collect();
            walk_is_cut(chain, &store_subjects)
        }
        None => false,
    };
    ChainShape { in_order, root_sent, missing_intermediate }
}

fn walk_is_cut(chain: &[CertInfo], store_subjects: &[String]) -> bool {
    let Some(mut current) = chain.first() else {
        return false;
    };
    let mut visited = vec![false; chain.len()];
    visited[0] = true;
    loop {
        if current.self_signed || store_subjects.contains(&current.issuer) {
            return false;
        }
        let next = chain.iter().enumerate().find(|(i, c)| !visited[*i] && c.subject == current.issuer);
        match next {
            Some((i, c)) => {
                visited[i] = true;
                current = c;
            }
            None => return true,
        }
    }
}

fn key_usage(usage: Usage) -> KeyUsage {
    match usage {
        Usage::Server => KeyUsage::server_auth(),
        Usage::Client => KeyUsage::client_auth(),
    }
}

/// Accepts any (well-formed) EKU list: for questions that are not about purpose.
#[derive(Clone, Copy)]
struct AnyPurpose;

impl ExtendedKeyUsageValidator for AnyPurpose {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for id in iter {
            id?;
        }
        Ok(())
    }
}

fn untrusted(reason: impl Into<String>) -> ChainVerdict {
    ChainVerdict { trusted: false, error: Some(reason.into()), anchor_subject: None }
}

fn leaf_info(chain: &[Vec<u8>]) -> Result<CertInfo, ChainVerdict> {
    let leaf = chain.first().ok_or_else(|| untrusted("no certificate was presented"))?;
    inspect(leaf).map_err(|e| untrusted(format!("the leaf certificate cannot be read: {e}")))
}

/// End, middle and start of the leaf's window (deduplicated by the caller's loop).
fn window_times(leaf: &CertInfo) -> Vec<i64> {
    let (nb, na) = (leaf.not_before_unix, leaf.not_after_unix);
    vec![na, nb / 2 + na / 2, nb]
}

fn first_trusted(chain: &[Vec<u8>], roots: &TrustStore, times: &[i64], eku: impl ExtendedKeyUsageValidator + Copy) -> ChainVerdict {
    let mut first: Option<ChainVerdict> = None;
    let mut tried: Vec<i64> = Vec::new();
    for &t in times {
        if tried.contains(&t) {
            continue;
        }
        tried.push(t);
        let verdict = verify_at(chain, roots, t, eku);
        if verdict.trusted {
            return verdict;
        }
        first.get_or_insert(verdict);
    }
    first.unwrap_or_else(|| untrusted("no verification time to try"))
}

fn verify_at(chain: &[Vec<u8>], roots: &TrustStore, time_unix: i64, eku: impl ExtendedKeyUsageValidator) -> ChainVerdict {
    let Some(leaf) = chain.first() else {
        return untrusted("no certificate was presented");
    };
    let leaf_der = CertificateDer::from(leaf.as_slice());
    let end_entity = match EndEntityCert::try_from(&leaf_der) {
        Ok(ee) => ee,
        Err(e) => return untrusted(format!("the leaf certificate cannot be used: {}", describe(&e))),
    };

    let root_ders: Vec<CertificateDer<'_>> = roots.certs.iter().map(|(_, der)| CertificateDer::from(der.as_slice())).collect();
    let mut anchors: Vec<TrustAnchor<'_>> = Vec::new();
    let mut anchor_origin: Vec<usize> = Vec::new();
    for (i, der) in root_ders.iter().enumerate() {
        if let Ok(anchor) = anchor_from_trusted_cert(der) {
            anchors.push(anchor);
            anchor_origin.push(i);
        }
    }
    if anchors.is_empty() {
        return untrusted("the trust store holds no usable CA certificate");
    }

    let intermediates: Vec<CertificateDer<'_>> = chain.iter().skip(1).map(|der| CertificateDer::from(der.as_slice())).collect();
    let secs = u64::try_from(time_unix).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(Duration::from_secs(secs));

    match end_entity.verify_for_usage(webpki::ALL_VERIFICATION_ALGS, &anchors, &intermediates, time, eku, None, None) {
        Ok(path) => {
            let used = path.anchor();
            let anchor_subject = anchors
                .iter()
                .position(|a| a == used)
                .and_then(|p| anchor_origin.get(p))
                .and_then(|&i| roots.certs.get(i))
                .and_then(|(_, der)| inspect(der).ok())
                .map(|info| info.subject);
            ChainVerdict { trusted: true, error: None, anchor_subject }
        }
        Err(e) => untrusted(describe(&e)),
    }
}

/// Turns webpki's error into a sentence that starts with a short keyword
/// ("unknown issuer", "expired", "required EKU not present", ...).
fn describe(e: &webpki::Error) -> String {
    use webpki::Error as E;
    #[allow(deprecated)]
    match e {
        E::UnknownIssuer => "unknown issuer: no certificate in the trust store issued this chain \
             (the issuing CA, or an intermediate, is not trusted or was not sent)"
            .to_string(),
        E::CertExpired { not_after, .. } => format!("expired: a certificate in the chain was valid until {}", rfc3339(unix_of(not_after))),
        E::CertNotValidYet { not_before, .. } => {
            format!("not yet valid: a certificate in the chain is valid only from {}", rfc3339(unix_of(not_before)))
        }
        E::InvalidCertValidity => "invalid validity: a certificate's notAfter is before its notBefore".to_string(),
        E::RequiredEkuNotFoundContext(ctx) => {
            let required = ctx.required.oid_values().map(|n| n.to_string()).collect::<Vec<_>>().join(".");
            let present = ctx.present.iter().map(|oid| eku_name(oid)).collect::<Vec<_>>().join(", ");
            format!("required EKU not present: the certificate needs {} but allows only [{}]", eku_name_str(&required), present)
        }
        E::RequiredEkuNotFound => "required EKU not present: the certificate is not allowed for this purpose".to_string(),
        E::EmptyEkuExtension => "required EKU not present: the extended key usage extension is empty".to_string(),
        E::CaUsedAsEndEntity => "CA used as end entity: the leaf certificate is a CA certificate".to_string(),
        E::EndEntityUsedAsCa => "end entity used as CA: a non-CA certificate appears to have issued another".to_string(),
        E::InvalidSignatureForPublicKey => "bad signature: a trusted or sent CA has the issuer's \
             name but its key did not sign the certificate (re-keyed or look-alike CA)"
            .to_string(),
        E::SignatureAlgorithmMismatch => "signature algorithm mismatch between a certificate and its issuer's key".to_string(),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "unsupported signature algorithm: a certificate is signed with an algorithm \
             modern verifiers refuse (for example SHA-1, or RSA below 2048 bits)"
                .to_string()
        }
        E::PathLenConstraintViolated => "path length constraint violated: a CA allows fewer intermediates below it".to_string(),
        E::NameConstraintViolation => "name constraint violated: a CA is not allowed to issue for these names".to_string(),
        E::CertDistrusted => "distrusted: the chain uses a key that is explicitly distrusted".to_string(),
        E::CertRevoked => "revoked".to_string(),
        E::UnsupportedCriticalExtension => "unsupported critical extension in a certificate of the chain".to_string(),
        E::UnsupportedCertVersion => "unsupported certificate version (only X.509 v3 is accepted for non-roots)".to_string(),
        E::MaximumPathDepthExceeded => "chain too long: too many intermediates".to_string(),
        E::MaximumSignatureChecksExceeded | E::MaximumPathBuildCallsExceeded | E::MaximumNameConstraintComparisonsExceeded => {
            "too complex: path building gave up (too many candidate certificates)".to_string()
        }
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "malformed certificate: its DER encoding is invalid".to_string(),
        E::MalformedExtensions | E::ExtensionValueInvalid | E::MalformedDnsIdentifier => {
            "malformed certificate: an extension cannot be decoded".to_string()
        }
        other => format!("rejected by webpki: {other:?}"),
    }
}

fn unix_of(t: &UnixTime) -> i64 {
    i64::try_from(t.as_secs()).unwrap_or(i64::MAX)
}

fn eku_name(oid: &[usize]) -> String {
    let dotted = oid.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(".");
    eku_name_str(&dotted)
}

fn eku_name_str(dotted: &str) -> String {
    match dotted {
        "1.3.6.1.5.5.7.3.1" => "serverAuth".to_string(),
        "1.3.6.1.5.5.7.3.2" => "clientAuth".to_string(),
        other => other.to_string(),
    }
}
