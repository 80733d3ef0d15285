#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""run.py — integration tests: real sockets in private namespaces, checked against the real binary.

    python3 tests/integration/run.py --bin build/portsleuth --helper build/sockhold
                                     [-k PATTERN] [-j N] [-q] [--strict-keys]

Every case runs in its own network namespace (only its own sockets exist) and its own PID
namespace with a private /proc (only its own processes exist, so counts such as
processes.scanned are exact and everything dies with the case): the runner re-executes itself
for one case under `unshare --net --pid --fork --mount-proc --kill-child`, brings lo up,
starts sockhold (tests/helpers/sockhold.c) and Python sockets, runs portsleuth and compares
its output with values derived independently (from what was started, and from /proc).

JSON is compared key by key with the exact expected values; keys the tests do not know yet
(schema additions) are ignored unless --strict-keys.

Output: "ok NAME (0.12s)" per passing case (not with -q), "FAIL NAME: reason" (plus indented
detail lines) per failure, "skip NAME: reason" per case that cannot run here (a package it
drives is missing), and last "integration: N passed, M failed". Opt-in cases (run.case(fn,
optin=VAR)) run only when the environment variable VAR is 1. Exit status 1 when anything
failed. Needs root (namespaces, setpriv), iproute2 (ip, ss), util-linux (unshare, setpriv) and
the Python 3.11 standard library only.
"""
import argparse
import collections
import concurrent.futures
import csv
import fcntl
import io
import json
import os
import pty
import pwd
import re
import resource
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time
import traceback
import tty

CASE_TIMEOUT = 120  # seconds for one whole case: a guard against hangs, not a speed test
RUN_TIMEOUT = 10  # seconds for one portsleuth / ss run
READY_TIMEOUT = 5  # seconds for sockhold to say READY
NOBODY = 65534
SGR = re.compile(rb"\x1b\[[0-9;]*m")  # a colour/attribute escape


class Failed(Exception):
    """A check failed; the case stops (soft checks use Case.check instead)."""


class Skipped(Exception):
    """The case cannot run here (a package it drives is not installed): neither passed nor failed."""


class _Any:
    def __repr__(self):
        return "<any>"


ANY = _Any()  # in an expected value: anything is accepted here


# ---------------------------------------------------------------- comparing


STRICT_KEYS = False  # --strict-keys: a key the expected value lacks is a difference too


def diff(actual, expected, path="$", out=None, limit=12):
    """Differences between actual and expected as 'path: got X, want Y' strings. Every expected
    key must be there with its exact value; keys added to the schema since are ignored unless
    STRICT_KEYS (the JSON may grow compatibly; it must not change what it already says)."""
    if out is None:
        out = []
    if len(out) >= limit or expected is ANY:
        return out
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k in expected:
            if k not in actual:
                out.append(f"{path}.{k}: missing, want {expected[k]!r}")
            else:
                diff(actual[k], expected[k], f"{path}.{k}", out, limit)
        for k in actual:
            if k not in expected and STRICT_KEYS:
                out.append(f"{path}.{k}: unexpected key (value {actual[k]!r})")
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            out.append(f"{path}: {len(actual)} items, want {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            diff(a, e, f"{path}[{i}]", out, limit)
    elif type(actual) is not type(expected) or actual != expected:
        out.append(f"{path}: got {actual!r}, want {expected!r}")
    return out


def lossy_utf8(b):
    """What the tool's JSON must make of raw bytes: valid UTF-8 kept, each invalid byte U+FFFD."""
    out, i = [], 0
    while i < len(b):
        c = b[i]
        if c < 0x80:
            out.append(chr(c))
            i += 1
            continue
        n = 2 if 0xC2 <= c <= 0xDF else 3 if 0xE0 <= c <= 0xEF else 4 if 0xF0 <= c <= 0xF4 else 0
        if n and i + n <= len(b):
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i += n
                continue
            except UnicodeDecodeError:
                pass
        out.append("\ufffd")
        i += 1
    return "".join(out)


def c_escape(b):
    """bytes -> sockhold TEXT argument (\\xHH for anything not plain printable ASCII)."""
    s = []
    for c in b:
        if c == 0x5C:
            s.append("\\\\")
        elif 0x20 <= c < 0x7F:
            s.append(chr(c))
        else:
            s.append("\\x%02x" % c)
    return "".join(s)


# ---------------------------------------------------------------- /proc facts


def proc_pids():
    return sorted(int(d) for d in os.listdir("/proc") if d.isdigit())


def proc_uid(pid):
    return os.stat(f"/proc/{pid}").st_uid


def start_time(pid):
    """owners[].start_time as the tool must compute it: btime + starttime / HZ, UTC."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        st = f.read()
    rest = st[st.rindex(b")") + 2:].split()
    ticks = int(rest[19])  # field 22 of stat; rest[0] is field 3
    with open("/proc/stat") as f:
        btime = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    secs = btime + ticks // os.sysconf("SC_CLK_TCK")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs))


def cgroup_of(pid):
    with open(f"/proc/{pid}/cgroup") as f:
        lines = f.read().splitlines()
    for line in lines:
        if line.startswith("0::"):
            return line[3:]
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[1] == "name=systemd":
            return parts[2]
    return None


def sock_inode(pid, fd):
    link = os.readlink(f"/proc/{pid}/fd/{fd}")
    m = re.fullmatch(r"socket:\[(\d+)\]", link)
    if not m:
        raise Failed(f"/proc/{pid}/fd/{fd} is {link!r}, not a socket")
    return int(m.group(1))


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def tcp_states():
    """(local port, remote port, state hex) of every TCP socket in this namespace."""
    rows = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    p = line.split()
                    rows.append((int(p[1].rsplit(":", 1)[1], 16), int(p[2].rsplit(":", 1)[1], 16), p[3]))
        except FileNotFoundError:
            pass
    return rows


def make_time_wait(host, port):
    """A TCP connection to host:port closed client-first: the client side stays in TIME-WAIT.
    Returns the client's port once every other socket of the exchange has gone."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    lst = socket.socket(fam, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((host, port))
    lst.listen(4)
    cli = socket.socket(fam, socket.SOCK_STREAM)
    cli.settimeout(5)
    cli.connect((host, port))
    srv, _ = lst.accept()
    cport = cli.getsockname()[1]
    cli.close()
    srv.settimeout(5)
    if srv.recv(16) != b"":
        raise Failed("time-wait setup: server did not see the client's FIN")
    srv.close()
    lst.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        mine = [r for r in tcp_states() if port in (r[0], r[1])]
        if [(r[0], r[2]) for r in mine] == [(cport, "06")]:
            return cport
        time.sleep(0.01)
    raise Failed(f"time-wait setup: sockets of port {port} did not settle: {tcp_states()}")


# ---------------------------------------------------------------- processes


class Result:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def __repr__(self):
        return f"{' '.join(map(str, self.argv))} -> exit {self.rc}, stderr {self.err[-300:]!r}"


class Holder:
    """One running sockhold: pid, forked child, sockets (fd, kind, lport, rport, inode)."""

    def __init__(self, case, proc, argv, user, name, exe):
        self.case, self.proc, self.argv, self.name, self.exe = case, proc, argv, name, exe
        self.uid = user
        self.pid = proc.pid
        self.child = None
        self.socks = []
        self.accepted = []
        self._buf = b""

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Failed(f"sockhold {self.argv[1:]} said nothing for {timeout}s")
            chunk = os.read(fd, 4096)
            if not chunk:
                self.proc.wait(5)
                raise Failed(f"sockhold {self.argv[1:]} exited ({self.proc.returncode}): "
                             f"{self.proc.stderr.read().decode(errors='replace').strip()}")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode()

    def wait_ready(self):
        words = self.readline(READY_TIMEOUT).split()
        if not words or words[0] != "READY":
            raise Failed(f"sockhold: expected READY, got {words}")
        for w in words[1:]:
            k, v = w.split("=", 1)
            if k == "pid" and int(v) != self.pid:
                raise Failed(f"sockhold pid {v} is not the pid we started ({self.pid})")
            elif k == "child":
                self.child = int(v)
                self.case.extra_pids.append(self.child)
            elif k == "s":
                fd, kind, lport, rport = v.split(":")
                self.socks.append(self._sock(int(fd), kind, int(lport), int(rport)))

    def _sock(self, fd, kind, lport, rport):
        return {"fd": fd, "kind": kind, "lport": lport, "rport": rport,
                "inode": sock_inode(self.pid, fd)}

    def wait_accepted(self, n=1):
        while len(self.accepted) < n:
            words = self.readline(READY_TIMEOUT).split()
            if not words or words[0] != "ACCEPTED":
                raise Failed(f"sockhold: expected ACCEPTED, got {words}")
            kv = dict(w.split("=", 1) for w in words[1:])
            s = self._sock(int(kv["fd"]), "accepted", int(kv["lport"]), int(kv["rport"]))
            self.socks.append(s)
            self.accepted.append(s)
        return self.accepted

    def sock(self, kind, lport=None):
        found = [s for s in self.socks if s["kind"] == kind and lport in (None, s["lport"])]
        if len(found) != 1:
            raise Failed(f"sockhold {self.pid}: {len(found)} sockets of kind {kind} port {lport}")
        return found[0]

    def owner(self, fd, pid=None):
        """The owners[] entry the tool must print for this holder (or its forked child)."""
        pid = pid or self.pid
        cg = cgroup_of(pid)
        return {
            "pid": pid,
            "fd": fd,
            "name": lossy_utf8(self.name),
            "exe": lossy_utf8(self.exe),
            "cmdline": [lossy_utf8(a) for a in self.argv],
            "cmdline_truncated": False,
            "user": user_name(self.uid),
            "uid": self.uid,
            "ppid": self.pid if pid != self.pid else os.getpid(),
            "start_time": start_time(pid),
            "cgroup": cg,
            "unit": None if cg == "/" else ANY,
            "container": None if cg == "/" else ANY,
            "vanished": False,
        }


def sock(proto, state, local, remote, owners, inode, *, recv_q=0, send_q=0, uid=0, status=None):
    """An expected socket object of the JSON document."""
    return {
        "proto": proto,
        "family": "inet6" if ":" in local[0] else "inet",
        "state": state,
        "local": {"addr": local[0], "port": local[1]},
        "remote": {"addr": remote[0], "port": remote[1]},
        "recv_q": recv_q,
        "send_q": send_q,
        "uid": uid,
        "user": user_name(uid),
        "inode": inode,
        "netns": os.stat("/proc/self/ns/net").st_ino,
        "owner_status": status or ("ok" if owners else "kernel"),
        "owners": owners,
    }


def any4(port=0):
    return ("0.0.0.0", port)


