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
