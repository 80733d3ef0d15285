# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_firewall.py — the firewall's verdict per listener and forwarded ports (issue 12), for real.

Loaded by run.py. Each case runs in its own network namespace (the runner's) and loads a real
rule set into it — with nft -f, iptables-nft-restore, ip6tables-nft-restore, iptables-legacy —
from tests/fixtures/nft/src (the same files the recorded unit-test fixtures come from), starts
real listeners, and runs portsleuth --json: firewall{read, why, legacy}, forwards[] and
sockets[].exposure.reachable[].firewall{verdict, sources, rule, accept_rule, forwarded_by, why}.

The interface "eth0" (a veth) carries a public address (203.0.113.7/24, a
documentation range) and 2001:db8::7/64, because the rule sets name eth0. The Docker case adds
a second network namespace ("ctr", via ip netns add on the runner's private /run/netns) joined
by a veth pair (docker0 172.17.0.1/16 <-> ctr's eth0 172.17.0.2/16), with a listener on port 80
inside it, and checks that a real connection to the published port reaches it.
"""
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time

R = None
PUBLIC4 = "203.0.113.7"
PUBLIC6 = "2001:db8::7"
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "nft", "src")


def register(run):
    global R
    R = run
    for fn in (firewall_ufw, firewall_firewalld_dual_stack, firewall_handwritten_nft, firewall_docker_dnat,
               firewall_kube_and_podman_forwards, firewall_not_read_without_cap_net_admin,
               firewall_legacy_tables_reported, firewall_verdict_follows_rule_changes,
               firewall_drop_narrows_exposure_and_findings, firewall_table_marks_exposure,
               firewall_forwards_filtered_and_in_table,
               firewall_explain_names_the_rule, firewall_explain_folds_identical_verdicts,
               firewall_diff_and_check_follow_the_verdict,
               firewall_diff_sees_verdict_widen, firewall_watch_sees_verdict_change,
               firewall_watch_sees_forwards, firewall_private_sources_only,
               firewall_other_namespace_own_addresses):
        run.case(fn, needs=("nftables",))


# ---------------------------------------------------------------- helpers


def sh(t, *argv, stdin=None):
    r = subprocess.run(list(argv), input=stdin, capture_output=True, timeout=R.RUN_TIMEOUT)
    t.require(r.returncode == 0, f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r.stdout.decode(errors="replace")


def probe(t, *args, uid=0, rc=0):
    """portsleuth --json (every listener, forwards, the firewall) as root or as uid."""
    return t.json(*args, uid=uid, rc=rc)


def need(t, *tools):
    for tool in tools:
        if not shutil.which(tool):
            t.skip(f"{tool} is not installed (apt-get install nftables iptables)")


def iface(t, name, *addrs):
    """Interface `name` (one end of a veth pair: this kernel has no dummy interfaces) with these
    addresses (IPv6 without duplicate address detection: usable at once)."""
    sh(t, "ip", "link", "add", name, "type", "veth", "peer", "name", name + "p")
    for a in addrs:
        sh(t, "ip", "addr", "add", a, "dev", name, *(["nodad"] if ":" in a else []))
    sh(t, "ip", "link", "set", name + "p", "up")
    sh(t, "ip", "link", "set", name, "up")


def eth0(t):
    """eth0 with PUBLIC4/24 and PUBLIC6/64."""
    iface(t, "eth0", f"{PUBLIC4}/24", f"{PUBLIC6}/64")


def load(t, name):
    """Load tests/fixtures/nft/src/NAME.{nft,v4,v6} into this namespace."""
    base = os.path.join(FIX, name)
    loaded = False
    for ext, argv in ((".nft", ["nft", "-f"]), (".v4", ["iptables-nft-restore"]), (".v6", ["ip6tables-nft-restore"])):
        if os.path.exists(base + ext):
            need(t, argv[0])
            if ext == ".nft":
                sh(t, *argv, base + ext)
            else:
                with open(base + ext, "rb") as f:
                    sh(t, *argv, stdin=f.read())
            loaded = True
    t.require(loaded, f"no rule set named {name}")


def listen(t, addr, port, proto="tcp", v6only=None):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6 and v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind((addr, port))
    if proto == "tcp":
        s.listen(8)
    t.__dict__.setdefault("socks", []).append(s)
    return s


def verdict(t, doc, proto, addr, port, reach_addr):
    """The firewall object of listener (proto, addr, port) at reachable address reach_addr."""
    for lst in doc["sockets"]:
        if (lst["proto"], lst["local"]["addr"], lst["local"]["port"]) == (proto, addr, port):
            for r in lst["exposure"]["reachable"]:
                if r["addr"] == reach_addr:
                    return r["firewall"]
            raise R.Failed(f"{proto} {addr}:{port} is not reachable on {reach_addr}",
                           [json.dumps(lst["exposure"])[:600]])
    raise R.Failed(f"no listener {proto} {addr}:{port}", [json.dumps(doc["sockets"])[:600]])


def expect(t, doc, proto, addr, port, reach_addr, want, sources=None, chain=None, undecoded=None,
           accepted_by=None):
    """Check one verdict: its sources, the chain of the deciding rule (the first drop for "some"
    and "none", the accept for "all", the undecoded rule for "unknown") and of the accepting rule."""
    fw = verdict(t, doc, proto, addr, port, reach_addr)
    what = f"{proto} {addr}:{port} at {reach_addr}"
    ok = t.check(fw["verdict"] == want, f"{what}: verdict {fw['verdict']}, want {want}", [json.dumps(fw)])
    if ok and sources is not None:
        t.check(fw.get("sources") == sources, f"{what}: sources {fw.get('sources')}, want {sources}")
    if ok and chain is not None:
        rule = fw.get("rule") or {}
        t.check(rule.get("chain") == chain, f"{what}: deciding chain {rule.get('chain')}, want {chain}",
                [json.dumps(fw)])
    if ok and accepted_by is not None:
        acc = (fw.get("accept_rule") or {}).get("chain")
        t.check(acc == accepted_by, f"{what}: accepted by chain {acc}, want {accepted_by}", [json.dumps(fw)])
    if ok and undecoded is not None:
        got = (fw.get("rule") or {}).get("text") or ""
        t.check(undecoded in got, f"{what}: undecoded {got!r}, want it to name {undecoded!r}")
    return fw


# ---------------------------------------------------------------- cases


def firewall_ufw(t):
    """ufw's shape (iptables-nft, policy DROP): allowed, allowed from a LAN, denied, limited, loopback."""
    need(t, "iptables-nft-restore")
    eth0(t)
    load(t, "ufw")
    for port in (22, 6379, 8081, 2222):
        listen(t, "0.0.0.0", port)
    listen(t, "127.0.0.1", 9999)
    doc = probe(t)
    t.check(doc["firewall"]["read"] is True and doc["firewall"]["legacy"] == "", f"firewall: {doc['firewall']}")
    expect(t, doc, "tcp", "0.0.0.0", 22, PUBLIC4, "all", chain="ufw-user-input")
    expect(t, doc, "tcp", "0.0.0.0", 22, "127.0.0.1", "all")
    expect(t, doc, "tcp", "0.0.0.0", 6379, PUBLIC4, "some", sources="192.168.1.0/24", chain="INPUT",
           accepted_by="ufw-user-input")
    expect(t, doc, "tcp", "0.0.0.0", 8081, PUBLIC4, "none", chain="ufw-user-input")
    expect(t, doc, "tcp", "0.0.0.0", 2222, PUBLIC4, "unknown", undecoded="recent")
    expect(t, doc, "tcp", "127.0.0.1", 9999, "127.0.0.1", "all", chain="ufw-before-input")
    stock_ufw_probed(t)


# ---------------------------------------------------------------- real front-ends, probed

SRV4, SRV6 = "198.51.100.7", "2001:db8:5::7"  # the server namespace's public addresses
HOST4, HOST6 = "198.51.100.1", "2001:db8:5::1"
STOCK_PORTS = (111, 69, 11211, 3389, 5432, 389)  # rpcbind, tftp, memcached, xrdp, postgres, ldap
OPEN_PORTS = (22, 80)  # what the stock set-ups allow: the probes can see a port open

# A server on every (proto, family, port) asked for: TCP accepts and says "hi", UDP echoes.
SERVE = """
import selectors, socket, sys
sel = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    proto, fam, port = spec.split("/")
    f = socket.AF_INET6 if fam == "6" else socket.AF_INET
    s = socket.socket(f, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if f == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if f == socket.AF_INET6 else "0.0.0.0", int(port)))
    if proto == "tcp":
        s.listen(16)
    sel.register(s, selectors.EVENT_READ, proto)
print("READY", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        try:
            if key.data == "tcp":
                c, _ = s.accept(); c.sendall(b"hi"); c.close()
            else:
                d, a = s.recvfrom(100); s.sendto(b"hi", a)
        except OSError:
            pass
"""

# Probe every target in parallel from where it runs; prints JSON {"proto/addr/port": answered}.
PROBE = """
import json, socket, sys, threading
out = {}
def one(spec):
    proto, addr, port = spec.split("/")
    f = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(f, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        if proto == "tcp":
            s.connect((addr, int(port)))
        else:
            s.sendto(b"x", (addr, int(port)))
        out[spec] = s.recv(10) == b"hi"
    except OSError:
        out[spec] = False
    s.close()
ts = [threading.Thread(target=one, args=(a,)) for a in sys.argv[1:]]
[t.start() for t in ts]
[t.join() for t in ts]
print(json.dumps(out))
"""


def server_netns(t, name):
    """Namespace `name` (eth0: SRV4/24, SRV6/64) joined to ours (v0: HOST4, HOST6), lo up."""
    named_netns(t, name, "v0", "v0p")
    for a in (f"{HOST4}/24", f"{HOST6}/64"):
        sh(t, "ip", "addr", "add", a, "dev", "v0", *(["nodad"] if ":" in a else []))
    sh(t, "ip", "link", "set", "v0", "up")
    inside = ["ip", "netns", "exec", name]
    sh(t, *inside, "ip", "link", "set", "lo", "up")
    sh(t, *inside, "ip", "link", "set", "v0p", "name", "eth0")
    for a in (f"{SRV4}/24", f"{SRV6}/64"):
        sh(t, *inside, "ip", "addr", "add", a, "dev", "eth0", *(["nodad"] if ":" in a else []))
    sh(t, *inside, "ip", "link", "set", "eth0", "up")


def private_copy(t, path):
    """A private, writable copy of `path` (file or directory) mounted over it in this case's mount
    namespace: a front-end may write its configuration without touching the machine's."""
    dst = os.path.join(t.tmpdir(), "etc" + path.replace("/", "_"))
    if os.path.isdir(path):
        shutil.copytree(path, dst, symlinks=True)
    else:
        shutil.copy2(path, dst)
    sh(t, "mount", "--bind", dst, path)


def probe_all(t, ns, targets):
    """{target: answered} for targets "proto/addr/port", probed from namespace ns (None: ours)."""
    argv = ([] if ns is None else ["ip", "netns", "exec", ns]) + [sys.executable, "-c", PROBE, *targets]
    return json.loads(sh(t, *argv))


def stock_judged_as_probed(t, ns, what):
    """Listeners on STOCK_PORTS (tcp, udp; IPv4, IPv6) and OPEN_PORTS (tcp) in ns, behind `what`'s
    stock set-up: portsleuth inside ns judges each STOCK one filtered ("none") on its public
    addresses and "all" on loopback, with no exposure finding, and OPEN ones "all"; probes from
    our namespace and from inside ns agree, and -N from ours gives the same verdicts."""
    specs = [f"{p}/{f}/{port}" for port in STOCK_PORTS for p in ("tcp", "udp") for f in "46"]
    specs += [f"tcp/{f}/{port}" for port in OPEN_PORTS for f in "46"]
    start_in_ns(t, ns, SERVE.replace("sys.argv[1:]", repr(specs)))
    r = subprocess.run(["ip", "netns", "exec", ns, t.binary, "--json"], capture_output=True,
                       timeout=R.RUN_TIMEOUT, env=t.env())
    t.require(r.returncode == 0, f"portsleuth in {ns}: exit {r.returncode}: {r.stderr.decode()[:400]}")
    inside = json.loads(r.stdout)
    t.check(inside["firewall"]["read"] is True, f"{what}: firewall in {ns}: {inside['firewall']}")
    far = [f"{p}/{SRV4 if f == '4' else SRV6}/{port}" for p, f, port in (x.split("/") for x in specs)]
    near = [f"{p}/{'127.0.0.1' if f == '4' else '::1'}/{port}" for p, f, port in (x.split("/") for x in specs)]
    answered = probe_all(t, None, far)
    answered.update(probe_all(t, ns, near))
    netns = os.stat(f"/run/netns/{ns}").st_ino
    r = t.run("-N", "--json")
    t.require(r.rc == 0, f"-N: {r}")
    fromhost = [k for k in json.loads(r.out)["sockets"] if k.get("netns") == netns]
    for spec, f4, n4 in zip(specs, far, near):
        proto, fam, port = spec.split("/")
        port = int(port)
        addr = "0.0.0.0" if fam == "4" else "::"
        want_far = "all" if port in OPEN_PORTS else "none"
        want_probe = port in OPEN_PORTS
        t.check(answered[f4] == want_probe and answered[n4], f"{what}: probes of {spec}: "
                f"{f4} {'answered' if answered[f4] else 'filtered'}, {n4} {'answered' if answered[n4] else 'filtered'}")
        got = {}
        for label, doc in (("inside", inside), ("-N", {"sockets": fromhost})):
            k = [x for x in doc["sockets"] if (x["proto"], x["local"]["addr"], x["local"]["port"]) ==
                 (proto, addr, port) and x["state"] in ("listen", "unconn")]
            if not t.check(len(k) == 1, f"{what} ({label}): one listener {spec}",
                           [json.dumps([x["local"] for x in doc["sockets"]])[:400]]):
                continue
            k = k[0]
            fw = {x["addr"]: x["firewall"]["verdict"] for x in k["exposure"]["reachable"]}
            got[label] = (fw, k["exposure"]["scope"], sorted((f["code"], f["severity"]) for f in k["findings"]))
            pub, lo = (SRV4, "127.0.0.1") if fam == "4" else (SRV6, "::1")
            t.check(fw.get(pub) == want_far and fw.get(lo) == "all",
                    f"{what} ({label}): {spec} judged {pub} {fw.get(pub)}, {lo} {fw.get(lo)}; "
                    f"want {want_far}, all", [json.dumps(k["exposure"])[:1200]])
            if port in STOCK_PORTS:
                t.check(k["exposure"]["scope"] == "loopback"
                        and not [f for f in k["findings"] if f["code"].endswith("-exposure")],
                        f"{what} ({label}): {spec} filtered: scope loopback, no exposure finding: "
                        f"{k['exposure']['scope']} {got[label][2]}")
        if len(got) == 2:
            t.check(got["inside"] == got["-N"], f"{what}: {spec} judged alike inside {ns} and with -N: {got}")


ZONE = """<?xml version="1.0" encoding="utf-8"?>
<zone>
  <short>Public</short>
  <service name="ssh"/>
  <service name="http"/>
  <service name="dhcpv6-client"/>
  <forward/>
</zone>
"""


def stock_firewalld_probed(t):
    """Real firewalld (nftables backend, default zone public as Debian ships it, with http added
    like ufw's 80/tcp) beside a dbus-daemon of its own, in a server namespace, judged as probes
    find it (stock_judged_as_probed)."""
    for tool in ("firewalld", "dbus-daemon"):
        if not shutil.which(tool):
            t.skip(f"{tool} is not installed (apt-get install firewalld dbus)")
    server_netns(t, "fwd")
    private_copy(t, "/etc/firewalld")
    with open("/etc/firewalld/zones/public.xml", "w") as f:
        f.write(ZONE)
    os.makedirs("/run/dbus", exist_ok=True)  # /run is this case's own (named_netns)
    bus = subprocess.Popen(["dbus-daemon", "--system", "--nofork", "--nopidfile"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.procs.append(bus)
    for _ in range(50):
        if os.path.exists("/run/dbus/system_bus_socket"):
            break
        time.sleep(0.1)
    log = open(os.path.join(t.tmpdir(), "firewalld.log"), "wb")
    fwd = subprocess.Popen(["ip", "netns", "exec", "fwd", "firewalld", "--nofork", "--nopid",
                            "--log-target", "console"], stdout=log, stderr=subprocess.STDOUT)
    t.procs.append(fwd)
    ready = ""
    for _ in range(150):  # firewalld takes a few seconds to load its zones
        r = subprocess.run(["ip", "netns", "exec", "fwd", "nft", "list", "chain", "inet", "firewalld",
                            "filter_IN_public_allow"], capture_output=True, timeout=R.RUN_TIMEOUT)
        ready = r.stdout.decode()
        if "dport 80" in ready:
            break
        time.sleep(0.2)
    t.require("dport 80" in ready, f"firewalld did not load zone public: {ready[:300]}")
    stock_judged_as_probed(t, "fwd", "firewalld")


def stock_ufw_probed(t):
    """The stock ufw set-up of issue 20 (real ufw, its iptables-nft and ip6tables rules) in a
    server namespace, judged as probes find it (stock_judged_as_probed)."""
    if not shutil.which("ufw"):
        t.skip("ufw is not installed (apt-get install ufw)")
    server_netns(t, "srv")
    private_copy(t, "/etc/ufw")
    private_copy(t, "/etc/default/ufw")
    for cmd in (["default", "deny", "incoming"], ["allow", "22/tcp"], ["allow", "80/tcp"], ["--force", "enable"]):
        sh(t, "ip", "netns", "exec", "srv", "ufw", *cmd)
    stock_judged_as_probed(t, "srv", "ufw")


def firewall_firewalld_dual_stack(t):
    """firewalld's shape (nft, inet): a dual-stack listener judged per address family."""
    need(t, "nft")
    eth0(t)
    load(t, "firewalld")
    listen(t, "::", 5432, v6only=False)
    listen(t, "::", 22, v6only=False)
    listen(t, "0.0.0.0", 8080)
    doc = probe(t)
    expect(t, doc, "tcp", "::", 5432, PUBLIC4, "some", sources="10.20.0.0/16", chain="filter_INPUT",
           accepted_by="filter_IN_public_allow")
    expect(t, doc, "tcp", "::", 5432, PUBLIC6, "none", chain="filter_INPUT")
    expect(t, doc, "tcp", "::", 5432, "127.0.0.1", "all")
    expect(t, doc, "tcp", "::", 22, PUBLIC4, "all", chain="filter_IN_public_allow")
    expect(t, doc, "tcp", "::", 22, PUBLIC6, "all")
    fw = expect(t, doc, "tcp", "0.0.0.0", 8080, PUBLIC4, "none", chain="filter_INPUT")
    t.check(fw["rule"]["text"].endswith(": reject"), f"8080: decided by {fw['rule']}, want the final reject")
    stock_firewalld_probed(t)


def firewall_handwritten_nft(t):
    """Sets, verdict maps, jump/goto/return, iifname wildcards, fib, a limit, nat redirect."""
    need(t, "nft")
    eth0(t)
    iface(t, "wg0", "10.66.0.1/24")
    load(t, "handwritten")
    listen(t, "::", 22, v6only=False)
    listen(t, "0.0.0.0", 5432)
    listen(t, "0.0.0.0", 3000)
    listen(t, "::", 8050, v6only=True)
    listen(t, "0.0.0.0", 51820, proto="udp")
    listen(t, "0.0.0.0", 8443)
    doc = probe(t)
    # table ip raw_guard drops 198.18.0.0/15 in prerouting: it is the first drop for IPv4
    expect(t, doc, "tcp", "::", 22, PUBLIC4, "some", sources="192.0.2.0/28,198.51.100.7", chain="pre",
           accepted_by="ssh")
    expect(t, doc, "tcp", "::", 22, PUBLIC6, "some", sources="2001:db8:1::/48", chain="ssh", accepted_by="ssh")
    expect(t, doc, "tcp", "0.0.0.0", 5432, PUBLIC4, "some", sources="10.0.0.0/8", accepted_by="db")
    expect(t, doc, "tcp", "0.0.0.0", 3000, PUBLIC4, "unknown", chain="ratelimited", undecoded="limit")
    expect(t, doc, "tcp", "::", 8050, PUBLIC6, "all")
    all_but_guard = ("0.0.0.0/1,128.0.0.0/2,192.0.0.0/6,196.0.0.0/7,198.0.0.0/12,198.16.0.0/15,198.20.0.0/14,"
                     "198.24.0.0/13,198.32.0.0/11,198.64.0.0/10,198.128.0.0/9,199.0.0.0/8,200.0.0.0/5,"
                     "208.0.0.0/4,224.0.0.0/3")
    expect(t, doc, "udp", "0.0.0.0", 51820, "10.66.0.1", "some", sources=all_but_guard, chain="pre",
           accepted_by="input")
    expect(t, doc, "udp", "0.0.0.0", 51820, PUBLIC4, "none")
    fw = expect(t, doc, "tcp", "0.0.0.0", 8443, PUBLIC4, "none")
    t.check(((fw.get("forwarded_by") or {}).get("text") or "").endswith(": redirect"), f"8443: {fw}")
    # from this machine: no nat output rule for 8443, so iif lo accept (and the raw guard)
    expect(t, doc, "tcp", "0.0.0.0", 8443, "127.0.0.1", "some", sources=all_but_guard, accepted_by="input")


def start_in_ns(t, ns, code):
    """A Python process inside network namespace ns; returns (Popen, first line it prints)."""
    p = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", code], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.procs.append(p)
    line = p.stdout.readline().decode().strip()
    t.require(line == "READY", f"listener in {ns} did not start: {line!r} {p.stderr.read(300) if p.poll() else ''}")
    return p


def named_netns(t, name, ours, theirs):
    """Namespace `name` (ip netns add, on a private /run of this mount namespace only, so it leaves
    nothing behind) joined to ours by a veth pair: `ours` here, `theirs` in it."""
    sh(t, "mount", "-t", "tmpfs", "-o", "mode=0755", "portsleuth-fw-run", "/run")
    os.makedirs("/run/netns")
    sh(t, "ip", "netns", "add", name)
    sh(t, "ip", "link", "add", ours, "type", "veth", "peer", "name", theirs)
    sh(t, "ip", "link", "set", theirs, "netns", name)


def firewall_docker_dnat(t):
    """Docker's rules (iptables-nft, DNAT target revision 2) forwarding 8080 to a listener in a
    second namespace: the forward, its target's namespace and process, and a real connection."""
    need(t, "iptables-nft-restore")
    eth0(t)
    named_netns(t, "ctr", "docker0", "ceth0")
    sh(t, "ip", "addr", "add", "172.17.0.1/16", "dev", "docker0")
    sh(t, "ip", "link", "set", "docker0", "up")
    sh(t, "ip", "netns", "exec", "ctr", "ip", "link", "set", "lo", "up")
    sh(t, "ip", "netns", "exec", "ctr", "ip", "addr", "add", "172.17.0.2/16", "dev", "ceth0")
    sh(t, "ip", "netns", "exec", "ctr", "ip", "link", "set", "ceth0", "up")
    sh(t, "ip", "netns", "exec", "ctr", "ip", "route", "add", "default", "via", "172.17.0.1")
    load(t, "docker")
    server = start_in_ns(t, "ctr", (
        "import socket,sys\n"
        "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "s.bind(('0.0.0.0', 80)); s.listen(8); print('READY', flush=True)\n"
        "while True:\n"
        "    c,_=s.accept(); c.sendall(b'from the container\\n'); c.close()\n"))
    listen(t, "0.0.0.0", 8080)  # what docker-proxy holds on the host
    doc = probe(t, "-N")  # the target lives in another namespace: -N finds who listens there
    fwd = [f for f in doc["forwards"] if f["family"] == 4 and f["port"] == 8080]
    t.require(len(fwd) == 1, "one IPv4 forward of 8080", [json.dumps(doc["forwards"])[:800]])
    f = fwd[0]
    t.check(f["proto"] == "tcp" and f["to"] == {"addr": "172.17.0.2", "port": 80, "port_end": 80}
            and f["kind"] == "dnat" and f["runtime"] == "docker" and f["hooks"] == ["prerouting", "output"],
            f"forward: {f}")
    t.check(f["rule"]["family"] == "ip" and f["rule"]["table"] == "nat" and f["rule"]["chain"] == "DOCKER",
            f"forward rule: {f['rule']}")
    ns_inode = os.stat("/run/netns/ctr").st_ino
    tgt = f["target"] or {}
    t.check(tgt.get("netns") == ns_inode, f"target netns {tgt.get('netns')}, want {ns_inode} (ctr)")
    t.check(tgt.get("netns_name") == "ctr", f"target netns name {tgt.get('netns_name')}")
    t.check([o["pid"] for o in tgt.get("owners", [])] == [server.pid],
            f"target owners {tgt.get('owners')}, want pid {server.pid}")
    r = t.run("-N", "--csv", "-o", "proto,local,remote,state,pid,program,netns,command")
    rows = [x for x in csv.reader(io.StringIO(r.out.decode())) if x[3:4] == ["FORWARD"]]
    t.check(["tcp", "*:8080", "172.17.0.2:80", "FORWARD", str(server.pid), "python3", "ctr",
             "ip nat DOCKER (docker)"] in rows, f"csv: the forward with its target's process: {rows}")
    five = [x for x in doc["forwards"] if x["port"] == 5432]
    t.check(len(five) == 1 and five[0]["addr"] == "127.0.0.1", f"the 127.0.0.1:5432 forward: {five}")
    fw = expect(t, doc, "tcp", "0.0.0.0", 8080, PUBLIC4, "none", chain="DOCKER")
    t.check((fw.get("forwarded_by") or {}).get("chain") == "DOCKER", f"8080 on {PUBLIC4}: {fw}")
    expect(t, doc, "tcp", "0.0.0.0", 8080, "172.17.0.1", "all")  # -i docker0 -j RETURN
    # The forward is real: a connection to the published port reaches the container, not our socket.
    c = socket.create_connection((PUBLIC4, 8080), timeout=5)
    data = c.recv(100)
    c.close()
    t.check(data == b"from the container\n", f"connection to {PUBLIC4}:8080 answered {data!r}")


def firewall_kube_and_podman_forwards(t):
    """kube-proxy's and netavark's chains: every forward found, recognised by name."""
    need(t, "iptables-nft-restore")
    eth0(t)
    load(t, "kube")
    doc = probe(t)
    kube = doc["forwards"]
    t.check(len(kube) == 82, f"{len(kube)} forwards, want 82 (40 services x 2 endpoints + a NodePort's 2)")
    t.check(all(f["runtime"] == "kubernetes" for f in kube), "every forward is kubernetes'")
    node = [f for f in kube if f["port"] == 30080]
    t.check(len(node) == 2 and all(f["addr"] is None for f in node), f"NodePort forwards: {node}")
    sh(t, "iptables-nft", "-t", "nat", "-F")
    sh(t, "iptables-nft", "-t", "nat", "-X")
    load(t, "netavark")
    listen(t, "0.0.0.0", 8080)  # conmon's reservation of the host port
    doc = probe(t)
    t.require(len(doc["forwards"]) == 1, f"netavark forwards: {doc['forwards']}")
    f = doc["forwards"][0]
    t.check(f["runtime"] == "podman" and f["to"]["addr"] == "10.88.0.2" and f["port"] == 8080, f"forward: {f}")
    expect(t, doc, "tcp", "0.0.0.0", 8080, PUBLIC4, "none", chain="NETAVARK-DN-1D8721804F16F")


def firewall_not_read_without_cap_net_admin(t):
    """As nobody the rules cannot be read: every verdict says so, with the reason."""
    need(t, "nft")
    eth0(t)
    load(t, "handwritten")
    listen(t, "0.0.0.0", 5432)
    doc = probe(t, uid=R.NOBODY)
    fw = doc["firewall"]
    t.check(fw["read"] is False and "CAP_NET_ADMIN" in (fw["why"] or ""), f"firewall: {fw}")
    v = verdict(t, doc, "tcp", "0.0.0.0", 5432, PUBLIC4)
    t.check(v["verdict"] == "not-read" and "CAP_NET_ADMIN" in v["why"], f"verdict: {v}")
    # postgres facing the Internet is an alert when it is known; a reach that rests on rules
    # not read is at most a warning, and says what would decide it
    pg = socket_of(t, doc, "tcp", "0.0.0.0", 5432)
    pub = [f for f in pg["findings"] if f["code"] == "public-exposure"]
    t.check(len(pub) == 1 and pub[0]["severity"] == "warning" and "perhaps reachable" in pub[0]["reason"]
            and "CAP_NET_ADMIN" in (pub[0]["evidence"] or ""), f"5432 as nobody: {pg['findings']}")
    t.check(not any(f["severity"] == "alert" and f["code"].endswith("-exposure") for f in pg["findings"]),
            f"no alert for reach on not-read: {pg['findings']}")
    r = t.run(uid=65534)
    t.check(r.err.decode().count("exposure is judged from the addresses alone: reading the firewall's rules "
                                 "needs root or CAP_NET_ADMIN.") == 1, f"said once on stderr: {r.err.decode()}")


def firewall_legacy_tables_reported(t):
    """iptables-legacy rules are invisible to nf_tables: their tables are listed, not evaluated."""
    need(t, "iptables-legacy", "ip6tables-legacy")
    eth0(t)
    r = subprocess.run(["iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"],
                       capture_output=True, timeout=R.RUN_TIMEOUT)
    if r.returncode != 0:
        t.skip(f"this kernel has no x_tables for iptables-legacy: {r.stderr.decode(errors='replace').strip()}")
    sh(t, "ip6tables-legacy", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "1", "-j", "REDIRECT",
       "--to-ports", "2")
    listen(t, "0.0.0.0", 22)
    doc = probe(t)
    legacy = set((doc["firewall"].get("legacy") or "").split())
    t.check(legacy == {"ip:filter", "ip6:nat"}, f"legacy tables {legacy}, want ip:filter and ip6:nat")
    # nf_tables holds nothing here, so nf_tables would accept everything: with IPv4 legacy tables
    # present that is unknown (the legacy filter does drop 22), never "all"
    fw = expect(t, doc, "tcp", "0.0.0.0", 22, PUBLIC4, "unknown")
    t.check("iptables-legacy" in (fw.get("why") or ""), f"why: {fw}")
    listen(t, "::", 23, v6only=True)
    doc = probe(t)
    expect(t, doc, "tcp", "::", 23, PUBLIC6, "unknown")  # ip6:nat may redirect it
    sh(t, "iptables-legacy", "-F")
    sh(t, "ip6tables-legacy", "-t", "nat", "-F")


def firewall_verdict_follows_rule_changes(t):
    """A listener dropped, then opened to one network, then to all: each read sees the change."""
    need(t, "nft")
    eth0(t)
    listen(t, "0.0.0.0", 6379)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy drop; }")
    sh(t, "nft", "add rule inet f in iif lo accept")
    expect(t, probe(t), "tcp", "0.0.0.0", 6379, PUBLIC4, "none", chain="in")
    sh(t, "nft", "add rule inet f in ip saddr 192.168.7.0/24 tcp dport 6379 accept")
    expect(t, probe(t), "tcp", "0.0.0.0", 6379, PUBLIC4, "some", sources="192.168.7.0/24")
    sh(t, "nft", "add rule inet f in tcp dport 6379 accept")
    expect(t, probe(t), "tcp", "0.0.0.0", 6379, PUBLIC4, "all")
    expect(t, probe(t), "tcp", "0.0.0.0", 6379, "127.0.0.1", "all")


def socket_of(t, doc, proto, addr, port):
    for k in doc["sockets"]:
        if (k["proto"], k["local"]["addr"], k["local"]["port"]) == (proto, addr, port):
            return k
    raise R.Failed(f"no socket {proto} {addr}:{port}", [json.dumps(doc["sockets"])[:600]])


def firewall_drop_narrows_exposure_and_findings(t):
    """redis on 0.0.0.0 that the firewall drops from everywhere but lo: not reachable beyond
    localhost (scope loopback, no exposure finding, FIREWALL none); once a rule lets
    everyone in, it is all-interfaces again with its finding."""
    need(t, "nft")
    eth0(t)
    listen(t, "0.0.0.0", 6379)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy drop; }")
    sh(t, "nft", "add rule inet f in iif lo accept")
    k = socket_of(t, probe(t), "tcp", "0.0.0.0", 6379)
    e = k["exposure"]
    t.check(e["scope"] == "loopback" and e["bound"] == "all-interfaces", f"exposure: {e}")
    t.check(e["firewall"] == {"verdict": "none", "sources": None, "why": None}, f"summary: {e['firewall']}")
    codes = [f["code"] for f in k["findings"]]
    t.check(not any("exposure" in c for c in codes), f"a dropped port has no exposure finding: {codes}")
    r = t.run("-o", "local,exposure,firewall", "6379")
    lines = r.out.decode().splitlines()
    t.check(r.rc == 0 and lines[1].split() == ["0.0.0.0:6379", "loopback", "none"], f"table: {lines}")
    sh(t, "nft", "add rule inet f in tcp dport 6379 accept")
    k = socket_of(t, probe(t), "tcp", "0.0.0.0", 6379)
    t.check(k["exposure"]["scope"] == "all-interfaces" and k["exposure"]["firewall"]["verdict"] == "all",
            f"opened: {k['exposure']}")
    t.check("public-exposure" in [f["code"] for f in k["findings"]], f"opened: {k['findings']}")


def firewall_table_marks_exposure(t):
    """The table's EXPOSURE says what the firewall does beyond loopback: a dropped port is lo, a
    port only some sources reach is marked *, one a rule not decoded decides is marked ?; in full
    and abbreviated (narrow) tables. Not with the FIREWALL column shown, and never in CSV. A port
    opened to 10.0.0.0/8 only is reached from private hosts: private."""
    need(t, "nft")
    eth0(t)
    for port in (22, 5432, 6379, 9000):
        listen(t, "0.0.0.0", port)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy drop; }")
    sh(t, "nft", "add rule inet f in iif lo accept")
    sh(t, "nft", "add rule inet f in tcp dport 22 accept")
    sh(t, "nft", "add rule inet f in ip saddr 10.0.0.0/8 tcp dport 5432 accept")
    sh(t, "nft", "add rule inet f in tcp dport 9000 limit rate 10/second accept")

    def table(*args, cols="200"):
        r = t.run(*args, env=t.env(COLUMNS=cols))
        t.require(r.rc == 0, f"{args}: {r}")
        lines = r.out.decode().splitlines()
        for ln in lines:
            t.check(len(ln) <= int(cols), f"COLUMNS={cols}: {ln!r}")
        return {w[1]: w[2:] for w in (ln.split() for ln in lines[1:])}

    full = table("-o", "proto,local,exposure")
    t.check({k: v[0] for k, v in full.items()} == {
        "0.0.0.0:22": "all-interfaces", "0.0.0.0:5432": "private*",
        "0.0.0.0:6379": "loopback", "0.0.0.0:9000": "all-interfaces?"}, f"full: {full}")
    narrow = table(cols="60")  # STATE EXPO FINDINGS PID PROGRAM: SERVICE goes before FINDINGS
    t.check({k: v[1] for k, v in narrow.items()} == {
        "0.0.0.0:22": "all", "0.0.0.0:5432": "lan*", "0.0.0.0:6379": "lo", "0.0.0.0:9000": "all?"},
            f"COLUMNS=60: {narrow}")
    both = table("-o", "proto,local,exposure,firewall")
    t.check({k: v for k, v in both.items()} == {
        "0.0.0.0:22": ["all-interfaces", "all"], "0.0.0.0:5432": ["private", "some"],
        "0.0.0.0:6379": ["loopback", "none"], "0.0.0.0:9000": ["all-interfaces", "?"]},
            f"with FIREWALL: {both}")
    rows = list(csv.reader(io.StringIO(t.run("--csv", "-o", "local,exposure").out.decode())))
    t.check(sorted(rows[1:]) == [["0.0.0.0:22", "all-interfaces"], ["0.0.0.0:5432", "private"],
                                 ["0.0.0.0:6379", "loopback"], ["0.0.0.0:9000", "all-interfaces"]],
            f"csv: {rows}")


def firewall_forwards_filtered_and_in_table(t):
    """Forwarded ports: a row of their own after the table, the user's port/protocol/family
    filters apply, and a port only a NAT rule serves is a match (exit 0)."""
    need(t, "nft")
    eth0(t)
    sh(t, "nft", "add table ip nat; add chain ip nat pre { type nat hook prerouting priority -100; }")
    sh(t, "nft", "add rule ip nat pre tcp dport 8080 dnat to 10.9.9.9:80")
    sh(t, "nft", "add rule ip nat pre udp dport 5353 redirect to :53")
    doc = probe(t, "8080")
    t.check([(f["proto"], f["port"], f["to"]["addr"], f["to"]["port"], f["kind"]) for f in doc["forwards"]]
            == [("tcp", 8080, "10.9.9.9", 80, "dnat")], f"8080: {doc['forwards']}")
    rule = doc["forwards"][0]["rule"] if doc["forwards"] else {}
    t.check((rule.get("family"), rule.get("table"), rule.get("chain")) == ("ip", "nat", "pre")
            and isinstance(rule.get("handle"), int), f"the forward's rule: {rule}")
    doc = probe(t, "-u")
    t.check([(f["proto"], f["port"], f["to"]["addr"], f["kind"]) for f in doc["forwards"]]
            == [("udp", 5353, None, "redirect")], f"-u: {doc['forwards']}")
    t.check(probe(t, "-6", rc=1)["forwards"] == [], "-6: the IPv4 forwards are not shown")
    t.check(probe(t, "22", rc=1)["forwards"] == [], "22: nothing")
    r = t.run("8080")
    out = r.out.decode()
    t.check(r.rc == 0 and "tcp  *:8080  forwarded to 10.9.9.9:80  by ip nat pre" in out, f"table: {r}")
    # CSV: records of their own after the sockets' (STATE FORWARD or REDIRECT), same header.
    cols = "proto,local,remote,state,pid,program,exposure,command"
    r = t.run("--csv", "-o", cols)
    rows = list(csv.reader(io.StringIO(r.out.decode())))
    t.check(r.rc == 0 and rows[:1] == [cols.split(",")], f"csv header: {r} {rows[:1]}")
    t.check(sorted(rows[1:]) == [["tcp", "*:8080", "10.9.9.9:80", "FORWARD", "", "", "", "ip nat pre"],
                                 ["udp", "*:5353", "*:53", "REDIRECT", "", "", "", "ip nat pre"]],
            f"csv forwards: {rows[1:]}")
    rows = list(csv.reader(io.StringIO(t.run("--csv", "-o", "local,state", "8080").out.decode())))
    t.check(rows == [["local", "state"], ["*:8080", "FORWARD"]], f"csv 8080: {rows}")


def firewall_explain_names_the_rule(t):
    """explain shows, per address, the verdict and the rule that decides it, and the forwards."""
    need(t, "nft")
    eth0(t)
    listen(t, "0.0.0.0", 5432)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy drop; }")
    sh(t, "nft", "add rule inet f in iif lo accept")
    sh(t, "nft", "add rule inet f in ip saddr 10.0.0.0/8 tcp dport 5432 accept comment \"lan db\"")
    sh(t, "nft", "add table ip nat; add chain ip nat pre { type nat hook prerouting priority -100; }")
    sh(t, "nft", "add rule ip nat pre tcp dport 15432 dnat to 203.0.113.7:5432")
    r = t.run("explain", "5432")
    out = r.out.decode()
    t.check(r.rc == 0, f"explain: {r}")
    t.check(f"Firewall at eth0 {PUBLIC4}: some (from 10.0.0.0/8); decided by inet f in policy drop; let in by "
            "inet f in rule 2 (handle " in out and 'accept; comment "lan db"' in out, f"explain: {out}")
    t.check("tcp  *:15432  forwarded to 203.0.113.7:5432  by ip nat pre" in out, f"explain forwards: {out}")


def firewall_explain_folds_identical_verdicts(t):
    """explain says the firewall's verdict once when every address has the same one (no rule set:
    accepted from everywhere), and otherwise one line per verdict, naming the addresses."""
    need(t, "nft")
    eth0(t)
    listen(t, "::", 5432, v6only=False)  # lo, eth0 (IPv4 and IPv6), link-local addresses

    def fw_lines():
        r = t.run("explain", "5432")
        t.require(r.rc == 0, f"explain: {r}")
        return [ln.strip() for ln in r.out.decode().splitlines() if ln.strip().startswith("Firewall")]

    t.check(fw_lines() == ["Firewall: accepts from all sources on every address (no rules)"],
            f"no rule set: {fw_lines()}")
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy drop; }")
    sh(t, "nft", "add rule inet f in tcp dport 5432 accept")
    got = fw_lines()
    t.check(len(got) == 1 and got[0].startswith("Firewall on every address: all; decided by inet f in rule 1 "),
            f"one rule lets every address in: {got}")
    sh(t, "nft", "flush ruleset")
    sh(t, "nft", "add table ip f; add chain ip f in { type filter hook input priority 0; policy drop; }")
    sh(t, "nft", "add rule ip f in tcp dport 5432 accept")
    got = fw_lines()
    v4 = [ln for ln in got if "127.0.0.1" in ln]
    v6 = [ln for ln in got if "::1" in ln]
    t.check(len(got) == 2 and v4 and v6, f"IPv4 by a rule, IPv6 by none: two lines: {got}")
    t.check(v4 and v4[0].startswith(f"Firewall at lo 127.0.0.1, eth0 {PUBLIC4}: all; decided by ip f in rule 1 "),
            f"IPv4: {got}")
    t.check(v6 and f"eth0 {PUBLIC6}" in v6[0] and v6[0].endswith(": accepts from all sources (no rules)"), f"IPv6: {got}")


