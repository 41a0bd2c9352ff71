#!/usr/bin/env bash
# Measures attesta against its peers and the hardware limit, in one run, on
# this machine. Installs what it needs (Debian packages qrencode, zbar-tools,
# hyperfine; a Python venv with base45, cbor2, pycose). Prints a table of
# medians and ratios and writes it to $OUT/results.md.
#
#   bench/compare.sh                       # defaults: a few minutes on 2 cores
#   MEM_ROWS=1000000 bench/compare.sh      # the 1,000,000-row peak-memory run
#
# See docs/performance.md for what each line means and a recorded run.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-600}             # default-KDF batch rows (all cores)
PNG_ROWS=${PNG_ROWS:-1000}    # PNG outputs, attesta vs qrencode
MEM_ROWS=${MEM_ROWS:-100000}  # rows of the peak-memory run
OUT=${OUT:-target/compare}
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CORES=$(nproc)

say() { printf '\n== %s\n' "$*" >&2; }

say "installing peers"
need=()
for t in qrencode:qrencode zbarimg:zbar-tools hyperfine:hyperfine bc:bc; do
  command -v "${t%%:*}" >/dev/null || need+=("${t##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
VENV=bench/compare/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q base45 cbor2 pycose
fi
PY="$VENV/bin/python"

say "building (release)"
cargo build --release -q -p attesta
A=$PWD/target/release/attesta

say "criterion benchmarks"
cargo bench -q -p attesta-core --bench format -- --warm-up-time 1 --measurement-time 4 >"$OUT/criterion-core.txt" 2>&1
cargo bench -q -p attesta-verify --bench verify -- --warm-up-time 1 --measurement-time 4 >"$OUT/criterion-verify.txt" 2>&1
cargo bench -q -p attesta-pdf --bench pdf -- --warm-up-time 1 --measurement-time 4 >"$OUT/criterion-pdf.txt" 2>&1
median_ns() { # group/name -> median in ns, from criterion's estimates
  "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"])' \
    "target/criterion/$1/new/estimates.json"
}
ISSUE=$(median_ns issue/pipeline_without_kdf)
SIGN=$(median_ns issue/bare_ed25519_sign)
VERIFY=$(median_ns verify/check_without_cf)
STRICT=$(median_ns verify/bare_verify_strict)
OPEN=$(median_ns open_default_kdf/open_envelope)
ARGON=$(median_ns open_default_kdf/bare_argon2id)
KDF=$(median_ns kdf/default_19MiB_t2)
SL_LOAD=$(median_ns status_list_5M/load_and_verify)
SL_GET=$(median_ns status_list_5M/lookup)
PNG1=$(median_ns qr/png)
SCAN=$(median_ns scan/png_render_8px)
PDF=$(median_ns pdf/render_first_level)

say "keys, trust list and rows"
"$A" demo --dir "$OUT/demo" >/dev/null
KEY="$OUT/demo/issuer.key"
"$PY" bench/compare/gen_rows.py "$ROWS" >"$OUT/rows.csv"
"$PY" bench/compare/gen_rows.py "$PNG_ROWS" >"$OUT/png-rows.csv"
"$PY" bench/compare/gen_rows.py "$MEM_ROWS" >"$OUT/mem-rows.csv"

