//! The single integration test crate: every module here links the library once.
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
mod verdicts;
