//! The inventory's data model: one struct per TOML table, strict about unknown keys.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::PathBuf;

/// A site's inventory: both sides of the federation as the admins describe them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// `[site]`: the site's name and its presence domains.
    pub site: Site,
    /// `[dns]`: the resolvers each side uses.
    #[serde(default)]
    pub dns: Dns,
    /// `[cisco]`: the IM&P and CUCM side.
    pub cisco: Cisco,
    /// `[microsoft]`: the Lync/SfB/OCS side.
    pub microsoft: Microsoft,
    /// `[network]`: what sits between the two sides.
    #[serde(default)]
    pub network: Network,
    /// `[clients]`: the client software in use.
    #[serde(default)]
    pub clients: Clients,
    /// `[migration_host]`: the Windows host that runs the user migration tools.
    #[serde(default)]
    pub migration_host: Option<MigrationHost>,
    /// `[change]`: the planned restart window and the site's peak hours.
    #[serde(default)]
    pub change: Change,
}

/// `[site]`: what the deployment is called and which domains it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The site's name, as reports show it.
    pub name: String,
    /// Presence domains configured on IM&P.
    pub presence_domains: Vec<String>,
    /// How IM addresses are formed on IM&P.
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

/// How IM&P forms IM addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressScheme {
    /// `userid@domain`.
    Userid,
    /// The directory URI.
    DirectoryUri,
}

/// Resolvers each side uses, as "address" or "address:port". Empty = the system's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// IM&P's resolvers.
    #[serde(default)]
    pub imp: Vec<String>,
    /// The Microsoft servers' resolvers.
    #[serde(default)]
    pub microsoft: Vec<String>,
}

/// `[cisco]`: the IM&P and CUCM side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cisco {
    /// IM&P release, e.g. `15.0.1`.
    pub imp_version: String,
    /// CUCM release, when stated.
    #[serde(default)]
    pub cucm_version: Option<String>,
    /// Folder or PEM bundle of the CA certificates uploaded to IM&P (cup-trust).
    #[serde(default)]
    pub trust_store: Option<PathBuf>,
    /// Certificate presented when a peer asks for one during probes.
    #[serde(default)]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (unencrypted PEM or DER).
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// Whether the Presence Web Service API is used by an application.
    #[serde(default)]
    pub presence_web_service: Option<bool>,
    /// `[cisco.federation]`: the federation settings on IM&P.
    #[serde(default)]
    pub federation: Federation,
    /// `[[cisco.nodes]]`: every IM&P and CUCM node.
    #[serde(default)]
    pub nodes: Vec<Node>,
}

/// What is configured on IM&P for this integration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Federation {
    /// The peer-auth listener port. Route checks cannot tell without it; probes try
    /// 5061 when absent (see [`Federation::peer_auth_port`]).
    #[serde(default)]
    pub peer_auth_port: Option<u16>,
    /// The server-auth listener port, when stated: it must not sit on the port the
    /// Microsoft route uses.
    #[serde(default)]
    pub server_auth_port: Option<u16>,
    /// TLS peer subjects: the Microsoft servers IM&P accepts as TLS peers.
    #[serde(default)]
    pub tls_peer_subjects: Vec<String>,
    /// Incoming ACL entries (host names or addresses allowed to send SIP).
    #[serde(default)]
    pub acl: Vec<String>,
    /// The TLS context's cipher list, as the admin reads it.
    #[serde(default)]
    pub tls_ciphers: Vec<String>,
    /// Static routes configured on IM&P towards the Microsoft side.
    #[serde(default)]
    pub static_routes: Vec<ImpRoute>,
}

impl Federation {
    /// The port to probe IM&P's peer-auth listener on (5061 unless stated). Checks
    /// that judge the listener read the `peer_auth_port` field instead.
    pub fn peer_auth_port(&self) -> u16 {
        self.peer_auth_port.unwrap_or(5061)
    }
}

/// A static route on IM&P.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpRoute {
    /// Destination pattern, e.g. `.com.example.*`.
    pub pattern: String,
    /// Domain or user route.
    #[serde(default = "default_route_type")]
    pub route_type: RouteType,
    /// The next hop: a Microsoft pool or server, or a load balancer.
    pub next_hop: String,
    /// Next hop port (5061 unless stated).
    #[serde(default = "default_sip_port")]
    pub port: u16,
    /// Next hop transport (TLS unless stated).
    #[serde(default = "default_transport")]
    pub transport: Transport,
    /// Route priority, when stated.
    #[serde(default)]
    pub priority: Option<u32>,
}

