#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# smoke.sh — run the cross-built portsleuth.exe under Wine while a TCP listener
# and a UDP socket are open, and find both in the table and in --json. Wine maps
# Winsock onto the host's sockets and reports owner pid 0 for every one: each
# must come out with no owner and owner_status "unreported", never as a process.
# A Windows program (wlisten.c, built here with mingw) that holds a listener and
# does I/O on it is reported with its real pid, and the same program run as a
# service (`sc create`/`sc start`) holding a socket comes out with its service
# name and no abort (the optional iphlpapi functions are looked up at run time).
# Also: watch's first line says short-lived sockets are not seen, --help and -N
# speak of Windows, and a snapshot written to a file diffs against the live state.
#   sh tests/windows/smoke.sh [BUILD_DIR]     (default build-windows)
set -eu
build=${1:-build-windows}
exe=$build/portsleuth.exe
[ -f "$exe" ] || { echo "smoke: $exe not built (make PLATFORM=windows)" >&2; exit 1; }
wine=$(command -v wine || command -v wine64 || true)
[ -n "$wine" ] || { echo "smoke: wine is not installed" >&2; exit 1; }

tmp=$(mktemp -d /tmp/portsleuth-wine.XXXXXX)
export WINEPREFIX="$tmp/prefix" WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES="mscoree,mshtml="
# wineserver -k returns before the server has saved the registry into the prefix: wait for it
# (-w), or rm races its last writes and fails the run after every check passed
trap 'exec 7>&- 2>/dev/null; "$wine" sc stop pstest >/dev/null 2>&1; wineserver -k >/dev/null 2>&1; wineserver -w >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT INT TERM
# the prefix is made once here (about a minute) so the timed runs below do not pay for it
"$wine" wineboot --init >/dev/null 2>&1 || true

# the safe file writer refuses a directory reparse point: Wine shows a Unix
# symbolic link to a directory as one (its CreateSymbolicLink makes nothing)
if [ -f "$build/unit_tests.exe" ]; then
	mkdir -p "$WINEPREFIX/drive_c/pslink/real"
	ln -s real "$WINEPREFIX/drive_c/pslink/link"
	PS_WIN_REPARSE_DIR='C:\pslink\link' "$wine" "$build/unit_tests.exe" win_file
	[ -z "$(ls -A "$WINEPREFIX/drive_c/pslink/real")" ] || { echo "smoke: a file was written through the link" >&2; exit 1; }
fi

