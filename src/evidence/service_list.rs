//! IM&P `utils service list`: which services run on a node. The routing-node and
//! user-node service checks read this.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::noise::{self, quote, Line};
use super::{CutShort, ParseError};

/// The services of one node, in the order printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceList {
    /// The services, in the order printed.
    pub services: Vec<Service>,
    /// Set when the capture stops before the list ends: services not listed have an
    /// unknown state, they are not proven absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<CutShort>,
}

impl super::kinds::Evidence for ServiceList {
    fn cut_short(&self) -> Option<&super::CutShort> {
        self.cut.as_ref()
    }
}

impl ServiceList {
    /// The service called `name`, compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }
}

/// One `Name[STATE]  reason` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// The service's name, as printed (e.g. `Cisco SIP Proxy`).
    pub name: String,
    /// The state in brackets.
    pub state: ServiceState,
    /// Text after the bracket, e.g. `Service Not Activated`.
    pub reason: Option<String>,
    /// 1-based line in the capture, for findings that point at evidence.
    pub line: usize,
}

/// A service state as the IM&P CLI reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// `STARTED`: the service runs.
    Started,
    /// `STARTING`: the service is coming up.
    Starting,
    /// `STOPPING`: the service is going down.
    Stopping,
    /// `STOPPED`: the service does not run.
    Stopped,
    /// `NOT RUNNING`: the service does not run (e.g. not activated).
    NotRunning,
    /// `UNKNOWN`: the node cannot tell the service's state.
    Unknown,
}

impl ServiceState {
    fn from_word(word: &str) -> Option<Self> {
        let w: String = word.chars().filter(|c| !c.is_whitespace() && *c != '_').collect();
        match w.to_ascii_uppercase().as_str() {
            "STARTED" => Some(Self::Started),
            "STARTING" => Some(Self::Starting),
            "STOPPING" => Some(Self::Stopping),
            "STOPPED" => Some(Self::Stopped),
            "NOTRUNNING" => Some(Self::NotRunning),
            "UNKNOWN" => Some(Self::Unknown),
            _ => None,
        }
    }
}

impl fmt::Display for ServiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Started => "STARTED",
            Self::Starting => "STARTING",
            Self::Stopping => "STOPPING",
            Self::Stopped => "STOPPED",
            Self::NotRunning => "NOTRUNNING",
            Self::Unknown => "UNKNOWN",
        })
    }
}

/// Parse a `utils service list` capture.
pub fn parse(text: &str) -> Result<ServiceList, ParseError> {
    noise::parse_with(text, &crate::evidence::kinds::SERVICE_LIST.cmd, parse_capture)
}

/// Services every CUCM and IM&P node lists in its alphabetical service list, activated
/// or not, near its end: a capture cut mid-list loses them. (The platform lines before
/// that list, `System NTP` among them, are missing from some releases' output.)
const ALWAYS_LISTED: &[&str] = &["Cisco Tomcat", "Host Resources Agent"];

fn parse_capture(cap: &noise::Capture) -> Result<ServiceList, ParseError> {
    let mut services: Vec<Service> = Vec::new();
    for line in cap.lines() {
        let t = line.text.trim();
        if t.is_empty() || is_header(t) {
            continue;
        }
        if t.eq_ignore_ascii_case("Service Manager is not running") {
            return Err(ParseError::new(
                line.no,
                "Service Manager is not running on this node, so the list does not show the real service states",
            ));
        }
        let parsed = match parse_services(&line) {
            Ok(s) => s,
            // The last line of a capture nothing closes was cut off mid-line: the
            // services before it count, the cut is reported below.
            Err(e) if cap.cut_explains(&e) => break,
            Err(e) => return Err(e),
        };
        for service in parsed {
            // `System SSH` and `Cluster Manager` print again in the main list; the
            // first report wins.
            if services.iter().all(|s| !s.name.eq_ignore_ascii_case(&service.name)) {
                services.push(service);
            }
        }
    }
    let cut = cut_short(cap, &services);
    // The log stopped before the first service: every state is unknown, which the
    // check reports; a finished command with no service is no service list at all.
    let stopped_early = cap.pager_quit.is_some() || (!cap.trailer && !cap.closed && cap.last_data_line().is_some());
    if services.is_empty() && !stopped_early {
        return Err(ParseError::new(0, "no services found — is this the output of `utils service list`?"));
    }
    Ok(ServiceList { services, cut })
}

