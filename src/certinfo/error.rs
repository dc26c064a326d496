//! Why a certificate, a PEM text or a trust store cannot be used.
//!
//! Every variant prints the whole sentence a person reads (the messages predate the
//! type and tests match on them), so nested causes are part of the text and are not
//! repeated through `source()`.

use std::path::PathBuf;
use std::sync::Arc;

/// Why certificate bytes, PEM text or a trust store could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// Zero bytes where a DER certificate was expected.
    #[error("not a certificate: no bytes")]
    Empty,
    /// One certificate parsed, followed by bytes that belong to nothing.
    #[error("not a single certificate: {0} unexpected bytes after the end")]
    TrailingBytes(usize),
    /// The bytes are not DER-encoded X.509.
    #[error("not a valid X.509 certificate (DER): {0}")]
    Der(String),
    /// An extension a person compares (SAN, EKU, basic constraints) cannot be read.
    #[error("the {extension} extension is malformed: {reason}")]
    Extension {
        /// The extension's name (`subjectAltName`, ...).
        extension: &'static str,
        /// What the parser said.
        reason: String,
    },
    /// A certificate block closed by an END line with another label.
    #[error("PEM certificate block {block}: ends with END {label} instead of END CERTIFICATE")]
    PemWrongEnd {
        /// The block's number, counting certificate blocks from 1.
        block: usize,
        /// The label of the END line found.
        label: String,
    },
    /// A certificate block whose base64 is damaged.
    #[error("PEM certificate block {block}: {reason}")]
    PemBase64 {
        /// The block's number, counting certificate blocks from 1.
        block: usize,
        /// What is wrong with the base64.
        reason: String,
    },
    /// A certificate block with no content.
    #[error("PEM certificate block {block} is empty")]
    PemEmptyBlock {
        /// The block's number, counting certificate blocks from 1.
        block: usize,
    },
    /// A certificate block that never ends.
    #[error("PEM certificate block {block} has no END CERTIFICATE line")]
    PemUnterminated {
        /// The block's number, counting certificate blocks from 1.
        block: usize,
    },
    /// Text without any certificate block.
    #[error("no PEM CERTIFICATE block found")]
    NoPemBlock,
    /// The trust store's path cannot be read.
    #[error("cannot read trust store {}: {error}", path.display())]
    StoreUnreadable {
        /// The trust store named.
        path: PathBuf,
        /// The I/O failure.
        error: Arc<std::io::Error>,
    },
    /// The trust store folder cannot be listed.
    #[error("cannot list trust store folder {}: {error}", path.display())]
    StoreUnlistable {
        /// The trust store folder.
        path: PathBuf,
        /// The I/O failure.
        error: Arc<std::io::Error>,
    },
    /// The trust store holds no certificate at all.
    #[error("trust store {} holds no certificate", path.display())]
    StoreEmpty {
        /// The trust store named.
        path: PathBuf,
    },
    /// A trust store folder with more certificate files than a store can hold.
    #[error("trust store folder {} holds more than {limit} certificate files", path.display())]
    TooManyFiles {
        /// The folder.
        path: PathBuf,
        /// How many are read at most.
        limit: usize,
    },
    /// A certificate file cannot be read.
    #[error("cannot read {}: {reason}", path.display())]
    FileUnreadable {
        /// The file.
        path: PathBuf,
        /// Why: an I/O failure, not a regular file, or over the size cap.
        reason: String,
    },
    /// A file without PEM armour that is not a DER certificate either.
    #[error("{} is neither PEM nor a DER certificate: {reason}", path.display())]
    NotPemNorDer {
        /// The file.
        path: PathBuf,
        /// Why the bytes are not a DER certificate.
        reason: Box<CertError>,
    },
    /// A file whose PEM text cannot be read.
    #[error("{}: {reason}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its PEM text.
        reason: Box<CertError>,
    },
    /// A PEM block that decodes but is not a valid certificate.
    #[error("{}: PEM certificate block {block} is not a valid certificate: {reason}", path.display())]
    BadBlock {
        /// The file.
        path: PathBuf,
        /// The block's number, counting certificate blocks from 1.
        block: usize,
        /// Why the block's DER is not a certificate.
        reason: Box<CertError>,
    },
}
