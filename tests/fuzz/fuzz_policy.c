/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_policy.c — policy files for `portsleuth check --policy`. */
#include "../../src/model/policy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = tu_exact(data, size);
	struct policy p;
	memset(&p, 0, sizeof p);
	struct policy_error err;
	(void)policy_parse(buf, size, &p, &err);
	policy_free(&p);
	free(buf);
	return 0;
}
