//! Reads the components of an SPDX 2.x or CycloneDX 1.x JSON SBOM (any generator's: Syft,
//! cyclonedx-py, cdxgen, ours). Only what auditing and diffing need is modelled.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// SBOMs larger than this are refused before parsing.
pub const MAX_SBOM_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Component {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    /// An SPDX expression or licence names joined with " AND "; empty when none is stated.
    pub license: String,
    /// The SBOM file that listed it (set by the caller; empty when unknown).
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sbom {
    /// "SPDX-2.3", "CycloneDX-1.5", ...
    pub format: String,
    pub components: Vec<Component>,
}

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("couldn't read SBOM {path:?}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("SBOM {path:?} is {size} bytes, over the {MAX_SBOM_BYTES}-byte limit")]
    TooLarge { path: String, size: u64 },
    #[error("SBOM {path:?} is not valid JSON: {reason}")]
    Json { path: String, reason: String },
    #[error(
        "SBOM {path:?} is neither SPDX (spdxVersion) nor CycloneDX (bomFormat) JSON; only the JSON forms are read"
    )]
    UnknownFormat { path: String },
    #[error("SBOM {path:?}: {reason}")]
    Invalid { path: String, reason: String },
}

pub fn read(path: &Path) -> Result<Sbom, SbomError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| SbomError::Read {
        path: shown.clone(),
        source,
    })?;
    if meta.len() > MAX_SBOM_BYTES {
        return Err(SbomError::TooLarge {
            path: shown,
            size: meta.len(),
        });
    }
    let limit = crate::input_file::Limit::new("sbom-path", MAX_SBOM_BYTES);
    let bytes = crate::input_file::read(path, limit).map_err(|source| SbomError::Read {
        path: shown.clone(),
        source,
    })?;
    parse(&shown, &bytes)
}

pub fn parse(path: &str, bytes: &[u8]) -> Result<Sbom, SbomError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| SbomError::Json {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let invalid = |e: serde_json::Error| SbomError::Invalid {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    if let Some(v) = value.get("spdxVersion").and_then(Value::as_str) {
        // Only SPDX 2.x has this JSON shape; any other string would be shown as the format.
        if !minor_of(v, "SPDX-2.") {
            return Err(SbomError::Invalid {
                path: path.to_owned(),
                reason: format!("spdxVersion {v:?} is not SPDX-2.x, the SPDX version read"),
            });
        }
        let format = v.to_owned();
        let doc: SpdxDoc = serde_json::from_value(value).map_err(invalid)?;
        return Ok(Sbom {
            format,
            components: doc.packages.into_iter().map(spdx_component).collect(),
        });
    }
    if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let spec = value.get("specVersion").and_then(Value::as_str);
        if let Some(v) = spec.filter(|v| !minor_of(v, "1.")) {
            return Err(SbomError::Invalid {
                path: path.to_owned(),
                reason: format!("specVersion {v:?} is not CycloneDX 1.x"),
            });
        }
        let format = format!("CycloneDX-{}", spec.unwrap_or("?"));
        let doc: CdxDoc = serde_json::from_value(value).map_err(invalid)?;
        let mut components = Vec::new();
        let mut stack: Vec<CdxComponent> = doc.components.into_iter().rev().collect();
        while let Some(mut c) = stack.pop() {
            let nested = std::mem::take(&mut c.components);
            components.push(cdx_component(c));
            stack.extend(nested.into_iter().rev());
        }
        return Ok(Sbom { format, components });
    }
    Err(SbomError::UnknownFormat {
        path: path.to_owned(),
    })
}

/// `v` is `prefix` and a minor version number (`SPDX-2.3`, `1.6`).
fn minor_of(v: &str, prefix: &str) -> bool {
    v.strip_prefix(prefix)
        .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Deserialize)]
