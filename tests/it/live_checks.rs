//! Live checks judged from real probes of real peers on loopback: one scenario lab
//! holds a front end of every kind, good and bad, plus hostile peers.

use fedcheck::engine::{self, RunOptions};
use fedcheck::judge::Report;
use fedcheck::judge::{Finding, Status};
use fedcheck::lab::hostile::Behaviour;
use fedcheck::lab::scenario::{PeerKind, RunningScenario, Scenario};
use fedcheck::observe::ProbeOptions;
use std::time::{Duration, Instant};

async fn audit(scenario: &Scenario, timeout: Duration) -> (RunningScenario, Report, Duration) {
    let lab = scenario.start().await.expect("scenario starts");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = RunOptions { probe: ProbeOptions { timeout, ..Default::default() }, ..Default::default() };
    let started = Instant::now();
    let (report, _) = engine::run(&loaded, &catalog, &checks, &opts).await.expect("run");
    (lab, report, started.elapsed())
}

fn of<'a>(report: &'a Report, check: &str, target: &str) -> &'a Finding {
    report.findings.iter().find(|f| f.check == check && f.target == target).unwrap_or_else(|| {
        let all: Vec<String> =
            report.findings.iter().filter(|f| f.check == check).map(|f| format!("{} {}: {}", f.status, f.target, f.summary)).collect();
        panic!("no {check} finding for {target}; {check} has:\n{}", all.join("\n"))
    })
}

#[track_caller]
fn expect(report: &Report, check: &str, target: &str, status: Status, text: &str) {
    let f = of(report, check, target);
    assert_eq!(f.status, status, "{check} {target}: {}", f.summary);
    assert!(
        f.summary.contains(text) || f.detail.as_deref().unwrap_or("").contains(text),
        "{check} {target}: {:?} lacks {text:?}",
        f.summary
    );
}

