/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sdbus.c — .socket units of systemd's listening sockets, read over D-Bus (only with -DHAVE_SDBUS).
 */
#include "sdbus.h"
#include "../../util/str.h"

#include <errno.h>

#ifdef HAVE_SDBUS
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

/*
 * libsystemd is loaded when systemd is to be asked, not linked: linked, it and
 * the libraries it needs (libgcrypt, liblzma, libzstd, liblz4, libcap) were
 * mapped and relocated at every start, which cost more than a small host's
 * whole listing, for a question few listings ask.
 */
static struct sdbus_fns {
	int (*open_system)(sd_bus **);
	sd_bus *(*flush_close_unref)(sd_bus *);
	int (*call_method)(sd_bus *, const char *, const char *, const char *, const char *,
			   sd_bus_error *, sd_bus_message **, const char *, ...);
	int (*get_property)(sd_bus *, const char *, const char *, const char *, const char *,
			    sd_bus_error *, sd_bus_message **, const char *);
	int (*get_property_strv)(sd_bus *, const char *, const char *, const char *, const char *,
				 sd_bus_error *, char ***);
	int (*enter_container)(sd_bus_message *, char, const char *);
	int (*read)(sd_bus_message *, const char *, ...);
	sd_bus_message *(*unref)(sd_bus_message *);
	void (*error_free)(sd_bus_error *);
} fns;

/* Load libsystemd and its sd-bus functions once; false when it cannot be. */
static bool sdbus_load(void)
{
	static int state; /* 0: not tried, 1: loaded, -1: failed */
	if (state)
		return state > 0;
	state = -1;
	void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return false;
	struct {
		const char *name;
		void **at;
	} want[] = {
	    {"sd_bus_open_system", (void **)&fns.open_system},
	    {"sd_bus_flush_close_unref", (void **)&fns.flush_close_unref},
	    {"sd_bus_call_method", (void **)&fns.call_method},
	    {"sd_bus_get_property", (void **)&fns.get_property},
	    {"sd_bus_get_property_strv", (void **)&fns.get_property_strv},
	    {"sd_bus_message_enter_container", (void **)&fns.enter_container},
	    {"sd_bus_message_read", (void **)&fns.read},
	    {"sd_bus_message_unref", (void **)&fns.unref},
	    {"sd_bus_error_free", (void **)&fns.error_free},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!(*want[i].at = dlsym(h, want[i].name))) {
			dlclose(h);
			return false;
		}
	state = 1; /* kept loaded until exit */
	return true;
}

struct listen {
	char *unit, *trigger, *addr; /* addr as systemd prints it: 0.0.0.0:22, [::]:22 */
};

static void listens_free(struct listen *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].unit), free(l[i].trigger), free(l[i].addr);
	free(l);
}

/* Every (socket unit, triggered unit, listen address) systemd knows. 0, -ENOMEM or -errno from
 * sd-bus. */
static int list_listens(sd_bus *bus, struct listen **out, size_t *nout)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct listen *l = NULL;
	size_t n = 0;
	int r = fns.call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				"org.freedesktop.systemd1.Manager", "ListUnitsByPatterns", &err,
				&reply, "asas", 0, 1, "*.socket");
	if (r >= 0)
		r = fns.enter_container(reply, 'a', "(ssssssouso)");
	const char *name, *d1, *d2, *d3, *d4, *d5, *path, *d6, *d7;
	uint32_t jobid;
	while (r >= 0 && (r = fns.read(reply, "(ssssssouso)", &name, &d1, &d2, &d3, &d4, &d5, &path,
				       &jobid, &d6, &d7)) > 0) {
		sd_bus_message *m = NULL;
		char **trig = NULL;
		(void)fns.get_property_strv(bus, "org.freedesktop.systemd1", path,
					    "org.freedesktop.systemd1.Unit", "Triggers", NULL,
					    &trig);
		int q = fns.get_property(bus, "org.freedesktop.systemd1", path,
					 "org.freedesktop.systemd1.Socket", "Listen", NULL, &m,
					 "a(ss)");
		if (q >= 0)
			q = fns.enter_container(m, 'a', "(ss)");
		const char *type, *addr;
		while (q >= 0 && (q = fns.read(m, "(ss)", &type, &addr)) > 0) {
			struct listen *nl = realloc(l, (n + 1) * sizeof *nl);
			if (!nl) {
				r = -ENOMEM;
				break;
			}
			l = nl;
			l[n] = (struct listen){str_dup(name),
					       str_dup(trig && trig[0] ? trig[0] : NULL),
					       str_dup(addr)};
			n++;
		}
		for (char **t = trig; t && *t; t++)
			free(*t);
		free(trig);
		fns.unref(m);
	}
	fns.unref(reply);
	fns.error_free(&err);
	if (r < 0) {
		listens_free(l, n);
		return r;
	}
	*out = l;
	*nout = n;
	return 0;
}

