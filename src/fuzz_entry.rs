//! Entry points shared by the cargo-fuzz targets (`fuzz/`) and the stable test that
//! replays their corpora and regressions (`tests/it/fuzz_replay.rs`): one function
//! per target, bytes in, nothing out. Each may return an error for bad input; it must
//! never panic, hang or grow without bound. Not part of the supported API.

use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// One target's function: bytes in, nothing out.
pub type Entry = fn(&[u8]);

/// The targets, by the name of their folder under `fuzz/corpus/` and `fuzz/regressions/`.
pub const TARGETS: &[(&str, Entry)] = &[
    ("hello_parser", hello_parser),
    ("sip_response", sip_response),
    ("evidence", evidence),
    ("inventory", inventory),
    ("waivers", waivers),
    ("bundle", bundle),
    ("soap_answer", soap_answer),
];

/// An IM&P node's SOAP answer, through every reader `collect imp` and the evidence
/// loader use: a value or an error, never a panic.
pub fn soap_answer(data: &[u8]) {
    use crate::evidence::soap;
    let text = crate::evidence::decode(data);
    let _ = soap::inspect(&text);
    let _ = soap::services(&text);
    let _ = soap::version(&text);
    let _ = soap::hardware(&text);
    let _ = soap::cluster(&text);
}

/// The path-1 TLS parser. The first byte picks the read size; the outcome must not
/// depend on how the stream is cut into reads.
pub fn hello_parser(data: &[u8]) {
    use crate::probe::tls_raw::{handshake_from_parser, HelloParser, Progress};
    use crate::snapshot::raw::RawError;
    // Small enough that the fuzzer reaches the cap often.
    const CAP: usize = 64 * 1024;
    let Some((&read_size, stream)) = data.split_first() else {
        return;
    };
    let mut whole = HelloParser::new(CAP);
    let at_once = whole.feed(stream);
    let mut pieces = HelloParser::new(CAP);
    let mut in_pieces = Ok(Progress::NeedMore);
    for chunk in stream.chunks(usize::from(read_size).max(1)) {
        in_pieces = pieces.feed(chunk);
    }
    match (&at_once, &in_pieces) {
        // The preview shows whatever had arrived, which depends on the read size.
        (Err(RawError::NotTls { .. }), Err(RawError::NotTls { .. })) => {}
        _ => assert_eq!(at_once, in_pieces),
    }
    if at_once.is_ok() {
        assert_eq!(whole.certificates, pieces.certificates);
        assert_eq!(whole.acceptable_ca_names, pieces.acceptable_ca_names);
    }
    if whole.server_hello_seen() {
        // Rendering (PEM, DN text) must cope with whatever the peer called a certificate.
        let rendered = handshake_from_parser(&whole);
        assert_eq!(rendered.chain_pem.len(), whole.certificates.len());
        let _ = in_pieces.map_err(|e| e.to_string());
    }
}

/// A peer that accepts whatever is written and answers with a fixed script, in reads
/// of a fixed size, then end of stream.
struct Scripted<'a> {
    reply: &'a [u8],
    chunk: usize,
}

impl tokio::io::AsyncRead for Scripted<'_> {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut tokio::io::ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let n = self.reply.len().min(self.chunk).min(buf.remaining());
        let (now, rest) = self.reply.split_at(n);
        buf.put_slice(now);
        self.reply = rest;
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for Scripted<'_> {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The SIP response reader and parser, through the public `options` exchange: the
/// first byte picks the read size, the rest is what the peer answers.
pub fn sip_response(data: &[u8]) {
    let Some((&read_size, reply)) = data.split_first() else {
        return;
    };
    // One runtime per thread: building one per input cost most of each execution.
    thread_local! {
        static RUNTIME: Option<tokio::runtime::Runtime> = tokio::runtime::Builder::new_current_thread().enable_time().build().ok();
    }
    let mut peer = Scripted { reply, chunk: usize::from(read_size).max(1) };
    let exchange = crate::probe::sip::options(&mut peer, "fe1.example.com", 5061, "127.0.0.1", Duration::from_secs(5), 64 * 1024);
    let Some(obs) = RUNTIME.with(|rt| rt.as_ref().map(|rt| rt.block_on(exchange))) else {
        return;
    };
    if let crate::snapshot::sip::SipOutcome::Response { status, .. } = obs.outcome {
        assert!((200..700).contains(&status), "{status}");
    }
}

/// Every evidence kind's parser (from the descriptor table, so a new kind is fuzzed
/// without an edit here), and the CLI parsers behind the SOAP-or-CLI readers, on the
/// bytes decoded as a capture file is.
pub fn evidence(data: &[u8]) {
    use crate::evidence::*;
    let text = decode(data);
    for kind in kinds::KINDS {
        let _ = (kind.check)(&text);
    }
    let _ = service_list::parse(&text);
    let _ = hardware::parse(&text);
    let _ = status::parse(&text);
    let _ = network_cluster::parse(&text);
}

/// The inventory loader. Relative paths resolve under a folder that does not exist,
/// so evidence is looked for and not found.
pub fn inventory(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = crate::inventory::load_str(&text, Path::new("/nonexistent-fedcheck-fuzz/site.toml")) {
        let _ = e.to_string();
    }
}

/// The waiver loader, against the ids of every registered check.
pub fn waivers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let checks = crate::checks::registry();
    let ids: Vec<&str> = checks.iter().map(|c| c.id()).collect();
    if let Err(e) = crate::judge::waivers::load_str(&text, Path::new("waivers.toml"), &ids) {
        let _ = e.to_string();
    }
}

/// The bundle reader as `analyze` uses it: archive bytes in, a refusal or a loaded
/// bundle (unpacked into a temporary folder removed on drop) out.
pub fn bundle(data: &[u8]) {
    match crate::bundle::analysis::load_bytes(data) {
        Ok(a) => {
            let folder = a.folder().to_path_buf();
            drop(a);
            assert!(!folder.exists(), "the unpacked folder outlived the analysis");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}
