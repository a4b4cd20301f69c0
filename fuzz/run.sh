#!/bin/sh
# fuzz/run.sh [HARNESS...] - runs each libFuzzer harness (template, input,
# parse, joblog, timeline, pipe, quote; all by default) for FUZZ_SECONDS
# (default 60) starting from its seed corpus in tests/fuzz/corpus/HARNESS,
# and fails if any of
# them finds a crash, a sanitizer report, a broken check, a leak, a hang
# or runaway memory.
#
# New inputs go to a scratch corpus, so the seeds stay as they are; with
# FUZZ_MERGE=1 the inputs that add coverage are merged into the seeds.
# Crash inputs are kept in FUZZ_OUT (default $TMPDIR/parx-fuzz), each with
# the command that replays it.
set -u
cd "$(dirname "$0")/.." || exit 2

secs=${FUZZ_SECONDS:-60}
out=${FUZZ_OUT:-${TMPDIR:-/tmp}/parx-fuzz}
harnesses=${*:-template input parse joblog timeline pipe quote}

${MAKE:-make} -s fuzz || exit 2
mkdir -p "$out" || exit 2

fail=0
for h in $harnesses; do
	bin=fuzz/$h-fuzz
	seeds=tests/fuzz/corpus/$h
	if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
		echo "fuzz $h: no harness $bin or no seeds in $seeds" >&2
		fail=1
		continue
	fi
	work=$out/$h.corpus
	log=$out/$h.log
	rm -rf "$work"
	mkdir -p "$work"
	nseed=$(ls "$seeds" | wc -l | tr -d ' ')
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$out/$h-" \
	    "$work" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' \
	    "$log" | tail -n 1)
	corp=$(grep -a 'corp: ' "$log" | tail -n 1 |
	    sed 's/.*corp: \([0-9]*\)\/\([^ ]*\).*/\1 units (\2)/')
	if [ "$rc" -ne 0 ] || grep -aq -e '^==[0-9]*==ERROR' \
	    -e 'runtime error:' -e 'check failed' "$log"; then
		echo "fuzz $h: FAILED (exit $rc) after ${runs:-?} runs; log: $log"
		grep -a -m 5 -e 'ERROR' -e 'runtime error:' -e 'check failed' \
		    -A 2 "$log" | sed 's/^/    /'
		for a in "$out/$h-"*; do
			[ -f "$a" ] && echo "    replay: $bin $a"
		done
		fail=1
		continue
	fi
	echo "fuzz $h: ${runs:-?} runs in ${secs}s, $nseed seeds -> corpus" \
	    "${corp:-?}, no crash"
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$bin" -merge=1 "$seeds" "$work" >>"$log" 2>&1 &&
		    echo "fuzz $h: seeds now $(ls "$seeds" | wc -l | tr -d ' ')"
	fi
done
exit $fail
