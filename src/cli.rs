//! The command line: argument parsing and the glue between engine and renderers.
//! Exit codes: 0 clean, 3 a fail, 4 warnings only, 2 could not start, 1 internal.

use crate::engine::{self, RunOptions};
use crate::inventory::Loaded;
use crate::judge::catalog::Catalog;
use crate::judge::{Reach, Report};
use crate::report::{self, junit::WarnAs, FailOn, RenderContext};
use crate::snapshot::Snapshot;
use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

const RUN_EXAMPLES: &str = "Examples:
  fedcheck run -i site.toml                          full audit: inventory, evidence, DNS, TLS, SIP
  fedcheck run -i site.toml --offline                only what needs no network
  fedcheck run -i site.toml --html readiness.html --json before.json
  fedcheck run -i site.toml --only dns,routes --skip routes.vcs-conflict
  fedcheck run -i site.toml --junit results.xml --fail-on fail   (in a pipeline)
  fedcheck run -i site.toml --collect imp --collect-ca-file tomcat-ca.pem   (collect the IM&P evidence, then audit;
                                                     exit 5 when the collection was incomplete and nothing failed)";

#[derive(Debug, Parser)]
#[command(
    name = "fedcheck",
    version = crate::version::long(),
    about = "Preflight and diagnostics for partitioned intradomain federation between Cisco IM and Presence and Microsoft Skype for Business / Lync / OCS"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a site described by an inventory file.
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Start the built-in lab (DNS, TLS and SIP on 127.x) and audit it.
    #[command(after_help = "Examples:\n  fedcheck demo\n  fedcheck demo --html demo.html --json demo.json")]
    Demo(DemoArgs),
    /// Audit a site and write one support archive: reports, snapshot, evidence (secrets redacted), host facts.
    #[command(
        after_help = "Examples:\n  fedcheck bundle -i site.toml -o case-123.tar.gz\n  fedcheck bundle -i site.toml -o case.tar.gz --offline"
    )]
    Bundle(BundleArgs),
    /// Judge a support archive again, offline, with the current (or a given) catalog.
    #[command(
        after_help = "Examples:\n  fedcheck analyze case-123.tar.gz\n  fedcheck analyze case-123.tar.gz --rules ./rules --html case.html"
    )]
    Analyze(AnalyzeArgs),
    /// Gather evidence from the servers: IM&P/CUCM over their SOAP APIs, or the Microsoft side's export.
    #[command(subcommand)]
    Collect(crate::collect::CollectCommand),
    /// Compare two JSON reports: what regressed, what was fixed, what is new or gone.
    #[command(after_help = "Example:\n  fedcheck diff before.json after.json --json changes.json")]
    Diff(DiffArgs),
    /// List every check: id, family and title.
    #[command(after_help = "Examples:\n  fedcheck checks\n  fedcheck checks --json\n  fedcheck checks --rules ./my-rules")]
    Checks {
        /// Print the list as JSON (id, family, title, severity, live).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Explain one check (why it matters, how to fix it, where the rule comes from), or list a family's checks.
    #[command(after_help = "Examples:\n  fedcheck explain routes.vcs-conflict\n  fedcheck explain dns")]
    Explain {
        /// Check id, e.g. routing-node.services, or a family, e.g. dns (any case)
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
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  fedcheck completions bash > /etc/bash_completion.d/fedcheck")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct RulesArg {
    /// Catalog files (*.toml) that replace the built-in files of the same name.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped and wrapped for a person at a terminal.
    Terminal,
    /// One line per finding (`[ERROR id]: …`), for logs.
    Plain,
    /// The JSON report.
    Json,
}

/// What is checked and how probes behave: the same for run, demo and bundle.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Run only these checks (ids or family prefixes, comma separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub only: Vec<String>,
    /// Demote these checks to skip (ids or family prefixes, comma separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub skip: Vec<String>,
    /// Accepted findings (TOML: check, target, justification, expires).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Judge as of this instant (RFC 3339) instead of now.
    #[arg(long, hide = true)]
    pub now: Option<jiff::Timestamp>,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Judge only what needs no network: every live check is skipped.
    #[arg(long)]
    pub offline: bool,
    /// Probes in flight at once.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Timeout of one probe, e.g. 5s or 800ms.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Deadline of the whole run.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub deadline: Duration,
    /// DNS tries per question (the timeout is shared between them).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub attempts: u32,
    /// No progress bar on stderr while probes run.
    #[arg(long)]
    pub no_progress: bool,
}

