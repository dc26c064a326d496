//! Secret redaction for the support bundle.
//!
//! Evidence files are free text from shells, consoles, device configurations and
//! exports. The redactor is a table of *forms* ([`FORMS`]): each knows one way a secret
//! is written (`key = value`, `-Password (ConvertTo-SecureString …)`, `openssl -passin
//! pass:…`, `rocommunity …`, `enable secret 5 …`, a PEM or PuTTY private key…) and
//! finds the **whole** value: to the end of its token, quoted string, parenthesised
//! group, line or block, as the form demands. Overlapping finds are merged, so a
//! value is replaced entirely or not at all. Each value becomes a stable token
//! `REDACTED-<rule>-<n>`: the same secret gets the same token in every file of one
//! bundle, so a support engineer can still see that two settings hold the same secret.
//!
//! Where a value ends depends on the file ([`Mode`]): in plain text only whitespace (a
//! word) or the line end stops it, so `<`, `\`, `;`, `,` and `'` inside a password are
//! redacted with it; in JSON the value also stops where its JSON string ends (escapes
//! are kept whole, so the document stays valid JSON); in HTML at a tag.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One redaction, as listed in `redactions.json`. Never holds the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// Path inside the bundle (relative to its top folder).
    pub file: String,
    /// 1-based line of the original file; 0 when it concerns the whole file.
    pub line: usize,
    /// The rule that found the value or withheld the file (`password`, `private-key`,
    /// `client-key-withheld`…).
    pub rule: String,
    /// The token that replaced the value, when one did (a withheld file has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// How the text of one file is written, which decides where a value can end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain text: only whitespace (for a one-word value) or the end of the line stops
    /// a value.
    Text,
    /// A JSON document: values never cross the end of a JSON string.
    Json,
    /// HTML: values never cross a tag.
    Html,
}

impl Mode {
    /// The mode for a file, from its name and content.
    pub fn of(file: &str, text: &str) -> Mode {
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".htm") {
            return Mode::Html;
        }
        let t = text.trim_start_matches('\u{feff}').trim_start();
        if (t.starts_with('{') || t.starts_with('[')) && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
            return Mode::Json;
        }
        Mode::Text
    }
}

/// One row of the key table: which keys announce a secret and how to read the value.
struct Rule {
    name: &'static str,
    /// The key's last word (lowercase), or its last two words joined (`api_key` →
    /// `apikey`, `community string` → `communitystring`).
    keys: &'static [&'static str],
    /// The value may follow the key after plain spaces (`snmp-server community X`,
    /// `Bearer X`), with no `=` or `:`.
    bare_value: bool,
    /// The value's first word is a scheme to keep (`Authorization: Digest <secret>`).
    keep_scheme: bool,
    /// After `:` or `=` the value is the rest of the line even without a space
    /// (headers: `Cookie:a=b; c=d`).
    whole_line: bool,
}