def firewall_diff_and_check_follow_the_verdict(t):
    """A port the firewall starts letting through is an exposure change for diff, and check's
    max-exposure is judged against what the firewall lets through, not the bound address."""
    need(t, "nft")
    eth0(t)
    listen(t, "0.0.0.0", 6379)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy drop; }")
    sh(t, "nft", "add rule inet f in iif lo accept")
    before = os.path.join(t.tmpdir(), "before.json")
    t.require(t.run("snapshot", "-o", before).rc == 0, "snapshot")
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "w") as f:
        f.write("allow tcp 6379 max-exposure=loopback\n")
    r = t.run("check", "--baseline", pol)
    t.check(r.rc == 0, f"dropped beyond lo: within max-exposure=loopback: {r}")
    t.check(t.run("diff", before).rc == 0, "nothing changed yet")
    sh(t, "nft", "add rule inet f in tcp dport 6379 accept")
    r = t.run("diff", "--json", before)
    t.require(r.rc == 1, f"diff after the firewall opened 6379: {r}")
    ch = [(c["kind"], c["direction"], c["before"]["exposure"], c["after"]["exposure"])
          for c in R.parse_json(r)["changes"]]
    t.check(ch == [("exposure-changed", "wider", "loopback", "all-interfaces"),
                   ("firewall-changed", "wider", "loopback", "all-interfaces")], f"changes: {ch}")
    r = t.run("diff", before, env=t.env(NO_COLOR="1"))
    t.check(r.out.decode().splitlines()[:2] == ["exposure-changed tcp 0.0.0.0:6379: loopback => all-interfaces (wider)",
                                                "firewall-changed tcp 0.0.0.0:6379: none => all (wider)"],
            f"text: {r.out!r}")
    r = t.run("check", "--baseline", pol, "--json")
    v = [(x["kind"], x["socket"]["exposure"]) for x in R.parse_json(r)["violations"]] if r.rc == 4 else r
    t.check(v == [("exposure", "all-interfaces")], f"opened: an exposure violation: {v}")
    # a forwarded port that appears is a change; one that goes away too
    sh(t, "nft", "add table ip nat; add chain ip nat pre { type nat hook prerouting priority -100; }")
    sh(t, "nft", "add rule ip nat pre tcp dport 8080 dnat to 10.9.9.9:80")
    d = R.parse_json(t.run("diff", "--json", before))
    new = [(f["proto"], f["port"], f["to"]["addr"], f["to"]["port"]) for f in d["forwards"]["new"]]
    t.check(new == [("tcp", 8080, "10.9.9.9", 80)] and d["forwards"]["removed"] == [], f"forwards: {d['forwards']}")
    mid = os.path.join(t.tmpdir(), "mid.json")
    t.require(t.run("snapshot", "-o", mid).rc == 0, "snapshot")
    sh(t, "nft", "delete table ip nat")
    r = t.run("diff", mid)
    t.check(r.rc == 1 and "removed-forward  tcp  *:8080  forwarded to 10.9.9.9:80  by ip nat pre" in r.out.decode()
            and r.out.decode().endswith("1 change: 1 removed-forward\n"), f"text: {r} {r.out}")
    t.check(t.run("diff", "-6", mid).rc == 0, "the family filter applies to forwards")


