//! Reading input files with a size cap, before anything parses them.
//!
//! Every loader (inventory, evidence, trust stores, certificates, waivers, reports)
//! goes through [`read_capped`]: a file named by an inventory may be `/dev/zero`, a
//! FIFO that never ends, or a multi-gigabyte line, and none of those may cost more
//! than the cap or block.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The inventory file (real ones are tens of KB; TOML parsing costs many times the size).
pub const INVENTORY_CAP: u64 = 1024 * 1024;
/// One evidence capture (command output).
pub const EVIDENCE_CAP: u64 = 16 * 1024 * 1024;
/// One certificate, key or trust-store file.
pub const CERT_CAP: u64 = 4 * 1024 * 1024;
/// A waivers file.
pub const WAIVERS_CAP: u64 = 1024 * 1024;
/// A JSON report read back by `diff`.
pub const REPORT_CAP: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        error: std::io::Error,
    },
    /// A device, FIFO, socket or folder: never opened.
    #[error("{path}: not a regular file (a device, FIFO, socket or folder is not read)")]
    NotRegular {
        /// The file.
        path: PathBuf,
    },
    /// Over the cap for its kind.
    #[error("{path}: larger than the {cap} bytes allowed for it")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The cap, in bytes.
        cap: u64,
    },
}

impl ReadError {
    /// The reason without the path, for messages that already name the file.
    pub fn reason(&self) -> String {
        match self {
            ReadError::Io { error, .. } => error.to_string(),
            ReadError::NotRegular { .. } => "not a regular file (a device, FIFO, socket or folder is not read)".into(),
            ReadError::TooLarge { cap, .. } => format!("larger than the {cap} bytes allowed for it"),
        }
    }
}

/// Reads `path` whole if it is a regular file (symbolic links followed) of at most
/// `cap` bytes. The type is checked before opening, so a FIFO never blocks, and the
/// read itself stops one byte past the cap, so a file that grows is still bounded.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let io = |error| ReadError::Io { path: path.to_path_buf(), error };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular { path: path.to_path_buf() });
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge { path: path.to_path_buf(), cap });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Swapped between the check and the open (a race): check what was opened.
    if !file.metadata().map_err(io)?.is_file() {
        return Err(ReadError::NotRegular { path: path.to_path_buf() });
    }
    let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 20));
    file.take(cap + 1).read_to_end(&mut data).map_err(io)?;
    if data.len() as u64 > cap {
        return Err(ReadError::TooLarge { path: path.to_path_buf(), cap });
    }
    Ok(data)
}

/// [`read_capped`], then UTF-8 (lossily: a stray byte should not hide the rest).
pub fn read_capped_text(path: &Path, cap: u64) -> Result<String, ReadError> {
    let data = read_capped(path, cap)?;
    Ok(match String::from_utf8(data) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_small_files_and_refuses_large_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), b"hello");
        assert!(matches!(read_capped(&p, 4), Err(ReadError::TooLarge { cap: 4, .. })));
        assert!(matches!(read_capped(&dir.path().join("absent"), 4), Err(ReadError::Io { .. })));
        assert!(matches!(read_capped(dir.path(), 4), Err(ReadError::NotRegular { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        assert!(matches!(read_capped(Path::new("/dev/zero"), 1024), Err(ReadError::NotRegular { .. })));
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        if made {
            assert!(matches!(read_capped(&fifo, 1024), Err(ReadError::NotRegular { .. })));
        }
    }
}
