//! The one place that uses `sigstore-sign` and its service crates (Fulcio, Rekor, TSA).
//!
//! A [`Session`] holds one ephemeral P-256 key and the one Fulcio certificate issued for it:
//! signing N subjects costs one certificate, then per item one signature, one Rekor entry
//! (v1 `hashedrekord` for blobs, v1 `dsse` for statements, or Rekor v2 where the signing
//! config says so) and, with a TSA, one RFC 3161 timestamp. Every call has a timeout and is
//! retried with exponential backoff on network errors, 5xx and 429, a bounded number of times.

use std::future::Future;
use std::time::Duration;

use sigstore_sign::bundle::BundleV03;
use sigstore_sign::crypto::{KeyPair, Sha256Hasher};
use sigstore_sign::fulcio::FulcioClient;
use sigstore_sign::oidc::IdentityToken;
use sigstore_sign::rekor::{
    DsseEntry, HashedRekord, HashedRekordV2, RekorClient, RekorV2Client, RekorV2KeyDetails,
};
use sigstore_sign::reqwest;
use sigstore_sign::trust_root::SigningConfig;
use sigstore_sign::tsa::TimestampClient;
use sigstore_sign::types::{
    Bundle, DerCertificate, DsseEnvelope, DsseSignature, KeyId, KindVersion, PayloadBytes,
    Sha256Hash, SignatureBytes, TimestampToken, TransparencyLogEntry,
};
use sigstore_sign::{SigningServices, SigstoreInstance};

use super::{Instance, Secret, SignError, SignSettings};

pub const GITHUB_FULCIO: &str = "https://fulcio.githubapp.com";
pub const GITHUB_TSA: &str = "https://timestamp.githubapp.com/api/v1/timestamp";
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The services a session talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Services {
    pub fulcio: String,
    /// The transparency log and its API version; `None` for GitHub's instance.
    pub rekor: Option<(String, u32)>,
    pub tsa: Option<String>,
}

fn config_err(e: impl std::fmt::Display) -> SignError {
    SignError::Config(e.to_string())
}

/// Picks the services: the signing config file, else the instance's; then the `*-url`
/// overrides.
pub fn resolve(settings: &SignSettings) -> Result<Services, SignError> {
    let from = |s: SigningServices| Services {
        fulcio: s.fulcio_url().to_owned(),
        rekor: Some((s.rekor_url().to_owned(), s.rekor_api_version().major())),
        tsa: s.tsa_url().map(str::to_owned),
    };
    let mut services = if let Some(path) = &settings.signing_config {
        let text = crate::input_file::read_text(path, crate::input_file::SIGNING_CONFIG).map_err(
            |source| SignError::Read {
                what: "signing config",
                path: path.display().to_string(),
                source,
            },
        )?;
        let config = SigningConfig::from_json(&text)
            .map_err(|e| config_err(format!("signing-config {}: {e}", path.display())))?;
        from(SigningServices::from_signing_config(&config).map_err(config_err)?)
    } else {
        match settings.instance {
            Instance::PublicGood => from(
                SigningServices::from_embedded(SigstoreInstance::PublicGood).map_err(config_err)?,
            ),
            Instance::Staging => from(
                SigningServices::from_embedded(SigstoreInstance::Staging).map_err(config_err)?,
            ),
            Instance::Github => Services {
                fulcio: GITHUB_FULCIO.to_owned(),
                rekor: None,
                tsa: Some(GITHUB_TSA.to_owned()),
            },
            Instance::Custom => Services {
                fulcio: settings.fulcio_url.clone().ok_or_else(|| {
                    config_err("sigstore-instance custom needs signing-config or fulcio-url")
                })?,
                rekor: None,
                tsa: None,
            },
        }
    };
    if let Some(u) = &settings.fulcio_url {
        services.fulcio = u.clone();
    }
    if let Some(u) = &settings.rekor_url {
        services.rekor = Some((u.clone(), 1));
    }
    if let Some(u) = &settings.tsa_url {
        services.tsa = Some(u.clone());
    }
    for url in std::iter::once(&services.fulcio)
        .chain(services.rekor.as_ref().map(|(u, _)| u))
        .chain(services.tsa.as_ref())
    {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(config_err(format!("{url:?} is not an http(s) URL")));
        }
    }
    match &services.rekor {
        None if services.tsa.is_none() => Err(config_err(
            "neither a transparency log (rekor-url) nor a timestamp authority (tsa-url): nothing would prove when the signature was made",
        )),
        Some((_, 2)) if services.tsa.is_none() => Err(config_err(
            "Rekor v2 needs an RFC 3161 timestamp authority (tsa-url)",
        )),
        Some((_, v)) if *v != 1 && *v != 2 => {
            Err(config_err(format!("unsupported Rekor API version {v}")))
        }
        _ => Ok(services),
    }
}