def any6(port=0):
    return ("::", port)


class Case:
    """Everything one case starts, and the checks it makes."""

    def __init__(self, name, binary, helper):
        self.name = name
        self.binary = binary
        self.helper = helper
        self.procs = []
        self.extra_pids = []
        self.failures = []
        self.tmp = None

    # -- setup

    def tmpdir(self):
        """A directory every user can read, holding copies of the two binaries."""
        if not self.tmp:
            # not under /tmp: an executable there is a finding ("runs from a temp dir")
            self.tmp = tempfile.mkdtemp(prefix="portsleuth-it-", dir=os.environ.get(STAGE_ENV))
            os.chmod(self.tmp, 0o755)
            for src in (self.binary, self.helper):
                dst = os.path.join(self.tmp, os.path.basename(src))
                shutil.copy(src, dst)
                os.chmod(dst, 0o755)
        return self.tmp

    def exe_of(self, uid, which="helper"):
        path = self.helper if which == "helper" else self.binary
        if uid != 0:
            path = os.path.join(self.tmpdir(), os.path.basename(path))
        return os.path.realpath(path)

    def hold(self, *actions, argv0=None, extra=(), uid=0, exe_name=None, env=None):
        """Start sockhold with these actions, as root or (setpriv) as another uid.
        argv0/extra are raw bytes: sockhold re-executes itself with them in its argv.
        exe_name (bytes): run a copy of the helper saved under this file name."""
        helper = os.fsencode(self.exe_of(uid))
        if exe_name is not None:
            helper = os.path.join(os.fsencode(self.tmpdir()), exe_name)
            shutil.copy(self.helper, helper)
            os.chmod(helper, 0o755)
        argv = [helper] + [a.encode() for a in actions]
        if argv0 is not None or extra:
            argv = [helper]
            if argv0 is not None:
                argv += [b"--argv0", c_escape(argv0).encode()]
            for e in extra:
                argv += [b"--arg", c_escape(e).encode()]
            argv += [a.encode() for a in actions]
        prefix = [] if uid == 0 else [b"setpriv", f"--reuid={uid}".encode(), f"--regid={uid}".encode(),
                                      b"--clear-groups"]
        proc = subprocess.Popen(prefix + argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, close_fds=True, env=env)
        self.procs.append(proc)
        # what /proc/PID/cmdline and comm will hold
        if argv0 is not None or extra:
            cmd = [argv0 if argv0 is not None else helper] + [a.encode() for a in actions]
            cmd += [b"--"] + list(extra)
            comm = b"exe"  # re-executed through /proc/self/exe
        else:
            cmd = argv
            comm = os.path.basename(helper)[:15]
        for a in actions:
            if a.startswith("name:"):
                comm = unescape(a[5:])
        h = Holder(self, proc, cmd, uid, comm, os.path.realpath(helper))
        h.wait_ready()
        return h

    def kill_all(self):
        """Kill and reap every process the case started, now."""
        for pid in [p.pid for p in self.procs] + self.extra_pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        # forked children were reparented to us (pid 1 of the namespace): reap them
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break

    def cleanup(self):
        for p in self.procs:
            try:
                p.stdin.close()
            except Exception:
                pass
        self.kill_all()
        for p in self.procs:
            for f in (p.stdout, p.stderr):
                try:
                    f.close()
                except Exception:
                    pass
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- running the tool

    def env(self, **over):
        # COLUMNS: a pipe is never cut; cases that read the table's content run it as on a
        # wide terminal all the same, the width cases set their own
        e = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LC_ALL": "C.UTF-8",
             "COLUMNS": "1000"}
        e.update((k, v) for k, v in os.environ.items() if k.endswith("SAN_OPTIONS"))  # make check SANITIZE=1
        for k, v in over.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return e

    def run(self, *args, uid=0, env=None, binary=None):
        binary = binary or self.exe_of(uid, "binary")
        prefix = [] if uid == 0 else ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        argv = prefix + [binary, *args]
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=RUN_TIMEOUT, env=env or self.env())
        except subprocess.TimeoutExpired:
            raise Failed(f"{' '.join(argv)} did not finish in {RUN_TIMEOUT}s")
        return Result([os.path.basename(binary), *args], r.returncode, r.stdout, r.stderr)

    def run_tty(self, *args, cols=100, env=None):
        """Run with stdout on a pseudo-terminal of `cols` columns (raw mode: no \\r added)."""
        master, slave = pty.openpty()
        try:
            tty.setraw(slave)
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
            p = subprocess.Popen([self.binary, *args], stdin=subprocess.DEVNULL, stdout=slave,
                                 stderr=subprocess.PIPE, env=env or self.env(TERM="xterm"),
                                 close_fds=True)
            os.close(slave)
            slave = -1
            out = b""
            deadline = time.monotonic() + RUN_TIMEOUT
            while time.monotonic() < deadline:
                if select.select([master], [], [], 0.2)[0]:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # EIO: the other side is closed
                        chunk = b""
                    if not chunk:
                        break
                    out += chunk
                elif p.poll() is not None:
                    break
            try:
                p.wait(RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                raise Failed(f"portsleuth {args} on a tty did not finish")
            err = p.stderr.read()
            p.stderr.close()
            return Result(["portsleuth(tty)", *args], p.returncode, out, err)
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)

    def json(self, *args, rc=0, uid=0, env=None):
        """Run with --json; the output must be strict UTF-8 JSON; returns the document."""
        r = self.run(*args, "--json", uid=uid, env=env)
        self.require(r.rc == rc, f"exit status {r.rc}, want {rc}: {r}")
        return parse_json(r)

    # -- expectations

    def doc(self, sockets, *, scanned, denied=0, partial=False, privileged=True, **unattributed):
        un = {"no-permission": 0, "kernel": 0, "vanished": 0, "unreported": 0}
        for k, v in unattributed.items():
            un[k.replace("_", "-")] = v
        return {"schema": 1, "partial": partial, "source": "netlink", "sockets": sockets,
                "unattributed": un,
                "processes": {"scanned": scanned, "denied": denied, "vanished": 0},
                "privileged": privileged}

    def scanned_now(self):
        """processes.scanned for a root run started now: every process here, plus the tool."""
        return len(proc_pids()) + 1

    def check(self, cond, msg, detail=()):
        if not cond:
            self.failures.append((msg, list(detail)))
        return bool(cond)

    def require(self, cond, msg, detail=()):
        if not cond:
            raise Failed(msg, list(detail))

    def skip(self, reason):
        """Stop the case as skipped (say why: what is missing and how to get it)."""
        raise Skipped(reason)

    def expect_doc(self, actual, expected, what):
        d = diff(actual, expected)
        return self.check(not d, f"{what}: JSON differs from the expected document", d)


def unescape(text):
    """sockhold TEXT -> bytes (the inverse of c_escape, plus \\n \\t \\r \\e)."""
    out, i = bytearray(), 0
    simple = {"n": 10, "t": 9, "r": 13, "e": 27, "\\": 92}
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode()
            i += 1
        elif text[i + 1] == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(simple[text[i + 1]])
            i += 2
    return bytes(out)


def control_bytes(b):
    """Offsets of bytes a terminal must never get raw: C0 controls except \\n, DEL, C1 in UTF-8,
    bidi controls."""
    bad = [i for i, c in enumerate(b) if (c < 0x20 and c != 0x0A) or c == 0x7F]
    bad += [m.start() for m in re.finditer(rb"\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]", b)]
    return sorted(bad)


