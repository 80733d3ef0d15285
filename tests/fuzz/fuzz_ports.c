/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_ports.c — user port files (--ports-file, ~/.config/portsleuth/ports), then lookups through
 * them. */
#include "../../src/enrich/registry.h"
#include "../../src/model/model.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = tu_exact(data, size);
	struct registry r;
	memset(&r, 0, sizeof r);
	if (registry_add_user_text(&r, "fuzz", buf, size) == 0) {
		static const uint16_t ports[] = {0, 1, 22, 80, 443, 8080, 31337, 65535};
		struct port_info info;
		for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
			for (unsigned proto = PS_TCP; proto <= PS_UDP; proto++)
				(void)registry_lookup(&r, ports[i], proto, &info);
	}
	registry_free(&r);
	free(buf);
	return 0;
}
