/* SPDX-License-Identifier: GPL-2.0-or-later */
/* columns.c — the column table and the value of every column, shared by table and CSV. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../util/timefmt.h"
#include "columns_services.h"
#include "output.h"
#include "verdict_out.h"

const struct column columns[COL__COUNT] = {
    [COL_PROTO] = {"proto", "PROTO", "proto", "protocol: tcp or udp, with 6 for IPv6", false,
		   false},
    [COL_LOCAL] = {"local", "LOCAL", "local.addr, local.port", "local address and port", false,
		   false},
    [COL_REMOTE] = {"remote", "REMOTE", "remote.addr, remote.port",
		    "remote address and port (* when none)", false, false},
    [COL_STATE] = {"state", "STATE", "state",
		   "socket state (LISTEN, ESTAB, UNCONN, TIME-WAIT, ...)", false, false},
    [COL_SERVICE] = {"service", "SERVICE", "service.name",
		     "registered name of the port from the layered port registry", false, true},
    [COL_RECVQ] = {"recvq", "RECV-Q", "recv_q",
		   "receive queue (for listeners: connections waiting for accept)", true, false},
    [COL_SENDQ] = {"sendq", "SEND-Q", "send_q", "send queue (for listeners: the backlog)", true,
		   false},
    [COL_INODE] = {"inode", "INODE", "inode", "socket inode (0: no file, e.g. time-wait)", true,
		   false},
    [COL_SOCKUSER] = {"sockuser", "SOCKUSER", "user, uid", "user that created the socket", false,
		      false},
    [COL_PID] = {"pid", "PID", "owners[].pid", "process holding the socket", true, false},
    [COL_FD] = {"fd", "FD", "owners[].fd", "file descriptor number in that process", true, false},
    [COL_USER] = {"user", "USER", "owners[].user",
		  "effective user of the process (of the socket when its owner is hidden)", false,
		  true},
    [COL_PROGRAM] = {"program", "PROGRAM", "owners[].name, owner_status",
		     "process name, or why there is no owner", false, true},
    [COL_PPID] = {"ppid", "PPID", "owners[].ppid", "parent process id", true, false},
    [COL_START] = {"start", "START", "owners[].start_time", "process start time (UTC)", false,
		   false},
    [COL_UNIT] = {"unit", "UNIT", "owners[].unit", "systemd unit named by the process's cgroup",
		  false, true},
    [COL_CONTAINER] = {"container", "CONTAINER", "owners[].container",
		       "container runtime and short id from the cgroup", false, true},
    [COL_EXE] = {"exe", "EXE", "owners[].exe_name", "executable path", false, true},
    [COL_DESCRIPTION] = {"description", "DESCRIPTION", "owners[].file_info",
			 "what the program's file says it is (Windows: its version resource)",
			 false, true},
    [COL_COMMAND] = {"command", "COMMAND", "owners[].cmdline", "full command line", false, true},
    [COL_NETNS] = {"netns", "NETNS", "netns, netns_name",
		   "network namespace: ip netns or container name, else inode", false, true},
    [COL_SUPERVISOR] = {"supervisor", "SUPERVISOR", "owners[].supervisor",
			"what keeps the process running (systemd unit, container shim, sshd, cron, "
			"tmux, login shell)",
			false, true},
    [COL_EXPOSURE] = {"exposure", "EXPOSURE", "exposure.scope",
		      "who can reach it: loopback, link-local, private, public, all-interfaces",
		      false, false},
    [COL_FIREWALL] = {"firewall", "FIREWALL", "exposure.firewall.verdict",
		      "the firewall's verdict beyond loopback: all, some (sources), none, ? "
		      "(unknown or not read)",
		      false, false},
    [COL_FINDINGS] = {"findings", "FINDINGS", "findings[].severity",
		      "worst finding about the port and its owner (+N more), see --findings", false,
		      false},
};

int columns_parse(const char *list, enum col_id *cols, size_t *ncols, char *why, size_t whylen)
{
	*ncols = 0;
	const char *p = list;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int found = -1;
		for (int c = 0; c < COL__COUNT; c++)
			if (strlen(columns[c].key) == n && strncmp(p, columns[c].key, n) == 0)
				found = c;
		if (found < 0) {
			snprintf(why, whylen, "unknown column '%.*s' (-o help lists them)",
				 (int)(n > 40 ? 40 : n), p);
			return -EINVAL;
		}
		if (*ncols == COL__COUNT) {
			snprintf(why, whylen, "more than %d columns", COL__COUNT);
			return -EINVAL;
		}
		cols[(*ncols)++] = (enum col_id)found;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

void columns_default(enum col_id *cols, size_t *ncols, bool all, bool numeric)
{
	size_t n = 0;
	cols[n++] = COL_PROTO;
	cols[n++] = COL_LOCAL;
	if (all)
		cols[n++] = COL_REMOTE;
	cols[n++] = COL_STATE;
	if (!numeric)
		cols[n++] = COL_SERVICE;
	cols[n++] = COL_EXPOSURE;
	cols[n++] = COL_FINDINGS;
	cols[n++] = COL_PID;
	cols[n++] = COL_USER;
	cols[n++] = COL_PROGRAM;
	cols[n++] = COL_UNIT;
	cols[n++] = COL_COMMAND;
	*ncols = n;
}

_Static_assert(INET6_ADDRSTRLEN + 10 <= COLUMN_ENDPOINT_MAX, "an endpoint's text fits");

_Static_assert(INET6_ADDRSTRLEN <= sizeof((struct addr_memo_slot *)0)->text,
	       "an address's text fits the memo");

/* Whether memo slot m holds address a (x: a's bytes). */
static bool memo_holds(const struct addr_memo_slot *m, const struct ps_addr *a, const uint64_t *x)
{
	uint64_t y[2];
	memcpy(y, m->a.bytes, sizeof y);
	return m->len && m->a.family == a->family && y[0] == x[0] && y[1] == x[1];
}

