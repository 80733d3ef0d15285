/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procparse.c — parsers for /proc files; no I/O here. */
#include "procparse.h"
#include "../../util/grow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse an unsigned decimal at *p, advancing it. false when there is no digit. */
static bool take_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * The numeric fields of a stat line after its name and state (proc(5)'s field 4 on) into v[0..n):
 * *open and *close the name's parentheses. 0 or -EBADMSG.
 */
static int stat_fields(const char *buf, size_t len, const char **open, const char **close,
		       uint64_t *v, int n)
{
	const char *end = buf + len;
	*open = memchr(buf, '(', len);
	*close = NULL;
	for (const char *q = end; q > buf; q--)
		if (q[-1] == ')') {
			*close = q - 1;
			break;
		}
	if (!*open || !*close || *close < *open)
		return -EBADMSG;
	const char *p = skip_spaces(*close + 1, end);
	if (p >= end)
		return -EBADMSG;
	p++; /* state letter */
	for (int i = 0; i < n; i++) {
		p = skip_spaces(p, end);
		bool neg = p < end && *p == '-';
		if (neg)
			p++;
		if (!take_u64(&p, end, &v[i]))
			return -EBADMSG;
	}
	return 0;
}

int proc_parse_stat(const char *buf, size_t len, char **comm, int *ppid, uint64_t *starttime)
{
	/* after ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime */
	const char *open, *close;
	uint64_t fields[19];
	if (stat_fields(buf, len, &open, &close, fields, 19))
		return -EBADMSG;
	char *c = malloc((size_t)(close - open));
	if (!c)
		return -ENOMEM;
	memcpy(c, open + 1, (size_t)(close - open - 1));
	c[close - open - 1] = '\0';
	*comm = c;
	*ppid = fields[0] > 0x7fffffff ? -1 : (int)fields[0];
	*starttime = fields[18];
	return 0;
}

int proc_parse_stat_code(const char *buf, size_t len, uint64_t *start, uint64_t *end)
{
	const char *open, *close;
	uint64_t fields[24]; /* fields 4 to 27: startcode is 26, endcode 27 */
	if (stat_fields(buf, len, &open, &close, fields, 24))
		return -EBADMSG;
	*start = fields[22];
	*end = fields[23];
	return 0;
}

/* Find a line starting with `key` and return the text after it. */
static const char *find_line(const char *buf, size_t len, const char *key, const char **lend)
{
	size_t kl = strlen(key);
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) >= kl && memcmp(p, key, kl) == 0) {
			*lend = le;
			return p + kl;
		}
		p = le + 1;
	}
	return NULL;
}

int proc_parse_status_uid(const char *buf, size_t len, uint32_t *euid)
{
	const char *le;
	const char *p = find_line(buf, len, "Uid:", &le);
	uint64_t real, eff;
	if (!p)
		return -EBADMSG;
	p = skip_spaces(p, le);
	if (!take_u64(&p, le, &real))
		return -EBADMSG;
	p = skip_spaces(p, le);
	if (!take_u64(&p, le, &eff) || eff > UINT32_MAX)
		return -EBADMSG;
	*euid = (uint32_t)eff;
	return 0;
}

int proc_parse_btime(const char *buf, size_t len, int64_t *btime)
{
	const char *le;
	const char *p = find_line(buf, len, "btime ", &le);
	uint64_t v;
	if (!p || !take_u64(&p, le, &v) || v > INT64_MAX)
		return -EBADMSG;
	*btime = (int64_t)v;
	return 0;
}

const char *proc_parse_cgroup(const char *buf, size_t len, size_t *pathlen)
{
	const char *le;
	const char *p = find_line(buf, len, "0::", &le);
	if (!p) {
		/* v1: "N:name=systemd:/path" */
		const char *q = buf, *end = buf + len;
		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			const char *e = nl ? nl : end;
			const char *c1 = memchr(q, ':', (size_t)(e - q));
			if (c1 && (size_t)(e - c1) > 14 && memcmp(c1, ":name=systemd:", 14) == 0) {
				p = c1 + 14;
				le = e;
				break;
			}
			q = e + 1;
		}
	}
	if (!p)
		return NULL;
	*pathlen = (size_t)(le - p);
	return p;
}