/// Whether the capture ends before the list does, from positive signs only: the user
/// quit or jumped at the pager, or services every node lists are missing. A copy
/// without the closing `Primary Node =` lines or a prompt is complete: published
/// captures often stop right after the last service.
fn cut_short(cap: &noise::Capture, services: &[Service]) -> Option<CutShort> {
    if let Some(cut) = CutShort::from_pager(cap) {
        return Some(cut);
    }
    let last = cap.last_data_line().unwrap_or(0);
    let missing: Vec<&str> = ALWAYS_LISTED.iter().copied().filter(|n| services.iter().all(|s| !s.name.eq_ignore_ascii_case(n))).collect();
    (!missing.is_empty()).then(|| CutShort {
        line: last,
        reason: format!("{} missing, though every node lists {}", missing.join(", "), if missing.len() == 1 { "it" } else { "them" }),
    })
}

fn is_header(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower.starts_with("requesting service status")
        || lower == "service manager is running"
        || lower == "getting list of all services"
        || lower.starts_with(">> return code")
}

/// A service line; some releases print several services on one line
/// (`Cisco RTMT Reporter Servlet[STARTED] Cisco Speechserver[STARTED]`): what follows
/// a state is the next service when it holds another `[STATE]`, else its reason.
fn parse_services(line: &Line<'_>) -> Result<Vec<Service>, ParseError> {
    let mut out = Vec::new();
    let mut rest = line.text.trim().to_string();
    loop {
        let mut service = parse_service(&Line { text: &rest, ..*line })?;
        match service.reason.take() {
            Some(next) if holds_service(&next) => {
                out.push(service);
                rest = next;
            }
            reason => {
                service.reason = reason;
                out.push(service);
                return Ok(out);
            }
        }
    }
}

/// Whether text after a state holds another service: a bracketed state word.
fn holds_service(after: &str) -> bool {
    let Some(open) = after.find('[') else { return false };
    let Some(close) = after[open..].find(']').map(|c| open + c) else { return false };
    open > 0 && ServiceState::from_word(&after[open + 1..close]).is_some()
}

