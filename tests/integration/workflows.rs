//! The repository's own workflows: every third-party action pinned by a full commit SHA.

use std::path::Path;

/// `uses:` values in a workflow or action file, with their line numbers.
fn uses_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let t = line.trim_start().trim_start_matches("- ").trim_start();
            let v = t.strip_prefix("uses:")?;
            let v = v
                .split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\'']);
            Some((i + 1, v.to_owned()))
        })
        .collect()
}

fn pinned(reference: &str) -> bool {
    if reference.starts_with("./") || reference == "." || reference.starts_with("docker://") {
        return reference.starts_with("./") || reference == ".";
    }
    match reference.rsplit_once('@') {
        Some((_, sha)) => {
            sha.len() == 40
                && sha
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        }
        None => false,
    }
}

#[test]
fn every_action_is_pinned_by_a_full_commit_sha() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("action.yml")];
    for entry in std::fs::read_dir(root.join(".github/workflows")).expect("workflows") {
        files.push(entry.expect("entry").path());
    }
    let mut checked = 0;
    let mut unpinned = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        for (line, reference) in uses_lines(&text) {
            checked += 1;
            if !pinned(&reference) {
                unpinned.push(format!("{}:{line}: {reference}", file.display()));
            }
        }
    }
    assert!(
        checked >= 5,
        "found only {checked} uses: lines; is the parser right?"
    );
    assert!(
        unpinned.is_empty(),
        "not pinned by commit SHA:\n{}",
        unpinned.join("\n")
    );
}

#[test]
fn the_pin_rule_rejects_tags_branches_and_short_shas() {
    assert!(pinned(
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
    ));
    assert!(pinned("./"));
    for bad in [
        "actions/checkout@v4",
        "actions/checkout@main",
        "actions/checkout@11bd719",
        "actions/checkout",
        "docker://alpine:3",
        "actions/checkout@11BD71901BBE5B1630CEEA73D27597364C9AF683",
    ] {
        assert!(!pinned(bad), "{bad}");
    }
    assert_eq!(
        uses_lines("steps:\n  - uses: a/b@v1 # comment\n    with: {}\n      uses: \"c/d@x\"\n"),
        vec![(2, "a/b@v1".to_owned()), (4, "c/d@x".to_owned())]
    );
}
