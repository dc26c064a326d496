//! `--html`: one self-contained page (inline CSS, no remote asset, no script needed)
//! that a UC engineer can attach to a ticket. The page is laid out in Rust as a plain
//! view model and filled by the `reports/report.html` template, whose `.html` name
//! turns minijinja's autoescape on: every value from the report reaches the page as
//! text, never as markup.

use super::{family, RenderContext, RenderError};
use crate::judge::{Finding, Status};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("../../reports/report.html");

/// Statuses in the order a reader cares about them.
pub(crate) const DISPLAY_ORDER: [Status; 5] = [Status::Fail, Status::Warn, Status::Info, Status::Pass, Status::Skip];

/// The only script on the page, optional: open every evidence block before printing.
/// The Content-Security-Policy allows this script by hash and nothing else.
const PRINT_SCRIPT: &str =
    "addEventListener(\"beforeprint\",function(){document.querySelectorAll(\"details.evidence\").forEach(function(d){d.open=true;});});";

/// Pretty evidence larger than this is cut, so one huge capture cannot bloat the page.
const MAX_EVIDENCE_CHARS: usize = 64 * 1024;
/// At most this many certificates are laid out as definition lists per finding.
const MAX_CERTS: usize = 8;

#[derive(Serialize)]
struct Page<'a> {
    site: &'a str,
    started_at: &'a str,
    duration: String,
    host: Option<&'a str>,
    inventory_path: Option<&'a str>,
    tool_name: &'a str,
    tool_version: &'a str,
    catalog_origin: &'a str,
    total: usize,
    verdict: Verdict,
    counts: Vec<StatusCount>,
    families: Vec<FamilyView<'a>>,
    to_fix: Vec<ToFix<'a>>,
    blockers: Vec<BlockerGroup<'a>>,
    blocker_count: usize,
    /// Warn and info findings by check, with their fixes (printed, and first on screen).
    notes: Vec<BlockerGroup<'a>>,
    note_count: usize,
    /// Everything that is neither fail nor warn, one row each: the printed page's table.
    rest: Vec<FindingView<'a>>,
    /// How much was not run and why, when anything was not.
    coverage: Option<String>,
    internal_errors: &'a [String],
    /// Classes `has-<status>` for every status present, for the empty-filter note.
    present: String,
    script: &'static str,
    /// CSP source allowing exactly `script` and nothing injected.
    script_hash: String,
}

#[derive(Serialize)]
struct Verdict {
    class: &'static str,
    text: String,
}

#[derive(Serialize)]
struct StatusCount {
    status: &'static str,
    label: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct FamilyView<'a> {
    name: &'a str,
    anchor: String,
    worst: &'static str,
    /// Counts in `DISPLAY_ORDER`.
    counts: Vec<usize>,
    /// Statuses present, as classes (`has-fail`) the CSS filter keys on.
    has: String,
    total: usize,
    groups: Vec<CheckGroup<'a>>,
}

/// The findings of one check inside a family, worst first: the problems shown, the
/// passes and skips one click away.
#[derive(Serialize)]
struct CheckGroup<'a> {
    check: &'a str,
    title: &'a str,
    anchor: String,
    has: String,
    problems: Vec<FindingView<'a>>,
    rest: Vec<FindingView<'a>>,
    rest_label: String,
}

/// A failing or warning check in the overview, linking to its findings.
#[derive(Serialize)]
struct ToFix<'a> {
    check: &'a str,
    status: &'static str,
    count: usize,
    anchor: String,
}

#[derive(Serialize)]
struct FindingView<'a> {
    check: &'a str,
    title: &'a str,
    status: &'static str,
    label: &'static str,
    target: &'a str,
    summary: &'a str,
    detail: Option<&'a str>,
    remediation: Option<&'a str>,
    evidence: Option<String>,
    certs: Vec<CertView>,
}

/// Fail (or warn and info) findings of one check: the fix is shown once for all its
/// targets.
#[derive(Serialize)]
struct BlockerGroup<'a> {
    status: &'static str,
    check: &'a str,
    title: &'a str,
    items: Vec<FindingView<'a>>,
    fixes: Vec<&'a str>,
}

#[derive(Serialize)]
struct CertView {
    label: String,
    rows: Vec<(String, String)>,
}

fn label(s: Status) -> &'static str {
    match s {
        Status::Fail => "FAIL",
        Status::Warn => "WARN",
        Status::Info => "INFO",
        Status::Pass => "PASS",
        Status::Skip => "SKIP",
    }
}

