//! `osv-database` given as a URL: the export is downloaded (native build) into a cache keyed
//! by its SHA-256 (`<cache-dir>/osv/<sha256>.zip`), with an index from URL to the last digest.
//! With `osv-database-sha256` a cached file of that digest is used without any network, and a
//! download of other content is an error: the scan is reproducible.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::osv::OsvError;

#[cfg(feature = "native")]
mod net;

const INDEX: &str = "index.json";

/// Where and how a URL export is fetched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FetchOptions {
    /// `osv-cache-dir`; `None`: the default (see [`default_cache_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// `osv-database-sha256`: 64 lowercase hex digits.
    pub sha256: Option<String>,
}

/// Is `s` a URL rather than a path?
pub fn is_url(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// The URL as shown in errors and reports: no userinfo, no query or fragment (either may
/// carry a credential).
pub fn redact(url: &str) -> String {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let cut = rest.find(['?', '#']).unwrap_or(rest.len());
    let (main, tail) = rest.split_at(cut);
    let (authority, path) = main.split_at(main.find('/').unwrap_or(main.len()));
    let host = authority.rsplit('@').next().unwrap_or_default();
    let userinfo = if host.len() < authority.len() {
        "***@"
    } else {
        ""
    };
    let tail = if tail.is_empty() { "" } else { "?***" };
    format!("{scheme}://{userinfo}{host}{path}{tail}")
}

/// `https://` anywhere; `http://` only to a loopback host (tests). See `url_rule`.
pub fn check_url(url: &str) -> Result<(), OsvError> {
    if crate::url_rule::https_or_loopback(url) {
        return Ok(());
    }
    Err(OsvError::Fetch {
        url: redact(url),
        reason: "only https:// URLs are fetched (http:// only to a loopback address)".to_owned(),
    })
}

/// A digest as given (`<hex>` or `sha256:<hex>`), normalised to lowercase hex.
pub fn parse_sha256(raw: &str) -> Option<String> {
    let t = raw.trim();
    let hex = t.strip_prefix("sha256:").unwrap_or(t).to_ascii_lowercase();
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// `$RUNNER_TOOL_CACHE/attest-kit` in Actions, else `$XDG_CACHE_HOME/attest-kit`, else
/// `~/.cache/attest-kit`.
pub fn default_cache_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if get("GITHUB_ACTIONS").as_deref() == Some("true")
        && let Some(d) = get("RUNNER_TOOL_CACHE")
    {
        return Some(PathBuf::from(d).join("attest-kit"));
    }
    if let Some(d) = get("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("attest-kit"));
    }
    get("HOME").map(|h| PathBuf::from(h).join(".cache").join("attest-kit"))
}

/// Where a URL export came from this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Downloaded,
    /// The pinned digest was cached: no network.
    Cache,
    /// The server could not be reached; the URL's last cached export stood in.
    StaleCache,
}

/// A database to load: its local path, and for a URL where the file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub path: String,
    pub source: Option<Source>,
    /// Why the server could not be reached (`StaleCache`).
    pub note: Option<String>,
}

