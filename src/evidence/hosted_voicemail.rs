//! Lync/SfB `Get-CsHostedVoicemailPolicy`: where unanswered calls of users enabled
//! for hosted voice mail are sent. A policy whose Destination is an Exchange Online
//! UM proxy (`exap.um.outlook.com` and its national-cloud variants) shows that
//! Exchange Online UM is really in use, not only an Outlook Web App hosting provider.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::msrecords;
use super::psjson;
use super::pslist::Record;
use super::{ParseError, Records};

/// One hosted voice mail policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedVoicemailPolicy {
    /// `Global`, `Site:Redmond` or a per-user policy name.
    pub identity: String,
    /// The hosted Exchange UM service's FQDN; absent when the policy names none.
    pub destination: Option<String>,
    /// The Exchange Online tenant's domain(s), as printed.
    pub organization: Option<String>,
    /// 1-based line of the record in the capture (0 for JSON). Not serialised: a
    /// finding's evidence must not change with the noise around the capture.
    #[serde(skip)]
    pub line: usize,
}

/// Parse a `Get-CsHostedVoicemailPolicy` capture (Format-List text or ConvertTo-Json).
/// A command that printed nothing (or `[]`) means no hosted voice mail policy exists;
/// a capture that stops early keeps the policies before the cut and names it.
pub fn parse(text: &str) -> Result<Records<HostedVoicemailPolicy>, ParseError> {
    msrecords::read(text, &crate::evidence::kinds::HOSTED_VOICEMAIL.cmd, text_policy, json_policy)
}

fn text_policy(rec: &Record) -> Result<HostedVoicemailPolicy, ParseError> {
    let identity = rec.require("Identity")?.value.clone();
    // A capture without the Destination column cannot say where voice mail goes.
    if !rec.has("Destination") {
        return Err(rec.missing("Destination"));
    }
    Ok(HostedVoicemailPolicy {
        identity,
        destination: rec.text("Destination").map(str::to_string),
        organization: rec.text("Organization").map(str::to_string),
        line: rec.first_line,
    })
}

/// The identity as ConvertTo-Json prints it: a string, or an XdsIdentity object.
fn json_identity(v: &Value) -> Option<String> {
    psjson::text(v).or_else(|| ["Identity", "InstanceId", "Name", "Value"].iter().find_map(|k| psjson::get(v, k).and_then(psjson::text)))
}

fn json_policy(item: &Value, index: usize) -> Result<HostedVoicemailPolicy, ParseError> {
    let identity = psjson::get(item, "Identity").and_then(json_identity).ok_or_else(|| psjson::item_error(index, "has no `Identity`"))?;
    let has_destination = item.as_object().is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case("Destination")));
    if !has_destination {
        return Err(psjson::item_error(index, "has no `Destination`"));
    }
    Ok(HostedVoicemailPolicy {
        identity,
        destination: psjson::get(item, "Destination").and_then(psjson::text),
        organization: psjson::get(item, "Organization").and_then(psjson::text),
        line: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = include_str!("../../examples/enterprise/evidence/ms/hosted-voicemail-policies.txt");

    #[test]
    fn format_list_sample() {
        let p = parse(TEXT).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].identity, "Global");
        assert_eq!(p[0].destination, None);
        assert_eq!(p[1].identity, "Tag:ExUMOnline");
        assert_eq!(p[1].destination.as_deref(), Some("exap.um.outlook.com"));
        assert_eq!(p[1].organization.as_deref(), Some("northwind.com"));
        assert!(p[1].line > p[0].line);
    }

    #[test]
    fn json_sample_matches_text() {
        let json = r#"PS C:\> Get-CsHostedVoicemailPolicy | ConvertTo-Json
[
    {
        "Identity":  "Global",
        "Description":  null,
        "Destination":  null,
        "Organization":  null
    },
    {
        "Identity":  {"ScopeClass": 3, "InstanceId": "ExUMOnline"},
        "Description":  "Exchange Online UM",
        "Destination":  "EXAP.UM.OUTLOOK.COM",
        "Organization":  "northwind.com"
    }
]
PS C:\>"#;
        let p = parse(json).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].identity, "ExUMOnline");
        assert_eq!(p[1].destination.as_deref(), Some("EXAP.UM.OUTLOOK.COM"));
        assert_eq!(parse(&json.replace('\n', "\r\n")).unwrap(), p);
    }

    #[test]
    fn crlf_matches_lf() {
        assert_eq!(parse(&TEXT.replace('\n', "\r\n")).unwrap(), parse(TEXT).unwrap());
    }

    #[test]
    fn nothing_printed_is_no_policy() {
        for text in ["", "[]", "PS C:\\> Get-CsHostedVoicemailPolicy\n\nPS C:\\>"] {
            assert_eq!(parse(text).unwrap(), Vec::new(), "{text:?}");
        }
    }

    #[test]
    fn a_capture_without_destination_is_refused() {
        let err = parse("Identity    : Global\nDescription :\n\nIdentity    : Site:A\nDescription :\n\n").unwrap_err();
        assert!(err.message.contains("`Destination`"), "{}", err.message);
        let err = parse(r#"[{"Identity": "Global"}]"#).unwrap_err();
        assert_eq!(err.message, "JSON item 1: has no `Destination`");
        // Cut inside the only object: nothing is known, and the cut says so.
        let r = parse("[{\"Identity\": \"Global\", \"Destination\":").unwrap();
        assert!(r.is_empty());
        assert!(r.cut.unwrap().reason.contains("0 complete objects"));
    }

    #[test]
    fn wrong_command_is_named() {
        let text = "PS C:\\> Get-CsTrustedApplication\n\nIdentity : a/b\nPort : 5061\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.contains("not of `Get-CsHostedVoicemailPolicy`"), "{}", err.message);
    }
}
