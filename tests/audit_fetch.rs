//! `osv-database` as a URL: downloaded into the cache by digest, against a fake OSV server
//! this file starts on 127.0.0.1 (std TcpListener, scripted answers). Only loopback.

#[allow(dead_code, unreachable_pub)]
#[path = "integration/common.rs"]
mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;

use common::Workspace;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn zip_path() -> String {
    repo()
        .join("tests/fixtures/osv/all.zip")
        .display()
        .to_string()
}

fn zip_bytes() -> Vec<u8> {
    std::fs::read(zip_path()).expect("fixture zip")
}

fn sbom() -> String {
    repo()
        .join("tests/fixtures/audit/sboms/edge-cases.cdx.json")
        .display()
        .to_string()
}

/// The portable build (run by `ATTEST_KIT_TEST_ENGINE=wasm`) does not download.
fn native() -> bool {
    std::env::var("ATTEST_KIT_TEST_ENGINE").as_deref() != Ok("wasm")
}

fn ok(body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn status(code: u16) -> Vec<u8> {
    format!("HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").into_bytes()
}

/// A fake OSV server: answers connection i with `script[i]` (the last one repeated) and
/// stops after `max` connections, closing its port.
struct Fake {
    url: String,
    served: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Fake {
    fn start(script: Vec<Vec<u8>>, max: usize) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let served = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&served);
        let thread = std::thread::spawn(move || {
            for i in 0..max {
                let Ok((mut s, _)) = listener.accept() else {
                    return;
                };
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = &script[i.min(script.len() - 1)];
                let _ = s.write_all(answer);
                let _ = s.flush();
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        Fake {
            url: format!("http://127.0.0.1:{port}/PyPI/all.zip"),
            served,
            thread: Some(thread),
        }
    }

    /// Waits until it has served its `max` connections; its port is closed after.
    fn finish(mut self) -> usize {
        if let Some(t) = self.thread.take() {
            t.join().expect("server thread");
        }
        self.served.load(Ordering::SeqCst)
    }
}

fn audit(ws: &Workspace, db: &str, extra: &[&str]) -> common::Run {
    let mut args = vec![
        "audit",
        "--format",
        "json",
        "--output-dir",
        "out",
        "--fail-on-severity",
        "none",
        "--osv-database",
        db,
    ];
    args.extend_from_slice(extra);
    let sbom = sbom();
    args.push(&sbom);
    ws.run(&args, &[("ATTEST_KIT_OSV_BACKOFF_MS", "1".to_owned())])
}

fn json(run: &common::Run) -> Value {
    serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("json: {e}\n{}\n{}", run.stdout(), run.stderr()))
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// The files in `<cache>/osv`, hidden temporaries included.
fn cached(cache: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(cache.join("osv"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn assert_clean_failure(run: &common::Run, needle: &str) {
    assert_eq!(run.code(), 1, "{}\n{}", run.stdout(), run.stderr());
    let text = format!("{}{}", run.stdout(), run.stderr());
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(needle)).collect();
    assert_eq!(lines.len(), 1, "one line saying {needle:?}:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn download_and_scan_equals_the_zip_from_disk_local_fake_osv_server() {
    if !native() {
        return;
    }
    let zip = zip_bytes();
    let digest = sha256_hex(&zip);
    let server = Fake::start(vec![ok(&zip)], 1);
    let url = server.url.clone();
    let ws = Workspace::new();
    let cache = ws.path().join("cache");
    let cache_s = cache.display().to_string();
    let fetched = audit(&ws, &url, &["--osv-cache-dir", &cache_s]);
    assert_eq!(fetched.code(), 0, "{}", fetched.stderr());
    assert_eq!(server.finish(), 1);
    let from_disk = audit(&ws, &zip_path(), &[]);
    let (a, b) = (json(&fetched), json(&from_disk));
    assert_eq!(a["scan"], b["scan"]);
    assert!(
        !a["scan"]["findings"]
            .as_array()
            .expect("findings")
            .is_empty()
    );
    assert_eq!(a["inputs"]["osv_digest"], format!("sha256:{digest}"));
    assert_eq!(a["inputs"]["osv_digest"], b["inputs"]["osv_digest"]);
    assert_eq!(a["inputs"]["osv_database"], url.as_str());
    assert_eq!(
        cached(&cache),
        vec![format!("{digest}.zip"), "index.json".to_owned()]
    );
    let index: Value =
        serde_json::from_slice(&std::fs::read(cache.join("osv/index.json")).expect("index"))
            .expect("index json");
    assert_eq!(index[url.as_str()], digest.as_str());
}

#[test]
fn second_run_is_a_cache_hit_with_the_server_gone_local_fake_osv_server() {
    if !native() {
        return;
    }
    let zip = zip_bytes();
    let digest = sha256_hex(&zip);
    let server = Fake::start(vec![ok(&zip)], 1);
    let url = server.url.clone();
    let ws = Workspace::new();
    let cache = ws.path().join("cache").display().to_string();
    let first = audit(&ws, &url, &["--osv-cache-dir", &cache]);
    assert_eq!(first.code(), 0, "{}", first.stderr());
    assert_eq!(server.finish(), 1, "the server is gone now");
    // Pinned: the cached copy, no network at all.
    let pinned = audit(
        &ws,
        &url,
        &["--osv-cache-dir", &cache, "--osv-database-sha256", &digest],
    );
    assert_eq!(pinned.code(), 0, "{}", pinned.stderr());
    assert_eq!(json(&pinned)["scan"], json(&first)["scan"]);
    assert_eq!(json(&first)["inputs"]["osv_source"], "downloaded");
    assert_eq!(json(&pinned)["inputs"]["osv_source"], "cache");
    // Unpinned: the server is unreachable, so the last export of this URL stands in.
    let unpinned = audit(&ws, &url, &["--osv-cache-dir", &cache]);
    assert_eq!(unpinned.code(), 0, "{}", unpinned.stderr());
    assert_eq!(
        json(&unpinned)["inputs"]["osv_digest"],
        format!("sha256:{digest}")
    );
    // The action's input, through INPUT_* as in a workflow, with the pinned digest.
    let run = ws.run(
        &["action"],
        &[
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("INPUT_COMMAND", "audit".to_owned()),
            ("INPUT_SBOM_PATH", sbom()),
            ("INPUT_OSV_DATABASE", url.clone()),
            ("INPUT_OSV_CACHE_DIR", cache.clone()),
            ("INPUT_OSV_DATABASE_SHA256", format!("sha256:{digest}")),
            ("INPUT_FAIL_ON_SEVERITY", "none".to_owned()),
            ("INPUT_OUTPUT_DIR", "action-out".to_owned()),
        ],
    );
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    assert!(ws.exists("action-out/audit.json"));
}

#[test]
fn osv_database_sha256_mismatch_fails_cleanly_local_fake_osv_server() {
    if !native() {
        return;
    }
    let server = Fake::start(vec![ok(&zip_bytes())], 1);
    let url = server.url.clone();
    let ws = Workspace::new();
    let cache = ws.path().join("cache");
    let cache_s = cache.display().to_string();
    let wrong = "0".repeat(64);
    let run = audit(
        &ws,
        &url,
        &["--osv-cache-dir", &cache_s, "--osv-database-sha256", &wrong],
    );
    assert_eq!(server.finish(), 1, "a mismatch is not retried");
    assert_clean_failure(&run, "osv-database-sha256 pins");
    assert!(
        cached(&cache).is_empty(),
        "nothing cached: {:?}",
        cached(&cache)
    );
    assert!(!ws.exists("out/audit.json"));
    // A digest that is not one is a configuration error.
    let bad = audit(&ws, &url, &["--osv-database-sha256", "abc"]);
    assert_clean_failure(&bad, "is not a SHA-256");
}

#[test]
fn a_500_then_success_is_retried_local_fake_osv_server() {
    if !native() {
        return;
    }
    let zip = zip_bytes();
    let server = Fake::start(vec![status(500), status(503), ok(&zip)], 3);
    let url = server.url.clone();
    let ws = Workspace::new();
    let cache = ws.path().join("cache");
    let cache_s = cache.display().to_string();
    let run = audit(&ws, &url, &["--osv-cache-dir", &cache_s]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(server.finish(), 3);
    assert!(cached(&cache).contains(&format!("{}.zip", sha256_hex(&zip))));
    // A 404 is not retried.
    let server = Fake::start(vec![status(404)], 1);
    let url = server.url.clone();
    let run = audit(&ws, &url, &["--osv-cache-dir", &cache_s]);
    assert_eq!(server.finish(), 1);
    assert_clean_failure(&run, "HTTP 404");
}

#[test]
fn a_truncated_or_oversized_body_fails_cleanly_local_fake_osv_server() {
    if !native() {
        return;
    }
    let zip = zip_bytes();
    let ws = Workspace::new();
    let cache = ws.path().join("cache");
    let cache_s = cache.display().to_string();
    // Declares the whole zip, sends half, closes: retried (bounded), then an error.
    let mut truncated = ok(&zip);
    truncated.truncate(truncated.len() - zip.len() / 2);
    let server = Fake::start(vec![truncated], 4);
    let url = server.url.clone();
    let run = audit(
        &ws,
        &url,
        &[
            "--osv-cache-dir",
            &cache_s,
            "--osv-database-sha256",
            &sha256_hex(&zip),
        ],
    );
    assert_eq!(server.finish(), 4, "bounded retries");
    assert_clean_failure(&run, "truncated");
    assert!(cached(&cache).is_empty(), "{:?}", cached(&cache));
    // Declares more than the export limit: refused before any body is read.
    let huge =
        b"HTTP/1.1 200 OK\r\nContent-Length: 600000000000\r\nConnection: close\r\n\r\nPK".to_vec();
    let server = Fake::start(vec![huge], 1);
    let url = server.url.clone();
    let run = audit(&ws, &url, &["--osv-cache-dir", &cache_s]);
    assert_eq!(server.finish(), 1, "not retried");
    assert_clean_failure(&run, "byte limit");
    assert!(cached(&cache).is_empty(), "{:?}", cached(&cache));
}

#[test]
fn a_non_loopback_http_url_is_refused_local_fake_osv_server() {
    let ws = Workspace::new();
    let cache = ws.path().join("cache");
    let cache_s = cache.display().to_string();
    // Refused before any connection: no network is touched.
    let run = audit(
        &ws,
        "http://osv.example.invalid/PyPI/all.zip",
        &["--osv-cache-dir", &cache_s],
    );
    assert_clean_failure(&run, "only https://");
    assert!(!cache.exists());
}

#[test]
fn a_redirect_off_https_and_loopback_is_refused_local_fake_osv_server() {
    if !native() {
        return;
    }
    let redirect = b"HTTP/1.1 302 Found\r\nLocation: http://osv.example.invalid/all.zip\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec();
    let server = Fake::start(vec![redirect], 1);
    let url = server.url.clone();
    let ws = Workspace::new();
    let cache = ws.path().join("cache");
    let cache_s = cache.display().to_string();
    let run = audit(&ws, &url, &["--osv-cache-dir", &cache_s]);
    assert_eq!(server.finish(), 1, "not retried");
    assert_clean_failure(&run, "redirect refused");
    assert!(cached(&cache).is_empty(), "{:?}", cached(&cache));
}

#[test]
fn the_default_cache_in_actions_is_the_runner_tool_cache_local_fake_osv_server() {
    if !native() {
        return;
    }
    let zip = zip_bytes();
    let digest = sha256_hex(&zip);
    let server = Fake::start(vec![ok(&zip)], 1);
    let url = server.url.clone();
    let ws = Workspace::new();
    let tool_cache = ws.path().join("toolcache");
    let run = ws.run(
        &["action"],
        &[
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("RUNNER_TOOL_CACHE", tool_cache.display().to_string()),
            ("HOME", ws.path().join("home").display().to_string()),
            ("INPUT_COMMAND", "sbom-diff".to_owned()),
            ("INPUT_OLD_SBOM", sbom()),
            ("INPUT_NEW_SBOM", sbom()),
            ("INPUT_OSV_DATABASE", url.clone()),
            ("INPUT_OUTPUT_DIR", "out".to_owned()),
        ],
    );
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(server.finish(), 1);
    assert!(
        tool_cache
            .join(format!("attest-kit/osv/{digest}.zip"))
            .is_file()
    );
    assert!(!ws.path().join("home/.cache").exists());
}
