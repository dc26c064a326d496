//! PowerShell `Format-List` output: records of `Key : Value` lines separated by blank
//! lines. A long value wraps onto continuation lines indented past the key column,
//! and collections print as `{a, b, c}` (cut to `{a, b, c, d...}` past
//! `$FormatEnumerationLimit`). Shared by every Lync/SfB text parser.

use super::noise::{quote, Line};
use super::ParseError;

/// One `Key : Value` property, continuation lines already joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub key: String,
    pub value: String,
    /// Line of the key.
    pub line: usize,
}

/// One object of Format-List output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub first_line: usize,
    pub last_line: usize,
    pub fields: Vec<Field>,
}

impl Record {
    /// The field named `key`, compared case-insensitively (cmdlets and versions
    /// disagree on capitalisation, e.g. `HostsOcsUsers`).
    pub(super) fn get(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key.eq_ignore_ascii_case(key))
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The value of `key` when present and not blank.
    pub(super) fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(|f| f.value.as_str()).filter(|v| !v.is_empty())
    }

    /// The field `key`, which must be present with a value.
    pub(super) fn require(&self, key: &str) -> Result<&Field, ParseError> {
        match self.get(key) {
            Some(f) if !f.value.is_empty() => Ok(f),
            // A cut right after the colon leaves this too.
            Some(f) => Err(ParseError::cut_off(f.line, format!("`{key}` has no value"))),
            None => Err(self.missing(key)),
        }
    }

    /// The error for a property this record lacks.
    pub(super) fn missing(&self, key: &str) -> ParseError {
        ParseError::cut_off(
            self.first_line,
            format!(
                "the record on lines {}-{} has no `{key}` (is the file cut short, or the output filtered?)",
                self.first_line, self.last_line
            ),
        )
    }

    /// An optional boolean property (`True`/`False`).
    pub(super) fn opt_bool(&self, key: &str) -> Result<Option<bool>, ParseError> {
        match self.get(key) {
            Some(f) if !f.value.is_empty() => parse_bool(f).map(Some),
            _ => Ok(None),
        }
    }

    /// A boolean property that must be present.
    pub(super) fn bool(&self, key: &str) -> Result<bool, ParseError> {
        parse_bool(self.require(key)?)
    }
}

/// `True`/`False` in any case.
pub(crate) fn parse_bool(field: &Field) -> Result<bool, ParseError> {
    let v = field.value.to_ascii_lowercase();
    match v.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => {
            let message = format!("`{}` should be True or False, found {}", field.key, quote(&field.value));
            // `Tr` is what a cut leaves of `True`; `Ture` is a typo.
            if "true".starts_with(v.as_str()) || "false".starts_with(v.as_str()) {
                Err(ParseError::cut_off(field.line, message))
            } else {
                Err(ParseError::new(field.line, message))
            }
        }
    }
}

/// A port number property.
pub(crate) fn parse_port(field: &Field) -> Result<u16, ParseError> {
    field
        .value
        .parse::<u16>()
        .map_err(|_| ParseError::new(field.line, format!("`{}` should be a port number, found {}", field.key, quote(&field.value))))
}

