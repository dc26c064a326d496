//! `fedcheck collect microsoft`: the PowerShell export script (embedded from
//! `collect/collect-fedcheck.ps1`) and the import of the folder it writes.

use std::path::Path;

use super::CollectError;
use crate::evidence::kinds::{EvidenceKind, KINDS, STATIC_ROUTES};
use crate::exit::Exit;

/// The export script, as shipped in the repository.
pub const SCRIPT: &str = include_str!("../../collect/collect-fedcheck.ps1");

/// Files the script writes that no parser reads yet: kept for the ticket only.
const KEPT_ONLY: &[&str] = &["pools.txt", "certificates.txt", "versions.txt", "ocs-host-authorizations.txt", "ocs-domains.txt"];

/// The files the script writes, with the evidence kind each one fills
/// (`microsoft.evidence.<key>`); files without a kind are kept for the ticket only.
pub fn files() -> Vec<(&'static str, Option<&'static EvidenceKind>)> {
    let read = KINDS.iter().filter_map(|k| k.export_file.map(|f| (f, Some(*k))));
    read.chain(KEPT_ONLY.iter().map(|f| (*f, None))).collect()
}

/// What an import did: the exit (Ok, or Partial when a file the parsers need was
/// missing, unreadable or reported failed), each problem, and the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Ok or Partial.
    pub exit: Exit,
    /// One line per problem.
    pub problems: Vec<String>,
    /// What was imported, from where, into which inventory.
    pub summary: String,
}

/// Copy the script's folder into DIR/evidence/microsoft and write DIR/site.toml with
/// [microsoft.evidence] pointing at what the parsers read.
pub fn import(folder: &Path, inventory: &Path, out: &Path, force: bool) -> Result<ImportOutcome, CollectError> {
    let original = std::fs::read_to_string(inventory)
        .map_err(|e| CollectError::Inventory { path: inventory.to_path_buf(), message: format!("cannot read it: {e}") })?;
    if !folder.is_dir() {
        return Err(CollectError::Import(format!("{} is not a folder written by collect-fedcheck.ps1", folder.display())));
    }
    let dest = out.join("evidence").join("microsoft");
    if dest.exists() && !force {
        return Err(CollectError::Output { path: dest, message: "already holds an import; choose another folder or add --force".into() });
    }
    let manifest = std::fs::read(folder.join("manifest.txt")).ok().map(|b| crate::evidence::decode(&b));
    let platform = manifest.as_deref().and_then(|m| field(m, "Platform"));
    let mut entries: Vec<(&str, String)> = Vec::new();
    let files = files();
    let mut problems: Vec<String> = Vec::new();
    let mut copied = 0usize;
    for (name, kind) in &files {
        let src = folder.join(name);
        let Ok(bytes) = std::fs::read(&src) else { continue };
        let target = dest.join(name);
        std::fs::create_dir_all(&dest)
            .map_err(|e| CollectError::Output { path: dest.clone(), message: format!("cannot create it: {e}") })?;
        std::fs::write(&target, &bytes)
            .map_err(|e| CollectError::Output { path: target.clone(), message: format!("cannot write it: {e}") })?;
        copied += 1;
        let Some(kind) = kind else { continue };
        let text = crate::evidence::decode(&bytes);
        if text.trim().is_empty() {
            // The command ran and found nothing (e.g. no hosting provider): nothing to point at.
            continue;
        }
        match check(kind, &text) {
            Ok(()) => entries.push((kind.key, format!("evidence/microsoft/{name}"))),
            Err(e) => problems.push(format!("{name}: line {}: {}", e.line, e.message)),
        }
    }
    if let Some(m) = &manifest {
        for line in m.lines().filter(|l| l.trim_start().starts_with("File")) {
            if let Some(v) = line.split_once(':').map(|(_, v)| v.trim()) {
                if v.contains("; failed") {
                    problems.push(format!("the script reports: {v}"));
                }
            }
        }
        std::fs::create_dir_all(&dest)
            .map_err(|e| CollectError::Output { path: dest.clone(), message: format!("cannot create it: {e}") })?;
        let _ = std::fs::write(dest.join("manifest.txt"), m);
    } else {
        problems.push("manifest.txt is missing: was the whole folder copied?".into());
    }
    if copied == 0 {
        return Err(CollectError::Import(format!("{} holds none of the files collect-fedcheck.ps1 writes", folder.display())));
    }
    if !entries.iter().any(|(k, _)| *k == STATIC_ROUTES.key) {
        problems.push("no usable static routes (static-routes.txt)".into());
    }
    let site = super::rewrite::microsoft(&original, inventory, &entries)
        .map_err(|message| CollectError::Output { path: out.join("site.toml"), message })?;
    std::fs::create_dir_all(out)
        .map_err(|e| CollectError::Output { path: out.to_path_buf(), message: format!("cannot create it: {e}") })?;
    let site_path = out.join("site.toml");
    std::fs::write(&site_path, site)
        .map_err(|e| CollectError::Output { path: site_path.clone(), message: format!("cannot write it: {e}") })?;
    let summary = format!(
        "imported {copied} file(s) from {} ({}); {} evidence key(s) set in {}",
        folder.display(),
        platform.unwrap_or("platform not stated"),
        entries.len(),
        site_path.display()
    );
    Ok(ImportOutcome { exit: if problems.is_empty() { Exit::Ok } else { Exit::Partial }, problems, summary })
}

