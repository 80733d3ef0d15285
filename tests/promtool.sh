#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# promtool.sh — the Prometheus side of the metrics: `promtool check metrics` on what `check` and
# `snapshot` write, `promtool check rules` and `promtool test rules` on docs/prometheus-rules.yml.
#   sh tests/promtool.sh [BUILD_DIR]      (default build; needs promtool: apt-get install prometheus)
# The metrics are taken in a private network namespace (unshare -n, as root) with a public
# address and a few listeners, so they have findings, a violation and every kind of series.
set -eu
build=${1:-build}
bin=$(cd "$build" && pwd)/portsleuth
root=$(cd "$(dirname "$0")/.." && pwd)
command -v promtool >/dev/null 2>&1 || { echo "promtool.sh: promtool is missing (apt-get install prometheus)" >&2; exit 1; }
[ -x "$bin" ] || { echo "promtool.sh: $bin is not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

printf 'allow tcp 8080 max-exposure=loopback\n' >"$tmp/policy"
# listeners: redis's port on every address (one of them public), a loopback one; then the outputs
# shellcheck disable=SC2016 # the script's $0 and $1 are the inner shell's
unshare -n sh -c '
	ip link set lo up
	ip link add eth0 type veth peer name eth0p
	ip addr add 203.0.113.7/24 dev eth0
	ip link set eth0p up
	ip link set eth0 up
	python3 -c "
import socket, subprocess, sys
a = socket.socket(); a.bind((\"0.0.0.0\", 6379)); a.listen()
b = socket.socket(); b.bind((\"127.0.0.1\", 8080)); b.listen()
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.bind((\"0.0.0.0\", 5353))
bin, tmp = sys.argv[1], sys.argv[2]
for name, argv in ((\"check\", [\"check\", \"--baseline\", tmp + \"/policy\", \"--format\", \"prometheus\"]),
                   (\"snapshot\", [\"snapshot\", \"--format\", \"prometheus\"])):
    with open(tmp + \"/\" + name + \".prom\", \"wb\") as f:
        subprocess.run([bin] + argv, stdout=f)
" "$0" "$1"' "$bin" "$tmp"
for f in check snapshot; do
	if ! [ -s "$tmp/$f.prom" ]; then
		echo "FAIL promtool: $f --format prometheus wrote nothing"
		fail=1
	elif out=$(promtool check metrics <"$tmp/$f.prom" 2>&1); then
		echo "ok promtool check metrics ($f, $(grep -vc '^#' "$tmp/$f.prom") samples)"
	else
		echo "FAIL promtool check metrics ($f):"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=1
	fi
done
grep -q '^portsleuth_findings{severity="alert",code="public-exposure"} 1$' "$tmp/check.prom" || {
	echo "FAIL promtool: check.prom lacks the redis public-exposure finding"
	fail=1
}
if out=$(cd "$root/docs" && promtool check rules prometheus-rules.yml 2>&1 && promtool test rules prometheus-rules.test.yml 2>&1); then
	echo "ok promtool check rules + test rules (docs/prometheus-rules.yml)"
else
	echo "FAIL promtool rules:"
	printf '%s\n' "$out" | sed 's/^/    /'
	fail=1
fi
exit $fail
