//! `--markdown`: a short report to paste into a ticket: summary counts, the blockers,
//! each fix once, and the warnings. Text is escaped in Rust (`|` and line breaks in
//! cells, `<` everywhere) so one odd summary cannot break a table or inject markup,
//! while menu paths like `Presence > Routing` stay readable as plain text.

use super::{RenderContext, RenderError};
use crate::judge::{Finding, Status};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

const TEMPLATE: &str = include_str!("../../reports/report.md");

#[derive(Serialize)]
struct Doc<'a> {
    site: String,
    date: &'a str,
    started_at: String,
    host: Option<String>,
    inventory_path: Option<String>,
    tool: String,
    total: usize,
    counts: Vec<(&'static str, usize)>,
    blockers: Vec<Row>,
    fixes: Vec<Fix>,
    warnings: Vec<Row>,
    internal_errors: Vec<String>,
    /// The verdict in words, and how much was not run (when anything was not).
    verdict: String,
    coverage: Option<String>,
}

/// One table row, every field already escaped for a cell.
#[derive(Serialize)]
struct Row {
    check: String,
    target: String,
    summary: String,
}

/// One failing or warning check, listed once with its fix.
#[derive(Serialize)]
struct Fix {
    check: String,
    title: String,
    status: &'static str,
    count: usize,
    targets: String,
    remediations: Vec<String>,
}

/// Make text safe inside a table cell (see [`super::inert::markdown_cell`]).
pub fn cell(s: &str) -> String {
    super::inert::markdown_cell(s)
}

/// Text outside a table (see [`super::inert::markdown_text`]).
fn text(s: &str) -> String {
    super::inert::markdown_text(s)
}

/// Inline code that survives any backtick inside it.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

fn row(f: &Finding) -> Row {
    Row { check: code(&f.check).replace('|', "\\|"), target: cell(&f.target), summary: cell(&f.summary) }
}

fn doc<'a>(ctx: &'a RenderContext<'_>) -> Doc<'a> {
    let report = ctx.report;
    let s = &report.summary;
    // The date alone in the title; the full instant goes in the line under it.
    let date = report.started_at.get(..10).filter(|d| d.bytes().all(|b| b.is_ascii_digit() || b == b'-')).unwrap_or(&report.started_at);
    let counts = vec![("fail", s.fail), ("warn", s.warn), ("info", s.info), ("pass", s.pass), ("skip", s.skip)];
    let blockers = report.findings.iter().filter(|f| f.status == Status::Fail).map(row).collect();
    let warnings = report.findings.iter().filter(|f| f.status == Status::Warn).map(row).collect();

    // Fail checks first, then warn checks, each once, in check order.
    let mut fixes: Vec<Fix> = Vec::new();
    for wanted in [Status::Fail, Status::Warn] {
        let mut current: Option<(&str, Vec<&Finding>)> = None;
        let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
        for f in report.findings.iter().filter(|f| f.status == wanted) {
            match &mut current {
                Some((id, list)) if *id == f.check => list.push(f),
                _ => {
                    if let Some(g) = current.take() {
                        groups.push(g);
                    }
                    current = Some((&f.check, vec![f]));
                }
            }
        }
        groups.extend(current);
        for (id, list) in groups {
            // A check already listed as a blocker is not repeated for its warnings.
            if fixes.iter().any(|x| x.check == id) {
                continue;
            }
            let mut remediations: Vec<String> = Vec::new();
            for f in &list {
                if let Some(r) = f.remediation.as_deref().map(text) {
                    if !r.is_empty() && !remediations.contains(&r) {
                        remediations.push(r);
                    }
                }
            }
            let title = ctx.catalog.get(id).map(|m| text(&m.title)).unwrap_or_default();
            // Escaped text, not code spans: a target may hold backticks and link syntax.
            let mut targets: Vec<String> = list.iter().map(|f| cell(&f.target)).collect();
            targets.dedup();
            fixes.push(Fix {
                check: id.to_string(),
                title,
                status: wanted.as_str(),
                count: list.len(),
                targets: targets.join(", "),
                remediations,
            });
        }
    }
    for f in &mut fixes {
        f.check = code(&f.check);
    }

    Doc {
        site: text(&report.site),
        date,
        started_at: text(&report.started_at),
        host: ctx.host.as_deref().map(code),
        inventory_path: ctx.inventory_path.as_deref().map(code),
        tool: text(&format!("{} {}", report.tool.name, report.tool.version)),
        total: report.findings.len(),
        counts,
        blockers,
        fixes,
        warnings,
        internal_errors: report.internal_errors.iter().map(|e| text(e)).collect(),
        verdict: report.verdict().as_str().to_uppercase(),
        coverage: report.not_run_line().map(|l| text(&l)),
    }
}

/// Render the report as Markdown (GitHub-flavoured tables).
pub fn render(ctx: &RenderContext<'_>) -> Result<String, RenderError> {
    let fault = |e: minijinja::Error| RenderError::new("Markdown", e);
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(fault)?;
    env.set_syntax(syntax);
    env.add_template("report.md", TEMPLATE).map_err(fault)?;
    let tmpl = env.get_template("report.md").map_err(fault)?;
    let doc = doc(ctx);
    let out = tmpl.render(minijinja::context! { r => Value::from(Serde(&doc)) }).map_err(fault)?;
    Ok(crate::escape::document(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_breaks_and_markup() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("one\ntwo\r\nthree\rfour"), "one<br>two<br>three<br>four");
        assert_eq!(cell("<script>"), "\\<script>");
        assert_eq!(cell("tab\there"), "tab here");
        assert_eq!(cell("[click](javascript:x)"), "\\[click\\]\\(javascript:x\\)");
        assert_eq!(cell("`code`"), "\\`code\\`");
    }

    #[test]
    fn prose_keeps_menu_paths_and_defuses_line_starts() {
        assert_eq!(text("Presence > Routing"), "Presence > Routing");
        assert_eq!(text("a\n> quoted\n# head\n<b>"), "a\n\\> quoted\n\\# head\n\\<b>");
    }

    #[test]
    fn inline_code_outgrows_backticks() {
        assert_eq!(code("dns.forward"), "`dns.forward`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
