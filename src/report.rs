//! What a run produced, as values: renderers turn these into outputs, summaries and text.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::subject::Subject;

pub use crate::reproduce::ReproduceReport;

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
    /// Sigstore bundle v0.3 over a file (message signature).
    Bundle,
    /// Base64 signature over a file (with its `.crt`).
    Signature,
    /// PEM signing certificate.
    Certificate,
    /// Sigstore bundle v0.3 of a signed in-toto statement (DSSE).
    AttestationBundle,
    /// The same bundle as one JSON line.
    AttestationJsonl,
    /// PEP 740 Attestation object for PyPI (`<dist>.publish.attestation`).
    PypiAttestation,
    /// SPDX 2.3 JSON SBOM.
    SpdxSbom,
    /// CycloneDX JSON SBOM.
    CyclonedxSbom,
    /// in-toto Statement v1 over an artifact with an SBOM as predicate.
    SbomStatement,
}

impl FileKind {
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Provenance => "in-toto Statement v1, SLSA provenance v1 (unsigned)",
            FileKind::LegacyProvenance => "build-provenance.json in the seed's legacy shape",
            FileKind::Checksums => "SHA-256 checksums of the subjects, for sha256sum --check",
            FileKind::Bundle => "Sigstore bundle v0.3 (message signature over the file)",
            FileKind::Signature => "base64 signature (cosign verify-blob --signature)",
            FileKind::Certificate => "PEM signing certificate (cosign verify-blob --certificate)",
            FileKind::AttestationBundle => "Sigstore bundle v0.3 of the signed statement (DSSE)",
            FileKind::AttestationJsonl => "the signed statement's bundle as JSON lines",
            FileKind::PypiAttestation => "PEP 740 attestation object, for upload to PyPI",
            FileKind::SpdxSbom => "SPDX 2.3 SBOM",
            FileKind::CyclonedxSbom => "CycloneDX SBOM",
            FileKind::SbomStatement => "in-toto Statement v1 with an SBOM predicate (unsigned)",
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
    /// What was signed, when signing was asked for.
    pub signing: Option<SignReport>,
    /// The SBOMs written too, when asked for (`sbom` input).
    pub sbom: Option<SbomReport>,
}

/// The SBOMs of one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SbomEntry {
    /// The artifact's path as given.
    pub artifact: String,
    /// `wheel`, `sdist` or `binary`.
    pub kind: &'static str,
    pub name: String,
    pub version: Option<String>,
    /// Packages in the SBOM: the artifact and its dependencies.
    pub components: usize,
    /// Member files recorded.
    pub files: usize,
    /// Packages whose licence is a valid SPDX expression.
    pub licenses_spdx: usize,
    /// Packages with a licence that is not an SPDX expression (kept as written).
    pub licenses_other: usize,
    /// Packages without any licence information.
    pub licenses_unknown: usize,
    /// `environment`, `lockfile`, `pip`, `cargo` or `declared`.
    pub resolution: &'static str,
    /// The same, for people.
    pub resolution_detail: String,
    pub written: Vec<WrittenFile>,
}

/// The result of `sbom` (or the SBOM part of `attest`).
#[derive(Debug, Clone, Default)]
pub struct SbomReport {
    pub entries: Vec<SbomEntry>,
    pub warnings: Vec<String>,
}

/// What signing produced, all under one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignReport {
    /// The certificate's identity (SAN), as verified after signing.
    pub identity: String,
    pub issuer: String,
    /// `public-good`, `staging`, `github` or `custom`.
    pub instance: &'static str,
    pub items: Vec<SignedItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignedKind {
    /// A file, signed directly.
    Blob,
    /// An in-toto statement, signed as DSSE.
    Attestation,
}

/// One signed file or statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedItem {
    /// The subject's name, or the attestation's base name.
    pub subject: String,
    pub digest: String,
    pub kind: SignedKind,
    #[serde(serialize_with = "serialize_opt_path")]
    pub bundle: Option<PathBuf>,
    #[serde(serialize_with = "serialize_opt_path")]
    pub signature: Option<PathBuf>,
    #[serde(serialize_with = "serialize_opt_path")]
    pub certificate: Option<PathBuf>,
    pub log_index: Option<u64>,
}

fn serialize_opt_path<S: serde::Serializer>(
    path: &Option<PathBuf>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match path {
        Some(p) => s.serialize_str(&display_path(p)),
        None => s.serialize_none(),
    }
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

/// One artifact checked against one bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyRow {
    /// The artifact's path, or its digest when only a digest was given.
    pub artifact: String,
    /// `sha256:<hex>` (or the digest given).
    pub digest: String,
    /// The bundle file, with `#N` for the Nth bundle of a multi-bundle file.
    pub bundle: String,
    pub identity: Option<String>,
    pub issuer: Option<String>,
    pub source_repository: Option<String>,
    pub source_ref: Option<String>,
    pub log_index: Option<u64>,
    pub integrated_time: Option<String>,
    pub predicate_type: Option<String>,
    /// The trusted root that verified it: `public-good`, `github`, `staging`, `custom`.
    pub trust_domain: Option<String>,
    /// RFC 3161 tokens no trusted TSA vouches for: ignored (one valid token suffices).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_timestamps: Vec<String>,
    /// Why it failed; `None` when it verified.
    pub failure: Option<crate::verify::Failure>,
}

impl VerifyRow {
    pub fn verified(&self) -> bool {
        self.failure.is_none()
    }
}

/// The result of `verify`.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub rows: Vec<VerifyRow>,
    /// Bundles that name none of the artifacts, and the like.
    pub warnings: Vec<String>,
}

impl VerifyReport {
    /// True when there is at least one row and every row verified.
    pub fn verified(&self) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(VerifyRow::verified)
    }

    pub fn verified_count(&self) -> usize {
        self.rows.iter().filter(|r| r.verified()).count()
    }

    pub fn failed(&self) -> impl Iterator<Item = &VerifyRow> {
        self.rows.iter().filter(|r| !r.verified())
    }
}
