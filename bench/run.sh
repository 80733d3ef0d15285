#!/bin/sh
# run.sh [PORTSLEUTH] — time portsleuth against ss, netstat and lsof on ~22,000 sockets in a private netns.
#
#   sh bench/run.sh                      builds build/portsleuth (make), then benchmarks it
#   sh bench/run.sh path/to/portsleuth   benchmarks that binary
#   make bench [BUILD=dir]               the same through the Makefile
#
# Knobs (environment): BENCH_RUNS (10), BENCH_WARMUP (2), BENCH_RSS_RUNS (5),
# LOADGEN_ARGS (extra loadgen options, e.g. "-n 50"), BENCH_VERBOSE=1 (show hyperfine's
# own output), CC. Exit status: 0 when everything ran, 1 when something broke (a missing
# tool, a load that did not come up, a command that failed, portsleuth missing sockets
# or owners). Timings never decide the exit status.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
RUNS=${BENCH_RUNS:-10}
WARMUP=${BENCH_WARMUP:-2}
RSS_RUNS=${BENCH_RSS_RUNS:-5}
LOADGEN_ARGS=${LOADGEN_ARGS:-}
LOADGEN_TIMEOUT=${LOADGEN_TIMEOUT:-900} # hard cap on the load's lifetime, seconds

say() { printf '%s\n' "$*"; }
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }

median() { # numbers on stdin, one per line -> median (mean of the middle two when even)
	sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------- inside the namespace
if [ "${1:-}" = "--in-netns" ]; then
	bin=$2 work=$3
	ip link set lo up || fail "ip link set lo up failed"

	# shellcheck disable=SC2086 # LOADGEN_ARGS is a list of options
	"$work/loadgen" -t "$LOADGEN_TIMEOUT" $LOADGEN_ARGS >"$work/loadgen.out" 2>"$work/loadgen.err" &
	lg=$!
	# On any exit, stop the load (SIGTERM: loadgen kills and reaps its workers).
	trap 'kill "$lg" 2>/dev/null; wait "$lg" 2>/dev/null || :' EXIT
	trap 'exit 130' INT TERM HUP
	i=0
	until grep -q '^READY' "$work/loadgen.out" 2>/dev/null; do
		kill -0 "$lg" 2>/dev/null || { cat "$work/loadgen.err" >&2; fail "loadgen exited before READY"; }
		i=$((i + 1))
		[ "$i" -le 1200 ] || fail "loadgen not READY after 120 s"
		sleep 0.1
	done
	ready=$(grep '^READY' "$work/loadgen.out")
	expect=$(say "$ready" | sed -n 's/.* sockets=\([0-9]*\).*/\1/p')
	nprocs=$(say "$ready" | sed -n 's/.* procs=\([0-9]*\).*/\1/p')
	ipv6=$(say "$ready" | sed -n 's/.* ipv6=\([a-z]*\).*/\1/p')

	broke=0
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	count() { ss -H "$@" | wc -l; }
	total=$(count -tuan)
	tlisten=$(count -tan state listening)
	testab=$(count -tan state established)
	udp=$(count -uan)
	v6=$(count -tuan -6)
	if [ "$total" -ne "$expect" ]; then
		say "WARNING: loadgen made $expect sockets but ss -tuan lists $total"
		[ "$total" -gt 0 ] || broke=1
	fi

	# portsleuth must see every socket and its owner, or its timing means nothing.
	"$bin" -a -o pid >"$work/ps-pid.out" 2>"$work/ps-pid.err" || {
		cat "$work/ps-pid.err" >&2; fail "portsleuth -a exited with status $?"; }
	rows=$(($(wc -l <"$work/ps-pid.out") - 1))
	owned=$(grep -c '^ *[0-9][0-9]* *$' "$work/ps-pid.out" || :)
	if [ "$rows" -lt "$total" ] || [ "$owned" -lt "$total" ]; then
		say "BROKEN: portsleuth -a listed $rows rows, $owned with an owner pid, for $total sockets"
		broke=1
	fi

	q() { printf "'%s'" "$1"; } # quoting for hyperfine -N (shell-words splitting)
	b=$(q "$bin")
	# name|command, in table order; the first is the baseline for the ratios
	cat >"$work/commands" <<-EOF
		portsleuth -a|$b -a
		portsleuth -a --json|$b -a --json
		ss -tuanp|ss -tuanp
		ss -tuan|ss -tuan
		netstat -tuanp|netstat -tuanp
		lsof -nP -i|lsof -nP -i
	EOF

	set -- hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --output=null --style basic \
		--export-csv "$work/hyperfine.csv"
	while IFS='|' read -r name cmd; do
		set -- "$@" -n "$name" "$cmd"
	done <"$work/commands"
	say "load: $total sockets in $nprocs processes; timing 6 commands ($RUNS runs + $WARMUP warmup each) ..." >&2
	if [ "${BENCH_VERBOSE:-0}" = 1 ]; then
		"$@" >&2 || fail "hyperfine failed (a command exited non-zero?)"
	else
		"$@" >"$work/hyperfine.log" 2>&1 || {
			cat "$work/hyperfine.log" >&2; fail "hyperfine failed (a command exited non-zero?)"; }
	fi

	say "measuring peak RSS ($RSS_RUNS runs each) ..." >&2
	: >"$work/rss"
	while IFS='|' read -r name cmd; do
		: >"$work/rss.one"
		n=0
		while [ "$n" -lt "$RSS_RUNS" ]; do
			eval "/usr/bin/time -f %M -o \"\$work/rss.run\" $cmd" >/dev/null 2>"$work/rss.err" || {
				cat "$work/rss.err" >&2; fail "$name failed under /usr/bin/time"; }
			tail -n 1 "$work/rss.run" >>"$work/rss.one"
			n=$((n + 1))
		done
		printf '%s|%s\n' "$name" "$(median <"$work/rss.one")" >>"$work/rss"
	done <"$work/commands"

	# ------------------------------------------------------------ report
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	[ -n "$cpu" ] || cpu=$(uname -m)
	say ""
	say "portsleuth benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
	say "kernel:  $(uname -sr) $(uname -m); CPU: $cpu, $(nproc) cores"
	say "load:    $total sockets (tcp listen $tlisten, tcp estab $testab, udp $udp; $v6 IPv6) in $nprocs processes, private netns (ipv6=$ipv6)"
	say "binary:  $bin ($("$bin" -V 2>&1 | head -n 1))"
	say "tools:   $(hyperfine --version); $(ss -V 2>&1 | head -n 1); $(netstat -V 2>&1 | head -n 1); lsof $(lsof -v 2>&1 | sed -n 's/^ *revision: *//p')"
	say "host:    load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after (other work on the machine skews the numbers; see min-max)"
	say "timing:  hyperfine -N --warmup $WARMUP --runs $RUNS, output to /dev/null; RSS: median of $RSS_RUNS x /usr/bin/time -f %M"
	say ""
	# hyperfine CSV: command,mean,stddev,median,user,system,min,max (command = the -n name)
	awk -F, -v rssfile="$work/rss" '
		BEGIN { while ((getline l < rssfile) > 0) { split(l, a, "|"); rss[a[1]] = a[2] } }
		NR == 1 { next }
		{ name[++n] = $1; med[n] = $4; mn[n] = $7; mx[n] = $8 }
		END {
			base = med[1]
			printf "%-22s %10s %16s %14s %12s\n", "command", "median s", "min-max s", "vs portsleuth", "peak RSS KB"
			for (i = 1; i <= n; i++) {
				r = med[i] / base
				if (i == 1) rel = "baseline"
				else if (r >= 1) rel = sprintf("%.2fx slower", r)
				else rel = sprintf("%.2fx faster", 1 / r)
				printf "%-22s %10.4f %7.4f-%-8.4f %14s %12d\n", name[i], med[i], mn[i], mx[i], rel, rss[name[i]]
			}
			print ""
			for (i = 1; i <= n; i++) if (name[i] == "ss -tuanp") s = i
			if (s) {
				r = med[s] / base
				printf "target: portsleuth -a at least 2x faster than ss -tuanp: %s (%.2fx by median; %.2fx by min)\n", \
					(r >= 2 ? "MET" : "MISSED"), r, mn[s] / mn[1]
				printf "target: portsleuth -a peak RSS <= ss -tuanp: %s (%d KB vs %d KB)\n", \
					(rss[name[1]] + 0 <= rss[name[s]] + 0 ? "MET" : "MISSED"), rss[name[1]], rss[name[s]]
			}
		}' "$work/hyperfine.csv"
	# Before we started, anything else running takes CPU from the commands timed.
	busy=$(say "$load_before" | awk -v n="$(nproc)" '{ print ($1 > n / 2) ? 1 : 0 }')
	[ "$busy" = 0 ] ||
		say "WARNING: the machine was busy (load average ${load_before%% *} on $(nproc) cores before the run): medians are skewed; trust the min ratio more, or rerun when idle"
	[ "$broke" = 0 ] || fail "something broke (see BROKEN/WARNING above); the numbers are not trustworthy"
	exit 0
fi

# ---------------------------------------------------------------- outside: tools, build, namespace
[ "$(uname -s)" = Linux ] || fail "needs Linux (network namespaces, sock_diag)"

missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need hyperfine hyperfine
need netstat net-tools
need lsof lsof
[ -x /usr/bin/time ] || missing="$missing time"
need ss iproute2
need ip iproute2
need unshare util-linux
need "${CC:-cc}" gcc
need make make
need awk mawk
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086 # word splitting wanted: one package a word
	pkgs=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "bench needs: $pkgs- installing with apt-get" >&2
		export DEBIAN_FRONTEND=noninteractive
		log=$(mktemp)
		# shellcheck disable=SC2086
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs; } >"$log" 2>&1 || {
			cat "$log" >&2; rm -f "$log"; fail "apt-get install $pkgs failed"; }
		rm -f "$log"
	else
		fail "missing tools; install them with: sudo apt-get install -y $pkgs"
	fi
fi

if [ $# -ge 1 ]; then
	bin=$1
else
	build=${BUILD:-build}
	make -s -C "$root" "$build/portsleuth" >&2 || fail "make $build/portsleuth failed"
	bin=$root/$build/portsleuth
fi
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || fail "no executable at $bin"
case $bin in *"'"*) fail "binary path must not contain a single quote: $bin" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/portsleuth-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$work/loadgen" "$here/loadgen.c" ||
	fail "cannot build bench/loadgen.c"

# root: a plain private netns. Otherwise a user namespace maps us to root in it; ss -p,
# netstat -p and lsof then see only our own processes (which is all the load is).
if [ "$(id -u)" = 0 ]; then
	ns="unshare -n"
else
	ns="unshare -r -n"
	say "bench: not root; using '$ns' (the load's processes are ours, so owners stay visible)" >&2
fi
say "command: $ns sh $here/run.sh --in-netns $bin $work" >&2
status=0
$ns sh "$here/run.sh" --in-netns "$bin" "$work" || status=$?
exit "$status"
