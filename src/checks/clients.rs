//! clients.*: which clients may take part, and whether they handle Directory URI.

use super::support::version_at_least;
use crate::inventory::AddressScheme;
use crate::judge::{Check, Context, Finding, Rule};
use serde::Deserialize;

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
