//! In-process servers for the demo lab and the tests: DNS, TLS/SIP listeners with
//! minted certificates, and hostile peers. Everything binds to 127.0.0.0/8 only.

pub mod dns;
pub mod hostile;
pub mod pki;
pub mod scenario;
pub mod site;
pub mod soap;
pub mod tls;
