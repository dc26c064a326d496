//! Wire formats shared by more than one side of the tool: SIP message heads (the
//! probe reads them from peers, the lab from the probe) and DNS server addresses (the
//! inventory validates them, the probe asks them).

pub(crate) mod dns_server;
pub(crate) mod sip;
