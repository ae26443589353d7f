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
    if let Some(s) = &report.sbom {
        o.set("sbom-paths", sbom_paths(s));
    }
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

/// `sbom-paths`: one object per artifact with the path of each file written.
fn sbom_paths(report: &crate::report::SbomReport) -> String {
    let items: Vec<_> = report
        .entries
        .iter()
        .map(|e| {
            let mut m = serde_json::Map::new();
            m.insert("artifact".into(), e.artifact.clone().into());
            for f in &e.written {
                let p = crate::report::display_path(&f.path);
                let key = match f.kind {
                    FileKind::SpdxSbom => "spdx",
                    FileKind::CyclonedxSbom => "cyclonedx",
                    FileKind::SbomStatement if p.ends_with(".spdx.statement.json") => {
                        "spdx-statement"
                    }
                    FileKind::SbomStatement => "cyclonedx-statement",
                    _ => continue,
                };
                m.insert(key.into(), p.into());
            }
            serde_json::Value::Object(m)
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// `sbom-paths` and `sbom-count`.
pub fn sbom(report: &crate::report::SbomReport) -> Outputs {
    let mut o = Outputs::default();
    o.set("sbom-paths", sbom_paths(report));
    o.set("sbom-count", report.entries.len().to_string());
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

/// `source-date-epoch` always; `reproducible` and `report-path` after a comparison.
pub fn reproduce(report: &crate::report::ReproduceReport) -> Outputs {
    let mut o = Outputs::default();
    o.set(
        "source-date-epoch",
        report
            .source_date_epoch
            .map(|e| e.to_string())
            .unwrap_or_default(),
    );
    if !report.epoch_only {
        o.set("reproducible", report.reproducible().to_string());
        o.set(
            "report-path",
            report
                .report_path
                .as_deref()
                .map(crate::report::display_path)
                .unwrap_or_default(),
        );
    }
    o
}
