#!/usr/bin/env bats
# Resources: --nice, the per-job limits --limit-mem, --limit-cpu and
# --limit-files (set before the job's program starts), and --load and
# --memfree, which hold jobs back while the machine is busy (SPEC 11.4,
# parx(1) RESOURCES).  PARX_PROC points parx at made-up loadavg and
# meminfo files, so the tests decide what the machine looks like.

load helpers

setup()
{
	marker_setup
	pid=
	mkdir proc
	loadavg 0.00
	meminfo 8G
}

teardown()
{
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	marker_teardown
}

# loadavg N: the made-up 1-minute load average.
loadavg()
{
	echo "$1 0.00 0.00 1/100 1000" >proc/loadavg.new
	mv proc/loadavg.new proc/loadavg
}

# meminfo SIZE: the made-up available memory (K, M or G).
meminfo()
{
	local kb
	case $1 in
	*K)	kb=${1%K} ;;
	*M)	kb=$((${1%M} * 1024)) ;;
	*G)	kb=$((${1%G} * 1024 * 1024)) ;;
	esac
	printf 'MemTotal: 16777216 kB\nMemFree: 1 kB\nMemAvailable: %s kB\n' \
	    "$kb" >proc/meminfo.new
	mv proc/meminfo.new proc/meminfo
}

# start_parx ARG...: parx in the background with the made-up /proc.
start_parx()
{
	PARX_PROC=$T/proc "$PARX" "$@" >out 2>err 3>&- &
	pid=$!
}

# stop_parx SIG: sends SIG to parx and waits for it; $rc is its status.
stop_parx()
{
	kill -"$1" "$pid"
	rc=0
	wait "$pid" || rc=$?
}

finish_parx()
{
	rc=0
	wait "$pid" || rc=$?
}

# still_nothing N: for N tenths of a second, parx runs and no job starts.
still_nothing()
{
	local i
	for ((i = 0; i < $1; i++)); do
		kill -0 "$pid" || {
			echo "parx ended" >&2
			return 1
		}
		[ -z "$(ls started-* 2>/dev/null)" ] || {
			echo "a job started: $(ls started-*)" >&2
			return 1
		}
		sleep 0.1
	done
}

# --nice

