#!/usr/bin/env bash
# The photo benchmark in one command (see docs/photo-benchmark.md):
#
#   bench/photos/run.sh [REPEAT] [held-out]
#
# builds the corpus generator and our reader (release), generates the corpus
# (14 distortion kinds x 10 images, real attestation codes, deterministic),
# installs the peers if missing (zxing-cpp from PyPI in bench/photos/.venv,
# zbarimg from Debian's zbar-tools), reads the corpus with all three and
# prints the per-kind table. Every file is read REPEAT times (default 3) by
# each decoder and its fastest time kept, which filters out most of the noise
# of a shared machine. Results: bench/photos/results/*.tsv. With
# `held-out`, the corpus is images 10-19 of each kind instead (same
# severities, other random draws and codes), in corpus-held-out/ and
# results-held-out/.
set -euo pipefail

repeat="${1:-3}"
set_name="${2:-}"
case "$set_name" in
"") suffix="" ;;
held-out) suffix="-held-out" ;;
*)
    echo "usage: $0 [REPEAT] [held-out]" >&2
    exit 2
    ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="$here/corpus$suffix"
results="$here/results$suffix"
venv="$here/.venv"
zxing_version="3.1.1"

cd "$root"
echo "== building (release)" >&2
cargo build --release --quiet -p attesta-photo-bench
bench="$root/target/release/attesta-photo-bench"

echo "== generating the corpus in $corpus" >&2
rm -rf "$corpus"
"$bench" generate "$corpus" $set_name

if ! command -v zbarimg >/dev/null 2>&1; then
    echo "== installing zbar-tools" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && apt-get install -y -qq zbar-tools >/dev/null
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq zbar-tools >/dev/null
    fi
fi
if ! "$venv/bin/python" -c "import zxingcpp, PIL" >/dev/null 2>&1 ||
    [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("zxing-cpp"))')" != "$zxing_version" ]; then
    echo "== installing zxing-cpp $zxing_version in $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "zxing-cpp==$zxing_version" pillow numpy
fi

mkdir -p "$results"
echo "== reading with attesta (ours), $repeat runs per file" >&2
"$bench" scan "$corpus" "$repeat" >"$results/ours.tsv"
echo "== reading with zxing-cpp and zbarimg, $repeat runs per file" >&2
"$venv/bin/python" "$here/peers.py" "$corpus" "$repeat" "$results"

echo >&2
echo "machine: $(nproc) cores, $(uname -m); zxing-cpp $zxing_version; $(zbarimg --version 2>/dev/null | head -1 | sed 's/^/zbar /')"
echo
python3 "$here/report.py" "$results"
