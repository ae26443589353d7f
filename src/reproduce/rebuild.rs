//! Runs a build command in clean temporary copies of the source tree: once as-is, once in
//! a varied environment (time zone, umask, locale, build path), both with
//! `SOURCE_DATE_EPOCH` and `PYTHONHASHSEED=0` — a small reprotest.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ReproduceError;

/// What to run and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildSpec {
    pub command: String,
    pub source_dir: PathBuf,
    /// Artifact patterns, relative to the source tree.
    pub patterns: Vec<String>,
    pub timeout: Duration,
    pub source_date_epoch: Option<i64>,
}

/// One environment the build runs in.
#[derive(Debug, Clone)]
pub struct Variant {
    pub label: &'static str,
    pub tz: &'static str,
    pub locale: &'static str,
    pub umask: &'static str,
    /// Extra directories between the temp root and the source copy.
    pub path_suffix: &'static str,
}

/// The two runs: a plain one and one with everything we vary changed.
pub const VARIANTS: [Variant; 2] = [
    Variant {
        label: "first",
        tz: "UTC",
        locale: "C.UTF-8",
        umask: "0022",
        path_suffix: "a/src",
    },
    Variant {
        label: "second (varied)",
        tz: "Etc/GMT-14",
        locale: "fr_FR.UTF-8",
        umask: "0002",
        path_suffix: "b/a-longer/varied-build-path/src",
    },
];

/// A finished build: its tree (kept until dropped) and what it made.
#[derive(Debug)]
pub struct Built {
    pub label: String,
    pub environment: Vec<String>,
    pub root: PathBuf,
    pub artifacts: Vec<PathBuf>,
    pub seconds: f64,
    _dir: tempfile::TempDir,
}

/// The last commit's time in `dir`, the value builds should export as SOURCE_DATE_EPOCH.
pub fn source_date_epoch(dir: &Path) -> Option<i64> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "-1", "--format=%ct"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// The files of the source tree: those git knows (tracked, or untracked and not ignored)
/// in a git work tree, else everything but `.git`.
fn source_files(dir: &Path) -> Result<Vec<PathBuf>, ReproduceError> {
    let copy_err = |reason: String| ReproduceError::Copy {
        path: dir.display().to_string(),
        reason,
    };
    let git = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    if let Ok(out) = git
        && out.status.success()
    {
        return Ok(out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
            .collect());
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
    {
        let entry = entry.map_err(|e| copy_err(e.to_string()))?;
        if !entry.file_type().is_dir() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .map_err(|e| copy_err(e.to_string()))?;
            files.push(rel.to_owned());
        }
    }
    Ok(files)
}

/// Copies `files` (relative) from `from` into `to`; symlinks stay symlinks, and nothing
/// is written outside `to`.
fn copy_tree(from: &Path, to: &Path, files: &[PathBuf]) -> Result<(), ReproduceError> {
    let err = |p: &Path, e: std::io::Error| ReproduceError::Copy {
        path: from.join(p).display().to_string(),
        reason: e.to_string(),
    };
    for rel in files {
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            continue;
        }
        let src = from.join(rel);
        let dst = to.join(rel);
        let Ok(meta) = std::fs::symlink_metadata(&src) else {
            // Listed by git but deleted in the work tree.
            continue;
        };
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).map_err(|e| err(rel, e))?;
        }
        if meta.file_type().is_symlink() {
            #[cfg(unix)]
            {
                let target = std::fs::read_link(&src).map_err(|e| err(rel, e))?;
                std::os::unix::fs::symlink(target, &dst).map_err(|e| err(rel, e))?;
            }
        } else if meta.is_file() {
            std::fs::copy(&src, &dst).map_err(|e| err(rel, e))?;
        }
    }
    Ok(())
}

/// The last `n` lines of a log file (at most 4 KiB), on one line.
fn log_tail(path: &Path, n: usize) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = f.seek(SeekFrom::Start(len.saturating_sub(4096)));
        let mut buf = Vec::new();
        let _ = f.read_to_end(&mut buf);
        text = String::from_utf8_lossy(&buf).into_owned();
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(n);
    let tail = lines[start..].join(" ⏎ ");
    if tail.is_empty() {
        "(no output)".to_owned()
    } else {
        tail
    }
}

/// A clean copy of the source tree, made before any build runs.
#[derive(Debug)]
pub struct Prepared {
    dir: tempfile::TempDir,
    root: PathBuf,
}

