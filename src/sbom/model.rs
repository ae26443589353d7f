//! The format-neutral SBOM: the artifact as the root package, its files, its dependencies
//! and their tree. The SPDX and CycloneDX writers render it.

use std::collections::{BTreeMap, BTreeSet};

use super::SbomError;
use super::archive::Member;
use super::build::BuildInfo;
use super::license::License;
use super::metadata::Party;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    Pypi,
    Cargo,
}

/// One component: the artifact itself or a dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Unique within the document; the edges use it.
    pub key: String,
    pub name: String,
    /// The exact version; `None` when only a range is known.
    pub version: Option<String>,
    /// The declared version range, when no exact version was resolvable.
    pub declared: Option<String>,
    pub ecosystem: Ecosystem,
    pub purl: Option<String>,
    pub supplier: Option<Party>,
    /// The index the package was distributed from, when the source records it: SPDX's
    /// supplier ("the actual distribution source") when no author is known.
    pub distributor: Option<String>,
    pub license: Option<License>,
    pub summary: Option<String>,
    pub homepage: Option<String>,
    /// Where the package is downloaded from, when a source says so.
    pub download: Option<String>,
    /// (algorithm as `SHA256`/`SHA1`/`SHA512`, lowercase hex).
    pub hashes: Vec<(String, String)>,
    /// Extra facts worth keeping (markers, source of the entry), as name → value.
    pub properties: Vec<(String, String)>,
}

impl Package {
    pub fn new(key: String, name: String, ecosystem: Ecosystem) -> Package {
        Package {
            key,
            name,
            version: None,
            declared: None,
            ecosystem,
            purl: None,
            supplier: None,
            distributor: None,
            license: None,
            summary: None,
            homepage: None,
            download: None,
            hashes: Vec::new(),
            properties: Vec::new(),
        }
    }
}

/// How the dependencies were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Every `*.dist-info` of an installed environment.
    Environment(String),
    /// A lockfile: its kind (`uv.lock`, ...) and path.
    Lockfile(&'static str, String),
    /// `pip install --dry-run --report`.
    Pip,
    /// Cargo.lock.
    Cargo(String),
    /// No source was given: declared requirements only, as ranges.
    Declared,
}

impl Resolution {
    /// For people: "installed environment .venv", "lockfile uv.lock", ...
    pub fn describe(&self) -> String {
        match self {
            Resolution::Environment(p) => format!("installed environment {p}"),
            Resolution::Lockfile(kind, p) => format!("{kind} lockfile {p}"),
            Resolution::Pip => "resolved by pip (--dry-run --report)".to_owned(),
            Resolution::Cargo(p) => format!("Cargo lockfile {p}"),
            Resolution::Declared => {
                "declared requirements only: exact versions were not resolvable (give sbom-environment, sbom-lockfile or sbom-resolve)".to_owned()
            }
        }
    }

    /// Short machine word for outputs.
    pub fn method(&self) -> &'static str {
        match self {
            Resolution::Environment(_) => "environment",
            Resolution::Lockfile(..) => "lockfile",
            Resolution::Pip => "pip",
            Resolution::Cargo(_) => "cargo",
            Resolution::Declared => "declared",
        }
    }
}

/// The artifact the SBOM describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub file_name: String,
    pub sha256: String,
    pub sha1: String,
    /// `wheel`, `sdist` or `binary` (anything else, e.g. with a Cargo.lock).
    pub kind: &'static str,
}

#[derive(Debug, Clone)]
pub struct Sbom {
    pub artifact: Artifact,
    pub root: Package,
    /// The artifact's members (empty for a binary).
    pub files: Vec<Member>,
    /// Dependencies, sorted by key.
    pub packages: Vec<Package>,
    /// key → the keys it depends on; the root's key included.
    pub edges: BTreeMap<String, BTreeSet<String>>,
    pub resolution: Resolution,
    pub build: BuildInfo,
    /// RFC 3339 UTC.
    pub created: String,
    pub warnings: Vec<String>,
}

