//! `attest` and `provenance`: subjects → SLSA provenance (and the seed's legacy file).

use std::collections::HashMap;

use crate::action::Console;
use crate::config::AttestConfig;
use crate::error::Error;
use crate::github::{BuildContext, GithubContext, context::LocalContext};
use crate::report::{AttestReport, FileKind, WrittenFile};
use crate::statement::{self, Statement, legacy::LegacyProvenance, slsa};
use crate::subject::{self, Subject, checksums, hash, paths};
use crate::write::{PendingFile, write_all};

pub const PROVENANCE_FILE: &str = "provenance.statement.json";
pub const LEGACY_PROVENANCE_FILE: &str = "build-provenance.json";
pub const CHECKSUMS_FILE: &str = "SHA256SUMS";

/// Collects and hashes every subject the config names, in a stable order, without repeats.
pub fn collect_subjects(config: &AttestConfig, console: &Console) -> Result<Vec<Subject>, Error> {
    let max = config.subjects.max;
    let too_many = |count: usize| -> Result<(), Error> {
        if count > max {
            return Err(subject::SubjectError::TooMany { count, limit: max }.into());
        }
        Ok(())
    };
    let mut subjects = Vec::new();
    if !config.subjects.patterns.is_empty() {
        let (files, skipped) = paths::resolve_with_warnings(&config.subjects.patterns)?;
        for w in &skipped {
            console.warning(&crate::action::commands::Location::default(), w);
        }
        // Counted before hashing: a million files is refused in the time it takes to list them.
        too_many(files.len())?;
        console.debug(&format!("hashing {} files", files.len()));
        subjects.extend(hash::hash_files(&files, &config.algorithms)?);
    }
    if let Some((digest, name)) = &config.subjects.digest {
        subjects.push(Subject {
            name: name.clone(),
            digests: [(digest.algorithm, digest.hex.clone())].into(),
            path: None,
            size: None,
        });
    }
    if let Some(source) = &config.subjects.checksums {
        subjects.extend(checksums::load_at_most(source, max)?);
    }
    let subjects = subject::dedup(subjects);
    too_many(subjects.len())?;
    Ok(subjects)
}

/// Names that appear with different digests are legal in in-toto but confuse people.
fn name_clashes(subjects: &[Subject]) -> Vec<String> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for s in subjects {
        *by_name.entry(&s.name).or_default() += 1;
    }
    let mut clashes: Vec<String> = by_name
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(name, n)| format!("{n} subjects are named {name:?} with different digests; verifiers match by digest, so each still verifies"))
        .collect();
    clashes.sort();
    clashes
}

/// The provenance statement(s) to sign: one for all subjects, or one per subject.
fn statements_to_sign(
    subjects: &[Subject],
    build: &BuildContext,
    single: bool,
) -> Vec<crate::sign::StatementToSign> {
    let one = |subjects: &[Subject], base: String| {
        let statement =
            Statement::new(subjects, slsa::PREDICATE_TYPE, slsa::Provenance::new(build));
        crate::sign::StatementToSign {
            base,
            bytes: serde_json::to_vec(&statement).unwrap_or_default(),
            subject: subjects[0].clone(),
            pep740: false,
        }
    };
    if subjects.is_empty() {
        return Vec::new();
    }
    if single {
        subjects
            .iter()
            .map(|s| {
                let name = s.name.rsplit(['/', '\\']).next().unwrap_or("subject");
                one(std::slice::from_ref(s), format!("{name}.provenance"))
            })
            .collect()
    } else {
        vec![one(subjects, "provenance".to_owned())]
    }
}

