/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xt_decode.c — decode xt target and match payloads by their documented uapi layouts. */
#include "xt_decode.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Offsets below are those of the uapi structures (linux/netfilter/nf_nat.h,
 * xt_conntrack.h, xt_addrtype.h, xt_multiport.h, xt_tcpudp.h); tests/unit builds
 * payloads with the real structures and checks these decoders against them.
 * Integers are in the host's order except addresses and NAT ports (network order).
 */
#define NAT_MAP_IPS 1u
#define NAT_PROTO_SPECIFIED 2u

static uint32_t host32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint16_t host16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* nf_nat_range / nf_nat_range2: flags, min_addr[16], max_addr[16], min_proto, max_proto(, base). */
static int nat_range(const uint8_t *b, size_t len, unsigned family, struct fw_nat *out)
{
	if (len < 40)
		return -EINVAL;
	uint32_t flags = host32(b);
	out->family = (uint8_t)family;
	out->has_addr = flags & NAT_MAP_IPS;
	if (out->has_addr) {
		memcpy(out->addr_lo, b + 4, family == 4 ? 4 : 16);
		memcpy(out->addr_hi, b + 20, family == 4 ? 4 : 16);
	}
	out->has_port = flags & NAT_PROTO_SPECIFIED;
	if (out->has_port) {
		out->port_lo = be16(b + 36);
		out->port_hi = be16(b + 38);
	}
	return 0;
}

/* nf_nat_ipv4_multi_range_compat: rangesize, then {flags, min_ip, max_ip, min, max}. */
static int nat_compat(const uint8_t *b, size_t len, struct fw_nat *out)
{
	if (len < 20)
		return -EINVAL;
	if (host32(b) != 1)
		return -EINVAL; /* iptables always writes exactly one range */
	uint32_t flags = host32(b + 4);
	out->family = 4;
	out->has_addr = flags & NAT_MAP_IPS;
	if (out->has_addr) {
		memcpy(out->addr_lo, b + 8, 4);
		memcpy(out->addr_hi, b + 12, 4);
	}
	out->has_port = flags & NAT_PROTO_SPECIFIED;
	if (out->has_port) {
		out->port_lo = be16(b + 16);
		out->port_hi = be16(b + 18);
	}
	return 0;
}

int xt_nat_decode(const char *name, unsigned rev, unsigned family, const void *info, size_t len,
		  struct fw_nat *out)
{
	memset(out, 0, sizeof *out);
	const uint8_t *b = info;
	if (!b)
		return -EINVAL;
	if (!strcmp(name, "DNAT")) {
		if (rev == 0)
			return family == 4 ? nat_compat(b, len, out) : -EOPNOTSUPP;
		if (rev == 1 || rev == 2) /* range2 only adds base_proto after the range */
			return nat_range(b, len < (rev == 2 ? 42u : 40u) ? 0 : len, family, out);
		return -EOPNOTSUPP;
	}
	if (!strcmp(name, "REDIRECT") && rev == 0) {
		int rc = family == 4 ? nat_compat(b, len, out) : nat_range(b, len, family, out);
		out->has_addr = false; /* redirect goes to the receiving interface's address */
		return rc;
	}
	return -EOPNOTSUPP;
}

/* Add a match on `field` with one range of 2-byte values [lo, hi] (host order). */
static int port_match(struct fw_rule *r, unsigned field, uint16_t lo, uint16_t hi, int negate)
{
	struct fw_match *m = fw_match_add(r, field, 2);
	if (!m)
		return -ENOMEM;
	m->negate = negate;
	uint8_t l[2] = {(uint8_t)(lo >> 8), (uint8_t)lo}, h[2] = {(uint8_t)(hi >> 8), (uint8_t)hi};
	return fw_match_range(m, l, h);
}

