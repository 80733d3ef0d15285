# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_identity.py — what a process really runs: the executable by device and inode, the links
that name it, the script an interpreter runs (issues 9 and 10).

Loaded by run.py. Every case runs in the runner's private mount namespace: system directories
it changes (/usr/sbin, /usr/local/bin, /etc/alternatives) are overlays seen only there, on a
tmpfs of the case; nothing of the system is written. The listeners are Debian's own
/usr/bin/python3.11 (package python3.11-minimal), copies of it, and scripts run by it.
"""
import os
import shutil
import subprocess
import tempfile
import time

R = None  # the runner module, set by register()
PY = "/usr/bin/python3.11"
LISTEN = ("import socket,sys\n"
          "s = socket.socket()\n"
          "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
          "s.bind(({addr!r}, {port}))\n"
          "s.listen(8)\n"
          "print('READY', flush=True)\n"
          "sys.stdin.read()\n")


def register(run):
    global R
    R = run
    for fn in (identity_script_sshd_in_tmp, identity_script_as_argument, identity_literal_deleted_name,
               identity_alternatives_link, identity_hand_made_link, identity_replaced_unpackaged,
               identity_other_mount_namespace, identity_mounted_over_after_start,
               identity_same_file_other_names, identity_script_judged_where_it_is):
        run.case(fn)


# ---------------------------------------------------------------- helpers


def need_py(t):
    if not os.path.exists(PY):
        t.skip(f"{PY} is missing (Debian package python3.11-minimal)")


def scratch(t):
    """A tmpfs of the case's own (its mount namespace dies with it), mode 0755."""
    d = tempfile.mkdtemp(prefix="portsleuth-id-", dir="/var/lib")
    os.chmod(d, 0o755)
    orig = t.cleanup

    def cleanup():
        orig()
        subprocess.run(["umount", "-l", d], capture_output=True)
        shutil.rmtree(d, ignore_errors=True)

    t.cleanup = cleanup
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "portsleuth-id", d], capture_output=True)
    t.require(r.returncode == 0, f"mount tmpfs: {r.stderr!r}")
    return d


def overlay(t, target, work):
    """Make `target` writable in this mount namespace only: an overlay whose upper layer is on
    the case's tmpfs `work`. The system's directory stays as it is."""
    name = target.strip("/").replace("/", "-")
    lower, upper, wd = f"{work}/{name}-lower", f"{work}/{name}-upper", f"{work}/{name}-work"
    for d in (lower, upper, wd):
        os.makedirs(d)
    for argv in (["mount", "--bind", target, lower],
                 ["mount", "-t", "overlay", "portsleuth-id", "-o",
                  f"lowerdir={lower},upperdir={upper},workdir={wd}", target]):
        r = subprocess.run(argv, capture_output=True)
        t.require(r.returncode == 0, f"{' '.join(argv)}: {r.stderr!r}")


class Listener:
    """argv (a python program) listening on addr:port; stdin EOF ends it."""

    def __init__(self, t, argv, what):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     close_fds=True)
        t.procs.append(self.proc)
        line = self.proc.stdout.readline()
        t.require(line == b"READY\n", f"{what} did not start: {line!r} "
                  f"{self.proc.stderr.read1(500) if line == b'' else b''!r}")
        self.pid = self.proc.pid
        with open(f"/proc/{self.pid}/comm") as f:
            self.comm = f.read().rstrip("\n")


def script(path, addr, port, interp="/usr/bin/python3"):
    with open(path, "w") as f:
        f.write(f"#!{interp}\n" + LISTEN.format(addr=addr, port=port))
    os.chmod(path, 0o755)


def only(doc, port):
    socks = [s for s in doc["sockets"] if s["local"]["port"] == port]
    if len(socks) != 1:
        raise R.Failed(f"{len(socks)} sockets on port {port}, want 1", [str(s)[:200] for s in doc["sockets"]])
    return socks[0]


def codes(s):
    return {f["code"]: f["severity"] for f in s["findings"]}


def show(s):
    return [f"[{f['severity']}] {f['code']}: {f['reason']} ({f['evidence']})" for f in s["findings"]]


