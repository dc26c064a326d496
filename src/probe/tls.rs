//! TLS path 2: a real rustls handshake to a peer's SIP port.
//!
//! The verifier captures the chain the peer presents and accepts it (the chain is
//! judged later against each side's trust store), but handshake signatures are still
//! checked through the provider, so the peer proves it holds the certificate's key.
//! A client-certificate resolver records whether the peer asked for one (mutual TLS)
//! and presents the configured identity. The open stream is handed back so SIP
//! OPTIONS can travel over it.
//!
//! rustls speaks only TLS 1.2/1.3 with ECDHE and AEAD suites: a peer that offers
//! nothing else fails here with [`TlsFailure::NoCommonParameters`], which is a limit
//! of this probe, not proof that IM&P cannot connect (path 1 covers that).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::snapshot::tls::{TlsFailure, TlsObservation, TlsOutcome, TlsVersion};
use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, Resumption};
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{AlertDescription, CipherSuite, ClientConfig, ProtocolVersion, SignatureAlgorithm, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use tokio::net::TcpStream;
use tokio::time::timeout_at;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::probe::sip::deadline_after;

/// Why a client identity (certificate and key) or the prober built on it cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// No certificate was given.
    #[error("the client certificate chain is empty")]
    EmptyChain,
    /// The key is not the leaf certificate's key.
    #[error("the private key does not match the client certificate")]
    KeyMismatch,
    /// The provider refuses the key.
    #[error("the client private key is not usable: {0}")]
    KeyUnusable(rustls::Error),
    /// A certificate or key file cannot be read.
    #[error("cannot read the {what} {}: {reason}", path.display())]
    Unreadable {
        /// `client certificate` or `client private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why: an I/O failure, not a regular file, or over the size cap.
        reason: String,
    },
    /// PEM armour around damaged content.
    #[error("{}: garbled PEM: {reason}", path.display())]
    GarbledPem {
        /// The file.
        path: PathBuf,
        /// What the PEM reader said.
        reason: String,
    },
    /// PEM text without a certificate block.
    #[error("{}: no CERTIFICATE block found", path.display())]
    NoCertificateBlock {
        /// The certificate file.
        path: PathBuf,
    },
    /// Neither PEM nor DER.
    #[error("{}: neither a PEM certificate nor a DER certificate", path.display())]
    NotACertificate {
        /// The certificate file.
        path: PathBuf,
    },
    /// The key is encrypted: probes cannot ask for its passphrase.
    #[error("{}: the private key is encrypted; provide it unencrypted (e.g. `openssl pkcs8 -in KEY -out PLAIN.key`)", path.display())]
    EncryptedKey {
        /// The key file.
        path: PathBuf,
    },
    /// PEM text without a private key block.
    #[error("{}: no private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) found", path.display())]
    NoKeyBlock {
        /// The key file.
        path: PathBuf,
    },
    /// Binary content that is not a DER private key.
    #[error("{}: not a PEM or DER private key ({reason})", path.display())]
    NotAKey {
        /// The key file.
        path: PathBuf,
        /// What the key reader said.
        reason: String,
    },
    /// The certificate and key were read, but do not make an identity.
    #[error("{}: {reason}", path.display())]
    InFile {
        /// The key file.
        path: PathBuf,
        /// Why they do not make an identity.
        reason: Box<IdentityError>,
    },
    /// rustls refuses the client configuration.
    #[error("building the TLS client configuration: {0}")]
    Config(rustls::Error),
}

/// A client certificate and key presented when a peer asks for one (IM&P's identity
/// towards the Microsoft side).
pub struct ClientIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    signing_key: Arc<dyn SigningKey>,
}

impl Clone for ClientIdentity {
    fn clone(&self) -> Self {
        ClientIdentity { chain: self.chain.clone(), key: self.key.clone_key(), signing_key: self.signing_key.clone() }
    }
}

impl fmt::Debug for ClientIdentity {
    /// Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity").field("chain_len", &self.chain.len()).finish_non_exhaustive()
    }
}

