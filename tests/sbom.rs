//! The `sbom` command end to end, on real wheels and sdists, every document checked by the
//! official tools: `pyspdxtools` (spdx-tools), `ntia-checker`, `check-jsonschema` against the
//! vendored SPDX 2.3 and CycloneDX schemas, cyclonedx-python-lib's strict validator, and
//! `cyclonedx-py environment` as the peer for installed environments.
//!
//! The Python tools come from the venv in ATTEST_KIT_SBOM_VENV (scripts/test.sh makes it).
//! Without it, outside CI, the peer checks are skipped with a note; in CI it is an error
//! unless ATTEST_KIT_SKIP_SBOM_PEERS says why (GitHub's macOS/Windows jobs).
//! Nothing here touches the network: pip resolves from the local fixtures with
//! PIP_NO_INDEX and PIP_FIND_LINKS.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dist(name: &str) -> String {
    root()
        .join("tests/fixtures/python/dist")
        .join(name)
        .display()
        .to_string()
}

fn fixture(rel: &str) -> String {
    root()
        .join("tests/fixtures/python")
        .join(rel)
        .display()
        .to_string()
}

const REQUESTS_WHL: &str = "requests-2.32.3-py3-none-any.whl";
const REQUESTS_SDIST: &str = "requests-2.32.3.tar.gz";

/// The venv holding the validators, or `None` (with a note) when they are not available.
fn peers() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os("ATTEST_KIT_SBOM_VENV").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(v));
    }
    if let Ok(why) = std::env::var("ATTEST_KIT_SKIP_SBOM_PEERS") {
        eprintln!("note: SBOM peer validators skipped: {why}");
        return None;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("ATTEST_KIT_SBOM_VENV is not set: scripts/test.sh installs the SBOM validators");
    }
    eprintln!("note: ATTEST_KIT_SBOM_VENV unset; skipping the SBOM peer validators");
    None
}

fn bin(venv: &Path, tool: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{tool}.exe"))
    } else {
        venv.join("bin").join(tool)
    }
}

struct Run {
    out: Output,
    dir: tempfile::TempDir,
}

