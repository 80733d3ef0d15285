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
	size_t members = c == COL_PID && oi < k->owner_count ? snap_owner_members(ctx->snap, k, oi) : 0;
	if (!rc && members)
		rc = buf_printf(raw, "+%zu", members); /* a pre-forking server's workers, folded into its row */
	if (rc)
		return rc;
	if (raw->len == 0)
		return buf_putc(out, '-');
	return esc_text(out, raw->data, raw->len);
}

/* Columns whose value depends only on the owning process, not on the socket or fd. */
static bool per_process(enum col_id c)
{
	switch (c) {
	case COL_USER:
	case COL_PROGRAM:
	case COL_PPID:
	case COL_START:
	case COL_UNIT:
	case COL_CONTAINER:
	case COL_SUPERVISOR:
	case COL_EXE:
	case COL_COMMAND:
		return true;
	default:
		return false;
	}
}

/* Whether row oi of k is a worker shown in its pre-forking group's row (JSON and CSV list every holder). */
static bool folded(const struct ps_snapshot *s, const struct ps_socket *k, size_t oi)
{
	return oi < k->owner_count && snap_owner(s, k, oi)->lead;
}

/*
 * Escaped cells of the per-process columns, made once per process: a server
 * with thousands of sockets repeats its command line on every row.
 */
struct cell_cache {
	char **text; /* [proc * ncols + col], NULL until made */
	size_t *len;
	size_t ncols;
};

/* The cell for (k, oi, column c), cached as column i when it is a process's. 0 or -ENOMEM. */
static int cached_cell(const struct render_ctx *ctx, struct cell_cache *cc, const struct ps_socket *k,
		       size_t oi, enum col_id c, size_t i, struct buf *raw, struct buf *txt,
		       const char **text, size_t *len)
{
	int rc;
	if (!cc->text || oi >= k->owner_count || !per_process(c)) {
		if ((rc = cell(ctx, k, oi, c, raw, txt)))
			return rc;
		*text = txt->data;
		*len = txt->len;
		return 0;
	}
	size_t slot = snap_owner(ctx->snap, k, oi)->proc * cc->ncols + i;
	if (!cc->text[slot]) {
		if ((rc = cell(ctx, k, oi, c, raw, txt)))
			return rc;
		if (!(cc->text[slot] = malloc(txt->len + 1)))
			return -ENOMEM;
		memcpy(cc->text[slot], txt->data, txt->len + 1);
		cc->len[slot] = txt->len;
	}
	*text = cc->text[slot];
	*len = cc->len[slot];
	return 0;
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

static void put_spaces(FILE *fp, size_t n)
{
	static const char spaces[] = "                                                                ";
	while (n) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		fwrite(spaces, 1, k, fp);
		n -= k;
	}
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
		put_spaces(fp, pad);
	if (color)
		fputs(color, fp);
	fwrite(text, 1, show, fp);
	if (cut)
		fputs(ellipsis, fp);
	if (color)
		fputs("\033[0m", fp);
	if (!columns[c].right && !last)
		put_spaces(fp, pad);
	if (!last)
		put_spaces(fp, GAP);
}

/* Leave out the optional columns no row has a value for; returns the new count. */
static size_t drop_empty(enum col_id *cols, size_t *width, const bool *used, size_t *orig, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool optional = cols[i] == COL_UNIT || cols[i] == COL_CONTAINER ||
				cols[i] == COL_SUPERVISOR;
		if (optional && !used[i])
			continue;
		cols[k] = cols[i];
		width[k] = width[i];
		orig[k] = orig[i];
		k++;
	}
	return k;
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
	enum col_id cols[COL__COUNT];
	size_t n = ctx->o.ncols;
	size_t width[COL__COUNT];
	bool used[COL__COUNT] = {false};
	memcpy(cols, ctx->o.cols, n * sizeof cols[0]);
	struct buf raw = {0}, txt = {0};
	int rc = 0;

	/* Without the cache (out of memory) every cell is simply made twice. */
	struct cell_cache cc = {.ncols = n};
	if (s->nprocs) {
		cc.text = calloc(s->nprocs * n, sizeof *cc.text);
		cc.len = calloc(s->nprocs * n, sizeof *cc.len);
		if (!cc.text || !cc.len) {
			free(cc.text);
			free(cc.len);
			cc.text = NULL;
			cc.len = NULL;
		}
	}
	const char *text;
	size_t len;

	for (size_t i = 0; i < n; i++)
		width[i] = strlen(columns[cols[i]].header);
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++)
			for (size_t i = 0; i < n && !rc && !folded(s, sk, oi); i++) {
				rc = cached_cell(ctx, &cc, sk, oi, cols[i], i, &raw, &txt, &text, &len);
				size_t w = rc ? 0 : text_width(text, len);
				if (w > width[i])
					width[i] = w;
				if (!rc && !(len == 1 && text[0] == '-'))
					used[i] = true;
			}
	}
	if (rc)
		goto out;
	size_t orig[COL__COUNT]; /* where each shown column was in the list (cache slot) */
	for (size_t i = 0; i < n; i++)
		orig[i] = i;
	if (ctx->o.hide_empty)
		n = drop_empty(cols, width, used, orig, n);
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
			if (folded(s, sk, oi))
				continue;
			for (size_t i = 0; i < n && !rc; i++) {
				rc = cached_cell(ctx, &cc, sk, oi, cols[i], orig[i], &raw, &txt, &text,
						 &len);
				if (!rc)
					put_cell(fp, ctx->o.ellipsis,
						 ctx->o.color ? cell_color(cols[i], text) : NULL, cols[i],
						 text, len, width[i], i + 1 == n);
			}
			fputc('\n', fp);
		}
	}
out:
	for (size_t i = 0; cc.text && i < s->nprocs * cc.ncols; i++)
		free(cc.text[i]);
	free(cc.text);
	free(cc.len);
	buf_free(&raw);
	buf_free(&txt);
	if (!rc && ferror(fp))
		rc = -EIO;
	return rc;
}
