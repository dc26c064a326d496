//! Helpers for `ConvertTo-Json` captures: parsing with line numbers that point into
//! the original file, and case-insensitive access to the loosely typed values
//! PowerShell emits (booleans may arrive as `true` or `"True"`, numbers as strings).

use serde_json::Value;

use super::noise::quote;
use super::ParseError;

/// Parse the JSON of a cleaned capture (`Capture::json_text`, line count unchanged).
/// Syntax errors carry the line serde_json reports and quote it.
pub(crate) fn parse(cleaned: &str) -> Result<Value, ParseError> {
    serde_json::from_str(cleaned).or_else(|e| rewrapped(cleaned).ok_or(e)).map_err(|e| {
        let line = e.line();
        if e.is_eof() {
            // Point at the last line that holds anything, not at trailing blanks.
            let last = cleaned.split('\n').enumerate().filter(|(_, t)| !t.trim().is_empty()).map(|(i, _)| i + 1).last();
            return ParseError::cut_off(last.unwrap_or(line), "the JSON ends before it is complete (is the file cut short?)");
        }
        let shown = cleaned.split('\n').nth(line.saturating_sub(1)).unwrap_or("");
        ParseError::new(line, format!("invalid JSON at column {}: {} in {}", e.column(), describe(&e), quote(shown)))
    })
}

/// `ConvertTo-Json -Compress` output a console wrapped at its width: the line breaks
/// fall inside strings and numbers. Read with the lines joined, when that parses.
fn rewrapped(cleaned: &str) -> Option<Value> {
    let lines: Vec<&str> = cleaned.split('\n').filter(|l| !l.trim().is_empty()).collect();
    // Wrapped lines are all as wide as the console; only the last is shorter.
    let (last, full) = lines.split_last()?;
    let width = full.first()?.chars().count();
    if width < 40 || full.iter().any(|l| l.chars().count() != width) || last.chars().count() > width {
        return None;
    }
    serde_json::from_str(&lines.concat()).ok()
}

/// Whether the text is JSON that stops before its end (as opposed to JSON with a
/// syntax error).
pub(crate) fn ends_early(cleaned: &str) -> bool {
    matches!(serde_json::from_str::<Value>(cleaned), Err(e) if e.is_eof())
}

/// serde_json's message without its trailing position (we report the line ourselves).
fn describe(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The elements of a top-level array, or the value itself when it is one object.
pub(crate) fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// Property `key` of an object, compared case-insensitively; `null` counts as absent.
pub(crate) fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v).filter(|v| !v.is_null())
}

/// A scalar as text (numbers and booleans too); blank strings count as absent.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
        _ => None,
    }
}

/// A boolean, as JSON `true`/`false` or the strings `True`/`False`.
pub(crate) fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A port, as a number or a numeric string.
pub(crate) fn port(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The error for JSON item `index` (1-based): JSON values carry no line, so the
/// message names the item instead.
pub(crate) fn item_error(index: usize, message: impl std::fmt::Display) -> ParseError {
    ParseError::new(0, format!("JSON item {index}: {message}"))
}

/// A boolean property of item `index`: absent is `None`, anything but a boolean is an
/// error.
pub(crate) fn opt_bool(item: &Value, key: &str, index: usize) -> Result<Option<bool>, ParseError> {
    match get(item, key) {
        None => Ok(None),
        Some(v) => boolean(v).map(Some).ok_or_else(|| item_error(index, format!("`{key}` should be true or false, found {v}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_json_wrapped_by_a_console_is_joined_back() {
        let json = r#"[{"Identity":"Exchange Online","ProxyFqdn":"exap.um.outlook.com","Enabled":true},{"Identity":"SkypeforBusinessOnline","ProxyFqdn":"sipfed.online.lync.com","Enabled":false}]"#;
        let wrapped: Vec<String> = json.as_bytes().chunks(60).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        let v = parse(&wrapped.join("\n")).unwrap();
        assert_eq!(items(&v).len(), 2);
        // Pretty JSON with a real error stays an error.
        assert!(parse("[\n  {\"a\": tru}\n]").is_err());
    }

    #[test]
    fn syntax_error_names_and_quotes_the_line() {
        let err = parse("[\n  {\"a\": 1,,}\n]").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("\"{\"a\": 1,,}\""), "{}", err.message);
    }

    #[test]
    fn truncated_json_is_reported() {
        let err = parse("[\n {\"a\": 1},\n {\"b\":").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("cut short"));
    }

    #[test]
    fn prompts_around_json_are_ignored() {
        let cap =
            crate::evidence::noise::Capture::new("PS C:\\> Get-X | ConvertTo-Json\r\n{\"Name\": \"x\"}\r\nPS C:\\>\r\n", None).unwrap();
        let v = parse(&cap.json_text()).unwrap();
        assert_eq!(get(&v, "name").and_then(text), Some("x".to_string()));
    }

    #[test]
    fn loose_scalars() {
        assert_eq!(boolean(&Value::String("True".into())), Some(true));
        assert_eq!(port(&Value::String("5061".into())), Some(5061));
        assert_eq!(port(&serde_json::json!(70000)), None);
        assert_eq!(text(&serde_json::json!(5)), Some("5".into()));
        assert_eq!(get(&serde_json::json!({"A": null}), "a"), None);
    }
}
