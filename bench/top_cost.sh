#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# top_cost.sh [PORTSLEUTH] — CPU of `portsleuth top` at a 1 s refresh against a loop of
# `ss -tinp` once a second (the same job: every TCP socket's counters and owners), over
# BENCH_SECONDS (60) each, per scale of loadgen's load (TOP_SCALES: "98k 5000p"; also 22k;
# the layouts are bench/run.sh's) in a private network namespace. top runs in a tmux pane of
# 80x24 (it needs a terminal), in the sockets view (counters asked for the rows on screen
# only) and in the processes view (the counters of the processes on screen), with --timing: the longest time
# between two refreshes (1 s = never late; the first listing, before the first screen, aside:
# said apart) and how many were full listings (and of them made in the background). Prints CPU
# seconds, the share of one core and the ratios (TOP_SS=0: top only; TOP_ARGS: more options
# of top, e.g. "--events diag" for the way without BPF; TOP_VIEW_KEY=3: that view alone (3
# listeners, 4 remotes), top only; TOP_SS=wall: the ss loop for
# BENCH_SECONDS of wall time, not BENCH_SECONDS rounds: at 98k one round takes seconds). Needs
# root, tmux, ss.
# Timings never decide the exit status.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../build/portsleuth}")
SECS=${BENCH_SECONDS:-60}
if [ "${TOP_COST_INNER:-}" != 1 ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$work/loadgen" "$here/loadgen.c"
	for scale in ${TOP_SCALES:-98k 5000p}; do
		echo "== $scale (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
		TOP_COST_INNER=1 WORK=$work SCALE=$scale unshare -n sh "$0" "$bin"
	done
	exit
fi
case $SCALE in
22k) args="" ;;
98k) args="-n 100 -l 40 -c 400 -u 140" ;;
5000p) args="-n 5000 -l 1 -c 1 -u 1" ;;
*) echo "unknown scale $SCALE (22k, 98k, 5000p)" >&2; exit 2 ;;
esac
ip link set lo up
# shellcheck disable=SC2086
"$WORK/loadgen" -t 900 $args >"$WORK/lg.out" 2>"$WORK/lg.err" &
lg=$!
trap 'kill $lg 2>/dev/null; tmux -S "$WORK/tmux" kill-server 2>/dev/null || :' EXIT
until grep -q '^READY' "$WORK/lg.out" 2>/dev/null; do
	kill -0 $lg 2>/dev/null || { cat "$WORK/lg.err" >&2; exit 1; }
	sleep 0.2
done
grep '^READY' "$WORK/lg.out"

ticks() { # utime + stime of pid $1, in clock ticks
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)

