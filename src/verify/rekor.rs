//! Finding the Rekor v1 entry of a detached `.sig` + `.crt` pair, as `cosign verify-blob`
//! does. The pair alone proves no signing time; its log entry does (integrated time, signed
//! entry timestamp, inclusion proof). Rekor is searched by the artifact's SHA-256
//! (`POST /api/v1/index/retrieve`), each entry found is fetched
//! (`GET /api/v1/log/entries/{uuid}`), and the one whose hashedrekord body holds exactly this
//! digest, signature and certificate is kept. A bare generator envelope's intoto entry is
//! found the same way, by the envelope's SHA-256 (`legacy_envelope.rs` says which holds it).
//!
//! Nothing read from the log is trusted here: the entry goes into a bundle, and the verifier
//! checks its SET, inclusion proof, checkpoint and body like those of any other bundle. The
//! search only saves the user from fetching the entry by hand.

use std::time::Duration;

use base64::Engine as _;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use super::sigstore::one_line;
use super::{Check, Failure};

const USER_AGENT: &str = concat!("attest-kit/", env!("CARGO_PKG_VERSION"));
const ATTEMPTS: u32 = 4;
/// Entries of one artifact fetched at most (a popular file may have been signed often).
pub const MAX_ENTRIES: usize = 64;
/// Response bodies larger than this are refused (an entry is a few KiB).
const MAX_RESPONSE: usize = 4 * 1024 * 1024;
const CONCURRENT: usize = 8;

/// What a detached pair holds, to find its entry.
#[derive(Debug, Clone)]
pub struct Detached {
    pub sha256_hex: String,
    pub signature: Vec<u8>,
    pub certificate_der: Vec<u8>,
}

