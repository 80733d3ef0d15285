/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compat.h — the few POSIX calls portable code makes that mingw-w64's C runtime
 * lacks, force-included (-include) into every file of the Windows build only, so
 * portable code stays free of #ifdef _WIN32. Implemented over Win32 in
 * src/platform/windows/compat.c and compat_inet.c. Only
 * C runtime headers here: <windows.h> would leak its macros into portable code.
 */
#ifndef PS_WIN_COMPAT_H
#define PS_WIN_COMPAT_H

#include <fcntl.h>
#include <io.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

/* open(2) flags: descriptors are never inherited by children; files are binary. */
#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif
#define O_NOFOLLOW 0
#define O_NOCTTY 0
#define O_NONBLOCK 0
#define F_SETFD 2
#define F_SETFL 4
#define FD_CLOEXEC 1

/* fcntl(2) for the flags above: handles are created non-inheritable; a no-op. */
int ps_fcntl(int fd, int cmd, ...);
#define fcntl ps_fcntl

/* pipe(2): a binary, non-inherited CRT pipe. */
int ps_pipe(int fds[2]);
#define pipe ps_pipe

/* open(2) and fopen(3) in binary mode, with glibc's "e" (close-on-exec) mode letter accepted. */
int ps_open(const char *path, int flags, ...);
#define open ps_open
FILE *ps_fopen(const char *path, const char *mode);
#define fopen ps_fopen

/* gethostname(2) without Winsock: the DNS host name of the computer. */
int ps_gethostname(char *name, size_t len);
#define gethostname ps_gethostname

/*
 * open_memstream(3) over a temporary file deleted on close: the buffer and its
 * length are set by fclose (which ps_fclose wraps for those streams only).
 */
FILE *ps_open_memstream(char **buf, size_t *len);
#define open_memstream ps_open_memstream
int ps_fclose(FILE *fp);
#define fclose ps_fclose

/* sigaction(2) over the C runtime's signal(); SIGPIPE does not exist on Windows. */
#ifndef SIGPIPE
#define SIGPIPE 13
#endif
typedef int ps_sigset_t;
struct sigaction {
	void (*sa_handler)(int);
	ps_sigset_t sa_mask;
	int sa_flags;
};
int ps_sigaction(int sig, const struct sigaction *sa, struct sigaction *old);
#define sigaction(sig, sa, old) ps_sigaction(sig, sa, old)
static inline int ps_sigemptyset(ps_sigset_t *set)
{
	*set = 0;
	return 0;
}
#define sigemptyset ps_sigemptyset

#endif
