# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_cli.py — the everyday command line of issue 21: ss-style flags and filter expressions
(checked against what ss selects on the same sockets), scripting output (--pids, --no-header, -q,
the summary line), helpful errors (did you mean, help CMD, --help=foo) and the man page's examples.

Loaded by run.py (register(run) is called with the runner module). Every case runs real
sockhold listeners in the case's private namespaces.
"""
import ipaddress
import json
import os
import re
import shutil
import subprocess

R = None  # the runner module, set by register()


def register(run):
    global R
    R = run
    for fn in (cli_filter_equals_ss, cli_ss_flag_groups, cli_scripting, cli_errors,
               cli_manpage_examples, cli_manpage_lint, cli_exposure, cli_connection_filters,
               cli_options_before_command, cli_small_messages, cli_eighty_columns,
               cli_check_owner_key, cli_explain_program, cli_pid_no_such_process):
        run.case(fn)


def norm(addr):
    return ipaddress.ip_address(addr.strip("[]").split("%")[0]).exploded


def ss_selection(expr):
    """(proto, local addr, local port, remote addr, remote port) of what `ss -tuanH EXPR` lists."""
    r = subprocess.run(["ss", "-tuanH"] + expr.split(), capture_output=True, text=True)
    if r.returncode != 0:
        return None
    got = set()
    for ln in r.stdout.splitlines():
        w = ln.split()
        (la, lp), (ra, rp) = w[4].rsplit(":", 1), w[5].rsplit(":", 1)
        if "*" in (la, ra) and w[0] == "udp" and ra == "*":
            ra = "0.0.0.0" if "." in la else "::"
        if la == "*":
            continue  # dual-stack wildcard: not made here
        got.add((w[0], norm(la), int(lp), norm(ra), 0 if rp == "*" else int(rp)))
    return got


def our_selection(t, expr):
    r = t.run("-a", "--json", *expr.split())
    t.require(r.rc in (0, 1), f"portsleuth -a {expr}: {r}")
    doc = json.loads(r.out)
    return {(s["proto"], norm(s["local"]["addr"]), s["local"]["port"], norm(s["remote"]["addr"]),
             s["remote"]["port"]) for s in doc["sockets"]}


def sockets(t):
    return t.hold("listen:127.0.0.1:8080,accept", "listen:0.0.0.0:2222", "listen:[::1]:443,accept",
                  "udp:127.0.0.1:5353", "udp:[::1]:53", "connect:127.0.0.1:8080", "connect:[::1]:443",
                  "listen:127.0.0.1:22", "listen:127.0.0.1:8090")


def cli_filter_equals_ss(t):
    """On the same sockets, every expression selects exactly what ss selects with it."""
    t.require(shutil.which("ss"), "ss is not installed")
    sockets(t)
    exprs = ["sport = :8080", "dport = :8080", "dport = :443", "sport != :8080", "dst 127.0.0.1",
             "src 127.0.0.0/8", "src [::1]", "dst [::1]", "src 127.0.0.1:8080", "sport = :ssh",
             "sport = :8080 or sport = :443", "src 127.0.0.0/8 and not sport = :8080",
             "( sport >= :8000 and sport <= :8100 ) or dst [::1]", "sport > :2000 sport < :9000",
             "not ( dport = :443 or dport = :8080 )", "sport le :443", "dst *"]
    for e in exprs:
        want = ss_selection(e)
        if want is None:
            t.check(False, f"ss rejects {e!r} (test premise)")
            continue
        got = our_selection(t, e)
        t.check(got == want, f"{e!r}: portsleuth and ss select differently",
                [f"only portsleuth: {sorted(got - want)}", f"only ss: {sorted(want - got)}"])
    t.check(len(our_selection(t, "sport = :8080")) == 2, "sport = :8080: the listener and the accepted end")


def table_ports(r):
    return sorted(int(ln.split()[1].rsplit(":", 1)[1]) for ln in r.out.decode().splitlines()[1:])


def cli_ss_flag_groups(t):
    """-tulpn, -tlnp, -antp, -lntu and -4tl do what they do in ss; -p PID and --pid still filter;
    a port may be :PORT, a range or a service name; a bare address matches either end."""
    h = sockets(t)
    other = t.hold("listen:127.0.0.1:9999")
    cases = {("-tulpn",): [22, 53, 443, 2222, 5353, 8080, 8090, 9999], ("-tlnp",): [22, 443, 2222, 8080, 8090, 9999],
             ("-lntu",): [22, 53, 443, 2222, 5353, 8080, 8090, 9999], ("-4tl",): [22, 2222, 8080, 8090, 9999],
             ("-tlnp", ":8080"): [8080], ("-tlnp", "8000-8100"): [8080, 8090], ("-tlnp", "ssh"): [22],
             ("-p", str(other.pid)): [9999], ("--pid", str(other.pid)): [9999], (f"-p{other.pid}",): [9999]}
    for args, want in cases.items():
        r = t.run(*args, "-o", "proto,local")
        t.check(r.rc == 0 and table_ports(r) == want, f"portsleuth {' '.join(args)}", [r, table_ports(r)])
    r = t.run("-antp", "-o", "proto,local,remote,pid")
    t.check(r.rc == 0 and len(r.out.decode().splitlines()) == 1 + 10, "-antp: every TCP socket", r.out.decode().splitlines())
    r = t.run("-a", "127.0.0.1", "-o", "local,remote")
    t.check(r.rc == 0 and "0.0.0.0:2222" not in r.out.decode() and "127.0.0.1:8080" in r.out.decode(),
            "a bare address matches either end", r.out.decode().splitlines())
    r = t.run("explain", "ssh")
    t.check(r.rc == 0 and r.out.decode().startswith("Port 22/tcp"), "explain ssh is port 22", r.out.decode()[:200])
    t.check(h.pid != other.pid, "two holders (test premise)")


def cli_scripting(t):
    """--pids: every holder once, sorted, nothing else (kill $(...) works); --no-header; -q keeps
    errors but drops notes; the summary line only on a terminal."""
    a = t.hold("listen:127.0.0.1:7001", "fork")  # parent and child share the listener
    b = t.hold("listen:127.0.0.1:7002", "udp:127.0.0.1:7002")
    r = t.run("--pids", "7001", "7002")
    want = sorted({a.pid, a.child, b.pid})
    t.check(r.rc == 0 and r.out.decode().split("\n") == [str(p) for p in want] + [""] and r.err == b"",
            "--pids: one pid per line, each once", [r, r.out])
    r = t.run("--pids", "7999")
    t.check(r.rc == 1 and r.out == b"" and b"no socket matches" in r.err, "--pids without a match", [r])
    r = t.run("--no-header", "-o", "local,pid", "7002")
    t.check([ln.split() for ln in r.out.decode().splitlines()] == [["127.0.0.1:7002", str(b.pid)]] * 2,
            "--no-header table", r.out.decode().splitlines())
    r = t.run("--no-header", "--csv", "-o", "local,pid", "7002", "-t")
    t.check(r.out.decode().splitlines() == [f"127.0.0.1:7002,{b.pid}"], "--no-header CSV", r.out.decode().splitlines())
    r = t.run("-q", "--state", "bogus")
    t.check(r.rc == 2 and b"bogus" in r.err, "-q keeps errors", [r])
    other = subprocess.Popen(["unshare", "--net", "sleep", "600"], close_fds=True)
    t.procs.append(other)
    for _ in range(100):
        r = t.run("7001")
        if b"other network namespace" in r.err:
            break
    t.check(r.err.count(b"other network namespace") == 1, "the namespace note: once", r.err.decode())
    q = t.run("-q", "7001")
    t.check(q.rc == 0 and q.err == b"" and q.out == r.out, "-q: no notes", q.err.decode())
    tty = t.run_tty("7001", "7002", cols=200, env=t.env(TERM="dumb", COLUMNS=None))
    summary = [ln for ln in tty.err.decode().splitlines() if "listener" in ln]
    t.check(len(summary) == 1 and re.search(r"\b3 listeners, 0 reachable from public addresses", summary[0]),
            "a terminal gets the summary line", tty.err.decode().splitlines())
    t.check(b"listeners," not in r.err, "a pipe gets no summary line", r.err.decode())
    tq = t.run_tty("-q", "7001", cols=200, env=t.env(TERM="dumb", COLUMNS=None))
    t.check(tq.err == b"", "-q on a terminal: nothing on stderr", tq.err.decode())


def cli_errors(t):
    """Typos get a suggestion, help works for every command, and messages put words in order."""
    checks = [
        (["explian", "22"], 2, "did you mean 'explain'"), (["--jsno"], 2, "did you mean --json"),
        (["--servcies", "x"], 2, "did you mean --services"), (["--help=foo"], 2, "'--help': takes no value"),
        (["snapshot", "-o"], 2, "option -o (--output) needs a value: FILE"),
        (["--state"], 2, "option --state needs a value: LIST"),
        (["--state", "foo"], 2, "connected"), (["help", "nosuch"], 2, "no such command"),
        (["--exposure", "internet"], 2, "any-beyond-loopback"),
    ]
    for args, rc, needle in checks:
        r = t.run(*args)
        t.check(r.rc == rc and needle in r.err.decode() and r.out == b"", f"portsleuth {' '.join(args)}",
                [r.rc, r.err.decode()])
    plain = os.path.join(t.tmpdir(), "plain.txt")
    with open(plain, "w") as f:
        f.write("hello\n")
    for args, needle in ((["--services", "/nonexistent"], "/nonexistent: No such file or directory"),
                         (["--services", "/"], "/: Is a directory"),
                         (["--ports-file", "/nonexistent"], "No such file or directory"),
                         (["diff", plain], "is not a portsleuth snapshot (it is not JSON)")):
        r = t.run(*args)
        t.check(r.rc == 2 and needle in r.err.decode(), f"portsleuth {' '.join(args)}", [r.rc, r.err.decode()])
    for cmd in ("list", "explain", "snapshot", "diff", "watch", "check"):
        r = t.run("help", cmd)
        t.check(r.rc == 0 and r.out.startswith(b"Usage: portsleuth"), f"help {cmd}", [r])
    r = t.run("help")
    t.check(r.rc == 0 and b"--pids" in r.out and b"FILTER" in r.out, "help: the listing's", [r])


def cli_manpage_examples(t):
    """Every listing example of the man page and of the README's command blocks (not those that
    need other users, namespaces or files) runs and prints the shape it promises (a table with a
    header, a pid per line, JSON)."""
    page = open(os.path.join(os.path.dirname(__file__), "../../docs/portsleuth.1")).read()
    ex = []
    for block in re.findall(r"^\.EX\n(.*?)^\.EE", page, re.S | re.M):
        for ln in block.replace("\\-", "-").replace("\\(aq", "'").replace("\\e\n", " ").splitlines():
            ln = ln.strip()
            if ln.startswith("$ "):
                ln = ln[2:]
            if ln.startswith("portsleuth ") and "|" not in ln.split("'")[0] and ">" not in ln:
                ex.append(ln)
    t.require(len(ex) >= 8, f"the page's examples were not found: {ex}")
    readme = open(os.path.join(os.path.dirname(__file__), "../../README.md")).read()
    for block in re.findall(r"^```\n(.*?)^```", readme, re.S | re.M):
        for ln in block.splitlines():
            if not (ln.startswith("$ portsleuth") or re.search(r"\s#\s", ln)):
                continue  # benchmark tables and output, not commands
            ln = re.sub(r"\s+#.*$", "", ln).split("&&")[0].strip().removeprefix("$ ")
            m = re.match(r"^kill \$\((portsleuth [^)]*)\)$", ln)
            ln = m.group(1) if m else ln
            if ln.startswith("portsleuth ") and "|" not in ln and ">" not in ln:
                ex.append(ln)
    t.require(any("-tulpn" in e for e in ex), f"the README's examples were not found: {ex}")
    t.hold("listen:127.0.0.1:443", "listen:127.0.0.1:8080", "udp:127.0.0.1:53", "listen:0.0.0.0:22")
    ran = 0
    for line in ex:
        words = [w.strip("'") for w in re.findall(r"'[^']*'|\S+", line)][1:]
        if "explain" in words or "diff" in words or "check" in words or "watch" in words or \
                "snapshot" in words or "--user" in words or "-N" in words or "-c" in words or \
                "top" in words:  # a full-screen program: cases_top.py drives it in tmux
            continue
        r = t.run(*words)
        ran += 1
        out = r.out.decode().splitlines()
        if "--pids" in words:
            ok = r.rc in (0, 1) and all(w.isdigit() for w in out)
        elif "--json" in words:
            ok = r.rc in (0, 1) and json.loads(r.out)["schema"] >= 1
        elif "--no-header" in words:
            ok = r.rc in (0, 1) and not any(ln.startswith("PROTO") for ln in out)
        else:
            ok = r.rc in (0, 1, 4) and (r.rc == 1 or out[0].split()[0] in ("PROTO", "LOCAL", "PROCESS"))
        t.check(ok and b"invalid" not in r.err and b"unknown" not in r.err, f"man page example: {line}",
                [r.rc, out[:3], r.err.decode()[:300]])
    t.check(ran >= 15, f"only {ran} examples ran", ex)


def cli_manpage_lint(t):
    """docs/portsleuth.1 renders without a warning in groff -ww and without a message in mandoc
    -T lint (style included); skipped, saying which, when a formatter is not installed."""
    page = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../docs/portsleuth.1")
    missing = [tool for tool in ("groff", "mandoc") if not shutil.which(tool)]
    for cmd in (["groff", "-ww", "-z", "-man", page], ["mandoc", "-T", "lint", page]):
        if cmd[0] in missing:
            continue
        r = subprocess.run(cmd, capture_output=True, text=True)
        msgs = (r.stdout + r.stderr).strip().splitlines()
        t.check(r.returncode == 0 and not msgs, f"{' '.join(cmd[:-1])}: {len(msgs)} messages", msgs[:10])
    if missing:
        t.skip(f"{' and '.join(missing)} not installed (apt-get install groff-base mandoc)")


def cli_exposure(t):
    """--exposure asks the EXPOSURE column's question directly: a wildcard listener on a host with
    a public address is public, a private address's listener private, loopback only loopback."""
    for cmd in (["ip", "link", "add", "ex0", "type", "veth", "peer", "name", "ex1"],
                ["ip", "addr", "add", "203.0.113.7/24", "dev", "ex0"],
                ["ip", "addr", "add", "10.0.0.5/24", "dev", "ex0"],
                ["ip", "link", "set", "ex0", "up"], ["ip", "link", "set", "ex1", "up"]):
        r = subprocess.run(cmd, capture_output=True)
        t.require(r.returncode == 0, f"{' '.join(cmd)}: {r.stderr!r}")
    t.hold("listen:0.0.0.0:7101", "listen:203.0.113.7:7102", "listen:10.0.0.5:7103", "listen:127.0.0.1:7104")
    for cls, want in (("public", [7101, 7102]), ("private", [7103]), ("loopback", [7104]),
                      ("any-beyond-loopback", [7101, 7102, 7103])):
        r = t.run("--exposure", cls, "-o", "proto,local", "7100-7110")
        t.check(r.rc == 0 and table_ports(r) == want, f"--exposure {cls}", [r, table_ports(r)])
    r = t.run("--exposure", "link-local", "7100-7110")
    t.check(r.rc == 1 and b"no socket matches" in r.err, "--exposure link-local: none", [r])


