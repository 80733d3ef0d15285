/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft_decode.c — nf_tables chains, sets and set elements (libnftnl) into the rule set model, and
 * a stream of netlink messages decoded in order. */
#include "nft_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_NFTNL

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft_decode.h"

static int decode_chain(const struct nlmsghdr *nlh, struct fw_ruleset *rs)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	if (!c)
		return -ENOMEM;
	int rc = 0;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 || !nftnl_chain_is_set(c, NFTNL_CHAIN_NAME) ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_TABLE)) {
		rc = -EBADMSG;
		goto out;
	}
	unsigned fam = nft_family(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY));
	long i = fw_chain_add(rs, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE),
			      nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), fam);
	if (i < 0) {
		rc = (int)i;
		goto out;
	}
	struct fw_chain *fc = &rs->chains[i];
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		static const uint8_t hooks[] = {FW_HOOK_PREROUTING, FW_HOOK_INPUT, FW_HOOK_FORWARD,
						FW_HOOK_OUTPUT, FW_HOOK_POSTROUTING};
		uint32_t h = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
		fc->hook = fam != FW_FAM_OTHER && h < sizeof hooks ? hooks[h] : FW_HOOK_OTHER;
		fc->priority = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
			fc->policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP
					 ? FW_V_DROP
					 : FW_V_ACCEPT;
		const char *type = nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE)
				       ? nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE)
				       : "";
		fc->type = !strcmp(type, "filter")  ? FW_CT_FILTER
			   : !strcmp(type, "nat")   ? FW_CT_NAT
			   : !strcmp(type, "route") ? FW_CT_ROUTE
						    : FW_CT_OTHER;
	}
out:
	nftnl_chain_free(c);
	return rc;
}

static int decode_set(const struct nlmsghdr *nlh, struct fw_ruleset *rs)
{
	struct nftnl_set *s = nftnl_set_alloc();
	if (!s)
		return -ENOMEM;
	int rc = 0;
	if (nftnl_set_nlmsg_parse(nlh, s) < 0 || !nftnl_set_is_set(s, NFTNL_SET_NAME) ||
	    !nftnl_set_is_set(s, NFTNL_SET_TABLE)) {
		rc = -EBADMSG;
		goto out;
	}
	uint32_t keylen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	long i = fw_set_add(rs, nftnl_set_get_str(s, NFTNL_SET_TABLE),
			    nftnl_set_get_str(s, NFTNL_SET_NAME),
			    nft_family(nftnl_set_get_u32(s, NFTNL_SET_FAMILY)),
			    keylen <= FW_KEY_MAX ? keylen : 0xFF /* never a field's width */);
	if (i < 0) {
		rc = (int)i;
		goto out;
	}
	uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	if (flags & (NFT_SET_MAP | NFT_SET_OBJECT)) {
		if ((flags & NFT_SET_MAP) &&
		    nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE) == NFT_DATA_VERDICT)
			rs->sets[i].vmap = true;
		else
			rs->sets[i].map = true;
	}
out:
	nftnl_set_free(s);
	return rc;
}

struct ekey {
	uint8_t key[FW_KEY_MAX];
	bool end;	  /* an interval's end marker (the first key after it) */
	bool has_key_end; /* NFTA_SET_ELEM_KEY_END: the inclusive last key */
	uint8_t key_end[FW_KEY_MAX];
	struct fw_verdict v;
};

static int ekey_cmp(const void *a, const void *b)
{
	const struct ekey *x = a, *y = b;
	int c = memcmp(x->key, y->key, FW_KEY_MAX);
	return c ? c : (int)y->end - (int)x->end; /* at one key, an end precedes a start */
}

