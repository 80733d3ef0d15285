/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockone.h — what the narrow pass (sockone.bpf.c) and its reader share; its records are
 * sockfd.h's. */
#ifndef PS_SOCKONE_H
#define PS_SOCKONE_H

#define SOCKONE_BITS 4096 /* the wanted inodes' filter (want_bits), in bits */
#define SOCKONE_FOUND 256 /* slots for the wanted sockets' files */
#define SOCKONE_BATCH 16  /* fds read at once from a file table */

/* The filter's bit of a socket inode. */
static inline __u32 sockone_bit(__u64 inode)
{
	return (__u32)((inode * 0x9E3779B97F4A7C15ull) >> 52) & (SOCKONE_BITS - 1);
}

#endif
