#!/bin/sh
# Lints the man page; gate on warnings, as host-dependent style notes vary.
if ! command -v mandoc >/dev/null 2>&1; then
	echo "NOTICE: mandoc not installed; man page lint SKIPPED" >&2
	exit 0
fi
out=$(mandoc -T lint -W warning man/parx.1 2>&1)
if [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	exit 1
fi
echo "mandoc -T lint -W warning man/parx.1: clean"
