//! Python lockfiles: `uv.lock`, `poetry.lock`, `pylock.toml` (PEP 751), `Pipfile.lock`, and
//! pinned `requirements.txt` (with `--hash`es).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::pip::hash_name;
use super::{Deps, Node, Universe, read_text};
use crate::sbom::SbomError;
use crate::sbom::metadata::{CoreMetadata, normalize};
use crate::sbom::model::{Ecosystem, Package, Resolution};
use crate::sbom::pep508::{MarkerEnv, Requirement};
use crate::sbom::purl;

const LOCK_LIMIT: crate::input_file::Limit = crate::input_file::LOCKFILE;

/// Reads a lockfile, chosen by its file name.
pub fn lockfile(path: &Path, env: MarkerEnv) -> Result<Universe, SbomError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let err = |reason: String| SbomError::Source {
        path: path.to_owned(),
        reason,
    };
    let kind: &'static str = match name.as_str() {
        "uv.lock" => "uv.lock",
        "poetry.lock" => "poetry.lock",
        "Pipfile.lock" => "Pipfile.lock",
        n if n == "pylock.toml" || (n.starts_with("pylock.") && n.ends_with(".toml")) => {
            "pylock.toml"
        }
        n if n.ends_with(".txt") => "requirements.txt",
        _ => {
            return Err(err(
                "unknown lockfile; expected uv.lock, poetry.lock, pylock.toml, Pipfile.lock, a requirements .txt, or Cargo.lock".into(),
            ));
        }
    };
    let text = read_text(path, LOCK_LIMIT)?;
    let mut u = Universe::new(
        env,
        Resolution::Lockfile(kind, crate::report::display_path(path)),
    );
    match kind {
        "uv.lock" => uv(&text, &mut u),
        "poetry.lock" => poetry(&text, &mut u),
        "pylock.toml" => pylock(&text, &mut u),
        "Pipfile.lock" => pipfile(&text, &mut u),
        _ => requirements(&text, &mut u),
    }
    .map_err(err)?;
    Ok(u)
}

fn package(name: &str, version: &str) -> Package {
    let m = CoreMetadata::default();
    let mut p = super::python_package(&m, name, version);
    p.ecosystem = Ecosystem::Pypi;
    p
}

fn add_hash(p: &mut Package, alg_hex: &str) {
    if let Some((alg, hex)) = alg_hex.split_once(':')
        && let Some(alg) = hash_name(alg)
        && !p.hashes.iter().any(|(a, _)| a == alg)
    {
        p.hashes.push((alg.to_owned(), hex.to_ascii_lowercase()));
    }
}

fn requirement(
    name: &str,
    marker: Option<&str>,
    extra: Option<&str>,
) -> Result<Requirement, String> {
    let mut markers: Vec<String> = Vec::new();
    if let Some(m) = marker.filter(|m| !m.trim().is_empty()) {
        markers.push(format!("({m})"));
    }
    if let Some(e) = extra {
        markers.push(format!("extra == \"{e}\""));
    }
    let text = if markers.is_empty() {
        name.to_owned()
    } else {
        format!("{name}; {}", markers.join(" and "))
    };
    Requirement::parse(&text)
}

// uv.lock

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    version: Option<String>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional: BTreeMap<String, Vec<UvDep>>,
    sdist: Option<UvFile>,
    #[serde(default)]
    wheels: Vec<UvFile>,
    source: Option<toml::Value>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
    /// Set when the lock holds several versions of the package (a fork).
    version: Option<String>,
    marker: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
}

#[derive(Deserialize)]
struct UvFile {
    hash: Option<String>,
    url: Option<String>,
}

