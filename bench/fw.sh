#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fw.sh [FWPROBE [PORTSLEUTH]] — time reading and evaluating a kube-proxy-sized rule set (issue 12).
#
#   sh bench/fw.sh                   builds build/fwprobe and build/portsleuth (make), then measures them
#   sh bench/fw.sh FWPROBE PORTSLEUTH   measures those binaries
#
# In a private network namespace (unshare -n): an eth0 (veth) with an IPv4 and an IPv6 address,
# a rule set written by iptables-nft-restore the way kube-proxy (iptables mode) writes it —
# BENCH_FW_SERVICES (1250) ClusterIP services with two endpoints each (KUBE-SERVICES ->
# KUBE-SVC-* with a statistic match -> KUBE-SEP-* with a mark and a DNAT), so 7 nat rules per
# service, plus one filter INPUT rule per service, about 10,000 rules — and 20 TCP listeners
# on 0.0.0.0 and :: (each reachable on 3-5 addresses). `fwprobe time` reads the rule set over
# netlink and decodes it, then evaluates every listener address and lists the forwards, 20
# times, and prints the median CPU times (this thread, user + kernel: wall time on a shared
# machine measures the other load). Then the whole listing, `portsleuth` and `portsleuth --json`,
# 20 times with the rule set loaded, each followed by a run after `nft flush ruleset` (the rules
# are loaded again before the next pair): median CPU time (user + system of the process) and
# median wall time of each, and the median of the pairs' differences, what the rules add.
# `nft list ruleset` is timed once for scale. Root needed.
# Timings never decide the exit status.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
probe=${1:-}
ps=${2:-}
if [ -z "$probe" ]; then
	make -C "$root" -s build/fwprobe build/portsleuth >/dev/null
	probe=$root/build/fwprobe
fi
[ -n "$ps" ] || ps=$(dirname "$probe")/portsleuth
probe=$(realpath "$probe")
ps=$(realpath "$ps")
N=${BENCH_FW_SERVICES:-1250}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$N" > "$tmp/rules.v4" <<'PY'
import sys
n = int(sys.argv[1])
chains, nat, flt = [":KUBE-SERVICES - [0:0]", ":KUBE-MARK-MASQ - [0:0]"], [], []
nat += ["-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"]
for i in range(n):
    svc = f"KUBE-SVC-{i:016X}"
    chains.append(f":{svc} - [0:0]")
    for e in range(2):
        sep = f"KUBE-SEP-{i:08X}{e:08X}"
        ep = f"10.{64 + i // 250}.{i % 250}.{10 + e}"
        chains.append(f":{sep} - [0:0]")
        nat.append(f"-A {sep} -s {ep}/32 -j KUBE-MARK-MASQ")
        nat.append(f"-A {sep} -p tcp -m tcp -j DNAT --to-destination {ep}:8080")
        nat.append(f"-A {svc} -m statistic --mode random --probability 0.5 -j {sep}" if e == 0 else f"-A {svc} -j {sep}")
    nat.append(f"-A KUBE-SERVICES -d 10.96.{i // 250}.{i % 250 + 1}/32 -p tcp -m tcp --dport 80 -j {svc}")
    flt.append(f"-A INPUT -s 10.{128 + i // 250}.{i % 250}.0/24 -p tcp -m tcp --dport {20000 + i} -j ACCEPT")
print("*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]")
print("\n".join(chains + nat))
print("COMMIT\n*filter\n:INPUT ACCEPT [0:0]")
print("\n".join(flt))
print("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\nCOMMIT")
PY

cat > "$tmp/measure.py" <<'PY'
import os, resource, socket, statistics, subprocess, sys, time
probe, ps, rules = sys.argv[1:4]
socks = []
for p in range(20):
    fam, a = (socket.AF_INET, "0.0.0.0") if p % 2 else (socket.AF_INET6, "::")
    s = socket.socket(fam); s.bind((a, 20000 + p)); s.listen(); socks.append(s)
def load():
    with open(rules) as f:
        subprocess.run(["iptables-nft-restore"], stdin=f, check=True)
load()
os.system(probe + " time")
t0 = time.monotonic(); os.system("nft list ruleset >/dev/null 2>&1")
print("nft list ruleset (for scale): %.0f ms" % ((time.monotonic() - t0) * 1000))
def run(argv):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = time.monotonic(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000, (t1 - t0) * 1000
cmds = ([ps], [ps, "--json"])
RUNS = 20
loaded = {i: [] for i in range(len(cmds))}
empty = {i: [] for i in range(len(cmds))}
# Runs with and without the rules alternate, so that both see the same load on a shared
# machine (the listing's own cost, mostly the /proc scan, moves with it).
for _ in range(RUNS):
    for i, c in enumerate(cmds):
        loaded[i].append(run(c))
    os.system("nft flush ruleset")
    for i, c in enumerate(cmds):
        empty[i].append(run(c))
    load()
for i, c in enumerate(cmds):
    lc = statistics.median(x[0] for x in loaded[i]); lw = statistics.median(x[1] for x in loaded[i])
    ec = statistics.median(x[0] for x in empty[i]); ew = statistics.median(x[1] for x in empty[i])
    diff = statistics.median(a[0] - b[0] for a, b in zip(loaded[i], empty[i]))
    print("%-24s with the rules: cpu %6.1f ms, wall %6.1f ms; without: cpu %6.1f ms, wall %6.1f ms; "
          "the rules add cpu %+.1f ms (medians of %d alternating pairs)"
          % (" ".join(["portsleuth"] + c[1:]), lc, lw, ec, ew, diff, RUNS))
PY

unshare -n sh -eu -c '
	ip link set lo up
	ip link add eth0 type veth peer name eth0p
	ip addr add 203.0.113.7/24 dev eth0
	ip addr add 2001:db8::7/64 dev eth0 nodad
	ip link set eth0p up; ip link set eth0 up
	exec python3 "$1" "$2" "$3" "$4"
' sh "$tmp/measure.py" "$probe" "$ps" "$tmp/rules.v4"
