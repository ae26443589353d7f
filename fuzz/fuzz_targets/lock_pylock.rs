//! pylock.toml (PEP 751) read as an SBOM dependency source, then resolved (see
//! `attest_kit_fuzz::python_lockfile`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| attest_kit_fuzz::python_lockfile("pylock.toml", data));
