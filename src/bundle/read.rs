//! Opening a bundle: read it whole into memory under size caps (see `untar`), refuse unsafe paths,
//! and check every file against the manifest before anyone trusts its content.

use super::untar::read_archive;
use super::{sha256_hex, BundleError, Manifest, MANIFEST, MANIFEST_SCHEMA};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A verified bundle: every file matched its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedBundle {
    /// Content by path relative to the top folder (`report.json`,
    /// `inventory/site.toml`…); `manifest.json` itself is in `manifest`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The bundle's `manifest.json`, read and checked against the files.
    pub manifest: Manifest,
}

/// Opens and verifies the bundle at `path`.
pub fn open(path: &Path) -> Result<OpenedBundle, BundleError> {
    let file = std::fs::File::open(path).map_err(BundleError::io(path))?;
    open_reader(std::io::BufReader::new(file))
}

/// Opens and verifies a bundle read from `reader` (the .tar.gz bytes).
pub fn open_reader<R: Read>(reader: R) -> Result<OpenedBundle, BundleError> {
    open_checked(reader, |_, _| Ok(()))
}

/// [`open_reader`] with `precheck` run on the files and manifest before the digests
/// are computed (cheap refusals first: hashing 60 MB takes a while).
pub(super) fn open_checked<R: Read>(
    reader: R,
    precheck: impl FnOnce(&BTreeMap<String, Vec<u8>>, &Manifest) -> Result<(), BundleError>,
) -> Result<OpenedBundle, BundleError> {
    let mut files = read_archive(reader)?;
    let manifest_bytes = files
        .remove(MANIFEST)
        .ok_or_else(|| BundleError::Manifest("missing: this is not a fedcheck bundle, or it was cut short".into()))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| BundleError::Manifest(format!("cannot be read: {e}")))?;
    if manifest.schema != MANIFEST_SCHEMA {
        return Err(BundleError::Manifest(format!(
            "schema `{}` is not `{MANIFEST_SCHEMA}` (a bundle from another tool or version)",
            crate::escape::line(&manifest.schema)
        )));
    }
    precheck(&files, &manifest)?;
    verify(&files, &manifest)?;
    Ok(OpenedBundle { files, manifest })
}

/// Every listed file present with its size and digest; nothing unlisted.
fn verify(files: &BTreeMap<String, Vec<u8>>, manifest: &Manifest) -> Result<(), BundleError> {
    let mut listed = BTreeSet::new();
    for entry in &manifest.files {
        if !listed.insert(entry.path.as_str()) {
            return Err(BundleError::Manifest(format!("lists {} twice", crate::escape::line(&entry.path))));
        }
        let tampered = |reason: &str| BundleError::Tampered { file: crate::escape::line(&entry.path), reason: reason.to_string() };
        let Some(data) = files.get(&entry.path) else {
            return Err(tampered("listed in the manifest but missing from the archive"));
        };
        if data.len() as u64 != entry.size {
            return Err(tampered(&format!("size mismatch ({} bytes, the manifest says {})", data.len(), entry.size)));
        }
        if !sha256_hex(data).eq_ignore_ascii_case(&entry.sha256) {
            return Err(tampered("SHA-256 mismatch"));
        }
    }
    if let Some(extra) = files.keys().find(|p| !listed.contains(p.as_str())) {
        return Err(BundleError::Tampered { file: extra.clone(), reason: "not listed in the manifest".into() });
    }
    Ok(())
}

impl OpenedBundle {
    /// A file's text, or an error naming it when absent or not UTF-8.
    pub fn text(&self, path: &str) -> Result<&str, BundleError> {
        let data = self.files.get(path).ok_or_else(|| BundleError::NotInBundle(format!("{path} is not in the bundle")))?;
        std::str::from_utf8(data).map_err(|_| BundleError::NotInBundle(format!("{path} is not UTF-8 text")))
    }

    /// The text of `snapshot.json`.
    pub fn snapshot_json(&self) -> Result<&str, BundleError> {
        self.text("snapshot.json")
    }

    /// The text of `report.json`.
    pub fn report_json(&self) -> Result<&str, BundleError> {
        self.text("report.json")
    }

    /// The inventory's path inside the bundle (`inventory/site.toml`).
    pub fn inventory_path(&self) -> Result<&str, BundleError> {
        if let Some(p) = &self.manifest.inventory {
            if self.files.contains_key(p) {
                return Ok(p);
            }
        }
        self.files
            .keys()
            .find(|k| k.strip_prefix("inventory/").is_some_and(|rest| !rest.contains('/') && rest.ends_with(".toml")))
            .map(String::as_str)
            .ok_or_else(|| BundleError::NotInBundle("the bundle holds no inventory".into()))
    }

    /// Writes the `inventory/` folder of the bundle into `dir` (created if needed) and
    /// returns the path of the inventory file there, ready for
    /// [`crate::inventory::load`]. The client key is not in the bundle, and the bundled
    /// inventory has `client_key` commented out, so it loads as is.
    pub fn extract_inventory(&self, dir: &Path) -> Result<PathBuf, BundleError> {
        let inventory = self.inventory_path()?.to_string();
        for (path, data) in &self.files {
            let Some(rest) = path.strip_prefix("inventory/") else {
                continue;
            };
            // Paths were checked when the bundle was opened; check again, as `files`
            // is public and may have been edited since.
            let mut dest = dir.to_path_buf();
            for part in rest.split('/') {
                if part.is_empty() || part == ".." || part == "." || part.contains(['\\', ':']) {
                    return Err(BundleError::UnsafePath(path.clone()));
                }
                dest.push(part);
            }
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(BundleError::io(parent))?;
            }
            std::fs::write(&dest, data).map_err(BundleError::io(&dest))?;
        }
        let rest = inventory.strip_prefix("inventory/").unwrap_or(&inventory);
        Ok(rest.split('/').fold(dir.to_path_buf(), |p, part| p.join(part)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_bundle() {
        assert!(matches!(open_reader(&b"not a gzip stream at all"[..]), Err(BundleError::Corrupt(_))));
        assert!(open_reader(&b""[..]).is_err());
    }
}
