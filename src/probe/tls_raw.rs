//! TLS path 1: "what IM&P would get".
//!
//! rustls cannot talk to a peer that only speaks TLS 1.0/1.1, CBC or RSA key exchange,
//! yet those are exactly the old Lync/OCS front ends this tool must describe. So this
//! probe sends a hand-built ClientHello that offers IM&P's legacy-capable list and reads
//! the server's first flight, which travels in clear: ServerHello (version, suite),
//! Certificate (the whole chain) and CertificateRequest (mutual TLS), up to
//! ServerHelloDone. No cryptography is involved, only defensive parsing of untrusted
//! bytes: every length is checked and the total accepted is capped.

use crate::snapshot::raw::{RawError, RawHandshake, RawObservation, RawOutcome, TimeoutStage};
use crate::snapshot::tls::{alert_name, suite_name, TlsVersion, OFFERED_SUITES};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A sensible cap for a server's first flight: real chains are a few KiB, 256 KiB
/// leaves room for long chains while stopping a peer that streams forever.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;

/// TLSPlaintext may carry at most 2^14 bytes; allow the TLSCompressed slack so an
/// old, slightly sloppy stack is not called malformed for that alone.
const MAX_RECORD_LEN: usize = 16384 + 2048;

const CT_CHANGE_CIPHER_SPEC: u8 = 20;
const CT_ALERT: u8 = 21;
const CT_HANDSHAKE: u8 = 22;
const CT_APPLICATION_DATA: u8 = 23;

const HS_HELLO_REQUEST: u8 = 0;
const HS_SERVER_HELLO: u8 = 2;
const HS_CERTIFICATE: u8 = 11;
const HS_SERVER_KEY_EXCHANGE: u8 = 12;
const HS_CERTIFICATE_REQUEST: u8 = 13;
const HS_SERVER_HELLO_DONE: u8 = 14;
const HS_CERTIFICATE_STATUS: u8 = 22;

const EXT_SUPPORTED_VERSIONS: u16 = 43;

/// secp256r1, secp384r1, x25519.
const GROUPS: &[u16] = &[0x0017, 0x0018, 0x001d];

/// SHA-2 RSA/ECDSA/PSS first; the SHA-1 pairs last, for servers that know nothing else.
const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
    0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256 ...
    0x0201, 0x0203, // rsa_pkcs1_sha1, ecdsa_sha1
];

fn handshake_name(t: u8) -> String {
    match t {
        0 => "HelloRequest".into(),
        1 => "ClientHello".into(),
        2 => "ServerHello".into(),
        4 => "NewSessionTicket".into(),
        8 => "EncryptedExtensions".into(),
        11 => "Certificate".into(),
        12 => "ServerKeyExchange".into(),
        13 => "CertificateRequest".into(),
        14 => "ServerHelloDone".into(),
        15 => "CertificateVerify".into(),
        16 => "ClientKeyExchange".into(),
        20 => "Finished".into(),
        22 => "CertificateStatus".into(),
        _ => format!("handshake type {t}"),
    }
}

// ---------------------------------------------------------------------------------
// ClientHello
// ---------------------------------------------------------------------------------

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, v: usize) {
    let v = v.min(0xff_ffff) as u32;
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

/// Appends `body` behind a 16-bit length. Every caller passes far less than 64 KiB.
fn put_vec16(out: &mut Vec<u8>, body: &[u8]) {
    put_u16(out, body.len().min(0xffff) as u16);
    out.extend_from_slice(body);
}

fn put_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    put_u16(out, kind);
    put_vec16(out, body);
}

/// The SNI host name, or None when the target is an IP literal or not a DNS name
/// (RFC 6066 forbids IP literals in server_name, and a trailing dot is not sent).
fn sni_host(sni: Option<&str>) -> Option<&str> {
    let s = sni?.trim().trim_end_matches('.');
    let dns_like = !s.is_empty() && s.len() <= 253 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !dns_like || s.parse::<IpAddr>().is_ok() {
        return None;
    }
    Some(s)
}

/// 32 bytes that differ on every call. The random only needs to be unique, not secret:
/// this handshake is never completed.
fn hello_random() -> [u8; 32] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut state = (now.as_nanos() as u64) ^ count.rotate_left(32) ^ u64::from(std::process::id());
    let mut out = [0u8; 32];
    out[..4].copy_from_slice(&(now.as_secs() as u32).to_be_bytes());
    for chunk in out[4..].chunks_mut(8) {
        // splitmix64: spreads the seed over every byte.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let bytes = z.to_be_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    out
}

/// One TLS record holding a ClientHello that offers what IM&P offers: TLS up to 1.2
/// (no supported_versions, so every server answers in clear), ECDHE and RSA key
/// exchange, GCM, CBC and 3DES. `sni` is sent only when it is a DNS name.
pub fn client_hello(sni: Option<&str>) -> Vec<u8> {
    client_hello_offering(sni, OFFERED_SUITES)
}

/// The same ClientHello offering exactly `suites` (e.g. the site's IM&P cipher list).
pub fn client_hello_offering(sni: Option<&str>, offered: &[u16]) -> Vec<u8> {
    let mut ext = Vec::new();
    if let Some(host) = sni_host(sni) {
        let mut list = vec![0u8]; // name_type host_name
        put_vec16(&mut list, host.as_bytes());
        let mut body = Vec::new();
        put_vec16(&mut body, &list);
        put_extension(&mut ext, 0, &body);
    }
    let mut groups = Vec::new();
    for g in GROUPS {
        put_u16(&mut groups, *g);
    }
    let mut body = Vec::new();
    put_vec16(&mut body, &groups);
    put_extension(&mut ext, 10, &body);
    put_extension(&mut ext, 11, &[1, 0]); // ec_point_formats: uncompressed
    let mut sigs = Vec::new();
    for s in SIGNATURE_ALGORITHMS {
        put_u16(&mut sigs, *s);
    }
    let mut body = Vec::new();
    put_vec16(&mut body, &sigs);
    put_extension(&mut ext, 13, &body);
    put_extension(&mut ext, 0xff01, &[0]); // renegotiation_info, initial handshake

    let mut hello = Vec::new();
    put_u16(&mut hello, 0x0303);
    hello.extend_from_slice(&hello_random());
    hello.push(0); // empty session id: no resumption
    let mut suites = Vec::new();
    for s in if offered.is_empty() { OFFERED_SUITES } else { offered } {
        put_u16(&mut suites, *s);
    }
    put_vec16(&mut hello, &suites);
    hello.extend_from_slice(&[1, 0]); // compression: null only
    put_vec16(&mut hello, &ext);

    let mut msg = vec![1u8];
    put_u24(&mut msg, hello.len());
    msg.extend_from_slice(&hello);

    let mut record = vec![CT_HANDSHAKE, 3, 1];
    put_vec16(&mut record, &msg);
    record
}

