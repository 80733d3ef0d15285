/* registry.c — layered port registry: user files, the compiled-in knowledge base, IANA, nmap, /etc/services. */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/model.h"
#include "../util/buf.h"
#include "../util/grow.h"
#include "../util/str.h"

const char registry_backdoor_caveat[] =
	"malware has used this port number, but so do legitimate programs: the number alone proves "
	"nothing; judge it by the program that holds it";

void registry_default_paths(struct registry_paths *p, const char *ports_file, const char *services,
			    char *home_buf, size_t home_len)
{
	memset(p, 0, sizeof *p);
	p->user[0] = ports_file;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n = -1;
	if (xdg && *xdg == '/')
		n = snprintf(home_buf, home_len, "%s/portsleuth/ports", xdg);
	else if (home && *home == '/')
		n = snprintf(home_buf, home_len, "%s/.config/portsleuth/ports", home);
	if (n > 0 && (size_t)n < home_len)
		p->user[1] = home_buf;
	p->user[2] = "/etc/portsleuth/ports";
	p->iana = "/usr/share/wireshark/services";
	p->nmap = "/usr/share/nmap/nmap-services";
	p->services = services ? services : "/etc/services";
}

static int read_file(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return -errno;
	char chunk[8192];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		if ((rc = buf_append(b, chunk, n)))
			break;
	if (!rc && ferror(fp))
		rc = -EIO;
	fclose(fp);
	return rc;
}

static int add_warning(struct registry *r, const char *path, size_t line, const char *why, size_t more,
		       bool user_file)
{
	struct reg_warning *nw = realloc(r->warnings, (r->nwarnings + 1) * sizeof *nw);
	if (!nw)
		return -ENOMEM;
	r->warnings = nw;
	struct reg_warning *w = &nw[r->nwarnings];
	w->path = strdup(path);
	w->why = strdup(why);
	w->line = line;
	w->more = more;
	w->user_file = user_file;
	if (!w->path || !w->why) {
		free(w->path);
		free(w->why);
		return -ENOMEM;
	}
	r->nwarnings++;
	return 0;
}

/* A field as a new string, NULL for "-" or empty; *oom set on allocation failure. */
static const char *field_dup(const char *p, size_t n, bool *oom)
{
	if (n == 0 || (n == 1 && *p == '-'))
		return NULL;
	char *s = str_dup_n(p, n);
	if (!s)
		*oom = true;
	return s;
}

static void entry_free(struct kb_entry *e)
{
	free((char *)e->name);
	free((char *)e->owners);
	free((char *)e->risk);
	free((char *)e->backdoor);
	free((char *)e->desc);
}

/* One user-file line: 1 added, 0 blank or comment, -EBADMSG with *why set, -ENOMEM. */
static int parse_user_line(struct reg_user_layer *L, const char *p, const char *end, const char **why)
{
	while (end > p && (end[-1] == '\r' || end[-1] == ' '))
		end--;
	const char *q = p;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q == end || *q == '#')
		return 0;
	const char *f[7];
	size_t fl[7], nf = 0;
	for (const char *s = p;;) {
		const char *tab = memchr(s, '\t', (size_t)(end - s));
		const char *fe = tab ? tab : end;
		if (nf == 7) {
			*why = "more than 7 TAB-separated fields";
			return -EBADMSG;
		}
		f[nf] = s;
		fl[nf++] = (size_t)(fe - s);
		if (!tab)
			break;
		s = tab + 1;
	}
	if (nf < 3) {
		*why = "expected at least PORT, PROTOCOLS and NAME separated by TABs";
		return -EBADMSG;
	}
	unsigned long port = 0;
	for (size_t i = 0; i < fl[0]; i++) {
		if (f[0][i] < '0' || f[0][i] > '9' || port > 65535) {
			port = 0;
			break;
		}
		port = port * 10 + (unsigned long)(f[0][i] - '0');
	}
	if (port == 0 || port > 65535) {
		*why = "the port is not a number from 1 to 65535";
		return -EBADMSG;
	}
	uint8_t protos;
	if (fl[1] == 3 && memcmp(f[1], "tcp", 3) == 0)
		protos = KB_TCP;
	else if (fl[1] == 3 && memcmp(f[1], "udp", 3) == 0)
		protos = KB_UDP;
	else if (fl[1] == 7 && memcmp(f[1], "tcp/udp", 7) == 0)
		protos = KB_TCP | KB_UDP;
	else {
		*why = "the protocols are not tcp, udp or tcp/udp";
		return -EBADMSG;
	}
	if (fl[2] == 0 || (fl[2] == 1 && f[2][0] == '-') || memchr(f[2], ' ', fl[2])) {
		*why = "the name is empty or holds a space";
		return -EBADMSG;
	}
	if (util_grow((void **)&L->e, &L->cap, L->n + 1, sizeof *L->e))
		return -ENOMEM;
	bool oom = false;
	struct kb_entry e = {(uint16_t)port, protos, NULL, NULL, NULL, NULL, NULL};
	e.name = field_dup(f[2], fl[2], &oom);
	const char **dst[4] = {&e.owners, &e.risk, &e.backdoor, &e.desc};
	for (size_t i = 3; i < nf; i++)
		*dst[i - 3] = field_dup(f[i], fl[i], &oom);
	if (oom) {
		entry_free(&e);
		return -ENOMEM;
	}
	L->e[L->n++] = e;
	return 1;
}

