//! Hostile peers: TCP listeners that misbehave on purpose (silence, garbage, resets,
//! one byte at a time, a 1 MB certificate, HTTP, alerts, half a ServerHello) or speak
//! only old TLS 1.0 from hand-written bytes. The tests and the demo use them to show
//! that every probe ends within its timeout with a named outcome.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How a hostile peer answers each connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// Accepts and reads, never writes.
    Silent,
    /// Answers with bytes that are not a TLS record.
    Garbage,
    /// Reads the ClientHello, then resets the connection (RST, not FIN).
    Reset,
    /// Sends a valid-looking TLS record one byte per interval, never finishing it.
    Drip,
    /// A ServerHello, then a Certificate message claiming (and streaming) ~1 MB.
    HugeCertificate,
    /// Answers like a web server: `HTTP/1.1 400 Bad Request`.
    Http,
    /// A fatal TLS alert handshake_failure (40), then closes.
    Alert,
    /// Part of a ServerHello, then closes.
    HalfClose,
    /// A TLS 1.0-only server from hand-written bytes: ServerHello choosing
    /// TLS_RSA_WITH_AES_128_CBC_SHA, Certificate, optionally CertificateRequest,
    /// ServerHelloDone; then closes.
    Tls10Legacy {
        /// The certificates sent, leaf first (DER).
        chain_der: Vec<Vec<u8>>,
        /// Whether a CertificateRequest is part of the flight.
        request_client_cert: bool,
    },
    /// The same flight at SSL 3.0: a server nobody should still accept.
    Ssl3 {
        /// The certificates sent, leaf first (DER).
        chain_der: Vec<Vec<u8>>,
    },
}

/// Knobs for `spawn_with`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerOptions {
    /// Pause between bytes for `Behaviour::Drip`.
    pub drip_interval: Duration,
}

impl Default for PeerOptions {
    fn default() -> Self {
        PeerOptions { drip_interval: Duration::from_millis(200) }
    }
}

/// A running hostile peer. It serves any number of connections until dropped; dropping
/// it stops the listener and every connection it still holds.
#[derive(Debug)]
pub struct HostilePeer {
    /// Where it listens (loopback).
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for HostilePeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a hostile peer on `bind`, port 0, with default options.
pub async fn spawn(bind: IpAddr, behaviour: Behaviour) -> io::Result<HostilePeer> {
    spawn_with(bind, behaviour, PeerOptions::default()).await
}

/// Starts a hostile peer on `bind`, port 0. Only loopback addresses are accepted: these
/// peers exist for the lab and the tests, never for a real network.
pub async fn spawn_with(bind: IpAddr, behaviour: Behaviour, options: PeerOptions) -> io::Result<HostilePeer> {
    spawn_at(SocketAddr::new(bind, 0), behaviour, options).await
}

/// Starts a hostile peer on a given loopback address and port (scenario labs).
pub async fn spawn_on(addr: SocketAddr, behaviour: Behaviour) -> io::Result<HostilePeer> {
    spawn_at(addr, behaviour, PeerOptions::default()).await
}

async fn spawn_at(at: SocketAddr, behaviour: Behaviour, options: PeerOptions) -> io::Result<HostilePeer> {
    if !at.ip().is_loopback() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("hostile peers bind to loopback only, not {}", at.ip())));
    }
    let listener = TcpListener::bind(at).await?;
    let addr = listener.local_addr()?;
    let behaviour = Arc::new(behaviour);
    let task = tokio::spawn(async move {
        // Owning the connections here means aborting this task drops them all.
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let behaviour = Arc::clone(&behaviour);
                        connections.spawn(async move {
                            // A misbehaving peer does not care how its client reacts.
                            let _ = serve(stream, &behaviour, options).await;
                        });
                    }
                    // Out of descriptors and the like: back off instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    });
    Ok(HostilePeer { addr, task })
}

/// Reads the client's first record (or whatever arrives within a moment), so that
/// closing later sends a FIN: closing with unread input would turn into a reset.
async fn read_client_hello(stream: &mut TcpStream) -> io::Result<()> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let wait = async {
        loop {
            if got.len() >= 5 {
                let len = usize::from(u16::from_be_bytes([got[3], got[4]]));
                if got.len() >= 5 + len {
                    return Ok(());
                }
            }
            let n = stream.read(&mut buf).await?;
            if n == 0 || got.len() > 64 * 1024 {
                return Ok(());
            }
            got.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(2), wait).await.unwrap_or(Ok(()))
}