impl ProbeArgs {
    /// The probes' options, as the command line set them.
    pub fn options(&self) -> crate::observe::ProbeOptions {
        crate::observe::ProbeOptions {
            concurrency: usize::from(self.concurrency),
            timeout: self.timeout,
            deadline: self.deadline,
            progress: !self.no_progress,
            dns_attempts: self.attempts,
        }
    }
}

/// Where results go: the same for every command that judges.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the report as JSON ("-" for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML page ("-" for stdout).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write JUnit XML, one testcase per finding ("-" for stdout).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// How warnings appear in JUnit.
    #[arg(long, value_enum, default_value_t = WarnAs::Failure)]
    pub junit_warn: WarnAs,
    /// Write Markdown for a ticket ("-" for stdout).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// What the view on stdout looks like [default: terminal on a terminal, else plain].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Which findings make the exit code non-zero.
    #[arg(long, value_enum, default_value_t = FailOn::Warn)]
    pub fail_on: FailOn,
    /// Print only the one-line summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// List passing and skipped findings in the terminal view too.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The site inventory (TOML).
    #[arg(short, long, value_name = "FILE")]
    pub inventory: PathBuf,
    #[command(flatten)]
    pub collect: crate::collect::RunCollect,
    #[command(flatten)]
    pub probe: ProbeArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also write a support archive of the lab audit (as `fedcheck bundle` would).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub probe: ProbeArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct BundleArgs {
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
    pub probe: ProbeArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A support archive written by `fedcheck bundle`.
    pub bundle: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier JSON report.
    pub before: PathBuf,
    /// The later JSON report.
    pub after: PathBuf,
    /// Also write the differences as JSON ("-" for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// "5s", "800ms", "2m", or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return match secs {
            0 => Err("a duration of zero leaves no time to do anything".into()),
            s if s > 86_400 => Err(format!("`{s}` seconds is more than a day")),
            s => Ok(Duration::from_secs(s)),
        };
    }
    let d: jiff::SignedDuration = s.parse().map_err(|_| format!("`{s}` is not a duration (try 5s, 800ms or 2m)"))?;
    let d = Duration::try_from(d).map_err(|_| format!("`{s}` is negative"))?;
    if d > Duration::from_secs(86_400) {
        return Err(format!("`{s}` is more than a day"));
    }
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
            if e.use_stderr() {
                // The message quotes what was typed: control characters shown escaped.
                eprint!("{}", report::terminal::clean(&e.render().to_string()));
            } else {
                let _ = e.print();
            }
            if let Some(hint) = inventory_hint(&std::env::args().collect::<Vec<_>>()) {
                eprintln!("{hint}");
            }
            return code;
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            // Messages quote archive names, evidence lines and inventory values:
            // no control character or bidi override reaches the terminal raw.
            eprintln!("fedcheck: {}", crate::escape::terminal(&format!("{e:#}")));
            report::EXIT_CANNOT_START
        }
    }
}

/// `fedcheck run site.toml`: the inventory was given without `-i`; say how.
pub fn inventory_hint(args: &[String]) -> Option<String> {
    let sub = args.get(1)?;
    if !matches!(sub.as_str(), "run" | "bundle") {
        return None;
    }
    let flagged = args.iter().any(|a| a == "-i" || a == "--inventory" || a.starts_with("--inventory=") || a.starts_with("-i"));
    // A .toml that is not the value of another option (`--waivers w.toml`).
    let takes_value = ["--waivers", "--rules", "--json", "--html", "--junit", "--markdown", "-o", "--output", "--output-file"];
    let bare = args
        .windows(2)
        .skip(1)
        .find(|w| !w[1].starts_with('-') && w[1].ends_with(".toml") && !takes_value.contains(&w[0].as_str()))
        .map(|w| &w[1])?;
    if flagged {
        return None;
    }
    let shown = crate::report::terminal::clean(bare);
    Some(format!("tip: the inventory is given with -i: `fedcheck {sub} -i {shown}`"))
}

