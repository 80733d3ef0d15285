/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exposure.c — classify bound addresses by how far they reach. */
#include "exposure.h"

#include <string.h>

static enum ps_exposure classify_v4(const uint8_t *b)
{
	if (!b[0] && !b[1] && !b[2] && !b[3])
		return PS_EXPO_ALL;
	if (b[0] == 127)
		return PS_EXPO_LOOPBACK;
	if (b[0] == 169 && b[1] == 254)
		return PS_EXPO_LINK_LOCAL;
	/* Groups and the limited broadcast by the scope they are forwarded in: 224.0.0.0/24
	 * and 255.255.255.255 never leave the link, 239/8 is administratively scoped (RFC 2365). */
	if ((b[0] == 224 && !b[1] && !b[2]) ||
	    (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255))
		return PS_EXPO_LINK_LOCAL;
	if (b[0] == 239)
		return PS_EXPO_PRIVATE;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
	    (b[0] == 100 && (b[1] & 0xC0) == 64))
		return PS_EXPO_PRIVATE;
	return PS_EXPO_PUBLIC;
}

enum ps_exposure exposure_classify(const struct ps_addr *a)
{
	const uint8_t *b = a->bytes;
	if (a->family == PS_INET)
		return classify_v4(b);
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	if (memcmp(b, mapped, 12) == 0)
		return classify_v4(b + 12);
	static const uint8_t zero[16];
	if (memcmp(b, zero, 16) == 0)
		return PS_EXPO_ALL;
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return PS_EXPO_LOOPBACK;
	if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
		return PS_EXPO_LINK_LOCAL;
	if (b[0] == 0xFF) { /* multicast, by its scope (RFC 7346): interface, link, then realm to
			       organisation */
		unsigned scope = b[1] & 0x0F;
		return scope == 1		  ? PS_EXPO_LOOPBACK
		       : scope == 2		  ? PS_EXPO_LINK_LOCAL
		       : scope >= 3 && scope <= 8 ? PS_EXPO_PRIVATE
						  : PS_EXPO_PUBLIC;
	}
	if ((b[0] & 0xFE) == 0xFC)
		return PS_EXPO_PRIVATE;
	return PS_EXPO_PUBLIC;
}

static const char *const names[PS_EXPO__COUNT] = {"loopback", "link-local", "private", "public",
						  "all-interfaces"};

const char *exposure_name(enum ps_exposure e)
{
	return e < PS_EXPO__COUNT ? names[e] : "unknown";
}

int exposure_parse(const char *name)
{
	for (int i = 0; i < PS_EXPO__COUNT; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}
