//! SPDX 2.x and CycloneDX JSON as `audit` and `sbom-diff` read them
//! (`audit::sbom::parse`); every component read has a name.
#![no_main]

use attest_kit::audit::sbom;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = sbom::parse("fuzz.json", data) {
        assert!(!s.format.is_empty());
    }
});
