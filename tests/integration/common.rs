//! The harness: runs the real binary in a temp workspace with a scrubbed environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::CommandCargoExt;

/// The GitHub Actions variables of a tagged release run of `octo-org/pulse-py`.
pub(crate) fn github_env() -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_REPOSITORY", "octo-org/pulse-py".into()),
        ("GITHUB_REPOSITORY_ID", "123456".into()),
        ("GITHUB_REPOSITORY_OWNER_ID", "7890".into()),
        ("GITHUB_REF", "refs/tags/v1.0.0".into()),
        (
            "GITHUB_SHA",
            "0123456789abcdef0123456789abcdef01234567".into(),
        ),
        (
            "GITHUB_WORKFLOW_REF",
            "octo-org/pulse-py/.github/workflows/publish.yml@refs/tags/v1.0.0".into(),
        ),
        ("GITHUB_EVENT_NAME", "push".into()),
        ("GITHUB_RUN_ID", "987654321".into()),
        ("GITHUB_RUN_ATTEMPT", "2".into()),
        ("RUNNER_ENVIRONMENT", "github-hosted".into()),
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_ARCH", "X64".into()),
    ]
}

/// A temp workspace plus the runner's output and summary files.
pub(crate) struct Workspace {
    pub(crate) dir: tempfile::TempDir,
}

pub(crate) struct Run {
    pub(crate) output: Output,
    pub(crate) outputs: BTreeMap<String, String>,
    pub(crate) summary: String,
}

impl Run {
    pub(crate) fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

impl Workspace {
    pub(crate) fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn write(&self, rel: &str, content: &[u8]) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, content).expect("write");
        p
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub(crate) fn exists(&self, rel: &str) -> bool {
        self.path().join(rel).exists()
    }

    /// Every file under the workspace, relative, sorted (temp files included on purpose).
    pub(crate) fn files(&self) -> Vec<String> {
        let mut out: Vec<String> = walk(self.path())
            .into_iter()
            .map(|p| {
                p.strip_prefix(self.path())
                    .expect("prefix")
                    .display()
                    .to_string()
            })
            .filter(|p| !p.starts_with(".runner/"))
            .collect();
        out.sort();
        out
    }

    /// Runs `attest-kit ARGS` with only `env` (plus PATH) in the environment.
    pub(crate) fn run(&self, args: &[&str], env: &[(&str, String)]) -> Run {
        let runner = self.path().join(".runner");
        std::fs::create_dir_all(&runner).expect("runner dir");
        let out_file = runner.join("output");
        let summary_file = runner.join("summary");
        let _ = std::fs::remove_file(&out_file);
        let _ = std::fs::remove_file(&summary_file);
        let mut cmd = attest_kit_command();
        cmd.current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_OUTPUT", &out_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.output().expect("run attest-kit");
        let outputs = std::fs::read_to_string(&out_file)
            .map(|t| parse_output_file(&t))
            .unwrap_or_default();
        let summary = std::fs::read_to_string(&summary_file).unwrap_or_default();
        Run {
            output,
            outputs,
            summary,
        }
    }
}

/// The binary under test: the native build, or with `ATTEST_KIT_TEST_ENGINE=wasm` the portable
/// build in `dist/` run by its Node runner (the same tests, the same snapshots, both engines).
pub(crate) fn attest_kit_command() -> std::process::Command {
    if std::env::var("ATTEST_KIT_TEST_ENGINE").as_deref() == Ok("wasm") {
        let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
        let mut cmd = std::process::Command::new("node");
        cmd.arg(dist.join("attest-kit-wasm.mjs"))
            .arg(dist.join("attest-kit.wasm"));
        cmd
    } else {
        std::process::Command::cargo_bin("attest-kit").expect("binary")
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Parses `$GITHUB_OUTPUT` the way the runner does (heredoc and `k=v` forms).
pub(crate) fn parse_output_file(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            map.insert(name.to_owned(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            map.insert(k.to_owned(), v.to_owned());
        }
    }
    map
}

/// Runs the tests' workflow-command lines through the runner's parsing rule: a line that
/// starts with `::` is a command. Returns (command, message) pairs.
pub(crate) fn workflow_commands(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("::"))
        .filter_map(|rest| {
            let (head, msg) = rest.split_once("::")?;
            let name = head.split(' ').next()?.to_owned();
            Some((name, msg.to_owned()))
        })
        .collect()
}
