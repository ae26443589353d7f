//! Terminal output for people.

use std::fmt::Write as _;

use super::human_size;
use crate::report::AttestReport;

pub fn attest(report: &AttestReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} subject{} {}",
        report.subjects.len(),
        if report.subjects.len() == 1 { "" } else { "s" },
        if report.command == "sign" {
            "signed".to_owned()
        } else {
            format!("attested ({})", report.predicate_type)
        }
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
    if let Some(sg) = &report.signing {
        let _ = writeln!(
            out,
            "signed as {} ({}), Sigstore {}",
            sg.identity.escape_debug(),
            sg.issuer.escape_debug(),
            sg.instance
        );
        for i in &sg.items {
            let entry = i
                .log_index
                .map_or_else(|| "no log entry".to_owned(), |n| format!("log index {n}"));
            let _ = writeln!(out, "  {}  {entry}", i.subject.escape_debug());
        }
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
