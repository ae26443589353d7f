//! One real bundle per rule of the strict bundle reader, the RFC 3161 and the log-key rules,
//! each edited to break exactly that rule (or to stay valid in another spelling), through
//! the CLI as users run it. The bundles are the vendored conformance and GitHub ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

const ISSUER: &str = "https://token.actions.githubusercontent.com";
const JS_ID: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
const BEACON_ID: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture(rel)).unwrap_or_default()
}

fn parse(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or(Value::Null)
}

/// `attest-kit verify ARTIFACT --bundle B --format json`, identity and extra flags given.
fn verify(artifact: &Path, bundle: &Path, identity: &str, extra: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_attest-kit"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("GITHUB_") || k.starts_with("INPUT_") || k.starts_with("RUNNER_") {
            c.env_remove(k);
        }
    }
    c.arg("verify")
        .arg(artifact)
        .arg("--bundle")
        .arg(bundle)
        .args(["--certificate-oidc-issuer", ISSUER, "--format", "json"])
        .args(extra);
    if !extra
        .iter()
        .any(|a| a.starts_with("--certificate-identity"))
    {
        c.args(["--certificate-identity", identity]);
    }
    match c.output() {
        Ok(o) => o,
        Err(e) => panic!("couldn't run attest-kit: {e}"),
    }
}

fn results(out: &Output) -> Vec<Value> {
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v["results"].as_array().cloned())
        .unwrap_or_default()
}

/// The one row's (check, reason), or None when it verified.
fn failure(out: &Output) -> Option<(String, String)> {
    let rows = results(out);
    assert_eq!(
        rows.len(),
        1,
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let f = rows[0].get("failure").filter(|f| !f.is_null())?;
    Some((
        f["check"].as_str().unwrap_or_default().to_owned(),
        f["reason"].as_str().unwrap_or_default().to_owned(),
    ))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    p
}

struct Case {
    artifact: PathBuf,
    identity: &'static str,
    text: String,
}

/// A DSSE bundle (v0.3, GitHub's) and a message-signature bundle (v0.3, conformance).
fn dsse() -> Case {
    Case {
        artifact: fixture("gh-attestations/sigstore-js-2.1.0.tgz"),
        identity: JS_ID,
        text: read("gh-attestations/sigstore-js-2.1.0-bundle.json"),
    }
}

fn message() -> Case {
    Case {
        artifact: fixture("sigstore-conformance/a.txt"),
        identity: BEACON_ID,
        text: read("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json"),
    }
}

/// Inserts `"key": value` as the first member of the object that starts at `anchor` (a text
/// edit: a JSON library would never write a key twice).
fn insert_after(text: &str, anchor: &str, key: &str, value: &Value) -> String {
    let at = text
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} not in the bundle"))
        + anchor.len();
    format!("{}\"{key}\": {value}, {}", &text[..at], &text[at..])
}

fn check_rule(case: &Case, text: &str, check: &str, reason: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let b = write(dir.path(), "b.sigstore.json", text);
    let out = verify(&case.artifact, &b, case.identity, &[]);
    assert_eq!(out.status.code(), Some(1));
    let f = failure(&out);
    assert!(
        f.as_ref()
            .is_some_and(|(c, r)| c == check && r.contains(reason)),
        "expected {check}: {reason:?}, got {f:?}"
    );
}

