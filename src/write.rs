//! Writing output files so that a failure never leaves a half-written one behind.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use tempfile::NamedTempFile;

use crate::error::Error;

/// A file to write: its final path and its whole content.
#[derive(Debug, Clone)]
pub struct PendingFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Temp files staged by this process and not yet renamed: what a signal handler removes.
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temp file older than this in a directory we write to was left by a killed run.
const STALE_AFTER: Duration = Duration::from_secs(3600);

const TEMP_PREFIX: &str = ".attest-kit-";
const TEMP_SUFFIX: &str = ".tmp";

/// Writes every file to a temporary sibling first; only when all of them are written are
/// they renamed into place. A failure before the renames leaves no output at all.
pub fn write_all(files: &[PendingFile]) -> Result<(), Error> {
    let mut swept = Vec::new();
    for file in files {
        let dir = parent(&file.path).to_owned();
        if !swept.contains(&dir) {
            remove_stale_temps(&dir, STALE_AFTER);
            swept.push(dir);
        }
    }
    let mut mine = Vec::new();
    let result = stage_and_rename(files, &mut mine);
    // Renamed or dropped (which deletes them), these temp paths are gone either way.
    if let Ok(mut staged) = STAGED.lock() {
        staged.retain(|p| !mine.contains(p));
    }
    result
}

fn stage_and_rename(files: &[PendingFile], mine: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let temp = stage(&file.path, &file.bytes, mine)?;
        staged.push((temp, &file.path));
    }
    for (temp, path) in staged {
        temp.persist(path).map_err(|e| Error::Write {
            path: path.clone(),
            source: e.error,
        })?;
    }
    Ok(())
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Removes `.attest-kit-*.tmp` files older than `age` in `dir`: what a killed run left.
/// Best effort: a file that cannot be removed is left for the next run.
pub fn remove_stale_temps(dir: &Path, age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|d| d > age);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A temp file written elsewhere (a download) that a signal removes too, while this lives.
#[derive(Debug)]
pub struct RemoveOnSignal(PathBuf);

impl RemoveOnSignal {
    pub fn new(path: &Path) -> Self {
        if let Ok(mut staged) = STAGED.lock() {
            staged.push(path.to_owned());
        }
        RemoveOnSignal(path.to_owned())
    }
}

impl Drop for RemoveOnSignal {
    fn drop(&mut self) {
        if let Ok(mut staged) = STAGED.lock() {
            staged.retain(|p| p != &self.0);
        }
    }
}

/// On SIGINT or SIGTERM, removes the temp files being written, then ends the process as the
/// signal would have. Without it a killed run leaves `.attest-kit-*.tmp` files behind.
#[cfg(unix)]
pub fn remove_temps_on_signal() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // Held until the process ends, so no write stages another file meanwhile.
            let staged = STAGED.lock().unwrap_or_else(PoisonError::into_inner);
            for path in staged.iter() {
                let _ = std::fs::remove_file(path);
            }
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
pub fn remove_temps_on_signal() {}

/// A new file, 0644 less the umask: outputs are for other users and container steps too,
/// not tempfile's private 0600. Nothing secret is ever written.
fn create_new(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
    options.open(path)
}

fn stage(path: &Path, bytes: &[u8], mine: &mut Vec<PathBuf>) -> Result<NamedTempFile<File>, Error> {
    let err = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let dir = parent(path);
    std::fs::create_dir_all(dir).map_err(err)?;
    if path.is_dir() {
        return Err(err(std::io::Error::other("a directory is in the way")));
    }
    // Created and registered under the lock the signal handler takes (and keeps until the
    // process ends): no temp file can appear that the handler does not remove.
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .make_in(dir, |temp_path| {
            let mut staged = STAGED.lock().unwrap_or_else(PoisonError::into_inner);
            let file = create_new(temp_path)?;
            staged.push(temp_path.to_owned());
            mine.push(temp_path.to_owned());
            Ok(file)
        })
        .map_err(err)?;
    // No fsync: the rename is what makes the file appear whole to every reader; a machine
    // that crashes mid-step loses the job anyway.
    temp.write_all(bytes).map_err(err)?;
    Ok(temp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temps_are_removed_and_fresh_ones_kept() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let temp = dir.path().join(".attest-kit-abc123.tmp");
        let other = dir.path().join("keep.tmp");
        std::fs::write(&temp, b"half")?;
        std::fs::write(&other, b"x")?;
        // Fresh: another run may be writing it right now.
        assert_eq!(remove_stale_temps(dir.path(), STALE_AFTER), 0);
        assert!(temp.exists());
        // Older than the age (zero here): left by a killed run.
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(remove_stale_temps(dir.path(), Duration::from_millis(1)), 1);
        assert!(!temp.exists());
        assert!(other.exists());
        Ok(())
    }
}