impl Sbom {
    /// Every edge names a known package and keys are unique: what no schema checks.
    pub fn check(&self) -> Result<(), SbomError> {
        let mut keys = BTreeSet::new();
        for p in std::iter::once(&self.root).chain(&self.packages) {
            if !keys.insert(p.key.as_str()) {
                return Err(SbomError::Inconsistent {
                    format: "model",
                    reason: format!("package key {:?} is used twice", p.key),
                });
            }
        }
        for (from, tos) in &self.edges {
            for k in std::iter::once(from).chain(tos) {
                if !keys.contains(k.as_str()) {
                    return Err(SbomError::Inconsistent {
                        format: "model",
                        reason: format!("dependency edge names unknown package {k:?}"),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn all_packages(&self) -> impl Iterator<Item = &Package> {
        std::iter::once(&self.root).chain(&self.packages)
    }
}

/// The organisation behind a package index URL: PyPI and crates.io by name, others by host.
pub fn distributor(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("sparse+https://"))
        .or_else(|| url.strip_prefix("registry+https://"))?;
    let host = rest.split(['/', ':', '?']).next()?.to_ascii_lowercase();
    Some(match host.as_str() {
        "pypi.org" | "files.pythonhosted.org" | "pypi.python.org" => {
            "Python Package Index (pypi.org)".to_owned()
        }
        "index.crates.io" | "crates.io" | "static.crates.io" => "crates.io".to_owned(),
        "github.com" if rest.contains("rust-lang/crates.io-index") => "crates.io".to_owned(),
        "" => return None,
        _ => host,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small SBOM: root `a` depending on `b`.
    pub(crate) fn sample() -> Sbom {
        let mut root = Package::new("pypi:a@1".into(), "a".into(), Ecosystem::Pypi);
        root.version = Some("1".into());
        let mut b = Package::new("pypi:b@2".into(), "b".into(), Ecosystem::Pypi);
        b.version = Some("2".into());
        b.license = Some(License::Spdx {
            expression: "MIT OR LicenseRef-Custom".into(),
            origin: super::super::license::Origin::Expression,
        });
        Sbom {
            artifact: Artifact {
                file_name: "a-1-py3-none-any.whl".into(),
                sha256: "0".repeat(64),
                sha1: "1".repeat(40),
                kind: "wheel",
            },
            root,
            files: vec![Member {
                path: "a/__init__.py".into(),
                size: 1,
                sha256: "2".repeat(64),
                sha1: "3".repeat(40),
            }],
            packages: vec![b],
            edges: [
                (
                    "pypi:a@1".to_owned(),
                    BTreeSet::from(["pypi:b@2".to_owned()]),
                ),
                ("pypi:b@2".to_owned(), BTreeSet::new()),
            ]
            .into(),
            resolution: Resolution::Declared,
            build: BuildInfo::default(),
            created: "2023-11-14T22:13:20Z".into(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn dangling_edges_and_duplicate_keys_are_caught() {
        let ok = sample();
        assert!(ok.check().is_ok());
        let mut dangling = sample();
        dangling
            .edges
            .entry("pypi:b@2".into())
            .or_default()
            .insert("pypi:nowhere@0".into());
        assert!(matches!(
            dangling.check(),
            Err(SbomError::Inconsistent { .. })
        ));
        let mut twice = sample();
        twice.packages.push(twice.packages[0].clone());
        assert!(twice.check().is_err());
    }

    #[test]
    fn distributors() {
        assert_eq!(
            distributor("https://pypi.org/simple").as_deref(),
            Some("Python Package Index (pypi.org)")
        );
        assert_eq!(
            distributor("registry+https://github.com/rust-lang/crates.io-index").as_deref(),
            Some("crates.io")
        );
        assert_eq!(
            distributor("https://my.index:8080/simple").as_deref(),
            Some("my.index")
        );
        assert_eq!(distributor("file:///tmp/x.whl"), None);
    }
}
