//! SIP observations: what a SIP OPTIONS over the TLS connection produced.

use serde::{Deserialize, Serialize};

/// What a SIP OPTIONS exchange produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SipObservation {
    /// Time from sending the request to the outcome.
    pub elapsed_ms: u64,
    /// The final answer, or why there was none.
    pub outcome: SipOutcome,
}

/// The final answer to the OPTIONS, or why none came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SipOutcome {
    /// A final (non-1xx) response arrived.
    Response {
        /// Status code, 200-699.
        status: u16,
        /// Reason phrase as sent.
        reason: String,
        /// The `Server` header, when present.
        server: Option<String>,
        /// The methods of the `Allow` header(s).
        allow: Vec<String>,
    },
    /// No final response.
    Failed {
        /// Why, coarse enough for checks to branch on.
        kind: SipFailure,
        /// What happened, for people.
        message: String,
    },
}

/// Why an OPTIONS exchange produced no final answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SipFailure {
    /// Nothing (or nothing complete) arrived in time.
    Timeout,
    /// The peer closed the connection before a final answer.
    Closed,
    /// The answer is not SIP, or is malformed SIP.
    NotSip,
    /// The answer went over the byte cap, or provisional responses never ended.
    TooLarge,
    /// The TLS session was ended with `certificate_required` instead of an answer: with
    /// TLS 1.3 this is how a peer refuses a client that presented no certificate.
    ClientCertRequired,
    /// The TLS session was ended with an alert refusing the client certificate that
    /// was presented (unknown CA, bad certificate, access denied).
    ClientCertRejected,
    /// The TLS session was ended with another alert.
    TlsAlert,
    /// The request could not be built (a name that cannot go in a SIP URI).
    BadRequest,
    /// Any other read or write error.
    Io,
}
