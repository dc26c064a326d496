//! `fedcheck checks`, `explain`, `init` and `completions`: what the tool knows, shown
//! without judging anything.

use super::args::RulesArg;
use super::output::say;
use crate::exit::Exit;
use crate::judge::Reach;
use anyhow::Context as _;
use std::path::PathBuf;

/// How `fedcheck checks` shows a check's use of the network.
fn reach_label(r: Reach) -> &'static str {
    match r {
        Reach::Live => "yes",
        Reach::Enriched => "partly",
        Reach::Offline => "",
    }
}

/// `fedcheck checks [--json]`.
pub(super) fn checks(json: bool, rules: &RulesArg) -> anyhow::Result<Exit> {
    let catalog = super::options::catalog(rules)?;
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
        say(&format!("{}\n", serde_json::to_string_pretty(&rows)?));
        return Ok(Exit::Ok);
    }
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::NOTHING).set_header(vec!["ID", "FAMILY", "LIVE", "TITLE"]);
    for (m, reach) in listed {
        t.add_row(vec![m.id.as_str(), m.family.as_str(), reach_label(reach), m.title.as_str()]);
    }
    say(&format!("{t}\n"));
    Ok(Exit::Ok)
}

/// `fedcheck explain ID|FAMILY`.
pub(super) fn explain(id: &str, rules: &RulesArg) -> anyhow::Result<Exit> {
    let catalog = super::options::catalog(rules)?;
    let wanted = id.trim().to_ascii_lowercase();
    // A family: list its checks.
    let family: Vec<&crate::judge::CheckMeta> = catalog.checks().filter(|m| m.family == wanted).collect();
    if !family.is_empty() {
        say(&format!("{} checks in family `{wanted}`:\n", family.len()));
        let width = family.iter().map(|m| m.id.len()).max().unwrap_or(0);
        for m in &family {
            say(&format!("  {:<width$}  {}\n", m.id, m.title));
        }
        say(&format!("\n`fedcheck explain {}` explains one.\n", family[0].id));
        return Ok(Exit::Ok);
    }
    let Some(m) = catalog.get(&wanted) else {
        let families: Vec<&str> = catalog.checks().map(|m| m.family.as_str()).collect();
        let best = crate::suggest::closest(&wanted, catalog.checks().map(|m| m.id.as_str()).chain(families));
        let hint = best.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default();
        anyhow::bail!("no check `{id}`{hint}; `fedcheck checks` lists them");
    };
    say(&format!("{}  —  {}\n", m.id, m.title));
    let reach = crate::checks::registry().iter().find(|c| c.id() == m.id).map(|c| c.reach());
    let needs = match reach {
        Some(Reach::Live) => "network probes (skipped with --offline)",
        Some(Reach::Enriched) => "inventory and evidence; DNS answers too when probes run",
        Some(Reach::Offline) => "inventory and evidence only",
        None => "nothing: no code implements this catalog entry",
    };
    say(&format!("family:   {}\nseverity: {:?}\nneeds:    {needs}\n\n", m.family, m.severity));
    say(&format!("Why it matters\n  {}\n\n", m.why.trim().replace('\n', "\n  ")));
    say(&format!("Fix\n  {}\n\n", m.fix.trim().replace('\n', "\n  ")));
    say(&format!("Source\n  {}\n", m.source.trim()));
    Ok(Exit::Ok)
}

/// `fedcheck init [-o FILE]`: the commented example inventory.
pub(super) fn init(output: Option<PathBuf>, force: bool) -> anyhow::Result<Exit> {
    let text = include_str!("../../examples/template.toml");
    match output {
        None => say(text),
        Some(p) => {
            if p.exists() && !force {
                anyhow::bail!("{} exists; use --force to overwrite it", p.display());
            }
            std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("wrote {}: edit it, then run `fedcheck run -i {}`", p.display(), p.display());
        }
    }
    Ok(Exit::Ok)
}

/// `fedcheck completions SHELL`.
pub(super) fn completions(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut cmd = completion_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "fedcheck", &mut script);
    super::output::stdout(&String::from_utf8_lossy(&script))?;
    Ok(Exit::Ok)
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
    let cmd = <super::Cli as clap::CommandFactory>::command();
    let mut cmd = cmd.mut_subcommand("explain", |c| c.mut_arg("id", |a| a.value_parser(values())));
    for sub in ["run", "demo", "bundle", "analyze"] {
        cmd = cmd.mut_subcommand(sub, |c| c.mut_arg("only", |a| a.value_parser(values())).mut_arg("skip", |a| a.value_parser(values())));
    }
    cmd
}
