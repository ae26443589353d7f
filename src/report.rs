//! What a run produced, as values: renderers turn these into outputs, summaries and text.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::subject::Subject;

/// A file a run wrote, and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenFile {
    #[serde(serialize_with = "serialize_path")]
    pub path: PathBuf,
    pub kind: FileKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// in-toto Statement v1 with the SLSA provenance v1 predicate.
    Provenance,
    /// The seed's build-provenance.json.
    LegacyProvenance,
    /// `sha256sum --check` list of the subjects.
    Checksums,
}

impl FileKind {
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Provenance => "in-toto Statement v1, SLSA provenance v1 (unsigned)",
            FileKind::LegacyProvenance => "build-provenance.json in the seed's legacy shape",
            FileKind::Checksums => "SHA-256 checksums of the subjects, for sha256sum --check",
        }
    }
}

/// The result of `attest` or `provenance`.
#[derive(Debug, Clone)]
pub struct AttestReport {
    pub command: &'static str,
    pub subjects: Vec<Subject>,
    pub predicate_type: &'static str,
    pub files: Vec<WrittenFile>,
    /// Warnings worth an annotation (e.g. two subjects share a name).
    pub warnings: Vec<String>,
}

impl AttestReport {
    pub fn file(&self, kind: FileKind) -> Option<&WrittenFile> {
        self.files.iter().find(|f| f.kind == kind)
    }
}

/// A path as people and workflows see it: `/`-separated on every OS, so outputs and
/// summaries read the same on Windows runners (where `/` works as a separator too).
pub fn display_path(path: &Path) -> String {
    let shown = path.display().to_string();
    if cfg!(windows) {
        shown.replace('\\', "/")
    } else {
        shown
    }
}

fn serialize_path<S: serde::Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&display_path(path))
}
