/* SPDX-License-Identifier: GPL-2.0-or-later */
/* oswords.h — evidence and advice texts built from the words the backend gave the snapshot
 * (struct ps_os_words, snap_words): no operating system is named here. */
#ifndef PS_OSWORDS_H
#define PS_OSWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"
#include "../util/buf.h"

/* Each takes the words (NULL: ps_os_words_plain). */

/* Where the system shows the file process pid runs (Linux: its exe link), into out (size n). */
const char *oswords_exe_link(const struct ps_os_words *w, int pid, char *out, size_t n);

/* The package database a file is looked up in, for "is not listed in the ...". */
const char *oswords_pkg_db(const struct ps_os_words *w);

/* What points a running process's exe link at another file ("prctl PR_SET_MM_EXE_FILE"), or
 * NULL where the system has no name for it. */
const char *oswords_exe_set_call(const struct ps_os_words *w);

/* A process's private view of the mounts ("mount namespace"). */
const char *oswords_mount_view(const struct ps_os_words *w);

/* Where a user gains privileges over its own processes only ("user namespace"). */
const char *oswords_priv_scope(const struct ps_os_words *w);

/* What makes a memory-only file a program can run from ("memfd_create"), or NULL. */
const char *oswords_mem_file(const struct ps_os_words *w);

/* A port list's usual holders (comma-separated, untrusted) appended to b ", "-separated,
 * without the other system's names (w->other_os_programs: System, *.exe). 0 or -ENOMEM;
 * nothing appended when no name is left. */
int oswords_programs(const struct ps_os_words *w, struct buf *b, const char *list);

/*
 * Advice someone will paste as root. Every name from the system (units, users, containers)
 * is one shell word (shq_word: quoted when the backend's shell quotes, else plain only); a
 * name that cannot be given safely makes the command -EINVAL (out unchanged), and the
 * caller says `kill` of the pids instead.
 */

/* One name as a word of the system's shell, appended to out. 0, -EINVAL or -ENOMEM. */
int oswords_word(const struct ps_os_words *w, struct buf *out, const char *name);

/*
 * The command that stops units[0..n) (a socket unit and its service go together), or with
 * for_good also keeps them from starting again (w->disable_verb; -ENOENT when there is none).
 * user: the units are that user's, run by their own manager (w->user_manager USER@), which
 * root's `--user` would not reach; NULL: the system manager's. Needs w->service_ctl.
 */
int oswords_stop_units(const struct ps_os_words *w, struct buf *out, bool for_good,
		       const char *user, const char *const *units, size_t n);

/* The command that ends every process of pids[0..n) (a pre-forking group: all of them). */
int oswords_kill(const struct ps_os_words *w, struct buf *out, const int *pids, size_t n);

/* The second step when a process does not end (taskkill /F): -ENOENT when the system has none. */
int oswords_kill_force(const struct ps_os_words *w, struct buf *out, const int *pids, size_t n);

/* Whether p hosts services by name (w->hosted_type: a Windows service process, whose unit is
 * the comma-separated names of the services it runs). */
bool oswords_hosts_services(const struct ps_os_words *w, const struct ps_proc *p);

/*
 * The command that stops the hosted service `name` (sc.exe stop NAME), or with `second` its
 * form for the system's second shell (Stop-Service -Name NAME): the name quoted for that shell
 * (shq_word_cmd, shq_word_pwsh). -ENOENT when the system has no such command, -EINVAL (out
 * unchanged) when the name cannot be given safely, -ENOMEM, else 0.
 */
int oswords_stop_hosted(const struct ps_os_words *w, struct buf *out, bool second,
			const char *name);

#endif
