# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_changes.py — snapshot, diff, watch and check (issue 5), with real processes and sockets.

Loaded by run.py (register(run) is called with the runner module). Every case runs in the
runner's private network and PID namespaces; what a case starts is stopped by the runner's
cleanup (holders) or by the case itself (watch processes, files in its temporary directory).
"""
import json
import os
import select
import signal
import socket
import subprocess
import time

R = None  # the runner module, set by register()


def register(run):
    global R
    R = run
    for fn in (changes_diff_kinds, changes_bad_snapshots, changes_watch_short_lived, changes_watch_text_lines,
               changes_watch_polls_and_log, changes_watch_unprivileged, changes_check_policy,
               changes_check_snapshot_baseline, changes_check_links_missing_unverified, changes_watch_soak,
               changes_windows_snapshot_on_linux):
        run.case(fn)


def stop(h):
    """Stop one holder now (the runner's cleanup tolerates holders that are already gone)."""
    h.proc.kill()
    h.proc.wait(5)


def path(t, name):
    return os.path.join(t.tmpdir(), name)


def changes_by_port(doc):
    out = {}
    for c in doc["changes"]:
        out.setdefault(c["local"]["port"], []).append(c["kind"])
    return out


def changes_diff_kinds(t):
    gone = t.hold("listen:127.0.0.1:7101")
    owner = t.hold("listen:127.0.0.1:7102")
    widen = t.hold("listen:127.0.0.1:7103")
    t.hold("listen:127.0.0.1:7104", "udp:127.0.0.1:7104")  # unchanged
    before = path(t, "before.json")
    r = t.run("snapshot", "-o", before)
    t.require(r.rc == 0, f"snapshot: {r}")
    doc = json.load(open(before))
    t.check(doc["schema"] == 1 and doc["host"] == socket.gethostname(), "snapshot header",
            [{k: doc.get(k) for k in ("schema", "host", "boot_id", "time")}])
    t.check(doc["boot_id"] == open("/proc/sys/kernel/random/boot_id").read().strip(), "boot_id")
    t.check(len(doc["sockets"]) == 5, f"snapshot holds {len(doc['sockets'])} sockets, want 5")

    stop(gone)
    stop(owner)
    other = t.hold("listen:127.0.0.1:7102", exe_name=b"other-program")  # another executable
    stop(widen)
    t.hold("listen:0.0.0.0:7103")
    t.hold("listen:127.0.0.1:7105")  # new

    r = t.run("diff", "--json", before)
    t.require(r.rc == 1, f"diff with changes must exit 1: {r}")
    d = R.parse_json(r)
    want = {7101: ["closed"], 7102: ["owner-changed"], 7103: ["exposure-changed"], 7105: ["new"]}
    t.check(changes_by_port(d) == want, "diff: each change once with its kind",
            [changes_by_port(d), want])
    t.check(d["summary"] == {"new": 1, "closed": 1, "owner-changed": 1, "exposure-changed": 1,
                             "firewall-changed": 0, "address-changed": 0, "state-changed": 0}, "summary", [d["summary"]])
    for c in d["changes"]:
        if c["kind"] == "exposure-changed":
            t.check(c["before"]["local"] == {"addr": "127.0.0.1", "port": 7103} and
                    c["after"]["local"] == {"addr": "0.0.0.0", "port": 7103} and
                    c["before"]["exposure"] == "loopback" and c["after"]["exposure"] == "all-interfaces",
                    "exposure change before/after", [c])
        if c["kind"] == "owner-changed":
            t.check(c["before"]["owners"][0]["exe"] == os.path.realpath(t.helper) and
                    c["after"]["owners"][0]["exe"] == os.fsdecode(other.exe) and
                    c["after"]["owners"][0]["pid"] == other.pid, "owner change names both programs", [c])
        if c["kind"] == "closed":
            t.check(c["before"]["owners"][0]["pid"] == gone.pid and c["after"] is None, "closed", [c])

    # two files give the same answer; the text form has one line per change and a summary
    after = path(t, "after.json")
    t.require(t.run("snapshot", "--output", after).rc == 0, "second snapshot")
    r2 = t.run("diff", "--json", before, after)
    t.check(r2.rc == 1 and changes_by_port(R.parse_json(r2)) == want, "diff of two files", [r2])
    r3 = t.run("diff", before, after, env=t.env(NO_COLOR="1"))
    lines = r3.out.decode().splitlines()
    t.check(r3.rc == 1 and len(lines) == 5 and lines[-1] == "4 changes: 1 new, 1 closed, 1 owner-changed, "
            "1 exposure-changed" and b"\x1b" not in r3.out, "diff text", lines)
    t.check("exposure-changed tcp 0.0.0.0:7103: loopback => all-interfaces (wider), re-bound from 127.0.0.1:7103"
            in lines, "a re-bind reads as the exposure changing, then where from", lines)
    same = t.run("diff", after, after)
    t.check(same.rc == 0 and same.out == b"no changes\n", "no changes: exit 0", [same, same.out])
    # only TCP compared: the UDP socket and everything else stay out
    tcp = t.run("diff", "--json", "-u", before, after)
    t.check(tcp.rc == 0 and R.parse_json(tcp)["changes"] == [], "-u narrows both sides", [tcp])


WIN11 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "win11")


