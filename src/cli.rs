//! The command line (clap only). Flags carry the action inputs' names with `--`; both front
//! doors fill the same `*Args` structs, which `config.rs` turns into a validated config.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "attest-kit",
    version,
    about = "Supply-chain attestations for any repository: SLSA provenance, SBOMs, Sigstore signatures, and their verification.",
    after_help = "In GitHub Actions, use the action (uses: attest-kit/attest-kit@v1); it runs `attest-kit action`, which reads the same settings from the step's inputs.",
    propagate_version = true
)]
pub struct App {
    #[command(subcommand)]
    pub command: CliCommand,
    /// Print debug logs (also enabled by RUNNER_DEBUG=1).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Attest artifacts in one step: SLSA build provenance (the action's default command).
    Attest(AttestArgs),
    /// Write SLSA build provenance for artifacts.
    Provenance(AttestArgs),
    /// Verify artifacts against Sigstore bundles and an identity policy, offline (a .sig +
    /// .crt pair's Rekor entry is looked up unless --offline).
    Verify(Box<VerifyArgs>),
    /// Sign files keylessly with Sigstore: a bundle and/or a .sig/.crt pair per file.
    Sign(Box<SignArgs>),
    /// Check that a rebuild matches: compare rebuilt artifacts with a reference (or two
    /// rebuilds with each other) and explain every difference.
    Reproduce(Box<ReproduceArgs>),
    /// Write SBOMs (SPDX 2.3 and CycloneDX 1.6) of Python wheels and sdists, or of a Rust
    /// binary with its Cargo.lock, and in-toto statements over them.
    Sbom(SbomCommandArgs),
    /// Download a GitHub release and verify all of it: signatures, SBOMs, provenance.
    #[command(name = "verify-release")]
    VerifyRelease(Box<VerifyReleaseArgs>),
    /// Scan SBOMs (SPDX or CycloneDX JSON) for components with known vulnerabilities, from
    /// an OSV export, offline.
    Audit(AuditArgs),
    /// Compare two SBOMs: components added, removed, upgraded or downgraded, licence changes.
    SbomDiff(SbomDiffArgs),
    /// Run as a GitHub Action: read the command and its settings from INPUT_* variables.
    #[command(hide = true)]
    Action,
}

#[derive(Debug, Default, Clone, Args)]
pub struct AttestArgs {
    /// Files to attest (paths or globs); the same as --subject-path.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub subjects: SubjectArgs,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    #[command(flatten)]
    pub sbom: SbomArgs,
    #[command(flatten)]
    pub signing: SigningArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub github: GithubPushArgs,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "GitHub")]
pub struct GithubPushArgs {
    /// Store each signed attestation bundle with GitHub's attestations API
    /// (`permissions: attestations: write`) [default: false]. Needs --sign with attestations.
    #[arg(long = "push-to-github", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub push_to_github: Option<bool>,
    /// A token for the GitHub API [default: $GITHUB_TOKEN]; the repository is
    /// $GITHUB_REPOSITORY and the host $GITHUB_API_URL.
    #[arg(long = "github-token", value_name = "TOKEN")]
    pub github_token: Option<String>,
    /// Upload every file the step wrote to the release of the current tag (needs
    /// `permissions: contents: write`) [default: true on release events, else false].
    #[arg(long = "upload-release-assets", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub upload_release_assets: Option<bool>,
    /// Replace release assets whose content differs instead of failing [default: false].
    #[arg(long = "overwrite", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub overwrite: Option<bool>,
}