static int state_match(struct fw_rule *r, uint32_t mask, int negate)
{
	struct fw_match *m = fw_match_add(r, FW_F_CTSTATE, 4);
	if (!m)
		return -ENOMEM;
	m->has_mask = true;
	m->mask[0] = (uint8_t)(mask >> 24);
	m->mask[1] = (uint8_t)(mask >> 16);
	m->mask[2] = (uint8_t)(mask >> 8);
	m->mask[3] = (uint8_t)mask;
	m->negate = negate;
	return 0;
}

/* addrtype: a mask of (1 << RTN_type) bits for the destination; only RTN types up to 15 fit. */
static int addrtype_match(struct fw_rule *r, uint16_t src, uint16_t dst, int invert_dst, int iface)
{
	if (src || iface)
		return -EOPNOTSUPP; /* source type and --limit-iface-* need routing lookups we do
				       not model */
	if (!dst)
		return 0;
	struct fw_match *m = fw_match_add(r, FW_F_FIB_DADDR_TYPE, 4);
	if (!m)
		return -ENOMEM;
	m->negate = invert_dst;
	for (unsigned t = 0; t < 16; t++) {
		if (!(dst & (1u << t)))
			continue;
		uint8_t v[4] = {0, 0, 0, (uint8_t)t};
		if (fw_match_range(m, v, v))
			return -ENOMEM;
	}
	return 0;
}

static int multiport(struct fw_rule *r, const uint8_t *b, size_t len, unsigned rev)
{
	/* v0: flags u8, count u8, ports u16[15]; v1 adds pflags u8[15] (ranges) and invert u8. */
	size_t need = rev ? 2 + 30 + 15 + 1 : 2 + 30;
	if (len < need)
		return -EINVAL;
	unsigned flags = b[0], count = b[1];
	if (flags != 1 ||
	    count > 15) /* only --dports (XT_MULTIPORT_DESTINATION) is a property of the listener */
		return -EOPNOTSUPP;
	struct fw_match *m = fw_match_add(r, FW_F_DPORT, 2);
	if (!m)
		return -ENOMEM;
	m->negate = rev ? b[2 + 30 + 15] : 0;
	for (unsigned i = 0; i < count; i++) {
		uint16_t lo = host16(b + 2 + 2 * i), hi = lo;
		if (rev && b[2 + 30 + i] && i + 1 < count) { /* a range: this port and the next */
			hi = host16(b + 2 + 2 * (i + 1));
			i++;
		}
		uint8_t l[2] = {(uint8_t)(lo >> 8), (uint8_t)lo},
			h[2] = {(uint8_t)(hi >> 8), (uint8_t)hi};
		if (fw_match_range(m, l, h))
			return -ENOMEM;
	}
	return 0;
}

/*
 * ip6t_rt: rt_type u32, segsleft u32[2], hdrlen u32, flags u8 (1: the type is
 * compared), invflags u8 (1: the type's comparison is inverted), addresses. It only
 * ever matches a packet that carries a routing header, whatever else it says.
 */
