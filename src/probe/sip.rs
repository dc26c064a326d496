//! SIP OPTIONS over an established (TLS) stream: the "does the peer answer SIP at all"
//! probe. The request is a well-formed RFC 3261 OPTIONS; the answer is read with a cap
//! on bytes and a deadline, skipping provisional responses, and parsed leniently
//! (folded lines, compact header names, bare LF line ends) but never trusted.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout_at;

/// What a SIP OPTIONS exchange produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SipObservation {
    pub elapsed_ms: u64,
    pub outcome: SipOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SipOutcome {
    /// A final (non-1xx) response arrived.
    Response {
        status: u16,
        reason: String,
        server: Option<String>,
        allow: Vec<String>,
    },
    Failed {
        message: String,
    },
}

/// Most provisional responses we skip before giving up on a final one.
const MAX_PROVISIONAL: usize = 16;

/// Sends an OPTIONS for `target_host:target_port` and reads the final response's
/// headers, reading at most `cap` bytes in all and never waiting beyond `timeout`.
pub async fn options<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    target_host: &str,
    target_port: u16,
    local_host: &str,
    timeout: Duration,
    cap: usize,
) -> SipObservation {
    let start = Instant::now();
    let outcome = match build_options(target_host, target_port, local_host) {
        Ok(request) => {
            let deadline = tokio::time::Instant::from_std(deadline_after(start, timeout));
            exchange(stream, request.as_bytes(), deadline, timeout, cap).await
        }
        Err(message) => SipOutcome::Failed { message },
    };
    SipObservation { elapsed_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX), outcome }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    request: &[u8],
    deadline: tokio::time::Instant,
    timeout: Duration,
    cap: usize,
) -> SipOutcome {
    let failed = |message: String| SipOutcome::Failed { message };
    let write = async {
        stream.write_all(request).await?;
        stream.flush().await
    };
    match timeout_at(deadline, write).await {
        Err(_) => return failed(format!("timed out after {} ms sending the OPTIONS request", timeout.as_millis())),
        Ok(Err(e)) => return failed(format!("sending the OPTIONS request failed: {e}")),
        Ok(Ok(())) => {}
    }

    let mut reader = ResponseReader::new(cap);
    let mut provisional = 0usize;
    loop {
        let head = match reader.next_head(stream, deadline, timeout).await {
            Ok(head) => head,
            Err(message) => return failed(message),
        };
        let response = match parse_response(&head) {
            Ok(r) => r,
            Err(message) => return failed(message),
        };
        if response.status >= 200 {
            return SipOutcome::Response {
                status: response.status,
                reason: response.reason,
                server: response.server,
                allow: response.allow,
            };
        }
        provisional += 1;
        if provisional > MAX_PROVISIONAL {
            return failed(format!("gave up after {MAX_PROVISIONAL} provisional responses without a final one"));
        }
        // A provisional response rarely has a body, but skip one if it says so.
        if let Err(message) = reader.skip_body(stream, response.content_length, deadline, timeout).await {
            return failed(message);
        }
    }
}

/// `start + timeout`, saturating instead of panicking on absurd timeouts.
pub(crate) fn deadline_after(start: Instant, timeout: Duration) -> Instant {
    start.checked_add(timeout).or_else(|| start.checked_add(Duration::from_secs(365 * 86_400))).unwrap_or(start)
}

/// Builds the OPTIONS request. Host names are checked so that nothing a caller passes
/// can inject header lines.
fn build_options(target_host: &str, target_port: u16, local_host: &str) -> Result<String, String> {
    let target = uri_host(target_host, "target host")?;
    let local = via_host(local_host)?;
    let branch = random_token(12);
    let tag = random_token(8);
    let call_id = random_token(16);
    let version = env!("CARGO_PKG_VERSION");
    Ok(format!(
        "OPTIONS sip:{target}:{target_port};transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS {local};branch=z9hG4bK{branch}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:fedcheck@{local_uri}>;tag={tag}\r\n\
         To: <sip:{target}>\r\n\
         Call-ID: {call_id}@{local_uri}\r\n\
         CSeq: 1 OPTIONS\r\n\
         Contact: <sip:fedcheck@{local};transport=tls>\r\n\
         User-Agent: fedcheck/{version}\r\n\
         Accept: application/sdp\r\n\
         Content-Length: 0\r\n\
         \r\n",
        local_uri = strip_port(&local),
    ))
}

