#!/usr/bin/env bats
# Resource limits: parx raises its soft RLIMIT_NOFILE when -j needs it, runs
# fewer jobs with one warning when the hard limit is too low, and -j 0 means
# as many as the limits allow (SPEC 5, 10).

load helpers

# in_limits ULIMIT-ARGS COMMAND...: runs COMMAND (usually "$PARX" ...) in a
# shell with only descriptors 0-2 open and the given ulimit applied.
in_limits()
{
	local lim=$1
	shift
	closefds bash -c 'ulimit '"$lim"' || exit 99; exec "$@"' sh "$@"
}

@test "soft ulimit -n 64, -j 100: all 300 jobs, in order, no warning" {
	seq 300 >want
	in_limits '-Sn 64' "$PARX" -j 100 -k echo <want >out 2>err
	same_file want out
	[ ! -s err ]
}

@test "soft ulimit -n 64, -j 100, output spilled to files: all correct" {
	in_limits '-Sn 64' "$PARX" -j 100 -k -c 'yes {} | head -c 70000
	    yes {} | head -c 70000 >&2' ::: $(seq 120) >out 2>err
	for i in $(seq 120); do
		yes "$i" | head -c 70000
	done >want
	same_file want out
	same_file want err
	no_tmpfiles
}

@test "hard ulimit -n 64, -j 100: one warning naming the number, every job runs" {
	seq 300 >want
	run -0 --separate-stderr in_limits '-n 64' "$PARX" -j 100 -k echo \
	    <want
	same "$(cat want)" "$output" stdout
	same 1 "${#stderr_lines[@]}" "lines on stderr" || {
		printf '%s\n' "$stderr" >&2
		return 1
	}
	line=${stderr_lines[0]}
	echo "warning: $line" >&2
	[[ $line == "parx: "* ]]
	# It names the number of jobs parx does run, below the 100 asked for.
	n=$(printf '%s\n' "$line" | grep -oE '[0-9]+' | awk '$1 >= 1 && $1 < 100' |
	    head -1)
	[ -n "$n" ]
}

@test "hard ulimit -n 64: the number named is the most that ran at once" {
	mkdir running
	run -0 --separate-stderr in_limits '-n 64' "$PARX" -j 100 -c '
	    mkdir running/{}; ls running | wc -l >>counts; sleep 0.02
	    rmdir running/{}' ::: $(seq 30)
	same 1 "${#stderr_lines[@]}" "lines on stderr"
	n=$(printf '%s\n' "${stderr_lines[0]}" | grep -oE '[0-9]+' |
	    awk '$1 >= 1 && $1 < 100' | head -1)
	[ -n "$n" ]
	same 30 "$(wc -l <counts | tr -d ' ')" "jobs that ran"
	max=$(sort -n counts | tail -1)
	echo "named $n, saw up to $max at once" >&2
	[ "$max" -le "$n" ]
}

@test "hard ulimit -n 24: still every job, one warning" {
	seq 50 >want
	run -0 --separate-stderr in_limits '-n 24' "$PARX" -j 8 -k echo <want
	same "$(cat want)" "$output" stdout
	same 1 "${#stderr_lines[@]}" "lines on stderr"
	[[ ${stderr_lines[0]} == "parx: "* ]]
}

@test "-j 0 runs the jobs" {
	run -0 --separate-stderr parx -j 0 -k echo ::: a b c
	expect a b c
	expect_err
}

@test "-j 0 under a hard ulimit -n 64: jobs run, no warning" {
	seq 100 >want
	in_limits '-n 64' "$PARX" -j 0 -k echo <want >out 2>err
	same_file want out
	[ ! -s err ]
}

@test "-j 100 with the default limits: no warning" {
	seq 150 >want
	parx -j 100 -k echo <want >out 2>err
	same_file want out
	[ ! -s err ]
}
