#!/usr/bin/env bats
# ssh.bats - jobs on other machines (-S, --slf; SPEC 11.5) against real
# OpenSSH servers on 127.0.0.1 (tests/sshd-helper.sh): items verbatim,
# slots per host, files moved, hosts that are dead, die, or hang, remote
# processes gone after a timeout or an interrupt, bad input.  Slow: every
# test connects; see tests/README.md.

load helpers

setup_file()
{
	. "$BATS_TEST_DIRNAME/sshd-helper.sh"
	if ! sshd_init "$BATS_FILE_TMPDIR/sshd" >"$BATS_FILE_TMPDIR/why" ||
	    ! sshd_start h1 >>"$BATS_FILE_TMPDIR/why"; then
		export SSH_SKIP="no test sshd: $(cat "$BATS_FILE_TMPDIR/why")"
		return 0
	fi
	H1=$LOGIN
	sshd_start h2 >>"$BATS_FILE_TMPDIR/why" || return 1
	H2=$LOGIN
	export H1 H2
}

teardown_file()
{
	. "$BATS_TEST_DIRNAME/sshd-helper.sh"
	[ -z "${SSHD_DIR:-}" ] || sshd_stop_all
}

setup()
{
	marker_setup
	pid=
	[ -z "${SSH_SKIP:-}" ] || skip "$SSH_SKIP"
	. "$BATS_TEST_DIRNAME/sshd-helper.sh"
	BIN=$BATS_TEST_DIRNAME/bin
}

teardown()
{
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	marker_teardown
	for h in h3 h4; do
		sshd_stop "$h" 2>/dev/null || true
	done
}

# rparx ARG...: parx with the test servers' ssh configuration.
rparx()
{
	parx --ssh "$SSH_CMD" "$@"
}

# A closed port: nothing listens there.
dead_login()
{
	sshd_start h4 >/dev/null || return 1
	DEAD=$LOGIN
	sshd_stop h4
}

# clean: parx left nothing here (TMPDIR, masters) nor on the hosts.
clean()
{
	no_tmpfiles || return 1
	same "" "$(pgrep -af "ssh.*$TMPDIR" || true)" "masters left" || return 1
	same "" "$(ls -A "$SSHD_DIR/tmp-h1" "$SSHD_DIR/tmp-h2" | grep parx ||
	    true)" "files left on the hosts"
}

# gone: nothing with the test's marker runs, 2 s after parx ended at most.
gone()
{
	local i=0

	while pgrep -f "$M" >/dev/null && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	nothing_left
}

@test "items arrive on the hosts verbatim, as they do here" {
	printf '%s\0' 'a b' "it's" '$(touch pwned)' '`touch pwned`' \
	    $'new\nline' '' '*' '-n' 'back\slash' $'\t"q"' $'\xff\xfe' \
	    '; touch pwned' >items
	run -0 parx -0 -k -a items "$BIN/args" x {} y
	local want=$output
	run -0 rparx -0 -k -S "$H1,$H2" -a items "$BIN/args" x {} y
	same "$want" "$output"
	run -0 parx -0 -k -a items -c 'printf "<%s>\n" {} "$1" "$#"'
	want=$output
	run -0 rparx -0 -k -S "$H1,$H2" -a items \
	    -c 'printf "<%s>\n" {} "$1" "$#"'
	same "$want" "$output"
	[ "${lines[0]}" = '<a b>' ]
	[ ! -e pwned ] && [ ! -e ~/pwned ]
	clean
}

@test "items from standard input go to the hosts, and jobs read nothing" {
	run -0 bash -c 'seq 6 | "$@"' bash "$PARX" --ssh "$SSH_CMD" \
	    -S "$H1,$H2" -k -c 'echo {} $(cat | wc -c)' 3>&-
	expect "1 0" "2 0" "3 0" "4 0" "5 0" "6 0"
	clean
}

@test "-c, --env, PARX_SEQ and PARX_SLOT on a host" {
	FOO='x $(y) "z"' run -0 rparx -S "$H1" -j1 -k --env FOO \
	    -c 'printf "%s|%s|%s|%s|%s\n" "$FOO" "$PARX_SEQ" "$PARX_SLOT" \
	    "$1" "$PARX_TEST_HOST"' ::: 'a b' c
	expect 'x $(y) "z"|1|1|a b|h1' 'x $(y) "z"|2|1|c|h1'
	clean
}

