//! The bundle as every reader of its bytes reads it, checked before any Sigstore crate sees
//! it. The protobuf JSON mapping defines a bundle: its one-of fields allow exactly one member,
//! `mediaType` says which checks apply (a v0.3 bundle without it would be read as v0.1 and
//! lose its inclusion-proof requirement), and parsers accept the proto field names
//! (`dsse_envelope`) as well as the lowerCamel ones. sigstore-types reads one-ofs first-wins
//! and defaults a missing `mediaType`, so those rules are enforced here.

use base64::Engine as _;
use serde_json::{Map, Value};

/// The media types of the bundle versions this verifier knows.
pub const MEDIA_TYPES: [&str; 4] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
];

const IN_TOTO: &str = "application/vnd.in-toto+json";

/// The bundle with every key in its lowerCamel form, or the one rule it breaks.
pub fn normalize(bundle: Value) -> Result<Value, String> {
    let bundle = camel_keys(bundle)?;
    let Value::Object(top) = &bundle else {
        return Err("a bundle is a JSON object".into());
    };
    match top.get("mediaType") {
        None => {
            return Err(
                "bundle has no mediaType: its version, and so which checks it needs, is unknown"
                    .into(),
            );
        }
        Some(Value::String(m)) if MEDIA_TYPES.contains(&m.as_str()) => {}
        Some(Value::String(m)) => {
            return Err(format!(
                "bundle mediaType {m:?} is not a Sigstore bundle version this verifier knows (0.1, 0.2, 0.3)"
            ));
        }
        Some(_) => return Err("bundle mediaType is not a string".into()),
    }
    one_of("bundle", top, &["messageSignature", "dsseEnvelope"])?;
    match top.get("verificationMaterial") {
        Some(Value::Object(material)) => one_of(
            "bundle's verificationMaterial",
            material,
            &["certificate", "x509CertificateChain", "publicKey"],
        )?,
        Some(_) => return Err("bundle's verificationMaterial is not an object".into()),
        None => return Err("bundle has no verificationMaterial".into()),
    }
    if let Some(Value::Object(envelope)) = top.get("dsseEnvelope") {
        statement_is_unambiguous(envelope)?;
    }
    Ok(bundle)
}

/// Exactly one of `members` is present in `object`.
fn one_of(what: &str, object: &Map<String, Value>, members: &[&str]) -> Result<(), String> {
    let present: Vec<&str> = members
        .iter()
        .copied()
        .filter(|m| object.contains_key(*m))
        .collect();
    match present.as_slice() {
        [_] => Ok(()),
        [] => Err(format!("{what} has none of {}", members.join(", "))),
        [a, b] => Err(format!("{what} has both {a} and {b}")),
        many => Err(format!("{what} has {} at once", many.join(", "))),
    }
}

/// An in-toto payload is JSON read by every consumer of the attestation: it must not say two
/// things either.
fn statement_is_unambiguous(envelope: &Map<String, Value>) -> Result<(), String> {
    if envelope.get("payloadType").and_then(Value::as_str) != Some(IN_TOTO) {
        return Ok(());
    }
    let Some(payload) = envelope.get("payload").and_then(Value::as_str) else {
        return Ok(());
    };
    // A payload that is not base64 or not JSON fails later, with the check that owns it.
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(payload) else {
        return Ok(());
    };
    match crate::strict_json::parse_slice(&bytes) {
        Err(e) if e.starts_with("duplicate key") => {
            Err(format!("the DSSE payload (in-toto statement) has a {e}"))
        }
        _ => Ok(()),
    }
}