/// `Name : value` from the manifest.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
}

/// Read a file with the parser its kind is read with at audit time.
fn check(kind: &EvidenceKind, text: &str) -> Result<(), crate::evidence::ParseError> {
    // The script writes whole files: a cut one was damaged on the way.
    match (kind.check)(text)? {
        Some(c) => Err(crate::evidence::ParseError::new(c.line, c.reason)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(dir: &str, name: &str) -> String {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("collect/fixtures").join(dir).join(name);
        crate::evidence::decode(&std::fs::read(p).unwrap())
    }

    #[test]
    fn the_parsers_read_what_the_script_writes() {
        let routes = crate::evidence::static_routes::parse(&fixture("export-sfb", "static-routes.txt")).unwrap();
        assert_eq!(routes.routes.len(), 2);
        assert_eq!(routes.routes[0].identity.as_deref(), Some("Global"));
        assert_eq!(routes.routes[0].destination, "imp-rt.northwind.com");
        assert_eq!(routes.routes[1].identity.as_deref(), Some("Service:Registrar:sfbpool2.northwind.com"));
        for (name, kind) in files().into_iter().filter_map(|(n, k)| k.map(|k| (n, k))) {
            if let Ok(bytes) = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("collect/fixtures/export-sfb").join(name)) {
                check(kind, &crate::evidence::decode(&bytes)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            }
        }
        let ocs = crate::evidence::static_routes::parse(&fixture("export-ocs", "static-routes.txt")).unwrap();
        assert_eq!(ocs.routes.len(), 2);
        assert_eq!(ocs.routes[0].port, 5061);
        assert_eq!(ocs.routes[1].destination, "10.40.1.21");
    }

    #[test]
    fn the_script_is_powershell_2_compatible() {
        let code: String = SCRIPT.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
        assert!(!code.contains("ConvertTo-Json"), "PowerShell 2.0 has no ConvertTo-Json");
        assert!(!code.contains("[ordered]"), "PowerShell 2.0 has no [ordered]");
        for needed in [
            "Get-CsStaticRoutingConfiguration",
            "Get-CsHostingProvider",
            "Get-CsTrustedApplicationPool",
            "Get-CsTrustedApplication",
            "Get-CsHostedVoicemailPolicy",
            "Get-CsPool",
            "Get-CsCertificate",
            "MSFT_SIPRoutingTableData",
            "MSFT_SIPRemoteAddressData",
            "MSFT_SIPDomainData",
            "-Encoding UTF8 -Width 4096",
            "manifest.txt",
        ] {
            assert!(SCRIPT.contains(needed), "the script uses {needed}");
        }
        for (name, _) in files() {
            assert!(SCRIPT.contains(name), "the script writes {name}");
        }
    }

    #[test]
    fn import_points_the_inventory_at_the_export() {
        let dir = tempfile::tempdir().unwrap();
        let inv = dir.path().join("site.toml");
        std::fs::write(&inv, "[site]\nname = \"x\"\n\n[microsoft]\nplatform = \"sfb2015\"\n").unwrap();
        let out = dir.path().join("out");
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("collect/fixtures/export-sfb");
        // The manifest reports a failed command: imported, but exit 5.
        assert_eq!(import(&folder, &inv, &out, false).unwrap().exit, Exit::Partial);
        let site: toml::Table = toml::from_str(&std::fs::read_to_string(out.join("site.toml")).unwrap()).unwrap();
        assert_eq!(site["microsoft"]["evidence"]["static_routes"].as_str(), Some("evidence/microsoft/static-routes.txt"));
        assert_eq!(site["microsoft"]["evidence"]["trusted_applications"].as_str(), Some("evidence/microsoft/trusted-applications.txt"));
        assert!(out.join("evidence/microsoft/pools.txt").exists());
        assert!(import(&folder, &inv, &out, false).is_err(), "a second import needs --force");
        let ocs = Path::new(env!("CARGO_MANIFEST_DIR")).join("collect/fixtures/export-ocs");
        assert_eq!(import(&ocs, &inv, &dir.path().join("ocs"), false).unwrap().exit, Exit::Ok);
    }
}