/// A Rekor v1 log to search.
pub struct Lookup {
    base: String,
    http: reqwest::Client,
    backoff: Duration,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

enum Try {
    Again(String),
    Stop(String),
}

impl Lookup {
    /// `base` is the log's base URL (`https://rekor.sigstore.dev`); plain http only to a
    /// loopback address.
    pub fn new(base: &str, backoff: Duration) -> Result<Self, String> {
        let base = base.trim().trim_end_matches('/').to_owned();
        if !crate::url_rule::https_or_loopback(&base) {
            return Err(format!(
                "Rekor URL {base:?}: only https:// (or http:// to a loopback address)"
            ));
        }
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("couldn't set up HTTP: {e}"))?;
        Ok(Self {
            base,
            http,
            backoff,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The entry for `d`, in the bundle's `tlogEntries[]` form.
    pub async fn find(&self, d: &Detached) -> Result<Value, Failure> {
        let key = format!("sha256:{}", d.sha256_hex);
        self.find_holding(&key, &key, "this signature and certificate", |e| {
            holds(e, d)
        })
        .await
    }

    /// The first entry indexed under `key` (`sha256:<hex>`) that `holds` accepts, in the
    /// bundle's `tlogEntries[]` form. `what` names the key and `holding` what must be logged,
    /// for the failures.
    pub async fn find_holding(
        &self,
        key: &str,
        what: &str,
        holding: &str,
        holds: impl Fn(&Value) -> bool,
    ) -> Result<Value, Failure> {
        let fail = |reason: String| Failure::new(Check::TransparencyLog, reason);
        let ids = self
            .json(
                reqwest::Method::POST,
                "/api/v1/index/retrieve",
                Some(json!({ "hash": key })),
            )
            .await
            .map_err(|e| {
                fail(format!(
                    "couldn't search the Rekor log at {}: {e}",
                    self.base
                ))
            })?;
        let ids: Vec<String> = ids
            .as_array()
            .ok_or_else(|| fail(format!("{} answered the search with no list", self.base)))?
            .iter()
            .filter_map(Value::as_str)
            .filter(|id| id.len() <= 80 && id.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned)
            .collect();
        if ids.is_empty() {
            return Err(fail(format!(
                "the Rekor log at {} has no entry for {what}",
                self.base
            )));
        }
        let searched = ids.len();
        // Fetched 8 at a time, in order; the first entry that holds it ends the search.
        let mut entries = futures_util::stream::iter(ids.into_iter().take(MAX_ENTRIES))
            .map(|id| async move {
                self.json(
                    reqwest::Method::GET,
                    &format!("/api/v1/log/entries/{id}"),
                    None,
                )
                .await
            })
            .buffered(CONCURRENT);
        let mut errors = Vec::new();
        while let Some(e) = entries.next().await {
            match e {
                Ok(doc) => {
                    for entry in doc.as_object().into_iter().flat_map(|o| o.values()) {
                        if holds(entry) {
                            return to_bundle_entry(entry)
                                .map_err(|e| fail(format!("the Rekor entry is malformed: {e}")));
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let mut reason = format!(
            "none of the {} Rekor entries for {what} at {} holds {holding}",
            searched.min(MAX_ENTRIES),
            self.base
        );
        if searched > MAX_ENTRIES {
            reason.push_str(&format!(
                " ({searched} found, the first {MAX_ENTRIES} read)"
            ));
        }
        if let Some(e) = errors.first() {
            reason.push_str(&format!("; {} could not be read: {e}", errors.len()));
        }
        Err(fail(reason))
    }

    async fn json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.once(method.clone(), path, body.as_ref()).await {
                Ok(v) => return Ok(v),
                Err(Try::Again(_)) if attempt < ATTEMPTS => {
                    tokio::time::sleep(self.backoff * 2u32.pow(attempt - 1)).await;
                }
                Err(Try::Again(reason)) => {
                    return Err(format!("{reason} (after {ATTEMPTS} attempts)"));
                }
                Err(Try::Stop(reason)) => return Err(reason),
            }
        }
    }

    async fn once(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, Try> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let mut resp = req.send().await.map_err(|e| Try::Again(one_line(&e)))?;
        let status = resp.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| Try::Again(one_line(&e)))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_RESPONSE {
                return Err(Try::Stop(format!(
                    "the answer to {path} is larger than {MAX_RESPONSE} bytes"
                )));
            }
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Try::Again(format!("{path}: HTTP {status}")));
        }
        if !status.is_success() {
            let message = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default();
            return Err(Try::Stop(
                format!(
                    "{path}: HTTP {status} {}",
                    message.split_whitespace().collect::<Vec<_>>().join(" ")
                )
                .chars()
                .take(300)
                .collect::<String>()
                .trim_end()
                .to_owned(),
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| Try::Stop(format!("{path}: not JSON: {e}")))
    }
}

/// An API entry's body (base64 of JSON, read strictly), when it is of `kind`.
pub(super) fn body_of_kind(entry: &Value, kind: &str) -> Option<Value> {
    let body = entry
        .get("body")
        .and_then(Value::as_str)
        .and_then(|b| b64().decode(b).ok())
        .and_then(|b| crate::strict_json::parse_slice(&b).ok())?;
    (body.get("kind").and_then(Value::as_str) == Some(kind)).then_some(body)
}

/// The entry's hashedrekord body names this digest, signature and certificate.
fn holds(entry: &Value, d: &Detached) -> bool {
    let Some(body) = body_of_kind(entry, "hashedrekord") else {
        return false;
    };
    let spec = &body["spec"];
    let hash_ok = spec.pointer("/data/hash/algorithm").and_then(Value::as_str) == Some("sha256")
        && spec
            .pointer("/data/hash/value")
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(&d.sha256_hex));
    let sig_ok = spec
        .pointer("/signature/content")
        .and_then(Value::as_str)
        .and_then(|s| b64().decode(s).ok())
        .is_some_and(|s| s == d.signature);
    // The certificate is stored as base64 of its PEM (Rekor re-encodes it): compare DER.
    let cert_ok = spec
        .pointer("/signature/publicKey/content")
        .and_then(Value::as_str)
        .and_then(|s| b64().decode(s).ok())
        .and_then(|pem| String::from_utf8(pem).ok())
        .and_then(|pem| pem_der(&pem))
        .is_some_and(|der| der == d.certificate_der);
    hash_ok && sig_ok && cert_ok
}

/// The DER of a PEM block (its base64 lines).
pub(super) fn pem_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    b64().decode(body).ok()
}

fn hex_to_b64(h: &str) -> Result<String, String> {
    hex::decode(h)
        .map(|b| b64().encode(b))
        .map_err(|_| format!("{h:?} is not hex"))
}

/// A Rekor v1 API entry (`LogEntryAnon`) as a bundle's `TransparencyLogEntry`.
pub fn to_bundle_entry(e: &Value) -> Result<Value, String> {
    let body_b64 = e.get("body").and_then(Value::as_str).ok_or("no body")?;
    let body: Value = b64()
        .decode(body_b64)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the body is not base64 JSON")?;
    let int = |v: Option<&Value>, what: &str| {
        v.and_then(Value::as_u64)
            .map(|n| n.to_string())
            .ok_or(format!("no {what}"))
    };
    let mut out = json!({
        "logIndex": int(e.get("logIndex"), "logIndex")?,
        "logId": { "keyId": hex_to_b64(e.get("logID").and_then(Value::as_str).ok_or("no logID")?)? },
        "kindVersion": {
            "kind": body.get("kind").and_then(Value::as_str).ok_or("no kind")?,
            "version": body.get("apiVersion").and_then(Value::as_str).ok_or("no apiVersion")?,
        },
        "integratedTime": int(e.get("integratedTime"), "integratedTime")?,
        "canonicalizedBody": body_b64,
    });
    let v = e.get("verification");
    if let Some(set) = v
        .and_then(|v| v.get("signedEntryTimestamp"))
        .and_then(Value::as_str)
    {
        out["inclusionPromise"] = json!({ "signedEntryTimestamp": set });
    }
    if let Some(p) = v.and_then(|v| v.get("inclusionProof")) {
        let hashes = p
            .get("hashes")
            .and_then(Value::as_array)
            .ok_or("an inclusion proof without hashes")?
            .iter()
            .map(|h| hex_to_b64(h.as_str().unwrap_or("?")))
            .collect::<Result<Vec<_>, _>>()?;
        out["inclusionProof"] = json!({
            "logIndex": int(p.get("logIndex"), "inclusion proof logIndex")?,
            "rootHash": hex_to_b64(p.get("rootHash").and_then(Value::as_str).ok_or("no rootHash")?)?,
            "treeSize": int(p.get("treeSize"), "treeSize")?,
            "hashes": hashes,
            "checkpoint": { "envelope": p.get("checkpoint").and_then(Value::as_str).ok_or("no checkpoint")? },
        });
    }
    if out.get("inclusionPromise").is_none() && out.get("inclusionProof").is_none() {
        return Err("neither a signed entry timestamp nor an inclusion proof".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &Value) -> Value {
        json!({
            "body": b64().encode(body.to_string()),
            "integratedTime": 1_700_000_000u64,
            "logID": "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d",
            "logIndex": 7,
            "verification": {
                "inclusionProof": {"checkpoint": "cp\n", "hashes": ["00ff"], "logIndex": 3, "rootHash": "aa", "treeSize": 9},
                "signedEntryTimestamp": "U0VU"
            }
        })
    }

    fn body(sha: &str, sig: &[u8], cert_der: &[u8]) -> Value {
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            b64().encode(cert_der)
        );
        json!({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": sha}},
            "signature": {"content": b64().encode(sig), "publicKey": {"content": b64().encode(pem)}}}})
    }

    #[test]
    fn an_api_entry_becomes_a_bundle_entry() -> Result<(), String> {
        let e = entry(&body("ab", b"sig", b"cert"));
        let b = to_bundle_entry(&e)?;
        assert_eq!(b["logIndex"], "7");
        assert_eq!(b["integratedTime"], "1700000000");
        assert_eq!(
            b["kindVersion"],
            json!({"kind": "hashedrekord", "version": "0.0.1"})
        );
        assert_eq!(b["inclusionPromise"]["signedEntryTimestamp"], "U0VU");
        assert_eq!(b["inclusionProof"]["logIndex"], "3");
        assert_eq!(b["inclusionProof"]["rootHash"], "qg==");
        assert_eq!(b["inclusionProof"]["hashes"], json!(["AP8="]));
        assert_eq!(b["inclusionProof"]["checkpoint"]["envelope"], "cp\n");
        assert_eq!(
            b["logId"]["keyId"],
            "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="
        );
        let mut bad = e.clone();
        bad["verification"] = json!({});
        assert!(to_bundle_entry(&bad).is_err());
        bad = e;
        bad["logID"] = json!("zz");
        assert!(to_bundle_entry(&bad).is_err());
        Ok(())
    }

    #[test]
    fn only_the_entry_with_this_digest_signature_and_certificate_is_taken() {
        let d = Detached {
            sha256_hex: "ab".repeat(32),
            signature: b"sig".to_vec(),
            certificate_der: b"cert".to_vec(),
        };
        assert!(holds(&entry(&body(&"AB".repeat(32), b"sig", b"cert")), &d));
        assert!(!holds(&entry(&body(&"cd".repeat(32), b"sig", b"cert")), &d));
        assert!(!holds(
            &entry(&body(&"ab".repeat(32), b"other", b"cert")),
            &d
        ));
        assert!(!holds(
            &entry(&body(&"ab".repeat(32), b"sig", b"other")),
            &d
        ));
        let mut dsse = body(&"ab".repeat(32), b"sig", b"cert");
        dsse["kind"] = json!("dsse");
        assert!(!holds(&entry(&dsse), &d));
        assert!(!holds(&json!({"body": "not base64!"}), &d));
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let d = Duration::from_millis(1);
        assert!(
            Lookup::new("https://rekor.sigstore.dev/", d)
                .is_ok_and(|l| l.base() == "https://rekor.sigstore.dev")
        );
        assert!(Lookup::new("http://127.0.0.1:8080", d).is_ok());
        assert!(Lookup::new("http://rekor.example", d).is_err());
        assert!(Lookup::new("file:///etc/passwd", d).is_err());
    }
}
