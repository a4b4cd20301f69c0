#!/usr/bin/env bats
# The JSON job log: --joblog FILE.jsonl or --joblog-format json, one object
# per job with the keys of SPEC 11.3, resource use from wait4, and
# --resume / --resume-failed reading it (SPEC 7, 11.3).  Checked with jq
# and python3's json module.

load helpers

KEYS='["seq","slot","host","command","argv","start","runtime","exit",'\
'"signal","timed_out","attempts","stdin_bytes","stdout_bytes",'\
'"stderr_bytes","maxrss_kb","user_cpu","sys_cpu","limit"]'

setup()
{
	parx_setup
	command -v jq >/dev/null || skip "jq is not installed"
	LOG=$T/log.jsonl
}

# field SEQ FILTER: the jq FILTER applied to the last line of job SEQ.
field()
{
	jq -c --argjson s "$1" "select(.seq == \$s) | $2" "$LOG" | tail -n 1
}

@test "JSON log: one object per job, every key of SPEC 11.3 (and limit) in order" {
	before=$(date +%s)
	run -0 --separate-stderr parx -j2 --joblog "$LOG" \
	    sh -c 'printf "%s\n" "$1"; printf e >&2' sh ::: a bb ccc
	after=$(date +%s)
	same 3 "$(wc -l <"$LOG" | tr -d ' ')" "lines"
	# Every line is one object with exactly these keys, in this order.
	same "$KEYS
$KEYS
$KEYS" "$(jq -c 'keys_unsorted' "$LOG")" "keys"
	same "1 2 3" "$(jq -r .seq "$LOG" | sort -n | tr '\n' ' ' | sed 's/ $//')"
	for s in 1 2 3; do
		item=$(printf 'a\nbb\nccc' | sed -n "${s}p")
		same '":"' "$(field "$s" .host)" host
		same "\"sh -c 'printf \\\"%s\\\\n\\\" \\\"\$1\\\"; printf e >&2' sh $item\"" \
		    "$(field "$s" .command)" command
		same "[\"sh\",\"-c\",\"printf \\\"%s\\\\n\\\" \\\"\$1\\\"; printf e >&2\",\"sh\",\"$item\"]" \
		    "$(field "$s" .argv)" argv
		same 0 "$(field "$s" .exit)" exit
		same null "$(field "$s" .signal)" signal
		same false "$(field "$s" .timed_out)" timed_out
		same null "$(field "$s" .limit)" limit
		same 1 "$(field "$s" .attempts)" attempts
		same 0 "$(field "$s" .stdin_bytes)" stdin_bytes
		same "$(( ${#item} + 1 ))" "$(field "$s" .stdout_bytes)" stdout
		same 1 "$(field "$s" .stderr_bytes)" stderr_bytes
		same true "$(field "$s" "(.slot == 1 or .slot == 2)")" slot
		same true "$(field "$s" "(.start >= $before - 1 and
		    .start <= $after + 1)")" start
		same true "$(field "$s" "(.runtime >= 0 and .runtime < 60)")" \
		    runtime
		same true "$(field "$s" "(.maxrss_kb > 0)")" maxrss_kb
		same true "$(field "$s" "(.user_cpu >= 0 and .sys_cpu >= 0 and
		    (.user_cpu | type) == \"number\")")" cpu
	done
	# Times as the tab-separated log writes them: three decimals.
	run -0 grep -c '"start":[0-9]*\.[0-9][0-9][0-9],"runtime":[0-9]*\.[0-9][0-9][0-9],' "$LOG"
	same 3 "$output" "start and runtime with three decimals"
}

@test "JSON log: --joblog-format json for any name, .json too, tsv to keep GNU's format" {
	parx --joblog-format json --joblog "$T/any.log" true ::: 1
	same 1 "$(jq -r .seq "$T/any.log")"
	parx --joblog "$T/x.json" true ::: 1
	same 1 "$(jq -r .seq "$T/x.json")"
	parx --joblog "$T/t.jsonl" --joblog-format tsv true ::: 1
	same "Seq	Host	Starttime" "$(head -n 1 "$T/t.jsonl" | cut -f 1-3)"
	# The last --joblog-format wins.
	parx --joblog-format tsv --joblog-format json --joblog "$T/y" true ::: 1
	same 1 "$(jq -r .seq "$T/y")"
}