def parse_json(r):
    """The JSON document of a run (Result or CompletedProcess): strict UTF-8, strict JSON."""
    out = r.out if isinstance(r, Result) else r.stdout
    what = " ".join(map(str, r.argv if isinstance(r, Result) else r.args))
    try:
        return json.loads(out.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise Failed(f"{what}: output is not valid UTF-8: {e}", [repr(out[:300])])
    except json.JSONDecodeError as e:
        raise Failed(f"{what}: invalid JSON: {e}", [repr(out[:300])])


def need_userns(t):
    """Skip the case (saying why) when an unprivileged user cannot make a user namespace here: the
    kernel refuses CLONE_NEWUSER to a chrooted caller (a fresh-machine check's root) and where
    unprivileged user namespaces are disabled, so the attack cannot be built."""
    r = subprocess.run(["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups",
                        "unshare", "--user", "--map-root-user", "true"], capture_output=True,
                       timeout=RUN_TIMEOUT)
    if r.returncode != 0:
        raise Skipped("an unprivileged user cannot make a user namespace here (under chroot, or "
                      "disabled by kernel.unprivileged_userns_clone): "
                      + r.stderr.decode(errors="replace").strip())


def need_bpf(t):
    """Skip the case (saying why) when this build or this kernel cannot use BPF."""
    probe = socket.socket()  # attribution runs only when there is a socket to attribute
    probe.bind(("127.0.0.1", 0))
    probe.listen(1)
    try:
        r = t.run("--attribution", "bpf", "--json")
    finally:
        probe.close()
    if r.rc == 3 and b"with BPF" in r.err:
        raise Skipped(r.err.decode(errors="replace").strip())
    t.require(r.rc == 0, f"--attribution bpf: {r}")


def own_exe(doc):
    """exe of the first owner of the first socket, or None."""
    try:
        return doc["sockets"][0]["owners"][0]["exe"]
    except (KeyError, IndexError):
        return None


def keys(doc, with_owners=True):
    """(proto, family, local port, remote port, state, owner pids) of every socket, in order."""
    return [(s["proto"], s["family"], s["local"]["port"], s["remote"]["port"], s["state"],
             tuple(o["pid"] for o in s["owners"]) if with_owners else None) for s in doc["sockets"]]


# ---------------------------------------------------------------- cases

CASES = []


# What each optional feature of the build needs, for the skip reason (`--version` lists them).
FEATURE_SOURCE = {"nftables": "libnftnl-dev libmnl-dev", "bpf": "libbpf-dev", "sd-bus": "libsystemd-dev",
                  "tui": "libncurses-dev"}


def build_features(binary):
    """{feature: built?} from `portsleuth --version` ("Features: +bpf -nftables ...")."""
    r = subprocess.run([binary, "--version"], capture_output=True, timeout=RUN_TIMEOUT)
    feats = {}
    for line in r.stdout.decode(errors="replace").splitlines():
        if line.startswith("Features:"):
            for w in line.split()[1:]:
                feats[w[1:]] = w[0] == "+"
    return feats


def case(fn, optin=None, needs=()):
    """Register a case. optin: the name of an environment variable; the case runs only when it
    is set to 1 (cases that are known to fail until a fix lands, or need extra packages).
    needs: optional build features (as `--version` names them) the case tests; it is skipped,
    saying which and how to get it, when the binary was built without one."""
    fn.optin = optin
    fn.needs = tuple(needs)
    CASES.append(fn)
    return fn


@case
def tcp_listeners_v4_v6(t):
    """TCP listeners on 127.0.0.1, ::1, :: (v6only and dual-stack) and 0.0.0.0, all fields."""
    h = t.hold("listen:127.0.0.1:4001", "listen:[::1]:4002,v6only,backlog=7",
               "listen:[::]:4003,v6only", "listen:0.0.0.0:4004,backlog=3", "listen:[::]:4005,dual")
    s = {x["lport"]: x for x in h.socks}
    t.require(sorted(s) == [4001, 4002, 4003, 4004, 4005], f"sockhold made {h.socks}")
    want = [
        sock("tcp", "listen", ("127.0.0.1", 4001), any4(), [h.owner(s[4001]["fd"])], s[4001]["inode"], send_q=16),
        sock("tcp", "listen", ("::1", 4002), any6(), [h.owner(s[4002]["fd"])], s[4002]["inode"], send_q=7),
        sock("tcp", "listen", ("::", 4003), any6(), [h.owner(s[4003]["fd"])], s[4003]["inode"], send_q=16),
        sock("tcp", "listen", ("0.0.0.0", 4004), any4(), [h.owner(s[4004]["fd"])], s[4004]["inode"], send_q=3),
        sock("tcp", "listen", ("::", 4005), any6(), [h.owner(s[4005]["fd"])], s[4005]["inode"], send_q=16),
    ]
    n = t.scanned_now()
    t.expect_doc(t.json(), t.doc(want, scanned=n), "portsleuth --json")
    t.expect_doc(t.json("-t"), t.doc(want, scanned=n), "portsleuth --json -t")
    t.expect_doc(t.json("-4"), t.doc([want[0], want[3]], scanned=n), "portsleuth --json -4")
    t.expect_doc(t.json("-6"), t.doc([want[1], want[2], want[4]], scanned=n), "portsleuth --json -6")
    # the table says the same in its own words
    r = t.run("-n")
    t.require(r.rc == 0, f"table: {r}")
    lines = r.out.decode().splitlines()
    # UNIT is left out: no process here runs in a unit (the column shows only when one does)
    t.check(lines[0].split() == ["PROTO", "LOCAL", "STATE", "EXPOSURE", "FINDINGS", "PID", "USER", "PROGRAM",
                                 "COMMAND"],
            f"table header {lines[0]!r}")
    got = [ln.split()[:8] for ln in lines[1:]]
    pid = str(h.pid)
    # FINDINGS: the helper binary is from no package (info)
    t.check(got == [["tcp", "127.0.0.1:4001", "LISTEN", "loopback", "info", pid, "root", "sockhold"],
                    ["tcp6", "[::1]:4002", "LISTEN", "loopback", "info", pid, "root", "sockhold"],
                    ["tcp6", "[::]:4003", "LISTEN", "all-interfaces", "info", pid, "root", "sockhold"],
                    ["tcp", "0.0.0.0:4004", "LISTEN", "all-interfaces", "info", pid, "root", "sockhold"],
                    ["tcp6", "[::]:4005", "LISTEN", "all-interfaces", "info", pid, "root", "sockhold"]],
            "table rows differ", [repr(x) for x in got])
    err = r.err
    if not build_features(t.binary).get("nftables"):
        # the one note a build without the firewall reader owes its user
        err = re.sub(rb"portsleuth: exposure is judged from the addresses alone: [^\n]*built without "
                     rb"libnftnl[^\n]*\n", b"", err)
    t.check(err == b"", f"table stderr not empty: {r.err!r}")


@case
def udp_bound(t):
    """Bound UDP sockets are listed as "unconn" by default; a connected one only with -a."""
    h = t.hold("udp:127.0.0.1:5001", "udp:[::1]:5002", "udp:[::]:5003,v6only", "udpconnect:127.0.0.1:5001")
    a, b, c = h.sock("udp", 5001), h.sock("udp", 5002), h.sock("udp", 5003)
    u = h.sock("udpconnect")
    t.require(u["rport"] == 5001, f"udpconnect socket {u}")
    listed = [
        sock("udp", "unconn", ("127.0.0.1", 5001), any4(), [h.owner(a["fd"])], a["inode"]),
        sock("udp", "unconn", ("::1", 5002), any6(), [h.owner(b["fd"])], b["inode"]),
        sock("udp", "unconn", ("::", 5003), any6(), [h.owner(c["fd"])], c["inode"]),
    ]
    conn = sock("udp", "established", ("127.0.0.1", u["lport"]), ("127.0.0.1", 5001), [h.owner(u["fd"])], u["inode"])
    n = t.scanned_now()
    t.expect_doc(t.json(), t.doc(listed, scanned=n), "--json")
    t.expect_doc(t.json("-u"), t.doc(listed, scanned=n), "--json -u")
    t.expect_doc(t.json("-a"), t.doc(listed + [conn], scanned=n), "--json -a")
    t.expect_doc(t.json("--state", "connected"), t.doc([conn], scanned=n), "--json --state connected")
    t.json("-t", rc=1)


@case
def established_pair(t):
    """Listener, server-side and client-side established sockets, each with its own owner."""
    srv = t.hold("listen:127.0.0.1:4100,accept")
    cli = t.hold("connect:127.0.0.1:4100")
    acc = srv.wait_accepted(1)[0]
    lst, con = srv.sock("listen"), cli.sock("connect")
    t.require(acc["rport"] == con["lport"] and con["rport"] == 4100, f"pair {acc} {con}")
    cport = con["lport"]
    want = [
        sock("tcp", "listen", ("127.0.0.1", 4100), any4(), [srv.owner(lst["fd"])], lst["inode"], send_q=16),
        sock("tcp", "established", ("127.0.0.1", 4100), ("127.0.0.1", cport), [srv.owner(acc["fd"])], acc["inode"]),
        sock("tcp", "established", ("127.0.0.1", cport), ("127.0.0.1", 4100), [cli.owner(con["fd"])], con["inode"]),
    ]
    n = t.scanned_now()
    t.expect_doc(t.json("-a"), t.doc(want, scanned=n), "--json -a")
    t.expect_doc(t.json(), t.doc(want[:1], scanned=n), "--json (listening only)")
    t.expect_doc(t.json("--state", "established"), t.doc(want[1:], scanned=n), "--json --state established")
    t.expect_doc(t.json("-a", "-p", str(cli.pid)), t.doc(want[2:], scanned=n), "--json -a -p CLIENT")
    t.expect_doc(t.json("-a", str(cport)), t.doc(want[1:], scanned=n), "--json -a CLIENTPORT")
    r = t.run("-a", "-n")
    lines = r.out.decode().splitlines()
    t.check(r.rc == 0 and lines[0].split()[:4] == ["PROTO", "LOCAL", "REMOTE", "STATE"],
            f"-a table header {lines[:1]} ({r})")
    t.check([ln.split()[:7] for ln in lines[1:]] ==
            [["tcp", "127.0.0.1:4100", "0.0.0.0:*", "LISTEN", "loopback", "info", str(srv.pid)],
             ["tcp", "127.0.0.1:4100", f"127.0.0.1:{cport}", "ESTAB", "loopback", "-", str(srv.pid)],
             ["tcp", f"127.0.0.1:{cport}", "127.0.0.1:4100", "ESTAB", "loopback", "-", str(cli.pid)]],
            "-a table rows differ", lines)


@case
def established_v6_and_mapped(t):
    """An IPv6 pair on ::1 and a v4 client accepted by a dual-stack [::] listener (::ffff:...)."""
    srv = t.hold("listen:[::1]:4110,v6only,accept", "listen:[::]:4111,dual,accept")
    cli = t.hold("connect:[::1]:4110", "connect:127.0.0.1:4111")
    srv.wait_accepted(2)
    l6, lany = srv.sock("listen", 4110), srv.sock("listen", 4111)
    a6, amap = srv.sock("accepted", 4110), srv.sock("accepted", 4111)
    c6 = [c for c in cli.socks if c["rport"] == 4110][0]
    c4 = [c for c in cli.socks if c["rport"] == 4111][0]
    want = [
        sock("tcp", "listen", ("::1", 4110), any6(), [srv.owner(l6["fd"])], l6["inode"], send_q=16),
        sock("tcp", "established", ("::1", 4110), ("::1", c6["lport"]), [srv.owner(a6["fd"])], a6["inode"]),
        sock("tcp", "listen", ("::", 4111), any6(), [srv.owner(lany["fd"])], lany["inode"], send_q=16),
        sock("tcp", "established", ("::ffff:127.0.0.1", 4111), ("::ffff:127.0.0.1", c4["lport"]),
             [srv.owner(amap["fd"])], amap["inode"]),
    ]
    clients = sorted([
        (c6["lport"], sock("tcp", "established", ("::1", c6["lport"]), ("::1", 4110), [cli.owner(c6["fd"])], c6["inode"])),
        (c4["lport"], sock("tcp", "established", ("127.0.0.1", c4["lport"]), ("127.0.0.1", 4111), [cli.owner(c4["fd"])], c4["inode"])),
    ], key=lambda x: (x[0], x[1]["family"]))
    want += [x[1] for x in clients]
    t.expect_doc(t.json("-a"), t.doc(want, scanned=t.scanned_now()), "--json -a")


@case
def fork_shared_listener(t):
    """A listener inherited across fork: one row, two owners sorted by pid, child's ppid = parent."""
    h = t.hold("listen:127.0.0.1:4200", "fork")
    t.require(h.child, "sockhold did not report the child pid")
    s = h.sock("listen")
    t.require(sock_inode(h.child, s["fd"]) == s["inode"], "the child does not hold the same socket")
    owners = sorted([h.owner(s["fd"]), h.owner(s["fd"], pid=h.child)], key=lambda o: o["pid"])
    t.check(owners[1]["ppid"] == owners[0]["pid"] or owners[0]["ppid"] == owners[1]["pid"], "ppids")
    want = [sock("tcp", "listen", ("127.0.0.1", 4200), any4(), owners, s["inode"], send_q=16)]
    n = t.scanned_now()
    t.expect_doc(t.json(), t.doc(want, scanned=n), "--json")
    # selecting either holder shows the socket with every holder
    t.expect_doc(t.json("-p", str(h.child)), t.doc(want, scanned=n), "--json -p CHILD")
    t.expect_doc(t.json("-p", str(h.pid)), t.doc(want, scanned=n), "--json -p PARENT")
    # the child runs the parent's executable: one pre-fork group, one table row (PID "+1"),
    # judged once, and one stop hint, the group's (issue 9: nginx master + workers)
    r = t.run("-n", "-o", "proto,local,pid,fd,ppid")
    gp = f"{h.pid}+1"
    t.check(r.rc == 0 and r.out.decode().splitlines()[1:] == [
        f"tcp    127.0.0.1:4200  {gp:>3}   3  {owners[0]['ppid']:>4}"],
        "table: one line for the group (parent and its forked child) expected", r.out.decode().splitlines())
    ex = t.json("explain", "4200")
    # every holder: the child would keep the port (issue 19 item 8)
    t.check(ex.get("stop") == [{"pid": h.pid, "command": f"kill {h.pid} {h.child}"}],
            f"explain stop {ex.get('stop')}")
    codes = [f["code"] for f in ex["sockets"][0]["findings"]]
    t.check(len(codes) == len(set(codes)), f"findings once per group: {codes}")
    text = t.run("explain", "4200").out.decode()
    t.check(f"Held by pid {h.child} " not in text and f"+ 1 worker ({h.child}" in text,
            "explain: the child folded into the parent's line", text.splitlines())


@case
def reuseport_two_processes(t):
    """Two SO_REUSEPORT listeners on one port in two processes: two rows, one owner each."""
    a = t.hold("listen:127.0.0.1:4300,reuseport")
    b = t.hold("listen:127.0.0.1:4300,reuseport")
    rows = sorted([(a, a.sock("listen")), (b, b.sock("listen"))], key=lambda x: x[1]["inode"])
    want = [sock("tcp", "listen", ("127.0.0.1", 4300), any4(), [h.owner(s["fd"])], s["inode"], send_q=16)
            for h, s in rows]
    n = t.scanned_now()
    t.expect_doc(t.json(), t.doc(want, scanned=n), "--json")
    t.expect_doc(t.json("4300"), t.doc(want, scanned=n), "--json 4300")
    t.expect_doc(t.json("-p", str(b.pid)), t.doc([w for w in want if w["owners"][0]["pid"] == b.pid], scanned=n),
                 "--json -p B")


@case
def time_wait(t):
    """TIME-WAIT sockets: no inode, no owners, owner_status kernel, counted in unattributed.kernel."""
    c4 = make_time_wait("127.0.0.1", 4400)
    c6 = make_time_wait("::1", 4401)
    want = [
        sock("tcp", "time-wait", ("127.0.0.1", c4), ("127.0.0.1", 4400), [], 0),
        sock("tcp", "time-wait", ("::1", c6), ("::1", 4401), [], 0),
    ]
    want.sort(key=lambda s: s["local"]["port"])
    n = t.scanned_now()
    t.expect_doc(t.json("-a"), t.doc(want, scanned=n, kernel=2), "--json -a")
    t.expect_doc(t.json("--state", "time-wait"), t.doc(want, scanned=n, kernel=2), "--json --state time-wait")
    t.expect_doc(t.json("-a", "4400"), t.doc([w for w in want if w["remote"]["port"] == 4400], scanned=n, kernel=1),
                 "--json -a 4400 (remote port)")
    t.expect_doc(t.json(rc=1), t.doc([], scanned=0, privileged=ANY), "--json (no listeners)")
    r = t.run("-a", "-n", "-4")
    lines = r.out.decode().splitlines()
    t.check(r.rc == 0 and len(lines) == 2 and lines[1].split() ==
            ["tcp", f"127.0.0.1:{c4}", "127.0.0.1:4400", "TIME-WAIT", "loopback", "-", "-", "-", "[kernel]",
             "-"],
            "table row for time-wait", lines)
    t.check(r.err == b"", f"time-wait needs no note on stderr: {r.err!r}")


@case
def accept_queue(t):
    """A listener with connections nobody accepted yet: recv_q counts them, send_q is the
    backlog; the queued server-side sockets have no file yet (inode 0, kernel)."""
    h = t.hold("listen:127.0.0.1:4450,backlog=5")
    clients = []
    for _ in range(2):
        c = socket.create_connection(("127.0.0.1", 4450), timeout=5)
        clients.append(c)
    try:
        s = h.sock("listen")
        ports = sorted(c.getsockname()[1] for c in clients)
        with open("/proc/self/comm") as f:
            me = [(os.getpid(), f.read().strip())]  # the clients are ours
        d = t.json("-a")
        lst = sock("tcp", "listen", ("127.0.0.1", 4450), any4(), [h.owner(s["fd"])], s["inode"], recv_q=2, send_q=5)
        t.expect_doc(d["sockets"][0] if d["sockets"] else {}, lst, "the listener")
        got = [(k["local"]["port"], k["remote"]["port"], k["state"], k["inode"] == 0, k["owner_status"],
                [(o["pid"], o["name"]) for o in k["owners"]]) for k in d["sockets"][1:]]
        want = [(4450, p, "established", True, "kernel", []) for p in ports] + \
               [(p, 4450, "established", False, "ok", me) for p in ports]
        t.check(got == want, "queued connections", [f"got  {got}", f"want {want}"])
        t.check(d["unattributed"]["kernel"] == 2, f"unattributed {d['unattributed']}")
    finally:
        for c in clients:
            c.close()


@case
def hostile_names(t):
    """comm with ESC, newline, ')', '\\' and an invalid byte; argv with escapes, invalid UTF-8,
    C1 and bidi controls: the table escapes everything, the JSON round-trips."""
    name = b"\x1b[31mEV\nI)\\\xffx"  # 13 bytes: fits in comm
    argv0 = b"\x1b]0;pwned\x07ev\xffil\xc3("
    extra = [b"a\nb\x1b[2J\r", b"", b"\xe2\x80\xae rtl \xc2\x9b c1 \x7f", b"trunc\xe2\x82x", b"caf\xc3\xa9 it's \"q\"\t!", b"ls\xe2\x80\xa8sep"]
    exe = b"evil\x1b[2J\nexe\xff"  # the executable's file name is hostile too
    h = t.hold("listen:127.0.0.1:4500", "name:" + c_escape(name), argv0=argv0, extra=extra, exe_name=exe)
    spoof = t.hold("listen:127.0.0.1:4501", "name:f) R 4242 7 7")  # tries to fool a naive stat parser
    s, s2 = h.sock("listen"), spoof.sock("listen")
    t.require(open(f"/proc/{h.pid}/comm", "rb").read() == name + b"\n", "comm was not set as asked")
    want = [sock("tcp", "listen", ("127.0.0.1", 4500), any4(), [h.owner(s["fd"])], s["inode"], send_q=16),
            sock("tcp", "listen", ("127.0.0.1", 4501), any4(), [spoof.owner(s2["fd"])], s2["inode"], send_q=16)]
    r = t.run("--json")
    t.require(r.rc == 0, f"--json: {r}")
    t.check(not [c for c in r.out if c < 0x20 and c != 0x0A] and b"\xe2\x80\xa8" not in r.out,
            "--json output holds raw control bytes", [repr(r.out[:400])])
    d = parse_json(r)
    t.expect_doc(d, t.doc(want, scanned=t.scanned_now()), "--json")
    t.check(own_exe(d) == lossy_utf8(os.path.join(os.fsencode(t.tmpdir()), exe)),
            f"exe decodes to {own_exe(d)!r}")
    own = d["sockets"][0]["owners"][0] if d["sockets"] and d["sockets"][0]["owners"] else {}
    t.check(own.get("name") == "\x1b[31mEV\nI)\\\ufffdx", f"name decodes to {own.get('name')!r}")
    t.check(own.get("cmdline", [None])[0] == "\x1b]0;pwned\x07ev\ufffdil\ufffd(", f"argv0 decodes to {own.get('cmdline')!r}")

    for args in (["-w"], ["-a", "-w"], []):
        r = t.run(*args, env=t.env(COLUMNS="80"))
        out = r.out
        t.require(r.rc == 0, f"table {args}: {r}")
        bad = control_bytes(out)
        t.check(not bad, f"table {args}: raw control bytes at offsets {bad[:5]}", [repr(out[max(0, bad[0] - 20):bad[0] + 20])] if bad else [])
        t.check(out.endswith(b"\n") and len(out.splitlines()) == 3, f"table {args}: want header + 2 lines",
                [repr(ln) for ln in out.splitlines()])
        try:
            out.decode("utf-8")
        except UnicodeDecodeError as e:
            t.check(False, f"table {args} is not valid UTF-8: {e}")
    r = t.run("-w")
    text = r.out.decode("utf-8", "replace")
    # PROGRAM: the executable's name, as the comm starts neither it nor argv[0] (issue 9)
    for piece in ["  evil\\x1b[2J\\x0aexe\\xff  ", "\\x1b]0;pwned\\x07ev\\xffil\\xc3(", "a\\x0ab\\x1b[2J\\x0d",
                  "''", "\\u{202e} rtl \\u{009b} c1 \\x7f", "trunc\\xe2\\x82x", "café", "ls\\u{2028}sep"]:
        t.check(piece in text, f"table -w lacks the escaped text {piece!r}", [text])
    r = t.run("-w", "-o", "pid,exe")
    t.check(r.rc == 0 and not control_bytes(r.out) and b"/evil\\x1b[2J\\x0aexe\\xff\n" in r.out,
            "-o exe: the escaped executable path", [repr(r.out)])
    t.expect_doc(t.json("-c", "evil"), t.doc(want[:1], scanned=t.scanned_now()), "--json -c evil (exe name)")
    r = t.run("--csv")
    t.check(r.rc == 0 and not control_bytes(r.out) and len(r.out.splitlines()) == 3,
            f"--csv: {r}", [repr(r.out)])
    rows = list(csv.reader(io.StringIO(r.out.decode("utf-8"))))
    t.check(len(rows) == 3 and rows[1][rows[0].index("program")] == "evil\\x1b[2J\\x0aexe\\xff",
            "--csv program cell", [repr(x) for x in rows])
    # the -c filter compares raw names
    t.expect_doc(t.json("-c", "\x1b[31mEV"), t.doc(want[:1], scanned=t.scanned_now()), "--json -c ESC[31mEV")


@case
def unprivileged(t):
    """As nobody: root's listener is no-permission with no owners, nobody's own is attributed;
    partial is true and the table run says why on stderr."""
    root = t.hold("listen:127.0.0.1:4600")
    mine = t.hold("listen:127.0.0.1:4601", uid=NOBODY)
    rs, ms = root.sock("listen"), mine.sock("listen")
    pids = proc_pids()
    denied = sum(1 for p in pids if proc_uid(p) != NOBODY)
    scanned = sum(1 for p in pids if proc_uid(p) == NOBODY) + 1
    t.require(denied >= 2, f"expected root processes here, have {pids}")
    want = [
        sock("tcp", "listen", ("127.0.0.1", 4600), any4(), [], rs["inode"], send_q=16, status="no-permission"),
        sock("tcp", "listen", ("127.0.0.1", 4601), any4(), [mine.owner(ms["fd"])], ms["inode"], send_q=16, uid=NOBODY),
    ]
    r = t.run("--json", uid=NOBODY)
    t.require(r.rc == 0, f"--json as nobody: {r}")
    t.check(r.err == b"", f"--json as nobody wrote to stderr: {r.err!r}")
    t.expect_doc(parse_json(r), t.doc(want, scanned=scanned, denied=denied, partial=True,
                                          privileged=False, no_permission=1), "--json as nobody")
    r = t.run("-n", uid=NOBODY)
    t.check(r.rc == 0, f"table as nobody: {r}")
    lines = r.out.decode().splitlines()
    # USER of a hidden owner: the socket's user, from the kernel (issue 9)
    t.check(len(lines) == 3 and lines[1].split()[5:8] == ["-", "root", "[no-permission]"]
            and lines[2].split()[5:8] == [str(mine.pid), "nobody", "sockhold"], "table rows as nobody", lines)
    err = r.err.decode()
    t.check(err.count("\n") == 1 and "1 socket without a visible owner" in err and f"{denied} processes" in err
            and "CAP_SYS_PTRACE" in err and "root" in err, f"stderr note as nobody: {err!r}")
    r = t.run("--csv", uid=NOBODY)
    t.check(r.rc == 0 and len(r.out.splitlines()) == 3 and r.err.decode() == err,
            f"--csv as nobody: the same note on stderr: {r.err!r}")
    # the same as root sees both owners and says nothing
    r = t.run()
    t.check(r.rc == 0 and r.err == b"" and "[no-permission]" not in r.out.decode(), f"table as root: {r}")
    # user filters as nobody: the root socket is matched by its socket uid
    t.expect_doc(t.json("--user", "root", uid=NOBODY), t.doc(want[:1], scanned=scanned, denied=denied, partial=True,
                 privileged=False, no_permission=1), "--json --user root as nobody")
    # only nobody's own socket is shown: the processes it could not read hold none of it
    t.expect_doc(t.json("--user", "nobody", uid=NOBODY), t.doc(want[1:], scanned=scanned, denied=denied, partial=False,
                 privileged=False), "--json --user nobody as nobody")
    # partial says why, in the document itself (issue 21 review)
    notes = t.json(uid=NOBODY).get("notes")
    t.check(notes and "refused access to their file descriptors" in notes[0], f"--json as nobody: notes {notes}")


SS_STATES = {"LISTEN": "listen", "ESTAB": "established", "TIME-WAIT": "time-wait", "SYN-SENT": "syn-sent",
             "SYN-RECV": "syn-recv", "FIN-WAIT-1": "fin-wait-1", "FIN-WAIT-2": "fin-wait-2",
             "CLOSE-WAIT": "close-wait", "LAST-ACK": "last-ack", "CLOSING": "closing"}


def ss_addr(text):
    """ss 6.1 endpoint -> (address, port): 1.2.3.4:80, [::1]:80, *:80, 127.0.0.1%lo:53, 0.0.0.0:*."""
    host, port = text.rsplit(":", 1)
    host = re.sub(r"%[^\]%]*$", "", host)  # bound device, after the address or inside brackets
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = re.sub(r"%.*$", "", host)
    if host == "*":
        host = "::"  # ss prints * for the IPv6 wildcard of a dual-stack socket
    return host, 0 if port == "*" else int(port)


def parse_ss(text):
    rows = collections.Counter()
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split(None, 6)
        if len(f) < 6:
            raise Failed(f"unexpected ss line {line!r}")
        proto, state = f[0], f[1]
        state = ("unconn" if proto == "udp" else "close") if state == "UNCONN" else SS_STATES[state]
        owners = tuple(sorted((int(p), int(d)) for p, d in re.findall(r"pid=(\d+),fd=(\d+)", f[6] if len(f) > 6 else "")))
        rows[(proto, *ss_addr(f[4]), *ss_addr(f[5]), state, owners)] += 1
    return rows


def norm_json(doc):
    rows = collections.Counter()
    for s in doc["sockets"]:
        owners = tuple(sorted((o["pid"], o["fd"]) for o in s["owners"]))
        rows[(s["proto"], s["local"]["addr"], s["local"]["port"],
              s["remote"]["addr"], s["remote"]["port"], s["state"], owners)] += 1
    return rows


@case
def differential_ss(t):
    """On one busy namespace, (proto, local, remote, state, owners) from ss -tuanpH == ours."""
    a = t.hold("listen:127.0.0.1:5100", "listen:[::1]:5101,v6only", "listen:[::]:5102,dual,accept",
               "udp:127.0.0.1:5103", "udp:[::]:5104,v6only", "udp:127.0.0.1:5105,dev=lo",
               "listen:0.0.0.0:5106", "listen:[::ffff:127.0.0.1]:5107")
    b = t.hold("connect:127.0.0.1:5102", "connect:[::1]:5101", "udpconnect:127.0.0.1:5103", "dup",
               "connect:127.0.0.1:5107")
    f = t.hold("listen:127.0.0.1:5110,accept", "connect:127.0.0.1:5110", "fork")
    r1 = t.hold("listen:127.0.0.1:5120,reuseport")
    r2 = t.hold("listen:127.0.0.1:5120,reuseport")
    a.wait_accepted(1)
    make_time_wait("127.0.0.1", 5130)
    holders = {a.pid, b.pid, f.pid, f.child, r1.pid, r2.pid}
    # owner entries we made: a 9 (8 + accepted), b 5 (4 + dup), f 3 sockets x 2 processes, r1 1, r2 1
    n_owners = 9 + 5 + 6 + 1 + 1
    r = t.run("-a", "--json")
    t.require(r.rc == 0, f"portsleuth: {r}")
    ours = norm_json(parse_json(r))
    try:
        ss = subprocess.run(["ss", "-tuanpH"], capture_output=True, timeout=RUN_TIMEOUT, env=t.env())
    except FileNotFoundError:
        raise Failed("ss (iproute2) is not installed")
    t.require(ss.returncode == 0, f"ss failed: {ss.stderr!r}")
    theirs = parse_ss(ss.stdout.decode())
    for form in ("127.0.0.1%lo:5105 ", "*:5102 ", "[::]:5104 ", "[::ffff:127.0.0.1]:5107 ", "0.0.0.0:* ", "*:* "):
        t.check(form in ss.stdout.decode(), f"ss output lacks the address form {form.strip()!r} this test maps")
    # the comparison must be able to fail: both sides must see every owner we created
    for side, rows in (("ss", theirs), ("portsleuth", ours)):
        owners = [o for k, c in rows.items() for o in k[-1] for _ in range(c)]
        t.check(len(owners) == n_owners and {p for p, _ in owners} == holders,
                f"{side} sees {len(owners)} owners of pids {sorted({p for p, _ in owners})}, "
                f"want {n_owners} of {sorted(holders)}")
        t.check(sum(rows.values()) >= 20, f"{side} sees only {sum(rows.values())} sockets")
    states = {k[5] for k in theirs}
    t.check(states == {"listen", "established", "unconn", "time-wait"}, f"states seen by ss: {states}")
    t.check(any(k[1].startswith("::ffff:") for k in theirs), "no v4-mapped socket in the mix")
    only_ss, only_us = theirs - ours, ours - theirs
    t.check(not only_ss and not only_us, "ss and portsleuth disagree",
            [f"only ss:         {k}" for k in sorted(only_ss)] + [f"only portsleuth: {k}" for k in sorted(only_us)])
    # and a result with one owner dropped is told apart
    k = next(k for k in ours if len(k[-1]) == 2)
    mutated = ours.copy()
    mutated[k] -= 1
    mutated[k[:-1] + (k[-1][:1],)] += 1
    t.check(mutated != theirs, "the comparison did not notice a missing owner")


@case
def filters(t):
    """Ports, ranges, /proto, -t -u -4 -6, -p, -c, --user, --state, and exit status 1."""
    a = t.hold("listen:127.0.0.1:4701", "udp:127.0.0.1:4701", "listen:[::1]:4702,v6only",
               "udp:[::]:4703,v6only", "listen:127.0.0.1:4710,accept", "name:alpha")
    b = t.hold("connect:127.0.0.1:4710", "name:beta")
    c = t.hold("listen:127.0.0.1:4720", "name:gamma", uid=NOBODY)
    a.wait_accepted(1)
    cport = b.sock("connect")["lport"]
    A, B, C = (a.pid,), (b.pid,), (c.pid,)
    L = {
        "t4701": ("tcp", "inet", 4701, 0, "listen", A),
        "t4702": ("tcp", "inet6", 4702, 0, "listen", A),
        "t4710": ("tcp", "inet", 4710, 0, "listen", A),
        "e4710": ("tcp", "inet", 4710, cport, "established", A),
        "t4720": ("tcp", "inet", 4720, 0, "listen", C),
        "ecli": ("tcp", "inet", cport, 4710, "established", B),
        "u4701": ("udp", "inet", 4701, 0, "unconn", A),
        "u4703": ("udp", "inet6", 4703, 0, "unconn", A),
    }
    order = ["t4701", "t4702", "t4710", "e4710", "t4720", "ecli", "u4701", "u4703"]
    listening = ["t4701", "t4702", "t4710", "t4720", "u4701", "u4703"]

    def q(args, names, rc=0):
        try:
            d = t.json(*args, rc=rc)
        except Failed as e:
            t.check(False, f"portsleuth {' '.join(args)}: {e.args[0]}")
            return
        want = [L[n] for n in order if n in names]
        t.check(keys(d) == want, f"portsleuth --json {' '.join(args)}: wrong sockets",
                [f"got  {keys(d)}", f"want {want}"])

    q([], listening)
    q(["list"], listening)
    q(["-l"], listening)
    q(["4701"], ["t4701", "u4701"])
    q(["4701/udp"], ["u4701"])
    q(["4701/TCP"], ["t4701"])
    q(["4700-4705"], ["t4701", "t4702", "u4701", "u4703"])
    q(["4702-4702"], ["t4702"])
    q(["4701/udp", "4702"], ["t4702", "u4701"])
    q(["4703/tcp"], [], rc=1)
    q(["-a", "4710"], ["t4710", "e4710", "ecli"])
    q(["-a", str(cport)], ["e4710", "ecli"])
    q(["-t"], ["t4701", "t4702", "t4710", "t4720"])
    q(["-u"], ["u4701", "u4703"])
    q(["-t", "-u"], listening)
    q(["-4"], ["t4701", "t4710", "t4720", "u4701"])
    q(["-6"], ["t4702", "u4703"])
    q(["-6", "-u"], ["u4703"])
    q(["-4", "-6"], listening)
    q(["-a", "-p", str(b.pid)], ["ecli"])
    q(["-p", str(a.pid)], ["t4701", "t4702", "t4710", "u4701", "u4703"])
    q(["-a", "-p", f"{b.pid},{c.pid}"], ["t4720", "ecli"])
    q(["-p", "99999"], [], rc=1)
    q(["-c", "alpha"], ["t4701", "t4702", "t4710", "u4701", "u4703"])
    q(["-c", "alp"], ["t4701", "t4702", "t4710", "u4701", "u4703"])
    q(["-a", "-c", "beta", "-c", "gamma"], ["t4720", "ecli"])
    q(["-c", "sockhold"], listening)  # the executable's name matches too
    q(["-c", "alphabet"], [], rc=1)
    q(["--user", "root"], ["t4701", "t4702", "t4710", "u4701", "u4703"])
    q(["--user", "0"], ["t4701", "t4702", "t4710", "u4701", "u4703"])
    q(["--user", "nobody"], ["t4720"])
    q(["-a", "--user", "65534", "--user", "root"], order)
    q(["--state", "established"], ["e4710", "ecli"])
    q(["--state", "listen"], listening)
    q(["--state", "unconn"], ["u4701", "u4703"])
    q(["--state", "listen,established", "-t"], ["t4701", "t4702", "t4710", "e4710", "t4720", "ecli"])
    q(["--state", "time-wait"], [], rc=1)
    q(["-a"], order)
    q(["-a", "-t", "-4", "4710", "-c", "alpha"], ["t4710", "e4710"])
    # nothing matched: exit 1, empty table, a valid empty JSON document
    r = t.run("4999")
    t.check(r.rc == 1 and r.out == b"" and r.err == b"portsleuth: no socket matches.\n", f"no match, table: {r} {r.out!r}")
    r = t.run("--csv", "4999")
    t.check(r.rc == 1 and r.out.decode().splitlines() == ["proto,local,state,service,exposure,findings,pid,user,program,unit,command"],
            f"no match, csv: {r} {r.out!r}")


@case
def usage_errors(t):
    """Bad input exits 2 with one message on stderr and nothing on stdout."""
    bad = [
        (["70000"], "70000"), (["5-3"], "5-3"), (["80/sctp"], "80/sctp"),
        (["-1"], "-1"), (["1-"], "1-"), (["65536"], "65536"), (["nosuchservicexyz"], "nosuchservicexyz"),
        (["dst", "300.1.1.1"], "300.1.1.1"), (["sport", "=", ":22", ")"], "unmatched"),
        (["--state", "bogus"], "bogus"), (["--state", "listen,,"], "listen,,"),
        (["--user", "no_such_user_xyz"], "no_such_user_xyz"),
        (["-p", "abc"], "abc"), (["-p", "0"], "'0'"), (["-p", "12,"], "12,"), (["-p", ""], "''"),
        (["--bogus-option"], "--bogus-option"), (["-Z"], "-Z"), (["--state"], "--state"),
        (["-a", "--state", "listen"], "-a"), (["-l", "--state", "established"], "-l"), (["-o", "proto,nosuchcol"], "nosuchcol"),
        (["--color", "sometimes"], "sometimes"), (["-c", ""], "empty"),
        (["--services", "/nonexistent/services"], "/nonexistent/services"),
    ]
    for args, needle in bad:
        r = t.run(*args)
        err = r.err.decode(errors="replace")
        t.check(r.rc == 2 and r.out == b"" and err.startswith("portsleuth: ") and needle in err,
                f"portsleuth {' '.join(args)}: want exit 2 and a message naming {needle!r}: exit {r.rc}, "
                f"stdout {r.out[:80]!r}, stderr {err!r}")
    for args, start in ((["--help"], b"Usage: portsleuth"), (["-h"], b"Usage: portsleuth"),
                        (["-V"], b"portsleuth "), (["--version"], b"portsleuth "), (["-o", "help"], b"  proto")):
        r = t.run(*args)
        t.check(r.rc == 0 and r.out.startswith(start) and r.err == b"", f"portsleuth {' '.join(args)}: {r} {r.out[:60]!r}")


@case
def csv_output(t):
    """--csv: the header, then one record per (socket, owner); kernel sockets get one record."""
    f = t.hold("listen:127.0.0.1:4800", "udp:127.0.0.1:4801", "fork", argv0=b"held, with \"quotes\"")
    cport = make_time_wait("127.0.0.1", 4802)
    p, ch = sorted([f.pid, f.child])
    r = t.run("--csv", "-a", "-n")
    t.require(r.rc == 0, f"--csv -a -n: {r}")
    lines = r.out.decode().splitlines()
    t.check(lines[0] == "proto,local,remote,state,exposure,findings,pid,user,program,unit,command",
            f"csv header {lines[0]!r}")
    rows = list(csv.reader(io.StringIO(r.out.decode())))
    cmd = "'held, with \"quotes\"' listen:127.0.0.1:4800 udp:127.0.0.1:4801 fork --"
    # findings: comm "exe" (re-executed) is not "sockhold" (notice), from no package (info), once
    # for the parent and the child it forked (one pre-fork group); CSV still has a record per holder
    fnd = "notice+1"
    # PROGRAM: "exe" starts neither the executable's name nor argv[0]: the executable's name
    prog = os.fsdecode(os.path.basename(f.exe))
    want = [rows[0],
            ["tcp", "127.0.0.1:4800", "0.0.0.0:*", "LISTEN", "loopback", fnd, str(p), "root", prog, "", cmd],
            ["tcp", "127.0.0.1:4800", "0.0.0.0:*", "LISTEN", "loopback", fnd, str(ch), "root", prog, "", cmd],
            ["tcp", f"127.0.0.1:{cport}", "127.0.0.1:4802", "TIME-WAIT", "loopback", "", "", "", "[kernel]", "", ""],
            ["udp", "127.0.0.1:4801", "0.0.0.0:*", "UNCONN", "loopback", fnd, str(p), "root", prog, "", cmd],
            ["udp", "127.0.0.1:4801", "0.0.0.0:*", "UNCONN", "loopback", fnd, str(ch), "root", prog, "", cmd]]
    t.check(rows == want, "csv records", [f"got  {x}" for x in rows] + [f"want {x}" for x in want])
    t.check(len(lines) == 6, f"csv: {len(lines)} lines, want 6 (no embedded newlines)")
    r = t.run("--csv", "-o", "proto,local,pid,fd,inode", "4800")
    t.check(r.rc == 0 and r.out.decode().splitlines() == [
        "proto,local,pid,fd,inode",
        f"tcp,127.0.0.1:4800,{p},3,{f.sock('listen')['inode']}",
        f"tcp,127.0.0.1:4800,{ch},3,{f.sock('listen')['inode']}"], f"csv -o: {r.out!r}")


@case
def numeric_and_services(t):
    """SERVICE comes from --services FILE (or /etc/services); -n drops the column."""
    t.hold("listen:127.0.0.1:4321", "udp:127.0.0.1:4322")
    path = os.path.join(t.tmpdir(), "services")
    with open(path, "w") as fp:
        fp.write("# test services\ntestsvc\t4321/tcp\t# ours\nudpsvc 4322/udp\nbroken line here\nother 4321/udp\n")
    r = t.run("--services", path)
    lines = r.out.decode().splitlines()
    t.check(r.rc == 0 and lines[0].split()[3] == "SERVICE" and lines[1].split()[3] == "testsvc"
            and lines[2].split()[3] == "udpsvc", "SERVICE column from --services", lines)
    t.check(r.err.decode() == f"portsleuth: {path}: skipped 1 malformed line (first: line 4)\n",
            f"malformed-line note: {r.err!r}")
    r = t.run("--services", path, "-n")
    lines = r.out.decode().splitlines()
    # the registry is still read for findings with -n, so its malformed-line note stays
    t.check(r.rc == 0 and "SERVICE" not in lines[0] and "testsvc" not in r.out.decode()
            and r.err.decode() == f"portsleuth: {path}: skipped 1 malformed line (first: line 4)\n"
            and lines[0].split()[:4] == ["PROTO", "LOCAL", "STATE", "EXPOSURE"], "-n table", lines)
    r = t.run("--services", path, "--csv")
    t.check(r.rc == 0 and r.out.decode().splitlines()[1].split(",")[:4] == ["tcp", "127.0.0.1:4321", "LISTEN", "testsvc"],
            f"csv service: {r.out!r}")
    r = t.run("--services", path, "--json")
    # issue 3: the JSON carries the service (from the layered registry, --services as its last layer)
    t.check(r.rc == 0 and b'"name":"testsvc"' in r.out and f'"source":"{path}"'.encode() in r.out,
            "JSON carries the service name and its source")


@case
def width(t):
    """COLUMNS cuts shrinkable columns to the width (ellipsis), -w never cuts, a pipe never cuts."""
    long = ["listen:127.0.0.1:4900"] + [f"udp:127.0.0.1:{4910 + i}" for i in range(6)]
    t.hold(*long)
    cmdline = " ".join([t.exe_of(0)] + long)
    cols = ["-o", "proto,local,pid,program,command"]
    full = t.run(*cols, "-w")
    t.require(full.rc == 0, f"{full}")
    t.check(cmdline in full.out.decode(), "-w cut the table", full.out.decode().splitlines())
    r = t.run(*cols, env=t.env(COLUMNS=None))  # a pipe, no COLUMNS: never cut, as ps and ss
    t.check(r.rc == 0 and r.out == full.out, "a pipe without COLUMNS must not cut", r.out.decode().splitlines())
    for env, ell in ((t.env(COLUMNS="60"), "…"), (t.env(COLUMNS="60", LC_ALL="C"), "+")):
        r = t.run(*cols, env=env)
        lines = r.out.decode("utf-8").splitlines()
        t.check(r.rc == 0 and len(lines) == 8 and max(map(len, lines)) == 60 and all(len(x) <= 60 for x in lines),
                f"COLUMNS=60 {env['LC_ALL']}: widths {[len(x) for x in lines]}", lines)
        t.check(all(x.endswith(ell) for x in lines[1:]), f"COLUMNS=60 {env['LC_ALL']}: rows must end with {ell!r}", lines)
        w = t.run(*cols, "-w", env=env)
        t.check(w.out == full.out, f"-w with COLUMNS=60 {env['LC_ALL']} must not cut", w.out.decode().splitlines())
    # the default columns at 60: everything shrinkable is cut down to its minimum
    r = t.run(env=t.env(COLUMNS="60"))
    wide = t.run("-w", env=t.env(COLUMNS="60"))
    lines, wlines = r.out.decode().splitlines(), wide.out.decode().splitlines()
    t.check(r.rc == 0 and len(set(map(len, lines[1:]))) == 1 and max(map(len, lines)) < max(map(len, wlines))
            and cmdline not in r.out.decode() and cmdline in wide.out.decode(),
            "default columns with COLUMNS=60: rows must be cut (the command first)", lines)
    # a terminal's own width when COLUMNS is unset
    r = t.run_tty(*cols, cols=70, env=t.env(TERM="xterm", COLUMNS=None))
    lines = re.sub(SGR, b"", r.out).decode("utf-8").splitlines()
    t.check(r.rc == 0 and lines and max(map(len, lines)) == 70, f"tty of 70 columns: widths {[len(x) for x in lines]}", lines)


@case
def color(t):
    """--color=always colours the table; a pipe, NO_COLOR, TERM=dumb and --color=never do not."""
    t.hold("listen:127.0.0.1:4950", "udp:127.0.0.1:4951")
    r = t.run("--color=always")
    t.check(r.rc == 0 and b"\x1b[1mPROTO\x1b[0m" in r.out and b"\x1b[32mLISTEN\x1b[0m" in r.out
            and b"\x1b[36mUNCONN\x1b[0m" in r.out, f"--color=always: {r.out[:200]!r}")
    t.check(not re.sub(SGR, b"", r.out).count(b"\x1b"), "--color=always emits something besides SGR")
    plain = t.run()
    t.check(re.sub(SGR, b"", r.out) == plain.out, "--color=always must differ from plain only by SGR codes")
    for args, env in (([], t.env()), (["--color=auto"], t.env(NO_COLOR="1")), (["--color", "never"], t.env()),
                      (["--color=always", "--json"], t.env()), (["--color=always", "--csv"], t.env())):
        r = t.run(*args, env=env)
        t.check(r.rc == 0 and b"\x1b" not in r.out, f"{args} NO_COLOR={env.get('NO_COLOR')}: colour in {r.out[:120]!r}")
    r = t.run_tty()
    t.check(r.rc == 0 and b"\x1b[32mLISTEN" in r.out, f"a tty gets colour by default: {r.out[:200]!r}")
    for env in (t.env(TERM="xterm", NO_COLOR="1"), t.env(TERM="dumb")):
        r = t.run_tty(env=env)
        t.check(r.rc == 0 and b"\x1b" not in r.out and b"LISTEN" in r.out,
                f"tty with NO_COLOR={env.get('NO_COLOR')} TERM={env.get('TERM')}: {r.out[:200]!r}")
    r = t.run_tty("--color=never")
    t.check(r.rc == 0 and b"\x1b" not in r.out, f"tty --color=never: {r.out[:200]!r}")


@case
def dup_fds(t):
    """One socket at two fds of one process: two owner entries, sorted by fd."""
    h = t.hold("listen:127.0.0.1:4250", "dup", "udp:127.0.0.1:4251")
    l, d, u = h.sock("listen"), h.sock("dup"), h.sock("udp")
    t.require(l["inode"] == d["inode"], "dup made a new socket?")
    want = [sock("tcp", "listen", ("127.0.0.1", 4250), any4(), [h.owner(l["fd"]), h.owner(d["fd"])], l["inode"], send_q=16),
            sock("udp", "unconn", ("127.0.0.1", 4251), any4(), [h.owner(u["fd"])], u["inode"])]
    t.expect_doc(t.json(), t.doc(want, scanned=t.scanned_now()), "--json")
    r = t.run("--csv", "-o", "proto,local,pid,fd")
    t.check(r.out.decode().splitlines() == ["proto,local,pid,fd", f"tcp,127.0.0.1:4250,{h.pid},{l['fd']}",
                                            f"tcp,127.0.0.1:4250,{h.pid},{d['fd']}", f"udp,127.0.0.1:4251,{h.pid},{u['fd']}"],
            f"--csv: {r.out!r}")
    # the table: one row for the socket, its fds listed (issue 20 item 10)
    r = t.run("-n", "-o", "proto,local,pid,fd")
    rows = [ln.split() for ln in r.out.decode().splitlines()]
    t.check(rows == [["PROTO", "LOCAL", "PID", "FD"], ["tcp", "127.0.0.1:4250", str(h.pid), f"{l['fd']},{d['fd']}"],
                     ["udp", "127.0.0.1:4251", str(h.pid), str(u["fd"])]], f"table: {rows}")


@case
def capabilities(t):
    """Not root but CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH sees every owner; root without
    CAP_SYS_PTRACE cannot read fully privileged processes and says so."""
    h = t.hold("listen:127.0.0.1:4650")
    s = h.sock("listen")
    full = [sock("tcp", "listen", ("127.0.0.1", 4650), any4(), [h.owner(s["fd"])], s["inode"], send_q=16)]
    bin_ = t.exe_of(NOBODY, "binary")  # a copy every user can execute
    caps = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
            "--inh-caps=+sys_ptrace,+dac_read_search", "--ambient-caps=+sys_ptrace,+dac_read_search"]
    n = t.scanned_now()
    r = subprocess.run(caps + [bin_, "--json"], capture_output=True, timeout=RUN_TIMEOUT, env=t.env())
    t.check(r.returncode == 0 and r.stderr == b"", f"nobody+caps: exit {r.returncode} {r.stderr!r}")
    if r.returncode == 0:
        t.expect_doc(parse_json(r), t.doc(full, scanned=n), "--json as nobody with the two capabilities")
    noptrace = ["setpriv", "--bounding-set=-sys_ptrace", "--inh-caps=-sys_ptrace"]
    denied = len(proc_pids())  # every other process has CAP_SYS_PTRACE, which we lack
    r = subprocess.run(noptrace + [bin_, "--json"], capture_output=True, timeout=RUN_TIMEOUT, env=t.env())
    t.check(r.returncode == 0 and r.stderr == b"", f"root without CAP_SYS_PTRACE: exit {r.returncode} {r.stderr!r}")
    if r.returncode == 0:
        noperm = [sock("tcp", "listen", ("127.0.0.1", 4650), any4(), [], s["inode"], send_q=16, status="no-permission")]
        t.expect_doc(parse_json(r), t.doc(noperm, scanned=1, denied=denied, partial=True, no_permission=1),
                     "--json as root without CAP_SYS_PTRACE")
    r = subprocess.run(noptrace + [bin_], capture_output=True, timeout=RUN_TIMEOUT, env=t.env())
    err = r.stderr.decode()
    t.check(r.returncode == 0 and "[no-permission]" in r.stdout.decode() and err.count("\n") == 1
            and "1 socket without a visible owner" in err and f"{denied} processes" in err
            and "sudo" not in err, f"table as root without CAP_SYS_PTRACE: note {err!r}")


