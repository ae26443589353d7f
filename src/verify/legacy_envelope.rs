//! slsa-github-generator's bare DSSE envelopes: the `.intoto.jsonl` files its generators up
//! to v2.0 release, one JSON object per line,
//! `{"payloadType", "payload", "signatures": [{"keyid", "sig", "cert"}]}`, `cert` being the
//! PEM of the Fulcio leaf. There is no Sigstore bundle: the generator uploaded the envelope
//! to Rekor as an `intoto` entry, and only that entry proves when it was signed.
//!
//! Here: recognizing such a file, reading it strictly, and deciding whether a Rekor entry
//! logs exactly this envelope. The lookup itself is `rekor.rs`'s (the one `.sig`/`.crt` pairs
//! use, by the envelope's SHA-256, which both intoto versions index); the entry then goes
//! into a bundle and the verifier checks its SET, inclusion proof and checkpoint, the
//! certificate at the integrated time, the DSSE signature and the subject, as for any bundle.
//!
//! The body check is done here, strictly, for both kind versions: sigstore-verify 0.15.1
//! compares only the public key of an intoto v0.0.2 entry (not the certificate), and does not
//! know intoto v0.0.1 at all (it refuses the kind), which is what cosign's
//! `TLogUploadInTotoAttestation`, and so the generator, uploads.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::bundles::Found;
use super::rekor::pem_der;
use super::sigstore::ParsedBundle;
use super::{Check, Failure};

/// What the generator signed and logged, as read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// SHA-256 (hex) of the envelope's bytes as read: the `hash` both intoto versions log
    /// and index (the generator uploads the very bytes it writes).
    pub sha256_hex: String,
    pub payload_type: String,
    pub payload: Vec<u8>,
    /// The signature's key hint (not signed; kept as written).
    pub keyid: String,
    pub signature: Vec<u8>,
    pub certificate_der: Vec<u8>,
}

/// The one-line name of the format, for failures.
pub const FORMAT: &str = "a slsa-github-generator DSSE envelope (.intoto.jsonl)";

// The file's shape, read with serde's derive: unknown and duplicated keys are refused, so a
// second `payload` or `sig` cannot mean one thing here and another to the next reader.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Wire {
    payload_type: String,
    payload: String,
    signatures: Vec<WireSignature>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireSignature {
    #[serde(default)]
    keyid: Option<String>,
    sig: String,
    #[serde(default)]
    cert: Option<String>,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// A bare DSSE envelope: `payloadType` and `signatures` and none of a bundle's keys. Only
/// the top-level keys are read (values skipped): every bundle file passes through here.
fn is_envelope(json: &str) -> bool {
    let Ok(keys) = serde_json::from_str::<HashMap<String, IgnoredAny>>(json) else {
        return false;
    };
    keys.contains_key("payloadType")
        && keys.contains_key("signatures")
        && !keys.contains_key("mediaType")
        && !keys.contains_key("verificationMaterial")
}

/// The bundles of a file of bare DSSE envelopes (one, or one per line), or `None` when the
/// file is something else.
pub fn recognize(source: &str, text: &str) -> Option<Vec<Found>> {
    let text = text.trim();
    if !text.contains("\"payloadType\"") {
        return None;
    }
    let found = |source: String, bytes: &str| Found {
        source,
        bundle: parse(bytes),
        pep740: false,
    };
    if is_envelope(text) {
        return Some(vec![found(source.to_owned(), text)]);
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() < 2 || !is_envelope(lines[0]) {
        return None;
    }
    // JSON lines whose first line is an envelope: every line is read as one.
    Some(
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| found(format!("{source}#{}", i + 1), l))
            .collect(),
    )
}

/// One envelope, strictly: exactly one signature, base64 fields, exactly one PEM certificate.
pub fn parse(bytes: &str) -> Result<ParsedBundle, Failure> {
    let bad = |why: String| Failure::new(Check::Bundle, format!("{FORMAT}: {why}"));
    let wire: Wire = serde_json::from_str(bytes).map_err(|e| bad(e.to_string()))?;
    let [sig] = wire.signatures.as_slice() else {
        return Err(bad(format!(
            "it has {} signatures; the generator writes exactly one",
            wire.signatures.len()
        )));
    };
    let cert = sig
        .cert
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| {
            bad("its signature carries no certificate (`cert`), so it cannot be verified".into())
        })?;
    if cert.matches("-----BEGIN CERTIFICATE-----").count() != 1 {
        return Err(bad("`cert` is not exactly one PEM certificate".into()));
    }
    let certificate_der =
        pem_der(cert).ok_or_else(|| bad("`cert` is not a PEM certificate".into()))?;
    let signature = b64()
        .decode(&sig.sig)
        .map_err(|e| bad(format!("`sig` is not base64: {e}")))?;
    let payload = b64()
        .decode(&wire.payload)
        .map_err(|e| bad(format!("`payload` is not base64: {e}")))?;
    let envelope = Envelope {
        sha256_hex: sha256_hex(bytes.as_bytes()),
        payload_type: wire.payload_type.clone(),
        payload,
        keyid: sig.keyid.clone().unwrap_or_default(),
        signature,
        certificate_der,
    };
    let doc = bundle_doc(&envelope, None);
    let bundle = ParsedBundle::from_value(doc)
        .map_err(|f| bad(format!("it does not fit a bundle: {}", f.reason)))?;
    Ok(bundle.with_legacy_envelope(Arc::new(envelope)))
}

