/* main.c — runs every registered unit test; an argument runs only tests whose name contains it. */
#include <stdlib.h>

#include "test.h"

struct test {
	const char *name;
	test_fn fn;
};
static struct test tests[1024];
static int ntests;
int test_current_failed;

void test_register(const char *name, test_fn fn)
{
	if (ntests < (int)(sizeof tests / sizeof tests[0]))
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
	return failed ? 1 : 0;
}
