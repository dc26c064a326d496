//! Lync/SfB `Get-CsSipDomain`: the SIP domains the Microsoft deployment is authorised
//! to serve, and which one is the default. Every one of them must also be a presence
//! domain on IM&P, or its users are left out of the federation (domains.shared).
//!
//! Properties per Microsoft Learn, "Get-CsSipDomain" (Skype for Business Server
//! PowerShell; introduced in Lync Server 2010):
//! <https://learn.microsoft.com/en-us/powershell/module/skypeforbusiness/get-cssipdomain>.
//! The Format-List layout below (`Identity`, `Name`, `IsDefault`) is the cmdlet's
//! object as PowerShell prints it: no published capture was found (unverified).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::msrecords;
use super::psjson;
use super::pslist::Record;
use super::{ParseError, Records};

/// One SIP domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipDomain {
    /// The domain, lowercase (`litwareinc.com`).
    pub name: String,
    /// The deployment's default SIP domain.
    pub is_default: bool,
    /// 1-based line of the record in the capture (0 for JSON). Not serialised: a
    /// finding's evidence must not change with the noise around the capture.
    #[serde(skip)]
    pub line: usize,
}

/// Parse a `Get-CsSipDomain` capture (Format-List text or ConvertTo-Json). A
/// deployment always has at least one SIP domain, so an empty capture is refused.
pub fn parse(text: &str) -> Result<Records<SipDomain>, ParseError> {
    let domains = msrecords::read(text, &crate::evidence::kinds::SIP_DOMAINS.cmd, text_domain, json_domain)?;
    if domains.is_empty() && domains.cut.is_none() {
        return Err(ParseError::new(
            0,
            "no SIP domain listed: a Lync or Skype for Business deployment always has one (was the command run in the Management Shell?)",
        ));
    }
    Ok(domains)
}

/// The domain from `Name`, else `Identity` (both hold it).
fn domain(name: Option<&str>, identity: Option<&str>) -> Option<String> {
    name.or(identity).map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase()).filter(|d| !d.is_empty())
}

fn text_domain(rec: &Record) -> Result<SipDomain, ParseError> {
    let Some(name) = domain(rec.text("Name"), rec.text("Identity")) else {
        return Err(rec.missing("Identity"));
    };
    Ok(SipDomain { name, is_default: rec.opt_bool("IsDefault")?.unwrap_or(false), line: rec.first_line })
}

fn json_domain(item: &Value, index: usize) -> Result<SipDomain, ParseError> {
    let name = psjson::get(item, "Name").and_then(psjson::text);
    let identity = psjson::get(item, "Identity").and_then(psjson::text);
    let Some(name) = domain(name.as_deref(), identity.as_deref()) else {
        return Err(psjson::item_error(index, "has no `Identity` or `Name`"));
    };
    Ok(SipDomain { name, is_default: psjson::opt_bool(item, "IsDefault", index)?.unwrap_or(false), line: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "PS C:\\> Get-CsSipDomain\n\nIdentity  : northwind.com\nName      : northwind.com\nIsDefault : True\n\nIdentity  : NWHealth.org\nName      : NWHealth.org\nIsDefault : False\n\nPS C:\\>\n";

    #[test]
    fn format_list() {
        let d = parse(TEXT).unwrap();
        assert_eq!(
            d.iter().map(|d| (d.name.as_str(), d.is_default)).collect::<Vec<_>>(),
            [("northwind.com", true), ("nwhealth.org", false)]
        );
        assert_eq!(d[0].line, 3);
        assert_eq!(parse(&TEXT.replace('\n', "\r\n")).unwrap(), d);
    }

    #[test]
    fn json_and_identity_only() {
        let json = "[{\"Identity\": \"northwind.com\", \"Name\": \"northwind.com\", \"IsDefault\": true}, {\"Identity\": \"nwhealth.org\", \"IsDefault\": false}]";
        let d = parse(json).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].name, "nwhealth.org");
        assert!(d[0].is_default);
        let one = parse("Identity : contoso.com\n").unwrap();
        assert_eq!(one[0].name, "contoso.com");
        assert!(!one[0].is_default);
    }

    #[test]
    fn empty_wrong_and_cut_captures() {
        let e = parse("PS C:\\> Get-CsSipDomain\n\nPS C:\\>\n").unwrap_err();
        assert!(e.message.contains("always has one"), "{}", e.message);
        let e = parse("Identity : a.com\nIsDefault : Perhaps\n").unwrap_err();
        assert!(e.message.contains("IsDefault"), "{}", e.message);
        // A capture that stops inside its last record keeps the records before it.
        let cut = parse("PS C:\\> Get-CsSipDomain\n\nIdentity  : a.com\nName      : a.com\nIsDefault : True\n\nIdentity  : b.c").unwrap();
        assert_eq!(cut.len(), 1);
        assert!(cut.cut.is_some());
        // The output of another command is named.
        let e = parse("PS C:\\> Get-CsPool\n\nIdentity : pool.a.com\nComputers : {fe1.a.com}\n").unwrap_err();
        assert!(e.message.contains("Get-CsSipDomain"), "{}", e.message);
    }
}
