# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_vcache.py — listeners that ask the same question share a verdict, and only those (issue 23).

Loaded by run.py. One process (the runner) listens on several ports of one public address; the
verdict of each listener in the full listing (where listeners of one owner and address share
their reach, firewall verdict and findings when the rules cannot tell them apart) must be exactly
the one it gets listed alone (`portsleuth PORT`: nothing to share with), and a firewall rule about
one port must part that port from the others.
"""
import json
import socket
import subprocess

R = None
PUBLIC4 = "203.0.113.7"
PORTS = (40001, 40002, 6379, 999)  # unregistered, unregistered, a known service, a low port


def register(run):
    global R
    R = run
    run.case(vcache_shared_verdicts_equal_alone)
    run.case(vcache_firewall_parts_ports, needs=("nftables",))


def sh(t, *argv):
    r = subprocess.run(list(argv), capture_output=True, timeout=R.RUN_TIMEOUT)
    t.require(r.returncode == 0, f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")


def setup(t):
    """eth0 (a veth) with a public address, and a TCP listener on 0.0.0.0 at every port of PORTS."""
    sh(t, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p")
    sh(t, "ip", "addr", "add", f"{PUBLIC4}/24", "dev", "eth0")
    sh(t, "ip", "link", "set", "eth0p", "up")
    sh(t, "ip", "link", "set", "eth0", "up")
    t.socks = []
    for port in PORTS:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(8)
        t.socks.append(s)


def judged(doc, port):
    """What was judged of listener 0.0.0.0:port: its exposure and findings, as JSON text."""
    for k in doc["sockets"]:
        if (k["proto"], k["local"]["addr"], k["local"]["port"]) == ("tcp", "0.0.0.0", port):
            return json.dumps({"exposure": k["exposure"], "findings": k["findings"],
                               "service": k["service"]}, sort_keys=True)
    raise R.Failed(f"no listener 0.0.0.0:{port}", [json.dumps(doc["sockets"])[:600]])


def vcache_shared_verdicts_equal_alone(t):
    """Each listener's exposure, findings and service in the full listing are the ones it gets
    alone; the known service's findings name its own port, the unregistered ports share theirs."""
    setup(t)
    full = t.json("-l")
    for port in PORTS:
        alone = judged(t.json("-l", str(port)), port)
        t.check(judged(full, port) == alone, f"port {port}: listed with others differs from alone",
                [judged(full, port)[:800], alone[:800]])
    redis = json.loads(judged(full, 6379))
    t.check(any("6379" in f["reason"] for f in redis["findings"]),
            f"6379's findings name its port: {redis['findings']}")
    a, b = json.loads(judged(full, 40001)), json.loads(judged(full, 40002))
    t.check(a["findings"] == b["findings"] and a["exposure"] == b["exposure"],
            "two unregistered ports of one owner and address are judged alike", [str(a)[:600], str(b)[:600]])


def vcache_firewall_parts_ports(t):
    """A rule that drops one port: that listener is not reachable beyond loopback, the others
    (same owner, same address) still are."""
    setup(t)
    sh(t, "nft", "add table inet f; add chain inet f in { type filter hook input priority 0; policy accept; }")
    sh(t, "nft", "add rule inet f in tcp dport 40002 drop")
    full = t.json("-l")
    a, b = json.loads(judged(full, 40001)), json.loads(judged(full, 40002))
    t.check(a["exposure"]["firewall"]["verdict"] == "all", f"40001: {a['exposure']['firewall']}")
    t.check(b["exposure"]["firewall"]["verdict"] == "none", f"40002: {b['exposure']['firewall']}")
    for port in PORTS:
        alone = judged(t.json("-l", str(port)), port)
        t.check(judged(full, port) == alone, f"port {port}: listed with others differs from alone",
                [judged(full, port)[:800], alone[:800]])
