//! `--format json`: a stable, versioned document for scripts.

use serde::Serialize;

use crate::report::{AttestReport, WrittenFile};

#[derive(Serialize)]
struct AttestJsonV1<'a> {
    version: u32,
    command: &'a str,
    #[serde(rename = "predicateType")]
    predicate_type: &'a str,
    subjects: Vec<SubjectJson<'a>>,
    files: &'a [WrittenFile],
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    signing: Option<&'a crate::report::SignReport>,
    /// Present when SBOMs were written too: one document, never two.
    #[serde(skip_serializing_if = "Option::is_none")]
    sbom: Option<&'a [crate::report::SbomEntry]>,
}

#[derive(Serialize)]
struct SubjectJson<'a> {
    name: &'a str,
    digest: std::collections::BTreeMap<String, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
}

pub fn attest(report: &AttestReport) -> String {
    let doc = AttestJsonV1 {
        version: 1,
        command: report.command,
        predicate_type: report.predicate_type,
        subjects: report
            .subjects
            .iter()
            .map(|s| SubjectJson {
                name: &s.name,
                digest: s
                    .digests
                    .iter()
                    .map(|(a, h)| (a.to_string(), h.as_str()))
                    .collect(),
                path: s.path.as_ref().map(|p| crate::report::display_path(p)),
                size: s.size,
            })
            .collect(),
        files: &report.files,
        warnings: &report.warnings,
        signing: report.signing.as_ref(),
        sbom: report.sbom.as_ref().map(|s| s.entries.as_slice()),
    };
    String::from_utf8(crate::statement::to_json_bytes(&doc)).unwrap_or_default()
}

#[derive(Serialize)]
struct VerifyJsonV1<'a> {
    version: u32,
    command: &'static str,
    verified: bool,
    #[serde(rename = "verifiedCount")]
    verified_count: usize,
    results: &'a [crate::report::VerifyRow],
    warnings: &'a [String],
}

pub fn verify(report: &crate::report::VerifyReport) -> String {
    let doc = VerifyJsonV1 {
        version: 1,
        command: "verify",
        verified: report.verified(),
        verified_count: report.verified_count(),
        results: &report.rows,
        warnings: &report.warnings,
    };
    String::from_utf8(crate::statement::to_json_bytes(&doc)).unwrap_or_default()
}

#[derive(Serialize)]
struct ReproduceJsonV1<'a> {
    version: u32,
    command: &'static str,
    reproducible: bool,
    #[serde(flatten)]
    report: &'a crate::report::ReproduceReport,
}

/// The same document as the report file in output-dir.
pub fn reproduce(report: &crate::report::ReproduceReport) -> String {
    let doc = ReproduceJsonV1 {
        version: 1,
        command: "reproduce",
        reproducible: report.reproducible(),
        report,
    };
    String::from_utf8(crate::statement::to_json_bytes(&doc)).unwrap_or_default()
}

#[derive(Serialize)]
struct SbomJsonV1<'a> {
    version: u32,
    command: &'static str,
    sboms: &'a [crate::report::SbomEntry],
    warnings: &'a [String],
}

pub fn sbom(report: &crate::report::SbomReport) -> String {
    let doc = SbomJsonV1 {
        version: 1,
        command: "sbom",
        sboms: &report.entries,
        warnings: &report.warnings,
    };
    String::from_utf8(crate::statement::to_json_bytes(&doc)).unwrap_or_default()
}
