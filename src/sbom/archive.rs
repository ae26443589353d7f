//! Reads a wheel (zip) or an sdist (gzip tarball) in memory: every member is hashed and
//! the few metadata files are kept, nothing is extracted to disk. Hostile archives (paths
//! leaving the root, links, bombs, oversized metadata) are refused with a clear reason.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path};

use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::SbomError;

/// What sort of Python artifact a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Wheel,
    Sdist,
}

impl Kind {
    pub fn of(path: &Path) -> Option<Kind> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".whl") {
            Some(Kind::Wheel)
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Some(Kind::Sdist)
        } else {
            None
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Kind::Wheel => "wheel",
            Kind::Sdist => "sdist",
        }
    }
}

/// Bounds that keep a hostile archive from exhausting memory or time.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest metadata file kept in memory (METADATA, PKG-INFO, pyproject.toml, ...).
    pub metadata: u64,
    /// Largest single member, declared or real.
    pub member: u64,
    /// Sum of all members' real sizes.
    pub total: u64,
    pub members: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            metadata: 4 << 20,
            member: 1 << 30,
            total: 4 << 30,
            members: 200_000,
        }
    }
}

/// One file inside the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `/`-separated, relative to the archive's root.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub sha1: String,
}

/// What was read from an artifact.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    pub members: Vec<Member>,
    /// Wheel `*.dist-info/METADATA`, or sdist `PKG-INFO`.
    pub metadata: Option<Vec<u8>>,
    /// Wheel `*.dist-info/WHEEL`.
    pub wheel: Option<Vec<u8>>,
    /// Wheel `*.dist-info/RECORD`.
    pub record: Option<Vec<u8>>,
    pub pyproject: Option<Vec<u8>>,
    /// An sdist's `*.egg-info/PKG-INFO` and `requires.txt` (setuptools).
    pub egg_pkg_info: Option<Vec<u8>>,
    pub egg_requires: Option<Vec<u8>>,
    /// License files (path, text) as the artifact ships them.
    pub license_files: Vec<(String, Vec<u8>)>,
}

/// Which metadata slot a member fills, if any.
fn slot(kind: Kind, path: &str) -> Option<Slot> {
    let parts: Vec<&str> = path.split('/').collect();
    match kind {
        Kind::Wheel => match parts.as_slice() {
            [d, f] if d.ends_with(".dist-info") => match *f {
                "METADATA" => Some(Slot::Metadata),
                "WHEEL" => Some(Slot::Wheel),
                "RECORD" => Some(Slot::Record),
                f if is_license_name(f) => Some(Slot::License),
                _ => None,
            },
            [d, "licenses", ..] if d.ends_with(".dist-info") => Some(Slot::License),
            _ => None,
        },
        Kind::Sdist => match parts.as_slice() {
            [_, "PKG-INFO"] => Some(Slot::Metadata),
            [_, "pyproject.toml"] => Some(Slot::Pyproject),
            [_, f] if is_license_name(f) => Some(Slot::License),
            [_, d, "PKG-INFO"] | [_, "src", d, "PKG-INFO"] if d.ends_with(".egg-info") => {
                Some(Slot::EggPkgInfo)
            }
            [_, d, "requires.txt"] | [_, "src", d, "requires.txt"] if d.ends_with(".egg-info") => {
                Some(Slot::EggRequires)
            }
            _ => None,
        },
    }
}

fn is_license_name(f: &str) -> bool {
    let u = f.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING", "NOTICE"]
        .iter()
        .any(|p| u.starts_with(p))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Metadata,
    Wheel,
    Record,
    Pyproject,
    EggPkgInfo,
    EggRequires,
    License,
}

/// Reads `path` as `kind`.
pub fn read(path: &Path, kind: Kind, limits: Limits) -> Result<Contents, SbomError> {
    // A regular file only (the archive caps below bound what is read from it).
    let (file, _) = crate::input_file::open(path).map_err(|source| SbomError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |reason: String| SbomError::Archive {
        path: path.to_owned(),
        kind: kind.noun(),
        reason,
    };
    let mut reader = Reader {
        kind,
        limits,
        total: 0,
        contents: Contents::default(),
    };
    match kind {
        Kind::Wheel => reader.wheel(file).map_err(bad)?,
        Kind::Sdist => reader.sdist(file).map_err(bad)?,
    }
    let mut contents = reader.contents;
    contents.members.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(w) = contents.members.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(bad(format!("member {:?} appears twice", w[0].path)));
    }
    contents.license_files.sort();
    Ok(contents)
}

struct Reader {
    kind: Kind,
    limits: Limits,
    total: u64,
    contents: Contents,
}

