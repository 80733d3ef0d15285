# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_developer.py — a developer's workstation: quiet, while a masquerade stays loud (issue 20).

Loaded by run.py. In the case's namespaces, with a public (203.0.113.7) and a private address
and private tmpfs mounts on /home, /opt and /usr/local/bin (nothing of the system is written),
the usual hand installs listen on loopback as a developer runs them: a venv's python running a
Flask-like app from the home directory (127.0.0.1:5000), a jupyter-like script of the venv
(127.0.0.1:8888), a pyenv-like python (an unpackaged copy in ~/.pyenv) on 127.0.0.1:3000 and
:9090, the machine's node on 127.0.0.1:4200 and running a scratch project's server.js from
/tmp/portsleuth-dev-scratch-* on 127.0.0.1:5173, a Go-like binary copied into /usr/local/bin on
127.0.0.1:8080, and a dev database in /opt (a copy of redis-server under /opt/redis/bin) on
127.0.0.1:6379. None of them gets a warning or an alert. The same copy of redis-server run
from /tmp is still an alert.
"""
import os
import shutil
import subprocess
import tempfile
import time

R = None
PY = "/usr/bin/python3.11"
SEV = {"info": 0, "notice": 1, "warning": 2, "alert": 3}
LISTEN = ("import socket,sys\n"
          "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
          "s.bind(('{addr}', {port})); s.listen(8)\n"
          "print('READY', flush=True); sys.stdin.read()\n")


def register(run):
    global R
    R = run
    run.case(developer_workstation)


def sh(t, *argv):
    r = subprocess.run(list(argv), capture_output=True, timeout=R.RUN_TIMEOUT)
    t.require(r.returncode == 0, f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r.stdout.decode(errors="replace")


def private_dir(t, path):
    os.makedirs(path, exist_ok=True)
    sh(t, "mount", "-t", "tmpfs", "-o", "mode=0755", "portsleuth-dev", path)


def start(t, argv, what, ready=b"READY\n"):
    """Run argv (stdin EOF ends it); wait for its READY line (None: for nothing)."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         close_fds=True)
    t.procs.append(p)
    if ready is not None:
        line = p.stdout.readline()
        t.require(line == ready, f"{what} did not start: {line!r} {p.stderr.read1(500) if not line else b''!r}")
    return p


def wait_port(t, port):
    for _ in range(150):
        r = subprocess.run(["ss", "-Htln", f"sport = :{port}"], capture_output=True)
        if r.stdout.strip():
            return
        time.sleep(0.1)
    t.require(False, f"nothing listens on {port}")


def script(path, code, shebang):
    with open(path, "w") as f:
        f.write(f"#!{shebang}\n{code}")
    os.chmod(path, 0o755)


def network(t):
    for dev, peer, addr in (("pub0", "pub1", "203.0.113.7/24"), ("lan0", "lan1", "10.77.0.5/24")):
        sh(t, "ip", "link", "add", dev, "type", "veth", "peer", "name", peer)
        sh(t, "ip", "addr", "add", addr, "dev", dev)
        sh(t, "ip", "link", "set", dev, "up")
        sh(t, "ip", "link", "set", peer, "up")