def fw_some_then_all(t, port):
    """A listener on 0.0.0.0:PORT that the firewall lets in from 198.51.100.0/24 only."""
    need(t, "nft")
    eth0(t)
    listen(t, "0.0.0.0", port)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy accept; }")
    sh(t, "nft", f"add rule inet f in tcp dport {port} ip saddr 198.51.100.0/24 accept")
    sh(t, "nft", f"add rule inet f in tcp dport {port} drop")


def fw_open(t, port, sources=None):
    """Replace the rules: accept PORT from everywhere, or from `sources` only."""
    sh(t, "nft", "flush chain inet f in")
    if sources:
        sh(t, "nft", f"add rule inet f in tcp dport {port} ip saddr {sources} accept")
        sh(t, "nft", f"add rule inet f in tcp dport {port} drop")


def firewall_diff_sees_verdict_widen(t):
    """A listener the firewall let in from some sources and now from all is a firewall-changed
    change (wider) although its exposure class stays all-interfaces; another set of sources is
    one too."""
    fw_some_then_all(t, 2222)
    before = os.path.join(t.tmpdir(), "before.json")
    t.require(t.run("snapshot", "-o", before).rc == 0, "snapshot")
    t.check(t.run("diff", before).rc == 0, "nothing changed yet")
    fw_open(t, 2222)  # the drop rule is gone: every source gets in
    r = t.run("diff", "--json", before)
    t.require(r.rc == 1, f"diff after the drop rule went: {r}")
    d = R.parse_json(r)
    ch = [(c["kind"], c["direction"], c["before"]["exposure"], c["after"]["exposure"], c["before"]["firewall"],
           c["after"]["firewall"]) for c in d["changes"]]
    t.check(ch == [("firewall-changed", "wider", "all-interfaces", "all-interfaces",
                    {"verdict": "some", "sources": "198.51.100.0/24"}, {"verdict": "all", "sources": None})],
            f"changes: {ch}")
    t.check(d["summary"]["firewall-changed"] == 1, f"summary: {d['summary']}")
    r = t.run("diff", before, env=t.env(NO_COLOR="1"))
    t.check(r.out.decode() == "firewall-changed tcp 0.0.0.0:2222: some (from 198.51.100.0/24) => all (wider)\n"
            "1 change: 1 firewall-changed\n", f"text: {r.out!r}")
    fw_open(t, 2222, "192.0.2.0/24")  # some sources, but others
    r = t.run("diff", "--json", before)
    ch = [(c["kind"], c["direction"], c["after"]["firewall"]) for c in R.parse_json(r)["changes"]]
    t.check(r.rc == 1 and ch == [("firewall-changed", "other", {"verdict": "some", "sources": "192.0.2.0/24"})],
            f"other sources: {ch}")


