#!/usr/bin/env bash
# Proves attest-kit's own binary is reproducible, with `reproduce` itself: dist/build.sh
# (--locked, SOURCE_DATE_EPOCH, --remap-path-prefix) runs twice in clean copies of this
# tree — the second under another time zone, umask, locale and a longer build path — and
# the two binaries must be identical bytes.
#
#   bash scripts/reproducible-binary.sh              # release profile, as shipped
#   PROFILE=dev bash scripts/reproducible-binary.sh  # quicker, same flags
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
profile=${PROFILE:-release}
host=$(rustc -vV | sed -n 's/^host: //p')
exe=
case "$host" in *windows*) exe=.exe ;; esac

# The checker: a plain build of this tree (its own reproducibility is what is tested).
cargo build --locked --bin attest-kit
out=${OUT:-"$root/target/reproducible-binary"}
target/debug/attest-kit$exe reproduce \
  --rebuild-command "PROFILE=$profile bash dist/build.sh" \
  --subject-path "dist/$host/attest-kit$exe" \
  --timeout "${TIMEOUT:-3600}" \
  --output-dir "$out"
echo "report: $out/reproduce.json"