@test "slots per host: N/LOGIN, -j per host, and the host's CPU count" {
	run -0 rparx -S "2/$H1,3/$H2" "$BIN/hostmeet" "$PWD/m1" h1=2,h2=3 \
	    ::: 1 2 3 4 5
	run sort <<<"$output"
	expect "h1 2" "h1 2" "h2 3" "h2 3" "h2 3"
	run -0 rparx -j1 -S "$H1,$H2" "$BIN/hostmeet" "$PWD/m2" h1=1,h2=1 \
	    ::: 1 2
	run sort <<<"$output"
	expect "h1 1" "h2 1"
	# Without N/ or -j, each host runs as many jobs as it has CPUs.
	local n
	n=$(ncpus)
	run -0 rparx -S "$H1,$H2" "$BIN/hostmeet" "$PWD/m3" "h1=$n,h2=$n" \
	    ::: $(seq $((2 * n)))
	run sort -u <<<"$output"
	expect "h1 $n" "h2 $n"
	clean
}

@test "a job's exit status, a signal, and its own 255 are the job's" {
	run -2 rparx -S "$H1" -k --joblog log -c 'echo {}; exit {}' \
	    ::: 0 3 255 0
	expect 0 3 255 0
	run -1 rparx -S "$H1" --joblog log2 -c 'kill -9 $$' ::: 1
	run sh -c 'sed 1d log | sort -n | cut -f 1,2,7,8; sed 1d log2 | cut -f 2,7,8'
	expect "1	$H1	0	0" "2	$H1	3	0" "3	$H1	255	0" "4	$H1	0	0" \
	    "$H1	-1	9"
	clean
}

@test ": runs jobs here beside the hosts; -k, --tag and the Host column" {
	run -0 rparx -S ":,$H1" -k --tag --joblog log --workdir "$PWD" \
	    -c 'echo "${PARX_TEST_HOST:-here}" >"where-{}"; echo {}' \
	    ::: 1 2 3 4 5 6
	expect "1	1" "2	2" "3	3" "4	4" "5	5" "6	6"
	run sort -u where-1 where-2 where-3 where-4 where-5 where-6
	expect h1 here
	run sh -c 'cut -f 2 log | sed 1d | sort -u'
	expect "$H1" ":"
	clean
}

@test "the JSON job log and --results record the host; rusage is null there" {
	command -v jq >/dev/null || skip "jq is not installed"
	run -0 rparx -S "$H1" -k --joblog log.jsonl --results res.csv \
	    -c 'echo {}' ::: a 'b,"c"'
	expect a 'b,"c"'
	run jq -s -c 'sort_by(.seq)[] | [.seq, .host, .exit, .attempts,
	    .maxrss_kb, .user_cpu, .sys_cpu]' log.jsonl
	expect "[1,\"$H1\",0,1,null,null,null]" "[2,\"$H1\",0,1,null,null,null]"
	run python3 -c 'import csv, sys
rows = csv.DictReader(open(sys.argv[1], newline=""))
for r in sorted(rows, key=lambda r: int(r["Seq"])):
    print(r["Seq"], r["Host"], r["V1"], repr(r["Stdout"]))' res.csv
	expect "1 $H1 a 'a\\n'" "2 $H1 b,\"c\" 'b,\"c\"\\n'"
	run -0 rparx -S "$H1" --results res.json echo ::: x
	run jq -r '.Host' res.json
	expect "$H1"
	run -0 rparx -S "$H1" --results dir/ echo ::: x
	run cat dir/1/host dir/1/stdout
	expect "$H1" x
	# Here (:), rusage is the job's own, and the Host column says ':'.
	run -0 rparx -S : --joblog here.jsonl --results dir2/ true ::: 1
	run jq -c '[.host, (.maxrss_kb > 0)]' here.jsonl
	expect '[":",true]'
	run cat dir2/1/host
	expect :
	clean
}

@test "--workdir ... is a directory of the run, removed at the end" {
	run -0 rparx -S "$H1" --workdir ... -c 'pwd; touch made-here' ::: 1
	[[ $output == "$SSHD_DIR/tmp-h1/parx."*/work ]]
	[ ! -e "$output" ]
	run -0 rparx -S "$H1" --workdir "$PWD/wd/sub" -c 'pwd' ::: 1
	expect "$PWD/wd/sub"
	clean
}

