//! The IM&P node's own SOAP answers, as `fedcheck collect imp` saves them: Control
//! Center Services `soapGetServiceStatus` and the platform services (PAWS)
//! `getActiveVersion`, `getHardwareInformation` and `getClusterStatus` /
//! `getClusterNodes`. Each is read into the same model as the CLI capture it stands in
//! for (`utils service list`, `show status`, `show hardware`, `show network cluster`),
//! so the checks cannot tell which one the administrator supplied.
//!
//! Element names are matched by local name: the nodes answer with different prefixes
//! (`ns1:`, `ns:`, `ax217:`, none) from release to release.

use std::net::IpAddr;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::hardware::Hardware;
use super::network_cluster::{Cluster, ClusterRole, Member};
use super::service_list::{Service, ServiceList, ServiceState};
use super::status::ShowStatus;
use super::ParseError;

/// Deeper nesting than any of these answers has is refused (a hostile file).
const MAX_DEPTH: usize = 64;

/// Whether an evidence text is XML rather than CLI output: CLI captures never begin
/// with `<`.
pub fn looks_like_xml(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<?xml") || (t.starts_with('<') && t.get(..512.min(t.len())).unwrap_or(t).contains("Envelope"))
}

/// `utils service list` or a `soapGetServiceStatus` answer.
pub fn service_list_any(text: &str) -> Result<ServiceList, ParseError> {
    if looks_like_xml(text) {
        services(text)
    } else {
        super::service_list::parse(text)
    }
}

/// `show hardware` or a `getHardwareInformation` answer.
pub fn hardware_any(text: &str) -> Result<Hardware, ParseError> {
    if looks_like_xml(text) {
        hardware(text)
    } else {
        super::hardware::parse(text)
    }
}

/// `show status` or a `getActiveVersion` answer (which gives the version only).
pub fn status_any(text: &str) -> Result<ShowStatus, ParseError> {
    if looks_like_xml(text) {
        version(text)
    } else {
        super::status::parse(text)
    }
}

/// `show network cluster` or a `getClusterStatus` / `getClusterNodes` answer.
pub fn cluster_any(text: &str) -> Result<Cluster, ParseError> {
    if looks_like_xml(text) {
        cluster(text)
    } else {
        super::network_cluster::parse(text)
    }
}

/// What a SOAP answer is, before reading it as a particular response.
#[derive(Debug, Clone, PartialEq)]
pub enum Inspection {
    /// Well-formed and not a fault.
    Answer,
    /// A SOAP fault: its faultstring (or faultcode).
    Fault(String),
    /// Not well-formed XML.
    Malformed(ParseError),
}

/// Classify an answer: well-formed, fault, or not XML at all.
pub fn inspect(text: &str) -> Inspection {
    match tree(text) {
        Err(e) => Inspection::Malformed(e),
        Ok(root) => match fault_of(&root) {
            Some(f) => Inspection::Fault(f),
            None => Inspection::Answer,
        },
    }
}

/// One element: local name, its own text (trimmed), the line it starts on.
#[derive(Debug, Default)]
struct El {
    name: String,
    text: String,
    line: usize,
    children: Vec<El>,
}

impl El {
    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Depth-first: every element called `name`, this one included.
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        if self.is(name) {
            out.push(self);
        }
        for c in &self.children {
            c.all(name, out);
        }
    }

    fn find(&self, name: &str) -> Option<&El> {
        if self.is(name) {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.is(name))
    }

    /// The trimmed text of child `name`, None when absent, empty or nil.
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }
}

