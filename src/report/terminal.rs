//! The terminal views. `render`: blockers first, then the other problems by family,
//! each printed once, prose wrapped at word boundaries to the terminal's width (ids
//! never broken), passes and skips counted per family (`-v` lists them), then what
//! was not run and the summary line. `render_plain`: one line per finding for logs,
//! in the style of kubeadm's preflight (`[ERROR id]: message`).

use super::{family, FailOn, RenderContext, RenderError};
use crate::exit::Exit;
use crate::judge::catalog::Catalog;
use crate::judge::{Finding, Report, Status, Verdict};
use crate::text::plural;
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthStr as _;

/// How the terminal view is drawn: what it lists, in colour or not, and how wide.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// List passing and skipped findings too (`-v`); by default a family shows counts.
    pub show_passes: bool,
    /// Paint statuses with ANSI colours.
    pub colour: bool,
    /// Whether the output goes to a terminal.
    pub tty: bool,
    /// Columns to wrap prose at.
    pub width: usize,
}

impl Style {
    /// No colour, 100 columns, no passes: for files and tests.
    pub fn plain() -> Style {
        Style { show_passes: false, colour: false, tty: false, width: 100 }
    }

    /// Colour only on a terminal and never when NO_COLOR is set; the width from the
    /// terminal, else `COLUMNS`, else 100.
    pub fn detect(is_tty: bool) -> Style {
        let no_color = crate::text::no_color();
        let term = if is_tty { terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)) } else { None };
        let width = term.or_else(|| columns_env(std::env::var("COLUMNS").ok().as_deref())).unwrap_or(100);
        Style { show_passes: false, colour: is_tty && !no_color, tty: is_tty, width: width.clamp(40, 400) }
    }
}

/// `COLUMNS` when it is a sensible number.
fn columns_env(v: Option<&str>) -> Option<usize> {
    v.and_then(|s| s.trim().parse::<usize>().ok()).filter(|n| *n >= 20)
}

/// One line: newlines and runs of spaces become one space, controls escaped.
pub fn one_line(text: &str) -> String {
    crate::escape::terminal(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Wrap `text` at word boundaries: the first line starts with `first`, the others
/// with `rest` (both counted in the width). A word longer than a line (an id, a URL)
/// is kept whole on a line of its own.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    for (i, para) in crate::escape::terminal(text).split('\n').enumerate() {
        let mut line = String::from(if i == 0 { first } else { rest });
        let mut fresh = true;
        let mut used = line.width();
        for word in words(para) {
            let word = word.as_str();
            let w = word.width();
            if !fresh && used + 1 + w > width {
                out.push_str(line.trim_end());
                out.push('\n');
                line = String::from(rest);
                used = line.width();
                fresh = true;
            }
            if !fresh {
                line.push(' ');
                used += 1;
            }
            line.push_str(word);
            used += w;
            fresh = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The words of a paragraph; a `quoted command` stays one word, so a command to copy
/// is never split across lines.
fn words(para: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for w in para.split_whitespace() {
        match out.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(w);
            }
            _ => out.push(w.to_string()),
        }
        if w.matches('`').count() % 2 == 1 {
            open = !open;
        }
    }
    out
}

fn paint(text: &str, code: &str, style: &Style) -> String {
    if style.colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Fail => "FAIL",
        Status::Warn => "WARN",
        Status::Info => "INFO",
        Status::Pass => "PASS",
        Status::Skip => "SKIP",
    }
}

fn status_colour(s: Status) -> &'static str {
    match s {
        Status::Fail => "1;31",
        Status::Warn => "1;33",
        Status::Info => "36",
        Status::Pass => "32",
        Status::Skip => "90",
    }
}

/// Why the exit code is not what the verdict alone gives ("" when it is).
pub fn exit_note(report: &Report, fail_on: FailOn) -> &'static str {
    match (report.verdict(), fail_on) {
        _ if !report.internal_errors.is_empty() => " (internal error)",
        (Verdict::Fail | Verdict::Warn, FailOn::Never) => " (--fail-on never)",
        (Verdict::Warn, FailOn::Fail) => " (--fail-on fail)",
        _ => "",
    }
}

/// The verdict and the exit code the process returns, with `note` saying what
/// changed it (`exit_note`).
pub fn summary_line(report: &Report, exit: Exit, note: &str) -> String {
    let s = &report.summary;
    let verdict = report.verdict();
    let word = match verdict {
        Verdict::Pass => "OK",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
        Verdict::Incomplete => "INCOMPLETE: nothing selected could be judged",
    };
    let mut line =
        format!("{}: {} fail, {} warn, {} info, {} pass, {} skip", one_line(&report.site), s.fail, s.warn, s.info, s.pass, s.skip);
    if report.coverage.not_run > 0 {
        line.push_str(&format!(", {} not run", plural(report.coverage.not_run, "check", "checks")));
    }
    line.push_str(&format!(" — {word}, exit {exit}{note}"));
    line
}