def ports_file(t, line):
    path = os.path.join(t.tmpdir(), "ports")
    with open(path, "w") as f:
        f.write(line + "\n")
    return path


# ---------------------------------------------------------------- cases


def identity_script_sshd_in_tmp(t):
    """A /tmp script called sshd (#!/usr/bin/python3) on port 22: the kernel names the process
    sshd and its executable is Debian's packaged python. It must not pass for sshd: an alert,
    the name a mismatch, the script's place and package judged, its path in the evidence."""
    need_py(t)
    d = tempfile.mkdtemp(prefix="portsleuth-id-", dir="/tmp")
    orig = t.cleanup
    t.cleanup = lambda: (orig(), shutil.rmtree(d, ignore_errors=True))
    path = os.path.join(d, "sshd")
    script(path, "0.0.0.0", 22)
    p = Listener(t, [path], "the sshd script")
    t.require(p.comm == "sshd", f"comm {p.comm!r} (test premise: the kernel names it after the script)")
    s = only(t.json(), 22)
    t.check(s["owners"][0]["exe"] == PY, f"exe {s['owners'][0]['exe']}")
    got = codes(s)
    t.check(got.get("unexpected-owner") == "alert", "unexpected-owner alert", show(s))
    t.check(got.get("name-mismatch") == "warning", "name-mismatch warning (calls itself sshd, runs python)", show(s))
    t.check(got.get("script-temp-dir") == "warning", "script-temp-dir warning", show(s))
    t.check(got.get("script-unpackaged") == "info", "script-unpackaged info", show(s))
    t.check("exe-temp-dir" not in got and "exe-unpackaged" not in got, "the interpreter itself is fine", show(s))
    uo = [f for f in s["findings"] if f["code"] == "unexpected-owner"]
    t.check(uo and f"script {path} (from its arguments), from no package" in uo[0]["evidence"]
            and f"runs {PY} with the script {path}" in uo[0]["reason"], "the script in reason and evidence", show(s))
    r = t.run("--findings")
    t.check(r.rc == 4, f"--findings: exit {r.rc}, want 4")
    r = t.run("explain", "22")
    t.check(f"    script:   {path} (from no installed package; from its arguments)\n" in r.out.decode(),
            "explain 22 names the script", r.out.decode().splitlines())


def identity_script_as_argument(t):
    """`python3 SCRIPT` (comm python3) with the script in /tmp on a port nobody owns: judged by
    the script too (a notice: its own directory, mkdtemp's, is not world-writable and only
    loopback reaches it, as a developer's scratch server; a warning from /tmp itself). Then the
    script is replaced by a FIFO: portsleuth, as root, never blocks on it (regular files only,
    opened O_PATH) and says nothing about a script it cannot see."""
    need_py(t)
    d = tempfile.mkdtemp(prefix="portsleuth-id-", dir="/tmp")
    orig = t.cleanup
    t.cleanup = lambda: (orig(), shutil.rmtree(d, ignore_errors=True))
    path = os.path.join(d, "app.py")
    script(path, "127.0.0.1", 4741)
    p = Listener(t, [PY, path], "python3 app.py")
    s = only(t.json(), 4741)
    got = codes(s)
    t.check(got == {"script-temp-dir": "notice", "script-unpackaged": "info"}, "script findings only", show(s))
    t.check(any(f["evidence"] == f"{path} run by {PY}" for f in s["findings"]), "script-temp-dir evidence", show(s))
    shared = os.path.join("/tmp", os.path.basename(d) + ".py")  # in /tmp itself: anyone's
    t.cleanup = lambda: (orig(), shutil.rmtree(d, ignore_errors=True),
                         os.path.exists(shared) and os.unlink(shared))
    script(shared, "127.0.0.1", 4742)
    Listener(t, [PY, shared], "python3 /tmp/x.py")
    got = codes(only(t.json(), 4742))
    t.check(got.get("script-temp-dir") == "warning", "a script in /tmp itself: a warning", got)
    os.unlink(path)
    os.mkfifo(path)
    start = time.monotonic()
    s = only(t.json(), 4741)
    t.check(time.monotonic() - start < R.RUN_TIMEOUT, "portsleuth returned")
    t.check(not any(f["code"].startswith("script-") for f in s["findings"]), "a FIFO is no script", show(s))
    t.check(p.proc.poll() is None, "the listener still runs")


