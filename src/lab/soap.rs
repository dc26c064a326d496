//! An in-process stand-in for IM&P / CUCM nodes' web services: HTTPS with a minted
//! Tomcat certificate, HTTP Basic authentication, Control Center Services
//! `soapGetServiceStatus` and the platform services (PAWS) version, hardware and
//! cluster operations, answering with the documented envelopes. Faults are planted
//! per node: 401, a hang, malformed XML, a 50 MB answer, a SOAP fault, a certificate
//! for another name, no PAWS. Binds 127.0.0.0/8 only.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use base64::Engine as _;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::pki::{self, Ca, LeafSpec};

/// How a node misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers every documented call.
    Normal,
    /// Every request gets 401, whatever the credentials.
    Unauthorized,
    /// TLS completes, the request is read, no answer ever comes.
    Hang,
    /// 200 with XML cut in the middle.
    Malformed,
    /// 200 with a 50 MB body.
    Huge,
    /// 500 with a SOAP fault.
    Fault,
    /// Control Center Services only: the platform services answer 404.
    NoPaws,
    /// An older release: ClusterNodesService faults on getClusterStatus and only
    /// knows getClusterNodes.
    OldPaws,
}

/// One stand-in node.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// The node's name, in its certificate unless `cert_name` says otherwise.
    pub fqdn: String,
    /// The loopback address it listens on.
    pub ip: Ipv4Addr,
    /// (service name, `Started`/`Stopped`, reason code: -1 none, -1068 not activated).
    pub services: Vec<(String, String, i32)>,
    /// The active version PAWS reports.
    pub version: String,
    /// How it misbehaves, if at all.
    pub behaviour: Behaviour,
    /// Serve a certificate for this name instead of the node's FQDN.
    pub cert_name: Option<String>,
}

impl NodeSpec {
    /// A well-behaved node running `services`.
    pub fn new(fqdn: &str, ip: Ipv4Addr, services: Vec<(String, String, i32)>) -> NodeSpec {
        NodeSpec { fqdn: fqdn.into(), ip, services, version: "14.0.1.12900-2".into(), behaviour: Behaviour::Normal, cert_name: None }
    }
}

/// One request the stand-in received (for tests).
#[derive(Debug, Clone)]
pub struct Seen {
    /// The node asked (by SNI).
    pub node: String,
    /// The HTTP path.
    pub path: String,
    /// The SOAPAction header as sent.
    pub soap_action: String,
    /// Whether the Basic credentials matched.
    pub authorized: bool,
}

