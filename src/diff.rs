//! `fedcheck diff before.json after.json`: what a change window did to the verdicts.
//!
//! Findings of the two reports are paired by (check, target id): the target's stable
//! name, without the addresses, versions or times its label may show. A pair whose status got
//! worse is a regression, one that got better a fix; findings present on one side only
//! are new or gone. The exit code says whether anything regressed, so a pipeline can
//! gate on it.

use crate::escape::terminal as clean;
use crate::judge::{Finding, Status};
use crate::judge::{Report, REPORT_SCHEMA, REPORT_SCHEMA_V2};
use crate::text::plural;
use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The schema name of `fedcheck diff --json` output.
pub const DIFF_SCHEMA: &str = "fedcheck.diff/v1";

/// Which run one side of the comparison came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRef {
    /// The run's site name.
    pub site: String,
    /// When the run started, RFC 3339.
    pub started_at: String,
}

/// One finding whose status differs between the runs. `before` is `None` for a finding
/// that only the later run has, `after` is `None` for one that disappeared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The check's id.
    pub check: String,
    /// The target's label, from the later run when it has the finding.
    pub target: String,
    /// The status in the earlier run, if it had the finding.
    pub before: Option<Status>,
    /// The status in the later run, if it has the finding.
    pub after: Option<Status>,
    /// The earlier run's summary line for the finding.
    pub before_summary: Option<String>,
    /// The later run's summary line for the finding.
    pub after_summary: Option<String>,
    /// The fix for a regression, as the later run states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

/// The comparison of two reports, as serialised by `fedcheck diff --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// Always [`DIFF_SCHEMA`].
    pub schema: String,
    /// The earlier run.
    pub before: RunRef,
    /// The later run.
    pub after: RunRef,
    /// pass|info|skip → warn|fail, warn → fail, and new warn/fail findings.
    pub regressions: Vec<Change>,
    /// fail|warn → pass|info, fail → warn, and warn/fail findings that are gone.
    pub fixes: Vec<Change>,
    /// Every finding only the later run has (the warn/fail ones are regressions too).
    pub new: Vec<Finding>,
    /// Every finding only the earlier run has (the warn/fail ones are fixes too).
    pub gone: Vec<Finding>,
    /// Paired findings with the same status (the wording may differ).
    pub unchanged: usize,
    /// Status changes that are neither better nor worse, e.g. pass → skip, fail → skip.
    pub other_changes: Vec<Change>,
    /// Checks judged in one run and skipped as a whole in the other: not compared.
    #[serde(default)]
    pub not_judged: Vec<String>,
}

fn is_problem(s: Status) -> bool {
    matches!(s, Status::Warn | Status::Fail)
}

fn is_good(s: Status) -> bool {
    matches!(s, Status::Pass | Status::Info)
}

enum Kind {
    Regression,
    Fix,
    Other,
}

fn classify(before: Status, after: Status) -> Kind {
    match (before, after) {
        (b, a) if !is_problem(b) && is_problem(a) => Kind::Regression,
        (Status::Warn, Status::Fail) => Kind::Regression,
        (b, a) if is_problem(b) && is_good(a) => Kind::Fix,
        (Status::Fail, Status::Warn) => Kind::Fix,
        _ => Kind::Other,
    }
}

fn change(before: Option<&Finding>, after: Option<&Finding>) -> Change {
    let any = after.or(before);
    Change {
        check: any.map(|f| f.check.clone()).unwrap_or_default(),
        target: any.map(|f| f.target.clone()).unwrap_or_default(),
        before: before.map(|f| f.status),
        after: after.map(|f| f.status),
        before_summary: before.map(|f| f.summary.clone()),
        after_summary: after.map(|f| f.summary.clone()),
        remediation: after.and_then(|f| f.remediation.clone()),
    }
}

type Key = (String, String);

/// Findings by (check, stable target id): addresses, versions and times in a label do
/// not make a finding new.
fn by_key(report: &Report) -> BTreeMap<Key, Vec<&Finding>> {
    let mut map: BTreeMap<Key, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        map.entry((f.check.clone(), f.stable_id().into_owned())).or_default().push(f);
    }
    for list in map.values_mut() {
        list.sort_by(|a, b| (a.status, &a.summary).cmp(&(b.status, &b.summary)));
    }
    map
}

