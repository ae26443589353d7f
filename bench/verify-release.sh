#!/usr/bin/env bash
# verify-release benchmark against the loopback fake GitHub (tests/github-fake/server.py) and
# the loopback Sigstore (tests/sigstore-stack), 127.0.0.1 only: a release of 50 artifacts,
# each with a Sigstore bundle and a .sig/.crt pair, plus one SPDX SBOM per artifact
# (50 + 50 SBOMs = 100 signed files, 400 assets). Reports the wall time, the time spent
# listing and downloading (network waits included), and the time outside the network
# (signatures, SBOMs, provenance), from the JSON report; best of 3. DELAY_MS adds a
# per-download server delay to show that downloads overlap (8 at a time).
#
#   bash bench/verify-release.sh                          # builds the release binary first
#   BIN=target/debug/attest-kit DELAY_MS=50 bash bench/verify-release.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet
  BIN="$root/target/release/attest-kit"
fi
N=${N:-50}
DELAY_MS=${DELAY_MS:-0}
(cd tests/sigstore-stack && [ -d node_modules/@sigstore/mock ] || npm ci --no-audit --no-fund --loglevel=error)
work=$(mktemp -d "${TMPDIR:-/tmp}/attest-kit-release-bench.XXXXXX")
node tests/sigstore-stack/server.js --dir "$work/stack" > "$work/stack.out" &
stack_pid=$!
python3 tests/github-fake/server.py --dir "$work/gh" --download-delay-ms "$DELAY_MS" > "$work/gh.out" &
gh_pid=$!
trap 'kill "$stack_pid" "$gh_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/stack.out" ] && [ -s "$work/gh.out" ] && break; sleep 0.1; done
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
url=$(field "$work/stack/stack.json" url)
api=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['api'])" "$work/gh.out")
export ACTIONS_ID_TOKEN_REQUEST_URL="$url/token" ACTIONS_ID_TOKEN_REQUEST_TOKEN=$(field "$work/stack/stack.json" requestToken)

rel="$work/gh/releases/attest-kit/demo/v1.0.0"
mkdir -p "$rel"
for i in $(seq "$N"); do
  printf 'artifact %d\n' "$i" > "$rel/pkg-$i.tar.gz"
  sha=$(sha256sum "$rel/pkg-$i.tar.gz" | cut -d' ' -f1)
  cat > "$rel/pkg-$i.tar.gz.spdx.json" <<JSON
{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"pkg-$i","documentNamespace":"https://example.com/$i","creationInfo":{"created":"2025-01-01T00:00:00Z","creators":["Tool: bench"]},"packages":[{"SPDXID":"SPDXRef-P","name":"pkg-$i","checksums":[{"algorithm":"SHA256","checksumValue":"$sha"}]}]}
JSON
done
"$BIN" sign "$rel/*" --signing-config "$work/stack/signing_config.json" \
  --trusted-root "$work/stack/trusted_root.json" --output-dir "$rel" >/dev/null
assets=$(ls "$rel" | wc -l)

# "rekor": each .sig/.crt pair's entry is looked up in the loopback Rekor (search + fetch,
# inside the verify time); "offline": no lookups, the pairs vouched for by their bundles, so
# the verify column is time spent outside any network wait.
echo "| mode | run | assets | wall (s) | list + download (s) | verify (s) |"
echo "|---|---:|---:|---:|---:|---:|"
for mode in rekor offline; do
  extra=()
  [ "$mode" = offline ] && extra=(--offline)
  for run in 1 2 3; do
    rm -rf "$work/dl"
    GITHUB_API_URL="$api" "$BIN" verify-release v1.0.0 --repo attest-kit/demo --format json \
      --trusted-root "$work/stack/trusted_root.json" --output-dir "$work/dl" "${extra[@]}" > "$work/report.json"
    python3 - "$work/report.json" "$run" "$assets" "$mode" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["timing"]
assert r["verified"], "the release did not verify"
print(f"| {sys.argv[4]} | {sys.argv[2]} | {sys.argv[3]} | {t['totalMs']/1000:.3f} | {t['networkMs']/1000:.3f} | {t['verifyMs']/1000:.3f} |")
PY
  done
done
