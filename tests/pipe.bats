#!/usr/bin/env bats
# --pipe and --pipe-part: the input cut into blocks at record boundaries,
# each block on one job's stdin (SPEC 11.1).  The concatenation of the
# blocks is the input, byte for byte, over 100 MB of records of random
# length (some longer than a block), from a pipe, from a regular file on
# stdin and with --pipe-part; with multi-byte record ends and starts, -N,
# --header, --round-robin, --cat, --fifo; retries get the same block; no
# temporary file or named pipe outlives parx; bad input is a usage error.

load helpers

# The data, made once: 100 MB of newline records, and 100 MB of records
# that start with {" and end with }\n, by tests/pgen.c (on PATH as pgen).
setup_file()
{
	D=$BATS_FILE_TMPDIR
	export D
	${CC:-cc} -O2 -o "$D/pgen" "$BATS_TEST_DIRNAME/pgen.c" || return 1
	"$D/pgen" gen 1 100000000 '\n' '' >"$D/lines" || return 1
	"$D/pgen" gen 2 100000000 '}\n' '{"' >"$D/json" || return 1
	cksum <"$D/lines" >"$D/lines.sum"
	cksum <"$D/json" >"$D/json.sum"
	PATH=$D:$PATH
	export PATH
}

setup()
{
	marker_setup
	pid=
}

teardown()
{
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	marker_teardown
}

# check_ends WANT-BYTES: the lines of "pgen ends" on stdin, one per block in
# block order, say that every block but the first starts with the record
# start, every block but the last ends with the record end, and that the
# blocks add up to WANT-BYTES.  There must be more than one block.
check_ends()
{
	awk -v want="$1" '
	NR > 1 && $2 != 1 { print "block " NR " does not start a record"; bad = 1 }
	NR > 1 && last != 1 { print "block " NR - 1 " does not end a record"; bad = 1 }
	{ total += $1; last = $3 }
	END {
		if (NR < 2) { print "only " NR " block"; bad = 1 }
		if (total != want) { print "blocks make " total " bytes, not " want; bad = 1 }
		exit bad
	}'
}

size_of()
{
	wc -c <"$1" | tr -d ' '
}

# reassembles HOW FILE END START [OPTION...]: runs parx over FILE, from a
# pipe (HOW = pipe), from a regular file on stdin (stdin) or with
# --pipe-part (part); checks that -k cat gives FILE back byte for byte and
# that every block is cut between records.
reassembles()
{
	local how=$1 f=$2 e=$3 s=$4
	shift 4
	case $how in
	pipe)	cat "$f" | parx --pipe -k "$@" cat | cksum >got
		cat "$f" | parx --pipe -k "$@" pgen ends "$e" "$s" >ends ;;
	stdin)	parx --pipe -k "$@" cat <"$f" | cksum >got
		parx --pipe -k "$@" pgen ends "$e" "$s" <"$f" >ends ;;
	part)	parx --pipe-part -a "$f" -k "$@" cat | cksum >got
		parx --pipe-part -a "$f" -k "$@" pgen ends "$e" "$s" >ends ;;
	esac
	same_file "$f.sum" got
	check_ends "$(size_of "$f")" <ends
}

@test "--pipe: 100 MB from a pipe comes out byte for byte, cut at line ends" {
	reassembles pipe "$D/lines" '\n' ''
	no_tmpfiles
}

@test "--pipe: 100 MB from a regular file on stdin, byte for byte" {
	reassembles stdin "$D/lines" '\n' ''
}

@test "--pipe-part: 100 MB of a file, byte for byte, cut at line ends" {
	reassembles part "$D/lines" '\n' ''
}

@test "--pipe, --block 3M: blocks of 2 MiB and more go by reference, byte for byte" {
	reassembles pipe "$D/lines" '\n' '' --block 3M
}

@test "--pipe: multi-byte --recend and --recstart, 100 MB from a pipe" {
	reassembles pipe "$D/json" '}\n' '{"' --recend '}\n' --recstart '{"'
}

@test "--pipe-part: multi-byte --recend and --recstart, 100 MB" {
	reassembles part "$D/json" '}\n' '{"' --recend '}\n' --recstart '{"' \
	    --block 700k
}

