//! Version ordering for `audit` (PEP 440 for PyPI, SemVer for crates.io and npm): the first
//! byte picks the ecosystem, then one version per line. The order is a total order.
#![no_main]

use std::cmp::Ordering;

use attest_kit::audit::version::{Ecosystem, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let eco = match first % 3 {
        0 => Ecosystem::PyPI,
        1 => Ecosystem::CratesIo,
        _ => Ecosystem::Npm,
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let versions: Vec<Version> = text
        .split('\n')
        .filter_map(|s| Version::parse(eco, s))
        .take(8)
        .collect();
    for a in &versions {
        assert_eq!(a.cmp_same(a), Some(Ordering::Equal), "{a:?}");
        for b in &versions {
            let ab = a.cmp_same(b).expect("one ecosystem compares");
            let ba = b.cmp_same(a).expect("one ecosystem compares");
            assert_eq!(ab, ba.reverse(), "{a:?} {b:?}");
            for c in &versions {
                let bc = b.cmp_same(c).expect("one ecosystem compares");
                let ac = a.cmp_same(c).expect("one ecosystem compares");
                if ab.is_le() && bc.is_le() {
                    assert!(ac.is_le(), "{a:?} <= {b:?} <= {c:?}");
                }
            }
        }
    }
    for s in text.split('\n').take(8) {
        let _ = eco.normalize_name(s);
    }
});
