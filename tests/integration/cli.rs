//! The command line: help, usage errors, exit codes, local runs.

use crate::common::Workspace;

#[test]
fn help_documents_every_flag() {
    let ws = Workspace::new();
    let run = ws.run(&["attest", "--help"], &[]);
    assert_eq!(run.code(), 0);
    let help = run.stdout();
    for flag in [
        "--subject-path",
        "--subject-digest",
        "--subject-name",
        "--subject-checksums",
        "--digest-algorithms",
        "--legacy-provenance",
        "--allow-local",
        "--output-dir",
        "--format",
    ] {
        assert!(help.contains(flag), "{flag} missing from help:\n{help}");
    }
    let top = ws.run(&["--help"], &[]).stdout();
    assert!(
        top.contains("attest") && top.contains("provenance"),
        "{top}"
    );
    assert!(
        !top.contains("  action"),
        "the action entry point is hidden:\n{top}"
    );
}

#[test]
fn version_and_usage_errors() {
    let ws = Workspace::new();
    let v = ws.run(&["--version"], &[]);
    assert_eq!(v.code(), 0);
    assert_eq!(
        v.stdout().trim(),
        format!("attest-kit {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(ws.run(&["attest", "--no-such-flag"], &[]).code(), 2);
    assert_eq!(ws.run(&["frobnicate"], &[]).code(), 2);
    assert_eq!(ws.run(&[], &[]).code(), 2);
    assert_eq!(ws.run(&["attest", "--format", "xml", "x"], &[]).code(), 2);
}

#[test]
fn outside_actions_missing_variables_are_listed_and_nothing_is_written() {
    let ws = Workspace::new();
    ws.write("dist/a.whl", b"a");
    let run = ws.run(&["attest", "dist/a.whl"], &[]);
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    assert!(
        err.starts_with(
            "error: missing GitHub Actions variables: GITHUB_SERVER_URL, GITHUB_REPOSITORY,"
        ),
        "{err}"
    );
    assert!(err.contains("--allow-local"), "{err}");
    assert_eq!(ws.files(), ["dist/a.whl"]);
}

#[test]
fn local_run_with_allow_local_records_a_local_build() {
    let ws = Workspace::new();
    ws.write("dist/a.whl", b"a");
    let run = ws.run(
        &["attest", "dist/a.whl", "--allow-local", "--format", "json"],
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout()).expect("json output");
    assert_eq!(doc["subjects"][0]["name"], "a.whl");
    assert_eq!(
        doc["subjects"][0]["digest"]["sha256"],
        "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    );
    let statement: serde_json::Value =
        serde_json::from_str(&ws.read("attestations/provenance.statement.json"))
            .expect("statement");
    let predicate = &statement["predicate"];
    assert_eq!(
        predicate["buildDefinition"]["buildType"],
        "https://github.com/attest-kit/attest-kit/buildtypes/local/v1"
    );
    assert_eq!(
        predicate["runDetails"]["builder"]["id"],
        "https://github.com/attest-kit/attest-kit/builders/local"
    );
    // Not a git checkout: nothing is claimed about the source.
    assert_eq!(
        predicate["buildDefinition"]["resolvedDependencies"],
        serde_json::json!([])
    );
}

#[test]
fn the_readme_sample_runs_on_the_embedded_fixtures() {
    let ws = Workspace::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/subjects");
    let pattern = format!("{}/*", fixtures.display());
    let run = ws.run(&["attest", &pattern, "--allow-local"], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let text = run.stderr() + &run.stdout();
    assert!(text.contains("2 subjects attested"), "{text}");
    assert!(text.contains("pulse_sdk-1.0.0-py3-none-any.whl"), "{text}");
}
