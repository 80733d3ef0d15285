/* oswords.h — evidence and advice texts built from the words the backend gave the snapshot
 * (struct ps_os_words, snap_words): no operating system is named here. */
#ifndef PS_OSWORDS_H
#define PS_OSWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"
#include "../util/buf.h"

/* Each takes the words (NULL: ps_os_words_plain). */

/* Where the system shows the file process pid runs (Linux: its exe link), into out (size n). */
const char *oswords_exe_link(const struct ps_os_words *w, int pid, char *out, size_t n);

/* The package database a file is looked up in, for "is not listed in the ...". */
const char *oswords_pkg_db(const struct ps_os_words *w);

/* The command that stops a socket-activated service: its socket unit, then its service unit
 * (only where w->service_stop is set); with for_good, the one that also keeps them from
 * starting again at boot (nothing appended where the system has none). */
int oswords_stop_socket_unit(const struct ps_os_words *w, struct buf *out, bool for_good,
			     const char *socket_unit, const char *service_unit);

/* The command that stops a service unit (a user manager's when user; w->service_stop set);
 * for_good as above. */
int oswords_stop_service(const struct ps_os_words *w, struct buf *out, bool for_good, bool user,
			 const char *unit);

/* The command that stops a process in no unit. */
int oswords_kill(const struct ps_os_words *w, struct buf *out, int pid);

#endif
