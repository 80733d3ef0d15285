/*
 * collect.c — sockets and their owning pids from the owner-module tables
 * (GetExtendedTcpTable / GetExtendedUdpTable, IPv4 and IPv6, every state), and
 * for sockets of a shared service host the exact service behind each one, from
 * the socket's owning module (GetOwnerModuleFrom*Entry).
 */
#undef gethostname /* compat.h renames it; Winsock declares its own */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/grow.h"
#include "../../util/str.h"
#include "../platform.h"
#include "win.h"

/* The two kernel pseudo-processes: no program, no module to look up. */
enum { PID_IDLE = 0, PID_SYSTEM = 4 };

struct collect {
	struct ps_snapshot *snap;
	const struct ps_filter *f;
	enum win_table kind;
	const struct win_service *svc; /* running services, to know the shared hosts */
	size_t nsvc;
	int last_pid;
	long last_proc;
};

/* Whether pid hosts at least one service (only those get a module lookup: it costs an RPC). */
static bool hosts_services(const struct collect *c, uint32_t pid)
{
	for (size_t i = 0; i < c->nsvc; i++)
		if (c->svc[i].pid == pid)
			return true;
	return false;
}

/* The process record of pid, added on first sight. Its index, or -ENOMEM. */
static long proc_of(struct collect *c, int pid)
{
	if (c->last_proc >= 0 && c->last_pid == pid)
		return c->last_proc;
	long idx = -1;
	for (size_t i = 0; i < c->snap->nprocs && idx < 0; i++)
		if (c->snap->procs[i].pid == pid)
			idx = (long)i;
	if (idx < 0)
		idx = snap_add_proc(c->snap, pid);
	if (idx >= 0)
		c->last_pid = pid, c->last_proc = idx;
	return idx;
}

/* The socket-level service entry named `unit` (added once), as 1 + its index; 0 when out of memory. */
static uint32_t sockcg_of(struct ps_snapshot *s, const char *unit, const char *type, const char *source)
{
	for (size_t i = 0; i < s->nsockcgs; i++)
		if (s->sockcgs[i].unit && strcmp(s->sockcgs[i].unit, unit) == 0 && s->sockcgs[i].source == source)
			return (uint32_t)i + 1;
	size_t cap = s->nsockcgs; /* sockcgs is sized exactly: grow it one by one */
	char *u = str_dup(unit);
	if (!u || util_grow((void **)&s->sockcgs, &cap, s->nsockcgs + 1, sizeof *s->sockcgs)) {
		free(u);
		return 0;
	}
	s->sockcgs[s->nsockcgs] = (struct ps_sockcg){.unit = u, .unit_type = type, .source = source};
	return (uint32_t)++s->nsockcgs;
}

/* The owning module of a socket row: for a service in a shared host, the service's name. 0 or -errno. */
static int owner_module(enum win_table kind, const void *row, char **name)
{
	DWORD size = 1024;
	*name = NULL;
	for (int tries = 0; tries < 4; tries++) {
		void *buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		DWORD err;
		switch (kind) {
		case WIN_TCP4: err = GetOwnerModuleFromTcpEntry((PMIB_TCPROW_OWNER_MODULE)row, TCPIP_OWNER_MODULE_INFO_BASIC, buf, &size); break;
		case WIN_TCP6: err = GetOwnerModuleFromTcp6Entry((PMIB_TCP6ROW_OWNER_MODULE)row, TCPIP_OWNER_MODULE_INFO_BASIC, buf, &size); break;
		case WIN_UDP4: err = GetOwnerModuleFromUdpEntry((PMIB_UDPROW_OWNER_MODULE)row, TCPIP_OWNER_MODULE_INFO_BASIC, buf, &size); break;
		default: err = GetOwnerModuleFromUdp6Entry((PMIB_UDP6ROW_OWNER_MODULE)row, TCPIP_OWNER_MODULE_INFO_BASIC, buf, &size); break;
		}
		if (err == ERROR_INSUFFICIENT_BUFFER) {
			free(buf);
			continue;
		}
		char *path = NULL;
		int rc = err == NO_ERROR ? win_decode_module_info(buf, size, name, &path)
			 : err == ERROR_ACCESS_DENIED ? -EACCES : -ENOENT;
		free(path);
		free(buf);
		return rc;
	}
	return -EAGAIN;
}

/* Whether a socket in this state must have a process (pid 0 on it means the owner was not reported). */
static bool needs_process(const struct ps_socket *k)
{
	return k->proto == PS_UDP || k->state == PS_ST_LISTEN || k->state == PS_ST_ESTABLISHED ||
	       k->state == PS_ST_SYN_SENT || k->state == PS_ST_CLOSE_WAIT;
}