impl ClientIdentity {
    /// Checks that the key is usable with the provider and matches the leaf.
    pub fn new(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<ClientIdentity, IdentityError> {
        if chain.is_empty() {
            return Err(IdentityError::EmptyChain);
        }
        let certified = CertifiedKey::from_der(chain.clone(), key.clone_key(), &crate::tlskit::provider()).map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => IdentityError::KeyMismatch,
            other => IdentityError::KeyUnusable(other),
        })?;
        Ok(ClientIdentity { chain, key, signing_key: certified.key })
    }

    /// Loads a certificate chain (PEM, leaf first, or a single DER certificate) and a
    /// private key (PEM PKCS#8 / PKCS#1 / SEC1, or DER).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<ClientIdentity, IdentityError> {
        let cert_bytes = read_file(cert, "client certificate")?;
        // The same reader as the inventory's: a file that loads there loads here.
        let chain = if contains(&cert_bytes, b"-----BEGIN") {
            let text = String::from_utf8_lossy(&cert_bytes);
            let ders = crate::certinfo::pem_to_ders(&text).map_err(|e| match e {
                crate::certinfo::CertError::NoPemBlock => IdentityError::NoCertificateBlock { path: cert.to_path_buf() },
                other => IdentityError::GarbledPem { path: cert.to_path_buf(), reason: other.to_string() },
            })?;
            ders.into_iter().map(CertificateDer::from).collect()
        } else if cert_bytes.first() == Some(&0x30) {
            vec![CertificateDer::from(cert_bytes)]
        } else {
            return Err(IdentityError::NotACertificate { path: cert.to_path_buf() });
        };

        let key_bytes = read_file(key, "client private key")?;
        let private_key = if contains(&key_bytes, b"ENCRYPTED PRIVATE KEY") {
            return Err(IdentityError::EncryptedKey { path: key.to_path_buf() });
        } else if contains(&key_bytes, b"-----BEGIN") {
            PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|e| match e {
                rustls_pki_types::pem::Error::NoItemsFound => IdentityError::NoKeyBlock { path: key.to_path_buf() },
                other => IdentityError::GarbledPem { path: key.to_path_buf(), reason: other.to_string() },
            })?
        } else {
            PrivateKeyDer::try_from(key_bytes).map_err(|e| IdentityError::NotAKey { path: key.to_path_buf(), reason: e.to_string() })?
        };
        ClientIdentity::new(chain, private_key).map_err(|e| IdentityError::InFile { path: key.to_path_buf(), reason: Box::new(e) })
    }

    /// The chain presented, leaf first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The private key (for building a server config in the lab, for instance).
    pub fn key(&self) -> &PrivateKeyDer<'static> {
        &self.key
    }
}

