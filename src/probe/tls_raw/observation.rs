//! What the first flight says, as snapshot types: the errors a peer can cause and the
//! handshake observation built from a parser.

use super::*;

pub(super) fn malformed(what: impl Into<String>) -> RawError {
    RawError::Malformed { what: what.into() }
}

/// Names the bytes a non-TLS peer sent, so "not TLS" can say what it is instead.
pub(super) fn not_tls(bytes: &[u8]) -> RawError {
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
            let hex = crate::text::hex(der);
            format!("(unparsable DN) {hex}")
        }
    }
}
