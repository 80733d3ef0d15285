/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft_expr.c — an nf_tables rule's expressions, read from its netlink attributes, into matches
 * and a verdict of the rule set model. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_NFTNL

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft_decode.h"
#include "xt_decode.h"

/* ---------------------------------------------------------------- values */

unsigned nft_family(unsigned nfproto)
{
	switch (nfproto) {
	case NFPROTO_IPV4:
		return FW_FAM_IP;
	case NFPROTO_IPV6:
		return FW_FAM_IP6;
	case NFPROTO_INET:
		return FW_FAM_INET;
	}
	return FW_FAM_OTHER;
}

void nft_verdict(struct fw_ruleset *rs, unsigned fam, const char *table, int32_t code,
		 const char *chain, struct fw_verdict *v)
{
	v->chain = -1;
	switch (code) {
	case NF_ACCEPT:
		v->kind = FW_V_ACCEPT;
		break;
	case NF_DROP:
		v->kind = FW_V_DROP;
		break;
	case NFT_CONTINUE:
		v->kind = FW_V_CONTINUE;
		break;
	case NFT_RETURN:
		v->kind = FW_V_RETURN;
		break;
	case NFT_JUMP:
	case NFT_GOTO:
		v->kind = code == NFT_JUMP ? FW_V_JUMP : FW_V_GOTO;
		v->chain = chain ? (int32_t)fw_chain_find(rs, fam, table, chain) : -1;
		break;
	default:
		v->kind = FW_V_UNKNOWN; /* queue, break, stolen */
	}
}

/* ---------------------------------------------------------------- rules: raw attributes */

/*
 * Rules are most of a dump (10,000 in a kube-proxy-sized rule set), so they are read
 * straight from their netlink attributes with libmnl rather than through libnftnl's
 * objects: about three times faster, and an attribute that does not validate makes
 * the rule unknown (or the message refused) instead of ending the process, which is
 * what libnftnl does. The accessors below follow the kernel's uapi (nf_tables.h):
 * integers in network order, values nested in NFTA_DATA_VALUE, verdicts in
 * NFTA_DATA_VERDICT.
 */
#define XE_MAX 16 /* above every NFTA_<expr>_ attribute decoded here */

struct xe {
	const char *name;
	const struct nlattr *tb[XE_MAX];
};

static bool xe_is_set(const struct xe *e, unsigned a)
{
	return a < XE_MAX && e->tb[a];
}

static uint32_t xe_u32(const struct xe *e, unsigned a)
{
	if (!xe_is_set(e, a) || mnl_attr_get_payload_len(e->tb[a]) < 4)
		return 0;
	return ntohl(mnl_attr_get_u32(e->tb[a]));
}

/* A NUL-terminated string attribute, or NULL. */
static const char *attr_str(const struct nlattr *at)
{
	if (!at)
		return NULL;
	const char *p = mnl_attr_get_payload(at);
	size_t n = mnl_attr_get_payload_len(at);
	return n && memchr(p, '\0', n) ? p : NULL;
}

static const char *xe_str(const struct xe *e, unsigned a)
{
	return xe_is_set(e, a) ? attr_str(e->tb[a]) : NULL;
}

static const void *xe_raw(const struct xe *e, unsigned a, uint32_t *len)
{
	*len = 0;
	if (!xe_is_set(e, a))
		return NULL;
	*len = mnl_attr_get_payload_len(e->tb[a]);
	return mnl_attr_get_payload(e->tb[a]);
}

/* The nested attribute of type `type` inside `at`, or NULL. */
static const struct nlattr *nested(const struct nlattr *at, unsigned type)
{
	const struct nlattr *x;
	if (!at)
		return NULL;
	mnl_attr_for_each_nested(x, at)
	{
		if (mnl_attr_get_type(x) == type)
			return x;
	}
	return NULL;
}

/* A data attribute's value (NFTA_DATA_VALUE inside it). */
static const void *xe_value(const struct xe *e, unsigned a, uint32_t *len)
{
	*len = 0;
	const struct nlattr *v = xe_is_set(e, a) ? nested(e->tb[a], NFTA_DATA_VALUE) : NULL;
	if (!v)
		return NULL;
	*len = mnl_attr_get_payload_len(v);
	return mnl_attr_get_payload(v);
}

/* A data attribute's verdict: code and jump target (NULL when none). False when it holds none. */
static bool xe_verdict(const struct xe *e, unsigned a, int32_t *code, const char **chain)
{
	const struct nlattr *v = xe_is_set(e, a) ? nested(e->tb[a], NFTA_DATA_VERDICT) : NULL;
	const struct nlattr *c = nested(v, NFTA_VERDICT_CODE);
	if (!c || mnl_attr_get_payload_len(c) < 4)
		return false;
	*code = (int32_t)ntohl(mnl_attr_get_u32(c));
	*chain = attr_str(nested(v, NFTA_VERDICT_CHAIN));
	return true;
}

/* ---------------------------------------------------------------- rules: a tiny register machine
 */

enum { R_NONE = 0, R_FIELD, R_UNKNOWN, R_IMM, R_MERGED };