/// The local path to load for `database`: the path itself, or the cached download of a URL.
pub fn resolve(
    database: &str,
    opts: &FetchOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, OsvError> {
    let found = |p: &Path, source, note| Resolved {
        path: p.display().to_string(),
        source: Some(source),
        note,
    };
    if !is_url(database) {
        return Ok(Resolved {
            path: database.to_owned(),
            source: None,
            note: None,
        });
    }
    let url = database.trim();
    check_url(url)?;
    let fail = |reason: String| OsvError::Fetch {
        url: redact(url),
        reason,
    };
    let cache = match &opts.cache_dir {
        Some(d) => d.clone(),
        None => default_cache_dir(env).ok_or_else(|| {
            fail("no cache directory: set osv-cache-dir (or XDG_CACHE_HOME or HOME)".to_owned())
        })?,
    };
    let dir = cache.join("osv");
    // A pinned digest already cached: no network at all.
    if let Some(want) = &opts.sha256
        && let Some(p) = cached(&dir, want)
    {
        return Ok(found(&p, Source::Cache, None));
    }
    let fetched = download(url, &dir, opts.sha256.as_deref(), env);
    let digest = match fetched {
        Ok(d) => d,
        Err(Fallible::Offline(reason)) if opts.sha256.is_none() => {
            // Unreachable: the last export this URL gave, if it is still cached.
            match read_index(&dir).get(url).and_then(|d| cached(&dir, d)) {
                Some(p) => return Ok(found(&p, Source::StaleCache, Some(reason))),
                None => return Err(fail(reason)),
            }
        }
        Err(Fallible::Offline(reason) | Fallible::Fatal(reason)) => return Err(fail(reason)),
    };
    let mut index = read_index(&dir);
    index.insert(url.to_owned(), digest.clone());
    // The index is a convenience: a failure to record it does not fail the scan.
    let _ = crate::write::write_all(&[crate::write::PendingFile {
        path: dir.join(INDEX),
        bytes: serde_json::to_vec_pretty(&index).unwrap_or_default(),
    }]);
    Ok(found(
        &dir.join(format!("{digest}.zip")),
        Source::Downloaded,
        None,
    ))
}

/// A download that failed: `Offline` (network, 5xx: a cached copy may stand in) or `Fatal`.
#[derive(Debug)]
#[cfg_attr(not(feature = "native"), allow(dead_code))]
enum Fallible {
    Offline(String),
    Fatal(String),
}

#[cfg(feature = "native")]
fn download(
    url: &str,
    dir: &Path,
    want: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Fallible> {
    net::download(url, dir, want, env)
}

#[cfg(not(feature = "native"))]
fn download(
    _url: &str,
    _dir: &Path,
    want: Option<&str>,
    _env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Fallible> {
    // Offline: the last export cached for the URL may still stand in.
    Err(Fallible::Offline(match want {
        Some(d) => format!(
            "sha256:{d} is not in the cache, and this portable build does not download: use the native binary, or download all.zip first and pass its path"
        ),
        None => "this portable build does not download: use the native binary, or download all.zip first and pass its path".to_owned(),
    }))
}

/// `<dir>/<digest>.zip` when it exists and its content still has that digest.
fn cached(dir: &Path, digest: &str) -> Option<PathBuf> {
    let digest = parse_sha256(digest)?;
    let p = dir.join(format!("{digest}.zip"));
    let (f, _) = crate::input_file::open(&p).ok()?;
    let mut h = Sha256::new();
    let mut r = std::io::BufReader::new(f);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    (hex::encode(h.finalize()) == digest).then_some(p)
}

fn read_index(dir: &Path) -> BTreeMap<String, String> {
    crate::input_file::read(
        &dir.join(INDEX),
        crate::input_file::Limit::new("the OSV cache index", 16 << 20),
    )
    .ok()
    .and_then(|b| serde_json::from_slice(&b).ok())
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted() {
        assert_eq!(
            redact("https://u:secret@h.example/a/all.zip?token=x#f"),
            "https://***@h.example/a/all.zip?***"
        );
        assert_eq!(
            redact("https://h.example/all.zip"),
            "https://h.example/all.zip"
        );
    }

    #[test]
    fn digests() {
        let h = "a".repeat(64);
        assert_eq!(parse_sha256(&h), Some(h.clone()));
        assert_eq!(
            parse_sha256(&format!("sha256:{}", h.to_uppercase())),
            Some(h)
        );
        assert_eq!(parse_sha256("abc"), None);
    }

    #[test]
    fn cache_dir_defaults() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let a = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("RUNNER_TOOL_CACHE", "/opt/hostedtoolcache"),
            ("HOME", "/home/u"),
        ]);
        assert_eq!(
            default_cache_dir(&a),
            Some(PathBuf::from("/opt/hostedtoolcache/attest-kit"))
        );
        let b = env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/home/u")]);
        assert_eq!(default_cache_dir(&b), Some(PathBuf::from("/x/attest-kit")));
        let c = env(&[("HOME", "/home/u")]);
        assert_eq!(
            default_cache_dir(&c),
            Some(PathBuf::from("/home/u/.cache/attest-kit"))
        );
    }
}
