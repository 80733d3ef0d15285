# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_narrow.py — a narrow query finds the same owners as the full listing (issue 11 item 5).

Loaded by run.py (register(run) is called with the runner module). A socket's uid says who made
it, not who holds it: the scenario below has sockets of one port held by processes of several
uids, shared by a parent and a child that changed uid, passed over SCM_RIGHTS to a process of
another uid, and held only by a process whose uid is not the socket's. A one-port query and the
listener view must give every such socket the very owners `-a` gives it, with the /proc method
and with BPF (skipped, with the tool's reason, where BPF cannot load).
"""
import json
import subprocess
import sys

R = None  # the runner module, set by register()

PORT = 4620

# Run as root in the case's namespaces. Prints one JSON line once everything holds its sockets:
# {"main": pid, "parent": pid, "child": pid, "receiver": pid, "client": pid}. Every process reads
# stdin and exits at its end (the case closes it), with SIGKILL on its parent's death as backup.
SCENARIO = r"""
import array, ctypes, encodings.idna, json, os, signal, socket, sys
# encodings.idna: loaded while root, as addresses are encoded with it and the modules may be
# unreadable to the uids below
PORT = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)

def made_by(uid, fn):
    # fn() run with uid as the effective (so file system) uid: the sockets it makes are uid's
    os.setegid(uid)
    os.seteuid(uid)
    r = fn()
    os.seteuid(0)
    os.setegid(0)
    return r

