#!/usr/bin/env bats
# install.bats - make install and make uninstall, with PREFIX, DESTDIR and
# the directory variables, and the installed man page as man(1) shows it.
#
# The Makefile runs in a copy of the tree that holds the binaries under test
# ($PARX, $PARX_TIMELINE) as ./parx and ./parx-timeline, with "make -o parx
# -o parx-timeline" so nothing is rebuilt and the checkout is left alone.

bats_require_minimum_version 1.5.0

ROOT=$BATS_TEST_DIRNAME/..
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

# What make install puts under $(DESTDIR), given PREFIX=/usr, and its mode,
# in the C locale's order.
EXPECTED='0755 usr/bin/parx
0755 usr/bin/parx-timeline
0644 usr/share/bash-completion/completions/parx
0644 usr/share/bash-completion/completions/parx-timeline
0644 usr/share/fish/vendor_completions.d/parx-timeline.fish
0644 usr/share/fish/vendor_completions.d/parx.fish
0644 usr/share/man/man1/parx-timeline.1
0644 usr/share/man/man1/parx.1
0644 usr/share/zsh/site-functions/_parx
0644 usr/share/zsh/site-functions/_parx-timeline'

setup()
{
	[ -x "$PARX" ] || {
		echo "no parx binary at $PARX: run make first"
		return 1
	}
	[ -x "$TL" ] || {
		echo "no parx-timeline binary at $TL: run make first"
		return 1
	}
	TREE=$BATS_TEST_TMPDIR/tree
	DEST=$BATS_TEST_TMPDIR/dest
	mkdir -p "$TREE"
	cp -R "$ROOT/Makefile" "$ROOT/man" "$ROOT/completions" "$TREE/"
	cp "$PARX" "$TREE/parx"
	cp "$TL" "$TREE/parx-timeline"
	chmod 755 "$TREE/parx" "$TREE/parx-timeline"
}

# Runs make in the copy with the arguments given.
mk()
{
	make -s -C "$TREE" -o parx -o parx-timeline "$@"
}

# Lists every non-directory under $1 as "MODE PATH", PATH relative to $1.
listing()
{
	(cd "$1" && find . ! -type d) | sed 's|^\./||' | LC_ALL=C sort |
	while IFS= read -r f; do
		printf '%s %s\n' "$(stat -c %04a "$1/$f")" "$f"
	done
}

@test "make install DESTDIR=... PREFIX=/usr installs exactly the expected files" {
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	run -0 listing "$DEST"
	[ "$output" = "$EXPECTED" ] || {
		printf 'installed:\n%s\nexpected:\n%s\n' "$output" "$EXPECTED"
		return 1
	}
	# They are copies of the files in the tree, and the binary runs.
	cmp "$TREE/parx" "$DEST/usr/bin/parx"
	cmp "$ROOT/man/parx.1" "$DEST/usr/share/man/man1/parx.1"
	cmp "$ROOT/completions/parx.bash" \
	    "$DEST/usr/share/bash-completion/completions/parx"
	cmp "$ROOT/completions/_parx" "$DEST/usr/share/zsh/site-functions/_parx"
	cmp "$ROOT/completions/parx.fish" \
	    "$DEST/usr/share/fish/vendor_completions.d/parx.fish"
	cmp "$TREE/parx-timeline" "$DEST/usr/bin/parx-timeline"
	cmp "$ROOT/man/parx-timeline.1" \
	    "$DEST/usr/share/man/man1/parx-timeline.1"
	cmp "$ROOT/completions/parx-timeline.bash" \
	    "$DEST/usr/share/bash-completion/completions/parx-timeline"
	cmp "$ROOT/completions/_parx-timeline" \
	    "$DEST/usr/share/zsh/site-functions/_parx-timeline"
	cmp "$ROOT/completions/parx-timeline.fish" \
	    "$DEST/usr/share/fish/vendor_completions.d/parx-timeline.fish"
	run -0 "$DEST/usr/bin/parx" --version
	[[ $output == "parx "* ]]
	run -0 "$DEST/usr/bin/parx-timeline" --version
	[[ $output == "parx-timeline "* ]]
}

@test "the modes do not depend on the umask" {
	umask 077
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	run -0 listing "$DEST"
	[ "$output" = "$EXPECTED" ]
}

@test "make uninstall with the same variables removes every installed file" {
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	touch "$DEST/usr/bin/other"
	run -0 mk uninstall DESTDIR="$DEST" PREFIX=/usr
	run -0 listing "$DEST"
	[[ $output =~ ^0[0-7]{3}\ usr/bin/other$ ]] || {
		printf 'left after uninstall:\n%s\n' "$output"
		return 1
	}
	# Uninstalling again is not an error.
	run -0 mk uninstall DESTDIR="$DEST" PREFIX=/usr
}

