//! TLS path 1 observations: what a legacy-capable ClientHello (the one IM&P would
//! send) got back from a peer, read from the server's first flight in clear.

use super::tls::TlsVersion;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the probe was when its time ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutStage {
    SendingClientHello,
    AwaitingServerHello,
    ReadingServerFlight,
}

/// Why path 1 did not reach ServerHelloDone. Each variant says what happened and when,
/// because "handshake failed" alone does not tell an engineer where to look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RawError {
    ConnectTimeout {
        timeout_ms: u64,
    },
    ConnectRefused,
    Timeout {
        stage: TimeoutStage,
        after_bytes: u64,
        timeout_ms: u64,
    },
    Reset {
        after_bytes: u64,
    },
    Closed {
        after_bytes: u64,
    },
    Alert {
        level: String,
        code: u8,
        name: String,
    },
    NotTls {
        /// Hex of up to 16 bytes.
        first_bytes: String,
        /// The same bytes with anything unprintable shown as '.'.
        preview: String,
        /// What the bytes resemble ("HTTP", "SSH", ...), when recognisable.
        looks_like: Option<String>,
    },
    TooLarge {
        what: String,
        size: u64,
        cap: u64,
    },
    Malformed {
        what: String,
    },
    Io {
        message: String,
    },
}

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawError::ConnectTimeout { timeout_ms } => {
                write!(f, "no TCP connection within {timeout_ms} ms")
            }
            RawError::ConnectRefused => write!(f, "connection refused (nothing listens on the port)"),
            RawError::Timeout { stage, after_bytes, timeout_ms } => match stage {
                TimeoutStage::SendingClientHello => {
                    write!(f, "could not send the ClientHello within {timeout_ms} ms")
                }
                TimeoutStage::AwaitingServerHello if *after_bytes == 0 => {
                    write!(f, "no answer within {timeout_ms} ms after ClientHello")
                }
                TimeoutStage::AwaitingServerHello => {
                    write!(f, "no complete ServerHello within {timeout_ms} ms ({after_bytes} bytes received)")
                }
                TimeoutStage::ReadingServerFlight => {
                    write!(f, "peer stalled after {after_bytes} bytes: no ServerHelloDone within {timeout_ms} ms")
                }
            },
            RawError::Reset { after_bytes } => {
                write!(f, "connection reset by peer after {after_bytes} bytes")
            }
            RawError::Closed { after_bytes } => write!(f, "peer closed the connection after {after_bytes} bytes, before ServerHelloDone"),
            RawError::Alert { level, code, name } => {
                if level == "fatal" {
                    write!(f, "TLS alert: {name} ({code})")
                } else {
                    write!(f, "TLS alert ({level}): {name} ({code})")
                }
            }
            RawError::NotTls { first_bytes, preview, looks_like } => match looks_like {
                Some(kind) => write!(f, "not TLS: looks like {kind} ({preview:?})"),
                None => write!(f, "not TLS: first bytes {first_bytes} ({preview:?})"),
            },
            RawError::TooLarge { what, size, cap } => {
                write!(f, "{what} of {size} bytes exceeds the {cap}-byte cap")
            }
            RawError::Malformed { what } => write!(f, "malformed: {what}"),
            RawError::Io { message } => write!(f, "I/O error: {message}"),
        }
    }
}

impl std::error::Error for RawError {}

/// What path 1 saw of the server's first flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawHandshake {
    /// The version the peer chose.
    pub version: TlsVersion,
    /// IANA name, or "0x...." for an unknown code.
    pub cipher_suite: String,
    pub cipher_code: u16,
    /// PEM of each certificate as sent, leaf first.
    pub chain_pem: Vec<String>,
    pub client_cert_requested: bool,
    /// Distinguished names from CertificateRequest, rendered as text (or hex when the
    /// DER does not parse).
    pub acceptable_ca_names: Vec<String>,
    /// True when ServerHelloDone arrived, i.e. nothing was cut short.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOutcome {
    Handshake(RawHandshake),
    Failed(RawError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawObservation {
    pub elapsed_ms: u64,
    pub outcome: RawOutcome,
    /// On failure after a ServerHello: what had been parsed by then (version, suite,
    /// perhaps the chain), marked incomplete. Lets a report say "the peer chose TLS 1.0,
    /// then sent a 1 MB certificate" instead of losing the first half.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<RawHandshake>,
}
