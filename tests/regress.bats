#!/usr/bin/env bats
# Regressions: each test reproduces a bug found by the reliability gates
# (fuzzing, tests/stress.sh, valgrind, the fault tests), so that it stays
# fixed.  The comment above each says where it was found and what went
# wrong.

load helpers

# slow_count: counts the bytes of stdin, reading 4 KB at a time with a
# short pause, so the pipe into it is often full.
slow_count()
{
	perl -e 'while (sysread(STDIN, $b, 4096)) { $n += length $b;
	    select(undef, undef, undef, 0.0002) } print "$n\n"'
}

need_perl()
{
	command -v perl >/dev/null 2>&1 || skip "needs perl for a slow reader"
}

# Found by tests/stress.sh: with stdout a pipe that is often full, the job
# passing its output straight through (splice) lost the end of it.  When
# the job has exited, its pipe is drained in non-blocking mode; splice(2)
# then also fails with EAGAIN when stdout is full, which was taken as the
# end of the job's output, and the rest of the pipe was dropped.
@test "pass-through to a full stdout pipe loses no byte (completion order)" {
	need_perl
	for i in 1 2 3 4 5 6 7 8; do
		got=$("$PARX" -j4 sh -c 'head -c 100000 /dev/zero | tr "\0" x' \
		    ::: $(seq 40) 3>&- | slow_count)
		same 4000000 "$got" "bytes received in run $i"
	done
}

@test "pass-through to a full stdout pipe loses no byte (-k)" {
	need_perl
	want=$(for i in $(seq 30); do bytes 100000 "$i"; done | cksum)
	for i in 1 2 3 4; do
		"$PARX" -k -j4 bytes 100000 {} ::: $(seq 30) 3>&- |
		    perl -e 'while (sysread(STDIN, $b, 4096)) { print $b;
		    select(undef, undef, undef, 0.0002) }' >"$T/out"
		same "$want" "$(cksum <"$T/out")" "cksum in run $i"
	done
}

# leak_free ARGS...: parx ARGS exits 0 with no definite or indirect leak,
# checked by LeakSanitizer in an ASan build, else by valgrind.
leak_free()
{
	case ${PARX##*/} in
	*asan*)
		run -0 --separate-stderr parx "$@"
		return ;;
	*tsan*)
		skip "no leak checker in a TSan build" ;;
	esac
	command -v valgrind >/dev/null 2>&1 || skip "needs valgrind"
	run -0 --separate-stderr valgrind -q --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    "$PARX" "$@" 3>&-
}

# Found by make valgrind (and LeakSanitizer): the --colsep pattern with
# its \t and \n turned into bytes was never freed.
@test "--colsep leaks no memory" {
	leak_free --colsep '\t' echo {2} ::: "$(printf 'a\tb')"
	expect b
}

# Found with the parse fuzzer: a second --colsep compiled over the first
# without freeing it.
@test "--colsep given twice leaks no memory" {
	leak_free --colsep , --colsep ';' echo {2} ::: 'a;b'
	expect b
}

# ---------------------------------------------------------------------------
# Defects of 0.1.0 found in review (numbered as in the fix list).  Each test
# fails against 0.1.0 for the reason in its comment.

setup()
{
	marker_setup
}

