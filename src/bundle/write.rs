//! Writing a bundle: gather the files, redact them, checksum them, pack them.

use super::redact::{self, Redactor};
use super::{
    hostfacts, sha256_hex, BundleError, BundleInput, BundleSummary, Manifest, ManifestEntry, MANIFEST, MANIFEST_SCHEMA, MAX_ENTRY_BYTES,
    TOP,
};
use crate::inventory::{Inventory, Loaded};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// File extensions a trust-store folder's certificates carry (as the loader reads them).
const CERT_EXTENSIONS: [&str; 4] = ["pem", "crt", "cer", "der"];

/// Writes the bundle to `out` (through a temporary file in the same folder, renamed
/// at the end, so a half-written bundle never carries the final name).
pub fn write(input: &BundleInput, out: &Path) -> Result<BundleSummary, BundleError> {
    // Whole seconds, rounded down: a timestamp in the future makes `tar` complain.
    let now = jiff::Timestamp::now();
    let now = jiff::Timestamp::from_second(now.as_second()).unwrap_or(now);
    let mut c = Collector { redact: input.redact, redactor: Redactor::new(), files: Vec::new(), notes: Vec::new() };
    let inventory = c.inventory(input.loaded)?;
    if !input.reports.iter().any(|(name, _)| name == "report.json") {
        return Err(BundleError::NotInBundle("report.json: no JSON report was given to bundle (`analyze` needs it)".into()));
    }
    for (name, text) in &input.reports {
        // Report names come from the outputs' table: plain names, never paths.
        c.text(&safe_file_name(name), text, name.ends_with(".json"))?;
    }
    c.text("snapshot.json", &input.snapshot_json, true)?;
    for (name, pem) in &input.chains_pem {
        let path = c.unique(&format!("chains/{}", safe_file_name(name)));
        c.certificate(&path, pem.as_bytes());
    }
    let facts = hostfacts::collect(command_line(&input.command_line));
    let facts = serde_json::to_string_pretty(&facts).unwrap_or_else(|_| "{}".into());
    c.text("host.json", &facts, true)?;
    let redactions = serde_json::to_string_pretty(c.redactor.records()).unwrap_or_else(|_| "[]".into());
    let redaction_count = c.redactor.records().len();
    c.add("redactions.json", redactions.into_bytes());

    // Reports first, so `tar tzf` shows what matters most at the top.
    c.files.sort_by_key(|(path, _)| rank(path));
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.into(),
        created_at: now.to_string(),
        tool_version: crate::version::VERSION.into(),
        redacted: input.redact,
        inventory: Some(inventory),
        notes: c.notes.clone(),
        files: c
            .files
            .iter()
            .map(|(path, data)| ManifestEntry { path: path.clone(), size: data.len() as u64, sha256: sha256_hex(data) })
            .collect(),
    };
    let manifest = serde_json::to_string_pretty(&manifest).unwrap_or_else(|_| "{}".into());
    c.files.push((MANIFEST.into(), manifest.into_bytes()));

    let mtime = u64::try_from(now.as_second()).unwrap_or(0);
    let bytes = pack(&c.files, mtime, out)?;
    Ok(BundleSummary { path: out.to_path_buf(), files: c.files.len(), bytes, redactions: redaction_count })
}

/// Where a file sorts in the archive (stable within a rank).
fn rank(path: &str) -> u8 {
    match path {
        "report.json" | "report.html" | "report.md" => 0,
        "snapshot.json" => 1,
        "host.json" => 4,
        "redactions.json" => 5,
        p if p.starts_with("inventory/") => 2,
        _ => 3,
    }
}

/// The files of the bundle being assembled, with their paths under the top folder.
struct Collector {
    redact: bool,
    redactor: Redactor,
    files: Vec<(String, Vec<u8>)>,
    notes: Vec<String>,
}

impl Collector {
    fn has(&self, path: &str) -> bool {
        self.files.iter().any(|(p, _)| p == path)
    }

    /// Adds a file; a path already present (one evidence file named twice) is kept once.
    fn add(&mut self, path: &str, data: Vec<u8>) {
        if !self.has(path) {
            self.files.push((path.to_string(), data));
        }
    }

    /// `path`, or `path` with `-2`, `-3`… before its extension when already taken.
    fn unique(&self, path: &str) -> String {
        if !self.has(path) {
            return path.to_string();
        }
        let (stem, ext) = match path.rfind('.') {
            Some(dot) if dot > path.rfind('/').map_or(0, |s| s + 1) => path.split_at(dot),
            _ => (path, ""),
        };
        (2..).map(|n| format!("{stem}-{n}{ext}")).find(|p| !self.has(p)).unwrap_or_else(|| path.to_string())
    }

