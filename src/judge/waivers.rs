//! Waivers (`--waivers FILE`): a risk the site has accepted, written down with a reason
//! and an end date. A waived fail or warn still shows, as `info`, until the waiver
//! expires; then the original verdict comes back together with a warning that the
//! waiver lapsed, so an acceptance is never silently permanent.
//!
//! The file is parsed strictly, like the inventory: a typo in a waiver would otherwise
//! leave a blocker unwaived (or waive the wrong one) without anyone noticing.

use crate::inventory::line_col;
use crate::judge::{pattern_matches, Finding, Status};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A waiver file that cannot be used: the same `file:line:col: message` shape (and
/// type) as an inventory error.
pub type WaiverError = crate::inventory::InventoryError;

/// One accepted risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// A check id or a family prefix (`routes.vcs-conflict`, `routes`).
    pub check: String,
    /// A finding target, exactly or as a glob where `*` stands for any text.
    pub target: String,
    /// Why the risk is accepted, shown with the waived finding.
    pub justification: String,
    /// Last day the waiver applies.
    pub expires: jiff::civil::Date,
    /// Line of its `[[waiver]]` header, so a finding can say which entry to edit.
    pub line: usize,
}

impl Waiver {
    /// Does this waiver name the finding (whatever its status)?
    pub fn covers(&self, finding: &Finding) -> bool {
        pattern_matches(&self.check, &finding.check)
            && (target_matches(&self.target, &finding.target) || target_matches(&self.target, &finding.stable_id()))
    }

    /// Still in force on `today` (the expiry day included).
    pub fn is_active(&self, today: jiff::civil::Date) -> bool {
        today <= self.expires
    }
}

/// The waivers of one file, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Waivers {
    /// The waivers file.
    pub file: PathBuf,
    /// Its entries, in file order.
    pub waivers: Vec<Waiver>,
}

impl Waivers {
    /// No waiver in the file.
    pub fn is_empty(&self) -> bool {
        self.waivers.is_empty()
    }

    /// How many waivers the file holds.
    pub fn len(&self) -> usize {
        self.waivers.len()
    }
}

/// Glob match of a finding target: `*` is any run of characters, everything else is
/// literal. ASCII case is ignored, since targets are mostly host and domain names.
pub fn target_matches(pattern: &str, target: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = target.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Greedy matching with one backtrack point: the last `*` seen.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    waiver: Vec<Spanned<RawWaiver>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: Spanned<String>,
    target: Spanned<String>,
    justification: Spanned<String>,
    /// A quoted `"2027-03-31"` or a bare TOML date `2027-03-31`.
    expires: Spanned<toml::Value>,
}

/// Read and validate a waivers file. `known_ids` are the ids of every registered check:
/// a waiver whose check pattern covers none of them is an error, not a silent no-op.
pub fn load(path: &Path, known_ids: &[&str]) -> Result<Waivers, WaiverError> {
    let text = crate::fsread::read_capped_text(path, crate::fsread::WAIVERS_CAP).map_err(|e| WaiverError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read the waivers file: {}", e.reason()),
        hint: None,
    })?;
    load_str(&text, path, known_ids)
}

/// Parse and validate waivers text as if it had been read from `path`.
pub fn load_str(text: &str, path: &Path, known_ids: &[&str]) -> Result<Waivers, WaiverError> {
    let at = |offset: usize, message: String, hint: Option<String>| {
        let (line, column) = line_col(text, offset);
        WaiverError { file: path.to_path_buf(), line, column, message, hint }
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (message, hint) = explain(e.message());
        match e.span() {
            Some(span) => at(span.start, message, hint),
            None => WaiverError { file: path.to_path_buf(), line: 0, column: 0, message, hint },
        }
    })?;
    let mut waivers = Vec::new();
    for entry in raw.waiver {
        let (line, _) = line_col(text, entry.span().start);
        let w = entry.into_inner();
        let check = w.check.get_ref().trim();
        if !known_ids.iter().any(|id| pattern_matches(check, id)) {
            return Err(at(w.check.span().start, format!("`{check}` matches no check id or family"), Some(check_hint(check, known_ids))));
        }
        let target = w.target.get_ref().trim();
        if target.is_empty() {
            return Err(at(
                w.target.span().start,
                "`target` is empty".into(),
                Some("name the finding target, or use \"*\" for every target of the check".into()),
            ));
        }
        let justification = w.justification.get_ref().trim();
        if justification.is_empty() {
            return Err(at(
                w.justification.span().start,
                "`justification` is empty".into(),
                Some("say why the risk is accepted and who accepted it".into()),
            ));
        }
        let expires = parse_date(w.expires.get_ref()).ok_or_else(|| {
            at(
                w.expires.span().start,
                format!("`expires` is not a date: {}", w.expires.get_ref()),
                Some("write the last day the waiver applies as YYYY-MM-DD, e.g. \"2027-03-31\"".into()),
            )
        })?;
        waivers.push(Waiver {
            check: check.to_string(),
            target: target.to_string(),
            justification: justification.to_string(),
            expires,
            line,
        });
    }
    Ok(Waivers { file: path.to_path_buf(), waivers })
}

