//! Workflow commands (`::error::`, `::add-mask::`, ...) and the console that prints them.
//!
//! In Actions every line on stdout is parsed for commands, so any untrusted text is escaped
//! the way actions/toolkit does it: a value can never end the line it sits on and start a
//! command of its own. Outside Actions the same calls print plain human output.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;

/// Escapes a command's message (the part after the final `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value (`file=`, `title=`, ...), which also ends at `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Where an annotation points in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Option<String>,
    pub line: Option<u64>,
    pub title: Option<String>,
}

/// Renders one workflow command line, without the trailing newline.
pub fn command(name: &str, location: &Location, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(title) = &location.title {
        props.push(format!("title={}", escape_property(title)));
    }
    if let Some(file) = &location.file {
        props.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = location.line {
        props.push(format!("line={line}"));
    }
    let mut out = format!("::{name}");
    if !props.is_empty() {
        let _ = write!(out, " {}", props.join(","));
    }
    let _ = write!(out, "::{}", escape_data(message));
    out
}

/// Whether output goes to a GitHub Actions runner or to a person at a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Actions,
    Local,
}

/// The single place that prints progress, annotations and errors.
///
/// Writers are injected so tests can capture exactly what the runner would see.
pub struct Console {
    mode: Mode,
    debug: bool,
    out: Mutex<Box<dyn Write + Send>>,
    err: Mutex<Box<dyn Write + Send>>,
}

impl Console {
    pub fn new(
        mode: Mode,
        debug: bool,
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
    ) -> Self {
        Self {
            mode,
            debug,
            out: Mutex::new(out),
            err: Mutex::new(err),
        }
    }

    /// A console on the process's stdout and stderr; Actions mode when `GITHUB_ACTIONS=true`.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>, verbose: bool) -> Self {
        let mode = if env("GITHUB_ACTIONS").as_deref() == Some("true") {
            Mode::Actions
        } else {
            Mode::Local
        };
        let debug = verbose || env("RUNNER_DEBUG").as_deref() == Some("1");
        Self::new(
            mode,
            debug,
            Box::new(std::io::stdout()),
            Box::new(std::io::stderr()),
        )
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    fn line_out(&self, line: &str) {
        if let Ok(mut w) = self.out.lock() {
            let _ = writeln!(w, "{line}");
            let _ = w.flush();
        }
    }

    fn line_err(&self, line: &str) {
        if let Ok(mut w) = self.err.lock() {
            let _ = writeln!(w, "{line}");
            let _ = w.flush();
        }
    }

    /// A plain progress line. In Actions, line breaks in it are escaped so that no part of
    /// the text can start a workflow command.
    pub fn info(&self, message: &str) {
        match self.mode {
            Mode::Actions => self.line_out(&escape_data(message)),
            Mode::Local => self.line_err(message),
        }
    }

    /// The command's result for a person (tables, JSON): stdout in both modes.
    pub fn result(&self, text: &str) {
        let text = match self.mode {
            Mode::Actions => text
                .lines()
                .map(|l| {
                    if l.trim_start().starts_with("::") {
                        escape_data(l).replacen("::", "%3A%3A", 1)
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Mode::Local => text.trim_end_matches('\n').to_owned(),
        };
        self.line_out(&text);
    }

    pub fn debug(&self, message: &str) {
        if !self.debug {
            return;
        }
        match self.mode {
            Mode::Actions => self.line_out(&command("debug", &Location::default(), message)),
            Mode::Local => self.line_err(&format!("debug: {message}")),
        }
    }

    pub fn notice(&self, location: &Location, message: &str) {
        self.annotate("notice", "note", location, message);
    }

    pub fn warning(&self, location: &Location, message: &str) {
        self.annotate("warning", "warning", location, message);
    }

    pub fn error(&self, location: &Location, message: &str) {
        self.annotate("error", "error", location, message);
    }

    fn annotate(&self, name: &str, label: &str, location: &Location, message: &str) {
        match self.mode {
            Mode::Actions => self.line_out(&command(name, location, message)),
            Mode::Local => {
                let place = match (&location.file, location.line) {
                    (Some(f), Some(l)) => format!("{f}:{l}: "),
                    (Some(f), None) => format!("{f}: "),
                    _ => String::new(),
                };
                self.line_err(&format!("{label}: {place}{message}"));
            }
        }
    }

    /// Tells the runner to redact `secret` from all later logs. Call before anything could
    /// print it.
    pub fn add_mask(&self, secret: &str) {
        if self.mode == Mode::Actions && !secret.is_empty() {
            self.line_out(&command("add-mask", &Location::default(), secret));
        }
    }

    pub fn group<T>(&self, title: &str, body: impl FnOnce() -> T) -> T {
        match self.mode {
            Mode::Actions => self.line_out(&command("group", &Location::default(), title)),
            Mode::Local => self.debug(title),
        }
        let result = body();
        if self.mode == Mode::Actions {
            self.line_out("::endgroup::");
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escaping_matches_the_toolkit() {
        for (input, want) in [
            ("plain", "plain"),
            ("100%", "100%25"),
            ("a\nb", "a%0Ab"),
            ("a\r\nb", "a%0D%0Ab"),
            ("%0A", "%250A"),
            ("x::set-output name=y::z", "x::set-output name=y::z"),
        ] {
            assert_eq!(escape_data(input), want, "{input:?}");
        }
    }

    #[test]
    fn property_escaping_also_covers_separators() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn commands_keep_hostile_text_on_one_line() {
        let loc = Location {
            file: Some("dist/evil,\nname::x.whl".into()),
            line: Some(3),
            title: None,
        };
        let line = command("error", &loc, "bad\n::error::injected");
        assert_eq!(
            line,
            "::error file=dist/evil%2C%0Aname%3A%3Ax.whl,line=3::bad%0A::error::injected"
        );
        assert!(!line.contains('\n'));
    }

    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Buf {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().map(|v| v.clone()).unwrap_or_default())
                .unwrap_or_default()
        }
    }

    #[test]
    fn actions_mode_escapes_info_and_result_lines() {
        let (out, err) = (Buf::default(), Buf::default());
        let c = Console::new(
            Mode::Actions,
            false,
            Box::new(out.clone()),
            Box::new(err.clone()),
        );
        c.info("hashing a\n::add-mask::x");
        c.result("row\n  ::warning::sneaky");
        c.debug("hidden without RUNNER_DEBUG");
        c.add_mask("s3cret\nline");
        assert_eq!(
            out.text(),
            "hashing a%0A::add-mask::x\nrow\n  %3A%3Awarning::sneaky\n::add-mask::s3cret%0Aline\n"
        );
        assert_eq!(err.text(), "");
    }

    #[test]
    fn local_mode_prints_plain_text_to_stderr() {
        let (out, err) = (Buf::default(), Buf::default());
        let c = Console::new(
            Mode::Local,
            true,
            Box::new(out.clone()),
            Box::new(err.clone()),
        );
        c.error(
            &Location {
                file: Some("a.txt".into()),
                line: Some(2),
                title: None,
            },
            "bad line",
        );
        c.debug("details");
        c.add_mask("never printed locally");
        assert_eq!(err.text(), "error: a.txt:2: bad line\ndebug: details\n");
        assert_eq!(out.text(), "");
    }
}