fn load_catalog(rules: &RulesArg) -> anyhow::Result<Catalog> {
    Ok(match &rules.rules {
        Some(dir) => Catalog::from_dir(dir)?,
        None => Catalog::builtin()?,
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run(args) => {
            check_outputs(&args.output, &[], &[&args.inventory])?;
            let catalog = load_catalog(&args.select.rules)?;
            let opts = run_options(&args.select, Some(&args.probe))?;
            // `--collect imp`: audit the inventory the collection wrote.
            let collected = crate::collect::before_run(&args.collect, &args.inventory)?;
            let inventory = collected.as_ref().map_or_else(|| args.inventory.clone(), |(site, _)| site.clone());
            let loaded = crate::inventory::load(&inventory)?;
            let (mut report, _) = runtime()?.block_on(audit(&loaded, &catalog, &opts))?;
            report.inventory = Some(inventory.display().to_string());
            let code = emit(&report, &catalog, &args.output, ExitRule::Verdict)?;
            Ok(crate::collect::combine_exit(code, collected.map(|(_, c)| c)))
        }
        Command::Demo(args) => demo(args),
        Command::Bundle(args) => bundle(args),
        Command::Analyze(args) => analyze(args),
        Command::Collect(cmd) => crate::collect::run_cli(cmd),
        Command::Diff(args) => {
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
                say(crate::diff::render_terminal(&d, colour()));
            }
            Ok(crate::diff::exit_code(&d))
        }
        Command::Checks { json, rules } => {
            let catalog = load_catalog(&rules)?;
            // The registry decides what exists; the catalog only words it.
            let registry = crate::checks::registry();
            let listed: Vec<(&crate::judge::CheckMeta, Reach)> =
                registry.iter().filter_map(|c| catalog.get(c.id()).map(|m| (m, c.reach()))).collect();
            if json {
                let rows: Vec<serde_json::Value> = listed
                    .iter()
                    .map(|(m, reach)| {
                        serde_json::json!({
                            "id": m.id, "family": m.family, "title": m.title, "severity": m.severity,
                            "live": reach_label(*reach) == "yes", "uses_network": reach_label(*reach),
                        })
                    })
                    .collect();
                say(format!("{}\n", serde_json::to_string_pretty(&rows)?));
                return Ok(report::EXIT_OK);
            }
            let mut t = comfy_table::Table::new();
            t.load_style(comfy_table::presets::NOTHING).set_header(vec!["ID", "FAMILY", "LIVE", "TITLE"]);
            for (m, reach) in listed {
                t.add_row(vec![m.id.as_str(), m.family.as_str(), reach_label(reach), m.title.as_str()]);
            }
            say(format!("{t}\n"));
            Ok(report::EXIT_OK)
        }
        Command::Explain { id, rules } => {
            let catalog = load_catalog(&rules)?;
            let wanted = id.trim().to_ascii_lowercase();
            // A family: list its checks.
            let family: Vec<&crate::judge::CheckMeta> = catalog.checks().filter(|m| m.family == wanted).collect();
            if !family.is_empty() {
                say(format!("{} checks in family `{wanted}`:\n", family.len()));
                let width = family.iter().map(|m| m.id.len()).max().unwrap_or(0);
                for m in &family {
                    say(format!("  {:<width$}  {}\n", m.id, m.title));
                }
                say(format!("\n`fedcheck explain {}` explains one.\n", family[0].id));
                return Ok(report::EXIT_OK);
            }
            let Some(m) = catalog.get(&wanted) else {
                let families: Vec<&str> = catalog.checks().map(|m| m.family.as_str()).collect();
                let best = crate::suggest::closest(&wanted, catalog.checks().map(|m| m.id.as_str()).chain(families));
                let hint = best.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default();
                anyhow::bail!("no check `{id}`{hint}; `fedcheck checks` lists them");
            };
            say(format!("{}  —  {}\n", m.id, m.title));
            let reach = crate::checks::registry().iter().find(|c| c.id() == m.id).map(|c| c.reach());
            let needs = match reach {
                Some(Reach::Live) => "network probes (skipped with --offline)",
                Some(Reach::Enriched) => "inventory and evidence; DNS answers too when probes run",
                Some(Reach::Offline) => "inventory and evidence only",
                None => "nothing: no code implements this catalog entry",
            };
            say(format!("family:   {}\nseverity: {:?}\nneeds:    {needs}\n\n", m.family, m.severity));
            say(format!("Why it matters\n  {}\n\n", m.why.trim().replace('\n', "\n  ")));
            say(format!("Fix\n  {}\n\n", m.fix.trim().replace('\n', "\n  ")));
            say(format!("Source\n  {}\n", m.source.trim()));
            Ok(report::EXIT_OK)
        }
        Command::Init { output, force } => {
            let text = include_str!("../examples/template.toml");
            match output {
                None => say(text.to_string()),
                Some(p) => {
                    if p.exists() && !force {
                        anyhow::bail!("{} exists; use --force to overwrite it", p.display());
                    }
                    std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))?;
                    eprintln!("wrote {}: edit it, then run `fedcheck run -i {}`", p.display(), p.display());
                }
            }
            Ok(report::EXIT_OK)
        }
        Command::Completions { shell } => {
            let mut cmd = completion_command();
            clap_complete::generate(shell, &mut cmd, "fedcheck", &mut std::io::stdout());
            Ok(report::EXIT_OK)
        }
    }
}

