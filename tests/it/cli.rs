//! The binary end to end: exit codes, inventory mistakes, selection, JSON shape.

use crate::util::{fedcheck, repo, NOW};
use predicates::prelude::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// The clean example with one line replaced, written next to a copy of its evidence.
fn clean_with(dir: &Path, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo("examples/clean/site.toml")).expect("read");
    assert!(text.contains(from), "fixture lacks {from:?}");
    let ev = dir.join("evidence");
    std::fs::create_dir_all(&ev).expect("mkdir");
    for f in ["imp-rt-services.txt", "imp1-services.txt"] {
        std::fs::copy(repo("examples/clean/evidence").join(f), ev.join(f)).expect("copy");
    }
    write(dir, "site.toml", &text.replacen(from, to, 1))
}

fn run_offline(path: &Path) -> assert_cmd::assert::Assert {
    fedcheck().args(["run", "--offline", "--now", NOW, "-i"]).arg(path).assert()
}

#[test]
fn clean_example_exits_0() {
    run_offline(&repo("examples/clean/site.toml")).code(0).stdout(predicate::str::contains("Contoso: 0 fail, 0 warn"));
}

#[test]
fn enterprise_example_exits_3_and_names_the_blockers() {
    let out = run_offline(&repo("examples/enterprise/site.toml")).code(3).get_output().stdout.clone();
    let text = String::from_utf8_lossy(&out);
    for needle in [
        "[ERROR routes.vcs-conflict]",
        "Cisco Expressway (expe.northwind.com)",
        "routes.exchange-um-conflict",
        "exap.um.outlook.com",
        "routing-node.services",
        "Cisco Presence Engine is STARTED",
        "lync-mac-2011",
        "nwhealth.org",
        "jabber-mobile 9.6",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn warnings_only_exit_4_and_fail_on_narrows_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = clean_with(dir.path(), "presence_web_service = false", "presence_web_service = true");
    run_offline(&p).code(4);
    fedcheck().args(["run", "--offline", "--now", NOW, "--fail-on", "fail", "-i"]).arg(&p).assert().code(0);
    fedcheck()
        .args(["run", "--offline", "--now", NOW, "--fail-on", "never", "-i"])
        .arg(repo("examples/enterprise/site.toml"))
        .assert()
        .code(0);
}

#[test]
fn quiet_prints_the_summary_alone() {
    let out = fedcheck()
        .args(["run", "--offline", "--now", NOW, "-q", "-i"])
        .arg(repo("examples/enterprise/site.toml"))
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("Northwind Health: "), "{text}");
}

#[test]
fn syntax_error_names_line_and_column() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = clean_with(dir.path(), "name = \"Contoso\"", "name = \"Contoso");
    fedcheck().args(["run", "--offline", "-i"]).arg(&p).assert().code(2).stderr(predicate::str::contains("site.toml:5:"));
}

#[test]
fn unknown_key_suggests_the_right_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = clean_with(dir.path(), "fqdn = \"imp1.contoso.com\"", "fdqn = \"imp1.contoso.com\"");
    fedcheck()
        .args(["run", "--offline", "-i"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("site.toml:40:1: unknown key `fdqn`"))
        .stderr(predicate::str::contains("did you mean `fqdn`?"));
}

#[test]
fn wrong_type_is_reported_where_it_is() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = clean_with(dir.path(), "users = 3000", "users = \"many\"");
    fedcheck()
        .args(["run", "--offline", "-i"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("site.toml:43:9:"))
        .stderr(predicate::str::contains("invalid type: string \"many\", expected a whole number"));
}

