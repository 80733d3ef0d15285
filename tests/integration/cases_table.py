# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_table.py — command lines as ps shows them, the table at the terminal's width, and the
smaller output fixes of issue 9 (items 7, 8 and 10).

Loaded by run.py (register(run) is called with the runner module). Every case runs real
sockhold listeners in the case's private namespaces.
"""
import csv
import io
import os
import subprocess
import time

R = None  # the runner module, set by register()


def register(run):
    global R
    R = run
    for fn in (table_cmdline_title, table_cmdline_padding, table_thread_name, explain_other_protocol,
               empty_result, hidden_owner_user, explain_parent_outside_pid_namespace, help_and_services,
               check_one_listener, netns_note_only_for_the_listing, owner_never_hidden,
               explain_sockets_under_their_protocol, explain_same_holder_once):
        run.case(fn)


def owners_of(doc, port):
    return [o for s in doc["sockets"] if s["local"]["port"] == port for o in s["owners"]]


def csv_rows(r):
    return list(csv.reader(io.StringIO(r.out.decode())))


def explain_commands(t, port):
    r = t.run("explain", str(port))
    t.require(r.rc == 0, f"explain {port}: {r}")
    return [ln.split("command:  ", 1)[1] for ln in r.out.decode().splitlines()
            if ln.lstrip().startswith("command:")], r


def table_cmdline_title(t):
    """A process that rewrites its title as setproctitle does (the title in argv[0], NULs up to
    the end of its arguments, like redis, sshd and nginx): JSON has one argument, the table, CSV
    and explain show the title as it is (as ps does: not quoted, no trailing blanks)."""
    title = "myd: master process /usr/sbin/myd -c /etc/myd.conf"
    h = t.hold("listen:127.0.0.1:4701", "title:" + title, "name:myd")
    with open(f"/proc/{h.pid}/cmdline", "rb") as f:
        raw = f.read()
    t.require(raw.startswith(title.encode() + b"\0\0"), f"sockhold did not retitle itself: {raw!r}")
    own = owners_of(t.json("4701"), 4701)
    t.check([o["cmdline"] for o in own] == [[title]], "JSON cmdline: the title alone",
            [o["cmdline"][:4] for o in own])
    r = t.run("-w", "-o", "pid,command", "4701")
    lines = r.out.decode().splitlines()[1:]
    t.check(len(lines) == 1 and lines[0].endswith("  " + title), "table COMMAND: the title as ps shows it", lines)
    r = t.run("--csv", "-o", "command", "4701")
    t.check(csv_rows(r)[1:] == [[title]], "CSV command: the title", r.out.decode().splitlines())
    cmds, r = explain_commands(t, 4701)
    t.check(cmds == [title], "explain: command: the title, nothing after it", [repr(c) for c in cmds])


def table_cmdline_padding(t):
    """Trailing empty arguments are dropped everywhere; empty arguments in the middle and
    arguments with blanks are kept and quoted the same way in the table and in explain."""
    h = t.hold("listen:127.0.0.1:4702", argv0=b"/opt/my d", extra=[b"a b", b"", b"--opt=x y", b"", b"", b""])
    with open(f"/proc/{h.pid}/cmdline", "rb") as f:
        raw = f.read()
    t.require(raw.endswith(b"--opt=x y\0\0\0\0"), f"cmdline {raw!r} (test premise)")
    args = [R.lossy_utf8(a) for a in raw.split(b"\0")[:-4]]
    own = owners_of(t.json("4702"), 4702)
    t.check([o["cmdline"] for o in own] == [args], "JSON cmdline: no trailing empty arguments",
            [o["cmdline"] for o in own])
    want = "'/opt/my d' listen:127.0.0.1:4702 -- 'a b' '' '--opt=x y'"
    r = t.run("-w", "-o", "command", "4702")
    t.check(r.out.decode().splitlines()[1:] == [want], "table COMMAND", r.out.decode().splitlines())
    r = t.run("--csv", "-o", "command", "4702")
    t.check(csv_rows(r)[1:] == [[want]], "CSV command", r.out.decode().splitlines())
    cmds, r = explain_commands(t, 4702)
    t.check(cmds == [want], "explain: command: quoted like the table, no trailing blanks",
            [repr(c) for c in cmds])


def table_thread_name(t):
    """comm that is a thread's name (it starts neither the executable's name nor argv[0]'s, as
    Node's MainThread): PROGRAM shows the executable's name; a comm that fits stays."""
    h = t.hold("listen:127.0.0.1:4703", "name:MainThread")
    g = t.hold("listen:127.0.0.1:4704", "name:sockh")  # comm cut short: still the program's
    r = t.run("-o", "pid,program", "4703", "4704")
    rows = [ln.split() for ln in r.out.decode().splitlines()[1:]]
    t.check(rows == [[str(h.pid), "sockhold"], [str(g.pid), "sockh"]], "PROGRAM", rows)
    own = owners_of(t.json("4703"), 4703)
    t.check([o["name"] for o in own] == ["MainThread"], "JSON name stays the comm", [o["name"] for o in own])


def explain_other_protocol(t):
    """explain 137/tcp says that 137/udp is known (netbios-ns), and 139/udp that 139/tcp is."""
    for asked, other, name in (("137/tcp", "137/udp", "netbios-ns"), ("139/udp", "139/tcp", "netbios-ssn")):
        r = t.run("explain", asked)
        out = r.out.decode()
        t.check(r.rc == 1 and f"{other} is known: {name}" in out, f"explain {asked}: exit {r.rc}",
                out.splitlines())


def explain_sockets_under_their_protocol(t):
    """Issue 20 item 10: explain 3389 (known on tcp and udp) with a TCP listener shows it under
    the TCP heading, and "Nothing listens on 3389/udp" comes after it, under the UDP heading."""
    h = t.hold("listen:127.0.0.1:3389")
    lines = t.run("explain", "3389").out.decode().splitlines()
    heads = [i for i, ln in enumerate(lines) if ln.startswith("Port 3389/")]
    sock = [i for i, ln in enumerate(lines) if "127.0.0.1:3389" in ln]
    none = [i for i, ln in enumerate(lines) if "Nothing listens on 3389/udp now." in ln]
    t.check(len(heads) == 2 and lines[heads[0]].startswith("Port 3389/tcp") and sock and none
            and heads[0] < sock[0] < heads[1] < none[0], "tcp heading, its socket, then udp", lines)
    t.check(not any("Nothing listens on 3389/tcp" in ln for ln in lines), "tcp is held", lines)
    t.check(str(h.pid) in "\n".join(lines[heads[0]:heads[1]]), "the holder under the tcp heading", lines)


def empty_result(t):
    """A query that matches nothing says so on stderr and exits 1, in every format."""
    for args in ((), ("--csv",), ("--json",), ("--findings",)):
        r = t.run("4799", *args)
        t.check(r.rc == 1 and "no socket" in r.err.decode() and "matches" in r.err.decode(),
                f"portsleuth 4799 {' '.join(args)}: exit {r.rc}, stderr {r.err!r}")


def hidden_owner_user(t):
    """As nobody, a root listener's owner is hidden: USER is the socket's user from the kernel, and
    explain says why no package check was made."""
    t.hold("listen:127.0.0.1:4705")
    r = t.run("-o", "local,user,program", "4705", uid=R.NOBODY)
    rows = [ln.split() for ln in r.out.decode().splitlines()[1:]]
    t.check(rows == [["127.0.0.1:4705", "root", "[no-permission]"]], "USER of a hidden owner", rows)
    r = t.run("explain", "4705", uid=R.NOBODY)
    pkg = [ln for ln in r.out.decode().splitlines() if ln.startswith("Package checks")]
    t.check(pkg and "not consulted" not in pkg[0] and "without root" in pkg[0], "explain as nobody: why", pkg)


def explain_parent_outside_pid_namespace(t):
    """A listener whose parent is outside its PID namespace (ppid 0 there): explain says so."""
    ns = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", "sleep", "600"], close_fds=True)
    t.procs.append(ns)
    target = None
    for _ in range(100):
        kids = subprocess.run(["pgrep", "-P", str(ns.pid)], capture_output=True, text=True).stdout.split()
        if kids:
            target = kids[0]
            break
        time.sleep(0.05)
    t.require(target, "unshare did not start its PID 1")
    # --root --wd: keep the target's root (a chroot's, on a fresh machine) and directory
    enter = ["nsenter", "-t", target, "--pid", "--mount", "--root", "--wd"]
    h = subprocess.Popen(enter + [t.helper, "listen:127.0.0.1:4706"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, close_fds=True)
    t.procs.append(h)
    line = h.stdout.readline().decode()
    t.require(line.startswith("READY"), f"sockhold in the PID namespace: {line!r}")
    r = subprocess.run(
        enter + [t.binary, "explain", "4706"], capture_output=True, env=t.env(), timeout=R.RUN_TIMEOUT)
    parents = [ln for ln in r.stdout.decode().splitlines() if ln.lstrip().startswith("parents:")]
    t.check(parents and parents[0].split("parents:", 1)[1].strip() == "parent outside this PID namespace",
            "explain: parents of a process whose parent is outside", parents or [r.stdout.decode()])


def help_and_services(t):
    """--help lists every subcommand; --services FILE names a port nothing else knows (it is the
    last layer, the help says so and points to --ports-file)."""
    r = t.run("--help")
    out = r.out.decode()
    for cmd in ("explain", "snapshot", "diff", "watch", "check"):
        t.check(f"portsleuth {cmd}" in out, f"--help lacks the {cmd} subcommand")
    t.check("--ports-file" in out[out.find("--services"):out.find("--services") + 200],
            "--help: --services does not say that --ports-file overrides the built-in knowledge")
    path = os.path.join(t.tmpdir(), "services")
    with open(path, "w") as f:
        f.write("mysvc\t4707/tcp\n")
    t.hold("listen:127.0.0.1:4707")
    r = t.run("--services", path, "-o", "local,service", "4707")
    t.check(r.out.decode().splitlines()[1:] == ["127.0.0.1:4707  mysvc"], "--services names 4707",
            r.out.decode().splitlines())


def check_one_listener(t):
    """check's summary with one listener: "1 listener matches" (singular)."""
    t.hold("listen:127.0.0.1:4708")
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "w") as f:
        f.write("allow any *\n")
    r = t.run("check", "--baseline", pol)
    t.check(r.rc == 0 and r.out == b"clean: 1 listener matches the baseline\n", "check: singular", [r, r.out])


