//! Python core metadata (METADATA / PKG-INFO, RFC 822 style), `pyproject.toml` `[project]`
//! and setuptools' `requires.txt`, read into one shape.

use serde::Deserialize;

/// The fields an SBOM uses. Multi-valued fields keep their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoreMetadata {
    pub metadata_version: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub summary: Option<String>,
    pub home_page: Option<String>,
    pub download_url: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    pub license: Option<String>,
    pub license_expression: Option<String>,
    pub license_files: Vec<String>,
    pub classifiers: Vec<String>,
    pub requires_dist: Vec<String>,
    pub requires_python: Option<String>,
    pub provides_extra: Vec<String>,
    pub project_urls: Vec<String>,
    pub dynamic: Vec<String>,
}

/// Parses METADATA or PKG-INFO. Headers only: the body (the long description) is skipped.
pub fn parse(bytes: &[u8]) -> Result<CoreMetadata, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 (invalid byte at offset {}); core metadata must be UTF-8",
            e.valid_up_to()
        )
    })?;
    let mut m = CoreMetadata::default();
    let mut current: Option<(String, String)> = None;
    let mut lines = text.split('\n');
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines.by_ref() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.as_mut() {
                v.push('\n');
                v.push_str(line.trim_start());
                continue;
            }
            return Err("a continuation line comes before any header".to_owned());
        }
        let Some((k, v)) = line.split_once(':') else {
            return Err(format!("line {line:?} is not a `Name: value` header"));
        };
        if let Some(done) = current.take() {
            headers.push(done);
        }
        current = Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    headers.extend(current);
    for (k, v) in headers {
        let one = |slot: &mut Option<String>| {
            if !v.is_empty() && !v.eq_ignore_ascii_case("UNKNOWN") {
                *slot = Some(v.clone());
            }
        };
        match k.as_str() {
            "metadata-version" => one(&mut m.metadata_version),
            "name" => one(&mut m.name),
            "version" => one(&mut m.version),
            "summary" => one(&mut m.summary),
            "home-page" => one(&mut m.home_page),
            "download-url" => one(&mut m.download_url),
            "author" => one(&mut m.author),
            "author-email" => one(&mut m.author_email),
            "maintainer" => one(&mut m.maintainer),
            "maintainer-email" => one(&mut m.maintainer_email),
            "license" => one(&mut m.license),
            "license-expression" => one(&mut m.license_expression),
            "license-file" => m.license_files.push(v),
            "classifier" => m.classifiers.push(v),
            "requires-dist" => m.requires_dist.push(v),
            "requires-python" => one(&mut m.requires_python),
            "provides-extra" => m.provides_extra.push(v),
            "project-url" => m.project_urls.push(v),
            "dynamic" => m.dynamic.push(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    Ok(m)
}

impl CoreMetadata {
    /// True when PKG-INFO cannot be trusted for `field`: metadata older than 2.2 (where
    /// any field may be computed at build time) or a field marked `Dynamic`.
    pub fn is_unreliable(&self, field: &str) -> bool {
        let old = self
            .metadata_version
            .as_deref()
            .and_then(|v| {
                let (a, b) = v.split_once('.')?;
                Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?))
            })
            .is_none_or(|v| v < (2, 2));
        old || self.dynamic.iter().any(|d| d == field)
    }

    /// Fills what `self` lacks from `other` (a fallback source).
    pub fn fill_from(&mut self, other: CoreMetadata) {
        macro_rules! fill {
            ($($f:ident),*) => {$(
                if self.$f.is_none() { self.$f = other.$f; }
            )*};
        }
        fill!(
            name,
            version,
            summary,
            home_page,
            download_url,
            author,
            author_email,
            maintainer,
            maintainer_email,
            license,
            license_expression,
            requires_python
        );
        macro_rules! fill_list {
            ($($f:ident),*) => {$(
                if self.$f.is_empty() { self.$f = other.$f; }
            )*};
        }
        fill_list!(
            classifiers,
            requires_dist,
            provides_extra,
            project_urls,
            license_files
        );
    }

    /// The supplier as SPDX writes it: `Person: Name (email)`, or `None` when unknown.
    pub fn supplier(&self) -> Option<Party> {
        party(self.author.as_deref(), self.author_email.as_deref())
            .or_else(|| party(self.maintainer.as_deref(), self.maintainer_email.as_deref()))
    }
}

/// A person or organisation named in metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub email: Option<String>,
}

/// `Author` plus `Author-email`; the latter may hold `Name <mail>, Other <mail>`.
fn party(name: Option<&str>, email: Option<&str>) -> Option<Party> {
    let first_mail = email.and_then(|e| e.split(',').next()).map(str::trim);
    let (mail_name, mail) = match first_mail {
        Some(m) => match m.split_once('<') {
            Some((n, rest)) => (
                Some(n.trim().trim_matches('"').trim()).filter(|s| !s.is_empty()),
                Some(rest.trim_end_matches('>').trim()),
            ),
            None => (None, Some(m)),
        },
        None => (None, None),
    };
    let mail = mail.filter(|m| m.contains('@')).map(str::to_owned);
    let name = name
        .map(|n| n.lines().next().unwrap_or(n).trim())
        .filter(|n| !n.is_empty())
        .or(mail_name)
        .map(str::to_owned);
    match (name, mail) {
        (Some(name), email) => Some(Party { name, email }),
        (None, Some(m)) => Some(Party {
            name: m.clone(),
            email: Some(m),
        }),
        (None, None) => None,
    }
}

