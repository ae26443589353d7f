//! `reproduce`: hand-made archive pairs for each kind of difference, every reference form,
//! hostile archives and rebuild commands, and real Python builds (`python -m build`).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::Workspace;

type Res = Result<(), Box<dyn std::error::Error>>;

/// One zip member: name, content, DOS time (y, mo, d, h, mi, s), unix mode, compression.
struct ZipMember<'a> {
    name: &'a str,
    data: &'a [u8],
    time: (u16, u8, u8, u8, u8, u8),
    mode: u32,
    method: zip::CompressionMethod,
    level: Option<i64>,
}

fn member<'a>(name: &'a str, data: &'a [u8]) -> ZipMember<'a> {
    ZipMember {
        name,
        data,
        time: (2024, 1, 1, 0, 0, 0),
        mode: 0o644,
        method: zip::CompressionMethod::Deflated,
        level: None,
    }
}

fn write_zip(path: &Path, members: &[ZipMember<'_>], comment: &str) -> Res {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path)?);
    for m in members {
        let (y, mo, d, h, mi, s) = m.time;
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(m.method)
            .compression_level(m.level)
            .unix_permissions(m.mode)
            .last_modified_time(zip::DateTime::from_date_and_time(y, mo, d, h, mi, s)?);
        z.start_file(m.name, opts)?;
        z.write_all(m.data)?;
    }
    if !comment.is_empty() {
        z.set_comment(comment)?;
    }
    z.finish()?;
    Ok(())
}

/// One tar member: name, content, mtime, mode, uid.
struct TarMember<'a> {
    name: &'a str,
    data: &'a [u8],
    mtime: u64,
    mode: u32,
    uid: u64,
    symlink: Option<&'a str>,
}

fn tm<'a>(name: &'a str, data: &'a [u8]) -> TarMember<'a> {
    TarMember {
        name,
        data,
        mtime: 1_700_000_000,
        mode: 0o644,
        uid: 0,
        symlink: None,
    }
}

/// A tar.gz with the given gzip header mtime, file name and level.
fn write_tgz(
    path: &Path,
    members: &[TarMember<'_>],
    gz_mtime: u32,
    gz_name: &str,
    level: u32,
) -> Res {
    let mut tar_bytes = Vec::new();
    {
        let mut b = tar::Builder::new(&mut tar_bytes);
        for m in members {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(m.mtime);
            h.set_mode(m.mode);
            h.set_uid(m.uid);
            h.set_gid(0);
            match m.symlink {
                Some(target) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_size(0);
                    b.append_link(&mut h, m.name, target)?;
                }
                None => {
                    h.set_size(m.data.len() as u64);
                    // Raw path bytes, so hostile names (`../x`) go in as written.
                    let name = h.as_old_mut();
                    name.name[..m.name.len()].copy_from_slice(m.name.as_bytes());
                    h.set_cksum();
                    b.append(&h, m.data)?;
                }
            }
        }
        b.finish()?;
    }
    let mut gz = flate2::GzBuilder::new()
        .mtime(gz_mtime)
        .filename(gz_name)
        .write(
            std::fs::File::create(path)?,
            flate2::Compression::new(level),
        );
    gz.write_all(&tar_bytes)?;
    gz.finish()?;
    Ok(())
}

/// Runs `reproduce --reference published/ rebuilt/NAME --format json` and returns the
/// exit code and the parsed report.
fn compare(ws: &Workspace, name: &str, extra: &[&str]) -> (i32, Value, String) {
    let rebuilt = format!("rebuilt/{name}");
    let mut args = vec![
        "reproduce",
        "--reference",
        "published",
        "--format",
        "json",
        rebuilt.as_str(),
    ];
    args.extend(extra);
    let run = ws.run(&args, &[]);
    let json: Value = serde_json::from_str(&run.stdout()).unwrap_or(Value::Null);
    (run.code(), json, run.stderr())
}

fn first_comparison(report: &Value) -> &Value {
    &report["checks"][0]["comparisons"][0]
}

