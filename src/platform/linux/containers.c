/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containers.c — read container names from Docker's and Podman's state directories. */
#include "containers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/grow.h"
#include "../../util/json_parse.h"
#include "../../util/readfile.h"
#include "../../util/str.h"
#include "roots.h"

/* State files bigger than this are not read (a busy Podman host stays far below). */
#define STATE_LIMIT (32u * 1024 * 1024)

struct entry {
	char *runtime_id; /* "docker:<id>" */
	char *name;	  /* NULL: looked up, unknown */
};

struct containers {
	char *docker_root, *storage;
	struct entry *e;
	size_t n, cap;
	struct json *podman; /* parsed containers.json */
	bool podman_read;
	char *by_ip_ip, *by_ip_id; /* last docker-proxy lookup */
};

struct containers *containers_new(void)
{
	struct containers *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	const struct platform_roots *r = roots_get();
	c->docker_root = str_dup(r->docker);
	c->storage = str_dup(r->containers);
	if (!c->docker_root || !c->storage) {
		containers_free(c);
		return NULL;
	}
	return c;
}

void containers_free(struct containers *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].runtime_id);
		free(c->e[i].name);
	}
	free(c->e);
	json_free(c->podman);
	free(c->docker_root);
	free(c->storage);
	free(c->by_ip_ip);
	free(c->by_ip_id);
	free(c);
}

static bool is_id(const char *id)
{
	size_t n = 0;
	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == 64;
}

int containers_parse_docker_config(const char *buf, size_t len, const char *ip, char **name,
				   int *has_ip)
{
	*name = NULL;
	*has_ip = 0;
	struct json *v;
	struct json_error err;
	int rc = json_parse(buf, len, &v, &err);
	if (rc)
		return rc;
	const char *n = json_get_str(v, "Name");
	if (n) {
		if (*n == '/')
			n++;
		if (*n && !(*name = str_dup(n)))
			rc = -ENOMEM;
	}
	const struct json *nets = json_get(json_get(v, "NetworkSettings"), "Networks");
	if (ip && nets && nets->type == JSON_OBJECT)
		for (size_t i = 0; i < nets->n; i++) {
			const char *a = json_get_str(nets->items[i], "IPAddress");
			const char *a6 = json_get_str(nets->items[i], "GlobalIPv6Address");
			if ((a && strcmp(a, ip) == 0) || (a6 && strcmp(a6, ip) == 0))
				*has_ip = 1;
		}
	json_free(v);
	return rc;
}

static char *docker_name(struct containers *c, const char *id)
{
	struct buf path = {0}, b = {0};
	char *name = NULL;
	int has;
	if (buf_printf(&path, "%s/containers/%s/config.v2.json", c->docker_root, id) == 0 &&
	    read_file_at(AT_FDCWD, path.data, &b, STATE_LIMIT, O_NOFOLLOW, NULL) == 0)
		(void)containers_parse_docker_config(b.data, b.len, NULL, &name, &has);
	buf_free(&path);
	buf_free(&b);
	return name;
}

/* Podman (containers/storage): overlay-containers/containers.json, [{"id","names":[...]}]. */
static char *podman_name(struct containers *c, const char *id)
{
	if (!c->podman_read) {
		c->podman_read = true;
		struct buf path = {0}, b = {0};
		struct json_error err;
		if (buf_printf(&path, "%s/overlay-containers/containers.json", c->storage) == 0 &&
		    read_file_at(AT_FDCWD, path.data, &b, STATE_LIMIT, O_NOFOLLOW, NULL) == 0 &&
		    json_parse(b.data, b.len, &c->podman, &err) != 0)
			c->podman = NULL;
		buf_free(&path);
		buf_free(&b);
	}
	if (!c->podman || c->podman->type != JSON_ARRAY)
		return NULL;
	for (size_t i = 0; i < c->podman->n; i++) {
		const struct json *e = c->podman->items[i];
		const char *eid = json_get_str(e, "id");
		if (!eid || strcmp(eid, id) != 0)
			continue;
		const struct json *names = json_get(e, "names");
		if (names && names->type == JSON_ARRAY && names->n &&
		    names->items[0]->type == JSON_STRING && names->items[0]->str[0])
			return str_dup(names->items[0]->str);
		return NULL;
	}
	return NULL;
}

const char *containers_name(struct containers *c, const char *runtime, const char *id)
{
	if (!c || !runtime || !id || !is_id(id))
		return NULL;
	bool docker = strcmp(runtime, "docker") == 0, podman = strcmp(runtime, "podman") == 0;
	if (!docker && !podman)
		return NULL;
	char key[80];
	memcpy(key, runtime, 1);
	key[1] = ':';
	memcpy(key + 2, id, 65);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].runtime_id, key) == 0)
			return c->e[i].name;
	if (util_grow((void **)&c->e, &c->cap, c->n + 1, sizeof *c->e))
		return NULL;
	char *rid = str_dup(key);
	if (!rid)
		return NULL;
	c->e[c->n].runtime_id = rid;
	c->e[c->n].name = docker ? docker_name(c, id) : podman_name(c, id);
	return c->e[c->n++].name;
}

const char *containers_docker_by_ip(struct containers *c, const char *ip)
{
	if (!c || !ip || !*ip)
		return NULL;
	if (c->by_ip_ip && strcmp(c->by_ip_ip, ip) == 0)
		return c->by_ip_id;
	free(c->by_ip_ip);
	free(c->by_ip_id);
	c->by_ip_id = NULL;
	c->by_ip_ip = str_dup(ip);
	struct buf path = {0}, b = {0};
	if (buf_printf(&path, "%s/containers", c->docker_root)) {
		buf_free(&path);
		return NULL;
	}
	DIR *d = opendir(path.data);
	struct dirent *de;
	while (d && !c->by_ip_id && (de = readdir(d))) {
		if (!is_id(de->d_name))
			continue;
		buf_clear(&path);
		char *name = NULL;
		int has = 0;
		if (buf_printf(&path, "%s/containers/%s/config.v2.json", c->docker_root,
			       de->d_name) == 0 &&
		    read_file_at(AT_FDCWD, path.data, &b, STATE_LIMIT, O_NOFOLLOW, NULL) == 0 &&
		    containers_parse_docker_config(b.data, b.len, ip, &name, &has) == 0 && has)
			c->by_ip_id = str_dup(de->d_name);
		free(name);
	}
	if (d)
		closedir(d);
	buf_free(&path);
	buf_free(&b);
	return c->by_ip_id;
}
