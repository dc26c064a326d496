//! The audit: select checks, plan and run the observations they need, judge. The
//! only module that joins `observe` and `judge`.

use crate::inventory::Loaded;
use crate::judge::{self, Catalog, Check, Observation, Report, Selection, SelectionError};
use crate::observe::{ObserveError, ProbeOptions};
use crate::snapshot::Snapshot;
use std::collections::BTreeSet;

/// How a run is shaped by the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `--offline`: judge inventory and evidence only; no network.
    pub offline: bool,
    /// `--only` patterns: run just the checks they match.
    pub only: Vec<String>,
    /// `--skip` patterns: leave out the checks they match (reported as skipped).
    pub skip: Vec<String>,
    /// How probes run: one struct from the command line to the probes.
    pub probe: ProbeOptions,
    /// Judge as of this time instead of now (tests, re-analysis).
    pub now: Option<jiff::Timestamp>,
    /// Accepted findings: shown as info with their justification until they expire.
    pub waivers: Option<judge::waivers::Waivers>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The `--only`/`--skip` patterns do not fit the registry or the catalog.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// Observation could not start (client identity, resolvers).
    #[error(transparent)]
    Observe(#[from] ObserveError),
}

/// The checks `opts` selects.
pub fn select<'a>(checks: &'a [Box<dyn Check>], catalog: &Catalog, opts: &RunOptions) -> Result<Selection<'a>, SelectionError> {
    judge::select(checks, catalog, &opts.only, &opts.skip)
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
        let plan = crate::observe::Plan::new(loaded, &needs);
        crate::observe::observe(loaded, &plan, &opts.probe, stamp.clone()).await?
    };
    let now = opts.now.unwrap_or(started_at);
    let mut report = judge::build_report(loaded, catalog, &snapshot, &selection, opts.waivers.as_ref(), now, stamp, started.elapsed());
    report.mode = if opts.offline { judge::Mode::Offline } else { judge::Mode::Live };
    Ok((report, snapshot))
}

/// JUDGE again, with no observation: a snapshot from a support bundle, judged with
/// the current rules as of its capture (or `opts.now`).
pub fn judge_again(
    loaded: &Loaded,
    catalog: &Catalog,
    checks: &[Box<dyn Check>],
    snapshot: &Snapshot,
    opts: &RunOptions,
) -> Result<Report, RunError> {
    let selection = select(checks, catalog, opts)?;
    // Certificate dates read as they did when the snapshot was taken.
    let now = opts.now.or_else(|| snapshot.started_at.parse().ok()).unwrap_or_else(jiff::Timestamp::now);
    let mut report = judge::build_report(
        loaded,
        catalog,
        snapshot,
        &selection,
        opts.waivers.as_ref(),
        now,
        snapshot.started_at.clone(),
        std::time::Duration::ZERO,
    );
    report.mode = judge::Mode::Analyze;
    Ok(report)
}
