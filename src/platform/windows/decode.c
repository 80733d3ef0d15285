/* SPDX-License-Identifier: GPL-2.0-or-later */
/* decode.c — owner tables, module info, adapter addresses, services and command lines from API
 * buffers. */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#undef gethostname /* compat.h renames it; Winsock declares its own */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <winternl.h>
#include <http.h>
/* clang-format on */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/buf.h"
#include "../../util/escape.h"
#include "../../util/grow.h"
#include "../../util/str.h"
#include "backend.h"
#include "decode.h"

/* p (of `size` bytes) lies wholly inside [buf, buf + len). */
static bool inside(const void *buf, size_t len, const void *p, size_t size)
{
	uintptr_t b = (uintptr_t)buf, q = (uintptr_t)p;
	return q >= b && q - b <= len && size <= len - (q - b);
}

/* A NUL-terminated UTF-16 string at p inside the buffer, as new UTF-8; NULL p gives NULL. */
static int wstr_in(const void *buf, size_t len, const void *p, char **out)
{
	*out = NULL;
	if (!p)
		return 0;
	if (((uintptr_t)p & 1) || !inside(buf, len, p, 0))
		return -EBADMSG;
	const unsigned char *c = p;
	size_t avail = len - (size_t)((uintptr_t)p - (uintptr_t)buf), n = 0;
	for (;; n++) {
		if (2 * n + 2 > avail)
			return -EBADMSG; /* no terminating NUL inside the buffer */
		if (!c[2 * n] && !c[2 * n + 1])
			break;
	}
	return win_utf16_to_utf8(p, n, out);
}

int win_utf16_to_utf8(const uint16_t *s, size_t n, char **out)
{
	struct buf b = {0};
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		uint32_t cp = s[i];
		if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 &&
		    s[i + 1] <= 0xDFFF)
			cp = 0x10000 + ((cp - 0xD800) << 10) + (s[++i] - 0xDC00u);
		/* an unpaired surrogate stays itself, encoded as UTF-8 would encode its value
		   (WTF-8): win_utf8_to_utf16 gives back the same unit, so the path names the same
		   file; the output layer escapes the bytes as it escapes any invalid UTF-8 */
		unsigned char u[4];
		size_t k;
		if (cp < 0x80) {
			u[0] = (unsigned char)cp, k = 1;
		} else if (cp < 0x800) {
			u[0] = (unsigned char)(0xC0 | cp >> 6),
			u[1] = (unsigned char)(0x80 | (cp & 0x3F)), k = 2;
		} else if (cp < 0x10000) {
			u[0] = (unsigned char)(0xE0 | cp >> 12),
			u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			u[2] = (unsigned char)(0x80 | (cp & 0x3F)), k = 3;
		} else {
			u[0] = (unsigned char)(0xF0 | cp >> 18),
			u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
			u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)),
			u[3] = (unsigned char)(0x80 | (cp & 0x3F));
			k = 4;
		}
		rc = buf_append(&b, u, k);
	}
	if (!rc)
		rc = buf_append(&b, "", 1);
	if (rc) {
		buf_free(&b);
		return -ENOMEM;
	}
	*out = b.data;
	return 0;
}

int win_utf8_to_utf16(const char *s, uint16_t **out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k = 0;
	uint16_t *w = malloc((n + 1) * sizeof *w); /* never more units than bytes */
	*out = NULL;
	if (!w)
		return -ENOMEM;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		if (!len && n - i >= 3 && p[i] == 0xED && p[i + 1] >= 0xA0 && p[i + 1] <= 0xBF &&
		    (p[i + 2] & 0xC0) == 0x80) {
			cp = 0xD000u | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3Fu);
			len = 3; /* a surrogate kept by win_utf16_to_utf8 (WTF-8) */
		}
		if (!len) {
			free(w);
			return -EILSEQ;
		}
		if (cp >= 0x10000) {
			w[k++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
			w[k++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
		} else {
			w[k++] = (uint16_t)cp;
		}
		i += len;
	}
	w[k] = 0;
	*out = w;
	return 0;
}

int win_wstr_to_utf8(const uint16_t *s, char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	size_t n = 0;
	while (s[n])
		n++;
	return win_utf16_to_utf8(s, n, out);
}

int64_t win_filetime_to_unix(uint64_t ft)
{
	const uint64_t epoch = 116444736000000000ull; /* 1970-01-01 in 100 ns units since 1601 */
	return ft < epoch ? -1 : (int64_t)((ft - epoch) / 10000000u);
}

