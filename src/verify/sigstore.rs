//! The one place that uses the Sigstore crates (`sigstore-verify`, `-trust-root`, `-types`).
//!
//! It parses bundles and trusted roots, runs the crate's offline verification (certificate
//! chain at signing time, SCT, inclusion proof and checkpoint, SET, RFC 3161 timestamps,
//! Rekor v1/v2 entry consistency, the signature and the DSSE subject binding) and hands back
//! plain values. The identity policy is not checked here: every call authorizes any identity,
//! and `policy.rs` decides on the claims returned.
//!
//! Trust domains: with no trusted root given, the Sigstore public-good root and GitHub's own
//! (private-repository attestations) are embedded. GitHub's instance logs nothing in a
//! transparency log and has no public CT SCTs, so its checks skip those two — but only when
//! the certificate is issued by GitHub's Fulcio CA, and the chain is then verified against
//! GitHub's root alone. A bundle lacking entries never selects the relaxed checks.

use std::sync::Arc;

use base64::Engine as _;
use sigstore_trust_root::{SigstoreInstance, TrustedRoot};
use sigstore_types::bundle::{MessageSignature, VerificationMaterial, VerificationMaterialContent};
use sigstore_types::{
    ArtifactDigest, Bundle, DerCertificate, DerPublicKey, HashAlgorithm, MediaType, SignatureBytes,
    SignatureContent,
};
use sigstore_verify::{
    CertificateError, Error as SError, PublicKeyVerificationPolicy, VerificationPolicy, Verifier,
};
use x509_cert::der::{Decode, Encode};

use super::claims::{Claims, LegacyClaims};
use super::legacy_envelope::Envelope;
use super::{Check, Failure};
use crate::subject::{Algorithm, Digest};

/// Which trusted root to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootChoice {
    /// Sigstore public-good, and GitHub's instance for certificates it issued.
    Embedded,
    /// Sigstore's staging instance (for the conformance suite).
    Staging,
    /// A `trusted_root.json` given by the user (its text).
    Custom(String),
}

struct Domain {
    name: &'static str,
    verifier: Verifier,
    /// The root itself, for the checks made here (timestamps one by one, log key windows).
    root: TrustedRoot,
    /// Skip transparency-log and SCT checks (GitHub's instance only).
    relaxed: bool,
    /// DER subjects of the domain's Fulcio CA certificates, to pick the domain by issuer.
    ca_subjects: Vec<Vec<u8>>,
}

/// Verifiers for every trust domain in use, built once and shared across threads.
pub struct Trust {
    /// The default domain first; GitHub's (if any) after it.
    domains: Vec<Domain>,
    /// The default root's first transparency log: where detached pairs are looked up.
    rekor_url: Option<String>,
}

fn domain(name: &'static str, root: &TrustedRoot, relaxed: bool) -> Result<Domain, String> {
    let verifier = Verifier::new(root).map_err(|e| e.to_string())?;
    let ca_subjects = root
        .certificate_authorities
        .iter()
        .flat_map(|ca| &ca.cert_chain.certificates)
        .filter_map(|c| {
            let cert = x509_cert::Certificate::from_der(c.raw_bytes.as_bytes()).ok()?;
            cert.tbs_certificate.subject.to_der().ok()
        })
        .collect();
    Ok(Domain {
        name,
        verifier,
        root: root.clone(),
        relaxed,
        ca_subjects,
    })
}

impl Trust {
    pub fn new(choice: &RootChoice) -> Result<Self, String> {
        let parse = |json: &str| TrustedRoot::from_json(json).map_err(|e| e.to_string());
        let default_json = match choice {
            RootChoice::Embedded => SigstoreInstance::PublicGood.embedded_trusted_root_json(),
            RootChoice::Staging => SigstoreInstance::Staging.embedded_trusted_root_json(),
            RootChoice::Custom(json) => json.as_str(),
        };
        let rekor_url = parse(default_json)?
            .tlogs
            .first()
            .map(|t| t.base_url.clone());
        let domains = match choice {
            RootChoice::Embedded => vec![
                domain(
                    "public-good",
                    &parse(SigstoreInstance::PublicGood.embedded_trusted_root_json())?,
                    false,
                )?,
                domain(
                    "github",
                    &parse(SigstoreInstance::GitHub.embedded_trusted_root_json())?,
                    true,
                )?,
            ],
            RootChoice::Staging => vec![domain(
                "staging",
                &parse(SigstoreInstance::Staging.embedded_trusted_root_json())?,
                false,
            )?],
            RootChoice::Custom(json) => vec![domain("custom", &parse(json)?, false)?],
        };
        Ok(Self { domains, rekor_url })
    }

