//! JUDGE: the check interface, the registry's selection, the catalog of words and
//! tables, waivers, and the report model. Pure: nothing here touches the network or
//! the clock (the time to judge for is passed in).

pub mod catalog;
mod check;
mod finding;
mod report;
mod select;
pub mod waivers;

pub use catalog::{Catalog, CheckMeta, Severity, TableError};
pub use check::{Check, Context, DnsSide, JudgeCache, Observation, ParsedChain, Reach, Rule};
pub use finding::{Finding, Status};
pub use report::{build_report, judge, sort_findings, Report, Summary, Tool, REPORT_SCHEMA};
pub use select::{pattern_matches, select, Selection, SelectionError};

/// Judge one check over a site and a snapshot, as the engine would (catalog fix
/// added to violations), without selection or waivers: what unit tests call.
pub fn judge_one(
    check: &dyn Check,
    loaded: &crate::inventory::Loaded,
    snapshot: &crate::snapshot::Snapshot,
    now: jiff::Timestamp,
) -> Vec<Finding> {
    let Ok(catalog) = Catalog::builtin() else {
        return Vec::new();
    };
    let selection = Selection { run: vec![check], skipped: Vec::new() };
    judge(loaded, &catalog, snapshot, &selection, now).0
}
