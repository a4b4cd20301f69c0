#!/usr/bin/env bats
# --results DIR and --results FILE.jsonl/.json/.csv/.tsv (SPEC 11.2):
# every field, hostile bytes, outputs larger than memory, atomic DIR/SEQ
# entries (also under a reader polling DIR and after kill -9), a full
# disk, and bad arguments.  Records are read back with jq and python3's
# json and csv modules.

load helpers

FILES="cmd exitval runtime signal starttime stderr stdout"

setup()
{
	marker_setup
	R=$T/res
}

teardown()
{
	marker_teardown
}

need_python()
{
	command -v python3 >/dev/null || skip "python3 is not installed"
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

# in_tmpfs SIZE OPTS DIR COMMAND...: runs COMMAND with DIR a fresh tmpfs
# of SIZE (mount options OPTS, e.g. ro) in a private mount namespace.
in_tmpfs()
{
	local size=$1 mopts=$2 dir=$3
	shift 3
	mkdir -p "$dir"
	unshare -m sh -c '
		size=$1 mopts=$2 dir=$3
		shift 3
		mount -t tmpfs -o "size=$size${mopts:+,$mopts}" tmpfs "$dir" ||
		    exit 99
		exec "$@"' sh "$size" "$mopts" "$dir" "$@" 3>&-
}

# entry_ok DIR SEQ: DIR/SEQ holds exactly the seven files.
entry_ok()
{
	same "$FILES" "$(ls "$1/$2" | sort | tr '\n' ' ' | sed 's/ $//')" \
	    "files of $1/$2"
}

@test "results DIR: every file of every job, output still printed" {
	before=$(date +%s)
	run -2 --separate-stderr parx -k --results "$R" \
	    sh -c 'printf "out %s\n" "$1"; printf "err %s" "$1" >&2; exit "$2"' \
	    sh ::: a 'b c' ::: 0 1
	after=$(date +%s)
	expect "out a" "out a" "out b c" "out b c"
	same "err aerr aerr b cerr b c" "$stderr" "stderr"
	same "1 2 3 4" "$(ls "$R" | sort -n | tr '\n' ' ' | sed 's/ $//')"
	for s in 1 2 3 4; do
		entry_ok "$R" "$s"
		case $s in 1 | 2) item=a ;; *) item='b c' ;; esac
		st=$(( (s + 1) % 2 ))
		printf 'out %s\n' "$item" >"$T/want"
		same_file "$T/want" "$R/$s/stdout"
		printf 'err %s' "$item" >"$T/want"
		same_file "$T/want" "$R/$s/stderr"
		printf '%s\n' "$st" >"$T/want"
		same_file "$T/want" "$R/$s/exitval"
		printf '0\n' >"$T/want"
		same_file "$T/want" "$R/$s/signal"
		q=$item
		[ "$item" = a ] || q="'b c'"
		printf '%s\n' "sh -c 'printf \"out %s\\n\" \"\$1\"; printf \"err %s\" \"\$1\" >&2; exit \"\$2\"' sh $q $st" \
		    >"$T/want"
		same_file "$T/want" "$R/$s/cmd"
		grep -qxE '[0-9]+\.[0-9]{3}' "$R/$s/starttime"
		grep -qxE '[0-9]+\.[0-9]{3}' "$R/$s/runtime"
		awk -v lo="$before" -v hi="$after" \
		    '{ exit !($1 >= lo - 1 && $1 <= hi + 1) }' "$R/$s/starttime"
	done
	# Nothing else is left in DIR, nor in TMPDIR.
	same "" "$(ls -A "$R" | grep -v '^[0-9]*$' || true)" "other entries"
	no_tmpfiles
}

@test "results DIR: signals and timeouts as the job log has them" {
	run -2 parx --results "$R" --timeout 0.5 -c '
	    case {} in kill) kill -KILL $$ ;; hang) exec sleep 30 ;; esac' \
	    ::: kill hang 3>&-
	same "-1 9" "$(cat "$R/1/exitval" "$R/1/signal" | tr '\n' ' ' |
	    sed 's/ $//')" "job killed by SIGKILL"
	same "-1 15" "$(cat "$R/2/exitval" "$R/2/signal" | tr '\n' ' ' |
	    sed 's/ $//')" "job that timed out"
}

