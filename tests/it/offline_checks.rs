//! Every offline check: a pass, a fail (or warn) and a cannot-tell case, each judged
//! from an edited copy of the clean example (or the enterprise one, for evidence).

use crate::util::{array_item, finding, judge_edited, statuses, table_at};
use fedcheck::judge::{Finding, Status};
use toml::Value;

const CLEAN: &str = "examples/clean/site.toml";
const ENTERPRISE: &str = "examples/enterprise/site.toml";

fn clean(id: &str, edit: impl FnOnce(&mut toml::Table)) -> Vec<Finding> {
    judge_edited(CLEAN, edit, id)
}

fn unchanged(_: &mut toml::Table) {}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn strings(v: &[&str]) -> Value {
    Value::Array(v.iter().map(|x| s(x)).collect())
}

/// Every finding has this status.
#[track_caller]
fn all(findings: &[Finding], status: Status) {
    assert!(!findings.is_empty(), "no findings");
    assert!(findings.iter().all(|f| f.status == status), "expected all {status}: {:#?}", statuses(findings));
}

/// The finding for `target` has `status` and its summary mentions `text`.
#[track_caller]
fn has(findings: &[Finding], target: &str, status: Status, text: &str) {
    let f = finding(findings, target);
    assert_eq!(f.status, status, "{target}: {f:#?}");
    assert!(f.summary.contains(text), "{target}: summary {:?} lacks {text:?}", f.summary);
    if matches!(status, Status::Warn | Status::Fail) {
        assert!(f.remediation.as_deref().is_some_and(|r| !r.is_empty()), "{target}: no remediation");
    }
}

/// `--skip` demotes a check to skip and says so.
#[track_caller]
fn demoted(id: &str) {
    let path = crate::util::repo(CLEAN);
    let loaded = fedcheck::inventory::load(&path).expect("clean loads");
    let catalog = fedcheck::judge::catalog::Catalog::builtin().expect("catalog");
    let checks = fedcheck::checks::registry();
    let opts = fedcheck::engine::RunOptions {
        offline: true,
        only: vec![id.into()],
        skip: vec![id.into()],
        now: Some(crate::util::now()),
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let (report, _) = rt.block_on(fedcheck::engine::run(&loaded, &catalog, &checks, &opts)).expect("run");
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].status, Status::Skip);
    assert_eq!(report.findings[0].summary, "skipped by --skip");
}

#[test]
fn platform_microsoft_server() {
    has(&clean("platform.microsoft-server", unchanged), "sfb2015", Status::Pass, "Skype for Business Server 2015");
    let f = clean("platform.microsoft-server", |t| {
        table_at(t, &["microsoft"]).insert("platform".into(), s("sfb2019"));
    });
    has(&f, "sfb2019", Status::Fail, "not supported");
    let f = clean("platform.microsoft-server", |t| {
        table_at(t, &["microsoft"]).insert("platform".into(), s("lync2099"));
    });
    has(&f, "lync2099", Status::Fail, "not a Microsoft server platform");
    demoted("platform.microsoft-server");
}

#[test]
fn platform_transport() {
    all(&clean("platform.transport", unchanged), Status::Pass);
    let f = clean("platform.transport", |t| {
        array_item(t, &["microsoft"], "static_routes", 0).insert("transport".into(), s("tcp"));
    });
    has(&f, "microsoft route contoso.com", Status::Fail, "uses TCP");
    let f = clean("platform.transport", |t| {
        table_at(t, &["microsoft"]).remove("static_routes");
        table_at(t, &["cisco", "federation"]).remove("static_routes");
    });
    has(&f, "routes", Status::Skip, "no static route");
    // OCS 2007 R2 may use TCP.
    let f = clean("platform.transport", |t| {
        table_at(t, &["microsoft"]).insert("platform".into(), s("ocs2007r2"));
        array_item(t, &["microsoft"], "static_routes", 0).insert("transport".into(), s("tcp"));
    });
    has(&f, "microsoft route contoso.com", Status::Info, "OCS allows it");
}

