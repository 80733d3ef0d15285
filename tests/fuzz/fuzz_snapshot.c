/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_snapshot.c — snapshot documents (portsleuth snapshot / --json output) read by diff and
 * check. */
#include "../../src/model/filter.h"
#include "../../src/model/snapload.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = tu_exact(data, size);
	struct snapfile sf;
	struct snapload_error err;
	if (snapload_parse(buf, size, NULL, &sf, &err) == 0)
		snapfile_free(&sf);
	struct ps_filter f;
	filter_init(&f); /* the listening view: exercises owner-level filtering too */
	if (snapload_parse(buf, size, &f, &sf, &err) == 0)
		snapfile_free(&sf);
	filter_free(&f);
	free(buf);
	return 0;
}
