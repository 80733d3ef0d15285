/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timefmt.c — one place that turns times into text. */
#include "timefmt.h"

#include <stdio.h>
#include <sys/time.h>
#include <time.h>

const char *time_utc_text(int64_t t, bool human, char *out, size_t outlen)
{
	if (outlen)
		out[0] = '\0';
	time_t tt = (time_t)t;
	struct tm tm;
	if (t < 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(out, outlen, human ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		if (outlen)
			out[0] = '\0';
		return NULL;
	}
	return out;
}

/* Now, broken down in UTC or local time, and its milliseconds. */
static int now(bool local, struct tm *tm)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	time_t t = tv.tv_sec;
	if (local)
		localtime_r(&t, tm);
	else
		gmtime_r(&t, tm);
	return (int)(tv.tv_usec / 1000);
}

void time_now_utc(char *out, size_t outlen, bool ms)
{
	struct tm tm;
	int milli = now(false, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms)
		snprintf(out, outlen, "%s.%03dZ", base, milli);
	else
		snprintf(out, outlen, "%sZ", base);
}

void time_now_local(char *out, size_t outlen)
{
	struct tm tm;
	int milli = now(true, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03d", base, milli);
}
