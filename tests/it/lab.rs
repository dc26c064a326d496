//! The demo lab audited for real: every planted fault is found under the right check
//! id, and nothing else warns or fails.

use fedcheck::check::Status;
use fedcheck::engine::{self, RunOptions};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lab_reports_exactly_its_planted_faults() {
    let lab = fedcheck::lab::site::start().await.expect("lab starts");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::catalog::Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { timeout: Duration::from_secs(3), ..Default::default() };
    let started = std::time::Instant::now();
    let (report, snapshot) = engine::run(&loaded, &catalog, &checks, &opts).await.expect("run");
    assert!(started.elapsed() < Duration::from_secs(20), "the lab audit took {:?}", started.elapsed());
    assert!(snapshot.live && !snapshot.deadline_hit);
    let mut bad: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .map(|f| (f.check.clone(), f.target.clone()))
        .collect();
    bad.sort();
    let expected = fedcheck::lab::site::planted_faults(&lab);
    let details: Vec<String> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .map(|f| format!("{} {} {}: {}", f.status, f.check, f.target, f.summary))
        .collect();
    assert_eq!(bad, expected, "findings:\n{}", details.join("\n"));
    // Each name is asked of the side that must know it: CUCM of IM&P's resolver, the
    // VCS route target of Microsoft's, IM&P nodes of both.
    let at = |target: &str| {
        report.findings.iter().find(|f| f.check == "dns.forward" && f.target == target).map(|f| f.summary.clone()).unwrap_or_default()
    };
    assert!(at("cucm-pub.fedlab.example").ends_with("at 1 resolver(s)"), "{}", at("cucm-pub.fedlab.example"));
    assert!(at("vcs.fedlab.example").ends_with("at 1 resolver(s)"), "{}", at("vcs.fedlab.example"));
    assert!(at("imp-rt.fedlab.example").ends_with("at 2 resolver(s)"), "{}", at("imp-rt.fedlab.example"));
    // Every live family did judge something real.
    for check in [
        "dns.forward",
        "dns.agreement",
        "tls.handshake",
        "tls.protocol",
        "tls.mutual",
        "certs.cross-trust",
        "certs.common-ca",
        "sip.options",
        "imp.peer-subjects",
    ] {
        assert!(report.findings.iter().any(|f| f.check == check && f.status == Status::Pass), "{check} has no pass");
    }
}
