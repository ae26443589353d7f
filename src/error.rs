//! The top-level error, its exit code and the advice printed with it.

use std::path::PathBuf;

use crate::action::outputs::OutputError;
use crate::action::summary::SummaryError;
use crate::config::ConfigError;
use crate::github::ContextError;
use crate::reproduce::ReproduceError;
use crate::sign::SignError;
use crate::subject::SubjectError;
use crate::verify::VerifyError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Subject(#[from] SubjectError),
    #[error(transparent)]
    Context(#[from] ContextError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Summary(#[from] SummaryError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(transparent)]
    Sbom(#[from] crate::sbom::SbomError),
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A subject cannot carry a PyPI attestation (`pypi-attestations`).
    #[error(transparent)]
    Pypi(#[from] crate::pypi::DistError),
    #[error(transparent)]
    Audit(#[from] crate::commands::audit::AuditError),
    /// `audit` found vulnerable components at or above `fail-on-severity`.
    #[error(
        "audit: {failing} vulnerable component finding(s) at or above fail-on-severity {threshold}"
    )]
    Vulnerable { failing: usize, threshold: String },
    #[error("audit: ignore entries expired: {ids}")]
    IgnoreExpired { ids: String },
    /// Some artifact × bundle pair did not verify; each row says which check failed.
    #[error("verification failed: {failed} of {total} artifact × bundle checks failed")]
    VerificationFailed { failed: usize, total: usize },
    /// A GitHub API call failed (explained for 403/404).
    #[cfg(feature = "native")]
    #[error(transparent)]
    Api(#[from] crate::github::api::ApiError),
    #[error("couldn't start the async runtime: {0}")]
    Runtime(String),
    /// `verify-release` found something unverified; the report lists each.
    #[error("release verification failed: {failed} of {total} checks failed")]
    ReleaseFailed { failed: usize, total: usize },
    /// The portable (WASM) build was asked for a command it does not carry.
    #[error(
        "`{command}` needs the native attest-kit binary; this is the portable WASM build, which runs attest, provenance, sbom and reproduce's comparison"
    )]
    NeedsNative { command: &'static str },
    #[error(transparent)]
    Reproduce(#[from] ReproduceError),
    /// A rebuilt artifact differs from its reference (or the two rebuilds differ).
    #[error("not reproducible: {differ} of {total} artifacts differ")]
    NotReproducible { differ: usize, total: usize },
    #[error("couldn't write {path:?}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

const WASI_SANDBOX: &str = "the WASM build sees only the workspace, the output directory and RUNNER_TEMP; to attest files elsewhere use engine: native";

impl Error {
    /// 1 for every failure a run can meet; usage errors (2) are clap's, before a run starts.
    pub fn exit_code(&self) -> u8 {
        1
    }

    /// Longer advice, shown after the one-line reason.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            Error::Context(ContextError::Missing(_)) => Some(
                "provenance describes a GitHub Actions run; outside one, --allow-local records an honest local build instead",
            ),
            Error::NeedsNative { .. } => Some(
                "use `engine: native` (or `auto`) on a runner with a prebuilt binary, or build from source with `cargo build --release --locked`",
            ),
            // A path outside the sandbox looks missing, or refused (ENOTCAPABLE), from inside.
            Error::Subject(SubjectError::NoMatch { .. }) if cfg!(target_os = "wasi") => {
                Some(WASI_SANDBOX)
            }
            Error::Subject(SubjectError::Read { source, .. })
                if cfg!(target_os = "wasi") && source.raw_os_error() == Some(76) =>
            {
                Some(WASI_SANDBOX)
            }
            Error::Pypi(_) => Some(
                "with pypi-attestations every subject must be a wheel or an sdist named as PyPI accepts it; attest other files in another step",
            ),
            Error::Sign(SignError::NoToken) => Some(
                "give the job `permissions: id-token: write` (GitHub then sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN), or pass identity-token",
            ),
            Error::Sign(SignError::SelfCheck { .. }) => Some(
                "nothing was written: what was signed did not verify against the trusted root; check trusted-root matches the instance that signed",
            ),
            Error::Reproduce(ReproduceError::RebuildTimeout { .. }) => Some(
                "raise the timeout input, or look for a step that waits for input or the network",
            ),
            Error::Subject(SubjectError::NoMatch { .. }) => Some(
                "patterns are matched from the working directory; check the path and that the build step ran first",
            ),
            _ => None,
        }
    }

    /// Where in a user's file the problem is, for an annotation that points at it.
    pub fn location(&self) -> Option<(String, u64)> {
        match self {
            Error::Subject(SubjectError::ChecksumLine {
                file: Some(file),
                line,
                ..
            })
            | Error::Config(ConfigError::Subject(SubjectError::ChecksumLine {
                file: Some(file),
                line,
                ..
            })) if *line > 0 => Some((file.clone(), *line as u64)),
            _ => None,
        }
    }

    /// The reason and its causes on one line: "couldn't read subject "x": Permission denied".
    pub fn one_line(&self) -> String {
        let mut line = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !line.contains(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            source = cause.source();
        }
        line
    }
}
