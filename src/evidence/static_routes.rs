//! Lync/SfB `Get-CsStaticRoutingConfiguration`: where the Microsoft side sends SIP
//! for each domain. The shared presence domain must route to the IM&P routing node
//! over TLS; a route to an Expressway or VCS for that domain is the known conflict.
//!
//! Read as Format-List text (expanded with `Select-Object -ExpandProperty Route`, or
//! the configuration object when its `Route` list is complete) or as `ConvertTo-Json`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::msrecords;
use super::noise::quote;
use super::psjson;
use super::pslist::{Field, Record};
use super::{CutShort, ParseError};

/// How to capture every route whole, with its collection, on any shell: the per-route
/// records `fedcheck collect microsoft --script` writes work on PowerShell 2.0 (the
/// Lync Server 2010 Management Shell); JSON only from PowerShell 3.0.
const EXPAND_HINT: &str = "capture every route with its collection instead, which works on every Lync and Skype for Business shell including Lync Server 2010's PowerShell 2.0: `Get-CsStaticRoutingConfiguration | ForEach-Object { $id = $_.Identity; $_.Route | Select-Object @{Name='Identity';Expression={$id}}, Transport, MatchUri, MatchOnlyPhoneUri, Enabled } | Format-List` (what the script of `fedcheck collect microsoft --script` runs), or `Get-CsStaticRoutingConfiguration -Identity <collection> | Select-Object -ExpandProperty Route` for one collection; from PowerShell 3.0 on (Lync Server 2013, Skype for Business Server) `| ConvertTo-Json -Depth 5` works too";

/// Every static route found, in the order printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaticRoutes {
    /// The routes, in the order printed.
    pub routes: Vec<StaticRoute>,
    /// Every routing configuration (collection) the capture names, in order, those
    /// without routes included: `Global`, `Service:Registrar:<pool>`. Empty when the
    /// capture does not show them (an expanded `-ExpandProperty Route` list).
    #[serde(default)]
    pub collections: Vec<String>,
    /// Where the capture stops before its end, if it does: routes after it are unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<CutShort>,
}

impl super::kinds::Evidence for StaticRoutes {
    fn cut_short(&self) -> Option<&super::CutShort> {
        self.cut.as_ref()
    }
}

impl StaticRoutes {
    /// The routes whose MatchUri is `domain` (case-insensitive).
    pub fn for_domain<'a>(&'a self, domain: &'a str) -> impl Iterator<Item = &'a StaticRoute> + 'a {
        self.routes.iter().filter(move |r| r.match_uri.eq_ignore_ascii_case(domain))
    }
}

/// One Microsoft static route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaticRoute {
    /// The routing configuration it belongs to (`Global`, `Service:Registrar:<pool>`)
    /// when the capture shows it; expanded route lists do not.
    pub identity: Option<String>,
    /// `MatchUri`: the SIP domain the route carries.
    pub match_uri: String,
    /// `Transport`: TLS or TCP.
    pub transport: RouteTransport,
    /// An FQDN for TLS routes, an IP address for TCP routes.
    pub destination: String,
    /// `Port` at the destination.
    pub port: u16,
    /// `Enabled`.
    pub enabled: bool,
    /// `MatchOnlyPhoneUri`: the route carries only phone URIs, not the whole domain.
    pub match_only_phone_uri: bool,
    /// Line where the route starts in a text capture; 0 for JSON.
    pub line: usize,
}

/// The transport of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteTransport {
    /// TLS (`New-CsStaticRoute -TLSRoute`).
    Tls,
    /// TCP (`New-CsStaticRoute -TCPRoute`).
    Tcp,
    /// A transport choice this parser does not know, by the name printed.
    Other(String),
}

impl fmt::Display for RouteTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tls => f.write_str("TLS"),
            Self::Tcp => f.write_str("TCP"),
            Self::Other(s) => f.write_str(s),
        }
    }
}

/// Parse a static routing capture (text or JSON).
/// A command that printed nothing means no static routes exist: that is evidence too.
/// A capture that stops early keeps the routes before the cut and names it.
pub fn parse(text: &str) -> Result<StaticRoutes, ParseError> {
    let objects = msrecords::read(text, &crate::evidence::kinds::STATIC_ROUTES.cmd, text_object, json_object)?;
    let mut out = StaticRoutes { routes: Vec::new(), collections: Vec::new(), cut: objects.cut };
    // `Get-CsStaticRoutingConfiguration -Identity X | Select-Object -ExpandProperty
    // Route` prints routes without their collection: the echoed command names it.
    let echoed = echoed_identity(text);
    for (identity, mut routes) in objects.items {
        let identity = identity.or_else(|| echoed.clone());
        if let Some(id) = &identity {
            for r in routes.iter_mut().filter(|r| r.identity.is_none()) {
                r.identity = Some(id.clone());
            }
        }
        note_collection(&mut out.collections, identity.as_deref());
        out.routes.extend(routes);
    }
    if out.routes.is_empty() {
        note_collection(&mut out.collections, echoed.as_deref());
    }
    Ok(out)
}