# Kills what a test left behind: processes carrying $M, and the ones whose
# pid a test wrote to $T/*.pid (writers of a FIFO or pipe).
teardown()
{
	local p
	for p in "$T"/*.pid; do
		[ -f "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null
	done
	marker_teardown
	return 0
}

need_python()
{
	command -v python3 >/dev/null 2>&1 || skip "needs python3"
}

need_env_default_signal()
{
	env --default-signal=INT true 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
}

# lsan_off: an ASAN_OPTIONS setting that turns LeakSanitizer off, for runs
# where it cannot work; other builds ignore it.
lsan_off()
{
	echo "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}

need_root_unshare()
{
	[ "$(id -u)" = 0 ] || skip "needs root for unshare"
	command -v unshare >/dev/null 2>&1 || skip "needs unshare(1)"
}

# #1: a parent such as Node.js leaves fd 1 (or 2) O_NONBLOCK.  0.1.0
# took the EAGAIN of a full stdout for a write error: it printed "parx:
# write error: Resource temporarily unavailable", dropped the rest of the
# output and exited 141; on stderr it dropped bytes and exited 0.  nbpipe
# (tests/bin, python3) gives parx such a pipe and reads it from 1 s on.
@test "#1.1 O_NONBLOCK stdout: every byte delivered (default mode)" {
	need_python
	run --separate-stderr nbpipe 1 1 "$PARX" -c 'head -c 200000 /dev/zero' \
	    ::: 1 2 3>&-
	expect "400000 0"
	expect_err
}

@test "#1.2 O_NONBLOCK stdout: every byte delivered (-k)" {
	need_python
	run --separate-stderr nbpipe 1 1 "$PARX" -k \
	    -c 'head -c 200000 /dev/zero' ::: 1 2 3>&-
	expect "400000 0"
	expect_err
}

@test "#1.3 O_NONBLOCK stdout: every byte delivered (--retries 1)" {
	need_python
	run --separate-stderr nbpipe 1 1 "$PARX" --retries 1 \
	    -c 'head -c 200000 /dev/zero' ::: 1 2 3>&-
	expect "400000 0"
	expect_err
}

@test "#1.4 O_NONBLOCK stderr: every byte of the jobs' stderr delivered" {
	need_python
	# nbpipe prints the bytes it read from parx's stderr on its stdout,
	# which is also parx's stdout: the jobs print nothing there.
	run --separate-stderr nbpipe 2 1 "$PARX" \
	    -c 'head -c 200000 /dev/zero >&2' ::: 1 2 3>&-
	expect "400000 0"
	expect_err
}

# in_small_tmpfs SIZE DIR COMMAND...: runs COMMAND with DIR a fresh tmpfs
# of SIZE in a private mount namespace (as in tests/faults.bats).
in_small_tmpfs()
{
	local size=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	unshare -m sh -c '
		mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99
		shift 2
		exec "$@"' sh "$size" "$dir" "$@" 3>&-
}

need_mount()
{
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	command -v unshare >/dev/null 2>&1 || skip "needs unshare(1)"
	mkdir -p "$T/probe"
	unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh \
	    "$T/probe" 2>/dev/null ||
	    skip "cannot mount a tmpfs in a private mount namespace"
}

# #2: under -k, a write to $TMPDIR that fails must leave the output in
# memory.  0.1.0 moved a waiting job's stdout into its hold file and then
# failed to move its stderr (file system full): the job was left half in
# the hold file but not counted there, so the hold file was truncated
# while that stdout still lived in it.  With a 384k TMPDIR, job 3's
# output came out short and parx exited 141.  64k is the case of a spill
# file that fills up at once.  The messages about keeping output in memory
# are allowed, and removed (wherever they fall) before comparing.
@test "#2 -k with a full TMPDIR: every job's stdout and stderr byte-exact" {
	need_mount
	need_perl
	{ echo first; bytes 100000 2; bytes 100000 3; } >"$T/want.out"
	{ bytes 100000 12; bytes 100000 13; } >"$T/want.err"
	for size in 64k 384k 512k; do
		st=0
		in_small_tmpfs "$size" "$T/small" env TMPDIR="$T/small" \
		    "$PARX" -k -j3 -c 'if [ {} = 1 ]; then sleep 1; echo first;
		    else bytes 100000 {}; bytes 100000 1{} >&2; fi' ::: 1 2 3 \
		    >"$T/out" 2>"$T/err" || st=$?
		same 0 "$st" "exit status with a $size TMPDIR"
		same_file "$T/want.out" "$T/out"
		perl -0777 -pe 's/parx: job \d+: cannot spill output to \$TMPDIR \(No space left on device\); kept it in memory\n//g' \
		    "$T/err" >"$T/err.jobs"
		same_file "$T/want.err" "$T/err.jobs"
	done
}

# #3: a failed write to stdout other than EPIPE.  0.1.0 said "parx: write
# error: No space left on device" and exited 141 on /dev/full; with stdout
# closed it exited 0 without a word.
@test "#3 write error on stdout: exit 255 and one message naming stdout" {
	run --separate-stderr bash -c '"$@" >/dev/full' sh "$PARX" \
	    echo ::: a b 3>&-
	same 255 "$status" "exit status on /dev/full"
	expect
	expect_err "parx: write error on standard output: No space left on device"
	run --separate-stderr bash -c '"$@" >&-' sh "$PARX" echo ::: a b 3>&-
	same 255 "$status" "exit status with stdout closed"
	expect
	expect_err "parx: write error on standard output: Bad file descriptor"
	# Nothing written, nothing wrong.
	run --separate-stderr bash -c '"$@" >&-' sh "$PARX" true ::: a 3>&-
	same 0 "$status" "exit status of a silent run with stdout closed"
	expect_err
}

# #4: --line-buffer with --retries passed every attempt's lines on; 0.1.0
# printed x three times.  Only the last attempt's output counts.
@test "#4.1 --lb --retries: a failing job's output appears once" {
	run -1 --separate-stderr parx --lb --retries 2 -c 'echo x; exit 1' ::: 1
	expect x
	expect_err
}

@test "#4.2 --lb --retries: only the successful attempt's output" {
	run -0 --separate-stderr parx --lb --retries 1 \
	    -c 'if [ -e "$1" ]; then echo second; else touch "$1"; echo first;
	    exit 1; fi' ::: "$T/tried"
	expect second
	expect_err
}

# #5: --tagstring {} with -n2 took only the first item of the job: 0.1.0
# printed "a<TAB>a b".
@test "#5 -n2 --tagstring {}: the tag is all the job's items" {
	run -0 --separate-stderr parx -k -n2 --tagstring '{}' echo ::: a b c d
	expect "a b	a b" "c d	c d"
	expect_err
}

# #6: --bar with --resume counted the skipped jobs in the total: 0.1.0
# ended on "parx: 5/10 50% ...".
@test "#6 --bar --resume: skipped jobs are not counted" {
	parx --joblog "$T/log" echo ::: 1 2 3 4 5 >/dev/null
	run -0 --separate-stderr parx --bar --joblog "$T/log" --resume \
	    echo ::: $(seq 10)
	same "$(seq 6 10)" "$(printf '%s\n' "$output" | sort -n)" stdout
	last=${stderr_lines[${#stderr_lines[@]} - 1]}
	case $last in
	"parx: 5/5 100%"*)	;;
	*)	same "parx: 5/5 100% ..." "$last" "last bar line"
		return 1 ;;
	esac
	for l in "${stderr_lines[@]}"; do
		case $l in
		"parx: "*/10" "*)	same "a total of 5" "$l" "bar line"
			return 1 ;;
		"parx: "*)	;;
		*)	same "a bar line" "$l" "stderr line"
			return 1 ;;
		esac
	done
}