/* One field of a load that spans several (R_MERGED): nft merges adjacent compares into one. */
struct part {
	uint8_t field, at, len; /* at: its first byte in the register */
};

struct reg {
	uint8_t kind;
	uint8_t field; /* R_FIELD */
	uint8_t flen;  /* the field's full width */
	uint8_t off;   /* first byte of the field loaded */
	uint8_t len;   /* bytes loaded */
	bool host; /* a host-order integer (meta iif, ct state, fib): compared values are converted
		    */
	bool has_mask;
	uint8_t mask[FW_KEY_MAX]; /* big-endian, len bytes */
	uint8_t data[FW_KEY_MAX]; /* R_IMM */
	char what[40];		  /* R_UNKNOWN: what was loaded */
	struct part parts[3];	  /* R_MERGED: the fields, in order; len is their total */
	uint8_t nparts;
};

struct rstate {
	struct fw_ruleset *rs;
	struct fw_rule *r;
	unsigned fam; /* table family */
	unsigned l3;  /* 4 or 6 once known (table family, or a meta nfproto match) */
	const char *table;
	struct reg regs[16];
	uint8_t *
	    swapped; /* per set: keys turned to big-endian for a host-order field (see do_lookup) */
	int err;     /* -ENOMEM */
};

/* Registers 1-4 (16 bytes) and 8-23 (4 bytes) name the same storage in 4-byte slots. */
static struct reg *reg_at(struct rstate *st, uint32_t r)
{
	if (r >= NFT_REG_1 && r <= NFT_REG_4)
		return &st->regs[(r - NFT_REG_1) * 4];
	if (r >= NFT_REG32_00 && r <= NFT_REG32_15)
		return &st->regs[r - NFT_REG32_00];
	return NULL;
}

