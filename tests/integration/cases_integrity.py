# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_integrity.py — owners that cannot be hidden or borrowed (issue 19): a user's forged exe
link, a program mounted over a system path in a user's own mount namespace, holders that are
threads or io_uring rings or no file table at all, and a user's cgroup named like a container.

Loaded by run.py. Every attack runs as an unprivileged user (setpriv) in the case's own
namespaces, the way the issue reproduced it on a real host.
"""
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time

R = None  # the runner module, set by register()
SVC = None  # cases_services (its Cgroups and Spawned helpers)
USER = 1001
SSHD = "/usr/sbin/sshd"
ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"


def register(run):
    global R, SVC
    R = run
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("cases_services_i19", os.path.join(here, "cases_services.py"))
    SVC = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(SVC)
    SVC.R = run
    for fn in (integrity_exe_link_forged, integrity_exe_link_forged_decoy,
               integrity_exe_link_forged_decoy_bpf, integrity_mount_over_sshd,
               integrity_pivot_root_sshd, integrity_private_mount_only, integrity_fake_conmon,
               integrity_ld_so_program, integrity_preload_foreign_library,
               integrity_thread_holders_proc, integrity_thread_holders_bpf, integrity_uring_proc,
               integrity_uring_bpf, integrity_uring_hidden_ring, integrity_uring_nommap, integrity_in_flight, integrity_in_flight_churn, integrity_exec_flip_proc,
               integrity_exec_flip_bpf, integrity_podman_container, integrity_user_cgroup_docker_id,
               integrity_user_cgroup_rootless_podman):
        run.case(fn)


# ---------------------------------------------------------------- helpers


def by_port(doc, port):
    found = [s for s in doc["sockets"] if s["local"]["port"] == port]
    if len(found) != 1:
        raise R.Failed(f"{len(found)} sockets on port {port}, want 1", [json.dumps(s)[:300] for s in doc["sockets"]])
    return found[0]


def codes(s):
    return {f["code"]: f for f in s.get("findings") or []}


def docker_state(t, root, cid, name):
    d = os.path.join(root, "containers", cid)
    os.makedirs(d)
    with open(os.path.join(d, "config.v2.json"), "w") as f:
        json.dump({"ID": cid, "Name": "/" + name, "State": {"Running": True},
                   "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.2"}}}}, f)


def veth_up(t, cidr):
    """An address beyond loopback in the case's namespace (a veth pair eth0/eth0p with cidr)."""
    for argv in (["ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p"],
                 ["ip", "addr", "add", cidr, "dev", "eth0"], ["ip", "link", "set", "eth0p", "up"],
                 ["ip", "link", "set", "eth0", "up"]):
        r = subprocess.run(argv, capture_output=True)
        t.require(r.returncode == 0, f"{argv}: {r.stderr!r}")


def user_copy(t, path):
    """A copy of path the user can run (the case's tmpdir is root's)."""
    d = t.tmpdir()
    dst = os.path.join(d, os.path.basename(path))
    if not os.path.exists(dst):
        shutil.copy(path, dst)
        os.chmod(dst, 0o755)
    os.chmod(d, 0o755)
    return dst


class Hidden:
    """hideholder MODE ARGS as the user (setpriv), started through argv prefix `pre`."""

    def __init__(self, t, *args, pre=(), uid=USER):
        helper = user_copy(t, os.path.join(os.path.dirname(os.path.abspath(t.helper)), "hideholder"))
        argv = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *pre, helper, *map(str, args)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     close_fds=True)
        t.procs.append(self.proc)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY pid="):
            self.proc.wait(5)
            err = self.proc.stderr.read().decode(errors="replace").strip()
            t.require(False, f"hideholder {args}: {line!r} {err}")
        self.pid = int(line.split("=")[1])
        t.extra_pids.append(self.pid)


def need_sshd(t):
    if not os.path.exists(SSHD):
        t.skip(f"{SSHD} is missing (Debian package openssh-server, tests/deps.sh)")


def exe_policy(t, port, exe):
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "w") as f:
        f.write(f"allow tcp {port} exe={exe}\n")
    return t.run("check", "--baseline", pol)


# ---------------------------------------------------------------- items 1, 2: identity


