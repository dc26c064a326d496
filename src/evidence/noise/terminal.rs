//! A small VT renderer: escape sequences, carriage returns and backspaces applied the
//! way a terminal applies them, and the IM&P pager's prompts found and removed with
//! the line ranges they show.

// Layout effects of escape sequences, as private-use characters between the escape
// pass and the overwrite pass.
pub(super) const ERASE_TO_END: char = '\u{E000}';
pub(super) const ERASE_LINE: char = '\u{E001}';
pub(super) const ERASE_TO_START: char = '\u{E002}';
pub(super) const CURSOR_RIGHT: char = '\u{E003}';

/// A pager prompt seen on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pager {
    /// The pager said more output was pending.
    pub(super) more: bool,
    /// Something was printed after the (last) prompt on the line.
    pub(super) output_after: bool,
    /// The output lines the page showed, and of how many (`lines 21 - 40 of 66`).
    pub(super) range: Option<(u64, u64, u64)>,
}

/// One physical line as a terminal shows it, and the pager prompt that stood on it.
pub(super) fn render(raw: &str) -> (String, Option<Pager>, bool) {
    let plain = strip_escapes(raw);
    let (plain, pager) = strip_pager_prompts(&plain);
    let space_after = plain.trim_end_matches('\r').ends_with([' ', '\t']);
    (overwrite(&plain), pager, space_after)
}

/// Remove ANSI/VT escape sequences (CSI, OSC, DCS and the short ones) and control
/// characters, keeping CR and backspace and marking erase and cursor moves.
pub(super) fn strip_escapes(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' | '\u{9b}' => {
                let kind = if c == '\u{9b}' { Some('[') } else { chars.next() };
                match kind {
                    Some('[') => {
                        let mut params = String::new();
                        let mut fin = None;
                        for d in chars.by_ref() {
                            if ('\u{40}'..='\u{7e}').contains(&d) {
                                fin = Some(d);
                                break;
                            }
                            params.push(d);
                        }
                        let n = params.trim_start_matches('?').split(';').next().and_then(|p| p.parse::<usize>().ok());
                        match (fin, n) {
                            (Some('K'), None | Some(0)) => out.push(ERASE_TO_END),
                            (Some('K'), Some(1)) => out.push(ERASE_TO_START),
                            (Some('K'), Some(_)) => out.push(ERASE_LINE),
                            (Some('C'), n) => out.extend(std::iter::repeat_n(CURSOR_RIGHT, n.unwrap_or(1).clamp(1, 512))),
                            (Some('D'), n) => out.extend(std::iter::repeat_n('\u{8}', n.unwrap_or(1).clamp(1, 512))),
                            (Some('G'), n) => {
                                out.push('\r');
                                out.extend(std::iter::repeat_n(CURSOR_RIGHT, n.unwrap_or(1).clamp(1, 512) - 1));
                            }
                            _ => {}
                        }
                    }
                    Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
                        // A string up to BEL or ST (ESC \).
                        while let Some(d) = chars.next() {
                            if d == '\u{7}' || d == '\u{9c}' {
                                break;
                            }
                            if d == '\u{1b}' {
                                if chars.peek() == Some(&'\\') {
                                    chars.next();
                                }
                                break;
                            }
                        }
                    }
                    Some('(') | Some(')') | Some('*') | Some('+') | Some('#') | Some('%') => {
                        chars.next();
                    }
                    _ => {}
                }
            }
            '\r' | '\u{8}' | '\t' => out.push(c),
            c if c.is_control() => {}
            c if (ERASE_TO_END..=CURSOR_RIGHT).contains(&c) => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) const MAX_COLUMNS: usize = 4096;

/// Resolve carriage returns, backspaces and erases the way a terminal would.
pub(super) fn overwrite(s: &str) -> String {
    if !s.contains(['\r', '\u{8}', ERASE_TO_END, ERASE_LINE, ERASE_TO_START, CURSOR_RIGHT]) {
        return s.trim_end().to_string();
    }
    let mut buf: Vec<char> = Vec::new();
    let mut at = 0usize;
    for c in s.chars() {
        match c {
            '\r' => at = 0,
            '\u{8}' => at = at.saturating_sub(1),
            ERASE_TO_END => buf.truncate(at),
            ERASE_LINE => buf.clear(),
            ERASE_TO_START => buf.iter_mut().take(at + 1).for_each(|b| *b = ' '),
            // No terminal is wider than this; a hostile file must not grow the line.
            CURSOR_RIGHT => at = (at + 1).min(MAX_COLUMNS),
            c => {
                at = at.min(MAX_COLUMNS);
                while buf.len() < at {
                    buf.push(' ');
                }
                if at < buf.len() {
                    buf[at] = c;
                } else {
                    buf.push(c);
                }
                at += 1;
            }
        }
    }
    buf.into_iter().collect::<String>().trim_end().to_string()
}

