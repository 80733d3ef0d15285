#!/bin/sh
# run.sh BUILD_DIR — run the unit and integration suites and print one total line.
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$build/unit_tests" | tee "$out" || status=1
python3 "$here/integration/run.py" --bin "$build/portsleuth" --helper "$build/sockhold" | tee -a "$out" || status=1
passed=$(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out" | awk '{s+=$1} END {print s+0}')
[ "$failed" = 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "total: $passed passed, $failed failed"
exit $status
