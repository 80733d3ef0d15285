"""cases_table.py — command lines as ps shows them, the table at the terminal's width, and the
smaller output fixes of issue 9 (items 7, 8 and 10).

Loaded by run.py (register(run) is called with the runner module). Every case runs real
sockhold listeners in the case's private namespaces.
"""
import csv
import io
import re

R = None  # the runner module, set by register()


def register(run):
    global R
    R = run
    for fn in (table_cmdline_title, table_cmdline_padding):
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