    /// The Rekor (v1) log to search for a detached pair's entry, from the trusted root.
    pub fn rekor_url(&self) -> Option<&str> {
        self.rekor_url.as_deref()
    }

    /// The domain for a certificate: the relaxed GitHub one only if its issuer is one of
    /// GitHub's CAs; the default one otherwise.
    fn domain_for(&self, bundle: &Bundle) -> &Domain {
        let issuer = bundle.signing_certificate().and_then(|c| {
            let cert = x509_cert::Certificate::from_der(c.as_bytes()).ok()?;
            cert.tbs_certificate.issuer.to_der().ok()
        });
        if let Some(issuer) = issuer
            && let Some(d) = self
                .domains
                .iter()
                .skip(1)
                .find(|d| d.ca_subjects.contains(&issuer))
        {
            return d;
        }
        &self.domains[0]
    }
}

/// A bundle parsed and ready to verify; for a bare generator envelope still waiting for
/// its Rekor entry, the envelope as read (see `legacy_envelope.rs`).
#[derive(Debug, Clone)]
pub struct ParsedBundle(Bundle, Option<Arc<Envelope>>);

/// What a bundle binds to, to pair bundles with artifacts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bound {
    pub digests: Vec<Digest>,
}

impl ParsedBundle {
    /// Reads a bundle's JSON text strictly (see `strict_bundle`).
    pub fn from_json(text: &str) -> Result<Self, Failure> {
        let value = crate::strict_json::parse(text)
            .map_err(|e| Failure::new(Check::Bundle, format!("not a Sigstore bundle: {e}")))?;
        Self::from_value(value)
    }

    /// A bundle already parsed by `strict_json` (so free of duplicate keys).
    pub fn from_value(value: serde_json::Value) -> Result<Self, Failure> {
        let value =
            super::strict_bundle::normalize(value).map_err(|e| Failure::new(Check::Bundle, e))?;
        let bundle: Bundle = serde_json::from_value(value).map_err(|e| {
            Failure::new(
                Check::Bundle,
                format!("not a Sigstore bundle: {}", one_line(&e)),
            )
        })?;
        Ok(Self(bundle, None))
    }

    /// A cosign-style detached pair: a base64 signature and a PEM certificate. It carries
    /// no log entry or timestamp, so it only verifies where a signing time can be had.
    pub fn from_signature_and_certificate(sig_b64: &str, cert_pem: &str) -> Result<Self, Failure> {
        let sig = base64::engine::general_purpose::STANDARD
            .decode(sig_b64.trim())
            .map_err(|e| Failure::new(Check::Bundle, format!("signature is not base64: {e}")))?;
        let cert_pem = cert_pem.trim();
        // cosign writes the certificate PEM itself or base64 of the PEM.
        let pem_text = if cert_pem.starts_with("-----BEGIN") {
            cert_pem.to_owned()
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(cert_pem)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_else(|| cert_pem.to_owned())
        };
        let cert = DerCertificate::from_pem(&pem_text)
            .map_err(|e| Failure::new(Check::Bundle, format!("invalid certificate PEM: {e}")))?;
        let material =
            VerificationMaterial::new(VerificationMaterialContent::X509CertificateChain {
                certificates: vec![sigstore_types::bundle::X509Certificate::new(cert)],
            });
        let content =
            SignatureContent::MessageSignature(MessageSignature::new(SignatureBytes::new(sig)));
        Ok(Self(
            Bundle::new(MediaType::Bundle0_1, material, content),
            None,
        ))
    }

    /// Marks a bundle made from a bare generator envelope that still needs its log entry.
    pub(super) fn with_legacy_envelope(self, envelope: Arc<Envelope>) -> Self {
        Self(self.0, Some(envelope))
    }

