//! The `-v/--verbose` log: a file in the state folder (`cognito-entra.log`), never the screen.
//! One line per event, appended: the command run and its outcome, and every call to AWS,
//! Microsoft Graph, the Entra sign-in and Entra's documents — what was asked, how long it took,
//! and what came back (the HTTP status, AWS's error code, a retry). The format is described in
//! docs/troubleshooting.md.
//!
//! Every line passes through `secrets::scrub` first: no secret the process knows reaches the
//! file, in any encoding. The file is opened once, at start, never through a symbolic link and
//! only when it is a regular file (a FIFO there would stall the command).
//!
//! The crates below the engine log through `call`; when `-v` was not given, `open` was never
//! called and every call here returns at once.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::state::{StateError, StateStore};

/// The log's file name, in the state folder.
pub const LOG_FILE: &str = "cognito-entra.log";

static SINK: Mutex<Option<File>> = Mutex::new(None);

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{0}")]
    Folder(#[from] StateError),
    #[error(
        "{0} is a symbolic link; the -v log is never opened through one (it would write where the link points)\n  fix: remove the link (cognito-entra makes its own log), or run without -v"
    )]
    Symlink(PathBuf),
    #[error(
        "{0} is not a regular file; the -v log is appended to a file of its own\n  fix: move it away (cognito-entra makes its own log), or run without -v"
    )]
    NotAFile(PathBuf),
    #[error(
        "cannot open the -v log {path}: {source}\n  fix: check the state folder's permissions, or run without -v"
    )]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Opens (creating it, mode 0600) the log in `store`'s folder; from now on `write` and `call`
/// append to it. Returns its path.
pub fn open(store: &StateStore) -> Result<PathBuf, LogError> {
    store.ensure_dir()?;
    let path = store.dir().join(LOG_FILE);
    let file = open_regular(&path)?;
    if let Ok(mut sink) = SINK.lock() {
        *sink = Some(file);
    }
    Ok(path)
}

/// `path` opened for appending: not through a link (O_NOFOLLOW), and not when it is anything
/// but a regular file (O_NONBLOCK, so that a FIFO without a reader fails instead of waiting).
fn open_regular(path: &Path) -> Result<File, LogError> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|source| match source.raw_os_error() {
            Some(libc::ELOOP) => LogError::Symlink(path.to_path_buf()),
            Some(libc::ENXIO) => LogError::NotAFile(path.to_path_buf()),
            _ => LogError::Io {
                path: path.to_path_buf(),
                source,
            },
        })?;
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(_) => Err(LogError::NotAFile(path.to_path_buf())),
        Err(source) => Err(LogError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Whether `-v` opened the log.
pub fn enabled() -> bool {
    SINK.lock().is_ok_and(|s| s.is_some())
}

/// Appends one event: `<time> [pid N] <kind> <text>`, later lines of `text` indented. A
/// failure to log never fails the command.
pub fn write(kind: &str, text: &str) {
    let Ok(mut sink) = SINK.lock() else { return };
    let Some(file) = sink.as_mut() else { return };
    let line = format!(
        "{} [pid {}] {kind} {}\n",
        timestamp(),
        std::process::id(),
        crate::secrets::scrub(text.trim_end()).replace('\n', "\n    ")
    );
    let _ = file.write_all(line.as_bytes());
}

/// Appends one call: `<kind> <what> -> <outcome> (<seconds> s)`. `what` names the call
/// (an AWS operation, or a method and a path without its query's secrets), `outcome` what
/// came back (an HTTP status, an error code, why there was no answer).
pub fn call(kind: &str, what: &str, outcome: &str, took: Duration) {
    if !enabled() {
        return;
    }
    write(
        kind,
        &format!("{what} -> {outcome} ({:.3} s)", took.as_secs_f64()),
    );
}

/// UTC, to the millisecond: calls a few milliseconds apart stay in order.
fn timestamp() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_or_a_fifo_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let target = dir.path().join("elsewhere");
        let link = dir.path().join("link.log");
        std::os::unix::fs::symlink(&target, &link).unwrap_or_else(|e| panic!("{e}"));
        let err = open_regular(&link).map(|_| ()).unwrap_err();
        assert!(matches!(err, LogError::Symlink(_)), "{err}");
        assert!(err.to_string().contains("link.log"), "{err}");
        assert!(!target.exists(), "the link's target was created");

        let fifo = dir.path().join("fifo.log");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = open_regular(&fifo).map(|_| ()).unwrap_err();
        assert!(matches!(err, LogError::NotAFile(_)), "{err}");
    }
}
