//! The `verify` policy file (YAML): parsed, built into rules with and without a key, and
//! checked against one signed attestation.
#![no_main]

use attest_kit::verify::claims::Claims;
use attest_kit::verify::policy::{IdentitySpec, Policy, PolicyFile, Signed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = PolicyFile::parse(text) else {
        return;
    };
    let claims = Claims::default();
    let signed = Signed {
        identity: Some("https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main"),
        issuer: Some("https://token.actions.githubusercontent.com"),
        claims: &claims,
        predicate_type: Some("https://slsa.dev/provenance/v1"),
    };
    for keyed in [false, true] {
        if let Ok(p) = Policy::build(&IdentitySpec::default(), None, false, Some(&file), keyed) {
            let _ = p.check("dist/app-1.0.tar.gz", &signed);
        }
    }
});
