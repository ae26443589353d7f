//! Python core metadata: METADATA / PKG-INFO headers, an egg-info `requires.txt` and
//! `pyproject.toml`'s `[project]`, then every `Requires-Dist` as a PEP 508 requirement.
#![no_main]

use attest_kit::sbom::metadata;
use attest_kit::sbom::pep508::Requirement;
use libfuzzer_sys::fuzz_target;

fn exercise(m: &mut metadata::CoreMetadata) {
    for r in &m.requires_dist {
        if let Ok(req) = Requirement::parse(r) {
            assert_eq!(metadata::normalize(&req.name), req.name, "{r:?}");
        }
    }
    let _ = m.supplier();
    let _ = m.is_unreliable("license");
    let other = m.clone();
    m.fill_from(other);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(mut m) = metadata::parse(data) {
        exercise(&mut m);
    }
    for r in metadata::from_requires_txt(data) {
        let _ = Requirement::parse(&r);
    }
    if let Ok(mut m) = metadata::from_pyproject(data) {
        exercise(&mut m);
    }
});
