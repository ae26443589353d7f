#!/usr/bin/env bash
# The differential suite at scale: N mutants (default 20,000) of the vendored bundles through
# attest-kit, sigstore-python 4.5.1 and @sigstore/verify (tests/differential.rs), then one line
#   mutants=N false_accepts=K false_rejects=M crashes=C
# and the breakdown by mutation kind. A false accept: attest-kit accepts a mutant that a peer
# which accepts the unmutated bundle rejects (less those on tests/differential/allow-list.txt);
# a false reject: attest-kit rejects a mutant that both peers accept.
#
# Environment:
#   N                     mutants (default 20000)
#   SEED                  generator seed (default: the test's fixed seed)
#   REPORT                where every finding and the baseline go (default
#                         target/differential-report.txt)
#   ATTEST_KIT_PEER_VENV  venv with sigstore==4.5.1 (default .venv-peer)
#   tests/sigstore-stack/node_modules from `npm ci` there.
# Exit status: the test's (non-zero on an unexplained false accept or a crash).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export ATTEST_KIT_DIFF_N="${N:-20000}"
[ -z "${SEED:-}" ] || export ATTEST_KIT_DIFF_SEED="$SEED"
export ATTEST_KIT_PEER_VENV="${ATTEST_KIT_PEER_VENV:-$repo/.venv-peer}"
report="${REPORT:-$repo/target/differential-report.txt}"
mkdir -p "$(dirname "$report")"
rm -f "$report"
export ATTEST_KIT_DIFF_REPORT="$report"

cargo test --locked --quiet --test differential --no-run 2>/dev/null
status=0
cargo test --locked --quiet --test differential -- --exact attest_kit_accepts_no_mutant_a_peer_rejects \
    >"$report.log" 2>&1 || status=$?
if [ ! -s "$report" ]; then
    cat "$report.log" >&2
    echo "bench/differential.sh: the run wrote no report" >&2
    exit 1
fi
# The summary and the breakdown: the report's first block.
sed '/^$/q' "$report" | sed '/^$/d'
echo "findings and baseline: $report"
exit "$status"
