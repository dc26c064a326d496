//! Where results go: the outputs are checked before any work (folders exist and take
//! a file, no file named twice, no input overwritten, one output at most on stdout),
//! then written in one loop over `report::Format`, then the view is shown. Every
//! write to stdout goes through `stdout`, which treats a reader that went away
//! (`| head`) as done, not as an error.

use super::args::OutputArgs;
use crate::exit::Exit;
use crate::judge::catalog::Catalog;
use crate::judge::Report;
use crate::report::{self, terminal, Format, RenderContext, View};
use anyhow::Context as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Write `text` to stdout. A reader that went away (`| head`) is not a failure: the
/// one place a broken pipe is handled.
pub(crate) fn stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Show text on stdout, with the last line of defence: renderers escape what they
/// quote, and nothing that moves the cursor or reorders text reaches the terminal
/// even if one forgot.
pub(crate) fn say(text: &str) {
    // Nothing is left to tell if stdout itself fails.
    let _ = stdout(&report::inert::terminal_output(text, colour()));
}

/// Colour on stdout: a terminal, and NO_COLOR unset or empty.
pub(crate) fn colour() -> bool {
    std::io::stdout().is_terminal() && !crate::text::no_color()
}

/// Text for stderr, with control characters shown escaped.
pub(crate) use crate::escape::terminal as clean;

/// How many outputs go to stdout ("-"); more than one is refused before any work.
fn stdout_outputs(out: &OutputArgs) -> anyhow::Result<usize> {
    let n = out.files.0.iter().filter(|(_, p)| p.as_path() == Path::new("-")).count();
    if n > 1 {
        anyhow::bail!("only one output can go to stdout (\"-\")");
    }
    Ok(n)
}

/// Write one output: a file, or stdout for "-".
pub(crate) fn write_output(path: &Path, text: &str) -> anyhow::Result<()> {
    if path == Path::new("-") {
        return stdout(text).context("cannot write to stdout");
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The outputs a command will write, checked before any work: every folder exists
/// and is writable, and no file is named twice. `extra` are the command's own files
/// (the bundle's archive, the demo's page); `inputs` what the run reads.
pub(crate) fn check_outputs(out: &OutputArgs, extra: &[(&str, &Path)], inputs: &[&Path]) -> anyhow::Result<()> {
    stdout_outputs(out)?;
    let flags: Vec<String> = out.files.0.iter().map(|(f, _)| format!("--{}", f.spec().flag)).collect();
    let mut named: Vec<(&str, &Path)> = out.files.0.iter().zip(&flags).map(|((_, p), flag)| (flag.as_str(), p.as_path())).collect();
    named.extend(extra.iter().copied());
    // An output must not overwrite what the run reads.
    for input in inputs {
        let Ok(read) = input.canonicalize() else { continue };
        for (flag, p) in &named {
            if p.canonicalize().is_ok_and(|w| w == read) {
                let shown = clean(&p.display().to_string());
                anyhow::bail!("{flag} {shown} would overwrite an input of this run: name another file");
            }
        }
    }
    check_files(&named)
}

/// Each file's folder exists and takes a new file; no two names are the same file.
pub(crate) fn check_files(named: &[(&str, &Path)]) -> anyhow::Result<()> {
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for &(flag, path) in named {
        if path == Path::new("-") {
            continue;
        }
        let shown = clean(&path.display().to_string());
        let Some(name) = path.file_name() else {
            anyhow::bail!("{flag} {shown}: not a file name");
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            anyhow::bail!("{flag} {shown}: the folder {} does not exist", clean(&parent.display().to_string()));
        }
        if path.is_dir() {
            anyhow::bail!("{flag} {shown}: is a folder, not a file");
        }
        if let Err(e) = tempfile::Builder::new().prefix(".fedcheck-probe-").tempfile_in(&parent) {
            anyhow::bail!("{flag} {shown}: cannot write in {}: {e}", clean(&parent.display().to_string()));
        }
        let key = parent.canonicalize().unwrap_or(parent).join(name);
        if let Some((_, other)) = seen.iter().find(|(k, _)| *k == key) {
            anyhow::bail!("{other} and {flag} both name {shown}: give each output its own file");
        }
        seen.push((key, flag));
    }
    Ok(())
}

/// How the exit of a judged run is decided.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ExitRule {
    /// From the verdict, narrowed by `--fail-on`.
    Verdict,
    /// Ok once the support archive is written (the verdict is inside it).
    ArchiveWritten,
}

/// Write every requested output, show the view on stdout (unless stdout carries a
/// requested file), say where each output went, and return the exit.
pub(crate) fn emit(report: &Report, catalog: &Catalog, out: &OutputArgs, rule: ExitRule) -> anyhow::Result<Exit> {
    let (exit, note) = match rule {
        ExitRule::Verdict => (report::exit_code(report, out.fail_on), terminal::exit_note(report, out.fail_on)),
        ExitRule::ArchiveWritten if report.internal_errors.is_empty() => (Exit::Ok, " (the archive is written)"),
        ExitRule::ArchiveWritten => (Exit::Internal, " (internal error)"),
    };
    let to_stdout = stdout_outputs(out)?;
    let mut ctx = RenderContext::new(report, catalog);
    ctx.exit = exit;
    ctx.note = note;
    ctx.junit_warn = out.junit_warn;
    // The audit ran: a report that cannot be written is an error of this run (exit 1),
    // not a run that could not start.
    let mut wrote: Vec<String> = Vec::new();
    let written = out.files.0.iter().try_for_each(|(format, path)| -> anyhow::Result<()> {
        write_output(path, &format.render(&ctx)?)?;
        if path != Path::new("-") {
            wrote.push(format!("{} written to {}", format.spec().what, path.display()));
        }
        Ok(())
    });
    for w in &wrote {
        eprintln!("fedcheck: {}", clean(w));
    }
    if let Err(e) = written {
        eprintln!("fedcheck: {}", clean(&format!("{e:#}")));
        eprintln!("{}", terminal::summary_line(report, Exit::Internal, " (an output could not be written)"));
        return Ok(Exit::Internal);
    }
    if to_stdout == 1 {
        if !out.quiet {
            eprintln!("{}", terminal::summary_line(report, exit, note));
        }
        return Ok(exit);
    }
    let tty = std::io::stdout().is_terminal();
    let view = out.format.unwrap_or(if tty { View::Terminal } else { View::Plain });
    ctx.style = if view == View::Terminal { terminal::Style::detect(tty) } else { terminal::Style::plain() };
    ctx.style.show_passes = out.verbose;
    match view {
        View::Json => say(&View::Json.render(&ctx)?),
        _ if out.quiet => say(&format!("{}\n", terminal::summary_line(report, exit, note))),
        _ => say(&view.render(&ctx)?),
    }
    Ok(exit)
}

/// The bundle's copies of the reports, rendered as a run that exits `exit` would
/// write them.
pub(crate) fn bundle_reports(report: &Report, catalog: &Catalog, exit: Exit) -> anyhow::Result<Vec<(String, String)>> {
    let mut ctx = RenderContext::new(report, catalog);
    ctx.exit = exit;
    Format::ALL.into_iter().filter_map(|f| f.spec().bundle_file.map(|name| Ok((name.to_string(), f.render(&ctx)?)))).collect()
}
