//! `sha256sum`/`sha512sum` lines (GNU, binary `*`, BSD tags, `\`-escaped names) as
//! subjects. What parses writes back with `format_line` and reads back the same.
#![no_main]

use attest_kit::subject::checksums;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(subjects) = checksums::parse(text) else {
        return;
    };
    for s in &subjects {
        assert_eq!(s.digests.len(), 1);
        for hex in s.digests.values() {
            let line = checksums::format_line(hex, &s.name);
            let back = checksums::parse(&line)
                .unwrap_or_else(|e| panic!("{line:?} was written but does not read back: {e}"));
            assert_eq!(back.len(), 1, "{line:?}");
            assert_eq!(back[0].name, s.name, "{line:?}");
            assert_eq!(back[0].digests, s.digests, "{line:?}");
        }
    }
});
