//! The reference a rebuild is compared with: a provenance statement or a Sigstore bundle
//! (its subjects), a checksums file, or a directory of published artifacts (for example
//! a release's assets, downloaded). Only a directory lets differences be explained, since
//! the other forms carry digests, not files.
//!
//! The digests are read, not verified: run `verify` on a bundle to know who signed it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ReproduceError, bundled};
use crate::subject::{Algorithm, checksums};

/// One published artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The file name it is matched by.
    pub name: String,
    /// Lowercase hex; missing when the reference names only other algorithms.
    pub sha256: Option<String>,
    pub sha512: Option<String>,
    /// The published file itself, for a directory reference.
    pub path: Option<PathBuf>,
}

/// What the reference was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub source: String,
    /// `provenance statement`, `Sigstore bundle`, `checksums file`, `directory`.
    pub form: &'static str,
    pub artifacts: Vec<Expected>,
}

/// The final path component of a subject name (`dist/x.whl` → `x.whl`).
pub fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_owned()
}

/// Reads a reference from a path.
pub fn load(source: &str) -> Result<Reference, ReproduceError> {
    let path = Path::new(source.trim());
    let shown = source.trim().to_owned();
    let meta = std::fs::metadata(path).map_err(|e| ReproduceError::ReadReference {
        path: shown.clone(),
        source: e,
    })?;
    let artifacts = if meta.is_dir() {
        return directory(path, shown);
    } else {
        // The size `metadata` reports is not trusted: the read stops at the limit.
        let bytes = crate::input_file::read(path, crate::input_file::REFERENCE).map_err(|e| {
            ReproduceError::ReadReference {
                path: shown.clone(),
                source: e,
            }
        })?;
        String::from_utf8(bytes).map_err(|_| bad(&shown, "not UTF-8 text"))?
    };
    let text = artifacts;
    let (form, artifacts) = parse_text(&shown, &text)?;
    Ok(Reference {
        source: shown,
        form,
        artifacts,
    })
}

fn bad(path: &str, reason: impl Into<String>) -> ReproduceError {
    ReproduceError::BadReference {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// A statement, a bundle (or JSON lines of them), or checksum lines.
fn parse_text(source: &str, text: &str) -> Result<(&'static str, Vec<Expected>), ReproduceError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Value>(trimmed)
            && v.get("subject").is_some()
        {
            return Ok(("provenance statement", subjects(source, &v)?));
        }
        let statements = bundled::statements(source, text).map_err(|r| bad(source, r))?;
        let mut all = Vec::new();
        for statement in &statements {
            all.extend(subjects(source, statement)?);
        }
        return Ok(("Sigstore bundle", all));
    }
    let subjects = checksums::parse(text).map_err(|e| bad(source, e.to_string()))?;
    let artifacts = subjects
        .into_iter()
        .map(|s| Expected {
            name: base_name(&s.name),
            sha256: s.digests.get(&Algorithm::Sha256).cloned(),
            sha512: s.digests.get(&Algorithm::Sha512).cloned(),
            path: None,
        })
        .collect();
    Ok(("checksums file", artifacts))
}

/// The subjects of an in-toto statement.
fn subjects(source: &str, statement: &Value) -> Result<Vec<Expected>, ReproduceError> {
    let list = statement
        .get("subject")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(source, "the statement has no subject list"))?;
    let mut out = Vec::new();
    for s in list {
        let name = s
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(source, "a subject has no name"))?;
        let digest: BTreeMap<String, String> = s
            .get("digest")
            .and_then(|d| serde_json::from_value(d.clone()).ok())
            .unwrap_or_default();
        let hex = |alg: Algorithm| {
            digest
                .get(alg.name())
                .map(|h| h.to_ascii_lowercase())
                .filter(|h| h.len() == alg.hex_len() && h.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        let (sha256, sha512) = (hex(Algorithm::Sha256), hex(Algorithm::Sha512));
        if sha256.is_none() && sha512.is_none() {
            return Err(bad(
                source,
                format!("subject {name:?} has no sha256 or sha512 digest"),
            ));
        }
        out.push(Expected {
            name: base_name(name),
            sha256,
            sha512,
            path: None,
        });
    }
    Ok(out)
}

/// Every regular file under the directory (symlinks are not followed), by file name.
fn directory(dir: &Path, shown: String) -> Result<Reference, ReproduceError> {
    let mut artifacts = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| bad(&shown, e.to_string()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_owned();
        let mut buf = vec![0u8; 256 * 1024];
        let subject = crate::subject::hash::hash_file(&path, &[Algorithm::Sha256], &mut buf)
            .map_err(|e| bad(&shown, e.to_string()))?;
        artifacts.push(Expected {
            name: subject.name.clone(),
            sha256: subject.sha256().map(str::to_owned),
            sha512: None,
            path: Some(path),
        });
    }
    if artifacts.is_empty() {
        return Err(bad(&shown, "the directory holds no files"));
    }
    Ok(Reference {
        source: shown,
        form: "directory",
        artifacts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_subjects_by_file_name() -> Result<(), ReproduceError> {
        let hex = "a".repeat(64);
        let text = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"dist/x-1.0.tar.gz","digest":{{"sha256":"{hex}"}}}}],"predicateType":"p","predicate":{{}}}}"#
        );
        let (form, a) = parse_text("s", &text)?;
        assert_eq!(form, "provenance statement");
        assert_eq!(a[0].name, "x-1.0.tar.gz");
        assert_eq!(a[0].sha256.as_deref(), Some(hex.as_str()));
        Ok(())
    }

    #[test]
    fn checksums_and_bad_input() -> Result<(), ReproduceError> {
        let hex = "b".repeat(64);
        let (form, a) = parse_text("c", &format!("{hex}  dist/y.whl\n"))?;
        assert_eq!((form, a[0].name.as_str()), ("checksums file", "y.whl"));
        assert!(parse_text("c", "not a checksum").is_err());
        assert!(parse_text("c", r#"{"subject":[{"name":"x","digest":{"md5":"00"}}]}"#).is_err());
        assert!(parse_text("c", r#"{"mediaType":"nope"}"#).is_err());
        Ok(())
    }
}
