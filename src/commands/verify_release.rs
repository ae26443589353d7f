//! `verify-release <tag>`: the seed's verify-supply-chain script as one command. Lists the
//! release's assets, downloads them concurrently (streamed, sizes held to the declared
//! ones), verifies every signature under the identity policy in parallel, checks SBOMs and
//! provenance subjects against the downloaded files, and returns the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use futures_util::StreamExt as _;

use crate::action::Console;
use crate::config::VerifyReleaseConfig;
use crate::error::Error;
use crate::github::api::{Asset, Client, Downloaded, RetryPolicy};
use crate::release::{self, AssetRow, ProvenanceRow, ReleaseReport, Role, SbomRow, Timing};
use crate::sign::Secret;

/// Downloads in flight at once.
const CONCURRENT_DOWNLOADS: usize = 8;
/// SBOM and provenance files larger than this are not parsed.
const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn env_non_empty(env: &dyn Fn(&str) -> Option<String>, key: &str) -> Option<String> {
    env(key)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The retry policy, with the backoff shortened by ATTEST_KIT_GITHUB_BACKOFF_MS (tests).
pub fn retry_policy(env: &dyn Fn(&str) -> Option<String>) -> RetryPolicy {
    let mut p = RetryPolicy::default();
    if let Some(ms) =
        env_non_empty(env, "ATTEST_KIT_GITHUB_BACKOFF_MS").and_then(|v| v.parse().ok())
    {
        p.backoff = std::time::Duration::from_millis(ms);
    }
    p
}

/// A client for GITHUB_API_URL with the token given or from the environment (masked).
pub fn client(
    token: Option<&Secret>,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<Client, Error> {
    let token = token
        .cloned()
        .or_else(|| env_non_empty(env, "GITHUB_TOKEN").map(Secret::new))
        .or_else(|| env_non_empty(env, "GH_TOKEN").map(Secret::new));
    if let Some(t) = &token {
        console.add_mask(t.expose());
    }
    let api = env_non_empty(env, "GITHUB_API_URL")
        .unwrap_or_else(|| crate::github::api::DEFAULT_API_URL.to_owned());
    Ok(Client::new(&api, token, retry_policy(env))?)
}

pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))
}

/// GitHub Actions' OIDC issuer for a GitHub host: github.com's, GHE.com's per-subdomain
/// one, or a GitHub Enterprise Server's own (`https://HOSTNAME/_services/token`).
fn actions_issuer(server: &str) -> String {
    let server = server.trim_end_matches('/');
    let host = server
        .split_once("://")
        .map_or(server, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host == "github.com" {
        GITHUB_ISSUER.to_owned()
    } else if let Some(sub) = host.strip_suffix(".ghe.com") {
        format!("https://token.actions.{sub}.ghe.com")
    } else {
        format!("{server}/_services/token")
    }
}

/// The repository's own workflows, through GitHub Actions' issuer, when no identity is set.
fn default_identity(config: &mut crate::config::VerifyConfig, repo: &str, server: &str) {
    let id = &mut config.identity;
    if id.certificate_identity.is_none() && id.certificate_identity_regexp.is_none() {
        id.certificate_identity_regexp = Some(format!(
            "^{}/{}/\\.github/workflows/[^@]+@.+$",
            regex::escape(server.trim_end_matches('/')),
            regex::escape(repo)
        ));
    }
    if id.certificate_oidc_issuer.is_none() && id.certificate_oidc_issuer_regexp.is_none() {
        id.certificate_oidc_issuer = Some(actions_issuer(server));
    }
}

fn prepare_dir(dir: &Path) -> Result<(), Error> {
    let write = |source| Error::Write {
        path: dir.to_owned(),
        source,
    };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(write)?;
        if entries.next().is_some() {
            return Err(Error::Config(crate::config::ConfigError::Invalid {
                input: "output-dir",
                reason: format!(
                    "{} is not empty; verify-release downloads into an empty directory so that no stale file is verified",
                    dir.display()
                ),
            }));
        }
    } else {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    Ok(())
}

fn safe_tag_dir(tag: &str) -> PathBuf {
    let cleaned: String = tag
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("release-{}", cleaned.trim_start_matches('.')))
}