/// How long a call may take and how often it is retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub timeout: Duration,
    pub attempts: u32,
    pub first_backoff: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            attempts: 4,
            first_backoff: Duration::from_millis(500),
        }
    }
}

impl Retry {
    /// The defaults, with `ATTEST_KIT_SIGSTORE_TIMEOUT` (seconds) and
    /// `ATTEST_KIT_SIGSTORE_BACKOFF_MS` overrides for slow networks and tests.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let mut r = Self::default();
        if let Some(s) = env("ATTEST_KIT_SIGSTORE_TIMEOUT").and_then(|v| v.trim().parse().ok()) {
            r.timeout = Duration::from_secs_f64(f64::max(s, 0.1));
        }
        if let Some(ms) = env("ATTEST_KIT_SIGSTORE_BACKOFF_MS").and_then(|v| v.trim().parse().ok())
        {
            r.first_backoff = Duration::from_millis(ms);
        }
        r
    }
}

pub fn http_client(retry: &Retry) -> Result<reqwest::Client, SignError> {
    // The per-call timeout in `with_retries` fires first and says so; this one is a backstop.
    reqwest::Client::builder()
        .timeout(retry.timeout + Duration::from_secs(1))
        .connect_timeout(retry.timeout)
        .user_agent(concat!("attest-kit/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SignError::Runtime(http_reason(&e)))
}

/// A reqwest error in one line, without the URL's query (it may hold a token).
pub fn http_reason(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "couldn't connect"
    } else if e.is_decode() {
        "couldn't decode the response"
    } else {
        "request failed"
    };
    let mut s = kind.to_owned();
    if let Some(url) = e.url() {
        s.push_str(&format!(
            " ({}://{}{})",
            url.scheme(),
            url.host_str().unwrap_or(""),
            url.port().map(|p| format!(":{p}")).unwrap_or_default()
        ));
    }
    s
}

/// Whether an error from a service is worth another try.
fn transient(message: &str, status: Option<u16>) -> bool {
    match status {
        Some(s) => s >= 500 || s == 429,
        None => {
            // The TSA crate reports statuses in text; anything else without a status is a
            // network failure.
            let m = message.to_ascii_lowercase();
            !m.contains("status 4") || m.contains("status 429")
        }
    }
}

async fn with_retries<T, E, F, Fut>(
    retry: &Retry,
    service: &'static str,
    classify: impl Fn(&E) -> (String, Option<u16>),
    mut call: F,
) -> Result<T, SignError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut backoff = retry.first_backoff;
    let mut attempt = 1;
    loop {
        let outcome = match tokio::time::timeout(retry.timeout, call()).await {
            Ok(r) => r.map_err(|e| classify(&e)),
            Err(_) => Err((format!("timed out after {:?}", retry.timeout), None)),
        };
        match outcome {
            Ok(v) => return Ok(v),
            Err((reason, status)) => {
                if attempt >= retry.attempts || !transient(&reason, status) {
                    let tries = if attempt > 1 {
                        format!(" (after {attempt} attempts)")
                    } else {
                        String::new()
                    };
                    return Err(SignError::Service {
                        service,
                        reason: format!("{reason}{tries}"),
                    });
                }
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
                attempt += 1;
            }
        }
    }
}

fn fulcio_error(e: &sigstore_sign::fulcio::Error) -> (String, Option<u16>) {
    match e {
        sigstore_sign::fulcio::Error::Status { status, message } => (
            format!("HTTP {status}: {}", first_line(message)),
            Some(*status),
        ),
        other => (first_line(&other.to_string()), None),
    }
}

fn rekor_error(e: &sigstore_sign::rekor::Error) -> (String, Option<u16>) {
    match e {
        sigstore_sign::rekor::Error::Status { status, message } => (
            format!("HTTP {status}: {}", first_line(message)),
            Some(*status),
        ),
        other => (first_line(&other.to_string()), None),
    }
}

fn tsa_error(e: &sigstore_sign::tsa::Error) -> (String, Option<u16>) {
    (first_line(&e.to_string()), None)
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    line.chars().take(300).collect()
}

/// One signed blob: the bundle and its pieces for the `.sig`/`.crt` layout.
#[derive(Debug, Clone)]
pub struct SignedBlob {
    pub bundle: Bundle,
    pub signature: SignatureBytes,
    pub log_index: Option<u64>,
}

/// One signed statement.
#[derive(Debug, Clone)]
pub struct SignedStatement {
    pub bundle: Bundle,
    pub envelope: DsseEnvelope,
    pub log_index: Option<u64>,
}

