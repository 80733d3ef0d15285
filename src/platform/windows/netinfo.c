/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netinfo.c — interface addresses (GetAdaptersAddresses) and the dynamic port range. */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#undef gethostname /* compat.h renames it; Winsock declares its own */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>

#include "../platform.h"
#include "backend.h"
#include "decode.h"
#include "win.h"

int win_adapters_get(unsigned long flags, void **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	ULONG size = 16 * 1024, err = ERROR_BUFFER_OVERFLOW;
	for (int tries = 0; tries < 4 && err == ERROR_BUFFER_OVERFLOW; tries++) {
		void *b = malloc(size);
		if (!b)
			return -ENOMEM;
		ULONG want = size;
		err = GetAdaptersAddresses(AF_UNSPEC, flags, NULL, b, &want);
		if (err == NO_ERROR) {
			*buf = b;
			*len = size;
			return 0;
		}
		free(b);
		if (err == ERROR_BUFFER_OVERFLOW)
			size = want + 4096;
	}
	return err == ERROR_NO_DATA ? -ENODATA : err == ERROR_BUFFER_OVERFLOW ? -EAGAIN : -EIO;
}

int win_local_addrs(struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	void *buf;
	size_t size;
	int rc = win_adapters_get(GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
				      GAA_FLAG_SKIP_DNS_SERVER,
				  &buf, &size);
	if (rc)
		return rc == -ENODATA ? 0 : rc;
	rc = win_decode_adapters(buf, size, out, n);
	free(buf);
	return rc == -EBADMSG ? -EIO : rc;
}

int win_mcast_groups(struct ps_ifaddr **out, size_t *n)
{
	/* not read yet (GetAdaptersAddresses lists them without GAA_FLAG_SKIP_MULTICAST): sockets
	 * bound to a group are judged reachable nowhere we know, as on the stub */
	*out = NULL;
	*n = 0;
	return -ENOSYS;
}

int win_ephemeral_range(uint16_t *lo, uint16_t *hi)
{
	/*
	 * Windows keeps the range in the TCP/IP stack (netsh int ipv4 show dynamicport)
	 * with no documented query API; every version since Vista defaults to the
	 * IANA range, which is what this reports.
	 */
	*lo = 49152;
	*hi = 65535;
	return 0;
}
