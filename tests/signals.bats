#!/usr/bin/env bats
# Signals and clean shutdown: SIGINT, SIGTERM and SIGHUP stop every job's
# process group and parx exits 128+S; a closed stdout ends parx quietly with
# 141; jobs start with default dispositions and an empty mask (SPEC 6, 9,
# 13.12, 13.13).

load helpers

setup()
{
	marker_setup
	pid=
}

teardown()
{
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	marker_teardown
}

# start_parx ARG...: starts parx in the background with stdout in out and
# stderr in err; $pid is its process id.  A non-interactive shell starts
# background commands with SIGINT ignored, and parx keeps a signal ignored
# at startup ignored (parx(1), SIGNALS), so SIGINT is set back to default.
start_parx()
{
	need_env_default_signal
	env --default-signal=INT,TERM,HUP "$PARX" "$@" >out 2>err 3>&- &
	pid=$!
}

need_env_default_signal()
{
	env --default-signal=INT true 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
}

# stop_parx SIG: sends SIG to parx and waits for it; $rc is its status.
stop_parx()
{
	kill -"$1" "$pid"
	rc=0
	wait "$pid" || rc=$?
}

# ms: the time now in milliseconds.
ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# Jobs that print, then wait in a sleep with a sleeping child: a grandchild
# of parx.  The background sleep ignores SIGINT, as sh starts it.
JOB='echo out-{}; echo err-{} >&2; touch started-{}
    sleep 1000.$M & sleep 1001.$M'

interrupt_test()
{
	local sig=$1 want=$2
	start_parx -k -j2 -c "${JOB//\$M/$M}" ::: 1 2 3 4
	waitfor started-1 started-2
	stop_parx "$sig"
	same "$want" "$rc" "exit status"
	run cat out
	expect out-1 out-2
	run cat err
	expect err-1 err-2
	[ ! -e started-3 ] && [ ! -e started-4 ]
	nothing_left
	no_tmpfiles
}

@test "SIGINT: jobs and grandchildren stopped, output kept, exit 130" {
	interrupt_test INT 130
}

@test "SIGTERM: jobs and grandchildren stopped, output kept, exit 143" {
	interrupt_test TERM 143
}

@test "SIGHUP: jobs and grandchildren stopped, output kept, exit 129" {
	interrupt_test HUP 129
}

@test "SIGTERM: output larger than the memory buffer is still written" {
	start_parx -k -j2 -c 'bytes 100000 {}; bytes 100000 {} >&2
	    touch started-{}; sleep 1000.'"$M"' & sleep 1001.'"$M" ::: 1 2 3
	waitfor started-1 started-2
	stop_parx TERM
	same 143 "$rc" "exit status"
	{ bytes 100000 1; bytes 100000 2; } >want
	same_file want out
	same_file want err
	nothing_left
	no_tmpfiles
}

@test "every running job gets the signal parx got" {
	for sig in INT TERM HUP; do
		rm -f started-* got-*
		start_parx -j2 -c 'for s in INT TERM HUP; do
			trap "echo got-$s >got-{}; exit 3" $s
		    done
		    touch started-{}; sleep 1000.'"$M"' & wait' ::: 1 2
		waitfor started-1 started-2
		stop_parx $sig
		same "got-$sig" "$(cat got-1)" "what job 1 got"
		same "got-$sig" "$(cat got-2)" "what job 2 got"
	done
	nothing_left
}

@test "SIGINT: a job ignoring it is killed 2 s later, children included" {
	start_parx -j2 -c 'trap "" INT; touch started-{}
	    sleep 1000.'"$M"' & sleep 1001.'"$M" ::: 1 2 3
	waitfor started-1 started-2
	t0=$(ms)
	stop_parx INT
	t1=$(ms)
	same 130 "$rc" "exit status"
	nothing_left
	[ ! -e started-3 ]
	# A lower bound only: parx waits the 2 s before SIGKILL.
	echo "took $((t1 - t0)) ms" >&2
	[ $((t1 - t0)) -ge 1800 ]
	no_tmpfiles
}

@test "a second SIGINT kills jobs that ignore the first" {
	start_parx -j2 -c ': '"$M"'; trap "echo int >>got-{}" INT
	    touch started-{}; while :; do sleep 0.05; done' ::: 1 2
	waitfor started-1 started-2
	kill -INT "$pid"
	# Both jobs saw the first SIGINT, and go on.
	waitfor got-1 got-2
	stop_parx INT
	same 130 "$rc" "exit status"
	nothing_left
}

@test "SIGTERM: no job starts after it; a quick run left nothing" {
	start_parx -j1 -c 'touch started-{}; sleep 1000.'"$M" ::: 1 2 3
	waitfor started-1
	stop_parx TERM
	same 143 "$rc" "exit status"
	[ ! -e started-2 ] && [ ! -e started-3 ]
	[ ! -s out ] && [ ! -s err ]
	nothing_left
}

@test "SIGINT ignored when parx starts stays ignored (parx(1), SIGNALS)" {
	(
		trap '' INT
		exec "$PARX" -j1 -c 'touch started-{}; sleep 1000.'"$M" \
		    ::: 1 2 >out 2>err 3>&-
	) &
	pid=$!
	waitfor started-1
	kill -INT "$pid"
	# Give an honoured SIGINT time to be taken before SIGTERM comes.
	sleep 0.3
	stop_parx TERM
	same 143 "$rc" "exit status"
	nothing_left
}

