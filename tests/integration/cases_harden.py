# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_harden.py — portsleuth as root on ground other users control (issue 10): the files it
writes, configuration found through the environment, and what reaches a terminal or a spreadsheet.

Loaded by run.py (register(run) is called with the runner module). Every case runs in the
runner's private network, PID and mount namespaces: the /dev of the device cases is a private
copy bind-mounted over /dev in that mount namespace only, so even a broken build cannot replace
the machine's /dev/full or /dev/stdout.
"""
import json
import os
import stat
import subprocess
import threading
import time
import unicodedata

R = None  # the runner module, set by register()
NOBODY = 65534


def register(run):
    global R
    R = run
    for fn in (harden_snapshot_planted_symlinks, harden_snapshot_devices_and_fifo,
               harden_snapshot_mode, harden_watch_log_planted_symlink, harden_env_config,
               harden_csv_formulas, harden_escape_everywhere, harden_explain_small,
               harden_input_through_user_links):
        run.case(fn)


def secret_file(t, d):
    """A root-only file that must never change."""
    p = os.path.join(d, "secret")
    with open(p, "w") as f:
        f.write("root only\n")
    os.chmod(p, 0o600)
    return p


def plant(path, target, uid=NOBODY):
    """A symbolic link made by another user (owner uid)."""
    os.symlink(target, path)
    os.lchown(path, uid, uid)


def harden_input_through_user_links(t):
    """Another user (uid 1001) links its own directory's x.pol at a root-only file holding a
    secret, or at root's own policy, or links a directory on the way: root's --policy,
    check -b, --services and --ports-file refuse each (exit 2, one line saying a symbolic link
    owned by another user) and never print the secret; root's own link to its policy is used."""
    user = 1001
    top = t.tmpdir()
    os.chmod(top, 0o755)
    hidden = os.path.join(top, "rootonly")
    os.makedirs(hidden, mode=0o700)
    secret = "SECRET-7f3a9c-never-shown"
    shadow = os.path.join(hidden, "shadow")
    with open(shadow, "w") as f:
        f.write(f"{secret}:$6$x:19000:0:99999:7:::\n")
    os.chmod(shadow, 0o600)
    good = os.path.join(top, "root.pol")
    with open(good, "w") as f:
        f.write("ack * any * until=2099-12-31 reason=expected\n")
    d = os.path.join(top, "d")
    os.makedirs(d)
    os.chown(d, user, user)

    def as_user(*argv):
        r = subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv],
                           capture_output=True)
        t.require(r.returncode == 0, f"{argv}: {r.stderr!r}")

    as_user("ln", "-s", shadow, os.path.join(d, "x.pol"))
    as_user("ln", "-s", good, os.path.join(d, "y.pol"))
    as_user("ln", "-s", hidden, os.path.join(d, "dir"))
    for path in (os.path.join(d, "x.pol"), os.path.join(d, "y.pol"), os.path.join(d, "dir", "shadow"),
                 os.path.join(d, ".", "dir", "..", "root.pol")):
        for argv in (["--policy", path], ["check", "-b", path], ["--services", path], ["--ports-file", path]):
            r = t.run(*argv)
            text = (r.out + r.err).decode(errors="replace")
            lines = r.err.decode(errors="replace").splitlines()
            t.check(secret not in text, f"{argv}: the secret is not shown", text.splitlines()[:5])
            t.check(r.rc == 2 and len(lines) == 1 and "refusing" in lines[0] and "symbolic link" in lines[0],
                    f"{argv}: refused, saying it is another user's link (exit {r.rc})", lines)
    mine = os.path.join(top, "mine.pol")
    os.symlink(good, mine)
    r = t.run("--policy", mine)
    t.check(r.rc in (0, 1) and b"refusing" not in r.err, f"root's own link is used: {r}")
    # /dev/stdin (root's link to /proc/self/fd/0, whose text is pipe:[N]) still reads a pipe
    p = subprocess.run([t.binary, "check", "-b", "/dev/stdin"], input=b"allow tcp 1 name=none\n",
                       capture_output=True, env=t.env(), timeout=60)
    t.check(p.returncode in (0, 4) and b"refusing" not in p.stderr, f"a policy piped to /dev/stdin is used: {p}")


