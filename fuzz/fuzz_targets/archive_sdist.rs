//! sdist (gzip tarball) reading for SBOMs: `sbom::archive::read` on the input as a
//! `.tar.gz`, with the default limits. A hostile tarball is refused with a reason, never a
//! panic; what is read lists each member once, in order, inside the root.
#![no_main]

use attest_kit::sbom::archive::{self, Kind, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = attest_kit_fuzz::scratch_file("fuzz-1.0.tar.gz", data);
    if let Ok(c) = archive::read(&path, Kind::Sdist, Limits::default()) {
        assert!(c.members.windows(2).all(|w| w[0].path < w[1].path));
        assert!(c.members.iter().all(|m| !m.path.is_empty()
            && !m.path.starts_with('/')
            && !m.path.split('/').any(|p| p == "..")));
        if let Some(m) = &c.metadata {
            let _ = attest_kit::sbom::metadata::parse(m);
        }
    }
});
