# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_services.py — units, containers, socket activation, ancestry and network namespaces (issue 4).

Loaded by run.py (register(run) is called with the runner module). Every case here builds the
real situation: cgroup2 directories under the real cgroup2 mount with real listeners moved into
them, a Docker-shaped state directory, systemd-socket-activate, `ip netns add` namespaces. Each
case removes what it made (processes first, then cgroup directories and namespaces).
"""
import json
import os
import re
import select
import shutil
import signal
import subprocess
import time

ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
ID2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
POD = "12345678-1234-1234-1234-123456789abc"
R = None  # the runner module, set by register()


def register(run):
    """Add this module's cases to the runner and teach its expected documents the new keys."""
    global R
    R = run
    _extend_expectations(run)
    for fn in (svc_cgroup_units, svc_socket_cgroup_unprivileged, svc_published_ports,
               svc_socket_activation, svc_activation_claim_is_no_advice, svc_all_netns,
               svc_all_netns_unprivileged, svc_cgroup_shared_bpf):
        run.case(fn)


def _extend_expectations(run):
    """Owner, socket and document objects gained keys (schema 1, additive): expect them, with
    the values a plain sockhold in the root cgroup has, in every case of the runner."""
    orig_owner, orig_sock, orig_doc = run.Holder.owner, run.sock, run.Case.doc

    def owner(self, fd, pid=None):
        o = orig_owner(self, fd, pid)
        plain = o.get("cgroup") == "/"
        o.update({"unit_type": None if plain else run.ANY, "unit_uid": None if plain else run.ANY,
                  "slice": None if plain else run.ANY, "ancestry": run.ANY, "supervisor": run.ANY,
                  "published_by": None, "activation": None,
                  # sockhold's forked child runs its parent's executable: one pre-fork group
                  "group_lead": self.pid if pid is not None and pid != self.pid else None})
        return o

    def sock(*a, **kw):
        s = orig_sock(*a, **kw)
        s.update({"netns_name": None, "cgroup_unit": None if s["owners"] else run.ANY})
        return s

    def doc(self, *a, **kw):
        d = orig_doc(self, *a, **kw)
        d["namespaces"] = run.ANY
        return d

    run.Holder.owner = owner
    run.sock = sock
    run.Case.doc = doc


# ---------------------------------------------------------------- helpers


class Cgroups:
    """Directories under the cgroup2 mount, removed deepest first."""

    def __init__(self, t):
        self.t = t
        self.mnt = R.cgroup2_root()
        t.require(self.mnt, "no cgroup2 file system is mounted")
        self.top = f"/portsleuth-it-{os.urandom(6).hex()}"
        self.made = []

    def make(self, rel):
        """Create top/rel (and its parents); returns the cgroup path as /proc/PID/cgroup shows it."""
        path = ""
        for part in (self.top + "/" + rel).strip("/").split("/"):
            path += "/" + part
            d = self.mnt + path
            if not os.path.isdir(d):
                os.mkdir(d)
                self.made.append(d)
        return path

    def remove(self):
        top = self.mnt + self.top
        if os.path.isdir(top) and top not in self.made:
            self.made.insert(0, top)
        for d in sorted(set(self.made), key=len, reverse=True):
            for _ in range(100):  # a killed process leaves its cgroup as it is reaped
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


