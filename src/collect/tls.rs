//! How `collect imp` verifies the nodes' Tomcat certificates: against a CA file, the
//! system's trust store, or (with --insecure) not at all. One rustls provider
//! (aws-lc-rs), passed explicitly, as everywhere in fedcheck.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::{Deserialize, Serialize};

use super::CollectError;

/// The verification chosen for a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verify {
    /// Verify against the CA certificate(s) in this file (--ca-file).
    CaFile(PathBuf),
    /// Verify against the system's trust store (the default).
    SystemStore,
    /// Accept any certificate (--insecure).
    Insecure,
}

/// What collect.json says about TLS verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsRecord {
    /// `ca-file`, `system-store` or `insecure`.
    pub mode: String,
    /// False with --insecure: nothing collected in this run is known to come from the node.
    pub verified: bool,
    /// The CA file, when `mode` is `ca-file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// One sentence on how the certificates were verified, for the reader of collect.json.
    pub note: String,
}

impl Verify {
    /// What collect.json says about this verification.
    pub fn record(&self) -> TlsRecord {
        match self {
            Verify::CaFile(p) => TlsRecord {
                mode: "ca-file".into(),
                verified: true,
                ca_file: Some(p.display().to_string()),
                note: "each node's certificate was verified against the CA file and its FQDN".into(),
            },
            Verify::SystemStore => TlsRecord {
                mode: "system-store".into(),
                verified: true,
                ca_file: None,
                note: "each node's certificate was verified against the system trust store and its FQDN".into(),
            },
            Verify::Insecure => TlsRecord {
                mode: "insecure".into(),
                verified: false,
                ca_file: None,
                note: "--insecure: the nodes' certificates were NOT verified; anyone on the path could have answered".into(),
            },
        }
    }
}

fn roots_from_file(path: &Path) -> Result<RootCertStore, CollectError> {
    let err = |message: String| CollectError::CaFile { path: path.to_path_buf(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read it: {e}")))?;
    let ders = crate::certinfo::pem_to_ders(&text).map_err(|e| err(e.to_string()))?;
    let mut roots = RootCertStore::empty();
    for der in ders {
        roots.add(CertificateDer::from(der)).map_err(|e| err(format!("a certificate cannot be used as a trust anchor: {e}")))?;
    }
    if roots.is_empty() {
        return Err(err("no certificate in it".into()));
    }
    Ok(roots)
}

/// The system's roots, and a warning when it has none.
fn system_roots() -> Result<(RootCertStore, Option<String>), CollectError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        // Go on with no anchor: every node is then named "untrusted certificate",
        // which says what to do more precisely than refusing to start.
        let why = found.errors.first().map_or_else(|| "none found".to_string(), |e| e.to_string());
        return Ok((roots, Some(CollectError::SystemStore(why).to_string())));
    }
    Ok((roots, None))
}

/// The rustls client configuration for this run, with a warning to show when the
/// system trust store has no usable certificate.
pub fn client_config(verify: &Verify) -> Result<(ClientConfig, Vec<String>), CollectError> {
    let builder = ClientConfig::builder_with_provider(crate::tlskit::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| CollectError::Client(e.to_string()))?;
    let mut notes = Vec::new();
    let config = match verify {
        Verify::CaFile(p) => builder.with_root_certificates(roots_from_file(p)?).with_no_client_auth(),
        Verify::SystemStore => {
            let (roots, warning) = system_roots()?;
            notes.extend(warning);
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        // The command line warns before the collection starts, and the summary says so.
        Verify::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny { signatures: crate::tlskit::Signatures::default() }))
            .with_no_client_auth(),
    };
    Ok((config, notes))
}

/// --insecure: accept any certificate, but the node still proves it holds the key
/// of the certificate it sent.
#[derive(Debug)]
struct AcceptAny {
    signatures: crate::tlskit::Signatures,
}

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    crate::tlskit::signatures!(signatures);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_file_errors_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.pem");
        let e = client_config(&Verify::CaFile(missing)).unwrap_err();
        assert!(e.to_string().contains("cannot read"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        assert!(client_config(&Verify::CaFile(empty)).is_err());
        assert!(client_config(&Verify::Insecure).is_ok());
        assert!(!Verify::Insecure.record().verified);
    }
}