// ---------------------------------------------------------------------------------
// Errors and observations
// ---------------------------------------------------------------------------------

fn malformed(what: impl Into<String>) -> RawError {
    RawError::Malformed { what: what.into() }
}

/// Names the bytes a non-TLS peer sent, so "not TLS" can say what it is instead.
fn not_tls(bytes: &[u8]) -> RawError {
    let head = &bytes[..bytes.len().min(16)];
    let first_bytes = head.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
    let preview: String = head.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }).collect();
    let looks_like = if head.starts_with(b"HTTP/") {
        Some("HTTP")
    } else if head.starts_with(b"SIP/2.0") {
        Some("SIP over plain TCP")
    } else if head.starts_with(b"SSH-") {
        Some("SSH")
    } else if head.starts_with(b"220 ") || head.starts_with(b"220-") {
        Some("an SMTP or FTP banner")
    } else if head.len() >= 3 && head[0] & 0x80 != 0 && head[2] == 4 {
        Some("an SSLv2 ServerHello")
    } else if !head.is_empty() && head.iter().all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) {
        Some("plain text")
    } else {
        None
    };
    RawError::NotTls { first_bytes, preview, looks_like: looks_like.map(str::to_string) }
}

/// Renders what a parser has collected so far.
pub fn handshake_from_parser(p: &HelloParser) -> RawHandshake {
    RawHandshake {
        version: TlsVersion::from_code(p.version),
        cipher_suite: suite_name(p.cipher_suite).map(str::to_string).unwrap_or_else(|| format!("0x{:04x}", p.cipher_suite)),
        cipher_code: p.cipher_suite,
        chain_pem: p.certificates.iter().map(|c| crate::certinfo::der_to_pem(c)).collect(),
        client_cert_requested: p.client_cert_requested,
        acceptable_ca_names: p.acceptable_ca_names.iter().map(|d| render_dn(d)).collect(),
        complete: p.server_hello_done,
    }
}

/// A DER distinguished name as "CN=..., O=...". Best effort: some stacks send odd
/// DNs, so anything unparsable is shown as hex rather than dropped.
pub fn render_dn(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    use x509_parser::x509::X509Name;
    match X509Name::from_der(der) {
        Ok(([], name)) => name.to_string(),
        _ => {
            let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
            format!("(unparsable DN) {hex}")
        }
    }
}

// ---------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------

/// Whether `HelloParser::feed` wants more bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The server's flight is not complete yet.
    NeedMore,
    /// ServerHelloDone arrived: the flight is complete.
    Done,
}

/// A bounds-checked cursor over one handshake message body. Errors name the message
/// and the field, so a malformed peer is described precisely.
struct Reader<'a> {
    msg: &'static str,
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(msg: &'static str, data: &'a [u8]) -> Self {
        Reader { msg, data }
    }

    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], RawError> {
        if n > self.data.len() {
            return Err(malformed(format!("{} {field} needs {n} bytes, only {} left", self.msg, self.data.len())));
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    fn u8(&mut self, field: &str) -> Result<u8, RawError> {
        Ok(self.take(1, field)?[0])
    }

    fn u16(&mut self, field: &str) -> Result<u16, RawError> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u24(&mut self, field: &str) -> Result<usize, RawError> {
        let b = self.take(3, field)?;
        Ok(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }

    /// A length-prefixed vector whose length must fit in what is left.
    fn vec(&mut self, len_bytes: usize, field: &str) -> Result<&'a [u8], RawError> {
        let len = match len_bytes {
            1 => usize::from(self.u8(field)?),
            2 => usize::from(self.u16(field)?),
            _ => self.u24(field)?,
        };
        if len > self.data.len() {
            return Err(malformed(format!("{} {field} length {len} exceeds the message ({} bytes left)", self.msg, self.data.len())));
        }
        self.take(len, field)
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn finish(&self) -> Result<(), RawError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(malformed(format!("{} has {} trailing bytes", self.msg, self.data.len())))
        }
    }
}

/// Incremental, defensive parser of a server's first flight. Feed it bytes as they
/// arrive; it reassembles records into handshake messages (one record may hold
/// several, one message may span several), checks every length, refuses to accept
/// more than `max_bytes`, and stops at ServerHelloDone. An error is sticky.
#[derive(Debug, Clone)]
pub struct HelloParser {
    max_bytes: usize,
    /// Every byte handed to `feed`.
    received: usize,
    /// Bytes of complete records taken so far (what the cap applies to).
    consumed: usize,
    /// Bytes not yet split into records (at most one record's worth once processed).
    pending: Vec<u8>,
    /// Handshake bytes not yet split into messages.
    handshake: Vec<u8>,
    records_seen: usize,
    failed: Option<RawError>,
    server_hello_seen: bool,
    certificate_seen: bool,
    /// Chosen version (from ServerHello, or its supported_versions extension).
    pub version: u16,
    /// Chosen cipher suite code, from ServerHello.
    pub cipher_suite: u16,
    /// DER certificates as sent, leaf first.
    pub certificates: Vec<Vec<u8>>,
    /// The server sent a CertificateRequest.
    pub client_cert_requested: bool,
    /// DER distinguished names from CertificateRequest.
    pub acceptable_ca_names: Vec<Vec<u8>>,
    /// ServerHelloDone arrived: the server's flight is complete.
    pub server_hello_done: bool,
    /// Warning-level alerts the peer sent without closing (e.g. unrecognized_name).
    pub warning_alerts: Vec<u8>,
}

impl HelloParser {
    /// A parser that accepts at most `max_bytes` from the peer.
    pub fn new(max_bytes: usize) -> Self {
        HelloParser {
            max_bytes,
            received: 0,
            consumed: 0,
            pending: Vec::new(),
            handshake: Vec::new(),
            records_seen: 0,
            failed: None,
            server_hello_seen: false,
            certificate_seen: false,
            version: 0,
            cipher_suite: 0,
            certificates: Vec::new(),
            client_cert_requested: false,
            acceptable_ca_names: Vec::new(),
            server_hello_done: false,
            warning_alerts: Vec::new(),
        }
    }

