//! `audit`: SBOM components against an OSV export; `sbom-diff`: two SBOMs compared.
//! Both return report values; the files they write are rendered from the reports first and
//! written atomically.

use std::path::PathBuf;

use serde::Serialize;

use crate::audit::fetch;
use crate::audit::ignore::{self, Ignore};
use crate::audit::osv::{Database, OsvError, Severity};
use crate::audit::sbom::{self, SbomError};
use crate::audit::{Finding, Scan, diff};
use crate::config::{AuditConfig, SbomDiffConfig};
use crate::error::Error;
use crate::write::{PendingFile, write_all};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Sbom(#[from] SbomError),
    #[error(transparent)]
    Osv(#[from] OsvError),
}

/// The SBOMs read and the database they were matched against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    pub sboms: Vec<SbomInfo>,
    pub osv_database: String,
    pub osv_digest: String,
    /// For a URL: `downloaded`, `cache` (pinned digest, no network) or `stale-cache` (the
    /// server could not be reached; the URL's last cached export was used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub osv_source: Option<fetch::Source>,
    /// Why the server could not be reached, with `stale-cache`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub osv_fetch_note: Option<String>,
    pub advisories: usize,
    pub withdrawn_skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SbomInfo {
    pub path: String,
    pub format: String,
    pub components: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    pub inputs: Inputs,
    pub scan: Scan,
    /// `none` never fails on findings.
    pub fail_on_severity: String,
    /// Findings at or above the threshold that no ignore entry covers.
    pub failing: usize,
    pub expired_ignores: Vec<Ignore>,
    /// Ignore entries that matched no finding (worth removing).
    pub unused_ignores: Vec<Ignore>,
    pub report_path: String,
    pub sarif_path: String,
}

impl AuditReport {
    /// Findings that no ignore entry covers.
    pub fn vulnerable(&self) -> impl Iterator<Item = &Finding> {
        self.scan.findings.iter().filter(|f| f.ignored.is_none())
    }
}

/// Does a finding of `s` fail a run with threshold `t`? Unknown severities count as failing
/// at every threshold: an unrated advisory is not a harmless one.
pub fn fails(s: Severity, t: Option<Severity>) -> bool {
    match t {
        None => false,
        Some(t) => s == Severity::Unknown || s >= t,
    }
}

pub fn run(
    config: &AuditConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<AuditReport, Error> {
    let mut components = Vec::new();
    let mut infos = Vec::new();
    // Paths and globs, as for subjects: a pattern that matches nothing is an error.
    let patterns: Vec<String> = config
        .sboms
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let sboms = crate::subject::paths::resolve(&patterns)?;
    for path in &sboms {
        let s = sbom::read(path).map_err(AuditError::from)?;
        let shown = crate::report::display_path(path);
        infos.push(SbomInfo {
            path: shown.clone(),
            format: s.format,
            components: s.components.len(),
        });
        components.extend(s.components.into_iter().map(|mut c| {
            c.source.clone_from(&shown);
            c
        }));
    }
    let local =
        fetch::resolve(&config.osv_database, &config.osv_fetch, env).map_err(AuditError::from)?;
    let db = Database::load(&local.path).map_err(AuditError::from)?;
    let mut scan = crate::audit::scan(&components, &db);
    let today = ignore::today();
    let mut used = vec![false; config.ignore.len()];
    for f in &mut scan.findings {
        if let Some((i, entry)) = config
            .ignore
            .iter()
            .enumerate()
            .find(|(_, e)| f.ids().any(|id| id.eq_ignore_ascii_case(&e.id)))
        {
            used[i] = true;
            f.ignored = Some(entry.clone());
        }
    }
    let expired_ignores: Vec<Ignore> = config
        .ignore
        .iter()
        .filter(|e| ignore::date_days(&e.expires).is_some_and(|d| d < today))
        .cloned()
        .collect();
    // An expired entry no longer hides its finding.
    for f in &mut scan.findings {
        if f.ignored
            .as_ref()
            .is_some_and(|e| expired_ignores.contains(e))
        {
            f.ignored = None;
        }
    }
    let unused_ignores = config
        .ignore
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(e, _)| e.clone())
        .collect();
    let failing = scan
        .findings
        .iter()
        .filter(|f| f.ignored.is_none() && fails(f.severity, config.fail_on))
        .count();
    let report_path = config.output_dir.join("audit.json");
    let sarif_path = config.output_dir.join("audit.sarif");
    let report = AuditReport {
        inputs: Inputs {
            sboms: infos,
            osv_database: if fetch::is_url(&config.osv_database) {
                fetch::redact(&config.osv_database)
            } else {
                config.osv_database.clone()
            },
            osv_digest: db.digest.clone(),
            osv_source: local.source,
            osv_fetch_note: local.note,
            advisories: db.advisories.len(),
            withdrawn_skipped: db.withdrawn,
        },
        scan,
        fail_on_severity: config.fail_on.map_or("none", Severity::as_str).to_owned(),
        failing,
        expired_ignores,
        unused_ignores,
        report_path: crate::report::display_path(&report_path),
        sarif_path: crate::report::display_path(&sarif_path),
    };
    write_all(&[
        PendingFile {
            path: report_path,
            bytes: crate::render::audit::json(&report).into_bytes(),
        },
        PendingFile {
            path: sarif_path,
            bytes: crate::render::audit::sarif(&report).into_bytes(),
        },
    ])?;
    Ok(report)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub old: SbomInfo,
    pub new: SbomInfo,
    pub changes: Vec<diff::Change>,
    /// Vulnerable components of the new SBOM that the old one did not have vulnerable
    /// (only when an OSV database is given).
    pub new_vulnerable: Option<Vec<Finding>>,
    pub changed: bool,
    pub report_path: String,
}

pub fn run_diff(
    config: &SbomDiffConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DiffReport, Error> {
    let old = sbom::read(&config.old).map_err(AuditError::from)?;
    let new = sbom::read(&config.new).map_err(AuditError::from)?;
    let info = |p: &PathBuf, s: &sbom::Sbom| SbomInfo {
        path: crate::report::display_path(p),
        format: s.format.clone(),
        components: s.components.len(),
    };
    let changes = diff::diff(&old.components, &new.components);
    let new_vulnerable = match &config.osv_database {
        None => None,
        Some(path) => {
            let local = fetch::resolve(path, &config.osv_fetch, env).map_err(AuditError::from)?;
            let db = Database::load(&local.path).map_err(AuditError::from)?;
            let before = crate::audit::scan(&old.components, &db);
            let after = crate::audit::scan(&new.components, &db);
            Some(
                after
                    .findings
                    .into_iter()
                    .filter(|f| {
                        !before.findings.iter().any(|b| {
                            b.component == f.component
                                && b.version == f.version
                                && b.ids().any(|i| f.ids().any(|j| i == j))
                        })
                    })
                    .collect(),
            )
        }
    };
    let changed = !changes.is_empty()
        || new_vulnerable
            .as_ref()
            .is_some_and(|v: &Vec<Finding>| !v.is_empty());
    let report_path = config.output_dir.join("sbom-diff.json");
    let report = DiffReport {
        old: info(&config.old, &old),
        new: info(&config.new, &new),
        changes,
        new_vulnerable,
        changed,
        report_path: crate::report::display_path(&report_path),
    };
    write_all(&[PendingFile {
        path: report_path,
        bytes: crate::render::audit::diff_json(&report).into_bytes(),
    }])?;
    Ok(report)
}