# the Windows listener and the service: started before any program reads the socket
# tables; the listener's open stdin keeps the wineserver (and so the service) alive
cc=$(command -v x86_64-w64-mingw32-gcc || true)
lport=0 sport=0 lpid=0
if [ -n "$cc" ]; then
	# with a version resource, which the listener's owner shows as file_info
	res=
	if command -v x86_64-w64-mingw32-windres >/dev/null; then
		printf '%s\n' '1 VERSIONINFO' 'FILEVERSION 1,2,3,4' 'BEGIN' ' BLOCK "StringFileInfo"' \
			' BEGIN' '  BLOCK "040904b0"' '  BEGIN' \
			'   VALUE "FileDescription", "portsleuth test listener"' \
			'   VALUE "CompanyName", "Contoso"' '  END' ' END' ' BLOCK "VarFileInfo"' ' BEGIN' \
			'  VALUE "Translation", 0x409, 1200' ' END' 'END' >"$tmp/wlisten.rc"
		x86_64-w64-mingw32-windres -O coff -o "$tmp/wlisten.res" "$tmp/wlisten.rc" && res="$tmp/wlisten.res"
	fi
	"$cc" -O2 -o "$WINEPREFIX/drive_c/wlisten.exe" "$(dirname "$0")/wlisten.c" $res -lws2_32
	set -- $(python3 -c 'import socket
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
print(free(), free())')
	lport=$1 sport=$2
	# the service is registered in a session of its own: until that wineserver has written
	# the registry and exited, a later session's `sc start` fails without a word
	"$wine" sc create pstest binPath= "C:\\wlisten.exe service pstest $sport" >"$tmp/sc.out" 2>&1
	wineserver -w
	mkfifo "$tmp/hold"
	"$wine" 'C:\wlisten.exe' listen "$lport" <"$tmp/hold" >"$tmp/listener.out" 2>&1 &
	exec 7>"$tmp/hold"
	for _ in $(seq 60); do grep -q '^ready' "$tmp/listener.out" 2>/dev/null && break; sleep 1; done
	lpid=$(sed -n 's/^ready \([0-9]*\).*/\1/p' "$tmp/listener.out" | tr -d '\r')
	"$wine" sc start pstest >>"$tmp/sc.out" 2>&1 || { sleep 2; "$wine" sc start pstest >>"$tmp/sc.out" 2>&1; } || true
	"$wine" sc query pstest >>"$tmp/sc.out" 2>&1
	grep -q RUNNING "$tmp/sc.out" || { echo "smoke: the test service did not start" >&2; cat "$tmp/sc.out" >&2; exit 1; }
else
	echo "smoke: no x86_64-w64-mingw32-gcc: the Windows listener and service checks are skipped"
fi

# the network profile of each interface, read live (INetworkListManager + GetAdaptersAddresses):
# it returns, gives every address its prefix, and a profile or why none is known. Wine's
# INetwork::GetCategory is a stub that answers "public" for every network; the tool itself
# does not reach this reader under Wine, whose INetFwPolicy2 is not read
if [ -f "$build/unit_tests.exe" ]; then
	"$wine" "$build/unit_tests.exe" win_netprofiles_live >"$tmp/np.out" 2>&1 ||
		{ cat "$tmp/np.out"; echo "smoke: the network profile reader failed" >&2; exit 1; }
	if ! grep -q "1 passed, 0 failed" "$tmp/np.out" || ! grep -q "addresses in a known profile" "$tmp/np.out"; then
		cat "$tmp/np.out"
		echo "smoke: the network profile reader did not say what it knows" >&2
		exit 1
	fi
	echo "ok   network profiles: read without an abort; $(grep -o '[0-9]* of [0-9]* addresses in a known profile' "$tmp/np.out")"
	if grep -q "not known: " "$tmp/np.out"; then grep "not known: " "$tmp/np.out" | sed 's/^ */     /'; fi
fi

# Authenticode on real files: a program signed with a self-signed "Contoso" certificate
# (osslsigncode) copied to C:\tools as svchost.exe and as agent.exe, and an unsigned copy
if [ -n "$cc" ] && [ -f "$build/unit_tests.exe" ] && command -v osslsigncode >/dev/null &&
	command -v openssl >/dev/null; then
	tools="$WINEPREFIX/drive_c/tools"
	mkdir -p "$tools"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
		-days 2 -subj "/CN=Contoso Ltd/O=Contoso" >/dev/null 2>&1
	osslsigncode sign -certs "$tmp/cert.pem" -key "$tmp/key.pem" -n svchost \
		-in "$WINEPREFIX/drive_c/wlisten.exe" -out "$tools/svchost.exe" >/dev/null
	cp "$tools/svchost.exe" "$tools/agent.exe"
	cp "$WINEPREFIX/drive_c/wlisten.exe" "$tools/tool.exe"
	PS_WIN_SIGNED_DIR='C:\tools' "$wine" "$build/unit_tests.exe" win_signed_fixtures >"$tmp/sig.out" 2>&1 ||
		{ cat "$tmp/sig.out"; echo "smoke: the signed fixtures failed" >&2; exit 1; }
	grep -q "1 passed, 0 failed" "$tmp/sig.out" && echo "ok   signatures: svchost.exe signed by Contoso and an unsigned copy are not Windows' (alert on 3389)"
else
	echo "smoke: osslsigncode, openssl or mingw missing: the signed fixtures are skipped"
fi

python3 - "$wine" "$exe" "$tmp" "$lport" "$lpid" "$sport" <<'PY'
import json, os, socket, subprocess, sys

wine, exe, tmp = sys.argv[1:4]
lport, lpid, sport = (int(a or 0) for a in sys.argv[4:7])
fails = []

def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)

