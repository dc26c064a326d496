//! Trust stores as admins hand them over: one PEM bundle, or a folder of CA files.
//!
//! IM&P's cup-trust export is a folder of `.pem` files; Windows trusted roots are
//! usually exported one `.cer` (DER or base64) per CA. Loading is strict about files
//! that claim to hold certificates, so a damaged CA file is reported instead of
//! quietly shrinking the store and turning into a confusing "unknown issuer" later.

use super::{inspect, pem_to_ders, CertError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Extensions that mark a file in a folder as a certificate file.
const CERT_EXTENSIONS: [&str; 4] = ["pem", "crt", "cer", "der"];
/// Certificate files read from one trust-store folder at most.
const MAX_FOLDER_FILES: usize = 5_000;

/// The CA certificates one side trusts, each with the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustStore {
    /// The file or folder the store was loaded from.
    pub source: PathBuf,
    /// Each certificate's DER with the file it came from, in load order.
    pub certs: Vec<(PathBuf, Vec<u8>)>,
}

impl TrustStore {
    /// Loads a PEM bundle (or a single DER certificate) file, or a folder of
    /// `.pem`/`.crt`/`.cer`/`.der` files (DER or PEM each).
    ///
    /// Rules for a folder: files are read in file-name order so results are
    /// reproducible; sub-folders, hidden files and other extensions are skipped; a
    /// `.pem` holding only non-certificate blocks (a private key) is skipped; any other
    /// file with a certificate extension must parse, or loading fails naming it.
    /// A store with no certificate at all is an error.
    pub fn load(path: &Path) -> Result<TrustStore, CertError> {
        let meta = std::fs::metadata(path).map_err(|e| CertError::StoreUnreadable { path: path.to_path_buf(), error: Arc::new(e) })?;
        let mut certs = Vec::new();
        if meta.is_dir() {
            let mut files = Vec::new();
            let entries =
                std::fs::read_dir(path).map_err(|e| CertError::StoreUnlistable { path: path.to_path_buf(), error: Arc::new(e) })?;
            for entry in entries {
                let entry = entry.map_err(|e| CertError::StoreUnlistable { path: path.to_path_buf(), error: Arc::new(e) })?;
                let file = entry.path();
                if file.is_file() && is_cert_file_name(&file) {
                    files.push(file);
                }
                // A real store holds a few hundred CAs; beyond this it is not one.
                if files.len() > MAX_FOLDER_FILES {
                    return Err(CertError::TooManyFiles { path: path.to_path_buf(), limit: MAX_FOLDER_FILES });
                }
            }
            files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
            for file in files {
                for der in read_cert_file(&file, true)? {
                    certs.push((file.clone(), der));
                }
            }
        } else {
            for der in read_cert_file(path, false)? {
                certs.push((path.to_path_buf(), der));
            }
        }
        if certs.is_empty() {
            return Err(CertError::StoreEmpty { path: path.to_path_buf() });
        }
        Ok(TrustStore { source: path.to_path_buf(), certs })
    }
}

fn is_cert_file_name(file: &Path) -> bool {
    let hidden = file.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
    let ext_ok = file.extension().and_then(|e| e.to_str()).is_some_and(|e| CERT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
    !hidden && ext_ok
}

/// Reads one file as PEM (if it has PEM armour) or DER; every certificate found is
/// parsed so corruption surfaces here with the file name.
///
/// In a folder (`skip_non_cert_pem`), PEM text without a certificate block is not a
/// certificate file and yields nothing; a file named directly must hold certificates.
fn read_cert_file(file: &Path, skip_non_cert_pem: bool) -> Result<Vec<Vec<u8>>, CertError> {
    let bytes = crate::fsread::read_capped(file, crate::fsread::CERT_CAP)
        .map_err(|e| CertError::FileUnreadable { path: file.to_path_buf(), reason: e.reason() })?;
    let has_armour = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    if !has_armour {
        return match inspect(&bytes) {
            Ok(_) => Ok(vec![bytes]),
            Err(e) => Err(CertError::NotPemNorDer { path: file.to_path_buf(), reason: Box::new(e) }),
        };
    }
    let text = String::from_utf8_lossy(&bytes);
    let has_cert_block = text.contains("-----BEGIN CERTIFICATE-----") || text.contains("-----BEGIN X509 CERTIFICATE-----");
    if !has_cert_block && skip_non_cert_pem {
        return Ok(Vec::new());
    }
    let ders = pem_to_ders(&text).map_err(|e| CertError::InFile { path: file.to_path_buf(), reason: Box::new(e) })?;
    for (i, der) in ders.iter().enumerate() {
        inspect(der).map_err(|e| CertError::BadBlock { path: file.to_path_buf(), block: i + 1, reason: Box::new(e) })?;
    }
    Ok(ders)
}
