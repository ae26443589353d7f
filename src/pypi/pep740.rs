//! The PEP 740 Attestation object and its conversion to and from a Sigstore bundle.
//!
//! An Attestation (packaging.python.org "Index hosted attestations") is
//! `{"version": 1, "verification_material": {"certificate": base64(DER),
//! "transparency_entries": [..]}, "envelope": {"statement": base64(statement),
//! "signature": base64(sig)}}`: a DSSE-signed bundle without the envelope's payload type,
//! key id and any RFC 3161 timestamp. A transparency entry is the bundle's `tlogEntries`
//! item, unchanged, so the conversion is a reshaping of the same base64 strings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::statement::{STATEMENT_TYPE, Statement, StatementSubject};

pub const PUBLISH_PREDICATE_TYPE: &str = "https://docs.pypi.org/attestations/publish/v1";
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// `<dist>.publish.attestation`, the name pypa/gh-action-pypi-publish and twine use.
pub const PUBLISH_SUFFIX: &str = ".publish.attestation";
/// `<dist>.slsa.attestation` for the SLSA provenance variant (twine uploads every
/// `<dist>.*.attestation`).
pub const SLSA_SUFFIX: &str = ".slsa.attestation";

/// PEP 740's Attestation object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attestation {
    pub version: u8,
    pub verification_material: VerificationMaterial,
    pub envelope: Envelope,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationMaterial {
    /// base64(DER(certificate)).
    pub certificate: String,
    /// Rekor entries, in the bundle's `TransparencyLogEntry` JSON form.
    pub transparency_entries: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// base64 of the in-toto Statement v1 JSON.
    pub statement: String,
    /// base64 of the signature over the DSSE PAE of the statement.
    pub signature: String,
}

/// Why a bundle or an attestation cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConversionError(pub String);

fn err(s: impl Into<String>) -> ConversionError {
    ConversionError(s.into())
}

/// The publish statement: exactly one subject (the file name and its SHA-256), the
/// publish predicate type, an empty predicate.
pub fn publish_statement(file_name: &str, sha256: &str) -> Statement<BTreeMap<String, Value>> {
    Statement {
        statement_type: STATEMENT_TYPE.to_owned(),
        subject: vec![one_subject(file_name, sha256)],
        predicate_type: PUBLISH_PREDICATE_TYPE.to_owned(),
        predicate: BTreeMap::new(),
    }
}

