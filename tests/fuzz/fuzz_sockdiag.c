/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sockdiag.c — NETLINK_SOCK_DIAG dump replies (one recv() datagram) into the socket model. */
#include "../../src/model/filter.h"
#include "../../src/platform/linux/sockdiag.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = tu_exact(data, size);
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	for (unsigned proto = PS_TCP; proto <= PS_UDP; proto++) {
		struct ps_snapshot snap;
		memset(&snap, 0, sizeof snap);
		(void)sockdiag_parse_batch(buf, size, proto, &f, &snap);
		snap_free(&snap);
		struct ps_socket k;
		(void)sockdiag_parse_msg(buf, size, proto, &k);
	}
	filter_free(&f);
	free(buf);
	return 0;
}
