#!/usr/bin/env bats
# completion.bats - the shell completions in completions/ work: the bash
# function is called the way bash calls it, fish and zsh are asked for real
# completions where they are installed.

bats_require_minimum_version 1.5.0

ROOT=$BATS_TEST_DIRNAME/..
COMPL=$ROOT/completions

setup()
{
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p work bin
	touch work/items.txt work/items2.txt work/other.log
	mkdir work/subdir
	# A command only these tests have, so command completion is exact.
	printf '#!/bin/sh\nexit 0\n' > bin/parxtestcmd
	chmod 755 bin/parxtestcmd
	PATH=$BATS_TEST_TMPDIR/bin:$PATH
	cd work || return 1
}

# Completes as bash does for the words given, the last one being the word
# under the cursor, without COMP_LINE (so the words are taken as they are).
bash_complete()
{
	unset COMP_LINE COMP_POINT
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_parx parx "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# Succeeds when COMPREPLY holds every word given.
replies()
{
	local w r

	for w in "$@"; do
		for r in "${COMPREPLY[@]}"; do
			[ "$r" = "$w" ] && continue 2
		done
		echo "COMPREPLY lacks '$w': ${COMPREPLY[*]}"
		return 1
	done
}

# Succeeds when COMPREPLY holds none of the words given.
replies_none()
{
	local w r

	for w in "$@"; do
		for r in "${COMPREPLY[@]}"; do
			if [ "$r" = "$w" ]; then
				echo "COMPREPLY has '$w': ${COMPREPLY[*]}"
				return 1
			fi
		done
	done
}

need()
{
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"
}

@test "bash: the completion loads on its own and registers _parx" {
	run -0 bash --norc --noprofile -c '. "$1" && complete -p parx' bash \
	    "$COMPL/parx.bash"
	[[ $output == *"-F _parx"* ]]
}

@test "bash: an option prefix completes to the long option" {
	. "$COMPL/parx.bash"
	bash_complete parx --ke
	[ "${COMPREPLY[*]}" = --keep-order ]
	bash_complete parx --resume
	replies --resume --resume-failed
	bash_complete parx -
	replies -0 -a -c -d -I -j -k -n -P -t -u -h -V --null --halt --lb
}

@test "bash: --halt completes its policies" {
	. "$COMPL/parx.bash"
	bash_complete parx --halt ''
	replies never soon,fail=1 now,fail=1 soon,success=1 now,success=1
	bash_complete parx -k --halt now
	replies now,fail=1 now,success=1
	replies_none never soon,fail=1
}

@test "bash: --halt=POLICY completes after the = as bash splits it" {
	. "$COMPL/parx.bash"
	# bash splits "--halt=now,f" at the "=" (COMP_WORDBREAKS) and replaces
	# only the text after it.
	COMP_LINE='parx --halt=now,f'
	COMP_POINT=${#COMP_LINE}
	COMP_WORDS=(parx --halt = now,f)
	COMP_CWORD=3
	COMPREPLY=()
	_parx
	replies now,fail=1
	replies_none --halt=now,fail=1 never
}

@test "bash: -a, --arg-file and --joblog complete file names" {
	. "$COMPL/parx.bash"
	bash_complete parx -a ''
	replies items.txt items2.txt other.log subdir
	bash_complete parx --arg-file ite
	replies items.txt items2.txt
	replies_none other.log
	bash_complete parx -k --joblog oth
	[ "${COMPREPLY[*]}" = other.log ]
	bash_complete parx -0a ''
	replies items.txt
}

@test "bash: the first non-option word completes command names" {
	. "$COMPL/parx.bash"
	bash_complete parx parxtestc
	[ "${COMPREPLY[*]}" = parxtestcmd ]
	bash_complete parx -j4 -k --halt now,fail=1 parxtestc
	[ "${COMPREPLY[*]}" = parxtestcmd ]
	bash_complete parx -- parxtestc
	[ "${COMPREPLY[*]}" = parxtestcmd ]
}

@test "bash: option arguments are not taken for the command" {
	. "$COMPL/parx.bash"
	# -j takes the next word, so "4" is not the command.
	bash_complete parx -j 4 parxtestc
	[ "${COMPREPLY[*]}" = parxtestcmd ]
	bash_complete parx --tagstring x parxtestc
	[ "${COMPREPLY[*]}" = parxtestcmd ]
	bash_complete parx --jobs=4 parxtestc
	[ "${COMPREPLY[*]}" = parxtestcmd ]
}

@test "bash: after the command, parx options are not offered" {
	. "$COMPL/parx.bash"
	bash_complete parx -k grep --ke
	replies_none --keep-order
	# Without the bash-completion package the command's arguments
	# complete as file names.
	bash_complete parx -k grep -e x ite
	replies items.txt items2.txt
}

@test "bash: after :::: come files, after ::: items or a separator" {
	. "$COMPL/parx.bash"
	bash_complete parx gzip :::: ''
	replies items.txt items2.txt other.log
	bash_complete parx gzip ::: a.gz :::: ite
	replies items.txt items2.txt
	bash_complete parx echo ::: ite
	replies items.txt items2.txt
	# ":" is in COMP_WORDBREAKS: bash replaces only what follows the last
	# ":", so ":::" and "::::" are offered as "" and ":".
	bash_complete parx echo ::: a :::
	replies '' :
	bash_complete parx echo :::
	replies '' :
}

@test "bash: -c SCRIPT is followed by ::: or ::::" {
	. "$COMPL/parx.bash"
	bash_complete parx -c 'echo {}' ''
	replies ::: ::::
	bash_complete parx --shell='echo {}' ''
	replies ::: ::::
}

@test "bash: -j, -d and --timeout suggest values" {
	. "$COMPL/parx.bash"
	bash_complete parx -kj ''
	replies 1 2 4 0 50%
	bash_complete parx -d ''
	replies "'\\n'" "'\\t'" "'\\0'" ,
	bash_complete parx --timeout ''
	replies 500ms 30s 5m
}

@test "zsh: completions/_parx parses (zsh -n)" {
	need zsh
	run -0 zsh -n "$COMPL/_parx"
	[ -z "$output" ]
}

@test "fish: completions/parx.fish parses (fish -n)" {
	need fish
	run -0 fish -n "$COMPL/parx.fish"
	[ -z "$output" ]
}

# Asks fish for the completions of command line $1, with no user config.
fish_complete()
{
	XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/fish-config \
	    XDG_DATA_HOME=$BATS_TEST_TMPDIR/fish-data \
	    fish -c 'source $argv[1]
	        complete -c parxtestcmd -l frobnicate -d "a test option"
	        complete -C $argv[2]' "$COMPL/parx.fish" "$1" </dev/null
}

@test "fish: real completion queries" {
	need fish
	run -0 fish_complete 'parx --ke'
	[ "${lines[*]}" = $'--keep-order\tprint results in input order' ]
	run -0 fish_complete 'parx --halt '
	printf '%s\n' "${lines[@]}" | grep -q '^never'
	printf '%s\n' "${lines[@]}" | grep -q '^now,fail=1'
	printf '%s\n' "${lines[@]}" | grep -q '^soon,success=1'
	run -0 fish_complete 'parx -k -a ite'
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == items*.txt* ]]
	run -0 fish_complete 'parx -j 4 parxtestc'
	[[ ${lines[0]} == parxtestcmd* ]]
	[ "${#lines[@]}" -eq 1 ]
	run -0 fish_complete 'parx echo :::: oth'
	[ "$output" = other.log ]
}

