/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppool.h — spread per-process work over the CPUs. */
#ifndef PS_PPOOL_H
#define PS_PPOOL_H

#include <stddef.h>

#define PPOOL_MAX_THREADS 4 /* ppool_threads never answers more */

/*
 * Threads worth starting for n items of per-process /proc work (1 to 4): reading a
 * process's files costs kernel time that spreads over cores, but a thread's start costs
 * more than a few dozen processes' reads (and `watch` would start one every poll).
 */
size_t ppool_threads(size_t n);

/*
 * Call fn(ctx, w, i) once for every i in [0, n), over `threads` threads (ppool_threads'
 * answer, or 1); w (0 .. threads-1) names the calling thread, so fn can keep per-thread
 * state in ctx without locks. Items go to whichever thread is free. A thread that cannot
 * start leaves its share to the others. The first non-zero return stops that thread and
 * is returned (the others finish the items they took); 0 when every call returned 0.
 */
int ppool_run(size_t n, size_t threads, int (*fn)(void *ctx, size_t w, size_t i), void *ctx);

#endif
