//! One artifact → one `Sbom`: read it, find its dependencies, record the build.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::SbomError;
use super::archive::{self, Contents, Kind, Limits};
use super::build::BuildInfo;
use super::license;
use super::metadata::{self, CoreMetadata};
use super::model::{Artifact, Ecosystem, Package, Resolution, Sbom};
use super::pep508::MarkerEnv;
use super::purl;
use super::sources::{self, Deps, Universe};

/// Where dependencies come from: the first one given wins.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceSpec {
    pub environment: Option<PathBuf>,
    pub lockfile: Option<PathBuf>,
    /// Run pip with this Python.
    pub resolve_with: Option<String>,
}

/// The most components one SBOM holds: a few thousand is a large real project; more is a
/// hostile METADATA (or lockfile) that would turn into hundreds of megabytes of SBOM.
pub const MAX_COMPONENTS: usize = 10_000;

/// Makes the SBOM of the artifact at `path`.
pub fn generate(
    path: &Path,
    file_name: &str,
    source: &SourceSpec,
    build: &BuildInfo,
    created: &str,
) -> Result<Sbom, SbomError> {
    let (sha256, sha1) = hash_file(path)?;
    let is_cargo = source
        .lockfile
        .as_deref()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "Cargo.lock");
    let kind = Kind::of(path);
    if kind.is_none() && !is_cargo {
        return Err(SbomError::NotPython {
            path: path.to_owned(),
            hint: "; for a Rust binary give its Cargo.lock as sbom-lockfile",
        });
    }
    let mut warnings = Vec::new();
    let mut build = build.clone();
    let (root, root_deps, universe, files) = match kind {
        Some(kind) if !is_cargo => {
            let contents = archive::read(path, kind, Limits::default())?;
            if kind == Kind::Wheel {
                check_record(path, &contents, &mut warnings)?;
            }
            let meta = read_metadata(path, kind, &contents, &mut warnings)?;
            if meta.requires_dist.len() > MAX_COMPONENTS {
                return Err(SbomError::Metadata {
                    path: path.to_owned(),
                    reason: format!(
                        "{} Requires-Dist entries, more than the {MAX_COMPONENTS} components an SBOM takes",
                        meta.requires_dist.len()
                    ),
                });
            }
            let root = root_package(&meta, file_name, &contents);
            let reqs = sources::parse_requirements(&root.key, &meta.requires_dist, &mut warnings);
            let universe = python_source(path, source, &build)?;
            (root, Deps::Requires(reqs), universe, contents.members)
        }
        _ => {
            let Some(lock) = source.lockfile.as_deref() else {
                return Err(SbomError::NotPython {
                    path: path.to_owned(),
                    hint: "",
                });
            };
            let (root, keys, universe) = sources::cargo_lock(lock)?;
            (root, Deps::Keys(keys), Some(universe), Vec::new())
        }
    };
    let (resolution, resolved) = match universe {
        Some(u) => {
            if let Some(py) = u.env.python() {
                build.python_version = Some(py.to_owned());
            }
            build.python_platform = platform(&u.env);
            let resolution = u.resolution.clone();
            (resolution, sources::resolve(&root, &root_deps, u))
        }
        None => {
            let env = MarkerEnv::platform(&build.runner_os, &build.runner_arch, None);
            // A Cargo root always has its lockfile; only Python roots get here.
            let reqs = match &root_deps {
                Deps::Requires(r) => r.as_slice(),
                Deps::Keys(_) => &[],
            };
            (Resolution::Declared, sources::declared(&root, reqs, &env))
        }
    };
    warnings.extend(resolved.warnings);
    if resolved.packages.len() > MAX_COMPONENTS {
        return Err(SbomError::Metadata {
            path: path.to_owned(),
            reason: format!(
                "{} dependency components, more than the {MAX_COMPONENTS} an SBOM takes",
                resolved.packages.len()
            ),
        });
    }
    let sbom = Sbom {
        artifact: Artifact {
            file_name: file_name.to_owned(),
            sha256,
            sha1,
            kind: match kind {
                Some(Kind::Wheel) if !is_cargo => "wheel",
                Some(Kind::Sdist) if !is_cargo => "sdist",
                _ => "binary",
            },
        },
        root,
        files,
        packages: resolved.packages,
        edges: resolved.edges,
        resolution,
        build,
        created: created.to_owned(),
        warnings,
    };
    sbom.check()?;
    Ok(sbom)
}

fn platform(env: &MarkerEnv) -> Option<String> {
    let p = env.0.get("sys_platform")?;
    Some(match env.0.get("platform_machine") {
        Some(m) => format!("{p}/{m}"),
        None => p.clone(),
    })
}

fn python_source(
    artifact: &Path,
    source: &SourceSpec,
    build: &BuildInfo,
) -> Result<Option<Universe>, SbomError> {
    if let Some(env) = &source.environment {
        return sources::environment(env).map(Some);
    }
    if let Some(lock) = &source.lockfile {
        return sources::lockfile(
            lock,
            MarkerEnv::platform(&build.runner_os, &build.runner_arch, None),
        )
        .map(Some);
    }
    if let Some(python) = &source.resolve_with {
        return sources::pip_report(python, artifact).map(Some);
    }
    Ok(None)
}

