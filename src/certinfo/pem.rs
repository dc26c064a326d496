//! PEM <-> DER for certificates, with a small base64 codec of our own.
//!
//! Admins paste certificates out of e-mails, Windows exports and `openssl s_client`
//! output, so the reader ignores any text around the blocks and accepts CRLF, while a
//! block that is damaged is reported by its number rather than silently dropped.

use super::CertError;

/// Labels that carry a plain X.509 certificate.
const CERT_LABELS: [&str; 2] = ["CERTIFICATE", "X509 CERTIFICATE"];

/// Extracts the DER of every certificate block in `text`, in order.
///
/// Blocks with other labels (keys, CSRs) are skipped. Errors name the certificate
/// block (counting from 1): bad base64, a missing END line, an empty block. Text with
/// no certificate block at all is an error too.
pub fn pem_to_ders(text: &str) -> Result<Vec<Vec<u8>>, CertError> {
    enum State {
        Outside,
        InCert { number: usize, body: String },
        InOther { label: String },
    }

    let mut out = Vec::new();
    let mut number = 0usize;
    let mut state = State::Outside;

    for raw_line in text.lines() {
        let line = raw_line.trim();
        state = match state {
            State::Outside => match begin_label(line) {
                Some(label) if CERT_LABELS.contains(&label) => {
                    number += 1;
                    State::InCert { number, body: String::new() }
                }
                Some(label) => State::InOther { label: label.to_string() },
                None => State::Outside,
            },
            State::InOther { label } => {
                if end_label(line) == Some(label.as_str()) {
                    State::Outside
                } else {
                    State::InOther { label }
                }
            }
            State::InCert { number, mut body } => {
                if let Some(label) = end_label(line) {
                    if !CERT_LABELS.contains(&label) {
                        return Err(CertError::PemWrongEnd { block: number, label: label.to_string() });
                    }
                    let der = base64_decode(&body).map_err(|reason| CertError::PemBase64 { block: number, reason })?;
                    if der.is_empty() {
                        return Err(CertError::PemEmptyBlock { block: number });
                    }
                    out.push(der);
                    State::Outside
                } else if begin_label(line).is_some() {
                    return Err(CertError::PemUnterminated { block: number });
                } else {
                    // RFC 1421 header lines ("Proc-Type: ...") carry no base64.
                    if !line.contains(':') {
                        body.push_str(line);
                    }
                    State::InCert { number, body }
                }
            }
        };
    }

    if let State::InCert { number, .. } = state {
        return Err(CertError::PemUnterminated { block: number });
    }
    if out.is_empty() {
        return Err(CertError::NoPemBlock);
    }
    Ok(out)
}

/// Encodes one DER certificate as a PEM block (64-character lines, trailing newline).
pub fn der_to_pem(der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // The encoder only emits ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn begin_label(line: &str) -> Option<&str> {
    line.strip_prefix("-----BEGIN ")?.strip_suffix("-----")
}

fn end_label(line: &str) -> Option<&str> {
    line.strip_prefix("-----END ")?.strip_suffix("-----")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// Strict standard-alphabet base64; whitespace is ignored, `=` only at the very end.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut values = Vec::with_capacity(text.len());
    let mut padding = 0usize;
    for (pos, c) in text.chars().filter(|c| !c.is_whitespace()).enumerate() {
        if c == '=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return Err(format!("invalid base64: data after '=' padding at {pos}"));
        }
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' => 62,
            '/' => 63,
            other => return Err(format!("invalid base64: unexpected character {other:?} at {pos}")),
        };
        values.push(v);
    }
    if padding > 2 || (values.len() + padding) % 4 != 0 && padding > 0 {
        return Err("invalid base64: wrong padding".to_string());
    }
    if values.len() % 4 == 1 {
        return Err("invalid base64: truncated (length is not a multiple of 4)".to_string());
    }

    let mut out = Vec::with_capacity(values.len() * 3 / 4);
    for group in values.chunks(4) {
        let n = group.iter().enumerate().fold(0u32, |acc, (i, v)| acc | (v << (18 - 6 * i as u32)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        // 2 symbols give 1 byte, 3 give 2, 4 give 3.
        out.extend_from_slice(&bytes[..group.len() - 1]);
    }
    Ok(out)
}

#[cfg(test)]
mod codec_tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_tail_length() {
        for len in 0..70usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = base64_encode(&data);
            assert_eq!(enc.len() % 4, 0);
            assert_eq!(base64_decode(&enc).unwrap(), data, "length {len}");
        }
    }

    #[test]
    fn base64_known_vectors_and_rejections() {
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("Zm9v\r\nYmE=").unwrap(), b"fooba");
        assert!(base64_decode("Zm9v!").unwrap_err().contains("'!'"));
        assert!(base64_decode("Zm=9v").unwrap_err().contains("after '='"));
        assert!(base64_decode("Zm9vY").unwrap_err().contains("truncated"));
        assert!(base64_decode("Zm9v===").is_err());
    }
}
