//! The validated configuration both front doors produce, and the checks that build it.

use std::path::PathBuf;

use crate::cli::{AttestArgs, CliFormat, SignArgs, SigningArgs, VerifyArgs};
use crate::sign::{Instance, Produce, Secret, SignSettings};
use crate::subject::{self, Algorithm, Digest, SubjectError};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A setting has a value we cannot use: a user error.
    #[error("invalid {input}: {reason}")]
    Invalid { input: &'static str, reason: String },
    #[error(transparent)]
    Subject(#[from] SubjectError),
    #[error(
        "unknown command {0:?}; expected one of: attest, provenance, verify, sign, audit, sbom-diff"
    )]
    UnknownCommand(String),
    #[error("command {0:?} is not in this version of attest-kit yet")]
    NotYetAvailable(String),
    #[error("couldn't read the action's inputs: {0}")]
    Inputs(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

impl From<CliFormat> for Format {
    fn from(f: CliFormat) -> Self {
        match f {
            CliFormat::Text => Format::Text,
            CliFormat::Json => Format::Json,
        }
    }
}

/// Where subjects come from; at least one source is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectSources {
    pub patterns: Vec<String>,
    pub digest: Option<(Digest, String)>,
    pub checksums: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestConfig {
    pub subjects: SubjectSources,
    /// Always holds SHA-256 first.
    pub algorithms: Vec<Algorithm>,
    pub output_dir: PathBuf,
    pub legacy_provenance: bool,
    pub allow_local: bool,
    pub format: Format,
    /// Sign the subjects and the provenance (`sign` input); `None` leaves them unsigned.
    pub sign: Option<SignSettings>,
}

/// The `sign` command: files in, signatures out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignConfig {
    pub subjects: SubjectSources,
    pub output_dir: PathBuf,
    pub format: Format,
    pub settings: SignSettings,
}

impl SignConfig {
    pub fn from_args(args: SignArgs) -> Result<Self, ConfigError> {
        let attest = AttestConfig::from_args(AttestArgs {
            paths: args.paths,
            subjects: args.subjects,
            provenance: Default::default(),
            signing: SigningArgs::default(),
            output: args.output,
        })?;
        let settings = sign_settings(
            args.signing,
            Some(Produce {
                bundle: true,
                sig_crt: true,
                attestations: false,
            }),
        )?
        .ok_or(ConfigError::Invalid {
            input: "sign",
            reason: "the sign command with sign: false would sign nothing".to_owned(),
        })?;
        Ok(SignConfig {
            subjects: attest.subjects,
            output_dir: attest.output_dir,
            format: attest.format,
            settings,
        })
    }

    /// The subject settings in the shape `attest` collects them from.
    pub fn as_attest(&self) -> AttestConfig {
        AttestConfig {
            subjects: self.subjects.clone(),
            algorithms: vec![Algorithm::Sha256],
            output_dir: self.output_dir.clone(),
            legacy_provenance: false,
            allow_local: true,
            format: self.format,
            sign: None,
        }
    }
}

/// The signing settings, or `None` when nothing is to be signed.
pub fn sign_settings(
    a: SigningArgs,
    default: Option<Produce>,
) -> Result<Option<SignSettings>, ConfigError> {
    let invalid =
        |input: &'static str| move |reason: String| ConfigError::Invalid { input, reason };
    let produce = match non_empty_owned(a.sign) {
        Some(v) => Produce::parse(&v).map_err(invalid("sign"))?,
        None => default,
    };
    let Some(produce) = produce else {
        return Ok(None);
    };
    let instance = match non_empty_owned(a.sigstore_instance) {
        Some(v) => Instance::parse(&v).map_err(invalid("sigstore-instance"))?,
        None => Instance::PublicGood,
    };
    Ok(Some(SignSettings {
        produce,
        identity_token: non_empty_owned(a.identity_token).map(Secret::new),
        instance,
        fulcio_url: non_empty_owned(a.fulcio_url),
        rekor_url: non_empty_owned(a.rekor_url),
        tsa_url: non_empty_owned(a.tsa_url),
        signing_config: a.signing_config,
        trusted_root: a.trusted_root,
        single_subject_attestations: a.single_subject_attestations.unwrap_or(false),
    }))
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Attest(AttestConfig),
    Provenance(AttestConfig),
    Verify(Box<VerifyConfig>),
    Sign(Box<SignConfig>),
    Audit(Box<AuditConfig>),
    SbomDiff(Box<SbomDiffConfig>),
}

