#!/usr/bin/env bats
# --halt and --fail-fast: stop starting jobs (soon) or also kill the
# running ones (now) after N failures or successes, or a share of the jobs
# finished so far; a fail halt exits with the triggering job's status,
# 128+S for a signal (SPEC 5, 8, 13.10, 13.12).

load helpers

setup()
{
	marker_setup
}

teardown()
{
	marker_teardown
}

# Each job records that it started, prints its item and exits with it.
STEP='touch started-$PARX_SEQ; echo "job $PARX_SEQ"; exit $1'

# started: the sequence numbers of the jobs that started.
started()
{
	ls | sed -n 's/^started-//p' | sort -n | tr '\n' ' '
}

@test "--halt now,fail=1: exits with the failing job's status, starts no more" {
	run -3 --separate-stderr parx -j1 --halt now,fail=1 -c "$STEP" \
	    ::: 0 3 0 4
	expect "job 1" "job 2"
	same "1 2 " "$(started)" "jobs started"
}

@test "--halt soon,fail=1: same exit status, starts no more (-j1)" {
	run -5 --separate-stderr parx -j1 --halt soon,fail=1 -c "$STEP" \
	    ::: 0 0 5 0 0
	expect "job 1" "job 2" "job 3"
	same "1 2 3 " "$(started)" "jobs started"
}

@test "--halt now,fail=2: the second failure halts" {
	run -4 --separate-stderr parx -j1 --halt now,fail=2 -c "$STEP" \
	    ::: 3 0 4 0 5
	same "1 2 3 " "$(started)" "jobs started"
}

@test "--fail-fast: same as --halt now,fail=1" {
	run -7 --separate-stderr parx -j1 --fail-fast -c "$STEP" ::: 0 7 0
	expect "job 1" "job 2"
	same "1 2 " "$(started)" "jobs started"
}

@test "--halt now,fail=1 kills running jobs and their children, keeps output" {
	run -6 --separate-stderr parx -k -j2 --halt now,fail=1 -c 'case {} in
	slow)	echo slow-out; touch slow-started
		sleep 1000.'"$M"' & sleep 1001.'"$M"' ;;
	fail)	waitfor slow-started; echo fail-out; exit 6 ;;
	*)	touch started-{} ;;
	esac' ::: slow fail c d
	expect slow-out fail-out
	expect_err "parx: job 2 failed (exit status 6): --halt now,fail=1 reached; stopping the running jobs"
	[ ! -e started-c ] && [ ! -e started-d ]
	nothing_left
	no_tmpfiles
}

@test "--halt now,fail=1 kills a running job that ignores SIGTERM too" {
	run -6 --separate-stderr parx -j2 --halt now,fail=1 -c 'case {} in
	slow)	trap "" TERM; touch slow-started
		sleep 1000.'"$M"' & sleep 1001.'"$M"' ;;
	fail)	waitfor slow-started; exit 6 ;;
	esac' ::: slow fail
	nothing_left
}

@test "--halt soon,fail=1: running jobs finish and print, no new job starts" {
	# The slow job outlives the failure by a second, then prints.
	run -6 --separate-stderr parx -k -j2 --halt soon,fail=1 -c 'case {} in
	slow)	touch slow-started; waitfor failed; sleep 1; echo slow-done ;;
	fail)	waitfor slow-started; echo fail-out; touch failed; exit 6 ;;
	*)	touch started-{} ;;
	esac' ::: slow fail c d
	expect slow-done fail-out
	[ ! -e started-c ] && [ ! -e started-d ]
}

@test "--halt now,success=1: exits 0 at the first success, starts no more" {
	run -0 --separate-stderr parx -j1 --halt now,success=1 -c "$STEP" \
	    ::: 1 2 0 0 3
	same "1 2 3 " "$(started)" "jobs started"
}

@test "--halt soon,success=2: exits 0 once two jobs succeeded" {
	run -0 --separate-stderr parx -j1 --halt soon,success=2 -c "$STEP" \
	    ::: 0 4 0 5 0
	same "1 2 3 " "$(started)" "jobs started"
}

@test "--halt now,success=1 kills the running jobs" {
	run -0 --separate-stderr parx -j2 --halt now,success=1 -c 'case {} in
	slow)	touch slow-started; exec sleep 1000.'"$M"' ;;
	ok)	waitfor slow-started; exit 0 ;;
	esac' ::: slow ok
	nothing_left
}

# With {##} in the script parx reads all the input before the first job
# starts, so a percentage is always of the whole input here.
STEPN='touch started-$PARX_SEQ; echo "job $PARX_SEQ of {##}"; exit $1'

@test "--halt now,fail=50%: of all the jobs, as GNU parallel: 2 of 4" {
	run -4 --separate-stderr parx -j1 --halt now,fail=50% -c "$STEPN" \
	    ::: 3 4 0 0
	same "1 2 " "$(started)" "jobs started"
	expect_err "parx: job 2 failed (exit status 4): --halt now,fail=50% reached (2 of 4 jobs failed); stopping the running jobs"
}

@test "--halt soon,fail=50%: one failure of three never halts" {
	run -1 --separate-stderr parx -j1 --halt soon,fail=50% -c "$STEPN" \
	    ::: 9 0 0
	same "1 2 3 " "$(started)" "jobs started"
	expect_err
}

@test "--halt now,fail=60%: 2 of 4 is not enough, 3 of 4 is" {
	run -6 --separate-stderr parx -j1 --halt now,fail=60% -c "$STEPN" \
	    ::: 5 7 6 0
	same "1 2 3 " "$(started)" "jobs started"
}

