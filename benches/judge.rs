//! Benchmark of the JUDGE phase and the renderers, without the network: a synthetic
//! site of N front ends and a live-looking snapshot built in memory (per name, each of
//! two resolvers answers A, AAAA and PTR, and the PTR name forward again: 8
//! observations a name; each front end probed on both TLS paths with its own chain and
//! a SIP answer). Prints the median of several runs of judge, judge + render, and
//! `Snapshot::from_json` of the same snapshot (what `fedcheck analyze` reads).
//!
//!   cargo bench --bench judge                 (1,000 peers, then 64k observations)
//!   cargo bench --bench judge -- 1000 8000    (front ends per site)

use fedcheck::judge::{self, Catalog};
use fedcheck::lab::pki::{self, Ca, LeafSpec};
use fedcheck::report::{self, RenderContext};
use fedcheck::snapshot::dns::{DnsObservation, DnsOutcome, DnsQuery, Rcode, RecordType};
use fedcheck::snapshot::raw::{RawHandshake, RawObservation, RawOutcome};
use fedcheck::snapshot::sip::{SipObservation, SipOutcome};
use fedcheck::snapshot::tls::{TlsObservation, TlsOutcome, TlsVersion};
use fedcheck::snapshot::{PeerObservation, Snapshot};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

const DOMAIN: &str = "bench.example";

fn ip(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 10 + (i / 65_000) as u8, ((i / 250) % 250) as u8, (i % 250 + 1) as u8)
}

fn fqdn(i: usize) -> String {
    format!("fe{i:05}.{DOMAIN}")
}

fn answer(server: SocketAddr, name: String, rtype: RecordType, records: Vec<String>) -> DnsObservation {
    DnsObservation {
        query: DnsQuery { server, name, rtype },
        elapsed_ms: 1,
        outcome: DnsOutcome::Answer { rcode: Rcode::NoError, authoritative: true, records },
    }
}

