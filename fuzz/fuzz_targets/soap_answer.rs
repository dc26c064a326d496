//! Arbitrary bytes into fedcheck::fuzz_entry::soap_answer (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fedcheck::fuzz_entry::soap_answer(data));
