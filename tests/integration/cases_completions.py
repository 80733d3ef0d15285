# SPDX-License-Identifier: GPL-2.0-or-later
"""cases_completions.py — the shell completions `portsleuth completions SHELL` generates (issue 17).

Loaded by run.py. Every long option each command's --help lists must be in each script (bash,
zsh, fish), in that command's part; the bash script, sourced into a real bash with COMP_WORDS
set, must complete commands, options, option values and the live values (the pid and the port
of a socket the case holds, snapshot files for diff). zsh and fish scripts are parsed with
`zsh -n` / `fish -n` and fish's own completer is asked too, when those shells are installed.
"""
import os
import re
import shutil
import subprocess

R = None  # the runner module, set by register()

COMMANDS = ["explain", "snapshot", "diff", "watch", "check", "conns", "top"]
LONG = re.compile(r"(?:^|[\s,])--([a-z0-9][a-z0-9-]*)")
SHORT = re.compile(r"(?:^|[\s,])-([a-zA-Z0-9])(?=[,\s]|$)")
PAIR = re.compile(r"(?:^|\s)-([a-zA-Z0-9]), --([a-z0-9][a-z0-9-]*)")


def register(run):
    global R
    R = run
    run.case(completions_cover_help)
    run.case(completions_bash_values)


def help_options(t, cmd):
    """The option lines of a command's --help (read here, not by the tool)."""
    r = t.run(*([cmd] if cmd != "list" else []), "--help")
    t.require(r.rc == 0, f"{cmd} --help: exit {r.rc}")
    return [l for l in r.out.decode().splitlines() if re.match(r"^\s+-", l)]


def help_longs(t, cmd):
    """The long options a command's --help lists."""
    out = set()
    for line in help_options(t, cmd):
        out.update(LONG.findall(line))
    t.require(out, f"no options found in {cmd} --help")
    return out


def named_by_short(t, cmd, pairs):
    """Long names of the listing's options a command's help names by their short form only."""
    out = set()
    for line in help_options(t, cmd):
        out.update(pairs[c] for c in SHORT.findall(line) if c in pairs)
    return out


def scripts(t):
    got = {}
    for sh in ("bash", "zsh", "fish"):
        r = t.run("completions", sh)
        t.require(r.rc == 0 and r.out, f"completions {sh}: exit {r.rc} {r.err!r}")
        got[sh] = r.out.decode()
    return got


def bash_block(script, cmd):
    m = re.search(rf"\n\t{cmd}\)\n(.*?)\n\t\t;;\n", script, re.S)
    return m.group(1) if m else ""


def completions_cover_help(t):
    s = scripts(t)
    pairs = {}
    for line in help_options(t, "list"):
        pairs.update(PAIR.findall(line))
    for cmd in ["list"] + COMMANDS:
        longs = help_longs(t, cmd)
        block = bash_block(s["bash"], cmd)
        t.check(block, f"bash: no part for {cmd}")
        zblock = re.search(rf"\n\t\({cmd}\)\n(.*?)\n\t\t;;\n", s["zsh"], re.S)
        cond = (f"__fish_seen_subcommand_from {cmd}'" if cmd != "list"
                else "not __fish_seen_subcommand_from " + " ".join(COMMANDS + ["help"]) + "'")
        fish = "\n".join(l for l in s["fish"].splitlines() if cond in l)
        for name in sorted(longs):
            t.check(re.search(rf"(?<![\w-])--{name}(?![\w-])", block), f"bash {cmd}: --{name} missing")
            t.check(zblock and re.search(rf"(?<![\w-])--{name}(?![\w-])", zblock.group(1)),
                    f"zsh {cmd}: --{name} missing")
            t.check(re.search(rf" -l {name}(?![\w-])", fish), f"fish {cmd}: --{name} missing")
        # and nothing the help does not list (drift the other way)
        listed = longs | (named_by_short(t, cmd, pairs) if cmd != "list" else set())
        offered = re.findall(r"compgen -W '(--[^']*)'", block)
        extra = set(offered[0].split() if offered else []) - {f"--{n}" for n in listed}
        t.check(not extra, f"bash {cmd}: options --help does not list: {sorted(extra)}")
    d = t.tmpdir()
    for sh, argv in (("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])):
        if shutil.which(argv[0]):
            path = os.path.join(d, "c." + sh)
            with open(path, "w") as f:
                f.write(s[sh])
            r = subprocess.run(argv + [path], capture_output=True, timeout=R.RUN_TIMEOUT)
            t.check(r.returncode == 0, f"{' '.join(argv)}: {r.stderr.decode(errors='replace')}")
    r = subprocess.run(["bash", "-n"], input=s["bash"].encode(), capture_output=True, timeout=R.RUN_TIMEOUT)
    t.check(r.returncode == 0, f"bash -n: {r.stderr.decode(errors='replace')}")


def complete(t, script, words, cwd=None):
    """What bash offers for the last word of `words` (the line typed so far)."""
    prog = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _portsleuth; '
            'printf "%s\\n" "${COMPREPLY[@]}"')
    env = t.env(PATH=t.tmpdir() + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog, "bash", script, *words],
                       capture_output=True, timeout=R.RUN_TIMEOUT, env=env, cwd=cwd)
    t.require(r.returncode == 0, f"bash completion of {words}: exit {r.returncode} {r.stderr!r}")
    return sorted(w for w in r.stdout.decode().split("\n") if w)


