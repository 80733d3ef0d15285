/* SPDX-License-Identifier: GPL-2.0-or-later */
/* oswords.c — evidence and advice texts from the backend's words (platform_ops.words). */
#include "oswords.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../util/shquote.h"

static const struct ps_os_words *or_plain(const struct ps_os_words *w)
{
	return w ? w : &ps_os_words_plain;
}

const char *oswords_exe_link(const struct ps_os_words *w, int pid, char *out, size_t n)
{
	w = or_plain(w);
	snprintf(out, n, "%s%d%s", w->exe_link_pre, pid, w->exe_link_post);
	return out;
}

/* Whether name[0..n) is a Windows program as the port lists write them. */
static bool windows_name(const char *name, size_t n)
{
	return (n == 6 && strncmp(name, "System", 6) == 0) ||
	       (n > 4 && strncasecmp(name + n - 4, ".exe", 4) == 0);
}

int oswords_programs(const struct ps_os_words *w, struct buf *b, const char *list)
{
	bool native = or_plain(w)->other_os_programs, first = true;
	int rc = 0;
	for (const char *p = list; *p && !rc;) {
		size_t n = strcspn(p, ",");
		if (!native || !windows_name(p, n)) {
			if (!first)
				rc = buf_puts(b, ", ");
			for (size_t k = 0; k < n && !rc; k++)
				rc = buf_putc(b, p[k]);
			first = false;
		}
		p += n + (p[n] == ',');
	}
	return rc;
}

const char *oswords_pkg_db(const struct ps_os_words *w)
{
	return or_plain(w)->pkgdb_name;
}

const char *oswords_exe_set_call(const struct ps_os_words *w)
{
	return or_plain(w)->exe_set_call;
}

const char *oswords_mount_view(const struct ps_os_words *w)
{
	w = or_plain(w);
	return w->mount_view ? w->mount_view : ps_os_words_plain.mount_view;
}

const char *oswords_priv_scope(const struct ps_os_words *w)
{
	w = or_plain(w);
	return w->priv_scope ? w->priv_scope : ps_os_words_plain.priv_scope;
}

const char *oswords_mem_file(const struct ps_os_words *w)
{
	return or_plain(w)->mem_file;
}

int oswords_word(const struct ps_os_words *w, struct buf *out, const char *name)
{
	return shq_word(out, name, or_plain(w)->posix_quote);
}

/* The command into b (empty on entry), each name a word. */
static int stop_units(const struct ps_os_words *w, struct buf *b, bool for_good, const char *user,
		      const char *const *units, size_t n)
{
	int rc = buf_puts(b, w->service_ctl);
	if (!rc && user) {
		struct buf mgr = {0};
		rc = buf_printf(&mgr, "%s@", user);
		if (!rc)
			rc = buf_printf(b, " %s ", w->user_manager);
		if (!rc)
			rc = oswords_word(w, b, mgr.data);
		buf_free(&mgr);
	}
	if (!rc)
		rc = buf_printf(b, " %s", for_good ? w->disable_verb : w->stop_verb);
	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = buf_putc(b, ' ')))
			rc = oswords_word(w, b, units[i]);
	return rc;
}

int oswords_stop_units(const struct ps_os_words *w, struct buf *out, bool for_good,
		       const char *user, const char *const *units, size_t n)
{
	w = or_plain(w);
	if (!w->service_ctl || !w->stop_verb || (user && !w->user_manager))
		return -EINVAL;
	if (for_good && !w->disable_verb)
		return -ENOENT;
	struct buf b = {0};
	int rc = stop_units(w, &b, for_good, user, units, n);
	if (!rc && b.data)
		rc = buf_puts(out, b.data);
	buf_free(&b);
	return rc;
}

/* cmd then each pid, the later ones after w->kill_more (else a space). */
static int kill_with(const struct ps_os_words *w, const char *cmd, struct buf *out, const int *pids,
		     size_t n)
{
	int rc = buf_puts(out, cmd);
	for (size_t i = 0; i < n && !rc; i++)
		rc = buf_printf(out, "%s%d", i && w->kill_more ? w->kill_more : " ", pids[i]);
	return rc;
}

int oswords_kill(const struct ps_os_words *w, struct buf *out, const int *pids, size_t n)
{
	w = or_plain(w);
	return kill_with(w, w->kill_cmd, out, pids, n);
}

int oswords_kill_force(const struct ps_os_words *w, struct buf *out, const int *pids, size_t n)
{
	w = or_plain(w);
	return w->kill_force ? kill_with(w, w->kill_force, out, pids, n) : -ENOENT;
}

bool oswords_hosts_services(const struct ps_os_words *w, const struct ps_proc *p)
{
	w = or_plain(w);
	return w->hosted_type && p->unit && p->unit_type &&
	       strcmp(p->unit_type, w->hosted_type) == 0;
}

int oswords_stop_hosted(const struct ps_os_words *w, struct buf *out, bool second, const char *name)
{
	w = or_plain(w);
	const char *cmd = second ? w->hosted_stop2 : w->hosted_stop;
	if (!cmd)
		return -ENOENT;
	struct buf b = {0};
	int rc = buf_printf(&b, "%s ", cmd);
	if (!rc)
		rc = second ? shq_word_pwsh(&b, name) : shq_word_cmd(&b, name);
	if (!rc)
		rc = buf_puts(out, b.data);
	buf_free(&b);
	return rc;
}
