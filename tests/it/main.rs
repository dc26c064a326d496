//! The single integration test crate: every module here links the library once.
// Helpers outside #[test] functions may unwrap, expect and panic too: a failed
// assumption in a test is a failed test (clippy.toml covers the #[test] functions).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod bundle;
mod cli;
mod cli_jobs;
mod diff_waivers;
mod dns_probe;
mod lab;
mod live_checks;
mod offline_checks;
mod reports;
mod tls_probe;
mod tls_raw;
mod util;