    /// Replaces a file by a note saying why it is not in the bundle.
    fn withhold(&mut self, path: &str, line: usize, rule: &str, why: &str) {
        let note = format!(
            "{path} was withheld from this support bundle: {why}.\n\
             fedcheck never puts private keys into a bundle.\n"
        );
        let note_path = format!("{path}.withheld.txt");
        self.redactor.note(path, line, rule);
        self.notes.push(format!("{path} withheld: {why}"));
        self.add(&note_path, note.into_bytes());
    }

    /// Adds a text file, redacted when redaction is on. A JSON file must still parse
    /// afterwards; a file still holding a private key is withheld.
    fn text(&mut self, path: &str, text: &str, json: bool) -> Result<(), BundleError> {
        let out = if self.redact {
            let out = self.redactor.redact(path, text);
            if json && serde_json::from_str::<serde_json::Value>(text).is_ok() && serde_json::from_str::<serde_json::Value>(&out).is_err() {
                return Err(BundleError::Redaction {
                    file: path.into(),
                    reason: "the redacted JSON no longer parses (please report this)".into(),
                });
            }
            out
        } else {
            text.to_string()
        };
        let data = out.as_bytes().to_vec();
        self.keep_unless_key(path, data, &out);
        Ok(())
    }

    /// Adds `data` unless `text` (its decoded form) holds a private key.
    fn keep_unless_key(&mut self, path: &str, data: Vec<u8>, text: &str) {
        match redact::private_key_blocks(text).first() {
            Some(&(start, _)) => {
                let line = redact::line_of(text, start);
                self.withhold(path, line, redact::PRIVATE_KEY_RULE, "it holds a private key");
            }
            None => self.add(path, data),
        }
    }

    /// Adds a certificate file (trust store, chain, client certificate) verbatim:
    /// certificates are public. Anything holding a private key, or that is not a
    /// certificate at all, is withheld.
    fn certificate(&mut self, path: &str, data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        if let Some(&(start, _)) = redact::private_key_blocks(&text).first() {
            let line = redact::line_of(&text, start);
            self.withhold(path, line, redact::PRIVATE_KEY_RULE, "it holds a private key");
        } else if !text.contains("-----BEGIN ") && x509_parser::parse_x509_certificate(data).is_err() {
            self.withhold(path, 0, "not-a-certificate", "it is neither PEM nor a DER certificate");
        } else {
            self.add(path, data.to_vec());
        }
    }

    /// The inventory, its evidence, trust stores and client certificate. Returns the
    /// inventory's path inside the bundle.
    fn inventory(&mut self, loaded: &Loaded) -> Result<String, BundleError> {
        let inv = &loaded.inventory;
        let base = &loaded.base_dir;
        let name = loaded.path.file_name().map(|n| safe_file_name(&n.to_string_lossy())).unwrap_or_else(|| "inventory.toml".into());
        let inv_path = format!("inventory/{name}");
        let key = inv.cisco.client_key.as_ref().map(|k| base.join(k));
        let key_canonical = key.as_ref().and_then(|k| std::fs::canonicalize(k).ok());
        let is_key = |p: &Path| key.as_deref() == Some(p) || key_canonical.is_some() && std::fs::canonicalize(p).ok() == key_canonical;

        // Decide every file's place first: the inventory text is rewritten to match.
        let mut placer = Placer::default();
        let evidence: Vec<(PathBuf, String)> = loaded.evidence.files.iter().map(|(rel, _)| (rel.clone(), placer.place(rel))).collect();
        let stores: Vec<(PathBuf, String)> = [&inv.cisco.trust_store, &inv.microsoft.trust_store]
            .into_iter()
            .flatten()
            .map(|rel| (rel.clone(), placer.place(rel)))
            .collect();
        let client_cert = inv.cisco.client_cert.as_ref().map(|rel| (rel.clone(), placer.place(rel)));

        // The inventory first, so its secrets get the lowest token numbers.
        let raw = read_capped(&loaded.path)?;
        let text = crate::evidence::decode(&raw);
        let (text, withheld_lines) = comment_out_client_credentials(&text);
        for line in withheld_lines {
            self.redactor.note(&inv_path, line, "client-key-withheld");
        }
        let text = placer.rewrite(&text, &mut self.notes);
        self.text(&inv_path, &text, false)?;
        if let Some((_, bundled)) = self.files.iter().find(|(p, _)| *p == inv_path) {
            let bundled = String::from_utf8_lossy(bundled);
            match toml::from_str::<Inventory>(&bundled) {
                Ok(i) if i.cisco.client_key.is_none() => {}
                Ok(_) => self.notes.push(format!("{inv_path} still names client_key; remove it before loading it")),
                Err(e) => self.notes.push(format!("{inv_path} does not parse on its own after redaction: {}", e.message())),
            }
        }

        for (rel, dest) in evidence {
            let path = format!("inventory/{dest}");
            let full = base.join(&rel);
            if is_key(&full) {
                self.withhold(&path, 0, "client-key-withheld", "it is the client private key");
                continue;
            }
            let raw = read_capped(&full)?;
            if self.redact {
                let json = rel.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
                self.text(&path, &crate::evidence::decode(&raw), json)?;
            } else {
                // Kept byte for byte (a UTF-16 capture stays UTF-16).
                let text = crate::evidence::decode(&raw);
                self.keep_unless_key(&path, raw, &text);
            }
        }
        // A site written by `fedcheck collect imp` keeps its record of the collection
        // (who was asked what, TLS verification, failures) beside the inventory.
        let record = base.join("collect.json");
        if record.is_file() && !self.has("inventory/collect.json") {
            let raw = read_capped(&record)?;
            self.text("inventory/collect.json", &crate::evidence::decode(&raw), true)?;
        }
        for (rel, dest) in stores {
            let full = base.join(&rel);
            let meta = std::fs::metadata(&full).map_err(BundleError::io(&full))?;
            if meta.is_dir() {
                for file in cert_files_in(&full)? {
                    let file_name = file.file_name().map(|n| safe_file_name(&n.to_string_lossy())).unwrap_or_default();
                    let path = format!("inventory/{dest}/{file_name}");
                    if is_key(&file) {
                        self.withhold(&path, 0, "client-key-withheld", "it is the client private key");
                    } else {
                        let data = read_capped(&file)?;
                        self.certificate(&path, &data);
                    }
                }
            } else {
                let path = format!("inventory/{dest}");
                if is_key(&full) {
                    self.withhold(&path, 0, "client-key-withheld", "it is the client private key");
                } else {
                    let data = read_capped(&full)?;
                    self.certificate(&path, &data);
                }
            }
        }
        if let Some((rel, dest)) = client_cert {
            let full = base.join(&rel);
            let path = format!("inventory/{dest}");
            if is_key(&full) {
                self.withhold(&path, 0, "client-key-withheld", "it is the client private key");
            } else if full.is_file() {
                let data = read_capped(&full)?;
                self.certificate(&path, &data);
            }
        }
        Ok(inv_path)
    }
}

