/* csv.c — one CSV record per (socket, owner), then per (forwarded port, target owner); header from
 * the column table. */
#include <errno.h>

#include "../model/fwmodel.h"
#include "../util/escape.h"
#include "fw_out.h"
#include "output.h"

/* Write the record built in line (raw fields escaped as they were added). */
static void put_record(FILE *fp, struct buf *line)
{
	if (!buf_putc(line, '\n'))
		fwrite(line->data, 1, line->len, fp);
}

int render_csv(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_snapshot *s = ctx->snap;
	struct buf raw = {0}, line = {0};
	int rc = 0;
	for (size_t i = 0; i < ctx->o.ncols; i++)
		fprintf(fp, "%s%s", i ? "," : "", columns[ctx->o.cols[i]].key);
	fputc('\n', fp);
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++) {
			buf_clear(&line);
			for (size_t i = 0; i < ctx->o.ncols && !rc; i++) {
				buf_clear(&raw);
				if (i)
					rc = buf_putc(&line, ',');
				if (!rc)
					rc = column_value(ctx, sk, oi, ctx->o.cols[i], &raw);
				if (!rc && raw.len)
					rc = esc_csv(&line, raw.data, raw.len);
			}
			if (!rc)
				put_record(fp, &line);
		}
	}
	buf_free(&raw);
	buf_free(&line);
	if (!rc && ferror(fp))
		rc = -EIO;
	return rc;
}

int render_csv_forwards(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_firewall *fw = ctx->snap->firewall;
	struct buf raw = {0}, line = {0};
	int rc = 0;
	for (size_t k = 0; fw && k < fw->nfwd && !rc; k++) {
		const struct ps_forward *f = &fw->fwd[k];
		size_t rows = f->nowners ? f->nowners : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++) {
			buf_clear(&line);
			for (size_t i = 0; i < ctx->o.ncols && !rc; i++) {
				buf_clear(&raw);
				if (i)
					rc = buf_putc(&line, ',');
				if (!rc)
					rc = forward_cell(f, oi, ctx->o.cols[i], &raw);
				if (!rc && raw.len)
					rc = esc_csv(&line, raw.data, raw.len);
			}
			if (!rc)
				put_record(fp, &line);
		}
	}
	buf_free(&raw);
	buf_free(&line);
	if (!rc && ferror(fp))
		rc = -EIO;
	return rc;
}
