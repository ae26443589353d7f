//! `attest-kit verify` end to end: real GitHub attestations, our own negative cases, the
//! action's outputs and summary, and agreement with an independent verifier (sigstore-python).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ISSUER: &str = "https://token.actions.githubusercontent.com";
const JS_ID: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
const BEACON_ID: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gh(name: &str) -> String {
    root()
        .join("tests/fixtures/gh-attestations")
        .join(name)
        .display()
        .to_string()
}

fn conf(name: &str) -> String {
    root()
        .join("tests/fixtures/sigstore-conformance")
        .join(name)
        .display()
        .to_string()
}

/// The binary with a scrubbed environment: no runner variables leak in.
fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_attest-kit"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("GITHUB_") || k.starts_with("INPUT_") || k.starts_with("RUNNER_") {
            c.env_remove(k);
        }
    }
    c
}

fn verify(args: &[&str]) -> Output {
    let out = cmd()
        .env("ATTEST_KIT_SIGSTORE_BACKOFF_MS", "10")
        .arg("verify")
        .args(args)
        .arg("--format")
        .arg("json")
        .output();
    match out {
        Ok(o) => o,
        Err(e) => panic!("couldn't run attest-kit: {e}"),
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The failures of a run: (check, reason) of each failed row.
fn failures(out: &Output) -> Vec<(String, String)> {
    json(out)["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let f = r.get("failure").filter(|f| !f.is_null())?;
            Some((
                f["check"].as_str().unwrap_or_default().to_owned(),
                f["reason"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn assert_fails_with(out: &Output, check: &str, reason_part: &str) {
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(out));
    let f = failures(out);
    assert!(
        f.iter().any(|(c, r)| c == check && r.contains(reason_part)),
        "expected a {check} failure containing {reason_part:?}, got {f:?}; stderr: {}",
        stderr(out)
    );
}

fn js_args<'a>(bundle: &'a str, artifact: &'a str) -> Vec<&'a str> {
    vec![
        artifact,
        "--bundle-path",
        bundle,
        "--certificate-identity",
        JS_ID,
        "--certificate-oidc-issuer",
        ISSUER,
    ]
}

#[test]
fn github_attestations_v03_v01_and_jsonl_verify_with_their_claims() {
    let tgz = gh("sigstore-js-2.1.0.tgz");
    for (bundle, rows) in [
        ("sigstore-js-2.1.0-bundle.json", 1),
        ("sigstore-js-2.1.0-bundle-v0.1.json", 1),
        ("sigstore-js-2.1.0_with_2_bundles.jsonl", 2),
    ] {
        let b = gh(bundle);
        let out = verify(&js_args(&b, &tgz));
        assert_eq!(out.status.code(), Some(0), "{bundle}: {}", stderr(&out));
        let doc = json(&out);
        assert_eq!(doc["verified"], true);
        assert_eq!(doc["verifiedCount"], rows);
        for r in doc["results"].as_array().into_iter().flatten() {
            assert_eq!(r["identity"], JS_ID);
            assert_eq!(r["issuer"], ISSUER);
            assert_eq!(r["sourceRepository"], "sigstore/sigstore-js");
            assert_eq!(r["sourceRef"], "refs/heads/main");
            assert_eq!(r["predicateType"], "https://slsa.dev/provenance/v1");
            assert_eq!(r["trustDomain"], "public-good");
            assert!(r["logIndex"].is_u64());
        }
    }
    // GitHub claims from the certificate, and the sha512 digest the statement names.
    let b = gh("sigstore-js-2.1.0-bundle.json");
    let sha512 = {
        use sha2::Digest;
        let bytes = std::fs::read(&tgz).unwrap_or_default();
        format!("sha512:{}", hex::encode(sha2::Sha512::digest(&bytes)))
    };
    let mut args = js_args(&b, &sha512);
    args.extend([
        "--source-repository",
        "sigstore/sigstore-js",
        "--source-ref",
        "refs/heads/main",
        "--runner-environment",
        "github-hosted",
        "--deny-self-hosted-runners",
        "--predicate-type",
        "https://slsa.dev/provenance/v1",
        "--signer-repository",
        "sigstore/sigstore-js",
    ]);
    let out = verify(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn reusable_workflow_signer() {
    let out = verify(&[
        &gh("reusable-workflow-artifact"),
        "--bundle-path",
        &gh("reusable-workflow-attestation.sigstore.json"),
        "--certificate-identity",
        "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d",
        "--certificate-oidc-issuer",
        ISSUER,
        "--signer-workflow",
        "github/artifact-attestations-workflows/.github/workflows/attest.yml",
        "--signer-repository",
        "github/artifact-attestations-workflows",
        "--source-repository",
        "malancas/attest-demo",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = verify(&[
        &gh("reusable-workflow-artifact"),
        "--bundle-path",
        &gh("reusable-workflow-attestation.sigstore.json"),
        "--certificate-identity-regexp",
        "https://github\\.com/github/.*",
        "--certificate-oidc-issuer",
        ISSUER,
        "--signer-repository",
        "malancas/attest-demo",
    ]);
    assert_fails_with(
        &out,
        "certificate-claims",
        "signer repository github/artifact-attestations-workflows does not match",
    );
}

#[test]
fn invalid_signature_bundle_is_rejected() {
    let out = verify(&js_args(
        &gh("sigstoreBundle-invalid-signature.json"),
        &gh("sigstore-js-2.1.0.tgz"),
    ));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(failures(&out).len(), 1, "{}", stderr(&out));
}

#[test]
fn tampered_artifact() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut bytes = std::fs::read(gh("sigstore-js-2.1.0.tgz"))?;
    bytes[100] ^= 1;
    let tampered = dir.path().join("sigstore-js-2.1.0.tgz");
    std::fs::write(&tampered, bytes)?;
    let t = tampered.display().to_string();
    let out = verify(&js_args(&gh("sigstore-js-2.1.0-bundle.json"), &t));
    assert_fails_with(&out, "artifact-digest", "does not match");
    // A message-signature bundle too.
    let mut a = std::fs::read(conf("a.txt"))?;
    a.push(b'!');
    let a_path = dir.path().join("a.txt");
    std::fs::write(&a_path, a)?;
    let out = verify(&[
        &a_path.display().to_string(),
        "--bundle-path",
        &conf("happy-path-v0.3/bundle.sigstore.json"),
        "--certificate-identity",
        BEACON_ID,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_fails_with(&out, "artifact-digest", "does not match");
    Ok(())
}

#[test]
fn wrong_identity_issuer_and_substring_regexps() {
    let b = gh("sigstore-js-2.1.0-bundle.json");
    let tgz = gh("sigstore-js-2.1.0.tgz");
    let base = |extra: &[&str]| {
        let mut a = vec![tgz.as_str(), "--bundle-path", b.as_str()];
        a.extend_from_slice(extra);
        verify(&a)
    };
    let out = base(&[
        "--certificate-identity",
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/dev",
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_fails_with(
        &out,
        "identity",
        &format!("certificate identity {JS_ID} does not match"),
    );
    let out = base(&[
        "--certificate-identity",
        JS_ID,
        "--certificate-oidc-issuer",
        "https://accounts.google.com",
    ]);
    assert_fails_with(&out, "issuer", "does not match https://accounts.google.com");
    // Regexps are anchored: one that matches only a substring does not pass.
    let out = base(&[
        "--certificate-identity-regexp",
        "sigstore/sigstore-js",
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_fails_with(
        &out,
        "identity",
        "does not match ^(?:sigstore/sigstore-js)$",
    );
    let out = base(&[
        "--certificate-identity",
        JS_ID,
        "--certificate-oidc-issuer-regexp",
        "token\\.actions",
    ]);
    assert_fails_with(&out, "issuer", "^(?:token\\.actions)$");
    let out = base(&[
        "--certificate-identity-regexp",
        "https://github\\.com/sigstore/.*",
        "--certificate-oidc-issuer-regexp",
        "https://token\\.actions\\.githubusercontent\\.com",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn statement_subject_mismatch() {
    // A real, valid attestation — for another artifact.
    let out = verify(&js_args(
        &gh("sigstore-js-2.1.0-bundle.json"),
        &gh("reusable-workflow-artifact"),
    ));
    assert_fails_with(&out, "artifact-digest", "does not match any subject");
}

#[test]
fn expired_certificate_with_no_timestamp() -> std::io::Result<()> {
    // The certificate and signature of a valid bundle as a cosign-style .sig/.crt pair: no
    // log entry or timestamp proves it was used while the certificate was valid.
    let bundle: Value = serde_json::from_str(&std::fs::read_to_string(conf(
        "happy-path-v0.1/bundle.sigstore.json",
    ))?)
    .unwrap_or(Value::Null);
    let sig = bundle["messageSignature"]["signature"]
        .as_str()
        .unwrap_or_default();
    let cert =
        bundle["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"]
            .as_str()
            .unwrap_or_default();
    assert!(!sig.is_empty() && !cert.is_empty());
    let dir = tempfile::tempdir()?;
    let artifact = dir.path().join("a.txt");
    std::fs::copy(conf("a.txt"), &artifact)?;
    std::fs::write(dir.path().join("a.txt.sig"), sig)?;
    let pem = format!("-----BEGIN CERTIFICATE-----\n{cert}\n-----END CERTIFICATE-----\n");
    std::fs::write(dir.path().join("a.txt.crt"), pem)?;
    // Found by convention beside the artifact; --offline: its Rekor entry is not looked up
    // (tests never reach the public log), so nothing proves when it was signed.
    let out = verify(&[
        &artifact.display().to_string(),
        "--certificate-identity",
        BEACON_ID,
        "--certificate-oidc-issuer",
        ISSUER,
        "--offline",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let f = failures(&out);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "timestamp", "{f:?}");
    assert!(f[0].1.contains("--offline"), "{f:?}");
    // A log that has never seen it (a loopback port nothing listens on stands for an
    // unreachable one): the failure names the log.
    let out = verify(&[
        &artifact.display().to_string(),
        "--certificate-identity",
        BEACON_ID,
        "--certificate-oidc-issuer",
        ISSUER,
        "--rekor-url",
        "http://127.0.0.1:9",
    ]);
    let f = failures(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(f[0].0, "transparency-log", "{f:?}");
    assert!(f[0].1.contains("http://127.0.0.1:9"), "{f:?}");
    Ok(())
}

#[test]
fn a_bundle_from_another_instance() {
    // Signed by Sigstore staging; the embedded public-good root must not accept it.
    let case = conf("rekor2-dsse-happy-path");
    let out = verify(&[
        &conf("a.txt"),
        "--bundle-path",
        &format!("{case}/bundle.sigstore.json"),
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer-regexp",
        ".*",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let f = failures(&out);
    assert!(
        f.iter().all(|(c, _)| matches!(
            c.as_str(),
            "certificate" | "timestamp" | "transparency-log" | "artifact-digest"
        )),
        "{f:?}"
    );
    // And a public-good bundle is not accepted under a custom root that lacks it.
    let out = verify(&[
        &gh("sigstore-js-2.1.0.tgz"),
        "--bundle-path",
        &gh("sigstore-js-2.1.0-bundle.json"),
        "--trusted-root",
        &format!("{case}/trusted_root.json"),
        "--certificate-identity",
        JS_ID,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!failures(&out).is_empty());
}

#[test]
fn truncated_huge_and_garbage_bundles_fail_without_panicking() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let good = std::fs::read(gh("sigstore-js-2.1.0-bundle.json"))?;
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &good[..good.len() / 2])?;
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)?.set_len(65 * 1024 * 1024)?;
    let garbage = dir.path().join("garbage.json");
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&garbage, noise)?;
    let deep = dir.path().join("deep.json");
    std::fs::write(&deep, "[".repeat(1_000_000))?;
    let wrong_shape = dir.path().join("shape.jsonl");
    std::fs::write(&wrong_shape, "{\"mediaType\": 7}\n[1,2]\n\"x\"\n")?;
    for p in [&truncated, &huge, &garbage, &deep, &wrong_shape] {
        let out = verify(&js_args(
            &p.display().to_string(),
            &gh("sigstore-js-2.1.0.tgz"),
        ));
        assert_eq!(out.status.code(), Some(1), "{p:?}: {}", stderr(&out));
        let f = failures(&out);
        assert!(
            !f.is_empty() && f.iter().all(|(c, _)| c == "bundle"),
            "{p:?}: {f:?}"
        );
        assert!(!stderr(&out).contains("panicked"), "{p:?}");
    }
    Ok(())
}

#[test]
fn input_errors_are_one_line_and_usage_errors_exit_2() {
    let digest = format!("sha256:{}", "a".repeat(64));
    let out = verify(&[
        &digest,
        "--certificate-identity",
        "x",
        "--certificate-oidc-issuer",
        "y",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("give bundle-path"),
        "{}",
        stderr(&out)
    );
    let out = verify(&[&gh("sigstore-js-2.1.0.tgz"), "--certificate-identity", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("certificate-oidc-issuer"),
        "{}",
        stderr(&out)
    );
    let out = verify(&["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = verify(&[
        &gh("sigstore-js-2.1.0.tgz"),
        "--key",
        &gh("trusted_root.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("invalid public key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_bundle_found_is_a_failure_naming_what_was_looked_for() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let a = dir.path().join("lonely.bin");
    std::fs::write(&a, b"x")?;
    let out = verify(&[
        &a.display().to_string(),
        "--certificate-identity",
        "x",
        "--certificate-oidc-issuer",
        "y",
    ]);
    assert_fails_with(&out, "bundle", "no bundle found beside it");
    Ok(())
}

#[test]
fn policy_file_with_several_identities_and_predicate_types() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let policy = dir.path().join("policy.yml");
    std::fs::write(
        &policy,
        format!(
            "identities:\n  - certificate-identity: https://example.com/nobody\n    certificate-oidc-issuer: {ISSUER}\n  - certificate-identity-regexp: 'https://github\\.com/sigstore/sigstore-js/\\.github/workflows/.*'\n    certificate-oidc-issuer: {ISSUER}\n    source-repository: sigstore/sigstore-js\npredicate-types:\n  - https://slsa.dev/provenance/v1\n"
        ),
    )?;
    let p = policy.display().to_string();
    let b = gh("sigstore-js-2.1.0-bundle.json");
    let tgz = gh("sigstore-js-2.1.0.tgz");
    let out = verify(&[&tgz, "--bundle-path", &b, "--policy", &p]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(
        &policy,
        format!(
            "identities:\n  - certificate-identity: {JS_ID}\n    certificate-oidc-issuer: {ISSUER}\npredicate-types: [https://spdx.dev/Document]\n"
        ),
    )?;
    let out = verify(&[&tgz, "--bundle-path", &b, "--policy", &p]);
    assert_fails_with(
        &out,
        "predicate-type",
        "predicate type https://slsa.dev/provenance/v1 is not https://spdx.dev/Document",
    );
    std::fs::write(&policy, "identities: []\nunknown-key: 1\n")?;
    let out = verify(&[&tgz, "--bundle-path", &b, "--policy", &p]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown field"), "{}", stderr(&out));
    Ok(())
}

#[test]
fn action_mode_writes_outputs_summary_and_error_annotations() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let outputs = dir.path().join("out");
    let summary = dir.path().join("summary.md");
    let run = |identity: &str| {
        cmd()
            .arg("action")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("INPUT_COMMAND", "verify")
            .env("INPUT_SUBJECT_PATH", gh("sigstore-js-2.1.0.tgz"))
            .env(
                "INPUT_BUNDLE_PATH",
                gh("sigstore-js-2.1.0_with_2_bundles.jsonl"),
            )
            .env("INPUT_CERTIFICATE_IDENTITY", identity)
            .env("INPUT_CERTIFICATE_OIDC_ISSUER", ISSUER)
            .env("INPUT_KEY", "")
            .output()
    };
    let out = run(JS_ID)?;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let o = std::fs::read_to_string(&outputs)?;
    assert!(o.contains("verified<<ghadelimiter_"), "{o}");
    assert!(o.contains("\ntrue\n"), "{o}");
    assert!(o.contains("verified-count<<"), "{o}");
    assert!(o.contains("\n2\n"), "{o}");
    assert!(
        o.contains("results<<") && o.contains("\"logIndex\":33351527"),
        "{o}"
    );
    let md = std::fs::read_to_string(&summary)?;
    assert!(md.contains("### attest-kit · verify"), "{md}");
    assert_eq!(md.matches("| ✅ |").count(), 2, "{md}");
    assert!(
        md.contains("`sigstore/sigstore-js@refs/heads/main`"),
        "{md}"
    );
    assert!(md.contains("`33351527` at `2023-08-29T15:40:23Z`"), "{md}");

    let out = run("https://evil.example/<b>|x")?;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error title=verify%3A identity check failed::"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(&summary)?;
    assert!(md.contains("❌ `identity`"), "{md}");
    assert!(!md.contains("<b>|x") || md.contains("`"), "{md}");
    assert!(
        md.contains("<b>\\|x"),
        "untrusted text is escaped in code spans: {md}"
    );
    Ok(())
}

/// The same bundles through sigstore-python (`python -m sigstore verify identity
/// --offline`), from the venv in ATTEST_KIT_PEER_VENV: both must agree on every one.
#[test]
fn sigstore_python_agrees() {
    let Some(venv) = std::env::var_os("ATTEST_KIT_PEER_VENV").filter(|v| !v.is_empty()) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "ATTEST_KIT_PEER_VENV is not set: CI must create the peer venv (pip install sigstore==4.5.1)"
            );
        }
        eprintln!("note: ATTEST_KIT_PEER_VENV unset; skipping the sigstore-python comparison");
        return;
    };
    let python = Path::new(&venv).join("bin/python");
    let tgz = gh("sigstore-js-2.1.0.tgz");
    let a = conf("a.txt");
    let cases: Vec<(String, String, &str)> = vec![
        (gh("sigstore-js-2.1.0-bundle.json"), tgz.clone(), JS_ID),
        (gh("sigstore-js-2.1.0-bundle-v0.1.json"), tgz.clone(), JS_ID),
        (
            gh("sigstore-js-2.1.0-bundle.json"),
            gh("reusable-workflow-artifact"),
            JS_ID,
        ),
        (
            gh("sigstoreBundle-invalid-signature.json"),
            tgz.clone(),
            JS_ID,
        ),
        (
            gh("reusable-workflow-attestation.sigstore.json"),
            gh("reusable-workflow-artifact"),
            "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d",
        ),
        (
            conf("happy-path-v0.1/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
        (
            conf("happy-path-v0.2/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
        (
            conf("happy-path-v0.3/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
        (
            conf("happy-path-v0.3/bundle.sigstore.json"),
            a.clone(),
            JS_ID,
        ),
        (
            conf("signature-mismatch_fail/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
        (
            conf("wrong-material_fail/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
        (
            conf("invalid-checkpoint-signature_fail/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
        (
            conf("inclusion-proof-corrupted-hash_fail/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
        (
            conf("dsse-mismatch-sig_fail/bundle.sigstore.json"),
            a.clone(),
            BEACON_ID,
        ),
    ];
    let mut disagree = Vec::new();
    let mut compared = 0;
    for (bundle, artifact, identity) in &cases {
        let ours = verify(&[
            artifact,
            "--bundle-path",
            bundle,
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            ISSUER,
        ]);
        let peer = Command::new(&python)
            .args([
                "-m",
                "sigstore",
                "verify",
                "identity",
                "--offline",
                "--bundle",
            ])
            .arg(bundle)
            .args(["--cert-identity", identity, "--cert-oidc-issuer", ISSUER])
            .arg(artifact)
            .output();
        let peer = match peer {
            Ok(p) => p,
            Err(e) => panic!("couldn't run {python:?}: {e}"),
        };
        let peer_err = String::from_utf8_lossy(&peer.stderr).into_owned();
        // sigstore-python 4.5.1 cannot verify Rekor `intoto` 0.0.2 entries at all (what
        // actions/attest-build-provenance produced in 2023): not a verdict on the bundle.
        if peer_err.contains("only supported for") && peer_err.contains("hashedrekord") {
            eprintln!("note: sigstore-python does not support the entry kind of {bundle}");
            continue;
        }
        compared += 1;
        if ours.status.success() != peer.status.success() {
            disagree.push(format!(
                "{bundle} over {artifact}: attest-kit {} ({}), sigstore-python {} ({})",
                ours.status,
                stderr(&ours).lines().last().unwrap_or_default(),
                peer.status,
                String::from_utf8_lossy(&peer.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        disagree.is_empty(),
        "disagreements:\n{}",
        disagree.join("\n")
    );
    assert!(compared >= 10, "only {compared} bundles compared");
}

#[test]
fn both_v03_media_type_spellings_and_bundles_found_beside_the_artifact() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let artifact = dir.path().join("a.txt");
    std::fs::copy(conf("a.txt"), &artifact)?;
    let text = std::fs::read_to_string(conf("happy-path-v0.3/bundle.sigstore.json"))?;
    assert!(text.contains("application/vnd.dev.sigstore.bundle+json;version=0.3"));
    let alt = text.replace(
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    );
    std::fs::write(dir.path().join("a.txt.sigstore.json"), &text)?;
    std::fs::write(dir.path().join("a.txt.sigstore"), alt)?;
    let out = verify(&[
        &artifact.display().to_string(),
        "--certificate-identity",
        BEACON_ID,
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["verifiedCount"], 2);
    Ok(())
}

#[test]
fn several_artifacts_get_the_bundles_that_name_them() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let bundles = dir.path().join("bundles");
    std::fs::create_dir(&bundles)?;
    std::fs::copy(gh("sigstore-js-2.1.0-bundle.json"), bundles.join("js.json"))?;
    std::fs::copy(
        gh("reusable-workflow-attestation.sigstore.json"),
        bundles.join("wheel.json"),
    )?;
    std::fs::copy(
        conf("happy-path-v0.3/bundle.sigstore.json"),
        bundles.join("other.json"),
    )?;
    let pattern = format!("{}/*.json", bundles.display());
    let out = verify(&[
        &gh("sigstore-js-2.1.0.tgz"),
        &gh("reusable-workflow-artifact"),
        "--bundle-path",
        &pattern,
        "--certificate-identity-regexp",
        "https://github\\.com/(sigstore/sigstore-js|github/artifact-attestations-workflows)/.*",
        "--certificate-oidc-issuer",
        ISSUER,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["verifiedCount"], 2);
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains("other.json names none of the artifacts"),
        "{warnings}"
    );
    Ok(())
}

#[test]
fn summary_rows_keep_untrusted_text_in_code_spans() {
    use attest_kit::report::{VerifyReport, VerifyRow};
    use attest_kit::verify::{Check, Failure};
    let row = |artifact: &str, failure: Option<Failure>| VerifyRow {
        artifact: artifact.to_owned(),
        digest: format!("sha256:{}", "ab".repeat(32)),
        bundle: "b.jsonl#1".to_owned(),
        identity: Some("https://github.com/o/r/.github/workflows/x.yml@refs/heads/main".into()),
        issuer: Some(ISSUER.into()),
        source_repository: Some("o/r".into()),
        source_ref: Some("refs/heads/main".into()),
        log_index: Some(42),
        integrated_time: Some("2024-01-02T03:04:05Z".into()),
        predicate_type: Some("https://slsa.dev/provenance/v1".into()),
        trust_domain: Some("public-good".into()),
        failure,
        ..VerifyRow::default()
    };
    let report = VerifyReport {
        rows: vec![
            row("dist/app.tar.gz", None),
            row(
                "dist/<img src=x>|evil`.whl",
                Some(Failure::new(
                    Check::Identity,
                    "certificate identity a|b does not match ^(?:x)$",
                )),
            ),
        ],
        warnings: vec![],
    };
    insta::assert_snapshot!(attest_kit::render::summary::verify(&report), @r"
    ### attest-kit · verify

    ❌ Verification failed: **1** of **2** artifact × bundle checks passed.

    | Result | Artifact | Digest | Signer identity | Issuer | Source | Rekor entry | Predicate type | Bundle |
    |---|---|---|---|---|---|---|---|---|
    | ✅ | `dist/app.tar.gz` | `sha256:abababababab…` | `https://github.com/o/r/.github/workflows/x.yml@refs/heads/main` | `https://token.actions.githubusercontent.com` | `o/r@refs/heads/main` | `42` at `2024-01-02T03:04:05Z` | `https://slsa.dev/provenance/v1` | `b.jsonl#1` |
    | ❌ `identity` `certificate identity a\|b does not match ^(?:x)$` | ``dist/<img src=x>\|evil`.whl`` | `sha256:abababababab…` | `https://github.com/o/r/.github/workflows/x.yml@refs/heads/main` | `https://token.actions.githubusercontent.com` | `o/r@refs/heads/main` | `42` at `2024-01-02T03:04:05Z` | `https://slsa.dev/provenance/v1` | `b.jsonl#1` |
    ");
}

#[test]
fn large_artifacts_are_streamed_and_still_checked() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let big = dir.path().join("big.bin");
    std::fs::File::create(&big)?.set_len(65 * 1024 * 1024)?;
    let out = verify(&js_args(
        &gh("sigstore-js-2.1.0-bundle.json"),
        &big.display().to_string(),
    ));
    assert_fails_with(&out, "artifact-digest", "does not match any subject");
    let doc = json(&out);
    // sha256 of 65 MiB of zeros.
    assert!(
        doc["results"][0]["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:") && d.len() == 71),
        "{doc}"
    );
    Ok(())
}
