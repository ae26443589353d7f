//! `sha256sum` / `sha512sum` output (GNU and BSD-tag forms) as subjects.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Algorithm, Digest, Subject, SubjectError};

/// Where the checksums come from: the input is a file path unless it already looks like
/// checksum lines.
pub fn load(input: &str) -> Result<Vec<Subject>, SubjectError> {
    load_at_most(input, usize::MAX)
}

/// `load`, refusing more than `max` subjects (`max-subjects`) as soon as the count passes it.
pub fn load_at_most(input: &str, max: usize) -> Result<Vec<Subject>, SubjectError> {
    let trimmed = input.trim();
    let limit = crate::input_file::SUBJECT_CHECKSUMS;
    if trimmed.contains('\n') || parse_line(trimmed.trim_end_matches('\r')).is_ok() {
        crate::input_file::check_inline(input, limit).map_err(|e| SubjectError::ChecksumLine {
            file: None,
            line: 0,
            reason: e.to_string(),
        })?;
        return parse_at_most(input, max);
    }
    let text = crate::input_file::read(Path::new(trimmed), limit).map_err(|source| {
        SubjectError::ChecksumFile {
            path: trimmed.to_owned(),
            source,
        }
    })?;
    let text = String::from_utf8(text).map_err(|_| SubjectError::ChecksumLine {
        file: None,
        line: 0,
        reason: "the file is not UTF-8 text".to_owned(),
    })?;
    // Name the file in the error, so the annotation can point at the bad line.
    parse_at_most(&text, max).map_err(|e| match e {
        SubjectError::ChecksumLine { line, reason, .. } => SubjectError::ChecksumLine {
            file: Some(trimmed.to_owned()),
            line,
            reason,
        },
        other => other,
    })
}

/// Parses every non-blank line; the first bad one is an error with its number.
pub fn parse(text: &str) -> Result<Vec<Subject>, SubjectError> {
    parse_at_most(text, usize::MAX)
}

fn parse_at_most(text: &str, max: usize) -> Result<Vec<Subject>, SubjectError> {
    let mut subjects = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (digest, name) = parse_line(line).map_err(|reason| SubjectError::ChecksumLine {
            file: None,
            line: i + 1,
            reason,
        })?;
        super::check_name(&name).map_err(|e| SubjectError::ChecksumLine {
            file: None,
            line: i + 1,
            reason: e.to_string(),
        })?;
        if subjects.len() == max {
            let count = text.lines().filter(|l| !l.trim().is_empty()).count();
            return Err(SubjectError::TooMany { count, limit: max });
        }
        subjects.push(Subject {
            name,
            digests: BTreeMap::from([(digest.algorithm, digest.hex)]),
            path: None,
            size: None,
        });
    }
    if subjects.is_empty() {
        return Err(SubjectError::ChecksumLine {
            file: None,
            line: 0,
            reason: "no checksum lines found".to_owned(),
        });
    }
    Ok(subjects)
}

fn algorithm_for(hex: &str) -> Result<Algorithm, String> {
    match hex.len() {
        64 => Ok(Algorithm::Sha256),
        128 => Ok(Algorithm::Sha512),
        n => Err(format!(
            "digest has {n} characters; expected 64 (SHA-256) or 128 (SHA-512)"
        )),
    }
}

/// One line: `HEX  name`, `HEX *name` (binary marker), `\HEX  escaped\nname`, or
/// `SHA256 (name) = HEX`.
fn parse_line(line: &str) -> Result<(Digest, String), String> {
    if let Some(tagged) = parse_tagged(line) {
        return tagged;
    }
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, rest) = line
        .split_once(' ')
        .ok_or_else(|| "expected '<hex digest>  <file name>'".to_owned())?;
    let algorithm = algorithm_for(hex)?;
    let digest = Digest::from_hex(algorithm, hex)
        .ok_or_else(|| format!("digest {hex:?} is not hexadecimal"))?;
    // GNU format: one space, then ' ' (text) or '*' (binary), then the name.
    let name = match rest.chars().next() {
        Some(' ' | '*') => &rest[1..],
        _ => return Err("expected two spaces or ' *' between digest and file name".to_owned()),
    };
    if name.is_empty() {
        return Err("missing file name".to_owned());
    }
    let name = if escaped {
        unescape(name)?
    } else {
        name.to_owned()
    };
    Ok((digest, name))
}