@test "--transferfile, --return, --cleanup: files with any name" {
	mkdir here there
	cd here
	printf 'one\n' >'a b.txt'
	printf 'two\n' >$'new\nline.txt'
	printf 'three\n' >"it's \$(x).txt"
	run -0 rparx -S "$H1,$H2" --workdir "$T/there" --trc {}.out \
	    -c 'tr a-z A-Z <{} >{}.out' ::: 'a b.txt' $'new\nline.txt' \
	    "it's \$(x).txt"
	expect
	run cat 'a b.txt.out' $'new\nline.txt.out' "it's \$(x).txt.out"
	expect ONE TWO THREE
	run ls -A "$T/there"
	expect
	cd "$T"
	clean
}

@test "a --return that fails fails the job and keeps the files there" {
	mkdir here there
	cd here
	printf 'one\n' >in.txt
	run -1 --separate-stderr rparx -S "$H1" --workdir "$T/there" \
	    --tf {} --return {}.nothing --return {}.done --cleanup \
	    --joblog ../log -c 'cp {} {}.done' ::: in.txt
	[[ ${stderr_lines[0]} == "parx: job 1: cannot bring in.txt.nothing back from $H1: "* ]]
	run ls "$T/there"
	expect in.txt in.txt.done
	[ -e in.txt.done ]
	run cut -f 7 ../log
	expect Exitval 255
	cd "$T"
	clean
}

@test "--basefile reaches each host once, and --cleanup removes it" {
	mkdir there
	printf 'base\n' >base.txt
	run -0 rparx -S "$H1" -j2 --workdir "$T/there" --basefile base.txt \
	    -c 'cat base.txt' ::: 1 2 3
	expect base base base
	[ -e there/base.txt ]
	rm there/base.txt
	run -0 rparx -S "$H1" --workdir "$T/there" --basefile base.txt \
	    --cleanup -c 'cat base.txt' ::: 1
	expect base
	[ ! -e there/base.txt ]
	clean
}

@test "a host that cannot be reached is no job's failure: all run elsewhere" {
	dead_login
	run -0 --separate-stderr rparx -S "$DEAD,$H1" -c 'echo {}' \
	    ::: 1 2 3 4 5 6
	run sort -n <<<"$output"
	expect 1 2 3 4 5 6
	[[ $stderr == "parx: $DEAD: "*"Connection refused (out of use; trying again in 1s)" ]]
	clean
}

@test "with no usable host, each job fails with 'no usable host'" {
	dead_login
	run -2 --separate-stderr rparx -S "$DEAD" --joblog log echo ::: 1 2
	expect
	[ "${#stderr_lines[@]}" -eq 4 ]
	[[ ${stderr_lines[1]} == "parx: no usable host ($DEAD: "*"Connection refused)" ]]
	[ "${stderr_lines[2]}" = "parx: job 1: no usable host" ]
	[ "${stderr_lines[3]}" = "parx: job 2: no usable host" ]
	run cut -f 2,7 log
	expect "Host	Exitval" "-	255" "-	255"
	clean
}

@test "a host dying mid-run: its jobs run again elsewhere, output once" {
	sshd_start h3 >/dev/null
	local h3=$LOGIN
	rparx -S "2/$H1,2/$h3" --workdir "$PWD" --joblog log.jsonl \
	    -c 'touch "started-$PARX_TEST_HOST-{}"
	    # Nothing finishes on h3 before it dies.
	    if [ "$PARX_TEST_HOST" = h3 ]; then sleep 60; else sleep 1; fi
	    echo {}' ::: $(seq 12) >out 2>err 3>&- &
	pid=$!
	until ls started-h3-* >/dev/null 2>&1; do
		kill -0 "$pid" || break
		sleep 0.05
	done
	sshd_stop h3
	rc=0
	wait "$pid" || rc=$?
	pid=
	same 0 "$rc" "exit status"
	run sort -n out
	expect $(seq 12)
	run cat err
	[[ $output == "parx: $h3: "*"(out of use; trying again in 1s)"* ]]
	ls started-h1-* >/dev/null
	# One line a job, its host's failure not counted as an attempt; the
	# jobs h3 had started ran again on h1.
	run jq -s -c '[length, all(.[]; .exit == 0 and .attempts == 1)]' \
	    log.jsonl
	expect '[12,true]'
	local f
	for f in started-h3-*; do
		run jq -r "select(.seq == ${f#started-h3-}) | .host" log.jsonl
		expect "$H1"
	done
	no_tmpfiles
}