/// A host for a SIP URI: a name or IPv4 as is, an IPv6 literal in brackets.
fn uri_host(host: &str, what: &str) -> Result<String, String> {
    let host = host.trim();
    if host.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if host.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(format!("[{host}]"));
    }
    let ok = host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':'));
    if !ok {
        return Err(format!("the {what} {host:?} is not a valid host name"));
    }
    Ok(host.to_string())
}

/// The Via sent-by: a host, optionally with `:port`.
fn via_host(local: &str) -> Result<String, String> {
    uri_host(local, "local host")
}

/// `host:port` → `host` (leaves bracketed IPv6 and bare names alone).
fn strip_port(hostport: &str) -> &str {
    if hostport.starts_with('[') {
        return match hostport.find(']') {
            Some(end) => &hostport[..=end],
            None => hostport,
        };
    }
    match hostport.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => hostport,
    }
}

/// Random lowercase hex from the provider's secure generator; falls back to the
/// clock if that ever fails, since these tokens only need to be unique.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if rustls::crypto::aws_lc_rs::default_provider().secure_random.fill(&mut buf).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads SIP message heads from a stream, keeping any bytes past a head for the next
/// one and counting every byte against one cap.
struct ResponseReader {
    buf: Vec<u8>,
    /// Total bytes read from the stream so far.
    read_total: usize,
    cap: usize,
}

impl ResponseReader {
    fn new(cap: usize) -> Self {
        ResponseReader { buf: Vec::new(), read_total: 0, cap }
    }

    /// Reads more bytes; Ok(false) on end of stream.
    async fn fill<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<bool, String> {
        let room = self.cap.saturating_sub(self.read_total);
        if room == 0 {
            return Err(format!("no complete SIP response within {} bytes (cap reached)", self.cap));
        }
        let mut chunk = vec![0u8; room.min(8192)];
        match timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => Err(if self.read_total == 0 {
                format!("no SIP response within {} ms (the peer accepted the request and stayed silent)", timeout.as_millis())
            } else {
                format!("timed out after {} ms with an incomplete SIP response ({} bytes read)", timeout.as_millis(), self.read_total)
            }),
            Ok(Err(e)) => Err(read_error(&e)),
            Ok(Ok(0)) => Ok(false),
            Ok(Ok(n)) => {
                let got = chunk.get(..n).unwrap_or(&[]);
                self.buf.extend_from_slice(got);
                self.read_total += got.len();
                Ok(true)
            }
        }
    }

    /// The next message head (start line and headers, without the blank line).
    async fn next_head<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<Vec<u8>, String> {
        loop {
            // CRLF keep-alives (RFC 5626) may precede a message.
            let leading = self.buf.iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
            self.buf.drain(..leading);
            if let Some((head_len, total)) = find_head_end(&self.buf) {
                let head = self.buf.get(..head_len).unwrap_or(&[]).to_vec();
                self.buf.drain(..total.min(self.buf.len()));
                return Ok(head);
            }
            // Fail early on bytes that cannot be the start of a SIP response.
            if self.buf.len() >= 8 && !self.buf.starts_with(b"SIP/") {
                return Err(not_sip(&self.buf));
            }
            if !self.fill(stream, deadline, timeout).await? {
                return Err(if self.read_total == 0 {
                    "the peer closed the connection without answering the OPTIONS".to_string()
                } else if self.buf.is_empty() {
                    "the peer closed the connection without sending a final response".to_string()
                } else {
                    format!("the peer closed the connection in the middle of a SIP response ({} bytes)", self.buf.len())
                });
            }
        }
    }

    async fn skip_body<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        len: usize,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<(), String> {
        if len > self.cap {
            return Err(format!("a provisional response announces a {len}-byte body, over the {}-byte cap", self.cap));
        }
        while self.buf.len() < len {
            if !self.fill(stream, deadline, timeout).await? {
                return Err("the peer closed the connection inside a response body".to_string());
            }
        }
        self.buf.drain(..len);
        Ok(())
    }
}