/// The items of a `{a, b, c}` collection (an empty `{}` or blank value gives none).
/// A list PowerShell cut short with `...` is refused: the missing items matter.
pub(crate) fn brace_list(field: &Field) -> Result<Vec<String>, ParseError> {
    let v = field.value.trim();
    if v.is_empty() {
        return Ok(Vec::new());
    }
    let Some(inner) = v.strip_prefix('{') else {
        // A single item printed without braces.
        return Ok(vec![v.to_string()]);
    };
    let Some(inner) = inner.strip_suffix('}') else {
        return Err(ParseError::cut_off(field.line, format!("`{}` list is cut off before its closing `}}`: {}", field.key, quote(v))));
    };
    if inner.trim_end().ends_with("...") || inner.trim_end().ends_with('…') {
        return Err(ParseError::new(
            field.line,
            format!(
                "`{}` list is truncated by PowerShell (`...`); run `$FormatEnumerationLimit = -1` before the command and capture again",
                field.key
            ),
        ));
    }
    Ok(inner.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
}

/// Group `lines` (already noise-filtered) into records.
///
/// A line indented deeper than the record's key lines continues the previous value;
/// any other non-blank line must be `Key : Value` with a property-name key, so a
/// stray or cut-off line is an error naming it. A key repeated inside one record
/// means a record separator went missing, which is refused too.
///
/// A wrapped value is joined back the way PowerShell split it: its word wrap breaks
/// after a space (the line keeps that space at its end), and cuts a word only when it
/// is longer than a whole line (that line is then full). Where the capture lost the
/// trailing spaces (copied from a console), a line shorter than the longest wrapped
/// line was broken at a space.
pub(crate) fn records(lines: &[Line<'_>]) -> Result<Vec<Record>, ParseError> {
    // One piece of a value: its text, the length of its whole line, and whether the
    // line ended in a space.
    struct Piece<'a> {
        text: &'a str,
        width: usize,
        space_after: bool,
    }
    let mut out: Vec<(Record, Vec<Vec<Piece<'_>>>)> = Vec::new();
    let mut current: Option<(Record, Vec<Vec<Piece<'_>>>, usize)> = None; // record, pieces per field, key indent
    let width = |l: &Line<'_>| l.text.trim_end().chars().count();

    for line in lines {
        if line.text.trim().is_empty() {
            if let Some((rec, pieces, _)) = current.take() {
                out.push((rec, pieces));
            }
            continue;
        }
        let indent = line.text.len() - line.text.trim_start().len();
        if let Some((rec, pieces, base)) = current.as_mut() {
            if indent > *base {
                if let Some(last) = pieces.last_mut() {
                    last.push(Piece { text: line.text.trim(), width: width(line), space_after: line.space_after });
                    rec.last_line = line.no;
                    continue;
                }
            }
        }
        let (key, value) = split_key_value(line)?;
        let piece = Piece { text: value, width: width(line), space_after: line.space_after };
        let field = Field { key: key.to_string(), value: String::new(), line: line.no };
        match current.as_mut() {
            Some((rec, pieces, _)) => {
                if rec.has(key) {
                    return Err(ParseError::new(
                        line.no,
                        format!(
                            "`{key}` appears twice in the record that starts on line {} (missing blank line between records?)",
                            rec.first_line
                        ),
                    ));
                }
                rec.fields.push(field);
                pieces.push(vec![piece]);
                rec.last_line = line.no;
            }
            None => {
                let rec = Record { first_line: line.no, last_line: line.no, fields: vec![field] };
                current = Some((rec, vec![vec![piece]], indent));
            }
        }
    }
    if let Some((rec, pieces, _)) = current {
        out.push((rec, pieces));
    }
    // Trailing spaces, when the capture kept any, say exactly where a wrap broke at a
    // space; otherwise the widest wrapped line shows the console width.
    let spaces_kept = lines.iter().any(|l| l.space_after);
    let wrapped = out.iter().flat_map(|(_, p)| p).flat_map(|f| f.iter().rev().skip(1));
    let console = wrapped.map(|p| p.width).max().unwrap_or(0);
    Ok(out
        .into_iter()
        .map(|(mut rec, pieces)| {
            for (field, parts) in rec.fields.iter_mut().zip(pieces) {
                let mut prev: Option<&Piece<'_>> = None;
                for p in &parts {
                    if let Some(before) = prev {
                        let at_space = if spaces_kept { before.space_after } else { before.width < console };
                        if at_space && !field.value.is_empty() && !p.text.is_empty() {
                            field.value.push(' ');
                        }
                    }
                    field.value.push_str(p.text);
                    prev = Some(p);
                }
            }
            rec
        })
        .collect())
}

fn split_key_value<'a>(line: &Line<'a>) -> Result<(&'a str, &'a str), ParseError> {
    let t = line.text.trim();
    let Some(colon) = t.find(':') else {
        return Err(ParseError::cut_off(
            line.no,
            format!("line {} has no `:`; expected `Property : Value` (is the file cut short?)", quote(t)),
        ));
    };
    let key = t[..colon].trim();
    let value = t[colon + 1..].trim();
    let is_name = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !is_name {
        return Err(ParseError::new(line.no, format!("unrecognised line {}: expected `Property : Value`", quote(t))));
    }
    Ok((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::noise::Capture;

    fn recs(text: &str) -> Result<Vec<Record>, ParseError> {
        let cap = Capture::new(text, None).unwrap();
        records(&cap.lines())
    }

    fn value(text: &str, key: &str) -> String {
        recs(text).unwrap()[0].get(key).unwrap().value.clone()
    }

    #[test]
    fn a_value_wrapped_at_a_space_gets_its_space_back() {
        // As PowerShell writes it: the space it broke at ends the line.
        let kept = "Element : <Route xmlns=\"urn:x\" \n          MatchUri=\"a.example\" />\nOther   : 1\n";
        assert_eq!(value(kept, "Element"), "<Route xmlns=\"urn:x\" MatchUri=\"a.example\" />");
        // Copied from a console, trailing spaces gone: the shorter line broke at a space,
        // the full-width one inside a word longer than a line.
        let copied = "Route : {MatchUri=a;Port=1,\n        MatchUri=b;Fqdn=very-long-host-name-that-fil\n        ls-the-line;Port=2}\n";
        assert_eq!(value(copied, "Route"), "{MatchUri=a;Port=1, MatchUri=b;Fqdn=very-long-host-name-that-fills-the-line;Port=2}");
        // A console that pads every line with spaces says nothing by them.
        // (Widths decide instead: the full-width line broke inside a word.)
        let padded = "Route : {abcdefgh   \n        ij,      \n        kl}      \nNext  : x        \n";
        assert_eq!(value(padded, "Route"), "{abcdefghij, kl}");
    }

    #[test]
    fn records_with_continuations_and_blank_separators() {
        let text = "\nName      : a\nLongValue : abc\n            def\nEmpty     :\n\n\nName      : b\n";
        let recs = recs(text).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].first_line, 2);
        assert_eq!(recs[0].last_line, 5);
        assert_eq!(recs[0].text("longvalue"), Some("abcdef"));
        assert_eq!(recs[0].text("Empty"), None);
        assert!(recs[0].has("EMPTY"));
        assert_eq!(recs[1].text("name"), Some("b"));
        assert_eq!(recs[1].first_line, 8);
    }

    #[test]
    fn uniformly_indented_output_is_not_a_continuation() {
        let text = "   Name : a\n   Port : 5061\n";
        let recs = recs(text).unwrap();
        assert_eq!(recs[0].fields.len(), 2);
    }

    #[test]
    fn line_without_colon_is_an_error() {
        let err = recs("Name : a\nEnabl").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("\"Enabl\""), "{}", err.message);
    }

    #[test]
    fn key_with_spaces_is_an_error() {
        let err = recs("Name : a\nthis is junk : yes\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("\"this is junk : yes\""), "{}", err.message);
    }

    #[test]
    fn repeated_key_is_an_error() {
        let err = recs("Name : a\nName : b\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn brace_lists() {
        let f = |v: &str| Field { key: "Computers".into(), value: v.into(), line: 7 };
        assert_eq!(brace_list(&f("{a.x, b.x}")).unwrap(), vec!["a.x", "b.x"]);
        assert_eq!(brace_list(&f("{}")).unwrap(), Vec::<String>::new());
        assert_eq!(brace_list(&f("a.x")).unwrap(), vec!["a.x"]);
        let err = brace_list(&f("{a, b, c, d...}")).unwrap_err();
        assert_eq!(err.line, 7);
        assert!(err.message.contains("FormatEnumerationLimit"));
        let err = brace_list(&f("{a, b")).unwrap_err();
        assert!(err.message.contains("cut off"));
    }

    #[test]
    fn booleans_and_ports() {
        let f = |v: &str| Field { key: "Enabled".into(), value: v.into(), line: 3 };
        assert!(parse_bool(&f("TRUE")).unwrap());
        assert!(!parse_bool(&f("False")).unwrap());
        assert_eq!(parse_bool(&f("yes")).unwrap_err().line, 3);
        assert_eq!(parse_port(&f("5061")).unwrap(), 5061);
        assert!(parse_port(&f("70000")).unwrap_err().message.contains("\"70000\""));
    }
}
