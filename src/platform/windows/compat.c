/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compat.c — the POSIX calls of compat/ (poll, sigaction, pipe, open_memstream, fnmatch...) over
 * Win32 and the CRT. */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../compat/fnmatch.h"
#include "../../compat/langinfo.h"
#include "../../compat/poll.h"
#include "../../compat/sys/ioctl.h"

/* compat.h renames these; the real ones are needed here. */
#undef fcntl
#undef pipe
#undef open
#undef fopen
#undef fclose
#undef sigaction

int ps_fcntl(int fd, int cmd, ...)
{
	if (_get_osfhandle(fd) == (intptr_t)INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return -1;
	}
	(void)cmd; /* F_SETFD/F_SETFL: descriptors are already non-inherited; pipes never block us
		      (poll first) */
	return 0;
}

int ps_pipe(int fds[2])
{
	return _pipe(fds, 4096, _O_BINARY | _O_NOINHERIT);
}

int ps_open(const char *path, int flags, ...)
{
	int mode = 0;
	if (flags & _O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	/* POSIX permission bits mean nothing here; only the owner-write bit maps to read-only */
	int fd = _open(path, flags | _O_BINARY, (mode & 0200) ? _S_IREAD | _S_IWRITE : _S_IREAD);
	if (fd < 0 && errno == EACCES) {
		/* the C runtime refuses a directory with EACCES where POSIX says EISDIR */
		DWORD attr = GetFileAttributesA(path);
		if (attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY))
			errno = EISDIR;
	}
	return fd;
}

FILE *ps_fopen(const char *path, const char *mode)
{
	char m[16];
	size_t n = 0;
	for (const char *c = mode; *c && n < sizeof m - 3; c++)
		if (*c != 'e' && *c != 'b')
			m[n++] = *c;
	m[n++] = 'b';
	m[n++] = 'N'; /* msvcrt: not inherited, as "e" asks */
	m[n] = '\0';
	return fopen(path, m);
}

/* Streams opened by ps_open_memstream, to fill their buffers at close (few: one at a time). */
struct memstream {
	FILE *fp;
	char **buf;
	size_t *len;
	struct memstream *next;
};
static struct memstream *memstreams;

FILE *ps_open_memstream(char **buf, size_t *len)
{
	wchar_t dir[MAX_PATH + 1], path[MAX_PATH + 1];
	if (!GetTempPathW(MAX_PATH + 1, dir) || !GetTempFileNameW(dir, L"psl", 0, path)) {
		errno = EIO;
		return NULL;
	}
	HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
			       FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
	struct memstream *m = malloc(sizeof *m);
	int fd =
	    h != INVALID_HANDLE_VALUE && m ? _open_osfhandle((intptr_t)h, _O_RDWR | _O_BINARY) : -1;
	FILE *fp = fd >= 0 ? _fdopen(fd, "w+b") : NULL;
	if (!fp) {
		if (fd >= 0)
			_close(fd);
		else if (h != INVALID_HANDLE_VALUE)
			CloseHandle(h);
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	*m = (struct memstream){fp, buf, len, memstreams};
	memstreams = m;
	*buf = NULL;
	*len = 0;
	return fp;
}

/* Read the whole temporary back into a new buffer. 0 or -1 (errno set). */
static int memstream_collect(struct memstream *m)
{
	if (fflush(m->fp) || fseek(m->fp, 0, SEEK_END))
		return -1;
	long size = ftell(m->fp);
	char *b = size >= 0 ? malloc((size_t)size + 1) : NULL;
	if (!b || fseek(m->fp, 0, SEEK_SET) || fread(b, 1, (size_t)size, m->fp) != (size_t)size) {
		free(b);
		errno = b ? EIO : ENOMEM;
		return -1;
	}
	b[size] = '\0';
	*m->buf = b;
	*m->len = (size_t)size;
	return 0;
}

int ps_fclose(FILE *fp)
{
	int rc = 0;
	for (struct memstream **pp = &memstreams; *pp; pp = &(*pp)->next) {
		if ((*pp)->fp != fp)
			continue;
		struct memstream *m = *pp;
		*pp = m->next;
		rc = memstream_collect(m);
		free(m);
		break;
	}
	return fclose(fp) || rc ? EOF : 0;
}

int ps_sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	if (sig != SIGINT &&
	    sig != SIGTERM) { /* SIGPIPE: writes to a closed pipe fail with EPIPE anyway */
		if (old)
			*old = (struct sigaction){.sa_handler = SIG_DFL};
		return 0;
	}
	void (*prev)(int) = signal(sig, sa ? sa->sa_handler : SIG_DFL);
	if (!sa) /* only a query: put it back */
		signal(sig, prev);
	if (old)
		*old = (struct sigaction){.sa_handler = prev == SIG_ERR ? SIG_DFL : prev};
	return prev == SIG_ERR ? -1 : 0;
}

