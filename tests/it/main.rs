//! The single integration test crate: every module here links the library once.
// Helpers outside #[test] functions may unwrap, expect and panic too: a failed
// assumption in a test is a failed test (clippy.toml covers the #[test] functions).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// A test crate has no public surface.
#![allow(unreachable_pub)]
mod bundle;
mod capture_noise;
mod cli;
mod cli_jobs;
mod collect;
mod diff_waivers;
mod dns_probe;
mod fuzz_replay;
mod golden;
mod hostile;
mod lab;
mod live_checks;
mod offline_checks;
mod output_escaping;
mod published;
mod redaction;
mod reports;
mod tls_probe;
mod tls_raw;
mod util;
mod verdicts;