#[test]
fn bad_values_are_refused_with_what_is_expected() {
    let dir = tempfile::tempdir().expect("tmp");
    let cases = [
        ("fqdn = \"imp1.contoso.com\"", "fqdn = \"imp1\"", "site.toml:40:1: `imp1` is not a fully qualified domain name"),
        ("product = \"imp\"\nrole = \"users\"", "product = \"imp\"\nrole = \"user\"", "unknown value `user`"),
        ("fqdn = \"imp1.contoso.com\"", "fqdn = \"imp-rt.contoso.com\"", "node `imp-rt.contoso.com` is listed twice"),
        ("users = 3000\n", "", "has the `users` role but no `users` count"),
        (
            "peer_auth_port = 5061",
            "peer_auth_port = 70000",
            "site.toml:17:18: invalid value: integer `70000`, expected a port number from 1 to 65535",
        ),
        ("timezone = \"America/New_York\"", "timezone = \"Mars/Olympus\"", "unknown time zone `Mars/Olympus`"),
        ("peak_hours = \"07:00-19:00\"", "peak_hours = \"7 to 7\"", "expected \"HH:MM-HH:MM\""),
    ];
    for (from, to, expect) in cases {
        let p = clean_with(dir.path(), from, to);
        fedcheck().args(["run", "--offline", "-i"]).arg(&p).assert().code(2).stderr(predicate::str::contains(expect));
    }
}

#[test]
fn missing_files_are_named() {
    fedcheck()
        .args(["run", "--offline", "-i", "/nonexistent/site.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the inventory"));
    let dir = tempfile::tempdir().expect("tmp");
    let p = clean_with(dir.path(), "evidence/imp1-services.txt", "evidence/imp9-services.txt");
    fedcheck()
        .args(["run", "--offline", "-i"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("site.toml:45:14: evidence file `evidence/imp9-services.txt` does not exist"));
}

#[test]
fn garbled_evidence_stops_the_run_with_its_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = clean_with(dir.path(), "name = \"Contoso\"", "name = \"Contoso\"");
    std::fs::write(
        dir.path().join("evidence/imp1-services.txt"),
        // Damage before the end: on the last line it would read as a cut (a warning).
        "admin:utils service list\nCisco SIP Proxy[STARTED]\n\u{1}\u{2}garbage here\nCisco Tomcat[STARTED]\n",
    )
    .expect("write");
    fedcheck().args(["run", "--offline", "-i"]).arg(&p).assert().code(2).stderr(predicate::str::contains("imp1-services.txt:3"));
}

