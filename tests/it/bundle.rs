//! The support bundle end to end: a copy of the contract site with planted canary
//! secrets is judged offline, bundled, then the archive is searched for leaks,
//! verified, damaged in several ways, and its inventory extracted and loaded again.

use crate::util::{now, repo};
use fedcheck::bundle::{self, BundleError, BundleInput, BundleSummary, Redaction};
use fedcheck::engine::{self, RunOptions};
use fedcheck::inventory::{self, Loaded};
use fedcheck::judge::catalog::Catalog;
use fedcheck::judge::Report;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Lines appended to `show hardware` (after its RAID section, which the parser skips).
const HW_CANARIES: [&str; 4] = [
    "snmp community = CANARY-COMMUNITY-1",
    "Password : CANARY-PW-2",
    "PS C:\\> Set-CsAdminThing -Identity fe1.synergy.com -Password CANARY-PW-2 -Force",
    "Authorization: Bearer CANARY-TOKEN-3",
];
const HW: &str = "evidence/imp-rt/show-hardware.txt";
const HOSTING: &str = "evidence/ms/hosting-providers.json";

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

fn append(path: &Path, lines: &[&str]) -> usize {
    let mut text = std::fs::read_to_string(path).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let before = text.lines().count();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
    before
}

/// The planted site: its folder, and the line numbers the canaries landed on.
struct Site {
    dir: tempfile::TempDir,
    inventory: PathBuf,
    /// First canary line of show-hardware (1-based).
    hw_first: usize,
    inv_pw_line: usize,
    inv_url_line: usize,
}

fn planted_site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo("tests/fixtures/contract"), dir.path());
    let hw_first = append(&dir.path().join(HW), &HW_CANARIES) + 1;
    // And the client key pasted into the evidence by mistake.
    let key = std::fs::read_to_string(dir.path().join("certs/imp-rt.key")).unwrap();
    append(&dir.path().join(HW), &[key.trim_end()]);
    // A JSON evidence file with a secret field the parser ignores.
    let hosting = dir.path().join(HOSTING);
    let text = std::fs::read_to_string(&hosting).unwrap();
    let text = text.replacen("\"Enabled\":  true,", "\"Enabled\":  true,\n        \"SharedSecret\":  \"CANARY-PW-5\",", 1);
    assert!(text.contains("CANARY-PW-5"));
    std::fs::write(&hosting, text).unwrap();
    let inventory = dir.path().join("site.toml");
    let before = append(&inventory, &["# password = \"CANARY-PW-4\"", "# proxy = \"http://svc:CANARY-URLPW-6@proxy.synergy.com:8080/\""]);
    Site { dir, inventory, hw_first, inv_pw_line: before + 1, inv_url_line: before + 2 }
}

fn judge_offline(loaded: &Loaded) -> (Report, String) {
    let catalog = Catalog::builtin().unwrap();
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { offline: true, now: Some(now()), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (report, snapshot) = rt.block_on(engine::run(loaded, &catalog, &checks, &opts)).unwrap();
    let snapshot = serde_json::to_string_pretty(&snapshot).unwrap();
    (report, snapshot)
}

struct Written {
    site: Site,
    report_json: String,
    loaded: Loaded,
    archive: PathBuf,
    summary: BundleSummary,
}

fn write_bundle(redact: bool) -> Written {
    let site = planted_site();
    let loaded = inventory::load(&site.inventory).unwrap_or_else(|e| panic!("{e}"));
    let (report, snapshot_json) = judge_offline(&loaded);
    let certs = site.dir.path().join("certs");
    let leaf = std::fs::read_to_string(certs.join("imp-rt.pem")).unwrap();
    let key = std::fs::read_to_string(certs.join("imp-rt.key")).unwrap();
    let catalog = fedcheck::judge::Catalog::builtin().unwrap();
    let report_json = fedcheck::report::Format::Json.render(&fedcheck::report::RenderContext::new(&report, &catalog)).unwrap();
    crate::util::assert_valid_report(&serde_json::from_str(&report_json).expect("report JSON"));
    let input = BundleInput {
        loaded: &loaded,
        reports: vec![
            ("report.json".into(), report_json.clone()),
            ("report.html".into(), "<html><body><p>Synergy HQ: fe1.synergy.com</p></body></html>".into()),
            ("report.md".into(), "# Synergy HQ\n\n- pass: 3\n".into()),
        ],
        snapshot_json,
        chains_pem: vec![
            ("fe1.synergy.com_5061.pem".into(), leaf.clone()),
            // A chain with a key pasted in by mistake: must be withheld.
            ("fe2.synergy.com_5061.pem".into(), format!("{leaf}{key}")),
        ],
        command_line: vec![
            "fedcheck".into(),
            "bundle".into(),
            "-i".into(),
            site.inventory.display().to_string(),
            "--token".into(),
            "CANARY-TOKEN-7".into(),
        ],
        redact,
    };
    let out_dir = site.dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let archive = out_dir.join("case-123.tar.gz");
    let summary = bundle::write(&input, &archive).unwrap_or_else(|e| panic!("{e}"));
    Written { site, report_json, loaded, archive, summary }
}

/// Every file of the archive by its full path, read without the bundle module.
fn raw_entries(archive: &Path) -> BTreeMap<String, Vec<u8>> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(archive).unwrap());
    let mut tar = tar::Archive::new(gz);
    let mut out = BTreeMap::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.insert(path, data);
    }
    out
}