def run(*args):
    r = subprocess.run([wine, exe, *args], capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout.replace("\r\n", "\n"), r.stderr.replace("\r\n", "\n")

tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.bind(("127.0.0.1", 0))
tcp.listen(4)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
tport, uport = tcp.getsockname()[1], udp.getsockname()[1]
print(f"smoke: tcp listener 127.0.0.1:{tport}, udp socket 127.0.0.1:{uport}")
try:  # the IPv6 tables too, where the host has ::1
    tcp6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    tcp6.bind(("::1", 0))
    tcp6.listen(4)
    udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp6.bind(("::1", 0))
    t6port, u6port = tcp6.getsockname()[1], udp6.getsockname()[1]
except OSError:
    t6port = u6port = None

code, out, err = run("-n", "-w", f"{tport}/tcp", f"{uport}/udp")
print(out + err, end="")
check(code == 0, "table: exit 0")
rows = [l.split() for l in out.splitlines()[1:]]
trow = [r for r in rows if r[:2] == ["tcp", f"127.0.0.1:{tport}"]]
urow = [r for r in rows if r[:2] == ["udp", f"127.0.0.1:{uport}"]]
check(len(trow) == 1 and "LISTEN" in trow[0], "table: the TCP listener, LISTEN")
check(len(urow) == 1 and "UNCONN" in urow[0], "table: the UDP socket, UNCONN")
check(all("[unreported]" in r for r in trow + urow), "table: owner [unreported], no program")
check("without a reported owner" in err and "Wine" in err, "table: a note says why there is no owner")
if t6port:
    code, out, err = run("-n", f"{t6port}/tcp", f"{u6port}/udp")
    check(f"tcp6   [::1]:{t6port}  LISTEN" in out and f"udp6   [::1]:{u6port}  UNCONN" in out,
          "table: IPv6 listener and UDP socket (GetExtendedTcpTable/UdpTable AF_INET6)")

if lport:
    code, out, err = run("--json", "-a", f"{lport}", f"{sport}")
    check(code == 0 and "unimplemented function" not in err, "service: the run ends normally (no Wine stub reached)")
    doc = json.loads(out or "{}")
    lis = [s for s in doc.get("sockets", []) if s["local"]["port"] == lport and s["state"] == "listen"]
    svc = [s for s in doc.get("sockets", []) if s["local"]["port"] == sport and s["state"] == "listen"]
    check(len(lis) == 1 and lis[0]["owner_status"] == "ok" and [o["pid"] for o in lis[0]["owners"]] == [lpid]
          and lis[0]["owners"][0]["exe"].lower() == "c:\\wlisten.exe",
          f"listener: the Windows program's listener is owned by its real pid {lpid}")
    info = lis[0]["owners"][0].get("file_info") if lis and lis[0]["owners"] else None
    check(info == {"description": "portsleuth test listener", "company": "Contoso", "version": "1.2.3.4"},
          f"listener: its program's version resource as file_info (GetFileVersionInfoW): {info}")
    code, out, err = run("explain", f"{lport}")
    check("says:     portsleuth test listener, by Contoso, version 1.2.3.4" in out,
          "explain: the listener's program says what it is (version resource)")
    check(len(svc) == 1 and svc[0]["owners"] and svc[0]["owners"][0]["unit"] == "pstest"
          and svc[0]["owners"][0]["unit_type"] == "service",
          "service: the socket of the service started with sc start names the service pstest")
    code, out, err = run("-n", "-w", f"{sport}/tcp")
    check(code == 0 and "pstest" in out, "service: the table shows UNIT pstest")
    sig = lis[0]["owners"][0].get("signature") if lis and lis[0]["owners"] else None
    check(sig == {"status": "unsigned", "source": None, "signer": None, "os_vendor": False}
          and lis[0]["owners"][0].get("package") == {"status": "unowned", "name": None},
          "json: the unsigned listener's signature status and package (issue 22)")
    # native stop advice: taskkill for a program (/F only as the second step), sc.exe and
    # Stop-Service for a service; the path with one backslash
    code, out, err = run("explain", f"{lport}")
    check(code == 0 and f"to stop it: taskkill /PID {lpid} (if it does not end: taskkill /F /PID {lpid})\n" in out
          and "\\wlisten.exe (unsigned)" in out.lower().replace("c:", "") and "\\\\" not in out,
          "explain: taskkill /PID, then /F; C:\\wlisten.exe (unsigned) with one backslash")
    code, out, err = run("explain", f"{sport}")
    check(code == 0 and "to stop it: sc.exe stop pstest (PowerShell: Stop-Service -Name pstest)\n" in out
          and "taskkill" not in out, "explain: the service is stopped by its name (sc.exe stop, Stop-Service)")
    code, out, err = run("explain", "--json", f"{sport}")
    stop = json.loads(out or "{}").get("stop") or [{}]
    check(stop[0].get("command") == "sc.exe stop pstest" and stop[0].get("alt_command") ==
          "Stop-Service -Name pstest" and stop[0].get("service") == "pstest",
          "explain --json: stop[].command sc.exe stop pstest, alt_command Stop-Service")

# a TCP port bound but not listening (netstat -q's BOUND): Wine has no bound-socket table
# (InternalGetBoundTcpEndpointTable), so it is not listed; never as a listener, no abort
bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
bound.bind(("127.0.0.1", 0))
bport = bound.getsockname()[1]
code, out, err = run("--json", "--state", "bound,listen", f"{bport}")
bsocks = [s for s in json.loads(out or "{}").get("sockets", []) if s["local"]["port"] == bport]
check(code in (0, 1) and "unimplemented function" not in err and not any(s["state"] == "listen" for s in bsocks),
      "bound: --state bound runs; a bound-only TCP port is never a listener (Wine lists none)")
bound.close()

code, out, err = run("explain", f"{tport}")
check(code == 0 and f"127.0.0.1:{tport} LISTEN" in out and "Held by no visible process (unreported)" in out,
      "explain: the listener, held by no visible process (unreported)")

code, out, err = run("--json", "-a", f"{tport}", f"{uport}")
check(code == 0, "json: exit 0")
doc = json.loads(out)
check(doc.get("source") == "iphlpapi", "json: source iphlpapi")
socks = {(s["proto"], s["local"]["port"]): s for s in doc["sockets"] if s["local"]["addr"] == "127.0.0.1"}
t, u = socks.get(("tcp", tport)), socks.get(("udp", uport))
check(t is not None and t["state"] == "listen", "json: the TCP listener, state listen")
check(u is not None and u["state"] == "unconn", "json: the UDP socket, state unconn")
for name, s in (("tcp", t), ("udp", u)):
    if s:
        check(s["owners"] == [] and s["owner_status"] == "unreported",
              f"json: {name} owners [] and owner_status unreported (Wine's pid 0)")
        check(s["exposure"]["scope"] == "loopback", f"json: {name} exposure loopback (GetAdaptersAddresses)")
check(doc["partial"] is True and doc["unattributed"]["unreported"] >= 2, "json: partial, unreported counted")
# the Windows Firewall through INetFwPolicy2: Wine implements part of it; read or not, it says so
fw = doc.get("firewall") or {}
if fw.get("read"):
    check(fw["why"] is None and isinstance(fw["rules"], int), "json: the Windows Firewall read, its rules counted")
else:
    check((fw.get("why") or "").startswith("the Windows Firewall's policy could not be read: ")
          and " failed: 0x" in fw["why"], "json: the Windows Firewall not read, with the failing call and its HRESULT")
if t:
    tfw = t["exposure"].get("firewall") or {}
    check(tfw.get("verdict") == "all",
          "json: the loopback listener's firewall verdict is all (loopback is not filtered), read or not")
check("legacy" in fw and fw["legacy"] is None, "json: firewall.legacy null (no iptables-legacy on Windows)")
check(doc["processes"]["scanned"] == 0, "json: no process invented")

# a netsh interface portproxy rule, written where netsh writes it (Wine has no portproxy in
# netsh): a forward of kind portproxy in JSON and in the table's forwards list
key = r"HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\v4tov4\tcp"
subprocess.run([wine, "reg", "add", key, "/v", "*/18080", "/t", "REG_SZ", "/d", "10.0.0.5/80", "/f"],
               capture_output=True, timeout=120)
code, out, err = run("--json", "18080")
fwds = [f for f in json.loads(out or "{}").get("forwards", []) if f.get("kind") == "portproxy"]
check(len(fwds) == 1 and fwds[0]["port"] == 18080 and fwds[0]["to"]["addr"] == "10.0.0.5"
      and fwds[0]["to"]["port"] == 80, "portproxy: the registry's rule is a forward of kind portproxy (JSON)")
code, out, err = run("-n", "18080")
check("netsh interface portproxy" in out and "forwarded to 10.0.0.5:80" in out,
      "portproxy: the table lists it under the port proxies")

code, out, err = run("watch", "--count", "1", "-i", "0.2", f"{tport}")
first = out.splitlines()[0] if out else ""
check(code == 0 and "short-lived sockets between polls are NOT seen" in first and "sock_diag" not in first,
      "watch: the first line says short-lived sockets between polls are not seen, in Windows terms")
for args in (["--help"], ["watch", "--help"]):
    code, out, err = run(*args)
    check(code == 0 and not any(w in out for w in ("bpf", "/proc", "sock_diag", "every network namespace")),
          f"{' '.join(args)}: no Linux machinery named")
code, out, err = run("-N", "-n", "-w", f"{tport}/tcp")
check(code == 0 and "NETNS" not in out and f"127.0.0.1:{tport}" in out
      and "network namespaces are not supported on this platform" in err,
      "-N: a note that namespaces are not supported, no NETNS column")

snap = os.path.join(tmp, "before.json")
code, out, err = run("snapshot", "-o", "Z:" + snap.replace("/", "\\"))
check(code == 0 and os.path.exists(snap), "snapshot -o writes the file")
if os.path.exists(snap):
    with open(snap) as fp:
        check(any(s["local"]["port"] == tport for s in json.load(fp)["sockets"]), "snapshot holds the listener")
# a non-ASCII file name on the command line (wmain: UTF-16 to UTF-8, not the ANSI code page)
named = os.path.join(tmp, "J\u00fcrgen.json")
code, out, err = run("snapshot", "-o", "Z:" + named.replace("/", "\\"))
check(code == 0 and os.path.exists(named), "snapshot -o J\u00fcrgen.json: a non-ASCII name from the command line")
tcp.close()
code, out, err = run("diff", "Z:" + snap.replace("/", "\\"))
check(f":{tport}" in out and "closed" in out, "diff: the closed listener is reported")
udp.close()
if fails:
    print(f"smoke: {len(fails)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("smoke: all checks passed")
PY
