//! Markdown that is safe to build from untrusted strings (file names, identities, refs).
//!
//! Untrusted text only ever appears inside a code span or a fenced block: there GitHub
//! renders no HTML, no links, no mentions and no emphasis. What remains to handle is the
//! code span's own delimiter, table cell separators and line breaks.

/// Inline code that shows `s` literally, safe inside a table cell.
pub fn code(s: &str) -> String {
    // Line breaks would end the table row (and a paragraph); show them as visible escapes.
    let s = s.replace('\r', "\\r").replace('\n', "\\n");
    // GFM splits table cells on `|` before parsing code spans, even inside them.
    let s = s.replace('|', "\\|");
    let longest = longest_run(&s, '`');
    let fence = "`".repeat(longest + 1);
    // A space on each side lets the content start or end with a backtick; CommonMark strips
    // exactly one such space when both are present.
    let pad = if s.starts_with('`') || s.ends_with('`') || s.starts_with(' ') {
        " "
    } else {
        ""
    };
    if s.is_empty() {
        return "` `".to_owned();
    }
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A fenced code block whose fence is longer than any backtick run in `content`.
pub fn fenced(lang: &str, content: &str) -> String {
    let fence = "`".repeat(longest_run(content, '`').max(2) + 1);
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!(
        "{fence}{lang}\n{}\n{fence}\n",
        content.trim_end_matches('\n')
    )
}

/// Text of our own that may contain untrusted parts already wrapped by [`code`].
/// Escapes the few characters that could still form HTML.
pub fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// Quotes a string for a POSIX shell command line shown to the user.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,%".contains(c))
    {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_neutralise_markdown_html_and_links() {
        for (input, want) in [
            ("dist/a.whl", "`dist/a.whl`"),
            (
                "<img src=x onerror=alert(1)>",
                "`<img src=x onerror=alert(1)>`",
            ),
            (
                "[click](https://evil.example)",
                "`[click](https://evil.example)`",
            ),
            ("a|b", "`a\\|b`"),
            ("line\nbreak", "`line\\nbreak`"),
            ("tick`s", "``tick`s``"),
            ("`start", "`` `start ``"),
            ("", "` `"),
        ] {
            assert_eq!(code(input), want, "{input:?}");
        }
    }

    #[test]
    fn fences_outgrow_their_content() {
        assert_eq!(fenced("sh", "echo hi"), "```sh\necho hi\n```\n");
        assert_eq!(fenced("sh", "a\n````\nb"), "`````sh\na\n````\nb\n`````\n");
        assert_eq!(fenced("s`h\nx", "y"), "```shx\ny\n```\n");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("dist/a-1.0.tar.gz"), "dist/a-1.0.tar.gz");
        assert_eq!(shell_quote("it's $(x)"), r"'it'\''s $(x)'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn text_escapes_html() {
        assert_eq!(text("a <b> & c"), "a &lt;b&gt; &amp; c");
    }
}