/// `pyproject.toml`'s `[project]` table, the parts we read.
#[derive(Debug, Default, Deserialize)]
struct Pyproject {
    project: Option<Project>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Project {
    name: Option<String>,
    version: Option<String>,
    description: Option<String>,
    license: Option<ProjectLicense>,
    authors: Vec<ProjectPerson>,
    maintainers: Vec<ProjectPerson>,
    dependencies: Vec<String>,
    #[serde(rename = "optional-dependencies")]
    optional_dependencies: std::collections::BTreeMap<String, Vec<String>>,
    classifiers: Vec<String>,
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    dynamic: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ProjectLicense {
    Expression(String),
    Table {
        text: Option<String>,
        #[allow(dead_code)]
        file: Option<String>,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProjectPerson {
    name: Option<String>,
    email: Option<String>,
}

/// Reads `[project]` from pyproject.toml as core metadata (static fields only).
pub fn from_pyproject(bytes: &[u8]) -> Result<CoreMetadata, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "pyproject.toml is not UTF-8".to_owned())?;
    let doc: Pyproject = toml::from_str(text).map_err(|e| format!("pyproject.toml: {e}"))?;
    let Some(p) = doc.project else {
        return Ok(CoreMetadata::default());
    };
    let dynamic: Vec<String> = p.dynamic.iter().map(|d| d.to_ascii_lowercase()).collect();
    let is_dyn = |f: &str| dynamic.iter().any(|d| d == f);
    let mut m = CoreMetadata {
        name: p.name,
        version: p.version.filter(|_| !is_dyn("version")),
        summary: p.description,
        classifiers: p.classifiers,
        requires_python: p.requires_python,
        dynamic: dynamic.clone(),
        ..Default::default()
    };
    match p.license {
        Some(ProjectLicense::Expression(e)) => m.license_expression = Some(e),
        Some(ProjectLicense::Table { text, .. }) => m.license = text,
        None => {}
    }
    let person = |list: &[ProjectPerson]| list.first().map(|a| (a.name.clone(), a.email.clone()));
    if let Some((n, e)) = person(&p.authors) {
        m.author = n;
        m.author_email = e;
    }
    if let Some((n, e)) = person(&p.maintainers) {
        m.maintainer = n;
        m.maintainer_email = e;
    }
    if !is_dyn("dependencies") {
        m.requires_dist = p.dependencies;
        for (extra, reqs) in p.optional_dependencies {
            m.provides_extra.push(extra.clone());
            for r in reqs {
                m.requires_dist.push(with_extra_marker(&r, &extra, None));
            }
        }
    }
    Ok(m)
}

/// setuptools' `requires.txt`: plain requirements, then `[extra]`, `[:marker]` or
/// `[extra:marker]` sections.
pub fn from_requires_txt(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut section: (Option<String>, Option<String>) = (None, None);
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let (extra, marker) = match s.split_once(':') {
                Some((e, m)) => (e.trim(), Some(m.trim().to_owned())),
                None => (s.trim(), None),
            };
            section = (Some(extra.to_owned()).filter(|e| !e.is_empty()), marker);
            continue;
        }
        match &section {
            (None, None) => out.push(line.to_owned()),
            (Some(e), m) => out.push(with_extra_marker(line, e, m.as_deref())),
            (None, Some(m)) => out.push(add_marker(line, m)),
        }
    }
    out
}

fn with_extra_marker(req: &str, extra: &str, marker: Option<&str>) -> String {
    let extra_m = format!("extra == \"{extra}\"");
    let m = match marker {
        Some(m) => format!("({m}) and {extra_m}"),
        None => extra_m,
    };
    add_marker(req, &m)
}

fn add_marker(req: &str, marker: &str) -> String {
    match req.split_once(';') {
        Some((r, existing)) => format!("{}; ({}) and ({marker})", r.trim(), existing.trim()),
        None => format!("{}; {marker}", req.trim()),
    }
}

/// PEP 503 normalised name: lowercase, runs of `-_.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_and_continuations() -> Result<(), String> {
        let m = parse(
            b"Metadata-Version: 2.4\nName: Foo_Bar\nVersion: 1.0\nLicense: line one\n        line two\nRequires-Dist: idna>=2; extra == \"x\"\nRequires-Dist: six\nAuthor-email: \"Jane D\" <j@x.org>, B <b@x>\n\nBody: not a header\n",
        )?;
        assert_eq!(m.name.as_deref(), Some("Foo_Bar"));
        assert_eq!(m.license.as_deref(), Some("line one\nline two"));
        assert_eq!(m.requires_dist.len(), 2);
        assert_eq!(
            m.supplier(),
            Some(Party {
                name: "Jane D".into(),
                email: Some("j@x.org".into())
            })
        );
        assert!(!m.is_unreliable("version"));
        assert!(parse(b"Name: \xff\n").is_err());
        Ok(())
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(normalize("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize("zope.interface"), "zope-interface");
    }

    #[test]
    fn requires_txt_sections() {
        let r = from_requires_txt(
            b"six\n\n[socks]\nPySocks>=1.5\n\n[:python_version < \"3.8\"]\nimportlib-metadata\n",
        );
        assert_eq!(
            r,
            [
                "six",
                "PySocks>=1.5; extra == \"socks\"",
                "importlib-metadata; python_version < \"3.8\""
            ]
        );
    }
}
