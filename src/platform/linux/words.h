/* SPDX-License-Identifier: GPL-2.0-or-later */
/* words.h — how Linux names what portsleuth speaks of (struct ps_os_words): the backend's
 * table (ops.c) and the unit tests' expected texts (tests/unit/testwords.c) use this one
 * initializer. */
#ifndef PS_LINUX_WORDS_H
#define PS_LINUX_WORDS_H

#define PS_LINUX_WORDS_INIT                                                                        \
	{                                                                                          \
		.exe_link_pre = "/proc/", .exe_link_post = "/exe", .pkgdb_name = "dpkg database",  \
		.handle_word = "file descriptor", .pid_scope = "PID namespace",                    \
		.kill_cmd = "kill", .service_suffix = ".service", .service_ctl = "systemctl",      \
		.user_manager = "--user -M", .stop_verb = "stop", .disable_verb = "disable --now", \
		.posix_quote = true, .exe_set_call = "prctl PR_SET_MM_EXE_FILE",                   \
		.mount_view = "mount namespace", .priv_scope = "user namespace",                   \
		.mem_file = "memfd_create", .other_os_programs = true,                             \
	}

#endif
