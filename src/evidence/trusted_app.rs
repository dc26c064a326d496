//! Lync/SfB `Get-CsTrustedApplicationPool` and `Get-CsTrustedApplication`: how the
//! Microsoft side trusts the IM&P nodes. The pool must hold every IM&P node as a
//! computer and the application must listen on the port IM&P's peer-auth uses.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::msrecords;
use super::psjson;
use super::pslist::{self, Record};
use super::{ParseError, Records};

/// One `Get-CsTrustedApplicationPool` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedApplicationPool {
    /// As printed, e.g. `TrustedApplicationPool:imp-rt.example.com`.
    pub identity: String,
    /// The pool's FQDN: `PoolFqdn`, else the identity after `TrustedApplicationPool:`.
    pub pool_fqdn: String,
    /// The registrar pool's FQDN (the `Registrar:` prefix removed).
    pub registrar: Option<String>,
    /// The site name (the `Site:` prefix removed).
    pub site: Option<String>,
    /// `Computers`: the FQDNs of the servers in the pool.
    pub computers: Vec<String>,
    /// `TreatAsAuthenticated`, when the capture shows it.
    pub treat_as_authenticated: Option<bool>,
    /// `ThrottleAsServer`, when the capture shows it.
    pub throttle_as_server: Option<bool>,
    /// `OutboundOnly`, when the capture shows it.
    pub outbound_only: Option<bool>,
}

/// One `Get-CsTrustedApplication` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedApplication {
    /// As printed, e.g. `imp-rt.example.com/urn:application:imp`.
    pub identity: String,
    /// `ApplicationId`, else the part of the identity after `/`.
    pub application_id: String,
    /// The FQDN of the pool the application belongs to (`TrustedApplicationPoolFqdn`,
    /// else the identity before `/`).
    pub pool_fqdn: String,
    /// `Port`: where the application listens.
    pub port: u16,
    /// `Mtls` or `Tcp`, as printed.
    pub protocol: String,
}

const POOL_PREFIX: &str = "TrustedApplicationPool:";

/// Parse a `Get-CsTrustedApplicationPool` capture (text or JSON).
/// A command that printed nothing (or `[]`) means no trusted application pool exists;
/// a capture that stops early keeps the pools before the cut and names it.
pub fn parse_pools(text: &str) -> Result<Records<TrustedApplicationPool>, ParseError> {
    msrecords::read(text, &crate::evidence::kinds::TRUSTED_POOLS.cmd, text_pool, json_pool)
}

/// Parse a `Get-CsTrustedApplication` capture (text or JSON).
/// A command that printed nothing (or `[]`) means no trusted application exists; a
/// capture that stops early keeps the applications before the cut and names it.
pub fn parse_applications(text: &str) -> Result<Records<TrustedApplication>, ParseError> {
    msrecords::read(text, &crate::evidence::kinds::TRUSTED_APPS.cmd, text_application, json_application)
}

/// `prefix:rest` → `rest`, the prefix compared case-insensitively.
fn strip_scope<'a>(value: &'a str, prefix: &str) -> &'a str {
    match value.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => &value[prefix.len()..],
        _ => value,
    }
}

/// The pool FQDN: `PoolFqdn` if given, else the identity after `TrustedApplicationPool:`.
fn pool_fqdn_of(identity: &str, pool_fqdn: Option<&str>) -> Option<String> {
    if let Some(p) = pool_fqdn.filter(|p| !p.is_empty()) {
        return Some(p.to_string());
    }
    let rest = strip_scope(identity, POOL_PREFIX);
    (rest.len() != identity.len() && !rest.is_empty()).then(|| rest.to_string())
}

fn registrar_of(value: &str) -> String {
    strip_scope(strip_scope(value, "Service:"), "Registrar:").to_string()
}

fn text_pool(rec: &Record) -> Result<TrustedApplicationPool, ParseError> {
    let id = rec.require("Identity")?;
    let pool_fqdn = pool_fqdn_of(&id.value, rec.text("PoolFqdn")).ok_or_else(|| {
        // A cut can shorten `TrustedApplicationPool:...` to this.
        ParseError::cut_off(
            id.line,
            format!(
                "`{}` is not a trusted application pool identity (expected `{POOL_PREFIX}<fqdn>`) — is this the output of `Get-CsTrustedApplicationPool`?",
                id.value
            ),
        )
    })?;
    let computers = match rec.get("Computers") {
        Some(f) => pslist::brace_list(f)?,
        None => return Err(rec.missing("Computers")),
    };
    Ok(TrustedApplicationPool {
        identity: id.value.clone(),
        pool_fqdn,
        registrar: rec.text("Registrar").map(registrar_of),
        site: rec.text("SiteId").or_else(|| rec.text("Site")).map(|s| strip_scope(s, "Site:").to_string()),
        computers,
        treat_as_authenticated: rec.opt_bool("TreatAsAuthenticated")?,
        throttle_as_server: rec.opt_bool("ThrottleAsServer")?,
        outbound_only: rec.opt_bool("OutboundOnly")?,
    })
}

