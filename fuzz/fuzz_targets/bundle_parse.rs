//! The bundle reader: `bundles::parse_text` (one bundle, a JSON array, GitHub's
//! `{"attestations": [...]}`, JSON lines, PEP 740 attestations) and
//! `ParsedBundle::from_json` directly. Never a panic; every accessor works on what parsed.
#![no_main]

use attest_kit::verify::bundles;
use attest_kit::verify::sigstore::ParsedBundle;
use libfuzzer_sys::fuzz_target;

fn exercise(b: &ParsedBundle) {
    let _ = b.version();
    let _ = b.uses_public_key();
    let _ = b.statement();
    let _ = b.bound();
    let _ = b.detached();
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let found = bundles::parse_text("fuzz.sigstore.json", text);
    assert!(!found.is_empty(), "parse_text always reports something");
    for f in &found {
        if let Ok(b) = &f.bundle {
            exercise(b);
        }
    }
    if let Ok(b) = ParsedBundle::from_json(text) {
        exercise(&b);
    }
});
