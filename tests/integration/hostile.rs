//! Hostile inputs: each gives a clear error, exit 1, one `::error::`, and no output file;
//! names that are merely odd are attested and rendered inertly.

use crate::common::{Run, Workspace, github_env, workflow_commands};

fn attest(ws: &Workspace, pattern: &str) -> Run {
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_PATH", pattern.to_owned()));
    ws.run(&["action"], &env)
}

/// Asserts a clean failure: exit 1, exactly one error annotation holding `want`, and nothing
/// written (no attestations, no temp files).
fn assert_clean_failure(ws: &Workspace, run: &Run, want: &str) {
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let errors: Vec<_> = workflow_commands(&run.stdout())
        .into_iter()
        .filter(|(c, _)| c == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout());
    assert!(
        errors[0].1.contains(want),
        "wanted {want:?} in {:?}",
        errors[0].1
    );
    assert!(!ws.exists("attestations"), "{:?}", ws.files());
    assert!(
        ws.files().iter().all(|f| !f.contains(".attest-kit-")),
        "{:?}",
        ws.files()
    );
    assert!(run.outputs.is_empty(), "{:?}", run.outputs);
}

#[test]
fn a_file_name_with_a_newline_is_refused_without_injection() {
    let ws = Workspace::new();
    ws.write("dist/evil\n::warning::injected.whl", b"x");
    let run = attest(&ws, "dist/*.whl");
    assert_clean_failure(&ws, &run, "contains a control character");
    // The whole message stayed on the error line: no command of the attacker's.
    assert!(
        workflow_commands(&run.stdout())
            .iter()
            .all(|(c, _)| c != "warning")
    );
    assert!(
        run.stdout()
            .contains(r#"invalid subject name "evil\n::warning::injected.whl""#),
        "{}",
        run.stdout()
    );
}

#[test]
fn odd_but_legal_names_are_attested_and_rendered_inertly() {
    let ws = Workspace::new();
    let names = [
        "a%0A::set-output name=x::y.whl",
        "<img src=x onerror=alert(1)>.whl",
        "[click](https:evil.example) @admin #1.whl",
        "pipe|and`tick.whl",
        "x<<ghadelimiter_0000.whl",
    ];
    for n in names {
        ws.write(&format!("dist/{n}"), n.as_bytes());
    }
    let run = attest(&ws, "dist/*.whl");
    assert_eq!(run.code(), 0, "{}", run.stdout());
    let subjects: serde_json::Value =
        serde_json::from_str(&run.outputs["subjects"]).expect("subjects json");
    let mut got: Vec<_> = subjects
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("").to_owned())
        .collect();
    got.sort();
    let mut want: Vec<_> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(run.outputs["subject-count"], "5");
    insta::assert_snapshot!(
        "hostile_summary_rows",
        run.summary
            .lines()
            .filter(|l| l.contains(".whl"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Rendered as GitHub would (GFM tables): the names stay text, never markup or links.
    let mut html = String::new();
    let parser =
        pulldown_cmark::Parser::new_ext(&run.summary, pulldown_cmark::Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut html, parser);
    assert!(!html.contains("<img") && !html.contains("<a "), "{html}");
    assert!(
        html.contains("<code>&lt;img src=x onerror=alert(1)&gt;.whl</code>"),
        "{html}"
    );
    assert!(html.contains("<code>pipe|and`tick.whl</code>"), "{html}");
    assert!(
        workflow_commands(&run.stdout())
            .iter()
            .all(|(c, _)| c == "group" || c == "endgroup"),
        "{}",
        run.stdout()
    );
}

#[test]
fn a_pattern_matching_nothing() {
    let ws = Workspace::new();
    let run = attest(&ws, "dist/*.whl");
    assert_clean_failure(
        &ws,
        &run,
        "subject-path pattern \"dist/*.whl\" matches no file",
    );
}

#[test]
fn a_directory() {
    let ws = Workspace::new();
    ws.write("dist/a.whl", b"a");
    assert_clean_failure(
        &ws,
        &attest(&ws, "dist"),
        "subject-path \"dist\" is a directory; use dist/**",
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file() {
    let ws = Workspace::new();
    // Reading /proc/self/mem at offset 0 fails even for root, unlike a chmod 000 file.
    std::os::unix::fs::symlink("/proc/self/mem", ws.path().join("mem.bin")).expect("symlink");
    assert_clean_failure(
        &ws,
        &attest(&ws, "*.bin"),
        "couldn't read subject \"mem.bin\"",
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_not_read() {
    let ws = Workspace::new();
    let status = std::process::Command::new("mkfifo")
        .arg(ws.path().join("pipe.bin"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    assert_clean_failure(&ws, &attest(&ws, "pipe.bin"), "not a regular file");
}

#[cfg(unix)]
#[test]
fn symlink_loops() {
    let ws = Workspace::new();
    std::os::unix::fs::symlink("loop.bin", ws.path().join("loop.bin")).expect("symlink");
    assert_clean_failure(
        &ws,
        &attest(&ws, "loop.bin"),
        "couldn't read subject \"loop.bin\"",
    );
}

/// The names of the subjects a successful run attested.
fn subject_names(run: &Run) -> Vec<String> {
    let subjects: serde_json::Value =
        serde_json::from_str(&run.outputs["subjects"]).expect("subjects json");
    subjects
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn warnings(run: &Run) -> Vec<String> {
    workflow_commands(&run.stdout())
        .into_iter()
        .filter(|(c, _)| c == "warning")
        .map(|(_, m)| m)
        .collect()
}

#[cfg(unix)]
#[test]
fn a_walk_does_not_follow_a_directory_link_out_of_its_root() {
    let outside = Workspace::new();
    outside.write("secret.bin", b"not yours");
    let ws = Workspace::new();
    ws.write("dist/a.bin", b"a");
    std::os::unix::fs::symlink(outside.path(), ws.path().join("dist/etc")).expect("symlink");
    // A sibling of dist/ is outside it too, though it is in the workspace.
    ws.write("other/c.bin", b"c");
    std::os::unix::fs::symlink("../other", ws.path().join("dist/side")).expect("symlink");
    // A link to a directory inside the root is still followed.
    ws.write("dist/sub/b.bin", b"b");
    std::os::unix::fs::symlink("sub", ws.path().join("dist/same")).expect("symlink");
    let run = attest(&ws, "dist/**");
    assert_eq!(run.code(), 0, "{}", run.stdout());
    let mut names = subject_names(&run);
    names.sort();
    // b.bin twice by path (dist/sub, dist/same) is one file: kept once.
    assert_eq!(names, ["a.bin", "b.bin"], "{}", run.stdout());
    let w = warnings(&run);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w.iter().any(|m| m.contains("did not follow dist/etc")
            && m.contains("a directory symlink leading outside dist")),
        "{w:?}"
    );
    assert!(
        w.iter().any(|m| m.contains("did not follow dist/side")),
        "{w:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_file_link_out_of_the_root_is_attested_by_its_link_name() {
    let outside = Workspace::new();
    let target = outside.write("real-1.0.tar.gz", b"release");
    let ws = Workspace::new();
    std::os::unix::fs::symlink(&target, ws.path().join("linked.tar.gz")).expect("symlink");
    let run = attest(&ws, "*.tar.gz");
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(subject_names(&run), ["linked.tar.gz"]);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_a_walk_is_reported_and_skipped() {
    let ws = Workspace::new();
    ws.write("tree/a.bin", b"a");
    std::fs::create_dir_all(ws.path().join("tree/sub")).expect("mkdir");
    // Inside the root, back to an ancestor: following it would never end.
    std::os::unix::fs::symlink("..", ws.path().join("tree/sub/up")).expect("symlink");
    let run = attest(&ws, "tree/**/*.bin");
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(subject_names(&run), ["a.bin"]);
    let w = warnings(&run);
    assert!(
        w.iter()
            .any(|m| m.contains("skipped tree/sub/up: a symlink loop")),
        "{w:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_broken_link_is_skipped_in_a_walk_and_fatal_when_named() {
    let ws = Workspace::new();
    ws.write("dist/a.whl", b"a");
    std::os::unix::fs::symlink("gone.whl", ws.path().join("dist/broken.whl")).expect("symlink");
    let run = attest(&ws, "dist/*.whl");
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(subject_names(&run), ["a.whl"]);
    assert!(
        warnings(&run)
            .iter()
            .any(|m| m.contains("skipped dist/broken.whl: a broken symlink")),
        "{}",
        run.stdout()
    );
    let ws = Workspace::new();
    std::os::unix::fs::symlink("gone.whl", ws.path().join("broken.whl")).expect("symlink");
    assert_clean_failure(
        &ws,
        &attest(&ws, "broken.whl"),
        "couldn't read subject \"broken.whl\": a broken symlink",
    );
}

#[test]
fn names_that_leave_the_directory_are_refused_from_every_source() {
    // subject-checksums: the line number, for each bad form.
    let hex = "a".repeat(64);
    for (name, why) in [
        ("../../../../etc/passwd", "has a `..` segment"),
        ("/etc/shadow", "is an absolute path"),
        ("dist/../../x", "has a `..` segment"),
        ("C:\\Windows\\x.exe", "is an absolute path"),
    ] {
        let ws = Workspace::new();
        ws.write(
            "sums.txt",
            format!("{hex}  ok.bin\n{hex}  {name}\n").as_bytes(),
        );
        let mut env = github_env();
        env.push(("INPUT_SUBJECT_CHECKSUMS", "sums.txt".into()));
        let run = ws.run(&["action"], &env);
        assert_clean_failure(&ws, &run, "\"sums.txt\" line 2: invalid subject name");
        assert!(run.stdout().contains(why), "{name}: {}", run.stdout());
        assert!(
            run.stdout().contains("file=sums.txt,line=2"),
            "{}",
            run.stdout()
        );
        // The same lines given inline.
        let ws = Workspace::new();
        let mut env = github_env();
        env.push(("INPUT_SUBJECT_CHECKSUMS", format!("{hex}  {name}\n")));
        assert_clean_failure(&ws, &ws.run(&["action"], &env), why);
        // subject-name.
        let ws = Workspace::new();
        let mut env = github_env();
        env.push(("INPUT_SUBJECT_DIGEST", format!("sha256:{hex}")));
        env.push(("INPUT_SUBJECT_NAME", name.to_owned()));
        assert_clean_failure(&ws, &ws.run(&["action"], &env), why);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_is_refused_not_converted() {
    use std::os::unix::ffi::OsStrExt;
    let ws = Workspace::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9-1.0.tar.gz");
    std::fs::create_dir_all(ws.path().join("dist")).expect("mkdir");
    std::fs::write(ws.path().join("dist").join(name), b"x").expect("write");
    assert_clean_failure(&ws, &attest(&ws, "dist/*.tar.gz"), "it is not valid UTF-8");
}

#[test]
fn invalid_digest_and_bad_checksum_line() {
    let ws = Workspace::new();
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_DIGEST", format!("sha256:{}", "x".repeat(64))));
    env.push(("INPUT_SUBJECT_NAME", "image".into()));
    assert_clean_failure(&ws, &ws.run(&["action"], &env), "invalid digest");

    ws.write(
        "sums.txt",
        format!("{}  ok.bin\nthis is not a checksum\n", "a".repeat(64)).as_bytes(),
    );
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_CHECKSUMS", "sums.txt".into()));
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 1);
    assert!(
        // The annotation points at the file and line.
        run.stdout().contains(
            "::error title=attest-kit,file=sums.txt,line=2::subject-checksums \"sums.txt\" line 2: digest has 4 characters"
        ),
        "{}",
        run.stdout()
    );
    assert!(!ws.exists("attestations"));
}

#[test]
fn an_unwritable_output_dir_leaves_nothing_behind() {
    let ws = Workspace::new();
    ws.write("a.bin", b"a");
    ws.write("out", b"a file where the output directory should be");
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_PATH", "a.bin".into()));
    env.push(("INPUT_OUTPUT_DIR", "out/attestations".into()));
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert!(
        run.stdout()
            .contains("::error title=attest-kit::couldn't write"),
        "{}",
        run.stdout()
    );
    assert_eq!(ws.files(), ["a.bin", "out"]);
}

#[test]
fn a_failure_midway_keeps_earlier_outputs_intact() {
    // provenance.statement.json can be written but SHA256SUMS cannot (a directory is in the
    // way): no file may be replaced or left half-written.
    let ws = Workspace::new();
    ws.write("a.bin", b"a");
    ws.write("attestations/provenance.statement.json", b"previous");
    std::fs::create_dir_all(ws.path().join("attestations/SHA256SUMS")).expect("mkdir");
    let mut env = github_env();
    env.push(("INPUT_SUBJECT_PATH", "a.bin".into()));
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(
        ws.read("attestations/provenance.statement.json"),
        "previous"
    );
    assert!(
        ws.files().iter().all(|f| !f.contains(".attest-kit-")),
        "{:?}",
        ws.files()
    );
}
