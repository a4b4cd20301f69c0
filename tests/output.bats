#!/usr/bin/env bats
# Grouped output (the default): each job's stdout and stderr come out whole,
# byte for byte, never mixed with other jobs' output (SPEC 6).

load helpers

# contiguous FILE TAG...: FILE holds, for each TAG, the lines a `lines 40
# TAG` job printed on one stream (prefix "TAG " or "TAG err "), each job's
# lines in one piece.
contiguous()
{
	local f=$1 infix=$2 tag blocks
	shift 2
	blocks=$(cut -d' ' -f1 "$f" | uniq | sort | tr '\n' ' ')
	same "$* " "$blocks" "jobs' blocks in $f" || return 1
	for tag; do
		same "$(seq -f "$tag$infix%g" 1 40)" "$(grep "^$tag " "$f")" \
		    "lines of job $tag in $f" || return 1
	done
}

@test "concurrent jobs printing with pauses: stdout of each job in one piece" {
	parx -j4 lines 40 {} 0.005 ::: A B C D >out 2>err
	contiguous out ' ' A B C D
}

@test "concurrent jobs printing with pauses: stderr of each job in one piece" {
	parx -j4 lines 40 {} 0.005 ::: A B C D E F >out 2>err
	contiguous err ' err ' A B C D E F
	contiguous out ' ' A B C D E F
}

@test "grouped output with many more jobs than slots" {
	parx -j3 lines 40 {} ::: A B C D E F G H I J K L >out 2>err
	contiguous out ' ' A B C D E F G H I J K L
	contiguous err ' err ' A B C D E F G H I J K L
}

@test "--group is the default and can be given" {
	parx --group -j2 lines 40 {} 0.005 ::: A B >out 2>err
	contiguous out ' ' A B
	contiguous err ' err ' A B
}

@test "stdout goes to stdout and stderr to stderr" {
	run -0 --separate-stderr parx -k -c 'echo out-{}; echo err-{} >&2' ::: a
	expect out-a
	expect_err err-a
}

@test "a job's output keeps its exact bytes: NUL, CR, 0xff, no newline" {
	parx -k -c 'printf "a\000b\r\377"' ::: x >out 2>err
	printf 'a\000b\r\377' >want
	same_file want out
	[ ! -s err ]
}

@test "a last line without newline is not completed" {
	parx -k -j2 -c 'printf "%s" {}' ::: a b c >out
	printf 'abc' >want
	same_file want out
	parx -k -j2 -c 'printf "%s" {} >&2' ::: a b c 2>err
	same_file want err
}

@test "a job printing nothing adds nothing" {
	parx -k -c '[ {} = b ] || echo {}' ::: a b c >out 2>err
	printf 'a\nc\n' >want
	same_file want out
	[ ! -s err ]
}

@test "a job's output is emitted exactly once" {
	seq 50 >in
	parx -j4 args <in >out
	same "$(seq 50)" "$(sort -n out)"
}

@test "output larger than the memory buffer comes out whole" {
	bytes 300000 7 >want
	parx -c 'bytes 300000 7' ::: x >out 2>err
	same_file want out
	[ ! -s err ]
	no_tmpfiles
}

@test "a failing job's output is still emitted" {
	run -1 --separate-stderr parx -k -c 'echo o{}; echo e{} >&2; exit 3' ::: a
	expect oa
	expect_err ea
}
