//! Turns reports into what people and the runner read: step outputs, the job summary,
//! terminal text and JSON. Pure functions of the report.

pub mod audit;
pub mod json;
pub mod outputs;
pub mod release;
pub mod summary;
pub mod text;

/// Terminal-safe text: control characters and bidirectional overrides escaped (`\n`,
/// `\u{1b}`, `\u{202e}`), so an untrusted name cannot move the cursor, recolour or reorder
/// the report; everything else, quotes included, is left as written.
pub trait Printable {
    fn printable(&self) -> String;
}

impl Printable for str {
    fn printable(&self) -> String {
        let mut out = String::with_capacity(self.len());
        for c in self.chars() {
            let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi || c == '\\' {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// `1.5 MiB`-style sizes.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `sha256:0123456789ab…`: enough to recognise, short enough for a table.
pub fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) if hex.len() > 12 => format!("{alg}:{}…", &hex[..12]),
        _ => digest.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}

#[cfg(test)]
mod printable_tests {
    use super::Printable as _;

    #[test]
    fn only_controls_bidi_and_backslashes_are_escaped() {
        assert_eq!("couldn't \"x\" é".printable(), "couldn't \"x\" é");
        assert_eq!("a\nb\u{1b}[31m".printable(), "a\\nb\\u{1b}[31m");
        assert_eq!("x\u{202e}y\\".printable(), "x\\u{202e}y\\\\");
    }
}
