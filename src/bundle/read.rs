//! Opening a bundle: read it whole into memory under size caps, refuse unsafe paths,
//! and check every file against the manifest before anyone trusts its content.

use super::{sha256_hex, BundleError, Manifest, MANIFEST, MANIFEST_SCHEMA, MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, TOP};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A verified bundle: every file matched its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedBundle {
    /// Content by path relative to the top folder (`report.json`,
    /// `inventory/site.toml`…); `manifest.json` itself is in `manifest`.
    pub files: BTreeMap<String, Vec<u8>>,
    pub manifest: Manifest,
}

/// Opens and verifies the bundle at `path`.
pub fn open(path: &Path) -> Result<OpenedBundle, BundleError> {
    let file = std::fs::File::open(path).map_err(BundleError::io(path))?;
    open_reader(std::io::BufReader::new(file))
}

/// Opens and verifies a bundle read from `reader` (the .tar.gz bytes).
pub fn open_reader<R: Read>(reader: R) -> Result<OpenedBundle, BundleError> {
    let mut files = read_archive(reader)?;
    let manifest_bytes = files
        .remove(MANIFEST)
        .ok_or_else(|| BundleError::Manifest("missing: this is not a fedcheck bundle, or it was cut short".into()))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| BundleError::Manifest(format!("cannot be read: {e}")))?;
    if manifest.schema != MANIFEST_SCHEMA {
        return Err(BundleError::Manifest(format!(
            "schema `{}` is not `{MANIFEST_SCHEMA}` (a bundle from another tool or version)",
            manifest.schema
        )));
    }
    verify(&files, &manifest)?;
    Ok(OpenedBundle { files, manifest })
}

/// Every listed file present with its size and digest; nothing unlisted.
fn verify(files: &BTreeMap<String, Vec<u8>>, manifest: &Manifest) -> Result<(), BundleError> {
    let mut listed = BTreeSet::new();
    for entry in &manifest.files {
        if !listed.insert(entry.path.as_str()) {
            return Err(BundleError::Manifest(format!("lists {} twice", entry.path)));
        }
        let tampered = |reason: &str| BundleError::Tampered { file: entry.path.clone(), reason: reason.to_string() };
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

/// Reads every regular file of the archive, keyed by its path under the top folder.
fn read_archive<R: Read>(reader: R) -> Result<BTreeMap<String, Vec<u8>>, BundleError> {
    let gz = flate2::read::GzDecoder::new(reader);
    let mut archive = tar::Archive::new(gz);
    let mut files = BTreeMap::new();
    let mut total: u64 = 0;
    let mut count = 0usize;
    let entries = archive.entries().map_err(classify)?;
    for entry in entries {
        let mut entry = entry.map_err(classify)?;
        count += 1;
        if count > MAX_ENTRIES {
            return Err(BundleError::TooLarge { file: format!("the archive ({count} entries or more)"), limit: MAX_ENTRIES as u64 });
        }
        let raw = entry.path().map_err(|e| BundleError::UnsafePath(format!("unreadable entry name: {e}")))?.into_owned();
        let rel = safe_path(&raw)?;
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(BundleError::UnsafePath(format!("{}: a link or special file; a bundle holds only regular files", raw.display())));
        }
        let Some(rel) = rel else {
            return Err(BundleError::UnsafePath(format!("{}: outside the {TOP}/ folder", raw.display())));
        };
        let size = entry.header().size().map_err(classify)?;
        if size > MAX_ENTRY_BYTES {
            return Err(BundleError::TooLarge { file: rel, limit: MAX_ENTRY_BYTES });
        }
        let mut data = Vec::new();
        (&mut entry).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut data).map_err(classify)?;
        if data.len() as u64 != size {
            return Err(BundleError::Truncated(format!("{rel}: {} of {size} bytes present", data.len())));
        }
        total += size;
        if total > MAX_TOTAL_BYTES {
            return Err(BundleError::TooLarge { file: "the archive".into(), limit: MAX_TOTAL_BYTES });
        }
        if files.insert(rel.clone(), data).is_some() {
            return Err(BundleError::Corrupt(format!("{rel} appears twice")));
        }
    }
    // The tar reader stops at the end-of-archive marker; read the gzip stream to its
    // end so its CRC and length are checked too (a cap keeps junk from going on).
    let mut rest = archive.into_inner().take(MAX_TOTAL_BYTES);
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(classify)?;
    Ok(files)
}

/// The entry's path under the top folder (None for the top folder itself or a path
/// elsewhere); an error for anything that could escape a folder when extracted.
fn safe_path(raw: &Path) -> Result<Option<String>, BundleError> {
    let unsafe_path = |why: &str| BundleError::UnsafePath(format!("{}: {why}", raw.display()));
    let s = raw.to_str().ok_or_else(|| unsafe_path("the name is not UTF-8"))?;
    if s.starts_with('/') || s.contains('\\') || s.contains('\0') || s.contains(':') {
        return Err(unsafe_path("absolute or platform-specific path"));
    }
    let parts: Vec<&str> = s.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| *p == ".." || *p == ".") {
        return Err(unsafe_path("`..` or `.` in the path"));
    }
    match parts.split_first() {
        Some((top, rest)) if *top == TOP && !rest.is_empty() => Ok(Some(rest.join("/"))),
        Some((top, _)) if *top == TOP => Ok(None),
        _ => Ok(None),
    }
}

/// Sorts a read error into "cut short" and "damaged".
fn classify(e: std::io::Error) -> BundleError {
    let text = e.to_string();
    if e.kind() == std::io::ErrorKind::UnexpectedEof || text.contains("entire block") || text.contains("unexpected end") {
        BundleError::Truncated(text)
    } else {
        BundleError::Corrupt(text)
    }
}

impl OpenedBundle {
    /// A file's text, or an error naming it when absent or not UTF-8.
    pub fn text(&self, path: &str) -> Result<&str, BundleError> {
        let data = self.files.get(path).ok_or_else(|| BundleError::NotInBundle(format!("{path} is not in the bundle")))?;
        std::str::from_utf8(data).map_err(|_| BundleError::NotInBundle(format!("{path} is not UTF-8 text")))
    }

    pub fn snapshot_json(&self) -> Result<&str, BundleError> {
        self.text("snapshot.json")
    }

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
    fn entry_paths() {
        assert_eq!(safe_path(Path::new("fedcheck-bundle/report.json")).unwrap(), Some("report.json".into()));
        assert_eq!(safe_path(Path::new("fedcheck-bundle/")).unwrap(), None);
        assert_eq!(safe_path(Path::new("other/x")).unwrap(), None);
        for bad in
            ["/etc/passwd", "fedcheck-bundle/../x", "fedcheck-bundle/a/../../x", "fedcheck-bundle/./x", "C:/x", "fedcheck-bundle\\..\\x"]
        {
            assert!(matches!(safe_path(Path::new(bad)), Err(BundleError::UnsafePath(_))), "{bad}");
        }
    }

    #[test]
    fn garbage_is_not_a_bundle() {
        assert!(matches!(open_reader(&b"not a gzip stream at all"[..]), Err(BundleError::Corrupt(_))));
        assert!(open_reader(&b""[..]).is_err());
    }
}