fn uv(text: &str, u: &mut Universe) -> Result<(), String> {
    let lock: UvLock = toml::from_str(text).map_err(|e| e.to_string())?;
    for p in lock.package {
        let Some(version) = p.version else {
            // A virtual workspace member: no version to record.
            continue;
        };
        let mut pkg = package(&p.name, &version);
        // The sdist identifies the release; a single wheel does too. Several wheels (one
        // per platform) name no single file, so no hash is recorded then.
        let file = p.sdist.as_ref().or(if p.wheels.len() == 1 {
            p.wheels.first()
        } else {
            None
        });
        if let Some(s) = file {
            if let Some(h) = &s.hash {
                add_hash(&mut pkg, h);
            }
            pkg.download = s.url.clone();
        }
        if let Some(src) = &p.source
            && let Some(reg) = src.get("registry").and_then(|r| r.as_str())
        {
            pkg.properties
                .push(("attest-kit:index".into(), reg.to_owned()));
            pkg.distributor = crate::sbom::model::distributor(reg);
        }
        let mut reqs = Vec::new();
        let mut push = |d: &UvDep, extra: Option<&str>| -> Result<(), String> {
            let mut r = requirement(&d.name, d.marker.as_deref(), extra)?;
            r.extras = d.extra.iter().map(|e| normalize(e)).collect();
            if let Some(v) = &d.version {
                r.specifier = format!("=={v}");
            }
            reqs.push(r);
            Ok(())
        };
        for d in &p.dependencies {
            push(d, None)?;
        }
        for (extra, deps) in &p.optional {
            for d in deps {
                push(d, Some(extra))?;
            }
        }
        u.insert(Node {
            package: pkg,
            deps: Deps::Requires(reqs),
        });
    }
    Ok(())
}

// poetry.lock

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    description: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    extras: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    files: Vec<PoetryFile>,
    source: Option<toml::Value>,
}

#[derive(Deserialize)]
struct PoetryFile {
    file: String,
    hash: String,
}

fn poetry(text: &str, u: &mut Universe) -> Result<(), String> {
    let lock: PoetryLock = toml::from_str(text).map_err(|e| e.to_string())?;
    for p in lock.package {
        let mut pkg = package(&p.name, &p.version);
        pkg.summary = p.description.filter(|d| !d.is_empty());
        // Poetry writes a [package.source] only for packages not from PyPI.
        pkg.distributor = match &p.source {
            None => Some("Python Package Index (pypi.org)".to_owned()),
            Some(s) => s
                .get("url")
                .and_then(|u| u.as_str())
                .and_then(crate::sbom::model::distributor),
        };
        // The sdist's hash identifies the release; wheels differ per platform.
        if let Some(f) = p.files.iter().find(|f| f.file.ends_with(".tar.gz")) {
            add_hash(&mut pkg, &f.hash);
        }
        let mut in_extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (extra, list) in &p.extras {
            for item in list {
                let name = Requirement::parse(item)?.name;
                in_extra.entry(name).or_default().push(extra.clone());
            }
        }
        let mut reqs = Vec::new();
        for (name, spec) in &p.dependencies {
            // One spec, or a list of specs that differ by marker.
            let specs: Vec<&toml::Value> = match spec {
                toml::Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for s in specs {
                let marker = s.get("markers").and_then(|m| m.as_str());
                let optional = s.get("optional").and_then(|o| o.as_bool()).unwrap_or(false);
                let extras: Vec<String> = s
                    .get("extras")
                    .and_then(|e| e.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str()).map(normalize).collect())
                    .unwrap_or_default();
                if optional {
                    for extra in in_extra.get(&normalize(name)).into_iter().flatten() {
                        let mut r = requirement(name, marker, Some(extra))?;
                        r.extras = extras.clone();
                        reqs.push(r);
                    }
                } else {
                    let mut r = requirement(name, marker, None)?;
                    r.extras = extras;
                    reqs.push(r);
                }
            }
        }
        u.insert(Node {
            package: pkg,
            deps: Deps::Requires(reqs),
        });
    }
    Ok(())
}

// pylock.toml (PEP 751)

#[derive(Deserialize)]
struct Pylock {
    #[serde(default)]
    packages: Vec<PylockPackage>,
}

#[derive(Deserialize)]
struct PylockPackage {
    name: String,
    version: Option<String>,
    marker: Option<String>,
    index: Option<String>,
    #[serde(default)]
    dependencies: Vec<PylockDep>,
    sdist: Option<PylockFile>,
    #[serde(default)]
    wheels: Vec<PylockFile>,
}

#[derive(Deserialize)]
struct PylockDep {
    name: Option<String>,
}

