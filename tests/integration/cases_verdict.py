# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_verdict.py — service knowledge, exposure, findings and `explain` (issue 3).

Loaded by run.py (register(run) is called with the runner module). Each case starts real
listeners in its private namespace: sockhold, and copies of Debian's own /usr/bin/python3.11
(packaged by python3.11-minimal) run from a temporary directory or deleted while they run.
Expected documents are built from what was started; findings are compared exactly (severity,
code, reason, evidence, pid). Each case removes the files it made.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

R = None  # the runner module, set by register()
PY = "/usr/bin/python3.11"  # Debian's python (the one on PATH may be an unpackaged pyenv)
CAVEAT = ("malware has used this port number, but so do legitimate programs: the number alone proves "
          "nothing; judge it by the program that holds it")
LISTEN_PY = ("import socket,sys\n"
             "fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET\n"
             "s = socket.socket(fam)\n"
             "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
             "s.bind((sys.argv[1], int(sys.argv[2])))\n"
             "s.listen(8)\n"
             "print('READY', flush=True)\n"
             "sys.stdin.read()\n")


def register(run):
    global R
    R = run
    for fn in (verdict_exposure, verdict_fake_sshd_in_tmp, verdict_deleted_exe,
               verdict_packaged_backdoor_port, verdict_explain_unheld, verdict_ports_file,
               verdict_broadcast_group_and_owner_risk, verdict_broadcast_from_routes, verdict_acknowledged,
               verdict_narrow_table):
        run.case(fn)


# ---------------------------------------------------------------- helpers


class PyListener:
    """A copy of (or the real) /usr/bin/python3.11 listening on addr:port; stdin EOF ends it."""

    def __init__(self, t, exe, addr, port):
        t.require(os.path.exists(PY), f"{PY} is missing (Debian package python3.11-minimal)")
        self.exe = exe
        self.argv = [exe, "-c", LISTEN_PY, addr, str(port)]
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, close_fds=True)
        t.procs.append(self.proc)  # the runner's cleanup closes stdin and kills it
        line = self.proc.stdout.readline()
        t.require(line == b"READY\n", f"{exe} listener on {addr}:{port} did not start: {line!r} "
                  f"{self.proc.stderr.read1(500) if line == b'' else b''!r}")
        self.pid = self.proc.pid
        self.name = os.path.basename(exe)[:15]


def private_dir(t, base):
    """A fresh directory under base (not a temp dir when base is not), removed at cleanup."""
    d = tempfile.mkdtemp(prefix="portsleuth-it-", dir=base)
    os.chmod(d, 0o755)
    orig = t.cleanup

    def cleanup():
        orig()
        shutil.rmtree(d, ignore_errors=True)

    t.cleanup = cleanup
    return d


def only(doc, port):
    socks = [s for s in doc["sockets"] if s["local"]["port"] == port]
    if len(socks) != 1:
        raise R.Failed(f"{len(socks)} sockets on port {port}, want 1")
    return socks[0]


def lo_reach(v4=True, v6=False):
    r = []
    if v4:
        r.append({"ifname": "lo", "addr": "127.0.0.1"})
    if v6:
        r.append({"ifname": "lo", "addr": "::1"})
    return r


def finding(sev, code, reason, evidence, pid):
    return {"severity": sev, "code": code, "reason": reason, "evidence": evidence, "pid": pid,
            "acknowledged": None, "ack_expired": None}


def unpackaged(path, pid):
    return finding("info", "exe-unpackaged", "the executable belongs to no installed package",
                   f"{path} is not listed in the dpkg database", pid)


def no_service():
    return None


# ---------------------------------------------------------------- cases


