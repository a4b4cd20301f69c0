#!/usr/bin/env bats
# docs.bats - --help, --version, the man page and the shell completions
# against the one list of options: longopts[] and shortopts[] in
# src/options.c, and for parx-timeline in src/parx-timeline.c.  An option
# added there and not documented everywhere makes a test here fail, naming
# the option and the place.  The helpers read SRC, MAN and the completion
# files from the variables below; the parx-timeline tests set them for the
# call (TLSRC, TLMAN).

bats_require_minimum_version 1.5.0

ROOT=$BATS_TEST_DIRNAME/..
SRC=$ROOT/src/options.c
MAN=$ROOT/man/parx.1
PARX=${PARX:-$ROOT/parx}
case $PARX in
/*) ;;
*) PARX=$PWD/$PARX ;;
esac
TL=${PARX_TIMELINE:-$ROOT/parx-timeline}
case $TL in
/*) ;;
*) TL=$PWD/$TL ;;
esac
TLSRC=$ROOT/src/parx-timeline.c
TLMAN=$ROOT/man/parx-timeline.1
BASHCOMP=$ROOT/completions/parx.bash
BASHVAR=_parx
ZSHCOMP=$ROOT/completions/_parx
FISHCOMP=$ROOT/completions/parx.fish

# The long options, one per line, with their dashes: --null, --delimiter...
long_options()
{
	sed -n '/longopts\[\][[:space:]]*=/,/^};/p' "$SRC" |
	    sed -n 's/^[[:space:]]*{[[:space:]]*"\([^"]*\)".*/--\1/p'
}

# The short options, one per line: -0, -a...
short_options()
{
	sed -n 's/.*shortopts\[\][[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' \
	    "$SRC" | tr -d '+:' | fold -w1 | sed 's/^/-/'
}

all_options()
{
	long_options
	short_options
}

# Succeeds when option $1 occurs in standard input as a word of its own.
mentions()
{
	grep -Eq -- "(^|[^[:alnum:]-])$1([^[:alnum:]-]|\$)"
}

# Prints the options of the list $2 (one per line) that are not mentioned in
# the text $1, after the label $3.
missing_from()
{
	local text=$1 opt bad=

	while IFS= read -r opt; do
		printf '%s\n' "$text" | mentions "$opt" || bad="$bad $opt"
	done <<EOF
$2
EOF
	if [ -n "$bad" ]; then
		echo "missing from $3:$bad"
		return 1
	fi
}

# The options that the man page gives an item of their own in a list: the
# words after Fl on its .It lines (and inside an .It Xo ... .Xc head).
man_items()
{
	awk '/^\.It/ || xo {
		if ($0 ~ /^\.It Xo/)
			xo = 1
		if ($0 ~ /^\.Xc/)
			xo = 0
		for (i = 1; i < NF; i++)
			if ($i == "Fl") {
				o = $(i + 1)
				gsub(/\\/, "", o)
				print "-" o
			}
	}' "$MAN"
}

# The options of the bash completion, from its option lists ($BASHVAR with
# _short_noarg, _short_arg, _long_noarg and _long_arg).
bash_options()
{
	bash -c '. "$1" && for v in short_noarg short_arg long_noarg long_arg
	    do eval "printf \"%s\\n\" \$$2_$v"; done' bash "$BASHCOMP" "$BASHVAR"
}

# The options of the zsh completion: the names in its _arguments specs.
zsh_options()
{
	sed -n '/^_arguments/,/&& ret=0/p' "$ZSHCOMP" | sed 1d |
	    sed -E "s/^[[:space:]]*'(\([^)]*\))?'?//; s/\[.*//" |
	    grep -Eo -- '--?[[:alnum:]][-[:alnum:]]*' | sort -u
}

# The options of the fish completion: its -s and -l arguments.
fish_options()
{
	grep -E '^[[:space:]]*complete .*-[sl] |^[[:space:]]+-[sl] ' \
	    "$FISHCOMP" |
	    grep -Eo -- '(^|[[:space:]])-[sl] [^[:space:]]+' |
	    awk '$1 == "-s" { print "-" $2 } $1 == "-l" { print "--" $2 }' |
	    sort -u
}

# Prints the options of list $1 that src/options.c does not know, after the
# label $2.
unknown_in()
{
	local opt bad= known

	known=$(all_options)
	while IFS= read -r opt; do
		[ -n "$opt" ] || continue
		printf '%s\n' "$known" | grep -Fxq -- "$opt" || bad="$bad $opt"
	done <<EOF
$1
EOF
	if [ -n "$bad" ]; then
		echo "not accepted by parx, but in $2:$bad"
		return 1
	fi
}

