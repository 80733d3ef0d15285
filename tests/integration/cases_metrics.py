# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_metrics.py — the metrics read back through the real node_exporter (issue 17 item 5).

Loaded by run.py. The case gives its namespace a "public" interface (203.0.113.7/24, a
documentation range that counts as public), starts a redis-port listener on every address
(6379: a never-internet service) and a loopback one, writes the textfile with
tools/portsleuth-textfile (the Debian package's service: `check --format prometheus`, renamed
into place), starts prometheus-node-exporter with its textfile collector on that directory
inside the case's namespace and reads the series back from /metrics over HTTP. Then an nftables
rule drops 6379 from everyone but loopback, and the next file must say the firewall narrowed
it (before that, an `ack` line in the policy must take the finding out of portsleuth_findings).
Skipped (with the reason) when prometheus-node-exporter is not installed (tests/deps.sh
installs it).
"""
import os
import re
import shutil
import subprocess
import time
import urllib.request

R = None  # the runner module, set by register()

EXPORTER = "/usr/bin/prometheus-node-exporter"
TEXTFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "portsleuth-textfile")
PUBLIC = "203.0.113.7"
LISTEN = "127.0.0.1:9100"  # the case's own namespace: nothing else listens here
SERIES = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def register(run):
    global R
    R = run
    run.case(metrics_node_exporter)


def sh(t, *argv):
    r = subprocess.run(list(argv), capture_output=True, timeout=R.RUN_TIMEOUT)
    t.require(r.returncode == 0, f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")


def parse(text):
    """The samples of a Prometheus text exposition: [(name, {label: value}, float)]."""
    out = []
    for line in text.splitlines():
        m = SERIES.match(line)
        if m and not line.startswith("#"):
            out.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return out


def value(samples, name, **labels):
    """The value of the one sample of `name` whose labels include `labels`; None when absent."""
    found = [v for n, l, v in samples if n == name and all(l.get(k) == w for k, w in labels.items())]
    return found[0] if len(found) == 1 else None if not found else ("several", found)


def scrape(t):
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(f"http://{LISTEN}/metrics", timeout=5) as r:
                return parse(r.read().decode())
        except OSError as e:
            if time.monotonic() > deadline:
                raise R.Failed(f"node_exporter did not answer on {LISTEN}: {e}")
            time.sleep(0.1)


def publish(t, d, policy):
    """One run of the service's script; the file must be in place and no temporary left."""
    env = t.env(PORTSLEUTH=t.exe_of(0, "binary"), PORTSLEUTH_BASELINE=policy, TEXTFILE_DIR=d)
    r = subprocess.run(["sh", TEXTFILE], capture_output=True, timeout=R.RUN_TIMEOUT, env=env)
    t.require(r.returncode == 0, f"portsleuth-textfile: exit {r.returncode}: {r.stderr!r}")
    t.check(sorted(os.listdir(d)) == ["policy", "portsleuth.prom"],
            f"textfile dir holds {sorted(os.listdir(d))}, want the file alone (no temporary)")


def metrics_node_exporter(t):
    if not os.access(EXPORTER, os.X_OK):
        t.skip(f"{EXPORTER} is not installed (apt-get install prometheus-node-exporter)")
    sh(t, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p")
    sh(t, "ip", "addr", "add", f"{PUBLIC}/24", "dev", "eth0")
    sh(t, "ip", "link", "set", "eth0p", "up")
    sh(t, "ip", "link", "set", "eth0", "up")
    t.hold("listen:0.0.0.0:6379", "listen:127.0.0.1:8080")
    d = t.tmpdir() + "/textfile"
    os.mkdir(d)
    policy = os.path.join(d, "policy")
    with open(policy, "w") as f:
        f.write("allow tcp 8080 max-exposure=loopback\n")
    publish(t, d, policy)
    # started after the first run, so the check saw only the two listeners
    p = subprocess.Popen([EXPORTER, "--collector.disable-defaults", "--collector.textfile",
                          f"--collector.textfile.directory={d}", f"--web.listen-address={LISTEN}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.procs.append(p)
    s = scrape(t)
    t.require(value(s, "node_textfile_scrape_error") == 0,
              f"node_exporter could not read the file: node_textfile_scrape_error {value(s, 'node_textfile_scrape_error')}")
    want = {
        ("portsleuth_check_result", (("result", "violated"),)): 1,
        ("portsleuth_check_result", (("result", "clean"),)): 0,
        ("portsleuth_check_violations", (("kind", "unexpected"),)): 1,
        ("portsleuth_listeners_reach", (("proto", "tcp"), ("reach", "public"))): 1,
        ("portsleuth_listeners_reach", (("proto", "tcp"), ("reach", "loopback"))): 1,
        ("portsleuth_listeners_reach", (("proto", "udp"), ("reach", "public"))): 0,
        ("portsleuth_listener_info", (("port", "6379"), ("reach", "public"), ("class", "never-internet"),
                                      ("program", t.exe_of(0)))): 1,
        ("portsleuth_listener_info", (("port", "8080"), ("reach", "loopback"))): 1,
        ("portsleuth_findings", (("severity", "alert"), ("code", "public-exposure"))): 1,
    }
    for (name, labels), v in want.items():
        got = value(s, name, **dict(labels))
        t.check(got == v, f"{name}{dict(labels)}: got {got}, want {v}")
    t.check(value(s, "portsleuth_findings_by_severity", severity="alert") is not None
            and value(s, "portsleuth_findings_by_severity", severity="alert") >= 1,
            "portsleuth_findings_by_severity{severity=alert} missing or 0")
    ts = value(s, "portsleuth_check_timestamp_seconds")
    t.check(ts is not None and abs(ts - time.time()) < 60, f"portsleuth_check_timestamp_seconds {ts}")

    # an `ack` line of the policy baseline acknowledges the finding (the script passes the
    # baseline as --policy too); the listener stays reachable from public addresses
    with open(policy, "a") as f:
        f.write('ack public-exposure tcp 6379 until=2099-12-31 reason="test"\n')
    publish(t, d, policy)
    s = scrape(t)
    t.check(value(s, "portsleuth_findings", severity="alert", code="public-exposure") is None,
            "the acknowledged public-exposure finding is still counted")
    t.check(value(s, "portsleuth_listener_info", port="6379", reach="public") == 1,
            "after the ack: 6379's info series no longer says public")

    # the firewall lets only loopback in to 6379: the widest class that reaches it is loopback
    if not shutil.which("nft"):
        t.skip("nft is not installed (apt-get install nftables): the firewall half was not run")
    sh(t, "nft", "add table inet f")
    sh(t, "nft", "add chain inet f in { type filter hook input priority 0 ; policy accept ; }")
    sh(t, "nft", "add rule inet f in iif != lo tcp dport 6379 drop")
    publish(t, d, policy)
    s = scrape(t)
    t.check(value(s, "portsleuth_listener_info", port="6379", reach="loopback") == 1,
            f"after the drop rule: 6379's info series {[l for n, l, v in s if n == 'portsleuth_listener_info']}")
    # the exporter itself now listens on 127.0.0.1:9100: loopback too
    t.check(value(s, "portsleuth_listeners_reach", proto="tcp", reach="public") == 0,
            "after the drop rule: a listener is still counted as reachable from public addresses")
    t.check(value(s, "portsleuth_findings", severity="alert", code="public-exposure") is None,
            "after the drop rule: the public-exposure alert is still there")