fn text_application(rec: &Record) -> Result<TrustedApplication, ParseError> {
    let id = rec.require("Identity")?;
    let (id_pool, id_app) = match id.value.split_once('/') {
        Some((p, a)) => (Some(p), Some(a)),
        None => (None, None),
    };
    let application_id = rec.text("ApplicationId").or(id_app).ok_or_else(|| rec.missing("ApplicationId"))?.to_string();
    let pool_fqdn =
        rec.text("TrustedApplicationPoolFqdn").or(id_pool).ok_or_else(|| rec.missing("TrustedApplicationPoolFqdn"))?.to_string();
    Ok(TrustedApplication {
        identity: id.value.clone(),
        application_id,
        pool_fqdn,
        port: pslist::parse_port(rec.require("Port")?)?,
        protocol: rec.require("Protocol")?.value.clone(),
    })
}

/// A name from a value ConvertTo-Json may print as a string or as an object.
fn json_name(v: &Value) -> Option<String> {
    psjson::text(v)
        .or_else(|| ["PoolFqdn", "Fqdn", "Identity", "Name", "Value"].iter().find_map(|k| psjson::get(v, k).and_then(psjson::text)))
}

fn json_pool(item: &Value, index: usize) -> Result<TrustedApplicationPool, ParseError> {
    let err = |m: String| psjson::item_error(index, m);
    let identity = psjson::get(item, "Identity").and_then(json_name).ok_or_else(|| err("has no `Identity`".into()))?;
    let pool_field = psjson::get(item, "PoolFqdn").and_then(json_name);
    let pool_fqdn = pool_fqdn_of(&identity, pool_field.as_deref())
        .ok_or_else(|| err(format!("`{identity}` is not a trusted application pool identity (expected `{POOL_PREFIX}<fqdn>`)")))?;
    let computers = match psjson::get(item, "Computers") {
        None => return Err(err("has no `Computers`".into())),
        Some(Value::Array(a)) => a
            .iter()
            .map(|c| json_name(c).ok_or_else(|| err(format!("a `Computers` entry has no name: {c}"))))
            .collect::<Result<Vec<_>, _>>()?,
        Some(v) => {
            let s = json_name(v).unwrap_or_default();
            let field = pslist::Field { key: "Computers".into(), value: s, line: 0 };
            pslist::brace_list(&field).map_err(|e| err(e.message))?
        }
    };
    let site =
        psjson::get(item, "SiteId").or_else(|| psjson::get(item, "Site")).and_then(json_name).map(|s| strip_scope(&s, "Site:").to_string());
    Ok(TrustedApplicationPool {
        identity,
        pool_fqdn,
        registrar: psjson::get(item, "Registrar").and_then(json_name).map(|r| registrar_of(&r)),
        site,
        computers,
        treat_as_authenticated: psjson::opt_bool(item, "TreatAsAuthenticated", index)?,
        throttle_as_server: psjson::opt_bool(item, "ThrottleAsServer", index)?,
        outbound_only: psjson::opt_bool(item, "OutboundOnly", index)?,
    })
}

