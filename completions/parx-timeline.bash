# bash completion for parx-timeline(1)                     -*- shell-script -*-
#
# Self-contained: it needs nothing but bash.  The options here follow the
# longopts[] table in src/parx-timeline.c; tests/docs.bats fails when one
# is missing.

_parx_timeline_short_noarg='-h -V'
_parx_timeline_short_arg='-o'
_parx_timeline_long_noarg='--help --version'
_parx_timeline_long_arg='--output --title'

# Adds the file names that start with $1 to COMPREPLY.
_parx_timeline_files()
{
	local f

	compopt -o filenames 2>/dev/null || :
	while IFS= read -r f; do
		COMPREPLY+=("$f")
	done < <(compgen -f -- "$1")
}

_parx_timeline()
{
	local IFS=$' \t\n'
	local cur=${COMP_WORDS[COMP_CWORD]} w o i expect= log=0 ddash=0

	COMPREPLY=()
	# Options come first, then the one job log; an option's argument is
	# the next word, or follows "=" (which bash makes a word of its own).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -n $expect ]]; then
			[[ $w == = ]] && continue
			expect=
			continue
		fi
		if ((ddash)) || [[ $w != -?* ]]; then
			[[ $w == = ]] && continue
			log=1
			continue
		fi
		case $w in
		--) ddash=1 ;;
		--o* | --t*) [[ $w == *=* ]] || expect=$w ;;
		-o | -[!-]*o) expect=$w ;;
		esac
	done
	((log)) && return 0
	if [[ -n $expect ]]; then
		[[ $cur == = ]] && cur=
		[[ $expect == --t* ]] || _parx_timeline_files "$cur"
		return 0
	fi
	if ((!ddash)) && [[ $cur == -* ]]; then
		for o in $_parx_timeline_short_noarg $_parx_timeline_short_arg \
		    $_parx_timeline_long_noarg $_parx_timeline_long_arg; do
			[[ $o == "$cur"* && ($o == --* || $cur != --*) ]] &&
			    COMPREPLY+=("$o")
		done
		return 0
	fi
	_parx_timeline_files "$cur"
	return 0
}

complete -F _parx_timeline parx-timeline