@test "JSON log: exit, signal by name, timeouts, retries, jobs that cannot start" {
	run -3 parx --joblog "$LOG" --timeout 1 -c '
	    case {} in
	    exit3) exit 3 ;;
	    kill) kill -KILL $$ ;;
	    hang) exec sleep 30 ;;
	    esac' ::: ok exit3 kill hang 3>&-
	same '0 null false' "$(field 1 '[.exit, .signal, .timed_out]' |
	    jq -r 'map(tostring) | join(" ")')"
	same '3 null false' "$(field 2 '[.exit, .signal, .timed_out]' |
	    jq -r 'map(tostring) | join(" ")')"
	same 'null SIGKILL false' "$(field 3 '[.exit, .signal, .timed_out]' |
	    jq -r 'map(tostring) | join(" ")')"
	same 'null SIGTERM true' "$(field 4 '[.exit, .signal, .timed_out]' |
	    jq -r 'map(tostring) | join(" ")')"
	rm -f "$LOG"
	run -1 parx --joblog "$LOG" --retries 2 -c 'exit {}' ::: 0 1
	same 1 "$(field 1 .attempts)" "attempts of a job that succeeded"
	same 3 "$(field 2 .attempts)" "attempts of a job that kept failing"
	same 1 "$(field 2 .exit)"
	rm -f "$LOG"
	run -1 --separate-stderr parx --joblog "$LOG" no-such-command-here ::: 1
	same '127 null 1' "$(field 1 '[.exit, .signal, .attempts]' |
	    jq -r 'map(tostring) | join(" ")')"
}

@test "JSON log: rusage of the job, from wait4" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	# 100 MB touched, and a busy loop of CPU time.
	parx --joblog "$LOG" -k python3 -c '
import sys, time
if sys.argv[1] == "mem":
    b = b"\x01" * (100 * 1024 * 1024)
else:
    t = time.process_time()
    while time.process_time() - t < 0.3:
        pass' ::: mem cpu small
	same true "$(field 1 '.maxrss_kb > 90000')" "maxrss_kb of 100 MB"
	same true "$(field 2 '.user_cpu + .sys_cpu >= 0.25')" "cpu time"
	same true "$(field 2 '.maxrss_kb < 90000')" "maxrss_kb of a small job"
	same true "$(field 1 '.user_cpu < 5')" "user_cpu in seconds"
}

@test "JSON log: hostile bytes in items and commands stay valid, reversible JSON" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	printf 'a"b\\c\0tab\there\0new\nline\0\377\376bad\0\303(\0ok\342\202\254\0\001\037\177\0' >"$T/in"
	parx -0 -k --joblog "$LOG" printf '%s' <"$T/in" >"$T/out"
	# Every line is valid JSON; jq agrees.
	jq -e . "$LOG" >/dev/null
	# The argv decodes back (surrogateescape) to the very items.
	python3 - "$LOG" "$T/in" <<'EOF'
import json, sys
items = open(sys.argv[2], "rb").read().split(b"\0")[:-1]
recs = {}
for line in open(sys.argv[1], "rb"):
    assert line.endswith(b"\n") and b"\n" not in line[:-1], line
    r = json.loads(line.decode("utf-8"))
    recs[r["seq"]] = r
assert sorted(recs) == list(range(1, len(items) + 1)), sorted(recs)
for i, item in enumerate(items, 1):
    argv = [w.encode("utf-8", "surrogateescape") for w in recs[i]["argv"]]
    assert argv == [b"printf", b"%s", item], (argv, item)
    assert recs[i]["stdout_bytes"] == len(item)
EOF
}

@test "JSON log: --resume skips logged jobs, --resume-failed reruns failed ones" {
	run -1 parx --joblog "$LOG" -c 'echo {}; [ {} != 2 ]' ::: 1 2 3
	same 3 "$(wc -l <"$LOG" | tr -d ' ')"
	# A crash cut the last line short: it is skipped, and ended.
	printf '{"seq":4,"slot":1,"host":":","comm' >>"$LOG"
	run -0 --separate-stderr parx --joblog "$LOG" --resume \
	    -c 'echo {}; [ {} != 2 ]' ::: 1 2 3 4
	expect 4
	run -1 --separate-stderr parx --joblog "$LOG" --resume-failed \
	    -c 'echo {}; [ {} != 2 ]' ::: 1 2 3 4
	expect 2
	# The fragment stays a line of its own, which is not JSON; the rest is.
	same 1 "$(grep -vc '^{.*}$' "$LOG")" "lines that are not objects"
	same 2 "$(grep -c '"seq":2,' "$LOG")" "lines of job 2"
	run -0 --separate-stderr parx --joblog "$LOG" --resume \
	    -c 'echo {}; [ {} != 2 ]' ::: 1 2 3 4
	expect
}

@test "JSON log: --resume names the job whose command changed" {
	parx --joblog "$LOG" echo ::: a b >/dev/null
	run -255 --separate-stderr parx --joblog "$LOG" --resume echo ::: a c
	expect
	expect_err "parx: cannot resume: job 2 of $LOG ran 'echo b', but would now run 'echo c'; the input or the command changed (start a new --joblog to run everything)"
}