#[test]
fn platform_asa() {
    has(&clean("platform.asa", unchanged), "network", Status::Pass, "no ASA");
    has(
        &clean("platform.asa", |t| drop(table_at(t, &["network"]).insert("asa_between".into(), Value::Boolean(true)))),
        "network",
        Status::Fail,
        "ASA",
    );
    has(&clean("platform.asa", |t| drop(table_at(t, &["network"]).remove("asa_between"))), "network", Status::Skip, "asa_between");
}

#[test]
fn platform_mixed_lync_ocs() {
    has(&clean("platform.mixed-lync-ocs", unchanged), "microsoft", Status::Pass, "no mix");
    let f = clean("platform.mixed-lync-ocs", |t| {
        table_at(t, &["microsoft"]).insert("additional_platforms".into(), strings(&["ocs2007r2"]));
        table_at(t, &["site"]).insert("migrating_users".into(), Value::Boolean(true));
    });
    has(&f, "migration", Status::Info, "migrate the Lync users first");
    demoted("platform.mixed-lync-ocs");
}

#[test]
fn platform_presence_web_service() {
    let id = "platform.presence-web-service";
    has(&clean(id, unchanged), "presence web service", Status::Pass, "not used");
    has(
        &clean(id, |t| drop(table_at(t, &["cisco"]).insert("presence_web_service".into(), Value::Boolean(true)))),
        "presence web service",
        Status::Warn,
        "will not see",
    );
    has(
        &clean(id, |t| drop(table_at(t, &["cisco"]).remove("presence_web_service"))),
        "presence web service",
        Status::Skip,
        "presence_web_service",
    );
}

#[test]
fn sizing_vm() {
    all(&clean("sizing.vm", unchanged), Status::Pass);
    let f = clean("sizing.vm", |t| {
        array_item(t, &["cisco"], "nodes", 1).insert(
            "vm".into(),
            Value::Table(toml::toml! { vcpu = 1
            ram_gb = 8
            disk_gb = 80 }),
        );
    });
    has(&f, "imp1.contoso.com", Status::Warn, "1 vCPU < 2");
    has(&f, "imp1.contoso.com", Status::Warn, "unverified");
    let f = clean("sizing.vm", |t| drop(array_item(t, &["cisco"], "nodes", 1).remove("vm")));
    has(&f, "imp1.contoso.com", Status::Skip, "no VM figures");
    // Evidence beats the inventory, and a disagreement is named.
    let f = judge_edited(ENTERPRISE, unchanged, "sizing.vm");
    let a = finding(&f, "imp-a.northwind.com");
    assert_eq!(a.status, Status::Warn);
    assert!(a.summary.contains("6 GB RAM < 8"), "{a:#?}");
    assert!(a.detail.as_deref().unwrap_or("").contains("`show hardware` reports 6 GB"), "{a:#?}");
}

#[test]
fn sizing_host() {
    all(&clean("sizing.host", unchanged), Status::Pass);
    let f = clean("sizing.host", |t| {
        array_item(t, &["cisco"], "nodes", 0).insert("vm".into(), Value::Table(toml::toml! { host = "mcs" }));
    });
    has(&f, "imp-rt.contoso.com", Status::Fail, "MCS appliance");
    let f = clean("sizing.host", |t| {
        array_item(t, &["cisco"], "nodes", 0).insert("vm".into(), Value::Table(toml::toml! { vcpu = 2 }));
    });
    has(&f, "imp-rt.contoso.com", Status::Skip, "host type is not stated");
}

