#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh [PORTSLEUTH] — time portsleuth (BPF and /proc attribution) against ss, netstat and lsof
# at several scales, each load in a private network namespace.
#
#   sh bench/run.sh                      builds build/portsleuth (make), then benchmarks it
#   sh bench/run.sh path/to/portsleuth   benchmarks that binary
#   make bench [BUILD=dir]               the same through the Makefile
#
# Scales (BENCH_SCALES, default "22k 98k 5000p ns100"):
#   22k    22,000 sockets in 100 processes (loadgen's default layout)
#   98k    98,000 sockets in 100 processes (plus the listener view and one port)
#   5000p  20,000 sockets over 5,000 processes
#   ns100  22,000 sockets in 100 processes, each in a network namespace of its own (-N)
# Knobs (environment): BENCH_MIN_RUNS (3), BENCH_MAX_RUNS (10): hyperfine runs each command
# at least 3 s within these bounds; BENCH_WARMUP (1), BENCH_RSS_RUNS (3), BENCH_PIN (1: a
# second table with everything pinned to CPU 0), BENCH_VERBOSE=1 (hyperfine's own output),
# CC. Exit status: 0 when everything ran, 1 when something broke (a missing tool, a load that
# did not come up, a command that failed, portsleuth missing sockets or owners). Timings
# never decide the exit status.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
SCALES=${BENCH_SCALES:-"22k 98k 5000p ns100"}
MIN_RUNS=${BENCH_MIN_RUNS:-3}
MAX_RUNS=${BENCH_MAX_RUNS:-10}
WARMUP=${BENCH_WARMUP:-1}
RSS_RUNS=${BENCH_RSS_RUNS:-3}
PIN=${BENCH_PIN:-1}
LOADGEN_TIMEOUT=${LOADGEN_TIMEOUT:-3600} # hard cap on one load's lifetime, seconds

say() { printf '%s\n' "$*"; }
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }

median() { # numbers on stdin, one per line -> median (mean of the middle two when even)
	sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

loadgen_args() {
	case $1 in
	22k) echo "" ;;
	98k) echo "-n 100 -l 40 -c 400 -u 140" ;; # 100 x (40 + 2*400 + 140)
	5000p) echo "-n 5000 -l 1 -c 1 -u 1" ;;   # 5000 x (1 + 2*1 + 1)
	ns100) echo "-e" ;;
	*) fail "unknown scale '$1' (22k, 98k, 5000p, ns100)" ;;
	esac
}

# hyperfine over the commands file ($work/commands: name|command lines) -> $1 (CSV)
time_commands() {
	csv=$1
	shift
	set -- "$@" hyperfine -N --warmup "$WARMUP" --min-runs "$MIN_RUNS" --max-runs "$MAX_RUNS" \
		--output=null --style basic --export-csv "$csv"
	while IFS='|' read -r name cmd; do
		set -- "$@" -n "$name" "$cmd"
	done <"$work/commands"
	if [ "${BENCH_VERBOSE:-0}" = 1 ]; then
		"$@" >&2 || fail "hyperfine failed (a command exited non-zero?)"
	else
		"$@" >"$work/hyperfine.log" 2>&1 || {
			cat "$work/hyperfine.log" >&2; fail "hyperfine failed (a command exited non-zero?)"; }
	fi
}

# table CSV RSSFILE REF: median, min-max, ratio to the REF command, peak RSS (when measured)
table() {
	awk -F, -v rssfile="$2" -v ref="$3" '
		BEGIN { while ((getline l < rssfile) > 0) { split(l, a, "|"); rss[a[1]] = a[2] } }
		NR == 1 { next }
		{ name[++n] = $1; med[n] = $4; mn[n] = $7; mx[n] = $8; if ($1 == ref) r = n }
		END {
			printf "%-34s %9s %17s %10s %12s\n", "command", "median s", "min-max s", "x " ref, "peak RSS KB"
			for (i = 1; i <= n; i++)
				printf "%-34s %9.4f %8.4f-%-8.4f %10.2f %12s\n", name[i], med[i], mn[i], mx[i],
					med[i] / med[r], (name[i] in rss) ? rss[name[i]] : "-"
		}' "$1"
}

# target CSV RSSFILE TEXT A B OP LIMIT: "A/B OP LIMIT" by median (and by min)
target() {
	awk -F, -v rssfile="$2" -v text="$3" -v a="$4" -v b="$5" -v op="$6" -v lim="$7" '
		BEGIN { while ((getline l < rssfile) > 0) { split(l, x, "|"); rss[x[1]] = x[2] } }
		NR > 1 { med[$1] = $4; mn[$1] = $7 }
		END {
			if (op == "rss") {
				printf "target: %s: %s (%d KB vs %d KB)\n", text,
					(rss[a] + 0 <= rss[b] + 0 ? "MET" : "MISSED"), rss[a], rss[b]
				exit
			}
			r = med[a] / med[b]; rm = mn[a] / mn[b]
			ok = (op == "<=") ? (r <= lim) : (r >= lim)
			printf "target: %s: %s (%.2fx by median; %.2fx by min)\n", text, ok ? "MET" : "MISSED", r, rm
		}' "$1"
}