#[test]
fn only_and_skip_select_by_id_and_family() {
    let out = fedcheck()
        .args(["run", "--offline", "--now", NOW, "--format", "json", "--only", "routing-node,domains.shared", "-i"])
        .arg(repo("examples/enterprise/site.toml"))
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    crate::util::assert_valid_report(&v);
    let checks: std::collections::BTreeSet<&str> =
        v["findings"].as_array().expect("array").iter().filter_map(|f| f["check"].as_str()).collect();
    assert_eq!(
        checks.into_iter().collect::<Vec<_>>(),
        ["domains.shared", "routing-node.dedicated", "routing-node.no-users", "routing-node.services"]
    );

    let out = fedcheck()
        .args(["run", "--offline", "--now", NOW, "--format", "json", "--only", "routing-node", "--skip", "routing-node.services", "-i"])
        .arg(repo("examples/enterprise/site.toml"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    crate::util::assert_valid_report(&v);
    let skipped: Vec<&serde_json::Value> =
        v["findings"].as_array().expect("array").iter().filter(|f| f["check"] == "routing-node.services").collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["status"], "skip");
    assert_eq!(skipped[0]["summary"], "skipped by --skip");

    fedcheck()
        .args(["run", "--offline", "--only", "routing-nod", "-i"])
        .arg(repo("examples/clean/site.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `routing-node`?"));
}

#[test]
fn json_has_the_documented_shape_and_is_stable() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for p in [&a, &b] {
        fedcheck()
            .args(["run", "--offline", "--now", NOW, "-q", "--json"])
            .arg(p)
            .arg("-i")
            .arg(repo("examples/enterprise/site.toml"))
            .assert()
            .code(3);
    }
    let parse = |p: &Path| -> serde_json::Value { crate::util::report_json(p) };
    let (mut va, mut vb) = (parse(&a), parse(&b));
    assert_eq!(va["schema"], "fedcheck.report/v2");
    assert_eq!(va["verdict"], "fail");
    assert_eq!(va["exit_code"], 3);
    assert_eq!(va["mode"], "offline");
    assert!(va["coverage"]["not_run"].as_u64().unwrap_or(0) > 0, "{}", va["coverage"]);
    assert_eq!(va["tool"]["name"], "fedcheck");
    assert_eq!(va["site"], "Northwind Health");
    let findings = va["findings"].as_array().expect("findings");
    let summary = &va["summary"];
    let count = |s: &str| findings.iter().filter(|f| f["status"] == s).count() as u64;
    for s in ["pass", "info", "warn", "fail", "skip"] {
        assert_eq!(summary[s].as_u64(), Some(count(s)), "{s}");
    }
    for f in findings {
        for key in ["check", "family", "title", "severity", "target", "target_id", "status", "summary", "detail", "remediation", "evidence"]
        {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
        assert!(f["evidence"].is_object(), "evidence is always an object: {f}");
    }
    let keys: Vec<(String, String)> =
        findings.iter().map(|f| (f["check"].as_str().unwrap_or("").into(), f["target_id"].as_str().unwrap_or("").into())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "findings are sorted by check then target id");
    for v in [&mut va, &mut vb] {
        for k in ["started_at", "finished_at", "duration_ms", "inventory"] {
            v[k] = serde_json::Value::Null;
        }
    }
    assert_eq!(va, vb, "two runs differ beyond timestamps");
}

#[test]
fn json_to_stdout_keeps_stdout_clean() {
    let out = fedcheck()
        .args(["run", "--offline", "--now", NOW, "--json", "-", "-i"])
        .arg(repo("examples/clean/site.toml"))
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is exactly one JSON document");
    crate::util::assert_valid_report(&v);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Contoso: 0 fail"));
}

#[test]
fn checks_explain_and_rules() {
    fedcheck()
        .arg("checks")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("routes.vcs-conflict"))
        .stdout(predicate::str::contains("routing-node"));
    fedcheck()
        .args(["explain", "routing-node.services"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("routing-node.services  —  Feature services deactivated on the routing node"))
        .stdout(predicate::str::contains("needs:    inventory and evidence only"))
        .stdout(predicate::str::contains("\nWhy it matters\n  "))
        .stdout(predicate::str::contains("\nFix\n  "))
        .stdout(predicate::str::contains(
            "\nSource\n  Cisco, Partitioned Intradomain Federation Guide for the IM and Presence Service, Release 12.5(1)",
        ));
    fedcheck()
        .args(["explain", "routes.vcs-conflit"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `routes.vcs-conflict`?"));
    // A replacement catalog: the built-in files with one title changed.
    let dir = tempfile::tempdir().expect("tmp");
    for entry in std::fs::read_dir(repo("checks")).expect("checks dir") {
        let p = entry.expect("entry").path();
        let text = std::fs::read_to_string(&p)
            .expect("read")
            .replace("title = \"IM&P cluster within node and user limits\"", "title = \"Locally edited title\"");
        std::fs::write(dir.path().join(p.file_name().expect("name")), text).expect("write");
    }
    fedcheck().args(["checks", "--rules"]).arg(dir.path()).assert().code(0).stdout(predicate::str::contains("Locally edited title"));
    // One corrected file is enough: the rest comes from the built-in catalog.
    let one = tempfile::tempdir().expect("tmp");
    let sizing = std::fs::read_to_string(repo("checks/sizing.toml"))
        .expect("read")
        .replace("max_users_per_node = 25000", "max_users_per_node = 2000");
    std::fs::write(one.path().join("sizing.toml"), sizing).expect("write");
    fedcheck()
        .args(["run", "--offline", "--now", NOW, "--only", "sizing.cluster", "--rules"])
        .arg(one.path())
        .arg("-i")
        .arg(repo("examples/clean/site.toml"))
        .assert()
        .code(3)
        .stdout(predicate::str::contains("3000 users on one node; the limit is 2000"));
    std::fs::write(dir.path().join("broken.toml"), "family = \"x\"\n[[checks]]\nid = 3\n").expect("write");
    fedcheck().args(["checks", "--rules"]).arg(dir.path()).assert().code(2).stderr(predicate::str::contains("broken.toml: 3:"));
}

#[test]
fn init_writes_an_inventory_that_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("site.toml");
    fedcheck().args(["init", "-o"]).arg(&p).assert().code(0);
    fedcheck().args(["init", "-o"]).arg(&p).assert().code(2).stderr(predicate::str::contains("--force"));
    std::fs::write(&p, "stale").expect("write");
    fedcheck().args(["init", "--force", "-o"]).arg(&p).assert().code(0);
    // Complete: every table of the inventory is there, filled in or commented.
    let text = std::fs::read_to_string(&p).expect("read");
    for table in [
        "[site]",
        "[dns]",
        "[cisco]",
        "[cisco.federation]",
        "[[cisco.federation.static_routes]]",
        "[[cisco.nodes]]",
        "[microsoft]",
        "[microsoft.evidence]",
        "[[microsoft.pools]]",
        "[[microsoft.static_routes]]",
        "[[microsoft.integrations]]",
        "[network]",
        "[clients]",
        "[migration_host]",
        "[change]",
    ] {
        assert!(text.contains(table), "init's inventory lacks {table}");
    }
    let code = fedcheck().args(["run", "--offline", "--now", NOW, "-q", "-i"]).arg(&p).output().expect("run").status.code();
    assert!(matches!(code, Some(0) | Some(3) | Some(4)), "init's inventory must load: {code:?}");
}

#[test]
fn the_contract_inventory_is_accepted_and_judged() {
    let out = fedcheck()
        .args(["run", "--offline", "--now", NOW, "--format", "json", "-i"])
        .arg(repo("tests/fixtures/contract/site.toml"))
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    crate::util::assert_valid_report(&v);
    let has = |check: &str, target: &str, status: &str| {
        v["findings"].as_array().expect("array").iter().any(|f| f["check"] == check && f["target"] == target && f["status"] == status)
    };
    assert!(has("domains.shared", "synergy.online.com", "fail"));
    assert!(has("routes.vcs-conflict", "synergy.com", "fail"));
    assert!(has("routing-node.services", "imp-rt.synergy.com", "fail"));
    assert!(has("routing-node.services", "imp2.synergy.com", "fail"));
    assert!(has("routes.static-route", "synergy.com", "fail"));
    assert!(has("imp.static-routes", "synergy.com via 10.20.0.11", "pass"));
}

#[test]
fn bad_arguments_exit_2() {
    fedcheck()
        .args(["run", "--offline", "--timeout", "soon", "-i"])
        .arg(repo("examples/clean/site.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a duration"));
    fedcheck().args(["frobnicate"]).assert().code(2);
}

#[test]
fn readme_points_at_the_registry_instead_of_copying_it() {
    // One source of truth: README sends readers to `fedcheck checks` and keeps no
    // copy of the check list that could go stale.
    let readme = std::fs::read_to_string(repo("README.md")).expect("README");
    assert!(readme.contains("`fedcheck checks`"), "README must point at `fedcheck checks`");
    for c in fedcheck::checks::registry() {
        assert!(!readme.contains(&format!("| `{}` |", c.id())), "README copies the row of {}", c.id());
    }
    // And the listing it points at shows every registered check.
    let out = fedcheck().args(["checks"]).output().expect("checks");
    let text = String::from_utf8_lossy(&out.stdout);
    for c in fedcheck::checks::registry() {
        assert!(text.contains(c.id()), "`fedcheck checks` lacks {}", c.id());
    }
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    use std::io::Read;
    // `fedcheck run ... | head -c 10`: the report must outgrow a pipe buffer (64 KiB),
    // or the writer would never see the reader leave.
    let full = fedcheck()
        .args(["run", "--offline", "--html", "-", "--now", NOW, "-i"])
        .arg(repo("examples/enterprise/site.toml"))
        .output()
        .expect("run");
    assert!(full.stdout.len() > 64 * 1024, "the report shrank to {} bytes: this test needs a bigger one", full.stdout.len());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("fedcheck"))
        .args(["run", "--offline", "--html", "-", "--now", NOW, "-i"])
        .arg(repo("examples/enterprise/site.toml"))
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 10];
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("read");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(3), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
