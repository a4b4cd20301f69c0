#!/usr/bin/env bats
# Options: -j forms, --help, --version, long forms, usage errors (SPEC 2,
# 5, 10, 13.5, 13.9, 13.17, 13.18).

load helpers

# jobs_ok N ARGS...: parx ARGS runs N jobs at a time: N+2 jobs meet (see
# tests/bin/conc); the first N find each other, and no job ever sees more
# than N running.  With TOTAL set, TOTAL jobs meet instead of N+2.
jobs_ok()
{
	local n=$1 i total=${TOTAL:-$(($1 + 2))}
	shift
	rm -rf meet
	mkdir meet
	run -0 --separate-stderr parx -k "$@" conc meet "$n" \
	    ::: $(seq "$total")
	same "" "$stderr" stderr || return 1
	same $((2 * total)) "${#lines[@]}" "number of lines" || return 1
	local max=0 bad=
	for i in "${lines[@]}"; do
		case $i in
		ok)	;;
		timeout)	bad="$bad timeout" ;;
		*)	[ "$i" -gt "$max" ] && max=$i ;;
		esac
	done
	same "" "$bad" "jobs that never met $n running" || return 1
	same "$n" "$max" "most jobs running at once"
}

@test "-j N runs N jobs at once" {
	jobs_ok 3 -j 3
	jobs_ok 1 -j1
	jobs_ok 2 --jobs 2
	jobs_ok 2 --jobs=2
	jobs_ok 3 -P 3
	jobs_ok 2 -P2
}

@test "the default is the number of online CPUs" {
	n=$(ncpus)
	[ "$n" -le 16 ] || skip "$n CPUs is too many for this check"
	jobs_ok "$n"
}

@test "-j N% is that share of the CPUs, rounded down, at least 1" {
	n=$(ncpus)
	[ "$n" -le 8 ] || skip "$n CPUs is too many for this check"
	jobs_ok $((n * 150 / 100)) -j 150%
	jobs_ok $((n * 200 / 100)) -j 200%
	half=$((n * 50 / 100))
	jobs_ok $((half < 1 ? 1 : half)) -j 50%
	jobs_ok 1 -j 1%
}

@test "-j +N and -N are relative to the CPUs, at least 1" {
	n=$(ncpus)
	[ "$n" -le 12 ] || skip "$n CPUs is too many for this check"
	jobs_ok $((n + 2)) -j +2
	jobs_ok $((n - 1 < 1 ? 1 : n - 1)) -j -1
	jobs_ok 1 -j -1000
}

@test "-j 0 runs as many at once as the limits allow" {
	TOTAL=12 jobs_ok 12 -j 0
}

@test "{%} stays within 1..N for the computed -j" {
	run -0 --separate-stderr parx -k -j -1000 args {%} ::: a b c
	expect 1 1 1
	run -0 --separate-stderr parx -k -j 1% args {%} ::: a b c
	expect 1 1 1
	n=$(ncpus)
	seq 12 >in
	run -0 --separate-stderr parx -k -j +1 -c 'sleep 0.01; echo {%}' <in
	bad=$(printf '%s\n' "${lines[@]}" |
	    awk -v n=$((n + 1)) '$1 < 1 || $1 > n' )
	same "" "$bad" "slots outside 1..$((n + 1))"
}

@test "--help prints on stdout and exits 0" {
	run -0 --separate-stderr parx --help
	expect_err
	[[ ${lines[0]} == *parx* ]]
	[ "${#lines[@]}" -gt 5 ]
	help=$output
	run -0 --separate-stderr parx -h
	same "$help" "$output"
}

@test "--help wins over a command" {
	run -0 --separate-stderr parx --help touch ran ::: a
	[ ! -e ran ]
}

@test "--version prints one line on stdout and exits 0" {
	run -0 --separate-stderr parx --version
	expect_err
	same 1 "${#lines[@]}" "number of lines"
	[[ $output == parx\ [0-9]* ]]
}

@test "long options take their argument with = or as the next word" {
	printf 'a,b' >in
	run -0 --separate-stderr parx --keep-order --delimiter=, --jobs=2 \
	    --max-args=2 args <in
	expect 'a|b'
}

@test "usage error: unknown option" {
	run --separate-stderr parx --bogus touch ran ::: a
	usage_error
	run --separate-stderr parx -Z touch ran ::: a
	usage_error
	[ ! -e ran ]
}

@test "usage error: missing argument" {
	run --separate-stderr parx -j
	usage_error
	run --separate-stderr parx --timeout
	usage_error
	run --separate-stderr parx -a
	usage_error
}

@test "usage error: bad number" {
	for o in '-j x' '-j 1x' '-j ""' '-j 2.5' '-j %' '-j +' '-j ++1' \
	    '-n 0' '-n x' '-n -1' '-n 99999999999999999999' '--retries x'; do
		eval "run --separate-stderr parx $o touch ran ::: a"
		usage_error || { echo "option: $o" >&2; return 1; }
	done
	[ ! -e ran ]
}

@test "usage error: bad duration" {
	for o in '--timeout x' '--timeout -1' '--timeout 1y' '--delay ""'; do
		eval "run --separate-stderr parx $o touch ran ::: a"
		usage_error || { echo "option: $o" >&2; return 1; }
	done
	[ ! -e ran ]
}

@test "usage error: bad delimiter" {
	for d in '' ab '\q' '\x' '\xg0' '\x1' '\x123'; do
		run --separate-stderr parx -d "$d" touch ran ::: a
		usage_error || { echo "delimiter: $d" >&2; return 1; }
	done
	[ ! -e ran ]
}

@test "usage error: bad --colsep regex" {
	run --separate-stderr parx --colsep '(' touch ran ::: a
	usage_error
	[ ! -e ran ]
}

@test "usage error: -k with -u" {
	run --separate-stderr parx -k -u touch ran ::: a
	usage_error
	[ ! -e ran ]
}

@test "no command is no usage error: the items are command lines" {
	run -0 --separate-stderr parx </dev/null
	expect
	expect_err
	run -0 --separate-stderr parx -k ::: 'echo a' 'echo b'
	expect a b
}

@test "usage error: an unreadable -a file" {
	run --separate-stderr parx -a nosuch touch ran
	usage_error
	[[ ${stderr_lines[0]} == *nosuch* ]]
	[ ! -e ran ]
}

@test "usage error: an unreadable :::: file" {
	printf 'a\n' >good
	run --separate-stderr parx touch ran :::: good nosuch
	usage_error
	[[ ${stderr_lines[0]} == *nosuch* ]]
	[ ! -e ran ]
}

@test "usage error: a file without read permission" {
	[ "$(id -u)" != 0 ] || skip "root can read any file"
	printf 'a\n' >secret
	chmod 000 secret
	run --separate-stderr parx -a secret touch ran
	usage_error
	run --separate-stderr parx touch ran :::: secret
	usage_error
	[ ! -e ran ]
}

@test "usage error: -c with a command word" {
	run --separate-stderr parx -c 'echo {}' echo ::: a
	usage_error
}

@test "usage error: a directory as a source (-a, ::::, ::::+, stdin)" {
	mkdir dir
	run --separate-stderr parx -a dir touch ran
	usage_error
	[[ ${stderr_lines[0]} == *"dir: Is a directory"* ]]
	run --separate-stderr parx touch ran :::: dir
	usage_error
	run --separate-stderr parx touch ran ::: a ::::+ dir
	usage_error
	run --separate-stderr parx touch ran <dir
	usage_error
	[ ! -e ran ]
}
