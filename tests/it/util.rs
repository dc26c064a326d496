//! Shared helpers for the integration tests.

use fedcheck::engine::{self, RunOptions};
use fedcheck::judge::catalog::Catalog;
use fedcheck::judge::{Finding, Status};
use std::path::{Path, PathBuf};

pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The fedcheck binary, built by cargo for this test run.
pub fn fedcheck() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("fedcheck").expect("binary built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The one fixed instant of every test (unit and integration), so verdicts that
/// depend on the date do not drift.
pub use fedcheck::testing::{now, NOW};

/// Inventory text edited as a TOML table, then judged offline for one check.
/// `at` names the file the text pretends to come from, so evidence paths resolve.
pub fn judge_edited(at: &str, edit: impl FnOnce(&mut toml::Table), check: &str) -> Vec<Finding> {
    let path = repo(at);
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    let mut table: toml::Table = toml::from_str(&text).expect("fixture parses");
    edit(&mut table);
    let text = toml::to_string(&table).expect("serialises");
    let loaded = fedcheck::inventory::load_str(&text, &path).unwrap_or_else(|e| panic!("edited inventory invalid: {e}"));
    let catalog = Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { offline: true, only: vec![check.to_string()], now: Some(now()), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (report, _) = rt.block_on(engine::run(&loaded, &catalog, &checks, &opts)).expect("run");
    report.findings
}

pub fn statuses(findings: &[Finding]) -> Vec<(String, Status)> {
    findings.iter().map(|f| (f.target.clone(), f.status)).collect()
}

/// The one finding for `target`, or a panic listing what there is.
pub fn finding<'a>(findings: &'a [Finding], target: &str) -> &'a Finding {
    findings.iter().find(|f| f.target == target).unwrap_or_else(|| panic!("no finding for {target}: {:#?}", statuses(findings)))
}

/// Navigate a TOML table by dotted keys, creating tables as needed.
pub fn table_at<'a>(t: &'a mut toml::Table, path: &[&str]) -> &'a mut toml::Table {
    let mut cur = t;
    for key in path {
        cur = cur.entry(key.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new())).as_table_mut().expect("a table");
    }
    cur
}

/// The n-th element of an array of tables.
pub fn array_item<'a>(t: &'a mut toml::Table, path: &[&str], key: &str, n: usize) -> &'a mut toml::Table {
    table_at(t, path)
        .get_mut(key)
        .and_then(|v| v.as_array_mut())
        .and_then(|a| a.get_mut(n))
        .and_then(|v| v.as_table_mut())
        .expect("array item")
}

/// The JSON report schema in the repository, compiled once.
fn report_validator() -> &'static jsonschema::Validator {
    static V: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(repo("schemas/report-v2.schema.json")).expect("schema file");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema does not compile: {e}"))
    })
}

/// Panic with every violation when `report` does not follow schemas/report-v2.schema.json.
pub fn assert_valid_report(report: &serde_json::Value) {
    let errors: Vec<String> = report_validator().iter_errors(report).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "the report breaks its schema:\n{}", errors.join("\n"));
}

/// Read a JSON report a test made the binary write, validated against the schema.
pub fn report_json(path: &Path) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read report")).expect("report is JSON");
    assert_valid_report(&v);
    v
}

/// A report rendered as the JSON a run exiting `exit` writes.
pub fn json_of(report: &fedcheck::judge::Report, exit: u8) -> String {
    let catalog = Catalog::builtin().expect("catalog");
    let mut ctx = fedcheck::report::RenderContext::new(report, &catalog);
    ctx.exit = fedcheck::exit::Exit::from_code(i64::from(exit)).expect("one of ours");
    fedcheck::report::Format::Json.render(&ctx).expect("renders")
}
