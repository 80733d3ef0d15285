/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform.h — the contract between portable code and an operating-system backend.
 *
 * A backend (src/platform/linux, windows, stub; a FreeBSD or macOS one would sit
 * beside them) defines exactly one `const struct platform_ops platform_ops` and
 * nothing else that portable code calls. Every op is optional: a NULL op means
 * "this platform cannot do that", and the inline wrapper below answers for it
 * (-ENOSYS, or 0 with nothing filled where missing data is the normal case), so a
 * backend never carries no-op functions. Portable code calls the wrappers
 * (platform_collect, ...) and asks platform_caps() what the platform can see; the
 * caps are derived from which ops are present, never listed twice. A backend's
 * files reach its other ops through the same wrappers (or its backend.h).
 *
 * Order of a run (src/core/pipeline.c): collect (or collect_all_netns) →
 * attribute → describe → ancestry, activation, socket_cgroups → units →
 * local_addrs/netns_addrs, mcast_groups → exe_facts, script_facts → pkgdb_*
 * (packages.h) → user_name. Errors are 0 or -errno; no op prints.
 *
 * Socket identity: ps_socket.inode is an opaque, platform-defined key, unique per
 * socket within one network namespace of one snapshot, 0 when the platform has
 * none for that socket (Linux: the socket's inode; a platform without one may
 * number its sockets). Portable code only compares it for equality.
 */
#ifndef PS_PLATFORM_H
#define PS_PLATFORM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../model/filter.h"
#include "../model/fwsource.h"
#include "../model/model.h"
#include "../model/sockset.h"

/* A local_addrs / netns_addrs result: the table kept changing while it was read. */
#define PS_ADDRS_CHANGING 1

struct stat;
struct pkgdb;			   /* a backend's package database reader (packages.h) */
struct platform_sockevents;	   /* a subscription to destroyed-socket notifications */
struct platform_sockstate;	   /* a subscription to TCP state changes */
struct platform_file;		   /* a file portsleuth writes (snapshot -o, watch --log) */
enum { PLATFORM_FILE_APPEND = 1 }; /* file_open_write: append instead of replacing */

/* The operations of one backend; see the top of this file for what NULL means. */
struct platform_ops {
	/* "linux", "windows", "stub": named in messages such as "--all-ns needs ...". */
	const char *name;
	/*
	 * Data, not an op, because it describes what collect does rather than whether
	 * something can be done: true when collect reports each socket's owner pids
	 * itself (attribute only groups them; a denied process then means a hidden
	 * owner, not an unscanned one).
	 */
	bool owners_from_collect;
	/* Data: how this system names processes' files, packages, handles and stop
	 * commands in findings and advice (model.h); NULL: ps_os_words_plain. */
	const struct ps_os_words *words;

	/*
	 * Append to `snap` every socket that matches the socket-level parts of `f`
	 * (protocol, family, state, port), pushing them into the kernel request where the
	 * platform can. Sets snap->source. A platform whose socket tables name the owning
	 * processes (owners_from_collect above) also adds those processes and owners here
	 * (snap_add_proc, snap_add_owner with fd -1 when unknown) and sets their
	 * owner_status. 0 or -errno (nothing could be listed at all).
	 */
	int (*collect)(struct ps_snapshot *snap, const struct ps_filter *f);

	/*
	 * Find every process holding each socket of `snap` and set every socket's
	 * owner_status; the counts of scanned, denied and vanished processes go into snap.
	 * Owners collect already reported are kept: attribution only fills what is
	 * missing. Races with exiting processes are not errors. `f` is the query the
	 * sockets came from, used to re-check sockets whose owner could not be found.
	 * 0 or -errno.
	 */
	int (*attribute)(struct ps_snapshot *snap, const struct ps_filter *f);

	/*
	 * Read the details (name, exe, command line, uid, parent, start time, cgroup) of
	 * every process in `snap`. A process that exited meanwhile is marked vanished;
	 * refused details leave fields NULL and set snap->partial. 0 or -errno.
	 */
	int (*describe)(struct ps_snapshot *snap);

