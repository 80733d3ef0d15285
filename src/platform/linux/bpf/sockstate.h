/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockstate.h — the record the sockstate program writes per TCP state change, shared by the BPF
 * program and its reader (src/platform/linux/sockstate.c). */
#ifndef PS_SOCKSTATE_H
#define PS_SOCKSTATE_H

/*
 * One sock:inet_sock_set_state event, fixed size, in the ring buffer `events`. Ports in
 * host order; addresses as the tracepoint gives them (IPv4 in the first 4 bytes).
 */
struct sockstate_rec {
	__u64 skaddr; /* the kernel socket, only to tell sockets apart while they live */
	__u32 netns;  /* inode of the socket's network namespace */
	__s32 pid;    /* the process that connected or listened, or that closed the connection
		       * (a syscall's: an accepted one's holder), 0: not known */
	__u16 sport, dport;
	__u8 family; /* 2 AF_INET, 10 AF_INET6 */
	__u8 protocol;
	__u8 oldstate, newstate;
	__u8 saddr[16], daddr[16];
	char comm[16];
	/* The connection's counters at this change (tcp_sock, as tcp_info gives them), so a
	 * connection that closes between two samples keeps its last bytes: bytes_acked,
	 * bytes_received, bytes_sent and bytes_retrans (for the same bound as tcp_info's
	 * reader), srtt_us (<< 3, as the kernel keeps it), total_retrans. */
	__u64 bytes_acked, bytes_received, bytes_sent, bytes_retrans;
	__u32 srtt_us, total_retrans;
	__u32 counters; /* 1: the counters above were read (not for a socket still opening) */
};

#endif
