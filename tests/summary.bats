#!/usr/bin/env bats
# The failure summary at the end of a run (SPEC 11.3): on a terminal or
# with --summary, "parx: F of T jobs failed" and up to 10 failed jobs in
# sequence order, each with its outcome and command; --no-summary turns it
# off; nothing when every job succeeds.

load helpers

# on_tty ARGS...: runs parx on a pseudo-terminal (script -qc), stdout to
# $T/stdout; what the terminal shows, without CRs, goes to $T/tty, the
# status to $rc.
on_tty()
{
	local cmd
	command -v script >/dev/null || skip "script(1) is not installed"
	cmd="$(printf '%q ' "$PARX" "$@") >$(printf '%q' "$T/stdout")"
	rc=0
	script -qfec "$cmd" /dev/null </dev/null >"$T/raw" 2>&1 3>&- || rc=$?
	tr -d '\r' <"$T/raw" >"$T/tty"
}

@test "summary: each outcome, in sequence order, with its command" {
	run -3 --separate-stderr parx --summary -j4 --timeout 1 \
	    sh -c 'case $1 in e3) exit 3 ;; kill) kill -KILL $$ ;;
	    hang) exec sleep 30 ;; esac' sh ::: ok e3 kill hang 3>&-
	expect
	cmd="sh -c 'case \$1 in e3) exit 3 ;; kill) kill -KILL \$\$ ;;\n	    hang) exec sleep 30 ;; esac' sh"
	expect_err "parx: job 4: timed out after 1s" \
	    "parx: 3 of 4 jobs failed" \
	    "parx: job 2: exit 3: $cmd e3" \
	    "parx: job 3: signal SIGKILL: $cmd kill" \
	    "parx: job 4: timed out after 1s: $cmd hang"
}

@test "summary: a long command is cut, on one line" {
	long=$(printf 'x%.0s' $(seq 300))
	run -1 --separate-stderr parx --summary sh -c 'exit 1' "$long" ::: é
	same 2 "${#stderr_lines[@]}" "lines"
	line=${stderr_lines[1]}
	same "parx: job 1: exit 1: sh -c 'exit 1' xxxx" "${line:0:40}"
	same "..." "${line: -3}"
	[ "$(printf '%s' "$line" | wc -c)" -le 200 ]
}

@test "summary: jobs that could not start" {
	printf 'a\0b\nc\n' >"$T/in"
	run -2 --separate-stderr parx --summary -k no-such-command-x <"$T/in"
	expect_err "parx: job 1: item contains a NUL byte (use -0)" \
	    "parx: no-such-command-x: command not found" \
	    "parx: 2 of 2 jobs failed" \
	    "parx: job 1: could not start" \
	    "parx: job 2: could not start: no-such-command-x c"
}

@test "summary: at most 10 jobs, the lowest numbers, then how many more" {
	run -15 --separate-stderr parx --summary -j4 \
	    sh -c 'sleep 0.0$(( $1 % 3 )); exit 7' sh < <(seq 15)
	same 12 "${#stderr_lines[@]}" "lines"
	same "parx: 15 of 15 jobs failed" "${stderr_lines[0]}"
	for i in $(seq 10); do
		same "parx: job $i: exit 7: sh -c 'sleep 0.0\$(( \$1 % 3 )); exit 7' sh $i" \
		    "${stderr_lines[i]}"
	done
	same "parx: (5 more not shown)" "${stderr_lines[11]}"
}

@test "summary: nothing when every job succeeds, and nothing without --summary off a terminal" {
	run -0 --separate-stderr parx --summary echo ::: a b
	expect_err
	run -1 --separate-stderr parx false ::: a
	expect_err
	run -1 --separate-stderr parx --summary --no-summary false ::: a
	expect_err
	run -1 --separate-stderr parx --no-summary --summary false ::: a
	expect_err "parx: 1 of 1 job failed" "parx: job 1: exit 1: false a"
}

@test "summary: counts only the jobs of this run" {
	parx --joblog "$T/log" -c 'exit {}' ::: 0 1 2 || true
	run -3 --separate-stderr parx --joblog "$T/log" --resume-failed \
	    --summary -c 'exit {}' ::: 0 1 2 4
	expect_err "parx: 3 of 3 jobs failed" \
	    "parx: job 2: exit 1: exit 1" \
	    "parx: job 3: exit 2: exit 2" \
	    "parx: job 4: exit 4: exit 4"
}

@test "summary: on a terminal by default, after the output and the bar" {
	on_tty -k -c 'echo {}; exit {}' ::: 0 1 2
	same 2 "$rc" "exit status"
	same "0
1
2" "$(cat "$T/stdout")" stdout
	same "parx: 2 of 3 jobs failed
parx: job 2: exit 1: echo 1; exit 1
parx: job 3: exit 2: echo 2; exit 2" "$(cat "$T/tty")" "terminal"
	on_tty --no-summary -c 'exit {}' ::: 0 1 2
	same 2 "$rc" "exit status"
	same "" "$(cat "$T/tty")" "terminal with --no-summary"
	on_tty -c 'exit 0' ::: 0 1 2
	same 0 "$rc" "exit status"
	same "" "$(cat "$T/tty")" "terminal when all succeed"
	# The bar's line is cleared (ESC [ K) before the summary.
	on_tty --bar -j1 -c 'exit {}' ::: 0 3
	same 1 "$rc" "exit status"
	same "parx: 1 of 2 jobs failed
parx: job 2: exit 3: exit 3" "$(sed 's/.*'"$(printf '\033')"'\[K//' "$T/tty")" \
	    "after the bar"
}

@test "summary: under --timeout N%, a timed-out job's own limit" {
	run -1 --separate-stderr parx --summary -j1 -k --timeout 300% \
	    sh -c 'sleep $1' sh ::: 0.3 0.3 0.3 30 3>&-
	expect
	# The limit is 3 x the median of the runtimes so far (about 0.3 s),
	# never the 300 of the option: well under the 30 s of the job.
	[ "${#stderr_lines[@]}" -eq 3 ]
	[[ ${stderr_lines[0]} =~ ^parx:\ job\ 4:\ timed\ out\ after\ ([0-9.]+)s$ ]]
	awk -v t="${BASH_REMATCH[1]}" 'BEGIN { exit !(t > 0.8 && t < 20) }'
	same "parx: 1 of 4 jobs failed" "${stderr_lines[1]}"
	same "${stderr_lines[2]}" \
	    "parx: job 4: ${stderr_lines[0]#parx: job 4: }: sh -c 'sleep \$1' sh 30"
}
