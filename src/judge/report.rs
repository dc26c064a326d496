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
/// The JSON report's current schema (`schemas/report-v2.schema.json`).
pub const REPORT_SCHEMA_V2: &str = "fedcheck.report/v2";

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

/// How the observations judged were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Probes ran (or were not needed by anything selected).
    #[default]
    Live,
    /// `--offline`: every check that needs the network was not run.
    Offline,
    /// A support archive judged again.
    Analyze,
}

impl Mode {
    /// The mode as the JSON report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Offline => "offline",
            Mode::Analyze => "analyze",
        }
    }
}

/// The run's overall verdict: what the findings say, or that too little was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing above info.
    Pass,
    /// Warnings, no fail.
    Warn,
    /// At least one fail.
    Fail,
    /// No selected check could be judged.
    Incomplete,
}

impl Verdict {
    /// The verdict as the JSON report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Incomplete => "incomplete",
        }
    }
}

/// Checks that were not run, for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotRun {
    /// Why, in words.
    pub reason: String,
    /// The checks, by id.
    pub checks: Vec<String>,
}

/// How much of the catalog this run judged. `judged + not_run + skipped_by_selection`
/// is every registered check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Checks with at least one verdict other than skip.
    pub judged: usize,
    /// Selected checks that could not say anything (offline, probes missing, crashed,
    /// every target "cannot tell").
    pub not_run: usize,
    /// Checks `--only` left out or `--skip` demoted.
    pub skipped_by_selection: usize,
    /// Why the `not_run` checks were not run, grouped by reason.
    #[serde(default)]
    pub not_run_reasons: Vec<NotRun>,
}

/// Which catalog judged the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogRef {
    /// "built-in" or the folder that overrode it.
    pub origin: String,
    /// A digest of the catalog's text: two runs with the same rules have the same one.
    pub digest: String,
}

/// The outcome of a run: what every renderer reads.
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
    /// Live, offline or a re-analysis.
    #[serde(default)]
    pub mode: Mode,
    /// How much was judged, and why the rest was not.
    #[serde(default)]
    pub coverage: Coverage,
    /// The rules that judged.
    #[serde(default)]
    pub catalog: CatalogRef,
    /// The machine the run was made from.
    #[serde(default)]
    pub host: Option<String>,
    /// The inventory file, as the user named it.
    #[serde(default)]
    pub inventory: Option<String>,
}

impl Report {
    /// Fail, warn or pass from the findings; incomplete when nothing selected was judged.
    pub fn verdict(&self) -> Verdict {
        if self.coverage.judged == 0 {
            Verdict::Incomplete
        } else if self.summary.fail > 0 {
            Verdict::Fail
        } else if self.summary.warn > 0 {
            Verdict::Warn
        } else {
            Verdict::Pass
        }
    }

    /// "15 checks not run (live probes not run (--offline))" or None when all ran.
    pub fn not_run_line(&self) -> Option<String> {
        let c = &self.coverage;
        if c.not_run == 0 {
            return None;
        }
        let why: Vec<String> = c.not_run_reasons.iter().map(|r| format!("{}: {}", r.checks.len(), r.reason)).collect();
        Some(format!(
            "{} of {} selected {} not judged ({})",
            c.not_run,
            c.not_run + c.judged,
            match (c.not_run + c.judged, c.not_run) {
                (1, _) => "check was",
                (_, 1) => "checks was",
                _ => "checks were",
            },
            why.join("; ")
        ))
    }
}

/// Count what was judged, from the findings: a check whose findings are all skips
/// could not say anything, and its reason is its skip summary (one, or "cannot tell").
pub fn coverage(findings: &[Finding], selection: &Selection<'_>) -> Coverage {
    let mut cov = Coverage { skipped_by_selection: selection.skipped.len() + selection.left_out, ..Default::default() };
    let mut reasons: Vec<NotRun> = Vec::new();
    for check in &selection.run {
        let own: Vec<&Finding> = findings.iter().filter(|f| f.check == check.id()).collect();
        // "Not applicable" is a judgement about this site, not a gap in the run.
        if own.iter().any(|f| f.status != Status::Skip || f.summary.starts_with("not applicable")) {
            cov.judged += 1;
            continue;
        }
        cov.not_run += 1;
        let mut why: Vec<&str> = own.iter().map(|f| f.summary.as_str()).collect();
        why.sort_unstable();
        why.dedup();
        let reason = match why.as_slice() {
            [] => "no finding".to_string(),
            [one] => one.to_string(),
            _ => "every target: cannot tell (see its findings)".to_string(),
        };
        match reasons.iter_mut().find(|r| r.reason == reason) {
            Some(r) => r.checks.push(check.id().to_string()),
            None => reasons.push(NotRun { reason, checks: vec![check.id().to_string()] }),
        }
    }
    cov.not_run_reasons = reasons;
    cov
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
        duration_ms: crate::text::millis(took),
        summary: Summary::of(&findings),
        coverage: coverage(&findings, selection),
        findings,
        internal_errors,
        mode: if snapshot.live { Mode::Live } else { Mode::Offline },
        catalog: CatalogRef { origin: catalog.origin.clone(), digest: catalog.digest.clone() },
        host: None,
        inventory: Some(loaded.path.display().to_string()),
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
        assert_eq!(crate::report::exit_code(&report, crate::report::FailOn::Warn), crate::exit::Exit::Internal);
        assert!(report.findings.iter().any(|f| f.check == "platform.asa" && f.status == Status::Pass));
    }
}