bool proc_parse_socket_link(const char *lnk, size_t n, uint64_t *inode)
{
	if (n < 10 || memcmp(lnk, "socket:[", 8) != 0 || lnk[n - 1] != ']')
		return false;
	const char *p = lnk + 8;
	uint64_t v;
	if (!take_u64(&p, lnk + n - 1, &v) || p != lnk + n - 1)
		return false;
	*inode = v;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool take_hex(const char **p, const char *end, size_t maxdigits, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	size_t n = 0;
	int h;
	while (s < end && (h = hexval(*s)) >= 0) {
		if (++n > maxdigits)
			return false;
		v = (v << 4) | (uint64_t)h;
		s++;
	}
	if (n == 0)
		return false;
	*p = s;
	*out = v;
	return true;
}

/*
 * "0100007F:1F90": the address is printed as 32-bit words in host byte order,
 * which on the machine that wrote it are the bytes in memory order.
 */
static bool take_endpoint(const char **p, const char *end, unsigned family, struct ps_endpoint *ep)
{
	size_t words = family == PS_INET ? 1 : 4;
	const char *s = *p;
	memset(ep, 0, sizeof *ep);
	ep->addr.family = (uint8_t)family;
	for (size_t w = 0; w < words; w++) {
		if (end - s < 8)
			return false;
		uint32_t v = 0;
		for (int i = 0; i < 8; i++) {
			int h = hexval(s[i]);
			if (h < 0)
				return false;
			v = (v << 4) | (uint32_t)h;
		}
		memcpy(ep->addr.bytes + 4 * w, &v, 4);
		s += 8;
	}
	if (s >= end || *s != ':')
		return false;
	s++;
	uint64_t port;
	if (!take_hex(&s, end, 4, &port))
		return false;
	ep->port = (uint16_t)port;
	*p = s;
	return true;
}

int procnet_parse_line(const char *line, unsigned family, unsigned proto, struct ps_socket *k)
{
	const char *end = line + strlen(line);
	const char *p = skip_spaces(line, end);
	uint64_t v, st, tx, rx, uid, ino;
	memset(k, 0, sizeof *k);
	/* sl: local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (!take_u64(&p, end, &v) || p >= end || *p++ != ':')
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_endpoint(&p, end, family, &k->local))
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_endpoint(&p, end, family, &k->remote))
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_hex(&p, end, 2, &st) ||
	    st > PS_ST_NEW_SYN_RECV) /* no bound-only socket is listed here */
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_hex(&p, end, 8, &tx) || p >= end || *p++ != ':' || !take_hex(&p, end, 8, &rx))
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_hex(&p, end, 2, &v) || p >= end || *p++ != ':' || !take_hex(&p, end, 16, &v))
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_hex(&p, end, 16, &v))
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_u64(&p, end, &uid) || uid > UINT32_MAX)
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_u64(&p, end, &v))
		return -EBADMSG;
	p = skip_spaces(p, end);
	if (!take_u64(&p, end, &ino))
		return -EBADMSG;
	k->proto = (uint8_t)proto;
	k->state = (uint8_t)st;
	k->send_q = (uint32_t)tx;
	k->recv_q = (uint32_t)rx;
	k->uid = (uint32_t)uid;
	k->inode = ino;
	return 0;
}

/* ndigits hex digits at p into *v (host order); false unless all are hex. */
static bool hex_u32(const char *p, size_t ndigits, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < ndigits; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		*v = *v << 4 | (uint32_t)h;
	}
	return true;
}

static int push_group(struct ps_ifaddr **out, size_t *n, size_t *cap, unsigned long idx,
		      const char *name, size_t name_len, const struct ps_addr *g)
{
	if (util_grow((void **)&*out, cap, *n + 1, sizeof **out))
		return -ENOMEM;
	char *nm = strndup(name, name_len);
	if (!nm)
		return -ENOMEM;
	(*out)[(*n)++] = (struct ps_ifaddr){.ifindex = (uint32_t)idx, .ifname = nm, .addr = *g};
	return 0;
}

int procnet_parse_igmp(const char *buf, size_t len, bool v6, struct ps_ifaddr **out, size_t *n,
		       size_t *cap)
{
	const char *p = buf, *end = buf + len;
	unsigned long idx = 0;
	char held[64]; /* the current interface's name: group lines follow its line */
	const char *name = NULL;
	size_t name_len = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);
		char line[256];
		if (ll >= sizeof line) { /* no valid line is this long */
			p = le + 1;
			continue;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = le + 1;
		struct ps_addr g = {0};
		if (v6) {
			/* "IDX NAME GROUP(32 hex) USERS FLAGS TIMER" */
			char nm[64], hex[40];
			unsigned long i6;
			if (sscanf(line, "%lu %63s %39s", &i6, nm, hex) != 3 || strlen(hex) != 32)
				continue;
			g.family = PS_INET6;
			bool ok = true;
			for (int b = 0; b < 16 && ok; b++) {
				uint32_t v;
				ok = hex_u32(hex + 2 * b, 2, &v);
				g.bytes[b] = (uint8_t)v;
			}
			if (ok) {
				int rc = push_group(out, n, cap, i6, nm, strlen(nm), &g);
				if (rc)
					return rc;
			}
			continue;
		}
		/* "IDX\tNAME : COUNT QUERIER" starts an interface; "\t\t\t\tGROUP USERS ..." its
		 * groups. */
		if (line[0] >= '0' && line[0] <= '9') {
			char *e;
			idx = strtoul(line, &e, 10);
			while (*e == '\t' || *e == ' ')
				e++;
			name = e;
			while (*e && *e != ' ' && *e != '\t' && *e != ':')
				e++;
			name_len = (size_t)(e - name);
			if (name_len >= sizeof held || !name_len) {
				name = NULL;
			} else {
				memcpy(held, name, name_len);
				name = held;
			}
			continue;
		}
		const char *q = line;
		while (*q == '\t' || *q == ' ')
			q++;
		uint32_t v;
		if (!name || q == line || !hex_u32(q, 8, &v) || (q[8] != ' ' && q[8] != '\t'))
			continue;
		/* the kernel prints the group's network-order word as a host integer: its bytes in
		 * memory are the address */
		g.family = PS_INET;
		memcpy(g.bytes, &v, 4);
		int rc = push_group(out, n, cap, idx, name, name_len, &g);
		if (rc)
			return rc;
	}
	return 0;
}
