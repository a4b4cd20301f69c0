#!/usr/bin/env bats
# --retries N: a failed job runs up to N more times; only the last attempt's
# output is emitted (SPEC 5, 6, 12).

load helpers

# Each attempt appends a line to count-ITEM and prints its number on stdout
# and stderr; it fails unless its number has reached the item.
ATTEMPT='echo x >>count-$1; n=$(wc -l <count-$1 | tr -d " ")
    echo "$1 attempt $n"; echo "$1 err $n" >&2; [ "$n" -ge "$1" ]'

attempts()
{
	wc -l <"count-$1" | tr -d ' '
}

@test "--retries 3: an always failing job runs 4 times, only the last output" {
	run -1 --separate-stderr parx --retries 3 -c "$ATTEMPT" ::: 9
	same 4 "$(attempts 9)" attempts
	expect "9 attempt 4"
	expect_err "9 err 4"
}

@test "--retries 3: a job failing once runs twice and succeeds" {
	run -0 --separate-stderr parx --retries 3 -c "$ATTEMPT" ::: 2
	same 2 "$(attempts 2)" attempts
	expect "2 attempt 2"
	expect_err "2 err 2"
}

@test "--retries 0 and no --retries: one attempt" {
	run -1 --separate-stderr parx --retries 0 -c "$ATTEMPT" ::: 2
	same 1 "$(attempts 2)" attempts
	rm count-2
	run -1 --separate-stderr parx -c "$ATTEMPT" ::: 2
	same 1 "$(attempts 2)" attempts
	expect "2 attempt 1"
}

@test "--retries: several jobs, exit status counts the ones still failing" {
	run -1 --separate-stderr parx -k -j3 --retries 2 -c "$ATTEMPT" \
	    ::: 1 3 4 2
	expect "1 attempt 1" "3 attempt 3" "4 attempt 3" "2 attempt 2"
	expect_err "1 err 1" "3 err 3" "4 err 3" "2 err 2"
	same "1 3 3 2" "$(attempts 1) $(attempts 3) $(attempts 4) $(attempts 2)" \
	    attempts
}

@test "--retries: only the last attempt's output, past the memory buffer" {
	# Earlier attempts print 200000 bytes on each stream; the last "ok".
	parx --retries 2 -c 'echo x >>count-a
	    if [ $(wc -l <count-a) -lt 3 ]; then
		bytes 200000; bytes 200000 >&2; exit 1
	    fi
	    echo ok; echo ok-err >&2' ::: a >out 2>err
	same 3 "$(attempts a)" attempts
	same "3 7" "$(wc -c <out | tr -d ' ') $(wc -c <err | tr -d ' ')" \
	    "bytes on stdout and stderr"
	same ok "$(cat out)" stdout
	same ok-err "$(cat err)" stderr
	no_tmpfiles
}

@test "--retries: a failure that shows late output only once" {
	# The first attempt prints, then fails a little later.
	run -0 --separate-stderr parx --retries 1 -c 'echo x >>count-a
	    echo "try $(wc -l <count-a)"; sleep 0.2
	    [ $(wc -l <count-a) -ge 2 ]' ::: a
	expect "try 2"
}

@test "--retries with -k: order kept, last attempts only" {
	run -0 --separate-stderr parx -k -j4 --retries 2 -c "$ATTEMPT" \
	    ::: 3 1 2
	expect "3 attempt 3" "1 attempt 1" "2 attempt 2"
	expect_err "3 err 3" "1 err 1" "2 err 2"
}

@test "--retries: a job killed by a signal is retried" {
	run -0 --separate-stderr parx --retries 2 -c 'echo x >>count-a
	    [ $(wc -l <count-a) -ge 2 ] || kill -KILL $$; echo done' ::: a
	same 2 "$(attempts a)" attempts
	expect done
}

@test "--retries with --timeout: each attempt is timed out" {
	run -1 --separate-stderr parx --retries 2 --timeout 0.2 \
	    -c 'echo x >>count-a; exec sleep 30' ::: a
	same 3 "$(attempts a)" attempts
	expect_err "parx: job 1: timed out after 0.2s"
}

@test "--retries: bad numbers are usage errors naming the value" {
	for v in -1 x 1.5 '' 2x; do
		run --separate-stderr parx --retries "$v" touch ::: ran
		usage_error || { echo "for --retries '$v'" >&2; return 1; }
		[[ ${stderr_lines[0]} == *"'$v'"* ]] || {
			echo "message does not name '$v'" >&2
			return 1
		}
	done
	[ ! -e ran ]
}

# --retry-delay and --retry-on (SPEC 11.4)

# gaps FILE: the time between successive lines of FILE (each a time in
# nanoseconds), in milliseconds, one per line.
gaps()
{
	awk 'NR > 1 { print int(($1 - prev) / 1000000) } { prev = $1 }' "$1"
}

@test "--retry-delay D: the waits double, with jitter of at most a quarter" {
	run -1 --separate-stderr parx --retries 3 --retry-delay 0.2 \
	    -c 'date +%s%N >>times; exit 1' ::: a
	same 4 "$(wc -l <times | tr -d ' ')" attempts
	# Lower bounds only: 3/4 of 200, 400 and 800 ms.
	run -0 gaps times
	echo "gaps: ${lines[*]}" >&2
	[ "${lines[0]}" -ge 150 ] && [ "${lines[1]}" -ge 300 ] &&
	    [ "${lines[2]}" -ge 600 ]
}

