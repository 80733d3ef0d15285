/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compat_inet.c — inet_ntop / inet_pton and gethostname of compat/ over Winsock (no WSAStartup
 * needed). */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#undef gethostname /* compat.h renames it; Winsock declares its own */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
/* clang-format on */

#include <errno.h>

#include "../../compat/compat.h"

const char *ps_inet_ntop(int af, const void *src, char *dst, int size);
int ps_inet_pton(int af, const char *src, void *dst);

int ps_gethostname(char *name, size_t len)
{
	DWORD n = len > 0xFFFF ? 0xFFFF : (DWORD)len;
	if (!GetComputerNameExA(ComputerNameDnsHostname, name, &n)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

const char *ps_inet_ntop(int af, const void *src, char *dst, int size)
{
	if (size <= 0) {
		errno = ENOSPC;
		return NULL;
	}
	/* InetNtopA needs no WSAStartup (it is a pure conversion in ws2_32) */
	const char *r = InetNtopA(af, (void *)src, dst, (size_t)size);
	if (!r)
		errno = af == AF_INET || af == AF_INET6 ? ENOSPC : EAFNOSUPPORT;
	return r;
}

int ps_inet_pton(int af, const char *src, void *dst)
{
	if (af != AF_INET && af != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return InetPtonA(af, src, dst) == 1 ? 1 : 0;
}