@test "fish: the command's own completion is used for its arguments" {
	need fish
	run -0 fish_complete 'parx -j4 -k parxtestcmd --frob'
	[ "${lines[*]}" = $'--frobnicate\ta test option' ]
	run -0 fish_complete 'parx -k parxtestcmd --ke'
	[ -z "$output" ]
}

# Completes the command line $1 in a real interactive zsh, in a terminal made
# by script(1), and prints the line as completion left it.  A zle-line-init
# widget types the line, completes it, and quits: no timing is involved.
zsh_complete()
{
	local dir=$BATS_TEST_TMPDIR/zdot

	mkdir -p "$dir"
	cat > "$dir/.zshrc" <<'EOF'
fpath=($PARX_COMPL $fpath)
autoload -Uz compinit
compinit -u -D
_parxtestcmd() { _arguments '--frobnicate[a test option]' }
compdef _parxtestcmd parxtestcmd
_parx_test_line() {
	BUFFER=$PARX_TEST_LINE
	CURSOR=$#BUFFER
	zle complete-word
	print -r -- "$BUFFER" > $PARX_TEST_OUT
	BUFFER=exit
	zle accept-line
}
zle -N zle-line-init _parx_test_line
EOF
	rm -f "$dir/out"
	TERM=dumb ZDOTDIR=$dir PARX_COMPL=$COMPL PARX_TEST_LINE=$1 \
	    PARX_TEST_OUT=$dir/out timeout 20 \
	    script -qec 'zsh -d -i' /dev/null </dev/null >/dev/null 2>&1
	cat "$dir/out"
}

@test "zsh: real completions, in an interactive zsh" {
	need zsh
	need script
	need timeout
	run -0 zsh_complete 'parx --ke'
	[ "$output" = 'parx --keep-order ' ]
	run -0 zsh_complete 'parx --halt nev'
	[ "$output" = 'parx --halt never ' ]
	run -0 zsh_complete 'parx -k --halt now,s'
	[ "$output" = 'parx -k --halt now,success=1 ' ]
	run -0 zsh_complete 'parx -a oth'
	[ "$output" = 'parx -a other.log ' ]
	run -0 zsh_complete 'parx -j 4 parxtestc'
	[ "$output" = 'parx -j 4 parxtestcmd ' ]
	run -0 zsh_complete 'parx -k parxtestcmd --frob'
	[ "$output" = 'parx -k parxtestcmd --frobnicate ' ]
	run -0 zsh_complete 'parx echo :::: oth'
	[ "$output" = 'parx echo :::: other.log ' ]
}

