/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockfd.h — the record the sockfd iterator writes per socket fd, shared by the BPF program and its
 * reader. */
#ifndef PS_SOCKFD_H
#define PS_SOCKFD_H

/*
 * Fixed-size records, back to back in the iterator's output. Types are spelled
 * with the kernel's __u* names, which vmlinux.h (BPF side) and linux/types.h
 * (user side) both define.
 */
struct sockfd_rec {
	__u64 inode; /* the socket's inode, as in "socket:[INODE]"; SOCKFD_RING: the thread's id */
	__u32 netns; /* inode of the socket's network namespace */
	__s32 pid;   /* thread-group id as the reader's PID namespace numbers it */
	__s32 fd;    /* -1: a marker (a process whose files were read; netns: its leader's
		      * network namespace, 0 when it has none) or SOCKFD_PROC */
	__u32 kind;  /* SOCKFD_SOCKET, or SOCKFD_RING: fd is an io_uring ring of thread `inode`,
		      * whose fixed files the reader reads from /proc (fdinfo); SOCKFD_RINGREG:
		      * socket `inode` is fixed file `fd` of a ring the task holds in its registered
		      * ring table (IORING_REGISTER_RING_FDS), with no fd of its own to read; or
		      * SOCKFD_PROC */
};

#define SOCKFD_SOCKET 0
#define SOCKFD_RING 1
#define SOCKFD_RINGREG 2
#define SOCKFD_PROC                                                                                \
	3 /* a record (fd -1) followed by a struct sockfd_proc, once per process                   \
	   * before its first socket record */

/*
 * What the kernel says of a process that holds a socket, as /proc/PID/stat and /proc/PID/status
 * show it for its thread-group leader (the reader runs in the initial user namespace, as BPF
 * needs, so ids are the kernel's own numbers).
 */
struct sockfd_proc {
	__u64 start_ns; /* start_boottime plus the reader's time namespace offset (stat's starttime
			 * in nanoseconds) */
	__u32 uid, euid, gid, egid;
	__s32 ppid; /* the parent's tgid in the reader's PID namespace, 0 when not visible there */
	__u32 userns; /* inode of its user namespace (the cred's, as /proc/PID/ns/user) */
	__u32 mntns;  /* inode of its mount namespace, 0: none (it exited) */
	__u32 pad;
	char comm[16];
	/*
	 * Identities only compared with each other's, never shown (kernel addresses, 0: none): its
	 * css_set (equal ones: equal /proc/PID/cgroup for one reader), the inode its exe link
	 * names (mm->exe_file), and its root directory (fs->root: mount and dentry).
	 */
	__u64 cgroups, exe_inode, root_mnt, root_dentry;
	__u64 pid_ino; /* its struct pid's pidfs inode (Linux 6.9; 0: none): what fstat of a
			* pidfd of it says, never the same for another process */
};

/*
 * What the kernel says of the program a process runs, written after its struct sockfd_proc
 * (read in one go by the sleepable pass), then area_len bytes of its memory from arg_start on:
 * the command line, then the environment (what /proc/PID/cmdline and environ read).
 */
struct sockfd_ident {
	__u32 flags;	/* SOCKFD_ID_* */
	__u32 area_len; /* bytes of the area that follow (from arg_start); 0: none */
	__u32 exe_dev;	/* the running file's device (the kernel's encoding: major << 20 | minor) */
	__u32 pad;
	__u64 exe_ino; /* and inode number */
	__u64 arg_len; /* arg_end - arg_start */
	__u64 total;   /* env_end - arg_start: the whole area (more than area_len: cut) */
};

#define SOCKFD_ID_ONE 1	 /* one program throughout: no exec between the first read and the last */
#define SOCKFD_ID_AREA 2 /* the area was read (the environment follows the arguments) */

#define SOCKFD_AREA_MAX 16384 /* a record carries less of the area than this */

#endif
