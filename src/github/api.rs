//! A small typed client for the few GitHub REST endpoints we use: releases by tag, their
//! assets (list, download), and artifact attestations (create, list by digest).
//!
//! Built on the `reqwest` that sigstore-sign already brings in (octocrab would add a second
//! HTTP stack, tower layers and its own retry/rate-limit policy we would have to bend to a
//! loopback server). API hygiene lives here: the token is sent only to the API's own origin,
//! `Link` pagination, bounded retries with backoff on 5xx and network errors, rate limits
//! waited out when short and reported when long, and 403/404 explained in words.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::sign::Secret;

pub const DEFAULT_API_URL: &str = "https://api.github.com";
const USER_AGENT: &str = concat!("attest-kit/", env!("CARGO_PKG_VERSION"));
/// Pages followed at most for one listing (100 items each).
const MAX_PAGES: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A 403/404 (or similar) the caller explained in words.
    #[error("{0}")]
    Explained(String),
    #[error("GitHub API {method} {path} answered {status}: {message}")]
    Status {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    #[error(
        "GitHub API rate limit reached ({path}); it asks to wait {wait}s (attest-kit waits at most {max}s, and retries a bounded number of times)"
    )]
    RateLimited { path: String, wait: u64, max: u64 },
    #[error("couldn't reach the GitHub API ({path}) after {attempts} attempts: {reason}")]
    Network {
        path: String,
        attempts: u32,
        reason: String,
    },
    #[error("unexpected GitHub API response from {path}: {reason}")]
    Response { path: String, reason: String },
    #[error("download of release asset {name:?} failed: {reason}")]
    Download { name: String, reason: String },
    #[error("couldn't write {path:?}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Retries and waits: bounded, so a broken server fails a run instead of hanging it.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub backoff: Duration,
    /// The longest rate-limit wait we sit out; longer ones fail with the reset time.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// A GitHub REST client for one API host (github.com, GHES or GHE.com).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    api: String,
    token: Option<Secret>,
    retry: RetryPolicy,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub upload_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Asset {
    pub id: u64,
    pub name: String,
    pub size: u64,
    /// The API URL of the asset (download with `Accept: application/octet-stream`).
    pub url: String,
    #[serde(default)]
    pub browser_download_url: String,
    /// `sha256:<hex>`, which GitHub computes for assets uploaded since 2025.
    #[serde(default)]
    pub digest: Option<String>,
}

/// Where attestations are listed: a repository or an organisation (or user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Repo(String),
    Org(String),
}

/// A downloaded asset on disk.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_owned())
    })
}

fn header_u64(resp: &reqwest::Response, name: &str) -> Option<u64> {
    resp.headers().get(name)?.to_str().ok()?.trim().parse().ok()
}

/// How long a rate-limited response asks us to wait, if it is a rate limit at all.
fn rate_limit_wait(resp: &reqwest::Response) -> Option<u64> {
    let status = resp.status();
    if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::FORBIDDEN {
        return None;
    }
    if let Some(s) = header_u64(resp, "retry-after") {
        return Some(s);
    }
    if header_u64(resp, "x-ratelimit-remaining") == Some(0) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let reset = header_u64(resp, "x-ratelimit-reset").unwrap_or(now + 60);
        return Some(reset.saturating_sub(now).max(1));
    }
    // A 429 without headers: a secondary limit; GitHub says to wait at least a minute.
    (status == StatusCode::TOO_MANY_REQUESTS).then_some(60)
}

async fn error_message(resp: reqwest::Response) -> String {
    let text = resp.text().await.unwrap_or_default();
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(200).collect())
}

