/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collect.c — list sockets: sock_diag first, /proc/net text only when the kernel lacks it. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../platform.h"
#include "attr_bpf.h"
#include "backend.h"
#include "procparse.h"
#include "roots.h"
#include "sockdiag.h"

static int procnet_read(unsigned family, unsigned proto, const struct ps_filter *f,
			struct ps_snapshot *snap)
{
	char rel[16];
	snprintf(rel, sizeof rel, "net/%s%s", proto == PS_TCP ? "tcp" : "udp",
		 family == PS_INET6 ? "6" : "");
	char *path = roots_join(roots_get()->proc, rel);
	if (!path)
		return -ENOMEM;
	FILE *fp = fopen(path, "re");
	free(path);
	if (!fp)
		return errno == ENOENT ? 0 : -errno; /* no IPv6 in this kernel: nothing to list */
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	bool header = true;
	while (getline(&line, &cap, fp) > 0) {
		if (header) {
			header = false;
			continue;
		}
		struct ps_socket k;
		if (procnet_parse_line(line, family, proto, &k))
			continue; /* a malformed line costs that line only */
		if (!filter_match_socket(f, &k))
			continue;
		struct ps_socket *dst = snap_add_socket(snap);
		if (!dst) {
			rc = -ENOMEM;
			break;
		}
		*dst = k;
	}
	free(line);
	fclose(fp);
	return rc;
}

/* Root, or the two capabilities that let us read every fd table. */
static bool privileged(void)
{
	uint64_t caps;
	if (geteuid() == 0)
		return true;
	if (linux_effective_caps(&caps) != 0)
		return false;
	const uint64_t need = 1ull << CAP_SYS_PTRACE | 1ull << CAP_DAC_READ_SEARCH;
	return (caps & need) == need;
}

static bool diag_unsupported(int rc)
{
	return rc == -ENOENT || rc == -EPROTONOSUPPORT || rc == -EOPNOTSUPP;
}

static int collect_dumps(struct ps_snapshot *snap, const struct ps_filter *f)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	uint8_t protos = filter_dump_protos(f);
	bool used_diag = false, used_procnet = false;
	for (unsigned proto = 0; proto < PS_PROTO_COUNT; proto++) {
		if (!(protos & (1u << proto)))
			continue;
		for (unsigned family = PS_INET; family <= PS_INET6; family += 2) {
			if (!(f->families & PS_FAM_BIT(family)))
				continue;
			int rc = -ENOENT;
			size_t before = snap->nsocks;
			if (fd >= 0)
				rc = sockdiag_dump(fd, family, proto, f, true, snap);
			if (rc == -EINVAL && f->nports) {
				/* a kernel that refuses the port bytecode: filter here instead */
				snap->nsocks = before;
				rc = sockdiag_dump(fd, family, proto, f, false, snap);
			}
			if (rc == 0) {
				used_diag = true;
				continue;
			}
			if (fd >= 0 && !diag_unsupported(rc)) {
				close(fd);
				return rc;
			}
			snap->nsocks = before; /* drop a half-finished dump */
			rc = procnet_read(family, proto, f, snap);
			if (rc) {
				if (fd >= 0)
					close(fd);
				return rc;
			}
			used_procnet = true;
		}
	}
	if (fd >= 0)
		close(fd);
	struct stat st;
	/* our own namespace: always the real /proc, whatever root the data comes from */
	if (stat("/proc/self/ns/net", &st) == 0) {
		snap->netns = (uint64_t)st.st_ino;
		for (size_t i = 0; i < snap->nsocks; i++)
			snap->socks[i].netns = snap->netns;
	}
	snap->source = used_procnet ? (used_diag ? "netlink+procfs" : "procfs") : "netlink";
	return 0;
}

int lnx_collect(struct ps_snapshot *snap, const struct ps_filter *f)
{
	snap->privileged = privileged();
	lnx_attribute_prefetch(f); /* the owners' pass does not need the dump: overlap them */
	int rc = collect_dumps(snap, f);
	/* no owners to find: attribution will not run. A listing without owners started no pass,
	 * and leaves alone one another thread's listing started (top lists in the background) */
	if (!f->no_owners && (rc || !snap->nsocks))
		attr_bpf_prefetch_drop();
	return rc;
}

/* Counters of sockets idx[0..n) of snap, asked in the namespace the calling thread is in. */
static int stats_here(struct ps_snapshot *snap, const size_t *idx, size_t n)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	/* a batch's answers all queue before the first is read: room for them whatever
	 * net.core.rmem_default says (beyond rmem_max only as root) */
	int room = 1 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof room) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
	int rc = sockdiag_tcp_stats(fd, snap, idx, n);
	close(fd);
	return rc;
}

struct stats_req {
	struct ps_snapshot *snap;
	const size_t *idx;
	size_t n;
};

static int stats_in(void *arg)
{
	const struct stats_req *r = arg;
	return stats_here(r->snap, r->idx, r->n);
}

/* The sockets of idx[0..n) of namespace `ns` (another one than ours, -N): asked in it (sock_diag
 * answers for its own namespace only), as the -N listing dumps it. A namespace that cannot be
 * entered (gone since, no privilege) leaves its sockets without counters. */
static int stats_other(struct ps_snapshot *snap, const size_t *idx, size_t n, uint64_t ns,
		       size_t *sub)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (idx[i] < snap->nsocks && snap->socks[idx[i]].netns == ns)
			sub[m++] = idx[i];
	const struct ps_netns *in = NULL;
	for (size_t i = 0; i < snap->nnets && !in; i++)
		in = snap->nets[i].inode == ns ? &snap->nets[i] : NULL;
	if (!in || !m)
		return 0;
	int rc = lnx_in_netns(in, stats_in, &(struct stats_req){snap, sub, m});
	return rc == -ENOMEM ? rc : 0;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return (a > b) - (a < b);
}

int lnx_tcp_stats(struct ps_snapshot *snap, const size_t *idx, size_t n)
{
	size_t *sub = malloc((n + 1) * sizeof *sub), m = 0, no = 0;
	uint64_t *other = malloc((n + 1) * sizeof *other);
	int rc = sub && other ? 0 : -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) { /* ours (a socket of an unknown namespace: ours) */
		if (idx[i] >= snap->nsocks)
			continue;
		uint64_t ns = snap->socks[idx[i]].netns;
		if (!ns || ns == snap->netns)
			sub[m++] = idx[i];
		else
			other[no++] = ns;
	}
	rc = rc || !m ? rc : stats_here(snap, sub, m);
	/* then every other namespace once (-N) */
	if (no)
		qsort(other, no, sizeof *other, cmp_u64);
	for (size_t i = 0; i < no && !rc; i++)
		if (!i || other[i] != other[i - 1])
			rc = stats_other(snap, idx, n, other[i], sub);
	free(sub);
	free(other);
	return rc;
}

int lnx_sock_destroy(const struct ps_socket *k)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	int rc = sockdiag_destroy(fd, k);
	close(fd);
	return rc;
}
