//! Dependency sources, all turned into one `Universe` of candidate packages with their
//! requirements; `resolve` then walks the tree from the root's requirements, evaluating
//! markers and extras for the target environment.

mod cargo;
mod environment;
mod lockfiles;
mod pip;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use cargo::cargo_lock;
pub use environment::environment;
pub use lockfiles::lockfile;
pub use pip::pip_report;

use super::SbomError;
use super::license;
use super::metadata::{CoreMetadata, normalize};
use super::model::{Ecosystem, Package, Resolution};
use super::pep508::{MarkerEnv, Requirement};
use super::purl;

/// What a package depends on.
#[derive(Debug, Clone)]
pub enum Deps {
    /// PEP 508 requirements, matched by name and filtered by markers and extras.
    Requires(Vec<Requirement>),
    /// Exact keys (Cargo.lock).
    Keys(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub package: Package,
    pub deps: Deps,
}

/// Every package a source knows, and the environment markers are evaluated for.
#[derive(Debug, Clone)]
pub struct Universe {
    pub nodes: BTreeMap<String, Node>,
    pub env: MarkerEnv,
    pub resolution: Resolution,
    pub warnings: Vec<String>,
}

impl Universe {
    pub fn new(env: MarkerEnv, resolution: Resolution) -> Universe {
        Universe {
            nodes: BTreeMap::new(),
            env,
            resolution,
            warnings: Vec::new(),
        }
    }

    pub fn insert(&mut self, node: Node) {
        let key = node.package.key.clone();
        if self.nodes.contains_key(&key) {
            self.warnings.push(format!(
                "{key} is listed twice by the dependency source; the first entry is used"
            ));
            return;
        }
        self.nodes.insert(key, node);
    }
}

/// A Python package from core metadata, with an exact version.
pub fn python_package(m: &CoreMetadata, name: &str, version: &str) -> Package {
    let mut p = Package::new(
        format!("pypi:{}@{version}", normalize(name)),
        name.to_owned(),
        Ecosystem::Pypi,
    );
    p.version = Some(version.to_owned());
    p.purl = Some(purl::pypi(name, Some(version), None));
    p.supplier = m.supplier();
    p.license = license::from_metadata(m, &[]);
    p.summary = m.summary.clone();
    p.homepage = m.home_page.clone();
    p
}

/// Parses requirements, keeping the ones that parse and warning about the rest.
pub fn parse_requirements(
    owner: &str,
    reqs: &[String],
    warnings: &mut Vec<String>,
) -> Vec<Requirement> {
    reqs.iter()
        .filter_map(|r| match Requirement::parse(r) {
            Ok(r) => Some(r),
            Err(e) => {
                warnings.push(format!("{owner}: skipped a requirement: {e}"));
                None
            }
        })
        .collect()
}

/// The result of resolving: dependencies (without the root) and the edges.
pub struct Resolved {
    pub packages: Vec<Package>,
    pub edges: BTreeMap<String, BTreeSet<String>>,
    pub warnings: Vec<String>,
}

/// Walks from `root` (its key and requirements) through `universe`.
pub fn resolve(root: &Package, root_deps: &Deps, universe: Universe) -> Resolved {
    let Universe {
        mut nodes,
        env,
        mut warnings,
        ..
    } = universe;
    // The root may itself be installed or locked: it is the root, not a dependency.
    let root_name = normalize(&root.name);
    nodes.retain(|_, n| {
        !(n.package.ecosystem == root.ecosystem && normalize(&n.package.name) == root_name)
    });
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, n) in &nodes {
        by_name
            .entry(normalize(&n.package.name))
            .or_default()
            .push(k.clone());
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut extras_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let root_reqs = match root_deps {
        Deps::Requires(r) => r.clone(),
        Deps::Keys(keys) => {
            let e = edges.entry(root.key.clone()).or_default();
            e.extend(keys.iter().filter(|k| nodes.contains_key(*k)).cloned());
            Vec::new()
        }
    };
    let mut queue: Vec<(String, Vec<Requirement>, BTreeSet<String>)> =
        vec![(root.key.clone(), root_reqs, BTreeSet::new())];
    let mut seen: BTreeSet<(String, BTreeSet<String>)> = BTreeSet::new();
    let mut undecided = BTreeSet::new();
    while let Some((from, reqs, extras)) = queue.pop() {
        if !seen.insert((from.clone(), extras.clone())) {
            continue;
        }
        let extras_vec: Vec<String> = extras.iter().cloned().collect();
        let entry = edges.entry(from.clone()).or_default();
        for r in &reqs {
            match r.applies(&env, &extras_vec) {
                Some(false) => continue,
                None => {
                    undecided.insert(format!(
                        "{}; {}",
                        r.name,
                        r.marker_text.as_deref().unwrap_or("")
                    ));
                }
                Some(true) => {}
            }
            let Some(keys) = by_name.get(&r.name) else {
                if r.applies(&env, &extras_vec) == Some(true) {
                    warnings.push(format!(
                        "{from} requires {}{}, which the dependency source does not hold; it is left out (no version is invented)",
                        r.name,
                        if r.specifier.is_empty() { String::new() } else { format!(" {}", r.specifier) }
                    ));
                }
                continue;
            };
            for k in pick(keys, &nodes, r) {
                entry.insert(k.clone());
                let mut ex: BTreeSet<String> = extras_of.get(k).cloned().unwrap_or_default();
                ex.extend(r.extras.iter().cloned());
                extras_of.insert(k.clone(), ex.clone());
                if let Some(n) = nodes.get(k) {
                    queue_node(&mut queue, k, n, ex);
                }
            }
        }
    }
    // Packages the walk did not reach still get their own edges (no extras).
    for (k, n) in &nodes {
        if !edges.contains_key(k) {
            let reqs = match &n.deps {
                Deps::Requires(r) => r.clone(),
                Deps::Keys(_) => Vec::new(),
            };
            for r in reqs {
                if r.applies(&env, &[]) == Some(false) {
                    continue;
                }
                if let Some(keys) = by_name.get(&r.name) {
                    edges
                        .entry(k.clone())
                        .or_default()
                        .extend(keys.iter().cloned());
                }
            }
        }
        if let Deps::Keys(keys) = &n.deps {
            let e = edges.entry(k.clone()).or_default();
            for d in keys {
                if nodes.contains_key(d) {
                    e.insert(d.clone());
                }
            }
        }
        edges.entry(k.clone()).or_default();
    }
    if !undecided.is_empty() {
        warnings.push(format!(
            "{} requirement marker(s) could not be decided for the target environment and were kept: {}",
            undecided.len(),
            undecided.into_iter().collect::<Vec<_>>().join(" | ")
        ));
    }
    Resolved {
        packages: nodes.into_values().map(|n| n.package).collect(),
        edges,
        warnings,
    }
}

/// The packages a requirement links to: with several versions of one name (a lockfile that
/// forks by marker), the ones its specifier allows, or all of them when none match.
fn pick<'a>(
    keys: &'a [String],
    nodes: &BTreeMap<String, Node>,
    r: &Requirement,
) -> Vec<&'a String> {
    if keys.len() < 2 || r.specifier.is_empty() {
        return keys.iter().collect();
    }
    let allowed: Vec<&String> = keys
        .iter()
        .filter(|k| {
            let version = nodes.get(*k).and_then(|n| n.package.version.as_deref());
            let Some(v) = version.and_then(super::pep508::Version::parse) else {
                return false;
            };
            r.specifier.split(',').all(|clause| {
                let op_len = clause
                    .find(|c: char| !matches!(c, '<' | '>' | '=' | '!' | '~'))
                    .unwrap_or(clause.len());
                let (op, spec) = clause.split_at(op_len);
                super::pep508::version_matches(&v, op, spec)
            })
        })
        .collect();
    if allowed.is_empty() {
        keys.iter().collect()
    } else {
        allowed
    }
}

