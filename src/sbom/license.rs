//! Licences in PEP 639 order: `License-Expression`, then `License`, then classifiers, then
//! license files. Valid SPDX expressions are canonicalised with the `spdx` crate; anything
//! else is kept as written (a `LicenseRef-` in SPDX, a licence name in CycloneDX). Nothing
//! is guessed: "BSD" stays "BSD".

use sha2::{Digest as _, Sha256};

use super::metadata::CoreMetadata;

/// Where a licence was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Expression,
    LicenseField,
    Classifier,
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum License {
    /// A valid, canonical SPDX expression.
    Spdx { expression: String, origin: Origin },
    /// Not an SPDX expression: a name and its text, and a stable `LicenseRef-` id.
    Other {
        id: String,
        name: String,
        text: String,
        origin: Origin,
    },
}

impl License {
    pub fn is_spdx(&self) -> bool {
        matches!(self, License::Spdx { .. })
    }
}

/// The canonical SPDX form of `text`, or `None` when it is not a valid expression. Only
/// exact identifiers (any case), `/` for OR and the deprecated GNU `+` are accepted;
/// imprecise names like "Apache 2" or "BSD" are not.
pub fn canonical(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.contains('\n') {
        return None;
    }
    let text = &exact_case(text);
    let mode = spdx::ParseMode {
        allow_imprecise_license_names: false,
        ..spdx::ParseMode::LAX
    };
    spdx::Expression::parse_mode(text, mode).ok()?;
    let canon = spdx::Expression::canonicalize(text)
        .ok()?
        .unwrap_or_else(|| text.to_owned());
    spdx::Expression::parse(&canon).ok()?;
    Some(canon)
}

/// SPDX identifiers match case-insensitively (PEP 639): each word that equals a listed
/// licence, exception or operator ignoring case gets its exact spelling. Nothing else
/// changes, so an unknown word still fails to parse.
fn exact_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let (base, plus) = match word.strip_suffix('+') {
            Some(b) => (b, "+"),
            None => (word.as_str(), ""),
        };
        let fixed = if ["and", "or", "with"]
            .iter()
            .any(|op| op.eq_ignore_ascii_case(base))
        {
            Some(base.to_ascii_uppercase())
        } else if base.starts_with("LicenseRef-") || base.starts_with("DocumentRef-") {
            None
        } else {
            spdx::identifiers::LICENSES
                .iter()
                .map(|l| l.name)
                .chain(spdx::identifiers::EXCEPTIONS.iter().map(|e| e.name))
                .find(|n| n.eq_ignore_ascii_case(base))
                .map(str::to_owned)
        };
        match fixed {
            Some(f) => {
                out.push_str(&f);
                out.push_str(plus);
            }
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '(' | ')' | '/') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Trove classifiers that name exactly one SPDX licence. Classifiers that do not say which
/// version or variant ("BSD License", "Apache Software License") are not mapped.
const CLASSIFIERS: &[(&str, &str)] = &[
    ("License :: OSI Approved :: MIT License", "MIT"),
    (
        "License :: OSI Approved :: MIT No Attribution License (MIT-0)",
        "MIT-0",
    ),
    ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
    (
        "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
        "MPL-2.0",
    ),
    (
        "License :: OSI Approved :: The Unlicense (Unlicense)",
        "Unlicense",
    ),
    (
        "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)",
        "BSL-1.0",
    ),
    ("License :: OSI Approved :: zlib/libpng License", "Zlib"),
    (
        "License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)",
        "EUPL-1.2",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
        "GPL-3.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)",
        "LGPL-2.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "AGPL-3.0-or-later",
    ),
    (
        "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        "CC0-1.0",
    ),
];