@test "PREFIX defaults to /usr/local" {
	run -0 mk install DESTDIR="$DEST"
	run -0 listing "$DEST"
	[ "$output" = "$(printf '%s\n' "$EXPECTED" | sed 's| usr/| usr/local/|')" ]
	run -0 mk uninstall DESTDIR="$DEST"
	run -0 listing "$DEST"
	[ -z "$output" ]
}

@test "BINDIR, MANDIR and DATADIR override the places under PREFIX" {
	run -0 mk install DESTDIR="$DEST" PREFIX=/opt/parx BINDIR=/opt/bin \
	    MANDIR=/opt/man DATADIR=/opt/data
	run -0 listing "$DEST"
	[ "$output" = "0755 opt/bin/parx
0755 opt/bin/parx-timeline
0644 opt/data/bash-completion/completions/parx
0644 opt/data/bash-completion/completions/parx-timeline
0644 opt/data/fish/vendor_completions.d/parx-timeline.fish
0644 opt/data/fish/vendor_completions.d/parx.fish
0644 opt/data/zsh/site-functions/_parx
0644 opt/data/zsh/site-functions/_parx-timeline
0644 opt/man/man1/parx-timeline.1
0644 opt/man/man1/parx.1" ] || {
		printf 'installed:\n%s\n' "$output"
		return 1
	}
	run -0 mk uninstall DESTDIR="$DEST" PREFIX=/opt/parx BINDIR=/opt/bin \
	    MANDIR=/opt/man DATADIR=/opt/data
	run -0 listing "$DEST"
	[ -z "$output" ]
}

@test "man -l renders the installed page without warnings, in 80 columns" {
	command -v man >/dev/null 2>&1 || skip "man is not installed"
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	run --separate-stderr -0 env -u MAN_KEEP_FORMATTING LC_ALL=C \
	    MANWIDTH=80 man --warnings -l "$DEST/usr/share/man/man1/parx.1"
	[ -z "$stderr" ] || {
		printf 'man --warnings said:\n%s\n' "$stderr"
		return 1
	}
	output=$(printf '%s\n' "$output" | sed 's/.\x08//g')
	[[ $output == PARX\(1\)* ]]
	printf '%s\n' "$output" | grep -q '^NAME'
	printf '%s\n' "$output" | grep -Eq 'parx -{1,2} run a command for each input item'
	printf '%s\n' "$output" | grep -q '^EXIT STATUS'
	printf '%s\n' "$output" | grep -q '^EXAMPLES'
	printf '%s\n' "$output" | awk 'length($0) > 80 {
		print "wider than 80 columns: " $0; bad = 1 } END { exit bad }'
}

@test "mandoc -T lint finds nothing in the installed page" {
	command -v mandoc >/dev/null 2>&1 ||
	    skip "mandoc is not installed: cannot lint the installed page"
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	run mandoc -T lint -W warning "$DEST/usr/share/man/man1/parx.1"
	[ -z "$output" ] && [ "$status" -eq 0 ]
}

@test "the installed bash completion loads and registers parx" {
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	run -0 bash --norc --noprofile -c '. "$1" && complete -p parx' bash \
	    "$DEST/usr/share/bash-completion/completions/parx"
	[[ $output == *"-F _parx"* ]]
}

@test "the installed parx-timeline page renders and lints clean" {
	command -v man >/dev/null 2>&1 || skip "man is not installed"
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	run --separate-stderr -0 env -u MAN_KEEP_FORMATTING LC_ALL=C \
	    MANWIDTH=80 man --warnings -l \
	    "$DEST/usr/share/man/man1/parx-timeline.1"
	[ -z "$stderr" ] || {
		printf 'man --warnings said:\n%s\n' "$stderr"
		return 1
	}
	output=$(printf '%s\n' "$output" | sed 's/.\x08//g')
	[[ $output == PARX-TIMELINE\(1\)* ]]
	printf '%s\n' "$output" | grep -Eq \
	    'parx-timeline -{1,2} draw a run of parx or GNU parallel'
	printf '%s\n' "$output" | awk 'length($0) > 80 {
		print "wider than 80 columns: " $0; bad = 1 } END { exit bad }'
	command -v mandoc >/dev/null 2>&1 || skip "mandoc is not installed"
	run mandoc -T lint -W warning "$DEST/usr/share/man/man1/parx-timeline.1"
	[ -z "$output" ] && [ "$status" -eq 0 ]
}

@test "the installed parx-timeline bash completion loads and registers" {
	run -0 mk install DESTDIR="$DEST" PREFIX=/usr
	run -0 bash --norc --noprofile -c '. "$1" && complete -p parx-timeline' \
	    bash "$DEST/usr/share/bash-completion/completions/parx-timeline"
	[[ $output == *"-F _parx_timeline"* ]]
}
