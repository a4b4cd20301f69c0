#!/usr/bin/env bats
# -u / --ungroup: jobs write straight to parx's stdout and stderr; -k with
# -u is a usage error (SPEC 6, 10, 13.5).

load helpers

@test "-u: a job's stdout and stderr are parx's own, not pipes" {
	parx -u -c 'readlink /proc/$$/fd/1; readlink /proc/$$/fd/2 >&2' \
	    ::: x >out 2>err
	same "$(realpath out)" "$(cat out)" "the job's stdout"
	same "$(realpath err)" "$(cat err)" "the job's stderr"
}

@test "--ungroup: the long name" {
	parx --ungroup -c 'readlink /proc/$$/fd/1' ::: x >out
	same "$(realpath out)" "$(cat out)" "the job's stdout"
}

@test "-u: the job's stdin is still /dev/null" {
	run -0 parx -u -c 'readlink /proc/$$/fd/0' ::: x </dev/zero
	expect /dev/null
}

@test "-u: every line of every job arrives" {
	parx -u -j4 lines 50 {} ::: A B C D >out 2>err
	for t in A B C D; do
		seq -f "$t %g" 1 50
	done | sort >want
	sort out >got
	same_file want got
	for t in A B C D; do
		seq -f "$t err %g" 1 50
	done | sort >want
	sort err >got
	same_file want got
}

@test "-u: output is byte-exact, a last line without newline stays so" {
	parx -u -j1 -c 'printf "%s\n%s" {} {}' ::: a b c >out 2>err
	printf 'a\nab\nbc\nc' >want
	same_file want out
	[ ! -s err ]
	bytes 150000 3 >want
	parx -u -c 'bytes 150000 3' ::: x >out
	same_file want out
	no_tmpfiles
}

@test "-u: a job's output is there while it runs" {
	parx -u -c 'echo live; waitline out live && echo seen' ::: x >out
	run cat out
	expect live seen
}

@test "-u: failed jobs are counted" {
	run -2 parx -u exitwith ::: 0 5 0 7
}

@test "-k with -u is a usage error" {
	run --separate-stderr parx -k -u touch ::: ran
	usage_error
	[[ ${stderr_lines[0]} == *-k* && ${stderr_lines[0]} == *-u* ]]
	[ ! -e ran ]
}

@test "-u with -k, and the long names, are usage errors too" {
	run --separate-stderr parx -u -k touch ::: ran
	usage_error
	run --separate-stderr parx --keep-order --ungroup touch ::: ran
	usage_error
	run --separate-stderr parx -ku touch ::: ran
	usage_error
	[ ! -e ran ]
}