/// One key, one certificate, many signatures.
pub struct Session {
    services: Services,
    http: reqwest::Client,
    retry: Retry,
    key: KeyPair,
    certificate: DerCertificate,
}

impl Session {
    /// Generates the key and asks Fulcio for its certificate.
    pub async fn start(
        services: Services,
        token: &Secret,
        http: reqwest::Client,
        retry: Retry,
    ) -> Result<Self, SignError> {
        let token = IdentityToken::from_jwt(token.expose())
            .map_err(|e| SignError::Token(format!("the identity token is not usable: {e}")))?;
        let key = KeyPair::generate_ecdsa_p256().map_err(|e| SignError::Runtime(e.to_string()))?;
        let fulcio = FulcioClient::builder(&services.fulcio)
            .with_http_client(http.clone())
            .build()
            .map_err(config_err)?;
        let response = with_retries(&retry, "Fulcio", fulcio_error, || {
            fulcio.create_signing_certificate(&token, &key)
        })
        .await?;
        let certificate = response.leaf_certificate().clone();
        Ok(Self {
            services,
            http,
            retry,
            key,
            certificate,
        })
    }

    pub fn certificate(&self) -> &DerCertificate {
        &self.certificate
    }

    /// The leaf certificate as PEM (64-column lines, LF), the seed's `.crt`.
    pub fn certificate_pem(&self) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.certificate.as_bytes());
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(chunk));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }

    /// Signs an artifact by its SHA-256 digest (a message-signature bundle).
    pub async fn sign_digest(&self, digest: Sha256Hash) -> Result<SignedBlob, SignError> {
        let signature = self
            .key
            .sign_digest(&digest)
            .map_err(|e| SignError::Runtime(e.to_string()))?;
        let entry = match &self.services.rekor {
            Some((url, 1)) => {
                let rekor = self.rekor_v1(url)?;
                let body = HashedRekord::new(&digest, &signature, &self.certificate);
                let entry = with_retries(&self.retry, "Rekor", rekor_error, || {
                    rekor.create_entry(body.clone())
                })
                .await?;
                Some(to_bundle_entry(&entry, KindVersion::HashedRekordV001)?)
            }
            Some((url, _)) => Some(self.rekor_v2(url, &digest, &signature).await?),
            None => None,
        };
        let timestamp = self.timestamp(&signature).await?;
        let mut bundle = BundleV03::with_certificate_and_signature(
            self.certificate.clone(),
            signature.clone(),
            digest,
        );
        let log_index = entry.as_ref().map(|e| u64::from(e.log_index));
        if let Some(e) = entry {
            bundle = bundle.with_tlog_entry(e);
        }
        if let Some(ts) = timestamp {
            bundle = bundle.with_rfc3161_timestamp(ts);
        }
        Ok(SignedBlob {
            bundle: bundle.into_bundle(),
            signature,
            log_index,
        })
    }

    /// Signs an in-toto statement as a DSSE envelope.
    pub async fn sign_statement(&self, statement: &[u8]) -> Result<SignedStatement, SignError> {
        let mut hasher = Sha256Hasher::new();
        hasher.update(&sigstore_sign::types::pae(PAYLOAD_TYPE, statement));
        let (pae_hash, signature) = self
            .key
            .sign_prehashed(hasher)
            .map_err(|e| SignError::Runtime(e.to_string()))?;
        let envelope = DsseEnvelope::new(
            PAYLOAD_TYPE.to_owned(),
            PayloadBytes::new(statement.to_vec()),
            DsseSignature::new(signature.clone(), KeyId::default()),
        );
        let entry = match &self.services.rekor {
            Some((url, 1)) => {
                let rekor = self.rekor_v1(url)?;
                let body = DsseEntry::new(&envelope, &self.certificate)
                    .map_err(|e| SignError::Runtime(e.to_string()))?;
                let entry = with_retries(&self.retry, "Rekor", rekor_error, || {
                    rekor.create_dsse_entry(body.clone())
                })
                .await?;
                Some(to_bundle_entry(&entry, KindVersion::DsseV001)?)
            }
            Some((url, _)) => Some(self.rekor_v2(url, &pae_hash, &signature).await?),
            None => None,
        };
        let timestamp = self.timestamp(&signature).await?;
        let mut bundle =
            BundleV03::with_certificate_and_dsse(self.certificate.clone(), envelope.clone());
        let log_index = entry.as_ref().map(|e| u64::from(e.log_index));
        if let Some(e) = entry {
            bundle = bundle.with_tlog_entry(e);
        }
        if let Some(ts) = timestamp {
            bundle = bundle.with_rfc3161_timestamp(ts);
        }
        Ok(SignedStatement {
            bundle: bundle.into_bundle(),
            envelope,
            log_index,
        })
    }

    fn rekor_v1(&self, url: &str) -> Result<RekorClient, SignError> {
        RekorClient::builder(url)
            .with_http_client(self.http.clone())
            .build()
            .map_err(config_err)
    }

    async fn rekor_v2(
        &self,
        url: &str,
        hash: &Sha256Hash,
        signature: &SignatureBytes,
    ) -> Result<TransparencyLogEntry, SignError> {
        let rekor = RekorV2Client::builder(url)
            .with_http_client(self.http.clone())
            .build()
            .map_err(config_err)?;
        with_retries(&self.retry, "Rekor v2", rekor_error, || {
            rekor.create_entry(HashedRekordV2::new_with_certificate(
                hash,
                signature,
                &self.certificate,
                RekorV2KeyDetails::PkixEcdsaP256Sha256,
            ))
        })
        .await
    }

    async fn timestamp(
        &self,
        signature: &SignatureBytes,
    ) -> Result<Option<TimestampToken>, SignError> {
        let Some(url) = &self.services.tsa else {
            return Ok(None);
        };
        let tsa = TimestampClient::builder(url)
            .with_http_client(self.http.clone())
            .build()
            .map_err(config_err)?;
        with_retries(&self.retry, "the timestamp authority", tsa_error, || {
            tsa.timestamp_signature(signature)
        })
        .await
        .map(Some)
    }
}

