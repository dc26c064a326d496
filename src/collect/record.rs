//! collect.json: what was asked of whom, when, with which TLS verification and what
//! came of it. Schema `fedcheck.collect/v1`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::tls::TlsRecord;

pub const SCHEMA: &str = "fedcheck.collect/v1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectRecord {
    pub schema: String,
    pub tool_version: String,
    pub started_at: String,
    pub finished_at: String,
    /// The inventory that named the nodes.
    pub inventory: String,
    /// The inventory written beside the evidence (relative to collect.json).
    pub site: String,
    pub user: String,
    pub port: u16,
    pub timeout_ms: u64,
    pub concurrency: u16,
    pub tls: TlsRecord,
    pub nodes: Vec<NodeRecord>,
    pub summary: Summary,
    /// 0 everything collected, 5 something was not.
    pub exit_code: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeRecord {
    pub fqdn: String,
    pub product: String,
    /// Where the connection went: the inventory's `ip` or the FQDN, with the port.
    pub address: String,
    pub calls: Vec<CallRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallRecord {
    /// services, version, hardware or cluster.
    pub call: String,
    pub api: String,
    pub url: String,
    pub required: bool,
    pub started_at: String,
    pub elapsed_ms: u64,
    pub outcome: CallOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
    /// The evidence file written, relative to the output folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What the answer holds, e.g. "52 services".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Collected,
    /// The node answered 404: it does not offer this API.
    NotOffered,
    Failed,
    /// Not asked: an earlier call to the same node could not reach it.
    Skipped,
}

/// Why a call failed, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    ConnectionRefused,
    Timeout,
    /// HTTP 401: wrong user or password.
    Unauthorized,
    /// HTTP 403: the user lacks the role for this API.
    Forbidden,
    /// The certificate is valid but names another host.
    CertificateNameMismatch,
    /// The certificate does not chain to a trusted CA (or is expired, revoked…).
    CertificateUntrusted,
    TlsHandshake,
    SoapFault,
    MalformedXml,
    /// Well-formed, but not the answer this call expects.
    UnexpectedAnswer,
    TooLarge,
    /// A required API answered 404.
    NotOffered,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure { kind, message: message.into() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub nodes: usize,
    pub collected: usize,
    pub not_offered: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
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
