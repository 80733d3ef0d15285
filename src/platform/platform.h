/* platform.h — the interface every platform backend (linux, stub) implements. */
#ifndef PS_PLATFORM_H
#define PS_PLATFORM_H

#include "../model/filter.h"
#include "../model/model.h"

/*
 * Append to `snap` every socket that matches the socket-level parts of `f`
 * (protocol, family, state, port), pushing them into the kernel request where the
 * platform can. Sets snap->source. 0 or -errno (nothing could be listed at all).
 */
int platform_collect(struct ps_snapshot *snap, const struct ps_filter *f);

/*
 * Find every process holding each socket of `snap` and set every socket's
 * owner_status; the counts of scanned, denied and vanished processes go into snap.
 * Races with exiting processes are not errors. `f` is the query the sockets came
 * from, used to re-check sockets whose owner could not be found. 0 or -errno.
 */
int platform_attribute(struct ps_snapshot *snap, const struct ps_filter *f);

/*
 * Read the details (name, exe, command line, uid, parent, start time, cgroup) of
 * every process in `snap`. A process that exited meanwhile is marked vanished;
 * refused details leave fields NULL and set snap->partial. 0 or -errno.
 */
int platform_describe(struct ps_snapshot *snap);

#endif
