//! TLS observations and the vocabulary both probe paths and the checks share:
//! protocol versions, cipher suite names, alert names; then path 2's (rustls)
//! handshake outcome.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A TLS (or SSL) protocol version. Ordered from oldest to newest; stored as the text
/// people write ("TLSv1.2"), an unknown code as hex ("0x7f1c").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum TlsVersion {
    /// SSL 3.0: broken (POODLE), never acceptable.
    Ssl3,
    /// TLS 1.0.
    Tls10,
    /// TLS 1.1.
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
    /// A code that is no known version.
    Other(u16),
}

impl TlsVersion {
    /// The version for its code on the wire.
    pub fn from_code(code: u16) -> TlsVersion {
        match code {
            0x0300 => TlsVersion::Ssl3,
            0x0301 => TlsVersion::Tls10,
            0x0302 => TlsVersion::Tls11,
            0x0303 => TlsVersion::Tls12,
            0x0304 => TlsVersion::Tls13,
            n => TlsVersion::Other(n),
        }
    }

    /// The code on the wire.
    pub fn code(self) -> u16 {
        match self {
            TlsVersion::Ssl3 => 0x0300,
            TlsVersion::Tls10 => 0x0301,
            TlsVersion::Tls11 => 0x0302,
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
            TlsVersion::Other(n) => n,
        }
    }

    /// TLS 1.2 or newer: what current Cisco and Microsoft releases expect.
    pub fn is_modern(self) -> bool {
        matches!(self, TlsVersion::Tls12 | TlsVersion::Tls13)
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsVersion::Ssl3 => f.write_str("SSLv3"),
            TlsVersion::Tls10 => f.write_str("TLSv1.0"),
            TlsVersion::Tls11 => f.write_str("TLSv1.1"),
            TlsVersion::Tls12 => f.write_str("TLSv1.2"),
            TlsVersion::Tls13 => f.write_str("TLSv1.3"),
            TlsVersion::Other(n) => write!(f, "0x{n:04x}"),
        }
    }
}

impl From<TlsVersion> for String {
    fn from(v: TlsVersion) -> String {
        v.to_string()
    }
}

impl From<String> for TlsVersion {
    fn from(s: String) -> TlsVersion {
        let known = [TlsVersion::Ssl3, TlsVersion::Tls10, TlsVersion::Tls11, TlsVersion::Tls12, TlsVersion::Tls13];
        if let Some(v) = known.into_iter().find(|v| v.to_string().eq_ignore_ascii_case(s.trim())) {
            return v;
        }
        let hex = s.trim().trim_start_matches("0x");
        TlsVersion::Other(u16::from_str_radix(hex, 16).unwrap_or(0))
    }
}