/// The running stand-in; stops when dropped.
pub struct SoapLab {
    /// The HTTPS port every node listens on.
    pub port: u16,
    /// The CA that issued every node's certificate, PEM.
    pub ca_pem: String,
    /// Every request received, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for SoapLab {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The nine feature services the routing node must not run, and the rest of an
/// IM&P node's list, as (name, default state on a routing node).
pub fn imp_services(routing: bool, presence_engine_running: bool) -> Vec<(String, String, i32)> {
    const FEATURE: [&str; 9] = [
        "Cisco Presence Engine",
        "Cisco XCP Text Conference Manager",
        "Cisco XCP Web Connection Manager",
        "Cisco XCP Connection Manager",
        "Cisco XCP SIP Federation Connection Manager",
        "Cisco XCP XMPP Federation Connection Manager",
        "Cisco XCP Message Archiver",
        "Cisco XCP Directory Service",
        "Cisco XCP Authentication Service",
    ];
    const ALWAYS: [&str; 10] = [
        "A Cisco DB",
        "Cisco AMC Service",
        "Cisco Config Agent",
        "Cisco SIP Proxy",
        "Cisco Sync Agent",
        "Cisco Tomcat",
        "Cisco XCP Config Manager",
        "Cisco XCP Router",
        "Platform Administrative Web Service",
        "System NTP",
    ];
    let mut out: Vec<(String, String, i32)> = ALWAYS.iter().map(|s| (s.to_string(), "Started".into(), -1)).collect();
    for s in FEATURE {
        let on = !routing || (s == "Cisco Presence Engine" && presence_engine_running);
        out.push((s.to_string(), if on { "Started" } else { "Stopped" }.into(), if on { -1 } else { -1068 }));
    }
    out.sort();
    out
}

/// A CUCM publisher's list (none of the IM&P feature services).
pub fn cucm_services() -> Vec<(String, String, i32)> {
    [
        "A Cisco DB",
        "Cisco CallManager",
        "Cisco CTIManager",
        "Cisco Tftp",
        "Cisco Tomcat",
        "Cisco AXL Web Service",
        "Platform Administrative Web Service",
    ]
    .iter()
    .map(|s| (s.to_string(), "Started".to_string(), -1))
    .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A `soapGetServiceStatus` answer in the node's rpc/encoded style.
pub fn services_xml(services: &[(String, String, i32)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n <soapenv:Body>\n  <ns1:soapGetServiceStatusResponse soapenv:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:ns1=\"http://schemas.cisco.com/ast/soap\">\n   <soapGetServiceStatusReturn xsi:type=\"ns1:ServiceInformationResponse\">\n    <ReturnCode xsi:type=\"ns1:ReturnCode\">0</ReturnCode>\n    <ReasonCode xsi:type=\"xsd:int\">-1</ReasonCode>\n    <ReasonString xsi:type=\"xsd:string\" xsi:nil=\"true\"/>\n",
    );
    s.push_str(&format!(
        "    <ServiceInfoList soapenc:arrayType=\"ns1:ServiceInformation[{}]\" xsi:type=\"soapenc:Array\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\">\n",
        services.len()
    ));
    for (name, status, code) in services {
        let reason = match code {
            -1068 => "<ReasonCodeString xsi:type=\"xsd:string\">Service Not Activated</ReasonCodeString>".to_string(),
            -1069 => "<ReasonCodeString xsi:type=\"xsd:string\">Commanded Out of Service</ReasonCodeString>".to_string(),
            _ => "<ReasonCodeString xsi:type=\"xsd:string\" xsi:nil=\"true\"/>".to_string(),
        };
        s.push_str(&format!(
            "     <item xsi:type=\"ns1:ServiceInformation\">\n      <ServiceName xsi:type=\"xsd:string\">{}</ServiceName>\n      <ServiceStatus xsi:type=\"ns1:ServiceStatus\">{}</ServiceStatus>\n      <ReasonCode xsi:type=\"xsd:int\">{code}</ReasonCode>\n      {reason}\n      <StartTime xsi:type=\"xsd:string\">Tue Nov 24 09:14:07 2026</StartTime>\n      <UpTime xsi:type=\"xsd:int\">96453</UpTime>\n     </item>\n",
            esc(name),
            esc(status)
        ));
    }
    s.push_str("    </ServiceInfoList>\n   </soapGetServiceStatusReturn>\n  </ns1:soapGetServiceStatusResponse>\n </soapenv:Body>\n</soapenv:Envelope>\n");
    s
}

fn paws(op: &str, inner: &str) -> String {
    format!(
        "<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><ns:{op}Response xmlns:ns=\"http://services.api.platform.vos.cisco.com\"><ns:return xmlns:ax21=\"http://element.services.api.platform.vos.cisco.com/xsd\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><ax21:result>internal.request.complete</ax21:result>{inner}</ns:return></ns:{op}Response></soapenv:Body></soapenv:Envelope>"
    )
}

/// A PAWS getActiveVersion answer.
pub fn version_xml(version: &str) -> String {
    paws("getActiveVersion", &format!("<ax21:version>{}</ax21:version>", esc(version)))
}

/// A PAWS getHardwareInformation answer.
pub fn hardware_xml() -> String {
    paws(
        "getHardwareInformation",
        "<ax21:hardwareInformation><ax21:diskCount>1</ax21:diskCount><ax21:diskInformation><ax21:number>1</ax21:number><ax21:size>80</ax21:size><ax21:total>1</ax21:total></ax21:diskInformation><ax21:memory>8192</ax21:memory><ax21:model>VMware</ax21:model><ax21:processorCount>2</ax21:processorCount><ax21:processorSpeed>2400</ax21:processorSpeed><ax21:processorType>Intel(R) Xeon(R) Gold 6242 CPU @ 2.80GHz</ax21:processorType><ax21:serialNumber>VMware-42 lab</ax21:serialNumber><ax21:virtualMachine>true</ax21:virtualMachine></ax21:hardwareInformation>",
    )
}

/// A PAWS cluster answer (`op` names the operation) listing `nodes`.
pub fn cluster_xml(op: &str, nodes: &[(String, Ipv4Addr)]) -> String {
    let elem = if op == "getClusterStatus" { "clusterNodeStatus" } else { "clusterNodes" };
    let first = nodes.first().map(|n| n.1.to_string()).unwrap_or_default();
    let inner: String = nodes
        .iter()
        .enumerate()
        .map(|(i, (fqdn, ip))| {
            let t = if i == 0 { "primary" } else { "secondary" };
            let host = fqdn.split('.').next().unwrap_or(fqdn);
            let status = if op == "getClusterStatus" {
                format!("<ax21:dbRole>cluster.node.type.{t}</ax21:dbRole><ax21:role>{}</ax21:role><ax21:status>cluster.node.status.online</ax21:status>", i + 1)
            } else {
                String::new()
            };
            format!("<ax21:{elem}><ax21:address>{ip}</ax21:address><ax21:alias></ax21:alias><ax21:hostname>{host}</ax21:hostname><ax21:primaryNode>{first}</ax21:primaryNode><ax21:type>cluster.node.type.{t}</ax21:type>{status}</ax21:{elem}>")
        })
        .collect();
    paws(op, &inner)
}

/// A SOAP fault with `text` as its fault string.
pub fn fault_xml(text: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>{}</faultstring><detail/></soapenv:Fault></soapenv:Body></soapenv:Envelope>",
        esc(text)
    )
}

type Body = BoxBody<Bytes, std::io::Error>;

fn full(status: StatusCode, text: String) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(text)).map_err(|never: Infallible| match never {}).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"));
    r
}

