//! Verification of Sigstore bundles against artifacts, and the identity policy around it.
//!
//! `bundles` finds and loads what is to be verified; `sigstore` (the only module that
//! touches the Sigstore crates) checks the cryptography; `claims`, `policy` and `slsa` decide
//! whether a cryptographically valid signature came from an acceptable signer. Every failure
//! is a [`Failure`]: the check that failed and why, as a value.

// The modules that need the Sigstore crates (or read bundles); the rest is portable.
#[cfg(feature = "native")]
pub mod bundles;
pub mod claims;
#[cfg(feature = "native")]
pub mod legacy_envelope;
pub mod policy;
#[cfg(feature = "native")]
pub mod rekor;
#[cfg(feature = "native")]
pub mod sigstore;
pub mod slsa;
#[cfg(feature = "native")]
pub mod strict_bundle;

use std::fmt;

use serde::Serialize;

/// The check a bundle failed. Its name is part of the output contract (JSON `check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The bundle could not be found, read or parsed, or is malformed.
    Bundle,
    /// The trusted root could not be used.
    TrustedRoot,
    /// The signing certificate does not chain to a trusted CA valid at signing time.
    Certificate,
    /// The certificate's signed certificate timestamp is missing or invalid.
    Sct,
    /// The transparency log entry, its inclusion proof, checkpoint or promise.
    TransparencyLog,
    /// An RFC 3161 timestamp, or no trusted signing time at all.
    Timestamp,
    /// The signature over the artifact or the DSSE envelope.
    Signature,
    /// The bundle describes another artifact (message digest or statement subject).
    ArtifactDigest,
    /// The certificate's SAN identity.
    Identity,
    /// The certificate's OIDC issuer.
    Issuer,
    /// A GitHub claim from the certificate's Fulcio extensions.
    CertificateClaims,
    /// The attestation's predicate type.
    PredicateType,
    /// The SLSA provenance disagrees with the certificate or the policy.
    Slsa,
    /// The artifact could not be read.
    Artifact,
}

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Check::Bundle => "bundle",
            Check::TrustedRoot => "trusted-root",
            Check::Certificate => "certificate",
            Check::Sct => "sct",
            Check::TransparencyLog => "transparency-log",
            Check::Timestamp => "timestamp",
            Check::Signature => "signature",
            Check::ArtifactDigest => "artifact-digest",
            Check::Identity => "identity",
            Check::Issuer => "issuer",
            Check::CertificateClaims => "certificate-claims",
            Check::PredicateType => "predicate-type",
            Check::Slsa => "slsa",
            Check::Artifact => "artifact",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a bundle did not verify: the check and a one-line reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub check: Check,
    pub reason: String,
}

impl Failure {
    pub fn new(check: Check, reason: impl Into<String>) -> Self {
        Self {
            check,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} check failed: {}", self.check, self.reason)
    }
}

/// Errors that stop a verify run before any bundle is checked.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The user named a file we cannot read.
    #[error("couldn't read {what} {path:?}")]
    Read {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid trusted root {path:?}: {reason}")]
    TrustedRoot { path: String, reason: String },
    #[error("invalid public key {path:?}: {reason}")]
    Key { path: String, reason: String },
    #[error("invalid policy file {path:?}: {reason}")]
    PolicyFile { path: String, reason: String },
    #[error("invalid bundle-path pattern: {0}")]
    BundlePattern(String),
    #[error("artifact {0} is a digest: give bundle-path to say which bundles to check")]
    DigestNeedsBundle(String),
}