/// How `audit` prints its result on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditOutputFormat {
    #[default]
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    pub sboms: Vec<PathBuf>,
    pub osv_database: String,
    /// `None`: findings never fail the run (`fail-on-severity: none`).
    pub fail_on: Option<crate::audit::osv::Severity>,
    pub ignore: Vec<crate::audit::ignore::Ignore>,
    pub output_dir: PathBuf,
    pub format: AuditOutputFormat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomDiffConfig {
    pub old: PathBuf,
    pub new: PathBuf,
    pub osv_database: Option<String>,
    pub output_dir: PathBuf,
    pub format: Format,
}

fn output_dir_or_default(dir: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
    let dir = dir.unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT_DIR));
    if dir.as_os_str().is_empty() {
        return Err(ConfigError::Invalid {
            input: "output-dir",
            reason: "it is empty".to_owned(),
        });
    }
    Ok(dir)
}

impl AuditConfig {
    pub fn from_args(args: crate::cli::AuditArgs) -> Result<Self, ConfigError> {
        use crate::audit::osv::Severity;
        let mut sboms = args.paths;
        for s in &args.sbom {
            sboms.extend(
                subject::paths::split_patterns(s)
                    .into_iter()
                    .map(PathBuf::from),
            );
        }
        if sboms.is_empty() {
            return Err(ConfigError::Invalid {
                input: "sbom",
                reason: "no SBOM to audit: give one or more SPDX or CycloneDX JSON files"
                    .to_owned(),
            });
        }
        let osv_database = non_empty_owned(args.osv_database).ok_or(ConfigError::Invalid {
            input: "osv-database",
            reason: "it is required: the path of an OSV export (all.zip from https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip, or a directory of OSV JSON files)".to_owned(),
        })?;
        let fail_on = match non_empty_owned(args.fail_on_severity).as_deref() {
            None | Some("low") => Some(Severity::Low),
            Some("none") => None,
            Some("moderate" | "medium") => Some(Severity::Moderate),
            Some("high") => Some(Severity::High),
            Some("critical") => Some(Severity::Critical),
            Some(other) => {
                return Err(ConfigError::Invalid {
                    input: "fail-on-severity",
                    reason: format!("{other:?}; expected none, low, moderate, high or critical"),
                });
            }
        };
        let mut ignore = Vec::new();
        for text in &args.ignore {
            ignore.extend(crate::audit::ignore::parse(text).map_err(|reason| {
                ConfigError::Invalid {
                    input: "ignore",
                    reason,
                }
            })?);
        }
        Ok(AuditConfig {
            sboms,
            osv_database,
            fail_on,
            ignore,
            output_dir: output_dir_or_default(args.output_dir)?,
            format: match args.format {
                None | Some(crate::cli::AuditFormat::Text) => AuditOutputFormat::Text,
                Some(crate::cli::AuditFormat::Json) => AuditOutputFormat::Json,
                Some(crate::cli::AuditFormat::Sarif) => AuditOutputFormat::Sarif,
            },
        })
    }
}

impl SbomDiffConfig {
    pub fn from_args(args: crate::cli::SbomDiffArgs) -> Result<Self, ConfigError> {
        let need = |v: Option<PathBuf>, input: &'static str| {
            v.filter(|p| !p.as_os_str().is_empty())
                .ok_or(ConfigError::Invalid {
                    input,
                    reason: "it is required: the path of an SPDX or CycloneDX JSON SBOM".to_owned(),
                })
        };
        Ok(SbomDiffConfig {
            old: need(args.old_sbom, "old-sbom")?,
            new: need(args.new_sbom, "new-sbom")?,
            osv_database: non_empty_owned(args.osv_database),
            output_dir: output_dir_or_default(args.output_dir)?,
            format: args.format.map(Format::from).unwrap_or_default(),
        })
    }
}

