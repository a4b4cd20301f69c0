#!/usr/bin/env bats
# A job never inherits a descriptor parx made: only 0, 1 and 2 are open in
# it, in every output mode (SPEC 9).  parx is started with only 0-2 open
# (closefds), so whatever else a job sees came from parx.

load helpers

# The job's shell lists its own descriptors from a child ls, so ls's own
# directory descriptor is not among them.
FDS='ls /proc/$$/fd; :'

# fds_test OPTION...: one job per item of 1 2 3 4 under OPTION..., each
# must see exactly 0, 1 and 2.
fds_test()
{
	closefds "$PARX" -k -j4 "$@" -c "$FDS" ::: 1 2 3 4 >out 2>err
	printf '0\n1\n2\n%.0s' 1 2 3 4 >want
	same_file want out
}

@test "a job has only descriptors 0, 1 and 2 (default mode)" {
	closefds "$PARX" -j4 -c "$FDS" ::: 1 2 3 4 >out 2>err
	printf '0\n1\n2\n%.0s' 1 2 3 4 >want
	same_file want out
	[ ! -s err ]
}

@test "only 0, 1 and 2 with -k" {
	fds_test
	[ ! -s err ]
}

@test "only 0, 1 and 2 with --lb" {
	fds_test --lb
	[ ! -s err ]
}

@test "only 0, 1 and 2 with -u" {
	closefds "$PARX" -u -j1 -c "$FDS" ::: 1 2 3 4 >out 2>err
	printf '0\n1\n2\n%.0s' 1 2 3 4 >want
	same_file want out
	[ ! -s err ]
}

@test "only 0, 1 and 2 with --joblog" {
	fds_test --joblog log
	[ ! -s err ]
	same 5 "$(wc -l <log | tr -d ' ')" "lines in the joblog"
}

@test "only 0, 1 and 2 with --tag, --timeout, --retries, --bar" {
	closefds "$PARX" -k -j4 --tag --timeout 60 --retries 1 --bar \
	    -c "$FDS" ::: 1 2 3 4 >out 2>err
	for i in 1 2 3 4; do
		printf '%s\t0\n%s\t1\n%s\t2\n' $i $i $i
	done >want
	same_file want out
}

@test "only 0, 1 and 2 with items from -a and :::: files and stdin" {
	printf '1\n2\n' >items
	closefds "$PARX" -k -a items -c "$FDS" >out 2>err </dev/null
	printf '0\n1\n2\n%.0s' 1 2 >want
	same_file want out
	closefds "$PARX" -k -c "$FDS" :::: items >out 2>err
	same_file want out
	closefds "$PARX" -k -c "$FDS" <items >out 2>err
	same_file want out
}

@test "only 0, 1 and 2 while other jobs' output is spilled to files" {
	# Job 1 fills its stdout and stderr past the memory buffer and runs
	# until the other jobs, held behind it by -k, have listed theirs.
	closefds "$PARX" -k -j4 -c 'if [ {} = 1 ]; then
		bytes 200000 1; bytes 200000 2 >&2; waitfor listed-8
	    else
		ls /proc/$$/fd; touch listed-{}
	    fi' ::: 1 2 3 4 5 6 7 8 >out 2>err
	{ bytes 200000 1; printf '0\n1\n2\n%.0s' 2 3 4 5 6 7 8; } >want
	same_file want out
	bytes 200000 2 >want
	same_file want err
	no_tmpfiles
}

@test "only 0, 1 and 2 for many concurrent jobs" {
	seq 60 | closefds "$PARX" -j16 -c "$FDS" >out 2>err
	same "60 60 60 180" "$(grep -cx 0 out) $(grep -cx 1 out) \
$(grep -cx 2 out) $(wc -l <out | tr -d ' ')" "descriptors seen"
	[ ! -s err ]
}

@test "a job's stdin is /dev/null, also when parx reads stdin" {
	printf 'a\nb\n' | parx -k -c 'readlink /proc/$$/fd/0; cat' >out
	printf '/dev/null\n/dev/null\n' >want
	same_file want out
}