fn kinds(c: &Value) -> Vec<String> {
    c["differences"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["kind"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn pair(ws: &Workspace, name: &str) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(ws.path().join("published")).expect("mkdir");
    std::fs::create_dir_all(ws.path().join("rebuilt")).expect("mkdir");
    (
        ws.path().join("published").join(name),
        ws.path().join("rebuilt").join(name),
    )
}

#[test]
fn zip_pairs_are_explained_member_by_member() -> Res {
    // (case, expected class, expected kinds, rebuilt members)
    let base = || {
        vec![
            member("pkg/__init__.py", b"print('a')\n"),
            member("pkg/data.txt", b"one\ntwo\nthree\n"),
        ]
    };
    type Case = (&'static str, &'static str, &'static [&'static str]);
    let cases: Vec<(Case, Vec<ZipMember<'static>>, &str)> = vec![
        (
            ("timestamps", "metadata-only", &["timestamps"]),
            base()
                .into_iter()
                .map(|mut m| {
                    m.time = (2025, 6, 1, 12, 0, 0);
                    m
                })
                .collect(),
            "",
        ),
        (
            ("permissions", "metadata-only", &["permissions"]),
            base()
                .into_iter()
                .map(|mut m| {
                    m.mode = 0o664;
                    m
                })
                .collect(),
            "",
        ),
        (
            ("order", "metadata-only", &["order"]),
            base().into_iter().rev().collect(),
            "",
        ),
        (
            ("compression", "metadata-only", &["compression"]),
            base()
                .into_iter()
                .map(|mut m| {
                    m.method = zip::CompressionMethod::Stored;
                    m
                })
                .collect(),
            "",
        ),
        (
            ("comment", "metadata-only", &["archive-header"]),
            base(),
            "built on my laptop",
        ),
        (
            ("content", "content", &["content"]),
            vec![
                member("pkg/__init__.py", b"print('a')\n"),
                member("pkg/data.txt", b"one\nTWO\nthree\n"),
            ],
            "",
        ),
        (
            ("added", "content", &["added"]),
            {
                let mut m = base();
                m.push(member("pkg/extra.py", b""));
                m
            },
            "",
        ),
        (
            ("removed", "content", &["removed"]),
            vec![member("pkg/__init__.py", b"print('a')\n")],
            "",
        ),
    ];
    for ((case, class, expected_kinds), rebuilt_members, comment) in cases {
        let ws = Workspace::new();
        let (published, rebuilt) = pair(&ws, "pkg-1.0-py3-none-any.whl");
        write_zip(&published, &base(), "")?;
        write_zip(&rebuilt, &rebuilt_members, comment)?;
        let (code, report, stderr) = compare(&ws, "pkg-1.0-py3-none-any.whl", &[]);
        assert_eq!(code, 1, "{case}: {stderr}");
        assert_eq!(report["reproducible"], false, "{case}");
        let c = first_comparison(&report);
        assert_eq!(c["status"], "differs", "{case}: {c}");
        assert_eq!(c["class"], *class, "{case}: {c}");
        assert_eq!(kinds(c), *expected_kinds, "{case}: {c}");
        if case == "content" {
            let d = &c["differences"][0];
            assert_eq!(d["member"], "pkg/data.txt");
            let diff = d["diff"].as_str().unwrap_or("");
            assert!(diff.contains("-two\n+TWO"), "{diff}");
        }
    }
    Ok(())
}

#[test]
fn tar_gz_pairs_are_explained_including_the_gzip_header() -> Res {
    let files: [(&str, &[u8]); 2] = [("p-1.0/setup.py", b"setup()\n"), ("p-1.0/README", b"hi\n")];
    let base = || files.iter().map(|(n, d)| tm(n, d)).collect::<Vec<_>>();
    let ws = Workspace::new();
    let (published, rebuilt) = pair(&ws, "p-1.0.tar.gz");
    write_tgz(&published, &base(), 0, "", 9)?;

    // Gzip header: mtime and embedded file name (what `gzip` and Python's tarfile write).
    write_tgz(&rebuilt, &base(), 1_700_000_123, "p-1.0.tar", 9)?;
    let (code, report, _) = compare(&ws, "p-1.0.tar.gz", &[]);
    assert_eq!(code, 1);
    let c = first_comparison(&report);
    assert_eq!(c["class"], "metadata-only", "{c}");
    let details: Vec<&str> = c["differences"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["detail"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        details.contains(&"gzip header mtime: 0 → 1700000123"),
        "{details:?}"
    );
    assert!(
        details.contains(&"gzip header filename: (none) → p-1.0.tar"),
        "{details:?}"
    );

    // Compression level only: the tar inside is the same.
    write_tgz(&rebuilt, &base(), 0, "", 1)?;
    let (_, report, _) = compare(&ws, "p-1.0.tar.gz", &[]);
    let c = first_comparison(&report);
    assert_eq!(c["class"], "metadata-only", "{c}");
    assert!(kinds(c).contains(&"archive-header".to_owned()), "{c}");

    // Member mtimes, modes and owners.
    let changed: Vec<TarMember<'_>> = base()
        .into_iter()
        .map(|mut m| {
            m.mtime += 60;
            m.mode = 0o664;
            m.uid = 1001;
            m
        })
        .collect();
    write_tgz(&rebuilt, &changed, 0, "", 9)?;
    let (_, report, _) = compare(&ws, "p-1.0.tar.gz", &[]);
    let c = first_comparison(&report);
    assert_eq!(c["class"], "metadata-only", "{c}");
    assert_eq!(kinds(c), ["timestamps", "permissions", "ownership"], "{c}");

    // Content with a text diff.
    let mut edited = base();
    edited[1].data = b"hello\n";
    write_tgz(&rebuilt, &edited, 0, "", 9)?;
    let (_, report, _) = compare(&ws, "p-1.0.tar.gz", &[]);
    let c = first_comparison(&report);
    assert_eq!(c["class"], "content", "{c}");
    assert_eq!(c["differences"][0]["member"], "p-1.0/README");
    assert!(
        c["differences"][0]["diff"]
            .as_str()
            .is_some_and(|d| d.contains("-hi\n+hello")),
        "{c}"
    );
    Ok(())
}

#[test]
fn other_files_get_size_and_first_differing_offset() -> Res {
    let ws = Workspace::new();
    let (published, rebuilt) = pair(&ws, "tool.bin");
    std::fs::write(published, b"\x7fELF-abcdef")?;
    std::fs::write(rebuilt, b"\x7fELF-abXdefgh")?;
    let (code, report, _) = compare(&ws, "tool.bin", &[]);
    assert_eq!(code, 1);
    let c = first_comparison(&report);
    assert_eq!(kinds(c), ["size", "bytes"], "{c}");
    assert_eq!(
        c["differences"][1]["detail"],
        "first differing byte at offset 7 (0x7)"
    );
    assert_eq!(c["class"], "content");
    Ok(())
}

#[test]
fn identical_missing_and_extra_files_against_a_directory() -> Res {
    let ws = Workspace::new();
    ws.write("published/a.txt", b"same\n");
    ws.write("published/gone.txt", b"published only\n");
    ws.write("rebuilt/a.txt", b"same\n");
    ws.write("rebuilt/new.txt", b"rebuilt only\n");
    let run = ws.run(&["reproduce", "--reference", "published", "rebuilt/*"], &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let out = run.stdout();
    assert!(out.contains("OK   a.txt: identical"), "{out}");
    assert!(
        out.contains("gone.txt: in the reference but not rebuilt"),
        "{out}"
    );
    assert!(
        out.contains("new.txt: rebuilt but not in the reference"),
        "{out}"
    );
    assert_eq!(run.outputs["reproducible"], "false");
    assert_eq!(run.outputs["report-path"], "attestations/reproduce.json");
    let file: Value = serde_json::from_str(&ws.read("attestations/reproduce.json"))?;
    assert_eq!(file["reproducible"], false);
    assert!(run.summary.contains("| `a.txt` |"), "{}", run.summary);
    assert!(run.summary.contains("❌ not rebuilt"), "{}", run.summary);
    Ok(())
}

#[test]
fn fail_on_difference_false_reports_but_exits_zero() {
    let ws = Workspace::new();
    ws.write("published/a.txt", b"one\n");
    ws.write("rebuilt/a.txt", b"two\n");
    let run = ws.run(
        &[
            "reproduce",
            "--reference",
            "published",
            "--fail-on-difference",
            "false",
            "rebuilt/a.txt",
        ],
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.outputs["reproducible"], "false");
}

#[test]
fn checksums_statement_and_bundle_references() -> Res {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let ws = Workspace::new();
    let tgz = fixtures.join("gh-attestations/sigstore-js-2.1.0.tgz");
    std::fs::create_dir_all(ws.path().join("rebuilt"))?;
    std::fs::copy(&tgz, ws.path().join("rebuilt/sigstore-js-2.1.0.tgz"))?;
    let bundle = fixtures.join("gh-attestations/sigstore-js-2.1.0-bundle.json");
    let bundle = bundle.to_string_lossy().into_owned();

    // A real GitHub attestation bundle: its statement's subject names this file.
    let run = ws.run(
        &[
            "reproduce",
            "--reference",
            &bundle,
            "rebuilt/sigstore-js-2.1.0.tgz",
        ],
        &[],
    );
    assert_eq!(run.code(), 0, "{}{}", run.stdout(), run.stderr());
    assert!(
        run.stdout().contains("(Sigstore bundle)"),
        "{}",
        run.stdout()
    );
    assert_eq!(run.outputs["reproducible"], "true");

    // Our own provenance statement and SHA256SUMS, written by `attest`.
    let att = ws.run(
        &[
            "provenance",
            "--allow-local=true",
            "rebuilt/sigstore-js-2.1.0.tgz",
        ],
        &[],
    );
    assert_eq!(att.code(), 0, "{}", att.stderr());
    for reference in [
        "attestations/provenance.statement.json",
        "attestations/SHA256SUMS",
    ] {
        let run = ws.run(
            &[
                "reproduce",
                "--reference",
                reference,
                "rebuilt/sigstore-js-2.1.0.tgz",
            ],
            &[],
        );
        assert_eq!(run.code(), 0, "{reference}: {}", run.stderr());
    }

    // A digest-only reference cannot explain a mismatch, and says so.
    ws.write(
        "sums",
        format!("{}  sigstore-js-2.1.0.tgz\n", "0".repeat(64)).as_bytes(),
    );
    let run = ws.run(
        &[
            "reproduce",
            "--reference",
            "sums",
            "rebuilt/sigstore-js-2.1.0.tgz",
        ],
        &[],
    );
    assert_eq!(run.code(), 1);
    assert!(
        run.stdout()
            .contains("give a directory of the published files as the reference"),
        "{}",
        run.stdout()
    );
    Ok(())
}

#[test]
fn bad_references_fail_with_one_line() {
    let ws = Workspace::new();
    ws.write("rebuilt/a", b"x");
    ws.write("empty.json", b"{\"mediaType\": \"nope\"}");
    for (reference, reason) in [
        ("missing.json", "couldn't read reference"),
        ("empty.json", "reference \"empty.json\""),
    ] {
        let run = ws.run(&["reproduce", "--reference", reference, "rebuilt/a"], &[]);
        assert_eq!(run.code(), 1, "{reference}");
        let err = run.stderr();
        assert!(err.contains(reason), "{reference}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    // Usage: nothing to compare with.
    let run = ws.run(&["reproduce", "rebuilt/a"], &[]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr().contains("nothing to compare with"),
        "{}",
        run.stderr()
    );
}

#[test]
fn hostile_archives_are_reported_not_followed() -> Res {
    let ws = Workspace::new();
    let (published, rebuilt) = pair(&ws, "evil.tar.gz");
    let mut escape = tm("../../etc/evil", b"x\n");
    escape.mode = 0o755;
    let link = TarMember {
        symlink: Some("/etc/passwd"),
        ..tm("p/link", b"")
    };
    write_tgz(&published, &[tm("../../etc/evil", b"x\n")], 0, "", 9)?;
    write_tgz(&rebuilt, &[escape, link], 0, "", 9)?;
    let (code, report, _) = compare(&ws, "evil.tar.gz", &[]);
    assert_eq!(code, 1);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("would escape the archive root"),
        "{warnings}"
    );
    let c = first_comparison(&report);
    assert_eq!(kinds(c), ["added", "permissions"], "{c}");
    assert!(
        c["differences"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("symlink to \"/etc/passwd\"")),
        "{c}"
    );
    assert!(!ws.path().join("etc").exists());

    // A corrupt archive on one side: reported as unreadable, then compared byte by byte.
    let (published, rebuilt) = pair(&ws, "broken.whl");
    write_zip(&published, &[member("a", b"a")], "")?;
    let mut bytes = std::fs::read(&published)?;
    let n = bytes.len();
    bytes.truncate(n - 10);
    std::fs::write(&rebuilt, bytes)?;
    let (code, report, stderr) = compare(&ws, "broken.whl", &[]);
    assert_eq!(code, 1, "{stderr}");
    let c = first_comparison(&report);
    assert_eq!(c["class"], "unknown", "{c}");
    assert_eq!(kinds(c)[0], "unreadable", "{c}");
    Ok(())
}

/// Rebuild commands run with `sh -c` on Unix (`cmd /C` on Windows, not tested here).
#[cfg(unix)]
#[test]
fn a_failing_or_hanging_rebuild_is_reported() {
    let ws = Workspace::new();
    ws.write("src/file", b"x");
    let run = ws.run(
        &[
            "reproduce",
            "--rebuild-command",
            "echo compiling; echo broken >&2; exit 3",
            "--source-dir",
            "src",
            "out/*",
        ],
        &[],
    );
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    assert!(
        err.contains(
            "rebuild first failed (exit status: 3); last lines of its log: compiling ⏎ broken"
        ),
        "{err}"
    );
    let started = std::time::Instant::now();
    let run = ws.run(
        &[
            "reproduce",
            "--rebuild-command",
            "echo waiting; sleep 60",
            "--timeout",
            "1",
            "--source-dir",
            "src",
            "out/*",
        ],
        &[],
    );
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr().contains(
            "rebuild first timed out after 1s and was stopped; last lines of its log: waiting"
        ),
        "{}",
        run.stderr()
    );
    // The hung command was stopped, not waited for (a loose bound, not a benchmark).
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn print_source_date_epoch_is_the_last_commit_time() -> Res {
    let ws = Workspace::new();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(ws.path())
            .args(args)
            .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
            .env("GIT_COMMITTER_DATE", "@1700000000 +0000")
            .output()
    };
    git(&["init", "-q"])?;
    ws.write("f", b"x");
    git(&["add", "f"])?;
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-qm",
        "c",
    ])?;
    let run = ws.run(&["reproduce", "--print-source-date-epoch"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.stdout(), "1700000000\n");
    assert_eq!(run.outputs["source-date-epoch"], "1700000000");
    assert!(!run.outputs.contains_key("reproducible"));
    Ok(())
}

/// The venv python with pinned build, setuptools and wheel (scripts/test.sh makes it).
fn python() -> Option<String> {
    if let Some(p) = std::env::var("ATTEST_KIT_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Some(p);
    }
    if std::env::var_os("ATTEST_KIT_SKIP_PYTHON_BUILD").is_some() {
        eprintln!("note: ATTEST_KIT_SKIP_PYTHON_BUILD is set; skipping the python -m build tests");
        return None;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("ATTEST_KIT_PYTHON is not set: CI must create the build venv (scripts/test.sh)");
    }
    eprintln!("note: ATTEST_KIT_PYTHON unset; skipping the python -m build tests");
    None
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/python-sample")
        .to_string_lossy()
        .into_owned()
}

fn rebuild(python: &str, prefix: &str, patterns: &str) -> (i32, Value, String) {
    let ws = Workspace::new();
    let command = format!(
        "{prefix} {} -m build --no-isolation --outdir dist .",
        shell_quote(python)
    );
    let run = ws.run(
        &[
            "reproduce",
            "--rebuild-command",
            &command,
            "--source-dir",
            &sample(),
            "--fail-on-difference",
            "false",
            "--format",
            "json",
            patterns,
        ],
        &[],
    );
    let report = serde_json::from_str(&run.stdout()).unwrap_or(Value::Null);
    (run.code(), report, run.stderr())
}

fn by_artifact<'a>(report: &'a Value, suffix: &str) -> &'a Value {
    report["checks"][0]["comparisons"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["artifact"].as_str().is_some_and(|n| n.ends_with(suffix)))
        })
        .unwrap_or(&Value::Null)
}

