//! Package URLs (purl-spec): `pkg:pypi/…` and `pkg:cargo/…`.

use super::metadata::normalize;

/// `pkg:pypi/<normalised name>@<version>`, with `?file_name=` for a distribution file.
pub fn pypi(name: &str, version: Option<&str>, file_name: Option<&str>) -> String {
    let mut s = format!("pkg:pypi/{}", encode(&normalize(name)));
    if let Some(v) = version {
        s.push('@');
        s.push_str(&encode(v));
    }
    if let Some(f) = file_name {
        s.push_str("?file_name=");
        s.push_str(&encode(f));
    }
    s
}

pub fn cargo(name: &str, version: Option<&str>) -> String {
    let mut s = format!("pkg:cargo/{}", encode(name));
    if let Some(v) = version {
        s.push('@');
        s.push_str(&encode(v));
    }
    s
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn purls() {
        assert_eq!(
            super::pypi(
                "Foo_Bar",
                Some("1.0+local"),
                Some("Foo_Bar-1.0-py3-none-any.whl")
            ),
            "pkg:pypi/foo-bar@1.0%2Blocal?file_name=Foo_Bar-1.0-py3-none-any.whl"
        );
        assert_eq!(
            super::cargo("serde", Some("1.0.1")),
            "pkg:cargo/serde@1.0.1"
        );
    }
}
