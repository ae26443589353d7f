//! Every vendored Sigstore conformance case through `tests/conformance/client`, once with the
//! artifact file and once with its `sha256:<hex>` digest. A case folder ending in `_fail`
//! must be rejected; every other must verify. No case is treated specially by name.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_trimmed(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok().map(|s| s.trim().to_owned())
}

struct Outcome {
    name: String,
    mode: &'static str,
    expected_ok: bool,
    ok: bool,
    stderr: String,
}

fn run_case(case: &Path, mode: &'static str) -> Outcome {
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let artifact = if case.join("artifact").is_file() {
        case.join("artifact")
    } else {
        case.parent().map(|p| p.join("a.txt")).unwrap_or_default()
    };
    let target = match mode {
        "file" => artifact.display().to_string(),
        _ => {
            let bytes = std::fs::read(&artifact).unwrap_or_default();
            format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
        }
    };
    let mut cmd = Command::new(root().join("tests/conformance/client"));
    cmd.env("ATTEST_KIT_BIN", env!("CARGO_BIN_EXE_attest-kit"))
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .arg("verify-bundle")
        .arg("--bundle")
        .arg(case.join("bundle.sigstore.json"));
    if case.join("key.pub").is_file() {
        cmd.arg("--key").arg(case.join("key.pub"));
    } else {
        let identity = read_trimmed(&case.join("identity")).unwrap_or(DEFAULT_IDENTITY.into());
        let issuer = read_trimmed(&case.join("issuer")).unwrap_or(DEFAULT_ISSUER.into());
        cmd.args(["--certificate-identity", &identity])
            .args(["--certificate-oidc-issuer", &issuer]);
    }
    if case.join("trusted_root.json").is_file() {
        cmd.arg("--trusted-root")
            .arg(case.join("trusted_root.json"));
    }
    cmd.arg(&target);
    let out = cmd.output();
    let (ok, stderr, code) = match &out {
        Ok(o) => (
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
            o.status.code(),
        ),
        Err(e) => (false, e.to_string(), None),
    };
    // A crash is never an acceptable rejection: only 0 and 1 are outcomes.
    assert!(
        matches!(code, Some(0 | 1)),
        "{name} ({mode}): exit {code:?}, stderr: {stderr}"
    );
    Outcome {
        expected_ok: !name.ends_with("_fail"),
        name,
        mode,
        ok,
        stderr,
    }
}

#[test]
fn every_conformance_case_gives_the_expected_result_both_ways() {
    let dir = root().join("tests/fixtures/sigstore-conformance");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("bundle.sigstore.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    assert!(cases.len() >= 40, "only {} cases found", cases.len());
    let mut wrong = Vec::new();
    let mut total = 0;
    for case in &cases {
        for mode in ["file", "digest"] {
            total += 1;
            let o = run_case(case, mode);
            if o.ok != o.expected_ok {
                wrong.push(format!(
                    "{} ({}): expected {}, got {}: {}",
                    o.name,
                    o.mode,
                    if o.expected_ok {
                        "verified"
                    } else {
                        "rejected"
                    },
                    if o.ok { "verified" } else { "rejected" },
                    o.stderr.lines().last().unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {total} runs wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// `sign-bundle` runs `attest-kit sign` (tests/sign.rs signs through it against the loopback
/// Sigstore); without a token it fails cleanly and writes no bundle.
#[test]
fn sign_bundle_without_a_token_fails_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let artifact = dir.path().join("a.txt");
    let bundle = dir.path().join("out.sigstore.json");
    std::fs::write(&artifact, "a").expect("write");
    let out = Command::new(root().join("tests/conformance/client"))
        .env("ATTEST_KIT_BIN", env!("CARGO_BIN_EXE_attest-kit"))
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .arg("sign-bundle")
        .arg("--bundle")
        .arg(&bundle)
        .arg(&artifact)
        .output();
    let out = out.ok();
    assert_eq!(out.as_ref().and_then(|o| o.status.code()), Some(1));
    assert!(out.is_some_and(|o| String::from_utf8_lossy(&o.stderr).contains("id-token: write")));
    assert!(!bundle.exists());
}