def integrity_exe_link_forged(t):
    """A user in a user namespace of its own drops its image's mappings and points /proc/PID/exe
    at /usr/sbin/sshd (prctl PR_SET_MM_MAP exe_fd): not the packaged sshd, an alert saying no
    mapping is that file, and an exe=/usr/sbin/sshd policy does not pass."""
    R.need_userns(t)
    need_sshd(t)
    h = Hidden(t, "exefake", 2222, SSHD)
    t.require(os.readlink(f"/proc/{h.pid}/exe") == SSHD, "test premise: the exe link names sshd")
    s = by_port(t.json(), 2222)
    o = s["owners"][0]
    t.check(o["pid"] == h.pid, "owner found", [o])
    got = codes(s)
    f = got.get("exe-unmapped")
    t.check(f is not None and f["severity"] == "alert" and SSHD in f["reason"] and "no mapping" in f["reason"]
            and "user namespace" in (f["evidence"] or ""), "alert: exe link names sshd but no mapping is it", [s["findings"]])
    t.check("openssh-server" not in json.dumps(o), "no package of ours claimed for it", [o])
    ex = t.run("explain", "2222").out.decode()
    t.check("openssh-server" not in ex and "exe-unmapped" in ex and "Findings: none" not in ex,
            "explain: no package, the alert", ex.splitlines())
    r = exe_policy(t, 2222, SSHD)
    t.check(r.rc == 4, "exe=/usr/sbin/sshd does not pass for the forged link", [r])
    t.check(f": proven exe is none, the rule wants {SSHD}" in r.out.decode(),
            "check names the term that refused: the exe is not proven", r.out.decode().splitlines())


def forged_decoy(t, *how):
    """The same, with a read-only mapping of /usr/sbin/sshd kept as a decoy: the user namespace is
    the tell left, an alert (a daemon's path claimed from a user namespace)."""
    R.need_userns(t)
    need_sshd(t)
    h = Hidden(t, "exefake", 2223, SSHD, "decoy")
    s = by_port(t.json(*how), 2223)
    got = codes(s)
    t.check(s["owners"][0]["pid"] == h.pid, "owner found", [s["owners"]])
    f = got.get("exe-userns")
    t.check("exe-unmapped" not in got and f is not None and f["severity"] == "alert" and SSHD in f["reason"],
            "alert: exe set from a user namespace", [s["findings"]])
    t.check("openssh-server" not in json.dumps(s["owners"]), "no package of ours claimed", [s["owners"]])
    r = exe_policy(t, 2223, SSHD)
    t.check(r.rc == 4, "exe=/usr/sbin/sshd does not pass", [r])


def integrity_exe_link_forged_decoy(t):
    forged_decoy(t)


def integrity_exe_link_forged_decoy_bpf(t):
    """The decoy with the BPF method, whose pass records the owner's user namespace itself."""
    R.need_bpf(t)
    forged_decoy(t, "--attribution", "bpf")


def integrity_mount_over_sshd(t):
    """A user in its own user and mount namespace (unshare -Urm) bind-mounts its own program on
    /usr/sbin/sshd and runs it: an alert naming both files, no package of ours, and the closing
    note does not claim the executables could not be read."""
    R.need_userns(t)
    need_sshd(t)
    helper = user_copy(t, t.helper)
    inner = f'mount --bind "$0" {SSHD} && exec {SSHD} listen:0.0.0.0:2224'
    sp = SVC.Spawned(t, 'exec setpriv --reuid=1001 --regid=1001 --clear-groups unshare -Urm sh -c "$2" "$1"',
                     [helper, inner])
    t.require(os.readlink(f"/proc/{sp.pid}/exe") == SSHD, "test premise: the exe link reads /usr/sbin/sshd")
    st, host = os.stat(f"/proc/{sp.pid}/exe"), os.stat(SSHD)
    t.require((st.st_dev, st.st_ino) != (host.st_dev, host.st_ino), "test premise: it runs another file")
    s = by_port(t.json(), 2224)
    got = codes(s)
    f = got.get("exe-other-file")
    t.check(f is not None and f["severity"] == "alert" and SSHD in f["reason"]
            and f"inode {st.st_ino}" in f["evidence"] and f"inode {host.st_ino}" in f["evidence"],
            "alert naming both files", [s["findings"]])
    t.check("openssh-server" not in json.dumps(s["owners"]), "no package of ours claimed", [s["owners"]])
    ex = t.run("explain", "2224").out.decode()
    t.check("could not be read" not in ex, "explain does not say the executables could not be read",
            ex.splitlines())
    r = exe_policy(t, 2224, SSHD)
    t.check(r.rc == 4, "exe=/usr/sbin/sshd does not pass for another file at that path", [r])


PRIVATE = 'mount -t tmpfs -o mode=755 t /usr/local/sbin && cp "$0" /usr/local/sbin/"$1" && exec /usr/local/sbin/"$1" "$2"'


