//! Selection: which registered checks run, which `--skip` demotes to a skip finding
//! (kubeadm's "ignore" demotes rather than hides), and the registry's agreement with
//! the catalog.

use super::catalog::Catalog;
use super::check::Check;

/// Why `--only`/`--skip` cannot select checks.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// A pattern that names no check, with the closest id when one is near.
    #[error("`{pattern}` matches no check id or family{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    NoMatch {
        /// The pattern as given.
        pattern: String,
        /// A close check id or family, when there is one.
        suggestion: Option<String>,
    },
    /// A registered check whose words are missing from the catalog (its id).
    #[error("check `{0}` has no entry in the catalog")]
    NoCatalogEntry(String),
}

/// Which registered checks run, which are demoted to skip by `--skip`.
pub struct Selection<'a> {
    /// Checks to run, in registry order.
    pub run: Vec<&'a dyn Check>,
    /// Checks `--skip` leaves out; each is reported as a skip finding.
    pub skipped: Vec<&'a dyn Check>,
    /// How many registered checks `--only` left out.
    pub left_out: usize,
}

/// Choose the checks `only` and `skip` (ids or families) leave. Every registered check
/// must have a catalog entry: its words come from there.
pub fn select<'a>(
    checks: &'a [Box<dyn Check>],
    catalog: &Catalog,
    only: &[String],
    skip: &[String],
) -> Result<Selection<'a>, SelectionError> {
    for c in checks {
        if catalog.get(c.id()).is_none() {
            return Err(SelectionError::NoCatalogEntry(c.id().to_string()));
        }
    }
    for pattern in only.iter().chain(skip) {
        if !checks.iter().any(|c| pattern_matches(pattern, c.id())) {
            let mut candidates: Vec<String> = checks.iter().map(|c| c.id().to_string()).collect();
            candidates.extend(checks.iter().map(|c| c.family().to_string()));
            let suggestion = crate::suggest::closest(pattern, candidates.iter().map(String::as_str)).map(str::to_string);
            return Err(SelectionError::NoMatch { pattern: pattern.clone(), suggestion });
        }
    }
    let mut sel = Selection { run: Vec::new(), skipped: Vec::new(), left_out: 0 };
    for c in checks {
        let wanted = only.is_empty() || only.iter().any(|p| pattern_matches(p, c.id()));
        if !wanted {
            sel.left_out += 1;
            continue;
        }
        if skip.iter().any(|p| pattern_matches(p, c.id())) {
            sel.skipped.push(c.as_ref());
        } else {
            sel.run.push(c.as_ref());
        }
    }
    Ok(sel)
}

/// Does a selection pattern (an id or a family prefix) cover this check id?
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches(".*").trim_end_matches('.');
    id == pattern || id.strip_prefix(pattern).is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_ids_and_families() {
        assert!(pattern_matches("dns", "dns.forward"));
        assert!(pattern_matches("dns.forward", "dns.forward"));
        assert!(pattern_matches("routes.vcs-conflict", "routes.vcs-conflict"));
        assert!(pattern_matches("routing-node", "routing-node.services"));
        assert!(!pattern_matches("routing", "routing-node.services"));
        assert!(!pattern_matches("dns.forw", "dns.forward"));
    }
}