fn read_file(path: &Path, what: &'static str) -> Result<Vec<u8>, IdentityError> {
    crate::fsread::read_capped(path, crate::fsread::CERT_CAP).map_err(|e| IdentityError::Unreadable {
        what,
        path: path.to_path_buf(),
        reason: e.reason(),
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Holds the client configuration for a run; each handshake gets a cheap clone with
/// its own capturing verifier and resolver, so concurrent handshakes never mix state.
pub struct TlsProber {
    base: ClientConfig,
    identity: Option<ClientIdentity>,
    algs: crate::tlskit::Signatures,
}

impl fmt::Debug for TlsProber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsProber").field("identity", &self.identity).finish_non_exhaustive()
    }
}

impl TlsProber {
    /// TLS 1.2 + 1.3 on aws-lc-rs, no session resumption (every handshake must show
    /// the full certificate exchange).
    pub fn new(identity: Option<&ClientIdentity>) -> Result<TlsProber, IdentityError> {
        let provider = crate::tlskit::provider();
        let algs = crate::tlskit::Signatures::default();
        let capture = Arc::new(Capture::default());
        let mut base = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
            .map_err(IdentityError::Config)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(CapturingVerifier { capture: capture.clone(), algs }))
            .with_client_cert_resolver(Arc::new(RecordingResolver { capture, identity: None }));
        base.resumption = Resumption::disabled();
        Ok(TlsProber { base, identity: identity.cloned(), algs })
    }

    /// A per-connection configuration wired to `capture`.
    fn config_for(&self, capture: &Arc<Capture>) -> ClientConfig {
        let mut config = self.base.clone();
        config.dangerous().set_certificate_verifier(Arc::new(CapturingVerifier { capture: capture.clone(), algs: self.algs }));
        let identity = self.identity.as_ref().map(|id| {
            Arc::new(CertifiedKey::new(
                id.chain.clone(),
                Arc::new(RecordingKey { inner: id.signing_key.clone(), capture: capture.clone() }),
            ))
        });
        config.client_auth_cert_resolver = Arc::new(RecordingResolver { capture: capture.clone(), identity });
        config
    }

    /// Connects and handshakes with `addr`, sending `server_name` as SNI (an IP
    /// literal sends none). The whole attempt, TCP connect included, is bounded by
    /// `timeout`.
    pub async fn handshake(
        &self,
        addr: SocketAddr,
        server_name: &str,
        timeout: Duration,
    ) -> (TlsObservation, Option<TlsStream<TcpStream>>) {
        let start = Instant::now();
        let capture = Arc::new(Capture::default());
        let (outcome, stream) = self.attempt(addr, server_name, start, timeout, &capture).await;
        let observation = TlsObservation { elapsed_ms: crate::text::millis(start.elapsed()), outcome };
        (observation, stream)
    }

    async fn attempt(
        &self,
        addr: SocketAddr,
        server_name: &str,
        start: Instant,
        timeout: Duration,
        capture: &Arc<Capture>,
    ) -> (TlsOutcome, Option<TlsStream<TcpStream>>) {
        let deadline = tokio::time::Instant::from_std(deadline_after(start, timeout));
        let ms = timeout.as_millis();
        let name = match ServerName::try_from(server_name.trim().to_string()) {
            Ok(name) => name,
            Err(e) => {
                let msg = format!("{server_name:?} cannot be used as a TLS server name: {e}");
                return (capture.failed(TlsFailure::Io, msg), None);
            }
        };

        let tcp = match timeout_at(deadline, TcpStream::connect(addr)).await {
            Err(_) => {
                let msg = format!("no TCP connection to {addr} within {ms} ms");
                return (capture.failed(TlsFailure::ConnectTimeout, msg), None);
            }
            Ok(Err(e)) => {
                let (kind, msg) = match e.kind() {
                    io::ErrorKind::ConnectionRefused => {
                        (TlsFailure::ConnectRefused, format!("{addr} refused the TCP connection (nothing listens there)"))
                    }
                    io::ErrorKind::ConnectionReset => (TlsFailure::Reset, format!("{addr} reset the TCP connection attempt")),
                    _ => (TlsFailure::Io, format!("TCP connection to {addr} failed: {e}")),
                };
                return (capture.failed(kind, msg), None);
            }
            Ok(Ok(tcp)) => tcp,
        };
        let _ = tcp.set_nodelay(true);

        let connector = TlsConnector::from(Arc::new(self.config_for(capture)));
        match timeout_at(deadline, connector.connect(name, tcp)).await {
            Err(_) => {
                let what = if capture.chain_len() > 0 {
                    "the peer sent its certificate, then stalled"
                } else {
                    "the peer accepted TCP but did not answer the ClientHello"
                };
                let msg = format!("no TLS handshake completed within {ms} ms ({what})");
                (capture.failed(TlsFailure::HandshakeTimeout, msg), None)
            }
            Ok(Err(e)) => {
                let (kind, msg) = classify_handshake_error(&e, capture, self.identity.is_some());
                (capture.failed(kind, msg), None)
            }
            Ok(Ok(stream)) => {
                let conn = stream.get_ref().1;
                let version = match conn.protocol_version() {
                    Some(ProtocolVersion::TLSv1_2) => TlsVersion::Tls12,
                    Some(ProtocolVersion::TLSv1_3) => TlsVersion::Tls13,
                    Some(other) => TlsVersion::from_code(u16::from(other)),
                    None => TlsVersion::Other(0),
                };
                let cipher_suite =
                    conn.negotiated_cipher_suite().map(|s| iana_suite_name(s.suite())).unwrap_or_else(|| "unknown".to_string());
                let outcome = TlsOutcome::Connected {
                    version,
                    cipher_suite,
                    chain_pem: capture.chain_pem(),
                    client_cert_requested: capture.requested.load(Ordering::SeqCst),
                    client_cert_sent: capture.sent.load(Ordering::SeqCst),
                };
                (outcome, Some(stream))
            }
        }
    }
}