unsigned win_tcp_state(uint32_t s)
{
	switch (s) {
	case MIB_TCP_STATE_CLOSED:
		return PS_ST_CLOSE;
	case MIB_TCP_STATE_LISTEN:
		return PS_ST_LISTEN;
	case MIB_TCP_STATE_SYN_SENT:
		return PS_ST_SYN_SENT;
	case MIB_TCP_STATE_SYN_RCVD:
		return PS_ST_SYN_RECV;
	case MIB_TCP_STATE_ESTAB:
		return PS_ST_ESTABLISHED;
	case MIB_TCP_STATE_FIN_WAIT1:
		return PS_ST_FIN_WAIT1;
	case MIB_TCP_STATE_FIN_WAIT2:
		return PS_ST_FIN_WAIT2;
	case MIB_TCP_STATE_CLOSE_WAIT:
		return PS_ST_CLOSE_WAIT;
	case MIB_TCP_STATE_CLOSING:
		return PS_ST_CLOSING;
	case MIB_TCP_STATE_LAST_ACK:
		return PS_ST_LAST_ACK;
	case MIB_TCP_STATE_TIME_WAIT:
		return PS_ST_TIME_WAIT;
	case MIB_TCP_STATE_DELETE_TCB:
		return PS_ST_CLOSING;
	case 100: /* MIB_TCP_STATE_RESERVED: bound, neither listening nor connected (netstat -q) */
		return PS_ST_BOUND;
	default:
		return 0;
	}
}

