//! Making untrusted text safe to show: no control character reaches a terminal and no
//! bidirectional override reorders what a reader sees.
//!
//! Inventory values, evidence lines, archive entry names and peer answers all end up in
//! reports and messages. An RLO (U+202E) makes "liaf" read as "fail"; an escape
//! sequence in an archive entry name can clear the screen. Renderers and error
//! messages pass such text through here; `report::escape` adds the per-format rules.

/// Characters that change the display order of the text around them (explicit
/// embeddings, overrides, isolates and the implicit marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text for a terminal or a plain-text message: control characters (C0 except
/// newline and tab, DEL, C1) and bidi controls are shown as `\u{..}` escapes.
pub fn terminal(s: &str) -> String {
    escape_chars(s, |c| c != '\n' && c != '\t' && (c.is_control() || is_bidi_control(c)))
}

/// One line of untrusted text (a name, an evidence line): like [`terminal`], and
/// newlines and tabs are escaped too, so it cannot start a fake line of output.
pub fn line(s: &str) -> String {
    escape_chars(s, |c| c.is_control() || is_bidi_control(c))
}

/// Text for a document (HTML, Markdown, XML) that keeps its line breaks: bidi controls
/// and the control characters a document must not carry are shown as `\u{..}`.
pub fn document(s: &str) -> String {
    escape_chars(s, |c| c != '\n' && c != '\t' && c != '\r' && (c.is_control() || is_bidi_control(c)))
}

/// `s` with every character `escape` picks shown as `\u{..}`.
pub fn escape_chars(s: &str, escape: impl Fn(char) -> bool) -> String {
    if !s.chars().any(&escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(terminal("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal("x\u{202E}liaf"), "x\\u{202e}liaf");
        assert_eq!(terminal("two\nlines\tok"), "two\nlines\tok");
        assert_eq!(line("two\nlines"), "two\\u{a}lines");
        assert_eq!(document("a\r\nb\u{7}\u{2066}"), "a\r\nb\\u{7}\\u{2066}");
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}',
            '\u{200F}', '\u{061C}',
        ] {
            assert!(is_bidi_control(c));
            assert!(!terminal(&c.to_string()).contains(c));
            assert!(!document(&c.to_string()).contains(c));
        }
        assert_eq!(terminal("plain é ✓"), "plain é ✓");
        // C1 controls (the 8-bit CSI among them).
        assert_eq!(terminal("\u{9b}2J"), "\\u{9b}2J");
    }
}