pub fn build_context(
    config: &AttestConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<BuildContext, Error> {
    match GithubContext::from_env(env) {
        Ok(ctx) => Ok(BuildContext::Github(ctx)),
        Err(crate::github::ContextError::Missing(_)) if config.allow_local => {
            Ok(BuildContext::Local(LocalContext::from_git()))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn run(
    command: &'static str,
    config: &AttestConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<AttestReport, Error> {
    if let Some(settings) = &config.sign {
        for secret in crate::sign::early_secrets(settings, env) {
            console.add_mask(secret.expose());
        }
    }
    // Context first: a run outside Actions fails before any file is read.
    let build = build_context(config, env)?;
    let subjects = console.group("Hashing subjects", || collect_subjects(config, console))?;

    let statement = Statement::new(
        &subjects,
        slsa::PREDICATE_TYPE,
        slsa::Provenance::new(&build),
    );
    let mut pending = vec![PendingFile {
        path: config.output_dir.join(PROVENANCE_FILE),
        bytes: statement::to_json_bytes(&statement),
    }];
    let mut files = vec![WrittenFile {
        path: config.output_dir.join(PROVENANCE_FILE),
        kind: FileKind::Provenance,
    }];
    // `reproducible` is true only when a rebuild in this step matched.
    let mut warnings = name_clashes(&subjects);
    let mut reproducible = false;
    if let Some(r) = &config.rebuild {
        let spec = crate::reproduce::rebuild::RebuildSpec {
            command: r.command.clone(),
            source_dir: r.source_dir.clone(),
            patterns: config
                .subjects
                .patterns
                .iter()
                .map(|p| rebase(p, &r.source_dir))
                .collect(),
            timeout: r.timeout,
            source_date_epoch: super::reproduce::epoch(&r.source_dir, env),
        };
        let (ok, notes) = super::reproduce::rebuild_matches(&subjects, &spec, console)?;
        reproducible = ok;
        warnings.extend(notes);
    }
    if config.legacy_provenance {
        let legacy = LegacyProvenance::new(&build, reproducible);
        let path = config.output_dir.join(LEGACY_PROVENANCE_FILE);
        pending.push(PendingFile {
            path: path.clone(),
            bytes: statement::to_json_bytes(&legacy),
        });
        files.push(WrittenFile {
            path,
            kind: FileKind::LegacyProvenance,
        });
    }
    let sums: String = subjects
        .iter()
        .filter_map(|s| {
            let name = s
                .path
                .as_ref()
                .map_or_else(|| s.name.clone(), |p| crate::report::display_path(p));
            s.sha256().map(|hex| checksums::format_line(hex, &name))
        })
        .collect();
    if !sums.is_empty() {
        let path = config.output_dir.join(CHECKSUMS_FILE);
        pending.push(PendingFile {
            path: path.clone(),
            bytes: sums.into_bytes(),
        });
        files.push(WrittenFile {
            path,
            kind: FileKind::Checksums,
        });
    }
    // SBOMs first: with `sign: attestations` their statements are signed with the provenance.
    let mut sbom_statements = Vec::new();
    let sbom = match &config.sbom {
        Some(settings) => {
            let (report, sbom_files) = crate::commands::sbom::build(
                &subjects,
                settings,
                &config.output_dir,
                env,
                console,
            )?;
            sbom_statements = sbom_statements_to_sign(&subjects, &report, &sbom_files);
            files.extend(
                report
                    .entries
                    .iter()
                    .flat_map(|e| e.written.iter().cloned()),
            );
            pending.extend(sbom_files);
            Some(report)
        }
        None => None,
    };
    let signing = match &config.sign {
        Some(settings) => {
            let mut statements = if settings.produce.attestations {
                let mut all =
                    statements_to_sign(&subjects, &build, settings.single_subject_attestations);
                all.append(&mut sbom_statements);
                all
            } else {
                Vec::new()
            };
            if let Some(kinds) = config.pypi {
                statements.extend(crate::pypi::statements(&subjects, kinds, &build)?);
            }
            // The files this step wrote are signed like the artifacts, so that every file it
            // puts in a release carries its own signature (the seed's layout).
            let mut blobs = subjects.clone();
            if settings.produce.bundle || settings.produce.sig_crt {
                blobs.extend(pending.iter().map(document_subject));
            }
            let (report, more, written) = console.group("Signing", || {
                super::sign::sign(
                    settings,
                    &blobs,
                    &statements,
                    &config.output_dir,
                    env,
                    console,
                )
            })?;
            pending.extend(more);
            files.extend(written);
            Some(report)
        }
        None => None,
    };
    // Provenance, SBOMs and signatures appear together or not at all.
    write_all(&pending)?;

    Ok(AttestReport {
        command,
        sbom,
        warnings,
        subjects,
        predicate_type: slsa::PREDICATE_TYPE,
        files,
        signing,
    })
}

/// A file this step writes, as a subject to sign: its name and SHA-256 from the bytes.
fn document_subject(file: &PendingFile) -> Subject {
    use sha2::Digest as _;
    let mut digests = std::collections::BTreeMap::new();
    digests.insert(
        crate::subject::Algorithm::Sha256,
        hex::encode(sha2::Sha256::digest(&file.bytes)),
    );
    Subject {
        // Names of files this step writes are built from UTF-8 names.
        name: hash::file_name(&file.path).unwrap_or_default(),
        digests,
        path: Some(file.path.clone()),
        size: Some(file.bytes.len() as u64),
    }
}

/// The SBOM statements (`<sbom>.statement.json`) as attestations to sign, each verified
/// after signing against the artifact it describes.
fn sbom_statements_to_sign(
    subjects: &[Subject],
    report: &crate::report::SbomReport,
    files: &[PendingFile],
) -> Vec<crate::sign::StatementToSign> {
    let mut out = Vec::new();
    for entry in &report.entries {
        let Some(subject) = subjects.iter().find(|s| {
            s.path
                .as_deref()
                .is_some_and(|p| crate::report::display_path(p) == entry.artifact)
        }) else {
            continue;
        };
        for written in entry
            .written
            .iter()
            .filter(|f| f.kind == FileKind::SbomStatement)
        {
            let Some(file) = files.iter().find(|f| f.path == written.path) else {
                continue;
            };
            let name = crate::subject::hash::file_name(&written.path).unwrap_or_default();
            out.push(crate::sign::StatementToSign {
                base: name.strip_suffix(".json").unwrap_or(&name).to_owned(),
                bytes: file.bytes.clone(),
                subject: subject.clone(),
                pep740: false,
            });
        }
    }
    out
}

/// A subject pattern (relative to the workspace) made relative to the source tree the
/// rebuild copies: `src/dist/*.whl` with source-dir `src` is `dist/*.whl` in the copy.
fn rebase(pattern: &str, source_dir: &std::path::Path) -> String {
    let (bang, p) = match pattern.strip_prefix('!') {
        Some(rest) => ("!", rest),
        None => ("", pattern),
    };
    let dir = crate::report::display_path(source_dir);
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let p = p.trim_start_matches("./");
    match p.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
        Some(rest) if !dir.is_empty() && dir != "." => format!("{bang}{rest}"),
        _ => format!("{bang}{p}"),
    }
}

#[cfg(test)]
mod tests {
    use super::rebase;
    use std::path::Path;

    #[test]
    fn patterns_are_rebased_on_the_source_dir() {
        assert_eq!(rebase("src/dist/*.whl", Path::new("src")), "dist/*.whl");
        assert_eq!(
            rebase("./src/dist/*.whl", Path::new("./src/")),
            "dist/*.whl"
        );
        assert_eq!(rebase("!src/dist/x", Path::new("src")), "!dist/x");
        assert_eq!(rebase("dist/*.whl", Path::new(".")), "dist/*.whl");
        assert_eq!(rebase("srcx/a", Path::new("src")), "srcx/a");
    }
}
