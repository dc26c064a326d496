//! DNS probe: asks one configured server one question and records exactly what came
//! back (rcode, AA flag, records) or why nothing usable did.
//!
//! The exchange is built by hand on top of hickory-proto's message codec rather than
//! through a resolver (which rewrites special-use names such as 127.in-addr.arpa and
//! merges servers) or hickory-net's client stream (which silently drops datagrams it
//! cannot match, so a server that answers garbage looks the same as a silent one). A
//! diagnostic tool needs both distinctions.

use crate::text::millis;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, Query};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType as WireType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::Instant;

use crate::snapshot::dns::{DnsObservation, DnsOutcome, DnsQuery, Rcode, RecordType};

/// Upper bound on any single wait, so deadline arithmetic can never overflow.
const MAX_BUDGET: Duration = Duration::from_secs(86_400);

/// Ask `q.server` (and only it) the question over UDP, resending up to `attempts`
/// times with `timeout` per attempt; a truncated reply is retried over TCP within the
/// remaining budget. Never panics and returns within about `timeout × attempts`.
pub async fn query(q: &DnsQuery, timeout: Duration, attempts: u32) -> DnsObservation {
    let start = Instant::now();
    let outcome = exchange(q, timeout, attempts.max(1), start).await;
    DnsObservation { query: q.clone(), elapsed_ms: millis(start.elapsed()), outcome }
}

fn error(message: String) -> DnsOutcome {
    DnsOutcome::Error { message }
}

/// The on-the-wire question for a query: PTR questions are turned into their
/// in-addr.arpa / ip6.arpa form here so callers can pass a plain address.
fn question_name(q: &DnsQuery) -> Result<Name, String> {
    if q.rtype == RecordType::Ptr {
        if let Ok(ip) = q.name.trim().parse::<IpAddr>() {
            return Ok(Name::from(ip));
        }
        let lower = q.name.trim().trim_end_matches('.').to_ascii_lowercase();
        if !(lower.ends_with(".in-addr.arpa") || lower.ends_with(".ip6.arpa")) {
            return Err(format!("PTR query for '{}' needs an IP address (or a name under in-addr.arpa / ip6.arpa)", q.name));
        }
    }
    let mut name = Name::from_str_relaxed(q.name.trim()).map_err(|e| format!("'{}' is not a valid DNS name: {e}", q.name))?;
    name.set_fqdn(true);
    Ok(name)
}

async fn exchange(q: &DnsQuery, timeout: Duration, attempts: u32, start: Instant) -> DnsOutcome {
    let server = q.server;
    let name = match question_name(q) {
        Ok(n) => n,
        Err(message) => return error(message),
    };
    let question = Query::query(name, wire_type(q.rtype));
    let mut request = Message::query();
    request.metadata.recursion_desired = true;
    request.add_query(question.clone());
    let id = request.metadata.id;
    let bytes = match request.to_vec() {
        Ok(b) => b,
        Err(e) => return error(format!("could not encode the query for {server}: {e}")),
    };

    let timeout = timeout.min(MAX_BUDGET);
    let total = timeout.saturating_mul(attempts).min(MAX_BUDGET);
    let overall_deadline = start + total;

    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = match UdpSocket::bind(local).await {
        Ok(s) => s,
        Err(e) => return error(format!("could not open a UDP socket to query {server}: {e}")),
    };
    // Connecting makes the kernel drop datagrams from anyone but this server.
    if let Err(e) = socket.connect(server).await {
        return error(format!("cannot reach {server} over UDP: {e}"));
    }

    let mut buf = vec![0u8; 65_535];
    for attempt in 1..=attempts {
        if let Err(message) = send_udp(&socket, &bytes, server).await {
            return error(message);
        }
        let attempt_deadline = start + timeout.saturating_mul(attempt).min(MAX_BUDGET);
        // The same id is reused across attempts, so a late reply to an earlier send
        // still counts.
        loop {
            let received = tokio::time::timeout_at(attempt_deadline, socket.recv(&mut buf)).await;
            let len = match received {
                Err(_elapsed) => break,
                // An ICMP port-unreachable from an earlier send: nothing listens there,
                // which to the caller is the same as silence: wait out this attempt.
                Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    tokio::time::sleep_until(attempt_deadline).await;
                    break;
                }
                Ok(Err(e)) => return error(format!("receiving from {server} failed: {e}")),
                Ok(Ok(n)) => n,
            };
            let Some(datagram) = buf.get(..len) else {
                return error(format!("receiving from {server} returned an impossible length"));
            };
            match judge_reply(datagram, id, &question, server) {
                Reply::Ignore => continue,
                Reply::Bad(message) => return error(message),
                Reply::Good(msg) if msg.metadata.truncation => {
                    let tcp = TcpExchange { bytes: &bytes, id, question: &question, server };
                    return tcp.run(q.rtype, overall_deadline).await;
                }
                Reply::Good(msg) => return answer(&msg, q.rtype),
            }
        }
    }
    DnsOutcome::Timeout { after_ms: millis(start.elapsed()) }
}