/// Convenience: one handshake with a fresh prober. For many targets, build one
/// [`TlsProber`] and reuse it.
pub async fn handshake(
    addr: SocketAddr,
    server_name: &str,
    identity: Option<&ClientIdentity>,
    timeout: Duration,
) -> (TlsObservation, Option<TlsStream<TcpStream>>) {
    match TlsProber::new(identity) {
        Ok(prober) => prober.handshake(addr, server_name, timeout).await,
        Err(e) => (
            TlsObservation {
                elapsed_ms: 0,
                outcome: TlsOutcome::Failed {
                    kind: TlsFailure::Io,
                    message: e.to_string(),
                    chain_pem: Vec::new(),
                    client_cert_requested: false,
                },
            },
            None,
        ),
    }
}

/// The probe's limit, spelled out whenever rustls and the peer share nothing.
const PROBE_LIMIT: &str = "this probe (rustls) speaks only TLS 1.2/1.3 with ECDHE key exchange and AEAD suites, so this is a limit of the probe, not proof that IM&P cannot connect; see the raw ClientHello result";

fn classify_handshake_error(e: &io::Error, capture: &Capture, have_identity: bool) -> (TlsFailure, String) {
    if let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        return classify_rustls_error(tls, capture, have_identity);
    }
    let seen = capture.chain_len() > 0;
    match e.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => (
            TlsFailure::Reset,
            format!("the peer reset the connection during the TLS handshake{}", if seen { " (after sending its certificate)" } else { "" }),
        ),
        io::ErrorKind::UnexpectedEof => (
            TlsFailure::Closed,
            if seen {
                "the peer closed the connection during the TLS handshake, after sending its certificate".to_string()
            } else {
                "the peer closed the connection without answering the ClientHello".to_string()
            },
        ),
        _ => (TlsFailure::Io, format!("TLS handshake failed: {e}")),
    }
}

fn classify_rustls_error(err: &rustls::Error, capture: &Capture, have_identity: bool) -> (TlsFailure, String) {
    use rustls::Error as E;
    let seen = capture.chain_len() > 0;
    let requested = capture.requested.load(Ordering::SeqCst);
    let sent = capture.sent.load(Ordering::SeqCst);
    match err {
        E::AlertReceived(alert) => {
            let name = alert_name(*alert);
            match alert {
                AlertDescription::HandshakeFailure
                | AlertDescription::ProtocolVersion
                | AlertDescription::InsufficientSecurity
                    if !seen =>
                {
                    (
                        TlsFailure::NoCommonParameters,
                        format!(
                            "the peer refused the ClientHello with alert {name}: it offers no version or cipher suite in common; {PROBE_LIMIT}"
                        ),
                    )
                }
                AlertDescription::HandshakeFailure | AlertDescription::CertificateRequired
                    if requested && !sent =>
                {
                    let why = if have_identity {
                        "the configured client certificate could not be used with what it accepts"
                    } else {
                        "no client certificate is configured for this probe"
                    };
                    (
                        TlsFailure::ClientCertRequired,
                        format!(
                            "the peer asked for a client certificate and ended the handshake with alert {name} ({why})"
                        ),
                    )
                }
                AlertDescription::BadCertificate
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateRevoked
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnknownCA
                | AlertDescription::AccessDenied
                    if sent =>
                {
                    (
                        TlsFailure::ClientCertRejected,
                        format!("the peer rejected the client certificate with alert {name}"),
                    )
                }
                _ => (
                    TlsFailure::Alert,
                    format!("the peer ended the TLS handshake with alert {name}"),
                ),
            }
        }
        E::PeerIncompatible(why) => (
            TlsFailure::NoCommonParameters,
            format!("the peer's choices are incompatible with this probe ({why:?}); {PROBE_LIMIT}"),
        ),
        E::InvalidMessage(why) if !seen => (
            TlsFailure::NotTls,
            format!("the peer's answer is not TLS ({why:?})"),
        ),
        E::InvalidMessage(why) => (
            TlsFailure::Io,
            format!("the peer sent a malformed TLS message after its certificate ({why:?})"),
        ),
        E::InvalidCertificate(why) => (
            TlsFailure::BadSignature,
            format!(
                "the peer's handshake signature does not verify against its certificate ({why:?}): it may not hold the certificate's private key, or its key type is unsupported"
            ),
        ),
        E::PeerMisbehaved(why) => (
            TlsFailure::Io,
            format!("the peer broke the TLS protocol ({why:?})"),
        ),
        other => (TlsFailure::Io, format!("TLS handshake failed: {other}")),
    }
}