/// An anchor id made only of safe characters (family names come from the catalog).
fn anchor(prefix: &str, name: &str) -> String {
    let mut out = String::from(prefix);
    for c in name.chars() {
        out.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    out
}

fn human_duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

fn title<'a>(ctx: &'a RenderContext<'_>, check: &str) -> &'a str {
    ctx.catalog.get(check).map(|m| m.title.as_str()).unwrap_or("")
}

/// `has-fail has-pass ...`: the statuses among these findings, for the CSS filter.
fn has_classes(findings: &[&Finding]) -> String {
    DISPLAY_ORDER
        .iter()
        .filter(|st| findings.iter().any(|f| f.status == **st))
        .map(|st| format!("has-{}", st.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Hands out anchor ids that stay unique even when two names sanitise alike.
#[derive(Default)]
struct Anchors(std::collections::HashSet<String>);

impl Anchors {
    fn make(&mut self, prefix: &str, name: &str) -> String {
        let base = anchor(prefix, name);
        let mut id = base.clone();
        let mut n = 1;
        while !self.0.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }
}

fn view<'a>(ctx: &'a RenderContext<'_>, f: &'a Finding) -> FindingView<'a> {
    let title = title(ctx, &f.check);
    let (evidence, certs) = evidence_view(&f.evidence);
    FindingView {
        check: &f.check,
        title,
        status: f.status.as_str(),
        label: label(f.status),
        target: &f.target,
        summary: &f.summary,
        detail: f.detail.as_deref().filter(|d| !d.trim().is_empty()),
        remediation: f.remediation.as_deref().filter(|r| !r.trim().is_empty()),
        evidence,
        certs,
    }
}

/// Pretty JSON of the evidence (nothing for null or empty), and any certificate-like
/// objects in it laid out field by field.
fn evidence_view(ev: &Json) -> (Option<String>, Vec<CertView>) {
    let empty = match ev {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        Json::String(s) => s.is_empty(),
        _ => false,
    };
    if empty {
        return (None, Vec::new());
    }
    let mut text = serde_json::to_string_pretty(ev).unwrap_or_else(|_| ev.to_string());
    if text.len() > MAX_EVIDENCE_CHARS {
        let mut cut = MAX_EVIDENCE_CHARS;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n… (truncated)");
    }
    let mut certs = Vec::new();
    find_certs(ev, "Certificate", 0, &mut certs);
    (Some(text), certs)
}

/// Fields that mark an object as a certificate, with the label each gets on the page.
const CERT_FIELDS: &[(&str, &str)] = &[
    ("common_name", "Common name"),
    ("subject", "Subject"),
    ("issuer", "Issuer"),
    ("serial", "Serial"),
    ("not_before", "Valid from"),
    ("not_after", "Valid until"),
    ("san_dns", "DNS names"),
    ("san_ip", "IP addresses"),
    ("eku", "Extended key usage"),
    ("key_algorithm", "Key"),
    ("signature_algorithm", "Signature"),
    ("self_signed", "Self-signed"),
    ("is_ca", "CA"),
    ("sha256", "SHA-256"),
];

/// Keys that, two or more together, make an object look like a certificate.
const CERT_MARKERS: &[&str] = &["subject", "issuer", "not_before", "not_after", "serial", "sha256", "san_dns"];

fn find_certs(v: &Json, path: &str, depth: usize, out: &mut Vec<CertView>) {
    if depth > 3 || out.len() >= MAX_CERTS {
        return;
    }
    match v {
        Json::Object(o) => {
            let marks = CERT_MARKERS.iter().filter(|k| o.contains_key(**k)).count();
            if marks >= 2 {
                let rows = CERT_FIELDS
                    .iter()
                    .filter_map(|(k, name)| {
                        let text = scalar_text(o.get(*k)?)?;
                        Some((name.to_string(), text))
                    })
                    .collect();
                out.push(CertView { label: path.to_string(), rows });
                return;
            }
            for (k, child) in o {
                find_certs(child, k, depth + 1, out);
            }
        }
        Json::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                find_certs(child, &format!("{path} [{i}]"), depth + 1, out);
            }
        }
        _ => {}
    }
}

/// A short text for a field value: lists joined, booleans as yes/no.
fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.clone()),
        Json::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(scalar_text).collect();
            Some(if parts.is_empty() { "—".into() } else { parts.join(", ") })
        }
        Json::Object(_) => Some(v.to_string()),
    }
}