static int on_row(void *ctx, const struct ps_socket *k, uint32_t pid, const void *row)
{
	struct collect *c = ctx;
	if (!filter_match_socket(c->f, k))
		return 0;
	struct ps_socket *s = snap_add_socket(c->snap);
	if (!s)
		return -ENOMEM;
	*s = *k;
	uint32_t idx = (uint32_t)(c->snap->nsocks - 1);
	if (pid == PID_IDLE) {
		/*
		 * System Idle: the stack keeps time-wait and closing connections with no
		 * process. A live socket with pid 0 is a system that does not report owners
		 * (Wine does so for every socket): never shown as a process.
		 */
		s->owner_status = needs_process(k) ? PS_OWN_UNREPORTED : PS_OWN_KERNEL;
		if (s->owner_status == PS_OWN_UNREPORTED)
			c->snap->partial = true;
		if (s->owner_status == PS_OWN_KERNEL && !(s->sockcg = sockcg_of(c->snap, "System Idle Process", "kernel", "pid 0")))
			return -ENOMEM;
		return 0;
	}
	if (pid == PID_SYSTEM) { /* kernel listeners: SMB and NetBIOS, http.sys (HTTP.SYS serves IIS, WinRM, WS-Man) */
		s->owner_status = PS_OWN_KERNEL;
		return (s->sockcg = sockcg_of(c->snap, "System", "kernel", "pid 4")) ? 0 : -ENOMEM;
	}
	long proc = proc_of(c, (int)pid);
	if (proc < 0 || snap_add_owner(c->snap, idx, (uint32_t)proc, -1))
		return -ENOMEM;
	s->owner_status = PS_OWN_OK;
	if (!hosts_services(c, pid))
		return 0;
	char *svc = NULL;
	int rc = owner_module(c->kind, row, &svc);
	if (rc == -ENOMEM)
		return rc;
	if (!rc && svc && *svc && !(s->sockcg = sockcg_of(c->snap, svc, "service", "service-tag")))
		rc = -ENOMEM;
	free(svc);
	return rc == -ENOMEM ? rc : 0; /* a module that cannot be named leaves the process's services */
}

/* One owner table into the snapshot. 0 or -errno. */
static int read_table(struct collect *c, enum win_table kind)
{
	ULONG af = kind == WIN_TCP4 || kind == WIN_UDP4 ? AF_INET : AF_INET6;
	DWORD size = 16384, err = ERROR_INSUFFICIENT_BUFFER;
	void *buf = NULL;
	for (int tries = 0; tries < 8 && err == ERROR_INSUFFICIENT_BUFFER; tries++) {
		free(buf);
		size += size / 4; /* the table grows between the two calls */
		if (!(buf = malloc(size)))
			return -ENOMEM;
		DWORD want = size;
		err = kind == WIN_TCP4 || kind == WIN_TCP6
			? GetExtendedTcpTable(buf, &want, FALSE, af, TCP_TABLE_OWNER_MODULE_ALL, 0)
			: GetExtendedUdpTable(buf, &want, FALSE, af, UDP_TABLE_OWNER_MODULE, 0);
		if (err == ERROR_INSUFFICIENT_BUFFER)
			size = want;
	}
	int rc = 0;
	if (err == NO_ERROR) {
		c->kind = kind;
		rc = win_decode_owner_table(buf, size, kind, on_row, c);
	} else if (err == ERROR_NOT_SUPPORTED || err == ERROR_INVALID_PARAMETER) {
		rc = 0; /* no such stack (IPv6 disabled) */
	} else {
		rc = err == ERROR_INSUFFICIENT_BUFFER ? -EAGAIN : -EIO;
	}
	free(buf);
	return rc;
}

/* Whether we run elevated (an administrator's full token): other users' process details need it. */
static bool elevated(void)
{
	HANDLE tok;
	TOKEN_ELEVATION e = {0};
	DWORD size = sizeof e;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return false;
	BOOL ok = GetTokenInformation(tok, TokenElevation, &e, sizeof e, &size);
	CloseHandle(tok);
	return ok && e.TokenIsElevated;
}

int platform_collect(struct ps_snapshot *snap, const struct ps_filter *f)
{
	snap->privileged = elevated();
	struct collect c = {.snap = snap, .f = f, .last_proc = -1};
	struct win_service *svc = NULL;
	size_t nsvc = 0;
	if (win_services_list(&svc, &nsvc) == 0)
		c.svc = svc, c.nsvc = nsvc; /* without it: no per-socket services, the rest stands */
	uint8_t protos = filter_dump_protos(f);
	static const enum win_table tables[] = {WIN_TCP4, WIN_TCP6, WIN_UDP4, WIN_UDP6};
	int rc = 0, any = 0;
	for (size_t i = 0; i < 4 && rc != -ENOMEM; i++) {
		bool tcp = tables[i] == WIN_TCP4 || tables[i] == WIN_TCP6;
		bool v4 = tables[i] == WIN_TCP4 || tables[i] == WIN_UDP4;
		if (!(protos & (1u << (tcp ? PS_TCP : PS_UDP))) || (f->families && !(f->families & PS_FAM_BIT(v4 ? PS_INET : PS_INET6))))
			continue;
		int r = read_table(&c, tables[i]);
		if (r && !rc)
			rc = r;
		any += !r;
	}
	win_services_free(svc, nsvc);
	snap->source = "iphlpapi";
	return rc == -ENOMEM || !any ? rc : 0;
}

int platform_attribute(struct ps_snapshot *snap, const struct ps_filter *f)
{
	(void)f; /* owners came with the tables */
	snap_group_owners(snap);
	snap_count_status(snap);
	return 0;
}

int platform_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f)
{
	return platform_collect(snap, f);
}

int platform_netns_census(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}