int registry_add_user_text(struct registry *r, const char *path, const char *buf, size_t len)
{
	struct reg_user_layer *nu = realloc(r->users, (r->nusers + 1) * sizeof *nu);
	if (!nu)
		return -ENOMEM;
	r->users = nu;
	struct reg_user_layer *L = &nu[r->nusers];
	memset(L, 0, sizeof *L);
	if (!(L->path = strdup(path)))
		return -ENOMEM;
	r->nusers++;
	const char *p = buf, *end = buf + len;
	size_t line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		const char *why = NULL;
		int rc = parse_user_line(L, p, le, &why);
		if (rc == -ENOMEM)
			return rc;
		if (rc == -EBADMSG && (rc = add_warning(r, path, line, why, 0, true)))
			return rc;
		p = le + 1;
	}
	/* Stable sort by port: the first entry for a port wins, as in the other layers. */
	for (size_t i = 1; i < L->n; i++) {
		struct kb_entry t = L->e[i];
		size_t j = i;
		while (j > 0 && L->e[j - 1].port > t.port) {
			L->e[j] = L->e[j - 1];
			j--;
		}
		L->e[j] = t;
	}
	return 0;
}

/* Load a services-format layer; a missing file is not an error. */
static int load_services(struct registry *r, const char *path, struct services *s, bool *have)
{
	int rc = services_load(s, path);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return 0;
	*have = true;
	if (s->malformed)
		return add_warning(r, path, s->first_bad_line, "not NAME PORT/PROTOCOL", s->malformed - 1, false);
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
		rc = read_file(paths->user[i], &b);
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

static const struct kb_entry *find_entry(const struct kb_entry *e, size_t n, uint16_t port, unsigned proto)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && e[lo].port == port; lo++)
		if (e[lo].protos & (1u << proto))
			return &e[lo];
	return NULL;
}

static bool from_services(const struct services *s, bool have, const char *source, uint16_t port,
			  unsigned proto, struct port_info *info)
{
	if (!have)
		return false;
	const struct service_entry *e = services_find(s, port, proto);
	if (!e || strcmp(e->name, "unknown") == 0) /* nmap-services says "unknown" for many */
		return false;
	info->name = e->name;
	info->desc = e->desc;
	info->source = source;
	return true;
}

bool registry_lookup(const struct registry *r, uint16_t port, unsigned proto, struct port_info *info)
{
	memset(info, 0, sizeof *info);
	info->dynamic = port >= 49152 || (r->eph_hi && port >= r->eph_lo && port <= r->eph_hi);
	for (size_t i = 0; i < r->nusers; i++) {
		const struct kb_entry *e = find_entry(r->users[i].e, r->users[i].n, port, proto);
		if (e) {
			/* The user said so: that names even a dynamic port. */
			info->name = e->name;
			info->desc = e->desc;
			info->source = r->users[i].path;
			info->owners = e->owners;
			info->risk = e->risk;
			info->backdoor = e->backdoor;
			return true;
		}
	}
	const struct kb_entry *e = find_entry(kb_ports, kb_nports, port, proto);
	if (e) {
		info->backdoor = e->backdoor;
		if (!info->dynamic) {
			info->name = e->name;
			info->desc = e->desc;
			info->owners = e->owners;
			info->risk = e->risk;
		}
		if (!info->dynamic || info->backdoor)
			info->source = "portsleuth";
		return true;
	}
	if (info->dynamic)
		return true;
	return from_services(&r->iana, r->have_iana, "iana", port, proto, info) ||
	       from_services(&r->nmap, r->have_nmap, "nmap", port, proto, info) ||
	       from_services(&r->etc, r->have_etc, r->etc_path, port, proto, info);
}

bool registry_owner_matches(const char *owners, const char *name)
{
	if (!owners || !name || !*name)
		return false;
	size_t nl = strlen(name);
	for (const char *p = owners;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		/* A process name (comm) is cut to 15 bytes: "systemd-resolve" is systemd-resolved. */
		if ((n == nl || (nl == 15 && n > 15)) && strncmp(p, name, nl) == 0)
			return true;
		if (!comma)
			return false;
		p = comma + 1;
	}
}

void registry_free(struct registry *r)
{
	for (size_t i = 0; i < r->nusers; i++) {
		for (size_t j = 0; j < r->users[i].n; j++)
			entry_free(&r->users[i].e[j]);
		free(r->users[i].e);
		free(r->users[i].path);
	}
	free(r->users);
	services_free(&r->iana);
	services_free(&r->nmap);
	services_free(&r->etc);
	free(r->etc_path);
	for (size_t i = 0; i < r->nwarnings; i++) {
		free(r->warnings[i].path);
		free(r->warnings[i].why);
	}
	free(r->warnings);
	memset(r, 0, sizeof *r);
}
