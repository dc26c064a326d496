//! `fedcheck diff`: what changed between two JSON reports.

use super::output::{check_files, say, write_output};
use crate::exit::Exit;
use clap::Args;
use std::path::{Path, PathBuf};

pub(super) const EXAMPLES: &str = "Example:\n  fedcheck diff before.json after.json --json changes.json";

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The earlier JSON report.
    pub before: PathBuf,
    /// The later JSON report.
    pub after: PathBuf,
    /// Also write the differences as JSON ("-" for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub(super) fn run(args: DiffArgs) -> anyhow::Result<Exit> {
    if let Some(p) = &args.json {
        check_files(&[("--json", p.as_path())])?;
    }
    let before = crate::diff::load_report(&args.before).map_err(anyhow::Error::msg)?;
    let after = crate::diff::load_report(&args.after).map_err(anyhow::Error::msg)?;
    let d = crate::diff::diff(&before, &after);
    if let Some(p) = &args.json {
        write_output(p, &format!("{}\n", serde_json::to_string_pretty(&d)?))?;
    }
    if args.json.as_deref() != Some(Path::new("-")) {
        say(&crate::diff::render_terminal(&d, super::output::colour()));
    }
    Ok(crate::diff::exit_code(&d))
}
