//! Text helpers every parser shares: quoting a line for a message, the standard
//! error for a line not understood, `Key : Value` splitting, JSON sniffing.

use super::*;

/// Whether the data part starts like JSON (`[` or `{` as its first non-blank char).
pub(crate) fn looks_like_json(lines: &[Line<'_>]) -> bool {
    lines.iter().map(|l| l.text.trim_start()).find(|t| !t.is_empty()).is_some_and(|t| t.starts_with('[') || t.starts_with('{'))
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

/// The standard error for a line a parser does not understand. At the end of a
/// capture nothing closes it is taken as a line cut off (it may be the start of one).
pub(crate) fn unrecognised(line: &Line<'_>, expected: &str) -> ParseError {
    ParseError::cut_off(line.no, format!("unrecognised line {}: expected {expected}", quote(line.text)))
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
