//! PEM <-> DER for certificates: the one reader of certificate files (inventory
//! trust stores, the probes' client identity, captured chains).
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

/// Standard-alphabet base64 whether or not the block keeps its `=` padding, and
/// whatever the unused bits of the last symbol hold (some exporters leave them set).
const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn base64_encode(data: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, data)
}

/// Standard-alphabet base64; whitespace is ignored. The message says what is wrong
/// and where, counting symbols without the whitespace.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let packed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::Engine::decode(&ENGINE, packed.as_bytes()).map_err(|e| match e {
        base64::DecodeError::InvalidByte(pos, b'=') => format!("invalid base64: data after '=' padding at {pos}"),
        base64::DecodeError::InvalidByte(pos, _) => {
            let c = packed.get(pos..).and_then(|t| t.chars().next()).unwrap_or('?');
            format!("invalid base64: unexpected character {c:?} at {pos}")
        }
        base64::DecodeError::InvalidLength(_) => "invalid base64: truncated (length is not a multiple of 4)".to_string(),
        base64::DecodeError::InvalidLastSymbol(pos, _) => format!("invalid base64: bad last symbol at {pos}"),
        base64::DecodeError::InvalidPadding => "invalid base64: wrong padding".to_string(),
    })
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
