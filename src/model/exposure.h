/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exposure.h — who can reach a bound address: loopback, link-local, private, public, all
 * interfaces. */
#ifndef PS_EXPOSURE_H
#define PS_EXPOSURE_H

#include "model.h"

/* Ordered from narrowest to widest, so "wider than allowed" is a comparison. */
enum ps_exposure {
	PS_EXPO_LOOPBACK = 0,
	PS_EXPO_LINK_LOCAL,
	PS_EXPO_PRIVATE, /* RFC 1918, CGNAT 100.64/10, IPv6 ULA fc00::/7 */
	PS_EXPO_PUBLIC,
	PS_EXPO_ALL, /* wildcard bind: 0.0.0.0 or :: */
	PS_EXPO__COUNT
};

/*
 * Class of a local address; IPv4-mapped IPv6 addresses are classified as IPv4.
 * Multicast groups go by their scope (224.0.0.0/24, ff02::/16: link-local;
 * 239/8, ff03-ff08: private; ff01: loopback; other groups: public) and
 * 255.255.255.255 is link-local.
 */
enum ps_exposure exposure_classify(const struct ps_addr *a);
/* "loopback", "link-local", "private", "public", "all-interfaces". */
const char *exposure_name(enum ps_exposure e);
/* Inverse of exposure_name; -1 when unknown. */
int exposure_parse(const char *name);

#endif
