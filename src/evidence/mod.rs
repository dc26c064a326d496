//! Parsers for the command outputs an administrator collects from the servers
//! (IM&P CLI, Lync/SfB Management Shell). Every parser reads through the capture
//! cleaner (`noise`): session logs, pagers, prompts and transcripts are removed, the
//! output of the parser's own command is picked out of a file holding several, and
//! line numbers stay those of the original file. A parser refuses, with a line
//! number, what it cannot understand; an IM&P capture that stops early is kept but
//! marked (`CutShort`) so the check reading it cannot pass.

use std::fmt;
use std::path::{Path, PathBuf};

pub mod hardware;
pub mod hosted_voicemail;
pub mod hosting_provider;
pub mod kinds;
pub mod network_cluster;
pub mod service_list;
pub mod sip_domains;
pub mod soap;
pub mod static_routes;
pub mod status;
pub mod tls_min_version;
pub mod trusted_app;

mod msrecords;
mod noise;
mod psjson;
mod pslist;

/// Where and why a capture stops before its command's output ended (the pager was
/// quit, the session log stops mid-list). What is missing is unknown, so a check that
/// reads the file must not pass on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CutShort {
    /// 1-based line in the original file where the capture stops.
    pub line: usize,
    /// Why the capture is taken to stop there.
    pub reason: String,
}

impl CutShort {
    /// The cut the IM&P pager left, if any: quit at a prompt (`q`), or a jump over
    /// lines (`e`, `p`).
    pub(crate) fn from_pager(cap: &noise::Capture) -> Option<Self> {
        let quit = cap.pager_quit.map(|line| CutShort {
            line,
            reason: "the IM&P pager was quit here (q pressed): the rest of the output is not in the capture".into(),
        });
        let gap = cap.pager_gap.map(|(line, from, to)| CutShort {
            line,
            reason: format!(
                "the IM&P pager jumped here (e or p pressed): lines {from}-{to} of the output were never shown, so they are not in the capture"
            ),
        });
        quit.or(gap)
    }
}

impl fmt::Display for CutShort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The objects a Management Shell capture lists, and where the capture stops early if
/// it does. Reads as the list itself (`records.iter()`, `records.len()`); a cut capture
/// holds the complete objects before the cut.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Records<T> {
    /// The complete objects read, in capture order.
    pub items: Vec<T>,
    /// Where the capture stops early, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<CutShort>,
}

impl<T> Records<T> {
    /// A complete list.
    pub fn complete(items: Vec<T>) -> Self {
        Self { items, cut: None }
    }
}

impl<T> Default for Records<T> {
    fn default() -> Self {
        Self::complete(Vec::new())
    }
}

impl<T> std::ops::Deref for Records<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> std::ops::DerefMut for Records<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for Records<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.cut.is_none() && self.items == *other
    }
}

/// A parse failure inside one evidence text: 1-based line and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the text where the problem is.
    pub line: usize,
    /// What was wrong.
    pub message: String,
    /// The text stops before what it must hold (a line without its end, a record
    /// without its last properties, JSON without its closing brackets): at the end of
    /// a capture nothing closes, that is a cut, not a server printing something wrong.
    pub incomplete: bool,
}

impl ParseError {
    /// An error at `line`, for text that is wrong rather than cut short.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self { line, message: message.into(), incomplete: false }
    }

    /// An error a capture that stops early would give (see `incomplete`).
    pub fn cut_off(line: usize, message: impl Into<String>) -> Self {
        Self { incomplete: true, ..Self::new(line, message) }
    }
}

/// A failure to load an evidence file: the file, the line (0 when the whole file is at
/// fault, e.g. unreadable or empty) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EvidenceError {
    /// The evidence file.
    pub file: PathBuf,
    /// 1-based line in the file; 0 when the whole file is at fault.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