/* The port field of a row: the port in network byte order in the low 16 bits. */
static uint16_t row_port(DWORD p)
{
	const unsigned char *b = (const unsigned char *)&p;
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void set_v4(struct ps_endpoint *e, DWORD addr, DWORD port)
{
	e->addr.family = PS_INET;
	memcpy(e->addr.bytes, &addr, 4); /* already in network byte order */
	e->port = row_port(port);
}

static void set_v6(struct ps_endpoint *e, const UCHAR addr[16], DWORD port)
{
	e->addr.family = PS_INET6;
	memcpy(e->addr.bytes, addr, 16);
	e->port = row_port(port);
}

int win_decode_owner_table(const void *buf, size_t len, enum win_table kind, win_row_fn fn,
			   void *ctx)
{
	static const size_t off[] = {offsetof(MIB_TCPTABLE_OWNER_MODULE, table),
				     offsetof(MIB_TCP6TABLE_OWNER_MODULE, table),
				     offsetof(MIB_UDPTABLE_OWNER_MODULE, table),
				     offsetof(MIB_UDP6TABLE_OWNER_MODULE, table)};
	static const size_t rowsz[] = {
	    sizeof(MIB_TCPROW_OWNER_MODULE), sizeof(MIB_TCP6ROW_OWNER_MODULE),
	    sizeof(MIB_UDPROW_OWNER_MODULE), sizeof(MIB_UDP6ROW_OWNER_MODULE)};
	DWORD count;
	if (len < sizeof count)
		return -EBADMSG;
	memcpy(&count, buf, sizeof count);
	if (!count)
		return 0;
	if (len < off[kind] || (len - off[kind]) / rowsz[kind] < count)
		return -EBADMSG;
	const unsigned char *rows = (const unsigned char *)buf + off[kind];
	for (DWORD i = 0; i < count; i++) {
		const void *row = rows + (size_t)i * rowsz[kind];
		struct ps_socket k = {0};
		DWORD pid;
		switch (kind) {
		case WIN_TCP4: {
			MIB_TCPROW_OWNER_MODULE r;
			memcpy(&r, row, sizeof r);
			k.proto = PS_TCP, k.state = (uint8_t)win_tcp_state(r.dwState),
			pid = r.dwOwningPid;
			set_v4(&k.local, r.dwLocalAddr, r.dwLocalPort);
			set_v4(&k.remote, r.dwRemoteAddr, r.dwRemotePort);
			break;
		}
		case WIN_TCP6: {
			MIB_TCP6ROW_OWNER_MODULE r;
			memcpy(&r, row, sizeof r);
			k.proto = PS_TCP, k.state = (uint8_t)win_tcp_state(r.dwState),
			pid = r.dwOwningPid;
			set_v6(&k.local, r.ucLocalAddr, r.dwLocalPort);
			set_v6(&k.remote, r.ucRemoteAddr, r.dwRemotePort);
			k.ifindex = r.dwLocalScopeId;
			break;
		}
		case WIN_UDP4: {
			MIB_UDPROW_OWNER_MODULE r;
			memcpy(&r, row, sizeof r);
			k.proto = PS_UDP, k.state = PS_ST_CLOSE, pid = r.dwOwningPid;
			set_v4(&k.local, r.dwLocalAddr, r.dwLocalPort);
			k.remote.addr.family = PS_INET;
			break;
		}
		default: {
			MIB_UDP6ROW_OWNER_MODULE r;
			memcpy(&r, row, sizeof r);
			k.proto = PS_UDP, k.state = PS_ST_CLOSE, pid = r.dwOwningPid;
			set_v6(&k.local, r.ucLocalAddr, r.dwLocalPort);
			k.remote.addr.family = PS_INET6;
			k.ifindex = r.dwLocalScopeId;
			break;
		}
		}
		if (!k.state)
			continue; /* a state this program does not know: not a socket to show as
				     something else */
		/* IPV6_V6ONLY is on by default on Windows, and a dual-mode socket's IPv4 side is
		   a row of the IPv4 table: an IPv6 row is reached over IPv6 alone */
		if (kind == WIN_TCP6 || kind == WIN_UDP6)
			k.v6only = PS_V6ONLY_YES;
		int rc = fn(ctx, &k, pid, row);
		if (rc)
			return rc;
	}
	return 0;
}

/* Whether a row of the bound table is a socket that is only bound: its state, when the row gives
 * one (Windows says MIB_TCP_STATE_RESERVED, 100), is no other (a listener or a connection comes
 * with the owner tables, and must not be listed twice). */
static bool only_bound(DWORD state)
{
	return state == 0 || state == MIB_TCP_STATE_CLOSED || win_tcp_state(state) == PS_ST_BOUND;
}

int win_decode_bound_table(const void *buf, size_t len, bool v6, win_row_fn fn, void *ctx)
{
	size_t off = v6 ? offsetof(MIB_TCP6TABLE2, table) : offsetof(MIB_TCPTABLE2, table);
	size_t rowsz = v6 ? sizeof(MIB_TCP6ROW2) : sizeof(MIB_TCPROW2);
	DWORD count;
	if (len < sizeof count)
		return -EBADMSG;
	memcpy(&count, buf, sizeof count);
	if (count && (len < off || (len - off) / rowsz < count))
		return -EBADMSG;
	const unsigned char *rows = (const unsigned char *)buf + off;
	for (DWORD i = 0; i < count; i++) {
		struct ps_socket k = {.proto = PS_TCP, .state = PS_ST_BOUND};
		DWORD pid, state;
		if (v6) {
			MIB_TCP6ROW2 r;
			memcpy(&r, rows + (size_t)i * rowsz, sizeof r);
			set_v6(&k.local, r.LocalAddr.s6_addr, r.dwLocalPort);
			set_v6(&k.remote, r.RemoteAddr.s6_addr, r.dwRemotePort);
			k.ifindex = r.dwLocalScopeId, k.v6only = PS_V6ONLY_YES;
			pid = r.dwOwningPid, state = (DWORD)r.State;
		} else {
			MIB_TCPROW2 r;
			memcpy(&r, rows + (size_t)i * rowsz, sizeof r);
			set_v4(&k.local, r.dwLocalAddr, r.dwLocalPort);
			set_v4(&k.remote, r.dwRemoteAddr, r.dwRemotePort);
			pid = r.dwOwningPid, state = r.dwState;
		}
		if (!only_bound(state))
			continue;
		int rc = fn(ctx, &k, pid, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

uint64_t win_row_tag(enum win_table kind, const void *row)
{
	static const size_t off[] = {offsetof(MIB_TCPROW_OWNER_MODULE, OwningModuleInfo),
				     offsetof(MIB_TCP6ROW_OWNER_MODULE, OwningModuleInfo),
				     offsetof(MIB_UDPROW_OWNER_MODULE, OwningModuleInfo),
				     offsetof(MIB_UDP6ROW_OWNER_MODULE, OwningModuleInfo)};
	uint64_t tag;
	memcpy(&tag, (const unsigned char *)row + off[kind], sizeof tag);
	return tag;
}

uint64_t win_row_created(enum win_table kind, const void *row)
{
	static const size_t off[] = {offsetof(MIB_TCPROW_OWNER_MODULE, liCreateTimestamp),
				     offsetof(MIB_TCP6ROW_OWNER_MODULE, liCreateTimestamp),
				     offsetof(MIB_UDPROW_OWNER_MODULE, liCreateTimestamp),
				     offsetof(MIB_UDP6ROW_OWNER_MODULE, liCreateTimestamp)};
	uint64_t ft;
	memcpy(&ft, (const unsigned char *)row + off[kind], sizeof ft);
	return ft;
}

int64_t win_row_created_unix(enum win_table kind, const void *row)
{
	int64_t t = win_filetime_to_unix(win_row_created(kind, row));
	return t > 0 ? t : 0; /* Wine gives none */
}

int win_tag_service(struct win_tag_cache *c, uint32_t pid, enum win_table kind, const void *row,
		    win_module_fn fn, void *ctx, const char **name)
{
	*name = NULL;
	uint64_t tag = win_row_tag(kind, row);
	if (!tag || pid <= WIN_PID_SYSTEM)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].pid == pid && c->e[i].tag == tag) {
			*name = c->e[i].name;
			return c->e[i].rc;
		}
	if (util_grow((void **)&c->e, &c->cap, c->n + 1, sizeof *c->e))
		return -ENOMEM;
	struct win_tag_entry *e = &c->e[c->n];
	*e = (struct win_tag_entry){.pid = pid, .tag = tag};
	c->lookups++;
	e->rc = fn(ctx, kind, row, &e->name);
	if (e->rc == -ENOMEM) {
		free(e->name);
		return -ENOMEM; /* not remembered: a later row may try again */
	}
	if (!e->rc && e->name && !*e->name) {
		free(e->name);
		e->name = NULL;
	}
	c->n++;
	*name = e->name;
	return e->rc;
}

void win_tag_cache_free(struct win_tag_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].name);
	free(c->e);
	memset(c, 0, sizeof *c);
}

