/* table.c — the aligned text table, cut to the terminal width unless --wide. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/escape.h"
#include "output.h"

#define GAP 2

/* Escaped text of one cell into out (cleared first); "-" for no value. */
static int cell(const struct render_ctx *ctx, const struct ps_socket *k, size_t oi, enum col_id c,
		struct buf *raw, struct buf *out)
{
	buf_clear(raw);
	buf_clear(out);
	int rc = column_value(ctx, k, oi, c, raw);
	if (rc)
		return rc;
	if (raw->len == 0)
		return buf_putc(out, '-');
	return esc_text(out, raw->data, raw->len);
}

static const char *cell_color(enum col_id c, const char *text)
{
	if (c == COL_STATE && strcmp(text, "LISTEN") == 0)
		return "\033[32m";
	if (c == COL_STATE && strcmp(text, "UNCONN") == 0)
		return "\033[36m";
	if (c == COL_PROGRAM && text[0] == '[')
		return strcmp(text, "[no-permission]") == 0 ? "\033[33m" : "\033[2m";
	if (c == COL_FINDINGS && strncmp(text, "alert", 5) == 0)
		return "\033[1;31m";
	if (c == COL_FINDINGS && strncmp(text, "warning", 7) == 0)
		return "\033[33m";
	return NULL;
}

/* One padded cell; `color` is an SGR sequence or NULL. */
static void put_cell(FILE *fp, const char *ellipsis, const char *color, enum col_id c,
		     const char *text, size_t len, size_t width, bool last)
{
	size_t w = text_width(text, len);
	size_t show = len;
	bool cut = false;
	if (w > width) {
		size_t el = text_width(ellipsis, strlen(ellipsis));
		show = text_prefix(text, len, width > el ? width - el : 0);
		w = text_width(text, show) + el;
		cut = true;
	}
	size_t pad = width > w ? width - w : 0;
	if (columns[c].right)
		fprintf(fp, "%*s", (int)pad, "");
	if (color)
		fputs(color, fp);
	fwrite(text, 1, show, fp);
	if (cut)
		fputs(ellipsis, fp);
	if (color)
		fputs("\033[0m", fp);
	if (!columns[c].right && !last)
		fprintf(fp, "%*s", (int)pad, "");
	if (!last)
		fprintf(fp, "%*s", GAP, "");
}

/* Cut shrinkable columns, last first, until the row fits the terminal. */
static void fit(const struct render_ctx *ctx, size_t *width, const enum col_id *cols, size_t n)
{
	if (ctx->o.wide || !ctx->o.width)
		return;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += width[i] + (i + 1 < n ? GAP : 0);
	for (size_t i = n; i-- > 0 && total > ctx->o.width;) {
		if (!columns[cols[i]].shrink)
			continue;
		size_t min = strlen(columns[cols[i]].header);
		if (min < 8)
			min = 8;
		if (width[i] <= min)
			continue;
		size_t cut = total - ctx->o.width;
		if (cut > width[i] - min)
			cut = width[i] - min;
		width[i] -= cut;
		total -= cut;
	}
}

int render_table(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_snapshot *s = ctx->snap;
	const enum col_id *cols = ctx->o.cols;
	size_t n = ctx->o.ncols;
	size_t width[COL__COUNT];
	struct buf raw = {0}, txt = {0};
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		width[i] = strlen(columns[cols[i]].header);
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++)
			for (size_t i = 0; i < n && !rc; i++) {
				rc = cell(ctx, sk, oi, cols[i], &raw, &txt);
				size_t w = text_width(txt.data, txt.len);
				if (!rc && w > width[i])
					width[i] = w;
			}
	}
	if (rc)
		goto out;
	fit(ctx, width, cols, n);

	for (size_t i = 0; i < n; i++) {
		const char *h = columns[cols[i]].header;
		put_cell(fp, ctx->o.ellipsis, ctx->o.color ? "\033[1m" : NULL, cols[i], h, strlen(h),
			 width[i], i + 1 == n);
	}
	fputc('\n', fp);

	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++) {
			for (size_t i = 0; i < n && !rc; i++) {
				rc = cell(ctx, sk, oi, cols[i], &raw, &txt);
				if (!rc)
					put_cell(fp, ctx->o.ellipsis,
						 ctx->o.color ? cell_color(cols[i], txt.data) : NULL,
						 cols[i], txt.data, txt.len, width[i], i + 1 == n);
			}
			fputc('\n', fp);
		}
	}
out:
	buf_free(&raw);
	buf_free(&txt);
	if (!rc && ferror(fp))
		rc = -EIO;
	return rc;
}
