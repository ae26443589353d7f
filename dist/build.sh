#!/usr/bin/env bash
# Builds attest-kit for this host (or $TARGET) into dist/<target-triple>/ and records its
# SHA-256 in dist/SHA256SUMS, the list the launcher checks before it runs a binary.
#
#   dist/build.sh                 # release profile, host triple, reproducible flags
#   TARGET=x86_64-unknown-linux-musl dist/build.sh
#   TARGET=wasm32-wasip1 dist/build.sh   # the portable build: dist/attest-kit.wasm
#   PROFILE=dev REPRODUCIBLE=0 dist/build.sh
#       # the tests' own debug build, reused as is (CI's end-to-end tests: no second build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

profile=${PROFILE:-release}
host=$(rustc -vV | sed -n 's/^host: //p')
target=${TARGET:-$host}
exe=
features=()
case "$target" in
  *windows*) exe=.exe ;;
  # The portable build leaves out the `native` feature (signing, verification, network).
  wasm32-*) exe=.wasm; features=(--no-default-features) ;;
esac
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
profile_dir=$profile
[ "$profile" = dev ] && profile_dir=debug

if [ "${REPRODUCIBLE:-1}" = 1 ]; then
  # No timestamps or absolute paths in the binary; an explicit --target keeps host-only
  # RUSTFLAGS out of build scripts.
  export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
  export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$root=/attest-kit --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
  cargo build --locked --profile "$profile" --target "$target" "${features[@]}" --bin attest-kit
  built="$CARGO_TARGET_DIR/$target/$profile_dir/attest-kit$exe"
else
  [ "$target" = "$host" ] || { echo "REPRODUCIBLE=0 builds for the host only" >&2; exit 2; }
  features=()
  cargo build --locked --profile "$profile" --bin attest-kit
  built="$CARGO_TARGET_DIR/$profile_dir/attest-kit$exe"
fi

# Native binaries go to dist/<triple>/; the one portable module is dist/attest-kit.wasm.
rel="$target/attest-kit$exe"
case "$target" in wasm32-*) rel="attest-kit.wasm" ;; esac
mkdir -p "$(dirname "dist/$rel")"
cp "$built" "dist/$rel.tmp"
mv "dist/$rel.tmp" "dist/$rel"

# Rewrite the line for this file, keep the others, sort for a stable file.
sum=$(cd dist && sha256sum "$rel")
{ [ -f dist/SHA256SUMS ] && awk -v f="$rel" '$2 != f' dist/SHA256SUMS; echo "$sum"; } | sort -k2 > dist/SHA256SUMS.tmp
mv dist/SHA256SUMS.tmp dist/SHA256SUMS
echo "built dist/$rel ($profile)"
echo "$sum"
