//! Rust projects: `Cargo.lock` (with the `Cargo.toml` beside it naming the root package).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Deps, Node, Universe, read_text};
use crate::sbom::SbomError;
use crate::sbom::model::{Ecosystem, Package, Resolution};
use crate::sbom::pep508::MarkerEnv;
use crate::sbom::purl;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

#[derive(Deserialize)]
struct Manifest {
    package: Option<ManifestPackage>,
}

#[derive(Deserialize)]
struct ManifestPackage {
    name: String,
    version: Option<toml::Value>,
    license: Option<String>,
    description: Option<String>,
    repository: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
}

fn key(name: &str, version: &str) -> String {
    format!("cargo:{name}@{version}")
}

/// The root package (from Cargo.toml), its direct dependencies' keys, and every other
/// package of Cargo.lock.
pub fn cargo_lock(lock_path: &Path) -> Result<(Package, Vec<String>, Universe), SbomError> {
    let err = |path: &Path, reason: String| SbomError::Source {
        path: path.to_owned(),
        reason,
    };
    let text = read_text(lock_path, crate::input_file::LOCKFILE)?;
    let lock: Lock = toml::from_str(&text).map_err(|e| err(lock_path, e.to_string()))?;
    let manifest_path = lock_path.with_file_name("Cargo.toml");
    let mtext = read_text(
        &manifest_path,
        crate::input_file::Limit::new("Cargo.toml", 4 << 20),
    )?;
    let manifest: Manifest =
        toml::from_str(&mtext).map_err(|e| err(&manifest_path, e.to_string()))?;
    let Some(mp) = manifest.package else {
        return Err(err(
            &manifest_path,
            "no [package]: give the Cargo.lock of the package that builds the artifact".into(),
        ));
    };
    // `version.workspace = true` or absent: take the local (sourceless) entry in the lock.
    let version = mp
        .version
        .as_ref()
        .and_then(|v| v.as_str().map(str::to_owned))
        .or_else(|| {
            lock.package
                .iter()
                .find(|p| p.name == mp.name && p.source.is_none())
                .map(|p| p.version.clone())
        })
        .ok_or_else(|| {
            err(
                &manifest_path,
                format!("no version for package {}", mp.name),
            )
        })?;
    let mut root = Package::new(key(&mp.name, &version), mp.name.clone(), Ecosystem::Cargo);
    root.version = Some(version.clone());
    root.purl = Some(purl::cargo(&mp.name, Some(&version)));
    root.summary = mp.description.clone();
    root.homepage = mp.repository.clone();
    root.license = mp
        .license
        .as_deref()
        .map(|l| match crate::sbom::license::canonical(l) {
            Some(expression) => crate::sbom::license::License::Spdx {
                expression,
                origin: crate::sbom::license::Origin::LicenseField,
            },
            None => crate::sbom::license::License::Other {
                id: format!("LicenseRef-cargo-{}", mp.name),
                name: l.to_owned(),
                text: l.to_owned(),
                origin: crate::sbom::license::Origin::LicenseField,
            },
        });
    root.supplier = mp.authors.first().map(|a| {
        let (name, email) = match a.split_once('<') {
            Some((n, e)) => (
                n.trim().to_owned(),
                Some(e.trim_end_matches('>').trim().to_owned()),
            ),
            None => (a.trim().to_owned(), None),
        };
        crate::sbom::metadata::Party { name, email }
    });

    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in &lock.package {
        by_name.entry(&p.name).or_default().push(&p.version);
    }
    let mut u = Universe::new(
        MarkerEnv::default(),
        Resolution::Cargo(crate::report::display_path(lock_path)),
    );
    let mut root_deps = Vec::new();
    for p in &lock.package {
        let deps: Vec<String> = p
            .dependencies
            .iter()
            .filter_map(|d| {
                let mut parts = d.split_whitespace();
                let name = parts.next()?;
                let version = match parts.next() {
                    Some(v) => v.to_owned(),
                    None => (*by_name.get(name)?.first()?).to_owned(),
                };
                Some(key(name, &version))
            })
            .collect();
        let k = key(&p.name, &p.version);
        if p.name == mp.name && p.source.is_none() {
            root_deps = deps;
            continue;
        }
        let mut pkg = Package::new(k, p.name.clone(), Ecosystem::Cargo);
        pkg.version = Some(p.version.clone());
        pkg.purl = Some(purl::cargo(&p.name, Some(&p.version)));
        if let Some(c) = &p.checksum {
            pkg.hashes.push(("SHA256".into(), c.to_ascii_lowercase()));
        }
        pkg.distributor = p
            .source
            .as_deref()
            .and_then(crate::sbom::model::distributor);
        match p.source.as_deref() {
            Some(s)
                if s.starts_with("registry+https://github.com/rust-lang/crates.io-index")
                    || s == "sparse+https://index.crates.io/" =>
            {
                pkg.download = Some(format!(
                    "https://crates.io/api/v1/crates/{}/{}/download",
                    p.name, p.version
                ));
            }
            Some(s) => pkg
                .properties
                .push(("attest-kit:cargo-source".into(), s.to_owned())),
            None => {}
        }
        u.insert(Node {
            package: pkg,
            deps: Deps::Keys(deps),
        });
    }
    Ok((root, root_deps, u))
}
