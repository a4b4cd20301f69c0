#!/usr/bin/env bats
# Exit status: 0, the number of failed jobs, 101 past 100, 255 for usage
# errors (SPEC 8, 10, 13.5).

load helpers

@test "every job succeeds: 0" {
	run -0 --separate-stderr parx exitwith ::: 0 0 0
	expect
	expect_err
}

@test "the status is the number of failed jobs" {
	run -3 --separate-stderr parx -j3 exitwith ::: 0 1 2 0 255
	expect
	expect_err
}

@test "one failure among many" {
	seq 20 >in
	run -1 --separate-stderr parx -c '[ "$1" != 13 ]' <in
}

@test "100 failed jobs: 100" {
	seq 100 >in
	run -100 --separate-stderr parx false <in
}

@test "101 failed jobs: 101" {
	seq 101 >in
	run -101 --separate-stderr parx false <in
}

@test "150 failed jobs: still 101" {
	seq 150 >in
	run -101 --separate-stderr parx false <in
	expect
	expect_err
}

@test "a job killed by a signal has failed" {
	run -1 --separate-stderr parx -k -c 'echo {}; [ {} = b ] && kill -9 $$; :' \
	    ::: a b c
	expect a b c
}

@test "a job that cannot be started has failed" {
	run -2 --separate-stderr parx -k {} ::: true nosuch-parx-cmd nosuch-too
}

@test "a job with a NUL byte in its item has failed" {
	printf 'a\0\n' >in
	run -1 --separate-stderr parx true <in
}

@test "no jobs: 0" {
	: >in
	run -0 --separate-stderr parx false <in
}

@test "usage error: 255, two lines on stderr, nothing on stdout, nothing run" {
	run --separate-stderr parx --no-such-option touch ran ::: a
	usage_error
	[ ! -e ran ]
}