/// Where files named by the inventory go inside `inventory/`: at their relative path
/// when it stays inside the inventory's folder, else under `external/<n>/`, with the
/// inventory rewritten to point there.
#[derive(Default)]
struct Placer {
    external: Vec<(PathBuf, String)>,
}

impl Placer {
    fn place(&mut self, rel: &Path) -> String {
        if let Some(clean) = clean_relative(rel) {
            return clean;
        }
        if let Some((_, dest)) = self.external.iter().find(|(p, _)| p == rel) {
            return dest.clone();
        }
        let name = rel.file_name().map(|n| safe_file_name(&n.to_string_lossy())).unwrap_or_else(|| "file".into());
        let dest = format!("external/{}/{name}", self.external.len() + 1);
        self.external.push((rel.to_path_buf(), dest.clone()));
        dest
    }

    /// Points the inventory's strings at the external files' new places.
    fn rewrite(&self, text: &str, notes: &mut Vec<String>) -> String {
        let mut text = text.to_string();
        for (orig, dest) in &self.external {
            let orig = orig.to_string_lossy();
            let forms = [format!("\"{}\"", orig.replace('\\', "\\\\").replace('"', "\\\"")), format!("'{orig}'")];
            let mut found = false;
            for form in &forms {
                if text.contains(form.as_str()) {
                    text = text.replace(form.as_str(), &format!("\"{dest}\""));
                    found = true;
                }
            }
            notes.push(if found {
                format!("`{orig}` lies outside the inventory's folder: bundled as inventory/{dest}")
            } else {
                format!(
                    "`{orig}` lies outside the inventory's folder: bundled as inventory/{dest}; \
                     edit the bundled inventory to point there"
                )
            });
        }
        text
    }
}