/* The process record of pid, added on first sight. Its index, or -ENOMEM. */
static long proc_of(struct ps_snapshot *snap, int pid, struct win_proc_cache *c)
{
	if (c->last_proc >= 0 && c->last_pid == pid)
		return c->last_proc;
	long idx = -1;
	for (size_t i = 0; i < snap->nprocs && idx < 0; i++)
		if (snap->procs[i].pid == pid)
			idx = (long)i;
	if (idx < 0)
		idx = snap_add_proc(snap, pid);
	if (idx >= 0)
		c->last_pid = pid, c->last_proc = idx;
	return idx;
}

uint32_t win_sockcg(struct ps_snapshot *s, const char *unit, const char *type, const char *source)
{
	for (size_t i = 0; i < s->nsockcgs; i++)
		if (s->sockcgs[i].unit && strcmp(s->sockcgs[i].unit, unit) == 0 &&
		    s->sockcgs[i].source == source)
			return (uint32_t)i + 1;
	size_t cap = s->nsockcgs; /* the model keeps no capacity for sockcgs: grow one by one */
	char *u = str_dup(unit);
	if (!u || util_grow((void **)&s->sockcgs, &cap, s->nsockcgs + 1, sizeof *s->sockcgs)) {
		free(u);
		return 0;
	}
	s->sockcgs[s->nsockcgs] =
	    (struct ps_sockcg){.unit = u, .unit_type = type, .source = source};
	return (uint32_t)++s->nsockcgs;
}

/* Whether a socket in this state must have a process (pid 0 on it means the owner was not
 * reported). */
static bool needs_process(const struct ps_socket *k)
{
	return k->proto == PS_UDP || k->state == PS_ST_LISTEN || k->state == PS_ST_ESTABLISHED ||
	       k->state == PS_ST_SYN_SENT || k->state == PS_ST_SYN_RECV ||
	       k->state == PS_ST_CLOSE_WAIT || k->state == PS_ST_BOUND;
}

long win_snap_add(struct ps_snapshot *snap, const struct ps_socket *k, uint32_t pid,
		  struct win_proc_cache *cache)
{
	struct ps_socket *s = snap_add_socket(snap);
	if (!s)
		return -ENOMEM;
	*s = *k;
	uint32_t idx = (uint32_t)(snap->nsocks - 1);
	if (pid == WIN_PID_IDLE && needs_process(k)) {
		s->owner_status = PS_OWN_UNREPORTED;
		snap->partial = true;
	} else if (pid == WIN_PID_IDLE || pid == WIN_PID_SYSTEM) {
		/* System: SMB, NetBIOS and http.sys (IIS, WinRM) listen in the kernel */
		s->owner_status = PS_OWN_KERNEL;
		s->sockcg = pid == WIN_PID_SYSTEM
				? win_sockcg(snap, "System", "kernel", "pid 4")
				: win_sockcg(snap, "System Idle Process", "kernel", "pid 0");
		if (!s->sockcg)
			return -ENOMEM;
	} else {
		long proc = proc_of(snap, (int)pid, cache);
		if (proc < 0 || snap_add_owner(snap, idx, (uint32_t)proc, -1))
			return -ENOMEM;
		s->owner_status = PS_OWN_OK;
	}
	return (long)idx;
}

bool win_pid_reused(uint64_t sock_created, uint64_t proc_created)
{
	const uint64_t slack = 2 * 10000000ull; /* 2 s in 100 ns units */
	return sock_created && proc_created && sock_created + slack < proc_created;
}

long win_snap_add_stale(struct ps_snapshot *snap, const struct ps_socket *k, uint32_t pid)
{
	(void)pid; /* named by the note's count, not kept: it is another program's now */
	struct ps_socket *s = snap_add_socket(snap);
	if (!s)
		return -ENOMEM;
	*s = *k;
	s->owner_status = PS_OWN_VANISHED;
	snap_note(snap,
		  "a socket's creator has exited and its process id now belongs to another "
		  "program (the socket is older than that process): not shown as its owner",
		  0);
	return (long)(snap->nsocks - 1);
}

