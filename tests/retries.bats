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
