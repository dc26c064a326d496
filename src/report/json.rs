//! `--json`: the report as `fedcheck.report/v2` (schema in
//! `schemas/report-v2.schema.json`). A view of its own, built from the report model,
//! so the model can change without breaking what pipelines read.

use super::{RenderContext, RenderError};
use crate::judge::catalog::{Catalog, Severity};
use crate::judge::{CatalogRef, Coverage, Finding, Mode, Report, Status, Summary, Tool, Verdict, WaiverNote, REPORT_SCHEMA_V2};
use serde::{Deserialize, Serialize};

/// The top level of a v2 report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonReport {
    /// Always `fedcheck.report/v2`.
    pub schema: String,
    /// Pass, warn, fail, or incomplete when nothing selected was judged.
    pub verdict: Verdict,
    /// The exit code the process returned with this report.
    pub exit_code: i32,
    /// Live, offline or a re-analysis.
    pub mode: Mode,
    /// How much was judged, and why the rest was not.
    pub coverage: Coverage,
    /// The inventory's site name.
    pub site: String,
    /// The machine the run was made from.
    pub host: Option<String>,
    /// The inventory file, as the user named it.
    pub inventory: Option<String>,
    /// Which program and version wrote the report.
    pub tool: Tool,
    /// The rules that judged.
    pub catalog: CatalogRef,
    /// When the run started, RFC 3339.
    pub started_at: String,
    /// When the run finished, RFC 3339: the start plus the duration.
    pub finished_at: String,
    /// How long the run took, observation included, in milliseconds.
    pub duration_ms: u64,
    /// Counts of findings by status.
    pub summary: Summary,
    /// Every finding, sorted by check, then target id.
    pub findings: Vec<JsonFinding>,
    /// Checks that crashed; any entry makes the exit code 1.
    pub internal_errors: Vec<String>,
}

/// One finding of a v2 report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonFinding {
    /// The check's id, e.g. `certs.expiry`.
    pub check: String,
    /// The check's family: its id up to the first dot.
    pub family: String,
    /// The check's title from the catalog (empty when the catalog does not know it).
    pub title: String,
    /// The catalog's severity of the check (what a violation of it is).
    pub severity: Severity,
    /// The verdict on this target.
    pub status: Status,
    /// The label people read (may carry addresses).
    pub target: String,
    /// Stable across runs: names, never addresses, versions or times.
    pub target_id: String,
    /// One line: what was found against what was expected.
    pub summary: String,
    /// More context, when one line is not enough.
    pub detail: Option<String>,
    /// The fix, from the catalog, on warn and fail findings.
    pub remediation: Option<String>,
    /// Always an object, possibly empty.
    pub evidence: serde_json::Map<String, serde_json::Value>,
    /// Set when a waiver turned a fail or warn into info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

fn finding(f: &Finding, catalog: &Catalog) -> JsonFinding {
    let meta = catalog.get(&f.check);
    let evidence = match &f.evidence {
        serde_json::Value::Object(m) => m.clone(),
        serde_json::Value::Null => serde_json::Map::new(),
        // Evidence that is not an object keeps its value under one key.
        other => {
            let mut m = serde_json::Map::new();
            m.insert("value".into(), other.clone());
            m
        }
    };
    JsonFinding {
        check: f.check.clone(),
        family: super::family(&f.check).to_string(),
        title: meta.map(|m| m.title.clone()).unwrap_or_default(),
        severity: meta.map(|m| m.severity).unwrap_or(Severity::Info),
        status: f.status,
        target: f.target.clone(),
        target_id: match f.stable_id() {
            id if id.trim().is_empty() => "(none)".to_string(),
            id => id.into_owned(),
        },
        summary: f.summary.clone(),
        detail: f.detail.clone(),
        remediation: f.remediation.clone(),
        evidence,
        waiver: f.waiver.clone(),
    }
}

/// RFC 3339 start plus the duration, or the start when it cannot be read.
fn finished_at(report: &Report) -> String {
    let Ok(start) = report.started_at.parse::<jiff::Timestamp>() else {
        return report.started_at.clone();
    };
    let took = jiff::SignedDuration::from_millis(i64::try_from(report.duration_ms).unwrap_or(i64::MAX));
    start.checked_add(took).map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string()).unwrap_or_else(|_| report.started_at.clone())
}

/// The v2 view of a report, for the exit code the run returns.
pub fn view(report: &Report, catalog: &Catalog, exit_code: i32) -> JsonReport {
    let mut findings: Vec<JsonFinding> = report.findings.iter().map(|f| finding(f, catalog)).collect();
    // Sorted by check then target id, so two runs list their findings alike.
    findings.sort_by(|a, b| {
        (a.check.as_str(), a.target_id.as_str(), a.status, a.summary.as_str()).cmp(&(
            b.check.as_str(),
            b.target_id.as_str(),
            b.status,
            b.summary.as_str(),
        ))
    });
    JsonReport {
        schema: REPORT_SCHEMA_V2.into(),
        verdict: report.verdict(),
        exit_code,
        mode: report.mode,
        coverage: report.coverage.clone(),
        site: report.site.clone(),
        host: report.host.clone(),
        inventory: report.inventory.clone(),
        tool: report.tool.clone(),
        catalog: report.catalog.clone(),
        started_at: report.started_at.clone(),
        finished_at: finished_at(report),
        duration_ms: report.duration_ms,
        summary: report.summary.clone(),
        findings,
        internal_errors: report.internal_errors.clone(),
    }
}

/// Render the report as `fedcheck.report/v2` JSON, with the exit the run returns.
pub fn render(ctx: &RenderContext<'_>) -> Result<String, RenderError> {
    let mut s = serde_json::to_string_pretty(&view(ctx.report, ctx.catalog, i32::from(ctx.exit.code())))
        .map_err(|e| RenderError::new("JSON", e))?;
    s.push('\n');
    Ok(super::inert::json_document(&s))
}

impl JsonReport {
    /// The report model again, for `diff`: findings keep their stable ids.
    pub fn into_report(self) -> Report {
        let findings = self
            .findings
            .into_iter()
            .map(|f| Finding {
                check: f.check,
                target: f.target,
                target_id: f.target_id,
                status: f.status,
                summary: f.summary,
                detail: f.detail,
                remediation: f.remediation,
                evidence: serde_json::Value::Object(f.evidence),
                waiver: f.waiver,
            })
            .collect();
        Report {
            schema: self.schema,
            tool: self.tool,
            site: self.site,
            started_at: self.started_at,
            duration_ms: self.duration_ms,
            summary: self.summary,
            findings,
            internal_errors: self.internal_errors,
            mode: self.mode,
            coverage: self.coverage,
            catalog: self.catalog,
            host: self.host,
            inventory: self.inventory,
        }
    }
}