	/*
	 * Every address configured right now on an interface of this network namespace
	 * (Linux: netlink RTM_GETADDR), IPv4 and IPv6. *out is a new array for
	 * platform_ifaddrs_free(). 0; PS_ADDRS_CHANGING when the table kept changing
	 * while it was read (the last read is in *out: an address may be missing or
	 * twice); -errno (then *out is NULL and *n is 0).
	 */
	int (*local_addrs)(struct ps_ifaddr **out, size_t *n);
	void (*ifaddrs_free)(struct ps_ifaddr *a, size_t n);

	/*
	 * The interface addresses of network namespace ns (entered through ns->pid, or
	 * /run/netns/NAME when that process is gone or none is known; a path that no longer
	 * leads to namespace ns->inode is not taken), to judge who reaches its sockets and
	 * to find which namespace a forwarded port's target address lives in. *out as
	 * platform_local_addrs() makes it (free with platform_ifaddrs_free). With groups
	 * non-NULL, the multicast groups joined in it too, as platform_mcast_groups() makes
	 * them (best effort: none when they cannot be read). 0; PS_ADDRS_CHANGING (the list
	 * is in *out); Absent (namespaces cannot be entered): -ENOSYS; -ESTALE when the
	 * namespace is gone; -errno.
	 */
	int (*netns_addrs)(const struct ps_netns *ns, struct ps_ifaddr **out, size_t *n,
			   struct ps_ifaddr **groups, size_t *ngroups);

	/*
	 * The multicast groups joined right now on each interface of this network
	 * namespace, IPv4 and IPv6 (Linux: /proc/net/igmp and igmp6), as ps_ifaddr with
	 * the group in addr: a socket bound to a group receives it on those interfaces.
	 * *out is a new array for platform_ifaddrs_free(). 0 or -errno.
	 */
	int (*mcast_groups)(struct ps_ifaddr **out, size_t *n);

	/* The ephemeral (dynamic) port range (Linux: net.ipv4.ip_local_port_range). 0 or -errno. */
	int (*ephemeral_range)(uint16_t *lo, uint16_t *hi);

	/*
	 * What process p (described: pid, name, exe, cmdline) really runs, from the
	 * kernel rather than the text of its exe link: the file by device and inode
	 * (through /proc/PID/exe itself), whether its path — in our view, else in the
	 * process's own root and mount namespace — still names that file, names another
	 * (replaced) or nothing (deleted), and a link in a system directory named like
	 * the process that leads to it. Fills p->exe_check, p->exe_path, p->exe_alias and
	 * p->alias_alternatives: a few lookups, meant for the processes actually shown.
	 * Done for every process i of snap with wanted[i] (described, not vanished), setting
	 * p->exe_checked when the answer is the platform's; a process that exited or refused
	 * is left unchecked. Processes running the same file in the same view may share one
	 * check. 0, -ENOMEM, or -errno when nothing could be checked.
	 */
	int (*exe_facts)(struct ps_snapshot *snap, const bool *wanted);

	/*
	 * The script `arg` (len bytes from p's arguments; relative to its working
	 * directory) as p sees it: p->script is filled when it is a regular file (looked
	 * up with O_PATH only: a FIFO or device is never opened, nothing is read). No
	 * such file leaves p->script.path NULL. 0 or -ENOMEM.
	 */
	int (*script_facts)(struct ps_proc *p, const char *arg, size_t len);

	/*
	 * Like platform_collect, for every network namespace (Linux: those
	 * of all processes and of /run/netns, each entered with setns()): sockets are
	 * labelled with their namespace's id in socket.netns; snap->nets lists them (name,
	 * a pid, its cgroup, listener count). Namespaces that cannot be entered (not root)
	 * set snap->netns_error and partial; ours is always listed. 0 or -errno. Absent:
	 * no namespaces (caps.namespaces false); platform_collect_all_netns lists our one
	 * through collect.
	 */
	int (*collect_all_netns)(struct ps_snapshot *snap, const struct ps_filter *f);

