#!/usr/bin/env bash
# audit at scale: 1,000 PyPI components against a PyPI-sized OSV export (generated, or OSV's
# own with ATTEST_KIT_BENCH_OSV=/path/to/PyPI/all.zip). Prints the index build time and the
# scan time separately. Optimised build without the native feature (audit does not need it),
# without fat LTO so it builds in minutes on a small machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 \
  nice cargo bench --locked --no-default-features --bench audit -- --bench