def changes_windows_snapshot_on_linux(t):
    """A Windows 11 host's snapshots (tests/fixtures/win11, as the Windows build writes them:
    svchost.exe groups, System, lsass, a signed vendor service, an unsigned tool in %APPDATA%)
    compare on Linux: the tool's taskkill and DoSvc's sc.exe stop read as two closed listeners,
    Windows paths print as Windows writes them (one backslash), -c narrows by program name."""
    before, after = os.path.join(WIN11, "snapshot.json"), os.path.join(WIN11, "after.json")
    r = t.run("diff", before, after, env=t.env(NO_COLOR="1"))
    lines = r.out.decode().splitlines()
    t.check(r.rc == 1 and r.err == b"" and lines[-1] == "2 changes: 2 closed", "diff text", [r] + lines)
    t.check(any(ln.startswith("closed") and "tcp 0.0.0.0:28000" in ln and
                "C:\\Users\\bob\\AppData\\Roaming\\SyncTool\\synctool.exe" in ln for ln in lines) and
            any("tcp 0.0.0.0:7680" in ln and "C:\\Windows\\system32\\svchost.exe unit=DoSvc" in ln for ln in lines) and
            b"\\\\" not in r.out, "the closed listeners, their paths with single backslashes", lines)
    j = t.run("diff", "--json", before, after)
    t.check(j.rc == 1 and changes_by_port(R.parse_json(j)) == {7680: ["closed"], 28000: ["closed"]},
            "diff --json", [j])
    c = t.run("diff", "--json", "-c", "synctool.exe", before, after)
    t.check(c.rc == 1 and changes_by_port(R.parse_json(c)) == {28000: ["closed"]}, "-c synctool.exe", [c])
    same = t.run("diff", before, before)
    t.check(same.rc == 0 and same.out == b"no changes\n", "a Windows snapshot against itself", [same])


