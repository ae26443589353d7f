//! `audit` and `sbom-diff` against the vendored OSV export (tests/fixtures/osv) and SBOMs made
//! by other generators (tests/fixtures/audit/sboms). Expected findings are reasoned from the
//! OSV schema's evaluation rules (see tests/fixtures/osv/README.md), not from our code.
//! Peers: `packaging` (PEP 440 order and ranges, via tests/audit/osv_peer.py) and
//! check-jsonschema with the SARIF 2.1.0 and OSV schemas. No network.

#[allow(dead_code, unreachable_pub)]
#[path = "integration/common.rs"]
mod common;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::Workspace;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> String {
    repo()
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

fn zip_db() -> String {
    fixture("osv/all.zip")
}

fn findings(report: &Value) -> BTreeSet<(String, String, String)> {
    report["scan"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["component"].as_str().unwrap_or_default().to_owned(),
                f["version"].as_str().unwrap_or_default().to_owned(),
                f["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn audit_json(ws: &Workspace, args: &[&str]) -> (common::Run, Value) {
    let mut all = vec!["audit", "--format", "json", "--output-dir", "out"];
    all.extend_from_slice(args);
    let run = ws.run(&all, &[]);
    let v: Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("json: {e}\n{}\n{}", run.stdout(), run.stderr()));
    (run, v)
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// Each edge case's expected answer, from the OSV rules: sorted events, `introduced <= v`
/// affects, `fixed <= v` or `last_affected < v` clears, `limit` bounds above; PEP 440 order
/// (pre-releases before the release, epochs first, local versions after the public one).
#[test]
fn edge_cases_match_the_osv_rules() {
    let ws = Workspace::new();
    let sbom = fixture("audit/sboms/edge-cases.cdx.json");
    let (run, report) = audit_json(&ws, &[&sbom, "--osv-database", &zip_db()]);
    assert_eq!(
        run.code(),
        1,
        "findings at or above low fail: {}",
        run.stderr()
    );
    let expected = set(&[
        // 0.4 < fixed 0.5 (introduced "0")
        ("osv-edge", "0.4", "TEST-EPOCH-1"),
        // 2.0.0rc1 sorts before 2.0.0, so it is below `fixed`
        ("osv-edge", "2.0.0rc1", "TEST-PRE-1"),
        // last_affected is inclusive
        ("osv-edge", "3.2", "TEST-LAST-1"),
        // two ranges in one events list
        ("osv-edge", "4.1", "TEST-MULTI-1"),
        ("osv-edge", "5.1", "TEST-MULTI-1"),
        // 6.0+local >= introduced 6.0 and < fixed 6.1
        ("osv-edge", "6.0+local", "TEST-LOCAL-1"),
        // below limit 7.5
        ("osv-edge", "7.4", "TEST-LIMIT-1"),
        // real records; GHSA and PYSEC share CVE-2018-18074: one finding
        ("requests", "2.19.1", "GHSA-x84v-xcm2-53pg"),
        ("urllib3", "1.23", "PYSEC-2019-132"),
        ("Jinja2", "2.10", "PYSEC-2019-217"),
        // SemVer: a pre-release of the fixed version is affected; two ranges
        ("smallvec", "1.6.1-alpha.1", "TEST-CRATE-1"),
        ("smallvec", "0.6.10", "TEST-CRATE-1"),
        // scoped npm package, percent-encoded scope; second range on pre-releases
        ("@babel/traverse", "7.23.0", "TEST-NPM-1"),
        ("@babel/traverse", "8.0.0-alpha.2", "TEST-NPM-1"),
        // `versions` list only
        ("left-pad", "1.1.1", "TEST-NPM-2"),
    ]);
    // Not affected, for the record: 0.9, 1!0.1 (epoch 1 is above every epoch-0 range),
    // 1.0a1 (below introduced 1.0), 2.0.0, 3.2.post1, 4.5, 6.1+local, 7.6, smallvec 0.7.0,
    // @babel/traverse 8.0.0-alpha.4, left-pad 1.2.0; TEST-WITHDRAWN-1 matches everything but is
    // withdrawn.
    assert_eq!(findings(&report), expected);
    let requests = report["scan"]["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["component"] == "requests"))
        .expect("requests finding");
    assert_eq!(
        requests["aliases"],
        serde_json::json!(["CVE-2018-18074", "PYSEC-2018-28"])
    );
    assert_eq!(requests["severity"], "high");
    assert_eq!(requests["cvss_score"], 7.5);
    assert_eq!(requests["fixed_versions"], serde_json::json!(["2.20.0"]));
    assert_eq!(report["inputs"]["withdrawn_skipped"], 1);
    let skipped: Vec<&str> = report["scan"]["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter_map(|s| s["reason"].as_str())
        .collect();
    assert!(
        skipped.iter().any(|r| r.contains("bad percent-escape")),
        "{skipped:?}"
    );
    assert!(
        run.stderr().contains("bad percent-escape"),
        "a bad PURL is a warning"
    );
    assert_eq!(run.outputs["vulnerable-count"], "15");
    assert_eq!(run.outputs["report-path"], "out/audit.json");
    assert!(ws.exists("out/audit.json") && ws.exists("out/audit.sarif"));
}

#[test]
fn a_directory_export_gives_the_same_findings_as_the_zip() {
    let ws = Workspace::new();
    let sbom = fixture("audit/sboms/edge-cases.cdx.json");
    let (_, a) = audit_json(&ws, &[&sbom, "--osv-database", &zip_db()]);
    let (_, b) = audit_json(&ws, &[&sbom, "--osv-database", &fixture("osv/records")]);
    assert_eq!(findings(&a), findings(&b));
    assert!(
        a["inputs"]["osv_digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
}

/// SBOMs written by cyclonedx-py (CycloneDX 1.4, 1.5, 1.6) and Syft (SPDX 2.3 from a
/// requirements file, CycloneDX from the installed venv) of requests 2.19.1, urllib3 1.23 and
/// jinja2 2.10.
#[test]
fn sboms_from_other_generators_are_read() {
    let ws = Workspace::new();
    let expected = set(&[
        ("requests", "2.19.1", "GHSA-x84v-xcm2-53pg"),
        ("urllib3", "1.23", "PYSEC-2019-132"),
        ("jinja2", "2.10", "PYSEC-2019-217"),
    ]);
    for (file, format) in [
        ("cyclonedx-py-1.4.cdx.json", "CycloneDX-1.4"),
        ("cyclonedx-py-1.6.cdx.json", "CycloneDX-1.6"),
        ("release-1.0.cdx.json", "CycloneDX-1.5"),
        ("syft.cdx.json", "CycloneDX-1.6"),
        ("syft-requirements.spdx.json", "SPDX-2.3"),
    ] {
        let sbom = fixture(&format!("audit/sboms/{file}"));
        let (run, report) = audit_json(
            &ws,
            &[
                &sbom,
                "--osv-database",
                &zip_db(),
                "--fail-on-severity",
                "none",
            ],
        );
        assert_eq!(run.code(), 0, "{file}: {}", run.stderr());
        assert_eq!(report["inputs"]["sboms"][0]["format"], format, "{file}");
        let got: BTreeSet<_> = findings(&report)
            .into_iter()
            .map(|(c, v, i)| (c.to_lowercase(), v, i))
            .collect();
        assert_eq!(got, expected, "{file}");
        assert!(
            report["scan"]["checked"].as_u64().unwrap_or(0) >= 3,
            "{file}"
        );
    }
}

#[test]
fn fail_on_severity_decides_the_exit_code() {
    let ws = Workspace::new();
    let sbom = fixture("audit/sboms/syft-requirements.spdx.json");
    let db = zip_db();
    // requests is high (CVSS 7.5); urllib3's and jinja2's PYSEC records carry no severity,
    // which fails at every threshold but none.
    for (level, code) in [("none", 0), ("low", 1), ("high", 1), ("critical", 1)] {
        let run = ws.run(
            &[
                "audit",
                &sbom,
                "--osv-database",
                &db,
                "--fail-on-severity",
                level,
                "--output-dir",
                "out",
            ],
            &[],
        );
        assert_eq!(run.code(), code, "{level}: {}", run.stderr());
        assert_eq!(run.outputs["vulnerable-count"], "3", "{level}");
    }
    // With the unrated ones accepted, only requests (high) is left: critical passes.
    let ignore = "PYSEC-2019-132 2999-12-31 only used against our own server\nCVE-2019-10906 2999-12-31 no sandboxed templates";
    let args = |level: &'static str| {
        vec![
            "audit".to_owned(),
            sbom.clone(),
            "--osv-database".to_owned(),
            db.clone(),
            "--fail-on-severity".to_owned(),
            level.to_owned(),
            "--ignore".to_owned(),
            ignore.to_owned(),
            "--output-dir".to_owned(),
            "out".to_owned(),
        ]
    };
    let a = args("critical");
    let run = ws.run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.outputs["vulnerable-count"], "1");
    let a = args("high");
    let run = ws.run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("at or above fail-on-severity high"));
    // The ignored findings are still in the SARIF, suppressed with their reason.
    let sarif: Value = serde_json::from_str(&ws.read("out/audit.sarif")).expect("sarif");
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
}

#[test]
fn an_expired_ignore_fails_the_run() {
    let ws = Workspace::new();
    let sbom = fixture("audit/sboms/syft-requirements.spdx.json");
    let run = ws.run(
        &[
            "audit",
            &sbom,
            "--osv-database",
            &zip_db(),
            "--fail-on-severity",
            "none",
            "--ignore",
            "GHSA-x84v-xcm2-53pg 2000-01-01 accepted long ago",
        ],
        &[],
    );
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr()
            .contains("ignore entries expired: GHSA-x84v-xcm2-53pg (2000-01-01)"),
        "{}",
        run.stderr()
    );
    // A malformed entry is a configuration error before anything is read.
    let run = ws.run(
        &[
            "audit",
            &sbom,
            "--osv-database",
            &zip_db(),
            "--ignore",
            "GHSA-x84v-xcm2-53pg someday",
        ],
        &[],
    );
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("invalid ignore"), "{}", run.stderr());
}

/// check-jsonschema, or a clear skip where ATTEST_KIT_SKIP_PY_PEERS says the platform lacks it.
fn check_jsonschema() -> Option<Command> {
    if std::env::var_os("ATTEST_KIT_SKIP_PY_PEERS").is_some() {
        eprintln!("ATTEST_KIT_SKIP_PY_PEERS is set: skipping the Python peer");
        return None;
    }
    let cmd = Command::new("check-jsonschema");
    Some(cmd)
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let Some(mut check) = check_jsonschema() else {
        return;
    };
    let ws = Workspace::new();
    let sbom = fixture("audit/sboms/edge-cases.cdx.json");
    let ignore = "CVE-2018-18074 2999-01-01 a reason with `backticks` | and <b>html</b>";
    let run = ws.run(
        &[
            "audit",
            &sbom,
            "--osv-database",
            &zip_db(),
            "--ignore",
            ignore,
            "--output-dir",
            "out",
        ],
        &[],
    );
    assert_eq!(run.code(), 1);
    // The SARIF 2.1.0 (rtm.5) schema has one pattern that is only valid as a Python regex.
    let out = check
        .args(["--regex-variant", "python", "--schemafile"])
        .arg(repo().join("tests/schemas/sarif-2.1.0-rtm.5.json"))
        .arg(ws.path().join("out/audit.sarif"))
        .output()
        .expect("check-jsonschema is on PATH (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: Value = serde_json::from_str(&ws.read("out/audit.sarif")).expect("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(15)
    );
}

#[test]
fn the_osv_fixtures_validate_against_the_osv_schema() {
    let Some(mut check) = check_jsonschema() else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/osv/records"))
        .expect("records")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let out = check
        .arg("--schemafile")
        .arg(repo().join("tests/schemas/osv-schema.json"))
        .args(&files)
        .output()
        .expect("check-jsonschema is on PATH (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Our PEP 440 order and OSV range evaluation against `packaging`'s, on the same versions
/// and the vendored PyPI records.
#[test]
fn pep440_ranges_agree_with_packaging() {
    if std::env::var_os("ATTEST_KIT_SKIP_PY_PEERS").is_some() {
        return;
    }
    use attest_kit::audit::osv::{Advisory, affects};
    use attest_kit::audit::version::{Ecosystem, Version};
    let versions = [
        "0",
        "0.4",
        "0.5",
        "0.9",
        "1!0.1",
        "1.0.dev0",
        "1.0a1",
        "1.0a2.dev1",
        "1.0b1",
        "1.0rc1",
        "1.0",
        "1.0.0",
        "1.0.post1",
        "1.0.post1.dev3",
        "1.0+abc.5",
        "1.0+5",
        "2.0.0rc1",
        "2.0.0",
        "2.10",
        "2.10.0.1",
        "2.10.1",
        "2.10.1rc1",
        "V2.10.1",
        "2.10-1",
        "1.24.2",
        "1.24.3",
        "1.23",
        "2.19.1",
        "2.20.0",
        "3.2",
        "3.2.post1",
        "3.2+local",
        "4.1",
        "4.5",
        "5.1",
        "6.0+local",
        "6.1+local",
        "7.4",
        "7.5",
        "7.6",
        "1.0_a1",
        "1.0-RC.2",
    ];
    let records: Vec<Value> = std::fs::read_dir(repo().join("tests/fixtures/osv/records"))
        .expect("records")
        .filter_map(|e| e.ok())
        .map(|e| serde_json::from_slice(&std::fs::read(e.path()).expect("read")).expect("json"))
        .collect();
    let input = serde_json::json!({"versions": versions.to_vec(), "records": records});
    let mut child = Command::new("python3")
        .arg(repo().join("tests/audit/osv_peer.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with packaging (scripts/test.sh installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("peer");
    assert!(out.status.success(), "the peer failed");
    let peer: Value = serde_json::from_slice(&out.stdout).expect("peer json");
    assert_eq!(
        peer["invalid"],
        serde_json::json!([]),
        "all test versions are valid PEP 440"
    );
    let parsed: Vec<Version> = versions
        .iter()
        .map(|v| Version::parse(Ecosystem::PyPI, v).unwrap_or_else(|| panic!("{v}")))
        .collect();
    let mut compared = 0;
    for item in peer["order"].as_array().expect("order") {
        let (i, j, want) = (
            item[0].as_u64().expect("i") as usize,
            item[1].as_u64().expect("j") as usize,
            item[2].as_i64().expect("cmp"),
        );
        let got = parsed[i].cmp_same(&parsed[j]).expect("same ecosystem") as i64;
        assert_eq!(got, want, "{} vs {}", versions[i], versions[j]);
        compared += 1;
    }
    assert_eq!(compared, versions.len() * versions.len());
    let advisories: Vec<Advisory> = records
        .iter()
        .map(|r| serde_json::from_value(r.clone()).expect("advisory"))
        .collect();
    for (raw, v) in versions.iter().zip(&parsed) {
        let mut ours: Vec<&str> = advisories
            .iter()
            .filter(|a| a.withdrawn.is_none())
            .filter(|a| {
                a.affected.iter().any(|e| {
                    e.package.as_ref().is_some_and(|p| p.ecosystem == "PyPI")
                        && affects(e, Ecosystem::PyPI, raw, v).is_some()
                })
            })
            .map(|a| a.id.as_str())
            .collect();
        ours.sort();
        let theirs: Vec<&str> = peer["affected"][*raw]
            .as_array()
            .expect("affected")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(ours, theirs, "version {raw}");
    }
}

#[test]
fn hostile_exports_fail_cleanly_without_output() {
    let ws = Workspace::new();
    let sbom = fixture("audit/sboms/syft-requirements.spdx.json");
    let check = |db: &Path, needle: &str| {
        let run = ws.run(
            &[
                "audit",
                &sbom,
                "--osv-database",
                &db.display().to_string(),
                "--output-dir",
                "out",
            ],
            &[],
        );
        assert_eq!(run.code(), 1, "{needle}");
        let err = run.stderr();
        assert!(err.contains(needle), "want {needle:?} in {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "one line: {err}"
        );
        assert!(!ws.exists("out/audit.json"), "no output after {needle}");
    };
    // A truncated zip.
    let zip = std::fs::read(zip_db()).expect("zip");
    let truncated = ws.write("truncated.zip", &zip[..zip.len() / 2]);
    check(&truncated, "is not a valid zip archive");
    // A 1 GiB export (sparse): refused before it is read.
    let big = ws.path().join("big.zip");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(1024 * 1024 * 1024).expect("sparse");
    drop(f);
    check(&big, "over the 536870912-byte limit");
    // A zip bomb: one entry inflating past the per-advisory limit.
    let bomb = ws.path().join("bomb.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&bomb).expect("bomb"));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("BOMB-1.json", opts).expect("entry");
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..20 {
            w.write_all(&chunk).expect("write");
        }
        w.finish().expect("finish");
    }
    check(&bomb, "over the 8388608-byte limit for one advisory");
    // Not JSON, and JSON that is not an OSV record.
    let dir = ws.path().join("notjson");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("X-1.json"), b"{ not json").expect("write");
    check(&dir, "is not valid JSON");
    let dir = ws.path().join("notosv");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("X-1.json"), br#"{"id": 5}"#).expect("write");
    check(&dir, "is not an OSV record");
    // A plain-http URL off loopback: refused before any connection (fetching by URL is
    // tested against a loopback server in tests/audit_fetch.rs).
    check(
        Path::new("http://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"),
        "only https:// URLs are fetched",
    );
    // A missing file.
    check(Path::new("nope.zip"), "couldn't read the OSV database");
}

#[test]
fn hostile_sboms_fail_cleanly() {
    let ws = Workspace::new();
    for (content, needle) in [
        (&b"{ nope"[..], "is not valid JSON"),
        (br#"{"hello": 1}"#, "neither SPDX"),
        (br#"{"bomFormat": "CycloneDX", "components": 5}"#, "SBOM"),
    ] {
        let p = ws.write("bad.json", content);
        let run = ws.run(
            &[
                "audit",
                &p.display().to_string(),
                "--osv-database",
                &zip_db(),
            ],
            &[],
        );
        assert_eq!(run.code(), 1);
        assert!(run.stderr().contains(needle), "{}", run.stderr());
    }
}

#[test]
fn the_summary_escapes_untrusted_strings() {
    let ws = Workspace::new();
    let sbom = ws.write(
        "evil.cdx.json",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
          {"name":"x","version":"2.19.1","purl":"pkg:pypi/requests@2.19.1"},
          {"name":"<img src=x onerror=alert(1)>|`","version":"1","purl":"pkg:pypi/%3Cimg%3E%7C%60@1%7C%3Cb%3E"}]}"#,
    );
    let run = ws.run(
        &[
            "audit",
            &sbom.display().to_string(),
            "--osv-database",
            &zip_db(),
            "--fail-on-severity",
            "none",
        ],
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.summary.contains("| `requests` | `2.19.1` |"),
        "{}",
        run.summary
    );
    // Rendered as GitHub does (GFM tables), no tag survives: the strings are code spans.
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(&run.summary, pulldown_cmark::Options::ENABLE_TABLES),
    );
    assert!(!html.contains("<img") && !html.contains("<b>"), "{html}");
    assert!(html.contains("&lt;img&gt;"), "{html}");
    // Each table row keeps its cell count: the `|` in the name did not split a cell.
    let row = html
        .split("<tr>")
        .find(|r| r.contains("&lt;img&gt;"))
        .expect("the row");
    assert_eq!(row.matches("<td>").count(), 2, "{row}");
}

#[test]
fn action_mode_reads_the_inputs() {
    let ws = Workspace::new();
    let sbom = fixture("audit/sboms/syft-requirements.spdx.json");
    let env = [
        ("INPUT_COMMAND", "audit".to_owned()),
        ("INPUT_SBOM_PATH", sbom),
        ("INPUT_OSV_DATABASE", zip_db()),
        ("INPUT_FAIL_ON_SEVERITY", "none".to_owned()),
        ("INPUT_OUTPUT_DIR", "reports".to_owned()),
        ("GITHUB_ACTIONS", "true".to_owned()),
    ];
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.outputs["vulnerable-count"], "3");
    assert_eq!(run.outputs["report-path"], "reports/audit.json");
    assert_eq!(run.outputs["sarif-path"], "reports/audit.sarif");
    assert!(run.summary.contains("### attest-kit · audit"));
    let env = [
        ("INPUT_COMMAND", "audit".to_owned()),
        ("INPUT_SBOM_PATH", "x.json".to_owned()),
        ("INPUT_OSV_DATABASE", zip_db()),
        ("INPUT_FAIL_ON_SEVERITY", "severe".to_owned()),
        ("GITHUB_ACTIONS", "true".to_owned()),
    ];
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 1);
    assert!(
        run.stdout().contains("::error") && run.stdout().contains("fail-on-severity"),
        "{}{}",
        run.stdout(),
        run.stderr()
    );
}

fn diff_json(ws: &Workspace, old: &str, new: &str, extra: &[&str]) -> (common::Run, Value) {
    let mut args = vec![
        "sbom-diff",
        "--old-sbom",
        old,
        "--new-sbom",
        new,
        "--format",
        "json",
        "--output-dir",
        "out",
    ];
    args.extend_from_slice(extra);
    let run = ws.run(&args, &[]);
    let v = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout(), run.stderr()));
    (run, v)
}