/// A calendar date, strictly `YYYY-MM-DD` (a time of day makes no sense for an expiry).
fn parse_date(value: &toml::Value) -> Option<jiff::civil::Date> {
    match value {
        toml::Value::String(s) => {
            let s = s.trim();
            let shaped = s.len() == 10
                && s.bytes().enumerate().all(|(i, b)| match i {
                    4 | 7 => b == b'-',
                    _ => b.is_ascii_digit(),
                });
            if !shaped {
                return None;
            }
            s.parse().ok()
        }
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            jiff::civil::Date::new(i16::try_from(d.year).ok()?, i8::try_from(d.month).ok()?, i8::try_from(d.day).ok()?).ok()
        }
        _ => None,
    }
}

/// "did you mean" among check ids and families, or where to find them.
fn check_hint(given: &str, known_ids: &[&str]) -> String {
    let mut candidates: Vec<&str> = known_ids.to_vec();
    candidates.extend(known_ids.iter().filter_map(|id| id.split_once('.').map(|(f, _)| f)));
    match crate::suggest::closest(given, candidates) {
        Some(c) => format!("did you mean `{c}`? `fedcheck checks` lists every id"),
        None => "use a check id such as `routes.vcs-conflict` or a family such as `routes`; \
                 `fedcheck checks` lists every id"
            .into(),
    }
}

/// Reword serde's messages about keys for someone editing the file by hand.
fn explain(raw: &str) -> (String, Option<String>) {
    let raw = raw.trim();
    if let Some(u) = crate::suggest::Unknown::parse(raw).filter(|u| u.what == "key") {
        return (format!("unknown key `{}`", u.given), Some(u.hint("allowed keys")));
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return (format!("this waiver has no `{name}`"), Some("every [[waiver]] needs check, target, justification and expires".into()));
    }
    (raw.to_string(), None)
}

fn is_problem(s: Status) -> bool {
    matches!(s, Status::Warn | Status::Fail)
}

/// What a waiver found among the findings as judged (before any waiving).
struct Reach {
    /// Indices of the fail and warn findings it covers.
    problems: Vec<usize>,
    /// It covers at least one finding of any status.
    covers_any: bool,
    /// A covered finding is a skip: the verdict is unknown, so is the waiver's use.
    covers_skip: bool,
    /// Some check it names produced a real verdict in this run (not run, or skipped
    /// wholesale, means nothing can be said about the waiver).
    evaluated: bool,
}

fn reach(w: &Waiver, findings: &[Finding]) -> Reach {
    let mut r = Reach { problems: Vec::new(), covers_any: false, covers_skip: false, evaluated: false };
    for (i, f) in findings.iter().enumerate() {
        if !pattern_matches(&w.check, &f.check) {
            continue;
        }
        if !(f.status == Status::Skip && f.target == "*") {
            r.evaluated = true;
        }
        // The label or the stable id: a waiver written for `fe01.contoso.com:5061`
        // holds whatever address the peer has today.
        if !target_matches(&w.target, &f.target) && !target_matches(&w.target, &f.stable_id()) {
            continue;
        }
        r.covers_any = true;
        r.covers_skip |= f.status == Status::Skip;
        if is_problem(f.status) {
            r.problems.push(i);
        }
    }
    r
}

fn waiver_finding(waivers: &Waivers, w: &Waiver, check: &str, status: Status, summary: String, remediation: String) -> Finding {
    let target = format!("waiver: {}", w.target);
    Finding {
        check: check.to_string(),
        target_id: crate::judge::target_id_of(&target),
        target,
        waiver: None,
        status,
        summary,
        detail: Some(format!("Waiver at {}:{} (check `{}`, target `{}`).", waivers.file.display(), w.line, w.check, w.target)),
        remediation: Some(remediation),
        evidence: serde_json::json!({
            "waiver": {
                "file": waivers.file.display().to_string(),
                "line": w.line,
                "check": w.check,
                "target": w.target,
                "justification": w.justification,
                "expires": w.expires.to_string(),
            }
        }),
    }
}