def cli_connection_filters(t):
    """A filter only a connection can meet (dport, dst, state NAME) lists every state when no state
    option says otherwise, as ss does; a bare port and -l stay listening-only."""
    t.hold("listen:127.0.0.1:6379,accept", "connect:127.0.0.1:6379")
    def rows(*args):
        r = t.run(*args, "-o", "proto,local,remote,state")
        return r, [ln.split() for ln in r.out.decode().splitlines()[1:]]
    for args in (["dport", "=", ":6379"], ["dst", "127.0.0.1"], ["-t", "state", "established"],
                 ["dport = :6379"]):
        r, got = rows(*args)
        t.check(r.rc == 0 and any(w[2] == "127.0.0.1:6379" for w in got), f"portsleuth {' '.join(args)}: the connection",
                [r, got])
        t.check(not any(w[3].startswith("LISTEN") for w in got), f"portsleuth {' '.join(args)}: no listener", got)
    r, got = rows("6379")
    t.check(r.rc == 0 and len(got) == 1 and got[0][1] == "127.0.0.1:6379", "a bare port: the listener only", [r, got])
    r, got = rows("-l", "dport", "=", ":6379")
    t.check(r.rc == 1 and not got, "-l with a dport filter: listening sockets only (none)", [r, got])
    r, got = rows("state", "listening", "sport", "=", ":6379")
    t.check(r.rc == 0 and len(got) == 1 and got[0][2].endswith(":*") or got and got[0][1] == "127.0.0.1:6379" and len(got) == 1,
            "state listening: the listener", [r, got])
    r = t.run("state", "bogus")
    t.check(r.rc == 2 and b"unknown state" in r.err, "state bogus: usage error", [r])


