//! HTML, Markdown and JUnit renderers over the enterprise example judged offline, plus
//! hand-made hostile findings that must come out as text.

use crate::util::{now, repo};
use fedcheck::engine::{self, RunOptions};
use fedcheck::judge::catalog::Catalog;
use fedcheck::judge::{Finding, Status};
use fedcheck::judge::{Report, Summary};
use fedcheck::report::junit::WarnAs;
use fedcheck::report::{html, junit, markdown, RenderContext};
use serde_json::json;
use std::process::Command;

const XSS: &str = "<script>alert(1)</script>";
/// How minijinja writes `XSS` in HTML (it also escapes `/`).
const XSS_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;";

fn enterprise() -> (Report, Catalog) {
    let path = repo("examples/enterprise/site.toml");
    let loaded = fedcheck::inventory::load(&path).expect("enterprise example loads");
    let catalog = Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { offline: true, now: Some(now()), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (report, _) = rt.block_on(engine::run(&loaded, &catalog, &checks, &opts)).expect("run");
    assert!(report.summary.fail > 0 && report.summary.warn > 0 && report.summary.pass > 0);
    (report, catalog)
}

fn ctx<'a>(report: &'a Report, catalog: &'a Catalog) -> RenderContext<'a> {
    let mut ctx = RenderContext::new(report, catalog);
    ctx.host = Some("jump-host-01".into());
    ctx.inventory_path = Some("examples/enterprise/site.toml".into());
    ctx
}

fn hand(check: &str, target: &str, status: Status, summary: &str) -> Finding {
    Finding::new(check, target, status, summary)
}

/// A report of hostile strings everywhere a peer or an inventory could put them.
fn hostile() -> Report {
    let (mut report, _) = enterprise();
    report.site = format!("{XSS} \"site\" 'name'");
    let mut f = hand("tls.peer-cert", XSS, Status::Fail, &format!("{XSS} said \"quoted\" and 'single'"));
    f.detail = Some(format!("detail {XSS} \"quoted\" 'single'"));
    f.remediation = Some(format!("fix {XSS}"));
    f.evidence = json!({
        "note": XSS,
        "chain": [{"subject": format!("CN={XSS}"), "issuer": "CN=\"quoted\" 'single'",
                   "not_after": "2027-01-01T00:00:00Z", "san_dns": [XSS]}]
    });
    report.findings.push(f);
    let mut g = hand(&format!("x\"><img src=x onerror=alert(2)>.{XSS}"), "t'\"", Status::Warn, "odd | check id");
    g.evidence = json!([XSS]);
    report.findings.push(g);
    report.internal_errors.push(format!("check {XSS} crashed"));
    report.summary = Summary::of(&report.findings);
    report
}

/// HTML escaping as minijinja does it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;").replace('/', "&#x2f;")
}

/// With FEDCHECK_KEEP_DIR set, keep a rendered output there to look at.
fn keep(name: &str, text: &str) {
    if let Some(dir) = std::env::var_os("FEDCHECK_KEEP_DIR") {
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), text);
    }
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

fn status_count(s: &Summary, st: Status) -> usize {
    match st {
        Status::Pass => s.pass,
        Status::Info => s.info,
        Status::Warn => s.warn,
        Status::Fail => s.fail,
        Status::Skip => s.skip,
    }
}

/// The value of every `attr="..."` that follows `prefix` in the page.
fn attr_values(page: &str, prefix: &str, attr: &str) -> Vec<String> {
    page.split(prefix)
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find(&format!("{attr}=\""))? + attr.len() + 2;
            let end = rest[start..].find('"')?;
            Some(rest[start..start + end].to_string())
        })
        .collect()
}

#[track_caller]
fn assert_well_formed(page: &str) {
    assert!(page.starts_with("<!doctype html>"), "doctype first");
    assert_eq!(count(page, "<html"), 1);
    assert_eq!(count(page, "</html>"), 1);
    assert!(page.trim_end().ends_with("</html>"));
    for tag in ["head", "body", "section", "article", "div", "details", "table", "ul", "dl", "style", "script"] {
        assert_eq!(
            count(page, &format!("<{tag}>")) + count(page, &format!("<{tag} ")),
            count(page, &format!("</{tag}>")),
            "<{tag}> open and close counts differ"
        );
    }
}

