//! Version ordering per ecosystem: PEP 440 for PyPI, SemVer 2.0 for crates.io and npm.
//!
//! OSV compares versions by the ecosystem's plain ordering (no specifier rules such as
//! PEP 440's "pre-releases are excluded"), so all this module does is parse and order.

use std::cmp::Ordering;

/// A parsed version of some ecosystem; only versions of the same ecosystem are compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Pep440(Pep440),
    Semver(semver::Version),
}

impl Version {
    pub fn parse(ecosystem: Ecosystem, s: &str) -> Option<Version> {
        match ecosystem {
            Ecosystem::PyPI => Pep440::parse(s).map(Version::Pep440),
            Ecosystem::CratesIo | Ecosystem::Npm => {
                let s = s.trim();
                let s = s.strip_prefix('v').unwrap_or(s);
                semver::Version::parse(s).ok().map(Version::Semver)
            }
        }
    }

    pub fn cmp_same(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            // SemVer precedence ignores build metadata (`semver`'s Ord does not).
            (Version::Semver(a), Version::Semver(b)) => Some(
                (a.major, a.minor, a.patch)
                    .cmp(&(b.major, b.minor, b.patch))
                    .then_with(|| a.pre.cmp(&b.pre)),
            ),
            _ => None,
        }
    }
}

/// The ecosystems `audit` understands (OSV spelling: `PyPI`, `crates.io`, `npm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Ecosystem {
    PyPI,
    CratesIo,
    Npm,
}

impl Ecosystem {
    pub fn from_osv(s: &str) -> Option<Ecosystem> {
        // OSV may qualify an ecosystem (`npm:...` is not used, but `Debian:11` style is).
        match s.split(':').next().unwrap_or(s) {
            "PyPI" => Some(Ecosystem::PyPI),
            "crates.io" => Some(Ecosystem::CratesIo),
            "npm" => Some(Ecosystem::Npm),
            _ => None,
        }
    }

    pub fn from_purl_type(t: &str) -> Option<Ecosystem> {
        match t {
            "pypi" => Some(Ecosystem::PyPI),
            "cargo" => Some(Ecosystem::CratesIo),
            "npm" => Some(Ecosystem::Npm),
            _ => None,
        }
    }

    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::PyPI => "PyPI",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
        }
    }

    /// The package name as compared: PEP 503 normalisation for PyPI; npm and crates.io
    /// names are compared as given (crates.io is case-insensitive, names are lowercase).
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut dash = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        dash = true;
                    } else {
                        if dash && !out.is_empty() {
                            out.push('-');
                        }
                        dash = false;
                        out.extend(c.to_lowercase());
                    }
                }
                out
            }
            Ecosystem::CratesIo => name.trim().to_ascii_lowercase().replace('_', "-"),
            Ecosystem::Npm => name.trim().to_owned(),
        }
    }
}

/// A PEP 440 version, normalised. Ordering follows PEP 440 (and `packaging.version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    pub epoch: u64,
    pub release: Vec<u64>,
    /// (0 = a, 1 = b, 2 = rc, number)
    pub pre: Option<(u8, u64)>,
    pub post: Option<u64>,
    pub dev: Option<u64>,
    pub local: Vec<LocalPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalPart {
    Num(u64),
    Str(String),
}

impl Ord for LocalPart {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (LocalPart::Num(a), LocalPart::Num(b)) => a.cmp(b),
            (LocalPart::Str(a), LocalPart::Str(b)) => a.cmp(b),
            // Numeric segments sort after alphanumeric ones.
            (LocalPart::Num(_), LocalPart::Str(_)) => Ordering::Greater,
            (LocalPart::Str(_), LocalPart::Num(_)) => Ordering::Less,
        }
    }
}

