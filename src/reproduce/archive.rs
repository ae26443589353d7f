//! Lists the members of zip (wheels, jars) and tar / tar.gz (sdists) archives in one
//! streaming pass: names, metadata and a SHA-256 of each member's content. Nothing is ever
//! extracted to disk, so a member named `../x` or a symlink cannot reach outside the
//! archive; such members are flagged. Limits stop bombs before they fill memory or time.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

use sha2::{Digest as _, Sha256};

/// What kind of archive a file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
    TarGz,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Zip => "zip",
            Kind::Tar => "tar",
            Kind::TarGz => "tar.gz",
        }
    }
}

/// Sniffs the archive kind: zip and gzip by magic, tar by the `ustar` marker at 257.
pub fn sniff(path: &Path) -> io::Result<Option<Kind>> {
    let mut head = [0u8; 512];
    let mut f = File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        let r = f.read(&mut head[n..])?;
        if r == 0 {
            break;
        }
        n += r;
    }
    let head = &head[..n];
    Ok(
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(Kind::Zip)
        } else if head.starts_with(&[0x1f, 0x8b]) {
            Some(Kind::TarGz)
        } else if head.len() >= 262 && &head[257..262] == b"ustar" {
            Some(Kind::Tar)
        } else {
            None
        },
    )
}

/// Bounds on what one archive may make us read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Members in one archive.
    pub max_members: usize,
    /// Decompressed bytes in one archive.
    pub max_total: u64,
    /// Past `ratio_floor` decompressed bytes, more than this many bytes out per byte in
    /// is a decompression bomb.
    pub max_ratio: u64,
    pub ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_members: 100_000,
            max_total: 8 << 30,
            max_ratio: 200,
            ratio_floor: 64 << 20,
        }
    }
}

/// What a member is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    File,
    Dir,
    /// A symbolic link and its target, never followed.
    Symlink(String),
    /// A hard link and its target.
    Link(String),
    Other(String),
}

/// One member, as read.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub kind: MemberKind,
    pub size: u64,
    pub sha256: String,
    /// Modification time as shown: `YYYY-MM-DD HH:MM:SS` (zip, local DOS time) or unix
    /// seconds (tar).
    pub mtime: String,
    pub mode: Option<u32>,
    /// `uid/gid uname/gname` (tar only).
    pub owner: Option<String>,
    /// Zip: method and compressed size.
    pub compression: Option<(String, u64)>,
}

/// An archive, member by member, with its archive-level metadata.
#[derive(Debug, Clone)]
pub struct Listing {
    pub kind: Kind,
    pub members: Vec<Member>,
    /// Archive-level fields: gzip header (mtime, filename, OS, XFL), zip comment.
    pub header: Vec<(&'static str, String)>,
    /// SHA-256 of the uncompressed tar stream (tar.gz only), to tell a compression-only
    /// difference from one inside the tar.
    pub inner_sha256: Option<String>,
    /// Member names that would escape the archive's root if extracted.
    pub unsafe_names: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("corrupt zip: {0}")]
    Zip(String),
    #[error("more than {0} members")]
    TooManyMembers(usize),
    #[error("expands past {0} bytes")]
    TooLarge(u64),
    #[error("decompression bomb: {out} bytes from {input} (ratio over {ratio}:1)")]
    Bomb { out: u64, input: u64, ratio: u64 },
}

/// Counts bytes read from the compressed file.
struct Counting<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Tracks decompressed bytes against the limits, and hashes them when asked.
struct Budget {
    limits: Limits,
    out: u64,
}

impl Budget {
    fn add(&mut self, n: u64, input: u64) -> Result<(), ArchiveError> {
        self.out += n;
        if self.out > self.limits.max_total {
            return Err(ArchiveError::TooLarge(self.limits.max_total));
        }
        if self.out > self.limits.ratio_floor && self.out / input.max(1) > self.limits.max_ratio {
            return Err(ArchiveError::Bomb {
                out: self.out,
                input,
                ratio: self.limits.max_ratio,
            });
        }
        Ok(())
    }
}

/// Streams `reader` into a hash, charging the budget as it goes; `keep` bytes of the
/// start are returned when asked (for text diffs).
fn hash_stream(
    mut reader: impl Read,
    budget: &mut Budget,
    input: &dyn Fn() -> u64,
    keep: usize,
) -> Result<(String, u64, Vec<u8>), ArchiveError> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    let mut kept = Vec::new();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        h.update(&buf[..n]);
        size += n as u64;
        if kept.len() < keep {
            let take = (keep - kept.len()).min(n);
            kept.extend_from_slice(&buf[..take]);
        }
        budget.add(n as u64, input())?;
    }
    Ok((hex::encode(h.finalize()), size, kept))
}

/// Lists an archive.
pub fn list(path: &Path, kind: Kind, limits: Limits) -> Result<Listing, ArchiveError> {
    match kind {
        Kind::Zip => list_zip(path, limits),
        Kind::Tar | Kind::TarGz => list_tar(path, kind, limits),
    }
}