# classic: $output, a job's SigBlk and SigIgn lines, with SigIgn cut down
# to the classic signals 1-31.
classic()
{
	local blk ign
	blk=$(printf '%s\n' "$output" | grep '^SigBlk:')
	ign=$(printf '%s\n' "$output" | sed -n 's/^SigIgn:\t//p')
	printf '%s\nSigIgn:\t%08x' "$blk" $((0x$ign & 0x7fffffff))
}

@test "jobs start with classic signals at default and an empty mask" {
	want=$(printf 'SigBlk:\t0000000000000000\nSigIgn:\t00000000')
	for mode in --group -k --lb -u; do
		run -0 parx $mode -n1 grep -E '^Sig(Blk|Ign)' {} \
		    ::: /proc/self/status
		same "$want" "$(classic)" "signal state of a job ($mode)"
	done
	# The shell reads its own state (a child reading it could catch the
	# shell with signals blocked while it forks).
	run -0 parx -c 'while read -r k v; do
		case $k in SigBlk: | SigIgn:) printf "%s\t%s\n" "$k" "$v" ;; esac
	    done </proc/self/status' ::: x
	same "$want" "$(classic)" "signal state of a -c job"
}

@test "jobs start with classic signals at default though parx had some ignored" {
	want=$(printf 'SigBlk:\t0000000000000000\nSigIgn:\t00000000')
	for mode in --group -u; do
		run -0 bash -c 'trap "" INT QUIT HUP TERM PIPE USR1 TSTP
		    exec "$0" "$@" 3>&-' "$PARX" $mode -n1 \
		    grep -E '^Sig(Blk|Ign)' {} ::: /proc/self/status
		same "$want" "$(classic)" "signal state of a job ($mode)"
	done
}

@test "jobs start with no signal ignored at all, real-time ones included" {
	# glibc's posix_spawn sets its internal signals 32 and 33 to SIG_IGN
	# in the child unless they are in the POSIX_SPAWN_SETSIGDEF set, and
	# SIG_IGN survives exec: a job's real-time signals 32 and 33 would then
	# be ignored, not at their default.
	want=$(printf 'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000')
	for mode in --group -u; do
		run -0 bash -c 'trap "" INT QUIT
		    exec "$0" "$@" 3>&-' "$PARX" $mode -n1 \
		    grep -E '^Sig(Blk|Ign)' {} ::: /proc/self/status
		same "$want" "$output" "signal state of a job ($mode)"
	done
}

# Closed stdout.  `timeout 20` only guards against a hang.

@test "closed stdout: yes | parx -j2 echo | head -3 exits 141 quietly" {
	set +e
	yes "$M" | timeout 20 "$PARX" -j2 echo 2>err 3>&- | head -3 >out
	st=("${PIPESTATUS[@]}")
	set -e
	same 141 "${st[1]}" "exit status of parx"
	run cat out
	expect "$M" "$M" "$M"
	[ ! -s err ]
	nothing_left
	no_tmpfiles
}

# Job 1 prints and ends (grouped output appears when a job ends); jobs 2
# and 3 print and sleep, so both slots are busy when head goes away: job
# 4 must never start, and the sleeping jobs must be stopped.
closed_stdout_test()
{
	set +e
	timeout 20 "$PARX" -j2 "$@" sh -c 'echo $1; touch started-$1
	    [ $1 = 1 ] && exit; sleep 1000.'"$M" sh ::: 1 2 3 4 2>err 3>&- |
	    head -1 >out
	st=("${PIPESTATUS[@]}")
	set -e
	same 141 "${st[0]}" "exit status of parx"
	case $(cat out) in
	1 | 2 | 3)	;;
	*)	same "1, 2 or 3" "$(cat out)" "output"
		return 1 ;;
	esac
	same 1 "$(wc -l <out | tr -d ' ')" "lines of output"
	[ ! -s err ]
	[ ! -e started-4 ]
	nothing_left
	no_tmpfiles
}

@test "closed stdout: parx ... sleep | head -1 stops jobs, exits 141" {
	closed_stdout_test
}

@test "closed stdout: the same with -k" {
	closed_stdout_test -k
}

@test "closed stdout: the same with --lb" {
	closed_stdout_test --lb
}

@test "closed stdout: the same with -u" {
	closed_stdout_test -u
}

@test "closed stdout: the same with --tag" {
	set +e
	timeout 20 "$PARX" -j2 --tag sh -c 'echo $1; touch started-$1
	    [ $1 = 1 ] && exit; sleep 1000.'"$M" sh ::: 1 2 3 4 2>err 3>&- |
	    head -1 >out
	st=("${PIPESTATUS[@]}")
	set -e
	same 141 "${st[0]}" "exit status of parx"
	grep -qxE "1$(printf '\t')1" out
	[ ! -e started-4 ]
	[ ! -s err ]
	nothing_left
	no_tmpfiles
}

@test "closed stdout: jobs with spilled output leave no temporary file" {
	set +e
	timeout 20 "$PARX" -j2 sh -c 'bytes 200000 $1; bytes 200000 $1 >&2
	    echo; sleep 1000.'"$M" sh ::: 1 2 3 2>/dev/null 3>&- |
	    head -c 10 >out
	st=("${PIPESTATUS[@]}")
	set -e
	same 141 "${st[0]}" "exit status of parx"
	same 10 "$(wc -c <out | tr -d ' ')" "bytes read"
	nothing_left
	no_tmpfiles
}

@test "closed stdout: many quick jobs, head -1" {
	set +e
	seq 100000 | timeout 20 "$PARX" -j4 -k echo "$M" 2>err 3>&- |
	    head -1 >out
	st=("${PIPESTATUS[@]}")
	set -e
	same 141 "${st[1]}" "exit status of parx"
	same "$M 1" "$(cat out)" "output"
	[ ! -s err ]
	no_tmpfiles
}
