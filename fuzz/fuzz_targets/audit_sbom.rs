//! SPDX 2.x and CycloneDX JSON as `audit` and `sbom-diff` read them
//! (`audit::sbom::parse`): what reads is SPDX 2.x or CycloneDX 1.x, as its format says.
#![no_main]

use attest_kit::audit::sbom;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = sbom::parse("fuzz.json", data) {
        assert!(
            s.format.starts_with("SPDX-2.") || s.format.starts_with("CycloneDX-"),
            "{:?}",
            s.format
        );
    }
});
