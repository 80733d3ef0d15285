/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msg.c — the one place that writes diagnostics: one prefix, one escaping path. */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/escape.h"

__attribute__((format(printf, 2, 0))) static void vmsg(int err, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *raw = n >= 0 ? malloc((size_t)n + 1) : NULL;
	struct buf e = {0};
	if (raw)
		vsnprintf(raw, (size_t)n + 1, fmt, ap);
	if (!raw || esc_text(&e, raw, (size_t)n) || (n && !e.data))
		fprintf(stderr, "portsleuth: out of memory\n");
	else if (err)
		fprintf(stderr, "portsleuth: %s: %s\n", e.data ? e.data : "", strerror(-err));
	else
		fprintf(stderr, "portsleuth: %s\n", e.data ? e.data : "");
	buf_free(&e);
	free(raw);
}

void cli_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

bool cli_quiet;

void cli_note(const char *fmt, ...)
{
	if (cli_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void cli_err(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(err, fmt, ap);
	va_end(ap);
}

void cli_file_error(const char *path, int err, const char *why)
{
	if (why)
		cli_msg("cannot write %s: %s", path, why);
	else
		cli_err(err, "cannot write %s", path);
}
