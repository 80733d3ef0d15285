/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ops.c — the Windows backend (iphlpapi, toolhelp, service manager, Authenticode): its table of
 * platform operations. */
#include "backend.h"
#include "words.h"

static const struct ps_os_words words = PS_WINDOWS_WORDS_INIT;

const struct platform_ops platform_ops = {
    .name = "windows",
    .words = &words,
    .owners_from_collect = true, /* the owner tables carry the pid of each socket */
    .collect = win_collect,
    .attribute = win_attribute,
    .describe = win_describe,
    .local_addrs = win_local_addrs,
    .ifaddrs_free = win_ifaddrs_free,
    .mcast_groups = win_mcast_groups,
    .ephemeral_range = win_ephemeral_range,
    .exe_facts = win_exe_facts,
    .units = win_units,
    .firewall_read = win_firewall_read,
    .pid_exists = win_pid_exists,
    .secure_getenv = win_secure_getenv,
    .file_untrusted_why = win_file_untrusted_why,
    .real_path = win_real_path,
    .user_name = win_user_name,
    .user_uid = win_user_uid,
    .file_open_write = win_file_open_write,
    .file_write = win_file_write,
    .file_commit = win_file_commit,
    .file_abort = win_file_abort,
    .pkgdb_new = win_pkgdb_new,
    .pkgdb_want = win_pkgdb_want,
    .pkgdb_status = win_pkgdb_status,
    .pkgdb_signature = win_pkgdb_signature,
    .pkgdb_reason = win_pkgdb_reason,
    .pkgdb_kind = win_pkgdb_kind,
    .pkgdb_stats = win_pkgdb_stats,
    .pkgdb_free = win_pkgdb_free,
};
