//! Hostile inputs at scale: endless files, too many subjects, outputs over GitHub's limits,
//! the modes of the files written and the temp files a killed run leaves.
//!
//! These run the native binary directly (its memory is measured, its signals are its own).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Workspace, github_env, workflow_commands};

const BIN: &str = env!("CARGO_BIN_EXE_attest-kit");

/// A run's exit code, output, peak memory and wall time.
struct Measured {
    code: Option<i32>,
    text: String,
    max_rss_kb: u64,
    elapsed: Duration,
}

/// Runs the binary in `dir` with only `env`, measuring its peak resident set: GNU time's
/// `%M` when it is installed, else the child's `VmHWM` from /proc, polled. Either way a run
/// that has not ended after 30 s is killed (by its PID, or by `timeout` under GNU time).
fn measure(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Measured {
    // Under GNU time the binary is a grandchild: `timeout` ends it if it never stops.
    let gnu_time = Path::new("/usr/bin/time").exists() && Path::new("/usr/bin/timeout").exists();
    let mut cmd = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.args([
            "-f",
            "max-rss-kb=%M",
            "/usr/bin/timeout",
            "-s",
            "KILL",
            "30",
            BIN,
        ]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn");
    let pid = child.id();
    let mut polled_kb = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            polled_kb = polled_kb.max(vm_kb(&s, "VmHWM:"));
        }
        // Past the bound already (or hung): stop it before it takes the machine's memory.
        if start.elapsed() > Duration::from_secs(30) || polled_kb > 512 * 1024 {
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let mut text = String::new();
    for mut pipe in [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read>),
    ]
    .into_iter()
    .flatten()
    {
        let _ = pipe.read_to_string(&mut text);
    }
    let timed_kb = text
        .lines()
        .filter_map(|l| l.strip_prefix("max-rss-kb="))
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .next_back()
        .unwrap_or(0);
    Measured {
        code: status.code(),
        text,
        max_rss_kb: timed_kb.max(polled_kb),
        elapsed,
    }
}

fn vm_kb(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A FIFO that a writer thread feeds zeros forever (until the reader goes away).
fn endless_fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
    let path = path.to_owned();
    std::thread::spawn(move || {
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) {
            let block = vec![b'0'; 64 * 1024];
            while f.write_all(&block).is_ok() {}
        }
    });
}

/// The six inputs that once grew to gigabytes on an endless file: the arguments that read
/// `file` through each, and what its error line says.
fn endless_cases(ws: &Workspace, file: &str) -> Vec<(Vec<String>, &'static str)> {
    ws.write("a.bin", b"a");
    let sbom = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audit/sboms/cyclonedx-py-1.6.cdx.json")
        .display()
        .to_string();
    let verify = |flag: &str| {
        vec![
            "verify".into(),
            "a.bin".into(),
            flag.into(),
            file.into(),
            "--certificate-identity".into(),
            "x".into(),
            "--certificate-oidc-issuer".into(),
            "y".into(),
        ]
    };
    vec![
        (
            vec![
                "attest".into(),
                "--allow-local".into(),
                "--subject-checksums".into(),
                file.into(),
            ],
            "couldn't read subject-checksums file",
        ),
        (verify("--trusted-root"), "couldn't read trusted root"),
        (verify("--policy"), "couldn't read policy file"),
        (verify("--key"), "couldn't read public key"),
        (
            vec![
                "audit".into(),
                "--sbom-path".into(),
                sbom,
                "--osv-database".into(),
                file.into(),
            ],
            "couldn't read the OSV database",
        ),
        (
            vec![
                "reproduce".into(),
                "a.bin".into(),
                "--reference".into(),
                file.into(),
            ],
            "couldn't read reference",
        ),
    ]
}

fn assert_refused_quickly(ws: &Workspace, args: &[String], want: &str, kind: &str) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let m = measure(ws.path(), &args, &[]);
    assert_eq!(m.code, Some(1), "{args:?}: {}", m.text);
    let line = format!("{want} ");
    let error = m
        .text
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(error.contains(&line), "{args:?}: {}", m.text);
    assert!(
        error.ends_with(&format!("it is {kind}, not a regular file")),
        "{args:?}: {error}"
    );
    assert!(
        m.elapsed < Duration::from_secs(5),
        "{args:?}: {:?}",
        m.elapsed
    );
    assert!(
        m.max_rss_kb < 100 * 1024,
        "{args:?}: peak RSS {} kB",
        m.max_rss_kb
    );
}