def integrity_private_mount_only(t):
    """A user in its own user and mount namespace mounts a tmpfs on /usr/local/sbin, a path whose
    files the host does not have, and runs its program there as sshd: its identity is unproven,
    an alert (a daemon's name, reachable beyond loopback) saying it is seen only through a
    private mount namespace; the same for a tool of another name on loopback is a notice."""
    R.need_userns(t)
    helper = user_copy(t, t.helper)
    for name in ("sshd", "mytool"):
        if os.path.exists(f"/usr/local/sbin/{name}"):
            t.skip(f"test premise: the host has no /usr/local/sbin/{name}")
    run = 'exec setpriv --reuid=1001 --regid=1001 --clear-groups unshare -Urm sh -c "$4" "$1" "$2" "$3"'
    a = SVC.Spawned(t, run, [helper, "sshd", "listen:0.0.0.0:4704", PRIVATE])
    b = SVC.Spawned(t, run, [helper, "mytool", "listen:127.0.0.1:4705", PRIVATE])
    t.require(os.readlink(f"/proc/{a.pid}/exe") == "/usr/local/sbin/sshd", "test premise: the exe link")
    doc = t.json()
    for sp, port, sev in ((a, 4704, "alert"), (b, 4705, "notice")):
        s = by_port(doc, port)
        t.check(s["owners"][0]["pid"] == sp.pid, f"{port}: owner found", [s["owners"]])
        f = codes(s).get("exe-other-file")
        t.check(f is not None and f["severity"] == sev and "private mount namespace of an unprivileged user"
                in f["reason"], f"{port}: {sev}, seen only through a private mount namespace", [s["findings"]])
    ex = t.run("explain", "4704").out.decode()
    t.check("Findings: none" not in ex and "exe-other-file" in ex, "explain names the finding", ex.splitlines())


PIVOT = r"""set -e
N="$0/new"
mkdir -p "$N"
mount -t tmpfs x "$N"
mkdir -p "$N/usr/lib" "$N/usr/lib64" "$N/usr/bin" "$N/usr/sbin" "$N/old"
for d in lib lib64 bin; do mount --rbind /usr/$d "$N/usr/$d"; ln -s usr/$d "$N/$d"; done
cp "$1" "$N/usr/sbin/sshd"
cd "$N"
/usr/sbin/pivot_root . old
exec /usr/bin/sh -c 'umount -l /old 2>/dev/null; exec /usr/sbin/sshd listen:0.0.0.0:2225'
"""


def integrity_pivot_root_sshd(t):
    """A user in its own user and mount namespace makes a root of its own (pivot_root) holding its
    program at /usr/sbin/sshd: the exe link reads /usr/sbin/sshd, but no container runs it, so
    an alert naming both files, and no package of ours."""
    R.need_userns(t)
    need_sshd(t)
    helper = user_copy(t, t.helper)
    work = os.path.join(t.tmpdir(), "pivot")
    os.makedirs(work)
    os.chown(work, USER, USER)
    sp = SVC.Spawned(t, 'exec setpriv --reuid=1001 --regid=1001 --clear-groups unshare -Urm sh -c "$3" "$1" "$2"',
                     [work, helper, PIVOT])
    t.require(os.readlink(f"/proc/{sp.pid}/exe") == SSHD, f"test premise: the exe link reads {SSHD}: "
              f"{os.readlink(f'/proc/{sp.pid}/exe')}")
    s = by_port(t.json(), 2225)
    f = codes(s).get("exe-other-file")
    host = os.stat(SSHD)
    t.check(f is not None and f["severity"] == "alert" and f"inode {host.st_ino}" in f["evidence"],
            "alert: its own file at a system program's path", [s["findings"]])
    t.check("openssh-server" not in json.dumps(s), "no package of ours claimed", [s["owners"]])


