# bash completion for parx(1)                              -*- shell-script -*-
#
# Self-contained: it needs nothing but bash.  When the bash-completion
# package is loaded, the arguments of the command that parx runs are
# completed the way that command completes them (_command_offset); without
# it, they complete as file names.
#
# The options here follow the longopts[] table in src/options.c;
# tests/docs.bats fails when one is missing.

_parx_short_noarg='-0 -i -k -m -r -t -u -X -h -V'
_parx_short_arg='-a -c -d -E -I -j -L -n -N -P -s -S'
_parx_long_noarg='--null --link --xargs --no-run-if-empty --shuf --plus
    --fail-fast --dry-run --verbose --resume --resume-failed --retry-failed
    --bar --summary --no-summary --group --line-buffer --lb --ungroup
    --keep-order --tag --help --version --pipe --pipe-part --round-robin
    --cat --fifo --cleanup --slurm --slurm-submit --slurm-keep'
_parx_long_arg='--delimiter --arg-file --max-args --max-lines --max-chars
    --colsep --header --shell --jobs --max-procs --timeout --retries --halt
    --delay --joblog --joblog-format --timeline --tmpdir --tagstring
    --results --block --block-size --recend --recstart --load --memfree
    --nice --limit-mem --limit-cpu --limit-files --retry-delay --retry-on
    --sshlogin --slf --ssh --env --workdir --transferfile --tf --return --trc
    --basefile --slurm-cpus --slurm-opts --slurm-dir --slurm-chunk'

# The long option that $1 names, exactly or as an unambiguous prefix, with
# "=" appended when it takes an argument; nothing when there is none.
_parx_long_name()
{
	local w=${1%%=*} o hit= n=0

	for o in $_parx_long_noarg $_parx_long_arg; do
		if [[ $o == "$w" ]]; then
			hit=$o
			n=1
			break
		fi
		if [[ $o == "$w"* ]]; then
			hit=$o
			n=$((n + 1))
		fi
	done
	((n == 1)) || return 1
	case " $(echo $_parx_long_arg) " in
	*" $hit "*) printf '%s=\n' "$hit" ;;
	*) printf '%s\n' "$hit" ;;
	esac
}

# Puts the words of $1 that start with $2 in the array _parx_cand.
_parx_filter()
{
	local w

	for w in $1; do
		[[ $w == "$2"* ]] && _parx_cand+=("$w")
	done
	return 0
}

