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
    if report.command == "sign" {
        let _ = writeln!(
            md,
            "Signed **{n}** file{} with Sigstore.\n",
            if n == 1 { "" } else { "s" }
        );
    } else {
        let _ = writeln!(
            md,
            "Attested **{n}** subject{} with SLSA build provenance ({}).\n",
            if n == 1 { "" } else { "s" },
            code(report.predicate_type)
        );
    }
    if let Some(signing) = &report.signing {
        md.push_str(&sign_section(signing));
    }
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

/// The signing rows and the commands a consumer pastes to verify.
fn sign_section(report: &crate::report::SignReport) -> String {
    use crate::report::SignedKind;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Signer {} (issuer {}), Sigstore {}; every bundle was verified before this step succeeded.\n",
        code(&report.identity),
        code(&report.issuer),
        code(report.instance)
    );
    let _ = writeln!(
        md,
        "#### Signatures\n\n| Signed | Kind | Rekor entry | Bundle |\n|---|---|---|---|"
    );
    for i in &report.items {
        let entry = match i.log_index {
            Some(n) if report.instance == "public-good" => format!(
                "[{}](https://search.sigstore.dev/?logIndex={n})",
                code(&n.to_string())
            ),
            Some(n) => code(&n.to_string()),
            None => "—".to_owned(),
        };
        let kind = match i.kind {
            SignedKind::Blob => "file",
            SignedKind::Attestation => "attestation (DSSE)",
        };
        let bundle = i
            .bundle
            .as_ref()
            .map(|p| code(&crate::report::display_path(p)))
            .unwrap_or_else(|| "—".to_owned());
        let _ = writeln!(md, "| {} | {kind} | {entry} | {bundle} |", code(&i.subject));
    }
    let blob = report.items.iter().find(|i| i.kind == SignedKind::Blob);
    if let Some(i) = blob {
        let mut cmds = String::new();
        let id = shell_quote(&report.identity);
        let iss = shell_quote(&report.issuer);
        let file = shell_quote(&i.subject);
        if let Some(b) = &i.bundle {
            let _ = writeln!(
                cmds,
                "attest-kit verify {file} --bundle-path {} --certificate-identity {id} --certificate-oidc-issuer {iss}",
                shell_quote(&crate::report::display_path(b))
            );
        }
        if let (Some(sig), Some(crt)) = (&i.signature, &i.certificate) {
            let _ = writeln!(
                cmds,
                "cosign verify-blob {file} --signature {} --certificate {} --certificate-identity {id} --certificate-oidc-issuer {iss}",
                shell_quote(&crate::report::display_path(sig)),
                shell_quote(&crate::report::display_path(crt))
            );
        }
        if !cmds.is_empty() {
            let _ = writeln!(md, "\n#### Verify a signature\n");
            md.push_str(&fenced("sh", cmds.trim_end()));
            md.push('\n');
        }
    }
    md.push('\n');
    md
}

