//! The support bundle: one `.tar.gz` a customer attaches to a ticket, and that
//! `fedcheck analyze` opens again to judge the snapshot offline with newer rules.
//!
//! Layout, under a top folder `fedcheck-bundle/`:
//!
//! | path | what |
//! | --- | --- |
//! | `report.json`, `report.html`, `report.md` | the reports of the run (html/md when given) |
//! | `snapshot.json` | every observation, for re-analysis |
//! | `inventory/<inventory file>` | the inventory, secrets redacted; `client_key` commented out |
//! | `inventory/<evidence paths>` | every evidence file read, at its path relative to the inventory, redacted |
//! | `inventory/<trust stores>` | the CA certificates of both sides (public, copied as they are) |
//! | `inventory/external/<n>/…` | files the inventory named outside its folder; the bundled inventory points there |
//! | `chains/*.pem` | peer certificate chains captured by the probes |
//! | `host.json` | facts about the host that ran fedcheck |
//! | `redactions.json` | `[{file, line, rule, token}]`: where something was removed, never what |
//! | `manifest.json` | size and SHA-256 of every other file |
//!
//! A private key never enters a bundle: the file named by `[cisco] client_key` is
//! never read, and any file that still holds a PEM private-key block (redaction off, a
//! key pasted into a chain or a trust store) is replaced by `<path>.withheld.txt`.
//!
//! Re-analysis: the bundled inventory has `client_key` commented out
//! (recorded in `redactions.json` as `client-key-withheld`), so
//! [`OpenedBundle::extract_inventory`] followed by [`crate::inventory::load`] works
//! without the key; the client certificate file itself is still bundled when it holds
//! no key.

pub mod analysis;
mod hostfacts;
mod read;
pub mod redact;
mod untar;
mod write;

pub use hostfacts::HostFacts;
pub use read::{open, open_reader, OpenedBundle};
pub use redact::{Redaction, Redactor};
pub use untar::EXT_HEADER_CAP;
pub use write::write;

use crate::inventory::Loaded;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The schema name written into every `manifest.json`.
pub const MANIFEST_SCHEMA: &str = "fedcheck.bundle/v1";
/// Every path in the archive lives under this folder.
pub const TOP: &str = "fedcheck-bundle";
/// The name of the manifest file at the top of the bundle.
pub const MANIFEST: &str = "manifest.json";
/// One file larger than this is refused when opening (a bomb, not a bundle).
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;
/// All files together larger than this are refused when opening (everything is held
/// in memory, and analyze must stay well under 512 MB).
pub const MAX_TOTAL_BYTES: u64 = 128 * 1024 * 1024;
/// More entries than this are refused when opening.
pub const MAX_ENTRIES: usize = 20_000;

/// What goes into a bundle. The reports and snapshot are already rendered by the
/// caller; the bundle only stores (and redacts) them.
#[derive(Debug, Clone)]
pub struct BundleInput<'a> {
    /// The loaded inventory whose files are bundled.
    pub loaded: &'a Loaded,
    /// The rendered reports by their file name in the bundle (`report.json` first:
    /// `analyze` needs it; `report.html`, `report.md` as the outputs' table gives them).
    pub reports: Vec<(String, String)>,
    /// The snapshot as JSON, stored as `snapshot.json`.
    pub snapshot_json: String,
    /// (file name such as `fe1.example.com_5061.pem`, PEM text).
    pub chains_pem: Vec<(String, String)>,
    /// The command line fedcheck was invoked with, recorded in `host.json`.
    pub command_line: Vec<String>,
    /// Redact secrets (the default). Off keeps evidence verbatim, but a private key
    /// is withheld either way.
    pub redact: bool,
}

/// What [`write`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleSummary {
    /// Where the bundle was written.
    pub path: PathBuf,
    /// Files in the archive, manifest included.
    pub files: usize,
    /// Size of the archive on disk.
    pub bytes: u64,
    /// Entries in `redactions.json` (replaced values and withheld files or lines).
    pub redactions: usize,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// When the bundle was written (RFC 3339 timestamp, whole seconds).
    pub created_at: String,
    /// The fedcheck version that wrote the bundle.
    pub tool_version: String,
    /// Whether secrets were redacted.
    #[serde(default)]
    pub redacted: bool,
    /// The inventory file inside the bundle, e.g. `inventory/site.toml`.
    #[serde(default)]
    pub inventory: Option<String>,
    /// Things a reader should know: withheld files, paths rewritten.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Every other file of the bundle, with its size and digest.
    pub files: Vec<ManifestEntry>,
}

/// One file of the bundle as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Relative to the bundle's top folder.
    pub path: String,
    /// The file's size in bytes.
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// Why a bundle cannot be written or opened.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Reading or writing a file on disk failed.
    // The I/O error is part of the message, not a separate cause, so it prints once.
    #[error("{path}: {error}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// The archive stops before its end.
    #[error("the archive ends early (cut short while copying or uploading?): {0}")]
    Truncated(String),
    /// The archive is not a well-formed .tar.gz (bad header, data after the end, a
    /// duplicate entry…).
    #[error("the archive is damaged or not a .tar.gz: {0}")]
    Corrupt(String),
    /// `manifest.json` is missing, unreadable, of another schema, or lists a file twice.
    #[error("manifest.json: {0}")]
    Manifest(String),
    /// A file does not match the manifest (missing, other size or digest, not listed).
    #[error("{file}: {reason} — the bundle was modified or damaged")]
    Tampered {
        /// The file that does not match.
        file: String,
        /// How it differs from the manifest.
        reason: String,
    },
    /// A file, or the archive as a whole, is over one of the size or count caps.
    #[error("{file}: larger than the {limit} bytes a bundle may hold")]
    TooLarge {
        /// What is too large: a file's path or a description such as "the archive".
        file: String,
        /// The cap it passed.
        limit: u64,
    },
    /// An entry that could escape its folder when extracted: an absolute path, `..`,
    /// control characters, a name outside the top folder, a link or special file.
    #[error("unsafe path in the archive: {0}")]
    UnsafePath(String),
    /// A file that was needed is absent from the bundle (or is not UTF-8 text).
    #[error("{0}")]
    NotInBundle(String),
    /// `snapshot.json` cannot be read as a snapshot.
    #[error("snapshot.json: {0}")]
    Snapshot(String),
    /// The bundled inventory does not load.
    #[error("the bundled inventory: {0}")]
    Inventory(Box<crate::inventory::InventoryError>),
    /// Redacting a file broke it (a JSON file that no longer parses).
    #[error("{file}: redaction failed: {reason}")]
    Redaction {
        /// The file being redacted.
        file: String,
        /// What went wrong.
        reason: String,
    },
}

impl BundleError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BundleError {
        let path = path.into();
        move |error| BundleError::Io { path, error }
    }
}

/// Lowercase hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::text::hex(&Sha256::digest(data))
}