class Spawned:
    """A sockhold started through a shell (to move it into a cgroup or namespace first)."""

    def __init__(self, t, script, argv, *, uid=0, env=None):
        self.t = t
        self.proc = subprocess.Popen(["sh", "-c", script, "sh", *argv], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True,
                                     env=env)
        t.procs.append(self.proc)
        self.argv = argv
        self.buf = b""
        words = self.readline().split()
        t.require(words and words[0] == "READY", f"{argv}: expected READY, got {words}")
        kv = [w.split("=", 1) for w in words[1:]]
        self.pid = int(next(v for k, v in kv if k == "pid"))
        t.extra_pids.append(self.pid)
        self.socks = []
        for k, v in kv:
            if k == "s":
                fd, kind, lport, rport = v.split(":")
                self.socks.append({"fd": int(fd), "kind": kind, "lport": int(lport),
                                   "inode": R.sock_inode(self.pid, int(fd))})

    def readline(self):
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            if not select.select([fd], [], [], R.READY_TIMEOUT)[0]:
                raise R.Failed(f"{self.argv}: said nothing for {R.READY_TIMEOUT}s")
            chunk = os.read(fd, 4096)
            if not chunk:
                self.proc.wait(5)
                raise R.Failed(f"{self.argv} exited ({self.proc.returncode}): "
                               f"{self.proc.stderr.read().decode(errors='replace').strip()}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


# the inner shell moves itself into cgroup $1 and becomes sockhold; the outer one stays its
# parent in the root cgroup, so the parent chain crosses the cgroup's edge there
IN_CGROUP = 'sh -c \'echo $$ > "$0/cgroup.procs" && exec "$@"\' "$@"; :'


def by_port(doc, port, netns=None):
    found = [s for s in doc["sockets"] if s["local"]["port"] == port
             and (netns is None or s["netns"] == netns)]
    if len(found) != 1:
        raise R.Failed(f"{len(found)} sockets on port {port}, want 1",
                       [json.dumps(s)[:300] for s in doc["sockets"]])
    return found[0]


def only_owner(t, s, pid):
    t.require(len(s["owners"]) == 1 and s["owners"][0]["pid"] == pid,
              f"port {s['local']['port']}: owners {[o['pid'] for o in s['owners']]}, want [{pid}]")
    return s["owners"][0]


def docker_state(t, root, cid, name, ip):
    d = os.path.join(root, "containers", cid)
    os.makedirs(d)
    with open(os.path.join(d, "config.v2.json"), "w") as f:
        json.dump({"ID": cid, "Name": "/" + name, "State": {"Running": True},
                   "NetworkSettings": {"Networks": {"bridge": {"IPAddress": ip}}}}, f)


# ---------------------------------------------------------------- cases


def svc_cgroup_shared_bpf(t):
    """Holders in two cgroups, two in one (the BPF pass's set of cgroups is one key: its file is
    read once) and one moved out of its sibling's after starting: each owner's cgroup is its own,
    as /proc/PID/cgroup and the /proc method say, with -a and the listener view."""
    R.need_bpf(t)
    cg = Cgroups(t)
    try:
        a, b = cg.make("system.slice/shared.service"), cg.make("system.slice/other.service")
        hs = {port: Spawned(t, IN_CGROUP, [cg.mnt + a, t.helper, f"listen:127.0.0.1:{port}"])
              for port in (4111, 4112, 4113)}
        with open(cg.mnt + b + "/cgroup.procs", "w") as f:
            f.write(str(hs[4113].pid))
        want = {4111: a, 4112: a, 4113: b}
        for args in (["-a"], []):
            docs = {m: t.json(*args, "--attribution", m) for m in ("bpf", "proc")}
            t.check(docs["bpf"]["attribution"]["method"] == "bpf", "the BPF pass ran", [docs["bpf"]["attribution"]])
            for port, path in want.items():
                got = {m: [o.get("cgroup") for o in by_port(d, port)["owners"]] for m, d in docs.items()}
                t.check(got["bpf"] == [path] and got["proc"] == [path], f"{args}: port {port} in {path}", [got])
    finally:
        t.kill_all()
        cg.remove()


def svc_cgroup_units(t):
    """Listeners moved into system.slice/foo.service, a user@1000 app.slice/bar.service, a docker
    scope (named from a Docker-shaped state dir) and a kubepods pod: unit, unit_type, slice,
    container {runtime,id,name,pod}, ancestry and supervisor, exactly."""
    cg = Cgroups(t)
    try:
        paths = {
            4101: cg.make("system.slice/foo.service"),
            4102: cg.make("user.slice/user-1000.slice/user@1000.service/app.slice/bar.service"),
            4103: cg.make(f"system.slice/docker-{ID}.scope"),
            4104: cg.make(f"kubepods/burstable/pod{POD}/{ID2}"),
        }
        state = os.path.join(t.tmpdir(), "docker")
        docker_state(t, state, ID, "web", "172.17.0.2")
        hs = {port: Spawned(t, IN_CGROUP, [cg.mnt + p, t.helper, f"listen:127.0.0.1:{port}"])
              for port, p in paths.items()}
        doc = t.json(env=t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_DOCKER_ROOT=state))
        want = {
            4101: ("foo.service", "system", None, "system.slice", None),
            4102: ("bar.service", "user", 1000, "app.slice", None),
            4103: (f"docker-{ID}.scope", "system", None, "system.slice",
                   {"runtime": "docker", "id": ID, "name": "web", "pod": None}),
            4104: (None, None, None, None,
                   {"runtime": "kubernetes", "id": ID2, "name": None, "pod": {"uid": POD, "qos": "burstable"}}),
        }
        for port, (unit, utype, uid, sl, cont) in want.items():
            h = hs[port]
            o = only_owner(t, by_port(doc, port), h.pid)
            parent = h.proc.pid  # the outer shell, in the root cgroup
            kind = "container" if cont else "systemd-unit"
            t.expect_doc({k: o[k] for k in ("cgroup", "unit", "unit_type", "unit_uid", "slice", "container",
                                            "ancestry", "supervisor", "published_by", "activation")},
                         {"cgroup": paths[port], "unit": unit, "unit_type": utype, "unit_uid": uid, "slice": sl,
                          "container": cont,
                          "ancestry": [{"pid": parent, "name": "sh", "exe": os.path.realpath("/bin/sh")}],
                          "supervisor": {"kind": kind, "pid": parent, "name": "sh",
                                         "unit": unit if not cont else None},
                          "published_by": None, "activation": None},
                         f"owner of port {port}")
        # the table: unit with the user, container by name
        r = t.run("-o", "local,unit,container,supervisor", "-w", env=t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_DOCKER_ROOT=state))
        rows = {ln.split()[0]: ln.split()[1:] for ln in r.out.decode().splitlines()[1:]}
        t.check(rows.get("127.0.0.1:4102", [])[:3] == ["bar.service", "[user", "1000]"],
                "UNIT column of the user unit", [rows])
        t.check(rows.get("127.0.0.1:4103", [])[1:2] == ["docker:web"], "CONTAINER column by name", [rows])
        t.check(rows.get("127.0.0.1:4101", [])[-1:] == ["systemd-unit:foo.service"], "SUPERVISOR column", [rows])
    finally:
        t.kill_all()  # before the case's cgroups can be removed
        cg.remove()