/// An artifact to verify, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactSpec {
    /// A path or glob.
    Pattern(String),
    Digest(Digest),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyConfig {
    pub artifacts: Vec<ArtifactSpec>,
    pub bundle_patterns: Vec<String>,
    pub trusted_root: Option<PathBuf>,
    pub staging: bool,
    pub key: Option<PathBuf>,
    pub identity: crate::verify::policy::IdentitySpec,
    pub predicate_type: Option<String>,
    pub deny_self_hosted_runners: bool,
    pub policy: Option<PathBuf>,
    pub format: Format,
}

fn looks_like_digest(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("sha256:") || lower.starts_with("sha512:")) && !s.contains(['/', '*'])
}

fn non_empty_owned(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl VerifyConfig {
    pub fn from_args(args: VerifyArgs) -> Result<Self, ConfigError> {
        let mut artifacts = Vec::new();
        for item in args.artifacts.iter().chain(&args.subject_path) {
            for p in subject::paths::split_patterns(item) {
                if looks_like_digest(&p) {
                    let d = Digest::parse(&p).map_err(SubjectError::from)?;
                    artifacts.push(ArtifactSpec::Digest(d));
                } else {
                    artifacts.push(ArtifactSpec::Pattern(p));
                }
            }
        }
        for d in &args.subject_digest {
            for d in subject::paths::split_patterns(d) {
                artifacts.push(ArtifactSpec::Digest(
                    Digest::parse(&d).map_err(SubjectError::from)?,
                ));
            }
        }
        if artifacts.is_empty() {
            return Err(ConfigError::Invalid {
                input: "subject-path",
                reason: "no artifact to verify: give paths, globs or sha256:<hex> digests"
                    .to_owned(),
            });
        }
        let mut bundle_patterns = Vec::new();
        for p in &args.bundles.bundle_path {
            bundle_patterns.extend(subject::paths::split_patterns(p));
        }
        let i = args.identity;
        let identity = crate::verify::policy::IdentitySpec {
            certificate_identity: non_empty_owned(i.certificate_identity),
            certificate_identity_regexp: non_empty_owned(i.certificate_identity_regexp),
            certificate_oidc_issuer: non_empty_owned(i.certificate_oidc_issuer),
            certificate_oidc_issuer_regexp: non_empty_owned(i.certificate_oidc_issuer_regexp),
            signer_repository: non_empty_owned(i.signer_repository),
            signer_workflow: non_empty_owned(i.signer_workflow),
            source_repository: non_empty_owned(i.source_repository),
            source_ref: non_empty_owned(i.source_ref),
            source_digest: non_empty_owned(i.source_digest),
            runner_environment: non_empty_owned(i.runner_environment),
        };
        let key = args.bundles.key;
        // The policy file may supply the identities; without it (and without a key) the
        // flags must, and their problems are reported before anything is read.
        if i.policy.is_none() || !identity.is_empty() {
            identity
                .rule(key.is_some())
                .map_err(|e| ConfigError::Invalid {
                    input: "certificate-identity",
                    reason: e.to_string(),
                })?;
        }
        Ok(VerifyConfig {
            artifacts,
            bundle_patterns,
            trusted_root: args.bundles.trusted_root,
            staging: args.bundles.staging,
            key,
            identity,
            predicate_type: non_empty_owned(i.predicate_type),
            deny_self_hosted_runners: i.deny_self_hosted_runners.unwrap_or(false),
            policy: i.policy,
            format: args.output.format.map(Format::from).unwrap_or_default(),
        })
    }
}

pub const DEFAULT_OUTPUT_DIR: &str = "attestations";

impl AttestConfig {
    pub fn from_args(args: AttestArgs) -> Result<Self, ConfigError> {
        let s = args.subjects;
        let mut patterns = Vec::new();
        for p in args.paths.iter().chain(&s.subject_path) {
            patterns.extend(subject::paths::split_patterns(p));
        }
        let digest = match (s.subject_digest, s.subject_name) {
            (Some(d), Some(name)) => {
                let digest = Digest::parse(d.trim()).map_err(SubjectError::from)?;
                subject::check_name(&name)?;
                Some((digest, name))
            }
            (Some(_), None) => return Err(SubjectError::MissingName.into()),
            (None, Some(_)) => {
                return Err(ConfigError::Invalid {
                    input: "subject-name",
                    reason: "it is only used with subject-digest".to_owned(),
                });
            }
            (None, None) => None,
        };
        let subjects = SubjectSources {
            patterns,
            digest,
            checksums: s.subject_checksums,
        };
        if subjects.patterns.is_empty() && subjects.digest.is_none() && subjects.checksums.is_none()
        {
            return Err(SubjectError::Empty.into());
        }
        let output_dir = args
            .output
            .output_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT_DIR));
        if output_dir.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                input: "output-dir",
                reason: "it is empty".to_owned(),
            });
        }
        Ok(AttestConfig {
            subjects,
            algorithms: parse_algorithms(s.digest_algorithms.as_deref())?,
            output_dir,
            legacy_provenance: args.provenance.legacy_provenance.unwrap_or(true),
            allow_local: args.provenance.allow_local.unwrap_or(false),
            format: args.output.format.map(Format::from).unwrap_or_default(),
            sign: sign_settings(args.signing, None)?,
        })
    }
}

