//! `verify-release`'s portable half: what each release asset is, the SBOM and provenance
//! checks on downloaded files, and the report. The network half is
//! `commands::verify_release`.

pub mod provenance;
pub mod sbom;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::VerifyReport;

/// Suffixes of files that sign or attest another asset (`<asset><suffix>`).
pub const SIGNATURE_SUFFIXES: [&str; 5] = [
    ".sigstore.json",
    ".sigstore",
    ".intoto.jsonl",
    ".sig",
    ".crt",
];

/// What an asset is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A distribution file (sdist, wheel, binary...).
    Artifact,
    /// An SPDX or CycloneDX JSON document.
    Sbom,
    /// Build provenance (the seed's build-provenance.json or an in-toto statement).
    Provenance,
    /// A bundle, `.sig` or `.crt` for the asset named in `target`.
    Signature,
}

/// The role of an asset, and for signature files the asset they are for.
pub fn classify(name: &str) -> (Role, Option<String>) {
    for suffix in SIGNATURE_SUFFIXES {
        if let Some(target) = name.strip_suffix(suffix)
            && !target.is_empty()
        {
            return (Role::Signature, Some(target.to_owned()));
        }
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".spdx.json")
        || lower.ends_with(".cdx.json")
        || lower.ends_with(".cyclonedx.json")
        || lower.ends_with(".bom.json")
    {
        return (Role::Sbom, None);
    }
    if lower.ends_with(".json") && lower.contains("provenance") || lower.ends_with(".intoto.json") {
        return (Role::Provenance, None);
    }
    (Role::Artifact, None)
}

/// One release asset.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetRow {
    pub name: String,
    pub size: u64,
    /// `sha256:<hex>` of what was downloaded; empty when the download failed.
    pub digest: String,
    pub role: Role,
    /// Why it could not be downloaded.
    pub error: Option<String>,
}

/// An SBOM checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SbomRow {
    pub sbom: String,
    /// `SPDX-2.3`, `CycloneDX-1.6`...; empty when unreadable.
    pub format: String,
    /// The release artifacts whose SHA-256 it names.
    pub describes: Vec<String>,
    pub failure: Option<String>,
}

/// A provenance subject (or a provenance file without subjects) checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceRow {
    pub file: String,
    /// The subject's name; `None` for a file-level finding.
    pub subject: Option<String>,
    pub digest: Option<String>,
    /// A remark that is not a failure (e.g. the legacy format carries no subjects).
    pub note: Option<String>,
    pub failure: Option<String>,
}

/// Where the time went.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    pub total_ms: u128,
    /// Listing and downloading (network waits included).
    pub network_ms: u128,
    /// Signature, SBOM and provenance checks (no network).
    pub verify_ms: u128,
}

/// The result of `verify-release`.
#[derive(Debug, Clone)]
pub struct ReleaseReport {
    pub repo: String,
    pub tag: String,
    pub release_url: String,
    pub download_dir: String,
    pub assets: Vec<AssetRow>,
    pub signatures: VerifyReport,
    pub sboms: Vec<SbomRow>,
    pub provenance: Vec<ProvenanceRow>,
    /// Assets nothing covers: signature files for assets not in the release.
    pub uncovered: Vec<String>,
    /// Artifacts no SBOM describes (reported, not failed: SBOMs are optional).
    pub without_sbom: Vec<String>,
    pub timing: Timing,
}

impl ReleaseReport {
    pub fn failures(&self) -> usize {
        self.assets.iter().filter(|a| a.error.is_some()).count()
            + self
                .signatures
                .rows
                .iter()
                .filter(|r| !r.verified())
                .count()
            + self.sboms.iter().filter(|s| s.failure.is_some()).count()
            + self
                .provenance
                .iter()
                .filter(|p| p.failure.is_some())
                .count()
    }

    pub fn checks(&self) -> usize {
        self.assets.len() + self.signatures.rows.len() + self.sboms.len() + self.provenance.len()
    }

    /// Everything downloaded, every signature, SBOM and provenance subject good, and at
    /// least one signature checked.
    pub fn verified(&self) -> bool {
        self.failures() == 0 && !self.signatures.rows.is_empty()
    }

    /// sha256 hex → asset name, for the artifacts (distribution files) downloaded.
    pub fn artifact_digests(assets: &[AssetRow]) -> BTreeMap<String, String> {
        assets
            .iter()
            .filter(|a| a.role == Role::Artifact && a.error.is_none())
            .filter_map(|a| Some((a.digest.strip_prefix("sha256:")?.to_owned(), a.name.clone())))
            .collect()
    }
}

/// `OWNER/REPO`, checked: one slash, no path tricks.
pub fn check_repo(repo: &str) -> Result<(), String> {
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match repo.split_once('/') {
        Some((o, r)) if ok(o) && ok(r) => Ok(()),
        _ => Err(format!("{repo:?} is not OWNER/REPO")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repos() {
        assert!(check_repo("attest-kit/demo").is_ok());
        assert!(check_repo("a/b/c").is_err());
        assert!(check_repo("../b").is_err());
    }

    #[test]
    fn seed_layout_roles() {
        let cases = [
            ("pulse-sdk-1.0.0.tar.gz", Role::Artifact),
            ("pulse_sdk-1.0.0-py3-none-any.whl", Role::Artifact),
            ("pulse_sdk-1.0.0-py3-none-any.whl.sig", Role::Signature),
            ("pulse_sdk-1.0.0-py3-none-any.whl.crt", Role::Signature),
            ("sbom-wheel.spdx.json", Role::Sbom),
            ("sbom-wheel.cyclonedx.json", Role::Sbom),
            ("sbom-wheel.spdx.json.sig", Role::Signature),
            ("build-provenance.json", Role::Provenance),
            ("build-provenance.json.crt", Role::Signature),
            ("app.intoto.jsonl", Role::Signature),
        ];
        for (name, role) in cases {
            assert_eq!(classify(name).0, role, "{name}");
        }
        assert_eq!(classify("a.whl.sig").1.as_deref(), Some("a.whl"));
    }
}
