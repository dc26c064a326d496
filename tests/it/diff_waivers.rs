//! `diff` of two reports and waivers, on hand-made reports and on the enterprise example
//! judged offline.

use crate::util::{judge_edited, now, repo, table_at};
use fedcheck::diff::{self, Diff};
use fedcheck::engine::{self, RunOptions};
use fedcheck::judge::catalog::Catalog;
use fedcheck::judge::waivers::{self, Waivers};
use fedcheck::judge::{Finding, Status};
use fedcheck::judge::{Report, Summary, Tool};
use std::path::Path;

fn finding(check: &str, target: &str, status: Status, summary: &str) -> Finding {
    Finding::new(check, target, status, summary)
}

fn report(started_at: &str, mut findings: Vec<Finding>) -> Report {
    fedcheck::judge::sort_findings(&mut findings);
    Report {
        schema: fedcheck::judge::REPORT_SCHEMA.into(),
        tool: Tool { name: "fedcheck".into(), version: "test".into() },
        site: "Northwind Health".into(),
        started_at: started_at.into(),
        duration_ms: 5,
        summary: Summary::of(&findings),
        findings,
        internal_errors: Vec::new(),
        mode: Default::default(),
        coverage: Default::default(),
        catalog: Default::default(),
        host: None,
        inventory: None,
    }
}

fn before_after(before: Vec<Finding>, after: Vec<Finding>) -> Diff {
    diff::diff(&report("2026-11-20T10:00:00Z", before), &report("2026-11-25T12:00:00Z", after))
}

/// The whole enterprise example judged offline, every check.
fn enterprise() -> Report {
    let loaded = fedcheck::inventory::load(&repo("examples/enterprise/site.toml")).expect("loads");
    let catalog = Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { offline: true, now: Some(now()), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(engine::run(&loaded, &catalog, &checks, &opts)).expect("run").0
}

fn known_ids() -> Vec<&'static str> {
    fedcheck::checks::registry().iter().map(|c| c.id()).collect()
}

fn date(s: &str) -> jiff::civil::Date {
    s.parse().expect("date")
}

// ---------------------------------------------------------------- diff

#[test]
fn pass_to_fail_is_a_regression_and_exits_3() {
    let d = before_after(
        vec![finding("routes.vcs-conflict", "northwind.com", Status::Pass, "no Expressway")],
        vec![finding("routes.vcs-conflict", "northwind.com", Status::Fail, "Expressway integrated")],
    );
    assert_eq!(d.regressions.len(), 1);
    let c = &d.regressions[0];
    assert_eq!((c.before, c.after), (Some(Status::Pass), Some(Status::Fail)));
    assert_eq!(c.before_summary.as_deref(), Some("no Expressway"));
    assert_eq!(c.after_summary.as_deref(), Some("Expressway integrated"));
    assert!(d.fixes.is_empty() && d.new.is_empty() && d.gone.is_empty());
    assert_eq!(d.unchanged, 0);
    assert_eq!(diff::exit_code(&d).code(), 3);
}

#[test]
fn fail_to_pass_is_a_fix_and_exits_0() {
    let d = before_after(
        vec![finding("imp.acl", "fe03.northwind.com", Status::Fail, "not in the ACL")],
        vec![finding("imp.acl", "fe03.northwind.com", Status::Pass, "in the ACL")],
    );
    assert!(d.regressions.is_empty());
    assert_eq!(d.fixes.len(), 1);
    assert_eq!(d.fixes[0].before, Some(Status::Fail));
    assert_eq!(d.fixes[0].after, Some(Status::Pass));
    assert_eq!(diff::exit_code(&d).code(), 0);
}

#[test]
fn warn_to_fail_regresses_and_fail_to_warn_fixes() {
    let d = before_after(
        vec![finding("sizing.vm", "imp-a", Status::Warn, "6 GB RAM"), finding("sizing.vm", "imp-b", Status::Fail, "2 GB RAM")],
        vec![finding("sizing.vm", "imp-a", Status::Fail, "2 GB RAM"), finding("sizing.vm", "imp-b", Status::Warn, "6 GB RAM")],
    );
    assert_eq!(d.regressions.len(), 1);
    assert_eq!(d.regressions[0].target, "imp-a");
    assert_eq!(d.fixes.len(), 1);
    assert_eq!(d.fixes[0].target, "imp-b");
    assert_eq!(diff::exit_code(&d).code(), 3);
}