/// Line numbers by byte offset, counted incrementally (offsets only grow while
/// reading, so the whole document is scanned once).
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let end = pos.min(self.text.len());
        if end < self.pos {
            return self.line_slow(end);
        }
        self.line += self.text[self.pos..end].iter().filter(|&&b| b == b'\n').count();
        self.pos = end;
        self.line
    }

    fn line_slow(&self, end: usize) -> usize {
        self.text[..end].iter().filter(|&&b| b == b'\n').count() + 1
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// Read the whole document into a small tree; any well-formedness fault is an error
/// with its line.
fn tree(text: &str) -> Result<El, ParseError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = Reader::from_str(text);
    let mut lines = Lines { text: text.as_bytes(), pos: 0, line: 1 };
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(before);
            ParseError::new(lines.line_slow(at.min(text.len())), format!("not well-formed XML: {e}"))
        })?;
        let line = lines.at(before);
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::new(line, "XML nested deeper than any IM&P answer"));
                }
                if root.is_some() && stack.is_empty() {
                    return Err(ParseError::new(line, "not well-formed XML: a second root element"));
                }
                stack.push(El { name: local(e.local_name().as_ref()), line, ..El::default() });
            }
            Event::Empty(e) => {
                let el = El { name: local(e.local_name().as_ref()), line, ..El::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(ParseError::new(line, "not well-formed XML: a second root element")),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(ParseError::new(line, "not well-formed XML: a closing tag without its opening tag"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| ParseError::new(line, format!("text that is not valid UTF-8: {e}")))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(ParseError::new(line, "not well-formed XML: text outside the root element")),
                }
            }
            Event::CData(c) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&c));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*r {
                        [b'a', b'm', b'p'] => "&".into(),
                        [b'l', b't'] => "<".into(),
                        [b'g', b't'] => ">".into(),
                        [b'q', b'u', b'o', b't'] => "\"".into(),
                        [b'a', b'p', b'o', b's'] => "'".into(),
                        other => {
                            return Err(ParseError::new(line, format!("unknown entity `&{};`", String::from_utf8_lossy(other))));
                        }
                    },
                    Err(e) => return Err(ParseError::new(line, format!("bad character reference: {e}"))),
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            // Declaration, comments, processing instructions, DOCTYPE: nothing to read.
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(ParseError::new(open.line, format!("not well-formed XML: <{}> is never closed (is the file cut short?)", open.name)));
    }
    root.ok_or_else(|| ParseError::new(0, "no XML element found"))
}

fn fault_of(root: &El) -> Option<String> {
    let f = root.find("Fault")?;
    let text = f
        .text_of("faultstring")
        .or_else(|| f.find("Reason").and_then(|r| r.text_of("Text")))
        .or_else(|| f.text_of("faultcode"))
        .unwrap_or("(no faultstring)");
    Some(text.to_string())
}

/// The tree of a non-fault answer that holds `response`.
fn answer<'a>(root: &'a El, response: &str, what: &str) -> Result<&'a El, ParseError> {
    if let Some(f) = fault_of(root) {
        return Err(ParseError::new(0, format!("the node answered with a SOAP fault: {f}")));
    }
    root.find(response).ok_or_else(|| ParseError::new(0, format!("no <{response}> found — is this the node's answer to {what}?")))
}

/// PAWS puts `internal.request.failed` (and remote messages) in `result` when a call fails.
fn paws_result(ret: &El) -> Result<(), ParseError> {
    match ret.text_of("result") {
        Some(r) if r.to_ascii_lowercase().contains("failed") || r.to_ascii_lowercase().contains("denied") => {
            let why: Vec<&str> = {
                let mut keys = Vec::new();
                ret.all("messageKey", &mut keys);
                keys.into_iter().map(|k| k.text.trim()).filter(|k| !k.is_empty()).collect()
            };
            Err(ParseError::new(
                ret.line,
                format!("the node reports `{r}`{}", if why.is_empty() { String::new() } else { format!(" ({})", why.join(", ")) }),
            ))
        }
        _ => Ok(()),
    }
}

fn state_of(status: &str) -> (ServiceState, Option<&'static str>) {
    let w: String = status.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    match w.as_str() {
        "started" => (ServiceState::Started, None),
        "starting" => (ServiceState::Starting, None),
        "stopping" => (ServiceState::Stopping, None),
        "stopped" => (ServiceState::Stopped, None),
        "notactivated" | "deactivated" => (ServiceState::Stopped, Some("Service Not Activated")),
        "notrunning" => (ServiceState::NotRunning, None),
        _ => (ServiceState::Unknown, None),
    }
}