struct SpdxDoc {
    #[serde(default)]
    packages: Vec<SpdxPackage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    #[serde(default)]
    name: String,
    version_info: Option<String>,
    license_concluded: Option<String>,
    license_declared: Option<String>,
    #[serde(default)]
    external_refs: Vec<SpdxRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxRef {
    #[serde(default)]
    reference_type: String,
    #[serde(default)]
    reference_locator: String,
}

fn spdx_license(v: Option<String>) -> Option<String> {
    v.filter(|l| !matches!(l.as_str(), "" | "NOASSERTION" | "NONE"))
}

fn spdx_component(p: SpdxPackage) -> Component {
    let purl = p
        .external_refs
        .into_iter()
        .find(|r| r.reference_type == "purl")
        .map(|r| r.reference_locator);
    Component {
        name: p.name,
        version: p.version_info.filter(|v| !v.is_empty()),
        purl,
        license: spdx_license(p.license_concluded)
            .or_else(|| spdx_license(p.license_declared))
            .unwrap_or_default(),
        source: String::new(),
    }
}

#[derive(Deserialize)]
struct CdxDoc {
    #[serde(default)]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxComponent {
    #[serde(default)]
    name: String,
    group: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    #[serde(default)]
    licenses: Vec<CdxLicenseChoice>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxLicenseChoice {
    license: Option<CdxLicense>,
    expression: Option<String>,
}

#[derive(Deserialize)]
struct CdxLicense {
    id: Option<String>,
    name: Option<String>,
}

fn cdx_component(c: CdxComponent) -> Component {
    let licenses: Vec<String> = c
        .licenses
        .into_iter()
        .filter_map(|l| {
            l.expression
                .or_else(|| l.license.and_then(|l| l.id.or(l.name)))
        })
        .collect();
    let name = match c.group.filter(|g| !g.is_empty()) {
        Some(g) => format!("{g}/{}", c.name),
        None => c.name,
    };
    Component {
        name,
        version: c.version.filter(|v| !v.is_empty()),
        purl: c.purl.filter(|p| !p.is_empty()),
        license: licenses.join(" AND "),
        source: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_formats() -> Result<(), SbomError> {
        let spdx = br#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"requests","versionInfo":"2.19.1",
          "licenseConcluded":"NOASSERTION","licenseDeclared":"Apache-2.0",
          "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:pypi/requests@2.19.1"}]}]}"#;
        let s = parse("a.spdx.json", spdx)?;
        assert_eq!(
            s.components[0].purl.as_deref(),
            Some("pkg:pypi/requests@2.19.1")
        );
        assert_eq!(s.components[0].license, "Apache-2.0");
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","version":"1",
          "licenses":[{"license":{"id":"MIT"}}],"components":[{"type":"library","name":"b","version":"2"}]}]}"#;
        let s = parse("a.cdx.json", cdx)?;
        assert_eq!(s.format, "CycloneDX-1.6");
        assert_eq!(s.components.len(), 2);
        assert_eq!(s.components[1].name, "b");
        assert!(matches!(
            parse("x", b"{}"),
            Err(SbomError::UnknownFormat { .. })
        ));
        Ok(())
    }

    /// Found by the `audit_sbom` fuzz target: any string was taken as the SPDX version (and
    /// shown as the SBOM's format), here an empty one.
    #[test]
    fn versions_other_than_spdx_2_and_cyclonedx_1_are_refused() {
        let fuzzed = br#"{"spdxVersion":"","creationInfo":{"licenseListVersion":"1.25"},"packages":[{"name":"idna","versionInfo":"3.7"}]}"#;
        let e = parse("fuzz.json", fuzzed).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(r#"SBOM "fuzz.json": spdxVersion "" is not SPDX-2.x, the SPDX version read"#)
        );
        for bad in [r#""SPDX-3.0""#, r#""SPDX-2.""#, r#""2.3""#] {
            let doc = format!(r#"{{"spdxVersion":{bad},"packages":[]}}"#);
            assert!(
                matches!(parse("x", doc.as_bytes()), Err(SbomError::Invalid { .. })),
                "{bad}"
            );
        }
        for bad in [r#""""#, r#""2.0""#, r#""1.x""#] {
            let doc = format!(r#"{{"bomFormat":"CycloneDX","specVersion":{bad},"components":[]}}"#);
            assert!(
                matches!(parse("x", doc.as_bytes()), Err(SbomError::Invalid { .. })),
                "{bad}"
            );
        }
    }
}