#[derive(Debug, Default, Clone, Args)]
pub struct SignArgs {
    /// Files to sign (paths or globs); the same as --subject-path.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub subjects: SubjectArgs,
    #[command(flatten)]
    pub signing: SigningArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Release uploads (`--upload-release-assets`, `--overwrite`, `--github-token`).
    #[command(flatten)]
    pub github: GithubPushArgs,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Signing")]
pub struct SigningArgs {
    /// What to sign: true, false, or a list of bundle, sig-crt, attestations [attest
    /// default: false; sign default: bundle,sig-crt].
    #[arg(long = "sign", value_name = "WHAT", num_args = 0..=1, default_missing_value = "true")]
    pub sign: Option<String>,
    /// An OIDC identity token; without it the GitHub Actions runtime is asked for one
    /// (the job needs `permissions: id-token: write`).
    #[arg(long = "identity-token", value_name = "JWT")]
    pub identity_token: Option<String>,
    /// public-good, staging, github (GitHub's own instance) or custom [default: public-good].
    #[arg(long = "sigstore-instance", value_name = "NAME")]
    pub sigstore_instance: Option<String>,
    /// Fulcio URL, overriding the instance's.
    #[arg(long = "fulcio-url", value_name = "URL")]
    pub fulcio_url: Option<String>,
    /// Rekor (v1) URL, overriding the instance's.
    #[arg(long = "rekor-url", value_name = "URL")]
    pub rekor_url: Option<String>,
    /// RFC 3161 timestamp authority URL, overriding the instance's.
    #[arg(long = "tsa-url", value_name = "URL")]
    pub tsa_url: Option<String>,
    /// A Sigstore signing_config.json naming the services (v0.2).
    #[arg(long = "signing-config", value_name = "FILE")]
    pub signing_config: Option<PathBuf>,
    /// The trusted_root.json that signed bundles are verified against before success.
    #[arg(long = "trusted-root", value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// One attestation per subject instead of one for all (PyPI's PEP 740 needs this)
    /// [default: false].
    #[arg(long = "single-subject-attestations", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub single_subject_attestations: Option<bool>,
}

#[derive(Debug, Default, Clone, Args)]
pub struct SbomCommandArgs {
    /// Artifacts (paths or globs): wheels, sdists, or a binary with --sbom-lockfile Cargo.lock.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Artifacts as paths or globs, separated by newlines or commas (like the positionals).
    #[arg(long = "subject-path", value_name = "PATTERNS")]
    pub subject_path: Vec<String>,
    #[command(flatten)]
    pub sbom: SbomArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "SBOM")]
pub struct SbomArgs {
    /// SBOM formats, comma-separated: spdx, cyclonedx. With `attest`, also writes SBOMs of
    /// the subjects; `sbom` writes both by default.
    #[arg(long = "sbom", value_name = "FORMATS")]
    pub sbom: Option<String>,
    /// Dependencies from an installed environment: a virtualenv or a site-packages folder.
    #[arg(long = "sbom-environment", value_name = "DIR")]
    pub sbom_environment: Option<PathBuf>,
    /// Dependencies from a lockfile: uv.lock, poetry.lock, pylock.toml, Pipfile.lock, a
    /// pinned requirements .txt, or Cargo.lock (with Cargo.toml beside it).
    #[arg(long = "sbom-lockfile", value_name = "FILE")]
    pub sbom_lockfile: Option<PathBuf>,
    /// Resolve dependencies with `pip install --dry-run --report` [default: false].
    #[arg(long = "sbom-resolve", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub sbom_resolve: Option<bool>,
    /// The Python that runs pip for --sbom-resolve [default: python3].
    #[arg(long = "sbom-python", value_name = "PYTHON")]
    pub sbom_python: Option<String>,
    /// File name (without extension) of each SBOM: {artifact}, {name}, {version}, {kind}.
    /// Default: sbom-wheel / sbom-source for exactly one wheel and one sdist, else {artifact}.
    #[arg(long = "sbom-name-template", value_name = "TEMPLATE")]
    pub sbom_name_template: Option<String>,
    /// CycloneDX version: 1.6 or 1.5 [default: 1.6].
    #[arg(long = "cyclonedx-version", value_name = "VERSION")]
    pub cyclonedx_version: Option<String>,
}