batch() { # rows dir jobs extra...
  local rows=$1 dir=$2 jobs=$3
  shift 3
  "$A" issue --key "$KEY" --issuer INPS --batch "$rows" --out-dir "$dir" --format txt --quiet --jobs "$jobs" "$@"
}
seconds() { # command... -> wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

say "batch issuance with default KDF: 1 core, then all $CORES"
head -n $((ROWS / 4 + 1)) "$OUT/rows.csv" >"$OUT/rows-1.csv"
T1=$(seconds batch "$OUT/rows-1.csv" "$OUT/b1" 1)
TN=$(seconds batch "$OUT/rows.csv" "$OUT/bn" "$CORES")
RATE1=$(echo "($ROWS / 4) / $T1" | bc -l)
RATEN=$(echo "$ROWS / $TN" | bc -l)
KDF_LIMIT=$(echo "$CORES * 1000000000 / $KDF" | bc -l)

say "PNG output: attesta batch (cheap KDF) vs qrencode, $PNG_ROWS images each, all cores"
TP=$(seconds "$A" issue --key "$KEY" --issuer INPS --batch "$OUT/png-rows.csv" --out-dir "$OUT/png" \
  --format png --quiet --kdf-memory-mib 1 --kdf-iterations 1)
# The same texts, one qrencode process per image, as many in parallel as cores.
batch "$OUT/png-rows.csv" "$OUT/pngtxt" "$CORES" --kdf-memory-mib 1 --kdf-iterations 1
mkdir -p "$OUT/qrencode"
ls "$OUT/pngtxt"/*.txt >"$OUT/texts.lst"
TQ=$(seconds sh -c "xargs -P $CORES -I{} sh -c 'qrencode -l Q -s 8 -o \"$OUT/qrencode/\$(basename {} .txt).png\" < {}' < $OUT/texts.lst")

say "Python EU DCC pipeline (base45 + zlib + cbor2 + pycose) on the same codes"
ls "$OUT"/pngtxt/*.txt | sed -n '1,300p' | xargs cat >"$OUT/codes.txt"
PUB=$("$A" key show "$KEY.pub" | awk '/public key:/ {print $3}')
PYDCC=$("$PY" bench/compare/dcc_pipeline.py "$OUT/codes.txt" "$PUB" 5)

say "whole-process verify of a PNG vs zbarimg reading it"
PNG="$OUT/demo/attestazione.png"
V="$A verify $PNG --cf RSSMRA85T10A562S --trust $OUT/demo/trust.cwt --root $OUT/demo/root.key.pub --status-list $OUT/demo/status-1.cwt --state $OUT/state.json"
hyperfine -N -w 3 -r 30 --export-json "$OUT/verify.json" "$V" "zbarimg --quiet --raw $PNG" >/dev/null 2>&1
read -r VPROC ZBAR < <("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["median"]*1000, r[1]["median"]*1000)' "$OUT/verify.json")

say "peak memory: batch of $MEM_ROWS rows (txt, cheap KDF)"
/usr/bin/time -v "$A" issue --key "$KEY" --issuer INPS --batch "$OUT/mem-rows.csv" --out-dir "$OUT/mem" \
  --format txt --quiet --kdf-memory-mib 1 --kdf-iterations 1 2>"$OUT/mem-time.txt" >/dev/null || true
PEAK_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$OUT/mem-time.txt")
MEM_WALL=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$OUT/mem-time.txt")

r() { echo "scale=3; $1 / $2" | bc -l; }
us() { echo "scale=2; $1 / 1000" | bc -l; }
{
  echo "| measurement | attesta | reference | ratio | target |"
  echo "|---|---|---|---|---|"
  echo "| verify up to signature + validity (no KDF) vs bare verify_strict | $(us "$VERIFY") µs | $(us "$STRICT") µs | $(r "$VERIFY" "$STRICT")× | ≤ 1.25× |"
  echo "| envelope opening vs bare Argon2id (19 MiB, t=2) | $(us "$OPEN") µs | $(us "$ARGON") µs | $(r "$OPEN" "$ARGON")× | ≤ 1.05× |"
  echo "| issue pipeline (no KDF) vs bare Ed25519 sign | $(us "$ISSUE") µs | $(us "$SIGN") µs | $(r "$ISSUE" "$SIGN")× | ≤ 1.5× |"
  echo "| PNG output, $PNG_ROWS codes (batch incl. cheap KDF+sign) vs qrencode ($CORES parallel) | $(printf %.2f "$TP") s | $(printf %.2f "$TQ") s | $(r "$TP" "$TQ")× | ≤ 1× |"
  echo "| decode + verify one code vs Python DCC pipeline (base45/cbor2/pycose) | $(us "$VERIFY") µs | ${PYDCC} µs | $(r "$(us "$VERIFY")" "$PYDCC")× | — |"
  echo "| whole-process \`attesta verify\` on a PNG vs \`zbarimg\` reading it | $(printf %.1f "$VPROC") ms | $(printf %.1f "$ZBAR") ms | $(r "$VPROC" "$ZBAR")× | < 150 ms |"
  echo "| batch, default KDF, $CORES cores: rows/s vs $CORES × single-thread KDF rate | $(printf %.1f "$RATEN") /s | $(printf %.1f "$KDF_LIMIT") /s | $(r "$RATEN" "$KDF_LIMIT") | ≥ 0.90 |"
  echo "| batch, default KDF: 1 core | $(printf %.1f "$RATE1") /s | $(printf %.1f "$(echo "1000000000 / $KDF" | bc -l)") /s (KDF alone) | $(r "$RATE1" "$(echo "1000000000 / $KDF" | bc -l)") | — |"
  echo "| peak memory, batch of $MEM_ROWS rows (wall $MEM_WALL) | $((PEAK_KB / 1024)) MB | | | < 200 MB |"
  echo "| status list, 5,000,000 entries: load + verify / lookup | $(us "$SL_LOAD") µs / $(printf %.1f "$SL_GET") ns | | | < 50 ms / < 1 µs |"
  echo "| QR PNG render (v11, 8 px) / scan of that PNG | $(us "$PNG1") µs / $(us "$SCAN") µs | | | — |"
  echo "| PDF writing, one attestation | $(us "$PDF") µs | | | — |"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'); $(date -u +%Y-%m-%d)."
} | tee "$OUT/results.md"