/// "handshake_failure (40)" style names for alerts.
fn alert_name(alert: AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut snake = String::with_capacity(debug.len() + 4);
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    format!("{snake} ({})", u8::from(alert))
}

/// rustls names TLS 1.3 suites `TLS13_*`; IANA names them `TLS_*`.
fn iana_suite_name(suite: CipherSuite) -> String {
    match suite.as_str() {
        Some(name) => match name.strip_prefix("TLS13_") {
            Some(rest) => format!("TLS_{rest}"),
            None => name.to_string(),
        },
        None => format!("0x{:04x}", u16::from(suite)),
    }
}

/// Per-connection record of what the peer presented and asked.
#[derive(Default)]
struct Capture {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    requested: AtomicBool,
    sent: AtomicBool,
}

impl fmt::Debug for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Capture").field("chain_len", &self.chain_len()).finish_non_exhaustive()
    }
}

impl Capture {
    fn chain(&self) -> std::sync::MutexGuard<'_, Vec<CertificateDer<'static>>> {
        // A poisoned lock still holds a usable Vec.
        self.chain.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn chain_len(&self) -> usize {
        self.chain().len()
    }

    fn chain_pem(&self) -> Vec<String> {
        self.chain().iter().map(|c| crate::certinfo::der_to_pem(c)).collect()
    }

    fn failed(&self, kind: TlsFailure, message: String) -> TlsOutcome {
        TlsOutcome::Failed { kind, message, chain_pem: self.chain_pem(), client_cert_requested: self.requested.load(Ordering::SeqCst) }
    }
}

/// Records the presented chain and accepts it; signatures are still verified.
#[derive(Debug)]
struct CapturingVerifier {
    capture: Arc<Capture>,
    algs: crate::tlskit::Signatures,
}

impl ServerCertVerifier for CapturingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = Vec::with_capacity(1 + intermediates.len());
        chain.push(end_entity.clone().into_owned());
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        *self.capture.chain() = chain;
        Ok(ServerCertVerified::assertion())
    }

    crate::tlskit::signatures!(algs);
}

/// Records that the peer asked for a client certificate and offers the identity.
#[derive(Debug)]
struct RecordingResolver {
    capture: Arc<Capture>,
    identity: Option<Arc<CertifiedKey>>,
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(&self, _root_hint_subjects: &[&[u8]], _sigschemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.capture.requested.store(true, Ordering::SeqCst);
        self.identity.clone()
    }

    /// Always true, so rustls keeps what it needs to sign with a key offered late.
    fn has_certs(&self) -> bool {
        true
    }
}

