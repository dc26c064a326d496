//! The command line: argument parsing and the glue between engine and renderers.
//! Exit codes: 0 clean, 3 a fail, 4 warnings only, 2 could not start, 1 internal.

use crate::catalog::Catalog;
use crate::engine::{self, RunOptions};
use crate::report::{self, FailOn};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

const RUN_EXAMPLES: &str = "Examples:
  fedcheck run -i site.toml --offline            judge what needs no network
  fedcheck run -i site.toml --json report.json   full audit, JSON beside the terminal view
  fedcheck run -i site.toml --only dns,routes --skip routes.vcs-conflict
  fedcheck run -i site.toml --format json -q > report.json";

#[derive(Debug, Parser)]
#[command(name = "fedcheck", version = crate::version::VERSION, about = "Preflight and diagnostics for partitioned intradomain federation between Cisco IM and Presence and Microsoft Skype for Business / Lync / OCS")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a site described by an inventory file.
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// List every check: id, family and title.
    #[command(after_help = "Example:\n  fedcheck checks --rules ./my-rules")]
    Checks(RulesArg),
    /// Explain one check: why it matters, how to fix it, where the rule comes from.
    #[command(after_help = "Example:\n  fedcheck explain routes.vcs-conflict")]
    Explain {
        /// Check id, e.g. routing-node.services
        id: String,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Write a complete, commented example inventory.
    #[command(after_help = "Example:\n  fedcheck init -o site.toml")]
    Init {
        /// Where to write it (stdout when omitted).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct RulesArg {
    /// Use the catalog files (*.toml) of this folder instead of the built-in catalog.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Terminal,
    Json,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The site inventory (TOML).
    #[arg(short, long, value_name = "FILE")]
    pub inventory: PathBuf,
    /// Judge only what needs no network: every live check is skipped.
    #[arg(long)]
    pub offline: bool,
    /// Run only these checks (ids or family prefixes, comma separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub only: Vec<String>,
    /// Demote these checks to skip (ids or family prefixes, comma separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub skip: Vec<String>,
    /// Probes in flight at once.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Timeout of one probe, e.g. 5s or 800ms.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Deadline of the whole run.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub deadline: Duration,
    /// Also write the report as JSON to this file ("-" for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// What goes to stdout.
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    pub format: Format,
    /// Which findings make the exit code non-zero.
    #[arg(long, value_enum, default_value_t = FailOn::Warn)]
    pub fail_on: FailOn,
    /// Print only the one-line summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// No progress bar on stderr while probes run.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Judge as of this instant (RFC 3339) instead of now.
    #[arg(long, hide = true)]
    pub now: Option<jiff::Timestamp>,
}

/// "5s", "800ms", "2m", or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let d: jiff::SignedDuration = s.parse().map_err(|_| format!("`{s}` is not a duration (try 5s, 800ms or 2m)"))?;
    let d = Duration::try_from(d).map_err(|_| format!("`{s}` is negative"))?;
    if d.is_zero() {
        return Err("a duration of zero leaves no time to do anything".into());
    }
    Ok(d)
}

/// Entry point used by `main.rs`; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { report::EXIT_CANNOT_START } else { report::EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fedcheck: {e:#}");
            report::EXIT_CANNOT_START
        }
    }
}

fn load_catalog(rules: &RulesArg) -> anyhow::Result<Catalog> {
    let cat = match &rules.rules {
        Some(dir) => Catalog::from_dir(dir)?,
        None => Catalog::builtin()?,
    };
    Ok(cat)
}

fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Checks(rules) => {
            let catalog = load_catalog(&rules)?;
            let mut t = comfy_table::Table::new();
            t.load_style(comfy_table::presets::NOTHING).set_header(vec!["ID", "FAMILY", "LIVE", "TITLE"]);
            for m in catalog.checks() {
                t.add_row(vec![m.id.as_str(), m.family.as_str(), if m.live { "yes" } else { "" }, m.title.as_str()]);
            }
            println!("{t}");
            Ok(report::EXIT_OK)
        }
        Command::Explain { id, rules } => {
            let catalog = load_catalog(&rules)?;
            let Some(m) = catalog.get(&id) else {
                let best = catalog.checks().map(|m| (strsim::jaro_winkler(&id, &m.id), m.id.clone())).max_by(|a, b| a.0.total_cmp(&b.0));
                let hint = best.filter(|(s, _)| *s > 0.8).map(|(_, c)| format!(" (did you mean `{c}`?)")).unwrap_or_default();
                anyhow::bail!("no check `{id}`{hint}; `fedcheck checks` lists them");
            };
            println!("{}  —  {}", m.id, m.title);
            println!(
                "family:   {}\nseverity: {:?}\nneeds:    {}\n",
                m.family,
                m.severity,
                if m.live { "network probes (skipped with --offline)" } else { "inventory and evidence only" }
            );
            println!("Why it matters\n  {}\n", m.why.trim().replace('\n', "\n  "));
            println!("Fix\n  {}\n", m.fix.trim().replace('\n', "\n  "));
            println!("Source\n  {}", m.source.trim());
            Ok(report::EXIT_OK)
        }
        Command::Init { output, force } => {
            let text = include_str!("../examples/template.toml");
            match output {
                None => print!("{text}"),
                Some(p) => {
                    if p.exists() && !force {
                        anyhow::bail!("{} exists; use --force to overwrite it", p.display());
                    }
                    std::fs::write(&p, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
                    eprintln!("wrote {}: edit it, then run `fedcheck run -i {}`", p.display(), p.display());
                }
            }
            Ok(report::EXIT_OK)
        }
    }
}

fn write_output(path: &Path, text: &str) -> anyhow::Result<()> {
    if path == Path::new("-") {
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

fn run(args: RunArgs) -> anyhow::Result<i32> {
    let catalog = load_catalog(&args.rules)?;
    let loaded = crate::inventory::load(&args.inventory)?;
    let checks = crate::checks::registry();
    let opts = RunOptions {
        offline: args.offline,
        only: args.only.clone(),
        skip: args.skip.clone(),
        concurrency: usize::from(args.concurrency),
        timeout: args.timeout,
        deadline: args.deadline,
        now: args.now,
        progress: !args.no_progress && !args.quiet,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (report, _snapshot) = runtime.block_on(engine::run(&loaded, &catalog, &checks, &opts))?;
    let exit = report::exit_code(&report, args.fail_on);
    let stdout_taken = args.json.as_deref() == Some(Path::new("-"));
    if let Some(path) = &args.json {
        write_output(path, &report::json::render(&report))?;
    }
    if !stdout_taken {
        match args.format {
            Format::Json => print!("{}", report::json::render(&report)),
            Format::Terminal if args.quiet => {
                println!("{}", report::terminal::summary_line(&report, exit))
            }
            Format::Terminal => {
                let style = report::terminal::Style::detect(std::io::stdout().is_terminal());
                print!("{}", report::terminal::render(&report, &catalog, &style, exit));
            }
        }
    } else if !args.quiet {
        eprintln!("{}", report::terminal::summary_line(&report, exit));
    }
    Ok(exit)
}
