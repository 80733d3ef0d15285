/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockstate.c — TCP state changes from the sockstate BPF program's ring buffer (only with
 * -DHAVE_BPF), for top's socket set between full listings. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "../platform.h"
#include "backend.h"

#ifndef HAVE_BPF

int lnx_sockstate_open(bool all, struct platform_sockstate **out, const char **why)
{
	(void)all;
	*out = NULL;
	*why = "this portsleuth was built without BPF (libbpf-dev)";
	return -EOPNOTSUPP;
}

long lnx_sockstate_read(struct platform_sockstate *st, struct ps_sockchange **v, size_t *n,
			size_t *cap)
{
	(void)st;
	(void)v;
	(void)n;
	(void)cap;
	return -EOPNOTSUPP;
}

void lnx_sockstate_close(struct platform_sockstate *st)
{
	(void)st;
}

#else

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/types.h>

#include "../../util/grow.h"
#include "bpf/sockstate.h"
#include "bpf/sockstate.lskel.h" /* generated and committed (mk/bpfskel.sh) */
#include "roots.h"

#define RING_SIZE (1u << 20) /* max_entries of `events` in sockstate.bpf.c */

struct platform_sockstate {
	struct sockstate *skel;
	void *cons; /* the consumer page (we write our position) */
	void *prod; /* the producer page, then the data twice */
	size_t page;
	__u64 dropped; /* the program's count when last read */
};

void lnx_sockstate_close(struct platform_sockstate *st)
{
	if (!st)
		return;
	if (st->cons)
		munmap(st->cons, st->page);
	if (st->prod)
		munmap(st->prod, st->page + 2 * (size_t)RING_SIZE);
	if (st->skel)
		sockstate__destroy(st->skel);
	free(st);
}

/* The inode of our network namespace, which the program keeps to when not every one is asked. */
static __u32 own_netns(void)
{
	char path[256];
	struct stat sb;
	snprintf(path, sizeof path, "%s/self/ns/net", roots_get()->proc);
	return stat(path, &sb) == 0 ? (__u32)sb.st_ino : 0;
}

static int map_ring(struct platform_sockstate *st)
{
	int fd = st->skel->maps.events.map_fd;
	st->page = (size_t)sysconf(_SC_PAGESIZE);
	void *c = mmap(NULL, st->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED)
		return -errno;
	st->cons = c;
	void *p = mmap(NULL, st->page + 2 * (size_t)RING_SIZE, PROT_READ, MAP_SHARED, fd,
		       (off_t)st->page);
	if (p == MAP_FAILED)
		return -errno;
	st->prod = p;
	return 0;
}

int lnx_sockstate_open(bool all, struct platform_sockstate **out, const char **why)
{
	*out = NULL;
	*why = NULL;
	struct platform_sockstate *st = calloc(1, sizeof *st);
	if (!st)
		return -ENOMEM;
	int rc = (st->skel = sockstate__open()) ? 0 : -ENOMEM;
	if (!rc && sockstate__load(st->skel)) {
		rc = errno == EPERM || errno == EACCES ? -EPERM : -EOPNOTSUPP;
		*why = rc == -EPERM
			   ? "loading BPF needs root (CAP_BPF and CAP_PERFMON)"
			   : "this kernel did not load the program (BTF, ring buffer: 5.17+)";
	}
	if (!rc) {
		st->skel->bss->want_netns = all ? 0 : own_netns();
		struct stat ps; /* pids as we see them (top in a container: not the host's) */
		if (stat("/proc/self/ns/pid", &ps) == 0) {
			st->skel->bss->pidns_dev = (__u64)ps.st_dev;
			st->skel->bss->pidns_ino = (__u64)ps.st_ino;
		}
		rc = map_ring(st);
	}
	if (!rc && sockstate__attach(st->skel) < 0) {
		rc = errno == EPERM ? -EPERM : -EOPNOTSUPP;
		*why = "this kernel did not attach to sock:inet_sock_set_state";
	}
	if (rc) {
		lnx_sockstate_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

static void to_change(const struct sockstate_rec *r, struct ps_sockchange *c)
{
	memset(c, 0, sizeof *c);
	c->netns = r->netns;
	c->proto = PS_TCP;
	c->from = r->oldstate;
	c->to = r->newstate;
	c->pid = r->pid;
	memcpy(c->comm, r->comm, sizeof c->comm - 1);
	uint8_t fam = r->family == 2 ? PS_INET : PS_INET6;
	size_t alen = fam == PS_INET ? 4 : 16;
	c->local.addr.family = c->remote.addr.family = fam;
	memcpy(c->local.addr.bytes, r->saddr, alen);
	memcpy(c->remote.addr.bytes, r->daddr, alen);
	c->local.port = r->sport;
	c->remote.port = r->dport;
	if (!r->counters)
		return;
	/* as tcp_info's reader (sockdiag_parse_tcp_info): bytes_acked counts our SYN and FIN, never
	 * more than the distinct data bytes sent */
	c->last.bytes_sent = r->bytes_acked;
	if (r->bytes_sent >= r->bytes_retrans && r->bytes_acked > r->bytes_sent - r->bytes_retrans)
		c->last.bytes_sent = r->bytes_sent - r->bytes_retrans;
	c->last.bytes_received = r->bytes_received;
	c->last.rtt_us = r->srtt_us >> 3;
	c->last.retrans = r->total_retrans;
	c->last.valid = true;
}

long lnx_sockstate_read(struct platform_sockstate *st, struct ps_sockchange **v, size_t *n,
			size_t *cap)
{
	unsigned long *consp = st->cons, *prodp = st->prod;
	const char *data = (const char *)st->prod + st->page;
	unsigned long cons = __atomic_load_n(consp, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(prodp, __ATOMIC_ACQUIRE);
	long got = 0;
	int rc = 0;
	while (cons < prod && !rc) {
		const __u32 *hdr = (const __u32 *)(data + (cons & (RING_SIZE - 1)));
		__u32 len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* still being written: next time */
		__u32 size = len & ~(__u32)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		const char *rec = (const char *)hdr + BPF_RINGBUF_HDR_SZ;
		if (!(len & BPF_RINGBUF_DISCARD_BIT) && size >= sizeof(struct sockstate_rec)) {
			rc = util_grow((void **)v, cap, *n + 1, sizeof **v);
			if (!rc) {
				struct sockstate_rec r;
				memcpy(&r, rec, sizeof r);
				to_change(&r, &(*v)[(*n)++]);
				got++;
			}
		}
		cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		__atomic_store_n(consp, cons, __ATOMIC_RELEASE);
	}
	if (rc)
		return rc;
	__u64 dropped = __atomic_load_n(&st->skel->bss->dropped, __ATOMIC_RELAXED);
	if (dropped != st->dropped) {
		st->dropped = dropped;
		return -ENOBUFS;
	}
	return got;
}

#endif
