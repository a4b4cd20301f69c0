# helpers.bash - shared set-up for the bats files.
#
# The binary under test is $PARX when set (the Makefile sets it, also to
# parx-asan or parx-tsan), else the parx next to tests/.  The stand-in
# commands of tests/bin come first on PATH.  Each test runs in its own
# directory, $T, with TMPDIR pointing at an empty private folder so a test
# can check that parx left no temporary file behind.

bats_require_minimum_version 1.5.0

PARX=${PARX:-$BATS_TEST_DIRNAME/../parx}
case $PARX in
/*)	;;
*)	PARX=$PWD/$PARX ;;
esac
PATH=$BATS_TEST_DIRNAME/bin:$PATH
export PATH
unset PARX_SHELL PARX_SEQ PARX_SLOT

setup()
{
	parx_setup
}

parx_setup()
{
	if [ ! -x "$PARX" ]; then
		echo "no parx binary at $PARX: run make first" >&2
		return 1
	fi
	T=$BATS_TEST_TMPDIR
	TMPDIR=$T/tmp
	export TMPDIR
	mkdir -p "$TMPDIR"
	cd "$T" || return 1
}

# Runs the binary under test.  Its jobs must not hold bats' fd 3 open.
parx()
{
	"$PARX" "$@" 3>&-
}

# True when the binary is a sanitizer build, whose memory use says nothing
# about parx's own.
sanitized()
{
	case ${PARX##*/} in
	*asan* | *tsan*)	return 0 ;;
	esac
	return 1
}

# same EXPECTED ACTUAL [WHAT]: compares two strings, showing both when they
# differ.
same()
{
	if [ "$1" != "$2" ]; then
		printf '%s differs\n--- expected\n%s\n--- actual\n%s\n---\n' \
		    "${3:-output}" "$1" "$2" >&2
		return 1
	fi
}

# expect LINE...: $output must be exactly these lines.
expect()
{
	local want=
	if [ $# -gt 0 ]; then
		want=$(printf '%s\n' "$@")
	fi
	same "$want" "$output" stdout
}

# expect_err LINE...: $stderr (run --separate-stderr) must be these lines.
expect_err()
{
	local want=
	if [ $# -gt 0 ]; then
		want=$(printf '%s\n' "$@")
	fi
	same "$want" "$stderr" stderr
}

# same_file EXPECTED ACTUAL: byte-exact comparison of two files.
same_file()
{
	if ! cmp -s "$1" "$2"; then
		echo "files differ: $1 (expected) and $2 (actual)" >&2
		echo "--- expected" >&2
		od -c "$1" | head -20 >&2
		echo "--- actual" >&2
		od -c "$2" | head -20 >&2
		return 1
	fi
}

# usage_error: the last `run --separate-stderr` was a usage error as in
# SPEC 10 and 13.5: status 255, nothing on stdout, exactly two lines on
# stderr, the first naming the problem.
usage_error()
{
	same 255 "$status" "exit status" || return 1
	same "" "$output" stdout || return 1
	same 2 "${#stderr_lines[@]}" "number of stderr lines" || {
		printf '%s\n' "$stderr" >&2
		return 1
	}
	case ${stderr_lines[0]} in
	"parx: "?*)	;;
	*)	same "parx: PROBLEM" "${stderr_lines[0]}" "first line"
		return 1 ;;
	esac
	same "Try 'parx --help' for more information." "${stderr_lines[1]}" \
	    "second line"
}

# no_tmpfiles: parx left nothing in the private TMPDIR.
no_tmpfiles()
{
	local left
	left=$(ls -A "$TMPDIR")
	same "" "$left" "files left in TMPDIR"
}

# ncpus: the number of online CPUs, which is the default for -j.
ncpus()
{
	getconf _NPROCESSORS_ONLN 2>/dev/null || nproc
}

# peak_rss_kb FILE COMMAND...: runs COMMAND under /usr/bin/time, leaving its
# peak resident set size in kilobytes in FILE.
peak_rss_kb()
{
	local f=$1
	shift
	/usr/bin/time -f %M -o "$f" "$@"
}

# marker_setup: parx_setup, plus $M, a number no other process has on its
# command line: jobs that may outlive a test carry it, so pgrep finds
# whatever a test left behind (marker_teardown kills it, nothing_left
# checks that nothing is).
marker_setup()
{
	parx_setup
	M=$$$RANDOM$BATS_TEST_NUMBER
}

marker_teardown()
{
	local p
	for p in $(pgrep -f "$M" || true); do
		kill -KILL "$p" 2>/dev/null || true
	done
}

nothing_left()
{
	local left
	left=$(pgrep -af "$M" || true)
	same "" "$left" "processes left running"
}