const fn rule(name: &'static str, keys: &'static [&'static str]) -> Rule {
    Rule { name, keys, bare_value: false, keep_scheme: false, whole_line: false }
}

const RULES: &[Rule] = &[
    rule("password", &["password", "passwd", "pwd", "pw", "passphrase", "secret", "passcode", "pin"]),
    rule(
        "token",
        &[
            "token",
            "apikey",
            "accesskey",
            "secretkey",
            "sessionkey",
            "sharedkey",
            "presharedkey",
            "psk",
            "applicationkey",
            "privatekey",
            "authkey",
            "privkey",
        ],
    ),
    Rule { bare_value: true, ..rule("token", &["bearer"]) },
    Rule {
        bare_value: true,
        ..rule(
            "snmp-community",
            &["community", "communitystring", "communityname", "rocommunity", "rwcommunity", "rocommunity6", "rwcommunity6"],
        )
    },
    Rule { keep_scheme: true, whole_line: true, ..rule("authorization", &["authorization"]) },
    Rule { whole_line: true, ..rule("cookie", &["cookie"]) },
    rule("credentials", &["credential", "credentials"]),
];

/// Key words that make any value under them a secret (`CertificatePfxBase64`,
/// `Pkcs12Data`): certificate containers carry their private key.
const SECRET_CONTAINER_WORDS: &[&str] = &["pfx", "pkcs12", "p12", "keystore"];

/// The rule that covers URL user information (`scheme://user:password@host`).
const URL_RULE: &str = "authorization";
/// The rule that covers PEM and PuTTY private-key blocks.
pub const PRIVATE_KEY_RULE: &str = "private-key";

/// Values that say "no secret here" rather than being one.
const NOT_SECRETS: &[&str] = &["null", "$null", "(null)", "none", "true", "false", "$true", "$false", ""];

/// Quote pairs a value may be wrapped in: plain, JSON-escaped and HTML-escaped.
const QUOTES: &[&str] = &["\\\"", "\"", "'", "&quot;", "&#39;", "&#x27;"];

/// One way a secret is written: its name (for tests and docs) and its finder.
pub struct Form {
    /// A short description of the form, for tests and docs.
    pub name: &'static str,
    find: fn(&Scan<'_>) -> Vec<Span>,
}

/// Every form the redactor knows. Each has its own unit test below.
pub const FORMS: &[Form] = &[
    Form { name: "private key block (PEM, PuTTY .ppk)", find: private_key_spans },
    Form { name: "key = value, key: value, -Key value, \"key\": value", find: keyed_values },
    Form { name: "URL user:password@", find: url_passwords },
    Form { name: "ConvertTo-SecureString \"…\"", find: convertto_securestring },
    Form { name: "New-Object PSCredential(…)", find: pscredential },
    Form { name: "openssl pass:…", find: pass_prefix },
    Form { name: "certutil -p …", find: certutil_p },
    Form { name: "mysql -p…", find: mysql_p },
    Form { name: "net use … <password>", find: net_use },
    Form { name: "SNMPv3 auth … priv …", find: snmpv3 },
    Form { name: "Cisco IOS password/secret/key lines", find: ios_lines },
    Form { name: "comment naming a password", find: comment_password },
];

/// Replaces secrets file after file, remembering which token each secret got.
#[derive(Debug, Default)]
pub struct Redactor {
    tokens: HashMap<String, String>,
    records: Vec<Redaction>,
}

/// A value to replace, found in the original text.
#[derive(Debug, Clone)]
pub struct Span {
    start: usize,
    end: usize,
    rule: &'static str,
    /// Put the token in double quotes (it replaces an unquoted JSON value).
    quote: bool,
}

fn span(start: usize, end: usize, rule: &'static str) -> Span {
    Span { start, end, rule, quote: false }
}

/// The text being scanned, with its lowercase twin (same byte offsets) and mode.
pub struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    lower: String,
    mode: Mode,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str, mode: Mode) -> Self {
        Scan { text, bytes: text.as_bytes(), lower: text.to_ascii_lowercase(), mode }
    }

    /// Offsets of `needle` (lowercase) where it starts a word.
    fn words(&self, needle: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = self.lower[from..].find(needle) {
            let at = from + i;
            // `System.Management.Automation.PSCredential`: a dot or dash separates words here.
            let before_ok =
                at == 0 || !(self.bytes[at - 1].is_ascii_alphanumeric() || self.bytes[at - 1] == b'_') || self.escaped_line_start(at);
            let after = at + needle.len();
            let open_ended = needle.bytes().last().is_some_and(|b| !is_ident(b));
            let after_ok = after >= self.bytes.len() || !is_ident(self.bytes[after]) || open_ended;
            if before_ok && after_ok {
                out.push(at);
            }
            from = at + needle.len().max(1);
        }
        out
    }

    /// `\npassword` inside a JSON string: the escape ends a line.
    fn escaped_line_start(&self, at: usize) -> bool {
        self.mode == Mode::Json && at >= 2 && self.bytes[at - 2] == b'\\' && matches!(self.bytes[at - 1], b'n' | b'r' | b't')
    }

    fn skip_blank(&self, mut at: usize) -> usize {
        while at < self.bytes.len() && (self.bytes[at] == b' ' || self.bytes[at] == b'\t') {
            at += 1;
        }
        at
    }

    /// Whether a value stops at `at` (before consuming it), for a word or a line.
    fn stops(&self, at: usize, word: bool) -> bool {
        let b = self.bytes[at];
        if b == b'\n' || b == b'\r' {
            return true;
        }
        if word && (b == b' ' || b == b'\t') {
            return true;
        }
        match self.mode {
            Mode::Text => false,
            // An unescaped quote ends the JSON string; an escaped line break ends the
            // line it holds; an escaped tab or space separates words.
            Mode::Json => {
                b == b'"'
                    || (b == b'\\' && matches!(self.bytes.get(at + 1), Some(b'n' | b'r')))
                    || (word && b == b'\\' && self.bytes.get(at + 1) == Some(&b't'))
            }
            Mode::Html => b == b'<' || self.bytes[at..].starts_with(b"&quot;") || self.bytes[at..].starts_with(b"&#39;"),
        }
    }

    /// The end of a value that starts at `at` and runs to the end of its word (`word`)
    /// or of its line. JSON escapes are kept whole.
    fn value_end(&self, at: usize, word: bool) -> usize {
        let mut end = at;
        while end < self.bytes.len() && !self.stops(end, word) {
            if self.mode == Mode::Json && self.bytes[end] == b'\\' {
                end = (end + 2).min(self.bytes.len());
            } else {
                end += 1;
            }
        }
        // Trailing blanks of a line value are not part of it.
        while end > at && matches!(self.bytes[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        end
    }

    fn line_end(&self, at: usize) -> usize {
        self.value_end(at, false)
    }

    /// A value at `at`: a quoted string's content, a parenthesised group, or a word.
    fn quoted_or_word(&self, at: usize) -> Option<(usize, usize)> {
        if at >= self.bytes.len() {
            return None;
        }
        if let Some(q) = quoted(self, at) {
            return Some(q);
        }
        if self.bytes[at] == b'(' {
            return Some((at, self.group_end(at)));
        }
        let end = self.value_end(at, true);
        (end > at).then_some((at, end))
    }

    /// The end of the parenthesised group opening at `at` (its `)` included), or the
    /// end of the line when it does not close there.
    fn group_end(&self, at: usize) -> usize {
        let line_end = self.line_end(at);
        let mut depth = 0usize;
        let mut k = at;
        while k < line_end {
            match self.bytes[k] {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return k + 1;
                    }
                }
                b'\\' if self.mode == Mode::Json => k += 1,
                _ => {}
            }
            k += 1;
        }
        line_end
    }

    /// Where the line holding `at` starts (after a real or, in JSON, escaped break,
    /// or after the quote that opens a JSON string).
    fn line_start(&self, at: usize) -> usize {
        let mut k = at;
        while k > 0 {
            let b = self.bytes[k - 1];
            if b == b'\n' || b == b'\r' {
                break;
            }
            if self.mode == Mode::Json && (b == b'"' && (k < 2 || self.bytes[k - 2] != b'\\')) {
                break;
            }
            if self.escaped_line_start(k) {
                break;
            }
            k -= 1;
        }
        k
    }

    /// The words of a line from `at` to its end: (start, end) of each.
    fn words_from(&self, at: usize) -> Vec<(usize, usize)> {
        let line_end = self.line_end(at);
        let mut out = Vec::new();
        let mut k = at;
        while k < line_end {
            k = self.skip_blank(k);
            if k >= line_end {
                break;
            }
            let end = self.value_end(k, true).min(line_end).max(k + 1);
            out.push((k, end));
            k = end;
        }
        out
    }
}

impl Redactor {
    /// An empty redactor, with no tokens given out yet.
    pub fn new() -> Self {
        Redactor::default()
    }

    /// Every redaction so far, in the order they were made.
    pub fn records(&self) -> &[Redaction] {
        &self.records
    }

    /// Adds a record that is not a replaced value (a withheld file or line).
    pub fn note(&mut self, file: &str, line: usize, rule: &str) {
        self.records.push(Redaction { file: file.to_string(), line, rule: rule.to_string(), token: None });
    }

    /// Distinct secrets seen so far.
    pub fn distinct_secrets(&self) -> usize {
        self.tokens.len()
    }

    /// `text` with every secret replaced; `file` names it in the records and, with
    /// the content, decides the [`Mode`].
    pub fn redact(&mut self, file: &str, text: &str) -> String {
        self.redact_as(file, text, Mode::of(file, text))
    }

    /// [`Redactor::redact`] with the mode given.
    pub fn redact_as(&mut self, file: &str, text: &str, mode: Mode) -> String {
        let spans = find_spans(&Scan::new(text, mode));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        // Spans come sorted: count lines as we go rather than from the start each time.
        let mut line = 1;
        for span in spans {
            line += text.as_bytes()[at..span.start].iter().filter(|&&b| b == b'\n').count();
            let start_line = line;
            let value = &text[span.start..span.end];
            line += value.bytes().filter(|&b| b == b'\n').count();
            let next = self.tokens.len() + 1;
            let token = self.tokens.entry(value.to_string()).or_insert_with(|| format!("REDACTED-{}-{next}", span.rule)).clone();
            out.push_str(&text[at..span.start]);
            if span.quote {
                out.push('"');
                out.push_str(&token);
                out.push('"');
            } else {
                out.push_str(&token);
            }
            at = span.end;
            self.records.push(Redaction { file: file.to_string(), line: start_line, rule: span.rule.to_string(), token: Some(token) });
        }
        out.push_str(&text[at..]);
        out
    }
}