#[derive(Debug, Default, Clone, Args)]
pub struct AuditArgs {
    /// SBOM files to audit (SPDX 2.x or CycloneDX 1.x JSON); the same as --sbom-path.
    #[arg(value_name = "SBOM")]
    pub paths: Vec<PathBuf>,
    /// SBOM files, separated by newlines or commas; repeatable.
    #[arg(long = "sbom-path", value_name = "FILES")]
    pub sbom: Vec<String>,
    /// The OSV export to match against: an all.zip (path, or https:// URL, downloaded and
    /// cached by digest), a directory of OSV JSON files, or one OSV JSON file.
    #[arg(long = "osv-database", value_name = "PATH")]
    pub osv_database: Option<String>,
    /// Cache for a downloaded OSV export (`<dir>/osv/<sha256>.zip`) [default:
    /// $RUNNER_TOOL_CACHE/attest-kit in Actions, else $XDG_CACHE_HOME/attest-kit or
    /// ~/.cache/attest-kit].
    #[arg(long = "osv-cache-dir", value_name = "DIR")]
    pub osv_cache_dir: Option<PathBuf>,
    /// The SHA-256 the downloaded export must have; a cached copy of it is used without
    /// network.
    #[arg(long = "osv-database-sha256", value_name = "HEX")]
    pub osv_database_sha256: Option<String>,
    /// The lowest severity that fails the run: none, low, moderate, high or critical
    /// [default: low]. Advisories without a severity fail at every level but none.
    #[arg(long = "fail-on-severity", value_name = "LEVEL")]
    pub fail_on_severity: Option<String>,
    /// Accepted advisories, one per line: `<id> <YYYY-MM-DD expiry> <reason>`; repeatable.
    /// An expired entry fails the run.
    #[arg(long = "ignore", value_name = "ENTRIES")]
    pub ignore: Vec<String>,
    /// Directory for audit.json and audit.sarif [default: attestations].
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// How to print the result on stdout.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub format: Option<AuditFormat>,
}

