#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh BUILD_DIR SECONDS HARNESS... — run each libFuzzer harness for SECONDS from its committed
# seeds (tests/fuzz/corpus/NAME), print libFuzzer's own summary lines, fail when any crashes.
# New inputs go to BUILD_DIR/corpus/NAME, crashing ones to BUILD_DIR/crashes/NAME-*.
build=$1
secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bin in "$@"; do
	name=${bin##*/fuzz_}
	seeds=$here/corpus/$name
	[ -d "$seeds" ] || { echo "fuzz: $name has no seed corpus ($seeds)" >&2; status=1; continue; }
	mkdir -p "$build/corpus/$name" "$build/crashes"
	log=$build/fuzz-$name.log
	echo "== fuzz $name (${secs}s, $(ls "$seeds" | wc -l) seeds)"
	if "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$name-" "$build/corpus/$name" "$seeds" >"$log" 2>&1; then
		grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|^stat::number_of_executed_units|^stat::peak_rss_mb' "$log"
	else
		tail -n 60 "$log"
		echo "fuzz: $name FAILED (log: $log, inputs: $build/crashes/$name-*)" >&2
		status=1
	fi
done
exit $status