@test "results DIR: outputs larger than memory, byte for byte, in every mode" {
	bytes 300000 1 >"$T/o"
	bytes 100000 2 >"$T/e"
	for mode in --group -k --line-buffer --tag "-j1"; do
		rm -rf "$R"
		parx $mode --results "$R" -c 'bytes 300000 1; bytes 100000 2 >&2' \
		    ::: 1 2 >"$T/out" 2>"$T/err"
		for s in 1 2; do
			entry_ok "$R" "$s"
			same_file "$T/o" "$R/$s/stdout"
			same_file "$T/e" "$R/$s/stderr"
		done
		# Printed as without --results (lines of jobs may mix
		# under --line-buffer).
		case $mode in --tag | --line-buffer) continue ;; esac
		cmp -s "$T/out" <(cat "$T/o" "$T/o") || {
			echo "stdout differs in mode $mode" >&2
			return 1
		}
	done
	no_tmpfiles
}

@test "results DIR: files get the usual permissions, linked or copied" {
	bytes 300000 1 >"$T/o"
	echo x >>"$T/o"
	(umask 027 && parx --results "$R" -c 'bytes 300000 1; echo x' ::: 1 \
	    >/dev/null)
	same_file "$T/o" "$R/1/stdout"
	for f in $FILES; do
		same 640 "$(stat -c %a "$R/1/$f")" "mode of $f"
	done
	same 750 "$(stat -c %a "$R/1")" "mode of the entry"
}

@test "results DIR: a new run replaces an old entry whole" {
	parx --results "$R" -c 'bytes 200000 {}; echo old >&2' ::: 1 2 >/dev/null
	parx --results "$R" -c 'echo new {}' ::: 1 >/dev/null 2>&1
	echo "new 1" >"$T/want"
	same_file "$T/want" "$R/1/stdout"
	same_file /dev/null "$R/1/stderr"
	entry_ok "$R" 1
	entry_ok "$R" 2
	same "1 2" "$(ls -A "$R" | sort -n | tr '\n' ' ' | sed 's/ $//')"
}

@test "results DIR: a reader polling DIR never sees a partial entry" {
	bytes 200000 3 >"$T/o"
	want=$(cksum <"$T/o")
	mkdir -p "$R"
	(
		while [ ! -e "$T/done" ]; do
			for d in "$R"/[0-9]*; do
				[ -d "$d" ] || continue
				n=$(ls "$d" | wc -l | tr -d ' ')
				[ "$n" = 7 ] || echo "$d: $n files" >>"$T/bad"
				[ "$(cksum <"$d/stdout")" = "$want" ] ||
				    echo "$d: stdout" >>"$T/bad"
				[ "$(cat "$d/exitval")" = 0 ] ||
				    echo "$d: exitval" >>"$T/bad"
				echo "$d" >>"$T/seen"
			done
		done
	) 3>&- &
	poller=$!
	parx -j4 --results "$R" -c 'bytes 200000 3; sleep 0.05' \
	    ::: $(seq 60) >/dev/null
	touch "$T/done"
	wait "$poller"
	[ ! -e "$T/bad" ] || { cat "$T/bad" >&2; return 1; }
	# The reader did look while jobs were being written.
	[ -s "$T/seen" ]
	same 60 "$(ls "$R" | wc -l | tr -d ' ')" "entries"
}

@test "results DIR: after kill -9 of parx only whole entries exist" {
	bytes 150000 4 >"$T/o"
	want=$(cksum <"$T/o")
	parx -j3 --results "$R" -c "bytes 150000 4; sleep 0.1; : $M" \
	    ::: $(seq 200) >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		[ "$(ls "$R" 2>/dev/null | wc -l)" -ge 10 ] && break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait "$pid" || true
	marker_teardown
	n=0
	for d in "$R"/*; do
		case ${d##*/} in
		*[!0-9]*) continue ;;
		esac
		entry_ok "$R" "${d##*/}"
		same "$want" "$(cksum <"$d/stdout")" "stdout of $d"
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
	[ "$n" -lt 200 ]
	# What else is there is a temporary entry, never a number.
	same "" "$(ls -A "$R" | grep -v -e '^[0-9]*$' -e '^\.tmp\.[0-9]*\.[0-9]*$' ||
	    true)" "other entries"
}