/// The reason text Serviceability pairs with a reason code, for answers that leave
/// `ReasonCodeString` empty.
fn reason_for_code(code: &str) -> Option<&'static str> {
    match code.trim() {
        "-1068" => Some("Service Not Activated"),
        "-1069" => Some("Commanded Out of Service"),
        "-1019" => Some("Component is not running"),
        _ => None,
    }
}

/// Parse a `soapGetServiceStatus` answer into the `utils service list` model.
pub fn services(text: &str) -> Result<ServiceList, ParseError> {
    let root = tree(text)?;
    let resp = answer(&root, "soapGetServiceStatusResponse", "soapGetServiceStatus")?;
    let mut items = Vec::new();
    match resp.find("ServiceInfoList") {
        Some(list) => list.all("item", &mut items),
        None => resp.all("item", &mut items),
    }
    let mut services: Vec<Service> = Vec::new();
    for item in items {
        let Some(name) = item.text_of("ServiceName") else { continue };
        let status = item.text_of("ServiceStatus").unwrap_or("");
        let (state, implied) = state_of(status);
        let reason = item
            .text_of("ReasonCodeString")
            .map(str::to_string)
            .or_else(|| item.text_of("ReasonCode").and_then(reason_for_code).map(str::to_string))
            .or_else(|| implied.map(str::to_string));
        let line = item.child("ServiceName").map_or(item.line, |n| n.line);
        if services.iter().all(|s| !s.name.eq_ignore_ascii_case(name)) {
            services.push(Service { name: name.to_string(), state, reason, line });
        }
    }
    if services.is_empty() {
        let why = resp.find("soapGetServiceStatusReturn").and_then(|r| r.text_of("ReasonString")).unwrap_or("");
        return Err(ParseError::new(
            resp.line,
            format!("the soapGetServiceStatus answer lists no services{}", if why.is_empty() { String::new() } else { format!(": {why}") }),
        ));
    }
    Ok(ServiceList { services, cut: None })
}

/// Parse a `getActiveVersion` answer into the `show status` model (version only).
pub fn version(text: &str) -> Result<ShowStatus, ParseError> {
    let root = tree(text)?;
    let resp = answer(&root, "getActiveVersionResponse", "VersionService getActiveVersion")?;
    let ret = resp.child("return").unwrap_or(resp);
    paws_result(ret)?;
    let v = ["version", "activeVersion", "activeServerVersion"]
        .iter()
        .find_map(|k| ret.find(k).map(|e| e.text.trim()))
        .filter(|v| !v.is_empty());
    match v {
        Some(v) => Ok(ShowStatus { product_version: Some(v.to_string()), ..ShowStatus::default() }),
        None => Err(ParseError::new(ret.line, "the getActiveVersion answer names no version")),
    }
}