@test "bash: --timeline completes file names" {
	. "$COMPL/parx.bash"
	bash_complete parx --timeline oth
	[ "${COMPREPLY[*]}" = other.log ]
	bash_complete parx --timeline ite
	replies items.txt items2.txt
	bash_complete parx --timeline x.svg parxtestc
	[ "${COMPREPLY[*]}" = parxtestcmd ]
}

# parx-timeline: its own completions.

# As bash_complete, for parx-timeline.
tl_complete()
{
	unset COMP_LINE COMP_POINT
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_parx_timeline parx-timeline "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD - 1]}"
}

@test "bash: parx-timeline's completion loads and registers" {
	run -0 bash --norc --noprofile -c '. "$1" && complete -p parx-timeline' \
	    bash "$COMPL/parx-timeline.bash"
	[[ $output == *"-F _parx_timeline"* ]]
}

@test "bash: parx-timeline options, then the job log as a file name" {
	. "$COMPL/parx-timeline.bash"
	tl_complete parx-timeline -
	replies -o -h -V --output --title --help --version
	tl_complete parx-timeline --t
	[ "${COMPREPLY[*]}" = --title ]
	tl_complete parx-timeline oth
	[ "${COMPREPLY[*]}" = other.log ]
	tl_complete parx-timeline --title 'a b' ite
	replies items.txt items2.txt
	replies_none other.log
	# One job log: nothing follows it.
	tl_complete parx-timeline other.log ''
	[ "${#COMPREPLY[@]}" -eq 0 ]
}

@test "bash: parx-timeline -o and --output complete file names, --title not" {
	. "$COMPL/parx-timeline.bash"
	tl_complete parx-timeline -o oth
	[ "${COMPREPLY[*]}" = other.log ]
	tl_complete parx-timeline --output ite
	replies items.txt items2.txt
	# bash splits --output=ite at the "=".
	tl_complete parx-timeline --output = ite
	replies items.txt items2.txt
	tl_complete parx-timeline -o x.svg oth
	[ "${COMPREPLY[*]}" = other.log ]
	tl_complete parx-timeline --title oth
	[ "${#COMPREPLY[@]}" -eq 0 ]
}

@test "zsh and fish: parx-timeline's completions parse" {
	need zsh
	need fish
	run -0 zsh -n "$COMPL/_parx-timeline"
	[ -z "$output" ]
	run -0 fish -n "$COMPL/parx-timeline.fish"
	[ -z "$output" ]
}

# Asks fish for the completions of command line $1 with parx-timeline's
# completion loaded.
fish_tl_complete()
{
	XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/fish-config \
	    XDG_DATA_HOME=$BATS_TEST_TMPDIR/fish-data \
	    fish -c 'source $argv[1]; complete -C $argv[2]' \
	    "$COMPL/parx-timeline.fish" "$1" </dev/null
}

@test "fish: parx-timeline real completion queries" {
	need fish
	run -0 fish_tl_complete 'parx-timeline --ti'
	[ "${lines[*]}" = $'--title\tthe heading of the picture' ]
	run -0 fish_tl_complete 'parx-timeline oth'
	[ "$output" = other.log ]
	run -0 fish_tl_complete 'parx-timeline -o ite'
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == items*.txt* ]]
}

@test "zsh: parx-timeline real completions, in an interactive zsh" {
	need zsh
	need script
	need timeout
	run -0 zsh_complete 'parx-timeline --ti'
	[ "$output" = 'parx-timeline --title=' ]
	run -0 zsh_complete 'parx-timeline oth'
	[ "$output" = 'parx-timeline other.log ' ]
	run -0 zsh_complete 'parx --timel'
	[ "$output" = 'parx --timeline=' ]
}

@test "--results, --joblog-format and --summary complete in bash, fish and zsh" {
	. "$COMPL/parx.bash"
	bash_complete parx --joblog-format ''
	[ "${COMPREPLY[*]}" = "json tsv" ]
	bash_complete parx -k --results oth
	[ "${COMPREPLY[*]}" = other.log ]
	bash_complete parx --summ
	[ "${COMPREPLY[*]}" = --summary ]
	bash_complete parx --no-s
	[ "${COMPREPLY[*]}" = --no-summary ]
	if command -v fish >/dev/null; then
		run -0 fish_complete 'parx --joblog-format '
		[ "${lines[*]}" = $'json\tJSON lines tsv\tGNU parallel\'s format' ]
		run -0 fish_complete 'parx --results oth'
		[ "$output" = other.log ]
	fi
	if command -v zsh >/dev/null && command -v script >/dev/null &&
	    command -v timeout >/dev/null; then
		run -0 zsh_complete 'parx --joblog-format j'
		[ "$output" = 'parx --joblog-format json ' ]
		run -0 zsh_complete 'parx --results oth'
		[ "$output" = 'parx --results other.log ' ]
		run -0 zsh_complete 'parx --no-su'
		[ "$output" = 'parx --no-summary ' ]
	fi
}
