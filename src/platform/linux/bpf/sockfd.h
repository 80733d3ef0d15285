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
	__s32 fd;    /* -1: a marker (a process whose files were read) */
	__u32 kind;  /* SOCKFD_SOCKET, or SOCKFD_RING: fd is an io_uring ring of thread `inode`,
		      * whose fixed files the reader reads from /proc (fdinfo), or SOCKFD_RINGREG:
		      * socket `inode` is fixed file `fd` of a ring the task holds in its registered
		      * ring table (IORING_REGISTER_RING_FDS), with no fd of its own to read */
};

#define SOCKFD_SOCKET 0
#define SOCKFD_RING 1
#define SOCKFD_RINGREG 2

#endif
