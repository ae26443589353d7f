//! attest-kit ships itself, locally: `.github/workflows/release.yml`'s `attest` job runs under
//! act (host mode, offline) against the loopback Sigstore (`tests/sigstore-stack`) and the
//! loopback GitHub API (`tests/github-fake`), with the Linux x86_64 release binary that
//! `scripts/release-binary.sh` built (`ATTEST_KIT_RELEASE_BINARY`). The release it makes must
//! then verify with `attest-kit verify-release` and, bundle by bundle, with sigstore-python.
//!
//! What is not GitHub here, and why:
//! - the `build` job: its Linux x86_64 row is `scripts/release-binary.sh` (the same
//!   `dist/build.sh`), run once before the tests. act runs every job a job `needs`, so the
//!   workflow act gets is release.yml with the `build` job and the `needs: build` line cut
//!   out; the `attest` job itself is byte for byte release.yml's (asserted below).
//! - `actions/download-artifact`, at its pinned SHA, is `tests/e2e/download-artifact` (served
//!   with `--local-repository`), reading `bin-<target>/` as the build job uploads it.
//! - GitHub's token service, Fulcio, Rekor and the TSA are the loopback stack, whose tokens
//!   carry this run's claims (repository, tag, commit, workflow); the GitHub API is the fake.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

#[path = "../support/sigstore_stack.rs"]
mod sigstore_stack;

const REPO: &str = "attest-kit/attest-kit";
const TAG: &str = "v0.1.0";
const TOKEN: &str = "ghs_fakeReleaseTokenForLoopbackTests";
const TRIPLE: &str = "x86_64-unknown-linux-musl";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Tools {
    act: PathBuf,
    binary: PathBuf,
    python: PathBuf,
}

/// act, the release binary and sigstore-python, or a skip (a failure under CI).
fn prerequisites() -> Option<Tools> {
    if let Ok(why) = std::env::var("ATTEST_KIT_SKIP_E2E") {
        eprintln!("skipping the act release test: {why}");
        return None;
    }
    if std::env::var("ATTEST_KIT_SKIP_SIGSTORE_STACK").as_deref() == Ok("1") {
        eprintln!("skipping the act release test: ATTEST_KIT_SKIP_SIGSTORE_STACK=1");
        return None;
    }
    let path = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let act = path("ATTEST_KIT_ACT");
    let binary = path("ATTEST_KIT_RELEASE_BINARY").filter(|b| b.is_file());
    let python = path("ATTEST_KIT_PEER_VENV").map(|v| v.join("bin/python"));
    match (act, binary, python) {
        (Some(act), Some(binary), Some(python)) => Some(Tools {
            act,
            binary,
            python,
        }),
        _ => {
            let why = "set ATTEST_KIT_ACT, ATTEST_KIT_RELEASE_BINARY (scripts/release-binary.sh) \
                       and ATTEST_KIT_PEER_VENV (scripts/test.sh does all three)";
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "release test prerequisites missing under CI: {why}"
            );
            eprintln!("skipping the act release test: {why}");
            None
        }
    }
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// This tree as a clean clone has it: the tracked files, with their working-tree content.
fn copy_tracked_tree(to: &Path) {
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(repo_root())
        .output()
        .expect("git ls-files");
    assert!(listed.status.success());
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let from = repo_root().join(&name);
        if !from.exists() {
            continue; // deleted in the work tree
        }
        let dest = to.join(&name);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &dest).unwrap_or_else(|e| panic!("copy {name}: {e}"));
    }
}

/// The text of one top-level job: from its `  <id>:` line to the next line indented by
/// exactly two spaces (the next job), or the end.
fn job_block<'a>(workflow: &'a str, id: &str) -> &'a str {
    let start = workflow
        .find(&format!("\n  {id}:\n"))
        .unwrap_or_else(|| panic!("release.yml has no job {id}"))
        + 1;
    let rest = &workflow[start..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            let b = rest.as_bytes();
            b.len() > i + 2 && b[i] == b' ' && b[i + 1] == b' ' && !matches!(b[i + 2], b' ' | b'#')
        })
        .unwrap_or(rest.len());
    &rest[..end]
}

