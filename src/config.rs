//! The validated configuration both front doors produce, and the checks that build it.

use std::path::PathBuf;

use crate::cli::{
    AttestArgs, CliFormat, ReproduceArgs, SbomArgs, SbomCommandArgs, SignArgs, SigningArgs,
    VerifyArgs,
};
use crate::sbom::cyclonedx::SpecVersion;
use crate::sbom::generate::SourceSpec;
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
        "unknown command {0:?}; expected one of: attest, provenance, verify, verify-release, sign, sbom, reproduce, audit, sbom-diff"
    )]
    UnknownCommand(String),
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
    /// `max-subjects`: more subjects than this fail the run, before any is hashed.
    pub max: usize,
}

/// `max-subjects` unless raised: far above any release, far below what exhausts a runner.
pub const DEFAULT_MAX_SUBJECTS: usize = 100_000;

fn parse_max_subjects(v: Option<&str>) -> Result<usize, ConfigError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(DEFAULT_MAX_SUBJECTS);
    };
    match v.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ConfigError::Invalid {
            input: "max-subjects",
            reason: format!("{v:?} is not a whole number above 0"),
        }),
    }
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
    /// Upload the attestation bundles to GitHub's attestations API (`push-to-github`).
    pub push_to_github: bool,
    pub github_token: Option<Secret>,
    /// `None`: upload on `release` events only.
    pub upload_release_assets: Option<bool>,
    pub overwrite: bool,
    /// PEP 740 attestations per distribution (`pypi-attestations`); they need `sign`'s
    /// settings, which default to signing nothing else.
    pub pypi: Option<crate::pypi::PypiKinds>,
    /// SBOMs of the subjects too (`sbom` input on `attest`).
    pub sbom: Option<SbomSettings>,
    /// A rebuild check whose result the legacy provenance records as `reproducible`.
    pub rebuild: Option<AttestRebuild>,
}

/// `attest` with `rebuild-command`: how to rebuild the subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestRebuild {
    pub command: String,
    pub source_dir: PathBuf,
    pub timeout: std::time::Duration,
}

/// The `sign` command: files in, signatures out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignConfig {
    pub subjects: SubjectSources,
    pub output_dir: PathBuf,
    pub format: Format,
    pub settings: SignSettings,
    /// Release uploads, as for `attest`.
    pub upload_release_assets: Option<bool>,
    pub overwrite: bool,
    pub github_token: Option<Secret>,
}