/// `sha256` is always computed (every verifier needs it); `sha512` is added on request.
fn parse_algorithms(list: Option<&str>) -> Result<Vec<Algorithm>, ConfigError> {
    let mut algorithms = vec![Algorithm::Sha256];
    for item in list
        .unwrap_or("")
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let alg: Algorithm =
            item.parse()
                .map_err(|e: subject::DigestError| ConfigError::Invalid {
                    input: "digest-algorithms",
                    reason: e.to_string(),
                })?;
        if !algorithms.contains(&alg) {
            algorithms.push(alg);
        }
    }
    Ok(algorithms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::SubjectArgs;

    fn args(s: SubjectArgs) -> AttestArgs {
        AttestArgs {
            subjects: s,
            ..Default::default()
        }
    }

    #[test]
    fn algorithms_always_include_sha256() -> Result<(), ConfigError> {
        assert_eq!(parse_algorithms(None)?, [Algorithm::Sha256]);
        assert_eq!(
            parse_algorithms(Some("sha512, sha256"))?,
            [Algorithm::Sha256, Algorithm::Sha512]
        );
        assert!(parse_algorithms(Some("md5")).is_err());
        Ok(())
    }

    #[test]
    fn needs_a_subject_source() {
        assert!(matches!(
            AttestConfig::from_args(AttestArgs::default()),
            Err(ConfigError::Subject(SubjectError::Empty))
        ));
    }

    #[test]
    fn digest_needs_a_name_and_a_valid_value() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let only_digest = SubjectArgs {
            subject_digest: Some(digest.clone()),
            ..Default::default()
        };
        assert!(matches!(
            AttestConfig::from_args(args(only_digest)),
            Err(ConfigError::Subject(SubjectError::MissingName))
        ));
        let bad = SubjectArgs {
            subject_digest: Some("sha256:zz".into()),
            subject_name: Some("x".into()),
            ..Default::default()
        };
        assert!(matches!(
            AttestConfig::from_args(args(bad)),
            Err(ConfigError::Subject(SubjectError::Digest(_)))
        ));
        let ok = SubjectArgs {
            subject_digest: Some(digest),
            subject_name: Some("app.tar.gz".into()),
            ..Default::default()
        };
        assert!(AttestConfig::from_args(args(ok)).is_ok());
    }

    #[test]
    fn patterns_from_positionals_and_flags_are_split() -> Result<(), ConfigError> {
        let mut a = args(SubjectArgs {
            subject_path: vec!["dist/*.whl\ndist/*.tar.gz".into()],
            ..Default::default()
        });
        a.paths = vec!["a,b".into()];
        let c = AttestConfig::from_args(a)?;
        assert_eq!(
            c.subjects.patterns,
            ["a", "b", "dist/*.whl", "dist/*.tar.gz"]
        );
        assert_eq!(c.output_dir, PathBuf::from("attestations"));
        assert!(c.legacy_provenance);
        Ok(())
    }
}