    /// The bare generator envelope this bundle stands for, while its log entry is missing.
    pub fn legacy_envelope(&self) -> Option<&Arc<Envelope>> {
        self.1.as_ref()
    }

    /// A cosign-style pair as loaded: a message signature and a certificate with neither a
    /// log entry nor a timestamp. Returns the signature and the certificate's DER.
    pub fn detached(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let b = &self.0;
        let m = &b.verification_material;
        if !m.tlog_entries.is_empty()
            || !m.timestamp_verification_data.rfc3161_timestamps.is_empty()
        {
            return None;
        }
        let SignatureContent::MessageSignature(sig) = &b.content else {
            return None;
        };
        let cert = b.signing_certificate()?;
        Some((sig.signature.as_bytes().to_vec(), cert.as_bytes().to_vec()))
    }

    /// The detached pair with the Rekor entry found for it (`tlogEntries[]` form), as the
    /// bundle cosign would have written: v0.2 with an inclusion proof, else v0.1.
    pub fn with_log_entry(
        &self,
        entry: serde_json::Value,
        sha256_hex: &str,
    ) -> Result<Self, Failure> {
        let (sig, cert) = self
            .detached()
            .ok_or_else(|| Failure::new(Check::Bundle, "not a detached signature"))?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let digest = hex::decode(sha256_hex)
            .map_err(|_| Failure::new(Check::Artifact, "invalid SHA-256"))?;
        let version = if entry.get("inclusionProof").is_some() {
            "0.2"
        } else {
            "0.1"
        };
        let doc = serde_json::json!({
            "mediaType": format!("application/vnd.dev.sigstore.bundle+json;version={version}"),
            "verificationMaterial": {
                "x509CertificateChain": {"certificates": [{"rawBytes": b64.encode(cert)}]},
                "tlogEntries": [entry],
                "timestampVerificationData": {},
            },
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": b64.encode(digest)},
                "signature": b64.encode(sig),
            },
        });
        Self::from_json(&doc.to_string()).map_err(|f| {
            Failure::new(
                Check::TransparencyLog,
                format!("the Rekor entry does not fit a bundle: {}", f.reason),
            )
        })
    }

    /// `v0.1`, `v0.2` or `v0.3`.
    pub fn version(&self) -> &'static str {
        match self.0.media_type() {
            MediaType::Bundle0_1 => "v0.1",
            MediaType::Bundle0_2 => "v0.2",
            _ => "v0.3",
        }
    }

    pub fn uses_public_key(&self) -> bool {
        matches!(
            self.0.verification_material.content,
            VerificationMaterialContent::PublicKey(_)
        )
    }

    /// The in-toto statement of a DSSE bundle, if its payload is JSON.
    pub fn statement(&self) -> Option<serde_json::Value> {
        match &self.0.content {
            SignatureContent::DsseEnvelope(env) => serde_json::from_slice(env.payload.as_bytes())
                .ok()
                .filter(serde_json::Value::is_object),
            _ => None,
        }
    }

    /// The artifact digests the bundle names (statement subjects or message digest).
    pub fn bound(&self) -> Bound {
        let mut digests = Vec::new();
        match &self.0.content {
            SignatureContent::MessageSignature(m) => {
                if let Some(d) = &m.message_digest {
                    let alg = match d.algorithm {
                        HashAlgorithm::Sha2256 => Some(Algorithm::Sha256),
                        HashAlgorithm::Sha2512 => Some(Algorithm::Sha512),
                        _ => None,
                    };
                    if let Some(alg) = alg
                        && let Some(d) = Digest::from_hex(alg, &hex::encode(d.digest.as_bytes()))
                    {
                        digests.push(d);
                    }
                }
            }
            SignatureContent::DsseEnvelope(_) => {
                let subjects = self
                    .statement()
                    .and_then(|s| s.get("subject").cloned())
                    .and_then(|s| s.as_array().cloned())
                    .unwrap_or_default();
                for s in subjects {
                    for (alg, a) in [("sha256", Algorithm::Sha256), ("sha512", Algorithm::Sha512)] {
                        if let Some(d) = s
                            .get("digest")
                            .and_then(|d| d.get(alg))
                            .and_then(|h| h.as_str())
                            .and_then(|h| Digest::from_hex(a, h))
                        {
                            digests.push(d);
                        }
                    }
                }
            }
            _ => {}
        }
        Bound { digests }
    }
}

