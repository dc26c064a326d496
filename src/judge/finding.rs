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

/// Why a problem finding shows as `info`: the waiver that accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverNote {
    /// Why the finding is accepted, as the waiver says.
    pub justification: String,
    /// The last day the waiver holds (YYYY-MM-DD).
    pub expires: String,
    /// The status before the waiver turned it into `info`.
    pub original_status: Status,
}

/// One verdict about one target (a node, a route, a domain, a peer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's id.
    pub check: String,
    /// The label people read; may carry addresses ("fe01 @ 10.0.0.5:5061").
    pub target: String,
    /// The target as names only (never addresses, versions or times), so two runs of
    /// the same site pair their findings. Derived from `target` unless a check sets it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_id: String,
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
    /// Set when a waiver turned a fail or warn into info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

impl Finding {
    /// A finding with no detail, remediation or evidence yet.
    pub fn new(check: impl Into<String>, target: impl Into<String>, status: Status, summary: impl Into<String>) -> Finding {
        let target = target.into();
        Finding {
            check: check.into(),
            target_id: target_id_of(&target),
            target,
            status,
            summary: summary.into(),
            detail: None,
            remediation: None,
            evidence: serde_json::Value::Null,
            waiver: None,
        }
    }

    /// Name the target for matching across runs when the label carries something
    /// that changes between runs (a version, a window's dates).
    pub fn target_id(mut self, id: impl Into<String>) -> Self {
        self.target_id = id.into();
        self
    }

    /// The stable id: the one set, else derived from the label (reports written
    /// before ids existed carry none).
    pub fn stable_id(&self) -> std::borrow::Cow<'_, str> {
        if self.target_id.is_empty() {
            std::borrow::Cow::Owned(target_id_of(&self.target))
        } else {
            std::borrow::Cow::Borrowed(&self.target_id)
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

/// The one place a target label becomes a stable id: addresses are dropped, names and
/// ports kept. `fe01.contoso.com @ 10.0.0.5:5061` → `fe01.contoso.com:5061`;
/// `fe01.contoso.com (10.0.0.5)` → `fe01.contoso.com (address)`; any other address
/// in the label → `address`.
pub fn target_id_of(target: &str) -> String {
    // "name @ addr:port": the peer by name and port.
    if let Some((name, addr)) = target.rsplit_once(" @ ") {
        if let Ok(sa) = addr.trim().parse::<std::net::SocketAddr>() {
            return format!("{}:{}", name.trim(), sa.port());
        }
        if addr.trim().parse::<std::net::IpAddr>().is_ok() {
            return name.trim().to_string();
        }
    }
    let mut out = String::with_capacity(target.len());
    for (i, word) in target.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&word_id(word));
    }
    out
}

/// One space-separated word of a label, with an address in it replaced.
fn word_id(word: &str) -> String {
    let inner = word.trim_start_matches('(').trim_end_matches([')', ',', ';', ':']);
    let is_addr = !inner.is_empty()
        && (inner.parse::<std::net::IpAddr>().is_ok()
            || inner.parse::<std::net::SocketAddr>().is_ok()
            || inner.trim_start_matches('[').trim_end_matches(']').parse::<std::net::Ipv6Addr>().is_ok());
    if !is_addr {
        return word.to_string();
    }
    // Keep the punctuation around the address: "(10.0.0.5)" → "(address)".
    let start = word.find(inner).unwrap_or(0);
    format!("{}address{}", &word[..start], &word[start + inner.len()..])
}

#[cfg(test)]
mod tests {
    use super::target_id_of;

    #[test]
    fn target_ids_keep_names_and_drop_addresses() {
        assert_eq!(target_id_of("fe01.contoso.com @ 10.0.0.5:5061"), "fe01.contoso.com:5061");
        assert_eq!(target_id_of("fe01.contoso.com @ [2001:db8::5]:5061"), "fe01.contoso.com:5061");
        assert_eq!(target_id_of("imp-b.contoso.com (10.1.1.23)"), "imp-b.contoso.com (address)");
        assert_eq!(target_id_of("route to 10.0.0.7, TLS"), "route to address, TLS");
        assert_eq!(target_id_of("fedlab.example via fe1.fedlab.example"), "fedlab.example via fe1.fedlab.example");
        assert_eq!(target_id_of("*"), "*");
        assert_eq!(target_id_of("imp route .example.fedlab.* → fe1"), "imp route .example.fedlab.* → fe1");
        // A version number is not an address.
        assert_eq!(target_id_of("jabber-windows 14.1"), "jabber-windows 14.1");
    }
}
