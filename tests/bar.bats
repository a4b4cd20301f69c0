#!/usr/bin/env bats
# --bar: progress on stderr, on a terminal and off one (SPEC §5, §13.15).

bats_require_minimum_version 1.5.0

setup() {
	PARX=${PARX:-$BATS_TEST_DIRNAME/../parx}
	T=$BATS_TEST_TMPDIR
	ESC=$(printf '\033')
	CR=$(printf '\r')
}

# Runs parx with its arguments under a pseudo-terminal (stdin and stderr on
# it, and stdout too when $1 is "-a", else $T/stdout); the terminal's bytes
# go to $T/tty and parx's exit status to $rc.
on_tty() {
	local cmd out
	command -v script >/dev/null || skip "script(1) is not installed"
	out=" >$(printf '%q' "$T/stdout")"
	if [ "$1" = -a ]; then
		out=
		shift
	fi
	cmd=$(printf '%q ' "$PARX" "$@")
	rc=0
	script -qfec "$cmd$out" /dev/null </dev/null >"$T/tty" 2>&1 || rc=$?
}

@test "bar: off a terminal the final line has the counts" {
	run -0 --separate-stderr "$PARX" --bar printf '%s\n' ::: a b c
	[ "$(sort <<<"$output")" = "$(printf 'a\nb\nc')" ]
	last=${stderr_lines[${#stderr_lines[@]} - 1]}
	re='^parx: 3/3 100% [0-9]+\.[0-9] jobs/s elapsed [0-9]+:[0-9][0-9]'
	[[ $last =~ $re ]]
	[[ $last != *failed* ]]
	[[ $stderr != *"$CR"* ]]
	[[ $stderr != *"$ESC"* ]]
	[ "${#last}" -lt 80 ]
}

@test "bar: failures are counted" {
	run -2 --separate-stderr "$PARX" --bar sh -c 'exit "$1"' sh ::: 0 1 3
	last=${stderr_lines[${#stderr_lines[@]} - 1]}
	[[ $last == "parx: 3/3 100% "* ]]
	[[ $last == *" failed 2" ]]
}

@test "bar: never writes to stdout" {
	run -0 --separate-stderr "$PARX" --bar true ::: 1 2 3 4 5
	[ "$output" = "" ]
	[[ ${stderr_lines[${#stderr_lines[@]} - 1]} == "parx: 5/5 100% "* ]]
	run -0 --separate-stderr "$PARX" --bar true </dev/null
	[ "$output" = "" ]
}

@test "bar: items from stdin are counted once read" {
	run -0 --separate-stderr "$PARX" --bar true < <(seq 7)
	[[ ${stderr_lines[${#stderr_lines[@]} - 1]} == "parx: 7/7 100% "* ]]
}

@test "bar: off a terminal at most one line a second" {
	start=$(date +%s%N)
	run -0 --separate-stderr "$PARX" --bar -j1 sleep ::: 0.3 0.3 0.3 0.3 \
	    0.3 0.3 0.3 0.3
	end=$(date +%s%N)
	secs=$(( (end - start) / 1000000000 ))
	n=${#stderr_lines[@]}
	[ "$n" -ge 2 ]
	[ "$n" -le $((secs + 1)) ]
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ ^parx:\ [0-9]+/([0-9]+|\?)\  ]]
	done
	[[ ${stderr_lines[n - 1]} == "parx: 8/8 100% "* ]]
}

@test "bar: on a terminal it redraws one line and clears it at the end" {
	on_tty --bar -j1 sleep ::: 0.2 0.2 0.2 0.2
	[ "$rc" -eq 0 ]
	[ ! -s "$T/stdout" ]
	tty=$(cat "$T/tty")
	# Redrawn in place: carriage returns and clear-to-end-of-line, no
	# newline.
	[[ $tty == *"${CR}parx: "*/4\ *"$ESC[K"* ]]
	[[ $tty == *"ETA "[0-9]* ]]
	[[ $tty == *" jobs/s elapsed "* ]]
	[[ $tty != *$'\n'* ]]
	[[ $tty == *"${CR}${ESC}[K" ]]
	# Every drawn line fits in 80 columns.
	awk 'BEGIN { RS = "\r" } length($0) > 83 { exit 1 }' "$T/tty"
}

@test "bar: on a terminal the failures are shown" {
	on_tty --bar -j1 sh -c 'sleep 0.2; exit "$1"' sh ::: 1 1 0
	[ "$rc" -eq 2 ]
	[ ! -s "$T/stdout" ]
	[[ $(cat "$T/tty") == *" failed 2"* ]]
}

@test "bar: on a terminal job output does not follow the progress text" {
	on_tty -a --bar -j1 \
	    sh -c 'sleep 0.2; echo "out $1"; echo "err $1" >&2' sh ::: a b c
	[ "$rc" -eq 0 ]
	tty=$(cat "$T/tty")
	for x in a b c; do
		[[ $tty == *"out $x"* ]] && [[ $tty == *"err $x"* ]]
	done
	# The progress text (text, then clear-to-end-of-line) is followed
	# only by a carriage return, never by output on the same line.
	[[ $tty != *[!$CR]"$ESC[K"[!$CR]* ]]
}
