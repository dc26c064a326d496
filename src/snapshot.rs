//! The snapshot: every observation the OBSERVE phase made, in raw form. Checks read
//! only this (plus the inventory and its evidence), so a snapshot saved in a support
//! bundle can be judged again later, offline, with newer rules.

use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "fedcheck.snapshot/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: String,
    pub tool_version: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// Whether network probes ran. False with `--offline`.
    pub live: bool,
    /// Why probes did not run, when they did not.
    #[serde(default)]
    pub not_live_reason: Option<String>,
}

impl Snapshot {
    pub fn offline(started_at: String) -> Self {
        Snapshot {
            schema: SCHEMA.into(),
            tool_version: crate::version::VERSION.into(),
            started_at,
            live: false,
            not_live_reason: Some("live probes not run (--offline)".into()),
        }
    }
}