/// Compare two reports. Findings are paired by (check, target); when one side has
/// several findings for the same pair, identical verdicts are paired first and the rest
/// in order of status.
pub fn diff(before: &Report, after: &Report) -> Diff {
    let old = by_key(before);
    let new = by_key(after);
    let mut d = Diff {
        schema: DIFF_SCHEMA.into(),
        before: RunRef { site: before.site.clone(), started_at: before.started_at.clone() },
        after: RunRef { site: after.site.clone(), started_at: after.started_at.clone() },
        regressions: Vec::new(),
        fixes: Vec::new(),
        new: Vec::new(),
        gone: Vec::new(),
        unchanged: 0,
        other_changes: Vec::new(),
        not_judged: Vec::new(),
    };
    // A check skipped as a whole in one run (`--offline`, `--only`, `--skip`) was not
    // judged there: its findings in the other run are neither fixed nor regressed.
    let unjudged = |r: &Report| -> std::collections::BTreeSet<String> {
        r.findings.iter().filter(|f| f.target == "*" && f.status == Status::Skip).map(|f| f.check.clone()).collect()
    };
    let (skipped_before, skipped_after) = (unjudged(before), unjudged(after));
    let mut keys: Vec<&Key> = old.keys().chain(new.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    let empty = Vec::new();
    for key in keys {
        if skipped_before.contains(&key.0) != skipped_after.contains(&key.0) {
            if !d.not_judged.contains(&key.0) {
                d.not_judged.push(key.0.clone());
            }
            continue;
        }
        let olds = old.get(key).unwrap_or(&empty);
        let mut news: Vec<&Finding> = new.get(key).unwrap_or(&empty).clone();
        let mut olds_left = Vec::new();
        for o in olds {
            match news.iter().position(|n| n.status == o.status && n.summary == o.summary) {
                Some(i) => {
                    news.remove(i);
                    d.unchanged += 1;
                }
                None => olds_left.push(*o),
            }
        }
        let paired = olds_left.len().min(news.len());
        for (o, n) in olds_left.iter().zip(&news) {
            if o.status == n.status {
                d.unchanged += 1;
                continue;
            }
            let c = change(Some(o), Some(n));
            match classify(o.status, n.status) {
                Kind::Regression => d.regressions.push(c),
                Kind::Fix => d.fixes.push(c),
                Kind::Other => d.other_changes.push(c),
            }
        }
        for o in olds_left.iter().skip(paired) {
            if is_problem(o.status) {
                d.fixes.push(change(Some(o), None));
            }
            d.gone.push((*o).clone());
        }
        for n in news.iter().skip(paired) {
            if is_problem(n.status) {
                d.regressions.push(change(None, Some(n)));
            }
            d.new.push((*n).clone());
        }
    }
    for list in [&mut d.regressions, &mut d.fixes, &mut d.other_changes] {
        list.sort_by(|a, b| (&a.check, &a.target, a.before, a.after).cmp(&(&b.check, &b.target, b.before, b.after)));
    }
    crate::judge::sort_findings(&mut d.new);
    crate::judge::sort_findings(&mut d.gone);
    d
}

/// Fail (3) when anything regressed, else Ok.
pub fn exit_code(diff: &Diff) -> crate::exit::Exit {
    if diff.regressions.is_empty() {
        crate::exit::Exit::Ok
    } else {
        crate::exit::Exit::Fail
    }
}

/// Read a report written by `fedcheck run --json`. The message names the file and says
/// what is wrong with it.
pub fn load_report(path: &Path) -> Result<Report, String> {
    let shown = path.display();
    let text = crate::fsread::read_capped_text(path, crate::fsread::REPORT_CAP)
        .map_err(|e| format!("{shown}: cannot read the report: {}", e.reason()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{shown}:{}:{}: not JSON ({e}); expected a report written by `fedcheck run --json`", e.line(), e.column()))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(REPORT_SCHEMA_V2) => {
            return serde_json::from_str::<crate::report::json::JsonReport>(&text)
                .map(crate::report::json::JsonReport::into_report)
                .map_err(|e| format!("{shown}:{}:{}: malformed {REPORT_SCHEMA_V2} report: {e}", e.line(), e.column()))
        }
        Some(REPORT_SCHEMA) => {}
        Some(other) => {
            return Err(format!(
                "{shown}: schema is `{other}`, expected `{REPORT_SCHEMA_V2}` or `{REPORT_SCHEMA}`; \
                 only reports written by `fedcheck run --json` can be compared"
            ))
        }
        None => {
            return Err(format!(
                "{shown}: not a fedcheck report (no `schema` of `{REPORT_SCHEMA_V2}`); \
                 write one with `fedcheck run --json FILE`"
            ))
        }
    }
    // Parse the text again (not the value) so a shape error carries its line.
    serde_json::from_str::<Report>(&text).map_err(|e| format!("{shown}:{}:{}: malformed {REPORT_SCHEMA} report: {e}", e.line(), e.column()))
}

/// "2 regressions, 3 fixed, 1 new, 0 gone, 40 unchanged" (and other changes, if any).
pub fn summary_line(diff: &Diff) -> String {
    let mut s = format!(
        "{}, {} fixed, {} new, {} gone, {} unchanged",
        plural(diff.regressions.len(), "regression", "regressions"),
        diff.fixes.len(),
        diff.new.len(),
        diff.gone.len(),
        diff.unchanged
    );
    if !diff.other_changes.is_empty() {
        s.push_str(&format!(", {}", plural(diff.other_changes.len(), "other change", "other changes")));
    }
    if !diff.not_judged.is_empty() {
        s.push_str(&format!("; not compared (skipped as a whole in one run): {}", diff.not_judged.join(", ")));
    }
    s
}

fn status_text(s: Option<Status>) -> String {
    s.map(|s| s.as_str().to_uppercase()).unwrap_or_else(|| "—".into())
}

fn status_cell(s: Option<Status>, colour: bool) -> Cell {
    let cell = Cell::new(status_text(s));
    if !colour {
        return cell;
    }
    match s {
        Some(Status::Fail) => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Some(Status::Warn) => cell.fg(Color::Yellow).add_attribute(Attribute::Bold),
        Some(Status::Info) => cell.fg(Color::Cyan),
        Some(Status::Pass) => cell.fg(Color::Green),
        Some(Status::Skip) | None => cell.fg(Color::DarkGrey),
    }
}

fn table(colour: bool) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    if colour {
        // Colour means a terminal: wrap long text to its width.
        let width = t.width().unwrap_or(120).max(80);
        t.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    } else {
        // In a pipe or a file keep each row on one line, so grep finds it whole.
        t.set_content_arrangement(ContentArrangement::Disabled);
        t.force_no_tty();
    }
    t
}

