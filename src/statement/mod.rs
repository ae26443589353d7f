//! in-toto Statement v1 and the predicates attest-kit writes.

pub mod legacy;
pub mod slsa;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::subject::Subject;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// An in-toto `ResourceDescriptor` as used for subjects: a name and its digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementSubject {
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

impl From<&Subject> for StatementSubject {
    fn from(s: &Subject) -> Self {
        StatementSubject {
            name: s.name.clone(),
            digest: s
                .digests
                .iter()
                .map(|(alg, hex)| (alg.to_string(), hex.clone()))
                .collect(),
        }
    }
}

/// `https://in-toto.io/Statement/v1` with a typed predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement<P> {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<StatementSubject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: P,
}

impl<P: Serialize> Statement<P> {
    pub fn new(subjects: &[Subject], predicate_type: &str, predicate: P) -> Self {
        Statement {
            statement_type: STATEMENT_TYPE.to_owned(),
            subject: subjects.iter().map(StatementSubject::from).collect(),
            predicate_type: predicate_type.to_owned(),
            predicate,
        }
    }
}

/// Pretty JSON with a final newline: the same value always gives the same bytes.
pub fn to_json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own plain structs cannot fail; an empty document would be caught by
    // every consumer, so no panic path is kept here.
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