/// Parse a `getHardwareInformation` answer into the `show hardware` model.
pub fn hardware(text: &str) -> Result<Hardware, ParseError> {
    let root = tree(text)?;
    let resp = answer(&root, "getHardwareInformationResponse", "HardwareInformationService getHardwareInformation")?;
    let ret = resp.child("return").unwrap_or(resp);
    paws_result(ret)?;
    let hw = ret.find("hardwareInformation").unwrap_or(ret);
    let num = |k: &str| -> Result<Option<u64>, ParseError> {
        match hw.child(k) {
            None => Ok(None),
            Some(e) if e.text.trim().is_empty() => Ok(None),
            Some(e) => {
                let digits: String = e.text.trim().chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u64>().map(Some).map_err(|_| ParseError::new(e.line, format!("<{k}> is `{}`, not a number", e.text.trim())))
            }
        }
    };
    let processors = num("processorCount")?.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let speed = num("processorSpeed")?.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    // PAWS gives memory in megabytes, as `show hardware` does.
    let memory_mb = num("memory")?;
    let model = hw.text_of("model").map(str::to_string);
    let virtual_machine = hw.text_of("virtualMachine").map(|v| v.eq_ignore_ascii_case("true"));
    // The sizing check reads "virtual" in the platform as `show hardware` prints it.
    let platform = match (model, virtual_machine) {
        (Some(m), Some(true)) if !m.to_ascii_lowercase().contains("virtual") => Some(format!("{m} Virtual Machine")),
        (None, Some(true)) => Some("Virtual Machine".to_string()),
        (m, _) => m,
    };
    if processors.is_none() && memory_mb.is_none() {
        return Err(ParseError::new(hw.line, "the getHardwareInformation answer has no processor or memory figures"));
    }
    Ok(Hardware {
        platform,
        processors,
        cpu_type: hw.text_of("processorType").map(str::to_string),
        cpu_speed_mhz: speed,
        memory_mb,
        os_version: None,
        serial: hw.text_of("serialNumber").map(str::to_string),
        // A whole XML document: nothing was cut short.
        cut: None,
    })
}

