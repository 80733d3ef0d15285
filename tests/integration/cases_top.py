# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_top.py — `portsleuth conns` (grouped connections with the kernel's TCP counters) and
`portsleuth top` (the live screen, driven in a pseudo-terminal).

Loaded by run.py. Every case runs in its own network namespace: the sockets it makes are the
only ones there.
"""
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

R = None  # the runner module, set by register()
MIB = 1024 * 1024


def register(run):
    global R
    R = run
    run.case(conns_fifty_to_one_listener)
    run.case(conns_transfer_bytes)
    run.case(top_screen, needs=("tui",))
    run.case(top_ctrl_c_restores, needs=("tui",))
    run.case(top_close_connection, needs=("tui",))
    run.case(top_connection_ends, needs=("tui",))
    run.case(top_long_address_keeps_port, needs=("tui",))
    run.case(top_resize_and_crash, needs=("tui",))
    run.case(accept_queue_full)
    run.case(top_actions, needs=("tui",))
    run.case(top_every_namespace, needs=("tui",))
    run.case(top_not_root, needs=("tui",))
    run.case(top_sock_diag, needs=("tui",))
    run.case(top_processes_counters, needs=("tui",))
    run.case(top_listing_beside, needs=("tui",))
    run.case(top_sort_idle, needs=("tui",))
    run.case(top_diag_owner_beside_listener, needs=("tui",))
    run.case(top_transfer_then_close, needs=("tui",))
    run.case(top_transfer_then_close_diag, needs=("tui",))
    run.case(top_time_wait_stays, needs=("tui",))
    run.case(top_other_namespace_counters, needs=("tui",))
    run.case(top_accepted_by_worker, needs=("tui",))
    run.case(top_accepted_by_worker_diag, needs=("tui",))
    run.case(top_asks_rows_on_screen, needs=("tui",))
    run.case(top_explain_wraps, needs=("tui",))
    run.case(conns_and_top_exposure, needs=("tui",))
    run.case(top_narrow_keeps_remote, needs=("tui",))
    run.case(top_listeners_counters, needs=("tui",))
    run.case(conns_connection_inside_interval)
    run.case(top_connection_unseen, needs=("tui",))
    run.case(top_connection_unseen_diag, needs=("tui",))
    run.case(top_prefork_program, needs=("tui",))
    run.case(top_prefork_program_diag, needs=("tui",))


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
    t.check(all(x["counters"] for x in out + inn) and out[0]["bytes_sent"] == 0,
            "no client sent a byte (a SYN is not one)", [json.dumps(out)])
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


class Screen:
    """top in a tmux pane of 80x24 (tmux renders the terminal: what a person would see)."""
    made = 0

    def __init__(self, t, *args, cwd=None, prefix="", **env):
        if not shutil.which("tmux"):
            t.skip("tmux is not installed (apt-get install tmux)")
        self.t = t
        Screen.made += 1  # one server and exit file per screen: a case may run two
        self.sock = os.path.join(t.tmpdir(), f"tmux{Screen.made}")
        self.done = os.path.join(t.tmpdir(), f"top{Screen.made}.done")
        # the exit status, and whether the terminal's settings are back as they were
        cmd = (f"{'cd ' + cwd + '; ' if cwd else ''}S=$(stty -g); {prefix}{t.binary} top {' '.join(args)}; echo $? > {self.done}.tmp; "
               f"[ \"$(stty -g)\" = \"$S\" ] && echo restored >> {self.done}.tmp; "
               f"mv {self.done}.tmp {self.done}; sleep 30")
        env = dict(t.env(TERM="xterm-256color", COLUMNS=None, LINES=None, **env))
        subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null", "new-session", "-d", "-x", "80",
                        "-y", "24", cmd], check=True, env=env, timeout=10)

    def text(self):
        r = subprocess.run(["tmux", "-S", self.sock, "capture-pane", "-p"], capture_output=True, timeout=10)
        return r.stdout.decode("utf-8", "replace")

    def keys(self, *k):
        subprocess.run(["tmux", "-S", self.sock, "send-keys", *k], check=True, timeout=10)

    def wait(self, cond, what, timeout=3.0):
        """Wait until cond(screen text) holds; fail naming `what` with the screen."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.text()
            if cond(s):
                return s
            if time.monotonic() > deadline:
                raise R.Failed(f"top: {what} (within {timeout}s)", s.splitlines())
            time.sleep(0.1)

    def exited(self, timeout=3.0):
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.done):
            if time.monotonic() > deadline:
                raise R.Failed("top did not exit", self.text().splitlines())
            time.sleep(0.1)
        return open(self.done).read().split()

    def pid(self):
        """top's pid: the child of the pane's shell."""
        r = subprocess.run(["tmux", "-S", self.sock, "display", "-p", "#{pane_pid}"], capture_output=True,
                           timeout=10)
        shell = r.stdout.decode().strip()
        kids = open(f"/proc/{shell}/task/{shell}/children").read().split()
        return int(kids[0]) if kids else None

    def resize(self, x, y):
        subprocess.run(["tmux", "-S", self.sock, "resize-window", "-x", str(x), "-y", str(y)],
                       check=True, timeout=10)

    def close(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"], capture_output=True, timeout=10)


def rows_with(screen, *words):
    return [ln for ln in screen.splitlines() if all(w in ln for w in words)]


def marked(screen, mark, *words):
    """The rows holding every word that carry mark ("+" new, "-" closed) in front."""
    return [ln for ln in rows_with(screen, *words) if ln.startswith(mark)]


def read_timing(path):
    """--timing's file: NAME VALUE pairs."""
    words = open(path).read().split()
    return dict(zip(words[::2], words[1::2]))


def top_screen(t):
    """At 80x24: a listener that appears is on screen (marked +) within one refresh, a closed
    one stays marked - (with NO_COLOR the symbols carry it); a key switches the view; a hostile
    process name is escaped; q exits 0 with the terminal's settings restored."""
    t.hold("listen:127.0.0.1:4720", "name:" + R.c_escape(b"\x1b[31mEV\nIL"))
    sc = Screen(t, "-d", "1", NO_COLOR="1")
    try:
        s = sc.wait(lambda s: "127.0.0.1:4720" in s, "the first listener is not shown")
        t.check("portsleuth top" in s and "[sockets]" in s, "the header", s.splitlines())
        t.check(rows_with(s, "127.0.0.1:4720", "\\x1b[31mEV"), "the hostile name escaped on screen",
                s.splitlines())
        t.check(max(len(ln) for ln in s.splitlines()) <= 80, "fits in 80 columns", s.splitlines())
        new = t.hold("listen:127.0.0.1:4721", "name:newcomer")
        s = sc.wait(lambda s: marked(s, "+", "127.0.0.1:4721"),
                    "a new listener is not shown marked + within one refresh", timeout=2.5)
        new.proc.kill()
        new.proc.wait(5)
        s = sc.wait(lambda s: marked(s, "-", "127.0.0.1:4721"),
                    "a closed listener is not shown marked -", timeout=2.5)
        transfer_20mb(t, sc)
        sc.keys("3")
        s = sc.wait(lambda s: "[listeners]" in s and rows_with(s, "127.0.0.1:4720", "listen"),
                    "key 3 does not show the listeners view")
        # Enter shows explain's text as explain prints it: escaped once, never raw
        sc.keys("1", "/", "sport = :4720", "Enter")
        sc.wait(lambda s: "filter: sport = :4720" in s and len(rows_with(s, "127.0.0.1:4720")) == 1,
                "the filter does not leave the hostile listener")
        sc.keys("Enter")
        s = sc.wait(lambda s: "any other key returns" in s, "Enter shows no explain")
        # the command line holds the name's escaped text as sockhold's argument (name:\x1b...),
        # a backslash escaped there: the process's name is escaped once everywhere else
        rest = "\n".join(ln for ln in s.splitlines() if "name:" not in ln)
        t.check("\\x1b[31mEV\\x0aIL" in s and "\\\\x1b" not in rest,
                "the hostile name escaped once in explain", s.splitlines())
        sc.keys("Escape")
        sc.keys("q")
        st = sc.exited()
        t.check(st == ["0", "restored"], f"q: exit status and terminal {st}, want 0 and restored")
    finally:
        sc.close()


def loopback_20mb(port):
    """A listener on 127.0.0.1:port, a connection to it and 20 MiB sent over it, read to the end:
    (client, accepted, listener), for the caller to close."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    c = socket.create_connection(("127.0.0.1", port))
    s, _ = srv.accept()
    got = [0]

    def drain():
        while got[0] < 20 * MIB:
            b = s.recv(1 << 20)
            if not b:
                break
            got[0] += len(b)

    th = threading.Thread(target=drain)
    th.start()
    c.sendall(b"x" * (20 * MIB))
    th.join(20)
    return c, s, srv


def transfer_20mb(t, sc):
    """20 MiB over loopback: the sockets view at 80 columns shows the sender's SENT (RECV is the
    first counter a narrow screen leaves out, after the owner's PROCESS and PID)."""
    c, s, srv = loopback_20mb(4740)
    try:
        port = c.getsockname()[1]

        def shown(text):
            # "[+] tcp ESTAB LOCAL REMOTE PROCESS PID SENT"
            for ln in text.splitlines():
                w = ln.split()
                if f"127.0.0.1:{port}" in w and w.index(f"127.0.0.1:{port}") + 4 < len(w):
                    i = w.index(f"127.0.0.1:{port}")
                    if w[i + 1] == "127.0.0.1:4740" and w[i + 3].isdigit() and w[i + 4] == "20.0M":
                        return True
            return False

        sc.wait(shown, "the 20 MiB transfer is not shown as 20.0M sent, next to its PID", timeout=2.5)
    finally:
        for x in (c, s, srv):
            x.close()


def top_ctrl_c_restores(t):
    """Ctrl-C stops top cleanly: exit 130 (128 + SIGINT, as other tools), the terminal's settings
    restored."""
    t.hold("listen:127.0.0.1:4730")
    sc = Screen(t)
    try:
        sc.wait(lambda s: "127.0.0.1:4730" in s, "the listener is not shown")
        sc.keys("C-c")
        st = sc.exited()
        t.check(st == ["130", "restored"], f"Ctrl-C: exit status and terminal {st}, want 130 and restored")
    finally:
        sc.close()


def top_close_connection(t):
    """K on a connection, confirmed with y, resets it as `ss -K` does: both ends are gone from
    the listing (or, on a kernel without CONFIG_INET_DIAG_DESTROY, top says so); n keeps it."""
    t.hold("listen:127.0.0.1:4750,accept", "connect:127.0.0.1:4750")  # accepted before READY
    sc = Screen(t)
    try:
        sc.wait(lambda s: "127.0.0.1:4750" in s, "the listener is not shown")
        sc.keys("/", "dport = :4750", "Enter")
        sc.wait(lambda s: "filter: dport = :4750" in s and len(rows_with(s, "ESTAB")) == 1,
                "the filter does not leave the one client connection")
        sc.keys("K")
        sc.wait(lambda s: "y/N" in s, "K asks no confirmation")
        sc.keys("n")
        time.sleep(0.3)
        est = [k for k in t.json("-a")["sockets"] if k["state"] == "established"]
        t.check(len(est) == 2, "n closed the connection", [json.dumps(est)])
        sc.keys("K")
        sc.wait(lambda s: "y/N" in s, "K asks no confirmation")
        sc.keys("y")
        s = sc.wait(lambda s: "closed tcp" in s or "cannot close" in s, "K y says nothing")
        if "CONFIG_INET_DIAG_DESTROY" in s:
            t.skip("this kernel cannot close sockets (CONFIG_INET_DIAG_DESTROY); top said so")
        t.check(rows_with(s, "closed tcp 127.0.0.1:", "-> 127.0.0.1:4750"), "the message", s.splitlines())
        # its rows go at once (marked - as closed), not at the next full listing
        sc.wait(lambda s: not [ln for ln in rows_with(s, "ESTAB") if not ln.startswith("-")],
                "the closed connection is still shown open", timeout=3)
        est = [k for k in t.json("-a")["sockets"] if k["state"] == "established"]
        t.check(est == [], "the connection is still listed", [json.dumps(est)])
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q after K")
    finally:
        sc.close()


def top_connection_ends(t):
    """A connection both ends close (ephemeral ports, released before the kernel says the socket
    closed) leaves the screen within a few refreshes, both ends, not at the next full listing
    30 s later (a lingering TIME-WAIT is the kernel's, and true)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 4755))
    srv.listen(4)
    sc = Screen(t, "-d", "1")
    c = s_ = None
    try:
        sc.wait(lambda s: "127.0.0.1:4755" in s, "the listener is not shown")
        c = socket.create_connection(("127.0.0.1", 4755))
        s_, _ = srv.accept()
        port = c.getsockname()[1]
        sc.wait(lambda s: len(rows_with(s, f"127.0.0.1:{port}", "ESTAB")) == 2,
                "the new connection is not shown", timeout=3)
        c.close()
        s_.close()

        def gone(s):
            return not [ln for ln in rows_with(s, f"127.0.0.1:{port}")
                        if not ln.startswith("-") and "TIME-WAIT" not in ln]
        sc.wait(gone, "the closed connection is still shown open", timeout=4)
    finally:
        for x in (c, s_, srv):
            if x:
                x.close()
        sc.close()


def top_long_address_keeps_port(t):
    """At 80 columns an address too long for its cell ([::ffff:127.0.0.1]:4757) is cut in the
    address, marked, and keeps its port: never a plausible wrong port."""
    srv = socket.socket(socket.AF_INET6)
    srv.bind(("::", 4757))
    srv.listen(4)
    c = socket.create_connection(("127.0.0.1", 4757))
    a, _ = srv.accept()
    sc = Screen(t)
    try:
        s = sc.wait(lambda s: rows_with(s, "ESTAB", "python"), "the connection is not shown")
        mine = rows_with(s, "ESTAB", "]:4757")
        t.check(mine and ("\u2026]:4757" in mine[0] or "+]:4757" in mine[0]) and
                "[::ffff:127.0.0.1]:4757" not in mine[0],
                "the mapped address cut, marked, its port kept", s.splitlines())
    finally:
        for x in (c, a, srv):
            x.close()
        sc.close()


def top_resize_and_crash(t):
    """A resized terminal is redrawn to its new size (KEY_RESIZE: more columns show more of the
    table); a crash signal (SIGSEGV) still restores the terminal before top dies of it."""
    t.hold("listen:127.0.0.1:4760")
    sc = Screen(t)
    try:
        s = sc.wait(lambda s: "127.0.0.1:4760" in s, "the listener is not shown")
        t.check("PID" in s.splitlines()[1] and "RTT-ms" not in s.splitlines()[1],
                "80 columns keep PROCESS and PID, and leave the last counters out", s.splitlines())
        sc.resize(140, 30)
        s = sc.wait(lambda s: "RTT-ms" in s.splitlines()[1], "after a resize to 140x30 RTT-ms is not shown")
        t.check(max(len(ln) for ln in s.splitlines()) <= 140 and len(s.splitlines()) <= 30,
                "the redraw fits 140x30", s.splitlines())
        sc.resize(80, 24)
        sc.wait(lambda s: "RTT-ms" not in s.splitlines()[1] and max(len(ln) for ln in s.splitlines()) <= 80,
                "back to 80x24: the table is not narrowed again")
        pid = sc.pid()
        t.require(pid, "top's pid not found")
        os.kill(pid, signal.SIGSEGV)
        st = sc.exited()
        t.check(st == [str(128 + signal.SIGSEGV), "restored"],
                f"SIGSEGV: exit status and terminal {st}, want {128 + signal.SIGSEGV} and restored")
    finally:
        sc.close()


def accept_queue_full(t):
    """A listener that never accepts, with a backlog of 2 and 5 clients: its queue is at its
    backlog. The listing and explain give the accept-queue-full finding (warning) with the
    numbers; top's header counts it and its listeners view marks the queue with !. A listener
    with room (one client, backlog 16) has no such finding."""
    t.hold("listen:127.0.0.1:4780,backlog=2", "listen:127.0.0.1:4781")
    clients = []
    try:
        for port, n in ((4780, 5), (4781, 1)):
            for _ in range(n):
                c = socket.socket()
                c.setblocking(False)
                c.connect_ex(("127.0.0.1", port))  # past the backlog: SYN-SENT, retrying
                clients.append(c)
        time.sleep(0.3)
        socks = {k["local"]["port"]: k for k in t.json("-l")["sockets"] if k["proto"] == "tcp"}
        full = [f for f in socks[4780].get("findings") or [] if f["code"] == "accept-queue-full"]
        t.check(len(full) == 1 and full[0]["severity"] == "warning", "the finding on 4780",
                [json.dumps(socks[4780].get("findings"))])
        t.check(full and "listen() backlog 2" in full[0]["evidence"], "its evidence", [json.dumps(full)])
        t.check(not [f for f in socks[4781].get("findings") or [] if f["code"] == "accept-queue-full"],
                "a listener with room has no accept-queue-full", [json.dumps(socks[4781])])
        out = t.run("explain", "4780/tcp").out.decode("utf-8", "replace")
        t.check("accept-queue-full" in out and "listen() backlog 2" in out, "explain names it",
                out.splitlines())
        if shutil.which("tmux") and b"+tui" in t.run("--version").out:
            sc = Screen(t, NO_COLOR="1")
            try:
                sc.keys("3")
                s = sc.wait(lambda s: "[listeners]" in s and rows_with(s, "127.0.0.1:4780", "!"),
                            "the listeners view does not mark the full queue with !")
                t.check("1 accept queue FULL" in s.splitlines()[0], "the header counts it", s.splitlines())
                t.check(not rows_with(s, "127.0.0.1:4781", "!"), "only the full one is marked", s.splitlines())
            finally:
                sc.close()
    finally:
        for c in clients:
            c.close()


def top_actions(t):
    """At 80x24: c copies the selected row (OSC 52: tmux's buffer gets it) and shows it; w writes
    the view to a file in the current directory and names it; S asks with the exact command
    explain gives for the owner (kill of the holder here, or its unit's stop, refused with n),
    and y runs it: the holder is gone. At 140 columns the RETR column is shown."""
    h = t.hold("listen:127.0.0.1:4790", "name:victim")
    here = t.tmpdir()
    sc = Screen(t, "sport = :4790", cwd=here, NO_COLOR="1")
    try:
        subprocess.run(["tmux", "-S", sc.sock, "set-option", "-g", "set-clipboard", "on"], check=True,
                       timeout=10)
        s = sc.wait(lambda s: rows_with(s, "127.0.0.1:4790", "victim"), "the listener is not shown")
        t.check("filter: sport = :4790" in s.splitlines()[0], "the command line's filter in the header",
                s.splitlines())
        sc.keys("?", "victim", "Enter")
        s = sc.wait(lambda s: "found 'victim'" in s, "? finds no row")
        sc.keys("n")
        s = sc.wait(lambda s: "found 'victim'" in s, "n finds no row")
        sc.keys("?", "nosuchthing", "Enter")
        s = sc.wait(lambda s: "no row holds 'nosuchthing'" in s, "? says nothing of a text no row holds")
        sc.keys("c")
        s = sc.wait(lambda s: "copied: tcp" in s, "c says nothing")
        t.check(rows_with(s, "copied: tcp", "LISTEN", "127.0.0.1:4790"), "the copied text", s.splitlines())
        buf = subprocess.run(["tmux", "-S", sc.sock, "show-buffer"], capture_output=True, timeout=10)
        t.check(b"127.0.0.1:4790" in buf.stdout and b"victim" in buf.stdout,
                "the terminal's clipboard (OSC 52) got the row", [buf.stdout.decode("utf-8", "replace")])
        sc.resize(200, 24)  # the status line holds the whole path
        sc.keys("w")
        s = sc.wait(lambda s: "wrote /" in s, "w says nothing, or no full path")
        names = [n for n in os.listdir(here) if n.startswith("portsleuth-top-")]
        t.check(len(names) == 1 and f"wrote {os.path.realpath(here)}/{names[0]} " in s,
                "the file's full path on screen, and it is there", s.splitlines())
        sc.resize(80, 24)
        if names:
            text = open(os.path.join(here, names[0])).read()
            t.check("portsleuth top  [sockets]" in text and "127.0.0.1:4790" in text and "RETR" in text,
                    "the file holds the view", text.splitlines())
        out = t.run("explain", "4790/tcp").out.decode("utf-8", "replace")
        advice = [ln.split("to stop it: ", 1)[1] for ln in out.splitlines() if "to stop it: " in ln]
        t.require(advice, "explain gives no stop advice", out.splitlines())
        cmd = advice[0].split(" (")[0].strip()
        sc.keys("S")
        s = sc.wait(lambda s: "y/N" in s, "S asks nothing")
        t.check(f"run `{cmd}`" in s, f"the question shows the exact command ({cmd})", s.splitlines())
        if not cmd.startswith("kill "):
            sc.keys("n")  # a unit's stop would stop the test's own service: not run here
            time.sleep(0.3)
            t.check(h.proc.poll() is None, "n ran it", [])
        else:
            sc.keys("y")
            s = sc.wait(lambda s: "exit status 0" in s, "y: the command did not run")
            h.proc.wait(5)
            t.check(h.proc.poll() is not None, "the holder still runs", s.splitlines())
            # its listener is marked closed, as when it is killed from a shell (before, S
            # listed everything again with nothing marked: the row just vanished)
            sc.wait(lambda s: marked(s, "-", "127.0.0.1:4790"),
                    "the stopped owner's listener is not marked - (closed)", timeout=2.5)
        sc.resize(140, 30)
        sc.wait(lambda s: "RETR" in s.splitlines()[1], "at 140 columns the RETR column is not shown")
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q after the actions")
    finally:
        sc.close()


LISTENER = ("import socket, sys, time\n"
            "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
            "print('READY', flush=True); time.sleep(120)\n")


def listener_in(t, port, netns_pid=None):
    """A python listener on 127.0.0.1:port, in a new network namespace or in that of netns_pid."""
    pre = (["nsenter", f"--net=/proc/{netns_pid}/ns/net"] if netns_pid else
           ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"])
    p = subprocess.Popen(pre + [sys.executable, "-c", LISTENER, str(port)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    t.procs.append(p)
    line = p.stdout.readline()
    t.require(line.startswith(b"READY"), f"listener in a namespace: {line!r}")
    return p


def top_every_namespace(t):
    """top -N at 80x24 shows the listeners of another network namespace beside ours, each with its
    namespace (the NETNS column), and one that appears there later within a refresh, marked + (the
    state changes of every namespace)."""
    t.hold("listen:127.0.0.1:4810", "name:ours")
    other = listener_in(t, 4811)
    # -N sees every namespace on the machine, others' too: the filter keeps this case's ports
    sc = Screen(t, "-N", "-l", "'sport >= :4810 and sport <= :4812'", NO_COLOR="1")
    try:
        s = sc.wait(lambda s: rows_with(s, "127.0.0.1:4810") and rows_with(s, "127.0.0.1:4811"),
                    "-N does not show both namespaces' listeners", timeout=8)
        t.check(rows_with(s, "127.0.0.1:4811", "python"), "the other namespace's owner", s.splitlines())
        def netns_of(line):
            w = line.split()
            return w[1] if w and w[0] in "+*-" else (w[0] if w else None)
        t.check("NETNS" in s.splitlines()[1] and
                netns_of(rows_with(s, "127.0.0.1:4810")[0]) != netns_of(rows_with(s, "127.0.0.1:4811")[0]),
                "-N: the namespace column tells the two namespaces apart", s.splitlines())
        listener_in(t, 4812, netns_pid=other.pid)
        sc.wait(lambda s: marked(s, "+", "127.0.0.1:4812"),
                "a new listener in the other namespace is not shown marked + within a refresh",
                timeout=6)
        plain = Screen(t, "-l", "'sport >= :4810 and sport <= :4812'", NO_COLOR="1")
        try:
            s = plain.wait(lambda s: rows_with(s, "127.0.0.1:4810"), "without -N: our listener")
            time.sleep(1.5)
            s = plain.text()
            t.check(not rows_with(s, "127.0.0.1:4811") and not rows_with(s, "127.0.0.1:4812"),
                    "without -N another namespace's listeners are not shown", s.splitlines())
        finally:
            plain.close()
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q with -N")
    finally:
        sc.close()


PAIR_SENDS = ("import socket, sys, time\n"
              "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
              "c = socket.create_connection(('127.0.0.1', int(sys.argv[1]))); a = s.accept()[0]\n"
              "c.sendall(b'x' * (1 << 20)); n = 0\n"
              "while n < 1 << 20: n += len(a.recv(1 << 20))\n"
              "print('READY', flush=True); time.sleep(120)\n")


def top_other_namespace_counters(t):
    """top -N at 150 columns: a connection of another network namespace that sent 1 MiB shows it
    in SENT (its counters asked in that namespace: sock_diag answers for its own only), not '-'
    as when they were asked in ours (before, only sorting by SENT read them)."""
    port = 4813
    p = subprocess.Popen(["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                          sys.executable, "-c", PAIR_SENDS, str(port)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    t.procs.append(p)
    t.require(p.stdout.readline().startswith(b"READY"), "the other namespace's connection")
    sc = Screen(t, "-N", f"'sport = :{port} or dport = :{port}'", NO_COLOR="1")
    try:
        sc.resize(150, 24)

        def sent(text):
            """SENT of the sender's row (LOCAL the connecting end, REMOTE the listener)."""
            for ln in rows_with(text, "ESTAB", f"127.0.0.1:{port}"):
                w = ln.split()
                i = w.index("ESTAB") + 1
                if w[i + 1] == f"127.0.0.1:{port}" and len(w) > i + 4:
                    return w[i + 4]
            return None

        s = sc.wait(lambda s: sent(s) is not None, "-N: the connection is not shown", timeout=8)
        s = sc.wait(lambda s: (counted(sent(s) or "-") or 0) >= 1 << 20,
                    "-N: the other namespace's connection shows no SENT", timeout=4)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        sc.close()


def top_not_root(t):
    """As nobody, top shows what it can (root's listener without its owner, nobody's own with
    it), says that owners are hidden, and how it keeps the set without BPF (sock_diag, or a
    listing each refresh) because loading BPF needs root; a listener nobody opens later still
    appears within a refresh."""
    t.hold("listen:127.0.0.1:4820", "name:rootsown")
    t.hold("listen:127.0.0.1:4821", "name:nobodys", uid=R.NOBODY)
    sc = Screen(t, "-l", prefix=f"setpriv --reuid={R.NOBODY} --regid={R.NOBODY} --clear-groups ",
                NO_COLOR="1")
    try:
        s = sc.wait(lambda s: rows_with(s, "127.0.0.1:4820") and rows_with(s, "127.0.0.1:4821"),
                    "as nobody: the listeners are not shown", timeout=8)
        head = s.splitlines()[0]
        t.check("not root: owners hidden" in head and "\u2026" not in head and "+" not in head[-3:],
                "the header says owners are hidden, whole at 80 columns", s.splitlines())
        t.check(rows_with(s, "127.0.0.1:4821", "nobodys") and not rows_with(s, "127.0.0.1:4820", "rootsown"),
                "nobody's own owner shown, root's hidden", s.splitlines())
        t.check(("listing everything each refresh" in s or "sock_diag keeps the set" in s)
                and ("root" in s.splitlines()[-1] or "without BPF" in s.splitlines()[-1]),
                "the status line says why there are no state changes", s.splitlines())
        t.hold("listen:127.0.0.1:4822", uid=R.NOBODY)
        sc.wait(lambda s: marked(s, "+", "127.0.0.1:4822"),
                "as nobody a new listener is not shown within a refresh", timeout=6)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q as nobody")
    finally:
        sc.close()


def top_sock_diag(t):
    """With the BPF state changes set aside (--events diag, as where BPF does not load), sock_diag
    keeps the set and the status line says so: a new listener is shown marked + within a refresh
    with its owner (found for that socket alone), a closed one marked -, and the refreshes
    between are no full listings (--timing)."""
    t.hold("listen:127.0.0.1:4830", "name:first")
    timing = os.path.join(t.tmpdir(), "timing")
    sc = Screen(t, "-l", "--events", "diag", "--timing", timing, NO_COLOR="1")
    try:
        s = sc.wait(lambda s: rows_with(s, "127.0.0.1:4830", "first"), "the first listener is not shown")
        t.check("sock_diag keeps the set: asked by --events diag" in s.splitlines()[-1],
                "the status line says which method keeps the set", s.splitlines())
        new = t.hold("listen:127.0.0.1:4831", "name:newcomer")
        sc.wait(lambda s: marked(s, "+", "127.0.0.1:4831", "newcomer"),
                "a new listener is not shown marked + with its owner within a refresh", timeout=4)
        new.proc.kill()
        new.proc.wait(5)
        sc.wait(lambda s: marked(s, "-", "127.0.0.1:4831"),
                "a closed listener is not shown marked -", timeout=4)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q with --events diag")
        got = read_timing(timing)
        t.check(got.get("events") == "sock_diag" and int(got["full_listings"]) < int(got["refreshes"]),
                "the set was kept by sock_diag, not by a full listing each refresh", [got])
    finally:
        sc.close()


def top_processes_counters(t):
    """The processes view asks the counters of the processes on screen only: the process that
    sent and received 20 MiB over loopback (both ends are this runner's) shows 20.0M in SENT and
    RECV, and a listener's holder with no traffic shows its row."""
    t.hold("listen:127.0.0.1:4840", "name:quiet")
    sc = None
    c, s, srv = loopback_20mb(4841)
    try:
        sc = Screen(t, "-d", "1", NO_COLOR="1")
        sc.wait(lambda s: "127.0.0.1:4840" in s, "the listener is not shown")
        sc.keys("2")
        me = str(os.getpid())

        def shown(text):
            rows = [ln.split() for ln in text.splitlines() if me in ln.split()]
            return "[processes]" in text and rows and rows[0].count("20.0M") == 2

        s_ = sc.wait(shown, "the processes view does not show the runner's 20 MiB sent and received",
                     timeout=4)
        # a capture can land mid-redraw (the view's rows drawn one by one): the quiet listener's
        # row is waited for on a whole processes screen, not read off the first capture
        sc.wait(lambda s: shown(s) and rows_with(s, "quiet", "tcp/4840") and "ESTAB" not in s,
                "the quiet listener's row", timeout=4)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q in the processes view")
    finally:
        if sc:
            sc.close()
        for x in (c, s, srv):
            x.close()


def top_listing_beside(t):
    """A full listing runs beside the screen, not in its refresh: while one is held (the suite's
    seam PORTSLEUTH_TOP_HOLD: the listing waits while that file exists) the screen goes on, its
    header saying a listing runs, and a listener opened meanwhile is shown marked + from the
    kernel's state changes; let go, the listing is swapped in with the changes seen since it
    started on top (the new listener keeps its row, with its owner), and --timing counts the
    refreshes made while it ran. No timing is asserted: the held listing makes it certain."""
    t.hold("listen:127.0.0.1:4850", "name:first")
    hold = os.path.join(t.tmpdir(), "hold")
    open(hold, "w").close()
    timing = os.path.join(t.tmpdir(), "timing")
    sc = Screen(t, "-l", "--timing", timing, NO_COLOR="1", PORTSLEUTH_TOP_HOLD=hold)
    try:
        sc.wait(lambda s: rows_with(s, "127.0.0.1:4850", "first"), "the first listener is not shown")
        sc.keys("/", "Enter")  # a new filter (none): everything is listed again, beside the screen
        sc.wait(lambda s: "(listing)" in s.splitlines()[0], "the header does not say a listing runs")
        new = t.hold("listen:127.0.0.1:4851", "name:newcomer")
        s = sc.wait(lambda s: marked(s, "+", "127.0.0.1:4851"),
                    "a new listener is not shown while the full listing is held", timeout=5)
        t.check("(listing)" in s.splitlines()[0], "the listing still runs (held)", s.splitlines())
        os.unlink(hold)
        sc.wait(lambda s: "(listing)" not in s.splitlines()[0] and rows_with(s, "127.0.0.1:4851", "newcomer")
                and rows_with(s, "127.0.0.1:4850", "first"),
                "the listing is not swapped in with the listener opened while it ran", timeout=10)
        new.proc.kill()
        new.proc.wait(5)
        sc.wait(lambda s: marked(s, "-", "127.0.0.1:4851"),
                "a closed listener is not shown marked - after the swap", timeout=5)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q after a listing beside the screen")
        got = read_timing(timing)
        t.check(int(got.get("background_listings", 0)) >= 1 and int(got.get("refreshes_while_listing", 0)) >= 1,
                "--timing counts the listing beside and the refreshes made while it ran", [got])
    finally:
        sc.close()


def top_sort_idle(t):
    """A new sort order reorders the rows at once, also when nothing in the set changed (the
    sockets view keeps an idle table between refreshes)."""
    for p in (4793, 4791, 4792):
        t.hold(f"listen:127.0.0.1:{p}")
    sc = Screen(t, "-d", "1")
    try:
        def order(s):
            return [p for ln in s.splitlines() for p in ("4791", "4792", "4793")
                    if f"127.0.0.1:{p}" in ln]
        sc.wait(lambda s: len(order(s)) == 3 and not marked(s, "+"), "the listeners are not shown")
        sc.keys(">", ">")
        sc.wait(lambda s: "sort LOCAL" in s and order(s) == ["4791", "4792", "4793"],
                "sorted by LOCAL, the rows are not in address order")
        sc.keys("r")
        s = sc.wait(lambda s: "sort LOCAL (reversed)" in s and order(s) == ["4793", "4792", "4791"],
                    "reversed, the rows keep their order", timeout=5)
    finally:
        sc.close()


def top_diag_owner_beside_listener(t):
    """With sock_diag keeping the set, a connection whose local port a listener uses on another
    address is not taken for one that listener accepted: its own owner is found at once (before,
    it showed no owner until the next full listing)."""
    t.hold("listen:127.0.0.1:4836", "name:listener")
    t.hold("listen:127.0.0.1:4837", "name:server")
    sc = Screen(t, "-a", "--events", "diag", NO_COLOR="1")
    c = socket.socket()
    try:
        sc.wait(lambda s: rows_with(s, "127.0.0.1:4837", "server"), "the listeners are not shown")
        c.bind(("127.0.0.2", 4836))
        c.connect(("127.0.0.1", 4837))
        sc.wait(lambda s: rows_with(s, "127.0.0.2:4836", "127.0.0.1:4837", "python3"),
                "the new connection from 127.0.0.2:4836 is not shown with its owner", timeout=4)
    finally:
        c.close()
        sc.close()


def counted(word):
    """A counter cell as top prints it (512, 20.0M, 1.2G) in bytes, or None."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    try:
        if word[-1:] in units:
            return float(word[:-1]) * units[word[-1]]
        return float(word)
    except ValueError:
        return None


def transfer_then_close(t, port, *args):
    """A connection shown on screen sends 20 MiB and both ends close right after, between two
    refreshes: its closed rows (marked -, or the sender's in TIME-WAIT) show the whole transfer, the sender's SENT and the
    receiver's RECV >= 20 MiB, from the counters the connection had as it closed (before, the
    rows kept their last sample, taken before the transfer)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    sc = Screen(t, "-d", "1", *args, NO_COLOR="1")
    c = s_ = None
    try:
        sc.resize(140, 24)  # wide enough for SENT and RECV
        sc.wait(lambda s: f"127.0.0.1:{port}" in s, "the listener is not shown")
        c = socket.create_connection(("127.0.0.1", port))
        s_, _ = srv.accept()
        cport = c.getsockname()[1]
        me, peer = f"127.0.0.1:{cport}", f"127.0.0.1:{port}"
        sc.wait(lambda s: len(rows_with(s, me, "ESTAB")) == 2, "the connection is not shown", timeout=4)
        got = [0]

        def drain():
            while got[0] < 20 * MIB:
                b = s_.recv(1 << 20)
                if not b:
                    break
                got[0] += len(b)

        th = threading.Thread(target=drain)
        th.start()
        c.sendall(b"x" * (20 * MIB))
        th.join(20)
        c.close()
        s_.close()
        t.require(got[0] == 20 * MIB, f"the receiver read {got[0]} bytes")

        def cells(text, local, remote):
            """SENT and RECV of the closed row local -> remote (words after PROCESS and PID):
            marked -, or in TIME-WAIT (sock_diag lists the connection again in that state)."""
            for ln in rows_with(text, local, remote):
                if not ln.startswith("-") and "TIME-WAIT" not in ln.split():
                    continue
                w = ln.split()
                i = w.index(local)
                if w[i + 1] == remote and len(w) > i + 5:
                    return counted(w[i + 4]), counted(w[i + 5])
            return None, None

        best = {"sent": 0, "recv": 0}

        def whole(text):
            # each closed row as it was seen: the receiver's (closed last, not in TIME-WAIT) is
            # kept three refreshes only, which a runner slowed by load may see in a poll other
            # than the sender's
            sent = cells(text, me, peer)[0]
            recv = cells(text, peer, me)[1]
            best["sent"] = max(best["sent"], sent or 0)
            best["recv"] = max(best["recv"], recv or 0)
            return best["sent"] >= 20 * MIB and best["recv"] >= 20 * MIB

        sc.wait(whole, "the closed connection's rows do not show the whole 20 MiB (SENT of the "
                "sender, RECV of the receiver)", timeout=5)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q after the transfer")
    finally:
        for x in (c, s_, srv):
            if x:
                x.close()
        sc.close()


def top_transfer_then_close(t):
    transfer_then_close(t, 4743)


def top_time_wait_stays(t):
    """A connection whose end here closed first goes to TIME-WAIT, which the kernel keeps (60 s):
    its row stays a TIME-WAIT row long after the closed mark's TTL (3 refreshes), with its owner
    and its last counters, never gone nor new ('+') again (before, with BPF, the row went after 3
    refreshes and came back at the next full listing as a new row without owner)."""
    port = 4745
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    sc = Screen(t, "-d", "1", NO_COLOR="1")
    c = s_ = None
    try:
        sc.resize(140, 24)
        sc.wait(lambda s: f"127.0.0.1:{port}" in s, "the listener is not shown")
        c = socket.create_connection(("127.0.0.1", port))
        s_, _ = srv.accept()
        me, peer = f"127.0.0.1:{c.getsockname()[1]}", f"127.0.0.1:{port}"
        sc.wait(lambda s: len(rows_with(s, me, "ESTAB")) == 2, "the connection is not shown", timeout=4)
        c.sendall(b"x" * MIB)
        got = 0
        while got < MIB:
            b = s_.recv(1 << 20)
            if not b:
                break
            got += len(b)
        c.close()  # this end first: FIN-WAIT-2, then TIME-WAIT once the peer closes
        s_.recv(1)
        s_.close()

        def row(text):
            for ln in rows_with(text, me, peer, "TIME-WAIT"):
                w = ln.split()
                i = w.index(me)
                if w[i + 1] == peer and len(w) > i + 4:
                    return ln, w[i + 2], counted(w[i + 4])
            return None

        sc.wait(lambda s: row(s) is not None, "the TIME-WAIT row is not shown", timeout=4)
        time.sleep(6)  # twice the closed mark's TTL at -d 1
        s = sc.wait(lambda s: row(s) is not None, "the TIME-WAIT row went", timeout=1)
        ln, owner, sent = row(s)
        t.check(not ln.startswith("+"), f"the TIME-WAIT row is marked new: {ln!r}")
        t.check(owner != "-", f"the TIME-WAIT row lost its owner: {ln!r}")
        t.check(sent is not None and sent >= MIB, f"the TIME-WAIT row lost its counters: {ln!r}")
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        for x in (c, s_, srv):
            if x:
                x.close()
        sc.close()


def top_transfer_then_close_diag(t):
    """The same without BPF: sock_diag's destroy notification carries the last counters."""
    transfer_then_close(t, 4744, "--events", "diag")


PREFORK = r"""
import ctypes, os, socket, sys, time
libc = ctypes.CDLL(None)
def name(n):
    libc.prctl(15, n.encode(), 0, 0, 0)  # PR_SET_NAME
srv = socket.socket()
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(8)
name(sys.argv[2])
master = os.getpid()
if os.fork() == 0:
    name(sys.argv[3])
    print("READY", master, os.getpid(), flush=True)
    kept = []
    while True:
        kept.append(srv.accept()[0])
else:
    time.sleep(600)
"""


@contextlib.contextmanager
def prefork(t, port, master_name, worker_name):
    """A pre-forked listener on 127.0.0.1:port: a master and the worker it forked, which accepts,
    named as given; yields their pids (text), and kills both at the end."""
    p = subprocess.Popen([sys.executable, "-c", PREFORK, str(port), master_name, worker_name],
                         stdout=subprocess.PIPE, start_new_session=True)
    try:
        line = p.stdout.readline().split()
        t.require(line[:1] == [b"READY"], "the pre-forked listener did not start")
        yield line[1].decode(), line[2].decode()
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(5)


def accepted_by_worker(t, port, *args):
    """A listener two processes hold (a pre-forked server: the master, whose pid is lower, and
    the worker that accepts) gets a connection while top runs: the accepted connection's row
    never names the master (before, it took the listener's first owner until the next full
    listing); it names the worker or no owner until that is known. The connecting end names our
    pid as top sees it (BPF reads it in top's pid namespace, not the host's)."""
    with prefork(t, port, "master", "worker"):
        accepted_by_worker_screen(t, port, *args)


def accepted_by_worker_screen(t, port, *args):
    sc = c = None
    try:
        sc = Screen(t, "-d", "1", *args, NO_COLOR="1")
        sc.wait(lambda s: rows_with(s, f"127.0.0.1:{port}", "LISTEN"), "the listener is not shown")
        c = socket.create_connection(("127.0.0.1", port))
        me = f"127.0.0.1:{c.getsockname()[1]}"

        def owner(text):
            """The PROCESS cell of the accepted connection's row (after LOCAL and REMOTE)."""
            for ln in rows_with(text, f"127.0.0.1:{port}", me, "ESTAB"):
                w = ln.split()
                i = w.index(f"127.0.0.1:{port}")
                if w[i + 1] == me and len(w) > i + 2:
                    return w[i + 2]
            return None

        sc.wait(lambda s: owner(s) is not None, "the accepted connection is not shown", timeout=4)

        def client_pid(text):
            """The PID cell of the connecting end's row: the runner's pid as top sees it (this
            suite runs in a pid namespace of its own: not the pid the host gives it)."""
            for ln in rows_with(text, me, f"127.0.0.1:{port}", "ESTAB"):
                w = ln.split()
                i = w.index(me)
                if w[i + 1] == f"127.0.0.1:{port}" and len(w) > i + 3:
                    return w[i + 3]
            return None

        s = sc.wait(lambda s: client_pid(s) is not None, "the connecting end is not shown", timeout=4)
        t.check(client_pid(s) in (str(os.getpid()), "-"),
                f"the connecting end is shown with pid {client_pid(s)}, not {os.getpid()} (ours)",
                s.splitlines())
        deadline = time.monotonic() + 2.5  # a few refreshes, none naming the master
        while time.monotonic() < deadline:
            s = sc.text()
            who = owner(s)
            if not t.check(who in (None, "worker", "-"),
                           f"the accepted connection is shown held by {who!r}, not the worker "
                           "that accepted it (or no owner yet)", s.splitlines()):
                break
            time.sleep(0.2)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        if c:
            c.close()
        if sc:
            sc.close()


def top_accepted_by_worker(t):
    accepted_by_worker(t, 4746)


def top_accepted_by_worker_diag(t):
    """The same without BPF: sock_diag's new connection is attributed by its inode."""
    accepted_by_worker(t, 4747, "--events", "diag")


def top_asks_rows_on_screen(t):
    """With 300 connections, far more than 80x24 shows, the sockets view asks the counters
    (TCP_INFO) of the rows on screen only: --timing's tcp_info_max (the most sockets one refresh
    asked for, the listener's queue included) stays under a screenful, though counters were
    asked."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 4748))
    srv.listen(200)
    conns = []
    timing = os.path.join(t.tmpdir(), "timing")
    sc = None
    try:
        for _ in range(150):
            conns.append(socket.create_connection(("127.0.0.1", 4748)))
            conns.append(srv.accept()[0])
        sc = Screen(t, "-d", "0.5", "--timing", timing, NO_COLOR="1")
        sc.wait(lambda s: "301 rows" in s.splitlines()[0], "the 301 sockets are not listed", timeout=5)
        sc.keys("Down")  # a key between refreshes: the rows on screen move
        time.sleep(2)  # a few refreshes (how many does not matter)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
        got = read_timing(timing)
        t.check(int(got.get("refreshes", 0)) >= 2 and 0 < int(got.get("tcp_info_max", -1)) <= 24,
                "the counters of more sockets than the screen shows were asked in one refresh", [got])
    finally:
        if sc:
            sc.close()
        for x in conns + [srv]:
            x.close()


def top_explain_wraps(t):
    """On a screen narrower than explain's lines (40 columns), the explain panel wraps them (the
    rest of a line indented), cutting none; the arrows and Page Down scroll it, Right stays in it,
    and another key goes back."""
    t.hold("listen:127.0.0.1:4749")
    sc = Screen(t, NO_COLOR="1")
    try:
        sc.wait(lambda s: "127.0.0.1:4749" in s, "the listener is not shown")
        sc.resize(40, 24)
        sc.keys("Enter")
        s = sc.wait(lambda s: "Port 4749" in s, "Enter shows no explain")
        lines = s.splitlines()[:-1]  # the status line is top's own
        t.check(all(len(ln) <= 40 and not ln.endswith("\u2026") for ln in lines),
                "explain's lines at 40 columns are wrapped, none cut", lines)
        t.check(any(ln.startswith("  ") and ln.strip() for ln in lines), "continuation lines indented",
                lines)
        first = lines[0]
        sc.keys("Down")
        s = sc.wait(lambda s: s.splitlines()[0] != first, "Down does not scroll explain")
        sc.keys("Right")
        time.sleep(0.3)
        t.check("explain" in sc.text().splitlines()[-1], "Right left the explain panel",
                sc.text().splitlines())
        sc.keys("Up")
        sc.wait(lambda s: s.splitlines()[0] == first, "Up does not scroll explain back")
        sc.keys("Escape")
        sc.wait(lambda s: "[sockets]" in s, "Escape does not go back")
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        sc.close()


def conns_and_top_exposure(t):
    """--exposure CLASS is taken by conns and top (the local address's class), and top's / takes
    `exposure CLASS` and `--exposure CLASS` in its expression: a wildcard listener is public, a
    loopback one is not."""
    t.hold("listen:0.0.0.0:4861", "name:wide")
    t.hold("listen:127.0.0.1:4862", "name:narrow")
    r = t.run("conns", "--exposure", "public", "-i", "0", "--json")
    t.require(r.rc == 0, f"conns --exposure public: {r}")
    ports = sorted(g["server_port"] for g in R.parse_json(r)["groups"])
    t.check(4861 in ports and 4862 not in ports, f"conns --exposure public: {ports}")
    r = t.run("conns", "-i", "0", "--json", "exposure loopback")
    ports = sorted(g["server_port"] for g in R.parse_json(r)["groups"]) if r.rc == 0 else r
    t.check(r.rc == 0 and 4862 in ports and 4861 not in ports, f"conns 'exposure loopback': {ports}")
    sc = Screen(t, "--exposure", "public", NO_COLOR="1")
    try:
        s = sc.wait(lambda s: rows_with(s, "0.0.0.0:4861"), "top --exposure public: the wide listener")
        t.check(not rows_with(s, "127.0.0.1:4862") and "filter: exposure public" in s.splitlines()[0],
                "top --exposure public: the loopback one hidden, the filter in the header", s.splitlines())
        sc.keys("/", "--exposure loopback", "Enter")
        s = sc.wait(lambda s: "filter: exposure public + --expos" in s.splitlines()[0],
                    "/ --exposure is refused")
        time.sleep(1.5)
        s = sc.text()
        t.check(not rows_with(s, ":4861") and not rows_with(s, ":4862"),
                "public and loopback: nothing", s.splitlines())
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        sc.close()
    sc = Screen(t, NO_COLOR="1")
    try:
        sc.wait(lambda s: rows_with(s, "0.0.0.0:4861"), "the wide listener")
        sc.keys("/", "sport > :4860 and exposure loopback", "Enter")
        s = sc.wait(lambda s: rows_with(s, "127.0.0.1:4862") and not rows_with(s, ":4861"),
                    "/ exposure loopback: the loopback listener alone")
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        sc.close()


def top_narrow_keeps_remote(t):
    """At 60 columns the sockets view still shows REMOTE (addresses shrunk, their ports kept);
    sorting by a column off the screen says so in the header; with -N at 80 columns REMOTE and
    SENT are shown beside NETNS."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 4871))
    srv.listen(4)
    c = socket.create_connection(("127.0.0.1", 4871))
    a, _ = srv.accept()
    sc = Screen(t, "'sport = :4871 or dport = :4871'", NO_COLOR="1")
    try:
        sc.resize(60, 20)
        s = sc.wait(lambda s: "REMOTE" in s.splitlines()[1] and rows_with(s, "ESTAB"),
                    "at 60 columns REMOTE is not shown")
        t.check(all(len(ln) <= 60 for ln in s.splitlines()), "fits in 60 columns", s.splitlines())
        t.check(any(":4871" in ln.split()[3] for ln in rows_with(s, "ESTAB") if len(ln.split()) > 4),
                "the remote end keeps its port", s.splitlines())
        sc.keys(*[">"] * 7)  # PROTO STATE LOCAL REMOTE PROCESS PID SENT RECV
        s = sc.wait(lambda s: "sort RECV (off screen)" in s.splitlines()[0],
                    "the header does not say the sort column is off screen")
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        sc.close()
    sc = Screen(t, "-N", "'sport = :4871 or dport = :4871'", NO_COLOR="1")
    try:
        s = sc.wait(lambda s: rows_with(s, "ESTAB"), "-N: the connection is not shown", timeout=8)
        head = s.splitlines()[1].split()
        t.check(head[:8] == ["NETNS", "PROTO", "STATE", "LOCAL", "REMOTE", "PROCESS", "PID", "SENT"],
                "-N at 80 columns: NETNS, REMOTE and SENT", s.splitlines())
        t.check(rows_with(s, "127.0.0.1:4871"), "-N at 80 columns: the listener's address whole",
                s.splitlines())
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        sc.close()
        for x in (c, a, srv):
            x.close()


def top_listeners_counters(t):
    """The listeners view sums the counters of the inbound connections of the rows on screen:
    20 MiB received over a connection to 127.0.0.1:4842 shows 20.0M in RECV on its inbound row
    (<- loopback), a listener with no traffic its own row."""
    t.hold("listen:127.0.0.1:4843", "name:quiet")
    sc = None
    c, s, srv = loopback_20mb(4842)
    try:
        sc = Screen(t, "-d", "1", NO_COLOR="1")
        sc.resize(140, 24)  # SENT and RECV both
        sc.wait(lambda s: "127.0.0.1:4843" in s, "the listener is not shown")
        sc.keys("3")

        def shown(text):
            for ln in rows_with(text, "tcp 127.0.0.1:4842", "<-"):
                w = ln.split()
                if w.count("20.0M") == 1 and "[listeners]" in text:
                    return True
            return False

        # (8 s: in the fresh-machine chroot the resize to 140 columns once came after 4 s)
        sc.wait(shown, "the listeners view does not show the 20 MiB received on its inbound row",
                timeout=8)
        txt = sc.wait(lambda s: rows_with(s, "tcp 127.0.0.1:4843", "listen", "quiet"),
                      "the quiet listener's row", timeout=4)
        w = rows_with(txt, "tcp 127.0.0.1:4843", "listen", "quiet")[0].split()
        t.check(w[w.index("quiet") + 1] == "0", "a listener nobody connected to counts no connection",
                txt.splitlines())
        lines = txt.splitlines()
        at = [i for i, ln in enumerate(lines) if "tcp 127.0.0.1:4842" in ln]
        t.check(at and "listen" in lines[at[0]], "the listener comes before its inbound groups", lines)
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q in the listeners view")
    finally:
        if sc:
            sc.close()
        for x in (c, s, srv):
            x.close()


def short_transfer(srv):
    """A connection to listener srv (on 127.0.0.1) that sends 20 MiB and closes at once (the
    sender first, then the receiver), in well under a second: (the sender's end, the receiver's)
    as "ADDR:PORT" texts, and the bytes the receiver read."""
    port = srv.getsockname()[1]
    c = socket.create_connection(("127.0.0.1", port))
    s_, _ = srv.accept()
    got = [0]

    def drain():
        while got[0] < 20 * MIB:
            b = s_.recv(1 << 20)
            if not b:
                break
            got[0] += len(b)

    th = threading.Thread(target=drain)
    th.start()
    c.sendall(b"x" * (20 * MIB))
    th.join(20)
    me = f"127.0.0.1:{c.getsockname()[1]}"
    c.close()
    s_.close()
    return me, f"127.0.0.1:{port}", got[0]


def listener(port):
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    return srv


def conns_connection_inside_interval(t):
    """A connection that opens, moves 20 MiB and closes inside conns' interval (neither sample
    sees it open): the kernel's close notifications count it, opened and closed, with its bytes
    in the totals and the rate (before, no inbound group and 0 bytes)."""
    srv = listener(4612)
    try:
        p = subprocess.Popen([t.binary, "conns", "--interval", "2", "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=t.env())
        time.sleep(0.8)  # inside the interval
        _, _, got = short_transfer(srv)
        out, err = p.communicate(timeout=R.RUN_TIMEOUT)
    finally:
        srv.close()
    t.require(p.returncode in (0, 1) and got == 20 * MIB, f"conns: exit {p.returncode} {err!r}, read {got}")
    doc = json.loads(out)
    g = doc["groups"]
    i = [x for x in g if x["direction"] == "in" and x["server_port"] == 4612]
    o = [x for x in g if x["direction"] == "out" and x["server_port"] == 4612]
    t.check(len(i) == 1 and i[0]["opened"] >= 1 and i[0]["closed"] >= 1
            and i[0]["bytes_received"] >= 20 * MIB
            and i[0]["rate_received"] * doc["interval"] >= 20 * MIB * 0.99,
            "the receiver's closed connection is counted (opened, closed, its bytes and rate)",
            [json.dumps(g), err.decode("utf-8", "replace")])
    t.check(len(o) == 1 and o[0]["opened"] >= 1 and o[0]["bytes_sent"] >= 20 * MIB,
            "the sender's connection is counted with its bytes", [json.dumps(g)])
    t.check(b"not counted" not in err, f"as root the notifications are had: {err!r}")


def unseen_row(text, local, remote):
    """(STATE, SENT, RECV, TX/s, RX/s) of the closed row local -> remote (marked -, or in TIME-WAIT:
    sock_diag lists the connection's end that closed first again in that state), else None."""
    for ln in rows_with(text, local, remote):
        w = ln.split()
        if local not in w:
            continue
        i = w.index(local)
        if w[i + 1] != remote or len(w) <= i + 8:
            continue
        if ln.startswith("-") or w[i - 1] == "TIME-WAIT":
            return w[i - 1], counted(w[i + 4]), counted(w[i + 5]), w[i + 7], w[i + 8]
    return None


def connection_unseen(t, port, *args):
    """A connection that opens, sends 20 MiB and closes between two refreshes (no refresh sees it
    open) is shown all the same: the receiver's end as a closed row (marked -, state CLOSE, no
    rates) with RECV >= 20 MiB, the sender's (closed first) with SENT >= 20 MiB, from the counters
    the close carried (before: no row, no mark, no bytes)."""
    srv = listener(port)
    sc = Screen(t, "-d", "1", *args, NO_COLOR="1")
    try:
        sc.resize(140, 24)  # wide enough for the counters and rates
        sc.wait(lambda s: rows_with(s, f"127.0.0.1:{port}", "LISTEN"), "the listener is not shown")
        me, peer, got = short_transfer(srv)
        t.require(got == 20 * MIB, f"the receiver read {got} bytes")

        def whole(text):
            r, s_ = unseen_row(text, peer, me), unseen_row(text, me, peer)
            return (r is not None and s_ is not None and r[2] is not None and r[2] >= 20 * MIB
                    and s_[1] is not None and s_[1] >= 20 * MIB)

        s = sc.wait(whole, "the connection that opened and closed between two refreshes is not "
                    "shown with its 20 MiB (RECV of the receiver, SENT of the sender)", timeout=5)
        r = unseen_row(s, peer, me)
        t.check(r[0] == "CLOSE" and r[3] == "-" and r[4] == "-",
                f"the receiver's closed row shows state {r[0]} and rates {r[3]} {r[4]}, want CLOSE - -",
                s.splitlines())
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q after the short connection")
    finally:
        srv.close()
        sc.close()


def top_connection_unseen(t):
    connection_unseen(t, 4748)


def top_connection_unseen_diag(t):
    """The same without BPF: sock_diag's destroy notifications name it."""
    connection_unseen(t, 4750, "--events", "diag")


def prefork_program(t, port, *args):
    """A listener a master and its worker hold, both the one program "prefork": a connection the
    worker accepts while top runs is shown under "prefork" before the next full listing, with the
    worker's pid or none ("-"), never the master's. In the processes view the worker, which holds
    the listener too, lists its port; a time-wait socket (no owner) is no "(no owner)" connection."""
    tw = socket.socket()
    tw.bind(("127.0.0.1", port + 1))
    tw.listen(1)
    c0 = socket.create_connection(("127.0.0.1", port + 1))
    a0, _ = tw.accept()
    c0.close()  # closed first: it stays in TIME-WAIT
    time.sleep(0.1)
    a0.close()
    tw.close()
    # the master and its worker are one program
    with prefork(t, port, "prefork", "prefork") as (master, worker):
        prefork_program_screen(t, port, master, worker, *args)


def prefork_program_screen(t, port, master, worker, *args):
    sc = c = None
    try:
        sc = Screen(t, "-d", "1", *args, NO_COLOR="1")
        sc.wait(lambda s: rows_with(s, f"127.0.0.1:{port}", "LISTEN"), "the listener is not shown")
        c = socket.create_connection(("127.0.0.1", port))
        me = f"127.0.0.1:{c.getsockname()[1]}"

        def owner(text):
            for ln in rows_with(text, f"127.0.0.1:{port}", me, "ESTAB"):
                w = ln.split()
                i = w.index(f"127.0.0.1:{port}")
                if w[i + 1] == me and len(w) > i + 3:
                    return w[i + 2], w[i + 3]
            return None

        s = sc.wait(lambda s: owner(s) and owner(s)[0] == "prefork",
                    "the accepted connection is not shown under its program", timeout=4)
        t.check(owner(s)[1] in ("-", worker), f"the accepted connection is shown with pid "
                f"{owner(s)[1]} (master {master}, worker {worker})", s.splitlines())
        sc.keys("2")
        s = sc.wait(lambda s: "[processes]" in s and rows_with(s, "prefork", master, f"tcp/{port}"),
                    "the processes view does not show the master")
        t.check(rows_with(s, "prefork", worker, f"tcp/{port}"),
                "the worker, which holds the listener too, does not list its port", s.splitlines())
        # (no owner) may count the accepted connection until a listing names its holder (BPF
        # does not say which process accepted it), never the time-wait socket too
        nobody = [ln.split() for ln in rows_with(s, "(no owner)")]
        t.check(all(w[w.index("owner)") + 3] in ("0", "1") for w in nobody),
                "a time-wait socket is counted as a connection of (no owner)", s.splitlines())
        sc.keys("q")
        t.check(sc.exited() == ["0", "restored"], "q")
    finally:
        if c:
            c.close()
        if sc:
            sc.close()


def top_prefork_program(t):
    prefork_program(t, 4752)


def top_prefork_program_diag(t):
    """The same without BPF (sock_diag attributes the new connection by its inode: the worker)."""
    prefork_program(t, 4754, "--events", "diag")
