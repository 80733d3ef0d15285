#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# top_cost.sh [PORTSLEUTH] — CPU of `portsleuth top` at a 1 s refresh against a loop of
# `ss -tinp` once a second (the same job: every TCP socket's counters and owners), over
# BENCH_SECONDS (30) each, on loadgen's load (22k sockets in 100 processes; BENCH_LOADGEN
# gives other loadgen options) in a private network namespace. top runs in a tmux pane of
# 80x24 (it needs a terminal), in the sockets view (counters asked for the rows on screen
# only) and in the processes view (every socket's counters). Prints CPU seconds and the
# ratios. Needs root, tmux, ss. Timings never decide the exit status.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../build/portsleuth}")
SECS=${BENCH_SECONDS:-30}
if [ "${TOP_COST_INNER:-}" != 1 ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$work/loadgen" "$here/loadgen.c"
	TOP_COST_INNER=1 WORK=$work unshare -n sh "$0" "$bin"
	exit
fi
ip link set lo up
# shellcheck disable=SC2086
"$WORK/loadgen" -t 600 ${BENCH_LOADGEN:-} >"$WORK/lg.out" 2>"$WORK/lg.err" &
lg=$!
trap 'kill $lg 2>/dev/null; tmux -S "$WORK/tmux" kill-server 2>/dev/null || :' EXIT
until grep -q '^READY' "$WORK/lg.out" 2>/dev/null; do sleep 0.2; done
grep '^READY' "$WORK/lg.out"

ticks() { # utime + stime of pid $1, in clock ticks
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)

top_cpu() { # view key ("" or 2) -> CPU seconds of top over SECS
	tmux -S "$WORK/tmux" -f /dev/null new-session -d -x 80 -y 24 "$bin top -d 1; sleep 60"
	sleep 1
	shell=$(tmux -S "$WORK/tmux" display -p '#{pane_pid}')
	pid=$(pgrep -P "$shell" -x portsleuth)
	[ -n "$1" ] && tmux -S "$WORK/tmux" send-keys "$1"
	sleep 2 # settled: the first full listing and the view's first refresh are done
	a=$(ticks "$pid")
	sleep "$SECS"
	b=$(ticks "$pid")
	tmux -S "$WORK/tmux" send-keys q
	sleep 0.5
	tmux -S "$WORK/tmux" kill-server 2>/dev/null || :
	echo "$a $b $hz" | awk '{ printf "%.2f", ($2 - $1) / $3 }'
}

ss_cpu() {
	/usr/bin/time -f "%U %S" -o "$WORK/ss.time" sh -c "i=0; while [ \$i -lt $SECS ]; do ss -tinp >/dev/null; sleep 1; i=\$((i + 1)); done"
	awk '{ printf "%.2f", $1 + $2 }' "$WORK/ss.time"
}

t_sock=$(top_cpu "")
t_proc=$(top_cpu 2)
s=$(ss_cpu)
echo "over $SECS s at 1 s: top (sockets view) ${t_sock} s CPU, top (processes view) ${t_proc} s CPU, ss -tinp loop ${s} s CPU"
echo "$t_sock $t_proc $s $SECS" | awk '{ printf "ratio top/ss: sockets view %.2f, processes view %.2f; top = %.1f%% / %.1f%% of one core\n", $1 / $3, $2 / $3, 100 * $1 / $4, 100 * $2 / $4 }'