fn changes(v: &Value) -> BTreeSet<String> {
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            format!(
                "{} {} {}->{}",
                c["kind"].as_str().unwrap_or_default(),
                c["component"].as_str().unwrap_or_default(),
                c["old_version"].as_str().unwrap_or("-"),
                c["new_version"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

/// Two cyclonedx-py SBOMs of the same app: 1.0 (requests 2.19.1, urllib3 1.23, jinja2 2.10)
/// and 1.1 (requests 2.20.0, urllib3 1.24.3, jinja2 2.10.1, plus six).
#[test]
fn sbom_diff_between_releases() {
    let ws = Workspace::new();
    let old = fixture("audit/sboms/release-1.0.cdx.json");
    let new = fixture("audit/sboms/release-1.1.cdx.json");
    let (run, v) = diff_json(&ws, &old, &new, &["--osv-database", &zip_db()]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let got = changes(&v);
    for want in [
        "upgraded requests 2.19.1->2.20.0",
        "upgraded urllib3 1.23->1.24.3",
        "upgraded jinja2 2.10->2.10.1",
        "added six -->1.16.0",
    ] {
        assert!(got.contains(want), "{want} missing from {got:?}");
    }
    assert_eq!(v["new_vulnerable"], serde_json::json!([]));
    assert_eq!(run.outputs["changed"], "true");
    assert!(ws.exists("out/sbom-diff.json"));
    // Backwards: downgrades, six removed, and the old versions are newly vulnerable.
    let (run, v) = diff_json(&ws, &new, &old, &["--osv-database", &zip_db()]);
    assert_eq!(run.code(), 0);
    let got = changes(&v);
    assert!(
        got.contains("downgraded requests 2.20.0->2.19.1"),
        "{got:?}"
    );
    assert!(got.contains("removed six 1.16.0->-"), "{got:?}");
    let ids: BTreeSet<&str> = v["new_vulnerable"]
        .as_array()
        .expect("new_vulnerable")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from(["GHSA-x84v-xcm2-53pg", "PYSEC-2019-132", "PYSEC-2019-217"])
    );
    assert!(run.summary.contains("Newly vulnerable components"));
    // The same SBOM twice: nothing changed.
    let (run, v) = diff_json(&ws, &old, &old, &[]);
    assert_eq!(v["changed"], false);
    assert_eq!(run.outputs["changed"], "false");
}

#[test]
fn sbom_diff_sees_licence_changes_across_formats() {
    let ws = Workspace::new();
    let old = ws.write(
        "old.spdx.json",
        br#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"left-pad","versionInfo":"1.1.1","licenseDeclared":"WTFPL",
        "externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:npm/left-pad@1.1.1"}]}]}"#,
    );
    let new = ws.write(
        "new.cdx.json",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"left-pad","version":"1.1.1",
        "purl":"pkg:npm/left-pad@1.1.1","licenses":[{"license":{"id":"MIT"}}]}]}"#,
    );
    let (run, v) = diff_json(
        &ws,
        &old.display().to_string(),
        &new.display().to_string(),
        &[],
    );
    assert_eq!(run.code(), 0);
    let c = &v["changes"][0];
    assert_eq!(c["kind"], "license-changed");
    assert_eq!(c["old_license"], "WTFPL");
    assert_eq!(c["new_license"], "MIT");
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(1));
}