/// 1-based line number of byte offset `at`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Every secret in the text, sorted; overlapping finds are merged into one span (the
/// first one's rule), so no part of a value is left behind.
fn find_spans(scan: &Scan<'_>) -> Vec<Span> {
    let mut all: Vec<Span> = FORMS.iter().flat_map(|f| (f.find)(scan)).filter(|s| s.start < s.end && s.end <= scan.bytes.len()).collect();
    // Private keys first at equal starts, then the longest.
    all.sort_by_key(|s| (s.start, s.rule != PRIVATE_KEY_RULE, std::cmp::Reverse(s.end)));
    let mut merged: Vec<Span> = Vec::new();
    for s in all {
        match merged.last_mut() {
            Some(last) if s.start < last.end => {
                if s.end > last.end {
                    last.end = s.end;
                    last.quote = false;
                }
            }
            _ => merged.push(s),
        }
    }
    // A merged span must still end on a character boundary (finds always do).
    merged.retain(|s| scan.text.is_char_boundary(s.start) && scan.text.is_char_boundary(s.end));
    merged
}

fn private_key_spans(scan: &Scan<'_>) -> Vec<Span> {
    private_key_blocks(scan.text).into_iter().map(|(s, e)| span(s, e, PRIVATE_KEY_RULE)).collect()
}

/// Byte ranges of private keys, markers included: PEM blocks whose label names a
/// private key (a block without its END line runs to the next double quote or the end
/// of text), and PuTTY `.ppk` keys (from `PuTTY-User-Key-File-` to the
/// `Private-MAC:`/`Private-Hash:` line, or the end of text).
pub fn private_key_blocks(text: &str) -> Vec<(usize, usize)> {
    const BEGIN: &str = "-----BEGIN ";
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(BEGIN) {
        let start = from + found;
        let label_start = start + BEGIN.len();
        let Some(label_len) = text[label_start..].find("-----") else {
            break;
        };
        let label = &text[label_start..label_start + label_len];
        let after_begin = label_start + label_len + 5;
        if label.contains('\n') || !label.contains("PRIVATE KEY") {
            from = label_start;
            continue;
        }
        let end_marker = format!("-----END {label}-----");
        let end = match text[after_begin..].find(&end_marker) {
            Some(i) => after_begin + i + end_marker.len(),
            None => text[after_begin..].find('"').map_or(text.len(), |i| after_begin + i),
        };
        out.push((start, end));
        from = end;
    }
    let mut from = 0;
    while let Some(found) = text[from..].find("PuTTY-User-Key-File-") {
        let start = from + found;
        let rest = &text[start..];
        let end = ["Private-MAC:", "Private-Hash:"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .map(|i| {
                let line_end = rest[i..].find(['\n', '"']).map_or(rest.len(), |e| i + e);
                start + line_end
            })
            .unwrap_or_else(|| rest.find('"').map_or(text.len(), |i| start + i));
        out.push((start, end));
        from = end.max(start + 1);
    }
    out.sort_unstable();
    out
}

/// Whether `text` still holds a private key (even one cut short).
pub fn has_private_key(text: &str) -> bool {
    !private_key_blocks(text).is_empty()
}

/// Passwords in `scheme://user:password@host` URLs.
fn url_passwords(scan: &Scan<'_>) -> Vec<Span> {
    let (text, bytes) = (scan.text, scan.bytes);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let auth_start = from + found + 3;
        let mut auth_end = auth_start;
        while auth_end < bytes.len() && !b"/?#\"'<>\\)] \t\r\n".contains(&bytes[auth_end]) {
            auth_end += 1;
        }
        let authority = &text[auth_start..auth_end];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                let (start, end) = (auth_start + colon + 1, auth_start + at);
                if is_secret_value(&text[start..end]) {
                    out.push(span(start, end, URL_RULE));
                }
            }
        }
        from = auth_end.max(auth_start);
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Lowercase words of a key: split on `_`, `-`, `.` and camelCase humps.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in key.split(['_', '-', '.']) {
        let mut word = String::new();
        let chars: Vec<char> = part.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let hump = c.is_ascii_uppercase()
                && i > 0
                && (chars[i - 1].is_ascii_lowercase()
                    || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()) && chars[i - 1].is_ascii_uppercase());
            if hump && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words
}

/// The rule a key belongs to, looking at its last word, its last two or three words
/// joined, and the last word joined with `previous` (the word before it, across
/// spaces); a key naming a certificate container (`CertificatePfxBase64`) holds a
/// secret whatever its last word.
fn rule_for_key(key: &str, previous: Option<&str>) -> Option<&'static Rule> {
    static CONTAINER: Rule = rule("password", &[]);
    let words = key_words(key);
    let last = words.last()?;
    let mut candidates = vec![last.clone()];
    if words.len() >= 2 {
        candidates.push(format!("{}{}", words[words.len() - 2], last));
    }
    if words.len() >= 3 {
        candidates.push(format!("{}{}{}", words[words.len() - 3], words[words.len() - 2], last));
    }
    if words.len() == 1 {
        if let Some(prev) = previous.and_then(|p| key_words(p).pop()) {
            candidates.push(format!("{prev}{last}"));
        }
    }
    if let Some(r) = RULES.iter().find(|r| candidates.iter().any(|c| r.keys.contains(&c.as_str()))) {
        return Some(r);
    }
    words.iter().any(|w| SECRET_CONTAINER_WORDS.contains(&w.as_str())).then_some(&CONTAINER)
}

/// How a value ends, which depends on how it was introduced.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// `key = value`, `Key : value`: the rest of the line.
    RestOfLine,
    /// `key=value`, `-Key value`, `community X`: one word (or a quoted string or a
    /// parenthesised group).
    Word,
    /// `"key": 1234` in JSON: a bare JSON value.
    JsonBare,
}

/// Values that follow a key from the rule table.
fn keyed_values(scan: &Scan<'_>) -> Vec<Span> {
    let (text, bytes) = (scan.text, scan.bytes);
    let mut out = Vec::new();
    let mut i = 0;
    let mut previous_word: Option<(usize, usize)> = None;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && is_ident(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut end = i;
        while end < bytes.len() && is_ident(bytes[end]) {
            end += 1;
        }
        let prev = previous_word.map(|(s, e)| &text[s..e]);
        // Between this word and the previous one only spaces: they may form a phrase.
        let joined_prev = previous_word.filter(|&(_, e)| text[e..start].bytes().all(|b| b == b' ' || b == b'\t')).and(prev);
        previous_word = Some((start, end));
        // `\npassword` inside a JSON string: the escape is not part of the key.
        if start > 0 && bytes[start - 1] == b'\\' && matches!(bytes[start], b'n' | b'r' | b't') {
            start += 1;
        }
        if start >= end {
            i = end;
            continue;
        }
        let param = bytes[start] == b'-' && (start == 0 || matches!(bytes[start - 1], b' ' | b'\t' | b'\n' | b'(' | b'"' | b'\''));
        let key = text[start..end].trim_matches(['-', '.']);
        let found = if key.is_empty() { None } else { rule_for_key(key, joined_prev).and_then(|rule| value_after(scan, end, param, rule)) };
        match found {
            Some(span) => {
                i = span.end.max(end);
                out.push(span);
            }
            None => i = end,
        }
    }
    out
}

