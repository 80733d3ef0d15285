# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_fileless.py — listeners whose program has no file to check (issue 19): a program run from a
memory-only file (memfd), an interpreter running code given on its command line or standard input,
and a process whose argv[0] claims a packaged daemon's path.

Loaded by run.py. Every attack runs as an unprivileged user (setpriv) in the case's own namespaces.
"""
import importlib.util
import os
import shutil
import subprocess

R = None  # the runner module, set by register()
I = None  # cases_integrity (its by_port, codes and veth_up)
USER = 1001
SSHD = "/usr/sbin/sshd"


def register(run):
    global R, I
    R = run
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("cases_integrity_fl", os.path.join(here, "cases_integrity.py"))
    I = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(I)
    I.R = run
    for fn in (fileless_memfd_listener, fileless_memfd_loopback, fileless_inline_interpreters,
               fileless_inline_loopback, fileless_argv0_masquerade, fileless_env_code_path):
        run.case(fn)


class Launched:
    """argv run as the user (setpriv); it prints "READY pid=PID" (or "READY") once it listens, then
    holds its sockets until stdin closes or it is killed."""

    def __init__(self, t, argv, uid=USER):
        pre = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        self.proc = subprocess.Popen(pre + argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, close_fds=True, cwd="/")
        t.procs.append(self.proc)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY"):
            self.proc.kill()
            self.proc.wait(5)
            t.require(False, f"{argv}: {line!r} {self.proc.stderr.read().decode(errors='replace').strip()}")
        words = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
        self.pid = int(words.get("pid", self.proc.pid))
        t.extra_pids.append(self.pid)


def methods(t):
    """The attribution methods this build has."""
    return ["proc", "bpf"] if b"+bpf" in t.run("--version").out else ["proc"]


def user_helper(t):
    """The path of a copy of sockhold the user can read."""
    return os.path.join(t.tmpdir(), os.path.basename(t.helper))


# a program that never existed on disk: sockhold's bytes in a memfd named "sshd", executed from there
MEMFD = ("import os,sys\n"
         "fd = os.memfd_create('sshd', 0)\n"
         "os.write(fd, open(sys.argv[1], 'rb').read())\n"
         "os.execve('/proc/self/fd/%d' % fd, ['sshd', sys.argv[2]], {})\n")


def memfd_listener(t, addr, port):
    h = Launched(t, ["python3", "-c", MEMFD, user_helper(t), f"listen:{addr}:{port}"])
    t.require(os.readlink(f"/proc/{h.pid}/exe") == "/memfd:sshd (deleted)",
              "test premise: the program runs from a memfd", [os.readlink(f"/proc/{h.pid}/exe")])
    return h


def fileless_memfd_listener(t):
    """A user's program run from a memfd (memfd_create, write, execve of /proc/self/fd/N) listening
    on every address, reachable beyond loopback: exe-memfd, an alert that says it never existed as
    a file; exe-deleted is not said on top of it."""
    I.veth_up(t, "10.46.0.1/24")
    h = memfd_listener(t, "0.0.0.0", 2226)
    for method in methods(t):
        s = I.by_port(t.json("--attribution", method), 2226)
        t.check([o["pid"] for o in s["owners"]] == [h.pid], f"{method}: owner found", [s["owners"]])
        got = I.codes(s)
        f = got.get("exe-memfd")
        t.check(f is not None and f["severity"] == "alert" and "never existed as a file" in f["reason"]
                and "memfd_create" in f["reason"] and f"/proc/{h.pid}/exe -> /memfd:sshd (deleted)" in f["evidence"],
                f"{method}: alert exe-memfd", [s["findings"]])
        t.check("exe-deleted" not in got, f"{method}: exe-deleted is not said twice", [s["findings"]])
    ex = t.run("explain", "2226").out.decode()
    t.check("exe-memfd" in ex and "never existed as a file" in ex, "explain says it", ex.splitlines())


def fileless_memfd_loopback(t):
    """The same program on loopback only: a warning (a program with no file is worth a look even
    there), not an alert."""
    memfd_listener(t, "127.0.0.1", 2227)
    s = I.by_port(t.json(), 2227)
    f = I.codes(s).get("exe-memfd")
    t.check(f is not None and f["severity"] == "warning", "warning on loopback", [s["findings"]])


# ---------------------------------------------------------------- inline code

PY_SERVER = ("import socket,os,sys\n"
             "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
             "s.bind((sys.argv[1] if len(sys.argv) > 1 else '{addr}', {port})); s.listen(1)\n"
             "print('READY pid=%d' % os.getpid(), flush=True)\n"
             "{hold}\n")


def py(addr, port, hold="sys.stdin.read()"):
    return PY_SERVER.format(addr=addr, port=port, hold=hold)


def perl(addr, port):
    return ("use Socket; socket(S, PF_INET, SOCK_STREAM, 0) or die; "
            "setsockopt(S, SOL_SOCKET, SO_REUSEADDR, 1); "
            f"bind(S, sockaddr_in({port}, inet_aton('{addr}'))) or die; listen(S, 1) or die; "
            "$| = 1; print \"READY pid=$$\\n\"; my @x = <STDIN>;")


def inline_servers(t, addr, base):
    """Inline interpreter listeners on ports base.. as the user: (port, what, pid)."""
    got = []
    tmp = t.tmpdir()
    script = os.path.join(tmp, "stdin-server.py")
    with open(script, "w") as f:
        f.write(py(addr, base + 1, hold="import time; time.sleep(3600)"))  # stdin is the file
    os.chmod(script, 0o644)
    got.append((base, "python3 -c", Launched(t, ["python3", "-c", py(addr, base)]).pid))
    # python3 - < file: the code comes on standard input, then stdin is the file's end
    h = Launched(t, ["sh", "-c", f"exec python3 - < {script}"])
    got.append((base + 1, "python3 - < file", h.pid))
    if shutil.which("perl"):
        got.append((base + 2, "perl -e", Launched(t, ["perl", "-e", perl(addr, base + 2)]).pid))
    # sh -c whose own process is the server (exec: the interpreter process holds the socket)
    h = Launched(t, ["sh", "-c", f"exec python3 -c \"$0\"", py(addr, base + 3)])
    got.append((base + 3, "sh -c exec python3 -c", h.pid))
    if shutil.which("node"):
        js = (f"const s=require('net').createServer();s.listen({base + 4},'{addr}',"
              "()=>console.log('READY pid='+process.pid));process.stdin.resume();")
        got.append((base + 4, "node -e", Launched(t, ["node", "-e", js]).pid))
    # bash -c holding the listener itself (made by python3, inherited across exec into bash -c)
    hand = ("import os,socket,sys\n"
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            f"s.bind(('{addr}', {base + 5})); s.listen(1); s.set_inheritable(True)\n"
            "os.execvp('bash', ['bash', '-c', 'echo READY pid=$$; read x'])\n")
    got.append((base + 5, "bash -c holding it", Launched(t, ["python3", "-c", hand]).pid))
    # the code from an open file named like a script: /dev/stdin (also /dev/fd/N, /proc/self/fd/N)
    script6 = os.path.join(tmp, "stdin-server6.py")
    with open(script6, "w") as f:
        f.write(py(addr, base + 6, hold="import time; time.sleep(3600)"))
    os.chmod(script6, 0o644)
    h = Launched(t, ["sh", "-c", f"exec python3 /dev/stdin < {script6}"])
    got.append((base + 6, "python3 /dev/stdin < file", h.pid))
    # an option's value where a script would stand
    h = Launched(t, ["python3", "--check-hash-based-pycs", "always", "-c", py(addr, base + 7)])
    got.append((base + 7, "python3 --check-hash-based-pycs always -c", h.pid))
    return got


def fileless_inline_interpreters(t):
    """python3 -c, python3 - < file, perl -e, node -e (where installed), an exec'd python3 -c
    under sh -c and a bash -c that holds the listener, each the server itself, on every address and reachable beyond loopback: a
    script-inline warning saying there is no file to check."""
    I.veth_up(t, "10.47.0.1/24")
    servers = inline_servers(t, "0.0.0.0", 2240)
    doc = t.json()
    for port, what, pid in servers:
        s = I.by_port(doc, port)
        t.check([o["pid"] for o in s["owners"]] == [pid], f"{what}: owner found", [s["owners"]])
        f = I.codes(s).get("script-inline")
        t.check(f is not None and f["severity"] == "warning" and "no file to check" in f["reason"],
                f"{what}: warning script-inline", [s["findings"]])


def fileless_inline_loopback(t):
    """The same servers on loopback only (a developer's quick server): no warning, no script-inline
    (reachable by no one else)."""
    servers = inline_servers(t, "127.0.0.1", 2250)
    doc = t.json()
    for port, what, _ in servers:
        s = I.by_port(doc, port)
        sev = [f["severity"] for f in s.get("findings") or [] if f["severity"] in ("warning", "alert")]
        f = I.codes(s).get("script-inline")
        t.check(not sev and f is None, f"{what}: nothing on loopback",
                [s["findings"]])


def fileless_argv0_masquerade(t):
    """exec -a /usr/sbin/sshd python3 -c ...: argv[0] names a packaged daemon's path that is not the
    running image; an alert."""
    if not os.path.exists(SSHD):
        t.skip(f"{SSHD} is missing (Debian package openssh-server, tests/deps.sh)")
    I.veth_up(t, "10.48.0.1/24")
    h = Launched(t, ["bash", "-c", f"exec -a {SSHD} python3 -c \"$0\"", py("0.0.0.0", 2260)])
    with open(f"/proc/{h.pid}/cmdline", "rb") as fh:
        t.require(fh.read().split(b"\0")[0] == SSHD.encode(), "test premise: argv[0] is sshd's path")
    s = I.by_port(t.json(), 2260)
    got = I.codes(s)
    f = got.get("argv-masquerade")
    t.check(f is not None and f["severity"] == "alert" and SSHD in f["reason"], "alert argv-masquerade",
            [s["findings"]])
    t.check("script-inline" in got, "and the inline code is said too", [s["findings"]])
    # the usual disguises: a kernel thread's name, a daemon's bare name (ps and htop show them)
    h2 = Launched(t, ["bash", "-c", "exec -a '[kworker/1:2]' python3 -c \"$0\"", py("0.0.0.0", 2261)])
    h3 = Launched(t, ["bash", "-c", "exec -a sshd python3 -c \"$0\"", py("0.0.0.0", 2262)])
    doc = t.json()
    for port, h, claim in ((2261, h2, "[kworker/1:2]"), (2262, h3, SSHD)):
        s = I.by_port(doc, port)
        f = I.codes(s).get("argv-masquerade")
        t.check([o["pid"] for o in s["owners"]] == [h.pid] and f is not None and
                f["severity"] == "alert" and claim in f["reason"], f"argv[0] {claim}: alert",
                [s["owners"], s["findings"]])


def fileless_env_code_path(t):
    """A root-owned script run with PYTHONPATH naming a directory the user owns (where a
    sitecustomize.py would run first): script-env, a warning beyond loopback naming the variable;
    info on loopback; nothing for a root-owned PYTHONPATH, judged in the process's own view (a
    directory root's in its mount namespace, as in a container, is root's whatever ours holds)."""
    I.veth_up(t, "10.49.0.1/24")
    tmp = t.tmpdir()
    mine = os.path.join(tmp, "mine")
    os.makedirs(mine)
    os.chown(mine, USER, USER)
    runs = []
    for port, addr, path in ((2270, "0.0.0.0", mine), (2271, "127.0.0.1", mine),
                             (2272, "0.0.0.0", "/usr/lib/python3/dist-packages")):
        script = os.path.join(tmp, f"server{port}.py")
        with open(script, "w") as f:
            f.write(py(addr, port))
        os.chmod(script, 0o644)
        runs.append((port, path, Launched(t, ["env", f"PYTHONPATH={path}", "python3", script]).pid))
    # in our view a user's directory; in the process's, a root-owned tmpfs mounted over it
    theirs = os.path.join(tmp, "theirs")
    os.makedirs(theirs)
    os.chown(theirs, USER, USER)
    script = os.path.join(tmp, "server2273.py")
    with open(script, "w") as f:
        f.write(py("0.0.0.0", 2273))
    os.chmod(script, 0o644)
    own_view = (f"mount -t tmpfs -o mode=755 none {theirs} && exec setpriv --reuid={USER} "
                f"--regid={USER} --clear-groups env PYTHONPATH={theirs} python3 {script}")
    runs.append((2273, theirs, Launched(t, ["unshare", "-m", "--propagation", "private",
                                            "sh", "-c", own_view], uid=0).pid))
    doc = t.json()
    want = {2270: "warning", 2271: "info", 2272: None, 2273: None}
    for port, path, pid in runs:
        s = I.by_port(doc, port)
        t.check([o["pid"] for o in s["owners"]] == [pid], f"{port}: owner found", [s["owners"]])
        f = I.codes(s).get("script-env")
        got = f["severity"] if f else None
        t.check(got == want[port] and (not f or f"PYTHONPATH={path}" in f["evidence"]),
                f"PYTHONPATH={path} on {port}: script-env {want[port]}", [s["findings"]])
