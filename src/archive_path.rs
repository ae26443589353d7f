//! Member names of archives (wheels, sdists, OSV exports) that would land outside the
//! archive's root if extracted: refused or flagged wherever archives are read.

/// True for a name that is absolute or climbs out with `..` once extracted.
pub fn escapes_root(name: &str) -> bool {
    let n = name.replace('\\', "/");
    if n.starts_with('/') || n.as_bytes().get(1) == Some(&b':') {
        return true;
    }
    let mut depth: i64 = 0;
    for part in n.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}