# Drops the backspace overstrikes that make bold and underlined text.
plain()
{
	sed 's/.\x08//g'
}

# The man page as it reads, with no line breaks inside a paragraph.
man_text()
{
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -T ascii -O width=1000 "$MAN" | plain
	else
		MANWIDTH=1000 man -l "$MAN" 2>/dev/null | plain
	fi
}

@test "the option list can be read from src/options.c" {
	run -0 long_options
	[ "${#lines[@]}" -ge 20 ]
	printf '%s\n' "${lines[@]}" | grep -Fxq -- --keep-order
	run -0 short_options
	[ "${#lines[@]}" -ge 10 ]
	printf '%s\n' "${lines[@]}" | grep -Fxq -- -k
	printf '%s\n' "${lines[@]}" | grep -Fxq -- -0
}

@test "--help lists every option" {
	[ -x "$PARX" ] || {
		echo "no parx binary at $PARX: run make first"
		return 1
	}
	run -0 "$PARX" --help
	missing_from "$output" "$(all_options)" "parx --help"
}

@test "the help text in src/options.c lists every option" {
	local help

	help=$(sed -n '/helptext\[\][[:space:]]*=/,/;$/p' "$SRC")
	[ -n "$help" ]
	missing_from "$help" "$(all_options)" "helptext[] in src/options.c"
}

@test "--help fits in 60 lines of at most 80 columns, on stdout" {
	run --separate-stderr -0 "$PARX" --help
	[ "${#lines[@]}" -le 60 ] || {
		echo "--help has ${#lines[@]} lines"
		return 1
	}
	[ -z "$stderr" ]
	printf '%s\n' "$output" | awk 'length($0) > 80 {
		print "too wide: " $0; bad = 1 } END { exit bad }'
	[[ ${lines[0]} == Usage:\ parx\ * ]]
}

@test "--help lists the exit statuses" {
	local st
	run -0 --separate-stderr "$PARX" --help
	for st in 0 1-100 101 128+S 141 255; do
		printf '%s\n' "$output" | grep -A3 '^Exit status' |
		    grep -q -- "$st" || {
			echo "--help does not list exit status $st"
			return 1
		}
	done
}