/// The command line as shells complete it: check ids and families offered where an
/// id is expected (parsing itself stays lenient, for "did you mean" hints).
fn completion_command() -> clap::Command {
    let registry = crate::checks::registry();
    let mut ids: Vec<&'static str> = registry.iter().map(|c| c.id()).collect();
    for c in &registry {
        if !ids.contains(&c.family()) {
            ids.push(c.family());
        }
    }
    ids.sort_unstable();
    let values = move || clap::builder::PossibleValuesParser::new(ids.clone());
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut cmd = cmd.mut_subcommand("explain", |c| c.mut_arg("id", |a| a.value_parser(values())));
    for sub in ["run", "demo", "bundle", "analyze"] {
        cmd = cmd.mut_subcommand(sub, |c| c.mut_arg("only", |a| a.value_parser(values())).mut_arg("skip", |a| a.value_parser(values())));
    }
    cmd
}

/// Write to stdout; a reader that went away (`| head`) is not an error worth a panic.
fn say(text: String) {
    // The last line of defence: renderers escape what they quote, and nothing that
    // moves the cursor or reorders text reaches the terminal even if one forgot.
    let text = report::escape::terminal_output(&text, colour());
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// How many outputs go to stdout ("-"); more than one is refused before any work.
fn stdout_outputs(out: &OutputArgs) -> anyhow::Result<usize> {
    let n = [&out.json, &out.html, &out.junit, &out.markdown].iter().filter(|p| p.as_deref() == Some(Path::new("-"))).count();
    if n > 1 {
        anyhow::bail!("only one output can go to stdout (\"-\")");
    }
    Ok(n)
}

/// How `fedcheck checks` shows a check's use of the network.
fn reach_label(r: Reach) -> &'static str {
    match r {
        Reach::Live => "yes",
        Reach::Enriched => "partly",
        Reach::Offline => "",
    }
}

fn run_options(select: &SelectArgs, probe: Option<&ProbeArgs>) -> anyhow::Result<RunOptions> {
    let waivers = match &select.waivers {
        Some(p) => {
            let ids: Vec<&str> = crate::checks::registry().iter().map(|c| c.id()).collect();
            Some(crate::judge::waivers::load(p, &ids)?)
        }
        None => None,
    };
    let mut opts =
        RunOptions { only: select.only.clone(), skip: select.skip.clone(), now: select.now, waivers, offline: true, ..Default::default() };
    if let Some(p) = probe {
        opts.offline = p.offline;
        opts.probe = p.options();
    }
    Ok(opts)
}

