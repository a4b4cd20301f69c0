#!/usr/bin/env bats
# -k: results in input order, stdout and stderr (SPEC 6, 13.16).

load helpers

@test "-k: jobs of reversed durations come out in input order" {
	run -0 --separate-stderr parx -k -j4 sleepecho {} {} ::: 0.4 0.3 0.2 0.1
	expect 0.4 0.3 0.2 0.1
	expect_err
}

@test "--keep-order is -k" {
	run -0 --separate-stderr parx --keep-order -j3 sleepecho {} {} \
	    ::: 0.3 0.15 0
	expect 0.3 0.15 0
}

@test "-k orders stderr as well as stdout" {
	run -0 --separate-stderr parx -k -j4 \
	    -c 'sleep {}; echo out{}; echo err{} >&2' ::: 0.4 0.3 0.2 0.1
	expect out0.4 out0.3 out0.2 out0.1
	expect_err err0.4 err0.3 err0.2 err0.1
}

@test "-k with more jobs than slots" {
	seq 16 >in
	run -0 --separate-stderr parx -k -j4 \
	    -c 'sleep 0.0$(( (17 - $1) % 5 )); echo "$1"; echo "e$1" >&2' <in
	expect $(seq 16)
	expect_err $(seq -f 'e%g' 16)
}

@test "-k with a slow first job and grouped multi-line output" {
	run -0 --separate-stderr parx -k -j3 \
	    -c '[ {} = A ] && sleep 0.3; lines 20 {}' ::: A B C D
	expected=$(for t in A B C D; do seq -f "$t %g" 20; done)
	same "$expected" "$output"
	expected=$(for t in A B C D; do seq -f "$t err %g" 20; done)
	same "$expected" "$stderr" stderr
}

@test "-k: parx's own message about a job comes in that job's place" {
	run -1 --separate-stderr parx -k -j3 --link {1} -c {2} \
	    ::: sh nosuch sh ::: 'sleep 0.3; echo e1 >&2' x 'echo e3 >&2'
	expect
	expect_err e1 'parx: nosuch: command not found' e3
}

@test "-k: the product of several sources in input order" {
	run -0 --separate-stderr parx -k -j4 \
	    -c 'sleep 0.0$(( ($1 * 3 + $2) % 7 )); echo "$1$2"' \
	    ::: 1 2 3 ::: 1 2 3
	expect 11 12 13 21 22 23 31 32 33
}

@test "without -k every job's output comes out once" {
	run -0 --separate-stderr parx -j4 sleepecho {} {} ::: 0.3 0.2 0.1 0
	same "$(printf '%s\n' 0 0.1 0.2 0.3)" "$(printf '%s\n' "${lines[@]}" | sort)"
}
