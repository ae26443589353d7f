//! `attest-kit sign` and `attest --sign` against a loopback Sigstore: a local fake Fulcio,
//! Rekor v1, TSA and Actions OIDC endpoint (`tests/sigstore-stack/server.js`, built on
//! `@sigstore/mock`) on 127.0.0.1, started by each test. Never a public Sigstore.
//!
//! What we sign is checked by independent verifiers (sigstore-python from
//! ATTEST_KIT_PEER_VENV, `@sigstore/verify` on node, `openssl` for the `.sig`/`.crt` pair),
//! and what sigstore-python signs is verified by us. Faults are injected by the fake server.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/sigstore_stack.rs"]
mod sigstore_stack;
use sigstore_stack::*;

/// Two small files in a fresh directory.
fn artifacts() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<PathBuf> = [
        ("app-1.0.tar.gz", "sdist"),
        ("app-1.0-py3-none-any.whl", "wheel"),
    ]
    .iter()
    .map(|(name, body)| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).expect("write artifact");
        p
    })
    .collect();
    (dir, files)
}

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

/// sigstore-python verifies `bundle` over `file` for the stack's identity, offline.
fn python_verifies(stack: &Stack, bundle: &Path, file: &Path) -> Option<bool> {
    let python = peer_python()?;
    let out = Command::new(python)
        .args(["-m", "sigstore", "--trust-config"])
        .arg(stack.file("trust_config.json"))
        .args(["verify", "identity", "--offline", "--bundle"])
        .arg(bundle)
        .args(["--cert-identity", &stack.identity])
        .args(["--cert-oidc-issuer", &stack.issuer])
        .arg(file)
        .output()
        .expect("run sigstore-python");
    if !out.status.success() {
        eprintln!("sigstore-python: {}", text(&out.stderr));
    }
    Some(out.status.success())
}

/// `@sigstore/verify` verifies `bundle` (over `file` for message signatures).
fn js_verifies(stack: &Stack, bundle: &Path, file: Option<&Path>) -> bool {
    let mut c = Command::new("node");
    c.arg(stack_dir().join("verify.js"))
        .arg(stack.file("trusted_root.json"))
        .arg(bundle)
        .arg(&stack.identity)
        .arg(&stack.issuer);
    if let Some(f) = file {
        c.arg(f);
    }
    let out = c.output().expect("run node");
    if !out.status.success() {
        eprintln!("@sigstore/verify: {}", text(&out.stderr));
    }
    out.status.success()
}

/// `openssl` checks the `.sig` over the file with the `.crt`'s key, and the `.crt` chains to
/// the fake Fulcio's root from the trusted root.
fn openssl_verifies(stack: &Stack, file: &Path, sig: &Path, crt: &Path, work: &Path) -> bool {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let sig_der = b64
        .decode(std::fs::read_to_string(sig).unwrap_or_default().trim())
        .unwrap_or_default();
    std::fs::write(work.join("sig.der"), sig_der).expect("write");
    let pubkey = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(crt)
        .output()
        .expect("openssl");
    std::fs::write(work.join("pub.pem"), &pubkey.stdout).expect("write");
    let sig_ok = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(work.join("pub.pem"))
        .arg("-signature")
        .arg(work.join("sig.der"))
        .arg(file)
        .output()
        .expect("openssl")
        .status
        .success();
    let root: Value =
        serde_json::from_slice(&std::fs::read(stack.file("trusted_root.json")).unwrap_or_default())
            .unwrap_or(Value::Null);
    let ca = root["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"]
        .as_str()
        .unwrap_or_default();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        ca.as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    );
    std::fs::write(work.join("ca.pem"), pem).expect("write");
    let chain_ok = Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(work.join("ca.pem"))
        .arg(crt)
        .output()
        .expect("openssl")
        .status
        .success();
    sig_ok && chain_ok
}

fn our_verify(stack: &Stack, file: &Path, bundle: &Path) -> Output {
    our_verify_with(stack, file, bundle, &[])
}

