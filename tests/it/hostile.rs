//! Hostile bundles given to `fedcheck analyze`: each is refused with exit 2 and a
//! clear message, within 10 s and 512 MB (peak resident memory measured by
//! /usr/bin/time when present). The manifest is recomputed after every edit, as an
//! attacker would: the refusal must come from the hardening, not the checksums.

use crate::util::{fedcheck, repo};
use fedcheck::snapshot::dns::{DnsObservation, DnsOutcome, DnsQuery, Rcode, RecordType};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TOP: &str = "fedcheck-bundle";
const INVENTORY: &str = "fedcheck-bundle/inventory/site.toml";
const LIMIT_SECS: u64 = 10;
const LIMIT_KB: u64 = 512 * 1024;

/// The files of a good bundle of the contract site (judged offline), by full path.
fn base() -> &'static BTreeMap<String, Vec<u8>> {
    static BASE: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("base.tar.gz");
        fedcheck()
            .args(["bundle", "--offline", "-q", "-i"])
            .arg(repo("tests/fixtures/contract/site.toml"))
            .arg("-o")
            .arg(&out)
            .assert()
            .code(predicates::ord::lt(5));
        let gz = flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap());
        let mut tar = tar::Archive::new(gz);
        let mut files = BTreeMap::new();
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            if !e.header().entry_type().is_file() {
                continue;
            }
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            files.insert(path, data);
        }
        assert!(files.contains_key(INVENTORY), "{:?}", files.keys().collect::<Vec<_>>());
        files
    })
}

/// Recomputes manifest.json for the files as they now are.
fn reseal(files: &mut BTreeMap<String, Vec<u8>>) {
    use sha2::Digest;
    let key = format!("{TOP}/manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&files[&key]).unwrap();
    let list: Vec<serde_json::Value> = files
        .iter()
        .filter(|(p, _)| **p != key)
        .map(|(p, d)| {
            let sha: String = sha2::Sha256::digest(d).iter().map(|b| format!("{b:02x}")).collect();
            serde_json::json!({"path": p.strip_prefix(&format!("{TOP}/")).unwrap(), "size": d.len(), "sha256": sha})
        })
        .collect();
    manifest["files"] = serde_json::Value::Array(list);
    files.insert(key, serde_json::to_vec_pretty(&manifest).unwrap());
}

/// The tar stream (uncompressed) of `files`, without the end marker.
fn tar_body(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data.as_slice()).unwrap();
    }
    // into_inner writes the two zero blocks of the end marker: drop them.
    let mut t = b.into_inner().unwrap();
    t.truncate(t.len() - 1024);
    t
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn archive(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut t = tar_body(files);
    t.extend_from_slice(&[0u8; 10240]);
    gz(&t)
}

fn with_inventory(edit: impl FnOnce(&str) -> String) -> Vec<u8> {
    let mut files = base().clone();
    let text = String::from_utf8(files[INVENTORY].clone()).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changed nothing");
    files.insert(INVENTORY.into(), edited.into_bytes());
    reseal(&mut files);
    archive(&files)
}

fn header(name: &str, kind: u8, size: u64) -> [u8; 512] {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::new(kind));
    h.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_cksum();
    *h.as_bytes()
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory in KB, when /usr/bin/time could measure it.
    max_rss_kb: Option<u64>,
}

