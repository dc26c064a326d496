//! Benchmark of a full live run: starts N TLS+SIP front ends with RSA-2048
//! certificates on 127.x addresses plus a DNS server (all in this process), writes an
//! inventory for them, then times `fedcheck run` on it as a separate process under
//! `/usr/bin/time -v` so its wall time, CPU time and peak RSS are its own.
//!
//!   cargo build --release && cargo run --release --example bench -- 100 1000
//!   cargo run --release --example bench -- --silent 10 1000     (10% silent peers)

use fedcheck::lab::hostile::Behaviour;
use fedcheck::lab::scenario::{PeerKind, Scenario};
use std::process::Command;
use std::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut silent_pct = 0usize;
    if let Some(i) = args.iter().position(|a| a == "--silent") {
        silent_pct = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(10);
        args.drain(i..(i + 2).min(args.len()));
    }
    let sizes: Vec<usize> = if args.is_empty() { vec![100] } else { args.iter().filter_map(|a| a.parse().ok()).collect() };
    let exe = std::env::current_exe()?;
    let bin = exe.parent().and_then(|p| p.parent()).map(|p| p.join("fedcheck")).filter(|p| p.exists());
    let Some(bin) = bin else { anyhow::bail!("build the binary first: cargo build --release") };
    println!("{:>6} {:>7} {:>9} {:>9} {:>9} {:>10}  result", "peers", "silent", "wall s", "user s", "sys s", "peak MiB");
    for n in sizes {
        let silent = n * silent_pct / 100;
        let peers: Vec<(String, PeerKind)> = (0..n)
            .map(|i| {
                let kind = if i >= n - silent { PeerKind::Hostile(Behaviour::Silent) } else { PeerKind::Good };
                (format!("fe{i:04}"), kind)
            })
            .collect();
        let started = Instant::now();
        let lab = Scenario::new(peers).start().await?;
        let setup = started.elapsed();
        let lab_path = lab.inventory.clone();
        let bin = bin.clone();
        // The lab keeps serving on this runtime while the child process runs.
        let out = tokio::task::spawn_blocking(move || {
            Command::new("/usr/bin/time")
                .arg("-v")
                .arg(&bin)
                .args(["run", "--no-progress", "-q", "--timeout", "2s", "--concurrency", "1024"])
                .args(std::env::var("BENCH_ONLY").ok().map(|o| vec!["--only".to_string(), o]).unwrap_or_default())
                .arg("-i")
                .arg(&lab_path)
                .output()
        })
        .await??;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let field = |name: &str| stderr.lines().find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string())).unwrap_or_default();
        let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):");
        let wall_s = wall.rsplit(':').next().and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0)
            + wall.split(':').rev().nth(1).and_then(|m| m.parse::<f64>().ok()).unwrap_or(0.0) * 60.0;
        let rss_mib = field("Maximum resident set size (kbytes):").parse::<f64>().unwrap_or(0.0) / 1024.0;
        println!(
            "{n:>6} {silent:>7} {wall_s:>9.2} {:>9} {:>9} {rss_mib:>10.1}  {}   (lab setup {:.1} s)",
            field("User time (seconds):"),
            field("System time (seconds):"),
            String::from_utf8_lossy(&out.stdout).trim(),
            setup.as_secs_f64()
        );
        drop(lab);
    }
    Ok(())
}
