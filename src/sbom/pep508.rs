//! PEP 508 requirements and environment markers, evaluated for a target environment.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::metadata::normalize;

/// `name[extras] specifier; marker`, or `name @ url; marker`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Normalised (PEP 503).
    pub name: String,
    pub extras: Vec<String>,
    /// The version specifier as written (`>=1.0,<2`), empty when none.
    pub specifier: String,
    pub url: Option<String>,
    pub marker: Option<Marker>,
    /// The marker as written, for the record.
    pub marker_text: Option<String>,
}

impl Requirement {
    pub fn parse(text: &str) -> Result<Requirement, String> {
        let (head, marker_text) = match split_marker(text) {
            Some((h, m)) => (h, Some(m.trim().to_owned())),
            None => (text, None),
        };
        let head = head.trim();
        let end = head
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(head.len());
        let name = &head[..end];
        if name.is_empty() {
            return Err(format!("requirement {text:?} has no project name"));
        }
        let mut rest = head[end..].trim_start();
        let mut extras = Vec::new();
        if let Some(r) = rest.strip_prefix('[') {
            let close = r
                .find(']')
                .ok_or_else(|| format!("requirement {text:?} has an unclosed `[`"))?;
            extras = r[..close]
                .split(',')
                .map(|e| normalize(e.trim()))
                .filter(|e| !e.is_empty())
                .collect();
            rest = r[close + 1..].trim_start();
        }
        let mut url = None;
        let mut specifier = String::new();
        if let Some(u) = rest.strip_prefix('@') {
            url = Some(u.trim().to_owned());
        } else {
            let s = rest.trim();
            let s = s
                .strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .unwrap_or(s);
            specifier = s.split_whitespace().collect::<Vec<_>>().join("");
            check_specifier(&specifier).map_err(|e| format!("requirement {text:?}: {e}"))?;
        }
        let marker = match &marker_text {
            Some(m) => Some(Marker::parse(m)?),
            None => None,
        };
        Ok(Requirement {
            name: normalize(name),
            extras,
            specifier,
            url,
            marker,
            marker_text,
        })
    }

    /// Whether the requirement applies in `env` with `extras` requested. `None` when the
    /// marker names a variable the environment does not know.
    pub fn applies(&self, env: &MarkerEnv, extras: &[String]) -> Option<bool> {
        match &self.marker {
            None => Some(true),
            Some(m) => m.evaluate(env, extras),
        }
    }
}

/// `>=1.0,<2`: every clause an operator and a version (PEP 440 characters, `*` for `==`).
fn check_specifier(spec: &str) -> Result<(), String> {
    if spec.is_empty() {
        return Ok(());
    }
    for clause in spec.split(',') {
        let op_len = clause
            .find(|c: char| !matches!(c, '<' | '>' | '=' | '!' | '~'))
            .unwrap_or(clause.len());
        let (op, version) = clause.split_at(op_len);
        if !["<", "<=", ">", ">=", "==", "!=", "~=", "==="].contains(&op) {
            return Err(format!("{clause:?} has no valid comparison operator"));
        }
        let ok_char =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '_' | '-');
        if version.is_empty() || !version.chars().all(ok_char) {
            return Err(format!("{clause:?} has no valid version"));
        }
    }
    Ok(())
}