/* Turn the elements of one GETSETELEM reply into ranges of set si. */
static int decode_elems(const struct nlmsghdr *nlh, struct fw_ruleset *rs)
{
	struct nftnl_set *s = nftnl_set_alloc();
	if (!s)
		return -ENOMEM;
	int rc = 0;
	struct ekey *k = NULL;
	size_t n = 0;
	struct nftnl_set_elems_iter *it = NULL;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		rc = -EBADMSG;
		goto out;
	}
	unsigned fam = nft_family(nftnl_set_get_u32(s, NFTNL_SET_FAMILY));
	const char *table = nftnl_set_get_str(s, NFTNL_SET_TABLE),
		   *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	long si = table && name ? fw_set_find(rs, fam, table, name) : -1;
	if (si < 0)
		goto out; /* elements of a set the dump did not list: nothing refers to it */
	struct fw_set *fs = &rs->sets[si];
	if (!(it = nftnl_set_elems_iter_create(s))) {
		rc = -ENOMEM;
		goto out;
	}
	for (struct nftnl_set_elem *e = nftnl_set_elems_iter_next(it); e;
	     e = nftnl_set_elems_iter_next(it)) {
		struct ekey *nk = realloc(k, (n + 1) * sizeof *nk);
		if (!nk) {
			rc = -ENOMEM;
			goto out;
		}
		k = nk;
		struct ekey *x = &k[n];
		memset(x, 0, sizeof *x);
		uint32_t klen = 0;
		const void *kd = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
		if (!kd || klen != fs->keylen)
			continue; /* concatenations and odd keys: lookups through this set are
				     unknown anyway */
		memcpy(x->key, kd, klen);
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END)) {
			const void *ke = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &klen);
			if (ke && klen == fs->keylen) {
				memcpy(x->key_end, ke, klen);
				x->has_key_end = true;
			}
		}
		x->end =
		    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
		    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END);
		x->v.chain = -1;
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT))
			nft_verdict(rs, fam, table,
				    (int32_t)nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT),
				    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN)
					? nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN)
					: NULL,
				    &x->v);
		n++;
	}
	if (n > 1)
		qsort(k, n, sizeof *k, ekey_cmp);
	bool interval = false;
	for (size_t i = 0; i < n; i++)
		interval |= k[i].end;
	for (size_t i = 0; i < n; i++) {
		if (k[i].end)
			continue;
		struct fw_elem *fe = fw_elem_add(fs);
		if (!fe) {
			rc = -ENOMEM;
			goto out;
		}
		fe->v = k[i].v;
		memcpy(fe->key.lo, k[i].key, fs->keylen);
		if (k[i].has_key_end) {
			memcpy(fe->key.hi, k[i].key_end, fs->keylen);
		} else if (interval) {
			/* rbtree interval sets: the range runs up to the next end marker,
			 * exclusive. */
			memset(fe->key.hi, 0xFF, fs->keylen);
			if (i + 1 < n && k[i + 1].end) {
				memcpy(fe->key.hi, k[i + 1].key, fs->keylen);
				for (unsigned b = fs->keylen; b-- > 0;)
					if (fe->key.hi[b]--)
						break;
			}
		} else {
			memcpy(fe->key.hi, k[i].key, fs->keylen);
		}
	}
out:
	if (it)
		nftnl_set_elems_iter_destroy(it);
	free(k);
	nftnl_set_free(s);
	return rc;
}

/* Before elements and rules: index the chains for jumps, size the per-set state. */
static int decoder_prepare(struct nft_decoder *d)
{
	struct fw_ruleset *rs = d->rs;
	if ((!rs->chain_slots || rs->indexed != rs->nchains) && fw_ruleset_index(rs))
		return -ENOMEM;
	if (d->nswapped < rs->nsets) {
		uint8_t *ns = realloc(d->swapped, rs->nsets);
		if (!ns)
			return -ENOMEM;
		memset(ns + d->nswapped, 0, rs->nsets - d->nswapped);
		d->swapped = ns;
		d->nswapped = rs->nsets;
	}
	return 0;
}

int nft_decoder_msg(struct nft_decoder *d, const struct nlmsghdr *nlh)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0;
	int rc = 0;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWCHAIN:
		return decode_chain(nlh, d->rs);
	case NFT_MSG_NEWSET:
		return decode_set(nlh, d->rs);
	case NFT_MSG_NEWSETELEM:
		return (rc = decoder_prepare(d)) ? rc : decode_elems(nlh, d->rs);
	case NFT_MSG_NEWRULE:
		return (rc = decoder_prepare(d))
			   ? rc
			   : nft_rule_decode(nlh, d->rs, d->swapped, &d->last_chain);
	}
	return 0;
}

int nft_decode(const void *buf, size_t len, struct fw_ruleset *rs)
{
	struct nft_decoder d = {.rs = rs, .last_chain = -1};
	int rc = 0;
	/* Three passes, so that rules find every chain and set whatever the order of the messages
	 * (a live dump needs one: it asks for chains, sets, elements and rules in that order). */
	static const unsigned pass_of[] = {[NFT_MSG_NEWCHAIN] = 1,
					   [NFT_MSG_NEWSET] = 1,
					   [NFT_MSG_NEWSETELEM] = 2,
					   [NFT_MSG_NEWRULE] = 3};
	for (unsigned pass = 1; pass <= 3 && !rc; pass++) {
		const struct nlmsghdr *nlh = buf;
		int rest = len > (size_t)0x7FFFFFFF ? 0x7FFFFFFF : (int)len;
		for (; !rc && mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
			unsigned type = NFNL_MSG_TYPE(nlh->nlmsg_type);
			if (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
			    type < sizeof pass_of / sizeof *pass_of && pass_of[type] == pass)
				rc = nft_decoder_msg(&d, nlh);
		}
		if (!rc && rest != 0)
			rc = -EBADMSG; /* a message cut short */
	}
	free(d.swapped);
	return rc;
}

#else /* !HAVE_NFTNL */

int nft_decode(const void *buf, size_t len, struct fw_ruleset *rs)
{
	(void)buf;
	(void)len;
	(void)rs;
	return -ENOSYS;
}

#endif