impl Run {
    fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn json(&self, rel: &str) -> Value {
        let text = std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
    fn outputs(&self) -> String {
        std::fs::read_to_string(self.path(".runner-output")).unwrap_or_default()
    }
    fn summary(&self) -> String {
        std::fs::read_to_string(self.path(".runner-summary")).unwrap_or_default()
    }
    fn written(&self) -> Vec<String> {
        let out = self.path("attestations");
        let mut v: Vec<String> = std::fs::read_dir(&out)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}

/// Runs `attest-kit ARGS` in a fresh temp dir with a scrubbed environment.
fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::cargo_bin("attest-kit").expect("binary");
    cmd.current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("GITHUB_OUTPUT", dir.path().join(".runner-output"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join(".runner-summary"))
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run attest-kit");
    Run { out, dir }
}

fn tool(venv: &Path, name: &str, args: &[&str]) -> Output {
    Command::new(bin(venv, name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {name}: {e}"))
}

/// Every check the issue names, for one SPDX document.
fn validate_spdx(venv: &Path, file: &Path, ntia: bool) {
    let f = file.display().to_string();
    let o = tool(venv, "pyspdxtools", &["-i", &f]);
    assert!(
        o.status.success() && o.stdout.is_empty(),
        "pyspdxtools {f}:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let schema = root().join("tests/schemas/spdx-2.3.schema.json");
    let o = tool(
        venv,
        "check-jsonschema",
        &["--schemafile", &schema.display().to_string(), &f],
    );
    assert!(
        o.status.success(),
        "check-jsonschema SPDX {f}:\n{}",
        String::from_utf8_lossy(&o.stdout)
    );
    if ntia {
        let o = tool(venv, "ntia-checker", &["--file", &f, "-v"]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("Conformant: True"),
            "ntia-checker {f}:\n{text}"
        );
    }
}

fn validate_cyclonedx(venv: &Path, file: &Path, version: &str) {
    let f = file.display().to_string();
    let schema = root().join(format!("tests/schemas/bom-{version}.SNAPSHOT.schema.json"));
    let s = schema.display().to_string();
    let base = format!("file://{s}");
    let o = tool(
        venv,
        "check-jsonschema",
        &["--schemafile", &s, "--base-uri", &base, &f],
    );
    assert!(
        o.status.success(),
        "check-jsonschema CycloneDX {f}:\n{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let script = "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\ne = JsonStrictValidator(SchemaVersion.from_version(sys.argv[2])).validate_str(open(sys.argv[1]).read())\nprint(e if e else 'valid')\nsys.exit(1 if e else 0)";
    let o = tool(venv, "python", &["-c", script, &f, version]);
    assert!(
        o.status.success(),
        "cyclonedx-python-lib strict {f}:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Validates every SBOM a run wrote.
fn validate_all(r: &Run, venv: &Path, ntia: bool, cdx_version: &str) -> usize {
    let mut n = 0;
    for f in r.written() {
        let p = r.path(&format!("attestations/{f}"));
        if f.ends_with(".spdx.json") {
            validate_spdx(venv, &p, ntia);
            n += 1;
        } else if f.ends_with(".cyclonedx.json") {
            validate_cyclonedx(venv, &p, cdx_version);
            n += 1;
        }
    }
    n
}

fn components(bom: &Value) -> BTreeSet<(String, String)> {
    bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            (
                c["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
                    .replace('_', "-"),
                c["version"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn depends_on(bom: &Value, r: &str) -> Vec<String> {
    bom["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .find(|d| d["ref"] == r)
        .unwrap_or_else(|| panic!("no dependency entry for {r}"))["dependsOn"]
        .as_array()
        .expect("dependsOn is always present")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn seed_names_for_one_wheel_and_one_sdist_and_declared_ranges() {
    let r = run(&["sbom", &dist(REQUESTS_WHL), &dist(REQUESTS_SDIST)], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.written(),
        [
            "sbom-source.cyclonedx.json",
            "sbom-source.cyclonedx.statement.json",
            "sbom-source.spdx.json",
            "sbom-source.spdx.statement.json",
            "sbom-wheel.cyclonedx.json",
            "sbom-wheel.cyclonedx.statement.json",
            "sbom-wheel.spdx.json",
            "sbom-wheel.spdx.statement.json",
        ]
    );
    // Without a source: ranges, no invented versions, and the summary says so.
    let bom = r.json("attestations/sbom-wheel.cyclonedx.json");
    let idna = bom["components"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "idna"))
        .expect("idna listed");
    assert!(idna.get("version").is_none(), "{idna}");
    assert!(idna.to_string().contains("<4,>=2.5"), "{idna}");
    assert!(r.summary().contains("exact versions were not resolvable"));
    assert!(r.stderr().contains("not resolvable"));
    // The root: purl with file_name, SHA-256, files.
    let root = &bom["metadata"]["component"];
    assert_eq!(
        root["purl"],
        "pkg:pypi/requests@2.32.3?file_name=requests-2.32.3-py3-none-any.whl"
    );
    assert_eq!(root["components"].as_array().map(Vec::len), Some(23));
    let outputs = r.outputs();
    assert!(outputs.contains("sbom-paths"), "{outputs}");
    assert!(outputs.contains("attestations/sbom-wheel.spdx.json"));
    if let Some(venv) = peers() {
        // Versions are unknown by design without a source: NTIA conformance needs them.
        assert_eq!(validate_all(&r, &venv, false, "1.6"), 4);
    }
}

#[test]
fn more_artifacts_are_named_after_each_file_and_a_template_can_clash() {
    let r = run(
        &[
            "sbom",
            &dist(REQUESTS_WHL),
            &dist("six-1.16.0-py2.py3-none-any.whl"),
        ],
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.written().contains(&format!("{REQUESTS_WHL}.spdx.json")));
    assert!(
        r.written()
            .contains(&"six-1.16.0-py2.py3-none-any.whl.cyclonedx.json".to_owned())
    );
    let clash = run(
        &[
            "sbom",
            &dist(REQUESTS_WHL),
            &dist("six-1.16.0-py2.py3-none-any.whl"),
            "--sbom-name-template",
            "{kind}",
        ],
        &[],
    );
    assert_eq!(clash.code(), 1);
    assert!(
        clash.stderr().contains("sbom-name-template"),
        "{}",
        clash.stderr()
    );
    assert!(clash.written().is_empty(), "nothing written on failure");
    let escape = run(
        &[
            "sbom",
            &dist(REQUESTS_WHL),
            "--sbom-name-template",
            "../{name}",
        ],
        &[],
    );
    assert_eq!(escape.code(), 1);
    assert!(escape.stderr().contains("sbom-name-template"));
}

/// A venv installed offline from the fixtures; `cyclonedx-py environment` is the peer.
#[test]
fn installed_environment_matches_cyclonedx_py() {
    let Some(venv) = peers() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let env_dir = tmp.path().join("venv");
    let python = bin(&venv, "python");
    let o = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&env_dir)
        .output()
        .expect("venv");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(bin(&env_dir, "python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-index",
            "--find-links",
            &fixture("dist"),
            "requests[socks]==2.32.3",
            "attrs",
            "six",
        ])
        .output()
        .expect("pip install");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let env_arg = env_dir.display().to_string();
    let r = run(
        &["sbom", &dist(REQUESTS_WHL), "--sbom-environment", &env_arg],
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(validate_all(&r, &venv, true, "1.6"), 2);

    let ours = r.json(&format!("attestations/{REQUESTS_WHL}.cyclonedx.json"));
    let o = tool(
        &venv,
        "cyclonedx-py",
        &[
            "environment",
            &bin(&env_dir, "python").display().to_string(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let theirs: Value = serde_json::from_slice(&o.stdout).expect("cyclonedx-py JSON");
    let mut expected = components(&theirs);
    // The artifact itself is installed too: for us it is the root, not a component.
    assert!(expected.remove(&("requests".to_owned(), "2.32.3".to_owned())));
    assert_eq!(components(&ours), expected);
    // The tree, not a flat list: requests → its four, socks not requested.
    let mut deps = depends_on(&ours, "pypi:requests@2.32.3");
    deps.sort();
    assert_eq!(
        deps,
        [
            "pypi:certifi@2024.8.30",
            "pypi:charset-normalizer@3.4.0",
            "pypi:idna@3.10",
            "pypi:urllib3@2.2.3"
        ]
    );
    assert!(depends_on(&ours, "pypi:idna@3.10").is_empty());
    let props = ours["metadata"]["properties"].to_string();
    assert!(props.contains("attest-kit:build:python-version"), "{props}");
    assert!(
        ours["formulation"][0]["components"]
            .to_string()
            .contains("python")
    );
}

#[test]
fn pip_resolution_from_local_files_only() {
    let Some(venv) = peers() else { return };
    let python = bin(&venv, "python").display().to_string();
    let links = fixture("dist");
    let r = run(
        &[
            "sbom",
            &dist("ak_nolicense-0.1.0-py3-none-any.whl"),
            "--sbom-resolve",
            "--sbom-python",
            &python,
        ],
        &[("PIP_NO_INDEX", "1"), ("PIP_FIND_LINKS", &links)],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(validate_all(&r, &venv, true, "1.6"), 2);
    let bom = r.json("attestations/ak_nolicense-0.1.0-py3-none-any.whl.cyclonedx.json");
    // requests[socks] pulls PySocks; colorama (win32 only) and attrs (an extra) stay out.
    let names: BTreeSet<String> = components(&bom).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains("pysocks"), "{names:?}");
    assert!(
        !names.contains("colorama") && !names.contains("attrs"),
        "{names:?}"
    );
    let root_deps = depends_on(&bom, "pypi:ak-nolicense@0.1.0");
    assert_eq!(root_deps, ["pypi:requests@2.32.3", "pypi:six@1.16.0"]);
    assert!(depends_on(&bom, "pypi:requests@2.32.3").contains(&"pypi:pysocks@1.7.1".to_owned()));
    assert!(r.summary().contains("resolved by pip"));
}

#[test]
fn every_python_lockfile_gives_exact_versions() {
    let venv = peers();
    for lock in [
        "uv.lock",
        "poetry.lock",
        "pylock.toml",
        "Pipfile.lock",
        "requirements.txt",
    ] {
        let l = fixture(&format!("locks/{lock}"));
        let r = run(&["sbom", &dist(REQUESTS_WHL), "--sbom-lockfile", &l], &[]);
        assert_eq!(r.code(), 0, "{lock}: {}", r.stderr());
        let bom = r.json(&format!("attestations/{REQUESTS_WHL}.cyclonedx.json"));
        let c = components(&bom);
        assert!(
            c.contains(&("idna".to_owned(), "3.10".to_owned())),
            "{lock}: {c:?}"
        );
        assert_eq!(depends_on(&bom, "pypi:requests@2.32.3").len(), 4, "{lock}");
        assert!(r.summary().contains(lock), "{lock}: {}", r.summary());
        if let Some(v) = &venv {
            assert_eq!(validate_all(&r, v, true, "1.6"), 2, "{lock}");
        }
    }
}

#[test]
fn rust_binary_from_attest_kits_own_cargo_lock() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let binary = tmp.path().join("attest-kit-linux-x64");
    std::fs::write(&binary, b"\x7fELF not really").expect("write");
    let lock = root().join("Cargo.lock").display().to_string();
    let r = run(
        &[
            "sbom",
            &binary.display().to_string(),
            "--sbom-lockfile",
            &lock,
        ],
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let bom = r.json("attestations/attest-kit-linux-x64.cyclonedx.json");
    assert_eq!(
        bom["metadata"]["component"]["purl"],
        "pkg:cargo/attest-kit@0.1.0"
    );
    assert_eq!(bom["metadata"]["component"]["type"], "application");
    let c = components(&bom);
    assert!(c.iter().any(|(n, _)| n == "sigstore-verify"), "{c:?}");
    assert!(
        depends_on(&bom, "cargo:attest-kit@0.1.0")
            .iter()
            .any(|d| d.starts_with("cargo:zip@"))
    );
    if let Some(v) = peers() {
        // attest-kit's Cargo.toml names no author: the root's supplier is NOASSERTION, so
        // NTIA conformance is not claimed here.
        assert_eq!(validate_all(&r, &v, false, "1.6"), 2);
    }
    // Without a Cargo.lock a binary has no SBOM.
    let r = run(&["sbom", &binary.display().to_string()], &[]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("Cargo.lock"), "{}", r.stderr());
}

#[test]
fn cyclonedx_1_5_on_request() {
    let r = run(
        &[
            "sbom",
            &dist("attrs-24.2.0-py3-none-any.whl"),
            "--sbom",
            "cyclonedx",
            "--cyclonedx-version",
            "1.5",
        ],
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.written(),
        [
            "attrs-24.2.0-py3-none-any.whl.cyclonedx.json",
            "attrs-24.2.0-py3-none-any.whl.cyclonedx.statement.json"
        ]
    );
    assert_eq!(
        r.json("attestations/attrs-24.2.0-py3-none-any.whl.cyclonedx.json")["specVersion"],
        "1.5"
    );
    if let Some(v) = peers() {
        validate_all(&r, &v, false, "1.5");
    }
    let bad = run(
        &["sbom", &dist(REQUESTS_WHL), "--cyclonedx-version", "1.4"],
        &[],
    );
    assert_eq!(bad.code(), 1);
    assert!(bad.stderr().contains("cyclonedx-version"));
}

#[test]
fn licences_follow_pep_639_and_are_never_guessed() {
    let r = run(
        &[
            "sbom",
            &dist("attrs-24.2.0-py3-none-any.whl"),
            &dist("PySocks-1.7.1-py3-none-any.whl"),
            &dist("ak_nolicense-0.1.0-py3-none-any.whl"),
            &dist("ak_large-1.0-py3-none-any.whl"),
            "--sbom-name-template",
            "{name}",
        ],
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let spdx = |n: &str| r.json(&format!("attestations/{n}.spdx.json"));
    let root_licence = |doc: &Value| {
        doc["packages"][0]["licenseDeclared"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(root_licence(&spdx("attrs")), "MIT");
    assert_eq!(root_licence(&spdx("ak-large")), "MIT OR Apache-2.0");
    assert_eq!(root_licence(&spdx("ak-nolicense")), "NOASSERTION");
    let socks = spdx("PySocks");
    let id = root_licence(&socks);
    assert!(id.starts_with("LicenseRef-BSD-"), "{id}");
    assert_eq!(
        socks["hasExtractedLicensingInfos"][0]["licenseId"],
        id.as_str()
    );
    assert_eq!(
        socks["hasExtractedLicensingInfos"][0]["extractedText"],
        "BSD"
    );
    let bom = r.json("attestations/PySocks.cyclonedx.json");
    assert_eq!(
        bom["metadata"]["component"]["licenses"][0]["license"]["name"],
        "BSD"
    );
    // 3,000 files with SHA-1 and SHA-256 and the verification code.
    let large = spdx("ak-large");
    assert_eq!(large["files"].as_array().map(Vec::len), Some(3003));
    assert!(
        large["packages"][0]["packageVerificationCode"]["packageVerificationCodeValue"].is_string()
    );
    if let Some(v) = peers() {
        validate_all(&r, &v, false, "1.6");
    }
}

#[test]
fn old_setup_py_sdist_reads_egg_info_and_says_what_is_dynamic() {
    let r = run(&["sbom", &dist("six-1.16.0.tar.gz")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let doc = r.json("attestations/six-1.16.0.tar.gz.spdx.json");
    assert_eq!(doc["packages"][0]["versionInfo"], "1.16.0");
    assert_eq!(doc["packages"][0]["primaryPackagePurpose"], "SOURCE");
    assert!(
        r.stderr().contains("computed at build time"),
        "{}",
        r.stderr()
    );
    if let Some(v) = peers() {
        validate_all(&r, &v, true, "1.6");
    }
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let args = ["sbom", &dist(REQUESTS_WHL) as &str, &dist(REQUESTS_SDIST)];
    let a = run(&args, &[]);
    let b = run(&args, &[]);
    for f in a.written() {
        let x = std::fs::read(a.path(&format!("attestations/{f}"))).expect("a");
        let y = std::fs::read(b.path(&format!("attestations/{f}"))).expect("b");
        assert!(x == y, "{f} differs between runs");
    }
    let doc = a.json("attestations/sbom-wheel.spdx.json");
    assert_eq!(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    let ns = doc["documentNamespace"].as_str().unwrap_or_default();
    assert!(
        ns.contains("70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6"),
        "{ns}"
    );
    let serial_w = a.json("attestations/sbom-wheel.cyclonedx.json")["serialNumber"].clone();
    let serial_s = a.json("attestations/sbom-source.cyclonedx.json")["serialNumber"].clone();
    assert_ne!(serial_w, serial_s);
}

#[test]
fn statements_wrap_each_sbom_over_the_artifact() {
    let r = run(&["sbom", &dist(REQUESTS_WHL)], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    for (file, predicate) in [
        (
            format!("{REQUESTS_WHL}.spdx"),
            "https://spdx.dev/Document/v2.3",
        ),
        (
            format!("{REQUESTS_WHL}.cyclonedx"),
            "https://cyclonedx.org/bom",
        ),
    ] {
        let st = r.json(&format!("attestations/{file}.statement.json"));
        assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
        assert_eq!(st["predicateType"], predicate);
        assert_eq!(st["subject"][0]["name"], REQUESTS_WHL);
        assert_eq!(
            st["subject"][0]["digest"]["sha256"],
            "70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6"
        );
        assert_eq!(
            st["predicate"],
            r.json(&format!("attestations/{file}.json"))
        );
    }
}

#[test]
fn hostile_archives_fail_cleanly_and_write_nothing() {
    let cases = [
        ("dotdot.whl", "escapes the archive's root"),
        ("absolute.whl", "escapes the archive's root"),
        ("symlink.whl", "symbolic link"),
        // zip 9 itself stops inflating past the declared size (our own limits back it up).
        ("bomb.whl", "larger than its declared uncompressed size"),
        ("huge-metadata.whl", "declares"),
        ("corrupt.whl", "not a readable zip"),
        ("tampered.whl", "does not match RECORD"),
        ("non-utf8.whl", "not UTF-8"),
        ("dotdot.tar.gz", "escapes the archive's root"),
        ("absolute.tar.gz", "escapes the archive's root"),
        ("symlink.tar.gz", "is a link"),
        ("truncated.tar.gz", "unreadable"),
    ];
    for (file, reason) in cases {
        let r = run(&["sbom", &fixture(&format!("hostile/{file}"))], &[]);
        assert_eq!(r.code(), 1, "{file}: {}", r.stderr());
        let err = r.stderr();
        assert_eq!(err.trim().lines().count(), 1, "{file}: one line: {err}");
        assert!(err.contains(reason), "{file}: {err}");
        assert!(r.written().is_empty(), "{file}: wrote {:?}", r.written());
        assert!(!Path::new("/tmp/attest-kit-evil.txt").exists());
    }
}

#[test]
fn hostile_archive_in_actions_is_an_error_annotation() {
    let r = run(
        &["sbom", &fixture("hostile/dotdot.whl")],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(r.code(), 1);
    assert!(r.stdout().contains("::error"), "{}", r.stdout());
}

#[test]
fn attest_with_sbom_prints_one_json_document() {
    let r = run(
        &[
            "attest",
            "--allow-local",
            "--sbom",
            "spdx,cyclonedx",
            "--format",
            "json",
            &dist(REQUESTS_WHL),
            &dist(REQUESTS_SDIST),
        ],
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let stdout = r.stdout();
    let mut docs = serde_json::Deserializer::from_str(&stdout).into_iter::<Value>();
    let doc = docs.next().expect("one document").expect("valid JSON");
    assert!(
        docs.next().is_none(),
        "exactly one JSON document:\n{}",
        r.stdout()
    );
    assert_eq!(doc["sbom"].as_array().map(Vec::len), Some(2));
    assert!(r.written().contains(&"sbom-wheel.spdx.json".to_owned()));
    assert!(
        r.written()
            .contains(&"provenance.statement.json".to_owned())
    );
    assert!(r.outputs().contains("sbom-paths"));
    assert!(r.summary().contains("#### SBOMs"));
}

#[test]
fn action_inputs_run_the_sbom_command() {
    let whl = dist(REQUESTS_WHL);
    let lock = fixture("locks/uv.lock");
    let r = run(
        &["action"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("INPUT_COMMAND", "sbom"),
            ("INPUT_SUBJECT_PATH", &whl),
            ("INPUT_SBOM_LOCKFILE", &lock),
            ("INPUT_SBOM", ""),
            ("INPUT_CYCLONEDX_VERSION", "1.6"),
            ("INPUT_OUTPUT_DIR", "attestations"),
        ],
    );
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert_eq!(r.written().len(), 4);
    let out = r.outputs();
    assert!(out.contains("sbom-count"), "{out}");
    assert!(r.summary().contains("uv.lock lockfile"), "{}", r.summary());
}

/// 10,001 `Requires-Dist` lines (the 60,000 of a probe made a 136 MB SBOM): refused with the
/// cap in the message, nothing written.
#[test]
fn too_many_requirements_in_metadata_are_refused() {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().expect("tempdir");
    let whl = tmp.path().join("wide-1.0-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&whl).expect("create"));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("wide-1.0.dist-info/METADATA", opts)
        .expect("start");
    let mut meta = String::from("Metadata-Version: 2.1\nName: wide\nVersion: 1.0\n");
    for i in 0..10_001 {
        meta.push_str(&format!("Requires-Dist: dep-{i}\n"));
    }
    zip.write_all(meta.as_bytes()).expect("write");
    zip.finish().expect("finish");
    let r = run(&["sbom", &whl.display().to_string()], &[]);
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(
        r.stderr()
            .contains("10001 Requires-Dist entries, more than the 10000 components an SBOM takes"),
        "{}",
        r.stderr()
    );
    assert!(r.written().is_empty(), "{:?}", r.written());
}

/// A wheel whose metadata is hostile Markdown/HTML: the job summary shows it literally.
#[test]
fn hostile_metadata_is_escaped_in_the_summary() {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().expect("tempdir");
    let whl = tmp.path().join("evil-1.0-py3-none-any.whl");
    let file = std::fs::File::create(&whl).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("evil-1.0.dist-info/METADATA", opts)
        .expect("start");
    zip.write_all(b"Metadata-Version: 2.1\nName: evil<img src=x onerror=alert(1)>|`x`\nVersion: 1.0\nRequires-Dist: <script>; extra == 'x\n")
        .expect("write");
    zip.finish().expect("finish");
    let r = run(
        &["sbom", &whl.display().to_string()],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    let md = r.summary();
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut html, parser);
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;img"), "{html}");
}