@test "a stopped host is left out after the connect timeout" {
	sshd_start h3 >/dev/null
	local h3=$LOGIN
	sshd_freeze h3
	run -0 --separate-stderr rparx -S "$h3,$H1" -c 'echo $PARX_TEST_HOST' \
	    ::: 1 2 3
	expect h1 h1 h1
	[[ $stderr == "parx: $h3: "*"(out of use; trying again in 1s)" ]]
	sshd_thaw h3
	no_tmpfiles
}

@test "a host that comes back is set up again and takes jobs" {
	sshd_start h3 >/dev/null
	local h3=$LOGIN
	sshd_freeze h3
	rparx -S "1/$h3,1/$H1" -k -c 'sleep 0.3; echo {} $PARX_TEST_HOST' \
	    ::: $(seq 40) >out 2>err 3>&- &
	pid=$!
	# Thawed once parx has given up on it: the back-off brings it back.
	until grep -q 'out of use' err; do
		kill -0 "$pid" || break
		sleep 0.05
	done
	sshd_thaw h3
	rc=0
	wait "$pid" || rc=$?
	pid=
	same 0 "$rc" "exit status"
	run cut -d' ' -f1 out
	expect $(seq 40)
	run cut -d' ' -f2 out
	[[ $output == *h3* ]]
	run cat err
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "parx: $h3: "*" (out of use; trying again in 1s)" ]]
	[ "${lines[1]}" = "parx: $h3: back in use" ]
	clean
}

@test "--timeout: nothing of the job is left on the host" {
	run -1 --separate-stderr rparx -S "$H1" --timeout 1 \
	    -c "trap '' TERM; sleep 1000.$M & sleep 1001.$M" ::: 1
	expect_err "parx: job 1: timed out after 1s"
	gone
	clean
}

@test "SIGINT: jobs on hosts are stopped, nothing left there, exit 130" {
	env --default-signal=INT true 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
	env --default-signal=INT "$PARX" --ssh "$SSH_CMD" -S "$H1,$H2" \
	    --workdir "$PWD" -c "echo out-{}; touch started-{}; trap '' INT
	    sleep 1000.$M & sleep 1001.$M" ::: 1 2 3 4 >out 2>err 3>&- &
	pid=$!
	waitfor started-1 started-2 started-3 started-4
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	pid=
	same 130 "$rc" "exit status"
	run sort out
	expect out-1 out-2 out-3 out-4
	gone
	clean
}

@test "--halt now: the jobs running on hosts are stopped, nothing left there" {
	run -6 --separate-stderr rparx -S "2/$H1,1/$H2" -k --workdir "$PWD" \
	    --halt now,fail=1 -c "case {} in
	slow*)	echo {}-out; touch {}-started; trap '' TERM
		sleep 1000.$M & sleep 1001.$M ;;
	fail)	$BIN/waitfor slow1-started slow2-started; echo fail-out
		exit 6 ;;
	*)	touch started-{} ;;
	esac" ::: slow1 slow2 fail c d
	expect slow1-out slow2-out fail-out
	[ ! -e started-c ] && [ ! -e started-d ]
	gone
	clean
}

@test "a closed stdout ends the jobs on hosts: 141, nothing left" {
	run -0 bash -c '"$@" 3>&- | head -1; echo "${PIPESTATUS[0]}"' \
	    bash "$PARX" --ssh "$SSH_CMD" --lb -S "$H1" \
	    -c "echo {}; sleep 1000.$M" ::: 1 2
	[ "${lines[1]}" = 141 ]
	gone
	clean
}

@test "--retries run the job again on another host where there is one" {
	run -0 rparx -S "1/$H1,1/$H2" --retries 1 --joblog log \
	    -c '[ "$PARX_TEST_HOST" = h2 ] && echo ok-{}' ::: 1
	expect ok-1
	run cut -f 2,7 log
	expect "Host	Exitval" "$H2	0"
	clean
}

@test "--resume-failed on hosts runs again only what failed" {
	run -1 rparx -S "$H1" --joblog log -k -c 'echo {}; [ {} != 2 ]' \
	    ::: 1 2 3
	expect 1 2 3
	run -1 rparx -S "$H1" --joblog log --resume-failed -k \
	    -c 'echo {}; [ {} != 2 ]' ::: 1 2 3
	expect 2
	clean
}

