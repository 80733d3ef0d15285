/* cgroup.c — name the systemd unit and container from a process's cgroup path. */
#include "cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const unit_suffixes[] = {".service", ".scope", ".socket", ".mount", ".swap",
					    ".timer", ".slice"};

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n > k && memcmp(s + n - k, suf, k) == 0;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "<prefix><64 hex>[.scope]" → the id. */
static bool prefixed_id(const char *c, size_t n, const char *prefix, const char **id)
{
	size_t pl = strlen(prefix);
	if (n < pl + 64 || memcmp(c, prefix, pl) != 0)
		return false;
	size_t rest = n - pl;
	if (rest != 64 && !(rest == 70 && memcmp(c + pl + 64, ".scope", 6) == 0))
		return false;
	if (!is_hex(c + pl, 64))
		return false;
	*id = c + pl;
	return true;
}

static char *dup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

int cgroup_classify(const char *path, size_t len, struct cgroup_info *out)
{
	memset(out, 0, sizeof *out);
	const char *unit = NULL, *id = NULL, *prev = NULL;
	size_t unit_len = 0, prev_len = 0;
	const char *runtime = NULL;
	bool kube = false;
	for (size_t i = 0; i < len;) {
		while (i < len && path[i] == '/')
			i++;
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		const char *c = path + i;
		size_t n = j - i;
		if (n == 0)
			break;
		if (n >= 8 && memcmp(c, "kubepods", 8) == 0)
			kube = true;
		const char *cid;
		if (prefixed_id(c, n, "docker-", &cid))
			id = cid, runtime = "docker";
		else if (prefixed_id(c, n, "libpod-", &cid))
			id = cid, runtime = "podman";
		else if (prefixed_id(c, n, "cri-containerd-", &cid))
			id = cid, runtime = "containerd";
		else if (prefixed_id(c, n, "crio-", &cid))
			id = cid, runtime = "cri-o";
		else if (n == 64 && is_hex(c, 64) && prev) {
			id = c;
			if (prev_len == 6 && memcmp(prev, "docker", 6) == 0)
				runtime = "docker";
			else if (kube)
				runtime = "kubernetes";
			else
				runtime = "unknown";
		}
		for (size_t s = 0; s < sizeof unit_suffixes / sizeof unit_suffixes[0]; s++) {
			if (ends_with(c, n, unit_suffixes[s]) && strcmp(unit_suffixes[s], ".slice") != 0) {
				unit = c;
				unit_len = n;
			}
		}
		prev = c;
		prev_len = n;
		i = j;
	}
	if (unit && !(out->unit = dup_n(unit, unit_len)))
		return -ENOMEM;
	if (id) {
		if (!(out->container = dup_n(id, 64))) {
			free(out->unit);
			out->unit = NULL;
			return -ENOMEM;
		}
		out->runtime = runtime;
	}
	return 0;
}

int cgroup_enrich(struct ps_snapshot *snap)
{
	for (size_t i = 0; i < snap->nprocs; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (!p->cgroup)
			continue;
		struct cgroup_info ci;
		int rc = cgroup_classify(p->cgroup, strlen(p->cgroup), &ci);
		if (rc)
			return rc;
		p->unit = ci.unit;
		p->container = ci.container;
		p->container_runtime = ci.runtime;
	}
	return 0;
}
