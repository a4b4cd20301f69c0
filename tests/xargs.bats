#!/usr/bin/env bats
# xargs.bats - xargs habits (SPEC 11.7): -X and -m put as many items in a
# job as the argument limit allows (-s lowers it), never failing with
# E2BIG because of it and keeping items in order; -L, -E, -r, -i and
# --max-procs.  Where xargs does the same, its real output is the
# expected one; for -X's context replace, GNU parallel's.

load helpers

# gnu ARGS...: GNU parallel, or a skip saying it is missing.
gnu()
{
	command -v parallel >/dev/null 2>&1 &&
	    parallel --version 2>/dev/null | grep -q 'GNU parallel' ||
	    skip "GNU parallel is not installed (.ci/run installs it)"
	parallel --will-cite "$@" 3>&-
}

@test "-X -s N packs the lines of commands as xargs -s N does" {
	seq 1000 >in
	for s in 20 100 1000 4096; do
		want=$(xargs -s "$s" echo <in)
		run -0 --separate-stderr parx -j1 -k -X -s "$s" echo <in
		same "$want" "$output" "-X -s $s"
		run -0 --separate-stderr parx -j1 -k -m --max-chars="$s" echo <in
		same "$want" "$output" "-m --max-chars=$s"
		run -0 --separate-stderr parx -j1 -k -s "$s" echo <in
		same "$want" "$output" "-s $s alone"
	done
}

@test "-X: as many items as the system allows, in order, few jobs" {
	seq 100000 >in
	run -0 --separate-stderr parx -j1 -k -X echo <in
	expect_err
	[ "${#lines[@]}" -le 3 ] || {
		echo "${#lines[@]} jobs for 100000 short items"
		return 1
	}
	same "$(cat in)" "$(printf '%s\n' "${lines[@]}" | tr ' ' '\n')" items
}

@test "find -print0 | parx -0 -X rm: a handful of jobs, every file gone" {
	mkdir d
	long=$(printf 'x%.0s' $(seq 200))
	(cd d && seq 3000 | sed "s/\$/.$long/" | xargs touch)
	run -0 --separate-stderr sh -c 'find d -type f -print0 |
	    "$1" -0 -X --joblog log rm' sh "$PARX"
	expect_err
	same "" "$(ls -A d)" "files left"
	jobs=$(($(wc -l <log) - 1))
	[ "$jobs" -ge 1 ] && [ "$jobs" -le 5 ] || {
		echo "$jobs jobs for 3000 files of 200 bytes"
		return 1
	}
}

@test "never E2BIG from packing: long items, a joining word, -c" {
	python3 -c 'print(("y" * 40000 + "\n") * 12, end="")' >in 2>/dev/null ||
	    for i in $(seq 12); do head -c 40000 /dev/zero | tr '\0' y; echo; done >in
	# {} in a word joins the items: no argument may pass 128 KiB.
	run -0 --separate-stderr parx -j1 -k -m printf '%s\n' 'a{}b' <in
	expect_err
	same 12 "$(printf '%s\n' "$output" | tr -cd y | wc -c |
	    awk '{ print $1 / 40000 }')" "items printed"
	run -0 --separate-stderr parx -j1 -k -X -c 'printf "%s\n" {} "$@"' <in
	expect_err
	same 24 "${#lines[@]}" "lines"
	# 2 MiB of 3-byte items, with an environment of 100 KB.
	seq 700000 >many
	BIG=$(head -c 100000 /dev/zero | tr '\0' e) run -0 --separate-stderr \
	    parx -j2 -X true <many
	expect_err
}

