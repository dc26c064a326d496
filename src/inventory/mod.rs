//! The site inventory: what the engineer tells fedcheck about both systems.
//!
//! Parsing is strict (unknown keys, wrong types and bad values are errors with a
//! `file:line:column`), because a typo in an inventory silently dropped would turn
//! into a wrong verdict.

mod confine;
mod evidence_set;
mod locate;
mod model;
mod validate;

pub use evidence_set::{EvidenceSet, MicrosoftEvidence, NodeEvidenceSet};
pub use locate::line_col;
pub use model::*;
pub use validate::{cidr_contains, is_fqdn, parse_hours, parse_release};

use std::fmt;
use std::path::{Path, PathBuf};

/// Why an inventory could not be used. Printed as `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InventoryError {
    /// The inventory (or evidence) file at fault.
    pub file: PathBuf,
    /// 1-based; 0 when the error concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when the error concerns the whole file.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// Extra guidance: what is expected, or "did you mean".
    pub hint: Option<String>,
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)?;
        } else {
            write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.column, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// An inventory with every evidence file it names, parsed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The inventory as read and validated.
    pub inventory: Inventory,
    /// Its evidence files, parsed.
    pub evidence: EvidenceSet,
    /// The inventory file as given (for reports and bundles).
    pub path: PathBuf,
    /// The folder relative paths inside the inventory are resolved from.
    pub base_dir: PathBuf,
}

/// Read, parse and validate an inventory file and load the evidence it names. The
/// file may be UTF-8 or, as Windows PowerShell 5.1's `>` writes it, UTF-16 with a
/// byte-order mark.
pub fn load(path: &Path) -> Result<Loaded, InventoryError> {
    load_str(&read_text(path)?, path)
}

/// Like [`load`], for an inventory that came from somewhere untrusted (a support
/// bundle unpacked under `root`): every file it names must be a relative path without
/// `..` that stays under `root`, through no symbolic link, and be a regular file (or
/// a folder, for a trust store).
pub fn load_confined(path: &Path, root: &Path) -> Result<Loaded, InventoryError> {
    let text = read_text(path)?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let inventory = parse(&text, path)?;
    confine::check(&inventory, &text, path, &base_dir, root)?;
    validate::validate(&inventory, &text, path, &base_dir)?;
    let evidence = evidence_set::load(&inventory, &text, path, &base_dir)?;
    Ok(Loaded { inventory, evidence, path: path.to_path_buf(), base_dir })
}

/// The inventory's text, read under [`crate::fsread::INVENTORY_CAP`]: UTF-8, or UTF-16
/// with a byte-order mark.
fn read_text(path: &Path) -> Result<String, InventoryError> {
    let error = |message: String| InventoryError { file: path.to_path_buf(), line: 0, column: 0, message, hint: None };
    let bytes = crate::fsread::read_capped(path, crate::fsread::INVENTORY_CAP)
        .map_err(|e| error(format!("cannot read the inventory: {}", e.reason())))?;
    if crate::evidence::has_bom_or_utf16(&bytes) {
        Ok(crate::evidence::decode(&bytes))
    } else {
        // Anything else must be UTF-8: a silently replaced byte could change a value.
        String::from_utf8(bytes).map_err(|e| error(format!("the inventory is not UTF-8 text: {e}")))
    }
}

/// Parse and validate inventory text as if it had been read from `path`.
pub fn load_str(text: &str, path: &Path) -> Result<Loaded, InventoryError> {
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let inventory = parse(text, path)?;
    validate::validate(&inventory, text, path, &base_dir)?;
    let evidence = evidence_set::load(&inventory, text, path, &base_dir)?;
    Ok(Loaded { inventory, evidence, path: path.to_path_buf(), base_dir })
}

fn parse(text: &str, path: &Path) -> Result<Inventory, InventoryError> {
    toml::from_str::<Inventory>(text).map_err(|e| {
        let (line, column) = e.span().map(|s| locate::line_col(text, s.start)).unwrap_or((0, 0));
        let (message, hint) = explain_serde_message(e.message());
        InventoryError { file: path.to_path_buf(), line, column, message, hint }
    })
}

/// Turn serde's "unknown field `x`, expected one of `a`, `b`" into a message and a
/// "did you mean" hint.
fn explain_serde_message(raw: &str) -> (String, Option<String>) {
    let raw = raw.trim();
    if let Some(u) = crate::suggest::Unknown::parse(raw) {
        return (format!("unknown {} `{}`", u.what, u.given), Some(u.hint("expected one of")));
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return (format!("missing required key `{name}`"), None);
    }
    // serde names Rust types; say what the user should write instead.
    let friendly = raw
        .replace("expected u16", "expected a port number from 1 to 65535")
        .replace("expected u32", "expected a whole number")
        .replace("expected a boolean", "expected true or false");
    (friendly, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_is_offered_for_a_close_key() {
        let (m, h) = explain_serde_message("unknown field `fdqn`, expected one of `fqdn`, `ip`, `product`");
        assert_eq!(m, "unknown key `fdqn`");
        assert!(h.unwrap().starts_with("did you mean `fqdn`?"));
    }

    #[test]
    fn no_suggestion_for_a_distant_key() {
        let (_, h) = explain_serde_message("unknown field `zzz`, expected `fqdn` or `ip`");
        assert!(!h.unwrap().contains("did you mean"));
    }
}
