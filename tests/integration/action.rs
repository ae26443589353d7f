//! Action mode: INPUT_* variables in, step outputs and the job summary out.

use crate::common::{Workspace, github_env, workflow_commands};

fn action_env(inputs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut env = github_env();
    env.extend(inputs.iter().map(|(k, v)| (*k, v.to_string())));
    env
}

#[test]
fn outputs_and_summary() {
    let ws = Workspace::new();
    ws.write("dist/pulse_sdk-1.0.0-py3-none-any.whl", b"wheel");
    ws.write("dist/pulse-sdk-1.0.0.tar.gz", b"sdist");
    // The composite action passes every input, empty when the user gave none.
    let run = ws.run(
        &["action"],
        &action_env(&[
            ("INPUT_COMMAND", "attest"),
            ("INPUT_SUBJECT_PATH", "dist/*.whl\ndist/*.tar.gz"),
            ("INPUT_SUBJECT_DIGEST", ""),
            ("INPUT_SUBJECT_NAME", ""),
            ("INPUT_SUBJECT_CHECKSUMS", ""),
            ("INPUT_DIGEST_ALGORITHMS", "sha256"),
            ("INPUT_OUTPUT_DIR", "attestations"),
            ("INPUT_LEGACY_PROVENANCE", "true"),
        ]),
    );
    assert_eq!(run.code(), 0, "{}", run.stdout());
    insta::assert_json_snapshot!("action_outputs", run.outputs);
    insta::assert_snapshot!("action_summary", run.summary);
    assert!(
        workflow_commands(&run.stdout())
            .iter()
            .all(|(c, _)| c == "group" || c == "endgroup")
    );
}

#[test]
fn bad_inputs_fail_with_an_annotation() {
    let ws = Workspace::new();
    for (inputs, want) in [
        (
            vec![
                ("INPUT_SUBJECT_PATH", "x"),
                ("INPUT_LEGACY_PROVENANCE", "yes"),
            ],
            "invalid legacy-provenance: \"yes\" is not a boolean",
        ),
        (
            vec![
                ("INPUT_COMMAND", "sign"),
                ("INPUT_SUBJECT_PATH", "x"),
                ("INPUT_SIGSTORE_INSTANCE", "rekor.example"),
            ],
            "invalid sigstore-instance: \"rekor.example\" is not a Sigstore instance",
        ),
        (
            vec![("INPUT_COMMAND", "deploy")],
            "unknown command \"deploy\"",
        ),
        (vec![], "no subjects: give subject-path"),
        (
            vec![("INPUT_SUBJECT_DIGEST", "sha256:123")],
            "subject-name is required",
        ),
        (
            vec![
                ("INPUT_SUBJECT_DIGEST", "sha256:123"),
                ("INPUT_SUBJECT_NAME", "x"),
            ],
            "invalid digest \"sha256:123\"",
        ),
    ] {
        let run = ws.run(&["action"], &action_env(&inputs));
        assert_eq!(run.code(), 1, "{inputs:?}");
        let errors: Vec<_> = workflow_commands(&run.stdout())
            .into_iter()
            .filter(|(c, _)| c == "error")
            .collect();
        assert_eq!(errors.len(), 1, "{inputs:?}: {}", run.stdout());
        assert!(errors[0].1.contains(want), "{inputs:?}: {:?}", errors[0].1);
        assert!(
            run.stdout().contains("::error title=attest-kit::"),
            "{}",
            run.stdout()
        );
        assert!(run.outputs.is_empty() && run.summary.is_empty());
    }
    assert!(!ws.exists("attestations"));
}

#[test]
fn runner_debug_turns_on_debug_lines() {
    let ws = Workspace::new();
    ws.write("a.bin", b"a");
    let quiet = ws.run(&["action"], &action_env(&[("INPUT_SUBJECT_PATH", "a.bin")]));
    assert!(!quiet.stdout().contains("::debug::"), "{}", quiet.stdout());
    let loud = ws.run(
        &["action"],
        &action_env(&[("INPUT_SUBJECT_PATH", "a.bin"), ("RUNNER_DEBUG", "1")]),
    );
    assert!(
        loud.stdout().contains("::debug::hashing 1 files"),
        "{}",
        loud.stdout()
    );
}

#[test]
fn a_huge_summary_is_truncated_under_one_mebibyte() {
    let ws = Workspace::new();
    let sums: String = (0..20_000)
        .map(|i| format!("{:064x}  artifact-{i}.bin\n", i + 1))
        .collect();
    ws.write("sums.txt", sums.as_bytes());
    let run = ws.run(
        &["action"],
        &action_env(&[("INPUT_SUBJECT_CHECKSUMS", "sums.txt")]),
    );
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(run.summary.len() <= 1024 * 1024, "{}", run.summary.len());
    assert!(run.summary.contains("Summary truncated"));
    assert!(
        run.summary.contains("#### Files written"),
        "the head of the summary is kept"
    );
    assert_eq!(run.outputs["subject-count"], "20000");
}