# Values for the argument of option $1 (a canonical spelling), given the
# typed value $2.  Sets _parx_cand, and _parx_files=1 for file names.
_parx_values()
{
	local ncpu w

	case $1 in
	-a | --arg-file | --joblog | --timeline | --tmpdir | --results | \
	    --slf | --basefile | --transferfile | --tf | --return | --trc)
		_parx_files=1
		;;
	-S | --sshlogin)
		# Host names; a list goes on after its last comma.
		local pre=${2%"${2##*,}"} h
		for h in : $(compgen -A hostname -- "${2##*,}"); do
			[[ $h == "${2##*,}"* ]] && _parx_cand+=("$pre$h")
		done
		;;
	--ssh)
		_parx_filter "$(compgen -c -- "$2" | sort -u)" "$2"
		;;
	--env)
		_parx_filter "$(compgen -v -- "$2")" "$2"
		;;
	--slurm-dir)
		_parx_cand=($(compgen -d -- "$2"))
		;;
	--workdir)
		_parx_filter '...' "$2"
		while IFS= read -r w; do
			_parx_cand+=("$w")
		done < <(compgen -d -- "$2")
		compopt -o filenames 2>/dev/null || :
		;;
	--joblog-format)
		_parx_filter 'json tsv' "$2"
		;;
	--halt)
		_parx_filter 'never soon,fail=1 now,fail=1 soon,success=1
		    now,success=1 soon,done=1 soon,fail=10% now,fail=10%' "$2"
		;;
	--header)
		_parx_filter ':' "$2"
		;;
	-d | --delimiter)
		local d
		for d in "'\\n'" "'\\t'" "'\\0'" , : "';'" "'|'" "' '"; do
			[[ $d == "$2"* ]] && _parx_cand+=("$d")
		done
		;;
	-j | -P | --jobs | --max-procs)
		ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || ncpu=
		_parx_filter "$ncpu 1 2 4 8 16 0 50% 100% +1 -1" "$2"
		;;
	--timeout)
		_parx_filter '100ms 500ms 1s 5s 30s 1m 5m 1h 200%' "$2"
		;;
	--delay | --limit-cpu)
		_parx_filter '100ms 500ms 1s 5s 30s 1m 5m 1h' "$2"
		;;
	--block | --block-size)
		_parx_filter '1M 10M 100M 1G -1 -4' "$2"
		;;
	--recend | --recstart)
		local r
		for r in "'\\n'" "'\\n\\n'" "'\\0'" "'>'" "''"; do
			[[ $r == "$2"* ]] && _parx_cand+=("$r")
		done
		;;
	--header)
		_parx_filter ': 1 2' "$2"
		;;
	--retry-delay)
		_parx_filter '100ms 1s 1s,1m 5s,5m' "$2"
		;;
	--retry-on)
		_parx_filter 'timeout signal nostart 1 1-255' "$2"
		;;
	--memfree | --limit-mem)
		_parx_filter '256M 512M 1G 2G 4G 8G' "$2"
		;;
	--nice)
		_parx_filter '5 10 19' "$2"
		;;
	--load)
		ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || ncpu=
		_parx_filter "$ncpu 100% 150% 200%" "$2"
		;;
	--limit-files)
		_parx_filter '64 256 1024 4096' "$2"
		;;
	esac
	return 0
}

