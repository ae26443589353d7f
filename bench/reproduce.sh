#!/usr/bin/env bash
# Comparing two ~100 MB archives that differ in one member: wall time and peak memory
# (GNU time's maximum resident set size) of `attest-kit reproduce`, for a wheel-like zip
# and an sdist-like tar.gz. The archives are made by Python's zipfile/tarfile: 100 members
# of 1 MiB of incompressible bytes, the 50th changed in the rebuilt copy.
#
# Environment:
#   ATTEST_KIT_BIN  attest-kit binary (default: target/release/attest-kit, built with
#                   `cargo build --release` when missing)
#   MEMBERS         members per archive (default 100), each 1 MiB
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bin="${ATTEST_KIT_BIN:-$repo/target/release/attest-kit}"
if [ ! -x "$bin" ]; then
    cargo build --release --locked --quiet
    bin="$repo/target/release/attest-kit"
fi
members="${MEMBERS:-100}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/published" "$work/rebuilt"

python3 - "$work" "$members" <<'PY'
import io, os, random, sys, tarfile, zipfile
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
blobs = [rng.randbytes(1 << 20) for _ in range(n)]
changed = list(blobs)
changed[n // 2] = changed[n // 2][:-16] + b"rebuilt-changed!"
for side, data in (("published", blobs), ("rebuilt", changed)):
    with zipfile.ZipFile(f"{work}/{side}/big-1.0-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
        for i, b in enumerate(data):
            z.writestr(zipfile.ZipInfo(f"big/m{i:03}.bin", (2024, 1, 1, 0, 0, 0)), b)
    with tarfile.open(f"{work}/{side}/big-1.0.tar.gz", "w:gz", compresslevel=6) as t:
        for i, b in enumerate(data):
            info = tarfile.TarInfo(f"big-1.0/m{i:03}.bin")
            info.size, info.mtime = len(b), 1700000000
            t.addfile(info, io.BytesIO(b))
PY
ls -l "$work/published" | sed 1d

for name in big-1.0-py3-none-any.whl big-1.0.tar.gz; do
    out="$work/time-$name.txt"
    /usr/bin/time -v -o "$out" "$bin" reproduce --reference "$work/published" \
        --fail-on-difference false --output-dir "$work/out" "$work/rebuilt/$name" >/dev/null
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out")
    echo "$name: wall $wall, peak RSS $((rss / 1024)) MiB"
done