def identity_literal_deleted_name(t):
    """An executable whose file name really ends in " (deleted)" (/usr/sbin/sshd (deleted), a copy
    of python) is not a deleted packaged sshd: the kernel's identity says it is where its name
    says. No exe-deleted; unpackaged; on port 22 an alert, not a pass."""
    need_py(t)
    overlay(t, "/usr/sbin", scratch(t))
    exe = "/usr/sbin/sshd (deleted)"
    shutil.copy(PY, exe)
    os.chmod(exe, 0o755)
    p = Listener(t, [exe, "-c", LISTEN.format(addr="127.0.0.1", port=22)], "python named 'sshd (deleted)'")
    s = only(t.json(), 22)
    t.check(s["owners"][0]["exe"] == exe, f"exe {s['owners'][0]['exe']!r}")
    got = codes(s)
    t.check("exe-deleted" not in got, "exe-deleted on a file that exists", show(s))
    t.check(got.get("exe-unpackaged") == "info", "exe-unpackaged (it is no package's file)", show(s))
    t.check(got.get("unexpected-owner") == "alert", "unexpected-owner alert", show(s))
    t.check(any(f["evidence"] == f"{exe} is not listed in the dpkg database" for f in s["findings"]),
            "the whole name in the evidence", show(s))
    t.check(p.proc.poll() is None, "listener alive")


def identity_alternatives_link(t):
    """A process started through a system link (/usr/local/bin/pslistener ->
    /etc/alternatives/pslistener -> /usr/bin/python3.11, as update-alternatives makes them) is
    named by the link: no name mismatch, and "normally held by pslistener" matches it."""
    need_py(t)
    work = scratch(t)
    overlay(t, "/usr/local/bin", work)
    overlay(t, "/etc/alternatives", work)
    os.symlink(PY, "/etc/alternatives/pslistener")
    os.symlink("/etc/alternatives/pslistener", "/usr/local/bin/pslistener")
    pf = ports_file(t, "4742\ttcp\tmysvc\tpslistener")
    p = Listener(t, ["/usr/local/bin/pslistener", "-c", LISTEN.format(addr="127.0.0.1", port=4742)], "pslistener")
    t.require(p.comm == "pslistener", f"comm {p.comm!r} (test premise)")
    s = only(t.json("--ports-file", pf), 4742)
    t.check(s["owners"][0]["exe"] == PY, f"exe {s['owners'][0]['exe']}")
    t.check(s["findings"] == [], "a process named by its alternatives link: no findings", show(s))
    r = t.run("explain", "4742", "--ports-file", pf)
    t.check("    named by: /usr/local/bin/pslistener (through /etc/alternatives)\n" in r.out.decode(),
            "explain names the link", r.out.decode().splitlines())


def identity_hand_made_link(t):
    """The same through a link nobody's package or alternatives made (/usr/local/bin/pshand ->
    python3.11): the name proves nothing, it stays a mismatch."""
    need_py(t)
    overlay(t, "/usr/local/bin", scratch(t))
    os.symlink(PY, "/usr/local/bin/pshand")
    pf = ports_file(t, "4743\ttcp\tmysvc\tpshand")
    p = Listener(t, ["/usr/local/bin/pshand", "-c", LISTEN.format(addr="127.0.0.1", port=4743)], "pshand")
    t.require(p.comm == "pshand", f"comm {p.comm!r} (test premise)")
    s = only(t.json("--ports-file", pf), 4743)
    got = codes(s)
    t.check(got.get("name-mismatch") == "warning", "name-mismatch warning", show(s))
    t.check(got.get("unexpected-owner") == "notice", "unexpected-owner notice (a high port)", show(s))
    # issue 20 item 7: explain does not offer the hand-made link as the program's name
    r = t.run("explain", "4743", "--ports-file", pf)
    t.check("named by:" not in r.out.decode(), "a hand-made link names nothing", r.out.decode().splitlines())


