//! Explains why two files differ: archives member by member, other files by size and the
//! first differing byte.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::archive::{self, Limits, Listing, Member, MemberKind};
use super::{Class, Difference, Kind};

/// Members whose content differs are listed one by one up to this many.
const MAX_CONTENT_LISTED: usize = 20;
/// Examples shown for an aggregated metadata difference.
const EXAMPLES: usize = 3;
/// Text members up to this size get a unified diff.
const DIFF_CAP: usize = 64 * 1024;
/// Lines of unified diff kept per member.
const DIFF_LINES: usize = 40;

/// Why two files differ.
#[derive(Debug, Clone)]
pub struct Explained {
    pub class: Class,
    pub differences: Vec<Difference>,
    /// Hostile things seen on the way (member names that escape the archive root).
    pub warnings: Vec<String>,
}

/// Differences between `expected` and `rebuilt`, and their class.
pub fn explain(expected: &Path, rebuilt: &Path, limits: Limits) -> Explained {
    let mut warnings = Vec::new();
    let mut unexplained = false;
    let kinds = (archive::sniff(expected), archive::sniff(rebuilt));
    let diffs = match kinds {
        (Ok(Some(a)), Ok(Some(b))) if a == b => {
            match (
                archive::list(expected, a, limits),
                archive::list(rebuilt, b, limits),
            ) {
                (Ok(la), Ok(lb)) => {
                    for (side, l, p) in [("reference", &la, expected), ("rebuilt", &lb, rebuilt)] {
                        for name in &l.unsafe_names {
                            warnings.push(format!(
                                "{side} {}: member {name:?} would escape the archive root if extracted (it was not)",
                                crate::report::display_path(p)
                            ));
                        }
                    }
                    let (d, none_found) = archives(expected, rebuilt, &la, &lb, limits);
                    unexplained = none_found;
                    d
                }
                (ea, eb) => {
                    let mut d = Vec::new();
                    for (side, e) in [("reference", ea.err()), ("rebuilt", eb.err())] {
                        if let Some(e) = e {
                            d.push(Difference {
                                kind: Kind::Unreadable,
                                member: None,
                                detail: format!("{side} {} archive unreadable: {e}", a.name()),
                                diff: None,
                            });
                        }
                    }
                    d.extend(bytes(expected, rebuilt));
                    d
                }
            }
        }
        _ => bytes(expected, rebuilt),
    };
    Explained {
        class: if unexplained {
            Class::Unknown
        } else {
            classify(&diffs)
        },
        differences: diffs,
        warnings,
    }
}

/// Metadata only when every difference is metadata; content when any member or byte
/// content differs; unknown when an archive could not be read.
pub fn classify(diffs: &[Difference]) -> Class {
    if diffs.is_empty() || diffs.iter().any(|d| d.kind == Kind::Unreadable) {
        Class::Unknown
    } else if diffs.iter().all(|d| d.kind.is_metadata()) {
        Class::MetadataOnly
    } else {
        Class::Content
    }
}

fn diff_entry(kind: Kind, member: Option<&str>, detail: String) -> Difference {
    Difference {
        kind,
        member: member.map(str::to_owned),
        detail,
        diff: None,
    }
}

fn kind_name(k: &MemberKind) -> String {
    match k {
        MemberKind::File => "file".to_owned(),
        MemberKind::Dir => "directory".to_owned(),
        MemberKind::Symlink(t) => format!("symlink to {t:?}"),
        MemberKind::Link(t) => format!("hard link to {t:?}"),
        MemberKind::Other(o) => o.clone(),
    }
}

/// Collects `member: a → b` examples of one metadata kind into a single difference.
struct Aggregate {
    kind: Kind,
    what: &'static str,
    count: usize,
    examples: Vec<String>,
}

impl Aggregate {
    fn new(kind: Kind, what: &'static str) -> Self {
        Aggregate {
            kind,
            what,
            count: 0,
            examples: Vec::new(),
        }
    }

