//! The check interface: a check declares what it needs observed, then judges the
//! snapshot as a pure function, returning findings.

use super::catalog::{Catalog, CheckMeta, TableError};
use super::finding::{Finding, Status};
use crate::inventory::{EvidenceSet, Inventory, Loaded};
use crate::snapshot::{Snapshot, SnapshotIndex};
use serde::{Deserialize, Serialize};

/// Something a check needs gathered from the network before it can judge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observation {
    /// Forward (A and AAAA) lookup of a name through the resolvers of the side(s) that
    /// must resolve it, then reverse lookups of every address returned, at the same
    /// resolvers.
    Dns {
        /// The name to look up.
        name: String,
        /// Whose resolvers must answer.
        side: DnsSide,
    },
    /// TLS to a peer's SIP port, both probe paths.
    Tls {
        /// The peer's host name (sent as SNI).
        host: String,
        /// The peer's SIP TLS port.
        port: u16,
    },
    /// SIP OPTIONS over the TLS connection to a peer.
    Sip {
        /// The peer's host name.
        host: String,
        /// The peer's SIP TLS port.
        port: u16,
    },
}

/// Which side's resolvers must answer for a name: Microsoft servers must resolve the
/// IM&P nodes, IM&P must resolve the Microsoft servers and pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsSide {
    /// IM&P's resolvers.
    Imp,
    /// The Microsoft side's resolvers.
    Microsoft,
    /// Both sides' resolvers.
    Both,
}

impl DnsSide {
    /// The side that covers both needs: the same side, or both.
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
    /// The site's inventory.
    pub inventory: &'a Inventory,
    /// The evidence files the inventory names, parsed.
    pub evidence: &'a EvidenceSet,
    /// What OBSERVE gathered (empty when offline).
    pub snapshot: &'a Snapshot,
    /// The snapshot's observations by name and address, built once per run.
    pub index: &'a SnapshotIndex<'a>,
    /// The rule catalog: words and data tables.
    pub catalog: &'a Catalog,
    /// The catalog entry of the check being judged.
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

    /// The rule holds for this target.
    pub fn pass(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Pass, summary)
    }

    /// The rule is broken: reported at the catalog's severity for this check.
    pub fn violation(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, self.meta.severity.into(), summary)
    }

    /// A warning, whatever the catalog's severity.
    pub fn warn(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Warn, summary)
    }

    /// A failure, whatever the catalog's severity.
    pub fn fail(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Fail, summary)
    }

    /// Worth knowing, not wrong.
    pub fn info(&self, target: impl Into<String>, summary: impl Into<String>) -> Finding {
        self.make(target, Status::Info, summary)
    }

    /// Cannot tell: says why (not applicable, input missing, probe not run).
    pub fn skip(&self, target: impl Into<String>, reason: impl Into<String>) -> Finding {
        self.make(target, Status::Skip, reason)
    }

    /// Read one of the catalog's data tables.
    pub fn table<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, TableError> {
        self.catalog.table(name)
    }

    /// A finding to return when a catalog table is missing or malformed.
    pub fn table_error(&self, err: TableError) -> Vec<Finding> {
        vec![self.skip("catalog", format!("cannot judge: {err}"))]
    }
}

/// How a check depends on the network, which follows from what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Judges inventory and evidence only.
    Offline,
    /// Judges observations: with `--offline` it cannot tell, so it is not run.
    Live,
    /// Judges inventory and evidence, and also observations when they were made
    /// (e.g. the ACL check compares addresses when DNS answered).
    Enriched,
}

/// A rule. Implementations live in `crate::checks`, one module per family, and are
/// described by an entry of the same id in `checks/<family>.toml`.
pub trait Check: Send + Sync {
    /// Stable id, e.g. `routing-node.services`; its family is the part before the dot.
    fn id(&self) -> &'static str;

    /// The family: the id's prefix (`routing-node`).
    fn family(&self) -> &'static str {
        let id = self.id();
        id.split_once('.').map(|(f, _)| f).unwrap_or(id)
    }

    /// How this check depends on the network.
    fn reach(&self) -> Reach {
        Reach::Offline
    }

    /// What must be observed on the network for this check; nothing by default.
    fn needs(&self, _site: &Loaded) -> Vec<Observation> {
        Vec::new()
    }

    /// Judge the snapshot. Pure: no I/O, no clock other than `ctx.now`.
    fn judge(&self, ctx: &Context<'_>) -> Vec<Finding>;
}

/// What a rule needs gathered.
type NeedsFn = fn(&Loaded) -> Vec<Observation>;
/// A rule's judgement.
type JudgeFn = fn(&Context<'_>) -> Vec<Finding>;

/// A check made of plain functions: what most rules need. Declared once, beside its
/// judge function; its catalog entry carries only the words.
pub struct Rule {
    id: &'static str,
    reach: Reach,
    judge: JudgeFn,
    needs: Option<NeedsFn>,
}

impl Rule {
    /// A rule that needs nothing from the network.
    pub fn offline(id: &'static str, judge: JudgeFn) -> Box<dyn Check> {
        Box::new(Rule { id, reach: Reach::Offline, judge, needs: None })
    }

    /// A rule that judges observations only: not run with `--offline`.
    pub fn live(id: &'static str, needs: NeedsFn, judge: JudgeFn) -> Box<dyn Check> {
        Box::new(Rule { id, reach: Reach::Live, judge, needs: Some(needs) })
    }

    /// A rule that judges inventory and evidence, and uses observations when made.
    pub fn enriched(id: &'static str, needs: NeedsFn, judge: JudgeFn) -> Box<dyn Check> {
        Box::new(Rule { id, reach: Reach::Enriched, judge, needs: Some(needs) })
    }
}

impl Check for Rule {
    fn id(&self) -> &'static str {
        self.id
    }
    fn reach(&self) -> Reach {
        self.reach
    }
    fn needs(&self, site: &Loaded) -> Vec<Observation> {
        self.needs.map(|n| n(site)).unwrap_or_default()
    }
    fn judge(&self, ctx: &Context<'_>) -> Vec<Finding> {
        (self.judge)(ctx)
    }
}