/// release.yml with the `build` job gone and the `attest` job no longer needing it; the
/// `attest` job otherwise byte for byte (act would run `build`, which the script replaces).
fn attest_only_workflow(release_yml: &str) -> String {
    let jobs = release_yml.find("\njobs:\n").expect("jobs:") + "\njobs:\n".len();
    let attest = job_block(release_yml, "attest");
    assert!(attest.starts_with("  attest:\n"), "{attest}");
    assert_eq!(
        attest.matches("\n    needs: build\n").count(),
        1,
        "the attest job needs build, on a line of its own:\n{attest}"
    );
    format!(
        "{}{}",
        &release_yml[..jobs],
        attest.replacen("\n    needs: build\n", "\n", 1)
    )
}

/// The `uses:` value of release.yml for `action` (its pinned SHA included).
fn pinned(release_yml: &str, action: &str) -> String {
    release_yml
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses:")
        })
        .map(|v| v.split('#').next().unwrap_or("").trim().to_owned())
        .find(|v| v.starts_with(&format!("{action}@")))
        .unwrap_or_else(|| panic!("release.yml uses no {action}"))
}

fn first_line(child: &mut Child) -> Value {
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("server prints its address");
    serde_json::from_str(&line).expect("server info is JSON")
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

#[test]
fn release_workflow_runs_under_act_against_local_fake_sigstore_and_github() {
    let Some(tools) = prerequisites() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let release_yml =
        std::fs::read_to_string(repo_root().join(".github/workflows/release.yml")).expect("read");

    // attest-kit's repository at a release tag: this tree, committed and tagged.
    let consumer = tmp.path().join("attest-kit");
    copy_tracked_tree(&consumer);
    git(&consumer, &["init", "-q", "-b", "main"]);
    git(
        &consumer,
        &[
            "remote",
            "add",
            "origin",
            &format!("https://github.com/{REPO}.git"),
        ],
    );
    git(&consumer, &["add", "-A"]);
    git(&consumer, &["commit", "-qm", "attest-kit"]);
    git(&consumer, &["tag", "-a", TAG, "-m", TAG]);
    let sha = git(&consumer, &["rev-parse", "HEAD"]);
    // Untracked, so the tagged commit stays exactly this tree.
    let workflow = ".github/act/release-attest.yml";
    std::fs::create_dir_all(consumer.join(".github/act")).expect("mkdir");
    std::fs::write(consumer.join(workflow), attest_only_workflow(&release_yml)).expect("write");

    // The build job's artifact, as actions/upload-artifact stored it: bin-<target>/<file>.
    let binary_name = format!("attest-kit-{TRIPLE}");
    let artifacts = tmp.path().join("artifacts");
    std::fs::create_dir_all(artifacts.join(format!("bin-{TRIPLE}"))).expect("mkdir");
    std::fs::copy(
        &tools.binary,
        artifacts.join(format!("bin-{TRIPLE}")).join(&binary_name),
    )
    .expect("copy the release binary");

    // GitHub's token service would put this run in the token; the loopback one is told so.
    let workflow_ref = format!("{REPO}/.github/workflows/release.yml@refs/tags/{TAG}");
    let claims = json!({"claims": {
        "sub": format!("repo:{REPO}:ref:refs/tags/{TAG}"),
        "repository": REPO, "repository_owner": "attest-kit",
        "repository_id": "1", "repository_owner_id": "2",
        "ref": format!("refs/tags/{TAG}"), "ref_type": "tag", "sha": sha,
        "workflow": "release", "workflow_ref": workflow_ref, "workflow_sha": sha,
        "job_workflow_ref": workflow_ref, "job_workflow_sha": sha,
        "event_name": "push", "runner_environment": "github-hosted",
    }});
    let stack = sigstore_stack::stack(Some(&claims.to_string())).expect("loopback Sigstore");
    let identity = format!("https://github.com/{workflow_ref}");

    let github_dir = tmp.path().join("github");
    let mut child = Command::new("python3")
        .arg(repo_root().join("tests/github-fake/server.py"))
        .arg("--dir")
        .arg(&github_dir)
        .args(["--token", TOKEN])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs the loopback GitHub");
    let info = first_line(&mut child);
    let _github = Proc(child);
    let api = info["api"].as_str().unwrap_or_default().to_owned();

    let event = tmp.path().join("event.json");
    std::fs::write(
        &event,
        json!({
            "ref": format!("refs/tags/{TAG}"), "base_ref": null, "created": true, "deleted": false,
            "before": "0000000000000000000000000000000000000000", "after": sha,
            "repository": {"id": 1, "name": "attest-kit", "full_name": REPO,
                "owner": {"id": 2, "login": "attest-kit"},
                "html_url": format!("https://github.com/{REPO}"), "default_branch": "main"},
            "head_commit": {"id": sha}, "pusher": {"name": "attest-kit"},
            "sender": {"login": "attest-kit", "id": 3}
        })
        .to_string(),
    )
    .expect("event");

    let log = tmp.path().join("act.jsonl");
    let env = [
        format!("GITHUB_API_URL={api}"),
        format!("GITHUB_WORKFLOW_REF={workflow_ref}"),
        format!("ACTIONS_ID_TOKEN_REQUEST_URL={}/token", stack.url),
        format!("ACTIONS_ID_TOKEN_REQUEST_TOKEN={}", stack.request_token),
        format!(
            "ATTEST_KIT_LOCAL_SIGNING_CONFIG={}",
            stack.file("signing_config.json").display()
        ),
        format!(
            "ATTEST_KIT_LOCAL_TRUSTED_ROOT={}",
            stack.file("trusted_root.json").display()
        ),
        format!("AK_ARTIFACTS={}", artifacts.display()),
    ];
    let standin = repo_root().join("tests/e2e/download-artifact");
    let status = Command::new("bash")
        .arg(repo_root().join("tests/e2e/run-act.sh"))
        .arg(&consumer)
        .arg(workflow)
        .arg("attest")
        .arg(repo_root())
        .arg(&log)
        .args(env.iter().flat_map(|e| ["--env", e.as_str()]))
        .arg("--")
        .args(["-s", &format!("GITHUB_TOKEN={TOKEN}")])
        .arg("--local-repository")
        .arg(format!(
            "{}={}",
            pinned(&release_yml, "actions/download-artifact"),
            standin.display()
        ))
        .env("ACT_BIN", &tools.act)
        .env("AK_EVENT", &event)
        .env("AK_STAGE", "0")
        .status()
        .expect("run-act.sh");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let run = super::act_log::parse(&text, "attest", "attest");
    assert_eq!(
        run.result.as_deref(),
        Some("success"),
        "act exit {status:?}, errors {:?}\n{}",
        run.errors,
        run.log
    );
    assert!(status.success());
    // Offline, act copies the work tree for the repository's own checkout instead of fetching
    // actions/checkout; every step ran and succeeded.
    assert!(
        run.log
            .contains("Success - Main actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"),
        "{}",
        run.log
    );
    for step in [
        "Create the release and upload the binaries",
        "Verify the release as a consumer would",
    ] {
        assert!(
            run.log.contains(&format!("Success - Main {step}")),
            "step {step}:\n{}",
            run.log
        );
    }
    assert_eq!(run.outputs["certificate-identity"], identity.as_str());
    // push-to-github stored the signed attestations with the (fake) attestations API.
    let ids: Vec<Value> =
        serde_json::from_str(run.outputs["attestation-ids"].as_str().unwrap_or("[]"))
            .unwrap_or_default();
    assert!(!ids.is_empty(), "{:?}", run.outputs);
    let subjects: Value =
        serde_json::from_str(run.outputs["subjects"].as_str().unwrap_or("[]")).expect("subjects");
    assert_eq!(
        subjects,
        json!([{"name": binary_name, "digest": format!("sha256:{}", sha256_hex(&tools.binary))}])
    );

    // The release on the fake GitHub: created by the job, the binary and everything attest wrote.
    let assets_dir = github_dir.join("releases").join(REPO).join(TAG);
    let mut assets: Vec<String> = std::fs::read_dir(&assets_dir)
        .expect("the job created the release")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assets.sort();
    for expected in [
        binary_name.clone(),
        format!("{binary_name}.sigstore.json"),
        format!("{binary_name}.sig"),
        format!("{binary_name}.crt"),
        "provenance.statement.json".to_owned(),
        "provenance.sigstore.json".to_owned(),
        "SHA256SUMS".to_owned(),
        // attest signs every file it writes too: a bundle beside each
        "SHA256SUMS.sigstore.json".to_owned(),
        "provenance.statement.json.sigstore.json".to_owned(),
        format!("{binary_name}.spdx.json.sigstore.json"),
    ] {
        assert!(assets.contains(&expected), "{expected} not in {assets:?}");
    }
    assert!(
        assets.iter().any(|a| a.ends_with(".spdx.json"))
            && assets.iter().any(|a| a.contains("cyclonedx")),
        "SBOMs missing: {assets:?}"
    );
    assert_eq!(
        sha256_hex(&assets_dir.join(&binary_name)),
        sha256_hex(&tools.binary),
        "the uploaded binary is the one built"
    );

    // A consumer's check: verify-release against the fake GitHub, under the default policy
    // (this repository's workflows, GitHub's issuer) and the loopback trusted root.
    let out_dir = tmp.path().join("verified");
    let out = Command::new(env!("CARGO_BIN_EXE_attest-kit"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_API_URL", &api)
        .env("GITHUB_TOKEN", TOKEN)
        .args(["verify-release", TAG, "--repo", REPO, "--format", "json"])
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .arg("--output-dir")
        .arg(&out_dir)
        .output()
        .expect("run attest-kit verify-release");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["verified"], true, "{report:#}");
    let signatures = report["signatures"].as_array().cloned().unwrap_or_default();
    assert!(
        signatures
            .iter()
            .any(|s| s["identity"] == identity.as_str() && s["failure"].is_null()),
        "{report:#}"
    );
    assert!(
        signatures.iter().all(|s| s["failure"].is_null()),
        "{report:#}"
    );
    assert!(
        !report["sboms"].as_array().is_none_or(Vec::is_empty),
        "{report:#}"
    );
    assert!(
        !report["provenance"].as_array().is_none_or(Vec::is_empty),
        "{report:#}"
    );

    // sigstore-python, offline with the loopback trust config, on every bundle of the release.
    let mut checked = 0;
    for bundle in assets.iter().filter(|a| a.ends_with(".sigstore.json")) {
        let signed = bundle.trim_end_matches(".sigstore.json");
        // A bundle over a file of the release is a message signature over it; the others
        // (provenance) are DSSE statements about the binary.
        let artifact = if assets.iter().any(|a| a == signed) {
            assets_dir.join(signed)
        } else {
            assets_dir.join(&binary_name)
        };
        let out = Command::new(&tools.python)
            .args(["-m", "sigstore", "--trust-config"])
            .arg(stack.file("trust_config.json"))
            .args(["verify", "identity", "--offline", "--bundle"])
            .arg(assets_dir.join(bundle))
            .args(["--cert-identity", &identity, "--cert-oidc-issuer", ISSUER])
            .arg(&artifact)
            .output()
            .expect("run sigstore-python");
        assert!(
            out.status.success(),
            "sigstore-python rejects {bundle} over {}: {}",
            artifact.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    eprintln!("sigstore-python verified {checked} bundles of the release");
    // The binary, the provenance, the two SBOM statements, and the seven files attest wrote.
    assert!(checked >= 11, "bundles checked: {checked} of {assets:?}");
}
