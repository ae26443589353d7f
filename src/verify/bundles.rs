//! Finding and loading bundles: `bundle-path` globs or files next to the artifact, each a
//! Sigstore bundle (JSON), several (JSON lines, a JSON array, or the GitHub attestations API
//! response), or a cosign-style `<file>.sig` + `<file>.crt` pair.
//!
//! A file that cannot be read or parsed becomes a failed entry, not an error: the report
//! says which bundle was bad and why, and the other bundles are still checked.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::sigstore::ParsedBundle;
use super::{Check, Failure, VerifyError};
use crate::subject::paths;

/// Bundle files larger than this are refused unread (a real bundle is a few KiB).
pub const MAX_BUNDLE_FILE: u64 = 64 * 1024 * 1024;

/// One bundle as found: where it came from and the parsed bundle or why it isn't one.
#[derive(Debug, Clone)]
pub struct Found {
    /// The file, with `#N` (1-based) for the Nth bundle of a file holding several.
    pub source: String,
    pub bundle: Result<ParsedBundle, Failure>,
    /// Read from a PEP 740 Attestation object (converted to a bundle): its one subject
    /// must also name the distribution file.
    pub pep740: bool,
}

/// Suffixes looked for next to an artifact, in order.
pub const CONVENTIONS: [&str; 5] = [
    ".sigstore.json",
    ".sigstore",
    ".intoto.jsonl",
    crate::pypi::pep740::PUBLISH_SUFFIX,
    crate::pypi::pep740::SLSA_SUFFIX,
];

/// The bundle files next to `artifact` by convention.
pub fn beside(artifact: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let name = artifact.as_os_str().to_owned();
    for suffix in CONVENTIONS {
        let mut p = name.clone();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.is_file() {
            found.push(p);
        }
    }
    let mut sig = name.clone();
    sig.push(".sig");
    let sig = PathBuf::from(sig);
    if sig.is_file() {
        found.push(sig);
    }
    found
}

/// The files `bundle-path` patterns name.
pub fn from_patterns(patterns: &[String]) -> Result<Vec<PathBuf>, VerifyError> {
    paths::resolve(patterns).map_err(|e| VerifyError::BundlePattern(e.to_string()))
}

fn failed(source: String, check: Check, reason: impl Into<String>) -> Vec<Found> {
    vec![Found {
        source,
        bundle: Err(Failure::new(check, reason)),

        pep740: false,
    }]
}

fn read_limited(path: &Path) -> Result<String, Failure> {
    let limit = crate::input_file::Limit::new("a bundle file", MAX_BUNDLE_FILE);
    let bytes = crate::input_file::read(path, limit)
        .map_err(|e| Failure::new(Check::Bundle, format!("couldn't read it: {e}")))?;
    String::from_utf8(bytes).map_err(|_| Failure::new(Check::Bundle, "it is not UTF-8 text"))
}

/// Loads every bundle a file holds.
pub fn load(path: &Path) -> Vec<Found> {
    let source = path.display().to_string();
    if path.extension().is_some_and(|e| e == "sig") {
        return load_pair(path, source);
    }
    let text = match read_limited(path) {
        Ok(t) => t,
        Err(f) => {
            return vec![Found {
                source,
                bundle: Err(f),

                pep740: false,
            }];
        }
    };
    parse_text(&source, &text)
}

fn load_pair(sig_path: &Path, source: String) -> Vec<Found> {
    let crt = sig_path.with_extension("crt");
    let sig = match read_limited(sig_path) {
        Ok(s) => s,
        Err(f) => {
            return vec![Found {
                source,
                bundle: Err(f),

                pep740: false,
            }];
        }
    };
    let cert = match read_limited(&crt) {
        Ok(c) => c,
        Err(f) => {
            return failed(
                source,
                Check::Bundle,
                format!(
                    "no usable certificate {} beside the signature: {}",
                    crt.display(),
                    f.reason
                ),
            );
        }
    };
    vec![Found {
        source,
        bundle: ParsedBundle::from_signature_and_certificate(&sig, &cert),

        pep740: false,
    }]
}

