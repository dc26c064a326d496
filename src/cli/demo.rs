//! `fedcheck demo`: start the built-in lab, audit it, write its HTML page.

use super::args::AuditArgs;
use super::output::{check_outputs, clean, emit, ExitRule};
use crate::exit::Exit;
use crate::report::Format;
use clap::Args;
use std::path::{Path, PathBuf};

pub(super) const EXAMPLES: &str = "Examples:\n  fedcheck demo\n  fedcheck demo --html demo.html --json demo.json";

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Also write a support archive of the lab audit (as `fedcheck bundle` would).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub audit: AuditArgs,
}

pub(super) fn run(mut args: DemoArgs) -> anyhow::Result<Exit> {
    args.audit.output.files.or_insert(Format::Html, PathBuf::from("fedcheck-demo.html"));
    let archive: Vec<(&str, &Path)> = args.bundle.as_deref().map(|p| ("--bundle", p)).into_iter().collect();
    check_outputs(&args.audit.output, &archive, &[])?;
    let catalog = super::options::catalog(&args.audit.select.rules)?;
    let opts = super::options::run_options(&args.audit.select, Some(&args.audit.probe))?;
    let rt = super::runtime()?;
    let (report, bundled) = rt.block_on(async {
        eprintln!("fedcheck demo: starting the lab (DNS, TLS and SIP on 127.x addresses)…");
        let lab = crate::lab::site::start().await?;
        let loaded = crate::inventory::load(&lab.inventory)?;
        let (mut report, snapshot) = super::audit(&loaded, &catalog, &opts).await?;
        report.inventory = Some("examples/lab.toml".into());
        // As with `bundle`: the audit ran, so an archive that cannot be written is exit 1.
        let bundled = match &args.bundle {
            Some(out) => super::bundle::write(&loaded, &report, &snapshot, &catalog, out, true, args.audit.output.fail_on),
            None => Ok(()),
        };
        drop(lab);
        anyhow::Ok((report, bundled))
    })?;
    eprintln!("fedcheck demo: the lab is stopped");
    let exit = emit(&report, &catalog, &args.audit.output, ExitRule::Verdict)?;
    if let Err(e) = bundled {
        eprintln!("fedcheck: {}", clean(&format!("{e:#}")));
        return Ok(Exit::Internal);
    }
    Ok(exit)
}
