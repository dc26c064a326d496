//! Every secret form the redactor knows, planted in the inventory (as comments) and
//! in evidence (text and JSON), bundled with `fedcheck bundle`: no planted secret may
//! survive in any file of the archive, and `redactions.json` must list exactly the
//! replacements that were made, file by file.

use crate::util::{fedcheck, repo};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// A secret made of two searchable halves joined by characters that used to cut
/// values short (`<`, `\`, `;`, `,`, `'`).
fn secret(n: usize) -> (String, [String; 2]) {
    let a = format!("Sq{n:02}x");
    let b = format!("Zv{n:02}y");
    let joint = ["<", "\\", ";", ",", "'"][n % 5];
    (format!("{a}{joint}{b}"), [a, b])
}

/// Text lines with one secret each (`{}` is the secret). Some forms have no room
/// for every joint character (a word ends at a space, a quoted string at its quote).
const TEXT_FORMS: &[&str] = &[
    "$secure = ConvertTo-SecureString \"{}\" -AsPlainText -Force",
    "Import-PfxCertificate -FilePath c.pfx -Password (ConvertTo-SecureString -String \"{}\" -Force -AsPlainText)",
    "$c = New-Object System.Management.Automation.PSCredential(\"CORP\\svc\", (ConvertTo-SecureString \"{}\" -AsPlainText -Force))",
    "Import-PfxCertificate -FilePath c.pfx -Password {} -CertStoreLocation Cert:\\LocalMachine\\My",
    "openssl pkcs12 -export -in c.pem -passout pass:{} -out c.pfx",
    "openssl rsa -in k.pem -passin pass:{}",
    "certutil -f -p {} -importpfx c.pfx",
    "Community Name : {}",
    "rocommunity {} 10.0.0.0/8",
    "rwcommunity {}",
    "snmp community string {}",
    "snmp-server user u1 g1 v3 auth sha {} priv aes 128 PRIV{}",
    "password 0 {}",
    "password 7 {}",
    "enable secret 5 {}",
    "radius-server key {}",
    "tacacs-server key 7 {}",
    "key-string {}",
    "mysql -u root -p{} -h db1",
    "net use Z: \\\\fs1\\share {} /user:CORP\\bob",
    "Cookie: JSESSIONID={}; theme=dark",
    "Set-Cookie: sid={}; Path=/; HttpOnly",
    "login pass:{} ok",
    "login pw={} ok",
    "credentials: svc_user:{}",
    "Authorization: Digest username=\"bob\", realm=\"x\", response=\"{}\"",
    "Authorization: Basic {}",
    "Authorization: Bearer {}",
    "# PFX export password {}",
    "password = {}",
    "Password : {}",
];

/// JSON members with one secret each.
const JSON_KEYS: &[&str] = &["PreSharedKey", "sharedKey", "psk", "ApplicationKey", "PrivateKey", "CertificatePfxBase64", "Password"];

struct Planted {
    /// Every searchable half of every secret.
    halves: Vec<String>,
}

