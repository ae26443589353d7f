//! `audit` and `sbom-diff`: SBOM components matched against OSV advisories, and what changed
//! between two SBOMs. Pure logic: reports are returned, never printed.

pub mod diff;
pub mod fetch;
pub mod ignore;
pub mod osv;
pub mod purl;
pub mod sbom;
pub mod version;

use std::collections::BTreeSet;

use serde::Serialize;

use osv::{Database, Severity};
use purl::Purl;
use sbom::Component;
use version::{Ecosystem, Version};

/// One vulnerable component and the advisories (merged by alias) that affect it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub component: String,
    pub version: String,
    pub purl: String,
    pub ecosystem: Ecosystem,
    /// The SBOM file that listed the component (the first one, when several did).
    pub sbom: String,
    /// The primary advisory id (the first one found) ...
    pub id: String,
    /// ... and every id of the same vulnerability: other advisories' ids and aliases.
    pub aliases: Vec<String>,
    pub summary: String,
    pub severity: Severity,
    pub cvss_score: Option<f64>,
    pub cvss_vector: Option<String>,
    pub fixed_versions: Vec<String>,
    pub fix_available: bool,
    /// Set when an ignore entry covers this finding.
    pub ignored: Option<ignore::Ignore>,
}

impl Finding {
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A component that could not be checked, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub component: String,
    pub reason: String,
    /// An ecosystem `audit` does not cover (not a problem with the SBOM).
    pub unsupported: bool,
}

/// Findings for one SBOM against one database.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scan {
    pub components: usize,
    pub checked: usize,
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
}

/// The ecosystem, package name and version a component is matched by: from its PURL.
pub fn identify(c: &Component) -> Result<(Ecosystem, String, String, String), String> {
    let Some(purl) = &c.purl else {
        return Err("no package URL".to_owned());
    };
    let p = Purl::parse(purl).map_err(|e| e.to_string())?;
    let eco = Ecosystem::from_purl_type(&p.ty)
        .ok_or_else(|| format!("package type {:?} is not audited", p.ty))?;
    let version = p
        .version
        .clone()
        .or_else(|| c.version.clone())
        .ok_or_else(|| "no version".to_owned())?;
    Ok((eco, p.package_name(), version, p.to_string()))
}

/// Matches every component against the database.
pub fn scan(components: &[Component], db: &Database) -> Scan {
    let mut out = Scan {
        components: components.len(),
        ..Scan::default()
    };
    let mut seen = BTreeSet::new();
    for c in components {
        let label = if c.name.is_empty() {
            c.purl.clone().unwrap_or_default()
        } else {
            c.name.clone()
        };
        let (eco, name, raw, purl) = match identify(c) {
            Ok(x) => x,
            Err(reason) => {
                // Components without a PURL (files, the SBOM's own subject) are not packages
                // we can look up; only report the ones that look like packages.
                if c.purl.is_some() {
                    out.skipped.push(Skipped {
                        component: label,
                        unsupported: reason.contains("is not audited"),
                        reason,
                    });
                }
                continue;
            }
        };
        // The same package@version listed twice (SPDX documents often do) is one finding.
        if !seen.insert((eco, eco.normalize_name(&name), raw.clone())) {
            continue;
        }
        let Some(version) = Version::parse(eco, &raw) else {
            out.skipped.push(Skipped {
                component: format!("{name}@{raw}"),
                reason: format!("{raw:?} is not a valid {} version", eco.osv_name()),
                unsupported: false,
            });
            continue;
        };
        out.checked += 1;
        let mut groups: Vec<Finding> = Vec::new();
        for &(ai, fi) in db.candidates(eco, &name) {
            let adv = &db.advisories[ai];
            let Some(hit) = osv::affects(&adv.affected[fi], eco, &raw, &version) else {
                continue;
            };
            let (severity, score, vector) = osv::severity(adv);
            let ids: Vec<&str> = std::iter::once(adv.id.as_str())
                .chain(adv.aliases.iter().map(String::as_str))
                .collect();
            if let Some(f) = groups
                .iter_mut()
                .find(|f| f.ids().any(|i| ids.contains(&i)))
            {
                for id in ids {
                    if !f.ids().any(|i| i == id) {
                        f.aliases.push(id.to_owned());
                    }
                }
                for v in hit.fixed {
                    if !f.fixed_versions.contains(&v) {
                        f.fixed_versions.push(v);
                    }
                }
                if severity > f.severity || (severity == f.severity && score > f.cvss_score) {
                    f.severity = severity;
                    f.cvss_score = score;
                    f.cvss_vector = vector;
                }
                if f.summary.is_empty() {
                    f.summary.clone_from(&adv.summary);
                }
                continue;
            }
            groups.push(Finding {
                component: name.clone(),
                version: raw.clone(),
                purl: purl.clone(),
                ecosystem: eco,
                sbom: c.source.clone(),
                id: adv.id.clone(),
                aliases: adv.aliases.clone(),
                summary: adv.summary.clone(),
                severity,
                cvss_score: score,
                cvss_vector: vector,
                fixed_versions: hit.fixed,
                fix_available: false,
                ignored: None,
            });
        }
        for mut f in groups {
            f.aliases.sort();
            f.aliases.dedup();
            f.fixed_versions.sort_by(|a, b| {
                match (Version::parse(eco, a), Version::parse(eco, b)) {
                    (Some(x), Some(y)) => x.cmp_same(&y).unwrap_or(std::cmp::Ordering::Equal),
                    _ => a.cmp(b),
                }
            });
            f.fix_available = !f.fixed_versions.is_empty();
            out.findings.push(f);
        }
    }
    out.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.component.cmp(&b.component))
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}