#[test]
fn a_new_fail_is_new_and_a_regression_a_new_pass_only_new() {
    let d = before_after(
        vec![],
        vec![
            finding("domains.shared", "nwhealth.org", Status::Fail, "not a presence domain"),
            finding("domains.shared", "northwind.com", Status::Pass, "shared"),
        ],
    );
    assert_eq!(d.new.len(), 2);
    assert_eq!(d.regressions.len(), 1);
    let c = &d.regressions[0];
    assert_eq!(c.target, "nwhealth.org");
    assert_eq!((c.before, c.after), (None, Some(Status::Fail)));
    assert_eq!(c.before_summary, None);
    assert_eq!(diff::exit_code(&d).code(), 3);
}

#[test]
fn a_gone_fail_is_a_fix_and_a_gone_pass_only_gone() {
    let d = before_after(
        vec![
            finding("clients.supported", "lync-mac-2011", Status::Fail, "unsupported"),
            finding("clients.supported", "lync2013", Status::Pass, "supported"),
        ],
        vec![],
    );
    assert_eq!(d.gone.len(), 2);
    assert_eq!(d.fixes.len(), 1);
    assert_eq!(d.fixes[0].target, "lync-mac-2011");
    assert_eq!(d.fixes[0].after, None);
    assert!(d.regressions.is_empty());
    assert_eq!(diff::exit_code(&d).code(), 0);
}

#[test]
fn same_status_is_unchanged_even_when_worded_differently_and_skip_is_other() {
    let d = before_after(
        vec![
            finding("sizing.cluster", "cluster", Status::Pass, "3 nodes, 11000 users"),
            finding("sizing.host", "imp-a", Status::Pass, "UCS"),
            finding("imp.acl", "acl addresses", Status::Pass, "all present"),
            finding("ha.load-balancer", "routing nodes", Status::Skip, "not applicable"),
        ],
        vec![
            finding("sizing.cluster", "cluster", Status::Pass, "3 nodes, 11500 users"),
            finding("sizing.host", "imp-a", Status::Pass, "UCS"),
            finding("imp.acl", "acl addresses", Status::Skip, "live probes not run"),
            finding("ha.load-balancer", "routing nodes", Status::Pass, "balanced"),
        ],
    );
    assert_eq!(d.unchanged, 2);
    assert_eq!(d.other_changes.len(), 2);
    assert!(d.regressions.is_empty() && d.fixes.is_empty());
    assert_eq!(diff::exit_code(&d).code(), 0);
    assert_eq!(diff::summary_line(&d), "0 regressions, 0 fixed, 0 new, 0 gone, 2 unchanged, 2 other changes");
}

#[test]
fn duplicate_keys_pair_identical_verdicts_first() {
    let d = before_after(
        vec![finding("imp.static-routes", "r1", Status::Pass, "a"), finding("imp.static-routes", "r1", Status::Fail, "b")],
        vec![finding("imp.static-routes", "r1", Status::Fail, "b"), finding("imp.static-routes", "r1", Status::Fail, "c")],
    );
    assert_eq!(d.unchanged, 1);
    assert_eq!(d.regressions.len(), 1);
    assert_eq!(d.regressions[0].before_summary.as_deref(), Some("a"));
    assert_eq!(d.regressions[0].after_summary.as_deref(), Some("c"));
}

#[test]
fn a_real_report_against_itself_changes_nothing() {
    let r = enterprise();
    let d = diff::diff(&r, &r);
    assert_eq!(d.unchanged, r.findings.len());
    assert!(d.regressions.is_empty() && d.fixes.is_empty());
    assert!(d.new.is_empty() && d.gone.is_empty() && d.other_changes.is_empty());
    assert_eq!(diff::exit_code(&d).code(), 0);
    assert!(diff::render_terminal(&d, false).contains("No status changed."));
}

#[test]
fn fixing_the_acl_in_the_inventory_shows_as_a_fix() {
    let wrap = |findings| report("2026-11-25T12:00:00Z", findings);
    let before = wrap(judge_edited("examples/enterprise/site.toml", |_| {}, "imp.acl"));
    let after = wrap(judge_edited(
        "examples/enterprise/site.toml",
        |t| {
            let fed = table_at(t, &["cisco", "federation"]);
            let acl = fed.get_mut("acl").and_then(|v| v.as_array_mut()).expect("acl list");
            acl.push("fe03.northwind.com".into());
        },
        "imp.acl",
    ));
    let d = diff::diff(&before, &after);
    assert!(d.regressions.is_empty(), "{:#?}", d.regressions);
    let fixed: Vec<&str> = d.fixes.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(fixed, ["fe03.northwind.com"]);
    assert_eq!(d.unchanged, before.findings.len() - 1);
}

