/* oswords.c — evidence and advice texts from the backend's words (platform_ops.words). */
#include "oswords.h"

#include <stdio.h>

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

const char *oswords_pkg_db(const struct ps_os_words *w)
{
	return or_plain(w)->pkgdb_name;
}

int oswords_stop_socket_unit(const struct ps_os_words *w, struct buf *out, const char *socket_unit,
			     const char *service_unit)
{
	return buf_printf(out, "%s %s%s%s", or_plain(w)->service_stop, socket_unit,
			  service_unit ? " " : "", service_unit ? service_unit : "");
}

int oswords_stop_service(const struct ps_os_words *w, struct buf *out, bool user, const char *unit)
{
	w = or_plain(w);
	return buf_printf(out, "%s %s",
			  user && w->user_service_stop ? w->user_service_stop : w->service_stop,
			  unit);
}

int oswords_kill(const struct ps_os_words *w, struct buf *out, int pid)
{
	return buf_printf(out, "%s %d", or_plain(w)->kill_cmd, pid);
}
