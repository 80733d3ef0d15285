/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_netprofile.c — the network profile of each interface read live (INetworkListManager and
 * GetAdaptersAddresses) on the machine the tests run on: Windows, or Wine, whose network list
 * answers every network "public" (INetwork::GetCategory is a stub there). It must return, never
 * abort, give every address its on-link prefix, and either a profile or why none is known.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../../src/model/wfwpolicy.h"
#include "../../../src/platform/windows/win.h"
#include "../test.h"

TEST(win_netprofiles_live)
{
	struct wfw_policy pol = {0};
	CHECK_INT(win_netprofiles_read(&pol), 0);
	/* every host, Wine's too, has its loopback address: an empty list is a reader that failed
	 */
	CHECK(pol.naddrs > 0);
	size_t known = 0;
	for (size_t i = 0; i < pol.naddrs; i++) {
		const struct wfw_ifaddr *a = &pol.addrs[i];
		char t[64];
		addr_format(&a->addr, t, sizeof t);
		CHECK(a->prefix > 0 && a->prefix <= (a->addr.family == PS_INET ? 32 : 128));
		CHECK(a->profile == 0 || a->profile == WFW_DOMAIN || a->profile == WFW_PRIVATE ||
		      a->profile == WFW_PUBLIC);
		known += a->profile != 0;
		printf("  (%s/%u on %s: %s profile)\n", t, a->prefix, a->ifname ? a->ifname : "?",
		       a->profile ? wfw_profile_name(a->profile) : "no known");
	}
	/* nothing known is always said why */
	CHECK(known || !pol.naddrs || pol.addrs_why);
	if (pol.addrs_why)
		printf("  (not known: %s)\n", pol.addrs_why);
	printf("  (network profiles: %zu of %zu addresses in a known profile)\n", known,
	       pol.naddrs);
	wfw_policy_free(&pol);
}
