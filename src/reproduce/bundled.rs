//! The statements inside Sigstore bundles given as a reference, read (not verified) with
//! the verify module's bundle parser, which needs the native build.

use serde_json::Value;

/// Every bundle's in-toto statement, or why one cannot serve as a reference.
pub(super) fn statements(source: &str, text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for found in crate::verify::bundles::parse_text(source, text) {
        let bundle = found
            .bundle
            .map_err(|f| format!("{}: {}", found.source, f.reason))?;
        let statement = bundle.statement().ok_or_else(|| {
            format!(
                "{}: the bundle holds no in-toto statement (a message signature names no file)",
                found.source
            )
        })?;
        out.push(statement);
    }
    Ok(out)
}
