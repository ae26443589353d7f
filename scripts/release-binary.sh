#!/usr/bin/env bash
# The Linux release binary as shipped (x86_64-unknown-linux-musl, release profile, built by
# dist/build.sh: --locked, SOURCE_DATE_EPOCH, --remap-path-prefix) built twice from this tree,
# in two separate clean directories, and compared byte for byte. The second build runs under
# another time zone, umask and locale, in a longer path. Both start from an empty target
# directory; only the cargo registry (downloaded sources) is shared.
#
# The first build is kept as $OUT/attest-kit-x86_64-unknown-linux-musl: the act release test
# (tests/integration/release.rs, ATTEST_KIT_RELEASE_BINARY) attests and ships that very
# binary, so CI pays for two release builds, not three.
#
#   bash scripts/release-binary.sh          # both builds; exit 1 when they differ
#   BUILDS=1 bash scripts/release-binary.sh # the first build only (no comparison)
#
# Writes $OUT/release-binary.json (default OUT=target/release-binary): the target, each
# build's directory, seconds, size and SHA-256, and whether they are identical. Needs the
# target installed (rustup target add x86_64-unknown-linux-musl) and musl-gcc (Debian/Ubuntu
# musl-tools) for aws-lc-sys's C code.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

target=${TARGET:-x86_64-unknown-linux-musl}
builds=${BUILDS:-2}
out=${OUT:-$root/target/release-binary}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/attest-kit-release.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The tracked files with their working-tree content (what a clean clone of a commit has).
copy_tree() {
  mkdir -p "$1"
  git ls-files -z | while IFS= read -r -d '' f; do
    { [ -e "$f" ] || [ -L "$f" ]; } && printf '%s\0' "$f"
  done | tar --null --no-recursion -T - -cf - | tar -xf - -C "$1"
}

# build N DIR TZ UMASK LOCALE: one clean build; prints nothing, records the result.
declare -a dirs=() secs=() sums=() sizes=()
build() {
  local n=$1 dir=$2 tz=$3 mask=$4 locale=$5
  copy_tree "$dir"
  echo "== build $n of $builds: $target in $dir (TZ=$tz, umask $mask, LC_ALL=$locale)"
  local start=$SECONDS
  (
    cd "$dir"
    umask "$mask"
    unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
    env TZ="$tz" LC_ALL="$locale" LANG="$locale" SOURCE_DATE_EPOCH="$epoch" TARGET="$target" \
      bash dist/build.sh
  )
  local bin="$dir/dist/$target/attest-kit"
  dirs+=("$dir")
  secs+=($((SECONDS - start)))
  sums+=("$(sha256sum "$bin" | cut -d' ' -f1)")
  sizes+=("$(wc -c < "$bin" | tr -d ' ')")
  install -m 0755 "$bin" "$out/attest-kit-$target.$n"
  # Each target directory is a few GiB; the next build starts from nothing anyway.
  rm -rf "$dir/target"
  echo "== build $n: ${secs[-1]} s, ${sizes[-1]} bytes, sha256:${sums[-1]}"
}

build 1 "$work/a/attest-kit" UTC 022 C.UTF-8
if [ "$builds" -ge 2 ]; then
  build 2 "$work/second-build/in/a/much/longer/directory/attest-kit" XXX-5:45 077 C
fi
mv "$out/attest-kit-$target.1" "$out/attest-kit-$target"

identical=null
if [ "$builds" -ge 2 ]; then
  if [ "${sums[0]}" = "${sums[1]}" ]; then identical=true; else identical=false; fi
fi
{
  printf '{"target": "%s", "profile": "release", "sourceDateEpoch": %s, "identical": %s, "builds": [' \
    "$target" "$epoch" "$identical"
  for i in "${!dirs[@]}"; do
    [ "$i" = 0 ] || printf ', '
    printf '{"dir": "%s", "seconds": %s, "size": %s, "sha256": "%s"}' \
      "${dirs[$i]}" "${secs[$i]}" "${sizes[$i]}" "${sums[$i]}"
  done
  printf ']}\n'
} > "$out/release-binary.json"
cat "$out/release-binary.json"

if [ "$identical" = false ]; then
  echo "the two builds of $target DIFFER" >&2
  # attest-kit explains where, when a host build of it is at hand (scripts/test.sh has one).
  checker="$root/target/debug/attest-kit"
  if [ -x "$checker" ]; then
    mkdir -p "$work/reference"
    cp "$out/attest-kit-$target" "$work/reference/attest-kit"
    mv "$out/attest-kit-$target.2" "$work/attest-kit"
    (cd "$work" && "$checker" reproduce --reference reference --subject-path attest-kit \
      --output-dir "$out/explained") || true
  fi
  exit 1
fi
rm -f "$out/attest-kit-$target.2"
echo "release binary: $out/attest-kit-$target"
