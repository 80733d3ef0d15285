/* integrity.c — findings about owners that borrow an identity or hide: an exe link that proves
 * nothing, a socket that no file table holds (DESIGN.md §8, §9). */
#include "integrity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEP "\x1F"

/* Append a finding: "reason SEP evidence" formatted, split at the separator. 0 or -ENOMEM. */
__attribute__((format(printf, 5, 6))) static int
add(struct finding_list *l, unsigned sev, const char *code, int pid, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *text = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!text)
		return n < 0 ? -EINVAL : -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	char *sep = strchr(text, '\x1F'), *evidence = NULL;
	if (sep) {
		*sep = '\0';
		if (!(evidence = strdup(sep + 1))) {
			free(text);
			return -ENOMEM;
		}
	}
	struct finding *nf = realloc(l->f, (l->n + 1) * sizeof *l->f);
	if (!nf) {
		free(text);
		free(evidence);
		return -ENOMEM;
	}
	l->f = nf;
	l->cap = l->n + 1;
	l->f[l->n++] = (struct finding){
	    .sev = (uint8_t)sev, .code = code, .reason = text, .evidence = evidence, .pid = pid};
	return 0;
}

/* The device as ls shows it (major:minor), from the kernel's encoding of dev_t. */
static void dev_text(uint64_t dev, char *out, size_t cap)
{
	unsigned maj = (unsigned)(((dev >> 32) & 0xfffff000u) | ((dev >> 8) & 0xfffu));
	unsigned min = (unsigned)(((dev >> 12) & 0xffffff00u) | (dev & 0xffu));
	snprintf(out, cap, "%u:%u", maj, min);
}

/* Whether path is in a directory of system daemons: what a masquerade claims to be. */
static bool daemon_dir(const char *path)
{
	static const char *const dirs[] = {"/usr/sbin/", "/sbin/", "/usr/local/sbin/"};
	for (size_t i = 0; path && i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}

/* Whether p calls itself by the port's owner's name. */
static bool name_claims(const struct finding_input *in, const struct ps_proc *p)
{
	return in->svc && in->svc->owners && p->name &&
	       registry_owner_matches(in->svc->owners, p->name);
}

/* exe-unmapped, exe-userns, exe-other-file: the exe link of p is no proof of what it runs. */
static int unproven_exe(const struct finding_input *in, const struct ps_proc *p,
			struct finding_list *out)
{
	const struct ps_exe_check *c = &p->exe_check;
	const char *path = p->exe_path ? p->exe_path : p->exe ? p->exe : "?";
	char run[32], host[32];
	dev_text(c->dev, run, sizeof run);
	dev_text(c->host_dev, host, sizeof host);
	const char *userns = c->userns ? "; the process runs in a user namespace of its own" : "";
	const struct ps_os_words *w = in->words ? in->words : &ps_os_words_plain;
	int rc = 0;
	if (c->proof == PS_PROOF_UNMAPPED)
		rc = add(
		    out, SEV_ALERT, "exe-unmapped", p->pid,
		    "exe link names %s but no mapping of the process is that file: the link "
		    "was set after the program started (prctl PR_SET_MM_EXE_FILE), and what runs "
		    "is another program" SEP "%s%d%s is the file %s inode %" PRIu64
		    "; no memory mapping of the process is that file%s",
		    path, w->exe_link_pre, p->pid, w->exe_link_post, run, c->ino, userns);
	else if (c->userns) {
		/* a daemon's name or path claimed from there is a masquerade until shown otherwise
		 */
		bool claims = daemon_dir(path) || name_claims(in, p);
		/* else a user's own tool there (rootless Podman's rootlessport, slirp4netns) */
		rc = add(out, claims ? SEV_ALERT : SEV_NOTICE, "exe-userns", p->pid,
			 "exe link names %s, but the process runs in a user namespace of its own, "
			 "where any user can point that link at any file: that it runs %s is not "
			 "proven" SEP "its user namespace is not ours; %s%d%s -> %s",
			 path, path, w->exe_link_pre, p->pid, w->exe_link_post,
			 p->exe ? p->exe : "?");
	}
	if (!rc && c->other_file && c->own_root) {
		/* a rootless container runs its own programs at the usual paths: its own business
		 */
		bool claims = !p->container && (daemon_dir(path) || name_claims(in, p));
		if (claims)
			rc = add(
			    out, SEV_ALERT, "exe-other-file", p->pid,
			    "path %s names another file in this process's own root than on the "
			    "host, a root it made in a user namespace of its own (no known "
			    "container): it runs a program of its own under that program's "
			    "name" SEP "%s%d%s is the file %s inode %" PRIu64 "; %s on the host "
			    "is the file %s inode %" PRIu64,
			    path, w->exe_link_pre, p->pid, w->exe_link_post, run, c->ino, path,
			    host, c->host_ino);
	} else if (!rc && c->other_file)
		rc = add(out, SEV_ALERT, "exe-other-file", p->pid,
			 "path %s names another file in this process's mount namespace than on the "
			 "host: it runs a program of its own under that program's name" SEP
			 "%s%d%s is the file %s inode %" PRIu64 "; %s on the host is the file "
			 "%s inode %" PRIu64 "; the process has our root but its own mounts",
			 path, w->exe_link_pre, p->pid, w->exe_link_post, run, c->ino, path, host,
			 c->host_ino);
	return rc;
}

/* no-holder: a socket with a file that no file table holds (kernel, SCM_RIGHTS in flight). */
static int no_holder(const struct ps_socket *k, const struct finding_input *in,
		     struct finding_list *out)
{
	if (k->owner_count || !k->inode || k->owner_status != PS_OWN_KERNEL)
		return 0;
	/* a user's socket kept by no process hides its owner; the kernel's own services (nfsd,
	 * WireGuard) hold theirs as uid 0 */
	bool beyond = in->widest > PS_EXPO_LOOPBACK;
	unsigned sev = k->uid == 0 ? (beyond ? SEV_NOTICE : SEV_INFO)
		       : beyond	   ? SEV_WARNING
				   : SEV_NOTICE;
	return add(
	    out, sev, "no-holder", -1,
	    "no process holds this socket in a file table: it is kept by the kernel, in a "
	    "message in flight (SCM_RIGHTS), or by a holder that cannot be seen; uid %" PRIu32
	    " made it" SEP "socket inode %" PRIu64 " of uid %" PRIu32
	    " is in no process's file table (its threads' and io_uring rings' included)",
	    k->uid, k->inode, k->uid);
}

int integrity_findings(const struct ps_snapshot *snap, const struct ps_socket *k,
		       const struct finding_input *in, struct finding_list *out)
{
	int rc = no_holder(k, in, out);
	long last = -1;
	for (size_t j = 0; j < k->owner_count && !rc; j++) {
		const struct ps_owner *o = snap_owner(snap, k, j);
		const struct ps_proc *p = &snap->procs[o->proc];
		if ((long)o->proc == last || p->vanished || o->lead || !p->exe_checked)
			continue;
		last = (long)o->proc;
		if (exe_unproven(&p->exe_check))
			rc = unproven_exe(in, p, out);
	}
	return rc;
}