def integrity_podman_container(t):
    """A real container (rootful Podman, its own root with its own /bin/busybox, which the host
    has too as another file): its daemon is judged in its own view, mapped, and not flagged as
    borrowing the host's program (no exe-unmapped, exe-userns, exe-other-file)."""
    if not shutil.which("podman") or not shutil.which("runc") or not os.path.exists("/bin/busybox"):
        t.skip("podman, runc or busybox-static is not installed (/work/shared/CONTAINERS.md)")
    d = t.tmpdir()
    root = os.path.join(d, "rootfs")
    os.makedirs(os.path.join(root, "bin"))
    os.makedirs(os.path.join(root, "www"))
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    for a in ("sh", "httpd"):
        os.symlink("busybox", os.path.join(root, "bin", a))
    with open(os.path.join(root, "www", "index.html"), "w") as f:
        f.write("hi\n")
    run = tempfile.mkdtemp(prefix="ps19-")  # podman wants a runroot under 50 characters
    pod = ["podman", "--root", os.path.join(d, "storage"), "--runroot", run,
           "--cgroup-manager", "cgroupfs", "--runtime", "runc"]

    def podman(*args):
        r = subprocess.run(pod + list(args), capture_output=True, timeout=60)
        t.require(r.returncode == 0, f"podman {' '.join(args)}: {r.stderr.decode(errors='replace')[-500:]}")
        return r.stdout.decode().strip()

    subprocess.run(["tar", "-C", root, "-cf", os.path.join(d, "bb.tar"), "."], check=True)
    podman("import", os.path.join(d, "bb.tar"), "localhost/bb:1")
    try:
        cid = podman("run", "-d", "--name", "web", "--network", "none", "--ulimit", "nofile=4096:4096",
                     "--ulimit", "nproc=1000:1000", "localhost/bb:1", "/bin/httpd", "-f", "-p", "80", "-h", "/www")
        pid = int(podman("inspect", "-f", "{{.State.Pid}}", "web"))
        env = t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_CONTAINERS_STORAGE=os.path.join(d, "storage"))
        doc = t.json("-N", env=env)
        found = [s for s in doc["sockets"] if s["local"]["port"] == 80]
        t.require(len(found) == 1, "the container's listener on port 80 (-N)", [json.dumps(s)[:200] for s in doc["sockets"]])
        s = found[0]
        o = (s["owners"] or [{}])[0]
        t.check(o.get("pid") == pid and (o.get("container") or {}).get("runtime") == "podman"
                and o["container"]["id"] == cid, "owned by the container's httpd", [o])
        t.check(o.get("exe_proof") == "mapped", "its image is mapped (proven)", [o.get("exe_proof")])
        bad = {"exe-unmapped", "exe-userns", "exe-other-file"} & set(codes(s))
        t.check(not bad, "a container's program is not a masquerade", [s["findings"]])
    finally:
        subprocess.run(pod + ["rm", "-f", "-t", "0", "web"], capture_output=True, timeout=60)
        subprocess.run(pod + ["system", "reset", "-f"], capture_output=True, timeout=60)
        shutil.rmtree(run, ignore_errors=True)


def integrity_fake_conmon(t):
    """A user's program named conmon (comm, argv0 /usr/bin/conmon, a file named conmon) with `-c
    <id of root's container>` holding a listener: no container is named and the advice is to
    kill the process, not `podman stop` someone else's container."""
    storage = os.path.join(t.tmpdir(), "storage")
    os.makedirs(os.path.join(storage, "overlay-containers"))
    with open(os.path.join(storage, "overlay-containers", "containers.json"), "w") as f:
        json.dump([{"id": ID, "names": ["prod-db"], "image": "x"}], f)
    h = t.hold("listen:0.0.0.0:4710", "name:conmon", argv0=b"/usr/bin/conmon", exe_name=b"conmon", uid=USER,
               extra=tuple(a.encode() for a in ("--api-version", "1", "-c", ID, "-u", ID, "-r", "/usr/bin/runc")))
    env = t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_CONTAINERS_STORAGE=storage)
    o = by_port(t.json(env=env), 4710)["owners"][0]
    t.check(o["pid"] == h.pid and o["published_by"] is None, "not published by root's container", [o])
    ex = t.run("explain", "4710", env=env).out.decode()
    t.check("podman stop" not in ex and "prod-db" not in ex and f"kill {h.pid}" in ex,
            "explain: kill the process, no podman advice", ex.splitlines())


def integrity_ld_so_program(t):
    """A user runs its program through the dynamic loader (`/lib64/ld-linux-x86-64.so.2
    /DIR/evil`): the loader is an interpreter, its program the file it loads, judged as such: a
    finding on that file, not a clean "package libc6"."""
    ld = "/lib64/ld-linux-x86-64.so.2"
    if not os.path.exists(ld):
        t.skip(f"{ld} is missing (not x86-64)")
    d = os.path.join(t.tmpdir(), "w")
    os.mkdir(d)
    os.chmod(d, 0o1777)  # where anyone writes, as /tmp
    evil = os.path.join(d, "evil")
    shutil.copy(t.helper, evil)
    os.chown(evil, USER, USER)
    os.chmod(evil, 0o755)
    sp = SVC.Spawned(t, f'exec setpriv --reuid={USER} --regid={USER} --clear-groups "$@"',
                     [ld, evil, "listen:0.0.0.0:4711"])
    s = by_port(t.json(), 4711)
    o = s["owners"][0]
    t.check(o["pid"] == sp.pid, "owner found", [o])
    got = codes(s)
    t.check(any(evil in (f["reason"] + (f["evidence"] or "")) and f["severity"] in ("alert", "warning")
                for f in got.values()), "a finding names the loaded program", [s["findings"]])
    ex = t.run("explain", "4711").out.decode()
    t.check("Findings: none" not in ex and evil in ex, "explain: the loaded program and a finding", ex.splitlines())


