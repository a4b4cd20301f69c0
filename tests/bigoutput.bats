#!/usr/bin/env bats
# Big outputs: byte-exact, memory bounded, no temporary file left behind
# (SPEC 1, 6, 10, 13.14).

load helpers

MB100=100000000
MB5=5000000
RSS_MAX_KB=16384

# rss_under FILE: the peak RSS /usr/bin/time left in FILE is below the
# limit; not checked for sanitizer builds.
rss_under()
{
	local kb
	kb=$(tail -n 1 "$1")
	echo "peak RSS: $kb KB" >&2
	if sanitized; then
		echo "sanitizer build: peak RSS not checked" >&2
		return 0
	fi
	[ "$kb" -lt "$RSS_MAX_KB" ] || {
		echo "peak RSS $kb KB is not under $RSS_MAX_KB KB" >&2
		return 1
	}
}

need_time()
{
	[ -x /usr/bin/time ] || skip "/usr/bin/time is missing: cannot measure peak RSS"
}

@test "one job writing 100 MB: byte-exact, peak RSS under 16 MB" {
	need_time
	want=$(bytes $MB100 1 | cksum)
	got=$(peak_rss_kb rss "$PARX" bytes $MB100 {} ::: 1 3>&- | cksum)
	same "$want" "$got" "cksum"
	rss_under rss
	no_tmpfiles
}

@test "one job writing 100 MB under -k: byte-exact, peak RSS under 16 MB" {
	need_time
	want=$(bytes $MB100 2 | cksum)
	got=$(peak_rss_kb rss "$PARX" -k bytes $MB100 {} ::: 2 3>&- | cksum)
	same "$want" "$got" "cksum"
	rss_under rss
	no_tmpfiles
}

@test "100 MB on stderr: byte-exact" {
	want=$(bytes $MB100 3 | cksum)
	got=$(parx -c 'bytes {} 3 >&2' ::: $MB100 2>&1 >/dev/null | cksum)
	same "$want" "$got" "cksum"
	no_tmpfiles
}

@test "20 jobs x 5 MB under -k: byte-exact, in input order" {
	need_time
	want=$(for i in $(seq 20); do bytes $MB5 "$i"; done | cksum)
	got=$(peak_rss_kb rss "$PARX" -k -j4 bytes $MB5 {} ::: $(seq 20) 3>&- |
	    cksum)
	same "$want" "$got" "cksum"
	rss_under rss
	no_tmpfiles
}

@test "20 jobs x 5 MB without -k: each job byte-exact and in one piece" {
	# 357143 lines of 14 bytes: 5 MB, every line tagged with its job.
	parx -j4 numlines 357143 J{} ::: $(seq -w 20) >out
	order=$(cut -c1-3 out | uniq)
	same "$(seq -f 'J%02g' 20)" "$(printf '%s\n' "$order" | sort)" \
	    "jobs' blocks"
	want=$(for t in $order; do numlines 357143 "$t"; done | cksum)
	got=$(cksum <out)
	same "$want" "$got" "cksum"
	no_tmpfiles
}

@test "10,000 tiny jobs behind a slow first job under -k: in order, small RSS" {
	need_time
	# The first job waits until the last one has run (at most 4 s, as
	# parx may hold back new jobs while results wait behind it).
	cat >first <<'SH'
#!/bin/sh
i=0
while [ ! -e last.done ] && [ "$i" -lt 200 ]; do
	sleep 0.02
	i=$((i + 1))
done
echo "$1"
SH
	cat >last <<'SH'
#!/bin/sh
touch last.done
echo "$1"
SH
	chmod +x first last
	{
		echo './first 1'
		seq -f 'echo %g' 2 9999
		echo './last 10000'
	} >list
	got=$(peak_rss_kb rss "$PARX" -k -j4 --colsep ' ' -a list {1} {2} 3>&- |
	    cksum)
	same "$(seq 10000 | cksum)" "$got" "cksum"
	rss_under rss
	no_tmpfiles
}

@test "output held behind a slow job goes to an unlinked file in \$TMPDIR" {
	[ -d /proc/self/fd ] || skip "no /proc/PID/fd here"
	tmp=$(cd "$TMPDIR" && pwd -P)
	# Job 2 writes 20 MB while job 1 runs; once job 2 is done, job 1
	# looks at parx's descriptors for a deleted file in $TMPDIR.
	parx -k -j2 -c '
	    if [ {} = 2 ]; then bytes 20000000 5; touch two.done; exit 0; fi
	    i=0
	    while [ ! -e two.done ] && [ $i -lt 250 ]; do
		sleep 0.02; i=$((i + 1))
	    done
	    for f in /proc/$PPID/fd/*; do
		case $(readlink "$f") in
		"'"$tmp"'/"*" (deleted)") echo spilled; exit 0 ;;
		esac
	    done
	    echo "nothing in '"$tmp"'"' ::: 1 2 >out
	same spilled "$(head -n 1 out)" "first job's finding"
	same "$(bytes 20000000 5 | cksum)" "$(tail -c +9 out | cksum)" "cksum"
	no_tmpfiles
}