def unchanged(t, secret, what):
    t.check(open(secret).read() == "root only\n" and stat.S_IMODE(os.stat(secret).st_mode) == 0o600,
            f"{what}: the root-only file was written to", [open(secret, "rb").read()[:80]])


def harden_snapshot_planted_symlinks(t):
    """A user plants symlinks to a root-only file in a sticky world-writable directory and in a
    directory of their own: at the temporary names the old code used (FILE.tmp.PID; PIDs are
    small and predictable here), at the target itself, and as a directory on the path."""
    t.hold("listen:127.0.0.1:7401")
    secret = secret_file(t, t.tmpdir())
    for mode, owner in ((0o1777, 0), (0o755, NOBODY)):
        d = os.path.join(t.tmpdir(), f"dir{mode:o}")
        os.mkdir(d)
        os.chmod(d, mode)
        os.chown(d, owner, owner)
        snap = os.path.join(d, "snap.json")
        for pid in range(1, 400):
            plant(f"{snap}.tmp.{pid}", secret)
        r = t.run("snapshot", "-o", snap)
        t.check(r.rc == 0, f"{d}: snapshot beside planted temporaries: {r}")
        unchanged(t, secret, f"{d}: planted temporary names")
        st = os.lstat(snap)
        t.check(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0,
                f"{d}: the snapshot is a root-owned 0600 regular file", [oct(st.st_mode)])
        t.check(json.load(open(snap))["sockets"][0]["local"]["port"] == 7401, f"{d}: snapshot content")
        t.check(len(os.listdir(d)) == 400, f"{d}: a temporary file was left behind", sorted(os.listdir(d))[:3])

        link = os.path.join(d, "link.json")
        plant(link, secret)
        r = t.run("snapshot", "-o", link)
        t.check(r.rc == 3 and b"symbolic link owned by another user" in r.err,
                f"{d}: a planted symlink as the target is refused: {r}")
        unchanged(t, secret, f"{d}: planted target")
        t.check(os.path.islink(link) and os.readlink(link) == secret, f"{d}: the planted link was replaced")

        sub = os.path.join(d, "sub")
        plant(sub, os.path.dirname(secret))  # a directory on the path
        r = t.run("snapshot", "-o", os.path.join(sub, "secret"))
        t.check(r.rc == 3 and b"a symbolic link on the path is owned by another user" in r.err,
                f"{d}: a planted directory symlink on the path is refused: {r}")
        unchanged(t, secret, f"{d}: planted directory link")
    # a link of our own (root's) to a regular file is not replaced either: name the file itself
    mine = os.path.join(t.tmpdir(), "mine.json")
    os.symlink(secret, mine)
    r = t.run("snapshot", "-o", mine)
    t.check(r.rc == 3 and b"not replaced" in r.err and os.path.islink(mine), f"root's own link: {r}")
    unchanged(t, secret, "root's own link")
    # root's own link leading through another user's link, even to a device we would write to
    sticky = os.path.join(t.tmpdir(), "dir1777")
    plant(os.path.join(sticky, "evil"), "/dev/null")
    chain = os.path.join(t.tmpdir(), "chain.json")
    os.symlink(os.path.join(sticky, "evil"), chain)
    r = t.run("snapshot", "-o", chain)
    t.check(r.rc == 3 and b"a symbolic link owned by another user" in r.err, f"a chain through a planted link: {r}")
    os.symlink("/dev/null", os.path.join(sticky, "good"))  # the same chain, all root's: written
    os.symlink(os.path.join(sticky, "good"), os.path.join(t.tmpdir(), "chain2"))
    r = t.run("snapshot", "-o", os.path.join(t.tmpdir(), "chain2"))
    t.check(r.rc == 0, f"a chain of root's links to /dev/null: {r}")