fn our_verify_with(stack: &Stack, file: &Path, bundle: &Path, extra: &[&str]) -> Output {
    run(bare_cmd()
        .arg("verify")
        .arg(file)
        .arg("--bundle-path")
        .arg(bundle)
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .args(["--certificate-identity", &stack.identity])
        .args(["--certificate-oidc-issuer", &stack.issuer])
        .args(extra))
}

#[test]
fn local_fake_sigstore_sign_files_then_every_peer_verifies() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let out_dir = dir.path().join("signed");
    let out = run(stack
        .cmd()
        .arg("sign")
        .args(&files)
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir)
        .args(["--format", "json"]));
    assert_ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["signing"]["identity"], stack.identity.as_str());
    assert_eq!(report["signing"]["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        listing(&out_dir),
        [
            "app-1.0-py3-none-any.whl.crt",
            "app-1.0-py3-none-any.whl.sig",
            "app-1.0-py3-none-any.whl.sigstore.json",
            "app-1.0.tar.gz.crt",
            "app-1.0.tar.gz.sig",
            "app-1.0.tar.gz.sigstore.json",
        ]
    );
    // One key and one certificate for the whole step; one log entry and timestamp each.
    let stats = stack.stats();
    assert_eq!(stats["fulcio"], 1, "{stats}");
    assert_eq!(stats["rekor"], 2, "{stats}");
    assert_eq!(stats["tsa"], 2, "{stats}");
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bundle = out_dir.join(format!("{name}.sigstore.json"));
        if let Some(ok) = python_verifies(&stack, &bundle, f) {
            assert!(ok, "sigstore-python rejects {}", bundle.display());
        }
        assert!(
            js_verifies(&stack, &bundle, Some(f)),
            "@sigstore/verify rejects {name}"
        );
        assert!(
            openssl_verifies(
                &stack,
                f,
                &out_dir.join(format!("{name}.sig")),
                &out_dir.join(format!("{name}.crt")),
                dir.path()
            ),
            "openssl rejects the .sig/.crt of {name}"
        );
        assert_ok(&our_verify(&stack, f, &bundle));
    }
    // A bundle does not verify for the other file.
    let wrong = out_dir.join("app-1.0.tar.gz.sigstore.json");
    assert!(!js_verifies(&stack, &wrong, Some(&files[1])));
    if let Some(ok) = python_verifies(&stack, &wrong, &files[1]) {
        assert!(!ok);
    }
}

#[test]
fn local_fake_sigstore_attest_signs_provenance_as_dsse_and_peers_verify() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let out_dir = dir.path().join("att");
    let out = run(stack
        .cmd()
        .arg("attest")
        .args(&files)
        .args(["--allow-local", "--sign", "attestations"])
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir));
    assert_ok(&out);
    let names = listing(&out_dir);
    assert!(
        names.contains(&"provenance.sigstore.json".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"provenance.intoto.jsonl".to_owned()),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with(".sig")), "{names:?}");
    let bundle = out_dir.join("provenance.sigstore.json");
    let json: Value =
        serde_json::from_slice(&std::fs::read(&bundle).unwrap_or_default()).unwrap_or(Value::Null);
    assert_eq!(
        json["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
        "dsse"
    );
    assert!(
        js_verifies(&stack, &bundle, None),
        "@sigstore/verify rejects the DSSE bundle"
    );
    for f in &files {
        if let Some(ok) = python_verifies(&stack, &bundle, f) {
            assert!(
                ok,
                "sigstore-python rejects the attestation for {}",
                f.display()
            );
        }
        assert_ok(&our_verify(
            &stack,
            f,
            &out_dir.join("provenance.intoto.jsonl"),
        ));
    }
    assert_eq!(stack.stats()["fulcio"], 1);
}

