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

/* struct ps_ifaddr and struct ps_exe_check are model types (src/model/model.h). */

/*
 * Every address configured right now on an interface of this network namespace
 * (netlink RTM_GETADDR, IPv4 and IPv6). *out is a new array for
 * platform_ifaddrs_free(). 0 or -errno (then *out is NULL and *n is 0).
 */
int platform_local_addrs(struct ps_ifaddr **out, size_t *n);
void platform_ifaddrs_free(struct ps_ifaddr *a, size_t n);

/* The kernel's ephemeral port range (net.ipv4.ip_local_port_range). 0 or -errno. */
int platform_ephemeral_range(uint16_t *lo, uint16_t *hi);

/*
 * Check the executable `exe` (the readlink of /proc/PID/exe, possibly ending in
 * " (deleted)") of process `pid`: a few stat() calls, meant for the processes
 * actually shown. 0 or -errno (the process exited, or no permission).
 */
int platform_exe_check(int pid, const char *exe, struct ps_exe_check *out);

/*
 * Like platform_collect, for every network namespace (those of all processes and
 * of /run/netns): each is entered with setns(), dumped and labelled with its
 * inode in socket.netns; snap->nets lists them (name, a pid, its cgroup, listener
 * count). Namespaces that cannot be entered (not root) set snap->netns_error and
 * partial; ours is always listed. 0 or -errno.
 */
int platform_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f);

/*
 * Count the network namespaces besides ours into snap->netns_other and those
 * holding listening sockets into snap->netns_other_listening (needs root to enter
 * them; otherwise snap->netns_error is set). 0 or -errno.
 */
int platform_netns_census(struct ps_snapshot *snap);

/*
 * For the processes and sockets shown: each process's parent chain up to its
 * supervisor (ancestry, supervisor_kind/pid; ancestors read once and shared),
 * its socket-activation role (activation), and the cgroup2 path of every socket
 * without a visible owner from its cgroup id (sockcgs). 0 or -errno.
 */
int platform_services(struct ps_snapshot *snap);

/* Notifications of destroyed sockets, to see sockets that live between two listings. */
struct platform_sockevents;

/*
 * Subscribe to the kernel's notifications of destroyed TCP and UDP sockets (IPv4
 * and IPv6) of this network namespace. 0 and *out set; -EPERM without CAP_NET_ADMIN;
 * -ENOSYS where the platform has no such notifications; -errno.
 */
int platform_sockevents_open(struct platform_sockevents **out);
/* A descriptor that polls readable when notifications are waiting. */
int platform_sockevents_fd(const struct platform_sockevents *ev);
/*
 * Append every waiting notification to snap as a socket (addresses, ports, state at
 * destruction; inode and uid are 0: the kernel no longer knows them), never
 * blocking. The number appended; -ENOBUFS when the kernel dropped notifications
 * (what was read is still appended); -errno.
 */
long platform_sockevents_read(struct platform_sockevents *ev, struct ps_snapshot *snap);
void platform_sockevents_close(struct platform_sockevents *ev);

/* The identifier of the running boot (a new string). 0, -ENOSYS or -errno. */
int platform_boot_id(char **out);

#endif
