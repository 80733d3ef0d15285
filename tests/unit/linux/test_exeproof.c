/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_exeproof.c — the exe proof's mappings asked of the kernel (PROCMAP_QUERY) say what the
 * maps text says: found or not, and the same libraries, on this process's own memory. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../src/model/model.h"
#include "../../../src/platform/linux/exeproof.h"
#include "../test.h"

/* Both ways for dev:ino in /proc/self: the same answer, emptiness and libraries. */
static void same_both_ways(int procfd, dev_t dev, ino_t ino, bool libs, int want)
{
	struct ps_proc q = {0}, t = {0};
	bool qe = false, te = false;
	int qr = exeproof_maps_has(procfd, "self", dev, ino, false, &qe, libs ? &q : NULL);
	int tr = exeproof_maps_has(procfd, "self", dev, ino, true, &te, libs ? &t : NULL);
	CHECK_INT(qr, want);
	CHECK_INT(tr, want);
	CHECK(!qe && !te);
	CHECK_INT(q.nxlibs, t.nxlibs);
	for (size_t i = 0; i < q.nxlibs && i < t.nxlibs; i++)
		CHECK_STR(q.xlibs[i].path, t.xlibs[i].path);
	snap_proc_free(&q);
	snap_proc_free(&t);
}

TEST(exeproof_query_matches_maps_text)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat exe, other;
	if (procfd < 0 || stat("/proc/self/exe", &exe) != 0 || stat("/", &other) != 0) {
		CHECK(!"/proc/self/exe readable");
		return;
	}
	/* a library whose path has a newline and a space: the text writes it \012 */
	char dir[] = "/tmp/ps-exeproof-XXXXXX", path[96];
	void *map = MAP_FAILED;
	int fd = -1;
	if (mkdtemp(dir)) {
		snprintf(path, sizeof path, "%s/a\nb c.so", dir);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
		if (fd >= 0 && ftruncate(fd, 4096) == 0) /* noexec /tmp: no such mapping, still */
			map = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	}
	same_both_ways(procfd, exe.st_dev, exe.st_ino, true, 1);
	same_both_ways(procfd, exe.st_dev, exe.st_ino, false, 1);
	same_both_ways(procfd, other.st_dev, other.st_ino, true, 0);
	same_both_ways(procfd, other.st_dev, other.st_ino, false, 0);
	if (map != MAP_FAILED) {
		struct ps_proc q = {0};
		bool e;
		CHECK_INT(exeproof_maps_has(procfd, "self", exe.st_dev, exe.st_ino, false, &e, &q),
			  1);
		bool seen = false;
		for (size_t i = 0; i < q.nxlibs; i++)
			seen |= strstr(q.xlibs[i].path, "/a\\012b c.so") != NULL;
		CHECK(seen);
		snap_proc_free(&q);
		munmap(map, 4096);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	rmdir(dir);
	close(procfd);
}