/// Names a TLS alert arriving instead of an answer: TLS 1.3 peers reject a client
/// certificate this way, after the client already considers the handshake done.
fn read_error(e: &std::io::Error) -> String {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::AlertReceived(alert)) => format!(
            "the peer ended the TLS session with alert {alert:?} instead of answering (with TLS 1.3 this is how a rejected client certificate shows)"
        ),
        _ => format!("reading the SIP response failed: {e}"),
    }
}

/// Finds the blank line ending a head: returns (head length, head + terminator length).
/// Accepts CRLF, bare LF, or a mix of both.
pub(crate) fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(pos) = buf.get(i..)?.iter().position(|b| *b == b'\n') {
        let nl = i + pos;
        let after = nl + 1;
        match (buf.get(after), buf.get(after + 1)) {
            (Some(b'\n'), _) => return Some((head_len(buf, nl), after + 1)),
            (Some(b'\r'), Some(b'\n')) => return Some((head_len(buf, nl), after + 2)),
            _ => {}
        }
        i = after;
    }
    None
}

/// Length of the head ending with the line break at `nl` (dropping its CR).
fn head_len(buf: &[u8], nl: usize) -> usize {
    if nl > 0 && buf.get(nl - 1) == Some(&b'\r') {
        nl - 1
    } else {
        nl
    }
}

fn not_sip(buf: &[u8]) -> String {
    format!("the peer answered with something that is not SIP: {}", printable(buf.get(..buf.len().min(60)).unwrap_or(&[])))
}

/// A short, safe rendering of untrusted bytes for a message.
fn printable(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(bytes).chars().map(|c| if c.is_control() { '.' } else { c }).collect();
    format!("{text:?}")
}

/// The parts of a response this probe reports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParsedResponse {
    pub status: u16,
    pub reason: String,
    pub server: Option<String>,
    pub allow: Vec<String>,
    pub content_length: usize,
}

/// A parsed message head: the start line and the headers in order, names in their
/// long form (compact forms expanded), values unfolded and trimmed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SipHead {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
}

impl SipHead {
    /// First value of a header, by case-insensitive long name.
    pub fn get<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// Every value of a header, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Splits a head into its start line and headers. Lines that are neither a header
/// nor a continuation are ignored: a diagnostic reader reports what it can.
pub(crate) fn parse_head(head: &[u8]) -> Result<SipHead, String> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start_line = lines.next().map(str::trim).filter(|l| !l.is_empty()).ok_or_else(|| "empty SIP message".to_string())?.to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // A folded continuation of the previous header (RFC 3261 7.3.1).
            if let Some((_, value)) = headers.last_mut() {
                let more = line.trim();
                if !more.is_empty() {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(more);
                }
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        headers.push((long_name(name).to_string(), value.trim().to_string()));
    }
    Ok(SipHead { start_line, headers })
}

/// Expands the compact header forms of RFC 3261 (and a few extensions).
fn long_name(name: &str) -> &str {
    if name.len() != 1 {
        return name;
    }
    match name.to_ascii_lowercase().as_str() {
        "i" => "Call-ID",
        "m" => "Contact",
        "e" => "Content-Encoding",
        "l" => "Content-Length",
        "c" => "Content-Type",
        "f" => "From",
        "s" => "Subject",
        "k" => "Supported",
        "t" => "To",
        "v" => "Via",
        "o" => "Event",
        "r" => "Refer-To",
        "b" => "Referred-By",
        "u" => "Allow-Events",
        "x" => "Session-Expires",
        _ => name,
    }
}