def verdict_exposure(t):
    """0.0.0.0 and 127.0.0.1 differ in exposure; dual-stack, v6-only and IPv4-mapped binds are
    classified right; a wildcard lists the concrete addresses it covers (a dummy interface with
    a public and a private address); risky and root-on-public findings."""
    r = subprocess.run(["ip", "link", "add", "dum0", "type", "veth", "peer", "name", "dum1"], capture_output=True)
    t.require(r.returncode == 0, f"ip link add veth: {r.stderr!r}")
    for dev in ("dum0", "dum1"):  # no IPv6 link-local addresses appearing while we look
        with open(f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6", "w") as f:
            f.write("1")
    for cmd in (["ip", "addr", "add", "203.0.113.7/24", "dev", "dum0"],
                ["ip", "addr", "add", "10.1.2.3/8", "dev", "dum0"],
                ["ip", "link", "set", "dum0", "up"], ["ip", "link", "set", "dum1", "up"]):
        subprocess.run(cmd, check=True, capture_output=True)
    # the namespace dies with the case, and the interfaces with it
    h = t.hold("listen:0.0.0.0:4701", "listen:127.0.0.1:4702", "listen:[::]:4703,dual",
               "listen:[::]:4704,v6only", "listen:[::ffff:127.0.0.1]:4705", "listen:203.0.113.7:4706",
               "listen:10.1.2.3:4707", "listen:0.0.0.0:6379")
    # what the kernel says the interfaces hold, in its own order (independent of portsleuth)
    v4, v6 = [], []
    for link in json.loads(subprocess.run(["ip", "-j", "addr", "show"], capture_output=True,
                                          check=True).stdout):
        for a in link.get("addr_info", []):
            (v4 if a["family"] == "inet" else v6).append({"ifname": link["ifname"], "addr": a["local"]})
    doc = t.json()
    exe = h.exe.decode() if isinstance(h.exe, bytes) else h.exe
    pid = h.pid
    want = {
        4701: {"scope": "all-interfaces", "dual_stack": False, "reachable": v4},
        4702: {"scope": "loopback", "dual_stack": False, "reachable": lo_reach()},
        4703: {"scope": "all-interfaces", "dual_stack": True, "reachable": v4 + v6},
        4704: {"scope": "all-interfaces", "dual_stack": False, "reachable": v6},
        4705: {"scope": "loopback", "dual_stack": None, "reachable": lo_reach()},
        4706: {"scope": "public", "dual_stack": False, "reachable": [{"ifname": "dum0", "addr": "203.0.113.7"}]},
        4707: {"scope": "private", "dual_stack": False, "reachable": [{"ifname": "dum0", "addr": "10.1.2.3"}]},
    }
    for port, exp in want.items():
        s = only(doc, port)
        if port == 4705:  # a v6 socket bound to a mapped address: the kernel says dual-stack
            exp = dict(exp, dual_stack=True)
        # no rules in this namespace: the firewall lets everything in and the scope is the bound one
        exp = dict(exp, bound=exp["scope"], firewall={"verdict": "all", "sources": None, "why": None})
        # a few addresses: all listed, none folded (issue 19: past 16, the first few per class)
        exp = dict(exp, reachable_total=len(exp["reachable"]), reachable_folded=0,
                   reachable_by_class=R.ANY)
        t.expect_doc(s["exposure"], exp, f"exposure of port {port}")
        t.check(len(exp) == len(s["exposure"]), f"port {port}: exposure keys {sorted(s['exposure'])}")
    reach_txt = ", ".join(f"{r['ifname']} {r['addr']}" for r in v4)
    # the evidence of public reach names the public addresses only (not lo or the private one)
    public = finding("notice", "root-public",
                     "a process running as root listens on a port reachable from public addresses, and a flaw "
                     "in it gives away the whole machine: run it as an unprivileged user (User= in its service "
                     "unit, or its own user option) or bind it to the addresses that need it",
                     f"pid {pid} sockhold runs as uid 0, executable from no package; reachable now on: "
                     "dum0 203.0.113.7", pid)
    t.expect_doc(only(doc, 4701)["findings"], [public, unpackaged(exe, pid)], "findings on 0.0.0.0:4701")
    t.expect_doc(only(doc, 4702)["findings"], [unpackaged(exe, pid)], "findings on 127.0.0.1:4702")
    t.expect_doc(only(doc, 4707)["findings"], [unpackaged(exe, pid)], "findings on 10.1.2.3:4707")
    redis = only(doc, 6379)
    t.expect_doc(redis["service"], {
        "port": 6379, "proto": "tcp", "name": "redis", "description": "Redis key-value store",
        "source": "portsleuth", "expected_owners": ["redis-server", "redis-sentinel", "valkey-server"],
        "risk": "Redis has no authentication by default and can be turned into remote code execution",
        "class": "never-internet", "dynamic": False, "backdoor": None}, "service of 6379")
    # redis must never face the Internet: a public address reaches the wildcard, so an alert
    t.expect_doc(redis["findings"], [
        finding("alert", "public-exposure",
                "redis on 6379/tcp is reachable from public addresses, and must never face the Internet: Redis "
                "has no authentication by default and can be turned into remote code execution",
                "bound to all-interfaces addresses; reachable now on: dum0 203.0.113.7", None),
        # sockhold takes no name of redis's, but it is from no package outside the places people
        # install by hand: still unexpected
        finding("alert", "unexpected-owner",
                "port 6379/tcp (redis) is normally held by redis-server, redis-sentinel, valkey-server, "
                "not by sockhold", f"pid {pid} sockhold, executable {exe}, from no package", pid),
        public,
        unpackaged(exe, pid)], "findings on 0.0.0.0:6379")
    # the table: EXPOSURE and the FINDINGS marker
    r = t.run("-n", "4701", "4702", "6379")
    rows = [ln.split()[:5] for ln in r.out.decode().splitlines()]
    t.check(rows == [["PROTO", "LOCAL", "STATE", "EXPOSURE", "FINDINGS"],
                     ["tcp", "0.0.0.0:4701", "LISTEN", "all-interfaces", "notice+1"],
                     ["tcp", "127.0.0.1:4702", "LISTEN", "loopback", "info"],
                     ["tcp", "0.0.0.0:6379", "LISTEN", "all-interfaces", "alert+3"]], "table", rows)
    # --findings: only rows with findings; exit 4 because of the alert
    r = t.run("--findings", "-n", "6379", "4710")
    t.check(r.rc == 4 and len(r.out.decode().splitlines()) == 2, f"--findings exit 4: {r}")
    # explain: where it is reachable, in words
    r = t.run("explain", "4701")
    t.check(r.rc == 0 and f"Reachable: all-interfaces; right now on: {reach_txt}\n".encode() in r.out,
            "explain 4701 says where it is reachable", r.out.decode().splitlines())
    r = t.run("explain", "4702")
    t.check(r.rc == 0 and b"Reachable: loopback; right now on: lo 127.0.0.1\n" in r.out,
            "explain 4702 says loopback", r.out.decode().splitlines())


def verdict_fake_sshd_in_tmp(t):
    """A copy of Debian's python run from /tmp as 'sshd' on port 22: an alert (unexpected owner,
    temporary directory, no package), and explain 22 tells it all."""
    d = private_dir(t, "/tmp")
    exe = os.path.join(d, "sshd")
    shutil.copy(PY, exe)
    os.chmod(exe, 0o755)
    p = PyListener(t, exe, "0.0.0.0", 22)
    doc = t.json()
    s = only(doc, 22)
    t.expect_doc(s["owners"][0]["name"], "sshd", "comm of the fake sshd")
    t.expect_doc(s["service"], {
        "port": 22, "proto": "tcp", "name": "ssh", "description": "Secure Shell remote login",
        "source": "portsleuth", "expected_owners": ["sshd", "dropbear"],
        "risk": "exposed to constant password guessing; allow keys only", "class": "public-ok", "dynamic": False,
        "backdoor": None}, "service of 22")
    t.expect_doc(s["exposure"], {"scope": "all-interfaces", "dual_stack": False, "reachable": lo_reach()},
                 "exposure of 22")
    # only loopback reaches the wildcard here: nothing about exposure; the owner is the alert
    want = [
        finding("alert", "unexpected-owner",
                "port 22/tcp (ssh) is normally held by sshd, dropbear; this process has that name but is "
                "not an installed one (in a temporary directory, from no package)",
                f"pid {p.pid} sshd, executable {exe}, from no package", p.pid),
        finding("warning", "exe-temp-dir",
                "the executable lives in a temporary or world-writable directory, where anyone can put "
                "programs", exe, p.pid),
        unpackaged(exe, p.pid),
    ]
    # with openssh-server installed, the name is an installed program's: a masquerade
    sshd_pkg = subprocess.run(["dpkg", "-S", "/usr/sbin/sshd"], capture_output=True, text=True)
    if sshd_pkg.returncode == 0 and os.path.isfile("/usr/sbin/sshd"):
        pkg = sshd_pkg.stdout.split(":")[0]
        want.insert(2, finding("warning", "name-mismatch",
                               "the process calls itself sshd, the name of the program that normally holds "
                               f"this port, the name of the installed program /usr/sbin/sshd (package {pkg}), "
                               f"but runs {exe}", f"comm sshd, /proc/{p.pid}/exe -> {exe}", p.pid))
    t.expect_doc(s["findings"], want, "findings of the fake sshd")
    r = t.run("--findings")
    t.check(r.rc == 4, f"--findings exits 4 on an alert: {r}")
    ex = t.json("explain", "22/tcp")
    t.expect_doc(ex, {"schema": 1, "port": 22, "proto": "tcp", "held": True,
                      "registry": [s["service"]], "sockets": [s],
                      "stop": [{"pid": p.pid, "command": f"kill {p.pid}"}],
                      "packages": {"database": "dpkg", "reason": None}}, "explain 22/tcp --json")
    r = t.run("explain", "22")
    text = r.out.decode()
    for line in ("Port 22/tcp: ssh — Secure Shell remote login (source: portsleuth)\n",
                 "  Normally held by: sshd, dropbear\n",
                 f"  Held by pid {p.pid} (sshd), user root, file descriptor {s['owners'][0]['fd']}\n",
                 f"    program:  {exe} (from no installed package)\n",
                 "    [alert] unexpected-owner: port 22/tcp (ssh) is normally held by sshd, dropbear;",
                 f"    to stop it: kill {p.pid}\n", "    parents:  "):
        t.check(line in text, f"explain 22 text lacks {line!r}", text.splitlines())
    t.check(r.rc == 0, f"explain 22 exit: {r}")


def verdict_deleted_exe(t):
    """A listener whose executable is deleted while it runs (outside any temp dir)."""
    d = private_dir(t, "/var/lib")
    exe = os.path.join(d, "listener")
    shutil.copy(PY, exe)
    os.chmod(exe, 0o755)
    p = PyListener(t, exe, "127.0.0.1", 4720)
    os.unlink(exe)
    doc = t.json()
    s = only(doc, 4720)
    t.expect_doc(s["owners"][0]["exe"], exe + " (deleted)", "exe of the deleted program")
    want = [finding("warning", "exe-deleted",
                    "the program's executable was deleted after it started: what runs is no longer on disk",
                    f"/proc/{p.pid}/exe -> {exe} (deleted)", p.pid),
            unpackaged(exe, p.pid)]
    t.expect_doc(s["findings"], want, "findings of the deleted program")
    t.expect_doc(s["exposure"], {"scope": "loopback", "dual_stack": False, "reachable": lo_reach()},
                 "exposure of 4720")
    ex = t.json("explain", "4720")
    t.expect_doc(ex, {"schema": 1, "port": 4720, "proto": None, "held": True, "sockets": [s],
                      "stop": [{"pid": p.pid, "command": f"kill {p.pid}"}]}, "explain 4720 --json")
    r = t.run("--findings", "-n")
    t.check(r.rc == 4 and f"127.0.0.1:4720".encode() in r.out, f"--findings lists it, exit 4: {r}")
    r = t.run("explain", "4720")
    t.check(r.rc == 0 and b"[warning] exe-deleted:" in r.out and f"{exe} (deleted)".encode() in r.out,
            "explain 4720 text", r.out.decode().splitlines())


def verdict_packaged_backdoor_port(t):
    """Debian's own python on 31337 (a Back Orifice number): a notice with the caveat, not an alert."""
    p = PyListener(t, PY, "127.0.0.1", 31337)
    doc = t.json()
    s = only(doc, 31337)
    svc = {"port": 31337, "proto": "tcp", "name": "eleet",
           "description": "\"elite\"; the Back Orifice default and a hacker favourite", "source": "portsleuth",
           "expected_owners": [], "risk": None, "class": None, "dynamic": False,
           "backdoor": {"names": ["Back Orifice", "Elite"], "caveat": CAVEAT}}
    t.expect_doc(s["service"], svc, "service of 31337")
    want = [finding("notice", "backdoor-port",
                    "port 31337/tcp is one that backdoors are known to use (Back Orifice, Elite), but its owner "
                    "is an installed program from a package, so it is most likely legitimate",
                    f"pid {p.pid} python3.11, executable {PY}, from package python3.11-minimal", p.pid)]
    t.expect_doc(s["findings"], want, "findings of python on 31337")
    r = t.run("--findings", "-n")
    t.check(r.rc == 0 and len(r.out.decode().splitlines()) == 2, f"--findings: a notice exits 0: {r}")
    ex = t.json("explain", "31337/tcp")
    t.expect_doc(ex, {"schema": 1, "port": 31337, "proto": "tcp", "held": True, "registry": [svc],
                      "sockets": [s], "stop": [{"pid": p.pid, "command": f"kill {p.pid}"}],
                      "packages": {"database": "dpkg", "reason": None}}, "explain 31337/tcp --json")
    r = t.run("explain", "31337/tcp")
    text = r.out.decode()
    for line in ("  Backdoors known to use it: Back Orifice, Elite.\n", f"  Caveat: {CAVEAT}.\n",
                 f"    program:  {PY} (package python3.11-minimal)\n", "    [notice] backdoor-port:"):
        t.check(line in text, f"explain 31337 text lacks {line!r}", text.splitlines())


def verdict_explain_unheld(t):
    """explain on ports nobody holds: registered for what, and that nothing listens; dynamic ports."""
    ex = t.json("explain", "6379/tcp", rc=1)
    t.expect_doc(ex, {"schema": 1, "port": 6379, "proto": "tcp", "held": False, "sockets": [], "stop": [],
                      "registry": [{"port": 6379, "proto": "tcp", "name": "redis",
                                    "description": "Redis key-value store", "source": "portsleuth",
                                    "expected_owners": ["redis-server", "redis-sentinel", "valkey-server"],
                                    "risk": R.ANY, "dynamic": False, "backdoor": None}]},
                 "explain 6379/tcp --json")
    r = t.run("explain", "6379/tcp")
    t.check(r.rc == 1 and r.out.decode().startswith(
        "Port 6379/tcp: redis — Redis key-value store (source: portsleuth)\n")
        and "  Nothing listens on 6379/tcp now.\n" in r.out.decode(), "explain 6379 text", [r.out.decode()])
    dyn = {"name": None, "source": None, "expected_owners": [], "risk": None, "dynamic": True, "backdoor": None,
           "description": "a dynamic (ephemeral) port: programs get such numbers from the kernel or pick them "
                          "freely, so the number alone says nothing about the service"}
    ex = t.json("explain", "55555", rc=1)
    t.expect_doc(ex, {"port": 55555, "proto": None, "held": False,
                      "registry": [dict(dyn, port=55555, proto="tcp"), dict(dyn, port=55555, proto="udp")]},
                 "explain 55555 --json (dynamic)")
    r = t.run("explain", "55555/udp")
    t.check(r.rc == 1 and "Port 55555/udp: a dynamic (ephemeral) port" in r.out.decode(),
            "explain 55555/udp text", [r.out.decode()])
    r = t.run("explain", "80-90")
    t.check(r.rc == 2 and r.out == b"", f"explain with a range is a usage error: {r}")


def verdict_ports_file(t):
    """--ports-file is the most specific layer; a malformed line is skipped with file and line."""
    h = t.hold("listen:127.0.0.1:473")
    path = os.path.join(t.tmpdir(), "ports")
    with open(path, "w") as fp:
        fp.write("# mine\n473\ttcp\tmysvc\tnginx\t-\t-\tour test service\nthis is not a line\n22\tsctp\tx\n")
    r = t.run("--ports-file", path, "--json")
    t.check(r.err.decode() == f"portsleuth: {path}:3: skipped malformed line (expected at least PORT, "
            f"PROTOCOLS and NAME separated by TABs)\nportsleuth: {path}:4: skipped malformed line (the "
            f"protocols are not tcp, udp or tcp/udp)\n", f"warnings: {r.err!r}")
    s = only(R.parse_json(r), 473)
    t.expect_doc(s["service"], {"port": 473, "proto": "tcp", "name": "mysvc", "description": "our test service",
                                "source": path, "expected_owners": ["nginx"], "risk": None, "dynamic": False,
                                "backdoor": None}, "service from --ports-file")
    exe = h.exe.decode() if isinstance(h.exe, bytes) else h.exe
    # a privileged port (no name of the list on one anyone may bind makes no finding); only
    # loopback reaches it and sockhold does not pass for nginx: the port's number alone, a notice
    t.expect_doc(s["findings"], [
        finding("notice", "unexpected-owner", "port 473/tcp (mysvc) is normally held by nginx, not by sockhold",
                f"pid {h.pid} sockhold, executable {exe}, from no package", h.pid),
        unpackaged(exe, h.pid)], "findings with --ports-file")
    r = t.run("--ports-file", os.path.join(t.tmpdir(), "missing"))
    t.check(r.rc == 2 and b"cannot read" in r.err, f"missing --ports-file: {r}")
    r = t.run("--json", "--ports-file", path, env=t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_DPKG_INFO="/nonexistent"))
    d = R.parse_json(r)
    t.expect_doc(d["packages"], {"database": None,
                                 "reason": "no dpkg database at /nonexistent: No such file or directory"},
                 "no package database: reason recorded")
    # no package facts: no exe-unpackaged, and the unexpected owner is a notice, not an alert
    t.expect_doc(only(d, 473)["findings"], [
        finding("notice", "unexpected-owner", "port 473/tcp (mysvc) is normally held by nginx, not by sockhold",
                f"pid {h.pid} sockhold, executable {exe}, package unknown", h.pid)],
        "no package database: findings")
    # as root, a database override without PORTSLEUTH_TEST_ROOTS=1 (or in a directory others
    # can write) is ignored: root is never shown a package list someone else made
    shared = os.path.join(t.tmpdir(), "shared-dpkg")
    os.mkdir(shared)
    os.chmod(shared, 0o777)
    for env in (t.env(PORTSLEUTH_DPKG_INFO="/nonexistent"),
                t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_DPKG_INFO=shared)):
        d = R.parse_json(t.run("--json", "--ports-file", path, env=env))
        t.expect_doc(d["packages"], {"database": "dpkg", "reason": None},
                     f"override ignored as root: {env.get('PORTSLEUTH_DPKG_INFO')}")