	/*
	 * Count the network namespaces besides ours into snap->netns_other, without
	 * entering any (the cost must not grow with their number). 0 or -errno.
	 */
	int (*netns_census)(struct ps_snapshot *snap);

	/*
	 * Why each process runs — separate stages, each 0 or -errno (-ENOMEM). Absent:
	 * the fields stay empty (the wrappers return 0).
	 */

	/* Each process's parent chain up to its supervisor (ancestry, supervisor_kind/pid). */
	int (*ancestry)(struct ps_snapshot *snap);

	/* The socket-activation role of the holders of listening sockets (ps_proc.activation). */
	int (*activation)(struct ps_snapshot *snap);

	/* The cgroup of every socket without a visible owner (snap->sockcgs, socket.sockcg). */
	int (*socket_cgroups)(struct ps_snapshot *snap);

	/*
	 * The service and container behind every process, socket cgroup and namespace:
	 * unit, unit_type, slice, container (+ name, runtime, pod), published ports of
	 * container proxies, namespace names (Linux: from cgroup paths and the Docker /
	 * Podman state directories). Runs after the three above. Missing state leaves
	 * names NULL. 0 or -ENOMEM.
	 */
	int (*units)(struct ps_snapshot *snap);

	/*
	 * Notifications of destroyed sockets, to see sockets that live between two
	 * listings: the five sockevents_ ops come together or not at all (absent: watch
	 * polls, caps.destroy_events is false).
	 */

	/*
	 * Subscribe to the kernel's notifications of destroyed TCP and UDP sockets (IPv4
	 * and IPv6) of this network namespace. 0 and *out set; -EPERM without CAP_NET_ADMIN;
	 * -errno.
	 */
	int (*sockevents_open)(struct platform_sockevents **out);
	/* A descriptor that polls readable when notifications are waiting. */
	int (*sockevents_fd)(const struct platform_sockevents *ev);
	/*
	 * Append every waiting notification to snap as a socket (addresses, ports, state at
	 * destruction; inode and uid are 0: the kernel no longer knows them), never
	 * blocking. The number appended; -ENOBUFS when the kernel dropped notifications
	 * (what was read is still appended); -errno.
	 */
	long (*sockevents_read)(struct platform_sockevents *ev, struct ps_snapshot *snap);
	void (*sockevents_close)(struct platform_sockevents *ev);

	/*
	 * The kernel's TCP state changes as they happen (Linux: BPF on the tracepoint
	 * sock:inet_sock_set_state), so a live view keeps its sockets current between two
	 * full listings: the three sockstate_ ops come together or not at all (absent:
	 * caps.state_events is false; the view lists everything at every refresh).
	 *
	 * Subscribe to the changes of every network namespace (all) or of ours. 0 and *out
	 * set; -EPERM without the privilege; -EOPNOTSUPP when this kernel or build cannot
	 * (*why then says why, static text); -errno.
	 */
	int (*sockstate_open)(bool all, struct platform_sockstate **out, const char **why);
	/*
	 * Append the changes waiting (never blocking), oldest first, to (*v)[*n..], growing
	 * *v (capacity *cap, util_grow). The number appended; -ENOBUFS when changes were lost
	 * since the last read (the caller must list everything again; what was read is
	 * appended); -ENOMEM.
	 */
	long (*sockstate_read)(struct platform_sockstate *st, struct ps_sockchange **v, size_t *n,
			       size_t *cap);
	void (*sockstate_close)(struct platform_sockstate *st);
	/* The identifier of the running boot (a new string). 0 or -errno. Absent: -ENOSYS. */
	int (*boot_id)(char **out);

	/* Whether a process with this pid exists now (in our pid numbering): 1 yes (also when
	 * we may not look at it), 0 no, -errno when it cannot be told. Absent: -ENOSYS. */
	int (*pid_exists)(int pid);