#[test]
fn python_build_without_source_date_epoch_differs_in_timestamps() {
    let Some(py) = python() else { return };
    // Same umask in both runs, no SOURCE_DATE_EPOCH: file times are what remains. The
    // sleep keeps the second build at least one zip time step (2 s) later.
    let (code, report, err) = rebuild(
        &py,
        "umask 022; unset SOURCE_DATE_EPOCH; sleep 2;",
        "dist/*",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["reproducible"], false, "{report}");
    let wheel = by_artifact(&report, ".whl");
    assert_eq!(wheel["class"], "metadata-only", "{wheel}");
    assert_eq!(kinds(wheel), ["timestamps"], "{wheel}");
    let sdist = by_artifact(&report, ".tar.gz");
    assert_eq!(sdist["class"], "metadata-only", "{sdist}");
    let k = kinds(sdist);
    assert!(k.contains(&"archive-header".to_owned()), "{sdist}");
    assert!(k.contains(&"timestamps".to_owned()), "{sdist}");
}

#[test]
fn python_build_with_source_date_epoch_makes_an_identical_wheel() {
    let Some(py) = python() else { return };
    let (code, report, err) = rebuild(&py, "umask 022;", "dist/*");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        report["rebuilds"][1]["environment"][0]
            .as_str()
            .map(|s| s.starts_with("SOURCE_DATE_EPOCH=")),
        Some(true)
    );
    let wheel = by_artifact(&report, ".whl");
    assert_eq!(wheel["status"], "identical", "{wheel}");
    // setuptools' sdist ignores SOURCE_DATE_EPOCH: member times and the gzip header time
    // follow the clock (which of them differ depends on where the second boundaries fall),
    // and are explained as metadata only.
    let sdist = by_artifact(&report, ".tar.gz");
    assert_eq!(sdist["class"], "metadata-only", "{sdist}");
    let details = sdist["differences"].to_string();
    assert!(
        details.contains("gzip header mtime") || details.contains("timestamps differ"),
        "{details}"
    );
}

