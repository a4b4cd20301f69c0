#!/usr/bin/env bats
# --tag and --tagstring: each line of output, on stdout and on stderr, gets
# a prefix and a TAB, in every output mode; nothing else changes (SPEC 6).

load helpers

TAB=$(printf '\t')

# Prints "out" and "err" lines, a multi-line piece and an unterminated one.
SCRIPT='echo out-{}; echo err-{} >&2; printf "x\ny"; printf "p\nq" >&2'

# want_out TAG...: what $SCRIPT prints on stdout, tagged, for jobs in order.
want_out()
{
	local t
	for t; do
		printf '%s\tout-%s\n%s\tx\n%s\ty' "$t" "${t##*-}" "$t" "$t"
	done
}

want_err()
{
	local t
	for t; do
		printf '%s\terr-%s\n%s\tp\n%s\tq' "$t" "${t##*-}" "$t" "$t"
	done
}

@test "--tag: stdout and stderr lines get the item and a TAB" {
	run -0 --separate-stderr parx -k --tag \
	    -c 'echo out-$1; echo err-$1 >&2' ::: a 'b c'
	expect "a${TAB}out-a" "b c${TAB}out-b c"
	expect_err "a${TAB}err-a" "b c${TAB}err-b c"
}

@test "--tag: byte-exact otherwise, no newline added (default mode, -j1)" {
	parx -j1 --tag -c "$SCRIPT" ::: a b >out 2>err
	want_out a b >want
	same_file want out
	want_err a b >want
	same_file want err
}

@test "--tag: byte-exact in -k mode" {
	parx -k -j2 --tag -c "sleep 0.{}; $SCRIPT" ::: 3 1 >out 2>err
	want_out 3 1 >want
	same_file want out
	want_err 3 1 >want
	same_file want err
}

@test "--tag: byte-exact in --lb mode" {
	parx -j1 --lb --tag -c "$SCRIPT" ::: a b >out 2>err
	want_out a b >want
	same_file want out
	want_err a b >want
	same_file want err
}

@test "--tag: byte-exact in -k --lb mode" {
	parx -k -j2 --lb --tag -c "sleep 0.{}; $SCRIPT" ::: 3 1 >out 2>err
	want_out 3 1 >want
	same_file want out
	want_err 3 1 >want
	same_file want err
}

@test "--tag: -u mode tags stdout and stderr lines too" {
	parx -u -j1 --tag -c "$SCRIPT" ::: a b >out 2>err
	want_out a b >want
	same_file want out
	want_err a b >want
	same_file want err
}

@test "--tagstring: -u mode" {
	parx -u -j1 --tagstring '{#}-{}' -c "$SCRIPT" ::: a b >out 2>err
	want_out 1-a 2-b >want
	same_file want out
	want_err 1-a 2-b >want
	same_file want err
}

@test "--tagstring '{#}-{}': default mode" {
	parx -j1 --tagstring '{#}-{}' -c "$SCRIPT" ::: a b >out 2>err
	want_out 1-a 2-b >want
	same_file want out
	want_err 1-a 2-b >want
	same_file want err
}

@test "--tagstring '{#}-{}': -k mode" {
	parx -k -j2 --tagstring '{#}-{}' -c "sleep 0.{}; $SCRIPT" ::: 3 1 \
	    >out 2>err
	want_out 1-3 2-1 >want
	same_file want out
	want_err 1-3 2-1 >want
	same_file want err
}

@test "--tagstring '{#}-{}': --lb and -k --lb modes" {
	parx -j1 --lb --tagstring '{#}-{}' -c "$SCRIPT" ::: a b >out 2>err
	want_out 1-a 2-b >want
	same_file want out
	want_err 1-a 2-b >want
	same_file want err
	parx -k -j2 --lb --tagstring '{#}-{}' -c "sleep 0.{}; $SCRIPT" \
	    ::: 3 1 >out 2>err
	want_out 1-3 2-1 >want
	same_file want out
	want_err 1-3 2-1 >want
	same_file want err
}

@test "--tagstring: other replacement strings, and none" {
	run -0 parx -k --tagstring '{/.}:{//}:{.}:{%}' echo ::: d/f.txt
	expect "f:d:d/f:1${TAB}d/f.txt"
	run -0 parx -k --tagstring 'plain text' echo ::: a b
	expect "plain text${TAB}a" "plain text${TAB}b"
}

@test "--tag: several sources and -n join the items with a space" {
	run -0 parx -k --tag echo ::: a b ::: 1
	expect "a 1${TAB}a 1" "b 1${TAB}b 1"
	run -0 parx -k -n2 --tag echo ::: a b c
	expect "a b${TAB}a b" "c${TAB}c"
}

@test "--tag: empty lines are tagged, a job printing nothing adds nothing" {
	run -0 parx -k --tag -c '[ {} = b ] || printf "\n\n"' ::: a b
	expect "a${TAB}" "a${TAB}"
}

@test "--tag: lines written in pieces get one tag each (output passed live)" {
	parx -j1 --tag -c 'printf ab; sleep 0.05; printf "c\nd"; sleep 0.05
	    printf "e\n"' ::: t >out
	printf 't\tabc\nt\tde\n' >want
	same_file want out
	parx -k -j2 --tag -c 'printf ab; sleep 0.05; printf "c\nd"; sleep 0.05
	    printf "e\n"' ::: t u >out
	printf 't\tabc\nt\tde\nu\tabc\nu\tde\n' >want
	same_file want out
}

@test "--tag: output larger than the memory buffer, on both streams" {
	parx --tag -c 'seq 30000; seq 30000 >&2' ::: x >out 2>err
	seq 30000 | sed 's/^/x\t/' >want
	same_file want out
	same_file want err
	no_tmpfiles
}

@test "--tag: concurrent jobs in --lb mode, every line tagged and whole" {
	parx -j4 --lb --tag pieces {} 8 ::: A B C D >out
	for t in A B C D; do
		seq -f "$t${TAB}$t %g end" 1 8
	done >want
	sort want >want.s
	sort out >out.s
	same_file want.s out.s
}