impl PartialOrd for LocalPart {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Pep440 {
    /// Parses the PEP 440 forms `packaging.version.Version` accepts (with its normalisation:
    /// case, `v` prefix, `-`/`_`/`.` separators, alternative spellings, implicit numbers).
    pub fn parse(input: &str) -> Option<Pep440> {
        let s = input.trim().to_ascii_lowercase();
        let s = s.strip_prefix('v').unwrap_or(&s);
        let (public, local) = match s.split_once('+') {
            Some((p, l)) => (p, Some(l)),
            None => (s, None),
        };
        let mut rest = public;
        let mut epoch = 0;
        if let Some((e, r)) = rest.split_once('!') {
            epoch = num(e)?;
            rest = r;
        }
        // Release: digits and dots.
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (rel, mut tail) = rest.split_at(end);
        let rel = if tail.is_empty() {
            rel
        } else {
            // A trailing '.' belongs to the separator of the next segment.
            rel.strip_suffix('.').unwrap_or(rel)
        };
        if rel.is_empty() {
            return None;
        }
        let release = rel.split('.').map(num).collect::<Option<Vec<_>>>()?;
        let mut pre = None;
        let mut post = None;
        let mut dev = None;
        // pre-release
        let t = strip_sep(tail);
        for (word, kind) in [
            ("alpha", 0),
            ("beta", 1),
            ("preview", 2),
            ("pre", 2),
            ("rc", 2),
            ("a", 0),
            ("b", 1),
            ("c", 2),
        ] {
            if let Some(r) = t.strip_prefix(word) {
                let (n, r) = opt_num(r);
                pre = Some((kind, n));
                tail = r;
                break;
            }
        }
        // post-release: "-N" or [sep](post|rev|r)[sep]N
        if let Some(r) = tail
            .strip_prefix('-')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        {
            let (n, r) = digits(r);
            post = Some(n?);
            tail = r;
        } else {
            let t = strip_sep(tail);
            for word in ["post", "rev", "r"] {
                if let Some(r) = t.strip_prefix(word) {
                    let (n, r) = opt_num(r);
                    post = Some(n);
                    tail = r;
                    break;
                }
            }
        }
        let t = strip_sep(tail);
        if let Some(r) = t.strip_prefix("dev") {
            let (n, r) = opt_num(r);
            dev = Some(n);
            tail = r;
        }
        if !tail.is_empty() {
            return None;
        }
        let local = match local {
            None => Vec::new(),
            Some(l) => {
                let parts: Vec<&str> = l.split(['.', '-', '_']).collect();
                if parts
                    .iter()
                    .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric()))
                {
                    return None;
                }
                parts
                    .into_iter()
                    .map(|p| match p.parse::<u64>() {
                        Ok(n) if p.chars().all(|c| c.is_ascii_digit()) => LocalPart::Num(n),
                        _ => LocalPart::Str(p.to_owned()),
                    })
                    .collect()
            }
        };
        Some(Pep440 {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    fn release_trimmed(&self) -> &[u64] {
        let mut r = &self.release[..];
        while let [head @ .., 0] = r {
            r = head;
        }
        r
    }
}

fn num(s: &str) -> Option<u64> {
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn digits(s: &str) -> (Option<u64>, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    (num(&s[..end]), &s[end..])
}

/// An optional separator and number after a pre/post/dev word; a missing number is 0.
fn opt_num(s: &str) -> (u64, &str) {
    let t = strip_sep(s);
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        let (n, r) = digits(t);
        (n.unwrap_or(u64::MAX), r)
    } else {
        (0, s)
    }
}

fn strip_sep(s: &str) -> &str {
    s.strip_prefix(['.', '-', '_']).unwrap_or(s)
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        // The key packaging uses: epoch, release without trailing zeros, then pre/post/dev
        // with the rules that a dev-only release sorts before its pre-releases and a
        // missing pre-release sorts after any pre-release.
        fn pre_key(v: &Pep440) -> (i8, u8, u64) {
            match (v.pre, v.post, v.dev) {
                (None, None, Some(_)) => (-1, 0, 0),
                (None, _, _) => (1, 0, 0),
                (Some((k, n)), _, _) => (0, k, n),
            }
        }
        fn post_key(v: &Pep440) -> (i8, u64) {
            match v.post {
                None => (-1, 0),
                Some(n) => (0, n),
            }
        }
        fn dev_key(v: &Pep440) -> (i8, u64) {
            match v.dev {
                None => (1, 0),
                Some(n) => (0, n),
            }
        }
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release_trimmed().cmp(other.release_trimmed()))
            .then_with(|| pre_key(self).cmp(&pre_key(other)))
            .then_with(|| post_key(self).cmp(&post_key(other)))
            .then_with(|| dev_key(self).cmp(&dev_key(other)))
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Pep440 {
        Pep440::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn pep440_order() {
        let ordered = [
            "1.0.dev0",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+abc",
            "1.0+5",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "2.0",
            "1!0.1",
        ];
        for w in ordered.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("1.0").cmp(&v("1.0.0")), Ordering::Equal);
        assert_eq!(v("1.0-1").cmp(&v("1.0.post1")), Ordering::Equal);
        assert_eq!(v("V1.0RC1").cmp(&v("1.0rc1")), Ordering::Equal);
        assert!(Pep440::parse("1.0~x").is_none());
        assert!(Pep440::parse("").is_none());
        assert!(Pep440::parse("1..0").is_none());
    }

    #[test]
    fn pypi_names_normalise() {
        assert_eq!(Ecosystem::PyPI.normalize_name("Jinja2"), "jinja2");
        assert_eq!(
            Ecosystem::PyPI.normalize_name("zope.interface__X"),
            "zope-interface-x"
        );
    }
}