/// Send one datagram. A pending ICMP error from an earlier send is reported by the
/// kernel on the next send instead of sending; try once more in that case.
async fn send_udp(socket: &UdpSocket, bytes: &[u8], server: SocketAddr) -> Result<(), String> {
    for _ in 0..2 {
        match socket.send(bytes).await {
            Ok(n) if n == bytes.len() => return Ok(()),
            Ok(n) => return Err(format!("sent only {n} of {} bytes to {server}", bytes.len())),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
            Err(e) => return Err(format!("could not send the query to {server}: {e}")),
        }
    }
    // Still refused: nothing listens. The wait that follows ends as a timeout.
    Ok(())
}

enum Reply {
    /// A well-formed response that belongs to some other exchange.
    Ignore,
    Bad(String),
    Good(Box<Message>),
}

fn judge_reply(bytes: &[u8], id: u16, question: &Query, server: SocketAddr) -> Reply {
    let msg = match Message::from_vec(bytes) {
        Ok(m) => m,
        Err(e) => return Reply::Bad(format!("{server} replied with {} bytes that are not a DNS message ({e})", bytes.len())),
    };
    if msg.metadata.id != id {
        return Reply::Ignore;
    }
    if msg.metadata.message_type != MessageType::Response {
        return Reply::Bad(format!("{server} sent back a query instead of a response (an echo service, not DNS?)"));
    }
    // Some servers omit the question in error replies; accept that, but an answer to a
    // different question is a broken server.
    if !msg.queries.is_empty() && !msg.queries.iter().all(|r| same_question(r, question)) {
        let got: Vec<String> = msg.queries.iter().map(|r| format!("{} {}", r.query_type(), r.name())).collect();
        return Reply::Bad(format!(
            "{server} answered a different question ({}) than the one asked ({} {})",
            got.join(", "),
            question.query_type(),
            question.name()
        ));
    }
    Reply::Good(Box::new(msg))
}

fn same_question(a: &Query, b: &Query) -> bool {
    a.name() == b.name() && a.query_type() == b.query_type() && a.query_class() == b.query_class()
}

/// What the TCP retry needs to repeat the question.
struct TcpExchange<'a> {
    bytes: &'a [u8],
    id: u16,
    question: &'a Query,
    server: SocketAddr,
}

impl TcpExchange<'_> {
    /// Repeat the query over TCP (RFC 1035 4.2.2 framing: two-byte length prefix).
    async fn run(&self, rtype: RecordType, deadline: Instant) -> DnsOutcome {
        let server = self.server;
        match tokio::time::timeout_at(deadline, self.ask()).await {
            Err(_elapsed) => error(format!("{server} truncated its UDP answer and did not answer over TCP in time")),
            Ok(Err(message)) => error(format!("{server} truncated its UDP answer; {message}")),
            Ok(Ok(msg)) => answer(&msg, rtype),
        }
    }

    async fn ask(&self) -> Result<Box<Message>, String> {
        let server = self.server;
        let Ok(len) = u16::try_from(self.bytes.len()) else {
            return Err(format!("the query for {server} is too long for TCP"));
        };
        let mut stream = TcpStream::connect(server).await.map_err(|e| format!("cannot connect to {server} over TCP: {e}"))?;
        let mut framed = Vec::with_capacity(self.bytes.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(self.bytes);
        stream.write_all(&framed).await.map_err(|e| format!("could not send the query to {server} over TCP: {e}"))?;
        loop {
            let mut prefix = [0u8; 2];
            stream.read_exact(&mut prefix).await.map_err(|e| format!("{server} closed the TCP connection without answering ({e})"))?;
            let mut reply = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
            stream.read_exact(&mut reply).await.map_err(|e| format!("{server} sent a short TCP reply ({e})"))?;
            match judge_reply(&reply, self.id, self.question, server) {
                Reply::Ignore => continue,
                Reply::Bad(message) => return Err(message),
                Reply::Good(msg) => return Ok(msg),
            }
        }
    }
}