LISTEN_PY = ("import socket,sys\n"
             "s = socket.socket(); s.bind(('0.0.0.0', int(sys.argv[1]))); s.listen()\n"
             "print('READY pid=%d' % __import__('os').getpid(), flush=True)\n"
             "sys.stdin.read()\n")


def integrity_preload_foreign_library(t):
    """A packaged program (python3) run by a user with LD_PRELOAD of a library of no package from a
    world-writable directory holds a port: an alert naming the library, where a clean run of the
    same program with its packaged libraries only has no such finding."""
    lib = "/lib/x86_64-linux-gnu/libz.so.1"
    if not os.path.exists(lib):
        t.skip(f"{lib} is missing")
    d = os.path.join(t.tmpdir(), "w")
    os.mkdir(d)
    os.chmod(d, 0o1777)
    evil = os.path.join(d, "evil.so")
    shutil.copy(lib, evil)
    os.chmod(evil, 0o755)
    run = f'exec setpriv --reuid={USER} --regid={USER} --clear-groups env "$@"'
    bad = SVC.Spawned(t, run, [f"LD_PRELOAD={evil}", "/usr/bin/python3", "-c", LISTEN_PY, "4712"])
    good = SVC.Spawned(t, run, ["/usr/bin/python3", "-c", LISTEN_PY, "4713"])
    t.require(any(evil in ln for ln in open(f"/proc/{bad.pid}/maps")), "test premise: the library is mapped")
    doc = t.json()
    s = by_port(doc, 4712)
    t.check(s["owners"][0]["pid"] == bad.pid, "owner found", [s["owners"]])
    f = codes(s).get("foreign-library")
    t.check(f is not None and f["severity"] == "alert" and evil in f["reason"],
            "alert naming the library", [s["findings"]])
    g = by_port(doc, 4713)
    t.check("foreign-library" not in codes(g), "packaged libraries only: no finding", [g["findings"]])
    ex = t.run("explain", "4712").out.decode()
    t.check("Findings: none" not in ex and evil in ex, "explain names the library", ex.splitlines())


# ---------------------------------------------------------------- items 3, 4: every holder


def user_shown(uid):
    """USER as the table shows uid: its name where the machine has one, else the number (a test
    must not depend on which users the machine has)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def table_rows(t, *args):
    r = t.run("-o", "local,pid,fd,user,program", "-w", *args)
    return {ln.split()[0]: ln.split()[1:] for ln in r.out.decode().splitlines()[1:]}


def thread_holders(t, method):
    """A main thread that listens and calls pthread_exit while another accepts, and a thread that
    unshares its file table and listens there: the process is the owner, with its program."""
    hs = {3001: Hidden(t, "thread-exit", 3001), 3002: Hidden(t, "thread-files", 3002)}
    doc = t.json("--attribution", method)
    t.check(doc["attribution"]["method"] == method, f"attribution by {method}", [doc["attribution"]])
    rows = table_rows(t, "--attribution", method)
    for port, h in hs.items():
        s = by_port(doc, port)
        t.check(s["owner_status"] == "ok" and [(o["pid"], o["fd"]) for o in s["owners"]] == [(h.pid, 3)],
                f"port {port}: its process holds it (fd 3)", [s["owner_status"], s["owners"]])
        o = (s["owners"] or [{}])[0]
        t.check(o.get("vanished") is False and (o.get("exe") or "").endswith("/hideholder")
                and o.get("uid") == USER, f"port {port}: the process's program and user", [o])
        t.check(rows.get(f"0.0.0.0:{port}", [])[:3] == [str(h.pid), "3", user_shown(USER)]
                and "[vanished]" not in rows.get(f"0.0.0.0:{port}", []), f"table row of port {port}", [rows])


def integrity_thread_holders_proc(t):
    thread_holders(t, "proc")


def integrity_thread_holders_bpf(t):
    R.need_bpf(t)
    thread_holders(t, "bpf")


def uring_holder(t, method):
    """A listener registered as an io_uring fixed file, its fd closed, accepted through the ring:
    the ring's process holds it, as "io_uring fixed file 0"."""
    h = Hidden(t, "uring", 3003)
    s = by_port(t.json("--attribution", method), 3003)
    t.check(s["owner_status"] == "ok" and [(o["pid"], o["fd"], o.get("io_uring_fixed_file")) for o in s["owners"]]
            == [(h.pid, None, 0)], "the ring's process holds it as fixed file 0", [s["owner_status"], s["owners"]])
    rows = table_rows(t, "--attribution", method)
    t.check(rows.get("0.0.0.0:3003", [])[:3] == [str(h.pid), "uring:0", user_shown(USER)], "table row", [rows])
    ex = t.run("explain", "3003", "--attribution", method).out.decode()
    t.check(f"Held by pid {h.pid}" in ex and "io_uring fixed file 0" in ex, "explain names the ring's holder",
            ex.splitlines())


