//! Resolution by pip: `python -m pip install --dry-run --ignore-installed --report`. pip's
//! own configuration (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, ...) applies.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use super::{Deps, Node, Universe, parse_requirements, python_package};
use crate::sbom::SbomError;
use crate::sbom::metadata::CoreMetadata;
use crate::sbom::model::Resolution;
use crate::sbom::pep508::MarkerEnv;

#[derive(Debug, Deserialize)]
struct Report {
    #[serde(default)]
    install: Vec<Install>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct Install {
    metadata: ReportMetadata,
    #[serde(default)]
    download_info: Option<DownloadInfo>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportMetadata {
    name: String,
    version: String,
    summary: Option<String>,
    home_page: Option<String>,
    author: Option<String>,
    author_email: Option<String>,
    maintainer: Option<String>,
    maintainer_email: Option<String>,
    license: Option<String>,
    license_expression: Option<String>,
    classifier: Vec<String>,
    requires_dist: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct DownloadInfo {
    url: Option<String>,
    archive_info: Option<ArchiveInfo>,
}

#[derive(Debug, Deserialize)]
struct ArchiveInfo {
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

/// Runs pip for `artifact` with `python` and reads its report.
pub fn pip_report(python: &str, artifact: &Path) -> Result<Universe, SbomError> {
    let fail = |reason: String| SbomError::Pip {
        artifact: crate::report::display_path(artifact),
        reason,
    };
    let out = Command::new(python)
        .args([
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--disable-pip-version-check",
            "--report",
            "-",
        ])
        // `./` keeps a file named like an option (`-i…`) from being read as one.
        .arg(if artifact.is_absolute() {
            artifact.to_owned()
        } else {
            Path::new(".").join(artifact)
        })
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| fail(format!("couldn't run {python:?}: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(fail(format!("{} ({})", last.trim(), out.status)));
    }
    parse_report(&out.stdout).map_err(fail)
}

pub(crate) fn parse_report(bytes: &[u8]) -> Result<Universe, String> {
    let report: Report =
        serde_json::from_slice(bytes).map_err(|e| format!("unreadable pip report: {e}"))?;
    let mut env = MarkerEnv(report.environment);
    if env.0.is_empty() {
        env = MarkerEnv::host(None);
    }
    let mut universe = Universe::new(env, Resolution::Pip);
    for item in report.install {
        let r = item.metadata;
        let m = CoreMetadata {
            name: Some(r.name.clone()),
            version: Some(r.version.clone()),
            summary: r.summary,
            home_page: r.home_page,
            author: r.author,
            author_email: r.author_email,
            maintainer: r.maintainer,
            maintainer_email: r.maintainer_email,
            license: r.license,
            license_expression: r.license_expression,
            classifiers: r.classifier,
            ..Default::default()
        };
        let mut package = python_package(&m, &r.name, &r.version);
        if let Some(d) = item.download_info {
            package.distributor = d.url.as_deref().and_then(crate::sbom::model::distributor);
            // A local file path says nothing useful to a reader elsewhere.
            package.download = d
                .url
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
            if let Some(a) = d.archive_info {
                for (alg, hex) in a.hashes {
                    if let Some(alg) = hash_name(&alg) {
                        package
                            .hashes
                            .push((alg.to_owned(), hex.to_ascii_lowercase()));
                    }
                }
            }
        }
        let reqs = parse_requirements(&package.key, &r.requires_dist, &mut universe.warnings);
        universe.insert(Node {
            package,
            deps: Deps::Requires(reqs),
        });
    }
    Ok(universe)
}

/// `sha256` → `SHA256`, for the algorithms both formats know.
pub(crate) fn hash_name(alg: &str) -> Option<&'static str> {
    match alg.to_ascii_lowercase().as_str() {
        "sha256" => Some("SHA256"),
        "sha384" => Some("SHA384"),
        "sha512" => Some("SHA512"),
        "sha1" => Some("SHA1"),
        "md5" => Some("MD5"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pips_report() -> Result<(), String> {
        let report = br#"{"version": "1", "install": [
            {"metadata": {"name": "idna", "version": "3.10", "author_email": "Kim Davies <kim@x.org>",
                          "classifier": ["License :: OSI Approved :: BSD License"]},
             "download_info": {"url": "https://files.pythonhosted.org/packages/idna-3.10-py3-none-any.whl",
                               "archive_info": {"hashes": {"sha256": "ABCD"}}}},
            {"metadata": {"name": "requests", "version": "2.32.3", "requires_dist": ["idna<4,>=2.5", "bogus ((("]},
             "download_info": {"url": "file:///tmp/requests-2.32.3-py3-none-any.whl"}}],
            "environment": {"python_version": "3.12", "sys_platform": "linux"}}"#;
        let u = parse_report(report)?;
        assert_eq!(
            u.env.0.get("python_version").map(String::as_str),
            Some("3.12")
        );
        let idna = &u.nodes["pypi:idna@3.10"].package;
        assert_eq!(idna.hashes, [("SHA256".to_owned(), "abcd".to_owned())]);
        assert_eq!(
            idna.distributor.as_deref(),
            Some("Python Package Index (pypi.org)")
        );
        assert!(matches!(
            idna.license,
            Some(crate::sbom::license::License::Other { .. })
        ));
        let requests = &u.nodes["pypi:requests@2.32.3"].package;
        assert_eq!(requests.download, None, "a local file URL is not recorded");
        assert_eq!(u.warnings.len(), 1, "{:?}", u.warnings);
        Ok(())
    }
}
