//! `audit` at scale: an SBOM of 1,000 PyPI components against an OSV export the size of OSV's
//! PyPI export (by default a generated one: 20,000 advisories over 8,000 packages, each with
//! a `versions` list and two ranges; set ATTEST_KIT_BENCH_OSV=<path to a real all.zip> to use
//! OSV's own). The index is built once and timed apart from the scan; the goal is a scan under
//! 1 s. `cargo bench --bench audit` prints the figures; under `cargo test` a small version runs
//! so it stays compiled and correct.

use std::io::Write as _;
use std::time::Instant;

use attest_kit::audit::osv::Database;
use attest_kit::audit::{sbom, scan};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let full = std::env::args().any(|a| a == "--bench");
    let (advisories, packages, components) = if full {
        (20_000, 8_000, 1_000)
    } else {
        (200, 80, 50)
    };
    let dir = tempfile::tempdir()?;
    let export = match std::env::var("ATTEST_KIT_BENCH_OSV") {
        Ok(p) if full => p,
        _ => {
            let path = dir.path().join("all.zip");
            let mut w = zip::ZipWriter::new(std::fs::File::create(&path)?);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for i in 0..advisories {
                let pkg = i % packages;
                let versions: Vec<String> = (0..40)
                    .map(|v| format!("{}.{}.{v}", i % 7, v % 5))
                    .collect();
                let rec = serde_json::json!({
                    "id": format!("BENCH-{i}"),
                    "modified": "2026-01-01T00:00:00Z",
                    "aliases": [format!("CVE-2026-{i:05}")],
                    "summary": "generated for the benchmark",
                    "details": "x".repeat(600),
                    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
                    "affected": [{
                        "package": {"ecosystem": "PyPI", "name": format!("package-{pkg}")},
                        "ranges": [
                            {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": format!("{}.0", i % 7 + 1)}]},
                            {"type": "ECOSYSTEM", "events": [{"introduced": "10.0"}, {"fixed": "10.2.post1"}]}
                        ],
                        "versions": versions,
                    }],
                });
                w.start_file(format!("BENCH-{i}.json"), opts)?;
                w.write_all(rec.to_string().as_bytes())?;
            }
            w.finish()?;
            path.display().to_string()
        }
    };
    let comps: Vec<serde_json::Value> = (0..components)
        .map(|i| {
            let name = format!("package-{}", i * 7 % packages);
            let version = format!("{}.{}.{}", i % 9, i % 4, i % 11);
            serde_json::json!({"type": "library", "name": name, "version": version,
                "purl": format!("pkg:pypi/{name}@{version}")})
        })
        .collect();
    let bom =
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": comps});
    let t = Instant::now();
    let db = Database::load(&export)?;
    let index = t.elapsed();
    let t = Instant::now();
    let parsed = sbom::parse("bench.cdx.json", bom.to_string().as_bytes())?;
    let result = scan(&parsed.components, &db);
    let scan_time = t.elapsed();
    assert_eq!(result.checked, components.min(result.components));
    println!(
        "audit: {} advisories indexed in {:.2?}; {} components scanned in {:.2?} ({} findings){}",
        db.advisories.len(),
        index,
        components,
        scan_time,
        result.findings.len(),
        if full { "" } else { " [smoke run]" }
    );
    Ok(())
}