/// The value that follows a secret key ending at `key_end`, if there is one.
fn value_after(scan: &Scan<'_>, key_end: usize, param: bool, rule: &'static Rule) -> Option<Span> {
    let (text, bytes) = (scan.text, scan.bytes);
    let mut p = key_end;
    // A quoted key: `"password"`, `'password'` or `\"password\"` (inside JSON text).
    let mut json_key = false;
    if text[p..].starts_with("\\\"") {
        p += 2;
    } else if p < bytes.len() && (bytes[p] == b'"' || bytes[p] == b'\'') {
        json_key = bytes[p] == b'"';
        p += 1;
    }
    let mut q = scan.skip_blank(p);
    let spaced_before = q > p;
    let shape;
    if q < bytes.len() && (bytes[q] == b'=' || bytes[q] == b':') {
        let sep = bytes[q];
        q += 1;
        if sep == b':' && q < bytes.len() && bytes[q] == b'=' {
            q += 1;
        }
        // `key==x`, `key::x` and `scheme://` are not assignments.
        if q < bytes.len() && (bytes[q] == b'=' || bytes[q] == b':' || bytes[q] == b'/') {
            return None;
        }
        let after = scan.skip_blank(q);
        let spaced_after = after > q;
        q = after;
        shape = if json_key && sep == b':' {
            Shape::JsonBare
        } else if spaced_after || (spaced_before && sep == b':') || rule.whole_line {
            Shape::RestOfLine
        } else {
            Shape::Word
        };
    } else if spaced_before && (param || rule.bare_value) && p == key_end {
        shape = Shape::Word;
        if q < bytes.len() && bytes[q] == b'-' && param {
            return None; // the next parameter: this one is a switch
        }
        // `community string: x`, `community string x`: the next word continues the
        // key (the next find reads the value after it).
        let mut w = q;
        while w < bytes.len() && is_ident(bytes[w]) {
            w += 1;
        }
        if w > q {
            let next = text[q..w].to_ascii_lowercase();
            if matches!(next.as_str(), "string" | "name") {
                return None;
            }
            let after = scan.skip_blank(w);
            if after < bytes.len() && (bytes[after] == b':' || bytes[after] == b'=') {
                return None;
            }
        }
    } else {
        return None;
    }
    if q >= bytes.len() {
        return None;
    }
    // A YAML block scalar (`password: |`): the indented lines after it, whole.
    if shape == Shape::RestOfLine && scan.mode == Mode::Text {
        if let Some(block) = yaml_block(scan, key_end, q) {
            return Some(span(block.0, block.1, rule.name));
        }
    }
    let (start, end, quote) = if let Some((s, e)) = quoted(scan, q) {
        (s, e, false)
    } else if bytes[q] == b'(' && shape != Shape::JsonBare {
        (q, scan.group_end(q), false)
    } else {
        let (s, e) = match shape {
            Shape::RestOfLine => (q, scan.line_end(q)),
            Shape::Word => (q, scan.value_end(q, true)),
            Shape::JsonBare => (q, json_bare_end(scan, q)),
        };
        (s, e, shape == Shape::JsonBare)
    };
    let mut start = start;
    if rule.keep_scheme {
        let value = &text[start..end];
        if let Some(space) = value.find([' ', '\t']) {
            if value[..space].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                start += space;
                start = scan.skip_blank(start);
            }
        }
    }
    if start >= end {
        return None;
    }
    let value = &text[start..end];
    // `"token": {…}` or `[…]`: a structure, whose own strings are scanned as usual.
    if quote && value.starts_with(['{', '[']) {
        return None;
    }
    if !is_secret_value(value) {
        return None;
    }
    Some(Span { start, end, rule: rule.name, quote })
}

/// An unquoted JSON value (number, literal) starting at `at`.
fn json_bare_end(scan: &Scan<'_>, at: usize) -> usize {
    let mut end = at;
    while end < scan.bytes.len() && !matches!(scan.bytes[end], b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}' | b']' | b'"') {
        end += 1;
    }
    end
}

/// `key: |` or `key: >-` followed by lines indented deeper than the key: the span of
/// those lines (from the indicator to the end of the last one).
fn yaml_block(scan: &Scan<'_>, key_end: usize, value_at: usize) -> Option<(usize, usize)> {
    let bytes = scan.bytes;
    let line_end = bytes[value_at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| value_at + i);
    let indicator = scan.text[value_at..line_end].trim_end();
    let mut chars = indicator.chars();
    if !matches!(chars.next(), Some('|' | '>')) || !chars.all(|c| matches!(c, '-' | '+' | '0'..='9')) {
        return None;
    }
    let key_line = scan.line_start(key_end);
    let indent_of = |at: usize| bytes[at..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    let key_indent = indent_of(key_line);
    let mut end = line_end;
    let mut k = line_end;
    while k < bytes.len() {
        let next = k + 1;
        let next_end = bytes[next.min(bytes.len())..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| next + i);
        if next >= bytes.len() {
            break;
        }
        let line = &scan.text[next..next_end];
        if line.trim().is_empty() {
            k = next_end;
            continue;
        }
        if indent_of(next) <= key_indent {
            break;
        }
        end = next_end;
        k = next_end;
    }
    Some((value_at, end))
}

/// The content of a quoted value starting at `at`, when it opens and closes on one line.
fn quoted(scan: &Scan<'_>, at: usize) -> Option<(usize, usize)> {
    let bytes = scan.bytes;
    let open = QUOTES.iter().find(|q| bytes[at..].starts_with(q.as_bytes()))?;
    let start = at + open.len();
    let line_end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| start + i);
    let mut k = start;
    while k < line_end {
        if bytes[k..].starts_with(open.as_bytes()) {
            return (k > start).then_some((start, k));
        }
        match bytes[k] {
            // In a double-quoted string a backslash escapes the next character.
            b'\\' if *open == "\"" || *open == "\\\"" => k += 2,
            // Any other quote style must not swallow a JSON string's end.
            b'"' if *open != "\"" && scan.mode == Mode::Json => return None,
            _ => k += 1,
        }
    }
    None
}

fn is_secret_value(value: &str) -> bool {
    let v = value.trim();
    if NOT_SECRETS.iter().any(|n| v.eq_ignore_ascii_case(n)) {
        return false;
    }
    if v.starts_with("REDACTED-") || v.chars().all(|c| c == '*') {
        return false;
    }
    true
}

/// The value right after a parameter at `at` (blank, then a quoted string, a group
/// or a word); `-Param:value` is read too.
fn param_value(scan: &Scan<'_>, at: usize) -> Option<(usize, usize)> {
    let at = if scan.bytes.get(at) == Some(&b':') { at + 1 } else { scan.skip_blank(at) };
    let (s, e) = scan.quoted_or_word(at)?;
    (is_secret_value(&scan.text[s..e]) && !scan.text[s..e].starts_with('-')).then_some((s, e))
}

/// `ConvertTo-SecureString "…" -AsPlainText -Force`, `ConvertTo-SecureString -String "…"`.
fn convertto_securestring(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for at in scan.words("convertto-securestring") {
        let mut q = scan.skip_blank(at + "convertto-securestring".len());
        if scan.lower[q..].starts_with("-string") {
            q += "-string".len();
        }
        if let Some((s, e)) = param_value(scan, q) {
            out.push(span(s, e, "password"));
        }
    }
    out
}

