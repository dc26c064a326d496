//! The single integration test crate: every module here links the library once.
mod bundle;
mod cli;
mod cli_jobs;
mod diff_waivers;
mod dns_probe;
mod fuzz_replay;
mod hostile;
mod lab;
mod live_checks;
mod offline_checks;
mod output_escaping;
mod redaction;
mod reports;
mod tls_probe;
mod tls_raw;
mod util;
