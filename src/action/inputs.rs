//! Reads the action's inputs (`INPUT_*` variables) into the same `*Args` the CLI fills.
//!
//! The composite action maps `${{ inputs.x-y }}` to `INPUT_X_Y`; a JavaScript-style runner
//! would pass `INPUT_X-Y`. Both spellings are accepted. An omitted input arrives as `""`,
//! which means "not set" here; booleans accept only the YAML 1.2 core spellings, as
//! `core.getBooleanInput` does.

use std::path::PathBuf;

use serde::Deserialize;

use crate::cli::{
    AttestArgs, BundleArgs, IdentityArgs, OutputArgs, ProvenanceArgs, ReproduceArgs, SbomArgs,
    SbomCommandArgs, SignArgs, SigningArgs, SubjectArgs, VerifyArgs, VerifyOutputArgs,
};
use crate::config::{
    AttestConfig, ConfigError, Job, ReproduceConfig, SbomConfig, SignConfig, VerifyConfig,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawInputs {
    command: Option<String>,
    subject_path: Option<String>,
    subject_digest: Option<String>,
    subject_name: Option<String>,
    subject_checksums: Option<String>,
    digest_algorithms: Option<String>,
    max_subjects: Option<String>,
    output_dir: Option<String>,
    legacy_provenance: Option<String>,
    pypi_attestations: Option<String>,
    // verify
    bundle_path: Option<String>,
    trusted_root: Option<String>,
    key: Option<String>,
    certificate_identity: Option<String>,
    certificate_identity_regexp: Option<String>,
    certificate_oidc_issuer: Option<String>,
    certificate_oidc_issuer_regexp: Option<String>,
    signer_repository: Option<String>,
    signer_workflow: Option<String>,
    source_repository: Option<String>,
    source_ref: Option<String>,
    source_digest: Option<String>,
    runner_environment: Option<String>,
    deny_self_hosted_runners: Option<String>,
    provenance_checks: Option<String>,
    predicate_type: Option<String>,
    policy: Option<String>,
    from_github: Option<String>,
    offline: Option<String>,
    push_to_github: Option<String>,
    upload_release_assets: Option<String>,
    overwrite: Option<String>,
    // verify-release
    tag: Option<String>,
    repo: Option<String>,
    github_token: Option<String>,
    // sign
    sign: Option<String>,
    identity_token: Option<String>,
    sigstore_instance: Option<String>,
    fulcio_url: Option<String>,
    rekor_url: Option<String>,
    tsa_url: Option<String>,
    signing_config: Option<String>,
    single_subject_attestations: Option<String>,
    // reproduce (rebuild-command, source-dir and timeout also for attest)
    reference: Option<String>,
    rebuild_command: Option<String>,
    source_dir: Option<String>,
    timeout: Option<String>,
    fail_on_difference: Option<String>,
    print_source_date_epoch: Option<String>,
    // audit, sbom-diff
    sbom_path: Option<String>,
    osv_database: Option<String>,
    osv_cache_dir: Option<String>,
    osv_database_sha256: Option<String>,
    fail_on_severity: Option<String>,
    ignore: Option<String>,
    old_sbom: Option<String>,
    new_sbom: Option<String>,
    format: Option<String>,
    // sbom
    sbom: Option<String>,
    sbom_environment: Option<String>,
    sbom_lockfile: Option<String>,
    sbom_resolve: Option<String>,
    sbom_python: Option<String>,
    sbom_name_template: Option<String>,
    cyclonedx_version: Option<String>,
}

/// The SBOM inputs, shared by `attest` and `sbom`.
fn sbom_args(raw: &mut RawInputs) -> Result<SbomArgs, ConfigError> {
    let path = |v: Option<String>| non_empty(v).map(|p| PathBuf::from(p.trim()));
    Ok(SbomArgs {
        sbom: non_empty(raw.sbom.take()),
        sbom_environment: path(raw.sbom_environment.take()),
        sbom_lockfile: path(raw.sbom_lockfile.take()),
        sbom_resolve: boolean("sbom-resolve", raw.sbom_resolve.take())?,
        sbom_python: non_empty(raw.sbom_python.take()),
        sbom_name_template: non_empty(raw.sbom_name_template.take()),
        cyclonedx_version: non_empty(raw.cyclonedx_version.take()),
    })
}

/// The `reproduce` command's inputs.
fn reproduce_args(raw: RawInputs) -> Result<ReproduceArgs, ConfigError> {
    Ok(ReproduceArgs {
        paths: Vec::new(),
        subject_path: non_empty(raw.subject_path).into_iter().collect(),
        reference: non_empty(raw.reference).map(|r| r.trim().to_owned()),
        rebuild_command: non_empty(raw.rebuild_command),
        source_dir: non_empty(raw.source_dir).map(|d| PathBuf::from(d.trim())),
        timeout: non_empty(raw.timeout),
        fail_on_difference: boolean("fail-on-difference", raw.fail_on_difference)?,
        print_source_date_epoch: boolean("print-source-date-epoch", raw.print_source_date_epoch)?
            .unwrap_or(false),
        output: OutputArgs {
            output_dir: non_empty(raw.output_dir).map(|d| PathBuf::from(d.trim())),
            format: None,
        },
    })
}

/// The `audit` and `sbom-diff` commands' inputs.
fn audit_job(command: &str, raw: RawInputs) -> Result<Job, ConfigError> {
    let path = |v: Option<String>| non_empty(v).map(|p| PathBuf::from(p.trim()));
    let format = non_empty(raw.format).map(|f| f.trim().to_owned());
    let bad_format = |f: &str| ConfigError::Invalid {
        input: "format",
        reason: format!("{f:?}; expected text, json or sarif"),
    };
    if command == "audit" {
        let format = match format.as_deref() {
            None => None,
            Some("text") => Some(crate::cli::AuditFormat::Text),
            Some("json") => Some(crate::cli::AuditFormat::Json),
            Some("sarif") => Some(crate::cli::AuditFormat::Sarif),
            Some(f) => return Err(bad_format(f)),
        };
        let args = crate::cli::AuditArgs {
            paths: Vec::new(),
            sbom: non_empty(raw.sbom_path).into_iter().collect(),
            osv_database: non_empty(raw.osv_database),
            osv_cache_dir: path(raw.osv_cache_dir),
            osv_database_sha256: non_empty(raw.osv_database_sha256),
            fail_on_severity: non_empty(raw.fail_on_severity),
            ignore: non_empty(raw.ignore).into_iter().collect(),
            output_dir: path(raw.output_dir),
            format,
        };
        return Ok(Job::Audit(Box::new(crate::config::AuditConfig::from_args(
            args,
        )?)));
    }
    let format = match format.as_deref() {
        None => None,
        Some("text") => Some(crate::cli::CliFormat::Text),
        Some("json") => Some(crate::cli::CliFormat::Json),
        Some(f) => return Err(bad_format(f)),
    };
    let args = crate::cli::SbomDiffArgs {
        old_sbom: path(raw.old_sbom),
        new_sbom: path(raw.new_sbom),
        osv_database: non_empty(raw.osv_database),
        osv_cache_dir: path(raw.osv_cache_dir),
        osv_database_sha256: non_empty(raw.osv_database_sha256),
        output_dir: path(raw.output_dir),
        format,
    };
    Ok(Job::SbomDiff(Box::new(
        crate::config::SbomDiffConfig::from_args(args)?,
    )))
}

/// The signing inputs (`trusted-root` is shared with verify).
fn signing_args(raw: &mut RawInputs) -> Result<SigningArgs, ConfigError> {
    let path = |v: Option<String>| non_empty(v).map(|p| PathBuf::from(p.trim()));
    Ok(SigningArgs {
        sign: non_empty(raw.sign.take()),
        identity_token: non_empty(raw.identity_token.take()),
        sigstore_instance: non_empty(raw.sigstore_instance.take()),
        fulcio_url: non_empty(raw.fulcio_url.take()),
        rekor_url: non_empty(raw.rekor_url.take()),
        tsa_url: non_empty(raw.tsa_url.take()),
        signing_config: path(raw.signing_config.take()),
        trusted_root: path(raw.trusted_root.take()),
        single_subject_attestations: boolean(
            "single-subject-attestations",
            raw.single_subject_attestations.take(),
        )?,
    })
}

/// The `verify` command's inputs. Artifacts come from `subject-path` (paths, globs or
/// `sha256:<hex>` digests) and `subject-digest`.
fn verify_args(raw: RawInputs, repository: Option<&str>) -> Result<VerifyArgs, ConfigError> {
    // `from-github: true` means the workflow's own repository.
    let from_github = match non_empty(raw.from_github.clone()).as_deref().map(str::trim) {
        None | Some("false") => None,
        Some("true") => Some(repository.map(str::to_owned).ok_or(ConfigError::Invalid {
            input: "from-github",
            reason: "true needs GITHUB_REPOSITORY; give OWNER/REPO".to_owned(),
        })?),
        Some(other) => Some(other.to_owned()),
    };
    let path = |v: Option<String>| non_empty(v).map(|p| PathBuf::from(p.trim()));
    Ok(VerifyArgs {
        artifacts: Vec::new(),
        subject_path: non_empty(raw.subject_path).into_iter().collect(),
        subject_digest: non_empty(raw.subject_digest).into_iter().collect(),
        bundles: BundleArgs {
            bundle_path: non_empty(raw.bundle_path).into_iter().collect(),
            trusted_root: path(raw.trusted_root),
            key: path(raw.key),
            staging: false,
            from_github,
            github_token: non_empty(raw.github_token),
            lookup: crate::cli::LookupArgs {
                rekor_url: non_empty(raw.rekor_url),
                offline: boolean("offline", raw.offline)?.unwrap_or(false),
            },
        },
        identity: IdentityArgs {
            certificate_identity: non_empty(raw.certificate_identity),
            certificate_identity_regexp: non_empty(raw.certificate_identity_regexp),
            certificate_oidc_issuer: non_empty(raw.certificate_oidc_issuer),
            certificate_oidc_issuer_regexp: non_empty(raw.certificate_oidc_issuer_regexp),
            signer_repository: non_empty(raw.signer_repository),
            signer_workflow: non_empty(raw.signer_workflow),
            source_repository: non_empty(raw.source_repository),
            source_ref: non_empty(raw.source_ref),
            source_digest: non_empty(raw.source_digest),
            runner_environment: non_empty(raw.runner_environment),
            deny_self_hosted_runners: boolean(
                "deny-self-hosted-runners",
                raw.deny_self_hosted_runners,
            )?,
            provenance_checks: boolean("provenance-checks", raw.provenance_checks)?,
            predicate_type: non_empty(raw.predicate_type),
            policy: path(raw.policy),
        },
        output: VerifyOutputArgs {
            format: None,
            output_dir: path(raw.output_dir),
        },
    })
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn boolean(input: &'static str, v: Option<String>) -> Result<Option<bool>, ConfigError> {
    match non_empty(v).as_deref().map(str::trim) {
        None => Ok(None),
        Some("true" | "True" | "TRUE") => Ok(Some(true)),
        Some("false" | "False" | "FALSE") => Ok(Some(false)),
        Some(other) => Err(ConfigError::Invalid {
            input,
            reason: format!("{other:?} is not a boolean; use true or false"),
        }),
    }
}

/// Builds the job from the process's variables (`name → value`).
pub fn read(vars: impl IntoIterator<Item = (String, String)>) -> Result<Job, ConfigError> {
    let vars: Vec<(String, String)> = vars.into_iter().collect();
    let repository = vars
        .iter()
        .find(|(k, v)| k == "GITHUB_REPOSITORY" && !v.is_empty())
        .map(|(_, v)| v.clone());
    // One value per input. Our action.yml sets `INPUT_X_Y`; some runners (act) also set
    // `INPUT_X-Y`, which envy would see as a duplicate: the underscore spelling wins.
    let mut inputs = std::collections::BTreeMap::new();
    for (k, v) in vars {
        let Some(rest) = k.strip_prefix("INPUT_") else {
            continue;
        };
        let key = format!("INPUT_{}", rest.replace(['-', ' '], "_"));
        let ours = !rest.contains(['-', ' ']);
        if ours || !inputs.contains_key(&key) {
            inputs.insert(key, v);
        }
    }
    let mut raw: RawInputs = envy::prefixed("INPUT_")
        .from_iter(inputs)
        .map_err(|e| ConfigError::Inputs(e.to_string()))?;

    let command = non_empty(raw.command.take()).unwrap_or_else(|| "attest".to_owned());
    if matches!(command.trim(), "audit" | "sbom-diff") {
        return audit_job(command.trim(), raw);
    }
    if command.trim() == "verify" {
        let config = VerifyConfig::from_args(verify_args(raw, repository.as_deref())?)?;
        return Ok(Job::Verify(Box::new(config)));
    }
    if command.trim() == "reproduce" {
        let config = ReproduceConfig::from_args(reproduce_args(raw)?)?;
        return Ok(Job::Reproduce(Box::new(config)));
    }
    let sbom = sbom_args(&mut raw)?;
    if command.trim() == "sbom" {
        let args = SbomCommandArgs {
            paths: Vec::new(),
            subject_path: non_empty(raw.subject_path).into_iter().collect(),
            sbom,
            output: OutputArgs {
                output_dir: non_empty(raw.output_dir).map(|d| PathBuf::from(d.trim())),
                format: None,
            },
        };
        return Ok(Job::Sbom(Box::new(SbomConfig::from_args(args)?)));
    }
    if command.trim() == "verify-release" {
        let tag = non_empty(raw.tag.take());
        let repo = non_empty(raw.repo.take());
        let token = non_empty(raw.github_token.take());
        let output_dir = non_empty(raw.output_dir.take()).map(|d| PathBuf::from(d.trim()));
        let v = verify_args(raw, repository.as_deref())?;
        let args = crate::cli::VerifyReleaseArgs {
            tag,
            repo,
            github_token: token,
            trusted_root: v.bundles.trusted_root,
            lookup: v.bundles.lookup,
            identity: v.identity,
            output_dir,
            format: None,
        };
        let config = crate::config::VerifyReleaseConfig::from_args(args)?;
        return Ok(Job::VerifyRelease(Box::new(config)));
    }
    let signing = signing_args(&mut raw)?;
    if command.trim() == "sign" {
        let args = SignArgs {
            paths: Vec::new(),
            subjects: SubjectArgs {
                subject_path: non_empty(raw.subject_path).into_iter().collect(),
                subject_digest: non_empty(raw.subject_digest),
                subject_name: non_empty(raw.subject_name),
                subject_checksums: non_empty(raw.subject_checksums),
                digest_algorithms: non_empty(raw.digest_algorithms),
                max_subjects: non_empty(raw.max_subjects),
            },
            signing,
            output: OutputArgs {
                output_dir: non_empty(raw.output_dir).map(|d| PathBuf::from(d.trim())),
                format: None,
            },
            github: crate::cli::GithubPushArgs {
                push_to_github: None,
                github_token: non_empty(raw.github_token),
                upload_release_assets: boolean("upload-release-assets", raw.upload_release_assets)?,
                overwrite: boolean("overwrite", raw.overwrite)?,
            },
        };
        return Ok(Job::Sign(Box::new(SignConfig::from_args(args)?)));
    }
    let args = AttestArgs {
        paths: Vec::new(),
        subjects: SubjectArgs {
            subject_path: non_empty(raw.subject_path).into_iter().collect(),
            subject_digest: non_empty(raw.subject_digest),
            subject_name: non_empty(raw.subject_name),
            subject_checksums: non_empty(raw.subject_checksums),
            digest_algorithms: non_empty(raw.digest_algorithms),
            max_subjects: non_empty(raw.max_subjects),
        },
        provenance: ProvenanceArgs {
            legacy_provenance: boolean("legacy-provenance", raw.legacy_provenance)?,
            // A workflow run always has its GitHub context; local mode is for the CLI.
            allow_local: None,
            pypi_attestations: non_empty(raw.pypi_attestations),
            rebuild_command: non_empty(raw.rebuild_command),
            source_dir: non_empty(raw.source_dir).map(|d| PathBuf::from(d.trim())),
            timeout: non_empty(raw.timeout),
        },
        signing,
        sbom,
        output: OutputArgs {
            output_dir: non_empty(raw.output_dir).map(|d| PathBuf::from(d.trim())),
            format: None,
        },
        github: crate::cli::GithubPushArgs {
            push_to_github: boolean("push-to-github", raw.push_to_github)?,
            github_token: non_empty(raw.github_token),
            upload_release_assets: boolean("upload-release-assets", raw.upload_release_assets)?,
            overwrite: boolean("overwrite", raw.overwrite)?,
        },
    };
    match command.trim() {
        "attest" => Ok(Job::Attest(AttestConfig::from_args(args)?)),
        "provenance" => Ok(Job::Provenance(AttestConfig::from_args(args)?)),
        other => Err(ConfigError::UnknownCommand(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pypi_attestations_sign_only_themselves_by_default() -> Result<(), ConfigError> {
        let attest = |pypi: &str, sign: &str| {
            read(vars(&[
                ("INPUT_SUBJECT_PATH", "dist/*"),
                ("INPUT_SIGN", sign),
                ("INPUT_PYPI-ATTESTATIONS", pypi),
            ]))
        };
        let Job::Attest(c) = attest("true", "")? else {
            panic!("expected attest")
        };
        assert_eq!(
            c.pypi,
            Some(crate::pypi::PypiKinds {
                publish: true,
                provenance: false
            })
        );
        assert_eq!(
            c.sign.map(|s| s.produce),
            Some(crate::sign::Produce::default())
        );
        assert!(attest("sbom", "").is_err());
        assert!(attest("true", "false").is_err());
        let Job::Attest(c) = attest("false", "")? else {
            panic!("expected attest")
        };
        assert!(c.pypi.is_none() && c.sign.is_none());
        Ok(())
    }

    #[test]
    fn both_spellings_and_empty_values() -> Result<(), ConfigError> {
        let job = read(vars(&[
            ("INPUT_SUBJECT_PATH", "dist/*.whl\ndist/*.tar.gz"),
            ("INPUT_OUTPUT-DIR", "out"),
            ("INPUT_SUBJECT_DIGEST", ""),
            ("INPUT_COMMAND", ""),
            ("INPUT_LEGACY_PROVENANCE", "False"),
            ("PATH", "/usr/bin"),
        ]))?;
        let Job::Attest(c) = job else {
            panic!("expected attest, got {job:?}")
        };
        assert_eq!(c.subjects.patterns, ["dist/*.whl", "dist/*.tar.gz"]);
        assert_eq!(c.output_dir, PathBuf::from("out"));
        assert!(!c.legacy_provenance);
        assert!(c.subjects.digest.is_none());
        Ok(())
    }

    #[test]
    fn verify_inputs() -> Result<(), ConfigError> {
        let job = read(vars(&[
            ("INPUT_COMMAND", "verify"),
            ("INPUT_SUBJECT_PATH", "dist/*.whl"),
            ("INPUT_BUNDLE_PATH", "dist/*.sigstore.json"),
            (
                "INPUT_CERTIFICATE_IDENTITY_REGEXP",
                "https://github\\.com/o/r/.*",
            ),
            (
                "INPUT_CERTIFICATE-OIDC-ISSUER",
                "https://token.actions.githubusercontent.com",
            ),
            ("INPUT_DENY_SELF_HOSTED_RUNNERS", "true"),
            ("INPUT_KEY", ""),
        ]))?;
        let Job::Verify(c) = job else {
            panic!("expected verify, got {job:?}")
        };
        assert_eq!(c.bundle_patterns, ["dist/*.sigstore.json"]);
        assert!(c.deny_self_hosted_runners);
        assert!(c.key.is_none());
        assert!(c.identity.certificate_identity_regexp.is_some());
        Ok(())
    }

    #[test]
    fn reproduce_inputs() -> Result<(), ConfigError> {
        let job = read(vars(&[
            ("INPUT_COMMAND", "reproduce"),
            ("INPUT_SUBJECT_PATH", "dist/*"),
            ("INPUT_REFERENCE", " published/ "),
            ("INPUT_REBUILD_COMMAND", "python -m build"),
            ("INPUT_SOURCE_DIR", "."),
            ("INPUT_TIMEOUT", "600"),
            ("INPUT_FAIL_ON_DIFFERENCE", "false"),
            ("INPUT_PRINT_SOURCE_DATE_EPOCH", "false"),
        ]))?;
        let Job::Reproduce(c) = job else {
            panic!("expected reproduce, got {job:?}")
        };
        assert_eq!(c.patterns, ["dist/*"]);
        assert_eq!(c.reference.as_deref(), Some("published/"));
        assert_eq!(c.rebuild_command.as_deref(), Some("python -m build"));
        assert_eq!(c.timeout, std::time::Duration::from_secs(600));
        assert!(!c.fail_on_difference);
        for bad in ["0", "-1", "ten"] {
            let r = read(vars(&[
                ("INPUT_COMMAND", "reproduce"),
                ("INPUT_SUBJECT_PATH", "x"),
                ("INPUT_REFERENCE", "r"),
                ("INPUT_TIMEOUT", bad),
            ]));
            assert!(
                matches!(
                    r,
                    Err(ConfigError::Invalid {
                        input: "timeout",
                        ..
                    })
                ),
                "{bad}"
            );
        }
        // Only the epoch: nothing else is needed.
        let job = read(vars(&[
            ("INPUT_COMMAND", "reproduce"),
            ("INPUT_PRINT_SOURCE_DATE_EPOCH", "true"),
        ]))?;
        assert!(matches!(job, Job::Reproduce(c) if c.print_source_date_epoch));
        // attest takes the rebuild inputs too.
        let job = read(vars(&[
            ("INPUT_SUBJECT_PATH", "dist/*"),
            ("INPUT_REBUILD_COMMAND", "make"),
        ]))?;
        assert!(matches!(job, Job::Attest(c) if c.rebuild.is_some()));
        Ok(())
    }

    #[test]
    fn both_spellings_at_once_prefer_the_underscore_one() -> Result<(), ConfigError> {
        for order in [[0, 1], [1, 0]] {
            let pairs = [("INPUT_OUTPUT_DIR", "ours"), ("INPUT_OUTPUT-DIR", "runner")];
            let mut v = vars(&[("INPUT_SUBJECT_PATH", "x")]);
            v.extend(
                order
                    .iter()
                    .map(|&i| (pairs[i].0.to_owned(), pairs[i].1.to_owned())),
            );
            let Job::Attest(c) = read(v)? else {
                panic!("expected attest")
            };
            assert_eq!(c.output_dir, PathBuf::from("ours"));
        }
        Ok(())
    }

    #[test]
    fn strict_booleans() {
        for bad in ["yes", "1", "on", "tru"] {
            let r = read(vars(&[
                ("INPUT_SUBJECT_PATH", "x"),
                ("INPUT_LEGACY_PROVENANCE", bad),
            ]));
            assert!(
                matches!(
                    r,
                    Err(ConfigError::Invalid {
                        input: "legacy-provenance",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn commands() {
        let base = [("INPUT_SUBJECT_PATH", "x")];
        let with = |c: &str| {
            let mut v = vars(&base);
            v.push(("INPUT_COMMAND".into(), c.into()));
            read(v)
        };
        assert!(matches!(with("provenance"), Ok(Job::Provenance(_))));
        assert!(matches!(with("sign"), Ok(Job::Sign(_))));
        assert!(matches!(with("sbom"), Ok(Job::Sbom(_))));
        assert!(matches!(
            with("reproduce"),
            Err(ConfigError::Invalid {
                input: "reference",
                ..
            })
        ));
        assert!(matches!(
            with("verify"),
            Err(ConfigError::Invalid {
                input: "certificate-identity",
                ..
            })
        ));
        assert!(matches!(
            with("rm -rf"),
            Err(ConfigError::UnknownCommand(_))
        ));
    }

    #[test]
    fn github_inputs() -> Result<(), ConfigError> {
        let job = read(vars(&[
            ("INPUT_COMMAND", "verify-release"),
            ("INPUT_TAG", "v1.0.0"),
            ("INPUT_REPO", "attest-kit/demo"),
            ("INPUT_GITHUB_TOKEN", "t0ken"),
        ]))?;
        let Job::VerifyRelease(c) = job else {
            panic!("not verify-release")
        };
        assert_eq!(
            (c.tag.as_str(), c.repo.as_deref()),
            ("v1.0.0", Some("attest-kit/demo"))
        );
        assert!(c.token.is_some());
        assert!(read(vars(&[("INPUT_COMMAND", "verify-release")])).is_err());
        let job = read(vars(&[
            ("INPUT_COMMAND", "verify"),
            ("INPUT_SUBJECT_PATH", "x"),
            ("INPUT_FROM_GITHUB", "true"),
            ("GITHUB_REPOSITORY", "o/r"),
            ("INPUT_CERTIFICATE_IDENTITY", "i"),
            ("INPUT_CERTIFICATE_OIDC_ISSUER", "s"),
        ]))?;
        let Job::Verify(v) = job else {
            panic!("not verify")
        };
        assert_eq!(v.from_github.as_deref(), Some("o/r"));
        // push-to-github without signed attestations is refused up front.
        assert!(matches!(
            read(vars(&[
                ("INPUT_SUBJECT_PATH", "x"),
                ("INPUT_PUSH_TO_GITHUB", "true")
            ])),
            Err(ConfigError::Invalid {
                input: "push-to-github",
                ..
            })
        ));
        let job = read(vars(&[
            ("INPUT_SUBJECT_PATH", "x"),
            ("INPUT_UPLOAD_RELEASE_ASSETS", "true"),
            ("INPUT_OVERWRITE", "true"),
        ]))?;
        let Job::Attest(a) = job else {
            panic!("not attest")
        };
        assert_eq!((a.upload_release_assets, a.overwrite), (Some(true), true));
        Ok(())
    }
}