@test "a block is cut only where the record end is followed by the record start" {
	printf 'a>b\n>c\nd\n>e\n' >in
	run -0 parx --pipe -k --block 1 --recstart '>' --recend '\n' \
	    -c 'printf "[%s]" "$(tr "\n" "|")"; echo' <in
	expect '[a>b|]' '[>c|d|]' '[>e|]'
	# --recstart alone: no record end, as in GNU parallel.
	run -0 parx --pipe -k --block 1 --recstart '>' \
	    -c 'printf "[%s]" "$(tr "\n" "|")"; echo' <in
	expect '[a]' '[>b|]' '[>c|d|]' '[>e|]'
	# --recend '': any byte.
	printf 'abcdefg' | parx --pipe -k --block 3 --recend '' \
	    -c 'printf "[%s]" "$(cat)"; echo' >out
	same "$(printf '[abc]\n[def]\n[g]')" "$(cat out)"
}

@test "a record longer than the block makes a longer block; a last record needs no end" {
	{ printf 'short\n'; head -c 5000 /dev/zero | tr '\0' x; printf '\nend'; } >in
	run -0 parx --pipe -k --block 100 wc -c <in
	expect 6 5001 3
	cat in | parx --pipe -k --block 100 wc -c >out
	same "$(printf '6\n5001\n3')" "$(cat out)"
	# --pipe-part cuts at the first boundary after each multiple of 100.
	run -0 parx --pipe-part -a in -k --block 100 wc -c
	expect 5007 3
}

@test "-N: blocks of N records, from a pipe and with --pipe-part" {
	cat "$D/lines" | parx --pipe -N 100 -k wc -l >counts
	n=$(wc -l <counts)
	[ "$n" -gt 50 ]
	[ "$(head -n $((n - 1)) counts | sort -u)" = 100 ]
	[ "$(tail -n 1 counts)" -le 100 ]
	[ "$(awk '{ s += $1 } END { print s }' counts)" = "$(wc -l <"$D/lines")" ]
	cat "$D/lines" | parx --pipe -N 100 -k cat | cksum >got
	same_file "$D/lines.sum" got
	parx --pipe-part -a "$D/lines" -N 100 -k wc -l >counts2
	same_file counts counts2
}

@test "-N with multi-byte records" {
	head -c 20000000 "$D/json" >in
	parx --pipe -N 300 --recend '}\n' --recstart '{"' -k \
	    -c 'grep -c "^{\"" || :' <in >counts
	n=$(wc -l <counts)
	[ "$n" -gt 2 ]
	[ "$(head -n $((n - 1)) counts | sort -u)" = 300 ]
	cat in | parx --pipe -N 300 --recend '}\n' --recstart '{"' -k cat |
	    cmp - in
}

@test "--header: every block starts with the header; the rest is the input" {
	{ echo HEADER; head -n 3000 "$D/lines"; } >in
	head -n 3000 "$D/lines" | cksum >want
	for how in pipe part; do
		if [ $how = pipe ]; then
			cat in | parx --pipe --header 1 -k --joblog log cat >out
		else
			parx --pipe-part -a in --header : -k --joblog log cat >out
		fi
		grep -vx HEADER out | cksum >got
		same_file want got
		jobs=$(($(wc -l <log) - 1))
		rm log
		[ "$jobs" -gt 10 ]
		same "$jobs" "$(grep -cx HEADER out)" "headers in $how"
	done
	run -0 parx --pipe --header 2 -N 2 -k -c 'tr "\n" " "; echo' \
	    < <(printf 'h1\nh2\na\nb\nc\n')
	expect 'h1 h2 a b ' 'h1 h2 c '
}

@test "--header: an input that is only the header runs nothing; empty input runs nothing" {
	run -0 --separate-stderr parx --pipe --header 2 touch ran < <(printf 'a\nb')
	expect
	expect_err
	run -0 --separate-stderr parx --pipe touch ran </dev/null
	expect_err
	: >empty
	run -0 --separate-stderr parx --pipe-part -a empty touch ran
	expect_err
	[ ! -e ran ]
}

@test "--round-robin: at most -j jobs; each block goes to exactly one" {
	head -n 3000 "$D/lines" >in
	cat in | parx --pipe --round-robin -j3 --block 1M --joblog log \
	    -c 'cat > out.$PARX_SEQ'
	jobs=$(($(wc -l <log) - 1))
	same 3 "$jobs" "jobs started"
	same "$(size_of in)" "$(cat out.* | wc -c | tr -d ' ')" "bytes out"
	same "$(size_of in)" "$(awk 'NR > 1 { s += $5 } END { print s }' log)" \
	    "bytes sent (joblog)"
	LC_ALL=C sort in | cksum >want
	cat out.* | LC_ALL=C sort | cksum >got
	same_file want got
	for f in out.*; do
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ]
	done
	rm out.* log
	parx --pipe-part -a in --round-robin -j2 --block 1M --joblog log \
	    -c 'cat > out.$PARX_SEQ'
	same 2 "$(($(wc -l <log) - 1))" "jobs started, --pipe-part"
	cat out.* | LC_ALL=C sort | cksum >got
	same_file want got
}