#[cfg(target_os = "linux")]
#[test]
fn dev_zero_is_refused_by_every_file_input_within_seconds_and_100_mb() {
    let ws = Workspace::new();
    for (args, want) in endless_cases(&ws, "/dev/zero") {
        assert_refused_quickly(&ws, &args, want, "a character device");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_fed_forever_is_refused_by_every_file_input_within_seconds_and_100_mb() {
    let ws = Workspace::new();
    for (i, (args, want)) in endless_cases(&ws, "PLACEHOLDER").into_iter().enumerate() {
        // A fresh FIFO each time: the last reader gone, a writer ends.
        let fifo = format!("endless-{i}");
        endless_fifo(&ws.path().join(&fifo));
        let args: Vec<String> = args
            .into_iter()
            .map(|a| if a == "PLACEHOLDER" { fifo.clone() } else { a })
            .collect();
        assert_refused_quickly(&ws, &args, want, "a FIFO");
    }
}

/// A FIFO no one writes to: a plain open would wait forever for a writer.
#[cfg(unix)]
#[test]
fn a_fifo_with_no_writer_does_not_block_the_open() {
    let ws = Workspace::new();
    let status = Command::new("mkfifo")
        .arg(ws.path().join("idle"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    for (args, want) in endless_cases(&ws, "idle") {
        assert_refused_quickly(&ws, &args, want, "a FIFO");
    }
}

#[test]
fn a_file_over_its_limit_is_refused_naming_the_input_and_limit() {
    let ws = Workspace::new();
    ws.write("a.bin", b"a");
    let mut policy = b"# padding\n".repeat(110_000);
    policy.extend_from_slice(b"identities: []\n");
    ws.write("policy.yml", &policy);
    let m = measure(
        ws.path(),
        &["verify", "a.bin", "--policy", "policy.yml"],
        &[],
    );
    assert_eq!(m.code, Some(1), "{}", m.text);
    assert!(
        m.text.contains(
            "couldn't read policy file \"policy.yml\": it holds more than 1 MiB, the limit of policy"
        ),
        "{}",
        m.text
    );
}

/// `sha256sum` lines for `n` distinct subjects.
fn checksum_lines(n: usize) -> String {
    (0..n)
        .map(|i| format!("{:064x}  artifact-{i}.bin\n", i + 1))
        .collect()
}

#[test]
fn more_subjects_than_max_subjects_fail_before_anything_is_written() {
    let ws = Workspace::new();
    ws.write("sums.txt", checksum_lines(11).as_bytes());
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_CHECKSUMS", "sums.txt".into()));
    env.push(("INPUT_MAX_SUBJECTS", "10".into()));
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert!(
        run.stdout()
            .contains("11 subjects, more than max-subjects (10); raise max-subjects"),
        "{}",
        run.stdout()
    );
    assert!(!ws.exists("attestations"));
    // Raised to fit, the same input attests.
    env.retain(|(k, _)| *k != "INPUT_MAX_SUBJECTS");
    env.push(("INPUT_MAX_SUBJECTS", "11".into()));
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.outputs["subject-count"], "11");
    // The CLI flag of the same name; files on disk are counted before they are hashed.
    for i in 0..3 {
        ws.write(&format!("dist/{i}.bin"), b"x");
    }
    let cli = ws.run(
        &[
            "attest",
            "--allow-local",
            "--subject-path",
            "dist/*",
            "--max-subjects",
            "2",
        ],
        &[],
    );
    assert_eq!(cli.code(), 1, "{}", cli.stderr());
    assert!(
        cli.stderr()
            .contains("3 subjects, more than max-subjects (2)"),
        "{}",
        cli.stderr()
    );
    let bad = ws.run(
        &["attest", "dist/*", "--allow-local", "--max-subjects", "0"],
        &[],
    );
    assert_eq!(bad.code(), 1, "{}", bad.stderr());
    assert!(bad.stderr().contains("max-subjects"), "{}", bad.stderr());
}

#[test]
fn the_default_subject_limit_is_100000() {
    let ws = Workspace::new();
    ws.write("sums.txt", checksum_lines(100_001).as_bytes());
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_CHECKSUMS", "sums.txt".into()));
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert!(
        run.stdout()
            .contains("100001 subjects, more than max-subjects (100000)"),
        "{}",
        run.stdout()
    );
}

#[test]
fn an_output_over_1_mib_goes_to_a_file_and_the_log_lists_300_subjects() {
    let ws = Workspace::new();
    // Each subject is ~100 bytes of the `subjects` JSON: 12,000 of them are over 1 MiB.
    ws.write("sums.txt", checksum_lines(12_000).as_bytes());
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_CHECKSUMS", "sums.txt".into()));
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.outputs["subjects"], "attestations/subjects.json");
    assert_eq!(run.outputs["subject-count"], "12000");
    let spilled: serde_json::Value =
        serde_json::from_str(&ws.read("attestations/subjects.json")).expect("json");
    let spilled = spilled.as_array().expect("array");
    assert_eq!(spilled.len(), 12_000);
    assert_eq!(spilled[11_999]["name"], "artifact-11999.bin");
    // Every output the runner reads is within its limit.
    assert!(run.outputs.values().all(|v| v.len() <= 1024 * 1024));
    // The log: 300 subject lines, then how many more.
    let listed = run
        .stdout()
        .lines()
        .filter(|l| l.contains("  artifact-"))
        .count();
    assert_eq!(listed, 300, "{}", &run.stdout()[..2000]);
    assert!(
        run.stdout().contains("… and 11700 more subjects"),
        "{}",
        run.stdout()
    );
    assert!(
        workflow_commands(&run.stdout())
            .iter()
            .all(|(c, _)| c != "error")
    );
}

/// `verify` of 5,000 artifacts against one bundle that names none of them: every row fails.
fn verify_5000(output_dir: Option<&str>) -> (Workspace, crate::common::Run) {
    let ws = Workspace::new();
    for i in 0..5000 {
        ws.write(&format!("f/a{i}"), format!("{i}\n").as_bytes());
    }
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json");
    let mut env = github_env();
    env.push(("INPUT_COMMAND", "verify".into()));
    env.push(("INPUT_SUBJECT_PATH", "f/*".into()));
    env.push(("INPUT_BUNDLE_PATH", bundle.display().to_string()));
    env.push((
        "INPUT_CERTIFICATE_IDENTITY",
        "https://example.com/id".into(),
    ));
    env.push((
        "INPUT_CERTIFICATE_OIDC_ISSUER",
        "https://example.com".into(),
    ));
    if let Some(d) = output_dir {
        env.push(("INPUT_OUTPUT_DIR", d.into()));
    }
    let run = ws.run(&["action"], &env);
    (ws, run)
}

#[test]
fn verify_results_over_1_mib_go_to_a_file_and_the_log_and_annotations_are_capped() {
    let (ws, run) = verify_5000(None);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(run.outputs["results"], "attestations/results.json");
    assert_eq!(run.outputs["verified-count"], "0");
    assert!(run.outputs.values().all(|v| v.len() <= 1024 * 1024));
    let rows: serde_json::Value =
        serde_json::from_str(&ws.read("attestations/results.json")).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(5000));
    let out = run.stdout();
    assert_eq!(out.lines().filter(|l| l.starts_with("FAIL  ")).count(), 300);
    assert!(out.contains("… and 4700 more rows"), "{out}");
    // 50 row annotations, the "and more" one, and the run's own failure.
    let errors = workflow_commands(&out)
        .iter()
        .filter(|(c, _)| c == "error")
        .count();
    assert_eq!(errors, 52, "{out}");
    assert!(run.summary.len() <= 1024 * 1024);
}

#[test]
fn verify_writes_a_spilled_output_into_output_dir_and_nothing_when_it_fits() {
    let (ws, run) = verify_5000(Some("verify-out"));
    assert_eq!(run.outputs["results"], "verify-out/results.json");
    assert!(ws.exists("verify-out/results.json"));
    assert!(!ws.exists("attestations"));
    // A small run writes no file at all.
    let small = Workspace::new();
    small.write("a.bin", b"a");
    let mut env = github_env();
    env.push(("INPUT_COMMAND", "verify".into()));
    env.push(("INPUT_SUBJECT_PATH", "a.bin".into()));
    env.push((
        "INPUT_BUNDLE_PATH",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json")
            .display()
            .to_string(),
    ));
    env.push((
        "INPUT_CERTIFICATE_IDENTITY",
        "https://example.com/id".into(),
    ));
    env.push((
        "INPUT_CERTIFICATE_OIDC_ISSUER",
        "https://example.com".into(),
    ));
    let run = small.run(&["action"], &env);
    assert_eq!(run.code(), 1);
    assert!(run.outputs["results"].starts_with('['), "{:?}", run.outputs);
    assert_eq!(small.files(), vec!["a.bin".to_owned()]);
}

/// `sh -c 'umask U; exec attest-kit ...'` in `ws`.
#[cfg(unix)]
fn attest_under_umask(ws: &Workspace, umask: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(["attest", "a.bin", "--allow-local"])
        .current_dir(ws.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("sh")
}

#[cfg(unix)]
#[test]
fn files_are_written_0644_less_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, want) in [("022", 0o644), ("077", 0o600), ("000", 0o644)] {
        let ws = Workspace::new();
        ws.write("a.bin", b"a");
        let out = attest_under_umask(&ws, umask);
        assert!(out.status.success(), "{out:?}");
        for f in [
            "provenance.statement.json",
            "build-provenance.json",
            "SHA256SUMS",
        ] {
            let mode = std::fs::metadata(ws.path().join("attestations").join(f))
                .expect("written")
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, want, "umask {umask}: {f} is {mode:o}");
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn stale_temp_files_are_removed_at_the_next_run_and_fresh_ones_kept() {
    let ws = Workspace::new();
    ws.write("a.bin", b"a");
    let stale = ws.write("attestations/.attest-kit-dead01.tmp", b"half");
    let fresh = ws.write("attestations/.attest-kit-live01.tmp", b"another run's");
    let other = ws.write("attestations/notes.tmp", b"not ours");
    let touched = Command::new("touch")
        .args(["-d", "2 hours ago"])
        .arg(&stale)
        .arg(&other)
        .status()
        .expect("touch");
    assert!(touched.success());
    let run = ws.run(&["attest", "a.bin", "--allow-local"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(!stale.exists(), "{:?}", ws.files());
    assert!(fresh.exists(), "{:?}", ws.files());
    assert!(other.exists(), "{:?}", ws.files());
}

/// SIGTERM while the files are being staged: the temp files go with the process. The
/// signal is sent as soon as a temp file shows up; a run that finished first proves
/// nothing, so each attempt is tried until one is caught mid-write.
#[cfg(target_os = "linux")]
#[test]
fn sigterm_mid_write_removes_the_temp_files() {
    let ws = Workspace::new();
    // Large outputs make the staging take long enough to be caught.
    ws.write("sums.txt", checksum_lines(100_000).as_bytes());
    let out_dir = ws.path().join("attestations");
    let mut caught = 0;
    for _ in 0..20 {
        let _ = std::fs::remove_dir_all(&out_dir);
        let mut child = Command::new(BIN)
            .args(["attest", "--allow-local", "--subject-checksums", "sums.txt"])
            .current_dir(ws.path())
            .env_clear()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let pid = child.id().to_string();
        let mut signalled = false;
        let start = Instant::now();
        while child.try_wait().expect("wait").is_none() && start.elapsed() < Duration::from_secs(30)
        {
            let staging = std::fs::read_dir(&out_dir).is_ok_and(|d| {
                d.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            });
            if staging && !signalled {
                let _ = Command::new("kill").args(["-TERM", &pid]).status();
                signalled = true;
            }
        }
        let status = child.wait().expect("wait");
        let left: Vec<String> = std::fs::read_dir(&out_dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".tmp"))
                    .collect()
            })
            .unwrap_or_default();
        assert!(left.is_empty(), "temp files left: {left:?}");
        if signalled && !status.success() {
            use std::os::unix::process::ExitStatusExt;
            // Ended by the signal itself, as an unhandled SIGTERM would.
            assert_eq!(status.signal(), Some(15), "{status:?}");
            caught += 1;
            if caught == 3 {
                break;
            }
        }
    }
    assert!(caught > 0, "no run was caught while staging its files");
}
