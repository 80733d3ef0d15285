/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_readfile.c — bounded whole-file reads: exact size, cut, refused, missing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/util/readfile.h"
#include "test.h"

static char *make_file(size_t n)
{
	static char path[] = "/tmp/ps-readfile-XXXXXX";
	char *p = path;
	snprintf(p, sizeof path, "/tmp/ps-readfile-XXXXXX");
	int fd = mkstemp(p);
	if (fd < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		if (write(fd, &c, 1) != 1)
			break;
	}
	close(fd);
	return p;
}

TEST(read_file_at_bounds)
{
	struct buf b = {0};
	bool cut = true;
	char *p = make_file(10000);
	CHECK(p != NULL);
	CHECK_INT(read_file_at(AT_FDCWD, p, &b, 20000, 0, &cut), 0);
	CHECK_INT(b.len, 10000);
	CHECK(!cut);
	CHECK(b.data[9999] == 'a' + 9999 % 26 && b.data[10000] == '\0');
	CHECK_INT(read_file_at(AT_FDCWD, p, &b, 10000, 0, &cut), 0); /* exactly the limit */
	CHECK_INT(b.len, 10000);
	CHECK(!cut);
	CHECK_INT(read_file_at(AT_FDCWD, p, &b, 4097, 0, &cut), 0);
	CHECK_INT(b.len, 4097);
	CHECK(cut);
	CHECK_INT(read_file_at(AT_FDCWD, p, &b, 4097, 0, NULL), -EFBIG); /* no cut allowed */
	unlink(p);
	CHECK_INT(read_file_at(AT_FDCWD, p, &b, 100, 0, NULL), -ENOENT);
	p = make_file(0);
	CHECK_INT(read_file_at(AT_FDCWD, p, &b, 100, 0, &cut), 0);
	CHECK_INT(b.len, 0);
	CHECK(!cut);
	unlink(p);
	buf_free(&b);
}

/* The short-read variant reads the same bytes as the plain one: a file past several reads, the
 * limit, and this process's own command line and environment (what it is used for). */
TEST(read_file_at_short_same_bytes)
{
	struct buf a = {0}, b = {0};
	bool cut = true, cut2 = true;
	char *p = make_file(10000);
	CHECK(p != NULL);
	CHECK_INT(read_file_at_short(AT_FDCWD, p, &b, 20000, &cut), 0);
	CHECK_INT(b.len, 10000);
	CHECK(!cut);
	CHECK(b.data[9999] == 'a' + 9999 % 26 && b.data[10000] == '\0');
	CHECK_INT(read_file_at_short(AT_FDCWD, p, &b, 4097, &cut), 0);
	CHECK_INT(b.len, 4097);
	CHECK(cut);
	CHECK_INT(read_file_at_short(AT_FDCWD, p, &b, 4097, NULL), -EFBIG);
	unlink(p);
	CHECK_INT(read_file_at_short(AT_FDCWD, p, &b, 100, NULL), -ENOENT);
	static const char *const own[] = {"/proc/self/cmdline", "/proc/self/environ"};
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
		if (access(own[i], R_OK) != 0)
			continue; /* no /proc here */
		CHECK_INT(read_file_at(AT_FDCWD, own[i], &a, 1 << 20, 0, &cut), 0);
		CHECK_INT(read_file_at_short(AT_FDCWD, own[i], &b, 1 << 20, &cut2), 0);
		CHECK_INT(a.len, b.len);
		CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
		CHECK(cut == cut2);
	}
	buf_free(&a);
	buf_free(&b);
}

/* Links of any length are read whole (past the first guess of 256 bytes), else an error. */
TEST(read_link_at_long_targets)
{
	char target[3000];
	memset(target, 'x', sizeof target - 1);
	target[0] = '/';
	target[sizeof target - 1] = '\0';
	char lnk[] = "/tmp/ps-readlink-XXXXXX";
	int fd = mkstemp(lnk);
	CHECK(fd >= 0);
	close(fd);
	unlink(lnk);
	CHECK_INT(symlink(target, lnk), 0);
	char *got = NULL;
	CHECK_INT(read_link_at(AT_FDCWD, lnk, &got), 0);
	CHECK_STR(got, target);
	free(got);
	unlink(lnk);
	got = NULL;
	CHECK_INT(read_link_at(AT_FDCWD, lnk, &got), -ENOENT);
	CHECK(got == NULL);
}