fn answer(msg: &Message, rtype: RecordType) -> DnsOutcome {
    let mut records: Vec<String> = match rtype {
        RecordType::A | RecordType::Aaaa => {
            let mut ips: Vec<IpAddr> = msg
                .answers
                .iter()
                .filter_map(|r| match (&r.data, rtype) {
                    (RData::A(a), RecordType::A) => Some(IpAddr::V4(a.0)),
                    (RData::AAAA(a), RecordType::Aaaa) => Some(IpAddr::V6(a.0)),
                    _ => None,
                })
                .collect();
            ips.sort();
            ips.into_iter().map(|ip| ip.to_string()).collect()
        }
        RecordType::Ptr => {
            let mut names: Vec<String> = msg
                .answers
                .iter()
                .filter(|r| r.dns_class == DNSClass::IN)
                .filter_map(|r| match &r.data {
                    RData::PTR(p) => Some(plain_name(&p.0)),
                    _ => None,
                })
                .collect();
            names.sort();
            names
        }
    };
    records.dedup();
    DnsOutcome::Answer {
        rcode: Rcode::from_code(u16::from(msg.metadata.response_code)),
        authoritative: msg.metadata.authoritative,
        records,
    }
}

/// Lowercase, no trailing dot: the form the checks compare with inventory names.
fn plain_name(name: &Name) -> String {
    let text = name.to_ascii();
    let text = text.strip_suffix('.').unwrap_or(&text);
    text.to_ascii_lowercase()
}

/// The hickory record type for a snapshot record type.
fn wire_type(t: RecordType) -> WireType {
    match t {
        RecordType::A => WireType::A,
        RecordType::Aaaa => WireType::AAAA,
        RecordType::Ptr => WireType::PTR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap_or_else(|_| panic!("bad test address {s}"))
    }

    #[test]
    fn ptr_question_is_formed_from_the_address() {
        let q = |name: &str| DnsQuery { server: sa("127.0.0.1:53"), name: name.into(), rtype: RecordType::Ptr };
        assert_eq!(question_name(&q("10.1.2.3")).unwrap().to_ascii(), "3.2.1.10.in-addr.arpa.");
        assert!(question_name(&q("2001:db8::1")).unwrap().to_ascii().ends_with(".8.b.d.0.1.0.0.2.ip6.arpa."));
        assert_eq!(question_name(&q("3.2.1.10.in-addr.arpa")).unwrap().to_ascii(), "3.2.1.10.in-addr.arpa.");
        assert!(question_name(&q("host.lab.example")).is_err());
    }

    #[test]
    fn describe_lines() {
        let query = DnsQuery { server: sa("10.1.1.10:53"), name: "nope.lab.example".into(), rtype: RecordType::A };
        let obs = |outcome| DnsObservation { query: query.clone(), elapsed_ms: 3, outcome };
        assert_eq!(
            obs(DnsOutcome::Answer { rcode: Rcode::NXDomain, authoritative: true, records: vec![] }).describe(),
            "10.1.1.10:53 answered NXDOMAIN (authoritative) in 3 ms"
        );
        assert_eq!(obs(DnsOutcome::Timeout { after_ms: 2000 }).to_string(), "no answer from 10.1.1.10:53 in 2000 ms");
        let many = obs(DnsOutcome::Answer {
            rcode: Rcode::NoError,
            authoritative: false,
            records: (1..=7).map(|i| format!("10.0.0.{i}")).collect(),
        })
        .describe();
        assert!(many.ends_with("10.0.0.5 (+2 more)"), "{many}");
        assert_eq!(RecordType::Aaaa.to_string(), "AAAA");
        assert_eq!(serde_json::to_string(&RecordType::Aaaa).unwrap(), "\"aaaa\"");
    }

    #[test]
    fn observation_round_trips_through_json() {
        let obs = DnsObservation {
            query: DnsQuery { server: sa("[::1]:5353"), name: "10.1.2.3".into(), rtype: RecordType::Ptr },
            elapsed_ms: 7,
            outcome: DnsOutcome::Answer { rcode: Rcode::NoError, authoritative: true, records: vec!["imp1.lab.example".into()] },
        };
        let json = serde_json::to_string(&obs).unwrap();
        let back: DnsObservation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, obs);
    }

    #[test]
    fn reply_judging_rejects_garbage_and_echoes() {
        let server = sa("127.0.0.1:53");
        let question = Query::query(Name::from_ascii("a.example.").unwrap(), WireType::A);
        match judge_reply(b"\x12\x34garbage", 0x1234, &question, server) {
            Reply::Bad(m) => assert!(m.contains("127.0.0.1:53"), "{m}"),
            _ => panic!("garbage accepted"),
        }
        let mut echo = Message::query();
        echo.add_query(question.clone());
        let id = echo.metadata.id;
        let bytes = echo.to_vec().unwrap();
        assert!(matches!(judge_reply(&bytes, id, &question, server), Reply::Bad(_)));
        assert!(matches!(judge_reply(&bytes, id.wrapping_add(1), &question, server), Reply::Ignore));
    }
}