@case
def long_cmdline(t):
    """A command line over the 256 KiB limit is cut and marked, in JSON and in the table."""
    extra = [b"A" * 100000, b"B" * 100000, b"C" * 100000]
    h = t.hold("listen:127.0.0.1:4550", extra=extra)
    with open(f"/proc/{h.pid}/cmdline", "rb") as f:
        raw = f.read()
    t.require(len(raw) > 300000, f"cmdline is only {len(raw)} bytes")
    limit = 256 * 1024
    d = t.json()
    own = d["sockets"][0]["owners"][0] if d["sockets"] and d["sockets"][0]["owners"] else {}
    want = [a.decode() for a in raw[:limit].split(b"\0")]
    t.check(own.get("cmdline_truncated") is True, f"cmdline_truncated is {own.get('cmdline_truncated')!r}")
    t.check(own.get("cmdline") == want, "cmdline must be the first 256 KiB, split at NULs",
            [f"got {len(own.get('cmdline') or [])} args, lengths {[len(a) for a in own.get('cmdline') or []]}",
             f"want lengths {[len(a) for a in want]}"])
    r = t.run("-w", "-o", "command")
    t.check(r.rc == 0 and r.out.endswith(b"C" * 100 + b" [truncated]\n"), f"table: {r.out[-80:]!r}")
    # a short command line is not marked
    short = t.hold("listen:127.0.0.1:4551")
    d = t.json("4551")
    t.check([o["cmdline_truncated"] for o in d["sockets"][0]["owners"]] == [False], "short cmdline marked truncated")


