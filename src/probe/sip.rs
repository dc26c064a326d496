//! SIP OPTIONS over an established (TLS) stream: the "does the peer answer SIP at all"
//! probe. The request is a well-formed RFC 3261 OPTIONS; the answer is read with a cap
//! on bytes and a deadline, skipping provisional responses, and parsed leniently
//! (folded lines, compact header names, bare LF line ends) but never trusted.

use std::time::{Duration, Instant};

use crate::snapshot::sip::{SipFailure, SipObservation, SipOutcome};
use crate::wire::sip::{find_head_end, not_sip, parse_response, random_token};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout_at;

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
        Err(message) => SipOutcome::Failed { kind: SipFailure::BadRequest, message },
    };
    SipObservation { elapsed_ms: crate::text::millis(start.elapsed()), outcome }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    request: &[u8],
    deadline: tokio::time::Instant,
    timeout: Duration,
    cap: usize,
) -> SipOutcome {
    let failed = |(kind, message): Failure| SipOutcome::Failed { kind, message };
    let write = async {
        stream.write_all(request).await?;
        stream.flush().await
    };
    match timeout_at(deadline, write).await {
        Err(_) => return failed((SipFailure::Timeout, format!("timed out after {} ms sending the OPTIONS request", timeout.as_millis()))),
        Ok(Err(e)) => return failed(read_error(&e, "sending the OPTIONS request failed")),
        Ok(Ok(())) => {}
    }

    let mut reader = ResponseReader::new(cap);
    let mut provisional = 0usize;
    loop {
        let head = match reader.next_head(stream, deadline, timeout).await {
            Ok(head) => head,
            Err(f) => return failed(f),
        };
        let response = match parse_response(&head) {
            Ok(r) => r,
            Err(e) => return failed((SipFailure::NotSip, e.to_string())),
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
            return failed((SipFailure::TooLarge, format!("gave up after {MAX_PROVISIONAL} provisional responses without a final one")));
        }
        // A provisional response rarely has a body, but skip one if it says so.
        if let Err(f) = reader.skip_body(stream, response.content_length, deadline, timeout).await {
            return failed(f);
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
    ) -> Result<bool, Failure> {
        let room = self.cap.saturating_sub(self.read_total);
        if room == 0 {
            return Err((SipFailure::TooLarge, format!("no complete SIP response within {} bytes (cap reached)", self.cap)));
        }
        let mut chunk = vec![0u8; room.min(8192)];
        match timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => Err((
                SipFailure::Timeout,
                if self.read_total == 0 {
                    format!("no SIP response within {} ms (the peer accepted the request and stayed silent)", timeout.as_millis())
                } else {
                    format!("timed out after {} ms with an incomplete SIP response ({} bytes read)", timeout.as_millis(), self.read_total)
                },
            )),
            Ok(Err(e)) => Err(read_error(&e, "reading the SIP response failed")),
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
    ) -> Result<Vec<u8>, Failure> {
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
                return Err((SipFailure::NotSip, not_sip(&self.buf)));
            }
            if !self.fill(stream, deadline, timeout).await? {
                return Err((
                    SipFailure::Closed,
                    if self.read_total == 0 {
                        "the peer closed the connection without answering the OPTIONS".to_string()
                    } else if self.buf.is_empty() {
                        "the peer closed the connection without sending a final response".to_string()
                    } else {
                        format!("the peer closed the connection in the middle of a SIP response ({} bytes)", self.buf.len())
                    },
                ));
            }
        }
    }

    async fn skip_body<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        len: usize,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<(), Failure> {
        if len > self.cap {
            return Err((
                SipFailure::TooLarge,
                format!("a provisional response announces a {len}-byte body, over the {}-byte cap", self.cap),
            ));
        }
        while self.buf.len() < len {
            if !self.fill(stream, deadline, timeout).await? {
                return Err((SipFailure::Closed, "the peer closed the connection inside a response body".to_string()));
            }
        }
        self.buf.drain(..len);
        Ok(())
    }
}

/// What went wrong, coarse and in words.
type Failure = (SipFailure, String);

/// Names a TLS alert arriving instead of an answer: TLS 1.3 peers reject a client
/// certificate this way, after the client already considers the handshake done.
fn read_error(e: &std::io::Error, doing: &str) -> Failure {
    use rustls::AlertDescription as A;
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::AlertReceived(alert)) => {
            let kind = match alert {
                A::CertificateRequired => SipFailure::ClientCertRequired,
                A::BadCertificate | A::UnknownCA | A::AccessDenied | A::CertificateUnknown | A::UnsupportedCertificate => {
                    SipFailure::ClientCertRejected
                }
                _ => SipFailure::TlsAlert,
            };
            (
                kind,
                format!(
                    "the peer ended the TLS session with alert {alert:?} instead of answering (with TLS 1.3 this is how a rejected client certificate shows)"
                ),
            )
        }
        _ if e.kind() == std::io::ErrorKind::UnexpectedEof => (SipFailure::Closed, format!("{doing}: {e}")),
        _ => (SipFailure::Io, format!("{doing}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

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
            SipOutcome::Failed { message, .. } => assert!(message.contains("not SIP"), "{message}"),
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
            SipOutcome::Failed { message, .. } => assert!(message.contains("cap"), "{message}"),
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
            SipOutcome::Failed { message, .. } => {
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
