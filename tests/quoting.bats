#!/usr/bin/env bats
# quoting.bats - -c substitution is safe in any quoting context (SPEC 4,
# 11.7): whether a replacement string sits bare, inside '...' or "...",
# in $( ) or `...`, in ${...}, in a here-document or a comment, the shell
# sees exactly the item: nothing in it runs, no quote is added.  The items
# are always "$@" too.  fuzz/quote_fuzz.c checks the same on random items
# and scripts.

load helpers

NASTY=(
	'a b' "it's" '$(touch PWNED)' '`touch PWNED`' '"; touch PWNED; "'
	"'; touch PWNED; '" 'back\slash' 'end\' '$HOME' '${x:-y}' '*' '~'
	$'two\nlines' $'EOF\ntouch PWNED' $'\ttab' '!x' '}' '{}' ''
	'-n' '$((1+1))' $'a\\\nb'
)

# shells: sh, and bash when installed.
shells()
{
	echo sh
	command -v bash >/dev/null 2>&1 && echo bash
	return 0
}

# each SCRIPT PRE POST: for every nasty item and shell, the -c script
# prints PRE, the item and POST, and nothing else happens.
each()
{
	local script=$1 pre=$2 post=$3 item sh got
	for sh in $(shells); do
		for item in "${NASTY[@]}"; do
			got=$(PARX_SHELL=$sh parx -c "$script" ::: "$item"; echo .)
			same "$pre$item$post." "$got" \
			    "$sh: item '$item' in: $script" || return 1
		done
	done
	[ ! -e PWNED ] || { echo "an item ran"; return 1; }
}

@test "the issue's case: \"{}\" with \$(touch PWNED) prints it, runs nothing" {
	run -0 --separate-stderr parx -c 'echo "{}"' ::: '$(touch PWNED)'
	expect '$(touch PWNED)'
	[ ! -e PWNED ]
	run -0 --separate-stderr parx -c "echo '{}'" ::: 'a b'
	expect 'a b'
	run -0 --separate-stderr parx -c 'echo {}' ::: 'a b'
	expect 'a b'
}

@test "bare, in '...' and in \"...\": exactly the item" {
	each 'printf %s {}' '' ''
	each 'printf %s x{}y' x y
	each "printf %s 'x{}y'" x y
	each 'printf %s "x{}y"' x y
	each "printf %s '{}'\"|\"" '' '|'
}

@test "in \$( ), \`...\` and \${...}: exactly the item" {
	each 'x=$(printf %s "{}"; printf .); printf %s "${x%.}"' '' ''
	each 'x=$(printf %s {}; printf .); printf %s "${x%.}"' '' ''
	each 'x=`printf %s {}; printf .`; printf %s "${x%.}"' '' ''
	each 'x="`printf %s "{}"; printf .`"; printf %s "${x%.}"' '' ''
	each 'printf %s ${u-{}}' '' ''
}

@test "in here-documents: exactly the item, and it never ends one" {
	each 'while IFS= read -r l; do printf "%s\n" "$l"; done <<EOF
{}
EOF
printf end' '' $'\nend'
	each 'cat <<-EOF
	<{}>
	EOF' '<' $'>\n'
}

@test "in a comment: nothing of the item runs" {
	local item got
	for item in "${NASTY[@]}"; do
		got=$(parx -c 'printf x # {}
printf y' ::: "$item")
		same xy "$got" "item '$item' in a comment" || return 1
	done
	[ ! -e PWNED ]
}

@test "after a backslash: the item, not an escaped quote" {
	each 'printf %s \{}' '' ''
	each 'printf %s "\{}"' '' ''
}

@test "-n 2: the items joined by a space in quotes, words when bare" {
	run -0 --separate-stderr parx -n2 -c 'printf "[%s]" "{}" {}' \
	    ::: 'a b' "c'd"
	expect "[a b c'd][a b][c'd]"
}

@test "the items are always \"\$@\", with or without replacement strings" {
	run -0 --separate-stderr parx -j1 -c 'echo {%} $1' ::: item
	expect "1 item"
	run -0 --separate-stderr parx -n2 -c 'echo $# "$2" {1}' ::: a 'b c'
	expect "2 b c a"
	run -0 --separate-stderr parx --colsep , -c 'echo "$2" {1}' ::: x,y
	expect "y x"
	run -0 --separate-stderr parx -c 'echo "$0"' ::: a
	expect parx
}

@test "a quoted here-document an item would end: that job fails, says so" {
	run -1 --separate-stderr parx -k -c 'cat <<"EOF"
{}
EOF' ::: ok $'x\nEOF\ntouch PWNED' fine
	expect ok fine
	expect_err "parx: job 2: an item cannot be substituted safely where the -c script puts it (see QUOTING in parx(1))"
	[ ! -e PWNED ]
	# Without a line that ends it, a newline is fine.
	run -0 --separate-stderr parx -c "cat <<'EOF'
{}
EOF" ::: $'a\nb'
	expect a b
}

@test "a ' in \"\${...}\" is refused: bash would read it as a quote" {
	run -1 --separate-stderr parx -k -c 'printf "%s\n" "${u-{}}"' \
	    ::: "it's" ok
	expect ok
	[[ $stderr == *"job 1: an item cannot be substituted safely"* ]]
}

@test "--dry-run lines run by sh print what the jobs print" {
	parx -k -c 'printf "[%s]" "{}" {} '"'{}'" ::: "${NASTY[@]}" >want
	parx -k --dry-run -c 'printf "[%s]" "{}" {} '"'{}'" ::: "${NASTY[@]}" \
	    >cmds
	sh cmds >got
	same_file want got
	[ ! -e PWNED ]
}

@test "GNU parallel quotes {} for a bare context only: same output there" {
	command -v parallel >/dev/null 2>&1 ||
	    skip "GNU parallel is not installed (.ci/run installs it)"
	run -0 --separate-stderr parallel --will-cite -k 'printf "[%s]\n" {}' \
	    ::: 'a b' "it's" '$x' 3>&-
	want=$output
	run -0 --separate-stderr parx -k -c 'printf "[%s]\n" {}' \
	    ::: 'a b' "it's" '$x'
	same "$want" "$output" "bare {}"
}
