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

/* The verb of a stop command: for now, or for good (NULL: the system has none). */
static const char *stop_verb(const struct ps_os_words *w, bool user, bool for_good)
{
	if (for_good)
		return user && w->user_service_disable ? w->user_service_disable
						       : w->service_disable;
	return user && w->user_service_stop ? w->user_service_stop : w->service_stop;
}

int oswords_stop_socket_unit(const struct ps_os_words *w, struct buf *out, bool for_good,
			     const char *socket_unit, const char *service_unit)
{
	const char *verb = stop_verb(or_plain(w), false, for_good);
	if (!verb)
		return 0;
	return buf_printf(out, "%s %s%s%s", verb, socket_unit, service_unit ? " " : "",
			  service_unit ? service_unit : "");
}

int oswords_stop_service(const struct ps_os_words *w, struct buf *out, bool for_good, bool user,
			 const char *unit)
{
	const char *verb = stop_verb(or_plain(w), user, for_good);
	return verb ? buf_printf(out, "%s %s", verb, unit) : 0;
}

int oswords_kill(const struct ps_os_words *w, struct buf *out, int pid)
{
	return buf_printf(out, "%s %d", or_plain(w)->kill_cmd, pid);
}