fn queue_node(
    queue: &mut Vec<(String, Vec<Requirement>, BTreeSet<String>)>,
    key: &str,
    node: &Node,
    extras: BTreeSet<String>,
) {
    match &node.deps {
        Deps::Requires(r) => queue.push((key.to_owned(), r.clone(), extras)),
        Deps::Keys(_) => {}
    }
}

/// Without a source: each applicable requirement as a range, no version.
pub fn declared(root: &Package, reqs: &[Requirement], env: &MarkerEnv) -> Resolved {
    let mut packages: BTreeMap<String, Package> = BTreeMap::new();
    let mut warnings = Vec::new();
    for r in reqs {
        if r.applies(env, &[]) == Some(false) {
            continue;
        }
        let key = format!("pypi:{}", r.name);
        let p = packages.entry(key.clone()).or_insert_with(|| {
            let mut p = Package::new(key, r.name.clone(), Ecosystem::Pypi);
            p.purl = Some(purl::pypi(&r.name, None, None));
            p
        });
        let spec = if let Some(u) = &r.url {
            format!("@ {u}")
        } else if r.specifier.is_empty() {
            "any version".to_owned()
        } else {
            r.specifier.clone()
        };
        p.declared = Some(match p.declared.take() {
            Some(prev) => format!("{prev}; {spec}"),
            None => spec,
        });
        if let Some(m) = &r.marker_text {
            p.properties.push(("attest-kit:marker".into(), m.clone()));
        }
        if !r.extras.is_empty() {
            p.properties
                .push(("attest-kit:extras".into(), r.extras.join(",")));
        }
    }
    if !packages.is_empty() {
        warnings.push("exact dependency versions were not resolvable: no sbom-environment, sbom-lockfile or sbom-resolve was given, so dependencies are listed with their declared ranges".to_owned());
    }
    let mut edges = BTreeMap::new();
    edges.insert(
        root.key.clone(),
        packages.keys().cloned().collect::<BTreeSet<_>>(),
    );
    for k in packages.keys() {
        edges.insert(k.clone(), BTreeSet::new());
    }
    Resolved {
        packages: packages.into_values().collect(),
        edges,
        warnings,
    }
}

/// Reads a small text file for a source, with a size bound.
pub(crate) fn read_text(path: &Path, limit: crate::input_file::Limit) -> Result<String, SbomError> {
    crate::input_file::read_text(path, limit).map_err(|e| SbomError::Source {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}
