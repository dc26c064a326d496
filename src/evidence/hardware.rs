//! IM&P `show hardware`: the virtual machine's processors and memory, which the
//! sizing checks compare with the OVA a node's user count needs.

use serde::{Deserialize, Serialize};

use super::noise::{self, quote, Line};
use super::{CutShort, ParseError};

/// What `show hardware` says about a node. Only the head block is read; the RAID,
/// BIOS and physical-device sections that follow add nothing the checks use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Hardware {
    /// The `HW Platform` line (e.g. `VMware Virtual Machine`).
    pub platform: Option<String>,
    /// Number of processors (vCPUs).
    pub processors: Option<u32>,
    /// The processor type.
    pub cpu_type: Option<String>,
    /// The CPU speed in MHz.
    pub cpu_speed_mhz: Option<u32>,
    /// Memory in MB.
    pub memory_mb: Option<u64>,
    /// The `OS Version` line.
    pub os_version: Option<String>,
    /// The serial number.
    pub serial: Option<String>,
    /// Set when the capture stops before the command's end (pager quit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<CutShort>,
}

impl super::kinds::Evidence for Hardware {
    fn cut_short(&self) -> Option<&super::CutShort> {
        self.cut.as_ref()
    }
}

/// Parse a `show hardware` capture.
pub fn parse(text: &str) -> Result<Hardware, ParseError> {
    noise::parse_with(text, &crate::evidence::kinds::SHOW_HARDWARE.cmd, parse_capture)
}

fn parse_capture(cap: &noise::Capture) -> Result<Hardware, ParseError> {
    let mut hw = Hardware { cut: CutShort::from_pager(cap), ..Hardware::default() };
    // (line, figure, printed whole with its unit)
    let mut figure_lines: Vec<(usize, &str, bool)> = Vec::new();
    for line in cap.lines() {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if starts_ignored_section(t) {
            break;
        }
        let Some((key, value)) = noise::key_value(t) else {
            let e =
                ParseError::cut_off(line.no, format!("unrecognised line {}: expected `Label : value` (is the file cut short?)", quote(t)));
            // The last line of a capture nothing closes was cut off, not printed wrong.
            match cap.cut_at(&e) {
                Some(cut) => {
                    hw.cut.get_or_insert(cut);
                    break;
                }
                None => return Err(e),
            }
        };
        let some = |v: &str| (!v.is_empty()).then(|| v.to_string());
        match key.to_ascii_lowercase().as_str() {
            "hw platform" => hw.platform = some(value),
            "processors" => {
                hw.processors = Some(number(&line, key, value)?);
                figure_lines.push((line.no, "Processors", false));
            }
            "type" => hw.cpu_type = some(value),
            "cpu speed" => {
                let v = value.trim_end_matches("MHz").trim_end();
                hw.cpu_speed_mhz = Some(number(&line, key, v)?);
            }
            "memory" => {
                hw.memory_mb = Some(memory_mb(&line, value)?);
                // With its unit (`MBytes`) it was not cut inside its digits.
                let lower = value.to_ascii_lowercase();
                let whole = ["mbytes", "mb", "gb", "kb", "gbytes", "kbytes"].iter().any(|u| lower.ends_with(u));
                figure_lines.push((line.no, "Memory", whole));
            }
            "os version" => hw.os_version = some(value),
            "serial number" => hw.serial = some(value),
            // Other labels (Object ID, newer releases' extras) are understood, not used.
            _ => {}
        }
    }
    // A figure on the very line an unclosed capture ends with may have lost digits
    // (`Memory : 81` of `8192 MBytes`): it is not used.
    let end = cap.last_data_line().filter(|l| cap.stops_at(*l));
    if let Some((line, what, _)) = figure_lines.iter().find(|(l, _, whole)| Some(*l) == end && !whole) {
        match *what {
            "Processors" => hw.processors = None,
            _ => hw.memory_mb = None,
        }
        hw.cut.get_or_insert(CutShort {
            line: *line,
            reason: format!("the capture ends on the `{what}` line, so its figure may be cut off"),
        });
    }
    // Every `show hardware` prints both figures near its top: a capture that stops,
    // with nothing closing it, before one of them was cut at a line end.
    let missing: Vec<&str> = [("Processors", hw.processors.is_none()), ("Memory", hw.memory_mb.is_none())]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
    if hw.cut.is_none() && !missing.is_empty() && !cap.closed && !cap.trailer {
        if let Some(line) = cap.last_data_line() {
            hw.cut = Some(CutShort {
                line,
                reason: format!("the capture stops before the `{}` line every `show hardware` prints", missing.join("` and `")),
            });
        }
    }
    if hw.processors.is_none() && hw.memory_mb.is_none() && hw.cut.is_none() {
        return Err(ParseError::new(0, "no processor or memory figures found — is this the output of `show hardware`?"));
    }
    Ok(hw)
}

/// The first line of the sections after the head block.
fn starts_ignored_section(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower.starts_with("raid version")
        || lower.starts_with("raid details")
        || lower.starts_with("bios information")
        || lower.starts_with("physical device information")
        || (t.len() >= 5 && t.chars().all(|c| c == '-'))
}

fn number(line: &Line<'_>, key: &str, value: &str) -> Result<u32, ParseError> {
    value
        .trim()
        .parse::<u32>()
        .map_err(|_| ParseError::new(line.no, format!("`{key}` should be a number, found {} in {}", quote(value), quote(line.text))))
}