def netns_note_only_for_the_listing(t):
    """The "other network namespaces" note goes with the port listing, not with explain,
    snapshot or check."""
    other = subprocess.Popen(["unshare", "--net", "sleep", "600"], close_fds=True)
    t.procs.append(other)
    t.hold("listen:127.0.0.1:4709")
    note = "other network namespace"
    r = None
    for _ in range(100):  # until unshare has become sleep in its namespace
        r = t.run("4709")
        if note in r.err.decode():
            break
        time.sleep(0.05)
    t.require(note in r.err.decode(), f"the listing has no note about the other namespace: {r.err!r}")
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "w") as f:
        f.write("allow any *\n")
    for args in (("explain", "4709"), ("snapshot", "-o", os.path.join(t.tmpdir(), "snap")),
                 ("check", "--baseline", pol)):
        r = t.run(*args)
        t.check(note not in r.err.decode(), f"{' '.join(args[:1])}: {r.err!r}")


def owner_never_hidden(t):
    """Issue 21: in a pipe the table is never cut (every row names its program, as ss -tanp
    | grep does); on a terminal of 80 columns with long command lines, PID and PROGRAM stay,
    and stderr names the columns left out, once."""
    h = t.hold("listen:127.0.0.1:4710", "udp:127.0.0.1:4711", "listen:[::1]:4712",
               extra=[b"--a-very-long-option=" + b"x" * 80])
    pipe = t.run("-a", env=t.env(COLUMNS=None))
    rows = pipe.out.decode().splitlines()[1:]
    t.check(pipe.rc == 0 and len(rows) == 3 and all(str(h.pid) in r and "sockhold" in r for r in rows)
            and all("x" * 80 in r for r in rows), "a pipe: every row names pid and program, whole",
            rows)
    t.check("not shown" not in pipe.err.decode(), f"a pipe leaves nothing out: {pipe.err!r}")
    for cols in (80, 70):
        r = t.run_tty("-a", cols=cols, env=t.env(TERM="dumb", COLUMNS=None))
        lines = r.out.decode().splitlines()
        head = lines[0].split() if lines else []
        t.check("PID" in head and "PROGRAM" in head and all(str(h.pid) in ln for ln in lines[1:]),
                f"tty of {cols}: the owner is shown", lines)
        notes = [ln for ln in r.err.decode().splitlines() if "not shown at this width" in ln]
        t.check(len(notes) == 1 and "COMMAND" in notes[0] and f"{cols} columns" in notes[0],
                f"tty of {cols}: one note naming COMMAND", r.err.decode().splitlines())
        q = t.run_tty("-a", "-q", cols=cols, env=t.env(TERM="dumb", COLUMNS=None))
        t.check(q.out == r.out and q.err == b"", f"-q at {cols}: {q.err!r}")


def explain_same_holder_once(t):
    """One process on IPv4 and IPv6 (nginx, redis): explain describes it under the first socket
    and names it in one line under the second. Port 80's usual holders leave out Windows' names
    (System, *.exe) on Linux."""
    h = t.hold("listen:127.0.0.1:4706", "listen:[::1]:4706")
    out = t.run("explain", "4706").out.decode()
    lines = out.splitlines()
    held = [ln for ln in lines if ln.startswith("  Held by")]
    t.check(len(held) == 2 and f"pid {h.pid} (" in held[0] and held[1].startswith(f"  Held by pid {h.pid} (")
            and held[1].endswith(": shown above") and "shown above" not in held[0], "two holder lines", held)
    t.check(sum(ln.lstrip().startswith("command:") for ln in lines) == 1, "the command once", lines)
    r = t.run("explain", "80/tcp")
    usual = [ln for ln in r.out.decode().splitlines() if ln.startswith("  Normally held by: ")]
    t.check(len(usual) == 1 and "nginx" in usual[0] and "System" not in usual[0]
            and ".exe" not in usual[0], "usual holders of 80/tcp on Linux", usual)
