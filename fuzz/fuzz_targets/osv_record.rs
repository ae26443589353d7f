//! OSV records as `audit` reads them (one advisory or a list), indexed, then every version
//! the record names checked against every `affected` entry: a version listed in
//! `versions` is always affected; range evaluation never panics.
#![no_main]

use attest_kit::audit::osv::{self, Advisory, Database};
use attest_kit::audit::version::{Ecosystem, Version};
use libfuzzer_sys::fuzz_target;

fn check(adv: &Advisory) {
    let _ = osv::severity(adv);
    for a in &adv.affected {
        let Some(eco) = a
            .package
            .as_ref()
            .and_then(|p| Ecosystem::from_osv(&p.ecosystem))
        else {
            continue;
        };
        let named = a.versions.iter().chain(a.ranges.iter().flat_map(|r| {
            r.events.iter().flat_map(|e| {
                [&e.introduced, &e.fixed, &e.last_affected, &e.limit]
                    .into_iter()
                    .flatten()
            })
        }));
        for raw in named.take(64) {
            let Some(v) = Version::parse(eco, raw) else {
                continue;
            };
            let hit = osv::affects(a, eco, raw, &v);
            if a.versions.contains(raw) {
                assert!(hit.is_some(), "{raw:?} is listed as affected");
            }
            for r in &a.ranges {
                let _ = osv::included(r, eco, &v);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let items = match value {
        serde_json::Value::Array(items) => items,
        v => vec![v],
    };
    let mut db = Database::default();
    for item in items {
        let Ok(adv) = serde_json::from_value::<Advisory>(item) else {
            continue;
        };
        check(&adv);
        db.add(adv);
    }
    for eco in [Ecosystem::PyPI, Ecosystem::CratesIo, Ecosystem::Npm] {
        let _ = db.candidates(eco, "requests");
    }
});
