//! `Trust::verify` on a fixed trust root (the embedded Sigstore public-good one) and a fixed
//! artifact (the conformance suite's `a.txt`), as bytes and as its digest: whatever the
//! bundle holds, verification returns a value and never panics.
#![no_main]

use std::sync::OnceLock;

use attest_kit::subject::{Algorithm, Digest};
use attest_kit::verify::sigstore::{ArtifactData, ParsedBundle, RootChoice, Trust};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest as _, Sha256};

const ARTIFACT: &[u8] = include_bytes!("../../tests/fixtures/sigstore-conformance/a.txt");

fn trust() -> &'static Trust {
    static TRUST: OnceLock<Trust> = OnceLock::new();
    TRUST.get_or_init(|| Trust::new(&RootChoice::Embedded).expect("the embedded trusted root"))
}

fn digest() -> &'static Digest {
    static DIGEST: OnceLock<Digest> = OnceLock::new();
    DIGEST.get_or_init(|| Digest {
        algorithm: Algorithm::Sha256,
        hex: hex::encode(Sha256::digest(ARTIFACT)),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(bundle) = ParsedBundle::from_json(text) else {
        return;
    };
    let _ = trust().verify(&bundle, ArtifactData::Bytes(ARTIFACT), None);
    let _ = trust().verify(&bundle, ArtifactData::Digest(digest()), None);
});
