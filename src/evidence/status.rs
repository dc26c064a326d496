//! IM&P `show status`: host name, version, CPU, memory and disk use of a node, so the
//! audit can confirm the version and spot a node short of memory or disk.

use serde::{Deserialize, Serialize};

use super::noise::{self, quote, Line};
use super::{CutShort, ParseError};

/// What `show status` reports. Figures are as printed (kilobytes, percentages).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ShowStatus {
    /// The node's host name.
    pub host_name: Option<String>,
    /// The active product version (`Product Ver`), e.g. `12.5.1.16900-48`.
    pub product_version: Option<String>,
    /// The time zone, as printed.
    pub time_zone: Option<String>,
    /// CPU idle time, in percent.
    pub cpu_idle_pct: Option<f64>,
    /// Total memory, in kilobytes.
    pub memory_total_kb: Option<u64>,
    /// Free memory, in kilobytes.
    pub memory_free_kb: Option<u64>,
    /// Used memory, in kilobytes.
    pub memory_used_kb: Option<u64>,
    /// The disk partitions, in the order printed.
    pub partitions: Vec<Partition>,
    /// Set when the capture stops before the command's end (pager quit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<CutShort>,
}

impl super::kinds::Evidence for ShowStatus {
    fn cut_short(&self) -> Option<&super::CutShort> {
        self.cut.as_ref()
    }
}

/// One row of the disk table, e.g. `Disk/active 19805412K 4417968K 15184112K (78%)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    /// The name after `Disk/`: `active`, `inactive`, `logging`.
    pub name: String,
    /// The partition's size, in kilobytes.
    pub total_kb: u64,
    /// Free space, in kilobytes.
    pub free_kb: u64,
    /// Used space, in kilobytes.
    pub used_kb: u64,
    /// Used space, in percent (the figure in brackets).
    pub used_pct: u8,
}

/// Parse a `show status` capture.
pub fn parse(text: &str) -> Result<ShowStatus, ParseError> {
    noise::parse_with(text, &crate::evidence::kinds::SHOW_STATUS.cmd, parse_capture)
}

fn parse_capture(cap: &noise::Capture) -> Result<ShowStatus, ParseError> {
    let mut st = ShowStatus { cut: CutShort::from_pager(cap), ..ShowStatus::default() };
    let mut after_uptime_label = false;
    for line in cap.lines() {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        // The line under `Uptime:` is the `uptime` command's own output.
        if std::mem::take(&mut after_uptime_label) && t.contains(" up ") {
            continue;
        }
        if let Some(pairs) = percent_pairs(t) {
            if let Some((_, idle)) = pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case("CPU Idle")) {
                st.cpu_idle_pct = Some(*idle);
            }
            continue;
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        if words.len() == 3 && ["total", "free", "used"].iter().zip(&words).all(|(a, b)| b.eq_ignore_ascii_case(a)) {
            continue; // the disk table's header
        }
        if words.first().is_some_and(|w| w.len() > 5 && w.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("disk/"))) {
            st.partitions.push(partition(&line, &words)?);
            continue;
        }
        let Some((key, value)) = noise::key_value(t) else {
            let e = noise::unrecognised(&line, "`Label : value`, a CPU, memory or disk line");
            // The last line of a capture nothing closes was cut off, not printed wrong.
            match cap.cut_at(&e) {
                Some(cut) => {
                    st.cut.get_or_insert(cut);
                    break;
                }
                None => return Err(e),
            }
        };
        let some = |v: &str| (!v.is_empty()).then(|| v.to_string());
        match key.to_ascii_lowercase().as_str() {
            "host name" => st.host_name = some(value),
            "product ver" | "product version" => st.product_version = some(value),
            "time zone" => st.time_zone = some(value),
            "uptime" => after_uptime_label = value.is_empty(),
            "memory total" => st.memory_total_kb = Some(kilobytes(&line, key, value)?),
            "free" => st.memory_free_kb = Some(kilobytes(&line, key, value)?),
            "used" => st.memory_used_kb = Some(kilobytes(&line, key, value)?),
            "cached" | "shared" | "buffers" => {
                kilobytes(&line, key, value)?;
            }
            // Date, Locale, Unified OS Version, License MAC...: understood, not used.
            _ => {}
        }
    }
    // `Product Ver` is near the top of every `show status`: an open capture that stops
    // before it was cut at a line end.
    if st.cut.is_none() && st.product_version.is_none() && !cap.closed && !cap.trailer {
        if let Some(line) = cap.last_data_line() {
            st.cut = Some(CutShort { line, reason: "the capture stops before the `Product Ver` line every `show status` prints".into() });
        }
    }
    if st.host_name.is_none() && st.cpu_idle_pct.is_none() && st.memory_total_kb.is_none() && st.partitions.is_empty() && st.cut.is_none() {
        return Err(ParseError::new(0, "no host, CPU, memory or disk figures found — is this the output of `show status`?"));
    }
    Ok(st)
}