@test "--round-robin: fewer blocks than -j start fewer jobs; the header goes to each once" {
	run -0 parx --pipe --round-robin -j4 --header 1 -k -c 'tr "\n" " "; echo' \
	    < <(printf 'H\na\n')
	expect 'H a '
}

@test "--round-robin: when every job has ended before the input, exit 255 and say so" {
	run --separate-stderr parx --pipe --round-robin -j2 --block 1k head -n 1 \
	    < <(seq 100000)
	same 255 "$status" "exit status"
	same "parx: --round-robin: every job ended before the input did" \
	    "$stderr"
}

@test "--cat: {} is a file holding the block, removed after" {
	cat "$D/lines" | parx --pipe --cat -k cat {} | cksum >got
	same_file "$D/lines.sum" got
	no_tmpfiles
	# Without a replacement string the name is appended.
	run -0 parx --pipe-part -a "$D/lines" --cat --block 20M -k wc -c
	[ "${#lines[@]}" -ge 5 ]
	case ${lines[0]} in
	*" $TMPDIR/"*)	;;
	*)	echo "not a file in TMPDIR: ${lines[0]}"; return 1 ;;
	esac
	[ "$(awk '{ s += $1 } END { print s }' <<<"$output")" = \
	    "$(size_of "$D/lines")" ]
	no_tmpfiles
}

@test "--fifo: {} is a named pipe fed the block, removed after" {
	cat "$D/lines" | parx --pipe --fifo -k -c 'test -p {} && cat {}' |
	    cksum >got
	same_file "$D/lines.sum" got
	no_tmpfiles
	parx --pipe-part -a "$D/json" --fifo --block 5M -k cat {} | cksum >got
	same_file "$D/json.sum" got
	no_tmpfiles
	# A job that never opens it does not block the run.
	run -0 parx --pipe --fifo -N 1 echo < <(printf 'a\nb\n')
	[ "${#lines[@]}" -eq 2 ]
	no_tmpfiles
}

@test "-k prints in block order when later blocks finish first" {
	seq 400 >in
	run -0 parx --pipe -N 10 -k -j8 \
	    -c 'sleep 0.0$((9 - PARX_SEQ % 10)); cat' <in
	same "$(cat in)" "$output"
}

@test "{#}, {%}, PARX_SEQ and the joblog's Send column" {
	seq 30 >in
	run -0 parx --pipe -N 10 -k -j1 --joblog log \
	    -c 'echo {#} {%} $PARX_SEQ $(wc -c)' <in
	expect '1 1 1 21' '2 1 2 30' '3 1 3 30'
	run -0 awk -F '\t' 'NR > 1 { print $1, $5, $6 }' log
	expect '1 21 9' '2 30 9' '3 30 9'
}

@test "--retries: a job run again gets the same block" {
	seq 200000 >in
	parx --pipe --block 100k -k cksum <in >want
	cat in | parx --pipe --block 100k --retries 2 -k -c '
	    cksum >>sums.$PARX_SEQ
	    [ "$(wc -l <sums.$PARX_SEQ)" -ge 3 ] && cat sums.$PARX_SEQ'
	n=$(wc -l <want)
	[ "$n" -gt 5 ]
	for i in $(seq "$n"); do
		sed -n "${i}p" want >w
		same "$(cat w w w)" "$(cat sums.$i)" "block $i, three times"
	done
}

@test "--timeout kills a job in the middle of its block; a retry gets all of it" {
	seq 200000 >in
	cat in | parx --pipe --block 100k -k wc -c >sizes
	run --separate-stderr parx --pipe --block 100k --timeout 1 --joblog log \
	    -c '[ $PARX_SEQ = 2 ] && { head -c 10 >/dev/null; sleep 100.'"$M"'; }
	    cat >/dev/null' < <(cat in)
	same 1 "$status" "exit status"
	same "parx: job 2: timed out after 1s" "$stderr"
	run awk -F '\t' 'NR > 1 && $1 == 2 { print $7, $8 }' log
	expect '-1 15'
	sent=$(awk -F '\t' 'NR > 1 && $1 == 2 { print $5 }' log)
	[ "$sent" -lt "$(sed -n 2p sizes)" ]
	rm log
	run -0 parx --pipe --block 100k --timeout 1 --retries 1 -k -c '
	    if [ $PARX_SEQ = 2 ] && [ ! -e again ]; then
		touch again; head -c 10 >/dev/null; sleep 100.'"$M"'
	    fi; wc -c' < <(cat in)
	same "$(cat sizes)" "$output"
	nothing_left
}