    fn add(&mut self, member: &str, a: &str, b: &str) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(format!("{member}: {a} → {b}"));
        }
    }

    fn finish(self, total: usize) -> Option<Difference> {
        (self.count > 0).then(|| {
            diff_entry(
                self.kind,
                None,
                format!(
                    "{} differ on {} of {} members (e.g. {})",
                    self.what,
                    self.count,
                    total,
                    self.examples.join("; ")
                ),
            )
        })
    }
}

fn shown(v: &str) -> &str {
    if v.is_empty() { "(none)" } else { v }
}

fn mode_str(m: Option<u32>) -> String {
    m.map(|m| format!("{:o}", m & 0o7777))
        .unwrap_or_else(|| "-".to_owned())
}

fn archives(
    expected: &Path,
    rebuilt: &Path,
    a: &Listing,
    b: &Listing,
    limits: Limits,
) -> (Vec<Difference>, bool) {
    let mut diffs = Vec::new();
    // Archive-level fields first.
    for (field, va) in &a.header {
        let vb = b
            .header
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if va != vb {
            diffs.push(diff_entry(
                Kind::ArchiveHeader,
                None,
                format!("{field}: {} → {}", shown(va), shown(vb)),
            ));
        }
    }
    for (field, vb) in &b.header {
        if !a.header.iter().any(|(f, _)| f == field) {
            diffs.push(diff_entry(
                Kind::ArchiveHeader,
                None,
                format!("{field}: (none) → {}", shown(vb)),
            ));
        }
    }

    let index_a: HashMap<&str, &Member> = a.members.iter().map(|m| (m.name.as_str(), m)).collect();
    let index_b: HashMap<&str, &Member> = b.members.iter().map(|m| (m.name.as_str(), m)).collect();
    for m in &a.members {
        if !index_b.contains_key(m.name.as_str()) {
            diffs.push(diff_entry(
                Kind::Removed,
                Some(&m.name),
                format!(
                    "only in the reference ({}, {} bytes)",
                    kind_name(&m.kind),
                    m.size
                ),
            ));
        }
    }
    for m in &b.members {
        if !index_a.contains_key(m.name.as_str()) {
            diffs.push(diff_entry(
                Kind::Added,
                Some(&m.name),
                format!(
                    "only in the rebuild ({}, {} bytes)",
                    kind_name(&m.kind),
                    m.size
                ),
            ));
        }
    }

    // Order of the members both have.
    let common_a: Vec<&str> = a
        .members
        .iter()
        .map(|m| m.name.as_str())
        .filter(|n| index_b.contains_key(n))
        .collect();
    let common_b: Vec<&str> = b
        .members
        .iter()
        .map(|m| m.name.as_str())
        .filter(|n| index_a.contains_key(n))
        .collect();
    if let Some(i) = common_a.iter().zip(&common_b).position(|(x, y)| x != y) {
        diffs.push(diff_entry(
            Kind::Order,
            None,
            format!(
                "member order differs from position {}: {:?} → {:?}",
                i + 1,
                common_a[i],
                common_b[i]
            ),
        ));
    }

    let mut times = Aggregate::new(Kind::Timestamps, "timestamps");
    let mut modes = Aggregate::new(Kind::Permissions, "permissions");
    let mut owners = Aggregate::new(Kind::Ownership, "owners");
    let mut compression =
        Aggregate::new(Kind::Compression, "compression (method, compressed size)");
    let mut content = Vec::new();
    let mut content_count = 0usize;
    let mut text_candidates = Vec::new();
    for ma in &a.members {
        let Some(mb) = index_b.get(ma.name.as_str()) else {
            continue;
        };
        let name = ma.name.as_str();
        if ma.kind != mb.kind {
            content_count += 1;
            content.push(diff_entry(
                Kind::Content,
                Some(name),
                format!("{} → {}", kind_name(&ma.kind), kind_name(&mb.kind)),
            ));
        } else if ma.sha256 != mb.sha256 {
            content_count += 1;
            if content.len() < MAX_CONTENT_LISTED {
                content.push(diff_entry(
                    Kind::Content,
                    Some(name),
                    format!(
                        "content differs: {} bytes sha256:{}… → {} bytes sha256:{}…",
                        ma.size,
                        &ma.sha256[..12],
                        mb.size,
                        &mb.sha256[..12]
                    ),
                ));
                if ma.size as usize <= DIFF_CAP && mb.size as usize <= DIFF_CAP {
                    text_candidates.push(name);
                }
            }
        } else if ma.compression != mb.compression {
            let show = |c: &Option<(String, u64)>| {
                c.as_ref()
                    .map(|(m, n)| format!("{m} {n} B"))
                    .unwrap_or_default()
            };
            compression.add(name, &show(&ma.compression), &show(&mb.compression));
        }
        if ma.mtime != mb.mtime {
            times.add(name, &ma.mtime, &mb.mtime);
        }
        if ma.mode != mb.mode {
            modes.add(name, &mode_str(ma.mode), &mode_str(mb.mode));
        }
        if ma.owner != mb.owner {
            owners.add(
                name,
                ma.owner.as_deref().unwrap_or("-"),
                mb.owner.as_deref().unwrap_or("-"),
            );
        }
    }
    if content_count > content.len() {
        content.push(diff_entry(
            Kind::Content,
            None,
            format!(
                "{} more members differ in content",
                content_count - content.len()
            ),
        ));
    }
    add_text_diffs(expected, rebuilt, a, &text_candidates, &mut content, limits);
    let total = common_a.len();
    diffs.extend(content);
    diffs.extend(
        [times, modes, owners, compression]
            .into_iter()
            .filter_map(|g| g.finish(total)),
    );
    // A tar.gz whose tar is the same: only the gzip layer differs.
    if let (Some(ia), Some(ib)) = (&a.inner_sha256, &b.inner_sha256)
        && ia == ib
        && !diffs.iter().any(|d| d.kind == Kind::ArchiveHeader)
    {
        diffs.push(diff_entry(
            Kind::Compression,
            None,
            "the tar inside is identical; the gzip stream differs (compression level or implementation)".to_owned(),
        ));
    }
    if diffs.is_empty() {
        // Same members, same metadata we read: the difference is in what we don't model
        // (zip extra fields, padding, the central directory layout).
        let mut d = bytes(expected, rebuilt);
        for x in &mut d {
            x.detail.push_str(
                "; members and their metadata are the same (extra fields or layout differ)",
            );
        }
        return (d, true);
    }
    (diffs, false)
}

