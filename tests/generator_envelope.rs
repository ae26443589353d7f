//! `verify` on slsa-github-generator's bare DSSE envelopes (`.intoto.jsonl`), whose signing
//! time only their Rekor intoto entry proves. The envelopes are made the way the generator
//! makes them (`tests/sigstore-stack/generator-envelope.js`: a Fulcio certificate from the
//! loopback Fulcio, a SLSA v0.2 statement signed as DSSE, the certificate added, the bytes
//! uploaded to the loopback Rekor v1 as an intoto entry and written out), against the local
//! fake Sigstore of `tests/sigstore-stack/server.js` on 127.0.0.1. Never a public service.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/sigstore_stack.rs"]
mod sigstore_stack;
use sigstore_stack::*;

/// The generator's own reusable workflow signs (the SAN), for the caller's repository.
const GENERATOR: &str = "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0";

fn generator_stack() -> Option<Stack> {
    stack(Some(&format!(
        r#"{{"claims": {{"job_workflow_ref": "{GENERATOR}"}}}}"#
    )))
}

/// Runs the generator: `out` gets the envelope; returns what it printed.
fn generate(stack: &Stack, out: &Path, intoto: &str, tamper: &str, artifacts: &[&Path]) -> Value {
    let o = Command::new("node")
        .arg(stack_dir().join("generator-envelope.js"))
        .arg("--stack")
        .arg(stack.dir.path())
        .arg("--out")
        .arg(out)
        .args(["--intoto", intoto])
        .args(if tamper.is_empty() {
            vec![]
        } else {
            vec!["--tamper", tamper]
        })
        .args(artifacts)
        .output()
        .expect("run node");
    assert!(o.status.success(), "generator: {}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("generator prints JSON")
}

fn verify(stack: &Stack, artifact: &Path, bundle: Option<&Path>, extra: &[&str]) -> Output {
    let mut c = bare_cmd();
    c.env("ATTEST_KIT_SIGSTORE_BACKOFF_MS", "10")
        .arg("verify")
        .arg(artifact)
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .args([
            "--certificate-identity",
            &format!("https://github.com/{GENERATOR}"),
        ])
        .args(["--certificate-oidc-issuer", &stack.issuer])
        .args(["--format", "json"])
        .args(extra);
    if let Some(b) = bundle {
        c.arg("--bundle-path").arg(b);
    }
    run(&mut c)
}

fn rows(out: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    v["results"].as_array().cloned().unwrap_or_default()
}

/// The one row's failed check and reason (the run must have failed with exit 1).
fn failure(out: &Output) -> (String, String) {
    let r = rows(out);
    assert_eq!(out.status.code(), Some(1), "{r:?} {}", text(&out.stderr));
    assert_eq!(r.len(), 1, "{r:?}");
    let s = |k: &str| r[0]["failure"][k].as_str().unwrap_or_default().to_owned();
    (s("check"), s("reason"))
}

fn artifact(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write artifact");
    p
}

#[test]
fn local_fake_rekor_verifies_a_generator_envelope_and_refuses_what_it_must() {
    let Some(stack) = generator_stack() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let app = artifact(dir.path(), "app-1.0.tar.gz", "sdist");
    // Beside the artifact by convention: `<file>.intoto.jsonl`, as intoto v0.0.2.
    let envelope = dir.path().join("app-1.0.tar.gz.intoto.jsonl");
    let made = generate(&stack, &envelope, "0.0.2", "", &[&app]);

    let out = verify(&stack, &app, None, &[]);
    let r = rows(&out);
    assert_eq!(out.status.code(), Some(0), "{r:?} {}", text(&out.stderr));
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["logIndex"], made["logIndex"], "{r:?}");
    assert!(r[0]["integratedTime"].is_string(), "{r:?}");
    assert_eq!(r[0]["predicateType"], "https://slsa.dev/provenance/v0.2");
    assert_eq!(r[0]["sourceRepository"], "attest-kit/demo");
    assert!(
        r[0]["bundle"]
            .as_str()
            .is_some_and(|b| b.ends_with(".intoto.jsonl"))
    );
    // One search by the envelope's SHA-256, one entry fetched.
    assert_eq!(stack.stats()["rekor-search"], 2);

    // Another signer than the policy names: the identity check, on the verified certificate.
    let out = run(bare_cmd()
        .arg("verify")
        .arg(&app)
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .args([
            "--certificate-identity",
            "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
        ])
        .args(["--certificate-oidc-issuer", &stack.issuer])
        .args(["--format", "json"]));
    assert_eq!(failure(&out).0, "identity");

    // The envelope for another artifact: the statement names other subjects.
    let other = artifact(dir.path(), "other.whl", "wheel");
    let (check, reason) = failure(&verify(&stack, &other, Some(&envelope), &[]));
    assert_eq!(check, "artifact-digest", "{reason}");

    // A changed byte: not what was logged, so no entry.
    let text0 = std::fs::read_to_string(&envelope).expect("read");
    let changed = dir.path().join("changed.intoto.jsonl");
    std::fs::write(
        &changed,
        text0.replacen("\"keyid\":\"\"", "\"keyid\":\"k\"", 1),
    )
    .expect("w");
    let (check, reason) = failure(&verify(&stack, &app, Some(&changed), &[]));
    assert_eq!(check, "transparency-log", "{reason}");
    assert!(
        reason.contains("has no entry for the envelope's sha256:"),
        "{reason}"
    );
    // ... and if the (unauthenticated) index points its hash at the real entry, the entry's
    // body does not log it.
    let changed_sha = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(
            std::fs::read_to_string(&changed).expect("r").trim(),
        ))
    };
    stack.control(&format!(
        r#"{{"index": {{"sha256:{changed_sha}": ["{}"]}}}}"#,
        made["uuid"].as_str().unwrap_or_default()
    ));
    let (check, reason) = failure(&verify(&stack, &app, Some(&changed), &[]));
    assert_eq!(check, "transparency-log", "{reason}");
    assert!(reason.contains("holds this envelope"), "{reason}");

    // A log that logs without checking: the verifier checks the envelope itself.
    for (tamper, name) in [
        ("payload", "tampered payload"),
        ("signature", "swapped signature"),
        ("certificate", "foreign certificate"),
    ] {
        let bad = dir.path().join(format!("{tamper}.intoto.jsonl"));
        stack.control(r#"{"unchecked": {"rekor": 1}}"#);
        generate(&stack, &bad, "0.0.2", tamper, &[&app]);
        let (check, reason) = failure(&verify(&stack, &app, Some(&bad), &[]));
        assert_eq!(check, "signature", "{name}: {reason}");
    }

    // An entry altered in transit: its signed entry timestamp no longer matches.
    stack.control(r#"{"tamperEntry": {"rekor-search": 1}}"#);
    let (check, reason) = failure(&verify(&stack, &app, Some(&envelope), &[]));
    assert_eq!(check, "transparency-log", "{reason}");

    // One envelope for several artifacts (the generator's usual release): each verifies,
    // and the envelope is looked up once.
    let wheel = artifact(dir.path(), "app-1.0-py3-none-any.whl", "wheel");
    let both = dir.path().join("multiple.intoto.jsonl");
    generate(&stack, &both, "0.0.2", "", &[&app, &wheel]);
    let before = stack.stats()["rekor-search"].as_u64().unwrap_or_default();
    let out = run(bare_cmd()
        .arg("verify")
        .arg(&app)
        .arg(&wheel)
        .arg("--bundle-path")
        .arg(&both)
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .args([
            "--certificate-identity",
            &format!("https://github.com/{GENERATOR}"),
        ])
        .args(["--certificate-oidc-issuer", &stack.issuer])
        .args(["--format", "json"]));
    let r = rows(&out);
    assert_eq!(out.status.code(), Some(0), "{r:?}");
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(
        stack.stats()["rekor-search"].as_u64().unwrap_or_default() - before,
        2
    );

    // No log to reach, or not allowed to ask: one line naming the format and the lookup.
    let (check, reason) = failure(&verify(
        &stack,
        &app,
        Some(&envelope),
        &["--rekor-url", "http://127.0.0.1:9"],
    ));
    assert_eq!(check, "transparency-log", "{reason}");
    assert!(reason.contains("couldn't search the Rekor log"), "{reason}");
    let (check, reason) = failure(&verify(&stack, &app, Some(&envelope), &["--offline"]));
    assert_eq!(check, "timestamp", "{reason}");
    assert_eq!(
        reason,
        "a slsa-github-generator DSSE envelope (.intoto.jsonl) carries no log entry: its Rekor entry must be looked up, which --offline forbids"
    );
}

/// What the generator itself uploads: intoto v0.0.1 (cosign's TLogUploadInTotoAttestation).
/// sigstore-verify 0.15.1 cannot check that kind version, so the entry is found, named and
/// refused: nothing unverified passes.
#[test]
fn local_fake_rekor_names_an_intoto_v001_entry_it_cannot_verify() {
    let Some(stack) = generator_stack() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let app = artifact(dir.path(), "app-1.0.tar.gz", "sdist");
    let envelope = dir.path().join("attestation.intoto.jsonl");
    let made = generate(&stack, &envelope, "0.0.1", "", &[&app]);
    let (check, reason) = failure(&verify(&stack, &app, Some(&envelope), &[]));
    assert_eq!(check, "transparency-log", "{reason}");
    assert!(
        reason.contains(&format!("log index {}", made["logIndex"]))
            && reason.contains("intoto v0.0.1"),
        "{reason}"
    );
}