/// The collection the last echoed `Get-CsStaticRoutingConfiguration` asks for, by
/// `-Identity X` or as its first positional argument, when it names one.
fn echoed_identity(text: &str) -> Option<String> {
    let key = crate::evidence::kinds::STATIC_ROUTES.cmd.key;
    text.lines().rev().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        let at = lower.find(key)?;
        let args = line.get(at + key.len()..)?;
        let args = args.split('|').next().unwrap_or("");
        let mut words = args.split_whitespace();
        let unquote = |w: &str| w.trim_matches(|c| c == '"' || c == '\'').to_string();
        let first = words.next()?;
        let id = if first.eq_ignore_ascii_case("-identity") {
            unquote(words.next()?)
        } else if !first.starts_with('-') {
            unquote(first)
        } else {
            // `-Filter`, `-LocalStore`: no single collection named.
            return None;
        };
        // A collection identity (`Global`, `Site:…`, `Service:Registrar:…`) starts with a
        // letter: `;`, `)` or PowerShell 7's `: The term …` after the cmdlet name are not one.
        id.chars().next().is_some_and(|c| c.is_ascii_alphabetic()).then_some(id)
    })
}

/// Where a route came from, to word its errors.
#[derive(Clone, Copy)]
enum At {
    Line(usize),
    Item(usize),
}

impl At {
    fn err(self, message: impl fmt::Display) -> ParseError {
        match self {
            At::Line(n) => ParseError::new(n, message.to_string()),
            At::Item(i) => psjson::item_error(i, message),
        }
    }
    fn line(self) -> usize {
        match self {
            At::Line(n) => n,
            At::Item(_) => 0,
        }
    }
}

/// The pieces of a route gathered from whichever form the capture uses.
#[derive(Debug, Default)]
struct Parts {
    match_uri: Option<String>,
    enabled: Option<bool>,
    phone_only: Option<bool>,
    /// Transport named outright (the XML element's `<TLS>`/`<TCP>`).
    explicit: Option<RouteTransport>,
    certificate: bool,
    /// The key after `TransportChoice=`.
    choice: Option<String>,
    fqdn: Option<String>,
    ip: Option<String>,
    port: Option<String>,
}

/// The settled transport, destination and port.
type Target = (RouteTransport, String, u16);

