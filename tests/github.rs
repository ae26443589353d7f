//! `verify-release` (and the GitHub API client under it) against a loopback fake GitHub API
//! (`tests/github-fake/server.py`: the API host plus a separate objects/uploads host, on
//! 127.0.0.1, started by each test). Never GitHub itself. The release's files are signed
//! against the loopback Sigstore of the signing tests (`tests/sigstore-stack`), which stays
//! up for the whole test binary: its Rekor is where `.sig` + `.crt` pairs are looked up.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const REPO: &str = "attest-kit/demo";
const TAG: &str = "v1.0.0";
const TOKEN: &str = "ghs_fakeTokenForLoopbackTests";
const SDIST: &str = "pulse-sdk-1.0.0.tar.gz";
const WHEEL: &str = "pulse_sdk-1.0.0-py3-none-any.whl";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn skip() -> bool {
    if std::env::var("ATTEST_KIT_SKIP_SIGSTORE_STACK").as_deref() == Ok("1") {
        eprintln!("note: ATTEST_KIT_SKIP_SIGSTORE_STACK=1; skipping the loopback GitHub test");
        return true;
    }
    false
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn first_line(child: &mut Child) -> Value {
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("server prints its address");
    serde_json::from_str(&line).expect("server info is JSON")
}

/// The release files, signed once for the whole test binary: the seed's layout plus a
/// signed SBOM for another digest (for the failure case) and the trusted root. The
/// loopback Sigstore lives as long as the test binary (it exits when its stdin closes).
struct Signed {
    dir: PathBuf,
    _stack: Child,
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn spdx(name: &str, sha: &str) -> String {
    json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": name, "documentNamespace": format!("https://example.com/spdx/{name}"),
        "creationInfo": {"created": "2025-01-01T00:00:00Z", "creators": ["Tool: syft-1.18.1"]},
        "packages": [{"SPDXID": "SPDXRef-Package", "name": name, "downloadLocation": "NOASSERTION",
            "checksums": [{"algorithm": "SHA256", "checksumValue": sha}]}]
    })
    .to_string()
}

fn cyclonedx(name: &str, sha: &str) -> String {
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "library", "name": name,
            "hashes": [{"alg": "SHA-256", "content": sha}]}},
        "components": [{"type": "library", "name": "requests", "version": "2.32.3"}]
    })
    .to_string()
}