fn verifies(case: &Case, text: &str) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let b = write(dir.path(), "b.sigstore.json", text);
    let out = verify(&case.artifact, &b, case.identity, &[]);
    assert_eq!(
        (out.status.code(), failure(&out)),
        (Some(0), None),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_unmodified_bundles_verify() {
    verifies(&dsse(), &dsse().text);
    verifies(&message(), &message().text);
}

#[test]
fn a_key_twice_anywhere_is_refused_whichever_value_is_valid() {
    let d = dsse();
    let envelope = parse("gh-attestations/sigstore-js-2.1.0-bundle.json")["dsseEnvelope"].clone();
    // The valid envelope last (what jq, Python and JavaScript read) and first (what serde's
    // one-of reading used to take).
    let mut forged = envelope.clone();
    forged["payload"] = json!("eyJ4IjoxfQ==");
    let last_valid = insert_after(&d.text, "{", "dsseEnvelope", &forged);
    check_rule(
        &d,
        &last_valid,
        "bundle",
        r#"duplicate key "dsseEnvelope" in /"#,
    );
    let first_valid = format!(
        "{}, \"dsseEnvelope\": {forged}}}",
        d.text.trim_end().trim_end_matches('}')
    );
    check_rule(
        &d,
        &first_valid,
        "bundle",
        r#"duplicate key "dsseEnvelope" in /"#,
    );
    // A unicode-escaped spelling is the same key.
    let escaped = insert_after(&d.text, "{", "dsse\\u0045nvelope", &forged);
    check_rule(&d, &escaped, "bundle", r#"duplicate key "dsseEnvelope""#);
    // certificate twice, inside verificationMaterial.
    let m = message();
    let cert =
        parse("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json")["verificationMaterial"]
            ["certificate"]
            .clone();
    let twice = insert_after(&m.text, "\"verificationMaterial\": {", "certificate", &cert);
    check_rule(
        &m,
        &twice,
        "bundle",
        r#"duplicate key "certificate" in /verificationMaterial"#,
    );
    // In the statement inside the envelope too.
    let mut v = parse("gh-attestations/sigstore-js-2.1.0-bundle.json");
    v["dsseEnvelope"]["payload"] = json!(b64(r#"{"_type":"x","subject":[],"subject":[]}"#));
    check_rule(
        &d,
        &v.to_string(),
        "bundle",
        r#"(in-toto statement) has a duplicate key "subject""#,
    );
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn one_of_fields_take_exactly_one_member() {
    let d = dsse();
    let m = message();
    let sig =
        parse("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json")["messageSignature"]
            .clone();
    let mut both = parse("gh-attestations/sigstore-js-2.1.0-bundle.json");
    both["messageSignature"] = sig;
    check_rule(
        &d,
        &both.to_string(),
        "bundle",
        "bundle has both messageSignature and dsseEnvelope",
    );
    let mut neither = parse("gh-attestations/sigstore-js-2.1.0-bundle.json");
    neither.as_object_mut().map(|o| o.remove("dsseEnvelope"));
    check_rule(
        &d,
        &neither.to_string(),
        "bundle",
        "bundle has none of messageSignature, dsseEnvelope",
    );
    let chain =
        parse("sigstore-conformance/happy-path-v0.2/bundle.sigstore.json")["verificationMaterial"]
            ["x509CertificateChain"]
            .clone();
    let mut cert_and_chain = parse("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json");
    cert_and_chain["verificationMaterial"]["x509CertificateChain"] = chain;
    check_rule(
        &m,
        &cert_and_chain.to_string(),
        "bundle",
        "bundle's verificationMaterial has both certificate and x509CertificateChain",
    );
    let mut cert_and_key = parse("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json");
    cert_and_key["verificationMaterial"]["publicKey"] = json!({"hint": "a2V5"});
    check_rule(
        &m,
        &cert_and_key.to_string(),
        "bundle",
        "bundle's verificationMaterial has both certificate and publicKey",
    );
}

#[test]
fn media_type_is_required_and_must_be_known() {
    // A v0.3 bundle without its inclusion proof is refused; deleting its mediaType must not
    // turn it into a v0.1 bundle that needs none.
    let m = message();
    let mut no_proof = parse("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json");
    if let Some(e) = no_proof["verificationMaterial"]["tlogEntries"][0].as_object_mut() {
        e.remove("inclusionProof");
    }
    let out_of_proof = no_proof.to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let b = write(dir.path(), "b.json", &out_of_proof);
    assert!(failure(&verify(&m.artifact, &b, m.identity, &[])).is_some());
    no_proof.as_object_mut().map(|o| o.remove("mediaType"));
    check_rule(
        &m,
        &no_proof.to_string(),
        "bundle",
        "bundle has no mediaType",
    );
    let mut unknown = parse("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json");
    unknown["mediaType"] = json!("application/vnd.dev.sigstore.bundle.v0.9+json");
    check_rule(
        &m,
        &unknown.to_string(),
        "bundle",
        "is not a Sigstore bundle version this verifier knows",
    );
}

/// Every key in its proto spelling (`verification_material`, `dsse_envelope`, ...).
fn snake(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let mut s = String::new();
                    for c in k.chars() {
                        if c.is_ascii_uppercase() {
                            s.push('_');
                            s.push(c.to_ascii_lowercase());
                        } else {
                            s.push(c);
                        }
                    }
                    (s, snake(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(snake).collect()),
        other => other.clone(),
    }
}

#[test]
fn proto_field_names_are_accepted_but_never_both_spellings() {
    for case in [dsse(), message()] {
        let v: Value = serde_json::from_str(&case.text).unwrap_or(Value::Null);
        let proto = snake(&v).to_string();
        assert!(proto.contains("\"verification_material\""), "{proto:.80}");
        verifies(&case, &proto);
    }
    let m = message();
    let mut both = parse("sigstore-conformance/happy-path-v0.3/bundle.sigstore.json");
    both["verification_material"] = both["verificationMaterial"].clone();
    check_rule(
        &m,
        &both.to_string(),
        "bundle",
        "bundle has both verificationMaterial and verification_material",
    );
}

/// The Rekor v2 case with an RFC 3161 timestamp, and its trusted root.
fn rekor2() -> (PathBuf, Value, Value) {
    (
        fixture("sigstore-conformance/a.txt"),
        parse("sigstore-conformance/rekor2-timestamp-with-embedded-cert/bundle.sigstore.json"),
        parse("sigstore-conformance/rekor2-timestamp-with-embedded-cert/trusted_root.json"),
    )
}

fn verify_with_root(artifact: &Path, bundle: &Value, root: &Value) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let b = write(dir.path(), "b.json", &bundle.to_string());
    let r = write(dir.path(), "root.json", &root.to_string());
    let r = r.display().to_string();
    verify(artifact, &b, BEACON_ID, &["--trusted-root", &r])
}

#[test]
fn an_unrelated_valid_timestamp_is_ignored_and_reported() {
    let (artifact, mut bundle, root) = rekor2();
    assert_eq!(failure(&verify_with_root(&artifact, &bundle, &root)), None);
    // A token from the same TSA over another signature (the conformance suite's
    // payload-mismatch case): valid, but not this bundle's.
    let other =
        parse("sigstore-conformance/rekor2-timestamp-payload-mismatch_fail/bundle.sigstore.json");
    let token =
        other["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0].clone();
    let tokens =
        &mut bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"];
    if let Some(list) = tokens.as_array_mut() {
        list.push(token.clone());
    }
    let out = verify_with_root(&artifact, &bundle, &root);
    assert_eq!(failure(&out), None);
    let ignored = results(&out)[0]["ignoredTimestamps"].clone();
    assert!(
        ignored[0]
            .as_str()
            .is_some_and(|s| s.starts_with("RFC 3161 timestamp 2 of 2: ")),
        "{ignored}"
    );
    // The unrelated token alone is not enough: nothing then proves the signing time.
    if let Some(list) = tokens_of(&mut bundle) {
        list.remove(0);
    }
    let out = verify_with_root(&artifact, &bundle, &root);
    let f = failure(&out);
    assert!(
        f.as_ref().is_some_and(
            |(c, r)| c == "timestamp" && r.contains("ignored: RFC 3161 timestamp 1 of 1")
        ),
        "{f:?}"
    );
    // More tokens than a verifier reads are refused unread.
    if let Some(list) = tokens_of(&mut bundle) {
        list.clear();
        list.extend(std::iter::repeat_n(token, 33));
    }
    let f = failure(&verify_with_root(&artifact, &bundle, &root));
    assert!(
        f.as_ref()
            .is_some_and(|(c, r)| c == "timestamp" && r.contains("33 RFC 3161 timestamps")),
        "{f:?}"
    );
}

fn tokens_of(bundle: &mut Value) -> Option<&mut Vec<Value>> {
    bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"].as_array_mut()
}

#[test]
fn a_rekor_v2_checkpoint_key_outside_its_validity_at_the_signing_time_is_refused() {
    let (artifact, bundle, mut root) = rekor2();
    // The Rekor v2 log's key retired a year before the bundle was signed: its window ends
    // before the timestamp but has long started, so "has the key's window started" holds.
    let Some(logs) = root["tlogs"].as_array_mut() else {
        panic!("no tlogs in the trusted root")
    };
    let mut retired = 0;
    for log in logs.iter_mut() {
        if log["baseUrl"].as_str().is_some_and(|u| !u.is_empty()) {
            log["publicKey"]["validFor"] =
                json!({"start": "2020-01-01T00:00:00Z", "end": "2021-01-01T00:00:00Z"});
            retired += 1;
        }
    }
    assert!(retired > 0);
    let f = failure(&verify_with_root(&artifact, &bundle, &root));
    assert!(
        f.as_ref().is_some_and(|(c, r)| c == "transparency-log"
            && r.contains(
                "valid from 2020-01-01T00:00:00Z to 2021-01-01T00:00:00Z, not at the signing time"
            )),
        "{f:?}"
    );
}

#[test]
fn bundle_is_an_alias_of_bundle_path_and_a_partial_regexp_says_what_to_add() {
    let d = dsse();
    let partial = "https://github\\.com/sigstore/sigstore-js/";
    let out = verify(
        &d.artifact,
        &fixture("gh-attestations/sigstore-js-2.1.0-bundle.json"),
        d.identity,
        &["--certificate-identity-regexp", partial],
    );
    let f = failure(&out);
    let fixed = format!("{partial}.*");
    assert!(
        f.as_ref().is_some_and(|(c, r)| c == "identity"
            && r.contains("regexps match the whole value")
            && r.ends_with(&format!("e.g. {fixed}"))),
        "{f:?}"
    );
    let out = verify(
        &d.artifact,
        &fixture("gh-attestations/sigstore-js-2.1.0-bundle.json"),
        d.identity,
        &["--certificate-identity-regexp", &fixed],
    );
    assert_eq!(failure(&out), None);
}