impl Parts {
    /// Take one `Key=Value` piece; unknown keys (ReplaceHostInRequestUri, certificate
    /// issuer details) are ignored.
    fn absorb(&mut self, key: &str, value: &str, is_choice: bool) -> Result<(), String> {
        let value = value.trim();
        let lower = key.trim().to_ascii_lowercase();
        if is_choice && self.choice.is_none() {
            self.choice = Some(key.trim().to_string());
        }
        let boolean = |v: &str| match v.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("`{key}` should be True or False, found {}", quote(v))),
        };
        match lower.as_str() {
            "matchuri" => self.match_uri = Some(value.to_string()),
            "enabled" => self.enabled = Some(boolean(value)?),
            "matchonlyphoneuri" => self.phone_only = Some(boolean(value)?),
            "certificate" => self.certificate = true,
            "fqdn" => self.fqdn = Some(value.to_string()),
            "ipaddress" => self.ip = Some(value.to_string()),
            "port" => self.port = Some(value.to_string()),
            _ => {}
        }
        Ok(())
    }

    /// `TransportChoice=Certificate=...UseDefaultCert;Fqdn=imp.example.com;Port=5061`
    /// or `TransportChoice=IPAddress=10.0.0.5;Port=5060` (a `Transport=` prefix, as in
    /// an unexpanded route, is allowed too).
    fn absorb_pairs(&mut self, s: &str) -> Result<(), String> {
        for part in s.split(';') {
            let mut part = part.trim();
            let mut is_choice = false;
            loop {
                if let Some(rest) = strip_prefix_ci(part, "Transport=") {
                    part = rest;
                } else if let Some(rest) = strip_prefix_ci(part, "TransportChoice=") {
                    part = rest;
                    is_choice = true;
                } else {
                    break;
                }
            }
            if part.is_empty() {
                continue;
            }
            match part.split_once('=') {
                Some((k, v)) => self.absorb(k, v, is_choice)?,
                None if is_choice => self.choice = Some(part.to_string()),
                None => {} // a bare word inside certificate details
            }
        }
        Ok(())
    }

    fn target(&self) -> Result<Target, String> {
        let kind = if let Some(k) = &self.explicit {
            k.clone()
        } else if self.certificate {
            RouteTransport::Tls
        } else if self.ip.is_some() && self.fqdn.is_none() {
            RouteTransport::Tcp
        } else if let Some(c) =
            self.choice.as_ref().filter(|c| !["certificate", "ipaddress", "fqdn"].contains(&c.to_ascii_lowercase().as_str()))
        {
            RouteTransport::Other(c.clone())
        } else if self.fqdn.is_some() {
            RouteTransport::Tls
        } else {
            return Err("route has no destination (`Fqdn` for TLS, `IPAddress` for TCP)".into());
        };
        let destination = match kind {
            RouteTransport::Tls => self.fqdn.clone(),
            RouteTransport::Tcp => self.ip.clone(),
            RouteTransport::Other(_) => self.fqdn.clone().or_else(|| self.ip.clone()),
        }
        .filter(|d| !d.is_empty())
        .ok_or_else(|| format!("{kind} route has no destination"))?;
        let port = self.port.as_deref().ok_or_else(|| "route has no `Port`".to_string())?;
        let port = port.parse::<u16>().map_err(|_| format!("`Port` should be a port number, found {}", quote(port)))?;
        Ok((kind, destination, port))
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// Settle a route from its parts; `element` (the XML a text capture prints) must agree.
fn finish(parts: Parts, element: Option<(Parts, At)>, identity: Option<&str>, at: At) -> Result<StaticRoute, ParseError> {
    let has_transport = parts.certificate || parts.fqdn.is_some() || parts.ip.is_some() || parts.port.is_some();
    let target = match (&element, has_transport) {
        (Some((el, el_at)), false) => el.target().map_err(|m| el_at.err(m))?,
        _ => parts.target().map_err(|m| at.err(m))?,
    };
    let mut match_uri = parts.match_uri.clone();
    let mut enabled = parts.enabled;
    let mut phone_only = parts.phone_only;
    if let Some((el, el_at)) = &element {
        let disagree =
            |what: &str, a: &dyn fmt::Display, b: &dyn fmt::Display| el_at.err(format!("`Element` says {what} {b} but the route says {a}"));
        if has_transport {
            let (k, d, p) = el.target().map_err(|m| el_at.err(m))?;
            if k != target.0 {
                return Err(disagree("transport", &target.0, &k));
            }
            if !d.eq_ignore_ascii_case(&target.1) {
                return Err(disagree("destination", &target.1, &d));
            }
            if p != target.2 {
                return Err(disagree("port", &target.2, &p));
            }
        }
        if let (Some(a), Some(b)) = (&match_uri, &el.match_uri) {
            if !a.eq_ignore_ascii_case(b) {
                return Err(disagree("MatchUri", a, b));
            }
        }
        match_uri = match_uri.or_else(|| el.match_uri.clone());
        enabled = enabled.or(el.enabled);
        phone_only = phone_only.or(el.phone_only);
    }
    let match_uri = match_uri.filter(|m| !m.is_empty()).ok_or_else(|| at.err("route has no `MatchUri`"))?;
    let (transport, destination, port) = target;
    Ok(StaticRoute {
        identity: identity.map(str::to_string),
        match_uri,
        transport,
        destination,
        port,
        // Both default this way when a route is created without them.
        enabled: enabled.unwrap_or(true),
        match_only_phone_uri: phone_only.unwrap_or(false),
        line: at.line(),
    })
}

// ---------------------------------------------------------------- text

/// Note a collection's Identity once.
fn note_collection(collections: &mut Vec<String>, identity: Option<&str>) {
    if let Some(id) = identity.map(str::trim).filter(|i| !i.is_empty()) {
        if !collections.iter().any(|c| c.eq_ignore_ascii_case(id)) {
            collections.push(id.to_string());
        }
    }
}

/// One Format-List record: a routing configuration (its Identity and routes) or one
/// expanded route.
fn text_object(rec: &Record) -> Result<(Option<String>, Vec<StaticRoute>), ParseError> {
    let identity = rec.text("Identity").map(str::to_string);
    if let Some(field) = rec.get("Route") {
        let routes = unexpanded(&field.value, identity.as_deref(), At::Line(field.line))?;
        Ok((identity, routes))
    } else if rec.has("MatchUri") || rec.has("Transport") || rec.has("Element") {
        Ok((identity, vec![route_record(rec)?]))
    } else {
        Err(ParseError::new(
            rec.first_line,
            format!(
                "the record on lines {}-{} is neither a route (no `MatchUri`/`Transport`) nor a routing configuration (no `Route`)",
                rec.first_line, rec.last_line
            ),
        ))
    }
}

fn route_record(rec: &Record) -> Result<StaticRoute, ParseError> {
    let mut parts = Parts {
        match_uri: rec.text("MatchUri").map(str::to_string),
        enabled: rec.opt_bool("Enabled")?,
        phone_only: rec.opt_bool("MatchOnlyPhoneUri")?,
        ..Parts::default()
    };
    if let Some(f) = rec.get("Transport").filter(|f| !f.value.is_empty()) {
        parts.absorb_pairs(&f.value).map_err(|m| ParseError::new(f.line, m))?;
    }
    let element = match rec.get("Element").filter(|f| !f.value.is_empty()) {
        Some(f) => Some((element_parts(f)?, At::Line(f.line))),
        None => None,
    };
    if parts.match_uri.is_none() && element.as_ref().is_none_or(|(e, _)| e.match_uri.is_none()) {
        return Err(rec.missing("MatchUri"));
    }
    // `collect-fedcheck.ps1` adds the collection's Identity to each expanded route.
    finish(parts, element, rec.text("Identity"), At::Line(rec.first_line))
}

/// The `Element` XML: `<Route ... MatchUri="x" Enabled="true"><Transport><TLS Fqdn="f"
/// Port="5061">...</TLS></Transport></Route>` (or `<TCP IPAddress=".." Port=".."/>`).
fn element_parts(field: &Field) -> Result<Parts, ParseError> {
    let xml = field.value.trim();
    let complete = xml.starts_with("<Route") && (xml.ends_with("</Route>") || xml.ends_with("/>"));
    if !complete {
        return Err(ParseError::cut_off(
            field.line,
            format!("`Element` XML is cut off or not a route: {} (is the file cut short?)", quote(xml)),
        ));
    }
    let bad = |m: &str| ParseError::new(field.line, format!("`Element` XML {m}: {}", quote(xml)));
    let route_tag = tag(xml, "Route").ok_or_else(|| bad("has no <Route> tag"))?;
    let mut parts = Parts::default();
    for key in ["MatchUri", "Enabled", "MatchOnlyPhoneUri"] {
        if let Some(v) = attr(route_tag, key) {
            parts.absorb(key, v, false).map_err(|m| ParseError::new(field.line, m))?;
        }
    }
    let (kind, t) = if let Some(t) = tag(xml, "TLS") {
        (RouteTransport::Tls, t)
    } else if let Some(t) = tag(xml, "TCP") {
        (RouteTransport::Tcp, t)
    } else {
        return Err(bad("names neither a <TLS> nor a <TCP> transport"));
    };
    parts.explicit = Some(kind);
    for key in ["Fqdn", "IPAddress", "Port"] {
        if let Some(v) = attr(t, key) {
            parts.absorb(key, v, false).map_err(|m| ParseError::new(field.line, m))?;
        }
    }
    Ok(parts)
}

/// The text of the first `<name ...>` start tag, attributes included.
fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(i) = xml[from..].find(&open) {
        let start = from + i;
        let after = &xml[start + open.len()..];
        if after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
            let end = after.find('>')?;
            return Some(&after[..end]);
        }
        from = start + open.len();
    }
    None
}