def private_dev(t):
    """Bind-mount a private /dev (null, zero, full, stdout/stderr links) over /dev, in this case's
    mount namespace only."""
    d = os.path.join(t.tmpdir(), "dev")
    os.mkdir(d)
    for name, minor in (("null", 3), ("zero", 5), ("full", 7)):
        os.mknod(os.path.join(d, name), 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    for i, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{i}", os.path.join(d, name))
    subprocess.run(["mount", "--bind", d, "/dev"], check=True, timeout=R.RUN_TIMEOUT)
    t.require(os.stat("/dev/full").st_rdev == os.makedev(1, 7) and os.path.islink("/dev/stdout"),
              "private /dev")


def harden_snapshot_devices_and_fifo(t):
    """-o /dev/stdout writes to stdout (a pipe, and a regular file), -o /dev/full fails with exit 3,
    a FIFO is written to; none of them is replaced."""
    t.hold("listen:127.0.0.1:7402")
    private_dev(t)
    r = t.run("snapshot", "-o", "/dev/stdout")
    t.check(r.rc == 0 and R.parse_json(r)["sockets"][0]["local"]["port"] == 7402,
            f"-o /dev/stdout writes to stdout: {r}", [r.out[:100]])
    t.check(os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == "/proc/self/fd/1",
            "/dev/stdout is still the link to fd 1", [oct(os.lstat("/dev/stdout").st_mode)])
    out = os.path.join(t.tmpdir(), "redirected.json")
    with open(out, "wb") as f:
        f.write(b"before\n")
        f.flush()
        p = subprocess.run([t.exe_of(0, "binary"), "snapshot", "-o", "/dev/stdout"], stdout=f,
                           stderr=subprocess.PIPE, timeout=R.RUN_TIMEOUT, env=t.env())
    data = open(out, "rb").read()
    t.check(p.returncode == 0 and data.startswith(b"before\n{") and json.loads(data[7:])["schema"] == 1,
            "-o /dev/stdout with stdout redirected to a file appends where stdout is", [p.stderr, data[:40]])

    r = t.run("snapshot", "-o", "/dev/full")
    t.check(r.rc == 3 and b"No space left on device" in r.err, f"-o /dev/full fails: {r}")
    st = os.lstat("/dev/full")
    t.check(stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 7), "/dev/full is still a device",
            [oct(st.st_mode)])

    fifo = os.path.join(t.tmpdir(), "fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    r = t.run("snapshot", "-o", fifo)
    reader.join(R.RUN_TIMEOUT)
    t.check(r.rc == 0 and got and json.loads(got[0])["sockets"][0]["local"]["port"] == 7402,
            f"-o FIFO: written to the reader: {r}", [got[:1]])
    t.check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
    # a FIFO another user made at the name would get every command line of the machine
    sticky = os.path.join(t.tmpdir(), "sticky")
    os.mkdir(sticky)
    os.chmod(sticky, 0o1777)
    theirs = os.path.join(sticky, "snap.json")
    os.mkfifo(theirs)
    os.chown(theirs, NOBODY, NOBODY)
    r = t.run("snapshot", "-o", theirs)
    t.check(r.rc == 3 and b"a device or FIFO owned by another user: not written to" in r.err
            and stat.S_ISFIFO(os.lstat(theirs).st_mode), f"another user's FIFO: {r}")

    # a socket, a block device and a directory are refused, never replaced
    blk = os.path.join(t.tmpdir(), "blk")
    os.mknod(blk, 0o600 | stat.S_IFBLK, os.makedev(7, 250))
    for target, why in ((blk, b"not a regular file, character device or FIFO"), (t.tmpdir(), b"Is a directory")):
        mode = os.lstat(target).st_mode
        r = t.run("snapshot", "-o", target)
        t.check(r.rc == 3 and why in r.err and os.lstat(target).st_mode == mode, f"-o {target} refused: {r}")


def harden_snapshot_mode(t):
    """A new snapshot is 0600 whatever the umask; --mode asks for other permissions; a bad --mode
    is a usage error."""
    t.hold("listen:127.0.0.1:7403")
    new = os.path.join(t.tmpdir(), "new.json")
    r = t.run("snapshot", "-o", new)
    t.check(r.rc == 0 and stat.S_IMODE(os.stat(new).st_mode) == 0o600, f"new snapshot 0600: {r}",
            [oct(os.stat(new).st_mode) if os.path.exists(new) else "missing"])
    old = os.umask(0)
    try:
        r = t.run("snapshot", "-o", new, "--mode", "0640")
    finally:
        os.umask(old)
    t.check(r.rc == 0 and stat.S_IMODE(os.stat(new).st_mode) == 0o640, f"--mode 0640 replaces: {r}",
            [oct(os.stat(new).st_mode)])
    long = os.path.join(t.tmpdir(), "l" * 250)  # the temporary's name must still fit in NAME_MAX
    r = t.run("snapshot", "-o", long)
    t.check(r.rc == 0 and os.path.isfile(long) and not [n for n in os.listdir(t.tmpdir()) if n.startswith(".")],
            f"a 250-byte name: {r}",
            sorted(os.listdir(t.tmpdir())))
    for bad in ("999", "1777", "-1", "rw", ""):
        r = t.run("snapshot", "-o", new, "--mode", bad)
        t.check(r.rc == 2 and b"invalid --mode" in r.err, f"--mode {bad!r}: usage error", [r])


def harden_watch_log_planted_symlink(t):
    """watch --log never follows a planted symlink nor appends to a file with a second hard link;
    a new log is 0600; an existing log is appended to."""
    t.hold("listen:127.0.0.1:7404")
    d = os.path.join(t.tmpdir(), "sticky")
    os.mkdir(d)
    os.chmod(d, 0o1777)
    secret = secret_file(t, t.tmpdir())
    log = os.path.join(d, "watch.log")
    plant(log, secret)
    r = t.run("watch", "--interval", "0.05", "--count", "1", "--log", log)
    t.check(r.rc == 2 and b"symbolic link owned by another user" in r.err, f"--log planted symlink: {r}")
    unchanged(t, secret, "--log planted symlink")
    os.unlink(log)
    os.link(secret, log)  # what a user could do without protected_hardlinks
    r = t.run("watch", "--interval", "0.05", "--count", "1", "--log", log)
    t.check(r.rc == 2 and b"another hard link" in r.err, f"--log with a second hard link: {r}")
    unchanged(t, secret, "--log hard link")
    os.unlink(log)
    with open(log, "w") as f:  # another user's file: it would read every event
        f.write("theirs\n")
    os.chown(log, NOBODY, NOBODY)
    r = t.run("watch", "--interval", "0.05", "--count", "1", "--log", log)
    t.check(r.rc == 2 and b"owned by another user: not appended to" in r.err and open(log).read() == "theirs\n",
            f"--log of another user's file: {r}")
    os.unlink(log)
    for n in (1, 2):
        r = t.run("watch", "--interval", "0.05", "--count", "1", "--log", log)
        lines = open(log).read().splitlines() if os.path.exists(log) else []
        t.check(r.rc == 0 and len(lines) == 2 * n and "watching 1 listening socket" in lines[-2],
                f"--log run {n} appends its lines: {r}", lines)
    t.check(stat.S_IMODE(os.stat(log).st_mode) == 0o600, "a new log is 0600", [oct(os.stat(log).st_mode)])


def codes(doc, port):
    socks = [s for s in doc["sockets"] if s["local"]["port"] == port]
    return sorted(f["code"] for s in socks for f in s["findings"])


def harden_env_config(t):
    """A ports file found through HOME or XDG_CONFIG_HOME that would silence a finding is ignored,
    with one line on stderr, when another user owns it or group/others may write it; the same
    file owned by the effective user is used. A directory as --ports-file is "Is a directory"."""
    # redis' port, held by sockhold calling itself redis-server: unexpected-owner
    t.hold("listen:127.0.0.1:6379", "name:redis-server")
    home = os.path.join(t.tmpdir(), "home")
    conf = os.path.join(home, ".config", "portsleuth")
    os.makedirs(conf)
    ports = os.path.join(conf, "ports")
    with open(ports, "w") as f:
        f.write("6379\ttcp\tredis\n")  # no expected owners: no unexpected-owner finding
    base = codes(t.json(env=t.env(HOME="/nonexistent")), 6379)
    t.require("unexpected-owner" in base, f"the finding the file would silence: {base}")

    def run_with(env, owner, mode, uid=0):
        os.chown(ports, owner, owner)
        os.chmod(ports, mode)
        for d in (t.tmpdir(), home, os.path.dirname(conf), conf):
            os.chmod(d, 0o755)
        r = t.run("--json", uid=uid, env=t.env(**env))
        t.require(r.rc == 0, f"run: {r}")
        return codes(R.parse_json(r), 6379), r.err.decode()

    for env in ({"HOME": home}, {"XDG_CONFIG_HOME": os.path.dirname(conf), "HOME": "/nonexistent"}):
        got, err = run_with(env, 0, 0o644)
        t.check("unexpected-owner" not in got and err == "", f"{env}: root's own file is used", [got, err])
        got, err = run_with(env, NOBODY, 0o644)  # `sudo -E` or `su` kept a user's HOME
        t.check(got == base and err == f"portsleuth: ignoring {ports} (found through HOME or XDG_CONFIG_HOME): "
                "owned by another user, not by root or the effective user\n", f"{env}: another user's file", [got, err])
        got, err = run_with(env, 0, 0o666)
        t.check(got == base and "writable by group or others" in err and err.count("\n") == 1,
                f"{env}: a file others may write", [got, err])
    # the user's own file, for that user's own run, is used
    got, err = run_with({"HOME": home}, NOBODY, 0o644, uid=NOBODY)
    t.check("ignoring" not in err, f"nobody's own file for nobody: {err!r}")
    r = t.run("--ports-file", conf)
    t.check(r.rc == 2 and r.err.decode() == f"portsleuth: cannot read {conf}: Is a directory\n",
            f"a directory as --ports-file: {r}")


def harden_csv_formulas(t):
    """CSV cells that start a formula (= + - @ TAB CR) get a leading quote and are quoted:
    a process named =HYPERLINK(...), one named like a negative number, and a command line."""
    link = 'HYPERLINK("x")'  # with '=' 15 bytes: all of comm
    h1 = t.hold("listen:127.0.0.1:7411", "name:=" + link, argv0=b"=1+2")
    h2 = t.hold("listen:127.0.0.1:7412", "name:-5", argv0=b"@SUM(1+1)")
    h3 = t.hold("listen:127.0.0.1:7413", "name:+x", argv0=b"\t=1")
    # PROGRAM shows comm only when it matches the executable or argv[0] (else the executable's name)
    h4 = t.hold("listen:127.0.0.1:7414", "name:=1+2", argv0=b"=1+2")
    r = t.run("--csv", "-o", "local,program,command")
    t.require(r.rc == 0, f"--csv: {r}")
    lines = r.out.decode().splitlines()
    want = ["local,program,command",
            "127.0.0.1:7411,sockhold,\"'=1+2 listen:127.0.0.1:7411 "
            "'name:=" + link.replace('"', '""') + "' --\"",
            "127.0.0.1:7412,sockhold,\"'@SUM(1+1) listen:127.0.0.1:7412 name:-5 --\"",
            "127.0.0.1:7413,sockhold,\"'\\x09=1 listen:127.0.0.1:7413 name:+x --\"",
            "127.0.0.1:7414,\"'=1+2\",\"'=1+2 listen:127.0.0.1:7414 name:=1+2 --\""]
    t.check(lines == want, "formula starts are neutralised", [f"got  {x}" for x in lines] + [f"want {x}" for x in want])
    import csv
    import io
    rows = list(csv.reader(io.StringIO(r.out.decode())))
    t.check(all(not c or c[0] not in "=+-@\t\r" for row in rows for c in row),
            "no cell starts a formula once parsed", rows)


# Every kind of text a terminal must not get raw, as UTF-8: C0, DEL, C1, bidi controls, invisible
# format characters (Cf, including a tag character above U+FFFF), line/paragraph separators, the
# Hangul fillers and the object replacement character.
KINDS = ["\x1b", "\x07", "\x7f", "\x9b", "\u202e", "\u061c", "\u2066", "\u200b", "\u00ad", "\u2060",
         "\U000e0041", "\u2028", "\u2029", "\u3164", "\u115f", "\u1160", "\uffa0", "\ufffc", "\ufeff"]
FILLERS = "\u115f\u1160\u3164\uffa0\ufffc"


def term_escape(ch):
    """How esc_text shows one unsafe character."""
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{{{ord(ch):04x}}}"


def raw_unsafe(b):
    """The characters of output b a terminal must never receive raw (newline aside)."""
    text = b.decode("utf-8", "replace")
    return sorted({f"U+{ord(c):04X}" for c in text if c != "\n" and
                   (unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or c in FILLERS)})


def harden_escape_everywhere(t):
    """Process names, command lines, a ports file's fields and a policy's words holding every kind
    of unsafe character reach no output raw: table, CSV, JSON (valid UTF-8, exact values, \\uXXXX),
    explain, watch, diff, check and error messages."""
    name1 = "a\u202e\u200b\u3164\x1b\x7f\x9b".encode()  # 14 bytes: all of comm
    name2 = "\u061c\ufffc\u2028\U000e0041\u115f".encode()  # 15 bytes
    args = ["".join(f"k{c}" for c in KINDS[i:i + 2]).encode() for i in range(0, len(KINDS), 2)]  # sockhold: 16 at most
    before = os.path.join(t.tmpdir(), "before.json")
    t.require(t.run("snapshot", "-o", before).rc == 0, "empty snapshot")
    w = subprocess.Popen([t.exe_of(0, "binary"), "watch", "--interval", "0.05", "--count", "60"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=t.env())
    t.extra_pids.append(w.pid)
    time.sleep(0.3)
    # the name first: watch must never see the socket under the old name
    h1 = t.hold("name:" + R.c_escape(name1), "listen:127.0.0.1:7421", extra=args)
    h2 = t.hold("name:" + R.c_escape(name2), "listen:127.0.0.1:7422")
    try:
        wout, werr = w.communicate(timeout=R.RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        w.kill()
        wout, werr = w.communicate()
    outs = {"watch": (w.returncode, wout + werr)}
    ports = os.path.join(t.tmpdir(), "ports")
    with open(ports, "wb") as f:
        f.write("7421\ttcp\tsvc\u200b\town\x1b[31mer,\u202eX\tri\u2028sk\tbd\x07oor,\u3164\tdesc\ufeff\n".encode())
    pol = os.path.join(t.tmpdir(), "policy")
    with open(pol, "wb") as f:
        f.write("allow tcp 1 name=p\u202eq\x1b\n".encode())
    bad = os.path.join(t.tmpdir(), "bad-policy")
    with open(bad, "wb") as f:
        f.write("allow tcp 22 \x1b]0;OWNED\x07\u202e\u200b\n".encode())
    runs = {"table": ("-w",), "csv": ("--csv",), "json": ("--json",),
            "explain": ("explain", "7421", "--ports-file", ports),
            "explain-json": ("explain", "7421", "--json", "--ports-file", ports),
            "diff": ("diff", before), "check": ("check", "--baseline", pol),
            "policy-error": ("check", "--baseline", bad),
            "usage-error": ("--color", "\x1b[31m\u200b\u202e"),
            "snapshot-error": ("diff", os.path.join(t.tmpdir(), "no\u202esuch\x1b")),
            "ports-file-error": ("--ports-file", os.path.join(t.tmpdir(), "no\u2066such\x9b"))}
    for what, argv in runs.items():
        r = t.run(*argv)
        outs[what] = (r.rc, r.out + r.err)
    want_rc = {"watch": 0, "table": 0, "csv": 0, "json": 0, "explain": 0, "explain-json": 0, "diff": 1, "check": 4,
               "policy-error": 2, "usage-error": 2, "snapshot-error": 2, "ports-file-error": 2}
    for what, (rc, out) in outs.items():
        t.check(rc == want_rc[what], f"{what}: exit {rc}, want {want_rc[what]}", [out[-300:]])
        bad_chars = raw_unsafe(out)
        t.check(not bad_chars, f"{what}: raw {bad_chars} in the output", [out[:600]])
        try:
            out.decode("utf-8")
        except UnicodeDecodeError as e:
            t.check(False, f"{what}: not valid UTF-8: {e}")
    esc1 = "".join(term_escape(c) if c not in "a" else c for c in name1.decode())
    esc2 = "".join(term_escape(c) for c in name2.decode())
    # the table and CSV show such a process's executable name in PROGRAM (its comm matches neither the
    # executable nor argv[0]: it is no name to trust); their escaping is checked by the arguments below
    for what in ("watch", "diff", "check"):
        text = outs[what][1].decode()
        t.check(esc1 in text and esc2 in text, f"{what}: the escaped names", [esc1, esc2, text[:800]])
    for what in ("table", "csv", "explain"):
        text = outs[what][1].decode()
        missing = [c for c in KINDS if "k" + term_escape(c) not in text]
        t.check(not missing, f"{what}: command line arguments escaped", [repr(m) for m in missing] + [text[:800]])
    ex = outs["explain"][1].decode()
    t.check("own\\x1b[31mer, \\u{202e}X" in ex and "bd\\x07oor, \\u{3164}" in ex and "ri\\u{2028}sk" in ex,
            "explain: the ports file's owners, backdoor and risk fields escaped", [ex])
    for what in ("json", "explain-json"):
        doc = json.loads(outs[what][1])
        raw = outs[what][1]
        t.check("\\u202e" in raw.decode() and "\\udb40\\udc41" in raw.decode(), f"{what}: \\uXXXX escapes",
                [raw[:300]])
        owners = [o for s in doc["sockets"] for o in s["owners"]]
        names = sorted(o["name"] for o in owners)
        if what == "json":
            t.check(names == sorted([name1.decode(), name2.decode()]), "json: exact names", names)
        cmd = [o["cmdline"] for o in owners if o["pid"] == h1.pid]
        t.check(cmd and cmd[0][-len(args):] == [a.decode() for a in args], f"{what}: exact arguments", cmd)
    err = outs["policy-error"][1].decode()
    t.check("\\x1b]0;OWNED\\x07\\u{202e}\\u{200b}" in err, "policy error: the bad word escaped", [err])
    err = outs["usage-error"][1].decode()
    t.check("\\x1b[31m\\u{200b}\\u{202e}" in err, "usage error: the argument escaped", [err])


def harden_explain_small(t):
    """explain 0 says port 0 cannot be explained; explain's command: line quotes arguments as the
    table's COMMAND column does."""
    for arg in ("0", "0/udp"):
        r = t.run("explain", arg)
        t.check(r.rc == 2 and b"invalid port '0': port 0 is not a port anything listens on" in r.err
                and b"exactly one port" not in r.err, f"explain {arg}: {r}")
    h = t.hold("listen:127.0.0.1:7431", argv0=b"my prog", extra=[b"", b"it's", b"a b", b"plain"])
    table = t.run("-w", "-o", "command", "7431").out.decode().splitlines()
    t.require(len(table) == 2, "table", table)
    cmd = table[1].strip()
    # the backslash of the quote-in-quotes form ('it'\\''s') is literal: a quote after it reads as no escape
    t.check(cmd == "'my prog' listen:127.0.0.1:7431 -- '' 'it'\\''s' 'a b' plain", "table command", [cmd])
    ex = t.run("explain", "7431").out.decode()
    t.check(f"    command:  {cmd}\n" in ex, "explain quotes the command line like the table", [cmd, ex])
