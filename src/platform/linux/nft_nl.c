/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft_nl.c — dump the nf_tables rule set over netlink (libmnl), decoding each reply as it comes,
 * retried while the rule set changes under the dump. */
#include "nft_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_NFTNL

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "../../util/grow.h"
#include "nft_decode.h"
#include "nldump.h"

#define RECV_SIZE (64 * 1024) /* the kernel fills replies up to 32 KiB; leave room */

/*
 * A dump is decoded datagram by datagram as the kernel sends it, into a receive
 * buffer that is reused: the 10,000 rules of a kube-proxy-sized rule set are
 * 3.6 MB of netlink, and collecting them first cost more (fresh pages, copies as
 * the buffer grew, and a second walk over memory that had left the cache) than
 * decoding them.
 */
struct dumper {
	struct mnl_socket *nl;
	unsigned portid;
	uint32_t seq;
	char *rbuf;
	struct nft_decoder dec;
	struct buf *raw;      /* nft_dump: every datagram, as received */
	uint8_t *set_nfproto; /* per set: its family as the kernel numbers it */
	size_t set_cap;
	int rc; /* what stopped the decoding */
};

static int stream_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dumper *d = data;
	size_t sets = d->dec.rs->nsets;
	d->rc = nft_decoder_msg(&d->dec, nlh);
	if (!d->rc && d->dec.rs->nsets > sets) {
		if (util_grow((void **)&d->set_nfproto, &d->set_cap, d->dec.rs->nsets, 1))
			d->rc = -ENOMEM;
		else
			d->set_nfproto[sets] =
			    ((const struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family;
	}
	return d->rc ? MNL_CB_ERROR : MNL_CB_OK;
}

/*
 * Send the request nlh (built in d->rbuf) and decode every reply. -EAGAIN when the
 * kernel marked the dump interrupted (NLM_F_DUMP_INTR): read to its end all the same,
 * so that the next request finds no leftover reply.
 */
static int dump_one(struct dumper *d, struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	uint32_t seq = nlh->nlmsg_seq;
	bool intr = false;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(d->nl, d->rbuf, RECV_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		intr |= nl_take_dump_intr(d->rbuf, (size_t)n);
		if (d->raw && buf_append(d->raw, d->rbuf, (size_t)n))
			return -ENOMEM;
		errno = 0;
		d->rc = 0;
		int rc = mnl_cb_run(d->rbuf, (size_t)n, seq, d->portid, stream_cb, d);
		if (rc < 0)
			return d->rc ? d->rc : errno ? -errno : -EBADMSG;
		if (rc == MNL_CB_STOP)
			return intr ? -EAGAIN : 0;
	}
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();
	if (!g)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, g) == 0)
		*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

/* The rule set's generation id: it changes with every committed change. */
static int generation(struct dumper *d, uint32_t *gen)
{
	struct nlmsghdr *nlh =
	    nftnl_nlmsg_build_hdr(d->rbuf, NFT_MSG_GETGEN, AF_UNSPEC, 0, ++d->seq);
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ssize_t n = mnl_socket_recvfrom(d->nl, d->rbuf, RECV_SIZE);
	if (n < 0)
		return -errno;
	if (mnl_cb_run(d->rbuf, (size_t)n, d->seq, d->portid, gen_cb, gen) < 0)
		return errno ? -errno : -EBADMSG;
	return 0;
}

/* One GETSETELEM per set decoded from index `from` on (sets are listed before their elements). */
static int dump_elems(struct dumper *d, size_t from)
{
	size_t to = d->dec.rs->nsets; /* the elements' replies add no sets */
	for (size_t i = from; i < to; i++) {
		const struct fw_set *s = &d->dec.rs->sets[i];
		struct nlmsghdr *req = nftnl_nlmsg_build_hdr(
		    d->rbuf, NFT_MSG_GETSETELEM, d->set_nfproto[i], NLM_F_DUMP, ++d->seq);
		mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_TABLE, s->table);
		mnl_attr_put_strz(req, NFTA_SET_ELEM_LIST_SET, s->name);
		int rc = dump_one(d, req);
		if (rc && rc != -ENOENT) /* gone meanwhile: the generation check retries */
			return rc;
	}
	return 0;
}

static int dump_all(struct dumper *d)
{
	static const uint16_t types[] = {NFT_MSG_GETCHAIN, NFT_MSG_GETSET, NFT_MSG_GETRULE};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		size_t sets = d->dec.rs->nsets;
		struct nlmsghdr *nlh =
		    nftnl_nlmsg_build_hdr(d->rbuf, types[i], AF_UNSPEC, NLM_F_DUMP, ++d->seq);
		int rc = dump_one(d, nlh);
		if (!rc && types[i] == NFT_MSG_GETSET)
			rc = dump_elems(d, sets);
		if (rc)
			return rc;
	}
	return 0;
}

int nft_dump_decode(struct fw_ruleset *rs, struct buf *raw)
{
	struct dumper d = {.nl = mnl_socket_open(NETLINK_NETFILTER),
			   .raw = raw,
			   .dec = {.rs = rs, .last_chain = -1}};
	if (!d.nl)
		return -errno;
	int rc = 0;
	if (mnl_socket_bind(d.nl, 0, MNL_SOCKET_AUTOPID) < 0 || !(d.rbuf = malloc(RECV_SIZE))) {
		rc = d.rbuf ? -errno : -ENOMEM;
		goto out;
	}
	d.portid = mnl_socket_get_portid(d.nl);
	size_t start = raw ? raw->len : 0;
	for (int attempt = 0; attempt < 4; attempt++) {
		uint32_t g1 = 0, g2 = 0;
		if (raw)
			raw->len = start;
		fw_ruleset_free(rs);
		free(d.dec.swapped);
		d.dec = (struct nft_decoder){.rs = rs, .last_chain = -1};
		if ((rc = generation(&d, &g1)) || (rc = dump_all(&d)) ||
		    (rc = generation(&d, &g2))) {
			if (rc == -EAGAIN)
				continue; /* a dump the kernel marked interrupted: all of it again
					   */
			break;
		}
		if (g1 == g2)
			goto out;
		rc = -EAGAIN;
	}
out:
	free(d.dec.swapped);
	free(d.set_nfproto);
	free(d.rbuf);
	mnl_socket_close(d.nl);
	return rc;
}

int nft_dump(struct buf *out)
{
	struct fw_ruleset rs = {0};
	int rc = nft_dump_decode(&rs, out);
	fw_ruleset_free(&rs);
	return rc;
}

#else /* !HAVE_NFTNL */

int nft_dump(struct buf *out)
{
	(void)out;
	return -ENOSYS;
}

#endif
