/* integrity.h — findings about owners that borrow an identity or hide (issue 19). */
#ifndef PS_INTEGRITY_H
#define PS_INTEGRITY_H

#include "rules.h"

/*
 * The integrity rules for listener k: exe-unmapped (alert: no mapping of an owner is the file
 * its exe link names), exe-userns (an owner in a user namespace of its own whose link names one
 * of our files: alert when it claims a daemon's path (sbin) or the port's owner name, else a
 * notice: rootless containers' port helpers live there),
 * exe-other-file (alert: an owner with our root but its own mounts whose path names another
 * file than ours), and no-holder (a socket with a file that no process holds: warning beyond
 * loopback for a user's socket, notice on loopback; uid 0, the kernel's services, one step
 * lower). `in` gives the port's service and reach. Appends. 0 or -ENOMEM.
 */
int integrity_findings(const struct ps_snapshot *snap, const struct ps_socket *k,
		       const struct finding_input *in, struct finding_list *out);

#endif
