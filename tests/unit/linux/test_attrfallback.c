/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_attrfallback.c — the Linux backend's words for why attribution did not use BPF. */
#include <string.h>

#include "../../../src/platform/linux/attr_bpf.h"
#include "../test.h"

TEST(attr_fallbacks_named_and_distinct)
{
	/* the JSON's attribution.fallback_reason: stable tokens, one per reason */
	CHECK(attr_fallback_of(PS_ATTR_NONE) == NULL);
	CHECK(attr_fallback_of(PS_ATTR__COUNT) == NULL);
	for (unsigned r = 1; r < PS_ATTR__COUNT; r++) {
		const struct ps_attr_fallback *f = attr_fallback_of(r);
		CHECK(f != NULL && f->name && *f->name != '\0');
		CHECK(strspn(f->name, "abcdefghijklmnopqrstuvwxyz-") == strlen(f->name));
		CHECK(f->text != NULL && strlen(f->text) > strlen(f->name));
		for (unsigned q = 1; q < r; q++)
			CHECK(strcmp(f->name, attr_fallback_of(q)->name) != 0);
		/* only a refusal by the kernel is an error with its errno; the rest are notes */
		CHECK(f->refused == (r == PS_ATTR_LOAD_FAILED));
	}
	CHECK(strcmp(attr_fallback_of(PS_ATTR_NOT_PRIVILEGED)->name, "not-privileged") == 0);
}
