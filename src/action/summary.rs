//! The job summary (`$GITHUB_STEP_SUMMARY`): Markdown, bounded to GitHub's 1 MiB per step.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// GitHub rejects a step summary larger than 1 MiB.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
#[error("couldn't append the job summary to {path}")]
pub struct SummaryError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Cuts `markdown` to at most `limit` bytes on a line boundary and says so at the end.
pub fn truncate(markdown: &str, limit: usize) -> String {
    if markdown.len() <= limit {
        return markdown.to_owned();
    }
    let note_for = |omitted: usize| {
        format!(
            "\n\n> [!WARNING]\n> Summary truncated: {omitted} bytes left out to stay within \
             GitHub's 1 MiB step summary limit. The step outputs and the files written hold \
             everything.\n"
        )
    };
    // Reserve room for the note at its largest.
    let budget = limit.saturating_sub(note_for(markdown.len()).len());
    let mut cut = budget.min(markdown.len());
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = markdown[..cut].rfind('\n').map_or(0, |i| i + 1);
    let mut kept = markdown[..cut].to_owned();
    // An odd number of fence lines means the cut fell inside a code block: close it.
    let fences = kept
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .count();
    if fences % 2 == 1 {
        kept.push_str("```\n");
    }
    let omitted = markdown.len() - cut;
    kept.push_str(&note_for(omitted));
    kept
}

/// Appends `markdown` (already truncated) to the summary file.
pub fn append(path: &Path, markdown: &str) -> Result<(), SummaryError> {
    let err = |source| SummaryError {
        path: path.to_owned(),
        source,
    };
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(err)?;
    file.write_all(truncate(markdown, SUMMARY_LIMIT).as_bytes())
        .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_summaries_are_untouched() {
        assert_eq!(truncate("# hi\n", 100), "# hi\n");
    }

    #[test]
    fn long_summaries_are_cut_on_a_line_and_stay_under_the_limit() {
        let table: String = (0..5000).map(|i| format!("| `f{i}` | é |\n")).collect();
        let out = truncate(&table, 4096);
        assert!(out.len() <= 4096, "{}", out.len());
        assert!(out.contains("Summary truncated"));
        let body = out.split("\n\n> [!WARNING]").next().unwrap_or_default();
        assert!(
            body.lines()
                .all(|l| l.starts_with("| `f") && l.ends_with(" |"))
        );
    }

    #[test]
    fn a_cut_inside_a_fence_closes_it() {
        let md = format!("```sh\n{}```\n", "echo x\n".repeat(1000));
        let out = truncate(&md, 1000);
        let fences = out.lines().filter(|l| l.starts_with("```")).count();
        assert_eq!(fences % 2, 0);
        assert!(out.len() <= 1000);
    }
}