#[test]
fn json_has_the_diff_schema_and_both_runs() {
    let d = before_after(
        vec![finding("routes.static-route", "northwind.com", Status::Pass, "ok")],
        vec![
            finding("routes.static-route", "northwind.com", Status::Fail, "points at expe"),
            finding("domains.shared", "nwhealth.org", Status::Warn, "new"),
        ],
    );
    let v = serde_json::to_value(&d).expect("serialises");
    assert_eq!(v["schema"], "fedcheck.diff/v1");
    assert_eq!(v["before"]["site"], "Northwind Health");
    assert_eq!(v["before"]["started_at"], "2026-11-20T10:00:00Z");
    assert_eq!(v["after"]["started_at"], "2026-11-25T12:00:00Z");
    assert_eq!(v["unchanged"], 0);
    let regs = v["regressions"].as_array().expect("array");
    assert_eq!(regs.len(), 2);
    // Sorted by check: domains before routes.
    assert_eq!(regs[0]["check"], "domains.shared");
    assert_eq!(regs[0]["before"], serde_json::Value::Null);
    assert_eq!(regs[0]["after"], "warn");
    assert_eq!(regs[1]["before"], "pass");
    assert_eq!(regs[1]["after"], "fail");
    assert_eq!(regs[1]["after_summary"], "points at expe");
    assert_eq!(v["new"][0]["status"], "warn");
    for key in ["fixes", "gone", "other_changes"] {
        assert_eq!(v[key].as_array().map(Vec::len), Some(0), "{key}");
    }
    let back: Diff = serde_json::from_value(v).expect("round-trips");
    assert_eq!(back, d);
}

#[test]
fn terminal_has_sections_and_the_summary_line() {
    let mut after_fail = finding("routes.vcs-conflict", "northwind.com", Status::Fail, "Expressway");
    after_fail.remediation = Some("Move video to a separate domain.".into());
    let d = before_after(
        vec![
            finding("routes.vcs-conflict", "northwind.com", Status::Pass, "none"),
            finding("imp.acl", "fe03", Status::Fail, "missing"),
            finding("clients.supported", "lync-mac-2011", Status::Pass, "gone client"),
        ],
        vec![
            after_fail,
            finding("imp.acl", "fe03", Status::Pass, "present"),
            finding("domains.shared", "nwhealth.org", Status::Info, "new domain"),
        ],
    );
    let plain = diff::render_terminal(&d, false);
    for needle in [
        "REGRESSIONS (1)",
        "FIXED (1)",
        "NEW (1)",
        "GONE (1)",
        "fix: Move video to a separate domain.",
        "1 regression, 1 fixed, 1 new, 1 gone, 0 unchanged",
    ] {
        assert!(plain.contains(needle), "missing {needle:?} in\n{plain}");
    }
    assert!(!plain.contains('\x1b'));
    let regressions_at = plain.find("REGRESSIONS").expect("section");
    assert!(regressions_at < plain.find("FIXED").expect("section"));
    assert!(diff::render_terminal(&d, true).contains("\x1b["));
}

#[test]
fn load_report_reads_what_run_writes() {
    let r = enterprise();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("before.json");
    std::fs::write(&path, serde_json::to_string_pretty(&r).expect("json")).expect("write");
    assert_eq!(diff::load_report(&path).expect("loads"), r);
}

#[test]
fn load_report_errors_name_the_file_and_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.json");
    let e = diff::load_report(&missing).expect_err("missing file");
    assert!(e.contains("nope.json") && e.contains("cannot read"), "{e}");

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\n  \"schema\": \"fedcheck.report/v1\",\n  oops\n}").expect("write");
    let e = diff::load_report(&garbage).expect_err("not JSON");
    assert!(e.contains("garbage.json:3:") && e.contains("not JSON"), "{e}");

    let other = dir.path().join("other.json");
    let mut v = serde_json::to_value(report("x", vec![])).expect("json");
    v["schema"] = "fedcheck.diff/v1".into();
    std::fs::write(&other, v.to_string()).expect("write");
    let e = diff::load_report(&other).expect_err("wrong schema");
    assert!(e.contains("`fedcheck.diff/v1`") && e.contains("`fedcheck.report/v2` or `fedcheck.report/v1`"), "{e}");

    let bare = dir.path().join("bare.json");
    std::fs::write(&bare, "[1, 2, 3]").expect("write");
    let e = diff::load_report(&bare).expect_err("no schema");
    assert!(e.contains("not a fedcheck report"), "{e}");

    let shapeless = dir.path().join("shapeless.json");
    std::fs::write(&shapeless, "{\"schema\": \"fedcheck.report/v1\", \"site\": 3}").expect("write");
    let e = diff::load_report(&shapeless).expect_err("bad shape");
    assert!(e.contains("malformed"), "{e}");
}

