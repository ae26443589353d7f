//! The action's `INPUT_*` variables (`action::inputs::read`): one `NAME=value` per line
//! (`INPUT_` is added to names without it, `GITHUB_*` kept as is). Any set of inputs is a
//! job or a configuration error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let vars = text.lines().take(64).filter_map(|l| {
        let (k, v) = l.split_once('=')?;
        let k = if k.starts_with("INPUT_") || k.starts_with("GITHUB_") {
            k.to_owned()
        } else {
            format!("INPUT_{k}")
        };
        Some((k, v.replace("\\n", "\n")))
    });
    let _ = attest_kit::action::inputs::read(vars);
});
