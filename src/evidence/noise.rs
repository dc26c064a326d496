//! Noise that real captures carry around the data: shell prompts with the echoed
//! command, the IM&P pager prompt, CRLF endings, byte-order marks and the status
//! lines the IM&P CLI prints after a command. Every parser filters through here so
//! the rules live in one place.

use super::ParseError;

/// One line of a capture after noise removal. `text` has its line ending and
/// trailing whitespace removed but keeps leading whitespace (Format-List uses it to
/// mark continuation lines). An empty `text` is a blank line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// 1-based line number in the original file.
    pub no: usize,
    pub text: &'a str,
}

/// The lines of `text` that may carry data: noise lines are dropped, blank lines
/// kept (as empty `text`) because Format-List separates records with them.
pub(crate) fn lines(text: &str) -> Vec<Line<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        if let Some(clean) = clean_line(raw) {
            out.push(Line { no: i + 1, text: clean });
        }
    }
    out
}

/// `text` with every noise line blanked out but the line count unchanged, so a JSON
/// parser's line numbers still point into the original file.
pub(crate) fn blank_noise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    for (i, raw) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if let Some(clean) = clean_line(raw) {
            out.push_str(clean);
        }
    }
    out
}

/// Whether the data part starts like JSON (`[` or `{` as its first non-blank char).
pub(crate) fn looks_like_json(lines: &[Line<'_>]) -> bool {
    lines.iter().map(|l| l.text.trim_start()).find(|t| !t.is_empty()).is_some_and(|t| t.starts_with('[') || t.starts_with('{'))
}

/// True when no line carries anything.
pub(crate) fn all_blank(lines: &[Line<'_>]) -> bool {
    lines.iter().all(|l| l.text.trim().is_empty())
}

/// A line quoted for an error message, cut to about 60 characters.
pub(crate) fn quote(text: &str) -> String {
    const MAX: usize = 60;
    let text = text.trim();
    if text.chars().count() <= MAX {
        format!("\"{text}\"")
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("\"{cut}…\"")
    }
}

/// The standard error for a line a parser does not understand.
pub(crate) fn unrecognised(line: &Line<'_>, expected: &str) -> ParseError {
    ParseError::new(line.no, format!("unrecognised line {}: expected {expected}", quote(line.text)))
}

/// An IM&P CLI `Key : Value` line (keys may contain spaces, e.g. `HW Platform`): the
/// key and the value, both trimmed. `None` when there is no colon or the part before
/// it does not look like a label.
pub(crate) fn key_value(t: &str) -> Option<(&str, &str)> {
    let colon = t.find(':')?;
    let key = t[..colon].trim();
    let value = t[colon + 1..].trim();
    let label = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.len() <= 40
        && key.chars().all(|c| c.is_ascii_alphanumeric() || " /()-_.".contains(c));
    label.then_some((key, value))
}

/// Strip the line ending, trailing whitespace and any pager prompt; `None` when what
/// is left is pure noise (a prompt or a CLI status line).
fn clean_line(raw: &str) -> Option<&str> {
    let mut line = raw.trim_end();
    // The IM&P pager prompt may stand alone or be glued to the front of a data line.
    while let Some(rest) = strip_pager_prompt(line) {
        line = rest;
    }
    let t = line.trim();
    if t.is_empty() {
        return Some("");
    }
    if is_noise(t) {
        return None;
    }
    Some(line)
}

fn is_noise(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower.starts_with("admin:")
        || is_powershell_prompt(t)
        || lower == "command successful"
        || lower == "command successful."
        || lower == "executed command successfully"
        || lower.starts_with("primary node =")
        || lower.starts_with("primary node=")
}

/// `PS C:\>`, `PS C:\Users\admin> Get-Cs...`, `PS \\server\share>`.
fn is_powershell_prompt(t: &str) -> bool {
    let Some(rest) = t.strip_prefix("PS ") else {
        return false;
    };
    let Some(end) = rest.find('>') else {
        return false;
    };
    let path = &rest[..end];
    let drive = path.len() >= 2 && path.as_bytes()[0].is_ascii_alphabetic() && path.as_bytes()[1] == b':';
    drive || path.starts_with("\\\\") || path.contains("::")
}

/// If `line` starts with the pager prompt
/// `options: q=quit, n=next, p=prev, b=begin, e=end (lines 1 - 20 of 58) :`, the rest
/// of the line after it.
fn strip_pager_prompt(line: &str) -> Option<&str> {
    let start = line.trim_start();
    let head = start.get(..8)?;
    if !head.eq_ignore_ascii_case("options:") || !start.contains("q=quit") {
        return None;
    }
    let after_end = start.find("e=end").map(|i| i + "e=end".len())?;
    let mut rest = start[after_end..].trim_start();
    if let Some(r) = rest.strip_prefix('(') {
        rest = match r.find(')') {
            Some(close) => r[close + 1..].trim_start(),
            None => "",
        };
    }
    Some(rest.strip_prefix(':').unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_prompt_alone_and_glued() {
        let text = "a\noptions: q=quit, n=next, p=prev, b=begin, e=end (lines 1 - 20 of 58) :\r\n\
                    options: q=quit, n=next, p=prev, b=begin, e=end (lines 21 - 40 of 58) :Cisco Tomcat[STARTED]\n";
        let got = lines(text);
        assert_eq!(
            got,
            vec![
                Line { no: 1, text: "a" },
                Line { no: 2, text: "" },
                Line { no: 3, text: "Cisco Tomcat[STARTED]" },
                Line { no: 4, text: "" },
            ]
        );
    }

    #[test]
    fn prompts_and_status_lines_are_dropped() {
        let text = "\u{feff}admin:utils service list\nPS C:\\Users\\adm> Get-CsHostingProvider\n\
                    data\nPrimary Node =true\nCommand successful\nExecuted command successfully\n";
        let got: Vec<_> = lines(text).into_iter().filter(|l| !l.text.is_empty()).collect();
        assert_eq!(got, vec![Line { no: 3, text: "data" }]);
    }

    #[test]
    fn powershell_word_is_not_a_prompt() {
        assert!(!is_powershell_prompt("PS > nothing"));
        assert!(is_powershell_prompt("PS C:\\>"));
        assert!(is_powershell_prompt("PS \\\\fs01\\share>"));
    }

    #[test]
    fn blank_noise_keeps_line_numbers() {
        let text = "PS C:\\> x | ConvertTo-Json\r\n[\r\n 1\r\n]\r\nPS C:\\>";
        assert_eq!(blank_noise(text), "\n[\n 1\n]\n");
    }

    #[test]
    fn cli_key_values() {
        assert_eq!(key_value("HW Platform       : VMware Virtual Machine"), Some(("HW Platform", "VMware Virtual Machine")));
        assert_eq!(key_value("RAID Version      :"), Some(("RAID Version", "")));
        assert_eq!(key_value("Date : Wed Mar 4, 2026 10:15:32"), Some(("Date", "Wed Mar 4, 2026 10:15:32")));
        assert_eq!(key_value("no colon here"), None);
        assert_eq!(key_value("#$%! : x"), None);
    }

    #[test]
    fn quote_truncates_long_lines() {
        let long = "x".repeat(100);
        let q = quote(&long);
        assert_eq!(q.chars().count(), 63);
        assert!(q.ends_with("…\""));
        assert_eq!(quote("  short  "), "\"short\"");
    }
}
