//! `attest --pypi-attestations` and `verify` of PEP 740 attestations, against a loopback
//! Sigstore: a local fake Fulcio, Rekor v1, TSA and Actions OIDC endpoint
//! (`tests/sigstore-stack/server.js`, built on `@sigstore/mock`) on 127.0.0.1, started by
//! each test. Never a public Sigstore or PyPI.
//!
//! The independent peer is `pypi-attestations` (PyPI's own library, from
//! ATTEST_KIT_PEER_VENV) through `tests/pypi/peer.py`: it parses, converts and fully
//! verifies what we write, offline against the loopback trusted root, and signs a
//! distribution that we then verify.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/sigstore_stack.rs"]
mod sigstore_stack;
use sigstore_stack::*;

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn peer_python() -> Option<PathBuf> {
    match std::env::var_os("ATTEST_KIT_PEER_VENV").filter(|v| !v.is_empty()) {
        Some(v) => Some(Path::new(&v).join("bin/python")),
        None => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "ATTEST_KIT_PEER_VENV is not set: CI must create the peer venv"
            );
            eprintln!("note: ATTEST_KIT_PEER_VENV unset; skipping sigstore-python");
            None
        }
    }
}

fn peer(args: &[&std::ffi::OsStr]) -> Option<Output> {
    let python = peer_python()?;
    Some(
        Command::new(python)
            .arg(root().join("tests/pypi/peer.py"))
            .args(args)
            .output()
            .expect("run the pypi-attestations peer"),
    )
}

const WHEEL: &str = "app-1.0-py3-none-any.whl";
const SDIST: &str = "app-1.0.tar.gz";

/// A wheel (a zip) and an sdist (gzip) in `dir/dist`.
fn dists(dir: &Path) -> Vec<PathBuf> {
    let d = dir.join("dist");
    std::fs::create_dir_all(&d).expect("dist dir");
    let wheel = d.join(WHEEL);
    std::fs::write(
        &wheel,
        b"PK\x03\x04 a wheel, as far as the magic number goes",
    )
    .expect("wheel");
    let sdist = d.join(SDIST);
    std::fs::write(&sdist, [0x1f, 0x8b, 8, 0, 1, 2, 3]).expect("sdist");
    vec![wheel, sdist]
}

fn attest(stack: &Stack, files: &[PathBuf], out: &Path, what: &str) -> Output {
    run(stack
        .cmd()
        .args(["attest", "--allow-local", "--pypi-attestations", what])
        .args(files)
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(out))
}

fn b64(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json")
}

fn sha256_hex(p: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(p).expect("read")))
}

/// The JSON's shape: every leaf replaced by its type; arrays of strings (empty or not) by
/// "strings", other arrays by the shape of each item.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) if a.iter().all(Value::is_string) => "strings".into(),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "null".into(),
    }
}

fn our_verify(stack: &Stack, file: &Path, bundles: Option<&Path>) -> Output {
    let mut c = bare_cmd();
    c.arg("verify").arg(file);
    if let Some(b) = bundles {
        c.arg("--bundle-path").arg(b);
    }
    run(c
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .args(["--certificate-identity", &stack.identity])
        .args(["--certificate-oidc-issuer", &stack.issuer]))
}