/// Parses a response head (status line and headers).
pub(crate) fn parse_response(head: &[u8]) -> Result<ParsedResponse, String> {
    if !head.starts_with(b"SIP/") {
        return Err(not_sip(head));
    }
    let parsed = parse_head(head)?;
    let mut parts = parsed.start_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let reason = parts.next().unwrap_or_default().trim().to_string();
    if version != "SIP/2.0" {
        return Err(format!("unsupported SIP version in status line {}", printable(parsed.start_line.as_bytes())));
    }
    let status = match code.parse::<u16>() {
        Ok(s) if code.len() == 3 && (100..=699).contains(&s) => s,
        _ => return Err(format!("malformed SIP status line {}", printable(parsed.start_line.as_bytes()))),
    };
    let content_length = match parsed.get("Content-Length") {
        None => 0,
        Some(v) => v.trim().parse::<usize>().map_err(|_| format!("malformed Content-Length {}", printable(v.as_bytes())))?,
    };
    let allow = parsed.all("Allow").flat_map(|v| v.split(',')).map(str::trim).filter(|m| !m.is_empty()).map(str::to_string).collect();
    Ok(ParsedResponse { status, reason, server: parsed.get("Server").map(str::to_string), allow, content_length })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    #[test]
    fn parses_a_plain_crlf_response() {
        let head = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS a;branch=z9hG4bKx\r\nServer: RTCC/6.0.0.0 MediationServer\r\nAllow: INVITE, ACK,OPTIONS ,BYE\r\nContent-Length: 0";
        let r = parse_response(head).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.reason, "OK");
        assert_eq!(r.server.as_deref(), Some("RTCC/6.0.0.0 MediationServer"));
        assert_eq!(r.allow, vec!["INVITE", "ACK", "OPTIONS", "BYE"]);
        assert_eq!(r.content_length, 0);
    }

    #[test]
    fn parses_folded_headers_and_repeated_allow() {
        let head = b"SIP/2.0 200 OK\r\nServer: Cisco-SIPGateway\r\n  /IOS-15\r\nAllow: INVITE,\r\n\tOPTIONS\r\nallow: MESSAGE\r\nContent-Length: 0";
        let r = parse_response(head).unwrap();
        assert_eq!(r.server.as_deref(), Some("Cisco-SIPGateway /IOS-15"));
        assert_eq!(r.allow, vec!["INVITE", "OPTIONS", "MESSAGE"]);
    }

    #[test]
    fn parses_compact_forms_and_bare_lf() {
        let head = b"SIP/2.0 404 Not Found\nv: SIP/2.0/TLS a\ni: abc@host\nl: 12\nserver: x";
        let r = parse_response(head).unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.reason, "Not Found");
        assert_eq!(r.content_length, 12);
        assert_eq!(r.server.as_deref(), Some("x"));
        let h = parse_head(head).unwrap();
        assert_eq!(h.get("call-id"), Some("abc@host"));
        assert_eq!(h.get("Via"), Some("SIP/2.0/TLS a"));
    }

    #[test]
    fn rejects_non_sip_and_malformed_status_lines() {
        assert!(parse_response(b"HTTP/1.1 400 Bad Request").is_err());
        assert!(parse_response(b"SIP/2.0 2000 OK").is_err());
        assert!(parse_response(b"SIP/2.0 099 Weird").is_err());
        assert!(parse_response(b"SIP/3.0 200 OK").is_err());
        assert!(parse_response(b"SIP/2.0 200 OK\r\nContent-Length: lots").is_err());
        assert!(parse_response(b"").is_err());
        // A reason phrase is optional.
        assert_eq!(parse_response(b"SIP/2.0 503").unwrap().status, 503);
    }

    #[test]
    fn head_end_handles_crlf_lf_and_mixed() {
        assert_eq!(find_head_end(b"A\r\nB\r\n\r\nbody"), Some((4, 8)));
        assert_eq!(find_head_end(b"A\nB\n\nbody"), Some((3, 5)));
        assert_eq!(find_head_end(b"A\r\nB\n\r\n"), Some((4, 7)));
        assert_eq!(find_head_end(b"A\r\nB\r\n"), None);
        assert_eq!(find_head_end(b""), None);
    }

    #[test]
    fn request_is_well_formed_and_rejects_injection() {
        let req = build_options("fe.ms.example", 5061, "imp-rt.cisco.example:5062").unwrap();
        assert!(req.starts_with("OPTIONS sip:fe.ms.example:5061;transport=tls SIP/2.0\r\n"));
        assert!(req.contains("\r\nVia: SIP/2.0/TLS imp-rt.cisco.example:5062;branch=z9hG4bK"));
        assert!(req.contains("\r\nFrom: <sip:fedcheck@imp-rt.cisco.example>;tag="));
        assert!(req.contains("\r\nCSeq: 1 OPTIONS\r\n"));
        assert!(req.contains("\r\nMax-Forwards: 70\r\n"));
        assert!(req.ends_with("Content-Length: 0\r\n\r\n"));
        let v6 = build_options("::1", 5061, "127.0.0.1").unwrap();
        assert!(v6.starts_with("OPTIONS sip:[::1]:5061;transport=tls"));
        assert!(build_options("evil\r\nX: y", 5061, "a").is_err());
        assert!(build_options("fe", 5061, "").is_err());
    }

    /// Runs `options` against a scripted peer that answers with `reply` once the
    /// request arrived.
    async fn against(reply: &'static [u8], cap: usize) -> SipObservation {
        let (mut client, mut server) = duplex(1 << 16);
        let peer = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let mut got = Vec::new();
            while find_head_end(&got).is_none() {
                let n = server.read(&mut buf).await.unwrap();
                if n == 0 {
                    return;
                }
                got.extend_from_slice(&buf[..n]);
            }
            server.write_all(reply).await.unwrap();
            // Keep the stream open until the client is done.
            let _ = server.read(&mut buf).await;
        });
        let obs = options(&mut client, "fe.ms.example", 5061, "127.0.0.1", Duration::from_millis(500), cap).await;
        drop(client);
        let _ = peer.await;
        obs
    }

    #[tokio::test]
    async fn skips_100_trying_then_reads_the_final_response() {
        let obs = against(
            b"SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n\r\nSIP/2.0 200 OK\r\nServer: Lab\r\nAllow: OPTIONS\r\nContent-Length: 0\r\n\r\n",
            65536,
        )
        .await;
        assert_eq!(
            obs.outcome,
            SipOutcome::Response { status: 200, reason: "OK".into(), server: Some("Lab".into()), allow: vec!["OPTIONS".into()] }
        );
    }

    #[tokio::test]
    async fn a_provisional_body_is_skipped() {
        let obs = against(b"SIP/2.0 180 Ringing\nl: 5\n\nhelloSIP/2.0 486 Busy Here\n\n", 65536).await;
        match obs.outcome {
            SipOutcome::Response { status, .. } => assert_eq!(status, 486),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn garbage_is_reported_as_not_sip() {
        let obs = against(b"HTTP/1.1 400 Bad Request\r\n\r\n", 65536).await;
        match obs.outcome {
            SipOutcome::Failed { message } => assert!(message.contains("not SIP"), "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn oversize_heads_hit_the_cap() {
        static BIG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let big = BIG.get_or_init(|| {
            let mut v = b"SIP/2.0 200 OK\r\n".to_vec();
            for _ in 0..500 {
                v.extend_from_slice(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
            }
            v
        });
        let obs = against(big, 4096).await;
        match obs.outcome {
            SipOutcome::Failed { message } => assert!(message.contains("cap"), "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn silence_times_out_within_bounds() {
        let (mut client, _server) = duplex(1 << 16);
        let start = Instant::now();
        let obs = options(&mut client, "fe", 5061, "127.0.0.1", Duration::from_millis(300), 65536).await;
        assert!(start.elapsed() < Duration::from_millis(1000));
        match obs.outcome {
            SipOutcome::Failed { message } => {
                assert!(message.contains("no SIP response"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn close_without_answer_is_named() {
        let (mut client, server) = duplex(1 << 16);
        drop(server);
        let obs = options(&mut client, "fe", 5061, "127.0.0.1", Duration::from_millis(300), 65536).await;
        assert!(matches!(obs.outcome, SipOutcome::Failed { .. }));
    }
}