@test "--slf: hosts from a file, read again when it changes" {
	printf '# hosts\n\n1/%s   # the first\n' "$H1" >hosts
	rparx --slf hosts --workdir "$PWD" -c 'touch started-{}; sleep 0.4
	    echo "$PARX_TEST_HOST"' ::: 1 2 3 4 5 6 7 >out 2>err 3>&- &
	pid=$!
	waitfor started-1
	printf '1/%s\n' "$H2" >hosts.new
	mv hosts.new hosts
	rc=0
	wait "$pid" || rc=$?
	pid=
	same 0 "$rc" "exit status"
	run cat out
	[ "${lines[0]}" = h1 ] && [ "${lines[6]}" = h2 ]
	clean
}

@test "--dry-run with hosts connects to none" {
	run -0 parx --dry-run -S 127.0.0.1:1 --workdir ... echo ::: 'a b'
	expect "echo 'a b'"
	no_tmpfiles
}

@test "bad logins, --slf, --ssh, --env and host-only options: usage errors" {
	local bad
	for bad in '' 'a b' 'x/host' '0/host' 'host:' 'host:0' 'host:65536' \
	    'host:x' '-oProxyCommand=x' 'user@' '@host' 'a,,b' '[::1' \
	    'u ser@host' 'host/x'; do
		run --separate-stderr parx -S "$bad" echo ::: 1
		usage_error || {
			echo "login: '$bad'"
			return 1
		}
		[[ ${stderr_lines[0]} == "parx: invalid login '"* ]]
	done
	run --separate-stderr parx --slf nothing-here echo ::: 1
	usage_error
	expect_err "parx: --slf: cannot read nothing-here: No such file or directory" \
	    "Try 'parx --help' for more information."
	printf 'good\nbad host\n' >hosts
	run --separate-stderr parx --slf hosts echo ::: 1
	usage_error
	[ "${stderr_lines[0]}" = "parx: hosts:2: invalid login 'bad host' (expected [N/][USER@]HOST[:PORT], or : for this machine)" ]
	for bad in --return --tf --transferfile --trc --basefile --workdir; do
		touch f
		run --separate-stderr parx "$bad" f echo ::: 1
		usage_error
		expect_err "parx: ${bad/--tf/--transferfile} needs -S or --slf" \
		    "Try 'parx --help' for more information."
	done
	run --separate-stderr parx --cleanup -S : --ssh /nonexistent echo ::: 1
	usage_error
	expect_err "parx: --ssh: /nonexistent: No such file or directory" \
	    "Try 'parx --help' for more information."
	run --separate-stderr parx -S : --ssh 'no-such-ssh -v' echo ::: 1
	usage_error
	expect_err "parx: --ssh: no-such-ssh: command not found" \
	    "Try 'parx --help' for more information."
	run --separate-stderr parx -S : --ssh /etc/passwd echo ::: 1
	usage_error
	run --separate-stderr parx -S : --env 'A-B' echo ::: 1
	usage_error
	run --separate-stderr parx -S : --pipe cat </dev/null
	usage_error
	expect_err "parx: --pipe cannot be combined with -S" \
	    "Try 'parx --help' for more information."
	printf ':\n' >hosts
	run --separate-stderr parx --slf hosts --pipe-part -a hosts cat
	usage_error
	expect_err "parx: --pipe-part cannot be combined with --slf" \
	    "Try 'parx --help' for more information."
	for bad in '--load 2' '--memfree 1G' '--nice 5' '--limit-mem 1G' \
	    '--limit-cpu 5' '--limit-files 100'; do
		run --separate-stderr parx -S : $bad echo ::: 1
		usage_error
		expect_err "parx: ${bad% *} cannot be combined with -S (it acts on the processes here)" \
		    "Try 'parx --help' for more information."
	done
	no_tmpfiles
}

@test "a command too long for one ssh argument fails its job, says why" {
	local big
	big=$(head -c 70000 /dev/zero | tr '\0' x)
	run -1 --separate-stderr rparx -S "$H1" -k echo ::: "$big" short
	expect short
	[[ ${stderr_lines[0]} == "parx: job 1: command too long for ssh ("*" bytes encoded; at most 131071)" ]]
	# -X packs what fits in one ssh argument: every item, once.
	run -0 bash -c 'seq 30000 | "$@" | wc -w' bash "$PARX" \
	    --ssh "$SSH_CMD" -S "$H1" -X echo
	expect 30000
	clean
}
