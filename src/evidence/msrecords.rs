//! Management Shell captures read object by object, as `Format-List` text or
//! `ConvertTo-Json`, tolerating the one damage a real capture often has: it stops
//! early (the transcript or session log was cut, the console buffer overflowed, the
//! copy missed the end). When nothing after the output proves the command finished
//! (no prompt, no `Stop-Transcript`), an unreadable last object is taken as cut off:
//! the complete objects before it are kept and the cut is named, so the check that
//! reads the capture warns instead of the whole run stopping. The same damage in the
//! middle of a capture, or before a closing prompt, is still an error.

use serde_json::Value;

use super::noise::{self, Capture, Cmd, Line};
use super::pslist::{self, Record};
use super::{psjson, CutShort, ParseError, Records};

/// Parse every object of `cmd`'s output: `from_text` for each Format-List record,
/// `from_json` for each JSON item (with its 1-based index). Blank output is an empty list.
pub(crate) fn read<T>(
    text: &str,
    cmd: &'static Cmd,
    from_text: impl Fn(&Record) -> Result<T, ParseError>,
    from_json: impl Fn(&Value, usize) -> Result<T, ParseError>,
) -> Result<Records<T>, ParseError> {
    noise::parse_with(text, cmd, |cap| {
        let lines = cap.lines();
        if cap.is_blank() {
            // A command that found nothing prints nothing: that is evidence, even when
            // the next prompt was not saved (but not in a transcript cut right there).
            Ok(Records { items: Vec::new(), cut: cap.transcript_cut() })
        } else if noise::looks_like_json(&lines) {
            let (items, cut) = json_items(cap)?;
            let items = items.iter().enumerate().map(|(i, item)| from_json(item, i + 1)).collect::<Result<Vec<T>, _>>()?;
            Ok(Records { items, cut })
        } else {
            text_records(cap, &lines, &from_text)
        }
    })
}

