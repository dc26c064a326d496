//! software.*: what must be installed around the servers.

use super::support::version_at_least;
use crate::judge::{Check, Context, Finding, Rule};

/// The `software.*` checks: the migration host's .NET Framework and the Microsoft
/// administrative tools.
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

#[cfg(test)]
mod tests {
    use crate::inventory::MigrationHost;
    use crate::judge::Status;
    use crate::testing::*;

    fn migrating(dotnet: Option<&str>) -> crate::inventory::Loaded {
        let mut s = clean();
        s.inventory.site.migrating_users = Some(true);
        s.inventory.migration_host = Some(MigrationHost { os: Some("Windows Server 2012 R2".into()), dotnet: dotnet.map(String::from) });
        s
    }

    #[test]
    fn migration_host_passes_a_recent_dotnet() {
        let f = judge("software.migration-host", &migrating(Some("4.8")), &offline());
        has(&f, "Windows Server 2012 R2", Status::Pass, ".NET Framework 4.8 (needs 2.0 or later)");
    }

    #[test]
    fn migration_host_fails_an_old_dotnet() {
        let f = judge("software.migration-host", &migrating(Some("1.1")), &offline());
        has(&f, "Windows Server 2012 R2", Status::Fail, ".NET Framework 1.1 is older than 2.0: the migration tools will not start");
    }

    #[test]
    fn migration_host_cannot_tell() {
        has(&judge("software.migration-host", &clean(), &offline()), "migration host", Status::Skip, "not applicable: no user migration");
        has(
            &judge("software.migration-host", &migrating(None), &offline()),
            "Windows Server",
            Status::Skip,
            "the .NET Framework version is not stated",
        );
        has(
            &judge("software.migration-host", &migrating(Some("latest")), &offline()),
            "Windows Server",
            Status::Skip,
            "cannot read the .NET version `latest`",
        );
        let mut s = migrating(None);
        s.inventory.migration_host = None;
        has(&judge("software.migration-host", &s, &offline()), "migration host", Status::Skip, "no [migration_host] is described");
    }

    #[test]
    fn microsoft_tools_pass_when_present() {
        let f = judge("software.microsoft-tools", &clean(), &offline());
        all(&f, Status::Pass);
        has(&f, "Lync / Skype for Business administrative tools", Status::Pass, "present");
        has(&f, "Active Directory", Status::Pass, "Active Directory present");
    }

    #[test]
    fn microsoft_tools_fail_when_missing() {
        let mut s = clean();
        s.inventory.microsoft.platform = "ocs2007r2".into();
        s.inventory.microsoft.admin_tools = Some(false);
        let f = judge("software.microsoft-tools", &s, &offline());
        has(&f, "OCS administrative tools", Status::Fail, "OCS administrative tools missing");
        has(&f, "Active Directory", Status::Pass, "present");
    }

    #[test]
    fn microsoft_tools_cannot_tell_when_unstated() {
        let mut s = clean();
        s.inventory.microsoft.active_directory = None;
        let f = judge("software.microsoft-tools", &s, &offline());
        has(&f, "Active Directory", Status::Skip, "not stated ([microsoft] active_directory)");
    }
}
