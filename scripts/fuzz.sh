#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ (nightly only; the product builds on stable) one after
# the other, one process each, under `nice -n 19`, and prints per target the executions, the
# time, exec/s, coverage (edges `cov` and features `ft`) and the crashes found.
#
#   bash scripts/fuzz.sh                  # each target until 10,000,000 runs or 30 minutes
#   bash scripts/fuzz.sh --smoke          # clippy on fuzz/, then each target 20 seconds (CI); also FUZZ_SMOKE=1
#   bash scripts/fuzz.sh lock_uv osv_record   # only these targets
#
# SECONDS_PER_TARGET (default 1800) and RUNS_PER_TARGET (default 10000000) bound each target,
# whichever comes first; the smoke mode is 20 seconds and no run bound. New inputs go to
# fuzz/target/corpus/<target> (kept between runs, not committed); the committed seeds in
# fuzz/corpus/<target> are read, never written. A crash stops that target, its input is
# saved in fuzz/artifacts/<target>/, the other targets still run, and the exit is 1.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root/fuzz"

smoke=${FUZZ_SMOKE:-0}
targets=()
for a in "$@"; do
  case "$a" in
    --smoke) smoke=1 ;;
    -*) echo "fuzz.sh: unknown option $a (expected --smoke or target names)" >&2; exit 2 ;;
    *) targets+=("$a") ;;
  esac
done
if [ "$smoke" = 1 ]; then
  seconds=20
  runs=-1
else
  seconds=${SECONDS_PER_TARGET:-1800}
  runs=${RUNS_PER_TARGET:-10000000}
fi

# The toolchain and cargo-fuzz, pinned, when missing: a dated nightly, so that a run next month
# builds with the compiler this one did (FUZZ_TOOLCHAIN overrides it, e.g. `nightly`).
toolchain=${FUZZ_TOOLCHAIN:-nightly-2026-05-20}
cargo_fuzz_version=0.13.2
if ! cargo "+$toolchain" --version >/dev/null 2>&1; then
  rustup toolchain install "$toolchain" --profile minimal --component clippy
fi
if ! cargo fuzz --version 2>/dev/null | grep -q " $cargo_fuzz_version"; then
  cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked
fi

all=$(cargo "+$toolchain" fuzz list)
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets <<<"$all"
fi
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$all" || { echo "fuzz.sh: no fuzz target $t (see fuzz/fuzz_targets/)" >&2; exit 2; }
done

# No sanitizer: the crate forbids unsafe code, and a sanitizer would halve the executions;
# debug assertions stay on, so an integer overflow is a crash.
# The fuzz crate is linted like the product (its own workspace, so the root clippy skips it);
# the smoke run (CI) does it, a long run need not.
if [ "$smoke" = 1 ]; then
  rustup component add clippy --toolchain "$toolchain" >/dev/null 2>&1 || true
  cargo "+$toolchain" clippy --locked --all-targets -- -D warnings
fi
nice -n 10 cargo "+$toolchain" fuzz build --sanitizer none --debug-assertions
bin="$root/fuzz/target/x86_64-unknown-linux-gnu/release"

# Targets that read a path get their input through a scratch file: keep those in memory.
scratch_parent=/dev/shm
[ -d "$scratch_parent" ] && [ -w "$scratch_parent" ] || scratch_parent=${TMPDIR:-/tmp}
scratch=$(mktemp -d "$scratch_parent/attest-kit-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

dict_for() {
  case "$1" in
    bundle_*|osv_record|audit_sbom|lock_pipfile) echo "$root/fuzz/dict/json.dict" ;;
    lock_uv|lock_poetry|lock_pylock|lock_cargo) echo "$root/fuzz/dict/toml.dict" ;;
    action_inputs) echo "$root/fuzz/dict/action_inputs.dict" ;;
  esac
}

summary=()
failed=0
for t in "${targets[@]}"; do
  printf '\n== %s (%s s%s)\n' "$t" "$seconds" "$([ "$runs" -gt 0 ] && echo ", at most $runs runs")"
  mkdir -p "target/corpus/$t" "artifacts/$t"
  log="target/$t.log"
  args=(-max_total_time="$seconds" -runs="$runs" -timeout=30 -rss_limit_mb=2048
    -print_final_stats=1 -artifact_prefix="artifacts/$t/")
  dict=$(dict_for "$t")
  [ -n "$dict" ] && args+=(-dict="$dict")
  start=$(date +%s)
  set +e
  TMPDIR="$scratch" nice -n 19 "$bin/$t" "${args[@]}" "target/corpus/$t" "corpus/$t" 2>"$log"
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[^ ]*\).*/\1/p' <<<"$last")
  crash="none"
  if [ "$rc" -ne 0 ]; then
    failed=1
    crash=$(grep -oE '(Test unit written to|written to) [^ ]+' "$log" | tail -1 | sed 's/.* //')
    crash=${crash:-"exit $rc, see fuzz/$log"}
    grep -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | head -3 || true
  fi
  line="$t: ${execs:-?} execs in ${took} s, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, crashes: $crash"
  echo "$line"
  summary+=("$line")
done

printf '\n== summary (%s)\n' "$(date -u +%Y-%m-%d)"
printf '%s\n' "${summary[@]}"
exit "$failed"
