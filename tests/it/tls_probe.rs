//! TLS path 2 and SIP OPTIONS against real loopback servers: lab listeners with RSA
//! certificates minted at test time, and small hostile peers defined here.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use fedcheck::certinfo::der_to_pem as pem_encode;
use fedcheck::lab::pki::{shared_rsa_key, Ca, Eku, Leaf, LeafSpec};
use fedcheck::lab::tls::{spawn, LabListener, ListenerSpec, Versions};
use fedcheck::probe::sip::options;
use fedcheck::probe::tls::{handshake, ClientIdentity, TlsProber};
use fedcheck::snapshot::sip::{SipFailure, SipOutcome};
use fedcheck::snapshot::tls::{TlsFailure, TlsObservation, TlsOutcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Timeout used for hostile-peer cases; every one must finish well inside `BOUND`.
const SHORT: Duration = Duration::from_millis(500);
const BOUND: Duration = Duration::from_millis(1500);
const OK_TIMEOUT: Duration = Duration::from_secs(5);

struct Pki {
    root: Ca,
    inter: Ca,
    /// fe1.lab.example, issued by the intermediate.
    server: Leaf,
    /// imp-rt.lab.example, issued by the root (IM&P's identity).
    client: Leaf,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let root = Ca::new_root("Lab Root CA").unwrap();
        let inter = root.intermediate("Lab Issuing CA").unwrap();
        let key = shared_rsa_key().unwrap();
        let server = inter.issue_with_key(&LeafSpec::new("fe1.lab.example"), key).unwrap();
        let client = root.issue(&LeafSpec::new("imp-rt.lab.example")).unwrap();
        Pki { root, inter, server, client }
    })
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

fn full_chain(leaf: &Leaf) -> Vec<rustls_pki_types::CertificateDer<'static>> {
    vec![leaf.cert_der.clone(), pki().inter.cert_der()]
}

fn identity() -> ClientIdentity {
    let p = pki();
    ClientIdentity::new(vec![p.client.cert_der.clone()], p.client.private_key()).unwrap()
}

/// The server of a healthy front end: full chain, both versions, asks for a client
/// certificate from the lab root.
async fn good_server(last: u8) -> LabListener {
    let p = pki();
    let mut spec = ListenerSpec::new(full_chain(&p.server), p.server.private_key());
    spec.client_auth = Some(vec![p.root.cert_der()]);
    spec.server_header = "RTCC/7.0.0.0 LabFrontEnd".into();
    spawn(loopback(last), spec).await.unwrap()
}

fn connected(obs: &TlsObservation) -> (String, &str, &[String], bool, bool) {
    match &obs.outcome {
        TlsOutcome::Connected { version, cipher_suite, chain_pem, client_cert_requested, client_cert_sent } => {
            (version.to_string(), cipher_suite, chain_pem, *client_cert_requested, *client_cert_sent)
        }
        other => panic!("expected Connected, got {other:?}"),
    }
}