@test "JSON log: a newline in a command is compared exactly on --resume" {
	printf 'a\nb\0c\0' >"$T/in"
	parx -0 --joblog "$LOG" printf '%s' <"$T/in" >/dev/null
	same '"printf %s $'"'"'a\\nb'"'"'"' "$(field 1 .command)"
	run -0 --separate-stderr parx -0 --joblog "$LOG" --resume \
	    printf '%s' <"$T/in"
	expect
	expect_err
}

@test "JSON log: a log of the other format is refused, nothing run" {
	parx --joblog "$T/tsv.log" true ::: 1
	run -255 --separate-stderr parx --joblog "$T/tsv.log" \
	    --joblog-format json --resume touch "$T/ran" ::: 1
	expect
	expect_err "parx: joblog $T/tsv.log is tab-separated, not JSON lines (see --joblog-format)"
	[ ! -e "$T/ran" ]
	parx --joblog "$LOG" true ::: 1
	run -255 --separate-stderr parx --joblog "$LOG" --joblog-format tsv \
	    touch "$T/ran" ::: 1
	expect_err "parx: joblog $LOG is JSON lines, not tab-separated (see --joblog-format)"
	[ ! -e "$T/ran" ]
	# GNU parallel's log, named .jsonl by mistake.
	printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n' \
	    >"$T/gnu.jsonl"
	run -255 --separate-stderr parx --joblog "$T/gnu.jsonl" --resume \
	    touch "$T/ran" ::: 1
	expect_err "parx: joblog $T/gnu.jsonl is tab-separated, not JSON lines (see --joblog-format)"
	[ ! -e "$T/ran" ]
}

@test "JSON log: bad --joblog-format values are usage errors" {
	run --separate-stderr parx --joblog-format xml --joblog "$LOG" true ::: 1
	usage_error
	same "parx: invalid --joblog-format 'xml' (tsv or json)" \
	    "${stderr_lines[0]}"
	run --separate-stderr parx --joblog-format json true ::: 1
	usage_error
	same "parx: --joblog-format needs --joblog FILE" "${stderr_lines[0]}"
}

@test "JSON log: byte counts in every output mode" {
	for mode in --group -k --line-buffer --tag; do
		rm -f "$LOG"
		parx $mode --joblog "$LOG" \
		    -c 'head -c {} /dev/zero; head -c 3 /dev/zero >&2' \
		    ::: 0 1 65536 200001 >/dev/null 2>&1
		same "0 1 65536 200001" "$(jq -r .stdout_bytes "$LOG" |
		    sort -n | tr '\n' ' ' | sed 's/ $//')" "stdout_bytes $mode"
		same "3 3 3 3" "$(jq -r .stderr_bytes "$LOG" |
		    tr '\n' ' ' | sed 's/ $//')" "stderr_bytes $mode"
	done
}

@test "JSON log: jobs parx interrupts get no line, as in the TSV log" {
	parx --joblog "$LOG" -j2 sh -c 'exec sleep "$1"' sh ::: 0 30 &
	pid=$!
	for _ in $(seq 100); do
		[ -s "$LOG" ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" || true
	same 1 "$(wc -l <"$LOG" | tr -d ' ')" "lines"
	same 1 "$(jq .seq "$LOG")"
}

@test "JSON log: the man page's jq example works" {
	run -2 parx --joblog "$LOG" -c 'exit {}' ::: 0 1 2
	# The failed jobs, with how long they ran and their peak memory.
	run -0 jq -r 'select(.exit != 0 or .signal != null)
	    | "\(.seq)\t\(.command)\t\(.runtime)s\t\(.maxrss_kb) kB"' "$LOG"
	same 2 "${#lines[@]}" "failed jobs"
	run -0 sort <<<"$output"
	[[ ${lines[0]} =~ ^2$'\t'"exit 1"$'\t'[0-9.]+s$'\t'[0-9]+\ kB$ ]]
	[[ ${lines[1]} =~ ^3$'\t'"exit 2"$'\t'[0-9.]+s$'\t'[0-9]+\ kB$ ]]
	# The CPU time of the whole run.
	run -0 jq -s 'map(.user_cpu + .sys_cpu) | add' "$LOG"
	[[ $output =~ ^[0-9.e-]+$ ]]
}

@test "JSON log: --retry-failed runs the failed jobs of a JSON log again" {
	parx --joblog "$LOG" -c 'echo {}; [ {} != 2 ]' ::: 1 2 3 >/dev/null || true
	run -1 --separate-stderr parx --joblog "$LOG" --retry-failed
	expect 2
	same 4 "$(wc -l <"$LOG")" "lines in the log"
	same '2 "echo 2; [ 2 != 2 ]" 1' "$(tail -n 1 "$LOG" |
	    jq -r '"\(.seq) \(.command | tojson) \(.exit)"')"
}