fn parse_tagged(line: &str) -> Option<Result<(Digest, String), String>> {
    let (tag, rest) = line.split_once(" (")?;
    let algorithm = match tag {
        "SHA256" => Algorithm::Sha256,
        "SHA512" => Algorithm::Sha512,
        _ => return None,
    };
    let (name, hex) = rest.rsplit_once(") = ")?;
    Some(
        Digest::from_hex(algorithm, hex)
            .map(|d| (d, name.to_owned()))
            .ok_or_else(|| {
                format!(
                    "{tag} digest {hex:?} is not {} hex characters",
                    algorithm.hex_len()
                )
            }),
    )
}

/// GNU coreutils escapes `\n` and `\\` in names and marks the line with a leading `\`.
fn unescape(name: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            other => return Err(format!("unknown escape \\{}", other.unwrap_or(' '))),
        }
    }
    Ok(out)
}

/// Writes a name the way `sha256sum` does, so `sha256sum --check` reads it back.
pub fn format_line(hex: &str, name: &str) -> String {
    if name.contains(['\n', '\r', '\\']) {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{hex}  {escaped}\n")
    } else {
        format!("{hex}  {name}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(c: char, n: usize) -> String {
        c.to_string().repeat(n)
    }

    #[test]
    fn reads_gnu_binary_tagged_and_escaped_lines() -> Result<(), SubjectError> {
        let text = format!(
            "{a}  dist/a.whl\n{b} *b.tar.gz\r\n\nSHA512 (c.bin) = {c}\n\\{a}  back\\\\slash\n",
            a = h('a', 64),
            b = h('B', 64),
            c = h('c', 128)
        );
        let s = parse(&text)?;
        let names: Vec<_> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["dist/a.whl", "b.tar.gz", "c.bin", "back\\slash"]);
        assert_eq!(s[1].sha256(), Some(h('b', 64).as_str()));
        assert_eq!(s[2].digests.get(&Algorithm::Sha512), Some(&h('c', 128)));
        Ok(())
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        for (text, line) in [
            (format!("{}  a\nnot a checksum\n", h('a', 64)), 2),
            (format!("{}  a\n", h('a', 63)), 1),
            (format!("{}  a\n{} a\n", h('a', 64), h('a', 64)), 2),
            (format!("{}  \n", h('a', 64)), 1),
            (format!("{}  a\n\n{}  b\n", h('a', 64), h('z', 64)), 3),
            (format!("{}  a\x07b\n", h('a', 64)), 1),
            (
                format!(
                    "{}  a\n{}  ../../../../etc/passwd\n",
                    h('a', 64),
                    h('b', 64)
                ),
                2,
            ),
            (
                format!("{}  a\n\n{} */etc/shadow\n", h('a', 64), h('b', 64)),
                3,
            ),
            (format!("SHA256 (dist/../x) = {}\n", h('a', 64)), 1),
        ] {
            match parse(&text) {
                Err(SubjectError::ChecksumLine { line: got, .. }) => {
                    assert_eq!(got, line, "{text:?}")
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn names_round_trip_through_format_line() -> Result<(), SubjectError> {
        for name in ["plain.whl", "back\\slash", "spaces in name", "a::b%0A.whl"] {
            let s = parse(&format_line(&h('0', 64), name))?;
            assert_eq!(s[0].name, name);
        }
        // An escaped newline decodes, then is refused like any control character in a name.
        assert!(matches!(
            parse(&format_line(&h('0', 64), "new\nline")),
            Err(SubjectError::ChecksumLine { line: 1, .. })
        ));
        Ok(())
    }

    #[test]
    fn inline_text_or_file() -> Result<(), SubjectError> {
        assert_eq!(load(&format!("{}  a.txt", h('1', 64)))?.len(), 1);
        assert!(matches!(
            load("/definitely/not/here.sha256"),
            Err(SubjectError::ChecksumFile { .. })
        ));
        Ok(())
    }
}
