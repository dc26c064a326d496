//! Lync/SfB `Get-CsHostingProvider`: hosted services sharing the SIP address space.
//! An Exchange Online UM provider (`exap.um.outlook.com`) with shared address space is
//! a known conflict with partitioned intradomain federation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::msrecords;
use super::psjson;
use super::pslist::Record;
use super::{ParseError, Records};

/// One hosting provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostingProvider {
    /// `Identity`.
    pub identity: String,
    /// `Name` (the identity when the capture has none).
    pub name: String,
    /// `ProxyFqdn`: where the provider's traffic is sent.
    pub proxy_fqdn: String,
    /// `Enabled`.
    pub enabled: bool,
    /// `EnabledSharedAddressSpace`: the provider shares the SIP domain with the
    /// on-premises users.
    pub enabled_shared_address_space: bool,
    /// `HostsOCSUsers`: the provider hosts Lync/SfB users.
    pub hosts_ocs_users: bool,
    /// `IsLocal`: the provider is a local (on-premises) one.
    pub is_local: bool,
}

/// Parse a `Get-CsHostingProvider` capture (text or JSON).
/// A command that printed nothing (or `[]`) means no hosting provider exists; a
/// capture that stops early keeps the providers before the cut and names it.
pub fn parse(text: &str) -> Result<Records<HostingProvider>, ParseError> {
    msrecords::read(text, &crate::evidence::kinds::HOSTING_PROVIDERS.cmd, text_provider, json_provider)
}

fn text_provider(rec: &Record) -> Result<HostingProvider, ParseError> {
    let identity = rec.require("Identity")?.value.clone();
    Ok(HostingProvider {
        name: rec.text("Name").unwrap_or(&identity).to_string(),
        proxy_fqdn: rec.require("ProxyFqdn")?.value.clone(),
        enabled: rec.bool("Enabled")?,
        enabled_shared_address_space: rec.bool("EnabledSharedAddressSpace")?,
        hosts_ocs_users: rec.bool("HostsOCSUsers")?,
        is_local: rec.bool("IsLocal")?,
        identity,
    })
}