fn sign_files(stack_url: &str, request_token: &str, trust: &Path, files: &[PathBuf], out: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{stack_url}/token"))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", request_token)
        .env("ATTEST_KIT_SIGSTORE_BACKOFF_MS", "20")
        .args(["sign", "--sign", "bundle,sig-crt"])
        .args(files)
        .arg("--signing-config")
        .arg(trust.join("signing_config.json"))
        .arg("--trusted-root")
        .arg(trust.join("trusted_root.json"))
        .arg("--output-dir")
        .arg(out)
        .output()
        .expect("run attest-kit sign");
    assert!(
        out.status.success(),
        "sign failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn signed() -> &'static Signed {
    static SIGNED: OnceLock<Signed> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("github-release-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let good = dir.join("good");
        let bad = dir.join("bad");
        let stack_dir = dir.join("stack");
        for d in [&good, &bad, &stack_dir] {
            std::fs::create_dir_all(d).expect("fixture dirs");
        }
        let sdist = b"sdist bytes of pulse-sdk 1.0.0".to_vec();
        let wheel = b"wheel bytes of pulse_sdk 1.0.0".to_vec();
        let (s, w) = (sha256(&sdist), sha256(&wheel));
        let files: Vec<(&str, Vec<u8>)> = vec![
            (SDIST, sdist),
            (WHEEL, wheel),
            ("sbom-source.spdx.json", spdx(SDIST, &s).into_bytes()),
            ("sbom-source.cyclonedx.json", cyclonedx(SDIST, &s).into_bytes()),
            ("sbom-wheel.spdx.json", spdx(WHEEL, &w).into_bytes()),
            ("sbom-wheel.cyclonedx.json", cyclonedx(WHEEL, &w).into_bytes()),
            (
                "build-provenance.json",
                json!({"buildType": "https://github.com/attest-kit/demo/.github/workflows/release.yml@refs/tags/v1.0.0",
                    "builder": {"id": "https://github.com/actions/runner/github-hosted"},
                    "invocation": {"configSource": {"uri": "git+https://github.com/attest-kit/demo@refs/tags/v1.0.0",
                        "digest": {"sha1": "0123456789abcdef0123456789abcdef01234567"},
                        "entryPoint": ".github/workflows/release.yml"}},
                    "metadata": {"buildInvocationId": "1-1", "reproducible": false}})
                .to_string()
                .into_bytes(),
            ),
        ];
        let mut paths = Vec::new();
        for (name, body) in &files {
            let p = good.join(name);
            std::fs::write(&p, body).expect("write release file");
            paths.push(p);
        }
        let other = bad.join("sbom-wheel.spdx.json");
        std::fs::write(&other, spdx(WHEEL, &"e".repeat(64))).expect("write bad sbom");

        assert!(
            root().join("tests/sigstore-stack/node_modules/@sigstore/mock").is_dir(),
            "tests/sigstore-stack/node_modules is missing: run `npm ci` there (scripts/test.sh does)"
        );
        let (stack, url, request_token) = start_stack(&stack_dir);
        sign_files(&url, &request_token, &stack_dir, &paths, &good);
        sign_files(&url, &request_token, &stack_dir, &[other], &bad);
        // Never dropped: the stack exits when the test binary does (its stdin closes).
        Signed { dir, _stack: stack }
    })
}

/// The loopback Sigstore (wrap it in `Proc` to kill it on drop), its URL and the OIDC
/// request token.
fn start_stack(dir: &Path) -> (Child, String, String) {
    let mut child = Command::new("node")
        .arg(root().join("tests/sigstore-stack/server.js"))
        .arg("--dir")
        .arg(dir)
        .arg("--exit-with-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs the loopback Sigstore");
    let info = first_line(&mut child);
    let url = info["url"].as_str().unwrap_or_default().to_owned();
    let request_token = info["requestToken"].as_str().unwrap_or_default().to_owned();
    (child, url, request_token)
}

impl Signed {
    fn good(&self) -> PathBuf {
        self.dir.join("good")
    }
    fn trusted_root(&self) -> PathBuf {
        self.dir.join("stack/trusted_root.json")
    }
}

/// The fake GitHub, serving `releases/attest-kit/demo/v1.0.0/` from a fresh directory.
struct Fake {
    _proc: Proc,
    dir: tempfile::TempDir,
    api: String,
}

fn fake(extra: &[&str]) -> Fake {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new("python3")
        .arg(root().join("tests/github-fake/server.py"))
        .arg("--dir")
        .arg(dir.path())
        .args(["--token", TOKEN])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs the loopback GitHub");
    let info = first_line(&mut child);
    Fake {
        api: info["api"].as_str().unwrap_or_default().to_owned(),
        _proc: Proc(child),
        dir,
    }
}

impl Fake {
    fn release_dir(&self) -> PathBuf {
        self.dir.path().join("releases").join(REPO).join(TAG)
    }

    /// Publishes the signed files (bundles, and .sig/.crt pairs) as the release's assets.
    fn publish(&self, from: &Path) {
        self.publish_if(from, |_| true);
    }

    /// Publishes exactly the seed's layout: each file with its .sig and .crt, no bundles.
    fn publish_seed(&self, from: &Path) {
        self.publish_if(from, |name| !name.ends_with(".sigstore.json"));
    }

    fn publish_if(&self, from: &Path, keep: impl Fn(&str) -> bool) {
        let to = self.release_dir();
        std::fs::create_dir_all(&to).expect("release dir");
        for e in std::fs::read_dir(from).expect("signed files").flatten() {
            if keep(&e.file_name().to_string_lossy()) {
                std::fs::copy(e.path(), to.join(e.file_name())).expect("copy asset");
            }
        }
    }

