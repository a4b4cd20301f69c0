#!/usr/bin/env bats
# slurm.bats - jobs on a Slurm cluster (--slurm; SPEC 11.6) against a real
# single-node Slurm (slurmctld, slurmd and munged on 127.0.0.1, started
# for this file by tests/slurm-cluster.sh and stopped by PID): jobs as job
# steps inside an allocation, outputs, exit statuses, the joblog's Host,
# slots, --retries, steps cancelled by --timeout, --halt, SIGINT and a
# closed stdout with nothing left, and what happens without Slurm.  See
# tests/README.md.

load helpers

setup_file()
{
	local why
	if [ "$(id -u)" != 0 ]; then
		export SLURM_SKIP="the test cluster needs root (slurmd)"
		return 0
	fi
	for p in munged slurmctld slurmd srun salloc sbatch squeue scancel; do
		if ! command -v "$p" >/dev/null 2>&1 &&
		    ! [ -x "/usr/sbin/$p" ]; then
			export SLURM_SKIP="$p is not installed (apt-get install slurm-wlm munge)"
			return 0
		fi
	done
	# Short: the munge socket's path must fit a sockaddr_un.
	SLURM_DIR=$(mktemp -d /tmp/parx-slurm.XXXXXX)
	export SLURM_DIR
	why=$("$BATS_TEST_DIRNAME/slurm-cluster.sh" start "$SLURM_DIR" 4 2>&1 \
	    3>&-) || {
		echo "$why" >&2
		return 1
	}
}

teardown_file()
{
	if [ -n "${SLURM_DIR:-}" ]; then
		"$BATS_TEST_DIRNAME/slurm-cluster.sh" stop "$SLURM_DIR" 3>&-
		rm -rf "$SLURM_DIR"
	fi
}

setup()
{
	marker_setup
	pid=
	[ -z "${SLURM_SKIP:-}" ] || skip "$SLURM_SKIP"
	SLURM_CONF=$SLURM_DIR/slurm.conf
	NODE=$(hostname -s)
	export SLURM_CONF NODE
}

teardown()
{
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	marker_teardown
}

# sparx N ARG...: parx --slurm ARG... in an allocation of N tasks.
sparx()
{
	local n=$1
	shift
	salloc -n"$n" --quiet "$PARX" --slurm "$@" 3>&-
}