#[track_caller]
fn assert_no_remote(page: &str) {
    assert!(!page.contains("http://"), "no http:// reference");
    assert!(!page.contains("https://"), "no https:// reference");
    assert!(!page.contains("url("), "no CSS url()");
    // Every tag (text between `<` and `>`; escaped text has neither) is local-only.
    // Attribute values are quoted: even parts of a split on `"` are names, odd ones values.
    for tag in page.split('<').skip(1).filter_map(|t| t.split_once('>')).map(|t| t.0) {
        let parts: Vec<&str> = tag.split('"').collect();
        for (i, part) in parts.iter().enumerate().step_by(2) {
            assert!(!part.contains("src="), "no src= attribute: <{tag}>");
            if part.ends_with("href=") {
                let value = parts.get(i + 1).copied().unwrap_or("");
                assert!(value.starts_with('#'), "only in-page links: <{tag}>");
            }
        }
    }
}

#[test]
fn html_lists_every_finding_once_with_summary_and_blockers() {
    let (report, catalog) = enterprise();
    let page = html::render(&ctx(&report, &catalog)).expect("renders");
    assert_well_formed(&page);
    assert_no_remote(&page);

    assert_eq!(count(&page, "class=\"finding"), report.findings.len());
    for st in Status::ALL {
        let n = status_count(&report.summary, st);
        assert_eq!(count(&page, &format!("class=\"finding\" data-status=\"{st}\"")), n, "{st} findings on the page");
        assert!(page.contains(&format!("data-count-status=\"{st}\"><span class=\"n\">{n}</span>")), "summary card for {st} shows {n}");
    }
    // Every finding's check id is on its element, in family order.
    let mut on_page = attr_values(&page, "<article class=\"finding\"", "data-check");
    let mut expected: Vec<String> = report.findings.iter().map(|f| f.check.clone()).collect();
    on_page.sort();
    expected.sort();
    assert_eq!(on_page, expected);

    // Blockers: exactly the fail findings, in report order, with the catalog title.
    let fails: Vec<&Finding> = report.findings.iter().filter(|f| f.status == Status::Fail).collect();
    let blockers = attr_values(&page, "<li class=\"blocker\"", "data-check");
    assert_eq!(blockers, fails.iter().map(|f| f.check.clone()).collect::<Vec<_>>());
    let blocker_section =
        &page[page.find("id=\"blockers\"").expect("blockers section")..page.find("id=\"findings\"").expect("findings section")];
    for f in &fails {
        assert!(blocker_section.contains(&format!("<span class=\"target\">{}</span>", esc(&f.target))));
        let title = &catalog.get(&f.check).expect("catalog entry").title;
        assert!(blocker_section.contains(&format!("<span>{}</span>", esc(title))));
    }
    assert!(!blocker_section.contains("data-status=\"pass\""));

    // Header facts and the family table.
    assert!(page.contains("<h1>Northwind"), "site name in the title");
    assert!(page.contains(&report.started_at));
    assert!(page.contains("jump-host-01"));
    assert!(page.contains(&format!("fedcheck {}", report.tool.version)));
    assert!(page.contains("<a href=\"#fam-routes\">routes</a>"));
    assert!(page.contains("id=\"fam-routes\""));
    // The worst family comes first among the finding sections.
    let family_ids = attr_values(&page, "<section class=\"family", "id");
    let fam = family_ids[0].trim_start_matches("fam-");
    assert!(report.findings.iter().any(|f| f.status == Status::Fail && f.check.starts_with(&format!("{fam}."))));
    // Evidence is collapsible, and certificate-free evidence gets no definition list.
    let with_evidence = report
        .findings
        .iter()
        .filter(|f| match &f.evidence {
            serde_json::Value::Null => false,
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Object(o) => !o.is_empty(),
            _ => true,
        })
        .count();
    assert!(with_evidence > 0);
    assert_eq!(count(&page, "<details class=\"evidence\"><summary>Evidence</summary>"), with_evidence);
}