/// Remove every IM&P pager prompt from a line, wherever it stands.
pub(super) fn strip_pager_prompts(s: &str) -> (String, Option<Pager>) {
    let mut s = s.to_string();
    let mut pager = None;
    while let Some((start, end, more, range)) = find_pager_prompt(&s) {
        let output_after = s[end..].chars().any(|c| !c.is_whitespace() && !c.is_control() && !(ERASE_TO_END..=CURSOR_RIGHT).contains(&c));
        s.replace_range(start..end, "");
        pager = Some(Pager { more, output_after, range });
    }
    (s, pager)
}

/// A pager prompt found in a line: its byte range, whether it said more output was
/// pending, and the output lines its page showed.
type PagerMatch = (usize, usize, bool, Option<(u64, u64, u64)>);

/// Byte range of the first pager prompt in `s` and whether it said more output was
/// pending: `Press <enter> for 1 line, <space> for one page, or <q> to quit`, or
/// `options: q=quit, n=next, p=prev, b=begin, e=end (lines 61 - 80 of 207) :`.
pub(super) fn find_pager_prompt(s: &str) -> Option<PagerMatch> {
    // ASCII lowercase keeps byte offsets.
    let lower = s.to_ascii_lowercase();
    if let Some(start) = lower.find("press <enter> for") {
        let end = match lower[start..].find("to quit") {
            Some(i) => start + i + "to quit".len(),
            None => s.len(),
        };
        return Some((start, end, true, None));
    }
    let mut from = 0;
    while let Some(i) = lower[from..].find("options:") {
        let start = from + i;
        let after = &lower[start..];
        let Some(q) = after.find("q=quit").filter(|q| *q < 12) else {
            from = start + "options:".len();
            continue;
        };
        let mut end = match after[q..].find("e=end") {
            Some(e) => start + q + e + "e=end".len(),
            None => return Some((start, s.len(), true, None)),
        };
        let mut more = true;
        let mut range = None;
        let rest = &lower[end..];
        let trimmed = rest.trim_start();
        if let Some(inner) = trimmed.strip_prefix('(') {
            if let Some(close) = inner.find(')') {
                more = lines_pending(&inner[..close]).unwrap_or(true);
                range = shown_lines(&inner[..close]);
                end += rest.len() - trimmed.len() + 1 + close + 1;
            }
        }
        let rest = &lower[end..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with(':') {
            end += rest.len() - trimmed.len() + 1;
        }
        // The key the user answered with may be echoed in front of the next line
        // (`:nCisco Tomcat[STARTED]`); CLI output lines never start lowercase-then-capital.
        // Or stand alone at the end of the line (`... :n`).
        let mut next = s[end..].chars();
        match (next.next(), next.next()) {
            (Some(key), Some(after)) if "qnpbe".contains(key) && (after.is_ascii_uppercase() || after.is_ascii_digit()) => end += 1,
            (Some(key), after) if "qnpbe".contains(key) && after.is_none_or(char::is_whitespace) => end += 1,
            _ => {}
        }
        return Some((start, end, more, range));
    }
    None
}

/// `lines 61 - 80 of 207`: the lines this page showed.
pub(super) fn shown_lines(range: &str) -> Option<(u64, u64, u64)> {
    let nums: Vec<u64> = range.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
    match nums.as_slice() {
        [from, to, of] => Some((*from, *to, *of)),
        _ => None,
    }
}

/// `lines 61 - 80 of 207`: whether lines remain after this page.
pub(super) fn lines_pending(range: &str) -> Option<bool> {
    let nums: Vec<u64> = range.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
    match nums.as_slice() {
        [_, to, of] => Some(to < of),
        _ => None,
    }
}