/// The lines that say how much was not judged (none when everything ran).
fn not_run_lines(report: &Report) -> Vec<String> {
    let c = &report.coverage;
    let mut out = Vec::new();
    if c.not_run > 0 {
        out.push(format!(
            "NOT RUN: {} of {} selected {} could not be judged",
            c.not_run,
            c.not_run + c.judged,
            if c.not_run + c.judged == 1 { "check" } else { "checks" }
        ));
        for r in &c.not_run_reasons {
            out.push(format!("  not run ({}): {}", one_line(&r.reason), r.checks.join(", ")));
        }
    }
    if c.skipped_by_selection > 0 {
        out.push(format!("{} left out by --only/--skip", plural(c.skipped_by_selection, "check", "checks")));
    }
    out
}

/// A check skipped as a whole (`--offline`, `--skip`): counted in NOT RUN, not listed.
fn whole_skip(f: &Finding) -> bool {
    f.target == "*" && f.status == Status::Skip
}

fn title<'a>(catalog: &'a Catalog, id: &str) -> &'a str {
    catalog.get(id).map(|m| m.title.as_str()).unwrap_or("")
}

/// One problem: its target and summary, detail, and the fix once per check.
fn problem_block(out: &mut String, list: &[&Finding], catalog: &Catalog, style: &Style) {
    let Some(first) = list.first() else { return };
    let mark = match first.status {
        Status::Fail => "✗",
        Status::Warn => "!",
        _ => "i",
    };
    let head = format!("{mark} {} {} — {}", status_label(first.status), first.check, title(catalog, &first.check));
    let wrapped = wrap(&head, style.width, "", "    ");
    out.push_str(&paint(wrapped.trim_end(), status_colour(first.status), style));
    out.push('\n');
    for f in list {
        out.push_str(&wrap(&format!("{}: {}", f.target, f.summary), style.width, "  • ", "    "));
        if let Some(d) = &f.detail {
            out.push_str(&wrap(d, style.width, "    ", "    "));
        }
    }
    let mut fixes: Vec<&str> = list.iter().filter_map(|f| f.remediation.as_deref()).collect();
    fixes.dedup();
    for fix in fixes {
        out.push_str(&wrap(&format!("fix: {}", one_line(fix)), style.width, "  ", "       "));
    }
    out.push('\n');
}

/// Consecutive findings of one check and one status, in report order.
fn by_check<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<Vec<&'a Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    for f in findings {
        match groups.last_mut() {
            Some(g) if g.first().is_some_and(|x| x.check == f.check && x.status == f.status) => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    groups
}

/// The terminal view: blockers first with their fixes, then warnings, a line per family
/// with its counts, what was not run and the summary line.
pub fn render(ctx: &RenderContext<'_>) -> Result<String, RenderError> {
    Ok(grouped(ctx.report, ctx.catalog, &ctx.style, ctx.exit, ctx.note))
}

fn grouped(report: &Report, catalog: &Catalog, style: &Style, exit: Exit, note: &str) -> String {
    let mut out = String::new();
    let fails: Vec<&Finding> = report.findings.iter().filter(|f| f.status == Status::Fail).collect();
    if !fails.is_empty() {
        let head = format!("BLOCKERS: {} to fix before the integration", plural(fails.len(), "finding", "findings"));
        out.push_str(&paint(&head, "1;31", style));
        out.push_str("\n\n");
        for group in by_check(fails.into_iter()) {
            problem_block(&mut out, &group, catalog, style);
        }
    }
    // The other problems (warn, info) by family; passes and skips counted.
    let mut families: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| !whole_skip(f)) {
        families.entry(family(&f.check)).or_default().push(f);
    }
    let problems: usize = report.findings.iter().filter(|f| matches!(f.status, Status::Warn | Status::Info)).count();
    if problems > 0 {
        let head = format!("WARNINGS AND NOTES: {}", plural(problems, "finding", "findings"));
        out.push_str(&paint(&head, "1", style));
        out.push_str("\n\n");
        for list in families.values() {
            let rest = list.iter().copied().filter(|f| matches!(f.status, Status::Warn | Status::Info));
            let mut groups = by_check(rest);
            // Warnings before notes within a family.
            groups.sort_by_key(|g| std::cmp::Reverse(g.first().map(|f| f.status)));
            for group in groups {
                problem_block(&mut out, &group, catalog, style);
            }
        }
    }
    // Passes and skips: one line per family, or listed with -v.
    let mut lines = Vec::new();
    for (fam, list) in &families {
        let pass = list.iter().filter(|f| f.status == Status::Pass).count();
        let skip = list.iter().filter(|f| f.status == Status::Skip).count();
        if pass + skip == 0 {
            continue;
        }
        let mut counts = Vec::new();
        if pass > 0 {
            counts.push(format!("{pass} pass"));
        }
        if skip > 0 {
            counts.push(format!("{skip} skip"));
        }
        lines.push(format!("  {:<14} {}", fam, counts.join(", ")));
        if style.show_passes {
            for f in list.iter().filter(|f| matches!(f.status, Status::Pass | Status::Skip)) {
                let text = format!("{} {} {}: {}", status_label(f.status), f.check, f.target, f.summary);
                lines.push(wrap(&text, style.width, "    ", "         ").trim_end().to_string());
            }
        }
    }
    if !lines.is_empty() {
        let hint = if style.show_passes { "" } else { " (-v lists them)" };
        out.push_str(&format!("PASSED AND SKIPPED{hint}\n"));
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
        out.push('\n');
    }
    let not_run = not_run_lines(report);
    if !not_run.is_empty() {
        for l in not_run {
            let (first, rest) = if l.starts_with("  ") { ("  ", "      ") } else { ("", "    ") };
            out.push_str(&wrap(l.trim_start(), style.width, first, rest));
        }
        out.push('\n');
    }
    for e in &report.internal_errors {
        out.push_str(&wrap(&format!("internal error: {e}"), style.width, "", "  "));
    }
    out.push_str(&wrap(&summary_line(report, exit, note), style.width, "", "  "));
    out
}

