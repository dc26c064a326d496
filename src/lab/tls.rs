//! A TLS listener that answers SIP OPTIONS: a stand-in for a Lync/SfB front end or an
//! IM&P routing node, for the demo lab and the tests. What it sends (chain, versions,
//! whether it asks for a client certificate) is set per listener so faults can be
//! planted: leave the intermediate out of `chain`, serve an expired leaf, and so on.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{DistinguishedName, RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::wire::sip::{find_head_end, parse_head, random_token};

/// Largest SIP request head (and body) the responder reads.
const SIP_CAP: usize = 64 * 1024;
/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);
/// An idle connection is closed after this long.
const IDLE_LIMIT: Duration = Duration::from_secs(120);

/// The methods a Lync front end lists in `Allow`.
const ALLOW: &str = "INVITE, ACK, CANCEL, OPTIONS, BYE, MESSAGE, INFO, SUBSCRIBE, NOTIFY";

/// Which TLS versions the listener accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// TLS 1.2 only.
    Tls12Only,
    /// TLS 1.3 only.
    Tls13Only,
    /// TLS 1.2 and 1.3.
    Both,
}

/// How a listener presents itself.
#[derive(Debug)]
pub struct ListenerSpec {
    /// Sent as is, leaf first. Omit the intermediate to plant "intermediate not sent".
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
    /// `Some(roots)` = ask for a client certificate (optional), accepting chains to
    /// these roots; `Some(vec![])` = ask and accept any certificate; `None` = never ask.
    pub client_auth: Option<Vec<CertificateDer<'static>>>,
    /// Refuse a client that presents no certificate (as a front end enforcing mutual
    /// TLS does); only with `client_auth: Some(roots)` with roots.
    pub require_client_cert: bool,
    /// The TLS versions accepted.
    pub versions: Versions,
    /// Answer SIP OPTIONS; when false the connection is held open and never answered.
    pub sip: bool,
    /// Value of the `Server:` header in SIP responses.
    pub server_header: String,
}

impl ListenerSpec {
    /// TLS 1.2 and 1.3, no client-certificate request, answers SIP.
    pub fn new(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> ListenerSpec {
        ListenerSpec {
            chain,
            key,
            client_auth: None,
            require_client_cert: false,
            versions: Versions::Both,
            sip: true,
            server_header: "RTCC/7.0.0.0 fedcheck-lab".to_string(),
        }
    }
}

/// What a listener has seen so far (for tests and the demo's log).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListenerStats {
    /// TCP connections accepted.
    pub accepted: usize,
    /// TLS handshakes completed.
    pub handshakes: usize,
    /// Handshakes in which the client presented a certificate the listener accepted.
    pub client_certs: usize,
    /// SIP requests answered.
    pub sip_requests: usize,
}

#[derive(Default)]
struct Counters {
    accepted: AtomicUsize,
    handshakes: AtomicUsize,
    client_certs: AtomicUsize,
    sip_requests: AtomicUsize,
}

/// A running listener; it stops (with all its connections) when dropped.
#[derive(Debug)]
pub struct LabListener {
    /// Where it listens (loopback).
    pub addr: SocketAddr,
    counters: Arc<Counters>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Counters")
    }
}

impl LabListener {
    /// What the listener has seen so far.
    pub fn stats(&self) -> ListenerStats {
        ListenerStats {
            accepted: self.counters.accepted.load(Ordering::Relaxed),
            handshakes: self.counters.handshakes.load(Ordering::Relaxed),
            client_certs: self.counters.client_certs.load(Ordering::Relaxed),
            sip_requests: self.counters.sip_requests.load(Ordering::Relaxed),
        }
    }
}

impl Drop for LabListener {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection.
        self.task.abort();
    }
}

/// Starts a listener on `bind` (a loopback address) with an OS-chosen port.
pub async fn spawn(bind: IpAddr, spec: ListenerSpec) -> io::Result<LabListener> {
    spawn_on(SocketAddr::new(bind, 0), spec).await
}