#[test]
fn sizing_versions() {
    has(&clean("sizing.versions", unchanged), "releases", Status::Pass, "same release 14.0(1)");
    has(
        &clean("sizing.versions", |t| drop(table_at(t, &["cisco"]).insert("cucm_version".into(), s("12.5.1.11900-146")))),
        "releases",
        Status::Fail,
        "same major release",
    );
    has(
        &clean("sizing.versions", |t| drop(table_at(t, &["cisco"]).insert("cucm_version".into(), s("14.1.1.10000-1")))),
        "releases",
        Status::Warn,
        "compatibility matrix",
    );
    has(&clean("sizing.versions", |t| drop(table_at(t, &["cisco"]).remove("cucm_version"))), "releases", Status::Skip, "cucm_version");
    // The release the node itself reports (`show status`) beats the inventory's word.
    let f =
        judge_edited(ENTERPRISE, |t| drop(table_at(t, &["cisco"]).insert("imp_version".into(), s("14.0.1.11900-1"))), "sizing.versions");
    has(&f, "imp-rt.northwind.com", Status::Warn, "`show status` reports 14.0.1.12900-2");
    all(&judge_edited(ENTERPRISE, unchanged, "sizing.versions"), Status::Pass);
}

#[test]
fn sizing_cluster() {
    has(&clean("sizing.cluster", unchanged), "cluster", Status::Pass, "2 IM&P nodes");
    let f = clean("sizing.cluster", |t| drop(array_item(t, &["cisco"], "nodes", 1).insert("users".into(), Value::Integer(30000))));
    has(&f, "imp1.contoso.com", Status::Fail, "30000 users on one node");
    let f = clean("sizing.cluster", |t| {
        let nodes = table_at(t, &["cisco"]).get_mut("nodes").and_then(|v| v.as_array_mut()).expect("nodes");
        nodes.retain(|n| n.get("product").and_then(|p| p.as_str()) == Some("cucm"));
    });
    has(&f, "cluster", Status::Skip, "no IM&P node");
    // `show network cluster` names a node the inventory leaves out.
    let f = judge_edited(
        ENTERPRISE,
        |t| {
            let nodes = table_at(t, &["cisco"]).get_mut("nodes").and_then(|v| v.as_array_mut()).expect("nodes");
            nodes.retain(|n| n.get("fqdn").and_then(|p| p.as_str()) != Some("imp-b.northwind.com"));
        },
        "sizing.cluster",
    );
    has(&f, "imp-b.northwind.com", Status::Warn, "which the inventory does not describe");
    all(&judge_edited(ENTERPRISE, unchanged, "sizing.cluster"), Status::Pass);
    // More than six IM&P nodes in one cluster.
    let f = clean("sizing.cluster", |t| {
        let nodes = table_at(t, &["cisco"]).get_mut("nodes").and_then(|v| v.as_array_mut()).expect("nodes");
        for i in 2..8 {
            let mut n = nodes[1].clone();
            if let Some(t) = n.as_table_mut() {
                t.insert("fqdn".into(), s(&format!("imp{i}.contoso.com")));
                t.remove("evidence");
            }
            nodes.push(n);
        }
    });
    has(&f, "cluster", Status::Fail, "a cluster holds at most 6");
}

#[test]
fn sizing_federation_capacity() {
    let id = "sizing.federation-capacity";
    // The 5000-user OVA carries 90,000 federated contacts (PIF guide 12.5(1)).
    has(&clean(id, unchanged), "imp1.contoso.com", Status::Pass, "within the estimated 3000");
    has(
        &clean(id, |t| drop(table_at(t, &["site"]).insert("average_contacts".into(), Value::Integer(100)))),
        "imp1.contoso.com",
        Status::Warn,
        "exceed the estimated 900",
    );
    // Unknown contact lists: the guide's worst case (200) is assumed, and said.
    let f = clean(id, |t| drop(table_at(t, &["site"]).remove("average_contacts")));
    has(&f, "imp1.contoso.com", Status::Warn, "exceed the estimated 450");
    assert!(f.iter().any(|f| f.detail.as_deref().is_some_and(|d| d.contains("assumed 200"))), "{f:?}");
}