def identity_same_file_other_names(t):
    """Processes running one file in one view share one check of it, but each is named by its
    own name: the same python3.11 started as itself, through an alternatives link as
    psalt (no findings), through a hand-made link as pshand (a mismatch) and as itself
    again. Sharing the check across names would give psalt's link to the others or none
    to psalt."""
    need_py(t)
    work = scratch(t)
    overlay(t, "/usr/local/bin", work)
    overlay(t, "/etc/alternatives", work)
    os.symlink(PY, "/etc/alternatives/psalt")
    os.symlink("/etc/alternatives/psalt", "/usr/local/bin/psalt")
    os.symlink(PY, "/usr/local/bin/pshand")
    pf = ports_file(t, "4744\ttcp\tmysvc\tpsalt")
    ls = [Listener(t, [argv0, "-c", LISTEN.format(addr="127.0.0.1", port=port)], argv0)
          for argv0, port in ((PY, 4745), ("/usr/local/bin/psalt", 4744), ("/usr/local/bin/pshand", 4746),
                              (PY, 4747))]
    t.require([p.comm for p in ls] == ["python3.11", "psalt", "pshand", "python3.11"], "comms (test premise)")
    doc = t.json("--ports-file", pf)
    by = {port: only(doc, port) for port in (4744, 4745, 4746, 4747)}
    t.check(by[4744]["findings"] == [], "psalt is named by its alternatives link", show(by[4744]))
    t.check("name-mismatch" in codes(by[4746]), "pshand is a mismatch", show(by[4746]))
    for port in (4745, 4747):
        t.check("name-mismatch" not in codes(by[port]), f"python3.11 on {port} is itself", show(by[port]))
    r = t.run("explain", "4744", "--ports-file", pf)
    t.check("    named by: /usr/local/bin/psalt (through /etc/alternatives)\n" in r.out.decode(),
            "explain names psalt's link", r.out.decode().splitlines())
    r = t.run("explain", "4747", "--ports-file", pf)
    t.check("named by:" not in r.out.decode(), "python3.11 is named by no link", r.out.decode().splitlines())


def identity_replaced_unpackaged(t):
    """An unpackaged executable replaced on disk by a rename while it runs: exe-replaced, a
    warning (nothing says it was an upgrade)."""
    need_py(t)
    d = scratch(t)
    exe = os.path.join(d, "listener")
    shutil.copy(PY, exe)
    os.chmod(exe, 0o755)
    p = Listener(t, [exe, "-c", LISTEN.format(addr="127.0.0.1", port=4744)], "listener")
    shutil.copy(PY, exe + ".new")
    os.rename(exe + ".new", exe)
    s = only(t.json(), 4744)
    got = codes(s)
    t.check(got.get("exe-replaced") == "warning" and "exe-deleted" not in got, "exe-replaced warning", show(s))
    t.check(any(f["evidence"] == f"/proc/{p.pid}/exe and {exe} are different files" for f in s["findings"]),
            "exe-replaced evidence", show(s))