/// A statement's only subject for PyPI: SHA-256 alone (what PyPI compares).
pub fn one_subject(file_name: &str, sha256: &str) -> StatementSubject {
    StatementSubject {
        name: file_name.to_owned(),
        digest: [("sha256".to_owned(), sha256.to_owned())].into(),
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// A signed DSSE bundle (v0.3 JSON) → the Attestation object. The bundle must hold exactly
/// one signature and one Rekor v1 entry (PEP 740 has no place for RFC 3161 timestamps, and
/// a Rekor v2 entry is only verifiable with one).
pub fn from_bundle(bundle: &Value) -> Result<Attestation, ConversionError> {
    let vm = bundle
        .get("verificationMaterial")
        .ok_or_else(|| err("the bundle has no verificationMaterial"))?;
    let certificate = str_at(vm, &["certificate", "rawBytes"])
        .or_else(|| {
            vm.pointer("/x509CertificateChain/certificates/0/rawBytes")
                .and_then(Value::as_str)
        })
        .ok_or_else(|| err("the bundle has no signing certificate"))?;
    let entries = vm
        .get("tlogEntries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let [entry] = entries.as_slice() else {
        return Err(err(format!(
            "a PEP 740 attestation needs exactly one transparency-log entry, the bundle has {} (sigstore-instance github signs without a log)",
            entries.len()
        )));
    };
    if str_at(entry, &["kindVersion", "version"]) != Some("0.0.1") {
        return Err(err(
            "PEP 740 attestations carry no timestamps, so they need a Rekor v1 entry with an integrated time; sign with a Rekor v1 log",
        ));
    }
    let env = bundle
        .get("dsseEnvelope")
        .ok_or_else(|| err("the bundle holds no DSSE envelope (a statement signature)"))?;
    if str_at(env, &["payloadType"]) != Some(PAYLOAD_TYPE) {
        return Err(err(format!(
            "the envelope's payload type is not {PAYLOAD_TYPE}"
        )));
    }
    let statement = str_at(env, &["payload"]).ok_or_else(|| err("the envelope has no payload"))?;
    let sigs = env
        .get("signatures")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let [sig] = sigs.as_slice() else {
        return Err(err(format!(
            "a PEP 740 attestation has exactly one signature, the envelope has {}",
            sigs.len()
        )));
    };
    let signature = str_at(sig, &["sig"]).ok_or_else(|| err("the signature is empty"))?;
    Ok(Attestation {
        version: 1,
        verification_material: VerificationMaterial {
            certificate: certificate.to_owned(),
            transparency_entries: vec![entry.clone()],
        },
        envelope: Envelope {
            statement: statement.to_owned(),
            signature: signature.to_owned(),
        },
    })
}

/// A signed bundle's JSON → (the Attestation's JSON, pretty with a final newline; the
/// Attestation converted back to bundle JSON, for the self-check).
pub fn convert_signed(bundle_json: &str) -> Result<(String, String), ConversionError> {
    let bundle: Value = serde_json::from_str(bundle_json)
        .map_err(|e| err(format!("the signed bundle is not JSON: {e}")))?;
    let a = from_bundle(&bundle)?;
    let mut text = serde_json::to_string_pretty(&a).map_err(|e| err(e.to_string()))?;
    text.push('\n');
    Ok((text, to_bundle(&a).to_string()))
}

/// Parses an Attestation object, strictly: version 1, every field present and non-empty.
pub fn parse(text: &str) -> Result<Attestation, ConversionError> {
    let a: Attestation = serde_json::from_str(text)
        .map_err(|e| err(format!("not a PEP 740 attestation object: {e}")))?;
    if a.version != 1 {
        return Err(err(format!(
            "attestation version {} is not 1, the only one PEP 740 defines",
            a.version
        )));
    }
    if a.verification_material.transparency_entries.is_empty() {
        return Err(err("the attestation has no transparency entries"));
    }
    if a.verification_material.certificate.is_empty()
        || a.envelope.statement.is_empty()
        || a.envelope.signature.is_empty()
    {
        return Err(err(
            "the attestation has an empty certificate, statement or signature",
        ));
    }
    Ok(a)
}

/// Whether a JSON document looks like an Attestation object rather than a bundle.
pub fn looks_like(value: &Value) -> bool {
    value.get("verification_material").is_some() && value.get("envelope").is_some()
}

/// The Attestation as a Sigstore bundle v0.3 (the first transparency entry, as
/// pypi-attestations does).
pub fn to_bundle(a: &Attestation) -> Value {
    let entry = a
        .verification_material
        .transparency_entries
        .first()
        .cloned()
        .unwrap_or(Value::Null);
    serde_json::json!({
        "mediaType": BUNDLE_V03,
        "verificationMaterial": {
            "certificate": { "rawBytes": a.verification_material.certificate },
            "tlogEntries": [entry]
        },
        "dsseEnvelope": {
            "payload": a.envelope.statement,
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{ "sig": a.envelope.signature, "keyid": "" }]
        }
    })
}

/// The checks PEP 740 verifiers make on the statement beyond its signature: exactly one
/// subject, named as the distribution's file (a valid distribution name, compared by
/// project, version and tags as pypi-attestations does), with the file's SHA-256.
pub fn check_subject(
    statement: &Value,
    dist_file_name: &str,
    sha256: &str,
) -> Result<(), ConversionError> {
    let subjects = statement
        .get("subject")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let [subject] = subjects.as_slice() else {
        return Err(err(format!(
            "a PyPI attestation has exactly one subject, this statement has {}",
            subjects.len()
        )));
    };
    let name = str_at(subject, &["name"]).unwrap_or("");
    let signed = super::dist::parse(name).map_err(|e| err(format!("invalid subject: {e}")))?;
    let ours = super::dist::parse(dist_file_name).map_err(|e| err(e.to_string()))?;
    if signed.file_name != ours.file_name {
        return Err(err(format!(
            "the subject names {name:?}, not the distribution {dist_file_name:?}"
        )));
    }
    if str_at(subject, &["digest", "sha256"]) != Some(sha256) {
        return Err(err("the subject's sha256 is not the distribution's digest"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Value {
        serde_json::json!({
            "mediaType": BUNDLE_V03,
            "verificationMaterial": {
                "certificate": {"rawBytes": "Q0VSVA=="},
                "tlogEntries": [{"logIndex": "7", "kindVersion": {"kind": "dsse", "version": "0.0.1"}}],
                "timestampVerificationData": {"rfc3161Timestamps": [{"signedTimestamp": "VFM="}]}
            },
            "dsseEnvelope": {
                "payload": "e30=",
                "payloadType": PAYLOAD_TYPE,
                "signatures": [{"sig": "U0lH", "keyid": ""}]
            }
        })
    }

    #[test]
    fn bundle_to_attestation_and_back() -> Result<(), ConversionError> {
        let a = from_bundle(&bundle())?;
        assert_eq!(
            serde_json::to_value(&a).unwrap_or_default(),
            serde_json::json!({
                "version": 1,
                "verification_material": {
                    "certificate": "Q0VSVA==",
                    "transparency_entries": [{"logIndex": "7", "kindVersion": {"kind": "dsse", "version": "0.0.1"}}]
                },
                "envelope": {"statement": "e30=", "signature": "U0lH"}
            })
        );
        let back = to_bundle(&a);
        assert_eq!(back["dsseEnvelope"], bundle()["dsseEnvelope"]);
        assert_eq!(
            back["verificationMaterial"]["tlogEntries"],
            bundle()["verificationMaterial"]["tlogEntries"]
        );
        let text = serde_json::to_string(&a).unwrap_or_default();
        assert_eq!(parse(&text)?, a);
        Ok(())
    }

    #[test]
    fn bundles_pep740_cannot_carry_are_refused() {
        let mut no_log = bundle();
        no_log["verificationMaterial"]["tlogEntries"] = serde_json::json!([]);
        let mut v2 = bundle();
        v2["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["version"] =
            serde_json::json!("0.0.2");
        let mut two_sigs = bundle();
        two_sigs["dsseEnvelope"]["signatures"] =
            serde_json::json!([{"sig": "QQ=="}, {"sig": "Qg=="}]);
        let mut blob = bundle();
        if let Some(o) = blob.as_object_mut() {
            o.remove("dsseEnvelope");
        }
        for (b, why) in [
            (no_log, "exactly one transparency-log entry"),
            (v2, "Rekor v1"),
            (two_sigs, "exactly one signature"),
            (blob, "no DSSE envelope"),
        ] {
            let e = from_bundle(&b).err().map(|e| e.0).unwrap_or_default();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn malformed_attestations_are_refused() {
        for text in [
            "{}",
            "[]",
            r#"{"version": 2, "verification_material": {"certificate": "QQ==", "transparency_entries": [{}]}, "envelope": {"statement": "QQ==", "signature": "QQ=="}}"#,
            r#"{"version": 1, "verification_material": {"certificate": "QQ==", "transparency_entries": []}, "envelope": {"statement": "QQ==", "signature": "QQ=="}}"#,
            r#"{"version": 1, "verification_material": {"certificate": "", "transparency_entries": [{}]}, "envelope": {"statement": "QQ==", "signature": "QQ=="}}"#,
            r#"{"version": 1, "verification_material": {"certificate": "QQ==", "transparency_entries": [{}]}, "envelope": {"statement": "QQ=="}}"#,
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn subject_checks() {
        let sha = "a".repeat(64);
        let st = |name: &str, digest: &str| {
            serde_json::to_value(publish_statement(name, digest)).unwrap_or_default()
        };
        let whl = "app-1.0-py3-none-any.whl";
        assert_eq!(check_subject(&st(whl, &sha), whl, &sha), Ok(()));
        assert!(check_subject(&st(whl, &sha), "app-1.1-py3-none-any.whl", &sha).is_err());
        assert!(check_subject(&st(whl, &"b".repeat(64)), whl, &sha).is_err());
        assert!(check_subject(&st("../app-1.0-py3-none-any.whl", &sha), whl, &sha).is_err());
        let mut two = st(whl, &sha);
        two["subject"] = serde_json::json!([two["subject"][0], two["subject"][0]]);
        assert!(check_subject(&two, whl, &sha).is_err());
    }

    #[test]
    fn the_publish_statement_shape() {
        let st = publish_statement("app-1.0.tar.gz", "ab");
        assert_eq!(
            serde_json::to_value(st).unwrap_or_default(),
            serde_json::json!({
                "_type": "https://in-toto.io/Statement/v1",
                "subject": [{"name": "app-1.0.tar.gz", "digest": {"sha256": "ab"}}],
                "predicateType": "https://docs.pypi.org/attestations/publish/v1",
                "predicate": {}
            })
        );
    }
}