#[derive(Deserialize)]
struct PylockFile {
    url: Option<String>,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

fn pylock(text: &str, u: &mut Universe) -> Result<(), String> {
    let lock: Pylock = toml::from_str(text).map_err(|e| e.to_string())?;
    for p in lock.packages {
        if let Some(m) = &p.marker
            && crate::sbom::pep508::Marker::parse(m)?.evaluate(&u.env, &[]) == Some(false)
        {
            continue;
        }
        let Some(version) = p.version else {
            u.warnings.push(format!(
                "pylock.toml entry {} has no version (a VCS or directory source); left out",
                p.name
            ));
            continue;
        };
        let mut pkg = package(&p.name, &version);
        pkg.distributor = p.index.as_deref().and_then(crate::sbom::model::distributor);
        let file = p.sdist.as_ref().or(if p.wheels.len() == 1 {
            p.wheels.first()
        } else {
            None
        });
        if let Some(f) = file {
            for (alg, hex) in &f.hashes {
                add_hash(&mut pkg, &format!("{alg}:{hex}"));
            }
            pkg.download = f.url.clone();
        }
        let mut reqs = Vec::new();
        for d in &p.dependencies {
            if let Some(n) = &d.name {
                reqs.push(requirement(n, None, None)?);
            }
        }
        u.insert(Node {
            package: pkg,
            deps: Deps::Requires(reqs),
        });
    }
    Ok(())
}

// Pipfile.lock

#[derive(Deserialize)]
struct Pipfile {
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    version: Option<String>,
    markers: Option<String>,
    index: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
}

fn pipfile(text: &str, u: &mut Universe) -> Result<(), String> {
    let lock: Pipfile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    for (name, e) in lock.default {
        if let Some(m) = &e.markers
            && crate::sbom::pep508::Marker::parse(m)?.evaluate(&u.env, &[]) == Some(false)
        {
            continue;
        }
        let Some(version) = e.version.as_deref().and_then(|v| v.strip_prefix("==")) else {
            u.warnings.push(format!(
                "Pipfile.lock entry {name} is not pinned with ==; left out"
            ));
            continue;
        };
        let mut pkg = package(&name, version.trim());
        if e.index.as_deref() == Some("pypi") {
            pkg.distributor = Some("Python Package Index (pypi.org)".to_owned());
        }
        if e.hashes.len() == 1 {
            add_hash(&mut pkg, &e.hashes[0]);
        }
        u.insert(Node {
            package: pkg,
            deps: Deps::Requires(Vec::new()),
        });
    }
    u.warnings.push(
        "Pipfile.lock records no dependency tree: only the artifact's direct requirements are linked".into(),
    );
    Ok(())
}

// requirements.txt

fn requirements(text: &str, u: &mut Universe) -> Result<(), String> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut unhashed = 0usize;
    // `--index-url` names where every pin comes from; without it pip's configuration
    // decides, which the file does not record.
    let index = joined.lines().find_map(|l| {
        let l = l.trim();
        let url = l
            .strip_prefix("--index-url")
            .or_else(|| l.strip_prefix("-i"))?
            .trim_start_matches(['=', ' ']);
        crate::sbom::model::distributor(url.trim())
    });
    for (i, raw) in joined.lines().enumerate() {
        let line = match raw.find(" #") {
            Some(c) => &raw[..c],
            None => raw,
        }
        .trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('-') {
            if line.starts_with("-r")
                || line.starts_with("--requirement")
                || line.starts_with("-c")
                || line.starts_with("--constraint")
                || line.starts_with("-e")
                || line.starts_with("--editable")
            {
                return Err(format!(
                    "line {}: {line:?} is not supported in a lockfile (list every pin in one file)",
                    i + 1
                ));
            }
            continue;
        }
        let mut hashes = Vec::new();
        let mut req_text = String::new();
        for part in line.split_whitespace() {
            if let Some(h) = part
                .strip_prefix("--hash=")
                .or_else(|| part.strip_prefix("--hash:"))
            {
                hashes.push(h.to_owned());
            } else if part.starts_with("--") {
                continue;
            } else {
                req_text.push_str(part);
                req_text.push(' ');
            }
        }
        let r = Requirement::parse(req_text.trim()).map_err(|e| format!("line {}: {e}", i + 1))?;
        if r.applies(&u.env, &[]) == Some(false) {
            continue;
        }
        let version = r
            .specifier
            .strip_prefix("===")
            .or_else(|| r.specifier.strip_prefix("=="))
            .filter(|v| !v.contains([',', '*']))
            .ok_or_else(|| {
                format!(
                    "line {}: {} is not pinned with == (a lockfile needs exact versions)",
                    i + 1,
                    r.name
                )
            })?;
        let mut pkg = package(&r.name, version);
        pkg.purl = Some(purl::pypi(&r.name, Some(version), None));
        pkg.distributor = index.clone();
        if hashes.is_empty() {
            unhashed += 1;
        }
        if hashes.len() == 1 {
            add_hash(&mut pkg, &hashes[0]);
        }
        u.insert(Node {
            package: pkg,
            deps: Deps::Requires(Vec::new()),
        });
    }
    if unhashed > 0 {
        u.warnings.push(format!(
            "{unhashed} requirement(s) have no --hash: pins are exact but not tamper-evident"
        ));
    }
    u.warnings.push(
        "requirements.txt records no dependency tree: only the artifact's direct requirements are linked".into(),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> MarkerEnv {
        let mut e = MarkerEnv::host(Some("3.11.7"));
        e.0.insert("sys_platform".into(), "linux".into());
        e
    }

    #[test]
    fn requirements_need_pins() {
        let mut u = Universe::new(env(), Resolution::Declared);
        assert!(requirements("idna==3.7 \\\n  --hash=sha256:AB\nsix>=1\n", &mut u).is_err());
        let mut u = Universe::new(env(), Resolution::Declared);
        assert!(
            requirements(
                "idna==3.7 --hash=sha256:AB\ncolorama==0.4; sys_platform == 'win32'\n",
                &mut u
            )
            .is_ok()
        );
        assert_eq!(u.nodes.len(), 1);
        let idna = &u.nodes["pypi:idna@3.7"].package;
        assert_eq!(idna.hashes, [("SHA256".to_string(), "ab".to_string())]);
    }

    #[test]
    fn uv_forks_link_the_version_named() -> Result<(), String> {
        let mut u = Universe::new(env(), Resolution::Declared);
        uv(
            r#"
version = 1
[[package]]
name = "app"
version = "1.0"
dependencies = [{ name = "numpy", version = "1.26.4", marker = "python_version < '3.12'" }, { name = "numpy", version = "2.1.0", marker = "python_version >= '3.12'" }]
[[package]]
name = "numpy"
version = "1.26.4"
[[package]]
name = "numpy"
version = "2.1.0"
"#,
            &mut u,
        )?;
        let mut root = Package::new("pypi:root@0".into(), "root".into(), Ecosystem::Pypi);
        root.version = Some("0".into());
        let reqs = vec![Requirement::parse("app")?];
        let r = super::super::resolve(&root, &Deps::Requires(reqs), u);
        let app = &r.edges["pypi:app@1.0"];
        assert_eq!(app.iter().collect::<Vec<_>>(), ["pypi:numpy@1.26.4"]);
        Ok(())
    }

    #[test]
    fn uv_and_poetry() -> Result<(), String> {
        let mut u = Universe::new(env(), Resolution::Declared);
        uv(
            r#"
version = 1
[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x/requests-2.32.3.tar.gz", hash = "sha256:55", size = 1 }
dependencies = [{ name = "idna" }, { name = "colorama", marker = "sys_platform == 'win32'" }]
[package.optional-dependencies]
socks = [{ name = "pysocks" }]
[[package]]
name = "idna"
version = "3.7"
"#,
            &mut u,
        )?;
        assert_eq!(u.nodes.len(), 2);
        let Deps::Requires(r) = &u.nodes["pypi:requests@2.32.3"].deps else {
            panic!()
        };
        assert_eq!(r.len(), 3);
        let mut u = Universe::new(env(), Resolution::Declared);
        poetry(
            r#"
[[package]]
name = "requests"
version = "2.32.3"
description = ""
files = [{file = "requests-2.32.3.tar.gz", hash = "sha256:55"}]
[package.dependencies]
idna = ">=2.5,<4"
PySocks = {version = ">=1.5.6", optional = true}
[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)"]
"#,
            &mut u,
        )?;
        let Deps::Requires(r) = &u.nodes["pypi:requests@2.32.3"].deps else {
            panic!()
        };
        assert_eq!(r.len(), 2);
        let socks = r.iter().find(|r| r.name == "pysocks").expect("pysocks");
        assert_eq!(socks.applies(&env(), &[]), Some(false));
        assert_eq!(socks.applies(&env(), &["socks".into()]), Some(true));
        Ok(())
    }
}