@test "results FILE.jsonl: every field, hostile bytes, reversible" {
	need_python
	command -v jq >/dev/null || skip "jq is not installed"
	printf 'q"u,o\\te\0nl\nx\0\377\376\0\303(\342\202\0\001,\037\0plain\0' >"$T/in"
	before=$(date +%s)
	run -0 parx -0 -k --results "$T/r.jsonl" \
	    -c 'printf "%s\0\r\n" "$1"; printf "<%s>" "$1" >&2' <"$T/in"
	after=$(date +%s)
	jq -e . "$T/r.jsonl" >/dev/null
	same '["Seq","Host","Starttime","JobRuntime","Send","Receive","Exitval","Signal","Command","V","Stdout","Stderr"]' \
	    "$(head -n 1 "$T/r.jsonl" | jq -c keys_unsorted)" "keys"
	python3 - "$T/r.jsonl" "$T/in" "$before" "$after" <<'EOF'
import json, sys
items = open(sys.argv[2], "rb").read().split(b"\0")[:-1]
lo, hi = int(sys.argv[3]) - 1, int(sys.argv[4]) + 1
b = lambda s: s.encode("utf-8", "surrogateescape")
recs = {}
for line in open(sys.argv[1], "rb"):
    assert line.endswith(b" }\n") and b"\n" not in line[:-1], line
    r = json.loads(line.decode("utf-8"))
    recs[r["Seq"]] = r
assert sorted(recs) == list(range(1, len(items) + 1)), sorted(recs)
for i, item in enumerate(items, 1):
    r = recs[i]
    assert r["Host"] == ":" and r["Send"] == 0, r
    assert r["Exitval"] == 0 and r["Signal"] == 0, r
    assert lo <= r["Starttime"] <= hi and 0 <= r["JobRuntime"] < 60, r
    assert [b(v) for v in r["V"]] == [item], (r["V"], item)
    assert b(r["Stdout"]) == item + b"\0\r\n", (r["Stdout"], item)
    assert b(r["Stderr"]) == b"<" + item + b">", (r["Stderr"], item)
    assert r["Receive"] == len(item) + 3, r
    # -c's command, spelled as in the job log: the items, then the script.
    # (under eval $'...' when an item holds a newline).
    assert b(r["Command"]).startswith((b"set -- ", b"eval $'set -- ")), \
        r["Command"]
    assert b'; printf "%s' in b(r["Command"]), r["Command"]
EOF
}

@test "results FILE.json: the same JSON lines; jobs without items" {
	command -v jq >/dev/null || skip "jq is not installed"
	parx --results "$T/r.json" -n 2 echo ::: a b c >/dev/null
	same '[["a","b"],["c"]]' "$(jq -s -c 'sort_by(.Seq) | map(.V)' \
	    "$T/r.json")"
	same '"echo c"' "$(jq -c 'select(.Seq == 2) | .Command' "$T/r.json")"
}

@test "results FILE.csv: RFC 4180, read back by python's csv module" {
	need_python
	printf 'a,b\0"q"\0nl\nx\0\377bin\0 sp \0' >"$T/in"
	parx -0 -k --results "$T/r.csv" \
	    -c 'printf "%s\0,\"\r\n" "$1"; exit 3' <"$T/in" >/dev/null || true
	python3 - "$T/r.csv" "$T/in" , <<'EOF'
import csv, sys
items = open(sys.argv[2], "rb").read().split(b"\0")[:-1]
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b'"\r\n'), raw[-20:]
assert raw.startswith(b"Seq,Host,Starttime,JobRuntime,Send,Receive,"
    b"Exitval,Signal,Command,V1,Stdout,Stderr\r\n"), raw[:120]
f = open(sys.argv[1], encoding="utf-8", errors="surrogateescape", newline="")
rows = list(csv.reader(f, delimiter=sys.argv[3]))
b = lambda s: s.encode("utf-8", "surrogateescape")
assert rows[0] == ["Seq", "Host", "Starttime", "JobRuntime", "Send",
    "Receive", "Exitval", "Signal", "Command", "V1", "Stdout", "Stderr"]
