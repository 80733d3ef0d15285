/* SPDX-License-Identifier: GPL-2.0-or-later */
/* users.c — uid → user name, cached, because the same few uids own most sockets. */
#include "users.h"

#include <stdlib.h>

#include "../platform/platform.h"
#include "../util/grow.h"

struct user_entry {
	uint32_t uid;
	char *name; /* NULL: looked up, no such user */
};

struct users {
	struct user_entry *e;
	size_t n, cap;
};

struct users *users_new(void)
{
	return calloc(1, sizeof(struct users));
}

const char *users_name(struct users *u, uint32_t uid)
{
	if (!u)
		return NULL;
	for (size_t i = 0; i < u->n; i++)
		if (u->e[i].uid == uid)
			return u->e[i].name;
	if (util_grow((void **)&u->e, &u->cap, u->n + 1, sizeof *u->e))
		return NULL;
	char *name = NULL;
	if (platform_user_name(uid, &name))
		name = NULL;
	u->e[u->n++] = (struct user_entry){uid, name};
	return name;
}

void users_free(struct users *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++)
		free(u->e[i].name);
	free(u->e);
	free(u);
}
