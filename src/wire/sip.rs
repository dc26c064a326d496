//! SIP message heads on the wire: finding where a head ends and splitting it into a
//! start line and headers. Untrusted bytes in, never a panic out. The OPTIONS probe
//! reads peers' answers with it and the demo lab reads the probe's requests.

/// Random lowercase hex from the provider's secure generator; falls back to the
/// clock if that ever fails, since these tokens only need to be unique.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if crate::tlskit::random(&mut buf).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8;
        }
    }
    crate::text::hex(&buf)
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

/// The sentence reporting an answer that is not SIP, quoting its first bytes.
pub(crate) fn not_sip(buf: &[u8]) -> String {
    format!("the peer answered with something that is not SIP: {}", printable(buf.get(..buf.len().min(60)).unwrap_or(&[])))
}

/// A short, safe rendering of untrusted bytes for a message.
pub(crate) fn printable(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(bytes).chars().map(|c| if c.is_control() { '.' } else { c }).collect();
    format!("{text:?}")
}

/// Why bytes read from a peer are not a usable SIP message head. Untrusted text in a
/// variant is already quoted with [`printable`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum SipParseError {
    /// No start line at all.
    #[error("empty SIP message")]
    Empty,
    /// The answer does not start like SIP (the sentence from [`not_sip`]).
    #[error("{0}")]
    NotSip(String),
    /// A status line of another SIP version (the line, quoted).
    #[error("unsupported SIP version in status line {0}")]
    Version(String),
    /// A status line without a three-digit code in 100-699 (the line, quoted).
    #[error("malformed SIP status line {0}")]
    StatusLine(String),
    /// A Content-Length that is not a number (the value, quoted).
    #[error("malformed Content-Length {0}")]
    ContentLength(String),
}

/// The parts of a response this probe reports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParsedResponse {
    /// Status code, 100-699.
    pub status: u16,
    /// Reason phrase as sent (may be empty).
    pub reason: String,
    /// The `Server` header, when present.
    pub server: Option<String>,
    /// The methods of every `Allow` header, in order.
    pub allow: Vec<String>,
    /// The body's length (`Content-Length`, 0 when absent).
    pub content_length: usize,
}

/// A parsed message head: the start line and the headers in order, names in their
/// long form (compact forms expanded), values unfolded and trimmed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SipHead {
    /// The request or status line, trimmed.
    pub start_line: String,
    /// (name, value) pairs in order.
    pub headers: Vec<(String, String)>,
}

impl SipHead {
    /// First value of a header, by case-insensitive long name.
    pub(crate) fn get<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// Every value of a header, in order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Splits a head into its start line and headers. Lines that are neither a header
/// nor a continuation are ignored: a diagnostic reader reports what it can.
pub(crate) fn parse_head(head: &[u8]) -> Result<SipHead, SipParseError> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start_line = lines.next().map(str::trim).filter(|l| !l.is_empty()).ok_or(SipParseError::Empty)?.to_string();
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
pub(crate) fn parse_response(head: &[u8]) -> Result<ParsedResponse, SipParseError> {
    if !head.starts_with(b"SIP/") {
        return Err(SipParseError::NotSip(not_sip(head)));
    }
    let parsed = parse_head(head)?;
    let mut parts = parsed.start_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let reason = parts.next().unwrap_or_default().trim().to_string();
    if version != "SIP/2.0" {
        return Err(SipParseError::Version(printable(parsed.start_line.as_bytes())));
    }
    let status = match code.parse::<u16>() {
        Ok(s) if code.len() == 3 && (100..=699).contains(&s) => s,
        _ => return Err(SipParseError::StatusLine(printable(parsed.start_line.as_bytes()))),
    };
    let content_length = match parsed.get("Content-Length") {
        None => 0,
        Some(v) => v.trim().parse::<usize>().map_err(|_| SipParseError::ContentLength(printable(v.as_bytes())))?,
    };
    let allow = parsed.all("Allow").flat_map(|v| v.split(',')).map(str::trim).filter(|m| !m.is_empty()).map(str::to_string).collect();
    Ok(ParsedResponse { status, reason, server: parsed.get("Server").map(str::to_string), allow, content_length })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
