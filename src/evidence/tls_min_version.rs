//! IM&P `show tls min-version`: the lowest TLS version the node accepts and offers
//! (`Configured TLS minimum version: 1.2`). Set per node with `set tls min-version`;
//! a floor above what a Microsoft peer speaks breaks federation with that peer.

use serde::{Deserialize, Serialize};

use super::noise::{self, quote};
use super::ParseError;

const LABEL: &str = "configured tls minimum version";

/// The configured floor, as `1.0`, `1.1`, `1.2` or `1.3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsMinVersion {
    /// `"1.2"`: major and minor of TLS.
    pub version: String,
    /// Line of the value in the original file.
    pub line: usize,
}

impl super::kinds::Evidence for TlsMinVersion {
    fn cut_short(&self) -> Option<&super::CutShort> {
        None // one line: a cut copy shows no version and is refused
    }
}

impl TlsMinVersion {
    /// The minor number of TLS 1.x (0 for TLS 1.0 … 3 for TLS 1.3).
    pub fn minor(&self) -> u8 {
        self.version.strip_prefix("1.").and_then(|m| m.parse().ok()).unwrap_or(0)
    }
}

/// Parse a `show tls min-version` capture.
pub fn parse(text: &str) -> Result<TlsMinVersion, ParseError> {
    noise::parse_with(text, &crate::evidence::kinds::SHOW_TLS_MIN_VERSION.cmd, |cap| {
        let mut found: Option<TlsMinVersion> = None;
        for line in cap.lines() {
            let t = line.text.trim();
            if t.is_empty() {
                continue;
            }
            let Some((key, value)) = noise::key_value(t).filter(|(k, _)| k.eq_ignore_ascii_case(LABEL)) else {
                // Other `Label: value` lines a later release might add are not ours to judge.
                if noise::key_value(t).is_some() {
                    continue;
                }
                return Err(noise::unrecognised(&line, "`Configured TLS minimum version: 1.2`"));
            };
            let version = version_of(value).ok_or_else(|| {
                ParseError::new(line.no, format!("`{key}` should be 1.0, 1.1, 1.2 or 1.3, found {} (is the file cut short?)", quote(value)))
            })?;
            found = Some(TlsMinVersion { version, line: line.no });
        }
        found.ok_or_else(|| {
            ParseError::new(0, "no `Configured TLS minimum version` line found — is this the output of `show tls min-version`?")
        })
    })
}

/// `1.2`, `TLSv1.2`, `TLS 1.2`, `tls1.2` → `1.2`.
fn version_of(value: &str) -> Option<String> {
    let v = value.trim().to_ascii_lowercase();
    let v = v.strip_prefix("tls").unwrap_or(&v).trim_start_matches(['v', ' ']);
    matches!(v, "1.0" | "1.1" | "1.2" | "1.3").then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output() {
        let r = parse("Configured TLS minimum version: 1.2\n").unwrap();
        assert_eq!(r, TlsMinVersion { version: "1.2".into(), line: 1 });
        assert_eq!(r.minor(), 2);
    }

    #[test]
    fn through_a_putty_session_with_prompts() {
        let text = "=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.11.30 10:02:11 =~=~=~=~=~=~=~=~=~=~=~=\r\n\
                    admin:show tls min-version\r\n\
                    Configured TLS minimum version: 1.0\r\n\
                    \r\n\
                    admin:\x1b[K\r\n";
        let r = parse(text).unwrap();
        assert_eq!(r.version, "1.0");
        assert_eq!(r.line, 3);
    }

    #[test]
    fn another_command_in_the_same_file_is_left_out() {
        let text =
            "admin:show status\n Host Name : imp-rt\n\nadmin:show tls min-version\nConfigured TLS minimum version: TLSv1.1\nadmin:\n";
        assert_eq!(parse(text).unwrap().version, "1.1");
    }

    #[test]
    fn garbled_or_missing_value_is_an_error() {
        let err = parse("Configured TLS minimum version: 1.\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("\"1.\""), "{}", err.message);
        let err = parse("admin:show tls min-version\n\nadmin:\n").unwrap_err();
        assert_eq!(err.line, 0);
        assert!(err.message.contains("show tls min-version"), "{}", err.message);
        let err = parse("@@ noise @@\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn the_wrong_command_is_named() {
        let err = parse("admin:utils service list\nCisco SIP Proxy[STARTED]\nadmin:\n").unwrap_err();
        assert!(err.message.contains("utils service list"), "{}", err.message);
    }
}
