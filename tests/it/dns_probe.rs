//! The DNS probe against real servers on loopback: the in-process authoritative lab
//! server, and hand-made peers that stay silent, answer late or answer garbage.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use fedcheck::lab::dns::{self as lab, LabDns, ZoneData};
use fedcheck::probe::dns::query;
use fedcheck::snapshot::dns::{DnsObservation, DnsOutcome, DnsQuery, Rcode, RecordType};
use hickory_proto::op::{Message, MessageType, OpCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record};
use tokio::net::UdpSocket;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Generous for a server on loopback; a correct run answers in milliseconds.
const ANSWER_BUDGET: Duration = Duration::from_secs(3);
/// Short budget for peers that are expected not to answer.
const SHORT: Duration = Duration::from_millis(300);

fn v4(last: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, last)
}

/// The main lab: IM&P and Lync hosts with the usual DNS mistakes.
fn lab_data() -> ZoneData {
    let mut data = ZoneData::new()
        // Correct: A and matching PTR.
        .host("imp1.lab.example", v4(11))
        // A record, PTR missing.
        .a("imp2.lab.example", v4(12))
        // PTR points at a different host than the A record.
        .a("lync-fe.lab.example", v4(13))
        .ptr(IpAddr::V4(v4(13)), "old-fe.lab.example")
        .cname("sip.lab.example", "lync-fe.lab.example");
    // Enough A records that the answer cannot fit into 512 bytes of UDP.
    for i in 0..40u8 {
        data.push("pool.lab.example", lab::LabRecord::A(Ipv4Addr::new(127, 1, 0, i)));
    }
    data
}

async fn start_lab() -> LabDns {
    lab::start(LOOPBACK, &["lab.example", "127.in-addr.arpa"], &lab_data()).await.unwrap()
}

fn q(server: SocketAddr, name: &str, rtype: RecordType) -> DnsQuery {
    DnsQuery { server, name: name.to_string(), rtype }
}

async fn ask(server: SocketAddr, name: &str, rtype: RecordType) -> DnsObservation {
    query(&q(server, name, rtype), ANSWER_BUDGET, 1).await
}

/// (rcode, authoritative, records) or a panic naming what came back instead.
fn answer(obs: &DnsObservation) -> (Rcode, bool, Vec<&str>) {
    match &obs.outcome {
        DnsOutcome::Answer { rcode, authoritative, records } => (*rcode, *authoritative, records.iter().map(String::as_str).collect()),
        other => panic!("expected an answer, got {other:?}"),
    }
}

#[tokio::test]
async fn host_with_a_and_matching_ptr() {
    let dns = start_lab().await;
    let fwd = ask(dns.addr, "imp1.lab.example", RecordType::A).await;
    assert_eq!(answer(&fwd), (Rcode::NoError, true, vec!["127.0.0.11"]));
    assert_eq!(fwd.query.server, dns.addr);
    let rev = ask(dns.addr, "127.0.0.11", RecordType::Ptr).await;
    assert_eq!(answer(&rev), (Rcode::NoError, true, vec!["imp1.lab.example"]));
    // Names are case-insensitive on the wire; the answer is normalised anyway.
    let upper = ask(dns.addr, "IMP1.Lab.Example.", RecordType::A).await;
    assert_eq!(answer(&upper), (Rcode::NoError, true, vec!["127.0.0.11"]));
    assert!(fwd.describe().starts_with(&format!("{} answered NOERROR (authoritative) in ", dns.addr)), "{}", fwd.describe());
}

#[tokio::test]
async fn host_with_a_but_no_ptr() {
    let dns = start_lab().await;
    let fwd = ask(dns.addr, "imp2.lab.example", RecordType::A).await;
    assert_eq!(answer(&fwd), (Rcode::NoError, true, vec!["127.0.0.12"]));
    let rev = ask(dns.addr, "127.0.0.12", RecordType::Ptr).await;
    assert_eq!(answer(&rev), (Rcode::NXDomain, true, vec![]));
}

#[tokio::test]
async fn ptr_names_another_host() {
    let dns = start_lab().await;
    let fwd = ask(dns.addr, "lync-fe.lab.example", RecordType::A).await;
    assert_eq!(answer(&fwd), (Rcode::NoError, true, vec!["127.0.0.13"]));
    let rev = ask(dns.addr, "127.0.0.13", RecordType::Ptr).await;
    assert_eq!(answer(&rev), (Rcode::NoError, true, vec!["old-fe.lab.example"]));
}

