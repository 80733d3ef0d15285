/* SPDX-License-Identifier: GPL-2.0-or-later */
/* words.h — the Windows backend's words for evidence and advice (struct ps_os_words), one
 * initializer for its ops.c and for the unit tests that render a Windows host on any build. */
#ifndef PS_WINDOWS_WORDS_H
#define PS_WINDOWS_WORDS_H

#define PS_WINDOWS_WORDS_INIT                                                                      \
	{                                                                                          \
		.exe_link_pre = "the process image of ", .exe_link_post = "",                      \
		.pkgdb_name = "installed programs", .handle_word = "handle",                       \
		.pid_scope = "session", .kill_cmd = "taskkill /PID", .kill_more = " /PID ",        \
		.hosted_type = "service", .hosted_source = "service-tag",                          \
		.hosted_stop = "sc.exe stop", .hosted_stop2 = "Stop-Service -Name",                \
		.second_shell = "PowerShell", .kill_force = "taskkill /F /PID",                    \
		.mount_view = "own view of the mounts", .priv_scope = "private privilege scope",   \
	}

#endif