#[test]
fn local_fake_sigstore_single_subject_attestations_one_per_file() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let out_dir = dir.path().join("att");
    let out = run(stack
        .cmd()
        .arg("attest")
        .args(&files)
        .args(["--allow-local", "--sign", "--single-subject-attestations"])
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir));
    assert_ok(&out);
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bundle = out_dir.join(format!("{name}.provenance.sigstore.json"));
        let json: Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap_or_default())
            .unwrap_or(Value::Null);
        let payload = json["dsseEnvelope"]["payload"].as_str().unwrap_or_default();
        use base64::Engine as _;
        let statement: Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(payload)
                .unwrap_or_default(),
        )
        .unwrap_or(Value::Null);
        assert_eq!(statement["subject"].as_array().map(Vec::len), Some(1));
        assert_eq!(statement["subject"][0]["name"], name.as_str());
        if let Some(ok) = python_verifies(&stack, &bundle, f) {
            assert!(ok);
        }
        // Blob bundles and .sig/.crt are there too with `sign: true`.
        assert!(out_dir.join(format!("{name}.sig")).is_file());
    }
}

#[test]
fn local_fake_sigstore_we_verify_what_sigstore_python_signs() {
    let Some(stack) = stack(None) else { return };
    let Some(python) = peer_python() else { return };
    let (dir, files) = artifacts();
    let f = &files[0];
    let blob = dir.path().join("py.sigstore.json");
    let att = dir.path().join("py.att.json");
    let predicate = dir.path().join("predicate.json");
    std::fs::write(&predicate, r#"{"buildDefinition":{"buildType":"https://example.com/t","externalParameters":{}},"runDetails":{"builder":{"id":"https://example.com/b"}}}"#).expect("write");
    let base = |c: &mut Command| {
        c.args(["-m", "sigstore", "--trust-config"])
            .arg(stack.file("trust_config.json"));
    };
    let mut sign = Command::new(&python);
    base(&mut sign);
    sign.args(["sign", "--identity-token", &stack.token, "--bundle"])
        .arg(&blob)
        .arg(f);
    assert_ok(&sign.output().expect("sigstore-python sign"));
    python_attests(&python, &stack, &predicate, &att, f);
    assert_ok(&our_verify(&stack, f, &blob));
    assert_ok(&our_verify(&stack, f, &att));
    // And not for the other file.
    assert!(!our_verify(&stack, &files[1], &blob).status.success());
}

/// sigstore-python signs a SLSA v1 statement with `predicate` over `file` into `bundle`.
fn python_attests(python: &Path, stack: &Stack, predicate: &Path, bundle: &Path, file: &Path) {
    let mut attest = Command::new(python);
    attest
        .args(["-m", "sigstore", "--trust-config"])
        .arg(stack.file("trust_config.json"))
        .args(["attest", "--identity-token", &stack.token])
        .args([
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            "--predicate",
        ])
        .arg(predicate)
        .arg("--bundle")
        .arg(bundle)
        .arg(file);
    assert_ok(&attest.output().expect("sigstore-python attest"));
}

/// Runs `sign` expecting failure; checks stderr and that nothing was written.
fn fails_cleanly(stack: &Stack, extra: &[String], expect: &[&str]) {
    let (dir, files) = artifacts();
    let out_dir = dir.path().join("out");
    let out = run(stack
        .cmd()
        .arg("sign")
        .args(&files)
        .args(extra)
        .arg("--output-dir")
        .arg(&out_dir));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert!(err.lines().count() <= 3, "a short reason: {err}");
    assert_eq!(
        listing(&out_dir),
        Vec::<String>::new(),
        "nothing is written"
    );
    assert!(!err.contains(&stack.token) && !err.contains(&stack.request_token));
}

#[test]
fn local_fake_fulcio_down_fails_naming_fulcio_and_writes_nothing() {
    let Some(stack) = stack(None) else { return };
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let mut args = stack.trust_args();
    args.extend(["--fulcio-url".into(), format!("http://127.0.0.1:{closed}")]);
    fails_cleanly(
        &stack,
        &args,
        &["Fulcio failed", "/api/v2/signingCert", "after 4 attempts"],
    );
}

#[test]
fn local_fake_rekor_500_then_200_is_retried() {
    let Some(stack) = stack(Some(r#"{"fail":{"rekor":[500, 503]}}"#)) else {
        return;
    };
    let (dir, files) = artifacts();
    let out_dir = dir.path().join("out");
    let out = run(stack
        .cmd()
        .arg("sign")
        .args(&files)
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir));
    assert_ok(&out);
    assert_eq!(
        stack.stats()["rekor"],
        4,
        "two failures, then one entry per file"
    );
    assert_eq!(listing(&out_dir).len(), 6);
}

#[test]
fn local_fake_rekor_persistent_5xx_gives_up_with_a_bounded_number_of_tries() {
    let Some(stack) = stack(Some(
        r#"{"fail":{"rekor":[502,502,502,502,502,502,502,502]}}"#,
    )) else {
        return;
    };
    fails_cleanly(
        &stack,
        &stack.trust_args(),
        &["Rekor failed", "HTTP 502", "after 4 attempts"],
    );
}

#[test]
fn local_fake_rekor_bad_inclusion_proof_fails_the_self_check() {
    let Some(stack) = stack(Some(r#"{"badProof":{"rekor":1}}"#)) else {
        return;
    };
    fails_cleanly(
        &stack,
        &stack.trust_args(),
        &["self-check failed", "inclusion proof"],
    );
}

#[test]
fn local_fake_rekor_that_hangs_times_out() {
    let Some(stack) = stack(Some(r#"{"hang":{"rekor":20}}"#)) else {
        return;
    };
    let (dir, files) = artifacts();
    let out = run(stack
        .cmd()
        .env("ATTEST_KIT_SIGSTORE_TIMEOUT", "0.5")
        .arg("sign")
        .arg(&files[0])
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(dir.path().join("out")));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("Rekor failed") && err.contains("timed out"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn local_fake_fulcio_rejects_a_forged_token() {
    let Some(stack) = stack(None) else { return };
    // A well-formed JWT not signed by the stack's OIDC key.
    let parts: Vec<&str> = stack.token.split('.').collect();
    let forged = format!("{}.{}.AAAA", parts[0], parts[1]);
    let mut args = stack.trust_args();
    args.extend(["--identity-token".into(), forged.clone()]);
    fails_cleanly(&stack, &args, &["Fulcio failed", "HTTP 401"]);
    assert_eq!(stack.stats()["fulcio"], 1, "a 4xx is not retried");
}

#[test]
fn without_id_token_permission_the_error_says_so() {
    let (dir, files) = artifacts();
    let out_dir = dir.path().join("out");
    let out = run(bare_cmd()
        .env("GITHUB_ACTIONS", "true")
        .arg("sign")
        .args(&files)
        .arg("--output-dir")
        .arg(&out_dir));
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("::error"), "{all}");
    assert!(all.contains("permissions: id-token: write"), "{all}");
    assert!(!out_dir.exists());
}

#[test]
fn local_fake_sigstore_action_masks_the_token_first_and_sets_outputs() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let gh_output = dir.path().join("output");
    let summary = dir.path().join("summary.md");
    std::fs::write(&gh_output, "").expect("write");
    std::fs::write(&summary, "").expect("write");
    let out = run(stack
        .cmd()
        .current_dir(dir.path())
        .arg("action")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &gh_output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("INPUT_COMMAND", "sign")
        .env("INPUT_SUBJECT_PATH", "*.whl\n*.tar.gz")
        .env("INPUT_OUTPUT_DIR", "signed")
        .env("INPUT_SIGN", "")
        .env("INPUT_SIGNING_CONFIG", stack.file("signing_config.json"))
        .env("INPUT_TRUSTED_ROOT", stack.file("trusted_root.json")));
    assert_ok(&out);
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    assert_eq!(first, format!("::add-mask::{}", stack.request_token));
    // The JWT is masked as soon as it arrives, before any line that could show it.
    let jwt_mask = stdout
        .lines()
        .position(|l| l.starts_with("::add-mask::ey"))
        .expect("the fetched token is masked");
    let jwt = &stdout.lines().nth(jwt_mask).unwrap_or_default()["::add-mask::".len()..];
    assert_eq!(stdout.matches(jwt).count(), 1, "{stdout}");
    assert_eq!(stdout.matches(&stack.request_token).count(), 1);
    let outputs = std::fs::read_to_string(&gh_output).unwrap_or_default();
    for name in [
        "bundle-paths",
        "signature-paths",
        "certificate-paths",
        "certificate-identity",
        "rekor-log-indexes",
    ] {
        assert!(outputs.contains(name), "{name} in {outputs}");
    }
    assert!(outputs.contains("signed/app-1.0.tar.gz.sigstore.json"));
    assert!(outputs.contains(&stack.identity));
    let md = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(md.contains("cosign verify-blob"), "{md}");
    assert!(md.contains("attest-kit verify"), "{md}");
    assert!(md.contains(&stack.identity), "{md}");
    let secret = stack.request_token.as_str();
    assert!(!outputs.contains(secret) && !md.contains(secret));
    assert!(files.iter().all(|f| f.is_file()));
}

#[test]
fn local_fake_sigstore_conformance_client_sign_bundle_then_verify_bundle() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let bundle = dir.path().join("conformance.sigstore.json");
    let client = root().join("tests/conformance/client");
    let out = run(Command::new("bash")
        .arg(&client)
        .arg("sign-bundle")
        .args(["--identity-token", &stack.token])
        .arg("--bundle")
        .arg(&bundle)
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .arg("--signing-config")
        .arg(stack.file("signing_config.json"))
        .arg(&files[0])
        .env("ATTEST_KIT_BIN", env!("CARGO_BIN_EXE_attest-kit"))
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL"));
    assert_ok(&out);
    let verify = run(Command::new("bash")
        .arg(&client)
        .arg("verify-bundle")
        .arg("--bundle")
        .arg(&bundle)
        .args(["--certificate-identity", &stack.identity])
        .args(["--certificate-oidc-issuer", &stack.issuer])
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .arg(&files[0])
        .env("ATTEST_KIT_BIN", env!("CARGO_BIN_EXE_attest-kit")));
    assert_ok(&verify);
    if let Some(ok) = python_verifies(&stack, &bundle, &files[0]) {
        assert!(ok);
    }
}

#[test]
fn local_fake_sigstore_signs_a_subject_given_only_by_digest() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let bytes = std::fs::read(&files[0]).expect("read");
    use sha2::Digest as _;
    let hex = hex::encode(sha2::Sha256::digest(&bytes));
    let out_dir = dir.path().join("out");
    let out = run(stack
        .cmd()
        .arg("sign")
        .arg("--subject-digest")
        .arg(format!("sha256:{hex}"))
        .args(["--subject-name", "remote/app.bin"])
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir));
    assert_ok(&out);
    // Named by the subject's file name only.
    let bundle = out_dir.join("app.bin.sigstore.json");
    assert!(bundle.is_file(), "{:?}", listing(&out_dir));
    // The bundle is over the bytes the digest stands for.
    assert!(js_verifies(&stack, &bundle, Some(&files[0])));
    assert_ok(&our_verify(&stack, &files[0], &bundle));
}

#[test]
fn local_fake_sigstore_a_subject_named_like_an_attestation_is_refused() {
    let Some(stack) = stack(None) else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("provenance");
    std::fs::write(&f, "x").expect("write");
    let out_dir = dir.path().join("out");
    let out = run(stack
        .cmd()
        .arg("attest")
        .arg(&f)
        .args(["--allow-local", "--sign"])
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("same signature file") && err.contains("provenance.sigstore.json"),
        "{err}"
    );
    assert!(!out_dir.exists(), "{:?}", listing(&out_dir));
}

/// Rekor v2 (selected by the signing config): hashedrekord v0.0.2 entries in a real Merkle
/// tree with C2SP checkpoints, and RFC 3161 timestamps for the signing time.
#[test]
fn local_fake_rekor_v2_signing_config_and_every_peer_verifies() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let v2 = [
        "--signing-config".to_owned(),
        stack.file("signing_config_v2.json").display().to_string(),
        "--trusted-root".to_owned(),
        stack.file("trusted_root.json").display().to_string(),
    ];
    // Two runs, so the second run's entries have non-trivial inclusion proofs.
    for run_no in 0..2 {
        let out_dir = dir.path().join(format!("v2-{run_no}"));
        let out = run(stack
            .cmd()
            .arg("attest")
            .args(&files)
            .args(["--allow-local", "--sign"])
            .args(&v2)
            .arg("--output-dir")
            .arg(&out_dir));
        assert_ok(&out);
    }
    let out_dir = dir.path().join("v2-1");
    let att = out_dir.join("provenance.sigstore.json");
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bundle = out_dir.join(format!("{name}.sigstore.json"));
        let json: Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap_or_default())
            .unwrap_or(Value::Null);
        let entry = &json["verificationMaterial"]["tlogEntries"][0];
        assert_eq!(entry["kindVersion"]["version"], "0.0.2");
        assert!(
            entry["inclusionProof"]["hashes"]
                .as_array()
                .is_some_and(|h| !h.is_empty())
        );
        assert!(
            json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                .is_object()
        );
        assert!(
            js_verifies(&stack, &bundle, Some(f)),
            "@sigstore/verify rejects {name}"
        );
        if let Some(ok) = python_verifies(&stack, &bundle, f) {
            assert!(ok, "sigstore-python rejects {name}");
        }
        if let Some(ok) = python_verifies(&stack, &att, f) {
            assert!(ok, "sigstore-python rejects the v2 attestation");
        }
        assert_ok(&our_verify(&stack, f, &bundle));
    }
    assert!(js_verifies(&stack, &att, None));
}

