//! A finding: one verdict about one target, and the statuses it can have.

use super::catalog::Severity;
use serde::{Deserialize, Serialize};

/// Verdict of one finding. Ordered from least to most severe for sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The rule holds.
    Pass,
    /// The check could not tell; the summary says why.
    Skip,
    /// Worth knowing, or a waived failure.
    Info,
    /// Likely to cause trouble; not certain to.
    Warn,
    /// The rule is broken: federation will not work as configured.
    Fail,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 5] = [Status::Pass, Status::Info, Status::Warn, Status::Fail, Status::Skip];

    /// The lowercase name used in every output (`pass`, `fail`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Info => "info",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Severity> for Status {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Fail => Status::Fail,
            Severity::Warn => Status::Warn,
            Severity::Info => Status::Info,
        }
    }
}

/// One verdict about one target (a node, a route, a domain, a peer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's id.
    pub check: String,
    /// What the verdict is about: a node, a route, a domain, a peer `host:port`.
    pub target: String,
    /// The verdict.
    pub status: Status,
    /// One line: what was found against what was expected.
    pub summary: String,
    /// More context, when one line is not enough.
    #[serde(default)]
    pub detail: Option<String>,
    /// The fix, from the catalog, on warn and fail findings.
    #[serde(default)]
    pub remediation: Option<String>,
    /// Raw facts behind the verdict (certificate fields, DNS answers, evidence lines).
    #[serde(default)]
    pub evidence: serde_json::Value,
}

impl Finding {
    /// A finding with no detail, remediation or evidence yet.
    pub fn new(check: impl Into<String>, target: impl Into<String>, status: Status, summary: impl Into<String>) -> Finding {
        Finding {
            check: check.into(),
            target: target.into(),
            status,
            summary: summary.into(),
            detail: None,
            remediation: None,
            evidence: serde_json::Value::Null,
        }
    }

    /// Adds more context than the one-line summary.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Attaches the facts the verdict rests on (serialized to JSON).
    pub fn evidence(mut self, evidence: impl Serialize) -> Self {
        self.evidence = serde_json::to_value(evidence).unwrap_or(serde_json::Value::Null);
        self
    }
}
