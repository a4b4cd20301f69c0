#!/usr/bin/env bats
# compat.bats - what GNU parallel users reach for (SPEC 11.7): command
# lines from the input, :::+ and ::::+, empty ::: groups, the --plus
# replacement strings, --header, {= =}, --shuf, --tmpdir, --joblog -,
# --retry-failed, --resume-failed with a changed command, the Command
# column, --timeout N%, --bar on a terminal, and long options.  Where GNU
# parallel does the same, its real output is the expected one.

load helpers

setup()
{
	marker_setup
}

teardown()
{
	marker_teardown
}

# gnu ARGS...: GNU parallel, or a skip saying it is missing.
gnu()
{
	command -v parallel >/dev/null 2>&1 &&
	    parallel --version 2>/dev/null | grep -q 'GNU parallel' ||
	    skip "GNU parallel is not installed (.ci/run installs it)"
	parallel --will-cite "$@" 3>&-
}

@test "no command: each input line is a shell command line" {
	printf 'echo one\necho "a  b" | tr a A\nexit 3\n' >cmds
	run -1 --separate-stderr parx -k <cmds
	expect one "A  b"
	run -1 --separate-stderr gnu -k <cmds
	expect one "A  b"
	run -0 --separate-stderr parx -k -j4 ::: 'echo a' 'echo b; echo c'
	expect a b c
}

@test "no command: the items of several sources make one command line" {
	run -0 --separate-stderr parx -k ::: echo printf\ %s. ::: x y
	want=$output
	expect x y x.y.
	run -0 --separate-stderr gnu -k ::: echo printf\ %s. ::: x y
	same "$want" "$output" "GNU parallel's output"
	printf 'echo\nhi\nprintf\n%%s-\n' >in
	run -0 --separate-stderr parx -k -n2 <in
	expect hi -
}

@test "no command: a file of command lines, with -a and ::::" {
	printf 'echo 1\necho 2\n' >jobs
	run -0 --separate-stderr parx -k -a jobs
	expect 1 2
	run -0 --separate-stderr parx -k :::: jobs
	expect 1 2
	run -0 parx --dry-run :::: jobs
	expect "echo 1" "echo 2"
}

@test "no command, items on a terminal: a hint says how to end them" {
	command -v script >/dev/null 2>&1 || skip "script(1) is not installed"
	run -0 timeout 60 script -qec "'$PARX' -k echo" /dev/null </dev/null
	[[ $output == *"parx: reading items from the terminal"*"Ctrl-D"* ]]
	# Not when the items come from elsewhere.
	run -0 timeout 60 script -qec "'$PARX' -k echo ::: quiet" /dev/null \
	    </dev/null
	[[ $output != *"from the terminal"* ]]
	[[ $output == *quiet* ]]
}

@test ":::+ links a source to the one before: element by element, shortest" {
	run -0 --separate-stderr parx -k echo ::: a b c :::+ 1 2 ::: X Y
	expect "a 1 X" "a 1 Y" "b 2 X" "b 2 Y"
	want=$output
	run -0 --separate-stderr gnu -k echo ::: a b c :::+ 1 2 ::: X Y
	same "$want" "$output" "GNU parallel's output"
}

@test "::::+ links a file of items to the source before" {
	printf '1\n2\n3\n' >nums
	run -0 --separate-stderr parx -k echo ::: a b c ::::+ nums
	expect "a 1" "b 2" "c 3"
	want=$output
	run -0 --separate-stderr gnu -k echo ::: a b c ::::+ nums
	same "$want" "$output" "GNU parallel's output"
}

@test "an empty ::: group is ignored; only empty groups run nothing" {
	run -0 --separate-stderr parx -k echo ::: a b :::
	expect a b
	run -0 --separate-stderr parx -k echo ::: ::: a b
	expect a b
	run -0 --separate-stderr parx echo ::: <&-
	expect
	expect_err
}