#[test]
fn local_fake_rekor_v2_bad_inclusion_proof_fails_the_self_check() {
    let Some(stack) = stack(Some(r#"{"badProof":{"rekor":1}}"#)) else {
        return;
    };
    let args = [
        "--signing-config".to_owned(),
        stack.file("signing_config_v2.json").display().to_string(),
        "--trusted-root".to_owned(),
        stack.file("trusted_root.json").display().to_string(),
    ];
    fails_cleanly(&stack, &args, &["self-check failed"]);
}

/// A `.sig` + `.crt` pair alone (the seed's layout, cosign's `--output-signature` /
/// `--output-certificate`): `verify` finds its entry in the local fake Rekor by the file's
/// digest (search, then fetch), and the entry's SET and inclusion proof are checked like a
/// bundle's. A served entry that was altered, a pair that is not the one logged, no log, or
/// `--offline` each fail with the check that failed.
#[test]
fn local_fake_rekor_lookup_verifies_a_sig_crt_pair_and_refuses_what_it_must() {
    let Some(stack) = stack(None) else {
        return;
    };
    let (dir, files) = artifacts();
    let out = run(stack
        .cmd()
        .args(["sign", "--sign", "sig-crt"])
        .args(&files)
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(dir.path()));
    assert_ok(&out);
    let verify = |file: &Path, extra: &[&str]| {
        run(bare_cmd()
            .env("ATTEST_KIT_SIGSTORE_BACKOFF_MS", "10")
            .arg("verify")
            .arg(file)
            .arg("--trusted-root")
            .arg(stack.file("trusted_root.json"))
            .args(["--certificate-identity", &stack.identity])
            .args(["--certificate-oidc-issuer", &stack.issuer])
            .args(["--format", "json"])
            .args(extra))
    };
    let rows = |out: &Output| -> Vec<Value> {
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        v["results"].as_array().cloned().unwrap_or_default()
    };
    let failure = |out: &Output| {
        let r = rows(out);
        assert_eq!(out.status.code(), Some(1), "{r:?}");
        assert_eq!(r.len(), 1, "{r:?}");
        (
            r[0]["failure"]["check"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            r[0]["failure"]["reason"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };

    // Both files verify; each took one search and one entry fetch, and the first search
    // was answered 500 once and retried.
    stack.control(r#"{"fail": {"rekor-search": [500]}}"#);
    for f in &files {
        let out = verify(f, &[]);
        let r = rows(&out);
        assert_eq!(out.status.code(), Some(0), "{r:?}");
        assert_eq!(r.len(), 1);
        assert!(r[0]["bundle"].as_str().is_some_and(|b| b.ends_with(".sig")));
        assert!(r[0]["logIndex"].is_u64(), "{r:?}");
        assert!(r[0]["integratedTime"].is_string(), "{r:?}");
    }
    assert_eq!(stack.stats()["rekor-search"], 5);

    // The same pair under another identity policy still fails the policy.
    let out = run(bare_cmd()
        .arg("verify")
        .arg(&files[0])
        .arg("--trusted-root")
        .arg(stack.file("trusted_root.json"))
        .args([
            "--certificate-identity",
            "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
        ])
        .args(["--certificate-oidc-issuer", &stack.issuer])
        .args(["--format", "json"]));
    assert_eq!(failure(&out).0, "identity");

    // An entry altered in transit: its signed entry timestamp no longer matches.
    stack.control(r#"{"tamperEntry": {"rekor-search": 1}}"#);
    let (check, reason) = failure(&verify(&files[0], &[]));
    assert_eq!(check, "transparency-log", "{reason}");

    // The wheel's signature beside the sdist: the sdist's entries hold another signature.
    let sdist_sig = PathBuf::from(format!("{}.sig", files[0].display()));
    let wheel_sig = PathBuf::from(format!("{}.sig", files[1].display()));
    let wheel_crt = PathBuf::from(format!("{}.crt", files[1].display()));
    let swapped = dir.path().join("swapped");
    std::fs::create_dir_all(&swapped).expect("dir");
    let copy = swapped.join("app-1.0.tar.gz");
    std::fs::copy(&files[0], &copy).expect("copy");
    std::fs::copy(&wheel_sig, swapped.join("app-1.0.tar.gz.sig")).expect("copy");
    std::fs::copy(&wheel_crt, swapped.join("app-1.0.tar.gz.crt")).expect("copy");
    let (check, reason) = failure(&verify(&copy, &[]));
    assert_eq!(check, "transparency-log", "{reason}");
    assert!(
        reason.contains("holds this signature and certificate"),
        "{reason}"
    );

    // A changed file: no entry for its digest.
    std::fs::copy(&sdist_sig, swapped.join("app-1.0.tar.gz.sig")).expect("copy");
    std::fs::write(&copy, "changed").expect("write");
    let (check, reason) = failure(&verify(&copy, &[]));
    assert_eq!(check, "transparency-log", "{reason}");
    assert!(reason.contains("has no entry for sha256:"), "{reason}");

    // No log to ask, or not allowed to ask.
    let (check, reason) = failure(&verify(&files[0], &["--rekor-url", "http://127.0.0.1:9"]));
    assert_eq!(check, "transparency-log", "{reason}");
    assert!(reason.contains("couldn't search the Rekor log"), "{reason}");
    let (check, reason) = failure(&verify(&files[0], &["--offline"]));
    assert_eq!(check, "timestamp", "{reason}");
    assert!(reason.contains("--offline"), "{reason}");
    // A Rekor URL that is plain http to another host is a usage error before any request.
    let out = verify(&files[0], &["--rekor-url", "http://rekor.example"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rekor-url"));
}

/// `attest` with `sign` (bundle, sig-crt) signs the files it writes as well as the artifacts:
/// the provenance statement, SHA256SUMS and the legacy build-provenance.json each get a
/// bundle and a .sig/.crt pair (the seed publishes every file with one), which verify with
/// our verify (the pair through the local fake Rekor) and with sigstore-python.
#[test]
fn local_fake_sigstore_attest_signs_the_files_it_writes_too() {
    let Some(stack) = stack(None) else { return };
    let (dir, files) = artifacts();
    let out_dir = dir.path().join("att");
    let out = run(stack
        .cmd()
        .arg("attest")
        .args(&files)
        .args([
            "--allow-local",
            "--sign",
            "bundle,sig-crt",
            "--legacy-provenance",
        ])
        .args(stack.trust_args())
        .arg("--output-dir")
        .arg(&out_dir));
    assert_ok(&out);
    let names = listing(&out_dir);
    for doc in [
        "provenance.statement.json",
        "SHA256SUMS",
        "build-provenance.json",
    ] {
        for ext in [".sigstore.json", ".sig", ".crt"] {
            assert!(
                names.contains(&format!("{doc}{ext}")),
                "{doc}{ext} not in {names:?}"
            );
        }
        let file = out_dir.join(doc);
        let bundle = out_dir.join(format!("{doc}.sigstore.json"));
        assert_ok(&our_verify(&stack, &file, &bundle));
        if let Some(ok) = python_verifies(&stack, &bundle, &file) {
            assert!(ok, "sigstore-python rejects the bundle of {doc}");
        }
        // The pair alone, its signing time from the local fake Rekor.
        let pair_only = dir.path().join(format!("pair-{doc}"));
        std::fs::create_dir_all(&pair_only).expect("dir");
        for ext in ["", ".sig", ".crt"] {
            std::fs::copy(
                out_dir.join(format!("{doc}{ext}")),
                pair_only.join(format!("{doc}{ext}")),
            )
            .expect("copy");
        }
        assert_ok(&run(bare_cmd()
            .arg("verify")
            .arg(pair_only.join(doc))
            .arg("--trusted-root")
            .arg(stack.file("trusted_root.json"))
            .args(["--certificate-identity", &stack.identity])
            .args(["--certificate-oidc-issuer", &stack.issuer])));
    }
    // Signing the documents does not sign the signatures: no bundle of a bundle.
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".sigstore.json.sigstore.json"))
    );
    assert_eq!(stack.stats()["fulcio"], 1);
}

/// The SLSA cross-check is on by default and `--provenance-checks=false` turns it off (the
/// conformance client's plain-Sigstore mode): a statement signed by the loopback Fulcio's
/// GitHub identity that names another repository fails only while the check is on.
#[test]
fn local_fake_sigstore_provenance_checks_can_be_turned_off() {
    let Some(stack) = stack(None) else { return };
    let Some(python) = peer_python() else { return };
    let (dir, files) = artifacts();
    let f = &files[0];
    let att = dir.path().join("other-repo.sigstore.json");
    let predicate = dir.path().join("predicate.json");
    std::fs::write(
        &predicate,
        r#"{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1","externalParameters":{"workflow":{"ref":"refs/heads/main","repository":"https://github.com/someone-else/elsewhere","path":".github/workflows/x.yml"}}},"runDetails":{"builder":{"id":"https://example.com/b"}}}"#,
    )
    .expect("write");
    python_attests(&python, &stack, &predicate, &att, f);
    let on = our_verify(&stack, f, &att);
    assert_eq!(on.status.code(), Some(1), "{}", text(&on.stdout));
    let shown = text(&on.stdout);
    assert!(
        shown.contains(
            "slsa check failed: provenance source repository someone-else/elsewhere does not match"
        ),
        "{shown}"
    );
    assert_ok(&our_verify_with(
        &stack,
        f,
        &att,
        &["--provenance-checks=false"],
    ));
    // The value goes with `=`: a separate word is not taken as the flag's value.
    let separate = our_verify_with(&stack, f, &att, &["--provenance-checks", "false"]);
    assert!(!separate.status.success(), "{}", text(&separate.stdout));
}
