//! `fedcheck collect`: gather the server-side evidence instead of copy-paste.
//!
//! - `collect imp` asks every IM&P / CUCM node of the inventory over HTTPS for its
//!   services (Control Center Services), active version, hardware and cluster (platform
//!   services, PAWS), writes the answers as evidence, an inventory that points at them
//!   and `collect.json` (what was asked of whom, when, how TLS was verified, what failed).
//! - `collect microsoft --script` prints the PowerShell that exports the Microsoft side;
//!   `collect microsoft --import FOLDER` takes the folder it wrote in.
//!
//! Exit codes: 0 everything was collected; 5 something could not be collected (partial
//! or total: collect.json and the outcome's notes name each failure); 2 the run could
//! not start. Nothing here prints or asks: outcomes carry their messages and the
//! command line shows them.

pub mod imp;
pub mod microsoft;
pub mod record;
pub mod rewrite;
pub mod soap;
pub mod tls;

use std::path::PathBuf;

/// Environment variable that carries the IM&P password (never a flag).
pub const PASSWORD_ENV: &str = "FEDCHECK_IMP_PASSWORD";

/// Errors that stop a collection before it starts (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No password in the environment and no terminal to ask for one.
    #[error("no password: set {PASSWORD_ENV} or run on a terminal to be asked")]
    NoPassword,
    /// Reading the password from the terminal failed.
    #[error("cannot read the password from the terminal: {0}")]
    Prompt(std::io::Error),
    /// The CA file given with --ca-file cannot be read or holds no usable certificate.
    #[error("CA file {path}: {message}")]
    CaFile {
        /// The CA file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The system trust store has no usable certificate; the text says why.
    #[error("the system trust store has no usable certificate ({0}); give --ca-file or --insecure")]
    SystemStore(String),
    /// The HTTPS client or its TLS configuration cannot be built, or the run failed
    /// inside (a collection task ended abnormally, collect.json could not be serialized).
    #[error("cannot build the HTTPS client: {0}")]
    Client(String),
    /// A file or folder of the output cannot be created or written, or the folder
    /// already holds a collection.
    #[error("{path}: {message}")]
    Output {
        /// The file or folder concerned.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The inventory cannot be read or names no node to collect from.
    #[error("inventory {path}: {message}")]
    Inventory {
        /// The inventory file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The folder given to `collect microsoft --import` is not one the export script wrote.
    #[error("{0}")]
    Import(String),
}