/// The envelope as a Sigstore bundle, with its Rekor entry (`tlogEntries[]` form) when found:
/// v0.2 with an inclusion proof, else v0.1.
fn bundle_doc(e: &Envelope, entry: Option<Value>) -> Value {
    let version = if entry
        .as_ref()
        .is_some_and(|e| e.get("inclusionProof").is_some())
    {
        "0.2"
    } else {
        "0.1"
    };
    json!({
        "mediaType": format!("application/vnd.dev.sigstore.bundle+json;version={version}"),
        "verificationMaterial": {
            "x509CertificateChain": {"certificates": [{"rawBytes": b64().encode(&e.certificate_der)}]},
            "tlogEntries": entry.into_iter().collect::<Vec<_>>(),
            "timestampVerificationData": {},
        },
        "dsseEnvelope": {
            "payload": b64().encode(&e.payload),
            "payloadType": e.payload_type,
            "signatures": [{"sig": b64().encode(&e.signature), "keyid": e.keyid}],
        },
    })
}

/// The envelope with the Rekor entry found for it, ready for the verifier. An intoto v0.0.1
/// entry is named and refused: the verifier cannot check it (see the module comment).
pub fn with_entry(e: &Envelope, entry: Value) -> Result<ParsedBundle, Failure> {
    let kind = entry.pointer("/kindVersion/kind").and_then(Value::as_str);
    let version = entry
        .pointer("/kindVersion/version")
        .and_then(Value::as_str);
    if (kind, version) == (Some("intoto"), Some("0.0.1")) {
        return Err(Failure::new(
            Check::TransparencyLog,
            format!(
                "the Rekor entry at log index {} logs this envelope as intoto v0.0.1, which attest-kit cannot verify yet (sigstore-verify 0.15.1 reads intoto entries only at v0.0.2)",
                entry.get("logIndex").and_then(Value::as_str).unwrap_or("?")
            ),
        ));
    }
    let doc = bundle_doc(e, Some(entry));
    ParsedBundle::from_value(doc).map_err(|f| {
        Failure::new(
            Check::TransparencyLog,
            format!("the Rekor entry does not fit a bundle: {}", f.reason),
        )
    })
}

fn decoded(v: &Value, ptr: &str) -> Option<Vec<u8>> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .and_then(|s| b64().decode(s).ok())
}

