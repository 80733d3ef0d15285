/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json_parse.c — recursive-descent JSON parser with depth, escape and UTF-8 checks. */
#include "json_parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "grow.h"

struct parser {
	const char *p, *start, *end;
	struct json_error *err;
	int depth;
	int rc; /* first error */
};

static int fail(struct parser *ps, int rc, const char *msg)
{
	if (ps->rc)
		return ps->rc;
	ps->rc = rc;
	if (ps->err) {
		size_t line = 1, col = 1;
		for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
			if (*q == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		ps->err->line = line;
		ps->err->column = col;
		snprintf(ps->err->msg, sizeof ps->err->msg, "%s", msg);
	}
	return rc;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json *new_value(struct parser *ps, enum json_type t)
{
	struct json *v = calloc(1, sizeof *v);
	if (!v)
		fail(ps, -ENOMEM, "out of memory");
	else
		v->type = t;
	return v;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* Parse a string at ps->p (on the opening quote) into b. */
static int parse_string_into(struct parser *ps, struct buf *b)
{
	ps->p++;
	while (ps->p < ps->end) {
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			if (!b->data && buf_reserve(b, 0))
				return fail(ps, -ENOMEM, "out of memory");
			return 0;
		}
		if (c < 0x20)
			return fail(ps, -EBADMSG, "control character in string");
		if (c == '\\') {
			if (ps->end - ps->p < 2)
				return fail(ps, -EBADMSG, "unterminated escape");
			char e = ps->p[1];
			const char *simple = "\"\\/bfnrt";
			const char *map = "\"\\/\b\f\n\r\t";
			const char *k = strchr(simple, e);
			if (e && k) {
				if (buf_putc(b, map[k - simple]))
					return fail(ps, -ENOMEM, "out of memory");
				ps->p += 2;
				continue;
			}
			if (e != 'u' || ps->end - ps->p < 6)
				return fail(ps, -EBADMSG, "invalid escape");
			unsigned cp;
			if (hex4(ps->p + 2, &cp))
				return fail(ps, -EBADMSG, "invalid \\u escape");
			ps->p += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				unsigned lo;
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
				    hex4(ps->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return fail(ps, -EBADMSG, "unpaired surrogate");
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return fail(ps, -EBADMSG, "unpaired surrogate");
			}
			if (put_utf8(b, cp))
				return fail(ps, -ENOMEM, "out of memory");
			continue;
		}
		uint32_t cp;
		size_t n = c < 0x80 ? 1
				    : utf8_decode((const unsigned char *)ps->p,
						  (size_t)(ps->end - ps->p), &cp);
		if (n == 0)
			return fail(ps, -EBADMSG, "invalid UTF-8 in string");
		if (buf_append(b, ps->p, n))
			return fail(ps, -ENOMEM, "out of memory");
		ps->p += n;
	}
	return fail(ps, -EBADMSG, "unterminated string");
}

static struct json *parse_value(struct parser *ps);

static struct json *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
		fail(ps, -EBADMSG, "invalid number");
		return NULL;
	}
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	bool integral = true;
	if (ps->p < ps->end && *ps->p == '.') {
		integral = false;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, -EBADMSG, "invalid number");
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		integral = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, -EBADMSG, "invalid number");
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	size_t n = (size_t)(ps->p - s);
	char tmp[64];
	if (n >= sizeof tmp) {
		fail(ps, -EBADMSG, "number too long");
		return NULL;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	struct json *v = new_value(ps, JSON_NUMBER);
	if (!v)
		return NULL;
	v->number = strtod(tmp, NULL);
	if (integral) {
		errno = 0;
		long long ll = strtoll(tmp, NULL, 10);
		if (errno == 0) {
			v->is_int = true;
			v->integer = ll;
		}
	}
	return v;
}

static int push(struct parser *ps, struct json *arr, struct json *item, char *key)
{
	if (arr->n == arr->cap) {
		/* keys (objects only) grow in step with items: same start, same need */
		size_t cap = arr->cap, kcap = arr->cap;
		if (util_grow((void **)&arr->items, &cap, arr->n + 1, sizeof *arr->items) ||
		    (arr->type == JSON_OBJECT &&
		     util_grow((void **)&arr->keys, &kcap, arr->n + 1, sizeof *arr->keys)))
			return fail(ps, -ENOMEM, "out of memory");
		arr->cap = cap;
	}
	arr->items[arr->n] = item;
	if (arr->type == JSON_OBJECT)
		arr->keys[arr->n] = key;
	arr->n++;
	return 0;
}

static struct json *parse_container(struct parser *ps, bool object)
{
	if (++ps->depth > JSON_MAX_DEPTH) {
		fail(ps, -EBADMSG, "nested too deeply");
		return NULL;
	}
	struct json *v = new_value(ps, object ? JSON_OBJECT : JSON_ARRAY);
	if (!v)
		return NULL;
	char close = object ? '}' : ']';
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, -EBADMSG, "expected a string key");
				break;
			}
			struct buf kb = {0};
			if (parse_string_into(ps, &kb)) {
				buf_free(&kb);
				break;
			}
			key = buf_steal(&kb);
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, -EBADMSG, "expected ':'");
				break;
			}
			ps->p++;
		}
		struct json *item = parse_value(ps);
		if (!item) {
			free(key);
			break;
		}
		if (push(ps, v, item, key)) {
			free(key);
			json_free(item);
			break;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return v;
		}
		fail(ps, -EBADMSG, object ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	json_free(v);
	return NULL;
}

static struct json *parse_literal(struct parser *ps, const char *word, enum json_type t, bool b)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
		fail(ps, -EBADMSG, "unexpected character");
		return NULL;
	}
	ps->p += n;
	struct json *v = new_value(ps, t);
	if (v)
		v->boolean = b;
	return v;
}

static struct json *parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, -EBADMSG, "unexpected end of input");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"': {
		struct buf b = {0};
		if (parse_string_into(ps, &b)) {
			buf_free(&b);
			return NULL;
		}
		struct json *v = new_value(ps, JSON_STRING);
		if (!v) {
			buf_free(&b);
			return NULL;
		}
		v->len = b.len;
		v->str = buf_steal(&b);
		return v;
	}
	case 't':
		return parse_literal(ps, "true", JSON_BOOL, true);
	case 'f':
		return parse_literal(ps, "false", JSON_BOOL, false);
	case 'n':
		return parse_literal(ps, "null", JSON_NULL, false);
	default:
		return parse_number(ps);
	}
}

int json_parse(const char *buf, size_t len, struct json **out, struct json_error *err)
{
	struct parser ps = {.p = buf, .start = buf, .end = buf + len, .err = err};
	if (err)
		memset(err, 0, sizeof *err);
	struct json *v = parse_value(&ps);
	if (v) {
		skip_ws(&ps);
		if (ps.p != ps.end) {
			fail(&ps, -EBADMSG, "trailing data after the JSON value");
			json_free(v);
			v = NULL;
		}
	}
	if (!v)
		return ps.rc ? ps.rc : -EBADMSG;
	*out = v;
	return 0;
}

const struct json *json_get(const struct json *v, const char *key)
{
	if (!v || v->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

const char *json_get_str(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);
	return m && m->type == JSON_STRING ? m->str : NULL;
}

bool json_get_int(const struct json *v, const char *key, int64_t *out)
{
	const struct json *m = json_get(v, key);
	if (!m || m->type != JSON_NUMBER || !m->is_int)
		return false;
	*out = m->integer;
	return true;
}

void json_free(struct json *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}
