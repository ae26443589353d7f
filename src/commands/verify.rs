//! `verify`: artifacts × bundles → one row each, verified offline and checked against the
//! identity policy, in parallel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt as _;
use rayon::prelude::*;
use sha2::{Digest as _, Sha256, Sha512};

use crate::action::Console;
use crate::config::{ArtifactSpec, VerifyConfig};
use crate::error::Error;
use crate::report::{VerifyReport, VerifyRow};
use crate::subject::{Algorithm, Digest, hash, paths};
use crate::verify::bundles::{self, Found};
use crate::verify::legacy_envelope::{self, Envelope};
use crate::verify::policy::{Policy, PolicyFile, Signed};
use crate::verify::rekor::{Detached, Lookup};
use crate::verify::sigstore::{ArtifactData, ParsedBundle, PublicKey, RootChoice, Trust, Verified};
use crate::verify::{Check, Failure, VerifyError, slsa};

/// An artifact ready to check: its bytes (files) or only a digest.
#[derive(Debug)]
struct Artifact {
    name: String,
    path: Option<PathBuf>,
    digests: Vec<Digest>,
    bytes: Option<Arc<Vec<u8>>>,
    read_error: Option<String>,
}

impl Artifact {
    fn primary(&self) -> String {
        self.digests
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

/// Artifacts up to this size are read into memory (every signing scheme works on them);
/// larger ones are streamed.
const IN_MEMORY_LIMIT: u64 = 64 * 1024 * 1024;

fn read_artifact(path: &Path) -> Artifact {
    let name = path.display().to_string();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > IN_MEMORY_LIMIT {
        let mut buf = vec![0u8; 256 * 1024];
        return match hash::hash_file(path, &[Algorithm::Sha256, Algorithm::Sha512], &mut buf) {
            Ok(s) => Artifact {
                name,
                path: Some(path.to_owned()),
                digests: s
                    .digests
                    .iter()
                    .filter_map(|(a, h)| Digest::from_hex(*a, h))
                    .collect(),
                bytes: None,
                read_error: None,
            },
            Err(e) => Artifact {
                name,
                path: Some(path.to_owned()),
                digests: Vec::new(),
                bytes: None,
                read_error: Some(e.to_string()),
            },
        };
    }
    let limit = crate::input_file::Limit::new("an artifact read in memory", IN_MEMORY_LIMIT);
    match crate::input_file::read(path, limit) {
        Ok(bytes) => {
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let sha512 = hex::encode(Sha512::digest(&bytes));
            let digests = [
                Digest::from_hex(Algorithm::Sha256, &sha256),
                Digest::from_hex(Algorithm::Sha512, &sha512),
            ]
            .into_iter()
            .flatten()
            .collect();
            Artifact {
                name,
                path: Some(path.to_owned()),
                digests,
                bytes: Some(Arc::new(bytes)),
                read_error: None,
            }
        }
        Err(e) => Artifact {
            name,
            path: Some(path.to_owned()),
            digests: Vec::new(),
            bytes: None,
            read_error: Some(e.to_string()),
        },
    }
}

fn read_file(what: &'static str, path: &Path) -> Result<String, Error> {
    let limit = match what {
        "trusted root" => crate::input_file::TRUSTED_ROOT,
        "public key" => crate::input_file::KEY,
        _ => crate::input_file::POLICY,
    };
    crate::input_file::read_text(path, limit).map_err(|source| {
        VerifyError::Read {
            what,
            path: path.display().to_string(),
            source,
        }
        .into()
    })
}

/// Trust, key and policy: everything that does not depend on a bundle, loaded once.
struct Setup {
    trust: Trust,
    key: Option<PublicKey>,
    policy: Policy,
    provenance_checks: bool,
}

fn setup(config: &VerifyConfig) -> Result<Setup, Error> {
    let choice = match (&config.trusted_root, config.staging) {
        (Some(p), _) => RootChoice::Custom(read_file("trusted root", p)?),
        (None, true) => RootChoice::Staging,
        (None, false) => RootChoice::Embedded,
    };
    let trust = Trust::new(&choice).map_err(|reason| VerifyError::TrustedRoot {
        path: config
            .trusted_root
            .as_ref()
            .map_or_else(|| "(embedded)".to_owned(), |p| p.display().to_string()),
        reason,
    })?;
    let key = match &config.key {
        Some(p) => Some(
            crate::verify::sigstore::parse_public_key(&read_file("public key", p)?).map_err(
                |reason| VerifyError::Key {
                    path: p.display().to_string(),
                    reason,
                },
            )?,
        ),
        None => None,
    };
    let file = match &config.policy {
        Some(p) => {
            let text = read_file("policy file", p)?;
            Some(
                PolicyFile::parse(&text).map_err(|e| VerifyError::PolicyFile {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?,
            )
        }
        None => None,
    };
    let policy = Policy::build(
        &config.identity,
        config.predicate_type.as_deref(),
        config.deny_self_hosted_runners,
        file.as_ref(),
        key.is_some(),
    )
    .map_err(|e| VerifyError::PolicyFile {
        path: config
            .policy
            .as_ref()
            .map_or_else(|| "(flags)".to_owned(), |p| p.display().to_string()),
        reason: e.to_string(),
    })?;
    Ok(Setup {
        trust,
        key,
        policy,
        provenance_checks: config.provenance_checks,
    })
}

fn collect_artifacts(config: &VerifyConfig) -> Result<Vec<Artifact>, Error> {
    let patterns: Vec<String> = config
        .artifacts
        .iter()
        .filter_map(|a| match a {
            ArtifactSpec::Pattern(p) => Some(p.clone()),
            ArtifactSpec::Digest(_) => None,
        })
        .collect();
    let files = if patterns.is_empty() {
        Vec::new()
    } else {
        paths::resolve(&patterns)?
    };
    let mut artifacts: Vec<Artifact> = files.par_iter().map(|p| read_artifact(p)).collect();
    for a in &config.artifacts {
        if let ArtifactSpec::Digest(d) = a {
            artifacts.push(Artifact {
                name: d.to_string(),
                path: None,
                digests: vec![d.clone()],
                bytes: None,
                read_error: None,
            });
        }
    }
    Ok(artifacts)
}

/// An artifact (by index) and a bundle to check it against.
type Pair = (usize, Arc<Found>);

/// Pairs: (artifact index, bundle). Returns warnings about bundles that fit no artifact.
fn pair(config: &VerifyConfig, artifacts: &[Artifact]) -> Result<(Vec<Pair>, Vec<String>), Error> {
    let mut pairs = Vec::new();
    let mut warnings = Vec::new();
    if config.bundle_patterns.is_empty() {
        for (i, a) in artifacts.iter().enumerate() {
            let Some(path) = &a.path else {
                if config.from_github.is_some() {
                    continue;
                }
                return Err(VerifyError::DigestNeedsBundle(a.name.clone()).into());
            };
            for f in bundles::beside(path).iter().flat_map(|b| bundles::load(b)) {
                pairs.push((i, Arc::new(f)));
            }
        }
        return Ok((pairs, warnings));
    }
    let files = bundles::from_patterns(&config.bundle_patterns)?;
    let found: Vec<Arc<Found>> = files
        .par_iter()
        .flat_map_iter(|f| bundles::load(f))
        .map(Arc::new)
        .collect();
    if artifacts.len() == 1 {
        return Ok((found.into_iter().map(|f| (0, f)).collect(), warnings));
    }
    // Several artifacts: each bundle goes with the artifacts it names by digest.
    let mut by_digest: HashMap<&Digest, Vec<usize>> = HashMap::new();
    for (i, a) in artifacts.iter().enumerate() {
        for d in &a.digests {
            by_digest.entry(d).or_default().push(i);
        }
    }
    for f in found {
        let Ok(b) = &f.bundle else {
            // An unreadable bundle belongs to no artifact: every artifact gets the row, so
            // that it is reported as a failure rather than dropped.
            for i in 0..artifacts.len() {
                pairs.push((i, f.clone()));
            }
            continue;
        };
        let mut hit: Vec<usize> = b
            .bound()
            .digests
            .iter()
            .filter_map(|d| by_digest.get(d))
            .flatten()
            .copied()
            .collect();
        hit.sort_unstable();
        hit.dedup();
        if hit.is_empty() {
            warnings.push(format!(
                "bundle {} names none of the artifacts; skipped",
                f.source
            ));
        }
        for i in hit {
            pairs.push((i, f.clone()));
        }
    }
    Ok((pairs, warnings))
}

fn check_one(setup: &Setup, artifact: &Artifact, found: &Found) -> VerifyRow {
    let mut row = VerifyRow {
        artifact: artifact.name.clone(),
        digest: artifact.primary(),
        bundle: found.source.clone(),
        ..VerifyRow::default()
    };
    let outcome = (|| -> Result<(), Failure> {
        if let Some(e) = &artifact.read_error {
            return Err(Failure::new(
                Check::Artifact,
                format!("couldn't read it: {e}"),
            ));
        }
        let bundle = found.bundle.as_ref().map_err(Clone::clone)?;
        let statement = bundle.statement();
        row.predicate_type = statement
            .as_ref()
            .and_then(|s| s.get("predicateType"))
            .and_then(|p| p.as_str())
            .map(str::to_owned);
        let data = match (&artifact.bytes, &artifact.path, artifact.digests.first()) {
            (Some(b), _, _) => ArtifactData::Bytes(b),
            (None, Some(p), _) => ArtifactData::File(p),
            (None, None, Some(d)) => ArtifactData::Digest(d),
            (None, None, None) => {
                return Err(Failure::new(Check::Artifact, "no content or digest"));
            }
        };
        let v: Verified = setup.trust.verify(bundle, data, setup.key.as_ref())?;
        if found.pep740 {
            pep740_subject(artifact, statement.as_ref())?;
        }
        row.identity = v.identity.clone();
        row.issuer = v.issuer.clone();
        row.source_repository = v.claims.source_repository();
        row.source_ref = v.claims.source_ref().map(str::to_owned);
        row.log_index = v.log_index;
        row.integrated_time = v.integrated_time.clone().or(v.signed_at.clone());
        row.trust_domain = Some(v.trust_domain.to_owned());
        row.ignored_timestamps = v.ignored_timestamps.clone();
        v.claims.check_consistency()?;
        let signed = Signed {
            identity: v.identity.as_deref(),
            issuer: v.issuer.as_deref(),
            claims: &v.claims,
            predicate_type: row.predicate_type.as_deref(),
        };
        setup.policy.check(&artifact.name, &signed)?;
        if let Some(st) = statement.as_ref().filter(|_| setup.provenance_checks) {
            slsa::check(st, &v.claims)?;
        }
        Ok(())
    })();
    row.failure = outcome.err();
    row
}

/// A PEP 740 attestation's one subject must be the distribution: its file name and SHA-256.
fn pep740_subject(
    artifact: &Artifact,
    statement: Option<&serde_json::Value>,
) -> Result<(), Failure> {
    let fail = |reason: String| Failure::new(Check::ArtifactDigest, reason);
    let file_name = artifact
        .path
        .as_deref()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            fail(
                "a PyPI attestation is checked against the distribution file, not a digest"
                    .to_owned(),
            )
        })?;
    let sha256 = artifact
        .digests
        .iter()
        .find(|d| d.algorithm == Algorithm::Sha256)
        .map(|d| d.hex.clone())
        .unwrap_or_default();
    let statement =
        statement.ok_or_else(|| fail("the attestation holds no statement".to_owned()))?;
    crate::pypi::pep740::check_subject(statement, &file_name, &sha256).map_err(|e| fail(e.0))
}

pub fn run(config: &VerifyConfig, console: &Console) -> Result<VerifyReport, Error> {
    let setup = setup(config)?;
    let artifacts = console.group("Reading artifacts", || collect_artifacts(config))?;
    run_with(config, &setup, artifacts, console)
}

/// `run`, with bundles fetched from GitHub's attestations API when `from_github` is set:
/// every bundle stored for each artifact's SHA-256, verified like local bundles.
pub fn run_env(
    config: &VerifyConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<VerifyReport, Error> {
    let Some(source) = &config.from_github else {
        return run(config, console);
    };
    let setup = setup(config)?;
    let artifacts = console.group("Reading artifacts", || collect_artifacts(config))?;
    let scope = if source.contains('/') {
        crate::github::api::Scope::Repo(source.clone())
    } else {
        crate::github::api::Scope::Org(source.clone())
    };
    let client = super::verify_release::client(config.github_token.as_ref(), env, console)?;
    let digests: Vec<String> = artifacts
        .iter()
        .filter_map(|a| {
            a.digests
                .iter()
                .find(|d| d.algorithm == Algorithm::Sha256)
                .map(ToString::to_string)
        })
        .collect();
    let fetched = super::verify_release::runtime()?.block_on(async {
        let mut all = Vec::new();
        for d in &digests {
            all.push((d.clone(), client.attestations(&scope, d).await?));
        }
        Ok::<_, Error>(all)
    })?;
    let dir = tempfile::tempdir().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let mut n = 0;
    // A bundle for several subjects comes back once per digest: it is checked once.
    let mut seen = std::collections::HashSet::new();
    for (digest, bundles) in &fetched {
        console.debug(&format!(
            "{} bundles from GitHub for {digest}",
            bundles.len()
        ));
        for b in bundles {
            if !seen.insert(b.to_string()) {
                continue;
            }
            n += 1;
            let path = dir.path().join(format!("{n}.sigstore.json"));
            std::fs::write(&path, b.to_string()).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        }
    }
    let mut local = config.clone();
    local.bundle_patterns = vec![format!(
        "{}/*.sigstore.json",
        crate::report::display_path(dir.path())
    )];
    if n == 0 {
        // Nothing stored: every artifact fails, saying where we looked.
        let rows = artifacts
            .iter()
            .map(|a| VerifyRow {
                artifact: a.name.clone(),
                digest: a.primary(),
                failure: Some(Failure::new(
                    Check::Bundle,
                    format!("GitHub holds no attestation for it in {source}"),
                )),
                ..VerifyRow::default()
            })
            .collect();
        return Ok(VerifyReport {
            rows,
            warnings: Vec::new(),
        });
    }
    let mut report = run_with(&local, &setup, artifacts, console)?;
    let prefix = crate::report::display_path(dir.path());
    for r in &mut report.rows {
        if let Some(rest) = r.bundle.strip_prefix(&prefix) {
            r.bundle = format!(
                "github:{source}#{}",
                rest.trim_start_matches(['/', '\\'])
                    .trim_end_matches(".sigstore.json")
            );
        }
    }
    Ok(report)
}

/// Verifies exact files (no glob expansion: names are taken literally), each against the
/// bundles beside it or from `bundle_patterns`. `verify-release` uses it on downloaded
/// assets, whose names may hold glob characters.
pub fn run_files(
    config: &VerifyConfig,
    files: &[PathBuf],
    console: &Console,
) -> Result<VerifyReport, Error> {
    let setup = setup(config)?;
    let artifacts: Vec<Artifact> = files.par_iter().map(|p| read_artifact(p)).collect();
    run_with(config, &setup, artifacts, console)
}

/// What one bundle still needs from the transparency log.
enum Needs {
    /// A `.sig` + `.crt` pair: its hashedrekord entry.
    Pair(Detached),
    /// A bare slsa-github-generator envelope: its intoto entry.
    Envelope(Arc<Envelope>),
}

/// Gives each detached `.sig` + `.crt` pair, and each bare generator envelope, the Rekor
/// entry that proves when it was signed (looked up concurrently; see `verify/rekor.rs`).
/// With `offline`, or where no entry is found, it keeps no signing time and fails with the
/// reason.
fn complete_detached(
    config: &VerifyConfig,
    setup: &Setup,
    artifacts: &[Artifact],
    pairs: &mut [Pair],
    console: &Console,
) -> Result<(), Error> {
    let mut todo: Vec<(usize, Needs)> = pairs
        .iter()
        .enumerate()
        .filter_map(|(k, (i, f))| {
            let bundle = f.bundle.as_ref().ok()?;
            if let Some(e) = bundle.legacy_envelope() {
                return Some((k, Needs::Envelope(e.clone())));
            }
            let (signature, certificate_der) = bundle.detached()?;
            let sha256_hex = artifacts[*i]
                .digests
                .iter()
                .find(|d| d.algorithm == Algorithm::Sha256)?
                .hex
                .clone();
            Some((
                k,
                Needs::Pair(Detached {
                    sha256_hex,
                    signature,
                    certificate_der,
                }),
            ))
        })
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    // An envelope naming several artifacts is in several pairs: it is looked up once, and
    // `same_as` (pair, pair looked up) gives the others the same result.
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut same_as: Vec<(usize, usize)> = Vec::new();
    todo.retain(|(k, needs)| match needs {
        Needs::Envelope(e) => match first.get(&e.sha256_hex) {
            Some(&looked_up) => {
                same_as.push((*k, looked_up));
                false
            }
            None => {
                first.insert(e.sha256_hex.clone(), *k);
                true
            }
        },
        Needs::Pair(_) => true,
    });
    let set = |pairs: &mut [Pair], k: usize, bundle: Result<ParsedBundle, Failure>| {
        for j in std::iter::once(k).chain(
            same_as
                .iter()
                .filter(|(_, looked_up)| *looked_up == k)
                .map(|(j, _)| *j),
        ) {
            let found = &pairs[j].1;
            pairs[j].1 = Arc::new(Found {
                source: found.source.clone(),
                bundle: bundle.clone(),
                pep740: false,
            });
        }
    };
    let url = config
        .rekor_url
        .clone()
        .or_else(|| setup.trust.rekor_url().map(str::to_owned));
    let url = match (config.offline, url) {
        (true, _) | (false, None) => {
            let no_log =
                "the trusted root names no transparency log to look it up in: give --rekor-url";
            for (k, needs) in todo {
                let reason = match (needs, config.offline) {
                    (Needs::Pair(_), true) => "a .sig + .crt pair proves no signing time by itself, and --offline forbids looking up its Rekor entry".to_owned(),
                    (Needs::Pair(_), false) => format!("a .sig + .crt pair proves no signing time by itself, and {no_log}"),
                    (Needs::Envelope(_), true) => format!("{} carries no log entry: its Rekor entry must be looked up, which --offline forbids", legacy_envelope::FORMAT),
                    (Needs::Envelope(_), false) => format!("{} carries no log entry: its Rekor entry must be looked up, and {no_log}", legacy_envelope::FORMAT),
                };
                set(pairs, k, Err(Failure::new(Check::Timestamp, reason)));
            }
            return Ok(());
        }
        (false, Some(url)) => url,
    };
    let backoff = std::env::var("ATTEST_KIT_SIGSTORE_BACKOFF_MS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map_or(std::time::Duration::from_millis(500), |ms| {
            std::time::Duration::from_millis(ms)
        });
    let lookup =
        Lookup::new(&url, backoff).map_err(|reason| crate::config::ConfigError::Invalid {
            input: "rekor-url",
            reason,
        })?;
    let envelopes = todo
        .iter()
        .filter(|(_, n)| matches!(n, Needs::Envelope(_)))
        .count();
    let what = match (todo.len() - envelopes, envelopes) {
        (pairs, 0) => format!("{pairs} .sig + .crt pair(s)"),
        (0, envelopes) => format!("{envelopes} generator envelope(s)"),
        (pairs, envelopes) => {
            format!("{pairs} .sig + .crt pair(s) and {envelopes} generator envelope(s)")
        }
    };
    console.info(&format!(
        "looking up {what} in the Rekor log at {}",
        lookup.base()
    ));
    let found: Vec<(usize, Result<ParsedBundle, Failure>)> = super::verify_release::runtime()?
        .block_on(async {
            futures_util::stream::iter(todo)
                .map(|(k, needs)| {
                    let lookup = &lookup;
                    let pairs = &*pairs;
                    async move {
                        let bundle = match needs {
                            Needs::Pair(d) => match lookup.find(&d).await {
                                Ok(entry) => pairs[k]
                                    .1
                                    .bundle
                                    .as_ref()
                                    .map_err(Clone::clone)
                                    .and_then(|b| b.with_log_entry(entry, &d.sha256_hex)),
                                Err(f) => Err(f),
                            },
                            Needs::Envelope(e) => {
                                let key = format!("sha256:{}", e.sha256_hex);
                                lookup
                                    .find_holding(
                                        &key,
                                        &format!("the envelope's {key}"),
                                        "this envelope",
                                        |entry| legacy_envelope::holds(entry, &e),
                                    )
                                    .await
                                    .and_then(|entry| legacy_envelope::with_entry(&e, entry))
                            }
                        };
                        (k, bundle)
                    }
                })
                .buffer_unordered(8)
                .collect()
                .await
        });
    for (k, bundle) in found {
        set(pairs, k, bundle);
    }
    Ok(())
}

fn run_with(
    config: &VerifyConfig,
    setup: &Setup,
    artifacts: Vec<Artifact>,
    console: &Console,
) -> Result<VerifyReport, Error> {
    let (mut pairs, mut warnings) = pair(config, &artifacts)?;
    complete_detached(config, setup, &artifacts, &mut pairs, console)?;
    console.debug(&format!(
        "{} artifacts, {} artifact × bundle pairs",
        artifacts.len(),
        pairs.len()
    ));
    let mut rows: Vec<VerifyRow> = pairs
        .par_iter()
        .map(|(i, f)| check_one(setup, &artifacts[*i], f))
        .collect();
    // Artifacts without any bundle fail too, by name.
    for (i, a) in artifacts.iter().enumerate() {
        if !pairs.iter().any(|(j, _)| *j == i) {
            let looked = if config.bundle_patterns.is_empty() {
                format!(
                    "no bundle found beside it (looked for {}, .sig + .crt)",
                    bundles::CONVENTIONS.join(", ")
                )
            } else {
                "no bundle from bundle-path names this artifact".to_owned()
            };
            rows.push(VerifyRow {
                artifact: a.name.clone(),
                digest: a.primary(),
                failure: Some(Failure::new(Check::Bundle, looked)),
                ..VerifyRow::default()
            });
        }
    }
    warnings.sort();
    warnings.dedup();
    Ok(VerifyReport { rows, warnings })
}
