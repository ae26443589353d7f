#!/usr/bin/env bash
# Builds attest-kit for this host (or $TARGET) into dist/<target-triple>/ and records its
# SHA-256 in dist/SHA256SUMS, the list the launcher checks before it runs a binary.
#
#   dist/build.sh                 # release profile, host triple
#   PROFILE=ci dist/build.sh      # CI's faster profile (no LTO); same code
#   TARGET=x86_64-unknown-linux-musl dist/build.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

profile=${PROFILE:-release}
target=${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
exe=
case "$target" in *windows*) exe=.exe ;; esac

# Reproducible: no timestamps or absolute paths in the binary.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$root=/attest-kit --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

cargo build --locked --profile "$profile" --target "$target" --bin attest-kit

mkdir -p "dist/$target"
cp "$CARGO_TARGET_DIR/$target/$profile/attest-kit$exe" "dist/$target/attest-kit$exe.tmp"
mv "dist/$target/attest-kit$exe.tmp" "dist/$target/attest-kit$exe"

# Rewrite the line for this triple, keep the others, sort for a stable file.
rel="$target/attest-kit$exe"
sum=$(cd dist && sha256sum "$rel")
{ [ -f dist/SHA256SUMS ] && awk -v f="$rel" '$2 != f' dist/SHA256SUMS; echo "$sum"; } | sort -k2 > dist/SHA256SUMS.tmp
mv dist/SHA256SUMS.tmp dist/SHA256SUMS
echo "built dist/$rel ($profile)"
echo "$sum"
