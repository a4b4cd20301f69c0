#!/usr/bin/env bats
# dist.bats - the version is written once, in VERSION, and parx --version,
# make version, debian/changelog and CHANGELOG.md agree with it; make dist
# packs a release tarball (and its SHA-256) that builds, runs and tests
# without git.
#
# The tarball tests need the git checkout (make dist packs the files git
# tracks); in an unpacked tarball they say so and skip.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd -P)
PARX=${PARX:-$ROOT/parx}
case $PARX in
/*) ;;
*) PARX=$PWD/$PARX ;;
esac
VERSION=$(cat "$ROOT/VERSION")
NAME=parx-$VERSION
# What the tarball leaves out of the tracked files (DIST_EXCLUDE).
EXCLUDE='^\.gitignore$|^\.ci/'

setup_file()
{
	command -v git >/dev/null 2>&1 &&
	    [ "$(git -C "$ROOT" rev-parse --show-toplevel 2>/dev/null)" = \
	    "$ROOT" ] || return 0
	make -s --no-print-directory -C "$ROOT" dist \
	    DISTDIR="$BATS_FILE_TMPDIR/dist" >/dev/null 2>&1 || return 0
	tar -xzf "$BATS_FILE_TMPDIR/dist/$NAME.tar.gz" \
	    -C "$BATS_FILE_TMPDIR"
}

# Skips unless setup_file could make the tarball.
need_tarball()
{
	command -v git >/dev/null 2>&1 ||
	    skip "git is not installed: make dist packs the files git tracks"
	[ "$(git -C "$ROOT" rev-parse --show-toplevel 2>/dev/null)" = "$ROOT" ] ||
	    skip "$ROOT is not a git checkout: make dist packs the files git tracks"
	DIST=$BATS_FILE_TMPDIR/dist
	TREE=$BATS_FILE_TMPDIR/$NAME
	[ -f "$DIST/$NAME.tar.gz" ] || {
		echo "make dist did not make $DIST/$NAME.tar.gz:"
		make -s --no-print-directory -C "$ROOT" dist DISTDIR="$DIST"
		return 1
	}
}

# The files the tarball should hold, as git lists them.
tracked()
{
	git -C "$ROOT" ls-files | grep -vE "$EXCLUDE"
}

# Sets NOGIT to a PATH whose git only leaves a trace in $NOGIT_TRACE and
# fails, so that a build that calls git shows.
nogit()
{
	NOGIT_TRACE=$BATS_TEST_TMPDIR/git-was-called
	mkdir -p "$BATS_TEST_TMPDIR/nogit"
	printf '#!/bin/sh\necho "git $*" >>"%s"\nexit 1\n' "$NOGIT_TRACE" \
	    >"$BATS_TEST_TMPDIR/nogit/git"
	chmod 755 "$BATS_TEST_TMPDIR/nogit/git"
	NOGIT=$BATS_TEST_TMPDIR/nogit:$PATH
}

# Fails, showing them, if git was called since nogit.
no_git_calls()
{
	[ ! -e "$NOGIT_TRACE" ] || {
		echo "git was called:"
		cat "$NOGIT_TRACE"
		return 1
	}
}

# Builds the unpacked tarball once per run of this file, without git.
build_tree()
{
	nogit
	[ -x "$TREE/parx" ] && return 0
	PATH=$NOGIT make -s -j2 -C "$TREE" >/dev/null || return 1
	no_git_calls
}

@test "VERSION is one MAJOR.MINOR.PATCH line" {
	run -0 cat "$ROOT/VERSION"
	[ "${#lines[@]}" -eq 1 ]
	[[ $output =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
		echo "VERSION holds: $output"
		return 1
	}
}

@test "parx --version and make version print the version in VERSION" {
	run -0 --separate-stderr "$PARX" --version
	[ "$output" = "parx $VERSION" ] || {
		echo "parx --version: $output; VERSION: $VERSION"
		return 1
	}
	run -0 make -s --no-print-directory -C "$ROOT" version
	[ "$output" = "$VERSION" ]
}

@test "debian/changelog's newest entry is the version in VERSION" {
	run -0 sed -n '1s/^parx (\([^)]*\)) .*/\1/p' "$ROOT/debian/changelog"
	[ "$output" = "$VERSION" ] || {
		echo "debian/changelog: '$output'; VERSION: $VERSION"
		return 1
	}
	if command -v dpkg-parsechangelog >/dev/null 2>&1; then
		run -0 dpkg-parsechangelog -l "$ROOT/debian/changelog" \
		    -S Version
		[ "$output" = "$VERSION" ]
	fi
}

