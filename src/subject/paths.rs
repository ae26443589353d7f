//! Turns `subject-path` patterns into a list of files.
//!
//! A pattern is a literal path or a glob (`*`, `?`, `[..]`, `{a,b}`, `**` for any depth);
//! a leading `!` excludes what it matches. Walking starts at the pattern's literal prefix, so
//! `dist/*.whl` never reads outside `dist/`.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};
use walkdir::WalkDir;

use super::SubjectError;

/// Splits an input holding patterns separated by newlines or commas.
pub fn split_patterns(input: &str) -> Vec<String> {
    input
        .split(['\n', ','])
        .map(|p| p.trim_end_matches('\r').trim())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Resolves patterns to regular files, in pattern order then path order, without repeated
/// paths.
pub fn resolve(patterns: &[String]) -> Result<Vec<PathBuf>, SubjectError> {
    resolve_with_warnings(patterns).map(|(files, _)| files)
}

/// `resolve`, with what the walks skipped (broken links, loops, directory links that leave
/// the walk's root), one line each, for the log.
pub fn resolve_with_warnings(
    patterns: &[String],
) -> Result<(Vec<PathBuf>, Vec<String>), SubjectError> {
    let mut excludes = Vec::new();
    let mut includes = Vec::new();
    for p in patterns {
        match p.strip_prefix('!') {
            Some(ex) => excludes.push(matcher(ex)?),
            None => includes.push(p.as_str()),
        }
    }
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for pattern in includes {
        let found = if is_glob(pattern) {
            walk(pattern, &mut warnings)?
        } else {
            vec![literal(pattern)?]
        };
        let mut kept = 0;
        for path in found {
            let shown = normalise(&path);
            if excludes.iter().any(|m| m.is_match(&shown)) {
                continue;
            }
            kept += 1;
            // The same path from two patterns counts once; a symlink and its target are
            // told apart later, by file identity, while hashing in parallel.
            if seen.insert(shown) {
                files.push(path);
            }
        }
        if kept == 0 {
            return Err(SubjectError::NoMatch {
                pattern: pattern.to_owned(),
            });
        }
    }
    Ok((files, warnings))
}

fn literal(pattern: &str) -> Result<PathBuf, SubjectError> {
    let path = PathBuf::from(pattern);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => Err(SubjectError::Directory {
            path: pattern.to_owned(),
        }),
        Ok(meta) if !meta.is_file() => Err(SubjectError::Read {
            path: pattern.to_owned(),
            source: std::io::Error::other("not a regular file"),
        }),
        Ok(_) => Ok(path),
        // Named exactly, a broken link is an error, and says what it is.
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) =>
        {
            Err(SubjectError::Read {
                path: pattern.to_owned(),
                source: std::io::Error::new(e.kind(), "a broken symlink"),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SubjectError::NoMatch {
            pattern: pattern.to_owned(),
        }),
        Err(source) => Err(SubjectError::Read {
            path: pattern.to_owned(),
            source,
        }),
    }
}

fn matcher(pattern: &str) -> Result<GlobMatcher, SubjectError> {
    let normal = normalise(Path::new(pattern));
    let glob: Result<Glob, _> = GlobBuilder::new(&normal)
        .literal_separator(true)
        .backslash_escape(true)
        .empty_alternates(true)
        .build();
    glob.map(|g| g.compile_matcher())
        .map_err(|e| SubjectError::BadPattern {
            pattern: pattern.to_owned(),
            reason: e.kind().to_string(),
        })
}

/// The path as matched: `./` and repeated separators dropped. A component that is not UTF-8
/// is matched in its lossy form only: nothing records it, and a subject's name (its file
/// name) that is not UTF-8 is refused when it is hashed.
fn normalise(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            other => other.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    if parts.len() == 1 && parts[0].is_empty() {
        return "/".to_owned();
    }
    parts.join("/")
}

fn walk(pattern: &str, warnings: &mut Vec<String>) -> Result<Vec<PathBuf>, SubjectError> {
    let glob = matcher(pattern)?;
    // The literal directory prefix is where the walk starts.
    let mut base = PathBuf::new();
    let mut rest = Vec::new();
    for comp in Path::new(pattern).components() {
        // The pattern is UTF-8, so is each of its components.
        let s = comp.as_os_str().to_str().unwrap_or_default();
        if rest.is_empty() && !is_glob(s) {
            base.push(comp);
        } else {
            rest.push(s.to_owned());
        }
    }
    let start = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base.clone()
    };
    if !start.is_dir() {
        return Ok(Vec::new());
    }
    let walk_err = |path: &Path, reason: String| SubjectError::Walk {
        pattern: pattern.to_owned(),
        path: path.display().to_string(),
        reason,
    };
    // A directory link is followed only while it stays inside the walk's root. Where paths
    // cannot be resolved (WASI has no canonicalize), no directory link is followed.
    let root = std::fs::canonicalize(&start).ok();
    let mut walker = WalkDir::new(&start)
        .follow_links(true)
        .sort_by_file_name()
        .min_depth(1);
    if !rest.iter().any(|c| c.contains("**")) {
        walker = walker.max_depth(rest.len());
    }
    let left_root = std::cell::RefCell::new(Vec::new());
    let walker = walker.into_iter().filter_entry(|e| {
        if !(e.path_is_symlink() && e.file_type().is_dir()) {
            return true;
        }
        let inside = root
            .as_ref()
            .is_some_and(|root| std::fs::canonicalize(e.path()).is_ok_and(|t| t.starts_with(root)));
        if !inside {
            left_root.borrow_mut().push(e.path().to_path_buf());
        }
        inside
    });
    let mut files = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                let display = shown_path(&base, &start, &path);
                if err.loop_ancestor().is_some() {
                    warnings.push(format!(
                        "subject-path {pattern:?}: skipped {}: a symlink loop",
                        display.display()
                    ));
                    continue;
                }
                let broken_link = err
                    .io_error()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                    && std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                if broken_link {
                    warnings.push(format!(
                        "subject-path {pattern:?}: skipped {}: a broken symlink",
                        display.display()
                    ));
                    continue;
                }
                let reason = err
                    .io_error()
                    .map_or_else(|| err.to_string(), ToString::to_string);
                return Err(walk_err(&display, reason));
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let display = shown_path(&base, &start, entry.path());
        if glob.is_match(normalise(&display)) {
            files.push(display);
        }
    }
    for link in left_root.into_inner() {
        warnings.push(format!(
            "subject-path {pattern:?}: did not follow {}: a directory symlink leading outside {}",
            shown_path(&base, &start, &link).display(),
            start.display()
        ));
    }
    Ok(files)
}

/// Paths under an implicit `.` base are shown without the `./`.
fn shown_path(base: &Path, start: &Path, path: &Path) -> PathBuf {
    if base.as_os_str().is_empty() {
        path.strip_prefix(start).unwrap_or(path).to_path_buf()
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_newlines_and_commas() {
        assert_eq!(
            split_patterns("dist/*.whl\r\n  dist/*.tar.gz ,\n\n,x"),
            vec!["dist/*.whl", "dist/*.tar.gz", "x"]
        );
    }

    #[test]
    fn normalises_paths() {
        assert_eq!(normalise(Path::new("./a//b/./c")), "a/b/c");
        assert_eq!(normalise(Path::new("/etc/x")), "/etc/x");
    }
}
