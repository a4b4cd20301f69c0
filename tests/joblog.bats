#!/usr/bin/env bats
# --joblog, --resume and --resume-failed (SPEC §7, §13.4).

bats_require_minimum_version 1.5.0

setup() {
	PARX=${PARX:-$BATS_TEST_DIRNAME/../parx}
	T=$BATS_TEST_TMPDIR
	LOG=$T/log
	HEADER=$(printf '%s\t' Seq Host Starttime JobRuntime Send Receive \
	    Exitval Signal)Command
}

# Prints the Seq column of the log, sorted, one per line.
seqs() {
	awk -F'\t' 'NR > 1 { print $1 }' "$LOG" | sort -n
}

# Prints column $1 of the log line for Seq $2 (the last such line).
col() {
	awk -F'\t' -v c="$1" -v s="$2" \
	    'NR > 1 && $1 == s { v = $c } END { print v }' "$LOG"
}

@test "joblog: header first, then one line per job in GNU parallel's format" {
	before=$(date +%s)
	run -0 --separate-stderr "$PARX" --joblog "$LOG" printf '%s\n' \
	    ::: a bb ccc
	after=$(date +%s)
	[ "$(sort <<<"$output")" = "$(printf 'a\nbb\nccc')" ]
	[ "$(head -n 1 "$LOG")" = "$HEADER" ]
	[ "$(wc -l <"$LOG")" -eq 4 ]
	[ "$(seqs | tr '\n' ' ')" = "1 2 3 " ]
	run -0 awk -F'\t' -v lo="$before" -v hi="$after" '
	    NR == 1 { next }
	    NF != 9 { print "fields " NF ": " $0; bad = 1 }
	    $2 != ":" { print "host " $2; bad = 1 }
	    $3 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ { print "start " $3; bad = 1 }
	    $3 + 0 < lo - 1 || $3 + 0 > hi + 1 { print "start " $3; bad = 1 }
	    length($4) != 10 || $4 !~ /^ *[0-9]+\.[0-9][0-9][0-9]$/ {
		print "runtime [" $4 "]"; bad = 1
	    }
	    $5 != "0" { print "send " $5; bad = 1 }
	    $6 != $1 + 1 { print "receive " $6 " for seq " $1; bad = 1 }
	    $7 != "0" || $8 != "0" { print "exit " $7 " " $8; bad = 1 }
	    END { exit bad }' "$LOG"
	[ "$(col 9 1)" = "printf '%s\\n' a" ]
	[ "$(col 9 2)" = "printf '%s\\n' bb" ]
	[ "$(col 9 3)" = "printf '%s\\n' ccc" ]
}

@test "joblog: Receive is the exact byte count of the job's stdout" {
	for mode in --group -k --line-buffer; do
		rm -f "$LOG"
		"$PARX" $mode --joblog "$LOG" \
		    -c 'head -c {} /dev/zero; echo x >&2' \
		    ::: 0 1 65535 65536 200001 >/dev/null 2>&1
		[ "$(col 6 1)" = 0 ]
		[ "$(col 6 2)" = 1 ]
		[ "$(col 6 3)" = 65535 ]
		[ "$(col 6 4)" = 65536 ]
		[ "$(col 6 5)" = 200001 ]
		[ "$(col 9 5)" = "head -c 200001 /dev/zero; echo x >&2" ]
	done
}

@test "joblog: Exitval is the exit status, Signal 0" {
	run -2 "$PARX" --joblog "$LOG" sh -c 'exit "$1"' sh ::: 0 3 255
	[ "$(col 7 1)" = 0 ] && [ "$(col 8 1)" = 0 ]
	[ "$(col 7 2)" = 3 ] && [ "$(col 8 2)" = 0 ]
	[ "$(col 7 3)" = 255 ] && [ "$(col 8 3)" = 0 ]
	[ "$(col 9 2)" = "sh -c 'exit \"\$1\"' sh 3" ]
}

@test "joblog: a job ended by a signal gets Exitval -1 and the signal" {
	run -2 "$PARX" --joblog "$LOG" -c 'kill -{} $$' ::: TERM KILL
	for s in 1 2; do
		[ "$(col 7 $s)" = -1 ]
	done
	[ "$(col 8 1)" = 15 ]
	[ "$(col 8 2)" = 9 ]
	[ "$(col 9 1)" = 'kill -TERM $$' ]
}

@test "joblog: a timed-out job shows the signal that ended it" {
	run -1 "$PARX" --joblog "$LOG" --timeout 0.2 sleep ::: 10
	[ "$(col 7 1)" = -1 ]
	[ "$(col 8 1)" = 15 ]
}

