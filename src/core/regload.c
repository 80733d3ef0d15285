/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regload.c — the port registry's files: the environment names the user's, a file named that way
 * must be trusted, each is read whole; enrich/registry.c parses the text. */
#include "regload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../platform/platform.h"
#include "../util/buf.h"
#include "../util/readfile.h"
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

/*
 * Read user file `path`, found through the environment, into b. It must be a regular file we
 * may trust (*ignored says why not, and nothing is read); it is opened non-blocking so a FIFO
 * planted there cannot hang us.
 */
static int read_user_file(const char *path, struct buf *b, const char **ignored)
{
	*ignored = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct stat st;
	int rc = fstat(fd, &st) ? -errno : 0;
	if (!rc && S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (!rc && !S_ISREG(st.st_mode))
		*ignored = "not a regular file";
	else if (!rc && !(*ignored = platform_path_links_untrusted_why(path, &st)))
		*ignored = platform_file_untrusted_why(fd, &st);
	if (!rc && !*ignored)
		rc = read_fd(fd, b, USER_FILE_LIMIT, NULL);
	close(fd);
	return rc;
}

int services_load(struct services *s, const char *path, const char **why)
{
	const char *untrusted;
	struct buf b = {0};
	int rc = trusted_read(path, SERVICES_FILE_LIMIT, false, &b, &untrusted);
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
		if (paths->user_from_env[i])
			rc = read_user_file(paths->user[i], &b, &ignored);
		else /* named, or /etc's (non-blocking: a FIFO planted there cannot hang us) */
			rc = trusted_read(paths->user[i], USER_FILE_LIMIT, i > 0, &b, &why);
		if (rc == -EPERM && why) {
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