impl Planted {
    fn next(&mut self, n: &mut usize) -> String {
        *n += 1;
        let (s, halves) = secret(*n);
        self.halves.extend(halves);
        s
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

fn append(path: &Path, lines: &[String]) {
    let mut text = std::fs::read_to_string(path).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn fill(form: &str, p: &mut Planted, n: &mut usize) -> String {
    let mut out = String::new();
    let mut parts = form.split("{}").peekable();
    while let Some(part) = parts.next() {
        out.push_str(part);
        if parts.peek().is_some() {
            // Word forms cannot hold a space; quoted ones cannot hold their quote.
            out.push_str(&p.next(n));
        }
    }
    out
}

#[test]
fn every_planted_form_is_gone_and_redactions_json_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo("tests/fixtures/contract"), dir.path());
    let mut p = Planted { halves: Vec::new() };
    let mut n = 0;

    // Evidence, text: every form on its own line, after the parts the parser reads.
    let hw = dir.path().join("evidence/imp-rt/show-hardware.txt");
    let mut lines: Vec<String> = TEXT_FORMS.iter().map(|f| fill(f, &mut p, &mut n)).collect();
    lines.push("db:".into());
    lines.push("  password: |".into());
    let (s1, s2) = (p.next(&mut n), p.next(&mut n));
    lines.push(format!("    {s1}"));
    lines.push(format!("    {s2}"));
    lines.push("PuTTY-User-Key-File-2: ssh-rsa".into());
    lines.push("Encryption: none".into());
    lines.push("Public-Lines: 1".into());
    lines.push(format!("AAAAB3{}", p.next(&mut n)));
    lines.push("Private-Lines: 1".into());
    lines.push(format!("AAAAPRIV{}", p.next(&mut n)));
    lines.push(format!("Private-MAC: {}", p.next(&mut n)));
    append(&hw, &lines);

    // Evidence, JSON: secret keys, and text forms inside string values.
    let hosting = dir.path().join("evidence/ms/hosting-providers.json");
    let text = std::fs::read_to_string(&hosting).unwrap();
    let mut members = String::new();
    for key in JSON_KEYS {
        let v = p.next(&mut n);
        members.push_str(&format!("\n        {}: {},", serde_json::to_string(key).unwrap(), serde_json::to_string(&v).unwrap()));
    }
    for (i, form) in TEXT_FORMS.iter().enumerate() {
        let v = fill(form, &mut p, &mut n);
        members.push_str(&format!("\n        \"Note{i}\": {},", serde_json::to_string(&v).unwrap()));
    }
    let text = text.replacen("\"Enabled\":  true,", &format!("\"Enabled\":  true,{members}"), 1);
    assert!(text.contains("Note0"), "the JSON evidence was not planted");
    serde_json::from_str::<serde_json::Value>(&text).unwrap();
    std::fs::write(&hosting, text).unwrap();

    // The inventory: as comments.
    let inventory = dir.path().join("site.toml");
    let comments: Vec<String> = TEXT_FORMS.iter().map(|f| format!("# {}", fill(f, &mut p, &mut n))).collect();
    append(&inventory, &comments);

    let out = dir.path().join("case.tar.gz");
    let assert = fedcheck().args(["bundle", "--offline", "-q", "-i"]).arg(&inventory).arg("-o").arg(&out).assert();
    let code = assert.get_output().status.code();
    assert!(matches!(code, Some(0 | 3 | 4)), "bundle failed: {:?}\n{}", code, String::from_utf8_lossy(&assert.get_output().stderr));

    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap());
    let mut tar = tar::Archive::new(gz);
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        files.insert(path.trim_start_matches("fedcheck-bundle/").to_string(), String::from_utf8_lossy(&data).into_owned());
    }
    assert!(p.halves.len() > 150, "{}", p.halves.len());

    // No half of any planted secret anywhere.
    for (path, text) in &files {
        for h in &p.halves {
            assert!(
                !text.contains(h.as_str()),
                "{path} still holds `{h}`:\n{}",
                text.lines().filter(|l| l.contains(h.as_str())).collect::<Vec<_>>().join("\n")
            );
        }
    }
    // The evidence was bundled (not withheld) and the JSON is still JSON.
    let hw_out = &files["inventory/evidence/imp-rt/show-hardware.txt"];
    assert!(hw_out.contains("-AsPlainText -Force"));
    assert!(hw_out.contains("openssl pkcs12 -export -in c.pem -passout pass:REDACTED-"));
    serde_json::from_str::<serde_json::Value>(&files["inventory/evidence/ms/hosting-providers.json"]).unwrap();

    // redactions.json: for each file, one record per token occurrence, and each
    // record's token is in that file.
    let records: Vec<serde_json::Value> = serde_json::from_str(&files["redactions.json"]).unwrap();
    let mut per_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &records {
        if let Some(tok) = r["token"].as_str() {
            per_file.entry(r["file"].as_str().unwrap().to_string()).or_default().push(tok.to_string());
        }
    }
    for (path, text) in &files {
        if path == "redactions.json" {
            continue;
        }
        let listed = per_file.remove(path).unwrap_or_default();
        let mut found: Vec<String> = Vec::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("REDACTED-") {
            let tail = &rest[i..];
            let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(tail.len());
            found.push(tail[..end].to_string());
            rest = &tail[end..];
        }
        let mut listed_sorted = listed.clone();
        listed_sorted.sort();
        found.sort();
        assert_eq!(listed_sorted, found, "{path}: redactions.json and the file disagree");
    }
    assert!(per_file.is_empty(), "records for files not in the archive: {per_file:?}");
    // Each text form fired in each of the three places.
    assert!(records.len() >= 3 * TEXT_FORMS.len(), "{}", records.len());
}