#[test]
fn sbom_takes_globs_and_a_pattern_that_matches_nothing_fails() {
    let ws = Workspace::new();
    for f in ["syft-requirements.spdx.json", "cyclonedx-py-1.6.cdx.json"] {
        let bytes = std::fs::read(fixture(&format!("audit/sboms/{f}"))).expect("fixture");
        ws.write(&format!("sboms/{f}"), &bytes);
    }
    let (run, report) = audit_json(
        &ws,
        &[
            "--sbom-path",
            "sboms/*.json",
            "--osv-database",
            &zip_db(),
            "--fail-on-severity",
            "none",
        ],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(report["inputs"]["sboms"].as_array().map(Vec::len), Some(2));
    // The same package@version from two SBOMs is one finding, located in the first SBOM
    // that listed it (also the SARIF result's location).
    assert_eq!(run.outputs["vulnerable-count"], "3");
    for f in report["scan"]["findings"].as_array().expect("findings") {
        assert!(
            f["sbom"].as_str().is_some_and(|s| s.starts_with("sboms/")),
            "{f}"
        );
    }
    let sarif: Value = serde_json::from_str(&ws.read("out/audit.sarif")).expect("sarif");
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert!(
        uri.as_str().is_some_and(|s| s.starts_with("sboms/")),
        "{uri}"
    );
    let run = ws.run(
        &[
            "audit",
            "--sbom-path",
            "nothing/*.json",
            "--osv-database",
            &zip_db(),
        ],
        &[],
    );
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("nothing/*.json"), "{}", run.stderr());
}