impl Reader {
    fn wheel(&mut self, file: File) -> Result<(), String> {
        let mut zip = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| format!("not a readable zip archive ({e})"))?;
        if zip.len() > self.limits.members {
            return Err(format!(
                "{} members, more than the limit of {}",
                zip.len(),
                self.limits.members
            ));
        }
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| format!("member #{i} is unreadable ({e})"))?;
            let raw = entry
                .name()
                .map_err(|e| format!("member #{i} has an unreadable name ({e})"))?
                .into_owned();
            // zip 9 turns an absolute name into a relative one; refuse it as written.
            if crate::archive_path::escapes_root(&raw) {
                return Err(format!("member {raw:?} escapes the archive's root"));
            }
            let Some(safe) = entry.enclosed_name() else {
                return Err(format!("member {raw:?} escapes the archive's root"));
            };
            let name = member_path(&safe)
                .ok_or_else(|| format!("member {raw:?} escapes the archive's root"))?;
            if entry.is_symlink() {
                return Err(format!("member {name:?} is a symbolic link"));
            }
            if entry.is_dir() {
                continue;
            }
            let declared = entry.size();
            self.member(&name, declared, &mut entry)?;
        }
        Ok(())
    }

    fn sdist(&mut self, file: File) -> Result<(), String> {
        let gz = flate2::read::GzDecoder::new(BufReader::new(file));
        let mut tar = tar::Archive::new(gz);
        let entries = tar
            .entries()
            .map_err(|e| format!("not a readable gzip tarball ({e})"))?;
        let mut count = 0usize;
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("damaged tarball ({e})"))?;
            count += 1;
            if count > self.limits.members {
                return Err(format!(
                    "more than the limit of {} members",
                    self.limits.members
                ));
            }
            let raw = entry.path_bytes().into_owned();
            let raw = String::from_utf8_lossy(&raw).into_owned();
            let path = entry
                .path()
                .map_err(|e| format!("member {raw:?} has an unusable path ({e})"))?
                .into_owned();
            let name = member_path(&path)
                .ok_or_else(|| format!("member {raw:?} escapes the archive's root"))?;
            let ty = entry.header().entry_type();
            if ty.is_symlink() || ty.is_hard_link() {
                return Err(format!("member {name:?} is a link"));
            }
            if ty.is_dir() || ty.is_pax_global_extensions() || ty.is_pax_local_extensions() {
                continue;
            }
            if !ty.is_file() && !ty.is_contiguous() {
                return Err(format!("member {name:?} is not a regular file"));
            }
            let declared = entry.header().size().map_err(|e| e.to_string())?;
            self.member(&name, declared, &mut entry)?;
        }
        Ok(())
    }

    /// Hashes one member, keeping it when it is metadata; sizes are checked as declared
    /// and as really read.
    fn member(&mut self, name: &str, declared: u64, reader: &mut dyn Read) -> Result<(), String> {
        let slot = slot(self.kind, name);
        let cap = if slot.is_some() {
            self.limits.metadata
        } else {
            self.limits.member
        };
        if declared > cap {
            return Err(format!(
                "member {name:?} declares {declared} bytes, more than the limit of {cap}"
            ));
        }
        let mut sha256 = Sha256::new();
        let mut sha1 = Sha1::new();
        let mut kept = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("member {name:?} is unreadable ({e})")),
            };
            size += n as u64;
            self.total += n as u64;
            if size > cap {
                return Err(format!(
                    "member {name:?} is larger than the limit of {cap} bytes"
                ));
            }
            if self.total > self.limits.total {
                return Err(format!(
                    "members add up to more than the limit of {} bytes",
                    self.limits.total
                ));
            }
            sha256.update(&buf[..n]);
            sha1.update(&buf[..n]);
            if slot.is_some() {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        let c = &mut self.contents;
        let mut first = |dest: &mut Option<Vec<u8>>, what: &str| -> Result<(), String> {
            if dest.is_some() {
                return Err(format!("more than one {what}"));
            }
            *dest = Some(std::mem::take(&mut kept));
            Ok(())
        };
        match slot {
            Some(Slot::Metadata) => first(&mut c.metadata, "metadata file")?,
            Some(Slot::Wheel) => first(&mut c.wheel, "WHEEL file")?,
            Some(Slot::Record) => first(&mut c.record, "RECORD file")?,
            Some(Slot::Pyproject) => first(&mut c.pyproject, "pyproject.toml")?,
            // Several *.egg-info folders (e.g. a vendored one): the first wins.
            Some(Slot::EggPkgInfo) if c.egg_pkg_info.is_none() => c.egg_pkg_info = Some(kept),
            Some(Slot::EggRequires) if c.egg_requires.is_none() => c.egg_requires = Some(kept),
            Some(Slot::EggPkgInfo | Slot::EggRequires) => {}
            Some(Slot::License) => c.license_files.push((name.to_owned(), kept)),
            None => {}
        }
        c.members.push(Member {
            path: name.to_owned(),
            size,
            sha256: hex::encode(sha256.finalize()),
            sha1: hex::encode(sha1.finalize()),
        });
        Ok(())
    }
}

/// A member's path as `a/b/c` when it stays inside the root; `None` for `..`, absolute
/// paths, drive prefixes and empty names.
fn member_path(path: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?.to_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    if parts.is_empty() || parts.iter().any(|p| p.contains('\\')) {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_stay_inside() {
        assert_eq!(member_path(Path::new("a/./b")).as_deref(), Some("a/b"));
        for bad in ["../x", "/etc/passwd", "a/../../b", "", ".", "a\\..\\b"] {
            assert_eq!(member_path(Path::new(bad)), None, "{bad}");
        }
    }

    #[test]
    fn slots() {
        assert_eq!(
            slot(Kind::Wheel, "x-1.dist-info/METADATA"),
            Some(Slot::Metadata)
        );
        assert_eq!(slot(Kind::Wheel, "x/METADATA"), None);
        assert_eq!(
            slot(Kind::Wheel, "x-1.dist-info/licenses/LICENSE"),
            Some(Slot::License)
        );
        assert_eq!(slot(Kind::Sdist, "x-1/PKG-INFO"), Some(Slot::Metadata));
        assert_eq!(
            slot(Kind::Sdist, "x-1/src/x.egg-info/requires.txt"),
            Some(Slot::EggRequires)
        );
        assert_eq!(slot(Kind::Sdist, "x-1/sub/PKG-INFO"), None);
    }
}