/// Runs `fedcheck analyze` on `bytes` (written to a file), killed after the limit.
fn analyze(name: &str, bytes: &[u8]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.tar.gz"));
    std::fs::write(&path, bytes).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("fedcheck");
    let time = Path::new("/usr/bin/time");
    let rss_file = dir.path().join("rss");
    let mut cmd = if time.exists() {
        let mut c = std::process::Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    cmd.arg("analyze").arg(&path).arg("-q").env("NO_COLOR", "1").env("TMPDIR", dir.path());
    cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(LIMIT_SECS + 20) {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    let stderr = reader.join().unwrap();
    let max_rss_kb = std::fs::read_to_string(&rss_file).ok().and_then(|s| s.lines().last()?.trim().parse().ok());
    // Every exit path removes the unpacked folder.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("fedcheck-analyze-"))
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "{name}: extraction folder left behind: {left:?}");
    eprintln!("{name}: exit {:?} in {elapsed:?}, peak {max_rss_kb:?} KB", status.code());
    // `time` reports the child's status on its own stderr line; the code is the child's.
    Outcome { code: status.code(), stderr, elapsed, max_rss_kb }
}

/// Refused: exit 2, within the time and memory limits, with `needle` in the message.
fn refused(name: &str, bytes: &[u8], needle: &str) -> String {
    let o = analyze(name, bytes);
    assert_eq!(o.code, Some(2), "{name}: exit {:?}\n{}", o.code, o.stderr);
    assert!(o.stderr.contains(needle), "{name}: `{needle}` not in:\n{}", o.stderr);
    assert!(o.stderr.contains("is refused"), "{name}: {}", o.stderr);
    assert!(o.elapsed < Duration::from_secs(LIMIT_SECS), "{name}: took {:?}", o.elapsed);
    if let Some(kb) = o.max_rss_kb {
        assert!(kb < LIMIT_KB, "{name}: {kb} KB resident");
    }
    // No raw control character from the archive reaches the terminal.
    assert!(!o.stderr.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{name}: {:?}", o.stderr);
    o.stderr
}

#[test]
fn the_base_bundle_is_accepted() {
    let o = analyze("good", &archive(base()));
    assert!(matches!(o.code, Some(0) | Some(3) | Some(4)), "{:?}\n{}", o.code, o.stderr);
    // Resealed after a harmless edit: still accepted (the tests below are not
    // refused merely for being resealed).
    let bytes = with_inventory(|t| format!("{t}\n# an added comment\n"));
    let o = analyze("resealed", &bytes);
    assert!(matches!(o.code, Some(0) | Some(3) | Some(4)), "{:?}\n{}", o.code, o.stderr);
}

#[test]
fn long_name_bomb() {
    // A header claiming a 1 GiB name, followed by 8 MiB of it.
    let mut t = header("././@LongLink", b'L', 1 << 30).to_vec();
    t.extend(std::iter::repeat_n(b'a', 8 << 20));
    refused("longname", &gz(&t), "GNU long-name header of 1073741824 bytes");
}

#[test]
fn pax_bomb() {
    let mut t = tar_body(base());
    t.extend_from_slice(&header("PaxHeaders/x", b'x', 3 << 30));
    t.extend(b"1073741830 path=".iter().copied().chain(std::iter::repeat_n(b'a', 8 << 20)));
    refused("pax", &gz(&t), "PAX extension header of 3221225472 bytes");
}

#[test]
fn dev_zero_as_trust_store_or_client_cert() {
    let bytes = with_inventory(|t| t.replace("trust_store = \"certs/cup-trust\"", "trust_store = \"/dev/zero\""));
    refused("devzero", &bytes, "`/dev/zero`: an absolute path");
    let bytes = with_inventory(|t| t.replacen("client_cert = \"", "client_cert = \"/dev/zero\"\n# was \"", 1));
    refused("devzero-cert", &bytes, "an absolute path");
}

#[cfg(unix)]
#[test]
fn fifo_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let shown = fifo.display().to_string();
    refused("fifo", &fifo_inventory(&shown), "an absolute path");
    // Reached by climbing out of the folder.
    let climb = format!("../../../../../../../../..{shown}");
    refused("fifo-climb", &fifo_inventory(&climb), "`..` in a path");
    // A FIFO inside the archive itself.
    let mut t = tar_body(base());
    t.extend_from_slice(&header("fedcheck-bundle/inventory/evidence/fifo", b'6', 0));
    t.extend_from_slice(&[0u8; 1024]);
    refused("fifo-entry", &gz(&t), "a link or special file");
}

/// The inventory with its first `service_list` evidence path replaced by `path`.
fn fifo_inventory(path: &str) -> Vec<u8> {
    with_inventory(|t| {
        let at = t.find("service_list = \"").unwrap() + "service_list = \"".len();
        let end = at + t[at..].find('"').unwrap();
        format!("{}{path}{}", &t[..at], &t[end..])
    })
}

#[test]
fn absolute_evidence_path() {
    let stderr = refused("absolute", &fifo_inventory("/etc/passwd"), "`/etc/passwd`: an absolute path");
    assert!(!stderr.contains("root:"), "{stderr}");
}

#[test]
fn climbing_evidence_path() {
    let stderr = refused("climb", &fifo_inventory("../../../../etc/hostname"), "`..` in a path");
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let host = host.trim();
    assert!(host.is_empty() || !stderr.contains(&format!("\n{host}")), "{stderr}");
}

#[test]
fn inventory_with_a_60_mib_line() {
    let bytes = with_inventory(|t| format!("{t}\n# {}\n", "x".repeat(60 << 20)));
    refused("longline", &bytes, "inventory/site.toml: larger than the 1048576 bytes");
}

fn dns_observation(i: usize) -> DnsObservation {
    let names = ["imp-rt.synergy.com", "imp1.synergy.com", "fe1.synergy.com", "fe2.synergy.com", "sfbpool.synergy.com"];
    DnsObservation {
        query: DnsQuery {
            server: format!("10.{}.{}.53:53", (i / 5) / 250 % 250, (i / 5) % 250).parse().unwrap(),
            name: names[i % names.len()].to_string(),
            rtype: RecordType::A,
        },
        elapsed_ms: 1,
        outcome: DnsOutcome::Answer { rcode: Rcode::NoError, authoritative: true, records: vec![format!("10.20.0.{}", i % 200)] },
    }
}

/// The base bundle with `n` DNS observations in its snapshot, marked live.
fn with_dns(n: usize) -> Vec<u8> {
    let mut files = base().clone();
    let key = format!("{TOP}/snapshot.json");
    let mut snap: serde_json::Value = serde_json::from_slice(&files[&key]).unwrap();
    snap["live"] = serde_json::Value::Bool(true);
    snap["dns"] = serde_json::to_value((0..n).map(dns_observation).collect::<Vec<_>>()).unwrap();
    files.insert(key, serde_json::to_vec(&snap).unwrap());
    reseal(&mut files);
    archive(&files)
}

#[test]
fn huge_snapshot() {
    // The 310 k observations of the report: refused on size before parsing.
    refused("snapshot-310k", &with_dns(310_000), "snapshot.json: larger than");
    // Small enough in bytes, too many observations.
    let n = fedcheck::bundle::analysis::MAX_DNS_OBSERVATIONS + 1;
    refused("snapshot-count", &with_dns(n), &format!("{n} DNS observations"));
}

#[test]
fn a_snapshot_at_the_cap_is_judged_in_time() {
    let o = analyze("snapshot-cap", &with_dns(fedcheck::bundle::analysis::MAX_DNS_OBSERVATIONS));
    assert!(matches!(o.code, Some(0) | Some(3) | Some(4)), "{:?}\n{}", o.code, o.stderr);
    assert!(o.elapsed < Duration::from_secs(LIMIT_SECS), "took {:?}", o.elapsed);
    if let Some(kb) = o.max_rss_kb {
        assert!(kb < LIMIT_KB, "{kb} KB resident");
    }
}

#[test]
fn trailing_data_after_the_gzip_stream() {
    let mut bytes = archive(base());
    bytes.extend_from_slice(b"\0\0\0\0 padding or anything else");
    refused("trailing", &bytes, "trailing data after the gzip stream");
}

#[test]
fn a_second_gzip_member() {
    let mut bytes = archive(base());
    let mut extra = BTreeMap::new();
    extra.insert(format!("{TOP}/extra.txt"), b"smuggled".to_vec());
    bytes.extend_from_slice(&archive(&extra));
    refused("member", &bytes, "a second gzip member");
}

#[test]
fn control_characters_in_an_entry_name_are_shown_escaped() {
    let mut t = tar_body(base());
    t.extend_from_slice(&header("fedcheck-bundle/\u{1b}[2J\u{1b}[HALL CHECKS PASSED", b'0', 0));
    t.extend_from_slice(&[0u8; 1024]);
    let stderr = refused("ansi", &gz(&t), "\\u{1b}[2J");
    assert!(!stderr.contains('\u{1b}'));
}
