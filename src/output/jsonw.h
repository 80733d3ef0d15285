/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonw.h — the one streaming JSON writer: commas and escaping done once, the first error kept. */
#ifndef PS_JSONW_H
#define PS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../util/buf.h"

/*
 * A writer into a buffer that is flushed to `fp` as it grows (or kept in `b`
 * when fp is NULL). Every call after an error does nothing; the caller checks
 * once, with jw_finish(). Separators are automatic: values in an array and keys
 * in an object get their commas; a value after jw_key() gets none.
 */
struct jw {
	struct buf b;
	FILE *fp;
	int err; /* the first error: -ENOMEM, -EIO, -EINVAL (nesting deeper than 63) */
	unsigned depth;
	uint64_t any;	/* bit d: level d already has a member */
	bool after_key; /* the next value belongs to the key just written */
};

/* Start a writer to fp (NULL: into w->b only). */
void jw_init(struct jw *w, FILE *fp);
/* Start a writer into w->b for members of an object that already has some (a cached fragment). */
void jw_init_members(struct jw *w);

void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
/* "key": in the current object. */
void jw_key(struct jw *w, const char *key);

/* Values. */
void jw_str(struct jw *w, const char *s); /* a string, or null for NULL */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_uint(struct jw *w, unsigned long long v);
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
void jw_double(struct jw *w, double v); /* %g; a finite number */
void jw_null(struct jw *w);

/* Key and value in one call. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kuint(struct jw *w, const char *key, unsigned long long v);
void jw_kint(struct jw *w, const char *key, long long v);
void jw_kbool(struct jw *w, const char *key, bool v);

/* Start the next array element on a new line (the comma, if any, goes before it). */
void jw_newline_item(struct jw *w);
/* Raw text as is, no separator (a newline for layout, or a fragment from jw_init_members). */
void jw_text(struct jw *w, const char *s, size_t n);

/* "key":{"NAME0":count[0],...} with NAMEi = name(i), for the summaries of counts by kind. */
void jw_kcounts(struct jw *w, const char *key, const char *(*name)(unsigned), const size_t *count,
		unsigned n);

/* Close the top-level object, end the line, write out and release: the first error, 0 or -errno. */
int jw_end_document(struct jw *w);

/* Write out what is buffered (with fp), and return the first error: 0 or -errno. */
int jw_finish(struct jw *w);
/* Release the buffer. */
void jw_free(struct jw *w);

#endif
