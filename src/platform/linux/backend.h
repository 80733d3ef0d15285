/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend.h — the operations the Linux backend puts in its platform_ops (ops.c). */
#ifndef PS_LINUX_BACKEND_H
#define PS_LINUX_BACKEND_H

#include "../platform.h"

int lnx_collect(struct ps_snapshot *snap, const struct ps_filter *f);
int lnx_attribute(struct ps_snapshot *snap, const struct ps_filter *f);
/* Start the BPF owner pass in a thread while the sockets are listed, when f will want it. */
void lnx_attribute_prefetch(const struct ps_filter *f);
int lnx_describe(struct ps_snapshot *snap);
/* stat of `path` as a process whose root directory is the open directory `root` sees it (exeid.c:
 * resolved inside that root, opened O_PATH only). `follow`: follow a final symlink. 0 or -errno. */
struct stat;
int lnx_stat_in(int root, const char *path, bool follow, struct stat *st);
/* Whether the directory of path is writable by every user, in the view `root` (exeid.c: the one
 * judgement of an executable's, a script's and a library's directory). 0 or -ENOMEM. */
int lnx_dir_world_writable(int root, const char *path, bool *out);
int lnx_local_addrs(struct ps_ifaddr **out, size_t *n);
void lnx_ifaddrs_free(struct ps_ifaddr *a, size_t n);
int lnx_netns_addrs(const struct ps_netns *ns, struct ps_ifaddr **out, size_t *n,
		    struct ps_ifaddr **groups, size_t *ngroups);
int lnx_mcast_groups(struct ps_ifaddr **out, size_t *n);
int lnx_ephemeral_range(uint16_t *lo, uint16_t *hi);
int lnx_exe_facts(struct ps_snapshot *snap, const bool *wanted);
int lnx_script_facts(struct ps_proc *p, const char *arg, size_t len);
int lnx_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f);
int lnx_netns_census(struct ps_snapshot *snap);
struct attr_seen;
/*
 * The processes the BPF pass walked, with their network namespaces (n of them, ascending pid,
 * malloc'd: the census frees them), for the next census, which then asks /proc only of the others.
 * (NULL, 0) forgets what an earlier pass left.
 */
void lnx_census_hint(struct attr_seen *v, size_t n);
int lnx_ancestry(struct ps_snapshot *snap);
int lnx_activation(struct ps_snapshot *snap);
/* Whether an environment entry (NAME=value, n bytes) is one svcinfo asks about. */
bool lnx_env_wanted(const char *entry, size_t n);
/* The wanted entries of pid's environment as the BPF pass read them (lnx_proc_pass
 * LNX_PASS_ENV), each NUL-terminated: kept (env taken) until the next reset. 0 or -ENOMEM. */
int lnx_passenv_add(int pid, char *env, size_t len);
void lnx_passenv_reset(void);
int lnx_socket_cgroups(struct ps_snapshot *snap);
int lnx_units(struct ps_snapshot *snap);
int lnx_sockevents_open(struct platform_sockevents **out);
int lnx_sockevents_fd(const struct platform_sockevents *ev);
long lnx_sockevents_read(struct platform_sockevents *ev, struct ps_snapshot *snap);
void lnx_sockevents_close(struct platform_sockevents *ev);
int lnx_sockstate_open(bool all, struct platform_sockstate **out, const char **why);
long lnx_sockstate_read(struct platform_sockstate *st, struct ps_sockchange **v, size_t *n,
			size_t *cap);
void lnx_sockstate_close(struct platform_sockstate *st);
int lnx_tcp_stats(struct ps_snapshot *snap, const size_t *idx, size_t n);
int lnx_sock_destroy(const struct ps_socket *k);
int lnx_boot_id(char **out);
int lnx_pid_exists(int pid);
int lnx_firewall_read(const struct ps_fw_request *req, struct ps_fw_source *out);
/*
 * Run fn(arg) on this thread inside network namespace ns (entered with setns, left
 * after): what it opens there (netlink sockets, /proc/thread-self/net) is that
 * namespace's. fn's result, or -errno when ns cannot be entered.
 */
int lnx_in_netns(const struct ps_netns *ns, int (*fn)(void *arg), void *arg);
const char *lnx_secure_getenv(const char *name);
const char *lnx_file_untrusted_why(int fd, const struct stat *st);
const char *lnx_path_links_untrusted_why(const char *path, const struct stat *opened);
char *lnx_real_path(const char *path);
int lnx_user_name(uint32_t uid, char **out);
int lnx_user_uid(const char *name, uint32_t *uid);
int lnx_file_open_write(const char *path, unsigned flags, unsigned mode, struct platform_file **out,
			const char **why);
int lnx_file_write(struct platform_file *f, const void *data, size_t len);
int lnx_file_commit(struct platform_file *f);
void lnx_file_abort(struct platform_file *f);
struct pkgdb *lnx_pkgdb_new(const char *infodir);
int lnx_pkgdb_want(struct pkgdb *db, const char *const *paths, size_t n);
enum pkg_status lnx_pkgdb_status(const struct pkgdb *db, const char *path, const char **pkg);
const char *lnx_pkgdb_reason(const struct pkgdb *db);
const char *lnx_pkgdb_kind(const struct pkgdb *db);
void lnx_pkgdb_stats(const struct pkgdb *db, size_t *files, size_t *scans);
void lnx_pkgdb_free(struct pkgdb *db);

#endif
