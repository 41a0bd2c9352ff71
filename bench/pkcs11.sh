#!/usr/bin/env bash
# Batch issuing with the issuer key in SoftHSM2 against the same batch with
# a key file, in one run: the real `attesta issue --batch` (default KDF,
# txt output, all cores), file and token runs interleaved, ROUNDS each;
# prints each run's rows/s and the medians. Then the criterion benchmark of
# signing alone (PKCS#11 vs in process) and of the library batch pipeline.
# Installs softhsm2 if missing; the token lives in a temporary directory.
#
#   bench/pkcs11.sh                    # ROWS=300 ROUNDS=5
#   ROWS=1000 ROUNDS=7 bench/pkcs11.sh
#
# docs/performance.md ("Signing in an HSM") records a run.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-300}
ROUNDS=${ROUNDS:-5}
CORES=$(nproc)
say() { printf '\n== %s\n' "$*" >&2; }

if ! command -v softhsm2-util >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
fi
MODULE=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)

say "building (release)"
cargo build --release -q -p attesta
A=$PWD/target/release/attesta

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$W" >"$W/softhsm2.conf"
export SOFTHSM2_CONF=$W/softhsm2.conf ATTESTA_PKCS11_MODULE=$MODULE ATTESTA_PKCS11_PIN=123456
softhsm2-util --init-token --free --label bench --so-pin 654321 --pin 123456 >/dev/null
URI='pkcs11:token=bench;object=issuer'
"$A" keygen --pkcs11 "$URI" --out "$W/hsm.pub" >/dev/null 2>&1
"$A" keygen --out "$W/file.key" >/dev/null 2>&1
python3 bench/compare/gen_rows.py "$ROWS" >"$W/rows.csv"

run() { # key dir -> rows/s from the summary line
  "$A" issue --key "$1" --issuer INPS --batch "$W/rows.csv" --out-dir "$2" \
    --format txt --quiet --jobs "$CORES" 2>&1 |
    sed -n 's/.*(\([0-9.]*\) rows\/s).*/\1/p'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

say "batch of $ROWS rows, default KDF, $CORES workers, $ROUNDS rounds (file, token, file, token, …)"
: >"$W/file.rates"
: >"$W/hsm.rates"
for i in $(seq "$ROUNDS"); do
  f=$(run "$W/file.key" "$W/f$i")
  h=$(run "$URI" "$W/h$i")
  echo "round $i: file key $f rows/s, key in SoftHSM2 $h rows/s"
  echo "$f" >>"$W/file.rates"
  echo "$h" >>"$W/hsm.rates"
done
F=$(median <"$W/file.rates")
H=$(median <"$W/hsm.rates")
echo "median: file key $F rows/s, key in SoftHSM2 $H rows/s, ratio $(awk -v h="$H" -v f="$F" 'BEGIN {printf "%.3f", h / f}')"

say "criterion: signing alone, and the library batch pipeline"
cargo bench -q -p attesta-pkcs11 --bench sign -- --warm-up-time 2 --measurement-time 8 2>&1 |
  grep -E '^(pkcs11_|  *time:|  *thrpt:)'
