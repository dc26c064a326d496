//! `fedcheck collect microsoft`: the PowerShell export script (embedded from
//! `collect/collect-fedcheck.ps1`) and the import of the folder it writes.

use std::path::Path;

use super::{CollectError, MicrosoftArgs};

/// The export script, as shipped in the repository.
pub const SCRIPT: &str = include_str!("../../collect/collect-fedcheck.ps1");

/// The files the script writes and the inventory key each one fills
/// (`microsoft.evidence.<key>`); files without a key are kept for the ticket only.
pub const FILES: &[(&str, Option<&str>)] = &[
    ("static-routes.txt", Some("static_routes")),
    ("hosting-providers.txt", Some("hosting_providers")),
    ("trusted-application-pools.txt", Some("trusted_application_pools")),
    ("trusted-applications.txt", Some("trusted_applications")),
    ("hosted-voicemail-policies.txt", None),
    ("pools.txt", None),
    ("certificates.txt", None),
    ("versions.txt", None),
    ("ocs-static-routes.txt", Some("static_routes")),
    ("ocs-host-authorizations.txt", None),
    ("ocs-domains.txt", None),
];

pub fn run_cli(args: &MicrosoftArgs) -> anyhow::Result<i32> {
    if args.script {
        let mut out = std::io::stdout().lock();
        use std::io::Write;
        let _ = out.write_all(SCRIPT.as_bytes()).and_then(|()| out.flush());
        return Ok(0);
    }
    match (&args.import, &args.inventory, &args.output) {
        (Some(folder), Some(inv), Some(out)) => import(folder, inv, out, args.force).map_err(anyhow::Error::from),
        _ => Err(anyhow::anyhow!("give --script, or --import FOLDER with -i site.toml and -o DIR")),
    }
}

/// Copy the script's folder into DIR/evidence/microsoft and write DIR/site.toml with
/// [microsoft.evidence] pointing at what the parsers read. Exit 0 when every file the
/// parsers need was there and readable, 5 otherwise.
pub fn import(folder: &Path, inventory: &Path, out: &Path, force: bool) -> Result<i32, CollectError> {
    let _ = (folder, inventory, out, force);
    Err(CollectError::Import("import is not built yet".into()))
}