#[test]
fn software_migration_host() {
    let id = "software.migration-host";
    has(&clean(id, unchanged), "migration host", Status::Skip, "no user migration");
    let migrating = |dotnet: &str| {
        let dotnet = dotnet.to_string();
        move |t: &mut toml::Table| {
            table_at(t, &["site"]).insert("migrating_users".into(), Value::Boolean(true));
            let host = table_at(t, &["migration_host"]);
            host.insert("os".into(), s("Windows Server 2016"));
            host.insert("dotnet".into(), s(&dotnet));
        }
    };
    has(&clean(id, migrating("4.8")), "Windows Server 2016", Status::Pass, ".NET Framework 4.8");
    has(&clean(id, migrating("1.1")), "Windows Server 2016", Status::Fail, "older than 2.0");
}

#[test]
fn software_microsoft_tools() {
    let id = "software.microsoft-tools";
    all(&clean(id, unchanged), Status::Pass);
    let f = clean(id, |t| drop(table_at(t, &["microsoft"]).insert("admin_tools".into(), Value::Boolean(false))));
    has(&f, "Lync / Skype for Business administrative tools", Status::Fail, "missing");
    let f = clean(id, |t| drop(table_at(t, &["microsoft"]).remove("active_directory")));
    has(&f, "Active Directory", Status::Skip, "not stated");
}

#[test]
fn clients_supported() {
    all(&clean("clients.supported", unchanged), Status::Pass);
    let f = clean("clients.supported", |t| {
        drop(table_at(t, &["clients"]).insert("microsoft".into(), strings(&["sfb2015", "lync-mac-2011", "pidgin"])))
    });
    has(&f, "lync-mac-2011", Status::Fail, "not supported");
    has(&f, "pidgin", Status::Fail, "not a Microsoft client supported");
    let f = clean("clients.supported", |t| drop(t.remove("clients")));
    has(&f, "clients", Status::Skip, "no clients listed");
}

#[test]
fn clients_directory_uri() {
    let id = "clients.directory-uri";
    has(&clean(id, unchanged), "clients", Status::Skip, "not applicable");
    let uri = |t: &mut toml::Table| drop(table_at(t, &["site"]).insert("im_address_scheme".into(), s("directory-uri")));
    has(&clean(id, uri), "jabber-windows 14.1", Status::Pass, "supports Directory URI");
    let f = clean(id, |t| {
        uri(t);
        array_item(t, &["clients"], "cisco", 0).insert("version".into(), s("9.6"));
    });
    has(&f, "jabber-windows 9.6", Status::Fail, "predates Directory URI support");
    let f = clean(id, |t| {
        uri(t);
        table_at(t, &["clients"]).insert(
            "cisco".into(),
            Value::Array(vec![Value::Table(toml::toml! { name = "cupc"
            version = "8.5" })]),
        );
    });
    has(&f, "cupc 8.5", Status::Fail, "does not support the Directory URI IM address scheme");
    let f = clean(id, |t| {
        uri(t);
        array_item(t, &["clients"], "cisco", 0).remove("version");
    });
    has(&f, "jabber-windows", Status::Skip, "version is not stated");
}

#[test]
fn domains_shared() {
    has(&clean("domains.shared", unchanged), "contoso.com", Status::Pass, "also a presence domain");
    let f = clean("domains.shared", |t| {
        drop(table_at(t, &["microsoft"]).insert("sip_domains".into(), strings(&["contoso.com", "contoso.net"])))
    });
    has(&f, "contoso.net", Status::Fail, "left out");
    let f = clean("domains.shared", |t| drop(table_at(t, &["microsoft"]).insert("sip_domains".into(), strings(&[]))));
    has(&f, "domains", Status::Skip, "no Microsoft SIP domains");
}

