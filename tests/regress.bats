#!/usr/bin/env bats
# Regressions: each test reproduces a bug found by the reliability gates
# (fuzzing, tests/stress.sh, valgrind, the fault tests), so that it stays
# fixed.  The comment above each says where it was found and what went
# wrong.

load helpers

# slow_count: counts the bytes of stdin, reading 4 KB at a time with a
# short pause, so the pipe into it is often full.
slow_count()
{
	perl -e 'while (sysread(STDIN, $b, 4096)) { $n += length $b;
	    select(undef, undef, undef, 0.0002) } print "$n\n"'
}

need_perl()
{
	command -v perl >/dev/null 2>&1 || skip "needs perl for a slow reader"
}

# Found by tests/stress.sh: with stdout a pipe that is often full, the job
# passing its output straight through (splice) lost the end of it.  When
# the job has exited, its pipe is drained in non-blocking mode; splice(2)
# then also fails with EAGAIN when stdout is full, which was taken as the
# end of the job's output, and the rest of the pipe was dropped.
@test "pass-through to a full stdout pipe loses no byte (completion order)" {
	need_perl
	for i in 1 2 3 4 5 6 7 8; do
		got=$("$PARX" -j4 sh -c 'head -c 100000 /dev/zero | tr "\0" x' \
		    ::: $(seq 40) 3>&- | slow_count)
		same 4000000 "$got" "bytes received in run $i"
	done
}

@test "pass-through to a full stdout pipe loses no byte (-k)" {
	need_perl
	want=$(for i in $(seq 30); do bytes 100000 "$i"; done | cksum)
	for i in 1 2 3 4; do
		"$PARX" -k -j4 bytes 100000 {} ::: $(seq 30) 3>&- |
		    perl -e 'while (sysread(STDIN, $b, 4096)) { print $b;
		    select(undef, undef, undef, 0.0002) }' >"$T/out"
		same "$want" "$(cksum <"$T/out")" "cksum in run $i"
	done
}

# leak_free ARGS...: parx ARGS exits 0 with no definite or indirect leak,
# checked by LeakSanitizer in an ASan build, else by valgrind.
leak_free()
{
	case ${PARX##*/} in
	*asan*)
		run -0 --separate-stderr parx "$@"
		return ;;
	*tsan*)
		skip "no leak checker in a TSan build" ;;
	esac
	command -v valgrind >/dev/null 2>&1 || skip "needs valgrind"
	run -0 --separate-stderr valgrind -q --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    "$PARX" "$@" 3>&-
}

# Found by make valgrind (and LeakSanitizer): the --colsep pattern with
# its \t and \n turned into bytes was never freed.
@test "--colsep leaks no memory" {
	leak_free --colsep '\t' echo {2} ::: "$(printf 'a\tb')"
	expect b
}

# Found with the parse fuzzer: a second --colsep compiled over the first
# without freeing it.
@test "--colsep given twice leaks no memory" {
	leak_free --colsep , --colsep ';' echo {2} ::: 'a;b'
	expect b
}