def integrity_uring_proc(t):
    uring_holder(t, "proc")


def integrity_uring_bpf(t):
    R.need_bpf(t)
    uring_holder(t, "bpf")


def integrity_uring_hidden_ring(t):
    """The listener is a fixed file of a ring whose own fd was registered in the task's ring table
    (IORING_REGISTER_RING_FDS) and closed: no fd of the process is the ring. BPF reads the task's
    registered rings and finds the process, saying how; the /proc scan cannot open the ring (its
    mappings in map_files refuse to open: ENXIO) and says it is held by no file table, with the
    socket's uid and the no-holder finding, never a clean answer."""
    R.need_bpf(t)
    h = Hidden(t, "uring-hidden", 3006)
    links = [os.readlink(f"/proc/{h.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{h.pid}/fd")]
    t.require(not any("io_uring" in ln for ln in links), "test premise: no fd is the ring", links)
    s = by_port(t.json("--attribution", "bpf"), 3006)
    t.check(s["owner_status"] == "ok" and [(o["pid"], o["fd"], o.get("io_uring_fixed_file"),
                                            o.get("io_uring_registered_ring")) for o in s["owners"]]
            == [(h.pid, None, 0, True)], "bpf: the ring's process holds it as fixed file 0 of a registered ring",
            [s["owner_status"], s["owners"]])
    ex = t.run("explain", "3006", "--attribution", "bpf").out.decode()
    t.check(f"Held by pid {h.pid}" in ex and "registered ring table" in ex, "explain says how it was found",
            ex.splitlines())
    s = by_port(t.json("--attribution", "proc"), 3006)
    f = codes(s).get("no-holder")
    t.check(s["owners"] == [] and s["uid"] == USER and f is not None, "proc: held by no file table, with its uid",
            [s["owner_status"], s["owners"], s["uid"], s["findings"]])
    t.check(f is not None and f"deduced, not proven: pid {h.pid} maps an io_uring ring" in f["evidence"],
            "proc: names the process whose ring it may be, as a deduction", [s["findings"]])