@test "joblog: with --retries, one line per job: its last attempt" {
	cd "$T"
	run -1 "$PARX" --joblog "$LOG" --retries 2 \
	    -c 'echo {} >>ran; exit $(wc -l <ran)' ::: a
	[ "$(wc -l <ran)" -eq 3 ]
	[ "$(wc -l <"$LOG")" -eq 2 ]
	[ "$(col 7 1)" = 3 ]
}

@test "joblog: the Command column is shell-quoted" {
	run -0 "$PARX" --joblog "$LOG" printf '%s\n' ::: "it's a b" '$x*'
	[ "$(col 9 1)" = "printf '%s\\n' 'it'\\''s a b'" ]
	[ "$(col 9 2)" = "printf '%s\\n' '\$x*'" ]
}

@test "joblog: a newline in a command keeps one line per job" {
	run -0 "$PARX" --joblog "$LOG" -k printf '[%s]\n' ::: "a
b" c
	[ "$output" = "$(printf '[a\nb]\n[c]')" ]
	[ "$(wc -l <"$LOG")" -eq 3 ]
	[ "$(seqs | tr '\n' ' ')" = "1 2 " ]
	# Resuming compares the command the same way: nothing changed.
	run -0 --separate-stderr "$PARX" --joblog "$LOG" --resume -k \
	    printf '[%s]\n' ::: "a
b" c
	[ "$output" = "" ]
	[ "$stderr" = "" ]
}

@test "joblog: appends to an existing log without a second header" {
	run -0 "$PARX" --joblog "$LOG" true ::: 1 2
	run -0 "$PARX" --joblog "$LOG" true ::: 1 2 3
	[ "$(grep -c '^Seq' "$LOG")" -eq 1 ]
	[ "$(head -n 1 "$LOG")" = "$HEADER" ]
	[ "$(wc -l <"$LOG")" -eq 6 ]
}

@test "joblog: an empty existing file gets the header" {
	: >"$LOG"
	run -0 "$PARX" --joblog "$LOG" true ::: 1
	[ "$(head -n 1 "$LOG")" = "$HEADER" ]
	[ "$(wc -l <"$LOG")" -eq 2 ]
}

@test "joblog: --resume skips every Seq in the log" {
	cd "$T"
	run -0 "$PARX" --joblog "$LOG" -c 'echo {} >>ran' ::: a b c d
	[ "$(sort ran | tr '\n' ' ')" = "a b c d " ]
	# Forget seq 2 and 4, as if the run had stopped before them.
	awk -F'\t' '$1 != 2 && $1 != 4' "$LOG" >"$LOG.new"
	mv "$LOG.new" "$LOG"
	: >ran
	run -0 "$PARX" --joblog "$LOG" --resume -c 'echo {} >>ran' ::: a b c d
	[ "$(sort ran | tr '\n' ' ')" = "b d " ]
	[ "$(seqs | tr '\n' ' ')" = "1 2 3 4 " ]
	# Everything is logged now: nothing runs.
	: >ran
	run -0 "$PARX" --joblog "$LOG" --resume -c 'echo {} >>ran' ::: a b c d
	[ ! -s ran ]
	[ "$(grep -c '^Seq' "$LOG")" -eq 1 ]
}

@test "joblog: --resume skips failed jobs too, --resume-failed reruns them" {
	cd "$T"
	script='echo {} >>ran; [ {} != b ] || [ -e okb ]'
	run -1 "$PARX" --joblog "$LOG" -c "$script" ::: a b c
	[ "$(col 7 2)" = 1 ]
	: >ran
	run -0 "$PARX" --joblog "$LOG" --resume -c "$script" ::: a b c
	[ ! -s ran ]
	touch okb
	run -0 "$PARX" --joblog "$LOG" --resume-failed -c "$script" ::: a b c
	[ "$(cat ran)" = b ]
	[ "$(col 7 2)" = 0 ]
	: >ran
	run -0 "$PARX" --joblog "$LOG" --resume-failed -c "$script" ::: a b c
	[ ! -s ran ]
}

@test "joblog: --resume-failed reruns a job a signal ended" {
	cd "$T"
	script='echo {} >>ran; [ -e ok ] || kill -TERM $$'
	run -1 "$PARX" --joblog "$LOG" -c "$script" ::: a
	[ "$(col 7 1)" = -1 ] && [ "$(col 8 1)" = 15 ]
	touch ok
	: >ran
	run -0 "$PARX" --joblog "$LOG" --resume-failed -c "$script" ::: a
	[ "$(cat ran)" = a ]
}