impl Client {
    /// `api_url` is GITHUB_API_URL (https://api.github.com, https://HOST/api/v3 on GHES,
    /// https://api.SUBDOMAIN.ghe.com on GHE.com).
    pub fn new(api_url: &str, token: Option<Secret>, retry: RetryPolicy) -> Result<Self, ApiError> {
        let api = api_url.trim().trim_end_matches('/').to_owned();
        if !(api.starts_with("https://") || api.starts_with("http://")) {
            return Err(ApiError::Explained(format!(
                "GITHUB_API_URL {api:?} is not an http(s) URL"
            )));
        }
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ApiError::Explained(format!("couldn't set up HTTP: {e}")))?;
        Ok(Self {
            http,
            api,
            token,
            retry,
        })
    }

    pub fn api_url(&self) -> &str {
        &self.api
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// Sends a request with retries. The token goes only to the API's origin (the uploads
    /// host is GitHub's too, and named by the API's own `upload_url`).
    async fn send(
        &self,
        method: Method,
        url: &str,
        accept: &str,
        body: Option<(&str, &[u8])>,
        send_token: bool,
    ) -> Result<reqwest::Response, ApiError> {
        // Other hosts' URLs may be signed (blob storage): their query never reaches a message.
        let path = match url.strip_prefix(&self.api) {
            Some(p) => p.to_owned(),
            None => url.split(['?', '#']).next().unwrap_or_default().to_owned(),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self
                .http
                .request(method.clone(), url)
                .header(header::ACCEPT, accept)
                .header("X-GitHub-Api-Version", "2022-11-28");
            if let (true, Some(t)) = (send_token, &self.token) {
                req = req.bearer_auth(t.expose());
            }
            if let Some((ctype, bytes)) = body {
                req = req.header(header::CONTENT_TYPE, ctype).body(bytes.to_vec());
            }
            let last = attempt >= self.retry.attempts;
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if !last => {
                    let _ = e;
                    self.backoff(attempt).await;
                    continue;
                }
                Err(e) => {
                    return Err(ApiError::Network {
                        path,
                        attempts: attempt,
                        reason: e.without_url().to_string(),
                    });
                }
            };
            if let Some(wait) = rate_limit_wait(&resp) {
                if wait > self.retry.max_wait.as_secs() {
                    return Err(ApiError::RateLimited {
                        path,
                        wait,
                        max: self.retry.max_wait.as_secs(),
                    });
                }
                if !last {
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                    continue;
                }
                return Err(ApiError::RateLimited {
                    path,
                    wait,
                    max: self.retry.max_wait.as_secs(),
                });
            }
            if resp.status().is_server_error() && !last {
                self.backoff(attempt).await;
                continue;
            }
            return Ok(resp);
        }
    }

    async fn backoff(&self, attempt: u32) {
        let factor = 1u32 << attempt.saturating_sub(1).min(6);
        tokio::time::sleep(self.retry.backoff * factor).await;
    }

    /// A non-success response as an error, explained by `explain` when it knows the status.
    async fn fail(
        method: &str,
        url: &str,
        resp: reqwest::Response,
        explain: &dyn Fn(u16) -> Option<String>,
    ) -> ApiError {
        let status = resp.status().as_u16();
        if let Some(text) = explain(status) {
            return ApiError::Explained(text);
        }
        ApiError::Status {
            method: method.to_owned(),
            path: url.to_owned(),
            status,
            message: error_message(resp).await,
        }
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        explain: &dyn Fn(u16) -> Option<String>,
    ) -> Result<(T, Option<String>), ApiError> {
        let resp = self
            .send(Method::GET, url, "application/vnd.github+json", None, true)
            .await?;
        if !resp.status().is_success() {
            return Err(Self::fail("GET", url, resp, explain).await);
        }
        let next = resp
            .headers()
            .get(header::LINK)
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        let value = resp.json::<T>().await.map_err(|e| ApiError::Response {
            path: url.to_owned(),
            reason: e.without_url().to_string(),
        })?;
        Ok((value, next))
    }

    /// Every page of a listing; `Link: rel="next"` is followed only on the API's origin.
    async fn get_all<T: DeserializeOwned>(
        &self,
        first: &str,
        items: fn(Value) -> Option<Vec<Value>>,
        explain: &dyn Fn(u16) -> Option<String>,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut url = Some(first.to_owned());
        let mut pages = 0;
        while let Some(u) = url.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(ApiError::Response {
                    path: first.to_owned(),
                    reason: format!("more than {MAX_PAGES} pages"),
                });
            }
            if origin(&u) != origin(&self.api) {
                return Err(ApiError::Response {
                    path: first.to_owned(),
                    reason: format!("the next page is on another host ({})", origin(&u)),
                });
            }
            let (value, next): (Value, _) = self.get_json(&u, explain).await?;
            let list = items(value).ok_or_else(|| ApiError::Response {
                path: u.clone(),
                reason: "not the listing expected".to_owned(),
            })?;
            for v in list {
                out.push(serde_json::from_value(v).map_err(|e| ApiError::Response {
                    path: u.clone(),
                    reason: e.to_string(),
                })?);
            }
            url = next;
        }
        Ok(out)
    }

    /// The release of a tag (`GET /repos/{owner}/{repo}/releases/tags/{tag}`).
    pub async fn release_by_tag(&self, repo: &str, tag: &str) -> Result<Release, ApiError> {
        let url = self.url(&format!("/repos/{repo}/releases/tags/{}", encode(tag)));
        let explain = |s: u16| match s {
            404 => Some(format!(
                "no release {tag} in {repo} (or the token cannot read {repo})"
            )),
            401 => Some("the GitHub token was refused (401)".to_owned()),
            403 => Some(format!("the token may not read {repo} (403)")),
            _ => None,
        };
        Ok(self.get_json(&url, &explain).await?.0)
    }

    /// All assets of a release, every page.
    pub async fn release_assets(
        &self,
        repo: &str,
        release: &Release,
    ) -> Result<Vec<Asset>, ApiError> {
        let url = self.url(&format!(
            "/repos/{repo}/releases/{}/assets?per_page=100",
            release.id
        ));
        let explain =
            |s: u16| (s == 404).then(|| format!("release {} of {repo} is gone", release.tag_name));
        self.get_all(&url, |v| v.as_array().cloned(), &explain)
            .await
    }

    /// Downloads an asset into `dir` (as its name), streamed, its size held to the declared
    /// one and its SHA-256 to GitHub's `digest` when given. Written to a temporary file and
    /// renamed: a failed download leaves nothing behind.
    pub async fn download_asset(&self, asset: &Asset, dir: &Path) -> Result<Downloaded, ApiError> {
        let fail = |reason: String| ApiError::Download {
            name: asset.name.clone(),
            reason,
        };
        safe_asset_name(&asset.name).map_err(fail)?;
        if origin(&asset.url) != origin(&self.api) {
            return Err(fail(format!(
                "its URL is not on the API host {}",
                origin(&self.api)
            )));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.download_once(asset, dir).await {
                Ok(d) => return Ok(d),
                // A cut-off transfer may be transient; anything else (too large, wrong
                // digest, an HTTP error after retries) is not retried here.
                Err(Retryable::Yes(reason)) if attempt < self.retry.attempts => {
                    let _ = reason;
                    self.backoff(attempt).await;
                }
                Err(Retryable::Yes(reason)) | Err(Retryable::No(reason)) => {
                    return Err(fail(reason));
                }
                Err(Retryable::Api(e)) => return Err(e),
            }
        }
    }

    async fn download_once(&self, asset: &Asset, dir: &Path) -> Result<Downloaded, Retryable> {
        let resp = self
            .send(
                Method::GET,
                &asset.url,
                "application/octet-stream",
                None,
                true,
            )
            .await
            .map_err(Retryable::Api)?;
        if !resp.status().is_success() {
            let status = resp.status().as_u16();
            return Err(Retryable::No(format!(
                "HTTP {status}: {}",
                error_message(resp).await
            )));
        }
        if let Some(len) = resp.content_length()
            && len > asset.size
        {
            return Err(Retryable::No(format!(
                "it is larger than the {} bytes the release declares (the server sends {len})",
                asset.size
            )));
        }
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
            Retryable::No(format!("couldn't create a file in {}: {e}", dir.display()))
        })?;
        let mut hasher = Sha256::new();
        let mut got: u64 = 0;
        let mut resp = resp;
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    return Err(Retryable::Yes(format!(
                        "truncated: the transfer broke off after {got} of the {} bytes declared ({})",
                        asset.size,
                        e.without_url()
                    )));
                }
            };
            got += chunk.len() as u64;
            if got > asset.size {
                return Err(Retryable::No(format!(
                    "it is larger than the {} bytes the release declares",
                    asset.size
                )));
            }
            hasher.update(&chunk);
            tmp.write_all(&chunk)
                .map_err(|e| Retryable::No(format!("couldn't write it: {e}")))?;
        }
        if got < asset.size {
            return Err(Retryable::Yes(format!(
                "truncated: got {got} of the {} bytes the release declares",
                asset.size
            )));
        }
        let sha256 = hex::encode(hasher.finalize());
        if let Some(d) = &asset.digest
            && let Some(hex) = d.strip_prefix("sha256:")
            && !hex.eq_ignore_ascii_case(&sha256)
        {
            return Err(Retryable::No(format!(
                "its content (sha256:{sha256}) is not the {d} GitHub recorded for it"
            )));
        }
        let path = dir.join(&asset.name);
        tmp.persist(&path).map_err(|e| {
            Retryable::No(format!("couldn't write {}: {}", path.display(), e.error))
        })?;
        Ok(Downloaded {
            path,
            size: got,
            sha256,
        })
    }

    /// Uploads a file as a release asset to the release's `upload_url` (the uploads host the
    /// API named). `Ok(None)` when an asset of that name appeared meanwhile (422
    /// already_exists: a parallel job won the race); the caller compares contents.
    pub async fn upload_asset(
        &self,
        repo: &str,
        release: &Release,
        name: &str,
        bytes: &[u8],
    ) -> Result<Option<Asset>, ApiError> {
        let base = release
            .upload_url
            .split('{')
            .next()
            .unwrap_or_default()
            .to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ApiError::Response {
                path: format!("/repos/{repo}/releases/{}", release.id),
                reason: "the release has no upload_url".to_owned(),
            });
        }
        let url = format!("{base}?name={}", encode(name));
        let resp = self
            .send(
                Method::POST,
                &url,
                "application/vnd.github+json",
                Some(("application/octet-stream", bytes)),
                true,
            )
            .await?;
        if resp.status() == StatusCode::UNPROCESSABLE_ENTITY {
            let text = resp.text().await.unwrap_or_default();
            if text.contains("already_exists") {
                return Ok(None);
            }
            return Err(ApiError::Status {
                method: "POST".to_owned(),
                path: url,
                status: 422,
                message: text.chars().take(200).collect(),
            });
        }
        if !resp.status().is_success() {
            let explain = |s: u16| match s {
                401 => Some("the GitHub token was refused (401)".to_owned()),
                403 | 404 => Some(format!(
                    "token lacks contents: write on {repo}, needed to upload release assets (give the job `permissions: contents: write`)"
                )),
                _ => None,
            };
            return Err(Self::fail("POST", &url, resp, &explain).await);
        }
        let asset = resp.json::<Asset>().await.map_err(|e| ApiError::Response {
            path: url.clone(),
            reason: e.without_url().to_string(),
        })?;
        Ok(Some(asset))
    }

    /// Deletes a release asset (to replace it, with `overwrite`).
    pub async fn delete_asset(&self, repo: &str, asset: &Asset) -> Result<(), ApiError> {
        let url = self.url(&format!("/repos/{repo}/releases/assets/{}", asset.id));
        let resp = self
            .send(
                Method::DELETE,
                &url,
                "application/vnd.github+json",
                None,
                true,
            )
            .await?;
        if !resp.status().is_success() {
            let explain =
                |s: u16| (s == 403).then(|| format!("token lacks contents: write on {repo} (403)"));
            return Err(Self::fail("DELETE", &url, resp, &explain).await);
        }
        Ok(())
    }

    /// An asset's bytes in memory (at most its declared size), to compare contents.
    pub async fn asset_bytes(&self, asset: &Asset) -> Result<Vec<u8>, ApiError> {
        let dir = tempfile::tempdir().map_err(|source| ApiError::Write {
            path: std::env::temp_dir().display().to_string(),
            source,
        })?;
        let d = self.download_asset(asset, dir.path()).await?;
        let limit = crate::input_file::Limit::new("a release asset", asset.size);
        crate::input_file::read(&d.path, limit).map_err(|source| ApiError::Write {
            path: d.path.display().to_string(),
            source,
        })
    }

    /// Stores an attestation bundle (`POST /repos/{owner}/{repo}/attestations`); its id.
    pub async fn create_attestation(&self, repo: &str, bundle: &Value) -> Result<u64, ApiError> {
        let url = self.url(&format!("/repos/{repo}/attestations"));
        let body = serde_json::to_vec(&serde_json::json!({ "bundle": bundle })).map_err(|e| {
            ApiError::Response {
                path: url.clone(),
                reason: e.to_string(),
            }
        })?;
        let resp = self
            .send(
                Method::POST,
                &url,
                "application/vnd.github+json",
                Some(("application/json", &body)),
                true,
            )
            .await?;
        if !resp.status().is_success() {
            let explain = |s: u16| match s {
                401 => Some("the GitHub token was refused (401)".to_owned()),
                403 | 404 => Some(format!(
                    "token lacks attestations: write on {repo} (give the job `permissions: attestations: write`)"
                )),
                _ => None,
            };
            return Err(Self::fail("POST", &url, resp, &explain).await);
        }
        #[derive(Deserialize)]
        struct Created {
            id: u64,
        }
        let created: Created = resp.json().await.map_err(|e| ApiError::Response {
            path: url.clone(),
            reason: e.without_url().to_string(),
        })?;
        Ok(created.id)
    }

    /// The bundles stored for a digest (`sha256:<hex>`), every page. None found is empty.
    pub async fn attestations(&self, scope: &Scope, digest: &str) -> Result<Vec<Value>, ApiError> {
        let base = match scope {
            Scope::Repo(r) => format!("/repos/{r}/attestations/{}", encode(digest)),
            Scope::Org(o) => format!("/orgs/{}/attestations/{}", encode(o), encode(digest)),
        };
        let url = self.url(&format!("{base}?per_page=100"));
        #[derive(Deserialize)]
        struct Entry {
            bundle: Option<Value>,
            bundle_url: Option<String>,
        }
        let explain = |s: u16| match s {
            401 => Some("the GitHub token was refused (401)".to_owned()),
            403 => Some("the token may not read attestations here (attestations: read)".to_owned()),
            _ => None,
        };
        let entries: Result<Vec<Entry>, _> = self
            .get_all(
                &url,
                |v| v.get("attestations").and_then(Value::as_array).cloned(),
                &explain,
            )
            .await;
        let entries = match entries {
            Ok(e) => e,
            // GitHub answers 404 when it holds no attestation for the digest.
            Err(ApiError::Status { status: 404, .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for e in entries {
            match (e.bundle, e.bundle_url) {
                (Some(b), _) if !b.is_null() => out.push(b),
                (_, Some(u)) if !u.is_empty() => out.push(self.bundle_from_url(&u).await?),
                _ => {}
            }
        }
        Ok(out)
    }

    /// A bundle the listing names by `bundle_url` instead of holding it: snappy-compressed
    /// JSON in blob storage, fetched without the token (the URL carries its own signature,
    /// which no message repeats).
    async fn bundle_from_url(&self, url: &str) -> Result<Value, ApiError> {
        let shown = url.split(['?', '#']).next().unwrap_or_default().to_owned();
        let fail = |reason: String| ApiError::Response {
            path: shown.clone(),
            reason,
        };
        if !crate::url_rule::https_or_loopback(url) {
            return Err(fail(
                "a bundle URL that is neither https:// nor loopback".to_owned(),
            ));
        }
        let mut resp = self
            .send(Method::GET, url, "application/octet-stream", None, false)
            .await?;
        if !resp.status().is_success() {
            return Err(fail(format!("HTTP {}", resp.status().as_u16())));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| fail(e.without_url().to_string()))?
        {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_BUNDLE_BYTES {
                return Err(fail(format!("more than {MAX_BUNDLE_BYTES} bytes")));
            }
        }
        let len = snap::raw::decompress_len(&bytes)
            .map_err(|e| fail(format!("not snappy-compressed: {e}")))?;
        if len > MAX_BUNDLE_BYTES {
            return Err(fail(format!(
                "decompresses to {len} bytes, more than {MAX_BUNDLE_BYTES}"
            )));
        }
        let json = snap::raw::Decoder::new()
            .decompress_vec(&bytes)
            .map_err(|e| fail(format!("not snappy-compressed: {e}")))?;
        serde_json::from_slice(&json).map_err(|e| fail(format!("not a JSON bundle: {e}")))
    }
}

/// A bundle fetched from a `bundle_url`, compressed or not, is at most this large.
const MAX_BUNDLE_BYTES: usize = 32 * 1024 * 1024;

enum Retryable {
    Yes(String),
    No(String),
    Api(ApiError),
}

/// An asset name used as a file name: no separators, no `..`, nothing hidden.
pub fn safe_asset_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\', '\0'])
        || name.chars().any(char::is_control)
    {
        return Err(format!("{name:?} is not a safe file name"));
    }
    Ok(())
}

/// Percent-encodes a path segment.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let l = r#"<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last""#;
        assert_eq!(
            next_link(l).as_deref(),
            Some("https://api.github.com/x?page=2")
        );
        assert_eq!(next_link(r#"<https://a/x?page=1>; rel="prev""#), None);
    }

    #[test]
    fn names_and_repos() {
        assert!(safe_asset_name("app-1.0.tar.gz").is_ok());
        for bad in ["../x", "a/b", "..", ".hidden", "a\\b", ""] {
            assert!(safe_asset_name(bad).is_err(), "{bad}");
        }
        assert_eq!(encode("sha256:ab"), "sha256:ab");
        assert_eq!(encode("v1/x"), "v1%2Fx");
        assert_eq!(
            origin("http://127.0.0.1:8080/api/v3/x"),
            "http://127.0.0.1:8080"
        );
    }
}