#[test]
fn python_build_varied_umask_changes_wheel_permissions() {
    let Some(py) = python() else { return };
    let (_, report, err) = rebuild(&py, "", "dist/*.whl");
    let wheel = by_artifact(&report, ".whl");
    assert_eq!(wheel["class"], "metadata-only", "{wheel}{err}");
    assert_eq!(kinds(wheel), ["permissions"], "{wheel}");
}

#[test]
fn python_build_embedding_time_and_random_order_is_content() {
    let Some(py) = python() else { return };
    let (_, report, err) = rebuild(
        &py,
        "umask 022; export SAMPLE_EMBED_TIME=1 SAMPLE_RANDOM_ORDER=1;",
        "dist/*.whl",
    );
    let wheel = by_artifact(&report, ".whl");
    assert_eq!(wheel["class"], "content", "{wheel}{err}");
    let first = &wheel["differences"][0];
    assert_eq!(first["member"], "sample/_build_info.py", "{wheel}");
    let diff = first["diff"].as_str().unwrap_or("");
    assert!(
        diff.contains("-BUILT_AT = ") && diff.contains("+BUILT_AT = "),
        "{diff}"
    );
    assert!(diff.contains("-ITEMS = ["), "{diff}");
    // RECORD lists the digest of the changed file, so it differs too.
    assert!(
        wheel["differences"]
            .to_string()
            .contains("dist-info/RECORD")
    );
}

