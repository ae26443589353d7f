//! Software bills of materials for Python wheels and sdists (and Cargo projects): read the
//! artifact without extracting it, resolve its dependencies from the first source given,
//! and write SPDX 2.3 and CycloneDX 1.6/1.5 documents plus in-toto statements over them.
//!
//! `archive` reads members, `metadata` parses core metadata, `pep508` requirements and
//! markers, `sources` the dependency sources (environment, lockfiles, pip, Cargo.lock),
//! `license` SPDX expressions, `model` the format-neutral result, `spdx` and `cyclonedx`
//! the two writers, `build` the build environment, `time` timestamps.

pub mod archive;
pub mod build;
pub mod cyclonedx;
pub mod generate;
pub mod license;
pub mod metadata;
pub mod model;
pub mod pep508;
pub mod purl;
pub mod sources;
pub mod spdx;
pub mod time;

use std::path::PathBuf;

/// Why an SBOM could not be made. Every variant is about a user's input unless it says
/// otherwise.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("couldn't read {path:?}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The archive is damaged, hostile or not what its name says.
    #[error("{path:?} is not a usable {kind}: {reason}")]
    Archive {
        path: PathBuf,
        kind: &'static str,
        reason: String,
    },
    #[error("{path:?} has no {what}")]
    Missing { path: PathBuf, what: String },
    #[error("invalid metadata in {path:?}: {reason}")]
    Metadata { path: PathBuf, reason: String },
    #[error("{path:?} is neither a Python wheel (.whl) nor an sdist (.tar.gz){hint}")]
    NotPython { path: PathBuf, hint: &'static str },
    #[error("couldn't read the dependency source {path:?}: {reason}")]
    Source { path: PathBuf, reason: String },
    #[error("pip could not resolve the dependencies of {artifact:?}: {reason}")]
    Pip { artifact: String, reason: String },
    /// A bug in attest-kit: a document we built refers to something it does not hold.
    #[error("internal error: the {format} document is inconsistent: {reason}")]
    Inconsistent {
        format: &'static str,
        reason: String,
    },
    #[error(
        "two SBOMs would be written to {0:?}; set sbom-name-template so names differ (e.g. {{artifact}})"
    )]
    NameClash(String),
}
