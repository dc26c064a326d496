//! TLS path 1 against real peers on loopback: rustls servers (TLS 1.2 with and without
//! client authentication, TLS 1.3 only) and every hostile behaviour. Each case checks
//! the named outcome and that the probe kept to its timeout.

use fedcheck::lab::hostile::{self, Behaviour, PeerOptions};
use fedcheck::probe::tls_raw::{probe, DEFAULT_MAX_BYTES};
use fedcheck::snapshot::raw::{RawError, RawHandshake, RawObservation, RawOutcome, TimeoutStage};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const FQDN: &str = "lyncpool.corp.example.test";
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Short, as hostile cases must be; the margin covers a loaded 2-core machine.
const HOSTILE_TIMEOUT: Duration = Duration::from_millis(500);
const MARGIN: Duration = Duration::from_millis(1000);

struct Pki {
    ca: CertificateDer<'static>,
    leaf: CertificateDer<'static>,
    leaf_key: Vec<u8>,
}

/// One RSA-2048 CA and leaf for the whole test binary: RSA key generation is slow in
/// debug builds.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
            PKCS_RSA_SHA256,
        };
        let now = time::OffsetDateTime::now_utc();
        let ca_key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.distinguished_name.push(DnType::CommonName, "fedcheck path-1 test root");
        ca_params.distinguished_name.push(DnType::OrganizationName, "fedcheck tests");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params.not_before = now - time::Duration::days(1);
        ca_params.not_after = now + time::Duration::days(365);
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();

        let leaf_key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
        let mut leaf_params = CertificateParams::new(vec![FQDN.to_string()]).unwrap();
        leaf_params.distinguished_name.push(DnType::CommonName, FQDN);
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        leaf_params.not_before = now - time::Duration::days(1);
        leaf_params.not_after = now + time::Duration::days(90);
        let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
        Pki { ca: ca.der().clone(), leaf: leaf.der().clone(), leaf_key: leaf_key.serialize_der() }
    })
}

fn ca_subject_text() -> String {
    let (_, ca) = x509_parser::parse_x509_certificate(&pki().ca).unwrap();
    ca.subject().to_string()
}

/// A minimal rustls listener for these tests (the shared lab server will replace it).
struct RustlsServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RustlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn rustls_server(versions: &[&'static rustls::SupportedProtocolVersion], client_auth: bool) -> RustlsServer {
    let pki = pki();
    let provider = fedcheck::tlskit::provider();
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone()).with_protocol_versions(versions).unwrap();
    let builder = if client_auth {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca.clone()).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.leaf_key.clone()));
    let config = builder.with_single_cert(vec![pki.leaf.clone(), pki.ca.clone()], key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            // Path 1 walks away after ServerHelloDone, so these handshakes fail.
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    RustlsServer { addr, task }
}

fn handshake(obs: &RawObservation) -> &RawHandshake {
    match &obs.outcome {
        RawOutcome::Handshake(h) => h,
        RawOutcome::Failed(e) => panic!("expected a handshake, got: {e}"),
    }
}

fn failure(obs: &RawObservation) -> &RawError {
    match &obs.outcome {
        RawOutcome::Failed(e) => e,
        RawOutcome::Handshake(h) => panic!("expected a failure, got {h:?}"),
    }
}

fn chain_der(h: &RawHandshake) -> Vec<Vec<u8>> {
    h.chain_pem.iter().map(|pem| CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec()).collect()
}

#[tokio::test]
async fn rustls_tls12_with_client_auth() {
    let server = rustls_server(&[&rustls::version::TLS12], true).await;
    let obs = probe(server.addr, Some(FQDN), Duration::from_secs(5), DEFAULT_MAX_BYTES).await;
    let h = handshake(&obs);
    assert_eq!(h.version.to_string(), "TLSv1.2");
    assert_eq!(h.version.code(), 0x0303);
    assert!(h.cipher_suite.starts_with("TLS_ECDHE_RSA_WITH_AES_"), "{}", h.cipher_suite);
    assert_eq!(chain_der(h), vec![pki().leaf.to_vec(), pki().ca.to_vec()], "leaf first, then the CA");
    assert!(h.client_cert_requested);
    assert!(h.acceptable_ca_names.contains(&ca_subject_text()), "{:?} lacks {}", h.acceptable_ca_names, ca_subject_text());
    assert!(h.complete);
    assert!(obs.partial.is_none());
    assert!(obs.elapsed_ms < 5000);
}

