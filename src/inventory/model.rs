//! The inventory's data model: one struct per TOML table, strict about unknown keys.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub site: Site,
    #[serde(default)]
    pub dns: Dns,
    pub cisco: Cisco,
    pub microsoft: Microsoft,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub clients: Clients,
    #[serde(default)]
    pub migration_host: Option<MigrationHost>,
    #[serde(default)]
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    /// Presence domains configured on IM&P.
    pub presence_domains: Vec<String>,
    #[serde(default)]
    pub im_address_scheme: Option<AddressScheme>,
    /// Users move from the Microsoft side to IM&P as part of the project.
    #[serde(default)]
    pub migrating_users: Option<bool>,
    /// Average number of contacts per user, for the federation capacity estimate.
    #[serde(default)]
    pub average_contacts: Option<u32>,
    /// IM&P presence redundancy (high availability) is on: halves federation capacity.
    #[serde(default)]
    pub high_availability: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressScheme {
    Userid,
    DirectoryUri,
}

/// Resolvers each side uses, as "address" or "address:port". Empty = the system's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    #[serde(default)]
    pub imp: Vec<String>,
    #[serde(default)]
    pub microsoft: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cisco {
    pub imp_version: String,
    #[serde(default)]
    pub cucm_version: Option<String>,
    /// Folder or PEM bundle of the CA certificates uploaded to IM&P (cup-trust).
    #[serde(default)]
    pub trust_store: Option<PathBuf>,
    /// Certificate presented when a peer asks for one during probes.
    #[serde(default)]
    pub client_cert: Option<PathBuf>,
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// Whether the Presence Web Service API is used by an application.
    #[serde(default)]
    pub presence_web_service: Option<bool>,
    #[serde(default)]
    pub federation: Federation,
    #[serde(default)]
    pub nodes: Vec<Node>,
}

/// What is configured on IM&P for this integration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Federation {
    #[serde(default)]
    pub peer_auth_port: Option<u16>,
    #[serde(default)]
    pub tls_peer_subjects: Vec<String>,
    #[serde(default)]
    pub acl: Vec<String>,
    #[serde(default)]
    pub tls_ciphers: Vec<String>,
    #[serde(default)]
    pub static_routes: Vec<ImpRoute>,
}

impl Federation {
    /// IM&P's peer-auth listener port (5061 unless stated).
    pub fn peer_auth_port(&self) -> u16 {
        self.peer_auth_port.unwrap_or(5061)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpRoute {
    pub pattern: String,
    #[serde(default = "default_route_type")]
    pub route_type: RouteType,
    pub next_hop: String,
    #[serde(default = "default_sip_port")]
    pub port: u16,
    #[serde(default = "default_transport")]
    pub transport: Transport,
    #[serde(default)]
    pub priority: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteType {
    Domain,
    User,
}

fn default_route_type() -> RouteType {
    RouteType::Domain
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Tls,
    Tcp,
    Udp,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Tls => "TLS",
            Transport::Tcp => "TCP",
            Transport::Udp => "UDP",
        })
    }
}

fn default_transport() -> Transport {
    Transport::Tls
}

fn default_sip_port() -> u16 {
    5061
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub fqdn: String,
    #[serde(default)]
    pub ip: Option<IpAddr>,
    pub product: Product,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub users: Option<u32>,
    #[serde(default)]
    pub sip_port: Option<u16>,
    #[serde(default)]
    pub vm: Option<Vm>,
    #[serde(default)]
    pub evidence: NodeEvidence,
}