/// Parse a `getClusterStatus` (or the older `getClusterNodes`) answer into the
/// `show network cluster` model. PAWS does not say which product a member runs, so
/// `product` is left empty.
pub fn cluster(text: &str) -> Result<Cluster, ParseError> {
    let root = tree(text)?;
    let resp = ["getClusterStatusResponse", "getClusterNodesResponse", "getMyClusterNodeResponse"]
        .iter()
        .find_map(|r| root.find(r))
        .ok_or(())
        .or_else(|()| answer(&root, "getClusterStatusResponse", "ClusterNodesService getClusterStatus"))?;
    let ret = resp.child("return").unwrap_or(resp);
    paws_result(ret)?;
    let mut nodes = Vec::new();
    ret.all("clusterNodeStatus", &mut nodes);
    ret.all("clusterNodes", &mut nodes);
    let mut members = Vec::new();
    for n in nodes {
        let Some(addr) = n.text_of("address") else { continue };
        let ip: IpAddr =
            addr.parse().map_err(|_| ParseError::new(n.line, format!("cluster member address `{addr}` is not an IP address")))?;
        let host = n.text_of("hostname").or_else(|| n.text_of("alias")).unwrap_or(addr).to_string();
        let primary = |k: &str| n.text_of(k).is_some_and(|t| t.to_ascii_lowercase().ends_with("primary"));
        let role = if primary("type") || n.text_of("primary").is_some_and(|p| p.eq_ignore_ascii_case("true")) {
            ClusterRole::Publisher
        } else {
            ClusterRole::Subscriber
        };
        let db_role = if primary("dbRole") || (n.child("dbRole").is_none() && role == ClusterRole::Publisher) { "DBPub" } else { "DBSub" };
        // Only getClusterStatus carries a status; a member it reports as anything but
        // online or authenticated is one replication cannot rely on.
        let authenticated = n.text_of("status").is_none_or(|s| {
            let s = s.to_ascii_lowercase();
            (s.contains("online") || s.contains("authenticated")) && !s.contains("not") && !s.contains("offline")
        });
        let hostname = host.split('.').next().unwrap_or(&host).to_string();
        members.push(Member {
            ip,
            fqdn: host,
            hostname,
            role,
            product: String::new(),
            db_role: db_role.to_string(),
            authenticated,
            line: n.line,
        });
    }
    if members.is_empty() {
        return Err(ParseError::new(ret.line, "the ClusterNodesService answer lists no nodes"));
    }
    Ok(Cluster { members, cut: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICES: &str = include_str!("fixtures/soap/imp-rt-services.xml");
    const VERSION: &str = include_str!("fixtures/soap/version.xml");
    const HARDWARE: &str = include_str!("fixtures/soap/hardware.xml");
    const CLUSTER: &str = include_str!("fixtures/soap/cluster-status.xml");

    #[test]
    fn services_read_like_the_cli_list() {
        let list = services(SERVICES).unwrap();
        let pe = list.get("Cisco Presence Engine").unwrap();
        assert_eq!(pe.state, ServiceState::Started);
        assert!(pe.line > 1);
        let dir = list.get("Cisco XCP Directory Service").unwrap();
        assert_eq!(dir.state, ServiceState::Stopped);
        assert_eq!(dir.reason.as_deref(), Some("Service Not Activated"));
        // An empty ReasonCodeString falls back on the reason code.
        let car = list.get("Cisco CAR DB").unwrap();
        assert_eq!(car.reason.as_deref(), Some("Commanded Out of Service"));
        assert_eq!(service_list_any(SERVICES).unwrap(), list);
    }

    #[test]
    fn cli_text_still_goes_to_the_cli_parser() {
        let list = service_list_any("Cisco SIP Proxy[STARTED]\nCisco Tomcat[STARTED]\n").unwrap();
        assert_eq!(list.services.len(), 2);
        assert!(!looks_like_xml("admin:utils service list\n"));
        assert!(looks_like_xml("\u{feff}<?xml version=\"1.0\"?><a/>"));
        assert!(looks_like_xml("<soapenv:Envelope xmlns:soapenv=\"x\"></soapenv:Envelope>"));
    }

    #[test]
    fn version_hardware_cluster() {
        assert_eq!(status_any(VERSION).unwrap().product_version.as_deref(), Some("14.0.1.12900-2"));
        let hw = hardware_any(HARDWARE).unwrap();
        assert_eq!(hw.processors, Some(2));
        assert_eq!(hw.memory_mb, Some(8192));
        assert_eq!(hw.cpu_speed_mhz, Some(2400));
        assert_eq!(hw.platform.as_deref(), Some("VMware Virtual Machine"));
        let c = cluster_any(CLUSTER).unwrap();
        assert_eq!(c.members.len(), 2);
        assert_eq!(c.members[0].role, ClusterRole::Publisher);
        assert_eq!(c.members[0].db_role, "DBPub");
        assert!(c.members[0].authenticated);
        assert_eq!(c.members[1].role, ClusterRole::Subscriber);
        assert!(!c.members[1].authenticated, "offline member");
    }

    #[test]
    fn faults_and_broken_xml_are_named() {
        let fault = "<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Exceeded allowed rate</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
        assert_eq!(inspect(fault), Inspection::Fault("Exceeded allowed rate".into()));
        let e = services(fault).unwrap_err();
        assert!(e.message.contains("SOAP fault: Exceeded allowed rate"), "{}", e.message);
        let cut = &SERVICES[..SERVICES.len() / 2];
        assert!(matches!(inspect(cut), Inspection::Malformed(_)));
        let e = services(cut).unwrap_err();
        assert!(e.message.contains("never closed") || e.message.contains("not well-formed"), "{}", e.message);
        let e = services("<?xml version=\"1.0\"?><a><b></a>").unwrap_err();
        assert!(e.message.contains("not well-formed"), "{}", e.message);
        assert_eq!(inspect(SERVICES), Inspection::Answer);
        // Another call's answer is not a service list.
        assert!(services(VERSION).unwrap_err().message.contains("soapGetServiceStatusResponse"));
    }

    #[test]
    fn paws_failure_result_is_an_error() {
        let failed = VERSION.replace("internal.request.complete", "internal.request.failed");
        assert!(version(&failed).unwrap_err().message.contains("internal.request.failed"));
    }

    #[test]
    fn no_panic_on_cut_or_deep_input() {
        for s in [SERVICES, VERSION, HARDWARE, CLUSTER] {
            for i in (0..s.len()).step_by(97) {
                if s.is_char_boundary(i) {
                    let _ = services(&s[..i]);
                    let _ = version(&s[..i]);
                    let _ = hardware(&s[..i]);
                    let _ = cluster(&s[..i]);
                }
            }
        }
        let deep = "<a>".repeat(10_000);
        assert!(services(&deep).is_err());
    }
}
