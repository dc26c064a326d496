//! Arbitrary bytes into the path-1 TLS parser. Beyond "never panics", the outcome must
//! not depend on how the stream is cut into reads: the first input byte picks the read
//! size, the rest is what the "server" sent (see fedcheck::fuzz_entry::hello_parser).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fedcheck::fuzz_entry::hello_parser(data));