@case
def unknown_uid(t):
    """A uid with no passwd entry: "user" is null in JSON, the number in the table; --user UID works."""
    uid = 12345
    t.require(user_name(uid) is None, f"uid {uid} exists here; pick another")
    h = t.hold("listen:127.0.0.1:4680", uid=uid)
    s = h.sock("listen")
    want = [sock("tcp", "listen", ("127.0.0.1", 4680), any4(), [h.owner(s["fd"])], s["inode"], send_q=16, uid=uid)]
    t.check(want[0]["user"] is None and want[0]["owners"][0]["user"] is None, "expected user null")
    n = t.scanned_now()
    t.expect_doc(t.json(), t.doc(want, scanned=n), "--json")
    t.expect_doc(t.json("--user", str(uid)), t.doc(want, scanned=n), "--json --user 12345")
    t.json("--user", "0", rc=1)
    r = t.run("-n", "-o", "proto,local,sockuser,pid,user")
    t.check(r.out.decode().splitlines()[1:] == [f"tcp    127.0.0.1:4680  12345     {h.pid:>3}  12345"],
            f"table: {r.out!r}")


@case
def many_sockets(t):
    """Thousands of sockets (several netlink batches, a big inode index): every one listed,
    with the right fd, and single-port / range queries still exact."""
    count = 1500
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4 * count), max(hard, 4 * count)))
    held = []
    try:
        for i in range(count):
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                k = socket.socket(socket.AF_INET, kind)
                k.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                k.bind(("127.0.0.1", 20000 + i))
                if kind == socket.SOCK_STREAM:
                    k.listen(8)
                held.append(k)
        me = os.getpid()
        want = {("tcp" if k.type == socket.SOCK_STREAM else "udp", k.getsockname()[1]):
                (os.fstat(k.fileno()).st_ino, [(me, k.fileno())]) for k in held}
        d = t.json()
        got = {(x["proto"], x["local"]["port"]): (x["inode"], [(o["pid"], o["fd"]) for o in x["owners"]])
               for x in d["sockets"]}
        t.check(len(d["sockets"]) == 2 * count, f"{len(d['sockets'])} sockets listed, want {2 * count}")
        bad = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        t.check(not bad, f"{len(bad)} sockets differ", [f"{k}: got {got.get(k)}, want {want.get(k)}" for k in bad[:5]])
        t.check([(x["proto"], x["local"]["port"]) for x in d["sockets"]] == sorted(want), "not sorted by proto, port")
        t.check(d["unattributed"] == {"no-permission": 0, "kernel": 0, "vanished": 0, "unreported": 0}, f"{d['unattributed']}")
        one = t.json("20750")
        t.check(keys(one) == [("tcp", "inet", 20750, 0, "listen", (me,)), ("udp", "inet", 20750, 0, "unconn", (me,))],
                f"20750: {keys(one)}")
        rng = t.json("21000-21099/udp")
        t.check([k[2] for k in keys(rng)] == list(range(21000, 21100)) and {k[0] for k in keys(rng)} == {"udp"},
                f"21000-21099/udp: {len(rng['sockets'])} sockets")
    finally:
        for k in held:
            k.close()