impl SignConfig {
    pub fn from_args(args: SignArgs) -> Result<Self, ConfigError> {
        if args.github.push_to_github == Some(true) {
            return Err(ConfigError::Invalid {
                input: "push-to-github",
                reason: "it stores signed attestations, which attest writes (sign: attestations); the sign command signs files".to_owned(),
            });
        }
        let attest = AttestConfig::from_args(AttestArgs {
            paths: args.paths,
            subjects: args.subjects,
            provenance: Default::default(),
            signing: SigningArgs::default(),
            sbom: Default::default(),
            output: args.output,
            github: crate::cli::GithubPushArgs {
                push_to_github: None,
                ..args.github
            },
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
            upload_release_assets: attest.upload_release_assets,
            overwrite: attest.overwrite,
            github_token: attest.github_token,
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
            push_to_github: false,
            github_token: self.github_token.clone(),
            upload_release_assets: self.upload_release_assets,
            overwrite: self.overwrite,
            pypi: None,
            sbom: None,
            rebuild: None,
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

/// What SBOMs to write and where their dependencies come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomSettings {
    pub spdx: bool,
    pub cyclonedx: bool,
    pub source: SourceSpec,
    /// More than one dependency source was given; the first (environment, lockfile, pip)
    /// is used.
    pub ignored_sources: Vec<&'static str>,
    pub name_template: Option<String>,
    pub cyclonedx_version: SpecVersion,
}

/// The `sbom` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomConfig {
    pub patterns: Vec<String>,
    pub settings: SbomSettings,
    pub output_dir: PathBuf,
    pub format: Format,
}

impl SbomSettings {
    /// `None` when no format is asked for and `default_formats` is false.
    pub fn from_args(args: SbomArgs, default_formats: bool) -> Result<Option<Self>, ConfigError> {
        let invalid = |input, reason: String| ConfigError::Invalid { input, reason };
        let (mut spdx, mut cyclonedx) = (false, false);
        let list = non_empty_owned(args.sbom);
        match list.as_deref() {
            None if default_formats => (spdx, cyclonedx) = (true, true),
            None | Some("false") | Some("none") => {}
            Some(list) => {
                for f in list
                    .split([',', '\n'])
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                {
                    match f.to_ascii_lowercase().as_str() {
                        "spdx" => spdx = true,
                        "cyclonedx" => cyclonedx = true,
                        "true" => (spdx, cyclonedx) = (true, true),
                        other => {
                            return Err(invalid(
                                "sbom",
                                format!("unknown format {other:?}; expected spdx, cyclonedx"),
                            ));
                        }
                    }
                }
            }
        }
        if !spdx && !cyclonedx {
            // A source or a name given without any format is a mistake, not a no-op.
            let given = [
                (args.sbom_environment.is_some(), "sbom-environment"),
                (args.sbom_lockfile.is_some(), "sbom-lockfile"),
                (args.sbom_resolve == Some(true), "sbom-resolve"),
                (args.sbom_name_template.is_some(), "sbom-name-template"),
            ]
            .into_iter()
            .find_map(|(on, name)| on.then_some(name));
            if let Some(name) = given {
                return Err(invalid(
                    "sbom",
                    format!(
                        "{name} is set but no SBOM format is asked for; add sbom: spdx,cyclonedx"
                    ),
                ));
            }
            return Ok(None);
        }
        let cyclonedx_version = match non_empty_owned(args.cyclonedx_version) {
            None => SpecVersion::default(),
            Some(v) => SpecVersion::parse(&v).ok_or_else(|| {
                invalid("cyclonedx-version", format!("{v:?}; expected 1.6 or 1.5"))
            })?,
        };
        let environment = args.sbom_environment.filter(|p| !p.as_os_str().is_empty());
        let lockfile = args.sbom_lockfile.filter(|p| !p.as_os_str().is_empty());
        let resolve = args.sbom_resolve.unwrap_or(false);
        let given: Vec<&'static str> = [
            (environment.is_some(), "sbom-environment"),
            (lockfile.is_some(), "sbom-lockfile"),
            (resolve, "sbom-resolve"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        let python = non_empty_owned(args.sbom_python);
        let source = SourceSpec {
            resolve_with: (resolve && environment.is_none() && lockfile.is_none())
                .then(|| python.unwrap_or_else(|| default_python().to_owned())),
            lockfile: lockfile.filter(|_| environment.is_none()),
            environment,
        };
        let name_template = non_empty_owned(args.sbom_name_template);
        if let Some(t) = &name_template {
            crate::commands::sbom::check_template(t)
                .map_err(|reason| invalid("sbom-name-template", reason))?;
        }
        Ok(Some(SbomSettings {
            spdx,
            cyclonedx,
            source,
            ignored_sources: given.into_iter().skip(1).collect(),
            name_template,
            cyclonedx_version,
        }))
    }
}

fn default_python() -> &'static str {
    if cfg!(windows) { "python" } else { "python3" }
}

impl SbomConfig {
    pub fn from_args(args: SbomCommandArgs) -> Result<Self, ConfigError> {
        let mut patterns = Vec::new();
        for p in args.paths.iter().chain(&args.subject_path) {
            patterns.extend(subject::paths::split_patterns(p));
        }
        if patterns.is_empty() {
            return Err(SubjectError::Empty.into());
        }
        let settings = SbomSettings::from_args(args.sbom, true)?.ok_or(ConfigError::Invalid {
            input: "sbom",
            reason: "no format left; give spdx, cyclonedx or both".to_owned(),
        })?;
        Ok(SbomConfig {
            patterns,
            settings,
            output_dir: output_dir(args.output.output_dir)?,
            format: args.output.format.map(Format::from).unwrap_or_default(),
        })
    }
}

fn output_dir(dir: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
    let output_dir = dir.unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT_DIR));
    if output_dir.as_os_str().is_empty() {
        return Err(ConfigError::Invalid {
            input: "output-dir",
            reason: "it is empty".to_owned(),
        });
    }
    Ok(output_dir)
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Attest(AttestConfig),
    Provenance(AttestConfig),
    Verify(Box<VerifyConfig>),
    Sign(Box<SignConfig>),
    Reproduce(Box<ReproduceConfig>),
    Sbom(Box<SbomConfig>),
    VerifyRelease(Box<VerifyReleaseConfig>),
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
    /// `osv-cache-dir` and `osv-database-sha256`, for a URL `osv-database`.
    pub osv_fetch: crate::audit::fetch::FetchOptions,
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
    pub osv_fetch: crate::audit::fetch::FetchOptions,
    pub output_dir: PathBuf,
    pub format: Format,
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
                input: "sbom-path",
                reason: "no SBOM to audit: give one or more SPDX or CycloneDX JSON files"
                    .to_owned(),
            });
        }
        let osv_database = non_empty_owned(args.osv_database).ok_or(ConfigError::Invalid {
            input: "osv-database",
            reason: "it is required: an OSV export (all.zip, or its URL such as https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip, or a directory of OSV JSON files)".to_owned(),
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
            osv_fetch: osv_fetch(args.osv_cache_dir, args.osv_database_sha256)?,
            osv_database,
            fail_on,
            ignore,
            output_dir: output_dir(args.output_dir)?,
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
            osv_fetch: osv_fetch(args.osv_cache_dir, args.osv_database_sha256)?,
            output_dir: output_dir(args.output_dir)?,
            format: args.format.map(Format::from).unwrap_or_default(),
        })
    }
}

