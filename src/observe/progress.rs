//! The progress bar on stderr while probes run: probes done of total, and the probe
//! that has been pending longest (the one a user is waiting for).

use std::collections::BTreeMap;
use std::time::Duration;

/// A progress bar on stderr, only on a terminal: probes done / total and the peer
/// that has been pending longest (the one a user waits for).
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    pending: std::sync::Mutex<BTreeMap<String, std::time::Instant>>,
}

impl Progress {
    pub(super) fn new(enabled: bool, total: u64, what: &str) -> Progress {
        use std::io::IsTerminal;
        let pending = std::sync::Mutex::new(BTreeMap::new());
        if !enabled || !std::io::stderr().is_terminal() || total == 0 {
            return Progress { bar: None, pending };
        }
        let bar = indicatif::ProgressBar::new(total).with_message(what.to_string());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} probes {bar:30} {elapsed}  {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress { bar: Some(bar), pending }
    }

    pub(super) fn begin(&self, label: &str) {
        if self.bar.is_some() {
            if let Ok(mut p) = self.pending.lock() {
                p.insert(label.to_string(), std::time::Instant::now());
            }
        }
    }

    pub(super) fn end(&self, label: &str) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if let Ok(mut p) = self.pending.lock() {
            p.remove(label);
            if let Some((slowest, since)) = p.iter().min_by_key(|(_, t)| **t) {
                bar.set_message(format!("waiting for {slowest} ({:.0} s)", since.elapsed().as_secs_f64()));
            }
        }
    }

    pub(super) fn stage(&self, what: &str, more: u64) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_string());
            b.set_length(b.position() + more);
        }
    }

    pub(super) fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
