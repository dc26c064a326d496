//! The sans-IO parser of the server's first flight: records reassembled into
//! handshake messages, every length checked, the total capped.

use super::*;

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
pub(super) struct Reader<'a> {
    msg: &'static str,
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(msg: &'static str, data: &'a [u8]) -> Self {
        Reader { msg, data }
    }

    pub(super) fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], RawError> {
        if n > self.data.len() {
            return Err(malformed(format!("{} {field} needs {n} bytes, only {} left", self.msg, self.data.len())));
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    pub(super) fn u8(&mut self, field: &str) -> Result<u8, RawError> {
        Ok(self.take(1, field)?[0])
    }

    pub(super) fn u16(&mut self, field: &str) -> Result<u16, RawError> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(super) fn u24(&mut self, field: &str) -> Result<usize, RawError> {
        let b = self.take(3, field)?;
        Ok(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }

    /// A length-prefixed vector whose length must fit in what is left.
    pub(super) fn vec(&mut self, len_bytes: usize, field: &str) -> Result<&'a [u8], RawError> {
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

    pub(super) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(super) fn finish(&self) -> Result<(), RawError> {
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
    pub(super) fn bad_header(&self) -> RawError {
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

    pub(super) fn process_records(&mut self) -> Result<Progress, RawError> {
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

    pub(super) fn process_alert(&mut self, payload: &[u8]) -> Result<(), RawError> {
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

    pub(super) fn process_handshake(&mut self) -> Result<(), RawError> {
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
    pub(super) fn check_order(&self, kind: u8) -> Result<(), RawError> {
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

    pub(super) fn handle_message(&mut self, kind: u8, body: &[u8]) -> Result<(), RawError> {
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

    pub(super) fn server_hello(&mut self, body: &[u8]) -> Result<(), RawError> {
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

    pub(super) fn certificate(&mut self, body: &[u8]) -> Result<(), RawError> {
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

    pub(super) fn certificate_request(&mut self, body: &[u8]) -> Result<(), RawError> {
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

pub(super) fn content_type_name(t: u8) -> &'static str {
    match t {
        CT_CHANGE_CIPHER_SPEC => "ChangeCipherSpec",
        CT_ALERT => "alert",
        CT_HANDSHAKE => "handshake",
        _ => "application data",
    }
}
