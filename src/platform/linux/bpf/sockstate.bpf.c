/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockstate.bpf.c — every TCP state change (tracepoint sock:inet_sock_set_state) into a ring buffer
 * for `top`, which keeps its socket set from these between full listings. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sockstate.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_FIN_WAIT1 4
#define TCP_CLOSE 7
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK 9
#define TCP_LISTEN 10

/* Set by the reader after loading: only this network namespace (0: every one). */
__u32 want_netns = 0;
/* Set by the reader: its pid namespace (the device and inode of /proc/self/ns/pid), so the pid
 * an event names is the one the reader sees (0: the initial namespace's numbers). */
__u64 pidns_dev = 0, pidns_ino = 0;
/* Events the ring buffer had no room for: the reader resyncs when it grows. */
__u64 dropped = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Who connected or listened (known in the syscall, not later in softirq), by socket. */
struct who {
	__s32 pid;
	char comm[16];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct who);
} owners SEC(".maps");

/* Whether this change is made by the socket's holder in its own syscall: connect() or listen(), or
 * close() (or shutdown()) of a connection, an accepted one's too, whose acceptor no event names. */
static __always_inline bool by_holder(__u64 key, int oldstate, int newstate)
{
	if (oldstate == TCP_CLOSE && (newstate == TCP_SYN_SENT || newstate == TCP_LISTEN))
		return true;
	if (!(oldstate == TCP_ESTABLISHED && newstate == TCP_FIN_WAIT1) &&
	    !(oldstate == TCP_CLOSE_WAIT && newstate == TCP_LAST_ACK))
		return false;
	return !bpf_map_lookup_elem(&owners, &key); /* the process that connected stays */
}

/* The process behind this change when the change is made by its own syscall. */
static __always_inline void note_owner(__u64 key, int oldstate, int newstate,
				       struct sockstate_rec *r)
{
	if (by_holder(key, oldstate, newstate)) {
		struct who w = {.pid = (__s32)(bpf_get_current_pid_tgid() >> 32)};
		struct bpf_pidns_info ns;
		/* in the reader's pid namespace; a process outside it has no pid there: 0 */
		if (pidns_ino)
			w.pid = bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof ns)
				    ? 0
				    : (__s32)ns.tgid;
		bpf_get_current_comm(w.comm, sizeof w.comm);
		bpf_map_update_elem(&owners, &key, &w, BPF_ANY);
	}
	struct who *w = bpf_map_lookup_elem(&owners, &key);
	if (w) {
		r->pid = w->pid;
		__builtin_memcpy(r->comm, w->comm, sizeof r->comm);
	}
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&owners, &key);
}

/* A connection's counters as it changes state: its last bytes when it closes (read before the
 * kernel frees it, which no later sample can). */
static __always_inline void read_counters(struct tcp_sock *tp, struct sockstate_rec *r)
{
	r->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
	r->bytes_received = BPF_CORE_READ(tp, bytes_received);
	r->bytes_sent = BPF_CORE_READ(tp, bytes_sent);
	r->bytes_retrans = BPF_CORE_READ(tp, bytes_retrans);
	r->srtt_us = BPF_CORE_READ(tp, srtt_us);
	r->total_retrans = BPF_CORE_READ(tp, total_retrans);
	r->counters = 1;
}

/* The tracepoint as BTF gives it (tp_btf: attached without tracefs, the socket typed). */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(sockstate, struct sock *sk, int oldstate, int newstate)
{
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	__u32 netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (want_netns && netns != want_netns)
		return 0;
	struct sockstate_rec *r = bpf_ringbuf_reserve(&events, sizeof *r, 0);
	if (!r) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	__builtin_memset(r, 0, sizeof *r);
	r->skaddr = (__u64)sk;
	r->netns = netns;
	/* inet_sport, as the tracepoint's own format reads it: tcp_set_state(TCP_CLOSE) releases
	 * the port (inet_put_port zeroes skc_num) before the change is traced, so a close read from
	 * skc_num would name port 0 and match no socket */
	r->sport = __builtin_bswap16(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	r->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	r->family = (__u8)BPF_CORE_READ(sk, __sk_common.skc_family);
	r->protocol = IPPROTO_TCP;
	r->oldstate = (__u8)oldstate;
	r->newstate = (__u8)newstate;
	if (r->family == AF_INET) {
		BPF_CORE_READ_INTO(&r->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&r->daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&r->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&r->daddr, sk, __sk_common.skc_v6_daddr);
	}
	note_owner(r->skaddr, oldstate, newstate, r);
	if (oldstate != TCP_CLOSE && oldstate != TCP_LISTEN && oldstate != TCP_SYN_SENT)
		read_counters((struct tcp_sock *)sk, r);
	bpf_ringbuf_submit(r, 0);
	return 0;
}
