//! PEP 508 requirements and markers, and PEP 440 versions as the SBOM resolver orders them.
//! Input: a requirement on the first line, then versions one per line. Names come out
//! normalised; markers evaluate (or not) without panicking; version order is a total order.
#![no_main]

use std::cmp::Ordering;

use attest_kit::sbom::metadata::normalize;
use attest_kit::sbom::pep508::{Marker, MarkerEnv, Requirement, Version, version_matches};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or_default();
    let env = MarkerEnv::platform("linux", "x86_64", Some("3.12.1"));
    if let Ok(r) = Requirement::parse(first) {
        assert_eq!(normalize(&r.name), r.name, "{first:?}");
        let _ = r.applies(&env, &[]);
        let _ = r.applies(&env, &r.extras);
    }
    if let Ok(m) = Marker::parse(first) {
        let _ = m.evaluate(&env, &["test".to_owned()]);
    }
    let versions: Vec<Version> = lines.filter_map(Version::parse).take(8).collect();
    for a in &versions {
        assert_eq!(a.cmp(a), Ordering::Equal);
        for b in &versions {
            assert_eq!(a.cmp(b), b.cmp(a).reverse());
            assert_eq!(a == b, a.cmp(b) == Ordering::Equal);
            for c in &versions {
                if a <= b && b <= c {
                    assert!(a <= c, "{a:?} <= {b:?} <= {c:?}");
                }
            }
        }
        for op in ["==", "!=", "<", "<=", ">", ">=", "~=", "==="] {
            let _ = version_matches(a, op, first);
        }
    }
});