// ---------------------------------------------------------------- waivers

fn waivers_from(text: &str) -> Waivers {
    waivers::load_str(text, Path::new("waivers.toml"), &known_ids()).unwrap_or_else(|e| panic!("waivers invalid: {e}"))
}

fn waiver_error(text: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("waivers.toml");
    std::fs::write(&path, text).expect("write");
    let e = waivers::load(&path, &known_ids()).expect_err("should be rejected");
    let shown = e.to_string();
    assert!(shown.contains("waivers.toml"), "{shown}");
    shown
}

fn find<'a>(findings: &'a [Finding], check: &str, target: &str) -> &'a Finding {
    findings.iter().find(|f| f.check == check && f.target == target).unwrap_or_else(|| panic!("no {check} / {target}"))
}

const VCS: &str = r#"
[[waiver]]
check = "routes.vcs-conflict"
target = "northwind.com"
justification = "Video moves to the new Expressway cluster in Q3; accepted by J. Smith"
expires = "2027-03-31"
"#;

#[test]
fn an_active_waiver_turns_a_fail_into_info_that_still_shows() {
    let mut findings = enterprise().findings;
    let before = findings.len();
    let original = find(&findings, "routes.vcs-conflict", "northwind.com").clone();
    assert_eq!(original.status, Status::Fail);
    waivers::apply(&mut findings, &waivers_from(VCS), date("2027-03-31"));
    assert_eq!(findings.len(), before, "nothing added");
    let f = find(&findings, "routes.vcs-conflict", "northwind.com");
    assert_eq!(f.status, Status::Info);
    assert_eq!(f.summary, format!("waived: {}", original.summary));
    let detail = f.detail.as_deref().expect("detail");
    assert!(detail.starts_with("Waived (was fail) until 2027-03-31: Video moves to the new Expressway cluster"), "{detail}");
    assert_eq!(f.remediation, original.remediation);
    assert!(f.remediation.is_some());
    let s = Summary::of(&findings);
    assert_eq!(s.fail, enterprise().summary.fail - 1);
    assert_eq!(s.info, enterprise().summary.info + 1);
    let mut sorted = findings.clone();
    fedcheck::judge::sort_findings(&mut sorted);
    assert_eq!(sorted, findings);
}

#[test]
fn a_glob_target_waives_every_matching_warning() {
    let mut findings = enterprise().findings;
    let w = waivers_from(
        r#"
[[waiver]]
check = "sizing.federation-capacity"
target = "*.northwind.com"
justification = "Federated users are a minority; capacity reviewed by the UC team"
expires = 2027-06-30
"#,
    );
    assert_eq!(w.waivers[0].expires, date("2027-06-30"));
    waivers::apply(&mut findings, &w, date("2026-11-25"));
    for target in ["imp-a.northwind.com", "imp-b.northwind.com"] {
        let f = find(&findings, "sizing.federation-capacity", target);
        assert_eq!(f.status, Status::Info, "{target}");
        assert!(f.detail.as_deref().unwrap_or("").contains("(was warn)"));
    }
    // A warn of another check on the same hosts is untouched.
    assert_eq!(find(&findings, "sizing.vm", "imp-a.northwind.com").status, Status::Warn);
}

#[test]
fn a_family_prefix_waives_every_check_of_the_family() {
    let mut findings = enterprise().findings;
    let w = waivers_from(
        r#"
[[waiver]]
check = "clients"
target = "*mobile*"
justification = "Old mobile clients are being replaced by MDM by March"
expires = "2027-03-01"
"#,
    );
    waivers::apply(&mut findings, &w, date("2026-11-25"));
    let f = find(&findings, "clients.directory-uri", "jabber-mobile 9.6");
    assert_eq!(f.status, Status::Info);
    assert!(f.summary.starts_with("waived: "));
    // The unsupported Lync for Mac client is not covered by the target glob.
    assert_eq!(find(&findings, "clients.supported", "lync-mac-2011").status, Status::Fail);
}