#[test]
fn sbom_diff_in_action_mode() {
    let ws = Workspace::new();
    let env = [
        ("INPUT_COMMAND", "sbom-diff".to_owned()),
        (
            "INPUT_OLD_SBOM",
            fixture("audit/sboms/release-1.0.cdx.json"),
        ),
        (
            "INPUT_NEW_SBOM",
            fixture("audit/sboms/release-1.1.cdx.json"),
        ),
        ("INPUT_OUTPUT_DIR", "reports".to_owned()),
        ("GITHUB_ACTIONS", "true".to_owned()),
    ];
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.outputs["changed"], "true");
    assert_eq!(run.outputs["report-path"], "reports/sbom-diff.json");
    assert!(
        run.summary
            .contains("| upgraded | `requests` | `2.19.1` | `2.20.0` |"),
        "{}",
        run.summary
    );
    let env = [
        ("INPUT_COMMAND", "sbom-diff".to_owned()),
        (
            "INPUT_OLD_SBOM",
            fixture("audit/sboms/release-1.0.cdx.json"),
        ),
        ("GITHUB_ACTIONS", "true".to_owned()),
    ];
    let run = ws.run(&["action"], &env);
    assert_eq!(run.code(), 1);
    assert!(run.stdout().contains("new-sbom"), "{}", run.stdout());
}