@test "CHANGELOG.md has an Unreleased section, then the entry for VERSION" {
	run -0 grep '^## ' "$ROOT/CHANGELOG.md"
	[ "${lines[0]}" = "## Unreleased" ] || {
		echo "first section: ${lines[0]}"
		return 1
	}
	[[ ${lines[1]} =~ ^##\ ${VERSION//./\\.}\ -\ [0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || {
		echo "newest release section: '${lines[1]}'; VERSION: $VERSION"
		return 1
	}
}

@test "LICENSE, debian/copyright and README.md name the same licence" {
	run -0 head -n 1 "$ROOT/LICENSE"
	[ "$output" = "ISC License" ]
	grep -qx 'License: ISC' "$ROOT/debian/copyright"
	grep -q 'ISC licence' "$ROOT/README.md"
	# The permission text is LICENSE's, word for word.
	diff <(sed -n '/^Permission/,$p' "$ROOT/LICENSE" | tr -s ' \n' '  ') \
	    <(sed -n '/^ Permission/,$p' "$ROOT/debian/copyright" |
	    sed 's/^ \.\{0,1\}//' | tr -s ' \n' '  ')
}

@test "make dist writes parx-VERSION.tar.gz and a SHA-256 file sha256sum accepts" {
	need_tarball
	run -0 ls "$DIST"
	[ "$output" = "$NAME.tar.gz
$NAME.tar.gz.sha256" ]
	run -0 cat "$DIST/$NAME.tar.gz.sha256"
	[[ $output =~ ^[0-9a-f]{64}\ \ $NAME\.tar\.gz$ ]]
	cd "$DIST"
	run -0 sha256sum -c "$NAME.tar.gz.sha256"
	[ "$output" = "$NAME.tar.gz: OK" ]
}

@test "the tarball holds the tracked files under parx-VERSION/, as in the tree" {
	need_tarball
	run -0 tar -tzf "$DIST/$NAME.tar.gz"
	[ "$output" = "$(tracked | sed "s|^|$NAME/|")" ] || {
		diff <(tracked | sed "s|^|$NAME/|") - <<<"$output"
		return 1
	}
	local f
	while IFS= read -r f; do
		cmp "$ROOT/$f" "$TREE/$f"
	done < <(tracked)
	# What a release needs is there; what the build makes is not.
	for f in VERSION LICENSE CHANGELOG.md README.md Makefile src/parx.h \
	    man/parx.1 completions/parx.bash completions/_parx \
	    completions/parx.fish tests/helpers.bash tests/dist.bats \
	    bench/run.sh fuzz/run.sh debian/control debian/rules; do
		[ -f "$TREE/$f" ] || {
			echo "the tarball lacks $f"
			return 1
		}
	done
	run grep -E '\.o$|/parx$|/\.bats/|/\.git|/\.ci/' <(tar -tzf "$DIST/$NAME.tar.gz")
	[ -z "$output" ]
}

@test "the tarball's entries belong to root and keep only the execute bits" {
	need_tarball
	local want
	want=$(git -C "$ROOT" ls-files -s | awk -F '\t' -v name="$NAME" '
	    { print (substr($1, 1, 6) == "100755" ? "-rwxr-xr-x" : "-rw-r--r--"),
	    "0/0", name "/" $2 }' | grep -vE " $NAME/(\.gitignore|\.ci/.*)$")
	run -0 tar --numeric-owner -tvzf "$DIST/$NAME.tar.gz"
	output=$(printf '%s\n' "$output" | awk '{ print $1, $2, $6 }')
	[ "$output" = "$want" ] || {
		diff <(echo "$want") <(echo "$output")
		return 1
	}
}

@test "make dist gives the same bytes twice" {
	need_tarball
	run -0 make -s --no-print-directory -C "$ROOT" dist \
	    DISTDIR="$BATS_TEST_TMPDIR/again"
	cmp "$DIST/$NAME.tar.gz" "$BATS_TEST_TMPDIR/again/$NAME.tar.gz"
	cmp "$DIST/$NAME.tar.gz.sha256" \
	    "$BATS_TEST_TMPDIR/again/$NAME.tar.gz.sha256"
}

@test "the unpacked tarball builds without git and prints its version" {
	need_tarball
	build_tree
	run -0 "$TREE/parx" --version
	[ "$output" = "parx $VERSION" ]
	run -0 "$TREE/parx-timeline" --version
	[ "$output" = "parx-timeline $VERSION" ]
	run -0 env PATH="$NOGIT" make -s --no-print-directory -C "$TREE" \
	    version
	[ "$output" = "$VERSION" ]
	printf 'a\nb\nc\n' | "$TREE/parx" -k -j2 echo item >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "item a
item b
item c" ]
	no_git_calls
}

@test "the unpacked tarball runs its own tests without git" {
	need_tarball
	build_tree
	local bats
	bats=$(command -v bats || echo "$ROOT/tests/.bats/bin/bats")
	cd "$TREE"
	run -0 env PATH="$NOGIT" PARX="$TREE/parx" "$bats" tests/docs.bats \
	    tests/install.bats
	[[ ${lines[0]} =~ ^1\.\.[0-9]+$ ]]
	[[ $output != *"not ok"* ]]
	no_git_calls
}

@test "a new VERSION in the unpacked tarball is what make builds into parx" {
	need_tarball
	build_tree
	cp -R "$TREE" "$BATS_TEST_TMPDIR/tree"
	echo 9.8.7 >"$BATS_TEST_TMPDIR/tree/VERSION"
	run -0 env PATH="$NOGIT" make -s -C "$BATS_TEST_TMPDIR/tree"
	run -0 "$BATS_TEST_TMPDIR/tree/parx" --version
	[ "$output" = "parx 9.8.7" ]
	run -0 "$BATS_TEST_TMPDIR/tree/parx-timeline" --version
	[ "$output" = "parx-timeline 9.8.7" ]
}

@test "make dist outside the git checkout fails and says why" {
	need_tarball
	run -2 --separate-stderr make -s --no-print-directory -C "$TREE" dist \
	    DISTDIR="$BATS_TEST_TMPDIR/out"
	[ "${stderr_lines[0]}" = "make dist: needs the git checkout of parx: it packs the files git tracks" ] || {
		echo "stderr: $stderr"
		return 1
	}
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
}
