# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_stock.py — more stock Debian daemons, started as their packages start them (issue 20).

Loaded by run.py. dovecot (imapd + pop3d, with clients connected so its login processes hold
the listeners), squid, vsftpd, bind9 (named), chrony, xrdp (+ xrdp-sesman) and nmbd run on
their package's stock configuration, with the ExecStart of their systemd units (without
systemd), in the case's namespaces with a public (203.0.113.7) and a private (10.77.0.5)
address (cases_daemons.py's machine). Their state and log directories are private tmpfs
mounts, so nothing of the system is written. Exceptions to "as the package starts it", each
needed to stay hermetic: chronyd gets -x (it must not set the host's clock).

A severity is a promise: a stock daemon on its stock configuration gets no warning or alert
about its owner, its name or a configuration we do not read. Exposure follows the policy:
RDP and NetBIOS reachable from a public address are alerts by design (never-internet and
lan-only classes), so xrdp's 3389 and nmbd's 137/138 are checked for owner findings only.
A case whose package is not installed is skipped (tests/deps.sh installs them).
"""
import importlib.util
import os
import re
import socket
import subprocess
import time

R = None  # the runner module
D = None  # cases_daemons.py: the machine (network, private /run, spawn, waiting)

OWNER_CODES_OK = {"public-exposure", "private-exposure", "link-local-exposure"}


def register(run):
    global R, D
    R = run
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("cases_daemons_for_stock", os.path.join(here, "cases_daemons.py"))
    D = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(D)
    D.R = run
    for fn in (stock_dovecot, stock_squid, stock_vsftpd, stock_bind9, stock_chrony, stock_xrdp, stock_nmbd,
               stock_rsyslog_tcp):
        run.case(fn)


# ---------------------------------------------------------------- the machine


def private_dir(t, path, owner=None, mode=0o755):
    """A private tmpfs on path (created if missing; the case's mount namespace only)."""
    os.makedirs(path, exist_ok=True)
    D.sh(t, "mount", "-t", "tmpfs", "-o", f"mode={mode:o}", "portsleuth-stock", path)
    if owner:
        D.sh(t, "chown", owner, path)
    return path


def wait_for(t, what, pred, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    t.require(False, f"{what}: not after {timeout}s", D._logs())


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def held_by(pids_of, name):
    """pids named `name` among pids."""
    return [p for p in pids_of if comm(p) == name]


# ---------------------------------------------------------------- checking


def quiet(t, doc, pids, what, owner_only=False):
    """No warning or alert on the sockets held by pids (owner_only: none but exposure's)."""
    socks = [s for s in doc["sockets"] if any(o["pid"] in pids for o in s["owners"])]
    t.require(socks, f"{what}: no socket held by {sorted(pids)}", [D.where(s) for s in doc["sockets"]])
    loud = [f"{D.where(s)}: {ln}" for s in socks for f, ln in zip(s["findings"], D.show(s["findings"]))
            if D.SEV[f["severity"]] >= D.SEV["warning"] and not (owner_only and f["code"] in OWNER_CODES_OK)]
    t.check(not loud, f"{what}: a stock daemon gets no warning or alert"
            + (" about its owner" if owner_only else ""), loud)
    return socks


def tree_pids(dm):
    return set(D.tree(dm.pid))


# ---------------------------------------------------------------- cases


def stock_dovecot(t):
    """dovecot (dovecot-imapd, dovecot-pop3d) as dovecot.service starts it (dovecot -F), with an
    IMAP and a POP3 client connected: imap-login and pop3-login hold 143/993 and 110/995. They
    group under the master: no unexpected-owner, one row, the advice stops the master, and
    `allow tcp 143 name=dovecot` passes `check`."""
    D.need(t, "/usr/sbin/dovecot", "/usr/lib/dovecot/imap-login", "/usr/lib/dovecot/pop3-login",
           "/etc/dovecot/dovecot.conf", package="dovecot-imapd dovecot-pop3d")
    D.network(t)
    D.private_run(t)  # base_dir /run/dovecot
    private_dir(t, "/var/lib/dovecot")
    dm = D.spawn(t, "dovecot", ["/usr/sbin/dovecot", "-F"])
    D.wait_listening(t, [("tcp", 143), ("tcp", 110), ("tcp", 993), ("tcp", 995)], "dovecot")
    clients = []
    for port in (143, 110):
        c = socket.create_connection((D.PUBLIC, port), timeout=5)
        t.require(c.recv(200)[:1] in (b"*", b"+"), f"dovecot greeting on {port}")
        clients.append(c)
    orig = t.cleanup
    t.cleanup = lambda: ([c.close() for c in clients], orig())
    logins = wait_for(t, "imap-login and pop3-login",
                      lambda: (lambda k: k if {comm(p) for p in k} >= {"imap-login", "pop3-login"} else None)(
                          D.children(dm.pid)))
    doc = t.json()
    pids = tree_pids(dm)
    socks = quiet(t, doc, pids, "dovecot")
    login_pids = set(held_by(logins, "imap-login") + held_by(logins, "pop3-login"))
    t.check(any(o["pid"] in login_pids for s in socks for o in s["owners"]),
            "the login processes hold the listeners (test premise)", [D.where(s) for s in socks])
    t.check(not any(f["code"] == "unexpected-owner" for s in socks for f in s["findings"]),
            "no unexpected-owner for dovecot's own login processes", [D.show(s["findings"]) for s in socks])
    r = t.run("-n", "143", "-o", "local,pid,program")
    rows = [ln.split() for ln in r.out.decode().splitlines()[1:]]
    t.check(rows and all(w[2] == "dovecot" and w[1].startswith(f"{dm.pid}+") for w in rows),
            "the table: one row per socket, the master with its helpers folded", rows)
    ex = t.json("explain", "143")
    stops = [s["command"] for s in ex["stop"]]
    # one entry, the master's, killing the whole group: a helper that outlived its master would
    # keep the port (issue 19 item 8)
    holders = {o["pid"] for s in ex["sockets"] for o in s["owners"]}
    words = stops[0].split() if len(stops) == 1 else []
    t.check(words[:2] == ["kill", str(dm.pid)] and holders <= {int(w) for w in words[1:]},
            "the advice stops the master and every holder of its group", [stops, sorted(holders)])
    path = os.path.join(D.private_run(t), "policy")
    with open(path, "w") as f:
        f.write("allow tcp 143 name=dovecot\nallow tcp 993 name=dovecot\nallow tcp 110 name=dovecot\n"
                "allow tcp 995 name=dovecot\nallow any *\n")
    r = t.run("check", "-b", path, "--json")
    doc = R.parse_json(r)
    bad = [v for v in doc["violations"] if v.get("rule") and v["rule"]["port_min"] in (110, 143, 993, 995)]
    t.check(r.rc == 0 and not bad, f"check: allow tcp 143 name=dovecot passes: exit {r.rc}", [str(v) for v in bad][:3])


def stock_squid(t):
    """squid as squid.service starts it (squid --foreground -z, then --foreground -sYC) on the
    stock squid.conf: an open proxy is a configuration we do not read, so at most a notice."""
    D.need(t, "/usr/sbin/squid", "/etc/squid/squid.conf", package="squid")
    D.network(t)
    D.private_run(t)
    os.makedirs("/run/squid", exist_ok=True)
    D.sh(t, "chown", "proxy:proxy", "/run/squid")
    for d in ("/var/spool/squid", "/var/log/squid"):
        private_dir(t, d, owner="proxy:proxy")
    D.sh(t, "/usr/sbin/squid", "--foreground", "-z")
    dm = D.spawn(t, "squid", ["/usr/sbin/squid", "--foreground", "-sYC"])
    D.wait_listening(t, [("tcp", 3128)], "squid")
    doc = t.json()
    socks = quiet(t, doc, tree_pids(dm), "squid")
    proxy = [s for s in socks if s["local"]["port"] == 3128]
    t.check(proxy and all(D.worst(s["findings"]) <= D.SEV["notice"] for s in proxy),
            "squid's 3128: at most a notice", [D.show(s["findings"]) for s in proxy])


def stock_vsftpd(t):
    """vsftpd as vsftpd.service starts it (/usr/sbin/vsftpd /etc/vsftpd.conf; [::]:21): ftp's
    clear text is a notice from public addresses, as pop3's and imap's; one row per socket."""
    D.need(t, "/usr/sbin/vsftpd", "/etc/vsftpd.conf", package="vsftpd")
    D.network(t)
    D.private_run(t)
    os.makedirs("/run/vsftpd/empty", exist_ok=True)  # ExecStartPre
    private_dir(t, "/var/log")
    dm = D.spawn(t, "vsftpd", ["/usr/sbin/vsftpd", "/etc/vsftpd.conf"])
    D.wait_listening(t, [("tcp", 21)], "vsftpd")
    doc = t.json()
    socks = quiet(t, doc, tree_pids(dm), "vsftpd")
    ftp = [s for s in socks if s["local"]["port"] == 21]
    t.check(any(f["code"] == "public-exposure" and f["severity"] == "notice" for s in ftp for f in s["findings"]),
            "21/tcp from public addresses: a notice", [D.show(s["findings"]) for s in ftp])
    r = t.run("-n", "21", "-o", "local,pid")
    rows = r.out.decode().splitlines()[1:]
    t.check(len(rows) == len(ftp), f"one row per socket ({len(ftp)}), not one per fd", rows)


def stock_bind9(t):
    """named as named.service starts it (named -f -u bind) on the stock /etc/bind: 53 and the
    rndc control channel 953 (a known service), no warning or alert."""
    D.need(t, "/usr/sbin/named", "/etc/bind/named.conf", package="bind9")
    D.network(t)
    D.private_run(t)
    os.makedirs("/run/named", exist_ok=True)  # RuntimeDirectory=named
    D.sh(t, "chown", "bind:bind", "/run/named")
    private_dir(t, "/var/cache/bind", owner="bind:bind", mode=0o775)
    dm = D.spawn(t, "named", ["/usr/sbin/named", "-f", "-u", "bind"])
    D.wait_listening(t, [("tcp", 53), ("udp", 53), ("tcp", 953)], "named")
    doc = t.json()
    socks = quiet(t, doc, tree_pids(dm), "named")
    rndc = [s for s in socks if s["local"]["port"] == 953]
    t.check(rndc and all(s["service"] and s["service"]["name"] == "rndc" for s in rndc), "953/tcp is rndc",
            [s["service"] for s in rndc])


def stock_chrony(t):
    """chronyd as chrony.service starts it (chronyd -F 1; here also -x: the host's clock is not
    ours to set) on the stock chrony.conf: its command port 323/udp is chronyd's, no warning."""
    D.need(t, "/usr/sbin/chronyd", "/etc/chrony/chrony.conf", package="chrony")
    D.network(t)
    D.private_run(t)
    private_dir(t, "/var/lib/chrony", owner="_chrony:_chrony")
    private_dir(t, "/var/log/chrony", owner="_chrony:_chrony")
    dm = D.spawn(t, "chronyd", ["/usr/sbin/chronyd", "-F", "1", "-x", "-n"])
    D.wait_listening(t, [("udp", 323)], "chronyd")
    doc = t.json()
    socks = quiet(t, doc, tree_pids(dm), "chronyd")
    cmd = [s for s in socks if s["local"]["port"] == 323]
    t.check(cmd and all(s["service"] and s["service"]["name"] == "chronyc" for s in cmd), "323/udp is chrony's",
            [s["service"] for s in cmd])


def stock_xrdp(t):
    """xrdp and xrdp-sesman as their units start them (socksetup, then xrdp and xrdp-sesman,
    here --nodaemon): 3350 is the session manager's; nothing about the owners above a notice
    (RDP from a public address is an exposure alert by policy)."""
    D.need(t, "/usr/sbin/xrdp", "/usr/sbin/xrdp-sesman", "/etc/xrdp/xrdp.ini", package="xrdp")
    D.network(t)
    D.private_run(t)
    private_dir(t, "/var/log")
    D.sh(t, "/bin/sh", "/usr/share/xrdp/socksetup")
    ses = D.spawn(t, "xrdp-sesman", ["/usr/sbin/xrdp-sesman", "--nodaemon"])
    x = D.spawn(t, "xrdp", ["/usr/sbin/xrdp", "--nodaemon"])
    D.wait_listening(t, [("tcp", 3389), ("tcp", 3350)], "xrdp")
    doc = t.json()
    pids = tree_pids(ses) | tree_pids(x)
    socks = quiet(t, doc, pids, "xrdp", owner_only=True)
    sesman = [s for s in socks if s["local"]["port"] == 3350]
    t.check(sesman and all(s["service"] and s["service"]["name"] == "xrdp-sesman" and not s["findings"]
                           for s in sesman), "3350/tcp: xrdp-sesman's, on loopback: no finding",
            [(s["service"], D.show(s["findings"])) for s in sesman])
    r = t.run("explain", "3389")
    lines = r.out.decode().splitlines()
    heads = [i for i, ln in enumerate(lines) if ln.startswith("Port 3389/")]
    held = [i for i, ln in enumerate(lines) if "Held by" in ln]
    t.check(len(heads) == 2 and held and heads[0] < held[0] < heads[1],
            "explain 3389: the TCP socket under the TCP heading, before the UDP one", lines[:12])


def stock_nmbd(t):
    """nmbd on the stock smb.conf, the public address added without brd: its socket on
    203.0.113.255:137 (from the local routing table's broadcast) is reachable on pub0, and
    nothing about nmbd itself is above a notice."""
    D.need(t, "/usr/sbin/nmbd", "/etc/samba/smb.conf", package="samba")
    D.network(t)
    dm = D.start_nmbd(t)
    want = ("udp", "203.0.113.255", 137)
    D.wait_listening(t, [want], "nmbd on pub0's broadcast")
    doc = t.json()
    quiet(t, doc, tree_pids(dm), "nmbd", owner_only=True)
    brd = [s for s in doc["sockets"] if s["proto"] == "udp" and s["local"]["addr"] == "203.0.113.255"
           and s["local"]["port"] == 137]
    t.check(brd and any(r["ifname"] == "pub0" for r in brd[0]["exposure"]["reachable"]),
            "203.0.113.255:137 is reachable on pub0", [s["exposure"] for s in brd])


def stock_rsyslog_tcp(t):
    """rsyslogd as rsyslog.service starts it (rsyslogd -n -iNONE) on the stock rsyslog.conf with its
    own commented TCP and UDP reception lines turned on (imtcp, imudp on 514), with a client
    sending over TCP. 514/tcp is BSD rsh's number: held by a packaged rsyslogd it is syslog, as
    514/udp names it (syslog*, lan-only), so no warning on a LAN and no unexpected owner. The
    local socket and kernel log inputs (imuxsock, imklog) are left out: they would take the
    host's /dev/log and /proc/kmsg."""
    D.need(t, "/usr/sbin/rsyslogd", "/etc/rsyslog.conf", package="rsyslog")
    D.network(t, public=False)
    work = D.private_run(t)
    for d in ("/var/log", "/var/spool/rsyslog"):
        private_dir(t, d)
    with open("/etc/rsyslog.conf") as f:
        conf = f.read()
    for mod in ("imudp", "imtcp"):
        conf, n = re.subn(rf'^#(module\(load="{mod}"\)|input\(type="{mod}" port="514"\))', r"\1", conf, flags=re.M)
        t.require(n == 2, f"stock rsyslog.conf: {n} commented {mod} lines, want 2")
    conf = re.sub(r'^module\(load="(imuxsock|imklog)"\).*$', "", conf, flags=re.M)
    path = os.path.join(work, "rsyslog.conf")
    with open(path, "w") as f:
        f.write(conf)
    dm = D.spawn(t, "rsyslogd", ["/usr/sbin/rsyslogd", "-n", "-iNONE", "-f", path])
    D.wait_listening(t, [("tcp", 514), ("udp", 514)], "rsyslogd")
    with socket.create_connection((D.PRIVATE, 514), timeout=5) as c:
        c.sendall(b"<13>portsleuth: a line over TCP\n")
        doc = t.json()
    socks = quiet(t, doc, tree_pids(dm), "rsyslogd")
    tcp = [s for s in socks if s["proto"] == "tcp" and s["state"] == "listen" and s["local"]["port"] == 514]
    t.require(tcp, "rsyslogd's 514/tcp listeners", [D.where(s) for s in socks])
    for s in tcp:
        svc = s["service"] or {}
        t.check(svc.get("name") == "syslog" and svc.get("class") == "lan-only"
                and svc.get("program_home") == {"program": "rsyslogd", "port": 514, "proto": "udp"},
                f"{D.where(s)}: syslog as on 514/udp", svc)
        t.check(not [f for f in s["findings"] if f["code"] == "unexpected-owner"],
                f"{D.where(s)}: rsyslogd is syslog's owner", D.show(s["findings"]))
