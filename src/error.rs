//! The top-level error, its exit code and the advice printed with it.

use std::path::PathBuf;

use crate::action::outputs::OutputError;
use crate::action::summary::SummaryError;
use crate::config::ConfigError;
use crate::github::ContextError;
use crate::reproduce::ReproduceError;
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
    /// Some artifact × bundle pair did not verify; each row says which check failed.
    #[error("verification failed: {failed} of {total} artifact × bundle checks failed")]
    VerificationFailed { failed: usize, total: usize },
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