int win_decode_module_info(const void *buf, size_t len, char **name, char **path)
{
	TCPIP_OWNER_MODULE_BASIC_INFO info;
	*name = *path = NULL;
	if (len < sizeof info)
		return -EBADMSG;
	memcpy(&info, buf, sizeof info);
	int rc = wstr_in(buf, len, info.pModuleName, name);
	if (!rc)
		rc = wstr_in(buf, len, info.pModulePath, path);
	if (rc) {
		free(*name);
		*name = NULL;
	}
	return rc;
}

void win_ifaddrs_free(struct ps_ifaddr *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		free(a[i].ifname);
	free(a);
}

/* The IPv4 or IPv6 address of sa (inside the buffer) into *a: 1; 0 another family; -EBADMSG. */
static int sockaddr_in_buf(const void *buf, size_t len, const SOCKET_ADDRESS *sa, struct ps_addr *a)
{
	if (!sa->lpSockaddr || sa->iSockaddrLength < (INT)sizeof(struct sockaddr) ||
	    !inside(buf, len, sa->lpSockaddr, (size_t)sa->iSockaddrLength))
		return -EBADMSG;
	ADDRESS_FAMILY fam;
	memcpy(&fam, sa->lpSockaddr, sizeof fam);
	memset(a, 0, sizeof *a);
	if (fam == AF_INET && (size_t)sa->iSockaddrLength >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;
		memcpy(&sin, sa->lpSockaddr, sizeof sin);
		a->family = PS_INET;
		memcpy(a->bytes, &sin.sin_addr, 4);
	} else if (fam == AF_INET6 && (size_t)sa->iSockaddrLength >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, sa->lpSockaddr, sizeof sin6);
		a->family = PS_INET6;
		memcpy(a->bytes, &sin6.sin6_addr, 16);
	} else {
		return 0;
	}
	return 1;
}

/* A NUL-terminated byte string at p inside the buffer, copied; NULL p gives NULL. */
static int str_in(const void *buf, size_t len, const char *p, char **out)
{
	*out = NULL;
	if (!p)
		return 0;
	if (!inside(buf, len, p, 0))
		return -EBADMSG;
	size_t avail = len - (size_t)((uintptr_t)p - (uintptr_t)buf);
	const char *nul = memchr(p, 0, avail);
	if (!nul)
		return -EBADMSG;
	return (*out = str_dup_n(p, (size_t)(nul - p))) ? 0 : -ENOMEM;
}

/* Called for each IPv4 or IPv6 unicast address of adapter ad (a copy; its pointers point into
 * the buffer): id and name are its AdapterName and FriendlyName (NULL when it has none). */
typedef int (*adapter_addr_fn)(void *ctx, const IP_ADAPTER_ADDRESSES *ad, const char *id,
			       const char *name, const IP_ADAPTER_UNICAST_ADDRESS *u,
			       const struct ps_addr *addr);

/* fn for each unicast address of ad. 0, -EBADMSG, or fn's error. */
static int adapter_addrs(const void *buf, size_t len, const IP_ADAPTER_ADDRESSES *ad,
			 size_t *budget, adapter_addr_fn fn, void *ctx)
{
	char *id = NULL, *name = NULL;
	int rc = str_in(buf, len, ad->AdapterName, &id);
	if (!rc)
		rc = wstr_in(buf, len, ad->FriendlyName, &name);
	for (const IP_ADAPTER_UNICAST_ADDRESS *up = ad->FirstUnicastAddress; up && !rc;) {
		IP_ADAPTER_UNICAST_ADDRESS u;
		if (!(*budget)-- || !inside(buf, len, up, sizeof u)) {
			rc = -EBADMSG;
			break;
		}
		memcpy(&u, up, sizeof u);
		up = u.Next;
		struct ps_addr a;
		int k = sockaddr_in_buf(buf, len, &u.Address, &a);
		rc = k < 0 ? k : k ? fn(ctx, ad, id, name, &u, &a) : 0; /* 0: another family */
	}
	free(id);
	free(name);
	return rc;
}

/* fn for every unicast address of every adapter of a GetAdaptersAddresses buffer, each
 * pointer checked to lie inside it; a cycle ends the walk with -EBADMSG. */
