/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft_decode.h — nf_tables netlink messages into the rule set model: what the decoder's parts share
 * (Linux backend only, with libnftnl). */
#ifndef PS_NFT_DECODE_H
#define PS_NFT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "../../model/ruleset.h"

/* Decoding state: the model being built and what rules need of it. */
struct nft_decoder {
	struct fw_ruleset *rs;
	uint8_t *swapped; /* per set: see do_lookup */
	size_t nswapped;
	long last_chain; /* the chain of the previous rule, -1 */
};

/* (nft_decode.c) One netlink message into d's model (chains, sets, elements, rules); other types
 * are skipped. 0, -EBADMSG or -ENOMEM. */
int nft_decoder_msg(struct nft_decoder *d, const struct nlmsghdr *nlh);

/* (nft_expr.c) The model's family (enum fw_family) of a netfilter family (NFPROTO_*). */
unsigned nft_family(unsigned nfproto);

/* (nft_expr.c) The verdict of a set element or an immediate into *v: kind and jump target
 * (a chain of table `table` in family `fam` of rs). */
void nft_verdict(struct fw_ruleset *rs, unsigned fam, const char *table, int32_t code,
		 const char *chain, struct fw_verdict *v);

/*
 * One NEWRULE message into its chain of rs (nft_expr.c): its expressions through a
 * small register machine into matches and a verdict, what is not decoded named in
 * fw_rule.unknown. swapped[] marks the sets whose keys were turned to big-endian;
 * *last_chain is the previous rule's chain. 0, -EBADMSG or -ENOMEM.
 */
int nft_rule_decode(const struct nlmsghdr *nlh, struct fw_ruleset *rs, uint8_t *swapped,
		    long *last_chain);

/*
 * Dump the caller's namespace's nf_tables objects over netlink (nft_nl.c) and decode
 * them into *rs, appending the raw replies to *raw unless it is NULL (nft_dump).
 * 0 or -errno as nft_dump.
 */
struct buf;
int nft_dump_decode(struct fw_ruleset *rs, struct buf *raw);

#endif
