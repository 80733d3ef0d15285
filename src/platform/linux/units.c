/* SPDX-License-Identifier: GPL-2.0-or-later */
/* units.c — name the systemd unit, slice, container and pod of processes and sockets from cgroup
 * paths. */
#include "cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/str.h"
#include "../platform.h"
#include "backend.h"
#include "containers.h"

static const char *const unit_suffixes[] = {".service", ".scope", ".socket",
					    ".mount",	".swap",  ".timer"};

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n > k && memcmp(s + n - k, suf, k) == 0;
}

static bool starts_with(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(s, pre, k) == 0;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool is_digits(const char *s, size_t n)
{
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
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

/* A pod UID as Kubernetes writes it in a cgroup name: 36 characters of hex and '-' or '_'. */
static bool pod_uid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

/* Kubernetes components: QoS level and pod, in both the cgroupfs and the systemd layout. */
static void kube_component(const char *c, size_t n, const char **qos, const char **pod)
{
	if ((n == 9 && memcmp(c, "burstable", 9) == 0) || starts_with(c, n, "kubepods-burstable"))
		*qos = "burstable";
	else if ((n == 10 && memcmp(c, "besteffort", 10) == 0) ||
		 starts_with(c, n, "kubepods-besteffort"))
		*qos = "besteffort";
	/* cgroupfs: "pod<uid>"; systemd: "kubepods[-qos]-pod<uid_with_underscores>.slice" */
	const char *p = NULL;
	size_t pn = 0;
	if (starts_with(c, n, "pod")) {
		p = c + 3;
		pn = n - 3;
	} else if (starts_with(c, n, "kubepods") && ends_with(c, n, ".slice")) {
		for (size_t i = 0; i + 4 <= n; i++)
			if (memcmp(c + i, "-pod", 4) == 0) {
				p = c + i + 4;
				pn = n - i - 4 - 6;
				break;
			}
	}
	if (p && pod_uid(p, pn))
		*pod = p;
}

void cgroup_info_free(struct cgroup_info *ci)
{
	free(ci->unit);
	free(ci->slice);
	free(ci->container);
	free(ci->pod_uid);
	memset(ci, 0, sizeof *ci);
}

/*
 * A container below user@UID.service is that user's: the subtree is delegated to the user, who
 * names its cgroups at will (a rootful runtime's container id is world-readable). Never a
 * rootful runtime's, so neither its state (names) nor its commands (docker stop) apply.
 */
static const char *rootless_runtime(const char *runtime)
{
	if (strcmp(runtime, "docker") == 0)
		return "rootless-docker";
	if (strcmp(runtime, "podman") == 0)
		return "rootless-podman";
	return "rootless";
}

int cgroup_classify(const char *path, size_t len, struct cgroup_info *out)
{
	memset(out, 0, sizeof *out);
	const char *unit = NULL, *id = NULL, *prev = NULL, *slice = NULL, *qos = NULL, *pod = NULL;
	size_t unit_len = 0, prev_len = 0, slice_len = 0;
	const char *runtime = NULL;
	bool kube = false, in_user_manager = false, unit_in_manager = false,
	     slice_in_manager = false, id_in_manager = false;
	uint32_t uid = 0;
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
		if (kube)
			kube_component(c, n, &qos, &pod);
		const char *cid;
		if (prefixed_id(c, n, "docker-", &cid) || prefixed_id(c, n, "libpod-", &cid) ||
		    prefixed_id(c, n, "cri-containerd-", &cid) || prefixed_id(c, n, "crio-", &cid))
			id_in_manager = in_user_manager;
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
			id_in_manager = in_user_manager;
			if (prev_len == 6 && memcmp(prev, "docker", 6) == 0)
				runtime = "docker";
			else if (kube)
				runtime = "kubernetes";
			else
				runtime = "unknown";
		}
		bool is_unit = false;
		for (size_t s = 0; s < sizeof unit_suffixes / sizeof unit_suffixes[0]; s++)
			if (ends_with(c, n, unit_suffixes[s]))
				is_unit = true;
		if (is_unit) {
			unit = c;
			unit_len = n;
			unit_in_manager = in_user_manager;
		}
		if (ends_with(c, n, ".slice")) {
			slice = c;
			slice_len = n;
			slice_in_manager = in_user_manager;
		}
		/* user@UID.service: every unit below it belongs to that user's manager */
		if (!in_user_manager && n > 13 && starts_with(c, n, "user@") &&
		    ends_with(c, n, ".service") && is_digits(c + 5, n - 13) &&
		    strtoul(c + 5, NULL, 10) <= UINT32_MAX) {
			in_user_manager = true;
			uid = (uint32_t)strtoul(c + 5, NULL, 10) /* digits end at '.' */;
		}
		prev = c;
		prev_len = n;
		i = j;
	}
	if (unit_in_manager && !slice_in_manager)
		slice = NULL; /* a slice above the user manager is not the user unit's slice */
	if (unit) {
		if (unit_in_manager) {
			out->unit_type = "user";
			out->unit_uid = uid;
			out->have_unit_uid = true;
		} else if (starts_with(unit, unit_len, "session-") &&
			   ends_with(unit, unit_len, ".scope")) {
			out->unit_type = "session";
		} else {
			out->unit_type = "system";
		}
	}
	if ((unit && !(out->unit = str_dup_n(unit, unit_len))) ||
	    (slice && !(out->slice = str_dup_n(slice, slice_len))) ||
	    (id && !(out->container = str_dup_n(id, 64))) ||
	    (pod && !(out->pod_uid = str_dup_n(pod, 36)))) {
		cgroup_info_free(out);
		return -ENOMEM;
	}
	if (id)
		out->runtime = id_in_manager ? rootless_runtime(runtime) : runtime;
	if (out->pod_uid) {
		for (char *p = out->pod_uid; *p; p++)
			if (*p == '_')
				*p = '-';
		out->pod_qos = qos ? qos : "guaranteed";
	}
	return 0;
}