/// Core metadata of the artifact. An sdist's PKG-INFO is completed from pyproject.toml and
/// `*.egg-info` where it is old or marks fields `Dynamic`.
fn read_metadata(
    path: &Path,
    kind: Kind,
    c: &Contents,
    warnings: &mut Vec<String>,
) -> Result<CoreMetadata, SbomError> {
    let bad = |reason: String| SbomError::Metadata {
        path: path.to_owned(),
        reason,
    };
    let mut m = match &c.metadata {
        Some(bytes) => metadata::parse(bytes).map_err(bad)?,
        None if kind == Kind::Sdist && (c.pyproject.is_some() || c.egg_pkg_info.is_some()) => {
            warnings.push(
                "the sdist has no PKG-INFO; metadata comes from pyproject.toml / *.egg-info".into(),
            );
            CoreMetadata::default()
        }
        None => {
            return Err(SbomError::Missing {
                path: path.to_owned(),
                what: match kind {
                    Kind::Wheel => "*.dist-info/METADATA".into(),
                    Kind::Sdist => "PKG-INFO".into(),
                },
            });
        }
    };
    if kind == Kind::Sdist {
        let deps_unreliable = m.requires_dist.is_empty() && m.is_unreliable("requires-dist");
        if let Some(p) = &c.pyproject {
            match metadata::from_pyproject(p) {
                Ok(py) => {
                    if deps_unreliable && !py.requires_dist.is_empty() {
                        m.requires_dist = py.requires_dist.clone();
                    }
                    m.fill_from(py);
                }
                Err(e) => warnings.push(format!("pyproject.toml ignored: {e}")),
            }
        }
        if let Some(e) = &c.egg_pkg_info
            && let Ok(egg) = metadata::parse(e)
        {
            m.fill_from(egg);
        }
        if m.requires_dist.is_empty()
            && let Some(r) = &c.egg_requires
        {
            m.requires_dist = metadata::from_requires_txt(r);
        }
        if m.requires_dist.is_empty() && m.is_unreliable("requires-dist") {
            warnings.push("the sdist's dependencies are computed at build time (Dynamic or old metadata) and none were found statically; build a wheel for a complete SBOM".into());
        }
    }
    if m.name.is_none() {
        return Err(bad("no Name".into()));
    }
    if m.version.is_none() {
        return Err(bad("no Version".into()));
    }
    Ok(m)
}

fn root_package(m: &CoreMetadata, file_name: &str, c: &Contents) -> Package {
    let name = m.name.clone().unwrap_or_default();
    let version = m.version.clone().unwrap_or_default();
    let mut p = Package::new(
        format!("pypi:{}@{version}", metadata::normalize(&name)),
        name.clone(),
        Ecosystem::Pypi,
    );
    p.version = Some(version.clone());
    p.purl = Some(purl::pypi(&name, Some(&version), Some(file_name)));
    p.supplier = m.supplier();
    p.license = license::from_metadata(m, &c.license_files);
    p.summary = m.summary.clone();
    p.homepage = m.home_page.clone().or_else(|| {
        m.project_urls.iter().find_map(|u| {
            let (label, url) = u.split_once(',')?;
            matches!(
                label.trim().to_ascii_lowercase().as_str(),
                "homepage" | "home"
            )
            .then(|| url.trim().to_owned())
        })
    });
    p
}

fn hash_file(path: &Path) -> Result<(String, String), SbomError> {
    let io = |source| SbomError::Io {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut a = Sha256::new();
    let mut b = Sha1::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        a.update(&buf[..n]);
        b.update(&buf[..n]);
    }
    Ok((hex::encode(a.finalize()), hex::encode(b.finalize())))
}

/// A wheel's RECORD lists every member with its SHA-256: a member that hashes differently
/// means a damaged or altered wheel (pip refuses to install it), so it is refused here too.
fn check_record(path: &Path, c: &Contents, warnings: &mut Vec<String>) -> Result<(), SbomError> {
    use base64::Engine as _;
    let Some(record) = &c.record else {
        warnings
            .push("the wheel has no RECORD: its members' hashes cannot be cross-checked".into());
        return Ok(());
    };
    let bad = |reason: String| SbomError::Archive {
        path: path.to_owned(),
        kind: "wheel",
        reason,
    };
    let text = std::str::from_utf8(record).map_err(|_| bad("RECORD is not UTF-8".into()))?;
    let mut listed = std::collections::BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (name, rest) = match line.strip_prefix('"') {
            Some(q) => {
                let end = q
                    .find("\",")
                    .ok_or_else(|| bad(format!("RECORD line {line:?} is malformed")))?;
                (q[..end].replace("\"\"", "\""), &q[end + 2..])
            }
            None => match line.split_once(',') {
                Some((n, r)) => (n.to_owned(), r),
                None => return Err(bad(format!("RECORD line {line:?} is malformed"))),
            },
        };
        listed.insert(name.clone());
        let hash = rest.split(',').next().unwrap_or_default();
        let Some(b64) = hash.strip_prefix("sha256=") else {
            continue;
        };
        let Some(member) = c.members.iter().find(|m| m.path == name) else {
            return Err(bad(format!(
                "RECORD lists {name:?}, which the wheel does not contain"
            )));
        };
        let want = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64.trim_end_matches('='))
            .map(hex::encode)
            .map_err(|_| bad(format!("RECORD has an invalid hash for {name:?}")))?;
        if want != member.sha256 {
            return Err(bad(format!(
                "member {name:?} does not match RECORD (sha256 {} recorded, {} found)",
                want, member.sha256
            )));
        }
    }
    let unlisted: Vec<&str> = c
        .members
        .iter()
        .map(|m| m.path.as_str())
        .filter(|p| !listed.contains(*p))
        .collect();
    if !unlisted.is_empty() {
        warnings.push(format!(
            "{} member(s) are not listed in RECORD: {}",
            unlisted.len(),
            unlisted.join(", ")
        ));
    }
    Ok(())
}
