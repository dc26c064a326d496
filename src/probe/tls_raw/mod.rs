//! TLS path 1: "what IM&P would get".
//!
//! rustls cannot talk to a peer that only speaks TLS 1.0/1.1, CBC or RSA key exchange,
//! yet those are exactly the old Lync/OCS front ends this tool must describe. So this
//! probe sends a hand-built ClientHello that offers IM&P's legacy-capable list and reads
//! the server's first flight, which travels in clear: ServerHello (version, suite),
//! Certificate (the whole chain) and CertificateRequest (mutual TLS), up to
//! ServerHelloDone. No cryptography is involved, only defensive parsing of untrusted
//! bytes: every length is checked and the total accepted is capped.

use crate::snapshot::raw::{RawError, RawHandshake, RawObservation, RawOutcome, TimeoutStage};
use crate::snapshot::tls::{alert_name, suite_name, TlsVersion, OFFERED_SUITES};
use crate::text::millis;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A sensible cap for a server's first flight: real chains are a few KiB, 256 KiB
/// leaves room for long chains while stopping a peer that streams forever.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;

/// TLSPlaintext may carry at most 2^14 bytes; allow the TLSCompressed slack so an
/// old, slightly sloppy stack is not called malformed for that alone.
const MAX_RECORD_LEN: usize = 16384 + 2048;

const CT_CHANGE_CIPHER_SPEC: u8 = 20;
const CT_ALERT: u8 = 21;
const CT_HANDSHAKE: u8 = 22;
const CT_APPLICATION_DATA: u8 = 23;

const HS_HELLO_REQUEST: u8 = 0;
const HS_SERVER_HELLO: u8 = 2;
const HS_CERTIFICATE: u8 = 11;
const HS_SERVER_KEY_EXCHANGE: u8 = 12;
const HS_CERTIFICATE_REQUEST: u8 = 13;
const HS_SERVER_HELLO_DONE: u8 = 14;
const HS_CERTIFICATE_STATUS: u8 = 22;

const EXT_SUPPORTED_VERSIONS: u16 = 43;

/// secp256r1, secp384r1, x25519.
const GROUPS: &[u16] = &[0x0017, 0x0018, 0x001d];

/// SHA-2 RSA/ECDSA/PSS first; the SHA-1 pairs last, for servers that know nothing else.
const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
    0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256 ...
    0x0201, 0x0203, // rsa_pkcs1_sha1, ecdsa_sha1
];

fn handshake_name(t: u8) -> String {
    match t {
        0 => "HelloRequest".into(),
        1 => "ClientHello".into(),
        2 => "ServerHello".into(),
        4 => "NewSessionTicket".into(),
        8 => "EncryptedExtensions".into(),
        11 => "Certificate".into(),
        12 => "ServerKeyExchange".into(),
        13 => "CertificateRequest".into(),
        14 => "ServerHelloDone".into(),
        15 => "CertificateVerify".into(),
        16 => "ClientKeyExchange".into(),
        20 => "Finished".into(),
        22 => "CertificateStatus".into(),
        _ => format!("handshake type {t}"),
    }
}

mod hello;
mod observation;
mod parser;

pub use hello::*;
pub use observation::*;
pub use parser::*;

// The probe: the async driver that sends the hello and feeds the parser.

fn io_error(e: &std::io::Error, after_bytes: usize, doing: &str) -> RawError {
    use std::io::ErrorKind;
    let after_bytes = after_bytes as u64;
    match e.kind() {
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => RawError::Reset { after_bytes },
        ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof => RawError::Closed { after_bytes },
        _ => RawError::Io { message: format!("{doing} after {after_bytes} bytes: {e}") },
    }
}

/// Sends the path-1 ClientHello to `addr` and reads the server's first flight. Never
/// takes longer than `timeout` overall (connect included) and never panics: every
/// failure becomes a `RawError` in the observation.
pub async fn probe(addr: SocketAddr, sni: Option<&str>, timeout: Duration, max_bytes: usize) -> RawObservation {
    probe_offering(addr, sni, OFFERED_SUITES, timeout, max_bytes).await
}

/// `probe`, offering exactly `suites` (empty = the default list).
pub async fn probe_offering(addr: SocketAddr, sni: Option<&str>, suites: &[u16], timeout: Duration, max_bytes: usize) -> RawObservation {
    let started = Instant::now();
    let (outcome, partial) = run(addr, sni, suites, timeout, max_bytes).await;
    RawObservation { elapsed_ms: millis(started.elapsed()), outcome, partial }
}

