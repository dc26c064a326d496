//! A finding: one verdict about one target, and the statuses it can have.

use super::catalog::Severity;
use serde::{Deserialize, Serialize};

/// Verdict of one finding. Ordered from least to most severe for sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skip,
    Info,
    Warn,
    Fail,
}

impl Status {
    pub const ALL: [Status; 5] = [Status::Pass, Status::Info, Status::Warn, Status::Fail, Status::Skip];

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
    pub check: String,
    pub target: String,
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

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn evidence(mut self, evidence: impl Serialize) -> Self {
        self.evidence = serde_json::to_value(evidence).unwrap_or(serde_json::Value::Null);
        self
    }
}