def svc_socket_cgroup_unprivileged(t):
    """As nobody, root's listener created inside system.slice/nginx.service has no visible owner,
    but its unit comes from the socket's own cgroup (INET_DIAG_CGROUP_ID), labelled as such."""
    cg = Cgroups(t)
    try:
        path = cg.make("system.slice/nginx.service")
        h = Spawned(t, IN_CGROUP, [cg.mnt + path, t.helper, "listen:127.0.0.1:4201"])
        r = t.run("--json", uid=R.NOBODY)
        t.require(r.rc == 0, f"--json as nobody: {r}")
        s = by_port(json.loads(r.out), 4201)
        t.expect_doc(s, {**{k: R.ANY for k in s}, "owner_status": "no-permission", "owners": [],
                         "inode": h.socks[0]["inode"],
                         "cgroup_unit": {"cgroup": path, "unit": "nginx.service", "unit_type": "system",
                                         "slice": "system.slice", "container": None,
                                         "source": "socket-cgroup"}},
                     "socket seen by nobody")
        r = t.run("-o", "local,program,unit", uid=R.NOBODY)
        rows = [ln.split() for ln in r.out.decode().splitlines()[1:]]
        t.check(["127.0.0.1:4201", "[no-permission]", "nginx.service", "[socket", "cgroup]"] in rows,
                "table UNIT from the socket cgroup", rows)
        # as root the owner is seen, and the socket-cgroup label is not needed
        s = by_port(t.json(), 4201)
        t.check(s["cgroup_unit"] is None and s["owners"][0]["unit"] == "nginx.service", "as root", [s])
    finally:
        t.kill_all()  # before the case's cgroups can be removed
        cg.remove()


