//! Reads the action's inputs (`INPUT_*` variables) into the same `*Args` the CLI fills.
//!
//! The composite action maps `${{ inputs.x-y }}` to `INPUT_X_Y`; a JavaScript-style runner
//! would pass `INPUT_X-Y`. Both spellings are accepted. An omitted input arrives as `""`,
//! which means "not set" here; booleans accept only the YAML 1.2 core spellings, as
//! `core.getBooleanInput` does.

use std::path::PathBuf;

use serde::Deserialize;

use crate::cli::{AttestArgs, OutputArgs, ProvenanceArgs, SubjectArgs};
use crate::config::{AttestConfig, ConfigError, Job};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawInputs {
    command: Option<String>,
    subject_path: Option<String>,
    subject_digest: Option<String>,
    subject_name: Option<String>,
    subject_checksums: Option<String>,
    digest_algorithms: Option<String>,
    output_dir: Option<String>,
    legacy_provenance: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn boolean(input: &'static str, v: Option<String>) -> Result<Option<bool>, ConfigError> {
    match non_empty(v).as_deref().map(str::trim) {
        None => Ok(None),
        Some("true" | "True" | "TRUE") => Ok(Some(true)),
        Some("false" | "False" | "FALSE") => Ok(Some(false)),
        Some(other) => Err(ConfigError::Invalid {
            input,
            reason: format!("{other:?} is not a boolean; use true or false"),
        }),
    }
}

/// Builds the job from the process's variables (`name → value`).
pub fn read(vars: impl IntoIterator<Item = (String, String)>) -> Result<Job, ConfigError> {
    // One value per input. Our action.yml sets `INPUT_X_Y`; some runners (act) also set
    // `INPUT_X-Y`, which envy would see as a duplicate: the underscore spelling wins.
    let mut inputs = std::collections::BTreeMap::new();
    for (k, v) in vars {
        let Some(rest) = k.strip_prefix("INPUT_") else {
            continue;
        };
        let key = format!("INPUT_{}", rest.replace(['-', ' '], "_"));
        let ours = !rest.contains(['-', ' ']);
        if ours || !inputs.contains_key(&key) {
            inputs.insert(key, v);
        }
    }
    let raw: RawInputs = envy::prefixed("INPUT_")
        .from_iter(inputs)
        .map_err(|e| ConfigError::Inputs(e.to_string()))?;

    let command = non_empty(raw.command).unwrap_or_else(|| "attest".to_owned());
    let args = AttestArgs {
        paths: Vec::new(),
        subjects: SubjectArgs {
            subject_path: non_empty(raw.subject_path).into_iter().collect(),
            subject_digest: non_empty(raw.subject_digest),
            subject_name: non_empty(raw.subject_name),
            subject_checksums: non_empty(raw.subject_checksums),
            digest_algorithms: non_empty(raw.digest_algorithms),
        },
        provenance: ProvenanceArgs {
            legacy_provenance: boolean("legacy-provenance", raw.legacy_provenance)?,
            // A workflow run always has its GitHub context; local mode is for the CLI.
            allow_local: None,
        },
        output: OutputArgs {
            output_dir: non_empty(raw.output_dir).map(|d| PathBuf::from(d.trim())),
            format: None,
        },
    };
    match command.trim() {
        "attest" => Ok(Job::Attest(AttestConfig::from_args(args)?)),
        "provenance" => Ok(Job::Provenance(AttestConfig::from_args(args)?)),
        c @ ("sbom" | "sign" | "verify" | "verify-release" | "reproduce") => {
            Err(ConfigError::NotYetAvailable(c.to_owned()))
        }
        other => Err(ConfigError::UnknownCommand(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn both_spellings_and_empty_values() -> Result<(), ConfigError> {
        let job = read(vars(&[
            ("INPUT_SUBJECT_PATH", "dist/*.whl\ndist/*.tar.gz"),
            ("INPUT_OUTPUT-DIR", "out"),
            ("INPUT_SUBJECT_DIGEST", ""),
            ("INPUT_COMMAND", ""),
            ("INPUT_LEGACY_PROVENANCE", "False"),
            ("PATH", "/usr/bin"),
        ]))?;
        let Job::Attest(c) = job else {
            panic!("expected attest, got {job:?}")
        };
        assert_eq!(c.subjects.patterns, ["dist/*.whl", "dist/*.tar.gz"]);
        assert_eq!(c.output_dir, PathBuf::from("out"));
        assert!(!c.legacy_provenance);
        assert!(c.subjects.digest.is_none());
        Ok(())
    }

    #[test]
    fn both_spellings_at_once_prefer_the_underscore_one() -> Result<(), ConfigError> {
        for order in [[0, 1], [1, 0]] {
            let pairs = [("INPUT_OUTPUT_DIR", "ours"), ("INPUT_OUTPUT-DIR", "runner")];
            let mut v = vars(&[("INPUT_SUBJECT_PATH", "x")]);
            v.extend(
                order
                    .iter()
                    .map(|&i| (pairs[i].0.to_owned(), pairs[i].1.to_owned())),
            );
            let Job::Attest(c) = read(v)? else {
                panic!("expected attest")
            };
            assert_eq!(c.output_dir, PathBuf::from("ours"));
        }
        Ok(())
    }

    #[test]
    fn strict_booleans() {
        for bad in ["yes", "1", "on", "tru"] {
            let r = read(vars(&[
                ("INPUT_SUBJECT_PATH", "x"),
                ("INPUT_LEGACY_PROVENANCE", bad),
            ]));
            assert!(
                matches!(
                    r,
                    Err(ConfigError::Invalid {
                        input: "legacy-provenance",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn commands() {
        let base = [("INPUT_SUBJECT_PATH", "x")];
        let with = |c: &str| {
            let mut v = vars(&base);
            v.push(("INPUT_COMMAND".into(), c.into()));
            read(v)
        };
        assert!(matches!(with("provenance"), Ok(Job::Provenance(_))));
        assert!(matches!(with("sign"), Err(ConfigError::NotYetAvailable(_))));
        assert!(matches!(
            with("rm -rf"),
            Err(ConfigError::UnknownCommand(_))
        ));
    }
}
