/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppool.c — spread per-process work over the CPUs. */
#include "ppool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define ITEMS_PER_THREAD 64

size_t ppool_threads(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t t = cpus > 1 ? (size_t)cpus : 1;
	if (t > PPOOL_MAX_THREADS)
		t = PPOOL_MAX_THREADS;
	if (t > n / ITEMS_PER_THREAD)
		t = n / ITEMS_PER_THREAD ? n / ITEMS_PER_THREAD : 1;
	return t;
}

struct pool {
	size_t n;
	atomic_size_t next;
	int (*fn)(void *ctx, size_t w, size_t i);
	void *ctx;
};

struct thread {
	struct pool *pool;
	size_t w;
	int rc;
	pthread_t id;
};

static void *thread_run(void *arg)
{
	struct thread *t = arg;
	struct pool *p = t->pool;
	for (size_t i; !t->rc && (i = atomic_fetch_add(&p->next, 1)) < p->n;)
		t->rc = p->fn(p->ctx, t->w, i);
	return NULL;
}

int ppool_run(size_t n, size_t threads, int (*fn)(void *ctx, size_t w, size_t i), void *ctx)
{
	struct pool p = {.n = n, .fn = fn, .ctx = ctx};
	atomic_init(&p.next, 0);
	struct thread t[PPOOL_MAX_THREADS] = {{0}};
	size_t started = 1;
	if (threads > PPOOL_MAX_THREADS)
		threads = PPOOL_MAX_THREADS;
	for (size_t i = 0; i < (threads ? threads : 1); i++)
		t[i] = (struct thread){.pool = &p, .w = i};
	for (size_t i = 1; i < threads; i++) {
		if (pthread_create(&t[i].id, NULL, thread_run, &t[i]) != 0)
			break;
		started = i + 1;
	}
	thread_run(&t[0]);
	int rc = t[0].rc;
	for (size_t i = 1; i < started; i++) {
		pthread_join(t[i].id, NULL);
		if (!rc)
			rc = t[i].rc;
	}
	return rc;
}
