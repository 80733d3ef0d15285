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
	__u64 inode; /* the socket's inode, as in "socket:[INODE]" */
	__u32 netns; /* inode of the socket's network namespace */
	__s32 pid;   /* thread-group id as the reader's PID namespace numbers it */
	__s32 fd;
	__u32 pad;
};

#endif