def svc_published_ports(t):
    """docker-proxy (-container-ip/-container-port) and Podman's conmon (-c ID) holding host ports
    resolve to "published by container NAME, port N inside it" when each runs, as root, the
    packaged file of its name (here a package database made for the case lists the copies); the
    same names on unpackaged copies are no runtime's (issue 19: anyone can name a process so)."""
    state = os.path.join(t.tmpdir(), "docker")
    docker_state(t, state, ID, "web", "172.17.0.2")
    docker_state(t, state, ID2, "other", "172.17.0.3")
    storage = os.path.join(t.tmpdir(), "storage")
    os.makedirs(os.path.join(storage, "overlay-containers"))
    with open(os.path.join(storage, "overlay-containers", "containers.json"), "w") as f:
        json.dump([{"id": ID2, "names": ["db"], "image": "x"}], f)
    proxy = t.hold("listen:0.0.0.0:8080", "name:docker-proxy", argv0=b"/usr/bin/docker-proxy", exe_name=b"docker-proxy",
                   extra=tuple(a.encode() for a in ("-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", "8080",
                                                    "-container-ip", "172.17.0.2", "-container-port", "80")))
    conmon = t.hold("listen:0.0.0.0:8081", "name:conmon", argv0=b"/usr/bin/conmon", exe_name=b"conmon",
                    extra=tuple(a.encode() for a in ("--api-version", "1", "-c", ID2, "-u", ID2, "-r", "/usr/bin/runc")))
    dpkg = os.path.join(t.tmpdir(), "dpkg-info")
    os.mkdir(dpkg, 0o755)
    for pkg, exe in (("docker.io", "docker-proxy"), ("conmon", "conmon")):
        with open(os.path.join(dpkg, pkg + ".list"), "w") as f:
            f.write(os.path.realpath(os.path.join(t.tmpdir(), exe)) + "\n")

    def env(**kw):
        return t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_DPKG_INFO=dpkg, **kw)

    doc = t.json(env=env(PORTSLEUTH_DOCKER_ROOT=state, PORTSLEUTH_CONTAINERS_STORAGE=storage))
    o = only_owner(t, by_port(doc, 8080), proxy.pid)
    t.expect_doc(o["published_by"], {"runtime": "docker", "id": ID, "name": "web", "container_port": 80},
                 "docker-proxy published_by")
    o = only_owner(t, by_port(doc, 8081), conmon.pid)
    t.expect_doc(o["published_by"], {"runtime": "podman", "id": ID2, "name": "db", "container_port": None},
                 "conmon published_by")
    # without the state the id is still known from conmon, the name is not
    doc = t.json(env=env(PORTSLEUTH_DOCKER_ROOT="/nonexistent", PORTSLEUTH_CONTAINERS_STORAGE="/nonexistent"))
    t.expect_doc(only_owner(t, by_port(doc, 8081), conmon.pid)["published_by"],
                 {"runtime": "podman", "id": ID2, "name": None, "container_port": None}, "conmon without state")
    t.expect_doc(only_owner(t, by_port(doc, 8080), proxy.pid)["published_by"],
                 {"runtime": "docker", "id": None, "name": None, "container_port": 80}, "docker-proxy without state")
    r = t.run("-o", "local,container", "-w", env=env(PORTSLEUTH_DOCKER_ROOT=state))
    rows = {ln.split()[0]: ln.split()[1:] for ln in r.out.decode().splitlines()[1:]}
    t.check(rows.get("0.0.0.0:8080") == ["published", "docker:web", "port", "80"], "CONTAINER column", [rows])
    # the machine's own database: these copies are no package's, so no runtime's
    doc = t.json(env=t.env(PORTSLEUTH_TEST_ROOTS="1", PORTSLEUTH_DOCKER_ROOT=state,
                           PORTSLEUTH_CONTAINERS_STORAGE=storage))
    for port, h in ((8080, proxy), (8081, conmon)):
        t.check(only_owner(t, by_port(doc, port), h.pid)["published_by"] is None,
                f"{port}: an unpackaged copy of that name publishes nothing", [by_port(doc, port)["owners"]])


