//! Keyless Sigstore signing: an identity token, one ephemeral key and one Fulcio certificate
//! for the whole step, then a signature, a Rekor entry and an optional RFC 3161 timestamp per
//! file or statement.
//!
//! `token` gets the OIDC token; `sigstore` (the only module that touches the `sigstore-sign`
//! crates) talks to the services. The `sign` command and `attest --sign` drive them from
//! `commands::sign`.

// The adapter talks to the network through sigstore-sign; the rest is portable.
#[cfg(feature = "native")]
pub mod sigstore;
pub mod token;

use std::path::PathBuf;

pub use token::Secret;

/// A statement to sign as a DSSE attestation.
#[derive(Debug, Clone)]
pub struct StatementToSign {
    /// Base of the file names: `<base>.sigstore.json`, `<base>.intoto.jsonl`.
    pub base: String,
    pub bytes: Vec<u8>,
    /// A subject of the statement, to verify the signed bundle against.
    pub subject: crate::subject::Subject,
    /// Written as a PEP 740 Attestation object named `base` instead of a bundle.
    pub pep740: bool,
}

/// The secrets known at startup (an explicit token, the runtime's request token), which a
/// signing step masks before anything else.
pub fn early_secrets(settings: &SignSettings, env: &dyn Fn(&str) -> Option<String>) -> Vec<Secret> {
    let mut secrets: Vec<Secret> = settings.identity_token.iter().cloned().collect();
    if let Some(r) = token::ActionsTokenRequest::from_env(env) {
        secrets.push(r.bearer);
    }
    secrets
}

/// What to produce. `bundle` and `sig-crt` are per subject file; `attestations` signs the
/// provenance statement (attest only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Produce {
    pub bundle: bool,
    pub sig_crt: bool,
    pub attestations: bool,
}

impl Produce {
    pub const ALL: Produce = Produce {
        bundle: true,
        sig_crt: true,
        attestations: true,
    };

    /// `true` (everything), `false` (nothing: `None`), or a list of `bundle`, `sig-crt`,
    /// `attestations` separated by commas or newlines.
    pub fn parse(value: &str) -> Result<Option<Produce>, String> {
        match value.trim() {
            "true" | "True" | "TRUE" => return Ok(Some(Produce::ALL)),
            "false" | "False" | "FALSE" | "" => return Ok(None),
            _ => {}
        }
        let mut p = Produce::default();
        for item in value
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match item {
                "bundle" | "bundles" => p.bundle = true,
                "sig-crt" => p.sig_crt = true,
                "attestations" | "attestation" => p.attestations = true,
                other => {
                    return Err(format!(
                        "{other:?} is not something to sign; use true, false, or a list of bundle, sig-crt, attestations"
                    ));
                }
            }
        }
        Ok(Some(p))
    }
}

/// Which Sigstore deployment signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Instance {
    /// Sigstore's public-good instance (fulcio.sigstore.dev, rekor.sigstore.dev).
    #[default]
    PublicGood,
    /// Sigstore's staging instance, for testing.
    Staging,
    /// GitHub's own instance (private repositories): no transparency log, RFC 3161 only.
    Github,
    /// Services named by `signing-config` or the `*-url` settings; needs `trusted-root`.
    Custom,
}

impl Instance {
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim() {
            "public-good" | "" => Ok(Instance::PublicGood),
            "staging" => Ok(Instance::Staging),
            "github" => Ok(Instance::Github),
            "custom" => Ok(Instance::Custom),
            other => Err(format!(
                "{other:?} is not a Sigstore instance; use public-good, staging, github or custom"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Instance::PublicGood => "public-good",
            Instance::Staging => "staging",
            Instance::Github => "github",
            Instance::Custom => "custom",
        }
    }
}

/// Everything signing needs, from either front door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignSettings {
    pub produce: Produce,
    /// Given explicitly; otherwise the Actions runtime is asked.
    pub identity_token: Option<Secret>,
    pub instance: Instance,
    pub fulcio_url: Option<String>,
    pub rekor_url: Option<String>,
    pub tsa_url: Option<String>,
    pub signing_config: Option<PathBuf>,
    pub trusted_root: Option<PathBuf>,
    /// One attestation per subject instead of one for all (PEP 740 wants one subject each).
    pub single_subject_attestations: bool,
}

/// Why signing failed. Every variant names the service or the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The job cannot get a token: a user (workflow) error.
    #[error(
        "no identity token for signing: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set and no identity-token was given"
    )]
    NoToken,
    #[error("{0}")]
    Token(String),
    /// The signing settings cannot work together (checked before any request).
    #[error("invalid signing configuration: {0}")]
    Config(String),
    #[error("couldn't read {what} {path:?}")]
    Read {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A service failed after the retries; nothing was written.
    #[error("{service} failed: {reason}")]
    Service {
        service: &'static str,
        reason: String,
    },
    /// What was just signed does not verify: nothing was written.
    #[error("self-check failed for {what}: {reason}")]
    SelfCheck { what: String, reason: String },
    #[error(
        "two subjects would write the same signature file {0:?}; give them distinct file names"
    )]
    NameClash(String),
    #[error("couldn't start the signing runtime: {0}")]
    Runtime(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn produce_values() {
        assert_eq!(Produce::parse("true"), Ok(Some(Produce::ALL)));
        assert_eq!(Produce::parse("false"), Ok(None));
        assert_eq!(
            Produce::parse("bundle, sig-crt"),
            Ok(Some(Produce {
                bundle: true,
                sig_crt: true,
                attestations: false
            }))
        );
        assert_eq!(
            Produce::parse("attestations\n"),
            Ok(Some(Produce {
                attestations: true,
                ..Produce::default()
            }))
        );
        for bad in ["yes", "bundle,keys", "1"] {
            assert!(Produce::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instances() {
        for (s, i) in [
            ("", Instance::PublicGood),
            ("public-good", Instance::PublicGood),
            ("staging", Instance::Staging),
            ("github", Instance::Github),
            ("custom", Instance::Custom),
        ] {
            assert_eq!(Instance::parse(s), Ok(i));
        }
        assert!(Instance::parse("https://fulcio.example").is_err());
    }
}
