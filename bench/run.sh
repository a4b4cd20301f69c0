#!/bin/sh
# run.sh - parx's benchmark, run by `make bench`.
#
# Measures parx against the posix_spawn floor (bench/floor.c), xargs -P and
# GNU parallel.  Every workload runs its commands interleaved, in rounds,
# each once per round (hyperfine when installed, else date(1)); a ratio is
# the median over the rounds of the ratio measured within one round, so a
# slow minute on the machine hits both sides alike.  Each command's output
# is checked once before the rounds (that run is also the warm-up).
#
# Knobs (environment): PARX (binary under test, default ./parx),
# BENCH_QUICK=1 (small sizes, a smoke run), BENCH_ROUNDS, BENCH_PEER_ROUNDS
# (rounds that include GNU parallel, which is slow), BENCH_ONLY (the
# workloads to run, such as "W6 W8"; default all), CC.
# Results: a table on stdout, kept with the raw timings in bench/results/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
results=$here/results
floor=$here/floor

PARX=${PARX:-$root/parx}
case $PARX in
*/*)	PARX=$(cd "$(dirname "$PARX")" && pwd)/$(basename "$PARX") ;;
*)	PARX=$(command -v "$PARX" || echo "$PARX") ;;
esac
if [ ! -x "$PARX" ]; then
	echo "run.sh: $PARX: no parx binary (run make, or set PARX)" >&2
	exit 1
fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=500 BIG=20000000 SMALL=200 MID=700 LARGE=2000 HUGE=100000000
	SEQN=20000000 XN=10000
	rounds=${BENCH_ROUNDS:-3} peer_rounds=${BENCH_PEER_ROUNDS:-1}
	w5runs=50
else
	N=5000 BIG=500000000 SMALL=2000 MID=20000 LARGE=200000
	HUGE=1000000000 SEQN=140000000 XN=100000
	rounds=${BENCH_ROUNDS:-5} peer_rounds=${BENCH_PEER_ROUNDS:-2}
	w5runs=300
fi
only=$(echo "${BENCH_ONLY:-W1 W2 W3 W4 W5 W6 W7 W8}" | tr ',' ' ')

# want W: whether workload W runs.
want() {
	case " $only " in *" $1 "*) return 0 ;; esac
	return 1
}

hf=$(command -v hyperfine || true)
gnupar=
if command -v parallel >/dev/null 2>&1 &&
    parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	gnupar=parallel
fi
gnutime=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	gnutime=/usr/bin/time
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/parx-bench.XXXXXX")
shm=
[ -d /dev/shm ] && [ -w /dev/shm ] &&
    shm=$(mktemp -d /dev/shm/parx-bench.XXXXXX 2>/dev/null) || shm=
trap 'rm -rf "$tmp" ${shm:+"$shm"}' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$results"
raw=$results/raw.csv
summary=$results/summary.txt
: >"$raw"
: >"$summary"
: >"$results/hyperfine.log"
tab=$(printf '\t')

# Shell-quotes one word.
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

say() {
	printf '%s\n' "$*" >&2
}

out() {
	# shellcheck disable=SC2059 # the first argument is the format
	printf "$@" | tee -a "$summary"
}

# build_floor: the floor is built here, so it always matches floor.c.
${CC:-cc} -O2 -Wall -o "$floor" "$here/floor.c"

P=$(q "$PARX")
F=$(q "$floor")
seq "$N" >"$tmp/items"
seq "$SMALL" >"$tmp/small"
seq "$MID" >"$tmp/mid"
seq "$LARGE" >"$tmp/large"
seq 4 >"$tmp/four"
I=$(q "$tmp/items")
FOUR=$(q "$tmp/four")
gen="$F -w $BIG"

# add WORKLOAD NAME CHECK COMMAND
# CHECK is ok (exit status 0), lines (the items, any order), order (the
# items in order), bytes=N (the command prints N, as wc -c does) or
# packed=N (N lines that hold the W8 items, in order within each).
add() {
	printf '%s\t%s\t%s\n' "$2" "$3" "$4" >>"$tmp/$1.spec"
}

# check KIND COMMAND: runs COMMAND once and says whether its result is right.
check() {
	timeout 600 sh -c "$2" <"$tmp/null" >"$tmp/out" 2>"$tmp/err" ||
	    return 1
	case $1 in
	ok)	;;
	lines)	sort -n "$tmp/out" | cmp -s - "$tmp/items" ;;
	order)	cmp -s "$tmp/out" "$tmp/items" ;;
	bytes=*) [ "$(tr -d ' ' <"$tmp/out")" = "${1#bytes=}" ] ;;
	sum=*)	[ "$(awk '{ s += $1 } END { print s }' "$tmp/out")" = \
		    "${1#sum=}" ] ;;
	packed=*)
		[ "$(wc -l <"$tmp/out" | tr -d ' ')" = "${1#packed=}" ] &&
		    tr ' ' '\n' <"$tmp/out" | sort -n | cmp -s - "$tmp/xitems"
		;;
	esac
}
: >"$tmp/null"

is_peer_slow() {
	case $1 in parallel*) return 0 ;; esac
	return 1
}

# time_round WORKLOAD ROUND OUTPUT NAME COMMAND [NAME COMMAND]...
time_round() {
	w=$1 r=$2 o=$3
	shift 3
	if [ -n "$hf" ]; then
		n=$#
		i=0
		while [ "$i" -lt "$n" ]; do
			set -- "$@" -n "$1" "$2"
			shift 2
			i=$((i + 2))
		done
		"$hf" --runs 1 --style none -i --output="$o" \
		    --export-csv "$tmp/h.csv" "$@" \
		    >>"$results/hyperfine.log" 2>&1
		tail -n +2 "$tmp/h.csv" |
		    while IFS=, read -r name mean _ _ user sys _; do
			echo "$w,$r,$name,$mean,$(awk -v u="$user" -v s="$sys" \
			    'BEGIN { print u + s }')"
		done >>"$raw"
		return
	fi
	while [ $# -gt 0 ]; do
		t0=$(date +%s.%N)
		if [ "$o" = pipe ]; then
			sh -c "$2" <"$tmp/null" 2>/dev/null | cat >/dev/null
		else
			sh -c "$2" <"$tmp/null" >/dev/null 2>&1
		fi || true
		t1=$(date +%s.%N)
		echo "$w,$r,$1,$(echo "$t0 $t1" |
		    awk '{ printf "%.6f", $2 - $1 }'),NA" >>"$raw"
		shift 2
	done
}

# What the --results and --joblog runs of W2 left: gone after each round,
# so that the file systems (a tmpfs is memory) do not fill up.
clean_results() {
	rm -rf "$tmp"/r-* "$tmp"/r.* "$tmp"/f-* "$tmp"/l.* ${shm:+"$shm"/*}
}

# run_workload WORKLOAD OUTPUT: checks, then times the rounds.
run_workload() {
	w=$1 o=$2
	while IFS=$tab read -r name kind cmd; do
		is_peer_slow "$name" && continue
		say "  $w check: $name"
		if ! check "$kind" "$cmd"; then
			say "  $w: $name gave a wrong result; not timed"
			sed 's/^/    /' "$tmp/err" | head -n 5 >&2
			echo "$name" >>"$tmp/$w.failed"
		fi
		clean_results
	done <"$tmp/$w.spec"
	touch "$tmp/$w.failed"
	r=1
	while [ "$r" -le "$rounds" ]; do
		say "  $w round $r/$rounds"
		set --
		while IFS=$tab read -r name kind cmd; do
			grep -qxF "$name" "$tmp/$w.failed" && continue
			is_peer_slow "$name" && [ "$r" -gt "$peer_rounds" ] &&
			    continue
			set -- "$@" "$name" "$cmd"
		done <"$tmp/$w.spec"
		[ $# -gt 0 ] || return 0
		# Rotate, so no command always runs first or last.
		k=$(( (r - 1) % ($# / 2) ))
		while [ "$k" -gt 0 ]; do
			a=$1 b=$2
			shift 2
			set -- "$@" "$a" "$b"
			k=$((k - 1))
		done
		time_round "$w" "$r" "$o" "$@"
		clean_results
		r=$((r + 1))
	done
}

# stat MODE WORKLOAD A [B [SCALE]]: med = median time of A; ratio =
# median of A/B per round; diff = median of (A - B) * SCALE per round.
# The time is wall-clock, or CPU time (user + system of parx and its jobs)
# when $cpu is 1.
cpu=0
stat() {
	awk -F, -v mode="$1" -v w="$2" -v a="$3" -v b="${4:-}" \
	    -v s="${5:-1}" -v f="$((4 + cpu))" '
	$f == "NA" { next }
	$1 == w && $3 == a { ta[$2] = $f }
	$1 == w && $3 == b { tb[$2] = $f }
	END {
		n = 0
		for (r in ta) {
			if (mode == "med")
				v[++n] = ta[r]
			else if ((r in tb) && tb[r] > 0) {
				if (mode == "ratio")
					v[++n] = ta[r] / tb[r]
				else
					v[++n] = (ta[r] - tb[r]) * s
			}
		}
		if (n == 0) {
			print "NA"
			exit
		}
		for (i = 2; i <= n; i++) {
			x = v[i]
			for (j = i - 1; j > 0 && v[j] > x; j--)
				v[j + 1] = v[j]
			v[j + 1] = x
		}
		print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}' "$raw"
}

fmt() {	# fmt PRINTF-FORMAT VALUE (NA stays NA)
	# shellcheck disable=SC2059 # the first argument is the format
	if [ "$2" = NA ]; then echo NA; else printf "$1" "$2"; fi
}

# verdict VALUE OP LIMIT: ok, MISS or n/a.
verdict() {
	[ "$1" = NA ] && { echo n/a; return; }
	if awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
	    exit !((op == "le" && a <= b) || (op == "lt" && a < b) ||
	    (op == "ge" && a >= b)) }'; then
		echo ok
	else
		echo MISS
	fi
}

kib_to_mb() {	# NA stays NA
	if [ "$1" = NA ]; then echo NA; else
		awk -v k="$1" 'BEGIN { print k / 1024 }'
	fi
}

# hsize BYTES: 500 MB, 1 GB
hsize() {
	awk -v b="$1" 'BEGIN { if (b >= 1e9) printf "%g GB", b / 1e9;
	    else printf "%g MB", b / 1e6 }'
}

target() {	# target LABEL MEASURED VERDICT
	printf '%-56s %10s  %s\n' "$1" "$2" "$3" >>"$tmp/targets"
}

# report_times WORKLOAD TITLE JOBS: time, ratio to the floor (the first
# row) and per-job overhead over it; then parx against each peer.
report_times() {
	w=$1 jobs=$3
	cut -f 1 "$tmp/$w.spec" >"$tmp/names"
	base=$(head -n 1 "$tmp/names")
	scale=$(awk -v n="$jobs" 'BEGIN { print 1e6 / n }')
	out '\n%s\n' "$2"
	out '  %-22s %9s %8s %12s %8s %12s\n' command median "x floor" \
	    "us/job over" "cpu x fl" "cpu us/job"
	while IFS= read -r name; do
		if grep -qxF "$name" "$tmp/$w.failed"; then
			out '  %-22s %9s\n' "$name" "WRONG RESULT"
			continue
		fi
		t=$(fmt %.3fs "$(stat med "$w" "$name")")
		x=$(fmt %.2f "$(stat ratio "$w" "$name" "$base")")
		d=$(fmt %+.1f "$(stat diff "$w" "$name" "$base" "$scale")")
		cpu=1
		cx=$(fmt %.2f "$(stat ratio "$w" "$name" "$base")")
		cd=$(fmt %+.1f "$(stat diff "$w" "$name" "$base" "$scale")")
		cpu=0
		[ "$name" = "$base" ] && d=- cd=-
		out '  %-22s %9s %8s %12s %8s %12s\n' "$name" "$t" "$x" "$d" \
		    "$cx" "$cd"
	done <"$tmp/names"
	peers_line "$w" time
}

# peers_line WORKLOAD time|rate: each parx row against each peer row, as
# the ratio of times (below 1: parx is faster) or of MB/s (above 1: parx
# is faster).
peers_line() {
	grep '^parx' "$tmp/names" >"$tmp/mine" || true
	grep -v -e '^parx' -e '^floor' "$tmp/names" >"$tmp/peers" || true
	[ -s "$tmp/peers" ] || return 0
	if [ "$2" = time ]; then
		out '  parx time / peer time:\n'
	else
		out '  parx MB/s / peer MB/s:\n'
	fi
	while IFS= read -r p; do
		line=
		while IFS= read -r o; do
			if [ "$2" = time ]; then
				v=$(stat ratio "$1" "$p" "$o")
			else
				v=$(stat ratio "$1" "$o" "$p")
			fi
			line="$line  $(fmt %.2fx "$v") $o;"
		done <"$tmp/peers"
		out '    %-20s%s\n' "$p" "${line%;}"
	done <"$tmp/mine"
}

# report_rate WORKLOAD TITLE BYTES: throughput in MB/s and relative to the
# first row, a floor (its time over ours: above 1 is faster).
report_rate() {
	w=$1 bytes=$3
	cut -f 1 "$tmp/$w.spec" >"$tmp/names"
	base=$(head -n 1 "$tmp/names")
	out '\n%s\n' "$2"
	out '  %-22s %9s %8s %12s %8s\n' command median "MB/s" \
	    "x floor MB/s" "cpu s"
	while IFS= read -r name; do
		if grep -qxF "$name" "$tmp/$w.failed"; then
			out '  %-22s %9s\n' "$name" "WRONG RESULT"
			continue
		fi
		m=$(stat med "$w" "$name")
		t=$(fmt %.3fs "$m")
		mbs=NA
		[ "$m" != NA ] && mbs=$(awk -v b="$bytes" -v t="$m" \
		    'BEGIN { printf "%.0f", b / t / 1e6 }')
		x=$(fmt %.2f "$(stat ratio "$w" "$base" "$name")")
		cpu=1
		c=$(fmt %.3f "$(stat med "$w" "$name")")
		cpu=0
		out '  %-22s %9s %8s %12s %8s\n' "$name" "$t" "$mbs" "$x" "$c"
	done <"$tmp/names"
	peers_line "$w" rate
}

# ---------------------------------------------------------------- setup

say "parx bench: $PARX"
{
	echo "machine: $(nproc) CPUs, $(grep -m 1 'model name' /proc/cpuinfo |
	    sed 's/.*: //') (family $(grep -m 1 'cpu family' /proc/cpuinfo |
	    sed 's/.*: //'), model $(grep -m 1 '^model[^ ]*:' /proc/cpuinfo |
	    sed 's/.*: //')), Linux $(uname -r)"
	echo "parx: $("$PARX" --version 2>/dev/null | head -n 1 || echo '?')"
	echo "peers: $(xargs --version 2>/dev/null | head -n 1)${gnupar:+;} \
${gnupar:+$(parallel --version | head -n 1)}"
	echo "timer: $(if [ -n "$hf" ]; then "$hf" --version; else
	    echo 'date +%s.%N'; fi); $rounds rounds, GNU parallel in" \
	    "$peer_rounds;" \
	    "values are medians over rounds"
	echo "load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
} | tee -a "$summary"
if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
	say "warning: the machine is busy; wall times will be noisy"
fi

# ---------------------------------------------------------------- W1

add W1 "floor -j2" ok "$F -j2 -n $N -- /bin/true {}"
add W1 "parx -j2" ok "$P -j2 /bin/true <$I"
# Per-job limits start jobs through the clone path instead of posix_spawn.
add W1 "parx -j2 limits" ok \
    "$P -j2 --limit-mem 1G --limit-cpu 1h --limit-files 1024 /bin/true <$I"
add W1 "xargs -P2 -n1" ok "xargs -P2 -n1 /bin/true <$I"
[ -n "$gnupar" ] &&
    add W1 "parallel -j2" ok "parallel --will-cite -j2 /bin/true <$I"
if want W1; then
	say "W1 dispatch"
	run_workload W1 null
fi

# ---------------------------------------------------------------- W2

add W2 "floor -j2 drain" ok "$F -m drain -j2 -n $N -- echo {}"
add W2 "parx -j2" lines "$P -j2 echo <$I"
add W2 "parx -j2 -k" order "$P -j2 -k echo <$I"
# What keeping results costs: each run writes to new names ($$ is the
# shell hyperfine starts), in $TMPDIR, and on a tmpfs where there is one.
# The floor with -r writes the same entries: what the file system costs.
TQ=$(q "$tmp")
add W2 "floor drain -r DIR" ok "$F -m drain -r $TQ/f-\$\$ -j2 -n $N -- echo {}"
add W2 "parx --results DIR" lines "$P -j2 --results $TQ/r-\$\$ echo <$I"
if [ -n "$shm" ]; then
	SQ=$(q "$shm")
	add W2 "floor drain -r shmDIR" ok \
	    "$F -m drain -r $SQ/f-\$\$ -j2 -n $N -- echo {}"
	add W2 "parx --results shmDIR" lines \
	    "$P -j2 --results $SQ/r-\$\$ echo <$I"
fi
add W2 "parx --results F.jsonl" lines \
    "$P -j2 --results $TQ/r.\$\$.jsonl echo <$I"
add W2 "parx --results F.csv" lines "$P -j2 --results $TQ/r.\$\$.csv echo <$I"
add W2 "parx --joblog F.jsonl" lines \
    "$P -j2 --joblog $TQ/l.\$\$.jsonl echo <$I"
add W2 "xargs -P2 -n1" lines "xargs -P2 -n1 echo <$I"
if [ -n "$gnupar" ]; then
	add W2 "parallel -j2" lines "parallel --will-cite -j2 echo <$I"
	add W2 "parallel -j2 -k" order "parallel --will-cite -j2 -k echo <$I"
fi
if want W2; then
	say "W2 grouped output"
	run_workload W2 pipe
fi

# ---------------------------------------------------------------- W3

total=$((4 * BIG))
add W3p "floor stream" "bytes=$total" \
    "$F -m stream -j2 -n 4 -- $gen | wc -c"
add W3p "floor buffer" "bytes=$total" \
    "$F -m buffer -j2 -n 4 -- $gen | wc -c"
add W3p "parx -j2" "bytes=$total" "$P -j2 $gen <$FOUR | wc -c"
add W3p "parx -j2 -k" "bytes=$total" "$P -j2 -k $gen <$FOUR | wc -c"
add W3p "parx -j2 -u" "bytes=$total" "$P -j2 -u $gen <$FOUR | wc -c"
add W3p "xargs -P2 -n1" "bytes=$total" "xargs -P2 -n1 $gen <$FOUR | wc -c"
[ -n "$gnupar" ] && add W3p "parallel -j2" "bytes=$total" \
    "parallel --will-cite -j2 $gen <$FOUR | wc -c"
add W3n "floor stream" ok "$F -m stream -j2 -n 4 -- $gen >/dev/null"
add W3n "parx -j2" ok "$P -j2 $gen <$FOUR >/dev/null"
add W3n "parx -j2 -k" ok "$P -j2 -k $gen <$FOUR >/dev/null"
add W3n "parx -j2 -u" ok "$P -j2 -u $gen <$FOUR >/dev/null"
add W3n "xargs -P2 -n1" ok "xargs -P2 -n1 $gen <$FOUR >/dev/null"
if want W3; then
	say "W3 big output, into a pipe"
	run_workload W3p null
	say "W3 big output, into /dev/null"
	run_workload W3n null
fi

# ---------------------------------------------------------------- W8

# -X packing against xargs -P2, with the same -s so that both run the
# same commands (xargs' packing is the reference: tests/xargs.bats).
XS=4096
seq "$XN" >"$tmp/xitems"
XI=$(q "$tmp/xitems")
XCMDS=$(xargs -s "$XS" echo <"$tmp/xitems" | wc -l | tr -d ' ')
add W8 "xargs -P2 -s $XS" "packed=$XCMDS" "xargs -P2 -s $XS echo <$XI"
add W8 "parx -j2 -X -s $XS" "packed=$XCMDS" "$P -j2 -X -s $XS echo <$XI"
add W8 "parx -j2 -X -s $XS -k" "packed=$XCMDS" \
    "$P -j2 -k -X -s $XS echo <$XI"
if want W8; then
	say "W8 -X packing: $XN items, $XCMDS commands"
	run_workload W8 pipe
fi

# ---------------------------------------------------------------- W4

# rss INPUT COMMAND...: peak RSS in KiB and elapsed seconds of COMMAND,
# "KIB SECONDS BYTES" with BYTES its output size.
rss() {
	in=$1
	shift
	if [ -z "$gnutime" ]; then
		echo "NA NA NA"
		return
	fi
	"$gnutime" -f '%M %e' -o "$tmp/rss" "$@" <"$in" | wc -c >"$tmp/bytes"
	echo "$(tail -n 1 "$tmp/rss") $(tr -d ' ' <"$tmp/bytes")"
}

HUGEL=$(hsize "$HUGE")
w4_small="NA NA NA" w4_smin=NA w4_smax=NA w4_mid=$w4_small
w4_large=$w4_small w4_group=$w4_small w4_keep=$w4_small
w4_fbuf=$w4_small w4_fstr=$w4_small w4_xsmall=$w4_small
w4_rdir=$w4_small w4_rjson=$w4_small w4_jlog=$w4_small
if want W4; then
	say "W4 memory"
	# The small case runs 5 times: its spread shows how much the peak RSS
	# of one and the same run varies, which the growth verdict allows for.
	i=0
	while [ "$i" -lt 5 ]; do
		rss "$tmp/small" "$PARX" -j2 /bin/true
		i=$((i + 1))
	done | sort -n >"$tmp/small.rss"
	w4_small=$(sed -n 3p "$tmp/small.rss")
	w4_smin=$(head -n 1 "$tmp/small.rss" | cut -d ' ' -f 1)
	w4_smax=$(tail -n 1 "$tmp/small.rss" | cut -d ' ' -f 1)
	say "  $SMALL jobs: $w4_small ($w4_smin..$w4_smax KiB)"
	w4_mid=$(rss "$tmp/mid" "$PARX" -j2 /bin/true)
	say "  $MID jobs: $w4_mid"
	w4_large=$(rss "$tmp/large" "$PARX" -j2 /bin/true)
	say "  $LARGE jobs: $w4_large"
	w4_group=$(rss "$tmp/four" "$PARX" -j2 "$floor" -w "$HUGE" ::: 1)
	say "  one big job: $w4_group"
	w4_keep=$(rss "$tmp/four" "$PARX" -j2 -k "$floor" -w "$HUGE" ::: 1)
	say "  one big job, -k: $w4_keep"
	# Keeping results of the big job: its output is text, as zero bytes
	# would take six times their size in JSON.
	w4_rdir=$(rss "$tmp/four" "$PARX" -j2 --results "$tmp/w4r" \
	    "$floor" -t "$HUGE" ::: 1)
	rm -rf "$tmp/w4r"
	say "  one big job, --results DIR: $w4_rdir"
	w4_rjson=$(rss "$tmp/four" "$PARX" -j2 --results "$tmp/w4r.jsonl" \
	    "$floor" -t "$HUGE" ::: 1)
	rm -f "$tmp/w4r.jsonl"
	say "  one big job, --results F.jsonl: $w4_rjson"
	w4_jlog=$(rss "$tmp/four" "$PARX" -j2 --joblog "$tmp/w4l.jsonl" \
	    "$floor" -w "$HUGE" ::: 1)
	say "  one big job, --joblog F.jsonl: $w4_jlog"
	w4_fbuf=$(rss "$tmp/four" "$floor" -m buffer -n 1 -- \
	    "$floor" -w "$HUGE")
	w4_fstr=$(rss "$tmp/four" "$floor" -m stream -n 1 -- \
	    "$floor" -w "$HUGE")
	w4_xsmall=$(rss "$tmp/small" xargs -P2 -n1 /bin/true)
fi

# ---------------------------------------------------------------- W5

if want W5; then
	say "W5 startup"
	if [ -n "$hf" ]; then
		set -- -n "parx" "$P true" -n "floor -n 0" "$F -n 0 true" \
		    -n "xargs -r" "xargs -r true"
		"$hf" -N --style none --warmup 10 --runs "$w5runs" \
		    --export-csv "$tmp/w5.csv" "$@" \
		    >>"$results/hyperfine.log" 2>&1
		if [ -n "$gnupar" ]; then
			"$hf" -N --style none --warmup 1 --runs 5 \
			    --export-csv "$tmp/w5p.csv" -n parallel \
			    "parallel --will-cite true" \
			    >>"$results/hyperfine.log" 2>&1
			tail -n +2 "$tmp/w5p.csv" >>"$tmp/w5.csv"
		fi
		tail -n +2 "$tmp/w5.csv" |
		    while IFS=, read -r name _ _ median _; do
			echo "W5,1,$name,$median,NA"
		done >>"$raw"
	else
		for name in "parx" "floor -n 0" "xargs -r"; do
			case $name in
			parx)	cmd="$P true" ;;
			floor*)	cmd="$F -n 0 true" ;;
			*)	cmd="xargs -r true" ;;
			esac
			t0=$(date +%s.%N)
			i=0
			while [ "$i" -lt 100 ]; do
				sh -c "$cmd" <"$tmp/null" >/dev/null 2>&1 ||
				    true
				i=$((i + 1))
			done
			t1=$(date +%s.%N)
			echo "W5,1,$name,$(echo "$t0 $t1" | awk \
			    '{ printf "%.6f", ($2 - $1) / 100 }'),NA" >>"$raw"
		done
	fi
fi

# ---------------------------------------------------------------- W6, W7

# W6, W7: blocks of data.  The input is the output of seq, counted with
# wc -l; jobs print their counts, which awk adds up.  W6 reads it from a
# pipe (cat FILE |) as --pipe does, W7 from the file as --pipe-part does;
# both against the one-pipe-hop floor, cat FILE | wc -l.
if want W6 || want W7; then
	say "W6, W7: making a ${SEQN}-line seq file"
	seq "$SEQN" >"$tmp/seq"
	seqbytes=$(wc -c <"$tmp/seq" | tr -d ' ')
	S=$(q "$tmp/seq")
	sum="awk '{ s += \$1 } END { print s }'"
	for w in W6 W7; do
		add $w "cat | wc -l" "sum=$SEQN" "cat $S | wc -l"
	done
	add W6 "parx --block 10M" "sum=$SEQN" \
	    "cat $S | $P -j2 --pipe --block 10M wc -l | $sum"
	add W6 "parx (1M)" "sum=$SEQN" "cat $S | $P -j2 --pipe wc -l | $sum"
	add W6 "parx --block 10M <FILE" "sum=$SEQN" \
	    "$P -j2 --pipe --block 10M wc -l <$S | $sum"
	add W7 "parx --block 10M" "sum=$SEQN" \
	    "$P -j2 --pipe-part -a $S --block 10M wc -l | $sum"
	if [ -n "$gnupar" ]; then
		g="parallel --will-cite -j2"
		add W6 "parallel --block 10M" "sum=$SEQN" \
		    "cat $S | $g --pipe --block 10M wc -l | $sum"
		add W6 "parallel (1M)" "sum=$SEQN" \
		    "cat $S | $g --pipe wc -l | $sum"
		add W7 "parallel --block 10M" "sum=$SEQN" \
		    "$g --pipe-part -a $S --block 10M wc -l | $sum"
	fi
fi
w6_pipe="NA NA NA" w6_part=$w6_pipe w6_gnu=$w6_pipe
if want W6; then
	say "W6 --pipe"
	run_workload W6 null
fi
if want W7; then
	say "W7 --pipe-part"
	run_workload W7 null
fi
if { want W6 || want W7; } && [ -n "$gnutime" ]; then
	say "W6, W7 memory"
	# The stream goes through a pipe, as in W6.
	# shellcheck disable=SC2002 # a pipe, not a file, is measured
	cat "$tmp/seq" | "$gnutime" -f '%M %e' -o "$tmp/rss" "$PARX" -j2 \
	    --pipe --block 1M wc -l | wc -c >"$tmp/bytes"
	w6_pipe="$(tail -n 1 "$tmp/rss") $(tr -d ' ' <"$tmp/bytes")"
	w6_part=$(rss "$tmp/null" "$PARX" -j2 --pipe-part -a "$tmp/seq" \
	    --block 1M wc -l)
	if [ -n "$gnupar" ]; then
		# shellcheck disable=SC2002 # as above
		cat "$tmp/seq" | "$gnutime" -f '%M %e' -o "$tmp/rss" parallel \
		    --will-cite -j2 --pipe --block 1M wc -l | wc -c \
		    >"$tmp/bytes"
		w6_gnu="$(tail -n 1 "$tmp/rss") $(tr -d ' ' <"$tmp/bytes")"
	fi
fi

w4row() {	# w4row LABEL "KIB SECONDS BYTES" EXPECTED-BYTES
	# shellcheck disable=SC2086 # split "KIB SECONDS BYTES"
	set -- "$1" $2 "$3"
	mb=$(fmt %.1f "$(kib_to_mb "$2")")
	ok=
	[ "$4" != "$5" ] && ok="  WRONG OUTPUT ($4 bytes)"
	out '  %-40s %7s MB %8ss%s\n' "$1" "$mb" "$3" "$ok"
}

report_w4() {
	out '\nW4 memory: peak RSS (/usr/bin/time %%M) and elapsed time\n'
	w4row "parx -j2 true, $SMALL jobs (median of 5)" "$w4_small" 0
	out '  %-40s %7s MB\n' "  (spread of the 5 runs)" \
	    "$(fmt %.1f "$(kib_to_mb "$w4_smin")")-$(fmt %.1f \
	    "$(kib_to_mb "$w4_smax")")"
	w4row "parx -j2 true, $MID jobs" "$w4_mid" 0
	w4row "parx -j2 true, $LARGE jobs" "$w4_large" 0
	w4row "parx -j2, 1 job printing $HUGEL" "$w4_group" "$HUGE"
	w4row "parx -j2 -k, 1 job printing $HUGEL" "$w4_keep" "$HUGE"
	w4row "  --results DIR (text output)" "$w4_rdir" "$HUGE"
	w4row "  --results F.jsonl (text output)" "$w4_rjson" "$HUGE"
	w4row "  --joblog F.jsonl" "$w4_jlog" "$HUGE"
	w4row "floor buffer, 1 job printing $HUGEL" "$w4_fbuf" "$HUGE"
	w4row "floor stream, 1 job printing $HUGEL" "$w4_fstr" "$HUGE"
	w4row "xargs -P2 -n1 true, $SMALL jobs" "$w4_xsmall" 0
}

report_w5() {
	if [ -n "$hf" ]; then
		how="median of $w5runs runs (parallel: 5), hyperfine -N"
	else
		how="mean of 100 runs, each through sh"
	fi
	out '\nW5 startup: empty input, %s\n' "$how"
	for name in "parx" "floor -n 0" "xargs -r" ${gnupar:+parallel}; do
		v=$(stat med W5 "$name")
		[ "$v" != NA ] && v=$(awk -v t="$v" 'BEGIN { print t * 1000 }')
		out '  %-24s %10s\n' "$name" "$(fmt %.2fms "$v")"
	done
}

targets_w1() {
	v=$(stat ratio W1 "parx -j2" "floor -j2")
	target "W1 parx <= 1.10x floor" "$(fmt %.3fx "$v")" \
	    "$(verdict "$v" le 1.10)"
	v=$(stat ratio W1 "parx -j2" "xargs -P2 -n1")
	target "W1 parx faster than xargs -P2" "$(fmt %.3fx "$v")" \
	    "$(verdict "$v" lt 1)"
	v=$(stat diff W1 "parx -j2 limits" "parx -j2" \
	    "$(awk -v n="$N" 'BEGIN { print 1000 / n }')")
	target "W1 limits: cost per job over parx -j2 <= 0.5 ms" \
	    "$(fmt %.3fms "$v")" "$(verdict "$v" le 0.5)"
}

targets_w2() {
	for m in "parx -j2" "parx -j2 -k"; do
		v=$(stat ratio W2 "$m" "floor -j2 drain")
		target "W2 $m <= 1.10x drain floor" "$(fmt %.3fx "$v")" \
		    "$(verdict "$v" le 1.10)"
	done
	for m in "parx --results DIR" ${shm:+"parx --results shmDIR"} \
	    "parx --results F.jsonl" "parx --results F.csv" \
	    "parx --joblog F.jsonl"; do
		v=$(stat ratio W2 "$m" "parx -j2")
		target "W2 $m <= 1.05x parx -j2" "$(fmt %.3fx "$v")" \
		    "$(verdict "$v" le 1.05)"
	done
	for d in DIR ${shm:+shmDIR}; do
		v=$(stat ratio W2 "parx --results $d" "floor drain -r $d")
		target "W2 parx --results $d <= 1.10x floor -r $d" \
		    "$(fmt %.3fx "$v")" "$(verdict "$v" le 1.10)"
	done
}

targets_w3() {
	for w in W3p W3n; do
		sink="pipe"
		[ "$w" = W3n ] && sink=/dev/null
		for m in "parx -j2" "parx -j2 -k"; do
			v=$(stat ratio "$w" "floor stream" "$m")
			target "W3 $m >= 0.90x stream floor MB/s, $sink" \
			    "$(fmt %.3fx "$v")" "$(verdict "$v" ge 0.90)"
		done
	done
}

targets_w4() {
	for c in "$SMALL jobs:$w4_small" "$MID jobs:$w4_mid" \
	    "$LARGE jobs:$w4_large" "1 job of $HUGEL:$w4_group" \
	    "1 job of $HUGEL, -k:$w4_keep" \
	    "1 job of $HUGEL, --results DIR:$w4_rdir" \
	    "1 job of $HUGEL, --results F.jsonl:$w4_rjson" \
	    "1 job of $HUGEL, --joblog F.jsonl:$w4_jlog"; do
		k=${c#*:}
		k=${k%% *}
		v=$(kib_to_mb "$k")
		target "W4 peak RSS < 8 MB, ${c%%:*}" "$(fmt %.1fMB "$v")" \
		    "$(verdict "$v" lt 8)"
	done
	# Growth is shown against the median of the small runs; it counts
	# when the large run exceeds the largest small run by more than 256 KB.
	g=NA e=NA
	s=${w4_small%% *}
	l=${w4_large%% *}
	if [ "$s" != NA ]; then
		g=$((l - s))
		e=$((l - w4_smax))
	fi
	target "W4 no RSS growth $SMALL -> $LARGE jobs" "$(fmt %+dKB "$g")" \
	    "$(verdict "$e" le 256)"
}

targets_w5() {
	v=$(stat med W5 parx)
	[ "$v" != NA ] && v=$(awk -v t="$v" 'BEGIN { print t * 1000 }')
	target "W5 startup < 2 ms" "$(fmt %.2fms "$v")" "$(verdict "$v" lt 2)"
}

targets_w6() {
	v=$(stat ratio W6 "cat | wc -l" "parx --block 10M")
	target "W6 --pipe --block 10M >= 0.8x cat | wc -l MB/s" \
	    "$(fmt %.3fx "$v")" "$(verdict "$v" ge 0.8)"
	v=$(stat ratio W6 "parallel --block 10M" "parx --block 10M")
	target "W6 --pipe --block 10M >= 3x GNU parallel's MB/s" \
	    "$(fmt %.2fx "$v")" "$(verdict "$v" ge 3)"
	v=$(stat ratio W6 "parallel (1M)" "parx (1M)")
	target "W6 --pipe (1M) >= 5x GNU parallel's MB/s" \
	    "$(fmt %.2fx "$v")" "$(verdict "$v" ge 5)"
	v=$(kib_to_mb "${w6_pipe%% *}")
	target "W6 peak RSS --pipe --block 1M -j2 <= 12 MB" \
	    "$(fmt %.1fMB "$v")" "$(verdict "$v" le 12)"
}

targets_w7() {
	v=$(stat ratio W7 "cat | wc -l" "parx --block 10M")
	target "W7 --pipe-part --block 10M >= 1.5x cat | wc -l MB/s" \
	    "$(fmt %.3fx "$v")" "$(verdict "$v" ge 1.5)"
	v=$(stat ratio W7 "parallel --block 10M" "parx --block 10M")
	target "W7 --pipe-part >= 1x GNU parallel's MB/s" \
	    "$(fmt %.2fx "$v")" "$(verdict "$v" ge 1)"
	v=$(kib_to_mb "${w6_part%% *}")
	target "W7 peak RSS --pipe-part -j2 <= 8 MB" "$(fmt %.1fMB "$v")" \
	    "$(verdict "$v" le 8)"
}

targets_w8() {
	for m in "parx -j2 -X -s $XS" "parx -j2 -X -s $XS -k"; do
		v=$(stat ratio W8 "$m" "xargs -P2 -s $XS")
		target "W8 $m <= 1.10x xargs -P2" "$(fmt %.3fx "$v")" \
		    "$(verdict "$v" le 1.10)"
	done
}

# ---------------------------------------------------------------- report

out '\nTimes are medians over the rounds; ratios are medians of the ratios\n'
out 'measured within each round; us/job = (t - t_floor) / jobs.  "cpu"\n'
out 'columns use user + system time of the command and its jobs instead of\n'
out 'wall time: they barely move when other work shares the machine.\n'
want W1 && report_times W1 "W1 dispatch: $N jobs of /bin/true" "$N"
want W2 && report_times W2 \
    "W2 grouped output: $N jobs of echo ITEM (pipe-draining floor)" "$N"
if want W3; then
	report_rate W3p \
	    "W3 big output: 4 jobs x $BIG B, -j2, into a pipe to wc -c" "$total"
	report_rate W3n "W3 big output: 4 jobs x $BIG B, -j2, into /dev/null" \
	    "$total"
fi
want W4 && report_w4
want W5 && report_w5
want W6 && report_rate W6 \
    "W6 --pipe: $seqbytes B of seq through wc -l, -j2, from a pipe" "$seqbytes"
want W7 && report_rate W7 \
    "W7 --pipe-part: $seqbytes B of seq through wc -l, -j2" "$seqbytes"
want W8 && report_times W8 \
    "W8 -X packing: $XN items, $XCMDS commands of echo (xargs the floor)" \
    "$XCMDS"
if want W6 || want W7; then
	out '\nW6, W7 memory: peak RSS and elapsed time, --block 1M, -j2\n'
	w4row "parx --pipe (from a pipe)" "$w6_pipe" "$(echo "$w6_pipe" |
	    cut -d ' ' -f 3)"
	w4row "parx --pipe-part" "$w6_part" "$(echo "$w6_part" |
	    cut -d ' ' -f 3)"
	[ -n "$gnupar" ] && w4row "parallel --pipe (from a pipe)" "$w6_gnu" \
	    "$(echo "$w6_gnu" | cut -d ' ' -f 3)"
fi

: >"$tmp/targets"
want W1 && targets_w1
want W2 && targets_w2
want W3 && targets_w3
want W4 && targets_w4
want W5 && targets_w5
want W6 && targets_w6
want W7 && targets_w7
want W8 && targets_w8

out '\nTargets%60s  %s\n' measured verdict
out '%s\n' "$(cat "$tmp/targets")"
out '\nload average at end: %s\n' "$(cut -d ' ' -f 1-3 /proc/loadavg)"
say ""
say "kept: $summary, $raw"