def cli_options_before_command(t):
    """Options before the command word work as after it (-q explain 8080, --json explain 22,
    -q snapshot -o FILE, -q watch --count 1); an option's value is never taken for a command;
    help bogus names every command, help among them."""
    t.hold("listen:127.0.0.1:8080")
    r = t.run("-q", "explain", "8080")
    t.check(r.rc == 0 and r.out.decode().startswith("Port 8080/tcp") and r.err == b"", "-q explain 8080", [r])
    r = t.run("--json", "explain", "8080")
    t.check(r.rc == 0 and json.loads(r.out)["port"] == 8080, "--json explain 8080", [r])
    r = t.run("-N", "explain", "22")
    t.check(r.rc in (0, 1) and r.out.decode().startswith("Port 22/tcp"), "-N explain 22", [r])
    out = os.path.join(t.tmpdir(), "snap.json")
    r = t.run("-q", "snapshot", "-o", out)
    t.check(r.rc == 0 and os.path.exists(out) and json.load(open(out))["schema"] >= 1, "-q snapshot -o FILE", [r])
    if os.path.exists(out):
        os.unlink(out)
    r = t.run("-q", "watch", "--count", "1")
    t.check(r.rc == 0 and b"stop" in r.out, "-q watch --count 1", [r])
    r = t.run("-o", "local", "8080")  # -o's value is no command
    t.check(r.rc == 0 and "127.0.0.1:8080" in r.out.decode(), "-o local 8080", [r])
    r = t.run("-q", "help", "explain")
    t.check(r.rc == 0 and r.out.decode().startswith("Usage: portsleuth explain"), "-q help explain", [r])
    r = t.run("help", "bogus")
    listed = r.err.decode().split("the commands are ", 1)[-1]
    t.check(r.rc == 2 and all(c in listed for c in ("explain", "check", "top", "help")),
            "help bogus lists every command, help too", [r])