/// `osv-cache-dir` and `osv-database-sha256` (64 hex digits, `sha256:` prefix optional).
fn osv_fetch(
    cache_dir: Option<PathBuf>,
    sha256: Option<String>,
) -> Result<crate::audit::fetch::FetchOptions, ConfigError> {
    let sha256 =
        match non_empty_owned(sha256) {
            None => None,
            Some(raw) => Some(crate::audit::fetch::parse_sha256(&raw).ok_or_else(|| {
                ConfigError::Invalid {
                    input: "osv-database-sha256",
                    reason: format!("{raw:?} is not a SHA-256 (64 hex digits, sha256: optional)"),
                }
            })?),
        };
    Ok(crate::audit::fetch::FetchOptions {
        cache_dir: cache_dir.filter(|p| !p.as_os_str().is_empty()),
        sha256,
    })
}

/// `reproduce`: what to compare, and how to rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReproduceConfig {
    pub patterns: Vec<String>,
    pub reference: Option<String>,
    pub rebuild_command: Option<String>,
    pub source_dir: PathBuf,
    pub timeout: std::time::Duration,
    pub fail_on_difference: bool,
    pub print_source_date_epoch: bool,
    pub output_dir: PathBuf,
    pub format: Format,
}

pub const DEFAULT_REBUILD_TIMEOUT: u64 = 3600;

/// Whole seconds, at least 1.
pub fn parse_timeout(v: Option<&str>) -> Result<std::time::Duration, ConfigError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(std::time::Duration::from_secs(DEFAULT_REBUILD_TIMEOUT));
    };
    match v.trim_end_matches('s').parse::<u64>() {
        Ok(n) if n > 0 => Ok(std::time::Duration::from_secs(n)),
        _ => Err(ConfigError::Invalid {
            input: "timeout",
            reason: format!("{v:?} is not a whole number of seconds above 0"),
        }),
    }
}