# #7: a timed-out job whose process group holds only zombies.  As PID 1 of
# a PID namespace parx is the one that must reap the orphaned background
# sleep; 0.1.0 waited for the group to vanish, which it never did, and hung
# (killed here by timeout: status 137).
pid1_timeout_test()
{
	local asan=
	need_root_unshare
	unshare -pf --kill-child true 2>/dev/null ||
	    skip "cannot make a PID namespace (unshare -pf --kill-child)"
	# Without --mount-proc, /proc is not parx's PID namespace's, and
	# LeakSanitizer, which reads it, complains.
	[ $# -gt 0 ] || asan=$(lsan_off)
	run --separate-stderr env $asan timeout -k 5 15 \
	    unshare -pf --kill-child "$@" \
	    "$PARX" --timeout 0.5 -c 'sleep 30 & exec sleep 30' ::: 1 3>&-
	same 1 "$status" "exit status (124/137: hung)"
	expect
	expect_err "parx: job 1: timed out after 0.5s"
}

@test "#7.1 --timeout as PID 1 of a PID namespace (--mount-proc)" {
	pid1_timeout_test --mount-proc
}

@test "#7.2 --timeout as PID 1 of a PID namespace" {
	pid1_timeout_test
}

# #8: the job passing its output straight to a full stdout did not time
# out: 0.1.0 sat in the write and never looked at the clock, so at 3 s the
# job (timeout 1 s) was still there.  The marker comes in as the item, so
# that only the job carries it, not parx.
@test "#8 --timeout honoured while the pass-through job's stdout is full" {
	{
		echo "$M" | "$PARX" --timeout 1 \
		    -c 'head -c 300001 /dev/zero; exec sleep "1000.$1"' 2>/dev/null |
		    sleep 5
	} 3>&- &
	bg=$!
	sleep 3
	left=0
	nothing_left || left=1
	wait "$bg" || true
	[ "$left" = 0 ]
}

# #9: a long job that prints early took stdout for itself (pass-through)
# and the quick jobs waited behind it: 0.1.0 printed "A start", "A end",
# then the others.
@test "#9.1 completion order: quick jobs are not held behind a long one" {
	run -0 --separate-stderr parx -j3 sh -c 'if [ $1 = A ]; then
	    echo "A start"; sleep 3; echo "A end"; else sleep .3;
	    echo "$1 done"; fi' x ::: A B C
	same 4 "${#lines[@]}" "number of lines"
	same "B done
C done" "$(printf '%s\n' "${lines[0]}" "${lines[1]}" | sort)" "first two"
	same "A start" "${lines[2]}" "third line"
	same "A end" "${lines[3]}" "fourth line"
	expect_err
}

# 0.1.0 stopped starting jobs 4096 results behind the job owning stdout,
# while that job waited for job 4200: a deadlock (killed by timeout).  Job
# 2 waits a little, so that job 1 prints while no finished job waits (when
# 0.1.0 gave it stdout).
@test "#9.2 completion order: no deadlock 4200 jobs behind a printing job" {
	run --separate-stderr timeout -k 5 60 "$PARX" -j2 -c '
	    if [ {#} = 1 ]; then
		echo "job 1 waits"
		i=0
		while [ ! -e done4200 ] && [ $i -lt 600 ]; do
			sleep 0.1; i=$((i + 1))
		done
		[ -e done4200 ]
	    elif [ {#} = 2 ]; then
		sleep 0.5
	    elif [ {#} = 4200 ]; then
		touch done4200
	    fi' ::: $(seq 4200) 3>&-
	same 0 "$status" "exit status (124/137: deadlock)"
	expect "job 1 waits"
	expect_err
}

# #10: a named FIFO as a source.  0.1.0 opened it once to check it and
# again to read it: the writer, already waiting, met the first open, and
# its data went with it; the second open then waited for a writer forever
# (killed by timeout: 124).
fifo_test()
{
	mkfifo "$T/ff"
	# The writer waits in open(2) before parx starts, so it meets
	# parx's first open.
	printf 'a\nb\n' >"$T/ff" 3>&- &
	echo $! >"$T/writer.pid"
	sleep 0.3
	run --separate-stderr timeout -k 5 15 "$PARX" "$@" 3>&-
	same 0 "$status" "exit status (124/137: hung)"
	same "got a
got b" "$(printf '%s\n' "$output" | sort)" stdout
	expect_err
}

@test "#10.1 a FIFO as a :::: source" {
	fifo_test echo got :::: "$T/ff"
}

@test "#10.2 a FIFO as an -a source" {
	fifo_test -a "$T/ff" echo got
}

# #11: SIGQUIT, SIGUSR1, SIGUSR2 and SIGALRM end parx like SIGTERM.  0.1.0
# had no handler for them: it died at once (or, for SIGQUIT, dumped core)
# and left its job running.
signal_test()
{
	local sig=$1 num=$2 pid st
	need_env_default_signal
	rm -f "$T/started"
	(ulimit -c 0; exec env --default-signal="$sig" "$PARX" \
	    -c 'touch started; exec sleep "1000.$1"' ::: "$M" \
	    >"$T/out" 2>"$T/err") 3>&- &
	pid=$!
	echo "$pid" >"$T/parx.pid"
	waitfor "$T/started"
	kill -s "$sig" "$pid"
	st=0
	wait "$pid" || st=$?
	same $((128 + num)) "$st" "exit status after SIG$sig"
	same "" "$(cat "$T/out")" stdout
	nothing_left
}

@test "#11.1 SIGQUIT stops the job, exit 131" {
	signal_test QUIT 3
}

@test "#11.2 SIGUSR1 stops the job, exit 138" {
	signal_test USR1 10
}

@test "#11.3 SIGUSR2 stops the job, exit 140" {
	signal_test USR2 12
}

@test "#11.4 SIGALRM stops the job, exit 142" {
	signal_test ALRM 14
}

# #12: --delay with --retries.  0.1.0 took the retry's start time under
# the --delay lock, which an idle worker held while it waited for the next
# input item: with the input still open, the retry never started (one
# attempt in the file after 5 s).
@test "#12 --delay: a retry does not wait for the next input item" {
	mkfifo "$T/in"
	# The writer keeps the input open: an item, then a long sleep.
	{ echo 1; exec sleep 20; } >"$T/in" 3>&- &
	wpid=$!
	echo "$wpid" >"$T/writer.pid"
	"$PARX" --delay 0.2 --retries 1 -c 'echo attempt >>att; exit 1' \
	    <"$T/in" >"$T/out" 2>"$T/err" 3>&- &
	pid=$!
	echo "$pid" >"$T/parx.pid"
	i=0
	while [ "$(cat "$T/att" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 50 ]
	do
		sleep 0.1
		i=$((i + 1))
	done
	n=$(cat "$T/att" 2>/dev/null | wc -l)
	open=0
	kill -0 "$wpid" 2>/dev/null || open=1
	kill "$wpid"
	st=0
	wait "$pid" || st=$?
	same 2 "$n" "attempts within 5 s, input still open"
	same 0 "$open" "input still open then"
	same 1 "$st" "exit status"
	same 2 "$(wc -l <"$T/att")" "attempts in all"
}

# #13: a setsid daemon that keeps writing to the job's stdout.  Once the
# job's group was gone 0.1.0 drained its pipes until they were empty: a
# daemon that always refills them kept parx reading (and, with a slow
# reader on stdout, passing it on) forever (ended by timeout: 124, or 137
# when it did not even heed SIGTERM).
@test "#13 a setsid daemon writing to the job's stdout does not keep parx alive" {
	need_perl
	run --separate-stderr timeout -k 5 15 bash -c '"$@" >/dev/null' sh \
	    "$PARX" -c "setsid sh -c 'exec yes $M' & exit 0" ::: 1 3>&-
	same 0 "$status" "exit status into /dev/null (124/137: hung)"
	expect_err
	# A slow reader on stdout, and a job that lives until the daemon has
	# filled its pipe: the case 0.1.0 never returned from.
	st=$(
		{ timeout -k 5 15 "$PARX" \
		    -c "setsid sh -c 'exec yes $M' & sleep 0.3; exit 0" ::: 1 \
		    2>"$T/err"; echo $? >"$T/st"; } 3>&- | slow_count >/dev/null
		cat "$T/st"
	)
	same 0 "$st" "exit status into a slow pipe (124/137: hung)"
	same "" "$(cat "$T/err")" stderr
}

# #14: durations of 2,147,483 s and more overflowed the int milliseconds
# given to poll(2) (undefined behaviour: the UBSan build of 0.1.0 stops on
# "2.52e+09 is outside the range of representable values of type 'int'").
@test "#14 durations above 2,147,483 s (700h)" {
	run -0 --separate-stderr timeout -k 5 15 "$PARX" --timeout 700h \
	    echo ::: a 3>&-
	expect a
	expect_err
	run -0 --separate-stderr timeout -k 5 15 "$PARX" --delay 700h \
	    echo ::: a 3>&-
	expect a
	expect_err
	run -0 --separate-stderr timeout -k 5 15 "$PARX" --timeout 700h \
	    sh -c 'sleep 0.2; echo b' ::: 1 3>&-
	expect b
	expect_err
}

# #15: -n N allocated room for N items up front: 0.1.0 said "parx: out of
# memory" (exit 255) for -n 2147483647, and for -n 100000000 peaked at
# 2.3 GB of memory for three items.
@test "#15 -n with a huge count: no allocation in proportion to it" {
	run -0 --separate-stderr bash -c 'echo a | "$@"' sh "$PARX" \
	    -n 2147483647 echo 3>&-
	expect a
	expect_err
	seq 3 | peak_rss_kb "$T/rss" "$PARX" -n 100000000 echo \
	    >"$T/out" 2>"$T/err" 3>&-
	same "1 2 3" "$(cat "$T/out")" stdout
	same "" "$(cat "$T/err")" stderr
	if ! sanitized; then
		rss=$(tail -1 "$T/rss")
		[ "$rss" -lt 50000 ] || {
			echo "peak RSS $rss KB for three items" >&2
			return 1
		}
	fi
}

# #16: --line-buffer kept a job's unfinished line in memory: two jobs with
# one 100 MB line each took 0.1.0 to about 200 MB.  The lines must still
# come out whole: x's then y's, or y's then x's.
@test "#16 --lb: a 100 MB unfinished line is not kept in memory" {
	for c in x y; do head -c 100000000 /dev/zero | tr '\0' "$c"; done |
	    cksum >"$T/xy"
	for c in y x; do head -c 100000000 /dev/zero | tr '\0' "$c"; done |
	    cksum >"$T/yx"
	peak_rss_kb "$T/rss" "$PARX" --lb -j2 \
	    -c 'head -c 100000000 /dev/zero | tr "\0" {}' ::: x y 3>&- |
	    cksum >"$T/got"
	got=$(cat "$T/got")
	if [ "$got" != "$(cat "$T/xy")" ] && [ "$got" != "$(cat "$T/yx")" ]; then
		echo "output is not 10^8 x then 10^8 y (or y then x): cksum $got" >&2
		return 1
	fi
	if ! sanitized; then
		rss=$(tail -1 "$T/rss")
		[ "$rss" -lt 40000 ] || {
			echo "peak RSS $rss KB" >&2
			return 1
		}
	fi
}

# #17: parx raises its soft open-files limit for itself; 0.1.0 let jobs
# inherit the raised limit (-j0: the hard limit, -j 500: 3532).
@test "#17 the raised open-files limit does not leak into jobs" {
	hard=$(ulimit -Hn)
	[ "$hard" = unlimited ] || [ "$hard" -gt 1024 ] ||
	    skip "needs a hard open-files limit above 1024 (it is $hard)"
	run -0 --separate-stderr bash -c 'ulimit -Sn 1024; "$@"' sh "$PARX" \
	    -j0 -c 'ulimit -Sn' ::: 1 3>&-
	expect 1024
	run -0 --separate-stderr bash -c 'ulimit -Sn 1024; "$@"' sh "$PARX" \
	    -j 500 -c 'ulimit -Sn' ::: 1 3>&-
	expect 1024
}

# as_nobody LIMIT COMMAND...: runs COMMAND as nobody with ulimit -u LIMIT
# (as in tests/faults.bats: root ignores RLIMIT_NPROC).
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups
    sh -c 'ulimit -u "$1" 2>/dev/null || ulimit -p "$1"; shift; exec "$@"' sh)

as_nobody()
{
	"${NOBODY[@]}" "$@" 3>&-
}

need_nproc()
{
	[ "$(id -u)" = 0 ] ||
	    skip "needs root to run as nobody (root ignores ulimit -u)"
	command -v setpriv >/dev/null 2>&1 || skip "needs setpriv(1)"
	as_nobody 1000 test -x "$PARX" || skip "nobody cannot run $PARX"
	[ "$(ps -u 65534 -L 2>/dev/null | wc -l)" -le 1 ] ||
	    skip "processes of nobody are running: ulimit -u would count them"
	case ${PARX##*/} in
	*tsan*)	skip "the TSan runtime needs threads of its own" ;;
	esac
}

# #18: a thread that could not be made (ulimit -u counts threads) aborted
# 0.1.0: "parx: internal error: pthread call failed at ...", SIGABRT, 134
# (here at limits 2 to 4; where they fall depends on the CPU count).
@test "#18 a small ulimit -u never aborts parx" {
	need_nproc
	for lim in 1 2 3 4 5 6 8 10 20; do
		st=0
		# LeakSanitizer needs a thread of its own at exit, which
		# ulimit -u may not leave it.
		env "$(lsan_off)" timeout -k 5 15 "${NOBODY[@]}" "$lim" \
		    "$PARX" echo ::: a b c >"$T/out" 2>"$T/err" 3>&- || st=$?
		if grep -q 'internal error' "$T/err"; then
			echo "ulimit -u $lim: $(cat "$T/err")" >&2
			return 1
		fi
		case $st in
		0)	same "a
b
c" "$(sort "$T/out")" "output at ulimit -u $lim" ;;
		255)	same 1 "$(wc -l <"$T/err")" "stderr lines at ulimit -u $lim" ||
			    { cat "$T/err" >&2; return 1; }
			case $(cat "$T/err") in
			"parx: "*)	;;
			*)	same "parx: ..." "$(cat "$T/err")" \
				    "stderr at ulimit -u $lim"
				return 1 ;;
			esac ;;
		*)	same "0 or 255" "$st" "exit status at ulimit -u $lim"
			cat "$T/err" >&2
			return 1 ;;
		esac
	done
}

# #19: with too few descriptors for one job 0.1.0 warned, then failed each
# job ("cannot make a pipe: Too many open files"), exit 3.  It must refuse
# to run, with one message that names ulimit -n.
@test "#19 ulimit -n 10: exit 255, one message naming ulimit -n" {
	run --separate-stderr bash -c 'ulimit -n 10; exec closefds "$@"' sh \
	    "$PARX" echo ::: a b c 3>&-
	same 255 "$status" "exit status"
	expect
	same 1 "${#stderr_lines[@]}" "number of stderr lines" ||
	    { printf '%s\n' "$stderr" >&2; return 1; }
	case ${stderr_lines[0]} in
	"parx: "*"ulimit -n"*)	;;
	*)	same "parx: ... ulimit -n ..." "${stderr_lines[0]}" stderr
		return 1 ;;
	esac
}