fn to_bundle_entry(
    entry: &sigstore_sign::rekor::LogEntry,
    kind: KindVersion,
) -> Result<TransparencyLogEntry, SignError> {
    entry.to_bundle_entry(kind).map_err(|e| SignError::Service {
        service: "Rekor",
        reason: format!("invalid log entry in the response: {e}"),
    })
}

#[derive(serde::Deserialize)]
struct ActionsTokenResponse {
    value: String,
}

/// Asks the Actions runtime for a token with audience `sigstore`.
pub async fn fetch_actions_token(
    http: &reqwest::Client,
    request: &super::token::ActionsTokenRequest,
) -> Result<Secret, SignError> {
    let service = |reason: String| SignError::Service {
        service: "the Actions OIDC token endpoint",
        reason,
    };
    let response = http
        .get(request.url_for_sigstore())
        .header(
            "Authorization",
            format!("bearer {}", request.bearer.expose()),
        )
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| service(http_reason(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(service(format!("HTTP {}", status.as_u16())));
    }
    let body: ActionsTokenResponse = response
        .json()
        .await
        .map_err(|e| service(format!("unexpected response: {}", http_reason(&e))))?;
    if body.value.trim().is_empty() {
        return Err(service("the response holds no token".to_owned()));
    }
    Ok(Secret::new(body.value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SignSettings {
        SignSettings {
            produce: super::super::Produce::ALL,
            identity_token: None,
            instance: Instance::PublicGood,
            fulcio_url: None,
            rekor_url: None,
            tsa_url: None,
            signing_config: None,
            trusted_root: None,
            single_subject_attestations: false,
        }
    }

    #[test]
    fn instances_and_overrides() -> Result<(), SignError> {
        let pg = resolve(&settings())?;
        assert_eq!(pg.fulcio, "https://fulcio.sigstore.dev");
        assert!(pg.tsa.is_some() && pg.rekor.is_some());
        let gh = resolve(&SignSettings {
            instance: Instance::Github,
            ..settings()
        })?;
        assert_eq!(gh.rekor, None);
        assert_eq!(gh.tsa.as_deref(), Some(GITHUB_TSA));
        let custom = resolve(&SignSettings {
            instance: Instance::Custom,
            fulcio_url: Some("http://127.0.0.1:1".into()),
            rekor_url: Some("http://127.0.0.1:2".into()),
            ..settings()
        })?;
        assert_eq!(custom.rekor, Some(("http://127.0.0.1:2".into(), 1)));
        assert_eq!(custom.tsa, None);
        for bad in [
            SignSettings {
                instance: Instance::Custom,
                ..settings()
            },
            SignSettings {
                instance: Instance::Custom,
                fulcio_url: Some("http://127.0.0.1:1".into()),
                ..settings()
            },
            SignSettings {
                fulcio_url: Some("file:///etc/passwd".into()),
                ..settings()
            },
        ] {
            assert!(
                matches!(resolve(&bad), Err(SignError::Config(_))),
                "{bad:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn transient_errors() {
        assert!(transient("x", Some(500)));
        assert!(transient("x", Some(429)));
        assert!(!transient("x", Some(400)));
        assert!(transient("HTTP error: connection refused", None));
        assert!(!transient("TSA returned status 400 Bad Request", None));
        assert!(transient("TSA returned status 429 Too Many Requests", None));
    }
}
