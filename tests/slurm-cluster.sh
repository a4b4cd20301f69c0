#!/usr/bin/env bash
# slurm-cluster.sh - a single-node Slurm cluster on 127.0.0.1 for
# tests/slurm.bats and bench/slurm.sh, everything of it under one
# directory, stopped by PID.
#
#   slurm-cluster.sh start DIR [CPUS]   starts munged, slurmctld and slurmd;
#                                       waits until the node is idle
#   slurm-cluster.sh stop DIR           cancels what runs, stops the
#                                       daemons and every step daemon left
#   slurm-cluster.sh env DIR            prints the variables the clients
#                                       need (eval it)
#
# DIR holds the munge key, socket and logs, slurm.conf, the controller's
# state and the node's spool.  The clients find the cluster through
# SLURM_CONF=DIR/slurm.conf; munge through AuthInfo=socket=... in it, so
# the machine's own munge and Slurm (if any) are not touched.  Ports are
# picked free at random, so several clusters can run at once.  The node is
# this machine under its short host name, with CPUS CPUs (default 4: more
# than this machine may have, so that steps can wait for each other;
# SlurmdParameters=config_overrides lets the node register with them).
# Exits 1 saying why when a program is missing or a daemon does not start.
set -u

die()
{
	echo "slurm-cluster: $*" >&2
	exit 1
}

# A free TCP port on 127.0.0.1, or nothing.
free_port()
{
	_t=0
	while [ $_t -lt 50 ]; do
		_t=$((_t + 1))
		_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		if ! (exec 9<>"/dev/tcp/127.0.0.1/$_p") 2>/dev/null &&
		    ! grep -qi ":$(printf '%04X' "$_p") " /proc/net/tcp \
		    2>/dev/null; then
			echo "$_p"
			return 0
		fi
	done
	return 1
}

# Waits up to $2 tenths of a second for command $1 to succeed.
wait_for()
{
	_n=0
	while ! eval "$1" >/dev/null 2>&1; do
		_n=$((_n + 1))
		[ $_n -lt "$2" ] || return 1
		sleep 0.1
	done
}

