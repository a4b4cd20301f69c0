#!/usr/bin/env bats
# Job control: Ctrl-Z (SIGTSTP), SIGTTIN and SIGTTOU stop every running
# job's process group and then parx; SIGCONT (fg, bg) continues them; time
# stopped does not count toward --timeout (SPEC 11.4, parx(1) SIGNALS).

load helpers

setup()
{
	marker_setup
	pid=
	# Each job prints six ticks, one every 0.2 s, and appends them to
	# ticks-ITEM as it goes; its file name carries the marker.
	cat >"ticker-$M.sh" <<-'EOF'
	echo $PPID >parent-$1
	for i in 1 2 3 4 5 6; do
		echo "$1 tick $i"
		echo "$i" >>ticks-$1
		sleep 0.2
	done
	EOF
}

teardown()
{
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	marker_teardown
}

# start_parx ARG...: parx in the background, in a process group of its own
# (as a shell with job control starts it), with the signals these tests
# send at their default (parx keeps a signal ignored at startup ignored).
start_parx()
{
	env --default-signal=TSTP 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
	set -m
	env --default-signal=TSTP,TTIN,TTOU,TERM "$PARX" "$@" >out 2>err \
	    3>&- &
	pid=$!
	set +m
}

# state PID: the state letter of process PID (R, S, T, Z...).
state()
{
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	echo "${s%% *}"
}

# wait_state PID LETTER: waits up to 20 s for process PID to be in state
# LETTER.
wait_state()
{
	local i
	for ((i = 0; i < 400; i++)); do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "process $1 is in state $(state "$1"), not $2" >&2
	return 1
}

# job_states PARX-PID: one line "PID STATE" for every process in the
# process groups of the jobs of parx (its children lead them).
job_states()
{
	local kids
	kids=$(pgrep -P "$1" | tr '\n' ' ')
	[ -n "$kids" ] || return 0
	ps -e -o pid=,pgid=,stat= | awk -v kids=" $kids" \
	    'index(kids, " " $2 " ") { print $1, substr($3, 1, 1) }'
}

# ticks: how many ticks the jobs have made so far.
ticks()
{
	cat ticks-* 2>/dev/null | wc -l | tr -d ' '
}

want_ticks()
{
	local j i
	for j in "$@"; do
		for i in 1 2 3 4 5 6; do
			echo "$j tick $i"
		done
	done
}

# stopped_check PARX-PID: parx and every process of its jobs are stopped,
# and the jobs make no progress meanwhile.
stopped_check()
{
	local n bad
	wait_state "$1" T
	n=$(job_states "$1" | wc -l)
	[ "$n" -ge 2 ] || {
		echo "only $n job processes found" >&2
		return 1
	}
	bad=$(job_states "$1" | awk '$2 != "T"')
	same "" "$bad" "job processes not stopped"
	n=$(ticks)
	sleep 0.6
	same "$n" "$(ticks)" "ticks made while stopped"
}

@test "SIGTSTP stops the jobs, then parx; SIGCONT continues them; output complete" {
	start_parx -k -j2 sh "ticker-$M.sh" ::: a b
	waitfor ticks-a ticks-b
	kill -TSTP "$pid"
	stopped_check "$pid"
	kill -CONT "$pid"
	rc=0
	wait "$pid" || rc=$?
	same 0 "$rc" "exit status"
	same "$(want_ticks a b)" "$(cat out)" stdout
	[ ! -s err ]
	nothing_left
	no_tmpfiles
}

@test "SIGTTIN and SIGTTOU stop the jobs and parx as SIGTSTP does" {
	for sig in TTIN TTOU; do
		rm -f ticks-* out
		start_parx -k -j2 sh "ticker-$M.sh" ::: a b
		waitfor ticks-a ticks-b
		kill -"$sig" "$pid"
		stopped_check "$pid"
		kill -CONT "$pid"
		rc=0
		wait "$pid" || rc=$?
		same 0 "$rc" "exit status after SIG$sig"
		same "$(want_ticks a b)" "$(cat out)" "stdout after SIG$sig"
	done
	nothing_left
}

@test "stopped twice, continued twice: every tick once" {
	start_parx -j1 sh "ticker-$M.sh" ::: a
	waitfor ticks-a
	for round in 1 2; do
		kill -TSTP "$pid"
		stopped_check "$pid"
		kill -CONT "$pid"
		wait_state "$pid" S
	done
	rc=0
	wait "$pid" || rc=$?
	same 0 "$rc" "exit status"
	same "$(want_ticks a)" "$(cat out)" stdout
	nothing_left
}

