//! `fedcheck run`: audit a site (optionally collecting its IM&P evidence first).

use super::args::AuditArgs;
use super::collect::RunCollect;
use super::output::{check_outputs, emit, ExitRule};
use crate::exit::Exit;
use clap::Args;
use std::path::PathBuf;

pub(super) const EXAMPLES: &str = "Examples:
  fedcheck run -i site.toml                          full audit: inventory, evidence, DNS, TLS, SIP
  fedcheck run -i site.toml --offline                only what needs no network
  fedcheck run -i site.toml --html readiness.html --json before.json
  fedcheck run -i site.toml --only dns,routes --skip routes.vcs-conflict
  fedcheck run -i site.toml --junit results.xml --fail-on fail   (in a pipeline)
  fedcheck run -i site.toml --collect imp --collect-ca-file tomcat-ca.pem   (collect the IM&P evidence, then audit;
                                                     exit 5 when the collection was incomplete and nothing failed)";

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The site inventory (TOML).
    #[arg(short, long, value_name = "FILE")]
    pub inventory: PathBuf,
    #[command(flatten)]
    pub collect: RunCollect,
    #[command(flatten)]
    pub audit: AuditArgs,
}

pub(super) fn run(args: RunArgs) -> anyhow::Result<Exit> {
    check_outputs(&args.audit.output, &[], &[&args.inventory])?;
    let catalog = super::options::catalog(&args.audit.select.rules)?;
    let opts = super::options::run_options(&args.audit.select, Some(&args.audit.probe))?;
    // `--collect imp`: audit the inventory the collection wrote.
    let collected = super::collect::before_run(&args.collect, &args.inventory)?;
    let inventory = collected.as_ref().map_or_else(|| args.inventory.clone(), |(site, _)| site.clone());
    let loaded = crate::inventory::load(&inventory)?;
    let (mut report, _) = super::runtime()?.block_on(super::audit(&loaded, &catalog, &opts))?;
    report.inventory = Some(inventory.display().to_string());
    let exit = emit(&report, &catalog, &args.audit.output, ExitRule::Verdict)?;
    Ok(super::collect::combine_exit(exit, collected.map(|(_, c)| c)))
}