/// One bundle, a JSON array of them, `{"attestations": [{"bundle": ...}]}`, or JSON lines.
/// Every form is read with `strict_json`: a key twice anywhere is refused, so the wrapper
/// cannot hide a second bundle either.
pub fn parse_text(source: &str, text: &str) -> Vec<Found> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return failed(source.to_owned(), Check::Bundle, "the file is empty");
    }
    // slsa-github-generator's bare DSSE envelopes (`legacy_envelope.rs`).
    if let Some(found) = super::legacy_envelope::recognize(source, trimmed) {
        return found;
    }
    // A whole-document parse first; JSON lines only when that fails on a multi-line file.
    let whole = crate::strict_json::parse(trimmed);
    let multi_line = trimmed.lines().filter(|l| !l.trim().is_empty()).count() > 1;
    match whole {
        Ok(Value::Array(items)) => many(source, items.into_iter().map(Ok)),
        Ok(v @ Value::Object(_)) if crate::pypi::pep740::looks_like(&v) => vec![Found {
            source: source.to_owned(),
            bundle: from_pep740(trimmed),
            pep740: true,
        }],
        Ok(Value::Object(obj)) if obj.contains_key("attestations") => {
            let items = obj
                .get("attestations")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|a| Ok(a.get("bundle").cloned().unwrap_or(a)));
            many(source, items)
        }
        Ok(v) => vec![Found {
            source: source.to_owned(),
            bundle: ParsedBundle::from_value(v),
            pep740: false,
        }],
        // A duplicate key is a verdict on the document, never a cue to try JSON lines.
        Err(e) if !multi_line || e.starts_with("duplicate key") => failed(
            source.to_owned(),
            Check::Bundle,
            format!("not a Sigstore bundle: {e}"),
        ),
        Err(_) => {
            let lines = trimmed
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(crate::strict_json::parse);
            many(source, lines)
        }
    }
}

/// A PEP 740 Attestation object as the bundle it stands for.
fn from_pep740(text: &str) -> Result<ParsedBundle, Failure> {
    let a = crate::pypi::pep740::parse(text).map_err(|e| Failure::new(Check::Bundle, e.0))?;
    ParsedBundle::from_value(crate::pypi::pep740::to_bundle(&a))
}

fn many(source: &str, items: impl Iterator<Item = Result<Value, String>>) -> Vec<Found> {
    let found: Vec<Found> = items
        .enumerate()
        .map(|(i, item)| {
            let source = format!("{source}#{}", i + 1);
            let bundle = match item {
                // The GitHub API's JSON-lines form wraps each bundle too.
                Ok(v) => {
                    let v = match v.get("bundle") {
                        Some(b) if v.get("mediaType").is_none() => b.clone(),
                        _ => v,
                    };
                    ParsedBundle::from_value(v)
                }
                Err(e) => Err(Failure::new(Check::Bundle, format!("not JSON: {e}"))),
            };
            Found {
                source,
                bundle,
                pep740: false,
            }
        })
        .collect();
    if found.is_empty() {
        return failed(source.to_owned(), Check::Bundle, "the file holds no bundle");
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics_and_is_a_bundle_failure() {
        let deep = "[".repeat(200_000);
        let cases = [
            "",
            "   \n",
            "{",
            "[]",
            "{}\n{}",
            "{\"attestations\": 5}",
            "\u{0}\u{1}",
            "null",
            deep.as_str(),
            "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}",
        ];
        for text in cases {
            let found = parse_text("x", text);
            assert!(!found.is_empty());
            for f in found {
                assert_eq!(
                    f.bundle.err().map(|e| e.check),
                    Some(Check::Bundle),
                    "{:.30}",
                    text
                );
            }
        }
    }

    #[test]
    fn pep740_objects_are_recognised_and_garbage_in_them_is_a_bundle_failure() {
        for text in [
            r#"{"verification_material": {}, "envelope": {}}"#,
            r#"{"version": 1, "verification_material": {"certificate": "QQ==", "transparency_entries": [{}]}, "envelope": {"statement": "QQ==", "signature": "QQ=="}}"#,
            r#"{"version": 7, "verification_material": {"certificate": "QQ==", "transparency_entries": [{}]}, "envelope": {"statement": "QQ==", "signature": "QQ=="}}"#,
        ] {
            let found = parse_text("x.publish.attestation", text);
            assert_eq!(found.len(), 1);
            assert!(found[0].pep740, "{text}");
            assert_eq!(
                found[0].bundle.as_ref().err().map(|e| e.check),
                Some(Check::Bundle),
                "{text}"
            );
        }
    }

    #[test]
    fn sources_number_bundles_in_multi_bundle_files() {
        let found = parse_text("b.jsonl", "{}\n\n{}\n");
        let names: Vec<_> = found.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(names, ["b.jsonl#1", "b.jsonl#2"]);
    }
}