/// Wraps the identity's key to record that rustls actually chose to sign with it
/// (it only does when a scheme matches what the peer accepts).
#[derive(Debug)]
struct RecordingKey {
    inner: Arc<dyn SigningKey>,
    capture: Arc<Capture>,
}

impl SigningKey for RecordingKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let signer = self.inner.choose_scheme(offered);
        if signer.is_some() {
            self.capture.sent.store(true, Ordering::SeqCst);
        }
        signer
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        self.inner.public_key()
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips_through_the_pki_types_parser() {
        for len in [0usize, 1, 2, 3, 47, 48, 49, 100, 1000] {
            let der: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let pem = crate::certinfo::der_to_pem(&der);
            assert!(pem.lines().all(|l| l.len() <= 64));
            if len > 0 {
                let back = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
                assert_eq!(back.as_ref(), der.as_slice(), "len {len}");
            }
        }
    }

    #[test]
    fn suite_and_alert_names_are_readable() {
        assert_eq!(iana_suite_name(CipherSuite::TLS13_AES_256_GCM_SHA384), "TLS_AES_256_GCM_SHA384");
        assert_eq!(iana_suite_name(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(iana_suite_name(CipherSuite::from(0x7a7a)), "0x7a7a");
        assert_eq!(alert_name(AlertDescription::HandshakeFailure), "handshake_failure (40)");
    }

    #[test]
    fn rustls_errors_map_to_named_failures() {
        let cap = Capture::default();
        let (kind, msg) = classify_rustls_error(&rustls::Error::AlertReceived(AlertDescription::HandshakeFailure), &cap, false);
        assert_eq!(kind, TlsFailure::NoCommonParameters);
        assert!(msg.contains("limit of the probe"), "{msg}");
        let (kind, _) =
            classify_rustls_error(&rustls::Error::PeerIncompatible(rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13), &cap, false);
        assert_eq!(kind, TlsFailure::NoCommonParameters);
        let (kind, _) = classify_rustls_error(&rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType), &cap, false);
        assert_eq!(kind, TlsFailure::NotTls);

        // Once the peer has shown a certificate and asked for ours, a
        // handshake_failure is about the missing client certificate.
        cap.chain().push(CertificateDer::from(vec![0x30, 0x00]));
        cap.requested.store(true, Ordering::SeqCst);
        let (kind, msg) = classify_rustls_error(&rustls::Error::AlertReceived(AlertDescription::HandshakeFailure), &cap, false);
        assert_eq!(kind, TlsFailure::ClientCertRequired);
        assert!(msg.contains("no client certificate is configured"), "{msg}");

        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(classify_handshake_error(&reset, &cap, false).0, TlsFailure::Reset);
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof");
        assert_eq!(classify_handshake_error(&eof, &cap, false).0, TlsFailure::Closed);
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::AlertReceived(AlertDescription::UnknownCA));
        assert_eq!(classify_handshake_error(&wrapped, &cap, false).0, TlsFailure::Alert);
    }

    #[test]
    fn failures_serialize_in_snake_case() {
        let obs = TlsObservation {
            elapsed_ms: 3,
            outcome: TlsOutcome::Failed {
                kind: TlsFailure::NoCommonParameters,
                message: "m".into(),
                chain_pem: vec![],
                client_cert_requested: false,
            },
        };
        let json = serde_json::to_string(&obs).unwrap();
        assert!(json.contains("\"kind\":\"no_common_parameters\""), "{json}");
        assert!(json.contains("\"result\":\"failed\""), "{json}");
        let back: TlsObservation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, obs);
    }

    /// Per-connection configs are clones of the run's base config; run with
    /// `--ignored --nocapture` to see what one costs.
    #[test]
    #[ignore]
    fn per_connection_config_is_cheap() {
        let prober = TlsProber::new(None).unwrap();
        let start = Instant::now();
        for _ in 0..10_000 {
            let cap = Arc::new(Capture::default());
            std::hint::black_box(prober.config_for(&cap));
        }
        eprintln!("per-connection config: {:?} each", start.elapsed() / 10_000);
    }
}
