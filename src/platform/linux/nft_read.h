/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft_read.h — nf_tables over netlink: dump the rule set raw, and decode raw dumps into the rule
 * model. */
#ifndef PS_NFT_READ_H
#define PS_NFT_READ_H

#include <stddef.h>

#include "../../model/ruleset.h"
#include "../../util/buf.h"

/*
 * Dump the caller's network namespace's nf_tables chains, sets, set elements and
 * rules, appending every reply datagram as the kernel sent it to *out (netlink
 * messages back to back: what tests/fixtures/nft/ *.nl hold). Retries while the
 * rule set's generation changes under the dump or the kernel marks a dump
 * interrupted (NLM_F_DUMP_INTR). 0; -EPERM without CAP_NET_ADMIN; -ENOSYS when
 * built without libnftnl/libmnl; -EAGAIN when it kept changing; -errno.
 */
int nft_dump(struct buf *out);

/*
 * Decode netlink messages buf[0..len) (as nft_dump writes them) into *rs.
 * Undecodable expressions are recorded in their rule (fw_rule.unknown); messages
 * of other types are skipped. 0; -EBADMSG for a malformed message; -ENOSYS without
 * libnftnl; -ENOMEM.
 */
int nft_decode(const void *buf, size_t len, struct fw_ruleset *rs);

#endif
