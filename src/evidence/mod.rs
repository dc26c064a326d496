//! Parsers for the command outputs an administrator collects from the servers
//! (IM&P CLI, Lync/SfB Management Shell). Each parser tolerates the noise real
//! captures carry and refuses, with a line number, what it cannot understand.

use std::fmt;
use std::path::{Path, PathBuf};

/// A parse failure inside one evidence text: 1-based line and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self { line, message: message.into() }
    }
}

/// A failure to load an evidence file: the file, the line (0 when the whole file is at
/// fault, e.g. unreadable or empty) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EvidenceError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

/// Read a file and run `parse` on it, attaching the file name to any error.
pub fn load<T>(path: &Path, parse: fn(&str) -> Result<T, ParseError>) -> Result<T, EvidenceError> {
    let bytes = std::fs::read(path).map_err(|e| EvidenceError {
        file: path.to_path_buf(),
        line: 0,
        message: format!("cannot read evidence file: {e}"),
    })?;
    let text = String::from_utf8_lossy(&bytes);
    parse(&text).map_err(|e| EvidenceError { file: path.to_path_buf(), line: e.line, message: e.message })
}
