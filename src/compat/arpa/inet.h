/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arpa/inet.h — inet_ntop / inet_pton for the Windows build (Winsock's, without its headers). */
#ifndef PS_WIN_ARPA_INET_H
#define PS_WIN_ARPA_INET_H

#include <stddef.h>

#define AF_INET 2
#define AF_INET6 23
#define INET_ADDRSTRLEN 16
#define INET6_ADDRSTRLEN 46
typedef int socklen_t;

/* As POSIX: text of the address at src in dst (NULL, errno ENOSPC/EAFNOSUPPORT, on failure). */
const char *ps_inet_ntop(int af, const void *src, char *dst, socklen_t size);
/* As POSIX: 1 parsed, 0 not an address of that family, -1 unknown family. */
int ps_inet_pton(int af, const char *src, void *dst);
#define inet_ntop ps_inet_ntop
#define inet_pton ps_inet_pton

#endif