# #20: a script without #! runs with /bin/sh, as execvp(3) and xargs do;
# 0.1.0 said "parx: ./s.sh: Exec format error".  A bad interpreter is
# 126 and says so (0.1.0: "command not found", 127); a missing program
# given by path says "No such file or directory" (0.1.0: "command not
# found").
@test "#20 scripts without #!, bad interpreters, missing paths" {
	printf 'echo hi\n' >"$T/s.sh"
	chmod +x "$T/s.sh"
	run -0 --separate-stderr parx ./s.sh ::: a
	expect hi
	expect_err
	mkdir "$T/pbin"
	printf 'echo hi "$@"\n' >"$T/pbin/nohashbang"
	chmod +x "$T/pbin/nohashbang"
	PATH=$T/pbin:$PATH run -0 --separate-stderr parx nohashbang ::: a
	expect "hi a"
	expect_err
	printf '#!/nonexistent/interp\necho x\n' >"$T/bad.sh"
	chmod +x "$T/bad.sh"
	run -1 --separate-stderr parx --joblog "$T/log1" ./bad.sh ::: a
	expect
	expect_err "parx: ./bad.sh: bad interpreter: No such file or directory"
	same 126 "$(awk -F'\t' 'NR == 2 { print $7 }' "$T/log1")" \
	    "the job's exit status"
	run -1 --separate-stderr parx --joblog "$T/log2" ./nosuch ::: a
	expect
	expect_err "parx: ./nosuch: No such file or directory"
	same 127 "$(awk -F'\t' 'NR == 2 { print $7 }' "$T/log2")" \
	    "the job's exit status"
}

# #21: a directory as an input source.  0.1.0 printed "parx: error reading
# /: Is a directory" and exited 0 after running nothing; it is a usage
# error (SPEC 10).
@test "#21 a directory as input is a usage error" {
	run --separate-stderr parx echo :::: /
	usage_error
	same "parx: cannot read /: Is a directory" "${stderr_lines[0]}"
	run --separate-stderr parx -a / echo
	usage_error
	same "parx: cannot read /: Is a directory" "${stderr_lines[0]}"
	run --separate-stderr bash -c '"$@" </' sh "$PARX" echo 3>&-
	usage_error
	same "parx: cannot read standard input: Is a directory" \
	    "${stderr_lines[0]}"
}
