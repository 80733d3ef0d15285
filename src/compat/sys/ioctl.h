/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sys/ioctl.h — TIOCGWINSZ for the Windows build: the console window's width; see ../../compat.c.
 */
#ifndef PS_WIN_SYS_IOCTL_H
#define PS_WIN_SYS_IOCTL_H

#define TIOCGWINSZ 0x5413

struct winsize {
	unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* Only TIOCGWINSZ on a console descriptor; else -1 with errno ENOTTY. */
int ioctl(int fd, unsigned long req, ...);

#endif
