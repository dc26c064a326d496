//! The outputs as data: every file format a run can write (its flag, its file in the
//! support bundle, its renderer) and every view it can show on stdout. A new format
//! is its renderer's file plus one variant here.

use super::{html, json, junit, markdown, terminal, RenderContext, RenderError};

/// A report file a run writes when its flag names a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `fedcheck.report/v2` JSON.
    Json,
    /// One self-contained HTML page.
    Html,
    /// JUnit XML, one testcase per finding.
    Junit,
    /// Markdown for a ticket.
    Markdown,
}

/// What a format is, in one row.
#[derive(Debug)]
pub struct Spec {
    /// The long flag that names its file (`--json`).
    pub flag: &'static str,
    /// The flag's help.
    pub help: &'static str,
    /// What the file is, for "… written to FILE".
    pub what: &'static str,
    /// Its name inside a support bundle, when the bundle carries it.
    pub bundle_file: Option<&'static str>,
    /// Its renderer.
    pub render: fn(&RenderContext<'_>) -> Result<String, RenderError>,
}

impl Format {
    /// Every format, in the order the outputs are written and listed in `--help`.
    pub const ALL: [Format; 4] = [Format::Json, Format::Html, Format::Junit, Format::Markdown];

    /// Its row.
    pub fn spec(self) -> &'static Spec {
        match self {
            Format::Json => &Spec {
                flag: "json",
                help: "Write the report as JSON (\"-\" for stdout)",
                what: "JSON report",
                bundle_file: Some("report.json"),
                render: json::render,
            },
            Format::Html => &Spec {
                flag: "html",
                help: "Write a self-contained HTML page (\"-\" for stdout)",
                what: "HTML page",
                bundle_file: Some("report.html"),
                render: html::render,
            },
            Format::Junit => &Spec {
                flag: "junit",
                help: "Write JUnit XML, one testcase per finding (\"-\" for stdout)",
                what: "JUnit XML",
                bundle_file: None,
                render: junit::render,
            },
            Format::Markdown => &Spec {
                flag: "markdown",
                help: "Write Markdown for a ticket (\"-\" for stdout)",
                what: "Markdown",
                bundle_file: Some("report.md"),
                render: markdown::render,
            },
        }
    }

    /// Render this format.
    pub fn render(self, ctx: &RenderContext<'_>) -> Result<String, RenderError> {
        (self.spec().render)(ctx)
    }

    /// The format whose flag is `flag` (without dashes).
    pub fn from_flag(flag: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.spec().flag == flag)
    }
}

/// What the view on stdout looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum View {
    /// Grouped and wrapped for a person at a terminal.
    Terminal,
    /// One line per finding (`[ERROR id]: …`), for logs.
    Plain,
    /// The JSON report.
    Json,
}

impl View {
    /// Render this view.
    pub fn render(self, ctx: &RenderContext<'_>) -> Result<String, RenderError> {
        match self {
            View::Terminal => terminal::render(ctx),
            View::Plain => terminal::render_plain(ctx),
            View::Json => json::render(ctx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_bundle_files_are_unique() {
        for (i, a) in Format::ALL.iter().enumerate() {
            assert_eq!(Format::from_flag(a.spec().flag), Some(*a));
            for b in &Format::ALL[i + 1..] {
                assert_ne!(a.spec().flag, b.spec().flag);
                assert!(a.spec().bundle_file.is_none() || a.spec().bundle_file != b.spec().bundle_file);
            }
        }
    }
}
