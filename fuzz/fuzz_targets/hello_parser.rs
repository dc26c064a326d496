//! Arbitrary bytes into the path-1 parser. Beyond "never panics", it checks that the
//! outcome does not depend on how the stream is cut into reads: the first input byte
//! picks the read size, the rest is what the "server" sent.
#![no_main]

use fedcheck::probe::tls_raw::{HelloParser, Progress, RawError, RawHandshake};
use libfuzzer_sys::fuzz_target;

/// Small enough that the fuzzer reaches the cap often.
const CAP: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
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
        let rendered = RawHandshake::from_parser(&whole);
        assert_eq!(rendered.chain_pem.len(), whole.certificates.len());
        let _ = in_pieces.map_err(|e| e.to_string());
    }
});
