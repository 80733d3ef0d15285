# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_advice.py — advice that is safe to paste as root (issue 19 items 5, 7 and 8).

Loaded by run.py (register(run) is called with the runner module). The attacker is an
unprivileged user (nobody) with a delegated cgroup subtree, as systemd gives every user
(user@UID.service is Delegate=yes): the case builds that subtree for real under the cgroup2
mount, hands it to nobody, and nobody names its own cgroup and moves its listener into it.
"""
import json
import os
import shlex
import subprocess
import tempfile
import time

R = None  # the runner module, set by register()
UID = 65534  # nobody
USER = "nobody"

# Names a user can give its own cgroup: shell syntax, a quote, a terminal escape.
HOSTILE = "$(touch PWNED)';touch PWNED2;'x.service"
ESCAPE = "a\x1b]0;b.service"

# Run as nobody (argv: DELEG NAME HELPER PORT): from DELEG/init.scope, where root put it, make
# DELEG/app.slice/NAME, move there and become a listener (the common ancestor, DELEG, is nobody's).
ATTACK = r'''
set -e
mkdir -p "$1/app.slice/$2"
echo $$ > "$1/app.slice/$2/cgroup.procs"
exec "$3" "listen:127.0.0.1:$4"
'''


def register(run):
    global R
    R = run
    for fn in (advice_unit_names_quoted, advice_prefork_group_stops_all):
        run.case(fn)


def delegate(t, mnt, top):
    """top/user.slice/user-UID.slice/user@UID.service with init.scope, owned by nobody like a
    Delegate=yes unit's subtree (the directory and its cgroup.procs, subtree_control, threads)."""
    deleg = f"{top}/user.slice/user-{UID}.slice/user@{UID}.service"
    os.makedirs(mnt + deleg + "/init.scope")
    for d in (deleg, deleg + "/init.scope"):
        for f in ("", "/cgroup.procs", "/cgroup.subtree_control", "/cgroup.threads"):
            os.chown(mnt + d + f, UID, UID)
    return deleg


def remove_tree(path):
    for _ in range(100):  # killed processes leave their cgroups as they are reaped
        try:
            for d, subdirs, _ in sorted(os.walk(path), key=lambda e: -len(e[0])):
                os.rmdir(d)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


