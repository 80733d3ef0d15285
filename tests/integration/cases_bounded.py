# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_bounded.py — output bounded on hostile input (issue 19 items 9 and 10): a flood of
short-lived sockets folded in watch --log, and -N over a namespace of many addresses and
wildcard listeners growing with the listeners, not with listeners x addresses.

Loaded by run.py (register(run) is called with the runner module). The attacker is nobody,
binding and closing UDP sockets in a loop in the case's own network namespace, or owning a
network namespace (unshare -Urn) where it adds addresses and listeners.
"""
import json
import os
import subprocess
import sys
import time

R = None  # the runner module, set by register()
# one nobody can run (a python under /root, as pyenv installs it, is not)
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

# nobody's flood: bind a UDP socket to a new port and close it, N times, as fast as Python goes
# (a count, not a time: a loaded machine makes the same flood, only slower)
FLOOD = r'''
import socket, sys
n = int(sys.argv[1])
for _ in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.close()
print(n)
'''


def register(run):
    global R
    R = run
    run.case(watch_log_folds_a_flood)
    run.case(all_ns_hostile_addresses_fold)


def watch_log_folds_a_flood(t):
    """watch -a --log FILE while nobody binds and closes 90,000 UDP sockets in a loop (some
    180k events; about 5 s on an idle machine), stopped with SIGTERM: the log stays under 1 MB,
    says what it folded per port and user, and the stop line counts the folded events."""
    log = os.path.join(t.tmpdir(), "watch.log")
    w = subprocess.Popen([t.binary, "watch", "-a", "--json", "--log", log, "--interval", "1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=t.env())
    t.procs.append(w)
    for _ in range(200):  # the start line: the reference listing is made
        if os.path.exists(log) and os.path.getsize(log) > 0:
            break
        time.sleep(0.02)
    script = os.path.join(t.tmpdir(), "flood.py")
    with open(script, "w") as f:
        f.write(FLOOD)
    t0 = time.monotonic()
    fl = subprocess.run(["setpriv", f"--reuid={R.NOBODY}", f"--regid={R.NOBODY}", "--clear-groups",
                         PYTHON, script, "90000"], capture_output=True, timeout=300)
    made = int(fl.stdout or b"0")
    time.sleep(1.2)  # the last interval's fold line
    w.terminate()
    w.wait(30)
    intervals = int(time.monotonic() - t0) + 2
    size = os.path.getsize(log)
    lines = [json.loads(ln) for ln in open(log, "rb").read().decode().splitlines()]
    stop = lines[-1] if lines else {}
    folded = [ln for ln in lines if ln.get("kind") == "folded"]
    t.require(stop.get("kind") == "stop", "the log ends with a stop line", lines[-2:])
    seen = stop.get("events", 0) + stop.get("folded", 0)
    t.require(made == 90000 and seen >= 150000,
              f"the premise: {made} sockets made, {seen} events seen (lost: {stop.get('lost_notifications')})")
    t.check(size < 1 << 20, f"watch --log of {seen} events: {size} bytes, want under 1 MB")
    t.check(folded and stop.get("folded", 0) == sum(f["events"] for f in folded)
            and stop["folded"] >= seen - intervals * 300,
            f"folded lines count what was not shown: stop {stop}, {len(folded)} folded lines",
            folded[:3])
    t.check(all(f["uid"] in (R.NOBODY, None) and f["proto"] in ("udp", None) for f in folded),
            "folded lines name the port's protocol and the user", folded[:3])


# nobody's own network namespace (unshare -Urn): a veth with addresses, wildcard listeners
HOSTILE_NS = r'''
import socket, subprocess, sys, time
n_addr, n_listen = int(sys.argv[1]), int(sys.argv[2])
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["ip", "link", "add", "h0", "type", "veth", "peer", "name", "h1"], check=True)
subprocess.run(["ip", "link", "set", "h0", "up"], check=True)
batch = "".join(f"address add 10.{i // 250 % 250}.{i % 250 + 1}.1/32 dev h0\n" for i in range(n_addr))
subprocess.run(["ip", "-batch", "-"], input=batch.encode(), check=True)
ss = []
for i in range(n_listen):
    s = socket.socket(); s.bind(("0.0.0.0", 31000 + i)); s.listen(1); ss.append(s)
print("READY", flush=True)
sys.stdin.read()
'''


def hostile_listeners(doc, ours):
    return [s for s in doc["sockets"] if s["netns"] != ours and s["state"] == "listen"
            and 31000 <= s["local"]["port"] < 32000]


def all_ns_hostile_addresses_fold(t):
    """nobody's namespace with 300, then 1,200 addresses and 20 wildcard listeners: -N --json
    lists the first few addresses of each class per listener with the total and how many were
    folded, evidence names a few, and the output does not grow with the addresses (main: each
    listener listed every address, listeners x addresses)."""
    R.need_userns(t)
    script = os.path.join(t.tmpdir(), "hostile.py")
    with open(script, "w") as f:
        f.write(HOSTILE_NS)
    p = subprocess.Popen(["setpriv", f"--reuid={R.NOBODY}", f"--regid={R.NOBODY}", "--clear-groups",
                          "unshare", "-Urn", PYTHON, script, "300", "20"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.procs.append(p)
    line = p.stdout.readline()
    t.require(line.startswith(b"READY"), f"nobody's namespace: {line!r} {p.stderr.read1(300) if p.poll() is not None else b''}")
    sizes = {}
    for n_addr in (300, 1200):
        if n_addr == 1200:  # nobody adds more addresses to its own namespace
            batch = "".join(f"address add 10.{i // 250 % 250}.{i % 250 + 1}.1/32 dev h0\n"
                            for i in range(300, 1200))
            r = subprocess.run(["nsenter", f"--net=/proc/{p.pid}/ns/net", "ip", "-batch", "-"],
                               input=batch.encode(), capture_output=True)
            t.require(r.returncode == 0, f"adding addresses: {r.stderr[:300]}")
        r = t.run("-N", "--json", "--findings", "-a")
        doc = R.parse_json(r)
        sizes[n_addr] = len(r.out)
        mine = [s for s in doc["sockets"] if 31000 <= s["local"]["port"] < 32000 and s["state"] == "listen"]
        t.require(len(mine) == 20, f"{n_addr} addresses: 20 listeners in nobody's namespace, got {len(mine)}")
        for s in mine:
            e = s["exposure"]
            total = e.get("reachable_total")
            t.check(total is not None and total >= n_addr and len(e["reachable"]) <= 16
                    and e.get("reachable_folded") == total - len(e["reachable"])
                    and sum(e.get("reachable_by_class", {}).values()) == total,
                    f"{n_addr} addresses, port {s['local']['port']}: {len(e['reachable'])} listed, "
                    f"total {total}, folded {e.get('reachable_folded')}, by class {e.get('reachable_by_class')}")
            long = [f for f in s.get("findings", []) if len(f["evidence"] or "") > 2000]
            t.check(not long, f"evidence stays short: {[len(f['evidence']) for f in long]}")
    t.check(sizes[1200] < sizes[300] * 1.3,
            f"-N --json: {sizes[300]} bytes with 300 addresses, {sizes[1200]} with 1,200 "
            "(linear in listeners, not listeners x addresses)")
    p.stdin.close()