assert len(rows) == len(items) + 1, len(rows)
# Records come as jobs end: in any order.
rows[1:] = sorted(rows[1:], key=lambda row: int(row[0]))
for i, (item, row) in enumerate(zip(items, rows[1:]), 1):
    assert len(row) == 12, row
    assert row[0] == str(i) and row[1] == ":" and row[4] == "0", row
    assert row[6] == "3" and row[7] == "0", row
    assert float(row[2]) > 1e9 and float(row[3]) >= 0, row
    assert row[5] == str(len(item) + 5), row
    assert b(row[9]) == item, (row[9], item)
    assert b(row[10]) == item + b'\0,"\r\n', (row[10], item)
    assert row[11] == "", row
    assert b(row[8]).startswith((b"set -- ", b"eval $'set -- ")), row[8]
    assert b'; printf "%s' in b(row[8]), row[8]
EOF
}

@test "results FILE.tsv: tab-separated, quoted like GNU parallel's" {
	need_python
	printf 'a\tb\0"q"\0nl\nx\0' >"$T/in"
	parx -0 -k --results "$T/r.tsv" printf '%s\t' <"$T/in" >/dev/null
	same "Seq	Host	Starttime	JobRuntime	Send	Receive	Exitval	Signal	Command	V1	Stdout	Stderr" \
	    "$(head -n 1 "$T/r.tsv")" header
	python3 - "$T/r.tsv" "$T/in" <<'EOF'
import csv, sys
items = open(sys.argv[2], "rb").read().split(b"\0")[:-1]
f = open(sys.argv[1], encoding="utf-8", errors="surrogateescape", newline="")
rows = list(csv.reader(f, delimiter="\t"))
assert len(rows) == len(items) + 1, rows
rows[1:] = sorted(rows[1:], key=lambda row: int(row[0]))
for item, row in zip(items, rows[1:]):
    assert len(row) == 12, row
    assert row[9].encode() == item and row[10].encode() == item + b"\t", row
EOF
}

@test "results FILE.csv: one V column per source; fewer items leave it empty" {
	need_python
	parx -k --results "$T/r.csv" echo ::: a b ::: 1 >/dev/null
	parx -k --results "$T/n.csv" -n 3 echo ::: a b c d >/dev/null
	python3 - "$T/r.csv" "$T/n.csv" <<'EOF'
import csv, sys
r = list(csv.reader(open(sys.argv[1], newline="")))
assert r[0][9:11] == ["V1", "V2"] and r[0][11] == "Stdout", r[0]
r[1:] = sorted(r[1:], key=lambda row: int(row[0]))
assert [row[9:11] for row in r[1:]] == [["a", "1"], ["b", "1"]], r
n = list(csv.reader(open(sys.argv[2], newline="")))
assert n[0][9:12] == ["V1", "V2", "V3"], n[0]
n[1:] = sorted(n[1:], key=lambda row: int(row[0]))
assert [row[9:12] for row in n[1:]] == [["a", "b", "c"], ["d", "", ""]], n
assert all(len(row) == 14 for row in n), n
EOF
}

@test "results FILE: a new run starts it afresh; --resume appends" {
	command -v jq >/dev/null || skip "jq is not installed"
	parx --results "$T/r.jsonl" echo ::: a b >/dev/null
	parx --results "$T/r.jsonl" echo ::: c >/dev/null
	same '["c"]' "$(jq -c .V "$T/r.jsonl")"
	parx --joblog "$T/log" --results "$T/r.jsonl" echo ::: c d >/dev/null
	# A crash cut a record short: a resumed run drops it, then appends.
	printf '{ "Seq": 3, "Host"' >>"$T/r.jsonl"
	parx --joblog "$T/log" --resume --results "$T/r.jsonl" \
	    echo ::: c d e >/dev/null
	same '[1,2,3]' "$(jq -s -c 'map(.Seq) | sort' "$T/r.jsonl")"
	same '["c","d","e"]' "$(jq -s -c 'sort_by(.Seq) | map(.V[0])' \
	    "$T/r.jsonl")"
	# A CSV record with newlines in it, cut short, likewise.
	parx --joblog "$T/clog" --results "$T/r.csv" printf '%s\n' ::: x >/dev/null
	printf '2,:,1.000,0.000,0,3,0,0,"printf a\n' >>"$T/r.csv"
	parx --joblog "$T/clog" --resume --results "$T/r.csv" \
	    printf '%s\n' ::: x y >/dev/null
	same 3 "$(grep -c '^[0-9S]' "$T/r.csv")" "header and records"
	same 2 "$(grep -c '"printf ' "$T/r.csv")" "records"
}