GROUP_PY = ("import socket,struct,sys\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "s.bind((sys.argv[1], int(sys.argv[2])))\n"
            "s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,\n"
            "             socket.inet_aton(sys.argv[1]) + socket.inet_aton(sys.argv[3]))\n"
            "print('READY', flush=True)\n"
            "sys.stdin.read()\n")


def verdict_broadcast_group_and_owner_risk(t):
    """A UDP bind to lan0's subnet broadcast address and one to a multicast group joined on lan0
    are reachable on lan0 (from the kernel's addresses and /proc/net/igmp), and judged by the
    policy: SSDP (lan-only) from a private network is a notice. Risk texts fit the owner: NTP's
    monlist is ntpd's, not another program's; explain on a loopback-only port says the risk does
    not apply now."""
    for cmd in (["ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1"],
                ["ip", "link", "add", "pub0", "type", "veth", "peer", "name", "pub1"]):
        subprocess.run(cmd, check=True, capture_output=True)
    for dev in ("lan0", "lan1", "pub0", "pub1"):
        with open(f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6", "w") as f:
            f.write("1")
    for cmd in (["ip", "addr", "add", "10.77.0.5/24", "broadcast", "10.77.0.255", "dev", "lan0"],
                ["ip", "addr", "add", "203.0.113.7/24", "broadcast", "203.0.113.255", "dev", "pub0"],
                ["ip", "link", "set", "lan0", "up"], ["ip", "link", "set", "lan1", "up"],
                ["ip", "link", "set", "pub0", "up"], ["ip", "link", "set", "pub1", "up"]):
        subprocess.run(cmd, check=True, capture_output=True)
    h = t.hold("udp:10.77.0.255:4799", "udp:203.0.113.255:4798", "udp:127.0.0.1:123",
               "listen:127.0.0.1:6379")
    proc = subprocess.Popen([PY, "-c", GROUP_PY, "239.255.255.250", "1900", "10.77.0.5"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True)
    t.procs.append(proc)
    line = proc.stdout.readline()
    t.require(line == b"READY\n", f"group listener did not start: {line!r} "
              f"{proc.stderr.read1(500) if line == b'' else b''!r}")
    doc = t.json()
    brd = only(doc, 4799)
    t.expect_doc(brd["exposure"], {"scope": "private", "dual_stack": False,
                                   "reachable": [{"ifname": "lan0", "addr": "10.77.0.255"}]}, "exposure of 10.77.0.255:4799")
    t.expect_doc(only(doc, 4798)["exposure"]["reachable"], [{"ifname": "pub0", "addr": "203.0.113.255"}],
                 "exposure of 203.0.113.255:4798")
    ssdp = only(doc, 1900)
    t.expect_doc(ssdp["exposure"], {"scope": "private", "dual_stack": False,
                                    "reachable": [{"ifname": "lan0", "addr": "239.255.255.250"}]}, "exposure of the group")
    t.expect_doc(ssdp["service"]["class"], "lan-only", "class of ssdp")
    exp = [f for f in ssdp["findings"] if "exposure" in f["code"]]
    t.expect_doc(exp, [finding("notice", "private-exposure",
                               "ssdp on 1900/udp is reachable from a private network: SSDP reflection amplifies "
                               "floods; UPnP can open firewall holes",
                               "bound to private addresses; reachable now on: lan0 239.255.255.250", None)],
                 "exposure finding of the group bind")
    ntp = only(doc, 123)
    t.expect_doc(ntp["service"]["risk"], None, "NTP's risk text is ntpd's (monlist), not sockhold's")
    r = t.run("explain", "6379")
    text = r.out.decode()
    t.check("  Risk if it were reachable beyond this machine (it is not: loopback only): Redis has no authentication"
            in text and "Risk when" not in text and "Risk, as it is" not in text,
            "explain 6379 on loopback: the risk is conditional", text.splitlines())
    t.check("  Class: never-internet" in text, "explain 6379 names the class", text.splitlines())
    ex = t.json("explain", "123/udp")
    t.check("monlist" in (ex["registry"][0]["risk"] or "") and "ntpd" in ex["registry"][0]["risk"],
            f"explain 123/udp: the registry tells the ntpd-only risk in words: {ex['registry'][0]['risk']!r}")
    t.check(h.pid > 0, "sockhold started")


def verdict_broadcast_from_routes(t):
    """Issue 20 item 6: an address added without "brd" still has its subnet's broadcast in the
    local routing table (`broadcast 203.0.113.255 dev pub0`), and the kernel delivers there: a
    bind to it is reachable on pub0 and judged (netbios-ns, lan-only, from public: an alert)."""
    subprocess.run(["ip", "link", "add", "pub0", "type", "veth", "peer", "name", "pub1"], check=True,
                   capture_output=True)
    for dev in ("pub0", "pub1"):
        with open(f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6", "w") as f:
            f.write("1")
    for cmd in (["ip", "addr", "add", "203.0.113.7/24", "dev", "pub0"], ["ip", "link", "set", "pub0", "up"],
                ["ip", "link", "set", "pub1", "up"]):
        subprocess.run(cmd, check=True, capture_output=True)
    addr = subprocess.run(["ip", "-4", "-o", "addr", "show", "dev", "pub0"], capture_output=True).stdout.decode()
    routes = subprocess.run(["ip", "route", "show", "table", "local"], capture_output=True).stdout.decode()
    t.require(" brd " not in addr and "broadcast 203.0.113.255 dev pub0" in routes,
              "premise: no brd on the address, the broadcast route there", [addr, routes])
    t.hold("udp:203.0.113.255:137")
    s = only(t.json(), 137)
    t.expect_doc(s["exposure"]["reachable"], [{"ifname": "pub0", "addr": "203.0.113.255"}],
                 "exposure of 203.0.113.255:137")
    t.check(any(f["code"] == "public-exposure" and f["severity"] == "alert" for f in s["findings"]),
            "netbios-ns reachable from a public subnet: an alert", s["findings"])


def verdict_acknowledged(t):
    """Issue 9 item 9: a policy's `ack` lines acknowledge findings until a date: shown as such
    (table, JSON, explain), not counted for --findings and its exit 4; expired, they count
    again and are named on stderr."""
    # a fake redis a private network reaches (only loopback would make it a notice): up to an alert
    for cmd in (["ip", "link", "add", "dum0", "type", "veth", "peer", "name", "dum1"],
                ["ip", "addr", "add", "10.1.2.3/8", "dev", "dum0"],
                ["ip", "link", "set", "dum0", "up"]):
        subprocess.run(cmd, check=True, capture_output=True)
    t.hold("listen:0.0.0.0:6379")
    t.hold("listen:127.0.0.1:4741")
    doc = t.json("6379")
    exe = doc["sockets"][0]["owners"][0]["exe"]
    n = len(doc["sockets"][0]["findings"])
    t.require(n and t.run("--findings", "-n").rc == 4, "the fake redis has findings: --findings exits 4 (premise)")
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "w") as f:
        f.write(f'ack * tcp 6379 exe={exe} until=2099-12-31 reason="test: firewalled"\n'
                'ack exe-unpackaged tcp 4741 until=2001-02-03 reason=old\n')
    r = t.run("--findings", "-n", "--policy", pol)
    out = r.out.decode()
    t.check(r.rc == 0 and "6379" not in out and "4741" in out,
            f"--findings --policy: the acknowledged socket drops out, exit 0 (not 4): {r}", out.splitlines())
    t.check(f"{pol}:2: the acknowledgement of exe-unpackaged expired on 2001-02-03".encode() in r.err,
            "the expired ack is named on stderr", [r.err])
    d = t.json("--policy", pol)
    s = only(d, 6379)
    want = {"line": 1, "until": "2099-12-31", "reason": "test: firewalled"}
    t.check(all(f["acknowledged"] == want and f["ack_expired"] is None for f in s["findings"]),
            "JSON: every finding of 6379 acknowledged", s["findings"])
    t.check(all(f["acknowledged"] is None and f["ack_expired"] == {"line": 2, "until": "2001-02-03", "reason": "old"}
                for f in only(d, 4741)["findings"] if f["code"] == "exe-unpackaged"),
            "JSON: the expired ack of 4741", only(d, 4741)["findings"])
    t.check(sum(d["sockets_by_worst_finding"].values()) == 1, "the acknowledged socket is not counted",
            d["sockets_by_worst_finding"])
    rows = [ln.split() for ln in t.run("-n", "-o", "local,findings", "--policy", pol).out.decode().splitlines()]
    t.check(["0.0.0.0:6379", f"acked:{n}"] in rows, "table: FINDINGS says acked", rows)
    text = t.run("explain", "6379", "--policy", pol).out.decode()
    t.check(text.count("acknowledged until 2099-12-31 (policy line 1): test: firewalled") == n,
            "explain: each finding says it is acknowledged", text.splitlines())
    with open(pol, "w") as f:
        f.write(f"ack * tcp 6379 exe={exe} until=2001-01-01 reason=expired\n")
    r = t.run("--findings", "-n", "--policy", pol)
    t.check(r.rc == 4 and b"6379" in r.out, f"an expired ack counts again: exit 4: {r}")
    with open(pol, "w") as f:
        f.write("ack * tcp 6379 reason=no-date\n")
    r = t.run("--policy", pol)
    t.check(r.rc == 2 and f"{pol}:1: bad policy: an 'ack' needs until=YYYY-MM-DD".encode() in r.err,
            f"an ack without a date: usage error naming FILE:LINE: {r}")



FIXED = ["PROTO", "LOCAL", "REMOTE", "STATE", "PID", "PROGRAM"]  # left out last (PID, PROGRAM) or never


def verdict_narrow_table(t):
    """SMB on a public address (an alert) and a few other listeners: at COLUMNS 40/50/60/80,
    default and -a, no line is longer than the width unless only the columns never left out
    remain (then none is longer than the header); when the width leaves FINDINGS out, one line
    on stderr says how many findings are not shown and how to see them; -w and a wide table
    say nothing."""
    r = subprocess.run(["ip", "link", "add", "dum0", "type", "veth", "peer", "name", "dum1"], capture_output=True)
    t.require(r.returncode == 0, f"ip link add veth: {r.stderr!r}")
    for dev in ("dum0", "dum1"):
        with open(f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6", "w") as f:
            f.write("1")
    for cmd in (["ip", "addr", "add", "203.0.113.7/24", "dev", "dum0"],
                ["ip", "link", "set", "dum0", "up"], ["ip", "link", "set", "dum1", "up"]):
        subprocess.run(cmd, check=True, capture_output=True)
    t.hold("listen:0.0.0.0:445", "listen:127.0.0.1:4702", "listen:0.0.0.0:4703")
    doc = t.json()
    total = sum(1 for s in doc["sockets"] for f in s["findings"] if not f["acknowledged"])
    t.require(any(f["severity"] == "alert" for s in doc["sockets"] for f in s["findings"]),
              "0.0.0.0:445 on a public address: an alert (test premise)")
    note = re.compile(r"^portsleuth: not shown at this width \(COLUMNS=(\d+)\): ([A-Z, -]+?)"
                      r"(?: \((\d+) findings?, worst: (\w+)\))?; -w shows every column, explain PORT "
                      r"the whole story$")
    for cols in (40, 50, 60, 80):
        for extra in ([], ["-a"]):
            what = f"COLUMNS={cols} {' '.join(extra)}"
            r = t.run(*extra, env=t.env(COLUMNS=str(cols)))
            lines = r.out.decode().splitlines()
            t.require(r.rc == 0 and lines, f"{what}: {r}")
            head = lines[0].split()
            limit = cols if head != [h for h in head if h in FIXED] else max(cols, len(lines[0]))
            long_ = [f"{len(ln)}: {ln}" for ln in lines if len(ln) > limit]
            t.check(not long_, f"{what}: lines longer than {limit} (header {head})", long_[:3])
            t.check(len(lines[0]) <= cols or head == [h for h in head if h in FIXED],
                    f"{what}: header of {len(lines[0])} characters with optional columns", lines[0])
            notes = [ln for ln in r.err.decode().splitlines() if "not shown at this width" in ln]
            m = note.match(notes[0]) if len(notes) == 1 else None
            if "FINDINGS" in head:
                t.check(not m or not m.group(3), f"{what}: FINDINGS shown, yet counted as left out", notes)
            else:  # issue 21: the note names every column left out, FINDINGS with its count
                t.check(m is not None and int(m.group(3)) == total and m.group(4) == "alert"
                        and int(m.group(1)) == cols and "FINDINGS" in m.group(2),
                        f"{what}: FINDINGS left out: want one note of {total} findings, worst alert",
                        notes)
    r = t.run(env=t.env(COLUMNS="50"))
    t.check("FINDINGS" not in r.out.decode().splitlines()[0], "COLUMNS=50 leaves FINDINGS out (test premise)",
            r.out.decode().splitlines()[:1])
    for args in (["-w"], []):
        r = t.run(*args, env=t.env(COLUMNS="50" if args else "1000"))
        t.check(b"not shown at this width" not in r.err, f"{args or 'COLUMNS=1000'}: a note", r.err.decode())
