//! An installed environment: a virtualenv (with `pyvenv.cfg`) or a site-packages folder.
//! Every `*.dist-info` (and legacy `*.egg-info`) is read.

use std::path::{Path, PathBuf};

use super::{Deps, Node, Universe, parse_requirements, python_package, read_text};
use crate::sbom::SbomError;
use crate::sbom::metadata;
use crate::sbom::model::Resolution;
use crate::sbom::pep508::MarkerEnv;

const METADATA_LIMIT: crate::input_file::Limit = crate::input_file::METADATA;

pub fn environment(path: &Path) -> Result<Universe, SbomError> {
    let err = |reason: String| SbomError::Source {
        path: path.to_owned(),
        reason,
    };
    if !path.is_dir() {
        return Err(err(
            "not a directory (give a virtualenv or a site-packages folder)".into(),
        ));
    }
    let (site_dirs, python) = locate(path).map_err(err)?;
    let mut universe = Universe::new(
        MarkerEnv::host(python.as_deref()),
        Resolution::Environment(crate::report::display_path(path)),
    );
    for site in site_dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&site)
            .map_err(|e| SbomError::Source {
                path: site.clone(),
                reason: e.to_string(),
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let (meta_path, requires_txt) = if name.ends_with(".dist-info") {
                (entry.join("METADATA"), None)
            } else if name.ends_with(".egg-info") && entry.is_dir() {
                (entry.join("PKG-INFO"), Some(entry.join("requires.txt")))
            } else if name.ends_with(".egg-info") {
                (entry.clone(), None)
            } else {
                continue;
            };
            if !meta_path.is_file() {
                continue;
            }
            let text = read_text(&meta_path, METADATA_LIMIT)?;
            let mut m = metadata::parse(text.as_bytes()).map_err(|reason| SbomError::Metadata {
                path: meta_path.clone(),
                reason,
            })?;
            if let Some(req) = requires_txt.filter(|p| p.is_file())
                && m.requires_dist.is_empty()
            {
                let t = read_text(&req, METADATA_LIMIT)?;
                m.requires_dist = metadata::from_requires_txt(t.as_bytes());
            }
            let (Some(n), Some(v)) = (m.name.clone(), m.version.clone()) else {
                universe.warnings.push(format!(
                    "{} has no Name or Version; skipped",
                    meta_path.display()
                ));
                continue;
            };
            let package = python_package(&m, &n, &v);
            let reqs = parse_requirements(&package.key, &m.requires_dist, &mut universe.warnings);
            universe.insert(Node {
                package,
                deps: Deps::Requires(reqs),
            });
        }
    }
    Ok(universe)
}

/// The site-packages folders of a venv (or the folder itself), and the venv's Python
/// version from `pyvenv.cfg` or the `lib/pythonX.Y` folder name.
fn locate(path: &Path) -> Result<(Vec<PathBuf>, Option<String>), String> {
    let cfg = path.join("pyvenv.cfg");
    let mut python = None;
    if cfg.is_file() {
        let text = crate::input_file::read_text(&cfg, crate::input_file::PYVENV_CFG)
            .map_err(|e| e.to_string())?;
        for line in text.lines() {
            if let Some((k, v)) = line.split_once('=') {
                let k = k.trim();
                if k == "version_info" || (k == "version" && python.is_none()) {
                    python = Some(v.trim().to_owned());
                }
            }
        }
    } else {
        return Ok((vec![path.to_owned()], python));
    }
    let mut dirs = Vec::new();
    for lib in ["lib", "lib64", "Lib"] {
        let lib = path.join(lib);
        if lib.join("site-packages").is_dir() {
            dirs.push(lib.join("site-packages"));
        }
        let Ok(rd) = std::fs::read_dir(&lib) else {
            continue;
        };
        let mut found: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("python"))
                    && p.join("site-packages").is_dir()
            })
            .map(|p| p.join("site-packages"))
            .collect();
        found.sort();
        dirs.extend(found);
    }
    // lib64 is often a symlink to lib: read each folder once.
    let mut canon = std::collections::BTreeSet::new();
    dirs.retain(|d| canon.insert(std::fs::canonicalize(d).unwrap_or_else(|_| d.clone())));
    if dirs.is_empty() {
        return Err("a virtualenv without a site-packages folder".into());
    }
    if python.is_none() {
        python = dirs.iter().find_map(|d| {
            d.parent()?
                .file_name()?
                .to_str()?
                .strip_prefix("python")
                .map(str::to_owned)
        });
    }
    Ok((dirs, python))
}
