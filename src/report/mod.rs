//! Renderers: one module per output format. Each takes the finished report.

pub mod escape;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod terminal;

use crate::judge::catalog::Catalog;
use crate::judge::Report;

/// What the HTML and Markdown renderers need beyond the findings: catalog titles and
/// where the run happened, so a page attached to a ticket stands on its own.
#[derive(Debug, Clone)]
pub struct RenderContext<'a> {
    pub report: &'a Report,
    pub catalog: &'a Catalog,
    /// The machine the run was made from (hostname), when known.
    pub host: Option<String>,
    /// The inventory file the run audited, as the user named it.
    pub inventory_path: Option<String>,
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

pub const EXIT_OK: i32 = 0;
pub const EXIT_INTERNAL: i32 = 1;
pub const EXIT_CANNOT_START: i32 = 2;
pub const EXIT_FAIL: i32 = 3;
pub const EXIT_WARN: i32 = 4;

/// The exit code a judged run returns: 1 on an internal error, 2 when nothing
/// selected could be judged (whatever `--fail-on` says), else as `fail_on` narrows it.
pub fn exit_code(report: &Report, fail_on: FailOn) -> i32 {
    if !report.internal_errors.is_empty() {
        return EXIT_INTERNAL;
    }
    if report.verdict() == crate::judge::Verdict::Incomplete {
        return EXIT_CANNOT_START;
    }
    let s = &report.summary;
    match fail_on {
        FailOn::Never => EXIT_OK,
        _ if s.fail > 0 => EXIT_FAIL,
        FailOn::Warn if s.warn > 0 => EXIT_WARN,
        _ => EXIT_OK,
    }
}

/// The check family of an id: `routing-node.services` → `routing-node`.
pub fn family(check: &str) -> &str {
    check.split_once('.').map(|(f, _)| f).unwrap_or(check)
}