#[test]
fn an_expired_waiver_restores_the_fail_and_warns_of_the_expiry() {
    let mut findings = enterprise().findings;
    let before = findings.len();
    waivers::apply(&mut findings, &waivers_from(VCS), date("2027-04-01"));
    assert_eq!(find(&findings, "routes.vcs-conflict", "northwind.com").status, Status::Fail);
    assert_eq!(findings.len(), before + 1);
    let w = find(&findings, "routes.vcs-conflict", "waiver: northwind.com");
    assert_eq!(w.status, Status::Warn);
    assert_eq!(w.summary, "waiver expired on 2027-03-31: Video moves to the new Expressway cluster in Q3; accepted by J. Smith");
    assert!(w.detail.as_deref().unwrap_or("").contains("waivers.toml:2"), "{:?}", w.detail);
    assert_eq!(w.evidence["waiver"]["expires"], "2027-03-31");
}

#[test]
fn a_waiver_that_matches_nothing_asks_to_be_removed() {
    let mut findings = enterprise().findings;
    let w = waivers_from(
        r#"
[[waiver]]
check = "routes.vcs-conflict"
target = "contoso.com"
justification = "Old acquisition"
expires = "2027-03-31"

[[waiver]]
check = "domains"
target = "northwind.co.uk"
justification = "Passes already"
expires = "2027-03-31"

[[waiver]]
check = "imp.acl"
target = "gone.northwind.com"
justification = "Decommissioned"
expires = "2026-01-01"
"#,
    );
    waivers::apply(&mut findings, &w, date("2026-11-25"));
    let f = find(&findings, "routes.vcs-conflict", "waiver: contoso.com");
    assert_eq!(f.status, Status::Info);
    assert_eq!(f.summary, "waiver matches nothing: remove it");
    let f = find(&findings, "domains", "waiver: northwind.co.uk");
    assert_eq!(f.status, Status::Info);
    assert_eq!(f.summary, "waiver matches nothing that fails or warns: remove it");
    let f = find(&findings, "imp.acl", "waiver: gone.northwind.com");
    assert_eq!(f.status, Status::Warn);
    assert!(f.summary.starts_with("waiver expired on 2026-01-01"), "{}", f.summary);
    // The real failures are untouched.
    assert_eq!(find(&findings, "routes.vcs-conflict", "northwind.com").status, Status::Fail);
}

#[test]
fn nothing_is_said_of_a_waiver_whose_check_did_not_judge() {
    let mut findings = vec![
        finding("routes.vcs-conflict", "*", Status::Skip, "skipped by --skip"),
        finding("domains.shared", "northwind.com", Status::Pass, "shared"),
    ];
    let w = waivers_from(
        r#"
[[waiver]]
check = "routes.vcs-conflict"
target = "northwind.com"
justification = "Accepted"
expires = "2027-03-31"

[[waiver]]
check = "imp.acl"
target = "*"
justification = "Accepted"
expires = "2027-03-31"
"#,
    );
    let mut copy = findings.clone();
    fedcheck::judge::sort_findings(&mut copy);
    waivers::apply(&mut findings, &w, date("2026-11-25"));
    assert_eq!(findings, copy);
}

#[test]
fn the_first_active_waiver_wins_and_skips_are_never_waived() {
    let mut findings =
        vec![finding("imp.acl", "fe03", Status::Fail, "missing"), finding("imp.acl", "acl addresses", Status::Skip, "needs DNS")];
    let w = waivers_from(
        r#"
[[waiver]]
check = "imp.acl"
target = "fe0*"
justification = "first"
expires = "2027-01-01"

[[waiver]]
check = "imp"
target = "*"
justification = "second"
expires = "2027-01-01"
"#,
    );
    waivers::apply(&mut findings, &w, date("2026-11-25"));
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let f = find(&findings, "imp.acl", "fe03");
    assert!(f.detail.as_deref().unwrap_or("").ends_with(": first"));
    assert_eq!(find(&findings, "imp.acl", "acl addresses").status, Status::Skip);
}

#[test]
fn an_empty_waivers_file_is_fine() {
    assert!(waivers_from("# nothing accepted yet\n").is_empty());
}

