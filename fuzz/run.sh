#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after the
# other, on the nightly toolchain, and prints executions and crashes per
# target. Not part of CI (.ci/run): fuzzing needs nightly and time.
#
#   fuzz/run.sh 60                  # a quick pass: shallow bugs
#   nohup fuzz/run.sh 600 > /tmp/fuzz.log &    # the issue's 10 minutes each
#   FUZZ_TARGETS="verify_text trust_list" fuzz/run.sh 120   # some targets only
#   FUZZ_SANITIZER=address fuzz/run.sh 60    # with ASan (slower; default none)
#
# Seeds come from fuzz/corpus/<target>/ (checked in, small; rebuild them
# with fuzz/make_corpus.py). New inputs the fuzzer finds go to
# fuzz/work/<target>/ and crashes to fuzz/artifacts/<target>/, both
# ignored by git. Reproduce a crash with
#   cargo +nightly fuzz run -O -a -s none TARGET fuzz/artifacts/TARGET/crash-…
set -uo pipefail

SECS="${1:-60}"
case "$SECS" in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS]" >&2
	exit 2
	;;
esac
SANITIZER="${FUZZ_SANITIZER:-none}"
cd "$(dirname "$0")"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
	echo "installing the nightly toolchain" >&2
	rustup toolchain install nightly --profile minimal || {
		echo "no nightly toolchain and it cannot be installed here; fuzzing needs it" >&2
		exit 1
	}
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
	echo "installing cargo-fuzz" >&2
	cargo install cargo-fuzz --locked || exit 1
fi

BUILD=(-O -a -s "$SANITIZER")
targets="${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}"
echo "building: $targets" >&2
cargo +nightly fuzz build "${BUILD[@]}" || exit 1

mkdir -p logs
summary=()
total_crashes=0
for t in $targets; do
	mkdir -p "work/$t" "corpus/$t" "artifacts/$t"
	before=$(find "artifacts/$t" -type f | wc -l)
	echo "=== $t: ${SECS}s" >&2
	# -rss_limit_mb: a decode path that needs more than 2 GiB is a bug.
	# -timeout: one input taking more than 10 s is a bug (image decoding
	# of a seed takes well under 1 s).
	cargo +nightly fuzz run "${BUILD[@]}" "$t" "work/$t" "corpus/$t" -- \
		-max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -close_fd_mask=1 >"logs/$t.log" 2>&1
	rc=$?
	after=$(find "artifacts/$t" -type f | wc -l)
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
	secs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*')
	new=$((after - before))
	total_crashes=$((total_crashes + new))
	summary+=("$(printf '%-18s %12s execs %8s/s  cov %6s  exit %3s  new crashes %s' \
		"$t" "${execs:-?}" "${secs:-?}" "${cov:-?}" "$rc" "$new")")
	if [ "$new" -gt 0 ]; then
		find "artifacts/$t" -type f -newer "logs/$t.log" -o -type f -cnewer "work/$t" | head -5 >&2
		grep -m3 -E 'panicked|ERROR: libFuzzer|SUMMARY' "logs/$t.log" >&2
	fi
done

echo
echo "fuzz summary (${SECS}s per target, sanitizer $SANITIZER):"
printf '%s\n' "${summary[@]}"
echo "total new crashes: $total_crashes"
[ "$total_crashes" -eq 0 ]
