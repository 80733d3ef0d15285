"""cases_bounded.py — output bounded on hostile input (issue 19 items 9 and 10): a flood of
short-lived sockets folded in watch --log, and -N over a namespace of many addresses and
wildcard listeners growing with the listeners, not with listeners x addresses.

Loaded by run.py (register(run) is called with the runner module). The attacker is nobody,
binding and closing UDP sockets in a loop in the case's own network namespace, or owning a
network namespace (unshare -Urn) where it adds addresses and listeners.
"""
import json
import os
import subprocess
import sys
import time

R = None  # the runner module, set by register()
# one nobody can run (a python under /root, as pyenv installs it, is not)
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

# nobody's flood: bind a UDP socket to a new port and close it, as fast as Python goes
FLOOD = r'''
import socket, sys, time
end = time.monotonic() + float(sys.argv[1]); n = 0
while time.monotonic() < end:
    for _ in range(500):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.close()
    n += 500
print(n)
'''


def register(run):
    global R
    R = run
    run.case(watch_log_folds_a_flood)


def watch_log_folds_a_flood(t):
    """watch -a --log FILE for 5 s while nobody binds and closes UDP sockets in a loop (well
    over 150k events): the log stays under 1 MB, says what it folded per port and user, and
    the stop line counts the folded events."""
    log = os.path.join(t.tmpdir(), "watch.log")
    w = subprocess.Popen([t.binary, "watch", "-a", "--json", "--log", log, "--duration", "5",
                          "--interval", "1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=t.env())
    t.procs.append(w)
    for _ in range(200):  # the start line: the reference listing is made
        if os.path.exists(log) and os.path.getsize(log) > 0:
            break
        time.sleep(0.02)
    script = os.path.join(t.tmpdir(), "flood.py")
    with open(script, "w") as f:
        f.write(FLOOD)
    fl = subprocess.run(["setpriv", f"--reuid={R.NOBODY}", f"--regid={R.NOBODY}", "--clear-groups",
                         PYTHON, script, "4.5"], capture_output=True, timeout=30)
    made = int(fl.stdout or b"0")
    w.wait(30)
    size = os.path.getsize(log)
    lines = [json.loads(ln) for ln in open(log, "rb").read().decode().splitlines()]
    stop = lines[-1] if lines else {}
    folded = [ln for ln in lines if ln.get("kind") == "folded"]
    t.require(stop.get("kind") == "stop", "the log ends with a stop line", lines[-2:])
    seen = stop.get("events", 0) + stop.get("folded", 0)
    t.require(made >= 75000 and seen >= 150000,
              f"the premise: {made} sockets made, {seen} events seen (lost: {stop.get('lost_notifications')})")
    t.check(size < 1 << 20, f"watch --log of {seen} events: {size} bytes, want under 1 MB")
    t.check(folded and stop.get("folded", 0) == sum(f["events"] for f in folded)
            and stop["folded"] >= seen - 5 * 300,
            f"folded lines count what was not shown: stop {stop}, {len(folded)} folded lines",
            folded[:3])
    t.check(all(f["uid"] in (R.NOBODY, None) and f["proto"] in ("udp", None) for f in folded),
            "folded lines name the port's protocol and the user", folded[:3])
