/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_addr_ntop.c — addr_format gives the C library's inet_ntop text for every shape of address.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/model/model.h"
#include "../test.h"

/* addr_format and inet_ntop agree on a; the first disagreement is reported once. */
static int same_as_libc(const struct ps_addr *a)
{
	char mine[64], libc[64];
	addr_format(a, mine, sizeof mine);
	if (!inet_ntop(a->family == PS_INET ? AF_INET : AF_INET6, a->bytes, libc, sizeof libc))
		return 0;
	if (strcmp(mine, libc) == 0)
		return 1;
	CHECK_STR(mine, libc);
	return 0;
}

TEST(addr_format_matches_inet_ntop)
{
	struct ps_addr a;
	int ok = 1;
	/* every pattern of zero and non-zero groups (the "::" choice), with small and large
	 * groups, and the two dotted-IPv4 forms with every group-5 value that matters */
	static const unsigned vals[] = {1, 0xa, 0x10, 0xff, 0x100, 0xabc, 0x1000, 0xffff};
	for (unsigned mask = 0; mask < 256 && ok; mask++)
		for (size_t v = 0; v < sizeof vals / sizeof vals[0] && ok; v++) {
			memset(&a, 0, sizeof a);
			a.family = PS_INET6;
			for (int g = 0; g < 8; g++)
				if (mask & 1u << g) {
					unsigned w =
					    vals[(v + (size_t)g) % (sizeof vals / sizeof vals[0])];
					a.bytes[2 * g] = (uint8_t)(w >> 8);
					a.bytes[2 * g + 1] = (uint8_t)w;
				}
			ok = same_as_libc(&a);
		}
	/* random addresses, IPv4 and IPv6, with bytes biased towards 0 and 0xff */
	srand(7);
	for (int i = 0; i < 20000 && ok; i++) {
		memset(&a, 0, sizeof a);
		a.family = i % 2 ? PS_INET : PS_INET6;
		for (int b = 0; b < 16; b++) {
			int r = rand() % 4;
			a.bytes[b] = r == 0 ? 0 : r == 1 ? 0xff : (uint8_t)rand();
		}
		if (i % 7 == 0) /* ::ffff:a.b.c.d and ::a.b.c.d */
			memset(a.bytes, 0, 10), a.bytes[10] = a.bytes[11] = i % 14 ? 0xff : 0;
		ok = same_as_libc(&a);
	}
	for (unsigned b = 0; b < 256 && ok; b++) { /* every IPv4 byte value */
		memset(&a, 0, sizeof a);
		a.family = PS_INET;
		a.bytes[0] = a.bytes[3] = (uint8_t)b;
		a.bytes[1] = (uint8_t)(255 - b);
		ok = same_as_libc(&a);
	}
	CHECK(ok);
}
