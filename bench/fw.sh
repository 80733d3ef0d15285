#!/bin/sh
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
# run 20 times with the rule set loaded and 20 times after `nft flush ruleset`: median CPU time
# (user + system of the process) and median wall time of each, and the difference the rules
# make. `nft list ruleset` is timed once for scale. Root needed.
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

unshare -n sh -eu -c '
	probe=$1 rules=$2 ps=$3
	ip link set lo up
	ip link add eth0 type veth peer name eth0p
	ip addr add 203.0.113.7/24 dev eth0
	ip addr add 2001:db8::7/64 dev eth0 nodad
	ip link set eth0p up; ip link set eth0 up
	iptables-nft-restore < "$rules"
	python3 -c "
import socket, os, sys
socks = []
for p in range(20):
    fam, a = (socket.AF_INET, \"0.0.0.0\") if p % 2 else (socket.AF_INET6, \"::\")
    s = socket.socket(fam); s.bind((a, 20000 + p)); s.listen(); socks.append(s)
r = os.system(sys.argv[1] + \" time\")
t0 = __import__(\"time\").monotonic(); os.system(\"nft list ruleset >/dev/null 2>&1\")
print(\"nft list ruleset (for scale): %.0f ms\" % ((__import__(\"time\").monotonic() - t0) * 1000))
import resource, statistics, subprocess, time
def measure(argv, runs=20):
    cpu, wall = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.monotonic()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.monotonic(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000); wall.append((t1 - t0) * 1000)
    return statistics.median(cpu), statistics.median(wall)
ps = sys.argv[2]
cmds = ([ps], [ps, \"--json\"])
loaded = [measure(c) for c in cmds]
os.system(\"nft flush ruleset\")
empty = [measure(c) for c in cmds]
for c, (lc, lw), (ec, ew) in zip(cmds, loaded, empty):
    print(\"%-24s with the rules: cpu %6.1f ms, wall %6.1f ms; without: cpu %6.1f ms, wall %6.1f ms; \"
          \"the rules add cpu %+.1f ms (medians of 20)\" % (\" \".join([\"portsleuth\"] + c[1:]), lc, lw, ec, ew, lc - ec))
" "$probe" "$ps"
' sh "$probe" "$tmp/rules.v4" "$ps"