/// (IANA code, IANA name, OpenSSL name). The IM&P UI and its TLS contexts use the
/// OpenSSL spelling, RFCs and Microsoft use the IANA one; reports may need either.
const SUITES: &[(u16, &str, &str)] = &[
    (0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"),
    (0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"),
    (0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"),
    (0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"),
    (0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"),
    (0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384"),
    (0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"),
    (0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384"),
    (0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"),
    (0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"),
    (0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"),
    (0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"),
    (0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"),
    (0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"),
    (0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"),
    (0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256"),
    (0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"),
    (0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"),
    // Not offered, but a broken peer may name them and reports should still read well.
    (0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"),
    (0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5"),
    (0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"),
    (0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"),
];

/// What the ClientHello offers, in preference order: forward-secret AEAD first, then
/// forward-secret CBC, then the static-RSA suites old Microsoft servers may insist on.
pub const OFFERED_SUITES: &[u16] = &[
    0xc02f, 0xc030, 0xc02b, 0xc02c, // ECDHE + AES-GCM
    0xc027, 0xc028, 0xc023, 0xc024, // ECDHE + AES-CBC (SHA-2)
    0xc013, 0xc014, 0xc009, 0xc00a, // ECDHE + AES-CBC (SHA-1)
    0x009c, 0x009d, // RSA + AES-GCM
    0x003c, 0x003d, 0x002f, 0x0035, // RSA + AES-CBC
    0x000a, // RSA + 3DES
];

/// The IANA name of a cipher suite (the form RFCs and Microsoft documents use).
pub fn suite_name(id: u16) -> Option<&'static str> {
    SUITES.iter().find(|s| s.0 == id).map(|s| s.1)
}

/// The code of a suite named the OpenSSL way (IM&P's UI) or the IANA way.
pub fn suite_id(name: &str) -> Option<u16> {
    let n = name.trim();
    SUITES.iter().find(|s| s.1.eq_ignore_ascii_case(n) || s.2.eq_ignore_ascii_case(n)).map(|s| s.0)
}

/// The OpenSSL name of a cipher suite (the form IM&P's TLS contexts show).
pub fn suite_openssl_name(id: u16) -> Option<&'static str> {
    SUITES.iter().find(|s| s.0 == id).map(|s| s.2)
}

/// The name of a TLS alert description (RFC 5246 / 8446 registry).
pub fn alert_name(code: u8) -> &'static str {
    match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => "unknown_alert",
    }
}

/// What one handshake attempt produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsObservation {
    /// How long the attempt took, TCP connect included, in milliseconds.
    pub elapsed_ms: u64,
    /// How it ended.
    pub outcome: TlsOutcome,
}

/// How a path 2 handshake ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum TlsOutcome {
    /// The handshake completed.
    Connected {
        /// TLS 1.2 or 1.3 (what rustls speaks).
        version: TlsVersion,
        /// IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".
        cipher_suite: String,
        /// The chain as the peer sent it, leaf first.
        chain_pem: Vec<String>,
        /// The peer sent a CertificateRequest.
        client_cert_requested: bool,
        /// A client certificate was presented in answer.
        client_cert_sent: bool,
    },
    /// The handshake did not complete.
    Failed {
        /// Why, coarse enough for checks to branch on.
        kind: TlsFailure,
        /// What happened, for people.
        message: String,
        /// Whatever chain arrived before the failure (may be empty).
        chain_pem: Vec<String>,
        /// The peer sent a CertificateRequest before the failure.
        client_cert_requested: bool,
    },
}

/// Why a handshake failed, coarse enough for checks to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsFailure {
    /// No TCP connection in time.
    ConnectTimeout,
    /// Nothing listens on the port.
    ConnectRefused,
    /// TCP connected; the handshake did not finish in time.
    HandshakeTimeout,
    /// The peer reset the connection during the handshake.
    Reset,
    /// The peer closed the connection during the handshake.
    Closed,
    /// The peer ended the handshake with an alert (named in the message).
    Alert,
    /// The peer offers nothing rustls implements: a limit of this probe.
    NoCommonParameters,
    /// The peer's handshake signature does not verify with its certificate's key.
    BadSignature,
    /// The peer asked for a client certificate, none was presented, and it ended the
    /// handshake for that reason.
    ClientCertRequired,
    /// The peer refused the client certificate that was presented.
    ClientCertRejected,
    /// The peer's answer is not TLS.
    NotTls,
    /// Any other socket error.
    Io,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_and_round_trip() {
        assert!(TlsVersion::Tls10 < TlsVersion::Tls12);
        assert!(TlsVersion::Ssl3 < TlsVersion::Tls10);
        for code in [0x0300u16, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c] {
            let v = TlsVersion::from_code(code);
            assert_eq!(v.code(), code);
            assert_eq!(TlsVersion::from(v.to_string()), v);
        }
        assert_eq!(TlsVersion::from_code(0x0302).to_string(), "TLSv1.1");
        assert_eq!(TlsVersion::from_code(0x7f1c).to_string(), "0x7f1c");
        assert!(TlsVersion::Tls13.is_modern() && !TlsVersion::Tls11.is_modern());
    }

    #[test]
    fn suites_by_either_name() {
        assert_eq!(suite_id("ECDHE-RSA-AES256-GCM-SHA384"), Some(0xc030));
        assert_eq!(suite_id("tls_rsa_with_aes_128_cbc_sha"), Some(0x002f));
        assert_eq!(suite_name(0x000a), Some("TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
        assert_eq!(suite_openssl_name(0xc02f), Some("ECDHE-RSA-AES128-GCM-SHA256"));
        assert_eq!(suite_id("NOT-A-SUITE"), None);
        assert_eq!(alert_name(116), "certificate_required");
    }
}
