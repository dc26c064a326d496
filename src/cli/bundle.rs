//! `fedcheck bundle`: audit, then write one support archive.

use super::args::AuditArgs;
use super::output::{bundle_reports, check_outputs, clean, emit, ExitRule};
use crate::exit::Exit;
use crate::inventory::Loaded;
use crate::judge::catalog::Catalog;
use crate::judge::Report;
use crate::report::FailOn;
use crate::snapshot::Snapshot;
use clap::Args;
use std::path::{Path, PathBuf};

pub(super) const EXAMPLES: &str =
    "Examples:\n  fedcheck bundle -i site.toml -o case-123.tar.gz\n  fedcheck bundle -i site.toml -o case.tar.gz --offline";

#[derive(Debug, Args)]
pub(crate) struct BundleArgs {
    /// The site inventory (TOML).
    #[arg(short, long, value_name = "FILE")]
    pub inventory: PathBuf,
    /// The archive to write (.tar.gz).
    #[arg(short, long = "output", visible_alias = "output-file", value_name = "FILE")]
    pub output_file: PathBuf,
    /// Keep secrets in the archive (a private key is withheld regardless).
    #[arg(long)]
    pub no_redact: bool,
    #[command(flatten)]
    pub audit: AuditArgs,
}

pub(super) fn run(args: BundleArgs) -> anyhow::Result<Exit> {
    check_outputs(&args.audit.output, &[("-o", args.output_file.as_path())], &[&args.inventory])?;
    let catalog = super::options::catalog(&args.audit.select.rules)?;
    let loaded = crate::inventory::load(&args.inventory)?;
    let opts = super::options::run_options(&args.audit.select, Some(&args.audit.probe))?;
    let (mut report, snapshot) = super::runtime()?.block_on(super::audit(&loaded, &catalog, &opts))?;
    report.inventory = Some(args.inventory.display().to_string());
    // The audit ran: an archive that cannot be written is an error of this run (exit 1).
    if let Err(e) = write(&loaded, &report, &snapshot, &catalog, &args.output_file, !args.no_redact, args.audit.output.fail_on) {
        eprintln!("fedcheck: {}", clean(&format!("{e:#}")));
        return Ok(Exit::Internal);
    }
    // Written: the archive is the product, so `bundle … && upload` uploads it.
    emit(&report, &catalog, &args.audit.output, ExitRule::ArchiveWritten)
}

/// The captured chains of every peer, as PEM files for the bundle.
fn chains(snapshot: &Snapshot) -> Vec<(String, String)> {
    snapshot
        .peers
        .iter()
        .filter_map(|p| {
            let pem = p.chain_pem();
            (!pem.is_empty()).then(|| (format!("{}_{}_{}.pem", p.server_name, p.addr.ip(), p.addr.port()), pem.join("")))
        })
        .collect()
}

/// Write the support archive of a judged run.
pub(super) fn write(
    loaded: &Loaded,
    report: &Report,
    snapshot: &Snapshot,
    catalog: &Catalog,
    out: &Path,
    redact: bool,
    fail_on: FailOn,
) -> anyhow::Result<()> {
    let input = crate::bundle::BundleInput {
        loaded,
        reports: bundle_reports(report, catalog, crate::report::exit_code(report, fail_on))?,
        snapshot_json: serde_json::to_string_pretty(snapshot)?,
        chains_pem: chains(snapshot),
        command_line: std::env::args().collect(),
        redact,
    };
    let summary = crate::bundle::write(&input, out)?;
    eprintln!(
        "fedcheck: support archive written to {} ({} files, {} bytes, {} {})",
        clean(&summary.path.display().to_string()),
        summary.files,
        summary.bytes,
        summary.redactions,
        if summary.redactions == 1 { "redaction" } else { "redactions" }
    );
    Ok(())
}