fn sha256_is(v: &Value, ptr: &str, hex: &str) -> bool {
    v.pointer(&format!("{ptr}/algorithm"))
        .and_then(Value::as_str)
        == Some("sha256")
        && v.pointer(&format!("{ptr}/value"))
            .and_then(Value::as_str)
            .is_some_and(|h| h.eq_ignore_ascii_case(hex))
}

/// The logged certificate (base64 of its PEM) is this one, compared as DER.
fn cert_is(v: &Value, ptr: &str, der: &[u8]) -> bool {
    decoded(v, ptr)
        .and_then(|pem| String::from_utf8(pem).ok())
        .and_then(|pem| pem_der(&pem))
        .is_some_and(|d| d == der)
}

/// The entry's intoto body logs exactly this envelope: its hash and payload hash, its
/// certificate (as DER), and for v0.0.2 (which logs it) its one signature and payload type.
/// A v0.0.1 body holds no signature: its envelope hash, over the signature too, binds it.
pub fn holds(entry: &Value, e: &Envelope) -> bool {
    let Some(body) = super::rekor::body_of_kind(entry, "intoto") else {
        return false;
    };
    let payload_hash = sha256_hex(&e.payload);
    let content = &body["spec"]["content"];
    let hashes_ok = sha256_is(content, "/hash", &e.sha256_hex)
        && sha256_is(content, "/payloadHash", &payload_hash);
    match body.get("apiVersion").and_then(Value::as_str) {
        Some("0.0.1") => hashes_ok && cert_is(&body, "/spec/publicKey", &e.certificate_der),
        Some("0.0.2") => {
            let env = &content["envelope"];
            let [sig] = env
                .get("signatures")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            else {
                return false;
            };
            // Rekor stores the signature base64-encoded twice.
            let sig_ok = decoded(sig, "/sig")
                .and_then(|inner| b64().decode(inner).ok())
                .is_some_and(|s| s == e.signature);
            hashes_ok
                && sig_ok
                && env.get("payloadType").and_then(Value::as_str) == Some(&e.payload_type)
                && cert_is(sig, "/publicKey", &e.certificate_der)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM_BODY: &str = "MIIBAQ==";

    fn pem(der_b64: &str) -> String {
        format!("-----BEGIN CERTIFICATE-----\n{der_b64}\n-----END CERTIFICATE-----\n")
    }

    fn envelope_text(cert: &str) -> String {
        json!({
            "payloadType": "application/vnd.in-toto+json",
            "payload": b64().encode(br#"{"_type":"https://in-toto.io/Statement/v0.1"}"#),
            "signatures": [{"keyid": "", "sig": b64().encode(b"sig"), "cert": cert}],
        })
        .to_string()
    }

    fn envelope() -> Envelope {
        Envelope {
            sha256_hex: "ab".repeat(32),
            payload_type: "application/vnd.in-toto+json".into(),
            payload: b"{}".to_vec(),
            keyid: String::new(),
            signature: b"sig".to_vec(),
            certificate_der: b64().decode(PEM_BODY).unwrap_or_default(),
        }
    }

    fn entry(body: &Value) -> Value {
        json!({"body": b64().encode(body.to_string())})
    }

    fn v001(e: &Envelope) -> Value {
        json!({"apiVersion": "0.0.1", "kind": "intoto", "spec": {
            "content": {
                "hash": {"algorithm": "sha256", "value": e.sha256_hex},
                "payloadHash": {"algorithm": "sha256", "value": sha256_hex(&e.payload)}},
            "publicKey": b64().encode(pem(PEM_BODY))}})
    }

    fn v002(e: &Envelope) -> Value {
        json!({"apiVersion": "0.0.2", "kind": "intoto", "spec": {"content": {
            "envelope": {"payloadType": e.payload_type, "signatures": [{
                "sig": b64().encode(b64().encode(&e.signature)),
                "publicKey": b64().encode(pem(PEM_BODY))}]},
            "hash": {"algorithm": "sha256", "value": e.sha256_hex},
            "payloadHash": {"algorithm": "sha256", "value": sha256_hex(&e.payload)}}}})
    }

    #[test]
    fn generator_files_are_recognised_and_bundles_are_not() {
        let one = envelope_text(&pem("MIIB"));
        let found = recognize("a.intoto.jsonl", &format!("{one}\n")).unwrap_or_default();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].source, "a.intoto.jsonl");
        let two = recognize("a.intoto.jsonl", &format!("{one}\n\n{one}\n")).unwrap_or_default();
        let names: Vec<_> = two.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(names, ["a.intoto.jsonl#1", "a.intoto.jsonl#2"]);
        for other in [
            r#"{"mediaType": "x", "payloadType": "y", "signatures": []}"#,
            r#"{"verificationMaterial": {}, "dsseEnvelope": {}}"#,
            "{}\n{}",
            "[]",
            "not json",
        ] {
            assert!(recognize("b", other).is_none(), "{other}");
        }
    }

    /// A real Fulcio certificate (the conformance suite's), as the generator embeds it.
    fn real_cert_pem() -> String {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json"
        ))
        .unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or_default();
        let der = v
            .pointer("/verificationMaterial/certificate/rawBytes")
            .and_then(Value::as_str)
            .unwrap_or_default();
        pem(der)
    }

    #[test]
    fn an_envelope_is_a_dsse_bundle_awaiting_its_entry_hashed_as_read() -> Result<(), String> {
        let text = envelope_text(&real_cert_pem());
        let b = parse(&text).map_err(|f| f.reason)?;
        let e = b
            .legacy_envelope()
            .ok_or("not marked as a legacy envelope")?;
        assert_eq!(e.sha256_hex, sha256_hex(text.as_bytes()));
        assert_eq!(e.signature, b"sig");
        assert_eq!(
            b.statement().and_then(|s| s.get("_type").cloned()),
            Some(json!("https://in-toto.io/Statement/v0.1"))
        );
        // The same envelope re-encoded is other bytes: it is not what the generator logged.
        let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let pretty = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?;
        let found = recognize("p.intoto.jsonl", &pretty).unwrap_or_default();
        let again = found
            .first()
            .and_then(|f| f.bundle.as_ref().ok())
            .and_then(ParsedBundle::legacy_envelope)
            .ok_or("pretty envelope not read")?;
        assert_ne!(again.sha256_hex, e.sha256_hex);
        // Once its entry is added, it is an ordinary bundle.
        let entry = json!({"logIndex": "1", "logId": {"keyId": "AA=="},
            "kindVersion": {"kind": "intoto", "version": "0.0.2"}, "integratedTime": "1",
            "inclusionPromise": {"signedEntryTimestamp": "AA=="}, "canonicalizedBody": "e30="});
        let full = with_entry(e, entry).map_err(|f| f.reason)?;
        assert!(full.legacy_envelope().is_none());
        assert_eq!(full.version(), "v0.1");
        Ok(())
    }

    #[test]
    fn malformed_envelopes_are_bundle_failures_naming_the_format() {
        let good = envelope_text(&pem(PEM_BODY));
        let v: Value = serde_json::from_str(&good).unwrap_or_default();
        let mut cases = Vec::new();
        let mut no_cert = v.clone();
        no_cert["signatures"][0]
            .as_object_mut()
            .map(|s| s.remove("cert"));
        cases.push((no_cert.to_string(), "no certificate"));
        let mut two = v.clone();
        two["signatures"] = json!([v["signatures"][0], v["signatures"][0]]);
        cases.push((two.to_string(), "2 signatures"));
        let mut none = v.clone();
        none["signatures"] = json!([]);
        cases.push((none.to_string(), "0 signatures"));
        let mut bad_sig = v.clone();
        bad_sig["signatures"][0]["sig"] = json!("not base64!");
        cases.push((bad_sig.to_string(), "`sig` is not base64"));
        let mut two_certs = v.clone();
        two_certs["signatures"][0]["cert"] = json!(pem(PEM_BODY).repeat(2));
        cases.push((two_certs.to_string(), "exactly one PEM"));
        let mut extra = v.clone();
        extra["extra"] = json!(1);
        cases.push((extra.to_string(), "unknown field"));
        let dup = good.replacen("\"payload\":", "\"payload\":\"QQ==\",\"payload\":", 1);
        cases.push((dup, "duplicate field"));
        // The statement inside is held to the bundle reader's rules too.
        let mut twice = v.clone();
        twice["payload"] = json!(b64().encode(r#"{"subject":[],"subject":[]}"#));
        cases.push((twice.to_string(), "duplicate key \"subject\""));
        for (text, want) in cases {
            let f = parse(&text).err();
            assert_eq!(f.as_ref().map(|f| f.check), Some(Check::Bundle), "{text}");
            let reason = f.map(|f| f.reason).unwrap_or_default();
            assert!(
                reason.starts_with(FORMAT) && reason.contains(want),
                "{want}: {reason}"
            );
        }
    }

    #[test]
    fn only_an_entry_logging_exactly_this_envelope_holds_it() {
        let e = envelope();
        assert!(holds(&entry(&v001(&e)), &e));
        assert!(holds(&entry(&v002(&e)), &e));
        let other_cert = Envelope {
            certificate_der: b"other".to_vec(),
            ..e.clone()
        };
        let other_sig = Envelope {
            signature: b"other".to_vec(),
            ..e.clone()
        };
        let other_bytes = Envelope {
            sha256_hex: "cd".repeat(32),
            ..e.clone()
        };
        let other_payload = Envelope {
            payload: b"[]".to_vec(),
            ..e.clone()
        };
        for (name, body) in [("v0.0.1", v001(&e)), ("v0.0.2", v002(&e))] {
            assert!(!holds(&entry(&body), &other_cert), "{name} cert");
            assert!(!holds(&entry(&body), &other_bytes), "{name} hash");
            assert!(!holds(&entry(&body), &other_payload), "{name} payload");
        }
        // v0.0.1 logs no signature (its envelope hash covers it); v0.0.2 logs it.
        assert!(!holds(&entry(&v002(&e)), &other_sig));
        let mut typed = v002(&e);
        typed["spec"]["content"]["envelope"]["payloadType"] = json!("text/plain");
        assert!(!holds(&entry(&typed), &e));
        let mut two = v002(&e);
        let s = two["spec"]["content"]["envelope"]["signatures"][0].clone();
        two["spec"]["content"]["envelope"]["signatures"] = json!([s, s]);
        assert!(!holds(&entry(&two), &e));
        for (kind, version) in [
            ("hashedrekord", "0.0.1"),
            ("dsse", "0.0.1"),
            ("intoto", "0.0.3"),
        ] {
            let mut b = v001(&e);
            b["kind"] = json!(kind);
            b["apiVersion"] = json!(version);
            assert!(!holds(&entry(&b), &e), "{kind} {version}");
        }
        assert!(!holds(&json!({"body": "not base64!"}), &e));
    }

    #[test]
    fn an_intoto_v001_entry_is_named_not_verified() {
        let f = with_entry(
            &envelope(),
            json!({"logIndex": "7", "kindVersion": {"kind": "intoto", "version": "0.0.1"}}),
        )
        .err();
        assert_eq!(f.as_ref().map(|f| f.check), Some(Check::TransparencyLog));
        let reason = f.map(|f| f.reason).unwrap_or_default();
        assert!(
            reason.contains("log index 7") && reason.contains("intoto v0.0.1"),
            "{reason}"
        );
    }
}