/// Starts a listener on a fixed loopback address and port (the demo's inventory
/// names fixed ports).
pub async fn spawn_on(addr: SocketAddr, spec: ListenerSpec) -> io::Result<LabListener> {
    if !addr.ip().is_loopback() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("lab listeners bind to loopback only, not {}", addr.ip())));
    }
    let config = server_config(&spec)?;
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let shared =
        Arc::new(Responder { sip: spec.sip, server_header: spec.server_header.replace(['\r', '\n'], " "), counters: counters.clone() });
    let task = tokio::spawn(accept_loop(listener, acceptor, shared));
    Ok(LabListener { addr, counters, task })
}

fn server_config(spec: &ListenerSpec) -> io::Result<ServerConfig> {
    let provider = crate::tlskit::provider();
    let versions: &[&'static rustls::SupportedProtocolVersion] = match spec.versions {
        Versions::Tls12Only => &[&rustls::version::TLS12],
        Versions::Tls13Only => &[&rustls::version::TLS13],
        Versions::Both => &[&rustls::version::TLS12, &rustls::version::TLS13],
    };
    let builder = ServerConfig::builder_with_provider(provider.clone()).with_protocol_versions(versions).map_err(io::Error::other)?;
    let builder = match &spec.client_auth {
        None => builder.with_no_client_auth(),
        Some(roots) if roots.is_empty() => {
            builder.with_client_cert_verifier(Arc::new(AnyClientCert { algs: crate::tlskit::Signatures::default() }))
        }
        Some(roots) => {
            let mut store = RootCertStore::empty();
            for root in roots {
                store.add(root.clone()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            }
            let mut verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider);
            if !spec.require_client_cert {
                verifier = verifier.allow_unauthenticated();
            }
            let verifier = verifier.build().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    builder.with_single_cert(spec.chain.clone(), spec.key.clone_key()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// Asks for a client certificate and accepts any, still checking that the client
/// holds its key.
#[derive(Debug)]
struct AnyClientCert {
    algs: crate::tlskit::Signatures,
}

impl ClientCertVerifier for AnyClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    crate::tlskit::signatures!(algs);
}

struct Responder {
    sip: bool,
    server_header: String,
    counters: Arc<Counters>,
}

async fn accept_loop(listener: TcpListener, acceptor: TlsAcceptor, shared: Arc<Responder>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    shared.counters.accepted.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(serve(acceptor.clone(), tcp, shared.clone()));
                }
                // Out of descriptors or similar: back off briefly instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            // Reap finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(acceptor: TlsAcceptor, tcp: TcpStream, shared: Arc<Responder>) {
    let _ = tcp.set_nodelay(true);
    let mut tls = match tokio::time::timeout(HANDSHAKE_LIMIT, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        _ => return,
    };
    shared.counters.handshakes.fetch_add(1, Ordering::Relaxed);
    if tls.get_ref().1.peer_certificates().is_some_and(|certs| !certs.is_empty()) {
        shared.counters.client_certs.fetch_add(1, Ordering::Relaxed);
    }
    if shared.sip {
        answer_sip(&mut tls, &shared).await;
    } else {
        hold_silently(&mut tls).await;
    }
    let _ = tls.shutdown().await;
}

/// Reads and discards whatever arrives, never answering (a peer that speaks TLS but
/// not SIP).
async fn hold_silently<S: AsyncRead + Unpin>(stream: &mut S) {
    let mut buf = [0u8; 4096];
    while let Ok(Ok(n)) = tokio::time::timeout(IDLE_LIMIT, stream.read(&mut buf)).await {
        if n == 0 {
            break;
        }
    }
}

/// Serves SIP requests on one connection until the peer closes, goes idle or sends
/// something that is not SIP.
async fn answer_sip<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, shared: &Responder) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 8192];
    loop {
        let leading = buf.iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
        buf.drain(..leading);
        let Some((head_len, total)) = find_head_end(&buf) else {
            if buf.len() > SIP_CAP {
                let _ = stream.write_all(b"SIP/2.0 513 Message Too Large\r\nContent-Length: 0\r\n\r\n").await;
                return;
            }
            match tokio::time::timeout(IDLE_LIMIT, stream.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => {
                    buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
                    continue;
                }
                _ => return,
            }
        };
        let head = buf.get(..head_len).unwrap_or(&[]).to_vec();
        buf.drain(..total.min(buf.len()));
        let Ok(request) = parse_head(&head) else {
            return;
        };
        let mut parts = request.start_line.split(' ');
        let (Some(method), Some(_uri), Some("SIP/2.0")) = (parts.next(), parts.next(), parts.next()) else {
            return;
        };
        let method = method.to_string();

        // Discard the body, if any, so the next request starts cleanly.
        let body_len = request.get("Content-Length").and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
        if body_len > SIP_CAP {
            return;
        }
        while buf.len() < body_len {
            match tokio::time::timeout(IDLE_LIMIT, stream.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => buf.extend_from_slice(chunk.get(..n).unwrap_or(&[])),
                _ => return,
            }
        }
        buf.drain(..body_len);

        if method == "ACK" {
            continue;
        }
        shared.counters.sip_requests.fetch_add(1, Ordering::Relaxed);
        let status = if method == "OPTIONS" { "200 OK" } else { "501 Not Implemented" };
        let response = build_response(status, &request, &shared.server_header);
        if stream.write_all(response.as_bytes()).await.is_err() || stream.flush().await.is_err() {
            return;
        }
    }
}

