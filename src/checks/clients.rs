//! clients.*: which clients may take part, and whether they handle Directory URI.

use super::support::version_at_least;
use crate::inventory::AddressScheme;
use crate::judge::{Check, Context, Finding, Rule};
use serde::Deserialize;

/// The `clients.*` checks: supported clients and their Directory URI support, from the
/// inventory.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![Rule::offline("clients.supported", supported), Rule::offline("clients.directory-uri", directory_uri)]
}

#[derive(Debug, Deserialize)]
struct ClientRow {
    id: String,
    name: String,
    supported: bool,
    #[serde(default)]
    directory_uri_from: Option<String>,
    #[serde(default = "yes")]
    verified: bool,
}

fn yes() -> bool {
    true
}

fn find<'a>(rows: &'a [ClientRow], id: &str) -> Option<&'a ClientRow> {
    rows.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

fn supported(ctx: &Context<'_>) -> Vec<Finding> {
    let (cisco, microsoft): (Vec<ClientRow>, Vec<ClientRow>) = match (ctx.table("cisco_clients"), ctx.table("microsoft_clients")) {
        (Ok(c), Ok(m)) => (c, m),
        (Err(e), _) | (_, Err(e)) => return ctx.table_error(e),
    };
    let c = &ctx.inventory.clients;
    let listed = c
        .cisco
        .iter()
        .map(|x| (x.name.as_str(), x.version.as_deref(), &cisco, "Cisco"))
        .chain(c.microsoft.iter().map(|x| (x.as_str(), None, &microsoft, "Microsoft")));
    let mut out: Vec<Finding> = listed
        .map(|(id, version, rows, side)| {
            let label = match version {
                Some(v) => format!("{id} {v}"),
                None => id.to_string(),
            };
            let f = match find(rows, id) {
                Some(row) if row.supported => ctx.pass(label, format!("{} is supported", row.name)),
                Some(row) => ctx.violation(label, format!("{} is not supported in partitioned intradomain federation", row.name)),
                None => {
                    let known: Vec<&str> = rows.iter().filter(|r| r.supported).map(|r| r.id.as_str()).collect();
                    ctx.violation(label, format!("`{id}` is not a {side} client supported for this integration"))
                        .detail(format!("supported ids: {}", known.join(", ")))
                }
            };
            // The version is in the label, not in the id: an upgrade is the same client.
            f.target_id(id)
        })
        .collect();
    if out.is_empty() {
        out.push(ctx.skip("clients", "no clients listed ([clients])"));
    }
    out
}