/// The artifact as the verifier sees it.
#[derive(Debug, Clone, Copy)]
pub enum ArtifactData<'a> {
    Bytes(&'a [u8]),
    /// A file too large to hold in memory: streamed (not for Ed25519 message signatures,
    /// which need the whole message).
    File(&'a std::path::Path),
    Digest(&'a Digest),
}

/// What a successful verification established.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// The certificate's SAN (absent for public-key bundles).
    pub identity: Option<String>,
    pub issuer: Option<String>,
    pub claims: Claims,
    pub log_index: Option<u64>,
    /// Authenticated Rekor v1 integrated time, RFC 3339.
    pub integrated_time: Option<String>,
    /// Earliest authenticated signing time (integrated time or RFC 3161), RFC 3339.
    pub signed_at: Option<String>,
    /// `public-good`, `github`, `staging`, `custom`.
    pub trust_domain: &'static str,
    /// RFC 3161 tokens that no trusted TSA vouches for: dropped, and why.
    pub ignored_timestamps: Vec<String>,
}

pub(super) fn one_line(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}

/// Maps the crate's error onto the check that failed.
fn failure(e: &SError) -> Failure {
    let check = match e {
        SError::IdentityMismatch { .. } => Check::Identity,
        SError::IssuerMismatch { .. } => Check::Issuer,
        SError::SignatureInvalid(_) | SError::Crypto(_) => Check::Signature,
        SError::ArtifactMismatch(_) => Check::ArtifactDigest,
        SError::UnsupportedArtifact(_) | SError::ArtifactRead(_) => Check::Artifact,
        SError::Certificate(CertificateError::Sct(_)) => Check::Sct,
        SError::Certificate(_) => Check::Certificate,
        SError::TransparencyLog(_) => Check::TransparencyLog,
        SError::Timestamp(_) => Check::Timestamp,
        SError::InvalidTrustRoot(_) | SError::TrustRoot(_) | SError::TrustedCertificate(_) => {
            Check::TrustedRoot
        }
        _ => Check::Bundle,
    };
    Failure::new(check, one_line(e))
}

fn artifact_input(a: ArtifactData<'_>) -> Result<sigstore_types::Artifact<'_>, Failure> {
    Ok(match a {
        ArtifactData::Bytes(b) => sigstore_types::Artifact::from_blob(b),
        ArtifactData::File(_) => {
            return Err(Failure::new(
                Check::Artifact,
                "a file is streamed, not loaded",
            ));
        }
        ArtifactData::Digest(d) => {
            let alg = match d.algorithm {
                Algorithm::Sha256 => HashAlgorithm::Sha2256,
                Algorithm::Sha512 => HashAlgorithm::Sha2512,
            };
            let bytes = hex::decode(&d.hex)
                .map_err(|e| Failure::new(Check::Artifact, format!("invalid digest: {e}")))?;
            let digest = ArtifactDigest::new(alg, bytes)
                .map_err(|e| Failure::new(Check::Artifact, format!("invalid digest: {e}")))?;
            sigstore_types::Artifact::from_digest(digest)
        }
    })
}

/// Parses a PEM `PUBLIC KEY`.
pub fn parse_public_key(pem: &str) -> Result<PublicKey, String> {
    DerPublicKey::from_pem(pem)
        .map(PublicKey)
        .map_err(|e| e.to_string())
}

/// A managed public key, for `--key`.
#[derive(Debug, Clone)]
pub struct PublicKey(DerPublicKey);

impl Trust {
    /// Verifies `bundle` over `artifact` with any identity; the caller applies the policy.
    pub fn verify(
        &self,
        bundle: &ParsedBundle,
        artifact: ArtifactData<'_>,
        key: Option<&PublicKey>,
    ) -> Result<Verified, Failure> {
        let b = &bundle.0;
        let has_timestamps = !b
            .verification_material
            .timestamp_verification_data
            .rfc3161_timestamps
            .is_empty();
        if key.is_none() && b.verification_material.tlog_entries.is_empty() && !has_timestamps {
            return Err(Failure::new(
                Check::Timestamp,
                "the bundle has no transparency-log entry and no RFC 3161 timestamp: nothing proves the signature was made while its short-lived certificate was valid",
            ));
        }
        let domain = match key {
            Some(_) => {
                if !bundle.uses_public_key() {
                    return Err(Failure::new(
                        Check::Bundle,
                        "a public key was given but the bundle is signed with a certificate",
                    ));
                }
                &self.domains[0]
            }
            None => {
                if bundle.uses_public_key() {
                    return Err(Failure::new(
                        Check::Bundle,
                        "the bundle is signed with a managed key: verify it with --key",
                    ));
                }
                self.domain_for(b)
            }
        };
        let (b, ignored_timestamps) = usable_timestamps(&domain.root, b)?;
        let b = b.as_ref();
        let result = match key {
            Some(key) => {
                let policy = PublicKeyVerificationPolicy::new(key.0.clone());
                run(&domain.verifier, artifact, b, &policy)?
            }
            None => {
                let mut policy = VerificationPolicy::any_identity();
                if domain.relaxed {
                    policy = policy.skip_tlog_unsafe().skip_sct();
                }
                run(&domain.verifier, artifact, b, &policy)?
            }
        };
        let result = result.map_err(|e| {
            let mut f = failure(&e);
            if f.check == Check::Timestamp && !ignored_timestamps.is_empty() {
                f.reason = format!("{}; ignored: {}", f.reason, ignored_timestamps.join("; "));
            }
            f
        })?;
        if key.is_none() && !result.certificate_verified() {
            return Err(Failure::new(
                Check::Certificate,
                "the certificate chain was not verified",
            ));
        }
        log_keys_valid_at(&domain.root, b, result.verified_timestamps())?;
        let claims = result
            .certificate()
            .map(|c| claims_of(&c.ci_claims))
            .unwrap_or_default();
        let log_index = b
            .verification_material
            .tlog_entries
            .first()
            .map(|e| u64::from(e.log_index));
        Ok(Verified {
            identity: result.identity().map(|i| i.as_str().to_owned()),
            issuer: result.issuer().map(str::to_owned),
            claims,
            log_index,
            integrated_time: result.integrated_time().map(|t| t.to_string()),
            signed_at: result
                .verified_timestamps()
                .iter()
                .min()
                .map(|t| t.to_string()),
            trust_domain: domain.name,
            ignored_timestamps,
        })
    }
}

/// More tokens than this and the bundle is refused unread (sigstore-python's limit).
const MAX_TIMESTAMPS: usize = 32;

/// The bundle without the RFC 3161 tokens that no trusted TSA vouches for, and why each was
/// dropped. One valid token suffices, as in sigstore-python; an extra, unrelated one (another
/// signature's, another TSA's) is reported, never fatal. A token that verifies stays, so a
/// valid timestamp outside the certificate's validity still fails the certificate check.
fn usable_timestamps<'b>(
    root: &TrustedRoot,
    b: &'b Bundle,
) -> Result<(std::borrow::Cow<'b, Bundle>, Vec<String>), Failure> {
    use std::borrow::Cow;
    let tokens = &b
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps;
    if tokens.is_empty() {
        return Ok((Cow::Borrowed(b), Vec::new()));
    }
    if tokens.len() > MAX_TIMESTAMPS {
        return Err(Failure::new(
            Check::Timestamp,
            format!(
                "the bundle carries {} RFC 3161 timestamps, more than the {MAX_TIMESTAMPS} a verifier reads",
                tokens.len()
            ),
        ));
    }
    let signature = match &b.content {
        SignatureContent::MessageSignature(m) => &m.signature,
        SignatureContent::DsseEnvelope(e) => &e.signature.sig,
        _ => return Ok((Cow::Borrowed(b), Vec::new())),
    };
    let authorities = root.tsa_authorities();
    let mut kept = Vec::new();
    let mut ignored = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let mut why = String::from("the trusted root has no timestamp authority");
        let valid =
            authorities.iter().any(|a| {
                match sigstore_tsa::verify_timestamp_for_authority(
                    &token.signed_timestamp,
                    signature,
                    a,
                ) {
                    Ok(_) => true,
                    Err(e) => {
                        why = one_line(&e);
                        false
                    }
                }
            });
        if valid {
            kept.push(token.clone());
        } else {
            ignored.push(format!(
                "RFC 3161 timestamp {} of {}: {why}",
                i + 1,
                tokens.len()
            ));
        }
    }
    if ignored.is_empty() {
        return Ok((Cow::Borrowed(b), ignored));
    }
    let mut only_valid = b.clone();
    only_valid
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps = kept;
    Ok((Cow::Owned(only_valid), ignored))
}