fn page<'a>(ctx: &'a RenderContext<'_>) -> Page<'a> {
    let report = ctx.report;
    let s = &report.summary;
    let count_of = |st: Status| match st {
        Status::Pass => s.pass,
        Status::Info => s.info,
        Status::Warn => s.warn,
        Status::Fail => s.fail,
        Status::Skip => s.skip,
    };
    let counts = DISPLAY_ORDER.iter().map(|&st| StatusCount { status: st.as_str(), label: label(st), count: count_of(st) }).collect();
    let cov = &report.coverage;
    let partial = cov.not_run > 0;
    let judged = format!("{} check{} judged", cov.judged, if cov.judged == 1 { "" } else { "s" });
    let verdict = if !report.internal_errors.is_empty() {
        Verdict { class: "fail", text: "Internal error: some checks could not run".into() }
    } else if report.verdict() == crate::judge::Verdict::Incomplete {
        Verdict { class: "skip", text: "Incomplete: no selected check could be judged".into() }
    } else if s.fail > 0 {
        Verdict { class: "fail", text: format!("{} blocker{} to fix before the integration", s.fail, if s.fail == 1 { "" } else { "s" }) }
    } else if s.warn > 0 && partial {
        Verdict {
            class: "warn",
            text: format!("No fail in the {judged}; {} warning{} to review", s.warn, if s.warn == 1 { "" } else { "s" }),
        }
    } else if s.warn > 0 {
        Verdict { class: "warn", text: format!("No blocker; {} warning{} to review", s.warn, if s.warn == 1 { "" } else { "s" }) }
    } else if partial {
        Verdict { class: "warn", text: format!("No fail or warning in the {judged}, but not everything was judged") }
    } else {
        Verdict { class: "pass", text: "No blocker and no warning".into() }
    };
    let coverage = report.not_run_line().map(|l| format!("Not run: {l}."));

    let mut by_family: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_family.entry(family(&f.check)).or_default().push(f);
    }
    let mut anchors = Anchors::default();
    let mut families: Vec<FamilyView> = by_family
        .into_iter()
        .map(|(name, list)| {
            let worst = list.iter().map(|f| f.status).max().unwrap_or(Status::Pass);
            let counts: Vec<usize> = DISPLAY_ORDER.iter().map(|st| list.iter().filter(|f| f.status == *st).count()).collect();
            let mut by_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
            for f in &list {
                by_check.entry(&f.check).or_default().push(f);
            }
            let mut groups: Vec<(Status, &str, Vec<&Finding>)> = by_check
                .into_iter()
                .map(|(check, mut fs)| {
                    // Worst first, keeping the target order otherwise (a stable sort).
                    fs.sort_by_key(|f| std::cmp::Reverse(f.status));
                    let worst = fs.first().map(|f| f.status).unwrap_or(Status::Pass);
                    (worst, check, fs)
                })
                .collect();
            groups.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            FamilyView {
                name,
                anchor: anchors.make("fam-", name),
                worst: worst.as_str(),
                has: has_classes(&list),
                counts,
                total: list.len(),
                groups: groups
                    .into_iter()
                    .map(|(_, check, fs)| {
                        let has = has_classes(&fs);
                        let (problems, rest): (Vec<&Finding>, Vec<&Finding>) =
                            fs.into_iter().partition(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Info));
                        let pass = rest.iter().filter(|f| f.status == Status::Pass).count();
                        let skip = rest.len() - pass;
                        let rest_label = match (pass, skip) {
                            (p, 0) => format!("{p} pass"),
                            (0, k) => format!("{k} skip"),
                            (p, k) => format!("{p} pass, {k} skip"),
                        };
                        CheckGroup {
                            check,
                            title: title(ctx, check),
                            anchor: anchors.make("chk-", check),
                            has,
                            problems: problems.into_iter().map(|f| view(ctx, f)).collect(),
                            rest: rest.into_iter().map(|f| view(ctx, f)).collect(),
                            rest_label,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    // Worst family first, then by name.
    let rank = |fam: &FamilyView| DISPLAY_ORDER.iter().position(|st| st.as_str() == fam.worst).unwrap_or(DISPLAY_ORDER.len());
    families.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.name.cmp(b.name)));

    // Failing checks, then warning ones, each once, pointing at its group.
    let mut to_fix: Vec<ToFix> = Vec::new();
    for wanted in [Status::Fail, Status::Warn] {
        for fam in &families {
            for g in &fam.groups {
                let n = g.problems.iter().filter(|f| f.status == wanted.as_str()).count();
                if n > 0 && !to_fix.iter().any(|t| t.check == g.check) {
                    to_fix.push(ToFix { check: g.check, status: wanted.as_str(), count: n, anchor: g.anchor.clone() });
                }
            }
        }
    }

    let blockers = grouped(ctx, report.findings.iter().filter(|f| f.status == Status::Fail));
    let mut notes = grouped(ctx, report.findings.iter().filter(|f| f.status == Status::Warn));
    notes.extend(grouped(ctx, report.findings.iter().filter(|f| f.status == Status::Info)));
    let rest: Vec<FindingView> =
        report.findings.iter().filter(|f| !matches!(f.status, Status::Fail | Status::Warn)).map(|f| view(ctx, f)).collect();

    Page {
        site: &report.site,
        started_at: &report.started_at,
        duration: human_duration(report.duration_ms),
        host: ctx.host.as_deref(),
        inventory_path: ctx.inventory_path.as_deref(),
        tool_name: &report.tool.name,
        tool_version: &report.tool.version,
        catalog_origin: &ctx.catalog.origin,
        total: report.findings.len(),
        verdict,
        counts,
        families,
        to_fix,
        blocker_count: s.fail,
        blockers,
        note_count: s.warn + s.info,
        notes,
        rest,
        coverage,
        internal_errors: &report.internal_errors,
        present: DISPLAY_ORDER
            .iter()
            .filter(|st| count_of(**st) > 0)
            .map(|st| format!("has-{}", st.as_str()))
            .collect::<Vec<_>>()
            .join(" "),
        script: PRINT_SCRIPT,
        script_hash: csp_hash(PRINT_SCRIPT),
    }
}

/// Consecutive findings of one check, each group with its fixes once.
fn grouped<'a>(ctx: &'a RenderContext<'_>, findings: impl Iterator<Item = &'a Finding>) -> Vec<BlockerGroup<'a>> {
    let mut groups: Vec<BlockerGroup> = Vec::new();
    for f in findings {
        let v = view(ctx, f);
        match groups.last_mut() {
            Some(g) if g.check == f.check => g.items.push(v),
            _ => {
                groups.push(BlockerGroup { status: f.status.as_str(), check: &f.check, title: v.title, items: vec![v], fixes: Vec::new() })
            }
        }
    }
    for g in &mut groups {
        for item in &g.items {
            if let Some(fix) = item.remediation {
                if !g.fixes.contains(&fix) {
                    g.fixes.push(fix);
                }
            }
        }
    }
    groups
}

