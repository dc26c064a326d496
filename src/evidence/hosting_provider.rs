//! Lync/SfB `Get-CsHostingProvider`: hosted services sharing the SIP address space.
//! An Exchange Online UM provider (`exap.um.outlook.com`) with shared address space is
//! a known conflict with partitioned intradomain federation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::noise;
use super::psjson;
use super::pslist::{self, Record};
use super::ParseError;

/// One hosting provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostingProvider {
    pub identity: String,
    pub name: String,
    pub proxy_fqdn: String,
    pub enabled: bool,
    pub enabled_shared_address_space: bool,
    pub hosts_ocs_users: bool,
    pub is_local: bool,
}

/// Parse a `Get-CsHostingProvider` capture (text or JSON).
/// A command that printed nothing (or `[]`) means no hosting provider exists.
pub fn parse(text: &str) -> Result<Vec<HostingProvider>, ParseError> {
    noise::parse_with(text, &noise::HOSTING_PROVIDERS, |cap| {
        let lines = cap.lines();
        if cap.is_blank() {
            Ok(Vec::new())
        } else if noise::looks_like_json(&lines) {
            let root = psjson::parse(&cap.json_text())?;
            psjson::items(&root).into_iter().enumerate().map(|(i, item)| json_provider(item, i + 1)).collect()
        } else {
            pslist::records(&lines)?.iter().map(text_provider).collect()
        }
    })
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
    fn truncated_text_is_an_error() {
        let cut = TEXT.split("HostsOCSUsers             : True").next().unwrap().to_string() + "HostsOC";
        let err = parse(&cut).unwrap_err();
        assert_eq!(err.line, 20);
        assert!(err.message.contains("\"HostsOC\""), "{}", err.message);

        let cut = TEXT.split("HostsOCSUsers             : True").next().unwrap();
        let err = parse(cut).unwrap_err();
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
        let err = parse(cut).unwrap_err();
        // The last line with anything on it, not the indent the cut left.
        assert_eq!(err.line, cut.trim_end().lines().count());
        assert!(err.message.contains("cut short"), "{}", err.message);

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
            "PS C:\\> Get-CsHostingProvider\n",
            "[]",
            "PS C:\\> Get-CsHostingProvider | ConvertTo-Json\n\nPS C:\\>",
            transcript,
        ] {
            assert_eq!(parse(text).unwrap(), Vec::new(), "{text:?}");
        }
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
