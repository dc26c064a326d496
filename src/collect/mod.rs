//! `fedcheck collect`: gather the server-side evidence instead of copy-paste.
//!
//! - `collect imp` asks every IM&P / CUCM node of the inventory over HTTPS for its
//!   services (Control Center Services), active version, hardware and cluster (platform
//!   services, PAWS), writes the answers as evidence, an inventory that points at them
//!   and `collect.json` (what was asked of whom, when, how TLS was verified, what failed).
//! - `collect microsoft --script` prints the PowerShell that exports the Microsoft side;
//!   `collect microsoft --import FOLDER` takes the folder it wrote in.
//!
//! Exit codes: 0 everything was collected; 5 something could not be collected (partial
//! or total: collect.json and stderr name each failure); 2 the run could not start.

pub mod imp;
pub mod microsoft;
pub mod record;
pub mod rewrite;
pub mod soap;
pub mod tls;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

/// "15s", "800ms", "2m" or a bare number of seconds; more than zero, at most an hour.
/// (The command line's own parser sits above this layer.)
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let d = match s.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let d: jiff::SignedDuration = s.parse().map_err(|_| format!("`{s}` is not a duration (try 15s, 800ms or 2m)"))?;
            Duration::try_from(d).map_err(|_| format!("`{s}` is negative"))?
        }
    };
    if d.is_zero() {
        return Err("a timeout of zero leaves no time to answer".into());
    }
    if d > Duration::from_secs(3600) {
        return Err(format!("`{s}` is more than an hour"));
    }
    Ok(d)
}

/// Exit code when at least one call failed (the others were still collected).
pub const EXIT_PARTIAL: i32 = 5;

/// Environment variable that carries the IM&P password (never a flag).
pub const PASSWORD_ENV: &str = "FEDCHECK_IMP_PASSWORD";

pub const COLLECT_HELP: &str = "Exit codes:
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
pub enum CollectCommand {
    /// Ask each IM&P / CUCM node for services, version, hardware and cluster over its SOAP APIs.
    #[command(after_help = COLLECT_HELP)]
    Imp(ImpArgs),
    /// Write the PowerShell export script, or import the folder it wrote.
    #[command(after_help = COLLECT_HELP)]
    Microsoft(MicrosoftArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ImpArgs {
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
    #[arg(long, default_value_t = imp::DEFAULT_MAX_BYTES, hide = true)]
    pub max_bytes: usize,
    /// Write into an output folder that already holds a collection.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct MicrosoftArgs {
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
pub struct RunCollect {
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
pub enum CollectSide {
    Imp,
}

/// Run the collection asked for on `run`, if any: the inventory to audit instead and
/// the collection's exit code.
pub fn before_run(rc: &RunCollect, inventory: &std::path::Path) -> anyhow::Result<Option<(PathBuf, i32)>> {
    let Some(CollectSide::Imp) = rc.collect else { return Ok(None) };
    let output = match &rc.collect_dir {
        Some(d) => d.clone(),
        None => {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
            PathBuf::from(format!("fedcheck-collect-{stamp}"))
        }
    };
    let args = ImpArgs {
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
    let password = imp::password()?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let outcome = rt.block_on(imp::collect(&args, &password))?;
    Ok(Some((outcome.site, outcome.exit_code)))
}

/// The exit code of `run --collect`: a fail found by the audit wins; otherwise an
/// incomplete collection is 5, not a clean pass.
pub fn combine_exit(audit: i32, collect: Option<i32>) -> i32 {
    match collect {
        Some(EXIT_PARTIAL) if matches!(audit, 0 | 4) => EXIT_PARTIAL,
        _ => audit,
    }
}

/// Errors that stop a collection before it starts (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no password: set {PASSWORD_ENV} or run on a terminal to be asked")]
    NoPassword,
    #[error("cannot read the password from the terminal: {0}")]
    Prompt(std::io::Error),
    #[error("CA file {path}: {message}")]
    CaFile { path: PathBuf, message: String },
    #[error("the system trust store has no usable certificate ({0}); give --ca-file or --insecure")]
    SystemStore(String),
    #[error("cannot build the HTTPS client: {0}")]
    Client(String),
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },
    #[error("inventory {path}: {message}")]
    Inventory { path: PathBuf, message: String },
    #[error("{0}")]
    Import(String),
}

/// Entry point from the command line; returns the exit code.
pub fn run_cli(cmd: CollectCommand) -> anyhow::Result<i32> {
    match cmd {
        CollectCommand::Imp(args) => {
            let password = imp::password()?;
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let outcome = rt.block_on(imp::collect(&args, &password))?;
            Ok(outcome.exit_code)
        }
        CollectCommand::Microsoft(args) => microsoft::run_cli(&args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse() {
        assert_eq!(parse_timeout("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_timeout("800ms"), Ok(Duration::from_millis(800)));
        assert_eq!(parse_timeout("2"), Ok(Duration::from_secs(2)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("2h").is_err());
        assert!(parse_timeout("soon").is_err());
        assert_eq!(combine_exit(0, Some(EXIT_PARTIAL)), EXIT_PARTIAL);
        assert_eq!(combine_exit(3, Some(EXIT_PARTIAL)), 3);
        assert_eq!(combine_exit(0, Some(0)), 0);
        assert_eq!(combine_exit(4, None), 4);
    }
}