    /// Bytes fed so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// A ServerHello has been parsed.
    pub fn server_hello_seen(&self) -> bool {
        self.server_hello_seen
    }

    /// Where a stalled peer left us, for the timeout message.
    pub fn stage(&self) -> TimeoutStage {
        if self.server_hello_seen {
            TimeoutStage::ReadingServerFlight
        } else {
            TimeoutStage::AwaitingServerHello
        }
    }

    /// Takes the next bytes from the peer.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Progress, RawError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.server_hello_done {
            return Ok(Progress::Done);
        }
        self.received = self.received.saturating_add(bytes.len());
        self.pending.extend_from_slice(bytes);
        let result = self.process_records();
        if let Err(e) = &result {
            self.failed = Some(e.clone());
            self.pending = Vec::new();
            self.handshake = Vec::new();
        }
        result
    }

    /// The record header at the front of `pending` is not TLS: before the first record
    /// that means the peer speaks something else; later it means a corrupt stream.
    fn bad_header(&self) -> RawError {
        if self.records_seen == 0 {
            not_tls(&self.pending)
        } else {
            // Only the bytes that decided it, so the text does not depend on how
            // the stream happened to be split.
            let decisive = match self.pending.first() {
                Some(t) if (CT_CHANGE_CIPHER_SPEC..=CT_APPLICATION_DATA).contains(t) => 2,
                _ => 1,
            };
            let head = &self.pending[..self.pending.len().min(decisive)];
            let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
            malformed(format!("record {} does not start like a TLS record ({})", self.records_seen + 1, hex.join(" ")))
        }
    }

    fn process_records(&mut self) -> Result<Progress, RawError> {
        let mut start = 0;
        let result = loop {
            if self.server_hello_done {
                break Ok(Progress::Done);
            }
            let buf = &self.pending[start..];
            if buf.is_empty() {
                break Ok(Progress::NeedMore);
            }
            // Judge the header as soon as its bytes arrive, so a non-TLS peer is named
            // at once instead of after a timeout.
            let bad_type = !(CT_CHANGE_CIPHER_SPEC..=CT_APPLICATION_DATA).contains(&buf[0]);
            if bad_type || (buf.len() >= 2 && buf[1] != 3) {
                self.pending.drain(..start);
                return Err(self.bad_header());
            }
            if buf.len() < 5 {
                break Ok(Progress::NeedMore);
            }
            let content_type = buf[0];
            let len = usize::from(u16::from_be_bytes([buf[3], buf[4]]));
            if len > MAX_RECORD_LEN {
                break Err(malformed(format!("record length {len} exceeds the TLS limit of {MAX_RECORD_LEN}")));
            }
            if len == 0 && content_type != CT_APPLICATION_DATA {
                break Err(malformed(format!("empty {} record", content_type_name(content_type))));
            }
            if buf.len() < 5 + len {
                break Ok(Progress::NeedMore);
            }
            self.consumed = self.consumed.saturating_add(5 + len);
            if self.consumed > self.max_bytes {
                break Err(RawError::TooLarge {
                    what: "server handshake flight".into(),
                    size: self.consumed as u64,
                    cap: self.max_bytes as u64,
                });
            }
            let payload_range = start + 5..start + 5 + len;
            start += 5 + len;
            self.records_seen += 1;
            let step = match content_type {
                CT_HANDSHAKE => {
                    self.handshake.extend_from_slice(&self.pending[payload_range]);
                    self.process_handshake()
                }
                CT_ALERT => {
                    let payload = self.pending[payload_range].to_vec();
                    self.process_alert(&payload)
                }
                CT_CHANGE_CIPHER_SPEC => Err(malformed("ChangeCipherSpec before ServerHelloDone")),
                _ => Err(malformed("application data before ServerHelloDone")),
            };
            if let Err(e) = step {
                break Err(e);
            }
        };
        self.pending.drain(..start.min(self.pending.len()));
        result
    }

    fn process_alert(&mut self, payload: &[u8]) -> Result<(), RawError> {
        if payload.len() % 2 != 0 {
            return Err(malformed(format!("alert record of {} bytes (alerts are 2 bytes each)", payload.len())));
        }
        for pair in payload.chunks_exact(2) {
            let (level, code) = (pair[0], pair[1]);
            // A warning other than close_notify does not end the handshake: some
            // servers warn unrecognized_name and carry on.
            if level == 1 && code != 0 {
                self.warning_alerts.push(code);
                continue;
            }
            let level = match level {
                1 => "warning".to_string(),
                2 => "fatal".to_string(),
                n => format!("level {n}"),
            };
            return Err(RawError::Alert { level, code, name: alert_name(code).to_string() });
        }
        Ok(())
    }

    fn process_handshake(&mut self) -> Result<(), RawError> {
        let mut buf = std::mem::take(&mut self.handshake);
        let mut off = 0;
        let result = loop {
            if self.server_hello_done {
                break Ok(());
            }
            let rest = &buf[off..];
            if rest.len() < 4 {
                break Ok(());
            }
            let kind = rest[0];
            let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
            // Check the header before waiting for the body: a peer claiming a huge or
            // out-of-order message is stopped now, not after the timeout.
            if let Err(e) = self.check_order(kind) {
                break Err(e);
            }
            if len > self.max_bytes {
                break Err(RawError::TooLarge {
                    what: format!("{} message", handshake_name(kind)),
                    size: len as u64,
                    cap: self.max_bytes as u64,
                });
            }
            if rest.len() < 4 + len {
                break Ok(());
            }
            let body = &rest[4..4 + len];
            off += 4 + len;
            if let Err(e) = self.handle_message(kind, body) {
                break Err(e);
            }
        };
        // Hand the buffer back without copying when nothing was consumed: a message
        // spread over thousands of tiny records must not cost a copy per record.
        buf.drain(..off.min(buf.len()));
        self.handshake = buf;
        result
    }

    /// Which messages may come, in which order, before ServerHelloDone.
    fn check_order(&self, kind: u8) -> Result<(), RawError> {
        let name = handshake_name(kind);
        match kind {
            HS_HELLO_REQUEST => Ok(()),
            HS_SERVER_HELLO if self.server_hello_seen => Err(malformed("a second ServerHello in the same handshake")),
            HS_SERVER_HELLO => Ok(()),
            HS_CERTIFICATE | HS_SERVER_KEY_EXCHANGE | HS_CERTIFICATE_REQUEST | HS_SERVER_HELLO_DONE | HS_CERTIFICATE_STATUS
                if !self.server_hello_seen =>
            {
                Err(malformed(format!("{name} before ServerHello")))
            }
            HS_CERTIFICATE if self.certificate_seen => Err(malformed("a second Certificate message")),
            HS_CERTIFICATE_REQUEST if self.client_cert_requested => Err(malformed("a second CertificateRequest message")),
            HS_CERTIFICATE | HS_SERVER_KEY_EXCHANGE | HS_CERTIFICATE_REQUEST | HS_SERVER_HELLO_DONE | HS_CERTIFICATE_STATUS => Ok(()),
            _ => Err(malformed(format!("unexpected {name} before ServerHelloDone"))),
        }
    }

    fn handle_message(&mut self, kind: u8, body: &[u8]) -> Result<(), RawError> {
        match kind {
            HS_HELLO_REQUEST => {
                if body.is_empty() {
                    Ok(())
                } else {
                    Err(malformed(format!("HelloRequest with a {}-byte body", body.len())))
                }
            }
            HS_SERVER_HELLO => self.server_hello(body),
            HS_CERTIFICATE => self.certificate(body),
            HS_CERTIFICATE_REQUEST => self.certificate_request(body),
            HS_SERVER_HELLO_DONE => {
                if !body.is_empty() {
                    return Err(malformed(format!("ServerHelloDone with a {}-byte body", body.len())));
                }
                self.server_hello_done = true;
                Ok(())
            }
            // ServerKeyExchange and CertificateStatus: their contents do not matter here.
            _ => Ok(()),
        }
    }

    fn server_hello(&mut self, body: &[u8]) -> Result<(), RawError> {
        let mut r = Reader::new("ServerHello", body);
        let version = r.u16("version")?;
        if version >> 8 != 3 {
            return Err(malformed(format!("ServerHello version 0x{version:04x} is not SSL 3 / TLS")));
        }
        r.take(32, "random")?;
        let session_id = r.vec(1, "session_id")?;
        if session_id.len() > 32 {
            return Err(malformed(format!("ServerHello session_id of {} bytes (at most 32)", session_id.len())));
        }
        let suite = r.u16("cipher_suite")?;
        let compression = r.u8("compression_method")?;
        if compression != 0 {
            return Err(malformed(format!("ServerHello chose compression method {compression}, which was not offered")));
        }
        let mut chosen = version;
        if !r.is_empty() {
            let mut exts = Reader::new("ServerHello", r.vec(2, "extensions")?);
            while !exts.is_empty() {
                let ext_type = exts.u16("extension type")?;
                let data = exts.vec(2, "extension")?;
                if ext_type == EXT_SUPPORTED_VERSIONS {
                    let mut v = Reader::new("ServerHello supported_versions", data);
                    chosen = v.u16("version")?;
                    v.finish()?;
                }
            }
        }
        r.finish()?;
        self.version = chosen;
        self.cipher_suite = suite;
        self.server_hello_seen = true;
        Ok(())
    }

    fn certificate(&mut self, body: &[u8]) -> Result<(), RawError> {
        let mut r = Reader::new("Certificate", body);
        let mut list = Reader::new("Certificate", r.vec(3, "certificate_list")?);
        r.finish()?;
        let mut certs = Vec::new();
        while !list.is_empty() {
            let cert = list.vec(3, "certificate")?;
            if cert.is_empty() {
                return Err(malformed(format!("Certificate entry {} is empty", certs.len() + 1)));
            }
            certs.push(cert.to_vec());
        }
        self.certificates = certs;
        self.certificate_seen = true;
        Ok(())
    }

    fn certificate_request(&mut self, body: &[u8]) -> Result<(), RawError> {
        let mut r = Reader::new("CertificateRequest", body);
        let types = r.vec(1, "certificate_types")?;
        if types.is_empty() {
            return Err(malformed("CertificateRequest lists no certificate types"));
        }
        // TLS 1.2 added the signature algorithm list; 1.0 and 1.1 go straight to the CAs.
        if self.version >= 0x0303 {
            let sigs = r.vec(2, "signature_algorithms")?;
            if sigs.len() % 2 != 0 {
                return Err(malformed(format!("CertificateRequest signature_algorithms of odd length {}", sigs.len())));
            }
        }
        let mut cas = Reader::new("CertificateRequest", r.vec(2, "certificate_authorities")?);
        r.finish()?;
        let mut names = Vec::new();
        while !cas.is_empty() {
            names.push(cas.vec(2, "distinguished name")?.to_vec());
        }
        self.acceptable_ca_names = names;
        self.client_cert_requested = true;
        Ok(())
    }
}