/// The `;` that starts the marker (a `;` inside a URL needs a space before it, PEP 508).
fn split_marker(text: &str) -> Option<(&str, &str)> {
    if text.contains('@') {
        let i = text.find(" ;").or_else(|| text.find("; "))?;
        let j = text[i..].find(';')? + i;
        Some((&text[..j], &text[j + 1..]))
    } else {
        text.split_once(';')
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    And(Box<Marker>, Box<Marker>),
    Or(Box<Marker>, Box<Marker>),
    Compare(Value, String, Value),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Var(String),
    Lit(String),
}

impl Marker {
    pub fn parse(text: &str) -> Result<Marker, String> {
        let tokens = tokenize(text)?;
        let mut p = Parser { tokens, pos: 0 };
        let m = p.or()?;
        if p.pos != p.tokens.len() {
            return Err(format!("marker {text:?} has trailing text"));
        }
        Ok(m)
    }

    pub fn evaluate(&self, env: &MarkerEnv, extras: &[String]) -> Option<bool> {
        match self {
            Marker::And(a, b) => match (a.evaluate(env, extras), b.evaluate(env, extras)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Marker::Or(a, b) => match (a.evaluate(env, extras), b.evaluate(env, extras)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Marker::Compare(l, op, r) => {
                if let (Value::Var(v), Value::Lit(x)) | (Value::Lit(x), Value::Var(v)) = (l, r)
                    && v == "extra"
                {
                    let want = normalize(x);
                    let any = extras.contains(&want);
                    return match op.as_str() {
                        "==" => Some(any),
                        "!=" => Some(!any),
                        _ => None,
                    };
                }
                let get = |v: &Value| match v {
                    Value::Lit(s) => Some(s.clone()),
                    Value::Var(name) => env.0.get(name).cloned(),
                };
                let (a, b) = (get(l)?, get(r)?);
                let version_var = |v: &Value| matches!(v, Value::Var(n) if n.ends_with("_version") || n == "platform_release");
                compare(&a, op, &b, version_var(l) || version_var(r))
            }
        }
    }
}

fn compare(a: &str, op: &str, b: &str, versions: bool) -> Option<bool> {
    match op {
        "in" => return Some(b.contains(a)),
        "not in" => return Some(!b.contains(a)),
        "===" => return Some(a == b),
        _ => {}
    }
    if versions
        && let (Some(va), Some(_)) = (Version::parse(a), Version::parse(b.trim_end_matches(".*")))
    {
        return Some(version_matches(&va, op, b));
    }
    match op {
        "==" => Some(a == b),
        "!=" => Some(a != b),
        _ => None,
    }
}

/// `v op spec`, PEP 440 style (release numbers and pre-releases; local versions ignored).
pub fn version_matches(v: &Version, op: &str, spec: &str) -> bool {
    if let Some(prefix) = spec.strip_suffix(".*") {
        let Some(p) = Version::parse(prefix) else {
            return false;
        };
        let hit = v.release.len() >= p.release.len() && v.release[..p.release.len()] == p.release;
        return match op {
            "==" => hit,
            "!=" => !hit,
            _ => false,
        };
    }
    let Some(s) = Version::parse(spec) else {
        return false;
    };
    let ord = v.cmp(&s);
    match op {
        "==" => ord == Ordering::Equal,
        "!=" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        "<=" => ord != Ordering::Greater,
        ">" => ord == Ordering::Greater,
        ">=" => ord != Ordering::Less,
        "~=" => {
            let n = s.release.len().saturating_sub(1).max(1);
            ord != Ordering::Less && v.release.len() >= n && v.release[..n] == s.release[..n]
        }
        _ => false,
    }
}

/// A PEP 440 version reduced to what ordering needs (`1.0` equals `1.0.0`).
#[derive(Debug, Clone)]
pub struct Version {
    pub release: Vec<u64>,
    /// (rank, n): dev 0, a 1, b 2, rc 3, final 4, post 5.
    pre: (u8, u64),
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let s = s.split('+').next()?;
        let s = s.split_once('!').map_or(s, |(_, r)| r);
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let release: Vec<u64> = s[..end]
            .trim_end_matches('.')
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let tail = s[end..]
            .trim_start_matches(['.', '-', '_'])
            .to_ascii_lowercase();
        let num = |t: &str| {
            t.trim_start_matches(['.', '-', '_'])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        };
        let pre = if tail.is_empty() {
            (4, 0)
        } else if let Some(t) = tail.strip_prefix("dev") {
            (0, num(t))
        } else if let Some(t) = tail.strip_prefix("rc").or_else(|| tail.strip_prefix('c')) {
            (3, num(t))
        } else if let Some(t) = tail.strip_prefix("post") {
            (5, num(t))
        } else if let Some(t) = tail.strip_prefix('b').or_else(|| tail.strip_prefix("beta")) {
            (2, num(t))
        } else if let Some(t) = tail
            .strip_prefix('a')
            .or_else(|| tail.strip_prefix("alpha"))
        {
            (1, num(t))
        } else {
            return None;
        };
        Some(Version { release, pre })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.release.len().max(other.release.len());
        for i in 0..n {
            let a = self.release.get(i).copied().unwrap_or(0);
            let b = other.release.get(i).copied().unwrap_or(0);
            if a != b {
                return a.cmp(&b);
            }
        }
        self.pre.cmp(&other.pre)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Marker variables of the target environment; a missing one makes markers that use it
/// undecidable rather than false.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkerEnv(pub BTreeMap<String, String>);

impl MarkerEnv {
    /// This machine's OS and architecture, CPython; the Python version only when given.
    pub fn host(python_full_version: Option<&str>) -> MarkerEnv {
        MarkerEnv::platform(
            std::env::consts::OS,
            std::env::consts::ARCH,
            python_full_version,
        )
    }

    /// A named OS and architecture (Rust's or the runner's spelling: `linux`/`Linux`,
    /// `x86_64`/`X64`), CPython. The runner's platform, not the binary's, so the native and
    /// the WASM build evaluate markers alike.
    pub fn platform(os: &str, arch: &str, python_full_version: Option<&str>) -> MarkerEnv {
        let os = match os.to_ascii_lowercase().as_str() {
            "macos" | "darwin" => "macos",
            "windows" => "windows",
            "linux" => "linux",
            _ => "",
        };
        let arch = match arch.to_ascii_lowercase().as_str() {
            "x64" | "x86_64" | "amd64" => "x86_64",
            "arm64" | "aarch64" => "aarch64",
            "x86" | "i686" => "x86",
            "arm" => "arm",
            other => other,
        }
        .to_owned();
        let arch = arch.as_str();
        let (sys_platform, system, os_name) = match os {
            "macos" => ("darwin", "Darwin", "posix"),
            "windows" => ("win32", "Windows", "nt"),
            "linux" => ("linux", "Linux", "posix"),
            other => (other, other, "posix"),
        };
        let machine = match (os, arch) {
            ("windows", "x86_64") => "AMD64",
            ("macos", "aarch64") => "arm64",
            (_, arch) => arch,
        };
        let mut m = BTreeMap::new();
        for (k, v) in [
            ("sys_platform", sys_platform),
            ("platform_system", system),
            ("os_name", os_name),
            ("platform_machine", machine),
            ("implementation_name", "cpython"),
            ("platform_python_implementation", "CPython"),
        ] {
            m.insert(k.to_owned(), v.to_owned());
        }
        let mut env = MarkerEnv(m);
        if let Some(v) = python_full_version {
            env.set_python(v);
        }
        env
    }

    pub fn set_python(&mut self, full: &str) {
        let full = full.trim();
        let short: Vec<&str> = full.split('.').take(2).collect();
        self.0.insert("python_full_version".into(), full.to_owned());
        self.0
            .insert("implementation_version".into(), full.to_owned());
        self.0.insert("python_version".into(), short.join("."));
    }

    pub fn python(&self) -> Option<&str> {
        self.0.get("python_full_version").map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Op(String),
    Var(String),
    Lit(String),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '"' | '\'' => {
                let end = text[i + 1..]
                    .find(c)
                    .ok_or_else(|| format!("marker {text:?} has an unclosed string"))?;
                out.push(Tok::Lit(text[i + 1..i + 1 + end].to_owned()));
                i += end + 2;
            }
            '<' | '>' | '=' | '!' | '~' => {
                let end = text[i..]
                    .find(|c: char| !matches!(c, '<' | '>' | '=' | '!' | '~'))
                    .map_or(text.len(), |e| i + e);
                let op = &text[i..end];
                if !["<", "<=", ">", ">=", "==", "!=", "~=", "==="].contains(&op) {
                    return Err(format!("marker {text:?} has an unknown operator {op:?}"));
                }
                out.push(Tok::Op(op.to_owned()));
                i = end;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let end = text[i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                    .map_or(text.len(), |e| i + e);
                let word = &text[i..end];
                i = end;
                match word {
                    "and" => out.push(Tok::And),
                    "or" => out.push(Tok::Or),
                    "in" => out.push(Tok::Op("in".into())),
                    "not" => {
                        let rest = text[i..].trim_start();
                        if !rest.starts_with("in") {
                            return Err(format!("marker {text:?}: `not` without `in`"));
                        }
                        i = text.len() - rest.len() + 2;
                        out.push(Tok::Op("not in".into()));
                    }
                    w => out.push(Tok::Var(w.replace('.', "_"))),
                }
            }
            _ => return Err(format!("marker {text:?} has an unexpected {c:?}")),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }
    fn or(&mut self) -> Result<Marker, String> {
        let mut m = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            m = Marker::Or(Box::new(m), Box::new(self.and()?));
        }
        Ok(m)
    }
    fn and(&mut self) -> Result<Marker, String> {
        let mut m = self.atom()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            m = Marker::And(Box::new(m), Box::new(self.atom()?));
        }
        Ok(m)
    }
    fn atom(&mut self) -> Result<Marker, String> {
        if self.peek() == Some(&Tok::Open) {
            self.pos += 1;
            let m = self.or()?;
            if self.next() != Some(Tok::Close) {
                return Err("marker has an unclosed `(`".into());
            }
            return Ok(m);
        }
        let value = |t: Option<Tok>| match t {
            Some(Tok::Var(v)) => Ok(Value::Var(v)),
            Some(Tok::Lit(l)) => Ok(Value::Lit(l)),
            other => Err(format!("marker expected a value, found {other:?}")),
        };
        let l = value(self.next())?;
        let op = match self.next() {
            Some(Tok::Op(op)) => op,
            other => return Err(format!("marker expected an operator, found {other:?}")),
        };
        let r = value(self.next())?;
        Ok(Marker::Compare(l, op, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> MarkerEnv {
        let mut e = MarkerEnv::default();
        e.0.insert("sys_platform".into(), "linux".into());
        e.set_python("3.11.7");
        e
    }

    #[test]
    fn requirements() -> Result<(), String> {
        let r = Requirement::parse("Foo.Bar[Socks, x] (>=1.0, <2) ; python_version < \"3.12\"")?;
        assert_eq!(r.name, "foo-bar");
        assert_eq!(r.extras, ["socks", "x"]);
        assert_eq!(r.specifier, ">=1.0,<2");
        assert_eq!(r.applies(&env(), &[]), Some(true));
        let u = Requirement::parse("pkg @ https://x/y.whl ; sys_platform == 'win32'")?;
        assert_eq!(u.url.as_deref(), Some("https://x/y.whl"));
        assert_eq!(u.applies(&env(), &[]), Some(false));
        for bad in ["x (((", "x >=", "x 1.0", "x >=1.0,", "[x]"] {
            assert!(Requirement::parse(bad).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn markers() -> Result<(), String> {
        let table = [
            (
                "python_version >= '3.8' and sys_platform == 'linux'",
                &[][..],
                Some(true),
            ),
            (
                "python_version < '3.8' or extra == 'Socks'",
                &["socks".to_string()][..],
                Some(true),
            ),
            ("extra == 'socks'", &[][..], Some(false)),
            ("platform_machine == 'x86_64'", &[][..], None),
            (
                "platform_machine == 'x86_64' and python_version < '3'",
                &[][..],
                Some(false),
            ),
            ("'linux' in sys_platform", &[][..], Some(true)),
            (
                "python_full_version not in '3.11.7, 3.12'",
                &[][..],
                Some(false),
            ),
            ("python_version == '3.*'", &[][..], Some(true)),
            ("python_version ~= '3.10'", &[][..], Some(true)),
        ];
        for (m, extras, want) in table {
            assert_eq!(Marker::parse(m)?.evaluate(&env(), extras), want, "{m}");
        }
        assert!(Marker::parse("python_version <> '3'").is_err());
        assert!(Marker::parse("(python_version < '3'").is_err());
        Ok(())
    }

    #[test]
    fn versions_order() {
        let v = |s| Version::parse(s);
        assert!(v("1.0rc1") < v("1.0"));
        assert!(v("1.0.post1") > v("1.0"));
        assert!(v("1.0.dev1") < v("1.0a1"));
        assert_eq!(v("1.0"), v("1.0.0"));
    }
}
