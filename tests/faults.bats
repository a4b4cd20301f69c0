#!/usr/bin/env bats
# Faults around parx: a full or unusable $TMPDIR, an unwritable joblog,
# jobs that close their stdout early or leave a daemon holding it, -j above
# the process limit, a 10 MB input line, binary input and invalid UTF-8
# (SPEC 1, 3, 4, 6, 7, 10).  Tests that need root for a private mount
# namespace (unshare -m) or another user (setpriv) skip with the reason
# when that is not available.

load helpers

teardown()
{
	local p
	for p in "$T"/*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	return 0
}

# can_mount: root with unshare(1) and a tmpfs in a private mount namespace.
can_mount()
{
	[ "$(id -u)" = 0 ] || return 1
	command -v unshare >/dev/null 2>&1 || return 1
	mkdir -p "$T/probe"
	unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh \
	    "$T/probe" 2>/dev/null
}

need_mount()
{
	can_mount || skip "needs root and unshare -m to mount a small tmpfs"
}

# in_tmpfs SIZE OPTS DIR PREP COMMAND...: runs COMMAND with DIR a fresh
# tmpfs of SIZE (mount options OPTS, e.g. ro) in a private mount
# namespace, after the shell snippet PREP has run in DIR.
in_tmpfs()
{
	local size=$1 mopts=$2 dir=$3 prep=$4
	shift 4
	mkdir -p "$dir"
	unshare -m sh -c '
		size=$1 mopts=$2 dir=$3 prep=$4
		shift 4
		mount -t tmpfs -o "size=$size" tmpfs "$dir" || exit 99
		(cd "$dir" && eval "$prep") || exit 98
		if [ -n "$mopts" ]; then
			mount -o "remount,$mopts" "$dir" || exit 97
		fi
		exec "$@"' sh "$size" "$mopts" "$dir" "$prep" "$@" 3>&-
}

# The job that makes parx spill: job 1 is slow, so under -k job 2's
# 5 MB wait in a spill file in $TMPDIR.
spill_job='if [ {} = 1 ]; then sleepecho 0.5 first; else bytes 5000000 2; fi'

want_spill()
{
	{ echo first; bytes 5000000 2; } | cksum
}

@test "TMPDIR on a full filesystem: output kept in memory, job named" {
	need_mount
	want=$(want_spill)
	in_tmpfs 1m "" "$T/full" : env TMPDIR="$T/full" "$PARX" -k -j2 \
	    -c "$spill_job" ::: 1 2 >"$T/out" 2>"$T/err" || true
	same "$want" "$(cksum <"$T/out")" "cksum of the output"
	same "parx: job 2: cannot spill output to \$TMPDIR (No space left on device); kept it in memory" \
	    "$(cat "$T/err")" stderr
}

@test "TMPDIR on a read-only filesystem: output kept in memory, job named" {
	need_mount
	want=$(want_spill)
	in_tmpfs 1m ro "$T/ro" : env TMPDIR="$T/ro" "$PARX" -k -j2 \
	    -c "$spill_job" ::: 1 2 >"$T/out" 2>"$T/err" || true
	same "$want" "$(cksum <"$T/out")" "cksum of the output"
	same "parx: job 2: cannot spill output to \$TMPDIR (Read-only file system); kept it in memory" \
	    "$(cat "$T/err")" stderr
}

@test "TMPDIR that does not exist: output kept in memory, job named" {
	want=$(want_spill)
	TMPDIR=$T/nonexistent parx -k -j2 -c "$spill_job" ::: 1 2 \
	    >"$T/out" 2>"$T/err" || true
	same "$want" "$(cksum <"$T/out")" "cksum of the output"
	same "parx: job 2: cannot spill output to \$TMPDIR (No such file or directory); kept it in memory" \
	    "$(cat "$T/err")" stderr
}

@test "TMPDIR unusable: results waiting under -k are not lost" {
	# 60 results of 40 KB wait behind a slow first job: more than the
	# collector keeps in memory, and its hold file cannot be made.
	for i in $(seq 2 61); do bytes 40000 "$i"; done >"$T/tail"
	want=$({ echo first; cat "$T/tail"; } | cksum)
	TMPDIR=$T/nonexistent parx -k -j4 \
	    -c 'if [ {} = 1 ]; then sleepecho 1 first; else bytes 40000 {}; fi' \
	    ::: $(seq 61) >"$T/out" 2>"$T/err"
	same "$want" "$(cksum <"$T/out")" "cksum of the output"
}

@test "--joblog that is a directory: exit 255, nothing run" {
	mkdir "$T/logdir"
	run --separate-stderr parx --joblog "$T/logdir" touch "$T/ran" ::: 1
	same 255 "$status" "exit status"
	expect_err "parx: cannot open joblog $T/logdir: Is a directory"
	[ ! -e "$T/ran" ]
}

@test "--joblog in a missing directory or on /dev/full: exit 255" {
	run --separate-stderr parx --joblog "$T/no/such/log" touch "$T/ran" ::: 1
	same 255 "$status" "exit status"
	expect_err "parx: cannot open joblog $T/no/such/log: No such file or directory"
	if [ -w /dev/full ]; then
		run --separate-stderr parx --joblog /dev/full touch "$T/ran" ::: 1
		same 255 "$status" "exit status"
		expect_err "parx: cannot open joblog /dev/full: No space left on device"
	fi
	[ ! -e "$T/ran" ]
}

@test "--joblog on a read-only filesystem: exit 255, nothing run" {
	need_mount
	run --separate-stderr in_tmpfs 64k ro "$T/rolog" \
	    'printf "Seq\tHost\n" >log' "$PARX" --joblog "$T/rolog/log" \
	    touch "$T/ran" ::: 1
	same 255 "$status" "exit status"
	expect_err "parx: cannot open joblog $T/rolog/log: Read-only file system"
	[ ! -e "$T/ran" ]
}

@test "--joblog filling its filesystem: one warning, every job's output" {
	need_mount
	seq 200 | in_tmpfs 64k "" "$T/small" \
	    'head -c 60000 /dev/zero >fill' "$PARX" --joblog "$T/small/log" \
	    -j2 echo >"$T/out" 2>"$T/err" || true
	same "$(seq 200)" "$(sort -n "$T/out")" "job output"
	same "parx: cannot write joblog $T/small/log: No space left on device" \
	    "$(cat "$T/err")" stderr
}

@test "a job that closes its stdout early" {
	run -0 --separate-stderr parx -k \
	    -c 'echo a {}; exec >&-; sleep 0.2; echo b {} >&2' ::: 1 2
	expect "a 1" "a 2"
	expect_err "b 1" "b 2"
	run -0 --separate-stderr parx --lb \
	    -c 'echo a; exec >&-; sleep 0.2; echo b >&2' ::: 1
	expect a
	expect_err b
}

@test "a job that closes stdout and stderr is still waited for" {
	start=$SECONDS
	run -1 parx -c 'exec >&- 2>&-; sleep 1; exit 3' ::: 1
	[ $((SECONDS - start)) -ge 1 ]
	expect
}

@test "a daemon holding the job's stdout: parx returns when the job's group is gone" {
	cat >"$T/daemon.sh" <<-'EOF'
	#!/bin/sh
	# Leaves a process in a session of its own with our stdout open.
	setsid sh -c 'echo $$ >"$1"; exec sleep 30' sh "$1" &
	echo started "$2"
	EOF
	chmod +x "$T/daemon.sh"
	start=$SECONDS
	run -0 parx -k -j2 "$T/daemon.sh" "$T/d{}.pid" {} ::: 1 2 3
	[ $((SECONDS - start)) -lt 10 ] || {
		echo "parx waited $((SECONDS - start)) s for the daemon" >&2
		return 1
	}
	expect "started 1" "started 2" "started 3"
	for i in 1 2 3; do
		[ -s "$T/d$i.pid" ]
		kill -0 "$(cat "$T/d$i.pid")"	# the daemon outlives its job
	done
}

@test "a background child in the job's group is waited for, output kept" {
	run -0 parx -c '(sleep 1; echo late) & echo early' ::: 1
	expect early late
}

# as_user LIMIT COMMAND...: runs COMMAND as nobody with ulimit -u LIMIT.
as_user()
{
	local lim=$1
	shift
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    sh -c 'ulimit -u "$1" 2>/dev/null || ulimit -p "$1"; shift; exec "$@"' \
	    sh "$lim" "$@" 3>&-
}

need_nproc()
{
	[ "$(id -u)" = 0 ] ||
	    skip "needs root to run as nobody (root ignores ulimit -u)"
	command -v setpriv >/dev/null 2>&1 || skip "needs setpriv(1)"
	as_user 1000 test -x "$PARX" ||
	    skip "nobody cannot run $PARX"
	[ "$(ps -u 65534 -L 2>/dev/null | wc -l)" -le 1 ] ||
	    skip "processes of nobody are running: ulimit -u would count them"
	case ${PARX##*/} in
	*tsan*)	skip "the TSan runtime needs threads of its own" ;;
	esac
}

