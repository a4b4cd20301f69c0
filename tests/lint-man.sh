#!/bin/sh
# Lints the man pages; gate on warnings, as host-dependent style notes vary.
if ! command -v mandoc >/dev/null 2>&1; then
	echo "NOTICE: mandoc not installed; man page lint SKIPPED" >&2
	exit 0
fi
rc=0
for page in man/parx.1 man/parx-timeline.1; do
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	if [ -n "$out" ]; then
		printf '%s\n' "$out" >&2
		rc=1
	else
		echo "mandoc -T lint -W warning $page: clean"
	fi
done
exit $rc
