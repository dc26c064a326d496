//! The per-format rules that keep quoted text inert in each output (the character
//! rules themselves are `crate::escape`).
//!
//! Findings quote peers, inventories and evidence: text an attacker may shape. Two
//! things must never get through: bidirectional controls (an RLO makes "liaf" read
//! as "fail") and, per format, the characters that turn text into markup (a client
//! named `[click](javascript:…)` must not become a live Markdown link). Each renderer
//! passes its finished document through the function for its format here, and its
//! cells through the cell escapers.

pub use crate::escape::is_bidi_control;

/// A finished JSON document: bidi controls become `\uXXXX` escapes inside their
/// strings (the same value for a parser, inert for a viewer). serde_json already
/// escapes control characters; bidi controls can only occur inside strings.
pub fn json_document(s: &str) -> String {
    if !s.chars().any(is_bidi_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// One field of terminal output (a target, a summary): control characters other than
/// newlines, and bidi controls, are shown as `\u{..}`.
pub fn terminal_field(s: &str) -> String {
    crate::escape::escape_chars(s, |c| (c.is_control() && c != '\n') || is_bidi_control(c))
}

/// Everything printed on stdout. With `colour`, the SGR sequences the renderers emit
/// (`ESC [ digits ; m`) pass; every other control character (an escape that clears the
/// screen or moves the cursor) and every bidi control is shown as `\u{..}`.
pub fn terminal_output(s: &str, colour: bool) -> String {
    let needs = s.chars().any(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c));
    if !needs {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if colour && c == '\u{1b}' {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Length of a colour sequence `ESC [ (digits|;)* m` at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 3 || b[0] != 0x1b || b[1] != b'[' {
        return None;
    }
    let params = b[2..].iter().take_while(|&&c| c.is_ascii_digit() || c == b';').count();
    (b.get(2 + params) == Some(&b'm')).then_some(3 + params)
}

/// Text in a Markdown table cell: the characters that would end the cell (`|`),
/// open a link or image (`[`, `]`, `(`, `)`), start code (`` ` ``), an HTML tag (`<`)
/// or an escape (`\`) are backslash-escaped; line breaks become `<br>`; other control
/// characters a space; bidi controls are shown as `\u{..}`.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' | '<' | '[' | ']' | '(' | ')' | '`' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            c if is_bidi_control(c) => out.push_str(&format!("\\\\u{{{:x}}}", c as u32)),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Markdown prose (a heading or paragraph): as [`markdown_cell`] for links, code and
/// tags, but line breaks stay, and a line cannot start a quote, heading or list.
pub fn markdown_text(s: &str) -> String {
    s.trim()
        .lines()
        .map(|line| {
            let t = line.trim_start();
            let escaped = markdown_inline(t);
            if t.starts_with(['>', '#', '-', '+', '*', '=']) || t.starts_with(|c: char| c.is_ascii_digit()) && t.contains(". ") {
                format!("\\{escaped}")
            } else {
                escaped
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Inline Markdown outside a table: like a cell, but `|` and `>` are ordinary
/// (menu paths such as `Presence > Routing` read as written).
fn markdown_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' | '[' | ']' | '(' | ')' | '`' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if is_bidi_control(c) => out.push_str(&format!("\\\\u{{{:x}}}", c as u32)),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_lose_bidi_and_controls() {
        assert_eq!(crate::escape::document("<p>\u{202E}liaf</p>\n"), "<p>\\u{202e}liaf</p>\n");
        assert_eq!(crate::escape::document("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}'] {
            assert!(!crate::escape::document(&format!("x{c}y")).contains(c));
        }
    }

    #[test]
    fn json_documents_escape_bidi_and_stay_equal() {
        let v = serde_json::json!({"target": "\u{202E}liaf\u{2066}x"});
        let text = serde_json::to_string(&v).unwrap();
        let out = json_document(&text);
        assert!(!out.chars().any(is_bidi_control), "{out}");
        assert!(out.contains("\\u202e"));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), v);
    }

    #[test]
    fn terminal_keeps_colour_only_when_asked() {
        let s = "\u{1b}[1;31mred\u{1b}[0m \u{1b}[2J\u{202E}x";
        assert_eq!(terminal_output(s, true), "\u{1b}[1;31mred\u{1b}[0m \\u{1b}[2J\\u{202e}x");
        assert_eq!(terminal_output(s, false), "\\u{1b}[1;31mred\\u{1b}[0m \\u{1b}[2J\\u{202e}x");
        assert_eq!(terminal_output("ok\n\ttab", false), "ok\n\ttab");
        assert_eq!(terminal_field("a\u{7}b\nc"), "a\\u{7}b\nc");
    }

    #[test]
    fn markdown_cells_cannot_link_or_break_the_table() {
        let c = markdown_cell("[click](javascript:alert(1)) `x` a|b <img> \u{202E}");
        for bad in ["[click]", "](", "`x`", "a|b", " <img>"] {
            assert!(!c.contains(bad), "{bad} in {c}");
        }
        assert!(!c.contains('\u{202E}'));
        assert_eq!(markdown_cell("one\ntwo"), "one<br>two");
        assert_eq!(markdown_text("Presence > Routing"), "Presence > Routing");
        assert_eq!(markdown_text("[x](y)"), "\\[x\\]\\(y\\)");
        assert_eq!(markdown_text("# head\n> q"), "\\# head\n\\> q");
    }
}