#[test]
fn imp_acl() {
    let f = clean("imp.acl", unchanged);
    has(&f, "fe2.contoso.com", Status::Pass, "in the incoming ACL");
    has(&f, "acl addresses", Status::Skip, "live probes not run");
    let f = clean("imp.acl", |t| {
        drop(table_at(t, &["cisco", "federation"]).insert("acl".into(), strings(&["sfbpool.contoso.com", "fe1.contoso.com"])))
    });
    has(&f, "fe2.contoso.com", Status::Fail, "not in IM&P's incoming ACL");
    let f = clean("imp.acl", |t| drop(table_at(t, &["cisco", "federation"]).insert("acl".into(), strings(&[]))));
    has(&f, "acl", Status::Skip, "not described");
    let f = clean("imp.acl", |t| drop(table_at(t, &["cisco", "federation"]).insert("acl".into(), strings(&["all"]))));
    has(&f, "acl", Status::Pass, "allows all");
}

#[test]
fn imp_static_routes() {
    let id = "imp.static-routes";
    has(&clean(id, unchanged), "contoso.com via fe1.contoso.com", Status::Pass, ".com.contoso.*");
    let f = clean(id, |t| drop(table_at(t, &["cisco", "federation"]).remove("static_routes")));
    has(&f, "contoso.com", Status::Fail, "add a domain route with pattern .com.contoso.*");
    let f = clean(id, |t| {
        drop(array_item(t, &["cisco", "federation"], "static_routes", 1).insert("next_hop".into(), s("sfbpool.contoso.com")))
    });
    has(&f, "contoso.com via sfbpool.contoso.com", Status::Fail, "the next hop is the pool name");
    let f = clean(id, |t| drop(table_at(t, &["microsoft"]).insert("sip_domains".into(), strings(&["contoso.net"]))));
    has(&f, "imp routes", Status::Skip, "no domain is shared");
}

#[test]
fn routes_static_route() {
    let id = "routes.static-route";
    has(&clean(id, unchanged), "contoso.com", Status::Pass, "imp-rt.contoso.com:5061 over TLS");
    let f = clean(id, |t| drop(array_item(t, &["microsoft"], "static_routes", 0).insert("destination".into(), s("vcs.contoso.com"))));
    has(&f, "contoso.com", Status::Fail, "points at vcs.contoso.com");
    let f = clean(id, |t| drop(table_at(t, &["microsoft"]).remove("static_routes")));
    has(&f, "routes", Status::Skip, "no Microsoft static routes known");
    let f = judge_edited(ENTERPRISE, unchanged, id);
    has(&f, "northwind.com", Status::Fail, "expe.northwind.com");
    has(&f, "northwind.co.uk", Status::Pass, "imp-rt.northwind.com");
}

#[test]
fn routes_port_match() {
    let id = "routes.port-match";
    has(&clean(id, unchanged), "route contoso.com", Status::Pass, "matches the peer-auth listener port 5061");
    let f = clean(id, |t| drop(table_at(t, &["cisco", "federation"]).insert("peer_auth_port".into(), Value::Integer(5062))));
    has(&f, "route contoso.com", Status::Fail, "peer-auth listener is on 5062");
    let f = clean(id, |t| drop(table_at(t, &["cisco", "federation"]).remove("peer_auth_port")));
    has(&f, "route contoso.com", Status::Skip, "give [cisco.federation] peer_auth_port");
    let f = clean(id, |t| drop(table_at(t, &["cisco", "federation"]).insert("server_auth_port".into(), Value::Integer(5061))));
    has(&f, "route contoso.com", Status::Fail, "server-auth listener (port 5061)");
    let f = clean(id, |t| drop(table_at(t, &["microsoft"]).remove("static_routes")));
    has(&f, "routes", Status::Skip, "no Microsoft static routes known");
}

