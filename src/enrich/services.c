/* SPDX-License-Identifier: GPL-2.0-or-later */
/* services.c — parse /etc/services into a sorted table for port → name lookups. */
#include "services.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/model.h"
#include "../util/buf.h"
#include "../util/grow.h"

/* /etc/services is ~13 KiB and nmap's list ~1 MiB: far beyond that it is not a services file
 * (--services /dev/zero), and reading on would only run memory out. */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int add_entry(struct services *s, uint16_t port, unsigned pr, const char *name,
		     size_t name_len, const char *desc, size_t desc_len)
{
	if (util_grow((void **)&s->e, &s->cap, s->n + 1, sizeof *s->e))
		return -ENOMEM;
	char *nm = malloc(name_len + 1);
	char *ds = desc_len ? malloc(desc_len + 1) : NULL;
	if (!nm || (desc_len && !ds)) {
		free(nm);
		free(ds);
		return -ENOMEM;
	}
	memcpy(nm, name, name_len);
	nm[name_len] = '\0';
	if (ds) {
		memcpy(ds, desc, desc_len);
		ds[desc_len] = '\0';
	}
	s->e[s->n++] = (struct service_entry){port, (uint8_t)pr, nm, ds};
	return 0;
}

/*
 * One line: 1 added, 0 blank/comment/other protocol, -EBADMSG malformed, -ENOMEM.
 * The protocol may be a list ("22/tcp/udp/sctp", as in Wireshark's copy of the
 * IANA registry); the comment after '#' is kept as the description.
 */
static int parse_line(struct services *s, const char *p, const char *end)
{
	const char *hash = memchr(p, '#', (size_t)(end - p));
	const char *desc = NULL;
	size_t desc_len = 0;
	if (hash) {
		desc = hash + 1;
		while (desc < end && (is_space(*desc) || *desc == '#'))
			desc++;
		const char *de = end;
		while (de > desc && is_space(de[-1]))
			de--;
		desc_len = (size_t)(de - desc);
		end = hash;
	}
	while (p < end && is_space(*p))
		p++;
	if (p == end)
		return 0;
	const char *name = p;
	while (p < end && !is_space(*p))
		p++;
	size_t name_len = (size_t)(p - name);
	while (p < end && is_space(*p))
		p++;
	unsigned long port = 0;
	const char *digits = p;
	while (p < end && *p >= '0' && *p <= '9' && port <= 65535)
		port = port * 10 + (unsigned long)(*p++ - '0');
	if (p == digits || port > 65535 || p >= end || *p != '/')
		return -EBADMSG;
	bool want[PS_PROTO_COUNT] = {false, false};
	while (p < end && *p == '/') {
		const char *proto = ++p;
		while (p < end && !is_space(*p) && *p != '/')
			p++;
		size_t pl = (size_t)(p - proto);
		if (pl == 0)
			return -EBADMSG;
		if (pl == 3 && memcmp(proto, "tcp", 3) == 0)
			want[PS_TCP] = true;
		else if (pl == 3 && memcmp(proto, "udp", 3) == 0)
			want[PS_UDP] = true;
		/* sctp, ddp...: valid, not ours */
	}
	int added = 0;
	for (unsigned pr = 0; pr < PS_PROTO_COUNT; pr++) {
		if (!want[pr])
			continue;
		int rc = add_entry(s, (uint16_t)port, pr, name, name_len, desc, desc_len);
		if (rc)
			return rc;
		added = 1;
	}
	return added;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct service_entry *x = a, *y = b;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return 0;
}

int services_parse(struct services *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;
	size_t first = s->n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		int rc = parse_line(s, p, le);
		if (rc == -ENOMEM)
			return rc;
		if (rc == -EBADMSG) {
			s->malformed++;
			if (!s->first_bad_line)
				s->first_bad_line = line;
		}
		p = le + 1;
	}
	/* Stable insertion sort (the file is nearly sorted already), so the first
	 * entry for a (port, proto) comes first and wins in services_find(). */
	for (size_t i = first + 1; i < s->n; i++) {
		struct service_entry t = s->e[i];
		size_t j = i;
		while (j > first && cmp_entry(&s->e[j - 1], &t) > 0) {
			s->e[j] = s->e[j - 1];
			j--;
		}
		s->e[j] = t;
	}
	return 0;
}

const struct service_entry *services_find(const struct services *s, uint16_t port, unsigned proto)
{
	size_t lo = 0, hi = s->n;
	struct service_entry key = {port, (uint8_t)proto, NULL, NULL};
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_entry(&s->e[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && cmp_entry(&s->e[lo], &key) == 0)
		return &s->e[lo];
	return NULL;
}

void services_free(struct services *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].name);
		free(s->e[i].desc);
	}
	free(s->e);
	memset(s, 0, sizeof *s);
}