/// `8192 MBytes` (the usual form); `MB`, `GB`/`GBytes` and `KB`/`KBytes` also read.
fn memory_mb(line: &Line<'_>, value: &str) -> Result<u64, ParseError> {
    let bad = || ParseError::new(line.no, format!("`Memory` should read like `8192 MBytes`, found {}", quote(value)));
    let mut parts = value.split_whitespace();
    let amount: u64 = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    let unit = parts.next().unwrap_or("MBytes").to_ascii_lowercase();
    if parts.next().is_some() {
        return Err(bad());
    }
    match unit.as_str() {
        "mbytes" | "mb" | "m" => Ok(amount),
        "gbytes" | "gb" | "g" => amount.checked_mul(1024).ok_or_else(bad),
        "kbytes" | "kb" | "k" => Ok(amount / 1024),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMP_RT: &str = include_str!("../../examples/enterprise/evidence/imp-rt/show-hardware.txt");
    const IMP_A: &str = include_str!("../../examples/enterprise/evidence/imp-a/show-hardware.txt");
    const CONTRACT: &str = include_str!("../../tests/fixtures/contract/evidence/imp-rt/show-hardware.txt");

    #[test]
    fn routing_node_sample() {
        let hw = parse(IMP_RT).unwrap();
        assert_eq!(
            hw,
            Hardware {
                platform: Some("VMware Virtual Machine".into()),
                processors: Some(4),
                cpu_type: Some("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz".into()),
                cpu_speed_mhz: Some(2100),
                memory_mb: Some(8192),
                os_version: Some("UCOS 7.0.0.0-4.x86_64".into()),
                serial: Some("VMware-42 0e 7c 31 5a 9b 14 d2-6f 88 03 c1 4b 7e 2a 90".into()),
                cut: None,
            }
        );
    }

    #[test]
    fn user_node_a_has_less_memory() {
        let hw = parse(IMP_A).unwrap();
        assert_eq!(hw.processors, Some(4));
        assert_eq!(hw.memory_mb, Some(6144));
    }

    #[test]
    fn contract_file() {
        let hw = parse(CONTRACT).unwrap();
        assert_eq!(hw.processors, Some(4));
        assert_eq!(hw.memory_mb, Some(8192));
        assert_eq!(hw.cpu_speed_mhz, Some(2500));
        assert_eq!(hw.cpu_type.as_deref(), Some("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"));
        assert_eq!(hw.os_version.as_deref(), Some("UCOS 7.0.0.0-4.x86_64"));
    }

    #[test]
    fn crlf_matches_lf() {
        assert_eq!(parse(&IMP_RT.replace('\n', "\r\n")).unwrap(), parse(IMP_RT).unwrap());
    }

    #[test]
    fn physical_section_does_not_override_the_head() {
        let text = "Processors : 2\nMemory : 6144 MBytes\n-----\nProcessors : 16\nfree text here\n";
        let hw = parse(text).unwrap();
        assert_eq!(hw.processors, Some(2));
    }

    #[test]
    fn a_capture_ending_before_memory_at_a_line_end_is_cut() {
        let cut: String = IMP_RT.lines().take(5).map(|l| format!("{l}\n")).collect();
        let hw = parse(&cut).unwrap();
        assert_eq!(hw.processors, Some(4));
        let c = hw.cut.unwrap();
        assert_eq!(c.line, 5);
        assert!(c.reason.contains("`Memory`"), "{}", c.reason);
        // Closed by the prompt, the output simply had no memory line: no cut.
        assert!(parse(&format!("{cut}admin:")).unwrap().cut.is_none());
    }

    #[test]
    fn truncated_file_is_cut_at_the_cut_line() {
        let cut: String = IMP_RT.lines().take(5).collect::<Vec<_>>().join("\n") + "\nMemo";
        let hw = parse(&cut).unwrap();
        let c = hw.cut.unwrap();
        assert_eq!(c.line, 6);
        assert!(c.reason.contains("\"Memo\""), "{}", c.reason);
        // Followed by a prompt, the command finished: the same line is an error.
        let err = parse(&(cut + "\nadmin:")).unwrap_err();
        assert_eq!(err.line, 6);
        assert!(err.message.contains("\"Memo\""), "{}", err.message);
    }

    #[test]
    fn garbled_line_is_named_and_quoted() {
        let text = "admin:show hardware\nHW Platform : VMware Virtual Machine\n%%%% garbage %%%%\nProcessors : 4\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("\"%%%% garbage %%%%\""), "{}", err.message);
    }

    #[test]
    fn non_numeric_figures_are_errors() {
        let err = parse("Processors : four\nMemory : 8192 MBytes\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("\"four\""), "{}", err.message);

        let err = parse("Processors : 4\nMemory : lots MBytes\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("\"lots MBytes\""), "{}", err.message);

        let err = parse("Processors : 4\nMemory : 8192 parsecs\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse("Memory : 8 GB\n").unwrap().memory_mb, Some(8192));
        assert_eq!(parse("Memory : 8388608 KB\n").unwrap().memory_mb, Some(8192));
        assert_eq!(parse("Memory : 4096\nOS Version : 2.0.0.0-1\n").unwrap().memory_mb, Some(4096));
        // A bare number the capture ends with may have lost digits.
        let hw = parse("Processors : 4\nMemory : 81").unwrap();
        assert_eq!(hw.memory_mb, None);
        assert!(hw.cut.unwrap().reason.contains("ends on the `Memory` line"));
    }

    #[test]
    fn empty_or_figureless_file_is_an_error() {
        for text in ["", "\n\n", "admin:show hardware\nHW Platform : VMware Virtual Machine\nCommand successful\n"] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, 0);
            assert_eq!(err.message, "no processor or memory figures found — is this the output of `show hardware`?");
        }
    }
}