#[test]
fn attest_records_reproducible_after_a_matching_rebuild() {
    let Some(py) = python() else { return };
    let ws = Workspace::new();
    let q = shell_quote(&py);
    // Build the published wheel in the workspace, then attest it with a rebuild check.
    let src = ws.path().join("src");
    let copy = std::process::Command::new("cp")
        .args(["-r", &sample(), &src.to_string_lossy()])
        .status();
    assert!(copy.is_ok_and(|s| s.success()));
    let epoch = "1700000000";
    let build = std::process::Command::new("sh")
        .current_dir(&src)
        .args([
            "-c",
            &format!(
                "umask 022; {q} -m build --no-isolation --wheel --outdir dist . >/dev/null 2>&1"
            ),
        ])
        .env("SOURCE_DATE_EPOCH", epoch)
        .env("PYTHONHASHSEED", "0")
        .status();
    assert!(build.is_ok_and(|s| s.success()));
    for (prefix, expected) in [
        ("umask 022;", true),
        ("umask 022; export SAMPLE_EMBED_TIME=1;", false),
    ] {
        let run = ws.run(
            &[
                "attest",
                "--allow-local",
                "--rebuild-command",
                &format!("{prefix} {q} -m build --no-isolation --wheel --outdir dist ."),
                "--source-dir",
                "src",
                "src/dist/*.whl",
            ],
            &[("SOURCE_DATE_EPOCH", epoch.to_owned())],
        );
        assert_eq!(run.code(), 0, "{}", run.stderr());
        let legacy: Value = serde_json::from_str(&ws.read("attestations/build-provenance.json"))
            .unwrap_or_default();
        assert_eq!(
            legacy["metadata"]["reproducible"],
            expected,
            "{prefix}: {}",
            run.stderr()
        );
    }
}