#[derive(Debug, Default, Clone, Args)]
pub struct SbomDiffArgs {
    /// The earlier SBOM (e.g. the previous release's).
    #[arg(long = "old-sbom", value_name = "FILE")]
    pub old_sbom: Option<PathBuf>,
    /// The later SBOM (e.g. this build's).
    #[arg(long = "new-sbom", value_name = "FILE")]
    pub new_sbom: Option<PathBuf>,
    /// An OSV export (path or https:// URL): also list components that are newly vulnerable.
    #[arg(long = "osv-database", value_name = "PATH")]
    pub osv_database: Option<String>,
    /// Cache for a downloaded OSV export (`<dir>/osv/<sha256>.zip`) [default:
    /// $RUNNER_TOOL_CACHE/attest-kit in Actions, else $XDG_CACHE_HOME/attest-kit or
    /// ~/.cache/attest-kit].
    #[arg(long = "osv-cache-dir", value_name = "DIR")]
    pub osv_cache_dir: Option<PathBuf>,
    /// The SHA-256 the downloaded export must have; a cached copy of it is used without
    /// network.
    #[arg(long = "osv-database-sha256", value_name = "HEX")]
    pub osv_database_sha256: Option<String>,
    /// Directory for sbom-diff.json [default: attestations].
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// How to print the result on stdout.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub format: Option<CliFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Subjects")]
pub struct SubjectArgs {
    /// Files to attest: paths or globs (`*`, `?`, `[ab]`, `{a,b}`, `**`), separated by
    /// newlines or commas; repeatable. A leading `!` excludes matches. A pattern that matches
    /// nothing is an error.
    #[arg(long = "subject-path", value_name = "PATTERNS")]
    pub subject_path: Vec<String>,
    /// Digest of an artifact that is not on disk, as sha256:<hex> or sha512:<hex>; needs
    /// --subject-name.
    #[arg(long = "subject-digest", value_name = "ALG:HEX")]
    pub subject_digest: Option<String>,
    /// Name recorded for --subject-digest.
    #[arg(long = "subject-name", value_name = "NAME")]
    pub subject_name: Option<String>,
    /// Subjects from `sha256sum`/`sha512sum` output: a file path, or the lines themselves.
    #[arg(long = "subject-checksums", value_name = "FILE|TEXT")]
    pub subject_checksums: Option<String>,
    /// Digests to compute for files, comma-separated: sha256 (always) and sha512.
    #[arg(long = "digest-algorithms", value_name = "LIST")]
    pub digest_algorithms: Option<String>,
    /// The most subjects one run takes [default: 100000]; more fails before hashing.
    #[arg(long = "max-subjects", value_name = "COUNT")]
    pub max_subjects: Option<String>,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Provenance")]
pub struct ProvenanceArgs {
    /// Also write the seed-compatible build-provenance.json [default: true].
    #[arg(long = "legacy-provenance", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub legacy_provenance: Option<bool>,
    /// Outside GitHub Actions, record an honest local build (builder and build type say
    /// "local"; source from git) instead of failing on missing GITHUB_* variables.
    #[arg(long = "allow-local", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_local: Option<bool>,
    /// PEP 740 attestations for PyPI, one per wheel/sdist subject, signed (implies signing):
    /// true (publish), false, or a list of publish, provenance [default: false].
    #[arg(long = "pypi-attestations", value_name = "WHAT", num_args = 0..=1,
          default_missing_value = "true")]
    pub pypi_attestations: Option<String>,
    /// Rebuild twice in clean copies of --source-dir with this command, compare with the
    /// subjects, and record the result as `reproducible` in build-provenance.json.
    #[arg(long = "rebuild-command", value_name = "COMMAND")]
    pub rebuild_command: Option<String>,
    /// The source tree the rebuild copies [default: .].
    #[arg(long = "source-dir", value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
    /// Seconds each rebuild may take [default: 3600].
    #[arg(long = "timeout", value_name = "SECONDS")]
    pub timeout: Option<String>,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Directory for the files written [default: attestations].
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// How to print the result on stdout.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub format: Option<CliFormat>,
}

#[derive(Debug, Default, Clone, Args)]
pub struct VerifyArgs {
    /// Artifacts to verify: paths, globs, or digests as sha256:<hex> / sha512:<hex>.
    #[arg(value_name = "ARTIFACT")]
    pub artifacts: Vec<String>,
    /// Artifacts as paths or globs, separated by newlines or commas (like the positionals).
    #[arg(
        long = "subject-path",
        value_name = "PATTERNS",
        help_heading = "Artifacts"
    )]
    pub subject_path: Vec<String>,
    /// An artifact given by digest, sha256:<hex> or sha512:<hex>.
    #[arg(
        long = "subject-digest",
        value_name = "ALG:HEX",
        help_heading = "Artifacts"
    )]
    pub subject_digest: Vec<String>,
    #[command(flatten)]
    pub bundles: BundleArgs,
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub output: VerifyOutputArgs,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Bundles and trust")]
pub struct BundleArgs {
    /// Bundle files: paths or globs, separated by newlines or commas; repeatable. Without
    /// it, bundles are looked for next to each artifact (<file>.sigstore.json,
    /// <file>.sigstore, <file>.intoto.jsonl, <file>.sig + <file>.crt).
    #[arg(
        long = "bundle-path",
        visible_alias = "bundle",
        value_name = "PATTERNS"
    )]
    pub bundle_path: Vec<String>,
    /// A trusted_root.json to verify against instead of the embedded Sigstore public-good
    /// and GitHub roots.
    #[arg(long = "trusted-root", value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Verify managed-key bundles with this PEM public key instead of a certificate
    /// identity.
    #[arg(long = "key", value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Use the embedded Sigstore staging root instead of the public-good one (for testing;
    /// --trusted-root wins over it).
    #[arg(long = "staging")]
    pub staging: bool,
    /// Fetch the artifacts' attestation bundles from GitHub's attestations API by digest:
    /// OWNER/REPO (a repository's) or OWNER (an organisation's or user's). Uses
    /// GITHUB_API_URL and GITHUB_TOKEN.
    #[arg(long = "from-github", value_name = "OWNER[/REPO]")]
    pub from_github: Option<String>,
    /// The token for --from-github [default: $GITHUB_TOKEN, then $GH_TOKEN].
    #[arg(long = "github-token", value_name = "TOKEN")]
    pub github_token: Option<String>,
    #[command(flatten)]
    pub lookup: LookupArgs,
}