	/*
	 * The counters (snap_tcp) of the TCP sockets snap->socks[idx[i]], i < n, asked
	 * one by one so a live view pays only for the rows it shows (a whole listing gets
	 * them with ps_filter.tcp_info instead). A socket closed since keeps what it had.
	 * 0 or -errno. Absent: -ENOSYS (the platform cannot read them).
	 */
	int (*tcp_stats)(struct ps_snapshot *snap, const size_t *idx, size_t n);

	/*
	 * Close the TCP connection k (both ends learn it was reset), as `ss -K`. 0;
	 * -EOPNOTSUPP when the system cannot (Linux: a kernel without
	 * CONFIG_INET_DIAG_DESTROY); -ENOENT when it is gone; -EPERM without the
	 * privilege. Absent: -ENOSYS.
	 */
	int (*sock_destroy)(const struct ps_socket *k);

	/*
	 * The firewall of the namespace req->ns names (NULL: the caller's) into *out (zeroed
	 * on entry; fwsource_free() it in any case), tagged with the firewall it is: the
	 * backend returns its own kind (Linux: nf_tables rules and the iptables-legacy
	 * tables; Windows: the Windows Firewall policy), or PS_FW_SRC_NONE with err and a
	 * reason the user reads (no permission, not in this build, kept changing), naming
	 * in `unread` the firewall that is there but could not be read. A new firewall is a
	 * new tag (model/fwsource.h) and a judge in enrich. Not reading is no failure: 0,
	 * or -ENOMEM. Absent: NONE, "not supported on this platform".
	 */
	int (*firewall_read)(const struct ps_fw_request *req, struct ps_fw_source *out);

	/*
	 * getenv() for a variable that names configuration or state (HOME, XDG_*,
	 * PORTSLEUTH_*): NULL when the process runs with privileges its invoking user
	 * lacks, where the environment is the caller's to forge (Linux: secure_getenv,
	 * so setuid, setgid and file capabilities; elsewhere at least set-id).
	 */
	const char *(*secure_getenv)(const char *name);

	/*
	 * Why the open file fd (st: its fstat), named through the environment, must not
	 * be used as configuration by a process that may be privileged; NULL when it may.
	 * Linux and POSIX: owned by someone other than root or the effective user, or
	 * writable by group or others (util/trust.h). Windows, where the C runtime's mode
	 * bits and owner are made up: the file's owner is not the current user,
	 * Administrators, SYSTEM or TrustedInstaller, or its access list lets another
	 * account or group (Everyone, Authenticated Users, Users, ...) write to it.
	 */
	const char *(*file_untrusted_why)(int fd, const struct stat *st);

	/*
	 * Why the file opened by `path` (opened: its fstat) must not be used as configuration
	 * because of how the path reaches it; NULL when it may. Linux: a symbolic link on the way
	 * owned by someone other than root or the effective user (its owner chooses what root
	 * reads), or the path no longer names the opened file. Absent: no links are checked.
	 */
	const char *(*path_links_untrusted_why)(const char *path, const struct stat *opened);

	/*
	 * The canonical path of `path` (every link followed), as a new string, or NULL
	 * when it cannot be resolved (missing, no permission) or out of memory.
	 */
	char *(*real_path)(const char *path);

	/*
	 * The name of user `uid` as a new string in *out (Linux: the passwd database;
	 * Windows: the account of a token seen by platform_describe, "DOMAIN\\user").
	 * 0, -ENOENT (no such user) or -ENOMEM.
	 */
	int (*user_name)(uint32_t uid, char **out);
	/* The uid of the user called `name` (for --user NAME). 0, -ENOENT or -ENOMEM. */
	int (*user_uid)(const char *name, uint32_t *uid);