#[test]
fn local_fake_sigstore_pypi_attestations_shape_and_the_pypi_attestations_peer_verifies() {
    let Some(stack) = stack(None) else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dists(dir.path());
    let out_dir = dir.path().join("att");
    let out = attest(&stack, &files, &out_dir, "publish,provenance");
    assert_ok(&out);
    let listed = listing(&out_dir);
    for f in [WHEEL, SDIST] {
        for suffix in [".publish.attestation", ".slsa.attestation"] {
            assert!(listed.contains(&format!("{f}{suffix}")), "{listed:?}");
        }
    }
    // One certificate for the step; no bundle for the files themselves (sign not asked).
    assert_eq!(stack.stats()["fulcio"], 1, "{}", stack.stats());
    assert!(
        !listed.iter().any(|f| f.ends_with(".sigstore.json")),
        "{listed:?}"
    );

    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let att_path = out_dir.join(format!("{name}.publish.attestation"));
        let att = read_json(&att_path);
        // The PEP 740 Attestation object, field for field.
        assert_eq!(
            shape(&att),
            serde_json::json!({
                "version": "number",
                "verification_material": {
                    "certificate": "string",
                    "transparency_entries": [{
                        "logIndex": "string",
                        "logId": {"keyId": "string"},
                        "kindVersion": {"kind": "string", "version": "string"},
                        "integratedTime": "string",
                        "inclusionPromise": {"signedEntryTimestamp": "string"},
                        "inclusionProof": {
                            "logIndex": "string",
                            "rootHash": "string",
                            "treeSize": "string",
                            "hashes": "strings",
                            "checkpoint": {"envelope": "string"}
                        },
                        "canonicalizedBody": "string"
                    }]
                },
                "envelope": {"statement": "string", "signature": "string"}
            })
        );
        let keys = |v: &Value| {
            let mut k: Vec<String> = v
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            k.sort();
            k
        };
        assert_eq!(keys(&att), ["envelope", "verification_material", "version"]);
        assert_eq!(att["version"], 1);
        assert_eq!(
            keys(&att["verification_material"]),
            ["certificate", "transparency_entries"]
        );
        assert_eq!(keys(&att["envelope"]), ["signature", "statement"]);
        let entries = att["verification_material"]["transparency_entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0]["kindVersion"],
            serde_json::json!({"kind": "dsse", "version": "0.0.1"})
        );
        assert!(
            entries[0]["inclusionProof"].is_object() && entries[0]["inclusionPromise"].is_object()
        );
        let cert = b64(att["verification_material"]["certificate"]
            .as_str()
            .unwrap_or(""));
        assert_eq!(cert.first(), Some(&0x30), "DER, not PEM");
        assert!(!b64(att["envelope"]["signature"].as_str().unwrap_or("")).is_empty());
        let statement: Value =
            serde_json::from_slice(&b64(att["envelope"]["statement"].as_str().unwrap_or("")))
                .expect("statement JSON");
        assert_eq!(
            statement,
            serde_json::json!({
                "_type": "https://in-toto.io/Statement/v1",
                "subject": [{"name": name, "digest": {"sha256": sha256_hex(file)}}],
                "predicateType": "https://docs.pypi.org/attestations/publish/v1",
                "predicate": {}
            })
        );
        let slsa = read_json(&out_dir.join(format!("{name}.slsa.attestation")));
        let slsa_statement: Value =
            serde_json::from_slice(&b64(slsa["envelope"]["statement"].as_str().unwrap_or("")))
                .expect("statement JSON");
        assert_eq!(
            slsa_statement["predicateType"],
            "https://slsa.dev/provenance/v1"
        );
        assert_eq!(slsa_statement["subject"], statement["subject"]);

        // The peer: pypi-attestations parses, converts and verifies both, offline.
        for kind in ["publish", "slsa"] {
            let att_path = out_dir.join(format!("{name}.{kind}.attestation"));
            let Some(p) = peer(&[
                "verify".as_ref(),
                stack.file("trust_config.json").as_os_str(),
                stack.identity.as_ref(),
                stack.issuer.as_ref(),
                file.as_os_str(),
                att_path.as_os_str(),
            ]) else {
                continue;
            };
            assert!(
                p.status.success(),
                "pypi-attestations rejected {}: {}",
                att_path.display(),
                text(&p.stderr)
            );
            let expected = if kind == "publish" {
                "https://docs.pypi.org/attestations/publish/v1"
            } else {
                "https://slsa.dev/provenance/v1"
            };
            assert_eq!(text(&p.stdout).trim(), expected);
        }
        // And we verify our own (through bundle-path: they are in output-dir).
        for kind in ["publish", "slsa"] {
            let v = our_verify(
                &stack,
                file,
                Some(&out_dir.join(format!("{name}.{kind}.attestation"))),
            );
            assert_ok(&v);
        }
    }
}

#[test]
fn local_fake_sigstore_we_verify_what_pypi_attestations_signs_and_check_the_subject() {
    let Some(stack) = stack(None) else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dists(dir.path());
    let wheel = &files[0];
    let att = dir.path().join(format!("dist/{WHEEL}.publish.attestation"));
    let Some(p) = peer(&[
        "sign".as_ref(),
        stack.file("trust_config.json").as_os_str(),
        stack.token.as_ref(),
        wheel.as_os_str(),
        att.as_os_str(),
    ]) else {
        return;
    };
    assert!(
        p.status.success(),
        "pypi-attestations sign: {}",
        text(&p.stderr)
    );
    // Found beside the wheel by its conventional name.
    let v = our_verify(&stack, wheel, None);
    assert_ok(&v);
    assert!(text(&v.stdout).contains(WHEEL), "{}", text(&v.stdout));

    // The same signed statement does not vouch for another distribution: a renamed copy
    // (same bytes, so the digest matches) fails the subject check.
    let renamed = dir.path().join("dist/app-2.0-py3-none-any.whl");
    std::fs::copy(wheel, &renamed).expect("copy");
    let v = our_verify(&stack, &renamed, Some(&att));
    assert_eq!(v.status.code(), Some(1), "{}", text(&v.stdout));
    let all = format!("{}{}", text(&v.stdout), text(&v.stderr));
    assert!(all.contains("not the distribution"), "{all}");
    // Other bytes under the right name: the signature's digest check fails.
    let other = tempfile::tempdir().expect("temp dir");
    let changed = other.path().join(WHEEL);
    std::fs::write(&changed, b"PK\x03\x04 other bytes").expect("write");
    let v = our_verify(&stack, &changed, Some(&att));
    assert_eq!(v.status.code(), Some(1), "{}", text(&v.stdout));
}

