/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf.h — growable byte buffer used wherever the size comes from the kernel or a process. */
#ifndef PS_BUF_H
#define PS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

/* Make room for at least `extra` more bytes (plus the terminating NUL). 0 or -ENOMEM. */
int buf_reserve(struct buf *b, size_t extra);
/* Append `n` bytes. 0 or -ENOMEM. */
int buf_append(struct buf *b, const void *p, size_t n);
/* Append a C string. 0 or -ENOMEM. */
int buf_puts(struct buf *b, const char *s);
/* Append one byte. 0 or -ENOMEM. */
int buf_putc(struct buf *b, char c);
/* Append formatted text. 0 or -ENOMEM. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append an unsigned number in decimal (the hot path of the table; no printf). 0 or -ENOMEM. */
int buf_put_uint(struct buf *b, unsigned long long v);
/* Forget the content, keep the memory. */
void buf_clear(struct buf *b);
/* Release the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* Hand the content to the caller (NUL-terminated, never NULL unless out of memory). */
char *buf_steal(struct buf *b);

#endif