/// Apply waivers to judged findings, as of `today`.
///
/// - A fail or warn covered by an active waiver becomes `info`: summary prefixed
///   `waived: `, the former status, expiry and justification put in front of `detail`.
///   The first active waiver in file order wins.
/// - An expired waiver that still covers a fail or warn does not change it (only an
///   active waiver can) and adds a `warn` (one per check it covers, target
///   `waiver: <pattern>`) saying when it expired.
/// - A waiver covering no fail or warn adds a reminder to remove it: `info` while
///   active, `warn` once expired. Nothing is said when its check did not run or the
///   covered findings are skips, since then its use cannot be judged.
///
/// Findings are re-sorted; the caller recomputes the summary counts.
pub fn apply(findings: &mut Vec<Finding>, waivers: &Waivers, today: jiff::civil::Date) {
    let reaches: Vec<Reach> = waivers.waivers.iter().map(|w| reach(w, findings)).collect();
    let mut waived_by: BTreeMap<usize, &Waiver> = BTreeMap::new();
    let mut added = Vec::new();
    for (w, r) in waivers.waivers.iter().zip(&reaches) {
        let active = w.is_active(today);
        if active {
            for &i in &r.problems {
                waived_by.entry(i).or_insert(w);
            }
        }
        if !r.problems.is_empty() {
            if !active {
                // One warning per check the lapsed waiver still concerns.
                let mut by_check: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                for &i in &r.problems {
                    if let Some(f) = findings.get(i) {
                        by_check.entry(&f.check).or_default().push(&f.target);
                    }
                }
                for (check, targets) in by_check {
                    let mut f = waiver_finding(
                        waivers,
                        w,
                        check,
                        Status::Warn,
                        format!("waiver expired on {}: {}", w.expires, w.justification),
                        "Fix the finding, or renew the waiver with a new expiry date and a \
                         current justification."
                            .into(),
                    );
                    if let Some(d) = &mut f.detail {
                        d.push_str(&format!(" No longer waived: {}.", targets.join(", ")));
                    }
                    added.push(f);
                }
            }
            continue;
        }
        if !r.evaluated || r.covers_skip {
            continue;
        }
        let what = if r.covers_any { "nothing that fails or warns" } else { "nothing" };
        let remove = format!("Remove this waiver from {}.", waivers.file.display());
        added.push(if active {
            waiver_finding(waivers, w, &w.check, Status::Info, format!("waiver matches {what}: remove it"), remove)
        } else {
            waiver_finding(
                waivers,
                w,
                &w.check,
                Status::Warn,
                format!("waiver expired on {} and matches {what}: remove it", w.expires),
                remove,
            )
        });
    }
    for (i, w) in waived_by {
        let Some(f) = findings.get_mut(i) else {
            continue;
        };
        let mut detail = format!("Waived (was {}) until {}: {}", f.status, w.expires, w.justification);
        if let Some(old) = &f.detail {
            detail.push('\n');
            detail.push_str(old);
        }
        f.detail = Some(detail);
        f.summary = format!("waived: {}", f.summary);
        f.waiver = Some(crate::judge::WaiverNote {
            justification: w.justification.clone(),
            expires: w.expires.to_string(),
            original_status: f.status,
        });
        f.status = Status::Info;
    }
    findings.extend(added);
    crate::judge::sort_findings(findings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_any_run_of_characters() {
        assert!(target_matches("*", "anything"));
        assert!(target_matches("*", ""));
        assert!(target_matches("*.northwind.com", "imp1.northwind.com"));
        assert!(target_matches("*.NorthWind.com", "imp1.northwind.COM"));
        assert!(!target_matches("*.northwind.com", "northwind.com"));
        assert!(target_matches("imp*.north*.com", "imp12.northwind.com"));
        assert!(target_matches("a*b*c", "aXbYbZc"));
        assert!(!target_matches("a*b*c", "aXbYbZ"));
        assert!(target_matches("northwind.com", "northwind.com"));
        assert!(!target_matches("northwind.com", "northwind.co"));
        assert!(!target_matches("northwind.co", "northwind.com"));
        assert!(target_matches("é*", "été"));
    }

    #[test]
    fn a_waiver_by_stable_id_holds_whatever_the_address() {
        let mut findings = vec![Finding::new("tls.handshake", "fe01.contoso.com @ 10.0.0.5:5061", Status::Fail, "refused")];
        let w = Waiver {
            check: "tls.handshake".into(),
            target: "fe01.contoso.com:5061".into(),
            justification: "front end retired next week".into(),
            expires: jiff::civil::date(2027, 1, 31),
            line: 1,
        };
        assert!(w.covers(&findings[0]));
        let waivers = Waivers { file: PathBuf::from("waivers.toml"), waivers: vec![w] };
        apply(&mut findings, &waivers, jiff::civil::date(2026, 12, 1));
        assert_eq!(findings[0].status, Status::Info);
        let note = findings[0].waiver.as_ref().expect("waiver note");
        assert_eq!((note.original_status, note.expires.as_str()), (Status::Fail, "2027-01-31"));
    }

    #[test]
    fn dates_are_strict() {
        let s = |v: &str| parse_date(&toml::Value::String(v.into()));
        assert!(s("2027-03-31").is_some());
        assert!(s("2027-02-30").is_none());
        assert!(s("2027-3-31").is_none());
        assert!(s("2027-03-31T00:00").is_none());
        assert!(s("31/03/2027").is_none());
        assert!(s("").is_none());
        assert!(parse_date(&toml::Value::Integer(20270331)).is_none());
    }

    #[test]
    fn serde_messages_become_hints() {
        let (m, h) = explain("unknown field `justificaton`, expected one of `check`, `target`, `justification`, `expires`");
        assert_eq!(m, "unknown key `justificaton`");
        assert!(h.unwrap().starts_with("did you mean `justification`?"));
    }
}