/* The value of option `name` ("-x v", "-x=v", "--x v", "--x=v") in a NUL-separated cmdline. */
static const char *cmd_opt(const char *cmd, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *s = cmd, *end = cmd + len;
	while (s < end) {
		const char *z = memchr(s, '\0', (size_t)(end - s));
		const char *ae = z ? z : end;
		const char *a = s;
		if (ae - a > 1 && a[0] == '-')
			a += a[1] == '-' ? 2 : 1;
		if ((size_t)(ae - a) >= nl && memcmp(a, name, nl) == 0 && a != s) {
			if (a + nl == ae)
				return z && z + 1 < end ? z + 1
							: NULL; /* value in the next argument */
			if (a[nl] == '=')
				return a + nl + 1;
		}
		if (!z)
			break;
		s = z + 1;
	}
	return NULL;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return s ? s + 1 : p;
}

static bool proc_is(const struct ps_proc *p, const char *name)
{
	return (p->name && strcmp(p->name, name) == 0) ||
	       (p->exe && strcmp(base_name(p->exe), name) == 0);
}

/* docker-proxy and conmon hold a host port on behalf of a container: say which. */
static int published(struct ps_proc *p, struct containers *cs)
{
	if (!p->cmdline)
		return 0;
	const char *runtime = NULL, *id = NULL;
	long port = -1;
	/* cmdline is NUL-terminated past cmdline_len (str_dup_n), so values are C strings */
	if (proc_is(p, "docker-proxy")) {
		runtime = "docker";
		const char *cport = cmd_opt(p->cmdline, p->cmdline_len, "container-port");
		if (cport) {
			char *e;
			long v = strtol(cport, &e, 10);
			if (*e == '\0' && v > 0 && v < 65536)
				port = v;
		}
		id = containers_docker_by_ip(cs,
					     cmd_opt(p->cmdline, p->cmdline_len, "container-ip"));
	} else if (proc_is(p, "conmon")) {
		runtime = "podman";
		id = cmd_opt(p->cmdline, p->cmdline_len, "c");
		if (!id)
			id = cmd_opt(p->cmdline, p->cmdline_len, "cid");
		if (id && (strlen(id) != 64 || !is_hex(id, 64)))
			id = NULL;
	} else {
		return 0;
	}
	struct ps_published *pub = calloc(1, sizeof *pub);
	if (!pub)
		return -ENOMEM;
	p->published = pub;
	pub->runtime = runtime;
	pub->container_port = (int)port;
	if (id && !(pub->id = str_dup(id)))
		return -ENOMEM;
	const char *name = id ? containers_name(cs, runtime, id) : NULL;
	if (name && !(pub->name = str_dup(name)))
		return -ENOMEM;
	return 0;
}

