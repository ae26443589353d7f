//! Terminal output for people.

use std::fmt::Write as _;

use super::{Printable as _, human_size};
use crate::report::AttestReport;

/// The log lists this many subjects, then how many more: a million lines help no one.
pub const LOG_SUBJECTS: usize = 300;

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
    for s in report.subjects.iter().take(LOG_SUBJECTS) {
        let size = s.size.map(human_size).unwrap_or_else(|| "-".to_owned());
        let _ = writeln!(
            out,
            "  {}  {:>10}  {}",
            s.primary_digest(),
            size,
            s.name.printable()
        );
    }
    if let Some(more) = report
        .subjects
        .len()
        .checked_sub(LOG_SUBJECTS)
        .filter(|n| *n > 0)
    {
        let _ = writeln!(
            out,
            "  … and {more} more subjects (every one is in the files written)"
        );
    }
    if let Some(sg) = &report.signing {
        let _ = writeln!(
            out,
            "signed as {} ({}), Sigstore {}",
            sg.identity.printable(),
            sg.issuer.printable(),
            sg.instance
        );
        for i in sg.items.iter().take(LOG_SUBJECTS) {
            let entry = i
                .log_index
                .map_or_else(|| "no log entry".to_owned(), |n| format!("log index {n}"));
            let _ = writeln!(out, "  {}  {entry}", i.subject.printable());
        }
        if let Some(more) = sg.items.len().checked_sub(LOG_SUBJECTS).filter(|n| *n > 0) {
            let _ = writeln!(out, "  … and {more} more signed");
        }
    }
    let _ = writeln!(out, "files written:");
    for f in report.files.iter().take(LOG_SUBJECTS) {
        let _ = writeln!(
            out,
            "  {}  ({})",
            crate::report::display_path(&f.path),
            f.kind.describe()
        );
    }
    if let Some(more) = report
        .files
        .len()
        .checked_sub(LOG_SUBJECTS)
        .filter(|n| *n > 0)
    {
        let _ = writeln!(out, "  … and {more} more files");
    }
    out
}

/// One line per artifact × bundle: `OK`/`FAIL`, then who signed or what failed.
pub fn verify(report: &crate::report::VerifyReport) -> String {
    let mut out = String::new();
    // A long list shows its failures first: they are what the reader looks for.
    let shown: Vec<&crate::report::VerifyRow> = if report.rows.len() > LOG_SUBJECTS {
        let (failed, ok): (Vec<_>, Vec<_>) = report.rows.iter().partition(|r| r.failure.is_some());
        failed.into_iter().chain(ok).take(LOG_SUBJECTS).collect()
    } else {
        report.rows.iter().collect()
    };
    for r in &shown {
        let bundle = if r.bundle.is_empty() { "-" } else { &r.bundle };
        match &r.failure {
            None => {
                let _ = writeln!(
                    out,
                    "OK    {}  {}  bundle {}",
                    r.artifact.printable(),
                    r.digest,
                    bundle.printable()
                );
                if let Some(id) = &r.identity {
                    let _ = writeln!(
                        out,
                        "      signer {} ({})",
                        id.printable(),
                        r.issuer.as_deref().unwrap_or("-").printable()
                    );
                }
                if let (Some(repo), Some(git_ref)) = (&r.source_repository, &r.source_ref) {
                    let _ = writeln!(
                        out,
                        "      source {}@{}",
                        repo.printable(),
                        git_ref.printable()
                    );
                }
                if let Some(p) = &r.predicate_type {
                    let _ = writeln!(out, "      predicate {}", p.printable());
                }
                for t in &r.ignored_timestamps {
                    let _ = writeln!(out, "      ignored {}", t.printable());
                }
            }
            Some(f) => {
                let _ = writeln!(
                    out,
                    "FAIL  {}  {}  bundle {}\n      {} check failed: {}",
                    r.artifact.printable(),
                    r.digest,
                    bundle.printable(),
                    f.check,
                    f.reason.printable()
                );
            }
        }
    }
    if let Some(more) = report
        .rows
        .len()
        .checked_sub(shown.len())
        .filter(|n| *n > 0)
    {
        let _ = writeln!(
            out,
            "… and {more} more rows (failures first above); --format json lists every one"
        );
    }
    let _ = writeln!(
        out,
        "{} of {} verified",
        report.verified_count(),
        report.rows.len()
    );
    out
}

