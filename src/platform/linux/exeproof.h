/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exeproof.h — whether a process's exe link proves what it runs (DESIGN.md §8). */
#ifndef PS_EXEPROOF_H
#define PS_EXEPROOF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../model/model.h"

/*
 * Fill c->proof (a mapping of the process under procfd/dir — "PID" or "PID/task/TID" — is the
 * file c->dev:ino) and c->userns (the process runs in another user namespace than ours and its
 * path names the file in our view), and set c->foreign when the path is no proof
 * (exe_unproven), for c = &p->exe_check; and, when its path is ours (not foreign), p->xlibs: its
 * other executable file mappings. Reads c->dev, c->ino and c->foreign as exeid.c set them.
 * own_userns: the inode of our user namespace, to compare with what the BPF pass recorded of p
 * (0: unknown, read /proc). No mapping of the file while an exec is still loading the program
 * (its code not yet placed) is no proof either way: unknown.
 */
void exeproof_check(int procfd, const char *dir, struct ps_proc *p, uint64_t own_userns);

/*
 * Whether /proc/`dir`/maps (procfd: the proc root; dir "PID" or "PID/task/TID") holds a mapping
 * of dev:ino: 1 yes, 0 no, -errno when it could not be read to its end; *empty when it has no
 * mapping at all. With libs (a process seen in our view), every executable file mapping of
 * another file is kept in libs->xlibs (its path as the maps text shows it); without, the walk
 * stops at the program's mapping. Asked of the kernel mapping by mapping (PROCMAP_QUERY) where
 * it answers, else, or with `text`, read from the maps text: both give the same answer.
 */
int exeproof_maps_has(int procfd, const char *dir, dev_t dev, ino_t ino, bool text, bool *empty,
		      struct ps_proc *libs);

/*
 * Whether the directory of each library exeproof_check kept (p->xlibs of every process of snap)
 * is writable by every user (our view), asked once per directory. 0 or -ENOMEM.
 */
int exeproof_lib_dirs(struct ps_snapshot *snap);

#endif