#[test]
fn in_actions_differences_are_annotations_and_the_summary_escapes_names() {
    let ws = Workspace::new();
    let hostile = "a|b`<img src=x>.txt";
    ws.write(&format!("published/{hostile}"), b"one\n");
    ws.write(&format!("rebuilt/{hostile}"), b"two\n");
    let run = ws.run(
        &["action"],
        &[
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("INPUT_COMMAND", "reproduce".to_owned()),
            ("INPUT_REFERENCE", "published".to_owned()),
            ("INPUT_SUBJECT_PATH", "rebuilt/*".to_owned()),
            ("INPUT_OUTPUT_DIR", "out".to_owned()),
        ],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let commands = crate::common::workflow_commands(&run.stdout());
    let errors: Vec<&(String, String)> = commands.iter().filter(|(c, _)| c == "error").collect();
    assert_eq!(errors.len(), 2, "{commands:?}");
    assert!(
        errors[0]
            .1
            .contains("differs (content): first differing byte at offset 0"),
        "{errors:?}"
    );
    assert!(
        errors[1]
            .1
            .contains("not reproducible: 1 of 1 artifacts differ"),
        "{errors:?}"
    );
    assert_eq!(run.outputs["reproducible"], "false");
    assert_eq!(run.outputs["report-path"], "out/reproduce.json");
    // The name only appears inside a code span (where GitHub renders no HTML), its `|`
    // escaped so the table row holds.
    assert!(
        run.summary.contains("| ``a\\|b`<img src=x>.txt`` |"),
        "{}",
        run.summary
    );
    assert_eq!(run.summary.matches("<img").count(), 1, "{}", run.summary);
}

/// diffoscope (PyPI, with Debian's libarchive13), the reference tool for explaining
/// differences; scripts/test.sh installs it into .venv-build.
fn diffoscope() -> Option<String> {
    if let Some(p) = std::env::var("ATTEST_KIT_DIFFOSCOPE")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Some(p);
    }
    if std::env::var_os("ATTEST_KIT_SKIP_DIFFOSCOPE").is_some() {
        eprintln!("note: ATTEST_KIT_SKIP_DIFFOSCOPE is set; skipping the diffoscope comparison");
        return None;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("ATTEST_KIT_DIFFOSCOPE is not set: CI must install diffoscope (scripts/test.sh)");
    }
    eprintln!("note: ATTEST_KIT_DIFFOSCOPE unset; skipping the diffoscope comparison");
    None
}

