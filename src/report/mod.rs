//! Renderers: one module per output format, each `render(&RenderContext) ->
//! Result<String, RenderError>`; `Format` lists the files a run can write, `View`
//! what it can show on stdout.

pub mod html;
pub mod inert;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod terminal;

mod format;

pub use format::{Format, View};

use crate::exit::Exit;
use crate::judge::catalog::Catalog;
use crate::judge::Report;

/// Everything a renderer reads: the report, the catalog's wording, where the run
/// happened, how it exits and how the views are shaped. Every renderer takes it.
#[derive(Debug, Clone)]
pub struct RenderContext<'a> {
    /// The judged run.
    pub report: &'a Report,
    /// Titles, fixes and sources of the checks.
    pub catalog: &'a Catalog,
    /// The machine the run was made from (hostname), when known.
    pub host: Option<String>,
    /// The inventory file the run audited, as the user named it.
    pub inventory_path: Option<String>,
    /// The exit the process returns (the JSON report records it).
    pub exit: Exit,
    /// What changed the exit from the verdict's (`terminal::exit_note`), or "".
    pub note: &'a str,
    /// How warnings appear in JUnit.
    pub junit_warn: junit::WarnAs,
    /// Width, colour and detail of the terminal and plain views.
    pub style: terminal::Style,
}

impl<'a> RenderContext<'a> {
    /// A context for `report` with the defaults: host and inventory from the report,
    /// the exit its verdict gives, warnings as JUnit failures, an uncoloured 100-column
    /// view without passes.
    pub fn new(report: &'a Report, catalog: &'a Catalog) -> Self {
        RenderContext {
            report,
            catalog,
            host: report.host.clone(),
            inventory_path: report.inventory.clone(),
            exit: exit_code(report, FailOn::Warn),
            note: "",
            junit_warn: junit::WarnAs::Failure,
            style: terminal::Style::plain(),
        }
    }
}

/// A renderer that could not produce its output (a template fault: tests catch them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot render the {format} output: {message}")]
pub struct RenderError {
    /// Which output.
    pub format: &'static str,
    /// What went wrong.
    pub message: String,
}

impl RenderError {
    pub(crate) fn new(format: &'static str, message: impl std::fmt::Display) -> Self {
        RenderError { format, message: message.to_string() }
    }
}

/// When a run should exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    /// 3 on any fail, 4 on warnings without a fail.
    #[default]
    Warn,
    /// 3 on any fail; warnings exit 0.
    Fail,
    /// Always 0 once the run completed.
    Never,
}

/// The exit a judged run returns: internal on a crashed check, cannot-start when
/// nothing selected could be judged (whatever `--fail-on` says), else as `fail_on`
/// narrows it.
pub fn exit_code(report: &Report, fail_on: FailOn) -> Exit {
    if !report.internal_errors.is_empty() {
        return Exit::Internal;
    }
    if report.verdict() == crate::judge::Verdict::Incomplete {
        return Exit::CannotStart;
    }
    let s = &report.summary;
    match fail_on {
        FailOn::Never => Exit::Ok,
        _ if s.fail > 0 => Exit::Fail,
        FailOn::Warn if s.warn > 0 => Exit::Warn,
        _ => Exit::Ok,
    }
}

/// The check family of an id: `routing-node.services` → `routing-node`.
pub fn family(check: &str) -> &str {
    check.split_once('.').map(|(f, _)| f).unwrap_or(check)
}
