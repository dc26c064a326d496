//! `fedcheck collect imp` against the in-process IM&P stand-in: every failure named,
//! the other nodes still collected, the password nowhere on disk, and an offline
//! audit of the collected site judging the routing node from the SOAP answer alone.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use fedcheck::collect::record::{CallOutcome, CollectRecord, FailureKind};
use fedcheck::lab::soap::{self, Behaviour, NodeSpec, SoapLab};

use crate::util::fedcheck;

const PASSWORD: &str = "Xy7-collect-s3cret!";

fn ip(c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 61, c, d)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

/// An inventory naming `nodes` (fqdn, ip, role, users) that loads on its own.
fn inventory(dir: &Path, nodes: &[(&str, Ipv4Addr, &str, u32)]) -> PathBuf {
    let mut s = String::from(
        "# collected site\n[site]\nname = \"collect test\"\npresence_domains = [\"fedlab.example\"]\n\n[cisco]\nimp_version = \"14.0.1.12900-2\"\n\n",
    );
    for (fqdn, ip, role, users) in nodes {
        s.push_str(&format!(
            "[[cisco.nodes]]\nfqdn = \"{fqdn}\"\nip = \"{ip}\"\nproduct = \"imp\"\nrole = \"{role}\"\nusers = {users}\n\n"
        ));
    }
    s.push_str("[microsoft]\nplatform = \"sfb2015\"\nsip_domains = [\"fedlab.example\"]\n");
    let p = dir.join("site.toml");
    std::fs::write(&p, s).expect("write inventory");
    p
}

fn spec(fqdn: &str, ip: Ipv4Addr, behaviour: Behaviour) -> NodeSpec {
    let mut s = NodeSpec::new(fqdn, ip, soap::imp_services(false, false));
    s.behaviour = behaviour;
    s
}

fn start(rt: &tokio::runtime::Runtime, specs: Vec<NodeSpec>) -> SoapLab {
    rt.block_on(soap::start("admin", PASSWORD, specs)).expect("stand-in starts")
}

fn collect(lab: &SoapLab, inv: &Path, out: &Path, extra: &[&str], password: &str) -> (i32, String) {
    let o = fedcheck()
        .args(["collect", "imp", "--user", "admin", "--timeout", "2s", "--concurrency", "16", "--port"])
        .arg(lab.port.to_string())
        .arg("-i")
        .arg(inv)
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("FEDCHECK_IMP_PASSWORD", password)
        .output()
        .expect("collect runs");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn record(out: &Path) -> CollectRecord {
    fedcheck::collect::imp::read_record(out).expect("collect.json reads")
}

fn call<'a>(r: &'a CollectRecord, fqdn: &str, name: &str) -> &'a fedcheck::collect::record::CallRecord {
    r.nodes
        .iter()
        .find(|n| n.fqdn == fqdn)
        .and_then(|n| n.calls.iter().find(|c| c.call == name))
        .unwrap_or_else(|| panic!("no {name} call for {fqdn}"))
}

fn kind(r: &CollectRecord, fqdn: &str, name: &str) -> Option<FailureKind> {
    let f = call(r, fqdn, name).failure.as_ref();
    if let Some(f) = f {
        eprintln!("{fqdn} {name}: {:?} {}", f.kind, f.message);
    }
    f.map(|f| f.kind)
}

