//! The three jobs through the binary: the demo lab, support bundle + analyze,
//! post-change diff and waivers; plus completions and --version.

use crate::util::{fedcheck, repo, NOW};
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// A report the binary wrote, validated against its schema.
fn json(path: &Path) -> Value {
    crate::util::report_json(path)
}

fn findings(v: &Value) -> Vec<(String, String, String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("check"), s("target"), s("status"), s("summary"))
        })
        .collect()
}

#[test]
fn demo_finds_its_faults_writes_its_page_and_its_bundle_reanalyses_the_same() {
    let dir = tempfile::tempdir().expect("tmp");
    let (html, live, bundle, again) =
        (dir.path().join("demo.html"), dir.path().join("live.json"), dir.path().join("demo.tar.gz"), dir.path().join("again.json"));
    let started = Instant::now();
    fedcheck()
        .current_dir(dir.path())
        .args(["demo", "-q", "--timeout", "3s", "--html"])
        .arg(&html)
        .arg("--json")
        .arg(&live)
        .arg("--bundle")
        .arg(&bundle)
        .timeout(Duration::from_secs(90))
        .assert()
        .code(3)
        .stdout(predicate::str::starts_with("fedcheck demo lab: 8 fail, 0 warn"));
    assert!(started.elapsed() < Duration::from_secs(60), "demo took {:?}", started.elapsed());
    let v = json(&live);
    let mut bad: Vec<String> = findings(&v).into_iter().filter(|f| f.2 == "fail" || f.2 == "warn").map(|f| f.0).collect();
    bad.sort();
    assert_eq!(
        bad,
        [
            "certs.eku",
            "certs.eku",
            "certs.expiry",
            "certs.expiry",
            "dns.reverse",
            "routes.static-route",
            "routes.vcs-conflict",
            "routing-node.services"
        ]
    );
    // The page holds every finding once.
    let page = std::fs::read_to_string(&html).expect("html");
    assert_eq!(
        page.matches("class=\"finding ").count() + page.matches("class=\"finding\"").count(),
        v["findings"].as_array().map(Vec::len).unwrap_or(0)
    );
    assert!(page.contains("fedcheck demo lab"));
    // The bundle, judged again offline, says exactly what the live run said.
    fedcheck().args(["analyze", "-q", "--json"]).arg(&again).arg(&bundle).assert().code(3);
    assert_eq!(findings(&json(&again)), findings(&v));
}

#[test]
fn bundle_then_analyze_and_a_damaged_bundle_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("case.tar.gz");
    let live = dir.path().join("live.json");
    fedcheck()
        .args(["bundle", "--offline", "-q", "--now", NOW, "-i"])
        .arg(repo("tests/fixtures/contract/site.toml"))
        .arg("-o")
        .arg(&out)
        .arg("--json")
        .arg(&live)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("support archive written to"))
        .stderr(predicate::str::contains("JSON report written to"));
    let again = dir.path().join("again.json");
    fedcheck().args(["analyze", "-q", "--now", NOW, "--json"]).arg(&again).arg(&out).assert().code(3);
    assert_eq!(findings(&json(&again)), findings(&json(&live)));
    // The private key never travels.
    let bytes = std::fs::read(&out).expect("read");
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut tar).expect("gunzip");
    assert!(!String::from_utf8_lossy(&tar).contains("PRIVATE KEY"));
    // One flipped byte in the middle of the archive.
    let mut damaged = bytes.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0x55;
    let bad = dir.path().join("bad.tar.gz");
    std::fs::write(&bad, damaged).expect("write");
    fedcheck().args(["analyze"]).arg(&bad).assert().code(2).stderr(predicate::str::contains("bad.tar.gz is refused"));
    let cut = dir.path().join("cut.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    fedcheck()
        .args(["analyze"])
        .arg(&cut)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cut.tar.gz is refused"))
        .stderr(predicate::str::contains("ends early"));
}