/// Copies the source tree once per variant, all before the first build starts, so every
/// build sees the same sources even if the work tree changes meanwhile.
pub fn prepare_all(spec: &RebuildSpec) -> Result<Vec<Prepared>, ReproduceError> {
    // WASI preview 1 cannot start processes: rebuilds are for the native build only.
    if cfg!(target_os = "wasi") {
        return Err(ReproduceError::RebuildNeedsNative);
    }
    let files = source_files(&spec.source_dir)?;
    VARIANTS.iter().map(|v| prepare(spec, v, &files)).collect()
}

fn prepare(
    spec: &RebuildSpec,
    variant: &Variant,
    files: &[PathBuf],
) -> Result<Prepared, ReproduceError> {
    let dir = tempfile::Builder::new()
        .prefix("attest-kit-rebuild-")
        .tempdir()
        .map_err(|e| ReproduceError::Copy {
            path: std::env::temp_dir().display().to_string(),
            reason: e.to_string(),
        })?;
    let root = dir.path().join(variant.path_suffix);
    std::fs::create_dir_all(&root).map_err(|e| ReproduceError::Copy {
        path: root.display().to_string(),
        reason: e.to_string(),
    })?;
    copy_tree(&spec.source_dir, &root, files)?;
    Ok(Prepared { dir, root })
}

/// Runs the build in one variant's copy; the temp tree lives as long as the result.
pub fn run(
    spec: &RebuildSpec,
    variant: &Variant,
    prepared: Prepared,
) -> Result<Built, ReproduceError> {
    let Prepared { dir, root } = prepared;
    let log_path = dir.path().join("build.log");
    let log = File::create(&log_path).map_err(ReproduceError::Spawn)?;
    let log2 = log.try_clone().map_err(ReproduceError::Spawn)?;
    let mut cmd = shell(&spec.command, variant.umask);
    cmd.current_dir(&root)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .env("PYTHONHASHSEED", "0")
        .env("TZ", variant.tz)
        .env("LC_ALL", variant.locale)
        .env("LANG", variant.locale);
    let mut environment = vec![
        "PYTHONHASHSEED=0".to_owned(),
        format!("TZ={}", variant.tz),
        format!("LC_ALL={}", variant.locale),
        format!("umask {}", variant.umask),
        format!("build path …/{}", variant.path_suffix),
    ];
    if let Some(epoch) = spec.source_date_epoch {
        cmd.env("SOURCE_DATE_EPOCH", epoch.to_string());
        environment.insert(0, format!("SOURCE_DATE_EPOCH={epoch}"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so a timeout stops everything it started.
        cmd.process_group(0);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(ReproduceError::Spawn)?;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(ReproduceError::Spawn)? {
            break status;
        }
        if started.elapsed() >= spec.timeout {
            kill_group(&mut child);
            return Err(ReproduceError::RebuildTimeout {
                run: variant.label.to_owned(),
                seconds: spec.timeout.as_secs(),
                tail: log_tail(&log_path, 5),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(ReproduceError::RebuildFailed {
            run: variant.label.to_owned(),
            status: status.to_string(),
            tail: log_tail(&log_path, 5),
        });
    }
    let artifacts =
        artifacts_in(&root, &spec.patterns).map_err(|_| ReproduceError::NoArtifacts {
            run: variant.label.to_owned(),
            patterns: spec.patterns.join(", "),
        })?;
    Ok(Built {
        label: variant.label.to_owned(),
        environment,
        root,
        artifacts,
        seconds,
        _dir: dir,
    })
}

/// Resolves relative patterns inside `root`.
pub fn artifacts_in(
    root: &Path,
    patterns: &[String],
) -> Result<Vec<PathBuf>, crate::subject::SubjectError> {
    let base = root.display().to_string().replace('\\', "/");
    let rooted: Vec<String> = patterns
        .iter()
        .map(|p| match p.strip_prefix('!') {
            Some(ex) => format!("!{base}/{}", ex.trim_start_matches("./")),
            None => format!("{base}/{}", p.trim_start_matches("./")),
        })
        .collect();
    crate::subject::paths::resolve(&rooted)
}

#[cfg(unix)]
fn shell(command: &str, umask: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(format!("umask {umask}\n{command}"));
    c
}

#[cfg(not(unix))]
fn shell(command: &str, _umask: &str) -> Command {
    let mut c = Command::new("cmd");
    c.arg("/C").arg(command);
    c
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The group id is the child's pid (process_group(0) above).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}
