//! The download itself (native build): streamed to a temporary file in the cache directory,
//! held to the export size limit, retried with bounded backoff on 5xx and network errors,
//! renamed to `<sha256>.zip` only when complete (and, when pinned, of the pinned digest).

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::Fallible;
use crate::audit::osv::MAX_EXPORT_BYTES;

const USER_AGENT: &str = concat!("attest-kit/", env!("CARGO_PKG_VERSION"));
const ATTEMPTS: u32 = 4;

/// Downloads `url` into `dir`; returns the hex SHA-256 of what was stored.
pub(super) fn download(
    url: &str,
    dir: &Path,
    want: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Fallible> {
    // The URL as the HTTP client will read it must pass the same rule.
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Fallible::Fatal(format!("it is not a valid URL: {e}")))?;
    if super::check_url(parsed.as_str()).is_err() {
        return Err(Fallible::Fatal(
            "only https:// URLs are fetched (http:// only to a loopback address)".to_owned(),
        ));
    }
    let backoff = env("ATTEST_KIT_OSV_BACKOFF_MS")
        .and_then(|v| v.trim().parse().ok())
        .map_or(Duration::from_millis(500), Duration::from_millis);
    std::fs::create_dir_all(dir).map_err(|e| {
        Fallible::Fatal(format!(
            "couldn't create the cache directory {}: {e}",
            dir.display()
        ))
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Fallible::Fatal(format!("couldn't start the async runtime: {e}")))?;
    let http = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(60))
        // Every hop held to the same rule as the URL given: no downgrade to plain http.
        .redirect(reqwest::redirect::Policy::custom(|a| {
            if a.previous().len() >= 10 {
                a.error("too many redirects")
            } else if super::check_url(a.url().as_str()).is_err() {
                a.error("a redirect to a URL that is neither https:// nor loopback")
            } else {
                a.follow()
            }
        }))
        .build()
        .map_err(|e| Fallible::Fatal(format!("couldn't set up HTTP: {e}")))?;
    runtime.block_on(async {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match once(&http, parsed.clone(), dir, want).await {
                Err(Try::Again(_)) if attempt < ATTEMPTS => {
                    tokio::time::sleep(backoff * 2u32.pow(attempt - 1)).await;
                }
                Err(Try::Again(reason)) => {
                    return Err(Fallible::Offline(format!(
                        "{reason} (after {ATTEMPTS} attempts)"
                    )));
                }
                Err(Try::Stop(reason)) => return Err(Fallible::Fatal(reason)),
                Ok(d) => return Ok(d),
            }
        }
    })
}

enum Try {
    Again(String),
    Stop(String),
}

async fn once(
    http: &reqwest::Client,
    url: reqwest::Url,
    dir: &Path,
    want: Option<&str>,
) -> Result<String, Try> {
    let mut resp = http.get(url).send().await.map_err(|e| {
        if e.is_redirect() {
            Try::Stop(format!("redirect refused: {}", e.without_url()))
        } else {
            Try::Again(format!("couldn't connect: {}", e.without_url()))
        }
    })?;
    let status = resp.status();
    if status.is_server_error() {
        return Err(Try::Again(format!("HTTP {}", status.as_u16())));
    }
    if !status.is_success() {
        return Err(Try::Stop(format!("HTTP {}", status.as_u16())));
    }
    let declared = resp.content_length();
    if let Some(len) = declared
        && len > MAX_EXPORT_BYTES
    {
        return Err(Try::Stop(format!(
            "the server sends {len} bytes, over the {MAX_EXPORT_BYTES}-byte limit"
        )));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".attest-kit-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| Try::Stop(format!("couldn't create a file in {}: {e}", dir.display())))?;
    let _remove_on_signal = crate::write::RemoveOnSignal::new(tmp.path());
    let mut hasher = Sha256::new();
    let mut got: u64 = 0;
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                return Err(Try::Again(format!(
                    "truncated: the transfer broke off after {got} bytes ({})",
                    e.without_url()
                )));
            }
        };
        got += chunk.len() as u64;
        if got > MAX_EXPORT_BYTES {
            return Err(Try::Stop(format!(
                "it is over the {MAX_EXPORT_BYTES}-byte limit"
            )));
        }
        hasher.update(&chunk);
        tmp.write_all(&chunk)
            .map_err(|e| Try::Stop(format!("couldn't write it: {e}")))?;
    }
    if let Some(len) = declared
        && got != len
    {
        return Err(Try::Again(format!(
            "truncated: got {got} of the {len} bytes declared"
        )));
    }
    let digest = hex::encode(hasher.finalize());
    if let Some(w) = want
        && w != digest
    {
        return Err(Try::Stop(format!(
            "its content is sha256:{digest}, not the sha256:{w} osv-database-sha256 pins"
        )));
    }
    let path = dir.join(format!("{digest}.zip"));
    tmp.persist(&path).map_err(|e| {
        Try::Stop(format!(
            "couldn't store it as {}: {}",
            path.display(),
            e.error
        ))
    })?;
    Ok(digest)
}
