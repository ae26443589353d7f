//! The portable build: dist/attest-kit.wasm run by dist/attest-kit-wasm.mjs on Node's WASI.
//! Same bytes as the native binary, nothing read outside its preopened directories, a clear
//! error for what it does not carry, and the launcher's engine choice.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;

use crate::common::{Workspace, github_env, workflow_commands};

fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dist")
}

/// Node and the built module, or a skip (a failure under CI, where both must exist).
fn prerequisites() -> bool {
    if let Ok(why) = std::env::var("ATTEST_KIT_SKIP_WASM") {
        eprintln!("skipping the WASM tests: {why}");
        return false;
    }
    let node = Command::new("node").arg("--version").output().is_ok();
    if node && dist().join("attest-kit.wasm").is_file() {
        return true;
    }
    let why = "needs node on PATH and dist/attest-kit.wasm (TARGET=wasm32-wasip1 dist/build.sh; .ci/run does it)";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "WASM prerequisites missing under CI: {why}"
    );
    eprintln!("skipping the WASM tests: {why}");
    false
}

fn wasm(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new("node");
    cmd.arg(dist().join("attest-kit-wasm.mjs"))
        .arg(dist().join("attest-kit.wasm"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("node")
}

fn native(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::cargo_bin("attest-kit").expect("binary");
    cmd.args(args).current_dir(dir).env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("attest-kit")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_wasm_build_writes_the_same_bytes_as_the_native_build() {
    if !prerequisites() {
        return;
    }
    let ws = Workspace::new();
    ws.write("dist/pulse_sdk-1.0.0-py3-none-any.whl", b"wheel bytes");
    ws.write("dist/pulse-sdk-1.0.0.tar.gz", b"sdist bytes");
    ws.write("dist/nested/deep/extra.bin", &[0u8; 300_000]);
    let env = github_env();
    let args = |out: &'static str| {
        vec![
            "attest",
            "--digest-algorithms",
            "sha256,sha512",
            "--output-dir",
            out,
            "dist/*.whl",
            "dist/*.tar.gz",
            "dist/**/*.bin",
        ]
    };
    let n = native(ws.path(), &args("native"), &env);
    let w = wasm(ws.path(), &args("wasm"), &env);
    assert_eq!(n.status.code(), Some(0), "{}", text(&n.stderr));
    assert_eq!(w.status.code(), Some(0), "{}", text(&w.stderr));
    for file in [
        "provenance.statement.json",
        "build-provenance.json",
        "SHA256SUMS",
    ] {
        let a = std::fs::read(ws.path().join("native").join(file)).expect("native file");
        let b = std::fs::read(ws.path().join("wasm").join(file)).expect("wasm file");
        assert!(a == b, "{file} differs between the engines");
    }
    // The human output differs only in the output directory's name.
    assert_eq!(
        text(&n.stdout).replace("native/", "OUT/"),
        text(&w.stdout).replace("wasm/", "OUT/")
    );
}

#[test]
fn the_wasm_build_cannot_read_outside_its_preopened_directories() {
    if !prerequisites() {
        return;
    }
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("secret.txt"), "not yours").expect("write");
    let ws = Workspace::new();
    ws.write("ok.txt", b"fine");
    let rel = format!(
        "../{}/secret.txt",
        outside.path().file_name().expect("name").to_string_lossy()
    );
    let abs = outside.path().join("secret.txt").display().to_string();
    let mut env = github_env();
    env.push(("GITHUB_WORKSPACE", ws.path().display().to_string()));
    for pattern in [rel.as_str(), abs.as_str(), "/etc/passwd", "../*"] {
        // The native binary reads the file (the host allows it); the module must not.
        let out = wasm(ws.path(), &["attest", pattern], &env);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{pattern}: {}",
            text(&out.stdout)
        );
        let errors: Vec<_> = workflow_commands(&text(&out.stdout))
            .into_iter()
            .filter(|(c, _)| c == "error")
            .collect();
        assert_eq!(errors.len(), 1, "{pattern}: {}", text(&out.stdout));
        assert!(
            errors[0].1.contains("matches no file")
                || errors[0].1.contains("Capabilities insufficient"),
            "{pattern}: {}",
            errors[0].1
        );
        assert!(
            text(&out.stdout).contains("the WASM build sees only the workspace"),
            "{pattern}: says why: {}",
            text(&out.stdout)
        );
        assert!(!ws.exists("attestations"), "{:?}", ws.files());
    }
    let n = native(ws.path(), &["attest", &abs], &env);
    assert_eq!(
        n.status.code(),
        Some(0),
        "the host can read it: {}",
        text(&n.stderr)
    );
}