def cli_small_messages(t):
    """-q silences "no socket matches." (exit 1 says it); explain without a port points to
    `portsleuth help explain`; explain names the users of workers that run as another user."""
    r = t.run("-q", "7399")
    t.check(r.rc == 1 and r.err == b"", "-q with nothing matched: exit 1, nothing on stderr", [r])
    r = t.run("7399")
    t.check(r.rc == 1 and b"no socket matches" in r.err, "nothing matched: said without -q", [r])
    r = t.run("explain")
    t.check(r.rc == 2 and b"portsleuth help explain" in r.err, "explain without a port", [r])
    t.hold("listen:127.0.0.1:7301", "fork:65534")
    r = t.run("explain", "7301")
    held = [ln for ln in r.out.decode().splitlines() if "Held by" in ln]
    t.check(r.rc == 0 and len(held) == 1 and "+ 1 worker" in held[0] and
            re.search(r"forked by it, user (nobody|65534)\), user root", held[0]),
            "explain: the worker's user is named", [r, held])


def cli_eighty_columns(t):
    """On an 80-column terminal a program's short name (up to 15 cells) and a user name (8) are
    never cut: other columns go first; every --help line fits in 80 columns."""
    t.hold("listen:0.0.0.0:6379", "listen:[::1]:6379", "udp:0.0.0.0:11211", uid=33,
           exe_name=b"redis-server")
    t.hold("listen:127.0.0.1:26379", "listen:[::1]:26379", exe_name=b"redis-sentinel")
    r = t.run_tty(cols=80, env=t.env(TERM="xterm", COLUMNS=None, NO_COLOR="1"))
    lines = r.out.decode().splitlines()
    t.check(r.rc == 0 and lines and all(len(ln) <= 80 for ln in lines), "fits 80 columns", lines)
    t.check(any("redis-server" in ln for ln in lines) and any("redis-sentine" in ln for ln in lines),
            "the programs' names whole", lines)
    t.check(not any(re.search(r"\b(www|www-|www-d|www-da|www-dat)…", ln) for ln in lines),
            "no user name cut", lines)
    for cmd in ([], ["explain"], ["snapshot"], ["diff"], ["watch"], ["check"]):
        r = t.run(*cmd, "--help")
        long = [ln for ln in r.out.decode().splitlines() if len(ln) > 80]
        t.check(r.rc == 0 and not long, f"portsleuth {' '.join(cmd)} --help: lines over 80", long)


