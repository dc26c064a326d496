//! JUDGE: every selected check over one snapshot, then the report model: findings in
//! a stable order, their counts, and the run's facts.

use super::catalog::{Catalog, Severity};
use super::check::{Context, JudgeCache, Reach};
use super::finding::{Finding, Status};
use super::select::Selection;
use super::waivers::Waivers;
use crate::inventory::Loaded;
use crate::snapshot::{Snapshot, SnapshotIndex};
use serde::{Deserialize, Serialize};

/// The JSON report's schema.
pub const REPORT_SCHEMA: &str = "fedcheck.report/v1";

/// How many findings a run has of each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings that passed.
    pub pass: usize,
    /// Informational findings (waived failures included).
    pub info: usize,
    /// Warnings.
    pub warn: usize,
    /// Failures.
    pub fail: usize,
    /// Checks that could not tell, each with its reason.
    pub skip: usize,
}

impl Summary {
    /// Counts the findings by status.
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            match f.status {
                Status::Pass => s.pass += 1,
                Status::Info => s.info += 1,
                Status::Warn => s.warn += 1,
                Status::Fail => s.fail += 1,
                Status::Skip => s.skip += 1,
            }
        }
        s
    }
}

/// The program that wrote a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `fedcheck`.
    pub name: String,
    /// Its package version.
    pub version: String,
}

/// The outcome of a run, as serialised by `--json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The report's schema, [`REPORT_SCHEMA`].
    pub schema: String,
    /// Which program and version wrote it.
    pub tool: Tool,
    /// The inventory's site name.
    pub site: String,
    /// When the run started, RFC 3339.
    pub started_at: String,
    /// How long the run took, observation included.
    pub duration_ms: u64,
    /// Counts by status.
    pub summary: Summary,
    /// Every finding, in [`sort_findings`] order.
    pub findings: Vec<Finding>,
    /// Checks that crashed; any entry makes the exit code 1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internal_errors: Vec<String>,
}

/// JUDGE: run every selected check over the snapshot. Pure and deterministic given
/// `now`: findings are sorted by check, then target, then status and summary.
pub fn judge(
    loaded: &Loaded,
    catalog: &Catalog,
    snapshot: &Snapshot,
    selection: &Selection<'_>,
    now: jiff::Timestamp,
) -> (Vec<Finding>, Vec<String>) {
    let mut findings = Vec::new();
    let mut internal = Vec::new();
    let cache = JudgeCache::default();
    let index = SnapshotIndex::new(snapshot);
    for check in &selection.run {
        let Some(meta) = catalog.get(check.id()) else {
            continue;
        };
        if check.reach() == Reach::Live && !snapshot.live {
            let reason = snapshot.not_live_reason.clone().unwrap_or_else(|| "live probes not run".into());
            findings.push(skip_finding(check.id(), "*", &reason));
            continue;
        }
        let ctx = Context {
            inventory: &loaded.inventory,
            evidence: &loaded.evidence,
            snapshot,
            index: &index,
            catalog,
            meta,
            now,
            cache: &cache,
        };
        // A bug in one check must not take the whole audit down with it.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check.judge(&ctx))) {
            Ok(mut out) => {
                // Violations carry the fix; so does an info finding of a check whose
                // violations are info (a reminder still says what to do).
                let advisory = meta.severity == Severity::Info;
                for f in &mut out {
                    let wants_fix = matches!(f.status, Status::Warn | Status::Fail) || (advisory && f.status == Status::Info);
                    if wants_fix && f.remediation.is_none() {
                        f.remediation = Some(meta.fix.trim().to_string());
                    }
                }
                findings.extend(out);
            }
            Err(_) => {
                internal.push(format!("check `{}` crashed while judging", check.id()));
                findings.push(skip_finding(check.id(), "*", "internal error: this check crashed; please report it"));
            }
        }
    }
    for check in &selection.skipped {
        findings.push(skip_finding(check.id(), "*", "skipped by --skip"));
    }
    sort_findings(&mut findings);
    (findings, internal)
}

fn skip_finding(id: &str, target: &str, reason: &str) -> Finding {
    Finding::new(id, target, Status::Skip, reason)
}

/// Orders findings by check, target, status, then summary, so reports compare line by line.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.check.as_str(), a.target.as_str(), a.status, a.summary.as_str()).cmp(&(
            b.check.as_str(),
            b.target.as_str(),
            b.status,
            b.summary.as_str(),
        ))
    });
}

/// JUDGE a snapshot, apply waivers and wrap the findings in a report.
#[allow(clippy::too_many_arguments)]
pub fn build_report(
    loaded: &Loaded,
    catalog: &Catalog,
    snapshot: &Snapshot,
    selection: &Selection<'_>,
    waivers: Option<&Waivers>,
    now: jiff::Timestamp,
    started_at: String,
    took: std::time::Duration,
) -> Report {
    let (mut findings, internal_errors) = judge(loaded, catalog, snapshot, selection, now);
    if let Some(w) = waivers {
        // UTC: the same verdict on every machine that judges this snapshot.
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        super::waivers::apply(&mut findings, w, today);
    }
    Report {
        schema: REPORT_SCHEMA.into(),
        tool: Tool { name: crate::version::NAME.into(), version: crate::version::VERSION.into() },
        site: loaded.inventory.site.name.clone(),
        started_at,
        duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        summary: Summary::of(&findings),
        findings,
        internal_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::{select, Rule};

    fn boom(_: &Context<'_>) -> Vec<Finding> {
        panic!("a bug in a check")
    }

    /// A check that panics becomes an internal error (exit 1), not a crashed run.
    #[test]
    fn a_crashing_check_is_reported_not_fatal() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/clean/site.toml");
        let loaded = crate::inventory::load(&path).expect("clean example loads");
        let catalog = Catalog::builtin().expect("catalog");
        let mut checks = vec![Rule::offline("domains.shared", boom)];
        checks.extend(crate::checks::platform::checks());
        let sel = select(&checks, &catalog, &[], &[]).expect("select");
        let snap = Snapshot::offline("2026-11-25T12:00:00Z".into());
        let report =
            build_report(&loaded, &catalog, &snap, &sel, None, jiff::Timestamp::UNIX_EPOCH, String::new(), std::time::Duration::ZERO);
        assert_eq!(report.internal_errors, ["check `domains.shared` crashed while judging"]);
        assert_eq!(crate::report::exit_code(&report, crate::report::FailOn::Warn), crate::report::EXIT_INTERNAL);
        assert!(report.findings.iter().any(|f| f.check == "platform.asa" && f.status == Status::Pass));
    }
}
