//! Every read of something from outside (a file the admin names, a pipe, a device, stdin)
//! stops at a cap. The size a file reports cannot be trusted for this: it is 0 for pipes and
//! devices (`--config <(yes)`, `check-metadata /dev/zero`), so the cap is on what is read.

use std::io::Read;
use std::path::Path;

const MIB: usize = 1024 * 1024;

/// A setup file: a few hundred bytes in practice.
pub const SETUP_FILE: usize = MIB;
/// A state file: a few kilobytes in practice.
pub const STATE_FILE: usize = MIB;
/// Federation metadata (the same cap as a fetched one).
pub const METADATA: usize = 2 * 1024 * 1024;
/// `~/.aws/config` and `~/.aws/credentials`.
pub const AWS_CONFIG: usize = 4 * MIB;
/// A CA bundle named by `SSL_CERT_FILE` (a system bundle is about 200 KiB).
pub const CA_BUNDLE: usize = 16 * MIB;
/// A value handed to the clipboard helper.
pub const CLIPBOARD_VALUE: usize = MIB;

/// Why a capped read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// More than `cap` bytes were there (only `cap + 1` were read). `size` is the whole
    /// size when the input is a regular file that says it.
    #[error("{}", too_large_text(*.cap, *.size))]
    TooLarge { cap: usize, size: Option<u64> },
}

fn too_large_text(cap: usize, size: Option<u64>) -> String {
    match size {
        Some(n) => format!(
            "it is {n} bytes (more than {})",
            crate::humanize::bytes(cap)
        ),
        None => format!("it holds more than {}", crate::humanize::bytes(cap)),
    }
}

impl ReadError {
    /// "NAME is N bytes (more than CAP)" or "NAME holds more than CAP", for messages.
    pub fn about(&self, name: &str) -> String {
        match self {
            ReadError::TooLarge { cap, size } => {
                let text = too_large_text(*cap, *size);
                format!("{name} {}", text.trim_start_matches("it "))
            }
            ReadError::Io(e) => format!("cannot read {name}: {e}"),
        }
    }
}

/// Reads at most `cap` bytes from `reader`; one byte more is an error, and nothing past it is read.
pub fn read_capped(reader: impl Read, cap: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() > cap {
        return Err(ReadError::TooLarge { cap, size: None });
    }
    Ok(bytes)
}

/// How long something that is not a regular file (a FIFO, a device, `<(command)`) is given
/// to deliver its whole content: a FIFO with nothing writing to it would otherwise block for
/// ever, in its opening as much as in its reading.
pub const NON_FILE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads a whole file (or pipe, or device) of at most `cap` bytes; one that is not a regular
/// file within `NON_FILE_WAIT` (an error of kind `TimedOut` that says so).
pub fn read_file(path: &Path, cap: usize) -> Result<Vec<u8>, ReadError> {
    if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return read_now(path, cap);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = path.to_path_buf();
    // A reader stuck in open(2) or read(2) cannot be interrupted; it is left behind, and
    // ends with the process.
    std::thread::spawn(move || {
        let _ = tx.send(read_now(&owned, cap));
    });
    rx.recv_timeout(NON_FILE_WAIT).unwrap_or_else(|_| {
        Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "it is not a regular file and gave no end of its content within {} s (a FIFO with nothing writing to it?)",
                NON_FILE_WAIT.as_secs()
            ),
        )))
    })
}

fn read_now(path: &Path, cap: usize) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path)?;
    // A regular file says its size, and a message can name it; a pipe or a device says 0.
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    read_capped(file, cap).map_err(|e| match e {
        ReadError::TooLarge { cap, .. } => ReadError::TooLarge { cap, size },
        other => other,
    })
}

/// `read_file` as UTF-8 text (invalid sequences replaced), a leading BOM dropped.
pub fn read_text(path: &Path, cap: usize) -> Result<String, ReadError> {
    let bytes = read_file(path, cap)?;
    Ok(String::from_utf8_lossy(&bytes)
        .trim_start_matches('\u{feff}')
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_device_is_cut_at_the_cap() {
        let err = read_file(Path::new("/dev/zero"), 4096).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    cap: 4096,
                    size: None
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_file_at_the_cap_is_read_whole() {
        let bytes = read_capped(&[7u8; 10][..], 10).unwrap();
        assert_eq!(bytes.len(), 10);
        assert!(read_capped(&[7u8; 11][..], 10).is_err());
    }
}
