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
