# sshd-helper.sh - real OpenSSH servers on 127.0.0.1 as "hosts", for
# tests/ssh.bats and bench/ssh.sh.  POSIX sh; source it.
#
#   sshd_init DIR      makes keys and a client config in DIR; sets SSH_CMD
#                      (for --ssh) and SSHD_DIR.  Returns 1 (saying why)
#                      when sshd, ssh or ssh-keygen is missing.
#   sshd_start NAME    starts a server on a free high port; its sessions get
#                      PARX_TEST_HOST=NAME and TMPDIR=DIR/tmp-NAME.  Sets
#                      LOGIN (127.0.0.1:PORT); sshd_login NAME says it
#                      again.
#   sshd_stop NAME     stops the server and every process under it, by PID
#   sshd_freeze NAME   kill -STOP the server (new connections hang)
#   sshd_thaw NAME     kill -CONT
#   sshd_stop_all      stops every server sshd_start started
#
# The servers run with UsePAM no and StrictModes no, accept the key made
# here only, and allow many sessions and unauthenticated connections at
# once.  SetEnv SHLVL=1 keeps bash from reading ~/.bashrc for each session
# (bash reads it when run by sshd at shell level 1), so that what the
# tests and the benchmark time is ssh and parx, not the login's rc files.

SSHD=${SSHD:-/usr/sbin/sshd}

sshd_init()
{
	SSHD_DIR=$1
	for _sshd_t in "$SSHD" ssh ssh-keygen; do
		if ! command -v "$_sshd_t" >/dev/null 2>&1; then
			echo "$_sshd_t is not installed (apt-get install" \
			    "openssh-server openssh-client)"
			return 1
		fi
	done
	mkdir -p "$SSHD_DIR" || return 1
	chmod 700 "$SSHD_DIR"
	if [ ! -f "$SSHD_DIR/id" ]; then
		ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/hostkey" &&
		    ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/id" &&
		    cp "$SSHD_DIR/id.pub" "$SSHD_DIR/authorized_keys" ||
		    return 1
	fi
	# sshd wants its privilege separation directory.
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 755 /run/sshd
	fi
	cat >"$SSHD_DIR/ssh_config" <<EOF
Host *
	IdentityFile $SSHD_DIR/id
	IdentitiesOnly yes
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	GlobalKnownHostsFile /dev/null
	LogLevel ERROR
	BatchMode yes
	ConnectTimeout 3
EOF
	SSH_CMD="ssh -F $SSHD_DIR/ssh_config"
	export SSHD_DIR SSH_CMD
}

sshd_start()
{
	_sshd_name=$1
	_sshd_tries=0
	while [ $_sshd_tries -lt 20 ]; do
		_sshd_tries=$((_sshd_tries + 1))
		_sshd_port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		cat >"$SSHD_DIR/$_sshd_name.conf" <<EOF
Port $_sshd_port
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/hostkey
AuthorizedKeysFile $SSHD_DIR/authorized_keys
PidFile none
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 200
MaxSessions 200
SetEnv PARX_TEST_HOST=$_sshd_name SHLVL=1 TMPDIR=$SSHD_DIR/tmp-$_sshd_name
LogLevel ERROR
EOF
		mkdir -p "$SSHD_DIR/tmp-$_sshd_name"
		"$SSHD" -D -e -f "$SSHD_DIR/$_sshd_name.conf" \
		    >"$SSHD_DIR/$_sshd_name.log" 2>&1 3>&- 4>&- 5>&- &
		_sshd_pid=$!
		echo "$_sshd_pid" >"$SSHD_DIR/$_sshd_name.pid"
		echo "$_sshd_port" >"$SSHD_DIR/$_sshd_name.port"
		_sshd_i=0
		while [ $_sshd_i -lt 100 ]; do
			if ! kill -0 "$_sshd_pid" 2>/dev/null; then
				break	# the port was taken: another one
			fi
			if $SSH_CMD -p "$_sshd_port" 127.0.0.1 true </dev/null \
			    >/dev/null 2>&1; then
				LOGIN=127.0.0.1:$_sshd_port
				return 0
			fi
			sleep 0.1
			_sshd_i=$((_sshd_i + 1))
		done
		kill "$_sshd_pid" 2>/dev/null || :
		wait "$_sshd_pid" 2>/dev/null || :
	done
	echo "cannot start sshd: $(cat "$SSHD_DIR/$_sshd_name.log")"
	return 1
}

sshd_login()
{
	echo "127.0.0.1:$(cat "$SSHD_DIR/$1.port")"
}

# The PIDs of the processes under PID $1 (its children, theirs, ...).
sshd_tree()
{
	_sshd_kids=$(ps -eo pid=,ppid= | awk -v p="$1" '$2 == p { print $1 }')
	for _sshd_k in $_sshd_kids; do
		echo "$_sshd_k"
		sshd_tree "$_sshd_k"
	done
}

sshd_stop()
{
	[ -f "$SSHD_DIR/$1.pid" ] || return 0
	_sshd_pid=$(cat "$SSHD_DIR/$1.pid")
	kill -CONT "$_sshd_pid" 2>/dev/null || :
	for _sshd_p in $_sshd_pid $(sshd_tree "$_sshd_pid"); do
		kill -KILL "$_sshd_p" 2>/dev/null || :
	done
	wait "$_sshd_pid" 2>/dev/null || :
	rm -f "$SSHD_DIR/$1.pid"
}

sshd_freeze()
{
	kill -STOP "$(cat "$SSHD_DIR/$1.pid")"
}

sshd_thaw()
{
	kill -CONT "$(cat "$SSHD_DIR/$1.pid")"
}

sshd_stop_all()
{
	for _sshd_f in "$SSHD_DIR"/*.pid; do
		[ -f "$_sshd_f" ] || continue
		_sshd_n=${_sshd_f##*/}
		sshd_stop "${_sshd_n%.pid}"
	done
}