def cli_check_owner_key(t):
    """An owner violation names the rule's term the owner fails, with both values."""
    t.hold("listen:127.0.0.1:7401")
    t.hold("listen:127.0.0.1:7402")
    helper = os.path.realpath(t.helper)
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "w") as f:
        f.write(f"allow tcp 7401 exe=/usr/sbin/sshd\nrequire tcp 7402 exe={helper} unit=ssh.service\n")
    r = t.run("check", "-b", pol, env=t.env(NO_COLOR="1"))
    lines = r.out.decode().splitlines()
    exe = [ln for ln in lines if "7401" in ln]
    unit = [ln for ln in lines if "7402" in ln and ln.startswith("owner")]
    t.check(r.rc == 4 and exe and exe[0].endswith(f"): exe is {helper}, the rule wants /usr/sbin/sshd"),
            "exe= violation names exe", lines)
    t.check(unit and unit[0].endswith("line 2 allows (require tcp 7402 exe=%s unit=ssh.service): unit is none, "
                                      "the rule wants ssh.service" % helper), "unit= violation names unit", lines)


def cli_explain_program(t):
    """explain sshd: the word is a running program's name, said with where it listens and the
    -c pointer; explain ssh with nothing on 22 says where sshd listens instead."""
    t.hold("listen:127.0.0.1:2222", "name:sshd")
    r = t.run("explain", "sshd")
    err = r.err.decode()
    t.check(r.rc == 2 and "running program" in err and "sshd listens on 2222/tcp" in err and
            "portsleuth -c sshd" in err and "unknown service" not in err, "explain sshd", [r])
    r = t.run("explain", "ssh")
    out = r.out.decode()
    t.check(r.rc == 1 and "Nothing listens on 22/tcp" in out and "sshd listens on 2222/tcp" in out,
            "explain ssh: where sshd listens now", [r])
    r = t.run("explain", "nosuchprogram")
    t.check(r.rc == 2 and b"unknown service name" in r.err, "explain of an unknown word", [r])


def cli_pid_no_such_process(t):
    """-p / --pid of a process that does not exist says so (a mistyped pid is not "no socket");
    a live process without sockets still gets "no socket matches"; exit 1 both times."""
    sleeper = subprocess.Popen(["sleep", "60"])
    t.procs.append(sleeper)
    gone = 4194000  # above any pid this PID namespace hands out
    for args in (["-p", str(gone)], ["--pid", str(gone)], ["--pids", "-p", str(gone)]):
        r = t.run(*args)
        t.check(r.rc == 1 and f"no such process: {gone}.".encode() in r.err,
                f"{' '.join(args)}: no such process", [r.rc, r.err.decode()])
    r = t.run("-p", f"{gone},{gone + 1}")
    t.check(r.rc == 1 and b"no such processes" in r.err, "two gone pids", [r.rc, r.err.decode()])
    r = t.run("-p", str(sleeper.pid))
    t.check(r.rc == 1 and b"no socket matches" in r.err and b"no such process" not in r.err,
            "a live process without sockets", [r.rc, r.err.decode()])