#[tokio::test]
async fn missing_name_is_authoritative_nxdomain() {
    let dns = start_lab().await;
    let obs = ask(dns.addr, "nope.lab.example", RecordType::A).await;
    assert_eq!(answer(&obs), (Rcode::NXDomain, true, vec![]));
    let line = obs.describe();
    assert!(line.contains("answered NXDOMAIN (authoritative) in"), "{line}");
}

#[tokio::test]
async fn aaaa_on_an_a_only_host_is_empty_noerror() {
    let dns = start_lab().await;
    let obs = ask(dns.addr, "imp1.lab.example", RecordType::Aaaa).await;
    assert_eq!(answer(&obs), (Rcode::NoError, true, vec![]));
    assert!(obs.describe().contains("with no AAAA records"), "{}", obs.describe());
}

#[tokio::test]
async fn cname_is_followed_inside_the_zone() {
    let dns = start_lab().await;
    let obs = ask(dns.addr, "sip.lab.example", RecordType::A).await;
    assert_eq!(answer(&obs), (Rcode::NoError, true, vec!["127.0.0.13"]));
}

#[tokio::test]
async fn names_outside_the_zones_are_refused() {
    let dns = start_lab().await;
    let obs = ask(dns.addr, "www.elsewhere.example", RecordType::A).await;
    let (rcode, authoritative, records) = answer(&obs);
    assert_eq!(rcode, Rcode::Refused);
    assert!(!authoritative);
    assert!(records.is_empty());
}

#[tokio::test]
async fn truncated_udp_answer_is_retried_over_tcp() {
    let dns = start_lab().await;
    // First prove that UDP alone cannot carry this answer.
    let mut request = Message::query();
    request.add_query(hickory_proto::op::Query::query("pool.lab.example.".parse().unwrap(), hickory_proto::rr::RecordType::A));
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    socket.send_to(&request.to_vec().unwrap(), dns.addr).await.unwrap();
    let mut buf = [0u8; 2048];
    let (n, _) = tokio::time::timeout(ANSWER_BUDGET, socket.recv_from(&mut buf)).await.unwrap().unwrap();
    let udp_reply = Message::from_vec(&buf[..n]).unwrap();
    assert!(udp_reply.metadata.truncation);
    assert!(udp_reply.answers.len() < 40);

    let obs = ask(dns.addr, "pool.lab.example", RecordType::A).await;
    let (rcode, authoritative, records) = answer(&obs);
    assert_eq!((rcode, authoritative), (Rcode::NoError, true));
    assert_eq!(records.len(), 40);
    // Sorted by address, not as text.
    assert_eq!(records[2], "127.1.0.2");
    assert_eq!(records[39], "127.1.0.39");
}

#[tokio::test]
async fn two_servers_that_disagree() {
    let first = start_lab().await;
    let other = ZoneData::new().host("imp1.lab.example", v4(99)).a("imp2.lab.example", v4(12));
    let second = lab::start(LOOPBACK, &["lab.example"], &other).await.unwrap();
    assert_ne!(first.addr, second.addr);

    let a = ask(first.addr, "imp1.lab.example", RecordType::A).await;
    let b = ask(second.addr, "imp1.lab.example", RecordType::A).await;
    assert_eq!(answer(&a).2, vec!["127.0.0.11"]);
    assert_eq!(answer(&b).2, vec!["127.0.0.99"]);
    // Where they agree, the answers are equal.
    let a2 = ask(first.addr, "imp2.lab.example", RecordType::A).await;
    let b2 = ask(second.addr, "imp2.lab.example", RecordType::A).await;
    assert_eq!(a2.outcome, b2.outcome);
    // The second server has no reverse zone of its own apart from the implied one.
    let rev = ask(second.addr, "127.0.0.99", RecordType::Ptr).await;
    assert_eq!(answer(&rev), (Rcode::NoError, true, vec!["imp1.lab.example"]));
    let rev_missing = ask(second.addr, "127.0.0.11", RecordType::Ptr).await;
    assert_eq!(answer(&rev_missing).0, Rcode::NXDomain);
}