/// `sha256-<base64>` of a script body, as a CSP source expression.
fn csp_hash(script: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes())))
}

/// Render the report as one HTML page.
pub fn render(ctx: &RenderContext<'_>) -> Result<String, RenderError> {
    let fault = |e: minijinja::Error| RenderError::new("HTML", e);
    let mut env = Environment::new();
    // A typo in the template must fail loudly (tests catch it), not print nothing.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("report.html", TEMPLATE).map_err(fault)?;
    let tmpl = env.get_template("report.html").map_err(fault)?;
    let page = page(ctx);
    let mut out = tmpl.render(minijinja::context! { r => Value::from(Serde(&page)) }).map_err(fault)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    // Autoescape stops markup, not bidi controls or raw control characters.
    Ok(crate::escape::document(&out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn certificate_objects_are_found_in_chains_and_fields() {
        let leaf = json!({"subject": "CN=a", "issuer": "CN=ca", "not_after": "2027-01-01T00:00:00Z",
                          "san_dns": ["a", "b"], "self_signed": false});
        let ev = json!({"peer": "x", "chain": [leaf.clone(), {"note": 1}], "leaf": leaf});
        let (text, certs) = evidence_view(&ev);
        assert!(text.is_some());
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0].label, "chain [0]");
        assert_eq!(certs[1].label, "leaf");
        assert!(certs[0].rows.contains(&("DNS names".to_string(), "a, b".to_string())));
        assert!(certs[0].rows.contains(&("Self-signed".to_string(), "no".to_string())));
    }

    #[test]
    fn empty_evidence_shows_nothing_and_huge_evidence_is_cut() {
        assert!(evidence_view(&Json::Null).0.is_none());
        assert!(evidence_view(&json!([])).0.is_none());
        assert!(evidence_view(&json!({})).0.is_none());
        let big = Json::String("é".repeat(MAX_EVIDENCE_CHARS));
        let text = evidence_view(&big).0.unwrap();
        assert!(text.len() < MAX_EVIDENCE_CHARS + 40);
        assert!(text.ends_with("(truncated)"));
    }

    #[test]
    fn csp_hash_is_base64_of_sha256() {
        // Known value: SHA-256 of the empty string.
        assert_eq!(csp_hash(""), "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assert_eq!(csp_hash(PRINT_SCRIPT).len(), "sha256-".len() + 44);
    }

    #[test]
    fn anchors_stay_unique() {
        let mut a = Anchors::default();
        assert_eq!(a.make("chk-", "a.b"), "chk-a-b");
        assert_eq!(a.make("chk-", "a-b"), "chk-a-b-2");
        assert_eq!(a.make("chk-", "a_b"), "chk-a-b-3");
    }

    #[test]
    fn anchors_and_durations() {
        assert_eq!(anchor("fam-", "routing-node"), "fam-routing-node");
        assert_eq!(anchor("fam-", "a b\"<"), "fam-a-b--");
        assert_eq!(human_duration(250), "250 ms");
        assert_eq!(human_duration(1500), "1.5 s");
        assert_eq!(human_duration(125_000), "2 min 5 s");
    }
}