fn peers() -> Vec<(String, PeerKind)> {
    let k = |l: &str, kind: PeerKind| (l.to_string(), kind);
    vec![
        k("good1", PeerKind::Good),
        k("good2", PeerKind::Good),
        k("expired", PeerKind::Expired),
        k("notyet", PeerKind::NotYetValid),
        k("otherca", PeerKind::OtherCa),
        k("wrongsan", PeerKind::WrongSan),
        k("selfsigned", PeerKind::SelfSigned),
        k("serveronly", PeerKind::ServerOnlyEku),
        k("clientonly", PeerKind::ClientOnlyEku),
        k("cnonly", PeerKind::CnOnly),
        k("nointer", PeerKind::NoIntermediate),
        k("noclientauth", PeerKind::NoClientAuth),
        k("wrongclientca", PeerKind::ClientAuthOtherCa),
        k("nosip", PeerKind::NoSip),
        k("legacy", PeerKind::Legacy10),
        k("ssl3", PeerKind::Ssl3),
        k("silent", PeerKind::Hostile(Behaviour::Silent)),
        k("garbage", PeerKind::Hostile(Behaviour::Garbage)),
        k("reset", PeerKind::Hostile(Behaviour::Reset)),
        k("http", PeerKind::Hostile(Behaviour::Http)),
        k("alert", PeerKind::Hostile(Behaviour::Alert)),
        k("halfclose", PeerKind::Hostile(Behaviour::HalfClose)),
        k("drip", PeerKind::Hostile(Behaviour::Drip)),
        k("huge", PeerKind::Hostile(Behaviour::HugeCertificate)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_peer_gets_its_verdict() {
    let timeout = Duration::from_millis(800);
    let (lab, r, took) = audit(&Scenario::new(peers()), timeout).await;
    // Hostile peers cost at most their timeout, all at once, not one after another.
    assert!(took < Duration::from_secs(4), "run took {took:?}");
    let t = |l: &str| lab.target(l);

    for good in ["good1", "good2"] {
        for check in [
            "tls.handshake",
            "tls.protocol",
            "tls.ciphers",
            "tls.mutual",
            "certs.expiry",
            "certs.identity",
            "certs.eku",
            "certs.chain",
            "certs.cross-trust",
            "sip.options",
            "imp.peer-subjects",
        ] {
            assert_eq!(of(&r, check, &t(good)).status, Status::Pass, "{check} {good}: {}", of(&r, check, &t(good)).summary);
        }
    }
    expect(&r, "certs.expiry", &t("expired"), Status::Fail, "expired");
    expect(&r, "certs.expiry", &t("notyet"), Status::Fail, "is not valid until");
    expect(&r, "certs.cross-trust", &t("otherca"), Status::Fail, "does not accept this chain");
    expect(&r, "certs.identity", &t("wrongsan"), Status::Fail, "certificate names elsewhere.scn.example, not wrongsan.scn.example");
    expect(&r, "imp.peer-subjects", &t("wrongsan"), Status::Fail, "serves CN=elsewhere.scn.example");
    expect(&r, "certs.cross-trust", &t("selfsigned"), Status::Fail, "does not accept this chain");
    expect(&r, "certs.eku", &t("serveronly"), Status::Fail, "server authentication only");
    expect(&r, "certs.eku", &t("clientonly"), Status::Fail, "client authentication only");
    expect(&r, "certs.identity", &t("cnonly"), Status::Pass, "in its CN (it has no SAN)");
    expect(&r, "certs.chain", &t("nointer"), Status::Warn, "is neither sent nor in IM&P's trust store");
    expect(&r, "certs.chain", &t("good2"), Status::Pass, "2 certificates in order");
    expect(&r, "tls.mutual", &t("noclientauth"), Status::Fail, "does not ask for a client certificate");
    expect(&r, "sip.options", &t("nosip"), Status::Fail, "no SIP answer");
    expect(&r, "tls.mutual", &t("wrongclientca"), Status::Warn, "IM&P's certificate chains to");
    // Only one resolver: nothing to compare.
    expect(&r, "dns.agreement", "resolvers", Status::Skip, "only one resolver");
    // TLS 1.0 only: the modern probe cannot finish, IM&P's hello can.
    expect(&r, "tls.protocol", &t("legacy"), Status::Warn, "tops out at TLSv1.0");
    expect(&r, "tls.handshake", &t("legacy"), Status::Pass, "a limit of the probe, not a fault of the peer");
    expect(&r, "tls.ciphers", &t("legacy"), Status::Pass, "chose AES128-SHA");
    expect(&r, "tls.protocol", &t("ssl3"), Status::Fail, "negotiates SSLv3");
    expect(&r, "certs.expiry", &t("legacy"), Status::Pass, "valid");
    // The known chains share one root; the stranger's chain is named, not counted.
    expect(&r, "certs.common-ca", "certificate authorities", Status::Pass, "both sides use");
    expect(&r, "certs.common-ca", "unknown roots", Status::Info, "otherca.scn.example");

    for (label, text) in [
        ("silent", "within 800 ms"),
        ("garbage", "not TLS"),
        ("reset", "reset"),
        ("http", "looks like HTTP"),
        ("alert", "handshake_failure"),
        ("halfclose", "closed"),
        ("drip", "within 800 ms"),
        ("huge", "exceeds the 262144-byte cap"),
    ] {
        let f = of(&r, "tls.handshake", &t(label));
        assert_eq!(f.status, Status::Fail, "{label}: {}", f.summary);
        assert!(f.summary.to_lowercase().contains(&text.to_lowercase()), "{label}: {:?} lacks {text:?}", f.summary);
        for check in ["certs.expiry", "certs.identity", "tls.mutual", "tls.protocol", "sip.options", "imp.peer-subjects"] {
            let f = of(&r, check, &t(label));
            assert_eq!(f.status, Status::Skip, "{check} {label}: {}", f.summary);
            assert!(f.summary.starts_with("cannot tell"), "{check} {label}: {}", f.summary);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_faults_are_named_per_resolver() {
    let mut s = Scenario::new(["ok", "noptr", "wrongptr", "noa", "split"].iter().map(|l| (l.to_string(), PeerKind::Good)).collect());
    s.dns.missing_ptr = vec!["noptr".into()];
    s.dns.wrong_ptr = vec!["wrongptr".into()];
    s.dns.no_a = vec!["noa".into()];
    s.dns.disagree = vec!["split".into()];
    let (lab, r, _) = audit(&s, Duration::from_millis(800)).await;
    let fq = RunningScenario::fqdn;
    let ip = |l: &str| lab.addrs.iter().find(|(x, _)| x == l).map(|(_, a)| a.ip().to_string()).unwrap_or_default();
    expect(&r, "dns.forward", &fq("ok"), Status::Pass, "resolves to");
    expect(&r, "dns.forward", &fq("noa"), Status::Fail, "NXDOMAIN");
    expect(&r, "dns.reverse", &format!("{} ({})", fq("ok"), ip("ok")), Status::Pass, "PTR maps back");
    expect(&r, "dns.reverse", &format!("{} ({})", fq("noptr"), ip("noptr")), Status::Fail, "gives no PTR");
    expect(
        &r,
        "dns.reverse",
        &format!("{} ({})", fq("wrongptr"), ip("wrongptr")),
        Status::Fail,
        &format!("names {} for {}, but {} does not resolve back to it", fq("ok"), ip("wrongptr"), fq("ok")),
    );
    expect(&r, "dns.reverse", &fq("noa"), Status::Skip, "cannot tell");
    expect(&r, "dns.agreement", &fq("split"), Status::Warn, "resolvers disagree");
    expect(&r, "dns.agreement", &fq("ok"), Status::Pass, "2 resolvers agree");
    // A peer with no address cannot be probed: its TLS checks say why.
    expect(&r, "tls.handshake", &format!("{}:5061", fq("noa")), Status::Skip, "has no address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_resolver_is_a_finding_not_a_crash() {
    let lab = Scenario::new(vec![("ok".into(), PeerKind::Good)]).start().await.expect("scenario");
    // Point the Microsoft side at a port where nothing answers.
    let dead = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let dead_addr = dead.local_addr().expect("addr");
    drop(dead);
    let text = std::fs::read_to_string(&lab.inventory).expect("read");
    let text = text.replacen("microsoft = [", &format!("microsoft = [\"{dead_addr}\", "), 1);
    std::fs::write(&lab.inventory, text).expect("write");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let opts = RunOptions {
        probe: ProbeOptions { timeout: Duration::from_millis(600), ..Default::default() },
        only: vec!["dns".into()],
        ..Default::default()
    };
    let started = Instant::now();
    let (r, _) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // One root finding names the silent resolver and how long it was tried…
    let dead_findings: Vec<&Finding> = r.findings.iter().filter(|f| f.check == "dns.resolvers" && f.status == Status::Fail).collect();
    assert_eq!(dead_findings.len(), 1, "{:#?}", r.findings);
    let f = dead_findings[0];
    assert!(f.summary.contains(&format!("{dead_addr} never answered")) && f.summary.contains(" ms"), "{}", f.summary);
    assert!(f.detail.as_deref().unwrap_or("").contains(&format!("dig @{} -p {}", dead_addr.ip(), dead_addr.port())), "{:?}", f.detail);
    // …and the records the other resolver gives are not blamed on it.
    let f = of(&r, "dns.forward", &RunningScenario::fqdn("ok"));
    assert_eq!(f.status, Status::Pass, "{}", f.summary);
    assert!(r.findings.iter().filter(|f| f.check.starts_with("dns.") && f.check != "dns.resolvers").all(|f| f.status != Status::Fail));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_trust_stores_the_trust_checks_cannot_tell() {
    let lab = Scenario::new(vec![("ok".into(), PeerKind::Good)]).start().await.expect("scenario");
    let text = std::fs::read_to_string(&lab.inventory).expect("read").replace("trust_store = \"ca.pem\"\n", "");
    std::fs::write(&lab.inventory, text).expect("write");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let opts = RunOptions {
        probe: ProbeOptions { timeout: Duration::from_millis(800), ..Default::default() },
        only: vec!["certs".into()],
        ..Default::default()
    };
    let (r, _) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    expect(&r, "certs.cross-trust", &lab.target("ok"), Status::Skip, "no [cisco] trust_store");
    expect(&r, "certs.common-ca", "certificate authorities", Status::Skip, "no trust store");
    expect(&r, "certs.expiry", &lab.target("ok"), Status::Pass, "valid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_refuses_imps_cipher_list() {
    let lab = Scenario::new(vec![("ok".into(), PeerKind::Good)]).start().await.expect("scenario");
    // IM&P offers only static-RSA suites, which the peer does not implement.
    let text = std::fs::read_to_string(&lab.inventory).expect("read").replace(
        "tls_ciphers = [\"ECDHE-RSA-AES256-GCM-SHA384\", \"ECDHE-RSA-AES128-GCM-SHA256\", \"AES128-SHA\"]",
        "tls_ciphers = [\"AES128-SHA\", \"DES-CBC3-SHA\"]",
    );
    std::fs::write(&lab.inventory, text).expect("write");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let opts = RunOptions {
        probe: ProbeOptions { timeout: Duration::from_millis(800), ..Default::default() },
        only: vec!["tls".into()],
        ..Default::default()
    };
    let (r, _) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    expect(&r, "tls.ciphers", &lab.target("ok"), Status::Fail, "refuses every suite IM&P offers");
    // The modern path still completes: the refusal is about IM&P's list, not the peer.
    expect(&r, "tls.handshake", &lab.target("ok"), Status::Pass, "TLSv1.3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_deadline_bounds_silent_peers_and_says_cannot_tell() {
    let peers = vec![("ok".to_string(), PeerKind::Good), ("mute".to_string(), PeerKind::Hostile(Behaviour::Silent))];
    let lab = Scenario::new(peers).start().await.expect("scenario");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    // Probes may wait 30 s, the whole run only 1 s.
    let opts = RunOptions {
        probe: ProbeOptions { timeout: Duration::from_secs(30), deadline: Duration::from_secs(1), ..Default::default() },
        only: vec!["tls.handshake".into()],
        ..Default::default()
    };
    let started = Instant::now();
    let (r, snapshot) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(snapshot.deadline_hit);
    expect(&r, "tls.handshake", &lab.target("ok"), Status::Pass, "TLS");
    expect(&r, "tls.handshake", &lab.target("mute"), Status::Skip, "the run deadline was reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_enforcing_mutual_tls_is_not_blamed_when_no_client_certificate_is_configured() {
    let lab = Scenario::new(vec![("strict".into(), PeerKind::RequireClientCert), ("strict12".into(), PeerKind::RequireClientCert12)])
        .start()
        .await
        .expect("scenario");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let opts = RunOptions {
        probe: ProbeOptions { timeout: Duration::from_millis(800), ..Default::default() },
        only: vec!["tls".into(), "sip".into()],
        ..Default::default()
    };
    // With IM&P's certificate the strict peer completes the handshake and answers SIP.
    let (r, _) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    for strict in ["strict", "strict12"] {
        expect(&r, "tls.handshake", &lab.target(strict), Status::Pass, "TLS");
        expect(&r, "sip.options", &lab.target(strict), Status::Pass, "200");
    }
    // Without it: the inventory's gap is named, not the peer's fault.
    let text = std::fs::read_to_string(&lab.inventory).expect("read").replace("client_cert = \"imp.pem\"\nclient_key = \"imp.key\"\n", "");
    std::fs::write(&lab.inventory, text).expect("write");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let (r, _) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    // TLS 1.3 completes on the client's side; the refusal comes with the first read.
    expect(&r, "sip.options", &lab.target("strict"), Status::Skip, "set [cisco] client_cert and client_key");
    expect(&r, "tls.mutual", &lab.target("strict"), Status::Pass, "asks for a client certificate");
    // TLS 1.2 refuses inside the handshake; IM&P's hello still gets its answer.
    expect(&r, "tls.handshake", &lab.target("strict12"), Status::Pass, "set [cisco] client_cert and client_key");
    assert!(r.findings.iter().filter(|f| f.target.contains("strict")).all(|f| f.status != Status::Fail), "{:#?}", r.findings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acl_that_names_hosts_but_not_their_addresses() {
    // IM&P matches name entries through reverse DNS: a PTR back to a listed name admits
    // the address; without a PTR the name entry cannot.
    let mut s = Scenario::new(vec![("ok".into(), PeerKind::Good), ("noptr".into(), PeerKind::Good)]);
    s.dns.missing_ptr = vec!["noptr".into()];
    let lab = s.start().await.expect("scenario");
    let text = std::fs::read_to_string(&lab.inventory)
        .expect("read")
        .replace("acl = [\"all\"]", "acl = [\"pool.scn.example\", \"ok.scn.example\", \"noptr.scn.example\"]");
    std::fs::write(&lab.inventory, text).expect("write");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let opts = RunOptions {
        probe: ProbeOptions { timeout: Duration::from_millis(800), ..Default::default() },
        only: vec!["imp.acl".into()],
        ..Default::default()
    };
    let (r, _) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    let ip = |label: &str| lab.addrs.iter().find(|(l, _)| l == label).map(|(_, a)| a.ip()).expect("address");
    expect(&r, "imp.acl", "ok.scn.example", Status::Pass, "FQDN is in the incoming ACL");
    expect(&r, "imp.acl", &format!("ok.scn.example ({})", ip("ok")), Status::Pass, "admitted by name");
    expect(&r, "imp.acl", &format!("noptr.scn.example ({})", ip("noptr")), Status::Fail, "has no PTR record");
}

/// A resolver answering hundreds of addresses for one name: OBSERVE follows a bounded
/// number of them (PTRs asked, TLS probed), says so in a finding, and stays quick.
#[tokio::test]
async fn a_huge_dns_answer_is_followed_only_so_far_and_said() {
    let mut s = Scenario::new(vec![("fe1".into(), PeerKind::Good), ("wide".into(), PeerKind::Good)]);
    s.dns.many_a = vec!["wide".into()];
    let lab = s.start().await.expect("scenario starts");
    let loaded = fedcheck::inventory::load(&lab.inventory).unwrap_or_else(|e| panic!("{e}"));
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let opts = RunOptions {
        probe: ProbeOptions { timeout: Duration::from_millis(800), ..Default::default() },
        only: vec!["dns.reverse".into(), "tls.handshake".into()],
        ..Default::default()
    };
    let started = Instant::now();
    let (report, snapshot) = engine::run(&loaded, &catalog, &fedcheck::checks::registry(), &opts).await.expect("run");
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    let wide = "wide.scn.example";
    let ptrs = snapshot
        .dns
        .iter()
        .filter(|o| o.query.rtype == fedcheck::snapshot::dns::RecordType::Ptr && o.query.name.starts_with("127.250."))
        .count();
    assert!(ptrs <= 16 * snapshot.resolvers.all().len(), "{ptrs} PTR questions for the wide answer");
    assert!(snapshot.fanout_capped.iter().any(|l| l.contains(wide) && l.contains("the first 16 followed")), "{:?}", snapshot.fanout_capped);
    assert!(snapshot.peers.iter().filter(|p| p.server_name == wide).count() <= 16, "TLS probed past the cap");
    assert!(
        report.findings.iter().any(|f| f.check == "dns.reverse" && f.target == "dns fan-out" && f.status == Status::Info),
        "no finding says so"
    );
}
