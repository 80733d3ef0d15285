/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_coalesce.c — watch floods folded per port and user per window, in bounded lines. */
#include "../../src/model/coalesce.h"
#include "../../src/model/model.h"
#include "test.h"

struct seen {
	unsigned long lines, events, keyed, users, other;
};

static void count(const struct coalesce_bucket *b, void *ctx)
{
	struct seen *s = ctx;
	s->lines++;
	s->events += coalesce_bucket_total(b);
	if (b->any_user)
		s->other++;
	else if (b->any_port)
		s->users++;
	else
		s->keyed++;
}

TEST(coalesce_folds_a_flood)
{
	static struct coalescer c;
	unsigned long shown = 0;
	/* one port, one user: the first few shown, the rest counted on one line */
	for (int i = 0; i < 100000; i++)
		shown +=
		    coalesce_admit(&c, PS_UDP, 5000, 1000, i % 2 ? COALESCE_CLOSED : COALESCE_NEW);
	CHECK_INT(shown, COALESCE_PER_KEY);
	struct seen s = {0};
	coalesce_flush(&c, count, &s);
	CHECK_INT(s.lines, 1);
	CHECK_INT(s.events, 100000 - COALESCE_PER_KEY);
	CHECK_INT(c.folded_total, 100000 - COALESCE_PER_KEY);

	/* every event on a new port, many users: lines stay bounded whatever the flood */
	shown = 0;
	for (uint32_t i = 0; i < 50000; i++)
		shown +=
		    coalesce_admit(&c, PS_UDP, (uint16_t)(1024 + i), 1000 + i % 64, COALESCE_NEW);
	CHECK_INT(shown, COALESCE_KEYS); /* each key once, until the table is full */
	s = (struct seen){0};
	coalesce_flush(&c, count, &s);
	CHECK_INT(s.lines, COALESCE_USERS + 1); /* the shown keys folded nothing */
	CHECK_INT(s.events, 50000 - COALESCE_KEYS);
	CHECK_INT(s.users, COALESCE_USERS);
	CHECK_INT(s.other, 1);

	/* one busy port past the window's budget: counted on its own line */
	for (int i = 0; i < 1000; i++)
		coalesce_admit(&c, PS_TCP, (uint16_t)(2000 + i % 100), 0, COALESCE_NEW);
	s = (struct seen){0};
	coalesce_flush(&c, count, &s);
	CHECK_INT(s.events, 1000 - COALESCE_PER_WINDOW);
	CHECK_INT(s.lines, 100);
	/* a new window starts empty: a quiet port is shown again */
	CHECK(coalesce_admit(&c, PS_TCP, 22, 0, COALESCE_NEW));
	s = (struct seen){0};
	coalesce_flush(&c, count, &s);
	CHECK_INT(s.lines, 0);
}