#[test]
fn a_native_only_command_says_which_engine_it_needs() {
    if !prerequisites() {
        return;
    }
    let ws = Workspace::new();
    ws.write("a.whl", b"x");
    let out = wasm(
        ws.path(),
        &[
            "verify",
            "a.whl",
            "--certificate-identity",
            "https://github.com/o/r/.github/workflows/w.yml@refs/heads/main",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
        ],
        &github_env(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("::error title=attest-kit::`verify` needs the native attest-kit binary"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cargo build --release --locked"),
        "{stdout}"
    );
}

/// A dist/ holding only the portable build (as for a runner with no native binary).
fn wasm_only_dist(tmp: &Path, sums: Option<&str>) -> PathBuf {
    let d = tmp.join("dist");
    std::fs::create_dir_all(&d).expect("mkdir");
    for f in ["launch", "attest-kit-wasm.mjs", "attest-kit.wasm"] {
        std::fs::copy(dist().join(f), d.join(f)).expect("copy");
    }
    let digest = sha256(&d.join("attest-kit.wasm"));
    let line = sums.map_or_else(|| format!("{digest}  attest-kit.wasm\n"), str::to_owned);
    std::fs::write(d.join("SHA256SUMS"), line).expect("sums");
    d
}

fn sha256(path: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

fn launch(dist: &Path, ws: &Path, inputs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(dist.join("launch"))
        .arg("action")
        .current_dir(ws)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in github_env() {
        cmd.env(k, v);
    }
    // An architecture no native binary ships for.
    cmd.env("RUNNER_ARCH", "RISCV64");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    cmd.output().expect("launch")
}

#[test]
fn the_launcher_picks_the_wasm_engine_where_no_native_binary_ships() {
    if !prerequisites() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = wasm_only_dist(tmp.path(), None);
    let ws = Workspace::new();
    ws.write("dist/a.whl", b"a");

    let auto = launch(&dist, ws.path(), &[("INPUT_SUBJECT_PATH", "dist/*.whl")]);
    let stdout = text(&auto.stdout);
    assert_eq!(
        auto.status.code(),
        Some(0),
        "{stdout}{}",
        text(&auto.stderr)
    );
    assert!(
        stdout.contains("::notice title=attest-kit::No prebuilt attest-kit for Linux/RISCV64: running the portable WASM build"),
        "{stdout}"
    );
    assert!(ws.exists("attestations/provenance.statement.json"));

    let refused = launch(
        &dist,
        ws.path(),
        &[("INPUT_ENGINE", "wasm"), ("INPUT_COMMAND", "verify")],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stdout)
            .contains("::error title=attest-kit::`verify` needs the native engine"),
        "{}",
        text(&refused.stdout)
    );

    let bad = launch(&dist, ws.path(), &[("INPUT_ENGINE", "jvm")]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stdout).contains("engine must be auto, native or wasm"));
}

#[test]
fn the_wasm_runner_refuses_an_unlisted_or_altered_module() {
    if !prerequisites() {
        return;
    }
    let ws = Workspace::new();
    ws.write("dist/a.whl", b"a");
    let inputs = [
        ("INPUT_ENGINE", "wasm"),
        ("INPUT_SUBJECT_PATH", "dist/*.whl"),
    ];
    for (sums, want) in [
        ("", "it is not listed in"),
        (
            &*format!("{}  attest-kit.wasm\n", "0".repeat(64)),
            "but SHA256SUMS lists 0000",
        ),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let dist = wasm_only_dist(tmp.path(), Some(sums));
        let out = launch(&dist, ws.path(), &inputs);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(
            stdout.starts_with("::error title=attest-kit::refusing to run attest-kit.wasm"),
            "{stdout}"
        );
        assert!(stdout.contains(want), "{stdout}");
        assert!(
            stdout.contains("dist/build.sh"),
            "says how to recover: {stdout}"
        );
        assert!(!ws.exists("attestations"));
    }
}

#[test]
fn a_rebuild_in_the_wasm_build_says_it_needs_the_native_engine() {
    if !prerequisites() {
        return;
    }
    let ws = Workspace::new();
    ws.write("dist/a.whl", b"x");
    let out = wasm(
        ws.path(),
        &[
            "reproduce",
            "--subject-path",
            "dist/*.whl",
            "--rebuild-command",
            "python -m build",
        ],
        &github_env(),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("rebuild-command needs the native attest-kit binary"),
        "{stdout}"
    );
    // Comparing against a reference works in the WASM build.
    ws.write("published/a.whl", b"x");
    let ok = wasm(
        ws.path(),
        &[
            "reproduce",
            "--subject-path",
            "dist/*.whl",
            "--reference",
            "published",
        ],
        &github_env(),
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
}

/// The SBOMs of a real wheel and sdist (with a uv.lock for exact dependencies): the same bytes
/// from both engines, statements included.
#[test]
fn the_wasm_build_writes_the_same_sboms_as_the_native_build() {
    if !prerequisites() {
        return;
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python");
    let ws = Workspace::new();
    for f in ["requests-2.32.3-py3-none-any.whl", "requests-2.32.3.tar.gz"] {
        ws.write(
            &format!("dist/{f}"),
            &std::fs::read(fixtures.join("dist").join(f)).expect("fixture"),
        );
    }
    ws.write(
        "uv.lock",
        &std::fs::read(fixtures.join("locks/uv.lock")).expect("fixture"),
    );
    let mut env = github_env();
    env.push(("SOURCE_DATE_EPOCH", "1700000000".to_owned()));
    let args = |out: &'static str| {
        vec![
            "sbom",
            "--sbom-lockfile",
            "uv.lock",
            "--output-dir",
            out,
            "dist/*",
        ]
    };
    let n = native(ws.path(), &args("native"), &env);
    let w = wasm(ws.path(), &args("wasm"), &env);
    assert_eq!(n.status.code(), Some(0), "{}", text(&n.stdout));
    assert_eq!(w.status.code(), Some(0), "{}", text(&w.stdout));
    let mut names: Vec<_> = std::fs::read_dir(ws.path().join("native"))
        .expect("native dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        let a = std::fs::read(ws.path().join("native").join(&name)).expect("native file");
        let b = std::fs::read(ws.path().join("wasm").join(&name)).expect("wasm file");
        assert!(a == b, "{name:?} differs between the engines");
    }
}