/// The reproduce summary: a table per check, then each difference and its diff.
pub fn reproduce(report: &crate::report::ReproduceReport) -> String {
    use crate::reproduce::Status;
    let mut md = String::new();
    let _ = writeln!(md, "### attest-kit · reproduce\n");
    let (differ, total) = report.counts();
    let verdict = if report.reproducible() {
        "✅ Reproducible"
    } else {
        "❌ Not reproducible"
    };
    let _ = writeln!(
        md,
        "{verdict}: **{differ}** of **{total}** artifacts differ.\n"
    );
    if let Some(e) = report.source_date_epoch {
        let _ = writeln!(md, "`SOURCE_DATE_EPOCH={e}` (the last commit's time)\n");
    }
    for w in &report.warnings {
        let _ = writeln!(md, "> [!WARNING]\n> {}\n", code(w));
    }
    for r in &report.rebuilds {
        let _ = writeln!(
            md,
            "- Rebuild {}: {} artifacts in {:.1} s, {}",
            r.label,
            r.artifacts,
            r.seconds,
            r.environment
                .iter()
                .map(|e| code(e))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !report.rebuilds.is_empty() {
        md.push('\n');
    }
    for check in &report.checks {
        let _ = writeln!(
            md,
            "#### {}\n\n| Artifact | Expected digest | Rebuilt digest | Result | Difference | Top differences |\n|---|---|---|---|---|---|",
            code(&check.title)
        );
        for c in &check.comparisons {
            let digest = |d: &Option<String>| {
                d.as_deref()
                    .map(|d| code(&short_digest(d)))
                    .unwrap_or_else(|| "—".to_owned())
            };
            let result = match c.status {
                Status::Identical => "✅",
                Status::Differs => "❌",
                Status::Missing => "❌ not rebuilt",
                Status::Extra => "❌ not in reference",
            };
            let class = c.class.map(|k| k.describe()).unwrap_or("—");
            let top: Vec<String> = c
                .differences
                .iter()
                .take(3)
                .map(|d| match &d.member {
                    Some(m) => format!("{} {}", code(m), code(&d.detail)),
                    None => code(&d.detail),
                })
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {result} | {class} | {} |",
                code(&c.artifact),
                digest(&c.expected),
                digest(&c.rebuilt),
                if top.is_empty() {
                    "—".to_owned()
                } else {
                    top.join("<br>")
                }
            );
        }
        md.push('\n');
    }
    // Diffs last: they are what a truncated summary loses first.
    for c in report.checks.iter().flat_map(|c| &c.comparisons) {
        for d in c.differences.iter().filter(|d| d.diff.is_some()) {
            let _ = writeln!(
                md,
                "<details><summary>{} {}</summary>\n",
                crate::action::markdown::text(&c.artifact.replace(['\r', '\n'], " ")),
                crate::action::markdown::text(
                    &d.member.as_deref().unwrap_or("").replace(['\r', '\n'], " ")
                )
            );
            md.push_str(&fenced("diff", d.diff.as_deref().unwrap_or("")));
            md.push_str("\n</details>\n\n");
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{SignReport, SignedItem, SignedKind};
    use std::path::PathBuf;

    fn item(subject: &str, kind: SignedKind, log_index: Option<u64>) -> SignedItem {
        SignedItem {
            subject: subject.to_owned(),
            digest: format!("sha256:{}", "a".repeat(64)),
            kind,
            bundle: Some(PathBuf::from(format!("out/{subject}.sigstore.json"))),
            signature: Some(PathBuf::from(format!("out/{subject}.sig"))),
            certificate: Some(PathBuf::from(format!("out/{subject}.crt"))),
            log_index,
        }
    }

    #[test]
    fn sign_section_escapes_untrusted_strings_and_links_public_good_entries() {
        let hostile = "a|b`<img src=x>\n| x |.whl";
        let mut report = SignReport {
            identity: "https://github.com/o/r/.github/workflows/x.yml@refs/heads/`main`|"
                .to_owned(),
            issuer: "https://token.actions.githubusercontent.com".to_owned(),
            instance: "public-good",
            items: vec![
                item(hostile, SignedKind::Blob, Some(7)),
                item("provenance", SignedKind::Attestation, Some(8)),
            ],
        };
        let md = sign_section(&report);
        // Every table row stays one row with its four cells (the commands below the table
        // are in a fenced block, where nothing is markup).
        let table = md.split("#### Verify").next().unwrap_or_default();
        assert!(md.contains("```sh\n"), "{md}");
        for row in table.lines().filter(|l| l.starts_with("| ")) {
            let unescaped = row.replace("\\|", "");
            assert_eq!(unescaped.matches('|').count(), 5, "{row}");
        }
        // Rendered, nothing becomes markup: no tag, no extra link.
        let mut html = String::new();
        let opts = pulldown_cmark::Options::ENABLE_TABLES;
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(&md, opts));
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(html.matches("<a href").count(), 2, "{html}");
        assert!(md.contains("(https://search.sigstore.dev/?logIndex=7)"));
        assert!(md.contains("cosign verify-blob"));
        // The commands quote what they name.
        assert!(md.contains("'https://github.com/o/r/.github/workflows/x.yml@refs/heads/`main`|'"));
        report.instance = "custom";
        assert!(!sign_section(&report).contains("search.sigstore.dev"));
    }
}
