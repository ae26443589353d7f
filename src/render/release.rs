//! `verify-release`: terminal table, JSON, job summary and step outputs. Untrusted strings
//! (asset names, identities, reasons) go through `markdown::code` in the summary and
//! `Printable` on the terminal.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Printable as _, human_size, short_digest};
use crate::action::markdown::code;
use crate::action::outputs::Outputs;
use crate::release::{ReleaseReport, Role};

fn role(r: Role) -> &'static str {
    match r {
        Role::Artifact => "artifact",
        Role::Sbom => "sbom",
        Role::Provenance => "provenance",
        Role::Signature => "signature",
    }
}

/// One line per failure, for annotations.
pub fn failure_lines(report: &ReleaseReport) -> Vec<String> {
    let mut out = Vec::new();
    for a in &report.assets {
        if let Some(e) = &a.error {
            out.push(format!("download {}: {e}", a.name));
        }
    }
    for r in report.signatures.failed() {
        if let Some(f) = &r.failure {
            out.push(format!("signature of {}: {f}", r.artifact));
        }
    }
    for s in &report.sboms {
        if let Some(f) = &s.failure {
            out.push(format!("SBOM {}: {f}", s.sbom));
        }
    }
    for p in &report.provenance {
        if let Some(f) = &p.failure {
            out.push(format!(
                "provenance {}{}: {f}",
                p.file,
                p.subject
                    .as_deref()
                    .map(|s| format!(" subject {s}"))
                    .unwrap_or_default()
            ));
        }
    }
    out
}

pub fn text(report: &ReleaseReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Release {} of {} ({} assets, downloaded to {})\n",
        report.tag.printable(),
        report.repo,
        report.assets.len(),
        report.download_dir.printable()
    );
    let _ = writeln!(out, "ASSETS");
    for a in &report.assets {
        let state = if a.error.is_some() { "FAIL" } else { "OK  " };
        let _ = writeln!(
            out,
            "  {state}  {:<10}  {:>10}  {}  {}",
            role(a.role),
            human_size(a.size),
            if a.digest.is_empty() {
                "-".to_owned()
            } else {
                short_digest(&a.digest)
            },
            a.name.printable()
        );
        if let Some(e) = &a.error {
            let _ = writeln!(out, "        {}", e.printable());
        }
    }
    let _ = writeln!(out, "\nSIGNATURES");
    for r in &report.signatures.rows {
        let bundle = if r.bundle.is_empty() { "-" } else { &r.bundle };
        match &r.failure {
            None => {
                let _ = writeln!(
                    out,
                    "  OK    {}  ({})  signer {}",
                    r.artifact.printable(),
                    bundle.printable(),
                    r.identity.as_deref().unwrap_or("-").printable()
                );
            }
            Some(f) => {
                let _ = writeln!(
                    out,
                    "  FAIL  {}  ({})\n        {} check failed: {}",
                    r.artifact.printable(),
                    bundle.printable(),
                    f.check,
                    f.reason.printable()
                );
            }
        }
    }
    let _ = writeln!(out, "\nSBOMS");
    if report.sboms.is_empty() {
        let _ = writeln!(out, "  (none in the release)");
    }
    for s in &report.sboms {
        match &s.failure {
            None => {
                let _ = writeln!(
                    out,
                    "  OK    {}  {}  describes {}",
                    s.sbom.printable(),
                    s.format,
                    s.describes.join(", ").printable()
                );
            }
            Some(f) => {
                let _ = writeln!(
                    out,
                    "  FAIL  {}  {}\n        {}",
                    s.sbom.printable(),
                    if s.format.is_empty() { "-" } else { &s.format },
                    f.printable()
                );
            }
        }
    }
    let _ = writeln!(out, "\nPROVENANCE");
    if report.provenance.is_empty() {
        let _ = writeln!(out, "  (none in the release)");
    }
    for p in &report.provenance {
        let what = p.subject.as_deref().unwrap_or("-");
        match (&p.failure, &p.note) {
            (Some(f), _) => {
                let _ = writeln!(
                    out,
                    "  FAIL  {}  subject {}\n        {}",
                    p.file.printable(),
                    what.printable(),
                    f.printable()
                );
            }
            (None, Some(n)) => {
                let _ = writeln!(out, "  NOTE  {}  {}", p.file.printable(), n);
            }
            (None, None) => {
                let _ = writeln!(
                    out,
                    "  OK    {}  subject {}  {}",
                    p.file.printable(),
                    what.printable(),
                    p.digest.as_deref().map(short_digest).unwrap_or_default()
                );
            }
        }
    }
    if !report.uncovered.is_empty() {
        let _ = writeln!(
            out,
            "\nNOT COVERED (signature files for assets not in the release)"
        );
        for u in &report.uncovered {
            let _ = writeln!(out, "  {}", u.printable());
        }
    }
    if !report.without_sbom.is_empty() {
        let _ = writeln!(out, "\nARTIFACTS NO SBOM DESCRIBES");
        for u in &report.without_sbom {
            let _ = writeln!(out, "  {}", u.printable());
        }
    }
    let verdict = if report.verified() {
        "VERIFIED"
    } else {
        "FAILED"
    };
    let _ = writeln!(
        out,
        "\n{verdict}: {} of {} checks failed; {} ms total, {} ms network, {} ms verifying",
        report.failures(),
        report.checks(),
        report.timing.total_ms,
        report.timing.network_ms,
        report.timing.verify_ms
    );
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReleaseJsonV1<'a> {
    version: u32,
    command: &'static str,
    repository: &'a str,
    tag: &'a str,
    release_url: &'a str,
    verified: bool,
    failures: usize,
    checks: usize,
    assets: &'a [crate::release::AssetRow],
    signatures: &'a [crate::report::VerifyRow],
    sboms: &'a [crate::release::SbomRow],
    provenance: &'a [crate::release::ProvenanceRow],
    uncovered: &'a [String],
    without_sbom: &'a [String],
    warnings: &'a [String],
    timing: crate::release::Timing,
}