static int walk_adapters(const void *buf, size_t len, adapter_addr_fn fn, void *ctx)
{
	size_t budget = len / sizeof(IP_ADAPTER_UNICAST_ADDRESS) + 1;
	int rc = 0;
	const IP_ADAPTER_ADDRESSES *ap = len ? buf : NULL;
	while (ap && !rc && budget--) {
		IP_ADAPTER_ADDRESSES ad;
		if (!inside(buf, len, ap, sizeof ad))
			return -EBADMSG;
		memcpy(&ad, ap, sizeof ad);
		rc = adapter_addrs(buf, len, &ad, &budget, fn, ctx);
		ap = ad.Next;
	}
	return !rc && ap ? -EBADMSG : rc; /* more links than the buffer can hold: a loop */
}

struct ifaddrs_out {
	struct ps_ifaddr *a;
	size_t n, cap;
};

static int add_unicast(void *ctx, const IP_ADAPTER_ADDRESSES *ad, const char *id, const char *name,
		       const IP_ADAPTER_UNICAST_ADDRESS *u, const struct ps_addr *addr)
{
	(void)id;
	(void)u;
	struct ifaddrs_out *o = ctx;
	struct ps_ifaddr a = {.addr = *addr};
	a.ifindex = addr->family == PS_INET6 && ad->Ipv6IfIndex ? ad->Ipv6IfIndex : ad->IfIndex;
	if (util_grow((void **)&o->a, &o->cap, o->n + 1, sizeof *o->a))
		return -ENOMEM;
	if (name && !(a.ifname = str_dup(name)))
		return -ENOMEM;
	o->a[o->n++] = a;
	return 0;
}

int win_decode_adapters(const void *buf, size_t len, struct ps_ifaddr **out, size_t *n)
{
	struct ifaddrs_out o = {0};
	int rc = walk_adapters(buf, len, add_unicast, &o);
	if (rc) {
		platform_ifaddrs_free(o.a, o.n);
		o = (struct ifaddrs_out){0};
	}
	*out = o.a;
	*n = o.n;
	return rc;
}

unsigned win_nlm_profile(int category)
{
	return category == 0   ? WFW_PUBLIC  /* NLM_NETWORK_CATEGORY_PUBLIC */
	       : category == 1 ? WFW_PRIVATE /* NLM_NETWORK_CATEGORY_PRIVATE */
	       : category == 2 ? WFW_DOMAIN  /* NLM_NETWORK_CATEGORY_DOMAIN_AUTHENTICATED */
			       : 0;
}

/* The profile of the adapter named id ("{GUID}") among cats, 0 when none names it. */
static unsigned cat_profile(const char *id, const struct win_netcat *cats, size_t ncats)
{
	for (size_t i = 0; id && i < ncats; i++)
		if (!_stricmp(id, cats[i].adapter))
			return win_nlm_profile(cats[i].category);
	return 0;
}

struct profiles_out {
	const struct win_netcat *cats;
	size_t ncats;
	struct wfw_ifaddr *a;
	size_t n, cap;
};

static int add_profile(void *ctx, const IP_ADAPTER_ADDRESSES *ad, const char *id, const char *name,
		       const IP_ADAPTER_UNICAST_ADDRESS *u, const struct ps_addr *addr)
{
	(void)ad;
	struct profiles_out *o = ctx;
	struct wfw_ifaddr a = {.addr = *addr,
			       .prefix = u->OnLinkPrefixLength,
			       .profile = cat_profile(id, o->cats, o->ncats)};
	if (util_grow((void **)&o->a, &o->cap, o->n + 1, sizeof *o->a) ||
	    (id && !(a.ifid = str_dup(id))) || (name && !(a.ifname = str_dup(name)))) {
		free(a.ifid);
		return -ENOMEM;
	}
	o->a[o->n++] = a;
	return 0;
}

int win_decode_ifprofiles(const void *buf, size_t len, const struct win_netcat *cats, size_t ncats,
			  struct wfw_ifaddr **out, size_t *n)
{
	struct profiles_out o = {.cats = cats, .ncats = ncats};
	int rc = walk_adapters(buf, len, add_profile, &o);
	if (rc) {
		win_ifprofiles_free(o.a, o.n);
		o.a = NULL;
		o.n = 0;
	}
	*out = o.a;
	*n = o.n;
	return rc;
}

void win_ifprofiles_free(struct wfw_ifaddr *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].ifid);
		free(a[i].ifname);
	}
	free(a);
}

void win_services_free(struct win_service *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].name);
		free(s[i].display);
	}
	free(s);
}