fn text_records<T>(
    cap: &Capture,
    lines: &[Line<'_>],
    convert: impl Fn(&Record) -> Result<T, ParseError>,
) -> Result<Records<T>, ParseError> {
    if let Some(line) = cap.table_rule() {
        let name = cap.command_name();
        return Err(ParseError::new(
            line,
            format!(
                "this is table output (Format-Table), which cuts and drops properties; save `{name} | Format-List *` or `{name} | ConvertTo-Json -Depth 5` instead"
            ),
        ));
    }
    let (records, mut cut) = match pslist::records(lines) {
        Ok(r) => (r, None),
        Err(e) => {
            let Some(cut) = cap.cut_at(&e) else { return Err(e) };
            // Drop the record the cut line belongs to: everything since the last blank line.
            let start = lines.iter().rposition(|l| l.no < e.line && l.text.trim().is_empty()).map_or(0, |i| i + 1);
            (pslist::records(&lines[..start])?, Some(cut))
        }
    };
    let mut items = Vec::with_capacity(records.len());
    let count = records.len();
    for (i, rec) in records.iter().enumerate() {
        match convert(rec) {
            Ok(v) => items.push(v),
            Err(e) if cut.is_none() && i + 1 == count && cap.cut_explains_at(&e, rec.last_line) => {
                cut = Some(CutShort {
                    line: rec.last_line,
                    reason: format!(
                        "the capture stops inside the record on lines {}-{} ({}); that record and any after it are missing",
                        rec.first_line, rec.last_line, e.message
                    ),
                });
            }
            Err(e) => return Err(e),
        }
    }
    // A transcript that stops before its end block and before the next prompt was
    // cut, wherever it stops. (A console copy without the next prompt is not taken as
    // cut: copies usually leave it out, and that would be a false alarm.)
    if cut.is_none() {
        if let Some(t) = cap.transcript_cut() {
            let short_last = matches!(records.as_slice(), [.., prev, last] if last.fields.len() < prev.fields.len());
            if !short_last {
                return Ok(Records { items, cut: Some(t) });
            }
        }
    }
    // A last record that reads but stops short: Format-List prints every object of a
    // type with the same properties in the same order, so a last record holding only
    // the first few of them, with no blank line after it, was cut at a line end (or
    // inside the value of its last line).
    if let (None, [.., prev, last]) = (&cut, records.as_slice()) {
        let ended = lines.last().is_some_and(|l| l.text.trim().is_empty());
        let keys = |r: &Record| r.fields.iter().map(|f| f.key.to_ascii_lowercase()).collect::<Vec<_>>();
        let (k_prev, k_last) = (keys(prev), keys(last));
        if !ended && k_last.len() < k_prev.len() && k_prev.starts_with(&k_last) && cap.may_be_cut_at(last.last_line) && items.len() == count
        {
            items.pop();
            cut = Some(CutShort {
                line: last.last_line,
                reason: format!(
                    "the capture stops inside the record on lines {}-{}: it ends after `{}` where the record before goes on with `{}`",
                    last.first_line,
                    last.last_line,
                    last.fields.last().map_or("", |f| f.key.as_str()),
                    prev.fields.get(last.fields.len()).map_or("", |f| f.key.as_str())
                ),
            });
        }
    }
    Ok(Records { items, cut })
}

/// The JSON's items; for JSON that stops before its end in an open capture, the
/// array's complete objects and the cut.
fn json_items(cap: &Capture) -> Result<(Vec<Value>, Option<CutShort>), ParseError> {
    let cleaned = cap.json_text();
    match psjson::parse(&cleaned) {
        Ok(root) => Ok((psjson::items(&root).into_iter().cloned().collect(), None)),
        Err(e) if cap.cut_explains(&e) && psjson::ends_early(&cleaned) => {
            let items = complete_objects(&cleaned);
            let reason = format!(
                "the JSON stops before its end; {} complete object{} read, the rest is missing",
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            );
            Ok((items, Some(CutShort { line: e.line, reason })))
        }
        Err(e) => Err(e),
    }
}

/// The complete objects at the start of a top-level array that stops early (none when
/// the text is a single object cut short).
fn complete_objects(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let Some(mut rest) = text.trim_start().strip_prefix('[') else { return out };
    loop {
        rest = rest.trim_start();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        // Only objects: a number at the very end may itself be cut (`12` of `1234`).
        match stream.next() {
            Some(Ok(v @ Value::Object(_))) => out.push(v),
            _ => break,
        }
        rest = rest[stream.byte_offset()..].trim_start();
        match rest.strip_prefix(',') {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(rec: &Record) -> Result<String, ParseError> {
        rec.require("Identity")?;
        Ok(rec.require("Name")?.value.clone())
    }

    fn json_name(v: &Value, i: usize) -> Result<String, ParseError> {
        psjson::get(v, "Name").and_then(psjson::text).ok_or_else(|| psjson::item_error(i, "has no `Name`"))
    }

    fn parse(text: &str) -> Result<Records<String>, ParseError> {
        read(text, &crate::evidence::kinds::HOSTING_PROVIDERS.cmd, name, json_name)
    }

    const TEXT: &str = "Identity : a\nName     : A\n\nIdentity : b\nName     : B\n\nIdentity : c\nName     : C\n";

    #[test]
    fn a_whole_capture_is_not_cut() {
        assert_eq!(parse(TEXT).unwrap(), vec!["A".to_string(), "B".into(), "C".into()]);
    }

    #[test]
    fn a_record_cut_mid_line_keeps_the_records_before_it() {
        let r = parse("Identity : a\nName     : A\n\nIdentity : b\nNa").unwrap();
        assert_eq!(r.items, vec!["A".to_string()]);
        let cut = r.cut.unwrap();
        assert_eq!(cut.line, 5);
        assert!(cut.reason.contains("cut off"), "{}", cut.reason);
    }

    #[test]
    fn a_record_missing_its_last_fields_is_cut() {
        let r = parse("Identity : a\nName     : A\n\nIdentity : b\n").unwrap();
        assert_eq!(r.items, vec!["A".to_string()]);
        let cut = r.cut.unwrap();
        assert_eq!(cut.line, 4);
        assert!(cut.reason.contains("lines 4-4"), "{}", cut.reason);
    }

    #[test]
    fn a_last_record_with_only_the_first_properties_is_cut() {
        let text = "Identity : a\nName     : A\nNote     : x\n\nIdentity : b\nName     : B";
        let r = parse(text).unwrap();
        assert_eq!(r.items, vec!["A".to_string()]);
        let cut = r.cut.unwrap();
        assert_eq!(cut.line, 6);
        assert!(cut.reason.contains("ends after `Name` where the record before goes on with `Note`"), "{}", cut.reason);
        // Ended by a blank line, or by a prompt, the record was printed that way.
        assert!(parse(&format!("{text}\n\n")).unwrap().cut.is_none());
        assert!(parse(&format!("{text}\nPS C:\\> ")).unwrap().cut.is_none());
    }

    #[test]
    fn a_failed_command_is_named_with_its_message() {
        let text = "PS C:\\> Get-CsHostingProvider\nGet-CsHostingProvider : The term 'Get-CsHostingProvider' is not recognized as the name of a cmdlet.\nAt line:1 char:1\n+ Get-CsHostingProvider\n+ ~~~~~~~~~~~~~~~~~~~~~\n    + CategoryInfo          : ObjectNotFound: (Get-CsHostingProvider:String) [], CommandNotFoundException\n    + FullyQualifiedErrorId : CommandNotFoundException\n\nPS C:\\> ";
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("`Get-CsHostingProvider` failed in this capture"), "{}", e.message);
        assert!(e.message.contains("is not recognized"), "{}", e.message);
    }

    #[test]
    fn powershell_7_concise_errors_are_failures_not_empty_output() {
        for text in [
            "PS C:\\> Get-CsHostingProvider\nGet-CsHostingProvider: The term 'Get-CsHostingProvider' is not recognized as a name of a cmdlet.\nPS C:\\> ",
            "Get-CsHostingProvider : Cannot bind parameter 'Identity'.\n",
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains("failed in this capture"), "{}", e.message);
        }
    }

    #[test]
    fn table_output_is_refused_with_the_commands_to_use() {
        let text = "Identity               ProxyFqdn             Enabled\n--------               ---------             -------\nExchange Online        exap.um.outlook.com   True\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("Format-Table") && e.message.contains("| Format-List *"), "{}", e.message);
    }

    #[test]
    fn damage_before_a_closing_prompt_is_an_error() {
        let text = "PS C:\\> Get-CsHostingProvider\nIdentity : a\nName     : A\n\nIdentity : b\n\nPS C:\\> \n";
        let e = parse(text).unwrap_err();
        assert!(e.message.contains("has no `Name`"), "{}", e.message);
    }

    #[test]
    fn damage_in_the_middle_is_an_error() {
        let e = parse("Identity : a\n\nIdentity : b\nName     : B\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("Identity : a\nName     : A\ngarbage\n\nIdentity : b\nName     : B\n").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn json_cut_inside_the_array_keeps_its_complete_objects() {
        let json = "[\n  {\"Identity\": \"a\", \"Name\": \"A\"},\n  {\"Identity\": \"b\", \"Name\": \"B\"},\n  {\"Identity\": \"c\", \"Na";
        let r = parse(json).unwrap();
        assert_eq!(r.items, vec!["A".to_string(), "B".into()]);
        let cut = r.cut.unwrap();
        assert_eq!(cut.line, 4);
        assert!(cut.reason.contains("2 complete objects"), "{}", cut.reason);
    }

    #[test]
    fn json_single_object_cut_gives_nothing_but_the_cut() {
        let r = parse("{\n  \"Identity\": \"a\",\n  \"Na").unwrap();
        assert!(r.items.is_empty());
        assert_eq!(r.cut.unwrap().line, 3);
    }

    #[test]
    fn json_cut_right_after_a_comma_or_inside_a_string() {
        for json in ["[{\"Name\": \"A\"},", "[{\"Name\": \"A\"}, {\"Name\": \"B", "[{\"Name\": \"A\"}\n"] {
            let r = parse(json).unwrap();
            assert_eq!(r.items, vec!["A".to_string()], "{json}");
            assert!(r.cut.is_some(), "{json}");
        }
    }

    #[test]
    fn json_syntax_error_is_still_an_error() {
        assert!(parse("[{\"Name\": \"A\"}, {\"Name\" \"B\"}]").is_err());
        assert!(parse("[{\"Name\": \"A\"}, {\"Name\": \"B\"}]\nPS C:\\> ").is_ok());
    }
}