/// Unified diffs for members that are text on both sides.
fn add_text_diffs(
    expected: &Path,
    rebuilt: &Path,
    listing: &Listing,
    names: &[&str],
    content: &mut [Difference],
    limits: Limits,
) {
    if names.is_empty() {
        return;
    }
    let read = |p: &Path| {
        archive::read_members(p, listing.kind, names, DIFF_CAP, limits).unwrap_or_default()
    };
    let (ra, rb) = (read(expected), read(rebuilt));
    for d in content.iter_mut() {
        let Some(member) = d.member.as_deref() else {
            continue;
        };
        let get = |r: &[(String, Vec<u8>)]| {
            r.iter()
                .find(|(n, _)| n == member)
                .and_then(|(_, b)| text(b))
        };
        if let (Some(ta), Some(tb)) = (get(&ra), get(&rb)) {
            d.diff = Some(unified(&ta, &tb, member));
        }
    }
}

fn text(bytes: &[u8]) -> Option<String> {
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes.to_vec()).ok()
}

/// A unified diff of at most `DIFF_LINES` lines.
pub fn unified(a: &str, b: &str, name: &str) -> String {
    let diff = similar::TextDiff::from_lines(a, b);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(&format!("reference/{name}"), &format!("rebuilt/{name}"))
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() > DIFF_LINES {
        let mut s = lines[..DIFF_LINES].join("\n");
        s.push_str(&format!("\n… {} more lines", lines.len() - DIFF_LINES));
        s
    } else {
        lines.join("\n")
    }
}

