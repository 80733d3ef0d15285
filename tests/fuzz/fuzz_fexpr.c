/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_fexpr.c — ss-style filter expressions (the words after portsleuth's options): parse, then
 * match a few sockets and take the kernel's port cover. */
#include <errno.h>

#include "../../src/model/fexpr.h"
#include "fuzz.h"

static int svc(const char *name, uint16_t *port)
{
	if (strcmp(name, "ssh") == 0)
		*port = 22;
	else if (strcmp(name, "https") == 0)
		*port = 443;
	else
		return -ENOENT;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct fexpr *e = NULL;
	const char *why = NULL;
	size_t at = 0;
	if (fexpr_parse(text, svc, &e, &why, &at) == 0) {
		struct ps_socket k[3];
		memset(k, 0, sizeof k);
		k[0].local.addr.family = k[0].remote.addr.family = PS_INET;
		k[0].local.addr.bytes[0] = 127, k[0].local.addr.bytes[3] = 1;
		k[0].local.port = 22;
		k[1].local.addr.family = k[1].remote.addr.family = PS_INET6;
		k[1].local.addr.bytes[10] = k[1].local.addr.bytes[11] = 0xff;
		k[1].local.addr.bytes[12] = 10;
		k[1].local.port = 443, k[1].remote.port = 51000;
		k[2].local.addr.family = k[2].remote.addr.family = PS_INET6;
		k[2].remote.addr.bytes[15] = 1, k[2].remote.port = 65535;
		for (size_t i = 0; i < 3; i++)
			(void)fexpr_match(e, &k[i]);
		struct fexpr_range r[16];
		size_t n = fexpr_port_cover(e, r, 16);
		if (n > 16)
			abort();
	} else if (!why || at > size) {
		abort(); /* an error always says why, and where inside the text */
	}
	fexpr_free(e);
	free(text);
	return 0;
}
