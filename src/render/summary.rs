//! The job summary of each command. Every untrusted string goes through `markdown::code`
//! or a fenced block.

use std::fmt::Write as _;

use super::{human_size, short_digest};
use crate::action::markdown::{code, fenced, shell_quote};
use crate::report::{AttestReport, FileKind};

pub fn attest(report: &AttestReport) -> String {
    let mut md = String::new();
    let n = report.subjects.len();
    let _ = writeln!(md, "### attest-kit · {}\n", report.command);
    let _ = writeln!(
        md,
        "Attested **{n}** subject{} with SLSA build provenance ({}).\n",
        if n == 1 { "" } else { "s" },
        code(report.predicate_type)
    );
    for w in &report.warnings {
        let _ = writeln!(md, "> [!WARNING]\n> {}\n", code(w));
    }

    let _ = writeln!(md, "#### Files written\n\n| File | Contents |\n|---|---|");
    for f in &report.files {
        let _ = writeln!(
            md,
            "| {} | {} |",
            code(&crate::report::display_path(&f.path)),
            f.kind.describe()
        );
    }

    if let Some(sums) = report.file(FileKind::Checksums) {
        let _ = writeln!(
            md,
            "\n#### Verify\n\nCheck the artifacts against the digests in the provenance, from the workspace:\n"
        );
        md.push_str(&fenced(
            "sh",
            &format!(
                "sha256sum --check {}",
                shell_quote(&crate::report::display_path(&sums.path))
            ),
        ));
    }

    if let Some(s) = &report.sbom {
        let _ = writeln!(md, "\n#### SBOMs\n");
        md.push_str(&sbom_section(s));
    }

    // The subject table goes last: if the summary must be truncated, rows are what is cut.
    let _ = writeln!(
        md,
        "\n#### Subjects\n\n| Subject | Digest | Size |\n|---|---|---:|"
    );
    for s in &report.subjects {
        let size = s.size.map(human_size).unwrap_or_else(|| "—".to_owned());
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            code(&s.name),
            code(&short_digest(&s.primary_digest())),
            size
        );
    }
    md
}

/// The verify summary: one row per artifact × bundle, the failures spelled out.
pub fn verify(report: &crate::report::VerifyReport) -> String {
    let mut md = String::new();
    let total = report.rows.len();
    let ok = report.verified_count();
    let _ = writeln!(md, "### attest-kit · verify\n");
    let verdict = if report.verified() {
        "✅ All verified"
    } else {
        "❌ Verification failed"
    };
    let _ = writeln!(
        md,
        "{verdict}: **{ok}** of **{total}** artifact × bundle checks passed.\n"
    );
    for w in &report.warnings {
        let _ = writeln!(md, "> [!WARNING]\n> {}\n", code(w));
    }
    let _ = writeln!(
        md,
        "| Result | Artifact | Digest | Signer identity | Issuer | Source | Rekor entry | Predicate type | Bundle |\n|---|---|---|---|---|---|---|---|---|"
    );
    let opt = |v: &Option<String>| v.as_deref().map(code).unwrap_or_else(|| "—".to_owned());
    for r in &report.rows {
        let result = match &r.failure {
            None => "✅".to_owned(),
            Some(f) => format!("❌ {} {}", code(f.check.name()), code(&f.reason)),
        };
        let source = match (&r.source_repository, &r.source_ref) {
            (Some(repo), Some(git_ref)) => code(&format!("{repo}@{git_ref}")),
            (Some(repo), None) => code(repo),
            _ => "—".to_owned(),
        };
        let entry = match (r.log_index, &r.integrated_time) {
            (Some(i), Some(t)) => format!("{} at {}", code(&i.to_string()), code(t)),
            (Some(i), None) => code(&i.to_string()),
            (None, Some(t)) => format!("timestamp {}", code(t)),
            (None, None) => "—".to_owned(),
        };
        let _ = writeln!(
            md,
            "| {result} | {} | {} | {} | {} | {source} | {entry} | {} | {} |",
            code(&r.artifact),
            code(&short_digest(&r.digest)),
            opt(&r.identity),
            opt(&r.issuer),
            opt(&r.predicate_type),
            if r.bundle.is_empty() {
                "—".to_owned()
            } else {
                code(&r.bundle)
            },
        );
    }
    md
}

/// The SBOM summary: per artifact, component count, licences, how dependencies were found.
pub fn sbom(report: &crate::report::SbomReport) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "### attest-kit · sbom\n");
    md.push_str(&sbom_section(report));
    md
}

/// The table shared by `sbom` and `attest` with `sbom:`.
pub fn sbom_section(report: &crate::report::SbomReport) -> String {
    let mut md = String::new();
    let n = report.entries.len();
    let _ = writeln!(
        md,
        "Wrote SBOMs for **{n}** artifact{}.\n",
        if n == 1 { "" } else { "s" }
    );
    for w in &report.warnings {
        let _ = writeln!(md, "> [!WARNING]\n> {}\n", code(w));
    }
    let _ = writeln!(
        md,
        "| Artifact | Package | Components | Files | Licences (SPDX / other / unknown) | Dependencies from |\n|---|---|---:|---:|---|---|"
    );
    for e in &report.entries {
        let version = e.version.as_deref().unwrap_or("?");
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} / {} / {} | {} |",
            code(&e.artifact),
            code(&format!("{} {version}", e.name)),
            e.components,
            e.files,
            e.licenses_spdx,
            e.licenses_other,
            e.licenses_unknown,
            code(&e.resolution_detail),
        );
    }
    let _ = writeln!(md, "\n| SBOM file | Contents |\n|---|---|");
    for f in report.entries.iter().flat_map(|e| &e.written) {
        let _ = writeln!(
            md,
            "| {} | {} |",
            code(&crate::report::display_path(&f.path)),
            f.kind.describe()
        );
    }
    md
}
