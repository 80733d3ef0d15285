/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wfwpolicy.c — naming and releasing the Windows Firewall policy model. */
#include "wfwpolicy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *wfw_profile_name(unsigned bit)
{
	return bit == WFW_DOMAIN    ? "domain"
	       : bit == WFW_PRIVATE ? "private"
	       : bit == WFW_PUBLIC  ? "public"
				    : "?";
}

void wfw_rule_free(struct wfw_rule *r)
{
	free(r->name);
	free(r->local_ports);
	free(r->local_addrs);
	free(r->remote_addrs);
	free(r->app);
	free(r->service);
	free(r->interface_types);
	free(r->unhandled);
	memset(r, 0, sizeof *r);
}

/* A port 1-65535 in decimal, the whole of s. */
static bool port_text(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	if (!*s || strlen(s) > 5)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*port = (uint16_t)v;
	return v >= 1 && v <= 65535;
}

/* "addr/port" at the last '/': addr as a new string (NULL when `any` and it names every
 * address). 0, -EINVAL or -ENOMEM. */
static int addr_port(const char *s, bool any, char **addr, uint16_t *port)
{
	const char *slash = strrchr(s, '/');
	*addr = NULL;
	if (!slash || slash == s || !port_text(slash + 1, port))
		return -EINVAL;
	size_t n = (size_t)(slash - s);
	if (any && ((n == 1 && *s == '*') || (n == 7 && !strncmp(s, "0.0.0.0", 7)) ||
		    (n == 2 && !strncmp(s, "::", 2))))
		return 0;
	if (!(*addr = malloc(n + 1)))
		return -ENOMEM;
	memcpy(*addr, s, n);
	(*addr)[n] = 0;
	return 0;
}

int wfw_portproxy_parse(const char *kind, const char *name, const char *data,
			struct wfw_portproxy *out)
{
	static const char *const kinds[] = {"v4tov4", "v4tov6", "v6tov4", "v6tov6"};
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < 4 && !out->kind; i++)
		if (!strcmp(kind, kinds[i]))
			out->kind = kinds[i];
	if (!out->kind)
		return -EINVAL;
	int rc = addr_port(name, true, &out->listen_addr, &out->listen_port);
	if (!rc)
		rc = addr_port(data, false, &out->connect_addr, &out->connect_port);
	if (rc)
		wfw_portproxy_free(out);
	return rc;
}

void wfw_portproxy_free(struct wfw_portproxy *p)
{
	free(p->listen_addr);
	free(p->connect_addr);
	memset(p, 0, sizeof *p);
}

void wfw_policy_free(struct wfw_policy *pol)
{
	for (size_t i = 0; i < pol->nrules; i++)
		wfw_rule_free(&pol->rules[i]);
	free(pol->rules);
	for (size_t i = 0; i < pol->nproxies; i++)
		wfw_portproxy_free(&pol->proxies[i]);
	free(pol->proxies);
	for (size_t i = 0; i < WFW_PROFILES; i++)
		free(pol->excluded[i]);
	for (size_t i = 0; i < pol->naddrs; i++) {
		free(pol->addrs[i].ifid);
		free(pol->addrs[i].ifname);
	}
	free(pol->addrs);
	free(pol->addrs_why);
	memset(pol, 0, sizeof *pol);
}

const struct wfw_ifaddr *wfw_policy_addr(const struct wfw_policy *pol, const struct ps_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	struct ps_addr x = *a;
	if (x.family == PS_INET6 && !memcmp(x.bytes, mapped, 12)) {
		x.family = PS_INET;
		memmove(x.bytes, x.bytes + 12, 4);
	}
	size_t len = x.family == PS_INET ? 4 : 16;
	for (size_t i = 0; i < pol->naddrs; i++)
		if (pol->addrs[i].addr.family == x.family &&
		    !memcmp(pol->addrs[i].addr.bytes, x.bytes, len))
			return &pol->addrs[i];
	return NULL;
}