@test "--halt now,fail=1 stops reading the input and the running jobs" {
	run --separate-stderr parx --pipe --block 10k --halt now,fail=1 \
	    --joblog log -c '[ {#} != 3 ] || exit 4; sleep 0.1' < <(seq 1000000)
	same 4 "$status" "exit status"
	jobs=$(($(wc -l <log) - 1))
	echo "$jobs jobs logged" >&2
	[ "$jobs" -ge 1 ] && [ "$jobs" -lt 100 ]
	nothing_left
}

@test "a job that reads none of its block is judged by its exit status" {
	run -0 parx --pipe --block 10k -k -c 'echo {#}' < <(seq 100000)
	[ "${#lines[@]}" -gt 10 ]
	run --separate-stderr parx --pipe --block 10k -c 'exit 3' < <(seq 100000)
	[ "$status" -ge 10 ]
	expect_err
}

# start_parx ARG...: parx in the background, stdout in out, stderr in err,
# with SIGINT at its default (a non-interactive shell ignores it).
start_parx()
{
	env --default-signal=INT true 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
	# <&0: a background command would otherwise read /dev/null.
	env --default-signal=INT,TERM,HUP "$PARX" "$@" <&0 >out 2>err 3>&- &
	pid=$!
}

@test "SIGINT mid-stream: jobs stopped, exit 130, no temporary file or named pipe left" {
	for mode in --cat --fifo ''; do
		rm -f started.*
		start_parx --pipe --block 10k $mode -j2 -c 'touch started.{#}
		    sleep 100.'"$M" < <(yes)
		waitfor started.1 started.2
		if [ -n "$mode" ]; then
			[ -n "$(ls -A "$TMPDIR")" ]
		fi
		kill -INT "$pid"
		rc=0
		wait "$pid" || rc=$?
		same 130 "$rc" "exit status with ${mode:-stdin}"
		nothing_left
		no_tmpfiles
	done
}

@test "a closed stdout stops the reading at once: | head -1" {
	run -0 bash -c 'yes | timeout 20 "$1" --pipe cat 3>&- | head -n 1
	    echo "${PIPESTATUS[1]}"' sh "$PARX"
	expect y 141
	run -0 bash -c 'timeout 20 "$1" --pipe-part -a "$2" --block 1M -k cat 3>&- |
	    head -n 1; echo "${PIPESTATUS[0]}"' sh "$PARX" "$D/lines"
	same "$(head -n 1 "$D/lines")" "${lines[0]}"
	same 141 "${lines[1]}" "exit status"
	no_tmpfiles
}

@test "an input read error mid-stream: the blocks before run, then exit 255" {
	perl -MIO::Socket::INET -e 1 2>/dev/null ||
	    skip "perl with IO::Socket::INET is missing"
	# A TCP peer that sends 50 blocks and then resets the connection.
	perl -MIO::Socket::INET -MSocket -e '
	    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
		LocalPort => 0) or die;
	    open(my $f, ">", "port.tmp") or die; print $f $s->sockport, "\n";
	    close $f; rename("port.tmp", "port");
	    my $c = $s->accept or die;
	    print $c ("x" x 99, "\n") for 1 .. 50 * 1024;
	    sleep 1; setsockopt($c, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0));
	    close $c;' 3>&- &
	waitfor port
	run --separate-stderr parx --pipe --block 102400 -k wc -c \
	    </dev/tcp/127.0.0.1/"$(cat port)"
	wait
	same 255 "$status" "exit status"
	same "parx: error reading standard input: Connection reset by peer" \
	    "$stderr"
	# Whole blocks before the error ran; the one being read did not.
	[ "${#lines[@]}" -ge 1 ] && [ "${#lines[@]}" -lt 52 ]
	same 102400 "$(printf '%s\n' "${lines[@]}" | sort -u)" "block sizes"
}

@test "--pipe from a regular file starts where stdin stands and leaves it after the data" {
	seq 10 >in
	run -0 bash -c '{ read -r x; "$1" --pipe -k cat 3>&-; cat; } <in' \
	    sh "$PARX"
	expect 2 3 4 5 6 7 8 9 10
}

