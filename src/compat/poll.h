/* SPDX-License-Identifier: GPL-2.0-or-later */
/* poll.h — poll(2) for the Windows build: pipes (PeekNamedPipe) and a timeout; see ../compat.c. */
#ifndef PS_WIN_POLL_H
#define PS_WIN_POLL_H

#define POLLIN 0x0001
#define POLLERR 0x0008
#define POLLHUP 0x0010

struct pollfd {
	int fd;
	short events;
	short revents;
};

/* Wait up to timeout ms (-1: forever) until a pipe among fds is readable; fd -1 is ignored. */
int poll(struct pollfd *fds, unsigned long nfds, int timeout);

#endif
