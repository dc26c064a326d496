//! The rule implementations, one module per family. Each module's `checks()` lists
//! its checks; adding a check to a family touches only that module, its catalog entry
//! (`checks/<family>.toml`) and its tests.

use crate::judge::Check;

pub(crate) mod support;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A check is declared once in Rust; the catalog only words it. Both id sets must
    /// be the same: no check without words, no words without a check.
    #[test]
    fn the_registry_and_the_catalog_name_the_same_checks() {
        let catalog = crate::judge::Catalog::builtin().unwrap_or_default();
        let registered: BTreeSet<&str> = registry().iter().map(|c| c.id()).collect();
        let described: BTreeSet<&str> = catalog.checks().map(|m| m.id.as_str()).collect();
        assert_eq!(registry().len(), registered.len(), "an id is registered twice");
        assert_eq!(registered, described);
        for c in registry() {
            let meta = catalog.get(c.id()).map(|m| m.family.as_str());
            assert_eq!(meta, Some(c.family()), "{} is described in another family's file", c.id());
        }
    }
}