/// `CPU Idle:   96.73%  System:   01.01%    User:   02.26%` as (label, value) pairs;
/// `None` unless the whole line has that shape.
fn percent_pairs(t: &str) -> Option<Vec<(String, f64)>> {
    if !t.ends_with('%') {
        return None;
    }
    let mut out = Vec::new();
    for chunk in t.split('%') {
        if chunk.trim().is_empty() {
            continue;
        }
        let (label, number) = chunk.rsplit_once(':')?;
        let label = label.trim();
        if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') {
            return None;
        }
        out.push((label.to_string(), number.trim().parse::<f64>().ok()?));
    }
    (!out.is_empty()).then_some(out)
}

/// `8062528K`.
fn kilobytes(line: &Line<'_>, key: &str, value: &str) -> Result<u64, ParseError> {
    value.strip_suffix(['K', 'k']).and_then(|n| n.trim().parse::<u64>().ok()).ok_or_else(|| {
        ParseError::cut_off(line.no, format!("`{key}` should read like `8062528K`, found {} (is the file cut short?)", quote(value)))
    })
}

fn partition(line: &Line<'_>, words: &[&str]) -> Result<Partition, ParseError> {
    let bad = || {
        ParseError::cut_off(
            line.no,
            format!(
                "disk line {} should read like `Disk/active 19805412K 4417968K 15184112K (78%)` (is the file cut short?)",
                quote(line.text)
            ),
        )
    };
    // A note someone added after the row when publishing it (`(92%)    <--- Used
    // common partition space`) is not part of the output.
    let words = words.iter().position(|w| w.starts_with("<-")).map_or(words, |at| &words[..at]);
    let [name, total, free, used, pct] = words else {
        return Err(bad());
    };
    let kb = |w: &str| w.strip_suffix(['K', 'k']).and_then(|n| n.parse::<u64>().ok());
    let used_pct = pct
        .strip_prefix('(')
        .and_then(|p| p.strip_suffix("%)"))
        .and_then(|p| p.parse::<u8>().ok())
        .filter(|p| *p <= 100)
        .ok_or_else(bad)?;
    Ok(Partition {
        name: name[5..].to_string(),
        total_kb: kb(total).ok_or_else(bad)?,
        free_kb: kb(free).ok_or_else(bad)?,
        used_kb: kb(used).ok_or_else(bad)?,
        used_pct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMP_RT: &str = include_str!("../../examples/enterprise/evidence/imp-rt/show-status.txt");

    #[test]
    fn routing_node_sample() {
        let st = parse(IMP_RT).unwrap();
        assert_eq!(st.host_name.as_deref(), Some("imp-rt"));
        assert_eq!(st.product_version.as_deref(), Some("14.0.1.12900-2"));
        assert_eq!(st.time_zone.as_deref(), Some("Greenwich Mean Time (Europe/London)"));
        assert_eq!(st.cpu_idle_pct, Some(96.73));
        assert_eq!(st.memory_total_kb, Some(8_062_528));
        assert_eq!(st.memory_free_kb, Some(296_144));
        assert_eq!(st.memory_used_kb, Some(7_766_384));
        assert_eq!(st.partitions.len(), 3);
        assert_eq!(
            st.partitions[0],
            Partition { name: "active".into(), total_kb: 19_805_412, free_kb: 4_417_968, used_kb: 15_184_112, used_pct: 78 }
        );
        assert_eq!(st.partitions[2].name, "logging");
        assert_eq!(st.partitions[2].used_pct, 29);
    }

    #[test]
    fn crlf_matches_lf() {
        assert_eq!(parse(&IMP_RT.replace('\n', "\r\n")).unwrap(), parse(IMP_RT).unwrap());
    }

    #[test]
    fn truncated_disk_line_is_an_error_at_that_line() {
        let cut = IMP_RT.split(" 51029324K").next().unwrap();
        let last = cut.lines().count();
        let err = parse(cut).unwrap_err();
        assert_eq!(err.line, last);
        assert!(err.message.contains("\"Disk/logging         74828340K\""), "{}", err.message);
    }

    #[test]
    fn truncated_memory_figure_is_an_error() {
        let cut = IMP_RT.split("7766384K").next().unwrap().to_string() + "77663";
        let err = parse(&cut).unwrap_err();
        assert_eq!(err.line, 18);
        assert!(err.message.contains("\"77663\""), "{}", err.message);
    }

    #[test]
    fn garbled_line_is_named_and_quoted() {
        let text = IMP_RT.replace(" Locale            : en_US.UTF-8", "@@ the screen scrolled here @@");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 6);
        assert!(err.message.contains("\"@@ the screen scrolled here @@\""), "{}", err.message);
    }

    #[test]
    fn empty_file_is_an_error() {
        for text in ["", "admin:show status\n\nadmin:\n"] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, 0);
            assert_eq!(err.message, "no host, CPU, memory or disk figures found — is this the output of `show status`?");
        }
    }

    #[test]
    fn non_ascii_near_the_disk_prefix_does_not_panic() {
        let err = parse("Diské/active 1K 1K 1K (1%)\nadmin:\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn percent_pairs_shape() {
        assert_eq!(percent_pairs("IOWAIT:   00.00%     IRQ:   00.00%    Soft:   00.00%").map(|p| p.len()), Some(3));
        assert_eq!(percent_pairs("Disk/active 1K 1K 1K (78%)"), None);
    }
}