/// What an IM&P static route matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteType {
    /// The route matches a domain.
    Domain,
    /// The route matches a user.
    User,
}

fn default_route_type() -> RouteType {
    RouteType::Domain
}

/// A SIP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// SIP over TLS.
    Tls,
    /// SIP over TCP.
    Tcp,
    /// SIP over UDP.
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

/// `[[cisco.nodes]]`: one IM&P or CUCM node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// The node's FQDN.
    pub fqdn: String,
    /// The address it should resolve to, when stated.
    #[serde(default)]
    pub ip: Option<IpAddr>,
    /// IM&P or CUCM.
    pub product: Product,
    /// Its role in the cluster, when stated.
    #[serde(default)]
    pub role: Option<Role>,
    /// Users assigned to the node.
    #[serde(default)]
    pub users: Option<u32>,
    /// SIP TLS port; 5061 when absent (see [`Node::sip_port`]).
    #[serde(default)]
    pub sip_port: Option<u16>,
    /// The virtual machine it runs on.
    #[serde(default)]
    pub vm: Option<Vm>,
    /// Evidence files collected on the node.
    #[serde(default)]
    pub evidence: NodeEvidence,
}

impl Node {
    /// The node's SIP TLS port (5061 unless stated).
    pub fn sip_port(&self) -> u16 {
        self.sip_port.unwrap_or(5061)
    }
    /// An IM and Presence node.
    pub fn is_imp(&self) -> bool {
        self.product == Product::Imp
    }
    /// An IM&P routing node (the one that federates).
    pub fn is_routing(&self) -> bool {
        self.is_imp() && self.role == Some(Role::Routing)
    }
}

/// Which product a node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    /// IM and Presence Service.
    Imp,
    /// Unified Communications Manager.
    Cucm,
}

/// A node's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An IM&P routing node: handles federation traffic.
    Routing,
    /// An IM&P node hosting users.
    Users,
    /// A cluster's publisher.
    Publisher,
    /// A cluster's subscriber.
    Subscriber,
}

/// A node's virtual machine, as sized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vm {
    /// Virtual CPUs.
    #[serde(default)]
    pub vcpu: Option<u32>,
    /// Memory, in GB.
    #[serde(default)]
    pub ram_gb: Option<u32>,
    /// Disk, in GB.
    #[serde(default)]
    pub disk_gb: Option<u32>,
    /// What hardware hosts the VM.
    #[serde(default)]
    pub host: Option<HostKind>,
    /// The OVA template it was deployed from, by its user count (e.g. 15000).
    #[serde(default)]
    pub ova: Option<u32>,
}

/// What hosts a node's VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKind {
    /// Cisco UCS.
    Ucs,
    /// Third-party hardware (specs-based).
    ThirdParty,
    /// A Cisco Media Convergence Server (MCS) appliance.
    Mcs,
}

/// Evidence files collected on an IM&P or CUCM node: one key per Cisco evidence kind
/// (the table is generated from `evidence::kinds`).
pub use crate::evidence::kinds::NodeEvidenceFiles as NodeEvidence;

/// `[microsoft]`: the Lync/SfB/OCS side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Microsoft {
    /// sfb2015 | lync2013 | lync2010 | ocs2007r2 (others are recognised and reported).
    pub platform: String,
    /// Standard or Enterprise edition, when stated.
    #[serde(default)]
    pub edition: Option<Edition>,
    /// Other Microsoft server platforms still in service (mixed deployments).
    #[serde(default)]
    pub additional_platforms: Vec<String>,
    /// SIP domains the Microsoft side serves.
    #[serde(default)]
    pub sip_domains: Vec<String>,
    /// Folder or PEM bundle of the roots the Microsoft servers trust.
    #[serde(default)]
    pub trust_store: Option<PathBuf>,
    /// The Lync/SfB administrative tools are installed on the admin host.
    #[serde(default)]
    pub admin_tools: Option<bool>,
    /// The admin host is joined to the Active Directory domain of the users.
    #[serde(default)]
    pub active_directory: Option<bool>,
    /// Evidence files from the Microsoft side.
    #[serde(default)]
    pub evidence: MicrosoftEvidenceFiles,
    /// `[[microsoft.pools]]`: front-end pools and their servers.
    #[serde(default)]
    pub pools: Vec<Pool>,
    /// Static routes as configured, when no evidence file is given.
    #[serde(default)]
    pub static_routes: Vec<MicrosoftRoute>,
    /// `[[microsoft.integrations]]`: other systems already federated or routed.
    #[serde(default)]
    pub integrations: Vec<Integration>,
}