# Sets _parx_words and _parx_cword from COMP_WORDS, joining the pieces that
# COMP_WORDBREAKS split off (":::", "--halt=now,fail=1") when COMP_LINE shows
# no blank between them.  _parx_wstart maps each word to its first COMP_WORDS
# index.
_parx_split()
{
	local i line=${COMP_LINE-} w n=-1 blank

	_parx_words=()
	_parx_wstart=()
	if [[ -z $line ]]; then
		_parx_words=("${COMP_WORDS[@]}")
		_parx_cword=$COMP_CWORD
		for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
			_parx_wstart[i]=$i
		done
		return
	fi
	line=${line:0:${COMP_POINT:-${#line}}}
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		blank=0
		while [[ $line == [[:blank:]]* ]]; do
			line=${line:1}
			blank=1
		done
		if ((n < 0 || blank)); then
			n=$((n + 1))
			_parx_words[n]=$w
			_parx_wstart[n]=$i
		else
			_parx_words[n]+=$w
		fi
		[[ $line == "$w"* ]] && line=${line:${#w}}
	done
	_parx_cword=$n
}

_parx()
{
	local IFS=$' \t\n'
	local -a _parx_words _parx_wstart _parx_cand=()
	local _parx_cword _parx_files=0
	local cur val pre wb i w o rest expect= ddash=0 script=0 cmd=0 sep=

	_parx_split
	cur=${_parx_words[_parx_cword]}

	# Where are we?  Options come first; the first other word starts the
	# command, which runs until a ":::" or "::::" word.
	for ((i = 1; i < _parx_cword; i++)); do
		w=${_parx_words[i]}
		if ((cmd)); then
			case $w in
			::: | :::+) sep=items ;;
			:::: | ::::+) sep=files ;;
			esac
			continue
		fi
		if [[ -n $expect ]]; then
			expect=
			continue
		fi
		if ((ddash)); then
			cmd=$i
			continue
		fi
		case $w in
		--)
			ddash=1
			;;
		--?*)
			o=$(_parx_long_name "$w") || continue
			[[ $o == --shell= ]] && script=1
			[[ $o == *= && $w != *=* ]] && expect=${o%=}
			;;
		-?*)
			rest=${w#-}
			while [[ -n $rest ]]; do
				o=${rest:0:1}
				rest=${rest:1}
				case " $_parx_short_arg " in
				*" -$o "*)
					[[ $o == c ]] && script=1
					[[ -z $rest ]] && expect=-$o
					break
					;;
				esac
			done
			;;
		::: | :::+)
			cmd=$i
			sep=items
			;;
		:::: | ::::+)
			cmd=$i
			sep=files
			;;
		*)
			cmd=$i
			;;
		esac
	done

	# The typed word without its quoting, and the part of it before the
	# last word-break character, which readline does not replace.
	val=$cur
	case $val in
	\'*) val=${val#\'} ;;
	\"*) val=${val#\"} ;;
	*\\*)
		w=$val
		val=
		while [[ -n $w ]]; do
			if [[ $w == \\?* ]]; then
				val+=${w:1:1}
				w=${w:2}
			else
				val+=${w:0:1}
				w=${w:1}
			fi
		done
		;;
	esac
	wb=${COMP_WORDBREAKS-$'"\'><=;|&(:'}
	wb=${wb//[\"\'[:space:]]/}
	pre=
	if [[ -n $wb ]]; then
		for ((i = ${#val} - 1; i >= 0; i--)); do
			if [[ $wb == *"${val:i:1}"* ]]; then
				pre=${val:0:i+1}
				break
			fi
		done
	fi

	if [[ -n $expect ]]; then
		_parx_values "$expect" "$val"
	elif ((cmd)); then
		if [[ $sep == files ]]; then
			_parx_files=1
		elif [[ $val == :* ]]; then
			_parx_filter '::: :::: :::+ ::::+' "$val"
		elif [[ $sep == items ]]; then
			_parx_files=1
		elif [[ $sep == "" ]] && declare -F _command_offset >/dev/null; then
			_command_offset "${_parx_wstart[cmd]}"
			return
		else
			_parx_files=1
		fi
	elif ((!ddash)) && [[ $val == --?*=* ]]; then
		o=$(_parx_long_name "$val")
		if [[ $o == *= ]]; then
			_parx_values "${o%=}" "${val#*=}"
			for i in "${!_parx_cand[@]}"; do
				_parx_cand[i]=${val%%=*}=${_parx_cand[i]}
			done
			if ((_parx_files)); then
				_parx_files=0
				while IFS= read -r w; do
					_parx_cand+=("${val%%=*}=$w")
				done < <(compgen -f -- "${val#*=}")
				compopt -o filenames 2>/dev/null || :
			fi
		fi
	elif ((!ddash)) && [[ $val == -* ]]; then
		if [[ $val == --* ]]; then
			_parx_filter "$_parx_long_noarg $_parx_long_arg" "$val"
		else
			_parx_filter "$_parx_short_noarg $_parx_short_arg" "$val"
			_parx_filter "$_parx_long_noarg $_parx_long_arg" "$val"
		fi
	elif ((script)); then
		_parx_filter '::: :::: :::+ ::::+' "$val"
	elif [[ $val == */* ]]; then
		# A program given by its path.
		compopt -o filenames 2>/dev/null || :
		while IFS= read -r w; do
			[[ -d $w || -x $w ]] && _parx_cand+=("$w")
		done < <(compgen -f -- "$val")
	else
		while IFS= read -r w; do
			_parx_cand+=("$w")
		done < <(compgen -c -- "$val" | sort -u)
	fi

	if ((_parx_files)); then
		compopt -o filenames 2>/dev/null || :
		while IFS= read -r w; do
			_parx_cand+=("$w")
		done < <(compgen -f -- "$val")
	fi

	COMPREPLY=()
	for w in "${_parx_cand[@]}"; do
		[[ $w == "$pre"* ]] && COMPREPLY+=("${w#"$pre"}")
	done
	return 0
}

complete -F _parx parx