/// pip-audit (the PyPA auditor) as a peer, offline: it queries a local fake of the OSV API
/// (tests/audit/osv_api.py on 127.0.0.1, serving the vendored records) through `--osv-url`.
/// Same packages, same vulnerabilities (aliases merged), same fixed versions as `audit`.
#[test]
fn pip_audit_against_a_local_fake_osv_api_agrees() {
    if std::env::var_os("ATTEST_KIT_SKIP_PY_PEERS").is_some() {
        return;
    }
    use std::io::BufRead as _;
    let ws = Workspace::new();
    let mut server = Command::new("python3")
        .arg(repo().join("tests/audit/osv_api.py"))
        .arg(repo().join("tests/fixtures/osv/records"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut port = String::new();
    std::io::BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut port)
        .expect("port");
    let req = ws.write(
        "requirements.txt",
        b"requests==2.19.1\nurllib3==1.23\njinja2==2.10\nidna==2.7\n",
    );
    let out = Command::new("pip-audit")
        .args(["--no-deps", "--disable-pip", "-s", "osv", "-f", "json"])
        .args(["--progress-spinner", "off", "--cache-dir"])
        .arg(ws.path().join("pip-audit-cache"))
        .arg("--osv-url")
        .arg(format!("http://127.0.0.1:{}/v1/query", port.trim()))
        .arg("-r")
        .arg(&req)
        .env("PIP_NO_INDEX", "1")
        .output();
    let _ = server.kill();
    let _ = server.wait();
    let out = out.expect("pip-audit is on PATH (scripts/test.sh installs it)");
    let theirs: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let key = |name: &str, ids: Vec<String>, fixed: Vec<String>| {
        let mut ids = ids;
        ids.sort();
        format!(
            "{} {} fixed {}",
            name.to_lowercase(),
            ids.join(","),
            fixed.join(",")
        )
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut pip_audit: Vec<String> = Vec::new();
    for dep in theirs["dependencies"].as_array().expect("dependencies") {
        for v in dep["vulns"].as_array().expect("vulns") {
            let mut ids = strings(&v["aliases"]);
            ids.push(v["id"].as_str().unwrap_or_default().to_owned());
            pip_audit.push(key(
                dep["name"].as_str().unwrap_or_default(),
                ids,
                strings(&v["fix_versions"]),
            ));
        }
    }
    pip_audit.sort();
    let sbom = fixture("audit/sboms/syft-requirements.spdx.json");
    let (_, report) = audit_json(
        &ws,
        &[
            &sbom,
            "--osv-database",
            &zip_db(),
            "--fail-on-severity",
            "none",
        ],
    );
    let mut ours: Vec<String> = report["scan"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let mut ids = strings(&f["aliases"]);
            ids.push(f["id"].as_str().unwrap_or_default().to_owned());
            key(
                f["component"].as_str().unwrap_or_default(),
                ids,
                strings(&f["fixed_versions"]),
            )
        })
        .collect();
    ours.sort();
    assert_eq!(ours.len(), 3);
    assert_eq!(ours, pip_audit);
}
