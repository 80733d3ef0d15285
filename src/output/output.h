/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.h — renderers: they only read the model and write to a stream. */
#ifndef PS_OUTPUT_H
#define PS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "../model/model.h"
#include "../util/buf.h"

enum col_id {
	COL_PROTO,
	COL_LOCAL,
	COL_REMOTE,
	COL_STATE,
	COL_SERVICE,
	COL_RECVQ,
	COL_SENDQ,
	COL_INODE,
	COL_SOCKUSER,
	COL_PID,
	COL_FD,
	COL_USER,
	COL_PROGRAM,
	COL_PPID,
	COL_START,
	COL_UNIT,
	COL_CONTAINER,
	COL_EXE,
	COL_DESCRIPTION,
	COL_COMMAND,
	COL_NETNS,
	COL_SUPERVISOR,
	COL_EXPOSURE,
	COL_FIREWALL,
	COL_FINDINGS,
	COL__COUNT
};

/* The one column table: table header, CSV header and -o name, JSON field, description. */
struct column {
	const char *key;    /* -o name and CSV header */
	const char *header; /* table header */
	const char *json;   /* where the value lives in --json */
	const char *doc;    /* one line for --help and the man page */
	bool right;	    /* right-aligned (numbers) */
	bool shrink;	    /* may be cut to fit the terminal */
};
extern const struct column columns[COL__COUNT];

struct render_opts {
	bool numeric; /* no service names */
	bool wide;    /* never cut */
	bool color;
	size_t width; /* terminal width; 0: unlimited */
	const char *ellipsis;
	enum col_id cols[COL__COUNT];
	size_t ncols;
	bool hide_empty; /* drop unit/container/supervisor columns that are empty on every row */
	bool may_drop;	 /* columns may be left out to fit the width (the default columns) */
	bool fw_mark;	 /* EXPOSURE carries the firewall's mark (the table without FIREWALL) */
	bool no_header;	 /* table and CSV: no header line (--no-header) */
};

/* Where and when a snapshot was taken: extra top-level JSON keys (NULL values print null). */
struct json_header {
	const char *host;
	const char *boot_id;
	const char *time; /* RFC 3339 UTC */
};

/* What render_table left out to fit the width: the caller may say so (only src/cli prints). */
struct table_report {
	size_t hidden_findings; /* open (unacknowledged) findings of the sockets shown, when the
				 * FINDINGS column was left out; 0 when it is shown */
	int hidden_worst;	/* their worst severity (enum finding_sev), -1 when none */
	enum col_id dropped[COL__COUNT]; /* the columns left out to fit, in the order dropped */
	size_t ndropped;
};

/* What a renderer reads: the model (judged or not, with user names or not) and how to show it. */
struct render_ctx {
	const struct ps_snapshot *snap;
	struct render_opts o;
	const struct json_header *header; /* snapshot: "host", "boot_id", "time"; NULL: none */
	struct table_report *report;	  /* render_table fills it when not NULL */
};

/* Parse "-o proto,local,pid" into cols. 0 or -EINVAL with *why naming the bad word. */
int columns_parse(const char *list, enum col_id *cols, size_t *ncols, char *why, size_t whylen);
/* The default columns: `all` adds the remote end, `numeric` drops the service name. */
void columns_default(enum col_id *cols, size_t *ncols, bool all, bool numeric);

/*
 * Append the raw (unescaped) value of column `c` for socket k and its owner
 * number `oi` (ignored when the socket has no owner). Empty means no value.
 */
int column_value(const struct render_ctx *ctx, const struct ps_socket *k, size_t oi, enum col_id c,
		 struct buf *out);

/* The texts of the last few addresses formatted: a listing's sockets share a few local
 * addresses (and each connection's remote end its peers'). Zeroed: empty. */
#define ADDR_MEMO_SLOTS 8
struct addr_memo_slot {
	struct ps_addr a;
	uint8_t len; /* 0: empty */
	char text[47];
};
struct addr_memo {
	struct addr_memo_slot slot[ADDR_MEMO_SLOTS];
	unsigned next; /* the slot filled next */
};

/* LOCAL's and REMOTE's text of endpoint e ("[::1]:22", "10.0.0.1:*" for a remote without a port)
 * into t, NUL-terminated; its length. memo: addresses formatted before (NULL: none). */
#define COLUMN_ENDPOINT_MAX 64 /* "[" INET6_ADDRSTRLEN "]:" port, with room */
size_t column_endpoint(char t[COLUMN_ENDPOINT_MAX], const struct ps_endpoint *e, bool remote,
		       struct addr_memo *memo);

/*
 * Append p's command line (nothing when unknown) as the table, CSV and explain
 * show it: raw (unescaped) arguments joined by spaces, shell-quoted when empty or
 * holding a space or quote; a lone argument (a process's own title) as it is.
 */
int cmdline_format(struct buf *out, const struct ps_proc *p);

/* Render the snapshot. 0 or -errno (a write error). */
int render_table(FILE *fp, const struct render_ctx *ctx);
int render_csv(FILE *fp, const struct render_ctx *ctx);
/*
 * The forwarded ports as CSV records after render_csv's, with its header's columns:
 * one per forward and owner of its target (a forward without one: one record).
 * STATE is FORWARD (DNAT) or REDIRECT, LOCAL the forwarded address and port, REMOTE
 * where connections go, PID/PROGRAM/CONTAINER/NETNS the target's, COMMAND the rule
 * ("ip nat DOCKER (docker)"); other columns are empty. 0 or -errno.
 */
int render_csv_forwards(FILE *fp, const struct render_ctx *ctx);
int render_json(FILE *fp, const struct render_ctx *ctx);
struct jw;
/* "key":{"addr":"ADDR","port":N}. */
void json_endpoint(struct jw *w, const char *key, const struct ps_endpoint *e);
/* One socket object of the --json document (as in "sockets"), written to w. */
void render_json_socket(struct jw *w, const struct render_ctx *ctx, const struct ps_socket *k);

#endif
