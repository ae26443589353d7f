//! Reads the action's inputs (`INPUT_*` variables) into the same `*Args` the CLI fills.
//!
//! The composite action maps `${{ inputs.x-y }}` to `INPUT_X_Y`; a JavaScript-style runner
//! would pass `INPUT_X-Y`. Both spellings are accepted. An omitted input arrives as `""`,
//! which means "not set" here; booleans accept only the YAML 1.2 core spellings, as
//! `core.getBooleanInput` does.

use std::path::PathBuf;

use serde::Deserialize;

use crate::cli::{
    AttestArgs, BundleArgs, IdentityArgs, OutputArgs, ProvenanceArgs, SignArgs, SigningArgs,
    SubjectArgs, VerifyArgs, VerifyOutputArgs,
};
use crate::config::{AttestConfig, ConfigError, Job, SignConfig, VerifyConfig};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawInputs {
    command: Option<String>,
    subject_path: Option<String>,
    subject_digest: Option<String>,
    subject_name: Option<String>,
    subject_checksums: Option<String>,
    digest_algorithms: Option<String>,
    output_dir: Option<String>,
    legacy_provenance: Option<String>,
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
    predicate_type: Option<String>,
    policy: Option<String>,
    // sign
    sign: Option<String>,
    identity_token: Option<String>,
    sigstore_instance: Option<String>,
    fulcio_url: Option<String>,
    rekor_url: Option<String>,
    tsa_url: Option<String>,
    signing_config: Option<String>,
    single_subject_attestations: Option<String>,
    // audit, sbom-diff
    sbom: Option<String>,
    osv_database: Option<String>,
    fail_on_severity: Option<String>,
    ignore: Option<String>,
    old_sbom: Option<String>,
    new_sbom: Option<String>,
    format: Option<String>,
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
            sbom: non_empty(raw.sbom).into_iter().collect(),
            osv_database: non_empty(raw.osv_database),
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
fn verify_args(raw: RawInputs) -> Result<VerifyArgs, ConfigError> {
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
            predicate_type: non_empty(raw.predicate_type),
            policy: path(raw.policy),
        },
        output: VerifyOutputArgs { format: None },
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
        let config = VerifyConfig::from_args(verify_args(raw)?)?;
        return Ok(Job::Verify(Box::new(config)));
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
            },
            signing,
            output: OutputArgs {
                output_dir: non_empty(raw.output_dir).map(|d| PathBuf::from(d.trim())),
                format: None,
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
        },
        provenance: ProvenanceArgs {
            legacy_provenance: boolean("legacy-provenance", raw.legacy_provenance)?,
            // A workflow run always has its GitHub context; local mode is for the CLI.
            allow_local: None,
        },
        signing,
        output: OutputArgs {
            output_dir: non_empty(raw.output_dir).map(|d| PathBuf::from(d.trim())),
            format: None,
        },
    };
    match command.trim() {
        "attest" => Ok(Job::Attest(AttestConfig::from_args(args)?)),
        "provenance" => Ok(Job::Provenance(AttestConfig::from_args(args)?)),
        c @ ("sbom" | "verify-release" | "reproduce") => {
            Err(ConfigError::NotYetAvailable(c.to_owned()))
        }
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
        assert!(matches!(with("sbom"), Err(ConfigError::NotYetAvailable(_))));
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
}
