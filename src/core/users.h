/* SPDX-License-Identifier: GPL-2.0-or-later */
/* users.h — user names for uids, looked up once per uid. */
#ifndef PS_USERS_H
#define PS_USERS_H

#include <stdint.h>

struct users;

/* A new empty cache, or NULL when out of memory. */
struct users *users_new(void);
/* Name of `uid`, or NULL when the system has none. Valid until users_free(). */
const char *users_name(struct users *u, uint32_t uid);
void users_free(struct users *u);

#endif