def completions_bash_values(t):
    h = t.hold("listen:0.0.0.0:4711", "udp:127.0.0.1:4799")
    d = t.tmpdir()  # holds a copy of portsleuth: on PATH for the script's live values
    script = os.path.join(d, "portsleuth.bash")
    with open(script, "wb") as f:
        f.write(t.run("completions", "bash").out)
    snaps = os.path.join(d, "snaps")
    os.mkdir(snaps)
    os.mkdir(os.path.join(snaps, "old"))
    for name in ("before.json", "notes.txt"):
        open(os.path.join(snaps, name), "w").close()
    pid = str(h.proc.pid)
    cases = [
        (["portsleuth", "ch"], ["check"]),
        (["portsleuth", "check", "--bas"], ["--baseline"]),
        (["portsleuth", "--col"], ["--color", "--columns"]),
        (["portsleuth", "-o", "proto,lo"], ["proto,local"]),
        (["portsleuth", "--color", ""], ["always", "auto", "never"]),
        (["portsleuth", "--attribution", ""], ["auto", "bpf", "proc"]),
        (["portsleuth", "check", "--format", "p"], ["prometheus"]),
        (["portsleuth", "--state", "listen,time-"], ["listen,time-wait"]),
        (["portsleuth", "explain", "47"], ["4711", "4799"]),
        (["portsleuth", "-p", ""], [pid]),
        (["portsleuth", "watch", "--pid", pid[:-1]], [pid]),
        (["portsleuth", "-c", "sockh"], ["sockhold"]),
        (["portsleuth", "--exposure", ""], sorted(["public", "private", "link-local", "loopback",
                                                    "any-beyond-loopback"])),
        (["portsleuth", "-q", "explain", "47"], ["4711", "4799"]),
        (["portsleuth", "help", "ex"], ["explain"]),
    ]
    for words, want in cases:
        got = complete(t, script, words)
        t.check(got == want, f"complete {words}: got {got}, want {want}")
    got = complete(t, script, ["portsleuth", "diff", ""], cwd=snaps)
    t.check(got == ["before.json", "old"], f"complete diff <TAB>: got {got}, want the .json and the directory")
    got = complete(t, script, ["portsleuth", ""])
    for w in COMMANDS + ["4711", "help"]:
        t.check(w in got, f"complete portsleuth <TAB>: {w} missing from {got}")
    if shutil.which("zsh"):
        zsh_values(t, d, pid)
    if shutil.which("fish"):
        path = os.path.join(d, "portsleuth.fish")
        with open(path, "wb") as f:
            f.write(t.run("completions", "fish").out)
        env = t.env(PATH=d + ":" + os.environ.get("PATH", "/usr/bin:/bin"), HOME=d)
        r = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C 'portsleuth check --bas'"],
                           capture_output=True, timeout=R.RUN_TIMEOUT, env=env)
        t.check(r.stdout.decode().startswith("--baseline"), f"fish: complete check --bas: {r.stdout!r} {r.stderr!r}")
        r = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C 'portsleuth --sta'"],
                           capture_output=True, timeout=R.RUN_TIMEOUT, env=env)
        t.check(r.stdout.decode().rstrip().endswith("closing, bound, unconn, all"),
                f"fish: --state's whole description: {r.stdout!r}")
        r = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C 'portsleuth '"],
                           capture_output=True, timeout=R.RUN_TIMEOUT, env=env)
        t.check("help\t" in r.stdout.decode(), f"fish: portsleuth <TAB> offers help: {r.stdout!r}")


# zsh's completion widgets need a terminal; these stand-ins print what the script offers
ZSH_HARNESS = r"""
compdef() { :; }
compset() { :; }
compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done
            [[ $1 == -- ]] && shift; print -l -- "$@"; }
_describe() { print -l -- ${(P)4}; }
_files() { print "FILES $*"; }
_users() { print USERS; }
_message() { :; }
source $1; shift
words=("$@"); CURRENT=$#
_portsleuth
"""


def zsh_values(t, d, pid):
    script = os.path.join(d, "_portsleuth")
    with open(script, "wb") as f:
        f.write(t.run("completions", "zsh").out)
    env = t.env(PATH=d + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    for words, want in ((["portsleuth", "check", "--bas"], "--baseline:the snapshot or policy"),
                        (["portsleuth", ""], "check:listeners against a baseline"),
                        (["portsleuth", "explain", ""], "4711"),
                        (["portsleuth", "-p", ""], pid),
                        (["portsleuth", "diff", ""], "FILES -g *.json"),
                        (["portsleuth", "--color", ""], "always")):
        r = subprocess.run(["zsh", "-f", "-c", ZSH_HARNESS, "zsh", script, *words],
                           capture_output=True, timeout=R.RUN_TIMEOUT, env=env)
        lines = r.stdout.decode().splitlines()
        t.check(any(l.startswith(want) for l in lines), f"zsh {words}: {want!r} not in {lines[:12]} {r.stderr!r}")
