/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xt_decode.h — the payloads of iptables (xt) targets and matches that iptables-nft stores in
 * nf_tables rules. */
#ifndef PS_XT_DECODE_H
#define PS_XT_DECODE_H

#include <stddef.h>

#include "../../model/ruleset.h"

/*
 * Decode the payload of an xt NAT target: "DNAT" revisions 0 (IPv4,
 * nf_nat_ipv4_multi_range_compat), 1 (nf_nat_range) and 2 (nf_nat_range2, what
 * iptables 1.8 and Docker write), "REDIRECT" revision 0 (IPv4: the compat range;
 * IPv6: nf_nat_range). `family` (4 or 6) is the rule's. Fills *out (ports in host
 * order). 0; -EOPNOTSUPP for another target or revision; -EINVAL when the payload
 * is shorter than its revision's layout or holds no usable range.
 */
int xt_nat_decode(const char *name, unsigned rev, unsigned family, const void *info, size_t len,
		  struct fw_nat *out);

/*
 * Decode the payload of an xt match into matches appended to r: "addrtype" rev 0
 * and 1 (destination type only), "conntrack" rev 1-3 and "state" (connection state
 * only), "tcp"/"udp" (port ranges), "rt" (IPv6 routing header), "icmp"/"icmp6" (as ICMP),
 * "multiport" rev 0/1 and "comment" (into r->comment). 0 when decoded (a comment adds no match);
 * -EOPNOTSUPP for other matches or for options of these that are not decoded (the caller then marks
 * the rule unknown); -EINVAL for a short payload; -ENOMEM.
 */
int xt_match_decode(const char *name, unsigned rev, unsigned family, const void *info, size_t len,
		    struct fw_rule *r);

#endif