/* Address a's text into p (room for INET6_ADDRSTRLEN); its length. The memo's slots are looked
 * through in turn (a listing has a few local addresses) and refilled round-robin. */
static size_t addr_text(const struct ps_addr *a, char *p, struct addr_memo *memo)
{
	if (!memo) {
		addr_format(a, p, INET6_ADDRSTRLEN);
		return strlen(p);
	}
	uint64_t x[2];
	memcpy(x, a->bytes, sizeof x);
	struct addr_memo_slot *m = NULL;
	for (size_t i = 0; i < ADDR_MEMO_SLOTS && !m; i++)
		if (memo_holds(&memo->slot[i], a, x))
			m = &memo->slot[i];
	if (!m) {
		m = &memo->slot[memo->next++ % ADDR_MEMO_SLOTS];
		addr_format(a, m->text, sizeof m->text);
		m->a = *a;
		m->len = (uint8_t)strlen(m->text);
	}
	memcpy(p, m->text, m->len + 1u);
	return m->len;
}

size_t column_endpoint(char t[COLUMN_ENDPOINT_MAX], const struct ps_endpoint *e, bool remote,
		       struct addr_memo *memo)
{
	char *p = t; /* "[" address "]:" port */
	bool v6 = e->addr.family == PS_INET6;
	if (v6)
		*p++ = '[';
	p += addr_text(&e->addr, p, memo);
	if (v6)
		*p++ = ']';
	*p++ = ':';
	if (remote && e->port == 0) {
		*p++ = '*';
	} else {
		char d[6], *q = d + sizeof d;
		unsigned v = e->port;
		do
			*--q = (char)('0' + v % 10);
		while (v /= 10);
		memcpy(p, q, (size_t)(d + sizeof d - q));
		p += d + sizeof d - q;
	}
	*p = '\0';
	return (size_t)(p - t);
}

static int endpoint(struct buf *out, const struct ps_endpoint *e, bool remote)
{
	char t[COLUMN_ENDPOINT_MAX];
	size_t n = column_endpoint(t, e, remote, NULL);
	return buf_append(out, t, n);
}

/*
 * Arguments joined by spaces, an argument that is empty or holds a space or
 * quote quoted. A lone argument is shown as it is, as ps does: it is the title a
 * process gave itself ("nginx: master process ...", "sshd: ... [listener]").
 */
int cmdline_format(struct buf *out, const struct ps_proc *p)
{
	if (!p->cmdline)
		return 0;
	const char *s = p->cmdline, *end = s + p->cmdline_len;
	bool title = !memchr(s, '\0', p->cmdline_len);
	int rc = 0;
	bool first = true;
	while (s <= end && !rc) {
		const char *z = memchr(s, '\0', (size_t)(end - s));
		const char *ae = z ? z : end;
		size_t n = (size_t)(ae - s);
		if (!first)
			rc = buf_putc(out, ' ');
		first = false;
		if (!rc && !title &&
		    (n == 0 || memchr(s, ' ', n) || memchr(s, '\'', n) || memchr(s, '"', n))) {
			rc = buf_putc(out, '\'');
			for (size_t i = 0; i < n && !rc; i++)
				rc = s[i] == '\'' ? buf_puts(out, "'\\''") : buf_putc(out, s[i]);
			if (!rc)
				rc = buf_putc(out, '\'');
		} else if (!rc) {
			rc = buf_append(out, s, n);
		}
		if (!z)
			break;
		s = z + 1;
	}
	if (!rc && p->cmdline_truncated)
		rc = buf_puts(out, " [truncated]");
	return rc;
}

/* Whether comm (cut by the kernel to 15 bytes) is the start of s[0..n). */
static bool comm_starts(const char *comm, const char *s, size_t n)
{
	size_t cl = strlen(comm);
	return cl <= n && memcmp(comm, s, cl) == 0;
}

/* The file name part of s[0..n): after its last '/'. */
static const char *base_of(const char *s, size_t n, size_t *bn)
{
	const char *b = s;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/')
			b = s + i + 1;
	*bn = n - (size_t)(b - s);
	return b;
}

/*
 * PROGRAM: the process name (comm), or the executable's name when comm is a
 * thread's name (Node's "MainThread"): when it starts neither the executable's
 * file name nor argv[0]'s (whole, or its first word: a retitled "sshd: ...").
 */