	/*
	 * The safe file writer (snapshot -o, watch --log): the four file_ ops come
	 * together or not at all (absent: -ENOSYS, nothing is written).
	 *
	 * Open `path` for writing as a process that may be root in directories other
	 * users can write to. On Linux: a regular file (or a missing one) is replaced
	 * atomically by a temporary created beside it (O_CREAT|O_EXCL|O_NOFOLLOW, random
	 * name, exactly `mode`) renamed over it at commit; with PLATFORM_FILE_APPEND it
	 * is opened O_APPEND|O_NOFOLLOW (created with `mode`) and checked to be the file
	 * the name holds, with no other hard link. A character device, a FIFO or our own
	 * stdout/stderr is written to directly, also through symbolic links that root
	 * or the invoking user owns (followed one by one, each checked; only the magic
	 * links of /proc such as /proc/self/fd/1 are left to the kernel). Nothing is
	 * written through a link another user owns (in any component of the path or
	 * of the chain), no device or FIFO another user owns is written to, an
	 * existing log must be ours or root's, and nothing else is ever replaced.
	 * 0 and *out set; -EPERM for a refusal, with *why saying why (static
	 * text); else -errno (*why NULL): -EISDIR, -ENOENT, -EACCES as usual.
	 */
	int (*file_open_write)(const char *path, unsigned flags, unsigned mode,
			       struct platform_file **out, const char **why);
	/* Write all of data (retrying short writes). 0 or -errno (ENOSPC on a full device). */
	int (*file_write)(struct platform_file *f, const void *data, size_t len);
	/*
	 * Finish and free f: sync a regular file, close, and rename a temporary over the
	 * target. 0 or -errno (the first error of sync, close or rename; then the
	 * target is untouched). f may be NULL.
	 */
	int (*file_commit)(struct platform_file *f);
	/* Drop f: the temporary is removed, the target untouched. f may be NULL. */
	void (*file_abort)(struct platform_file *f);

	/*
	 * The package database (see packages.h for what each does): the seven pkgdb_
	 * ops come together or not at all (absent: every executable's package stays
	 * unknown, "this platform has no package database"); pkgdb_signature only on a
	 * platform that proves files by their signature.
	 */
	struct pkgdb *(*pkgdb_new)(const char *where);
	int (*pkgdb_want)(struct pkgdb *db, const char *const *paths, size_t n);
	enum pkg_status (*pkgdb_status)(const struct pkgdb *db, const char *path, const char **pkg);
	int (*pkgdb_signature)(const struct pkgdb *db, const char *path, struct ps_signature *out);
	const char *(*pkgdb_reason)(const struct pkgdb *db);
	const char *(*pkgdb_kind)(const struct pkgdb *db);
	void (*pkgdb_stats)(const struct pkgdb *db, size_t *files, size_t *scans);
	void (*pkgdb_free)(struct pkgdb *db);
};

/* The running platform's backend (one per build). */
extern const struct platform_ops platform_ops;

/* What the running platform can see, derived from platform_ops (for messages and usage). */
struct platform_caps {
	const char *name;
	bool owners_from_collect; /* platform_ops.owners_from_collect */
	bool namespaces;	  /* collect_all_netns: --all-ns, the census, netns labels */
	bool destroy_events;	  /* sockevents_open: watch sees short-lived sockets */
	bool state_events; /* sockstate_open: top follows TCP state changes between listings */
	bool package_db;   /* pkgdb_new: executables traced to an installed package */
};

static inline struct platform_caps platform_caps_of(const struct platform_ops *o)
{
	return (struct platform_caps){
	    .name = o->name,
	    .owners_from_collect = o->owners_from_collect,
	    .namespaces = o->collect_all_netns != NULL,
	    .destroy_events = o->sockevents_open != NULL,
	    .state_events = o->sockstate_open != NULL,
	    .package_db = o->pkgdb_new != NULL,
	};
}

/* The capabilities of the running platform (static, never NULL). */
const struct platform_caps *platform_caps(void);

/* The wrappers portable code calls: the op, or what its absence means. */

