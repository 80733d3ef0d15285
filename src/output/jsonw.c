/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonw.c — the streaming JSON writer every JSON emitter uses. */
#include "jsonw.h"

#include <errno.h>
#include <string.h>

#include "../util/escape.h"

#define FLUSH_AT 60000

void jw_init(struct jw *w, FILE *fp)
{
	memset(w, 0, sizeof *w);
	w->fp = fp;
}

void jw_init_members(struct jw *w)
{
	jw_init(w, NULL);
	w->depth = 1;
	w->any = 2;
}

static void fail(struct jw *w, int rc)
{
	if (rc && !w->err)
		w->err = rc;
}

static void flush(struct jw *w)
{
	if (!w->fp || w->err || !w->b.len)
		return;
	if (fwrite(w->b.data, 1, w->b.len, w->fp) != w->b.len)
		fail(w, errno ? -errno : -EIO);
	buf_clear(&w->b);
}

void jw_text(struct jw *w, const char *s, size_t n)
{
	if (!w->err)
		fail(w, buf_append(&w->b, s, n));
}

static void put(struct jw *w, const char *s)
{
	if (!w->err)
		fail(w, buf_puts(&w->b, s));
}

/* The separator before a value or key at the current level. */
static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	uint64_t bit = 1ull << w->depth;
	if (w->any & bit)
		put(w, ",");
	w->any |= bit;
}

static void open_level(struct jw *w, const char *c)
{
	sep(w);
	put(w, c);
	if (w->depth >= 63) {
		fail(w, -EINVAL);
		return;
	}
	w->depth++;
	w->any &= ~(1ull << w->depth);
}

static void close_level(struct jw *w, const char *c)
{
	put(w, c);
	if (w->depth)
		w->depth--;
	if (w->b.len > FLUSH_AT)
		flush(w);
}

void jw_obj(struct jw *w)
{
	open_level(w, "{");
}

void jw_obj_end(struct jw *w)
{
	close_level(w, "}");
}

void jw_arr(struct jw *w)
{
	open_level(w, "[");
}

void jw_arr_end(struct jw *w)
{
	close_level(w, "]");
}

void jw_key(struct jw *w, const char *key)
{
	w->after_key = false;
	sep(w);
	put(w, "\"");
	put(w, key); /* keys are ours: plain ASCII */
	put(w, "\":");
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	put(w, "\"");
	if (!w->err)
		fail(w, esc_json(&w->b, s, n));
	put(w, "\"");
}

void jw_str(struct jw *w, const char *s)
{
	if (s)
		jw_strn(w, s, strlen(s));
	else
		jw_null(w);
}

void jw_uint(struct jw *w, unsigned long long v)
{
	sep(w);
	if (!w->err)
		fail(w, buf_put_uint(&w->b, v));
}

void jw_int(struct jw *w, long long v)
{
	sep(w);
	if (!w->err)
		fail(w, buf_printf(&w->b, "%lld", v));
}

void jw_double(struct jw *w, double v)
{
	sep(w);
	if (!w->err)
		fail(w, buf_printf(&w->b, "%g", v));
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	put(w, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	sep(w);
	put(w, "null");
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kuint(struct jw *w, const char *key, unsigned long long v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_kint(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_newline_item(struct jw *w)
{
	sep(w);
	put(w, "\n");
	w->after_key = true; /* the element that follows is already separated */
}

void jw_kcounts(struct jw *w, const char *key, const char *(*name)(unsigned), const size_t *count,
		unsigned n)
{
	jw_key(w, key);
	jw_obj(w);
	for (unsigned i = 0; i < n; i++)
		jw_kuint(w, name(i), count[i]);
	jw_obj_end(w);
}

int jw_end_document(struct jw *w)
{
	jw_obj_end(w);
	jw_text(w, "\n", 1);
	int rc = jw_finish(w);
	jw_free(w);
	return rc;
}

int jw_finish(struct jw *w)
{
	flush(w);
	if (w->fp && !w->err && ferror(w->fp))
		fail(w, -EIO);
	return w->err;
}

void jw_free(struct jw *w)
{
	buf_free(&w->b);
}