@test "--retry-delay D,MAX: the waits stop doubling at MAX" {
	run -1 --separate-stderr parx --retries 3 --retry-delay 0.1,0.2 \
	    -c 'date +%s%N >>times; exit 1' ::: a
	run -0 gaps times
	echo "gaps: ${lines[*]}" >&2
	[ "${lines[0]}" -ge 75 ] && [ "${lines[1]}" -ge 150 ] &&
	    [ "${lines[2]}" -ge 150 ]
}

@test "--retry-delay: a waiting retry does not keep its slot; output of the last attempt" {
	# One slot: b runs while a waits for its retry.
	run -0 --separate-stderr parx -j1 --retries 1 --retry-delay 1 -c '
	    echo {} >>order; echo "{} out"; echo "{} err" >&2
	    [ {} = b ] || [ $(grep -c a order) -ge 2 ]' ::: a b
	same "a b a" "$(tr '\n' ' ' <order | sed 's/ $//')" "runs"
	same "b out a out" "$(printf '%s ' "${lines[@]}" | sed 's/ $//')" stdout
	expect_err "b err" "a err"
}

@test "--retry-delay with -k: input order, each job once in the job log" {
	run -0 --separate-stderr parx -k -j2 --retries 2 --retry-delay 0.1 \
	    --joblog log -c "$ATTEMPT" ::: 3 1 2 1
	expect "3 attempt 3" "1 attempt 1" "2 attempt 2" "1 attempt 2"
	same "1 2 3 4" "$(cut -f1 log | sed 1d | sort | tr '\n' ' ' |
	    sed 's/ $//')" "job log"
}

@test "--retry-delay: a job waiting for its retry is dropped when parx is interrupted" {
	"$PARX" --retries 1 --retry-delay 100 --joblog log \
	    -c 'touch tried; exit 1' ::: a >out 2>err 3>&- &
	pid=$!
	waitfor tried
	sleep 0.3
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	same 143 "$rc" "exit status"
	same 1 "$(wc -l <log | tr -d ' ')" "lines in the job log (header)"
}

@test "--retry-on: only the listed exit codes are retried" {
	run -4 --separate-stderr parx -j1 --retries 2 --retry-on 3,5-7 \
	    -c 'echo x >>count-{}; exit {}' ::: 3 4 6 8
	same "3 1 3 1" "$(attempts 3) $(attempts 4) $(attempts 6) \
$(attempts 8)" attempts
	# A success is never retried.
	run -0 parx --retries 2 --retry-on 1-255 -c 'echo x >>count-0' ::: 0
	same 1 "$(attempts 0)" attempts
}

@test "--retry-on timeout, signal, nostart" {
	run -1 --separate-stderr parx --retries 2 --retry-on timeout \
	    --timeout 0.2 -c 'echo x >>count-t; exec sleep 30' ::: t
	same 3 "$(attempts t)" "attempts after timeouts"
	run -1 --separate-stderr parx --retries 2 --retry-on timeout \
	    -c 'echo x >>count-s; kill -KILL $$' ::: s
	same 1 "$(attempts s)" "attempts after a signal, retrying timeouts"
	rm count-s
	run -1 --separate-stderr parx --retries 2 --retry-on signal \
	    -c 'echo x >>count-s; kill -KILL $$' ::: s
	same 3 "$(attempts s)" "attempts after signals"
	run -1 --separate-stderr parx --retries 2 --retry-on signal \
	    -c 'echo x >>count-e; exit 1' ::: e
	same 1 "$(attempts e)" "attempts after an exit, retrying signals"
	# -t shows each attempt; a missing program is retried with nostart.
	run -1 --separate-stderr parx -t --retries 2 --retry-on nostart \
	    no-such-program-$$ ::: x
	same 3 "$(printf '%s\n' "$stderr" | grep -c "^no-such-program-$$ x\$")" \
	    "attempts to start a missing program"
	run -1 --separate-stderr parx -t --retries 2 --retry-on 127 \
	    no-such-program-$$ ::: x
	same 1 "$(printf '%s\n' "$stderr" | grep -c "^no-such-program-$$ x\$")" \
	    "attempts with 127 but not nostart"
}

@test "--retry-delay with -k: a retry waiting behind 4096 finished jobs still runs" {
	# Finished jobs wait behind job 1 under -k until the window is full;
	# the workers must then let job 1's retry run, not wait for it.
	seq 5000 >want
	timeout 60 "$PARX" -k -j2 --retries 1 --retry-delay 5 -c '
	    [ {} != 1 ] || [ -e failed ] || { touch failed; exit 1; }
	    echo {}' <want >out 2>err 3>&-
	same_file want out
	[ -e failed ]
	[ ! -s err ]
}

@test "--retries with --delay: a job waiting for its next attempt when parx halts keeps its failure" {
	# Job 1 fails twice and halts parx while job 2 waits for its retry.
	run -3 --separate-stderr parx -j2 --delay 1 --retries 1 \
	    --halt soon,fail=1 --joblog log -c '
	    if [ {} = 1 ]; then exit 3; fi; sleep 0.5; exit 4' ::: 1 2
	same "1 3
2 4" "$(sed 1d log | cut -f1,7 | sort | tr '\t' ' ')" "job log"
}
