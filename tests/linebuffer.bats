#!/usr/bin/env bats
# --line-buffer / --lb: output passes on as it comes, in whole lines only;
# a last unterminated line is passed on as it is when its job ends; with -k
# the oldest running job streams and later jobs wait (SPEC 6, 13.3).

load helpers

# whole_lines FILE N TAG...: FILE holds exactly the lines "TAG i end",
# i = 1..N, of every TAG (as `pieces TAG N` prints them), each line whole,
# each job's lines in their order, and nothing else.
whole_lines()
{
	local f=$1 n=$2 tag bad
	shift 2
	bad=$(grep -cvE '^[A-Z] [0-9]+ end$' "$f" || true)
	same 0 "$bad" "lines of $f that are not whole" || {
		grep -vE '^[A-Z] [0-9]+ end$' "$f" | head -5 >&2
		return 1
	}
	same $(($# * n)) "$(wc -l <"$f" | tr -d ' ')" "lines in $f" || return 1
	[ -z "$(tail -c 1 "$f")" ] || {
		echo "$f does not end with a newline" >&2
		return 1
	}
	for tag; do
		same "$(seq -f "$tag %g end" 1 "$n")" "$(grep "^$tag " "$f")" \
		    "lines of job $tag in $f" || return 1
	done
}

@test "--line-buffer: concurrent jobs writing partial lines give whole lines" {
	parx -j8 --line-buffer pieces {} 15 ::: A B C D E F G H >out 2>err
	whole_lines out 15 A B C D E F G H
	[ ! -s err ]
}

@test "--lb: the same on stderr" {
	parx -j8 --lb -c 'pieces {} 15 >&2' ::: A B C D E F G H >out 2>err
	whole_lines err 15 A B C D E F G H
	[ ! -s out ]
}

@test "--lb: stdout and stderr of the same jobs stay apart and whole" {
	parx -j6 --lb -c 'pieces {} 10 & pieces {} 10 >&2; wait' \
	    ::: A B C D E F >out 2>err
	whole_lines out 10 A B C D E F
	whole_lines err 10 A B C D E F
}

@test "--lb: a line longer than any read stays whole among concurrent jobs" {
	parx -j3 --lb -c 'for i in $(seq 30); do
		head -c 5000 /dev/zero | tr "\0" {}; sleep 0.005; done; echo' \
	    ::: A B C >out
	same 3 "$(wc -l <out | tr -d ' ')" "number of lines"
	for c in A B C; do
		same 1 "$(grep -c "^$c*\$" out)" "lines of $c"
	done
	same "150000 150000 150000 " \
	    "$(awk '{ printf "%d ", length($0) }' out)" "line lengths"
}

@test "--lb: another job's whole line passes while a partial line waits" {
	# A's partial line is held; B's line must reach the output first, while
	# A still runs (B waits to see its line there before letting A go on).
	parx -j2 --lb -c 'case {} in
	A)	printf "A-start"; waitfor b-seen; printf " A-end\n" ;;
	B)	echo B; waitline out B; touch b-seen ;;
	esac' ::: A B >out 2>err
	printf 'B\nA-start A-end\n' >want
	same_file want out
	[ ! -s err ]
}

@test "--lb: a last unterminated line is written as is, no newline added" {
	parx -j1 --lb -c 'printf "%s\nlast-%s" {} {}' ::: a b >out 2>err
	printf 'a\nlast-ab\nlast-b' >want
	same_file want out
	[ ! -s err ]
}

@test "--lb: a last unterminated line on stderr is written as is" {
	parx -j1 --lb -c 'printf "%s\nlast-%s" {} {} >&2' ::: a b >out 2>err
	printf 'a\nlast-ab\nlast-b' >want
	same_file want err
	[ ! -s out ]
}

@test "--lb: a job printing only a partial line" {
	parx --lb -c 'printf "no newline"' ::: x >out
	printf 'no newline' >want
	same_file want out
}

@test "--lb: bytes pass unchanged: NUL, CR, 0xff, long output" {
	bytes 200000 5 >want
	parx --lb -c 'bytes 200000 5' ::: x >out 2>err
	same_file want out
	[ ! -s err ]
	no_tmpfiles
}

@test "-k --lb: the first job's line appears before it ends, later jobs wait" {
	# Job 1 checks its first line is out while it runs, then that job 2,
	# already finished, is still held back.
	parx -k -j3 --lb -c 'case {} in
	1)	echo one-a
		waitline out one-a && echo one-live
		waitfor two-done three-done
		grep -qx two out && echo two-leaked
		echo one-b ;;
	2)	echo two; touch two-done ;;
	3)	echo three; echo three-err >&2; touch three-done ;;
	esac' ::: 1 2 3 >out 2>err
	run cat out
	expect one-a one-live one-b two three
	run cat err
	expect three-err
}

@test "-k --lb: input order when later jobs finish first" {
	run -0 --separate-stderr parx -k -j4 --lb \
	    -c 'sleep {}; echo o{}; echo e{} >&2' ::: 0.3 0.2 0.1 0
	expect o0.3 o0.2 o0.1 o0
	expect_err e0.3 e0.2 e0.1 e0
}

@test "-k --lb: unterminated last lines in input order" {
	parx -k -j3 --lb -c 'sleep 0.{}; printf "%s\n-%s" {} {}' ::: 3 2 1 >out
	printf '3\n-32\n-21\n-1' >want
	same_file want out
}

@test "-k --lb: many jobs, every line whole and in input order" {
	parx -k -j8 --lb pieces {} 5 0.005 ::: A B C D E F G H I J >out
	for t in A B C D E F G H I J; do
		seq -f "$t %g end" 1 5
	done >want
	same_file want out
}

@test "--lb: failed jobs are counted" {
	run -2 --separate-stderr parx --lb exitwith ::: 0 3 0 4
}