def listener(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((addr, PORT))
    s.listen(8)
    return s

def become(uid):
    os.setgid(uid)
    os.setuid(uid)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (a uid change clears it)

def send_fd(chan, fd):
    chan.sendmsg([b"f"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])

def recv_fd(chan):
    _, anc, _, _ = chan.recvmsg(1, socket.CMSG_LEN(4))
    return array.array("i", anc[0][2][:4])[0]

def say(chan, **kv):
    chan.send(json.dumps(kv).encode())

def park():
    sys.stdin.read()
    os._exit(0)

report_main, report_kids = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
pass_a, pass_b = socket.socketpair()      # parent -> receiver
back_a, back_b = socket.socketpair()      # maker -> main
ready = {"main": os.getpid()}

# The receiver (uid 4303): gets the parent's IPv6 listener over SCM_RIGHTS and keeps it.
if os.fork() == 0:
    become(4303)
    fd = recv_fd(pass_b)
    say(report_kids, receiver=os.getpid(), fd=fd)
    park()

# The parent (uid 4301): two listeners; its child (uid 4302 after fork) keeps the IPv4 one
# only; the IPv6 one also goes to the receiver, and the parent keeps both.
if os.fork() == 0:
    l4 = made_by(4301, lambda: listener(socket.AF_INET, "127.0.0.1"))
    l6 = made_by(4301, lambda: listener(socket.AF_INET6, "::1"))
    if os.fork() == 0:
        l6.close()
        become(4302)
        say(report_kids, child=os.getpid())
        park()
    become(4301)
    send_fd(pass_a, l6.fileno())
    say(report_kids, parent=os.getpid(), l4=l4.fileno(), l6=l6.fileno())
    park()

# The maker (uid 4304): a UDP socket on the port, handed to main (uid 0), then gone: only a
# process of another uid holds it.
if os.fork() == 0:
    become(4304)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", PORT))
    send_fd(back_a, u.fileno())
    os._exit(0)
udp_fd = recv_fd(back_b)
os.wait()

got = {}
for _ in range(3):  # receiver, parent, child
    got.update(json.loads(report_main.recv(4096)))

# The client (uid 4305): connected to the parent's IPv4 listener (never accepted).
if os.fork() == 0:
    os.close(udp_fd)  # main's alone
    become(4305)
    c = socket.socket()
    c.connect(("127.0.0.1", PORT))
    say(report_kids, client=os.getpid(), cfd=c.fileno())
    park()
got.update(json.loads(report_main.recv(4096)))
got.update(ready, udp=udp_fd)
print(json.dumps(got), flush=True)
park()
"""


def register(run):
    global R
    R = run
    for fn in (narrow_same_owners_proc, narrow_same_owners_bpf):
        run.case(fn)


def start(t):
    """The scenario; returns the pids and fds it reports."""
    p = subprocess.Popen([sys.executable, "-c", SCENARIO, str(PORT)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.procs.append(p)
    line = p.stdout.readline()
    t.require(line, f"scenario did not start: {p.stderr.read1(2000) if p.poll() is not None else b''}")
    return json.loads(line)


def ident(s):
    return (s["netns"], s["proto"], s["state"], s["local"]["addr"], s["local"]["port"],
            s["remote"]["addr"], s["remote"]["port"], s["inode"])


def owners(doc, keep):
    """socket identity -> (uid, owner status, sorted (pid, fd)) for the sockets keep() wants."""
    return {ident(s): (s["uid"], s["owner_status"], sorted((o["pid"], o["fd"]) for o in s["owners"]))
            for s in doc["sockets"] if keep(s)}


def on_port(s):
    return PORT in (s["local"]["port"], s["remote"]["port"])


def listening(s):
    return s["state"] in ("listen", "unconn")


def same(t, got, want, what):
    bad = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
    t.check(not bad and got, f"{what}: {len(bad)} sockets differ from -a's ({len(want)} there)",
            [f"{k}: {got.get(k)} vs -a {want.get(k)}" for k in bad[:6]])


def compare(t, method):
    """One port and the listener view against -a, all with `method`; the -a owners checked
    against what the scenario knows (so that equally wrong answers cannot pass)."""
    ids = start(t)
    full = t.json("-a", "--attribution", method)
    t.check(full.get("attribution", {}).get("method") == method, f"-a used {full.get('attribution')}")
    want = owners(full, on_port)
    want_listening = {k: v for k, v in want.items() if k[2] in ("listen", "unconn")}
    one = owners(t.json("-a", str(PORT), "--attribution", method), on_port)
    same(t, one, want, f"portsleuth -a {PORT} --attribution {method}")
    one = owners(t.json(str(PORT), "--attribution", method), on_port)
    same(t, one, want_listening, f"portsleuth {PORT} --attribution {method}")
    listeners = owners(t.json("--attribution", method), lambda s: on_port(s) and listening(s))
    same(t, listeners, want_listening, f"portsleuth --attribution {method} (listeners)")

    def at(proto, state, addr):
        hit = [v for k, v in want.items() if k[1] == proto and k[2] == state and k[3] == addr
               and k[4] == PORT]
        return hit[0] if len(hit) == 1 else hit

    expect = {
        ("tcp", "listen", "127.0.0.1"): (4301, "ok", sorted([(ids["parent"], ids["l4"]),
                                                             (ids["child"], ids["l4"])])),
        ("tcp", "listen", "::1"): (4301, "ok", sorted([(ids["parent"], ids["l6"]),
                                                       (ids["receiver"], ids["fd"])])),
        ("udp", "unconn", "127.0.0.1"): (4304, "ok", [(ids["main"], ids["udp"])]),
    }
    for (proto, state, addr), v in expect.items():
        t.check(at(proto, state, addr) == v, f"-a: {proto} {state} {addr}:{PORT}: want {v}, "
                f"got {at(proto, state, addr)}")
    client = [v for k, v in want.items() if k[2] == "established" and k[6] == PORT]
    t.check(client == [(4305, "ok", [(ids["client"], ids["cfd"])])], f"-a: the client: {client}")


def narrow_same_owners_proc(t):
    """A one-port query and the listener view give the same owners as -a with the /proc method,
    for sockets held across uids (fork + setuid, SCM_RIGHTS, held only by another uid)."""
    compare(t, "proc")


def narrow_same_owners_bpf(t):
    """The same with the BPF method (which hands the kernel the wanted inodes for a narrow
    query); skipped, with the tool's reason, where BPF cannot load."""
    R.need_bpf(t)
    compare(t, "bpf")