/// 50 MB of well-formed-looking XML, streamed.
fn huge() -> Response<Body> {
    let chunk = Bytes::from(vec![b' '; 64 * 1024]);
    let head = Bytes::from_static(
        b"<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>",
    );
    let frames = std::iter::once(head).chain(std::iter::repeat_n(chunk, 800)).map(|b| Ok::<_, std::io::Error>(Frame::data(b)));
    let mut r = Response::new(BodyExt::boxed(StreamBody::new(futures::stream::iter(frames))));
    r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"));
    r
}

struct NodeState {
    spec: NodeSpec,
    auth: String,
    cluster: Vec<(String, Ipv4Addr)>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn handle(state: Arc<NodeState>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_string();
    let action = req.headers().get("soapaction").and_then(|v| v.to_str().ok()).unwrap_or("").trim_matches('"').to_string();
    let authorized = req.headers().get("authorization").and_then(|v| v.to_str().ok()) == Some(state.auth.as_str());
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    if let Ok(mut seen) = state.seen.lock() {
        seen.push(Seen { node: state.spec.fqdn.clone(), path: path.clone(), soap_action: action.clone(), authorized });
    }
    let b = state.spec.behaviour;
    if b == Behaviour::Unauthorized || !authorized {
        let mut r = full(StatusCode::UNAUTHORIZED, "<html><body>HTTP Status 401 - Unauthorized</body></html>".into());
        r.headers_mut().insert("www-authenticate", hyper::header::HeaderValue::from_static("Basic realm=\"Cisco Platform\""));
        return Ok(r);
    }
    if b == Behaviour::Hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let ok = |t: String| Ok(full(StatusCode::OK, t));
    match path.as_str() {
        "/controlcenterservice2/services/ControlCenterServices" => {
            if !body.contains("soapGetServiceStatus") || action != "soapGetServiceStatus" {
                return Ok(full(StatusCode::INTERNAL_SERVER_ERROR, fault_xml("No such operation")));
            }
            match b {
                Behaviour::Malformed => {
                    let x = services_xml(&state.spec.services);
                    ok(x[..x.len() / 2].to_string())
                }
                Behaviour::Huge => Ok(huge()),
                Behaviour::Fault => Ok(full(StatusCode::INTERNAL_SERVER_ERROR, fault_xml("Exceeded allowed rate for Reatime information"))),
                _ => ok(services_xml(&state.spec.services)),
            }
        }
        p if p.starts_with("/platform-services/services/") => {
            if b == Behaviour::NoPaws {
                return Ok(full(StatusCode::NOT_FOUND, "<html><body>HTTP Status 404 - Not Found</body></html>".into()));
            }
            let service = p.trim_start_matches("/platform-services/services/");
            let op = action.trim_start_matches("urn:");
            match (service, op) {
                ("VersionService", "getActiveVersion") => ok(version_xml(&state.spec.version)),
                ("HardwareInformationService", "getHardwareInformation") => ok(hardware_xml()),
                ("ClusterNodesService", "getClusterStatus") if b == Behaviour::OldPaws => Ok(full(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    fault_xml(&format!("The endpoint reference (EPR) for the Operation not found is {p} and the WSA Action = urn:{op}")),
                )),
                ("ClusterNodesService", "getClusterStatus" | "getClusterNodes") => ok(cluster_xml(op, &state.cluster)),
                _ => Ok(full(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    fault_xml(&format!("The endpoint reference (EPR) for the Operation not found is {p} and the WSA Action = urn:{op}")),
                )),
            }
        }
        _ => Ok(full(StatusCode::NOT_FOUND, "<html><body>HTTP Status 404 - Not Found</body></html>".into())),
    }
}

fn server_config(
    chain: Vec<rustls_pki_types::CertificateDer<'static>>,
    key: rustls_pki_types::PrivateKeyDer<'static>,
) -> Result<ServerConfig> {
    ServerConfig::builder_with_provider(crate::tlskit::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow!("{e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| anyhow!("{e}"))
}

async fn bind_all(ips: &[Ipv4Addr]) -> Result<(u16, Vec<TcpListener>)> {
    for _ in 0..30 {
        let first = TcpListener::bind(SocketAddr::new(IpAddr::V4(*ips.first().ok_or_else(|| anyhow!("no node"))?), 0)).await?;
        let port = first.local_addr()?.port();
        let mut all = vec![first];
        let mut ok = true;
        for ip in &ips[1..] {
            match TcpListener::bind(SocketAddr::new(IpAddr::V4(*ip), port)).await {
                Ok(l) => all.push(l),
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Ok((port, all));
        }
    }
    Err(anyhow!("no common free port on the lab addresses"))
}

/// Start the nodes, all on one port, each on its own 127.x address (an address with
/// no node refuses connections).
pub async fn start(user: &str, password: &str, specs: Vec<NodeSpec>) -> Result<SoapLab> {
    let ca = Ca::new_root("fedcheck lab Tomcat CA")?;
    let key = pki::shared_rsa_key()?;
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
    let cluster: Vec<(String, Ipv4Addr)> = specs.iter().map(|s| (s.fqdn.clone(), s.ip)).collect();
    let ips: Vec<Ipv4Addr> = specs.iter().map(|s| s.ip).collect();
    let (port, listeners) = bind_all(&ips).await.context("binding the SOAP stand-in")?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (spec, listener) in specs.into_iter().zip(listeners) {
        let name = spec.cert_name.clone().unwrap_or_else(|| spec.fqdn.clone());
        let leaf = ca.issue_with_key(&LeafSpec::new(&name), key)?;
        let acceptor = TlsAcceptor::from(Arc::new(server_config(vec![leaf.cert_der.clone(), ca.cert_der()], leaf.private_key())?));
        let state = Arc::new(NodeState { spec, auth: auth.clone(), cluster: cluster.clone(), seen: seen.clone() });
        tasks.push(tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let acceptor = acceptor.clone();
                let state = state.clone();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await else { return };
                    let svc = hyper::service::service_fn(move |req| handle(state.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(tls), svc).await;
                });
            }
        }));
    }
    Ok(SoapLab { port, ca_pem: ca.cert_pem(), seen, tasks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_with_the_evidence_parsers() {
        let svc = services_xml(&imp_services(true, true));
        let list = crate::evidence::soap::services(&svc).unwrap();
        assert_eq!(list.get("Cisco Presence Engine").map(|s| s.state), Some(crate::evidence::service_list::ServiceState::Started));
        assert_eq!(list.get("Cisco XCP Directory Service").and_then(|s| s.reason.clone()).as_deref(), Some("Service Not Activated"));
        assert!(crate::evidence::soap::version(&version_xml("15.0.1.10000-1")).is_ok());
        assert!(crate::evidence::soap::hardware(&hardware_xml()).is_ok());
        let nodes = vec![("a.x".to_string(), Ipv4Addr::new(127, 0, 0, 2)), ("b.x".to_string(), Ipv4Addr::new(127, 0, 0, 3))];
        assert_eq!(crate::evidence::soap::cluster(&cluster_xml("getClusterStatus", &nodes)).unwrap().members.len(), 2);
        assert_eq!(crate::evidence::soap::cluster(&cluster_xml("getClusterNodes", &nodes)).unwrap().members.len(), 2);
        assert!(matches!(crate::evidence::soap::inspect(&fault_xml("x")), crate::evidence::soap::Inspection::Fault(_)));
    }
}
