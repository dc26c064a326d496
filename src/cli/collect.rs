//! `fedcheck collect imp|microsoft` and `run --collect`: the clap types, the password
//! prompt, and the outcomes of `crate::collect` shown on stderr.

use super::args::parse_timeout;
use crate::collect::{imp, microsoft, CollectError, PASSWORD_ENV};
use crate::exit::Exit;
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

const COLLECT_HELP: &str = "Exit codes:
  0  everything was collected
  5  at least one node or call could not be collected (the others were; collect.json and
     stderr name each failure: connection refused, timeout, 401/403, certificate for
     another name, untrusted certificate, SOAP fault, malformed XML, answer over the cap)
  2  the run could not start (bad arguments or inventory, no password, output not writable)

Examples:
  FEDCHECK_IMP_PASSWORD=… fedcheck collect imp -i site.toml -o collected --user admin --ca-file tomcat-ca.pem
  fedcheck collect imp -i site.toml -o collected --insecure      (prompts for the password)
  fedcheck run -i collected/site.toml
  fedcheck collect microsoft --script > collect-fedcheck.ps1
  fedcheck collect microsoft --import .\\fedcheck-export -i site.toml -o collected";

#[derive(Debug, Subcommand)]
pub(crate) enum CollectCommand {
    /// Ask each IM&P / CUCM node for services, version, hardware and cluster over its SOAP APIs.
    #[command(after_help = COLLECT_HELP)]
    Imp(ImpArgs),
    /// Write the PowerShell export script, or import the folder it wrote.
    #[command(after_help = COLLECT_HELP)]
    Microsoft(MicrosoftArgs),
}

#[derive(Debug, Clone, Args)]
pub(crate) struct ImpArgs {
    /// The site inventory (TOML); every [[cisco.nodes]] entry is asked.
    #[arg(short, long, value_name = "FILE")]
    pub inventory: PathBuf,
    /// Folder to write evidence/, site.toml and collect.json into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Administrator user for HTTP Basic authentication (the password comes from
    /// FEDCHECK_IMP_PASSWORD or a prompt on the terminal).
    #[arg(long, default_value = "admin", value_name = "NAME")]
    pub user: String,
    /// PEM file with the CA certificate(s) that issued the nodes' Tomcat certificates
    /// (default: the system's trust store).
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate (NOT verified); the collected files and reports say so.
    #[arg(long)]
    pub insecure: bool,
    /// HTTPS port of the nodes' web services.
    #[arg(long, default_value_t = 8443, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,
    /// Timeout of one call (connect, TLS, request and answer), e.g. 10s.
    #[arg(long, default_value = "15s", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Nodes asked at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Largest answer accepted from one call, in bytes.
    #[arg(long, default_value_t = crate::collect::imp::DEFAULT_MAX_BYTES, hide = true)]
    pub max_bytes: usize,
    /// Write into an output folder that already holds a collection.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct MicrosoftArgs {
    /// Print the PowerShell script (PowerShell 2.0 or later; WMI on OCS 2007 R2).
    #[arg(long, conflicts_with = "import")]
    pub script: bool,
    /// Import a folder written by the script.
    #[arg(long, value_name = "FOLDER", requires_all = ["inventory", "output"])]
    pub import: Option<PathBuf>,
    /// The site inventory (TOML) the imported evidence is added to.
    #[arg(short, long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Folder to write evidence/ and site.toml into.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Write into an output folder that already holds a collection.
    #[arg(long)]
    pub force: bool,
}