#[tokio::test]
async fn closed_port_times_out_within_budget() {
    // Bind a socket to learn a free port, then close it: nothing listens there.
    let port = {
        let s = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        s.local_addr().unwrap()
    };
    let started = Instant::now();
    let obs = query(&q(port, "imp1.lab.example", RecordType::A), SHORT, 2).await;
    let took = started.elapsed();
    let waited = match obs.outcome {
        DnsOutcome::Timeout { after_ms } => {
            assert!(after_ms >= 550, "gave up early: {after_ms} ms");
            after_ms
        }
        ref other => panic!("expected a timeout, got {other:?}"),
    };
    assert!(took < SHORT * 2 + Duration::from_millis(250), "took {took:?}");
    // The message gives the time the probe waited (its outcome's), which can be a
    // millisecond short of the observation's total.
    assert_eq!(obs.describe(), format!("no answer from {port} in {waited} ms"));
}

/// A peer that reads every datagram and never answers; reports how many it got.
async fn silent_peer() -> (SocketAddr, tokio::task::JoinHandle<usize>) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = socket.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 512];
        let mut seen = 0;
        while let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(700), socket.recv_from(&mut buf)).await {
            seen += 1;
        }
        seen
    });
    (addr, task)
}

#[tokio::test]
async fn silent_server_is_asked_once_per_attempt() {
    let (addr, peer) = silent_peer().await;
    let started = Instant::now();
    let obs = query(&q(addr, "imp1.lab.example", RecordType::A), Duration::from_millis(150), 3).await;
    assert!(matches!(obs.outcome, DnsOutcome::Timeout { .. }), "{obs:?}");
    assert!(started.elapsed() < Duration::from_millis(450 + 250));
    assert_eq!(peer.await.unwrap(), 3);
}

/// A peer that ignores the first query and answers the second one correctly.
#[tokio::test]
async fn answer_to_a_resend_is_accepted() {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 512];
        let _ = socket.recv_from(&mut buf).await.unwrap();
        let (n, from) = socket.recv_from(&mut buf).await.unwrap();
        let request = Message::from_vec(&buf[..n]).unwrap();
        let mut reply = Message::response(request.metadata.id, OpCode::Query);
        reply.metadata.authoritative = true;
        let question = request.queries[0].clone();
        let owner = question.name().clone();
        reply.add_query(question);
        reply.add_answer(Record::from_rdata(owner, 60, RData::A(A(v4(77)))));
        socket.send_to(&reply.to_vec().unwrap(), from).await.unwrap();
    });
    let obs = query(&q(addr, "late.lab.example", RecordType::A), SHORT, 3).await;
    assert_eq!(answer(&obs), (Rcode::NoError, true, vec!["127.0.0.77"]));
    assert!(obs.elapsed_ms >= 290, "answered before the resend: {obs:?}");
}

/// A peer that answers every datagram with whatever `reply` makes of it.
async fn scripted_peer(reply: fn(&[u8]) -> Vec<u8>) -> SocketAddr {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = socket.recv_from(&mut buf).await {
            let _ = socket.send_to(&reply(&buf[..n]), from).await;
        }
    });
    addr
}

