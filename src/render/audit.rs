//! Rendering of `audit` and `sbom-diff` reports: JSON, SARIF 2.1.0, the job summary, terminal
//! text and step outputs. Every string from an SBOM or an advisory is untrusted: in Markdown
//! it only appears through `markdown::code`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::action::markdown::code;
use crate::action::outputs::Outputs;
use crate::audit::Finding;
use crate::audit::diff::ChangeKind;
use crate::audit::osv::Severity;
use crate::commands::audit::{AuditReport, DiffReport};

pub fn json(report: &AuditReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

pub fn diff_json(report: &DiffReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

fn advisory_url(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{id}")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High | Severity::Unknown => "error",
        Severity::Moderate => "warning",
        Severity::Low | Severity::None => "note",
    }
}

/// The score GitHub code scanning sorts by (`security-severity`).
fn security_severity(f: &Finding) -> String {
    let score = f.cvss_score.unwrap_or(match f.severity {
        Severity::Critical => 9.0,
        Severity::High => 7.0,
        Severity::Moderate => 5.0,
        Severity::Low => 2.0,
        Severity::None => 0.0,
        Severity::Unknown => 7.0,
    });
    format!("{score:.1}")
}

/// SARIF 2.1.0: one rule per advisory, one result per vulnerable component, located in the
/// SBOM that listed it. Ignored findings carry an external suppression with the reason.
pub fn sarif(report: &AuditReport) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut results = Vec::new();
    let uri = report
        .inputs
        .sboms
        .first()
        .map(|s| s.path.clone())
        .unwrap_or_default();
    for f in &report.scan.findings {
        let index = match rule_ids.iter().position(|r| *r == f.id) {
            Some(i) => i,
            None => {
                rule_ids.push(f.id.clone());
                let short = if f.summary.is_empty() {
                    format!("{} in {}", f.id, f.component)
                } else {
                    f.summary.clone()
                };
                rules.push(json!({
                    "id": f.id,
                    "name": "VulnerableDependency",
                    "shortDescription": {"text": short},
                    "fullDescription": {"text": format!("{} (aliases: {})", short,
                        if f.aliases.is_empty() { "none".to_owned() } else { f.aliases.join(", ") })},
                    "helpUri": advisory_url(&f.id),
                    "help": {"text": format!("See {}", advisory_url(&f.id))},
                    "properties": {
                        "security-severity": security_severity(f),
                        "tags": ["security", "vulnerability", "dependency"],
                    },
                }));
                rule_ids.len() - 1
            }
        };
        let fix = if f.fixed_versions.is_empty() {
            "no fixed version is known".to_owned()
        } else {
            format!("fixed in {}", f.fixed_versions.join(", "))
        };
        let mut result = json!({
            "ruleId": f.id,
            "ruleIndex": index,
            "level": level(f.severity),
            "message": {"text": format!("{}@{} is affected by {} ({} severity); {}",
                f.component, f.version, f.id, f.severity.as_str(), fix)},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": if f.sbom.is_empty() { &uri } else { &f.sbom }}},
                "logicalLocations": [{"name": f.purl, "kind": "module"}],
            }],
            "partialFingerprints": {"vulnerability/component": format!("{}|{}|{}", f.id, f.purl, f.version)},
        });
        if let Some(ig) = &f.ignored {
            result["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("{} (until {})", ig.reason, ig.expires),
            }]);
        }
        results.push(result);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "attest-kit",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/attest-kit/attest-kit",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

pub fn outputs(report: &AuditReport) -> Outputs {
    let mut o = Outputs::default();
    o.set("vulnerable-count", report.vulnerable().count().to_string());
    o.set("report-path", report.report_path.clone());
    o.set("sarif-path", report.sarif_path.clone());
    o
}

pub fn diff_outputs(report: &DiffReport) -> Outputs {
    let mut o = Outputs::default();
    o.set("changed", report.changed.to_string());
    o.set("report-path", report.report_path.clone());
    o
}

fn ids_cell(f: &Finding) -> String {
    f.ids().map(code).collect::<Vec<_>>().join(" ")
}

fn fixed_cell(f: &Finding) -> String {
    if f.fixed_versions.is_empty() {
        "no fix".to_owned()
    } else {
        f.fixed_versions
            .iter()
            .map(|v| code(v))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn severity_cell(f: &Finding) -> String {
    match f.cvss_score {
        Some(s) => format!("{} ({s:.1})", f.severity.as_str()),
        None => f.severity.as_str().to_owned(),
    }
}

pub fn summary(report: &AuditReport) -> String {
    let mut md = String::new();
    let vulnerable = report.vulnerable().count();
    let _ = writeln!(md, "### attest-kit · audit\n");
    let _ = writeln!(
        md,
        "Checked **{}** of {} components against {} OSV advisories ({}): **{}** vulnerable finding{}, {} failing at fail-on-severity {}.\n",
        report.scan.checked,
        report.scan.components,
        report.inputs.advisories,
        code(&crate::render::short_digest(&report.inputs.osv_digest)),
        vulnerable,
        if vulnerable == 1 { "" } else { "s" },
        report.failing,
        code(&report.fail_on_severity),
    );
    for e in &report.expired_ignores {
        let _ = writeln!(
            md,
            "> [!CAUTION]\n> The ignore entry for {} expired on {}: {}\n",
            code(&e.id),
            code(&e.expires),
            code(&e.reason)
        );
    }
    if !report.scan.findings.is_empty() {
        let _ = writeln!(
            md,
            "| Component | Version | Advisories | Severity | Fixed in | Fix available |\n|---|---|---|---|---|---|"
        );
        for f in &report.scan.findings {
            let ignored = match &f.ignored {
                Some(ig) => format!(
                    " (ignored until {}: {})",
                    code(&ig.expires),
                    code(&ig.reason)
                ),
                None => String::new(),
            };
            let _ = writeln!(
                md,
                "| {}{} | {} | {} | {} | {} | {} |",
                code(&f.component),
                ignored,
                code(&f.version),
                ids_cell(f),
                severity_cell(f),
                fixed_cell(f),
                if f.fix_available { "yes" } else { "no" },
            );
        }
        md.push('\n');
    }
    if !report.scan.skipped.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>{} component{} not checked</summary>\n\n| Component | Reason |\n|---|---|",
            report.scan.skipped.len(),
            if report.scan.skipped.len() == 1 {
                ""
            } else {
                "s"
            }
        );
        for s in &report.scan.skipped {
            let _ = writeln!(md, "| {} | {} |", code(&s.component), code(&s.reason));
        }
        let _ = writeln!(md, "\n</details>\n");
    }
    md
}