#[test]
fn routes_vcs_conflict() {
    let id = "routes.vcs-conflict";
    has(&clean(id, unchanged), "contoso.com", Status::Pass, "no VCS/Expressway");
    let f = clean(id, |t| {
        let integ = toml::toml! { kind = "vcs"
        domain = "contoso.com"
        target = "vcs.contoso.com" };
        table_at(t, &["microsoft"]).insert("integrations".into(), Value::Array(vec![Value::Table(integ)]));
    });
    has(&f, "contoso.com", Status::Fail, "breaks that video integration");
    let f = clean(id, |t| drop(array_item(t, &["microsoft"], "static_routes", 0).insert("destination".into(), s("vcs.contoso.com"))));
    has(&f, "contoso.com", Status::Fail, "already sends contoso.com to vcs.contoso.com");
    let f = clean(id, |t| drop(table_at(t, &["microsoft"]).insert("sip_domains".into(), strings(&["contoso.net"]))));
    has(&f, "routes", Status::Skip, "no domain is shared");
}

#[test]
fn routes_exchange_um_conflict() {
    let id = "routes.exchange-um-conflict";
    has(&clean(id, unchanged), "exchange um", Status::Pass, "no Exchange UM integration");
    let f = clean(id, |t| {
        let integ = toml::toml! { kind = "exchange-um"
        domain = "contoso.com" };
        table_at(t, &["microsoft"]).insert("integrations".into(), Value::Array(vec![Value::Table(integ)]));
    });
    has(&f, "contoso.com", Status::Fail, "Exchange UM (on-premises) serves contoso.com");
    let f = clean(id, |t| drop(table_at(t, &["microsoft"]).insert("sip_domains".into(), strings(&["contoso.net"]))));
    has(&f, "routes", Status::Skip, "no domain is shared");
    // Office 365 UM found in Get-CsHostingProvider evidence, without any declaration.
    let f = judge_edited(
        ENTERPRISE,
        |t| {
            table_at(t, &["microsoft"]).remove("integrations");
            table_at(t, &["microsoft", "evidence"]).remove("hosted_voicemail_policies");
        },
        id,
    );
    // The provider alone may serve only Outlook Web App: a question, not a verdict.
    let f = f.iter().find(|f| f.target.starts_with("hosting provider")).unwrap_or_else(|| panic!("{f:#?}"));
    assert_eq!(f.status, Status::Warn);
    assert!(f.summary.contains("exap.um.outlook.com"), "{f:#?}");
    // Shown by a hosted voice mail policy to Exchange Online, without any declaration.
    let f = judge_edited(ENTERPRISE, |t| drop(table_at(t, &["microsoft"]).remove("integrations")), id);
    has(&f, "hosted voicemail policy Tag:ExUMOnline", Status::Fail, "hosted voice mail to exap.um.outlook.com");
    // Declared: Exchange Online UM is in use, so the provider is the conflict.
    let f = judge_edited(ENTERPRISE, unchanged, id);
    has(&f, "hosting provider Exchange Online", Status::Fail, "exap.um.outlook.com");
}

#[test]
fn routes_trusted_application() {
    let id = "routes.trusted-application";
    has(&clean(id, unchanged), "trusted application", Status::Skip, "no Get-CsTrustedApplicationPool evidence");
    let f = judge_edited(ENTERPRISE, unchanged, id);
    has(&f, "pool imp-rt.northwind.com", Status::Pass, "on port 5061");
    let f =
        judge_edited(ENTERPRISE, |t| drop(table_at(t, &["cisco", "federation"]).insert("peer_auth_port".into(), Value::Integer(5062))), id);
    has(&f, "pool imp-rt.northwind.com", Status::Fail, "peer-auth port is 5062");
    // The routing node is not among the pool's computers.
    let f = judge_edited(ENTERPRISE, |t| drop(array_item(t, &["cisco"], "nodes", 0).insert("fqdn".into(), s("imp-r.northwind.com"))), id);
    assert!(
        f.iter().any(|x| x.status == Status::Fail
            && x.summary.contains("the pool's computers miss an IM&P node that sends requests to the Microsoft side: imp-r.northwind.com")),
        "{f:#?}"
    );
    // Without the peer-auth port the application port cannot be judged.
    let f = judge_edited(ENTERPRISE, |t| drop(table_at(t, &["cisco", "federation"]).remove("peer_auth_port")), id);
    has(&f, "pool imp-rt.northwind.com", Status::Skip, "give [cisco.federation] peer_auth_port");
    // A registrar that is no pool of this site.
    let f = judge_edited(
        ENTERPRISE,
        |t| drop(array_item(t, &["microsoft"], "pools", 0).insert("fqdn".into(), s("sfbpool2.northwind.com"))),
        id,
    );
    assert!(
        f.iter()
            .any(|x| x.status == Status::Warn && x.summary.contains("registrar is sfbpool.northwind.com, not a pool of this inventory")),
        "{f:#?}"
    );
}

