//! The one reader of files named by inputs: at most a limit's worth of bytes, whatever the
//! file claims to hold, and only regular files.
//!
//! A device (`/dev/zero`), a FIFO or a socket never ends, so it is refused by the type of the
//! file actually opened (not a `stat` before the open, which a swap could outrun). The open
//! itself does not block on a FIFO with no writer. Reading stops at limit + 1 bytes: a file
//! that grows, or that reports a size of 0 (`/proc`), cannot take more memory than its limit.
//! Errors are `io::Error`s whose text names the input and its limit, so every caller keeps
//! its own "couldn't read <input> <path>" error around them.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// How much one input may hold; `input` names it in the error (an input's name, as the user
/// wrote it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub input: &'static str,
    pub bytes: u64,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

// The limits, one per input (the README's input table lists them).
pub const SUBJECT_CHECKSUMS: Limit = Limit::new("subject-checksums", 64 * MIB);
pub const TRUSTED_ROOT: Limit = Limit::new("trusted-root", 4 * MIB);
pub const SIGNING_CONFIG: Limit = Limit::new("signing-config", MIB);
pub const POLICY: Limit = Limit::new("policy", MIB);
pub const KEY: Limit = Limit::new("key", 64 * KIB);
pub const REFERENCE: Limit = Limit::new("reference", 64 * MIB);
pub const LOCKFILE: Limit = Limit::new("sbom-lockfile", 64 * MIB);
pub const METADATA: Limit = Limit::new("sbom-environment metadata", 4 * MIB);
pub const PYVENV_CFG: Limit = Limit::new("sbom-environment pyvenv.cfg", 64 * KIB);
/// Files this step wrote and now sends on (release assets, attestation bundles): GitHub takes
/// release assets up to 2 GiB.
pub const WRITTEN_FILE: Limit = Limit::new("written file", 2048 * MIB);

impl Limit {
    pub const fn new(input: &'static str, bytes: u64) -> Self {
        Limit { input, bytes }
    }
}

/// `1 MiB`, `64 KiB`, `100 bytes`: how a limit is shown.
pub fn show_bytes(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

fn too_large(limit: Limit) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "it holds more than {}, the limit of {}",
            show_bytes(limit.bytes),
            limit.input
        ),
    )
}

/// Opens a regular file for reading, without blocking on a FIFO; anything else is refused.
pub fn open(path: &Path) -> io::Result<(File, Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Regular files ignore O_NONBLOCK; a FIFO opens at once instead of waiting for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if let Some(kind) = not_regular(&meta) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {kind}, not a regular file"),
        ));
    }
    Ok((file, meta))
}

/// What a non-regular file is, in words.
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

/// The whole file, if it holds at most `limit.bytes`.
pub fn read(path: &Path, limit: Limit) -> io::Result<Vec<u8>> {
    let (file, meta) = open(path)?;
    // The reported size is only a hint for the buffer, never trusted as the bound.
    let hint = meta.len().min(limit.bytes).min(16 * MIB) as usize;
    let mut bytes = Vec::with_capacity(hint);
    file.take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// The whole file as UTF-8 text, if it holds at most `limit.bytes`.
pub fn read_text(path: &Path, limit: Limit) -> io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not UTF-8 text", limit.input),
        )
    })
}

/// The same bound for an input given inline (its text in the input itself).
pub fn check_inline(text: &str, limit: Limit) -> io::Result<()> {
    if text.len() as u64 > limit.bytes {
        return Err(too_large(limit));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: Limit = Limit::new("tiny", 8);

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345678")?;
        assert_eq!(read(&p, TINY)?, b"12345678");
        std::fs::write(&p, b"123456789")?;
        let e = read(&p, TINY).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("it holds more than 8 bytes, the limit of tiny")
        );
        std::fs::write(&p, [0xff, 0xfe])?;
        assert!(read_text(&p, TINY).is_err());
        Ok(())
    }

    #[test]
    fn refuses_directories_and_devices_by_type() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let e = read(dir.path(), TINY).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("it is a directory, not a regular file"));
        #[cfg(unix)]
        {
            let e = read(Path::new("/dev/zero"), TINY)
                .err()
                .map(|e| e.to_string());
            assert_eq!(
                e.as_deref(),
                Some("it is a character device, not a regular file")
            );
        }
        Ok(())
    }

    /// No input is read but through this module: a plain `fs::read` has no bound.
    #[test]
    fn every_file_read_in_src_goes_through_this_module() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        for entry in walkdir::WalkDir::new(&src)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("src/input_file.rs") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap_or_default();
            // A file's own test module may read its fixtures directly.
            let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or("");
            for (i, line) in code.lines().enumerate() {
                if ["fs::read(", "read_to_string(", "fs::read_to_string"]
                    .iter()
                    .any(|p| line.contains(p))
                {
                    offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "unbounded reads:\n{}",
            offenders.join("\n")
        );
    }

    #[test]
    fn limits_are_shown_in_their_unit() {
        assert_eq!(show_bytes(MIB), "1 MiB");
        assert_eq!(show_bytes(64 * KIB), "64 KiB");
        assert_eq!(show_bytes(100), "100 bytes");
        assert!(check_inline("123456789", TINY).is_err());
        assert!(check_inline("12345678", TINY).is_ok());
    }
}
