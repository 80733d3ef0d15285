/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reach.c — where a socket can be reached from: the addresses and interfaces, and their class. */
#include "reach.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The prefix of an IPv4-mapped IPv6 address (::ffff:0:0/96). */
static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

/* Whether interface address `a` is the bound address `b` (IPv4-mapped IPv6 matches IPv4). */
static bool same_addr(const struct ps_addr *a, const struct ps_addr *b)
{
	if (a->family == b->family)
		return memcmp(a->bytes, b->bytes, a->family == PS_INET ? 4 : 16) == 0;
	if (a->family == PS_INET && b->family == PS_INET6)
		return memcmp(b->bytes, mapped, 12) == 0 && memcmp(b->bytes + 12, a->bytes, 4) == 0;
	return false;
}

/* Mostly one address a listener, and thousands of listeners: grown by one up to a few, then
 * doubled (a wildcard in a namespace of many addresses; reach_fold shrinks it again). */
static int push_reach(struct reach **out, size_t *n, const char *ifname, const struct ps_addr *a)
{
	size_t want = *n + 1;
	if (*n >= 4 && (*n & (*n - 1)) != 0) {
		want = 0; /* room left: capacity is the next power of two */
	} else if (*n >= 4) {
		want = *n * 2;
	}
	if (want) {
		struct reach *r = realloc(*out, want * sizeof **out);
		if (!r)
			return -ENOMEM;
		*out = r;
	}
	(*out)[(*n)++] = (struct reach){ifname, *a};
	return 0;
}

/* Whether a is an IPv4 address (or one mapped into IPv6) equal to the 4 bytes v4. */
static bool is_v4(const struct ps_addr *a, const uint8_t *v4)
{
	if (a->family == PS_INET)
		return memcmp(a->bytes, v4, 4) == 0;
	return memcmp(a->bytes, mapped, 12) == 0 && memcmp(a->bytes + 12, v4, 4) == 0;
}

static bool is_multicast(const struct ps_addr *a)
{
	if (a->family == PS_INET6 && memcmp(a->bytes, mapped, 12) != 0)
		return a->bytes[0] == 0xFF;
	return ((a->family == PS_INET ? a->bytes[0] : a->bytes[12]) & 0xF0) == 0xE0;
}

/* Whether r already lists interface ifname (broadcast and group binds: one entry per interface). */
static bool has_if(const struct reach *r, size_t n, const char *ifname)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].ifname == ifname ||
		    (r[i].ifname && ifname && strcmp(r[i].ifname, ifname) == 0))
			return true;
	return false;
}