/// Read a file and run `parse` on it, attaching the file name to any error.
pub fn load<T>(path: &Path, parse: fn(&str) -> Result<T, ParseError>) -> Result<T, EvidenceError> {
    // Capped before parsing; a FIFO or device is refused, not read.
    let bytes = crate::fsread::read_capped(path, crate::fsread::EVIDENCE_CAP).map_err(|e| EvidenceError {
        file: path.to_path_buf(),
        line: 0,
        message: format!("cannot read evidence file: {}", e.reason()),
    })?;
    let text = decode(&bytes);
    parse(&text).map_err(|e| EvidenceError { file: path.to_path_buf(), line: e.line, message: e.message })
}

/// Captures come from Windows as often as from Linux: Windows PowerShell 5.1 writes
/// `>` redirections as UTF-16LE with a byte-order mark. Text is read as UTF-16 when it
/// has a UTF-16 byte-order mark (or, without one, when its first character is ASCII
/// padded with a zero byte), else as UTF-8: a UTF-8 byte-order mark dropped, invalid
/// bytes replaced (a stray byte should not hide the rest).
pub fn decode(bytes: &[u8]) -> String {
    let utf16 = |rest: &[u8], from: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| from([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        [a, 0, ..] if *a != 0 && a.is_ascii() => utf16(bytes, u16::from_le_bytes),
        [0, b, ..] if *b != 0 && b.is_ascii() => utf16(bytes, u16::from_be_bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Whether `decode` reads these bytes as UTF-16 (or drops a UTF-8 byte-order mark).
pub fn has_bom_or_utf16(bytes: &[u8]) -> bool {
    matches!(bytes, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [0xEF, 0xBB, 0xBF, ..] | [1..=0x7F, 0, ..] | [0, 1..=0x7F, ..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_handles_boms() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc"), "abc");
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain("Ok\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&le), "Ok\r\n");
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain("Ok".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&be), "Ok");
        assert_eq!(decode(b"plain"), "plain");
        // Without a byte-order mark (Out-File -Encoding Unicode does write one, other tools may not).
        let le: Vec<u8> = "admin:".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&le), "admin:");
        let be: Vec<u8> = "[{}]".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be), "[{}]");
        assert_eq!(decode(b""), "");
    }

    #[test]
    fn load_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("svc.txt");
        std::fs::write(&path, "Cisco Tomcat[STARTED]\nCisco SIP Proxy[STA\nadmin:").unwrap();
        let err = load(&path, service_list::parse).unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(err.file, path);
        assert!(err.to_string().starts_with(&format!("{}:2: ", path.display())), "{err}");

        let missing = dir.path().join("absent.txt");
        let err = load(&missing, service_list::parse).unwrap_err();
        assert_eq!(err.line, 0);
        assert!(err.message.starts_with("cannot read evidence file"), "{}", err.message);
    }

    #[test]
    fn load_reads_utf16_powershell_output() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("svc.txt");
        let text = "PS C:\\> x\r\nCisco Tomcat[STARTED]\r\n";
        let bytes: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        std::fs::write(&path, bytes).unwrap();
        let list = load(&path, service_list::parse).unwrap();
        assert_eq!(list.services[0].name, "Cisco Tomcat");
        assert_eq!(list.services[0].line, 2);
    }
}

/// Whatever bytes arrive, no parser may panic: feed every sample, cut at many points
/// and with noise characters spliced in, to every parser.
#[cfg(test)]
mod robustness {
    use super::ParseError;

    type Parser = fn(&str) -> Result<Option<super::CutShort>, ParseError>;

    /// Every kind's parser (through the descriptor, so a new kind is covered), and the
    /// CLI parsers behind the SOAP-or-CLI readers.
    fn parsers() -> Vec<(&'static str, Parser)> {
        let mut out: Vec<(&'static str, Parser)> = vec![
            ("cli:service_list", |t| super::service_list::parse(t).map(|v| v.cut)),
            ("cli:hardware", |t| super::hardware::parse(t).map(|v| v.cut)),
            ("cli:status", |t| super::status::parse(t).map(|v| v.cut)),
            ("cli:network_cluster", |t| super::network_cluster::parse(t).map(|v| v.cut)),
        ];
        out.extend(super::kinds::KINDS.iter().map(|k| (k.key, k.check)));
        out
    }