# ---------------------------------------------------------------- inside the namespace
if [ "${1:-}" = "--in-netns" ]; then
	bin=$2 work=$3 scale=$4
	ip link set lo up || fail "ip link set lo up failed"
	if [ "$scale" = ns100 ]; then
		# our own /run/netns (unshare -m): the names given below are seen by nothing else
		mkdir -p /run/netns && mount -t tmpfs -o mode=755 portsleuth-bench /run/netns ||
			fail "cannot mount a private /run/netns"
	fi

	# shellcheck disable=SC2046 # the scale's options are a list of words
	"$work/loadgen" -t "$LOADGEN_TIMEOUT" $(loadgen_args "$scale") >"$work/loadgen.out" 2>"$work/loadgen.err" &
	lg=$!
	# On any exit, stop the load (SIGTERM: loadgen kills and reaps its workers).
	trap 'kill "$lg" 2>/dev/null; wait "$lg" 2>/dev/null || :' EXIT
	trap 'exit 130' INT TERM HUP
	i=0
	until grep -q '^READY' "$work/loadgen.out" 2>/dev/null; do
		kill -0 "$lg" 2>/dev/null || { cat "$work/loadgen.err" >&2; fail "loadgen exited before READY"; }
		i=$((i + 1))
		[ "$i" -le 3000 ] || fail "loadgen not READY after 300 s"
		sleep 0.1
	done
	ready=$(grep '^READY' "$work/loadgen.out")
	expect=$(say "$ready" | sed -n 's/.* sockets=\([0-9]*\).*/\1/p')
	nprocs=$(say "$ready" | sed -n 's/.* procs=\([0-9]*\).*/\1/p')
	N=""
	if [ "$scale" = ns100 ]; then
		N="-N"
		k=0
		for w in $(cat "/proc/$lg/task/$lg/children"); do
			k=$((k + 1))
			ip netns attach "bench$k" "$w" || fail "ip netns attach bench$k $w failed"
		done
	fi

	broke=0
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	# portsleuth must see every socket and its owner, or its timing means nothing: both methods.
	for m in bpf proc; do
		# shellcheck disable=SC2086
		"$bin" $N -a --attribution $m -o pid >"$work/ps-pid.out" 2>"$work/ps-pid.err" || {
			cat "$work/ps-pid.err" >&2; fail "portsleuth $N -a --attribution $m failed"; }
		rows=$(($(wc -l <"$work/ps-pid.out") - 1))
		owned=$(grep -c '^ *[0-9][0-9]* *$' "$work/ps-pid.out" || :)
		if [ "$rows" -lt "$expect" ] || [ "$owned" -lt "$expect" ]; then
			say "BROKEN: portsleuth $N -a --attribution $m listed $rows rows, $owned with an owner pid, for $expect sockets"
			broke=1
		fi
	done
	# shellcheck disable=SC2086
	auto=$("$bin" $N -a --json 2>/dev/null | grep -o '"attribution":{[^}]*}' || :)

	q() { printf "'%s'" "$1"; } # quoting for hyperfine -N (shell-words splitting)
	b=$(q "$bin")
	if [ "$scale" = ns100 ]; then
		ref="ip -all netns exec ss -tuan"
		cat >"$work/commands" <<-EOF
			portsleuth -N -a (bpf)|$b -N -a --attribution bpf
			portsleuth -N -a (proc)|$b -N -a --attribution proc
			ip -all netns exec ss -tuan|ip -all netns exec ss -tuan
			portsleuth -N (bpf)|$b -N --attribution bpf
			portsleuth -N (proc)|$b -N --attribution proc
			ip -all netns exec ss -tulnp|ip -all netns exec ss -tulnp
		EOF
		WARMUP=0 # one run of 100 ss -p takes about a minute here
	else
		ref="ss -tuan"
		cat >"$work/commands" <<-EOF
			portsleuth -a (bpf)|$b -a --attribution bpf
			portsleuth -a (proc)|$b -a --attribution proc
			ss -tuan|ss -tuan
			ss -tuanp|ss -tuanp
			netstat -tuanp|netstat -tuanp
			lsof -nP -i|lsof -nP -i
		EOF
		if [ "$scale" = 98k ]; then
			cat >>"$work/commands" <<-EOF
				portsleuth (bpf)|$b --attribution bpf
				portsleuth (proc)|$b --attribution proc
				ss -tuln|ss -tuln
				portsleuth 2500 (bpf)|$b 2500 --attribution bpf
				portsleuth 2500 (proc)|$b 2500 --attribution proc
				ss -tln 'sport = :2500'|ss -tln "sport = :2500"
			EOF
		fi
	fi
	ncmd=$(wc -l <"$work/commands")
	say "[$scale] load: $expect sockets in $nprocs processes; timing $ncmd commands ..." >&2
	time_commands "$work/hyperfine.csv"
	if [ "$PIN" = 1 ]; then
		say "[$scale] the same, pinned to CPU 0 ..." >&2
		time_commands "$work/pinned.csv" taskset -c 0
	fi

	say "[$scale] measuring peak RSS ($RSS_RUNS runs each) ..." >&2
	: >"$work/rss"
	while IFS='|' read -r name cmd; do
		case $name in "ip -all netns"*) continue ;; esac # 100 processes: no one peak RSS
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
	say ""
	say "== scale $scale: $expect sockets in $nprocs processes$([ "$scale" = ns100 ] && echo ", one network namespace each") — $(date -u '+%Y-%m-%d %H:%M UTC')"
	say "host:    load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
	say "auto:    portsleuth ${N:+$N }-a chose $auto"
	say ""
	table "$work/hyperfine.csv" "$work/rss" "$ref"
	if [ "$PIN" = 1 ]; then
		say ""
		say "pinned to CPU 0 (taskset -c 0):"
		table "$work/pinned.csv" /dev/null "$ref"
	fi
	say ""
	c=$work/hyperfine.csv r=$work/rss
	if [ "$scale" = ns100 ]; then
		target "$c" "$r" "ip -all netns exec ss -tulnp vs portsleuth -N (bpf), x faster" \
			"ip -all netns exec ss -tulnp" "portsleuth -N (bpf)" ">=" 1
	else
		# issue 23: <= 1.3x ss -tuan at 22k and 98k, <= 2x over 5,000 processes and >= 3x faster
		# than ss -tuanp there; the first pass's 4x and 10x faster at 22k and 98k
		most=1.3 lim=1
		[ "$scale" = 5000p ] && most=2 lim=3
		[ "$scale" = 22k ] && lim=4
		[ "$scale" = 98k ] && lim=10
		target "$c" "$r" "portsleuth -a (bpf) <= ${most}x ss -tuan" "portsleuth -a (bpf)" "ss -tuan" "<=" "$most"
		[ "$PIN" = 1 ] && target "$work/pinned.csv" /dev/null "pinned: portsleuth -a (bpf) <= ${most}x ss -tuan" \
			"portsleuth -a (bpf)" "ss -tuan" "<=" "$most"
		target "$c" "$r" "portsleuth -a (bpf) at least ${lim}x faster than ss -tuanp" "ss -tuanp" "portsleuth -a (bpf)" ">=" "$lim"
		target "$c" "$r" "portsleuth -a (bpf) peak RSS <= ss -tuanp" "portsleuth -a (bpf)" "ss -tuanp" rss 0
		if [ "$scale" = 98k ]; then
			target "$c" "$r" "listener view (bpf) <= 1.5x ss -tuln" "portsleuth (bpf)" "ss -tuln" "<=" 1.5
			target "$c" "$r" "one port (bpf) <= 2x ss -tln 'sport = :2500'" "portsleuth 2500 (bpf)" \
				"ss -tln 'sport = :2500'" "<=" 2
		fi
	fi
	busy=$(say "$load_before" | awk -v n="$(nproc)" '{ print ($1 > n / 2) ? 1 : 0 }')
	[ "$busy" = 0 ] ||
		say "WARNING: the machine was busy (load average ${load_before%% *} on $(nproc) cores before the run): medians are skewed; trust the min ratio more, or rerun when idle"
	[ "$broke" = 0 ] || fail "something broke (see BROKEN above); the numbers are not trustworthy"
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
need taskset util-linux
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
[ "$(id -u)" = 0 ] || fail "run it as root: the BPF method, the 5,000-process load and -N need it"

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

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
say "portsleuth benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
say "kernel:  $(uname -sr) $(uname -m); CPU: ${cpu:-$(uname -m)}, $(nproc) cores"
say "limits:  RLIMIT_NOFILE $(ulimit -Sn)/$(ulimit -Hn), pid_max $(cat /proc/sys/kernel/pid_max)"
say "binary:  $bin ($("$bin" -V 2>&1 | head -n 1))"
say "tools:   $(hyperfine --version); $(ss -V 2>&1 | head -n 1); $(netstat -V 2>&1 | head -n 1); lsof $(lsof -v 2>&1 | sed -n 's/^ *revision: *//p')"
say "timing:  hyperfine -N --warmup $WARMUP --min-runs $MIN_RUNS --max-runs $MAX_RUNS (each command >= 3 s), output to /dev/null; RSS: median of $RSS_RUNS x /usr/bin/time -f %M"
status=0
for scale in $SCALES; do
	loadgen_args "$scale" >/dev/null
	# ns100 also needs its own mount namespace for a private /run/netns
	ns="unshare -n"
	[ "$scale" = ns100 ] && ns="unshare -n -m"
	say "command: $ns sh $here/run.sh --in-netns $bin $work $scale" >&2
	$ns sh "$here/run.sh" --in-netns "$bin" "$work" "$scale" || status=$?
done
exit "$status"