/// The value of attribute `name` in a start tag's text. A wrapped capture may have
/// lost the space before the name, so a closing quote also counts as its start.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let pat = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = tag[from..].find(&pat) {
        let start = from + i;
        let boundary = tag[..start].chars().next_back().is_none_or(|c| c.is_whitespace() || c == '"');
        if boundary {
            let rest = &tag[start + pat.len()..];
            return rest.find('"').map(|end| &rest[..end]);
        }
        from = start + pat.len();
    }
    None
}

/// The configuration form's `Route : {MatchUri=...;..., MatchUri=...}`. Accepted only
/// when every route in it is complete.
fn unexpanded(value: &str, identity: Option<&str>, at: At) -> Result<Vec<StaticRoute>, ParseError> {
    let v = value.trim();
    let inner = v.strip_prefix('{').and_then(|r| r.strip_suffix('}'));
    let inner = match inner {
        Some(i) if !i.trim_end().ends_with("...") && !i.trim_end().ends_with('…') => i.trim(),
        _ => return Err(at.err(format!("the `Route` list is truncated by PowerShell; {EXPAND_HINT}"))),
    };
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    split_items(inner).into_iter().map(|item| unexpanded_item(item, identity, at)).collect()
}

/// Split `a=1;b=2, a=3;b=4` into routes. Certificate details may hold commas, so split
/// only where the key that opens the first route opens another. The space after the
/// comma is optional: a console copy of a wrapped list may have lost it at a line end.
fn split_items(inner: &str) -> Vec<&str> {
    let first_key = inner.split('=').next().unwrap_or("").trim();
    if first_key.is_empty() {
        return vec![inner];
    }
    let opens = format!("{first_key}=");
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in inner.match_indices(',') {
        let after = inner[i + 1..].trim_start();
        if after.starts_with(&opens) {
            out.push(&inner[start..i]);
            start = inner.len() - after.len();
        }
    }
    out.push(&inner[start..]);
    out
}

fn unexpanded_item(item: &str, identity: Option<&str>, at: At) -> Result<StaticRoute, ParseError> {
    let mut parts = Parts::default();
    parts.absorb_pairs(item).map_err(|m| at.err(m))?;
    if parts.match_uri.is_none() || parts.port.is_none() || (parts.fqdn.is_none() && parts.ip.is_none()) {
        // The value is whole; the default view never prints a route's next hop.
        let shown: String = item.chars().take(240).collect();
        return Err(at.err(format!(
            "the `Route` value `{}` has no destination: the default view of Get-CsStaticRoutingConfiguration (Lync Server 2010 prints it so) never shows a route's next hop and port; {EXPAND_HINT}",
            shown.trim()
        )));
    }
    finish(parts, None, identity, at)
}

// ---------------------------------------------------------------- JSON

