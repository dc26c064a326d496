//! Everything `fedcheck analyze` needs from a bundle, loaded under caps: the verified
//! files, the snapshot, and the inventory with its evidence, unpacked into a private
//! folder that is removed when the [`Analysis`] is dropped.

use super::{BundleError, OpenedBundle};
use crate::inventory::Loaded;
use crate::snapshot::Snapshot;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// snapshot.json larger than this is refused (a site of 1,000 peers writes a few MB).
pub const MAX_SNAPSHOT_BYTES: usize = 32 * 1024 * 1024;
/// DNS observations accepted in one snapshot.
pub const MAX_DNS_OBSERVATIONS: usize = 10_000;
/// Peer observations accepted in one snapshot.
pub const MAX_PEER_OBSERVATIONS: usize = 5_000;
/// Folder-name prefix of the unpacked inventory, in the system's temporary folder.
pub const EXTRACT_PREFIX: &str = "fedcheck-analyze-";
/// An unpacked folder older than this was left by a killed run and is removed.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// A bundle ready to judge.
#[derive(Debug)]
pub struct Analysis {
    /// The bundle, its files verified against the manifest.
    pub opened: OpenedBundle,
    /// The snapshot read from `snapshot.json`, within the observation caps.
    pub snapshot: Snapshot,
    /// The bundled inventory and its evidence, loaded from the unpacked folder.
    pub loaded: Loaded,
    /// Holds the unpacked inventory; removed on drop.
    dir: tempfile::TempDir,
}

impl Analysis {
    /// Where the inventory was unpacked (removed when `self` is dropped).
    pub fn folder(&self) -> &Path {
        self.dir.path()
    }
}

/// Opens the bundle at `path` and loads it for analysis.
pub fn load(path: &Path) -> Result<Analysis, BundleError> {
    sweep_stale(&std::env::temp_dir());
    let file = std::fs::File::open(path).map_err(BundleError::io(path))?;
    from_opened(super::read::open_checked(std::io::BufReader::new(file), precheck)?)
}

/// The same from the archive's bytes (tests and fuzzing).
pub fn load_bytes(bytes: &[u8]) -> Result<Analysis, BundleError> {
    from_opened(super::read::open_checked(bytes, precheck)?)
}

/// Sizes that loading would refuse anyway, refused before any digest is computed.
fn precheck(files: &BTreeMap<String, Vec<u8>>, manifest: &super::Manifest) -> Result<(), BundleError> {
    let too_large = |file: &str, limit: u64| BundleError::TooLarge { file: crate::escape::line(file), limit };
    for (path, data) in files {
        let len = data.len() as u64;
        if path == "snapshot.json" && len > MAX_SNAPSHOT_BYTES as u64 {
            return Err(too_large(path, MAX_SNAPSHOT_BYTES as u64));
        }
        let is_inventory = manifest.inventory.as_deref() == Some(path.as_str());
        if is_inventory && len > crate::fsread::INVENTORY_CAP {
            return Err(too_large(path, crate::fsread::INVENTORY_CAP));
        }
        if path.starts_with("inventory/") && len > crate::fsread::EVIDENCE_CAP {
            return Err(too_large(path, crate::fsread::EVIDENCE_CAP));
        }
    }
    Ok(())
}

fn from_opened(opened: OpenedBundle) -> Result<Analysis, BundleError> {
    let snapshot = snapshot(&opened)?;
    let dir = tempfile::Builder::new().prefix(EXTRACT_PREFIX).tempdir().map_err(BundleError::io(std::env::temp_dir()))?;
    let inventory = opened.extract_inventory(dir.path())?;
    // The bundle's inventory may name only files that came with it.
    let loaded = crate::inventory::load_confined(&inventory, dir.path()).map_err(|e| BundleError::Inventory(Box::new(e)))?;
    Ok(Analysis { opened, snapshot, loaded, dir })
}

/// snapshot.json, refused when larger than the caps before it is parsed whole.
fn snapshot(opened: &OpenedBundle) -> Result<Snapshot, BundleError> {
    let text = opened.snapshot_json()?;
    if text.len() > MAX_SNAPSHOT_BYTES {
        return Err(BundleError::TooLarge { file: "snapshot.json".into(), limit: MAX_SNAPSHOT_BYTES as u64 });
    }
    // Count first: this pass allocates nothing per observation.
    #[derive(serde::Deserialize)]
    struct Counts {
        #[serde(default)]
        dns: Vec<serde::de::IgnoredAny>,
        #[serde(default)]
        peers: Vec<serde::de::IgnoredAny>,
    }
    let counts: Counts = serde_json::from_str(text).map_err(|e| BundleError::Snapshot(e.to_string()))?;
    if counts.dns.len() > MAX_DNS_OBSERVATIONS {
        return Err(BundleError::Snapshot(format!(
            "{} DNS observations, more than the {MAX_DNS_OBSERVATIONS} a bundle may hold",
            counts.dns.len()
        )));
    }
    if counts.peers.len() > MAX_PEER_OBSERVATIONS {
        return Err(BundleError::Snapshot(format!(
            "{} peer observations, more than the {MAX_PEER_OBSERVATIONS} a bundle may hold",
            counts.peers.len()
        )));
    }
    // The schema is checked before the observations are read: their shape differs
    // between versions.
    Snapshot::from_json(text).map_err(|e| BundleError::Snapshot(e.to_string()))
}

/// Removes `fedcheck-analyze-*` folders older than an hour in `tmp`: left behind when
/// a run was killed before it could clean up. Best effort; errors are ignored.
pub fn sweep_stale(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| n.starts_with(EXTRACT_PREFIX)) {
            continue;
        }
        // Never follow a link: only a real folder of ours is removed.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else { continue };
        // Someone else's folder cannot be removed from a sticky /tmp anyway.
        if !meta.is_dir() {
            continue;
        }
        let old = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).is_some_and(|age| age > STALE_AFTER);
        if old {
            let path: PathBuf = entry.path();
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_folders_are_swept_and_fresh_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let stale = tmp.path().join(format!("{EXTRACT_PREFIX}old"));
        let fresh = tmp.path().join(format!("{EXTRACT_PREFIX}new"));
        let other = tmp.path().join("someone-else");
        for d in [&stale, &fresh, &other] {
            std::fs::create_dir_all(d.join("inner")).unwrap();
            std::fs::write(d.join("inner/f.txt"), "x").unwrap();
        }
        let old = SystemTime::now() - Duration::from_secs(7200);
        std::fs::File::open(&stale).unwrap().set_modified(old).unwrap();
        std::fs::File::open(&other).unwrap().set_modified(old).unwrap();
        sweep_stale(tmp.path());
        assert!(!stale.exists());
        assert!(fresh.exists());
        assert!(other.exists());
    }
}