/// `New-Object System.Management.Automation.PSCredential("user", $pw)` or
/// `… PSCredential -ArgumentList "user", "pw"`: every argument (user name included).
fn pscredential(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for at in scan.words("pscredential") {
        let mut q = scan.skip_blank(at + "pscredential".len());
        if scan.bytes.get(q) == Some(&b'(') {
            out.push(span(q, scan.group_end(q), "password"));
            continue;
        }
        if scan.lower[q..].starts_with("-argumentlist") {
            q = scan.skip_blank(q + "-argumentlist".len());
            let end = scan.line_end(q);
            if end > q {
                out.push(span(q, end, "password"));
            }
        }
    }
    out
}

/// OpenSSL's `pass:<secret>` (`-passin`, `-passout`, `-pass`, `-password`); also
/// `pass:secret` anywhere a word starts, but never `--pass:` (CSS) or `pass: x`
/// (a count in a report).
fn pass_prefix(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for at in scan.words("pass:") {
        if at > 0 && scan.bytes[at - 1] == b'-' {
            continue;
        }
        let v = at + "pass:".len();
        if v >= scan.bytes.len() || scan.stops(v, true) {
            continue;
        }
        let (s, e) = scan.quoted_or_word(v).unwrap_or((v, v));
        if e > s && is_secret_value(&scan.text[s..e]) {
            out.push(span(s, e, "password"));
        }
    }
    out
}

/// `certutil … -p <password>` (PFX import and export).
fn certutil_p(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for at in scan.words("certutil") {
        let words = scan.words_from(at);
        for pair in words.windows(2) {
            let (ks, ke) = pair[0];
            if scan.lower[ks..ke] == *"-p" || scan.lower[ks..ke] == *"/p" {
                if let Some((s, e)) = param_value(scan, pair[1].0) {
                    out.push(span(s, e, "password"));
                }
            }
        }
    }
    out
}

/// `mysql -p<password>` (and mysqldump, mysqladmin): the password attached to `-p`.
fn mysql_p(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for at in ["mysql", "mysqldump", "mysqladmin"].iter().flat_map(|w| scan.words(w)) {
        for (ws, we) in scan.words_from(at) {
            let w = &scan.text[ws..we];
            if w.len() > 2 && w.starts_with("-p") {
                let s = ws + 2;
                let (s, e) = quoted(scan, s).unwrap_or((s, we));
                if is_secret_value(&scan.text[s..e]) {
                    out.push(span(s, e, "password"));
                }
            }
        }
    }
    out
}

/// `net use [X:] \\server\share [password] [/user:dom\user] [password]`: a positional
/// argument that is not the drive, the share or `*` (prompt) is the password.
fn net_use(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for at in scan.words("net use") {
        // Only a command with a share in it: prose that says "net use" is left alone.
        let mut seen_share = false;
        for (ws, we) in scan.words_from(at + "net use".len()) {
            let w = &scan.text[ws..we];
            let drive = w.len() == 2 && w.ends_with(':');
            let share = w.starts_with("\\\\") || w.starts_with("//");
            seen_share |= share;
            if !seen_share || share || drive || w.starts_with('/') || w == "*" {
                continue;
            }
            let (s, e) = quoted(scan, ws).unwrap_or((ws, we));
            if is_secret_value(&scan.text[s..e]) {
                out.push(span(s, e, "password"));
            }
        }
    }
    out
}

/// SNMPv3 keys as IOS and net-snmp write them: `auth sha <key> priv aes 128 <key>`,
/// `createUser u SHA "<key>" AES "<key>"`.
fn snmpv3(scan: &Scan<'_>) -> Vec<Span> {
    const AUTH: &[&str] =
        &["md5", "sha", "sha1", "sha-1", "sha224", "sha256", "sha384", "sha512", "sha-224", "sha-256", "sha-384", "sha-512"];
    const PRIV: &[&str] = &["des", "3des", "des56", "aes", "aes128", "aes192", "aes256", "aes-128", "aes-192", "aes-256"];
    let mut out = Vec::new();
    let lines: std::collections::BTreeSet<usize> =
        ["auth", "priv", "createuser"].iter().flat_map(|w| scan.words(w)).map(|a| scan.line_start(a)).collect();
    for line in lines {
        let words = scan.words_from(line);
        let lower = |(s, e): (usize, usize)| scan.lower[s..e].trim_matches('"').to_string();
        let mut k = 0;
        while k < words.len() {
            let w = lower(words[k]);
            let is_alg = AUTH.contains(&w.as_str()) || PRIV.contains(&w.as_str());
            if is_alg && k + 1 < words.len() {
                // `aes 128 <key>`: the key size is not the key.
                let mut v = k + 1;
                if matches!(lower(words[v]).as_str(), "128" | "192" | "256") && v + 1 < words.len() {
                    v += 1;
                }
                let (ws, we) = words[v];
                let (s, e) = quoted(scan, ws).unwrap_or((ws, we));
                let value = lower(words[v]);
                let keyword = matches!(value.as_str(), "priv" | "auth" | "access" | "noauth" | "nopriv" | "encrypted");
                if !keyword && is_secret_value(&scan.text[s..e]) {
                    out.push(span(s, e, "snmp-community"));
                }
                k = v + 1;
                continue;
            }
            k += 1;
        }
    }
    out
}

/// Cisco IOS secrets: `password 0 …`, `password 7 …`, `enable secret 5 …`,
/// `username u secret …`, `radius-server key 7 …`, `tacacs-server key …`,
/// `key-string …`, `key 7 …`. With a type digit the rest of the line is the value;
/// without one, only a single word is (so prose such as `Password Last Changed :`
/// is left alone).
fn ios_lines(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for keyword in ["password", "secret", "key-string", "key"] {
        for at in scan.words(keyword) {
            let after = at + keyword.len();
            // `key` must follow an IOS command word, or open the line.
            let line = scan.line_start(at);
            // A configuration pasted into a comment (`# enable secret …`, `! …`) counts.
            let before = scan.text[line..at].trim().trim_start_matches(['#', '!', ';', '/', ' ']).to_ascii_lowercase();
            let leads_line = before.is_empty();
            let ios_context = before.starts_with("enable")
                || before.starts_with("username")
                || before.starts_with("radius-server")
                || before.starts_with("tacacs-server")
                || before.starts_with("server-private")
                || before.starts_with("snmp-server")
                || before.starts_with("ppp ")
                || before.starts_with("ip ospf")
                || before.starts_with("neighbor");
            if !(leads_line || ios_context) {
                continue;
            }
            if after >= scan.bytes.len() || scan.bytes[after] != b' ' {
                continue;
            }
            let v = scan.skip_blank(after);
            let words = scan.words_from(v);
            let Some(&(fs, fe)) = words.first() else { continue };
            let typed = fe - fs == 1 && scan.bytes[fs].is_ascii_digit() && words.len() >= 2;
            let (s, e) = if typed {
                let s = words[1].0;
                (s, scan.line_end(s))
            } else if words.len() == 1 {
                (fs, fe)
            } else {
                continue;
            };
            let value = &scan.text[s..e];
            if is_secret_value(value) && !value.starts_with([':', '=']) {
                out.push(span(s, e, "password"));
            }
        }
    }
    out
}

