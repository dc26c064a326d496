//! The snapshot: every observation the OBSERVE phase made, in raw form. Checks read
//! only this (plus the inventory and its evidence), so a snapshot saved in a support
//! bundle can be judged again later, offline, with newer rules.

pub mod dns;
mod index;
pub mod raw;
pub mod sip;
pub mod tls;

pub use index::SnapshotIndex;

use dns::DnsObservation;
use raw::{RawObservation, RawOutcome};
use serde::{Deserialize, Serialize};
use sip::SipObservation;
use std::net::{IpAddr, SocketAddr};
use tls::{TlsObservation, TlsOutcome};

/// The on-disk schema of `snapshot.json`. v2: typed rcodes, TLS versions and
/// failure kinds (TLS and SIP), path 1's version without a separate code.
pub const SCHEMA: &str = "fedcheck.snapshot/v2";

/// Every observation one run made, as saved in `snapshot.json` and judged by the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SCHEMA`]: a bundle with another schema is refused, not misread.
    pub schema: String,
    /// The version of fedcheck that observed.
    pub tool_version: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// Whether network probes ran. False with `--offline`.
    pub live: bool,
    /// Why probes did not run, when they did not.
    #[serde(default)]
    pub not_live_reason: Option<String>,
    /// The resolvers asked, per side; `system` when the inventory named none.
    #[serde(default)]
    pub resolvers: Resolvers,
    /// Every DNS question and its answer, per server, sorted.
    #[serde(default)]
    pub dns: Vec<DnsObservation>,
    /// One entry per (address, port) probed, sorted.
    #[serde(default)]
    pub peers: Vec<PeerObservation>,
    /// Probes that could not start before the run deadline.
    #[serde(default)]
    pub deadline_hit: bool,
    /// Answers with more records than OBSERVE follows (addresses whose PTR is asked,
    /// PTR names asked forward, addresses TLS is probed at), one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fanout_capped: Vec<String>,
    /// The suites path 1 offered (OpenSSL names): IM&P's configured list when the
    /// inventory gives one, else a broad legacy-capable list.
    #[serde(default)]
    pub path1_suites: Vec<String>,
}

/// The DNS servers each side's questions went to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resolvers {
    /// IM&P's resolvers.
    pub imp: Vec<SocketAddr>,
    /// The Microsoft side's resolvers.
    pub microsoft: Vec<SocketAddr>,
    /// True when the inventory named none and the system's were used.
    pub system: bool,
}

impl Resolvers {
    /// Every distinct server, IM&P side first.
    pub fn all(&self) -> Vec<SocketAddr> {
        let mut out = self.imp.clone();
        for s in &self.microsoft {
            if !out.contains(s) {
                out.push(*s);
            }
        }
        out
    }
}

/// What both TLS paths (and SIP over path 2) saw at one address and port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerObservation {
    /// The address and port probed.
    pub addr: SocketAddr,
    /// The name used for SNI and the SIP request URI (the first inventory name that
    /// led here).
    pub server_name: String,
    /// Path 1: the legacy-capable ClientHello IM&P would send.
    pub raw: Option<RawObservation>,
    /// Path 2: a full rustls handshake.
    pub tls: Option<TlsObservation>,
    /// SIP OPTIONS over path 2's connection.
    pub sip: Option<SipObservation>,
    /// Set instead of the observations when the run deadline came first.
    #[serde(default)]
    pub not_run: Option<String>,
}

impl PeerObservation {
    /// The chain the peer sent (path 2 preferred, path 1 otherwise), leaf first.
    pub fn chain_pem(&self) -> Vec<String> {
        if let Some(TlsObservation { outcome: TlsOutcome::Connected { chain_pem, .. }, .. }) = &self.tls {
            if !chain_pem.is_empty() {
                return chain_pem.clone();
            }
        }
        if let Some(raw) = &self.raw {
            if let RawOutcome::Handshake(h) = &raw.outcome {
                if !h.chain_pem.is_empty() {
                    return h.chain_pem.clone();
                }
            }
            if let Some(p) = &raw.partial {
                if !p.chain_pem.is_empty() {
                    return p.chain_pem.clone();
                }
            }
        }
        if let Some(TlsObservation { outcome: TlsOutcome::Failed { chain_pem, .. }, .. }) = &self.tls {
            return chain_pem.clone();
        }
        Vec::new()
    }