fn parse_service(line: &Line<'_>) -> Result<Service, ParseError> {
    let t = line.text.trim();
    let Some(open) = t.find('[') else {
        return Err(noise::unrecognised(line, "a service line like `Cisco SIP Proxy[STARTED]`"));
    };
    let Some(close_rel) = t[open..].find(']') else {
        return Err(ParseError::cut_off(line.no, format!("service line {} is cut off before `]` (is the file cut short?)", quote(t))));
    };
    let close = open + close_rel;
    let name = t[..open].trim();
    if name.is_empty() {
        return Err(noise::unrecognised(line, "a service name before `[`"));
    }
    let word = &t[open + 1..close];
    let state = ServiceState::from_word(word).ok_or_else(|| {
        ParseError::new(
            line.no,
            format!(
                "unknown service state `{}` in {} (expected STARTED, STARTING, STOPPING, STOPPED, NOTRUNNING or UNKNOWN)",
                word.trim(),
                quote(t)
            ),
        )
    })?;
    let reason = t[close + 1..].trim();
    Ok(Service { name: name.to_string(), state, reason: (!reason.is_empty()).then(|| reason.to_string()), line: line.no })
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMP_RT: &str = include_str!("../../examples/enterprise/evidence/imp-rt/utils-service-list.txt");
    const IMP_A: &str = include_str!("../../examples/enterprise/evidence/imp-a/utils-service-list.txt");
    const IMP_B: &str = include_str!("../../examples/enterprise/evidence/imp-b/utils-service-list.txt");
    const CONTRACT_RT: &str = include_str!("../../tests/fixtures/contract/evidence/imp-rt/utils-service-list.txt");
    const CONTRACT_IMP1: &str = include_str!("../../tests/fixtures/contract/evidence/imp1/utils-service-list.txt");
    const CONTRACT_IMP2: &str = include_str!("../../tests/fixtures/contract/evidence/imp2/utils-service-list.txt");

    fn state(list: &ServiceList, name: &str) -> ServiceState {
        list.get(name).map(|s| s.state).unwrap_or_else(|| panic!("{name} missing"))
    }

    #[test]
    fn routing_node_sample_shows_the_planted_fault() {
        let list = parse(IMP_RT).unwrap();
        assert!(list.services.len() >= 45, "only {} services", list.services.len());
        for still_on in ["Cisco Presence Engine", "Cisco XCP Connection Manager", "Cisco XCP Text Conference Manager"] {
            assert_eq!(state(&list, still_on), ServiceState::Started, "{still_on}");
        }
        for off in [
            "Cisco XCP Web Connection Manager",
            "Cisco XCP SIP Federation Connection Manager",
            "Cisco XCP XMPP Federation Connection Manager",
            "Cisco XCP Message Archiver",
            "Cisco XCP Directory Service",
            "Cisco XCP Authentication Service",
        ] {
            let s = list.get(off).unwrap();
            assert_eq!(s.state, ServiceState::Stopped, "{off}");
            assert_eq!(s.reason.as_deref(), Some("Service Not Activated"), "{off}");
        }
        assert_eq!(state(&list, "cisco sip proxy"), ServiceState::Started);
        assert_eq!(state(&list, "CISCO XCP ROUTER"), ServiceState::Started);
        // The first `System SSH` (before the header) is kept, with its line.
        let ssh: Vec<_> = list.services.iter().filter(|s| s.name == "System SSH").collect();
        assert_eq!(ssh.len(), 1);
        assert_eq!(ssh[0].line, 3);
    }

    #[test]
    fn user_node_with_crlf_and_pager_prompt() {
        assert!(IMP_A.contains("\r\n"), "sample must keep CRLF endings");
        assert!(IMP_A.contains("options: q=quit"), "sample must keep a pager prompt");
        let list = parse(IMP_A).unwrap();
        assert_eq!(state(&list, "Cisco SIP Proxy"), ServiceState::Started);
        assert_eq!(state(&list, "Cisco XCP SIP Federation Connection Manager"), ServiceState::Started);
        assert!(list.services.iter().all(|s| !s.name.contains("options:")));
        assert!(list.services.iter().all(|s| !s.name.contains('\r')));
        // The service glued behind the pager prompt is still read.
        let glued =
            IMP_A.lines().position(|l| l.starts_with("options:") && l.contains('[')).expect("sample glues a service to a pager prompt");
        assert!(list.services.iter().any(|s| s.line == glued + 1));
    }

    #[test]
    fn healthy_user_node_lf() {
        let list = parse(IMP_B).unwrap();
        assert_eq!(state(&list, "Cisco SIP Proxy"), ServiceState::Started);
        assert_eq!(state(&list, "Cisco XCP SIP Federation Connection Manager"), ServiceState::Started);
        assert_eq!(state(&list, "Cisco Presence Engine"), ServiceState::Started);
    }

    #[test]
    fn contract_files() {
        let rt = parse(CONTRACT_RT).unwrap();
        assert_eq!(rt.services.len(), 51);
        assert_eq!(state(&rt, "Cisco XCP Connection Manager"), ServiceState::Stopped);
        assert_eq!(rt.get("Cisco Presence Engine").map(|s| s.line), Some(25));

        let imp1 = parse(CONTRACT_IMP1).unwrap();
        assert_eq!(imp1.services.len(), 51);
        assert_eq!(state(&imp1, "Cisco SIP Registration Datastore"), ServiceState::Started);

        let imp2 = parse(CONTRACT_IMP2).unwrap();
        let proxy = imp2.get("Cisco SIP Proxy").unwrap();
        assert_eq!(proxy.state, ServiceState::Stopped);
        assert_eq!(proxy.reason.as_deref(), Some("Commanded Out of Service"));
        assert_eq!(proxy.line, 28);
    }

    #[test]
    fn crlf_matches_lf() {
        let crlf = IMP_B.replace('\n', "\r\n");
        assert_eq!(parse(&crlf).unwrap(), parse(IMP_B).unwrap());
    }

    #[test]
    fn a_pager_jump_that_skipped_lines_is_a_cut() {
        let page =
            |from: u32, to: u32, key: &str| format!("options: q=quit, n=next, p=prev, b=begin, e=end (lines {from} - {to} of 6) :{key}");
        let text = format!(
            "admin:utils service list\nCisco Tomcat[STARTED]\nCisco SIP Proxy[STARTED]\n{}\nCisco XCP Router[STARTED]\n{}\nCisco DirSync[STARTED]\n{}\nPrimary Node =true\nadmin:",
            page(1, 2, "n"),
            page(3, 3, "e"),
            page(6, 6, "")
        );
        let list = parse(&text).unwrap();
        assert_eq!(list.services.len(), 4);
        let cut = list.cut.unwrap();
        assert_eq!(cut.line, 8);
        assert!(cut.reason.contains("lines 4-5 of the output were never shown"), "{}", cut.reason);
        // Paged through with n only: nothing skipped (the answer key `n` alone at the
        // end of the pager line is not output either).
        let text = text.replace(&page(3, 3, "e"), &page(3, 3, "n")).replace(&page(6, 6, ""), &page(4, 6, ""));
        let list = parse(&text).unwrap();
        assert_eq!(list.services.len(), 4);
        assert!(list.cut.is_none_or(|c| !c.reason.contains("never shown")), "{text}");
    }

    #[test]
    fn truncated_last_line_is_a_cut() {
        let text = "admin:utils service list\nCisco Tomcat[STARTED]\nCisco SIP Proxy[STAR";
        let list = parse(text).unwrap();
        assert_eq!(list.services.len(), 1);
        assert_eq!(list.cut.unwrap().line, 3);
        // Followed by the prompt, the line is damage: an error naming it.
        let err = parse(&format!("{text}\nadmin:")).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("cut off before `]`"), "{}", err.message);
        assert!(err.message.contains("\"Cisco SIP Proxy[STAR\""), "{}", err.message);
    }

    #[test]
    fn garbled_line_is_named_and_quoted() {
        let text =
            "Cisco Tomcat[STARTED]\n\nthis line is not a service at all and goes on for quite a while longer\nCisco DirSync[STARTED]\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("\"this line is not a service at all and goes on for quite a wh…\""), "{}", err.message);
    }

    #[test]
    fn unknown_state_is_an_error() {
        let err = parse("Cisco Tomcat[STARTED]\nCisco DirSync[PAUSED]\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("`PAUSED`"), "{}", err.message);
    }

    #[test]
    fn rarer_states_parse() {
        let list = parse("A[NOTRUNNING]\nB[Not Running]\nC[UNKNOWN]\nD[STARTING]\nE[STOPPING]\n").unwrap();
        let states: Vec<_> = list.services.iter().map(|s| s.state).collect();
        assert_eq!(
            states,
            vec![ServiceState::NotRunning, ServiceState::NotRunning, ServiceState::Unknown, ServiceState::Starting, ServiceState::Stopping]
        );
        assert_eq!(ServiceState::NotRunning.to_string(), "NOTRUNNING");
        assert_eq!(serde_json::to_string(&ServiceState::NotRunning).unwrap(), "\"not_running\"");
    }

    #[test]
    fn empty_and_header_only_files_are_errors() {
        for text in ["", "\r\n  \n", "admin:utils service list\nRequesting service status, please wait...\nCommand successful\n"] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, 0);
            assert_eq!(err.message, "no services found — is this the output of `utils service list`?");
        }
    }

    #[test]
    fn log_that_stops_before_the_first_service_is_cut() {
        let list = parse("admin:utils service list\nRequesting service status, please wait...\n").unwrap();
        assert!(list.services.is_empty());
        assert_eq!(list.cut.map(|c| c.line), Some(2));
    }

    #[test]
    fn service_manager_down_is_reported() {
        let err = parse("admin:utils service list\nService Manager is not running\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    const MORE: &str = "\x1b[1mPress <enter> for 1 line, <space> for one page, or <q> to quit \x1b[0m";

    #[test]
    fn sip_proxy_glued_behind_the_redrawn_pager_is_read() {
        let text = IMP_RT.replace("Cisco SIP Proxy[STARTED]", &format!("{MORE}\r{}\rCisco SIP Proxy[STARTED]", " ".repeat(66)));
        let list = parse(&text).unwrap();
        let proxy = list.get("Cisco SIP Proxy").unwrap();
        assert_eq!(proxy.state, ServiceState::Started);
        assert_eq!(proxy.line, IMP_RT.lines().position(|l| l == "Cisco SIP Proxy[STARTED]").unwrap() + 1);
        assert!(list.services.iter().all(|s| !s.name.contains("Press")));
        assert_eq!(list.cut, None);
    }

    #[test]
    fn complete_captures_are_not_cut() {
        for text in [IMP_RT, IMP_A, IMP_B, CONTRACT_RT, CONTRACT_IMP1, CONTRACT_IMP2] {
            assert_eq!(parse(text).unwrap().cut, None);
        }
    }

    #[test]
    fn log_that_stops_mid_list_is_cut() {
        let cut: String = CONTRACT_RT.lines().take(30).map(|l| format!("{l}\n")).collect();
        let list = parse(&cut).unwrap();
        let c = list.cut.expect("cut");
        assert_eq!(c.line, 30);
        // A positive sign: the services every node lists near the end are missing.
        assert!(c.reason.contains("Cisco Tomcat, Host Resources Agent missing"), "{}", c.reason);
    }

    #[test]
    fn pager_quit_is_cut_at_the_prompt() {
        let head: String = CONTRACT_RT.lines().take(20).map(|l| format!("{l}\n")).collect();
        let list = parse(&format!("{head}{MORE}\r\nadmin:\n")).unwrap();
        let c = list.cut.expect("cut");
        assert_eq!(c.line, 21);
        assert!(c.reason.contains("pager"), "{}", c.reason);
        // Pressing space instead shows the rest: not cut.
        let rest: String = CONTRACT_RT.lines().skip(20).map(|l| format!("{l}\n")).collect();
        let list = parse(&format!("{head}{MORE}\r{}\r{rest}", " ".repeat(66))).unwrap();
        assert_eq!(list.cut, None);
        assert_eq!(list.services.len(), 51);
    }

    #[test]
    fn prompt_without_always_listed_services_is_cut() {
        let text = "admin:utils service list\nCisco SIP Proxy[STARTED]\nCisco Tomcat[STARTED]\nadmin:\n";
        let c = parse(text).unwrap().cut.expect("cut");
        assert_eq!(c.line, 3);
        assert!(c.reason.contains("Host Resources Agent missing"), "{}", c.reason);
    }

    #[test]
    fn published_layouts_read_whole() {
        // No closing lines and no prompt: complete, as published captures end.
        let text = "admin:utils service list\nRequesting service status, please wait\u{2026}\nSystem SSH [STARTED] \nCisco Tomcat[STARTED]\nHost Resources Agent[STARTED]\n";
        let list = parse(text).unwrap();
        assert_eq!(list.cut, None);
        assert_eq!(list.services[0].name, "System SSH");
        // Several services on one line, a spaced state, a reason after two spaces.
        let text = "Cisco RTMT Reporter Servlet[STARTED] Cisco Speechserver[STARTED] Cisco Syslog Agent[STARTED]\nCisco HCS SDR UI[ STOPPED ]  Component is not running\nCisco DirSync[STOPPED]  Service Not Activated\nCisco Tomcat[STARTED]\nHost Resources Agent[STARTED]\n";
        let list = parse(text).unwrap();
        let names: Vec<&str> = list.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names[..3], ["Cisco RTMT Reporter Servlet", "Cisco Speechserver", "Cisco Syslog Agent"]);
        assert!(list.services[..3].iter().all(|s| s.state == ServiceState::Started && s.reason.is_none()));
        assert_eq!(list.services[3].state, ServiceState::Stopped);
        assert_eq!(list.services[3].reason.as_deref(), Some("Component is not running"));
        assert_eq!(list.services[4].reason.as_deref(), Some("Service Not Activated"));
        assert_eq!(list.cut, None);
    }

    #[test]
    fn wrong_command_is_named() {
        let err = parse("admin:show status\n Host Name : imp-rt\nadmin:\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("`show status`, not of `utils service list`"), "{}", err.message);
    }

    #[test]
    fn round_trips_through_json() {
        let list = parse(IMP_RT).unwrap();
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<ServiceList>(&json).unwrap(), list);
    }
}