fn list_zip(path: &Path, limits: Limits) -> Result<Listing, ArchiveError> {
    let file = BufReader::new(File::open(path)?);
    let mut zip = zip::ZipArchive::new(file).map_err(|e| ArchiveError::Zip(e.to_string()))?;
    if zip.len() > limits.max_members {
        return Err(ArchiveError::TooManyMembers(limits.max_members));
    }
    let mut header = Vec::new();
    if !zip.comment().is_empty() {
        header.push((
            "zip comment",
            String::from_utf8_lossy(zip.comment()).into_owned(),
        ));
    }
    let mut budget = Budget { limits, out: 0 };
    let mut members = Vec::with_capacity(zip.len());
    let mut unsafe_names = Vec::new();
    let mut compressed_so_far = 0u64;
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| ArchiveError::Zip(e.to_string()))?;
        let name = entry
            .name()
            .map_err(|e| ArchiveError::Zip(e.to_string()))?
            .into_owned();
        if crate::archive_path::escapes_root(&name) {
            unsafe_names.push(name.clone());
        }
        let compressed = entry.compressed_size();
        let compression = (entry.compression().to_string(), compressed);
        let mtime = entry
            .last_modified()
            .map(|t| t.to_string())
            .unwrap_or_default();
        let mode = entry.unix_mode();
        let is_dir = entry.is_dir();
        let is_symlink = entry.is_symlink();
        // The compressed sizes are what the central directory says; the budget counts
        // what actually comes out.
        compressed_so_far += compressed;
        let input = compressed_so_far;
        let (sha256, size, kept) = hash_stream(entry, &mut budget, &|| input, 4096)?;
        let kind = if is_dir {
            MemberKind::Dir
        } else if is_symlink {
            MemberKind::Symlink(String::from_utf8_lossy(&kept).into_owned())
        } else {
            MemberKind::File
        };
        members.push(Member {
            name,
            kind,
            size,
            sha256,
            mtime,
            mode,
            owner: None,
            compression: Some(compression),
        });
    }
    Ok(Listing {
        kind: Kind::Zip,
        members,
        header,
        inner_sha256: None,
        unsafe_names,
    })
}

/// The fixed gzip header fields (RFC 1952): MTIME, XFL, OS, and FNAME when present.
fn gzip_header(path: &Path) -> io::Result<Vec<(&'static str, String)>> {
    let mut f = File::open(path)?;
    let mut h = [0u8; 10];
    f.read_exact(&mut h)?;
    let mtime = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    let xfl = match h[8] {
        2 => "2 (maximum compression)".to_owned(),
        4 => "4 (fastest compression)".to_owned(),
        x => x.to_string(),
    };
    let mut fields = vec![
        ("gzip header mtime", mtime.to_string()),
        ("gzip header XFL (compression level hint)", xfl),
        ("gzip header OS", h[9].to_string()),
    ];
    let flags = h[3];
    let mut r = BufReader::new(f);
    r.seek(io::SeekFrom::Start(10))?;
    if flags & 0x04 != 0 {
        let mut len = [0u8; 2];
        r.read_exact(&mut len)?;
        r.seek_relative(i64::from(u16::from_le_bytes(len)))?;
    }
    if flags & 0x08 != 0 {
        let mut name = Vec::new();
        let mut byte = [0u8; 1];
        while name.len() < 4096 {
            r.read_exact(&mut byte)?;
            if byte[0] == 0 {
                break;
            }
            name.push(byte[0]);
        }
        fields.push((
            "gzip header filename",
            String::from_utf8_lossy(&name).into_owned(),
        ));
    } else {
        fields.push(("gzip header filename", String::new()));
    }
    Ok(fields)
}

/// Hashes the uncompressed stream as it passes to the tar reader.
struct Tee<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

