//! CycloneDX 1.6 (or 1.5) JSON, written by hand with serde: only the fields we emit.
//!
//! The artifact is `metadata.component`, its members nested inside it as components of
//! type `file`; dependencies are top-level components; every component of the tree has a
//! `dependencies` entry whose `dependsOn` is always present, empty or not. The build
//! environment goes in `metadata.properties` and `formulation`.

use std::collections::BTreeSet;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::SbomError;
use super::license::License;
use super::model::{Ecosystem, Package, Sbom};

pub const PREDICATE_TYPE: &str = "https://cyclonedx.org/bom";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpecVersion {
    V1_5,
    #[default]
    V1_6,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
        }
    }

    pub fn parse(s: &str) -> Option<SpecVersion> {
        match s.trim() {
            "1.5" => Some(SpecVersion::V1_5),
            "1.6" => Some(SpecVersion::V1_6),
            _ => None,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    #[serde(rename = "$schema")]
    schema: String,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
    formulation: Vec<Formula>,
}

#[derive(Debug, Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    component: Component,
    properties: Vec<Property>,
}

#[derive(Debug, Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Debug, Serialize, Default)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Entity>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
}

#[derive(Debug, Serialize)]
struct Entity {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contact: Vec<Contact>,
}

#[derive(Debug, Serialize)]
struct Contact {
    name: String,
    email: String,
}

#[derive(Debug, Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum LicenseChoice {
    Expression { expression: String },
    Named { license: NamedLicense },
}

#[derive(Debug, Serialize)]
struct NamedLicense {
    name: String,
}

#[derive(Debug, Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Debug, Serialize)]
struct Property {
    name: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Formula {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    components: Vec<Component>,
    properties: Vec<Property>,
}

fn hash_alg(a: &str) -> Option<&'static str> {
    match a {
        "SHA1" => Some("SHA-1"),
        "SHA256" => Some("SHA-256"),
        "SHA384" => Some("SHA-384"),
        "SHA512" => Some("SHA-512"),
        "MD5" => Some("MD5"),
        _ => None,
    }
}

fn is_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://")) && !u.contains(char::is_whitespace)
}

fn component(p: &Package, kind: &'static str) -> Component {
    let mut properties: Vec<Property> = p
        .properties
        .iter()
        .map(|(k, v)| Property {
            name: k.clone(),
            value: v.clone(),
        })
        .collect();
    if let Some(d) = &p.declared {
        properties.push(Property {
            name: "attest-kit:declared-version-range".into(),
            value: d.clone(),
        });
    }
    let mut external_references = Vec::new();
    if let Some(h) = p.homepage.as_deref().filter(|u| is_url(u)) {
        external_references.push(ExternalReference {
            kind: "website",
            url: h.to_owned(),
        });
    }
    if let Some(d) = p.download.as_deref().filter(|u| is_url(u)) {
        external_references.push(ExternalReference {
            kind: "distribution",
            url: d.to_owned(),
        });
    }
    Component {
        kind,
        bom_ref: p.key.clone(),
        supplier: match (&p.supplier, &p.distributor) {
            (Some(s), _) => Some(Entity {
                name: s.name.clone(),
                contact: s
                    .email
                    .iter()
                    .filter(|e| simple_email(e))
                    .map(|e| Contact {
                        name: s.name.clone(),
                        email: e.clone(),
                    })
                    .collect(),
            }),
            (None, Some(d)) => Some(Entity {
                name: d.clone(),
                contact: Vec::new(),
            }),
            (None, None) => None,
        },
        name: p.name.clone(),
        version: p.version.clone(),
        description: p.summary.clone().filter(|s| !s.trim().is_empty()),
        hashes: p
            .hashes
            .iter()
            .filter_map(|(a, h)| {
                Some(Hash {
                    alg: hash_alg(a)?,
                    content: h.clone(),
                })
            })
            .collect(),
        licenses: match &p.license {
            Some(License::Spdx { expression, .. }) => vec![LicenseChoice::Expression {
                expression: expression.clone(),
            }],
            Some(License::Other { name, .. }) => vec![LicenseChoice::Named {
                license: NamedLicense { name: name.clone() },
            }],
            None => Vec::new(),
        },
        purl: p.purl.clone(),
        external_references,
        properties,
        components: Vec::new(),
    }
}

fn simple_email(e: &str) -> bool {
    let Some((user, host)) = e.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && host.contains('.')
        && !e
            .contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | '"'))
}

