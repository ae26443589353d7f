//! Streaming SHA-256 / SHA-512 of files, many files at once on all cores.
//!
//! `sha2` picks the CPU's SHA extensions (SHA-NI, ARMv8 SHA2) at run time.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest as _, Sha256, Sha512};

use super::{Algorithm, Subject, SubjectError};

const BUF_SIZE: usize = 256 * 1024;

/// Digests of one stream: every requested algorithm in a single pass.
pub fn hash_reader(
    mut reader: impl Read,
    algorithms: &[Algorithm],
    buf: &mut [u8],
) -> std::io::Result<(BTreeMap<Algorithm, String>, u64)> {
    let mut sha256 = algorithms.contains(&Algorithm::Sha256).then(Sha256::new);
    let mut sha512 = algorithms.contains(&Algorithm::Sha512).then(Sha512::new);
    let mut size = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        size += n as u64;
        if let Some(h) = sha256.as_mut() {
            h.update(&buf[..n]);
        }
        if let Some(h) = sha512.as_mut() {
            h.update(&buf[..n]);
        }
    }
    let mut digests = BTreeMap::new();
    if let Some(h) = sha256 {
        digests.insert(Algorithm::Sha256, hex::encode(h.finalize()));
    }
    if let Some(h) = sha512 {
        digests.insert(Algorithm::Sha512, hex::encode(h.finalize()));
    }
    Ok((digests, size))
}

/// Hashes one regular file. Anything else (a FIFO, a device) is refused before reading,
/// so a hostile path cannot block or stream forever.
pub fn hash_file(
    path: &Path,
    algorithms: &[Algorithm],
    buf: &mut [u8],
) -> Result<Subject, SubjectError> {
    hash_open(path, algorithms, buf).map(|(s, _)| s)
}

fn hash_open(
    path: &Path,
    algorithms: &[Algorithm],
    buf: &mut [u8],
) -> Result<(Subject, std::fs::Metadata), SubjectError> {
    let read_err = |source| SubjectError::Read {
        path: path.display().to_string(),
        source,
    };
    if path.is_dir() {
        return Err(SubjectError::Directory {
            path: path.display().to_string(),
        });
    }
    let (file, meta) = crate::input_file::open(path).map_err(read_err)?;
    // A name with a line break can only mislead whatever reads it next; refuse it early.
    let name = file_name(path)?;
    super::check_name(&name)?;
    let (digests, size) = hash_reader(file, algorithms, buf).map_err(read_err)?;
    Ok((
        Subject {
            name,
            digests,
            path: Some(path.to_owned()),
            size: Some(size),
        },
        meta,
    ))
}

/// The name a file's subject carries: its final component, exactly. A name that is not
/// UTF-8 is refused, never converted: a converted name would point at no file.
pub fn file_name(path: &Path) -> Result<String, SubjectError> {
    let bad = |reason: &str| SubjectError::BadName {
        name: path.display().to_string(),
        reason: reason.to_owned(),
    };
    let name = path.file_name().ok_or_else(|| bad("it has no file name"))?;
    name.to_str()
        .map(str::to_owned)
        .ok_or_else(|| bad("it is not valid UTF-8"))
}

/// Hashes all files in parallel; results keep the input order, and the first failure (in
/// that order) is returned. A file reached twice (through a symlink, `..`, a hard link) is
/// kept once, at its first place.
pub fn hash_files(
    paths: &[PathBuf],
    algorithms: &[Algorithm],
) -> Result<Vec<Subject>, SubjectError> {
    let hashed: Vec<(Subject, FileId)> = paths
        .par_iter()
        .map_init(
            || vec![0u8; BUF_SIZE],
            |buf, path| {
                let (subject, meta) = hash_open(path, algorithms, buf)?;
                Ok((subject, file_id(path, &meta)))
            },
        )
        .collect::<Result<_, SubjectError>>()?;
    let mut seen = std::collections::HashSet::new();
    Ok(hashed
        .into_iter()
        .filter(|(_, id)| seen.insert(id.clone()))
        .map(|(s, _)| s)
        .collect())
}

/// What makes two paths the same file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

#[cfg(unix)]
fn file_id(_path: &Path, meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId::Inode(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(path: &Path, _meta: &std::fs::Metadata) -> FileId {
    FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() -> std::io::Result<()> {
        let mut buf = vec![0u8; 7]; // a tiny buffer exercises the read loop
        let (d, size) = hash_reader(
            &b"abc"[..],
            &[Algorithm::Sha256, Algorithm::Sha512],
            &mut buf,
        )?;
        assert_eq!(size, 3);
        assert_eq!(
            d[&Algorithm::Sha256],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(d[&Algorithm::Sha512].starts_with("ddaf35a193617aba"));
        let (d, _) = hash_reader(&b""[..], &[Algorithm::Sha256], &mut buf)?;
        assert_eq!(
            d[&Algorithm::Sha256],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(!d.contains_key(&Algorithm::Sha512));
        Ok(())
    }

    #[test]
    fn long_input_across_buffers() -> std::io::Result<()> {
        let data = vec![b'a'; 1_000_000];
        let mut buf = vec![0u8; 4096];
        let (d, _) = hash_reader(&data[..], &[Algorithm::Sha256], &mut buf)?;
        assert_eq!(
            d[&Algorithm::Sha256],
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        Ok(())
    }
}
