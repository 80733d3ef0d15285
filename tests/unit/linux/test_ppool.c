/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ppool.c — the per-process thread pool: every item once, per-thread state, errors. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "../../../src/platform/linux/ppool.h"
#include "../test.h"

struct count_job {
	atomic_int *seen;	       /* how often each item was handed out */
	size_t per[PPOOL_MAX_THREADS]; /* items each thread did (unshared: no lock) */
	size_t fail_at;		       /* the item whose call fails (n: none) */
};

static int count_item(void *ctx, size_t w, size_t i)
{
	struct count_job *j = ctx;
	atomic_fetch_add(&j->seen[i], 1);
	j->per[w]++;
	return i == j->fail_at ? -EIO : 0;
}

TEST(ppool_every_item_once)
{
	enum { N = 5000 };
	atomic_int *seen = calloc(N, sizeof *seen);
	CHECK(seen != NULL);
	if (!seen)
		return;
	for (size_t threads = 1; threads <= PPOOL_MAX_THREADS; threads++) {
		struct count_job j = {.seen = seen, .fail_at = N};
		for (size_t i = 0; i < N; i++)
			atomic_init(&seen[i], 0);
		CHECK(ppool_run(N, threads, count_item, &j) == 0);
		size_t once = 0, total = 0;
		for (size_t i = 0; i < N; i++)
			once += atomic_load(&seen[i]) == 1;
		for (size_t w = 0; w < PPOOL_MAX_THREADS; w++)
			total += j.per[w];
		CHECK(once == N);
		CHECK(total == N);
		for (size_t w = threads; w < PPOOL_MAX_THREADS; w++)
			CHECK(j.per[w] == 0); /* no thread beyond those asked for */
	}
	free(seen);
}

TEST(ppool_error_stops)
{
	enum { N = 1000 };
	atomic_int *seen = calloc(N, sizeof *seen);
	CHECK(seen != NULL);
	if (!seen)
		return;
	struct count_job j = {.seen = seen, .fail_at = 10};
	CHECK(ppool_run(N, 1, count_item, &j) == -EIO);
	CHECK(j.per[0] == 11); /* one thread: it stops right after the failing item */
	free(seen);
	CHECK(ppool_run(0, 2, count_item, &j) == 0); /* nothing to do: fn never called */
}

TEST(ppool_threads_scale)
{
	CHECK(ppool_threads(0) == 1);
	CHECK(ppool_threads(10) == 1); /* a few processes: a thread costs more than it saves */
	CHECK(ppool_threads(100000) >= 1 && ppool_threads(100000) <= PPOOL_MAX_THREADS);
}
