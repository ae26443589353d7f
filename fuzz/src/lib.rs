//! Helpers shared by the fuzz targets: entry points that take a path get the fuzz input
//! through a scratch file under `TMPDIR` (scripts/fuzz.sh points it at a directory in
//! /dev/shm, so no disk write per run, and removes it afterwards).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("attest-kit-fuzz-")
            .tempdir()
            .expect("a scratch directory for the fuzz inputs")
    })
    .path()
}

/// Writes `bytes` to `name` in this process's scratch directory and returns its path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("writing the scratch file");
    path
}

/// Splits the input at the first line that is exactly `sep` (for targets that need two
/// files, e.g. Cargo.lock and Cargo.toml); the second part is empty without one.
pub fn split_at_line<'a>(data: &'a [u8], sep: &[u8]) -> (&'a [u8], &'a [u8]) {
    let mut start = 0;
    for line in data.split_inclusive(|&b| b == b'\n') {
        let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
        if trimmed == sep {
            return (&data[..start], &data[start + line.len()..]);
        }
        start += line.len();
    }
    (data, &[])
}

/// A Python lockfile named `name` holding `data`, read by `sbom::sources::lockfile` and,
/// when it reads, resolved from a root that requires every package it lists: every edge
/// then joins two packages the SBOM holds.
pub fn python_lockfile(name: &str, data: &[u8]) {
    use attest_kit::sbom::model::{Ecosystem, Package};
    use attest_kit::sbom::pep508::{MarkerEnv, Requirement};
    use attest_kit::sbom::sources::{self, Deps};

    let path = scratch_file(name, data);
    let env = MarkerEnv::platform("linux", "x86_64", Some("3.12.1"));
    let Ok(universe) = sources::lockfile(&path, env) else {
        return;
    };
    let reqs: Vec<Requirement> = universe
        .nodes
        .values()
        .filter_map(|n| Requirement::parse(&n.package.name).ok())
        .collect();
    let mut root = Package::new(
        "pypi:fuzz-root@0".into(),
        "fuzz-root".into(),
        Ecosystem::Pypi,
    );
    root.version = Some("0".into());
    let resolved = sources::resolve(&root, &Deps::Requires(reqs), universe);
    check_edges(&root.key, &resolved);
}

/// Every edge of a resolved graph starts and ends at a package in it (or the root).
pub fn check_edges(root: &str, resolved: &attest_kit::sbom::sources::Resolved) {
    let keys: std::collections::BTreeSet<&str> =
        resolved.packages.iter().map(|p| p.key.as_str()).collect();
    for (from, tos) in &resolved.edges {
        assert!(
            from == root || keys.contains(from.as_str()),
            "edge from {from}"
        );
        for to in tos {
            assert!(
                to == root || keys.contains(to.as_str()),
                "edge {from} -> {to}"
            );
        }
    }
}