fn ca_file(lab: &SoapLab, dir: &Path) -> PathBuf {
    let p = dir.join("tomcat-ca.pem");
    std::fs::write(&p, &lab.ca_pem).expect("write CA");
    p
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn each_failure_is_named_and_the_other_nodes_are_collected() {
    let rt = runtime();
    let mut rt_node = NodeSpec::new("imp-rt.fedlab.example", ip(1, 2), soap::imp_services(true, true));
    rt_node.version = "14.0.1.12900-2".into();
    let mut other = spec("imp-other.fedlab.example", ip(1, 8), Behaviour::Normal);
    other.cert_name = Some("someone-else.fedlab.example".into());
    let lab = start(
        &rt,
        vec![
            rt_node,
            spec("imp-a.fedlab.example", ip(1, 3), Behaviour::NoPaws),
            spec("imp-old.fedlab.example", ip(1, 11), Behaviour::OldPaws),
            spec("imp-hang.fedlab.example", ip(1, 4), Behaviour::Hang),
            spec("imp-bad.fedlab.example", ip(1, 5), Behaviour::Malformed),
            spec("imp-huge.fedlab.example", ip(1, 6), Behaviour::Huge),
            spec("imp-fault.fedlab.example", ip(1, 7), Behaviour::Fault),
            other,
            spec("imp-deny.fedlab.example", ip(1, 9), Behaviour::Unauthorized),
        ],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let inv = inventory(
        dir.path(),
        &[
            ("imp-rt.fedlab.example", ip(1, 2), "routing", 0),
            ("imp-a.fedlab.example", ip(1, 3), "users", 500),
            ("imp-old.fedlab.example", ip(1, 11), "users", 10),
            ("imp-hang.fedlab.example", ip(1, 4), "users", 10),
            ("imp-bad.fedlab.example", ip(1, 5), "users", 10),
            ("imp-huge.fedlab.example", ip(1, 6), "users", 10),
            ("imp-fault.fedlab.example", ip(1, 7), "users", 10),
            ("imp-other.fedlab.example", ip(1, 8), "users", 10),
            ("imp-deny.fedlab.example", ip(1, 9), "users", 10),
            // Nothing listens there: refused.
            ("imp-off.fedlab.example", ip(1, 10), "users", 10),
        ],
    );
    let ca = ca_file(&lab, dir.path());
    let out = dir.path().join("out");
    let started = std::time::Instant::now();
    let (code, stderr) = collect(&lab, &inv, &out, &["--ca-file", ca.to_str().expect("utf-8")], PASSWORD);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "took {:?}", started.elapsed());
    assert_eq!(code, 5, "{stderr}");
    let r = record(&out);
    assert_eq!(r.exit_code, 5);
    assert_eq!(r.tls.mode, "ca-file");
    assert!(r.tls.verified);
    // The healthy nodes: everything (or "not offered") collected.
    for c in ["services", "version", "hardware", "cluster"] {
        assert_eq!(call(&r, "imp-rt.fedlab.example", c).outcome, CallOutcome::Collected, "imp-rt {c}: {stderr}");
    }
    assert_eq!(call(&r, "imp-a.fedlab.example", "services").outcome, CallOutcome::Collected);
    assert_eq!(call(&r, "imp-a.fedlab.example", "version").outcome, CallOutcome::NotOffered);
    // An older node faults on getClusterStatus: the older getClusterNodes is asked.
    let old = call(&r, "imp-old.fedlab.example", "cluster");
    assert_eq!(old.outcome, CallOutcome::Collected);
    assert!(old.api.ends_with("getClusterNodes"), "{}", old.api);
    // Each fault by name.
    assert_eq!(kind(&r, "imp-hang.fedlab.example", "services"), Some(FailureKind::Timeout));
    assert_eq!(call(&r, "imp-hang.fedlab.example", "version").outcome, CallOutcome::Skipped, "a hanging node is not asked again");
    assert_eq!(kind(&r, "imp-bad.fedlab.example", "services"), Some(FailureKind::MalformedXml));
    assert_eq!(kind(&r, "imp-huge.fedlab.example", "services"), Some(FailureKind::TooLarge));
    assert_eq!(kind(&r, "imp-fault.fedlab.example", "services"), Some(FailureKind::SoapFault));
    assert_eq!(kind(&r, "imp-other.fedlab.example", "services"), Some(FailureKind::CertificateNameMismatch));
    assert_eq!(kind(&r, "imp-deny.fedlab.example", "services"), Some(FailureKind::Unauthorized));
    assert_eq!(kind(&r, "imp-off.fedlab.example", "services"), Some(FailureKind::ConnectionRefused));
    for words in
        ["timeout", "malformed XML", "over the size cap", "SOAP fault", "certificate for another name", "401", "connection refused"]
    {
        assert!(stderr.contains(words), "stderr names `{words}`:\n{stderr}");
    }
    // The evidence and the inventory pointing at it.
    let svc = out.join("evidence/imp-rt.fedlab.example/services.xml");
    assert!(std::fs::read_to_string(&svc).expect("services.xml").contains("soapGetServiceStatusResponse"));
    assert!(!out.join("evidence/imp-bad.fedlab.example/services.xml").exists(), "a malformed answer is not evidence");
    let site = std::fs::read_to_string(out.join("site.toml")).expect("site.toml");
    assert!(site.contains("evidence/imp-rt.fedlab.example/services.xml"), "{site}");
    assert!(site.contains("# collected site"), "comments survive: {site}");
    // The password is nowhere under the output folder.
    for f in files(&out) {
        let bytes = std::fs::read(&f).expect("read");
        assert!(!String::from_utf8_lossy(&bytes).contains(PASSWORD), "{} holds the password", f.display());
    }
    assert!(!stderr.contains(PASSWORD));

    // The audit of the collected site names the running feature service on the
    // routing node from the SOAP answer alone.
    let o = fedcheck()
        .args(["run", "--offline", "--only", "routing-node.services", "--format", "json", "-i"])
        .arg(out.join("site.toml"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json report");
    let f = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "routing-node.services" && f["target"] == "imp-rt.fedlab.example")
        .expect("a routing-node finding");
    assert_eq!(f["status"], "fail", "{f}");
    assert!(f["summary"].as_str().unwrap_or("").contains("Cisco Presence Engine is STARTED"), "{f}");
    drop(lab);
}

#[test]
fn a_wrong_password_and_an_untrusted_certificate_exit_non_zero() {
    let rt = runtime();
    let lab = start(
        &rt,
        vec![spec("imp-x.fedlab.example", ip(2, 2), Behaviour::Normal), spec("imp-y.fedlab.example", ip(2, 3), Behaviour::Normal)],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let inv = inventory(dir.path(), &[("imp-x.fedlab.example", ip(2, 2), "routing", 0), ("imp-y.fedlab.example", ip(2, 3), "users", 10)]);
    let ca = ca_file(&lab, dir.path());
    let ca_arg = ["--ca-file", ca.to_str().expect("utf-8")];

    let out = dir.path().join("wrong-password");
    let (code, stderr) = collect(&lab, &inv, &out, &ca_arg, "not-the-password");
    assert_eq!(code, 5, "{stderr}");
    let r = record(&out);
    assert_eq!(kind(&r, "imp-x.fedlab.example", "services"), Some(FailureKind::Unauthorized));
    assert!(stderr.contains("401"), "{stderr}");

    // A CA that did not issue the nodes' certificates.
    let stranger = fedcheck::lab::pki::Ca::new_root("some other CA").expect("ca");
    let other_ca = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, stranger.cert_pem()).expect("write");
    let out = dir.path().join("untrusted");
    let (code, stderr) = collect(&lab, &inv, &out, &["--ca-file", other_ca.to_str().expect("utf-8")], PASSWORD);
    assert_eq!(code, 5, "{stderr}");
    let r = record(&out);
    assert_eq!(kind(&r, "imp-x.fedlab.example", "services"), Some(FailureKind::CertificateUntrusted));
    assert!(stderr.contains("untrusted certificate"), "{stderr}");

    // No --ca-file: the system trust store does not know the lab's CA either.
    let out = dir.path().join("system-store");
    let (code, stderr) = collect(&lab, &inv, &out, &[], PASSWORD);
    assert_eq!(code, 5, "{stderr}");
    let r = record(&out);
    assert_eq!(r.tls.mode, "system-store");
    assert_eq!(kind(&r, "imp-y.fedlab.example", "services"), Some(FailureKind::CertificateUntrusted));

    // All good: exit 0; a second run into the same folder needs --force.
    let out = dir.path().join("good");
    let (code, stderr) = collect(&lab, &inv, &out, &ca_arg, PASSWORD);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(record(&out).summary.failed, 0);
    let (code, stderr) = collect(&lab, &inv, &out, &ca_arg, PASSWORD);
    assert_eq!(code, 2, "{stderr}");
    let (code, _) = collect(&lab, &inv, &out, &[ca_arg[0], ca_arg[1], "--force"], PASSWORD);
    assert_eq!(code, 0);
    // Every call was authenticated and went to the documented operations.
    let seen = lab.seen.lock().expect("lock").clone();
    assert!(seen
        .iter()
        .any(|s| s.path == "/controlcenterservice2/services/ControlCenterServices" && s.soap_action == "soapGetServiceStatus"));
    assert!(seen.iter().any(|s| s.path == "/platform-services/services/VersionService" && s.soap_action == "urn:getActiveVersion"));
}

#[test]
fn insecure_collects_and_says_so_everywhere() {
    let rt = runtime();
    let mut n = spec("imp-z.fedlab.example", ip(3, 2), Behaviour::Normal);
    n.cert_name = Some("wrong-name.fedlab.example".into());
    let lab = start(&rt, vec![n]);
    let dir = tempfile::tempdir().expect("tmp");
    let inv = inventory(dir.path(), &[("imp-z.fedlab.example", ip(3, 2), "users", 10)]);
    let out = dir.path().join("out");
    let (code, stderr) = collect(&lab, &inv, &out, &["--insecure"], PASSWORD);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("NOT be verified"), "{stderr}");
    let r = record(&out);
    assert_eq!(r.tls.mode, "insecure");
    assert!(!r.tls.verified);
    let xml = std::fs::read_to_string(out.join("evidence/imp-z.fedlab.example/services.xml")).expect("xml");
    assert!(xml.contains("--insecure"), "{xml}");
    let site = std::fs::read_to_string(out.join("site.toml")).expect("site");
    assert!(site.contains("certificates not verified"), "{site}");
    // The report made from it says so too (in the site name).
    let o = fedcheck().args(["run", "--offline", "--format", "json", "-i"]).arg(out.join("site.toml")).output().expect("run");
    assert!(String::from_utf8_lossy(&o.stdout).contains("certificates not verified"));
}

#[test]
fn no_password_means_no_start() {
    let dir = tempfile::tempdir().expect("tmp");
    let inv = inventory(dir.path(), &[("imp-q.fedlab.example", ip(4, 2), "users", 1)]);
    let o = fedcheck()
        .args(["collect", "imp", "-i"])
        .arg(&inv)
        .arg("-o")
        .arg(dir.path().join("out"))
        .env_remove("FEDCHECK_IMP_PASSWORD")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("FEDCHECK_IMP_PASSWORD"));
    assert!(!dir.path().join("out").exists(), "nothing is written before the password is known");
}

