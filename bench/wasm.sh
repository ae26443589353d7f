#!/usr/bin/env bash
# The portable build against the native one, same machine, same inputs, same run:
#   - hashing a 1 GiB file (page-cached), best of 3, through `attest`
#   - start-up: `--version`, mean of 50 runs (the WASM figure includes Node, the runner's
#     digest check of the module and its compilation)
# Prints a Markdown table (the README's figures come from it).
#
#   bash bench/wasm.sh     # builds both release builds first
# ATTEST_KIT_BIN picks the native binary (default: target/release/attest-kit, as bench/hash.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
native="${ATTEST_KIT_BIN:-$root/target/release/attest-kit}"
[ -n "${ATTEST_KIT_BIN:-}" ] || cargo build --release --locked --quiet
TARGET=wasm32-wasip1 bash dist/build.sh >/dev/null
wasm=(node "$root/dist/attest-kit-wasm.mjs" "$root/dist/attest-kit.wasm")
work=$(mktemp -d "${TMPDIR:-/tmp}/attest-kit-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

now() { date +%s%N; }
best_of() {
  local n=$1 best= t0 t1 dt
  shift
  for _ in $(seq "$n"); do
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    dt=$((t1 - t0))
    if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
  done
  awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}
mean_ms() {
  local n=$1 t0 t1
  shift
  t0=$(now)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done
  t1=$(now)
  awk -v ns=$((t1 - t0)) -v n="$n" 'BEGIN { printf "%.1f", ns / n / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", a / b }'; }

head -c $((1024 * 1024 * 1024)) /dev/urandom > big.bin
cat big.bin > /dev/null
args=(attest --allow-local true --legacy-provenance false big.bin)
n_big=$(best_of 3 "$native" "${args[@]}")
w_big=$(best_of 3 "${wasm[@]}" "${args[@]}")
n_start=$(mean_ms 50 "$native" --version)
w_start=$(mean_ms 50 "${wasm[@]}" --version)

echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores; node $(node --version)"
echo
echo "| case | native | WASM (Node $(node --version)) | WASM / native |"
echo "|---|---:|---:|---:|"
echo "| attest a 1 GiB file (best of 3) | ${n_big} s | ${w_big} s | $(ratio "$w_big" "$n_big") |"
echo "| start-up, \`--version\` (mean of 50) | ${n_start} ms | ${w_start} ms | $(ratio "$w_start" "$n_start") |"