@case
def empty_namespace(t):
    """No sockets at all: exit 1, no table, a complete JSON document with no sockets."""
    r = t.run()
    t.check(r.rc == 1 and r.out == b"" and r.err == b"portsleuth: no socket matches.\n", f"table: {r} {r.out!r}")
    t.expect_doc(t.json("-a", rc=1), t.doc([], scanned=0, privileged=True), "--json -a")


# ---------------------------------------------------------------- more cases: cases_*.py

def _load_case_modules():
    """Each tests/integration/cases_*.py defines register(run) and adds its cases with run.case."""
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    for fn in sorted(os.listdir(here)):
        if fn.startswith("cases_") and fn.endswith(".py"):
            spec = importlib.util.spec_from_file_location(fn[:-3], os.path.join(here, fn))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            mod.register(sys.modules[__name__])


_load_case_modules()


# ---------------------------------------------------------------- drivers


def cgroup2_root():
    """Where the cgroup2 file system is mounted (/sys/fs/cgroup, or .../unified on hybrid hosts)."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.split(" ")[0] == "cgroup2":
                return left.split(" ")[4].replace("\\040", " ")
    return None


# What the host could leak into a case besides sockets and processes (those are private
# already): named network namespaces (/run/netns: the only part of /run portsleuth reads; the
# rest stays, daemons started by cases need it), container runtimes' state, and the cgroup the
# tests were started from (a session scope or a service would show up as every process's unit).
PRIVATE_DIRS = ("/run/netns", "/var/lib/docker", "/var/lib/containers")


def make_hermetic(cgroup):
    """Inside the case's own mount namespace (private propagation, unshare's default): an empty
    tmpfs over each of PRIVATE_DIRS that exists (/run/netns always), and this process (pid 1 of
    the case) moved into `cgroup`, a fresh cgroup directly under the cgroup2 root that no unit or
    container name describes."""
    os.makedirs("/run/netns", mode=0o755, exist_ok=True)
    for d in PRIVATE_DIRS:
        if os.path.isdir(d):
            subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "portsleuth-it", d], check=True,
                           timeout=RUN_TIMEOUT)
    if cgroup:
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write("0")  # 0: the writer itself


def run_case_here(name, binary, helper, cgroup=None):
    """Inside the namespaces: run one case; print FAIL/detail lines and CASE-DONE."""
    fn = next(c for c in CASES if c.__name__ == name)
    t = Case(name, binary, helper)
    skipped = None
    try:
        if os.getpid() != 1:
            raise Failed(f"not in a private PID namespace (pid {os.getpid()})")
        make_hermetic(cgroup)
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=RUN_TIMEOUT)
        if fn.needs:
            have = build_features(binary)
            lacking = [f for f in fn.needs if not have.get(f)]
            if lacking:
                raise Skipped(f"this build of portsleuth lacks {', '.join('+' + f for f in lacking)} "
                              f"(see --version): install {' '.join(FEATURE_SOURCE[f] for f in lacking)} "
                              "and rebuild")
        fn(t)
    except Skipped as e:
        skipped = e.args[0]
    except Failed as e:
        t.failures.append((e.args[0], e.args[1] if len(e.args) > 1 else []))
    except Exception:
        t.failures.append(("crashed", traceback.format_exc().splitlines()))
    finally:
        t.cleanup()
    for msg, detail in t.failures:
        print("FAIL " + msg.replace("\n", "\\n"))
        for d in detail:
            print("    " + str(d).replace("\n", "\\n"))
    if skipped is not None and not t.failures:
        print("SKIP " + skipped.replace("\n", "\\n"))
    print("CASE-DONE")
    sys.stdout.flush()
    return 1 if t.failures else 0


def case_cgroup():
    """A new empty cgroup for one case, or None without a writable cgroup2 file system."""
    root = cgroup2_root()
    if not root:
        return None
    path = os.path.join(root, f"portsleuth-it-case-{os.urandom(6).hex()}")
    try:
        os.mkdir(path)
    except OSError:
        return None
    return path


def remove_cgroup(path):
    for _ in range(100):  # processes killed with the case leave it as they are reaped
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


def run_case_isolated(name, binary, helper, extra=()):
    """Run one case under unshare; returns (ok, lines to print, seconds, skip reason or None)."""
    cg = case_cgroup()
    argv = ["unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child",
            sys.executable, os.path.abspath(__file__), "--bin", binary, "--helper", helper, "--case", name,
            *(["--cgroup", cg] if cg else []), *extra]
    t0 = time.monotonic()
    try:
        # a session of its own: nothing a case starts can signal the runner's process group
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=CASE_TIMEOUT,
                           start_new_session=True)
    except subprocess.TimeoutExpired:
        return False, [f"FAIL {name}: timed out after {CASE_TIMEOUT}s"], time.monotonic() - t0, None
    finally:
        if cg:
            remove_cgroup(cg)
    dt = time.monotonic() - t0
    lines = r.stdout.decode(errors="replace").splitlines()
    out = []
    skip = None
    for ln in lines:
        if ln.startswith("SKIP "):
            skip = ln[5:]
        elif ln.startswith("FAIL "):
            out.append(f"FAIL {name}: {ln[5:]}")
        elif ln.startswith("    "):
            out.append(ln)
    done = "CASE-DONE" in lines
    if not done or (r.returncode != 0 and not out):
        err = r.stderr.decode(errors="replace").strip().splitlines()[-5:]
        out.append(f"FAIL {name}: case runner exited with status {r.returncode} "
                   f"{'before finishing' if not done else ''}")
        out += ["    " + e for e in err]
    return r.returncode == 0 and done and not out, out, dt, skip


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="portsleuth binary to test")
    ap.add_argument("--helper", required=True, help="sockhold helper binary")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--cgroup", help=argparse.SUPPRESS)
    ap.add_argument("-k", dest="pattern", help="run only cases whose name contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="cases run in parallel (default 2)")
    ap.add_argument("-q", action="store_true", help="print failures and the total only")
    ap.add_argument("--strict-keys", action="store_true",
                    help="also fail on JSON keys the tests do not know (new schema fields)")
    a = ap.parse_args()
    global STRICT_KEYS
    STRICT_KEYS = a.strict_keys
    binary, helper = os.path.abspath(a.bin), os.path.abspath(a.helper)
    if a.case:
        sys.exit(run_case_here(a.case, binary, helper, a.cgroup))
    stage = None
    if os.geteuid() == 0 and os.access(binary, os.X_OK) and os.access(helper, os.X_OK):
        binary, helper, stage = stage_binaries(binary, helper)
    try:
        main_cases(a, binary, helper)
    finally:
        if stage:
            shutil.rmtree(stage, ignore_errors=True)


STAGE_ENV = "PORTSLEUTH_IT_STAGE"


def stage_binaries(binary, helper):
    """Copy the binaries under the tests to a directory outside every temp dir, readable
    by all: a checkout under /tmp would otherwise give every helper process the finding
    "runs from a temp dir" and change what the cases expect."""
    base = "/var/lib/portsleuth-tests"
    os.makedirs(base, mode=0o755, exist_ok=True)
    stage = tempfile.mkdtemp(prefix="run-", dir=base)
    os.chmod(stage, 0o755)
    out = []
    for src in (binary, helper):
        dst = os.path.join(stage, os.path.basename(src))
        shutil.copy(src, dst)
        os.chmod(dst, 0o755)
        out.append(dst)
    # other helpers built next to sockhold (hideholder: cases_integrity.py)
    for name in ("hideholder",):
        src = os.path.join(os.path.dirname(os.path.abspath(helper)), name)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(stage, name))
            os.chmod(os.path.join(stage, name), 0o755)
    os.environ[STAGE_ENV] = stage
    return out[0], out[1], stage


def main_cases(a, binary, helper):
    extra = ["--strict-keys"] if a.strict_keys else []

    selected = [c for c in CASES if not a.pattern or a.pattern in c.__name__]
    cases = [c.__name__ for c in selected if not c.optin or os.environ.get(c.optin) == "1"]
    for var in sorted({c.optin for c in selected if c.optin and os.environ.get(c.optin) != "1"}):
        n = sum(1 for c in selected if c.optin == var)
        print(f"({n} opt-in cases not run: set {var}=1 to run them)")
    problems = []
    for path in (binary, helper):
        if not os.access(path, os.X_OK):
            problems.append(f"FAIL setup: {path} is not an executable file (build it first)")
    if os.geteuid() != 0:
        problems.append("FAIL setup: the integration tests need root (network and PID namespaces, setpriv)")
    for tool in ("unshare", "ip", "ss", "setpriv"):
        if not shutil.which(tool):
            problems.append(f"FAIL setup: {tool} is missing (see tests/deps.sh)")
    if not problems:
        try:
            r = subprocess.run(["unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child", "true"],
                               capture_output=True, timeout=RUN_TIMEOUT)
            if r.returncode != 0:
                problems.append("FAIL setup: cannot make private namespaces with unshare: "
                                + r.stderr.decode(errors="replace").strip())
        except subprocess.TimeoutExpired:
            problems.append("FAIL setup: unshare hangs")
    if problems:
        print("\n".join(problems))
        print(f"integration: 0 passed, {len(cases)} failed")
        sys.exit(1)

    passed = failed = skipped = 0
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        futures = [pool.submit(run_case_isolated, n, binary, helper, extra) for n in cases]
        for name, fut in zip(cases, futures):
            ok, lines, dt, skip = fut.result()
            if ok and skip is not None:
                skipped += 1
                print(f"skip {name}: {skip}")
            elif ok:
                passed += 1
                if not a.q:
                    print(f"ok {name} ({dt:.2f}s)")
            else:
                failed += 1
                print("\n".join(lines))
            sys.stdout.flush()
    if not a.q:
        print(f"({len(cases)} cases in {time.monotonic() - t0:.1f}s)")
    if skipped:
        print(f"({skipped} skipped: neither passed nor failed)")
    print(f"integration: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
