# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_trust.py — files root reads are trusted only when no one but root or the invoking user
can have written them (issue 19 item 11): --policy, --baseline, --ports-file,
/etc/portsleuth/ports and --services.

Loaded by run.py (register(run) is called with the runner module). The attacker is nobody: it
leaves a world-writable policy that acknowledges every finding, or owns the file outright;
root's run must refuse it (exit 2, one line naming the file and why), and use the same text
from a file root owns.
"""
import os
import shutil
import subprocess

R = None  # the runner module, set by register()
ACK_ALL = "ack * any * until=2099-12-31 reason=expected\n"


def register(run):
    global R
    R = run
    for fn in (trust_policy_and_baseline, trust_ports_and_services, trust_name_is_the_programs_own):
        run.case(fn)


def plant(t, name, text, mode, uid=0):
    """A file in the case's directory (every user can reach it), with this mode and owner."""
    path = os.path.join(t.tmpdir(), name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    os.chown(path, uid, uid)
    return path


def refused(t, r, path, why, what):
    lines = r.err.decode(errors="replace").splitlines()
    t.check(r.rc == 2 and len(lines) == 1 and path in lines[0] and why in lines[0]
            and "refusing" in lines[0],
            f"{what}: exit {r.rc}, want 2 and one line naming {path} and '{why}'", lines)


def trust_policy_and_baseline(t):
    """A listener run from a temp directory has findings; nobody's 0666 policy (or one nobody
    owns) acknowledging everything is refused, as is such a baseline; root's own 0644 copy is
    used (the findings are acknowledged, check passes)."""
    d = os.path.join(t.tmpdir(), "tmp")
    os.makedirs(d)
    exe = os.path.join(d, "sockhold")
    shutil.copy(t.helper, exe)
    os.chmod(exe, 0o755)
    subprocess.run(["chmod", "1777", d], check=True)
    p = subprocess.Popen([exe, "listen:0.0.0.0:4401"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.procs.append(p)
    t.require(p.stdout.readline().startswith(b"READY"), "listener did not start")
    env = t.env(TMPDIR=d)
    r = t.run("--findings", "--json", env=env)
    doc = R.parse_json(r)
    mine = [f for s in doc["sockets"] if s["local"]["port"] == 4401 for f in s["findings"]]
    t.require(mine and r.rc != 0, f"the premise: the listener has findings (exit {r.rc})")

    for name, mode, uid, why in (("open.policy", 0o666, 0, "writable by group or others"),
                                 ("theirs.policy", 0o644, R.NOBODY, "owned by another user")):
        path = plant(t, name, ACK_ALL, mode, uid)
        refused(t, t.run("--findings", "--policy", path, env=env), path, why, f"--policy {name}")
        refused(t, t.run("check", "-b", path, env=env), path, why, f"check -b {name}")
    # a FIFO nobody planted, no one writing it: refused at once, not waited on
    fifo = os.path.join(t.tmpdir(), "theirs.fifo")
    os.mkfifo(fifo, 0o644)
    os.chown(fifo, R.NOBODY, R.NOBODY)
    for args in (("--findings", "--policy", fifo), ("check", "-b", fifo)):
        refused(t, t.run(*args, env=env), fifo, "owned by another user", " ".join(args))
    mine_path = plant(t, "root.policy", ACK_ALL, 0o644)
    r = t.run("--findings", "--policy", mine_path, "--json", env=env)
    t.check(r.rc == 1 and b"no socket with findings matches" in r.err and b"refusing" not in r.err,
            f"root's own policy is used (every finding acknowledged): {r}")

    # a snapshot baseline nobody can rewrite to say "all of this is expected"
    snap = t.run("snapshot", env=env).out.decode()
    path = plant(t, "open.snap.json", snap, 0o666)
    refused(t, t.run("check", "-b", path, env=env), path, "writable by group or others",
            "check -b of a 0666 snapshot")
    path = plant(t, "root.snap.json", snap, 0o644)
    r = t.run("check", "-b", path, env=env)
    t.check(r.rc == 0 and b"refusing" not in r.err, f"root's own snapshot baseline is used: {r}")


def trust_ports_and_services(t):
    """--ports-file, --services and /etc/portsleuth/ports (an overlay on /etc in the case's own
    mount namespace) that another user can write are refused; root's 0644 ones are used."""
    services = open("/etc/services").read() if os.path.exists("/etc/services") else "ssh 22/tcp\n"
    for opt, text in (("--ports-file", "4402/tcp x-mine This is mine\n"), ("--services", services)):
        path = plant(t, "open" + opt, text, 0o646)
        refused(t, t.run(opt, path), path, "writable by group or others", f"{opt} 0646")
        path = plant(t, "theirs" + opt, text, 0o644, R.NOBODY)
        refused(t, t.run(opt, path), path, "owned by another user", f"{opt} owned by nobody")
        path = plant(t, "root" + opt, text, 0o644)
        r = t.run(opt, path)
        t.check(r.rc in (0, 1) and b"refusing" not in r.err, f"{opt} root's own: {r}")

    up = os.path.join(t.tmpdir(), "etc-up")
    work = os.path.join(t.tmpdir(), "etc-work")
    os.makedirs(up)
    os.makedirs(work)
    m = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir=/etc,upperdir={up},workdir={work}", "/etc"], capture_output=True)
    if m.returncode != 0:
        t.skip(f"cannot overlay /etc in the case's mount namespace: {m.stderr.decode().strip()}")
    try:
        os.makedirs("/etc/portsleuth", exist_ok=True)
        path = "/etc/portsleuth/ports"
        with open(path, "w") as f:
            f.write("4402/tcp x-mine This is mine\n")
        os.chmod(path, 0o666)
        refused(t, t.run(), path, "writable by group or others", "/etc/portsleuth/ports 0666")
        os.chmod(path, 0o644)
        r = t.run()
        t.check(b"refusing" not in r.err, f"/etc/portsleuth/ports 0644: {r}")
    finally:
        subprocess.run(["umount", "/etc"], capture_output=True)


# nobody's python that names itself avahi-daemon (prctl PR_SET_NAME) and takes mDNS's port
FORGED_NAME = r'''
import ctypes, socket, sys
ctypes.CDLL(None).prctl(15, b"avahi-daemon", 0, 0, 0)  # PR_SET_NAME
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
print("READY", flush=True)
sys.stdin.read()
'''


def trust_name_is_the_programs_own(t):
    """name= in a policy matches a process name only when it is its program's own: nobody's python
    calling itself avahi-daemon is not allowed (nor its findings acknowledged) by a rule naming
    avahi-daemon, while a program whose file is named avahi-daemon is."""
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    script = plant(t, "forged.py", FORGED_NAME, 0o644)
    p = subprocess.Popen(["setpriv", f"--reuid={R.NOBODY}", f"--regid={R.NOBODY}", "--clear-groups",
                          py, script, "5353"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    t.procs.append(p)
    t.require(p.stdout.readline().startswith(b"READY"), "the forged listener did not start")
    with open(f"/proc/{p.pid}/comm") as f:
        t.require(f.read().strip() == "avahi-daemon", "test premise: comm is avahi-daemon")
    t.hold("udp:127.0.0.1:5354", exe_name=b"avahi-daemon")  # a program whose file has that name
    pol = plant(t, "name.policy", "allow udp 5353-5354 name=avahi-daemon\n", 0o644)
    r = t.run("check", "-b", pol, "--json")
    d = R.parse_json(r)
    bad = {v["socket"]["local"]["port"]: v for v in d["violations"] if v["socket"]}
    t.check(r.rc == 4 and list(bad) == [5353] and bad[5353]["kind"] == "owner",
            "the forged name violates the rule, the program's own name meets it", [d["violations"]])