#define PS_OP (&platform_ops)

static inline int platform_collect(struct ps_snapshot *snap, const struct ps_filter *f)
{
	return PS_OP->collect ? PS_OP->collect(snap, f) : -ENOSYS;
}
static inline int platform_attribute(struct ps_snapshot *snap, const struct ps_filter *f)
{
	return PS_OP->attribute ? PS_OP->attribute(snap, f) : -ENOSYS;
}
static inline int platform_describe(struct ps_snapshot *snap)
{
	return PS_OP->describe ? PS_OP->describe(snap) : -ENOSYS;
}
static inline int platform_local_addrs(struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return PS_OP->local_addrs ? PS_OP->local_addrs(out, n) : -ENOSYS;
}
static inline void platform_ifaddrs_free(struct ps_ifaddr *a, size_t n)
{
	if (PS_OP->ifaddrs_free)
		PS_OP->ifaddrs_free(a, n);
}
static inline int platform_netns_addrs(const struct ps_netns *ns, struct ps_ifaddr **out, size_t *n,
				       struct ps_ifaddr **groups, size_t *ngroups)
{
	if (PS_OP->netns_addrs)
		return PS_OP->netns_addrs(ns, out, n, groups, ngroups);
	*out = NULL;
	*n = 0;
	if (groups) {
		*groups = NULL;
		*ngroups = 0;
	}
	return -ENOSYS;
}
static inline int platform_mcast_groups(struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return PS_OP->mcast_groups ? PS_OP->mcast_groups(out, n) : -ENOSYS;
}
static inline int platform_ephemeral_range(uint16_t *lo, uint16_t *hi)
{
	return PS_OP->ephemeral_range ? PS_OP->ephemeral_range(lo, hi) : -ENOSYS;
}
static inline int platform_exe_facts(struct ps_snapshot *snap, const bool *wanted)
{
	return PS_OP->exe_facts ? PS_OP->exe_facts(snap, wanted) : -ENOSYS;
}
static inline int platform_script_facts(struct ps_proc *p, const char *arg, size_t len)
{
	return PS_OP->script_facts ? PS_OP->script_facts(p, arg, len) : 0;
}
static inline int platform_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f)
{
	return PS_OP->collect_all_netns ? PS_OP->collect_all_netns(snap, f)
					: platform_collect(snap, f);
}
static inline int platform_netns_census(struct ps_snapshot *snap)
{
	return PS_OP->netns_census ? PS_OP->netns_census(snap) : 0;
}
static inline int platform_ancestry(struct ps_snapshot *snap)
{
	return PS_OP->ancestry ? PS_OP->ancestry(snap) : 0;
}
static inline int platform_activation(struct ps_snapshot *snap)
{
	return PS_OP->activation ? PS_OP->activation(snap) : 0;
}
static inline int platform_socket_cgroups(struct ps_snapshot *snap)
{
	return PS_OP->socket_cgroups ? PS_OP->socket_cgroups(snap) : 0;
}
static inline int platform_units(struct ps_snapshot *snap)
{
	return PS_OP->units ? PS_OP->units(snap) : 0;
}
static inline int platform_sockstate_open(bool all, struct platform_sockstate **out,
					  const char **why)
{
	*out = NULL;
	*why = "not supported on this platform";
	return PS_OP->sockstate_open ? PS_OP->sockstate_open(all, out, why) : -ENOSYS;
}
static inline long platform_sockstate_read(struct platform_sockstate *st, struct ps_sockchange **v,
					   size_t *n, size_t *cap)
{
	return PS_OP->sockstate_read ? PS_OP->sockstate_read(st, v, n, cap) : -ENOSYS;
}
static inline void platform_sockstate_close(struct platform_sockstate *st)
{
	if (st && PS_OP->sockstate_close)
		PS_OP->sockstate_close(st);
}
static inline int platform_sockevents_open(struct platform_sockevents **out)
{
	*out = NULL;
	return PS_OP->sockevents_open ? PS_OP->sockevents_open(out) : -ENOSYS;
}
static inline int platform_sockevents_fd(const struct platform_sockevents *ev)
{
	return PS_OP->sockevents_fd ? PS_OP->sockevents_fd(ev) : -1;
}
static inline long platform_sockevents_read(struct platform_sockevents *ev,
					    struct ps_snapshot *snap)
{
	return PS_OP->sockevents_read ? PS_OP->sockevents_read(ev, snap) : -ENOSYS;
}
static inline void platform_sockevents_close(struct platform_sockevents *ev)
{
	if (PS_OP->sockevents_close)
		PS_OP->sockevents_close(ev);
}
static inline int platform_boot_id(char **out)
{
	*out = NULL;
	return PS_OP->boot_id ? PS_OP->boot_id(out) : -ENOSYS;
}
static inline int platform_pid_exists(int pid)
{
	return PS_OP->pid_exists ? PS_OP->pid_exists(pid) : -ENOSYS;
}
static inline int platform_tcp_stats(struct ps_snapshot *snap, const size_t *idx, size_t n)
{
	return PS_OP->tcp_stats ? PS_OP->tcp_stats(snap, idx, n) : -ENOSYS;
}
static inline int platform_sock_destroy(const struct ps_socket *k)
{
	return PS_OP->sock_destroy ? PS_OP->sock_destroy(k) : -ENOSYS;
}
static inline int platform_firewall_read(const struct ps_fw_request *req, struct ps_fw_source *out)
{
	if (PS_OP->firewall_read)
		return PS_OP->firewall_read(req, out);
	memset(out, 0, sizeof *out);
	return fwsource_none(out, PS_FW_SRC_NONE, -ENOSYS,
			     "reading the firewall's rules is not supported on this platform");
}
/* Absent: no variable is trusted (configuration comes from the defaults only). */
static inline const char *platform_secure_getenv(const char *name)
{
	return PS_OP->secure_getenv ? PS_OP->secure_getenv(name) : NULL;
}
/* Absent: no file named through the environment is trusted. */
static inline const char *platform_file_untrusted_why(int fd, const struct stat *st)
{
	return PS_OP->file_untrusted_why ? PS_OP->file_untrusted_why(fd, st)
					 : "this platform cannot tell who may change the file";
}
static inline const char *platform_path_links_untrusted_why(const char *path,
							    const struct stat *opened)
{
	return PS_OP->path_links_untrusted_why ? PS_OP->path_links_untrusted_why(path, opened)
					       : NULL;
}
/* Absent: NULL (no links resolved: rules compare the path as written). */
static inline char *platform_real_path(const char *path)
{
	return PS_OP->real_path ? PS_OP->real_path(path) : NULL;
}
static inline int platform_user_name(uint32_t uid, char **out)
{
	*out = NULL;
	return PS_OP->user_name ? PS_OP->user_name(uid, out) : -ENOENT;
}
static inline int platform_user_uid(const char *name, uint32_t *uid)
{
	return PS_OP->user_uid ? PS_OP->user_uid(name, uid) : -ENOENT;
}
static inline int platform_file_open_write(const char *path, unsigned flags, unsigned mode,
					   struct platform_file **out, const char **why)
{
	*out = NULL;
	*why = NULL;
	return PS_OP->file_open_write ? PS_OP->file_open_write(path, flags, mode, out, why)
				      : -ENOSYS;
}
static inline int platform_file_write(struct platform_file *f, const void *data, size_t len)
{
	return PS_OP->file_write ? PS_OP->file_write(f, data, len) : -ENOSYS;
}
static inline int platform_file_commit(struct platform_file *f)
{
	return PS_OP->file_commit ? PS_OP->file_commit(f) : 0; /* nothing was opened */
}
static inline void platform_file_abort(struct platform_file *f)
{
	if (PS_OP->file_abort)
		PS_OP->file_abort(f);
}

#undef PS_OP

#endif