#[test]
fn html_escapes_hostile_strings_everywhere() {
    let report = hostile();
    let catalog = Catalog::builtin().expect("catalog");
    let page = html::render(&ctx(&report, &catalog)).expect("renders");
    keep("hostile.html", &page);
    assert_well_formed(&page);
    assert_no_remote(&page);
    assert!(!page.contains("<script>alert"), "raw script tag leaked");
    assert!(!page.contains("<img"), "raw markup from a check id leaked");
    assert!(page.contains(XSS_ESCAPED));
    assert!(page.contains("&quot;quoted&quot;"));
    assert!(page.contains("&#x27;single&#x27;"));
    // In the title, the target, the detail, the fix, the evidence JSON and the
    // certificate fields.
    assert!(page.contains(&format!("<title>{XSS_ESCAPED} &quot;site&quot;")));
    assert!(page.contains(&format!("<span class=\"target\">{XSS_ESCAPED}</span>")));
    assert!(page.contains(&format!("detail {XSS_ESCAPED}")));
    assert!(page.contains(&format!("fix {XSS_ESCAPED}")));
    assert!(page.contains(&format!("&quot;note&quot;: &quot;{XSS_ESCAPED}&quot;")));
    assert!(page.contains(&format!("<dt>Subject</dt><dd>CN={XSS_ESCAPED}</dd>")));
    assert!(page.contains(&format!("<dt>DNS names</dt><dd>{XSS_ESCAPED}</dd>")));
    assert!(page.contains(&format!("check {XSS_ESCAPED} crashed")));
    // Attribute values cannot be closed early by a quote in a check id.
    assert!(page.contains("data-check=\"x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;."));
    assert_eq!(count(&page, "class=\"finding"), report.findings.len());
    // The one script is ours and the policy allows only it.
    assert_eq!(count(&page, "<script>"), 1);
    assert!(page.contains("script-src 'sha256-"));
    assert!(page.contains("default-src 'none'"));
}

#[test]
fn html_of_a_clean_run_has_no_blocker_section() {
    let (mut report, catalog) = enterprise();
    report.findings.retain(|f| f.status == Status::Pass);
    report.summary = Summary::of(&report.findings);
    // Judged offline: the banner must not claim a clean bill for what was not run.
    assert!(report.coverage.not_run > 0);
    let page = html::render(&ctx(&report, &catalog)).expect("renders");
    assert!(!page.contains("No blocker and no warning"));
    assert!(page.contains("not everything was judged") && page.contains("id=\"coverage\""));
    report.coverage.not_run = 0;
    report.coverage.not_run_reasons.clear();
    let page = html::render(&ctx(&report, &catalog)).expect("renders");
    assert_well_formed(&page);
    assert!(!page.contains("id=\"blockers\""));
    assert!(page.contains("No blocker and no warning"));
    assert_eq!(count(&page, "class=\"finding"), report.findings.len());

    report.findings.clear();
    report.summary = Summary::default();
    let page = html::render(&RenderContext { host: None, inventory_path: None, ..RenderContext::new(&report, &catalog) })
        .expect("an empty report renders");
    assert_well_formed(&page);
    assert_eq!(count(&page, "class=\"finding"), 0);
    assert!(page.contains("not recorded"));
}

#[test]
fn markdown_has_summary_blockers_fixes_and_escaped_cells() {
    let (mut report, catalog) = enterprise();
    let mut odd = hand("sizing.vm", "node|x", Status::Warn, "a | b\nsecond line <b>");
    odd.remediation = Some("do this".into());
    report.findings.push(odd);
    report.summary = Summary::of(&report.findings);
    let md = markdown::render(&ctx(&report, &catalog)).expect("renders");
    keep("report.md", &md);

    assert!(md.starts_with(&format!("# fedcheck report: {} ({})", report.site, &report.started_at[..10])));
    let s = &report.summary;
    for (st, n) in [("fail", s.fail), ("warn", s.warn), ("info", s.info), ("pass", s.pass), ("skip", s.skip)] {
        assert!(md.contains(&format!("\n| {st} | {n} |\n")), "{st} row: {md}");
    }
    assert!(md.contains(&format!("| **total** | **{}** |", report.findings.len())));

    // The blockers table has one row per fail finding.
    let blockers = section(&md, "## Blockers", "## Fixes");
    assert_eq!(count(blockers, "\n| `"), s.fail);
    for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
        assert!(blockers.contains(&format!("| `{}` |", f.check)));
    }
    // Each failing or warning check once, with its fix.
    let fixes = section(&md, "## Fixes", "## Warnings");
    let mut ids: Vec<&str> =
        report.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Warn)).map(|f| f.check.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(count(fixes, "\n### "), ids.len());
    for id in &ids {
        assert_eq!(count(fixes, &format!("### `{id}`")), 1, "{id} listed once");
    }
    assert!(fixes.contains("do this"));
    // Warnings, with the pipe, the line break and the markup escaped.
    let warnings = section(&md, "## Warnings", "\u{0}");
    assert_eq!(count(warnings, "\n| `"), s.warn);
    assert!(warnings.contains("| `sizing.vm` | node\\|x | a \\| b<br>second line \\<b> |"));
    for line in md.lines().filter(|l| l.starts_with("| `")) {
        let unescaped = line.replace("\\|", "");
        assert_eq!(count(&unescaped, "|"), 4, "three cells: {line}");
    }
}

