//! `--junit`: the report as JUnit XML for CI dashboards. One testsuite per check
//! family, one testcase per finding (`<check> <target>`, classname = check id).

use super::{family, RenderContext, RenderError};
use crate::judge::Report;
use crate::judge::{Finding, Status};
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::time::Duration;

/// How warn findings appear in JUnit, whose only verdicts are pass, fail and skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum WarnAs {
    /// A failed testcase (type `warn`), so CI flags it like the exit code does.
    #[default]
    Failure,
    /// A skipped testcase whose message starts with `warning:`.
    Skipped,
    /// A passed testcase with the warning in its system-out.
    Passed,
}

/// Detail and remediation as the text of a failure or the system-out of a case.
fn body(f: &Finding) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = f.detail.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        parts.push(d.to_string());
    }
    if let Some(r) = f.remediation.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        parts.push(format!("Fix: {r}"));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

fn failure(f: &Finding, ty: &str) -> TestCaseStatus {
    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
    st.set_message(f.summary.as_str()).set_type(ty);
    if let Some(b) = body(f) {
        st.set_description(b);
    }
    st
}

fn case(f: &Finding, warn_as: WarnAs) -> TestCase {
    let name = format!("{} {}", f.check, f.target);
    let mut out: Option<String> = None;
    let status = match f.status {
        Status::Fail => failure(f, "fail"),
        Status::Warn => match warn_as {
            WarnAs::Failure => failure(f, "warn"),
            WarnAs::Skipped => {
                let mut st = TestCaseStatus::skipped();
                st.set_message(format!("warning: {}", f.summary)).set_type("warn");
                if let Some(b) = body(f) {
                    st.set_description(b);
                }
                st
            }
            WarnAs::Passed => {
                out = Some(match body(f) {
                    Some(b) => format!("warning: {}\n\n{b}", f.summary),
                    None => format!("warning: {}", f.summary),
                });
                TestCaseStatus::success()
            }
        },
        Status::Skip => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(f.summary.as_str()).set_type("skip");
            st
        }
        Status::Info => {
            out = Some(match body(f) {
                Some(b) => format!("info: {}\n\n{b}", f.summary),
                None => format!("info: {}", f.summary),
            });
            TestCaseStatus::success()
        }
        Status::Pass => TestCaseStatus::success(),
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(f.check.as_str());
    if let Some(o) = out {
        tc.set_system_out(o);
    }
    tc
}

/// The `fedcheck coverage` testcase: passed when every selected check was judged,
/// skipped when some could not be, an error when none could.
fn coverage_case(report: &Report) -> TestCase {
    let c = &report.coverage;
    let selected = c.judged + c.not_run;
    let reasons: Vec<String> = c.not_run_reasons.iter().map(|r| format!("{}: {}", r.reason, r.checks.join(", "))).collect();
    let status = if report.verdict() == crate::judge::Verdict::Incomplete {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
        st.set_message(format!("incomplete: none of the {selected} selected checks could be judged")).set_type("incomplete");
        st.set_description(reasons.join("\n"));
        st
    } else if c.not_run > 0 {
        let mut st = TestCaseStatus::skipped();
        st.set_message(format!("{} of {selected} selected checks were not run", c.not_run)).set_type("not-run");
        st.set_description(reasons.join("\n"));
        st
    } else {
        TestCaseStatus::success()
    };
    let mut tc = TestCase::new("coverage", status);
    tc.set_classname("fedcheck.coverage");
    tc.set_system_out(format!("{} checks judged, {} not run, {} left out by --only/--skip", c.judged, c.not_run, c.skipped_by_selection));
    tc
}

/// Render the report as a JUnit XML document named after the site.
pub fn render(ctx: &RenderContext<'_>) -> Result<String, RenderError> {
    let (report, warn_as) = (ctx.report, ctx.junit_warn);
    let mut families: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        families.entry(family(&f.check)).or_default().push(f);
    }
    let mut doc = JReport::new(report.site.as_str());
    doc.set_time(Duration::from_millis(report.duration_ms));
    for (fam, list) in families {
        let mut suite = TestSuite::new(fam);
        suite.add_property(("site", report.site.as_str()));
        suite.add_property(("started_at", report.started_at.as_str()));
        suite.add_property(("tool", format!("{} {}", report.tool.name, report.tool.version).as_str()));
        suite.add_test_cases(list.into_iter().map(|f| case(f, warn_as)));
        doc.add_test_suite(suite);
    }
    // How much was judged, as a testcase of its own: a dashboard counting green cases
    // must see that checks were not run (skipped) or that nothing was (an error).
    let mut run = TestSuite::new("fedcheck");
    run.add_property(("verdict", format!("{:?}", report.verdict()).to_ascii_lowercase().as_str()));
    run.add_test_case(coverage_case(report));
    doc.add_test_suite(run);
    if !report.internal_errors.is_empty() {
        // A crashed check is the tool's error, not the site's: report it as one.
        let mut suite = TestSuite::new("fedcheck.internal");
        for (i, e) in report.internal_errors.iter().enumerate() {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
            st.set_message(e.as_str()).set_type("internal");
            let mut tc = TestCase::new(format!("internal error {}", i + 1), st);
            tc.set_classname("fedcheck.internal");
            suite.add_test_case(tc);
        }
        doc.add_test_suite(suite);
    }
    let mut xml = doc.to_string().map_err(|e| RenderError::new("JUnit", e))?;
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    Ok(crate::escape::document(&xml))
}