@test "-j above the process limit (ulimit -u): one warning, all jobs run" {
	need_nproc
	st=0
	seq 50 | as_user 30 "$PARX" -j 100 sh -c 'echo "$1"' sh \
	    >"$T/out" 2>"$T/err" || st=$?
	cat "$T/err" >&2
	same 0 "$st" "exit status"
	same "$(seq 50)" "$(sort -n "$T/out")" "job output"
	same 1 "$(grep -c '^parx: warning: ' "$T/err")" "warnings"
	same 1 "$(wc -l <"$T/err" | tr -d ' ')" "stderr lines"
}

@test "-j 0 under a process limit: runs what fits, all jobs run" {
	need_nproc
	st=0
	seq 50 | as_user 30 "$PARX" -j 0 sh -c 'echo "$1"' sh \
	    >"$T/out" 2>"$T/err" || st=$?
	cat "$T/err" >&2
	same 0 "$st" "exit status"
	same "$(seq 50)" "$(sort -n "$T/out")" "job output"
	if grep -q 'internal error' "$T/err"; then
		return 1
	fi
}

tenmb_input()
{
	echo small
	head -c 10000000 /dev/zero | tr '\0' a
	echo
	echo small2
}

@test "a 10 MB input line is one item, read whole" {
	tenmb_input >"$T/in"
	run -0 parx -k --dry-run echo <"$T/in"
	same 3 "${#lines[@]}" "lines"
	same "echo small" "${lines[0]}"
	same 10000005 "${#lines[1]}" "length of the long line"
	same "echo small2" "${lines[2]}"
}

