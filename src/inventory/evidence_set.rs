//! Load every evidence file the inventory names, once, before any check runs.
//! A file that is missing or cannot be understood stops the run with its location:
//! judging a site from half-read evidence would give confident wrong answers.

use super::locate::Seg;
use super::model::Inventory;
use super::validate::Validator;
use super::InventoryError;
use crate::certinfo::TrustStore;
use crate::evidence::{
    self, hardware, hosted_voicemail, hosting_provider, network_cluster, service_list, static_routes, status, tls_min_version, trusted_app,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Parsed evidence for one Cisco node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeEvidenceSet {
    /// `utils service list`, parsed.
    pub service_list: Option<service_list::ServiceList>,
    /// `show hardware`, parsed.
    pub hardware: Option<hardware::Hardware>,
    /// `show status`, parsed.
    pub status: Option<status::Status>,
    /// `show network cluster`, parsed.
    pub network_cluster: Option<network_cluster::Cluster>,
    /// `show tls min-version`, parsed.
    #[serde(default)]
    pub tls_min_version: Option<tls_min_version::TlsMinVersion>,
}

/// Parsed evidence from the Microsoft side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MicrosoftEvidence {
    /// `Get-CsStaticRoutingConfiguration` routes, parsed.
    pub static_routes: Option<static_routes::StaticRoutes>,
    /// `Get-CsHostingProvider`, parsed.
    pub hosting_providers: Option<evidence::Records<hosting_provider::HostingProvider>>,
    /// `Get-CsTrustedApplicationPool`, parsed.
    pub trusted_application_pools: Option<evidence::Records<trusted_app::TrustedApplicationPool>>,
    /// `Get-CsTrustedApplication`, parsed.
    pub trusted_applications: Option<evidence::Records<trusted_app::TrustedApplication>>,
    /// `Get-CsHostedVoicemailPolicy`, parsed.
    #[serde(default)]
    pub hosted_voicemail_policies: Option<evidence::Records<hosted_voicemail::HostedVoicemailPolicy>>,
}

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

impl Loader<'_> {
    fn read<T>(
        &mut self,
        at: &[Seg<'_>],
        rel: Option<&Path>,
        what: &str,
        parse: fn(&str) -> Result<T, evidence::ParseError>,
    ) -> Result<Option<T>, InventoryError> {
        let Some(rel) = rel else { return Ok(None) };
        let full = self.base.join(rel);
        if !full.is_file() {
            return Err(self.v.error(
                at,
                format!("evidence file `{}` does not exist (looked for {})", rel.display(), full.display()),
                Some("paths are relative to the inventory file".into()),
            ));
        }
        let parsed = evidence::load(&full, parse).map_err(|e| {
            let mut err = self.v.error(at, format!("evidence `{}` ({what}) cannot be used: {}", rel.display(), e), None);
            err.hint = Some(format!("collect it again with `{what}` and save the whole output"));
            err
        })?;
        self.files.push((rel.to_path_buf(), what.to_string()));
        Ok(Some(parsed))
    }
}

pub(super) fn load(inv: &Inventory, text: &str, file: &Path, base: &Path) -> Result<EvidenceSet, InventoryError> {
    let mut l = Loader { v: Validator::new(text, file), base, files: Vec::new() };
    let mut set = EvidenceSet::default();
    for (i, node) in inv.cisco.nodes.iter().enumerate() {
        let e = &node.evidence;
        let at = |k: &'static str| [Seg::Key("cisco"), Seg::Key("nodes"), Seg::Index(i), Seg::Key("evidence"), Seg::Key(k)];
        let parsed = NodeEvidenceSet {
            service_list: l.read(&at("service_list"), e.service_list.as_deref(), "utils service list", evidence::soap::service_list_any)?,
            hardware: l.read(&at("hardware"), e.hardware.as_deref(), "show hardware", evidence::soap::hardware_any)?,
            status: l.read(&at("status"), e.status.as_deref(), "show status", evidence::soap::status_any)?,
            network_cluster: l.read(
                &at("network_cluster"),
                e.network_cluster.as_deref(),
                "show network cluster",
                evidence::soap::cluster_any,
            )?,
            tls_min_version: l.read(
                &at("tls_min_version"),
                e.tls_min_version.as_deref(),
                "show tls min-version",
                tls_min_version::parse,
            )?,
        };
        set.nodes.insert(node.fqdn.to_ascii_lowercase(), parsed);
    }
    let ms = &inv.microsoft.evidence;
    let at = |k: &'static str| [Seg::Key("microsoft"), Seg::Key("evidence"), Seg::Key(k)];
    set.microsoft = MicrosoftEvidence {
        static_routes: l.read(
            &at("static_routes"),
            ms.static_routes.as_deref(),
            "Get-CsStaticRoutingConfiguration",
            static_routes::parse,
        )?,
        hosting_providers: l.read(
            &at("hosting_providers"),
            ms.hosting_providers.as_deref(),
            "Get-CsHostingProvider",
            hosting_provider::parse,
        )?,
        trusted_application_pools: l.read(
            &at("trusted_application_pools"),
            ms.trusted_application_pools.as_deref(),
            "Get-CsTrustedApplicationPool",
            trusted_app::parse_pools,
        )?,
        trusted_applications: l.read(
            &at("trusted_applications"),
            ms.trusted_applications.as_deref(),
            "Get-CsTrustedApplication",
            trusted_app::parse_applications,
        )?,
        hosted_voicemail_policies: l.read(
            &at("hosted_voicemail_policies"),
            ms.hosted_voicemail_policies.as_deref(),
            "Get-CsHostedVoicemailPolicy",
            hosted_voicemail::parse,
        )?,
    };
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