/// A Lync/SfB server edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Standard Edition (single server pool).
    Standard,
    /// Enterprise Edition.
    Enterprise,
}

/// Evidence files from the Microsoft side: one key per Microsoft evidence kind.
pub use crate::evidence::kinds::MicrosoftEvidenceFiles;

/// A front-end pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// The pool's FQDN.
    pub fqdn: String,
    /// Its front-end servers' FQDNs.
    #[serde(default)]
    pub servers: Vec<String>,
    /// Its SIP TLS port (5061 unless stated).
    #[serde(default = "default_sip_port")]
    pub port: u16,
    /// The pool's platform when it differs from `[microsoft] platform` (mixed sites).
    #[serde(default)]
    pub platform: Option<String>,
}

/// A static route on the Microsoft side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicrosoftRoute {
    /// The domain the route matches.
    pub match_uri: String,
    /// The next hop (an IM&P routing node or a load balancer in front of them).
    pub destination: String,
    /// Next hop port (5061 unless stated).
    #[serde(default = "default_sip_port")]
    pub port: u16,
    /// Next hop transport (TLS unless stated).
    #[serde(default = "default_transport")]
    pub transport: Transport,
    /// The route is in use (true unless stated).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A system already in place beside the federation (VCS, Expressway, Exchange UM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    /// What it is.
    pub kind: IntegrationKind,
    /// The domain it serves.
    pub domain: String,
    /// Where its traffic goes, when stated.
    #[serde(default)]
    pub target: Option<String>,
}

/// Kinds of integration the inventory knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntegrationKind {
    /// Cisco VCS.
    Vcs,
    /// Cisco Expressway.
    Expressway,
    /// Exchange Unified Messaging on premises.
    ExchangeUm,
    /// Exchange Online Unified Messaging (Office 365).
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

/// `[network]`: what sits between the two sides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// A Cisco ASA sits between IM&P and the Microsoft servers.
    #[serde(default)]
    pub asa_between: Option<bool>,
    /// The load balancer in front of the routing nodes, if any.
    #[serde(default)]
    pub load_balancer: Option<LoadBalancer>,
}

/// A load balancer in front of the routing nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// Its FQDN (the Microsoft static route's destination).
    pub fqdn: String,
    /// It is a hardware load balancer.
    #[serde(default)]
    pub hardware: Option<bool>,
}

/// `[clients]`: the client software in use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clients {
    /// Cisco clients and their versions.
    #[serde(default)]
    pub cisco: Vec<CiscoClient>,
    /// Microsoft clients in use (names as the catalog spells them).
    #[serde(default)]
    pub microsoft: Vec<String>,
}

/// A Cisco client in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiscoClient {
    /// The client's name.
    pub name: String,
    /// Its version, when stated.
    #[serde(default)]
    pub version: Option<String>,
}

/// `[migration_host]`: the Windows host that runs the user migration tools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationHost {
    /// Its operating system.
    #[serde(default)]
    pub os: Option<String>,
    /// Its .NET Framework version.
    #[serde(default)]
    pub dotnet: Option<String>,
}

/// `[change]`: when the front-end restarts may happen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The planned restart window, when there is one.
    #[serde(default)]
    pub restart_window: Option<RestartWindow>,
    /// Local busy hours, "HH:MM-HH:MM".
    #[serde(default)]
    pub peak_hours: Option<String>,
}

/// A planned window for the front-end service restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartWindow {
    /// Local civil time, "YYYY-MM-DDTHH:MM:SS".
    pub start: String,
    /// Local civil time, "YYYY-MM-DDTHH:MM:SS".
    pub end: String,
    /// IANA time zone, e.g. "Europe/London".
    pub timezone: String,
}

impl Inventory {
    /// The IM&P nodes.
    pub fn imp_nodes(&self) -> impl Iterator<Item = &Node> {
        self.cisco.nodes.iter().filter(|n| n.is_imp())
    }
    /// The IM&P routing nodes.
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
