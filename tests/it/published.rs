//! Captures as Cisco and Microsoft published them (`tests/fixtures/published/`, each
//! source in its SOURCES.md): every one is read whole, read as the excerpt it is, or
//! refused with a message that names the real cause and a fix for that platform.

use crate::util::repo;
use fedcheck::evidence::kinds::{EvidenceKind, KINDS};
use fedcheck::evidence::{hardware, network_cluster, service_list, static_routes, status, tls_min_version};

fn fixture(name: &str) -> String {
    fedcheck::evidence::decode(&std::fs::read(repo("tests/fixtures/published").join(name)).expect("fixture"))
}

fn kind(key: &str) -> &'static EvidenceKind {
    KINDS.iter().copied().find(|k| k.key == key).expect("a kind")
}

/// Every fixture of a kind fedcheck reads is read without an error or a cut, except
/// the ones listed (excerpts, or another product's command).
#[test]
fn every_published_layout_is_read() {
    let excerpts = [
        // The guides show the first lines of the list only.
        "service_list--cucm-1251-troubleshooting-guide.txt",
        "service_list--pcd-15-admin-guide-no-echo.txt",
    ];
    let other_commands = ["tls_min_version--uccx-15-client-min-version.txt", "tls_min_version--uccx-15-server-min-version.txt"];
    let refused = ["static_routes--codesalot-2011-lync2010-default-view.txt"];
    let mut read = 0;
    for entry in std::fs::read_dir(repo("tests/fixtures/published")).expect("folder").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(key) = name.split("--").next().filter(|_| name.ends_with(".txt")) else { continue };
        let Some(k) = KINDS.iter().find(|k| k.key == key) else { continue };
        let outcome = (k.check)(&fixture(&name));
        if excerpts.contains(&name.as_str()) {
            assert!(matches!(outcome, Ok(Some(_))), "{name}: an excerpt is read as cut: {outcome:?}");
        } else if other_commands.contains(&name.as_str()) || refused.contains(&name.as_str()) {
            assert!(outcome.is_err(), "{name}: {outcome:?}");
        } else {
            assert_eq!(outcome, Ok(None), "{name}");
        }
        read += 1;
    }
    assert!(read >= 20, "{read} fixtures");
}

#[test]
fn show_network_cluster_as_im_and_presence_and_cucm_print_it() {
    // An IM&P publisher: member rows only, no processnode table, no Successful, no prompt.
    let c = network_cluster::parse(&fixture("network_cluster--technote-217581-imp-publisher.txt")).expect("reads");
    assert_eq!(c.members.len(), 4);
    assert!(c.cut.is_none());
    assert!(c.get("IMPP01.example.com").is_some_and(|m| m.product == "cups" && m.db_role == "DBPub"));
    // No FQDN column (a node without a DNS domain), and the dynamic-cluster trailer.
    let c = network_cluster::parse(&fixture("network_cluster--technote-200411-dynamic-cluster.txt")).expect("reads");
    assert_eq!(c.members.len(), 3);
    let publisher = c.get("CMPUB").expect("the row without an FQDN");
    assert_eq!((publisher.fqdn.as_str(), publisher.hostname.as_str()), ("CMPUB", "CMPUB"));
    assert_eq!(publisher.role, network_cluster::ClusterRole::Publisher);
    assert!(c.cut.is_none());
    // A row a console wrapped before `authenticated`.
    let c = network_cluster::parse(&fixture("network_cluster--cucm-admin-guide-1251su3-wrapped-row.txt")).expect("reads");
    assert_eq!(c.members.len(), 2);
    assert!(c.members.iter().all(|m| m.authenticated));
    // A row cut at the capture's end is still a cut.
    let text = fixture("network_cluster--technote-217581-imp-publisher.txt");
    let cut = text.trim_end().rsplit_once(" DBSub").map(|(head, _)| head.to_string()).expect("a DBSub row");
    let c = network_cluster::parse(&cut).expect("reads");
    assert!(c.cut.is_some(), "{c:?}");
}

#[test]
fn service_lists_as_published() {
    let list = service_list::parse(&fixture("service_list--vvb-1261-operations-guide.txt")).expect("reads");
    assert!(list.cut.is_none());
    for name in ["Cisco RTMT Reporter Servlet", "Cisco Speechserver", "Cisco Syslog Agent", "Cisco DirSync"] {
        assert!(list.services.iter().any(|s| s.name == name), "{name}");
    }
    let list = service_list::parse(&fixture("service_list--technote-214607-hcmf-component-not-running.txt")).expect("reads");
    let ui = list.services.iter().find(|s| s.name == "Cisco HCS Admin UI").expect("listed");
    assert_eq!(ui.state, service_list::ServiceState::Stopped);
    assert_eq!(ui.reason.as_deref(), Some("Component is not running"));
    // An excerpt is never a whole list: what it does not show is unknown.
    let excerpt = service_list::parse(&fixture("service_list--cucm-1251-troubleshooting-guide.txt")).expect("reads");
    assert!(excerpt.cut.expect("cut").reason.contains("Cisco Tomcat"));
}

#[test]
fn hardware_and_status_as_published() {
    for name in [
        "hardware--unicon-vos-docs-paging-stripped.txt",
        "hardware--unicon-vos-docs-raw-pager.txt",
        "hardware--unicon-vos-pager-escapes-constructed.txt",
        "hardware--technote-221038-flattened-reconstructed.txt",
    ] {
        let hw = hardware::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(hw.processors.is_some() && hw.memory_mb.is_some(), "{name}: {hw:?}");
        assert!(hw.cut.is_none(), "{name}");
    }
    for name in [
        "status--github-capture-cucm-1251-indented.txt",
        "status--technote-200581-cucm-1001-flattened-reconstructed.txt",
        "status--technote-221038-cucm-1251-flattened-reconstructed.txt",
    ] {
        let st = status::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(st.cut.is_none(), "{name}");
    }
    // The note someone added after a disk row is not part of it.
    let st = status::parse(&fixture("status--technote-221038-cucm-1251-flattened-reconstructed.txt")).expect("reads");
    assert!(format!("{st:?}").contains("logging"), "{st:?}");
}

#[test]
fn tls_min_version_as_published() {
    let v = tls_min_version::parse(&fixture("tls_min_version--pcd-14-cli-reference.txt")).expect("reads");
    assert!(format!("{v:?}").contains("1.0"), "{v:?}");
    // UCCX splits the command in two: named, not misread.
    let e = (kind("tls_min_version").check)(&fixture("tls_min_version--uccx-15-server-min-version.txt")).unwrap_err();
    assert!(e.message.contains("show tls server min-version"), "{}", e.message);
}

#[test]
fn lync_2010_default_route_view_is_refused_with_a_fix_that_works_there() {
    let e = static_routes::parse(&fixture("static_routes--codesalot-2011-lync2010-default-view.txt")).unwrap_err();
    // The value is quoted whole (not cut so that it looks damaged) and named for what it is.
    assert!(e.message.contains("ReplaceHostInRequestUri=False"), "{}", e.message);
    assert!(e.message.contains("has no destination"), "{}", e.message);
    // The fix works on PowerShell 2.0: JSON is offered only for 3.0 and later.
    assert!(e.message.contains("PowerShell 2.0"), "{}", e.message);
    assert!(e.message.contains("from PowerShell 3.0 on"), "{}", e.message);
    // The expanded form the same blog shows is read.
    let r = static_routes::parse(&fixture("static_routes--codesalot-2011-expanded-route.txt")).expect("reads");
    assert_eq!(r.routes[0].destination, "vcs.example.com");
    assert_eq!(r.routes[0].port, 5061);
}