/// Where a detached `.sig` + `.crt` pair's transparency-log entry is looked up.
#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Bundles and trust")]
pub struct LookupArgs {
    /// The Rekor (v1) log searched for a .sig + .crt pair's entry, which proves when it was
    /// signed [default: the trusted root's first transparency log, https://rekor.sigstore.dev].
    #[arg(long = "rekor-url", value_name = "URL")]
    pub rekor_url: Option<String>,
    /// Never contact a transparency log: a .sig + .crt pair then verifies only where a
    /// bundle for the same file vouches for it (verify-release), else it fails.
    #[arg(long = "offline")]
    pub offline: bool,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Identity policy")]
pub struct IdentityArgs {
    /// The certificate identity (SAN) required, exactly.
    #[arg(
        long = "certificate-identity",
        value_name = "ID",
        conflicts_with = "certificate_identity_regexp"
    )]
    pub certificate_identity: Option<String>,
    /// A regexp the whole certificate identity must match.
    #[arg(long = "certificate-identity-regexp", value_name = "REGEXP")]
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer required, exactly (GitHub Actions:
    /// https://token.actions.githubusercontent.com).
    #[arg(
        long = "certificate-oidc-issuer",
        value_name = "URL",
        conflicts_with = "certificate_oidc_issuer_regexp"
    )]
    pub certificate_oidc_issuer: Option<String>,
    /// A regexp the whole OIDC issuer must match.
    #[arg(long = "certificate-oidc-issuer-regexp", value_name = "REGEXP")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// OWNER/REPO of the workflow that signed (for reusable workflows, the callee's repo).
    #[arg(long = "signer-repository", value_name = "OWNER/REPO")]
    pub signer_repository: Option<String>,
    /// The signing workflow: OWNER/REPO/.github/workflows/FILE[@REF].
    #[arg(long = "signer-workflow", value_name = "WORKFLOW")]
    pub signer_workflow: Option<String>,
    /// OWNER/REPO the artifact was built from.
    #[arg(long = "source-repository", value_name = "OWNER/REPO")]
    pub source_repository: Option<String>,
    /// The git ref built, e.g. refs/heads/main or refs/tags/v1.2.3.
    #[arg(long = "source-ref", value_name = "REF")]
    pub source_ref: Option<String>,
    /// The commit built.
    #[arg(long = "source-digest", value_name = "SHA")]
    pub source_digest: Option<String>,
    /// github-hosted or self-hosted.
    #[arg(long = "runner-environment", value_name = "ENV")]
    pub runner_environment: Option<String>,
    /// Reject signatures made on self-hosted runners [default: false].
    #[arg(long = "deny-self-hosted-runners", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub deny_self_hosted_runners: Option<bool>,
    /// Check a SLSA provenance statement's source repository, ref, commit and builder
    /// against the signing certificate [default: true]. Off only for a plain Sigstore check
    /// of statements another tool cross-checks: --provenance-checks=false.
    #[arg(long = "provenance-checks", value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub provenance_checks: Option<bool>,
    /// The attestation's predicate type required, e.g. https://slsa.dev/provenance/v1.
    #[arg(long = "predicate-type", value_name = "URI")]
    pub predicate_type: Option<String>,
    /// A YAML policy file: accepted identities, predicate types, per-artifact rules.
    #[arg(long = "policy", value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct VerifyOutputArgs {
    /// How to print the result on stdout.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub format: Option<CliFormat>,
    /// Where a step output too long for GitHub (over 1 MiB, e.g. `results` of thousands of
    /// artifacts) is written instead (default attestations/). Nothing is written otherwise.
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Args)]
pub struct ReproduceArgs {
    /// Rebuilt artifacts (paths or globs); the same as --subject-path.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Rebuilt artifacts: paths or globs, separated by newlines or commas. With
    /// --rebuild-command they are relative to the source tree.
    #[arg(long = "subject-path", value_name = "PATTERNS")]
    pub subject_path: Vec<String>,
    /// What the rebuild must match: a provenance statement or Sigstore bundle (its
    /// subjects), a checksums file, or a directory of the published artifacts (e.g. a
    /// release's assets, downloaded). Matching is by file name.
    #[arg(long = "reference", value_name = "FILE|DIR")]
    pub reference: Option<String>,
    /// Build command, run twice (sh -c) in clean temporary copies of --source-dir: once
    /// plainly, once in a varied environment; both results are compared.
    #[arg(long = "rebuild-command", value_name = "COMMAND")]
    pub rebuild_command: Option<String>,
    /// The source tree to copy for rebuilds, and whose last commit gives
    /// SOURCE_DATE_EPOCH [default: .].
    #[arg(long = "source-dir", value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
    /// Seconds each rebuild may take before it is stopped [default: 3600].
    #[arg(long = "timeout", value_name = "SECONDS")]
    pub timeout: Option<String>,
    /// Exit 1 when anything differs [default: true].
    #[arg(long = "fail-on-difference", value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub fail_on_difference: Option<bool>,
    /// Print the SOURCE_DATE_EPOCH to export (the last commit's time) and stop.
    #[arg(long = "print-source-date-epoch")]
    pub print_source_date_epoch: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Default, Clone, Args)]