/// Size and first differing offset of two files, streamed.
pub fn bytes(expected: &Path, rebuilt: &Path) -> Vec<Difference> {
    let sizes = (
        std::fs::metadata(expected).map(|m| m.len()),
        std::fs::metadata(rebuilt).map(|m| m.len()),
    );
    let mut d = Vec::new();
    if let (Ok(sa), Ok(sb)) = sizes
        && sa != sb
    {
        d.push(diff_entry(
            Kind::Size,
            None,
            format!("size {sa} → {sb} bytes"),
        ));
    }
    match first_difference(expected, rebuilt) {
        Ok(Some(off)) => d.push(diff_entry(
            Kind::Bytes,
            None,
            format!("first differing byte at offset {off} (0x{off:x})"),
        )),
        Ok(None) => {}
        Err(e) => d.push(diff_entry(
            Kind::Unreadable,
            None,
            format!("couldn't compare bytes: {e}"),
        )),
    }
    d
}

fn first_difference(a: &Path, b: &Path) -> std::io::Result<Option<u64>> {
    let mut ra = BufReader::with_capacity(256 * 1024, File::open(a)?);
    let mut rb = BufReader::with_capacity(256 * 1024, File::open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    let mut offset = 0u64;
    loop {
        let na = read_full(&mut ra, &mut ba)?;
        let nb = read_full(&mut rb, &mut bb)?;
        let n = na.min(nb);
        if let Some(i) = ba[..n].iter().zip(&bb[..n]).position(|(x, y)| x != y) {
            return Ok(Some(offset + i as u64));
        }
        if na != nb {
            return Ok(Some(offset + n as u64));
        }
        if na == 0 {
            return Ok(None);
        }
        offset += n as u64;
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(kind: Kind) -> Difference {
        diff_entry(kind, None, String::new())
    }

    #[test]
    fn classes() {
        let table: [(&[Kind], Class); 6] = [
            (&[Kind::Timestamps, Kind::Order], Class::MetadataOnly),
            (
                &[Kind::ArchiveHeader, Kind::Compression],
                Class::MetadataOnly,
            ),
            (&[Kind::Timestamps, Kind::Content], Class::Content),
            (&[Kind::Added], Class::Content),
            (&[Kind::Size, Kind::Bytes], Class::Content),
            (&[Kind::Unreadable, Kind::Bytes], Class::Unknown),
        ];
        for (kinds, class) in table {
            let diffs: Vec<_> = kinds.iter().map(|k| d(*k)).collect();
            assert_eq!(classify(&diffs), class, "{kinds:?}");
        }
        assert_eq!(classify(&[]), Class::Unknown);
    }

    #[test]
    fn long_diffs_are_cut() {
        let a: String = (0..200).map(|i| format!("line {i}\n")).collect();
        let b: String = (0..200).map(|i| format!("LINE {i}\n")).collect();
        let u = unified(&a, &b, "f.txt");
        assert!(
            u.starts_with("--- reference/f.txt\n+++ rebuilt/f.txt"),
            "{u}"
        );
        assert_eq!(u.lines().count(), DIFF_LINES + 1);
        assert!(u.ends_with("more lines"), "{u}");
    }

    #[test]
    fn first_differing_offset_past_one_buffer() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let mut data = vec![7u8; 200_000];
        std::fs::write(&a, &data)?;
        data[150_001] = 8;
        std::fs::write(&b, &data)?;
        assert_eq!(first_difference(&a, &b)?, Some(150_001));
        std::fs::write(&b, &data[..100_000])?;
        assert_eq!(first_difference(&a, &b)?, Some(100_000));
        std::fs::write(&b, std::fs::read(&a)?)?;
        assert_eq!(first_difference(&a, &b)?, None);
        Ok(())
    }
}