/// Just the number (or nothing), for `export SOURCE_DATE_EPOCH=$(attest-kit reproduce
/// --print-source-date-epoch)`.
pub fn source_date_epoch(report: &crate::report::ReproduceReport) -> String {
    report
        .source_date_epoch
        .map(|e| format!("{e}\n"))
        .unwrap_or_default()
}

/// `name: differs (metadata only): top difference`.
pub fn comparison_line(c: &crate::reproduce::Comparison) -> String {
    use crate::reproduce::Status;
    let name = safe(&c.artifact);
    match c.status {
        Status::Identical => format!("{name}: identical"),
        Status::Missing => format!("{name}: in the reference but not rebuilt"),
        Status::Extra => format!("{name}: rebuilt but not in the reference"),
        Status::Differs => {
            let class = c.class.map(|k| k.describe()).unwrap_or("unknown");
            let top = c
                .differences
                .first()
                .map(|d| match &d.member {
                    Some(m) => format!(": {}: {}", safe(m), safe(&d.detail)),
                    None => format!(": {}", safe(&d.detail)),
                })
                .unwrap_or_default();
            format!("{name}: differs ({class}){top}")
        }
    }
}

/// Each check, then each artifact with its differences (and diffs) indented below.
pub fn reproduce(report: &crate::report::ReproduceReport) -> String {
    let mut out = String::new();
    if let Some(e) = report.source_date_epoch {
        let _ = writeln!(out, "SOURCE_DATE_EPOCH={e}");
    }
    for r in &report.rebuilds {
        let _ = writeln!(
            out,
            "rebuild {}: {} artifacts in {:.1}s ({})",
            r.label,
            r.artifacts,
            r.seconds,
            safe(&r.environment.join(", "))
        );
    }
    for check in &report.checks {
        let _ = writeln!(out, "{}:", safe(&check.title));
        for c in &check.comparisons {
            let mark = if c.identical() { "OK  " } else { "DIFF" };
            let _ = writeln!(out, "  {mark} {}", comparison_line(c));
            for d in c.differences.iter().skip(if c.identical() { 0 } else { 1 }) {
                let member = d
                    .member
                    .as_deref()
                    .map(|m| format!("{}: ", safe(m)))
                    .unwrap_or_default();
                let _ = writeln!(out, "         {member}{}", safe(&d.detail));
            }
            for d in &c.differences {
                if let Some(diff) = &d.diff {
                    for line in diff.lines() {
                        let _ = writeln!(out, "         | {}", safe(line));
                    }
                }
            }
        }
    }
    let (differ, total) = report.counts();
    let _ = writeln!(
        out,
        "{}: {differ} of {total} artifacts differ",
        if report.reproducible() {
            "reproducible"
        } else {
            "NOT reproducible"
        }
    );
    out
}

/// Control characters shown as escapes, so no file or member name can move the cursor,
/// forge lines, or start a workflow command; everything else as is.
fn safe(s: &str) -> String {
    s.printable()
}

/// One block per artifact: what it is, how many components, where its SBOMs went.
pub fn sbom(report: &crate::report::SbomReport) -> String {
    let mut out = String::new();
    for e in &report.entries {
        let _ = writeln!(
            out,
            "{} ({} {} {})",
            e.artifact.printable(),
            e.kind,
            e.name.printable(),
            e.version.as_deref().unwrap_or("?").printable()
        );
        let _ = writeln!(
            out,
            "  {} components, {} files; licences: {} SPDX, {} other, {} unknown",
            e.components, e.files, e.licenses_spdx, e.licenses_other, e.licenses_unknown
        );
        let _ = writeln!(out, "  dependencies: {}", e.resolution_detail.printable());
        for f in &e.written {
            let _ = writeln!(out, "  wrote {}", crate::report::display_path(&f.path));
        }
    }
    let _ = writeln!(out, "{} SBOM set(s) written", report.entries.len());
    out
}
