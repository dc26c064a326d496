//! The rule implementations, one module per family. Each module's `checks()` lists
//! its checks; adding a check to a family touches only that module, its catalog entry
//! (`checks/<family>.toml`) and its tests.

use crate::check::Check;

mod support;

pub mod certs;
pub mod change;
pub mod clients;
pub mod dns;
pub mod domains;
pub mod ha;
pub mod imp;
pub mod platform;
pub mod routes;
pub mod routing_node;
pub mod sip;
pub mod sizing;
pub mod software;
pub mod tls;

/// A family module's list of checks.
type Family = fn() -> Vec<Box<dyn Check>>;

/// Every check, in catalog order of families.
pub fn registry() -> Vec<Box<dyn Check>> {
    let families: [Family; 14] = [
        platform::checks,
        sizing::checks,
        software::checks,
        clients::checks,
        domains::checks,
        dns::checks,
        tls::checks,
        certs::checks,
        sip::checks,
        imp::checks,
        routes::checks,
        routing_node::checks,
        ha::checks,
        change::checks,
    ];
    families.iter().flat_map(|f| f()).collect()
}
