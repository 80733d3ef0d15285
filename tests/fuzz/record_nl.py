#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""record_nl.py OUTDIR — save real netlink dump replies as fuzz seeds.

Dumps sock_diag (TCP and UDP, IPv4 and IPv6, every state) and RTM_GETADDR of the
current network namespace and writes every reply datagram, exactly as recv()
returned it, to OUTDIR/sockdiag/{tcp,udp}{4,6}-N and OUTDIR/getaddr/getaddr-N.
tests/fuzz/seeds.sh runs it in a private namespace holding a few sockets.
"""
import os
import socket
import struct
import sys

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
RTM_GETADDR = 22
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3


def dump(proto, req_type, body):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, proto)
    s.send(struct.pack("=IHHII", 16 + len(body), req_type, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    replies = []
    while True:
        data = s.recv(65536)
        replies.append(data)
        off, done = 0, False
        while off + 16 <= len(data):
            ln, typ = struct.unpack_from("=IH", data, off)
            if typ in (NLMSG_DONE, NLMSG_ERROR):
                done = True
            off += (ln + 3) & ~3
            if ln < 16:
                break
        if done:
            break
    s.close()
    return replies


def save(d, name, replies):
    os.makedirs(d, exist_ok=True)
    for i, r in enumerate(replies):
        with open(os.path.join(d, "%s-%d" % (name, i)), "wb") as f:
            f.write(r)


def main():
    out = sys.argv[1]
    for fam, fname in ((socket.AF_INET, "4"), (socket.AF_INET6, "6")):
        for proto, pname in ((socket.IPPROTO_TCP, "tcp"), (socket.IPPROTO_UDP, "udp")):
            # inet_diag_req_v2: family, protocol, ext, pad, states, then a zero sockid
            req = struct.pack("=BBBBI", fam, proto, 0, 0, 0xFFFFFFFF) + bytes(48)
            save(os.path.join(out, "sockdiag"), pname + fname,
                 dump(NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, req))
    ifa = struct.pack("=BBBBI", socket.AF_UNSPEC, 0, 0, 0, 0)
    save(os.path.join(out, "getaddr"), "getaddr", dump(socket.NETLINK_ROUTE, RTM_GETADDR, ifa))


main()