def spawn_in(t, mnt, deleg, name, port):
    """Root puts a shell into the delegated init.scope; it becomes nobody, who does the rest."""
    helper = t.exe_of(UID)
    script = os.path.join(t.tmpdir(), "attack.sh")
    with open(script, "w") as f:
        f.write(ATTACK)
    os.chmod(script, 0o755)
    p = subprocess.Popen(
        ["sh", "-c", 'echo $$ > "$0/init.scope/cgroup.procs" && exec setpriv --reuid=65534 '
         '--regid=65534 --clear-groups sh "$@"', mnt + deleg, script, mnt + deleg, name, helper,
         str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.procs.append(p)
    line = p.stdout.readline().decode()
    t.require(line.startswith("READY"), f"nobody's listener in {name!r}: {line!r} "
              f"{p.stderr.read1(500) if p.poll() is not None else b''}")
    return int(line.split()[1].split("=")[1])


def run_advice(t, command, cwd):
    """Run the advice with sh, systemctl and kill replaced by functions that print their words:
    returns (rc, the words each was called with, the files that appeared in cwd)."""
    before = set(os.listdir(cwd))
    r = subprocess.run(["sh", "-c", 'systemctl() { printf "systemctl\\n"; printf "%s\\n" "$@"; }; '
                        'kill() { printf "kill\\n"; printf "%s\\n" "$@"; }; ' + command],
                       cwd=cwd, capture_output=True, timeout=10)
    return r.returncode, r.stdout.decode(errors="replace").splitlines(), set(os.listdir(cwd)) - before


def check_pastes(t, command, want, what):
    """command parses (shlex and sh -n) into exactly want, and running it runs nothing else."""
    try:
        words = shlex.split(command)
    except ValueError as e:
        words = [f"shlex: {e}"]
    t.check(words == want, f"{what}: shlex.split gives {words}, want {want}", [command])
    n = subprocess.run(["sh", "-n", "-c", command], capture_output=True, timeout=10)
    t.check(n.returncode == 0, f"{what}: sh -n rejects it", [command, n.stderr])
    cwd = tempfile.mkdtemp(dir=t.tmpdir())  # a fresh one: what this paste made, alone
    rc, ran, made = run_advice(t, command, cwd)
    t.check(rc == 0 and ran == want and not made,
            f"{what}: run under sh, it called {ran} and made {sorted(made)}", [command])


def advice_unit_names_quoted(t):
    """nobody names its delegated cgroup $(touch PWNED)';touch PWNED2;'x.service (and one with a
    terminal escape): explain's advice, text and --json stop[].command/for_good, is one quoted
    word for the unit, names nobody's own manager (systemctl --user -M nobody@) and says it is
    that user's unit; the escape name is refused and the advice is kill PID."""
    mnt = R.cgroup2_root()
    t.require(mnt, "no cgroup2 file system is mounted")
    top = f"/portsleuth-it-{os.urandom(6).hex()}"
    try:
        deleg = delegate(t, mnt, top)
        pid = spawn_in(t, mnt, deleg, HOSTILE, 4301)
        esc = spawn_in(t, mnt, deleg, ESCAPE, 4302)
        env = t.env(PORTSLEUTH_TEST_ROOTS="1")
        ex = t.json("explain", "4301", env=env)
        stops = {s["pid"]: s for s in ex.get("stop", [])}
        t.require(pid in stops, f"explain 4301 --json: no stop entry for {pid}", [ex.get("stop")])
        mgr = ["systemctl", "--user", "-M", f"{USER}@"]
        check_pastes(t, stops[pid]["command"], mgr + ["stop", HOSTILE], "stop[].command")
        check_pastes(t, stops[pid].get("for_good", ""), mgr + ["disable", "--now", HOSTILE],
                     "stop[].for_good")
        r = t.run("explain", "4301", env=env)
        text = r.out.decode(errors="replace")
        line = next((ln.split("to stop it: ", 1)[1] for ln in text.splitlines() if "to stop it: " in ln), "")
        cmd = line.split(" (for now", 1)[0]
        check_pastes(t, cmd, mgr + ["stop", HOSTILE], "explain text")
        t.check(f"a user unit: run by the service manager of user {USER}, not the system's" in text,
                "explain says whose unit it is", text.splitlines())
        ex = t.json("explain", "4302", env=env)
        s = next((s for s in ex.get("stop", []) if s["pid"] == esc), {})
        t.check(s.get("command") == f"kill {esc}" and "for_good" not in s and s.get("not_the_unit"),
                "a unit name with a terminal escape: refused, kill PID instead", [s])
        check_pastes(t, s.get("command", ""), ["kill", str(esc)], "refused name's kill")
    finally:
        t.kill_all()
        remove_tree(mnt + top)


def advice_prefork_group_stops_all(t):
    """nobody's listener whose forked child holds the same socket (one group, PID P+1): the
    advice names both pids, and running it for real frees the port (kill P alone left the child
    holding it)."""
    h = t.hold("listen:127.0.0.1:4311", "fork", uid=UID)
    t.require(h.child, "sockhold fork: no child pid")
    ex = t.json("explain", "4311")
    owners = sorted({o["pid"] for s in ex.get("sockets", []) for o in s["owners"]})
    t.require(owners == sorted([h.pid, h.child]), f"holders of 4311: {owners}, want {h.pid} and {h.child}")
    stops = ex.get("stop", [])
    t.require(len(stops) == 1, "one stop entry for the group", stops)
    cmd = stops[0]["command"]
    check_pastes(t, cmd, ["kill", str(h.pid), str(h.child)], "group's kill")
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, timeout=10)
    t.check(r.returncode == 0, f"{cmd}: {r.stderr}")
    left = []
    for _ in range(100):
        left = [s for s in json.loads(t.run("-l", "--json").out)["sockets"]
                if s["local"]["port"] == 4311]
        if not left:
            break
        time.sleep(0.05)
    t.check(not left, f"after {cmd!r} port 4311 is still held", [json.dumps(s)[:300] for s in left])
