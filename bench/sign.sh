#!/usr/bin/env bash
# Signing benchmark against the loopback Sigstore (tests/sigstore-stack, 127.0.0.1 only):
# wall time of `attest-kit sign` (bundle + .sig/.crt per file, each verified before writing)
# for 1, 100 and 1,000 subjects, best of 3, and the requests each service received: one
# Fulcio certificate for the whole step, one Rekor entry and one timestamp per file.
# The loopback services are node processes on the same machine, so these times include their
# CPU (certificate issuance, tree and checkpoint signing, RFC 3161 signing).
#
#   bash bench/sign.sh            # builds the release binary first
#   BIN=target/debug/attest-kit bash bench/sign.sh   # or measure a given binary
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet
  BIN="$root/target/release/attest-kit"
fi
(cd tests/sigstore-stack && [ -d node_modules/@sigstore/mock ] || npm ci --no-audit --no-fund --loglevel=error)
work=$(mktemp -d "${TMPDIR:-/tmp}/attest-kit-sign-bench.XXXXXX")
node tests/sigstore-stack/server.js --dir "$work/stack" > "$work/stack.out" &
stack_pid=$!
trap 'kill "$stack_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/stack.out" ] && break; sleep 0.1; done
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/stack/stack.json" "$1"; }
url=$(field url)
export ACTIONS_ID_TOKEN_REQUEST_URL="$url/token" ACTIONS_ID_TOKEN_REQUEST_TOKEN=$(field requestToken)
stats() { curl -s "$url/__stats"; }

now() { date +%s%N; }
echo "| subjects | best of 3 (s) | requests in one run |"
echo "|---:|---:|---|"
for n in 1 100 1000; do
  dir="$work/files-$n"
  mkdir -p "$dir"
  for i in $(seq "$n"); do printf 'artifact %d\n' "$i" > "$dir/f$i.bin"; done
  best=
  for _ in 1 2 3; do
    rm -rf "$work/out"
    before=$(stats)
    t0=$(now)
    "$BIN" sign "$dir/*.bin" --signing-config "$work/stack/signing_config.json" \
      --trusted-root "$work/stack/trusted_root.json" --output-dir "$work/out" >/dev/null
    t1=$(now)
    after=$(stats)
    dt=$((t1 - t0))
    if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
  done
  delta=$(python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(', '.join(f'{k} {b.get(k,0)-a.get(k,0)}' for k in ('oidc','fulcio','rekor','tsa')))" "$before" "$after")
  awk -v n="$n" -v ns="$best" -v d="$delta" 'BEGIN { printf "| %d | %.3f | %s |\n", n, ns / 1e9, d }'
done