@test "time stopped does not count toward --timeout" {
	start_parx --timeout 1.5 -c 'touch started; sleep 1; echo done '"$M" \
	    ::: 1
	waitfor started
	kill -TSTP "$pid"
	wait_state "$pid" T
	# Longer than the timeout, stopped.
	sleep 2.5
	kill -CONT "$pid"
	rc=0
	wait "$pid" || rc=$?
	same 0 "$rc" "exit status"
	same "done $M" "$(cat out)" stdout
	[ ! -s err ]
}

@test "a stopped parx given SIGTERM ends its stopped jobs: 143, nothing left" {
	start_parx -j2 sh "ticker-$M.sh" ::: a b
	waitfor ticks-a ticks-b
	kill -TSTP "$pid"
	stopped_check "$pid"
	kill -TERM "$pid"
	kill -CONT "$pid"
	rc=0
	wait "$pid" || rc=$?
	same 143 "$rc" "exit status"
	nothing_left
	no_tmpfiles
}

# On a terminal: an interactive bash in script(1)'s pseudo-terminal runs
# parx in the foreground; the keys come through script's standard input.
# feed_pty drives it: waits for what it needs before each key, and leaves
# what it saw in files for the test to check.

need_script()
{
	command -v script >/dev/null 2>&1 ||
	    skip "script(1) (util-linux) is missing: no pseudo-terminal"
}

@test "Ctrl-Z on a terminal stops the jobs and parx; fg continues; output complete" {
	need_script
	{
		printf '%q -k -j2 sh ticker-%s.sh ::: a b >out 2>err\n' \
		    "$PARX" "$M"
		waitfor ticks-a ticks-b parent-a
		printf '\032'
		p=$(cat parent-a)
		{ stopped_check "$p" && echo ok; } >stopped 2>&1
		printf 'fg\n'
		while kill -0 "$p" 2>/dev/null; do
			sleep 0.05
		done
		printf 'echo "rc=$?" >rc\n'
		waitfor rc
		printf 'exit\n'
	} | timeout 60 script -qfc 'bash --norc --noprofile -i' /dev/null \
	    >/dev/null 2>&1 3>&-
	same ok "$(cat stopped)" "while stopped"
	same rc=0 "$(cat rc)" "exit status"
	same "$(want_ticks a b)" "$(cat out)" stdout
	[ ! -s err ]
	nothing_left
}

@test "a background parx reading the terminal stops; fg lets it read" {
	need_script
	{
		printf '%q echo got >out 2>err & echo $! >pid\n' "$PARX"
		waitfor pid
		p=$(cat pid)
		wait_state "$p" T 2>stopped
		printf 'fg\n'
		wait_state "$p" S 2>>stopped
		printf 'hello %s\n' "$M"
		printf '\004'
		while kill -0 "$p" 2>/dev/null; do
			sleep 0.05
		done
		printf 'echo "rc=$?" >rc\n'
		waitfor rc
		printf 'exit\n'
	} | timeout 60 script -qfc 'bash --norc --noprofile -i' /dev/null \
	    >/dev/null 2>&1 3>&-
	same "" "$(cat stopped)" "stopped, then reading"
	same rc=0 "$(cat rc)" "exit status"
	same "got hello $M" "$(cat out)" stdout
	# Only the hint for items typed on a terminal.
	same "parx: reading items from the terminal, one per line; end them with Ctrl-D (or give them with :::, ::::, -a or a pipe)" \
	    "$(cat err)" stderr
}

@test "--pipe: a background parx reading the terminal stops; fg lets it read" {
	need_script
	{
		printf '%q --pipe -N 1 -k sed s/^/got:/ >out 2>err & echo $! >pid\n' \
		    "$PARX"
		waitfor pid
		p=$(cat pid)
		wait_state "$p" T 2>stopped
		printf 'fg\n'
		wait_state "$p" S 2>>stopped
		printf 'hello %s\n' "$M"
		printf '\004'
		while kill -0 "$p" 2>/dev/null; do
			sleep 0.05
		done
		printf 'echo "rc=$?" >rc\n'
		waitfor rc
		printf 'exit\n'
	} | timeout 60 script -qfc 'bash --norc --noprofile -i' /dev/null \
	    >/dev/null 2>&1 3>&-
	same "" "$(cat stopped)" "stopped, then reading"
	same rc=0 "$(cat rc)" "exit status"
	same "got:hello $M" "$(cat out)" stdout
	same "parx: reading --pipe data from the terminal; end it with Ctrl-D (or give it through a pipe)" \
	    "$(cat err)" stderr
}