# PIDs of the processes that have a file open under DIR (the step
# daemons hold their sockets in the spool directory).
pids_under()
{
	for _d in /proc/[0-9]*; do
		_pid=${_d#/proc/}
		[ "$_pid" != $$ ] || continue
		for _f in "$_d"/fd/*; do
			case $(readlink "$_f" 2>/dev/null) in
			"$1"/*)
				echo "$_pid"
				break
				;;
			esac
		done
	done
}

# Stops the daemon whose PID file is $1: TERM, then KILL after 5 s.
stop_pidfile()
{
	[ -s "$1" ] || return 0
	_pid=$(cat "$1")
	kill -TERM "$_pid" 2>/dev/null || { rm -f "$1"; return 0; }
	_n=0
	while kill -0 "$_pid" 2>/dev/null; do
		_n=$((_n + 1))
		if [ $_n -ge 50 ]; then
			kill -KILL "$_pid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	rm -f "$1"
}

cluster_env()
{
	echo "SLURM_CONF='$1/slurm.conf'; export SLURM_CONF"
}

start()
{
	dir=$1
	cpus=${2:-4}
	for p in munged slurmctld slurmd srun sbatch squeue scancel sinfo \
	    scontrol; do
		command -v "$p" >/dev/null 2>&1 ||
		    PATH=$PATH:/usr/sbin command -v "$p" >/dev/null 2>&1 ||
		    die "$p is not installed (apt-get install slurm-wlm munge)"
	done
	PATH=$PATH:/usr/sbin
	[ "$(id -u)" = 0 ] || die "the test cluster must be started as root"
	mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" ||
	    die "cannot make $dir"
	dir=$(cd "$dir" && pwd -P)
	chmod 700 "$dir/munge"
	host=$(hostname -s)
	user=$(id -un)

	# munge: its own key and socket, run as the munge user when there is
	# one (munged will not run as root without --force).
	dd if=/dev/urandom of="$dir/munge/key" bs=1024 count=1 2>/dev/null
	chmod 400 "$dir/munge/key"
	mu=root
	if id munge >/dev/null 2>&1; then
		mu=munge
		chown -R munge "$dir/munge"
		# munged checks that the socket's directory is safe.
		chmod 755 "$dir/munge"
	fi
	chmod 755 "$dir"
	if [ $mu = munge ]; then
		setpriv --reuid=munge --regid="$(id -g munge)" --clear-groups \
		    munged --socket="$dir/munge/sock" \
		    --key-file="$dir/munge/key" \
		    --pid-file="$dir/munge/munged.pid" \
		    --log-file="$dir/munge/munged.log" \
		    --seed-file="$dir/munge/seed" </dev/null >/dev/null 2>&1 9>&- 3>&-
	else
		munged --force --socket="$dir/munge/sock" \
		    --key-file="$dir/munge/key" \
		    --pid-file="$dir/munge/munged.pid" \
		    --log-file="$dir/munge/munged.log" \
		    --seed-file="$dir/munge/seed" </dev/null >/dev/null 2>&1 9>&- 3>&-
	fi
	wait_for "[ -S '$dir/munge/sock' ] && [ -s '$dir/munge/munged.pid' ]" \
	    50 || die "munged did not start: $(tail -3 "$dir/munge/munged.log")"

	cport=$(free_port) && dport=$(free_port) ||
	    die "no free port on 127.0.0.1"
	cat >"$dir/slurm.conf" <<EOF
ClusterName=parxtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=$user
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=10
KillWait=2
MessageTimeout=5
TmpFS=$dir/spool
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1 State=UNKNOWN
PartitionName=parx Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
	SLURM_CONF=$dir/slurm.conf
	export SLURM_CONF
	slurmctld -f "$SLURM_CONF" -i </dev/null >"$dir/log/slurmctld.out" \
	    2>&1 9>&- 3>&- ||
	    die "slurmctld did not start: $(tail -3 "$dir/log/slurmctld.out")"
	slurmd -f "$SLURM_CONF" -N "$host" </dev/null \
	    >"$dir/log/slurmd.out" 2>&1 9>&- 3>&- ||
	    die "slurmd did not start: $(tail -3 "$dir/log/slurmd.out")"
	if ! wait_for "sinfo -h -N -o %t | grep -qx idle" 300; then
		echo "slurm-cluster: the node did not become idle:" >&2
		sinfo -N >&2
		tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2
		stop "$dir"
		exit 1
	fi
}

stop()
{
	dir=$1
	[ -d "$dir" ] || return 0
	PATH=$PATH:/usr/sbin
	SLURM_CONF=$dir/slurm.conf
	export SLURM_CONF
	if [ -s "$dir/slurmctld.pid" ] &&
	    kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
		scancel --quiet --full -u "$(id -un)" 2>/dev/null
		wait_for "[ -z \"\$(squeue -h -o %i 2>/dev/null)\" ]" 50
	fi
	stop_pidfile "$dir/slurmd.pid"
	stop_pidfile "$dir/slurmctld.pid"
	for pid in $(pids_under "$dir/spool"); do
		kill -KILL "$pid" 2>/dev/null
	done
	stop_pidfile "$dir/munge/munged.pid"
}

case ${1:-} in
start)
	[ $# -ge 2 ] || die "usage: slurm-cluster.sh start DIR [CPUS]"
	start "$2" "${3:-}"
	;;
stop)
	[ $# -ge 2 ] || die "usage: slurm-cluster.sh stop DIR"
	stop "$2"
	;;
env)
	[ $# -ge 2 ] || die "usage: slurm-cluster.sh env DIR"
	cluster_env "$(cd "$2" && pwd -P)"
	;;
*)
	die "usage: slurm-cluster.sh start|stop|env DIR"
	;;
esac
