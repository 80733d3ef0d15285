/* users.c — uid → user name, cached, because the same few uids own most sockets. */
#include "users.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

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
	struct passwd pw, *res = NULL;
	char tmp[4096];
	char *name = NULL;
	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof tmp, &res) == 0 && res && res->pw_name)
		name = strdup(res->pw_name);
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
