//! PyPI: PEP 740 attestations for Python distributions.
//!
//! `dist` checks distribution file names (wheel and sdist naming rules) and contents;
//! `pep740` builds the statements, and converts between a Sigstore bundle and the PEP 740
//! Attestation object (`version`, `verification_material`, `envelope`). Both are portable:
//! signing and verifying happen elsewhere.

pub mod dist;
pub mod pep740;

use crate::github::BuildContext;
use crate::sign::StatementToSign;
use crate::statement::{Statement, slsa};
use crate::subject::Subject;

pub use dist::DistError;

/// The statements to sign for `kinds`, one per distribution and kind. Every subject must be
/// a wheel or an sdist (name and, for files, contents); any that is not fails the whole run
/// before anything is signed.
pub fn statements(
    subjects: &[Subject],
    kinds: PypiKinds,
    build: &BuildContext,
) -> Result<Vec<StatementToSign>, DistError> {
    let mut checked = Vec::with_capacity(subjects.len());
    for s in subjects {
        let d = dist::parse(&s.name)?;
        if let Some(path) = &s.path {
            dist::check_contents(&d, path)?;
        }
        let sha256 = s.sha256().ok_or_else(|| DistError {
            name: s.name.clone(),
            reason: "it has no SHA-256 digest, which PyPI attestations name".to_owned(),
        })?;
        checked.push((s, d, sha256.to_owned()));
    }
    let mut out = Vec::new();
    for (s, d, sha256) in checked {
        let one = |bytes: Vec<u8>, suffix: &str| StatementToSign {
            base: format!("{}{suffix}", d.file_name),
            bytes,
            subject: s.clone(),
            pep740: true,
        };
        if kinds.publish {
            let st = pep740::publish_statement(&d.file_name, &sha256);
            out.push(one(to_vec(&st), pep740::PUBLISH_SUFFIX));
        }
        if kinds.provenance {
            let mut st = Statement::new(
                std::slice::from_ref(s),
                slsa::PREDICATE_TYPE,
                slsa::Provenance::new(build),
            );
            st.subject = vec![pep740::one_subject(&d.file_name, &sha256)];
            out.push(one(to_vec(&st), pep740::SLSA_SUFFIX));
        }
    }
    Ok(out)
}

/// Compact JSON: the bytes that are signed.
fn to_vec<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own plain structs cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// What `pypi-attestations` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PypiKinds {
    /// `https://docs.pypi.org/attestations/publish/v1`, written as `<dist>.publish.attestation`.
    pub publish: bool,
    /// `https://slsa.dev/provenance/v1`, written as `<dist>.slsa.attestation`.
    pub provenance: bool,
}

impl PypiKinds {
    /// `true` (publish), `false` (nothing: `None`), or a list of `publish` and `provenance`
    /// separated by commas or newlines.
    pub fn parse(value: &str) -> Result<Option<PypiKinds>, String> {
        match value.trim() {
            "true" | "True" | "TRUE" => {
                return Ok(Some(PypiKinds {
                    publish: true,
                    provenance: false,
                }));
            }
            "false" | "False" | "FALSE" | "" => return Ok(None),
            _ => {}
        }
        let mut k = PypiKinds::default();
        for item in value
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match item {
                "publish" => k.publish = true,
                "provenance" | "slsa" | "slsa-provenance" => k.provenance = true,
                other => {
                    return Err(format!(
                        "{other:?} is not a PyPI attestation kind; use true, false, or a list of publish, provenance"
                    ));
                }
            }
        }
        Ok(Some(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let publish = PypiKinds {
            publish: true,
            provenance: false,
        };
        assert_eq!(PypiKinds::parse("true"), Ok(Some(publish)));
        assert_eq!(PypiKinds::parse(" false "), Ok(None));
        assert_eq!(
            PypiKinds::parse("publish, provenance"),
            Ok(Some(PypiKinds {
                publish: true,
                provenance: true
            }))
        );
        assert_eq!(
            PypiKinds::parse("provenance\n"),
            Ok(Some(PypiKinds {
                publish: false,
                provenance: true
            }))
        );
        for bad in ["yes", "publish,sbom", "1"] {
            assert!(PypiKinds::parse(bad).is_err(), "{bad}");
        }
    }
}