#[tokio::test]
async fn rustls_tls12_without_client_auth() {
    let server = rustls_server(&[&rustls::version::TLS12], false).await;
    let obs = probe(server.addr, Some(FQDN), Duration::from_secs(5), DEFAULT_MAX_BYTES).await;
    let h = handshake(&obs);
    assert_eq!(h.version.to_string(), "TLSv1.2");
    assert!(h.cipher_suite.starts_with("TLS_ECDHE_RSA_WITH_AES_"));
    assert_eq!(chain_der(h).first(), Some(&pki().leaf.to_vec()));
    assert!(!h.client_cert_requested);
    assert!(h.acceptable_ca_names.is_empty());
    assert!(h.complete);
}

#[tokio::test]
async fn rustls_tls13_only_refuses_with_protocol_version() {
    let server = rustls_server(&[&rustls::version::TLS13], true).await;
    let obs = probe(server.addr, Some(FQDN), Duration::from_secs(5), DEFAULT_MAX_BYTES).await;
    let e = failure(&obs);
    assert_eq!(e, &RawError::Alert { level: "fatal".into(), code: 70, name: "protocol_version".into() });
    assert_eq!(e.to_string(), "TLS alert: protocol_version (70)");
}

#[tokio::test]
async fn tls10_legacy_peer_is_read_from_hand_written_bytes() {
    let chain = vec![pki().leaf.to_vec(), pki().ca.to_vec()];
    let peer = hostile::spawn(LOOPBACK, Behaviour::Tls10Legacy { chain_der: chain.clone(), request_client_cert: true }).await.unwrap();
    let obs = probe(peer.addr, Some(FQDN), Duration::from_secs(5), DEFAULT_MAX_BYTES).await;
    let h = handshake(&obs);
    assert_eq!(h.version.to_string(), "TLSv1.0");
    assert_eq!(h.version.code(), 0x0301);
    assert_eq!(h.cipher_suite, "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(h.cipher_code, 0x002f);
    assert_eq!(chain_der(h), chain);
    assert!(h.client_cert_requested);
    assert_eq!(h.acceptable_ca_names, vec![ca_subject_text()]);
    assert!(h.complete);

    // The same peer without the request; it serves many connections.
    let peer = hostile::spawn(LOOPBACK, Behaviour::Tls10Legacy { chain_der: chain.clone(), request_client_cert: false }).await.unwrap();
    for _ in 0..3 {
        let obs = probe(peer.addr, None, Duration::from_secs(5), DEFAULT_MAX_BYTES).await;
        let h = handshake(&obs);
        assert!(!h.client_cert_requested);
        assert_eq!(chain_der(h), chain);
    }
}

/// Probes a hostile peer with the short timeout and checks the time it took.
async fn against(behaviour: Behaviour, options: PeerOptions) -> RawObservation {
    let peer = hostile::spawn_with(LOOPBACK, behaviour.clone(), options).await.unwrap();
    let started = Instant::now();
    let obs = probe(peer.addr, Some(FQDN), HOSTILE_TIMEOUT, DEFAULT_MAX_BYTES).await;
    let took = started.elapsed();
    assert!(took < HOSTILE_TIMEOUT + MARGIN, "{behaviour:?}: probe took {took:?}");
    assert!(obs.elapsed_ms <= u64::try_from(took.as_millis()).unwrap());
    obs
}

#[tokio::test]
async fn silent_peer_times_out() {
    let obs = against(Behaviour::Silent, PeerOptions::default()).await;
    let e = failure(&obs);
    assert_eq!(e, &RawError::Timeout { stage: TimeoutStage::AwaitingServerHello, after_bytes: 0, timeout_ms: 500 });
    assert_eq!(e.to_string(), "no answer within 500 ms after ClientHello");
    assert!(obs.elapsed_ms >= 500);
}

#[tokio::test]
async fn dripping_peer_times_out_with_bytes_counted() {
    let options = PeerOptions { drip_interval: Duration::from_millis(100) };
    let obs = against(Behaviour::Drip, options).await;
    match failure(&obs) {
        RawError::Timeout { stage: TimeoutStage::AwaitingServerHello, after_bytes, timeout_ms: 500 } => {
            assert!((1..=10).contains(after_bytes), "{after_bytes} bytes")
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn garbage_is_not_tls() {
    let obs = against(Behaviour::Garbage, PeerOptions::default()).await;
    match failure(&obs) {
        RawError::NotTls { first_bytes, looks_like, .. } => {
            assert!(first_bytes.starts_with("00 13 37 de ad be ef"), "{first_bytes}");
            assert_eq!(looks_like, &None);
        }
        other => panic!("expected NotTls, got {other:?}"),
    }
}

#[tokio::test]
async fn reset_is_named() {
    let obs = against(Behaviour::Reset, PeerOptions::default()).await;
    let e = failure(&obs);
    assert_eq!(e, &RawError::Reset { after_bytes: 0 });
    assert_eq!(e.to_string(), "connection reset by peer after 0 bytes");
}

#[tokio::test]
async fn huge_certificate_hits_the_cap() {
    let obs = against(Behaviour::HugeCertificate, PeerOptions::default()).await;
    let e = failure(&obs);
    assert_eq!(e, &RawError::TooLarge { what: "Certificate message".into(), size: 1 << 20, cap: DEFAULT_MAX_BYTES as u64 });
    // What came before the oversized message is kept.
    let partial = obs.partial.as_ref().unwrap();
    assert_eq!(partial.version.to_string(), "TLSv1.2");
    assert_eq!(partial.cipher_suite, "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert!(!partial.complete);
}

#[tokio::test]
async fn http_server_is_named() {
    let obs = against(Behaviour::Http, PeerOptions::default()).await;
    let e = failure(&obs);
    assert!(matches!(e, RawError::NotTls { looks_like: Some(k), .. } if k == "HTTP"));
    assert_eq!(e.to_string(), "not TLS: looks like HTTP (\"HTTP/1.1 400 Bad\")");
}

#[tokio::test]
async fn alert_is_named() {
    let obs = against(Behaviour::Alert, PeerOptions::default()).await;
    let e = failure(&obs);
    assert_eq!(e.to_string(), "TLS alert: handshake_failure (40)");
    assert!(matches!(e, RawError::Alert { code: 40, .. }));
}

#[tokio::test]
async fn half_close_is_closed() {
    let obs = against(Behaviour::HalfClose, PeerOptions::default()).await;
    let e = failure(&obs);
    assert_eq!(e, &RawError::Closed { after_bytes: 20 });
    assert_eq!(e.to_string(), "peer closed the connection after 20 bytes, before ServerHelloDone");
    assert!(obs.partial.is_none());
}

#[tokio::test]
async fn closed_port_is_refused_and_dropped_peers_stop_listening() {
    let peer = hostile::spawn(LOOPBACK, Behaviour::Silent).await.unwrap();
    let addr = peer.addr;
    drop(peer);
    // Dropping aborts the listener task; give the runtime a moment to run the abort.
    let mut last = None;
    for _ in 0..50 {
        let obs = probe(addr, None, HOSTILE_TIMEOUT, DEFAULT_MAX_BYTES).await;
        if matches!(obs.outcome, RawOutcome::Failed(RawError::ConnectRefused)) {
            last = Some(obs);
            break;
        }
        tokio::task::yield_now().await;
    }
    let obs = last.expect("the dropped peer's port refuses connections");
    assert_eq!(failure(&obs).to_string(), "connection refused (nothing listens on the port)");
}

#[tokio::test]
async fn hostile_peers_refuse_non_loopback_binds() {
    let err = hostile::spawn("0.0.0.0".parse().unwrap(), Behaviour::Silent).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn connect_that_never_completes_times_out() {
    // A listener that never accepts, with its accept queue filled: Linux then drops
    // further SYNs, so the probe's connect hangs until the timeout.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((LOOPBACK, 0).into()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await {
            fillers.push(s);
        }
    }
    let started = Instant::now();
    let obs = probe(addr, None, Duration::from_millis(300), DEFAULT_MAX_BYTES).await;
    assert!(started.elapsed() < Duration::from_millis(300) + MARGIN);
    let e = failure(&obs);
    assert_eq!(e, &RawError::ConnectTimeout { timeout_ms: 300 });
    assert_eq!(e.to_string(), "no TCP connection within 300 ms");
    drop(listener);
}
