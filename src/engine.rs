//! Orchestration: select checks, plan and run the observations they need, judge.

use crate::catalog::Catalog;
use crate::check::{pattern_matches, Check, Context, Finding, Observation, Status};
use crate::inventory::Loaded;
use crate::snapshot::Snapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;

pub const REPORT_SCHEMA: &str = "fedcheck.report/v1";

/// How a run is shaped by the command line.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub offline: bool,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub concurrency: usize,
    pub timeout: Duration,
    pub deadline: Duration,
    /// Judge as of this time instead of now (tests, re-analysis).
    pub now: Option<jiff::Timestamp>,
    /// Progress bar on stderr while probes run (only on a terminal).
    pub progress: bool,
    /// DNS tries per question.
    pub dns_attempts: u32,
    /// Accepted findings: shown as info with their justification until they expire.
    pub waivers: Option<crate::waivers::Waivers>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            offline: false,
            only: Vec::new(),
            skip: Vec::new(),
            concurrency: 256,
            timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(120),
            now: None,
            progress: false,
            dns_attempts: 2,
            waivers: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pass: usize,
    pub info: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

impl Summary {
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The outcome of a run, as serialised by `--json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub tool: Tool,
    pub site: String,
    pub started_at: String,
    pub duration_ms: u64,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// Checks that crashed; any entry makes the exit code 1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internal_errors: Vec<String>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Selection(#[from] SelectionError),
    #[error(transparent)]
    Observe(#[from] crate::observe::ObserveError),
}

#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("`{pattern}` matches no check id or family{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    NoMatch { pattern: String, suggestion: Option<String> },
    #[error("check `{0}` has no entry in the catalog")]
    NoCatalogEntry(String),
}

/// Which registered checks run, which are demoted to skip by `--skip`.
pub struct Selection<'a> {
    pub run: Vec<&'a dyn Check>,
    pub skipped: Vec<&'a dyn Check>,
}

pub fn select<'a>(checks: &'a [Box<dyn Check>], catalog: &Catalog, opts: &RunOptions) -> Result<Selection<'a>, SelectionError> {
    for c in checks {
        if catalog.get(c.id()).is_none() {
            return Err(SelectionError::NoCatalogEntry(c.id().to_string()));
        }
    }
    for pattern in opts.only.iter().chain(&opts.skip) {
        if !checks.iter().any(|c| pattern_matches(pattern, c.id())) {
            let mut candidates: Vec<String> = checks.iter().map(|c| c.id().to_string()).collect();
            candidates.extend(checks.iter().filter_map(|c| c.id().split_once('.').map(|(f, _)| f.to_string())));
            let suggestion = crate::suggest::closest(pattern, candidates.iter().map(String::as_str)).map(str::to_string);
            return Err(SelectionError::NoMatch { pattern: pattern.clone(), suggestion });
        }
    }
    let mut sel = Selection { run: Vec::new(), skipped: Vec::new() };
    for c in checks {
        let wanted = opts.only.is_empty() || opts.only.iter().any(|p| pattern_matches(p, c.id()));
        if !wanted {
            continue;
        }
        if opts.skip.iter().any(|p| pattern_matches(p, c.id())) {
            sel.skipped.push(c.as_ref());
        } else {
            sel.run.push(c.as_ref());
        }
    }
    Ok(sel)
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
    let cache = crate::check::JudgeCache::default();
    for check in &selection.run {
        let Some(meta) = catalog.get(check.id()) else {
            continue;
        };
        if meta.live && !snapshot.live {
            let reason = snapshot.not_live_reason.clone().unwrap_or_else(|| "live probes not run".into());
            findings.push(skip_finding(check.id(), "*", &reason));
            continue;
        }
        let ctx = Context { inventory: &loaded.inventory, evidence: &loaded.evidence, snapshot, catalog, meta, now, cache: &cache };
        // A bug in one check must not take the whole audit down with it.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check.judge(&ctx))) {
            Ok(mut out) => {
                // Violations carry the fix; so does an info finding of a check whose
                // violations are info (a reminder still says what to do).
                let advisory = meta.severity == crate::catalog::Severity::Info;
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

/// OBSERVE then JUDGE.
pub async fn run(loaded: &Loaded, catalog: &Catalog, checks: &[Box<dyn Check>], opts: &RunOptions) -> Result<(Report, Snapshot), RunError> {
    let started = std::time::Instant::now();
    // Whole seconds: the snapshot records this instant, and a re-analysis judges as of
    // it, so both must agree to the second.
    let now = jiff::Timestamp::now();
    let started_at = now.round(jiff::Unit::Second).unwrap_or(now);
    let stamp = started_at.to_string();
    let selection = select(checks, catalog, opts)?;
    let needs: BTreeSet<Observation> = selection.run.iter().flat_map(|c| c.needs(loaded)).collect();
    let snapshot = if opts.offline {
        Snapshot::offline(stamp.clone())
    } else if needs.is_empty() {
        // Nothing selected needs the network: do not even look for resolvers.
        let mut s = Snapshot::offline(stamp.clone());
        s.not_live_reason = Some("no selected check needs the network".into());
        s
    } else {
        let settings = crate::observe::ProbeSettings {
            concurrency: opts.concurrency,
            timeout: opts.timeout,
            deadline: opts.deadline,
            progress: opts.progress,
            attempts: opts.dns_attempts,
        };
        crate::observe::observe(loaded, &needs, &settings, stamp.clone()).await?
    };
    let now = opts.now.unwrap_or(started_at);
    let report = build_report(loaded, catalog, &snapshot, &selection, opts, now, stamp, started.elapsed());
    Ok((report, snapshot))
}

/// JUDGE a snapshot, apply waivers and wrap the findings in a report.
#[allow(clippy::too_many_arguments)]
pub fn build_report(
    loaded: &Loaded,
    catalog: &Catalog,
    snapshot: &Snapshot,
    selection: &Selection<'_>,
    opts: &RunOptions,
    now: jiff::Timestamp,
    started_at: String,
    took: std::time::Duration,
) -> Report {
    let (mut findings, internal_errors) = judge(loaded, catalog, snapshot, selection, now);
    if let Some(w) = &opts.waivers {
        // UTC: the same verdict on every machine that judges this snapshot.
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        crate::waivers::apply(&mut findings, w, today);
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
    use crate::check::Rule;

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
        let opts = RunOptions { offline: true, ..Default::default() };
        let sel = select(&checks, &catalog, &opts).expect("select");
        let snap = Snapshot::offline("2026-11-25T12:00:00Z".into());
        let report =
            build_report(&loaded, &catalog, &snap, &sel, &opts, jiff::Timestamp::UNIX_EPOCH, String::new(), std::time::Duration::ZERO);
        assert_eq!(report.internal_errors, ["check `domains.shared` crashed while judging"]);
        assert_eq!(crate::report::exit_code(&report, crate::report::FailOn::Warn), crate::report::EXIT_INTERNAL);
        assert!(report.findings.iter().any(|f| f.check == "platform.asa" && f.status == Status::Pass));
    }
}