@test "joblog: the last line for a Seq counts" {
	cd "$T"
	printf '%s\n' "$HEADER" >"$LOG"
	printf '1\t:\t1.000\t     0.001\t0\t0\t1\t0\techo a\n' >>"$LOG"
	printf '1\t:\t2.000\t     0.001\t0\t0\t0\t0\techo a\n' >>"$LOG"
	printf '2\t:\t1.000\t     0.001\t0\t0\t0\t0\techo b\n' >>"$LOG"
	printf '2\t:\t2.000\t     0.001\t0\t0\t2\t0\techo b\n' >>"$LOG"
	run -0 "$PARX" --joblog "$LOG" --resume-failed echo ::: a b
	[ "$output" = b ]
}

@test "joblog: a line cut short by a crash is ignored, and not glued to" {
	printf '%s\n' "$HEADER" >"$LOG"
	printf '1\t:\t1.000\t     0.001\t0\t2\t0\t0\techo a\n' >>"$LOG"
	printf '2\t:\t1.000\t     0.001\t0\t2\t0\t0\techo' >>"$LOG"
	run -0 "$PARX" --joblog "$LOG" --resume echo ::: a b
	[ "$output" = b ]
	[ "$(col 9 2)" = "echo b" ]
	[ "$(grep -c '^2' "$LOG")" -eq 2 ]
	run -0 "$PARX" --joblog "$LOG" --resume echo ::: a b
	[ "$output" = "" ]
}

@test "joblog: a changed command for a logged Seq exits 255 naming it" {
	run -0 "$PARX" --joblog "$LOG" printf '%s\n' ::: a b c
	run -255 --separate-stderr "$PARX" -j1 --joblog "$LOG" --resume \
	    printf '%s\n' ::: a x c d
	[[ $stderr == parx:* ]]
	[[ $stderr =~ (^|[^0-9])2([^0-9]|$) ]]
	[[ $output != *d* ]]
	# The template changed: the first Seq is already different.
	run -255 --separate-stderr "$PARX" -j1 --joblog "$LOG" --resume \
	    printf '<%s>\n' ::: a b c
	[[ $stderr =~ (^|[^0-9])1([^0-9]|$) ]]
	[ "$output" = "" ]
}

@test "joblog: an interrupted run, resumed, completes every job once" {
	cd "$T"
	touch slow
	script='echo {} >>ran; case {} in 3|4) [ ! -e slow ] || sleep 30;; esac'
	"$PARX" -j2 --joblog "$LOG" -c "$script" ::: 1 2 3 4 5 6 \
	    >/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 100); do
		[ "$(wc -l <ran 2>/dev/null)" = 4 ] && break
		sleep 0.1
	done
	[ "$(sort ran | tr '\n' ' ')" = "1 2 3 4 " ]
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	# Interrupted jobs get no line, so --resume runs them again.
	[ "$(seqs | tr '\n' ' ')" = "1 2 " ]
	rm slow
	: >ran
	run -0 "$PARX" -j2 --joblog "$LOG" --resume -c "$script" ::: 1 2 3 4 5 6
	[ "$(sort ran | tr '\n' ' ')" = "3 4 5 6 " ]
	[ "$(seqs | tr '\n' ' ')" = "1 2 3 4 5 6 " ]
}

@test "joblog: an unwritable joblog is an error before anything runs" {
	run -255 --separate-stderr "$PARX" --joblog "$T/no/such/dir/log" \
	    echo ::: a
	[ "$output" = "" ]
	[ "$stderr" = "parx: cannot open joblog $T/no/such/dir/log:"\
" No such file or directory" ]
	run -255 --separate-stderr "$PARX" --joblog "$T" echo ::: a
	[ "$output" = "" ]
	[ "$stderr" = "parx: cannot open joblog $T: Is a directory" ]
}

@test "joblog: --resume without --joblog is a usage error" {
	run -255 --separate-stderr "$PARX" --resume echo ::: a
	[ "$output" = "" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == parx:*joblog* ]]
}

@test "joblog: --dry-run --resume shows only what would still run" {
	run -0 "$PARX" --joblog "$LOG" echo ::: a b
	run -0 --separate-stderr "$PARX" --dry-run --joblog "$LOG" --resume \
	    echo ::: a b c
	[ "$output" = "echo c" ]
	[ "$(seqs | tr '\n' ' ')" = "1 2 " ]
}
