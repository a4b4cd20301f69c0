#!/bin/sh
# Representative runs of parx under valgrind: any error, or a definite or
# indirect leak, fails the run, as does an unexpected exit status of parx.
# Run by `make valgrind`; PARX and PARX_TIMELINE select the binaries.
top=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v valgrind >/dev/null 2>&1; then
	echo "make valgrind: valgrind is not installed" >&2
	exit 1
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
p=${PARX:-$top/parx}
tl=${PARX_TIMELINE:-$top/parx-timeline}
PATH=$top/tests/bin:$PATH
fail=0
runs=0

# vg NAME STATUS COMMAND...: runs COMMAND under valgrind, wanting STATUS.
vg()
{
	name=$1 want=$2
	shift 2
	runs=$((runs + 1))
	valgrind --leak-check=full --error-exitcode=1 \
	    --errors-for-leak-kinds=definite,indirect \
	    --log-file="$d/$name.log" "$@" >"$d/out" 2>"$d/err"
	st=$?
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) error.*/\1/p' \
	    "$d/$name.log")
	def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' \
	    "$d/$name.log")
	ind=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' \
	    "$d/$name.log")
	echo "valgrind $name: exit $st, ${errs:-?} errors," \
	    "definitely lost ${def:-0}, indirectly lost ${ind:-0} bytes"
	if [ "$st" != "$want" ] || [ "${errs:-x}" != 0 ]; then
		fail=1
		echo "valgrind $name: FAILED (parx should exit $want): $*"
		grep -v -e 'unhandled amd64-linux syscall' \
		    -e 'write your own handler' -e README_MISSING \
		    -e 'Nevertheless we consider' -e bug_reports \
		    "$d/$name.log" | sed 's/^/    /'
	fi
}

seq 300 >"$d/in"
vg default 0 "$p" -j4 echo <"$d/in"
vg keep-order 0 "$p" -k -j4 bytes 300000 '{}' ::: $(seq 12)
vg line-buffer 0 "$p" --lb -j4 lines 30 '{}' ::: a b c d e f
vg tag 0 "$p" --tag -k -j3 lines 20 '{}' ::: x y z
vg shell 0 "$p" -k -c 'echo {#} {%} {}; echo err {} >&2' ::: 'a b' "c'd" e
vg joblog 0 "$p" --joblog "$d/log" -j2 echo ::: 1 2 3
vg resume 0 "$p" --joblog "$d/log" --resume -j2 echo ::: 1 2 3 4
vg big-output 0 "$p" -j2 bytes 20000000 '{}' ::: 1 2 3
vg colsep 0 "$p" --colsep , -k echo '{2}' '{1}' ::: a,b c,d
vg sources 0 "$p" -k --link echo ::: a b c ::: 1 2
vg max-args 0 "$p" -k -n 3 echo ::: $(seq 10)
vg dry-run 0 "$p" --dry-run echo '{.}' '{/}' ::: a/b.c d.e
vg bar 0 "$p" --bar -j2 echo ::: 1 2 3
vg timeout 1 "$p" --timeout 0.5 sleep ::: 5 0
vg halt 3 "$p" -j1 --halt now,fail=1 exitwith ::: 0 3 0
vg timeline 2 "$p" -j3 --joblog "$d/tl.log" --timeline "$d/tl.svg" \
    exitwith ::: 0 1 0 2 0 0
vg parx-timeline 0 "$tl" -o "$d/tl2.svg" "$d/tl.log"
vg parx-timeline-json 0 "$tl" -o - "$top/tests/timeline/known.jsonl"
vg json-log 0 "$p" --joblog "$d/log.jsonl" -j2 echo ::: 1 2 3
vg json-resume 0 "$p" --joblog "$d/log.jsonl" --resume -j2 echo ::: 1 2 3 4
vg results-dir 0 "$p" --results "$d/res" -j2 bytes 300000 '{}' ::: 1 2 3
vg results-jsonl 0 "$p" --results "$d/r.jsonl" -k --lb bytes 300000 '{}' \
    ::: 1 2 3
vg results-csv 0 "$p" --results "$d/r.csv" -j2 -n 2 echo ::: a b c
vg summary 2 "$p" --summary -j2 exitwith ::: 0 3 4
if [ "$fail" = 0 ]; then
	echo "valgrind: $runs runs, ok"
else
	echo "valgrind: $runs runs, FAILED"
fi
exit "$fail"