    /// Did either path see the peer ask for a client certificate? None if neither
    /// path got far enough to know.
    pub fn client_cert_requested(&self) -> Option<bool> {
        let raw = self.raw.as_ref().and_then(|r| match &r.outcome {
            RawOutcome::Handshake(h) if h.complete => Some(h.client_cert_requested),
            _ => None,
        });
        let tls = self.tls.as_ref().and_then(|t| match &t.outcome {
            TlsOutcome::Connected { client_cert_requested, .. } => Some(*client_cert_requested),
            TlsOutcome::Failed { client_cert_requested: true, .. } => Some(true),
            TlsOutcome::Failed { .. } => None,
        });
        match (raw, tls) {
            (Some(a), Some(b)) => Some(a || b),
            (a, b) => a.or(b),
        }
    }
}

/// The addresses a peer is probed at, and judged at: the host itself when it is an
/// address, else every address DNS returned for it; plus the address the inventory
/// declares, when DNS did not give it. One rule for OBSERVE and JUDGE.
pub fn peer_addresses(host: &str, port: u16, resolved: &[IpAddr], declared: Option<IpAddr>) -> Vec<SocketAddr> {
    let mut ips: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => resolved.to_vec(),
    };
    if let Some(ip) = declared.filter(|ip| !ips.contains(ip)) {
        ips.push(ip);
    }
    ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()
}

/// Why a saved snapshot cannot be judged.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Written by a fedcheck with another snapshot schema.
    #[error("snapshot schema `{found}` is not `{SCHEMA}`: it was written by a fedcheck with another snapshot format; analyze it with that version")]
    Schema {
        /// The schema the file declares.
        found: String,
    },
    /// Not a snapshot, or a damaged one.
    #[error("not a readable snapshot: {0}")]
    Malformed(String),
}

impl Snapshot {
    /// Read a saved `snapshot.json`, refusing any other schema version before reading
    /// its observations (their shape differs between versions).
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        #[derive(Deserialize)]
        struct Head {
            schema: Option<String>,
        }
        let head: Head = serde_json::from_str(text).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
        match head.schema {
            Some(s) if s == SCHEMA => serde_json::from_str(text).map_err(|e| SnapshotError::Malformed(e.to_string())),
            Some(found) => Err(SnapshotError::Schema { found }),
            None => Err(SnapshotError::Malformed("no `schema` field".into())),
        }
    }

    /// A snapshot of a run that probed nothing (`--offline`).
    pub fn offline(started_at: String) -> Self {
        Snapshot {
            schema: SCHEMA.into(),
            tool_version: crate::version::VERSION.into(),
            started_at,
            live: false,
            not_live_reason: Some("live probes not run (--offline)".into()),
            resolvers: Resolvers::default(),
            dns: Vec::new(),
            peers: Vec::new(),
            deadline_hit: false,
            fanout_capped: Vec::new(),
            path1_suites: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_schema_versions_are_refused_by_name() {
        let snap = Snapshot::offline("2026-12-01T00:00:00Z".into());
        let text = serde_json::to_string(&snap).unwrap_or_default();
        assert_eq!(Snapshot::from_json(&text).ok(), Some(snap));
        let old = text.replace(SCHEMA, "fedcheck.snapshot/v1");
        let err = Snapshot::from_json(&old).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`fedcheck.snapshot/v1` is not `fedcheck.snapshot/v2`"), "{err}");
        assert!(matches!(Snapshot::from_json("{}"), Err(SnapshotError::Malformed(_))));
        assert!(matches!(Snapshot::from_json("[1,"), Err(SnapshotError::Malformed(_))));
    }
}