@test "--version prints parx X.Y.Z on stdout and exits 0" {
	run --separate-stderr -0 "$PARX" --version
	[[ $output =~ ^parx\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || {
		echo "--version printed: $output"
		return 1
	}
	[ -z "$stderr" ]
	run -0 "$PARX" -V
	[[ $output =~ ^parx\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "the man page has an entry for every option" {
	missing_from "$(man_items)" "$(all_options)" "the option entries of man/parx.1"
}

@test "the rendered man page shows every option" {
	command -v mandoc >/dev/null 2>&1 || command -v man >/dev/null 2>&1 ||
	    skip "neither mandoc nor man is installed: cannot render man/parx.1"
	missing_from "$(man_text)" "$(all_options)" "man/parx.1 as rendered"
}

@test "the man page has the sections a user looks for" {
	local s

	for s in NAME SYNOPSIS DESCRIPTION "REPLACEMENT STRINGS" QUOTING \
	    "OUTPUT MODES" "JOB LOG" SIGNALS ENVIRONMENT "EXIT STATUS" \
	    EXAMPLES DIAGNOSTICS "SEE ALSO" COMPATIBILITY; do
		grep -Fxq ".Sh $s" "$MAN" || {
			echo "man/parx.1 has no section $s"
			return 1
		}
	done
	for s in TMPDIR PARX_SHELL PARX_SEQ PARX_SLOT; do
		grep -q "^\.It Ev $s\$" "$MAN" || {
			echo "ENVIRONMENT does not describe $s"
			return 1
		}
	done
	# At least 12 examples, each in a literal display.
	[ "$(sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$MAN" | grep -c '^\.Bd -literal')" -ge 12 ]
}

@test "the man page names no option that parx does not accept" {
	unknown_in "$(man_items)" "the option entries of man/parx.1"
}

@test "the man page is clean under mandoc -T lint -W warning" {
	command -v mandoc >/dev/null 2>&1 ||
	    skip "mandoc is not installed: cannot lint man/parx.1"
	run mandoc -T lint -W warning "$MAN"
	[ -z "$output" ] || {
		printf '%s\n' "$output"
		return 1
	}
	[ "$status" -eq 0 ]
}

@test "the bash completion offers every option" {
	run -0 bash_options
	missing_from "$output" "$(all_options)" "completions/parx.bash"
	unknown_in "$output" "completions/parx.bash"
}

@test "the zsh completion offers every option" {
	run -0 zsh_options
	missing_from "$output" "$(all_options)" "completions/_parx"
	unknown_in "$output" "completions/_parx"
}

@test "the fish completion offers every option" {
	run -0 fish_options
	missing_from "$output" "$(all_options)" "completions/parx.fish"
	unknown_in "$output" "completions/parx.fish"
}

# parx-timeline: the same checks against src/parx-timeline.c.

tl_options()
{
	SRC=$TLSRC all_options
}

@test "parx-timeline: the option list can be read from src/parx-timeline.c" {
	run -0 tl_options
	printf '%s\n' "${lines[@]}" | grep -Fxq -- --output
	printf '%s\n' "${lines[@]}" | grep -Fxq -- --title
	printf '%s\n' "${lines[@]}" | grep -Fxq -- -o
	printf '%s\n' "${lines[@]}" | grep -Fxq -- -V
}

@test "parx-timeline: --help lists every option, on stdout, in 80 columns" {
	[ -x "$TL" ] || {
		echo "no parx-timeline binary at $TL: run make first"
		return 1
	}
	run --separate-stderr -0 "$TL" --help
	[ -z "$stderr" ]
	missing_from "$output" "$(tl_options)" "parx-timeline --help"
	[[ ${lines[0]} == Usage:\ parx-timeline\ * ]]
	printf '%s\n' "$output" | awk 'length($0) > 80 {
		print "too wide: " $0; bad = 1 } END { exit bad }'
	run -0 "$TL" -h
	[[ ${lines[0]} == Usage:\ parx-timeline\ * ]]
}

@test "parx-timeline: --version prints parx-timeline X.Y.Z, as parx does" {
	run --separate-stderr -0 "$TL" --version
	[[ $output =~ ^parx-timeline\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || {
		echo "--version printed: $output"
		return 1
	}
	[ -z "$stderr" ]
	[ "${output#parx-timeline }" = "$("$PARX" --version | sed 's/^parx //')" ]
}

@test "parx-timeline.1 has an entry for every option, and no other" {
	missing_from "$(MAN=$TLMAN man_items)" "$(tl_options)" \
	    "the option entries of man/parx-timeline.1"
	SRC=$TLSRC unknown_in "$(MAN=$TLMAN man_items)" \
	    "the option entries of man/parx-timeline.1"
}

@test "parx-timeline.1 as rendered shows every option" {
	command -v mandoc >/dev/null 2>&1 || command -v man >/dev/null 2>&1 ||
	    skip "neither mandoc nor man is installed: cannot render the page"
	missing_from "$(MAN=$TLMAN man_text)" "$(tl_options)" \
	    "man/parx-timeline.1 as rendered"
}

@test "parx-timeline.1 has its sections and is clean under mandoc -T lint" {
	local s

	for s in NAME SYNOPSIS DESCRIPTION "JOB LOGS" "EXIT STATUS" EXAMPLES \
	    DIAGNOSTICS "SEE ALSO"; do
		grep -Fxq ".Sh $s" "$TLMAN" || {
			echo "man/parx-timeline.1 has no section $s"
			return 1
		}
	done
	grep -q '^\.Xr parx-timeline 1' "$MAN"
	grep -q '^\.Xr parx 1' "$TLMAN"
	command -v mandoc >/dev/null 2>&1 ||
	    skip "mandoc is not installed: cannot lint man/parx-timeline.1"
	run mandoc -T lint -W warning "$TLMAN"
	[ -z "$output" ] && [ "$status" -eq 0 ] || {
		printf '%s\n' "$output"
		return 1
	}
}

@test "parx-timeline: the bash, zsh and fish completions offer every option" {
	run -0 env BASHCOMP="$ROOT/completions/parx-timeline.bash" \
	    BASHVAR=_parx_timeline bash -c "$(declare -f bash_options);
	    bash_options"
	[ "${#lines[@]}" -ge 4 ]
	missing_from "$output" "$(tl_options)" completions/parx-timeline.bash
	SRC=$TLSRC unknown_in "$output" completions/parx-timeline.bash
	ZSHCOMP=$ROOT/completions/_parx-timeline run -0 zsh_options
	missing_from "$output" "$(tl_options)" completions/_parx-timeline
	SRC=$TLSRC unknown_in "$output" completions/_parx-timeline
	FISHCOMP=$ROOT/completions/parx-timeline.fish run -0 fish_options
	missing_from "$output" "$(tl_options)" completions/parx-timeline.fish
	SRC=$TLSRC unknown_in "$output" completions/parx-timeline.fish
}