/// The package's licence, from the first field that has one.
pub fn from_metadata(m: &CoreMetadata, files: &[(String, Vec<u8>)]) -> Option<License> {
    if let Some(e) = &m.license_expression {
        return Some(classify(e, Origin::Expression));
    }
    if let Some(l) = m
        .license
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        return Some(classify(l, Origin::LicenseField));
    }
    let classifiers: Vec<&str> = m
        .classifiers
        .iter()
        .map(|c| c.trim())
        .filter(|c| c.starts_with("License ::"))
        .collect();
    if !classifiers.is_empty() {
        let mapped: Vec<Option<&str>> = classifiers
            .iter()
            .map(|c| CLASSIFIERS.iter().find(|(k, _)| k == c).map(|(_, v)| *v))
            .collect();
        // One classifier naming one licence is unambiguous; several could mean AND or OR.
        if let [Some(id)] = mapped.as_slice() {
            return Some(License::Spdx {
                expression: (*id).to_owned(),
                origin: Origin::Classifier,
            });
        }
        let name = classifiers.join("; ");
        return Some(other(&name, &name, Origin::Classifier));
    }
    if let Some((path, text)) = files.first() {
        let file = path.rsplit('/').next().unwrap_or(path);
        let text = String::from_utf8_lossy(text);
        let text: String = text.chars().take(64 * 1024).collect();
        return Some(other(&format!("license file {file}"), &text, Origin::File));
    }
    None
}

fn classify(text: &str, origin: Origin) -> License {
    match canonical(text) {
        Some(expression) => License::Spdx { expression, origin },
        None => {
            let name = text.lines().next().unwrap_or(text).trim();
            let name: String = name.chars().take(200).collect();
            other(&name, text, origin)
        }
    }
}

/// A `LicenseRef-` whose id comes from the name and a hash of the text: stable and unique.
fn other(name: &str, text: &str, origin: Origin) -> License {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-");
    let digest = hex::encode(Sha256::digest(format!("{name}\n{text}")));
    let id = if slug.is_empty() {
        format!("LicenseRef-{}", &digest[..12])
    } else {
        format!("LicenseRef-{slug}-{}", &digest[..8])
    };
    License::Other {
        id,
        name: name.to_owned(),
        text: if text.trim().is_empty() {
            name.to_owned()
        } else {
            text.to_owned()
        },
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_expressions_and_no_guessing() {
        assert_eq!(canonical("mit").as_deref(), Some("MIT"));
        assert_eq!(
            canonical("MIT OR Apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            canonical("Apache-2.0/MIT").as_deref(),
            Some("Apache-2.0 OR MIT")
        );
        assert_eq!(canonical("GPL-2.0+").as_deref(), Some("GPL-2.0-or-later"));
        for bad in [
            "BSD",
            "Apache 2.0",
            "Apache License, Version 2.0",
            "",
            "MIT\nfoo",
            "MIT AND",
        ] {
            assert_eq!(canonical(bad), None, "{bad}");
        }
    }

    #[test]
    fn pep_639_order() {
        let mut m = CoreMetadata {
            license: Some("BSD".into()),
            classifiers: vec!["License :: OSI Approved :: MIT License".into()],
            ..Default::default()
        };
        let Some(License::Other { id, name, .. }) = from_metadata(&m, &[]) else {
            panic!("BSD must stay a LicenseRef");
        };
        assert!(id.starts_with("LicenseRef-BSD-"), "{id}");
        assert_eq!(name, "BSD");
        m.license = None;
        assert_eq!(
            from_metadata(&m, &[]),
            Some(License::Spdx {
                expression: "MIT".into(),
                origin: Origin::Classifier
            })
        );
        m.license_expression = Some("apache-2.0 OR mit".into());
        assert!(matches!(
            from_metadata(&m, &[]),
            Some(License::Spdx { expression, .. }) if expression == "Apache-2.0 OR MIT"
        ));
        m.classifiers = vec!["License :: OSI Approved :: BSD License".into()];
        m.license_expression = None;
        assert!(matches!(
            from_metadata(&m, &[]),
            Some(License::Other { .. })
        ));
    }
}
