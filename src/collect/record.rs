//! collect.json: what was asked of whom, when, with which TLS verification and what
//! came of it. Schema `fedcheck.collect/v1`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::tls::TlsRecord;

/// The schema name written into every collect.json.
pub const SCHEMA: &str = "fedcheck.collect/v1";

/// The whole of collect.json: the run's settings, every node asked and how it went.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectRecord {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The fedcheck version (and git revision, when known) that wrote the record.
    pub tool_version: String,
    /// When the collection started (RFC 3339 timestamp).
    pub started_at: String,
    /// When the collection finished (RFC 3339 timestamp).
    pub finished_at: String,
    /// The inventory that named the nodes.
    pub inventory: String,
    /// The inventory written beside the evidence (relative to collect.json).
    pub site: String,
    /// The administrator user the calls authenticated as.
    pub user: String,
    /// HTTPS port the nodes were asked on.
    pub port: u16,
    /// Timeout of one call, in milliseconds.
    pub timeout_ms: u64,
    /// How many nodes were asked at once.
    pub concurrency: u16,
    /// How the nodes' certificates were verified.
    pub tls: TlsRecord,
    /// Every node asked, in inventory order.
    pub nodes: Vec<NodeRecord>,
    /// Counts of the calls' outcomes over all nodes.
    pub summary: Summary,
    /// 0 everything collected, 5 something was not.
    pub exit_code: i32,
}

/// One node of the inventory and the calls made to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeRecord {
    /// The node's FQDN, without a trailing dot.
    pub fqdn: String,
    /// The node's product as the inventory names it (`imp` or `cucm`).
    pub product: String,
    /// Where the connection went: the inventory's `ip` or the FQDN, with the port.
    pub address: String,
    /// The calls made to this node, in the order asked.
    pub calls: Vec<CallRecord>,
}

/// One call to one node: what was asked, how long it took and what came of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallRecord {
    /// services, version, hardware or cluster.
    pub call: String,
    /// The service and operation asked, as the API documentation names them.
    pub api: String,
    /// The HTTPS URL the request was sent to.
    pub url: String,
    /// Whether the audit needs this call's answer (a 404 from an optional call is "not
    /// offered").
    pub required: bool,
    /// When the call started (RFC 3339 timestamp).
    pub started_at: String,
    /// How long the call took, in milliseconds (0 when it was never made).
    pub elapsed_ms: u64,
    /// What came of the call.
    pub outcome: CallOutcome,
    /// The HTTP status the node answered with, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Size of the answer's body in bytes, when one was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
    /// The evidence file written, relative to the output folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What the answer holds, e.g. "52 services".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Why the call failed or was skipped; absent when it was collected or not offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// What came of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// The node answered and the answer was saved as evidence.
    Collected,
    /// The node answered 404: it does not offer this API.
    NotOffered,
    /// The call failed: [`CallRecord::failure`] says why.
    Failed,
    /// Not asked: an earlier call to the same node could not reach it.
    Skipped,
}

/// Why a call failed, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The node refused the TCP connection.
    ConnectionRefused,
    /// No complete answer within the timeout.
    Timeout,
    /// HTTP 401: wrong user or password.
    Unauthorized,
    /// HTTP 403: the user lacks the role for this API.
    Forbidden,
    /// The certificate is valid but names another host.
    CertificateNameMismatch,
    /// The certificate does not chain to a trusted CA (or is expired, revoked…).
    CertificateUntrusted,
    /// The TLS handshake failed for another reason than the certificate.
    TlsHandshake,
    /// The node answered with a SOAP fault.
    SoapFault,
    /// The answer is not well-formed XML.
    MalformedXml,
    /// Well-formed, but not the answer this call expects.
    UnexpectedAnswer,
    /// The answer was larger than the size cap.
    TooLarge,
    /// A required API answered 404.
    NotOffered,
    /// The node answered an HTTP status the call does not expect.
    HttpStatus,
    /// DNS failure, reset, or another transport fault.
    Connection,
}

impl FailureKind {
    /// Whether later calls to the same node would fail the same way (no point asking).
    pub fn node_unreachable(self) -> bool {
        matches!(
            self,
            FailureKind::ConnectionRefused
                | FailureKind::Timeout
                | FailureKind::CertificateNameMismatch
                | FailureKind::CertificateUntrusted
                | FailureKind::TlsHandshake
                | FailureKind::Connection
        )
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::ConnectionRefused => "connection refused",
            FailureKind::Timeout => "timeout",
            FailureKind::Unauthorized => "401 unauthorized",
            FailureKind::Forbidden => "403 forbidden",
            FailureKind::CertificateNameMismatch => "certificate for another name",
            FailureKind::CertificateUntrusted => "untrusted certificate",
            FailureKind::TlsHandshake => "TLS handshake failed",
            FailureKind::SoapFault => "SOAP fault",
            FailureKind::MalformedXml => "malformed XML",
            FailureKind::UnexpectedAnswer => "unexpected answer",
            FailureKind::TooLarge => "answer over the size cap",
            FailureKind::NotOffered => "API not offered (404)",
            FailureKind::HttpStatus => "HTTP error",
            FailureKind::Connection => "connection failed",
        })
    }
}

/// A failed call: its kind and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The kind of failure.
    pub kind: FailureKind,
    /// What went wrong, in words.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` described by `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure { kind, message: message.into() }
    }
}

/// Counts of the calls' outcomes over a collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of nodes asked.
    pub nodes: usize,
    /// Calls collected.
    pub collected: usize,
    /// Calls not offered (optional APIs that answered 404).
    pub not_offered: usize,
    /// Calls that failed.
    pub failed: usize,
    /// Calls not asked because an earlier call to the node could not reach it.
    pub skipped: usize,
}

impl Summary {
    /// Counts the outcomes of every call of `nodes`.
    pub fn of(nodes: &[NodeRecord]) -> Summary {
        let mut s = Summary { nodes: nodes.len(), ..Summary::default() };
        for c in nodes.iter().flat_map(|n| &n.calls) {
            match c.outcome {
                CallOutcome::Collected => s.collected += 1,
                CallOutcome::NotOffered => s.not_offered += 1,
                CallOutcome::Failed => s.failed += 1,
                CallOutcome::Skipped => s.skipped += 1,
            }
        }
        s
    }
}