/// One line per finding, for logs and pipes: `[ERROR id]: target: message`,
/// `[WARNING id]: …`, `[INFO id]: …`; passes and skips with `verbose`. Then what was
/// not run and the summary line.
pub fn render_plain(ctx: &RenderContext<'_>) -> Result<String, RenderError> {
    Ok(plain(ctx.report, ctx.style.show_passes, ctx.exit, ctx.note))
}

fn plain(report: &Report, verbose: bool, exit: Exit, note: &str) -> String {
    let mut out = String::new();
    let order = [Status::Fail, Status::Warn, Status::Info, Status::Skip, Status::Pass];
    for status in order {
        if !verbose && matches!(status, Status::Pass | Status::Skip) {
            continue;
        }
        for f in report.findings.iter().filter(|f| f.status == status && !whole_skip(f)) {
            let tag = match status {
                Status::Fail => "ERROR",
                Status::Warn => "WARNING",
                Status::Info => "INFO",
                Status::Pass => "PASS",
                Status::Skip => "SKIP",
            };
            let mut line = format!("[{tag} {}]: {}: {}", f.check, one_line(&f.target), one_line(&f.summary));
            if matches!(status, Status::Fail | Status::Warn) {
                line.push_str(&format!(" (fix: fedcheck explain {})", f.check));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    for l in not_run_lines(report) {
        out.push_str(&one_line(&l));
        out.push('\n');
    }
    for e in &report.internal_errors {
        out.push_str(&format!("[ERROR internal]: {}\n", one_line(e)));
    }
    out.push_str(&summary_line(report, exit, note));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(crate::escape::terminal("ok\x1b[2Jboom\r\nnext\u{202e}"), "ok\\u{1b}[2Jboom\\u{d}\nnext\\u{202e}");
    }

    #[test]
    fn wrapping_breaks_at_words_and_never_inside_an_id() {
        let text = "the route for contoso.com points at routing-node.services.example.with.a.very.long.name today";
        let w = wrap(text, 30, "", "  ");
        for line in w.lines() {
            assert!(line.chars().count() <= 30 || !line.trim().contains(' '), "{line:?}");
        }
        assert!(w.contains("routing-node.services.example.with.a.very.long.name"), "{w}");
        let joined: Vec<&str> = w.split_whitespace().collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn a_quoted_command_is_never_split() {
        let w = wrap("Test it by hand: `dig @10.1.1.10 fe01.contoso.com` from this host", 30, "", "");
        assert!(w.lines().any(|l| l.contains("`dig @10.1.1.10 fe01.contoso.com`")), "{w}");
    }

    #[test]
    fn columns_must_be_a_sensible_number() {
        assert_eq!(columns_env(Some("132")), Some(132));
        assert_eq!(columns_env(Some("abc")), None);
        assert_eq!(columns_env(Some("3")), None);
        assert_eq!(columns_env(None), None);
    }

    #[test]
    fn wrapping_counts_columns_not_characters() {
        // Each word is three characters but six columns wide.
        assert_eq!(wrap("日本語 日本語", 10, "", ""), "日本語\n日本語\n");
        assert_eq!(wrap("abc abc", 10, "", ""), "abc abc\n");
        assert_eq!(wrap("é é é", 5, "", ""), "é é é\n", "a precomposed accent is one column");
    }
}
