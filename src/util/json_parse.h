/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json_parse.h — a small, strict JSON reader for files we do not trust (snapshots, runtime state).
 */
#ifndef PS_JSON_PARSE_H
#define PS_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	bool boolean;
	double number;
	bool is_int; /* number is an integer that fits int64 */
	int64_t integer;
	char *str; /* JSON_STRING: decoded UTF-8, NUL-terminated (may hold NULs; see len) */
	size_t len;
	struct json **items; /* JSON_ARRAY elements or JSON_OBJECT values */
	char **keys;	     /* JSON_OBJECT keys, parallel to items */
	size_t n, cap;
};

struct json_error {
	size_t line, column; /* 1-based position of the problem */
	char msg[96];
};

/* Nesting deeper than this is refused rather than risking the stack. */
#define JSON_MAX_DEPTH 64

/*
 * Parse exactly one JSON value (surrounding white space allowed) from buf[0..len).
 * 0 and *out set; -EBADMSG with err filled (line, column, what); -ENOMEM.
 */
int json_parse(const char *buf, size_t len, struct json **out, struct json_error *err);

/* Member `key` of an object, or NULL (also when v is not an object). */
const struct json *json_get(const struct json *v, const char *key);
/* String value of member `key`, or NULL when absent or not a string. */
const char *json_get_str(const struct json *v, const char *key);
/* Integer member `key` into *out; false when absent or not an integer. */
bool json_get_int(const struct json *v, const char *key, int64_t *out);

void json_free(struct json *v);

#endif