top_cpu() { # view key ("" or 2) -> "CPU-seconds longest-gap full-listings"
	rm -f "$WORK/timing"
	tmux -S "$WORK/tmux" -f /dev/null new-session -d -x 80 -y 24 \
		"$bin top -d 1 ${TOP_ARGS:-} --timing $WORK/timing; sleep 60"
	pid=
	i=0
	while [ -z "$pid" ] && [ $i -lt 100 ]; do
		sleep 0.1
		shell=$(tmux -S "$WORK/tmux" display -p '#{pane_pid}')
		pid=$(pgrep -P "$shell" -x portsleuth || :)
		i=$((i + 1))
	done
	[ -n "$pid" ] || { echo "top did not start" >&2; exit 1; }
	sleep "${TOP_SETTLE:-5}" # the first full listing is done
	if [ -n "$1" ]; then
		tmux -S "$WORK/tmux" send-keys "$1"
		sleep 2 # the view's first refresh is done
	fi
	a=$(ticks "$pid")
	sleep "$SECS"
	b=$(ticks "$pid")
	tmux -S "$WORK/tmux" send-keys q
	i=0
	while [ ! -s "$WORK/timing" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	tmux -S "$WORK/tmux" kill-server 2>/dev/null || :
	gap=$(awk '{ for (i = 1; i < NF; i++) if ($i == "max_interval_s") print $(i + 1) }' "$WORK/timing")
	full=$(awk '{ for (i = 1; i < NF; i++) if ($i == "full_listings") f = $(i + 1); else if ($i == "refreshes") r = $(i + 1); else if ($i == "events") e = $(i + 1); else if ($i == "background_listings") b = $(i + 1); else if ($i == "first_listing_s") l = $(i + 1) } END { print f "/" r "(events:" e ",background:" (b == "" ? "-" : b) ",first-listing:" (l == "" ? "-" : l "s") ")" }' "$WORK/timing")
	echo "$a $b $hz" | awk -v g="${gap:-?}" -v f="${full:-?}" '{ printf "%.2f %s %s", ($2 - $1) / $3, g, f }'
}

ss_cpu() {
	if [ "${TOP_SS:-1}" = wall ]; then # as many rounds as fit in SECS s of wall time
		echo 0 >"$WORK/ss.rounds"
		/usr/bin/time -f "%U %S %e" -o "$WORK/ss.time" timeout -s INT "$SECS" sh -c "trap 'exit 0' INT; n=0; while :; do ss -tinp >/dev/null; n=\$((n + 1)); echo \$n >$WORK/ss.rounds; sleep 1; done" || :
		# (time's first line says timeout's status 124: the times are the last); then the
		# rounds it finished, instead of how late it fell behind
		tail -n 1 "$WORK/ss.time" | awk -v r="$(cat "$WORK/ss.rounds")" '{ printf "%.2f %s-rounds", $1 + $2, r }'
		return
	fi
	/usr/bin/time -f "%U %S %e" -o "$WORK/ss.time" sh -c "i=0; while [ \$i -lt $SECS ]; do ss -tinp >/dev/null; sleep 1; i=\$((i + 1)); done"
	# CPU seconds, and the loop's wall time beyond SECS s of sleeps (how late it falls behind)
	awk -v s="$SECS" '{ printf "%.2f %.2f", $1 + $2, ($3 - s) / s }' "$WORK/ss.time"
}

if [ -n "${TOP_VIEW_KEY:-}" ]; then # one view only, by its key (3: listeners, 4: remotes)
	set -- $(top_cpu "$TOP_VIEW_KEY")
	echo "$SCALE over $SECS s at 1 s: top (view key $TOP_VIEW_KEY) $1 s CPU, longest refresh gap $2 s, full listings/refreshes $3"
	exit 0
fi
set -- $(top_cpu "")
t_sock=$1 g_sock=$2 f_sock=$3
set -- $(top_cpu 2)
t_proc=$1 g_proc=$2 f_proc=$3
if [ "${TOP_SS:-1}" = 0 ]; then # top only (the ss loop takes 10+ minutes at 98k under load)
	echo "$SCALE over $SECS s at 1 s: top (sockets view) ${t_sock} s CPU, longest refresh gap ${g_sock} s, full listings/refreshes ${f_sock}; (processes view) ${t_proc} s CPU, longest gap ${g_proc} s, ${f_proc}"
	exit 0
fi
set -- $(ss_cpu)
s=$1 s_late=$2
echo "$SCALE over $SECS s at 1 s: top (sockets view) ${t_sock} s CPU, longest refresh gap ${g_sock} s, full listings/refreshes ${f_sock};"
case $s_late in
*-rounds) late="${s_late%-rounds} rounds done in ${SECS} s" ;;
*) late="${s_late} s per iteration beyond its 1 s sleep" ;;
esac
echo "  top (processes view) ${t_proc} s CPU, longest gap ${g_proc} s, ${f_proc}; ss -tinp loop ${s} s CPU (${late})"
echo "$t_sock $t_proc $s $SECS" | awk '{ printf "  ratio top/ss: sockets view %.3f, processes view %.3f; top = %.1f%% / %.1f%% of one core, ss loop %.1f%%\n", $1 / $3, $2 / $3, 100 * $1 / $4, 100 * $2 / $4, 100 * $3 / $4 }'