pub fn text(report: &AuditReport) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "audit: {} of {} components checked against {} advisories ({}); {} vulnerable, {} failing (fail-on-severity {})",
        report.scan.checked,
        report.scan.components,
        report.inputs.advisories,
        report.inputs.osv_digest,
        report.vulnerable().count(),
        report.failing,
        report.fail_on_severity
    );
    for f in &report.scan.findings {
        let ids: Vec<&str> = f.ids().collect();
        let _ = writeln!(
            t,
            "  {}@{}  {}  {}  fixed in: {}{}",
            f.component,
            f.version,
            ids.join(", "),
            severity_plain(f),
            if f.fixed_versions.is_empty() {
                "no fix".to_owned()
            } else {
                f.fixed_versions.join(", ")
            },
            f.ignored
                .as_ref()
                .map(|i| format!("  [ignored until {}: {}]", i.expires, i.reason))
                .unwrap_or_default()
        );
    }
    for s in &report.scan.skipped {
        let _ = writeln!(t, "  not checked: {}: {}", s.component, s.reason);
    }
    for e in &report.expired_ignores {
        let _ = writeln!(t, "  expired ignore: {} (expired {})", e.id, e.expires);
    }
    let _ = writeln!(
        t,
        "report: {}\nsarif: {}",
        report.report_path, report.sarif_path
    );
    t
}

fn severity_plain(f: &Finding) -> String {
    severity_cell(f)
}

fn kind_word(k: &ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Upgraded => "upgraded",
        ChangeKind::Downgraded => "downgraded",
        ChangeKind::Changed => "changed",
        ChangeKind::LicenseChanged => "license changed",
    }
}

pub fn diff_summary(report: &DiffReport) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "### attest-kit · sbom-diff\n");
    let _ = writeln!(
        md,
        "{} ({} components) → {} ({} components): **{}** change{}.\n",
        code(&report.old.path),
        report.old.components,
        code(&report.new.path),
        report.new.components,
        report.changes.len(),
        if report.changes.len() == 1 { "" } else { "s" }
    );
    if !report.changes.is_empty() {
        let _ = writeln!(md, "| Change | Component | Old | New |\n|---|---|---|---|");
        for c in &report.changes {
            let (old, new) = if c.kind == ChangeKind::LicenseChanged {
                (&c.old_license, &c.new_license)
            } else {
                (&c.old_version, &c.new_version)
            };
            let cell = |v: &Option<String>| v.as_deref().map(code).unwrap_or_default();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                kind_word(&c.kind),
                code(&c.component),
                cell(old),
                cell(new)
            );
        }
        md.push('\n');
    }
    if let Some(v) = &report.new_vulnerable {
        if v.is_empty() {
            let _ = writeln!(md, "No newly vulnerable components.\n");
        } else {
            let _ = writeln!(
                md,
                "#### Newly vulnerable components\n\n| Component | Version | Advisories | Severity | Fixed in |\n|---|---|---|---|---|"
            );
            for f in v {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    code(&f.component),
                    code(&f.version),
                    ids_cell(f),
                    severity_cell(f),
                    fixed_cell(f)
                );
            }
            md.push('\n');
        }
    }
    md
}

pub fn diff_text(report: &DiffReport) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "sbom-diff: {} -> {}: {} changes",
        report.old.path,
        report.new.path,
        report.changes.len()
    );
    for c in &report.changes {
        let (old, new) = if c.kind == ChangeKind::LicenseChanged {
            (&c.old_license, &c.new_license)
        } else {
            (&c.old_version, &c.new_version)
        };
        let _ = writeln!(
            t,
            "  {:<15} {}  {} -> {}",
            kind_word(&c.kind),
            c.component,
            old.as_deref().unwrap_or("-"),
            new.as_deref().unwrap_or("-")
        );
    }
    if let Some(v) = &report.new_vulnerable {
        for f in v {
            let ids: Vec<&str> = f.ids().collect();
            let _ = writeln!(
                t,
                "  newly vulnerable: {}@{} {}",
                f.component,
                f.version,
                ids.join(", ")
            );
        }
    }
    let _ = writeln!(
        t,
        "changed: {}\nreport: {}",
        report.changed, report.report_path
    );
    t
}
