/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.h — turn the buffers the Windows APIs fill (owner tables, owner-module
 * info, adapter addresses, service lists, a process's command line) into model
 * values. Pure functions of the bytes, unit-tested from buffers laid out exactly
 * as the documented API writes them. Every pointer inside a buffer is checked to
 * point into it and every string to end inside it: -EBADMSG otherwise.
 */
#ifndef PS_WIN_DECODE_H
#define PS_WIN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../model/model.h"
#include "../../model/wfwpolicy.h"

/* Which owner table a buffer holds (GetExtendedTcpTable / GetExtendedUdpTable, *_OWNER_MODULE_ALL).
 */
enum win_table { WIN_TCP4, WIN_TCP6, WIN_UDP4, WIN_UDP6 };

/*
 * Called for each row: the socket decoded (addresses, ports, state; uid 0), the
 * owning pid as the table says, and the API's own row (for
 * GetOwnerModuleFromTcpEntry and friends). A non-zero return stops the walk and
 * is returned.
 */
typedef int (*win_row_fn)(void *ctx, const struct ps_socket *k, uint32_t pid, const void *row);

/*
 * Walk a MIB_{TCP,TCP6,UDP,UDP6}TABLE_OWNER_MODULE of `len` bytes. 0, -EBADMSG
 * (the row count does not fit the buffer) or what fn returned.
 */
int win_decode_owner_table(const void *buf, size_t len, enum win_table kind, win_row_fn fn,
			   void *ctx);

/*
 * Walk the table of TCP sockets that are bound but neither listening nor
 * connected (`netstat -q`'s BOUND): InternalGetBoundTcpEndpointTable's
 * MIB_TCPTABLE2, or with v6 InternalGetBoundTcp6EndpointTable's MIB_TCP6TABLE2
 * (iphlpapi exports Microsoft does not document). Each row whose state is not a
 * listener's or a connection's (those come with the owner tables) is a socket in
 * state PS_ST_BOUND, given to fn with row NULL. 0, -EBADMSG (the row count does
 * not fit) or what fn returned.
 */
int win_decode_bound_table(const void *buf, size_t len, bool v6, win_row_fn fn, void *ctx);

/*
 * The service tag of an owner-table row (OwningModuleInfo[0]): non-zero only for
 * a socket a service opened (the tag names the service in its host process); 0
 * for every other socket, whose owning module is the program itself.
 */
uint64_t win_row_tag(enum win_table kind, const void *row);

/* The row's liCreateTimestamp (a FILETIME: when the socket was bound), 0 when not given. */
uint64_t win_row_created(enum win_table kind, const void *row);
/* The same in seconds since the epoch (ps_sock_more.created), 0 when the row gives none. */
int64_t win_row_created_unix(enum win_table kind, const void *row);

/*
 * Looks up the owning module of one row (GetOwnerModuleFrom*Entry): *name a new
 * UTF-8 string. 0, -ENOSYS (the function is missing or a stub), or -errno.
 */
typedef int (*win_module_fn)(void *ctx, enum win_table kind, const void *row, char **name);

/* Service names already asked for, per (pid, tag): rows of one service share them. */
struct win_tag_entry {
	uint32_t pid;
	uint64_t tag;
	char *name; /* NULL: the lookup failed (rc) */
	int rc;
};
struct win_tag_cache {
	struct win_tag_entry *e;
	size_t n, cap;
	size_t lookups; /* how many times fn was called */
};

/*
 * The service behind a row of process pid: none (0, *name NULL) when the row
 * has no tag or pid is a kernel pseudo-process (no lookup: the module of an
 * untagged socket is the program, not a service); otherwise fn's answer, asked
 * once per (pid, tag). *name stays owned by the cache. 0, or fn's -errno.
 */
int win_tag_service(struct win_tag_cache *c, uint32_t pid, enum win_table kind, const void *row,
		    win_module_fn fn, void *ctx, const char **name);
void win_tag_cache_free(struct win_tag_cache *c);

/* The kernel's two pseudo-processes: never shown as programs, never asked for modules. */
enum { WIN_PID_IDLE = 0, WIN_PID_SYSTEM = 4 };

/* The last process looked up by win_snap_add (rows of one process come together). */
struct win_proc_cache {
	int last_pid;
	long last_proc; /* -1: none yet */
};

/*
 * Add socket k with the owning pid a table gave: a real process (pid > 4)
 * becomes an owner (fd -1: Windows has no descriptor to show); System (4) is the
 * kernel, labelled "System"; System Idle (0) holds time-wait and closing
 * sockets, labelled "System Idle Process"; pid 0 on a live socket (listening,
 * connected, bound UDP: what Wine reports for every socket) is "unreported"
 * with no owner, and marks the snapshot partial. The new socket's index, or -ENOMEM.
 */
long win_snap_add(struct ps_snapshot *snap, const struct ps_socket *k, uint32_t pid,
		  struct win_proc_cache *cache);

/*
 * Whether the process now holding pid started after a socket its table row
 * gives to that pid was created (FILETIMEs; 0: not given): the socket's creator
 * has exited and Windows reused its pid, so the process is not the owner. Two
 * seconds of slack for the clock.
 */
bool win_pid_reused(uint64_t sock_created, uint64_t proc_created);

/*
 * Add socket k whose row names pid, a pid now used by another process
 * (win_pid_reused): no owner, status vanished, snapshot partial with a note.
 * The new socket's index, or -ENOMEM.
 */
long win_snap_add_stale(struct ps_snapshot *snap, const struct ps_socket *k, uint32_t pid);

/*
 * The socket-level label `unit` (a service name, "System"), added to
 * snap->sockcgs once per (unit, source): 1 + its index for ps_socket.sockcg, 0
 * when out of memory. type and source are static strings.
 */
uint32_t win_sockcg(struct ps_snapshot *snap, const char *unit, const char *type,
		    const char *source);

/* ps_state for a MIB_TCP_STATE value (MIB_TCP_STATE_DELETE_TCB counts as closing); 0 for unknown
 * values. */
unsigned win_tcp_state(uint32_t mib_state);

/*
 * A TCPIP_OWNER_MODULE_BASIC_INFO of `len` bytes (GetOwnerModuleFrom*Entry): the
 * module name (for a service in a shared host process: the service's name) and
 * path as new UTF-8 strings (NULL when the API gave none). 0, -EBADMSG or -ENOMEM.
 */
int win_decode_module_info(const void *buf, size_t len, char **name, char **path);

/*
 * The IP_ADAPTER_ADDRESSES list of `len` bytes (GetAdaptersAddresses): every
 * unicast IPv4 and IPv6 address with its interface index and friendly name, as
 * a new array for platform_ifaddrs_free. 0, -EBADMSG or -ENOMEM.
 */
int win_decode_adapters(const void *buf, size_t len, struct ps_ifaddr **out, size_t *n);

/* A network connection as INetworkListManager tells it: its adapter's identifier in the form
 * GetAdaptersAddresses names it ("{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}") and the network's
 * NLM_NETWORK_CATEGORY (0 public, 1 private, 2 domain-authenticated). */
struct win_netcat {
	char adapter[40];
	int category;
};

/* The profile (WFW_* bit) of an NLM_NETWORK_CATEGORY; 0 for any other number. */
unsigned win_nlm_profile(int category);

/*
 * Every unicast address of the IP_ADAPTER_ADDRESSES list of `len` bytes with its
 * OnLinkPrefixLength, its adapter's AdapterName and FriendlyName and the profile of the
 * network cats[] puts that adapter in (0 when none does), as a new array for
 * win_ifprofiles_free. 0, -EBADMSG or -ENOMEM.
 */
int win_decode_ifprofiles(const void *buf, size_t len, const struct win_netcat *cats, size_t ncats,
			  struct wfw_ifaddr **out, size_t *n);
void win_ifprofiles_free(struct wfw_ifaddr *a, size_t n);

/* One service of EnumServicesStatusEx (SC_ENUM_PROCESS_INFO). */
struct win_service {
	uint32_t pid;  /* 0 when not running */
	char *name;    /* the service's key name ("TermService") */
	char *display; /* its display name, NULL when none */
};

/*
 * `count` ENUM_SERVICE_STATUS_PROCESSW records at the start of a buffer of `len`
 * bytes, their strings inside it. *out is a new array for win_services_free. 0,
 * -EBADMSG or -ENOMEM.
 */
int win_decode_services(const void *buf, size_t len, uint32_t count, struct win_service **out,
			size_t *n);
void win_services_free(struct win_service *s, size_t n);

/*
 * What NtQueryInformationProcess(ProcessCommandLineInformation) writes: a
 * UNICODE_STRING whose Buffer points into the same buffer. *out gets the command
 * line as one NUL-terminated UTF-8 argument (Windows hands a program one string;
 * how it splits it is the program's business) and *outlen its size with the NUL.
 * 0, -EBADMSG or -ENOMEM.
 */
int win_decode_cmdline(const void *buf, size_t len, char **out, size_t *outlen);

/*
 * n UTF-16 code units (not NUL-terminated) as a new NUL-terminated UTF-8
 * string; an unpaired surrogate is kept, encoded as UTF-8 encodes its value
 * (WTF-8), so that win_utf8_to_utf16 gives back the same units (a path with one
 * names the same file). Control and format characters are kept: escaping is the
 * output layer's job. 0 or -ENOMEM.
 */
int win_utf16_to_utf8(const uint16_t *s, size_t n, char **out);

/* UTF-8 (or WTF-8) s as a new NUL-terminated UTF-16 string. 0, -EILSEQ or -ENOMEM. */
int win_utf8_to_utf16(const char *s, uint16_t **out);

/* A NUL-terminated UTF-16 string as new UTF-8 (NULL in, NULL out). 0 or -ENOMEM. */
int win_wstr_to_utf8(const uint16_t *s, char **out);

/*
 * An HTTP_SERVICE_CONFIG_URLACL_SET of `len` bytes (HttpQueryServiceConfiguration,
 * HttpServiceConfigUrlAclInfo), its strings inside the buffer: the URL prefix and
 * its security descriptor (SDDL; NULL when none) as new UTF-8. 0, -EBADMSG or -ENOMEM.
 */
int win_decode_urlacl(const void *buf, size_t len, char **url, char **sddl);

/* What a file's version resource says of it (UTF-8, each NULL when absent or empty). */
struct win_file_version {
	char *description; /* FileDescription */
	char *company;	   /* CompanyName */
	char *version; /* the fixed file version "10.0.22621.2506", else the FileVersion string */
};

/*
 * A VS_VERSIONINFO of `len` bytes (GetFileVersionInfoW): the strings of the
 * StringFileInfo table of the first translation VarFileInfo lists (else the first
 * table), and the version from VS_FIXEDFILEINFO. Every block's length is checked
 * to lie inside its parent. 0, -EBADMSG (not a VS_VERSIONINFO) or -ENOMEM.
 */
int win_decode_version_info(const void *buf, size_t len, struct win_file_version *out);
void win_file_version_free(struct win_file_version *v);

/* Seconds since the Unix epoch of a FILETIME (100 ns units since 1601), -1 when before 1970. */
int64_t win_filetime_to_unix(uint64_t ft);

#endif