    fn call(&self, method: &str, path: &str, body: &str) -> Value {
        let addr = self.api.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("connect to the fake");
        let _ = write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut text = String::new();
        let _ = s.read_to_string(&mut text);
        let body = text.split("\r\n\r\n").nth(1).unwrap_or("{}");
        serde_json::from_str(body).unwrap_or(Value::Null)
    }

    fn faults(&self, f: Value) {
        self.call("POST", "/__faults", &f.to_string());
    }

    fn stats(&self) -> Value {
        self.call("GET", "/__stats", "")
    }

    fn verify_release(&self, out_dir: &Path, tag: &str, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_attest-kit"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_API_URL", &self.api)
            .env("GITHUB_TOKEN", TOKEN)
            .env("ATTEST_KIT_GITHUB_BACKOFF_MS", "10")
            .args(["verify-release", tag, "--repo", REPO, "--format", "json"])
            .arg("--trusted-root")
            .arg(signed().trusted_root())
            .arg("--output-dir")
            .arg(out_dir)
            .args(extra)
            .output()
            .expect("run attest-kit verify-release")
    }
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): exit {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn rows<'a>(r: &'a Value, key: &str) -> &'a [Value] {
    r[key].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn failure_of<'a>(r: &'a Value, key: &str, field: &str, name: &str) -> Option<&'a Value> {
    // The first failing row for `name` (a file has a row per bundle or .sig).
    rows(r, key)
        .iter()
        .filter(|row| row[field] == name)
        .map(|row| &row["failure"])
        .find(|f| !f.is_null())
}