int win_decode_services(const void *buf, size_t len, uint32_t count, struct win_service **out,
			size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!count)
		return 0;
	if (len / sizeof(ENUM_SERVICE_STATUS_PROCESSW) < count)
		return -EBADMSG;
	struct win_service *s = calloc(count, sizeof *s);
	if (!s)
		return -ENOMEM;
	int rc = 0;
	for (uint32_t i = 0; i < count && !rc; i++) {
		ENUM_SERVICE_STATUS_PROCESSW e;
		memcpy(&e, (const unsigned char *)buf + i * sizeof e, sizeof e);
		s[i].pid = e.ServiceStatusProcess.dwProcessId;
		rc = wstr_in(buf, len, e.lpServiceName, &s[i].name);
		if (!rc && !s[i].name)
			rc = -EBADMSG; /* every service has a name */
		if (!rc)
			rc = wstr_in(buf, len, e.lpDisplayName, &s[i].display);
	}
	if (rc) {
		win_services_free(s, count);
		return rc;
	}
	*out = s;
	*n = count;
	return 0;
}

int win_decode_cmdline(const void *buf, size_t len, char **out, size_t *outlen)
{
	UNICODE_STRING us;
	*out = NULL;
	*outlen = 0;
	if (len < sizeof us)
		return -EBADMSG;
	memcpy(&us, buf, sizeof us);
	if (!us.Length) {
		*out = calloc(1, 1);
		*outlen = 1;
		return *out ? 0 : -ENOMEM;
	}
	if ((us.Length & 1) || ((uintptr_t)us.Buffer & 1) ||
	    !inside(buf, len, us.Buffer, us.Length))
		return -EBADMSG;
	size_t units = us.Length / 2;
	uint16_t *w = malloc(us.Length);
	if (!w)
		return -ENOMEM;
	memcpy(w, us.Buffer, us.Length);
	int rc = win_utf16_to_utf8(w, units, out);
	free(w);
	if (!rc)
		*outlen = strlen(*out) +
			  1; /* an embedded NUL ends the line, as it ends it for the program */
	return rc;
}

/* ------------------------------------------------------------------ version resources */

/* One block of a version resource: wLength, wValueLength, wType, szKey, padding, Value,
 * padding, children (each 32-bit aligned from the start of the resource). */
struct vblock {
	size_t end;		   /* where the block ends */
	const unsigned char *key;  /* UTF-16 units, not aligned */
	size_t keylen;		   /* in units, without the NUL */
	size_t value, value_bytes; /* the value's offset and size */
	size_t child;		   /* the first child's offset */
	bool text;
};

static size_t align4(size_t off)
{
	return (off + 3) & ~(size_t)3;
}

static uint16_t u16_at(const unsigned char *b, size_t off)
{
	return (uint16_t)(b[off] | b[off + 1] << 8);
}

/* The block at off, inside [off, limit). 0 or -EBADMSG. */
static int vblock_at(const unsigned char *b, size_t off, size_t limit, struct vblock *v)
{
	if (off > limit || limit - off < 6)
		return -EBADMSG;
	size_t wlen = u16_at(b, off), vlen = u16_at(b, off + 2);
	if (wlen < 6 || wlen > limit - off)
		return -EBADMSG;
	v->end = off + wlen;
	v->text = u16_at(b, off + 4) == 1;
	v->key = b + off + 6;
	size_t k = off + 6;
	while (k + 2 <= v->end && u16_at(b, k))
		k += 2;
	if (k + 2 > v->end)
		return -EBADMSG; /* no NUL ends the key inside the block */
	v->keylen = (k - off - 6) / 2;
	v->value = align4(k + 2);
	v->value_bytes = v->text ? vlen * 2 : vlen;
	if (v->value > v->end)
		v->value = v->end, v->value_bytes = 0;
	if (v->value_bytes > v->end - v->value) /* some writers count text in bytes */
		v->value_bytes = v->end - v->value;
	v->child = align4(v->value + v->value_bytes);
	return 0;
}

