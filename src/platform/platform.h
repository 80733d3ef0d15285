/*
 * platform.h — the contract every platform backend (src/platform/linux, stub, and
 * later windows) implements. Portable code (core, enrich, output, cli) calls only
 * this and asks platform_caps() what the platform can see instead of assuming Linux.
 *
 * Socket identity: ps_socket.inode is an opaque, platform-defined key, unique per
 * socket within one network namespace of one snapshot, 0 when the platform has
 * none for that socket (Linux: the socket's inode; a platform without one may
 * number its sockets). Portable code only compares it for equality.
 */
#ifndef PS_PLATFORM_H
#define PS_PLATFORM_H

#include <stdbool.h>

#include "../model/filter.h"
#include "../model/fwsource.h"
#include "../model/model.h"

/* What a platform can see; every field false means "not on this platform". */
struct platform_caps {
	const char *name;	  /* "linux", "stub" */
	bool owners_from_collect; /* collect reports each socket's owner pids itself */
	bool fd_owners;	     /* attribute finds every holder (fd) of a socket, shared ones too */
	bool socket_uid;     /* every socket carries its owner's uid, even without a process */
	bool namespaces;     /* network namespaces: --all-ns, the census, netns labels */
	bool cgroups;	     /* cgroup paths of processes and of sockets */
	bool units;	     /* service units / containers behind a process (platform_units) */
	bool ancestry;	     /* parent chains up to a supervisor (platform_ancestry) */
	bool activation;     /* socket activation roles (platform_activation) */
	bool destroy_events; /* notifications of destroyed sockets (platform_sockevents_*) */
	bool package_db;     /* executables traced to an installed package (packages.h) */
	bool boot_id;	     /* platform_boot_id() */
};

/* The capabilities of the running platform (static, never NULL). */
const struct platform_caps *platform_caps(void);

/*
 * Append to `snap` every socket that matches the socket-level parts of `f`
 * (protocol, family, state, port), pushing them into the kernel request where the
 * platform can. Sets snap->source. A platform whose socket tables name the owning
 * processes (caps.owners_from_collect) also adds those processes and owners here
 * (snap_add_proc, snap_add_owner with fd -1 when unknown) and sets their
 * owner_status. 0 or -errno (nothing could be listed at all).
 */
int platform_collect(struct ps_snapshot *snap, const struct ps_filter *f);

/*
 * Find every process holding each socket of `snap` and set every socket's
 * owner_status; the counts of scanned, denied and vanished processes go into snap.
 * Owners collect already reported are kept: attribution only fills what is
 * missing. Races with exiting processes are not errors. `f` is the query the
 * sockets came from, used to re-check sockets whose owner could not be found.
 * 0 or -errno.
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
 * (Linux: netlink RTM_GETADDR), IPv4 and IPv6. *out is a new array for
 * platform_ifaddrs_free(). 0; PS_ADDRS_CHANGING when the table kept changing
 * while it was read (the last read is in *out: an address may be missing or
 * twice); -errno (then *out is NULL and *n is 0).
 */
#define PS_ADDRS_CHANGING 1
int platform_local_addrs(struct ps_ifaddr **out, size_t *n);
void platform_ifaddrs_free(struct ps_ifaddr *a, size_t n);

/*
 * The interface addresses of network namespace ns (entered through ns->pid, or
 * /run/netns/NAME when that process is gone or none is known; a path that no longer
 * leads to namespace ns->inode is not taken), to judge who reaches its sockets and
 * to find which namespace a forwarded port's target address lives in. *out as
 * platform_local_addrs() makes it (free with platform_ifaddrs_free). With groups
 * non-NULL, the multicast groups joined in it too, as platform_mcast_groups() makes
 * them (best effort: none when they cannot be read). 0; PS_ADDRS_CHANGING (the list
 * is in *out); -ENOSYS where namespaces cannot be entered; -ESTALE when the
 * namespace is gone; -errno.
 */
int platform_netns_addrs(const struct ps_netns *ns, struct ps_ifaddr **out, size_t *n,
			 struct ps_ifaddr **groups, size_t *ngroups);

/*
 * The firewall of the namespace req->ns names (NULL: the caller's) into *out (zeroed on
 * entry; fwsource_free() it in any case), tagged with the firewall it is: the
 * backend returns its own kind (nf_tables rules and the iptables-legacy tables on
 * Linux, the policy on Windows), or PS_FW_SRC_NONE with err and a reason the user
 * reads (no permission, not supported by this platform or build, kept changing),
 * naming in `unread` the firewall that is there but could not be read. Not reading
 * is no failure: 0, or -ENOMEM.
 */
int platform_firewall_read(const struct ps_fw_request *req, struct ps_fw_source *out);

/*
 * The multicast groups joined right now on each interface of this network
 * namespace, IPv4 and IPv6 (Linux: /proc/net/igmp and igmp6), as ps_ifaddr with
 * the group in addr: a socket bound to a group receives it on those interfaces.
 * *out is a new array for platform_ifaddrs_free(). 0 or -errno.
 */