impl ReproduceConfig {
    pub fn from_args(args: ReproduceArgs) -> Result<Self, ConfigError> {
        let mut patterns = Vec::new();
        for p in args.paths.iter().chain(&args.subject_path) {
            patterns.extend(subject::paths::split_patterns(p));
        }
        let reference = non_empty_owned(args.reference);
        let rebuild_command = non_empty_owned(args.rebuild_command);
        if !args.print_source_date_epoch {
            if patterns.is_empty() {
                return Err(ConfigError::Invalid {
                    input: "subject-path",
                    reason: "no rebuilt artifact to compare: give their paths or globs".to_owned(),
                });
            }
            if reference.is_none() && rebuild_command.is_none() {
                return Err(ConfigError::Invalid {
                    input: "reference",
                    reason: "nothing to compare with: give a reference, a rebuild-command, or both"
                        .to_owned(),
                });
            }
        }
        let output_dir = args
            .output
            .output_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT_DIR));
        Ok(ReproduceConfig {
            patterns,
            reference,
            rebuild_command,
            source_dir: args.source_dir.unwrap_or_else(|| PathBuf::from(".")),
            timeout: parse_timeout(args.timeout.as_deref())?,
            fail_on_difference: args.fail_on_difference.unwrap_or(true),
            print_source_date_epoch: args.print_source_date_epoch,
            output_dir,
            format: args.output.format.map(Format::from).unwrap_or_default(),
        })
    }
}

/// `verify-release`: a release's tag and where it is; the verification settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReleaseConfig {
    pub tag: String,
    /// `None`: GITHUB_REPOSITORY.
    pub repo: Option<String>,
    /// `None`: GITHUB_TOKEN, then GH_TOKEN.
    pub token: Option<Secret>,
    /// `None`: release-<tag>.
    pub output_dir: Option<PathBuf>,
    /// The signature checks; its identity is filled from the repository when empty.
    pub verify: VerifyConfig,
}

