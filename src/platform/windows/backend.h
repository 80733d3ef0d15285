/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend.h — the operations the Windows backend puts in its platform_ops (ops.c). */
#ifndef PS_WINDOWS_BACKEND_H
#define PS_WINDOWS_BACKEND_H

#include "../platform.h"

int win_collect(struct ps_snapshot *snap, const struct ps_filter *f);
int win_attribute(struct ps_snapshot *snap, const struct ps_filter *f);
int win_describe(struct ps_snapshot *snap);
int win_local_addrs(struct ps_ifaddr **out, size_t *n);
void win_ifaddrs_free(struct ps_ifaddr *a, size_t n);
int win_mcast_groups(struct ps_ifaddr **out, size_t *n);
int win_ephemeral_range(uint16_t *lo, uint16_t *hi);
int win_exe_facts(struct ps_snapshot *snap, const bool *wanted);
int win_units(struct ps_snapshot *snap);
int win_pid_exists(int pid);
int win_firewall_read(const struct ps_fw_request *req, struct ps_fw_source *out);
const char *win_secure_getenv(const char *name);
const char *win_file_untrusted_why(int fd, const struct stat *st);
char *win_real_path(const char *path);
int win_user_name(uint32_t uid, char **out);
int win_user_uid(const char *name, uint32_t *uid);
int win_file_open_write(const char *path, unsigned flags, unsigned mode, struct platform_file **out,
			const char **why);
int win_file_write(struct platform_file *f, const void *data, size_t len);
int win_file_commit(struct platform_file *f);
void win_file_abort(struct platform_file *f);
struct pkgdb *win_pkgdb_new(const char *where);
int win_pkgdb_want(struct pkgdb *db, const char *const *paths, size_t n);
enum pkg_status win_pkgdb_status(const struct pkgdb *db, const char *path, const char **pkg);
int win_pkgdb_signature(const struct pkgdb *db, const char *path, struct ps_signature *out);
const char *win_pkgdb_reason(const struct pkgdb *db);
const char *win_pkgdb_kind(const struct pkgdb *db);
void win_pkgdb_stats(const struct pkgdb *db, size_t *files, size_t *scans);
void win_pkgdb_free(struct pkgdb *db);

#endif
