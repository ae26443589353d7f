//! The step outputs of each command.

use serde_json::json;

use crate::action::outputs::Outputs;
use crate::report::{AttestReport, FileKind};

pub fn attest(report: &AttestReport) -> Outputs {
    let mut o = Outputs::default();
    let subjects: Vec<_> = report
        .subjects
        .iter()
        .map(|s| json!({"name": s.name, "digest": s.primary_digest()}))
        .collect();
    o.set("subjects", serde_json::Value::Array(subjects).to_string());
    o.set("subject-count", report.subjects.len().to_string());
    let path = |kind| {
        report
            .file(kind)
            .map(|f| crate::report::display_path(&f.path))
            .unwrap_or_default()
    };
    o.set("provenance-path", path(FileKind::Provenance));
    o.set("legacy-provenance-path", path(FileKind::LegacyProvenance));
    o.set("checksums-path", path(FileKind::Checksums));
    if let Some(signing) = &report.signing {
        sign(&mut o, signing);
        let pypi: Vec<String> = report
            .files
            .iter()
            .filter(|f| f.kind == FileKind::PypiAttestation)
            .map(|f| crate::report::display_path(&f.path))
            .collect();
        o.set(
            "pypi-attestation-paths",
            serde_json::to_string(&pypi).unwrap_or_else(|_| "[]".to_owned()),
        );
    }
    o
}

/// `bundle-paths`, `signature-paths`, `certificate-paths` and `rekor-log-indexes` (JSON
/// arrays), and `certificate-identity`.
fn sign(o: &mut Outputs, report: &crate::report::SignReport) {
    let paths = |pick: fn(&crate::report::SignedItem) -> Option<&std::path::PathBuf>| {
        let v: Vec<String> = report
            .items
            .iter()
            .filter_map(pick)
            .map(|p| crate::report::display_path(p))
            .collect();
        serde_json::to_string(&v).unwrap_or_else(|_| "[]".to_owned())
    };
    o.set("bundle-paths", paths(|i| i.bundle.as_ref()));
    o.set("signature-paths", paths(|i| i.signature.as_ref()));
    o.set("certificate-paths", paths(|i| i.certificate.as_ref()));
    o.set("certificate-identity", report.identity.clone());
    let mut indexes: Vec<u64> = report.items.iter().filter_map(|i| i.log_index).collect();
    indexes.dedup();
    o.set(
        "rekor-log-indexes",
        serde_json::to_string(&indexes).unwrap_or_else(|_| "[]".to_owned()),
    );
}

/// `verified`, `verified-count` and `results` (the same rows as `--format json`).
pub fn verify(report: &crate::report::VerifyReport) -> Outputs {
    let mut o = Outputs::default();
    o.set("verified", report.verified().to_string());
    o.set("verified-count", report.verified_count().to_string());
    o.set(
        "results",
        serde_json::to_string(&report.rows).unwrap_or_else(|_| "[]".to_owned()),
    );
    o
}