#[test]
fn routing_node_dedicated() {
    let id = "routing-node.dedicated";
    has(&clean(id, unchanged), "cluster", Status::Pass, "routing node: imp-rt.contoso.com");
    has(
        &clean(id, |t| drop(array_item(t, &["cisco"], "nodes", 0).insert("role".into(), s("users")))),
        "cluster",
        Status::Fail,
        "none has the routing role",
    );
    let f = clean(id, |t| {
        let nodes = table_at(t, &["cisco"]).get_mut("nodes").and_then(|v| v.as_array_mut()).expect("nodes");
        nodes.retain(|n| n.get("product").and_then(|p| p.as_str()) == Some("cucm"));
    });
    has(&f, "cluster", Status::Skip, "no IM&P node");
}

#[test]
fn routing_node_no_users() {
    let id = "routing-node.no-users";
    has(&clean(id, unchanged), "imp-rt.contoso.com", Status::Pass, "no users");
    has(
        &clean(id, |t| drop(array_item(t, &["cisco"], "nodes", 0).insert("users".into(), Value::Integer(10)))),
        "imp-rt.contoso.com",
        Status::Warn,
        "10 users",
    );
    has(&clean(id, |t| drop(array_item(t, &["cisco"], "nodes", 0).remove("users"))), "imp-rt.contoso.com", Status::Skip, "not stated");
}

#[test]
fn routing_node_services() {
    let id = "routing-node.services";
    all(&clean(id, unchanged), Status::Pass);
    let f = judge_edited(ENTERPRISE, unchanged, id);
    let rt = finding(&f, "imp-rt.northwind.com");
    assert_eq!(rt.status, Status::Fail);
    for s in ["Cisco Presence Engine is STARTED", "Cisco XCP Connection Manager is STARTED", "Cisco XCP Text Conference Manager is STARTED"]
    {
        assert!(rt.summary.contains(s), "{}", rt.summary);
    }
    let f = clean(id, |t| drop(array_item(t, &["cisco"], "nodes", 1).remove("evidence")));
    has(&f, "imp1.contoso.com", Status::Skip, "no `utils service list` evidence");
}

#[test]
fn ha_load_balancer() {
    let id = "ha.load-balancer";
    has(&clean(id, unchanged), "routing nodes", Status::Skip, "not applicable");
    let two = |t: &mut toml::Table| drop(array_item(t, &["cisco"], "nodes", 1).insert("role".into(), s("routing")));
    has(&clean(id, two), "routing nodes", Status::Fail, "no load balancer");
    let f = clean(id, |t| {
        two(t);
        table_at(t, &["network"]).insert(
            "load_balancer".into(),
            Value::Table(toml::toml! { fqdn = "imp-lb.contoso.com"
            hardware = true }),
        );
        array_item(t, &["microsoft"], "static_routes", 0).insert("destination".into(), s("imp-lb.contoso.com"));
    });
    has(&f, "imp-lb.contoso.com", Status::Pass, "hardware load balancer");
    has(&f, "imp-lb.contoso.com dns", Status::Skip, "live probes not run");
    // A software balancer, and a route that bypasses the balancer.
    let f = clean(id, |t| {
        two(t);
        table_at(t, &["network"]).insert(
            "load_balancer".into(),
            Value::Table(toml::toml! { fqdn = "imp-lb.contoso.com"
            hardware = false }),
        );
    });
    has(&f, "imp-lb.contoso.com", Status::Fail, "not a hardware load balancer");
    has(&f, "route contoso.com", Status::Fail, "targets imp-rt.contoso.com, not the load balancer imp-lb.contoso.com");
}