fn heading(out: &mut String, text: &str, colour: Option<&str>) {
    match colour {
        Some(code) => out.push_str(&format!("\x1b[{code}m{text}\x1b[0m\n")),
        None => out.push_str(&format!("{text}\n")),
    }
}

fn change_table(changes: &[Change], colour: bool, with_fix: bool) -> String {
    let mut t = table(colour);
    t.set_header(vec!["Check", "Target", "Before", "After", "Now"]);
    for c in changes {
        let mut text = c.after_summary.clone().or_else(|| c.before_summary.clone().map(|s| format!("(gone) {s}"))).unwrap_or_default();
        if with_fix {
            if let Some(fix) = &c.remediation {
                let fix = fix.split_whitespace().collect::<Vec<_>>().join(" ");
                text.push_str(&format!("\nfix: {fix}"));
            }
        }
        t.add_row(vec![
            Cell::new(clean(&c.check)),
            Cell::new(clean(&c.target)),
            status_cell(c.before, colour),
            status_cell(c.after, colour),
            Cell::new(clean(&text)),
        ]);
    }
    t.to_string()
}

fn finding_table(findings: &[Finding], colour: bool) -> String {
    let mut t = table(colour);
    t.set_header(vec!["Status", "Check", "Target", "Finding"]);
    for f in findings {
        t.add_row(vec![
            status_cell(Some(f.status), colour),
            Cell::new(clean(&f.check)),
            Cell::new(clean(&f.target)),
            Cell::new(clean(&f.summary)),
        ]);
    }
    t.to_string()
}

/// The terminal view: one table per non-empty section, then the summary line.
pub fn render_terminal(diff: &Diff, colour: bool) -> String {
    // Reports are files from elsewhere: what they say never drives the terminal.
    let mut out = clean(&format!(
        "Comparing {} ({}) with {} ({})\n",
        diff.before.site, diff.before.started_at, diff.after.site, diff.after.started_at
    ));
    if diff.before.site != diff.after.site {
        out.push_str("note: the two reports are about different sites\n");
    }
    out.push('\n');
    let code = |c: &'static str| colour.then_some(c);
    let changes = |out: &mut String, title: &str, style, list: &[Change], fix: bool| {
        if !list.is_empty() {
            heading(out, &format!("{title} ({})", list.len()), style);
            out.push_str(&change_table(list, colour, fix));
            out.push_str("\n\n");
        }
    };
    let findings = |out: &mut String, title: &str, list: &[Finding]| {
        if !list.is_empty() {
            heading(out, &format!("{title} ({})", list.len()), code("1"));
            out.push_str(&finding_table(list, colour));
            out.push_str("\n\n");
        }
    };
    changes(&mut out, "REGRESSIONS", code("1;31"), &diff.regressions, true);
    changes(&mut out, "FIXED", code("1;32"), &diff.fixes, false);
    findings(&mut out, "NEW", &diff.new);
    findings(&mut out, "GONE", &diff.gone);
    changes(&mut out, "OTHER CHANGES", code("1"), &diff.other_changes, false);
    let nothing = diff.regressions.is_empty()
        && diff.fixes.is_empty()
        && diff.new.is_empty()
        && diff.gone.is_empty()
        && diff.other_changes.is_empty();
    if nothing {
        out.push_str("No status changed.\n");
    }
    out.push_str(&clean(&summary_line(diff)));
    out.push('\n');
    out
}
