//! Arbitrary bytes as a node's SOAP answer: every reader `collect imp` and the
//! evidence loader use must return a value or an error, never panic.
#![no_main]

use fedcheck::evidence::soap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = fedcheck::evidence::decode(data);
    let _ = soap::inspect(&text);
    let _ = soap::services(&text);
    let _ = soap::version(&text);
    let _ = soap::hardware(&text);
    let _ = soap::cluster(&text);
});