fn content_type_name(t: u8) -> &'static str {
    match t {
        CT_CHANGE_CIPHER_SPEC => "ChangeCipherSpec",
        CT_ALERT => "alert",
        CT_HANDSHAKE => "handshake",
        _ => "application data",
    }
}

// ---------------------------------------------------------------------------------
// The probe
// ---------------------------------------------------------------------------------

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn io_error(e: &std::io::Error, after_bytes: usize, doing: &str) -> RawError {
    use std::io::ErrorKind;
    let after_bytes = after_bytes as u64;
    match e.kind() {
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => RawError::Reset { after_bytes },
        ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof => RawError::Closed { after_bytes },
        _ => RawError::Io { message: format!("{doing} after {after_bytes} bytes: {e}") },
    }
}

/// Sends the path-1 ClientHello to `addr` and reads the server's first flight. Never
/// takes longer than `timeout` overall (connect included) and never panics: every
/// failure becomes a `RawError` in the observation.
pub async fn probe(addr: SocketAddr, sni: Option<&str>, timeout: Duration, max_bytes: usize) -> RawObservation {
    probe_offering(addr, sni, OFFERED_SUITES, timeout, max_bytes).await
}

/// `probe`, offering exactly `suites` (empty = the default list).
pub async fn probe_offering(addr: SocketAddr, sni: Option<&str>, suites: &[u16], timeout: Duration, max_bytes: usize) -> RawObservation {
    let started = Instant::now();
    let (outcome, partial) = run(addr, sni, suites, timeout, max_bytes).await;
    RawObservation { elapsed_ms: millis(started.elapsed()), outcome, partial }
}

