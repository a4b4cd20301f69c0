#!/usr/bin/env bats
# --delay D: at least D between the starts of two jobs (SPEC 5).  Only lower
# bounds on time are checked.

load helpers

# Each job records when it started, in nanoseconds.
STAMP='date +%s%N >start-$PARX_SEQ'

@test "--delay 0.2: three jobs start in input order, at least 0.2 s apart" {
	t0=$(date +%s%N)
	run -0 --separate-stderr parx -j3 --delay 0.2 -c "$STAMP" ::: a b c
	t1=$(date +%s%N)
	s1=$(cat start-1) s2=$(cat start-2) s3=$(cat start-3)
	echo "starts at +$(((s1 - t0) / 1000000)) +$(((s2 - t0) / 1000000))" \
	    "+$(((s3 - t0) / 1000000)) ms, run $(((t1 - t0) / 1000000)) ms" >&2
	# Input order, with room for the time a job takes to read the clock.
	[ "$s1" -lt "$s2" ] && [ "$s2" -lt "$s3" ]
	[ $((s2 - s1)) -ge 100000000 ] && [ $((s3 - s2)) -ge 100000000 ]
	[ $((s3 - s1)) -ge 300000000 ]
	# parx cannot be done before it started the third job, 2 x 0.2 s in.
	[ $((t1 - t0)) -ge 400000000 ]
	expect
	expect_err
}

@test "--delay with a unit: 150ms" {
	t0=$(date +%s%N)
	run -0 parx -j4 --delay 150ms -k -c 'echo {}' ::: a b c d
	t1=$(date +%s%N)
	expect a b c d
	[ $((t1 - t0)) -ge 450000000 ]
}

@test "--delay applies to -j1 too, and every job runs" {
	t0=$(date +%s%N)
	run -0 parx -j1 --delay 0.1 echo ::: 1 2 3 4
	t1=$(date +%s%N)
	expect 1 2 3 4
	[ $((t1 - t0)) -ge 300000000 ]
}

@test "--delay 0: no delay, every job runs" {
	run -0 parx -k --delay 0 echo ::: 1 2 3
	expect 1 2 3
}

@test "--delay: a bad duration is a usage error naming it" {
	for d in x 1x -1 0.2.1 2sec ''; do
		run --separate-stderr parx --delay "$d" touch ::: ran
		usage_error || { echo "for --delay '$d'" >&2; return 1; }
		[[ ${stderr_lines[0]} == *"'$d'"* ]] || {
			echo "message does not name '$d'" >&2
			return 1
		}
	done
	[ ! -e ran ]
}
