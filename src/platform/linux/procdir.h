/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procdir.h — where to read a process's details in /proc. */
#ifndef PS_PROCDIR_H
#define PS_PROCDIR_H

#include <stddef.h>

/*
 * The directory, relative to procfd, to read pid's exe, root, namespaces, maps and command line
 * in: "PID", or "PID/task/TID" of a live thread when the leader has exited (pthread_exit: its
 * memory and file system view are gone, the process lives on in its threads). cap >= 48.
 */
void procdir_of(int procfd, int pid, char *out, size_t cap);

#endif
