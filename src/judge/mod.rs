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
pub use finding::{target_id_of, Finding, Status, WaiverNote};
pub use report::{
    build_report, coverage, judge, sort_findings, CatalogRef, Coverage, Mode, NotRun, Report, Summary, Tool, Verdict, REPORT_SCHEMA,
    REPORT_SCHEMA_V2,
};
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
    let selection = Selection { run: vec![check], skipped: Vec::new(), left_out: 0 };
    judge(loaded, &catalog, snapshot, &selection, now).0
}