def firewall_watch_sees_verdict_change(t):
    """watch reports the firewall letting a listener in from all sources instead of some."""
    fw_some_then_all(t, 2223)
    p = subprocess.Popen([t.binary, "watch", "--json", "--poll-only", "--interval", "0.2", "--duration", "20"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=t.env())
    t.procs.append(p)
    first = json.loads(p.stdout.readline())
    t.require(first["kind"] == "start", f"watch start: {first}")
    fw_open(t, 2223)
    line = json.loads(p.stdout.readline())
    p.kill()
    t.check((line.get("kind"), line.get("direction"), line.get("local"), (line.get("before") or {}).get("firewall"),
             (line.get("after") or {}).get("firewall")) ==
            ("firewall-changed", "wider", {"addr": "0.0.0.0", "port": 2223},
             {"verdict": "some", "sources": "198.51.100.0/24"}, {"verdict": "all", "sources": None}), f"watch: {line}")


def firewall_watch_sees_forwards(t):
    """watch reports a forwarded port that appears between two polls (--json, one line each)."""
    need(t, "nft")
    eth0(t)
    sh(t, "nft", "add table ip nat; add chain ip nat pre { type nat hook prerouting priority -100; }")
    p = subprocess.Popen([t.binary, "watch", "--json", "--poll-only", "--interval", "0.2", "--duration", "20"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=t.env())
    t.procs.append(p)
    first = json.loads(p.stdout.readline())
    t.require(first["kind"] == "start", f"watch start: {first}")
    sh(t, "nft", "add rule ip nat pre tcp dport 8080 dnat to 10.9.9.9:80")
    line = json.loads(p.stdout.readline())
    p.kill()
    f = line.get("forward") or {}
    t.check(line.get("kind") == "new-forward" and (f.get("port"), f.get("to")) ==
            (8080, {"addr": "10.9.9.9", "port": 80, "port_end": 80}), f"watch: {line}")


def firewall_private_sources_only(t):
    """SMB on a public address that the firewall opens to 10.0.0.0/8 only, as an admin told to
    allow only the hosts that need it would: reached from private hosts, so no public-exposure
    alert (a private-exposure notice naming the sources instead: the advice followed), scope
    private, and check's max-exposure=private holds. Opened to a public range, it stays an alert
    that names it."""
    need(t, "nft")
    eth0(t)
    listen(t, "0.0.0.0", 445)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy accept; }")
    sh(t, "nft", "add rule inet f in tcp dport { 139, 445 } ip saddr 10.0.0.0/8 accept")
    sh(t, "nft", "add rule inet f in iif != lo tcp dport { 139, 445 } drop")
    k = socket_of(t, probe(t), "tcp", "0.0.0.0", 445)
    codes = {f["code"]: f for f in k["findings"]}
    t.check("public-exposure" not in codes, f"only 10/8 gets in: no public alert: {list(codes)}")
    pe = codes.get("private-exposure")
    t.check(pe is not None and pe["severity"] == "notice" and f"eth0 {PUBLIC4} from 10.0.0.0/8" in pe["evidence"]
            and "(the firewall lets in only 10.0.0.0/8)" in pe["reason"],
            f"a private-exposure notice naming the sources: {pe}")
    t.check(k["exposure"]["scope"] == "private", f"scope: {k['exposure']}")
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "w") as f:
        f.write("allow tcp 445 max-exposure=private\n")
    r = t.run("check", "--baseline", pol)
    t.check(r.rc == 0, f"within max-exposure=private: {r} {r.out}")
    r = t.run("explain", "445")
    t.check("public-exposure" not in r.out.decode(), f"explain: {r.out.decode()}")
    sh(t, "nft", "insert rule inet f in tcp dport 445 ip saddr 198.51.100.0/24 accept")
    k = socket_of(t, probe(t), "tcp", "0.0.0.0", 445)
    pub = [f for f in k["findings"] if f["code"] == "public-exposure"]
    t.check(pub and pub[0]["severity"] == "alert" and "198.51.100.0/24" in pub[0]["evidence"],
            f"a public range let in: an alert naming it: {k['findings']}")
    t.check(k["exposure"]["scope"] == "all-interfaces", f"scope: {k['exposure']}")