#[test]
fn unknown_key_is_located_with_a_suggestion() {
    let e =
        waiver_error("[[waiver]]\ncheck = \"routes.vcs-conflict\"\ntarget = \"*\"\njustificaton = \"typo\"\nexpires = \"2027-03-31\"\n");
    assert!(e.contains("waivers.toml:4:1: unknown key `justificaton`"), "{e}");
    assert!(e.contains("\n  hint: did you mean `justification`?"), "{e}");
}

#[test]
fn unknown_top_level_table_is_located() {
    let e = waiver_error("\n[[waivers]]\ncheck = \"routes\"\n");
    assert!(e.contains("waivers.toml:2:"), "{e}");
    assert!(e.contains("did you mean `waiver`?"), "{e}");
}

#[test]
fn missing_justification_is_located() {
    let e = waiver_error(
        "[[waiver]]\ncheck = \"routes\"\ntarget = \"*\"\njustification = \"ok\"\nexpires = \"2027-03-31\"\n\n[[waiver]]\ncheck = \"imp\"\ntarget = \"*\"\nexpires = \"2027-03-31\"\n",
    );
    assert!(e.contains("waivers.toml:7:1: this waiver has no `justification`"), "{e}");
}

#[test]
fn empty_justification_is_located() {
    let e = waiver_error("[[waiver]]\ncheck = \"routes\"\ntarget = \"*\"\njustification = \"   \"\nexpires = \"2027-03-31\"\n");
    assert!(e.contains("waivers.toml:4:17: `justification` is empty"), "{e}");
    assert!(e.contains("hint: "), "{e}");
}

#[test]
fn bad_date_is_located() {
    for (value, line) in [("\"31/03/2027\"", 5), ("\"2027-02-30\"", 5), ("2027-03-31T10:00:00", 5)] {
        let e = waiver_error(&format!("[[waiver]]\ncheck = \"routes\"\ntarget = \"*\"\njustification = \"why\"\nexpires = {value}\n"));
        assert!(e.contains(&format!("waivers.toml:{line}:11: `expires` is not a date")), "{e}");
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }
}

#[test]
fn unknown_check_id_is_located_with_a_suggestion() {
    let e = waiver_error(
        "[[waiver]]\ncheck = \"routes\"\ntarget = \"*\"\njustification = \"ok\"\nexpires = \"2027-03-31\"\n\n[[waiver]]\ncheck = \"routes.vcs-conflic\"\ntarget = \"*\"\njustification = \"ok\"\nexpires = \"2027-03-31\"\n",
    );
    assert!(e.contains("waivers.toml:8:9: `routes.vcs-conflic` matches no check id or family"), "{e}");
    assert!(e.contains("did you mean `routes.vcs-conflict`?"), "{e}");
    let e = waiver_error("[[waiver]]\ncheck = \"*\"\ntarget = \"*\"\njustification = \"all\"\nexpires = \"2027-03-31\"\n");
    assert!(e.contains("waivers.toml:2:9:"), "{e}");
}

#[test]
fn missing_or_broken_file_is_an_error() {
    let e = waivers::load(Path::new("/nonexistent/waivers.toml"), &known_ids()).expect_err("missing");
    assert!(e.to_string().contains("cannot read the waivers file"), "{e}");
    let e = waiver_error("[[waiver]\ncheck = 1\n");
    assert!(e.contains("waivers.toml:1:"), "{e}");
}

#[test]
fn a_check_skipped_as_a_whole_is_neither_fixed_nor_regressed() {
    let fail = Finding::new("dns.forward", "fe1.example.com", Status::Fail, "no A record");
    let skipped = Finding { target: "*".into(), status: Status::Skip, summary: "live probes not run (--offline)".into(), ..fail.clone() };
    let report = |findings: Vec<Finding>| Report {
        schema: "fedcheck.report/v1".into(),
        tool: fedcheck::judge::Tool { name: "fedcheck".into(), version: "0".into() },
        site: "s".into(),
        started_at: String::new(),
        duration_ms: 0,
        summary: fedcheck::judge::Summary::of(&findings),
        findings,
        internal_errors: Vec::new(),
        mode: Default::default(),
        coverage: Default::default(),
        catalog: Default::default(),
        host: None,
        inventory: None,
    };
    let d = diff::diff(&report(vec![fail]), &report(vec![skipped]));
    assert!(d.fixes.is_empty() && d.regressions.is_empty(), "{d:#?}");
    assert_eq!(d.not_judged, ["dns.forward"]);
}