#[test]
fn change_restart_window() {
    let id = "change.restart-window";
    has(&clean(id, unchanged), "2027-02-06T21:00:00 – 2027-02-07T01:00:00 America/New_York", Status::Pass, "outside peak hours");
    let f = clean(id, |t| drop(table_at(t, &["change"]).insert("peak_hours".into(), s("20:00-23:00"))));
    has(&f, "2027-02-06T21:00:00 – 2027-02-07T01:00:00 America/New_York", Status::Warn, "reaches into peak hours");
    let f = clean(id, |t| drop(table_at(t, &["change"]).remove("restart_window")));
    has(&f, "restart window", Status::Warn, "no window is planned");
    // After the change, a past window is history, not a problem.
    let f = clean(id, |t| {
        table_at(t, &["change"]).insert(
            "restart_window".into(),
            Value::Table(toml::toml! { start = "2026-01-10T22:00:00"
            end = "2026-01-11T01:00:00"
            timezone = "UTC" }),
        );
    });
    has(&f, "2026-01-10T22:00:00 – 2026-01-11T01:00:00 UTC", Status::Info, "the planned window is over");
    demoted(id);
}

#[test]
fn live_checks_skip_offline_with_the_reason() {
    let live: Vec<String> =
        fedcheck::checks::registry().iter().filter(|c| c.reach() == fedcheck::judge::Reach::Live).map(|c| c.id().to_string()).collect();
    assert!(live.len() >= 15, "{live:?}");
    for id in live {
        let f = clean(&id, unchanged);
        assert_eq!(f.len(), 1, "{id}: {f:#?}");
        assert_eq!(f[0].status, Status::Skip);
        assert!(f[0].summary.contains("live probes not run"), "{id}: {}", f[0].summary);
    }
}

#[test]
fn routing_rules_spare_single_node_clusters_and_nodes_with_users() {
    let single = |t: &mut toml::Table| {
        let nodes = table_at(t, &["cisco"]).get_mut("nodes").and_then(|v| v.as_array_mut()).expect("nodes");
        nodes.retain(|n| n.get("fqdn").and_then(|p| p.as_str()) != Some("imp1.contoso.com"));
    };
    has(&clean("routing-node.no-users", single), "cluster", Status::Skip, "single-node cluster");
    // The only node runs the user services: judged as a user node, not told to stop them.
    let f = clean("routing-node.services", single);
    assert!(finding(&f, "imp-rt.contoso.com").summary.contains("judged as a user node"), "{f:#?}");
    // A routing node that still homes users keeps its user services too.
    let f = judge_edited(
        ENTERPRISE,
        |t| drop(array_item(t, &["cisco"], "nodes", 0).insert("users".into(), Value::Integer(50))),
        "routing-node.services",
    );
    let rt = finding(&f, "imp-rt.northwind.com");
    assert!(rt.summary.contains("judged as a user node") && !rt.summary.contains("Presence Engine"), "{rt:#?}");
}

#[test]
fn imp_tls_context() {
    let id = "imp.tls-context";
    has(&clean(id, unchanged), "peer-auth tls context", Status::Pass, "2 of 2 ciphers authenticate with RSA");
    let ec_only = |t: &mut toml::Table| {
        drop(table_at(t, &["cisco", "federation"]).insert("tls_ciphers".into(), strings(&["ECDHE-ECDSA-AES256-GCM-SHA384"])))
    };
    has(&clean(id, ec_only), "peer-auth tls context", Status::Fail, "EC-only cipher list");
    has(
        &clean(id, |t| drop(table_at(t, &["cisco", "federation"]).remove("tls_ciphers"))),
        "peer-auth tls context",
        Status::Skip,
        "not described",
    );
}
