//! Secret redaction for the support bundle.
//!
//! Evidence files are free text from shells, consoles and exports, so the redactor
//! looks for *keys that announce a secret* (a small table below) followed by a value in
//! one of the shapes admins paste: `key = value`, `key: value`, `key=value`,
//! `-Key value` (PowerShell), `"key": "value"` (JSON), plus PEM private-key blocks and
//! the `user:password@` part of URLs. Only the value is replaced, by a stable token
//! `REDACTED-<rule>-<n>`: the same secret gets the same token in every file of one
//! bundle, so a support engineer can still see that two settings hold the same secret.
//!
//! The replacement never introduces or removes a quote or a backslash, so a JSON
//! document stays valid JSON after redaction (an unquoted JSON value such as
//! `"password": 1234` is replaced by a quoted token).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One redaction, as listed in `redactions.json`. Never holds the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// Path inside the bundle (relative to its top folder).
    pub file: String,
    /// 1-based line of the original file; 0 when it concerns the whole file.
    pub line: usize,
    pub rule: String,
    /// The token that replaced the value, when one did (a withheld file has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// One row of the rule table: which keys announce a secret and how to read the value.
struct Rule {
    name: &'static str,
    /// The key's last word (lowercase), or its last two words joined (`api_key` →
    /// `apikey`, `community string` → `communitystring`).
    keys: &'static [&'static str],
    /// The value may follow the key after plain spaces (`snmp-server community X`,
    /// `Bearer X`), with no `=` or `:`.
    bare_value: bool,
    /// The value's first word is a scheme to keep (`Authorization: Bearer <secret>`).
    keep_scheme: bool,
}

const RULES: &[Rule] = &[
    Rule {
        name: "password",
        keys: &["password", "passwd", "pwd", "passphrase", "secret", "passcode"],
        bare_value: false,
        keep_scheme: false,
    },
    Rule { name: "token", keys: &["token", "apikey", "accesskey", "secretkey", "sessionkey"], bare_value: false, keep_scheme: false },
    Rule { name: "token", keys: &["bearer"], bare_value: true, keep_scheme: false },
    Rule { name: "snmp-community", keys: &["community", "communitystring"], bare_value: true, keep_scheme: false },
    Rule { name: "authorization", keys: &["authorization"], bare_value: false, keep_scheme: true },
];

/// The rule that covers URL user information (`scheme://user:password@host`).
const URL_RULE: &str = "authorization";
/// The rule that covers PEM private-key blocks.
pub const PRIVATE_KEY_RULE: &str = "private-key";

/// Values that say "no secret here" rather than being one.
const NOT_SECRETS: &[&str] = &["null", "$null", "(null)", "none", "true", "false", "$true", "$false", ""];

/// Quote pairs a value may be wrapped in: plain, JSON-escaped and HTML-escaped.
const QUOTES: &[&str] = &["\\\"", "\"", "'", "&quot;", "&#39;", "&#x27;"];

/// Replaces secrets file after file, remembering which token each secret got.
#[derive(Debug, Default)]
pub struct Redactor {
    tokens: HashMap<String, String>,
    records: Vec<Redaction>,
}

/// A value to replace, found in the original text.
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    rule: &'static str,
    /// Put the token in double quotes (it replaces an unquoted JSON value).
    quote: bool,
}

impl Redactor {
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

    /// `text` with every secret replaced; `file` names it in the records.
    pub fn redact(&mut self, file: &str, text: &str) -> String {
        let spans = find_spans(text);
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

/// Every secret in `text`, sorted and without overlaps (private keys win).
fn find_spans(text: &str) -> Vec<Span> {
    let keys: Vec<Span> =
        private_key_blocks(text).into_iter().map(|(start, end)| Span { start, end, rule: PRIVATE_KEY_RULE, quote: false }).collect();
    let mut others = url_passwords(text);
    others.extend(keyed_values(text));
    others.sort_by_key(|s| s.start);
    let mut accepted = keys.clone();
    let mut last_end = 0;
    for s in others {
        let inside_key = keys.iter().any(|k| s.start < k.end && k.start < s.end);
        if s.start >= last_end && !inside_key {
            last_end = s.end;
            accepted.push(s);
        }
    }
    accepted.sort_by_key(|s| s.start);
    accepted
}

/// Byte ranges of PEM blocks whose label names a private key, markers included.
/// A block without its END line runs to the next double quote or the end of text.
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
    out
}

/// Whether `text` still holds a PEM private-key block (even one cut short).
pub fn has_private_key(text: &str) -> bool {
    !private_key_blocks(text).is_empty()
}

/// Passwords in `scheme://user:password@host` URLs.
fn url_passwords(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
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
                    out.push(Span { start, end, rule: URL_RULE, quote: false });
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

/// The rule a key belongs to, looking at its last word, its last two words joined,
/// and the last word joined with `previous` (the word before it, across spaces).
fn rule_for_key(key: &str, previous: Option<&str>) -> Option<&'static Rule> {
    let words = key_words(key);
    let last = words.last()?;
    let mut candidates = vec![last.clone()];
    if words.len() >= 2 {
        candidates.push(format!("{}{}", words[words.len() - 2], last));
    } else if let Some(prev) = previous.and_then(|p| key_words(p).pop()) {
        candidates.push(format!("{prev}{last}"));
    }
    RULES.iter().find(|r| candidates.iter().any(|c| r.keys.contains(&c.as_str())))
}

/// How a value ends, which depends on how it was introduced.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// `key = value`, `Key : value`: the rest of the line.
    RestOfLine,
    /// `key=value`, `-Key value`, `community X`: one word.
    Word,
    /// `"key": 1234` in JSON: a bare JSON value.
    JsonBare,
}

