//! Generic SBOM checks for release assets: SPDX 2.x or CycloneDX JSON, well-formed in the
//! fields every consumer needs, and naming a release artifact by SHA-256.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::SbomRow;

/// The format and every SHA-256 (lowercase hex) an SBOM names, or why it is not one.
pub fn parse(text: &str) -> Result<(String, BTreeSet<String>), String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if let Some(v) = doc.get("spdxVersion") {
        return spdx(&doc, v);
    }
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return cyclonedx(&doc);
    }
    Err("neither SPDX (spdxVersion) nor CycloneDX (bomFormat) JSON".to_owned())
}

fn spdx(doc: &Value, version: &Value) -> Result<(String, BTreeSet<String>), String> {
    let version = version.as_str().unwrap_or_default();
    if !version.starts_with("SPDX-2.") {
        return Err(format!(
            "unsupported spdxVersion {version:?} (expected SPDX-2.x)"
        ));
    }
    for field in ["SPDXID", "name", "documentNamespace", "dataLicense"] {
        if !doc.get(field).is_some_and(Value::is_string) {
            return Err(format!("SPDX document lacks {field}"));
        }
    }
    if doc.get("SPDXID").and_then(Value::as_str) != Some("SPDXRef-DOCUMENT") {
        return Err("SPDX document's SPDXID is not SPDXRef-DOCUMENT".to_owned());
    }
    let created = doc.pointer("/creationInfo/created").and_then(Value::as_str);
    let creators = doc
        .pointer("/creationInfo/creators")
        .and_then(Value::as_array);
    if created.is_none() || creators.is_none_or(|c| c.is_empty()) {
        return Err("SPDX document lacks creationInfo.created or creators".to_owned());
    }
    let mut digests = BTreeSet::new();
    for list in ["packages", "files"] {
        let Some(items) = doc.get(list) else { continue };
        let items = items
            .as_array()
            .ok_or_else(|| format!("SPDX {list} is not an array"))?;
        for item in items {
            if !item.get("SPDXID").is_some_and(Value::is_string) {
                return Err(format!("an SPDX {list} entry lacks SPDXID"));
            }
            for c in item
                .get("checksums")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let alg = c.get("algorithm").and_then(Value::as_str);
                let value = c.get("checksumValue").and_then(Value::as_str);
                if let (Some("SHA256"), Some(v)) = (alg, value) {
                    digests.insert(v.to_ascii_lowercase());
                }
            }
        }
    }
    Ok((version.to_owned(), digests))
}

fn cyclonedx(doc: &Value) -> Result<(String, BTreeSet<String>), String> {
    let version = doc
        .get("specVersion")
        .and_then(Value::as_str)
        .ok_or("CycloneDX document lacks specVersion")?;
    if !version.starts_with("1.") {
        return Err(format!("unsupported CycloneDX specVersion {version:?}"));
    }
    let mut digests = BTreeSet::new();
    let mut stack: Vec<&Value> = Vec::new();
    if let Some(c) = doc.pointer("/metadata/component") {
        stack.push(c);
    }
    if let Some(list) = doc.get("components") {
        let list = list
            .as_array()
            .ok_or("CycloneDX components is not an array")?;
        stack.extend(list);
    }
    while let Some(c) = stack.pop() {
        if !c.get("name").is_some_and(Value::is_string)
            || !c.get("type").is_some_and(Value::is_string)
        {
            return Err("a CycloneDX component lacks name or type".to_owned());
        }
        for h in c
            .get("hashes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let alg = h.get("alg").and_then(Value::as_str);
            let content = h.get("content").and_then(Value::as_str);
            if let (Some("SHA-256"), Some(v)) = (alg, content) {
                digests.insert(v.to_ascii_lowercase());
            }
        }
        if let Some(children) = c.get("components").and_then(Value::as_array) {
            stack.extend(children);
        }
    }
    Ok((format!("CycloneDX-{version}"), digests))
}