/* Record the first expression of the rule that could not be decoded. */
__attribute__((format(printf, 2, 3))) static void unknown(struct rstate *st, const char *fmt, ...)
{
	if (st->r->unknown)
		return;
	char text[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (!(st->r->unknown = strdup(text)))
		st->err = -ENOMEM;
}

static void set_field(struct reg *g, unsigned field, unsigned flen, unsigned off, unsigned len,
		      bool host)
{
	memset(g, 0, sizeof *g);
	g->kind = R_FIELD;
	g->field = (uint8_t)field;
	g->flen = (uint8_t)flen;
	g->off = (uint8_t)off;
	g->len = (uint8_t)len;
	g->host = host;
}

/* Register g holds something not decoded: `what` and the number n name it. */
static void set_unknown(struct reg *g, const char *what, unsigned n)
{
	memset(g, 0, sizeof *g);
	g->kind = R_UNKNOWN;
	snprintf(g->what, sizeof g->what, "%s %u", what, n);
}

static void load_meta(struct rstate *st, const struct xe *e)
{
	struct reg *g = reg_at(st, xe_u32(e, NFTA_META_DREG));
	uint32_t key = xe_u32(e, NFTA_META_KEY);
	if (!g)
		return; /* a "meta set": changes marks, not whether the rule matches */
	switch (key) {
	case NFT_META_IIF:
		set_field(g, FW_F_IIF, 4, 0, 4, true);
		break;
	case NFT_META_IIFNAME:
		set_field(g, FW_F_IIFNAME, 16, 0, 16, false);
		break;
	case NFT_META_OIF:
		set_field(g, FW_F_OIF, 4, 0, 4, true);
		break;
	case NFT_META_OIFNAME:
		set_field(g, FW_F_OIFNAME, 16, 0, 16, false);
		break;
	case NFT_META_L4PROTO:
		set_field(g, FW_F_L4PROTO, 1, 0, 1, false);
		break;
	case NFT_META_NFPROTO:
		set_field(g, FW_F_NFPROTO, 1, 0, 1, false);
		break;
	default: {
		static const char *const names[] = {"meta length",   "meta protocol",
						    "meta priority", "meta mark",
						    "iif",	     "oif",
						    "iifname",	     "oifname",
						    "iiftype",	     "oiftype",
						    "meta skuid",    "meta skgid",
						    "meta nftrace",  "meta rtclassid",
						    "meta secmark",  "meta nfproto",
						    "meta l4proto",  "meta ibrname",
						    "meta obrname",  "meta pkttype",
						    "meta cpu",	     "meta iifgroup",
						    "meta oifgroup", "meta cgroup",
						    "meta random"};
		if (key < sizeof names / sizeof *names) {
			memset(g, 0, sizeof *g);
			g->kind = R_UNKNOWN;
			snprintf(g->what, sizeof g->what, "%s", names[key]);
		} else {
			set_unknown(g, "meta key", key);
		}
	}
	}
}

/* The header fields a merged load may span: offset, width and field, in header order. */
static const struct hfield {
	uint8_t off, len, field;
} transport_fields[] = {{0, 2, FW_F_SPORT}, {2, 2, FW_F_DPORT}},
  ip4_fields[] = {{12, 4, FW_F_SADDR}, {16, 4, FW_F_DADDR}},
  ip6_fields[] = {{8, 16, FW_F_SADDR}, {24, 16, FW_F_DADDR}};

/*
 * A load of whole adjacent fields into g as R_MERGED: nft merges "udp sport 67 udp
 * dport 68" into one 4-byte load at transport offset 0 and one compare. false when
 * the load is not exactly such a run of fields (and at most FW_KEY_MAX bytes).
 */
static bool merged_load(struct reg *g, uint32_t base, unsigned l3, uint32_t off, uint32_t len)
{
	const struct hfield *f = base == NFT_PAYLOAD_TRANSPORT_HEADER ? transport_fields
				 : base != NFT_PAYLOAD_NETWORK_HEADER ? NULL
				 : l3 == 4			      ? ip4_fields
				 : l3 == 6			      ? ip6_fields
								      : NULL;
	if (!f || len > FW_KEY_MAX)
		return false;
	struct reg r = {.kind = R_MERGED, .len = (uint8_t)len};
	uint32_t at = off;
	for (size_t i = 0; i < 2 && at < off + len; i++) {
		if (f[i].off != at || r.nparts >= 3)
			continue; /* a run starts at a field's first byte */
		r.parts[r.nparts++] = (struct part){f[i].field, (uint8_t)(at - off), f[i].len};
		at += f[i].len;
	}
	if (at != off + len || r.nparts < 2)
		return false;
	*g = r;
	return true;
}

static void load_payload(struct rstate *st, const struct xe *e)
{
	struct reg *g = reg_at(st, xe_u32(e, NFTA_PAYLOAD_DREG));
	if (!g)
		return; /* payload mangling: not a match */
	uint32_t base = xe_u32(e, NFTA_PAYLOAD_BASE);
	uint32_t off = xe_u32(e, NFTA_PAYLOAD_OFFSET), len = xe_u32(e, NFTA_PAYLOAD_LEN);
	if (base == NFT_PAYLOAD_NETWORK_HEADER && st->l3 == 4) {
		if (off >= 12 && off + len <= 16)
			return set_field(g, FW_F_SADDR, 4, off - 12, len, false);
		if (off >= 16 && off + len <= 20)
			return set_field(g, FW_F_DADDR, 4, off - 16, len, false);
		if (off == 9 && len == 1)
			return set_field(g, FW_F_L4PROTO, 1, 0, 1, false);
	} else if (base == NFT_PAYLOAD_NETWORK_HEADER && st->l3 == 6) {
		if (off >= 8 && off + len <= 24)
			return set_field(g, FW_F_SADDR, 16, off - 8, len, false);
		if (off >= 24 && off + len <= 40)
			return set_field(g, FW_F_DADDR, 16, off - 24, len, false);
		if (off == 6 && len == 1)
			return set_field(g, FW_F_L4PROTO, 1, 0, 1, false);
	} else if (base == NFT_PAYLOAD_TRANSPORT_HEADER && len == 2 && (off == 0 || off == 2)) {
		return set_field(g, off ? FW_F_DPORT : FW_F_SPORT, 2, 0, 2, false);
	}
	if (merged_load(g, base, st->l3, off, len))
		return;
	set_unknown(g,
		    base == NFT_PAYLOAD_NETWORK_HEADER	   ? "network header at offset"
		    : base == NFT_PAYLOAD_TRANSPORT_HEADER ? "transport header at offset"
							   : "packet data at offset",
		    off);
}

static void load_other(struct rstate *st, const struct xe *e, const char *name)
{
	if (!strcmp(name, "ct")) {
		struct reg *g = reg_at(st, xe_u32(e, NFTA_CT_DREG));
		uint32_t key = xe_u32(e, NFTA_CT_KEY);
		if (!xe_is_set(e, NFTA_CT_DREG) || !g)
			return; /* "ct set ...": a statement */
		if (key == NFT_CT_STATE)
			set_field(g, FW_F_CTSTATE, 4, 0, 4, true);
		else if (key == NFT_CT_STATUS)
			set_field(g, FW_F_CTSTATUS, 4, 0, 4, true);
		else
			set_unknown(g, "ct key", key);
		return;
	}
	/* fib */
	struct reg *g = reg_at(st, xe_u32(e, NFTA_FIB_DREG));
	if (!g)
		return;
	uint32_t result = xe_u32(e, NFTA_FIB_RESULT), flags = xe_u32(e, NFTA_FIB_FLAGS);
	if (result == NFT_FIB_RESULT_ADDRTYPE && flags == NFTA_FIB_F_DADDR)
		set_field(g, FW_F_FIB_DADDR_TYPE, 4, 0, 4, true);
	else if (result == NFT_FIB_RESULT_OIF && (flags & NFTA_FIB_F_SADDR) &&
		 (flags & NFTA_FIB_F_IIF) &&
		 !(flags &
		   ~(NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF | NFTA_FIB_F_MARK | NFTA_FIB_F_PRESENT)))
		/* the reverse-path filter ("fib saddr . iif oif missing drop"); with F_PRESENT the
		 * register holds 1 or 0, else the interface index: non-zero when the check passes
		 */
		set_field(g, FW_F_RPFILTER, 4, 0, 4, true);
	else
		set_unknown(g, "fib with flags", flags);
}

/* Big-endian copy of a compared value: host-order integers are converted. */
static void value_be(const struct reg *g, const void *data, uint32_t len, uint8_t *out)
{
	memset(out, 0, FW_KEY_MAX);
	memcpy(out, data, len > FW_KEY_MAX ? FW_KEY_MAX : len);
	if (g->host && len == 4) {
		uint32_t v;
		memcpy(&v, data, 4);
		out[0] = (uint8_t)(v >> 24);
		out[1] = (uint8_t)(v >> 16);
		out[2] = (uint8_t)(v >> 8);
		out[3] = (uint8_t)v;
	}
}

/* Whether the first len bytes of m are ones then zeros. */
static bool prefix_mask(const uint8_t *m, unsigned len)
{
	bool zeros = false;
	for (unsigned i = 0; i < len; i++)
		for (int b = 7; b >= 0; b--) {
			bool one = m[i] >> b & 1;
			if (one && zeros)
				return false;
			zeros |= !one;
		}
	return true;
}

/* The usable register behind a comparison, or NULL after marking the rule unknown. */
static const struct reg *operand(struct rstate *st, uint32_t r, const char *how)
{
	const struct reg *g = reg_at(st, r);
	if (!g || g->kind == R_NONE) {
		unknown(st, "%s on an unloaded register %u", how, r);
		return NULL;
	}
	if (g->kind == R_UNKNOWN) {
		unknown(st, "%s on %s", how, g->what);
		return NULL;
	}
	if (g->kind == R_MERGED) {
		unknown(st, "%s over several header fields at once", how);
		return NULL;
	}
	if (g->kind != R_FIELD || g->off) {
		unknown(st, "%s on part of a field (offset %u)", how, g->off);
		return NULL;
	}
	return g;
}

/*
 * A comparison of register g with [lo, hi] (g->len bytes, big-endian) as a new
 * match; partial loads of an address (a prefix) are widened to the whole field.
 */
static struct fw_match *range_match(struct rstate *st, const struct reg *g, const uint8_t *lo,
				    const uint8_t *hi, bool negate)
{
	struct fw_match *m = fw_match_add(st->r, g->field, g->flen);
	if (!m) {
		st->err = -ENOMEM;
		return NULL;
	}
	m->negate = negate;
	uint8_t l[FW_KEY_MAX] = {0}, h[FW_KEY_MAX];
	memset(h, 0xFF, sizeof h);
	memcpy(l, lo, g->len);
	memcpy(h, hi, g->len);
	if (fw_match_range(m, l, h))
		st->err = -ENOMEM;
	return m;
}

/*
 * A comparison over a merged load: equality of the whole is equality of each field
 * (anything else, "!=" of the whole, is a condition over several fields at once).
 */
static void merged_cmp(struct rstate *st, const struct reg *g, const struct xe *e)
{
	uint32_t len = 0, op = xe_u32(e, NFTA_CMP_OP);
	const uint8_t *data = xe_value(e, NFTA_CMP_DATA, &len);
	if (!data || len != g->len || op != NFT_CMP_EQ) {
		unknown(st, "a comparison over %s and %s at once (op %u)",
			fw_field_name(g->parts[0].field), fw_field_name(g->parts[1].field), op);
		return;
	}
	for (unsigned i = 0; i < g->nparts && !st->err; i++) {
		struct reg one;
		set_field(&one, g->parts[i].field, g->parts[i].len, 0, g->parts[i].len, false);
		range_match(st, &one, data + g->parts[i].at, data + g->parts[i].at, false);
	}
}

static void do_cmp(struct rstate *st, const struct xe *e)
{
	const struct reg *mg = reg_at(st, xe_u32(e, NFTA_CMP_SREG));
	if (mg && mg->kind == R_MERGED)
		return merged_cmp(st, mg, e);
	const struct reg *g = operand(st, xe_u32(e, NFTA_CMP_SREG), "a comparison");
	if (!g)
		return;
	uint32_t len = 0, op = xe_u32(e, NFTA_CMP_OP);
	const void *data = xe_value(e, NFTA_CMP_DATA, &len);
	struct reg shorter;
	if (data && (g->field == FW_F_IIFNAME || g->field == FW_F_OIFNAME) && len && len < g->len &&
	    !g->has_mask && (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
		/* Interface names are compared up to their NUL ("eth0\0"), or as a prefix ("eth*").
		 */
		shorter = *g;
		shorter.len = (uint8_t)len;
		g = &shorter;
	}
	if (!data || len != g->len || len > FW_KEY_MAX) {
		unknown(st, "a comparison of %s with a value of %u bytes", fw_field_name(g->field),
			len);
		return;
	}
	uint8_t v[FW_KEY_MAX], lo[FW_KEY_MAX] = {0}, hi[FW_KEY_MAX];
	value_be(g, data, len, v);
	memset(hi, 0xFF, sizeof hi);
	if (g->has_mask) {
		bool zero = true;
		for (unsigned i = 0; i < len; i++)
			zero &= !v[i];
		if ((op == NFT_CMP_EQ || op == NFT_CMP_NEQ) && g->len == g->flen &&
		    !(prefix_mask(g->mask, len) && !zero)) {
			/* Bit tests (ct state): "& mask != 0", or "& mask == value". */
			struct fw_match *m = fw_match_add(st->r, g->field, g->flen);
			if (!m) {
				st->err = -ENOMEM;
				return;
			}
			m->has_mask = true;
			memcpy(m->mask, g->mask, len);
			if (zero) {
				m->negate = op == NFT_CMP_EQ;
			} else {
				m->negate = op == NFT_CMP_NEQ;
				if (fw_match_range(m, v, v))
					st->err = -ENOMEM;
			}
			return;
		}
		if ((op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || !prefix_mask(g->mask, len)) {
			unknown(st, "a masked comparison of %s (op %u)", fw_field_name(g->field),
				op);
			return;
		}
		/* A prefix: x & mask == v  <=>  x in [v, v | ~mask]. */
		for (unsigned i = 0; i < len; i++) {
			lo[i] = v[i] & g->mask[i];
			hi[i] = (uint8_t)(v[i] | (uint8_t)~g->mask[i]);
		}
		range_match(st, g, lo, hi, op == NFT_CMP_NEQ);
		return;
	}
	bool negate = false;
	switch (op) {
	case NFT_CMP_NEQ:
		negate = true;
		/* fall through */
	case NFT_CMP_EQ:
		memcpy(lo, v, len);
		memcpy(hi, v, len);
		break;
	case NFT_CMP_LT: /* x < v  <=>  not (x >= v) */
		negate = true;
		/* fall through */
	case NFT_CMP_GTE:
		memcpy(lo, v, len);
		break;
	case NFT_CMP_GT: /* x > v  <=>  not (x <= v) */
		negate = true;
		/* fall through */
	case NFT_CMP_LTE:
		memcpy(hi, v, len);
		break;
	default:
		unknown(st, "comparison operator %u", op);
		return;
	}
	if (g->host && (op != NFT_CMP_EQ && op != NFT_CMP_NEQ)) {
		unknown(st, "an ordered comparison of %s", fw_field_name(g->field));
		return;
	}
	range_match(st, g, lo, hi, negate);
}

static void do_range(struct rstate *st, const struct xe *e)
{
	const struct reg *g = operand(st, xe_u32(e, NFTA_RANGE_SREG), "a range");
	if (!g)
		return;
	uint32_t l1 = 0, l2 = 0;
	const void *from = xe_value(e, NFTA_RANGE_FROM_DATA, &l1);
	const void *to = xe_value(e, NFTA_RANGE_TO_DATA, &l2);
	if (!from || !to || l1 != g->len || l2 != g->len || g->has_mask || g->host) {
		unknown(st, "a range over %s", fw_field_name(g->field));
		return;
	}
	uint8_t lo[FW_KEY_MAX], hi[FW_KEY_MAX];
	value_be(g, from, l1, lo);
	value_be(g, to, l2, hi);
	range_match(st, g, lo, hi, xe_u32(e, NFTA_RANGE_OP) == NFT_RANGE_NEQ);
}

static void do_lookup(struct rstate *st, const struct xe *e)
{
	const struct reg *g = operand(st, xe_u32(e, NFTA_LOOKUP_SREG), "a set lookup");
	if (!g)
		return;
	const char *name = xe_str(e, NFTA_LOOKUP_SET);
	long si = name ? fw_set_find(st->rs, st->fam, st->table, name) : -1;
	if (si < 0 || st->rs->sets[si].keylen != g->flen || (g->host && g->flen != 4)) {
		unknown(st, "a lookup in set %s (key of %u bytes)", name ? name : "?",
			si < 0 ? 0 : st->rs->sets[si].keylen);
		return;
	}
	if (g->host && !st->swapped[si]) {
		/* ct state, iif, fib types: the set holds them as the host stores integers, like
		 * the register; the model compares big-endian values. */
		struct fw_set *s = &st->rs->sets[si];
		for (size_t i = 0; s->keylen == 4 && i < s->nelems; i++) {
			uint8_t lo[FW_KEY_MAX], hi[FW_KEY_MAX];
			value_be(g, s->elems[i].key.lo, 4, lo);
			value_be(g, s->elems[i].key.hi, 4, hi);
			memcpy(s->elems[i].key.lo, lo, 4);
			memcpy(s->elems[i].key.hi, hi, 4);
		}
		st->swapped[si] = 1;
	}
	bool inv =
	    xe_is_set(e, NFTA_LOOKUP_FLAGS) && (xe_u32(e, NFTA_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV);
	struct fw_match *m;
	if (xe_is_set(e, NFTA_LOOKUP_DREG)) {
		uint32_t dreg = xe_u32(e, NFTA_LOOKUP_DREG);
		if (dreg != NFT_REG_VERDICT || !st->rs->sets[si].vmap) {
			unknown(st, "data looked up in map %s", name);
			struct reg *d = reg_at(st, dreg);
			if (d)
				set_unknown(d, "data of map", (unsigned)si);
			return;
		}
		m = &st->r->vmap;
		free(m->ranges);
		memset(m, 0, sizeof *m);
		m->field = g->field;
		m->len = g->flen;
		st->r->v.kind = FW_V_VMAP;
	} else {
		if (!(m = fw_match_add(st->r, g->field, g->flen))) {
			st->err = -ENOMEM;
			return;
		}
		m->negate = inv;
	}
	m->set = (int32_t)si;
	if (g->has_mask) {
		m->has_mask = true;
		memcpy(m->mask, g->mask, g->len);
	}
}

static void do_bitwise(struct rstate *st, const struct xe *e)
{
	const struct reg *src = reg_at(st, xe_u32(e, NFTA_BITWISE_SREG));
	struct reg *dst = reg_at(st, xe_u32(e, NFTA_BITWISE_DREG));
	if (!src || !dst)
		return;
	struct reg g = *src;
	uint32_t ml = 0, xl = 0;
	const uint8_t *mask = xe_value(e, NFTA_BITWISE_MASK, &ml);
	const uint8_t * xor = xe_value(e, NFTA_BITWISE_XOR, &xl);
	bool xor_zero = true;
	for (uint32_t i = 0; xor &&i < xl; i++)
		xor_zero &= !xor[i];
	if ((xe_is_set(e, NFTA_BITWISE_OP) && xe_u32(e, NFTA_BITWISE_OP) != 0) || !mask ||
	    ml != g.len || !xor_zero || g.kind != R_FIELD) {
		if (g.kind == R_UNKNOWN)
			*dst = g;
		else
			set_unknown(dst, "a bit operation on register",
				    xe_u32(e, NFTA_BITWISE_SREG));
		return;
	}
	uint8_t m[FW_KEY_MAX];
	value_be(&g, mask, ml, m);
	for (unsigned i = 0; i < g.len; i++)
		g.mask[i] = g.has_mask ? (uint8_t)(g.mask[i] & m[i]) : m[i];
	g.has_mask = true;
	*dst = g;
}

static void do_immediate(struct rstate *st, const struct xe *e)
{
	uint32_t dreg = xe_u32(e, NFTA_IMMEDIATE_DREG);
	if (dreg == NFT_REG_VERDICT) {
		int32_t code = 0;
		const char *chain = NULL;
		if (!xe_verdict(e, NFTA_IMMEDIATE_DATA, &code, &chain)) {
			st->r->v.kind = FW_V_UNKNOWN;
			return unknown(st, "an immediate verdict that does not validate");
		}
		nft_verdict(st->rs, st->fam, st->table, code, chain, &st->r->v);
		if ((st->r->v.kind == FW_V_JUMP || st->r->v.kind == FW_V_GOTO) &&
		    st->r->v.chain < 0)
			unknown(st, "a jump to chain %s, which the dump did not list",
				chain ? chain : "?");
		return;
	}
	struct reg *g = reg_at(st, dreg);
	uint32_t len = 0;
	const void *data = xe_value(e, NFTA_IMMEDIATE_DATA, &len);
	if (!g || !data || len > FW_KEY_MAX)
		return;
	memset(g, 0, sizeof *g);
	g->kind = R_IMM;
	g->len = (uint8_t)len;
	memcpy(g->data, data, len);
}

/* An immediate register's value as a NAT address or port; false when it is not one. */
static bool imm(struct rstate *st, const struct xe *e, uint16_t attr, unsigned len, uint8_t *out)
{
	if (!xe_is_set(e, attr))
		return false;
	const struct reg *g = reg_at(st, xe_u32(e, attr));
	if (!g || g->kind != R_IMM || g->len < len)
		return false;
	memcpy(out, g->data, len);
	return true;
}

static void do_nat(struct rstate *st, const struct xe *e, bool redirect)
{
	struct fw_nat *n = &st->r->nat;
	memset(n, 0, sizeof *n);
	uint8_t p[2];
	if (redirect) {
		st->r->v.kind = FW_V_REDIRECT;
		n->family = (uint8_t)st->l3;
		if (imm(st, e, NFTA_REDIR_REG_PROTO_MIN, 2, p)) {
			n->has_port = true;
			n->port_lo = n->port_hi = (uint16_t)(p[0] << 8 | p[1]);
			if (imm(st, e, NFTA_REDIR_REG_PROTO_MAX, 2, p))
				n->port_hi = (uint16_t)(p[0] << 8 | p[1]);
		} else if (xe_is_set(e, NFTA_REDIR_REG_PROTO_MIN)) {
			unknown(st, "a redirect to a port that is not a constant");
		}
		return;
	}
	if (xe_u32(e, NFTA_NAT_TYPE) != NFT_NAT_DNAT) {
		st->r->v.kind = FW_V_SNAT;
		return;
	}
	st->r->v.kind = FW_V_DNAT;
	n->family = xe_u32(e, NFTA_NAT_FAMILY) == NFPROTO_IPV6 ? 6 : 4;
	unsigned alen = n->family == 4 ? 4 : 16;
	if (imm(st, e, NFTA_NAT_REG_ADDR_MIN, alen, n->addr_lo)) {
		n->has_addr = true;
		if (!imm(st, e, NFTA_NAT_REG_ADDR_MAX, alen, n->addr_hi))
			memcpy(n->addr_hi, n->addr_lo, alen);
	} else if (xe_is_set(e, NFTA_NAT_REG_ADDR_MIN)) {
		unknown(st, "a dnat to an address that is not a constant (a map)");
	}
	if (imm(st, e, NFTA_NAT_REG_PROTO_MIN, 2, p)) {
		n->has_port = true;
		n->port_lo = n->port_hi = (uint16_t)(p[0] << 8 | p[1]);
		if (imm(st, e, NFTA_NAT_REG_PROTO_MAX, 2, p))
			n->port_hi = (uint16_t)(p[0] << 8 | p[1]);
	} else if (xe_is_set(e, NFTA_NAT_REG_PROTO_MIN)) {
		unknown(st, "a dnat to a port that is not a constant");
	}
}

/* xt targets that change nothing about where a connection goes, or whether it is let in. */
static bool harmless_target(const char *name)
{
	static const char *const names[] = {"LOG",	"NFLOG",    "MARK",  "CONNMARK", "TCPMSS",
					    "CT",	"CHECKSUM", "TRACE", "DSCP",	 "TOS",
					    "CLASSIFY", "ULOG",	    "AUDIT", "NOTRACK"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void do_target(struct rstate *st, const struct xe *e)
{
	const char *name = xe_str(e, NFTA_TARGET_NAME);
	unsigned rev = xe_u32(e, NFTA_TARGET_REV);
	uint32_t len = 0;
	const void *info = xe_raw(e, NFTA_TARGET_INFO, &len);
	if (!name)
		name = "?";
	if (!strcmp(name, "DNAT") || !strcmp(name, "REDIRECT")) {
		int rc = xt_nat_decode(name, rev, st->l3 ? st->l3 : 4, info, len, &st->r->nat);
		if (rc) {
			st->r->v.kind = FW_V_UNKNOWN;
			unknown(st, "xt target %s revision %u", name, rev);
		} else {
			st->r->v.kind = name[0] == 'D' ? FW_V_DNAT : FW_V_REDIRECT;
		}
	} else if (!strcmp(name, "REJECT")) {
		st->r->v.kind = FW_V_REJECT;
	} else if (!strcmp(name, "MASQUERADE") || !strcmp(name, "SNAT")) {
		st->r->v.kind = FW_V_SNAT;
	} else if (!harmless_target(name)) {
		st->r->v.kind = FW_V_UNKNOWN;
		unknown(st, "xt target %s revision %u", name, rev);
	}
}

static void do_match(struct rstate *st, const struct xe *e)
{
	const char *name = xe_str(e, NFTA_MATCH_NAME);
	unsigned rev = xe_u32(e, NFTA_MATCH_REV);
	uint32_t len = 0;
	const void *info = xe_raw(e, NFTA_MATCH_INFO, &len);
	int rc = xt_match_decode(name ? name : "?", rev, st->l3, info, len, st->r);
	if (rc == -ENOMEM)
		st->err = rc;
	else if (rc)
		unknown(st, "xt match %s revision %u", name ? name : "?", rev);
}

static void decode_expr(struct rstate *st, const struct xe *e)
{
	const char *name = e->name;
	if (!name)
		return unknown(st, "an expression without a name");
	/* the most frequent first: every iptables-nft rule has a counter and a verdict, most
	 * compare packet fields */
	if (!strcmp(name, "payload"))
		load_payload(st, e);
	else if (!strcmp(name, "cmp"))
		do_cmp(st, e);
	else if (!strcmp(name, "immediate"))
		do_immediate(st, e);
	else if (!strcmp(name, "counter") || !strcmp(name, "log") || !strcmp(name, "notrack"))
		; /* statements that decide nothing */
	else if (!strcmp(name, "meta"))
		load_meta(st, e);
	else if (!strcmp(name, "match"))
		do_match(st, e);
	else if (!strcmp(name, "target"))
		do_target(st, e);
	else if (!strcmp(name, "lookup"))
		do_lookup(st, e);
	else if (!strcmp(name, "bitwise"))
		do_bitwise(st, e);
	else if (!strcmp(name, "ct") || !strcmp(name, "fib"))
		load_other(st, e, name);
	else if (!strcmp(name, "range"))
		do_range(st, e);
	else if (!strcmp(name, "nat"))
		do_nat(st, e, false);
	else if (!strcmp(name, "redir"))
		do_nat(st, e, true);
	else if (!strcmp(name, "masq"))
		st->r->v.kind = FW_V_SNAT;
	else if (!strcmp(name, "reject"))
		st->r->v.kind = FW_V_REJECT;
	else if (!strcmp(name, "objref") && xe_u32(e, NFTA_OBJREF_IMM_TYPE) == NFT_OBJECT_COUNTER)
		; /* a named counter */
	else if (!strcmp(name, "dynset") && !xe_is_set(e, NFTA_DYNSET_EXPR) &&
		 !xe_is_set(e, NFTA_DYNSET_EXPRESSIONS))
		; /* adds to a set; lookups in that set are what decide */
	else if (!strcmp(name, "queue"))
		st->r->v.kind = FW_V_UNKNOWN, unknown(st, "expression %s", name);
	else
		unknown(st, "expression %s", name); /* limit, quota, connlimit, numgen, hash, ... */
}

/* The comment in the rule's user data (TLV type 0), as nft writes it. */
static int rule_comment(const struct nlattr *ud, struct fw_rule *r)
{
	uint32_t len = ud ? mnl_attr_get_payload_len(ud) : 0;
	const uint8_t *u = ud ? mnl_attr_get_payload(ud) : NULL;
	for (uint32_t at = 0; u && at + 2 <= len && !r->comment;) {
		uint8_t type = u[at], l = u[at + 1];
		if (at + 2 + l > len)
			break;
		if (type == 0 && l) {
			size_t n = strnlen((const char *)u + at + 2, l);
			if (!(r->comment = malloc(n + 1)))
				return -ENOMEM;
			memcpy(r->comment, u + at + 2, n);
			r->comment[n] = '\0';
		}
		at += 2u + l;
	}
	return 0;
}

static int attr_index_cb(const struct nlattr *at, void *data)
{
	const struct nlattr **tb = data;
	unsigned type = mnl_attr_get_type(at);
	if (type < XE_MAX)
		tb[type] = at;
	return MNL_CB_OK;
}

/* One expression (an NFTA_LIST_ELEM): its name and its attributes by type. -EBADMSG when malformed.
 */
static int expr_parse(const struct nlattr *elem, struct xe *e)
{
	const struct nlattr *top[NFTA_EXPR_MAX + 1] = {0};
	memset(e, 0, sizeof *e);
	if (mnl_attr_parse_nested(elem, attr_index_cb, top) < 0 ||
	    !(e->name = attr_str(top[NFTA_EXPR_NAME])))
		return -EBADMSG;
	if (top[NFTA_EXPR_DATA] &&
	    mnl_attr_parse_nested(top[NFTA_EXPR_DATA], attr_index_cb, e->tb) < 0)
		return -EBADMSG;
	return 0;
}

/* The chain a rule message names; *last is the previous rule's chain (a dump lists rules chain by
 * chain, so it is usually the same one), updated. */
static long rule_chain(const struct fw_ruleset *rs, unsigned fam, const char *table,
		       const char *chain, long *last)
{
	if (*last >= 0 && (size_t)*last < rs->nchains) {
		const struct fw_chain *c = &rs->chains[*last];
		if (c->family == fam && !strcmp(c->name, chain) && !strcmp(c->table, table))
			return *last;
	}
	long ci = fw_chain_find(rs, fam, table, chain);
	if (ci >= 0)
		*last = ci;
	return ci;
}

int nft_rule_decode(const struct nlmsghdr *nlh, struct fw_ruleset *rs, uint8_t *swapped,
		    long *last_chain)
{
	const struct nlattr *tb[XE_MAX] = {0};
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)) ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_index_cb, tb) < 0)
		return -EBADMSG;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const char *table = attr_str(tb[NFTA_RULE_TABLE]), *chain = attr_str(tb[NFTA_RULE_CHAIN]);
	if (!table || !chain)
		return -EBADMSG;
	unsigned fam = nft_family(g->nfgen_family);
	long ci = rule_chain(rs, fam, table, chain, last_chain);
	if (ci < 0)
		return 0; /* a chain added after the chains were dumped: the generation check
			     retries */
	/* Decoded into a rule of its own, then packed into the rule set: what it allocates
	 * while decoding is freed for the next rule to reuse. */
	struct fw_rule rule = {.v.chain = -1, .vmap.set = -1}, *r = &rule;
	if (tb[NFTA_RULE_HANDLE] && mnl_attr_get_payload_len(tb[NFTA_RULE_HANDLE]) >= 8)
		r->handle = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE]));
	struct rstate st = {.rs = rs,
			    .r = r,
			    .fam = fam,
			    .table = table,
			    .swapped = swapped,
			    .l3 = fam == FW_FAM_IP    ? 4
				  : fam == FW_FAM_IP6 ? 6
						      : 0};
	int rc = rule_comment(tb[NFTA_RULE_USERDATA], r);
	const struct nlattr *elem;
	if (!rc && tb[NFTA_RULE_EXPRESSIONS]) {
		mnl_attr_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS])
		{
			struct xe e;
			if (st.err)
				break;
			if (expr_parse(elem, &e)) {
				unknown(&st, "an expression that does not validate");
				r->v.kind = FW_V_UNKNOWN;
				break;
			}
			size_t before = r->nm;
			decode_expr(&st, &e);
			/* In inet tables, "meta nfproto ipv4" says how to read the network header.
			 */
			if (r->nm > before && r->m[r->nm - 1].field == FW_F_NFPROTO &&
			    !r->m[r->nm - 1].negate && r->m[r->nm - 1].nranges == 1)
				st.l3 = r->m[r->nm - 1].ranges[0].lo[0] == NFPROTO_IPV4	  ? 4
					: r->m[r->nm - 1].ranges[0].lo[0] == NFPROTO_IPV6 ? 6
											  : st.l3;
		}
	}
	if (!rc)
		rc = st.err;
	if (!rc)
		rc = fw_rule_pack(rs, &rs->chains[ci], r);
	fw_rule_free(r);
	return rc;
}

#endif