fn list_tar(path: &Path, kind: Kind, limits: Limits) -> Result<Listing, ArchiveError> {
    let count = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let file = Counting {
        inner: BufReader::new(File::open(path)?),
        count: count.clone(),
    };
    let (header, stream): (_, Box<dyn Read>) = match kind {
        Kind::TarGz => (
            gzip_header(path)?,
            Box::new(flate2::read::GzDecoder::new(file)),
        ),
        _ => (Vec::new(), Box::new(file)),
    };
    let tee = Tee {
        inner: stream,
        hash: Sha256::new(),
    };
    let mut archive = tar::Archive::new(tee);
    let mut budget = Budget { limits, out: 0 };
    let mut members = Vec::new();
    let mut unsafe_names = Vec::new();
    let input = || count.get();
    for entry in archive.entries()? {
        let entry = entry?;
        if members.len() >= limits.max_members {
            return Err(ArchiveError::TooManyMembers(limits.max_members));
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if crate::archive_path::escapes_root(&name) {
            unsafe_names.push(name.clone());
        }
        let h = entry.header();
        let link = || {
            entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        let kind = match h.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => MemberKind::File,
            tar::EntryType::Directory => MemberKind::Dir,
            tar::EntryType::Symlink => MemberKind::Symlink(link()),
            tar::EntryType::Link => MemberKind::Link(link()),
            other => MemberKind::Other(format!("{other:?}")),
        };
        let mtime = h.mtime().map(|t| t.to_string()).unwrap_or_default();
        let mode = h.mode().ok();
        let owner = format!(
            "{}/{} {}/{}",
            h.uid().unwrap_or(0),
            h.gid().unwrap_or(0),
            h.username().ok().flatten().unwrap_or(""),
            h.groupname().ok().flatten().unwrap_or("")
        );
        let (sha256, size, _) = hash_stream(entry, &mut budget, &input, 0)?;
        members.push(Member {
            name,
            kind,
            size,
            sha256,
            mtime,
            mode,
            owner: Some(owner),
            compression: None,
        });
    }
    // The end-of-archive blocks and padding belong to the stream's hash too.
    let mut tee = archive.into_inner();
    let rest = io::copy(&mut (&mut tee).take(limits.max_total), &mut io::sink())?;
    budget.add(rest, count.get())?;
    let inner_sha256 = (kind == Kind::TarGz).then(|| hex::encode(tee.hash.finalize()));
    Ok(Listing {
        kind,
        members,
        header,
        inner_sha256,
        unsafe_names,
    })
}

/// The content of the named members (up to `cap` bytes each), for text diffs. A second
/// pass over the archive, made only for members whose content differs.
pub fn read_members(
    path: &Path,
    kind: Kind,
    names: &[&str],
    cap: usize,
    limits: Limits,
) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
    let mut out = Vec::new();
    let mut budget = Budget { limits, out: 0 };
    match kind {
        Kind::Zip => {
            let mut zip = zip::ZipArchive::new(BufReader::new(File::open(path)?))
                .map_err(|e| ArchiveError::Zip(e.to_string()))?;
            for name in names {
                let Ok(entry) = zip.by_name(name) else {
                    continue;
                };
                let compressed = entry.compressed_size().max(1);
                let (_, _, kept) = hash_stream(entry, &mut budget, &|| compressed, cap)?;
                out.push(((*name).to_owned(), kept));
            }
        }
        Kind::Tar | Kind::TarGz => {
            let count = std::rc::Rc::new(std::cell::Cell::new(0u64));
            let file = Counting {
                inner: BufReader::new(File::open(path)?),
                count: count.clone(),
            };
            let stream: Box<dyn Read> = if kind == Kind::TarGz {
                Box::new(flate2::read::GzDecoder::new(file))
            } else {
                Box::new(file)
            };
            let mut archive = tar::Archive::new(stream);
            for entry in archive.entries()? {
                let entry = entry?;
                let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                if !names.contains(&name.as_str()) || out.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let (_, _, kept) = hash_stream(entry, &mut budget, &|| count.get(), cap)?;
                out.push((name, kept));
                if out.len() == names.len() {
                    break;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape() {
        for bad in ["../x", "/etc/passwd", "a/../../x", "C:\\x", "..\\x"] {
            assert!(crate::archive_path::escapes_root(bad), "{bad}");
        }
        for ok in ["a/b", "a/../b", "./a", "a..b/c"] {
            assert!(!crate::archive_path::escapes_root(ok), "{ok}");
        }
    }

    #[test]
    fn a_bomb_is_stopped() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("bomb.tar.gz");
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            File::create(&path)?,
            flate2::Compression::best(),
        ));
        let mut h = tar::Header::new_gnu();
        let size = 8u64 << 20;
        h.set_size(size);
        h.set_mode(0o644);
        h.set_cksum();
        builder.append_data(&mut h, "zeros", io::repeat(0).take(size))?;
        builder.into_inner()?.finish()?;
        let small = Limits {
            ratio_floor: 1 << 20,
            ..Limits::default()
        };
        let r = list(&path, Kind::TarGz, small);
        assert!(matches!(r, Err(ArchiveError::Bomb { .. })), "{r:?}");
        let total = Limits {
            max_total: 1 << 20,
            ..Limits::default()
        };
        let r = list(&path, Kind::TarGz, total);
        assert!(matches!(r, Err(ArchiveError::TooLarge(_))), "{r:?}");
        // Within the default limits it lists.
        assert_eq!(
            list(&path, Kind::TarGz, Limits::default())?.members.len(),
            1
        );
        Ok(())
    }

    #[test]
    fn a_zip_bomb_and_too_many_members_are_stopped() -> Result<(), Box<dyn std::error::Error>> {
        use std::io::Write;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("bomb.whl");
        let mut z = zip::ZipWriter::new(File::create(&path)?);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..3 {
            z.start_file(format!("zeros{i}"), opts)?;
            z.write_all(&vec![0u8; 4 << 20])?;
        }
        z.finish()?;
        let small = Limits {
            ratio_floor: 1 << 20,
            ..Limits::default()
        };
        let r = list(&path, Kind::Zip, small);
        assert!(matches!(r, Err(ArchiveError::Bomb { .. })), "{r:?}");
        let few = Limits {
            max_members: 2,
            ..Limits::default()
        };
        let r = list(&path, Kind::Zip, few);
        assert!(matches!(r, Err(ArchiveError::TooManyMembers(2))), "{r:?}");
        assert_eq!(list(&path, Kind::Zip, Limits::default())?.members.len(), 3);
        Ok(())
    }
}
