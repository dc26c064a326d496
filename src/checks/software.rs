//! software.*: what must be installed around the servers.

use super::support::version_at_least;
use crate::judge::{Check, Context, Finding, Rule};

pub fn checks() -> Vec<Box<dyn Check>> {
    vec![Rule::offline("software.migration-host", migration_host), Rule::offline("software.microsoft-tools", microsoft_tools)]
}

fn migration_host(ctx: &Context<'_>) -> Vec<Finding> {
    let min: String = match ctx.table("dotnet_min") {
        Ok(v) => v,
        Err(e) => return ctx.table_error(e),
    };
    if ctx.inventory.site.migrating_users != Some(true) {
        return vec![ctx.skip("migration host", "not applicable: no user migration is planned ([site] migrating_users)")];
    }
    let Some(host) = &ctx.inventory.migration_host else {
        return vec![ctx.skip("migration host", "users are migrated but no [migration_host] is described")];
    };
    let name = host.os.clone().unwrap_or_else(|| "migration host".into());
    match host.dotnet.as_deref().map(|v| (v, version_at_least(v, &min))) {
        None => vec![ctx.skip(name, "the .NET Framework version is not stated ([migration_host] dotnet)")],
        Some((v, None)) => vec![ctx.skip(name, format!("cannot read the .NET version `{v}`"))],
        Some((v, Some(true))) => {
            vec![ctx.pass(name, format!(".NET Framework {v} (needs {min} or later)"))]
        }
        Some((v, Some(false))) => {
            vec![ctx.violation(name, format!(".NET Framework {v} is older than {min}: the migration tools will not start"))]
        }
    }
}

fn microsoft_tools(ctx: &Context<'_>) -> Vec<Finding> {
    let ms = &ctx.inventory.microsoft;
    let tools = if ctx.inventory.platform_is_ocs() { "OCS administrative tools" } else { "Lync / Skype for Business administrative tools" };
    [(tools, ms.admin_tools, "admin_tools"), ("Active Directory", ms.active_directory, "active_directory")]
        .into_iter()
        .map(|(what, present, key)| match present {
            Some(true) => ctx.pass(what, format!("{what} present")),
            Some(false) => ctx.violation(what, format!("{what} missing")),
            None => ctx.skip(what, format!("not stated ([microsoft] {key})")),
        })
        .collect()
}
