//! The single integration test crate: every module here links the library once.
mod bundle;
mod cli;
mod dns_probe;
mod offline_checks;
mod tls_probe;
mod tls_raw;
mod util;