def integrity_uring_nommap(t):
    """A listener that is a fixed file of a ring made IORING_SETUP_NO_MMAP (its rings in the user's
    own memory), whose own fd was registered in the task's ring table (IORING_REGISTER_RING_FDS)
    and closed: no fd, no mapping names the ring. BPF still finds it in the task's registered ring
    table; /proc has no way to its fixed files, and must not look clean: held by no file table, the
    no-holder finding with the socket's uid, a warning once reachable beyond loopback."""
    helper = user_copy(t, os.path.join(os.path.dirname(os.path.abspath(t.helper)), "hideholder"))
    # the helper prints UNSUPPORTED and exits 3 on a kernel before 6.5
    p = subprocess.Popen(["setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups", helper,
                          "uring-nommap", "3005"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    t.procs.append(p)
    line = p.stdout.readline().decode()
    if line.startswith("UNSUPPORTED"):
        t.skip(f"the kernel refuses IORING_SETUP_NO_MMAP (Linux 6.5+): {line.strip()}")
    t.require(line.startswith("READY pid="), f"hideholder uring-nommap: {line!r}")
    pid = int(line.split("=")[1])
    with open(f"/proc/{pid}/maps") as f:
        t.require("io_uring" not in f.read(), "test premise: no mapping names the ring")
    if b"+bpf" in t.run("--version").out:
        s = by_port(t.json("--attribution", "bpf"), 3005)
        t.check([(o["pid"], o.get("io_uring_fixed_file"), o.get("io_uring_registered_ring")) for o in s["owners"]]
                == [(pid, 0, True)], "bpf: found in the registered ring table", [s["owner_status"], s["owners"]])
    s = by_port(t.json("--attribution", "proc"), 3005)
    f = codes(s).get("no-holder")
    t.check(s["owners"] == [] and s["owner_status"] == "kernel" and s["uid"] == USER and f is not None
            and f["severity"] == "notice" and f"uid {USER}" in f["reason"],
            "proc: held by no file table, its uid, a notice on loopback",
            [s["owner_status"], s["owners"], s["uid"], s["findings"]])
    t.check("deduced" not in f["evidence"], "no mapping names the ring: no suspect either", [f])
    veth_up(t, "10.45.0.1/24")
    s = by_port(t.json("--attribution", "proc"), 3005)
    f = codes(s).get("no-holder")
    t.check(f is not None and f["severity"] == "warning", "warning when reachable beyond loopback", [s["findings"]])


def integrity_in_flight(t):
    """A listener kept only inside an SCM_RIGHTS message in flight: held by no file table. The
    table shows the socket's uid in USER, and it is a finding of its own: a notice on loopback, a
    warning once an address beyond loopback reaches it."""
    Hidden(t, "inflight", 3004)
    for method in ("proc", "bpf"):
        if method == "bpf" and b"+bpf" not in t.run("--version").out:
            continue
        s = by_port(t.json("--attribution", method), 3004)
        f = codes(s).get("no-holder")
        t.check(s["owners"] == [] and s["uid"] == USER and f is not None and f["severity"] == "notice"
                and f"uid {USER}" in f["reason"], f"{method}: held by no process, notice on loopback",
                [s["owners"], s["uid"], s["findings"]])
        rows = table_rows(t, "--attribution", method)
        t.check(rows.get("0.0.0.0:3004", [])[2:3] == [user_shown(USER)], f"{method}: USER is the socket's uid", [rows])
    veth_up(t, "10.44.0.1/24")
    s = by_port(t.json(), 3004)
    f = codes(s).get("no-holder")
    t.check(f is not None and f["severity"] == "warning", "warning when reachable beyond loopback", [s["findings"]])


def integrity_in_flight_churn(t):
    """The in-flight listener while processes of another uid start and exit all through the scan
    (any busy host): still held by no process and the no-holder finding every time, never
    `vanished` (a socket still there after the scan cannot have left with its holder)."""
    Hidden(t, "inflight", 3304)
    churn = subprocess.Popen(["setpriv", f"--reuid={USER + 1}", f"--regid={USER + 1}", "--clear-groups",
                              "sh", "-c", "while :; do /bin/true; done"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.procs.append(churn)
    time.sleep(0.2)
    seen = []
    for i in range(8):
        method = "bpf" if i % 2 and b"+bpf" in t.run("--version").out else "proc"
        s = by_port(t.json("--attribution", method), 3304)
        seen.append((method, s["owner_status"], sorted(codes(s))))
    churn.kill()
    churn.wait()
    t.check(all(st == "kernel" and "no-holder" in c for _, st, c in seen),
            "no-holder every scan while others exit", seen)


# the launcher binds the listener, hands it (fd 3) to `k` holders that exec the first program,
# closes its own copies and says READY
FLIP_LAUNCH = """import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
fd = s.detach()
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.set_inheritable(3, True)
for i in range(int(sys.argv[2])):
    if os.fork() == 0:
        os.execv(sys.argv[3], sys.argv[3:])
os.close(3)
print("READY", flush=True)
os.wait()
"""


def exec_flip(t, how):
    """A user's listener whose holders exec back and forth between two programs (two copies of
    dash running a script that execs the other, the socket inherited): every owner shown is one
    program, its name, command line and exe proof that path's (an exec between the reads says
    unknown), and no exe-unmapped alert for the honest programs. Against the code before the
    re-check, a few runs paired a path with the other program's name or command line, or said
    `unmapped`."""
    dash = shutil.which("dash")
    if not dash:
        t.skip("dash is missing (Debian package dash)")
    d = t.tmpdir()
    os.chmod(d, 0o755)
    prog = {w: os.path.join(d, "flip" + w) for w in "ab"}
    for w in "ab":
        shutil.copy(dash, prog[w])
        os.chmod(prog[w], 0o755)
    script = os.path.join(d, "flip.sh")
    with open(script, "w") as f:
        f.write(f"case $1 in a) exec {prog['b']} {script} b;; *) exec {prog['a']} {script} a;; esac\n")
    os.chmod(script, 0o644)
    launch = subprocess.Popen(["setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups", "python3", "-c",
                               FLIP_LAUNCH, "3310", "3", prog["a"], script, "a"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.procs.append(launch)
    if not launch.stdout.readline().startswith(b"READY"):
        launch.kill()
        t.require(False, f"the holders started: {launch.communicate()[1].decode(errors='replace')}")
    bad, seen, unknown, runs, t0 = [], 0, 0, 0, time.monotonic()
    while runs < 3 or (runs < 40 and time.monotonic() - t0 < 5):
        runs += 1
        s = by_port(t.json("-l", "--attribution", how), 3310)
        if "exe-unmapped" in codes(s):
            bad.append(("exe-unmapped", codes(s)["exe-unmapped"]["reason"]))
        for o in s["owners"]:
            exe = o["exe"] or ""
            w = exe[-1] if exe in prog.values() else None
            if w is None:
                continue  # between programs: no path read
            seen += 1
            unknown += o["exe_proof"] == "unknown"
            if (o["name"] != "flip" + w or o["cmdline"] not in (None, [], [prog[w], script, w])
                    or o["exe_proof"] not in ("mapped", "unknown")):
                bad.append({k: o[k] for k in ("pid", "name", "exe", "cmdline", "exe_proof")})
    t.require(seen > 0, "owners running the programs were seen", [runs])
    t.check(not bad, f"each owner one program's ({runs} runs, {seen} owners, {unknown} unknown)", bad[:6])


def integrity_exec_flip_proc(t):
    exec_flip(t, "proc")


def integrity_exec_flip_bpf(t):
    R.need_bpf(t)
    exec_flip(t, "bpf")


# ---------------------------------------------------------------- item 6: cgroups


def integrity_user_cgroup_docker_id(t):
    """A user names a cgroup in its delegated subtree user@1001.service/app.slice/docker-ID.scope
    with the id of root's real container prod-db: not root's container (no name, no `docker stop`
    advice, a `container=prod-db` policy does not pass), but the user's own."""
    cg = SVC.Cgroups(t)
    try:
        path = cg.make(f"user.slice/user-{USER}.slice/user@{USER}.service/app.slice/docker-{ID}.scope")
        state = os.path.join(t.tmpdir(), "docker")
        docker_state(t, state, ID, "prod-db")
        helper = user_copy(t, t.helper)
        h = SVC.Spawned(t, SVC.IN_CGROUP, [cg.mnt + path, "setpriv", f"--reuid={USER}", f"--regid={USER}",
                                                "--clear-groups", helper, "listen:127.0.0.1:4301"])
        env = t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_DOCKER_ROOT=state)
        r = t.run("--json", env=env)
        s = by_port(R.parse_json(r), 4301)
        o = s["owners"][0]
        t.check(o["pid"] == h.pid, "the user's process is the owner", [o])
        c = o.get("container") or {}
        t.check(c.get("runtime") != "docker" and c.get("name") is None,
                "a user's cgroup is not root's docker container prod-db", [c])
        t.check(o["unit_type"] == "user" and o["unit_uid"] == USER, "attributed to the user's manager", [o])
        ex = t.run("explain", "4301", env=env).out.decode()
        t.check("docker stop" not in ex and "prod-db" not in ex, "explain: no docker advice, no prod-db", ex.splitlines())
        pol = os.path.join(t.tmpdir(), "policy")
        with open(pol, "w") as f:
            f.write("allow tcp 4301 container=prod-db\n")
        r = t.run("check", "--baseline", pol, "--json", env=env)
        d = R.parse_json(r)
        t.check(r.rc == 4 and d["summary"]["owner"] == 1, "container=prod-db does not pass for the user's cgroup",
                [r.rc, d.get("summary")])
        with open(pol, "w") as f:
            f.write(f"allow tcp 4301 container={ID}\n")
        r = t.run("check", "--baseline", pol, "--json", env=env)
        t.check(r.rc == 4, "container=<id of prod-db> does not pass either", [r.rc, r.out[:300]])
        with open(pol, "w") as f:
            f.write(f"allow tcp 4301 container={ID[:4]}*\n")
        r = t.run("check", "--baseline", pol, env=env)
        t.check(r.rc == 4 and f": rootful container is none, the rule wants {ID[:4]}*" in r.out.decode(),
                "check names the term that refused: not a rootful container", r.out.decode().splitlines())
    finally:
        t.kill_all()
        cg.remove()


def integrity_user_cgroup_rootless_podman(t):
    """A rootless Podman container's cgroup (user@1001.service/user.slice/libpod-ID.scope) is still
    recognised as a container, the user's own (runtime rootless-podman, unit of user 1001)."""
    cg = SVC.Cgroups(t)
    try:
        path = cg.make(f"user.slice/user-{USER}.slice/user@{USER}.service/user.slice/libpod-{ID}.scope")
        helper = user_copy(t, t.helper)
        h = SVC.Spawned(t, SVC.IN_CGROUP, [cg.mnt + path, "setpriv", f"--reuid={USER}", f"--regid={USER}",
                                           "--clear-groups", helper, "listen:127.0.0.1:4302"])
        s = by_port(t.json(env=t.env(PORTSLEUTH_TEST_ROOTS="1")), 4302)
        o = s["owners"][0]
        t.check(o["pid"] == h.pid and (o.get("container") or {}).get("runtime") == "rootless-podman"
                and o["container"]["id"] == ID and o["unit_uid"] == USER,
                "the user's rootless container", [o])
        ex = t.run("explain", "4302", env=t.env(PORTSLEUTH_TEST_ROOTS="1")).out.decode()
        t.check("podman stop" not in ex, "explain: no root podman advice for the user's container", ex.splitlines())
    finally:
        t.kill_all()
        cg.remove()