#[test]
fn verify_release_local_fake_github_seed_layout_all_good() {
    if skip() {
        return;
    }
    // Four assets a page: the 21 assets come over six pages of Link headers.
    let fake = fake(&["--max-per-page", "4"]);
    fake.publish_seed(&signed().good());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = fake.verify_release(&out_dir.path().join("dl"), TAG, &[]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert_eq!(r["verified"], true);
    assert_eq!(rows(&r, "assets").len(), 21);
    // Seven signed files (sdist, wheel, four SBOMs, build-provenance.json), each with only a
    // .sig/.crt pair, as the seed publishes them: each pair's signing time comes from its
    // entry in the loopback Rekor, found by the file's digest.
    let sigs = rows(&r, "signatures");
    assert_eq!(sigs.len(), 7, "{r:#}");
    for s in sigs {
        assert!(s["failure"].is_null(), "{s}");
        assert!(
            s["bundle"].as_str().is_some_and(|b| b.ends_with(".sig")),
            "{s}"
        );
        assert!(s["logIndex"].is_u64(), "{s}");
        assert_eq!(
            s["identity"],
            "https://github.com/attest-kit/demo/.github/workflows/release.yml@refs/heads/main"
        );
    }
    let sboms = rows(&r, "sboms");
    assert_eq!(sboms.len(), 4);
    let wheel_sbom = sboms.iter().find(|s| s["sbom"] == "sbom-wheel.spdx.json");
    assert_eq!(wheel_sbom.map(|s| &s["describes"]), Some(&json!([WHEEL])));
    assert_eq!(rows(&r, "provenance").len(), 1);
    assert!(rows(&r, "provenance")[0]["note"].is_string());
    assert_eq!(r["uncovered"], json!([]));
    assert_eq!(r["withoutSbom"], json!([]));
    let stats = fake.stats();
    assert_eq!(stats["downloads"], 21);
    // The token goes to the API host only, never to the objects host redirected to.
    assert_eq!(stats["token_on_objects"], false);
}

#[test]
fn verify_release_local_fake_github_offline_accepts_pairs_only_where_a_bundle_vouches() {
    if skip() {
        return;
    }
    // Bundles and pairs: offline, each pair is accepted as the same signature as its
    // verified bundle.
    let both = fake(&[]);
    both.publish(&signed().good());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = both.verify_release(&out_dir.path().join("dl"), TAG, &["--offline"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    let sigs = rows(&r, "signatures");
    assert_eq!(sigs.len(), 14, "{r:#}");
    assert!(sigs.iter().all(|s| s["failure"].is_null()), "{r:#}");
    let vouched = sigs
        .iter()
        .filter(|s| {
            s["bundle"]
                .as_str()
                .is_some_and(|b| b.contains("(+ .crt, as in "))
        })
        .count();
    assert_eq!(vouched, 7, "{r:#}");

    // Pairs alone, offline: nothing proves when they were signed.
    let seed = fake(&[]);
    seed.publish_seed(&signed().good());
    let out = seed.verify_release(&out_dir.path().join("dl2"), TAG, &["--offline"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let sigs = rows(&r, "signatures");
    assert_eq!(sigs.len(), 7, "{r:#}");
    for s in sigs {
        assert_eq!(s["failure"]["check"], "timestamp", "{s}");
        assert!(
            s["failure"]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("--offline")),
            "{s}"
        );
    }
}

#[test]
fn verify_release_local_fake_github_reports_tampered_wheel_missing_cert_and_foreign_sbom() {
    if skip() {
        return;
    }
    let fake = fake(&[]);
    fake.publish_seed(&signed().good());
    let rel = fake.release_dir();
    std::fs::write(rel.join(WHEEL), b"tampered wheel").expect("tamper");
    std::fs::remove_file(rel.join(format!("{SDIST}.crt"))).expect("drop certificate");
    for ext in ["", ".sig", ".crt"] {
        std::fs::copy(
            signed()
                .dir
                .join("bad")
                .join(format!("sbom-wheel.spdx.json{ext}")),
            rel.join(format!("sbom-wheel.spdx.json{ext}")),
        )
        .expect("foreign sbom");
    }
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = fake.verify_release(&out_dir.path().join("dl"), TAG, &[]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert_eq!(r["verified"], false);
    // The tampered wheel's digest is in no log entry.
    let wheel = failure_of(&r, "signatures", "artifact", WHEEL).expect("wheel fails");
    assert_eq!(wheel["check"], "transparency-log", "{wheel}");
    assert!(
        wheel["reason"]
            .as_str()
            .is_some_and(|r| r.contains("has no entry for sha256:")),
        "{wheel}"
    );
    let sdist = failure_of(&r, "signatures", "artifact", SDIST).expect("sdist fails");
    assert_eq!(sdist["check"], "bundle", "{sdist}");
    assert!(
        sdist["reason"]
            .as_str()
            .unwrap_or_default()
            .contains(".crt"),
        "{sdist}"
    );
    // The foreign SBOM is signed correctly: only its content check fails.
    assert!(failure_of(&r, "signatures", "artifact", "sbom-wheel.spdx.json").is_none());
    let sbom = failure_of(&r, "sboms", "sbom", "sbom-wheel.spdx.json").expect("sbom fails");
    assert!(sbom.as_str().unwrap_or_default().contains(WHEEL), "{sbom}");
    // Everything else still verifies.
    for name in [
        "sbom-source.spdx.json",
        "sbom-source.cyclonedx.json",
        "build-provenance.json",
    ] {
        assert!(
            failure_of(&r, "signatures", "artifact", name).is_none(),
            "{name}"
        );
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("release verification failed"), "{stderr}");
}

#[test]
fn verify_release_local_fake_github_pair_with_another_signature_is_refused() {
    if skip() {
        return;
    }
    // The wheel's .sig swapped for the sdist's: its Rekor entries (by the wheel's digest)
    // hold another signature, so the pair finds no entry.
    let fake = fake(&[]);
    fake.publish_seed(&signed().good());
    let rel = fake.release_dir();
    std::fs::copy(
        rel.join(format!("{SDIST}.sig")),
        rel.join(format!("{WHEEL}.sig")),
    )
    .expect("swap signature");
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = fake.verify_release(&out_dir.path().join("dl"), TAG, &[]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let wheel = failure_of(&r, "signatures", "artifact", WHEEL).expect("wheel fails");
    assert_eq!(wheel["check"], "transparency-log", "{wheel}");
    assert!(
        wheel["reason"]
            .as_str()
            .is_some_and(|r| r.contains("holds this signature and certificate")),
        "{wheel}"
    );
    assert!(failure_of(&r, "signatures", "artifact", SDIST).is_none());
}

#[test]
fn verify_release_local_fake_github_retries_5xx_and_waits_out_429() {
    if skip() {
        return;
    }
    let fake = fake(&[]);
    fake.publish(&signed().good());
    // Two 502s, a 429 with Retry-After: 1, an exhausted x-ratelimit budget that resets in
    // 1 s, and a wheel download cut off once: all waited out or retried.
    fake.faults(json!({"fail5xx": 2, "rate429": 1, "truncate": WHEEL, "truncate_count": 1}));
    let out_dir = tempfile::tempdir().expect("temp dir");
    let started = std::time::Instant::now();
    let out = fake.verify_release(&out_dir.path().join("dl"), TAG, &[]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    // Retry-After: 1 was honoured.
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));

    fake.faults(json!({"ratelimit_reset_in": 1}));
    let started = std::time::Instant::now();
    let out = fake.verify_release(&out_dir.path().join("dl2"), TAG, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    // The cut-off wheel was fetched again.
    assert_eq!(fake.stats()["downloads"], 29 + 28);
}

#[test]
fn verify_release_local_fake_github_download_faults_are_reported() {
    if skip() {
        return;
    }
    let fake = fake(&[]);
    fake.publish(&signed().good());
    fake.faults(json!({"truncate": WHEEL, "truncate_count": 100, "oversize": SDIST}));
    let out_dir = tempfile::tempdir().expect("temp dir");
    let dl = out_dir.path().join("dl");
    let out = fake.verify_release(&dl, TAG, &[]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let wheel = failure_of(&r, "assets", "name", WHEEL);
    assert!(wheel.is_none(), "asset rows carry `error`, not `failure`");
    let err = |name: &str| {
        rows(&r, "assets")
            .iter()
            .find(|a| a["name"] == name)
            .and_then(|a| a["error"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(err(WHEEL).contains("truncated"), "{}", err(WHEEL));
    assert!(err(SDIST).contains("larger than"), "{}", err(SDIST));
    // No half-written file is left behind.
    assert!(!dl.join(WHEEL).exists() && !dl.join(SDIST).exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dl)
        .expect("download dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn verify_release_local_fake_github_explains_404_rate_limit_and_bad_token() {
    if skip() {
        return;
    }
    let fake = fake(&[]);
    fake.publish(&signed().good());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = fake.verify_release(&out_dir.path().join("a"), "v9.9.9", &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no release v9.9.9 in attest-kit/demo"),
        "{stderr}"
    );

    fake.faults(json!({"ratelimit_reset_in": 3600}));
    let out = fake.verify_release(&out_dir.path().join("b"), TAG, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rate limit"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("GITHUB_API_URL", &fake.api)
        .env("GITHUB_TOKEN", "wrong")
        .args(["verify-release", TAG, "--repo", REPO])
        .arg("--output-dir")
        .arg(out_dir.path().join("c"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("401"), "{stderr}");
    assert!(
        !stderr.contains("wrong"),
        "the token is never printed: {stderr}"
    );

    // In Actions the token is masked before any request.
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_API_URL", &fake.api)
        .env("GITHUB_TOKEN", TOKEN)
        .args(["verify-release", "v9.9.9", "--repo", REPO])
        .arg("--output-dir")
        .arg(out_dir.path().join("d"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("::add-mask::{TOKEN}")), "{stdout}");
    assert!(stdout.contains("::error"), "{stdout}");
    assert_eq!(stdout.matches(TOKEN).count(), 1, "{stdout}");

    // A non-empty download directory is refused before anything is fetched.
    let used = out_dir.path().join("used");
    std::fs::create_dir_all(&used).expect("dir");
    std::fs::write(used.join(format!("{SDIST}.crt")), "stale").expect("stale file");
    let out = fake.verify_release(&used, TAG, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

#[test]
fn attest_push_to_local_fake_github_then_verify_from_github_round_trips() {
    if skip() {
        return;
    }
    let fake = fake(&["--max-per-page", "1"]);
    let work = tempfile::tempdir().expect("temp dir");
    let stack_dir = work.path().join("stack");
    std::fs::create_dir_all(&stack_dir).expect("stack dir");
    let (stack, url, request_token) = start_stack(&stack_dir);
    let _stack = Proc(stack);
    let files: Vec<PathBuf> = [(SDIST, "sdist"), (WHEEL, "wheel")]
        .iter()
        .map(|(n, body)| {
            let p = work.path().join(n);
            std::fs::write(&p, body).expect("artifact");
            p
        })
        .collect();
    let gh_output = work.path().join("github_output");
    std::fs::write(&gh_output, "").expect("output file");
    let attest = |single: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_attest-kit"));
        // Not a git checkout: --allow-local then records no source the certificate contradicts,
        // wherever the test suite runs.
        c.current_dir(work.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{url}/token"))
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &request_token)
            .env("ATTEST_KIT_SIGSTORE_BACKOFF_MS", "20")
            .env("GITHUB_API_URL", &fake.api)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_OUTPUT", &gh_output)
            .arg("attest")
            .args(&files)
            .args([
                "--allow-local",
                "--sign",
                "attestations",
                "--push-to-github",
            ])
            .arg("--signing-config")
            .arg(stack_dir.join("signing_config.json"))
            .arg("--trusted-root")
            .arg(stack_dir.join("trusted_root.json"))
            .arg("--output-dir")
            .arg(work.path().join(if single { "one" } else { "all" }));
        if single {
            c.arg("--single-subject-attestations");
        }
        c.output().expect("run attest")
    };
    // One attestation for both files, then one per file: three stored bundles.
    for single in [false, true] {
        let out = attest(single);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(fake.stats()["attestation_posts"], 3);
    let outputs = std::fs::read_to_string(&gh_output).expect("outputs");
    assert!(outputs.contains("attestation-ids"), "{outputs}");
    assert!(
        outputs.contains("https://github.com/attest-kit/demo/attestations/1"),
        "{outputs}"
    );

    let verify = |source: &str| {
        Command::new(env!("CARGO_BIN_EXE_attest-kit"))
            .env_clear()
            .env("GITHUB_API_URL", &fake.api)
            .env("GITHUB_TOKEN", TOKEN)
            .env("ATTEST_KIT_GITHUB_BACKOFF_MS", "10")
            .arg("verify")
            .args(&files)
            .args(["--from-github", source, "--format", "json"])
            .arg("--trusted-root")
            .arg(stack_dir.join("trusted_root.json"))
            .args([
                "--certificate-identity",
                "https://github.com/attest-kit/demo/.github/workflows/release.yml@refs/heads/main",
                "--certificate-oidc-issuer",
                "https://token.actions.githubusercontent.com",
            ])
            .output()
            .expect("run verify")
    };
    // The repository form and the organisation form; one bundle a page, so every listing
    // follows Link headers.
    for source in [REPO, "attest-kit"] {
        let out = verify(source);
        let r = report(&out);
        assert_eq!(out.status.code(), Some(0), "{r:#}");
        let results = rows(&r, "results");
        // Each file: the shared attestation and its own.
        assert_eq!(results.len(), 4, "{r:#}");
        assert!(results.iter().all(|x| {
            x["bundle"]
                .as_str()
                .is_some_and(|b| b.starts_with(&format!("github:{source}#")))
        }));
    }
    // As GitHub answers today: each listing entry names its bundle by a signed `bundle_url`
    // on another host (snappy-compressed), fetched without the token.
    fake.faults(json!({"bundle_urls": true}));
    let before = fake.stats()["objects"].as_u64().unwrap_or_default();
    let out = verify(REPO);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert_eq!(rows(&r, "results").len(), 4, "{r:#}");
    let stats = fake.stats();
    assert!(
        stats["objects"].as_u64().unwrap_or_default() >= before + 3,
        "{stats}"
    );
    assert_eq!(stats["token_on_objects"], false);
    fake.faults(json!({"bundle_urls": false}));
    // A digest GitHub holds nothing for fails by name.
    let other = work.path().join("other.bin");
    std::fs::write(&other, "other").expect("other");
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("GITHUB_API_URL", &fake.api)
        .env("GITHUB_TOKEN", TOKEN)
        .arg("verify")
        .arg(&other)
        .args(["--from-github", REPO, "--format", "json"])
        .args([
            "--certificate-identity",
            "x",
            "--certificate-oidc-issuer",
            "y",
        ])
        .output()
        .expect("run verify");
    assert_eq!(out.status.code(), Some(1));
    let r = report(&out);
    assert!(
        rows(&r, "results")[0]["failure"]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("no attestation")),
        "{r:#}"
    );
}

#[test]
fn push_to_local_fake_github_without_attestations_write_is_explained() {
    if skip() {
        return;
    }
    let fake = fake(&["--readonly-token"]);
    let work = tempfile::tempdir().expect("temp dir");
    let stack_dir = work.path().join("stack");
    std::fs::create_dir_all(&stack_dir).expect("stack dir");
    let (stack, url, request_token) = start_stack(&stack_dir);
    let _stack = Proc(stack);
    let file = work.path().join(SDIST);
    std::fs::write(&file, "sdist").expect("artifact");
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{url}/token"))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &request_token)
        .env("GITHUB_API_URL", &fake.api)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .arg("attest")
        .arg(&file)
        .args([
            "--allow-local",
            "--sign",
            "attestations",
            "--push-to-github",
        ])
        .arg("--signing-config")
        .arg(stack_dir.join("signing_config.json"))
        .arg("--trusted-root")
        .arg(stack_dir.join("trusted_root.json"))
        .arg("--output-dir")
        .arg(work.path().join("out"))
        .output()
        .expect("run attest");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("token lacks attestations: write"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

#[test]
fn upload_release_assets_to_local_fake_github_identical_kept_different_refused_unless_overwrite() {
    if skip() {
        return;
    }
    let fake = fake(&[]);
    std::fs::create_dir_all(fake.release_dir()).expect("empty release");
    let work = tempfile::tempdir().expect("temp dir");
    let file = work.path().join(SDIST);
    std::fs::write(&file, "sdist v1").expect("artifact");
    let attest = |out: &str, extra: &[&str], token: &str| {
        Command::new(env!("CARGO_BIN_EXE_attest-kit"))
            .env_clear()
            .env("GITHUB_API_URL", &fake.api)
            .env("GITHUB_TOKEN", token)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_REF", format!("refs/tags/{TAG}"))
            // On release events uploading is the default.
            .env("GITHUB_EVENT_NAME", "release")
            .env("ATTEST_KIT_GITHUB_BACKOFF_MS", "10")
            .arg("attest")
            .arg(&file)
            .arg("--allow-local")
            .arg("--output-dir")
            .arg(work.path().join(out))
            .args(extra)
            .output()
            .expect("run attest")
    };
    let out = attest("a", &[], TOKEN);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(fake.release_dir())
        .expect("release")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let written: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(work.path().join("a"))
            .expect("written")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names, written);
    let uploads = fake.stats()["uploads"].clone();

    // The same files again: left alone, nothing uploaded.
    let out = attest("b", &[], TOKEN);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fake.stats()["uploads"], uploads);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("unchanged")
            || String::from_utf8_lossy(&out.stderr).contains("unchanged")
    );

    // Different content under the same names: refused, then replaced with overwrite.
    std::fs::write(&file, "sdist v2").expect("artifact");
    let out = attest("c", &[], TOKEN);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exists with different content"),
        "{stderr}"
    );
    let out = attest("d", &["--overwrite"], TOKEN);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sums = std::fs::read_to_string(fake.release_dir().join("SHA256SUMS")).unwrap_or_default();
    let want = std::fs::read_to_string(work.path().join("d/SHA256SUMS")).unwrap_or_default();
    assert_eq!(sums, want);

    // Explicitly off: nothing is contacted.
    let before = fake.stats()["api"].clone();
    let out = attest("e", &["--upload-release-assets", "false"], TOKEN);
    assert!(out.status.success());
    assert_eq!(fake.stats()["api"], before);
}

#[test]
fn upload_release_assets_to_local_fake_github_without_contents_write_is_explained() {
    if skip() {
        return;
    }
    let fake = fake(&["--readonly-token"]);
    std::fs::create_dir_all(fake.release_dir()).expect("empty release");
    let work = tempfile::tempdir().expect("temp dir");
    let file = work.path().join(SDIST);
    std::fs::write(&file, "sdist").expect("artifact");
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("GITHUB_API_URL", &fake.api)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_REF", format!("refs/tags/{TAG}"))
        .arg("attest")
        .arg(&file)
        .args(["--allow-local", "--upload-release-assets", "--output-dir"])
        .arg(work.path().join("out"))
        .output()
        .expect("run attest");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("contents: write"), "{stderr}");
}

#[test]
fn sign_uploads_signatures_to_the_local_fake_github_release_then_verify_release_passes() {
    if skip() {
        return;
    }
    let fake = fake(&[]);
    let rel = fake.release_dir();
    std::fs::create_dir_all(&rel).expect("release");
    let work = tempfile::tempdir().expect("temp dir");
    let stack_dir = work.path().join("stack");
    std::fs::create_dir_all(&stack_dir).expect("stack dir");
    let (stack, url, request_token) = start_stack(&stack_dir);
    let _stack = Proc(stack);
    // The artifacts are on the release already (a build job put them there).
    let files: Vec<PathBuf> = [(SDIST, "sdist"), (WHEEL, "wheel")]
        .iter()
        .map(|(n, body)| {
            let p = work.path().join(n);
            std::fs::write(&p, body).expect("artifact");
            std::fs::write(rel.join(n), body).expect("release artifact");
            p
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{url}/token"))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &request_token)
        .env("GITHUB_API_URL", &fake.api)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_REF", format!("refs/tags/{TAG}"))
        .env("GITHUB_EVENT_NAME", "release")
        .arg("sign")
        .args(&files)
        .arg("--signing-config")
        .arg(stack_dir.join("signing_config.json"))
        .arg("--trusted-root")
        .arg(stack_dir.join("trusted_root.json"))
        .arg("--output-dir")
        .arg(work.path().join("out"))
        .output()
        .expect("run sign");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for n in [SDIST, WHEEL] {
        for ext in [".sig", ".crt", ".sigstore.json"] {
            assert!(rel.join(format!("{n}{ext}")).is_file(), "{n}{ext}");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("GITHUB_API_URL", &fake.api)
        .env("GITHUB_TOKEN", TOKEN)
        .args(["verify-release", TAG, "--repo", REPO, "--format", "json"])
        .arg("--trusted-root")
        .arg(stack_dir.join("trusted_root.json"))
        .arg("--output-dir")
        .arg(work.path().join("dl"))
        .output()
        .expect("run verify-release");
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert_eq!(rows(&r, "signatures").len(), 4);
    // No SBOM in this release: listed, not failed.
    assert_eq!(r["withoutSbom"].as_array().map(Vec::len), Some(2));
}
