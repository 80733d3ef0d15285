/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext.h — what the Linux backend keeps in struct ps_backend_ext (model.h) of sockets and processes.
 */
#ifndef PS_LINUX_EXT_H
#define PS_LINUX_EXT_H

#include <stdint.h>

#include "../../model/model.h"

/* The cgroup2 id a socket was created in (INET_DIAG_CGROUP_ID), 0: unknown. */
static inline uint64_t lnx_sock_cgroup_id(const struct ps_socket *k)
{
	return k->ext.word[0];
}
static inline void lnx_sock_set_cgroup_id(struct ps_socket *k, uint64_t id)
{
	k->ext.word[0] = id;
}

/*
 * The start time (clock ticks after boot, /proc/PID/stat field 22) of the process
 * whose fds the owner scan read; 0: not recorded. describe never takes the details
 * of another process that reused the pid. The word's top bits say what else the BPF
 * pass read (LNX_PASS_*).
 */
#define LNX_PASS_IDENT                                                                             \
	(1ull << 63)		  /* its command line (p->cmdline) and running file (the image     \
				   * words): describe checks they hold (else reads /proc) */
#define LNX_PASS_ENV (1ull << 62) /* its environment's wanted entries (lnx_passenv_get) */
#define LNX_PASS_FLAGS (LNX_PASS_IDENT | LNX_PASS_ENV)
static inline uint64_t lnx_proc_scan_start(const struct ps_proc *p)
{
	return p->ext.word[0] & ~LNX_PASS_FLAGS;
}
static inline void lnx_proc_set_scan_start(struct ps_proc *p, uint64_t start)
{
	p->ext.word[0] = (p->ext.word[0] & LNX_PASS_FLAGS) | (start & ~LNX_PASS_FLAGS);
}
static inline uint64_t lnx_proc_pass(const struct ps_proc *p)
{
	return p->ext.word[0] & LNX_PASS_FLAGS;
}
static inline void lnx_proc_set_pass(struct ps_proc *p, uint64_t flags)
{
	p->ext.word[0] = (p->ext.word[0] & ~LNX_PASS_FLAGS) | (flags & LNX_PASS_FLAGS);
}

/*
 * The inodes of the user and mount namespaces of the process's thread-group leader, as the BPF
 * pass read them (what stat of /proc/PID/ns/user and ns/mnt says); 0: not recorded, read /proc.
 */
static inline uint64_t lnx_proc_userns(const struct ps_proc *p)
{
	return p->ext.word[1] >> 32;
}
static inline uint64_t lnx_proc_mntns(const struct ps_proc *p)
{
	return p->ext.word[1] & 0xffffffffu;
}
static inline void lnx_proc_set_ns(struct ps_proc *p, uint32_t userns, uint32_t mntns)
{
	p->ext.word[1] = (uint64_t)userns << 32 | mntns;
}

/*
 * What the BPF pass saw of the leader, as keys only compared with each other's (0: not
 * recorded): `view`, its executable and root directory (equal keys: the same file run, seen
 * from the same root); `cgset`, its cgroups (equal keys: the same /proc/PID/cgroup).
 */
static inline uint64_t lnx_proc_view(const struct ps_proc *p)
{
	return p->ext.word[2];
}
static inline uint64_t lnx_proc_cgset(const struct ps_proc *p)
{
	return p->ext.word[3];
}
static inline void lnx_proc_set_keys(struct ps_proc *p, uint64_t view, uint64_t cgset)
{
	p->ext.word[2] = view;
	p->ext.word[3] = cgset;
}

/*
 * The pidfs inode of the process's struct pid as the BPF pass read it (0: not recorded): a pidfd
 * opened now on its pid with this inode is the same process, whatever came between.
 */
static inline uint64_t lnx_proc_pid_ino(const struct ps_proc *p)
{
	return p->ext.word[4];
}
static inline void lnx_proc_set_pid_ino(struct ps_proc *p, uint64_t ino)
{
	p->ext.word[4] = ino;
}

/*
 * The file the process ran while describe read its exe link and command line (the inode and
 * device a stat of /proc/PID/exe gave, the same before and after those reads), so the exe facts
 * read later are of that same program (before describe, with LNX_PASS_IDENT: the file the BPF
 * pass saw): lnx_proc_image 0 (not recorded), 1 (*dev, *ino), or -1
 * when it started another program during those reads (their texts may be of two programs).
 */
#define LNX_IMAGE_CHANGED UINT64_MAX
static inline int lnx_proc_image(const struct ps_proc *p, uint64_t *dev, uint64_t *ino)
{
	*ino = p->ext.word[5];
	*dev = p->ext.word[6];
	return *ino == LNX_IMAGE_CHANGED ? -1 : *ino || *dev ? 1 : 0;
}
static inline void lnx_proc_set_image(struct ps_proc *p, uint64_t dev, uint64_t ino)
{
	p->ext.word[5] = ino;
	p->ext.word[6] = dev;
}

#endif
