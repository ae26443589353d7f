//! Cargo.lock with the Cargo.toml beside it (input: the lock, a line `%%% Cargo.toml`, the
//! manifest) read by `sbom::sources::cargo_lock`, then resolved from the root package.
#![no_main]

use attest_kit::sbom::sources::{self, cargo_lock};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (lock, manifest) = attest_kit_fuzz::split_at_line(data, b"%%% Cargo.toml");
    attest_kit_fuzz::scratch_file("Cargo.toml", manifest);
    let path = attest_kit_fuzz::scratch_file("Cargo.lock", lock);
    let Ok((root, direct, universe)) = cargo_lock(&path) else {
        return;
    };
    let resolved = sources::resolve(&root, &sources::Deps::Keys(direct), universe);
    attest_kit_fuzz::check_edges(&root.key, &resolved);
});
