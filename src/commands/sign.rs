//! `sign`, and the signing half of `attest --sign`: subjects → bundles, `.sig`/`.crt` pairs
//! and DSSE attestations, each verified before anything is written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use futures_util::StreamExt as _;
use sigstore_sign::types::Sha256Hash;

use crate::action::Console;
use crate::config::SignConfig;
use crate::error::Error;
use crate::report::{AttestReport, FileKind, SignReport, SignedItem, SignedKind, WrittenFile};
use crate::sign::sigstore::{self as adapter, Retry, Session};
use crate::sign::token::{self, ActionsTokenRequest};
use crate::sign::{Instance, Secret, SignError, SignSettings, StatementToSign};
use crate::subject::{Algorithm, Digest, Subject};
use crate::verify::sigstore::{ArtifactData, ParsedBundle, RootChoice, Trust};
use crate::write::{PendingFile, write_all};

/// How many signatures are in flight at once.
const CONCURRENCY: usize = 16;

/// Masks the secrets known at startup: the first thing a signing step does.
pub fn mask_early(
    settings: &SignSettings,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) {
    for secret in crate::sign::early_secrets(settings, env) {
        console.add_mask(secret.expose());
    }
}

/// `sign`: every subject gets a bundle and/or a `.sig`/`.crt` pair.
pub fn run(
    config: &SignConfig,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<AttestReport, Error> {
    mask_early(&config.settings, env, console);
    if config.settings.produce.attestations {
        return Err(SignError::Config(
            "sign produces bundle and sig-crt; attestations are signed by attest with sign: attestations".to_owned(),
        )
        .into());
    }
    let attest_like = config.as_attest();
    let subjects = console.group("Hashing subjects", || {
        super::attest::collect_subjects(&attest_like, console)
    })?;
    let (signing, pending, files) = sign(
        &config.settings,
        &subjects,
        &[],
        &config.output_dir,
        env,
        console,
    )?;
    write_all(&pending)?;
    Ok(AttestReport {
        command: "sign",
        subjects,
        predicate_type: "",
        files,
        warnings: Vec::new(),
        signing: Some(signing),
        sbom: None,
    })
}

/// The trusted root the self-check verifies against.
fn root_choice(settings: &SignSettings) -> Result<RootChoice, SignError> {
    if let Some(path) = &settings.trusted_root {
        return crate::input_file::read_text(path, crate::input_file::TRUSTED_ROOT)
            .map(RootChoice::Custom)
            .map_err(|source| SignError::Read {
                what: "trusted root",
                path: path.display().to_string(),
                source,
            });
    }
    match settings.instance {
        Instance::PublicGood | Instance::Github => Ok(RootChoice::Embedded),
        Instance::Staging => Ok(RootChoice::Staging),
        Instance::Custom => Err(SignError::Config(
            "sigstore-instance custom needs trusted-root, to verify what was signed".to_owned(),
        )),
    }
}

/// The token: the input, else the Actions runtime's, masked as soon as it arrives (the
/// others were masked by `mask_early`).
async fn identity_token(
    settings: &SignSettings,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
    http: &sigstore_sign::reqwest::Client,
) -> Result<Secret, SignError> {
    if let Some(t) = &settings.identity_token {
        return Ok(t.clone());
    }
    let request = ActionsTokenRequest::from_env(env).ok_or(SignError::NoToken)?;
    let t = adapter::fetch_actions_token(http, &request).await?;
    console.add_mask(t.expose());
    Ok(t)
}

fn sha256_of(subject: &Subject) -> Result<Sha256Hash, SignError> {
    let hex = subject.sha256().ok_or_else(|| {
        SignError::Config(format!(
            "subject {:?} has no SHA-256 digest; Sigstore signs SHA-256",
            subject.name
        ))
    })?;
    Sha256Hash::from_hex(hex).map_err(|e| SignError::Config(format!("{}: {e}", subject.name)))
}

/// The file name signatures of `subject` are written under (never a path: a subject name
/// cannot place files outside `output-dir`).
fn file_base(subject: &Subject) -> Result<String, SignError> {
    let name = subject.name.rsplit(['/', '\\']).next().unwrap_or("");
    if name.is_empty() || name == "." || name == ".." {
        return Err(SignError::Config(format!(
            "subject name {:?} has no file name to write its signature under",
            subject.name
        )));
    }
    Ok(name.to_owned())
}

/// Signs `subjects` (per `settings.produce`) and `statements`, verifies every bundle, and
/// returns the files to write (not yet written) with the report.
pub fn sign(
    settings: &SignSettings,
    subjects: &[Subject],
    statements: &[StatementToSign],
    output_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    console: &Console,
) -> Result<(SignReport, Vec<PendingFile>, Vec<WrittenFile>), Error> {
    // Everything that can be checked offline is checked before the first request.
    let services = adapter::resolve(settings)?;
    let trust = Trust::new(&root_choice(settings)?).map_err(|reason| {
        SignError::Config(format!("the trusted root cannot be used: {reason}"))
    })?;
    if statements.iter().any(|s| s.pep740) && !matches!(services.rekor, Some((_, 1))) {
        return Err(SignError::Config(
            "PyPI (PEP 740) attestations carry one Rekor v1 entry and no timestamp; sign with a Rekor v1 log (not sigstore-instance github, not a Rekor v2 signing config)".to_owned(),
        )
        .into());
    }
    let produce = settings.produce;
    let blobs: Vec<(&Subject, Sha256Hash, String)> = if produce.bundle || produce.sig_crt {
        let mut seen = BTreeSet::new();
        subjects
            .iter()
            .map(|s| {
                let base = file_base(s)?;
                if !seen.insert(base.clone()) {
                    return Err(SignError::NameClash(base));
                }
                Ok((s, sha256_of(s)?, base))
            })
            .collect::<Result<_, SignError>>()?
    } else {
        Vec::new()
    };
    let retry = Retry::from_env(env);
    let http = adapter::http_client(&retry)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SignError::Runtime(e.to_string()))?;

    let (session, signed_blobs, signed_statements, claims) = runtime.block_on(async {
        let token = identity_token(settings, env, console, &http).await?;
        let claims = token::claims(&token)?;
        console.debug(&format!("signing with Fulcio at {}", services.fulcio));
        let session = Session::start(services.clone(), &token, http.clone(), retry).await?;
        let session_ref = &session;
        let signed_blobs: Vec<_> = futures_util::stream::iter(blobs.iter())
            .map(|(_, digest, _)| session_ref.sign_digest(*digest))
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let signed_blobs = signed_blobs.into_iter().collect::<Result<Vec<_>, _>>()?;
        let signed_statements: Vec<_> = futures_util::stream::iter(statements.iter())
            .map(|st| session_ref.sign_statement(&st.bytes))
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let signed_statements = signed_statements
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        Ok::<_, SignError>((session, signed_blobs, signed_statements, claims))
    })?;

    // Self-check: every bundle must verify, for the identity the token stands for.
    let mut identity = None;
    let mut check = |what: &str, json: &str, digest: &Digest| -> Result<(), SignError> {
        let fail = |reason: String| SignError::SelfCheck {
            what: what.to_owned(),
            reason,
        };
        let parsed = ParsedBundle::from_json(json).map_err(|f| fail(f.to_string()))?;
        let v = trust
            .verify(&parsed, ArtifactData::Digest(digest), None)
            .map_err(|f| fail(f.to_string()))?;
        let got = v.identity.unwrap_or_default();
        if let Some(expected) = claims.expected_identity()
            && got != expected
        {
            return Err(fail(format!(
                "the certificate names {got:?}, the token {expected:?}"
            )));
        }
        if v.issuer.as_deref() != Some(claims.iss.as_str()) {
            return Err(fail(format!(
                "the certificate's issuer is {:?}, the token's {:?}",
                v.issuer.unwrap_or_default(),
                claims.iss
            )));
        }
        identity = Some(got);
        Ok(())
    };

    let mut pending = Vec::new();
    let mut files = Vec::new();
    let mut items = Vec::new();
    let mut add = |path: PathBuf, bytes: Vec<u8>, kind: FileKind| {
        pending.push(PendingFile {
            path: path.clone(),
            bytes,
        });
        files.push(WrittenFile {
            path: path.clone(),
            kind,
        });
        path
    };
    let cert_pem = session.certificate_pem();
    for ((subject, _, base), signed) in blobs.iter().zip(&signed_blobs) {
        let json = bundle_json(&signed.bundle)?;
        let digest = primary_sha256(subject)?;
        check(&subject.name, &json, &digest)?;
        let mut item = SignedItem {
            subject: subject.name.clone(),
            digest: digest.to_string(),
            kind: SignedKind::Blob,
            bundle: None,
            signature: None,
            certificate: None,
            log_index: signed.log_index,
        };
        if produce.bundle {
            item.bundle = Some(add(
                output_dir.join(format!("{base}.sigstore.json")),
                json.into_bytes(),
                FileKind::Bundle,
            ));
        }
        if produce.sig_crt {
            use base64::Engine as _;
            let sig = base64::engine::general_purpose::STANDARD.encode(signed.signature.as_bytes());
            item.signature = Some(add(
                output_dir.join(format!("{base}.sig")),
                sig.into_bytes(),
                FileKind::Signature,
            ));
            item.certificate = Some(add(
                output_dir.join(format!("{base}.crt")),
                cert_pem.clone().into_bytes(),
                FileKind::Certificate,
            ));
        }
        items.push(item);
    }
    for (st, signed) in statements.iter().zip(&signed_statements) {
        let json = bundle_json(&signed.bundle)?;
        let digest = primary_sha256(&st.subject)?;
        check(&format!("{} attestation", st.base), &json, &digest)?;
        if st.pep740 {
            // PEP 740 form: the same signature reshaped; the reshaped form must verify too.
            let (attestation, back) =
                crate::pypi::pep740::convert_signed(&json).map_err(|e| SignError::SelfCheck {
                    what: st.base.clone(),
                    reason: e.to_string(),
                })?;
            check(&format!("{} (as a bundle again)", st.base), &back, &digest)?;
            let path = add(
                output_dir.join(&st.base),
                attestation.into_bytes(),
                FileKind::PypiAttestation,
            );
            items.push(SignedItem {
                subject: st.base.clone(),
                digest: digest.to_string(),
                kind: SignedKind::Attestation,
                bundle: Some(path),
                signature: None,
                certificate: None,
                log_index: signed.log_index,
            });
            continue;
        }
        let line =
            serde_json::to_string(&signed.bundle).map_err(|e| SignError::Runtime(e.to_string()))?;
        let bundle = add(
            output_dir.join(format!("{}.sigstore.json", st.base)),
            json.into_bytes(),
            FileKind::AttestationBundle,
        );
        add(
            output_dir.join(format!("{}.intoto.jsonl", st.base)),
            format!("{line}\n").into_bytes(),
            FileKind::AttestationJsonl,
        );
        items.push(SignedItem {
            subject: st.base.clone(),
            digest: digest.to_string(),
            kind: SignedKind::Attestation,
            bundle: Some(bundle),
            signature: None,
            certificate: None,
            log_index: signed.log_index,
        });
    }
    // A subject named like an attestation (e.g. `provenance`) must not overwrite it.
    let mut paths = BTreeSet::new();
    for f in &pending {
        if !paths.insert(f.path.clone()) {
            return Err(SignError::NameClash(crate::report::display_path(&f.path)).into());
        }
    }
    let report = SignReport {
        identity: identity.unwrap_or_default(),
        issuer: claims.iss.clone(),
        instance: if settings.signing_config.is_some()
            || settings.fulcio_url.is_some()
            || settings.rekor_url.is_some()
        {
            "custom"
        } else {
            settings.instance.name()
        },
        items,
    };
    Ok((report, pending, files))
}

fn bundle_json(bundle: &sigstore_sign::types::Bundle) -> Result<String, SignError> {
    let mut s = bundle
        .to_json_pretty()
        .map_err(|e| SignError::Runtime(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

fn primary_sha256(subject: &Subject) -> Result<Digest, SignError> {
    subject
        .sha256()
        .and_then(|h| Digest::from_hex(Algorithm::Sha256, h))
        .ok_or_else(|| SignError::Config(format!("subject {:?} has no SHA-256", subject.name)))
}
