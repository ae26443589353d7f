//! Package URLs (`pkg:type/namespace/name@version?qualifiers#subpath`), as far as matching
//! needs: type, namespace, name and version, percent-decoded strictly.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid package URL {purl:?}: {reason}")]
pub struct PurlError {
    pub purl: String,
    pub reason: &'static str,
}

impl Purl {
    pub fn parse(s: &str) -> Result<Purl, PurlError> {
        let err = |reason| PurlError {
            purl: s.chars().take(200).collect(),
            reason,
        };
        let rest = s
            .trim()
            .strip_prefix("pkg:")
            .ok_or_else(|| err("it does not start with pkg:"))?;
        let rest = rest.trim_start_matches('/');
        // Subpath and qualifiers are not needed.
        let rest = rest.split('#').next().unwrap_or(rest);
        let rest = rest.split('?').next().unwrap_or(rest);
        let (ty, path) = rest.split_once('/').ok_or_else(|| err("it has no name"))?;
        if ty.is_empty()
            || !ty
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
        {
            return Err(err("its type is not valid"));
        }
        let ty = ty.to_ascii_lowercase();
        // The version follows the last '@' (an npm scope's '@' is percent-encoded as %40,
        // though many tools leave it raw in the namespace).
        let (path, version) = match path.rsplit_once('@') {
            Some((p, v)) if !p.is_empty() && !p.ends_with('/') => (p, Some(v)),
            _ => (path, None),
        };
        let mut segments: Vec<String> = path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|seg| decode(seg).ok_or_else(|| err("it has a bad percent-escape")))
            .collect::<Result<_, _>>()?;
        let name = segments.pop().ok_or_else(|| err("it has no name"))?;
        if name.is_empty() {
            return Err(err("it has no name"));
        }
        if segments.iter().chain([&name]).any(|s| s.contains('/')) {
            return Err(err("a decoded segment contains '/'"));
        }
        let namespace = if segments.is_empty() {
            None
        } else {
            Some(segments.join("/"))
        };
        let version = match version {
            Some(v) => Some(decode(v).ok_or_else(|| err("its version has a bad percent-escape"))?),
            None => None,
        }
        .filter(|v| !v.is_empty());
        Ok(Purl {
            ty,
            namespace,
            name,
            version,
        })
    }

    /// The package name as its ecosystem writes it (npm: `@scope/name`).
    pub fn package_name(&self) -> String {
        match (&self.namespace, self.ty.as_str()) {
            (Some(ns), "npm") => {
                let ns = if ns.starts_with('@') {
                    ns.clone()
                } else {
                    format!("@{ns}")
                };
                format!("{ns}/{}", self.name)
            }
            (Some(ns), _) => format!("{ns}/{}", self.name),
            (None, _) => self.name.clone(),
        }
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/{}", self.ty, self.package_name())?;
        if let Some(v) = &self.version {
            write!(f, "@{v}")?;
        }
        Ok(())
    }
}

/// Strict percent-decoding: every `%` must be followed by two hex digits and the result
/// must be UTF-8 without control characters.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    if s.chars().any(char::is_control) {
        return None;
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_purls() -> Result<(), PurlError> {
        let p = Purl::parse("pkg:pypi/requests@2.19.1")?;
        assert_eq!((p.ty.as_str(), p.name.as_str()), ("pypi", "requests"));
        assert_eq!(p.version.as_deref(), Some("2.19.1"));
        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0?x=y#sub")?;
        assert_eq!(p.package_name(), "@babel/core");
        assert_eq!(p.version.as_deref(), Some("7.0.0"));
        let p = Purl::parse("pkg:npm/@babel/core@7.0.0")?;
        assert_eq!(p.package_name(), "@babel/core");
        let p = Purl::parse("pkg:pypi/zope.interface@5.0%2Blocal")?;
        assert_eq!(p.version.as_deref(), Some("5.0+local"));
        Ok(())
    }

    #[test]
    fn rejects_odd_escaping() {
        for bad in [
            "pkg:pypi/req%zzuests@1.0",
            "pkg:pypi/requests@1.0%",
            "pkg:pypi/a%2Fb@1",
            "pkg:pypi/x%00@1",
            "pkg:pypi/%FF%FE@1",
            "pypi/requests@1",
            "pkg:/x",
            "pkg:py pi/x@1",
        ] {
            assert!(Purl::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