/* Whether the block's key is the ASCII string s. */
static bool vkey_is(const struct vblock *v, const char *s)
{
	size_t n = strlen(s);
	if (v->keylen != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (u16_at(v->key, 2 * i) != (unsigned char)s[i])
			return false;
	return true;
}

/* The block's text value as new UTF-8 (to its first NUL, trailing spaces dropped), NULL when
 * empty. 0 or -ENOMEM. */
static int vtext(const unsigned char *b, const struct vblock *v, char **out)
{
	size_t n = 0, max = v->value_bytes / 2;
	while (n < max && u16_at(b, v->value + 2 * n))
		n++;
	while (n && u16_at(b, v->value + 2 * (n - 1)) == ' ')
		n--;
	free(*out);
	*out = NULL;
	if (!n)
		return 0;
	uint16_t *w = malloc(n * sizeof *w);
	if (!w)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		w[i] = u16_at(b, v->value + 2 * i);
	int rc = win_utf16_to_utf8(w, n, out);
	free(w);
	return rc;
}

/* The strings of one StringTable block t. 0, -EBADMSG or -ENOMEM. */
static int vstrings(const unsigned char *b, const struct vblock *t, struct win_file_version *out,
		    char **file_version)
{
	int rc = 0;
	for (size_t off = t->child; !rc && off < t->end;) {
		struct vblock s;
		if ((rc = vblock_at(b, off, t->end, &s)))
			break;
		if (vkey_is(&s, "FileDescription"))
			rc = vtext(b, &s, &out->description);
		else if (vkey_is(&s, "CompanyName"))
			rc = vtext(b, &s, &out->company);
		else if (vkey_is(&s, "FileVersion"))
			rc = vtext(b, &s, file_version);
		off = align4(s.end);
	}
	return rc;
}

/* The key ("040904b0") of the first translation of a VarFileInfo block, "" when none. */
static void vtranslation(const unsigned char *b, const struct vblock *var, char key[9])
{
	key[0] = 0;
	for (size_t off = var->child; off < var->end;) {
		struct vblock t;
		if (vblock_at(b, off, var->end, &t))
			return;
		if (vkey_is(&t, "Translation") && t.value_bytes >= 4) {
			snprintf(key, 9, "%04x%04x", u16_at(b, t.value), u16_at(b, t.value + 2));
			return;
		}
		off = align4(t.end);
	}
}

/* The StringTable of StringFileInfo block sfi whose key is want (any case), else its first. */
static int vtable(const unsigned char *b, const struct vblock *sfi, const char *want,
		  struct vblock *table)
{
	bool found = false;
	for (size_t off = sfi->child; off < sfi->end;) {
		struct vblock t;
		if (vblock_at(b, off, sfi->end, &t))
			return found ? 0 : -EBADMSG;
		bool match = t.keylen == 8 && *want;
		for (size_t i = 0; match && i < 8; i++)
			match = tolower(u16_at(t.key, 2 * i)) == want[i];
		if (!found || match)
			*table = t, found = true;
		if (match)
			break;
		off = align4(t.end);
	}
	return found ? 0 : -ENOENT;
}

int win_decode_version_info(const void *buf, size_t len, struct win_file_version *out)
{
	const unsigned char *b = buf;
	struct vblock root, sfi = {0}, var = {0};
	memset(out, 0, sizeof *out);
	if (vblock_at(b, 0, len, &root) || !vkey_is(&root, "VS_VERSION_INFO"))
		return -EBADMSG;
	bool have_sfi = false, have_var = false;
	for (size_t off = root.child; off < root.end;) {
		struct vblock c;
		if (vblock_at(b, off, root.end, &c))
			break; /* padding or junk after the last child */
		if (vkey_is(&c, "StringFileInfo") && !have_sfi)
			sfi = c, have_sfi = true;
		else if (vkey_is(&c, "VarFileInfo") && !have_var)
			var = c, have_var = true;
		off = align4(c.end);
	}
	char want[9] = "", *file_version = NULL;
	if (have_var)
		vtranslation(b, &var, want);
	struct vblock table = {0};
	int rc = have_sfi && !vtable(b, &sfi, want, &table)
		     ? vstrings(b, &table, out, &file_version)
		     : 0;
	uint32_t fixed[4];
	if (!rc && root.value_bytes >= 52) {
		memcpy(fixed, b + root.value, sizeof fixed); /* signature, struct version, MS, LS */
		if (fixed[0] == 0xFEEF04BDu) {
			char v[48];
			snprintf(v, sizeof v, "%u.%u.%u.%u", fixed[2] >> 16, fixed[2] & 0xFFFF,
				 fixed[3] >> 16, fixed[3] & 0xFFFF);
			if (!(out->version = strdup(v)))
				rc = -ENOMEM;
		}
	}
	if (!rc && !out->version)
		out->version = file_version, file_version = NULL;
	free(file_version);
	if (rc)
		win_file_version_free(out);
	return rc;
}

void win_file_version_free(struct win_file_version *v)
{
	free(v->description);
	free(v->company);
	free(v->version);
	memset(v, 0, sizeof *v);
}

int win_decode_urlacl(const void *buf, size_t len, char **url, char **sddl)
{
	HTTP_SERVICE_CONFIG_URLACL_SET set;
	*url = *sddl = NULL;
	if (!buf || len < sizeof set)
		return -EBADMSG;
	memcpy(&set, buf, sizeof set);
	int rc = set.KeyDesc.pUrlPrefix ? wstr_in(buf, len, set.KeyDesc.pUrlPrefix, url) : -EBADMSG;
	if (!rc)
		rc = wstr_in(buf, len, set.ParamDesc.pStringSecurityDescriptor, sddl);
	if (!rc && !**url)
		rc = -EBADMSG;
	if (rc) {
		free(*url), free(*sddl);
		*url = *sddl = NULL;
	}
	return rc;
}