@test "a 10 MB item is too long for argv: that job fails, others run" {
	tenmb_input >"$T/in"
	run -1 --separate-stderr parx -k echo <"$T/in"
	expect small small2
	expect_err "parx: job 2: argument list too long"
	run -1 --separate-stderr parx -k -c 'echo "$1"' <"$T/in"
	expect small small2
	expect_err "parx: job 2: argument list too long"
}

@test "binary input with -0: every item passed byte for byte" {
	# NUL-separated items holding every other byte value, newlines and
	# empty items among them.
	{ bytes 300000 7; printf '\0'; } >"$T/in"
	run -0 parx -0 -k -j4 printf '%s\0' <"$T/in"
	parx -0 -k -j4 printf '%s\0' <"$T/in" >"$T/out"
	same_file "$T/in" "$T/out"
}

@test "binary input with -d: a byte like \\xff separates items" {
	printf 'a\377b\nc\377\377d' >"$T/in"
	parx -d '\xff' -k printf '[%s]' <"$T/in" >"$T/out"
	printf '[a][b\nc][][d]' >"$T/want"
	same_file "$T/want" "$T/out"
}

@test "binary input without -0: items with NUL fail by name, others run" {
	printf 'a\n\0b\nc\nd\0\n' >"$T/in"
	run -2 --separate-stderr parx -k echo <"$T/in"
	expect a c
	expect_err "parx: job 2: item contains a NUL byte (use -0)" \
	    "parx: job 4: item contains a NUL byte (use -0)"
}

@test "invalid UTF-8 items are passed verbatim" {
	printf '\377\376\n\303(\n\342\202\n\300\257\nok\355\240\200\n' >"$T/in"
	parx -k printf '%s\n' <"$T/in" >"$T/out"
	same_file "$T/in" "$T/out"
	# Through the shell, quoted by parx.
	parx -k -c 'printf "%s\n" {}' <"$T/in" >"$T/out"
	same_file "$T/in" "$T/out"
	# As a tag, and appended to the command.
	parx -k --tag echo x <"$T/in" >"$T/out"
	LC_ALL=C sed 's/.*/&\tx &/' "$T/in" >"$T/want"
	same_file "$T/want" "$T/out"
}

@test "invalid UTF-8 in --dry-run is shell-quoted and runs back verbatim" {
	printf '\377\376\n\303(\n' >"$T/in"
	parx -k --dry-run printf '%s\n' <"$T/in" >"$T/cmds"
	sh "$T/cmds" >"$T/out"
	same_file "$T/in" "$T/out"
}
