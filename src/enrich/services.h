/* SPDX-License-Identifier: GPL-2.0-or-later */
/* services.h — port number to registered service name, from an /etc/services-style file. */
#ifndef PS_SERVICES_H
#define PS_SERVICES_H

#include <stddef.h>
#include <stdint.h>

struct service_entry {
	uint16_t port;
	uint8_t proto; /* enum ps_proto */
	char *name;
	char *desc; /* the line's comment, NULL when none */
};

struct services {
	struct service_entry *e;
	size_t n, cap;
	size_t malformed;      /* lines skipped */
	size_t first_bad_line; /* 1-based, 0 when none */
};

/*
 * Parse /etc/services text ("name port/proto[/proto...] [aliases] [# comment]"). Malformed
 * lines are skipped and counted; the first entry for a (port, proto) wins, as in
 * getservbyport(). 0 or -ENOMEM.
 */
int services_parse(struct services *s, const char *buf, size_t len);
/* The first entry for (port, proto), or NULL. */
const struct service_entry *services_find(const struct services *s, uint16_t port, unsigned proto);
void services_free(struct services *s);

#endif