    const SAMPLES: &[&str] = &[
        include_str!("../../examples/enterprise/evidence/imp-a/utils-service-list.txt"),
        include_str!("../../examples/enterprise/evidence/imp-rt/show-hardware.txt"),
        include_str!("../../examples/enterprise/evidence/imp-rt/show-status.txt"),
        include_str!("../../examples/enterprise/evidence/imp-rt/show-network-cluster.txt"),
        include_str!("../../examples/enterprise/evidence/imp-rt/show-tls-min-version.txt"),
        include_str!("../../examples/enterprise/evidence/ms/static-routes.txt"),
        include_str!("../../examples/enterprise/evidence/ms/static-routes.json"),
        include_str!("../../examples/enterprise/evidence/ms/trusted-application-pool.txt"),
        include_str!("../../examples/enterprise/evidence/ms/trusted-application.txt"),
        include_str!("../../examples/enterprise/evidence/ms/hosting-providers.txt"),
        include_str!("../../examples/enterprise/evidence/ms/hosting-providers.json"),
        include_str!("../../examples/enterprise/evidence/ms/hosted-voicemail-policies.txt"),
    ];

    /// Captures built to make a per-line look-ahead quadratic (a prompt-like line on
    /// every line, figures followed by a sea of blank lines, thousands of stamped or
    /// paged lines): every parser must stay linear. 200,000 lines each; a
    /// quadratic pass would take minutes, a linear one well under the bound.
    #[test]
    fn pathological_captures_are_read_in_linear_time() {
        let n = 200_000;
        // (input, the parser whose path it loads; the capture cleaning is shared)
        let inputs = [
            ("PS C:\\a\n".repeat(n), "service_list"),
            (format!("{}{}", "Memory : 1 MB\n".repeat(n / 2), "\n".repeat(n / 2)), "hardware"),
            ("10:15:02: Cisco Tomcat[STARTED]\n".repeat(n / 4), "service_list"),
            ("options: q=quit, n=next, p=prev, b=begin, e=end (lines 9 - 1 of 7) :n\n".repeat(n / 8), "service_list"),
            (format!("PS C:\\> Get-CsHostingProvider\n{}", "Identity : a\nName : b\n\n".repeat(n / 3)), "hosting_providers"),
            (format!("[{}", "{\"Identity\": \"a\"},".repeat(n / 4)), "hosting_providers"),
            (format!("WARNING: x\n{}", "y\n".repeat(n)), "hosting_providers"),
        ];
        let parsers = parsers();
        for (input, which) in &inputs {
            let Some((name, parse)) = parsers.iter().find(|(n, _)| n == which) else { panic!("no parser {which}") };
            let started = std::time::Instant::now();
            let _ = parse(input);
            let took = started.elapsed();
            assert!(took < std::time::Duration::from_secs(20), "{name} took {took:?} on {:?}…", &input[..40]);
        }
    }

    #[test]
    fn no_parser_panics_on_cut_or_mutated_samples() {
        // Terminal controls too: the capture cleaner renders escapes, CR and backspace.
        let noise: Vec<char> = "[]{}:;=\"<>/ \n\r\t%()é…,.-0K*~\u{1b}\u{8}\u{9b}\u{7}\u{feff}\u{E000}".chars().collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut inputs: Vec<String> = Vec::new();
        for sample in SAMPLES {
            let bounds: Vec<usize> = sample.char_indices().map(|(i, _)| i).collect();
            inputs.extend(bounds.iter().step_by(17).map(|&i| sample[..i].to_string()));
            for _ in 0..100 {
                let mut chars: Vec<char> = sample.chars().collect();
                for _ in 0..3 {
                    let at = (next() as usize) % (chars.len() + 1);
                    let c = noise[(next() as usize) % noise.len()];
                    if next() % 2 == 0 && at < chars.len() {
                        chars[at] = c;
                    } else {
                        chars.insert(at, c);
                    }
                }
                inputs.push(chars.into_iter().collect());
            }
        }
        let parsers = parsers();
        for input in &inputs {
            for (_, parse) in &parsers {
                // Either outcome is fine; a panic fails the test.
                let _ = parse(input);
            }
        }
        assert!(inputs.len() > 1000);
    }
}