static int dup_name(struct containers *cs, const char *runtime, const char *id, char **out)
{
	const char *n = containers_name(cs, runtime, id);
	if (n && !(*out = str_dup(n)))
		return -ENOMEM;
	return 0;
}

static int enrich_procs(struct ps_snapshot *snap, struct containers *cs)
{
	for (size_t i = 0; i < snap->nprocs; i++) {
		struct ps_proc *p = &snap->procs[i];
		int rc = published(p, cs);
		if (rc)
			return rc;
		if (!p->cgroup)
			continue;
		struct cgroup_info ci;
		if ((rc = cgroup_classify(p->cgroup, strlen(p->cgroup), &ci)))
			return rc;
		p->unit = ci.unit;
		p->unit_type = ci.unit_type;
		p->unit_uid = ci.unit_uid;
		p->have_unit_uid = ci.have_unit_uid;
		p->slice = ci.slice;
		p->container = ci.container;
		p->container_runtime = ci.runtime;
		p->pod_uid = ci.pod_uid;
		p->pod_qos = ci.pod_qos;
		if (p->container &&
		    (rc = dup_name(cs, p->container_runtime, p->container, &p->container_name)))
			return rc;
		/* the platform saw the edge of the process's cgroup; say what that edge is */
		if (p->supervisor_kind && strcmp(p->supervisor_kind, "systemd-unit") == 0 &&
		    p->container)
			p->supervisor_kind = "container";
		if (p->supervisor_kind && p->unit && !p->container &&
		    (strcmp(p->supervisor_kind, "systemd-unit") == 0 ||
		     strcmp(p->supervisor_kind, "systemd") == 0) &&
		    !(p->supervisor_unit = str_dup(p->unit)))
			return -ENOMEM;
		if (p->activation && strcmp(p->activation->role, "activator") != 0 && p->unit &&
		    !p->activation->service_unit &&
		    !(p->activation->service_unit = str_dup(p->unit)))
			return -ENOMEM;
	}
	return 0;
}

/* A namespace without an ip-netns name is named after the container its processes run in. */
static int enrich_nets(struct ps_snapshot *snap, struct containers *cs)
{
	for (size_t i = 0; i < snap->nnets; i++) {
		struct ps_netns *x = &snap->nets[i];
		if (x->name || !x->cgroup)
			continue;
		struct cgroup_info ci;
		int rc = cgroup_classify(x->cgroup, strlen(x->cgroup), &ci);
		if (rc)
			return rc;
		if (ci.container) {
			const char *n = containers_name(cs, ci.runtime, ci.container);
			x->name = n ? str_dup(n) : str_dup_n(ci.container, 12);
			if (!x->name)
				rc = -ENOMEM;
		}
		cgroup_info_free(&ci);
		if (rc)
			return rc;
	}
	return 0;
}

static int enrich_sockcgs(struct ps_snapshot *snap, struct containers *cs)
{
	for (size_t i = 0; i < snap->nsockcgs; i++) {
		struct ps_sockcg *c = &snap->sockcgs[i];
		if (!c->path)
			continue;
		struct cgroup_info ci;
		int rc = cgroup_classify(c->path, strlen(c->path), &ci);
		if (rc)
			return rc;
		c->unit = ci.unit;
		c->unit_type = ci.unit_type;
		c->slice = ci.slice;
		c->container = ci.container;
		c->runtime = ci.runtime;
		free(ci.pod_uid);
		if (c->container &&
		    (rc = dup_name(cs, c->runtime, c->container, &c->container_name)))
			return rc;
	}
	return 0;
}

int lnx_units(struct ps_snapshot *snap)
{
	struct containers *cs = containers_new();
	if (!cs)
		return -ENOMEM;
	int rc = enrich_procs(snap, cs);
	if (!rc)
		rc = enrich_sockcgs(snap, cs);
	if (!rc)
		rc = enrich_nets(snap, cs);
	containers_free(cs);
	return rc;
}