@test "--nice N: the job runs at niceness N (read from /proc/self/stat)" {
	for n in 7 19 0; do
		run -0 parx --nice "$n" cut -d' ' -f19 ::: /proc/self/stat
		expect "$n"
	done
	run -0 parx --nice 5 -c 'read -r s </proc/self/stat
	    set -- ${s##*) }; shift 16; echo $1' ::: x
	expect 5
}

@test "--nice: jobs without it run at parx's niceness" {
	run -0 nice -n 3 "$PARX" cut -d' ' -f19 ::: /proc/self/stat 3>&-
	expect 3
	run -0 nice -n 3 "$PARX" --nice 6 cut -d' ' -f19 ::: /proc/self/stat 3>&-
	expect 6
}

@test "--nice below parx's own niceness without privilege: 255, nothing run" {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 ||
	    skip "needs root and setpriv(1) to run parx as an unprivileged user"
	chmod 777 "$T"
	# A copy nobody can reach: the tree may sit in a directory only root
	# may enter (a checkout under mktemp -d).
	pub=$(mktemp -d /tmp/parx-nice.XXXXXX)
	chmod 755 "$pub"
	cp "$PARX" "$pub/parx"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups --inh-caps=-all nice -n 2 "$pub/parx" --nice 1 \
	    touch started ::: 1
	same 255 "$status" "exit status" || { rm -rf "$pub"; return 1; }
	expect_err "parx: --nice 1: parx runs at niceness 2, and only a privileged user may go below it" ||
	    { rm -rf "$pub"; return 1; }
	[ ! -e started ] || { rm -rf "$pub"; return 1; }
	# Raising it needs no privilege.
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    --inh-caps=-all nice -n 2 "$pub/parx" --nice 4 cut -d' ' -f19 \
	    ::: /proc/self/stat
	rm -rf "$pub"
	same 0 "$status" "exit status"
	expect 4
}

# Per-job limits

@test "--limit-mem: the job's address space is limited, soft and hard" {
	run -0 parx --limit-mem 64M -c 'ulimit -v; ulimit -Hv' ::: x
	expect 65536 65536
	run -0 parx --limit-mem 1.5G -c 'ulimit -v' ::: x
	expect 1572864
}

@test "--limit-mem: a job going over it fails with its message; others succeed" {
	run -1 --separate-stderr parx -k --limit-mem 64M dd if=/dev/zero \
	    of=/dev/null count=1 bs={} ::: 1M 200M 2M
	[[ $stderr == *"memory exhausted"* ]] || {
		printf '%s\n' "$stderr" >&2
		return 1
	}
	# The two small ones copied their block.
	same 2 "$(printf '%s\n' "$stderr" | grep -c '^1+0 records out')" \
	    "jobs that succeeded"
}

@test "--limit-cpu: a busy loop is killed, says so, and the others succeed" {
	run -1 --separate-stderr parx -k --limit-cpu 1 --joblog log \
	    -c '[ {} = spin ] && while :; do :; done; echo {} ok' ::: a spin b
	expect "a ok" "b ok"
	expect_err "parx: job 2: killed by --limit-cpu after 1s"
	# Exitval -1 and Signal 24 (SIGXCPU) in the job log.
	same "2 -1 24" "$(awk -F'\t' '$1 == 2 { print $1, $7, $8 }' log)" \
	    "job log line"
}

@test "--limit-cpu: a job catching SIGXCPU is killed a CPU second later" {
	run -1 --separate-stderr parx --limit-cpu 1 --joblog log \
	    -c 'trap "echo got XCPU" XCPU; while :; do :; done' ::: x
	expect_err "parx: job 1: killed by --limit-cpu after 1s"
	same "-1 9" "$(awk -F'\t' '$1 == 1 { print $7, $8 }' log)" \
	    "job log line"
}

@test "--limit-cpu: the JSON job log and the failure summary say so too" {
	command -v python3 >/dev/null 2>&1 ||
	    skip "python3 is missing: the JSON job log is read with it"
	run -1 --separate-stderr parx -k --limit-cpu 1 --joblog log.jsonl \
	    --summary -c '[ {} = spin ] && while :; do :; done; echo {} ok' \
	    ::: a spin
	expect "a ok"
	expect_err "parx: job 2: killed by --limit-cpu after 1s" \
	    "parx: 1 of 2 jobs failed" \
	    "parx: job 2: killed by --limit-cpu after 1s: [ spin = spin ] && while :; do :; done; echo spin ok"
	same "1 0 None None
2 None SIGXCPU cpu" "$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(o["seq"], o["exit"], o["signal"], o["limit"])' log.jsonl)" \
	    "seq, exit, signal, limit"
}

@test "--limit-cpu: whole seconds, rounded up; soft and hard" {
	run -0 parx --limit-cpu 2.2 -c 'ulimit -t; ulimit -Ht' ::: x
	expect 3 4
	run -0 parx --limit-cpu 1m -c 'ulimit -t' ::: x
	expect 60
}

@test "--limit-files: soft and hard limit; never above parx's hard limit" {
	run -0 parx --limit-files 10 -c 'ulimit -n; ulimit -Hn
	    exec 9</dev/null && echo nine
	    (exec 12</dev/null) 2>/dev/null || echo twelve refused' ::: x
	expect 10 10 nine "twelve refused"
	run -0 bash -c 'ulimit -n 512 && exec "$@" 3>&-' sh "$PARX" \
	    --limit-files 100000 -c 'ulimit -n' ::: x
	expect 512
}

@test "limits and --nice together, in every output mode" {
	for mode in --group -k --lb -u; do
		run -0 parx $mode --nice 3 --limit-files 20 --limit-mem 256M \
		    --limit-cpu 30 -c 'echo $(cut -d" " -f19 /proc/self/stat) \
		    $(ulimit -n) $(ulimit -v) $(ulimit -t)' ::: x
		expect "3 20 262144 30"
	done
}

@test "limits: jobs still start with default signals and an empty mask" {
	run -0 parx --limit-files 50 --nice 1 grep -E '^Sig(Blk|Ign)' \
	    ::: /proc/self/status
	expect $'SigBlk:\t0000000000000000' $'SigIgn:\t0000000000000000'
}

# --load and --memfree

@test "--load: no job starts while the load is at or above N; then all run" {
	loadavg 5.00
	start_parx --load 2 -c 'touch started-{}; echo {}' ::: 1 2 3
	still_nothing 5
	loadavg 1.99
	finish_parx
	same 0 "$rc" "exit status"
	same "1 2 3" "$(sort out | tr '\n' ' ' | sed 's/ $//')" stdout
}

@test "--load N%: a share of the CPUs" {
	loadavg "$(ncpus).00"
	start_parx --load 100% -c 'touch started-{}' ::: 1
	still_nothing 3
	loadavg 0.50
	finish_parx
	same 0 "$rc" "exit status"
}

@test "--memfree: no job starts below SIZE; then all run" {
	meminfo 500M
	start_parx --memfree 1G -c 'touch started-{}; echo {}' ::: 1 2 3
	still_nothing 5
	meminfo 1G
	finish_parx
	same 0 "$rc" "exit status"
	same "1 2 3" "$(sort out | tr '\n' ' ' | sed 's/ $//')" stdout
}

@test "--memfree: below SIZE/2 the youngest job is killed and runs again" {
	# Job 1 starts first, job 2 half a second later: job 2 is the
	# youngest.  A killed job notes when; the jobs end once "go" exists.
	start_parx -k -j2 --delay 0.5 --memfree 1G --joblog log --results res/ -c '
	    echo x >>runs-{}; n=$(wc -l <runs-{})
	    trap "date +%s%N >killed-{}.\$n; exit 1" TERM
	    echo "{} run $n"; touch started-{}.$n
	    while [ ! -e go ]; do sleep 0.05; done; : '"$M" ::: 1 2
	waitfor started-1.1 started-2.1
	meminfo 400M
	waitfor killed-2.1
	# Nothing starts again below SIZE.
	sleep 0.3
	[ ! -e started-2.2 ]
	meminfo 2G
	waitfor started-2.2
	touch go
	finish_parx
	same 0 "$rc" "exit status"
	# If job 1 was killed as well, it was killed after job 2.
	output=$(cat out)
	if [ -e killed-1.1 ]; then
		[ "$(cat killed-1.1)" -gt "$(cat killed-2.1)" ]
		expect "1 run 2" "2 run 2"
	else
		expect "1 run 1" "2 run 2"
	fi
	# One line per job in the log, for its last run; --results the same.
	same "1 2" "$(cut -f1 log | sed 1d | sort | tr '\n' ' ' | sed 's/ $//')" \
	    "job log"
	same "1 2" "$(ls -A res | tr '\n' ' ' | sed 's/ $//')" "results entries"
	same "2 run 2" "$(cat res/2/stdout)" "results of job 2"
	[ ! -s err ]
	nothing_left
}

@test "--memfree with --pipe: the job killed runs again with its whole block" {
	# As above, with blocks of one line on the jobs' stdin: job 2 is
	# killed after it read its block, and its second run reads it again.
	printf 'line-a\nline-b\n' >in
	# (Input redirected on the command itself: a background command's
	# standard input is /dev/null otherwise.)
	PARX_PROC=$T/proc "$PARX" --pipe -N 1 -k -j2 --delay 0.5 \
	    --memfree 1G -c '
	    read -r line; echo x >>runs-$PARX_SEQ; n=$(wc -l <runs-$PARX_SEQ)
	    trap "touch killed-$PARX_SEQ.\$n; exit 1" TERM
	    touch started-$PARX_SEQ.$n
	    while [ ! -e go ]; do sleep 0.05; done
	    echo "$PARX_SEQ run $n: $line" ; : '"$M" <in >out 2>err 3>&- &
	pid=$!
	waitfor started-1.1 started-2.1
	meminfo 400M
	waitfor killed-2.1
	meminfo 2G
	waitfor started-2.2
	touch go
	finish_parx
	same 0 "$rc" "exit status"
	output=$(cat out)
	if [ -e killed-1.1 ]; then
		expect "1 run 2: line-a" "2 run 2: line-b"
	else
		expect "1 run 1: line-a" "2 run 2: line-b"
	fi
	[ ! -s err ]
	nothing_left
}

@test "--memfree larger than any machine: nothing starts until killed, cleanly" {
	"$PARX" --memfree 1000T -c 'touch started-{}' ::: 1 2 >out 2>err 3>&- &
	pid=$!
	still_nothing 10
	stop_parx TERM
	same 143 "$rc" "exit status"
	[ ! -s out ] && [ ! -s err ]
	nothing_left
	no_tmpfiles
}

@test "--load below any load average: nothing starts until killed, cleanly" {
	read -r load _ </proc/loadavg
	[ "$load" != 0.00 ] ||
	    skip "the load average is 0.00: nothing would be held back"
	"$PARX" --load 0.001 -c 'touch started-{}' ::: 1 2 >out 2>err 3>&- &
	pid=$!
	still_nothing 10
	stop_parx HUP
	same 129 "$rc" "exit status"
	[ ! -s out ] && [ ! -s err ]
	nothing_left
	no_tmpfiles
}

@test "--memfree: a job waiting for memory, then parx interrupted: no joblog line" {
	meminfo 100M
	start_parx --memfree 1G --joblog log -c 'touch started-{}' ::: 1
	still_nothing 3
	stop_parx TERM
	same 143 "$rc" "exit status"
	same 1 "$(wc -l <log | tr -d ' ')" "lines in the job log (header)"
}

# Bad input

@test "bad resource options are usage errors, and nothing runs" {
	for args in "--nice 20" "--nice -21" "--nice x" "--nice 1.5" \
	    "--load 0" "--load -1" "--load x" "--load 0%" "--load 1e3" \
	    "--memfree 0" "--memfree 1X" "--memfree -5M" "--memfree 1MB" \
	    "--memfree ''" "--limit-mem 100k" "--limit-mem 1Q" \
	    "--limit-mem 0" "--limit-cpu 0" "--limit-cpu x" \
	    "--limit-cpu -1" "--limit-files 2" "--limit-files 3" \
	    "--limit-files -1" "--limit-files x" "--retry-delay x" \
	    "--retry-delay 1s,500ms" "--retry-delay 1s," "--retry-on foo" \
	    "--retry-on 0" "--retry-on 256" "--retry-on 5-3" \
	    "--retry-on 1,,2" "--retry-on ''" "--retry-on 3-" \
	    "--retry-on timeout,sig"; do
		eval "set -- $args"
		run --separate-stderr parx "$@" touch started ::: 1
		usage_error || {
			echo "for: $args" >&2
			return 1
		}
		[ ! -e started ]
	done
}

@test "--memfree with --round-robin is a usage error (a job's input is not kept)" {
	run --separate-stderr parx --pipe --round-robin --memfree 1G cat </dev/null
	usage_error
	same "parx: --round-robin cannot be used with --memfree (a job's input is not kept)" \
	    "${stderr_lines[0]}" "message"
}

@test "usage errors name the option and the value" {
	run --separate-stderr parx --limit-files 2 true ::: 1
	usage_error
	[[ ${stderr_lines[0]} == *--limit-files*2* ]]
	run --separate-stderr parx --retry-on 1,bogus true ::: 1
	usage_error
	[[ ${stderr_lines[0]} == *--retry-on*bogus* ]]
	run --separate-stderr parx --memfree 12X true ::: 1
	usage_error
	[[ ${stderr_lines[0]} == *--memfree*12X* ]]
}
