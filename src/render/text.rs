//! Terminal output for people.

use std::fmt::Write as _;

use super::human_size;
use crate::report::AttestReport;

pub fn attest(report: &AttestReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} subject{} attested ({})",
        report.subjects.len(),
        if report.subjects.len() == 1 { "" } else { "s" },
        report.predicate_type
    );
    for s in &report.subjects {
        let size = s.size.map(human_size).unwrap_or_else(|| "-".to_owned());
        let _ = writeln!(
            out,
            "  {}  {:>10}  {}",
            s.primary_digest(),
            size,
            s.name.escape_debug()
        );
    }
    let _ = writeln!(out, "files written:");
    for f in &report.files {
        let _ = writeln!(
            out,
            "  {}  ({})",
            crate::report::display_path(&f.path),
            f.kind.describe()
        );
    }
    out
}

/// One line per artifact × bundle: `OK`/`FAIL`, then who signed or what failed.
pub fn verify(report: &crate::report::VerifyReport) -> String {
    let mut out = String::new();
    for r in &report.rows {
        let bundle = if r.bundle.is_empty() { "-" } else { &r.bundle };
        match &r.failure {
            None => {
                let _ = writeln!(
                    out,
                    "OK    {}  {}  bundle {}",
                    r.artifact.escape_debug(),
                    r.digest,
                    bundle.escape_debug()
                );
                if let Some(id) = &r.identity {
                    let _ = writeln!(
                        out,
                        "      signer {} ({})",
                        id.escape_debug(),
                        r.issuer.as_deref().unwrap_or("-").escape_debug()
                    );
                }
                if let (Some(repo), Some(git_ref)) = (&r.source_repository, &r.source_ref) {
                    let _ = writeln!(
                        out,
                        "      source {}@{}",
                        repo.escape_debug(),
                        git_ref.escape_debug()
                    );
                }
                if let Some(p) = &r.predicate_type {
                    let _ = writeln!(out, "      predicate {}", p.escape_debug());
                }
            }
            Some(f) => {
                let _ = writeln!(
                    out,
                    "FAIL  {}  {}  bundle {}\n      {} check failed: {}",
                    r.artifact.escape_debug(),
                    r.digest,
                    bundle.escape_debug(),
                    f.check,
                    f.reason.escape_debug()
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "{} of {} verified",
        report.verified_count(),
        report.rows.len()
    );
    out
}

/// One block per artifact: what it is, how many components, where its SBOMs went.
pub fn sbom(report: &crate::report::SbomReport) -> String {
    let mut out = String::new();
    for e in &report.entries {
        let _ = writeln!(
            out,
            "{} ({} {} {})",
            e.artifact.escape_debug(),
            e.kind,
            e.name.escape_debug(),
            e.version.as_deref().unwrap_or("?").escape_debug()
        );
        let _ = writeln!(
            out,
            "  {} components, {} files; licences: {} SPDX, {} other, {} unknown",
            e.components, e.files, e.licenses_spdx, e.licenses_other, e.licenses_unknown
        );
        let _ = writeln!(
            out,
            "  dependencies: {}",
            e.resolution_detail.escape_debug()
        );
        for f in &e.written {
            let _ = writeln!(out, "  wrote {}", crate::report::display_path(&f.path));
        }
    }
    let _ = writeln!(out, "{} SBOM set(s) written", report.entries.len());
    out
}
