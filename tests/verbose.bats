#!/usr/bin/env bats
# -t / --verbose: each command, shell-quoted, on stderr as it starts; stdout
# is what it would be without -t (SPEC 5, 13.4).

load helpers

@test "-t: the command lines on stderr, stdout unchanged" {
	run -0 --separate-stderr parx -k -j1 -t echo ::: a 'b c' "d'e"
	expect a "b c" "d'e"
	expect_err "echo a" "echo 'b c'" "echo 'd'\\''e'"
}

@test "--verbose: the long name" {
	run -0 --separate-stderr parx -k -j1 --verbose echo ::: a
	expect a
	expect_err "echo a"
}

@test "-t: stdout is the same as without -t" {
	seq 50 >in
	parx -k -j4 args x{} y <in >plain
	parx -k -j4 -t args x{} y <in >verbose 2>err
	same_file plain verbose
	sed 's/.*/args x& y/' in | sort >want
	sort err >got
	same_file want got
}

@test "-t: the line is there as the job starts, before it ends" {
	# The job waits to see its own command line on parx's stderr.
	echo 'waitline err "sh seeline $1" && echo seen-$1' >seeline
	parx -t -k -j2 sh seeline ::: a b >out 2>err
	same "seen-a seen-b" "$(cat out | tr '\n' ' ' | sed 's/ $//')" stdout
	same "sh seeline a sh seeline b" "$(sort err | tr '\n' ' ' |
	    sed 's/ $//')" stderr
}

@test "-t -c: the script after substitution" {
	run -0 --separate-stderr parx -t -k -j1 -c 'echo {} > {.}.out' \
	    ::: 'a b.txt'
	expect
	expect_err "echo 'a b.txt' > 'a b'.out"
	same "a b.txt" "$(cat 'a b.out')" "what the job wrote"
}

@test "-t with jobs' own stderr: both arrive, the job's untouched" {
	run -0 --separate-stderr parx -t -j1 -c 'echo err-$1 >&2' ::: a
	expect
	run sort <<<"$stderr"
	expect "err-a" "set -- a; echo err-\$1 >&2"
}

@test "-t: a job that fails or cannot start is still shown" {
	run -2 --separate-stderr parx -t -k -j1 {} ::: false nosuch-parx-cmd true
	run sort <<<"$stderr"
	expect false nosuch-parx-cmd "parx: nosuch-parx-cmd: command not found" \
	    true
}
