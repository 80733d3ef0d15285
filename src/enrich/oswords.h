/* oswords.h — the OS mechanisms findings and advice name, in one place (to be filled by the
 * backend). */
#ifndef PS_OSWORDS_H
#define PS_OSWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/buf.h"

/* Where the kernel shows the file process pid runs: "/proc/PID/exe", into out (size n). */
const char *oswords_exe_link(int pid, char *out, size_t n);

/* The package database a file is looked up in, for "is not listed in the ...": "dpkg database". */
const char *oswords_pkg_db(void);

/* The command that stops a socket-activated service: its .socket unit, then its service unit. */
int oswords_stop_socket_unit(struct buf *out, const char *socket_unit, const char *service_unit);

/* The command that stops a service unit (a user manager's when user). */
int oswords_stop_service(struct buf *out, bool user, const char *unit);

/* The command that stops a process in no unit. */
int oswords_kill(struct buf *out, int pid);

#endif