fn directory_uri(ctx: &Context<'_>) -> Vec<Finding> {
    let rows: Vec<ClientRow> = match ctx.table("cisco_clients") {
        Ok(r) => r,
        Err(e) => return ctx.table_error(e),
    };
    match ctx.inventory.site.im_address_scheme {
        None => return vec![ctx.skip("clients", "the IM address scheme is not stated ([site] im_address_scheme)")],
        Some(AddressScheme::Userid) => return vec![ctx.skip("clients", "not applicable: the IM address scheme is UserID@Default_Domain")],
        Some(AddressScheme::DirectoryUri) => {}
    }
    let mut out = Vec::new();
    for client in &ctx.inventory.clients.cisco {
        let label = match &client.version {
            Some(v) => format!("{} {v}", client.name),
            None => client.name.clone(),
        };
        let Some(row) = find(&rows, &client.name) else {
            out.push(ctx.skip(label, "unknown client: see clients.supported").target_id(client.name.as_str()));
            continue;
        };
        let caveat = if row.verified { "" } else { " (threshold unverified)" };
        let f = match (&row.directory_uri_from, &client.version) {
            (None, _) => ctx.violation(label, format!("{} does not support the Directory URI IM address scheme{caveat}", row.name)),
            (Some(_), None) => ctx.skip(label, "the client version is not stated: cannot tell whether it supports Directory URI"),
            (Some(from), Some(v)) => match version_at_least(v, from) {
                Some(true) => ctx.pass(label, format!("supports Directory URI from {from}{caveat}")),
                Some(false) => ctx.violation(label, format!("version {v} predates Directory URI support ({from}){caveat}")),
                None => ctx.skip(label, format!("cannot read the version `{v}`")),
            },
        };
        out.push(f.target_id(client.name.as_str()));
    }
    if out.is_empty() {
        out.push(ctx.skip("clients", "no Cisco clients listed ([clients] cisco)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::inventory::{AddressScheme, CiscoClient};
    use crate::judge::Status;
    use crate::testing::*;

    fn client(name: &str, version: Option<&str>) -> CiscoClient {
        CiscoClient { name: name.into(), version: version.map(String::from) }
    }

    #[test]
    fn supported_passes_listed_clients() {
        let f = judge("clients.supported", &clean(), &offline());
        all(&f, Status::Pass);
        has(&f, "jabber-windows 14.1", Status::Pass, "Cisco Jabber for Windows is supported");
        has(&f, "sfb2015", Status::Pass, "Skype for Business 2015 is supported");
    }

    #[test]
    fn supported_fails_unsupported_and_unknown_clients() {
        let mut s = clean();
        s.inventory.clients.microsoft = vec!["teams".into()];
        s.inventory.clients.cisco.push(client("webex-app", Some("43.1")));
        let f = judge("clients.supported", &s, &offline());
        has(&f, "teams", Status::Fail, "Microsoft Teams is not supported in partitioned intradomain federation");
        has(&f, "webex-app 43.1", Status::Fail, "`webex-app` is not a Cisco client supported for this integration");
        has(&f, "jabber-windows", Status::Pass, "supported");
    }

    #[test]
    fn supported_cannot_tell_without_clients() {
        let mut s = clean();
        s.inventory.clients = Default::default();
        let f = judge("clients.supported", &s, &offline());
        has(&f, "clients", Status::Skip, "no clients listed");
        assert_eq!(f.len(), 1);
    }

    fn directory_uri_site(clients: Vec<CiscoClient>) -> crate::inventory::Loaded {
        let mut s = clean();
        s.inventory.site.im_address_scheme = Some(AddressScheme::DirectoryUri);
        s.inventory.clients.cisco = clients;
        s
    }

    #[test]
    fn directory_uri_passes_recent_jabber() {
        let f = judge("clients.directory-uri", &directory_uri_site(vec![client("jabber-windows", Some("14.1"))]), &offline());
        has(&f, "jabber-windows 14.1", Status::Pass, "supports Directory URI from 10.5 (threshold unverified)");
    }

    #[test]
    fn directory_uri_fails_old_or_incapable_clients() {
        let s = directory_uri_site(vec![client("jabber-mac", Some("10.0")), client("cupc", Some("8.5"))]);
        let f = judge("clients.directory-uri", &s, &offline());
        has(&f, "jabber-mac 10.0", Status::Fail, "version 10.0 predates Directory URI support (10.5)");
        has(&f, "cupc 8.5", Status::Fail, "does not support the Directory URI IM address scheme");
    }

    #[test]
    fn directory_uri_cannot_tell() {
        has(
            &judge("clients.directory-uri", &clean(), &offline()),
            "clients",
            Status::Skip,
            "not applicable: the IM address scheme is UserID",
        );
        let mut s = clean();
        s.inventory.site.im_address_scheme = None;
        has(&judge("clients.directory-uri", &s, &offline()), "clients", Status::Skip, "the IM address scheme is not stated");
        let s = directory_uri_site(vec![client("jabber-ipad", None), client("mystery", Some("1.0")), client("jabber-mobile", Some("x"))]);
        let f = judge("clients.directory-uri", &s, &offline());
        has(&f, "jabber-ipad", Status::Skip, "the client version is not stated");
        has(&f, "mystery 1.0", Status::Skip, "unknown client: see clients.supported");
        has(&f, "jabber-mobile x", Status::Skip, "cannot read the version `x`");
        let s = directory_uri_site(Vec::new());
        has(&judge("clients.directory-uri", &s, &offline()), "clients", Status::Skip, "no Cisco clients listed");
    }
}
