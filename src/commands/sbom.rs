//! `sbom`: each Python artifact (or a binary with its Cargo.lock) → SPDX 2.3 and CycloneDX
//! documents, each also wrapped in an in-toto statement over the artifact.

use std::collections::BTreeSet;
use std::path::Path;

use crate::action::Console;
use crate::config::{SbomConfig, SbomSettings};
use crate::error::Error;
use crate::report::{FileKind, SbomEntry, SbomReport, WrittenFile};
use crate::sbom::archive::Kind;
use crate::sbom::build::BuildInfo;
use crate::sbom::license::License;
use crate::sbom::model::Sbom;
use crate::sbom::{SbomError, cyclonedx, generate, spdx, time};
use crate::statement::{self, Statement};
use crate::subject::{Algorithm, Subject, hash, paths};
use crate::write::{PendingFile, write_all};

const PLACEHOLDERS: [&str; 4] = ["{artifact}", "{name}", "{version}", "{kind}"];

/// A template must name a file inside output-dir: no separators, no `..`.
pub fn check_template(t: &str) -> Result<(), String> {
    let mut rest = t.to_owned();
    for p in PLACEHOLDERS {
        rest = rest.replace(p, "");
    }
    if rest.contains(['{', '}']) {
        return Err(format!(
            "{t:?} has an unknown placeholder; use {}",
            PLACEHOLDERS.join(", ")
        ));
    }
    if t.contains(['/', '\\']) || t.trim() == ".." || t.starts_with("..") {
        return Err(format!("{t:?} must be a file name, without / or .."));
    }
    Ok(())
}

pub fn run(
    config: &SbomConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<SbomReport, Error> {
    let (files, skipped) = paths::resolve_with_warnings(&config.patterns)?;
    for w in &skipped {
        console.warning(&crate::action::commands::Location::default(), w);
    }
    let subjects = hash::hash_files(&files, &[Algorithm::Sha256])?;
    let (report, pending) = build(
        &subjects,
        &config.settings,
        &config.output_dir,
        env,
        console,
    )?;
    write_all(&pending)?;
    Ok(report)
}

/// Makes every SBOM for `subjects` (those with a path), ready to write.
pub fn build(
    subjects: &[Subject],
    settings: &SbomSettings,
    output_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(SbomReport, Vec<PendingFile>), Error> {
    let created = time::created(env).map_err(|reason| crate::config::ConfigError::Invalid {
        input: "SOURCE_DATE_EPOCH",
        reason,
    })?;
    let build_info = BuildInfo::from_env(env);
    let mut report = SbomReport::default();
    for s in &settings.ignored_sources {
        report.warnings.push(format!(
            "{s} is ignored: only the first dependency source given is used (sbom-environment, then sbom-lockfile, then sbom-resolve)"
        ));
    }
    let with_paths: Vec<(&Subject, &Path)> = subjects
        .iter()
        .filter_map(|s| s.path.as_deref().map(|p| (s, p)))
        .collect();
    if with_paths.len() < subjects.len() {
        report.warnings.push(format!(
            "{} subject(s) given only by digest have no SBOM: an SBOM needs the file",
            subjects.len() - with_paths.len()
        ));
    }
    let default_seed_names = settings.name_template.is_none() && {
        let count = |k| {
            with_paths
                .iter()
                .filter(|(_, p)| Kind::of(p) == Some(k))
                .count()
        };
        // The seed's names, for its one wheel and one sdist.
        count(Kind::Wheel) == 1 && count(Kind::Sdist) == 1 && with_paths.len() == 2
    };
    let mut pending = Vec::new();
    let mut names = BTreeSet::new();
    for (subject, path) in with_paths {
        let sbom = console.group(&format!("SBOM of {}", subject.name), || {
            generate::generate(path, &subject.name, &settings.source, &build_info, &created)
        })?;
        let base = file_base(&sbom, settings.name_template.as_deref(), default_seed_names);
        if !names.insert(base.clone()) {
            return Err(SbomError::NameClash(base).into());
        }
        let mut written = Vec::new();
        let mut push = |name: String, kind: FileKind, bytes: Vec<u8>| {
            let path = output_dir.join(name);
            pending.push(PendingFile {
                path: path.clone(),
                bytes,
            });
            written.push(WrittenFile { path, kind });
        };
        if settings.spdx {
            let doc = spdx::build(&sbom)?;
            let statement =
                Statement::new(std::slice::from_ref(subject), spdx::PREDICATE_TYPE, &doc);
            push(
                format!("{base}.spdx.json"),
                FileKind::SpdxSbom,
                statement::to_json_bytes(&doc),
            );
            push(
                format!("{base}.spdx.statement.json"),
                FileKind::SbomStatement,
                statement::to_json_bytes(&statement),
            );
        }
        if settings.cyclonedx {
            let bom = cyclonedx::build(&sbom, settings.cyclonedx_version)?;
            let statement = Statement::new(
                std::slice::from_ref(subject),
                cyclonedx::PREDICATE_TYPE,
                &bom,
            );
            push(
                format!("{base}.cyclonedx.json"),
                FileKind::CyclonedxSbom,
                statement::to_json_bytes(&bom),
            );
            push(
                format!("{base}.cyclonedx.statement.json"),
                FileKind::SbomStatement,
                statement::to_json_bytes(&statement),
            );
        }
        for w in &sbom.warnings {
            report.warnings.push(format!("{}: {w}", subject.name));
        }
        report.entries.push(entry(&sbom, path, written));
    }
    Ok((report, pending))
}

fn file_base(sbom: &Sbom, template: Option<&str>, seed_names: bool) -> String {
    let kind = match sbom.artifact.kind {
        "wheel" => "wheel",
        "sdist" => "source",
        other => other,
    };
    let template = match template {
        Some(t) => t,
        None if seed_names => "sbom-{kind}",
        None => "{artifact}",
    };
    let name = template
        .replace("{artifact}", &sbom.artifact.file_name)
        .replace("{name}", &sbom.root.name)
        .replace(
            "{version}",
            sbom.root.version.as_deref().unwrap_or("unknown"),
        )
        .replace("{kind}", kind);
    // Artifact names and versions come from outside: keep the result one plain file name.
    name.replace(['/', '\\'], "_")
        .trim_start_matches('.')
        .to_owned()
}

fn entry(sbom: &Sbom, path: &Path, written: Vec<WrittenFile>) -> SbomEntry {
    let count =
        |f: fn(&Option<License>) -> bool| sbom.all_packages().filter(|p| f(&p.license)).count();
    SbomEntry {
        artifact: crate::report::display_path(path),
        kind: sbom.artifact.kind,
        name: sbom.root.name.clone(),
        version: sbom.root.version.clone(),
        components: sbom.packages.len() + 1,
        files: sbom.files.len(),
        licenses_spdx: count(|l| matches!(l, Some(License::Spdx { .. }))),
        licenses_other: count(|l| matches!(l, Some(License::Other { .. }))),
        licenses_unknown: count(|l| l.is_none()),
        resolution: sbom.resolution.method(),
        resolution_detail: sbom.resolution.describe(),
        written,
    }
}