pub struct VerifyReleaseArgs {
    /// The release's tag, e.g. v1.0.0.
    #[arg(value_name = "TAG")]
    pub tag: Option<String>,
    /// OWNER/REPO of the release [default: $GITHUB_REPOSITORY].
    #[arg(long = "repo", value_name = "OWNER/REPO", help_heading = "GitHub")]
    pub repo: Option<String>,
    /// A token for the GitHub API [default: $GITHUB_TOKEN, then $GH_TOKEN; none for
    /// public releases]. The API host is $GITHUB_API_URL (GHES, GHE.com).
    #[arg(long = "github-token", value_name = "TOKEN", help_heading = "GitHub")]
    pub github_token: Option<String>,
    /// A trusted_root.json to verify against instead of the embedded roots.
    #[arg(
        long = "trusted-root",
        value_name = "FILE",
        help_heading = "Bundles and trust"
    )]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub lookup: LookupArgs,
    /// The identity policy; without certificate-identity(-regexp) and issuer it is the
    /// repository's own workflows, signed through GitHub Actions' OIDC issuer.
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Where the release's assets are downloaded; it must be empty or absent
    /// [default: release-<TAG>].
    #[arg(long = "output-dir", value_name = "DIR", help_heading = "Output")]
    pub output_dir: Option<PathBuf>,
    /// How to print the result on stdout.
    #[arg(
        long = "format",
        value_enum,
        value_name = "FORMAT",
        help_heading = "Output"
    )]
    pub format: Option<CliFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CliFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        App::command().debug_assert();
    }

    #[test]
    fn bool_flags_take_an_optional_value() -> Result<(), clap::Error> {
        let app = App::try_parse_from([
            "attest-kit",
            "attest",
            "--allow-local",
            "--legacy-provenance",
            "false",
            "x",
        ])?;
        let CliCommand::Attest(args) = app.command else {
            panic!("wrong command")
        };
        assert_eq!(args.provenance.allow_local, Some(true));
        assert_eq!(args.provenance.legacy_provenance, Some(false));
        assert_eq!(args.paths, ["x"]);
        Ok(())
    }
}
