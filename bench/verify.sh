#!/usr/bin/env bash
# Verification speed, offline, on this machine:
#   1. one process verifying one bundle: attest-kit vs @sigstore/verify (node) vs sigstore-python;
#   2. 1,000 bundles in one `attest-kit verify` call (rayon; the trusted root is parsed once).
#
# Environment:
#   ATTEST_KIT_BIN        attest-kit binary (default: target/release/attest-kit, built with
#                         `cargo build --release` when missing)
#   ATTEST_KIT_PEER_VENV  venv with sigstore==4.5.1 (skipped when unset)
#   BENCH_NODE_DIR        folder holding node_modules/@sigstore/verify 4.1.3 (installed there
#                         with npm when missing; skipped when npm is absent). Default:
#                         a temporary folder.
#   RUNS                  processes per single-bundle measurement (default 10)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
runs="${RUNS:-10}"
bin="${ATTEST_KIT_BIN:-$repo/target/release/attest-kit}"
if [ ! -x "$bin" ]; then
    cargo build --release --locked --quiet
    bin="$repo/target/release/attest-kit"
fi

cases="$repo/tests/fixtures/sigstore-conformance"
bundle="$cases/happy-path-v0.3/bundle.sigstore.json"
artifact="$cases/a.txt"
root="$repo/tests/fixtures/gh-attestations/trusted_root.json"
identity="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
issuer="https://token.actions.githubusercontent.com"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
# mean seconds per run of "$@" over $runs runs; fails if any run fails
time_runs() {
    local start end
    start="$(now)"
    for _ in $(seq "$runs"); do
        "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
    done
    end="$(now)"
    python3 -c "print(f'{($end - $start) / $runs:.3f}')"
}

echo "| tool | what | seconds |"
echo "|---|---|---:|"

t="$(time_runs "$bin" verify "$artifact" --bundle-path "$bundle" \
    --certificate-identity "$identity" --certificate-oidc-issuer "$issuer")"
echo "| attest-kit | 1 bundle, 1 process (mean of $runs) | $t |"

node_dir="${BENCH_NODE_DIR:-$work/node}"
if command -v node >/dev/null && command -v npm >/dev/null; then
    if [ ! -d "$node_dir/node_modules/@sigstore/verify" ]; then
        mkdir -p "$node_dir"
        npm install --silent --no-audit --no-fund --prefix "$node_dir" \
            @sigstore/verify@4.1.3 @sigstore/bundle@5.0.1 @sigstore/protobuf-specs@0.5.2 >/dev/null
    fi
    t="$(NODE_PATH="$node_dir/node_modules" time_runs node "$repo/bench/sigstore-verify.js" \
        "$root" "$bundle" "$artifact" "$identity" "$issuer")"
    echo "| @sigstore/verify 4.1.3 (node) | 1 bundle, 1 process (mean of $runs) | $t |"
else
    echo "| @sigstore/verify | skipped: no node/npm | — |"
fi

if [ -n "${ATTEST_KIT_PEER_VENV:-}" ]; then
    t="$(time_runs "$ATTEST_KIT_PEER_VENV/bin/python" -m sigstore verify identity --offline \
        --bundle "$bundle" --cert-identity "$identity" --cert-oidc-issuer "$issuer" "$artifact")"
    echo "| sigstore-python 4.5.1 | 1 bundle, 1 process (mean of $runs) | $t |"
else
    echo "| sigstore-python | skipped: ATTEST_KIT_PEER_VENV unset | — |"
fi

mkdir -p "$work/bundles"
for i in $(seq 1000); do cp "$bundle" "$work/bundles/$i.sigstore.json"; done
start="$(now)"
"$bin" verify "$artifact" --bundle-path "$work/bundles/*.sigstore.json" \
    --certificate-identity "$identity" --certificate-oidc-issuer "$issuer" --format json \
    >"$work/out.json"
end="$(now)"
count="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['verifiedCount'])" "$work/out.json")"
[ "$count" = 1000 ] || { echo "expected 1000 verified, got $count" >&2; exit 1; }
t="$(python3 -c "print(f'{$end - $start:.3f}')")"
echo "| attest-kit | 1,000 bundles, 1 process ($(nproc) cores) | $t |"