/// `a/b/c.txt` for a relative path that stays inside its folder; None otherwise.
fn clean_relative(p: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => {
                let s = s.to_str()?;
                if s.contains('\\') || s.contains(':') {
                    return None;
                }
                parts.push(s);
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A file name safe on every platform: letters, digits, `.`, `-`, `_`; never hidden.
fn safe_file_name(name: &str) -> String {
    let mut s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if s.starts_with('.') || s.is_empty() {
        s.insert(0, '_');
    }
    s
}

/// The command line as one string, arguments with spaces or quotes shown quoted.
fn command_line(args: &[String]) -> String {
    args.iter()
        .map(
            |a| {
                if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                    format!("{a:?}")
                } else {
                    a.clone()
                }
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// Comments out the `client_key` line: the key never travels. The certificate is
/// public and stays, so a re-analysis judges it as the live run did.
/// Returns the new text and the 1-based lines commented out.
fn comment_out_client_credentials(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len() + 64);
    let mut lines = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let key = line.trim_start().trim_start_matches("cisco.").trim_start_matches(['"', '\'']);
        let names_credential = ["client_key"]
            .iter()
            .any(|k| key.strip_prefix(k).is_some_and(|rest| rest.trim_start_matches(['"', '\'']).trim_start().starts_with('=')));
        if names_credential {
            out.push_str("# [withheld by fedcheck bundle] ");
            lines.push(i + 1);
        }
        out.push_str(line);
    }
    (out, lines)
}

/// Reads a file, refusing one larger than a bundle entry may be.
fn read_capped(path: &Path) -> Result<Vec<u8>, BundleError> {
    let file = std::fs::File::open(path).map_err(BundleError::io(path))?;
    let mut data = Vec::new();
    file.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut data).map_err(BundleError::io(path))?;
    if data.len() as u64 > MAX_ENTRY_BYTES {
        return Err(BundleError::TooLarge { file: path.display().to_string(), limit: MAX_ENTRY_BYTES });
    }
    Ok(data)
}

/// Certificate files directly in a trust-store folder, in name order (hidden files,
/// sub-folders and other extensions skipped, as the trust-store loader does).
fn cert_files_in(dir: &Path) -> Result<Vec<PathBuf>, BundleError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(BundleError::io(dir))? {
        let path = entry.map_err(BundleError::io(dir))?.path();
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        let cert_ext = path.extension().is_some_and(|e| CERT_EXTENSIONS.iter().any(|c| e.to_string_lossy().eq_ignore_ascii_case(c)));
        if !hidden && cert_ext && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Writes the files as `TOP/<path>` entries of a .tar.gz at `out`; returns its size.
fn pack(files: &[(String, Vec<u8>)], mtime: u64, out: &Path) -> Result<u64, BundleError> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or_else(|| BundleError::Io {
        path: out.to_path_buf(),
        error: std::io::Error::new(std::io::ErrorKind::InvalidInput, "the output path names no file"),
    })?;
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let gz = flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        for (path, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(mtime);
            tar.append_data(&mut header, format!("{TOP}/{path}"), data.as_slice())?;
        }
        let gz = tar.into_inner()?;
        let mut buffered = gz.finish()?;
        buffered.flush()?;
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(BundleError::Io { path: out.to_path_buf(), error: e });
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        let _ = std::fs::remove_file(&tmp);
        return Err(BundleError::Io { path: out.to_path_buf(), error: e });
    }
    let meta = std::fs::metadata(out).map_err(BundleError::io(out))?;
    Ok(meta.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_credentials_are_commented_out() {
        let text = "[cisco]\nimp_version = \"14\"\nclient_cert = \"c.pem\"\n  client_key=\"c.key\"\nclient_keys_note = 1\n";
        let (out, lines) = comment_out_client_credentials(text);
        assert_eq!(lines, [4]);
        assert!(out.contains("\nclient_cert = \"c.pem\"\n"));
        assert!(out.contains("# [withheld by fedcheck bundle]   client_key=\"c.key\"\n"));
        assert!(out.contains("\nclient_keys_note = 1\n"));
    }

    #[test]
    fn paths_inside_and_outside_the_inventory_folder() {
        assert_eq!(clean_relative(Path::new("./evidence/ms/x.txt")).as_deref(), Some("evidence/ms/x.txt"));
        assert_eq!(clean_relative(Path::new("../shared/x.txt")), None);
        assert_eq!(clean_relative(Path::new("/etc/pki/roots.pem")), None);
        let mut p = Placer::default();
        assert_eq!(p.place(Path::new("../shared/x.txt")), "external/1/x.txt");
        assert_eq!(p.place(Path::new("/etc/pki/roots.pem")), "external/2/roots.pem");
        assert_eq!(p.place(Path::new("../shared/x.txt")), "external/1/x.txt");
        let mut notes = Vec::new();
        let text = p.rewrite("a = \"../shared/x.txt\"\nb = '/etc/pki/roots.pem'\n", &mut notes);
        assert_eq!(text, "a = \"external/1/x.txt\"\nb = \"external/2/roots.pem\"\n");
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn names_and_command_lines() {
        assert_eq!(safe_file_name("fe1.example.com_5061.pem"), "fe1.example.com_5061.pem");
        assert_eq!(safe_file_name("../x/y"), "_.._x_y");
        assert_eq!(safe_file_name(".hidden"), "_.hidden");
        assert_eq!(command_line(&["fedcheck".into(), "-i".into(), "my site.toml".into()]), "fedcheck -i \"my site.toml\"");
    }

    #[test]
    fn utf16_evidence_is_decoded() {
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain("Password : x\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(crate::evidence::decode(&le), "Password : x\r\n");
    }
}
