#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh BUILD_DIR — run the unit and integration suites and print one total line.
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
status=0
# a pipe's status is tee's: keep each suite's own (a sanitizer's exit when it finds a leak)
failmark="$out.failed"
trap 'rm -f "$out" "$failmark"' EXIT
{ "$build/unit_tests" || : >"$failmark"; } | tee "$out"
{ python3 "$here/integration/run.py" --bin "$build/portsleuth" --helper "$build/sockhold" || : >"$failmark"; } |
	tee -a "$out"
if [ -e "$failmark" ]; then
	status=1
	echo "a suite exited with an error (a crash, or a sanitizer's report above)"
fi
passed=$(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out" | awk '{s+=$1} END {print s+0}')
[ "$failed" = 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "total: $passed passed, $failed failed"
exit $status
