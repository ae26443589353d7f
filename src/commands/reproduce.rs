//! `reproduce`: rebuild (optionally, twice in varied environments) and compare with a
//! reference, explaining each difference.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::action::Console;
use crate::config::ReproduceConfig;
use crate::error::Error;
use crate::reproduce::archive::Limits;
use crate::reproduce::rebuild::{self, RebuildSpec, VARIANTS};
use crate::reproduce::reference::{self, Expected};
use crate::reproduce::{
    Check, Comparison, RebuildRun, ReproduceError, ReproduceReport, Status, compare,
};
use crate::subject::{Algorithm, hash};
use crate::write::{PendingFile, write_all};

pub const REPORT_FILE: &str = "reproduce.json";

/// A rebuilt file, hashed.
struct Rebuilt {
    name: String,
    path: PathBuf,
    sha256: String,
}

fn hash_rebuilt(paths: &[PathBuf]) -> Result<Vec<Rebuilt>, Error> {
    let subjects = hash::hash_files(paths, &[Algorithm::Sha256])?;
    let mut out: Vec<Rebuilt> = Vec::new();
    for s in subjects {
        if out.iter().any(|r| r.name == s.name) {
            return Err(ReproduceError::DuplicateName(s.name).into());
        }
        out.push(Rebuilt {
            sha256: s.sha256().unwrap_or_default().to_owned(),
            name: s.name,
            path: s.path.unwrap_or_default(),
        });
    }
    Ok(out)
}

fn sha512_of(path: &Path) -> Option<String> {
    let mut buf = vec![0u8; 256 * 1024];
    hash::hash_file(path, &[Algorithm::Sha512], &mut buf)
        .ok()
        .and_then(|s| s.digests.get(&Algorithm::Sha512).cloned())
}

/// Matches by file name and compares each pair; differences are explained when both
/// files are at hand.
fn compare_sets(
    expected: &[Expected],
    rebuilt: &[Rebuilt],
    warnings: &mut Vec<String>,
) -> Result<Vec<Comparison>, Error> {
    let mut by_name: BTreeMap<&str, &Expected> = BTreeMap::new();
    for e in expected {
        if by_name.insert(&e.name, e).is_some() {
            return Err(ReproduceError::DuplicateName(e.name.clone()).into());
        }
    }
    // Subjects that name a package rather than a file (`sigstore@2.1.0`) are paired by
    // digest with a rebuilt file no other subject names.
    let unnamed: Vec<&Rebuilt> = rebuilt
        .iter()
        .filter(|r| !by_name.contains_key(r.name.as_str()))
        .collect();
    let mut paired_by_digest: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for e in expected {
        let by_digest = || {
            unnamed
                .iter()
                .find(|r| match (&e.sha256, &e.sha512) {
                    (Some(h), _) => *h == r.sha256,
                    (None, Some(h)) => sha512_of(&r.path).as_deref() == Some(h.as_str()),
                    (None, None) => false,
                })
                .copied()
        };
        let found = match rebuilt.iter().find(|r| r.name == e.name) {
            Some(r) => Some((r, e.name.clone())),
            None => by_digest().map(|r| {
                paired_by_digest.push(&r.name);
                (r, format!("{} (reference subject {:?})", r.name, e.name))
            }),
        };
        let Some((r, artifact)) = found else {
            out.push(Comparison {
                artifact: e.name.clone(),
                expected: e.sha256.as_ref().map(|h| format!("sha256:{h}")),
                rebuilt: None,
                status: Status::Missing,
                class: None,
                differences: Vec::new(),
            });
            continue;
        };
        let same = match (&e.sha256, &e.sha512) {
            (Some(h), _) => *h == r.sha256,
            (None, Some(h)) => sha512_of(&r.path).as_deref() == Some(h.as_str()),
            (None, None) => false,
        };
        let mut c = Comparison {
            artifact,
            expected: e
                .sha256
                .as_ref()
                .map(|h| format!("sha256:{h}"))
                .or_else(|| e.sha512.as_ref().map(|h| format!("sha512:{h}"))),
            rebuilt: Some(format!("sha256:{}", r.sha256)),
            status: if same {
                Status::Identical
            } else {
                Status::Differs
            },
            class: None,
            differences: Vec::new(),
        };
        if !same {
            match &e.path {
                Some(p) => {
                    let x = compare::explain(p, &r.path, Limits::default());
                    c.class = Some(x.class);
                    c.differences = x.differences;
                    warnings.extend(x.warnings);
                }
                None => {
                    c.class = Some(crate::reproduce::Class::Unknown);
                    c.differences.push(crate::reproduce::Difference {
                        kind: crate::reproduce::Kind::Bytes,
                        member: None,
                        detail: "the digest differs; give a directory of the published files as the reference to see why".to_owned(),
                        diff: None,
                    });
                }
            }
        }
        out.push(c);
    }
    for r in rebuilt {
        if !by_name.contains_key(r.name.as_str()) && !paired_by_digest.contains(&r.name.as_str()) {
            out.push(Comparison {
                artifact: r.name.clone(),
                expected: None,
                rebuilt: Some(format!("sha256:{}", r.sha256)),
                status: Status::Extra,
                class: None,
                differences: Vec::new(),
            });
        }
    }
    Ok(out)
}

