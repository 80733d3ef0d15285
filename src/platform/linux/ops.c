/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ops.c — the Linux backend (sock_diag, /proc, netlink, cgroups, dpkg): its table of platform
 * operations. */
#include "backend.h"
#include "words.h"

static const struct ps_os_words words = PS_LINUX_WORDS_INIT;

const struct platform_ops platform_ops = {
    .name = "linux",
    .words = &words,
    .collect = lnx_collect,
    .attribute = lnx_attribute,
    .describe = lnx_describe,
    .local_addrs = lnx_local_addrs,
    .ifaddrs_free = lnx_ifaddrs_free,
    .netns_addrs = lnx_netns_addrs,
    .mcast_groups = lnx_mcast_groups,
    .ephemeral_range = lnx_ephemeral_range,
    .exe_facts = lnx_exe_facts,
    .script_facts = lnx_script_facts,
    .collect_all_netns = lnx_collect_all_netns,
    .netns_census = lnx_netns_census,
    .ancestry = lnx_ancestry,
    .activation = lnx_activation,
    .socket_cgroups = lnx_socket_cgroups,
    .units = lnx_units,
    .sockevents_open = lnx_sockevents_open,
    .sockevents_fd = lnx_sockevents_fd,
    .sockevents_read = lnx_sockevents_read,
    .sockevents_close = lnx_sockevents_close,
    .boot_id = lnx_boot_id,
    .tcp_stats = lnx_tcp_stats,
    .sock_destroy = lnx_sock_destroy,
    .firewall_read = lnx_firewall_read,
    .pid_exists = lnx_pid_exists,
    .secure_getenv = lnx_secure_getenv,
    .file_untrusted_why = lnx_file_untrusted_why,
    .path_links_untrusted_why = lnx_path_links_untrusted_why,
    .real_path = lnx_real_path,
    .user_name = lnx_user_name,
    .user_uid = lnx_user_uid,
    .file_open_write = lnx_file_open_write,
    .file_write = lnx_file_write,
    .file_commit = lnx_file_commit,
    .file_abort = lnx_file_abort,
    .pkgdb_new = lnx_pkgdb_new,
    .pkgdb_want = lnx_pkgdb_want,
    .pkgdb_status = lnx_pkgdb_status,
    .pkgdb_reason = lnx_pkgdb_reason,
    .pkgdb_kind = lnx_pkgdb_kind,
    .pkgdb_stats = lnx_pkgdb_stats,
    .pkgdb_free = lnx_pkgdb_free,
};