/// The text between two headings (to the end when `to` is absent).
fn section<'a>(md: &'a str, from: &str, to: &str) -> &'a str {
    let start = md.find(from).expect("heading present");
    let end = md[start..].find(to).map(|e| start + e).unwrap_or(md.len());
    &md[start..end]
}

#[test]
fn junit_round_trips_with_counts_for_each_warn_mode() {
    let (report, catalog) = enterprise();
    let s = &report.summary;
    let families: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| fedcheck::report::family(&f.check)).collect();
    for (mode, failures, skipped) in
        [(WarnAs::Failure, s.fail + s.warn, s.skip), (WarnAs::Skipped, s.fail, s.skip + s.warn), (WarnAs::Passed, s.fail, s.skip)]
    {
        let xml = junit::render(&RenderContext { junit_warn: mode, ..RenderContext::new(&report, &catalog) }).expect("renders");
        keep(&format!("junit-{mode:?}.xml"), &xml);
        // One more case, `fedcheck coverage`: skipped, as this offline run left checks out.
        assert!(report.coverage.not_run > 0);
        let skipped = skipped + 1;
        assert!(xml.contains("<testsuites"));
        assert_eq!(count(&xml, "<testcase "), report.findings.len() + 1);
        assert_eq!(count(&xml, "<failure"), failures, "{mode:?}");
        assert_eq!(count(&xml, "<skipped"), skipped, "{mode:?}");

        let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{mode:?}: not well-formed JUnit: {e}"));
        assert_eq!(parsed.name.as_ref().map(|n| n.as_str()), Some(report.site.as_str()));
        assert_eq!(parsed.tests, report.findings.len() + 1);
        assert_eq!(parsed.failures, failures);
        assert_eq!(parsed.skipped, skipped);
        assert_eq!(parsed.errors, 0);
        assert_eq!(parsed.test_suites.len(), families.len() + 1);
        let run = parsed.test_suites.iter().find(|s| s.name.as_str() == "fedcheck").expect("the fedcheck suite");
        match &run.test_cases[0].status {
            quick_junit::TestCaseStatus::Skipped { message, .. } => {
                let m = message.as_ref().map(|m| m.as_str()).unwrap_or("");
                assert!(m.contains(&format!("{} of ", report.coverage.not_run)) && m.contains("were not run"), "{m}");
            }
            other => panic!("coverage case is {other:?}"),
        }
        for suite in parsed.test_suites.iter().filter(|s| s.name.as_str() != "fedcheck") {
            let fam = suite.name.as_str();
            let expected: Vec<&Finding> = report.findings.iter().filter(|f| fedcheck::report::family(&f.check) == fam).collect();
            assert_eq!(suite.test_cases.len(), expected.len(), "suite {fam}");
            for (tc, f) in suite.test_cases.iter().zip(&expected) {
                assert_eq!(tc.name.as_str(), format!("{} {}", f.check, f.target));
                assert_eq!(tc.classname.as_ref().map(|c| c.as_str()), Some(f.check.as_str()));
            }
        }
        // A fail carries its summary as the message and the fix in the text.
        let fail = report.findings.iter().find(|f| f.status == Status::Fail).expect("a fail");
        let tc = parsed
            .test_suites
            .iter()
            .flat_map(|s| &s.test_cases)
            .find(|tc| tc.name.as_str() == format!("{} {}", fail.check, fail.target))
            .expect("fail testcase");
        match &tc.status {
            quick_junit::TestCaseStatus::NonSuccess { message, description, .. } => {
                assert_eq!(message.as_ref().map(|m| m.as_str()), Some(fail.summary.as_str()));
                let text = description.as_ref().map(|d| d.as_str()).unwrap_or("");
                assert!(text.contains("Fix: "), "{text}");
            }
            other => panic!("fail finding became {other:?}"),
        }
    }
}

