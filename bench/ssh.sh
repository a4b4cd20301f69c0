#!/bin/sh
# ssh.sh - jobs on other machines: parx -S against GNU parallel -S and
# against the floor, a bare loop of ssh over a shared connection.  Run by
# `make bench-ssh`; see bench/README.md.
#
# Two OpenSSH servers on 127.0.0.1 (tests/sshd-helper.sh) are the hosts,
# with 2 slots each.  N jobs of `true` (default 200) run through
#   floor     bench/floor.c (a posix_spawn loop), once per host at once,
#             -j2 -n N/2: `ssh -S CTL HOST true` over a master connection
#             opened beforehand (not timed)
#   floorperl the same with `exec perl -e 0` as the remote command: the
#             floor plus the start of perl, which parx's remote wrapper
#             costs each job (on loopback the "hosts" share parx's CPUs)
#   parx      seq N | parx -S 2/H1,2/H2 true (all of it: connecting,
#             probing, the jobs, cleaning up, closing)
#   parallel  seq N | parallel -S 2/H1,2/H2 true, and with -M (GNU
#             parallel's ControlMaster)
# in rounds, the order rotated each round; a figure is the median over the
# rounds, a ratio the median of the ratios within one round.
#
# Knobs: PARX, BENCH_SSH_JOBS (200), BENCH_ROUNDS (5), BENCH_PEER_ROUNDS
# (rounds that include GNU parallel, 2: it takes 10 to 30 s a run).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
PARX=${PARX:-$root/parx}
case $PARX in
*/*)	PARX=$(cd "$(dirname "$PARX")" && pwd)/$(basename "$PARX") ;;
esac
[ -x "$PARX" ] || { echo "ssh.sh: $PARX: no parx binary" >&2; exit 1; }
N=${BENCH_SSH_JOBS:-200}
rounds=${BENCH_ROUNDS:-5}
peer_rounds=${BENCH_PEER_ROUNDS:-2}
gnupar=
if command -v parallel >/dev/null 2>&1 &&
    parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	gnupar=parallel
fi

. "$root/tests/sshd-helper.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parx-bench-ssh.XXXXXX")
cleanup()
{
	sshd_stop_all 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$here/results"
out=$here/results/ssh.txt
: >"$out"

sshd_init "$tmp/sshd" || exit 1
sshd_start h1 >/dev/null
H1=$LOGIN
sshd_start h2 >/dev/null
H2=$LOGIN
seq "$N" >"$tmp/items"

say()
{
	printf '%s\n' "$*" | tee -a "$out"
}

ms()
{
	echo $(($(date +%s%N) / 1000000))
}

floor=$here/floor
${CC:-cc} -O2 -Wall -o "$floor" "$here/floor.c"

# loop CTL LOGIN K CMD...: K times ssh CMD over the master at CTL, 2 at
# once.
loop()
{
	_c=$1 _l=$2 _k=$3
	shift 3
	# shellcheck disable=SC2086 # SSH_CMD is words
	"$floor" -j2 -n "$_k" $SSH_CMD -S "$_c" -p "${_l#*:}" 127.0.0.1 "$@" \
	    </dev/null
}

# master CTL LOGIN: opens a shared connection, and checks that it is up.
master()
{
	_n=0
	until $SSH_CMD -S "$1" -O check 127.0.0.1 2>/dev/null; do
		_n=$((_n + 1))
		[ $_n -le 5 ] || { echo "ssh.sh: no master for $2" >&2; exit 1; }
		$SSH_CMD -M -S "$1" -o ControlPersist=yes -p "${2#*:}" -N -f \
		    127.0.0.1 || sleep 1
	done
}

# floor_run CMD...: the floor's time for the remote command CMD.
floor_run()
{
	master "$tmp/c1" "$H1"
	master "$tmp/c2" "$H2"
	_k=$((N / 2))
	_t0=$(ms)
	loop "$tmp/c1" "$H1" $_k "$@" & loop "$tmp/c2" "$H2" $_k "$@" &
	wait
	_t1=$(ms)
	$SSH_CMD -S "$tmp/c1" -O exit 127.0.0.1 2>/dev/null
	$SSH_CMD -S "$tmp/c2" -O exit 127.0.0.1 2>/dev/null
	echo $((_t1 - _t0))
}

run_floor()
{
	floor_run true
}

run_floorperl()
{
	floor_run exec perl -e 0
}

# timed COMMAND...: runs it on the items, prints milliseconds; fails with
# the command.
timed()
{
	_t0=$(ms)
	"$@" <"$tmp/items" >/dev/null 2>"$tmp/err" || {
		echo "ssh.sh: failed: $*" >&2
		cat "$tmp/err" >&2
		return 1
	}
	echo $(($(ms) - _t0))
}

run_parx()
{
	timed "$PARX" --ssh "$SSH_CMD" -S "2/$H1,2/$H2" true
}

run_parx0()
{
	_t0=$(ms)
	"$PARX" --ssh "$SSH_CMD" -S "2/$H1,2/$H2" true </dev/null
	echo $(($(ms) - _t0))
}

run_gnu()
{
	timed parallel --will-cite --ssh "$SSH_CMD" -S "2/$H1,2/$H2" true
}

run_gnum()
{
	timed parallel --will-cite -M --ssh "$SSH_CMD" -S "2/$H1,2/$H2" true
}

median()
{
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Checks that every job ran, once (the joblog), before timing anything.
"$PARX" --ssh "$SSH_CMD" -S "2/$H1,2/$H2" --joblog "$tmp/log" true \
    <"$tmp/items"
[ "$(sed 1d "$tmp/log" | cut -f 7 | grep -c '^0$')" = "$N" ] || {
	echo "ssh.sh: parx did not run the $N jobs" >&2
	exit 1
}

say "$N jobs of true on 2 loopback hosts, 2 slots each; $rounds rounds"
say "load: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/t"
r=1
while [ $r -le "$rounds" ]; do
	set -- floor floorperl parx parx0
	[ -n "$gnupar" ] && [ $r -le "$peer_rounds" ] && set -- "$@" gnu gnum
	# Rotate the order each round.
	k=1
	while [ $k -lt $r ]; do
		first=$1
		shift
		set -- "$@" "$first"
		k=$((k + 1))
	done
	for c; do
		echo "$r $c $(run_$c)" >>"$tmp/t"
	done
	r=$((r + 1))
done

get()
{
	awk -v c="$1" '$2 == c { print $3 }' "$tmp/t" | median
}

# ratio A B: the median over the rounds of time(A) / time(B).
ratio()
{
	awk -v a="$1" -v b="$2" '$2 == a { ta[$1] = $3 } $2 == b { tb[$1] = $3 }
	    END { for (r in ta) if (r in tb) printf "%.3f\n", ta[r] / tb[r] }' \
	    "$tmp/t" | median
}

jps()
{
	awk -v t="$1" -v n="$N" 'BEGIN { printf "%.0f", n * 1000 / t }'
}

cp "$tmp/t" "$here/results/ssh-raw.txt"
f=$(get floor)
p=$(get parx)
say "$(printf '%-34s %8s ms %6s jobs/s' 'floor (ssh -S CTL, spawn loop)' "$f" \
    "$(jps "$f")")"
fp=$(get floorperl)
say "$(printf '%-34s %8s ms %6s jobs/s' 'floor, remote perl -e 0' "$fp" \
    "$(jps "$fp")")"
say "$(printf '%-34s %8s ms %6s jobs/s' 'parx -S (all of it)' "$p" \
    "$(jps "$p")")"
say "$(printf '%-34s %8s ms' 'parx -S, no job (start and end)' \
    "$(get parx0)")"
[ "$peer_rounds" -gt 0 ] || gnupar=
if [ -n "$gnupar" ]; then
	g=$(get gnu)
	gm=$(get gnum)
	say "$(printf '%-34s %8s ms %6s jobs/s' 'GNU parallel -S' "$g" \
	    "$(jps "$g")")"
	say "$(printf '%-34s %8s ms %6s jobs/s' 'GNU parallel -M -S' "$gm" \
	    "$(jps "$gm")")"
fi
say "parx / floor time: $(ratio parx floor) (goal <= 1.2);" \
    "/ floor with perl: $(ratio parx floorperl)"
if [ -n "$gnupar" ]; then
	say "parx jobs/s / GNU parallel -S jobs/s: $(ratio gnu parx)" \
	    "(goal >= 3); with -M: $(ratio gnum parx)"
fi
say "load: $(cut -d' ' -f1-3 /proc/loadavg)"