async fn run(
    addr: SocketAddr,
    sni: Option<&str>,
    suites: &[u16],
    timeout: Duration,
    max_bytes: usize,
) -> (RawOutcome, Option<RawHandshake>) {
    use tokio::time::timeout_at;
    let timeout_ms = millis(timeout);
    let now = tokio::time::Instant::now();
    // A absurd timeout must not overflow the clock; a day is "forever" here.
    let deadline = now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(86_400));
    let failed = |e| (RawOutcome::Failed(e), None);

    let mut stream = match timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => return failed(RawError::ConnectTimeout { timeout_ms }),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => return failed(RawError::ConnectRefused),
        Ok(Err(e)) => return failed(RawError::Io { message: format!("connecting to {addr}: {e}") }),
        Ok(Ok(s)) => s,
    };
    // Best effort: only affects latency of the single small write.
    let _ = stream.set_nodelay(true);

    let hello = client_hello_offering(sni, suites);
    match timeout_at(deadline, stream.write_all(&hello)).await {
        Err(_) => return failed(RawError::Timeout { stage: TimeoutStage::SendingClientHello, after_bytes: 0, timeout_ms }),
        Ok(Err(e)) => return failed(io_error(&e, 0, "sending the ClientHello")),
        Ok(Ok(())) => {}
    }

    let mut parser = HelloParser::new(max_bytes);
    let mut buf = vec![0u8; 16 * 1024];
    let error = loop {
        match timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => break RawError::Timeout { stage: parser.stage(), after_bytes: parser.received() as u64, timeout_ms },
            Ok(Ok(0)) => break RawError::Closed { after_bytes: parser.received() as u64 },
            Ok(Ok(n)) => match parser.feed(&buf[..n.min(buf.len())]) {
                Ok(Progress::Done) => return (RawOutcome::Handshake(handshake_from_parser(&parser)), None),
                Ok(Progress::NeedMore) => {}
                Err(e) => break e,
            },
            Ok(Err(e)) => break io_error(&e, parser.received(), "reading the server's answer"),
        }
    };
    let partial = parser.server_hello_seen().then(|| handshake_from_parser(&parser));
    (RawOutcome::Failed(error), partial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::hostile::wire;

    const CAP: usize = 256 * 1024;

    fn fake_cert(tag: u8, len: usize) -> Vec<u8> {
        let mut c = vec![0x30, 0x82];
        c.resize(len, tag);
        c
    }

    /// ServerHello (TLS 1.2), Certificate (2 certs), CertificateRequest, Done.
    fn flight_messages() -> Vec<u8> {
        let mut hs = wire::server_hello(0x0303, 0xc02f);
        hs.extend(wire::certificate(&[fake_cert(1, 900), fake_cert(2, 700)]));
        hs.extend(wire::handshake(12, &[3, 0, 23, 65, 4]));
        hs.extend(wire::certificate_request(0x0303, &[vec![0x30, 0x00], vec![0x30, 0x03, 1, 2, 3]]));
        hs.extend(wire::server_hello_done());
        hs
    }

    fn feed_all(bytes: &[u8]) -> (HelloParser, Result<Progress, RawError>) {
        let mut p = HelloParser::new(CAP);
        let r = p.feed(bytes);
        (p, r)
    }

    fn assert_malformed(bytes: &[u8], needle: &str) {
        let (_, r) = feed_all(bytes);
        match r {
            Err(RawError::Malformed { what }) => {
                assert!(what.contains(needle), "{what:?} does not mention {needle:?}")
            }
            other => panic!("expected Malformed({needle}), got {other:?}"),
        }
    }

    fn check_full_flight(p: &HelloParser) {
        assert!(p.server_hello_done);
        assert_eq!(p.version, 0x0303);
        assert_eq!(p.cipher_suite, 0xc02f);
        assert_eq!(p.certificates, vec![fake_cert(1, 900), fake_cert(2, 700)]);
        assert!(p.client_cert_requested);
        assert_eq!(p.acceptable_ca_names, vec![vec![0x30, 0x00], vec![0x30, 0x03, 1, 2, 3]]);
    }

    #[test]
    fn whole_flight_in_one_record() {
        let bytes = wire::record(22, 0x0303, &flight_messages());
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        check_full_flight(&p);
    }

    #[test]
    fn certificate_split_across_three_records() {
        let mut bytes = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f));
        let cert = wire::certificate(&[fake_cert(1, 900), fake_cert(2, 700)]);
        let third = cert.len() / 3;
        bytes.extend(wire::record(22, 0x0303, &cert[..third]));
        bytes.extend(wire::record(22, 0x0303, &cert[third..2 * third]));
        let mut tail = cert[2 * third..].to_vec();
        tail.extend(wire::handshake(12, &[3, 0, 23, 65, 4]));
        tail.extend(wire::certificate_request(0x0303, &[vec![0x30, 0x00], vec![0x30, 0x03, 1, 2, 3]]));
        tail.extend(wire::server_hello_done());
        bytes.extend(wire::record(22, 0x0303, &tail));
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        check_full_flight(&p);
    }

    #[test]
    fn byte_by_byte_and_tiny_records_give_the_same_result() {
        // Records of 7 bytes, fed one byte at a time: every boundary is exercised.
        let bytes = wire::records(22, 0x0303, &flight_messages(), 7);
        let mut p = HelloParser::new(CAP);
        for (i, b) in bytes.iter().enumerate() {
            let r = p.feed(std::slice::from_ref(b));
            if i + 1 < bytes.len() {
                assert_eq!(r, Ok(Progress::NeedMore), "at byte {i}");
            } else {
                assert_eq!(r, Ok(Progress::Done));
            }
        }
        check_full_flight(&p);
        // Bytes after ServerHelloDone are ignored.
        assert_eq!(p.feed(b"anything"), Ok(Progress::Done));
    }

    #[test]
    fn truncated_stream_waits_and_reports_progress() {
        let bytes = wire::record(22, 0x0303, &flight_messages());
        let mut p = HelloParser::new(CAP);
        assert_eq!(p.feed(&bytes[..bytes.len() - 1]), Ok(Progress::NeedMore));
        assert!(!p.server_hello_done);
        assert_eq!(p.received(), bytes.len() - 1);
        // Mid-record: nothing is parsed before the record is whole.
        assert!(!p.server_hello_seen());
        assert_eq!(p.stage(), TimeoutStage::AwaitingServerHello);

        let mut p = HelloParser::new(CAP);
        let mut two = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0x002f));
        two.extend(wire::record(22, 0x0303, &wire::certificate(&[fake_cert(3, 100)])));
        assert_eq!(p.feed(&two), Ok(Progress::NeedMore));
        assert!(p.server_hello_seen());
        assert_eq!(p.stage(), TimeoutStage::ReadingServerFlight);
        let partial = handshake_from_parser(&p);
        assert!(!partial.complete);
        assert_eq!(partial.cipher_suite, "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert_eq!(partial.chain_pem.len(), 1);
    }

    #[test]
    fn http_answer_is_named() {
        let (_, r) = feed_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        let e = r.unwrap_err();
        assert!(matches!(&e, RawError::NotTls { looks_like: Some(k), .. } if k == "HTTP"));
        assert_eq!(e.to_string(), "not TLS: looks like HTTP (\"HTTP/1.1 400 Bad\")");
    }

    #[test]
    fn garbage_prefix_is_not_tls_even_before_a_valid_flight() {
        let mut bytes = vec![0x00, 0x01, 0xfe];
        bytes.extend(wire::record(22, 0x0303, &flight_messages()));
        let (p, r) = feed_all(&bytes);
        match r {
            Err(RawError::NotTls { first_bytes, looks_like, .. }) => {
                assert!(first_bytes.starts_with("00 01 fe 16 03 03"), "{first_bytes}");
                assert_eq!(looks_like, None);
            }
            other => panic!("expected NotTls, got {other:?}"),
        }
        assert!(!p.server_hello_seen());
        // A bad major version is caught as soon as the second byte is there.
        let mut p = HelloParser::new(CAP);
        assert!(matches!(p.feed(&[22, 2]), Err(RawError::NotTls { .. })));
        // The error is sticky.
        assert!(matches!(p.feed(&[0, 0, 0]), Err(RawError::NotTls { .. })));
    }

    #[test]
    fn garbage_after_a_valid_record_is_malformed_not_not_tls() {
        let mut bytes = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f));
        bytes.extend_from_slice(b"GET / HTTP/1.0");
        assert_malformed(&bytes, "record 2 does not start like a TLS record");
    }

    #[test]
    fn record_length_lies() {
        // Too long: beyond what TLS allows in one record.
        assert_malformed(&[22, 3, 3, 0xff, 0xff, 2], "record length 65535");
        // Zero.
        assert_malformed(&[22, 3, 3, 0, 0], "empty handshake record");
        assert_malformed(&[21, 3, 3, 0, 0], "empty alert record");
        // Too short: the record ends inside the ServerHello, and the rest of the hello
        // is then read as the next record header.
        let hello = wire::server_hello(0x0303, 0xc02f);
        let mut bytes = vec![22, 3, 3, 0, 10];
        bytes.extend_from_slice(&hello);
        assert_malformed(&bytes, "does not start like a TLS record");
        // Too long but within the limit: the parser just waits for bytes that never come.
        let mut bytes = vec![22, 3, 3, 0x10, 0x00];
        bytes.extend_from_slice(&hello);
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::NeedMore));
        assert!(!p.server_hello_seen());
    }

    #[test]
    fn handshake_length_lies() {
        let hello = wire::server_hello(0x0303, 0xc02f);
        // Too short: the ServerHello body is cut, its fields run out.
        let mut short = hello.clone();
        short[3] = 20;
        short.truncate(4 + 20);
        assert_malformed(&wire::record(22, 0x0303, &short), "ServerHello random needs 32 bytes, only 18 left");
        // Zero.
        assert_malformed(&wire::record(22, 0x0303, &wire::handshake(2, &[])), "ServerHello version needs 2 bytes");
        // Too long: beyond the cap is refused from the header alone.
        let mut bytes = wire::record(22, 0x0303, &hello);
        bytes.extend(wire::record(22, 0x0303, &[11, 0x10, 0x00, 0x00, 0, 0]));
        let (_, r) = feed_all(&bytes);
        let e = r.unwrap_err();
        assert_eq!(e, RawError::TooLarge { what: "Certificate message".into(), size: 1 << 20, cap: CAP as u64 });
        assert_eq!(e.to_string(), "Certificate message of 1048576 bytes exceeds the 262144-byte cap");
        // Too long but under the cap: waits; the flight is incomplete.
        let mut long = hello.clone();
        long[3] = long[3].wrapping_add(40);
        let (p, r) = feed_all(&wire::record(22, 0x0303, &long));
        assert_eq!(r, Ok(Progress::NeedMore));
        assert!(!p.server_hello_seen());
        // Trailing bytes inside a message are refused.
        let mut body = hello[4..].to_vec();
        body.push(0);
        assert_malformed(&wire::record(22, 0x0303, &wire::handshake(2, &body)), "trailing");
    }

    fn after_hello(msgs: &[Vec<u8>]) -> Vec<u8> {
        let mut hs = wire::server_hello(0x0303, 0xc02f);
        for m in msgs {
            hs.extend_from_slice(m);
        }
        wire::record(22, 0x0303, &hs)
    }

    #[test]
    fn certificate_length_lies() {
        // certificate_list longer than the message.
        let mut body = Vec::new();
        wire::put_u24(&mut body, 70000);
        body.extend_from_slice(&fake_cert(1, 50));
        let bytes = after_hello(&[wire::handshake(11, &body)]);
        let (_, r) = feed_all(&bytes);
        assert_eq!(r.unwrap_err().to_string(), "malformed: Certificate certificate_list length 70000 exceeds the message (50 bytes left)");
        // certificate_list shorter than the message.
        let mut body = Vec::new();
        wire::put_u24(&mut body, 10);
        body.extend_from_slice(&[0; 20]);
        assert_malformed(&after_hello(&[wire::handshake(11, &body)]), "trailing");
        // One entry longer than the list.
        let mut list = Vec::new();
        wire::put_u24(&mut list, 500);
        list.extend_from_slice(&[1; 40]);
        let mut body = Vec::new();
        wire::put_u24(&mut body, list.len());
        body.extend_from_slice(&list);
        assert_malformed(&after_hello(&[wire::handshake(11, &body)]), "certificate length 500 exceeds");
        // A zero-length entry.
        assert_malformed(&after_hello(&[wire::handshake(11, &[0, 0, 3, 0, 0, 0])]), "entry 1 is empty");
        // A zero-length list is a legal (if useless) empty chain.
        let bytes = after_hello(&[wire::handshake(11, &[0, 0, 0]), wire::server_hello_done()]);
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        assert!(p.certificates.is_empty());
    }

    #[test]
    fn other_length_lies() {
        // session_id longer than 32.
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(33);
        body.extend_from_slice(&[0; 33]);
        body.extend_from_slice(&[0xc0, 0x2f, 0]);
        assert_malformed(&wire::record(22, 0x0303, &wire::handshake(2, &body)), "session_id of 33 bytes");
        // Extensions block longer than the message.
        let mut hello = wire::server_hello(0x0303, 0xc02f);
        let n = hello.len();
        hello[n - 7] = 0x01; // extensions length 5 -> 261
        assert_malformed(&wire::record(22, 0x0303, &hello), "extensions length 261");
        // A distinguished name longer than the CA list.
        let mut body = vec![1, 1, 0, 2, 4, 1, 0, 4, 0, 9, 0x30, 0];
        assert_malformed(&after_hello(&[wire::handshake(13, &body)]), "distinguished name length 9");
        // Signature algorithms of odd length.
        body = vec![1, 1, 0, 1, 4, 0, 0];
        assert_malformed(&after_hello(&[wire::handshake(13, &body)]), "odd length");
        // ServerHelloDone with a body.
        assert_malformed(&after_hello(&[wire::handshake(14, &[0])]), "ServerHelloDone with a 1-byte body");
        // An alert record of one byte.
        assert_malformed(&[21, 3, 3, 0, 1, 2], "alert record of 1 bytes");
    }

    #[test]
    fn messages_out_of_order_are_refused() {
        assert_malformed(&wire::record(22, 0x0303, &wire::certificate(&[fake_cert(1, 10)])), "Certificate before ServerHello");
        assert_malformed(&after_hello(&[wire::server_hello(0x0303, 0xc02f)]), "second ServerHello");
        assert_malformed(&after_hello(&[wire::handshake(20, &[0; 12])]), "unexpected Finished");
        assert_malformed(
            &[wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f)), wire::record(20, 0x0303, &[1])].concat(),
            "ChangeCipherSpec before ServerHelloDone",
        );
    }

    #[test]
    fn alerts_are_named() {
        let (_, r) = feed_all(&wire::record(21, 0x0303, &[2, 40]));
        let e = r.unwrap_err();
        assert_eq!(e, RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() });
        assert_eq!(e.to_string(), "TLS alert: handshake_failure (40)");
        for (code, name) in [
            (70, "protocol_version"),
            (71, "insufficient_security"),
            (112, "unrecognized_name"),
            (48, "unknown_ca"),
            (250, "unknown_alert"),
        ] {
            assert_eq!(alert_name(code), name);
        }
        // close_notify ends the handshake even as a warning.
        let (_, r) = feed_all(&wire::record(21, 0x0303, &[1, 0]));
        assert_eq!(r.unwrap_err().to_string(), "TLS alert (warning): close_notify (0)");
        // Other warnings are noted and the handshake goes on.
        let mut bytes = wire::record(21, 0x0303, &[1, 112]);
        bytes.extend(wire::record(22, 0x0303, &flight_messages()));
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.warning_alerts, vec![112]);
    }

    #[test]
    fn total_cap_applies_to_many_small_records() {
        let mut bytes = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f));
        // ServerKeyExchange messages are skipped, but still count toward the cap.
        for _ in 0..40 {
            bytes.extend(wire::record(22, 0x0303, &wire::handshake(12, &[0; 1000])));
        }
        let mut p = HelloParser::new(16 * 1024);
        match p.feed(&bytes) {
            Err(RawError::TooLarge { what, size, cap }) => {
                assert_eq!(what, "server handshake flight");
                assert!(size > cap && cap == 16 * 1024);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn one_byte_records_are_reassembled_without_quadratic_cost() {
        // A 40 KB chain in 1-byte records: about 240 KB on the wire, under the cap.
        let mut hs = wire::server_hello(0x0303, 0xc02f);
        hs.extend(wire::certificate(&[fake_cert(7, 40_000)]));
        hs.extend(wire::server_hello_done());
        let bytes = wire::records(22, 0x0303, &hs, 1);
        assert!(bytes.len() < CAP);
        let started = std::time::Instant::now();
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.certificates, vec![fake_cert(7, 40_000)]);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }

    #[test]
    fn tls10_certificate_request_has_no_signature_algorithms() {
        let mut hs = wire::server_hello(0x0301, 0x002f);
        hs.extend(wire::certificate(&[fake_cert(5, 300)]));
        hs.extend(wire::certificate_request(0x0301, &[vec![0x30, 0x00]]));
        hs.extend(wire::server_hello_done());
        let (p, r) = feed_all(&wire::records(22, 0x0301, &hs, 100));
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.version, 0x0301);
        assert_eq!(p.cipher_suite, 0x002f);
        assert!(p.client_cert_requested);
        assert_eq!(p.acceptable_ca_names, vec![vec![0x30, 0x00]]);
        let h = handshake_from_parser(&p);
        assert_eq!(h.version.to_string(), "TLSv1.0");
        assert_eq!(h.cipher_suite, "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert!(h.complete);
        assert_eq!(h.acceptable_ca_names, vec![String::new()]);
    }

    #[test]
    fn supported_versions_in_server_hello_wins() {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(0);
        body.extend_from_slice(&[0x13, 0x01, 0]);
        body.extend_from_slice(&[0, 6, 0, 43, 0, 2, 3, 4]);
        let mut hs = wire::handshake(2, &body);
        hs.extend(wire::server_hello_done());
        let (p, r) = feed_all(&wire::record(22, 0x0303, &hs));
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.version, 0x0304);
        assert_eq!(suite_name(p.cipher_suite), Some("TLS_AES_128_GCM_SHA256"));
    }

    /// Walks a ClientHello record and returns (suites, extension types, sni).
    fn dissect_hello(rec: &[u8]) -> (Vec<u16>, Vec<u16>, Option<String>) {
        assert_eq!(&rec[..3], &[22, 3, 1]);
        assert_eq!(usize::from(u16::from_be_bytes([rec[3], rec[4]])), rec.len() - 5);
        let hs = &rec[5..];
        assert_eq!(hs[0], 1);
        let len = usize::from(hs[1]) << 16 | usize::from(hs[2]) << 8 | usize::from(hs[3]);
        assert_eq!(len, hs.len() - 4);
        let mut r = Reader::new("ClientHello", &hs[4..]);
        assert_eq!(r.u16("v").unwrap(), 0x0303);
        r.take(32, "random").unwrap();
        assert!(r.vec(1, "sid").unwrap().is_empty());
        let suites: Vec<u16> = r.vec(2, "suites").unwrap().chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        assert_eq!(r.vec(1, "comp").unwrap(), &[0]);
        let mut ext = Reader::new("ext", r.vec(2, "exts").unwrap());
        r.finish().unwrap();
        let mut types = Vec::new();
        let mut sni = None;
        while !ext.is_empty() {
            let t = ext.u16("t").unwrap();
            let data = ext.vec(2, "d").unwrap();
            if t == 0 {
                let mut s = Reader::new("sni", data);
                let mut list = Reader::new("sni", s.vec(2, "list").unwrap());
                assert_eq!(list.u8("type").unwrap(), 0);
                sni = Some(String::from_utf8(list.vec(2, "name").unwrap().to_vec()).unwrap());
            }
            types.push(t);
        }
        (suites, types, sni)
    }

    #[test]
    fn client_hello_offers_the_legacy_capable_list() {
        let rec = client_hello(Some("lyncpool.corp.example.com."));
        let (suites, exts, sni) = dissect_hello(&rec);
        assert_eq!(suites, OFFERED_SUITES);
        assert!(suites.iter().all(|s| s >> 8 != 0x13), "no TLS 1.3 suites");
        for s in &suites {
            assert!(suite_name(*s).is_some(), "suite 0x{s:04x} has a name");
        }
        assert!(suites.contains(&0x000a) && suites.contains(&0x002f) && suites.contains(&0xc013));
        assert_eq!(exts, vec![0, 10, 11, 13, 0xff01]);
        assert_eq!(sni.as_deref(), Some("lyncpool.corp.example.com"));
        // IP literals and junk are not sent as SNI.
        for target in [Some("10.1.2.3"), Some("::1"), Some(""), Some("bad name"), None] {
            let (_, exts, sni) = dissect_hello(&client_hello(target));
            assert_eq!(sni, None, "{target:?}");
            assert_eq!(exts, vec![10, 11, 13, 0xff01]);
        }
        // The random differs between calls.
        assert_ne!(client_hello(None)[11..43], client_hello(None)[11..43]);
    }

    #[test]
    fn pem_encoding_round_trips() {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::CertificateDer;
        for len in [1usize, 2, 3, 4, 47, 48, 49, 1000] {
            let der: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let pem = crate::certinfo::der_to_pem(&der);
            assert!(pem.lines().all(|l| l.len() <= 64));
            let back = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
            assert_eq!(back.as_ref(), der.as_slice(), "length {len}");
        }
    }

    #[test]
    fn errors_read_well_and_round_trip_through_json() {
        let cases = [
            (
                RawError::Timeout { stage: TimeoutStage::AwaitingServerHello, after_bytes: 0, timeout_ms: 800 },
                "no answer within 800 ms after ClientHello",
            ),
            (RawError::Reset { after_bytes: 0 }, "connection reset by peer after 0 bytes"),
            (RawError::Closed { after_bytes: 1234 }, "peer closed the connection after 1234 bytes, before ServerHelloDone"),
            (RawError::ConnectTimeout { timeout_ms: 500 }, "no TCP connection within 500 ms"),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
        let obs = RawObservation { elapsed_ms: 12, outcome: RawOutcome::Failed(RawError::ConnectRefused), partial: None };
        let json = serde_json::to_string(&obs).unwrap();
        assert!(json.contains("\"kind\":\"connect_refused\""), "{json}");
        assert_eq!(serde_json::from_str::<RawObservation>(&json).unwrap(), obs);
        let (p, _) = feed_all(&wire::record(22, 0x0303, &flight_messages()));
        let obs = RawObservation { elapsed_ms: 3, outcome: RawOutcome::Handshake(handshake_from_parser(&p)), partial: None };
        let json = serde_json::to_string(&obs).unwrap();
        assert_eq!(serde_json::from_str::<RawObservation>(&json).unwrap(), obs);
    }

    /// Cheap in-tree fuzzing: mutated flights fed whole and in random pieces must
    /// never panic, and the outcome must not depend on how the bytes were split.
    #[test]
    fn mutated_flights_never_panic_and_ignore_chunking() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let bases = [
            wire::records(22, 0x0303, &flight_messages(), 300),
            wire::legacy_flight(0x0301, 0x002f, &[fake_cert(9, 400)], true),
            [wire::record(21, 0x0303, &[1, 112]), wire::record(22, 0x0303, &flight_messages())].concat(),
        ];
        for round in 0..20_000 {
            let mut bytes = bases[round % bases.len()].clone();
            let edits = 1 + next() % 4;
            for _ in 0..edits {
                let at = (next() as usize) % bytes.len().max(1);
                match next() % 4 {
                    0 => bytes[at] = next() as u8,
                    1 => bytes[at] = bytes[at].wrapping_add(1),
                    2 => bytes.truncate(at),
                    _ => bytes.insert(at, next() as u8),
                }
                if bytes.is_empty() {
                    bytes.push(22);
                }
            }
            let cap = if round % 5 == 0 { 1500 } else { CAP };
            let mut whole = HelloParser::new(cap);
            let r1 = whole.feed(&bytes);
            let mut pieces = HelloParser::new(cap);
            let mut r2 = Ok(Progress::NeedMore);
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = 1 + (next() as usize) % 64;
                let (a, b) = rest.split_at(n.min(rest.len()));
                r2 = pieces.feed(a);
                rest = b;
            }
            match (&r1, &r2) {
                // How many bytes a NotTls preview shows depends on what had arrived.
                (Err(RawError::NotTls { .. }), Err(RawError::NotTls { .. })) => {}
                _ => assert_eq!(r1, r2, "round {round}"),
            }
            if r1.is_ok() {
                assert_eq!(whole.certificates, pieces.certificates);
                assert_eq!(whole.acceptable_ca_names, pieces.acceptable_ca_names);
                let _ = handshake_from_parser(&whole);
            }
        }
    }
}
