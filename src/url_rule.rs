//! Which URLs attest-kit fetches from or sends to on its own (OSV exports, Rekor searches,
//! GitHub's bundle URLs): `https://` anywhere, plain `http://` only to a loopback address
//! (the tests' local servers). One rule, so no caller can be laxer than the others.

/// True for `https://…`, or `http://` to `localhost`, `127.0.0.0/8` or `[::1]`.
pub fn https_or_loopback(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    // A backslash or whitespace is where URL parsers part ways: never guessed at.
    let Some(rest) = lower.strip_prefix("http://") else {
        return false;
    };
    if rest.contains(|c: char| c == '\\' || c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::https_or_loopback as ok;

    #[test]
    fn https_anywhere_plain_http_only_to_loopback() {
        assert!(ok(
            "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
        ));
        assert!(ok("http://127.0.0.1:8080/all.zip"));
        assert!(ok("http://[::1]:8080/all.zip"));
        assert!(ok("http://localhost/all.zip"));
        assert!(!ok("http://example.com/all.zip"));
        assert!(!ok("http://127.0.0.1.example.com/all.zip"));
        assert!(!ok("http://user@10.0.0.1/all.zip"));
        assert!(!ok("http://evil.example\\@127.0.0.1/all.zip"));
        assert!(!ok("http://127.0.0.1@evil.example/all.zip"));
        assert!(!ok("file:///etc/passwd"));
        assert!(!ok("ftp://127.0.0.1/x"));
    }
}