int exposure_reach(const struct ps_socket *k, const struct ps_ifaddr *a, size_t n,
		   const struct ps_ifaddr *g, size_t ng, struct reach **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	const struct ps_addr *l = &k->local.addr;
	int rc = 0;
	if (addr_is_any(l)) {
		bool v4 = l->family == PS_INET || k->v6only != PS_V6ONLY_YES;
		bool v6 = l->family == PS_INET6;
		for (size_t i = 0; i < n && !rc; i++) {
			if (k->ifindex && a[i].ifindex != k->ifindex)
				continue;
			if ((a[i].addr.family == PS_INET && v4) ||
			    (a[i].addr.family == PS_INET6 && v6))
				rc = push_reach(out, nout, a[i].ifname, &a[i].addr);
		}
		return rc;
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (same_addr(&a[i].addr, l) && (!k->ifindex || a[i].ifindex == k->ifindex))
			rc = push_reach(out, nout, a[i].ifname, &a[i].addr);
	if (!rc && !*nout && exposure_classify(l) == PS_EXPO_LOOPBACK) {
		/* 127.0.0.53 and the like: every 127/8 address is on the loopback interface. */
		for (size_t i = 0; i < n; i++)
			if (a[i].addr.family == PS_INET && a[i].addr.bytes[0] == 127 &&
			    (l->family == PS_INET || k->v6only != PS_V6ONLY_YES))
				return push_reach(out, nout, a[i].ifname, l);
	}
	/* A broadcast bind (nmbd's 10.0.0.255:137) gets every broadcast on that subnet. */
	static const uint8_t all_ones[4] = {255, 255, 255, 255};
	bool limited = is_v4(l, all_ones), unicast = *nout > 0;
	for (size_t i = 0; i < n && !rc && !unicast; i++)
		if (a[i].broadcast.family == PS_INET &&
		    (limited || is_v4(l, a[i].broadcast.bytes)) &&
		    (!k->ifindex || a[i].ifindex == k->ifindex) &&
		    !has_if(*out, *nout, a[i].ifname))
			rc = push_reach(out, nout, a[i].ifname, l);
	/* A group bind gets the group's traffic on the interfaces that joined it. */
	for (size_t i = 0; i < ng && !rc && is_multicast(l); i++)
		if (same_addr(&g[i].addr, l) && (!k->ifindex || g[i].ifindex == k->ifindex) &&
		    !has_if(*out, *nout, g[i].ifname))
			rc = push_reach(out, nout, g[i].ifname, l);
	return rc;
}

enum ps_exposure exposure_widest(const struct ps_socket *k, const struct reach *r, size_t n,
				 bool addrs_unknown)
{
	enum ps_exposure w = PS_EXPO_LOOPBACK;
	if (!addr_is_any(&k->local.addr))
		w = exposure_classify(&k->local.addr);
	else if (addrs_unknown)
		w = PS_EXPO_PUBLIC;
	for (size_t i = 0; i < n; i++) {
		enum ps_exposure c = exposure_classify(&r[i].addr);
		if (c > w)
			w = c;
	}
	return w == PS_EXPO_ALL ? PS_EXPO_PUBLIC : w;
}

/* ", and N more" after the REACH_TEXT_MAX addresses an evidence text names. */
static int more(struct buf *b, size_t listed)
{
	if (listed <= REACH_TEXT_MAX)
		return 0;
	size_t n = listed - REACH_TEXT_MAX;
	return buf_printf(b, ", and %zu more address%s", n, n == 1 ? "" : "es");
}

/* The entries of r whose class is `only` (the ones that decide the severity), for evidence. */
int reach_format(struct buf *b, const struct reach *r, size_t n, enum ps_exposure only)
{
	buf_clear(b);
	int rc = 0;
	size_t listed = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char s[64];
		enum ps_exposure c = exposure_classify(&r[i].addr);
		if ((c == PS_EXPO_ALL ? PS_EXPO_PUBLIC : c) != only || ++listed > REACH_TEXT_MAX)
			continue;
		addr_format(&r[i].addr, s, sizeof s);
		rc = buf_printf(b, "%s%s %s", b->len ? ", " : "", r[i].ifname ? r[i].ifname : "?",
				s);
	}
	if (!rc)
		rc = more(b, listed);
	if (!rc && !b->data)
		rc = buf_puts(b, "");
	return rc;
}

int reach_fold(struct sock_verdict *v)
{
	size_t kept[PS_EXPO__COUNT] = {0}, j = 0;
	memset(v->reach_by_class, 0, sizeof v->reach_by_class);
	v->nreach_all = v->nreach;
	bool fold = v->nreach > REACH_FOLD_OVER;
	for (size_t i = 0; i < v->nreach; i++) {
		enum ps_exposure c = exposure_classify(&v->reach[i].addr);
		v->reach_by_class[c]++;
		if (fold && kept[c] >= REACH_KEEP_PER_CLASS)
			continue;
		kept[c]++;
		v->reach[j] = v->reach[i];
		if (v->fw)
			v->fw[j] = v->fw[i];
		j++;
	}
	if (j == v->nreach)
		return 0;
	v->nreach = j;
	struct reach *r = realloc(v->reach, j * sizeof *r);
	if (r)
		v->reach = r;
	struct ps_fw_at *f = v->fw ? realloc(v->fw, j * sizeof *f) : NULL;
	if (f)
		v->fw = f;
	return 0;
}

/*
 * The addresses the firewall lets hosts of class `only` reach, for evidence: an address
 * only some sources may reach names them ("eth0 203.0.113.7 from 10.0.0.0/8").
 */
int reach_format_fw(struct buf *b, const struct sock_verdict *v, enum ps_exposure only)
{
	buf_clear(b);
	int rc = 0;
	size_t listed = 0;
	for (size_t i = 0; i < v->nreach && !rc; i++) {
		const struct ps_fw_at *at = &v->fw[i];
		if (at->verdict == PS_FW_NONE || at->reach_class != only ||
		    ++listed > REACH_TEXT_MAX)
			continue;
		char s[64];
		addr_format(&v->reach[i].addr, s, sizeof s);
		rc = buf_printf(b, "%s%s %s", b->len ? ", " : "",
				v->reach[i].ifname ? v->reach[i].ifname : "?", s);
		if (!rc && at->verdict == PS_FW_SOME && at->sources)
			rc = buf_printf(b, " from %s", at->sources);
	}
	if (!rc)
		rc = more(b, listed);
	if (!rc && !b->data)
		rc = buf_puts(b, "");
	return rc;
}
