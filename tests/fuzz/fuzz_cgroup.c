/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cgroup.c — cgroup paths (from /proc/PID/cgroup) to unit, slice, container and pod. */
#include "../../src/platform/linux/cgroup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = tu_exact(data, size);
	struct cgroup_info ci;
	memset(&ci, 0, sizeof ci);
	if (cgroup_classify(path, size, &ci) == 0 && ci.container && !ci.runtime)
		abort();
	cgroup_info_free(&ci);
	free(path);
	return 0;
}