int platform_mcast_groups(struct ps_ifaddr **out, size_t *n);

/* The ephemeral (dynamic) port range (Linux: net.ipv4.ip_local_port_range). 0 or -errno. */
int platform_ephemeral_range(uint16_t *lo, uint16_t *hi);

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
int platform_exe_facts(struct ps_snapshot *snap, const bool *wanted);

/*
 * The script `arg` (len bytes from p's arguments; relative to its working
 * directory) as p sees it: p->script is filled when it is a regular file (looked
 * up with O_PATH only: a FIFO or device is never opened, nothing is read). No
 * such file leaves p->script.path NULL. 0 or -ENOMEM.
 */
int platform_script_facts(struct ps_proc *p, const char *arg, size_t len);

/*
 * Like platform_collect, for every network namespace (caps.namespaces; Linux: those
 * of all processes and of /run/netns, each entered with setns()): sockets are
 * labelled with their namespace's id in socket.netns; snap->nets lists them (name,
 * a pid, its cgroup, listener count). Namespaces that cannot be entered (not root)
 * set snap->netns_error and partial; ours is always listed. A platform without
 * namespaces lists its one. 0 or -errno.
 */
int platform_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f);

/*
 * Count the network namespaces besides ours into snap->netns_other, without
 * entering any (the cost must not grow with their number). 0 or -errno.
 */
int platform_netns_census(struct ps_snapshot *snap);

/*
 * Why each process runs — separate stages, each 0 or -errno (-ENOMEM); a platform
 * without the feature returns 0 and leaves the fields empty (see platform_caps).
 */

/* Each process's parent chain up to its supervisor (ancestry, supervisor_kind/pid). */
int platform_ancestry(struct ps_snapshot *snap);

/* The socket-activation role of the holders of listening sockets (ps_proc.activation). */
int platform_activation(struct ps_snapshot *snap);

/* The cgroup of every socket without a visible owner (snap->sockcgs, socket.sockcg). */
int platform_socket_cgroups(struct ps_snapshot *snap);

/*
 * The service and container behind every process, socket cgroup and namespace:
 * unit, unit_type, slice, container (+ name, runtime, pod), published ports of
 * container proxies, namespace names (Linux: from cgroup paths and the Docker /
 * Podman state directories). Runs after the three above. Missing state leaves
 * names NULL. 0 or -ENOMEM.
 */
int platform_units(struct ps_snapshot *snap);

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

/*
 * getenv() for a variable that names configuration or state (HOME, XDG_*,
 * PORTSLEUTH_*): NULL when the process runs with privileges its invoking user
 * lacks, where the environment is the caller's to forge (Linux: secure_getenv,
 * so setuid, setgid and file capabilities; elsewhere at least set-id).
 */
const char *platform_secure_getenv(const char *name);

struct stat;

/*
 * Why the open file fd (st: its fstat), named through the environment, must not
 * be used as configuration by a process that may be privileged; NULL when it may.
 * Linux and POSIX: owned by someone other than root or the effective user, or
 * writable by group or others (util/trust.h). Windows, where the C runtime's mode
 * bits and owner are made up: the file's owner is not the current user,
 * Administrators, SYSTEM or TrustedInstaller, or its access list lets another
 * account or group (Everyone, Authenticated Users, Users, ...) write to it.
 */
const char *platform_file_untrusted_why(int fd, const struct stat *st);

/*
 * The canonical path of `path` (every link followed), as a new string, or NULL
 * when it cannot be resolved (missing, no permission) or out of memory.
 */
char *platform_real_path(const char *path);

/*
 * The name of user `uid` as a new string in *out (Linux: the passwd database;
 * Windows: the account of a token seen by platform_describe, "DOMAIN\\user").
 * 0, -ENOENT (no such user) or -ENOMEM.
 */
int platform_user_name(uint32_t uid, char **out);
/* The uid of the user called `name` (for --user NAME). 0, -ENOENT or -ENOMEM. */
int platform_user_uid(const char *name, uint32_t *uid);

/* A file portsleuth writes (snapshot -o, watch --log), opened by platform_file_open_write. */
struct platform_file;

/* platform_file_open_write flags: append to the file instead of replacing it. */
enum { PLATFORM_FILE_APPEND = 1 };

/*
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
int platform_file_open_write(const char *path, unsigned flags, unsigned mode,
			     struct platform_file **out, const char **why);
/* Write all of data (retrying short writes). 0 or -errno (ENOSPC on a full device). */
int platform_file_write(struct platform_file *f, const void *data, size_t len);
/*
 * Finish and free f: sync a regular file, close, and rename a temporary over the
 * target. 0 or -errno (the first error of sync, close or rename; then the
 * target is untouched). f may be NULL.
 */
int platform_file_commit(struct platform_file *f);
/* Drop f: the temporary is removed, the target untouched. f may be NULL. */
void platform_file_abort(struct platform_file *f);

#endif