async fn run(
    addr: SocketAddr,
    sni: Option<&str>,
    suites: &[u16],
    timeout: Duration,
    max_bytes: usize,
) -> (RawOutcome, Option<RawHandshake>) {
    use tokio::time::timeout_at;
    let timeout_ms = millis(timeout);
    let now = tokio::time::Instant::now();
    // A absurd timeout must not overflow the clock; a day is "forever" here.
    let deadline = now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(86_400));
    let failed = |e| (RawOutcome::Failed(e), None);

    let mut stream = match timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => return failed(RawError::ConnectTimeout { timeout_ms }),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => return failed(RawError::ConnectRefused),
        Ok(Err(e)) => return failed(RawError::Io { message: format!("connecting to {addr}: {e}") }),
        Ok(Ok(s)) => s,
    };
    // Best effort: only affects latency of the single small write.
    let _ = stream.set_nodelay(true);

    let hello = client_hello_offering(sni, suites);
    match timeout_at(deadline, stream.write_all(&hello)).await {
        Err(_) => return failed(RawError::Timeout { stage: TimeoutStage::SendingClientHello, after_bytes: 0, timeout_ms }),
        Ok(Err(e)) => return failed(io_error(&e, 0, "sending the ClientHello")),
        Ok(Ok(())) => {}
    }

    let mut parser = HelloParser::new(max_bytes);
    let mut buf = vec![0u8; 16 * 1024];
    let error = loop {
        match timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => break RawError::Timeout { stage: parser.stage(), after_bytes: parser.received() as u64, timeout_ms },
            Ok(Ok(0)) => break RawError::Closed { after_bytes: parser.received() as u64 },
            Ok(Ok(n)) => match parser.feed(&buf[..n.min(buf.len())]) {
                Ok(Progress::Done) => return (RawOutcome::Handshake(handshake_from_parser(&parser)), None),
                Ok(Progress::NeedMore) => {}
                Err(e) => break e,
            },
            Ok(Err(e)) => break io_error(&e, parser.received(), "reading the server's answer"),
        }
    };
    let partial = parser.server_hello_seen().then(|| handshake_from_parser(&parser));
    (RawOutcome::Failed(error), partial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::hostile::wire;

    const CAP: usize = 256 * 1024;

    fn fake_cert(tag: u8, len: usize) -> Vec<u8> {
        let mut c = vec![0x30, 0x82];
        c.resize(len, tag);
        c
    }

    /// ServerHello (TLS 1.2), Certificate (2 certs), CertificateRequest, Done.
    fn flight_messages() -> Vec<u8> {
        let mut hs = wire::server_hello(0x0303, 0xc02f);
        hs.extend(wire::certificate(&[fake_cert(1, 900), fake_cert(2, 700)]));
        hs.extend(wire::handshake(12, &[3, 0, 23, 65, 4]));
        hs.extend(wire::certificate_request(0x0303, &[vec![0x30, 0x00], vec![0x30, 0x03, 1, 2, 3]]));
        hs.extend(wire::server_hello_done());
        hs
    }

    fn feed_all(bytes: &[u8]) -> (HelloParser, Result<Progress, RawError>) {
        let mut p = HelloParser::new(CAP);
        let r = p.feed(bytes);
        (p, r)
    }

    fn assert_malformed(bytes: &[u8], needle: &str) {
        let (_, r) = feed_all(bytes);
        match r {
            Err(RawError::Malformed { what }) => {
                assert!(what.contains(needle), "{what:?} does not mention {needle:?}")
            }
            other => panic!("expected Malformed({needle}), got {other:?}"),
        }
    }

    fn check_full_flight(p: &HelloParser) {
        assert!(p.server_hello_done);
        assert_eq!(p.version, 0x0303);
        assert_eq!(p.cipher_suite, 0xc02f);
        assert_eq!(p.certificates, vec![fake_cert(1, 900), fake_cert(2, 700)]);
        assert!(p.client_cert_requested);
        assert_eq!(p.acceptable_ca_names, vec![vec![0x30, 0x00], vec![0x30, 0x03, 1, 2, 3]]);
    }

    #[test]
    fn whole_flight_in_one_record() {
        let bytes = wire::record(22, 0x0303, &flight_messages());
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        check_full_flight(&p);
    }

    #[test]
    fn certificate_split_across_three_records() {
        let mut bytes = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f));
        let cert = wire::certificate(&[fake_cert(1, 900), fake_cert(2, 700)]);
        let third = cert.len() / 3;
        bytes.extend(wire::record(22, 0x0303, &cert[..third]));
        bytes.extend(wire::record(22, 0x0303, &cert[third..2 * third]));
        let mut tail = cert[2 * third..].to_vec();
        tail.extend(wire::handshake(12, &[3, 0, 23, 65, 4]));
        tail.extend(wire::certificate_request(0x0303, &[vec![0x30, 0x00], vec![0x30, 0x03, 1, 2, 3]]));
        tail.extend(wire::server_hello_done());
        bytes.extend(wire::record(22, 0x0303, &tail));
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        check_full_flight(&p);
    }

    #[test]
    fn byte_by_byte_and_tiny_records_give_the_same_result() {
        // Records of 7 bytes, fed one byte at a time: every boundary is exercised.
        let bytes = wire::records(22, 0x0303, &flight_messages(), 7);
        let mut p = HelloParser::new(CAP);
        for (i, b) in bytes.iter().enumerate() {
            let r = p.feed(std::slice::from_ref(b));
            if i + 1 < bytes.len() {
                assert_eq!(r, Ok(Progress::NeedMore), "at byte {i}");
            } else {
                assert_eq!(r, Ok(Progress::Done));
            }
        }
        check_full_flight(&p);
        // Bytes after ServerHelloDone are ignored.
        assert_eq!(p.feed(b"anything"), Ok(Progress::Done));
    }

    #[test]
    fn truncated_stream_waits_and_reports_progress() {
        let bytes = wire::record(22, 0x0303, &flight_messages());
        let mut p = HelloParser::new(CAP);
        assert_eq!(p.feed(&bytes[..bytes.len() - 1]), Ok(Progress::NeedMore));
        assert!(!p.server_hello_done);
        assert_eq!(p.received(), bytes.len() - 1);
        // Mid-record: nothing is parsed before the record is whole.
        assert!(!p.server_hello_seen());
        assert_eq!(p.stage(), TimeoutStage::AwaitingServerHello);

        let mut p = HelloParser::new(CAP);
        let mut two = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0x002f));
        two.extend(wire::record(22, 0x0303, &wire::certificate(&[fake_cert(3, 100)])));
        assert_eq!(p.feed(&two), Ok(Progress::NeedMore));
        assert!(p.server_hello_seen());
        assert_eq!(p.stage(), TimeoutStage::ReadingServerFlight);
        let partial = handshake_from_parser(&p);
        assert!(!partial.complete);
        assert_eq!(partial.cipher_suite, "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert_eq!(partial.chain_pem.len(), 1);
    }

    #[test]
    fn http_answer_is_named() {
        let (_, r) = feed_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        let e = r.unwrap_err();
        assert!(matches!(&e, RawError::NotTls { looks_like: Some(k), .. } if k == "HTTP"));
        assert_eq!(e.to_string(), "not TLS: looks like HTTP (\"HTTP/1.1 400 Bad\")");
    }

    #[test]
    fn garbage_prefix_is_not_tls_even_before_a_valid_flight() {
        let mut bytes = vec![0x00, 0x01, 0xfe];
        bytes.extend(wire::record(22, 0x0303, &flight_messages()));
        let (p, r) = feed_all(&bytes);
        match r {
            Err(RawError::NotTls { first_bytes, looks_like, .. }) => {
                assert!(first_bytes.starts_with("00 01 fe 16 03 03"), "{first_bytes}");
                assert_eq!(looks_like, None);
            }
            other => panic!("expected NotTls, got {other:?}"),
        }
        assert!(!p.server_hello_seen());
        // A bad major version is caught as soon as the second byte is there.
        let mut p = HelloParser::new(CAP);
        assert!(matches!(p.feed(&[22, 2]), Err(RawError::NotTls { .. })));
        // The error is sticky.
        assert!(matches!(p.feed(&[0, 0, 0]), Err(RawError::NotTls { .. })));
    }

    #[test]
    fn garbage_after_a_valid_record_is_malformed_not_not_tls() {
        let mut bytes = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f));
        bytes.extend_from_slice(b"GET / HTTP/1.0");
        assert_malformed(&bytes, "record 2 does not start like a TLS record");
    }

    #[test]
    fn record_length_lies() {
        // Too long: beyond what TLS allows in one record.
        assert_malformed(&[22, 3, 3, 0xff, 0xff, 2], "record length 65535");
        // Zero.
        assert_malformed(&[22, 3, 3, 0, 0], "empty handshake record");
        assert_malformed(&[21, 3, 3, 0, 0], "empty alert record");
        // Too short: the record ends inside the ServerHello, and the rest of the hello
        // is then read as the next record header.
        let hello = wire::server_hello(0x0303, 0xc02f);
        let mut bytes = vec![22, 3, 3, 0, 10];
        bytes.extend_from_slice(&hello);
        assert_malformed(&bytes, "does not start like a TLS record");
        // Too long but within the limit: the parser just waits for bytes that never come.
        let mut bytes = vec![22, 3, 3, 0x10, 0x00];
        bytes.extend_from_slice(&hello);
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::NeedMore));
        assert!(!p.server_hello_seen());
    }

    #[test]
    fn handshake_length_lies() {
        let hello = wire::server_hello(0x0303, 0xc02f);
        // Too short: the ServerHello body is cut, its fields run out.
        let mut short = hello.clone();
        short[3] = 20;
        short.truncate(4 + 20);
        assert_malformed(&wire::record(22, 0x0303, &short), "ServerHello random needs 32 bytes, only 18 left");
        // Zero.
        assert_malformed(&wire::record(22, 0x0303, &wire::handshake(2, &[])), "ServerHello version needs 2 bytes");
        // Too long: beyond the cap is refused from the header alone.
        let mut bytes = wire::record(22, 0x0303, &hello);
        bytes.extend(wire::record(22, 0x0303, &[11, 0x10, 0x00, 0x00, 0, 0]));
        let (_, r) = feed_all(&bytes);
        let e = r.unwrap_err();
        assert_eq!(e, RawError::TooLarge { what: "Certificate message".into(), size: 1 << 20, cap: CAP as u64 });
        assert_eq!(e.to_string(), "Certificate message of 1048576 bytes exceeds the 262144-byte cap");
        // Too long but under the cap: waits; the flight is incomplete.
        let mut long = hello.clone();
        long[3] = long[3].wrapping_add(40);
        let (p, r) = feed_all(&wire::record(22, 0x0303, &long));
        assert_eq!(r, Ok(Progress::NeedMore));
        assert!(!p.server_hello_seen());
        // Trailing bytes inside a message are refused.
        let mut body = hello[4..].to_vec();
        body.push(0);
        assert_malformed(&wire::record(22, 0x0303, &wire::handshake(2, &body)), "trailing");
    }

    fn after_hello(msgs: &[Vec<u8>]) -> Vec<u8> {
        let mut hs = wire::server_hello(0x0303, 0xc02f);
        for m in msgs {
            hs.extend_from_slice(m);
        }
        wire::record(22, 0x0303, &hs)
    }

    #[test]
    fn certificate_length_lies() {
        // certificate_list longer than the message.
        let mut body = Vec::new();
        wire::put_u24(&mut body, 70000);
        body.extend_from_slice(&fake_cert(1, 50));
        let bytes = after_hello(&[wire::handshake(11, &body)]);
        let (_, r) = feed_all(&bytes);
        assert_eq!(r.unwrap_err().to_string(), "malformed: Certificate certificate_list length 70000 exceeds the message (50 bytes left)");
        // certificate_list shorter than the message.
        let mut body = Vec::new();
        wire::put_u24(&mut body, 10);
        body.extend_from_slice(&[0; 20]);
        assert_malformed(&after_hello(&[wire::handshake(11, &body)]), "trailing");
        // One entry longer than the list.
        let mut list = Vec::new();
        wire::put_u24(&mut list, 500);
        list.extend_from_slice(&[1; 40]);
        let mut body = Vec::new();
        wire::put_u24(&mut body, list.len());
        body.extend_from_slice(&list);
        assert_malformed(&after_hello(&[wire::handshake(11, &body)]), "certificate length 500 exceeds");
        // A zero-length entry.
        assert_malformed(&after_hello(&[wire::handshake(11, &[0, 0, 3, 0, 0, 0])]), "entry 1 is empty");
        // A zero-length list is a legal (if useless) empty chain.
        let bytes = after_hello(&[wire::handshake(11, &[0, 0, 0]), wire::server_hello_done()]);
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        assert!(p.certificates.is_empty());
    }

    #[test]
    fn other_length_lies() {
        // session_id longer than 32.
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(33);
        body.extend_from_slice(&[0; 33]);
        body.extend_from_slice(&[0xc0, 0x2f, 0]);
        assert_malformed(&wire::record(22, 0x0303, &wire::handshake(2, &body)), "session_id of 33 bytes");
        // Extensions block longer than the message.
        let mut hello = wire::server_hello(0x0303, 0xc02f);
        let n = hello.len();
        hello[n - 7] = 0x01; // extensions length 5 -> 261
        assert_malformed(&wire::record(22, 0x0303, &hello), "extensions length 261");
        // A distinguished name longer than the CA list.
        let mut body = vec![1, 1, 0, 2, 4, 1, 0, 4, 0, 9, 0x30, 0];
        assert_malformed(&after_hello(&[wire::handshake(13, &body)]), "distinguished name length 9");
        // Signature algorithms of odd length.
        body = vec![1, 1, 0, 1, 4, 0, 0];
        assert_malformed(&after_hello(&[wire::handshake(13, &body)]), "odd length");
        // ServerHelloDone with a body.
        assert_malformed(&after_hello(&[wire::handshake(14, &[0])]), "ServerHelloDone with a 1-byte body");
        // An alert record of one byte.
        assert_malformed(&[21, 3, 3, 0, 1, 2], "alert record of 1 bytes");
    }

    #[test]
    fn messages_out_of_order_are_refused() {
        assert_malformed(&wire::record(22, 0x0303, &wire::certificate(&[fake_cert(1, 10)])), "Certificate before ServerHello");
        assert_malformed(&after_hello(&[wire::server_hello(0x0303, 0xc02f)]), "second ServerHello");
        assert_malformed(&after_hello(&[wire::handshake(20, &[0; 12])]), "unexpected Finished");
        assert_malformed(
            &[wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f)), wire::record(20, 0x0303, &[1])].concat(),
            "ChangeCipherSpec before ServerHelloDone",
        );
    }

    #[test]
    fn alerts_are_named() {
        let (_, r) = feed_all(&wire::record(21, 0x0303, &[2, 40]));
        let e = r.unwrap_err();
        assert_eq!(e, RawError::Alert { level: "fatal".into(), code: 40, name: "handshake_failure".into() });
        assert_eq!(e.to_string(), "TLS alert: handshake_failure (40)");
        for (code, name) in [
            (70, "protocol_version"),
            (71, "insufficient_security"),
            (112, "unrecognized_name"),
            (48, "unknown_ca"),
            (250, "unknown_alert"),
        ] {
            assert_eq!(alert_name(code), name);
        }
        // close_notify ends the handshake even as a warning.
        let (_, r) = feed_all(&wire::record(21, 0x0303, &[1, 0]));
        assert_eq!(r.unwrap_err().to_string(), "TLS alert (warning): close_notify (0)");
        // Other warnings are noted and the handshake goes on.
        let mut bytes = wire::record(21, 0x0303, &[1, 112]);
        bytes.extend(wire::record(22, 0x0303, &flight_messages()));
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.warning_alerts, vec![112]);
    }

    #[test]
    fn total_cap_applies_to_many_small_records() {
        let mut bytes = wire::record(22, 0x0303, &wire::server_hello(0x0303, 0xc02f));
        // ServerKeyExchange messages are skipped, but still count toward the cap.
        for _ in 0..40 {
            bytes.extend(wire::record(22, 0x0303, &wire::handshake(12, &[0; 1000])));
        }
        let mut p = HelloParser::new(16 * 1024);
        match p.feed(&bytes) {
            Err(RawError::TooLarge { what, size, cap }) => {
                assert_eq!(what, "server handshake flight");
                assert!(size > cap && cap == 16 * 1024);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn one_byte_records_are_reassembled_without_quadratic_cost() {
        // A 40 KB chain in 1-byte records: about 240 KB on the wire, under the cap.
        let mut hs = wire::server_hello(0x0303, 0xc02f);
        hs.extend(wire::certificate(&[fake_cert(7, 40_000)]));
        hs.extend(wire::server_hello_done());
        let bytes = wire::records(22, 0x0303, &hs, 1);
        assert!(bytes.len() < CAP);
        let started = std::time::Instant::now();
        let (p, r) = feed_all(&bytes);
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.certificates, vec![fake_cert(7, 40_000)]);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }

    #[test]
    fn tls10_certificate_request_has_no_signature_algorithms() {
        let mut hs = wire::server_hello(0x0301, 0x002f);
        hs.extend(wire::certificate(&[fake_cert(5, 300)]));
        hs.extend(wire::certificate_request(0x0301, &[vec![0x30, 0x00]]));
        hs.extend(wire::server_hello_done());
        let (p, r) = feed_all(&wire::records(22, 0x0301, &hs, 100));
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.version, 0x0301);
        assert_eq!(p.cipher_suite, 0x002f);
        assert!(p.client_cert_requested);
        assert_eq!(p.acceptable_ca_names, vec![vec![0x30, 0x00]]);
        let h = handshake_from_parser(&p);
        assert_eq!(h.version.to_string(), "TLSv1.0");
        assert_eq!(h.cipher_suite, "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert!(h.complete);
        assert_eq!(h.acceptable_ca_names, vec![String::new()]);
    }

    #[test]
    fn supported_versions_in_server_hello_wins() {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0; 32]);
        body.push(0);
        body.extend_from_slice(&[0x13, 0x01, 0]);
        body.extend_from_slice(&[0, 6, 0, 43, 0, 2, 3, 4]);
        let mut hs = wire::handshake(2, &body);
        hs.extend(wire::server_hello_done());
        let (p, r) = feed_all(&wire::record(22, 0x0303, &hs));
        assert_eq!(r, Ok(Progress::Done));
        assert_eq!(p.version, 0x0304);
        assert_eq!(suite_name(p.cipher_suite), Some("TLS_AES_128_GCM_SHA256"));
    }

    /// Walks a ClientHello record and returns (suites, extension types, sni).
    fn dissect_hello(rec: &[u8]) -> (Vec<u16>, Vec<u16>, Option<String>) {
        assert_eq!(&rec[..3], &[22, 3, 1]);
        assert_eq!(usize::from(u16::from_be_bytes([rec[3], rec[4]])), rec.len() - 5);
        let hs = &rec[5..];
        assert_eq!(hs[0], 1);
        let len = usize::from(hs[1]) << 16 | usize::from(hs[2]) << 8 | usize::from(hs[3]);
        assert_eq!(len, hs.len() - 4);
        let mut r = Reader::new("ClientHello", &hs[4..]);
        assert_eq!(r.u16("v").unwrap(), 0x0303);
        r.take(32, "random").unwrap();
        assert!(r.vec(1, "sid").unwrap().is_empty());
        let suites: Vec<u16> = r.vec(2, "suites").unwrap().chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        assert_eq!(r.vec(1, "comp").unwrap(), &[0]);
        let mut ext = Reader::new("ext", r.vec(2, "exts").unwrap());
        r.finish().unwrap();
        let mut types = Vec::new();
        let mut sni = None;
        while !ext.is_empty() {
            let t = ext.u16("t").unwrap();
            let data = ext.vec(2, "d").unwrap();
            if t == 0 {
                let mut s = Reader::new("sni", data);
                let mut list = Reader::new("sni", s.vec(2, "list").unwrap());
                assert_eq!(list.u8("type").unwrap(), 0);
                sni = Some(String::from_utf8(list.vec(2, "name").unwrap().to_vec()).unwrap());
            }
            types.push(t);
        }
        (suites, types, sni)
    }

    #[test]
    fn client_hello_offers_the_legacy_capable_list() {
        let rec = client_hello(Some("lyncpool.corp.example.com."));
        let (suites, exts, sni) = dissect_hello(&rec);
        assert_eq!(suites, OFFERED_SUITES);
        assert!(suites.iter().all(|s| s >> 8 != 0x13), "no TLS 1.3 suites");
        for s in &suites {
            assert!(suite_name(*s).is_some(), "suite 0x{s:04x} has a name");
        }
        assert!(suites.contains(&0x000a) && suites.contains(&0x002f) && suites.contains(&0xc013));
        assert_eq!(exts, vec![0, 10, 11, 13, 0xff01]);
        assert_eq!(sni.as_deref(), Some("lyncpool.corp.example.com"));
        // IP literals and junk are not sent as SNI.
        for target in [Some("10.1.2.3"), Some("::1"), Some(""), Some("bad name"), None] {
            let (_, exts, sni) = dissect_hello(&client_hello(target));
            assert_eq!(sni, None, "{target:?}");
            assert_eq!(exts, vec![10, 11, 13, 0xff01]);
        }
        // The random differs between calls.
        assert_ne!(client_hello(None)[11..43], client_hello(None)[11..43]);
    }

    #[test]
    fn pem_encoding_round_trips() {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::CertificateDer;
        for len in [1usize, 2, 3, 4, 47, 48, 49, 1000] {
            let der: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let pem = crate::certinfo::der_to_pem(&der);
            assert!(pem.lines().all(|l| l.len() <= 64));
            let back = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
            assert_eq!(back.as_ref(), der.as_slice(), "length {len}");
        }
    }

    #[test]
    fn errors_read_well_and_round_trip_through_json() {
        let cases = [
            (
                RawError::Timeout { stage: TimeoutStage::AwaitingServerHello, after_bytes: 0, timeout_ms: 800 },
                "no answer within 800 ms after ClientHello",
            ),
            (RawError::Reset { after_bytes: 0 }, "connection reset by peer after 0 bytes"),
            (RawError::Closed { after_bytes: 1234 }, "peer closed the connection after 1234 bytes, before ServerHelloDone"),
            (RawError::ConnectTimeout { timeout_ms: 500 }, "no TCP connection within 500 ms"),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
        let obs = RawObservation { elapsed_ms: 12, outcome: RawOutcome::Failed(RawError::ConnectRefused), partial: None };
        let json = serde_json::to_string(&obs).unwrap();
        assert!(json.contains("\"kind\":\"connect_refused\""), "{json}");
        assert_eq!(serde_json::from_str::<RawObservation>(&json).unwrap(), obs);
        let (p, _) = feed_all(&wire::record(22, 0x0303, &flight_messages()));
        let obs = RawObservation { elapsed_ms: 3, outcome: RawOutcome::Handshake(handshake_from_parser(&p)), partial: None };
        let json = serde_json::to_string(&obs).unwrap();
        assert_eq!(serde_json::from_str::<RawObservation>(&json).unwrap(), obs);
    }

    /// Cheap in-tree fuzzing: mutated flights fed whole and in random pieces must
    /// never panic, and the outcome must not depend on how the bytes were split.
    #[test]
    fn mutated_flights_never_panic_and_ignore_chunking() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let bases = [
            wire::records(22, 0x0303, &flight_messages(), 300),
            wire::legacy_flight(0x0301, 0x002f, &[fake_cert(9, 400)], true),
            [wire::record(21, 0x0303, &[1, 112]), wire::record(22, 0x0303, &flight_messages())].concat(),
        ];
        for round in 0..20_000 {
            let mut bytes = bases[round % bases.len()].clone();
            let edits = 1 + next() % 4;
            for _ in 0..edits {
                let at = (next() as usize) % bytes.len().max(1);
                match next() % 4 {
                    0 => bytes[at] = next() as u8,
                    1 => bytes[at] = bytes[at].wrapping_add(1),
                    2 => bytes.truncate(at),
                    _ => bytes.insert(at, next() as u8),
                }
                if bytes.is_empty() {
                    bytes.push(22);
                }
            }
            let cap = if round % 5 == 0 { 1500 } else { CAP };
            let mut whole = HelloParser::new(cap);
            let r1 = whole.feed(&bytes);
            let mut pieces = HelloParser::new(cap);
            let mut r2 = Ok(Progress::NeedMore);
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = 1 + (next() as usize) % 64;
                let (a, b) = rest.split_at(n.min(rest.len()));
                r2 = pieces.feed(a);
                rest = b;
            }
            match (&r1, &r2) {
                // How many bytes a NotTls preview shows depends on what had arrived.
                (Err(RawError::NotTls { .. }), Err(RawError::NotTls { .. })) => {}
                _ => assert_eq!(r1, r2, "round {round}"),
            }
            if r1.is_ok() {
                assert_eq!(whole.certificates, pieces.certificates);
                assert_eq!(whole.acceptable_ca_names, pieces.acceptable_ca_names);
                let _ = handshake_from_parser(&whole);
            }
        }
    }
}
