/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_procparse.c — /proc text: PID/stat, PID/status, /proc/stat, PID/cgroup, fd links, /proc/net
 * lines. */
#include "../../src/platform/linux/procparse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = tu_exact(data, size);
	char *comm = NULL;
	int ppid;
	uint64_t start, inode;
	if (proc_parse_stat(buf, size, &comm, &ppid, &start) == 0 && !comm)
		abort();
	free(comm);
	uint32_t euid;
	(void)proc_parse_status_uid(buf, size, &euid);
	int64_t btime;
	(void)proc_parse_btime(buf, size, &btime);
	size_t plen = 0;
	const char *path = proc_parse_cgroup(buf, size, &plen);
	if (path && (path < buf || path + plen > buf + size))
		abort();
	(void)proc_parse_socket_link(buf, size, &inode);
	free(buf);

	char *line = fuzz_cstr(data, size);
	struct ps_socket k;
	static const unsigned fams[] = {PS_INET, PS_INET6};
	for (size_t i = 0; i < 2; i++)
		for (unsigned proto = PS_TCP; proto <= PS_UDP; proto++)
			(void)procnet_parse_line(line, fams[i], proto, &k);
	free(line);
	return 0;
}