/// The artifact an SBOM is for, by the seed's naming (`sbom-wheel.*` → the `.whl`,
/// `sbom-source.*` → the sdist) or `<artifact>.spdx.json`; `None` when the name says nothing.
pub fn intended_artifact<'a>(sbom: &str, artifacts: &'a [String]) -> Option<&'a String> {
    let lower = sbom.to_ascii_lowercase();
    if let Some(a) = artifacts.iter().find(|a| {
        sbom.strip_prefix(a.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
    }) {
        return Some(a);
    }
    let pick = |ext: &[&str]| {
        let hits: Vec<&String> = artifacts
            .iter()
            .filter(|a| ext.iter().any(|e| a.ends_with(e)))
            .collect();
        (hits.len() == 1).then(|| hits[0])
    };
    if lower.contains("wheel") {
        return pick(&[".whl"]);
    }
    if lower.contains("source") || lower.contains("sdist") {
        return pick(&[".tar.gz", ".zip"]);
    }
    None
}

/// Checks one SBOM against the release's artifacts (sha256 hex → name).
pub fn check(name: &str, text: &str, artifacts: &BTreeMap<String, String>) -> SbomRow {
    let mut row = SbomRow {
        sbom: name.to_owned(),
        format: String::new(),
        describes: Vec::new(),
        failure: None,
    };
    let (format, digests) = match parse(text) {
        Ok(v) => v,
        Err(e) => {
            row.failure = Some(e);
            return row;
        }
    };
    row.format = format;
    row.describes = digests
        .iter()
        .filter_map(|d| artifacts.get(d).cloned())
        .collect();
    row.describes.sort();
    let names: Vec<String> = artifacts.values().cloned().collect();
    match intended_artifact(name, &names) {
        Some(a) if !row.describes.contains(a) => {
            row.failure = Some(format!(
                "does not name the SHA-256 of {a}, the artifact it is for{}",
                if row.describes.is_empty() {
                    String::new()
                } else {
                    format!(" (it names {})", row.describes.join(", "))
                }
            ));
        }
        _ if row.describes.is_empty() => {
            row.failure = Some(format!(
                "names the SHA-256 of none of the release's artifacts ({} digests in it)",
                digests.len()
            ));
        }
        _ => {}
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spdx_doc(sha: &str) -> String {
        serde_json::json!({
            "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "x", "documentNamespace": "https://example.com/x",
            "creationInfo": {"created": "2025-01-01T00:00:00Z", "creators": ["Tool: t"]},
            "packages": [{"SPDXID": "SPDXRef-P", "name": "x",
                "checksums": [{"algorithm": "SHA256", "checksumValue": sha}]}]
        })
        .to_string()
    }

    #[test]
    fn spdx_and_cyclonedx_name_digests() {
        let a = "a".repeat(64);
        let arts: BTreeMap<String, String> =
            [(a.clone(), "x-1.0-py3-none-any.whl".to_owned())].into();
        assert_eq!(
            check("sbom-wheel.spdx.json", &spdx_doc(&a), &arts).failure,
            None
        );
        let other = check("sbom-wheel.spdx.json", &spdx_doc(&"b".repeat(64)), &arts);
        assert!(
            other
                .failure
                .is_some_and(|f| f.contains("x-1.0-py3-none-any.whl"))
        );
        let cdx = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {"component": {"type": "library", "name": "x",
                "hashes": [{"alg": "SHA-256", "content": a}]}}})
        .to_string();
        let row = check("sbom-wheel.cyclonedx.json", &cdx, &arts);
        assert_eq!((row.format.as_str(), row.failure), ("CycloneDX-1.6", None));
        assert!(check("s.spdx.json", "{}", &arts).failure.is_some());
        assert!(
            check("s.spdx.json", "{\"spdxVersion\":\"SPDX-2.3\"}", &arts)
                .failure
                .is_some()
        );
    }
}
