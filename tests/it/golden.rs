//! Golden files (insta snapshots under `tests/it/snapshots/`) for every text output:
//! the terminal view, the plain log lines, Markdown, JUnit, JSON and the `--help`
//! pages. A change to any of them shows as a diff to review (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test golden` to accept).

use crate::util::{fedcheck, now, repo};
use fedcheck::engine::{self, RunOptions};
use fedcheck::judge::catalog::Catalog;
use fedcheck::judge::Report;
use fedcheck::report::{junit::WarnAs, terminal, Format, RenderContext, View};

/// The enterprise example judged offline as of the tests' fixed instant, with
/// everything that varies between runs (start, duration, version) fixed.
fn enterprise() -> (Report, Catalog) {
    let loaded = fedcheck::inventory::load(&repo("examples/enterprise/site.toml")).expect("loads");
    let catalog = Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { offline: true, now: Some(now()), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (mut report, _) = rt.block_on(engine::run(&loaded, &catalog, &checks, &opts)).expect("run");
    report.started_at = "2026-11-25T12:00:00Z".into();
    report.duration_ms = 42;
    report.tool.version = "0.0.0-golden".into();
    report.host = Some("jump-host-01".into());
    report.inventory = Some("examples/enterprise/site.toml".into());
    (report, catalog)
}

fn ctx<'a>(report: &'a Report, catalog: &'a Catalog) -> RenderContext<'a> {
    RenderContext::new(report, catalog)
}

#[test]
fn terminal_view() {
    let (report, catalog) = enterprise();
    let mut ctx = ctx(&report, &catalog);
    ctx.style = terminal::Style { show_passes: false, colour: false, tty: false, width: 100 };
    insta::assert_snapshot!("terminal", View::Terminal.render(&ctx).expect("renders"));
    ctx.style.show_passes = true;
    insta::assert_snapshot!("terminal_verbose", View::Terminal.render(&ctx).expect("renders"));
}

#[test]
fn plain_view() {
    let (report, catalog) = enterprise();
    insta::assert_snapshot!("plain", View::Plain.render(&ctx(&report, &catalog)).expect("renders"));
}

#[test]
fn markdown() {
    let (report, catalog) = enterprise();
    insta::assert_snapshot!("markdown", Format::Markdown.render(&ctx(&report, &catalog)).expect("renders"));
}

#[test]
fn junit() {
    let (report, catalog) = enterprise();
    let mut ctx = ctx(&report, &catalog);
    ctx.junit_warn = WarnAs::Failure;
    insta::assert_snapshot!("junit", Format::Junit.render(&ctx).expect("renders"));
}

#[test]
fn json() {
    let (report, catalog) = enterprise();
    insta::assert_snapshot!("json", Format::Json.render(&ctx(&report, &catalog)).expect("renders"));
}

#[test]
fn help_pages() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["demo", "--help"],
        &["bundle", "--help"],
        &["analyze", "--help"],
        &["diff", "--help"],
        &["collect", "imp", "--help"],
        &["collect", "microsoft", "--help"],
        &["init", "--help"],
    ] {
        let out = fedcheck().args(args).env("COLUMNS", "100").output().expect("runs");
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let name = format!("help_{}", args[..args.len() - 1].join("_"));
        let name = if name == "help_" { "help_top".to_string() } else { name };
        insta::assert_snapshot!(name, text);
    }
}
