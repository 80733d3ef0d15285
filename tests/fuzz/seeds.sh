#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# seeds.sh — regenerate the recorded netlink seeds (tests/fuzz/corpus/{sockdiag,getaddr}) from a
# private network namespace with listeners, a connection and addresses of every kind. Needs root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec unshare -n sh -c '
set -eu
ip link set lo up
ip link add ps0 type veth peer name ps1 && ip link set ps0 up && ip link set ps1 up
ip addr add 192.0.2.1/24 dev ps0 && ip -6 addr add 2001:db8::1/64 dev ps0 nodad
ip addr add 10.9.0.1 peer 10.9.0.2 dev ps0
python3 - "$1" <<PY
import socket, subprocess, sys
keep = []
def sock(fam, typ, addr, listen=False):
    s = socket.socket(fam, typ); s.bind(addr)
    if listen: s.listen()
    keep.append(s); return s
l4 = sock(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 8080), True)
sock(socket.AF_INET6, socket.SOCK_STREAM, ("::", 22), True)
v6only = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
v6only.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); v6only.bind(("::1", 5432)); v6only.listen(); keep.append(v6only)
sock(socket.AF_INET, socket.SOCK_DGRAM, ("0.0.0.0", 53)); sock(socket.AF_INET6, socket.SOCK_DGRAM, ("::", 5353))
c = socket.create_connection(("127.0.0.1", 8080)); keep.append(c); keep.append(l4.accept()[0])
subprocess.run([sys.executable, sys.argv[1] + "/record_nl.py", sys.argv[1] + "/corpus"], check=True)
PY
' sh "$here"
