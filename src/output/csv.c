/* csv.c — one CSV record per (socket, owner), header from the column table. */
#include <errno.h>

#include "../util/escape.h"
#include "output.h"

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
			if (!rc) {
				buf_putc(&line, '\n');
				fwrite(line.data, 1, line.len, fp);
			}
		}
	}
	buf_free(&raw);
	buf_free(&line);
	if (!rc && ferror(fp))
		rc = -EIO;
	return rc;
}