impl VerifyReleaseConfig {
    pub fn from_args(args: crate::cli::VerifyReleaseArgs) -> Result<Self, ConfigError> {
        let tag = non_empty_owned(args.tag).ok_or(ConfigError::Invalid {
            input: "tag",
            reason: "give the release's tag, e.g. v1.0.0".to_owned(),
        })?;
        let repo = non_empty_owned(args.repo);
        if let Some(r) = &repo {
            crate::release::check_repo(r).map_err(|reason| ConfigError::Invalid {
                input: "repo",
                reason,
            })?;
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
        let verify = VerifyConfig {
            artifacts: Vec::new(),
            bundle_patterns: Vec::new(),
            trusted_root: args.trusted_root,
            staging: false,
            key: None,
            identity,
            predicate_type: non_empty_owned(i.predicate_type),
            deny_self_hosted_runners: i.deny_self_hosted_runners.unwrap_or(false),
            provenance_checks: i.provenance_checks.unwrap_or(true),
            policy: i.policy,
            format: args.format.map(Format::from).unwrap_or_default(),
            from_github: None,
            github_token: None,
            rekor_url: non_empty_owned(args.lookup.rekor_url),
            offline: args.lookup.offline,
            // verify-release writes into its download directory (`output_dir` below).
            output_dir: PathBuf::from(DEFAULT_OUTPUT_DIR),
        };
        Ok(VerifyReleaseConfig {
            tag,
            repo,
            token: non_empty_owned(args.github_token).map(Secret::new),
            output_dir: args.output_dir.filter(|p| !p.as_os_str().is_empty()),
            verify,
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
    /// The SLSA cross-checks of a provenance statement against its certificate.
    pub provenance_checks: bool,
    pub policy: Option<PathBuf>,
    pub format: Format,
    /// Fetch bundles from GitHub's attestations API: `OWNER/REPO` or `OWNER`.
    pub from_github: Option<String>,
    pub github_token: Option<Secret>,
    /// Where a detached `.sig` + `.crt` pair's Rekor entry is looked up (else the trusted
    /// root's first log).
    pub rekor_url: Option<String>,
    /// No transparency-log lookups.
    pub offline: bool,
    /// Where an output over GitHub's limit goes; nothing is written there otherwise.
    pub output_dir: PathBuf,
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
        let from_github = non_empty_owned(args.bundles.from_github);
        if let Some(g) = &from_github {
            let ok = if g.contains('/') {
                crate::release::check_repo(g)
            } else {
                crate::release::check_repo(&format!("{g}/x"))
            };
            ok.map_err(|reason| ConfigError::Invalid {
                input: "from-github",
                reason,
            })?;
            if !bundle_patterns.is_empty() {
                return Err(ConfigError::Invalid {
                    input: "from-github",
                    reason: "give either bundle-path or from-github, not both".to_owned(),
                });
            }
        }
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
            provenance_checks: i.provenance_checks.unwrap_or(true),
            policy: i.policy,
            format: args.output.format.map(Format::from).unwrap_or_default(),
            from_github,
            github_token: non_empty_owned(args.bundles.github_token).map(Secret::new),
            rekor_url: non_empty_owned(args.bundles.lookup.rekor_url),
            offline: args.bundles.lookup.offline,
            output_dir: output_dir(args.output.output_dir)?,
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
            max: parse_max_subjects(s.max_subjects.as_deref())?,
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
        let pypi = match non_empty_owned(args.provenance.pypi_attestations) {
            Some(v) => {
                crate::pypi::PypiKinds::parse(&v).map_err(|reason| ConfigError::Invalid {
                    input: "pypi-attestations",
                    reason,
                })?
            }
            None => None,
        };
        // PyPI attestations are signed: without `sign`, sign them and nothing else.
        let default_produce = pypi.map(|_| Produce::default());
        let sign = sign_settings(args.signing, default_produce)?;
        if pypi.is_some() && sign.is_none() {
            return Err(ConfigError::Invalid {
                input: "sign",
                reason: "pypi-attestations are signed attestations; they cannot be made with sign: false".to_owned(),
            });
        }
        let push_to_github = args.github.push_to_github.unwrap_or(false);
        if push_to_github && !sign.as_ref().is_some_and(|s| s.produce.attestations) {
            return Err(ConfigError::Invalid {
                input: "push-to-github",
                reason: "GitHub stores signed attestations: also set sign to include attestations (e.g. sign: attestations)".to_owned(),
            });
        }
        Ok(AttestConfig {
            subjects,
            algorithms: parse_algorithms(s.digest_algorithms.as_deref())?,
            output_dir,
            legacy_provenance: args.provenance.legacy_provenance.unwrap_or(true),
            allow_local: args.provenance.allow_local.unwrap_or(false),
            format: args.output.format.map(Format::from).unwrap_or_default(),
            sign,
            push_to_github,
            github_token: non_empty_owned(args.github.github_token).map(Secret::new),
            upload_release_assets: args.github.upload_release_assets,
            overwrite: args.github.overwrite.unwrap_or(false),
            pypi,
            sbom: SbomSettings::from_args(args.sbom, false)?,
            rebuild: match non_empty_owned(args.provenance.rebuild_command) {
                Some(command) => Some(AttestRebuild {
                    command,
                    source_dir: args
                        .provenance
                        .source_dir
                        .unwrap_or_else(|| PathBuf::from(".")),
                    timeout: parse_timeout(args.provenance.timeout.as_deref())?,
                }),
                None => None,
            },
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

    #[test]
    fn sbom_settings() -> Result<(), ConfigError> {
        let none = SbomSettings::from_args(SbomArgs::default(), false)?;
        assert!(none.is_none());
        let both = SbomSettings::from_args(SbomArgs::default(), true)?
            .ok_or(ConfigError::Inputs("none".into()))?;
        assert!(both.spdx && both.cyclonedx);
        let lone_source = SbomArgs {
            sbom_lockfile: Some(PathBuf::from("uv.lock")),
            ..Default::default()
        };
        assert!(matches!(
            SbomSettings::from_args(lone_source, false),
            Err(ConfigError::Invalid { input: "sbom", .. })
        ));
        let two = SbomArgs {
            sbom: Some("spdx".into()),
            sbom_environment: Some(PathBuf::from(".venv")),
            sbom_lockfile: Some(PathBuf::from("uv.lock")),
            ..Default::default()
        };
        let s = SbomSettings::from_args(two, false)?.ok_or(ConfigError::Inputs("none".into()))?;
        assert!(s.spdx && !s.cyclonedx);
        assert_eq!(s.source.environment, Some(PathBuf::from(".venv")));
        assert_eq!(s.source.lockfile, None);
        assert_eq!(s.ignored_sources, ["sbom-lockfile"]);
        let bad = SbomArgs {
            sbom: Some("spdx,swid".into()),
            ..Default::default()
        };
        assert!(SbomSettings::from_args(bad, false).is_err());
        Ok(())
    }
}
