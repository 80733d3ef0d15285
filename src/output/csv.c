/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv.c — one CSV record per (socket, owner), then per (forwarded port, target owner); header from
 * the column table. */
#include <errno.h>

#include "../model/fwmodel.h"
#include "../util/escape.h"
#include "fw_out.h"
#include "output.h"

/* The value of column c for item (a socket or a forward) and its owner oi, raw. */
typedef int cell_fn(const struct render_ctx *ctx, const void *item, size_t oi, enum col_id c,
		    struct buf *out);

static int socket_cell(const struct render_ctx *ctx, const void *item, size_t oi, enum col_id c,
		       struct buf *out)
{
	return column_value(ctx, item, oi, c, out);
}

static int forward_record_cell(const struct render_ctx *ctx, const void *item, size_t oi,
			       enum col_id c, struct buf *out)
{
	(void)ctx;
	return forward_cell(item, oi, c, out);
}

/* One record: ctx's columns of item and its owner oi, escaped (raw and line: scratch). */
static int put_record(FILE *fp, const struct render_ctx *ctx, cell_fn *cell, const void *item,
		      size_t oi, struct buf *raw, struct buf *line)
{
	int rc = 0;
	buf_clear(line);
	for (size_t i = 0; i < ctx->o.ncols && !rc; i++) {
		buf_clear(raw);
		if (i)
			rc = buf_putc(line, ',');
		if (!rc)
			rc = cell(ctx, item, oi, ctx->o.cols[i], raw);
		if (!rc && raw->len)
			rc = esc_csv(line, raw->data, raw->len);
	}
	if (!rc && !(rc = buf_putc(line, '\n')))
		fwrite(line->data, 1, line->len, fp);
	return rc;
}

static int finish(FILE *fp, struct buf *raw, struct buf *line, int rc)
{
	buf_free(raw);
	buf_free(line);
	return !rc && ferror(fp) ? -EIO : rc;
}

int render_csv(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_snapshot *s = ctx->snap;
	struct buf raw = {0}, line = {0};
	int rc = 0;
	for (size_t i = 0; i < ctx->o.ncols && !ctx->o.no_header; i++)
		fprintf(fp, "%s%s", i ? "," : "", columns[ctx->o.cols[i]].key);
	if (!ctx->o.no_header)
		fputc('\n', fp);
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++)
			rc = put_record(fp, ctx, socket_cell, sk, oi, &raw, &line);
	}
	return finish(fp, &raw, &line, rc);
}

int render_csv_forwards(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_firewall *fw = ctx->snap->firewall;
	struct buf raw = {0}, line = {0};
	int rc = 0;
	for (size_t k = 0; fw && k < fw->nfwd && !rc; k++) {
		const struct ps_forward *f = &fw->fwd[k];
		size_t rows = f->nowners ? f->nowners : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++)
			rc = put_record(fp, ctx, forward_record_cell, f, oi, &raw, &line);
	}
	return finish(fp, &raw, &line, rc);
}