fn json_application(item: &Value, index: usize) -> Result<TrustedApplication, ParseError> {
    let err = |m: &str| psjson::item_error(index, m);
    let identity = psjson::get(item, "Identity").and_then(json_name).ok_or_else(|| err("has no `Identity`"))?;
    let (id_pool, id_app) = match identity.split_once('/') {
        Some((p, a)) => (Some(p.to_string()), Some(a.to_string())),
        None => (None, None),
    };
    let application_id =
        psjson::get(item, "ApplicationId").and_then(psjson::text).or(id_app).ok_or_else(|| err("has no `ApplicationId`"))?;
    let pool_fqdn = psjson::get(item, "TrustedApplicationPoolFqdn")
        .and_then(psjson::text)
        .or(id_pool)
        .ok_or_else(|| err("has no `TrustedApplicationPoolFqdn`"))?;
    let port = match psjson::get(item, "Port") {
        None => return Err(err("has no `Port`")),
        Some(v) => psjson::port(v).ok_or_else(|| psjson::item_error(index, format!("`Port` should be a port number, found {v}")))?,
    };
    let protocol = psjson::get(item, "Protocol").and_then(psjson::text).ok_or_else(|| err("has no `Protocol`"))?;
    Ok(TrustedApplication { identity, application_id, pool_fqdn, port, protocol })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOLS: &str = include_str!("../../examples/enterprise/evidence/ms/trusted-application-pool.txt");
    const APPS: &str = include_str!("../../examples/enterprise/evidence/ms/trusted-application.txt");

    #[test]
    fn enterprise_pool_sample() {
        let pools = parse_pools(POOLS).unwrap();
        assert_eq!(
            pools,
            vec![TrustedApplicationPool {
                identity: "TrustedApplicationPool:imp-rt.northwind.com".into(),
                pool_fqdn: "imp-rt.northwind.com".into(),
                registrar: Some("sfbpool.northwind.com".into()),
                site: Some("Northwind".into()),
                computers: vec!["imp-rt.northwind.com".into(), "imp-a.northwind.com".into(), "imp-b.northwind.com".into()],
                treat_as_authenticated: Some(true),
                throttle_as_server: Some(true),
                outbound_only: Some(false),
            }]
        );
    }

    #[test]
    fn enterprise_application_sample() {
        let apps = parse_applications(APPS).unwrap();
        assert_eq!(
            apps,
            vec![TrustedApplication {
                identity: "imp-rt.northwind.com/urn:application:imp".into(),
                application_id: "urn:application:imp".into(),
                pool_fqdn: "imp-rt.northwind.com".into(),
                port: 5061,
                protocol: "Mtls".into(),
            }]
        );
    }

    #[test]
    fn crlf_matches_lf() {
        assert_eq!(parse_pools(&POOLS.replace('\n', "\r\n")).unwrap(), parse_pools(POOLS).unwrap());
        assert_eq!(parse_applications(&APPS.replace('\n', "\r\n")).unwrap(), parse_applications(APPS).unwrap());
    }

    #[test]
    fn pool_fqdn_from_identity_when_absent() {
        let text = "Identity  : TrustedApplicationPool:imp-rt.northwind.com\nComputers : {imp-rt.northwind.com}\n";
        let pools = parse_pools(text).unwrap();
        assert_eq!(pools[0].pool_fqdn, "imp-rt.northwind.com");
        assert_eq!(pools[0].registrar, None);
        assert_eq!(pools[0].treat_as_authenticated, None);
    }

    #[test]
    fn truncated_pool_is_a_cut() {
        let whole = parse_pools(POOLS).unwrap();
        // Cut inside the key of the wrapped Computers line.
        let cut = POOLS.split("Computers                 : {").next().unwrap().to_string() + "Compu";
        let r = parse_pools(&cut).unwrap();
        assert!(r.len() < whole.len() && r[..] == whole[..r.len()]);
        let c = r.cut.unwrap();
        assert_eq!(c.line, 22);
        assert!(c.reason.contains("\"Compu\""), "{}", c.reason);

        // Cut before Computers: the record is incomplete.
        let cut = POOLS.split("Computers                 : {").next().unwrap();
        let c = parse_pools(cut).unwrap().cut.unwrap();
        assert!(c.reason.contains("`Computers`"), "{}", c.reason);

        // Cut inside the brace list.
        let cut = POOLS.split("\n                            imp-b").next().unwrap();
        let c = parse_pools(cut).unwrap().cut.unwrap();
        assert!(c.reason.contains("cut off"), "{}", c.reason);
        // The same with the prompt after it: an error at the line.
        let err = parse_pools(&format!("{cut}\nPS C:\\> ")).unwrap_err();
        assert!(err.message.contains("cut off"), "{}", err.message);
    }

    #[test]
    fn enumeration_limit_is_reported() {
        let text = "Identity  : TrustedApplicationPool:imp-rt.x.com\nComputers : {a.x.com, b.x.com, c.x.com, d.x.com...}\n";
        let err = parse_pools(text).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("$FormatEnumerationLimit"), "{}", err.message);
    }

    #[test]
    fn truncated_application_is_a_cut() {
        let cut = APPS.split("Port                                 : 5061").next().unwrap().to_string() + "Po";
        let c = parse_applications(&cut).unwrap().cut.unwrap();
        assert_eq!(c.line, 12);
        assert!(c.reason.contains("\"Po\""), "{}", c.reason);

        let cut = APPS.split("Port                                 : 5061").next().unwrap();
        let c = parse_applications(cut).unwrap().cut.unwrap();
        assert!(c.reason.contains("`Port`"), "{}", c.reason);
        let err = parse_applications(&format!("{cut}\nPS C:\\> ")).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("`Port`"), "{}", err.message);
    }

    #[test]
    fn garbled_lines_are_named_and_quoted() {
        let text = POOLS.replace("OutboundOnly              : False", "OutboundOnly False (edited by hand)");
        let err = parse_pools(&text).unwrap_err();
        assert_eq!(err.line, 9);
        assert!(err.message.contains("\"OutboundOnly False (edited by hand)\""), "{}", err.message);

        let text = APPS.replace("Port                                 : 5061", "Port                                 : 5o61");
        let err = parse_applications(&text).unwrap_err();
        assert_eq!(err.line, 12);
        assert!(err.message.contains("\"5o61\""), "{}", err.message);
    }

    #[test]
    fn wrong_cmdlet_output_is_recognised() {
        let err = parse_pools(APPS).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("Get-CsTrustedApplicationPool"), "{}", err.message);
    }

    #[test]
    fn no_pool_or_application_is_an_empty_list() {
        for text in ["", "\u{feff}\r\n", "[]", "PS C:\\>\n"] {
            assert_eq!(parse_pools(text).unwrap(), Vec::new(), "{text:?}");
            assert_eq!(parse_applications(text).unwrap(), Vec::new(), "{text:?}");
        }
        assert_eq!(parse_pools("PS C:\\> Get-CsTrustedApplicationPool\n\nPS C:\\> ").unwrap(), Vec::new());
        assert_eq!(parse_applications("PS C:\\> Get-CsTrustedApplication | ConvertTo-Json\nPS C:\\> ").unwrap(), Vec::new());
    }

    #[test]
    fn json_pools_and_applications() {
        let pools = r#"[
            {"Identity": "TrustedApplicationPool:imp-rt.northwind.com", "Registrar": "Registrar:sfbpool.northwind.com",
             "SiteId": "Site:Northwind", "PoolFqdn": "imp-rt.northwind.com",
             "Computers": ["imp-rt.northwind.com", {"Fqdn": "imp-a.northwind.com"}, "imp-b.northwind.com"],
             "TreatAsAuthenticated": true, "ThrottleAsServer": true, "OutboundOnly": false}
        ]"#;
        let json = parse_pools(pools).unwrap();
        assert_eq!(json, parse_pools(POOLS).unwrap());

        let apps = r#"{"Identity": "imp-rt.northwind.com/urn:application:imp", "Protocol": "Mtls",
                       "ApplicationId": "urn:application:imp", "TrustedApplicationPoolFqdn": "imp-rt.northwind.com", "Port": 5061}"#;
        assert_eq!(parse_applications(apps).unwrap(), parse_applications(APPS).unwrap());
    }

    #[test]
    fn json_errors() {
        let err = parse_pools(r#"[{"Identity": "TrustedApplicationPool:a.x.com"}]"#).unwrap_err();
        assert_eq!(err.line, 0);
        assert_eq!(err.message, "JSON item 1: has no `Computers`");

        let err = parse_pools(r#"[{"Identity": "TrustedApplicationPool:a.x.com", "Computers": [], "OutboundOnly": "maybe"}]"#).unwrap_err();
        assert!(err.message.contains("`OutboundOnly`"), "{}", err.message);

        // Cut after a complete object: that object is kept, the cut named.
        let r = parse_applications(r#"[{"Identity": "x.com/urn:application:a", "Port": 5061, "Protocol": "Mtls"},"#).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r.cut.as_ref().unwrap().line, 1);
        // A complete object missing a property is damage even at the cut.
        let err = parse_applications(r#"[{"Identity": "a/b", "Protocol": "Mtls"},"#).unwrap_err();
        assert!(err.message.contains("`Port`"), "{}", err.message);

        let err = parse_applications("[\n {\"Identity\": \"a/b\", \"Port\": 5061, \"Protocol\": Mtls}\n]").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("\"{\"Identity\": \"a/b\", \"Port\": 5061, \"Protocol\": Mtls}\""), "{}", err.message);

        let err = parse_applications(r#"{"Identity": "a/b", "Protocol": "Mtls", "Port": "x"}"#).unwrap_err();
        assert!(err.message.contains("`Port`"), "{}", err.message);
    }
}