def changes_bad_snapshots(t):
    t.hold("listen:127.0.0.1:7111")
    good = path(t, "good.json")
    t.require(t.run("snapshot", "-o", good).rc == 0, "snapshot")
    text = open(good).read()
    cut = path(t, "cut.json")
    with open(cut, "w") as f:
        f.write(text[: len(text) // 2])
    r = t.run("diff", cut)
    err = r.err.decode()
    t.check(r.rc == 2 and err.startswith(f"portsleuth: {cut}:") and "not a valid snapshot" in err,
            "truncated snapshot: exit 2, FILE:LINE:COL", [r])
    newer = path(t, "newer.json")
    with open(newer, "w") as f:
        f.write(text.replace('"schema":1', '"schema":7', 1))
    r = t.run("diff", newer)
    t.check(r.rc == 2 and f"{newer}: at schema: schema 7 is newer" in r.err.decode(), "newer schema", [r])
    bad = path(t, "bad.json")
    with open(bad, "w") as f:
        f.write('{"schema":1,"sockets":[{"proto":"tcp","local":{"addr":"nowhere","port":1}}]}')
    r = t.run("diff", bad)
    t.check(r.rc == 2 and "at sockets[0].local: \"addr\" must be an IPv4 or IPv6 address" in r.err.decode(),
            "bad value names the JSON path", [r])
    foreign = path(t, "foreign.json")
    with open(foreign, "w") as f:
        f.write('{"name":"package.json","version":"1.0"}')
    r = t.run("check", "--baseline", foreign)
    t.check(r.rc == 2 and "not a portsleuth snapshot" in r.err.decode(), "foreign JSON", [r])
    r = t.run("diff", path(t, "missing.json"))
    t.check(r.rc == 2 and "No such file" in r.err.decode(), "missing file", [r])
    # an older, minimal file (no state, no netns, no owners) still loads: one listener, same port
    old = path(t, "old.json")
    ns = os.stat("/proc/self/ns/net").st_ino
    with open(old, "w") as f:
        f.write('{"schema":1,"sockets":[{"proto":"tcp","local":{"addr":"127.0.0.1","port":7111},"netns":%d},'
                '{"proto":"tcp","local":{"addr":"127.0.0.1","port":7112},"netns":%d}]}' % (ns, ns))
    r = t.run("diff", "--json", old)
    t.check(r.rc == 1 and changes_by_port(R.parse_json(r)) == {7112: ["closed"]}, "older schema loads", [r])


class Watch:
    """A background `portsleuth watch --json`, read line by line."""

    def __init__(self, t, *args, uid=0, env=None):
        prefix = [] if uid == 0 else ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        self.p = subprocess.Popen(prefix + [t.exe_of(uid, "binary"), "watch", "--json", *args],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env or t.env())
        t.procs.append(self.p)
        self.buf = b""
        self.events = []

    def next(self, timeout=10):
        """The next JSON line (a safety timeout only: the tests wait for events, not for time)."""
        deadline = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise R.Failed(f"watch said nothing more for {timeout}s; so far {self.events}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise R.Failed(f"watch exited ({self.p.wait(5)}): {self.p.stderr.read()[-500:]!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        ev = json.loads(line)
        self.events.append(ev)
        return ev

    def until(self, pred, timeout=10):
        while True:
            ev = self.next(timeout)
            if pred(ev):
                return ev

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        rest, err = self.p.communicate(timeout=10)
        self.buf += rest
        for line in self.buf.splitlines():
            self.events.append(json.loads(line))
        self.buf = b""
        return self.p.returncode, err


def port_events(events, port):
    return [(e["kind"], e["seen_by"], e["short_lived"]) for e in events
            if e.get("local", {}).get("port") == port]


def changes_watch_short_lived(t):
    # polls are an hour apart: a listener living 300 ms can only be seen through the kernel's
    # destroy notifications, so the case does not depend on when a poll happens
    w = Watch(t, "--interval", "3600")
    start = w.next()
    t.require(start["kind"] == "start" and start["destroy_notifications"] is True and start["note"] is None,
              "watch as root subscribes to destroy notifications", [start])
    h = t.hold("listen:127.0.0.1:7201")
    time.sleep(0.3)
    stop(h)
    w.until(lambda e: e.get("kind") == "closed" and e["local"]["port"] == 7201)
    rc, err = w.stop()
    t.check(rc == 0, f"watch stops cleanly on SIGTERM: exit {rc}", [err[-300:]])
    got = port_events(w.events, 7201)
    want = [("new", "destroy-notification", True), ("closed", "destroy-notification", True)]
    t.check(got == want, "short-lived listener: opened and closed, once each", [got, want])
    last = w.events[-1]
    t.check(last["kind"] == "stop" and last["signal"] == signal.SIGTERM and last["polls"] == 0,
            "stop line", [last])
    other = [e for e in w.events if e["kind"] not in ("start", "stop")
             and e.get("local", {}).get("port") != 7201]
    t.check(other == [], "no other events", other)


def changes_watch_text_lines(t):
    """watch as text: a short-lived listener's lines end in one space and the marks, no double
    space after "(vanished)"."""
    p = subprocess.Popen([t.binary, "watch", "--interval", "3600"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=t.env(NO_COLOR="1"))
    t.procs.append(p)
    t.require(b" start " in p.stdout.readline(), "start line")
    h = t.hold("listen:127.0.0.1:7202")
    time.sleep(0.3)
    stop(h)
    lines = [p.stdout.readline().decode() for _ in range(2)]
    p.terminate()
    p.communicate(timeout=10)
    want = ["new              tcp 127.0.0.1:7202 listen loopback (vanished) (short-lived: opened and closed "
            "between polls)\n",
            "closed           tcp 127.0.0.1:7202 listen loopback (vanished) (short-lived: opened and closed "
            "between polls)\n"]
    t.check([ln.split("  ", 1)[-1] for ln in lines] == want, "text lines after the time", lines)


def changes_watch_polls_and_log(t):
    log = path(t, "events.log")
    keep = t.hold("listen:127.0.0.1:7211")
    w = Watch(t, "--interval", "0.2", "--log", log)
    t.require(w.next()["kind"] == "start", "start line")
    h = t.hold("listen:127.0.0.1:7212")
    new = w.until(lambda e: e.get("local", {}).get("port") == 7212)
    t.check(new["kind"] == "new" and new["after"]["owners"][0]["pid"] == h.pid, "new listener with its owner",
            [new])
    stop(h)
    closed = w.until(lambda e: e.get("local", {}).get("port") == 7212)
    t.check(closed["kind"] == "closed" and closed["before"]["owners"][0]["pid"] == h.pid,
            "closed listener with its former owner", [closed])
    # the same port taken by another program: owner-changed (a new and a closed when the swap
    # is seen in two polls, so wait for it to settle in one of the two ways)
    stop(keep)
    t.hold("listen:127.0.0.1:7211", exe_name=b"replacement")
    ev = w.until(lambda e: e.get("local", {}).get("port") == 7211)
    if ev["kind"] == "closed":
        ev = w.until(lambda e: e.get("local", {}).get("port") == 7211)
        t.check(ev["kind"] == "new", "after closed, new", [ev])
    else:
        t.check(ev["kind"] == "owner-changed" and ev["after"]["owners"][0]["exe"].endswith("/replacement"),
                "owner change", [ev])
    rc, _ = w.stop(signal.SIGINT)
    t.check(rc == 0, f"SIGINT: exit {rc}")
    logged = [json.loads(x) for x in open(log).read().splitlines()]
    t.check(logged == w.events, "--log holds the same events", [len(logged), len(w.events)])
    # text form without a terminal: words, no colour; --count bounds the run
    r = t.run("watch", "--interval", "0.05", "--count", "3", env=t.env(NO_COLOR=None))
    lines = r.out.decode().splitlines()
    t.check(r.rc == 0 and len(lines) == 2 and " start " in lines[0] and "watching 1 listening socket" in lines[0]
            and " stop " in lines[1] and "after 3 polls" in lines[1] and b"\x1b" not in r.out,
            "watch --count 3 as text", lines)
    for bad in ("0", "1e-300", "0x10", "0.0005"):  # a busy loop, or not the seconds it reads as
        r = t.run("watch", "--interval", bad)
        t.check(r.rc == 2 and b"invalid --interval" in r.err, f"bad interval {bad}", [r])


def changes_watch_unprivileged(t):
    # the kernel lets any user join the sock_diag destroy groups (NL_CFG_F_NONROOT_RECV), so an
    # unprivileged watch still catches short-lived sockets; --poll-only turns them off, and then
    # the output says that such sockets are not seen
    w = Watch(t, "--interval", "3600", uid=R.NOBODY)
    start = w.next()
    t.require(start["kind"] == "start" and start["destroy_notifications"] is True, "nobody subscribes", [start])
    h = t.hold("listen:127.0.0.1:7221")
    time.sleep(0.3)
    stop(h)
    w.until(lambda e: e.get("kind") == "closed" and e["local"]["port"] == 7221)
    rc, _ = w.stop()
    t.check(rc == 0 and [e[0] for e in port_events(w.events, 7221)] == ["new", "closed"],
            "unprivileged watch sees the short-lived listener", [rc, port_events(w.events, 7221)])
    r = t.run("watch", "--json", "--poll-only", "--duration", "0.3", uid=R.NOBODY)
    t.require(r.rc == 0, f"watch --poll-only as nobody: {r}")
    lines = [json.loads(x) for x in r.out.decode().splitlines()]
    t.check(lines[0]["kind"] == "start" and lines[0]["destroy_notifications"] is False and
            "not seen" in lines[0]["note"] and "--poll-only" in lines[0]["note"],
            "without notifications the output says short-lived sockets are not seen", lines[:1])
    t.check(lines[-1]["kind"] == "stop" and lines[-1]["signal"] == 0, "stops after --duration", lines[-1:])
    r = t.run("watch", "--poll-only", "--count", "1", "--interval", "0.05", env=t.env(NO_COLOR=None))
    t.check(r.rc == 0 and "short-lived sockets between polls are NOT seen: sock_diag destroy notifications are "
            "off (--poll-only)" in r.out.decode(), "text form of the note", [r.out])


POLICY = """# issue 5 test policy
allow tcp 7301 exe={helper} max-exposure=loopback
allow tcp 7302 exe={helper} max-exposure=loopback
allow tcp 7303 exe=/usr/sbin/sshd
require tcp 7305
allow udp 7300-7399 name=sock*
"""


def changes_check_policy(t):
    t.hold("listen:127.0.0.1:7301", "udp:127.0.0.1:7310")  # fine (udp by glob)
    t.hold("listen:0.0.0.0:7302")  # exposure wider than loopback
    t.hold("listen:127.0.0.1:7303")  # another program than sshd
    t.hold("listen:127.0.0.1:7304")  # no rule
    pol = path(t, "policy")
    with open(pol, "w") as f:
        f.write(POLICY.format(helper=os.path.realpath(t.helper)))
    r = t.run("check", "--baseline", pol, "--json")
    t.require(r.rc == 4, f"violations: exit 4: {r}")
    d = R.parse_json(r)
    t.check(d["summary"] == {"unexpected": 1, "missing": 1, "owner": 1, "exposure": 1, "unverified": 0} and d["clean"] is False
            and d["checked"] == 5, "one violation of each kind", [d["summary"], d["checked"]])
    kinds = {(v["kind"], v["socket"]["local"]["port"] if v["socket"] else v["rule"]["port_min"]) for v in d["violations"]}
    t.check(kinds == {("unexpected", 7304), ("missing", 7305), ("owner", 7303), ("exposure", 7302)},
            "violations name their ports", [sorted(kinds)])
    for v in d["violations"]:
        if v["kind"] == "exposure":
            t.check(v["allowed_exposure"] == "loopback" and v["socket"]["exposure"] == "all-interfaces"
                    and v["rule"]["line"] == 3, "exposure violation", [v])
        if v["kind"] == "missing":
            t.check(v["rule"]["line"] == 5 and v["rule"]["require"] is True, "missing names line 5", [v])
    txt = t.run("check", "-b", pol)
    lines = txt.out.decode().splitlines()
    t.check(txt.rc == 4 and len(lines) == 5 and
            lines[-1] == "4 violations: 1 unexpected, 1 missing, 1 owner, 1 exposure (5 listeners checked)",
            "text report", lines)
    prom = t.run("check", "--baseline", pol, "--format", "prometheus")
    out = prom.out.decode()
    t.check(prom.rc == 4 and 'portsleuth_check_violations{kind="owner"} 1\n' in out and
            "# TYPE portsleuth_check_violations gauge\n" in out and
            'portsleuth_listeners{proto="tcp",exposure="all-interfaces"} 1\n' in out and
            'portsleuth_check_violation{kind="exposure",proto="tcp",addr="0.0.0.0",port="7302",program="%s"} 1\n'
            % os.path.realpath(t.helper) in out, "prometheus report", out.splitlines())
    for line in out.splitlines():
        t.check(line.startswith("# HELP ") or line.startswith("# TYPE ") or
                line.rsplit(" ", 1)[-1].isdigit(), "prometheus line", [line])
    clean = path(t, "clean")
    with open(clean, "w") as f:
        f.write("allow any *\n")
    r = t.run("check", "--baseline", clean)
    t.check(r.rc == 0 and r.out == b"clean: 5 listeners match the baseline\n", "clean: exit 0", [r, r.out])
    broken = path(t, "broken")
    with open(broken, "w") as f:
        f.write("allow tcp 22\n\nallow tcp 22 exe=/a max-exposure=everywhere\n")
    r = t.run("check", "--baseline", broken)
    t.check(r.rc == 2 and r.err.decode().startswith(f"portsleuth: {broken}:3: bad baseline: unknown exposure"),
            "bad policy: exit 2 naming FILE:LINE", [r])
    r = t.run("check")
    t.check(r.rc == 2 and b"--baseline" in r.err, "check without a baseline", [r])


def changes_check_snapshot_baseline(t):
    h = t.hold("listen:127.0.0.1:7321")
    t.hold("listen:127.0.0.1:7322")
    base = path(t, "base.json")
    t.require(t.run("snapshot", "-o", base).rc == 0, "snapshot")
    r = t.run("check", "--baseline", base)
    t.check(r.rc == 0, f"unchanged: clean: {r}")
    stop(h)
    t.hold("listen:0.0.0.0:7321")
    r = t.run("check", "--baseline", base, "--json")
    d = R.parse_json(r)
    t.check(r.rc == 4 and d["summary"] == {"unexpected": 0, "missing": 0, "owner": 0, "exposure": 1, "unverified": 0},
            "127.0.0.1 became 0.0.0.0: an exposure violation", [d["summary"]])
    prom = t.run("snapshot", "--format", "prometheus")
    t.check(prom.rc == 0 and 'portsleuth_listeners{proto="tcp",exposure="loopback"} 1\n' in prom.out.decode()
            and 'portsleuth_listeners{proto="tcp",exposure="all-interfaces"} 1\n' in prom.out.decode(),
            "snapshot --format prometheus", prom.out.decode().splitlines())


def changes_check_links_missing_unverified(t):
    """daemon-findings #17, #20, #21: exe= naming a link matches the process running its
    target; a missing violation in --json has "proto"; as nobody, an owner that cannot be seen
    is "could not verify" (exit 5), not a violation."""
    h = t.hold("listen:127.0.0.1:7331")
    link = os.path.join(t.tmpdir(), "held-link")
    os.symlink(os.path.realpath(t.helper), link)
    pol = path(t, "policy")
    with open(pol, "w") as f:
        f.write(f"allow tcp 7331 exe={link}\nrequire udp 7332\n")
    os.chmod(pol, 0o644)
    r = t.run("check", "-b", pol, "--json")
    d = R.parse_json(r)
    t.check(r.rc == 4 and d["summary"]["owner"] == 0, "exe= through a link: the owner matches",
            [r.rc, d["violations"]])
    miss = [v for v in d["violations"] if v["kind"] == "missing"]
    t.check(len(miss) == 1 and miss[0].get("proto") == "udp" and miss[0]["socket"] is None,
            "a missing violation carries proto", miss)
    with open(pol, "w") as f:
        f.write(f"allow tcp 7331 exe={link}\n")
    r = t.run("check", "-b", pol, "--json", uid=65534)
    d = R.parse_json(r)
    t.check(r.rc == 5 and d["summary"]["unverified"] == 1 and d["summary"]["owner"] == 0
            and d["clean"] is False and d["verified"] is False,
            f"as nobody: could not verify (exit 5), not violated: exit {r.rc}", [d["summary"], r.err])
    txt = t.run("check", "-b", pol, uid=65534)
    lines = txt.out.decode().splitlines()
    t.check(txt.rc == 5 and lines and lines[-1].startswith("could not verify 1 of 1 listener"),
            "as nobody: text says could not verify", lines)
    stop(h)


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


SOAK_CYCLES = 3000


def changes_watch_soak(t):
    """Thousands of listeners opened and closed under a fast-polling watch: every one is
    reported (past 200 a second, counted in "folded" lines), memory stays flat, and (under SANITIZE=1) LeakSanitizer finds no leak at exit."""
    env = t.env()
    with open(t.binary, "rb") as f:
        sanitized = b"__asan_init" in f.read()
    if "ASAN_OPTIONS" in env or sanitized:
        # a small quarantine, so that freed memory is reused and RSS means something
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=1:detect_leaks=1").lstrip(":")
    w = Watch(t, "--interval", "0.005", env=env)
    t.require(w.next()["kind"] == "start", "start")
    state = {"closed": 0}
    rss = []

    def drain_until(n):
        while state["closed"] < n:
            e = w.next()
            if e.get("kind") == "closed":
                state["closed"] += 1
            elif e.get("kind") == "folded":  # a flood: counted per port and user (issue 19)
                state["closed"] += e["closed"]

    kept = []

    def churn(first, n):
        for i in range(first, first + n):
            s = socket.socket()
            s.bind(("127.0.0.1", 20000 + i))
            s.listen(1)
            if i % 10 == 0:
                kept.append(s)  # lives across polls: seen by a poll, closed in the next batch
            else:
                s.close()
            if i % 50 == 49:  # let watch keep up (the kernel's queue never overflows) and poll
                time.sleep(0.01)
                for k in kept:
                    k.close()
                kept.clear()
                drain_until(i + 1 - 200)

    # warm up, measure, churn the rest, measure again; every listener is reported closed once
    churn(0, 600)
    drain_until(600)
    rss.append(rss_kib(w.p.pid))
    churn(600, SOAK_CYCLES - 600)
    for k in kept:
        k.close()
    drain_until(SOAK_CYCLES)
    rss.append(rss_kib(w.p.pid))
    rc, err = w.stop()
    t.check(rc == 0, f"watch exit {rc} (LeakSanitizer reports leaks with a non-zero exit)", [err[-800:]])
    lost = [e for e in w.events if e["kind"] == "lost-events"]
    t.check(not lost, "no notifications lost at this pace", lost[:1])
    t.check(rss[1] - rss[0] < 2048, f"memory flat over {SOAK_CYCLES} cycles: RSS {rss[0]} KiB -> {rss[1]} KiB")
    last = w.events[-1]
    t.check(last["kind"] == "stop" and last["polls"] > 20, "stop line after many polls", [last])