/// One JSON item: a routing configuration (its Identity and routes) or one route.
fn json_object(item: &Value, index: usize) -> Result<(Option<String>, Vec<StaticRoute>), ParseError> {
    if !item.is_object() {
        return Err(psjson::item_error(index, "expected a route or a routing configuration object"));
    }
    let identity = psjson::get(item, "Identity").and_then(psjson::text);
    match psjson::get(item, "Route") {
        // The whole list printed as one `{...}` string.
        Some(Value::String(s)) => Ok((identity.clone(), unexpanded(s, identity.as_deref(), At::Item(index))?)),
        Some(list) => {
            let routes =
                psjson::items(list).into_iter().map(|r| json_route_or_string(r, identity.as_deref(), index)).collect::<Result<_, _>>()?;
            Ok((identity, routes))
        }
        // `collect-fedcheck.ps1` adds the collection's Identity to each route.
        None if psjson::get(item, "MatchUri").is_some() || psjson::get(item, "Transport").is_some() => {
            let route = json_route(item, identity.as_deref(), index)?;
            Ok((identity, vec![route]))
        }
        // A configuration whose Route is null or missing: no routes.
        None if identity.is_some() => Ok((identity, Vec::new())),
        None => Err(psjson::item_error(index, "neither a route (no `MatchUri`) nor a routing configuration (no `Route`)")),
    }
}

fn json_route_or_string(v: &Value, identity: Option<&str>, index: usize) -> Result<StaticRoute, ParseError> {
    match v {
        Value::String(s) => unexpanded_item(s, identity, At::Item(index)),
        Value::Object(_) => json_route(v, identity, index),
        _ => Err(psjson::item_error(index, "a `Route` entry is neither an object nor a string")),
    }
}

fn json_route(item: &Value, identity: Option<&str>, index: usize) -> Result<StaticRoute, ParseError> {
    let at = At::Item(index);
    let mut parts = Parts {
        match_uri: psjson::get(item, "MatchUri").and_then(psjson::text),
        enabled: psjson::opt_bool(item, "Enabled", index)?,
        phone_only: psjson::opt_bool(item, "MatchOnlyPhoneUri", index)?,
        ..Parts::default()
    };
    match psjson::get(item, "Transport") {
        Some(Value::String(s)) => parts.absorb_pairs(s).map_err(|m| at.err(m))?,
        Some(obj @ Value::Object(_)) => json_transport(obj, &mut parts).map_err(|m| at.err(m))?,
        Some(other) => return Err(at.err(format!("`Transport` has an unexpected shape: {other}"))),
        None => {}
    }
    // `Element` arrives as a string only when ConvertTo-Json ran out of depth.
    let element = match psjson::get(item, "Element") {
        Some(Value::String(xml)) => {
            let f = Field { key: "Element".into(), value: xml.clone(), line: 0 };
            Some((element_parts(&f).map_err(|e| at.err(e.message))?, at))
        }
        _ => None,
    };
    if parts.match_uri.is_none() && element.as_ref().is_none_or(|(e, _)| e.match_uri.is_none()) {
        return Err(at.err("route has no `MatchUri`"));
    }
    finish(parts, element, identity, at)
}

/// A Transport object: `{"TransportChoice": {"Certificate": ...} | "IPAddress=..",
/// "Fqdn": "..", "Port": 5061}`, or flatter shapes with the same names.
fn json_transport(obj: &Value, parts: &mut Parts) -> Result<(), String> {
    let Some(map) = obj.as_object() else {
        return Ok(());
    };
    for (k, v) in map {
        if k.eq_ignore_ascii_case("TransportChoice") {
            match v {
                Value::String(s) => parts.absorb_pairs(&format!("TransportChoice={s}"))?,
                Value::Object(choice) => {
                    for (ck, cv) in choice {
                        let value = json_scalar(cv).unwrap_or_default();
                        parts.absorb(ck, &value, true)?;
                    }
                }
                _ => {}
            }
        } else if let Some(value) = json_scalar(v) {
            parts.absorb(k, &value, false)?;
        } else if k.eq_ignore_ascii_case("Certificate") {
            parts.certificate = true;
        }
    }
    Ok(())
}