@test "--plus strings {..} {...} {/..} {/...} {+/} {+.} {+..} {+...} {##}" {
	run -0 --separate-stderr parx -k echo {..} {...} {/..} {/...} {+/} \
	    {+.} {+..} {+...} {##} ::: dir/sub/a.b.c.d file x/y.tar.gz
	expect "dir/sub/a.b dir/sub/a a.b a dir/sub d c.d b.c.d 3" \
	    "file file file file     3" \
	    "x/y x/y.tar.gz y y.tar.gz x gz tar.gz  3"
	want=$output
	run -0 --separate-stderr gnu --plus -k echo {..} {...} {/..} {/...} \
	    {+/} {+.} {+..} {+...} {##} ::: dir/sub/a.b.c.d file x/y.tar.gz
	same "$want" "$output" "GNU parallel's output"
}

@test "--plus is accepted; the identities of GNU parallel hold" {
	run -0 --separate-stderr parx --plus -k echo {+/}/{/} {.}.{+.} \
	    {..}.{+..} ::: d/e/f.tar.gz
	expect "d/e/f.tar.gz d/e/f.tar.gz d/e/f.tar.gz"
	# A leading dot starts no extension, as for {.}.
	run -0 --separate-stderr parx echo {..}:{+.}: ::: .config.tar.gz
	expect ".config:gz:"
	run -0 --separate-stderr parx echo {N1..} ::: a.b.c
	expect "{N1..} a.b.c"
	run -0 --separate-stderr parx echo {1..} {2+.} ::: a.b.c ::: x.y
	expect "a y"
}

@test "{##} is the number of jobs, known before the first job starts" {
	seq 5 >in
	run -0 --separate-stderr parx -k -j2 echo {#}/{##} <in
	expect 1/5 2/5 3/5 4/5 5/5
	run -0 --separate-stderr parx -k echo {##} ::: a b ::: 1 2 3
	expect 6 6 6 6 6 6
	no_tmpfiles
}

@test "--header : with --colsep names the columns" {
	printf 'name\tage\nbob\t3\nann\t4\n' >people
	run -0 --separate-stderr parx -k --header : --colsep '\t' \
	    echo {name} is {age} {1} :::: people
	expect "bob is 3 bob" "ann is 4 ann"
	want=$output
	run -0 --separate-stderr gnu -k --header : --colsep '\t' \
	    echo {name} is {age} {1} :::: people
	same "$want" "$output" "GNU parallel's output"
	run -0 --separate-stderr parx -k --header : --colsep , \
	    echo {f/} {f//} <<<$'f,g\ndir/x.c,1'
	expect "x.c dir"
}

@test "--header : names ::: sources by their first item" {
	run -0 --separate-stderr parx -k --header : echo {f1} {f2} \
	    ::: f1 A B ::: f2 C D
	expect "A C" "A D" "B C" "B D"
	want=$output
	run -0 --separate-stderr gnu -k --header : echo {f1} {f2} \
	    ::: f1 A B ::: f2 C D
	same "$want" "$output" "GNU parallel's output"
	run --separate-stderr parx --header 2 echo ::: a
	usage_error
}

@test "{= perl =} is a usage error that says so" {
	run --separate-stderr parx echo '{= s/a/b/ =}' ::: a
	usage_error
	[[ ${stderr_lines[0]} == *"Perl expressions {= ... =} are not supported"* ]]
	run --separate-stderr parx -c 'echo {=$_=}' ::: a
	usage_error
	run --separate-stderr parx --tagstring '{= 1 =}' echo ::: a
	usage_error
	# A lone {= is just text.
	run -0 --separate-stderr parx echo '{=' ::: a
	expect "{= a"
}

@test "--shuf: every job runs once, in another order; {#} is the input position" {
	seq 200 >in
	run -0 --separate-stderr parx -j1 --shuf echo {#} {} <in
	same 200 "${#lines[@]}" "number of jobs"
	bad=$(printf '%s\n' "${lines[@]}" | awk '$1 != $2')
	same "" "$bad" "{#} not the input position"
	same "$(seq 200)" "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f2 |
	    sort -n)" "jobs run"
	# 200 jobs in input order by chance: about 1 in 10^375.
	[ "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f2)" != "$(seq 200)" ]
	no_tmpfiles
	run --separate-stderr parx --shuf -k echo ::: a
	usage_error
}

@test "--tmpdir DIR: output spilled there instead of \$TMPDIR" {
	mkdir spill
	bytes 300000 1 >want
	# --retries: the output is held, not passed through as it comes.
	TMPDIR=$T/nonexistent parx --retries 1 --tmpdir spill bytes 300000 \
	    ::: 1 >got 2>err
	same_file want got
	same "" "$(cat err)" "stderr"
	same "" "$(ls -A spill)" "files left in --tmpdir"
	# Without it, the missing $TMPDIR is reported.
	TMPDIR=$T/nonexistent parx --retries 1 bytes 300000 ::: 1 >got 2>err
	grep -q "cannot spill output" err
	run --separate-stderr parx --tmpdir nosuch echo ::: a
	usage_error
	touch afile
	run --separate-stderr parx --tmpdir afile echo ::: a
	usage_error
}

@test "--joblog -: the log on stdout, each line after its job's output" {
	run -0 --separate-stderr parx -k --joblog - echo ::: a b
	same 5 "${#lines[@]}" "lines"
	same $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand' \
	    "${lines[0]}" "header"
	same a "${lines[1]}"
	[[ ${lines[2]} == 1$'\t':$'\t'*$'\t'0$'\t'2$'\t'0$'\t'0$'\t'"echo a" ]]
	same b "${lines[3]}"
	[[ ${lines[4]} == 2$'\t'*$'\techo b' ]]
	run --separate-stderr parx --joblog - --resume echo ::: a
	usage_error
}

@test "the Command column tells a newline from a backslash-n" {
	run -0 parx -k --joblog log printf '[%s]' ::: $'x\ny' 'x\ny'
	same $'[x\ny][x\\ny]' "$output"
	same "printf '[%s]' \$'x\\ny'" "$(awk -F'\t' '$1 == 1 { print $9 }' log)"
	same "printf '[%s]' 'x\\ny'" "$(awk -F'\t' '$1 == 2 { print $9 }' log)"
	# A -c script with a newline is logged as eval $'...'.
	run -0 parx --joblog log2 -c $'echo {}\necho two' ::: one
	same "eval \$'echo one\\necho two'" \
	    "$(awk -F'\t' '$1 == 1 { print $9 }' log2)"
}

@test "--retry-failed: the failed jobs of the log again, as logged" {
	run -2 parx -k --joblog log -c 'echo {}; [ {} != b ] && [ {} != d ]' \
	    ::: a b c d
	rm -f ran
	run -2 --separate-stderr parx -k --joblog log --retry-failed
	# The scripts run as logged: b and d fail again.
	expect b d
	same "1 2 2 3 4 4" "$(awk -F'\t' 'NR > 1 { print $1 }' log |
	    sort -n | tr '\n' ' ' | sed 's/ $//')" "Seq column"
	# A newline in a logged command runs again as it did.
	run -0 parx --joblog nl printf '[%s]' ::: $'x\ny' 2 3 4
	sed -i 's/\t0\t0\tprintf/\t1\t0\tprintf/' nl
	run -0 --separate-stderr parx -k --joblog nl --retry-failed
	same $'[x\ny][2][3][4]' "$output"
	run --separate-stderr parx --retry-failed echo
	usage_error
}

@test "--retry-failed reads GNU parallel's log, and GNU parallel parx's" {
	gnu --joblog glog 'echo {}; exit {}' ::: 0 1 0 2 >/dev/null || true
	run -2 --separate-stderr parx -k --joblog glog --retry-failed
	expect 1 2
	run -2 parx --joblog plog -c 'echo {}; exit {}' ::: 0 1 0 2
	run -2 --separate-stderr gnu -k --joblog plog --retry-failed
	expect 1 2
}

@test "--resume-failed reruns a failed job whose command changed" {
	run -1 parx -k --joblog log -c 'echo {}; exit {}' ::: 0 1 0
	# Job 2 failed; its item changes, jobs 1 and 3 are the same.
	run -0 --separate-stderr parx -k --joblog log --resume-failed \
	    -c 'echo {}; exit {}' ::: 0 0 0
	expect 0
	# A job --resume-failed would skip must still match the log.
	run -255 --separate-stderr parx -k --joblog log --resume-failed \
	    -c 'echo {}; exit {}' ::: 5 0 0
	expect
	expect_err "parx: cannot resume: job 1 of log ran 'echo 0; exit 0', but would now run 'echo 5; exit 5'; the input or the command changed (start a new --joblog to run everything)"
}

@test "--timeout N%: a job far above the median runtime is killed" {
	run -1 --separate-stderr parx -k -j1 --timeout 500% -c \
	    'case {} in slow) exec sleep 1000.'"$M"' ;; *) sleep 0.1 ;; esac
	echo {}' ::: a b c slow d
	expect a b c d
	[[ $stderr == "parx: job 4: timed out after "*s ]]
	nothing_left
	run -0 --separate-stderr parx --timeout 200% echo ::: a
	run --separate-stderr parx --timeout 0% echo ::: a
	usage_error
	run --separate-stderr parx --timeout x% echo ::: a
	usage_error
}

@test "--timeout 0 means no timeout" {
	run -0 --separate-stderr parx --timeout 0 -c 'sleep 0.3; echo ok' ::: a
	expect ok
}

@test "--bar: drawn at once on a terminal, before any job ends" {
	command -v script >/dev/null 2>&1 || skip "script(1) is not installed"
	# The job prints only once the bar is on the terminal.
	run -0 timeout 60 script -qec "'$PARX' --bar -c 'sleep 0.5; echo done' \
	    ::: a" /dev/null </dev/null
	[[ $output == *"parx: 0/"*"done"* ]]
}

@test "long options: unique prefixes, =value, ambiguous ones named" {
	run -0 --separate-stderr parx --keep --jobs=2 --max-a=2 echo ::: a b c
	expect "a b" c
	run --separate-stderr parx --re echo ::: a
	usage_error
	same "parx: option '--re' is ambiguous: it could be --recend, --recstart, --retries, --retry-delay, --retry-on, --resume, --resume-failed, --retry-failed, --return, --results" \
	    "${stderr_lines[0]}"
	run --separate-stderr parx --keep-order=yes echo ::: a
	usage_error
	same "parx: option '--keep-order' takes no argument" "${stderr_lines[0]}"
	# --lb and --line-buffer are one option.
	run -0 --separate-stderr parx --line echo ::: a
	run --separate-stderr parx --l echo ::: a
	usage_error
	[[ ${stderr_lines[0]} == *"--link, --line-buffer"* ]]
}

@test "contradictory options are usage errors" {
	for o in '-u --lb' '--lb -u' '--group -u' '--lb --group' \
	    '--resume --resume-failed --joblog l' \
	    '--retry-failed --resume --joblog l' '-X -m' '-X --xargs' \
	    '-n 2 -L 2' '--halt now,fail=1 --fail-fast' '-k -u' \
	    '-k --shuf'; do
		eval "run --separate-stderr parx $o touch ran ::: a"
		usage_error || { echo "options: $o" >&2; return 1; }
	done
	[ ! -e ran ]
	[ ! -e l ]
}
