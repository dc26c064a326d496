//! The command line, in rooms: `args` (the shared argument groups), `options` (their
//! conversion into the engine's options), `output` (checking and writing outputs),
//! and one file per command. This file holds the command list, the dispatch and the
//! process's exit. Exit codes: `crate::exit::Exit`.

mod analyze;
mod args;
mod bundle;
mod catalog;
mod collect;
mod demo;
mod diff;
mod options;
mod output;
mod run;

use crate::engine::RunOptions;
use crate::exit::Exit;
use crate::inventory::Loaded;
use crate::judge::catalog::Catalog;
use crate::judge::Report;
use crate::snapshot::Snapshot;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "fedcheck",
    version = crate::version::long(),
    about = "Preflight and diagnostics for partitioned intradomain federation between Cisco IM and Presence and Microsoft Skype for Business / Lync / OCS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Audit a site described by an inventory file.
    #[command(after_help = run::EXAMPLES)]
    Run(run::RunArgs),
    /// Start the built-in lab (DNS, TLS and SIP on 127.x) and audit it.
    #[command(after_help = demo::EXAMPLES)]
    Demo(demo::DemoArgs),
    /// Audit a site and write one support archive: reports, snapshot, evidence (secrets redacted), host facts.
    #[command(after_help = bundle::EXAMPLES)]
    Bundle(bundle::BundleArgs),
    /// Judge a support archive again, offline, with the current (or a given) catalog.
    #[command(after_help = analyze::EXAMPLES)]
    Analyze(analyze::AnalyzeArgs),
    /// Gather evidence from the servers: IM&P/CUCM over their SOAP APIs, or the Microsoft side's export.
    #[command(subcommand)]
    Collect(collect::CollectCommand),
    /// Compare two JSON reports: what regressed, what was fixed, what is new or gone.
    #[command(after_help = diff::EXAMPLES)]
    Diff(diff::DiffArgs),
    /// List every check: id, family and title.
    #[command(after_help = "Examples:\n  fedcheck checks\n  fedcheck checks --json\n  fedcheck checks --rules ./my-rules")]
    Checks {
        /// Print the list as JSON (id, family, title, severity, live).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        rules: args::RulesArg,
    },
    /// Explain one check (why it matters, how to fix it, where the rule comes from), or list a family's checks.
    #[command(after_help = "Examples:\n  fedcheck explain routes.vcs-conflict\n  fedcheck explain dns")]
    Explain {
        /// Check id, e.g. routing-node.services, or a family, e.g. dns (any case)
        id: String,
        #[command(flatten)]
        rules: args::RulesArg,
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

/// The program: parse, run one command, and say how it ended.
pub fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            if e.use_stderr() {
                // The message quotes what was typed: control characters shown escaped.
                eprint!("{}", output::clean(&e.render().to_string()));
                if let Some(hint) = inventory_hint(&std::env::args().collect::<Vec<_>>()) {
                    eprintln!("{hint}");
                }
                return Exit::CannotStart.into();
            }
            let _ = e.print();
            return Exit::Ok.into();
        }
    };
    match dispatch(cli) {
        Ok(exit) => exit.into(),
        Err(e) => {
            // Messages quote archive names, evidence lines and inventory values:
            // no control character or bidi override reaches the terminal raw.
            eprintln!("fedcheck: {}", crate::escape::terminal(&format!("{e:#}")));
            Exit::CannotStart.into()
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Bundle(args) => bundle::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Collect(cmd) => collect::run(cmd),
        Command::Diff(args) => diff::run(args),
        Command::Checks { json, rules } => catalog::checks(json, &rules),
        Command::Explain { id, rules } => catalog::explain(&id, &rules),
        Command::Init { output, force } => catalog::init(output, force),
        Command::Completions { shell } => catalog::completions(shell),
    }
}

/// `fedcheck run site.toml`: the inventory was given without `-i`; say how.
fn inventory_hint(args: &[String]) -> Option<String> {
    let sub = args.get(1)?;
    if !matches!(sub.as_str(), "run" | "bundle") {
        return None;
    }
    let flagged = args.iter().any(|a| a == "-i" || a == "--inventory" || a.starts_with("--inventory=") || a.starts_with("-i"));
    if flagged {
        return None;
    }
    // A .toml that is not the value of another option (`--waivers w.toml`): the
    // options that take a value come from the command's own definition.
    let cmd = <Cli as clap::CommandFactory>::command();
    let takes_value: Vec<String> = cmd
        .find_subcommand(sub)
        .map(|c| {
            c.get_arguments()
                .filter(|a| a.get_action().takes_values() && !a.is_positional())
                .flat_map(|a| {
                    let long = a.get_long().map(|l| format!("--{l}"));
                    let short = a.get_short().map(|s| format!("-{s}"));
                    let aliases = a.get_all_aliases().unwrap_or_default().into_iter().map(|l| format!("--{l}"));
                    long.into_iter().chain(short).chain(aliases).collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default();
    let bare = args
        .windows(2)
        .skip(1)
        .find(|w| !w[1].starts_with('-') && w[1].ends_with(".toml") && !takes_value.contains(&w[0]))
        .map(|w| &w[1])?;
    let shown = output::clean(bare);
    Some(format!("tip: the inventory is given with -i: `fedcheck {sub} -i {shown}`"))
}

/// The runtime every command that probes or collects runs on.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// OBSERVE and JUDGE through the engine, with where the run was made from.
async fn audit(loaded: &Loaded, catalog: &Catalog, opts: &RunOptions) -> anyhow::Result<(Report, Snapshot)> {
    let checks = crate::checks::registry();
    let (mut report, snapshot) = crate::engine::run(loaded, catalog, &checks, opts).await?;
    report.host = crate::text::hostname();
    if snapshot.deadline_hit {
        eprintln!(
            "fedcheck: the run deadline ({} s) came before every probe finished; their checks say \"cannot tell\" (raise --deadline)",
            opts.probe.deadline.as_secs()
        );
    }
    Ok((report, snapshot))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(args: &[&str]) -> Option<String> {
        inventory_hint(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_bare_inventory_gets_a_hint_but_an_option_value_does_not() {
        assert_eq!(
            hint(&["fedcheck", "run", "site.toml"]).as_deref(),
            Some("tip: the inventory is given with -i: `fedcheck run -i site.toml`")
        );
        assert!(hint(&["fedcheck", "run", "-i", "site.toml"]).is_none());
        assert!(hint(&["fedcheck", "run", "--waivers", "w.toml"]).is_none());
        assert!(hint(&["fedcheck", "bundle", "--output-file", "x.toml"]).is_none());
        assert!(hint(&["fedcheck", "run", "--offline", "site.toml"]).is_some(), "a flag takes no value");
        assert!(hint(&["fedcheck", "demo", "site.toml"]).is_none());
    }

    #[test]
    fn the_command_line_is_well_formed() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }
}