/// A scalar as text; an IPAddress object gives its `IPAddressToString`.
fn json_scalar(v: &Value) -> Option<String> {
    psjson::text(v).or_else(|| psjson::get(v, "IPAddressToString").and_then(psjson::text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = include_str!("../../examples/enterprise/evidence/ms/static-routes.txt");
    const JSON: &str = include_str!("../../examples/enterprise/evidence/ms/static-routes.json");
    const CONTRACT: &str = include_str!("../../tests/fixtures/contract/evidence/ms/static-routes.txt");

    fn route(match_uri: &str, transport: RouteTransport, destination: &str, port: u16, line: usize) -> StaticRoute {
        StaticRoute {
            identity: None,
            match_uri: match_uri.into(),
            transport,
            destination: destination.into(),
            port,
            enabled: true,
            match_only_phone_uri: false,
            line,
        }
    }

    fn expected(lines: [usize; 3]) -> Vec<StaticRoute> {
        vec![
            route("northwind.com", RouteTransport::Tls, "expe.northwind.com", 5061, lines[0]),
            route("northwind.co.uk", RouteTransport::Tls, "imp-rt.northwind.com", 5061, lines[1]),
            route("nwhealth.org", RouteTransport::Tcp, "10.40.1.21", 5060, lines[2]),
        ]
    }

    #[test]
    fn enterprise_text_sample() {
        let r = parse(TEXT).unwrap();
        assert_eq!(r.routes, expected([4, 11, 18]));
        let conflict: Vec<_> = r.for_domain("NORTHWIND.COM").collect();
        assert_eq!(conflict.len(), 1);
        assert_eq!(conflict[0].destination, "expe.northwind.com");
    }

    #[test]
    fn enterprise_json_sample_matches_text() {
        let r = parse(JSON).unwrap();
        assert_eq!(r.routes, expected([0, 0, 0]));
    }

    #[test]
    fn contract_file() {
        let r = parse(CONTRACT).unwrap();
        assert_eq!(r.routes.len(), 2);
        assert_eq!(r.routes[0], StaticRoute { line: 4, ..route("synergy.com", RouteTransport::Tls, "expc.synergy.com", 5061, 4) });
        assert_eq!(r.routes[1].match_uri, "synergy.co.uk");
        assert_eq!(r.routes[1].destination, "imp-rt.synergy.com");
        assert_eq!(r.routes[1].line, 11);
    }

    #[test]
    fn crlf_matches_lf() {
        assert_eq!(parse(&TEXT.replace('\n', "\r\n")).unwrap(), parse(TEXT).unwrap());
        assert_eq!(parse(&JSON.replace('\n', "\r\n")).unwrap(), parse(JSON).unwrap());
    }

    #[test]
    fn wrapped_values_are_joined() {
        let text = "Transport               : TransportChoice=Certificate=Microsoft.Rtc.Management.WritableConfig.Settin\n\
                    \x20                         gs.SipProxy.UseDefaultCert;Fqdn=imp-rt.northwind.com;Port=5061\n\
                    MatchUri                : northwind.co.uk\n\
                    Enabled                 : False\n\
                    Element                 : <Route MatchUri=\"northwind.co.uk\" Enabled=\"false\"><Transport><TLS Fqdn=\"imp-rt.northwi\n\
                    \x20                         nd.com\" Port=\"5061\"><UseDefaultCert /></TLS></Transport></Route>\n";
        let r = parse(text).unwrap();
        assert_eq!(r.routes[0].destination, "imp-rt.northwind.com");
        assert!(!r.routes[0].enabled);
    }

    #[test]
    fn truncated_element_is_a_cut_at_that_line() {
        let cut = TEXT.split("<TCP IPAddress=").next().unwrap();
        let r = parse(cut).unwrap();
        let whole = parse(TEXT).unwrap();
        assert_eq!(r.routes[..], whole.routes[..r.routes.len()]);
        assert!(r.routes.len() < whole.routes.len());
        let c = r.cut.unwrap();
        assert_eq!(c.line, 23);
        assert!(c.reason.contains("cut off"), "{}", c.reason);
        // Before a prompt it is damage, not a cut.
        let err = parse(&format!("{cut}\nPS C:\\>")).unwrap_err();
        assert_eq!(err.line, 23);
    }

    #[test]
    fn truncated_key_is_an_error_at_that_line() {
        let cut = TEXT.split("MatchOnlyPhoneUri       : False\nEnabled                 : True\nReplaceHostInRequestUri : False\nElement                 : <Route xmlns=\"urn:schema:Microsoft.Rtc.Management.Settings.SipProxy.2008\" MatchUri=\"nwhealth.org\"").next().unwrap().to_string() + "MatchOnlyPho";
        let c = parse(&cut).unwrap().cut.unwrap();
        assert_eq!(c.line, 20);
        assert!(c.reason.contains("\"MatchOnlyPho\""), "{}", c.reason);
    }

    #[test]
    fn route_cut_after_transport_lacks_match_uri() {
        let text = "Transport : TransportChoice=IPAddress=10.40.1.21;Port=5060\n";
        let r = parse(text).unwrap();
        assert!(r.routes.is_empty());
        assert!(r.cut.unwrap().reason.contains("`MatchUri`"));
        let err = parse(&format!("{text}\nPS C:\\> ")).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("`MatchUri`"), "{}", err.message);
    }

    #[test]
    fn garbled_line_is_named_and_quoted() {
        let text = TEXT.replace("Enabled                 : True\nReplaceHostInRequestUri : False\nElement                 : <Route xmlns=\"urn:schema:Microsoft.Rtc.Management.Settings.SipProxy.2008\" MatchUri=\"northwind.co.uk\"",
            "Enabled  True\nReplaceHostInRequestUri : False\nElement                 : <Route xmlns=\"urn:schema:Microsoft.Rtc.Management.Settings.SipProxy.2008\" MatchUri=\"northwind.co.uk\"");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 14);
        assert!(err.message.contains("\"Enabled  True\""), "{}", err.message);
    }

    #[test]
    fn element_must_agree_with_transport() {
        let text = TEXT.replace("<TLS Fqdn=\"imp-rt.northwind.com\" Port=\"5061\">", "<TLS Fqdn=\"imp-rt.northwind.com\" Port=\"5062\">");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 16);
        assert!(err.message.contains("port 5062"), "{}", err.message);
    }

    #[test]
    fn missing_port_is_an_error() {
        let text = "Transport : TransportChoice=Certificate=x.UseDefaultCert;Fqdn=imp-rt.northwind.com\nMatchUri : northwind.co.uk\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("`Port`"), "{}", err.message);
    }

    #[test]
    fn element_alone_gives_the_route() {
        let text = "MatchUri : a.example\nElement  : <Route MatchUri=\"a.example\" Enabled=\"true\"><Transport><TCP IPAddress=\"10.0.0.5\" Port=\"5060\" /></Transport></Route>\n";
        let r = parse(text).unwrap();
        assert_eq!(r.routes[0], route("a.example", RouteTransport::Tcp, "10.0.0.5", 5060, 1));
    }

    #[test]
    fn unexpanded_complete_list_is_accepted() {
        let text = "Identity : Global\n\
                    Route    : {MatchUri=northwind.co.uk;MatchOnlyPhoneUri=False;Enabled=True;ReplaceHostInRequestUri=False;Transport=TransportChoice=Certificate=Microsoft.Rtc.Management.WritableConfig.Settings.SipProxy.UseDefaultCert;Fqdn=imp-rt.northwind.com;Port=5061, MatchUri=nwhealth.org;MatchOnlyPhoneUri=False;Enabled=False;ReplaceHostInRequestUri=False;Transport=TransportChoice=IPAddress=10.40.1.21;Port=5060}\n";
        let r = parse(text).unwrap();
        assert_eq!(r.routes.len(), 2);
        assert_eq!(r.routes[0].identity.as_deref(), Some("Global"));
        assert_eq!(r.routes[0].destination, "imp-rt.northwind.com");
        assert_eq!(r.routes[0].transport, RouteTransport::Tls);
        assert_eq!(r.routes[1].transport, RouteTransport::Tcp);
        assert!(!r.routes[1].enabled);
        assert_eq!(r.routes[1].line, 2);
    }

    #[test]
    fn unexpanded_partial_or_truncated_list_is_refused() {
        let partial =
            "Identity : Global\nRoute    : {MatchUri=northwind.co.uk;MatchOnlyPhoneUri=False;Enabled=True;ReplaceHostInRequestUri=False}\n";
        let err = parse(partial).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("Select-Object -ExpandProperty Route"), "{}", err.message);

        let cut =
            "Identity : Global\nRoute    : {MatchUri=a;Fqdn=b;Port=1, MatchUri=c;Fqdn=d;Port=2, MatchUri=e;Fqdn=f;Port=3, MatchUri=g...}\n";
        let err = parse(cut).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("truncated by PowerShell"), "{}", err.message);
    }

    #[test]
    fn empty_route_list_is_an_empty_result() {
        let r = parse("Identity : Global\nRoute    : {}\n").unwrap();
        assert!(r.routes.is_empty());
    }

    #[test]
    fn stray_record_is_an_error() {
        let err = parse("Identity : Global\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("neither a route"), "{}", err.message);
    }

    #[test]
    fn no_static_route_is_an_empty_list() {
        for text in [
            "",
            "PS C:\\> Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route\r\n\r\n",
            "PS C:\\> Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route\r\n\r\nPS C:\\> ",
            "[]",
        ] {
            assert_eq!(parse(text).unwrap().routes, Vec::new(), "{text:?}");
        }
    }

    #[test]
    fn json_configuration_object_with_string_transport() {
        let text = r#"{
            "Identity": "Global",
            "Route": [
                {"MatchUri": "northwind.co.uk", "Enabled": "True", "MatchOnlyPhoneUri": false,
                 "Transport": "TransportChoice=Certificate=Microsoft.Rtc.Management.WritableConfig.Settings.SipProxy.UseDefaultCert;Fqdn=imp-rt.northwind.com;Port=5061"},
                {"matchuri": "nwhealth.org", "transport": {"IPAddress": "10.40.1.21", "Port": "5060"}}
            ]
        }"#;
        let r = parse(text).unwrap();
        assert_eq!(r.routes.len(), 2);
        assert_eq!(r.routes[0].identity.as_deref(), Some("Global"));
        assert_eq!(r.routes[0].transport, RouteTransport::Tls);
        assert_eq!(r.routes[0].destination, "imp-rt.northwind.com");
        assert_eq!(
            r.routes[1],
            StaticRoute { identity: Some("Global".into()), ..route("nwhealth.org", RouteTransport::Tcp, "10.40.1.21", 5060, 0) }
        );
    }

    #[test]
    fn json_route_list_as_one_string() {
        let text = r#"[{"Identity": "Service:Registrar:sfbpool.northwind.com",
            "Route": "{MatchUri=northwind.co.uk;Enabled=True;Transport=TransportChoice=Certificate=x.UseDefaultCert;Fqdn=imp-rt.northwind.com;Port=5061}"},
            {"Identity": "Global", "Route": "{MatchUri=a;Enabled=True...}"}]"#;
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, 0);
        assert!(err.message.starts_with("JSON item 2: the `Route` list is truncated"), "{}", err.message);
        let first = text.split(",\n            {\"Identity\": \"Global\"").next().unwrap().to_string() + "]";
        let r = parse(&first).unwrap();
        assert_eq!(r.routes.len(), 1);
        assert_eq!(r.routes[0].identity.as_deref(), Some("Service:Registrar:sfbpool.northwind.com"));
        assert_eq!(r.routes[0].destination, "imp-rt.northwind.com");
    }

    #[test]
    fn json_single_route_with_fqdn_object_and_element() {
        let text = r#"{"MatchUri": "a.example", "Transport": {"Fqdn": "imp.a.example", "Port": 5061, "Certificate": {}},
                      "Element": "<Route MatchUri=\"a.example\"><Transport><TLS Fqdn=\"imp.a.example\" Port=\"5061\"><UseDefaultCert /></TLS></Transport></Route>"}"#;
        let r = parse(text).unwrap();
        assert_eq!(r.routes, vec![route("a.example", RouteTransport::Tls, "imp.a.example", 5061, 0)]);
    }

    #[test]
    fn json_missing_parts_are_errors() {
        let err = parse(r#"[{"MatchUri": "a.example", "Transport": {"Port": 5061}}]"#).unwrap_err();
        assert_eq!(err.line, 0);
        assert!(err.message.starts_with("JSON item 1:"), "{}", err.message);
        assert!(err.message.contains("no destination"), "{}", err.message);

        let err = parse(r#"[{"MatchUri": "a"}, {"Transport": "TransportChoice=IPAddress=10.0.0.5;Port=5060"}]"#).unwrap_err();
        assert!(err.message.starts_with("JSON item 1:"), "{}", err.message);

        let err = parse(r#"[{"Transport": "TransportChoice=IPAddress=10.0.0.5;Port=5060"}]"#).unwrap_err();
        assert!(err.message.contains("`MatchUri`"), "{}", err.message);

        let err = parse(r#"{"MatchUri": "a", "Transport": {"IPAddress": "10.0.0.5", "Port": 99999}}"#).unwrap_err();
        assert!(err.message.contains("\"99999\""), "{}", err.message);
    }

    #[test]
    fn json_truncated_and_garbled() {
        let cut = &JSON[..JSON.find("\"nwhealth.org\"").unwrap()];
        let r = parse(cut).unwrap();
        let c = r.cut.unwrap();
        assert_eq!(c.line, cut.lines().count());
        assert!(c.reason.contains("stops before its end"), "{}", c.reason);

        let garbled = JSON.replace("\"MatchUri\":  \"northwind.co.uk\",", "\"MatchUri\":  northwind.co.uk,");
        let err = parse(&garbled).unwrap_err();
        assert_eq!(err.line, 24);
        assert!(err.message.contains("\"\"MatchUri\":  northwind.co.uk,\""), "{}", err.message);
    }

    /// `Format-List Identity,Route` and `ConvertTo-Json -Depth 5` keep each
    /// collection's Identity, an empty collection included.
    #[test]
    fn the_echoed_identity_names_a_collection_only_when_it_is_one() {
        let with = |echo: &str| echoed_identity(&format!("PS C:\\> {echo}\n\nMatchUri : a\n"));
        assert_eq!(with("Get-CsStaticRoutingConfiguration -Identity Global | fl").as_deref(), Some("Global"));
        assert_eq!(with("Get-CsStaticRoutingConfiguration 'Site:Redmond' | fl").as_deref(), Some("Site:Redmond"));
        assert_eq!(with("Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route"), None);
        assert_eq!(with("$r = Get-CsStaticRoutingConfiguration; $r.Route"), None);
        assert_eq!(with("Get-CsStaticRoutingConfiguration -Identity $id | fl"), None);
        assert_eq!(with("Get-CsStaticRoutingConfiguration -Filter *Registrar*"), None);
        assert_eq!(
            echoed_identity("Get-CsStaticRoutingConfiguration: The term 'Get-CsStaticRoutingConfiguration' is not recognized"),
            None
        );
    }

    #[test]
    fn collections_keep_their_identity() {
        let text = "Identity : Global\n\
                    Route    : {MatchUri=northwind.co.uk;Enabled=True;Transport=TransportChoice=Certificate=x.UseDefaultCert;Fqdn=imp-rt.northwind.com;Port=5061}\n\n\
                    Identity : Service:Registrar:sfbpool2.northwind.com\n\
                    Route    : {}\n";
        let r = parse(text).unwrap();
        assert_eq!(r.collections, vec!["Global".to_string(), "Service:Registrar:sfbpool2.northwind.com".to_string()]);
        assert_eq!(r.routes.len(), 1);
        let json = r#"[{"Identity": "Global", "Route": [{"MatchUri": "northwind.co.uk", "Transport": {"Fqdn": "imp-rt.northwind.com", "Port": 5061}}]},
                       {"Identity": "Service:Registrar:sfbpool2.northwind.com", "Route": []}]"#;
        let r = parse(json).unwrap();
        assert_eq!(r.collections.len(), 2);
        assert_eq!(r.routes[0].identity.as_deref(), Some("Global"));
        // An expanded list shows no collection.
        assert!(parse(TEXT).unwrap().collections.is_empty());
    }

    #[test]
    fn round_trips_through_json() {
        let r = parse(TEXT).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<StaticRoutes>(&json).unwrap(), r);
        let other = RouteTransport::Other("Udp".into());
        assert_eq!(serde_json::from_str::<RouteTransport>(&serde_json::to_string(&other).unwrap()).unwrap(), other);
    }
}
