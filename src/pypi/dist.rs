//! Python distribution file names and contents: a wheel (`name-ver[-build]-py-abi-plat.whl`,
//! the binary distribution format) or an sdist (`name-ver.tar.gz`, PEP 625), with the
//! project name normalised as those specifications and PyPI require.

use std::io::Read as _;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

/// Why a subject cannot carry a PyPI attestation. Every message names the subject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a Python distribution PyPI accepts: {reason}")]
pub struct DistError {
    pub name: String,
    pub reason: String,
}

/// A wheel or an sdist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistKind {
    Wheel,
    Sdist,
}

/// A parsed distribution file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistName {
    pub kind: DistKind,
    /// The file name, exactly as checked: what the attestation's subject carries.
    pub file_name: String,
    /// The normalised project name (`_` for runs of `-_.`, lowercase).
    pub project: String,
    pub version: String,
}

// PEP 440's version grammar (the `packaging` reference pattern), anchored.
static VERSION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^v?
        (?:[0-9]+!)?
        [0-9]+(?:\.[0-9]+)*
        (?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?
        (?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?
        (?:[-_.]?dev[-_.]?[0-9]*)?
        (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?
        $",
    )
    .ok()
});

/// The project name as PEP 503 and the wheel spec normalise it for file names.
pub fn normalise_project(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('_');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

fn valid_project(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    !name.is_empty()
        && name.starts_with(alnum)
        && name.ends_with(alnum)
        && name
            .chars()
            .all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

fn valid_version(v: &str) -> bool {
    VERSION.as_ref().is_some_and(|re| re.is_match(v))
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Checks a distribution file name: no path, a known extension, the naming rules, and a
/// project name already normalised (PyPI rejects other spellings at upload).
pub fn parse(name: &str) -> Result<DistName, DistError> {
    let fail = |reason: String| DistError {
        name: name.to_owned(),
        reason,
    };
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(fail(
            "a distribution's name is a file name, not a path".to_owned(),
        ));
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(fail(
            "it contains whitespace or control characters".to_owned(),
        ));
    }
    let (kind, project, version) = if let Some(stem) = name.strip_suffix(".whl") {
        let parts: Vec<&str> = stem.split('-').collect();
        let (project, version, build, tags) = match parts.as_slice() {
            [n, v, py, abi, plat] => (*n, *v, None, [*py, *abi, *plat]),
            [n, v, b, py, abi, plat] => (*n, *v, Some(*b), [*py, *abi, *plat]),
            _ => {
                return Err(fail(
                    "a wheel is named NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl".to_owned(),
                ));
            }
        };
        if let Some(b) = build
            && !(b.starts_with(|c: char| c.is_ascii_digit())
                && b.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        {
            return Err(fail(format!("the build tag {b:?} must start with a digit")));
        }
        if let Some(t) = tags.iter().find(|t| !valid_tag(t)) {
            return Err(fail(format!("{t:?} is not a valid wheel tag")));
        }
        (DistKind::Wheel, project, version)
    } else if let Some(stem) = name.strip_suffix(".tar.gz") {
        let Some((project, version)) = stem.rsplit_once('-') else {
            return Err(fail("an sdist is named NAME-VERSION.tar.gz".to_owned()));
        };
        (DistKind::Sdist, project, version)
    } else if name.ends_with(".zip") || name.to_ascii_lowercase().ends_with(".tar.gz") {
        return Err(fail(
            "PyPI accepts source distributions only as NAME-VERSION.tar.gz (PEP 625)".to_owned(),
        ));
    } else if name.to_ascii_lowercase().ends_with(".whl") {
        return Err(fail("the wheel extension is .whl, in lowercase".to_owned()));
    } else {
        return Err(fail(
            "only wheels (.whl) and sdists (.tar.gz) carry PyPI attestations".to_owned(),
        ));
    };
    if !valid_project(project) {
        return Err(fail(format!(
            "{project:?} is not a valid project name (letters, digits, and - _ . inside)"
        )));
    }
    let normal = normalise_project(project);
    if project != normal {
        return Err(fail(format!(
            "the project name {project:?} is not normalised; build tools and PyPI spell it {normal:?} in file names"
        )));
    }
    if !valid_version(version) {
        return Err(fail(format!("{version:?} is not a PEP 440 version")));
    }
    Ok(DistName {
        kind,
        file_name: name.to_owned(),
        project: normal,
        version: version.to_owned(),
    })
}

/// Checks that the file is what its name says: a zip archive for a wheel, gzip for an sdist.
pub fn check_contents(dist: &DistName, path: &Path) -> Result<(), DistError> {
    let fail = |reason: String| DistError {
        name: dist.file_name.clone(),
        reason,
    };
    let mut head = [0u8; 4];
    let n = std::fs::File::open(path)
        .and_then(|f| {
            let mut n = 0;
            let mut f = f.take(4);
            loop {
                let k = f.read(&mut head[n..])?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            Ok(n)
        })
        .map_err(|e| fail(format!("couldn't read it: {e}")))?;
    let head = &head[..n];
    match dist.kind {
        DistKind::Wheel if head == b"PK\x03\x04" => Ok(()),
        DistKind::Wheel => Err(fail(
            "the file is not a zip archive, as a wheel is".to_owned(),
        )),
        DistKind::Sdist if head.starts_with(&[0x1f, 0x8b]) => Ok(()),
        DistKind::Sdist => Err(fail(
            "the file is not gzip-compressed, as a .tar.gz sdist is".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names() -> Result<(), DistError> {
        for (name, kind, project, version) in [
            ("app-1.0-py3-none-any.whl", DistKind::Wheel, "app", "1.0"),
            (
                "my_pkg-2.0.1rc1-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                DistKind::Wheel,
                "my_pkg",
                "2.0.1rc1",
            ),
            (
                "my_pkg-0.1.dev3+g1234.tar.gz",
                DistKind::Sdist,
                "my_pkg",
                "0.1.dev3+g1234",
            ),
            ("a-1!2.0.post1.tar.gz", DistKind::Sdist, "a", "1!2.0.post1"),
        ] {
            let d = parse(name)?;
            assert_eq!(
                (d.kind, d.project.as_str(), d.version.as_str()),
                (kind, project, version),
                "{name}"
            );
            assert_eq!(d.file_name, name);
        }
        Ok(())
    }

    #[test]
    fn hostile_and_odd_names_are_refused_with_a_reason() {
        for (name, why) in [
            ("../app-1.0-py3-none-any.whl", "not a path"),
            ("dist/app-1.0.tar.gz", "not a path"),
            ("..\\app-1.0.tar.gz", "not a path"),
            ("App-1.0-py3-none-any.whl", "not normalised"),
            ("my-pkg-1.0.tar.gz", "not normalised"),
            ("my.pkg-1.0-py3-none-any.whl", "not normalised"),
            ("my__pkg-1.0.tar.gz", "not normalised"),
            ("app-1.0-py3-none-any.WHL", "lowercase"),
            ("app-1.0.zip", "PEP 625"),
            ("app-1.0.TAR.GZ", "PEP 625"),
            ("app-1.0.tar.bz2", "only wheels"),
            ("app.exe", "only wheels"),
            ("app-1.0-any.whl", "NAME-VERSION"),
            ("app-1.0-x-py3-none-any.whl", "build tag"),
            ("app-one-py3-none-any.whl", "PEP 440"),
            ("app-1.0-py3-no ne-any.whl", "whitespace"),
            ("app-1.0-py3-none-a/ny.whl", "not a path"),
            ("-1.0.tar.gz", "valid project"),
            ("_app-1.0.tar.gz", "valid project"),
            ("app.tar.gz", "NAME-VERSION"),
            ("app-1.0-py3-none-.whl", "wheel tag"),
            ("app-1.0\n.tar.gz", "control"),
        ] {
            match parse(name) {
                Ok(d) => panic!("{name:?} was accepted: {d:?}"),
                Err(e) => {
                    let text = e.to_string();
                    assert!(text.contains(why), "{name:?}: {text}");
                    assert!(!text.contains('\n'), "{text}");
                }
            }
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalise_project("Foo.Bar--baz"), "foo_bar_baz");
        assert_eq!(normalise_project("a_b"), "a_b");
    }

    #[test]
    fn contents_must_match_the_kind() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let whl = parse("app-1.0-py3-none-any.whl")?;
        let sdist = parse("app-1.0.tar.gz")?;
        let p = dir.path().join("x");
        std::fs::write(&p, b"PK\x03\x04rest")?;
        assert!(check_contents(&whl, &p).is_ok());
        assert!(check_contents(&sdist, &p).is_err());
        std::fs::write(&p, [0x1f, 0x8b, 8, 0])?;
        assert!(check_contents(&sdist, &p).is_ok());
        let e = check_contents(&whl, &p).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("not a zip")));
        std::fs::write(&p, b"")?;
        assert!(check_contents(&whl, &p).is_err());
        Ok(())
    }
}