def firewall_other_namespace_own_addresses(t):
    """-N judges a socket of another namespace by that namespace's own addresses: a namespace
    "rvw" holding a public address that ours does not have (ours: a private one on the veth to it),
    a wildcard and an address-bound listener in it, one in ours. The rvw sockets reach only rvw's
    addresses, ours only ours; rvw's own rules are read inside it and judge its sockets (its drop
    of 445 narrows that one to loopback; ours, which accept everything, do not count there);
    explain names the namespace and rvw's rule."""
    need(t, "nft")
    named_netns(t, "rvw", "rvw0", "rvweth")
    sh(t, "ip", "addr", "add", "10.77.0.1/24", "dev", "rvw0")
    sh(t, "ip", "addr", "add", "fd00:77::1/64", "dev", "rvw0", "nodad")
    sh(t, "ip", "link", "set", "rvw0", "up")
    inside = ["ip", "netns", "exec", "rvw"]
    sh(t, *inside, "ip", "link", "set", "lo", "up")
    sh(t, *inside, "ip", "link", "set", "rvweth", "name", "eth0")
    sh(t, *inside, "ip", "addr", "add", f"{PUBLIC4}/24", "dev", "eth0")
    sh(t, *inside, "ip", "addr", "add", f"{PUBLIC6}/64", "dev", "eth0", "nodad")
    sh(t, *inside, "ip", "link", "set", "eth0", "up")
    # inside rvw its own firewall drops 445: not read, so not taken as ours
    sh(t, *inside, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; "
       "policy accept; }; add rule inet f in tcp dport 445 drop")
    start_in_ns(t, "rvw", (
        "import socket,time\n"
        "a=socket.socket(socket.AF_INET6); a.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)\n"
        "a.bind(('::', 445)); a.listen(8)\n"
        f"b=socket.socket(); b.bind(('{PUBLIC4}', 8445)); b.listen(8)\n"
        "print('READY', flush=True)\n"
        "time.sleep(3600)\n"))
    listen(t, "0.0.0.0", 446)  # ours: reached only on ours
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy accept; }")
    rvw = os.stat("/run/netns/rvw").st_ino
    doc = probe(t, "-N")
    t.check(doc["firewall"]["read"] is True, f"our firewall: {doc['firewall']}")

    def sock(port, ns):
        got = [k for k in doc["sockets"] if k["local"]["port"] == port and k["netns"] == ns
               and k["state"] == "listen"]
        t.require(len(got) == 1, f"one listener on {port} in namespace {ns}",
                  [json.dumps([k for k in doc["sockets"] if k["local"]["port"] == port])[:1500]])
        return got[0]

    ours = os.stat("/proc/self/ns/net").st_ino
    smb = sock(445, rvw)
    reach = {(r["ifname"], r["addr"]) for r in smb["exposure"]["reachable"]}
    want = {("lo", "127.0.0.1"), ("lo", "::1"), ("eth0", PUBLIC4), ("eth0", PUBLIC6)}
    # eth0's own link-local address comes with it; nothing of ours (rvw0, 10.77.0.1, fd00:77::1)
    t.check(want <= reach and all(i in ("lo", "eth0") for i, _ in reach)
            and not reach & {("rvw0", "10.77.0.1"), ("rvw0", "fd00:77::1")},
            f"[::]:445 in rvw reachable on {sorted(reach)}, want rvw's own lo and eth0")
    t.check(smb["exposure"]["scope"] == "loopback", f"445 exposure: {smb['exposure']['scope']}")
    t.check(not [f for f in smb["findings"] if f["code"].endswith("-exposure")],
            f"445 in rvw, dropped by rvw's rules: no exposure finding: {smb['findings']}")
    pub = [r for r in smb["exposure"]["reachable"] if r["addr"] == PUBLIC4][0]["firewall"]
    t.check(pub["verdict"] == "none" and (pub.get("rule") or {}).get("text", "").startswith("inet f in rule 1"),
            f"445 in rvw at {PUBLIC4}: decided by rvw's own drop: {pub}")
    bound = sock(8445, rvw)
    t.check([(r["ifname"], r["addr"]) for r in bound["exposure"]["reachable"]] == [("eth0", PUBLIC4)]
            and bound["exposure"]["scope"] == "public"
            and bound["exposure"]["reachable"][0]["firewall"]["verdict"] == "all",
            f"{PUBLIC4}:8445 in rvw (an address ours lacks, accepted by rvw's rules): {bound['exposure']}")
    mine = sock(446, ours)
    reach = {r["addr"] for r in mine["exposure"]["reachable"]}
    t.check("10.77.0.1" in reach and PUBLIC4 not in reach and mine["exposure"]["firewall"]["verdict"] == "all",
            f"0.0.0.0:446 in ours: {mine['exposure']}")
    # the table: rvw's verdicts are checked ones, as ours are
    r = t.run("-N", "-o", "proto,local,netns,exposure", env=t.env(COLUMNS="200"))
    rows = [ln.split() for ln in r.out.decode().splitlines()[1:]]
    t.check(["tcp6", "[::]:445", "rvw", "loopback"] in rows, f"table: rvw's 445 loopback: {rows}")
    t.check(["tcp", f"{PUBLIC4}:8445", "rvw", "public"] in rows, f"table: rvw's 8445 public: {rows}")
    t.check(any(x[:2] == ["tcp", "0.0.0.0:446"] and x[3] == "all-interfaces" for x in rows),
            f"table: our 446 unmarked (all): {rows}")
    r = t.run("explain", "-N", "445/tcp")
    out = r.out.decode()
    t.check(r.rc == 0 and f"Namespace: rvw (network namespace {rvw})" in out, f"explain names rvw: {out}")
    t.check(f"eth0 {PUBLIC4}" in out and "10.77.0.1" not in out and "rvw0" not in out,
            f"explain: rvw's own addresses only: {out}")
    t.check("decided by inet f in rule 1" in out, f"explain: rvw's rule decides: {out}")