/// `fedcheck run --collect imp …`: collect into a fresh folder, then audit the
/// collected inventory (the post-change validation job in one step).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Collection")]
pub(crate) struct RunCollect {
    /// Collect first and audit what was collected: `imp` asks the IM&P/CUCM nodes as
    /// `fedcheck collect imp` does (password from FEDCHECK_IMP_PASSWORD or a prompt).
    /// When the collection is incomplete and the audit finds no fail, the exit code is 5.
    #[arg(long, value_enum, value_name = "SIDE")]
    pub collect: Option<CollectSide>,
    /// Folder for the collection (default: a new fedcheck-collect-<time> folder here).
    #[arg(long, value_name = "DIR", requires = "collect")]
    pub collect_dir: Option<PathBuf>,
    /// User for the nodes' web services.
    #[arg(long, value_name = "NAME", default_value = "admin")]
    pub collect_user: String,
    /// CA of the nodes' Tomcat certificates (default: the system trust store).
    #[arg(long, value_name = "PEM", conflicts_with = "collect_insecure")]
    pub collect_ca_file: Option<PathBuf>,
    /// Accept any node certificate (NOT verified; the collection and report say so).
    #[arg(long)]
    pub collect_insecure: bool,
    /// HTTPS port of the nodes' web services.
    #[arg(long, default_value_t = 8443, value_parser = clap::value_parser!(u16).range(1..))]
    pub collect_port: u16,
    /// Timeout of one collection call.
    #[arg(long, default_value = "15s", value_parser = parse_timeout)]
    pub collect_timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CollectSide {
    /// The IM&P / CUCM nodes over their SOAP APIs.
    Imp,
}

impl ImpArgs {
    fn options(&self) -> imp::Options {
        imp::Options {
            inventory: self.inventory.clone(),
            output: self.output.clone(),
            user: self.user.clone(),
            ca_file: self.ca_file.clone(),
            insecure: self.insecure,
            port: self.port,
            timeout: self.timeout,
            concurrency: self.concurrency,
            max_bytes: self.max_bytes,
            force: self.force,
        }
    }
}

/// The password: FEDCHECK_IMP_PASSWORD, else a prompt on the terminal (echo off).
/// Never a flag, never written anywhere.
fn password() -> Result<String, CollectError> {
    if let Some(p) = std::env::var_os(PASSWORD_ENV) {
        let p = p.to_string_lossy().into_owned();
        if !p.is_empty() {
            return Ok(p);
        }
    }
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        return Err(CollectError::NoPassword);
    }
    let p = rpassword::prompt_password("IM&P administrator password: ").map_err(CollectError::Prompt)?;
    if p.is_empty() {
        return Err(CollectError::NoPassword);
    }
    Ok(p)
}

/// Ask the nodes, say what came back, and return the outcome.
fn collect_imp(opts: &imp::Options) -> anyhow::Result<imp::Outcome> {
    let password = password()?;
    if opts.insecure {
        eprintln!("fedcheck collect: --insecure: the nodes' certificates will NOT be verified; the collected files say so");
    }
    let outcome = super::runtime()?.block_on(imp::collect(opts, &password))?;
    for note in &outcome.notes {
        eprintln!("fedcheck collect: {}", crate::escape::terminal(note));
    }
    Ok(outcome)
}

/// `fedcheck collect …`.
pub(super) fn run(cmd: CollectCommand) -> anyhow::Result<Exit> {
    match cmd {
        CollectCommand::Imp(args) => Ok(collect_imp(&args.options())?.exit),
        CollectCommand::Microsoft(args) => {
            if args.script {
                super::output::stdout(microsoft::SCRIPT)?;
                return Ok(Exit::Ok);
            }
            let (Some(folder), Some(inv), Some(out)) = (&args.import, &args.inventory, &args.output) else {
                anyhow::bail!("give --script, or --import FOLDER with -i site.toml and -o DIR");
            };
            let outcome = microsoft::import(folder, inv, out, args.force)?;
            for p in outcome.problems.iter().chain([&outcome.summary]) {
                eprintln!("fedcheck collect microsoft: {}", crate::escape::terminal(p));
            }
            Ok(outcome.exit)
        }
    }
}

/// Run the collection asked for on `run`, if any: the inventory to audit instead and
/// the collection's exit.
pub(super) fn before_run(rc: &RunCollect, inventory: &Path) -> anyhow::Result<Option<(PathBuf, Exit)>> {
    let Some(CollectSide::Imp) = rc.collect else { return Ok(None) };
    let output = match &rc.collect_dir {
        Some(d) => d.clone(),
        None => {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
            PathBuf::from(format!("fedcheck-collect-{stamp}"))
        }
    };
    let opts = imp::Options {
        inventory: inventory.to_path_buf(),
        output,
        user: rc.collect_user.clone(),
        ca_file: rc.collect_ca_file.clone(),
        insecure: rc.collect_insecure,
        port: rc.collect_port,
        timeout: rc.collect_timeout,
        concurrency: 4,
        max_bytes: imp::DEFAULT_MAX_BYTES,
        force: false,
    };
    let outcome = collect_imp(&opts)?;
    Ok(Some((outcome.site, outcome.exit)))
}

/// The exit of `run --collect`: a fail found by the audit wins; otherwise an
/// incomplete collection is Partial, not a clean pass.
pub(super) fn combine_exit(audit: Exit, collect: Option<Exit>) -> Exit {
    match collect {
        Some(Exit::Partial) if matches!(audit, Exit::Ok | Exit::Warn) => Exit::Partial,
        _ => audit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incomplete_collection_shows_unless_the_audit_failed() {
        assert_eq!(combine_exit(Exit::Ok, Some(Exit::Partial)), Exit::Partial);
        assert_eq!(combine_exit(Exit::Warn, Some(Exit::Partial)), Exit::Partial);
        assert_eq!(combine_exit(Exit::Fail, Some(Exit::Partial)), Exit::Fail);
        assert_eq!(combine_exit(Exit::Ok, Some(Exit::Ok)), Exit::Ok);
        assert_eq!(combine_exit(Exit::Warn, None), Exit::Warn);
    }
}
