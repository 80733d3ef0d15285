/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netinet/in.h — the IP protocol numbers portable code names, for the Windows build (no Winsock
 * headers). */
#ifndef PS_WIN_NETINET_IN_H
#define PS_WIN_NETINET_IN_H

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#endif
