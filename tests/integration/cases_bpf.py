# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_bpf.py — the BPF attribution method (issue 11): the same owners as the /proc scan.

Loaded by run.py (register(run) is called with the runner module). Each comparison runs the
binary twice on the same sockets, `--attribution proc` and `--attribution bpf`, and requires
the same owners (pid, fd) and owner status for every socket, plus a few owners known from what
the case started (so that two equally wrong answers cannot pass). Cases that need BPF skip,
with the tool's own reason, when the binary was built without it or the kernel refuses it.
"""
import os
import socket
import subprocess
import time

R = None  # the runner module, set by register()


def register(run):
    global R
    R = run
    for fn in (bpf_choice_and_reasons, bpf_same_owners_mixed, bpf_same_owners_load,
               bpf_same_process_details, bpf_only_shown_owners, bpf_same_program_reads):
        run.case(fn)


def csv_owners(t, args, method):
    """(netns, proto, state, local, remote, inode) -> sorted (pid, fd) from the CSV, for big loads."""
    r = t.run(*args, "--attribution", method, "--csv", "-o", "netns,proto,state,local,remote,inode,pid,fd")
    t.require(r.rc == 0, f"{method}: {r}")
    out = {}
    for row in list(R.csv.reader(R.io.StringIO(r.out.decode())))[1:]:
        own = out.setdefault(tuple(row[:6]), [])
        if row[6]:
            own.append((int(row[6]), int(row[7])))
    return {k: sorted(v) for k, v in out.items()}


def by_socket(doc):
    """socket identity -> (owner status, sorted (pid, fd) owners)."""
    out = {}
    for s in doc["sockets"]:
        k = (s["netns"], s["proto"], s["state"], s["local"]["addr"], s["local"]["port"],
             s["remote"]["addr"], s["remote"]["port"], s["inode"])
        out[k] = (s["owner_status"], sorted((o["pid"], o["fd"]) for o in s["owners"]))
    return out


def same_owners(t, args, what, rc=0):
    """Run both methods with args; every socket must have the same owners. The bpf document."""
    d_proc = t.json(*args, "--attribution", "proc", rc=rc)
    d_bpf = t.json(*args, "--attribution", "bpf", rc=rc)
    t.check(d_proc.get("attribution") == {"method": "proc", "fallback_reason": None},
            f"{what}: proc run says {d_proc.get('attribution')}")
    t.check(d_bpf.get("attribution") == {"method": "bpf", "fallback_reason": None},
            f"{what}: bpf run says {d_bpf.get('attribution')}")
    a, b = by_socket(d_proc), by_socket(d_bpf)
    bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    t.check(not bad, f"{what}: {len(bad)} of {len(a)} sockets differ between proc and bpf",
            [f"{k}: proc {a.get(k)}, bpf {b.get(k)}" for k in bad[:6]])
    return d_bpf


def owners_at(doc, port, proto="tcp", state="listen", netns=None):
    return [sorted((o["pid"], o["fd"]) for o in s["owners"]) for s in doc["sockets"]
            if s["local"]["port"] == port and s["proto"] == proto and s["state"] == state
            and (netns is None or s["netns"] == netns)]


def hold_in_new_netns(t, *actions):
    """sockhold in a network namespace of its own (same PID namespace: its pid is ours to see)."""
    argv = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', t.helper, *actions]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            close_fds=True)
    t.procs.append(proc)
    # unshare and sh exec in place: the pid we started is sockhold's
    h = R.Holder(t, proc, [os.fsencode(t.helper)] + [a.encode() for a in actions], 0,
                 os.path.basename(os.fsencode(t.helper)), os.path.realpath(t.helper))
    h.wait_ready()
    h.netns = os.stat(f"/proc/{h.pid}/ns/net").st_ino
    return h


def bpf_choice_and_reasons(t):
    """--attribution: a bad value is a usage error; auto on a small host uses /proc and says
    why; `bpf` that cannot load (not root) fails with exit 3 and the reason, never falls back."""
    t.hold("listen:127.0.0.1:4590")
    r = t.run("--attribution", "fast")
    t.check(r.rc == 2 and b"invalid --attribution 'fast'" in r.err, f"bad value: {r}")
    d = t.json()
    built = t.run("--attribution", "bpf", "--json")
    reason = "not-built" if b"built without BPF" in built.err else "small-host"
    t.check(d.get("attribution") == {"method": "proc", "fallback_reason": reason},
            f"auto on a few sockets: {d.get('attribution')}")
    r = t.run("--attribution", "bpf", "--json", uid=R.NOBODY)
    want = b"built without BPF" if reason == "not-built" else b"not privileged"
    t.check(r.rc == 3 and r.out == b"" and want in r.err, f"--attribution bpf as nobody: {r}")
    d = t.json("--attribution", "proc", uid=R.NOBODY)
    t.check(d.get("attribution") == {"method": "proc", "fallback_reason": None},
            f"--attribution proc as nobody: {d.get('attribution')}")


def bpf_same_owners_mixed(t):
    """Shared (fork), dup'd, reuseport, established, accept-queue, time-wait, UDP v4/v6 and
    connected UDP sockets, pid 1 of the namespace, and two more network namespaces: both methods
    give the same owners for every socket, with -a, the listener view, one port and -N."""
    R.need_bpf(t)
    shared = t.hold("listen:127.0.0.1:4601", "dup", "udp:127.0.0.1:4602", "udp:[::1]:4602",
                    "listen:[::]:4603", "fork")
    rp1 = t.hold("listen:127.0.0.1:4604,reuseport")
    rp2 = t.hold("listen:127.0.0.1:4604,reuseport")
    pair = t.hold("listen:127.0.0.1:4605,accept", "connect:127.0.0.1:4605")
    t.hold("connect:[::1]:4603")  # sits in the accept queue of 4603: no fd on that side
    t.hold("udpconnect:127.0.0.1:4602")
    R.make_time_wait("127.0.0.1", 4610)
    me = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    me.bind(("::1", 4611))
    me.listen(4)
    ns1 = hold_in_new_netns(t, "listen:127.0.0.1:4601", "udp:[::1]:4612")
    ns2 = hold_in_new_netns(t, "listen:[::1]:4613", "fork")
    try:
        d = same_owners(t, ["-a"], "-a")
        fd, dup = shared.sock("listen", 4601)["fd"], shared.sock("dup", 4601)["fd"]
        t.check(owners_at(d, 4601) == [sorted([(shared.pid, fd), (shared.pid, dup),
                                               (shared.child, fd), (shared.child, dup)])],
                f"shared and dup'd 4601: {owners_at(d, 4601)}")
        t.check(sorted(owners_at(d, 4604)) == sorted([[(rp1.pid, rp1.sock("listen")["fd"])],
                                                      [(rp2.pid, rp2.sock("listen")["fd"])]]),
                f"reuseport 4604: {owners_at(d, 4604)}")
        t.check(owners_at(d, 4611) == [[(1, me.fileno())]], f"pid 1's 4611: {owners_at(d, 4611)}")
        tw = [s for s in d["sockets"] if s["state"] == "time-wait"]
        t.check(len(tw) == 1 and tw[0]["owners"] == [] and tw[0]["owner_status"] == "kernel",
                f"time-wait: {tw}")
        est = [s for s in d["sockets"] if s["state"] == "established" and s["local"]["port"] == 4605]
        t.check([o["pid"] for s in est for o in s["owners"]] == [pair.pid],
                f"established 4605 server end: {est}")
        same_owners(t, [], "listeners")
        same_owners(t, ["4604"], "one port")
        d = same_owners(t, ["-a", "-N"], "-a -N")
        t.check(owners_at(d, 4601, netns=ns1.netns) == [[(ns1.pid, ns1.sock("listen")["fd"])]],
                f"4601 in the other namespace: {owners_at(d, 4601, netns=ns1.netns)}")
        fd = ns2.sock("listen")["fd"]
        t.check(owners_at(d, 4613, netns=ns2.netns) == [sorted([(ns2.pid, fd), (ns2.child, fd)])],
                f"4613 shared in the third namespace: {owners_at(d, 4613, netns=ns2.netns)}")
        same_owners(t, ["4601", "-N"], "one port, -N")
    finally:
        me.close()


def bpf_same_owners_load(t):
    """bench/loadgen's 22,000 sockets in 100 processes (every connection's two ends in two
    processes): the same owners from both methods, every socket owned, and auto picks BPF."""
    R.need_bpf(t)
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "..", "bench", "loadgen.c")
    exe = os.path.join(t.tmpdir(), "loadgen")
    cc = os.environ.get("CC", "cc")
    r = subprocess.run([cc, "-O2", "-std=c11", "-D_GNU_SOURCE", "-o", exe, src], capture_output=True)
    t.require(r.returncode == 0, f"cannot build {src}: {r.stderr.decode(errors='replace')}")
    # -f: loadgen looks for a netns other than pid 1's; the runner already gave us a private one
    lg = subprocess.Popen([exe, "-f", "-t", "120"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, close_fds=True)
    t.procs.append(lg)
    line = lg.stdout.readline().decode()
    t.require(line.startswith("READY"), f"loadgen: {line!r} {lg.stderr.read(500)!r}" if lg.poll() is not None
              else f"loadgen: {line!r}")
    want = int(line.split("sockets=")[1].split()[0])
    # CSV: the JSON of 22k sockets with every owner's details is ~30 MB a run
    a, b = csv_owners(t, ["-a"], "proc"), csv_owners(t, ["-a"], "bpf")
    bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    t.check(not bad, f"22k sockets: {len(bad)} of {len(a)} sockets differ between proc and bpf",
            [f"{k}: proc {a.get(k)}, bpf {b.get(k)}" for k in bad[:6]])
    owned = [k for k, v in b.items() if v]
    t.check(len(b) >= want and len(owned) >= want, f"{len(b)} sockets, {len(owned)} owned; loadgen made {want}")
    # one port of 22k: the wanted-inode map; auto must pick BPF here
    auto, proc = t.json("2500"), t.json("2500", "--attribution", "proc")
    t.check(auto.get("attribution") == {"method": "bpf", "fallback_reason": None},
            f"auto with 22k sockets: {auto.get('attribution')}")
    t.check(by_socket(auto) == by_socket(proc) and len(auto["sockets"]) == 1,
            f"one port of 22k: bpf {by_socket(auto)}, proc {by_socket(proc)}")
    lg.terminate()
    try:
        lg.wait(10)
    except subprocess.TimeoutExpired:
        pass


DETAIL_KEYS = ("name", "uid", "user", "ppid", "start_time", "exe", "cmdline", "cgroup", "vanished")


def details(doc):
    """pid -> the details the BPF pass may give (and those still read from /proc), per owner."""
    return {o["pid"]: tuple(repr(o.get(k)) for k in DETAIL_KEYS)
            for s in doc["sockets"] for o in s["owners"]}


def bpf_same_process_details(t):
    """The BPF pass's process records (name, effective uid, parent, start time) are what /proc
    says: a renamed process with an odd name, a child that changed its uids after fork, one
    started as another user, and pid 1 of the namespace (no visible parent) -- with -a and the
    listener view."""
    R.need_bpf(t)
    t.hold("listen:127.0.0.1:4621", "name:we(ird) )x\\n", "fork:65534")
    t.hold("udp:127.0.0.1:4622", uid=R.NOBODY)
    me = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    me.bind(("127.0.0.1", 4623))
    me.listen(4)
    # the namespace count: one with a holder (the BPF pass walks it), one whose only process has
    # no file open (the pass never walks it: /proc is asked)
    hold_in_new_netns(t, "udp:127.0.0.1:4624")
    bare = subprocess.Popen(["unshare", "--net", "sh", "-c", "exec 0<&- 1>&- 2>&-; exec sleep 600"],
                            stdin=subprocess.DEVNULL, close_fds=True)
    t.procs.append(bare)
    for _ in range(100):
        fds = os.listdir(f"/proc/{bare.pid}/fd") if os.path.exists(f"/proc/{bare.pid}/fd") else ["?"]
        if not fds and os.readlink(f"/proc/{bare.pid}/exe").endswith("sleep"):
            break
        time.sleep(0.05)
    try:
        for args in (["-a"], []):
            a = details(t.json(*args, "--attribution", "proc"))
            b = details(t.json(*args, "--attribution", "bpf"))
            bad = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
            t.check(len(a) >= 4 and not bad, f"{args}: {len(bad)} of {len(a)} owners differ",
                    [f"{p}: proc {a.get(p)}, bpf {b.get(p)}" for p in bad[:6]])
            note = [t.run(*args, "--attribution", m).err.decode() for m in ("proc", "bpf")]
            t.check(note[0] == note[1] and "2 other network namespaces exist" in note[1],
                    f"{args}: the namespace note from both methods", note)
    finally:
        me.close()


def bpf_only_shown_owners(t):
    """The BPF pass finds every process holding a socket on the host; only owners of shown
    sockets may come out: in the listener view the processes holding only a connection (or only
    a socket of another namespace) appear nowhere, the listener's details equal the /proc
    method's, and -a still shows the connection's holders."""
    R.need_bpf(t)
    srv = t.hold("listen:127.0.0.1:4631,accept", "name:aheadsrv")
    cli = t.hold("connect:127.0.0.1:4631", "name:aheadcli")
    other = hold_in_new_netns(t, "listen:127.0.0.1:4632")
    a = t.json("--attribution", "proc")
    b = t.json("--attribution", "bpf")
    pids = {o["pid"] for s in b["sockets"] for o in s["owners"]}
    t.check(srv.pid in pids, f"the listener's holder {srv.pid} is shown: {sorted(pids)}")
    t.check(cli.pid not in pids and other.pid not in pids,
            f"found by the pass, not shown: {cli.pid} and {other.pid} are not owners here: {sorted(pids)}")
    text = t.run("--attribution", "bpf").out.decode()
    t.check("aheadcli" not in text, "the connection's holder is not in the listener view", [text])
    t.check(details(a) == details(b), "the listener view's details: proc and bpf agree",
            [details(a), details(b)])
    d = t.json("-a", "--attribution", "bpf")
    t.check(cli.pid in {o["pid"] for s in d["sockets"] for o in s["owners"]},
            f"-a shows the connection's holder {cli.pid}")


def bpf_same_program_reads(t):
    """What the BPF pass reads of a program in the kernel (its command line and environment, /proc
    read only for its exe link) is what /proc says: a title written over the arguments and on into
    the environment (setproctitle: the arguments' last byte is no longer NUL), a command line
    longer than a pass's record holds (read from /proc then), and PYTHONPATH naming a directory
    another user owns (the script-env finding)."""
    R.need_bpf(t)
    title = "worker: " + "t" * 300
    a = t.hold("listen:127.0.0.1:4631", "overtitle:" + title)
    long_arg = "a" * 20000
    b = t.hold("listen:127.0.0.1:4632", extra=[long_arg.encode()])
    mine = os.path.join(t.tmpdir(), "mine")
    os.makedirs(mine)
    os.chown(mine, R.NOBODY, R.NOBODY)
    code = ("import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',4633))\ns.listen()\n"
            "print('READY',flush=True)\ntime.sleep(600)")
    env = dict(os.environ, PYTHONPATH=mine)
    py = subprocess.Popen(["python3", "-c", code], env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, close_fds=True)
    t.procs.append(py)
    t.require(py.stdout.readline().startswith(b"READY"), "python listener started")
    with open(f"/proc/{a.pid}/cmdline", "rb") as f:
        t.require(f.read().rstrip(b"\0") == title.encode(), "the title reaches past the arguments")
    # a title over the whole area (a small environment: less than a page), the environment's last
    # NUL too: /proc reads on past the area
    c = t.hold("listen:127.0.0.1:4634", "fulltitle:fill", env={"A": "b"})
    with open(f"/proc/{c.pid}/cmdline", "rb") as f:
        t.require(f.read().startswith(b"fillfill"), "the title fills the whole area")
    docs = {m: t.json("-a", "--findings", "--attribution", m) for m in ("proc", "bpf")}
    got = {}
    for m, doc in docs.items():
        for port in (4631, 4632, 4633, 4634):
            s = [s for s in doc["sockets"] if s["local"]["port"] == port and s["state"] == "listen"]
            t.require(len(s) == 1 and len(s[0]["owners"]) == 1, f"{m}: {port} has its owner")
            o = s[0]["owners"][0]
            env_f = [f for f in s[0].get("findings", []) if f.get("code") == "script-env"]
            got[m, port] = (tuple(repr(o.get(k)) for k in DETAIL_KEYS),
                            [f.get("evidence") for f in env_f])
    for port in (4631, 4632, 4633, 4634):
        t.check(got["proc", port] == got["bpf", port], f"{port}: proc and bpf say the same",
                [got["proc", port], got["bpf", port]])
    by_pid = details(docs["bpf"])
    t.check(by_pid.get(a.pid, ("",) * 7)[6] == repr([title]), "the title is the command line",
            [by_pid.get(a.pid)])
    t.check(long_arg in by_pid.get(b.pid, ("",) * 7)[6], "the long command line whole",
            [len(by_pid.get(b.pid, ("",) * 7)[6])])
    t.check(any(f"PYTHONPATH={mine}" in (e or "") for e in got["bpf", 4633][1]),
            "script-env names PYTHONPATH", [got["bpf", 4633]])
