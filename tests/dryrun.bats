#!/usr/bin/env bats
# --dry-run: each command that would run, shell-quoted, one per line, in
# input order, on stdout; nothing runs (SPEC 5, 13.4).

load helpers

@test "--dry-run: commands on stdout, shell-quoted, nothing run" {
	run -0 --separate-stderr parx --dry-run touch ::: m1 'm 2' "it's" '' \
	    'a$b' '*'
	expect "touch m1" "touch 'm 2'" "touch 'it'\\''s'" "touch ''" \
	    "touch 'a\$b'" "touch '*'"
	expect_err
	for f in m1 'm 2' "it's" 'a$b' '*'; do
		[ ! -e "$f" ] || { echo "$f was made" >&2; return 1; }
	done
}

@test "--dry-run: the quoted lines run the same commands" {
	run -0 parx --dry-run args x{} ::: 'a b' "c'd" '$e' 'f"g' 'h\i'
	printf '%s\n' "$output" >cmds
	run -0 sh cmds
	expect "xa b" "xc'd" 'x$e' 'xf"g' 'xh\i'
}

@test "--dry-run: input order with many items and jobs" {
	seq 200 >in
	run -0 parx --dry-run -j8 echo n{} <in
	same "$(sed 's/^/echo n/' in)" "$output" stdout
}

@test "--dry-run: nothing runs, even commands that do not exist" {
	run -0 --separate-stderr parx --dry-run -j4 nosuch-parx-command ::: a b
	expect "nosuch-parx-command a" "nosuch-parx-command b"
	expect_err
	run -0 parx --dry-run -c 'touch ran-{}' ::: a b
	[ ! -e ran-a ] && [ ! -e ran-b ]
}

@test "--dry-run -c: the script after substitution" {
	run -0 --separate-stderr parx --dry-run -c 'echo {} > {.}.out' \
	    ::: 'a b.txt' plain.c
	expect "echo 'a b.txt' > 'a b'.out" "echo plain.c > plain.out"
	expect_err
	[ ! -e plain.out ]
}

@test "--dry-run -c: the items set as \$@ first when the script uses them" {
	run -0 parx --dry-run -c 'echo "$@"' ::: a 'b c'
	expect "set -- a; echo \"\$@\"" "set -- 'b c'; echo \"\$@\""
	# The lines run as the jobs would.
	printf '%s\n' "$output" >cmds
	run -0 sh cmds
	expect a 'b c'
	run -0 parx --dry-run -c 'echo {} $1' ::: x
	expect 'set -- x; echo x $1'
	run -0 parx --dry-run -c 'echo {}' ::: x
	expect 'echo x'
}

@test "--dry-run with replacement strings, -n and several sources" {
	run -0 parx --dry-run cp {} {.}.bak/{#} ::: d/x.txt
	expect "cp d/x.txt d/x.bak/1"
	run -0 parx --dry-run -n2 echo ::: 1 2 3
	expect "echo 1 2" "echo 3"
	run -0 parx --dry-run echo {2}-{1} ::: a b ::: 1 2
	expect "echo 1-a" "echo 2-a" "echo 1-b" "echo 2-b"
}

@test "--dry-run: empty input prints nothing, exits 0" {
	run -0 --separate-stderr parx --dry-run echo </dev/null
	expect
	expect_err
}