/// Writes `files` (full paths) as a .tar.gz, as a tamperer with ordinary tools would.
fn repack(files: &BTreeMap<String, Vec<u8>>, out: &Path) {
    let gz = flate2::write::GzEncoder::new(std::fs::File::create(out).unwrap(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        tar.append_data(&mut h, path, data.as_slice()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let data =
        files.get(&format!("fedcheck-bundle/{path}")).unwrap_or_else(|| panic!("{path} not in {:?}", files.keys().collect::<Vec<_>>()));
    String::from_utf8(data.clone()).unwrap()
}

/// The token on the first line of `text` that contains `marker`.
fn token_on(text: &str, marker: &str) -> String {
    let line = text.lines().find(|l| l.contains(marker)).unwrap_or_else(|| panic!("no line with {marker}"));
    let at = line.find("REDACTED-").unwrap_or_else(|| panic!("no token in {line}"));
    line[at..].split(|c: char| c.is_whitespace() || c == '"').next().unwrap().to_string()
}

#[test]
fn bundle_holds_no_secret_and_keeps_what_support_needs() {
    let w = write_bundle(true);
    let files = raw_entries(&w.archive);
    eprintln!("contract bundle: {} bytes, {} files, {} redactions", w.summary.bytes, w.summary.files, w.summary.redactions);
    assert_eq!(w.summary.files, files.len());
    assert_eq!(w.summary.bytes, std::fs::metadata(&w.archive).unwrap().len());
    assert!(files.keys().all(|p| p.starts_with("fedcheck-bundle/")));

    // No canary, no private key anywhere.
    let key = std::fs::read_to_string(w.site.dir.path().join("certs/imp-rt.key")).unwrap();
    let key_lines: Vec<&str> = key.lines().filter(|l| !l.starts_with("-----") && l.len() > 16).collect();
    assert!(key_lines.len() > 5);
    for (path, data) in &files {
        let t = String::from_utf8_lossy(data);
        assert!(!t.contains("CANARY-"), "{path} leaks a canary:\n{t}");
        assert!(!t.contains("PRIVATE KEY"), "{path} holds a private key");
        for l in &key_lines {
            assert!(!t.contains(l), "{path} holds a line of the client key");
        }
        assert!(!path.ends_with(".key"), "{path}: the key file itself");
    }

    // Same secret, same token; different secrets, different tokens.
    let hw = text(&files, &format!("inventory/{HW}"));
    let pw_line = token_on(&hw, "Password : ");
    let pw_param = token_on(&hw, "-Password ");
    let community = token_on(&hw, "snmp community");
    let bearer = token_on(&hw, "Authorization");
    assert_eq!(pw_line, pw_param);
    assert!(pw_line.starts_with("REDACTED-password-"));
    assert!(community.starts_with("REDACTED-snmp-community-"));
    assert!(bearer.starts_with("REDACTED-authorization-"));
    assert!(hw.contains("Authorization: Bearer REDACTED-"));
    assert_ne!(pw_line, community);
    // The rest of the PowerShell line survives.
    assert!(hw.contains("-Identity fe1.synergy.com -Password REDACTED-"));
    assert!(hw.contains(" -Force"));

    // redactions.json: file, line and rule of each, never a value.
    let redactions_text = text(&files, "redactions.json");
    let redactions: Vec<Redaction> = serde_json::from_str(&redactions_text).unwrap();
    let at = |file: &str, line: usize| -> Vec<&str> {
        redactions.iter().filter(|r| r.file == file && r.line == line).map(|r| r.rule.as_str()).collect()
    };
    let hw_file = format!("inventory/{HW}");
    assert_eq!(at(&hw_file, w.site.hw_first), ["snmp-community"]);
    assert_eq!(at(&hw_file, w.site.hw_first + 1), ["password"]);
    assert_eq!(at(&hw_file, w.site.hw_first + 2), ["password"]);
    assert_eq!(at(&hw_file, w.site.hw_first + 3), ["authorization"]);
    assert_eq!(at(&hw_file, w.site.hw_first + 4), ["private-key"]);
    assert!(hw.contains("\nREDACTED-private-key-"));
    assert_eq!(at("inventory/site.toml", w.site.inv_pw_line), ["password"]);
    assert_eq!(at("inventory/site.toml", w.site.inv_url_line), ["authorization"]);
    let original = std::fs::read_to_string(&w.site.inventory).unwrap();
    let line_of = |needle: &str| original.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    // The certificate is public and stays named; only the key line is withheld.
    assert!(at("inventory/site.toml", line_of("client_cert")).is_empty());
    assert_eq!(at("inventory/site.toml", line_of("client_key")), ["client-key-withheld"]);
    assert!(redactions.iter().any(|r| r.file == format!("inventory/{HOSTING}") && r.rule == "password"));
    assert!(redactions.iter().any(|r| r.file == "host.json" && r.rule == "token"));
    assert!(redactions.iter().any(|r| r.file == "chains/fe2.synergy.com_5061.pem" && r.rule == "private-key"));
    assert_eq!(w.summary.redactions, redactions.len());

    // Non-secrets survive: FQDNs, addresses, ports, services.
    let inv = text(&files, "inventory/site.toml");
    for keep in [
        "imp-rt.synergy.com",
        "sfbpool.synergy.com",
        "fe1.synergy.com",
        "10.20.0.11",
        "10.20.0.53:53",
        "peer_auth_port = 5061",
        "proxy.synergy.com:8080",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ] {
        assert!(inv.contains(keep), "{keep} lost from the inventory");
    }
    let routes = std::fs::read(w.site.dir.path().join("evidence/ms/static-routes.txt")).unwrap();
    assert_eq!(files["fedcheck-bundle/inventory/evidence/ms/static-routes.txt"], routes, "evidence without secrets is bundled unchanged");
    let services = std::fs::read(w.site.dir.path().join("evidence/imp1/utils-service-list.txt")).unwrap();
    assert_eq!(files["fedcheck-bundle/inventory/evidence/imp1/utils-service-list.txt"], services);
    assert_eq!(text(&files, "report.json"), w.report_json, "the report has no secret");
    let hosting = text(&files, &format!("inventory/{HOSTING}"));
    assert!(hosting.contains("exap.um.outlook.com"));
    serde_json::from_str::<serde_json::Value>(&hosting).expect("still JSON");

    // Certificates are copied as they are; the client key is not there at all.
    for cert in [
        "certs/cup-trust/enterprise-root-ca.pem",
        "certs/cup-trust/legacy-partner-ca.pem",
        "certs/ms-trusted-roots.pem",
        "certs/imp-rt.pem",
    ] {
        let original = std::fs::read(w.site.dir.path().join(cert)).unwrap();
        assert_eq!(files[&format!("fedcheck-bundle/inventory/{cert}")], original, "{cert}");
    }
    assert!(files.contains_key("fedcheck-bundle/chains/fe1.synergy.com_5061.pem"));
    assert!(!files.contains_key("fedcheck-bundle/chains/fe2.synergy.com_5061.pem"));
    let note = text(&files, "chains/fe2.synergy.com_5061.pem.withheld.txt");
    assert!(note.contains("withheld"));

    // Host facts and the manifest.
    let host: serde_json::Value = serde_json::from_str(&text(&files, "host.json")).unwrap();
    for key in ["hostname", "os_name", "kernel", "cpu_count", "local_time", "tool_version"] {
        assert!(host.get(key).is_some(), "host.json lacks {key}");
    }
    assert!(host["command_line"].as_str().unwrap().contains("--token REDACTED-token-"));
    let manifest: bundle::Manifest = serde_json::from_str(&text(&files, "manifest.json")).unwrap();
    assert_eq!(manifest.schema, "fedcheck.bundle/v1");
    assert_eq!(manifest.files.len(), files.len() - 1);
    assert!(manifest.files.iter().all(|f| f.path != "manifest.json"));
    assert!(manifest.redacted);
}

#[test]
fn bundle_opens_verified_and_its_inventory_loads_again() {
    let w = write_bundle(true);
    let opened = bundle::open(&w.archive).unwrap_or_else(|e| panic!("{e}"));
    for f in ["report.json", "report.html", "report.md", "snapshot.json", "host.json"] {
        assert!(opened.files.contains_key(f), "{f}");
    }
    let report: Report = serde_json::from_str(opened.report_json().unwrap()).unwrap();
    assert_eq!(report.site, "Synergy HQ");
    let snapshot: fedcheck::snapshot::Snapshot = serde_json::from_str(opened.snapshot_json().unwrap()).unwrap();
    assert!(!snapshot.live);

    let dir = tempfile::tempdir().unwrap();
    let inv_path = opened.extract_inventory(dir.path()).unwrap();
    assert_eq!(inv_path, dir.path().join("site.toml"));
    let again = inventory::load(&inv_path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.inventory.cisco.client_key, None);
    assert_eq!(again.inventory.cisco.client_cert, w.loaded.inventory.cisco.client_cert);
    assert_eq!(again.evidence.files, w.loaded.evidence.files);
    assert_eq!(again.inventory.cisco.nodes, w.loaded.inventory.cisco.nodes);
    assert_eq!(again.evidence.microsoft.static_routes, w.loaded.evidence.microsoft.static_routes);
    assert!(!dir.path().join("certs/imp-rt.key").exists());
    // Judging the extracted site offline gives the same verdicts.
    let (report_again, _) = judge_offline(&again);
    assert_eq!(report_again.summary, report.summary);
}

#[test]
fn redaction_off_keeps_evidence_but_never_a_key() {
    let w = write_bundle(false);
    let files = raw_entries(&w.archive);
    // Evidence is verbatim, except that a file holding a private key is withheld.
    let hosting = text(&files, &format!("inventory/{HOSTING}"));
    assert!(hosting.contains("CANARY-PW-5"));
    assert!(!files.contains_key(&format!("fedcheck-bundle/inventory/{HW}")));
    let note = text(&files, &format!("inventory/{HW}.withheld.txt"));
    assert!(note.contains("withheld"));
    for (path, data) in &files {
        let t = String::from_utf8_lossy(data);
        assert!(!t.contains("PRIVATE KEY"), "{path} holds a private key");
    }
    assert!(!files.keys().any(|p| p.ends_with(".key")));
    assert!(files.contains_key("fedcheck-bundle/chains/fe2.synergy.com_5061.pem.withheld.txt"));
    let inv = text(&files, "inventory/site.toml");
    assert!(inv.contains("# [withheld by fedcheck bundle] client_key"));
    let opened = bundle::open(&w.archive).unwrap();
    assert!(!opened.manifest.redacted);
}

#[test]
fn damaged_or_modified_bundles_are_refused() {
    let w = write_bundle(true);
    let good = std::fs::read(&w.archive).unwrap();
    let dir = w.site.dir.path().join("out");
    let try_bytes = |name: &str, bytes: &[u8]| -> BundleError {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        match bundle::open(&p) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => e,
        }
    };

    // A flipped byte anywhere in the compressed data.
    for at in [good.len() / 4, good.len() / 2, good.len() * 3 / 4, good.len() - 6] {
        let mut bad = good.clone();
        bad[at] ^= 0xFF;
        let e = try_bytes("flipped.tar.gz", &bad);
        // Which refusal depends on where the flip lands after decompression (the
        // archive holds timestamps, so that varies from run to run): any refusal that
        // is not an I/O error is right.
        assert!(!matches!(e, BundleError::Io { .. }), "flip at {at}: {e}");
        assert!(!e.to_string().is_empty());
    }

    // Every byte flipped in turn (a sample, to stay fast): refused, or, where the
    // byte carries no content (gzip header time, OS), opened with identical files.
    let original = bundle::open(&w.archive).unwrap();
    let mut refused = 0;
    for at in (0..good.len()).step_by(23) {
        let mut bad = good.clone();
        bad[at] ^= 0x5A;
        match bundle::open_reader(bad.as_slice()) {
            Ok(b) => assert_eq!(b, original, "flip at {at} accepted with other content"),
            Err(_) => refused += 1,
        }
    }
    assert!(refused > good.len() / 23 - 4, "{refused}");
    // Every cut is refused.
    for cut in (0..good.len()).step_by(37) {
        assert!(bundle::open_reader(&good[..cut]).is_err(), "cut at {cut}");
    }

    // Cut in half.
    let e = try_bytes("half.tar.gz", &good[..good.len() / 2]);
    assert!(matches!(e, BundleError::Truncated(_)), "{e}");
    assert!(e.to_string().contains("ends early"));
    // Cut just before the gzip trailer: every file may be there, the stream is not whole.
    let e = try_bytes("trailer.tar.gz", &good[..good.len() - 4]);
    assert!(matches!(e, BundleError::Truncated(_)), "{e}");

    let entries = raw_entries(&w.archive);
    let repacked = |name: &str, files: &BTreeMap<String, Vec<u8>>| -> BundleError {
        let p = dir.join(name);
        repack(files, &p);
        match bundle::open(&p) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => e,
        }
    };
    // Untouched but repacked: still fine (the manifest covers content, not packing).
    let same = dir.join("same.tar.gz");
    repack(&entries, &same);
    bundle::open(&same).unwrap_or_else(|e| panic!("{e}"));

    // report.json edited (same size), old manifest kept.
    let mut files = entries.clone();
    let report = files.get_mut("fedcheck-bundle/report.json").unwrap();
    let pos = report.windows(10).position(|w| w == b"Synergy HQ").unwrap();
    report[pos] = b'X';
    let e = repacked("edited.tar.gz", &files);
    match &e {
        BundleError::Tampered { file, .. } => assert_eq!(file, "report.json"),
        other => panic!("{other}"),
    }
    assert_eq!(e.to_string(), "report.json: SHA-256 mismatch — the bundle was modified or damaged");

    // A file added.
    let mut files = entries.clone();
    files.insert("fedcheck-bundle/extra.txt".into(), b"hello".to_vec());
    let e = repacked("extra.tar.gz", &files);
    assert!(matches!(&e, BundleError::Tampered { file, .. } if file == "extra.txt"), "{e}");
    assert!(e.to_string().contains("not listed"));

    // A file removed.
    let mut files = entries.clone();
    files.remove("fedcheck-bundle/host.json");
    let e = repacked("missing.tar.gz", &files);
    assert!(matches!(&e, BundleError::Tampered { file, .. } if file == "host.json"), "{e}");

    // The manifest removed.
    let mut files = entries.clone();
    files.remove("fedcheck-bundle/manifest.json");
    let e = repacked("nomanifest.tar.gz", &files);
    assert!(matches!(e, BundleError::Manifest(_)), "{e}");

    // A path that climbs out of the folder.
    let p = dir.join("climb.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(std::fs::File::create(&p).unwrap(), flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let mut h = tar::Header::new_old();
        let name = b"fedcheck-bundle/../evil.txt";
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_size(4);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        tar.append(&h, &b"evil"[..]).unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    let e = bundle::open(&p).unwrap_err();
    assert!(matches!(e, BundleError::UnsafePath(_)), "{e}");

    // An entry claiming to be huge is refused before it is read.
    let p = dir.join("huge.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(std::fs::File::create(&p).unwrap(), flate2::Compression::default());
        let mut raw = gz;
        let mut h = tar::Header::new_gnu();
        h.set_size(bundle::MAX_ENTRY_BYTES + 1);
        h.set_mode(0o644);
        h.set_path("fedcheck-bundle/big.bin").unwrap();
        h.set_cksum();
        // Only the header and a little data: the size check must come first.
        std::io::Write::write_all(&mut raw, h.as_bytes()).unwrap();
        std::io::Write::write_all(&mut raw, &[1u8; 512]).unwrap();
        raw.finish().unwrap();
    }
    let e = bundle::open(&p).unwrap_err();
    assert!(matches!(e, BundleError::TooLarge { .. }), "{e}");
}

#[test]
fn files_outside_the_inventory_folder_and_utf16_evidence() {
    // The inventory sits one folder below its evidence and certificates, which it
    // reaches with `../`; show hardware is a Windows PowerShell UTF-16 capture.
    let site = planted_site();
    let inv_dir = site.dir.path().join("inv");
    std::fs::create_dir_all(&inv_dir).unwrap();
    let text =
        std::fs::read_to_string(&site.inventory).unwrap().replace("\"evidence/", "\"../evidence/").replace("\"certs/", "\"../certs/");
    let inventory = inv_dir.join("site.toml");
    std::fs::write(&inventory, text).unwrap();
    let hw = site.dir.path().join(HW);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(std::fs::read_to_string(&hw).unwrap().replace('\n', "\r\n").encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(&hw, utf16).unwrap();

    let loaded = inventory::load(&inventory).unwrap_or_else(|e| panic!("{e}"));
    let (report, snapshot_json) = judge_offline(&loaded);
    let input = BundleInput {
        loaded: &loaded,
        reports: vec![(
            "report.json".into(),
            fedcheck::report::Format::Json
                .render(&fedcheck::report::RenderContext::new(&report, &fedcheck::judge::Catalog::builtin().unwrap()))
                .unwrap(),
        )],
        snapshot_json,
        chains_pem: Vec::new(),
        command_line: vec!["fedcheck".into(), "bundle".into()],
        redact: true,
    };
    let archive = site.dir.path().join("b.tar.gz");
    let summary = bundle::write(&input, &archive).unwrap_or_else(|e| panic!("{e}"));
    let files = raw_entries(&archive);
    assert_eq!(summary.files, files.len());
    assert!(!files.contains_key("fedcheck-bundle/report.html"));
    for (path, data) in &files {
        assert!(!path.contains(".."), "{path}");
        let t = String::from_utf8_lossy(data);
        assert!(!t.contains("CANARY-"), "{path} leaks a canary");
        assert!(!t.contains("PRIVATE KEY"), "{path}");
    }
    let opened = bundle::open(&archive).unwrap_or_else(|e| panic!("{e}"));
    assert!(opened.manifest.notes.iter().any(|n| n.contains("outside")), "{:?}", opened.manifest.notes);
    let inv = opened.text("inventory/site.toml").unwrap();
    // Only the commented-out client key line still names a path outside.
    assert!(inv.lines().filter(|l| l.contains("\"../")).all(|l| l.starts_with("# [withheld by fedcheck bundle] client_key")), "{inv}");
    assert!(inv.contains("# [withheld by fedcheck bundle] client_key"), "{inv}");
    assert!(inv.contains("trust_store = \"external/"), "{inv}");
    let hw_bundled = opened
        .files
        .iter()
        .find(|(p, _)| p.ends_with("show-hardware.txt"))
        .map(|(_, d)| String::from_utf8(d.clone()).expect("redacted evidence is UTF-8"))
        .unwrap();
    assert!(hw_bundled.contains("Password : REDACTED-password-"));
    assert!(hw_bundled.contains("HW Platform       : VMware Virtual Machine"));

    let dir = tempfile::tempdir().unwrap();
    let again = inventory::load(&opened.extract_inventory(dir.path()).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.evidence.files.len(), loaded.evidence.files.len());
    assert_eq!(again.evidence.node("imp-rt.synergy.com"), loaded.evidence.node("imp-rt.synergy.com"));
    assert!(again.inventory.cisco.trust_store.is_some());
    assert_eq!(judge_offline(&again).0.summary, report.summary, "same verdicts from the bundled copy");
}