#[test]
fn run_collect_audits_the_collected_site_and_bundle_keeps_the_record() {
    let rt = runtime();
    let lab = start(
        &rt,
        vec![
            NodeSpec::new("imp-rt.fedlab.example", ip(5, 2), soap::imp_services(true, true)),
            spec("imp-a.fedlab.example", ip(5, 3), Behaviour::Normal),
        ],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let inv = inventory(dir.path(), &[("imp-rt.fedlab.example", ip(5, 2), "routing", 0), ("imp-a.fedlab.example", ip(5, 3), "users", 100)]);
    let ca = ca_file(&lab, dir.path());
    let out = dir.path().join("collected");
    let o = fedcheck()
        .args(["run", "--offline", "--only", "routing-node.services", "--collect", "imp", "--collect-port"])
        .arg(lab.port.to_string())
        .arg("--collect-ca-file")
        .arg(&ca)
        .arg("--collect-dir")
        .arg(&out)
        .arg("-i")
        .arg(&inv)
        .env("FEDCHECK_IMP_PASSWORD", PASSWORD)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("Cisco Presence Engine"), "{stdout}");
    assert_eq!(record(&out).exit_code, 0);

    let archive = dir.path().join("case.tar.gz");
    let o =
        fedcheck().args(["bundle", "--offline", "-q", "-i"]).arg(out.join("site.toml")).arg("-o").arg(&archive).output().expect("bundle");
    assert!(archive.exists(), "{}", String::from_utf8_lossy(&o.stderr));
    let opened = fedcheck::bundle::open(&archive).expect("opens");
    let record = opened.text("inventory/collect.json").expect("collect.json in the bundle");
    assert!(record.contains("fedcheck.collect/v1"));
    assert!(opened
        .text("inventory/evidence/imp-rt.fedlab.example/services.xml")
        .expect("services.xml")
        .contains("soapGetServiceStatusResponse"));
    assert!(!record.contains(PASSWORD));
}