static int rt_match(struct fw_rule *r, const uint8_t *b, size_t len)
{
	if (len < 18)
		return -EINVAL;
	struct fw_match *m = fw_match_add(r, FW_F_RTHDR_TYPE, 4);
	if (!m)
		return -ENOMEM;
	uint32_t t = host32(b);
	uint8_t lo[4] = {(uint8_t)(t >> 24), (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t};
	uint8_t hi[4] = {0xFF, 0xFF, 0xFF, 0xFF};
	m->negate = (b[16] & 1) && (b[17] & 1);
	return fw_match_range(m, lo, b[16] & 1 ? lo : hi);
}

/* conntrack rev 1: u8 state_mask at 150; rev 2/3: u16 at 150. Flags at 146, inverts at 148. */
static int conntrack(struct fw_rule *r, const uint8_t *b, size_t len, unsigned rev)
{
	size_t need = rev == 1 ? 152 : rev == 2 ? 154 : rev == 3 ? 162 : 0;
	if (!need)
		return -EOPNOTSUPP;
	if (len < need)
		return -EINVAL;
	uint16_t flags = host16(b + 146), inv = host16(b + 148);
	uint32_t mask = rev == 1 ? b[150] : host16(b + 150);
	if (flags != 1) /* only XT_CONNTRACK_STATE */
		return -EOPNOTSUPP;
	if (mask &
	    ~(FW_CT_INVALID | FW_CT_ESTABLISHED | FW_CT_RELATED | FW_CT_NEW | FW_CT_UNTRACKED))
		return -EOPNOTSUPP; /* the SNAT/DNAT pseudo-states */
	return state_match(r, mask, inv & 1);
}

int xt_match_decode(const char *name, unsigned rev, unsigned family, const void *info, size_t len,
		    struct fw_rule *r)
{
	const uint8_t *b = info;
	(void)family;
	if (!b)
		return -EINVAL;
	if (!strcmp(name, "comment")) {
		size_t n = strnlen((const char *)b, len);
		if (r->comment)
			return 0;
		r->comment = malloc(n + 1);
		if (!r->comment)
			return -ENOMEM;
		memcpy(r->comment, b, n);
		r->comment[n] = '\0';
		return 0;
	}
	if (!strcmp(name, "addrtype")) {
		if (len < 8)
			return -EINVAL;
		uint16_t src = host16(b), dst = host16(b + 2);
		if (rev == 0) { /* invert_source u32, invert_dest u32 */
			if (len < 12)
				return -EINVAL;
			return addrtype_match(r, src, dst, host32(b + 8) != 0, 0);
		}
		if (rev == 1) { /* flags: 1 invert source, 2 invert dest, 4/8 limit iface in/out */
			uint32_t f = host32(b + 4);
			return addrtype_match(r, src, dst, (f & 2) != 0, (f & 12) != 0);
		}
		return -EOPNOTSUPP;
	}
	if (!strcmp(name, "state") && rev == 0) {
		if (len < 4)
			return -EINVAL;
		return state_match(r, host32(b), 0);
	}
	if (!strcmp(name, "conntrack"))
		return conntrack(r, b, len, rev);
	if ((!strcmp(name, "tcp") || !strcmp(name, "udp")) && rev == 0) {
		bool tcp = name[0] == 't';
		if (len < (tcp ? 12u : 9u))
			return -EINVAL;
		uint8_t invflags = tcp ? b[11] : b[8];
		if (tcp && (b[8] || b[9])) /* --tcp-option, --tcp-flags/--syn */
			return -EOPNOTSUPP;
		uint16_t slo = host16(b), shi = host16(b + 2), dlo = host16(b + 4),
			 dhi = host16(b + 6);
		/* a source port is the client's choice: the judge weighs both outcomes */
		int rc = 0;
		if (slo != 0 || shi != 0xFFFF || (invflags & 1))
			rc = port_match(r, FW_F_SPORT, slo, shi, (invflags & 1) != 0);
		if (rc || (dlo == 0 && dhi == 0xFFFF && !(invflags & 2)))
			return rc;
		return port_match(r, FW_F_DPORT, dlo, dhi, (invflags & 2) != 0);
	}
	if ((!strcmp(name, "icmp") || !strcmp(name, "icmp6")) && rev == 0) {
		/* the ICMP type: iptables only takes it with -p icmp, so the packet is ICMP,
		 * never a connection to a TCP or UDP listener */
		uint8_t proto = name[4] ? 58 : 1;
		struct fw_match *m = fw_match_add(r, FW_F_L4PROTO, 1);
		return !m ? -ENOMEM : fw_match_range(m, &proto, &proto);
	}
	if (!strcmp(name, "rt") && rev == 0)
		return rt_match(r, b, len);
	if (!strcmp(name, "multiport") && rev <= 1)
		return multiport(r, b, len, rev);
	return -EOPNOTSUPP;
}