pub fn run(
    config: &VerifyReleaseConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<ReleaseReport, Error> {
    let start = Instant::now();
    let repo = match &config.repo {
        Some(r) => r.clone(),
        None => env_non_empty(env, "GITHUB_REPOSITORY").ok_or_else(|| {
            crate::config::ConfigError::Invalid {
                input: "repo",
                reason: "give --repo OWNER/REPO (GITHUB_REPOSITORY is not set)".to_owned(),
            }
        })?,
    };
    release::check_repo(&repo).map_err(|reason| crate::config::ConfigError::Invalid {
        input: "repo",
        reason,
    })?;
    let server =
        env_non_empty(env, "GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".to_owned());
    let mut verify = config.verify.clone();
    default_identity(&mut verify, &repo, &server);
    let dir = config
        .output_dir
        .clone()
        .unwrap_or_else(|| safe_tag_dir(&config.tag));
    let client = client(config.token.as_ref(), env, console)?;
    prepare_dir(&dir)?;

    // Network: the release, its assets, the downloads.
    let rt = runtime()?;
    let (rel, assets, downloads) = rt.block_on(async {
        let rel = client.release_by_tag(&repo, &config.tag).await?;
        let assets = client.release_assets(&repo, &rel).await?;
        if assets.is_empty() {
            return Err(Error::Api(crate::github::api::ApiError::Explained(
                format!("release {} of {repo} has no assets to verify", rel.tag_name),
            )));
        }
        console.info(&format!(
            "{} assets in {repo} {}; downloading to {}",
            assets.len(),
            rel.tag_name,
            dir.display()
        ));
        let downloads: Vec<(Asset, Result<Downloaded, String>)> =
            futures_util::stream::iter(assets.iter().cloned())
                .map(|a| {
                    let client = &client;
                    let dir = &dir;
                    async move {
                        let r = client
                            .download_asset(&a, dir)
                            .await
                            .map_err(|e| e.to_string());
                        (a, r)
                    }
                })
                .buffer_unordered(CONCURRENT_DOWNLOADS)
                .collect()
                .await;
        Ok::<_, Error>((rel, assets, downloads))
    })?;
    let network = start.elapsed();
    drop(assets);

    let verify_start = Instant::now();
    let mut rows: Vec<AssetRow> = downloads
        .iter()
        .map(|(a, r)| AssetRow {
            name: a.name.clone(),
            size: a.size,
            digest: r
                .as_ref()
                .map(|d| format!("sha256:{}", d.sha256))
                .unwrap_or_default(),
            role: release::classify(&a.name).0,
            error: r.as_ref().err().cloned(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let names: BTreeSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let path_of: BTreeMap<&str, &Path> = downloads
        .iter()
        .filter_map(|(a, r)| Some((a.name.as_str(), r.as_ref().ok()?.path.as_path())))
        .collect();

    // Everything that is not itself a signature must carry one.
    let signed: Vec<PathBuf> = rows
        .iter()
        .filter(|r| r.role != Role::Signature && r.error.is_none())
        .filter_map(|r| path_of.get(r.name.as_str()).map(|p| p.to_path_buf()))
        .collect();
    let signatures = if signed.is_empty() {
        crate::report::VerifyReport::default()
    } else {
        let mut report = console.group("Verifying signatures", || {
            super::verify::run_files(&verify, &signed, console)
        })?;
        cover_pairs_by_bundles(&mut report);
        // Rows name assets, not download paths.
        let prefix = format!("{}", dir.display());
        for r in &mut report.rows {
            for s in [&mut r.artifact, &mut r.bundle] {
                if let Some(rest) = s.strip_prefix(&prefix) {
                    *s = rest.trim_start_matches(['/', '\\']).to_owned();
                }
            }
        }
        report
    };

    let artifacts = ReleaseReport::artifact_digests(&rows);
    let all: BTreeMap<String, String> = rows
        .iter()
        .filter_map(|r| Some((r.name.clone(), r.digest.strip_prefix("sha256:")?.to_owned())))
        .collect();
    let mut sboms: Vec<SbomRow> = Vec::new();
    let mut provenance: Vec<ProvenanceRow> = Vec::new();
    for r in rows.iter().filter(|r| r.error.is_none()) {
        let Some(path) = path_of.get(r.name.as_str()) else {
            continue;
        };
        match r.role {
            Role::Sbom => sboms.push(match read_document(path) {
                Ok(text) => release::sbom::check(&r.name, &text, &artifacts),
                Err(e) => SbomRow {
                    sbom: r.name.clone(),
                    format: String::new(),
                    describes: Vec::new(),
                    failure: Some(e),
                },
            }),
            Role::Provenance => match read_document(path) {
                Ok(text) => provenance.extend(release::provenance::check(&r.name, &text, &all)),
                Err(e) => provenance.push(ProvenanceRow {
                    file: r.name.clone(),
                    subject: None,
                    digest: None,
                    note: None,
                    failure: Some(e),
                }),
            },
            _ => {}
        }
    }
    let uncovered: Vec<String> = rows
        .iter()
        .filter(|r| {
            let (_, target) = release::classify(&r.name);
            target.is_some_and(|t| !names.contains(t.as_str()))
        })
        .map(|r| r.name.clone())
        .collect();
    let described: BTreeSet<&String> = sboms.iter().flat_map(|s| &s.describes).collect();
    let without_sbom: Vec<String> = artifacts
        .values()
        .filter(|a| !described.contains(a))
        .cloned()
        .collect();
    let verify_time = verify_start.elapsed();
    Ok(ReleaseReport {
        repo,
        tag: rel.tag_name,
        release_url: rel.html_url,
        download_dir: crate::report::display_path(&dir),
        assets: rows,
        signatures,
        sboms,
        provenance,
        uncovered,
        without_sbom,
        timing: Timing {
            total_ms: start.elapsed().as_millis(),
            network_ms: network.as_millis(),
            verify_ms: verify_time.as_millis(),
        },
    })
}

fn read_document(path: &Path) -> Result<String, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_DOCUMENT {
        return Err(format!("{len} bytes, more than the {MAX_DOCUMENT} read"));
    }
    crate::input_file::read_text(
        path,
        crate::input_file::Limit::new("a release document", MAX_DOCUMENT),
    )
    .map_err(|e| format!("couldn't read it: {e}"))
}

/// A `.sig` + `.crt` pair carries no proof of when it was signed: that is its Rekor entry,
/// looked up by `verify`. Offline, or when the log cannot be reached, a pair whose file
/// also has a Sigstore bundle that verified is accepted if it holds exactly the bundle's
/// signature and certificate; a pair that differs is a failure. A pair without a verified
/// bundle keeps its own result.
fn cover_pairs_by_bundles(report: &mut crate::report::VerifyReport) {
    use crate::verify::{Check, Failure};
    let verified: Vec<crate::report::VerifyRow> = report
        .rows
        .iter()
        .filter(|r| r.verified() && !r.bundle.ends_with(".sig"))
        .cloned()
        .collect();
    for row in &mut report.rows {
        let timestamp_only = row
            .failure
            .as_ref()
            .is_some_and(|f| matches!(f.check, Check::Timestamp | Check::TransparencyLog));
        if !row.bundle.ends_with(".sig") || !timestamp_only {
            continue;
        }
        let Some(good) = verified.iter().find(|r| r.artifact == row.artifact) else {
            continue;
        };
        let bundle = &good.bundle;
        let sig = Path::new(&row.bundle);
        match same_material(sig, &sig.with_extension("crt"), Path::new(bundle)) {
            Ok(()) => {
                let name = Path::new(bundle)
                    .file_name()
                    .map_or_else(|| bundle.clone(), |n| n.to_string_lossy().into_owned());
                let shown = format!("{} (+ .crt, as in {name})", row.bundle);
                *row = crate::report::VerifyRow {
                    bundle: shown,
                    ..good.clone()
                };
            }
            Err(reason) => row.failure = Some(Failure::new(Check::Signature, reason)),
        }
    }
}

/// The `.sig`/`.crt` hold the bundle's message signature and leaf certificate.
fn same_material(sig: &Path, crt: &Path, bundle: &Path) -> Result<(), String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let read = |p: &Path| {
        crate::input_file::read_text(
            p,
            crate::input_file::Limit::new("a release document", MAX_DOCUMENT),
        )
        .map_err(|e| format!("couldn't read {}: {e}", p.display()))
    };
    let doc: serde_json::Value =
        serde_json::from_str(&read(bundle)?).map_err(|e| format!("bundle: {e}"))?;
    let bundle_sig = doc
        .pointer("/messageSignature/signature")
        .and_then(serde_json::Value::as_str)
        .and_then(|s| b64.decode(s).ok())
        .ok_or("the bundle holds no message signature")?;
    let bundle_cert = doc
        .pointer("/verificationMaterial/certificate/rawBytes")
        .or_else(|| {
            doc.pointer("/verificationMaterial/x509CertificateChain/certificates/0/rawBytes")
        })
        .and_then(serde_json::Value::as_str)
        .and_then(|s| b64.decode(s).ok())
        .ok_or("the bundle holds no certificate")?;
    let sig_bytes = b64
        .decode(read(sig)?.trim())
        .map_err(|_| format!("{} is not base64", sig.display()))?;
    let pem = read(crt)?;
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let cert_bytes = b64
        .decode(body)
        .map_err(|_| format!("{} is not a PEM certificate", crt.display()))?;
    if sig_bytes != bundle_sig {
        return Err(format!(
            "the signature differs from the one in {}",
            bundle.display()
        ));
    }
    if cert_bytes != bundle_cert {
        return Err(format!(
            "the certificate differs from the one in {}",
            bundle.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::actions_issuer;

    #[test]
    fn the_default_issuer_follows_the_github_host() {
        assert_eq!(
            actions_issuer("https://github.com"),
            "https://token.actions.githubusercontent.com"
        );
        assert_eq!(
            actions_issuer("https://octo.ghe.com/"),
            "https://token.actions.octo.ghe.com"
        );
        assert_eq!(
            actions_issuer("https://ghes.example.com"),
            "https://ghes.example.com/_services/token"
        );
    }
}