# inalloc N SCRIPT: runs SCRIPT with bash in an allocation of N tasks;
# $PARX and $M are in its environment.
inalloc()
{
	PARX=$PARX M=$M salloc -n"$1" --quiet bash -c "$2" 3>&-
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

# What the allocation's step list said after parx ended: no step of parx.
nosteps()
{
	same "" "$(grep '^parx\.' steps || true)" "steps left"
}

@test "jobs run as steps: outputs apart, in order with -k, exit statuses" {
	run -2 --separate-stderr sparx 4 -k sh -c \
	    'echo out $1; echo err $1 >&2; exit $1' sh ::: 0 1 2 0
	expect "out 0" "out 1" "out 2" "out 0"
	run sort <<<"$stderr"
	expect "err 0" "err 0" "err 1" "err 2"
}

@test "items verbatim; PARX_SEQ and the step's own Slurm variables" {
	run -0 sparx 2 -k sh -c \
	    'printf "%s|%s|%s|%s\n" "$1" "$PARX_SEQ" "$SLURM_STEP_ID" \
	    "$SLURM_CPUS_PER_TASK"' sh ::: 'a b' "it's" '$(x)' '*'
	[ "${#lines[@]}" = 4 ]
	[[ ${lines[0]} == "a b|1|"[0-9]*"|1" ]]
	[[ ${lines[1]} == "it's|2|"[0-9]*"|1" ]]
	[[ ${lines[2]} == '$(x)|3|'[0-9]*"|1" ]]
	[[ ${lines[3]} == '*|4|'[0-9]*"|1" ]]
	# Every job was a step of its own.
	run sh -c "printf '%s\n' \"\$1\" | cut -d'|' -f3 | sort -u | wc -l" \
	    sh "$output"
	expect 4
}

@test "--tag, the joblog's Host is the node, --slurm-cpus" {
	run -0 sparx 4 --tag --slurm-cpus 2 -j 2 --joblog log -k \
	    sh -c 'echo $SLURM_CPUS_PER_TASK' ::: x y
	expect "x	2" "y	2"
	run sh -c 'cut -f 1,2,7,8 log | sort'
	expect "1	$NODE	0	0" "2	$NODE	0	0" "Seq	Host	Exitval	Signal"
}

@test "slots are the allocation's tasks; -j overrides" {
	run -0 sparx 2 sh -c 'echo $PARX_SLOT; sleep 0.3' ::: 1 2 3 4 5 6
	run sort -u <<<"$output"
	expect 1 2
	run -0 sparx 3 -j 1 sh -c 'echo $PARX_SLOT' ::: 1 2 3
	expect 1 1 1
}

@test "a job's exit status and a signal, as srun gives them" {
	run -2 sparx 2 --joblog log -c \
	    'if [ {} = KILL ]; then kill -KILL $$; fi; exit {}' ::: 3 0 KILL
	run sh -c 'tail -n +2 log | cut -f 1,7,8 | sort'
	expect "1	3	0" "2	0	0" "3	137	0"
}

@test "--retries run the job again as a new step; one joblog line" {
	run -0 --separate-stderr sparx 2 --retries 2 --joblog log -c \
	    'n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) >count
	    echo try $n; [ "$n" = 2 ]' ::: x
	expect "try 2"
	run cut -f 1,2,7 log
	expect "Seq	Host	Exitval" "1	$NODE	0"
}

@test "--timeout cancels the step: nothing left on the node" {
	run -0 inalloc 2 '"$PARX" --slurm --timeout 1 -c \
	    "trap \"\" TERM INT; sleep 1000.$M & sleep 1001.$M" ::: 1 \
	    >out 2>err; echo $? >rc
	    squeue -h --steps -j "$SLURM_JOB_ID" -o %j >steps'
	same 1 "$(cat rc)" "exit status"
	same "" "$(cat out)" stdout
	grep -qx "parx: job 1: timed out after 1s" err
	nosteps
	gone
}

@test "SIGINT cancels the steps: exit 130, nothing left" {
	env --default-signal=INT true 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
	inalloc 4 'echo $$ >shell
	    env --default-signal=INT "$PARX" --slurm -c "echo out-{}
	    touch started-{}; trap \"\" INT; sleep 1000.$M & sleep 1001.$M" \
	    ::: 1 2 3 >out 2>err & p=$!; echo $p >pid
	    wait $p; echo $? >rc
	    squeue -h --steps -j "$SLURM_JOB_ID" -o %j >steps' &
	pid=$!
	waitfor started-1 started-2 started-3 pid
	kill -INT "$(cat pid)"
	wait "$pid"
	pid=
	same 130 "$(cat rc)" "exit status"
	run sort out
	expect out-1 out-2 out-3
	nosteps
	gone
}

@test "--halt now and a closed stdout cancel the other steps" {
	run -0 inalloc 3 '"$PARX" --slurm --halt now,fail=1 -c \
	    "if [ {} = 1 ]; then sleep 1; exit 4; fi; sleep 1000.$M" \
	    ::: 1 2 3 >out 2>err; echo $? >rc
	    squeue -h --steps -j "$SLURM_JOB_ID" -o %j >steps'
	same 4 "$(cat rc)" "exit status"
	nosteps
	gone
	run -0 inalloc 2 '"$PARX" --slurm --lb -c "echo {}; sleep 1000.$M" \
	    ::: 1 2 | head -1 >out; echo ${PIPESTATUS[0]} >rc
	    squeue -h --steps -j "$SLURM_JOB_ID" -o %j >steps'
	same 141 "$(cat rc)" "exit status"
	nosteps
	gone
}

@test "no allocation, no srun, too many CPUs, no answer: one message, 255" {
	run -255 --separate-stderr parx --slurm touch ran ::: 1
	expect_err "parx: --slurm: not inside a Slurm allocation (SLURM_JOB_ID is not set): run parx under salloc or in an sbatch script"
	mkdir nobin
	ln -s "$(command -v salloc)" nobin/salloc
	ln -s "$(command -v env)" nobin/env
	run -255 --separate-stderr salloc -n1 --quiet env PATH="$PWD/nobin" \
	    "$PARX" --slurm touch ran ::: 1
	expect_err "parx: --slurm: srun is not in PATH (is Slurm installed?)"
	run -255 --separate-stderr sparx 2 --slurm-cpus 3 touch ran ::: 1
	expect_err "parx: --slurm-cpus 3: the allocation has at most 2 CPUs on a node"
	# --dry-run runs nothing, so it needs no allocation.
	run -0 parx --slurm --dry-run touch ran ::: 1
	expect "touch ran 1"
	# A controller that does not answer.
	sed 's/^SlurmctldPort=.*/SlurmctldPort=1/' "$SLURM_CONF" >dead.conf
	run -255 --separate-stderr env SLURM_CONF="$PWD/dead.conf" \
	    SLURM_JOB_ID=1 SLURM_JOB_NODELIST="$NODE" timeout 120 \
	    "$PARX" --slurm touch ran ::: 1
	[ "${#stderr_lines[@]}" = 1 ]
	[[ $stderr == "parx: --slurm: Slurm does not answer for job 1 ("* ]]
	[ ! -e ran ]
	expect ""
}

@test "usage errors: --slurm-cpus; --slurm with -S, --pipe, --nice" {
	run -255 --separate-stderr parx --slurm-cpus 2 echo ::: 1
	usage_error
	expect_err "parx: --slurm-cpus needs --slurm or --slurm-submit" \
	    "Try 'parx --help' for more information."
	run -255 --separate-stderr parx --slurm --slurm-cpus 0 echo ::: 1
	usage_error
	run -255 --separate-stderr parx --slurm -S : echo ::: 1
	usage_error
	expect_err "parx: --slurm cannot be combined with -S or --slf" \
	    "Try 'parx --help' for more information."
	run -255 --separate-stderr parx --slurm --pipe cat
	usage_error
	expect_err "parx: --pipe cannot be combined with --slurm" \
	    "Try 'parx --help' for more information."
	run -255 --separate-stderr parx --slurm-submit --pipe-part -a /dev/null cat
	usage_error
	run -255 --separate-stderr parx --slurm --nice 5 echo ::: 1
	usage_error
	expect_err "parx: --nice cannot be combined with --slurm (it acts on the processes here)" \
	    "Try 'parx --help' for more information."
}

# What the queue holds of parx's arrays (job name parx).
arrays()
{
	squeue -h -n parx -o %i
}

@test "--slurm-submit: an array job; -k, joblog, exit status, nothing left" {
	run -2 --separate-stderr parx --slurm-submit --slurm-chunk 2 -k \
	    --joblog log sh -c 'echo out $1; echo err $1 >&2; exit $1' sh \
	    ::: 0 1 0 2 0
	expect "out 0" "out 1" "out 0" "out 2" "out 0"
	run sort <<<"$stderr"
	expect "err 0" "err 0" "err 0" "err 1" "err 2"
	run cut -f 1,2,7,8,9 log
	expect "Seq	Host	Exitval	Signal	Command" \
	    "1	$NODE	0	0	sh -c 'echo out \$1; echo err \$1 >&2; exit \$1' sh 0" \
	    "2	$NODE	1	0	sh -c 'echo out \$1; echo err \$1 >&2; exit \$1' sh 1" \
	    "3	$NODE	0	0	sh -c 'echo out \$1; echo err \$1 >&2; exit \$1' sh 0" \
	    "4	$NODE	2	0	sh -c 'echo out \$1; echo err \$1 >&2; exit \$1' sh 2" \
	    "5	$NODE	0	0	sh -c 'echo out \$1; echo err \$1 >&2; exit \$1' sh 0"
	same "" "$(ls -d parx.* 2>/dev/null || true)" "run directory left"
	same "" "$(arrays)" "arrays left"
}

@test "--slurm-submit: stdin, --tag, --bar, PARX_SEQ, --slurm-dir, --slurm-keep" {
	mkdir runs
	run -0 --separate-stderr parx --slurm-submit --slurm-dir runs \
	    --slurm-keep --tag -k --bar -c 'echo "$1 $PARX_SEQ"' < \
	    <(printf '%s\n' 'a b' "it's" '$(x)')
	expect "a b	a b 1" "it's	it's 2" '$(x)	$(x) 3'
	[[ ${stderr_lines[-1]} == "parx: --slurm-keep: the run is in $PWD/runs/parx."* ]]
	[[ ${stderr_lines[-2]} == "parx: 3/3 100% "* ]]
	[ -f runs/parx.*/job.sh ] && [ -f runs/parx.*/done.0 ]
	run -0 parx --slurm-submit --slurm-dir runs echo ::: x
	expect x
	same 1 "$(ls runs | wc -l)" "run directories"
}

@test "--slurm-submit: Ctrl-C cancels the array; --resume runs what did not finish" {
	env --default-signal=INT true 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
	cmd='if [ {} -ge 3 ] && [ ! -e go ]; then touch started-{}
	    sleep 1000.$M; fi; echo done {}'
	env --default-signal=INT "$PARX" --slurm-submit --slurm-chunk 2 -k \
	    --joblog log -c "$cmd" ::: 1 2 3 4 5 >out 2>err 3>&- &
	pid=$!
	waitfor started-3 started-5
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	pid=
	same 130 "$rc" "exit status"
	run cat out
	expect "done 1" "done 2"
	same "" "$(arrays)" "arrays left"
	gone
	run cut -f 1,7 log
	expect "Seq	Exitval" "1	0" "2	0"
	touch go
	run -0 parx --slurm-submit --slurm-chunk 2 -k --joblog log --resume \
	    -c "$cmd" ::: 1 2 3 4 5
	expect "done 3" "done 4" "done 5"
	run cut -f 1,7 log
	expect "Seq	Exitval" "1	0" "2	0" "3	0" "4	0" "5	0"
}

@test "--slurm-submit: jobs of a task that died fail, with no joblog line" {
	run -2 --separate-stderr parx --slurm-submit --slurm-chunk 2 -k \
	    --joblog log -c 'if [ {} = 3 ]; then kill -KILL $PPID; fi
	    echo {}' ::: 1 2 3 4 5
	expect 1 2 5
	[ "${#stderr_lines[@]}" = 2 ]
	[[ ${stderr_lines[0]} == "parx: job 3: did not finish: array task "*"_1 ended without its result"* ]]
	[[ ${stderr_lines[1]} == "parx: job 4: did not finish: array task "*"_1 ended without its result"* ]]
	run cut -f 1 log
	expect Seq 1 2 5
}

@test "--slurm-submit without sbatch, or sbatch refusing: one message, 255" {
	mkdir nobin
	run -255 --separate-stderr env PATH="$PWD/nobin" "$PARX" \
	    --slurm-submit touch ran ::: 1
	expect_err "parx: --slurm-submit: sbatch is not in PATH (is Slurm installed?)"
	run -255 --separate-stderr parx --slurm-submit --slurm-opts \
	    '--no-such-option' touch ran ::: 1
	[ "${#stderr_lines[@]}" = 1 ]
	[[ $stderr == "parx: --slurm-submit: sbatch failed: "* ]]
	[ ! -e ran ]
	same "" "$(ls -d parx.* 2>/dev/null || true)" "run directory left"
	for o in --slurm-opts=-p --slurm-dir=. --slurm-chunk=2 --slurm-keep; do
		run -255 --separate-stderr parx "$o" echo ::: 1
		usage_error
		expect_err "parx: ${o%%=*} needs --slurm-submit" \
		    "Try 'parx --help' for more information."
	done
	run -255 --separate-stderr parx --slurm-submit --slurm-chunk 0 \
	    echo ::: 1
	usage_error
	run -255 --separate-stderr parx --slurm-submit --slurm echo ::: 1
	usage_error
}
