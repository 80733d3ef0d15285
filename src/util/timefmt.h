/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timefmt.h — the timestamps portsleuth prints: RFC 3339 UTC for machines, readable forms for
 * people. */
#ifndef PS_TIMEFMT_H
#define PS_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * t (seconds since the epoch) in UTC as "2026-05-01T09:30:12Z", or with `human`
 * as "2026-05-01 09:30:12 UTC", into out. Returns out, or NULL when t < 0 or
 * cannot be shown (out is then "").
 */
const char *time_utc_text(int64_t t, bool human, char *out, size_t outlen);

/* Now as RFC 3339 UTC, with milliseconds when `ms` ("2026-05-01T09:30:12.123Z"). */
void time_now_utc(char *out, size_t outlen, bool ms);

/* Now in local time with milliseconds ("2026-05-01 11:30:12.123"), for watch's text lines. */
void time_now_local(char *out, size_t outlen);

#endif
