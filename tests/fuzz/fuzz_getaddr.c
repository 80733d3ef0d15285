/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_getaddr.c — RTM_GETADDR dump replies (one recv() datagram) into interface addresses. */
#include "../../src/platform/linux/netinfo.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = tu_exact(data, size);
	struct netinfo_addrs l = {0};
	/* twice into the same list: a second datagram appends to the first one's addresses */
	if (netinfo_parse_addrs(buf, size, &l) == 0)
		(void)netinfo_parse_addrs(buf, size, &l);
	for (size_t i = 0; i < l.n; i++)
		if (l.a[i].addr.family != PS_INET && l.a[i].addr.family != PS_INET6)
			abort();
	platform_ifaddrs_free(l.a, l.n);
	free(buf);
	return 0;
}
