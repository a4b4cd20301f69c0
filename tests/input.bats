#!/usr/bin/env bats
# Input: stdin lines, -0, -d, -a, ::: and ::::, several sources, --link,
# -n, --colsep, NUL bytes in items, empty input, streaming (SPEC 3, 13.1,
# 13.2, 13.7).

load helpers

@test "stdin: each line is an item, the newline is not part of it" {
	printf 'a\nb c\n' >in
	run -0 --separate-stderr parx -k -j2 args x <in
	expect 'x|a' 'x|b c'
	expect_err
}

@test "stdin: an empty line is an item" {
	printf 'a\n\nb\n' >in
	run -0 --separate-stderr parx -k args x <in
	expect 'x|a' 'x|' 'x|b'
}

@test "stdin: a single newline is one empty item" {
	printf '\n' >in
	run -0 --separate-stderr parx -k args x <in
	expect 'x|'
}

@test "stdin: a last line without newline is still an item" {
	printf 'a\nb' >in
	run -0 --separate-stderr parx -k args x <in
	expect 'x|a' 'x|b'
}

@test "stdin: a carriage return stays in the item" {
	printf 'a\r\n' >in
	parx -k args x <in >out
	printf 'x|a\r\n' >want
	same_file want out
}

@test "empty input runs nothing and exits 0" {
	: >in
	run -0 --separate-stderr parx -k touch ran <in
	expect
	expect_err
	[ ! -e ran ]
}

@test "empty -a file runs nothing and exits 0" {
	: >empty
	run -0 --separate-stderr parx -a empty exitwith 3
	expect
	expect_err
}

@test "-0: items end at NUL bytes and may hold newlines" {
	printf 'a b\0c\nd\0e' >in
	parx -0 -k args x <in >out
	printf 'x|a b\nx|c\nd\nx|e\n' >want
	same_file want out
}

@test "--null is -0" {
	printf 'a\0b\0' >in
	run -0 --separate-stderr parx --null -k args <in
	expect a b
}

@test "-0: a trailing NUL adds no empty item" {
	printf 'a\0b\0' >in
	run -0 --separate-stderr parx -0 -k args x <in
	expect 'x|a' 'x|b'
}

@test "-0: two NULs in a row make an empty item (x NUL NUL y is three items)" {
	printf 'x\0\0y' >in
	run -0 --separate-stderr parx -0 -k args i <in
	expect 'i|x' 'i|' 'i|y'
}

@test "-0: a lone NUL is one empty item" {
	printf '\0' >in
	run -0 --separate-stderr parx -0 -k args i <in
	expect 'i|'
}

@test "-d ,: 'a,b,' is two items" {
	printf 'a,b,' >in
	run -0 --separate-stderr parx -d , -k args x <in
	expect 'x|a' 'x|b'
}

@test "-d ,: 'a,,b' is three items, the last unterminated" {
	printf 'a,,b' >in
	run -0 --separate-stderr parx -d , -k args x <in
	expect 'x|a' 'x|' 'x|b'
}

@test "-d ,: newlines are ordinary bytes of the item" {
	printf 'a\n,b\n' >in
	parx -d , -k args x <in >out
	printf 'x|a\n\nx|b\n\n' >want
	same_file want out
}

@test "--delimiter is -d" {
	printf 'a:b' >in
	run -0 --separate-stderr parx --delimiter : -k args <in
	expect a b
	run -0 --separate-stderr parx --delimiter=: -k args <in
	expect a b
}

@test "-d '\\n' is the default" {
	printf 'a\nb\n' >in
	run -0 --separate-stderr parx -d '\n' -k args x <in
	expect 'x|a' 'x|b'
}

@test "-d '\\t' splits at tabs" {
	printf 'a b\tc\t' >in
	run -0 --separate-stderr parx -d '\t' -k args x <in
	expect 'x|a b' 'x|c'
}

@test "-d '\\0' is -0" {
	printf 'a\0b\0' >in
	run -0 --separate-stderr parx -d '\0' -k args x <in
	expect 'x|a' 'x|b'
}

@test "-d '\\\\' splits at backslashes" {
	printf 'a\\b\\' >in
	run -0 --separate-stderr parx -d '\\' -k args x <in
	expect 'x|a' 'x|b'
}

