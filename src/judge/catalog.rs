//! The rule catalog: one TOML file per check family under `checks/`, embedded in the
//! binary and replaceable with `--rules DIR`, so a UC engineer can correct a title, a
//! fix or a data table without touching Rust.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The catalog files compiled into the binary.
const BUILTIN: &[(&str, &str)] = &[
    ("platform.toml", include_str!("../../checks/platform.toml")),
    ("sizing.toml", include_str!("../../checks/sizing.toml")),
    ("software.toml", include_str!("../../checks/software.toml")),
    ("clients.toml", include_str!("../../checks/clients.toml")),
    ("domains.toml", include_str!("../../checks/domains.toml")),
    ("dns.toml", include_str!("../../checks/dns.toml")),
    ("tls.toml", include_str!("../../checks/tls.toml")),
    ("certs.toml", include_str!("../../checks/certs.toml")),
    ("sip.toml", include_str!("../../checks/sip.toml")),
    ("imp.toml", include_str!("../../checks/imp.toml")),
    ("routes.toml", include_str!("../../checks/routes.toml")),
    ("routing-node.toml", include_str!("../../checks/routing-node.toml")),
    ("ha.toml", include_str!("../../checks/ha.toml")),
    ("change.toml", include_str!("../../checks/change.toml")),
];

/// What breaking a rule means by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A broken rule fails the audit.
    Fail,
    /// A broken rule is a warning.
    Warn,
    /// A broken rule is reported for information only.
    Info,
}

/// A check's catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    /// Stable id, `family.name` (e.g. `routing-node.services`).
    pub id: String,
    /// One line naming what is checked.
    pub title: String,
    /// The status a violation gets by default.
    pub severity: Severity,
    /// Why the rule matters: what breaks when it is broken.
    pub why: String,
    /// How to put it right.
    pub fix: String,
    /// Where the rule comes from: the vendor document's title, release, section and URL.
    pub source: String,
    /// Filled from the file's `family`.
    #[serde(skip_deserializing, default)]
    pub family: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyFile {
    family: String,
    #[serde(default)]
    checks: Vec<CheckMeta>,
    #[serde(default)]
    tables: toml::Table,
}

/// A catalog file that cannot be read or does not fit the catalog's shape.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogError {
    /// The file (or folder) at fault.
    pub file: String,
    /// What is wrong, with line and column when the TOML says.
    pub message: String,
}

/// The rule catalog: every check's words and the data tables, from `checks/*.toml`.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    checks: BTreeMap<String, CheckMeta>,
    tables: BTreeMap<String, toml::Value>,
    /// Where the catalog came from ("built-in" or a folder).
    pub origin: String,
    /// "sha256:" and the first 16 hex digits of a digest over every file's text.
    pub digest: String,
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Self::from_files(BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())), "built-in")
    }

    /// The built-in catalog with the `*.toml` files of a folder laid over it: a file
    /// replaces the built-in file of the same name (`sizing.toml`), a new name adds a
    /// family. So correcting one table takes one file.
    pub fn from_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let err = |message: String| CatalogError { file: dir.display().to_string(), message };
        let entries = std::fs::read_dir(dir).map_err(|e| err(format!("cannot read the rules folder: {e}")))?;
        let mut paths: Vec<PathBuf> =
            entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
        paths.sort();
        if paths.is_empty() {
            return Err(err("no *.toml catalog file in this folder".into()));
        }
        let mut files: Vec<(String, String, String)> =
            BUILTIN.iter().map(|(n, t)| (n.to_string(), format!("built-in {n}"), t.to_string())).collect();
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(|e| CatalogError { file: p.display().to_string(), message: e.to_string() })?;
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let shown = p.display().to_string();
            match files.iter_mut().find(|(n, _, _)| *n == name) {
                Some(slot) => *slot = (name, shown, text),
                None => files.push((name, shown, text)),
            }
        }
        Self::from_files(files.into_iter().map(|(_, shown, text)| (shown, text)), &format!("built-in, overridden by {}", dir.display()))
    }

    fn from_files(files: impl Iterator<Item = (String, String)>, origin: &str) -> Result<Catalog, CatalogError> {
        let mut cat = Catalog { origin: origin.to_string(), ..Default::default() };
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        for (name, text) in files {
            sha2::Digest::update(&mut hasher, text.as_bytes());
            let parsed: FamilyFile = toml::from_str(&text).map_err(|e| {
                let where_ = e
                    .span()
                    .map(|s| {
                        let (l, c) = crate::inventory::line_col(&text, s.start);
                        format!("{l}:{c}: ")
                    })
                    .unwrap_or_default();
                CatalogError { file: name.clone(), message: format!("{where_}{}", e.message().trim()) }
            })?;
            for mut meta in parsed.checks {
                if !meta.id.starts_with(&format!("{}.", parsed.family)) {
                    return Err(CatalogError {
                        file: name.clone(),
                        message: format!("check `{}` does not belong to family `{}`", meta.id, parsed.family),
                    });
                }
                meta.family = parsed.family.clone();
                if cat.checks.contains_key(&meta.id) {
                    return Err(CatalogError { file: name.clone(), message: format!("check `{}` is defined twice", meta.id) });
                }
                cat.checks.insert(meta.id.clone(), meta);
            }
            for (key, value) in parsed.tables {
                if cat.tables.insert(key.clone(), value).is_some() {
                    return Err(CatalogError { file: name.clone(), message: format!("table `{key}` is defined twice") });
                }
            }
        }
        let hash = sha2::Digest::finalize(hasher);
        cat.digest = format!("sha256:{}", crate::text::hex(&hash[..8.min(hash.len())]));
        Ok(cat)
    }

    /// The catalog entry of a check id.
    pub fn get(&self, id: &str) -> Option<&CheckMeta> {
        self.checks.get(id)
    }

    /// Every catalog entry, by id.
    pub fn checks(&self) -> impl Iterator<Item = &CheckMeta> {
        self.checks.values()
    }

    /// A data table, deserialized into the shape the check expects.
    pub fn table<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, TableError> {
        let value = self.tables.get(name).ok_or_else(|| TableError::Missing { name: name.to_string(), origin: self.origin.clone() })?;
        value
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| TableError::Malformed { name: name.to_string(), reason: e.message().trim().to_string() })
    }
}

/// Why a catalog data table cannot be read: a check that needs it cannot judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// No table of that name in the catalog in use.
    #[error("catalog table `{name}` is missing ({origin})")]
    Missing {
        /// The table's name.
        name: String,
        /// Where the catalog came from (built-in, or a `--rules` folder).
        origin: String,
    },
    /// The table exists but does not have the shape the check expects.
    #[error("catalog table `{name}` is malformed: {reason}")]
    Malformed {
        /// The table's name.
        name: String,
        /// What the TOML deserializer said.
        reason: String,
    },
}