/// The inventory and snapshot of a site with `n` front ends; `peers` of them probed.
fn site(n: usize, peers: usize, dir: &std::path::Path) -> anyhow::Result<(fedcheck::inventory::Loaded, Snapshot)> {
    let ca = Ca::new_root("Bench Root")?;
    std::fs::write(dir.join("ca.pem"), ca.cert_pem())?;
    let servers: Vec<String> = (0..n).map(|i| format!("\"{}\"", fqdn(i))).collect();
    let inventory = format!(
        r#"[site]
name = "bench"
presence_domains = ["{DOMAIN}"]

[dns]
imp = ["127.0.0.53"]
microsoft = ["127.0.0.54"]

[cisco]
imp_version = "14.0.1.12900-2"
cucm_version = "14.0.1.12900-161"
trust_store = "ca.pem"

[[cisco.nodes]]
fqdn = "imp-rt.{DOMAIN}"
product = "imp"
role = "routing"

[cisco.federation]
tls_peer_subjects = [{servers}]
acl = ["all"]

[microsoft]
platform = "sfb2015"
sip_domains = ["{DOMAIN}"]
trust_store = "ca.pem"

[[microsoft.pools]]
fqdn = "pool.{DOMAIN}"
servers = [{servers}]
port = 5061
"#,
        servers = servers.join(", ")
    );
    let path = dir.join("site.toml");
    std::fs::write(&path, inventory)?;
    let loaded = fedcheck::inventory::load(&path).map_err(|e| anyhow::anyhow!("{e}"))?;

    let mut snap = Snapshot::offline("2026-12-01T00:00:00Z".into());
    snap.live = true;
    snap.not_live_reason = None;
    let resolvers = [SocketAddr::from(([127, 0, 0, 53], 53)), SocketAddr::from(([127, 0, 0, 54], 53))];
    snap.resolvers.imp = vec![resolvers[0]];
    snap.resolvers.microsoft = vec![resolvers[1]];
    let key = pki::shared_rsa_key()?;
    for i in 0..n {
        let (name, addr) = (fqdn(i), ip(i));
        for server in resolvers {
            snap.dns.push(answer(server, name.clone(), RecordType::A, vec![addr.to_string()]));
            snap.dns.push(answer(server, name.clone(), RecordType::Aaaa, Vec::new()));
            snap.dns.push(answer(server, addr.to_string(), RecordType::Ptr, vec![name.clone()]));
            // The PTR name asked forward again, as OBSERVE does (here under its own key).
            snap.dns.push(answer(server, format!("{name}."), RecordType::A, vec![addr.to_string()]));
        }
        if i < peers {
            let leaf = ca.issue_with_key(&LeafSpec::new(&name), key)?;
            let chain = vec![leaf.cert_pem.clone(), ca.cert_pem()];
            let hs = RawHandshake {
                version: TlsVersion::Tls12,
                cipher_suite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
                cipher_code: 0xc030,
                chain_pem: chain.clone(),
                client_cert_requested: true,
                acceptable_ca_names: vec!["CN=Bench Root".into()],
                complete: true,
            };
            snap.peers.push(PeerObservation {
                addr: SocketAddr::new(IpAddr::V4(addr), 5061),
                server_name: name.clone(),
                raw: Some(RawObservation { elapsed_ms: 2, outcome: RawOutcome::Handshake(hs), partial: None }),
                tls: Some(TlsObservation {
                    elapsed_ms: 3,
                    outcome: TlsOutcome::Connected {
                        version: TlsVersion::Tls12,
                        cipher_suite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
                        chain_pem: chain,
                        client_cert_requested: true,
                        client_cert_sent: false,
                    },
                }),
                sip: Some(SipObservation {
                    elapsed_ms: 1,
                    outcome: SipOutcome::Response { status: 200, reason: "OK".into(), server: Some("RTCC/7.0".into()), allow: Vec::new() },
                }),
                not_run: None,
            });
        }
    }
    snap.dns.sort_by(|a, b| a.query.cmp(&b.query));
    snap.peers.sort_by_key(|p| p.addr);
    Ok((loaded, snap))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if args.is_empty() { vec![1000, 8000] } else { args };
    let catalog = Catalog::builtin()?;
    let checks = fedcheck::checks::registry();
    println!("{:>8} {:>7} {:>9} {:>12} {:>16} {:>14}", "names", "peers", "dns obs", "judge ms", "judge+render ms", "from_json ms");
    for n in sizes {
        let dir = tempfile::tempdir()?;
        let peers = n.min(1000);
        let (loaded, snap) = site(n, peers, dir.path())?;
        let selection = judge::select(&checks, &catalog, &[], &[])?;
        let now = jiff::Timestamp::now();
        let runs = if n > 4000 { 3 } else { 7 };
        let (mut judge_t, mut total_t, mut parse_t) = (Vec::new(), Vec::new(), Vec::new());
        let json = serde_json::to_string(&snap)?;
        let mut findings = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let report = judge::build_report(&loaded, &catalog, &snap, &selection, None, now, String::new(), Duration::ZERO);
            judge_t.push(t.elapsed());
            let ctx = RenderContext::new(&report, &catalog);
            let text = report::View::Terminal.render(&ctx)?;
            let js = report::Format::Json.render(&ctx)?;
            let html = report::Format::Html.render(&ctx)?;
            total_t.push(t.elapsed());
            findings = report.findings.len();
            std::hint::black_box((text, js, html));
            let t = Instant::now();
            let back = Snapshot::from_json(&json)?;
            parse_t.push(t.elapsed());
            std::hint::black_box(back);
        }
        if std::env::var_os("BENCH_PER_CHECK").is_some() {
            for c in &checks {
                let one = judge::select(&checks, &catalog, &[c.id().to_string()], &[])?;
                let t = Instant::now();
                let _ = judge::judge(&loaded, &catalog, &snap, &one, now);
                println!("    {:<32} {:>9.1} ms", c.id(), t.elapsed().as_secs_f64() * 1e3);
            }
        }
        println!(
            "{n:>8} {peers:>7} {:>9} {:>12.1} {:>16.1} {:>14.1}   ({findings} findings)",
            snap.dns.len(),
            median(judge_t).as_secs_f64() * 1e3,
            median(total_t).as_secs_f64() * 1e3,
            median(parse_t).as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