def svc_socket_activation(t):
    """systemd-socket-activate holds the listener (activator); after the first connection the
    service it started holds it (LISTEN_PID = its pid) together with the child it forked."""
    ssa = shutil.which("systemd-socket-activate")
    if not ssa:
        raise R.Failed("systemd-socket-activate is missing (Debian package systemd; see tests/deps.sh)")
    p = subprocess.Popen([ssa, "-l", "127.0.0.1:4301", "sh", "-c", "sleep 1000 & wait"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t.procs.append(p)
    try:
        deadline = time.monotonic() + R.READY_TIMEOUT  # waiting for readiness, not a timed assertion
        s = None
        while time.monotonic() < deadline:
            doc = json.loads(t.run("--json", "4301").out)
            if doc["sockets"]:
                s = doc["sockets"][0]
                break
            time.sleep(0.05)
        t.require(s, "systemd-socket-activate did not listen on 4301")
        o = only_owner(t, s, p.pid)
        t.expect_doc({"name": o["name"], "activation": o["activation"]},
                     {"name": "systemd-socket-", "activation": {
                         "role": "activator", "by": "systemd-socket-activate", "listen_fds": 0,
                         "socket_unit": None, "service_unit": None, "claimed_socket_unit": None,
                         "note": "systemd-socket-activate passes the socket on without a .socket unit"}},
                     "before the first connection")
        c = __import__("socket").create_connection(("127.0.0.1", 4301))
        try:
            child = None
            while time.monotonic() < deadline + R.READY_TIMEOUT:
                kids = [int(x) for x in open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()]
                if kids and open(f"/proc/{p.pid}/comm").read().strip() == "sh":
                    child = kids[0]
                    break
                time.sleep(0.05)
            t.require(child, "the service did not start")
            t.extra_pids.append(child)
            s = by_port(json.loads(t.run("--json", "-l", "4301").out), 4301)
            pids = [o["pid"] for o in s["owners"]]
            t.require(pids == sorted([p.pid, child]), f"owners {pids}, want {sorted([p.pid, child])}")
            note = "received its sockets through LISTEN_FDS (not from systemd: no .socket unit)"
            for o in s["owners"]:
                role = "service" if o["pid"] == p.pid else "inherited"
                t.expect_doc({"fd": o["fd"], "activation": o["activation"]},
                             {"fd": 3, "activation": {"role": role, "by": None, "listen_fds": 1,
                                                      "socket_unit": None, "service_unit": None,
                                                      "claimed_socket_unit": None, "note": note}},
                             f"owner {o['pid']} ({o['name']}) after the first connection")
        finally:
            c.close()
    finally:
        t.kill_all()  # before the case's cgroups can be removed


def svc_activation_claim_is_no_advice(t):
    """Issue 10 item 6: a listener in no unit whose environment says LISTEN_PID=itself,
    LISTEN_FDS=1, LISTEN_FDNAMES=ssh.socket is not told to be stopped with `systemctl stop
    ssh.socket` (that would stop the real sshd): the name is shown as its claim, the advice is
    `kill PID`. (systemd-socket-activate --fdname sets exactly that environment.)"""
    ssa = shutil.which("systemd-socket-activate")
    if not ssa:
        raise R.Failed("systemd-socket-activate is missing (Debian package systemd; see tests/deps.sh)")
    p = subprocess.Popen([ssa, "-l", "127.0.0.1:4302", "--fdname=ssh.socket", "sh", "-c", "sleep 1000 & wait"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t.procs.append(p)
    try:
        deadline = time.monotonic() + R.READY_TIMEOUT  # waiting for readiness, not a timed assertion
        while time.monotonic() < deadline and not json.loads(t.run("--json", "4302").out)["sockets"]:
            time.sleep(0.05)
        c = __import__("socket").create_connection(("127.0.0.1", 4302))
        try:
            # the activator execs sh once a connection comes: wait for the exec's environment
            claim = [b"LISTEN_FDNAMES=ssh.socket", f"LISTEN_PID={p.pid}".encode()]
            env, comm = [], ""
            while time.monotonic() < deadline + R.READY_TIMEOUT:
                comm = open(f"/proc/{p.pid}/comm").read().strip()
                env = open(f"/proc/{p.pid}/environ", "rb").read().split(b"\0")
                if comm == "sh" and all(c in env for c in claim):
                    break
                time.sleep(0.05)
            t.require(comm == "sh" and all(c in env for c in claim),
                      f"the service's environment does not claim ssh.socket (test premise; comm {comm!r})",
                      [e.decode(errors="replace") for e in env if e.startswith(b"LISTEN_")])
            ex = json.loads(t.run("explain", "4302", "--json").out)
            stops = {x["pid"]: x["command"] for x in ex["stop"]}
            # kill, of it and of every other holder (its forked sleep may share the socket)
            holders = {str(o["pid"]) for k in ex["sockets"] for o in k["owners"]}
            words = (stops.get(p.pid) or "").split()
            t.check(words[:2] == ["kill", str(p.pid)] and set(words[1:]) <= holders,
                    f"stop advice for pid {p.pid}: {stops.get(p.pid)!r}, want 'kill {p.pid}' and its "
                    "co-holders (its unit is only claimed by its environment)")
            t.check(not any("ssh.socket" in c for c in stops.values()), "advice names ssh.socket", stops)
            o = [x for x in ex["sockets"][0]["owners"] if x["pid"] == p.pid][0]
            a = o["activation"]
            t.check(a["socket_unit"] is None and a["claimed_socket_unit"] == "ssh.socket" and o["unit"] is None,
                    "activation: the claim is shown as a claim, not as the socket unit", a)
            text = t.run("explain", "4302").out.decode()
            t.check("systemctl" not in text and f"to stop it: kill {p.pid}" in text, "explain text advice",
                    text.splitlines())
        finally:
            c.close()
    finally:
        t.kill_all()


def _netns_setup(t, names):
    """`ip netns add` in the case's private /run/netns (run.make_hermetic: only its own names are seen)."""
    for n in names:
        subprocess.run(["ip", "netns", "add", n], check=True)
        subprocess.run(["ip", "-n", n, "link", "set", "lo", "up"], check=True)


def _netns_cleanup(names):
    for n in names:
        subprocess.run(["ip", "netns", "del", n], stderr=subprocess.DEVNULL)


def svc_all_netns(t):
    """Three `ip netns add` namespaces with a listener each plus one in our own: --all-ns lists all
    four with the right namespace, name and owner; the default lists only ours and says how many
    other namespaces exist and hold listeners."""
    tag = os.urandom(3).hex()
    names = [f"psit-a{tag}", f"psit-b{tag}", f"psit-c{tag}"]
    try:
        _netns_setup(t, names)
        own = t.hold("listen:127.0.0.1:4400")
        inodes = {n: os.stat(f"/run/netns/{n}").st_ino for n in names}
        hs = {}
        for i, n in enumerate(names):
            hs[n] = Spawned(t, 'exec ip netns exec "$@"', [n, t.helper, f"listen:127.0.0.1:{4401 + i}"])
        me = os.stat("/proc/self/ns/net").st_ino
        doc = t.json("-N")
        got = sorted((s["local"]["port"], s["netns"], s["netns_name"], [o["pid"] for o in s["owners"]],
                      [o["name"] for o in s["owners"]]) for s in doc["sockets"])
        want = sorted([(4400, me, None, [own.pid], ["sockhold"])] +
                      [(4401 + i, inodes[n], n, [hs[n].pid], ["sockhold"]) for i, n in enumerate(names)])
        t.check(got == want, "--all-ns sockets (port, netns, name, owners)", [f"got  {got}", f"want {want}"])
        t.expect_doc(doc["namespaces"], {"current": me, "all": True, "error": None, "list": R.ANY},
                     "namespaces object")
        t.check(sorted((x["inode"], x["name"], x["listeners"]) for x in doc["namespaces"]["list"]) ==
                sorted([(me, None, 1)] + [(inodes[n], n, 1) for n in names]), "namespaces.list",
                [doc["namespaces"]["list"]])
        t.check(doc["partial"] is False, "--all-ns as root is complete")
        # the default: only ours, and a note about the others
        doc = t.json()
        t.check([(s["local"]["port"], s["netns"]) for s in doc["sockets"]] == [(4400, me)],
                "default lists only the current namespace", [doc["sockets"]])
        r = t.run()
        t.check(r.err.decode() == "portsleuth: 3 other network namespaces exist; "
                                  "--all-ns (-N) lists their sockets too.\n", f"stderr note: {r.err!r}")
        r = t.run("-N", "-o", "netns,local,pid")
        rows = sorted(ln.split() for ln in r.out.decode().splitlines()[1:])
        # ours is PID 1's (the runner's private namespaces): the host's, by name (issue 9)
        t.check(rows == sorted([["host", "127.0.0.1:4400", str(own.pid)]] +
                               [[n, f"127.0.0.1:{4401 + i}", str(hs[n].pid)] for i, n in enumerate(names)]),
                "NETNS column", rows)
    finally:
        t.kill_all()  # before the case's cgroups can be removed
        _netns_cleanup(names)


def svc_all_netns_unprivileged(t):
    """As nobody, --all-ns cannot enter other namespaces: it lists ours, says why, and is partial."""
    names = [f"psit-u{os.urandom(3).hex()}"]
    try:
        _netns_setup(t, names)
        Spawned(t, 'exec ip netns exec "$@"', [names[0], t.helper, "listen:127.0.0.1:4501"])
        mine = t.hold("listen:127.0.0.1:4500", uid=R.NOBODY)
        r = t.run("-N", "--json", uid=R.NOBODY)
        t.require(r.rc == 0, f"-N --json as nobody: {r}")
        doc = json.loads(r.out)
        t.check([s["local"]["port"] for s in doc["sockets"]] == [4500], "only our namespace", [doc["sockets"]])
        t.check(doc["partial"] is True and doc["namespaces"]["error"] ==
                "entering other network namespaces needs root (CAP_SYS_ADMIN)", "error", [doc["namespaces"]])
        r = t.run("-N", uid=R.NOBODY)
        t.check("entering another network namespace needs root (CAP_SYS_ADMIN)" in r.err.decode(),
                f"stderr as nobody: {r.err!r}")
        t.check(str(mine.pid) in r.out.decode(), "our listener in the table")
    finally:
        t.kill_all()  # before the case's cgroups can be removed
        _netns_cleanup(names)
