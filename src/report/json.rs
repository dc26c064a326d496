//! `--json`: the report as `fedcheck.report/v1`, findings already sorted.

use crate::judge::Report;

pub fn render(report: &Report) -> String {
    // Serialising plain data structures cannot fail; fall back to an empty object.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    super::escape::json_document(&s)
}
