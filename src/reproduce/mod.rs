//! Reproducible builds: compare rebuilt artifacts with a reference (or two rebuilds with
//! each other) and explain every difference.
//!
//! `reference` reads what was published, `rebuild` runs the build in clean copies,
//! `archive` lists zip and tar(.gz) members, `compare` explains a pair of files, and the
//! types here are the report the renderers show.

pub mod archive;
// Bundles are read with the verify module's parser (native); the portable build says so.
#[cfg(feature = "native")]
mod bundled;
#[cfg(not(feature = "native"))]
#[path = "bundled_portable.rs"]
mod bundled;
pub mod compare;
pub mod rebuild;
pub mod reference;

use serde::Serialize;

/// How a pair of files relates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Identical,
    Differs,
    /// In the reference, not rebuilt.
    Missing,
    /// Rebuilt, not in the reference.
    Extra,
}

/// What kind of difference a mismatch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Only timestamps, order, modes, ownership, compression or archive headers differ.
    MetadataOnly,
    /// What the files hold differs.
    Content,
    /// The reference file is not at hand, or no cause was found.
    Unknown,
}

impl Class {
    pub fn describe(self) -> &'static str {
        match self {
            Class::MetadataOnly => "metadata only",
            Class::Content => "content",
            Class::Unknown => "unknown",
        }
    }
}

/// One kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Added,
    Removed,
    Content,
    Timestamps,
    Permissions,
    Ownership,
    Order,
    Compression,
    ArchiveHeader,
    Size,
    Bytes,
    Unreadable,
}

impl Kind {
    /// True for kinds that change no member's content.
    pub fn is_metadata(self) -> bool {
        matches!(
            self,
            Kind::Timestamps
                | Kind::Permissions
                | Kind::Ownership
                | Kind::Order
                | Kind::Compression
                | Kind::ArchiveHeader
        )
    }
}

/// One difference found between the expected and the rebuilt file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub kind: Kind,
    /// The archive member, when the difference is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// One line: what differs, expected → rebuilt.
    pub detail: String,
    /// A short unified diff, for text members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// One artifact compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// The file name both sides are matched by.
    pub artifact: String,
    /// `sha256:<hex>` of the reference (or first rebuild).
    pub expected: Option<String>,
    /// `sha256:<hex>` of the rebuilt file.
    pub rebuilt: Option<String>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
    pub differences: Vec<Difference>,
}

impl Comparison {
    pub fn identical(&self) -> bool {
        self.status == Status::Identical
    }
}

/// A set of comparisons: rebuilt against the reference, or first rebuild against second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What was compared, e.g. "rebuilt vs reference SHA256SUMS (checksums)".
    pub title: String,
    pub comparisons: Vec<Comparison>,
}

impl Check {
    pub fn reproducible(&self) -> bool {
        !self.comparisons.is_empty() && self.comparisons.iter().all(Comparison::identical)
    }
}

/// How one rebuild ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RebuildRun {
    pub label: String,
    /// The variations applied: `TZ=UTC`, `umask 0022`, the build path, ...
    pub environment: Vec<String>,
    pub seconds: f64,
    pub artifacts: usize,
}

/// Errors that stop a reproduce run; mismatches are results, not errors.
#[derive(Debug, thiserror::Error)]
pub enum ReproduceError {
    /// The portable (WASM) build was asked to rebuild.
    #[error(
        "rebuild-command needs the native attest-kit binary: the WASM build cannot start processes; compare against a reference instead, or use engine: native"
    )]
    RebuildNeedsNative,
    #[error("couldn't read reference {path:?}")]
    ReadReference {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("reference {path:?}: {reason}")]
    BadReference { path: String, reason: String },
    #[error("couldn't copy the source tree {path:?}: {reason}")]
    Copy { path: String, reason: String },
    #[error("rebuild {run} failed ({status}); last lines of its log: {tail}")]
    RebuildFailed {
        run: String,
        status: String,
        tail: String,
    },
    #[error(
        "rebuild {run} timed out after {seconds}s and was stopped; last lines of its log: {tail}"
    )]
    RebuildTimeout {
        run: String,
        seconds: u64,
        tail: String,
    },
    #[error("couldn't start the rebuild command: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("rebuild {run} produced no file matching {patterns:?}")]
    NoArtifacts { run: String, patterns: String },
    #[error("two artifacts are named {0:?}; matching is by file name, so names must be unique")]
    DuplicateName(String),
}

/// The result of `reproduce`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReproduceReport {
    /// The last commit's time in the source tree: what builds should export.
    pub source_date_epoch: Option<i64>,
    /// Only the epoch was asked for (`print-source-date-epoch`).
    #[serde(skip)]
    pub epoch_only: bool,
    /// The reference and its form, when one was given.
    pub reference: Option<String>,
    pub reference_form: Option<&'static str>,
    pub rebuilds: Vec<RebuildRun>,
    pub checks: Vec<Check>,
    /// The JSON report written to output-dir.
    #[serde(skip)]
    pub report_path: Option<std::path::PathBuf>,
    pub warnings: Vec<String>,
}

impl ReproduceReport {
    /// True when something was compared and everything was identical.
    pub fn reproducible(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(Check::reproducible)
    }

    /// (differing, total) comparisons over all checks.
    pub fn counts(&self) -> (usize, usize) {
        let all = self.checks.iter().flat_map(|c| &c.comparisons);
        let total = all.clone().count();
        (all.filter(|c| !c.identical()).count(), total)
    }
}