def developer_workstation(t):
    """Hand installs on loopback (venv, pyenv, node, /usr/local/bin, /opt): no warning or alert;
    a copy of redis-server from /tmp on loopback: an alert."""
    if not os.path.exists(PY):
        t.skip(f"{PY} is missing")
    network(t)
    for d in ("/home", "/opt", "/usr/local/bin"):
        private_dir(t, d)
    home = "/home/dev"
    os.makedirs(f"{home}/app")
    # a venv (its python is a link to the system's) running a Flask-like app from home
    sh(t, "python3", "-m", "venv", "--without-pip", f"{home}/venv")
    app = f"{home}/app/app.py"
    with open(app, "w") as f:
        f.write(LISTEN.format(addr="127.0.0.1", port=5000))
    start(t, [f"{home}/venv/bin/python", app], "flask-like app")
    # a jupyter-like entry point of the venv: the kernel names the process after the script
    script(f"{home}/venv/bin/jupyter-lab", LISTEN.format(addr="127.0.0.1", port=8888), f"{home}/venv/bin/python")
    start(t, [f"{home}/venv/bin/jupyter-lab"], "jupyter-like")
    # a pyenv-like python: an unpackaged copy of the interpreter in the home directory
    pyenv = f"{home}/.pyenv/versions/3.11.2/bin"
    os.makedirs(pyenv)
    shutil.copy(PY, f"{pyenv}/python3.11")
    os.symlink("python3.11", f"{pyenv}/python3")
    for port in (3000, 9090):
        start(t, [f"{pyenv}/python3", "-c", LISTEN.format(addr="127.0.0.1", port=port)], f"pyenv python :{port}")
    # node, as the machine has it
    node = shutil.which("node")
    if node:
        start(t, [node, "-e", "require('net').createServer().listen(4200, '127.0.0.1', () => "
                  "console.log('READY'))"], "node")
        # a scratch project under /tmp (its own directory, not world-writable): node server.js
        # (a directory of this run's own: two suites may run at once, /tmp is shared)
        scratch = tempfile.mkdtemp(prefix="portsleuth-dev-scratch-", dir="/tmp")
        os.chmod(scratch, 0o755)
        before = t.cleanup
        t.cleanup = lambda: (before(), shutil.rmtree(scratch, ignore_errors=True))
        with open(f"{scratch}/server.js", "w") as f:
            f.write("require('net').createServer().listen(5173, '127.0.0.1', () => console.log('READY'))\n")
        start(t, [node, f"{scratch}/server.js"], "node server.js under /tmp")
    # a Go-like static binary copied into /usr/local/bin
    shutil.copy(t.helper, "/usr/local/bin/devserver")
    start(t, ["/usr/local/bin/devserver", "listen:127.0.0.1:8080"], "devserver", ready=None)
    # a dev database in /opt
    redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    if os.path.exists(redis):
        os.makedirs("/opt/redis/bin")
        shutil.copy(os.path.realpath(redis), "/opt/redis/bin/redis-server")
        start(t, ["/opt/redis/bin/redis-server", "--port", "6379", "--bind", "127.0.0.1", "--save", "",
                  "--daemonize", "no", "--dir", "/opt/redis"], "redis in /opt", ready=None)
        wait_port(t, 6379)
    wait_port(t, 8080)
    doc = t.json()
    ports = {5000, 8888, 3000, 9090, 8080} | ({4200, 5173} if node else set()) | ({6379} if os.path.exists(redis) else set())
    socks = [s for s in doc["sockets"] if s["local"]["port"] in ports and s["state"] == "listen"]
    t.require({s["local"]["port"] for s in socks} == ports, "every dev listener seen",
              sorted(s["local"]["port"] for s in socks))
    loud = [f"{s['local']['port']}: [{f['severity']}] {f['code']}: {f['reason']}" for s in socks
            for f in s["findings"] if SEV[f["severity"]] >= SEV["warning"]]
    t.check(not loud, "a developer's loopback listeners: no warning or alert", loud)
    uo = [f"{s['local']['port']}: {f['reason']}" for s in socks for f in s["findings"]
          if f["code"] == "unexpected-owner" and s["local"]["port"] != 6379]
    t.check(not uo, "no unexpected-owner for programs that take no system daemon's name", uo)
    r = t.run("--findings")
    t.check(r.rc != 4, f"--findings does not exit 4 (nothing to look at this week): {r.rc}", r.out.decode().splitlines())
    # the same redis-server copied to /tmp, on loopback: it sits where anyone writes
    if os.path.exists(redis):
        tmpdir = tempfile.mkdtemp(prefix="portsleuth-dev-fake-", dir="/tmp")
        orig = t.cleanup
        t.cleanup = lambda: (orig(), shutil.rmtree(tmpdir, ignore_errors=True))
        shutil.copy(os.path.realpath(redis), f"{tmpdir}/redis-server")
        start(t, [f"{tmpdir}/redis-server", "--port", "6379", "--bind", "127.0.0.2", "--save", "",
                  "--daemonize", "no", "--dir", tmpdir], "redis in /tmp", ready=None)
        for _ in range(150):
            fake = [s for s in t.json()["sockets"] if s["local"]["port"] == 6379
                    and s["local"]["addr"] == "127.0.0.2"]
            if fake:
                break
            time.sleep(0.1)
        t.check(fake and any(f["severity"] == "alert" for f in fake[0]["findings"]),
                "a copy of redis-server in /tmp on loopback: an alert", fake and fake[0]["findings"])