#[test]
fn local_fake_sigstore_hostile_distribution_names_fail_before_anything_is_signed() {
    let Some(stack) = stack(None) else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let write = |name: &str, body: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, body).expect("write");
        p
    };
    let not_zip = write("app-1.0-py3-none-any.whl", b"#!/bin/sh\necho not a zip\n");
    let upper = write("App-1.0-py3-none-any.whl", b"PK\x03\x04");
    let dashed = write("my-app-1.0.tar.gz", &[0x1f, 0x8b]);
    let exe = write("app.exe", b"MZ");
    let zip_sdist = write("app-1.0.zip", b"PK\x03\x04");
    let out_dir = d.join("att");
    for (file, why) in [
        (&not_zip, "not a zip archive"),
        (&upper, "not normalised"),
        (&dashed, "not normalised"),
        (&exe, "only wheels (.whl) and sdists (.tar.gz)"),
        (&zip_sdist, "PEP 625"),
    ] {
        let out = attest(&stack, std::slice::from_ref(file), &out_dir, "true");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains(why), "{err}");
        assert!(!out_dir.exists(), "nothing may be written");
    }
    // A digest-only subject whose name is a path (one that stays below the working directory:
    // `..` is refused for every subject, before PyPI's rules are asked).
    let out = run(stack
        .cmd()
        .args(["attest", "--allow-local", "--pypi-attestations"])
        .args(["--subject-digest", &format!("sha256:{}", "a".repeat(64))])
        .args(["--subject-name", "dist/app-1.0-py3-none-any.whl"])
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not a path"),
        "{}",
        text(&out.stderr)
    );
    assert!(!out_dir.exists());
    // Nothing was signed: Fulcio was never asked for a certificate.
    assert_eq!(
        stack.stats()["fulcio"].as_u64().unwrap_or(0),
        0,
        "{}",
        stack.stats()
    );
    // pypi-attestations with sign: false cannot work.
    let out = run(bare_cmd()
        .args([
            "attest",
            "--allow-local",
            "--pypi-attestations",
            "--sign",
            "false",
        ])
        .arg(&not_zip));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("pypi-attestations"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn local_fake_sigstore_pep740_needs_a_rekor_v1_entry() {
    let Some(stack) = stack(None) else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dists(dir.path());
    let out_dir = dir.path().join("att");
    let out = run(stack
        .cmd()
        .args(["attest", "--allow-local", "--pypi-attestations=true"])
        .args(&files)
        .arg("--signing-config")
        .arg(stack.file("signing_config_v2.json"))
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .arg("--output-dir")
        .arg(&out_dir));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Rekor v1"),
        "{}",
        text(&out.stderr)
    );
    assert!(!out_dir.exists());
    assert_eq!(
        stack.stats()["fulcio"].as_u64().unwrap_or(0),
        0,
        "{}",
        stack.stats()
    );
}

#[test]
fn local_fake_sigstore_validly_signed_attestations_with_hostile_subjects_are_refused() {
    let Some(stack) = stack(None) else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dists(dir.path());
    let wheel = &files[0];
    let sha = sha256_hex(wheel);
    let publish = "https://docs.pypi.org/attestations/publish/v1";
    for (case, subjects, predicate, why) in [
        (
            "path",
            vec![format!("../{WHEEL}={sha}")],
            publish,
            "not a path",
        ),
        (
            "upper",
            vec![format!("App-1.0-py3-none-any.whl={sha}")],
            publish,
            "not normalised",
        ),
        (
            "other",
            vec![format!("{SDIST}={sha}")],
            publish,
            "not the distribution",
        ),
        (
            "two",
            vec![format!("{WHEEL}={sha}"), format!("{WHEEL}={sha}")],
            publish,
            "exactly one subject",
        ),
    ] {
        let att = dir.path().join(format!("{case}.publish.attestation"));
        let mut args: Vec<std::ffi::OsString> = vec![
            "sign-statement".into(),
            stack.file("trust_config.json").into(),
            stack.token.clone().into(),
            att.clone().into(),
            predicate.into(),
        ];
        args.extend(subjects.iter().map(Into::into));
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let Some(p) = peer(&refs) else { return };
        assert!(p.status.success(), "{case}: {}", text(&p.stderr));
        let v = our_verify(&stack, wheel, Some(&att));
        assert_eq!(v.status.code(), Some(1), "{case}: {}", text(&v.stdout));
        let all = format!("{}{}", text(&v.stdout), text(&v.stderr));
        assert!(all.contains(why), "{case}: {all}");
        assert!(all.contains("artifact-digest"), "{case}: {all}");
    }
}
