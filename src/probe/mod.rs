//! Probes: the only code that talks to the network. Each returns a serialisable
//! observation that goes into the snapshot; a failure is an observation too.

pub mod dns;
pub mod sip;
pub mod tls;
pub mod tls_raw;