def identity_other_mount_namespace(t):
    """A process in another mount namespace (with our root) runs its own file at
    /usr/bin/python3.11 (not ours): not judged against our file at that path (no exe-replaced, no
    package of ours claimed, daemon-findings #13), and a path seen through a private mount
    namespace is no proof (DESIGN.md §8): an alert naming both files (issue 19)."""
    need_py(t)
    work = scratch(t)
    code = LISTEN.format(addr="127.0.0.1", port=4745)
    inner = (f"set -e; mkdir {work}/l {work}/u {work}/w; mount --bind /usr/bin {work}/l; "
             f"mount -t overlay x -o lowerdir={work}/l,upperdir={work}/u,workdir={work}/w /usr/bin; "
             f"cp {PY} /usr/bin/py.new; mv /usr/bin/py.new {PY}; exec {PY} -c \"$0\"")
    p = Listener(t, ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner, code], "listener in its own mount ns")
    t.require(os.stat(f"/proc/{p.pid}/exe").st_ino != os.stat(PY).st_ino, "test premise: it runs another file")
    shown = os.readlink(f"/proc/{p.pid}/exe")
    if shown != PY and shown.endswith(PY):
        # under chroot the kernel names another mount namespace's file from that
        # namespace's root (/var/tmp/root/usr/bin/...): the situation cannot be built here
        t.skip(f"this test runs under chroot, where /proc/PID/exe of another mount namespace reads {shown}")
    t.require(shown == PY, f"test premise: exe {shown}")
    s = only(t.json(), 4745)
    got = codes(s)
    t.check("exe-replaced" not in got and "exe-deleted" not in got, "no replaced/deleted for its own file", show(s))
    t.check(not any("python3.11-minimal" in f["evidence"] for f in s["findings"]), "our package claimed", show(s))
    f = next((f for f in s["findings"] if f["code"] == "exe-other-file"), None)
    run, host = os.stat(f"/proc/{p.pid}/exe"), os.stat(PY)
    t.check(f is not None and f["severity"] == "alert" and PY in f["reason"]
            and f"inode {run.st_ino}" in f["evidence"] and f"inode {host.st_ino}" in f["evidence"],
            "alert: the path names another file than ours", show(s))
    r = t.run("explain", "4745")
    t.check("python3.11-minimal" not in r.out.decode(), "explain: our package claimed", r.out.decode().splitlines())


def identity_mounted_over_after_start(t):
    """Debian's python started, then an overlay mounted over /usr/bin (as a bind or overlay mount
    on a running system does): /usr/bin/python3.11 now names another inode, but nothing was
    replaced. No exe-replaced, no exe-deleted (daemon-findings #13)."""
    need_py(t)
    work = scratch(t)
    p = Listener(t, [PY, "-c", LISTEN.format(addr="127.0.0.1", port=4746)], "python")
    overlay(t, "/usr/bin", work)
    st = os.stat(PY)
    run = os.stat(f"/proc/{p.pid}/exe")
    t.require((st.st_dev, st.st_ino) != (run.st_dev, run.st_ino), "test premise: the path names another file now")
    s = only(t.json(), 4746)
    got = codes(s)
    t.check("exe-replaced" not in got and "exe-deleted" not in got, "a mount is no replacement", show(s))


def identity_script_judged_where_it_is(t):
    """A script is judged by where the file is, not by how its path is spelled (attack review):
    a link from a directory of no concern to a script in /tmp itself is a script in /tmp (a
    warning, and explain names /tmp's file), and "//tmp/DIR/x.py" is under /tmp as
    "/tmp/DIR/x.py" is."""
    need_py(t)
    d = tempfile.mkdtemp(prefix="portsleuth-id-", dir="/tmp")
    shared = d + ".py"  # in /tmp itself: anyone's
    orig = t.cleanup
    t.cleanup = lambda: (orig(), shutil.rmtree(d, ignore_errors=True),
                         os.path.exists(shared) and os.unlink(shared))
    script(shared, "127.0.0.1", 4743)
    link = os.path.join(t.tmpdir(), "app.py")
    t.require(not link.startswith("/tmp/"), f"test premise: {link} is not under /tmp")
    os.symlink(shared, link)
    Listener(t, [PY, link], "python3 LINK")
    inside = os.path.join(d, "x.py")
    script(inside, "127.0.0.1", 4744)
    Listener(t, [PY, "/" + inside], "python3 //tmp/DIR/x.py")
    doc = t.json()
    got = codes(only(doc, 4743))
    t.check(got.get("script-temp-dir") == "warning", "a link to a script in /tmp: a warning", got)
    got = codes(only(doc, 4744))
    t.check(got.get("script-temp-dir") == "notice", "//tmp/DIR/x.py: under /tmp (its own directory)", got)
    lines = t.run("explain", "4743").out.decode().splitlines()
    t.check(any(ln.strip().startswith(f"script:   {shared} ") for ln in lines), "explain names the file in /tmp",
            lines)