static int program(const struct ps_proc *p, struct buf *out)
{
	if (!p->exe)
		return buf_puts(out, p->name);
	size_t en, bn;
	const char *path =
	    p->exe_path ? p->exe_path : p->exe; /* without " (deleted)" where checked */
	const char *eb = base_of(path, strlen(path), &en);
	if (comm_starts(p->name, eb, en))
		return buf_puts(out, p->name);
	if (p->cmdline) {
		size_t a0 = strnlen(p->cmdline, p->cmdline_len);
		const char *sp = memchr(p->cmdline, ' ', a0);
		const char *b = base_of(p->cmdline, a0, &bn);
		if (comm_starts(p->name, b, bn))
			return buf_puts(out, p->name);
		b = base_of(p->cmdline, sp ? (size_t)(sp - p->cmdline) : a0, &bn);
		if (comm_starts(p->name, b, bn))
			return buf_puts(out, p->name);
	}
	return buf_append(out, eb, en);
}

int column_value(const struct render_ctx *ctx, const struct ps_socket *k, size_t oi, enum col_id c,
		 struct buf *out)
{
	const struct ps_snapshot *s = ctx->snap;
	const struct ps_owner *o = oi < k->owner_count ? snap_owner(s, k, oi) : NULL;
	const struct ps_proc *p = o ? &s->procs[o->proc] : NULL;
	const char *name;
	int rc;
	switch (c) {
	case COL_PROTO:
		rc = buf_puts(out, proto_name(k->proto));
		return rc || k->local.addr.family != PS_INET6 ? rc : buf_putc(out, '6');
	case COL_LOCAL:
		return endpoint(out, &k->local, false);
	case COL_REMOTE:
		return endpoint(out, &k->remote, true);
	case COL_STATE:
		return buf_puts(out, state_label(k->proto, k->state));
	case COL_RECVQ:
		return buf_put_uint(out, k->recv_q);
	case COL_SENDQ:
		return buf_put_uint(out, k->send_q);
	case COL_INODE:
		return buf_put_uint(out, k->inode);
	case COL_SOCKUSER:
		name = snap_user_name(s, k->uid);
		return name ? buf_puts(out, name) : buf_printf(out, "%" PRIu32, k->uid);
	case COL_PID:
		return o ? buf_put_uint(out, (unsigned)o->pid) : 0;
	case COL_FD:
		if (o && owner_fd_is_fixed(o->fd)) /* an io_uring ring's fixed file */
			return buf_printf(out, "uring:%u", owner_fixed_index(o->fd));
		return o ? buf_put_uint(out, (unsigned)o->fd) : 0;
	case COL_USER:
		if (!p && (k->owner_status == PS_OWN_NOPERM || k->owner_status == PS_OWN_VANISHED ||
			   (k->owner_status == PS_OWN_KERNEL && k->inode))) {
			/* the owner is hidden (or gone): the kernel still says who made the socket
			 */
			name = snap_user_name(s, k->uid);
			return name ? buf_puts(out, name) : buf_printf(out, "%" PRIu32, k->uid);
		}
		if (!p || !p->have_uid)
			return 0;
		name = snap_user_name(s, p->uid);
		return name ? buf_puts(out, name) : buf_printf(out, "%" PRIu32, p->uid);
	case COL_PROGRAM:
		if (!p)
			return buf_printf(out, "[%s]", owner_status_name(k->owner_status));
		if (p->vanished)
			return buf_puts(out, "[vanished]");
		return p->name ? program(p, out) : 0;
	case COL_PPID:
		return p && p->ppid >= 0 ? buf_printf(out, "%d", p->ppid) : 0;
	case COL_START: {
		char b[32];
		return p && time_utc_text(p->start_time, false, b, sizeof b) ? buf_puts(out, b) : 0;
	}
	case COL_UNIT:
		return column_unit(s, k, p, out);
	case COL_CONTAINER:
		return column_container(s, k, p, out);
	case COL_NETNS:
		return column_netns(s, k, out);
	case COL_SUPERVISOR:
		return p ? column_supervisor(p, out) : 0;
	case COL_SERVICE:
	case COL_EXPOSURE:
	case COL_FIREWALL:
	case COL_FINDINGS:
		/* service, exposure and findings are the verdict's (none: no value) */
		return column_verdict(ctx->snap, k, c, ctx->o.fw_mark, out);
	case COL_EXE:
		return p && proc_exe_name(p) ? buf_puts(out, proc_exe_name(p)) : 0;
	case COL_DESCRIPTION: { /* "Host Process for Windows Services (Microsoft Corporation)" */
		const struct ps_proc_more *m = p ? proc_more(p) : NULL;
		if (!m || (!m->file_description && !m->file_company))
			return 0;
		return m->file_description && m->file_company
			   ? buf_printf(out, "%s (%s)", m->file_description, m->file_company)
			   : buf_puts(out,
				      m->file_description ? m->file_description : m->file_company);
	}
	case COL_COMMAND:
		return p ? cmdline_format(out, p) : 0;
	case COL__COUNT:
		break;
	}
	return 0;
}
