//! Shared by tests/sign.rs and tests/pypi.rs: the loopback Sigstore (a local fake Fulcio,
//! Rekor, TSA and Actions OIDC endpoint, `tests/sigstore-stack/server.js`) started per test,
//! and helpers to run attest-kit against it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn stack_dir() -> PathBuf {
    root().join("tests/sigstore-stack")
}

/// A running loopback Sigstore; killed on drop.
pub(crate) struct Stack {
    pub(crate) child: Child,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) url: String,
    pub(crate) request_token: String,
    pub(crate) token: String,
    pub(crate) identity: String,
    pub(crate) issuer: String,
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the fake stack, or returns `None` (with a note) where it cannot run and may be
/// skipped: ATTEST_KIT_SKIP_SIGSTORE_STACK=1 (GitHub's macOS/Windows jobs).
pub(crate) fn stack(control: Option<&str>) -> Option<Stack> {
    if std::env::var("ATTEST_KIT_SKIP_SIGSTORE_STACK").as_deref() == Ok("1") {
        eprintln!("note: ATTEST_KIT_SKIP_SIGSTORE_STACK=1; skipping the loopback Sigstore test");
        return None;
    }
    assert!(
        stack_dir().join("node_modules/@sigstore/mock").is_dir(),
        "tests/sigstore-stack/node_modules is missing: run `npm ci` there (scripts/test.sh does)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = Command::new("node");
    c.arg(stack_dir().join("server.js"))
        .arg("--dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(ctl) = control {
        c.arg("--control").arg(ctl);
    }
    let mut child = c
        .spawn()
        .expect("node must be installed to run the loopback Sigstore");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("stack prints its address");
    let info: Value = serde_json::from_str(&line).expect("stack info is JSON");
    let s = |k: &str| info[k].as_str().unwrap_or_default().to_owned();
    Some(Stack {
        url: s("url"),
        request_token: s("requestToken"),
        token: s("token"),
        identity: s("identity"),
        issuer: s("issuer"),
        child,
        dir,
    })
}

impl Stack {
    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Requests per service so far (`fulcio`, `rekor`, `rekor-search`, `tsa`, `oidc`).
    pub(crate) fn stats(&self) -> Value {
        self.call("GET", "/__stats", "")
    }

    /// Arms the stack's fault hooks (see tests/sigstore-stack/server.js).
    pub(crate) fn control(&self, body: &str) {
        self.call("POST", "/__control", body);
    }

    fn call(&self, method: &str, path: &str, body: &str) -> Value {
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("connect to the stack");
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

    /// The binary with a scrubbed environment, pointed at this stack's OIDC endpoint.
    pub(crate) fn cmd(&self) -> Command {
        let mut c = bare_cmd();
        c.env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/token", self.url),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", &self.request_token)
        .env("ATTEST_KIT_SIGSTORE_BACKOFF_MS", "20");
        c
    }

    pub(crate) fn trust_args(&self) -> Vec<String> {
        vec![
            "--signing-config".into(),
            self.file("signing_config.json").display().to_string(),
            "--trusted-root".into(),
            self.file("trusted_root.json").display().to_string(),
        ]
    }
}

pub(crate) fn bare_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_attest-kit"));
    // `--allow-local` reads the source from git; the checkout the tests run in (a CI clone has
    // an origin, a work tree may not) must not leak into provenance the fake token contradicts.
    c.env("GIT_DIR", "/nonexistent/attest-kit-tests");
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("GITHUB_")
            || k.starts_with("INPUT_")
            || k.starts_with("RUNNER_")
            || k.starts_with("ACTIONS_")
        {
            c.env_remove(k);
        }
    }
    c
}

pub(crate) fn run(c: &mut Command) -> Output {
    c.output().expect("run attest-kit")
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(crate) fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}
