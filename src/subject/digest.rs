//! Digest algorithms and `alg:hex` digests as users write them.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestError {
    #[error("unsupported digest algorithm {0:?} (expected sha256 or sha512)")]
    Algorithm(String),
    #[error("invalid digest {digest:?}: expected {alg}:<{len} hex characters>")]
    Format {
        digest: String,
        alg: &'static str,
        len: usize,
    },
}

impl FromStr for Algorithm {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "").as_str() {
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            other => Err(DigestError::Algorithm(other.to_owned())),
        }
    }
}

/// A digest as `alg:hex`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    pub algorithm: Algorithm,
    /// Lowercase hex.
    pub hex: String,
}

impl Digest {
    /// Accepts `sha256:<hex>` / `sha512:<hex>`; hex case is normalised to lowercase.
    pub fn parse(s: &str) -> Result<Self, DigestError> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestError::Algorithm(s.to_owned()))?;
        let algorithm: Algorithm = alg.parse()?;
        Self::from_hex(algorithm, hex).ok_or(DigestError::Format {
            digest: s.to_owned(),
            alg: algorithm.name(),
            len: algorithm.hex_len(),
        })
    }

    /// `hex` must be exactly the algorithm's length of hex characters.
    pub fn from_hex(algorithm: Algorithm, hex: &str) -> Option<Self> {
        (hex.len() == algorithm.hex_len() && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(
            || Digest {
                algorithm,
                hex: hex.to_ascii_lowercase(),
            },
        )
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_algorithms_and_normalises_case() {
        let d = Digest::parse(&format!("sha256:{}", "AB".repeat(32)));
        assert_eq!(d.map(|d| d.hex), Ok("ab".repeat(32)));
        let d = Digest::parse(&format!("SHA512:{}", "0f".repeat(64)));
        assert_eq!(d.map(|d| d.algorithm), Ok(Algorithm::Sha512));
    }

    #[test]
    fn rejects_bad_digests() {
        for bad in [
            "",
            "sha256",
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            &format!("sha256:{}", "a".repeat(63)),
            &format!("sha256:{}", "g".repeat(64)),
            &format!("sha512:{}", "a".repeat(64)),
            &format!("sha256: {}", "a".repeat(64)),
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
