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
 * of another process that reused the pid.
 */
static inline uint64_t lnx_proc_scan_start(const struct ps_proc *p)
{
	return p->ext.word[0];
}
static inline void lnx_proc_set_scan_start(struct ps_proc *p, uint64_t start)
{
	p->ext.word[0] = start;
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

#endif