pub fn json(report: &ReleaseReport) -> String {
    let doc = ReleaseJsonV1 {
        version: 1,
        command: "verify-release",
        repository: &report.repo,
        tag: &report.tag,
        release_url: &report.release_url,
        verified: report.verified(),
        failures: report.failures(),
        checks: report.checks(),
        assets: &report.assets,
        signatures: &report.signatures.rows,
        sboms: &report.sboms,
        provenance: &report.provenance,
        uncovered: &report.uncovered,
        without_sbom: &report.without_sbom,
        warnings: &report.signatures.warnings,
        timing: report.timing,
    };
    String::from_utf8(crate::statement::to_json_bytes(&doc)).unwrap_or_default()
}

pub fn outputs(report: &ReleaseReport) -> Outputs {
    let mut o = Outputs::default();
    o.set("verified", report.verified().to_string());
    o.set(
        "verified-count",
        report.signatures.verified_count().to_string(),
    );
    o.set("release-failures", report.failures().to_string());
    o.set(
        "results",
        serde_json::to_string(&report.signatures.rows).unwrap_or_else(|_| "[]".to_owned()),
    );
    o
}

pub fn summary(report: &ReleaseReport) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "### attest-kit · verify-release {} of {}\n",
        code(&report.tag),
        code(&report.repo)
    );
    let verdict = if report.verified() {
        "✅ Release verified"
    } else {
        "❌ Release verification failed"
    };
    let _ = writeln!(
        md,
        "{verdict}: **{}** of **{}** checks failed.\n",
        report.failures(),
        report.checks()
    );
    let _ = writeln!(
        md,
        "| Asset | Kind | Size | Digest | Download |\n|---|---|---|---|---|"
    );
    for a in &report.assets {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            code(&a.name),
            role(a.role),
            human_size(a.size),
            if a.digest.is_empty() {
                "—".to_owned()
            } else {
                code(&short_digest(&a.digest))
            },
            match &a.error {
                None => "✅".to_owned(),
                Some(e) => format!("❌ {}", code(e)),
            }
        );
    }
    let _ = writeln!(
        md,
        "\n#### Signatures\n\n| Result | File | Signature | Signer identity |\n|---|---|---|---|"
    );
    for r in &report.signatures.rows {
        let result = match &r.failure {
            None => "✅".to_owned(),
            Some(f) => format!("❌ {} {}", code(f.check.name()), code(&f.reason)),
        };
        let _ = writeln!(
            md,
            "| {result} | {} | {} | {} |",
            code(&r.artifact),
            if r.bundle.is_empty() {
                "—".to_owned()
            } else {
                code(&r.bundle)
            },
            r.identity
                .as_deref()
                .map(code)
                .unwrap_or_else(|| "—".to_owned())
        );
    }
    if !report.sboms.is_empty() {
        let _ = writeln!(
            md,
            "\n#### SBOMs\n\n| Result | SBOM | Format | Describes |\n|---|---|---|---|"
        );
        for s in &report.sboms {
            let result = match &s.failure {
                None => "✅".to_owned(),
                Some(f) => format!("❌ {}", code(f)),
            };
            let _ = writeln!(
                md,
                "| {result} | {} | {} | {} |",
                code(&s.sbom),
                if s.format.is_empty() {
                    "—".to_owned()
                } else {
                    code(&s.format)
                },
                s.describes
                    .iter()
                    .map(|d| code(d))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if !report.provenance.is_empty() {
        let _ = writeln!(
            md,
            "\n#### Provenance\n\n| Result | File | Subject | Digest |\n|---|---|---|---|"
        );
        for p in &report.provenance {
            let result = match (&p.failure, &p.note) {
                (Some(f), _) => format!("❌ {}", code(f)),
                (None, Some(n)) => format!("ℹ️ {}", code(n)),
                (None, None) => "✅".to_owned(),
            };
            let _ = writeln!(
                md,
                "| {result} | {} | {} | {} |",
                code(&p.file),
                p.subject
                    .as_deref()
                    .map(code)
                    .unwrap_or_else(|| "—".to_owned()),
                p.digest
                    .as_deref()
                    .map(|d| code(&short_digest(d)))
                    .unwrap_or_else(|| "—".to_owned())
            );
        }
    }
    if !report.uncovered.is_empty() {
        let _ = writeln!(
            md,
            "\n> [!WARNING]\n> Signature files for assets not in the release: {}\n",
            report
                .uncovered
                .iter()
                .map(|u| code(u))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !report.without_sbom.is_empty() {
        let _ = writeln!(
            md,
            "\n> [!NOTE]\n> Artifacts no SBOM describes: {}\n",
            report
                .without_sbom
                .iter()
                .map(|u| code(u))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    md
}

/// `attestation-ids` and `attestation-urls` (JSON arrays), and a summary line per upload.
pub fn pushed(o: &mut Outputs, md: &mut String, p: &crate::commands::push::PushReport) {
    o.set(
        "attestation-ids",
        serde_json::to_string(&p.ids).unwrap_or_else(|_| "[]".to_owned()),
    );
    o.set(
        "attestation-urls",
        serde_json::to_string(&p.urls).unwrap_or_else(|_| "[]".to_owned()),
    );
    let _ = writeln!(
        md,
        "\n#### Stored with GitHub's attestations API in {}\n",
        code(&p.repository)
    );
    for (id, url) in p.ids.iter().zip(&p.urls) {
        let _ = writeln!(md, "- attestation {} {}", code(&id.to_string()), code(url));
    }
}

/// One line: what happened to the release's assets.
pub fn uploaded_text(u: &crate::commands::upload::UploadReport) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.iter()
                .map(|s| s.printable().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    format!(
        "release {} of {}: uploaded {}; unchanged {}; replaced {}",
        u.tag.printable(),
        u.repository,
        list(&u.uploaded),
        list(&u.unchanged),
        list(&u.replaced)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{AssetRow, SbomRow, Timing};

    #[test]
    fn hostile_asset_names_stay_inside_code_spans() {
        let evil = "a|b`c`\n<img src=x onerror=alert(1)>@team";
        let report = ReleaseReport {
            repo: "o/r".to_owned(),
            tag: "v1|`\n".to_owned(),
            release_url: String::new(),
            download_dir: "d".to_owned(),
            assets: vec![AssetRow {
                name: evil.to_owned(),
                size: 1,
                digest: String::new(),
                role: Role::Artifact,
                error: Some(evil.to_owned()),
            }],
            signatures: Default::default(),
            sboms: vec![SbomRow {
                sbom: evil.to_owned(),
                format: String::new(),
                describes: vec![evil.to_owned()],
                failure: Some(evil.to_owned()),
            }],
            provenance: Vec::new(),
            uncovered: vec![evil.to_owned()],
            without_sbom: Vec::new(),
            timing: Timing::default(),
        };
        let md = summary(&report);
        assert!(!md.contains("\n<img"), "{md}");
        // One header, one separator and one row: the name broke no table row.
        let asset_rows = md
            .lines()
            .skip_while(|l| !l.starts_with("| Asset"))
            .take_while(|l| l.starts_with('|'))
            .count();
        assert_eq!(asset_rows, 3, "{md}");
        assert!(!failure_lines(&report).is_empty());
        assert!(!text(&report).contains('\u{1b}'));
    }
}
