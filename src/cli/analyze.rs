//! `fedcheck analyze`: judge a support archive again, offline.

use super::args::{OutputArgs, SelectArgs};
use super::output::{check_outputs, emit, ExitRule};
use crate::exit::Exit;
use anyhow::Context as _;
use clap::Args;
use std::path::PathBuf;

pub(super) const EXAMPLES: &str =
    "Examples:\n  fedcheck analyze case-123.tar.gz\n  fedcheck analyze case-123.tar.gz --rules ./rules --html case.html";

#[derive(Debug, Args)]
pub(crate) struct AnalyzeArgs {
    /// A support archive written by `fedcheck bundle`.
    pub bundle: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub(super) fn run(args: AnalyzeArgs) -> anyhow::Result<Exit> {
    check_outputs(&args.output, &[], &[&args.bundle])?;
    let catalog = super::options::catalog(&args.select.rules)?;
    // Verified, capped and unpacked into a folder removed when `analysis` drops.
    let analysis = crate::bundle::analysis::load(&args.bundle).with_context(|| format!("{} is refused", args.bundle.display()))?;
    let snapshot = &analysis.snapshot;
    // What is being judged again: when, where and by which version it was captured.
    let captured_on = analysis
        .opened
        .text("host.json")
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v.get("hostname").and_then(|h| h.as_str()).map(str::to_string))
        .unwrap_or_else(|| "an unknown host".into());
    eprintln!(
        "fedcheck analyze: capture of {} on {} by fedcheck {}",
        crate::escape::terminal(&snapshot.started_at),
        crate::escape::terminal(&captured_on),
        crate::escape::terminal(&snapshot.tool_version)
    );
    let opts = super::options::run_options(&args.select, None)?;
    let checks = crate::checks::registry();
    let mut report = crate::engine::judge_again(&analysis.loaded, &catalog, &checks, snapshot, &opts)?;
    report.host = crate::text::hostname();
    report.inventory = Some(args.bundle.display().to_string());
    emit(&report, &catalog, &args.output, ExitRule::Verdict)
}