@test "-d '\\xHH' takes a hex byte, either case" {
	printf 'a,b,' >in
	run -0 --separate-stderr parx -d '\x2c' -k args x <in
	expect 'x|a' 'x|b'
	printf 'a\377b' >in
	run -0 --separate-stderr parx -d '\xFF' -k args x <in
	expect 'x|a' 'x|b'
	printf 'a\0b' >in
	run -0 --separate-stderr parx -d '\x00' -k args x <in
	expect 'x|a' 'x|b'
}

@test "-a FILE reads items from FILE, not stdin" {
	printf 'f1\nf2\n' >f
	printf 'stdin\n' >in
	run -0 --separate-stderr parx -k -a f args x <in
	expect 'x|f1' 'x|f2'
	run -0 --separate-stderr parx -k --arg-file f args x <in
	expect 'x|f1' 'x|f2'
	run -0 --separate-stderr parx -k --arg-file=f args x <in
	expect 'x|f1' 'x|f2'
}

@test "-a - reads stdin" {
	printf 'a\nb\n' >in
	run -0 --separate-stderr parx -k -a - args <in
	expect a b
}

@test "-a is repeatable: each file is one source, first varies slowest" {
	printf 'a\nb\n' >f1
	printf '1\n2\n3\n' >f2
	run -0 --separate-stderr parx -k -a f1 -a f2 args
	expect 'a|1' 'a|2' 'a|3' 'b|1' 'b|2' 'b|3'
}

@test "-a with -0 reads NUL-separated items" {
	printf 'a\nb\0c\0' >f
	parx -0 -k -a f args x >out
	printf 'x|a\nb\nx|c\n' >want
	same_file want out
}

@test "::: takes the following words as items" {
	run -0 --separate-stderr parx -k args x ::: a 'b c' ''
	expect 'x|a' 'x|b c' 'x|'
}

@test "several ::: groups form the cartesian product, first slowest" {
	run -0 --separate-stderr parx -k args ::: a b ::: 1 2 ::: X Y
	expect 'a|1|X' 'a|1|Y' 'a|2|X' 'a|2|Y' \
	    'b|1|X' 'b|1|Y' 'b|2|X' 'b|2|Y'
}