@test "results: jobs skipped by --resume or interrupted get no entry" {
	parx --joblog "$T/log" echo ::: a >/dev/null
	parx --joblog "$T/log" --resume --results "$R" echo ::: a b >/dev/null
	same 2 "$(ls "$R")" "entries"
	parx --results "$T/s" -j2 sh -c "sleep \$1; : $M" sh ::: 0 30 &
	pid=$!
	for _ in $(seq 100); do
		[ -d "$T/s/1" ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" || true
	same 1 "$(ls "$T/s")" "entries after SIGTERM"
}

@test "results: nothing is written under --dry-run" {
	run -0 parx --dry-run --results "$R" echo ::: a
	expect "echo a"
	[ ! -e "$R" ]
	run -0 parx --dry-run --results "$T/r.csv" echo ::: a
	[ ! -e "$T/r.csv" ]
}

@test "results: missing parents of DIR are made" {
	parx --results "$T/a/b/c" echo ::: x >/dev/null
	entry_ok "$T/a/b/c" 1
	parx --results "$T/x.d/" echo ::: x >/dev/null
	entry_ok "$T/x.d" 1
	mkdir "$T/y.2024"
	parx --results "$T/y.2024" echo ::: x >/dev/null
	entry_ok "$T/y.2024" 1
}

@test "results: bad arguments are one clear message, 255, nothing run" {
	run --separate-stderr parx --results "$T/out.txt" touch "$T/ran" ::: 1
	usage_error
	same "parx: unknown --results extension '.txt' (use a directory, or FILE.jsonl, .json, .csv or .tsv)" \
	    "${stderr_lines[0]}"
	run --separate-stderr parx -u --results "$R" touch "$T/ran" ::: 1
	usage_error
	same "parx: --results cannot be combined with -u (the output must pass through parx)" \
	    "${stderr_lines[0]}"
	touch "$T/file"
	run -255 --separate-stderr parx --results "$T/file" touch "$T/ran" ::: 1
	expect
	expect_err "parx: cannot write results to $T/file: Not a directory"
	mkdir "$T/d.csv"
	run -255 --separate-stderr parx --results "$T/d.csv" touch "$T/ran" ::: 1
	expect_err "parx: cannot write results to $T/d.csv: Is a directory"
	[ ! -e "$T/ran" ]
}

@test "results: an unwritable DIR or FILE: 255, nothing run" {
	can_mount || skip "needs root and unshare -m to mount a small tmpfs"
	run -255 --separate-stderr in_tmpfs 64k ro "$T/ro" \
	    "$PARX" --results "$T/ro" touch "$T/ran" ::: 1
	expect_err "parx: cannot write results to $T/ro: Read-only file system"
	run -255 --separate-stderr in_tmpfs 64k ro "$T/ro" \
	    "$PARX" --results "$T/ro/r.jsonl" touch "$T/ran" ::: 1
	expect_err "parx: cannot write results to $T/ro/r.jsonl: Read-only file system"
	run -255 --separate-stderr in_tmpfs 64k ro "$T/ro" \
	    "$PARX" --results "$T/ro/sub/dir" touch "$T/ran" ::: 1
	expect_err "parx: cannot write results to $T/ro/sub/dir: Read-only file system"
	[ ! -e "$T/ran" ]
}

@test "results DIR on a disk that fills: output printed, one message, 255, only whole entries" {
	can_mount || skip "needs root and unshare -m to mount a small tmpfs"
	bytes 200000 5 >"$T/o"
	want=$(cksum <"$T/o")
	mkdir -p "$T/full"
	st=0
	in_tmpfs 1m "" "$T/full" sh -c '
	    "$1" -k --results "$2" -c "bytes 200000 5" ::: $(seq 12) >"$3" \
		2>"$3.err"
	    echo $? >"$4"
	    cd "$2" && for d in *; do
		printf "%s %s %s\n" "$d" "$(ls "$d" | wc -l)" \
		    "$(cksum <"$d/stdout")"
	    done' sh "$PARX" "$T/full" "$T/out" "$T/rc" >"$T/list" || st=$?
	same 0 "$st" "status of the checker"
	same 255 "$(cat "$T/rc")" "status of parx"
	# Every job's output reached stdout; the problem is said once.
	for i in $(seq 12); do cat "$T/o"; done >"$T/want"
	same_file "$T/want" "$T/out"
	same 1 "$(wc -l <"$T/out.err" | tr -d ' ')" "messages"
	grep -Eqx "parx: --results $T/full: cannot write job [0-9]+: No space left on device" \
	    "$T/out.err"
	[ -s "$T/list" ]
	while read -r d n sum; do
		[[ $d =~ ^[0-9]+$ ]] || { echo "left: $d" >&2; return 1; }
		same 7 "$n" "files in $d"
		same "$want" "$sum" "stdout of $d"
	done <"$T/list"
	[ "$(wc -l <"$T/list")" -lt 12 ]
}

@test "results FILE on a disk that fills: only whole records, one message, 255" {
	can_mount || skip "needs root and unshare -m to mount a small tmpfs"
	need_python
	mkdir -p "$T/full"
	in_tmpfs 1m "" "$T/full" sh -c '
	    "$1" -k --results "$2/r.jsonl" -c "bytes 150000 {}" ::: $(seq 12) \
		>"$3" 2>"$4"
	    echo $? >"$5"
	    cat "$2/r.jsonl"' sh "$PARX" "$T/full" "$T/out" "$T/err" "$T/rc" \
	    >"$T/r.jsonl"
	same 255 "$(cat "$T/rc")" "status"
	same 1 "$(wc -l <"$T/err" | tr -d ' ')" "messages"
	for i in $(seq 12); do bytes 150000 "$i"; done >"$T/want"
	same_file "$T/want" "$T/out"
	python3 - "$T/r.jsonl" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    json.loads(line)
    n += 1
assert 0 < n < 12, n
EOF
}

@test "results: memory stays bounded with a 200 MB job output" {
	sanitized && skip "memory of a sanitizer build says nothing"
	[ -x /usr/bin/time ] || skip "GNU time is not installed"
	for r in "$R" "$T/r.jsonl" "$T/r.csv"; do
		peak_rss_kb "$T/rss" "$PARX" --results "$r" \
		    -c 'yes 0123456789abcdef | head -c 200000000' ::: 1 >/dev/null
		kb=$(tail -n 1 "$T/rss")
		[ "$kb" -lt 16384 ] || {
			echo "peak RSS $kb kB with --results $r" >&2
			return 1
		}
	done
	same 200000000 "$(wc -c <"$R/1/stdout" | tr -d ' ')"
	same 1 "$(wc -l <"$T/r.jsonl" | tr -d ' ')" "JSON lines"
	[ "$(wc -c <"$T/r.jsonl")" -gt 200000000 ]
	same 'cde", "Stderr": "" }' "$(tail -c 21 "$T/r.jsonl")" "JSON tail"
	[ "$(wc -c <"$T/r.csv")" -gt 200000000 ]
	same 'cde",""' "$(tail -c 9 "$T/r.csv" | tr -d '\r\n')" "CSV tail"
}

@test "--pipe: Send in --results and stdin_bytes in the JSON log count each block's bytes" {
	command -v jq >/dev/null || skip "jq is not installed"
	printf 'aa\nbbbb\ncc\n' | parx --pipe -N 1 -k --results "$T/r.jsonl" \
	    --joblog "$T/l.jsonl" cat >/dev/null
	same '[[1,3],[2,5],[3,3]]' "$(jq -s -c 'sort_by(.Seq) | map([.Seq, .Send])' \
	    "$T/r.jsonl")"
	same '[[1,3],[2,5],[3,3]]' "$(jq -s -c \
	    'sort_by(.seq) | map([.seq, .stdin_bytes])' "$T/l.jsonl")"
}