fn build_response(status: &str, request: &crate::wire::sip::SipHead, server: &str) -> String {
    let clean = |v: &str| v.replace(['\r', '\n'], " ");
    let mut out = format!("SIP/2.0 {status}\r\n");
    for via in request.all("Via") {
        out.push_str(&format!("Via: {}\r\n", clean(via)));
    }
    if let Some(from) = request.get("From") {
        out.push_str(&format!("From: {}\r\n", clean(from)));
    }
    if let Some(to) = request.get("To") {
        let to = clean(to);
        if to.to_ascii_lowercase().contains(";tag=") {
            out.push_str(&format!("To: {to}\r\n"));
        } else {
            out.push_str(&format!("To: {to};tag={}\r\n", random_token(6)));
        }
    }
    for name in ["Call-ID", "CSeq"] {
        if let Some(value) = request.get(name) {
            out.push_str(&format!("{name}: {}\r\n", clean(value)));
        }
    }
    out.push_str(&format!("Server: {server}\r\n"));
    out.push_str(&format!("Allow: {ALLOW}\r\n"));
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::sip::parse_head;

    #[test]
    fn response_echoes_dialog_headers_and_adds_a_to_tag() {
        let req = parse_head(
            b"OPTIONS sip:fe:5061;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS a;branch=z9hG4bK1\r\nv: SIP/2.0/TLS b;branch=z9hG4bK2\r\nf: <sip:x@a>;tag=1\r\nt: <sip:fe>\r\ni: call1\r\nCSeq: 7 OPTIONS",
        )
        .unwrap();
        let resp = build_response("200 OK", &req, "Lab/1");
        let parsed = parse_head(resp.as_bytes()).unwrap();
        assert_eq!(parsed.start_line, "SIP/2.0 200 OK");
        let vias: Vec<&str> = parsed.all("Via").collect();
        assert_eq!(vias, ["SIP/2.0/TLS a;branch=z9hG4bK1", "SIP/2.0/TLS b;branch=z9hG4bK2"]);
        assert_eq!(parsed.get("From"), Some("<sip:x@a>;tag=1"));
        assert!(parsed.get("To").unwrap().starts_with("<sip:fe>;tag="));
        assert_eq!(parsed.get("Call-ID"), Some("call1"));
        assert_eq!(parsed.get("CSeq"), Some("7 OPTIONS"));
        assert_eq!(parsed.get("Server"), Some("Lab/1"));
        assert_eq!(parsed.get("Allow"), Some(ALLOW));
        assert!(resp.ends_with("Content-Length: 0\r\n\r\n"));
    }

    #[tokio::test]
    async fn refuses_to_bind_outside_loopback() {
        let leaf = crate::lab::pki::self_signed_with_key(
            &crate::lab::pki::LeafSpec::new("x.lab.example"),
            crate::lab::pki::shared_rsa_key().unwrap(),
        )
        .unwrap();
        let spec = ListenerSpec::new(vec![leaf.cert_der.clone()], leaf.private_key());
        let err = spawn("0.0.0.0".parse().unwrap(), spec).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
