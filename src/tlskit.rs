//! The one TLS toolbox every side of fedcheck uses (probes, collection, the lab): the
//! crypto provider, built once; the handshake-signature checks that verifiers which
//! accept any certificate still make, so a peer proves it holds its key; random bytes
//! from the same provider. Certificates are read with `certinfo::pem_to_ders`.

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::CertificateDer;
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, OnceLock};

/// The crypto provider (aws-lc-rs), one for the whole process: two providers in one
/// process make rustls panic, and building one per connection costs time.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider())).clone()
}

/// Fill `buf` from the provider's secure generator.
pub fn random(buf: &mut [u8]) -> Result<(), rustls::crypto::GetRandomFailed> {
    provider().secure_random.fill(buf)
}

/// The handshake-signature checks of the provider, for verifiers that judge the
/// certificate later (or never) but must still see the peer sign with its key.
#[derive(Debug, Clone, Copy)]
pub struct Signatures(WebPkiSupportedAlgorithms);

impl Default for Signatures {
    fn default() -> Self {
        Signatures(provider().signature_verification_algorithms)
    }
}

impl Signatures {
    /// A TLS 1.2 handshake signature.
    pub fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0)
    }

    /// A TLS 1.3 handshake signature.
    pub fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0)
    }

    /// The schemes these checks accept.
    pub fn schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// The three signature methods of a rustls verifier, delegated to a `Signatures`
/// field (`signatures!(self_field)` inside the `impl … Verifier for …` block).
macro_rules! signatures {
    ($field:ident) => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            self.$field.tls12(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            self.$field.tls13(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.$field.schemes()
        }
    };
}
pub(crate) use signatures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_provider_for_the_process() {
        assert!(Arc::ptr_eq(&provider(), &provider()));
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        random(&mut a).unwrap();
        random(&mut b).unwrap();
        assert_ne!(a, b);
        assert!(!Signatures::default().schemes().is_empty());
    }
}
