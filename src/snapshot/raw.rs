//! TLS path 1 observations: what a legacy-capable ClientHello (the one IM&P would
//! send) got back from a peer, read from the server's first flight in clear.

use super::tls::TlsVersion;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the probe was when its time ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutStage {
    /// Writing the ClientHello.
    SendingClientHello,
    /// Waiting for (the rest of) the ServerHello.
    AwaitingServerHello,
    /// Reading the rest of the flight, up to ServerHelloDone.
    ReadingServerFlight,
}

/// Why path 1 did not reach ServerHelloDone. Each variant says what happened and when,
/// because "handshake failed" alone does not tell an engineer where to look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RawError {
    /// No TCP connection in time.
    ConnectTimeout {
        /// The connect budget, in milliseconds.
        timeout_ms: u64,
    },
    /// Nothing listens on the port.
    ConnectRefused,
    /// The peer went quiet during the handshake.
    Timeout {
        /// Where the handshake was.
        stage: TimeoutStage,
        /// Bytes received before the silence.
        after_bytes: u64,
        /// The budget that ran out, in milliseconds.
        timeout_ms: u64,
    },
    /// The peer reset the connection.
    Reset {
        /// Bytes received before the reset.
        after_bytes: u64,
    },
    /// The peer closed the connection before ServerHelloDone.
    Closed {
        /// Bytes received before the close.
        after_bytes: u64,
    },
    /// The peer sent a TLS alert.
    Alert {
        /// `fatal` or `warning`.
        level: String,
        /// The alert's code.
        code: u8,
        /// The alert's name (`handshake_failure`, ...).
        name: String,
    },
    /// The first bytes back are not a TLS record.
    NotTls {
        /// Hex of up to 16 bytes.
        first_bytes: String,
        /// The same bytes with anything unprintable shown as '.'.
        preview: String,
        /// What the bytes resemble ("HTTP", "SSH", ...), when recognisable.
        looks_like: Option<String>,
    },
    /// The peer sent more than the probe reads.
    TooLarge {
        /// What was too large (a record, a message, the flight).
        what: String,
        /// Its size in bytes, as announced or as received.
        size: u64,
        /// The cap in bytes.
        cap: u64,
    },
    /// Bytes that break the TLS framing.
    Malformed {
        /// Which message and field, and how.
        what: String,
    },
    /// A socket error not covered above.
    Io {
        /// The operating system's message.
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
    /// The suite's code on the wire.
    pub cipher_code: u16,
    /// PEM of each certificate as sent, leaf first.
    pub chain_pem: Vec<String>,
    /// The server sent a CertificateRequest (it asks for a client certificate).
    pub client_cert_requested: bool,
    /// Distinguished names from CertificateRequest, rendered as text (or hex when the
    /// DER does not parse).
    pub acceptable_ca_names: Vec<String>,
    /// True when ServerHelloDone arrived, i.e. nothing was cut short.
    pub complete: bool,
}

/// How path 1 ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOutcome {
    /// The flight arrived, up to ServerHelloDone.
    Handshake(RawHandshake),
    /// The flight did not complete; why.
    Failed(RawError),
}

/// Path 1 at one address and port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawObservation {
    /// How long the attempt took, in milliseconds.
    pub elapsed_ms: u64,
    /// How it ended.
    pub outcome: RawOutcome,
    /// On failure after a ServerHello: what had been parsed by then (version, suite,
    /// perhaps the chain), marked incomplete. Lets a report say "the peer chose TLS 1.0,
    /// then sent a 1 MB certificate" instead of losing the first half.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<RawHandshake>,
}
