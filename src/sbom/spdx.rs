//! SPDX 2.3 JSON, written by hand with serde: only the fields attest-kit emits.
//!
//! The artifact is the described package with `filesAnalyzed: true`, its members as files
//! (SHA-1 and SHA-256, as SPDX requires SHA-1) joined by CONTAINS, and the
//! package verification code over them. Dependencies are packages joined by DEPENDS_ON.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::SbomError;
use super::license::License;
use super::model::{Ecosystem, Package, Sbom};

pub const PREDICATE_TYPE: &str = "https://spdx.dev/Document/v2.3";
const NOASSERTION: &str = "NOASSERTION";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<SpdxPackage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<SpdxFile>,
    relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
    comment: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_file_name: Option<String>,
    supplier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    originator: Option<String>,
    download_location: String,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_verification_code: Option<VerificationCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    #[serde(skip_serializing_if = "Option::is_none")]
    homepage: Option<String>,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    primary_package_purpose: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VerificationCode {
    package_verification_code_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: String,
    checksum_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Annotation {
    annotation_date: String,
    annotation_type: &'static str,
    annotator: String,
    comment: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxFile {
    file_name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    checksums: Vec<Checksum>,
    license_concluded: &'static str,
    copyright_text: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
}

/// `SPDXRef-` ids from keys: only `[A-Za-z0-9.-]`, unique.
struct Ids {
    used: BTreeSet<String>,
    by_key: BTreeMap<String, String>,
}

impl Ids {
    fn assign(&mut self, key: &str, prefix: &str) -> String {
        let base: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let mut id = format!("SPDXRef-{prefix}-{base}");
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("SPDXRef-{prefix}-{base}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        self.by_key.insert(key.to_owned(), id.clone());
        id
    }
}

fn supplier(p: &Package) -> String {
    match &p.supplier {
        // Names may not hold the parentheses that delimit the e-mail.
        Some(s) => {
            let name = s.name.replace(['(', ')', '\n'], " ");
            match &s.email {
                Some(e) => format!("Person: {} ({})", name.trim(), e),
                None => format!("Person: {}", name.trim()),
            }
        }
        None => match &p.distributor {
            Some(d) => format!("Organization: {}", d.replace(['(', ')', '\n'], " ").trim()),
            None => NOASSERTION.to_owned(),
        },
    }
}

fn url_or_none(u: &Option<String>) -> Option<String> {
    u.as_ref()
        .filter(|u| {
            (u.starts_with("https://") || u.starts_with("http://"))
                && !u.contains(char::is_whitespace)
        })
        .cloned()
}

pub fn build(sbom: &Sbom) -> Result<Document, SbomError> {
    let mut ids = Ids {
        used: BTreeSet::new(),
        by_key: BTreeMap::new(),
    };
    let mut extracted: BTreeMap<String, ExtractedLicense> = BTreeMap::new();
    let tool = format!("Tool: {}-{}", sbom.build.tool_name, sbom.build.tool_version);
    let mut packages = Vec::new();
    let mut relationships = Vec::new();
    let root_id = ids.assign(&sbom.root.key, "Package");
    relationships.push(Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
        relationship_type: "DESCRIBES",
        related_spdx_element: root_id.clone(),
    });

    let mut files = Vec::new();
    let mut sha1s = Vec::new();
    for (i, f) in sbom.files.iter().enumerate() {
        let id = format!("SPDXRef-File-{}", i + 1);
        ids.used.insert(id.clone());
        sha1s.push(f.sha1.clone());
        files.push(SpdxFile {
            file_name: format!("./{}", f.path),
            spdx_id: id.clone(),
            checksums: vec![
                Checksum {
                    algorithm: "SHA1".into(),
                    checksum_value: f.sha1.clone(),
                },
                Checksum {
                    algorithm: "SHA256".into(),
                    checksum_value: f.sha256.clone(),
                },
            ],
            license_concluded: NOASSERTION,
            copyright_text: NOASSERTION,
        });
        relationships.push(Relationship {
            spdx_element_id: root_id.clone(),
            relationship_type: "CONTAINS",
            related_spdx_element: id,
        });
    }
    sha1s.sort();
    let verification = (!files.is_empty()).then(|| VerificationCode {
        package_verification_code_value: hex::encode(Sha1::digest(sha1s.concat())),
    });

    let build_comment: String = sbom
        .build
        .facts()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain([format!(
            "attest-kit:dependencies={}",
            sbom.resolution.describe()
        )])
        .collect::<Vec<_>>()
        .join("\n");

    for p in sbom.all_packages() {
        let is_root = p.key == sbom.root.key;
        let id = if is_root {
            root_id.clone()
        } else {
            ids.assign(&p.key, "Package")
        };
        let license_declared = match &p.license {
            Some(License::Spdx { expression, .. }) => {
                // A LicenseRef- the package declares itself must still be defined here.
                for id in expression
                    .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                    .filter(|w| w.starts_with("LicenseRef-"))
                {
                    extracted.entry(id.to_owned()).or_insert_with(|| ExtractedLicense {
                        license_id: id.to_owned(),
                        extracted_text: format!(
                            "{} declares {id} in its licence expression; the licence text is not in its metadata.",
                            p.name
                        ),
                        name: id.trim_start_matches("LicenseRef-").to_owned(),
                    });
                }
                expression.clone()
            }
            Some(License::Other { id, name, text, .. }) => {
                extracted
                    .entry(id.clone())
                    .or_insert_with(|| ExtractedLicense {
                        license_id: id.clone(),
                        extracted_text: text.clone(),
                        name: name.clone(),
                    });
                id.clone()
            }
            None => NOASSERTION.to_owned(),
        };
        let mut checksums: Vec<Checksum> = p
            .hashes
            .iter()
            .map(|(a, h)| Checksum {
                algorithm: a.clone(),
                checksum_value: h.clone(),
            })
            .collect();
        if is_root {
            checksums = vec![
                Checksum {
                    algorithm: "SHA1".into(),
                    checksum_value: sbom.artifact.sha1.clone(),
                },
                Checksum {
                    algorithm: "SHA256".into(),
                    checksum_value: sbom.artifact.sha256.clone(),
                },
            ];
        }
        let mut comment: Vec<String> = Vec::new();
        if let Some(d) = &p.declared {
            comment.push(format!(
                "declared requirement {d}; the exact version was not resolved"
            ));
        }
        for (k, v) in &p.properties {
            comment.push(format!("{k}={v}"));
        }
        packages.push(SpdxPackage {
            name: p.name.clone(),
            spdx_id: id,
            version_info: p.version.clone(),
            package_file_name: is_root.then(|| sbom.artifact.file_name.clone()),
            supplier: supplier(p),
            originator: None,
            download_location: url_or_none(&p.download).unwrap_or_else(|| NOASSERTION.to_owned()),
            files_analyzed: is_root && verification.is_some(),
            package_verification_code: if is_root {
                verification.as_ref().map(|v| VerificationCode {
                    package_verification_code_value: v.package_verification_code_value.clone(),
                })
            } else {
                None
            },
            checksums,
            homepage: url_or_none(&p.homepage),
            license_concluded: NOASSERTION,
            license_declared,
            copyright_text: NOASSERTION,
            summary: p.summary.clone().filter(|s| !s.trim().is_empty()),
            comment: (!comment.is_empty()).then(|| comment.join("\n")),
            external_refs: p
                .purl
                .iter()
                .map(|purl| ExternalRef {
                    reference_category: "PACKAGE-MANAGER",
                    reference_type: "purl",
                    reference_locator: purl.clone(),
                })
                .collect(),
            primary_package_purpose: match (is_root, p.ecosystem, sbom.artifact.kind) {
                (true, Ecosystem::Cargo, _) | (true, _, "binary") => "APPLICATION",
                (true, _, "sdist") => "SOURCE",
                _ => "LIBRARY",
            },
            annotations: if is_root {
                vec![Annotation {
                    annotation_date: sbom.created.clone(),
                    annotation_type: "OTHER",
                    annotator: tool.clone(),
                    comment: format!("Build environment:\n{build_comment}"),
                }]
            } else {
                Vec::new()
            },
        });
    }
    for (from, tos) in &sbom.edges {
        for to in tos {
            let (Some(a), Some(b)) = (ids.by_key.get(from), ids.by_key.get(to)) else {
                return Err(SbomError::Inconsistent {
                    format: "SPDX",
                    reason: format!("edge {from} -> {to} names an unknown package"),
                });
            };
            relationships.push(Relationship {
                spdx_element_id: a.clone(),
                relationship_type: "DEPENDS_ON",
                related_spdx_element: b.clone(),
            });
        }
    }
    let mut doc = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: sbom.artifact.file_name.clone(),
        document_namespace: String::new(),
        creation_info: CreationInfo {
            created: sbom.created.clone(),
            creators: vec![tool],
            comment: build_comment,
        },
        packages,
        files,
        relationships,
        has_extracted_licensing_infos: extracted.into_values().collect(),
    };
    // Unique per content, stable for the same content: the artifact's digest plus a hash
    // of the document itself.
    let body = serde_json::to_vec(&doc).map_err(|e| SbomError::Inconsistent {
        format: "SPDX",
        reason: e.to_string(),
    })?;
    doc.document_namespace = format!(
        "https://spdx.attest-kit.dev/{}/{}-{}",
        sbom.artifact.kind,
        sbom.artifact.sha256,
        &hex::encode(Sha256::digest(&body))[..16]
    );
    check(&doc)?;
    Ok(doc)
}

/// Every id is unique and every relationship and licence reference resolves.
fn check(doc: &Document) -> Result<(), SbomError> {
    let bad = |reason: String| SbomError::Inconsistent {
        format: "SPDX",
        reason,
    };
    let mut ids = BTreeSet::from([doc.spdx_id.to_owned()]);
    for id in doc
        .packages
        .iter()
        .map(|p| &p.spdx_id)
        .chain(doc.files.iter().map(|f| &f.spdx_id))
    {
        if !ids.insert(id.clone()) {
            return Err(bad(format!("{id} is used twice")));
        }
    }
    for r in &doc.relationships {
        for id in [&r.spdx_element_id, &r.related_spdx_element] {
            if !ids.contains(id) {
                return Err(bad(format!("relationship names unknown element {id}")));
            }
        }
    }
    let refs: BTreeSet<&str> = doc
        .has_extracted_licensing_infos
        .iter()
        .map(|l| l.license_id.as_str())
        .collect();
    for p in &doc.packages {
        for id in p
            .license_declared
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .filter(|w| w.starts_with("LicenseRef-"))
        {
            if !refs.contains(id) {
                return Err(bad(format!("{id} has no extracted licensing info")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sbom::model::tests::sample;

    #[test]
    fn relationships_files_and_licence_refs() -> Result<(), SbomError> {
        let doc = build(&sample())?;
        let json = serde_json::to_value(&doc).map_err(|e| SbomError::Inconsistent {
            format: "test",
            reason: e.to_string(),
        })?;
        let rels: Vec<String> = json["relationships"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                format!(
                    "{} {} {}",
                    r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]
                )
                .replace('"', "")
            })
            .collect();
        assert!(
            rels.contains(&"SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-pypi-a-1".to_owned()),
            "{rels:?}"
        );
        assert!(rels.contains(&"SPDXRef-Package-pypi-a-1 CONTAINS SPDXRef-File-1".to_owned()));
        assert!(
            rels.contains(
                &"SPDXRef-Package-pypi-a-1 DEPENDS_ON SPDXRef-Package-pypi-b-2".to_owned()
            )
        );
        // The LicenseRef- a package declares is defined in the document.
        assert_eq!(
            json["hasExtractedLicensingInfos"][0]["licenseId"],
            "LicenseRef-Custom"
        );
        // SHA-1 of the one file's SHA-1, as the spec's verification code.
        let code = hex::encode(Sha1::digest("3".repeat(40)));
        assert_eq!(
            json["packages"][0]["packageVerificationCode"]["packageVerificationCodeValue"],
            code.as_str()
        );
        assert_eq!(json["packages"][1]["supplier"], "NOASSERTION");
        // Stable: the same model gives the same namespace.
        assert_eq!(build(&sample())?.document_namespace, doc.document_namespace);
        Ok(())
    }

    #[test]
    fn the_id_check_catches_dangling_relationships() -> Result<(), SbomError> {
        let mut doc = build(&sample())?;
        doc.relationships.push(Relationship {
            spdx_element_id: "SPDXRef-DOCUMENT".into(),
            relationship_type: "DESCRIBES",
            related_spdx_element: "SPDXRef-Nowhere".into(),
        });
        assert!(check(&doc).is_err());
        Ok(())
    }
}
