//! Replays every seed (`fuzz/corpus/<target>/`) and every input a fuzzing campaign
//! turned up (`fuzz/regressions/<target>/`) through the same entry points the
//! cargo-fuzz targets call, on the stable toolchain: none may panic, and each must
//! finish quickly.

use crate::util::repo;
use std::time::{Duration, Instant};

/// Generous for a debug build on a shared machine; the campaign's bar is 1 s in release.
const PER_INPUT: Duration = Duration::from_secs(5);

#[test]
fn every_target_has_its_folders() {
    for (name, _) in fedcheck::fuzz_entry::TARGETS {
        assert!(repo(&format!("fuzz/regressions/{name}")).is_dir(), "fuzz/regressions/{name} is missing");
        assert!(repo(&format!("fuzz/fuzz_targets/{name}.rs")).is_file(), "fuzz/fuzz_targets/{name}.rs is missing");
        let seeds = std::fs::read_dir(repo(&format!("fuzz/corpus/{name}"))).map(|d| d.count()).unwrap_or(0);
        assert!(seeds > 0, "fuzz/corpus/{name} has no seed");
    }
}

#[test]
fn corpora_and_regressions_replay_cleanly() {
    let mut replayed = 0;
    for (name, entry) in fedcheck::fuzz_entry::TARGETS {
        for folder in ["corpus", "regressions"] {
            let dir = repo(&format!("fuzz/{folder}/{name}"));
            let Ok(files) = std::fs::read_dir(&dir) else { continue };
            let mut files: Vec<_> = files.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
            files.sort();
            for path in files {
                if path.file_name().is_some_and(|n| n == ".gitkeep") {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                let start = Instant::now();
                let outcome = std::panic::catch_unwind(|| entry(&data));
                assert!(outcome.is_ok(), "{name}: {} panicked", path.display());
                assert!(start.elapsed() < PER_INPUT, "{name}: {} took {:?}", path.display(), start.elapsed());
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 40, "only {replayed} inputs replayed");
}

/// Hostile shapes from the hardening issue, fed to the entry points directly.
#[test]
fn hostile_shapes_do_not_panic() {
    use fedcheck::fuzz_entry::*;
    inventory(format!("[site]\nname = \"{}\"\n", "x".repeat(1 << 20)).as_bytes());
    inventory(b"[cisco]\ntrust_store = \"/dev/zero\"\n");
    waivers(b"[[waiver]]\ncheck = \"*\"\n");
    evidence(&[0xff, 0xfe, 0x00]);
    evidence(&[0xff, 0xfe]);
    sip_response(b"\x01SIP/2.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n");
    hello_parser(&[0]);
    bundle(&[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
}
