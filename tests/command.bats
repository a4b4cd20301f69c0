#!/usr/bin/env bats
# The command: direct exec, appended items, -c shell mode, command not
# found, environment, stdin, process groups, E2BIG (SPEC 4, 13.8, 13.19).

load helpers

# Items that a shell would mangle.
nasty=('a b' "it's" '"q"' '$HOME' '*' 'a;b' '`id`' '$(id)' 'x\y' '  ' \
    'line1
line2' '-n' '{}')

@test "no replacement string: items are appended to the command" {
	run -0 --separate-stderr parx -k args a 'b c' ::: x y
	expect 'a|b c|x' 'a|b c|y'
	expect_err
}

@test "no replacement string: several sources append one word each" {
	run -0 --separate-stderr parx -k args p ::: a b ::: 1
	expect 'p|a|1' 'p|b|1'
}

@test "a command without arguments gets the item as its only argument" {
	run -0 --separate-stderr parx -k args ::: a
	expect 'a'
}

@test "options after the command word belong to the command" {
	run -0 --separate-stderr parx -k args -k -j1 --bogus ::: a
	expect '-k|-j1|--bogus|a'
	run -0 --separate-stderr parx -k -- args -x ::: a
	expect '-x|a'
}

@test "items with spaces, quotes, \$, *, ; and newlines reach argv verbatim" {
	printf '%s\0' "${nasty[@]}" >in
	parx -0 -k args x <in >out
	printf 'x|%s\n' "${nasty[@]}" >want
	same_file want out
	parx -0 -k args {} y{}z <in >out
	for i in "${nasty[@]}"; do printf '%s|y%sz\n' "$i" "$i"; done >want
	same_file want out
}

@test "::: words with shell metacharacters reach argv verbatim" {
	parx -k args ::: "${nasty[@]}" >out
	printf '%s\n' "${nasty[@]}" >want
	same_file want out
}

@test "filenames with spaces, quotes, \$, *, ; and newlines (via -0)" {
	names=('a b' "it's" '"q"' '$HOME' '*' 'a;b' 'new
line' '-dash')
	for n in "${names[@]}"; do printf '%s\n' "$n" >"./$n"; done
	printf './%s\0' "${names[@]}" >list
	run -0 --separate-stderr parx -0 -k -j3 cat <list
	expected=$(printf '%s\n' "${names[@]}")
	same "$expected" "$output"
	expect_err
}

@test "-c: replacement strings are substituted shell-quoted" {
	parx -k -c 'args {}' ::: "${nasty[@]}" >out
	printf '%s\n' "${nasty[@]}" >want
	same_file want out
}

@test "-c: a quoted item inside a larger word stays one piece of it" {
	run -0 --separate-stderr parx -k -c 'args x{}y' ::: 'a b' '$x'
	expect 'xa by' 'x$xy'
	run -0 --separate-stderr parx -k -c 'echo {} | tr a-z A-Z' ::: 'a;b'
	expect 'A;B'
}

@test "--shell is -c" {
	run -0 --separate-stderr parx -k --shell 'args {}' ::: 'a b'
	expect 'a b'
}

@test "-c without a replacement string: the items are \"\$@\"" {
	run -0 --separate-stderr parx -k -c 'args "$#" "$@"' ::: 'a b' '*'
	expect '1|a b' '1|*'
	run -0 --separate-stderr parx -k -n 2 -c 'args "$#" "$1" "$2"' ::: a b c
	expect '2|a|b' '1|c|'
	run -0 --separate-stderr parx -k -c 'args "$@"' ::: a b ::: 1
	expect 'a|1' 'b|1'
}

@test "-c: items from stdin" {
	printf 'a b\n$x\n' >in
	run -0 --separate-stderr parx -k -c 'args {}' <in
	expect 'a b' '$x'
	run -0 --separate-stderr parx -k -c 'args "$1"' <in
	expect 'a b' '$x'
}

@test "-c: \$0 is parx" {
	run -0 --separate-stderr parx -k -c 'echo "$0"' ::: x
	expect parx
	run -0 --separate-stderr parx -k -c 'echo "$0" {}' ::: x
	expect 'parx x'
}

@test "-c runs \$PARX_SHELL as: SHELL -c SCRIPT parx ITEM..." {
	PARX_SHELL=$BATS_TEST_DIRNAME/bin/args run -0 --separate-stderr \
	    parx -k -c 'a script' ::: x 'y z'
	expect '-c|a script|parx|x' '-c|a script|parx|y z'
	PARX_SHELL=$BATS_TEST_DIRNAME/bin/args run -0 --separate-stderr \
	    parx -k -n 2 -c 's' ::: a b
	expect '-c|s|parx|a|b'
}

@test "-c: a word before ::: is a usage error" {
	run --separate-stderr parx -c 'echo x' touch ran ::: a
	usage_error
	[ ! -e ran ]
	printf 'a\n' >in
	run --separate-stderr parx -c 'echo x' touch ran <in
	usage_error
	run --separate-stderr parx -c 'echo x' touch ran :::: in
	usage_error
	[ ! -e ran ]
}

@test "command not found: parx: NAME: command not found, job fails" {
	run -1 --separate-stderr parx nosuch-parx-cmd ::: a
	expect
	expect_err 'parx: nosuch-parx-cmd: command not found'
}

@test "command not found: each job reports it, other jobs go on" {
	run -1 --separate-stderr parx -k {} x ::: args nosuch-parx-cmd args
	expect x x
	expect_err 'parx: nosuch-parx-cmd: command not found'
	run -3 --separate-stderr parx -k nosuch-parx-cmd ::: a b c
	expect
	expect_err 'parx: nosuch-parx-cmd: command not found' \
	    'parx: nosuch-parx-cmd: command not found' \
	    'parx: nosuch-parx-cmd: command not found'
}

@test "command not found: a path that does not exist" {
	# A name with a slash is not looked up in PATH: the file is missing.
	run -1 --separate-stderr parx ./nosuch ::: a
	expect_err 'parx: ./nosuch: No such file or directory'
}

@test "command not found: a name with a space suggests -c" {
	run -1 --separate-stderr parx -k {} ::: 'echo hi'
	expect
	expect_err \
	    'parx: echo hi: command not found (use -c to run a shell command line)'
	run -1 --separate-stderr parx 'nosuch arg' ::: a
	expect_err \
	    'parx: nosuch arg: command not found (use -c to run a shell command line)'
}

@test "command not found: the job's status is 127 (seen through --fail-fast)" {
	run -127 --separate-stderr parx --fail-fast nosuch-parx-cmd ::: a
	expect_err 'parx: nosuch-parx-cmd: command not found' \
	    'parx: job 1 failed (exit status 127): --fail-fast reached; stopping the running jobs'
}

@test "a file that is not executable: the job fails with 126" {
	printf '#!/bin/sh\necho hi\n' >notexec
	chmod 644 notexec
	run -1 --separate-stderr parx -k ./notexec ::: a
	expect
	same 1 "${#stderr_lines[@]}" "number of stderr lines"
	[[ $stderr == "parx: ./notexec: "* ]]
	run -126 --separate-stderr parx --fail-fast ./notexec ::: a
	expect
}

@test "PARX_SEQ and PARX_SLOT are in the job's environment" {
	run -0 --separate-stderr parx -k -j1 -c 'echo "$PARX_SEQ $PARX_SLOT"' \
	    ::: a b c
	expect '1 1' '2 1' '3 1'
}

@test "PARX_SEQ is {#} and PARX_SLOT is {%}" {
	run -0 --separate-stderr parx -k -j3 \
	    -c '[ "$PARX_SEQ" = {#} ] && [ "$PARX_SLOT" = {%} ] && echo ok' \
	    ::: 1 2 3 4 5 6
	expect ok ok ok ok ok ok
}

@test "jobs get parx's environment" {
	PARXTEST_VAR='a b' run -0 --separate-stderr parx -k \
	    -c 'echo "$PARXTEST_VAR"' ::: x
	expect 'a b'
}

@test "a job's stdin is /dev/null" {
	printf 'not for jobs\n' >in
	run -0 --separate-stderr parx -k -c 'cat; echo "end $1"' ::: a b <in
	expect 'end a' 'end b'
	printf 'a\nb\n' >in
	run -0 --separate-stderr parx -k -j1 -c 'cat; echo "$1"' <in
	expect a b
}

@test "a job's stdin is /dev/null itself" {
	[ -e /proc/self/fd/0 ] || skip "no /proc/self/fd here"
	run -0 --separate-stderr parx -k -c 'readlink /proc/$$/fd/0' ::: x
	expect /dev/null
}

@test "each job leads a process group of its own" {
	command -v ps >/dev/null || skip "no ps here"
	run -0 --separate-stderr parx -k -j3 pginfo ::: a b c
	expect leader leader leader
}

@test "what a job starts stays in the job's process group" {
	command -v ps >/dev/null || skip "no ps here"
	run -0 --separate-stderr parx -k -c \
	    'a=$(ps -o pgid= -p $$); b=$(sh -c "ps -o pgid= -p \$\$");
	    [ $a = $$ ] && [ $a = $b ] && echo same' ::: x
	expect same
}

@test "an argument list that is too long fails that job only" {
	printf 'a\n' >in
	head -c 3000000 /dev/zero | tr '\0' x >>in
	printf '\nb\n' >>in
	run -1 --separate-stderr parx -k -j1 args <in
	expect a b
	same 1 "${#stderr_lines[@]}" "number of stderr lines"
	[[ $stderr == "parx: "* ]]
	# A clear message: it says what went wrong and does not dump the
	# 3 MB argument.
	[[ ${stderr,,} == *"too long"* ]]
	[ "${#stderr}" -lt 1000 ]
}

@test "an argument list that is too long under -c fails that job only" {
	printf 'a\n' >in
	head -c 3000000 /dev/zero | tr '\0' x >>in
	printf '\nb\n' >>in
	run -1 --separate-stderr parx -k -j2 -c 'echo {}' <in
	expect a b
	[[ ${stderr,,} == *"too long"* ]]
	[ "${#stderr}" -lt 1000 ]
}