@test "--pipe-part -a -: a regular file on stdin" {
	seq 10 >in
	run -0 parx --pipe-part -a - --block 5 -k -c 'tr "\n" " "; echo' <in
	expect '1 2 3 ' '4 5 ' '6 7 8 ' '9 10 '
}

@test "--block -N under --pipe-part: N parts per job slot" {
	seq 100000 >in
	run -0 parx --pipe-part -a in --block -3 -j2 wc -l
	same 6 "${#lines[@]}" "jobs"
	same 100000 "$(printf '%s\n' "${lines[@]}" | awk '{ s += $1 } END { print s }')"
}

@test "memory: --pipe --block 1M stays near (-j + 2) blocks; --pipe-part is constant" {
	sanitized && skip "a sanitizer build says nothing about parx's memory"
	[ -x /usr/bin/time ] || skip "GNU time is missing"
	# Records shorter than a block: a longer one makes a longer block.
	seq 15000000 | peak_rss_kb rss "$PARX" --pipe --block 1M -j2 cat \
	    3>&- >/dev/null
	kb=$(tail -n 1 rss)
	echo "--pipe: $kb KB" >&2
	[ "$kb" -le $(((2 + 2) * 1024 + 8192)) ]
	peak_rss_kb rss "$PARX" --pipe-part -a "$D/lines" --block 1M -j2 cat \
	    3>&- >/dev/null
	kb=$(tail -n 1 rss)
	echo "--pipe-part: $kb KB" >&2
	[ "$kb" -le 8192 ]
}

@test "-N without --pipe is -n" {
	run -0 parx -N 2 -k echo ::: a b c
	expect 'a b' c
}

@test "bad input: usage errors, nothing run" {
	seq 3 >in
	mkfifo fifo
	for args in "--pipe touch ran ::: a" "--pipe -a in touch ran" \
	    "--pipe touch ran :::: in" "--pipe-part touch ran" \
	    "--pipe-part touch ran ::: a" "--pipe-part -a fifo touch ran" \
	    "--pipe-part -a /dev/null touch ran" \
	    "--pipe-part -a in -a in touch ran" "--pipe --block 0 touch ran" \
	    "--pipe --block x touch ran" "--pipe --block 2X touch ran" \
	    "--pipe --block -2 touch ran" "--pipe --block 1T touch ran" \
	    "--round-robin touch ran" "--block 1M touch ran" \
	    "--cat touch ran" "--fifo touch ran" "--header 2 touch ran" \
	    "--recend x touch ran" "--recstart x touch ran" \
	    "--pipe --cat --fifo touch ran" "--pipe --cat --round-robin touch ran" \
	    "--pipe --round-robin --retries 1 touch ran" \
	    "--pipe --recend \\q touch ran" "--pipe --header x touch ran" \
	    "--pipe -n 2 touch ran" "--pipe -N 0 touch ran"; do
		# shellcheck disable=SC2086 # split the words
		run --separate-stderr parx $args <in
		usage_error || {
			echo "with: $args"
			return 1
		}
		[ ! -e ran ]
	done
	run --separate-stderr parx --pipe-part -a /dev/stdin touch ran < <(seq 3)
	usage_error
	same "parx: --pipe-part needs a seekable file: /dev/stdin is a pipe (use --pipe)" \
	    "${stderr_lines[0]}"
	run --separate-stderr parx --pipe-part -a - touch ran < <(seq 3)
	usage_error
	same "parx: --pipe-part needs a seekable file: standard input is a pipe (use --pipe)" \
	    "${stderr_lines[0]}"
	for how in pipe part; do
		if [ $how = pipe ]; then
			run --separate-stderr parx --pipe --header 3 touch ran \
			    < <(printf 'h1\nh2\n')
		else
			printf 'h1\nh2\n' >short
			run --separate-stderr parx --pipe-part -a short --header 3 \
			    touch ran
		fi
		usage_error
		same "parx: --header 3: the input has only 2 records" \
		    "${stderr_lines[0]}"
	done
	[ ! -e ran ]
}

@test "--pipe, data on a terminal: the hint speaks of data, not items" {
	command -v script >/dev/null 2>&1 || skip "script(1) is not installed"
	run -0 timeout 60 script -qec "'$PARX' --pipe cat" /dev/null </dev/null
	[[ $output == *"parx: reading --pipe data from the terminal; end it with Ctrl-D"* ]]
	[[ $output != *"reading items"* ]]
}
