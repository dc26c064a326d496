//! Load every evidence file the inventory names, once, before any check runs.
//! A file that is missing or cannot be understood stops the run with its location:
//! judging a site from half-read evidence would give confident wrong answers.

use super::locate::Seg;
use super::model::Inventory;
use super::validate::Validator;
use super::InventoryError;
use crate::certinfo::TrustStore;
use crate::evidence::{self, kinds::EvidenceKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::evidence::kinds::{MicrosoftEvidence, NodeEvidenceSet};

/// Everything the evidence files say, keyed by node FQDN (lowercase).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSet {
    /// Each Cisco node's evidence, by lowercase FQDN.
    pub nodes: BTreeMap<String, NodeEvidenceSet>,
    /// The Microsoft side's evidence.
    pub microsoft: MicrosoftEvidence,
    /// Every evidence file read, relative to the inventory, with what it was read as.
    pub files: Vec<(PathBuf, String)>,
    /// CA certificates uploaded to IM&P (cup-trust).
    #[serde(skip)]
    pub cisco_trust: Option<TrustStore>,
    /// Roots the Microsoft servers trust.
    #[serde(skip)]
    pub microsoft_trust: Option<TrustStore>,
    /// IM&P's own certificate chain (the probes' client certificate), DER, leaf first.
    #[serde(skip)]
    pub cisco_cert: Option<Vec<Vec<u8>>>,
    /// The restart window's time zone, read once at load (time-zone data is a file).
    #[serde(skip)]
    pub restart_tz: Option<jiff::tz::TimeZone>,
}

impl EvidenceSet {
    /// A node's evidence, by FQDN in any case.
    pub fn node(&self, fqdn: &str) -> Option<&NodeEvidenceSet> {
        self.nodes.get(&fqdn.to_ascii_lowercase())
    }
}

struct Loader<'a> {
    v: Validator<'a>,
    base: &'a Path,
    files: Vec<(PathBuf, String)>,
}

/// The loader, reading the evidence table at `at` (`[cisco.nodes.N.evidence]` or
/// `[microsoft.evidence]`), so errors point at the key.
struct At<'l, 'a> {
    loader: &'l mut Loader<'a>,
    at: Vec<Seg<'static>>,
}

impl evidence::kinds::Reader for At<'_, '_> {
    type Error = InventoryError;

    fn read<T>(
        &mut self,
        kind: &'static EvidenceKind,
        rel: Option<&Path>,
        parse: fn(&str) -> Result<T, evidence::ParseError>,
    ) -> Result<Option<T>, InventoryError> {
        let Some(rel) = rel else { return Ok(None) };
        let mut at = self.at.clone();
        at.push(Seg::Key(kind.key));
        let l = &mut *self.loader;
        let what = kind.command();
        let full = l.base.join(rel);
        if !full.is_file() {
            return Err(l.v.error(
                &at,
                format!("evidence file `{}` does not exist (looked for {})", rel.display(), full.display()),
                Some("paths are relative to the inventory file".into()),
            ));
        }
        let parsed = evidence::load(&full, parse).map_err(|e| {
            let mut err = l.v.error(&at, format!("evidence `{}` ({what}) cannot be used: {}", rel.display(), e), None);
            err.hint = Some(format!("collect it again with `{what}` and save the whole output"));
            err
        })?;
        l.files.push((rel.to_path_buf(), what.to_string()));
        Ok(Some(parsed))
    }
}

pub(super) fn load(inv: &Inventory, text: &str, file: &Path, base: &Path) -> Result<EvidenceSet, InventoryError> {
    let mut l = Loader { v: Validator::new(text, file), base, files: Vec::new() };
    let mut set = EvidenceSet::default();
    for (i, node) in inv.cisco.nodes.iter().enumerate() {
        let mut at = At { loader: &mut l, at: vec![Seg::Key("cisco"), Seg::Key("nodes"), Seg::Index(i), Seg::Key("evidence")] };
        let parsed = NodeEvidenceSet::load(&node.evidence, &mut at)?;
        set.nodes.insert(node.fqdn.to_ascii_lowercase(), parsed);
    }
    let mut at = At { loader: &mut l, at: vec![Seg::Key("microsoft"), Seg::Key("evidence")] };
    set.microsoft = MicrosoftEvidence::load(&inv.microsoft.evidence, &mut at)?;
    set.files = l.files;
    let store = |key: &'static str, side: &'static str, p: &Option<PathBuf>| -> Result<Option<TrustStore>, InventoryError> {
        let Some(p) = p else { return Ok(None) };
        TrustStore::load(&base.join(p))
            .map(Some)
            .map_err(|e| l.v.error(&[Seg::Key(side), Seg::Key(key)], format!("trust store `{}` cannot be used: {e}", p.display()), None))
    };
    set.cisco_trust = store("trust_store", "cisco", &inv.cisco.trust_store)?;
    set.microsoft_trust = store("trust_store", "microsoft", &inv.microsoft.trust_store)?;
    if let Some(p) = &inv.cisco.client_cert {
        let text = crate::fsread::read_capped_text(&base.join(p), crate::fsread::CERT_CAP).map_err(|e| {
            l.v.error(&[Seg::Key("cisco"), Seg::Key("client_cert")], format!("cannot read `{}`: {}", p.display(), e.reason()), None)
        })?;
        let ders = crate::certinfo::pem_to_ders(&text)
            .map_err(|e| l.v.error(&[Seg::Key("cisco"), Seg::Key("client_cert")], format!("`{}`: {e}", p.display()), None))?;
        set.cisco_cert = Some(ders);
    }
    if let Some(w) = &inv.change.restart_window {
        // Validation already proved the name resolves.
        set.restart_tz = jiff::tz::TimeZone::get(&w.timezone).ok();
    }
    Ok(set)
}