#[test]
fn junit_escapes_and_reports_internal_errors() {
    let report = hostile();
    let catalog = Catalog::builtin().expect("catalog");
    let xml = junit::render(&RenderContext { junit_warn: WarnAs::Failure, ..RenderContext::new(&report, &catalog) }).expect("renders");
    assert!(!xml.contains("<script>"));
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed");
    let incomplete = usize::from(report.verdict() == fedcheck::judge::Verdict::Incomplete);
    assert_eq!(parsed.errors, 1 + incomplete);
    assert_eq!(parsed.tests, report.findings.len() + 2);
    let names: Vec<String> = parsed.test_suites.iter().flat_map(|s| &s.test_cases).map(|tc| tc.name.as_str().to_string()).collect();
    assert!(names.contains(&format!("tls.peer-cert {XSS}")));
}

/// Where a headless browser lives, if this machine has one.
fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| std::path::Path::new(p).exists())
}

/// Run chromium headless on a page, killed after 60 s by coreutils `timeout`.
fn headless(browser: &str, profile: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("timeout");
    cmd.args(["-k", "5", "60", browser])
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra);
    cmd.output().expect("chromium starts")
}

#[test]
fn html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        // CI installs chromium and sets this, so the test cannot pass there by skipping.
        assert!(std::env::var_os("FEDCHECK_REQUIRE_CHROMIUM").is_none(), "FEDCHECK_REQUIRE_CHROMIUM is set but no chromium is installed");
        eprintln!("note: no chromium on this machine; the headless rendering test is skipped");
        return;
    };
    let (report, catalog) = enterprise();
    let page = html::render(&ctx(&report, &catalog)).expect("renders");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("report.html");
    std::fs::write(&file, &page).expect("write page");
    let url = format!("file://{}", file.display());
    let png = dir.path().join("page.png");

    let shot =
        headless(browser, &dir.path().join("profile-shot"), &[&format!("--screenshot={}", png.display()), "--window-size=1280,2000", &url]);
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10 * 1024, "screenshot missing or tiny ({size} bytes); chromium said: {}", String::from_utf8_lossy(&shot.stderr));
    // To look at the result: FEDCHECK_KEEP_DIR=/some/dir keeps the page and its picture.
    if let Some(keep) = std::env::var_os("FEDCHECK_KEEP_DIR") {
        let keep = std::path::Path::new(&keep);
        let _ = std::fs::copy(&png, keep.join("page.png"));
        let _ = std::fs::copy(&file, keep.join("report.html"));
    }

    let dom = headless(browser, &dir.path().join("profile-dom"), &["--enable-logging=stderr", "--v=0", "--dump-dom", &url]);
    let dumped = String::from_utf8_lossy(&dom.stdout);
    assert!(dumped.contains(&report.site), "the DOM holds the site name");
    assert_eq!(count(&dumped, "class=\"finding"), report.findings.len());
    let log = String::from_utf8_lossy(&dom.stderr);
    for line in log.lines() {
        let about_page = line.contains("CONSOLE") || line.contains("Content Security Policy");
        assert!(!about_page, "the page logged a console message: {line}");
    }

    // The browser itself reads the hostile strings as text: no element comes of them.
    let bad = dir.path().join("hostile.html");
    let catalog = Catalog::builtin().expect("catalog");
    let report = hostile();
    std::fs::write(&bad, html::render(&ctx(&report, &catalog)).expect("renders")).expect("write");
    let dom = headless(
        browser,
        &dir.path().join("profile-hostile"),
        &["--enable-logging=stderr", "--v=0", "--dump-dom", &format!("file://{}", bad.display())],
    );
    let dumped = String::from_utf8_lossy(&dom.stdout);
    assert!(dumped.contains("</html>"), "the hostile page loaded");
    assert!(!dumped.contains("<script>alert"));
    assert!(!dumped.contains("<img"));
    assert_eq!(count(&dumped, "class=\"finding"), report.findings.len());
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(!log.lines().any(|l| l.contains("CONSOLE")), "console output on the hostile page: {log}");
}
