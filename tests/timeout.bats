#!/usr/bin/env bats
# --timeout D: SIGTERM to the job's process group after D, SIGKILL 2 s later
# to what is left; the job has failed, says so on stderr, and its partial
# output is emitted (SPEC 5, 13.11).

load helpers

setup()
{
	marker_setup
}

teardown()
{
	marker_teardown
}

ms()
{
	echo $(($(date +%s%N) / 1000000))
}

@test "--timeout: durations 1.5, 500ms, 2s, 1m, 1h, 0.25s, 3 are accepted" {
	for d in 1.5 500ms 2s 1m 1h 0.25s 3 10ms; do
		run -0 --separate-stderr parx --timeout "$d" echo ::: ok
		expect ok
		expect_err
	done
	run -0 parx --timeout=2s echo ::: ok
	expect ok
}

@test "--timeout: a bad duration is a usage error naming it" {
	for d in abc 1x 5sec -1 1.5.2 2ss ms s 1e x1 '1 s'; do
		run --separate-stderr parx --timeout "$d" touch ::: ran
		usage_error || { echo "for --timeout '$d'" >&2; return 1; }
		[[ ${stderr_lines[0]} == *"$d"* ]] || {
			echo "message does not name '$d': ${stderr_lines[0]}" >&2
			return 1
		}
	done
	run --separate-stderr parx --timeout '' touch ::: ran
	usage_error
	run --separate-stderr parx --timeout
	usage_error
	[ ! -e ran ]
}

@test "--timeout: a timed-out job and its children are killed; it has failed" {
	run -1 --separate-stderr parx --timeout 0.5 -c 'echo partial-{}
	    echo err-{} >&2; sleep 1000.'"$M"' & sleep 1001.'"$M" ::: a
	expect partial-a
	expect_err err-a "parx: job 1: timed out after 0.5s"
	nothing_left
	no_tmpfiles
}

@test "--timeout 500ms: the message names the job" {
	run -1 --separate-stderr parx -k --timeout 500ms \
	    -c '[ {} = b ] && exec sleep 1000.'"$M"'; echo {}' ::: a b c
	expect a c
	expect_err "parx: job 2: timed out after 0.5s"
	nothing_left
}

@test "--timeout: jobs quicker than the limit are not touched" {
	run -0 --separate-stderr parx -k -j3 --timeout 30 sleepecho ::: 0 0.1 0.2
	expect "" "" ""
	expect_err
	run -0 --separate-stderr parx -k --timeout 30 \
	    -c 'sleep 0.{}; echo {}' ::: 2 1
	expect 2 1
}

@test "--timeout: several jobs time out, each counts and is named" {
	run -3 --separate-stderr parx -k -j4 --timeout 0.3 \
	    -c 'echo {}; [ {} = ok ] || sleep 1000.'"$M" ::: x ok y z
	expect x ok y z
	run sort <<<"$stderr"
	expect "parx: job 1: timed out after 0.3s" \
	    "parx: job 3: timed out after 0.3s" \
	    "parx: job 4: timed out after 0.3s"
	nothing_left
}

@test "--timeout: SIGKILL 2 s after SIGTERM for a job that traps TERM" {
	t0=$(ms)
	run -1 --separate-stderr parx --timeout 0.3 -c ': '"$M"'
	    trap "echo got-term" TERM; exec 2>/dev/null
	    sh -c "trap \"\" TERM; exec sleep 1000.'"$M"'" &
	    echo start; while :; do sleep 0.05; done' ::: a
	t1=$(ms)
	expect start got-term
	expect_err "parx: job 1: timed out after 0.3s"
	nothing_left
	# A lower bound only: the job outlived the SIGTERM by 2 s.
	echo "took $((t1 - t0)) ms" >&2
	[ $((t1 - t0)) -ge 2200 ]
}

@test "--timeout: partial output is emitted in -k, --lb and -u modes" {
	for mode in -k --lb -u; do
		rc=0
		parx $mode --timeout 0.3 -c 'echo line; printf part
		    printf err >&2; exec sleep 1000.'"$M" ::: a >out 2>err ||
		    rc=$?
		same 1 "$rc" "exit status with $mode"
		printf 'line\npart' >want
		same_file want out || { echo "mode $mode" >&2; return 1; }
		printf 'errparx: job 1: timed out after 0.3s\n' >want
		same_file want err || { echo "mode $mode" >&2; return 1; }
	done
	nothing_left
}

@test "--timeout: output past the memory buffer is emitted, no temp file left" {
	rc=0
	parx --timeout 0.5 -c 'bytes 150000 4; bytes 150000 5 >&2
	    exec sleep 1000.'"$M" ::: a >out 2>err || rc=$?
	same 1 "$rc" "exit status"
	bytes 150000 4 >want
	same_file want out
	{ bytes 150000 5; echo "parx: job 1: timed out after 0.5s"; } >want
	same_file want err
	nothing_left
	no_tmpfiles
}