fn as_expected(rebuilt: &[Rebuilt]) -> Vec<Expected> {
    rebuilt
        .iter()
        .map(|r| Expected {
            name: r.name.clone(),
            sha256: Some(r.sha256.clone()),
            sha512: None,
            path: Some(r.path.clone()),
        })
        .collect()
}

/// The epoch: the last commit's time, else `SOURCE_DATE_EPOCH` from the environment.
pub fn epoch(source_dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Option<i64> {
    rebuild::source_date_epoch(source_dir)
        .or_else(|| env("SOURCE_DATE_EPOCH").and_then(|v| v.trim().parse().ok()))
}

pub fn run(
    config: &ReproduceConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<ReproduceReport, Error> {
    let mut report = ReproduceReport {
        source_date_epoch: epoch(&config.source_dir, env),
        ..ReproduceReport::default()
    };
    if config.print_source_date_epoch {
        report.epoch_only = true;
        return Ok(report);
    }
    if report.source_date_epoch.is_none() && config.rebuild_command.is_some() {
        report.warnings.push(format!(
            "no SOURCE_DATE_EPOCH: {} is not a git work tree with a commit, and the variable is not set",
            crate::report::display_path(&config.source_dir)
        ));
    }
    // Read the reference first: a bad one fails before any build runs.
    let reference = config
        .reference
        .as_deref()
        .map(reference::load)
        .transpose()?;

    let mut first_build = None;
    if let Some(command) = &config.rebuild_command {
        let spec = RebuildSpec {
            command: command.clone(),
            source_dir: config.source_dir.clone(),
            patterns: config.patterns.clone(),
            timeout: config.timeout,
            source_date_epoch: report.source_date_epoch,
        };
        let mut builds = Vec::new();
        let prepared = rebuild::prepare_all(&spec)?;
        for (variant, copy) in VARIANTS.iter().zip(prepared) {
            let built = console.group(&format!("Rebuild: {} run", variant.label), || {
                rebuild::run(&spec, variant, copy)
            })?;
            report.rebuilds.push(RebuildRun {
                label: built.label.clone(),
                environment: built.environment.clone(),
                seconds: (built.seconds * 10.0).round() / 10.0,
                artifacts: built.artifacts.len(),
            });
            builds.push(built);
        }
        let a = hash_rebuilt(&builds[0].artifacts)?;
        let b = hash_rebuilt(&builds[1].artifacts)?;
        report.checks.push(Check {
            title: "first rebuild vs second rebuild (varied environment)".to_owned(),
            comparisons: compare_sets(&as_expected(&a), &b, &mut report.warnings)?,
        });
        first_build = Some((builds, a));
    }

    if let Some(reference) = &reference {
        let rebuilt = match &first_build {
            Some((_, a)) => a,
            None => {
                let files = crate::subject::paths::resolve(&config.patterns)?;
                &hash_rebuilt(&files)?
            }
        };
        let title = format!(
            "{} vs reference {} ({})",
            if first_build.is_some() {
                "first rebuild"
            } else {
                "rebuilt artifacts"
            },
            reference.source,
            reference.form
        );
        let comparisons = compare_sets(&reference.artifacts, rebuilt, &mut report.warnings)?;
        report.checks.push(Check { title, comparisons });
        report.reference = Some(reference.source.clone());
        report.reference_form = Some(reference.form);
    }
    // Keep the temp trees until every comparison that reads them is done.
    drop(first_build);

    let path = config.output_dir.join(REPORT_FILE);
    write_all(&[PendingFile {
        path: path.clone(),
        bytes: crate::render::json::reproduce(&report).into_bytes(),
    }])?;
    report.report_path = Some(path);
    Ok(report)
}

/// The rebuild check `attest` runs when given a rebuild command: the workspace's subjects
/// against a rebuild, and two rebuilds against each other. True only when all match.
pub fn rebuild_matches(
    subjects: &[crate::subject::Subject],
    spec: &RebuildSpec,
    console: &Console,
) -> Result<(bool, Vec<String>), Error> {
    let mut warnings = Vec::new();
    let mut builds = Vec::new();
    let prepared = rebuild::prepare_all(spec)?;
    for (variant, copy) in VARIANTS.iter().zip(prepared) {
        builds.push(
            console.group(&format!("Rebuild: {} run", variant.label), || {
                rebuild::run(spec, variant, copy)
            })?,
        );
    }
    let a = hash_rebuilt(&builds[0].artifacts)?;
    let b = hash_rebuilt(&builds[1].artifacts)?;
    let published: Vec<Expected> = subjects
        .iter()
        .map(|s| Expected {
            name: reference::base_name(&s.name),
            sha256: s.sha256().map(str::to_owned),
            sha512: s.digests.get(&Algorithm::Sha512).cloned(),
            path: s.path.clone(),
        })
        .collect();
    let against_published = compare_sets(&published, &a, &mut warnings)?;
    let between = compare_sets(&as_expected(&a), &b, &mut warnings)?;
    let ok = against_published
        .iter()
        .chain(&between)
        .all(Comparison::identical);
    for c in against_published.iter().chain(&between) {
        if !c.identical() {
            let why = c
                .differences
                .first()
                .map(|d| d.detail.clone())
                .unwrap_or_else(|| format!("{:?}", c.status).to_lowercase());
            warnings.push(format!("not reproducible: {}: {why}", c.artifact));
        }
    }
    Ok((ok, warnings))
}
