//! The terminal view: blockers first, then one table per family, then a summary.

use super::family;
use crate::judge::catalog::Catalog;
use crate::judge::Report;
use crate::judge::{Finding, Status};
use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};
use std::collections::BTreeMap;

pub struct Style {
    /// List passing findings too (`-v`); by default a family shows its count.
    pub show_passes: bool,
    pub colour: bool,
    pub tty: bool,
    pub width: u16,
}

impl Style {
    /// Colour only on a terminal and never when NO_COLOR is set.
    pub fn detect(is_tty: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = if is_tty { comfy_table::Table::new().width().unwrap_or(120) } else { 120 };
        Style { show_passes: false, colour: is_tty && !no_color, tty: is_tty, width: width.max(80) }
    }
}

/// Peer-controlled text (SIP headers, certificate names) must not drive the
/// terminal: control characters other than newlines, and bidi controls, are shown
/// escaped.
fn clean(text: &str) -> String {
    super::escape::terminal_field(text)
}

fn status_cell(s: Status, style: &Style) -> Cell {
    let cell = Cell::new(s.as_str().to_uppercase());
    if !style.colour {
        return cell;
    }
    match s {
        Status::Fail => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Status::Warn => cell.fg(Color::Yellow).add_attribute(Attribute::Bold),
        Status::Info => cell.fg(Color::Cyan),
        Status::Pass => cell.fg(Color::Green),
        Status::Skip => cell.fg(Color::DarkGrey),
    }
}

fn table(style: &Style) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    if style.tty {
        t.set_content_arrangement(ContentArrangement::Dynamic).set_width(style.width);
    } else {
        // In a pipe or a file do not wrap: a summary stays on one line for grep.
        t.set_content_arrangement(ContentArrangement::Disabled);
    }
    if !style.colour {
        t.force_no_tty();
    }
    t
}

pub fn summary_line(report: &Report, exit: i32) -> String {
    let s = &report.summary;
    let verdict = match exit {
        0 => "OK",
        3 => "FAIL",
        4 => "WARN",
        _ => "ERROR",
    };
    format!(
        "{}: {} fail, {} warn, {} info, {} pass, {} skip — {verdict} (exit {exit})",
        clean(&report.site),
        s.fail,
        s.warn,
        s.info,
        s.pass,
        s.skip
    )
}

pub fn render(report: &Report, catalog: &Catalog, style: &Style, exit: i32) -> String {
    let mut out = String::new();
    let blockers: Vec<&Finding> = report.findings.iter().filter(|f| f.status == Status::Fail).collect();
    if !blockers.is_empty() {
        // One block per failing check: what is wrong where, then the fix once.
        out.push_str(&format!("BLOCKERS: {} finding(s) to fix before the integration\n\n", blockers.len()));
        let mut by_check: Vec<(&str, Vec<&Finding>)> = Vec::new();
        for f in blockers {
            match by_check.last_mut() {
                Some((id, list)) if *id == f.check => list.push(f),
                _ => by_check.push((&f.check, vec![f])),
            }
        }
        for (id, list) in by_check {
            let title = catalog.get(id).map(|m| m.title.as_str()).unwrap_or("");
            let head = format!("✗ {id} — {}", clean(title));
            out.push_str(&if style.colour { format!("\x1b[1;31m{head}\x1b[0m\n") } else { format!("{head}\n") });
            for f in &list {
                out.push_str(&format!("    {}: {}\n", clean(&f.target), clean(&f.summary)));
            }
            if let Some(fix) = list.first().and_then(|f| f.remediation.as_deref()) {
                out.push_str(&format!("  fix: {}\n", clean(&fix.split_whitespace().collect::<Vec<_>>().join(" "))));
            }
            out.push('\n');
        }
    }
    // Families with the worst findings come first. Cells may hold several lines (check
    // and title, summary and detail); outside a terminal they are not wrapped.
    // A check skipped as a whole (`--offline`, `--skip`) is one line at the end, not a
    // table row per check.
    let whole_skip = |f: &Finding| f.target == "*" && f.status == Status::Skip;
    let mut families: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| !whole_skip(f)) {
        families.entry(family(&f.check)).or_default().push(f);
    }
    let mut order: Vec<(&str, Vec<&Finding>)> = families.into_iter().collect();
    let worst = |fs: &Vec<&Finding>| fs.iter().map(|f| f.status).max().unwrap_or(Status::Pass);
    order.sort_by(|a, b| worst(&b.1).cmp(&worst(&a.1)).then(a.0.cmp(b.0)));
    for (fam, findings) in order {
        let passed = findings.iter().filter(|f| f.status == Status::Pass).count();
        let shown: Vec<&Finding> = findings.iter().copied().filter(|f| style.show_passes || f.status != Status::Pass).collect();
        if shown.is_empty() {
            out.push_str(&format!("{}: all {passed} findings pass\n\n", fam.to_uppercase()));
            continue;
        }
        let hidden = if style.show_passes || passed == 0 { String::new() } else { format!("  (+{passed} passing, -v lists them)") };
        out.push_str(&format!("{}{hidden}\n", fam.to_uppercase()));
        let mut t = table(style);
        t.set_header(vec!["Status", "Check", "Target", "Finding"]);
        for f in shown {
            let title = catalog.get(&f.check).map(|m| m.title.as_str()).unwrap_or("");
            let mut text = f.summary.clone();
            if let Some(d) = &f.detail {
                text.push_str(&format!("\n{d}"));
            }
            if f.status == Status::Warn {
                if let Some(fix) = &f.remediation {
                    text.push_str(&format!("\nfix: {fix}"));
                }
            }
            t.add_row(vec![
                status_cell(f.status, style),
                Cell::new(clean(&format!("{}\n{title}", f.check))),
                Cell::new(clean(&f.target)),
                Cell::new(clean(&text)),
            ]);
        }
        out.push_str(&t.to_string());
        out.push_str("\n\n");
    }
    let mut not_run: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| whole_skip(f)) {
        not_run.entry(f.summary.as_str()).or_default().push(f.check.as_str());
    }
    for (why, checks) in not_run {
        out.push_str(&format!("NOT RUN ({}): {}\n\n", clean(why), checks.join(", ")));
    }
    for e in &report.internal_errors {
        out.push_str(&format!("internal error: {}\n", clean(e)));
    }
    out.push_str(&summary_line(report, exit));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(super::clean("ok\x1b[2Jboom\r\nnext"), "ok\\u{1b}[2Jboom\\u{d}\nnext");
        assert_eq!(super::clean("\u{202E}liaf \u{061C}"), "\\u{202e}liaf \\u{61c}");
    }
}
