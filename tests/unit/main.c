/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c — runs every registered unit test; an argument runs only tests whose name contains it. */
#include <stdio.h>
#include <stdlib.h>

#include "test.h"

struct test {
	const char *name;
	test_fn fn;
};
/* grown as constructors register them: no number of tests is ever dropped */
static struct test *tests;
static int ntests, cap;
int test_current_failed;

void test_register(const char *name, test_fn fn)
{
	if (ntests == cap) {
		int ncap = cap ? cap * 2 : 256;
		struct test *nt = realloc(tests, (size_t)ncap * sizeof *nt);
		if (!nt) { /* before main: say so and stop rather than run a partial suite */
			fprintf(stderr, "unit: cannot register test %s: out of memory\n", name);
			exit(2);
		}
		tests = nt;
		cap = ncap;
	}
	tests[ntests++] = (struct test){name, fn};
}

void test_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, what);
	test_current_failed = 1;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		test_current_failed = 0;
		tests[i].fn();
		if (test_current_failed) {
			failed++;
			fprintf(stderr, "FAIL %s\n", tests[i].name);
		} else {
			passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	free(tests);
	return failed ? 1 : 0;
}
