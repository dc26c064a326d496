//! The check interface: a check declares what it needs observed, then judges the
//! snapshot as a pure function, returning findings.

use crate::catalog::{Catalog, CheckMeta, Severity};
use crate::inventory::{EvidenceSet, Inventory, Loaded};
use crate::snapshot::Snapshot;
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

/// Something a check needs gathered from the network before it can judge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observation {
    /// Forward (A and AAAA) lookup of a name through the resolvers of the side(s) that
    /// must resolve it, then reverse lookups of every address returned, at the same
    /// resolvers.
    Dns { name: String, side: DnsSide },
    /// TLS to a peer's SIP port, both probe paths.
    Tls { host: String, port: u16 },
    /// SIP OPTIONS over the TLS connection to a peer.
    Sip { host: String, port: u16 },
}

/// Which side's resolvers must answer for a name: Microsoft servers must resolve the
/// IM&P nodes, IM&P must resolve the Microsoft servers and pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsSide {
    Imp,
    Microsoft,
    Both,
}

impl DnsSide {
    pub fn merge(self, other: DnsSide) -> DnsSide {
        if self == other {
            self
        } else {
            DnsSide::Both
        }
    }
}

/// Everything a check may read. Nothing in here performs I/O.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub evidence: &'a EvidenceSet,
    pub snapshot: &'a Snapshot,
    pub catalog: &'a Catalog,
    pub meta: &'a CheckMeta,
    /// Time the judgement is made for (certificate validity, change windows).
    pub now: jiff::Timestamp,
    /// Work several checks share (parsed certificate chains), done once per run.
    pub cache: &'a JudgeCache,
}

/// A certificate chain parsed once: (DER, inspected) per certificate, leaf first.
pub type ParsedChain = Vec<(Vec<u8>, crate::certinfo::CertInfo)>;

/// Per-run memo for the judge phase: seven checks read each peer's chain.
#[derive(Default)]
pub struct JudgeCache {
    chains: std::sync::Mutex<std::collections::HashMap<std::net::SocketAddr, std::sync::Arc<Result<ParsedChain, String>>>>,
}

impl JudgeCache {
    /// The parsed chain of a probed peer, parsing it on first use.
    pub fn chain(
        &self,
        obs: &crate::snapshot::PeerObservation,
        parse: impl FnOnce() -> Result<ParsedChain, String>,
    ) -> std::sync::Arc<Result<ParsedChain, String>> {
        if let Some(hit) = self.chains.lock().ok().and_then(|m| m.get(&obs.addr).cloned()) {
            return hit;
        }
        let parsed = std::sync::Arc::new(parse());
        if let Ok(mut m) = self.chains.lock() {
            m.insert(obs.addr, parsed.clone());
        }
        parsed
    }
}

impl Context<'_> {
    fn make(&self, target: impl Into<String>, status: Status, summary: impl Into<String>) -> Finding {
        Finding::new(self.meta.id.clone(), target, status, summary)
    }

    pub fn pass(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Pass, summary)
    }

    /// The rule is broken: reported at the catalog's severity for this check.
    pub fn violation(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, self.meta.severity.into(), summary)
    }

    pub fn warn(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Warn, summary)
    }

    pub fn fail(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Fail, summary)
    }

    pub fn info(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Info, summary)
    }

    /// Cannot tell: says why (not applicable, input missing, probe not run).
    pub fn skip(&self, target: impl Into<String>, reason: impl Into<String>) -> Finding {
        self.make(target, Status::Skip, reason)
    }

    /// Read one of the catalog's data tables.
    pub fn table<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, String> {
        self.catalog.table(name)
    }

    /// A finding to return when a catalog table is missing or malformed.
    pub fn table_error(&self, err: String) -> Vec<Finding> {
        vec![self.skip("catalog", format!("cannot judge: {err}"))]
    }
}

/// A rule. Implementations live in `crate::checks`, one module per family, and are
/// described by an entry of the same id in `checks/<family>.toml`.
pub trait Check: Send + Sync {
    /// Stable id, e.g. `routing-node.services`.
    fn id(&self) -> &'static str;

    /// What must be observed on the network for this check; nothing by default.
    fn needs(&self, _site: &Loaded) -> Vec<Observation> {
        Vec::new()
    }

    /// Judge the snapshot. Pure: no I/O, no clock other than `ctx.now`.
    fn judge(&self, ctx: &Context<'_>) -> Vec<Finding>;
}

/// Does a selection pattern (an id or a family prefix) cover this check id?
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches(".*").trim_end_matches('.');
    id == pattern || id.strip_prefix(pattern).is_some_and(|rest| rest.starts_with('.'))
}

/// A check made of plain functions: what most rules need.
pub struct Rule {
    pub id: &'static str,
    pub judge: fn(&Context<'_>) -> Vec<Finding>,
    pub needs: fn(&Loaded) -> Vec<Observation>,
}

impl Rule {
    /// A rule that needs nothing from the network.
    pub fn offline(id: &'static str, judge: fn(&Context<'_>) -> Vec<Finding>) -> Box<dyn Check> {
        Box::new(Rule { id, judge, needs: |_| Vec::new() })
    }

    /// A rule that needs observations.
    pub fn live(id: &'static str, needs: fn(&Loaded) -> Vec<Observation>, judge: fn(&Context<'_>) -> Vec<Finding>) -> Box<dyn Check> {
        Box::new(Rule { id, judge, needs })
    }
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        self.id
    }
    fn needs(&self, site: &Loaded) -> Vec<Observation> {
        (self.needs)(site)
    }
    fn judge(&self, ctx: &Context<'_>) -> Vec<Finding> {
        (self.judge)(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_ids_and_families() {
        assert!(pattern_matches("dns", "dns.forward"));
        assert!(pattern_matches("dns.forward", "dns.forward"));
        assert!(pattern_matches("routes.vcs-conflict", "routes.vcs-conflict"));
        assert!(pattern_matches("routing-node", "routing-node.services"));
        assert!(!pattern_matches("routing", "routing-node.services"));
        assert!(!pattern_matches("dns.forw", "dns.forward"));
    }
}
