#!/usr/bin/env bash
# SBOM benchmark: attest-kit against cyclonedx-py (PyPI cyclonedx-bom, the peer) on the same
# machine, same run, best of 5 wall times each:
#   - a large real wheel: cryptography's (~4 MB, every member hashed, SPDX + CycloneDX +
#     statements). cyclonedx-py cannot read a wheel: it gets the same wheel installed alone in a
#     venv (`cyclonedx-py environment`), which is the closest it comes.
#   - an environment of ~100 installed packages (the pinned tools below and their
#     dependencies): `attest-kit sbom <wheel> --sbom-environment ENV` vs
#     `cyclonedx-py environment ENV/bin/python`.
# Needs PyPI (or a pip mirror) the first time, to fill bench/.cache-sbom. Prints a Markdown
# table (the README's figures come from it).
#
#   bash bench/sbom.sh            # builds the release binary first
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cargo build --release --locked --quiet
bin="$root/target/release/attest-kit"
cache="$root/bench/.cache-sbom"
mkdir -p "$cache"
pip_q() { "$@" --quiet --disable-pip-version-check; }

pins="spdx-tools==0.8.3 ntia-conformance-checker==4.1.2 check-jsonschema==0.39.0 cyclonedx-bom==7.5.0 sigstore==4.5.1 sphinx==8.1.3 pytest==8.3.4"
if [ "$(cat "$cache/env/.pins" 2>/dev/null)" != "$pins" ]; then
  [ -x "$cache/env/bin/python" ] || python3 -m venv "$cache/env"
  # shellcheck disable=SC2086 # one word per pin
  pip_q "$cache/env/bin/pip" install $pins
  echo "$pins" > "$cache/env/.pins"
fi
py="$cache/env/bin/python"
crypto=$("$py" -c 'import importlib.metadata as m; print(m.version("cryptography"))')
if ! ls "$cache"/wheels/cryptography-"$crypto"-*.whl >/dev/null 2>&1; then
  pip_q "$cache/env/bin/pip" download --no-deps --only-binary=:all: -d "$cache/wheels" "cryptography==$crypto"
fi
whl=$(ls "$cache"/wheels/cryptography-"$crypto"-*.whl | head -n1)
if [ ! -x "$cache/crypto/bin/python" ]; then
  python3 -m venv "$cache/crypto"
  pip_q "$cache/crypto/bin/pip" install --no-deps "$whl"
fi
packages=$(ls -d "$cache"/env/lib/python*/site-packages/*.dist-info | wc -l)

work=$(mktemp -d "${TMPDIR:-/tmp}/attest-kit-sbom-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
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
speedup() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f×", a / b }'; }

# Check both work before timing them.
"$bin" sbom "$whl" --output-dir "$work/w" >/dev/null 2>&1
"$bin" sbom "$whl" --sbom-environment "$cache/env" --output-dir "$work/e" >/dev/null
"$cache/env/bin/cyclonedx-py" environment "$cache/env/bin/python" >/dev/null

ak_wheel=$(best_of 5 "$bin" sbom "$whl" --output-dir "$work/w")
peer_wheel=$(best_of 5 "$cache/env/bin/cyclonedx-py" environment "$cache/crypto/bin/python")
ak_env=$(best_of 5 "$bin" sbom "$whl" --sbom-environment "$cache/env" --output-dir "$work/e")
peer_env=$(best_of 5 "$cache/env/bin/cyclonedx-py" environment "$cache/env/bin/python")

files=$(python3 -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$whl")
size=$(du -k "$whl" | cut -f1)
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || uname -m)
echo "Machine: $cpu, $(nproc) cores; attest-kit $("$bin" --version | cut -d' ' -f2); cyclonedx-py $("$cache/env/bin/cyclonedx-py" --version 2>/dev/null | tail -n1)"
echo
echo "| case | cyclonedx-py | attest-kit | attest-kit speed-up |"
echo "|---|---:|---:|---:|"
echo "| $(basename "$whl") (${size} KiB, $files members; peer: the same wheel installed alone) | ${peer_wheel} s | ${ak_wheel} s | $(speedup "$peer_wheel" "$ak_wheel") |"
echo "| environment of $packages installed packages | ${peer_env} s | ${ak_env} s | $(speedup "$peer_env" "$ak_env") |"
