//! Provenance content: the SLSA v1 statement and the seed's legacy file, exactly.

use crate::common::{Workspace, github_env};

fn json(ws: &Workspace, rel: &str) -> serde_json::Value {
    serde_json::from_str(&ws.read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn release(ws: &Workspace) {
    ws.write("dist/pulse_sdk-1.0.0-py3-none-any.whl", b"wheel");
    ws.write("dist/pulse-sdk-1.0.0.tar.gz", b"sdist");
}

#[test]
fn github_provenance_is_filled_like_actions_attest() {
    let ws = Workspace::new();
    release(&ws);
    let run = ws.run(
        &["provenance", "dist/*.whl", "dist/*.tar.gz"],
        &github_env(),
    );
    assert_eq!(run.code(), 0, "{}", run.stdout());
    insta::assert_snapshot!(
        "slsa_statement",
        ws.read("attestations/provenance.statement.json")
    );
    insta::assert_snapshot!(
        "legacy_provenance",
        ws.read("attestations/build-provenance.json")
    );
    insta::assert_snapshot!("checksums", ws.read("attestations/SHA256SUMS"));
}

#[test]
fn the_legacy_file_has_the_seeds_shape() {
    let ws = Workspace::new();
    release(&ws);
    assert_eq!(ws.run(&["attest", "dist/*"], &github_env()).code(), 0);
    let legacy = json(&ws, "attestations/build-provenance.json");
    assert_eq!(
        legacy["buildType"],
        "https://github.com/octo-org/pulse-py/.github/workflows/publish.yml@refs/tags/v1.0.0"
    );
    assert_eq!(
        legacy["builder"]["id"],
        "https://github.com/actions/runner/github-hosted"
    );
    let source = &legacy["invocation"]["configSource"];
    assert_eq!(
        source["uri"],
        "git+https://github.com/octo-org/pulse-py@0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(
        source["digest"]["sha1"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(source["entryPoint"], ".github/workflows/publish.yml");
    assert_eq!(legacy["metadata"]["buildInvocationId"], "987654321-2");
    // Nothing in this step proved reproducibility, so it is not claimed.
    assert_eq!(legacy["metadata"]["reproducible"], false);
}

#[test]
fn legacy_file_can_be_turned_off() {
    let ws = Workspace::new();
    release(&ws);
    let run = ws.run(
        &["attest", "dist/*", "--legacy-provenance", "false"],
        &github_env(),
    );
    assert_eq!(run.code(), 0);
    assert!(!ws.exists("attestations/build-provenance.json"));
    assert_eq!(run.outputs["legacy-provenance-path"], "");
}

#[test]
fn ghes_server_urls_are_used_throughout() {
    let ws = Workspace::new();
    release(&ws);
    let mut env = github_env();
    env.retain(|(k, _)| *k != "GITHUB_SERVER_URL");
    env.push(("GITHUB_SERVER_URL", "https://ghe.example.com/".into()));
    assert_eq!(ws.run(&["attest", "dist/*"], &env).code(), 0);
    let text = ws.read("attestations/provenance.statement.json");
    assert!(!text.contains("https://github.com"), "{text}");
    let s = json(&ws, "attestations/provenance.statement.json");
    assert_eq!(
        s["predicate"]["runDetails"]["builder"]["id"],
        "https://ghe.example.com/octo-org/pulse-py/.github/workflows/publish.yml@refs/tags/v1.0.0"
    );
}

#[test]
fn output_is_deterministic() {
    let ws = Workspace::new();
    release(&ws);
    assert_eq!(ws.run(&["attest", "dist/*"], &github_env()).code(), 0);
    let first = (
        ws.read("attestations/provenance.statement.json"),
        ws.read("attestations/build-provenance.json"),
    );
    assert_eq!(ws.run(&["attest", "dist/*"], &github_env()).code(), 0);
    let second = (
        ws.read("attestations/provenance.statement.json"),
        ws.read("attestations/build-provenance.json"),
    );
    assert_eq!(first, second);
}

#[test]
fn sha512_on_request_and_digest_and_checksum_subjects() {
    let ws = Workspace::new();
    release(&ws);
    let sums = format!(
        "{}  other/app.tar.gz\n{} *app.zip\n",
        "ab".repeat(32),
        "cd".repeat(64)
    );
    ws.write("sums.txt", sums.as_bytes());
    let run = ws.run(
        &[
            "attest",
            "--subject-path",
            "dist/*.whl",
            "--digest-algorithms",
            "sha256,sha512",
            "--subject-digest",
            &format!("sha256:{}", "EF".repeat(32)),
            "--subject-name",
            "image",
            "--subject-checksums",
            "sums.txt",
        ],
        &github_env(),
    );
    assert_eq!(run.code(), 0, "{}", run.stdout());
    let s = json(&ws, "attestations/provenance.statement.json");
    let subjects = s["subject"].as_array().expect("subjects");
    let names: Vec<_> = subjects
        .iter()
        .map(|s| s["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "pulse_sdk-1.0.0-py3-none-any.whl",
            "image",
            "other/app.tar.gz",
            "app.zip"
        ]
    );
    assert_eq!(
        subjects[0]["digest"]["sha512"].as_str().map(str::len),
        Some(128)
    );
    assert_eq!(subjects[1]["digest"]["sha256"], "ef".repeat(32));
    assert_eq!(
        subjects[3]["digest"],
        serde_json::json!({"sha512": "cd".repeat(64)})
    );
    assert_eq!(run.outputs["subject-count"], "4");
}

#[test]
fn globs_recurse_exclude_and_dedup_in_stable_order() {
    let ws = Workspace::new();
    ws.write("dist/b.whl", b"b");
    ws.write("dist/a.whl", b"a");
    ws.write("dist/sub/deep/c.whl", b"c");
    ws.write("dist/sub/skip.whl", b"s");
    ws.write("dist/notes.txt", b"n");
    let run = ws.run(
        &[
            "attest",
            "--subject-path",
            "dist/**/*.whl\n!dist/sub/skip.whl",
            "--subject-path",
            "dist/a.whl,./dist/b.whl",
        ],
        &github_env(),
    );
    assert_eq!(run.code(), 0, "{}", run.stdout());
    let subjects: serde_json::Value = serde_json::from_str(&run.outputs["subjects"]).expect("json");
    let names: Vec<_> = subjects
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["a.whl", "b.whl", "c.whl"]);
}

#[test]
fn thousands_of_files() {
    let ws = Workspace::new();
    for i in 0..3000 {
        ws.write(
            &format!("many/{:02}/f{i}.bin", i % 50),
            i.to_string().as_bytes(),
        );
    }
    let run = ws.run(&["attest", "many/**"], &github_env());
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.outputs["subject-count"], "3000");
    assert_eq!(ws.read("attestations/SHA256SUMS").lines().count(), 3000);
    // coreutils checks every line independently (and proves the file's format).
    let check = std::process::Command::new("sha256sum")
        .args(["--check", "--quiet", "attestations/SHA256SUMS"])
        .current_dir(ws.path())
        .output()
        .expect("sha256sum");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
