//! Writing output files so that a failure never leaves a half-written one behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::Error;

/// A file to write: its final path and its whole content.
#[derive(Debug, Clone)]
pub struct PendingFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Writes every file to a temporary sibling first; only when all of them are written are
/// they renamed into place. A failure before the renames leaves no output at all.
pub fn write_all(files: &[PendingFile]) -> Result<(), Error> {
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        staged.push((stage(&file.path, &file.bytes)?, &file.path));
    }
    for (temp, path) in staged {
        temp.persist(path).map_err(|e| Error::Write {
            path: path.clone(),
            source: e.error,
        })?;
    }
    Ok(())
}

fn stage(path: &Path, bytes: &[u8]) -> Result<NamedTempFile, Error> {
    let err = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    if path.is_dir() {
        return Err(err(std::io::Error::other("a directory is in the way")));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".attest-kit-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    // No fsync: the rename is what makes the file appear whole to every reader; a machine
    // that crashes mid-step loses the job anyway.
    temp.write_all(bytes).map_err(err)?;
    Ok(temp)
}