/// The key that signed each entry's checkpoint must have been valid, by the trusted root's
/// `validFor`, at every verified signing time. sigstore-verify only asks that a checkpoint
/// key's window has started, so a retired Rekor v2 key would vouch for entries made after its
/// retirement (sigstore-python and @sigstore/verify accept them too).
fn log_keys_valid_at(
    root: &TrustedRoot,
    b: &Bundle,
    times: &[jiff::Timestamp],
) -> Result<(), Failure> {
    for (n, entry) in b.verification_material.tlog_entries.iter().enumerate() {
        let Some(checkpoint) = entry
            .inclusion_proof
            .as_ref()
            .and_then(|p| p.checkpoint.checkpoint())
        else {
            continue;
        };
        let mut valid_signer = false;
        let mut retired = None;
        for sig in checkpoint.signatures() {
            for log in &root.tlogs {
                let id = log.log_id.key_id.as_bytes();
                if id.get(..4) != Some(sig.key_id.as_slice()) {
                    continue;
                }
                let Ok(key) =
                    sigstore_crypto::VerificationKey::from_spki(&log.public_key.raw_bytes)
                else {
                    continue;
                };
                if key
                    .verify(checkpoint.signed_data(), &sig.signature)
                    .is_err()
                {
                    continue;
                }
                let outside = log
                    .public_key
                    .valid_for
                    .and_then(|w| times.iter().find(|t| !w.contains(**t)).map(|t| (w, *t)));
                match outside {
                    None => valid_signer = true,
                    Some(found) => retired = Some((log, found)),
                }
            }
        }
        if let (false, Some((log, (window, time)))) = (valid_signer, retired) {
            let end = window
                .end
                .map_or_else(|| "no end".to_owned(), |e| e.to_string());
            return Err(Failure::new(
                Check::TransparencyLog,
                format!(
                    "the checkpoint of log entry {} is signed by the key of {} that the trusted root holds valid from {} to {end}, not at the signing time {time}",
                    n + 1,
                    log.base_url,
                    window.start
                ),
            ));
        }
    }
    Ok(())
}