#[test]
fn diff_names_fixes_and_regressions() {
    let dir = tempfile::tempdir().expect("tmp");
    let before = dir.path().join("before.json");
    let after = dir.path().join("after.json");
    let inv = repo("examples/enterprise/site.toml");
    fedcheck().args(["run", "--offline", "-q", "--now", NOW, "--json"]).arg(&before).arg("-i").arg(&inv).assert().code(3);
    // The change: fe03 added to IM&P's incoming ACL, in a copy of the site.
    let site = dir.path().join("site");
    copy_dir(&repo("examples/enterprise"), &site);
    let text = std::fs::read_to_string(site.join("site.toml"))
        .expect("read")
        .replace("\"sfbpool.northwind.com\"]\ntls_ciphers", "\"sfbpool.northwind.com\", \"fe03.northwind.com\"]\ntls_ciphers");
    std::fs::write(site.join("site.toml"), text).expect("write");
    fedcheck().args(["run", "--offline", "-q", "--now", NOW, "--json"]).arg(&after).arg("-i").arg(site.join("site.toml")).assert().code(3);
    fedcheck()
        .args(["diff"])
        .arg(&before)
        .arg(&after)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("fe03.northwind.com"))
        .stdout(predicate::str::contains("1 fixed"));
    let changes = dir.path().join("changes.json");
    fedcheck()
        .args(["diff"])
        .arg(&after)
        .arg(&before)
        .arg("--json")
        .arg(&changes)
        .assert()
        .code(3)
        .stdout(predicate::str::contains("1 regression"));
    let changes: Value = serde_json::from_str(&std::fs::read_to_string(&changes).expect("read")).expect("json");
    assert_eq!(changes["schema"], "fedcheck.diff/v1");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

#[test]
fn waivers_demote_accepted_findings_and_expired_ones_warn() {
    let dir = tempfile::tempdir().expect("tmp");
    let w = dir.path().join("waivers.toml");
    std::fs::write(
        &w,
        "[[waiver]]\ncheck = \"routes.vcs-conflict\"\ntarget = \"northwind.com\"\njustification = \"video moves to the new cluster in Q1\"\nexpires = \"2027-03-31\"\n\n[[waiver]]\ncheck = \"clients.supported\"\ntarget = \"lync-mac-*\"\njustification = \"ten Mac users, replaced in December\"\nexpires = \"2026-01-31\"\n",
    )
    .expect("write");
    let out = dir.path().join("r.json");
    fedcheck()
        .args(["run", "--offline", "-q", "--now", NOW, "--waivers"])
        .arg(&w)
        .arg("--json")
        .arg(&out)
        .arg("-i")
        .arg(repo("examples/enterprise/site.toml"))
        .assert()
        .code(3);
    let report = json(&out);
    let waived = report["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["check"] == "routes.vcs-conflict" && f["target"] == "northwind.com"))
        .expect("vcs finding");
    assert_eq!(waived["waiver"]["original_status"], "fail", "{waived}");
    assert_eq!(waived["waiver"]["expires"], "2027-03-31");
    assert_eq!(waived["waiver"]["justification"], "video moves to the new cluster in Q1");
    let f = findings(&report);
    let vcs = f.iter().find(|x| x.0 == "routes.vcs-conflict" && x.1 == "northwind.com").expect("vcs finding");
    assert_eq!(vcs.2, "info");
    assert!(vcs.3.starts_with("waived: "), "{}", vcs.3);
    assert!(f.iter().any(|x| x.0 == "clients.supported" && x.1 == "lync-mac-2011" && x.2 == "fail"));
    assert!(f.iter().any(|x| x.0 == "clients.supported" && x.2 == "warn" && x.3.contains("waiver expired on 2026-01-31")));
    std::fs::write(&w, "[[waiver]]\ncheck = \"routes.vcs-conflict\"\ntarget = \"x\"\njustifcation = \"typo\"\nexpires = \"2027-01-01\"\n")
        .expect("write");
    fedcheck()
        .args(["run", "--offline", "--waivers"])
        .arg(&w)
        .arg("-i")
        .arg(repo("examples/enterprise/site.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("waivers.toml:4:1"));
}

#[test]
fn completions_and_version() {
    fedcheck().args(["completions", "bash"]).assert().code(0).stdout(predicate::str::contains("fedcheck"));
    fedcheck().arg("--version").assert().code(0).stdout(predicate::str::starts_with(format!("fedcheck {}", env!("CARGO_PKG_VERSION"))));
    fedcheck().args(["run", "--help"]).assert().code(0).stdout(predicate::str::contains("Examples:"));
}