/// `dsse_envelope` → `dsseEnvelope` everywhere (protobuf's json_name rule); a field spelled
/// both ways in one object is refused.
fn camel_keys(value: Value) -> Result<Value, String> {
    Ok(match value {
        Value::Object(object) => {
            let mut out = Map::new();
            let mut spelled: Map<String, Value> = Map::new();
            for (key, v) in object {
                let camel = lower_camel(&key);
                if let Some(Value::String(first)) = spelled.get(&camel) {
                    return Err(format!("bundle has both {first} and {key}"));
                }
                spelled.insert(camel.clone(), Value::String(key));
                out.insert(camel, camel_keys(v)?);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(camel_keys)
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}

fn lower_camel(key: &str) -> String {
    if !key.contains('_') {
        return key.to_owned();
    }
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"certificate": {"rawBytes": "AA=="}, "tlogEntries": []},
            "messageSignature": {"signature": "AA=="}
        })
    }

    fn with(mut v: Value, pointer: &str, key: &str, value: Value) -> Value {
        if let Some(Value::Object(o)) = v.pointer_mut(pointer) {
            o.insert(key.into(), value);
        }
        v
    }

    fn without(mut v: Value, pointer: &str, key: &str) -> Value {
        if let Some(Value::Object(o)) = v.pointer_mut(pointer) {
            o.remove(key);
        }
        v
    }

    fn reason(v: Value) -> String {
        normalize(v).err().unwrap_or_default()
    }

    #[test]
    fn a_well_formed_bundle_passes_unchanged() {
        assert_eq!(normalize(base()), Ok(base()));
    }

    #[test]
    fn each_one_of_rule_names_what_broke() {
        let both = with(base(), "", "dsseEnvelope", json!({}));
        assert_eq!(
            reason(both),
            "bundle has both messageSignature and dsseEnvelope"
        );
        let neither = without(base(), "", "messageSignature");
        assert_eq!(
            reason(neither),
            "bundle has none of messageSignature, dsseEnvelope"
        );
        let two = with(base(), "/verificationMaterial", "publicKey", json!({}));
        assert_eq!(
            reason(two),
            "bundle's verificationMaterial has both certificate and publicKey"
        );
        let chain = with(
            base(),
            "/verificationMaterial",
            "x509CertificateChain",
            json!({"certificates": []}),
        );
        assert_eq!(
            reason(chain),
            "bundle's verificationMaterial has both certificate and x509CertificateChain"
        );
        let none = without(base(), "/verificationMaterial", "certificate");
        assert!(reason(none).contains("has none of certificate, x509CertificateChain, publicKey"));
        assert!(
            reason(without(base(), "", "verificationMaterial"))
                .contains("has no verificationMaterial")
        );
    }

    #[test]
    fn media_type_is_required_and_known() {
        assert!(reason(without(base(), "", "mediaType")).starts_with("bundle has no mediaType"));
        let unknown = with(
            base(),
            "",
            "mediaType",
            json!("application/vnd.dev.sigstore.bundle.v0.4+json"),
        );
        assert!(reason(unknown).contains("is not a Sigstore bundle version"));
        assert!(reason(with(base(), "", "mediaType", json!(3))).contains("not a string"));
        for m in MEDIA_TYPES {
            assert!(
                normalize(with(base(), "", "mediaType", json!(m))).is_ok(),
                "{m}"
            );
        }
    }

    #[test]
    fn proto_names_are_read_as_camel_names_but_never_both() {
        let proto = json!({
            "media_type": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verification_material": {"certificate": {"raw_bytes": "AA=="}, "tlog_entries": []},
            "message_signature": {"signature": "AA=="}
        });
        assert_eq!(normalize(proto), Ok(base()));
        let both = with(base(), "", "media_type", json!("x"));
        assert_eq!(reason(both), "bundle has both mediaType and media_type");
        assert_eq!(lower_camel("rfc3161_timestamps"), "rfc3161Timestamps");
        assert_eq!(
            lower_camel("x509_certificate_chain"),
            "x509CertificateChain"
        );
        assert_eq!(lower_camel("keyid"), "keyid");
    }

    #[test]
    fn an_in_toto_payload_with_a_duplicate_key_is_refused() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let dsse = |payload: &str| {
            let v = without(base(), "", "messageSignature");
            with(
                v,
                "",
                "dsseEnvelope",
                json!({"payloadType": IN_TOTO, "payload": b64(payload), "signatures": []}),
            )
        };
        let e = reason(dsse(r#"{"subject": [], "subject": [{"name": "x"}]}"#));
        assert!(
            e.contains(r#"in-toto statement) has a duplicate key "subject""#),
            "{e}"
        );
        assert!(normalize(dsse(r#"{"subject": []}"#)).is_ok());
        // Not JSON at all is the signature check's business, not this rule's.
        assert!(normalize(dsse("not json")).is_ok());
    }
}
