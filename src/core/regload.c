/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regload.c — the port registry's files: the environment names the user's, a file named that way
 * must be trusted, each is read whole; enrich/registry.c parses the text. */
#include "regload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../platform/platform.h"
#include "../util/buf.h"
#include "trusted.h"

/* A user ports file larger than this is refused: it is a table of ports, not a log. */
#define USER_FILE_LIMIT (16u << 20)
#define SERVICES_FILE_LIMIT (16u << 20)

void registry_default_paths(struct registry_paths *p, const char *ports_file, const char *services,
			    char *home_buf, size_t home_len)
{
	memset(p, 0, sizeof *p);
	p->user[0] = ports_file;
	const char *xdg = platform_secure_getenv("XDG_CONFIG_HOME");
	const char *home = platform_secure_getenv("HOME");
	int n = -1;
	if (xdg && *xdg == '/')
		n = snprintf(home_buf, home_len, "%s/portsleuth/ports", xdg);
	else if (home && *home == '/')
		n = snprintf(home_buf, home_len, "%s/.config/portsleuth/ports", home);
	if (n > 0 && (size_t)n < home_len)
		p->user[1] = home_buf;
	p->user_from_env[1] = true;
	p->user[2] = "/etc/portsleuth/ports";
	p->iana = "/usr/share/wireshark/services";
	p->nmap = "/usr/share/nmap/nmap-services";
	p->services = services ? services : "/etc/services";
}

int services_load(struct services *s, const char *path, const char **why)
{
	const char *untrusted;
	struct buf b = {0};
	int rc = trusted_read(path, SERVICES_FILE_LIMIT, TRUSTED_WAIT, &b, &untrusted);
	if (why)
		*why = untrusted;
	if (!rc)
		rc = services_parse(s, b.data ? b.data : "", b.len);
	buf_free(&b);
	return rc;
}

/* Record that path may not be used although it must be: -EPERM (or -ENOMEM). */
static int refuse(struct registry *r, const char *path, const char *why)
{
	free(r->refused_path);
	r->refused_why = why;
	return (r->refused_path = strdup(path)) ? -EPERM : -ENOMEM;
}

/* Load a services-format layer; a missing file is not an error, an untrusted one is. */
static int load_services(struct registry *r, const char *path, struct services *s, bool *have)
{
	const char *why;
	int rc = services_load(s, path, &why);
	if (rc == -ENOMEM)
		return rc;
	if (rc == -EPERM && why)
		return refuse(r, path, why);
	if (rc)
		return 0;
	*have = true;
	if (s->malformed)
		return registry_add_warning(r, path, s->first_bad_line, "not NAME PORT/PROTOCOL",
					    s->malformed - 1, false);
	return 0;
}

int registry_load(struct registry *r, const struct registry_paths *paths)
{
	struct buf b = {0};
	int rc = 0;
	for (size_t i = 0; i < 3 && !rc; i++) {
		if (!paths->user[i])
			continue;
		buf_clear(&b);
		const char *ignored = NULL, *why = NULL;
		/* the named file is waited for; /etc's and one the environment finds are not (a
		 * FIFO planted there cannot hang us), and the latter is ignored, not refused, if
		 * untrusted */
		unsigned flags = i == 0			   ? TRUSTED_WAIT
				 : paths->user_from_env[i] ? TRUSTED_REGULAR
							   : 0;
		rc = trusted_read(paths->user[i], USER_FILE_LIMIT, flags, &b, &why);
		if (rc == -EPERM && why && paths->user_from_env[i]) {
			ignored = why;
			rc = 0;
		} else if (rc == -EPERM && why) {
			rc = refuse(r, paths->user[i], why);
			break;
		}
		if (!rc && ignored) {
			free(r->ignored_path);
			if (!(r->ignored_path = strdup(paths->user[i])))
				rc = -ENOMEM;
			r->ignored_why = ignored;
			continue;
		}
		if (rc) {
			if (rc == -ENOMEM || i == 0)
				break; /* the file the user named must be readable */
			rc = 0;
			continue;
		}
		rc = registry_add_user_text(r, paths->user[i], b.data ? b.data : "", b.len);
	}
	buf_free(&b);
	if (rc)
		return rc;
	if (paths->iana && (rc = load_services(r, paths->iana, &r->iana, &r->have_iana)))
		return rc;
	if (paths->nmap && (rc = load_services(r, paths->nmap, &r->nmap, &r->have_nmap)))
		return rc;
	if (paths->services) {
		if (!(r->etc_path = strdup(paths->services)))
			return -ENOMEM;
		if ((rc = load_services(r, paths->services, &r->etc, &r->have_etc)))
			return rc;
	}
	return 0;
}