impl Node {
    pub fn sip_port(&self) -> u16 {
        self.sip_port.unwrap_or(5061)
    }
    pub fn is_imp(&self) -> bool {
        self.product == Product::Imp
    }
    pub fn is_routing(&self) -> bool {
        self.is_imp() && self.role == Some(Role::Routing)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    Imp,
    Cucm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Routing,
    Users,
    Publisher,
    Subscriber,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vm {
    #[serde(default)]
    pub vcpu: Option<u32>,
    #[serde(default)]
    pub ram_gb: Option<u32>,
    #[serde(default)]
    pub disk_gb: Option<u32>,
    #[serde(default)]
    pub host: Option<HostKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKind {
    Ucs,
    ThirdParty,
    Mcs,
}

/// Evidence files collected on an IM&P or CUCM node (paths relative to the inventory).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEvidence {
    /// `utils service list`
    #[serde(default)]
    pub service_list: Option<PathBuf>,
    /// `show hardware`
    #[serde(default)]
    pub hardware: Option<PathBuf>,
    /// `show status`
    #[serde(default)]
    pub status: Option<PathBuf>,
    /// `show network cluster`
    #[serde(default)]
    pub network_cluster: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Microsoft {
    /// sfb2015 | lync2013 | lync2010 | ocs2007r2 (others are recognised and reported).
    pub platform: String,
    #[serde(default)]
    pub edition: Option<Edition>,
    /// Other Microsoft server platforms still in service (mixed deployments).
    #[serde(default)]
    pub additional_platforms: Vec<String>,
    #[serde(default)]
    pub sip_domains: Vec<String>,
    #[serde(default)]
    pub trust_store: Option<PathBuf>,
    #[serde(default)]
    pub admin_tools: Option<bool>,
    #[serde(default)]
    pub active_directory: Option<bool>,
    #[serde(default)]
    pub evidence: MicrosoftEvidenceFiles,
    #[serde(default)]
    pub pools: Vec<Pool>,
    /// Static routes as configured, when no evidence file is given.
    #[serde(default)]
    pub static_routes: Vec<MicrosoftRoute>,
    #[serde(default)]
    pub integrations: Vec<Integration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    Standard,
    Enterprise,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicrosoftEvidenceFiles {
    /// `Get-CsStaticRoutingConfiguration | Select-Object -ExpandProperty Route` (text or JSON)
    #[serde(default)]
    pub static_routes: Option<PathBuf>,
    /// `Get-CsHostingProvider` (text or JSON)
    #[serde(default)]
    pub hosting_providers: Option<PathBuf>,
    /// `Get-CsTrustedApplicationPool` (text or JSON)
    #[serde(default)]
    pub trusted_application_pools: Option<PathBuf>,
    /// `Get-CsTrustedApplication` (text or JSON)
    #[serde(default)]
    pub trusted_applications: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    pub fqdn: String,
    #[serde(default)]
    pub servers: Vec<String>,
    #[serde(default = "default_sip_port")]
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicrosoftRoute {
    pub match_uri: String,
    pub destination: String,
    #[serde(default = "default_sip_port")]
    pub port: u16,
    #[serde(default = "default_transport")]
    pub transport: Transport,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    pub kind: IntegrationKind,
    pub domain: String,
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntegrationKind {
    Vcs,
    Expressway,
    ExchangeUm,
    ExchangeOnlineUm,
}

impl std::fmt::Display for IntegrationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IntegrationKind::Vcs => "Cisco VCS",
            IntegrationKind::Expressway => "Cisco Expressway",
            IntegrationKind::ExchangeUm => "Exchange UM (on-premises)",
            IntegrationKind::ExchangeOnlineUm => "Exchange Online UM (Office 365)",
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default)]
    pub asa_between: Option<bool>,
    #[serde(default)]
    pub load_balancer: Option<LoadBalancer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub fqdn: String,
    #[serde(default)]
    pub hardware: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clients {
    #[serde(default)]
    pub cisco: Vec<CiscoClient>,
    #[serde(default)]
    pub microsoft: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiscoClient {
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationHost {
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub dotnet: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    #[serde(default)]
    pub restart_window: Option<RestartWindow>,
    /// Local busy hours, "HH:MM-HH:MM".
    #[serde(default)]
    pub peak_hours: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartWindow {
    /// Local civil time, "YYYY-MM-DDTHH:MM:SS".
    pub start: String,
    pub end: String,
    /// IANA time zone, e.g. "Europe/London".
    pub timezone: String,
}

impl Inventory {
    pub fn imp_nodes(&self) -> impl Iterator<Item = &Node> {
        self.cisco.nodes.iter().filter(|n| n.is_imp())
    }
    pub fn routing_nodes(&self) -> impl Iterator<Item = &Node> {
        self.cisco.nodes.iter().filter(|n| n.is_routing())
    }
    /// Every Microsoft server and pool FQDN, pools first, in inventory order.
    pub fn microsoft_fqdns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for pool in &self.microsoft.pools {
            for name in std::iter::once(&pool.fqdn).chain(pool.servers.iter()) {
                let name = name.to_ascii_lowercase();
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        out
    }
    /// Domains both sides serve: Microsoft SIP domains that are IM&P presence domains.
    pub fn shared_domains(&self) -> Vec<String> {
        let presence: Vec<String> = self.site.presence_domains.iter().map(|d| d.to_ascii_lowercase()).collect();
        let mut out: Vec<String> = Vec::new();
        for d in self.microsoft.sip_domains.iter().map(|d| d.to_ascii_lowercase()) {
            if presence.contains(&d) && !out.contains(&d) {
                out.push(d);
            }
        }
        out
    }
    /// Only OCS allows TCP routes: true when every Microsoft platform in service is OCS.
    pub fn platform_is_ocs(&self) -> bool {
        std::iter::once(&self.microsoft.platform)
            .chain(&self.microsoft.additional_platforms)
            .all(|p| p.to_ascii_lowercase().starts_with("ocs"))
    }
}