/* Whether CRT descriptor fd has bytes to read (pipes); other handles count as always ready. */
static int fd_readable(int fd)
{
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (GetFileType(h) != FILE_TYPE_PIPE)
		return 1;
	DWORD avail = 0;
	if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL))
		return 1; /* broken pipe: readable (end of file) */
	return avail > 0;
}

int poll(struct pollfd *fds, unsigned long nfds, int timeout)
{
	ULONGLONG end = timeout >= 0 ? GetTickCount64() + (ULONGLONG)timeout : 0;
	for (;;) {
		int ready = 0;
		for (unsigned long i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			int r = fd_readable(fds[i].fd);
			if (r < 0)
				fds[i].revents = POLLERR;
			else if (r && (fds[i].events & POLLIN))
				fds[i].revents = POLLIN;
			ready += fds[i].revents != 0;
		}
		if (ready)
			return ready;
		ULONGLONG now = GetTickCount64();
		if (timeout >= 0 && now >= end)
			return 0;
		/* no handle to wait on for a CRT pipe: look again every 20 ms at most */
		ULONGLONG left = timeout >= 0 ? end - now : 20;
		Sleep(left < 20 ? (DWORD)left : 20);
	}
}

char *nl_langinfo(int item)
{
	static char cp[16];
	if (item != CODESET)
		return (char *)"";
	UINT c = GetConsoleOutputCP();
	if (c == CP_UTF8)
		return (char *)"UTF-8";
	snprintf(cp, sizeof cp, "CP%u", c);
	return cp;
}

int ioctl(int fd, unsigned long req, ...)
{
	CONSOLE_SCREEN_BUFFER_INFO info;
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	if (req != TIOCGWINSZ || h == INVALID_HANDLE_VALUE ||
	    !GetConsoleScreenBufferInfo(h, &info)) {
		errno = ENOTTY;
		return -1;
	}
	va_list ap;
	va_start(ap, req);
	struct winsize *ws = va_arg(ap, struct winsize *);
	va_end(ap);
	*ws = (struct winsize){
	    .ws_row = (unsigned short)(info.srWindow.Bottom - info.srWindow.Top + 1),
	    .ws_col = (unsigned short)(info.srWindow.Right - info.srWindow.Left + 1)};
	return 0;
}

/* Match one bracket expression at p against c; *end gets the character after ']'. */
static int bracket(const char *p, unsigned char c, const char **end)
{
	bool neg = *p == '!' || *p == '^';
	if (neg)
		p++;
	bool hit = false;
	const char *start = p;
	while (*p && (*p != ']' || p == start)) {
		unsigned char lo = (unsigned char)*p, hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 2;
		}
		hit |= c >= lo && c <= hi;
		p++;
	}
	if (*p != ']')
		return -1; /* no closing bracket: '[' is literal */
	*end = p + 1;
	return hit != neg;
}

int fnmatch(const char *pattern, const char *string, int flags)
{
	(void)flags;
	const char *p = pattern, *s = string, *star = NULL, *retry = NULL;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			retry = s;
			continue;
		}
		const char *next = p + 1;
		int ok;
		if (*p == '?')
			ok = 1;
		else if (*p == '[' && (ok = bracket(p + 1, (unsigned char)*s, &next)) >= 0)
			;
		else
			ok = *p && *p == *s;
		if (ok) {
			p = next;
			s++;
		} else if (star) {
			p = star;
			s = ++retry;
		} else {
			return FNM_NOMATCH;
		}
	}
	while (*p == '*')
		p++;
	return *p ? FNM_NOMATCH : 0;
}