@test "-X repeats a word with {} for each item; -m joins them" {
	run -0 --separate-stderr parx -j1 -k -X echo pre-{}-post ::: A B C
	expect "pre-A-post pre-B-post pre-C-post"
	want=$output
	run -0 --separate-stderr gnu -j1 -k -X echo pre-{}-post ::: A B C
	same "$want" "$output" "GNU parallel -X"
	run -0 --separate-stderr parx -j1 -k -m echo pre-{}-post ::: A B C
	expect "pre-A B C-post"
	want=$output
	run -0 --separate-stderr gnu -j1 -k -m echo pre-{}-post ::: A B C
	same "$want" "$output" "GNU parallel -m"
	run -0 --separate-stderr parx -j1 -k --xargs echo pre-{}-post ::: A B C
	same "$want" "$output" "--xargs"
	run -0 --separate-stderr parx -j1 -k -X echo {#} {} ::: A B C
	expect "1 A B C"
}

@test "-X with -j N and little input: the items are shared out" {
	run -0 --separate-stderr parx -j4 -k -X echo ::: 1 2 3 4 5 6 7 8 9
	expect "1 2 3" "4 5" "6 7" "8 9"
	run -0 --separate-stderr parx -j4 -k -X echo ::: 1 2
	expect 1 2
	run -0 --separate-stderr parx -j1 -k -X echo ::: 1 2 3
	expect "1 2 3"
}

@test "-X -n N: at most N items per job" {
	seq 7 >in
	run -0 --separate-stderr parx -j1 -k -X -n 3 echo <in
	expect "1 2 3" "4 5 6" 7
	same "$(xargs -n 3 echo <in)" "$output" "xargs -n 3"
}

@test "-s: too small for the command or a ::: item is a usage error" {
	run --separate-stderr parx -X -s 4 echo ::: a
	usage_error
	[[ ${stderr_lines[0]} == *"-s 4 is too small"* ]]
	run --separate-stderr parx -s 10 echo ::: a abcdefghij
	usage_error
	[[ ${stderr_lines[0]} == *"abcdefghij"* ]]
	run --separate-stderr parx -s 0 echo ::: a
	usage_error
	# An item read later: that job fails, the others run.
	printf 'a\nabcdefghij\nb\n' >in
	run -1 --separate-stderr parx -j1 -k -s 10 echo <in
	expect a b
	expect_err "parx: job 2: item too long for -s 10"
}

@test "-L N: N lines per job, like xargs -L; -L 0 and -L with -n refused" {
	seq 7 >in
	run -0 --separate-stderr parx -j1 -k -L 3 echo <in
	same "$(xargs -L 3 echo <in)" "$output" "xargs -L 3"
	run -0 --separate-stderr parx -j1 -k --max-lines=2 echo x{}y <in
	expect "x1y x2y" "x3y x4y" "x5y x6y" x7y
	run --separate-stderr parx -L 0 echo ::: a
	usage_error
	run --separate-stderr parx -L 2 -n 2 echo ::: a
	usage_error
}

@test "-E STR ends the input at an item equal to STR" {
	printf 'a\nb\nSTOP\nc\n' >in
	run -0 --separate-stderr parx -j1 -k -E STOP echo <in
	expect a b
	same "$(xargs -n1 -E STOP echo <in)" "$output" "xargs -E"
	run -0 --separate-stderr parx -k -E b echo ::: a b c
	expect a
	run -0 --separate-stderr parx -k -E '' echo ::: a b
	expect a b
}

@test "-r, --no-run-if-empty: accepted, empty input runs nothing" {
	run -0 --separate-stderr parx -r echo x </dev/null
	same "$(xargs -r echo x </dev/null)" "$output" "xargs -r"
	run -0 --separate-stderr parx --no-run-if-empty -k echo x <<<a
	expect "x a"
}

@test "-i and -iSTR, as xargs -i" {
	printf 'a\nb\n' >in
	run -0 --separate-stderr parx -j1 -k -i echo x{}y <in
	same "$(xargs -i echo x{}y <in)" "$output" "xargs -i"
	run -0 --separate-stderr parx -j1 -k -iQQ echo xQQy <in
	same "$(xargs -iQQ echo xQQy <in)" "$output" "xargs -iQQ"
}

@test "--max-procs N is -P N" {
	run -0 --separate-stderr parx --max-procs 2 -k echo ::: a b
	expect a b
	run -0 --separate-stderr parx --max-procs=3 -k echo ::: a
	expect a
	run --separate-stderr parx --max-procs x echo ::: a
	usage_error
}

@test "-X and -m refuse several sources and --colsep" {
	run --separate-stderr parx -X echo ::: a ::: b
	usage_error
	run --separate-stderr parx -m echo ::: a ::: b
	usage_error
	run --separate-stderr parx -X --colsep , echo ::: a,b
	usage_error
	run --separate-stderr parx -L 2 echo ::: a ::: b
	usage_error
}

@test "no command with -X: the items make one command line" {
	run -0 --separate-stderr parx -j1 -X ::: echo a b
	expect "a b"
}