@test "--halt now,fail=100%: only when every job failed" {
	run -2 --separate-stderr parx -j1 --halt now,fail=100% -c "$STEPN" \
	    ::: 0 2 3 0
	same "1 2 3 4 " "$(started)" "jobs started"
	run -3 --separate-stderr parx -j1 --halt now,fail=100% -c "$STEPN" \
	    ::: 2 3
}

@test "--halt now,success=50%: triggers at half of all the jobs, exits 0" {
	run -0 --separate-stderr parx -j1 --halt now,success=50% -c "$STEPN" \
	    ::: 4 0 0 0
	same "1 2 3 " "$(started)" "jobs started"
}

@test "--halt N%: while input is still read, of the jobs read so far" {
	# A FIFO that stays open: when job 1 ends only 1 job is known.
	mkfifo in
	exec 4<>in
	printf '7\n' >&4
	run -7 --separate-stderr timeout 60 "$PARX" -j1 --halt now,fail=50% \
	    -c "$STEP" <in 3>&-
	exec 4>&-
	same "1 " "$(started)" "jobs started"
}

@test "--halt soon,done=N: after N jobs finished, failed or not" {
	run -1 --separate-stderr parx -j1 --halt soon,done=2 -c "$STEP" \
	    ::: 0 1 0 0
	same "1 2 " "$(started)" "jobs started"
	expect_err "parx: job 2 failed (exit status 1): --halt soon,done=2 reached; starting no more jobs"
	run -0 --separate-stderr parx -j1 --halt now,done=50% -c "$STEPN" \
	    ::: 0 0 0 0
	same "1 2 " "$(started)" "jobs started"
}

@test "--halt: GNU parallel's short forms 1, 2, -1, -2, 0 and N%" {
	run -3 --separate-stderr parx -j1 --halt 1 -c "$STEP" ::: 0 3 0
	same "1 2 " "$(started)" "jobs started"
	rm -f started-*
	run -0 --separate-stderr parx -j1 --halt -2 -c "$STEP" ::: 4 0 0
	same "1 2 " "$(started)" "jobs started"
	rm -f started-*
	run -2 --separate-stderr parx -j1 --halt 0 -c "$STEP" ::: 1 1 0
	same "1 2 3 " "$(started)" "jobs started"
	rm -f started-*
	run -5 --separate-stderr parx -j1 --halt 50% -c "$STEPN" ::: 4 5 0 0
	same "1 2 " "$(started)" "jobs started"
}

@test "--halt: says which job and which rule, after the job's output" {
	run -3 --separate-stderr parx -j1 --halt soon,fail=1 -c \
	    'echo out; echo err >&2; exit {}' ::: 0 3 0
	expect out out
	expect_err err err \
	    "parx: job 2 failed (exit status 3): --halt soon,fail=1 reached; starting no more jobs"
	run -0 --separate-stderr parx -j1 --halt now,success=1 -c 'exit {}' \
	    ::: 0 0
	expect_err "parx: job 1 succeeded: --halt now,success=1 reached; stopping the running jobs"
	run -143 --separate-stderr parx -j1 --halt now,fail=1 --timeout 0.2 \
	    -c 'exec sleep 1000.'"$M" ::: a
	expect_err "parx: job 1: timed out after 0.2s" \
	    "parx: job 1 timed out: --halt now,fail=1 reached; stopping the running jobs"
}

@test "--halt N% compared with GNU parallel: the same jobs run" {
	command -v parallel >/dev/null 2>&1 ||
	    skip "GNU parallel is not installed"
	for input in '9 0 0' '1 2 0 0' '0 1 0 1 1 0' '3 0 0 0 0 4'; do
		# shellcheck disable=SC2086 # the items are words
		run --separate-stderr parallel --will-cite -j1 \
		    --halt soon,fail=50% 'echo {}; exit {}' ::: $input
		want=$output
		# shellcheck disable=SC2086
		run --separate-stderr parx -j1 --halt soon,fail=50% \
		    -c 'echo {}; exit {} # {##}' ::: $input
		same "$want" "$output" "jobs run for '$input'"
	done
}

@test "--halt fail: a job ended by a signal gives 128+S" {
	run -138 --separate-stderr parx -j1 --halt now,fail=1 \
	    -c 'kill -USR1 $$' ::: a b
	run -137 --separate-stderr parx -j1 --halt soon,fail=1 \
	    -c 'kill -KILL $$' ::: a b
}

@test "--halt fail: a timed-out job gives 143" {
	run -143 --separate-stderr parx -j1 --halt now,fail=1 --timeout 0.2 \
	    -c 'touch started-$PARX_SEQ; exec sleep 1000.'"$M" ::: a b
	same "1 " "$(started)" "jobs started"
	nothing_left
}

@test "--halt fail: a job that cannot start gives its status" {
	run -127 --separate-stderr parx -j1 --halt now,fail=1 \
	    nosuch-command-"$M" ::: a b
}

@test "--halt never: every job runs, the failures are counted" {
	run -2 --separate-stderr parx -j1 --halt never -c "$STEP" ::: 0 3 0 4
	same "1 2 3 4 " "$(started)" "jobs started"
}

@test "--halt: bad policies are usage errors naming the value" {
	for p in soon now fail=1 later,fail=1 now,fail=0 now,fail=x now,fail= \
	    now,fail=-1 now,fail=1.5 now,fail=0% now,fail=101% now,success \
	    now,fail=1x soon,fails=1 'now, fail=1' NOW,fail=1; do
		run --separate-stderr parx --halt "$p" touch ::: ran
		usage_error || { echo "for --halt '$p'" >&2; return 1; }
		[[ ${stderr_lines[0]} == *"$p"* ]] || {
			echo "message does not name '$p'" >&2
			return 1
		}
	done
	[ ! -e ran ]
}
