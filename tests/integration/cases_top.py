"""cases_top.py — `portsleuth conns` (grouped connections with the kernel's TCP counters) and
`portsleuth top` (the live screen, driven in a pseudo-terminal).

Loaded by run.py. Every case runs in its own network namespace: the sockets it makes are the
only ones there.
"""
import json
import socket
import subprocess
import threading
import time

R = None  # the runner module, set by register()
MIB = 1024 * 1024


def register(run):
    global R
    R = run
    run.case(conns_fifty_to_one_listener)
    run.case(conns_transfer_bytes)


def groups(t, *args):
    r = t.run("conns", *args, "--json")
    t.require(r.rc == 0, f"conns {args}: {r}")
    return R.parse_json(r)["groups"]


def conns_fifty_to_one_listener(t):
    """50 connections from one process to one listener of another: one outbound group with
    count 50 (the client's), one inbound group with count 50 under the listener's port (the
    server's), the listener with its backlog."""
    srv = t.hold("listen:127.0.0.1:4600,accept,backlog=64")
    cli = t.hold(*["connect:127.0.0.1:4600"] * 50, "name:fifty")
    srv.wait_accepted(50)
    g = groups(t, "-i", "0")
    out = [x for x in g if x["direction"] == "out"]
    inn = [x for x in g if x["direction"] == "in"]
    lst = [x for x in g if x["direction"] == "listen"]
    t.check(len(out) == 1 and out[0]["count"] == 50 and out[0]["process"] == "fifty"
            and out[0]["pid"] == cli.pid and out[0]["server_port"] == 4600
            and out[0]["server_address"] == "127.0.0.1" and out[0]["address_class"] == "loopback",
            "one outbound group of 50", [json.dumps(out)])
    t.check(len(inn) == 1 and inn[0]["count"] == 50 and inn[0]["pid"] == srv.pid
            and inn[0]["server_port"] == 4600, "one inbound group of 50", [json.dumps(inn)])
    t.check(len(lst) == 1 and lst[0]["count"] == 1 and lst[0]["backlog"] == 64
            and lst[0]["accept_queue"] == 0, "the listener", [json.dumps(lst)])
    t.check(all(x["counters"] for x in out + inn) and out[0]["bytes_sent"] == 50,
            "each client's SYN is its one acknowledged byte", [json.dumps(out)])
    # the same in the table and CSV
    r = t.run("conns", "-i", "0")
    rows = [ln.split() for ln in r.out.decode().splitlines()]
    t.check(r.rc == 0 and rows[0][:3] == ["PROCESS", "PID", "DIR"]
            and ["fifty", str(cli.pid), "out", "tcp", "127.0.0.1:4600", "loopback", "50"] in
            [x[:7] for x in rows], "table", [r.out.decode()])
    r = t.run("conns", "-i", "0", "--csv")
    t.check(r.rc == 0 and len(r.out.decode().splitlines()) == 1 + len(g), "csv: a line per group",
            [r.out.decode()])


def conns_transfer_bytes(t):
    """20 MB sent over loopback during the interval: the sender's group counts >= 20 MB sent
    and a rate to match, the receiver's >= 20 MB received."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 4610))
    srv.listen(4)
    c = socket.create_connection(("127.0.0.1", 4610))
    s, _ = srv.accept()
    total = 20 * MIB
    got = [0]

    def drain():
        while got[0] < total:
            b = s.recv(1 << 20)
            if not b:
                break
            got[0] += len(b)

    try:
        p = subprocess.Popen([t.binary, "conns", "--interval", "3", "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=t.env())
        time.sleep(1)  # the first sample is taken
        th = threading.Thread(target=drain)
        th.start()
        c.sendall(b"x" * total)
        th.join(20)
        out, err = p.communicate(timeout=R.RUN_TIMEOUT)
        t.require(p.returncode == 0 and got[0] == total, f"conns: exit {p.returncode} {err!r}, read {got[0]}")
        g = json.loads(out)["groups"]
        o = [x for x in g if x["direction"] == "out" and x["server_port"] == 4610]
        i = [x for x in g if x["direction"] == "in" and x["server_port"] == 4610]
        t.check(len(o) == 1 and o[0]["bytes_sent"] >= total and
                o[0]["rate_sent"] * json.loads(out)["interval"] >= total * 0.99,
                "the sender's bytes and rate", [json.dumps(o)])
        t.check(len(i) == 1 and i[0]["bytes_received"] >= total and
                i[0]["rate_received"] * json.loads(out)["interval"] >= total * 0.99,
                "the receiver's bytes and rate", [json.dumps(i)])
    finally:
        for x in (c, s, srv):
            x.close()
