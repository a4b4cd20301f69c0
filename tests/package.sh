#!/usr/bin/env bash
# package.sh - the two ways a user installs a parx release, tried as a user
# would on Debian 12, as root (it installs and removes a package; .ci/run
# calls it):
#
#  1. the tarball: make dist, sha256sum -c, unpack, build without git, run;
#     make install into a staging directory;
#  2. the Debian package: make deb (DEB_BUILD_OPTIONS as given: .ci/run
#     passes nocheck, as the suite has run already), lintian with no error
#     or warning, apt install ./parx_*.deb, then parx --version, man parx,
#     and the completions in fresh bash (with bash-completion), zsh and
#     fish shells; the package holds what make install installs; apt
#     remove --purge leaves nothing behind.
#
# Needs git, dpkg-dev, debhelper, fakeroot, lintian, man-db and
# bash-completion (.ci/run installs them); zsh and fish are tried when
# installed.  Prints the time of each step.  Exits 0 when every check
# passes.
set -euo pipefail
cd "$(dirname "$0")/.."

die()
{
	echo "package.sh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root: it installs and removes a package"
if [ "$(dpkg-query -W -f '${db:Status-Status}' parx 2>/dev/null)" = \
    installed ]; then
	die "a parx package is installed already: remove it first"
fi

version=$(make -s --no-print-directory version)
name=parx-$version
work=$(mktemp -d)
installed=
cleanup()
{
	if [ -n "$installed" ]; then
		apt-get remove --purge -y -qq parx >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# make dist packs the files git tracks: a tree that is not a git checkout
# is committed to a scratch repository first (build output is ignored).
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" != "$(pwd -P)" ]; then
	echo "package: $(pwd -P) is not a git checkout: packing a copy" \
	    "committed to a scratch repository"
	mkdir "$work/repo"
	tar -cf - --exclude=./.git . | tar -xf - -C "$work/repo"
	cd "$work/repo"
	git init -q
	git add -A
	git -c user.name=parx -c user.email=parx@localhost commit -qm tree
fi

# step NAME COMMAND...: runs a check and says how long it took.
step()
{
	local what=$1 t0 t1
	shift
	t0=$(date +%s%N)
	"$@"
	t1=$(date +%s%N)
	printf 'package: %-44s ok  %6.1f s\n' "$what" \
	    "$(((t1 - t0) / 1000000))e-3"
}

# same WHAT GOT WANT: fails, saying what differs, unless GOT is WANT.
same()
{
	[ "$2" = "$3" ] || die "$1: got '$2', want '$3'"
}

# quietly LOG COMMAND...: runs COMMAND with its output in LOG, shown if it
# fails.
quietly()
{
	local log=$1
	shift
	"$@" >"$log" 2>&1 || {
		tail -n 60 "$log" >&2
		die "failed: $*"
	}
}

tarball()
{
	make -s --no-print-directory dist DISTDIR="$work/dist" >/dev/null
	(cd "$work/dist" && sha256sum --quiet -c "$name.tar.gz.sha256") ||
	    die "sha256sum -c $name.tar.gz.sha256 failed"
}

# Builds and runs the unpacked tarball with a git that fails on any call.
tarball_build()
{
	local src=$work/src out

	mkdir -p "$src" "$work/nogit"
	tar -xzf "$work/dist/$name.tar.gz" -C "$src"
	printf '#!/bin/sh\necho "git $*" >>"%s/git-called"\nexit 1\n' \
	    "$work" >"$work/nogit/git"
	chmod 755 "$work/nogit/git"
	PATH=$work/nogit:$PATH quietly "$work/build.log" \
	    make -C "$src/$name" -j2
	[ ! -e "$work/git-called" ] ||
	    die "the build from the tarball called $(cat "$work/git-called")"
	same "parx --version (tarball)" "$("$src/$name/parx" --version)" \
	    "parx $version"
	out=$(printf '%s\n' a b c | "$src/$name/parx" -k -j2 echo item)
	same "parx -k (tarball)" "$out" "$(printf 'item %s\n' a b c)"
}

# make install from the tarball, into a staging directory: once as a user
# would (PREFIX=/usr/local), once with the places debian/rules gives.
tarball_install()
{
	local tree=$work/src/$name

	make -s -C "$tree" install DESTDIR="$work/stage" >/dev/null
	same "installed parx --version" \
	    "$("$work/stage/usr/local/bin/parx" --version)" "parx $version"
	[ -f "$work/stage/usr/local/share/man/man1/parx.1" ] ||
	    die "make install put no man page under /usr/local"
	make -s -C "$tree" install DESTDIR="$work/debroot" PREFIX=/usr \
	    ZSHCOMPDIR=/usr/share/zsh/vendor-completions >/dev/null
}

deb_build()
{
	quietly "$work/deb.log" make --no-print-directory deb \
	    DEBDIR="$work/deb"
	ls "$work/deb/parx_${version}_"*.deb >/dev/null ||
	    die "make deb made no parx_${version}_*.deb"
}

# lintian: no error or warning; info and pedantic tags are shown.
deb_lintian()
{
	local out rc=0

	out=$(lintian --fail-on error,warning --display-info --pedantic \
	    "$work/deb/parx_${version}_"*.changes 2>&1) || rc=$?
	out=$(printf '%s\n' "$out" | grep -v '^running with root privileges' ||
	    true)
	[ "$rc" = 0 ] || {
		printf '%s\n' "$out" >&2
		die "lintian found errors or warnings (exit status $rc)"
	}
	if [ -n "$out" ]; then
		printf '%s\n' "$out" | sed 's/^/package: lintian: /'
	fi
}

deb_install()
{
	(cd "$work/deb" && DEBIAN_FRONTEND=noninteractive \
	    quietly "$work/apt.log" apt install -y ./parx_*.deb)
	installed=1
	[ "$(dpkg-query -W -f '${db:Status-Status} ${Version}' parx)" = \
	    "installed $version" ] || die "dpkg does not list parx $version"
	dpkg-query -L parx | sort >"$work/files"
}

deb_version()
{
	hash -r
	same "command -v parx" "$(command -v parx)" /usr/bin/parx
	same "parx --version (package)" "$(parx --version)" "parx $version"
	same "parx --version (login shell)" \
	    "$(env -i HOME="$work" bash -lc 'parx --version')" "parx $version"
}

# What make install installs is in the package, and the package holds
# nothing else but its /usr/share/doc/parx.
deb_contents()
{
	local f extra

	(cd "$work/debroot" && find . ! -type d) | sed 's|^\.||' |
	    sed 's|^/usr/share/man/.*|&.gz|' | sort >"$work/make-install"
	extra=$(comm -23 "$work/make-install" "$work/files")
	[ -z "$extra" ] || die "make install installs what the package lacks:
$extra"
	while IFS= read -r f; do
		[ -d "$f" ] && continue
		grep -qxF "$f" "$work/make-install" && continue
		case $f in
		/usr/share/doc/parx/*) ;;
		*) die "the package holds $f, which make install does not" ;;
		esac
	done <"$work/files"
	for f in copyright changelog.gz; do
		[ -f "/usr/share/doc/parx/$f" ] || die "no /usr/share/doc/parx/$f"
	done
}

deb_man()
{
	local page err

	same "man -w parx" "$(man -w parx)" /usr/share/man/man1/parx.1.gz
	page=$(env -u MAN_KEEP_FORMATTING LC_ALL=C MANWIDTH=80 MANPAGER=cat \
	    man --warnings parx 2>"$work/man.err" | col -b)
	err=$(cat "$work/man.err")
	[ -z "$err" ] || die "man parx warns: $err"
	[[ $page == PARX\(1\)* ]] || die "man parx starts: ${page:0:60}"
	printf '%s\n' "$page" | grep -Eq '^ +parx -{1,2} run a command' ||
	    die "man parx has no NAME line"
}

# A fresh interactive bash for a new user (/etc/skel/.bashrc loads
# bash-completion), asked to complete "parx --ke" as a TAB would: the
# default handler loads the completion that the package installed.
deb_bash_completion()
{
	local home=$work/home out

	mkdir -p "$home"
	cp /etc/skel/.bashrc "$home/.bashrc"
	# shellcheck disable=SC2016
	out=$(env -i HOME="$home" TERM=dumb PATH=/usr/bin:/bin bash -ic '
		complete -p -D >/dev/null 2>&1 || {
			echo "no default completion: bash-completion not loaded"
			exit 1
		}
		loader=$(complete -p -D | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		COMP_WORDS=(parx --ke) COMP_CWORD=1 COMP_LINE="parx --ke"
		COMP_POINT=${#COMP_LINE}
		"$loader" parx --ke parx
		complete -p parx
		COMPREPLY=()
		_parx parx --ke parx
		echo "reply: ${COMPREPLY[*]}"
	' 2>"$work/bash.err") || {
		printf '%s\n' "$out" >&2
		cat "$work/bash.err" >&2
		die "bash -i could not complete parx"
	}
	same "bash completion of parx --ke" "$out" \
	    "complete -F _parx parx
reply: --keep-order"
}

deb_zsh_completion()
{
	command -v zsh >/dev/null 2>&1 || {
		echo "package: zsh is not installed: its completion not tried"
		return 0
	}
	# shellcheck disable=SC2016
	same "zsh completion function for parx" \
	    "$(env -i HOME="$work/home" PATH=/usr/bin:/bin zsh -fc '
		autoload -Uz compinit && compinit -u -d "$HOME/.zcompdump"
		print -r -- $_comps[parx] ${^fpath}/_parx(N)
	    ')" "_parx /usr/share/zsh/vendor-completions/_parx"
}

deb_fish_completion()
{
	command -v fish >/dev/null 2>&1 || {
		echo "package: fish is not installed: its completion not tried"
		return 0
	}
	same "fish completion of parx --ke" \
	    "$(env -i HOME="$work/home" PATH=/usr/bin:/bin \
	    fish -c 'complete -C "parx --ke"' | cut -f1)" --keep-order
}

deb_remove()
{
	local f

	quietly "$work/remove.log" env DEBIAN_FRONTEND=noninteractive \
	    apt-get remove --purge -y parx
	installed=
	case $(dpkg-query -W -f '${db:Status-Status}' parx 2>/dev/null) in
	'' | not-installed) ;;
	*) die "dpkg still lists parx after apt-get remove --purge" ;;
	esac
	while IFS= read -r f; do
		[ -d "$f" ] && continue
		[ ! -e "$f" ] || die "$f is left after removing the package"
	done <"$work/files"
	hash -r
	! command -v parx >/dev/null 2>&1 ||
	    die "parx is still on PATH: $(command -v parx)"
}

t0=$(date +%s)
step "make dist, sha256sum -c" tarball
step "tarball: make without git, --version" tarball_build
step "tarball: make install (staged)" tarball_install
step "make deb (DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-})" deb_build
step "lintian: no errors or warnings" deb_lintian
step "apt install ./parx_*.deb" deb_install
step "parx --version" deb_version
step "package holds what make install installs" deb_contents
step "man parx" deb_man
step "bash completion in a fresh bash -i" deb_bash_completion
step "zsh completion" deb_zsh_completion
step "fish completion" deb_fish_completion
step "apt-get remove --purge parx" deb_remove
echo "package: parx $version: tarball and Debian package checked" \
    "in $(($(date +%s) - t0)) s"
