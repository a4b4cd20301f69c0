#!/bin/sh
# Makes bats-core available as tests/.bats/bin/bats when it is not on PATH:
# from the npm registry into tests/.bats, or else from the system packages.
set -e
dir=$(cd "$(dirname "$0")" && pwd)
command -v bats >/dev/null 2>&1 && exit 0
[ -x "$dir/.bats/bin/bats" ] && exit 0
mkdir -p "$dir/.bats/bin"
if command -v npm >/dev/null 2>&1 &&
    npm install --silent --no-audit --no-fund --prefix "$dir/.bats" bats \
    >/dev/null 2>&1; then
	ln -sf ../node_modules/bats/bin/bats "$dir/.bats/bin/bats"
	exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	apt-get update -qq && apt-get install -y -qq bats >/dev/null
	ln -sf "$(command -v bats)" "$dir/.bats/bin/bats"
	exit 0
fi
echo "bootstrap-bats: cannot install bats-core (no npm, no apt-get as root)" >&2
exit 1