fn json_provider(item: &Value, index: usize) -> Result<HostingProvider, ParseError> {
    let text =
        |key: &str| psjson::get(item, key).and_then(psjson::text).ok_or_else(|| psjson::item_error(index, format!("has no `{key}`")));
    let boolean = |key: &str| psjson::opt_bool(item, key, index)?.ok_or_else(|| psjson::item_error(index, format!("has no `{key}`")));
    let identity = text("Identity")?;
    Ok(HostingProvider {
        name: text("Name").unwrap_or_else(|_| identity.clone()),
        proxy_fqdn: text("ProxyFqdn")?,
        enabled: boolean("Enabled")?,
        enabled_shared_address_space: boolean("EnabledSharedAddressSpace")?,
        hosts_ocs_users: boolean("HostsOCSUsers")?,
        is_local: boolean("IsLocal")?,
        identity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = include_str!("../../examples/enterprise/evidence/ms/hosting-providers.txt");
    const JSON: &str = include_str!("../../examples/enterprise/evidence/ms/hosting-providers.json");
    const CONTRACT: &str = include_str!("../../tests/fixtures/contract/evidence/ms/hosting-providers.json");

    fn exchange_online() -> HostingProvider {
        HostingProvider {
            identity: "Exchange Online".into(),
            name: "Exchange Online".into(),
            proxy_fqdn: "exap.um.outlook.com".into(),
            enabled: true,
            enabled_shared_address_space: true,
            hosts_ocs_users: false,
            is_local: false,
        }
    }

    fn expected() -> Vec<HostingProvider> {
        vec![
            exchange_online(),
            HostingProvider {
                identity: "SkypeforBusinessOnline".into(),
                name: "SkypeforBusinessOnline".into(),
                proxy_fqdn: "sipfed.online.lync.com".into(),
                enabled: false,
                enabled_shared_address_space: false,
                hosts_ocs_users: true,
                is_local: false,
            },
        ]
    }

    #[test]
    fn enterprise_text_sample() {
        assert_eq!(parse(TEXT).unwrap(), expected());
    }

    #[test]
    fn enterprise_json_sample() {
        assert_eq!(parse(JSON).unwrap(), expected());
    }

    #[test]
    fn contract_file() {
        assert_eq!(parse(CONTRACT).unwrap(), vec![exchange_online()]);
    }

    #[test]
    fn crlf_matches_lf() {
        assert_eq!(parse(&TEXT.replace('\n', "\r\n")).unwrap(), expected());
        assert_eq!(parse(&JSON.replace('\n', "\r\n")).unwrap(), expected());
    }

    #[test]
    fn keys_are_case_insensitive() {
        let text = "identity : X\nproxyfqdn : x.example\nENABLED : true\nEnabledSharedAddressSpace : FALSE\nHostsOcsUsers : False\nIsLocal : False\n";
        let p = parse(text).unwrap();
        assert_eq!(p[0].name, "X");
        assert!(p[0].enabled);
        let json = r#"{"identity": "X", "proxyFqdn": "x.example", "enabled": "True", "enabledSharedAddressSpace": false, "hostsOcsUsers": false, "isLocal": false}"#;
        assert_eq!(parse(json).unwrap(), p);
    }

    #[test]
    fn truncated_text_keeps_the_providers_before_the_cut() {
        let cut = TEXT.split("HostsOCSUsers             : True").next().unwrap().to_string() + "HostsOC";
        let r = parse(&cut).unwrap();
        assert_eq!(r.items, vec![exchange_online()]);
        let c = r.cut.clone().unwrap();
        assert_eq!(c.line, 20);
        assert!(c.reason.contains("\"HostsOC\""), "{}", c.reason);
        assert_ne!(r, expected());

        let cut = TEXT.split("HostsOCSUsers             : True").next().unwrap();
        let r = parse(cut).unwrap();
        assert_eq!(r.items, vec![exchange_online()]);
        let c = r.cut.unwrap();
        assert!(c.reason.contains("`HostsOCSUsers`"), "{}", c.reason);
        assert!(c.reason.contains("lines 14-"), "{}", c.reason);

        // The same damage followed by a prompt is an error: the command had finished.
        let err = parse(&format!("{cut}\nPS C:\\> ")).unwrap_err();
        assert_eq!(err.line, 14);
        assert!(err.message.contains("`HostsOCSUsers`"), "{}", err.message);
    }

    #[test]
    fn garbled_text_is_named_and_quoted() {
        let text = TEXT.replace("EnabledSharedAddressSpace : True", "EnabledSharedAddressSpace : Ture");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 9);
        assert!(err.message.contains("\"Ture\""), "{}", err.message);

        let text = TEXT.replace(
            "IsLocal                   : False\nAutodiscoverUrl           :\n",
            "IsLocal                   : False\n#### pasted from email ####\n",
        );
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 12);
        assert!(err.message.contains("\"#### pasted from email ####\""), "{}", err.message);
    }

    #[test]
    fn json_truncated_and_garbled() {
        let cut = &JSON[..JSON.find("\"HostsOCSUsers\":  true").unwrap()];
        let r = parse(cut).unwrap();
        assert_eq!(r.items, vec![exchange_online()]);
        // The last line with anything on it, not the indent the cut left.
        assert_eq!(r.cut.unwrap().line, cut.trim_end().lines().count());

        let garbled = JSON.replace("\"Enabled\":  false,", "\"Enabled\":  False,");
        let err = parse(&garbled).unwrap_err();
        assert_eq!(err.line, 19);
        assert!(err.message.contains("\"\"Enabled\":  False,\""), "{}", err.message);

        let err = parse(r#"[{"Identity": "X", "ProxyFqdn": "x", "Enabled": true, "EnabledSharedAddressSpace": true, "IsLocal": false}]"#)
            .unwrap_err();
        assert_eq!((err.line, err.message.as_str()), (0, "JSON item 1: has no `HostsOCSUsers`"));
    }

    #[test]
    fn no_hosting_provider_is_an_empty_list() {
        let transcript = "[fe01.contoso.com]: PS C:\\Users\\admin\\Documents> Get-CsHostingProvider\r\n\r\n\
                          [fe01.contoso.com]: PS C:\\Users\\admin\\Documents> ";
        for text in [
            "",
            "  \r\n",
            "PS C:\\> Get-CsHostingProvider\n\nPS C:\\> ",
            "[]",
            "PS C:\\> Get-CsHostingProvider | ConvertTo-Json\n\nPS C:\\>",
            transcript,
        ] {
            assert_eq!(parse(text).unwrap(), Vec::new(), "{text:?}");
        }
        // The echo and nothing after it, not even the next prompt: still nothing found.
        assert_eq!(parse("PS C:\\> Get-CsHostingProvider\n").unwrap(), Vec::new());
        // A console copy that stops between two records reads as complete (copies leave
        // the next prompt out); a transcript that stops there, before its end, is cut.
        let whole = format!("PS C:\\> Get-CsHostingProvider\n\n\n{}", TEXT.lines().skip(3).collect::<Vec<_>>().join("\n"));
        let first_only = whole.split("\nIdentity                  : SkypeforBusinessOnline").next().unwrap().to_string() + "\n";
        assert_eq!(parse(&first_only).unwrap(), vec![exchange_online()]);
        let header = "**********************\nWindows PowerShell transcript start\nStart time: 20261130101502\n**********************\n";
        let r = parse(&format!("{header}{first_only}")).unwrap();
        assert_eq!(r.items, vec![exchange_online()]);
        assert!(r.cut.unwrap().reason.contains("the transcript stops here"));
        let footer = "**********************\nWindows PowerShell transcript end\nEnd time: 20261130101503\n**********************\n";
        assert!(parse(&format!("{header}{first_only}{footer}")).unwrap().cut.is_none());
    }

    #[test]
    fn wrong_command_is_named() {
        let text = "PS C:\\> Get-CsTrustedApplication\n\nIdentity : a/b\nPort : 5061\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("`Get-CsTrustedApplication`, not of `Get-CsHostingProvider`"), "{}", err.message);
        // Without an echo the content gives it away.
        let err = parse("Identity : a/b\nApplicationId : urn:application:x\nPort : 5061\n").unwrap_err();
        assert!(err.message.contains("looks like the output of `Get-CsTrustedApplication`"), "{}", err.message);
    }
}