pub fn build(sbom: &Sbom, version: SpecVersion) -> Result<Bom, SbomError> {
    let root_kind = match (sbom.root.ecosystem, sbom.artifact.kind) {
        (Ecosystem::Cargo, _) | (_, "binary") => "application",
        _ => "library",
    };
    let mut root = component(&sbom.root, root_kind);
    root.hashes = vec![
        Hash {
            alg: "SHA-1",
            content: sbom.artifact.sha1.clone(),
        },
        Hash {
            alg: "SHA-256",
            content: sbom.artifact.sha256.clone(),
        },
    ];
    root.properties.push(Property {
        name: "attest-kit:artifact-file-name".into(),
        value: sbom.artifact.file_name.clone(),
    });
    root.components = sbom
        .files
        .iter()
        .map(|f| Component {
            kind: "file",
            bom_ref: format!("file:{}", f.path),
            name: f.path.clone(),
            hashes: vec![
                Hash {
                    alg: "SHA-1",
                    content: f.sha1.clone(),
                },
                Hash {
                    alg: "SHA-256",
                    content: f.sha256.clone(),
                },
            ],
            ..Default::default()
        })
        .collect();
    let components: Vec<Component> = sbom
        .packages
        .iter()
        .map(|p| component(p, "library"))
        .collect();
    let dependencies = sbom
        .all_packages()
        .map(|p| Dependency {
            reference: p.key.clone(),
            depends_on: sbom
                .edges
                .get(&p.key)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        })
        .collect();
    let tool = Component {
        kind: "application",
        bom_ref: "attest-kit:tool".into(),
        name: sbom.build.tool_name.to_owned(),
        version: Some(sbom.build.tool_version.to_owned()),
        ..Default::default()
    };
    let facts: Vec<Property> = sbom
        .build
        .facts()
        .into_iter()
        .map(|(k, v)| Property {
            name: k.to_owned(),
            value: v,
        })
        .chain([Property {
            name: "attest-kit:dependencies".into(),
            value: sbom.resolution.describe(),
        }])
        .collect();
    let mut formula_components = vec![Component {
        kind: "application",
        bom_ref: "attest-kit:formulation:tool".into(),
        name: sbom.build.tool_name.to_owned(),
        version: Some(sbom.build.tool_version.to_owned()),
        ..Default::default()
    }];
    if let Some(py) = &sbom.build.python_version {
        formula_components.push(Component {
            kind: "platform",
            bom_ref: "attest-kit:formulation:python".into(),
            name: "python".into(),
            version: Some(py.clone()),
            properties: sbom
                .build
                .python_platform
                .iter()
                .map(|p| Property {
                    name: "attest-kit:build:python-platform".into(),
                    value: p.clone(),
                })
                .collect(),
            ..Default::default()
        });
    }
    let mut bom = Bom {
        schema: format!(
            "http://cyclonedx.org/schema/bom-{}.schema.json",
            version.as_str()
        ),
        bom_format: "CycloneDX",
        spec_version: version.as_str(),
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: sbom.created.clone(),
            tools: Tools {
                components: vec![tool],
            },
            component: root,
            properties: facts
                .iter()
                .map(|p| Property {
                    name: p.name.clone(),
                    value: p.value.clone(),
                })
                .collect(),
        },
        components,
        dependencies,
        formulation: vec![Formula {
            bom_ref: "attest-kit:formulation".into(),
            components: formula_components,
            properties: facts,
        }],
    };
    let body = serde_json::to_vec(&bom).map_err(|e| SbomError::Inconsistent {
        format: "CycloneDX",
        reason: e.to_string(),
    })?;
    let mut d = Sha256::new();
    d.update(sbom.artifact.sha256.as_bytes());
    d.update(&body);
    let h = hex::encode(d.finalize());
    // A name-based UUID (version 5 layout, variant 10xx) from the artifact digest and content.
    let variant = ['8', '9', 'a', 'b'][usize::from(h.as_bytes()[16] % 4)];
    bom.serial_number = format!(
        "urn:uuid:{}-{}-5{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        variant,
        &h[17..20],
        &h[20..32]
    );
    check(&bom)?;
    Ok(bom)
}

/// bom-refs are unique and every dependency reference resolves.
fn check(bom: &Bom) -> Result<(), SbomError> {
    let bad = |reason: String| SbomError::Inconsistent {
        format: "CycloneDX",
        reason,
    };
    let mut refs = BTreeSet::new();
    fn walk<'a>(c: &'a Component, out: &mut Vec<&'a str>) {
        out.push(&c.bom_ref);
        for sub in &c.components {
            walk(sub, out);
        }
    }
    let mut all = Vec::new();
    walk(&bom.metadata.component, &mut all);
    for c in bom.components.iter().chain(&bom.metadata.tools.components) {
        walk(c, &mut all);
    }
    for f in &bom.formulation {
        all.push(&f.bom_ref);
        for c in &f.components {
            walk(c, &mut all);
        }
    }
    for r in all {
        if !refs.insert(r) {
            return Err(bad(format!("bom-ref {r:?} is used twice")));
        }
    }
    let mut seen = BTreeSet::new();
    for d in &bom.dependencies {
        if !seen.insert(d.reference.as_str()) {
            return Err(bad(format!("{} has two dependency entries", d.reference)));
        }
        for r in std::iter::once(&d.reference).chain(&d.depends_on) {
            if !refs.contains(r.as_str()) {
                return Err(bad(format!("dependency names unknown bom-ref {r:?}")));
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
    fn every_component_has_depends_on_and_refs_resolve() -> Result<(), SbomError> {
        let bom = build(&sample(), SpecVersion::V1_6)?;
        let json = serde_json::to_value(&bom).map_err(|e| SbomError::Inconsistent {
            format: "test",
            reason: e.to_string(),
        })?;
        assert_eq!(json["dependencies"][0]["ref"], "pypi:a@1");
        assert_eq!(json["dependencies"][0]["dependsOn"][0], "pypi:b@2");
        assert!(
            json["dependencies"][1]["dependsOn"]
                .as_array()
                .is_some_and(Vec::is_empty)
        );
        assert_eq!(
            json["metadata"]["component"]["components"][0]["type"],
            "file"
        );
        let serial = json["serialNumber"].as_str().unwrap_or_default();
        assert!(
            serial.starts_with("urn:uuid:") && serial.len() == 45,
            "{serial}"
        );
        Ok(())
    }

    #[test]
    fn the_ref_check_catches_dangling_and_duplicate_refs() -> Result<(), SbomError> {
        let mut bom = build(&sample(), SpecVersion::V1_5)?;
        bom.dependencies[0].depends_on.push("pypi:nowhere@0".into());
        assert!(check(&bom).is_err());
        let mut bom = build(&sample(), SpecVersion::V1_5)?;
        let dup = Component {
            bom_ref: "pypi:b@2".into(),
            ..Default::default()
        };
        bom.components.push(dup);
        assert!(check(&bom).is_err());
        Ok(())
    }
}