/// Every `source1` in diffoscope's JSON tree.
fn diffoscope_sources(node: &Value, out: &mut Vec<String>) {
    if let Some(s) = node["source1"].as_str() {
        out.push(s.to_owned());
    }
    for child in node["details"].as_array().into_iter().flatten() {
        diffoscope_sources(child, out);
    }
}

#[test]
fn diffoscope_agrees_on_which_members_differ() -> Res {
    let Some(diffoscope) = diffoscope() else {
        return Ok(());
    };
    let ws = Workspace::new();
    // A wheel and an sdist pair, each with: a member whose content differs, one whose
    // time only differs, one removed and one added.
    let (pw, rw) = pair(&ws, "pkg-1.0-py3-none-any.whl");
    let later = |mut m: ZipMember<'static>| {
        m.time = (2025, 1, 1, 0, 0, 0);
        m
    };
    write_zip(
        &pw,
        &[
            member("pkg/same.txt", b"same\n"),
            member("pkg/data.txt", b"one\ntwo\n"),
            member("pkg/gone.txt", b"x\n"),
        ],
        "",
    )?;
    write_zip(
        &rw,
        &[
            later(member("pkg/same.txt", b"same\n")),
            member("pkg/data.txt", b"one\nTWO\n"),
            member("pkg/new.txt", b"y\n"),
        ],
        "",
    )?;
    let (pt, rt) = pair(&ws, "pkg-1.0.tar.gz");
    let mut same_later = tm("pkg-1.0/same.txt", b"same\n");
    same_later.mtime += 3600;
    write_tgz(
        &pt,
        &[
            tm("pkg-1.0/same.txt", b"same\n"),
            tm("pkg-1.0/data.txt", b"one\ntwo\n"),
            tm("pkg-1.0/gone.txt", b"x\n"),
        ],
        0,
        "",
        9,
    )?;
    write_tgz(
        &rt,
        &[
            same_later,
            tm("pkg-1.0/data.txt", b"one\nTWO\n"),
            tm("pkg-1.0/new.txt", b"y\n"),
        ],
        0,
        "",
        9,
    )?;
    for (name, members) in [
        (
            "pkg-1.0-py3-none-any.whl",
            [
                "pkg/same.txt",
                "pkg/data.txt",
                "pkg/gone.txt",
                "pkg/new.txt",
            ],
        ),
        (
            "pkg-1.0.tar.gz",
            [
                "pkg-1.0/same.txt",
                "pkg-1.0/data.txt",
                "pkg-1.0/gone.txt",
                "pkg-1.0/new.txt",
            ],
        ),
    ] {
        let (_, report, err) = compare(&ws, name, &[]);
        let c = by_artifact(&report, name);
        let ours: Vec<&str> = c["differences"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["kind"] == "content")
            .filter_map(|d| d["member"].as_str())
            .collect();
        assert_eq!(ours, [members[1]], "{name}: {c}{err}");
        let k = kinds(c);
        for expected in ["added", "removed", "timestamps"] {
            assert!(k.contains(&expected.to_owned()), "{name}: {k:?}");
        }

        let json = ws.path().join(format!("{name}.diffoscope.json"));
        let status = std::process::Command::new(&diffoscope)
            .arg("--json")
            .arg(&json)
            .arg(ws.path().join("published").join(name))
            .arg(ws.path().join("rebuilt").join(name))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        // diffoscope exits 1 when the files differ.
        assert_eq!(status.code(), Some(1), "{name}");
        let tree: Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
        let mut sources = Vec::new();
        diffoscope_sources(&tree, &mut sources);
        // The members diffoscope descends into (content differences) are exactly ours.
        let theirs: Vec<&str> = members
            .iter()
            .copied()
            .filter(|m| {
                sources
                    .iter()
                    .any(|s| s == m || s.ends_with(&format!("/{m}")))
            })
            .collect();
        assert_eq!(theirs, ours, "{name}: diffoscope nodes {sources:?}");
        // And it shows the listing change (times, added and removed members) as we do.
        assert!(
            sources
                .iter()
                .any(|s| s.starts_with("zipinfo") || s == "file list"),
            "{name}: {sources:?}"
        );
    }
    Ok(())
}
