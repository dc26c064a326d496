//! fedcheck: preflight and diagnostics for partitioned intradomain federation
//! between Cisco IM and Presence Service and Microsoft Skype for Business / Lync / OCS.
//!
//! The work happens in two phases: `engine` plans which observations the selected
//! checks need and gathers them into a [`snapshot::Snapshot`] (the only I/O), then every
//! check judges the snapshot as a pure function. Renderers in `report` turn findings
//! into terminal, JSON and other outputs.

pub mod bundle;
pub mod certinfo;
pub mod checks;
pub mod cli;
pub mod collect;
pub mod diff;
pub mod engine;
pub mod escape;
pub mod evidence;
pub mod exit;
pub mod fsread;
#[doc(hidden)]
pub mod fuzz_entry;
pub mod inventory;
pub mod judge;
pub mod lab;
pub mod observe;
pub mod probe;
pub mod report;
pub mod snapshot;
pub(crate) mod suggest;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
pub mod text;
pub mod tlskit;
pub(crate) mod version;
pub(crate) mod wire;