/// Values that follow a key from the rule table.
fn keyed_values(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
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
        let found = if key.is_empty() { None } else { rule_for_key(key, joined_prev).and_then(|rule| value_after(text, end, param, rule)) };
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
fn value_after(text: &str, key_end: usize, param: bool, rule: &'static Rule) -> Option<Span> {
    let bytes = text.as_bytes();
    let mut p = key_end;
    // A quoted key: `"password"`, `'password'` or `\"password\"` (inside JSON text).
    let mut json_key = false;
    if text[p..].starts_with("\\\"") {
        p += 2;
    } else if p < bytes.len() && (bytes[p] == b'"' || bytes[p] == b'\'') {
        json_key = bytes[p] == b'"';
        p += 1;
    }
    let blank = |q: &mut usize| {
        let from = *q;
        while *q < bytes.len() && (bytes[*q] == b' ' || bytes[*q] == b'\t') {
            *q += 1;
        }
        *q > from
    };
    let mut q = p;
    let spaced_before = blank(&mut q);
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
        let spaced_after = blank(&mut q);
        shape = if json_key && sep == b':' {
            Shape::JsonBare
        } else if spaced_after || (spaced_before && sep == b':') {
            Shape::RestOfLine
        } else {
            Shape::Word
        };
    } else if spaced_before && (param || rule.bare_value) && p == key_end {
        shape = Shape::Word;
        if q < bytes.len() && bytes[q] == b'-' && param {
            return None; // the next parameter: this one is a switch
        }
        // `community string: x`: the next word continues the key, it is not the value.
        let mut w = q;
        while w < bytes.len() && is_ident(bytes[w]) {
            w += 1;
        }
        blank(&mut w);
        if w > q && w < bytes.len() && (bytes[w] == b':' || bytes[w] == b'=') {
            return None;
        }
    } else {
        return None;
    }
    let (start, end, quote) = quoted(text, q).map_or_else(
        || {
            let (s, e) = unquoted(text, q, shape);
            (s, e, shape == Shape::JsonBare)
        },
        |(s, e)| (s, e, false),
    );
    let (mut start, end) = (start, end);
    if rule.keep_scheme {
        let value = &text[start..end];
        if let Some(space) = value.find([' ', '\t']) {
            if value[..space].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                start += space;
                while start < end && (bytes[start] == b' ' || bytes[start] == b'\t') {
                    start += 1;
                }
            }
        }
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

/// The content of a quoted value starting at `at`, when it opens and closes on one line.
fn quoted(text: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let open = QUOTES.iter().find(|q| bytes[at..].starts_with(q.as_bytes()))?;
    let start = at + open.len();
    let line_end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| start + i);
    let mut k = start;
    while k < line_end {
        if bytes[k..].starts_with(open.as_bytes()) {
            return (k > start).then_some((start, k));
        }
        match bytes[k] {
            // In a plain double-quoted string a backslash escapes the next character.
            b'\\' if *open == "\"" => k += 2,
            b'\\' if *open == "\\\"" => k += 2,
            // Any other quote style must not swallow a JSON string's end.
            b'"' if *open != "\"" => return None,
            _ => k += 1,
        }
    }
    None
}

/// The extent of an unquoted value starting at `at`.
fn unquoted(text: &str, at: usize, shape: Shape) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut end = at;
    while end < bytes.len() {
        let b = bytes[end];
        // Never cross a line, a quote, a backslash (JSON escapes) or an HTML tag.
        let hard = matches!(b, b'\n' | b'\r' | b'"' | b'\\' | b'<');
        let soft = match shape {
            Shape::RestOfLine => false,
            Shape::Word => matches!(b, b' ' | b'\t' | b'&' | b';' | b',' | b')' | b']' | b'}' | b'\''),
            Shape::JsonBare => matches!(b, b' ' | b'\t' | b',' | b'}' | b']'),
        };
        if hard || soft {
            break;
        }
        end += 1;
    }
    let trimmed = text[at..end].trim_end().len();
    (at, at + trimmed)
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
