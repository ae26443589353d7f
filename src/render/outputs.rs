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
    o
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