/// One verification call, from bytes, a digest or a streamed file.
fn run(
    verifier: &Verifier,
    artifact: ArtifactData<'_>,
    bundle: &Bundle,
    policy: &(impl sigstore_verify::Policy + ?Sized),
) -> Result<sigstore_verify::Result<sigstore_verify::VerificationResult>, Failure> {
    Ok(match artifact {
        ArtifactData::File(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| Failure::new(Check::Artifact, format!("couldn't read it: {e}")))?;
            verifier.verify_reader(std::io::BufReader::new(file), bundle, policy)
        }
        other => verifier.verify(artifact_input(other)?, bundle, policy),
    })
}

fn claims_of(c: &sigstore_verify::crypto::FulcioCiClaims) -> Claims {
    let l = &c.deprecated_github;
    Claims {
        build_signer_uri: c.build_signer_uri.clone(),
        build_signer_digest: c.build_signer_digest.clone(),
        runner_environment: c.runner_environment.clone(),
        source_repository_uri: c.source_repository_uri.clone(),
        source_repository_digest: c.source_repository_digest.clone(),
        source_repository_ref: c.source_repository_ref.clone(),
        build_config_uri: c.build_config_uri.clone(),
        build_trigger: c.build_trigger.clone(),
        run_invocation_uri: c.run_invocation_uri.clone(),
        legacy: LegacyClaims {
            workflow_trigger: l.workflow_trigger.clone(),
            workflow_sha: l.workflow_sha.clone(),
            workflow_name: l.workflow_name.clone(),
            workflow_repository: l.workflow_repository.clone(),
            workflow_ref: l.workflow_ref.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_roots_load() {
        let t = Trust::new(&RootChoice::Embedded);
        assert!(t.as_ref().is_ok_and(|t| t.domains.len() == 2));
        assert!(t.is_ok_and(|t| !t.domains[1].ca_subjects.is_empty()));
        assert!(Trust::new(&RootChoice::Staging).is_ok());
        assert!(Trust::new(&RootChoice::Custom("{}".into())).is_err());
    }

    #[test]
    fn only_certificates_issued_by_githubs_ca_select_the_relaxed_domain() -> Result<(), String> {
        let trust = Trust::new(&RootChoice::Embedded)?;
        let github = TrustedRoot::from_json(SigstoreInstance::GitHub.embedded_trusted_root_json())
            .map_err(|e| e.to_string())?;
        // A certificate whose issuer is one of GitHub's CAs (here: GitHub's own
        // intermediate, issued by its root).
        let issued = github
            .certificate_authorities
            .first()
            .and_then(|ca| ca.cert_chain.certificates.first())
            .ok_or("no GitHub CA")?
            .raw_bytes
            .to_pem();
        let b =
            ParsedBundle::from_signature_and_certificate("AAAA", &issued).map_err(|f| f.reason)?;
        assert_eq!(trust.domain_for(&b.0).name, "github");
        assert!(trust.domain_for(&b.0).relaxed);
        // A public-good bundle, and one without a certificate, stay on the strict domain.
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json"
        ))
        .map_err(|e| e.to_string())?;
        let b = ParsedBundle::from_json(&text).map_err(|f| f.reason)?;
        assert_eq!(trust.domain_for(&b.0).name, "public-good");
        assert!(!trust.domain_for(&b.0).relaxed);
        // It still has to chain: GitHub's intermediate is no code-signing leaf.
        let f = trust
            .verify(
                &ParsedBundle::from_signature_and_certificate("AAAA", &issued)
                    .map_err(|f| f.reason)?,
                ArtifactData::Bytes(b"x"),
                None,
            )
            .err();
        assert!(f.is_some());
        Ok(())
    }

    /// Deterministic mutation fuzzing: flip alphanumeric characters of valid bundles (so the
    /// JSON mostly still parses and deeper checks run). Nothing may panic. The few mutants
    /// that still verify touch only unsigned, unchecked text (a key name serde then ignores,
    /// the dash of a checkpoint's signature line) and keep the original signer.
    #[test]
    fn mutated_bundles_never_panic() -> Result<(), String> {
        let trust = Trust::new(&RootChoice::Embedded)?;
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sigstore-conformance"
        );
        let artifact = std::fs::read(format!("{dir}/a.txt")).map_err(|e| e.to_string())?;
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in ["happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3"] {
            let text = std::fs::read_to_string(format!("{dir}/{case}/bundle.sigstore.json"))
                .map_err(|e| e.to_string())?;
            let positions: Vec<usize> = text
                .char_indices()
                .filter(|(_, c)| c.is_ascii_alphanumeric())
                .map(|(i, _)| i)
                .collect();
            for _ in 0..150 {
                let mut bytes = text.clone().into_bytes();
                let pos = positions[(next() as usize) % positions.len()];
                let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
                let replacement = alphabet[(next() as usize) % alphabet.len()];
                if bytes[pos] == replacement {
                    continue;
                }
                bytes[pos] = replacement;
                let mutant = String::from_utf8(bytes).map_err(|e| e.to_string())?;
                let Ok(bundle) = ParsedBundle::from_json(&mutant) else {
                    continue;
                };
                let _ = bundle.bound();
                let _ = bundle.statement();
                if let Ok(v) = trust.verify(&bundle, ArtifactData::Bytes(&artifact), None) {
                    assert!(
                        v.identity
                            .as_deref()
                            .is_some_and(|i| i.contains("sigstore-conformance")),
                        "{case} mutant at {pos} verified as {:?}",
                        v.identity
                    );
                }
            }
        }
        Ok(())
    }

    #[test]
    fn garbage_bundles_are_bundle_failures() {
        for text in [
            "",
            "{",
            "null",
            "[]",
            "{\"mediaType\":1}",
            &"[".repeat(100_000),
        ] {
            let f = ParsedBundle::from_json(text).err();
            assert_eq!(f.map(|f| f.check), Some(Check::Bundle), "{:.20}", text);
        }
    }
}