fn failed(obs: &TlsObservation) -> (TlsFailure, &str) {
    match &obs.outcome {
        TlsOutcome::Failed { kind, message, .. } => (*kind, message),
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn good_server_gives_chain_version_and_mutual_tls() {
    let server = good_server(11).await;
    let id = identity();
    let (obs, stream) = handshake(server.addr, "fe1.lab.example", Some(&id), OK_TIMEOUT).await;
    let (version, suite, chain, requested, sent) = connected(&obs);
    assert_eq!(version, "TLSv1.3");
    assert!(suite.starts_with("TLS_AES_") || suite.starts_with("TLS_CHACHA20"), "{suite}");
    let p = pki();
    assert_eq!(chain, [pem_encode(&p.server.cert_der), p.inter.cert_pem()]);
    assert!(requested && sent);

    // The listener accepted the certificate (checked after a SIP round trip, which
    // only completes once the server has finished the handshake).
    let mut stream = stream.unwrap();
    let sip = options(&mut stream, "fe1.lab.example", server.addr.port(), "127.0.0.1", OK_TIMEOUT, 65536).await;
    assert!(matches!(sip.outcome, SipOutcome::Response { status: 200, .. }), "{sip:?}");
    let stats = server.stats();
    assert_eq!((stats.handshakes, stats.client_certs), (1, 1));
}

#[tokio::test]
async fn without_an_identity_the_request_is_seen_but_nothing_is_sent() {
    let server = good_server(12).await;
    let (obs, _stream) = handshake(server.addr, "fe1.lab.example", None, OK_TIMEOUT).await;
    let (_, _, chain, requested, sent) = connected(&obs);
    assert_eq!(chain.len(), 2);
    assert!(requested);
    assert!(!sent);
}

#[tokio::test]
async fn a_server_that_does_not_ask_is_recorded_as_such() {
    let p = pki();
    let spec = ListenerSpec::new(full_chain(&p.server), p.server.private_key());
    let server = spawn(loopback(13), spec).await.unwrap();
    let id = identity();
    let (obs, _stream) = handshake(server.addr, "fe1.lab.example", Some(&id), OK_TIMEOUT).await;
    let (_, _, _, requested, sent) = connected(&obs);
    assert!(!requested);
    assert!(!sent);
}

#[tokio::test]
async fn tls12_only_server_negotiates_an_ecdhe_suite_and_mutual_tls() {
    let p = pki();
    let mut spec = ListenerSpec::new(full_chain(&p.server), p.server.private_key());
    spec.versions = Versions::Tls12Only;
    spec.client_auth = Some(vec![p.root.cert_der()]);
    let server = spawn(loopback(14), spec).await.unwrap();
    let id = identity();
    let (obs, stream) = handshake(server.addr, "fe1.lab.example", Some(&id), OK_TIMEOUT).await;
    let (version, suite, _, requested, sent) = connected(&obs);
    assert_eq!(version, "TLSv1.2");
    assert!(suite.starts_with("TLS_ECDHE_RSA_WITH_"), "{suite}");
    assert!(requested && sent);
    let mut stream = stream.unwrap();
    let sip = options(&mut stream, "fe1.lab.example", server.addr.port(), "127.0.0.1", OK_TIMEOUT, 65536).await;
    assert!(matches!(sip.outcome, SipOutcome::Response { status: 200, .. }), "{sip:?}");
    assert_eq!(server.stats().client_certs, 1);
}

#[tokio::test]
async fn a_missing_intermediate_shows_as_a_one_certificate_chain() {
    let p = pki();
    let spec = ListenerSpec::new(vec![p.server.cert_der.clone()], p.server.private_key());
    let server = spawn(loopback(15), spec).await.unwrap();
    let (obs, _) = handshake(server.addr, "fe1.lab.example", None, OK_TIMEOUT).await;
    let (_, _, chain, _, _) = connected(&obs);
    assert_eq!(chain, [pem_encode(&p.server.cert_der)]);
}

#[tokio::test]
async fn expired_and_wrong_name_certificates_are_captured_not_judged() {
    let p = pki();
    let key = shared_rsa_key().unwrap();
    let expired = p.inter.issue_with_key(&LeafSpec::new("fe1.lab.example").expired(10), key).unwrap();
    let mut wrong = LeafSpec::new("other.lab.example");
    wrong.eku = Eku::ServerOnly;
    let wrong = p.inter.issue_with_key(&wrong, key).unwrap();
    let self_signed = fedcheck::lab::pki::self_signed_with_key(&LeafSpec::new("fe1.lab.example"), key).unwrap();

    for (i, leaf) in [expired, wrong, self_signed].into_iter().enumerate() {
        let spec = ListenerSpec::new(vec![leaf.cert_der.clone()], leaf.private_key());
        let server = spawn(loopback(16 + i as u8), spec).await.unwrap();
        let (obs, _) = handshake(server.addr, "fe1.lab.example", None, OK_TIMEOUT).await;
        let (_, _, chain, _, _) = connected(&obs);
        assert_eq!(chain, std::slice::from_ref(&leaf.cert_pem), "case {i}");
    }
}

#[tokio::test]
async fn sip_options_over_the_handshake_stream() {
    let server = good_server(20).await;
    let prober = TlsProber::new(Some(&identity())).unwrap();
    let (obs, stream) = prober.handshake(server.addr, "127.0.0.20", OK_TIMEOUT).await;
    connected(&obs);
    let mut stream = stream.unwrap();
    for round in 0..2 {
        let sip = options(&mut stream, "fe1.lab.example", 5061, "127.0.0.1", OK_TIMEOUT, 65536).await;
        match sip.outcome {
            SipOutcome::Response { status, reason, server: header, allow } => {
                assert_eq!((status, reason.as_str()), (200, "OK"), "round {round}");
                assert_eq!(header.as_deref(), Some("RTCC/7.0.0.0 LabFrontEnd"));
                assert_eq!(allow, ["INVITE", "ACK", "CANCEL", "OPTIONS", "BYE", "MESSAGE", "INFO", "SUBSCRIBE", "NOTIFY"]);
            }
            other => panic!("round {round}: {other:?}"),
        }
    }
    assert_eq!(server.stats().sip_requests, 2);
}

#[tokio::test]
async fn a_tls_peer_that_never_answers_sip_times_out() {
    let p = pki();
    let mut spec = ListenerSpec::new(full_chain(&p.server), p.server.private_key());
    spec.sip = false;
    let server = spawn(loopback(21), spec).await.unwrap();
    let (obs, stream) = handshake(server.addr, "fe1.lab.example", None, OK_TIMEOUT).await;
    connected(&obs);
    let mut stream = stream.unwrap();
    let start = Instant::now();
    let sip = options(&mut stream, "fe1.lab.example", 5061, "127.0.0.1", SHORT, 65536).await;
    assert!(start.elapsed() < BOUND, "{:?}", start.elapsed());
    match sip.outcome {
        SipOutcome::Failed { kind, message } => {
            assert_eq!(kind, SipFailure::Timeout, "{message}");
            assert!(message.contains("no SIP response within 500 ms"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn many_concurrent_handshakes_are_served() {
    let server = good_server(22).await;
    let prober = Arc::new(TlsProber::new(Some(&identity())).unwrap());
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let prober = prober.clone();
        let addr = server.addr;
        tasks.push(tokio::spawn(async move {
            let (obs, _) = prober.handshake(addr, "fe1.lab.example", OK_TIMEOUT).await;
            obs
        }));
    }
    for task in tasks {
        let obs = task.await.unwrap();
        let (_, _, chain, requested, sent) = connected(&obs);
        assert_eq!(chain.len(), 2);
        assert!(requested && sent);
    }
}

// ---- hostile peers -------------------------------------------------------------

#[derive(Clone, Copy)]
enum Hostile {
    /// Accepts and never says a word.
    Silent,
    /// Reads the ClientHello, then resets the connection.
    Reset,
    /// Answers the ClientHello with an HTTP error.
    Garbage,
    /// Half-closes at once (FIN) and keeps draining, so the client sees a clean EOF.
    Close,
    /// Answers with a fatal handshake_failure alert, like a server that shares no
    /// cipher suite or version with the client.
    HandshakeFailureAlert,
}

async fn hostile(last: u8, behaviour: Hostile) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind((loopback(last), 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let Ok((mut tcp, _)) = listener.accept().await else {
            return;
        };
        let mut buf = vec![0u8; 4096];
        match behaviour {
            Hostile::Silent => {
                while let Ok(n) = tcp.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            }
            Hostile::Reset => {
                let _ = tcp.read(&mut buf).await;
                tcp.set_zero_linger().unwrap();
                drop(tcp);
            }
            Hostile::Garbage => {
                let _ = tcp.read(&mut buf).await;
                let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
                while let Ok(n) = tcp.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            }
            Hostile::Close => {
                let _ = tcp.shutdown().await;
                while let Ok(n) = tcp.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            }
            Hostile::HandshakeFailureAlert => {
                let _ = tcp.read(&mut buf).await;
                // Alert record: type 21, TLS 1.2, length 2, fatal (2), handshake_failure (40).
                let _ = tcp.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]).await;
                let _ = tcp.read(&mut buf).await;
            }
        }
    });
    (addr, task)
}

async fn probe_hostile(addr: SocketAddr) -> TlsObservation {
    let start = Instant::now();
    let (obs, stream) = handshake(addr, "fe1.lab.example", Some(&identity()), SHORT).await;
    assert!(start.elapsed() < BOUND, "took {:?}", start.elapsed());
    assert!(stream.is_none());
    obs
}

#[tokio::test]
async fn closed_port_is_connect_refused() {
    let addr = {
        let l = std::net::TcpListener::bind((loopback(30), 0)).unwrap();
        l.local_addr().unwrap()
    };
    let obs = probe_hostile(addr).await;
    let (kind, message) = failed(&obs);
    assert_eq!(kind, TlsFailure::ConnectRefused, "{message}");
}

#[tokio::test]
async fn silent_peer_is_a_handshake_timeout() {
    let (addr, _task) = hostile(31, Hostile::Silent).await;
    let obs = probe_hostile(addr).await;
    let (kind, message) = failed(&obs);
    assert_eq!(kind, TlsFailure::HandshakeTimeout, "{message}");
    assert!(message.contains("did not answer the ClientHello"), "{message}");
    assert!(obs.elapsed_ms >= 400, "{}", obs.elapsed_ms);
}

#[tokio::test]
async fn resetting_peer_is_a_reset() {
    let (addr, _task) = hostile(32, Hostile::Reset).await;
    let obs = probe_hostile(addr).await;
    let (kind, message) = failed(&obs);
    assert_eq!(kind, TlsFailure::Reset, "{message}");
}

#[tokio::test]
async fn garbage_is_not_tls() {
    let (addr, _task) = hostile(33, Hostile::Garbage).await;
    let obs = probe_hostile(addr).await;
    let (kind, message) = failed(&obs);
    assert_eq!(kind, TlsFailure::NotTls, "{message}");
    assert!(message.contains("not TLS"), "{message}");
}

#[tokio::test]
async fn immediate_close_is_closed() {
    let (addr, _task) = hostile(34, Hostile::Close).await;
    let obs = probe_hostile(addr).await;
    let (kind, message) = failed(&obs);
    assert_eq!(kind, TlsFailure::Closed, "{message}");
}

#[tokio::test]
async fn handshake_failure_before_any_certificate_is_a_probe_limit() {
    let (addr, _task) = hostile(35, Hostile::HandshakeFailureAlert).await;
    let obs = probe_hostile(addr).await;
    let (kind, message) = failed(&obs);
    assert_eq!(kind, TlsFailure::NoCommonParameters, "{message}");
    assert!(message.contains("limit of the probe"), "{message}");
}

/// A server whose certificate does not match the key it signs with: the capturing
/// verifier accepts the chain, but the handshake signature check still fails.
#[tokio::test]
async fn a_peer_without_the_certificate_key_fails_the_signature_check() {
    use rustls::server::{ClientHello, ResolvesServerCert};
    use rustls::sign::CertifiedKey;

    #[derive(Debug)]
    struct Mismatched(Arc<CertifiedKey>);
    impl ResolvesServerCert for Mismatched {
        fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
    }

    let p = pki();
    let provider = fedcheck::tlskit::provider();
    // The server certificate, but the (different) key of the client leaf.
    let wrong_key = provider.key_provider.load_private_key(p.client.private_key()).unwrap();
    let certified = Arc::new(CertifiedKey::new(full_chain(&p.server), wrong_key));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Mismatched(certified)));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind((loopback(36), 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _task = tokio::spawn(async move {
        if let Ok((tcp, _)) = listener.accept().await {
            let _ = acceptor.accept(tcp).await;
        }
    });

    let obs = probe_hostile(addr).await;
    match &obs.outcome {
        TlsOutcome::Failed { kind, message, chain_pem, .. } => {
            assert_eq!(*kind, TlsFailure::BadSignature, "{message}");
            // The chain was still captured for the certificate checks.
            assert_eq!(chain_pem.len(), 2);
        }
        other => panic!("{other:?}"),
    }
}

// ---- client identity files -------------------------------------------------------

#[test]
fn identity_files_load_and_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let p = pki();
    let cert = dir.path().join("imp.pem");
    let key = dir.path().join("imp.key");
    std::fs::write(&cert, &p.client.cert_pem).unwrap();
    std::fs::write(&key, &p.client.key_pem).unwrap();
    let id = ClientIdentity::from_pem_files(&cert, &key).unwrap();
    assert_eq!(id.chain().len(), 1);

    // One file holding certificate and key, and a DER certificate, work too.
    let combined = dir.path().join("combined.pem");
    std::fs::write(&combined, format!("{}{}", p.client.key_pem, p.client.cert_pem)).unwrap();
    assert_eq!(ClientIdentity::from_pem_files(&combined, &combined).unwrap().chain().len(), 1);
    let der = dir.path().join("imp.der");
    std::fs::write(&der, p.client.cert_der.as_ref()).unwrap();
    ClientIdentity::from_pem_files(&der, &key).unwrap();

    // What the inventory loader accepts, the probe identity accepts too: an OpenSSL
    // `X509 CERTIFICATE` label, RFC 1421 header lines, CRLF and text around the block.
    let body = p.client.cert_pem.replace("-----BEGIN CERTIFICATE-----\n", "").replace("-----END CERTIFICATE-----\n", "");
    let old_style = format!(
        "subject=CN=imp\r\n-----BEGIN X509 CERTIFICATE-----\r\nProc-Type: 4,ENC\r\n{}-----END X509 CERTIFICATE-----\r\n",
        body.replace('\n', "\r\n")
    );
    let x509 = dir.path().join("x509.pem");
    std::fs::write(&x509, &old_style).unwrap();
    assert_eq!(fedcheck::certinfo::pem_to_ders(&old_style).unwrap().len(), 1, "the inventory reads it");
    assert_eq!(ClientIdentity::from_pem_files(&x509, &key).unwrap().chain().len(), 1, "so does the probe");

    let missing = dir.path().join("nope.pem");
    let err = ClientIdentity::from_pem_files(&missing, &key).unwrap_err().to_string();
    assert!(err.contains("cannot read the client certificate") && err.contains("nope.pem"), "{err}");

    let garbled = dir.path().join("garbled.pem");
    std::fs::write(&garbled, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n").unwrap();
    let err = ClientIdentity::from_pem_files(&garbled, &key).unwrap_err().to_string();
    assert!(err.contains("garbled PEM"), "{err}");

    let text = dir.path().join("text.pem");
    std::fs::write(&text, "hello").unwrap();
    assert!(ClientIdentity::from_pem_files(&text, &key).is_err());

    // A key file holding only a certificate.
    let err = ClientIdentity::from_pem_files(&cert, &cert).unwrap_err().to_string();
    assert!(err.contains("no private key block"), "{err}");

    // The server's key with the client's certificate.
    let other_key = dir.path().join("other.key");
    std::fs::write(&other_key, &p.server.key_pem).unwrap();
    let err = ClientIdentity::from_pem_files(&cert, &other_key).unwrap_err().to_string();
    assert!(err.contains("does not match"), "{err}");
}

/// A server that trusts another CA rejects IM&P's certificate: during the handshake
/// with TLS 1.2, right after it (on the first read) with TLS 1.3.
#[tokio::test]
async fn a_client_certificate_from_an_untrusted_ca_is_rejected_by_name() {
    let p = pki();
    let stranger = Ca::new_root("Some Other Root").unwrap();
    let id = identity();

    let mut spec = ListenerSpec::new(full_chain(&p.server), p.server.private_key());
    spec.versions = Versions::Tls12Only;
    spec.client_auth = Some(vec![stranger.cert_der()]);
    let tls12 = spawn(loopback(40), spec).await.unwrap();
    let (obs, _) = handshake(tls12.addr, "fe1.lab.example", Some(&id), SHORT).await;
    let (kind, message) = failed(&obs);
    assert_eq!(kind, TlsFailure::ClientCertRejected, "{message}");
    assert!(message.contains("rejected the client certificate"), "{message}");
    assert!(matches!(obs.outcome, TlsOutcome::Failed { client_cert_requested: true, .. }));

    let mut spec = ListenerSpec::new(full_chain(&p.server), p.server.private_key());
    spec.versions = Versions::Tls13Only;
    spec.client_auth = Some(vec![stranger.cert_der()]);
    let tls13 = spawn(loopback(41), spec).await.unwrap();
    let (obs, stream) = handshake(tls13.addr, "fe1.lab.example", Some(&id), SHORT).await;
    let (version, _, _, requested, sent) = connected(&obs);
    assert_eq!(version, "TLSv1.3");
    assert!(requested && sent);
    let mut stream = stream.unwrap();
    let sip = options(&mut stream, "fe1.lab.example", 5061, "127.0.0.1", SHORT, 65536).await;
    match sip.outcome {
        SipOutcome::Failed { kind, message } => {
            assert_eq!(kind, SipFailure::ClientCertRejected, "{message}");
            assert!(message.contains("alert UnknownCA"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(tls13.stats().client_certs, 0);
}
