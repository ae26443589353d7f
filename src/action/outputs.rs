//! Step outputs, appended to `$GITHUB_OUTPUT` in the runner's heredoc form.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// An output name we chose is not a valid identifier: a bug in attest-kit.
    #[error("invalid output name {0:?}")]
    InvalidName(String),
    /// The value holds the random delimiter: refusing is the only safe answer.
    #[error("output {name} contains its heredoc delimiter; refusing to write it")]
    DelimiterInValue { name: String },
    #[error("couldn't append step outputs to {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("couldn't get random bytes for the output delimiter")]
    Random(#[source] getrandom::Error),
}

/// GitHub takes at most 1 MiB per step output.
pub const OUTPUT_LIMIT: usize = 1024 * 1024;

/// Outputs collected during a run, written together at the end.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outputs {
    entries: Vec<(String, String)>,
}

impl Outputs {
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if let Some(slot) = self.entries.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value;
        } else {
            self.entries.push((name.to_owned(), value));
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Moves every value longer than GitHub's per-output limit into a file in `dir`
    /// (`<name>.json`, or `<name>.txt` when it is not JSON); the output then holds the
    /// file's path. Returns the files to write.
    pub fn spill_large(&mut self, dir: &Path) -> Vec<crate::write::PendingFile> {
        let mut files = Vec::new();
        for (name, value) in &mut self.entries {
            if value.len() <= OUTPUT_LIMIT {
                continue;
            }
            let json = serde_json::from_str::<serde_json::Value>(value).is_ok();
            let path = dir.join(format!("{name}.{}", if json { "json" } else { "txt" }));
            let bytes = std::mem::replace(value, path.display().to_string()).into_bytes();
            files.push(crate::write::PendingFile { path, bytes });
        }
        files
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Renders every output with `delimiter`; fails before producing anything if a name is
    /// invalid or a value contains the delimiter.
    pub fn render(&self, delimiter: &str) -> Result<String, OutputError> {
        let mut out = String::new();
        for (name, value) in &self.entries {
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(OutputError::InvalidName(name.clone()));
            }
            if value.contains(delimiter) {
                return Err(OutputError::DelimiterInValue { name: name.clone() });
            }
            out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        }
        Ok(out)
    }

    /// Appends all outputs to `path` in one write.
    pub fn append_to(&self, path: &Path) -> Result<(), OutputError> {
        let text = self.render(&random_delimiter()?)?;
        let mut file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|source| OutputError::Write {
                path: path.to_owned(),
                source,
            })?;
        file.write_all(text.as_bytes())
            .map_err(|source| OutputError::Write {
                path: path.to_owned(),
                source,
            })
    }
}

/// `ghadelimiter_` plus 128 random bits, like actions/toolkit: unguessable, so an attacker
/// who controls a value cannot end it early.
pub fn random_delimiter() -> Result<String, OutputError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(OutputError::Random)?;
    Ok(format!("ghadelimiter_{}", hex::encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_form() {
        let mut o = Outputs::default();
        o.set("subject-count", "2");
        o.set("subjects", "[\n]");
        o.set("subject-count", "3");
        assert_eq!(
            o.render("D").ok().as_deref(),
            Some("subject-count<<D\n3\nD\nsubjects<<D\n[\n]\nD\n")
        );
    }

    #[test]
    fn a_value_holding_the_delimiter_is_refused() {
        let mut o = Outputs::default();
        o.set("x", "a\nDELIM\nevil<<y");
        assert!(matches!(
            o.render("DELIM"),
            Err(OutputError::DelimiterInValue { .. })
        ));
    }

    #[test]
    fn delimiters_are_random() -> Result<(), OutputError> {
        let (a, b) = (random_delimiter()?, random_delimiter()?);
        assert_ne!(a, b);
        assert_eq!(a.len(), "ghadelimiter_".len() + 32);
        Ok(())
    }

    #[test]
    fn values_over_githubs_limit_go_to_a_file() {
        let mut o = Outputs::default();
        let big = format!("[{}]", vec!["1"; OUTPUT_LIMIT / 2 + 1].join(","));
        o.set("subjects", big.clone());
        o.set("subject-count", "2");
        let files = o.spill_large(Path::new("out"));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, Path::new("out/subjects.json"));
        assert_eq!(files[0].bytes, big.as_bytes());
        assert_eq!(o.get("subjects"), Some("out/subjects.json"));
        assert_eq!(o.get("subject-count"), Some("2"));
        // Exactly at the limit stays inline.
        o.set("x", "a".repeat(OUTPUT_LIMIT));
        assert!(o.spill_large(Path::new("out")).is_empty());
    }

    #[test]
    fn bad_names_are_refused() {
        let mut o = Outputs::default();
        o.set("a b", "v");
        assert!(matches!(o.render("D"), Err(OutputError::InvalidName(_))));
    }
}