/// A comment that names a password and gives it: `# PFX export password P@ss`,
/// `REM password is x`, `// pin: 1234`. The rest of the comment after the word (and
/// `is`, `was`, `:` or `=`) is the value.
fn comment_password(scan: &Scan<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for word in ["password", "passphrase", "passwd"] {
        for at in scan.words(word) {
            let line = scan.line_start(at);
            let head = scan.text[line..at].trim_start();
            let comment = ["#", "//", ";", "--", "::", "rem "].iter().any(|c| head.to_ascii_lowercase().starts_with(c));
            if !comment {
                continue;
            }
            let mut q = scan.skip_blank(at + word.len());
            for connector in ["is ", "was ", ":", "="] {
                if scan.lower[q..].starts_with(connector) {
                    q = scan.skip_blank(q + connector.len());
                    break;
                }
            }
            let (s, e) = quoted(scan, q).unwrap_or((q, scan.line_end(q)));
            if e > s && is_secret_value(&scan.text[s..e]) {
                out.push(span(s, e, "password"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (String, Vec<Redaction>) {
        let mut r = Redactor::new();
        let out = r.redact("f.txt", text);
        (out, r.records().to_vec())
    }

    fn rules(records: &[Redaction]) -> Vec<&str> {
        records.iter().map(|r| r.rule.as_str()).collect()
    }

    #[test]
    fn password_shapes() {
        for (input, expected) in [
            ("password = \"hunter2\"", "password = \"REDACTED-password-1\""),
            ("Password : hunter2 and more", "Password : REDACTED-password-1"),
            ("pwd=hunter2 user=bob", "pwd=REDACTED-password-1 user=bob"),
            ("db_passwd: 'hunter2'", "db_passwd: 'REDACTED-password-1'"),
            ("Set-Thing -Identity x -Password hunter2 -Force", "Set-Thing -Identity x -Password REDACTED-password-1 -Force"),
            ("-Password:hunter2 -X", "-Password:REDACTED-password-1 -X"),
            ("\"AdminPassword\":  \"hunter2\",", "\"AdminPassword\":  \"REDACTED-password-1\","),
            ("client_secret=hunter2", "client_secret=REDACTED-password-1"),
            // Bare "pass" is not a key: reports use it for the status (CSS `--pass:`, counts).
        ] {
            let (out, recs) = one(input);
            assert_eq!(out, expected, "input: {input}");
            assert_eq!(rules(&recs), ["password"], "input: {input}");
        }
    }

    #[test]
    fn non_secrets_survive() {
        for input in [
            "Password Last Changed : 2025-01-01",
            "PasswordExpiry: 30",
            "\"pass\": 12,",
            "Pass: 12",
            "Password : ********",
            "\"Password\": null,",
            "Fqdn=expc.synergy.com;Port=5061",
            "MatchUri : synergy.com",
            "Cisco SIP Proxy [STARTED]",
            "bypass = imp-rt.synergy.com",
            "-Password -Force",
            "client_key = \"certs/imp-rt.key\"",
            "TokenLifetime : 3600",
            "next_hop = \"10.20.0.11\"",
        ] {
            let (out, recs) = one(input);
            assert_eq!(out, input);
            assert!(recs.is_empty(), "{input}: {recs:?}");
        }
    }

    #[test]
    fn tokens_communities_and_authorization() {
        let (out, recs) = one("api_key=abc123\nsnmp community = public\nsnmp-server community s3cret RO\n\
             community string: c0mm\nAuthorization: Bearer eyJ.abc.def\naccess_token: \"t0k\"\n");
        assert_eq!(
            out,
            "api_key=REDACTED-token-1\nsnmp community = REDACTED-snmp-community-2\n\
             snmp-server community REDACTED-snmp-community-3 RO\n\
             community string: REDACTED-snmp-community-4\n\
             Authorization: Bearer REDACTED-authorization-5\naccess_token: \"REDACTED-token-6\"\n"
        );
        assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn url_user_info() {
        let (out, recs) = one("proxy: http://admin:pa55@proxy.example.com:8080/x ok");
        // The whole proxy value is not a secret, only the password in it.
        assert_eq!(out, "proxy: http://admin:REDACTED-authorization-1@proxy.example.com:8080/x ok");
        assert_eq!(rules(&recs), ["authorization"]);
        let (out, recs) = one("see https://imp-rt.synergy.com:8443/cupadmin");
        assert_eq!(out, "see https://imp-rt.synergy.com:8443/cupadmin");
        assert!(recs.is_empty());
    }

    #[test]
    fn private_key_blocks_are_replaced_whole() {
        let text = "before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\nxyz=\n-----END RSA PRIVATE KEY-----\nafter\n";
        let (out, recs) = one(text);
        assert_eq!(out, "before\nREDACTED-private-key-1\nafter\n");
        assert_eq!(recs[0].line, 2);
        assert!(has_private_key(text));
        assert!(!has_private_key(&out));
        // Cut short: still caught.
        assert!(has_private_key("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE"));
        // Certificates are not secrets.
        assert!(!has_private_key("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
    }

    #[test]
    fn same_secret_same_token_across_files() {
        let mut r = Redactor::new();
        let a = r.redact("a", "Password : s3cret\n");
        let b = r.redact("b", "x -Password s3cret\npwd = other\n");
        assert_eq!(a, "Password : REDACTED-password-1\n");
        assert_eq!(b, "x -Password REDACTED-password-1\npwd = REDACTED-password-2\n");
        assert_eq!(r.distinct_secrets(), 2);
        assert_eq!(r.records().len(), 3);
        assert_eq!(r.records()[1].file, "b");
    }

    #[test]
    fn json_stays_valid() {
        let doc = serde_json::json!({
            "Password": "abc\"def",
            "pwd": 1234,
            "token": {"nested": "x"},
            "detail": "line one\npassword = hunter2\nAuthorization: Basic dXNlcjpw\n\
                       conn: \"token=zz\"",
            "list": ["-Password p4ss -Force", "password='q'", "community: \"c\""],
            "pass": 3,
            "url": "ldap://cn=admin:ldappw@dc1.example.com",
        });
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let (out, recs) = one(&text);
        let back: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON any more: {e}\n{text}\n---\n{out}"));
        for secret in ["abc", "1234", "hunter2", "dXNlcjpw", "zz", "p4ss", "'q'", "ldappw"] {
            assert!(!out.contains(secret), "{secret} left in {out}");
        }
        assert_eq!(back["pass"], 3);
        assert_eq!(back["token"]["nested"], "x");
        assert!(back["pwd"].as_str().unwrap().starts_with("REDACTED-password-"));
        assert!(recs.len() >= 8, "{recs:?}");
    }

    /// Every pairing of a secret-looking key with an awkward value, as JSON keys and
    /// inside JSON strings: the output must always parse and hold no secret.
    #[test]
    fn json_stays_valid_for_awkward_values() {
        let keys = ["password", "Password", "api_key", "token", "community", "Authorization"];
        let values = [
            "s3cr3t",
            "with space",
            "quo\"te",
            "back\\slash",
            "tab\tx",
            "<b>",
            "&amp;",
            "'single'",
            "{brace",
            "[bracket",
            "a,b",
            "end\\",
            "ünï",
            "\n",
        ];
        for key in keys {
            for value in values {
                let mut obj = serde_json::Map::new();
                obj.insert(key.into(), serde_json::Value::String(value.into()));
                for sep in [" = ", ": ", "=", ":", " "] {
                    obj.insert(format!("line{sep}"), format!("x {key}{sep}{value} y\n-{key} {value}").into());
                }
                let text = serde_json::to_string_pretty(&obj).unwrap();
                let (out, _) = one(&text);
                assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok(), "{key}/{value}:\n{text}\n---\n{out}");
            }
        }
    }

    #[test]
    fn html_escaped_quotes() {
        let (out, _) = one("<td>password = &quot;hunter2&quot;</td>");
        assert_eq!(out, "<td>password = &quot;REDACTED-password-1&quot;</td>");
    }

    #[test]
    fn key_words_split() {
        assert_eq!(key_words("AdminPassword"), ["admin", "password"]);
        assert_eq!(key_words("APIKey"), ["api", "key"]);
        assert_eq!(key_words("snmp.community_string"), ["snmp", "community", "string"]);
    }

    #[test]
    fn no_panic_on_odd_input() {
        for input in [
            "password",
            "password=",
            "password =\"",
            "-----BEGIN ",
            "-----BEGIN PRIVATE KEY",
            "://",
            "a://:@",
            "\\npassword: é",
            "pässword = wört",
            "Password : \"unterminated",
            "token\\",
            "é-Password é",
        ] {
            let _ = one(input);
        }
    }
}

#[cfg(test)]
mod repo_files {
    use super::*;

    /// The example inventories and evidence hold no secrets: redaction must leave
    /// every one of them byte for byte as it was.
    #[test]
    fn examples_pass_through_unchanged() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("examples"), root.join("tests/fixtures/contract")];
        let mut seen = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_some_and(|e| e == "key") {
                    continue;
                }
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                let mut r = Redactor::new();
                let out = r.redact(&path.display().to_string(), &text);
                assert!(r.records().is_empty(), "{}: {:?}", path.display(), r.records());
                assert_eq!(out, text);
                seen += 1;
            }
        }
        assert!(seen > 10);
    }
}

#[cfg(test)]
mod big_input {
    use super::*;

    /// Many secrets in one large file: linear work, one record each, distinct tokens.
    #[test]
    fn many_secrets_in_a_large_file() {
        let text: String = (0..20_000).map(|i| format!("host{i}.example.com password = pw{i} port 5061\n")).collect();
        let mut r = Redactor::new();
        let started = std::time::Instant::now();
        let out = r.redact("big.txt", &text);
        assert_eq!(r.records().len(), 20_000);
        assert_eq!(r.distinct_secrets(), 20_000);
        assert_eq!(r.records()[19_999].line, 20_000);
        assert!(out.contains("host19999.example.com password = REDACTED-password-20000"));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}

/// One test per form: every planted secret is gone, the text around it stays.
#[cfg(test)]
mod forms {
    use super::*;

    /// Redacts `input` (as a text file) and checks that no `secret` is left and every
    /// `kept` string survives.
    fn check(input: &str, secrets: &[&str], kept: &[&str]) -> String {
        let mut r = Redactor::new();
        let out = r.redact("evidence.txt", input);
        for s in secrets {
            assert!(!out.contains(s), "`{s}` left in:\n{out}\n(from {input})");
        }
        for k in kept {
            assert!(out.contains(k), "`{k}` lost in:\n{out}\n(from {input})");
        }
        // Every record's token is in the output: nothing is listed that was not done.
        for rec in r.records() {
            assert!(out.contains(rec.token.as_deref().unwrap()), "{rec:?} not applied:\n{out}");
        }
        assert!(!r.records().is_empty() || secrets.is_empty(), "nothing recorded for {input}");
        out
    }

    #[test]
    fn the_table_lists_every_form() {
        assert_eq!(FORMS.len(), 12);
        let names: std::collections::BTreeSet<_> = FORMS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), FORMS.len());
    }

    #[test]
    fn convertto_securestring_form() {
        check(
            "$secure = ConvertTo-SecureString \"S3cr<e;t,x'y\\z\" -AsPlainText -Force",
            &["S3cr", "e;t", "x'y", "\\z"],
            &["-AsPlainText -Force"],
        );
        check("$secure = ConvertTo-SecureString -String 'Pa ss;1' -AsPlainText -Force", &["Pa ss;1"], &["-AsPlainText"]);
        check("ConvertTo-SecureString Plain0Word -AsPlainText -Force", &["Plain0Word"], &["-Force"]);
    }

    #[test]
    fn password_parameter_with_a_securestring_group() {
        let out = check(
            "Import-PfxCertificate -FilePath c.pfx -Password (ConvertTo-SecureString -String \"PfxPw;1\" -Force -AsPlainText) -CertStoreLocation Cert:\\x",
            &["PfxPw;1"],
            &["-CertStoreLocation"],
        );
        assert!(!out.contains("ConvertTo-SecureString"), "{out}");
        check("Import-PfxCertificate -FilePath c.pfx -Password $securePw", &["$securePw"], &["-FilePath c.pfx"]);
    }

    #[test]
    fn pscredential_form() {
        check(
            "$c = New-Object System.Management.Automation.PSCredential(\"CORP\\svc\", (ConvertTo-SecureString \"Cred,Pw\" -AsPlainText -Force))",
            &["Cred,Pw", "CORP\\svc"],
            &["$c = New-Object"],
        );
        check("$c = New-Object PSCredential -ArgumentList \"bob\", \"ArgPw<1>\"", &["ArgPw<1>"], &["New-Object"]);
    }

    #[test]
    fn openssl_pass_form() {
        check(
            "openssl pkcs12 -export -in c.pem -passout pass:Out;Pw -passin pass:In,Pw -out c.pfx",
            &["Out;Pw", "In,Pw"],
            &["-passout pass:", "-out c.pfx"],
        );
        // The report's CSS and counts are not secrets.
        check(":root { --pass: #1a7f37; }\n- pass: 3\n", &[], &["--pass: #1a7f37;", "- pass: 3"]);
    }

    #[test]
    fn certutil_form() {
        check("certutil -f -p \"Cu Pw\" -importpfx c.pfx", &["Cu Pw"], &["-importpfx c.pfx"]);
        check("certutil -p CuPw2 -exportPFX my 01 out.pfx", &["CuPw2"], &["-exportPFX"]);
    }

    #[test]
    fn mysql_form() {
        check("mysql -u root -pMy'Sql;Pw -h db1", &["My'Sql;Pw"], &["-u root", "-h db1"]);
        check("mysqldump -u root -p'Dump Pw' db", &["Dump Pw"], &["mysqldump"]);
        // `-p` alone prompts: nothing to redact.
        check("mysql -u root -p", &[], &["-p"]);
    }

    #[test]
    fn net_use_form() {
        check("net use Z: \\\\fs1\\share NetPw;1 /user:CORP\\bob /persistent:no", &["NetPw;1"], &["\\\\fs1\\share", "/user:CORP\\bob"]);
        check("net use \\\\fs1\\ipc$ /user:bob NetPw2", &["NetPw2"], &["/user:bob"]);
        check("Use net use to map the share.", &[], &["to map the share"]);
    }

    #[test]
    fn snmp_forms() {
        check("Community Name : Imp<Comm,1\nAccess Privileges : ReadOnly\n", &["Imp<Comm,1"], &["Access Privileges : ReadOnly"]);
        check("rocommunity RoComm1 10.0.0.0/8\nrwcommunity RwComm2\n", &["RoComm1", "RwComm2"], &["rocommunity "]);
        check("snmp community string SnmpStr;1\n", &["SnmpStr;1"], &["snmp community string "]);
        check("snmp-server community IosComm RO\n", &["IosComm"], &[" RO"]);
        check(
            "snmp-server user u1 g1 v3 auth sha AuthKey;1 priv aes 128 PrivKey,2\n",
            &["AuthKey;1", "PrivKey,2"],
            &["auth sha", "priv aes 128"],
        );
        check("createUser u1 SHA \"NetSnmpAuth\" AES \"NetSnmpPriv\"\n", &["NetSnmpAuth", "NetSnmpPriv"], &["createUser u1 SHA"]);
    }

    #[test]
    fn ios_forms() {
        check(
            "line vty 0 4\n password 0 VtyPw;1\n password 7 0822455D0A16\nenable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\nenable password EnPw\n\
             username admin privilege 15 secret 0 UserPw'1\nradius-server key 7 RadKey<1\ntacacs-server key 7 TacKey\\1\n\
             radius-server host 10.0.0.1 key RadHostKey\nkey chain k\n key 1\n  key-string KeyStr,1\n",
            &["VtyPw;1", "0822455D0A16", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "EnPw", "UserPw'1", "RadKey<1", "TacKey\\1", "RadHostKey", "KeyStr,1"],
            &["line vty 0 4", "key chain k", "enable secret"],
        );
        check("Password Last Changed : 2025-01-01\n", &[], &["Password Last Changed : 2025-01-01"]);
    }

    #[test]
    fn json_secret_keys() {
        let doc = r#"{"PreSharedKey": "Psk;1", "sharedKey": "Sk,2", "psk": "p<3", "ApplicationKey": "Ak'4", "PrivateKey": "Pk\\5",
            "privatekey": 12345, "CertificatePfxBase64": "MIIKcQIBAzCCCjcGCSqGSIb3DQEHAaCCCigEggokMIIKIDCCBNcGCSqGSIb3DQEHBqCCBMgwggTE",
            "Thumbprint": "AB12CD"}"#;
        let mut r = Redactor::new();
        let out = r.redact("x.json", doc);
        for s in ["Psk;1", "Sk,2", "p<3", "Ak'4", "Pk\\\\5", "12345", "MIIKcQ"] {
            assert!(!out.contains(s), "{s} in {out}");
        }
        assert!(out.contains("AB12CD"));
        serde_json::from_str::<serde_json::Value>(&out).unwrap();
        assert_eq!(r.records().len(), 7);
    }

    #[test]
    fn yaml_block_scalar() {
        let out = check(
            "db:\n  password: |\n    Block;Line1\n    Line2<x>\n\n    Line3\n  host: db1\nnext: 1\n",
            &["Block;Line1", "Line2<x>", "Line3"],
            &["  host: db1", "next: 1", "db:"],
        );
        assert_eq!(out.matches("REDACTED").count(), 1, "{out}");
        check("secret: >-\n  folded secret text\nother: x\n", &["folded secret text"], &["other: x"]);
    }

    #[test]
    fn cookies_and_authorization_headers() {
        check("Cookie: JSESSIONID=Sess;1; theme=dark\nHost: x\n", &["Sess;1", "theme=dark"], &["Host: x"]);
        check("Set-Cookie: sid=SetC1; Path=/; HttpOnly\n", &["SetC1", "HttpOnly"], &["Set-Cookie: "]);
        check(
            "Authorization: Digest username=\"bob\", realm=\"x\", nonce=\"N1\", response=\"DigResp\"\n",
            &["bob", "N1", "DigResp"],
            &["Authorization: Digest "],
        );
        check("Authorization: Basic dXNlcjpwYXNz\n", &["dXNlcjpwYXNz"], &["Basic "]);
        check("Proxy-Authorization: Bearer eyJ.tok,en\n", &["eyJ.tok,en"], &[]);
    }

    #[test]
    fn pass_pw_and_credentials() {
        check("login pw=Pw;Eq,1 next", &["Pw;Eq,1"], &["next"]);
        check("plink -ssh admin@imp1 -pw PlinkPw", &["PlinkPw"], &["-ssh"]);
        check("credentials: svc_user:Cr<ed'Pw\n", &["svc_user:Cr<ed'Pw"], &["credentials: "]);
    }

    #[test]
    fn putty_private_key() {
        let ppk = "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: imported\nPublic-Lines: 1\nAAAAB3NzaPUB\n\
                   Private-Lines: 2\nAAABAQPRIVATE1\nAAABAQPRIVATE2\nPrivate-MAC: 0123abcdMAC\nafter\n";
        let out = check(ppk, &["PRIVATE1", "PRIVATE2", "0123abcdMAC", "AAAAB3NzaPUB"], &["after"]);
        assert!(has_private_key(ppk));
        assert!(!has_private_key(&out));
    }

    #[test]
    fn comments_naming_a_password() {
        check("# PFX export password Exp;Pw,1\nkeep = 1\n", &["Exp;Pw,1"], &["keep = 1", "# PFX export password "]);
        check("REM the password is Rem<Pw\n", &["Rem<Pw"], &[]);
        check("// passphrase: Phrase Words\n", &["Phrase Words"], &[]);
    }

    #[test]
    fn values_with_awkward_characters_are_replaced_whole() {
        for v in ["a<b", "a\\b", "a;b", "a,b", "a'b", "x<y;z,w'v\\u"] {
            check(&format!("password = {v}\n"), &[v], &["password = "]);
            check(&format!("pwd={v} next"), &[v], &[" next"]);
            check(&format!("Set-X -Password {v} -Force"), &[v], &["-Force"]);
        }
    }

    #[test]
    fn certificates_stay() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUKey\n-----END CERTIFICATE-----\n";
        check(pem, &[], &[pem]);
    }

    #[test]
    fn html_reports_keep_their_markup() {
        let mut r = Redactor::new();
        let out = r.redact("report.html", "<td>password = hunter2</td><style>:root{--pass:#1a7f37}</style>");
        assert_eq!(out, "<td>password = REDACTED-password-1</td><style>:root{--pass:#1a7f37}</style>");
    }
}