/// Reads and discards until the client goes away.
async fn drain(stream: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// Writes `bytes`, sends FIN, then waits (briefly) for the client to close.
async fn say_and_close(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.shutdown().await?;
    let _ = tokio::time::timeout(Duration::from_secs(5), drain(stream)).await;
    Ok(())
}

/// Bytes that cannot start a TLS record: content type 0, then noise.
const GARBAGE: &[u8] = &[0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x42, 0x07, 0x99, 0x10, 0x01, 0xfe, 0x7f, 0x80, 0x81];

const HTTP_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

async fn serve(mut stream: TcpStream, behaviour: &Behaviour, options: PeerOptions) -> io::Result<()> {
    match behaviour {
        Behaviour::Silent => {
            drain(&mut stream).await;
            Ok(())
        }
        Behaviour::Garbage => {
            read_client_hello(&mut stream).await?;
            stream.write_all(GARBAGE).await?;
            drain(&mut stream).await;
            Ok(())
        }
        Behaviour::Reset => {
            read_client_hello(&mut stream).await?;
            stream.set_zero_linger()?;
            drop(stream);
            Ok(())
        }
        Behaviour::Drip => {
            read_client_hello(&mut stream).await?;
            // A handshake record announcing 16 KiB and a ServerHello of matching size:
            // at one byte per interval it would take about an hour to finish.
            let mut head = vec![22, 3, 3, 0x40, 0x00, 2, 0x00, 0x3f, 0xfc, 3, 3];
            head.extend_from_slice(&[0x5a; 32]);
            for byte in head.iter().copied().chain(std::iter::repeat(0u8)) {
                stream.write_all(&[byte]).await?;
                tokio::time::sleep(options.drip_interval).await;
            }
            Ok(())
        }
        Behaviour::HugeCertificate => {
            read_client_hello(&mut stream).await?;
            stream.write_all(&wire::records(22, 0x0303, &wire::server_hello(0x0303, 0x002f), 16384)).await?;
            // A Certificate message that claims 1 MiB and keeps its word.
            const CLAIM: usize = 1 << 20;
            let mut msg = vec![11];
            wire::put_u24(&mut msg, CLAIM);
            wire::put_u24(&mut msg, CLAIM - 3);
            wire::put_u24(&mut msg, CLAIM - 6);
            msg.resize(4 + CLAIM, 0x30);
            for chunk in msg.chunks(16384) {
                stream.write_all(&wire::record(22, 0x0303, chunk)).await?;
            }
            stream.shutdown().await?;
            drain(&mut stream).await;
            Ok(())
        }
        Behaviour::Http => {
            read_client_hello(&mut stream).await?;
            say_and_close(&mut stream, HTTP_400).await
        }
        Behaviour::Alert => {
            read_client_hello(&mut stream).await?;
            say_and_close(&mut stream, &wire::record(21, 0x0303, &[2, 40])).await
        }
        Behaviour::HalfClose => {
            read_client_hello(&mut stream).await?;
            let full = wire::records(22, 0x0303, &wire::server_hello(0x0303, 0xc02f), 16384);
            let cut = full.len().min(20);
            say_and_close(&mut stream, &full[..cut]).await
        }
        Behaviour::Tls10Legacy { chain_der, request_client_cert } => {
            read_client_hello(&mut stream).await?;
            let flight = wire::legacy_flight(0x0301, 0x002f, chain_der, *request_client_cert);
            say_and_close(&mut stream, &flight).await
        }
        Behaviour::Ssl3 { chain_der } => {
            read_client_hello(&mut stream).await?;
            say_and_close(&mut stream, &wire::legacy_flight(0x0300, 0x002f, chain_der, true)).await
        }
    }
}

/// Hand-written server handshake messages and records, for the hostile peers, the
/// parser's tests and fuzz seeds. No cryptography: only framing.
pub mod wire {
    /// Big-endian, as every TLS length and code.
    pub fn put_u16(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_be_bytes());
    }

    /// Values above 2^24-1 are clamped (a lying length is built by hand instead).
    pub fn put_u24(out: &mut Vec<u8>, v: usize) {
        let v = v.min(0xff_ffff) as u32;
        out.extend_from_slice(&v.to_be_bytes()[1..]);
    }

    /// One record; the payload is clamped to 65535 bytes.
    pub fn record(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
        let payload = &payload[..payload.len().min(0xffff)];
        let mut out = vec![content_type];
        put_u16(&mut out, version);
        put_u16(&mut out, payload.len() as u16);
        out.extend_from_slice(payload);
        out
    }

    /// `payload` split into records of at most `max_fragment` bytes.
    pub fn records(content_type: u8, version: u16, payload: &[u8], max_fragment: usize) -> Vec<u8> {
        payload.chunks(max_fragment.clamp(1, 16384)).flat_map(|chunk| record(content_type, version, chunk)).collect()
    }

    /// A handshake message: type, 24-bit length, body.
    pub fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        put_u24(&mut out, body.len());
        out.extend_from_slice(body);
        out
    }

    /// A ServerHello choosing `version` and `suite`, with a 32-byte session id and the
    /// renegotiation_info extension old servers echo.
    pub fn server_hello(version: u16, suite: u16) -> Vec<u8> {
        let mut body = Vec::new();
        put_u16(&mut body, version);
        body.extend((0u8..32).map(|i| i.wrapping_mul(7).wrapping_add(3)));
        body.push(32);
        body.extend_from_slice(&[0x11; 32]);
        put_u16(&mut body, suite);
        body.push(0);
        let ext = [0xff, 0x01, 0x00, 0x01, 0x00];
        put_u16(&mut body, ext.len() as u16);
        body.extend_from_slice(&ext);
        handshake(2, &body)
    }

    /// A Certificate message carrying `chain` (DER, leaf first).
    pub fn certificate(chain: &[Vec<u8>]) -> Vec<u8> {
        let mut list = Vec::new();
        for cert in chain {
            put_u24(&mut list, cert.len());
            list.extend_from_slice(cert);
        }
        let mut body = Vec::new();
        put_u24(&mut body, list.len());
        body.extend_from_slice(&list);
        handshake(11, &body)
    }

    /// A CertificateRequest in the form `version` uses (TLS 1.2 adds signature
    /// algorithms); `ca_names` are DER distinguished names.
    pub fn certificate_request(version: u16, ca_names: &[Vec<u8>]) -> Vec<u8> {
        let mut body = vec![2, 1, 64]; // rsa_sign, ecdsa_sign
        if version >= 0x0303 {
            body.extend_from_slice(&[0, 4, 0x04, 0x01, 0x02, 0x01]);
        }
        let mut names = Vec::new();
        for dn in ca_names {
            put_u16(&mut names, dn.len().min(0xffff) as u16);
            names.extend_from_slice(dn);
        }
        put_u16(&mut body, names.len().min(0xffff) as u16);
        body.extend_from_slice(&names);
        handshake(13, &body)
    }

    /// An empty ServerHelloDone message.
    pub fn server_hello_done() -> Vec<u8> {
        handshake(14, &[])
    }

    /// The issuer DN of each certificate, deduplicated: what a server that trusts the
    /// chain's CAs would list in its CertificateRequest.
    pub fn issuer_names(chain: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut names: Vec<Vec<u8>> = Vec::new();
        for der in chain {
            if let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) {
                let raw = cert.issuer().as_raw().to_vec();
                if !names.contains(&raw) {
                    names.push(raw);
                }
            }
        }
        names
    }

    /// A whole first flight as an old server sends it, in records of up to 16 KiB.
    pub fn legacy_flight(version: u16, suite: u16, chain: &[Vec<u8>], request_client_cert: bool) -> Vec<u8> {
        let mut hs = server_hello(version, suite);
        hs.extend(certificate(chain));
        if request_client_cert {
            hs.extend(certificate_request(version, &issuer_names(chain)));
        }
        hs.extend(server_hello_done());
        records(22, version, &hs, 16384)
    }
}
