//! Subjects: the artifacts an attestation is about, with their digests.
//!
//! They come from path patterns (hashed here), from a digest and name given directly, or
//! from a `sha256sum`-style checksums list.

pub mod checksums;
pub mod digest;
pub mod hash;
pub mod paths;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use digest::{Algorithm, Digest, DigestError};

/// One artifact and its digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The name recorded in attestations: the file name for paths.
    pub name: String,
    /// Algorithm → lowercase hex.
    pub digests: BTreeMap<Algorithm, String>,
    /// Where the file was read, for subjects found on disk.
    pub path: Option<PathBuf>,
    pub size: Option<u64>,
}

impl Subject {
    pub fn sha256(&self) -> Option<&str> {
        self.digests.get(&Algorithm::Sha256).map(String::as_str)
    }

    /// The strongest-known digest as `alg:hex`, SHA-256 first since every tool speaks it.
    pub fn primary_digest(&self) -> String {
        self.digests
            .iter()
            .next()
            .map(|(a, h)| format!("{a}:{h}"))
            .unwrap_or_default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SubjectError {
    #[error("subject-path pattern {pattern:?} matches no file")]
    NoMatch { pattern: String },
    #[error("subject-path {path:?} is a directory; use {path}/** to attest the files in it")]
    Directory { path: String },
    #[error("invalid subject-path pattern {pattern:?}: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("couldn't read subject {path:?}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("couldn't walk {path:?} for pattern {pattern:?}: {reason}")]
    Walk {
        pattern: String,
        path: String,
        reason: String,
    },
    #[error(transparent)]
    Digest(#[from] DigestError),
    #[error("subject-checksums{} line {line}: {reason}", file.as_ref().map(|f| format!(" {f:?}")).unwrap_or_default())]
    ChecksumLine {
        /// The checksums file, when the lines came from one.
        file: Option<String>,
        line: usize,
        reason: String,
    },
    #[error("couldn't read subject-checksums file {path:?}")]
    ChecksumFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{count} subjects, more than max-subjects ({limit}); raise max-subjects to attest them all, or attest them in several steps"
    )]
    TooMany { count: usize, limit: usize },
    #[error("subject-name is required with subject-digest")]
    MissingName,
    #[error("invalid subject name {name:?}: {reason}")]
    BadName { name: String, reason: String },
    #[error(
        "no subjects: give subject-path, subject-digest with subject-name, or subject-checksums"
    )]
    Empty,
}

/// The one rule for subject names from every source (file names on disk, checksums lines,
/// `subject-name`): what no artifact is called, and what would point `sha256sum --check` (or
/// any consumer) at a file outside the directory it runs in.
pub fn check_name(name: &str) -> Result<(), SubjectError> {
    let bytes = name.as_bytes();
    // `C:\x`, `C:/x`: absolute on Windows.
    let drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'/' | b'\\');
    let reason = if name.is_empty() {
        "it is empty"
    } else if name.chars().any(|c| c.is_control()) {
        "it contains a control character"
    } else if name.starts_with(['/', '\\']) || drive {
        "it is an absolute path"
    } else if name.split(['/', '\\']).any(|segment| segment == "..") {
        "it has a `..` segment"
    } else {
        return Ok(());
    };
    Err(SubjectError::BadName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    })
}

/// Drops repeated subjects (same name and digests), keeping the first: order stays stable.
pub fn dedup(subjects: Vec<Subject>) -> Vec<Subject> {
    let mut seen = std::collections::HashSet::new();
    subjects
        .into_iter()
        .filter(|s| seen.insert((s.name.clone(), s.digests.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_rule_for_every_source() {
        for ok in [
            "a.whl",
            "dist/a.whl",
            "a..b.whl",
            "..a",
            "back\\slash",
            "a::b%0A.whl",
        ] {
            assert!(check_name(ok).is_ok(), "{ok:?}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("a\nb", "control character"),
            ("a\u{7f}b", "control character"),
            ("/etc/shadow", "absolute path"),
            ("\\\\server\\share", "absolute path"),
            ("C:\\x.exe", "absolute path"),
            ("c:/x.exe", "absolute path"),
            ("../../../../etc/passwd", "`..` segment"),
            ("dist/../../x", "`..` segment"),
            ("..", "`..` segment"),
            ("a\\..\\b", "`..` segment"),
        ] {
            match check_name(bad) {
                Err(SubjectError::BadName { reason, .. }) => {
                    assert!(reason.contains(why), "{bad:?}: {reason}")
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }
}