fn expect_error(obs: &DnsObservation, peer: SocketAddr, needle: &str) {
    match &obs.outcome {
        DnsOutcome::Error { message } => {
            assert!(message.contains(&peer.to_string()), "server not named: {message}");
            assert!(message.contains(needle), "{message}");
            assert_eq!(obs.describe(), *message);
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[tokio::test]
async fn garbage_reply_is_an_error_naming_the_server() {
    let peer = scripted_peer(|_| b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()).await;
    let started = Instant::now();
    let obs = query(&q(peer, "imp1.lab.example", RecordType::A), SHORT, 3).await;
    expect_error(&obs, peer, "not a DNS message");
    // Reported as soon as it arrives, not after the budget.
    assert!(started.elapsed() < SHORT);
}

#[tokio::test]
async fn garbage_with_the_right_id_is_an_error() {
    // Echo the id, then junk: passes the cheap screen, fails the parse.
    let peer = scripted_peer(|query| {
        let mut out = query.get(..2).unwrap_or_default().to_vec();
        out.extend_from_slice(&[0x81, 0x80, 0, 1, 0, 9, 0, 0, 0, 0, 7, 7]);
        out
    })
    .await;
    let obs = query(&q(peer, "imp1.lab.example", RecordType::A), SHORT, 1).await;
    expect_error(&obs, peer, "not a DNS message");
}

#[tokio::test]
async fn echo_service_is_an_error() {
    let peer = scripted_peer(|query| query.to_vec()).await;
    let obs = query(&q(peer, "imp1.lab.example", RecordType::A), SHORT, 1).await;
    expect_error(&obs, peer, "query instead of a response");
}

#[tokio::test]
async fn answer_to_another_question_is_an_error() {
    let peer = scripted_peer(|query| {
        let Ok(request) = Message::from_vec(query) else {
            return Vec::new();
        };
        let mut reply = Message::response(request.metadata.id, OpCode::Query);
        reply.add_query(hickory_proto::op::Query::query("evil.example.".parse().unwrap(), hickory_proto::rr::RecordType::A));
        reply.to_vec().unwrap_or_default()
    })
    .await;
    let obs = query(&q(peer, "imp1.lab.example", RecordType::A), SHORT, 1).await;
    expect_error(&obs, peer, "different question");
}

#[tokio::test]
async fn truncated_reply_without_tcp_is_an_error() {
    // Claims truncation, but nothing listens on TCP at that port.
    let peer = scripted_peer(|query| {
        let Ok(request) = Message::from_vec(query) else {
            return Vec::new();
        };
        let mut reply = Message::response(request.metadata.id, OpCode::Query);
        reply.metadata.message_type = MessageType::Response;
        reply.metadata.truncation = true;
        reply.add_queries(request.queries);
        reply.to_vec().unwrap_or_default()
    })
    .await;
    let obs = query(&q(peer, "imp1.lab.example", RecordType::A), SHORT, 1).await;
    expect_error(&obs, peer, "truncated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_parallel_queries_are_all_correct() {
    let dns = start_lab().await;
    let cases: [(&str, RecordType, &str, &[&str]); 4] = [
        ("imp1.lab.example", RecordType::A, "NoError", &["127.0.0.11"]),
        ("127.0.0.13", RecordType::Ptr, "NoError", &["old-fe.lab.example"]),
        ("nope.lab.example", RecordType::A, "NXDomain", &[]),
        ("imp2.lab.example", RecordType::A, "NoError", &["127.0.0.12"]),
    ];
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let (name, rtype, rcode, records) = cases[i % cases.len()];
            let query_for = q(dns.addr, name, rtype);
            tokio::spawn(async move {
                let obs = query(&query_for, ANSWER_BUDGET, 2).await;
                (obs, rcode, records)
            })
        })
        .collect();
    for (i, task) in futures::future::join_all(tasks).await.into_iter().enumerate() {
        let (obs, rcode, records) = task.unwrap();
        let got = answer(&obs);
        assert_eq!((got.0.to_string().as_str(), got.1), (rcode, true), "query {i}: {obs:?}");
        assert_eq!(got.2, records, "query {i}");
    }
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let dns = start_lab().await;
    let addr = dns.addr;
    assert_eq!(answer(&ask(addr, "imp1.lab.example", RecordType::A).await).0, Rcode::NoError);
    dns.shutdown().await;
    let obs = query(&q(addr, "imp1.lab.example", RecordType::A), SHORT, 1).await;
    assert!(matches!(obs.outcome, DnsOutcome::Timeout { .. }), "{obs:?}");
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let dns = start_lab().await;
    let addr = dns.addr;
    drop(dns);
    // Let the aborted listener tasks wind down before asking.
    tokio::task::yield_now().await;
    let obs = query(&q(addr, "imp1.lab.example", RecordType::A), SHORT, 1).await;
    assert!(matches!(obs.outcome, DnsOutcome::Timeout { .. }), "{obs:?}");
}

#[tokio::test]
async fn malformed_question_is_an_error_not_a_panic() {
    let dns = start_lab().await;
    let bad_ptr = ask(dns.addr, "not-an-address", RecordType::Ptr).await;
    assert!(matches!(bad_ptr.outcome, DnsOutcome::Error { .. }), "{bad_ptr:?}");
    let long_label = format!("{}.lab.example", "x".repeat(70));
    let bad_name = ask(dns.addr, &long_label, RecordType::A).await;
    assert!(matches!(bad_name.outcome, DnsOutcome::Error { .. }), "{bad_name:?}");
}