async fn audit(loaded: &Loaded, catalog: &Catalog, opts: &RunOptions) -> anyhow::Result<(Report, Snapshot)> {
    let checks = crate::checks::registry();
    let (mut report, snapshot) = engine::run(loaded, catalog, &checks, opts).await?;
    report.host = hostname();
    if snapshot.deadline_hit {
        eprintln!(
            "fedcheck: the run deadline ({} s) came before every probe finished; their checks say \"cannot tell\" (raise --deadline)",
            opts.probe.deadline.as_secs()
        );
    }
    Ok((report, snapshot))
}

fn write_output(path: &Path, text: &str) -> anyhow::Result<()> {
    if path == Path::new("-") {
        // A reader that went away (`| head`) is not a failure to write the report.
        return match std::io::stdout().write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(()),
        };
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn hostname() -> Option<String> {
    sysinfo::System::host_name().ok()
}

/// How the exit code of a judged run is decided.
#[derive(Debug, Clone, Copy)]
enum ExitRule {
    /// From the verdict, narrowed by `--fail-on`.
    Verdict,
    /// 0 once the support archive is written (the verdict is inside it).
    ArchiveWritten,
    /// As `Verdict`, for a capture judged again.
    Analyze,
}

/// The outputs a command will write, checked before any work: every folder exists
/// and is writable, and no file is named twice. `extra` are the command's own files
/// (the bundle's archive, the demo's page).
fn check_outputs(out: &OutputArgs, extra: &[(&str, &Path)], inputs: &[&Path]) -> anyhow::Result<()> {
    stdout_outputs(out)?;
    let mut named: Vec<(&str, &Path)> =
        [("--json", &out.json), ("--html", &out.html), ("--junit", &out.junit), ("--markdown", &out.markdown)]
            .into_iter()
            .filter_map(|(flag, p)| p.as_deref().map(|p| (flag, p)))
            .collect();
    named.extend(extra.iter().copied());
    // An output must not overwrite what the run reads.
    for input in inputs {
        let Ok(read) = input.canonicalize() else { continue };
        for (flag, p) in &named {
            if p.canonicalize().is_ok_and(|w| w == read) {
                let shown = crate::report::terminal::clean(&p.display().to_string());
                anyhow::bail!("{flag} {shown} would overwrite an input of this run: name another file");
            }
        }
    }
    check_files(&named)
}

/// Each file's folder exists and takes a new file; no two names are the same file.
fn check_files(named: &[(&str, &Path)]) -> anyhow::Result<()> {
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for &(flag, path) in named {
        if path == Path::new("-") {
            continue;
        }
        let shown = crate::report::terminal::clean(&path.display().to_string());
        let Some(name) = path.file_name() else {
            anyhow::bail!("{flag} {shown}: not a file name");
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            anyhow::bail!("{flag} {shown}: the folder {} does not exist", crate::report::terminal::clean(&parent.display().to_string()));
        }
        if path.is_dir() {
            anyhow::bail!("{flag} {shown}: is a folder, not a file");
        }
        if let Err(e) = tempfile::Builder::new().prefix(".fedcheck-probe-").tempfile_in(&parent) {
            anyhow::bail!("{flag} {shown}: cannot write in {}: {e}", crate::report::terminal::clean(&parent.display().to_string()));
        }
        let key = parent.canonicalize().unwrap_or(parent).join(name);
        if let Some((_, other)) = seen.iter().find(|(k, _)| *k == key) {
            anyhow::bail!("{other} and {flag} both name {shown}: give each output its own file");
        }
        seen.push((key, flag));
    }
    Ok(())
}

/// Write every requested output, show the view on stdout (unless stdout carries a
/// requested file), say where each output went, and return the exit code.
fn emit(report: &Report, catalog: &Catalog, out: &OutputArgs, rule: ExitRule) -> anyhow::Result<i32> {
    let (exit, note) = match rule {
        ExitRule::Verdict | ExitRule::Analyze => (report::exit_code(report, out.fail_on), report::terminal::exit_note(report, out.fail_on)),
        ExitRule::ArchiveWritten if report.internal_errors.is_empty() => (report::EXIT_OK, " (the archive is written)"),
        ExitRule::ArchiveWritten => (report::EXIT_INTERNAL, " (internal error)"),
    };
    let to_stdout = stdout_outputs(out)?;
    let ctx = RenderContext { report, catalog, host: report.host.clone(), inventory_path: report.inventory.clone() };
    // The audit ran: a report that cannot be written is an error of this run (exit 1),
    // not a run that could not start.
    let mut wrote: Vec<String> = Vec::new();
    let written = (|| -> anyhow::Result<()> {
        let mut put = |p: &Path, what: &str, text: &str| -> anyhow::Result<()> {
            write_output(p, text)?;
            if p != Path::new("-") {
                wrote.push(format!("{what} written to {}", p.display()));
            }
            Ok(())
        };
        if let Some(p) = &out.json {
            put(p, "JSON report", &report::json::render(report, catalog, exit))?;
        }
        if let Some(p) = &out.html {
            put(p, "HTML page", &report::html::render(&ctx).map_err(anyhow::Error::msg)?)?;
        }
        if let Some(p) = &out.junit {
            put(p, "JUnit XML", &report::junit::render(report, out.junit_warn).map_err(anyhow::Error::msg)?)?;
        }
        if let Some(p) = &out.markdown {
            put(p, "Markdown", &report::markdown::render(&ctx).map_err(anyhow::Error::msg)?)?;
        }
        Ok(())
    })();
    for w in &wrote {
        eprintln!("fedcheck: {}", report::terminal::clean(w));
    }
    if let Err(e) = written {
        eprintln!("fedcheck: {}", report::terminal::clean(&format!("{e:#}")));
        eprintln!("{}", report::terminal::summary_line(report, report::EXIT_INTERNAL, " (an output could not be written)"));
        return Ok(report::EXIT_INTERNAL);
    }
    if to_stdout == 1 {
        if !out.quiet {
            eprintln!("{}", report::terminal::summary_line(report, exit, note));
        }
        return Ok(exit);
    }
    let tty = std::io::stdout().is_terminal();
    let format = out.format.unwrap_or(if tty { Format::Terminal } else { Format::Plain });
    match format {
        Format::Json => say(report::json::render(report, catalog, exit)),
        _ if out.quiet => say(format!("{}\n", report::terminal::summary_line(report, exit, note))),
        Format::Plain => say(report::terminal::render_plain(report, out.verbose, exit, note)),
        Format::Terminal => {
            let mut style = report::terminal::Style::detect(tty);
            style.show_passes = out.verbose;
            say(report::terminal::render(report, catalog, &style, exit, note));
        }
    }
    Ok(exit)
}

fn demo(mut args: DemoArgs) -> anyhow::Result<i32> {
    if args.output.html.is_none() {
        args.output.html = Some(PathBuf::from("fedcheck-demo.html"));
    }
    let archive: Vec<(&str, &Path)> = args.bundle.as_deref().map(|p| ("--bundle", p)).into_iter().collect();
    check_outputs(&args.output, &archive, &[])?;
    let catalog = load_catalog(&args.select.rules)?;
    let opts = run_options(&args.select, Some(&args.probe))?;
    let rt = runtime()?;
    let (report, bundled) = rt.block_on(async {
        eprintln!("fedcheck demo: starting the lab (DNS, TLS and SIP on 127.x addresses)…");
        let lab = crate::lab::site::start().await?;
        let loaded = crate::inventory::load(&lab.inventory)?;
        let (mut report, snapshot) = audit(&loaded, &catalog, &opts).await?;
        report.inventory = Some("examples/lab.toml".into());
        // As with `bundle`: the audit ran, so an archive that cannot be written is exit 1.
        let bundled = match &args.bundle {
            Some(out) => write_bundle(&loaded, &report, &snapshot, &catalog, out, true, args.output.fail_on),
            None => Ok(()),
        };
        drop(lab);
        anyhow::Ok((report, bundled))
    })?;
    eprintln!("fedcheck demo: the lab is stopped");
    let exit = emit(&report, &catalog, &args.output, ExitRule::Verdict)?;
    if let Err(e) = bundled {
        eprintln!("fedcheck: {}", report::terminal::clean(&format!("{e:#}")));
        return Ok(report::EXIT_INTERNAL);
    }
    Ok(exit)
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

fn bundle(args: BundleArgs) -> anyhow::Result<i32> {
    check_outputs(&args.output, &[("-o", args.output_file.as_path())], &[&args.inventory])?;
    let catalog = load_catalog(&args.select.rules)?;
    let loaded = crate::inventory::load(&args.inventory)?;
    let opts = run_options(&args.select, Some(&args.probe))?;
    let (mut report, snapshot) = runtime()?.block_on(audit(&loaded, &catalog, &opts))?;
    report.inventory = Some(args.inventory.display().to_string());
    // The audit ran: an archive that cannot be written is an error of this run (exit 1).
    if let Err(e) = write_bundle(&loaded, &report, &snapshot, &catalog, &args.output_file, !args.no_redact, args.output.fail_on) {
        eprintln!("fedcheck: {}", report::terminal::clean(&format!("{e:#}")));
        return Ok(report::EXIT_INTERNAL);
    }
    // Written: the archive is the product, so `bundle … && upload` uploads it.
    emit(&report, &catalog, &args.output, ExitRule::ArchiveWritten)
}

#[allow(clippy::too_many_arguments)]
fn write_bundle(
    loaded: &Loaded,
    report: &Report,
    snapshot: &Snapshot,
    catalog: &Catalog,
    out: &Path,
    redact: bool,
    fail_on: FailOn,
) -> anyhow::Result<()> {
    let ctx = RenderContext { report, catalog, host: report.host.clone(), inventory_path: report.inventory.clone() };
    let input = crate::bundle::BundleInput {
        loaded,
        report_json: report::json::render(report, catalog, report::exit_code(report, fail_on)),
        report_html: Some(report::html::render(&ctx).map_err(anyhow::Error::msg)?),
        report_md: Some(report::markdown::render(&ctx).map_err(anyhow::Error::msg)?),
        snapshot_json: serde_json::to_string_pretty(snapshot)?,
        chains_pem: chains(snapshot),
        command_line: std::env::args().collect(),
        redact,
    };
    let summary = crate::bundle::write(&input, out)?;
    eprintln!(
        "fedcheck: support archive written to {} ({} files, {} bytes, {} {})",
        report::terminal::clean(&summary.path.display().to_string()),
        summary.files,
        summary.bytes,
        summary.redactions,
        if summary.redactions == 1 { "redaction" } else { "redactions" }
    );
    Ok(())
}

fn analyze(args: AnalyzeArgs) -> anyhow::Result<i32> {
    check_outputs(&args.output, &[], &[&args.bundle])?;
    let catalog = load_catalog(&args.select.rules)?;
    // Verified, capped and unpacked into a folder removed when `analysis` drops.
    let analysis = crate::bundle::analysis::load(&args.bundle).with_context(|| format!("{} is refused", args.bundle.display()))?;
    let (snapshot, loaded) = (&analysis.snapshot, &analysis.loaded);
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
    let mut opts = run_options(&args.select, None)?;
    // Judge as of the capture, so certificate dates read as they did then.
    if opts.now.is_none() {
        opts.now = snapshot.started_at.parse().ok();
    }
    let checks = crate::checks::registry();
    let selection = engine::select(&checks, &catalog, &opts)?;
    let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
    let report = crate::judge::build_report(
        loaded,
        &catalog,
        snapshot,
        &selection,
        opts.waivers.as_ref(),
        now,
        snapshot.started_at.clone(),
        Duration::ZERO,
    );
    let mut report = report;
    report.mode = crate::judge::Mode::Analyze;
    report.host = hostname();
    report.inventory = Some(args.bundle.display().to_string());
    emit(&report, &catalog, &args.output, ExitRule::Analyze)
}