/// The demo lab's routing-node fault is judged from the service list it collected over
/// SOAP, not from a canned capture.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_lab_collects_its_imp_evidence() {
    let lab = fedcheck::lab::site::start().await.expect("lab starts");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let files: Vec<String> = loaded.evidence.files.iter().map(|(p, _)| p.display().to_string()).collect();
    assert!(files.iter().any(|p| p.ends_with("imp-rt.fedlab.example/services.xml")), "{files:?}");
    let list = loaded.evidence.node("imp-rt.fedlab.example").and_then(|e| e.service_list.as_ref()).expect("service list");
    assert!(list.get("Cisco Presence Engine").is_some());
    let record = fedcheck::collect::imp::read_record(lab.inventory.parent().expect("dir")).expect("collect.json");
    assert_eq!(record.exit_code, 0);
    assert!(record.tls.verified);
}

#[test]
fn the_microsoft_script_and_its_import() {
    let o = fedcheck().args(["collect", "microsoft", "--script"]).output().expect("script");
    assert_eq!(o.status.code(), Some(0));
    let script = String::from_utf8_lossy(&o.stdout);
    assert!(script.contains("Get-CsStaticRoutingConfiguration") && script.contains("MSFT_SIPRoutingTableData"));

    // Import the folder the script writes (fixture in its exact shape) and audit it.
    let dir = tempfile::tempdir().expect("tmp");
    let inv = dir.path().join("site.toml");
    std::fs::write(
        &inv,
        "[site]\nname = \"ms import\"\npresence_domains = [\"northwind.com\"]\n\n[cisco]\nimp_version = \"14.0.1.12900-2\"\n\n[[cisco.nodes]]\nfqdn = \"imp-rt.northwind.com\"\nproduct = \"imp\"\nrole = \"routing\"\nusers = 0\n\n[microsoft]\nplatform = \"sfb2015\"\nsip_domains = [\"northwind.com\"]\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let folder = crate::util::repo("collect/fixtures/export-ocs");
    let o = fedcheck()
        .args(["collect", "microsoft", "--import"])
        .arg(&folder)
        .arg("-i")
        .arg(&inv)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("import");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let site = std::fs::read_to_string(out.join("site.toml")).expect("site");
    assert!(site.contains("evidence/microsoft/static-routes.txt"), "{site}");
    let o = fedcheck()
        .args(["run", "--offline", "--only", "routes.static-route", "--format", "json", "-i"])
        .arg(out.join("site.toml"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("\"check\": \"routes.static-route\""), "{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(!stdout.contains("\"status\": \"skip\""), "the imported routes are judged: {stdout}");
}
