//! Writing a file the tool owns (a certificate for Entra, a saved plan) the one safe way:
//! never through a symbolic link, never half-written (a new file created exclusively beside
//! the target, then renamed over it), and not at all when the content is already there.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// What `replace` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Written,
    /// The file already held exactly this content.
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "{0} is a symbolic link; the tool never writes through one (it would replace the file it points to)"
    )]
    Symlink(PathBuf),
    #[error("{0} exists and is not a file")]
    NotAFile(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Makes `path` hold `content` (with `mode` when it is written anew).
pub fn replace(path: &Path, content: &[u8], mode: u32) -> Result<Outcome, WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(WriteError::Symlink(path.to_path_buf()));
        }
        Ok(meta) if !meta.is_file() => return Err(WriteError::NotAFile(path.to_path_buf())),
        // Read no more than could be equal.
        Ok(_) if crate::bounded::read_file(path, content.len()).is_ok_and(|old| old == content) => {
            return Ok(Outcome::Unchanged);
        }
        _ => {}
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".cognito-entra-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(content).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(Outcome::Written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_refused_and_the_same_content_is_not_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "precious").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(
            replace(&link, b"x", 0o600),
            Err(WriteError::Symlink(_))
        ));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        let file = dir.path().join("file");
        assert_eq!(replace(&file, b"abc", 0o600).unwrap(), Outcome::Written);
        assert_eq!(replace(&file, b"abc", 0o600).unwrap(), Outcome::Unchanged);
        assert_eq!(replace(&file, b"abcd", 0o600).unwrap(), Outcome::Written);
        assert_eq!(std::fs::read(&file).unwrap(), b"abcd");
    }
}