@test "the product numbers its jobs {#} in that order" {
	run -0 --separate-stderr parx -k args {#} {1} {2} ::: a b ::: 1 2
	expect '1|a|1' '2|a|2' '3|b|1' '4|b|2'
}

@test ":::: FILE: each file is one source" {
	printf 'a\nb\n' >f1
	printf '1\n2\n' >f2
	run -0 --separate-stderr parx -k args :::: f1 f2
	expect 'a|1' 'a|2' 'b|1' 'b|2'
}

@test ":::: - reads stdin" {
	printf 'a\nb\n' >in
	run -0 --separate-stderr parx -k args x :::: - <in
	expect 'x|a' 'x|b'
}

@test "::: and :::: mix, in the order given" {
	printf '1\n2\n' >f
	run -0 --separate-stderr parx -k args ::: a b :::: f ::: z
	expect 'a|1|z' 'a|2|z' 'b|1|z' 'b|2|z'
}

@test "--link pairs sources element by element, shorter ones wrap around" {
	run -0 --separate-stderr parx -k --link args ::: a b c ::: 1 2
	expect 'a|1' 'b|2' 'c|1'
	run -0 --separate-stderr parx -k --link args ::: a ::: 1 2 3 ::: x y
	expect 'a|1|x' 'a|2|y' 'a|3|x'
}

@test "--link with files and equal lengths" {
	printf 'a\nb\n' >f1
	printf '1\n2\n' >f2
	run -0 --separate-stderr parx -k --link args {2} {1} :::: f1 f2
	expect '1|a' '2|b'
}

@test "-n N puts up to N items in each job" {
	seq 5 >in
	run -0 --separate-stderr parx -k -n 2 args x <in
	expect 'x|1|2' 'x|3|4' 'x|5'
	run -0 --separate-stderr parx -k --max-args 3 args x ::: a b c d
	expect 'x|a|b|c' 'x|d'
}

@test "-n N: {N} picks item N, {#} counts jobs" {
	seq 4 >in
	run -0 --separate-stderr parx -k -n 2 args {#} {2} {1} <in
	expect '1|2|1' '2|4|3'
}

@test "-n N: a whole-word {} is one word per item, embedded {} joins them" {
	seq 5 >in
	run -0 --separate-stderr parx -k -n 2 args {} x{}y <in
	expect '1|2|x1 2y' '3|4|x3 4y' '5|x5y'
}

@test "--colsep splits items into columns for {1} {2} ..." {
	printf 'a b\tc\n' >in
	run -0 --separate-stderr parx -k --colsep "$(printf '\t')" args {2} {1} <in
	expect 'c|a b'
}

@test "--colsep: the separator is an extended regex" {
	printf 'a  b   c\nd e f\n' >in
	run -0 --separate-stderr parx -k --colsep ' +' args {3} {2} {1} <in
	expect 'c|b|a' 'f|e|d'
	printf 'a1b22c\n' >in
	run -0 --separate-stderr parx -k --colsep '[0-9]+' args {1}{2}{3} <in
	expect 'abc'
}

@test "--colsep: {} is the whole item" {
	printf 'a,b\n' >in
	run -0 --separate-stderr parx -k --colsep , args {} {2} <in
	expect 'a,b|b'
}

@test "--colsep: without a replacement string the columns are appended" {
	printf 'a,b c,d\n' >in
	run -0 --separate-stderr parx -k --colsep , args x <in
	expect 'x|a|b c|d'
}

@test "--colsep: {N} past the last column is empty" {
	printf 'a,b\n' >in
	run -0 --separate-stderr parx -k --colsep , args {3} {1} x{3}y <in
	expect '|a|xy'
}

@test "--colsep: an empty leading column is kept" {
	printf ',a\n' >in
	run -0 --separate-stderr parx -k --colsep , args {1} {2} <in
	expect '|a'
}

@test "--colsep: {10} and {11.}-style forms with many columns" {
	printf '1,2,3,4,5,6,7,8,9,10,d/e.f\n' >in
	run -0 --separate-stderr parx -k --colsep , \
	    args {10} {11} {11.} {11/} {11//} {11/.} {1} <in
	expect '10|d/e.f|d/e|e.f|d|e|1'
}

@test "--colsep with ::: items" {
	run -0 --separate-stderr parx -k --colsep : args {2} ::: a:b c:d
	expect 'b' 'd'
}

@test "an item with a NUL byte fails that job only, with the exact message" {
	printf 'a\nb\0c\nd\n' >in
	run -1 --separate-stderr parx -k -j1 args x <in
	expect 'x|a' 'x|d'
	expect_err 'parx: job 2: item contains a NUL byte (use -0)'
}

@test "a NUL byte in an item under -d fails that job, others go on" {
	printf 'a,b\0,c\0d,e' >in
	run -2 --separate-stderr parx -k -j2 -d , args <in
	expect 'a' 'e'
	expect_err 'parx: job 2: item contains a NUL byte (use -0)' \
	    'parx: job 3: item contains a NUL byte (use -0)'
}

@test "a NUL byte in an -a file item, other sources fine" {
	printf 'x\0y\nz\n' >f
	run -2 --separate-stderr parx -k -a f args ::: 1 2
	expect 'z|1' 'z|2'
	# The -a source comes first: its first item is in jobs 1 and 2.
	expect_err 'parx: job 1: item contains a NUL byte (use -0)' \
	    'parx: job 2: item contains a NUL byte (use -0)'
}

@test "jobs start before the input ends" {
	mkfifo fifo
	(
		printf 'first\n'
		i=0
		while [ ! -e first.done ] && [ "$i" -lt 200 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		[ -e first.done ] && echo yes >seen
		printf 'second\n'
	) >fifo 3>&- &
	run -0 --separate-stderr parx -k -j2 -c 'touch "$1.done"; echo "$1"' <fifo
	wait
	expect first second
	[ -e seen ]
}

@test "the reader does not read far ahead of the running jobs" {
	[ -d /proc/self/fd ] || skip "no /proc/PID/fd here"
	seq 3000000 >big
	size=$(wc -c <big)
	# The first job finds the descriptor parx reads the file with and
	# notes how far it got, then kills parx: the input is far longer than
	# a bounded queue may hold.
	run --separate-stderr parx -j1 -a big -c '
	    for f in /proc/$PPID/fd/*; do
		if [ "$(readlink "$f")" = "$(pwd -P)/big" ]; then
		    sed -n "s/^pos:[[:space:]]*//p" \
			/proc/$PPID/fdinfo/"${f##*/}" >pos
		fi
	    done
	    kill -KILL $PPID'
	[ -s pos ]
	pos=$(cat pos)
	echo "parx had read $pos of $size bytes" >&2
	[ "$pos" -lt $((size / 4)) ]
}