/* Whether systemd's listen address names this socket ("22" alone means [::]:22). */
static bool matches(const char *addr, const struct ps_socket *k)
{
	char a[64], want[80];
	addr_format(&k->local.addr, a, sizeof a);
	snprintf(want, sizeof want, k->local.addr.family == PS_INET6 ? "[%s]:%u" : "%s:%u", a,
		 k->local.port);
	if (strcmp(addr, want) == 0)
		return true;
	char port[8];
	snprintf(port, sizeof port, "%u", k->local.port);
	return strcmp(addr, port) == 0 && k->local.addr.family == PS_INET6 &&
	       addr_is_any(&k->local.addr);
}

int sdbus_socket_units(struct ps_snapshot *snap)
{
	bool want = false;
	for (size_t i = 0; i < snap->nprocs; i++) {
		const struct ps_activation *a = snap->procs[i].activation;
		want |= a && a->by && strcmp(a->role, "activator") == 0 &&
			strcmp(a->by, "systemd") == 0 && snap->procs[i].pid == 1;
	}
	if (!want)
		return 0;
	sd_bus *bus = NULL;
	bool loaded = sdbus_load();
	if (!loaded || fns.open_system(&bus) < 0) {
		for (size_t i = 0; i < snap->nprocs; i++)
			if (snap->procs[i].activation && snap->procs[i].pid == 1)
				snap->procs[i].activation->note =
				    loaded
					? "systemd could not be asked: no D-Bus system bus"
					: "systemd could not be asked: libsystemd.so.0 could not "
					  "be loaded";
		return 0;
	}
	struct listen *l = NULL;
	size_t nl = 0;
	int rc = list_listens(bus, &l, &nl);
	fns.flush_close_unref(bus);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		return 0; /* the note stays: not found over D-Bus */
	for (size_t s = 0; s < snap->nsocks && !rc; s++) {
		const struct ps_socket *k = &snap->socks[s];
		for (size_t j = 0; j < k->owner_count && !rc; j++) {
			struct ps_proc *p = &snap->procs[snap_owner(snap, k, j)->proc];
			struct ps_activation *a = p->activation;
			if (p->pid != 1 || !a || strcmp(a->role, "activator") != 0)
				continue;
			for (size_t i = 0; i < nl; i++) {
				if (!l[i].addr || !matches(l[i].addr, k))
					continue;
				struct ps_actunit *nu =
				    realloc(a->units, (a->nunits + 1) * sizeof *nu);
				if (!nu) {
					rc = -ENOMEM;
					break;
				}
				a->units = nu;
				nu[a->nunits++] = (struct ps_actunit){k->inode, str_dup(l[i].unit),
								      str_dup(l[i].trigger)};
				a->note = NULL;
				break;
			}
		}
	}
	listens_free(l, nl);
	return rc;
}

#else

int sdbus_socket_units(struct ps_snapshot *snap)
{
	(void)snap;
	return 0; /* built without sd-bus: the activation notes say so */
}

#endif
