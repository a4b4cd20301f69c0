#!/usr/bin/env bats
# timeline.bats - the picture of a run: parx-timeline JOBLOG and parx
# --timeline FILE.  tests/timeline_check.py parses each picture as XML and
# checks it against its job log: a standalone SVG, exactly one bar per job
# line with the colour class of its outcome, placed at its start, no two
# bars of a lane overlapping, an axis that covers the run, the summary.
# Known logs (tests/timeline/) are drawn byte-exact.  Then bad input,
# hostile bytes, many jobs, and parx --timeline after a normal run and an
# interrupted one.
#
# After a deliberate change of the layout, draw the expected pictures again:
#   ./parx-timeline --title 'a known run' \
#       -o tests/timeline/known.svg tests/timeline/known.log
#   ./parx-timeline --title 'a known run' \
#       -o tests/timeline/known-json.svg tests/timeline/known.jsonl
#   ./parx-timeline --title 'parx -j4 --timeout 5 encode ::: clip-*.mp4' \
#       -o docs/timeline.svg docs/timeline.log

load helpers

TL=${PARX_TIMELINE:-$BATS_TEST_DIRNAME/../parx-timeline}
case $TL in
/*)	;;
*)	TL=$PWD/$TL ;;
esac
DATA=$BATS_TEST_DIRNAME/timeline
HEADER=$'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand'

setup()
{
	marker_setup
	pid=
	if [ ! -x "$TL" ]; then
		echo "no parx-timeline binary at $TL: run make first" >&2
		return 1
	fi
}

teardown()
{
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	marker_teardown
}

tl()
{
	"$TL" "$@" 3>&-
}

need_python()
{
	command -v python3 >/dev/null 2>&1 ||
	    skip "python3 is not installed: cannot parse the pictures"
}

# check PICTURE [JOBLOG] [--lanes]: tests/timeline_check.py.
check()
{
	python3 "$BATS_TEST_DIRNAME/timeline_check.py" "$@"
}

# logline SEQ HOST START RUNTIME EXITVAL SIGNAL COMMAND: one line of a
# tab-separated job log, as parx writes it.
logline()
{
	printf '%s\t%s\t%s\t%10s\t0\t0\t%s\t%s\t%s\n' "$@"
}

@test "a tab-separated log: one bar per job, its colour, lanes apart, the axis" {
	need_python
	run --separate-stderr -0 tl -o pic.svg "$DATA/known.log"
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 check pic.svg "$DATA/known.log" --lanes
	# Lanes as parx hands out slots: the lowest free one at each start.
	expect "bars 11" "merged 0" "lanes 3" \
	    "ticks 0 500ms 1s 1.5s 2s 2.5s 3s" "jobs 11" \
	    "summary 12 jobs, 5 failed · wall 2.700 s · 3 slots, 86% busy · longest #6, 1.900 s" \
	    "lane 1: 1 6" "lane 2: 2 8 11 12" "lane 3: 3 4 5 7 9"
	# The job logged with start 0 never started: counted, not drawn.
	grep -q '>1 job never started and is not drawn.<' pic.svg
}

@test "the pictures of the known logs are exactly the ones checked in" {
	run -0 tl --title 'a known run' -o pic.svg "$DATA/known.log"
	same_file "$DATA/known.svg" pic.svg
	run -0 tl --title 'a known run' -o pic.svg "$DATA/known.jsonl"
	same_file "$DATA/known-json.svg" pic.svg
}

@test "the README's picture is the drawing of docs/timeline.log" {
	local docs=$BATS_TEST_DIRNAME/../docs

	run -0 tl --title 'parx -j4 --timeout 5 encode ::: clip-*.mp4' \
	    -o pic.svg "$docs/timeline.log"
	same_file "$docs/timeline.svg" pic.svg
	grep -q '(docs/timeline.svg)' "$BATS_TEST_DIRNAME/../README.md"
}

@test "JSON lines: lanes are the jobs' slots, per host; other keys ignored" {
	need_python
	run -0 tl -o pic.svg "$DATA/known.jsonl"
	run -0 check pic.svg "$DATA/known.jsonl" --lanes
	expect "bars 9" "merged 0" "lanes 4" \
	    "ticks 0 500ms 1s 1.5s 2s 2.5s 3s 3.5s" "jobs 9" \
	    "summary 9 jobs, 3 failed · wall 3.060 s · 4 slots, 88% busy · longest #5, 3.000 s" \
	    "lane 1: 1 4 7" "lane 2: 2 6 9" "lane 3: 3 8" "lane 4: 5"
	grep -q '>node-1 1</text>' pic.svg
	grep -q '>node-1 2</text>' pic.svg
	grep -q '<title>#5 on node-1: 3.000 s, timed out' pic.svg
	grep -q '<title>#7 on local: 1.500 s, signal KILL' pic.svg
	grep -q '<title>#4 on local: 0.400 s, exit 3' pic.svg
}

@test "lanes: a job that starts as the last one ends (to the ms) takes its lane" {
	need_python
	{
		echo "$HEADER"
		# 1 seems to end 1 ms after 2 starts: rounding, same lane.
		logline 1 : 100.000 1.001 0 0 a
		logline 2 : 101.000 1.000 0 0 b
		logline 3 : 100.500 0.400 0 0 c
		# 4 overlaps 3 by 5 ms: it ran in another slot.
		logline 4 : 100.895 0.100 0 0 d
		# Remote jobs get lanes of their own host.
		logline 5 user@far 100.000 0.500 0 0 e
		logline 6 user@far 100.600 0.500 0 0 f
	} >run.log
	run -0 tl run.log
	run -0 check run.svg run.log --lanes
	[ "${lines[2]}" = "lanes 4" ]
	[ "${lines[6]}" = "lane 1: 1 2" ]
	[ "${lines[7]}" = "lane 2: 3" ]
	[ "${lines[8]}" = "lane 3: 4" ]
	[ "${lines[9]}" = "lane 4: 5 6" ]
	grep -q '>user@far 1</text>' run.svg
}

@test "the axis ticks at round steps, from milliseconds to days" {
	need_python
	printf '%s\n' "$HEADER" >ms.log
	logline 1 : 100.000 0.045 0 0 x >>ms.log
	run -0 tl ms.log
	run -0 check ms.svg ms.log
	[ "${lines[3]}" = "ticks 0 5ms 10ms 15ms 20ms 25ms 30ms 35ms 40ms 45ms" ]
	[[ ${lines[5]} == "summary 1 job, 0 failed · wall 0.045 s · 1 slot, 100% busy · longest #1, 0.045 s" ]]

	printf '%s\n' "$HEADER" >s.log
	logline 1 : 100.000 90.000 0 0 x >>s.log
	logline 2 : 100.000 30.000 1 0 y >>s.log
	run -0 tl s.log
	run -0 check s.svg s.log
	[ "${lines[3]}" = "ticks 0 10s 20s 30s 40s 50s 1m 1m10s 1m20s 1m30s" ]
	[[ ${lines[5]} == "summary 2 jobs, 1 failed · wall 1m 30s · 2 slots, 67% busy · longest #1, 1m 30s" ]]

	printf '%s\n' "$HEADER" >h.log
	logline 1 : 100.000 9000.000 0 0 x >>h.log
	run -0 tl h.log
	run -0 check h.svg h.log
	[ "${lines[3]}" = "ticks 0 15m 30m 45m 1h 1h15m 1h30m 1h45m 2h 2h15m 2h30m" ]
	[[ ${lines[5]} == *"wall 2h 30m 00s"* ]]

	printf '%s\n' "$HEADER" >d.log
	logline 1 : 100.000 259000.000 0 0 x >>d.log
	run -0 tl d.log
	run -0 check d.svg d.log
	[ "${lines[3]}" = "ticks 0 12h 24h 36h 48h 60h 72h" ]
}

@test "thousands of short jobs: bars merge below a pixel, every job counted" {
	need_python
	awk -v h="$HEADER" 'BEGIN {
		print h
		printf "1\t:\t1000.000\t%10.3f\t0\t0\t0\t0\tslow\n", 20
		for (i = 2; i <= 3001; i++)
			printf "%d\t:\t%.3f\t%10.3f\t0\t0\t%d\t0\tquick %d\n",
			    i, 1000 + i * 0.002, 0.001, i % 500 == 0, i
	}' >many.log
	run -0 tl many.log
	run -0 check many.svg many.log
	[ "${lines[4]}" = "jobs 3001" ]
	[ "${lines[2]}" = "lanes 2" ]
	# The failures stand apart, each the one job of its bar.
	[ "$(grep -c '<rect class="fail" x="[^"]*" width' many.svg)" -eq 6 ]
	[ "$(grep -c '<title>#[0-9]* on local: 0.001 s, exit 1' many.svg)" -eq 6 ]
	local nbars=${lines[0]#bars } merged=${lines[1]#merged }
	[ "$nbars" -lt 30 ] && [ "$merged" -gt 0 ]
	grep -q "jobs, #2 to #[0-9]*: 0.001 to 0.001 s each, all succeeded" \
	    many.svg
	grep -q ">$merged bars stand for several jobs, each shorter than a pixel" \
	    many.svg
}

@test "the file stays small: at most about 200 bytes per job" {
	need_python
	awk -v h="$HEADER" 'BEGIN {
		print h
		for (i = 1; i <= 2000; i++)
			printf "%d\t:\t%.3f\t%10.3f\t0\t0\t%d\t%d\t" \
			    "./process --input /data/incoming/batch-%05d.dat" \
			    " --output /data/outgoing/batch-%05d.out --verbose\n",
			    i, 1000 + int((i - 1) / 8) * 0.5, 0.5,
			    i % 97 == 0 ? -1 : i % 13 == 0,
			    i % 97 == 0 ? 9 : 0, i, i
	}' >big.log
	run -0 tl big.log
	run -0 check big.svg big.log
	[ "${lines[0]}" = "bars 2000" ] && [ "${lines[4]}" = "jobs 2000" ]
	local size
	size=$(wc -c <big.svg)
	[ "$size" -le $((2000 * 200)) ] || {
		echo "$size bytes for 2000 jobs"
		return 1
	}
	# Long commands are cut, with an ellipsis.
	[ "$(grep -c '…</title>' big.svg)" -eq 2000 ]
}

@test "lanes are capped at 120, with a note for the others" {
	need_python
	awk -v h="$HEADER" 'BEGIN {
		print h
		for (i = 1; i <= 150; i++)
			printf "%d\t:\t1000.000\t%10.3f\t0\t0\t0\t0\tjob %d\n",
			    i, 1, i
	}' >wide.log
	run -0 tl wide.log
	run -0 check wide.svg
	[ "${lines[0]}" = "bars 120" ] && [ "${lines[2]}" = "lanes 120" ]
	grep -q '>Only the first 120 of 150 lanes are drawn: 30 jobs in the others are not shown.<' wide.svg
	grep -q '>150 jobs, 0 failed · wall 1.000 s · 150 slots, 100% busy' \
	    wide.svg
}

@test "hostile bytes in commands and hosts still give valid XML" {
	need_python
	{
		echo "$HEADER"
		logline 1 : 100.000 0.500 0 0 './run <script>x</script> ]]> &amp; "q"'
		printf '2\t:\t100.100\t     0.500\t0\t0\t0\t0\tctl \001\033[31m \177 end\n'
		printf '3\t:\t100.200\t     0.500\t0\t0\t0\t0\tbad \377 \300\257 \355\240\200 \357\277\276 x\n'
		printf '4\t:\t100.300\t     0.500\t0\t0\t0\t0\tnul \000 x\n'
		printf '5\t<h&st>\001\t100.400\t     0.500\t0\t0\t0\t0\tok é 🚀\n'
		logline 6 : 100.500 0.500 1 0 "$(printf 'x%.0s' $(seq 100))"
	} >evil.log
	printf '%s\n' '{"seq":7,"start":100.6,"runtime":0.5,"host":"h\u0000\u0001","command":"a\u0000b\ud800c\n</title><script>","slot":1}' \
	    >evil.jsonl
	run -0 tl evil.log
	run -0 check evil.svg evil.log
	[ "${lines[4]}" = "jobs 6" ]
	run -0 tl evil.jsonl
	run -0 check evil.svg evil.jsonl
	[ "${lines[4]}" = "jobs 1" ]
	tl -o evil-tsv.svg evil.log
	# Valid UTF-8 with no control character but newlines.
	python3 -c 'import sys
for f in sys.argv[1:]:
    t = open(f, "rb").read().decode("utf-8")
    assert not any(ord(c) < 32 and c != "\n" or ord(c) == 127 for c in t), f
' evil.svg evil-tsv.svg
	grep -Fq '&lt;script&gt;x&lt;/script&gt; ]]&gt; &amp;amp; &quot;q&quot;</title>' evil-tsv.svg
	grep -Fq 'ctl \x01\x1b[31m \x7f end' evil-tsv.svg
	grep -Fq 'bad \xff \xc0\xaf \xed\xa0\x80 \xef\xbf\xbe x' evil-tsv.svg
	grep -Fq 'nul \x00 x' evil-tsv.svg
	grep -Fq '#5 on &lt;h&amp;st&gt;\x01: 0.500 s, exit 0' evil-tsv.svg
	grep -Fq 'ok é 🚀' evil-tsv.svg
	grep -Eq "^x{72}…</title>" evil-tsv.svg
	grep -Fq 'a\x00b�c\n&lt;/title&gt;&lt;script&gt;' evil.svg
	# A host name ends at a NUL byte.
	grep -Fq '#7 on h: 0.500 s' evil.svg
}

@test "an empty log, a header alone, or no job log: a message and 255" {
	: >empty.log
	run --separate-stderr -255 tl empty.log
	expect_err "parx-timeline: empty.log: no job in the job log"
	[ ! -e empty.svg ]
	echo "$HEADER" >header.log
	run --separate-stderr -255 tl header.log
	expect_err "parx-timeline: header.log: no job in the job log"
	printf 'some notes\n1\t2\n' >notes.txt
	run --separate-stderr -255 tl notes.txt
	expect_err "parx-timeline: notes.txt: not a job log: line 1 is neither the header of a tab-separated job log nor a job record"
	[ ! -e notes.svg ]
	printf '\177ELF\002\001\001\000\000\000' >prog
	run --separate-stderr -255 tl -o out.svg prog
	expect_err "parx-timeline: prog: not a job log: line 1 is neither the header of a tab-separated job log nor a job record"
	[ ! -e out.svg ]
	printf '[{"seq": 1}]\n' >array.json
	run --separate-stderr -255 tl array.json
	[[ $stderr == "parx-timeline: array.json: not a job log: line 1 "* ]]
	mkdir dir.log
	run --separate-stderr -255 tl dir.log
	expect_err "parx-timeline: cannot read dir.log: Is a directory"
	run --separate-stderr -255 tl nosuch.log
	expect_err "parx-timeline: cannot read nosuch.log: No such file or directory"
}

@test "a last line cut short: a warning, the rest drawn" {
	need_python
	head -c -20 "$DATA/known.log" >cut.log
	run --separate-stderr -0 tl cut.log
	expect_err "parx-timeline: cut.log: line 13 is cut short: drawn without it"
	run -0 check cut.svg cut.log
	[ "${lines[4]}" = "jobs 10" ]
	# A JSON line cut short is skipped; one whole but for its newline is
	# drawn.
	head -c -30 "$DATA/known.jsonl" >cut.jsonl
	run --separate-stderr -0 tl cut.jsonl
	expect_err "parx-timeline: cut.jsonl: line 9 is cut short: drawn without it"
	run -0 check cut.svg cut.jsonl
	[ "${lines[4]}" = "jobs 8" ]
	head -c -1 "$DATA/known.jsonl" >whole.jsonl
	run --separate-stderr -0 tl whole.jsonl
	[ -z "$stderr" ]
	run -0 check whole.svg
	[ "${lines[0]}" = "bars 9" ]
	# A log cut inside its first record has no job.
	head -c 90 "$DATA/known.log" >first.log
	run --separate-stderr -255 tl first.log
	expect_err "parx-timeline: first.log: line 2 is cut short: drawn without it" \
	    "parx-timeline: first.log: no job in the job log"
}

@test "lines that are not job records in the middle are skipped, with a warning" {
	need_python
	{
		head -n 4 "$DATA/known.log"
		printf '7\t:\t17956'	# the fragment a crash leaves
		echo
		tail -n +5 "$DATA/known.log"
		for i in $(seq 12); do
			echo "garbage $i"
		done
	} >frag.log
	run --separate-stderr -0 tl frag.log
	[ "${#stderr_lines[@]}" -eq 11 ]
	[ "${stderr_lines[0]}" = "parx-timeline: frag.log: line 5 is not a job record: skipped" ]
	[ "${stderr_lines[9]}" = "parx-timeline: frag.log: line 23 is not a job record: skipped" ]
	[ "${stderr_lines[10]}" = "parx-timeline: frag.log: 3 more lines that are not job records skipped" ]
	run -0 check frag.svg "$DATA/known.log"
	[ "${lines[4]}" = "jobs 11" ]
}

@test "-o - writes to stdout; the default is the log's name with .svg" {
	need_python
	run --separate-stderr -0 tl -o - "$DATA/known.log"
	[[ ${lines[0]} == '<?xml version="1.0" encoding="UTF-8"?>' ]]
	[ "${lines[${#lines[@]} - 1]}" = "</svg>" ]
	[ -z "$(ls | grep '\.svg$')" ]
	mkdir logs.d
	cp "$DATA/known.log" logs.d/run
	cp "$DATA/known.log" logs.d/run.tsv
	cp "$DATA/known.log" .hidden
	run -0 tl logs.d/run
	run -0 tl logs.d/run.tsv
	run -0 tl .hidden
	[ "$(ls -A logs.d | tr '\n' ' ')" = "run run.svg run.tsv " ]
	[ -f .hidden.svg ]
	# Standard input in, standard output out.
	run -0 tl - <"$DATA/known.log"
	[[ ${lines[0]} == '<?xml '* ]]
	printf '%s\n' "$output" >stdin.svg
	run -0 check stdin.svg "$DATA/known.log"
	grep -q '<title>standard input</title>' stdin.svg
	# --title '' leaves the heading out.
	run -0 tl --title '' -o - "$DATA/known.log"
	[[ $output == *'<title>parx timeline</title>'* ]]
	[[ $output == *'<text class="h" x="10" y="24"></text>'* ]]
}

@test "parx-timeline usage errors: two lines, exit 255" {
	run --separate-stderr -255 tl
	expect_err "parx-timeline: no job log given" \
	    "Try 'parx-timeline --help' for more information."
	run --separate-stderr -255 tl a.log b.log
	expect_err "parx-timeline: unexpected argument 'b.log' (one job log at a time)" \
	    "Try 'parx-timeline --help' for more information."
	run --separate-stderr -255 tl --bogus a.log
	expect_err "parx-timeline: unknown option '--bogus'" \
	    "Try 'parx-timeline --help' for more information."
	run --separate-stderr -255 tl -x a.log
	expect_err "parx-timeline: unknown option '-x'" \
	    "Try 'parx-timeline --help' for more information."
	run --separate-stderr -255 tl a.log -o
	expect_err "parx-timeline: unexpected argument '-o' (one job log at a time)" \
	    "Try 'parx-timeline --help' for more information."
	run --separate-stderr -255 tl --title
	expect_err "parx-timeline: option '--title' needs an argument" \
	    "Try 'parx-timeline --help' for more information."
	cp "$DATA/known.log" run.svg
	run --separate-stderr -255 tl run.svg
	expect_err "parx-timeline: run.svg already ends in .svg: name the picture with -o" \
	    "Try 'parx-timeline --help' for more information."
	cp "$DATA/known.log" run.log
	run --separate-stderr -255 tl -o run.log run.log
	expect_err "parx-timeline: run.log: is the job log itself: not overwritten"
	cmp "$DATA/known.log" run.log
	run --separate-stderr -255 tl -o no/such/dir.svg run.log
	expect_err "parx-timeline: cannot write no/such/dir.svg: No such file or directory"
}

@test "parx --timeline: after a run, the picture of the jobs that ran" {
	need_python
	run -3 parx -j2 --joblog run.log --timeline run.svg exitwith ::: 0 1 0 3 0 2
	run -0 check run.svg run.log --lanes
	[ "${lines[4]}" = "jobs 6" ]
	[[ ${lines[5]} == "summary 6 jobs, 3 failed · wall "* ]]
	[ "$(grep -c '<rect class="fail" x="[^"]*" width' run.svg)" -eq 3 ]
	# The heading is parx's command line.
	grep -q '^<title>parx -j2 --joblog run.log --timeline run.svg exitwith ::: 0 1 0 3 0 2</title>$' run.svg
	# Lanes are parx's slots.
	[ "${lines[2]}" = "lanes 2" ]
	grep -q '>slot</text>' run.svg
	no_tmpfiles
}

@test "parx --timeline: timeouts and signals are drawn as such" {
	need_python
	run -2 parx --timeout 0.2 --joblog run.log --timeline run.svg \
	    -c 'case {} in t) sleep 30;; k) kill -KILL $$;; esac' ::: t k o
	run -0 check run.svg run.log
	[ "${lines[4]}" = "jobs 3" ]
	[ "$(grep -c '<rect class="sig" x="[^"]*" width' run.svg)" -eq 2 ]
	grep -q 'timed out\|signal TERM' run.svg
	grep -q 'signal KILL' run.svg
}

@test "parx --timeline: after SIGINT, the jobs that finished" {
	need_python
	env --default-signal=INT true 2>/dev/null ||
	    skip "env --default-signal (coreutils 8.31) is missing"
	env --default-signal=INT "$PARX" -j2 --joblog run.log \
	    --timeline run.svg -c 'case {} in
	    1|2) ;;
	    *) touch started-{}; sleep 1000.'"$M"';;
	    esac' ::: 1 2 3 4 5 >out 2>err 3>&- &
	pid=$!
	waitfor started-3 started-4
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	# Jobs 3 and 4 were interrupted: neither in the log nor drawn.
	run -0 check run.svg run.log --lanes
	[ "${lines[4]}" = "jobs 2" ]
	[ "${lines[0]}" = "bars 2" ]
	grep -q '<title>#1 on local' run.svg
	grep -q '<title>#2 on local' run.svg
	nothing_left
	no_tmpfiles
}

@test "parx --timeline: an unwritable file is an error before anything runs" {
	run --separate-stderr -255 parx --timeline no/such/dir/t.svg \
	    -c 'touch ran' ::: a
	expect_err "parx: cannot open timeline no/such/dir/t.svg: No such file or directory"
	[ ! -e ran ]
	run --separate-stderr parx --timeline - echo ::: a
	usage_error
	[[ ${stderr_lines[0]} == "parx: --timeline needs a file name"* ]]
	echo kept >run.log
	run --separate-stderr -255 parx --joblog run.log --timeline ./run.log \
	    -c 'touch ran' ::: a
	expect_err "parx: --timeline ./run.log is the job log: it would be overwritten"
	[ ! -e ran ]
	[ "$(cat run.log)" = kept ]
}

@test "parx --timeline: --dry-run draws nothing, no input draws an empty run" {
	need_python
	run -0 parx --dry-run --timeline dry.svg echo ::: a b
	expect "echo a" "echo b"
	[ ! -e dry.svg ]
	run -0 parx --timeline none.svg echo </dev/null
	run -0 check none.svg
	[ "${lines[0]}" = "bars 0" ]
	grep -q '>0 jobs, 0 failed</text>' none.svg
	grep -q '>No job ran.</text>' none.svg
}

@test "parx --timeline: a picture left by an earlier run is replaced whole" {
	need_python
	run -0 parx --timeline t.svg echo ::: a b c d e f g h
	[ "$(wc -c <t.svg)" -gt 2000 ]
	run -0 parx --timeline t.svg echo ::: a
	run -0 check t.svg
	[ "${lines[0]}" = "bars 1" ]
}

@test "parx --timeline with --resume: only the jobs this run ran" {
	need_python
	run -0 parx --joblog run.log echo ::: a b c
	run -0 parx --joblog run.log --resume --timeline t.svg echo ::: a b c d e
	run -0 check t.svg --lanes
	[ "${lines[0]}" = "bars 2" ]
	grep -q '<title>#4 on local' t.svg
	grep -q '<title>#5 on local' t.svg
	# The log holds both runs: parx-timeline draws them all.
	run -0 tl run.log
	run -0 check run.svg run.log
	[ "${lines[4]}" = "jobs 5" ]
}

@test "parx --timeline: hostile bytes in items still give valid XML" {
	need_python
	run -0 parx --joblog run.log --timeline t.svg printf '%s' ::: \
	    "$(printf 'a\001b')" "$(printf '\377\376')" '<&>]]>' \
	    "$(printf 'new\nline')"
	run -0 check t.svg run.log
	[ "${lines[4]}" = "jobs 4" ]
	python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' \
	    t.svg
	grep -Fq '&lt;&amp;&gt;]]&gt;' t.svg
	grep -Fq '\x01' t.svg
}
